//! Neighbor Discovery messages as tcpdump 4.99 prints them (`print-icmp6.c`).
//!
//! ```
//! use sixconf::text;
//! use sixconf_core::wire::{icmpv6, ndisc};
//!
//! // The seed's SLAAC Router Advertisement.
//! let bytes = sixconf::hex::parse_hex(
//!     "8600d68e4000001e0000000000000000030440c000015180000038400000000020010db8cafe\
//!      000000000000000000000101fa163ec317b4").unwrap();
//! let repr = ndisc::Repr::parse(&icmpv6::Packet::new_checked(&bytes[..]).unwrap()).unwrap();
//! assert_eq!(text::nd::summary(&repr), "ICMP6, router advertisement, length 56");
//! assert!(text::nd::verbose(&repr).contains(
//!     "\n\t  prefix info option (3), length 32 (4): 2001:db8:cafe::/64, Flags [onlink, auto], \
//!      valid time 86400s, pref. time 14400s"));
//! ```

use std::fmt::Write as _;

use sixconf_core::wire::ndisc::{
    self, option::Pref64Length, NdOption, OptionsRepr, Repr, RouterPreference,
};

use super::{hex_dump, mac};

/// One line: `ICMP6, router advertisement, length 56`; `, who has X` for a Neighbor
/// Solicitation, `, tgt is X` for an Advertisement, `, D to T` for a Redirect (tcpdump without
/// `-v`). The length is the ICMPv6 message's.
pub fn summary(repr: &Repr<'_>) -> String {
    let len = repr.buffer_len();
    match repr {
        Repr::RouterSolicit(_) => format!("ICMP6, router solicitation, length {len}"),
        Repr::RouterAdvert(_) => format!("ICMP6, router advertisement, length {len}"),
        Repr::NeighborSolicit(ns) => {
            format!(
                "ICMP6, neighbor solicitation, length {len}, who has {}",
                ns.target
            )
        }
        Repr::NeighborAdvert(na) => {
            format!(
                "ICMP6, neighbor advertisement, length {len}, tgt is {}",
                na.target
            )
        }
        Repr::Redirect(r) => format!(
            "ICMP6, redirect, length {len}, {} to {}",
            r.destination, r.target
        ),
    }
}

/// tcpdump `-vv`: the [`summary`] with the NA flags appended, then one line for the RA's fixed
/// fields (`\thop limit 64, Flags [none], pref medium, router lifetime 30s, reachable time 0ms,
/// retrans timer 0ms`) and, per option, `\t  prefix info option (3), length 32 (4): …` followed
/// by the option's bytes as `\t    0x0000:  40c0 …` lines. Lines are joined with `\n`, no
/// trailing newline.
pub fn verbose(repr: &Repr<'_>) -> String {
    let mut s = summary(repr);
    s.push_str(&details(repr));
    s
}

/// What [`verbose`] prints after the [`summary`]: the NA's `, Flags [solicited]`, the RA's
/// fixed fields and the options, each on its own `\n\t`-started line.
pub fn details(repr: &Repr<'_>) -> String {
    let mut s = String::new();
    match repr {
        Repr::RouterAdvert(ra) => {
            let mut flags = Vec::new();
            for (set, name) in [
                (ra.managed, "managed"),
                (ra.other, "other stateful"),
                (ra.home_agent, "home agent"),
                (ra.proxy, "proxy"),
            ] {
                if set {
                    flags.push(name);
                }
            }
            let _ = write!(
                s,
                "\n\thop limit {}, Flags [{}], pref {}, router lifetime {}s, reachable time \
                 {}ms, retrans timer {}ms",
                ra.cur_hop_limit,
                if flags.is_empty() {
                    "none".to_string()
                } else {
                    flags.join(", ")
                },
                pref(ra.router_preference),
                ra.router_lifetime,
                ra.reachable_time,
                ra.retrans_timer
            );
        }
        Repr::NeighborAdvert(na) => {
            let mut flags = Vec::new();
            for (set, name) in [
                (na.router_flag, "router"),
                (na.solicited_flag, "solicited"),
                (na.override_flag, "override"),
            ] {
                if set {
                    flags.push(name);
                }
            }
            let _ = write!(
                s,
                ", Flags [{}]",
                if flags.is_empty() {
                    "none".to_string()
                } else {
                    flags.join(", ")
                }
            );
        }
        _ => {}
    }
    for (option, bytes) in options_with_bytes(repr.options()) {
        s.push_str("\n\t  ");
        match option {
            Ok(option) => s.push_str(&option_line(&option, &bytes)),
            Err(e) => s.push_str(&ignored_line(&bytes, &e)),
        }
        hex_dump(&mut s, "\n\t    ", bytes.get(2..).unwrap_or(&[]));
    }
    s
}

