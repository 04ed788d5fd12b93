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
    /// Configure this host's interface from Router Advertisements and DHCPv6 (as root): SLAAC
    /// and DHCPv6 addresses, default routes, DNS into --resolv; SIGTERM releases and removes.
    Client(sixconf::client::Args),
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
        /// The lease database (`lease_db` in the configuration: an SQLite file or a
        /// `postgresql://` URL).
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
        Command::Decode(args) => sixconf::decode::run(&args),
        Command::Demo(args) => sixconf::demo::main(args),
        Command::Client(args) => sixconf::client::command(args),
    }
}
