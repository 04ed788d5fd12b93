//! What the client tells its user: one line per event (text, or a JSON object with `--json`),
//! and the resolv.conf-format file of `--resolv`.
//!
//! Every JSON line has `t` (seconds since start) and `event`; the other keys depend on it.
//!
//! | events | what happened |
//! |---|---|
//! | `started`, `configured`, `timeout`, `signal`, `stopped`, `counters` | the run itself (`configured` and `timeout` with `--once`; `counters`: every drop counter of both engines, at exit) |
//! | `rs_sent`, `ra_received`, `dhcpv6_sent`, `dhcpv6_received` | packets (RAs with source, hop limit, accepted or not) |
//! | `slaac_probe`, `slaac_address_added` / `_updated` / `_deprecated` / `_removed` / `_failed` | SLAAC (RFC 4862, RFC 7217) |
//! | `dad_result` | the kernel's DAD verdict and the engine it went to |
//! | `default_router_added` / `_removed`, `on_link_prefix_added` / `_removed`, `route_added` / `_removed` | routes (RFC 4861, RFC 4191) |
//! | `dhcpv6_mode_changed`, `dhcpv6_address_bound` / `_renewed` / `_removed`, `dhcpv6_prefix_bound` / `_renewed` / `_removed`, `dhcpv6_exchange_failed`, `binding_restored` | DHCPv6 (RFC 9915) |
//! | `rdnss_changed`, `dnssl_changed`, `dhcpv6_dns_changed`, `dhcpv6_domains_changed`, `resolv_written` | DNS (RFC 8106, RFC 3646) |
//! | `mtu_changed`, `link_parameters_changed`, `sysctl_set`, `link_changed` | link |
//! | `kernel_error`, `state_error`, `resolv_error` | a netlink request, the state file or the resolv file failed (the run goes on) |

use std::io::Write;
use std::net::Ipv6Addr;
use std::path::PathBuf;

use serde_json::{json, Value};

use sixconf_core::dhcpv6::client;
use sixconf_core::host;
use sixconf_core::host::station::Event;
use sixconf_core::time::Duration;

/// Prints events and writes the resolv file.
#[derive(Debug)]
pub struct Reporter {
    json: bool,
    resolv: Option<PathBuf>,
    interface: String,
    started: std::time::Instant,
    last_resolv: Option<String>,
}

/// A lifetime for people and JSON: seconds, or `"infinite"`.
pub fn lifetime(d: Duration) -> Value {
    if d == Duration::MAX {
        json!("infinite")
    } else {
        json!(d.total_millis() / 1000)
    }
}