/// An option a lenient decode ignored (RFC 4191 §3.1, RFC 8781 §4, RFC 8106 §5.3.1):
/// `route info option (24), length 32 (4): [ignored: …]`.
fn ignored_line(bytes: &[u8], e: &sixconf_core::wire::Error) -> String {
    let kind = bytes.first().copied().unwrap_or(0);
    let units = bytes.get(1).copied().unwrap_or(0);
    let name = match ndisc::OptionType::from(kind) {
        ndisc::OptionType::Unknown(_) => "unknown".to_string(),
        known => known.to_string(),
    };
    format!(
        "{name} option ({kind}), length {} ({units}): [ignored: {e}]",
        usize::from(units) * 8
    )
}

/// Each option, decoded or with why a lenient decode ignored it, with its whole bytes (type
/// and length included): the bytes as received for a parsed message, as emitted for a built
/// one.
pub(crate) type OptionWithBytes<'a> = (Result<NdOption<'a>, sixconf_core::wire::Error>, Vec<u8>);

/// See [`OptionWithBytes`].
pub(crate) fn options_with_bytes(options: OptionsRepr<'_>) -> Vec<OptionWithBytes<'_>> {
    match options {
        OptionsRepr::Wire(wire) => {
            let mut rest = wire.as_bytes();
            let mut out = Vec::new();
            for option in wire.checked() {
                let len = rest.get(1).map_or(0, |&u| usize::from(u) * 8);
                let (this, tail) = rest.split_at_checked(len).unwrap_or((rest, &[]));
                out.push((option, this.to_vec()));
                rest = tail;
            }
            out
        }
        OptionsRepr::List(list) => list
            .iter()
            .map(|option| {
                let mut buf = vec![0u8; option.buffer_len()];
                if option.emit(&mut buf).is_err() {
                    buf.clear();
                }
                (Ok(*option), buf)
            })
            .collect(),
    }
}

/// A preference as tcpdump's `get_rtpref`: `high`, `medium`, `low`, `rsv` (RFC 4191 §2.1).
fn pref(p: RouterPreference) -> &'static str {
    match p {
        RouterPreference::High => "high",
        RouterPreference::Medium => "medium",
        RouterPreference::Low => "low",
        RouterPreference::Reserved => "rsv",
    }
}

/// A lifetime as tcpdump's `get_lifetime`: `infinity` or `86400s`.
fn lifetime(secs: u32) -> String {
    if secs == u32::MAX {
        "infinity".into()
    } else {
        format!("{secs}s")
    }
}

/// `prefix info option (3), length 32 (4): 2001:db8::/64, Flags [onlink, auto], …`.
fn option_line(option: &NdOption<'_>, bytes: &[u8]) -> String {
    let kind = bytes.first().copied().unwrap_or(0);
    let units = bytes.get(1).copied().unwrap_or(0);
    let name = match option {
        NdOption::SourceLinkLayerAddress(_) => "source link-address",
        NdOption::TargetLinkLayerAddress(_) => "destination link-address",
        NdOption::PrefixInformation(_) => "prefix info",
        NdOption::RedirectedHeader(_) => "redirected header",
        NdOption::Mtu(_) => "mtu",
        NdOption::RouteInformation(_) => "route info",
        NdOption::Rdnss(_) => "rdnss",
        NdOption::Dnssl(_) => "dnssl",
        NdOption::CaptivePortal(_) => "captive portal",
        NdOption::Pref64(_) => "pref64",
        NdOption::Nonce(_) => "nonce",
        NdOption::Unknown { .. } => "unknown",
    };
    let mut s = format!(
        "{name} option ({kind}), length {} ({units}): ",
        usize::from(units) * 8
    );
    match option {
        NdOption::SourceLinkLayerAddress(l) | NdOption::TargetLinkLayerAddress(l) => {
            s.push_str(&mac(l.as_bytes()));
        }
        NdOption::PrefixInformation(p) => {
            let mut flags = Vec::new();
            for (set, name) in [
                (p.on_link, "onlink"),
                (p.autonomous, "auto"),
                (p.router_address, "router"),
                (p.pd_preferred, "pd-preferred"),
            ] {
                if set {
                    flags.push(name);
                }
            }
            let _ = write!(
                s,
                "{}/{}, Flags [{}], valid time {}, pref. time {}",
                p.prefix,
                p.prefix_len,
                if flags.is_empty() {
                    "none".to_string()
                } else {
                    flags.join(", ")
                },
                lifetime(p.valid_lifetime),
                lifetime(p.preferred_lifetime)
            );
        }
        NdOption::RedirectedHeader(_) | NdOption::Unknown { .. } => {}
        NdOption::Mtu(mtu) => {
            let _ = write!(s, " {mtu}");
        }
        NdOption::RouteInformation(r) => {
            let _ = write!(
                s,
                " {}/{}, pref={}, lifetime={}",
                r.prefix,
                r.prefix_len,
                pref(r.preference),
                lifetime(r.route_lifetime)
            );
        }
        NdOption::Rdnss(r) => {
            let _ = write!(s, " lifetime {}s,", r.lifetime);
            for a in r.servers.iter() {
                let _ = write!(s, " addr: {a}");
            }
        }
        NdOption::Dnssl(d) => {
            let _ = write!(s, " lifetime {}s, domain(s):", d.lifetime);
            for name in d.domains.iter() {
                let text = name.to_string();
                if text == "." {
                    s.push_str(" .");
                } else {
                    let _ = write!(s, " {text}.");
                }
            }
        }
        NdOption::CaptivePortal(c) => {
            let _ = write!(s, " {}", String::from_utf8_lossy(c.uri()));
        }
        NdOption::Pref64(p) => {
            match p.length {
                Pref64Length::Unknown(code) => {
                    let _ = write!(s, " {}/(PLC {code})", p.prefix);
                }
                other => {
                    let _ = write!(s, " {}/{}", p.prefix, other.bits().unwrap_or(0));
                }
            }
            let _ = write!(s, ", lifetime {}s", p.lifetime_secs());
        }
        NdOption::Nonce(n) => {
            let _ = write!(s, " {}", super::hex(n.as_bytes()));
        }
    }
    s
}

