//! `Debug` and `Display` of every value decoded from arbitrary bytes never panic (Kea
//! CVE-2015-8373 crashed only when debug logging formatted a bad packet), and neither does the
//! std adapter's `sixconf decode` output, text or `--json`.
//!
//! The same bytes are decoded as an ND message, as DHCPv6 (strict and lenient; every option at
//! every level, IA contents, nested Relay-Message options decoded recursively, DUIDs, DNS
//! names), and as bare option lists, DUIDs and names; every value decoded is formatted with
//! `{:?}` and, where it has one, `{}`. Then `sixconf decode` runs on them (text and JSON, ND and
//! DHCPv6, with and without checksum addresses), and the tcpdump-style formatter and the JSON
//! encoder are called directly. Checked: a JSON output is valid JSON; an error is one line.
#![no_main]

use core::fmt::Write as _;
use core::net::Ipv6Addr;

use libfuzzer_sys::fuzz_target;
use sixconf::decode::{self, json};
use sixconf::text;
use sixconf_core::wire::dhcpv6::option::{DhcpOption, FqdnName, Options, RawOptions};
use sixconf_core::wire::dhcpv6::{self, Duid, DuidBuf, MessageType, OptionCode, Repr, StatusCode};
use sixconf_core::wire::dns::{Name, NameList};
use sixconf_core::wire::icmpv6;
use sixconf_core::wire::ndisc::{self, NdOption, NdOptions, OptionsRepr};

/// Formats into nothing, counting bytes: formatting is exercised without allocating.
struct Sink(usize);

impl core::fmt::Write for Sink {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        self.0 += s.len();
        Ok(())
    }
}

const SRC: Ipv6Addr = Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 1);
const DST: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);
/// Deepest Relay-Message nesting followed (RFC 9915 §19.1 allows 32 hops).
const MAX_DEPTH: usize = 34;

fn nd_option(w: &mut Sink, o: &NdOption<'_>) {
    let _ = write!(w, "{o} {o:?} {:?}", o.option_type());
    match o {
        NdOption::SourceLinkLayerAddress(l) | NdOption::TargetLinkLayerAddress(l) => {
            let _ = write!(w, "{l} {:?}", l.ethernet());
        }
        NdOption::PrefixInformation(p) => {
            let _ = write!(w, "{p}");
        }
        NdOption::RouteInformation(r) => {
            let _ = write!(w, "{r}");
        }
        NdOption::Rdnss(r) => {
            let _ = write!(w, "{r} {}", r.servers);
            for a in r.servers.iter() {
                let _ = write!(w, "{a}");
            }
        }
        NdOption::Dnssl(d) => {
            let _ = write!(w, "{d} {}", d.domains);
            for name in d.domains.iter() {
                let _ = write!(w, "{name} {name:?}");
            }
        }
        NdOption::CaptivePortal(c) => {
            let _ = write!(w, "{c} {:?}", c.uri_str());
        }
        NdOption::Pref64(p) => {
            let _ = write!(w, "{p}");
        }
        NdOption::Nonce(n) => {
            let _ = write!(w, "{n}");
        }
        _ => {}
    }
}

fn nd(w: &mut Sink, data: &[u8]) {
    let Ok(packet) = icmpv6::Packet::new_checked(data) else {
        return;
    };
    let _ = write!(w, "{:?}", packet.verify_checksum(&SRC, &DST));
    for repr in [
        ndisc::Repr::parse(&packet),
        ndisc::Repr::parse_lenient(&packet),
    ] {
        match repr {
            Ok(repr) => {
                let _ = write!(
                    w,
                    "{repr} {repr:?} {} {:?}",
                    repr.msg_type(),
                    repr.msg_type()
                );
                if let OptionsRepr::Wire(wire) = repr.options() {
                    let _ = write!(w, "{wire:?}");
                    for o in wire.checked() {
                        match o {
                            Ok(o) => nd_option(w, &o),
                            Err(e) => {
                                let _ = write!(w, "{e} {e:?}");
                            }
                        }
                    }
                }
                for o in repr.options().iter() {
                    nd_option(w, &o);
                }
                let meta = ndisc::IpMeta {
                    src: SRC,
                    dst: DST,
                    hop_limit: 255,
                    had_fragment_header: false,
                };
                if let Err(r) = ndisc::check_meta(&repr, &meta) {
                    let _ = write!(w, "{r} {r:?}");
                }
            }
            Err(e) => {
                let _ = write!(w, "{e} {e:?}");
            }
        }
    }
}