/// The event's name and fields.
pub fn describe(e: &Event) -> (&'static str, Value) {
    use client::Event as C;
    use host::Event as H;
    let a = |x: &Ipv6Addr| x.to_string();
    match e {
        Event::Host(h) => match h {
            H::ProbeAddress { address } => ("slaac_probe", json!({ "address": a(address) })),
            H::AddressAdded {
                address,
                prefix_len,
                valid,
                preferred,
            } => (
                "slaac_address_added",
                json!({ "address": a(address), "prefix_len": prefix_len,
                        "preferred": lifetime(*preferred), "valid": lifetime(*valid) }),
            ),
            H::AddressLifetimesUpdated {
                address,
                valid,
                preferred,
            } => (
                "slaac_address_updated",
                json!({ "address": a(address), "preferred": lifetime(*preferred), "valid": lifetime(*valid) }),
            ),
            H::AddressDeprecated { address } => {
                ("slaac_address_deprecated", json!({ "address": a(address) }))
            }
            H::AddressRemoved { address } => {
                ("slaac_address_removed", json!({ "address": a(address) }))
            }
            H::AddressFailed { prefix, conflicts } => (
                "slaac_address_failed",
                json!({ "prefix": a(prefix), "conflicts": conflicts }),
            ),
            H::DefaultRouterAdded { router, preference } => (
                "default_router_added",
                json!({ "router": a(router), "preference": format!("{preference:?}").to_lowercase() }),
            ),
            H::DefaultRouterRemoved { router } => {
                ("default_router_removed", json!({ "router": a(router) }))
            }
            H::OnLinkPrefixAdded { prefix, len } => (
                "on_link_prefix_added",
                json!({ "prefix": format!("{prefix}/{len}") }),
            ),
            H::OnLinkPrefixRemoved { prefix, len } => (
                "on_link_prefix_removed",
                json!({ "prefix": format!("{prefix}/{len}") }),
            ),
            H::RouteAdded {
                prefix,
                len,
                router,
                preference,
            } => (
                "route_added",
                json!({ "prefix": format!("{prefix}/{len}"), "router": a(router),
                        "preference": format!("{preference:?}").to_lowercase() }),
            ),
            H::RouteRemoved {
                prefix,
                len,
                router,
            } => (
                "route_removed",
                json!({ "prefix": format!("{prefix}/{len}"), "router": a(router) }),
            ),
            H::MtuChanged { mtu } => ("mtu_changed", json!({ "mtu": mtu })),
            H::LinkParametersChanged => ("link_parameters_changed", json!({})),
            H::DnsServersChanged => ("rdnss_changed", json!({})),
            H::SearchListChanged => ("dnssl_changed", json!({})),
            H::Dhcpv6Changed { mode } => (
                "dhcpv6_mode_changed",
                json!({ "mode": format!("{mode:?}").to_lowercase() }),
            ),
            H::PdPreferredChanged => ("pd_preferred_changed", json!({})),
            H::Nat64PrefixesChanged => ("nat64_prefixes_changed", json!({})),
            H::CaptivePortalChanged => ("captive_portal_changed", json!({})),
        },
        Event::Dhcpv6(c) => match c {
            C::AddressBound(l) => ("dhcpv6_address_bound", lease(l)),
            C::AddressRenewed(l) => ("dhcpv6_address_renewed", lease(l)),
            C::AddressRemoved { address, reason } => (
                "dhcpv6_address_removed",
                json!({ "address": a(address), "reason": format!("{reason:?}").to_lowercase() }),
            ),
            C::PrefixBound(l) => ("dhcpv6_prefix_bound", lease(l)),
            C::PrefixRenewed(l) => ("dhcpv6_prefix_renewed", lease(l)),
            C::PrefixRemoved {
                prefix,
                prefix_len,
                reason,
            } => (
                "dhcpv6_prefix_removed",
                json!({ "prefix": format!("{prefix}/{prefix_len}"),
                        "reason": format!("{reason:?}").to_lowercase() }),
            ),
            C::DnsServersChanged => ("dhcpv6_dns_changed", json!({})),
            C::DomainListChanged => ("dhcpv6_domains_changed", json!({})),
            C::NtpServersChanged => ("dhcpv6_ntp_changed", json!({})),
            C::ExchangeFailed(m) => (
                "dhcpv6_exchange_failed",
                json!({ "message": format!("{m:?}") }),
            ),
        },
    }
}

fn lease(l: &client::Lease) -> Value {
    let what = if l.prefix_len == 128 {
        json!(l.address.to_string())
    } else {
        json!(format!("{}/{}", l.address, l.prefix_len))
    };
    json!({ "lease": what, "preferred": lifetime(l.preferred), "valid": lifetime(l.valid), "iaid": l.iaid })
}

/// The `name: number` pairs of a counters struct's `Debug` text, as a JSON object (the
/// engines' counter structs have integer fields only).
pub fn debug_fields(debug: &str) -> Value {
    let inner = debug
        .split_once('{')
        .and_then(|(_, rest)| rest.rsplit_once('}'))
        .map_or("", |(inner, _)| inner);
    let mut map = serde_json::Map::new();
    for pair in inner.split(',') {
        if let Some((k, v)) = pair.split_once(':') {
            if let Ok(n) = v.trim().parse::<u64>() {
                map.insert(k.trim().to_owned(), json!(n));
            }
        }
    }
    Value::Object(map)
}

/// The resolv.conf text for these servers and search domains (link-local servers get the
/// interface as zone, as glibc's resolver takes them).
pub fn resolv_text(interface: &str, servers: &[Ipv6Addr], search: &[String]) -> String {
    let mut s = format!("# written by sixconf client for {interface}\n");
    for a in servers {
        if a.is_unicast_link_local() {
            s.push_str(&format!("nameserver {a}%{interface}\n"));
        } else {
            s.push_str(&format!("nameserver {a}\n"));
        }
    }
    let names: Vec<&str> = search
        .iter()
        .map(|n| n.trim_end_matches('.'))
        .filter(|n| !n.is_empty())
        .collect();
    if !names.is_empty() {
        s.push_str(&format!("search {}\n", names.join(" ")));
    }
    s
}

