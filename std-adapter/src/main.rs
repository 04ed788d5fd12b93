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
    /// Decode ICMPv6 Neighbor Discovery and DHCPv6 messages (hex as an argument or on stdin, or
    /// every one in a capture file) and print them as tcpdump -vv would, or as JSON.
    Decode(sixconf::decode::DecodeArgs),
    /// Run the seed's three link modes (slaac, dhcpv6-stateless, dhcpv6-stateful) in memory with
    /// the real engines, print every packet as tcpdump -vv does, then what each host configured.
    Demo(sixconf::demo::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Decode(args) => sixconf::decode::run(&args),
        Command::Demo(args) => sixconf::demo::main(args),
    }
}