fn dhcp_option(w: &mut Sink, o: &DhcpOption<'_>) {
    let _ = write!(w, "{o} {o:?} {} {:?}", o.code(), o.code());
    match o {
        DhcpOption::ClientId(d) | DhcpOption::ServerId(d) => {
            let _ = write!(w, "{d} {d:?} {:?}", d.kind());
            if let Ok(b) = DuidBuf::from_bytes(d.as_bytes()) {
                let _ = write!(w, "{b} {b:?}");
            }
        }
        DhcpOption::IaNa(ia) => {
            let _ = write!(w, "{:?}", ia.status());
            for a in ia.addresses() {
                let _ = write!(w, "{a} {a:?} {:?}", a.status());
            }
        }
        DhcpOption::IaPd(ia) => {
            let _ = write!(w, "{:?}", ia.status());
            for p in ia.prefixes() {
                let _ = write!(w, "{p} {p:?} {:?} {:?}", p.status(), p.excluded_prefix());
            }
        }
        DhcpOption::IaAddr(a) => {
            let _ = write!(w, "{a} {:?}", a.status());
        }
        DhcpOption::IaPrefix(p) => {
            let _ = write!(w, "{p} {:?} {:?}", p.status(), p.excluded_prefix());
        }
        DhcpOption::Oro(r) => {
            for c in r.iter() {
                let _ = write!(w, "{c} {c:?}");
            }
        }
        DhcpOption::StatusCode(s) => {
            let _ = write!(w, "{s} {:?} {}", s.message_str(), s.code);
        }
        DhcpOption::Authentication(a) => {
            let _ = write!(w, "{a} {:?}", a.reconfigure_key());
        }
        DhcpOption::UserClass(c) => {
            for d in c.iter() {
                let _ = write!(w, "{d:?}");
            }
        }
        DhcpOption::VendorClass(c) => {
            let _ = write!(w, "{c}");
        }
        DhcpOption::VendorOpts(v) => {
            for s in v.iter() {
                let _ = write!(w, "{s:?}");
            }
        }
        DhcpOption::DnsServers(a) | DhcpOption::SntpServers(a) => {
            for x in a.iter() {
                let _ = write!(w, "{x}");
            }
        }
        DhcpOption::DomainList(d) => {
            for name in d.iter() {
                let _ = write!(w, "{name} {name:?}");
            }
        }
        DhcpOption::ClientFqdn(f) => {
            let _ = write!(w, "{f} {f:?}");
        }
        DhcpOption::NtpServer(n) => {
            for s in n.iter() {
                let _ = write!(w, "{s} {s:?}");
            }
        }
        DhcpOption::RemoteId(r) => {
            let _ = write!(w, "{r}");
        }
        DhcpOption::ClientLinkLayerAddress(c) => {
            let _ = write!(w, "{c}");
        }
        DhcpOption::ReconfigureMessage(t) => {
            let _ = write!(w, "{t}");
        }
        _ => {}
    }
}

/// Every option of a list, typed both ways, and the raw walk.
fn options(w: &mut Sink, opts: &Options<'_>) {
    let _ = write!(w, "{opts} {opts:?}");
    for o in opts.iter() {
        dhcp_option(w, &o);
    }
    raw_options(w, opts.raw());
}

fn raw_options(w: &mut Sink, raws: RawOptions<'_>) {
    for raw in raws {
        match raw {
            Ok(raw) => {
                let _ = write!(w, "{raw:?} {:?}", raw.ignored_by_rfc());
                for o in [DhcpOption::parse(raw), DhcpOption::parse_lenient(raw)] {
                    match o {
                        Ok(o) => dhcp_option(w, &o),
                        Err(e) => {
                            let _ = write!(w, "{e} {e:?}");
                        }
                    }
                }
            }
            Err(e) => {
                let _ = write!(w, "{e} {e:?}");
            }
        }
    }
}

/// The bytes as a DHCPv6 message, strict and lenient; a Relay-Message option of a message that
/// does not decode as a whole is decoded on its own (once per level, not per parse).
fn dhcpv6(w: &mut Sink, data: &[u8], depth: usize) {
    if let Ok(p) = dhcpv6::Packet::new_checked(data) {
        let _ = write!(w, "{p:?}");
    }
    let mut decoded = false;
    for repr in [Repr::parse(data), Repr::parse_lenient(data)] {
        match repr {
            Ok(repr) => {
                decoded = true;
                let _ = write!(w, "{repr} {repr:?}");
                if let Repr::Relayed(chain) = &repr {
                    let _ = write!(w, "{chain} {chain:?} {}", chain.depth());
                    for layer in chain.layers() {
                        let _ = write!(w, "{layer:?} {:?}", layer.interface_id());
                        options(w, &layer.options);
                    }
                }
                let m = repr.message();
                let _ = write!(w, "{m} {m:?} {}", m.msg_type);
                options(w, &m.options);
            }
            Err(e) => {
                let _ = write!(w, "{e} {e:?}");
            }
        }
    }
    // A relay message whose inner message is bad fails as a whole: decode the inner bytes
    // alone, as a receiver's error path would.
    if !decoded && depth < MAX_DEPTH && data.first() == Some(&12) && data.len() >= 34 {
        let inner = RawOptions::new(&data[34..], 34)
            .flatten()
            .find(|r| r.code == 9);
        if let Some(raw) = inner {
            dhcpv6(w, raw.data, depth + 1);
        }
    }
}