/// The message type's name as tcpdump prints it (`router advertisement`, …).
pub fn type_name(repr: &Repr<'_>) -> &'static str {
    match repr.msg_type() {
        sixconf_core::wire::icmpv6::Message::RouterSolicit => "router solicitation",
        sixconf_core::wire::icmpv6::Message::RouterAdvert => "router advertisement",
        sixconf_core::wire::icmpv6::Message::NeighborSolicit => "neighbor solicitation",
        sixconf_core::wire::icmpv6::Message::NeighborAdvert => "neighbor advertisement",
        sixconf_core::wire::icmpv6::Message::Redirect => "redirect",
        _ => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sixconf_core::wire::icmpv6;

    fn parse(hex: &str) -> Vec<u8> {
        crate::hex::parse_hex(hex).unwrap()
    }

    /// The seed's SLAAC RA, as tcpdump printed it (4.99 wording for the timers).
    #[test]
    fn seed_slaac_ra_reads_like_tcpdump() {
        let b = parse(
            "8600d68e4000001e0000000000000000030440c000015180000038400000000020010db8cafe\
             000000000000000000000101fa163ec317b4",
        );
        let repr = Repr::parse(&icmpv6::Packet::new_checked(&b[..]).unwrap()).unwrap();
        assert_eq!(
            verbose(&repr),
            "ICMP6, router advertisement, length 56\n\
             \thop limit 64, Flags [none], pref medium, router lifetime 30s, reachable time 0ms, \
             retrans timer 0ms\n\
             \t  prefix info option (3), length 32 (4): 2001:db8:cafe::/64, Flags [onlink, auto], \
             valid time 86400s, pref. time 14400s\n\
             \t    0x0000:  40c0 0001 5180 0000 3840 0000 0000 2001\n\
             \t    0x0010:  0db8 cafe 0000 0000 0000 0000 0000\n\
             \t  source link-address option (1), length 8 (1): fa:16:3e:c3:17:b4\n\
             \t    0x0000:  fa16 3ec3 17b4"
        );
    }

    #[test]
    fn built_messages_print_their_emitted_bytes() {
        let mac_bytes = [2, 0, 0, 0, 0, 1];
        let options = [
            NdOption::Mtu(1500),
            NdOption::SourceLinkLayerAddress(ndisc::option::LinkLayerAddress::new(&mac_bytes)),
        ];
        let repr = Repr::RouterSolicit(ndisc::RouterSolicitRepr {
            options: OptionsRepr::List(&options),
        });
        assert_eq!(
            verbose(&repr),
            "ICMP6, router solicitation, length 24\n\
             \t  mtu option (5), length 8 (1):  1500\n\
             \t    0x0000:  0000 0000 05dc\n\
             \t  source link-address option (1), length 8 (1): 02:00:00:00:00:01\n\
             \t    0x0000:  0200 0000 0001"
        );
    }
}