impl Reporter {
    /// A reporter; `resolv` is where DNS goes (nowhere without it).
    pub fn new(json: bool, resolv: Option<PathBuf>, interface: String) -> Reporter {
        Reporter {
            json,
            resolv,
            interface,
            started: std::time::Instant::now(),
            last_resolv: None,
        }
    }

    /// Print one event.
    pub fn emit(&mut self, kind: &str, fields: Value) {
        let t = self.started.elapsed().as_secs_f64();
        let line = if self.json {
            let mut obj = serde_json::Map::new();
            obj.insert("t".into(), json!((t * 1000.0).round() / 1000.0));
            obj.insert("event".into(), json!(kind));
            if let Value::Object(m) = fields {
                for (k, v) in m {
                    if !v.is_null() {
                        obj.insert(k, v);
                    }
                }
            }
            Value::Object(obj).to_string()
        } else {
            let mut line = format!("{t:9.3} {kind}");
            if let Value::Object(m) = fields {
                for (k, v) in m {
                    match v {
                        Value::Null => {}
                        Value::String(s) => line.push_str(&format!(" {k}={s}")),
                        v => line.push_str(&format!(" {k}={v}")),
                    }
                }
            }
            line
        };
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    }

    /// Write the resolv file (if one was asked for and its text changed), atomically.
    pub fn write_resolv(&mut self, servers: &[Ipv6Addr], search: &[String]) {
        let Some(path) = self.resolv.clone() else {
            return;
        };
        let text = resolv_text(&self.interface, servers, search);
        if self.last_resolv.as_deref() == Some(text.as_str()) {
            return;
        }
        match super::state::write_atomic(&path, &text, 0o644) {
            Ok(()) => {
                self.emit(
                    "resolv_written",
                    json!({ "file": path.display().to_string(),
                            "nameservers": servers.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
                            "search": search }),
                );
                self.last_resolv = Some(text);
            }
            Err(e) => self.emit(
                "resolv_error",
                json!({ "file": path.display().to_string(), "error": e.to_string() }),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolv_format() {
        let text = resolv_text(
            "eth0",
            &["2001:db8::53".parse().unwrap(), "fe80::1".parse().unwrap()],
            &["example.com.".into(), "lab.example".into(), ".".into()],
        );
        assert_eq!(
            text,
            "# written by sixconf client for eth0\n\
             nameserver 2001:db8::53\n\
             nameserver fe80::1%eth0\n\
             search example.com lab.example\n"
        );
        assert_eq!(
            resolv_text("eth0", &[], &[]),
            "# written by sixconf client for eth0\n"
        );
    }

    #[test]
    fn counters_from_debug_text() {
        let stats = client::Stats {
            received: 3,
            dropped_client_id: 1,
            ..client::Stats::default()
        };
        let v = debug_fields(&format!("{stats:?}"));
        assert_eq!(v["received"], 3);
        assert_eq!(v["dropped_client_id"], 1);
        assert_eq!(v["dropped_malformed"], 0);
        assert_eq!(debug_fields("nothing"), json!({}));
    }

    #[test]
    fn events_have_names_and_fields() {
        let (k, v) = describe(&Event::Dhcpv6(client::Event::AddressBound(client::Lease {
            address: "2001:db8::7".parse().unwrap(),
            prefix_len: 128,
            preferred: Duration::from_secs(300),
            valid: Duration::MAX,
            received_at: sixconf_core::time::Instant::ZERO,
            iaid: 1,
        })));
        assert_eq!(k, "dhcpv6_address_bound");
        assert_eq!(
            v,
            json!({"lease": "2001:db8::7", "preferred": 300, "valid": "infinite", "iaid": 1})
        );
        let (k, v) = describe(&Event::Host(host::Event::DefaultRouterAdded {
            router: "fe80::1".parse().unwrap(),
            preference: host::Preference::High,
        }));
        assert_eq!(k, "default_router_added");
        assert_eq!(v, json!({"router": "fe80::1", "preference": "high"}));
    }
}