/// The bytes as bare values: option lists (top level and as an IA's contents), a DUID, DNS
/// names, an FQDN, ND options; code points from the first bytes.
fn bare(w: &mut Sink, data: &[u8]) {
    for opts in [Options::parse(data, 0), Options::parse_lenient(data, 0)] {
        match opts {
            Ok(o) => options(w, &o),
            Err(e) => {
                let _ = write!(w, "{e:?}");
            }
        }
    }
    raw_options(w, RawOptions::new(data, 0));
    match Duid::new(data) {
        Ok(d) => {
            let _ = write!(w, "{d} {d:?} {:?}", d.kind());
        }
        Err(e) => {
            let _ = write!(w, "{e}");
        }
    }
    match Name::parse(data) {
        Ok((n, _)) => {
            let _ = write!(w, "{n} {n:?} {}", n.is_root());
            for l in n.labels() {
                let _ = write!(w, "{l:?}");
            }
        }
        Err(e) => {
            let _ = write!(w, "{e} {e:?}");
        }
    }
    let _ = write!(w, "{:?}", NameList::validate(data));
    let list = NameList::new(data);
    let _ = write!(w, "{list:?}");
    match FqdnName::parse(data) {
        Ok(f) => {
            let _ = write!(w, "{f} {f:?}");
        }
        Err(e) => {
            let _ = write!(w, "{e:?}");
        }
    }
    for o in [NdOptions::parse(data, 4), NdOptions::parse_lenient(data, 4)] {
        match o {
            Ok(o) => {
                for x in o.checked().flatten() {
                    nd_option(w, &x);
                }
            }
            Err(e) => {
                let _ = write!(w, "{e}");
            }
        }
    }
    let b0 = data.first().copied().unwrap_or(0);
    let c = u16::from_be_bytes([b0, data.get(1).copied().unwrap_or(0)]);
    let _ = write!(
        w,
        "{} {:?} {} {} {}",
        MessageType::from(b0),
        MessageType::from(b0),
        OptionCode::from(c),
        StatusCode::from(c),
        icmpv6::Message::from(b0),
    );
}

fn assert_one_line(e: &str) {
    assert!(!e.is_empty() && !e.contains('\n'), "error {e:?}");
}

fn assert_json(s: &str) {
    assert!(
        serde_json::from_str::<serde_json::Value>(s).is_ok(),
        "not JSON: {s}"
    );
}

/// `sixconf decode` and the formatters behind it.
fn adapter(data: &[u8]) {
    for force in [false, true] {
        for as_json in [false, true] {
            match decode::decode_bytes(data, force, None, as_json) {
                Ok(out) if as_json => assert_json(&out),
                Ok(_) => {}
                Err(e) => assert_one_line(&e),
            }
        }
    }
    if let Err(e) = decode::decode_bytes(data, false, Some((SRC, DST)), false) {
        assert_one_line(&e);
    }
    let ip = text::Ip6 {
        src: SRC,
        dst: DST,
        hop_limit: data.first().copied().unwrap_or(255),
        traffic_class: data.get(1).copied().unwrap_or(0),
        flow_label: u32::from(data.get(2).copied().unwrap_or(0)) << 12,
        udp_ports: None,
        checksum_ok: None,
    };
    match decode::parse_nd(data) {
        Ok(repr) => {
            let _ = (text::nd::summary(&repr), text::nd::verbose(&repr));
            let _ = (text::nd::details(&repr), text::nd::type_name(&repr));
            let _ = text::nd_line(&ip, &repr);
            assert_json(&json::nd(data, &repr, Some(false)).to_string());
        }
        Err(e) => assert_one_line(&decode::nd_error(data, e)),
    }
    match decode::parse_dhcpv6(data) {
        Ok(repr) => {
            let _ = (text::dhcpv6::summary(&repr), text::dhcpv6::verbose(&repr));
            let ip = text::Ip6 {
                udp_ports: Some((546, 547)),
                checksum_ok: Some(true),
                ..ip
            };
            let _ = text::dhcpv6_line(&ip, &repr);
            assert_json(&json::dhcpv6_repr(&repr).to_string());
        }
        Err(e) => assert_one_line(&decode::dhcpv6_error(data, e)),
    }
    if let Ok(v) = json::dhcpv6(data) {
        assert_json(&v.to_string());
    }
    let b0 = data.first().copied().unwrap_or(0);
    let c = u16::from_be_bytes([b0, data.get(1).copied().unwrap_or(0)]);
    let _ = (
        text::dhcpv6::type_name(MessageType::from(b0)),
        text::dhcpv6::option_name(c),
        text::dhcpv6::status_name(c),
        json::msg_type_name(MessageType::from(b0)),
        json::option_name(c),
    );
}

fuzz_target!(|data: &[u8]| {
    let mut w = Sink(0);
    nd(&mut w, data);
    dhcpv6(&mut w, data, 0);
    bare(&mut w, data);
    adapter(data);
});
