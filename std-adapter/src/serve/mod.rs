//! `sixconf serve`: the router daemon (DESIGN.md, "The std adapter and the `sixconf` binary").
//!
//! One process serves Router Advertisements ([`sixconf_core::ra::Advertiser`], one per
//! interface) and DHCPv6 ([`sixconf_core::dhcpv6::server::Server`], every link) on the links of
//! a configuration file ([`crate::config`]), keeps leases in the lease store ([`crate::store`])
//! and routes delegated prefixes to the routers that hold them.
//!
//! - [`iface`]: interface facts (index, MAC, MTU, link-local address).
//! - [`sockets`]: the raw ICMPv6 sockets and the UDP 547 socket, with receive metadata.
//! - [`routes`]: rtnetlink routes for delegated prefixes; [`hops`] remembers their next hops.
//! - [`daemon`]: the mio run loop with group commit; signals (SIGTERM/SIGINT stop with final
//!   RAs, SIGHUP reloads, SIGUSR1 prints the counters).
//! - [`privileges`]: the capability check at start.
//! - [`uplink`]: the DHCPv6 prefix delegation client on a WAN interface, for links whose prefix
//!   is `delegated:IF` (a home router: one process from the ISP's prefix to the LAN's RAs).
//!
//! Exit status: 0 after a clean stop, 2 for an invalid configuration file (as `sixconf
//! check`), 77 for missing privileges, 1 for any other failure.

pub mod committer;
pub mod counters;
pub mod daemon;
pub mod hops;
pub mod iface;
pub mod privileges;
pub mod routes;
pub mod sockets;
pub mod uplink;

use std::path::Path;
use std::process::ExitCode;

/// `sixconf serve --config FILE`.
pub fn command(config_path: &Path) -> ExitCode {
    init_logging();
    let shown = config_path.display();
    let config = match crate::config::load(config_path) {
        Ok(c) => c,
        // FILE:LINE:COL: message, one line per problem, as `sixconf check` prints them.
        Err(crate::config::LoadError::Invalid(diags)) => {
            for d in &diags.0 {
                eprintln!("sixconf serve: {shown}:{d}");
            }
            return ExitCode::from(2);
        }
        Err(e) => {
            eprintln!("sixconf serve: {shown}: {e}");
            return ExitCode::from(2);
        }
    };
    match daemon::Daemon::start(config_path, config) {
        Ok(d) => ExitCode::from(d.run()),
        Err(e) => {
            eprintln!("sixconf serve: {e}");
            ExitCode::from(e.exit_status())
        }
    }
}

/// Logs to stderr; `RUST_LOG` filters (default `info`).
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}
