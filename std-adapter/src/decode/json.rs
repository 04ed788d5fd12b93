//! `sixconf decode --json`: one JSON object per message, with the names and value forms of
//! `std-adapter/tests/fixtures/SCHEMA.md` (snake_case after the RFC fields; addresses as RFC 5952
//! text, MAC addresses as `52:54:00:12:34:56`, opaque bytes as lowercase hex, integers as
//! numbers, DNS names without the trailing dot).

use serde_json::{json, Map, Value};
use sixconf_core::wire::dhcpv6::option::{DhcpOption, NtpSuboption, Options, RawOption};
use sixconf_core::wire::dhcpv6::{self, DuidKind, MessageType};
use sixconf_core::wire::ndisc::{self, NdOption, RouterPreference};
use sixconf_core::wire::{icmpv6, Error};

use crate::text::{hex, mac};

/// The ND object of SCHEMA.md for a decoded message; `bytes` are the message's (for the
/// checksum field and the options' Length fields); `checksum_valid` is added when known.
pub fn nd(bytes: &[u8], repr: &ndisc::Repr<'_>, checksum_valid: Option<bool>) -> Value {
    let packet = icmpv6::Packet::new_unchecked(bytes);
    let mut o = Map::new();
    o.insert("type".into(), json!(bytes.first().copied().unwrap_or(0)));
    o.insert("code".into(), json!(bytes.get(1).copied().unwrap_or(0)));
    o.insert(
        "checksum".into(),
        json!(if bytes.len() >= 4 {
            packet.checksum()
        } else {
            0
        }),
    );
    if let Some(valid) = checksum_valid {
        o.insert("checksum_valid".into(), json!(valid));
    }
    match repr {
        ndisc::Repr::RouterSolicit(_) => {}
        ndisc::Repr::RouterAdvert(ra) => {
            o.insert("cur_hop_limit".into(), json!(ra.cur_hop_limit));
            o.insert("managed".into(), json!(ra.managed));
            o.insert("other".into(), json!(ra.other));
            o.insert("home_agent".into(), json!(ra.home_agent));
            o.insert(
                "router_preference".into(),
                json!(preference(ra.router_preference)),
            );
            o.insert("proxy".into(), json!(ra.proxy));
            o.insert("router_lifetime".into(), json!(ra.router_lifetime));
            o.insert("reachable_time".into(), json!(ra.reachable_time));
            o.insert("retrans_timer".into(), json!(ra.retrans_timer));
        }
        ndisc::Repr::NeighborSolicit(ns) => {
            o.insert("target_address".into(), json!(ns.target.to_string()));
        }
        ndisc::Repr::NeighborAdvert(na) => {
            o.insert("router".into(), json!(na.router_flag));
            o.insert("solicited".into(), json!(na.solicited_flag));
            o.insert("override".into(), json!(na.override_flag));
            o.insert("target_address".into(), json!(na.target.to_string()));
        }
        ndisc::Repr::Redirect(r) => {
            o.insert("target_address".into(), json!(r.target.to_string()));
            o.insert(
                "destination_address".into(),
                json!(r.destination.to_string()),
            );
        }
    }
    let options: Vec<Value> = crate::text::nd::options_with_bytes(repr.options())
        .iter()
        .map(|(option, raw)| match option {
            Ok(option) => nd_option(option, raw),
            Err(e) => json!({
                "type": raw.first().copied().unwrap_or(0),
                "length": raw.get(1).copied().unwrap_or(0),
                "ignored": e.to_string(),
                "data": hex(raw.get(2..).unwrap_or(&[])),
            }),
        })
        .collect();
    o.insert("options".into(), Value::Array(options));
    Value::Object(o)
}

/// `"high"`, `"medium"`, `"low"`, `"reserved"` (RFC 4191 §2.1).
fn preference(p: RouterPreference) -> &'static str {
    match p {
        RouterPreference::High => "high",
        RouterPreference::Medium => "medium",
        RouterPreference::Low => "low",
        RouterPreference::Reserved => "reserved",
    }
}

