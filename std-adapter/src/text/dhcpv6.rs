//! DHCPv6 messages as tcpdump 4.99 prints them (`print-dhcp6.c`, with `-v`), and a verbose tree
//! with every field.
//!
//! ```
//! use sixconf::text;
//! use sixconf_core::wire::dhcpv6;
//!
//! // The seed's stateless Information-request.
//! let bytes = sixconf::hex::parse_hex(
//!     "0bd2dbc80001000a00030001fa163efed15700060008001700180027001f00080002005e",
//! ).unwrap();
//! let repr = dhcpv6::Repr::parse(&bytes).unwrap();
//! assert_eq!(
//!     text::dhcpv6::summary(&repr),
//!     "dhcp6 inf-req (xid=d2dbc8 (client-ID hwaddr type 1 fa163efed157) (option-request \
//!      DNS-server DNS-search-list Client-FQDN SNTP-servers) (elapsed-time 94))"
//! );
//! ```

use std::fmt::Write as _;

use sixconf_core::wire::dhcpv6::option::{DhcpOption, NtpSuboption, Options, RawOption};
use sixconf_core::wire::dhcpv6::{MessageType, Repr};

use super::{hex, mac};

/// tcpdump's name for a message type (`solicit`, `inf-req`, `relay-fwd`, …).
pub fn type_name(t: MessageType) -> String {
    match t {
        MessageType::Solicit => "solicit".into(),
        MessageType::Advertise => "advertise".into(),
        MessageType::Request => "request".into(),
        MessageType::Confirm => "confirm".into(),
        MessageType::Renew => "renew".into(),
        MessageType::Rebind => "rebind".into(),
        MessageType::Reply => "reply".into(),
        MessageType::Release => "release".into(),
        MessageType::Decline => "decline".into(),
        MessageType::Reconfigure => "reconfigure".into(),
        MessageType::InformationRequest => "inf-req".into(),
        MessageType::RelayForw => "relay-fwd".into(),
        MessageType::RelayRepl => "relay-reply".into(),
        MessageType::Unknown(n) => format!("msgtype-{n}"),
    }
}

/// tcpdump's name for an option code (`client-ID`, `IA_NA`, …; `opt_N` for codes it does not
/// know).
pub fn option_name(code: u16) -> String {
    use sixconf_core::wire::dhcpv6::OptionCode;
    match code {
        21 => "SIP-servers-domain".into(),
        22 => "SIP-servers-address".into(),
        37 => "Remote-ID".into(),
        38 => "Subscriber-ID".into(),
        64 => "AFTR-Name".into(),
        27 => "NIS-server".into(),
        28 => "NIS+-server".into(),
        29 => "NIS-domain-name".into(),
        30 => "NIS+-domain-name".into(),
        43 => "ERO".into(),
        _ => match OptionCode::from(code) {
            OptionCode::Unknown(n) => format!("opt_{n}"),
            known => known.name().into(),
        },
    }
}

/// tcpdump's name for a status code (`Success`, `NoAddrsAvail`, …).
pub fn status_name(code: u16) -> String {
    match code {
        0 => "Success".into(),
        1 => "UnspecFail".into(),
        2 => "NoAddrsAvail".into(),
        3 => "NoBinding".into(),
        4 => "NotOnLink".into(),
        5 => "UseMulticast".into(),
        6 => "NoPrefixAvail".into(),
        7 => "UnknownQueryType".into(),
        8 => "MalformedQuery".into(),
        9 => "NotConfigured".into(),
        10 => "NotAllowed".into(),
        n => format!("code{n}"),
    }
}

