//! Drop counters: the adapter's own, and the rendering of every engine's counters as
//! `name value` lines (printed on SIGUSR1 and at exit).

use std::fmt::{self, Write as _};

use sixconf_core::dhcpv6::server::Counters as ServerCounters;
use sixconf_core::ra::Counters as RaCounters;
use sixconf_core::wire::dhcpv6::DropReason;

/// What the adapter itself dropped or failed at. All saturate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AdapterCounters {
    /// ICMPv6 messages received on the raw sockets.
    pub nd_received: u64,
    /// ICMPv6 messages that were neither RS nor RA (arrived before the socket filter was
    /// attached), ignored.
    pub nd_not_rs_ra: u64,
    /// ICMPv6 messages without a hop limit control message, dropped (RFC 4861 §6.1 cannot be
    /// checked).
    pub nd_no_hop_limit: u64,
    /// ICMPv6 datagrams longer than the receive buffer, dropped.
    pub nd_truncated: u64,
    /// DHCPv6 datagrams received on port 547.
    pub dhcp_received: u64,
    /// DHCPv6 datagrams longer than the receive buffer, dropped.
    pub dhcp_truncated: u64,
    /// Receive errors other than "nothing queued".
    pub receive_errors: u64,
    /// RA packets the kernel refused to send.
    pub ra_send_errors: u64,
    /// DHCPv6 replies the kernel refused to send.
    pub dhcp_send_errors: u64,
    /// Lease store transactions that failed (their replies were not sent).
    pub commit_failures: u64,
    /// Replies not sent because the lease they promise was not committed.
    pub replies_withheld: u64,
    /// Lease events committed.
    pub events_committed: u64,
    /// Store transactions (group commits).
    pub commits: u64,
    /// Routes to delegated prefixes installed.
    pub routes_installed: u64,
    /// Routes removed.
    pub routes_removed: u64,
    /// Route installs or removals that failed.
    pub route_errors: u64,
    /// Configuration reloads applied (SIGHUP).
    pub reloads: u64,
    /// Reloads refused (invalid file, changed link list).
    pub reload_failures: u64,
    /// Lease events a shared store refused (another server's client holds the address); the
    /// holder's lease is put in the engine's table instead.
    pub claims_refused: u64,
    /// Clients unknown to the engine looked up in a shared store (Renew, Rebind, Release,
    /// Decline).
    pub store_lookups: u64,
    /// Leases learnt from a shared store (looked-up clients, holders of refused claims).
    pub leases_learnt: u64,
    /// Look-ups that failed (the store was unreachable).
    pub store_lookup_failures: u64,
}

/// Add one, saturating.
pub fn bump(c: &mut u64) {
    *c = c.saturating_add(1);
}

/// The `name: value` pairs of a flat struct's `Debug` output (`Counters { a: 1, b: 2 }`), so
/// that every field of an engine's counters is printed without listing them here.
pub fn debug_fields(value: &dyn fmt::Debug) -> Vec<(String, String)> {
    let text = format!("{value:?}");
    let Some(body) = text
        .split_once('{')
        .and_then(|(_, rest)| rest.rsplit_once('}'))
        .map(|(b, _)| b)
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut field = String::new();
    for ch in body.chars() {
        match ch {
            '[' | '(' | '{' => depth += 1,
            ']' | ')' | '}' => depth -= 1,
            _ => {}
        }
        if ch == ',' && depth == 0 {
            push_field(&mut out, &field);
            field.clear();
        } else {
            field.push(ch);
        }
    }
    push_field(&mut out, &field);
    out
}

fn push_field(out: &mut Vec<(String, String)>, field: &str) {
    if let Some((k, v)) = field.split_once(':') {
        out.push((k.trim().to_owned(), v.trim().to_owned()));
    }
}

/// Render one Advertiser's counters, prefixed `ra.<link>.`.
pub fn render_ra(out: &mut String, link: &str, c: &RaCounters) {
    for (k, v) in debug_fields(c) {
        let _ = writeln!(out, "ra.{link}.{k} {v}");
    }
}

/// Render the DHCPv6 server's counters, prefixed `dhcpv6.`; the §16 discards one line per
/// reason.
pub fn render_server(out: &mut String, c: &ServerCounters) {
    for (k, v) in debug_fields(c) {
        if k == "discarded" {
            for r in DropReason::ALL {
                let n = c.discarded.get(r.index()).copied().unwrap_or(0);
                let _ = writeln!(out, "dhcpv6.discarded.{} {n}", r.name());
            }
        } else {
            let _ = writeln!(out, "dhcpv6.{k} {v}");
        }
    }
}

/// Render a lease store's counters, prefixed `store.`.
pub fn render_store(out: &mut String, c: &[(&'static str, u64)]) {
    for (k, v) in c {
        let _ = writeln!(out, "store.{k} {v}");
    }
}

/// Render the adapter's counters, prefixed `adapter.`.
pub fn render_adapter(out: &mut String, c: &AdapterCounters) {
    for (k, v) in debug_fields(c) {
        let _ = writeln!(out, "adapter.{k} {v}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_of_every_counter_struct_is_rendered() {
        let mut s = ServerCounters {
            no_link: 7,
            ..ServerCounters::default()
        };
        s.discarded[DropReason::MissingClientId.index()] = 3;
        let mut out = String::new();
        render_server(&mut out, &s);
        assert!(out.contains("dhcpv6.no_link 7\n"), "{out}");
        let name = DropReason::MissingClientId.name();
        assert!(
            out.contains(&format!("dhcpv6.discarded.{name} 3\n")),
            "{out}"
        );
        assert!(!out.contains('['), "{out}");
        // One line per field, the array expanded per reason.
        let fields = debug_fields(&s).len();
        assert_eq!(out.lines().count(), fields - 1 + DropReason::COUNT);

        let ra = RaCounters {
            rs_invalid: 2,
            ..RaCounters::default()
        };
        let mut out = String::new();
        render_ra(&mut out, "eth1", &ra);
        assert!(out.contains("ra.eth1.rs_invalid 2\n"), "{out}");
        assert!(out.contains("ra.eth1.events_dropped 0\n"), "{out}");

        let a = AdapterCounters {
            replies_withheld: 1,
            ..AdapterCounters::default()
        };
        let mut out = String::new();
        render_adapter(&mut out, &a);
        assert!(out.contains("adapter.replies_withheld 1\n"), "{out}");
        assert_eq!(out.lines().count(), 22);
    }
}
