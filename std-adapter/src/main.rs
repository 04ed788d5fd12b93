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
    /// Decode an ICMPv6 Neighbor Discovery message or a DHCPv6 message given as hex (argument
    /// or stdin) and print every decoded field.
    Decode {
        /// The message as hex; read from stdin when absent.
        hex: Vec<String>,
        /// Treat the bytes as a DHCPv6 UDP payload (otherwise chosen by the first byte: 133-137
        /// is Neighbor Discovery).
        #[arg(long)]
        dhcpv6: bool,
        /// IPv6 source address, to verify the ICMPv6 checksum.
        #[arg(long, requires = "dst")]
        src: Option<std::net::Ipv6Addr>,
        /// IPv6 destination address, to verify the ICMPv6 checksum.
        #[arg(long, requires = "src")]
        dst: Option<std::net::Ipv6Addr>,
    },
    /// Validate a `sixconf serve` configuration file: each problem is printed as
    /// FILE:LINE:COL: message (exit status 2); a valid file prints a short summary.
    Check {
        /// The TOML configuration file.
        #[arg(long)]
        config: std::path::PathBuf,
    },
    /// Serve Router Advertisements and DHCPv6 on the configured links (as root, or with
    /// CAP_NET_RAW, CAP_NET_BIND_SERVICE and CAP_NET_ADMIN). SIGTERM/SIGINT stop it after the
    /// final RAs, SIGHUP reloads the file, SIGUSR1 prints every counter.
    Serve {
        /// The TOML configuration file (see `sixconf check`).
        #[arg(long)]
        config: std::path::PathBuf,
    },
    /// List the leases stored in a lease database.
    Leases {
        /// The SQLite lease database (`lease_db` in the configuration).
        #[arg(long)]
        db: std::path::PathBuf,
        /// One JSON object per lease and line.
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check { config } => sixconf::config::check_command(&config),
        Command::Serve { config } => sixconf::serve::command(&config),
        Command::Leases { db, json } => sixconf::store::leases_command(&db, json),
        Command::Decode {
            hex,
            dhcpv6,
            src,
            dst,
        } => {
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
                Ok(bytes) => match decode(&bytes, dhcpv6, src.zip(dst)) {
                    Ok(text) => {
                        println!("{text}");
                        ExitCode::SUCCESS
                    }
                    Err(e) => {
                        eprintln!("sixconf decode: {e}");
                        ExitCode::from(2)
                    }
                },
                Err(e) => {
                    eprintln!("sixconf decode: {e}");
                    ExitCode::from(2)
                }
            }
        }
    }
}

/// Decode `bytes` and render every field (the `Debug` form of the decoded `Repr`, which never
/// panics on any input). tcpdump-style text and `--json` are still to come.
fn decode(
    bytes: &[u8],
    force_dhcpv6: bool,
    addrs: Option<(std::net::Ipv6Addr, std::net::Ipv6Addr)>,
) -> Result<String, sixconf_core::wire::Error> {
    use sixconf_core::wire::{dhcpv6, icmpv6, ndisc};
    let is_nd = !force_dhcpv6 && matches!(bytes.first(), Some(133..=137));
    if is_nd {
        let repr = match addrs {
            Some((src, dst)) => ndisc::Repr::parse_verified(bytes, &src, &dst)?,
            None => ndisc::Repr::parse(&icmpv6::Packet::new_checked(bytes)?)?,
        };
        let checksum = if addrs.is_some() {
            "checksum ok"
        } else {
            "checksum not verified (give --src and --dst)"
        };
        Ok(format!(
            "ICMPv6 Neighbor Discovery, {} bytes, {checksum}\n{repr:#?}",
            bytes.len()
        ))
    } else {
        let repr = dhcpv6::Repr::parse(bytes)?;
        Ok(format!("DHCPv6, {} bytes\n{repr:#?}", bytes.len()))
    }
}