/// One line, as `tcpdump -v` prints a DHCPv6 message: `dhcp6 solicit (xid=85680b (client-ID …)
/// (IA_NA IAID:1 T1:3600 T2:5400))`; a relay message as `dhcp6 relay-fwd (linkaddr=…
/// peeraddr=… (relay-message (dhcp6 solicit (…))))`.
pub fn summary(repr: &Repr<'_>) -> String {
    let mut s = String::new();
    match repr {
        Repr::Message(m) => {
            let _ = write!(
                s,
                "dhcp6 {} (xid={:x}",
                type_name(m.msg_type),
                m.transaction_id
            );
            options_summary(&mut s, &m.options);
            s.push(')');
        }
        Repr::Relayed(chain) => {
            let r = chain.outer();
            let _ = write!(
                s,
                "dhcp6 {} (linkaddr={} peeraddr={}",
                type_name(r.msg_type),
                r.link_address,
                r.peer_address
            );
            options_summary(&mut s, &r.options);
            s.push(')');
        }
    }
    s
}

/// The options in tcpdump's form, each as ` (name …)`.
fn options_summary(s: &mut String, options: &Options<'_>) {
    for raw in options.raw().flatten() {
        option_summary(s, raw);
    }
}

fn option_summary(s: &mut String, raw: RawOption<'_>) {
    let data = raw.data;
    let _ = write!(s, " ({}", option_name(raw.code));
    if raw.ignored_by_rfc().is_some() {
        s.push_str(&ignored_summary(&raw));
        s.push_str(" [ignored])");
        return;
    }
    let Ok(option) = DhcpOption::parse_lenient(raw) else {
        s.push_str(" ?)");
        return;
    };
    match option {
        DhcpOption::ClientId(d) | DhcpOption::ServerId(d) => {
            let b = d.as_bytes();
            let be16 = |at: usize| {
                b.get(at..at + 2)
                    .map_or(0, |x| u16::from_be_bytes([x[0], x[1]]))
            };
            match d.duid_type() {
                1 if b.len() >= 8 => {
                    let time = b
                        .get(4..8)
                        .map_or(0, |x| u32::from_be_bytes([x[0], x[1], x[2], x[3]]));
                    let _ = write!(
                        s,
                        " hwaddr/time type {} time {time} {}",
                        be16(2),
                        hex(b.get(8..).unwrap_or(&[]))
                    );
                }
                2 if b.len() >= 10 => {
                    let _ = write!(s, " vid {}", hex(b.get(2..10).unwrap_or(&[])));
                }
                3 if b.len() >= 4 => {
                    let _ = write!(
                        s,
                        " hwaddr type {} {}",
                        be16(2),
                        hex(b.get(4..).unwrap_or(&[]))
                    );
                }
                1..=3 => s.push_str(" ?"),
                t => {
                    let _ = write!(s, " type {t}");
                }
            }
        }
        DhcpOption::IaNa(ia) => {
            let _ = write!(s, " IAID:{} T1:{} T2:{}", ia.iaid, ia.t1, ia.t2);
            options_summary(s, &ia.options);
        }
        DhcpOption::IaPd(ia) => {
            let _ = write!(s, " IAID:{} T1:{} T2:{}", ia.iaid, ia.t1, ia.t2);
            options_summary(s, &ia.options);
        }
        DhcpOption::IaTa(ia) => {
            let _ = write!(s, " IAID:{}", ia.iaid);
            options_summary(s, &ia.options);
        }
        DhcpOption::IaAddr(a) => {
            let _ = write!(
                s,
                " {} pltime:{} vltime:{}",
                a.address, a.preferred_lifetime, a.valid_lifetime
            );
            options_summary(s, &a.options);
        }
        DhcpOption::IaPrefix(p) => {
            let _ = write!(
                s,
                " {}/{} pltime:{} vltime:{}",
                p.prefix, p.prefix_len, p.preferred_lifetime, p.valid_lifetime
            );
            options_summary(s, &p.options);
        }
        DhcpOption::Oro(list) => {
            for code in list.iter() {
                let _ = write!(s, " {}", option_name(u16::from(code)));
            }
        }
        DhcpOption::Preference(v) => {
            let _ = write!(s, " {v}");
        }
        DhcpOption::ElapsedTime(v) => {
            let _ = write!(s, " {v}");
        }
        DhcpOption::RelayMessage(inner) => {
            s.push_str(" (");
            match Repr::parse_lenient(inner) {
                Ok(inner) => s.push_str(&summary(&inner)),
                Err(_) => s.push('?'),
            }
            s.push(')');
        }
        DhcpOption::Authentication(a) => auth_summary(s, &a),
        DhcpOption::ServerUnicast(a) => {
            let _ = write!(s, " {a}");
        }
        DhcpOption::StatusCode(st) => {
            let _ = write!(s, " {}", status_name(u16::from(st.code)));
        }
        DhcpOption::InterfaceId(b) | DhcpOption::SubscriberId(b) => {
            let _ = write!(s, " {}...", hex(b.get(..10).unwrap_or(b)));
        }
        DhcpOption::RemoteId(r) => {
            let b = r.remote_id;
            let _ = write!(
                s,
                " {} {}...",
                r.enterprise_number,
                hex(b.get(..10).unwrap_or(b))
            );
        }
        DhcpOption::ReconfigureMessage(t) => match t {
            MessageType::Renew => s.push_str(" for renew"),
            MessageType::InformationRequest => s.push_str(" for inf-req"),
            MessageType::Rebind => s.push_str(" for rebind"),
            other => {
                let _ = write!(s, " for ???({:02x})", u8::from(other));
            }
        },
        DhcpOption::DnsServers(a) | DhcpOption::SntpServers(a) => {
            for addr in a.iter() {
                let _ = write!(s, " {addr}");
            }
        }
        DhcpOption::DomainList(l) => {
            for name in l.iter() {
                let _ = write!(s, " {}", dotted_fqdn(&name.to_string()));
            }
        }
        DhcpOption::InformationRefreshTime(v) => {
            let _ = write!(s, " {v}");
        }
        DhcpOption::NtpServer(n) => {
            for sub in n.iter() {
                match sub {
                    NtpSuboption::ServerAddress(a) => {
                        let _ = write!(s, " subopt:1 {a}");
                    }
                    NtpSuboption::MulticastAddress(a) => {
                        let _ = write!(s, " subopt:2 {a}");
                    }
                    NtpSuboption::ServerFqdn(name) => {
                        let _ = write!(s, " subopt:3 {}", dotted_fqdn(&name.to_string()));
                    }
                    NtpSuboption::Unknown { code, .. } => {
                        let _ = write!(s, " subopt:{code} ?");
                    }
                }
            }
        }
        // tcpdump 4.99 has no name and no content for these three (`(opt_82)`): sixconf
        // prints both, in tcpdump's manner.
        DhcpOption::SolMaxRt(v) | DhcpOption::InfMaxRt(v) => {
            let _ = write!(s, " {v}");
        }
        DhcpOption::ClientLinkLayerAddress(c) => {
            let _ = write!(s, " type {} {}", c.link_layer_type, hex(c.address));
        }
        DhcpOption::PrefixExclude(p) => {
            let _ = write!(s, " /{} {}", p.prefix_len, hex(p.subnet_id));
        }
        // tcpdump prints the name only for these.
        DhcpOption::RapidCommit
        | DhcpOption::ReconfigureAccept
        | DhcpOption::UserClass(_)
        | DhcpOption::VendorClass(_)
        | DhcpOption::VendorOpts(_)
        | DhcpOption::ClientFqdn(_)
        | DhcpOption::Unknown { .. } => {}
    }
    let _ = data;
    s.push(')');
}

