//! The `sixconf` command.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// IPv6 address configuration for a link: Router Advertisements, SLAAC and DHCPv6.
#[derive(Parser, Debug)]
#[command(name = "sixconf", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Decode an ICMPv6 Neighbor Discovery message given as hex (argument or stdin).
    Decode {
        /// The message as hex; read from stdin when absent.
        hex: Vec<String>,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Decode { hex, json } => {
            let text = if hex.is_empty() {
                let mut s = String::new();
                if let Err(e) = std::io::Read::read_to_string(&mut std::io::stdin(), &mut s) {
                    eprintln!("sixconf decode: cannot read stdin: {e}");
                    return ExitCode::from(2);
                }
                s
            } else {
                hex.join(" ")
            };
            match sixconf::hex::parse_hex(&text) {
                Ok(bytes) => {
                    let _ = json;
                    eprintln!(
                        "sixconf decode: {} bytes read; the ND decoder is not wired in yet",
                        bytes.len()
                    );
                    ExitCode::from(2)
                }
                Err(e) => {
                    eprintln!("sixconf decode: {e}");
                    ExitCode::from(2)
                }
            }
        }
    }
}
