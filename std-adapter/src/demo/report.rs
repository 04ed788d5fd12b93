//! What each host ended up with, read from its engines and from what its adapter was told.

use std::io::{self, Write};
use std::net::Ipv6Addr;

use sixconf_core::dhcpv6::client::{Mode as ClientMode, State};
use sixconf_core::host::station::Event;
use sixconf_core::host::{Dhcpv6Mode, Preference};
use sixconf_core::time::Instant;
use sixconf_core::wire::dhcpv6::Duid;

use super::link::{Origin, Sim};
use super::scenario::Scenario;

/// `HH:MM:SS.uuuuuu` from the start of the simulation, as tcpdump prints its timestamps.
pub fn timestamp(t: Instant) -> String {
    let ms = t.total_millis();
    let s = ms / 1000;
    format!(
        "{:02}:{:02}:{:02}.{:06}",
        s / 3600,
        s / 60 % 60,
        s % 60,
        ms % 1000 * 1000
    )
}

/// Seconds with up to three decimals, trailing zeros dropped (`2`, `4.5`).
pub fn secs(t: Instant) -> String {
    let ms = t.total_millis();
    if ms.is_multiple_of(1000) {
        format!("{}", ms / 1000)
    } else {
        format!("{}.{:03}", ms / 1000, ms % 1000)
            .trim_end_matches('0')
            .to_string()
    }
}

/// `fa:16:3e:22:38:6b`.
pub fn mac(m: [u8; 6]) -> String {
    m.iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// Whole seconds left from `now` until `until` (`infinite` for `None`).
fn left(now: Instant, until: Option<Instant>) -> String {
    match until {
        None => "infinite".to_string(),
        Some(u) => format!("{}s", (u - now).total_millis() / 1000),
    }
}

fn preference(p: Preference) -> &'static str {
    match p {
        Preference::Low => "low",
        Preference::Medium => "medium",
        Preference::High => "high",
    }
}

fn list(items: Vec<String>) -> String {
    if items.is_empty() {
        "none".to_string()
    } else {
        items.join(" ")
    }
}

fn lifetime(d: sixconf_core::time::Duration) -> String {
    if d == sixconf_core::time::Duration::MAX {
        "infinite".to_string()
    } else {
        format!("{}s", d.total_millis() / 1000)
    }
}

fn dhcpv6_mode(m: Dhcpv6Mode) -> &'static str {
    match m {
        Dhcpv6Mode::None => "no DHCPv6 (M=0 O=0)",
        Dhcpv6Mode::Stateless => "DHCPv6 stateless (O=1): Information-request",
        Dhcpv6Mode::Stateful => "DHCPv6 stateful (M=1): Solicit",
    }
}