fn nd_option(option: &NdOption<'_>, raw: &[u8]) -> Value {
    let mut o = Map::new();
    o.insert("type".into(), json!(raw.first().copied().unwrap_or(0)));
    o.insert("length".into(), json!(raw.get(1).copied().unwrap_or(0)));
    let after_header = raw.get(2..).unwrap_or(&[]);
    match option {
        NdOption::SourceLinkLayerAddress(l) | NdOption::TargetLinkLayerAddress(l) => {
            o.insert("address".into(), json!(mac(l.as_bytes())));
        }
        NdOption::PrefixInformation(p) => {
            o.insert("prefix_length".into(), json!(p.prefix_len));
            o.insert("on_link".into(), json!(p.on_link));
            o.insert("autonomous".into(), json!(p.autonomous));
            o.insert("router_address".into(), json!(p.router_address));
            o.insert("pd_preferred".into(), json!(p.pd_preferred));
            o.insert("valid_lifetime".into(), json!(p.valid_lifetime));
            o.insert("preferred_lifetime".into(), json!(p.preferred_lifetime));
            o.insert("prefix".into(), json!(p.prefix.to_string()));
        }
        NdOption::RedirectedHeader(r) => {
            o.insert("data".into(), json!(hex(r.data())));
        }
        NdOption::Mtu(mtu) => {
            o.insert("mtu".into(), json!(mtu));
        }
        NdOption::RouteInformation(r) => {
            o.insert("prefix_length".into(), json!(r.prefix_len));
            o.insert("route_preference".into(), json!(preference(r.preference)));
            o.insert("lifetime".into(), json!(r.route_lifetime));
            o.insert("prefix".into(), json!(r.prefix.to_string()));
        }
        NdOption::Rdnss(r) => {
            o.insert("lifetime".into(), json!(r.lifetime));
            let servers: Vec<String> = r.servers.iter().map(|a| a.to_string()).collect();
            o.insert("servers".into(), json!(servers));
        }
        NdOption::Dnssl(d) => {
            o.insert("lifetime".into(), json!(d.lifetime));
            let domains: Vec<String> = d.domains.iter().map(|n| n.to_string()).collect();
            o.insert("domains".into(), json!(domains));
        }
        NdOption::CaptivePortal(c) => {
            o.insert("uri".into(), json!(String::from_utf8_lossy(c.uri())));
        }
        NdOption::Pref64(p) => {
            o.insert("lifetime".into(), json!(p.lifetime_secs()));
            o.insert("scaled_lifetime".into(), json!(p.scaled_lifetime));
            o.insert("plc".into(), json!(p.length.code()));
            match p.length.bits() {
                Some(bits) => o.insert("prefix_length".into(), json!(bits)),
                None => o.insert("prefix_length".into(), Value::Null),
            };
            o.insert("prefix".into(), json!(p.prefix.to_string()));
        }
        NdOption::Nonce(n) => {
            o.insert("nonce".into(), json!(hex(n.as_bytes())));
        }
        NdOption::Unknown { .. } => {
            o.insert("data".into(), json!(hex(after_header)));
        }
    }
    Value::Object(o)
}

/// RFC 8415 §7.3 names in lowercase (`"solicit"`, `"information-request"`, `"relay-forw"`).
pub fn msg_type_name(t: MessageType) -> String {
    match t {
        MessageType::Unknown(n) => format!("unknown-{n}"),
        known => known.name().to_ascii_lowercase(),
    }
}