/// The fields of an option a receiver ignores (`RawOption::ignored_by_rfc`), as tcpdump would
/// print them.
fn ignored_summary(raw: &RawOption<'_>) -> String {
    let d = raw.data;
    let word = |at: usize| {
        d.get(at..at + 4)
            .map_or(0, |b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    };
    let address = |at: usize| {
        d.get(at..at + 16)
            .and_then(|b| <[u8; 16]>::try_from(b).ok())
            .map_or_else(
                || "?".to_string(),
                |b| std::net::Ipv6Addr::from(b).to_string(),
            )
    };
    match raw.code {
        5 => format!(" {} pltime:{} vltime:{}", address(0), word(16), word(20)),
        26 => format!(
            " {}/{} pltime:{} vltime:{}",
            address(9),
            d.get(8).copied().unwrap_or(0),
            word(0),
            word(4)
        ),
        _ => format!(" {}", word(0)),
    }
}

/// tcpdump's Authentication option (RFC 9915 §21.11).
fn auth_summary(s: &mut String, a: &sixconf_core::wire::dhcpv6::option::Authentication<'_>) {
    match a.protocol() {
        2 => s.push_str(" proto: delayed"),
        3 => s.push_str(" proto: reconfigure"),
        p => {
            let _ = write!(s, " proto: {p}");
        }
    }
    match a.algorithm() {
        1 => s.push_str(", alg: HMAC-MD5"),
        n => {
            let _ = write!(s, ", alg: {n}");
        }
    }
    match a.rdm() {
        0 => s.push_str(", RDM: mono"),
        n => {
            let _ = write!(s, ", RDM: {n}");
        }
    }
    s.push_str(", RD:");
    for pair in a.replay_detection().to_be_bytes().chunks(2) {
        let _ = write!(
            s,
            " {:02x}{:02x}",
            pair[0],
            pair.get(1).copied().unwrap_or(0)
        );
    }
    let info = a.info();
    match a.protocol() {
        3 if info.len() == 17 => {
            match info.first() {
                Some(1) => s.push_str(" reconfig-key"),
                Some(2) => s.push_str(" type: HMAC-MD5"),
                _ => s.push_str(" type: ??"),
            }
            s.push_str(" value:");
            for word in info.get(1..).unwrap_or(&[]).chunks(4) {
                let _ = write!(s, " {}", hex(word));
            }
        }
        2 if info.is_empty() => {}
        _ => s.push_str(" ??"),
    }
}

/// A name as tcpdump's `fqdn_print` shows it: with the trailing dot.
fn dotted_fqdn(name: &str) -> String {
    if name == "." {
        ".".into()
    } else {
        format!("{name}.")
    }
}

/// The [`summary`] line, then one line per option with every field, two spaces of indent per
/// nesting level (relay layers included):
///
/// ```text
/// dhcp6 reply (xid=d2dbc8 …)
///   reply (7), transaction-id 0xd2dbc8
///   client-ID (1), length 10: DUID-LL hardware type 1, link-layer address fa:16:3e:fe:d1:57
///   …
/// ```
pub fn verbose(repr: &Repr<'_>) -> String {
    let mut s = summary(repr);
    message_tree(&mut s, repr, 1);
    s
}

fn message_tree(s: &mut String, repr: &Repr<'_>, depth: usize) {
    let pad = "  ".repeat(depth);
    match repr {
        Repr::Message(m) => {
            let _ = write!(
                s,
                "\n{pad}{} ({}), transaction-id 0x{:06x}",
                m.msg_type.name().to_ascii_lowercase(),
                u8::from(m.msg_type),
                m.transaction_id
            );
            options_tree(s, &m.options, depth);
        }
        Repr::Relayed(chain) => {
            let r = chain.outer();
            let _ = write!(
                s,
                "\n{pad}{} ({}), hop-count {}, link-address {}, peer-address {}",
                r.msg_type.name().to_ascii_lowercase(),
                u8::from(r.msg_type),
                r.hop_count,
                r.link_address,
                r.peer_address
            );
            options_tree(s, &r.options, depth);
        }
    }
}

fn options_tree(s: &mut String, options: &Options<'_>, depth: usize) {
    for raw in options.raw().flatten() {
        option_tree(s, raw, depth);
    }
}

fn lifetime(secs: u32) -> String {
    if secs == u32::MAX {
        "infinity".into()
    } else {
        format!("{secs}s")
    }
}

fn option_tree(s: &mut String, raw: RawOption<'_>, depth: usize) {
    let pad = "  ".repeat(depth);
    let _ = write!(
        s,
        "\n{pad}{} ({}), length {}",
        option_name(raw.code),
        raw.code,
        raw.data.len()
    );
    if let Some(reason) = raw.ignored_by_rfc() {
        let _ = write!(s, ": ignored ({reason}):{}", ignored_summary(&raw));
        return;
    }
    let option = match DhcpOption::parse_lenient(raw) {
        Ok(o) => o,
        Err(e) => {
            let _ = write!(s, ": invalid ({e}): {}", hex(raw.data));
            return;
        }
    };
    s.push_str(": ");
    match option {
        DhcpOption::ClientId(d) | DhcpOption::ServerId(d) => {
            use sixconf_core::wire::dhcpv6::DuidKind;
            match d.kind() {
                DuidKind::Llt {
                    hardware_type,
                    time,
                    link_layer_address,
                } => {
                    let _ = write!(
                        s,
                        "DUID-LLT hardware type {hardware_type}, time {time}, link-layer address {}",
                        mac(link_layer_address)
                    );
                }
                DuidKind::En {
                    enterprise_number,
                    identifier,
                } => {
                    let _ = write!(
                        s,
                        "DUID-EN enterprise {enterprise_number}, identifier {}",
                        hex(identifier)
                    );
                }
                DuidKind::Ll {
                    hardware_type,
                    link_layer_address,
                } => {
                    let _ = write!(
                        s,
                        "DUID-LL hardware type {hardware_type}, link-layer address {}",
                        mac(link_layer_address)
                    );
                }
                DuidKind::Uuid(u) => {
                    let _ = write!(s, "DUID-UUID {}", hex(&u));
                }
                DuidKind::Other { duid_type, data } => {
                    let _ = write!(s, "DUID type {duid_type}, {}", hex(data));
                }
            }
        }
        DhcpOption::IaNa(ia) => {
            let _ = write!(s, "IAID {}, T1 {}s, T2 {}s", ia.iaid, ia.t1, ia.t2);
            options_tree(s, &ia.options, depth + 1);
        }
        DhcpOption::IaPd(ia) => {
            let _ = write!(s, "IAID {}, T1 {}s, T2 {}s", ia.iaid, ia.t1, ia.t2);
            options_tree(s, &ia.options, depth + 1);
        }
        DhcpOption::IaTa(ia) => {
            let _ = write!(s, "IAID {}", ia.iaid);
            options_tree(s, &ia.options, depth + 1);
        }
        DhcpOption::IaAddr(a) => {
            let _ = write!(
                s,
                "{}, preferred lifetime {}, valid lifetime {}",
                a.address,
                lifetime(a.preferred_lifetime),
                lifetime(a.valid_lifetime)
            );
            options_tree(s, &a.options, depth + 1);
        }
        DhcpOption::IaPrefix(p) => {
            let _ = write!(
                s,
                "{}/{}, preferred lifetime {}, valid lifetime {}",
                p.prefix,
                p.prefix_len,
                lifetime(p.preferred_lifetime),
                lifetime(p.valid_lifetime)
            );
            options_tree(s, &p.options, depth + 1);
        }
        DhcpOption::PrefixExclude(p) => {
            let _ = write!(s, "/{}, subnet-id {}", p.prefix_len, hex(p.subnet_id));
        }
        DhcpOption::Oro(list) => {
            let names: Vec<String> = list
                .iter()
                .map(|c| format!("{} ({})", option_name(u16::from(c)), u16::from(c)))
                .collect();
            s.push_str(&names.join(", "));
        }
        DhcpOption::Preference(v) => {
            let _ = write!(s, "{v}");
        }
        DhcpOption::ElapsedTime(v) => {
            let _ = write!(s, "{v} (hundredths of a second)");
        }
        DhcpOption::RelayMessage(inner) => match Repr::parse_lenient(inner) {
            Ok(inner) => message_tree(s, &inner, depth + 1),
            Err(e) => {
                let _ = write!(s, "invalid ({e})");
            }
        },
        DhcpOption::Authentication(a) => {
            let _ = write!(
                s,
                "protocol {}, algorithm {}, RDM {}, replay detection {}, information {}",
                a.protocol(),
                a.algorithm(),
                a.rdm(),
                a.replay_detection(),
                hex(a.info())
            );
        }
        DhcpOption::ServerUnicast(a) => {
            let _ = write!(s, "{a}");
        }
        DhcpOption::StatusCode(st) => {
            let _ = write!(
                s,
                "{} ({}) \"{}\"",
                status_name(u16::from(st.code)),
                u16::from(st.code),
                String::from_utf8_lossy(st.message).escape_debug()
            );
        }
        DhcpOption::RapidCommit | DhcpOption::ReconfigureAccept => s.push_str("(no data)"),
        DhcpOption::UserClass(c) => {
            let items: Vec<String> = c.iter().map(hex).collect();
            s.push_str(&items.join(", "));
        }
        DhcpOption::VendorClass(c) => {
            let items: Vec<String> = c.data.iter().map(hex).collect();
            let _ = write!(
                s,
                "enterprise {}, {}",
                c.enterprise_number,
                items.join(", ")
            );
        }
        DhcpOption::VendorOpts(v) => {
            let _ = write!(s, "enterprise {}", v.enterprise_number);
            for (code, data) in v.iter() {
                let _ = write!(s, ", {code}: {}", hex(data));
            }
        }
        DhcpOption::InterfaceId(b) | DhcpOption::SubscriberId(b) => s.push_str(&hex(b)),
        DhcpOption::RemoteId(r) => {
            let _ = write!(
                s,
                "enterprise {}, {}",
                r.enterprise_number,
                hex(r.remote_id)
            );
        }
        DhcpOption::ReconfigureMessage(t) => {
            let _ = write!(s, "{}", t.name().to_ascii_lowercase());
        }
        DhcpOption::DnsServers(a) | DhcpOption::SntpServers(a) => {
            let list: Vec<String> = a.iter().map(|x| x.to_string()).collect();
            s.push_str(&list.join(", "));
        }
        DhcpOption::DomainList(l) => {
            let list: Vec<String> = l.iter().map(|n| n.to_string()).collect();
            s.push_str(&list.join(", "));
        }
        DhcpOption::InformationRefreshTime(v) => s.push_str(&lifetime(v)),
        DhcpOption::ClientFqdn(f) => {
            let _ = write!(
                s,
                "flags 0x{:02x} [{}{}{}], \"{}\"",
                f.flags,
                if f.s() { "S" } else { "" },
                if f.o() { "O" } else { "" },
                if f.n() { "N" } else { "" },
                f.name
            );
        }
        DhcpOption::NtpServer(n) => {
            let list: Vec<String> = n.iter().map(|x| x.to_string()).collect();
            s.push_str(&list.join(", "));
        }
        DhcpOption::ClientLinkLayerAddress(c) => {
            let _ = write!(
                s,
                "link-layer type {}, {}",
                c.link_layer_type,
                mac(c.address)
            );
        }
        DhcpOption::SolMaxRt(v) | DhcpOption::InfMaxRt(v) => {
            let _ = write!(s, "{v}s");
        }
        DhcpOption::Unknown { data, .. } => s.push_str(&hex(data)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(hex: &str) -> Vec<u8> {
        crate::hex::parse_hex(hex).unwrap()
    }

    /// The seed's stateful Solicit: tcpdump's line, word for word.
    #[test]
    fn seed_solicit_reads_like_tcpdump() {
        let b = bytes(
            "0185680b0001000e000100011cc18c25fa163e22386b00060008001700180027001f\
             0008000200650003000c3e22386b00000e1000001518",
        );
        let repr = Repr::parse(&b).unwrap();
        assert_eq!(
            summary(&repr),
            "dhcp6 solicit (xid=85680b (client-ID hwaddr/time type 1 time 482446373 \
             fa163e22386b) (option-request DNS-server DNS-search-list Client-FQDN SNTP-servers) \
             (elapsed-time 101) (IA_NA IAID:1042430059 T1:3600 T2:5400))"
        );
        let v = verbose(&repr);
        assert!(
            v.contains(
                "\n  client-ID (1), length 14: DUID-LLT hardware type 1, time 482446373, \
                 link-layer address fa:16:3e:22:38:6b"
            ),
            "{v}"
        );
        assert!(
            v.contains("\n  IA_NA (3), length 12: IAID 1042430059, T1 3600s, T2 5400s"),
            "{v}"
        );
    }
}