/// One line for an event a host's engines gave its adapter (`--events`); `None` for the ones
/// not worth a line (link parameters, lifetime refreshes).
pub fn event_text(event: &Event) -> Option<String> {
    use sixconf_core::dhcpv6::client::Event as C;
    use sixconf_core::host::Event as H;
    Some(match *event {
        Event::Host(h) => match h {
            H::ProbeAddress { address } => format!("DAD for {address} (SLAAC)"),
            H::AddressAdded {
                address,
                prefix_len,
                valid,
                preferred,
            } => format!(
                "address {address}/{prefix_len} added (SLAAC), preferred {}, valid {}",
                lifetime(preferred),
                lifetime(valid)
            ),
            H::AddressDeprecated { address } => format!("address {address} deprecated"),
            H::AddressRemoved { address } => format!("address {address} removed"),
            H::AddressFailed { prefix, conflicts } => {
                format!("no SLAAC address in {prefix}/64 after {conflicts} DAD conflict(s)")
            }
            H::DefaultRouterAdded {
                router,
                preference: p,
            } => {
                format!("default route via {router} (pref {})", preference(p))
            }
            H::DefaultRouterRemoved { router } => format!("default route via {router} removed"),
            H::OnLinkPrefixAdded { prefix, len } => format!("{prefix}/{len} is on-link"),
            H::OnLinkPrefixRemoved { prefix, len } => format!("{prefix}/{len} no longer on-link"),
            H::RouteAdded {
                prefix,
                len,
                router,
                ..
            } => {
                format!("route {prefix}/{len} via {router}")
            }
            H::RouteRemoved {
                prefix,
                len,
                router,
            } => {
                format!("route {prefix}/{len} via {router} removed")
            }
            H::MtuChanged { mtu } => format!("link MTU {mtu}"),
            H::DnsServersChanged => "DNS servers from the RA changed".to_string(),
            H::SearchListChanged => "search list from the RA changed".to_string(),
            H::Dhcpv6Changed { mode } => format!("the RA asks for {}", dhcpv6_mode(mode)),
            H::PdPreferredChanged => "prefixes with the P flag changed".to_string(),
            H::Nat64PrefixesChanged => "NAT64 prefixes changed".to_string(),
            H::CaptivePortalChanged => "captive portal URI changed".to_string(),
            H::AddressLifetimesUpdated { .. } | H::LinkParametersChanged => return None,
        },
        Event::Dhcpv6(c) => match c {
            C::AddressBound(l) => format!(
                "DHCPv6 address {}/128 bound, preferred {}, valid {}; DAD for it",
                l.address,
                lifetime(l.preferred),
                lifetime(l.valid)
            ),
            C::AddressRenewed(l) => format!("DHCPv6 address {} renewed", l.address),
            C::AddressRemoved { address, reason } => {
                format!("DHCPv6 address {address} removed ({reason:?})")
            }
            C::PrefixBound(l) => format!("delegated prefix {}/{} bound", l.address, l.prefix_len),
            C::PrefixRenewed(l) => {
                format!("delegated prefix {}/{} renewed", l.address, l.prefix_len)
            }
            C::PrefixRemoved {
                prefix,
                prefix_len,
                reason,
            } => {
                format!("delegated prefix {prefix}/{prefix_len} removed ({reason:?})")
            }
            C::DnsServersChanged => "DNS servers from DHCPv6 changed".to_string(),
            C::DomainListChanged => "search list from DHCPv6 changed".to_string(),
            C::NtpServersChanged => "NTP servers from DHCPv6 changed".to_string(),
            C::ExchangeFailed(m) => format!("DHCPv6 {m:?} exchange gave up"),
        },
    })
}