/// SCHEMA.md's option `name`: IANA's `OPTION_*` name without the prefix, lowercased, `_` → `-`.
pub fn option_name(code: u16) -> &'static str {
    match code {
        1 => "clientid",
        2 => "serverid",
        3 => "ia-na",
        4 => "ia-ta",
        5 => "iaaddr",
        6 => "oro",
        7 => "preference",
        8 => "elapsed-time",
        9 => "relay-msg",
        11 => "auth",
        12 => "unicast",
        13 => "status-code",
        14 => "rapid-commit",
        15 => "user-class",
        16 => "vendor-class",
        17 => "vendor-opts",
        18 => "interface-id",
        19 => "reconf-msg",
        20 => "reconf-accept",
        23 => "dns-servers",
        24 => "domain-list",
        25 => "ia-pd",
        26 => "iaprefix",
        31 => "sntp-servers",
        32 => "information-refresh-time",
        37 => "remote-id",
        38 => "subscriber-id",
        39 => "client-fqdn",
        56 => "ntp-server",
        67 => "pd-exclude",
        79 => "client-linklayer-addr",
        82 => "sol-max-rt",
        83 => "inf-max-rt",
        _ => "unknown",
    }
}

/// The DHCPv6 message object of SCHEMA.md for `bytes`, a whole UDP payload; relay layers are
/// nested through their Relay Message option's `relay_message`.
pub fn dhcpv6(bytes: &[u8]) -> Result<Value, Error> {
    let repr = dhcpv6::Repr::parse_lenient(bytes)?;
    Ok(dhcpv6_repr(&repr))
}

/// [`dhcpv6()`] for an already decoded message.
pub fn dhcpv6_repr(repr: &dhcpv6::Repr<'_>) -> Value {
    let mut o = Map::new();
    match repr {
        dhcpv6::Repr::Message(m) => {
            o.insert("msg_type".into(), json!(msg_type_name(m.msg_type)));
            o.insert("transaction_id".into(), json!(m.transaction_id));
            o.insert("options".into(), options(&m.options));
        }
        dhcpv6::Repr::Relayed(chain) => {
            let r = chain.outer();
            o.insert("msg_type".into(), json!(msg_type_name(r.msg_type)));
            o.insert("hop_count".into(), json!(r.hop_count));
            o.insert("link_address".into(), json!(r.link_address.to_string()));
            o.insert("peer_address".into(), json!(r.peer_address.to_string()));
            o.insert("options".into(), options(&r.options));
        }
    }
    Value::Object(o)
}

fn options(options: &Options<'_>) -> Value {
    Value::Array(options.raw().flatten().map(option).collect())
}

fn option(raw: RawOption<'_>) -> Value {
    let mut o = Map::new();
    o.insert("code".into(), json!(raw.code));
    o.insert("name".into(), json!(option_name(raw.code)));
    o.insert("length".into(), json!(raw.data.len()));
    if let Some(reason) = raw.ignored_by_rfc() {
        // Kept by the lenient decode, ignored by a receiver: its fields, and why.
        let d = raw.data;
        let word = |at: usize| {
            d.get(at..at + 4)
                .map_or(0, |b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
        };
        let address = |at: usize| {
            d.get(at..at + 16)
                .and_then(|b| <[u8; 16]>::try_from(b).ok())
                .map(|b| std::net::Ipv6Addr::from(b).to_string())
        };
        match raw.code {
            82 => {
                o.insert("sol_max_rt".into(), json!(word(0)));
            }
            83 => {
                o.insert("inf_max_rt".into(), json!(word(0)));
            }
            5 => {
                o.insert("address".into(), json!(address(0)));
                o.insert("preferred_lifetime".into(), json!(word(16)));
                o.insert("valid_lifetime".into(), json!(word(20)));
            }
            26 => {
                o.insert("preferred_lifetime".into(), json!(word(0)));
                o.insert("valid_lifetime".into(), json!(word(4)));
                o.insert(
                    "prefix_length".into(),
                    json!(d.get(8).copied().unwrap_or(0)),
                );
                o.insert("prefix".into(), json!(address(9)));
            }
            _ => {}
        }
        o.insert("ignored".into(), json!(reason));
        o.insert("data".into(), json!(hex(d)));
        return Value::Object(o);
    }
    let parsed = match DhcpOption::parse_lenient(raw) {
        Ok(p) => p,
        Err(e) => {
            // Cannot happen after a (lenient) parse; shown rather than hidden if it does.
            o.insert("invalid".into(), json!(e.to_string()));
            o.insert("data".into(), json!(hex(raw.data)));
            return Value::Object(o);
        }
    };
    match parsed {
        DhcpOption::ClientId(d) | DhcpOption::ServerId(d) => {
            let mut duid = Map::new();
            duid.insert("raw".into(), json!(hex(d.as_bytes())));
            duid.insert("duid_type".into(), json!(d.duid_type()));
            match d.kind() {
                DuidKind::Llt {
                    hardware_type,
                    time,
                    link_layer_address,
                } => {
                    duid.insert("hardware_type".into(), json!(hardware_type));
                    duid.insert("time".into(), json!(time));
                    duid.insert("link_layer_address".into(), json!(mac(link_layer_address)));
                }
                DuidKind::En {
                    enterprise_number,
                    identifier,
                } => {
                    duid.insert("enterprise_number".into(), json!(enterprise_number));
                    duid.insert("identifier".into(), json!(hex(identifier)));
                }
                DuidKind::Ll {
                    hardware_type,
                    link_layer_address,
                } => {
                    duid.insert("hardware_type".into(), json!(hardware_type));
                    duid.insert("link_layer_address".into(), json!(mac(link_layer_address)));
                }
                DuidKind::Uuid(u) => {
                    duid.insert("uuid".into(), json!(hex(&u)));
                }
                DuidKind::Other { .. } => {}
            }
            o.insert("duid".into(), Value::Object(duid));
        }
        DhcpOption::IaNa(ia) => {
            o.insert("iaid".into(), json!(ia.iaid));
            o.insert("t1".into(), json!(ia.t1));
            o.insert("t2".into(), json!(ia.t2));
            o.insert("options".into(), options(&ia.options));
        }
        DhcpOption::IaPd(ia) => {
            o.insert("iaid".into(), json!(ia.iaid));
            o.insert("t1".into(), json!(ia.t1));
            o.insert("t2".into(), json!(ia.t2));
            o.insert("options".into(), options(&ia.options));
        }
        DhcpOption::IaTa(ia) => {
            o.insert("iaid".into(), json!(ia.iaid));
            o.insert("options".into(), options(&ia.options));
        }
        DhcpOption::IaAddr(a) => {
            o.insert("address".into(), json!(a.address.to_string()));
            o.insert("preferred_lifetime".into(), json!(a.preferred_lifetime));
            o.insert("valid_lifetime".into(), json!(a.valid_lifetime));
            o.insert("options".into(), options(&a.options));
        }
        DhcpOption::IaPrefix(p) => {
            o.insert("preferred_lifetime".into(), json!(p.preferred_lifetime));
            o.insert("valid_lifetime".into(), json!(p.valid_lifetime));
            o.insert("prefix_length".into(), json!(p.prefix_len));
            o.insert("prefix".into(), json!(p.prefix.to_string()));
            o.insert("options".into(), options(&p.options));
        }
        DhcpOption::PrefixExclude(p) => {
            o.insert("prefix_length".into(), json!(p.prefix_len));
            o.insert("subnet_id".into(), json!(hex(p.subnet_id)));
        }
        DhcpOption::Oro(list) => {
            let codes: Vec<u16> = list.iter().map(u16::from).collect();
            o.insert("requested_options".into(), json!(codes));
        }
        DhcpOption::Preference(v) => {
            o.insert("preference".into(), json!(v));
        }
        DhcpOption::ElapsedTime(v) => {
            o.insert("elapsed_time".into(), json!(v));
        }
        DhcpOption::RelayMessage(inner) => {
            let v = match dhcpv6(inner) {
                Ok(v) => v,
                Err(e) => json!({ "invalid": e.to_string(), "data": hex(inner) }),
            };
            o.insert("relay_message".into(), v);
        }
        DhcpOption::Authentication(a) => {
            o.insert("protocol".into(), json!(a.protocol()));
            o.insert("algorithm".into(), json!(a.algorithm()));
            o.insert("rdm".into(), json!(a.rdm()));
            o.insert("replay_detection".into(), json!(a.replay_detection()));
            o.insert("auth_info".into(), json!(hex(a.info())));
        }
        DhcpOption::ServerUnicast(a) => {
            o.insert("address".into(), json!(a.to_string()));
        }
        DhcpOption::StatusCode(s) => {
            o.insert("status_code".into(), json!(u16::from(s.code)));
            o.insert(
                "status_message".into(),
                json!(String::from_utf8_lossy(s.message)),
            );
        }
        DhcpOption::RapidCommit | DhcpOption::ReconfigureAccept => {}
        DhcpOption::UserClass(c) => {
            let items: Vec<String> = c.iter().map(hex).collect();
            o.insert("user_classes".into(), json!(items));
        }
        DhcpOption::VendorClass(c) => {
            o.insert("enterprise_number".into(), json!(c.enterprise_number));
            let items: Vec<String> = c.data.iter().map(hex).collect();
            o.insert("vendor_classes".into(), json!(items));
        }
        DhcpOption::VendorOpts(v) => {
            o.insert("enterprise_number".into(), json!(v.enterprise_number));
            let subs: Vec<Value> = v
                .iter()
                .map(|(code, data)| json!({ "code": code, "data": hex(data) }))
                .collect();
            o.insert("vendor_options".into(), json!(subs));
        }
        DhcpOption::InterfaceId(b) => {
            o.insert("interface_id".into(), json!(hex(b)));
        }
        DhcpOption::SubscriberId(b) => {
            o.insert("subscriber_id".into(), json!(hex(b)));
        }
        DhcpOption::RemoteId(r) => {
            o.insert("enterprise_number".into(), json!(r.enterprise_number));
            o.insert("remote_id".into(), json!(hex(r.remote_id)));
        }
        DhcpOption::ReconfigureMessage(t) => {
            o.insert("msg_type".into(), json!(msg_type_name(t)));
        }
        DhcpOption::DnsServers(a) => {
            let list: Vec<String> = a.iter().map(|x| x.to_string()).collect();
            o.insert("dns_servers".into(), json!(list));
        }
        DhcpOption::SntpServers(a) => {
            let list: Vec<String> = a.iter().map(|x| x.to_string()).collect();
            o.insert("sntp_servers".into(), json!(list));
        }
        DhcpOption::DomainList(l) => {
            let list: Vec<String> = l.iter().map(|n| n.to_string()).collect();
            o.insert("domain_list".into(), json!(list));
        }
        DhcpOption::InformationRefreshTime(v) => {
            o.insert("information_refresh_time".into(), json!(v));
        }
        DhcpOption::ClientFqdn(f) => {
            o.insert("flags".into(), json!(f.flags));
            let name = f.name.to_string();
            let name = match name.strip_suffix('.') {
                Some(n) => n.to_string(),
                None => name,
            };
            o.insert("domain_name".into(), json!(name));
        }
        DhcpOption::NtpServer(n) => {
            let subs: Vec<Value> = n
                .iter()
                .map(|sub| match sub {
                    NtpSuboption::ServerAddress(a) => json!({"code": 1, "address": a.to_string()}),
                    NtpSuboption::MulticastAddress(a) => {
                        json!({"code": 2, "multicast_address": a.to_string()})
                    }
                    NtpSuboption::ServerFqdn(name) => {
                        json!({"code": 3, "fqdn": name.to_string()})
                    }
                    NtpSuboption::Unknown { code, data } => {
                        json!({"code": code, "data": hex(data)})
                    }
                })
                .collect();
            o.insert("suboptions".into(), json!(subs));
        }
        DhcpOption::ClientLinkLayerAddress(c) => {
            o.insert("link_layer_type".into(), json!(c.link_layer_type));
            o.insert("link_layer_address".into(), json!(mac(c.address)));
        }
        DhcpOption::SolMaxRt(v) => {
            o.insert("sol_max_rt".into(), json!(v));
        }
        DhcpOption::InfMaxRt(v) => {
            o.insert("inf_max_rt".into(), json!(v));
        }
        DhcpOption::Unknown { data, .. } => {
            o.insert("data".into(), json!(hex(data)));
        }
    }
    Value::Object(o)
}