/// Writes the per-host outcome of a finished simulation.
pub fn write(sim: &Sim, scenario: &Scenario, out: &mut dyn Write) -> io::Result<()> {
    let now = sim.now;
    let counts = count_packets(sim);
    writeln!(
        out,
        "--- {} after {} s: {} packets on the link ({} RS, {} RA, {} DHCPv6) ---",
        scenario.mode,
        secs(now),
        sim.trace.len(),
        counts.0,
        counts.1,
        counts.2
    )?;
    for h in &sim.hosts {
        let host = h.station.host();
        let client = h.station.client();
        writeln!(
            out,
            "host {}  {}  {}  (up at {} s)",
            h.number,
            mac(h.mac),
            h.link_local,
            secs(h.joined)
        )?;
        let wish = match host.dhcpv6_mode() {
            Dhcpv6Mode::None => "no DHCPv6",
            Dhcpv6Mode::Stateless => "DHCPv6 stateless (Information-request)",
            Dhcpv6Mode::Stateful => "DHCPv6 stateful (addresses by DHCPv6)",
        };
        let flags = match host.dhcpv6_mode() {
            Dhcpv6Mode::None => "M=0 O=0",
            Dhcpv6Mode::Stateless => "M=0 O=1",
            Dhcpv6Mode::Stateful => "M=1",
        };
        writeln!(out, "  RA flags        {flags}: {wish}")?;
        if h.addresses.is_empty() {
            writeln!(out, "  address         none")?;
        }
        for (a, info) in &h.addresses {
            let origin = match info.origin {
                Origin::Slaac => "SLAAC",
                Origin::Dhcpv6 => "DHCPv6 IA_NA",
            };
            writeln!(
                out,
                "  address         {a}/{}  {origin}, preferred {}, valid {}",
                info.prefix_len,
                left(now, info.preferred_until),
                left(now, info.valid_until)
            )?;
        }
        for a in &h.conflicts {
            writeln!(out, "  DAD conflict    {a} (given up)")?;
        }
        let onlink: Vec<String> = host
            .prefixes()
            .iter()
            .map(|p| format!("{}/{}", p.prefix, p.len))
            .collect();
        writeln!(out, "  on-link         {}", list(onlink))?;
        let routers: Vec<String> = host
            .routers()
            .iter()
            .filter(|r| h.default_routers.contains_key(&r.address))
            .map(|r| {
                format!(
                    "{} (pref {}, lifetime {})",
                    r.address,
                    preference(r.preference),
                    left(now, Some(r.expires))
                )
            })
            .collect();
        writeln!(out, "  default router  {}", list(routers))?;
        let mut dns: Vec<String> = host.dns().servers().map(|a| format!("{a} (RA)")).collect();
        dns.extend(client.dns_servers().iter().map(|a| format!("{a} (DHCPv6)")));
        writeln!(out, "  DNS servers     {}", list(dns))?;
        let mut search: Vec<String> = host
            .dns()
            .search_list()
            .map(|n| format!("{n} (RA)"))
            .collect();
        search.extend(
            client
                .domain_list()
                .filter_map(|n| n.ok())
                .map(|n| format!("{n} (DHCPv6)")),
        );
        writeln!(out, "  search list     {}", list(search))?;
        writeln!(out, "  DHCPv6          {}", dhcpv6_line(h, now))?;
    }
    if let Some((server, server_ll)) = &sim.router.server {
        let mut rows: Vec<(Ipv6Addr, String)> = server
            .table()
            .iter()
            .map(|b| {
                let what = if b.is_declined() {
                    "declined, in quarantine".to_string()
                } else {
                    let client = match Duid::new(b.duid()) {
                        Ok(d) => format!("client-ID {d}"),
                        Err(_) => "unknown client".to_string(),
                    };
                    format!(
                        "IAID {} {client}, valid {}",
                        b.iaid(),
                        left(now, Some(b.valid_until()))
                    )
                };
                (
                    b.address(),
                    format!("  {}/{}  {what}", b.address(), b.prefix_len()),
                )
            })
            .collect();
        rows.sort();
        let count = server.table().len();
        writeln!(
            out,
            "DHCPv6 server {server_ll}: {count} binding{}{}",
            if count == 1 { "" } else { "s" },
            if count == 0 {
                " (Information-request keeps no state)"
            } else {
                ""
            }
        )?;
        for (_, row) in rows {
            writeln!(out, "{row}")?;
        }
    }
    Ok(())
}

/// (RS, RA, DHCPv6) packets in the trace.
fn count_packets(sim: &Sim) -> (usize, usize, usize) {
    let mut c = (0, 0, 0);
    for p in &sim.trace {
        match (p.bytes.get(6), p.bytes.get(40)) {
            (Some(58), Some(133)) => c.0 += 1,
            (Some(58), Some(134)) => c.1 += 1,
            (Some(17), _) => c.2 += 1,
            _ => {}
        }
    }
    c
}

fn server_name(id: Option<&[u8]>) -> String {
    match id.map(Duid::new) {
        Some(Ok(d)) => format!("server-ID {d}"),
        _ => "no server".to_string(),
    }
}

fn dhcpv6_line(h: &super::link::HostNode, now: Instant) -> String {
    let client = h.station.client();
    let state = client.state();
    if state == State::Idle {
        return "not running".to_string();
    }
    match client.mode() {
        ClientMode::Stateless => match state {
            State::Informed => format!(
                "stateless: informed by {}, refresh in {}",
                server_name(client.server_id()),
                left(now, client.refresh_at())
            ),
            s => format!("stateless: {s:?}"),
        },
        ClientMode::Stateful { .. } | ClientMode::PrefixDelegation => {
            let leases: Vec<Ipv6Addr> = client.addresses().iter().map(|l| l.address).collect();
            match state {
                State::Bound => format!(
                    "stateful: bound {} from {}, renew (T1) in {}, rebind (T2) in {}",
                    list(leases.iter().map(|a| a.to_string()).collect()),
                    server_name(client.server_id()),
                    left(now, client.renew_at()),
                    left(now, client.rebind_at())
                ),
                s => format!("stateful: {s:?}"),
            }
        }
    }
}
