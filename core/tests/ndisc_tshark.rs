//! Our decoder beside tshark's dissector on the same bytes: the packets of
//! `core/tests/scapy/gen_ndisc.py` (every ND message and option type) are written to a pcap by
//! scapy, dissected by tshark, and every field tshark reports is compared with what
//! `Repr::parse` gives for those bytes. Needs python3-scapy and tshark (installed by `.ci/run`).

use std::fmt::Write as _;
use std::net::Ipv6Addr;
use std::path::PathBuf;
use std::process::Command;

use sixconf_core::wire::ndisc::{NdOption, Repr};

/// The tshark fields compared, in column order.
const FIELDS: [&str; 38] = [
    "icmpv6.type",
    "icmpv6.checksum.status",
    "icmpv6.nd.ra.cur_hop_limit",
    "icmpv6.nd.ra.flag.m",
    "icmpv6.nd.ra.flag.o",
    "icmpv6.nd.ra.flag.h",
    "icmpv6.nd.ra.flag.prf",
    "icmpv6.nd.ra.flag.p",
    "icmpv6.nd.ra.router_lifetime",
    "icmpv6.nd.ra.reachable_time",
    "icmpv6.nd.ra.retrans_timer",
    "icmpv6.opt.type",
    "icmpv6.opt.linkaddr",
    "icmpv6.opt.mtu",
    "icmpv6.opt.prefix",
    "icmpv6.opt.prefix.length",
    "icmpv6.opt.prefix.flag.l",
    "icmpv6.opt.prefix.flag.a",
    "icmpv6.opt.prefix.flag.r",
    "icmpv6.opt.prefix.valid_lifetime",
    "icmpv6.opt.prefix.preferred_lifetime",
    "icmpv6.opt.route_info.flag.route_preference",
    "icmpv6.opt.route_lifetime",
    "icmpv6.opt.rdnss.lifetime",
    "icmpv6.opt.rdnss",
    "icmpv6.opt.dnssl.lifetime",
    "icmpv6.opt.dnssl",
    "icmpv6.opt.pref64.scaled_lifetime",
    "icmpv6.opt.pref64.plc",
    "icmpv6.opt.pref64.prefix",
    "icmpv6.opt.captive_portal",
    "icmpv6.opt.nonce",
    "icmpv6.nd.ns.target_address",
    "icmpv6.nd.na.flag.r",
    "icmpv6.nd.na.flag.s",
    "icmpv6.nd.na.flag.o",
    "icmpv6.nd.na.target_address",
    "icmpv6.nd.rd.target_address",
];

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn b(v: bool) -> String {
    u8::from(v).to_string()
}

fn masked(addr: Ipv6Addr, bits: u8) -> Ipv6Addr {
    let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
    Ipv6Addr::from(u128::from(addr) & mask)
}

/// Our decode of one message, rendered as tshark prints `FIELDS` (`|` between fields, `,`
/// between occurrences).
fn render(repr: &Repr<'_>) -> String {
    let mut col: Vec<Vec<String>> = vec![Vec::new(); FIELDS.len()];
    col[0].push(u8::from(repr.msg_type()).to_string());
    col[1].push("1".into()); // parse_verified checked the checksum
    match repr {
        Repr::RouterAdvert(ra) => {
            col[2].push(ra.cur_hop_limit.to_string());
            col[3].push(b(ra.managed));
            col[4].push(b(ra.other));
            col[5].push(b(ra.home_agent));
            col[6].push(ra.router_preference.bits().to_string());
            col[7].push(b(ra.proxy));
            col[8].push(ra.router_lifetime.to_string());
            col[9].push(ra.reachable_time.to_string());
            col[10].push(ra.retrans_timer.to_string());
        }
        Repr::NeighborSolicit(ns) => col[32].push(ns.target.to_string()),
        Repr::NeighborAdvert(na) => {
            col[33].push(b(na.router_flag));
            col[34].push(b(na.solicited_flag));
            col[35].push(b(na.override_flag));
            col[36].push(na.target.to_string());
        }
        Repr::Redirect(r) => col[37].push(r.target.to_string()),
        Repr::RouterSolicit(_) => {}
    }
    for option in repr.options() {
        col[11].push(u8::from(option.option_type()).to_string());
        match option {
            NdOption::SourceLinkLayerAddress(l) | NdOption::TargetLinkLayerAddress(l) => {
                col[12].push(l.to_string())
            }
            NdOption::Mtu(m) => col[13].push(m.to_string()),
            NdOption::PrefixInformation(p) => {
                col[14].push(p.prefix.to_string());
                col[15].push(p.prefix_len.to_string());
                col[16].push(b(p.on_link));
                col[17].push(b(p.autonomous));
                col[18].push(b(p.router_address));
                col[19].push(p.valid_lifetime.to_string());
                col[20].push(p.preferred_lifetime.to_string());
            }
            NdOption::RouteInformation(r) => {
                // tshark shows a route's prefix only when the option carries one.
                if r.prefix_len > 0 {
                    col[14].push(r.prefix.to_string());
                }
                col[15].push(r.prefix_len.to_string());
                col[21].push(r.preference.bits().to_string());
                col[22].push(r.route_lifetime.to_string());
            }
            NdOption::Rdnss(r) => {
                col[23].push(r.lifetime.to_string());
                col[24].extend(r.servers.iter().map(|a| a.to_string()));
            }
            NdOption::Dnssl(d) => {
                col[25].push(d.lifetime.to_string());
                col[26].extend(d.domains.iter().map(|n| n.to_string()));
            }
            NdOption::Pref64(p) => {
                col[27].push(p.scaled_lifetime.to_string());
                col[28].push(format!("0x{:04x}", p.length.code()));
                col[29].push(masked(p.prefix, p.length.bits().unwrap_or(96)).to_string());
            }
            NdOption::CaptivePortal(c) => col[30].push(c.uri_str().unwrap_or("").into()),
            NdOption::Nonce(n) => col[31].push(n.to_string()),
            NdOption::RedirectedHeader(_) | NdOption::Unknown { .. } => {}
        }
    }
    let mut line = String::new();
    for (i, c) in col.iter().enumerate() {
        if i > 0 {
            line.push('|');
        }
        write!(line, "{}", c.join(",")).unwrap();
    }
    line
}

#[test]
#[ignore = "needs root + peers: run by .ci/run"]
fn decode_matches_tshark_on_scapy_packets() {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let pcap = std::env::temp_dir().join(format!("sixconf-nd-{}.pcap", std::process::id()));
    let out = Command::new("/usr/bin/python3")
        .arg(manifest.join("tests/scapy/gen_ndisc.py"))
        .arg(&pcap)
        .output()
        .expect("python3 with scapy");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let packets: Vec<(String, Ipv6Addr, Ipv6Addr, Vec<u8>)> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (
                f[0].to_string(),
                f[1].parse().unwrap(),
                f[2].parse().unwrap(),
                hex(f[3]),
            )
        })
        .collect();
    assert_eq!(packets.len(), 9);

    let mut tshark = Command::new("tshark");
    tshark.args(["-r"]).arg(&pcap).args([
        "-T",
        "fields",
        "-E",
        "separator=|",
        "-E",
        "aggregator=,",
        "-E",
        "occurrence=a",
    ]);
    for f in FIELDS {
        tshark.args(["-e", f]);
    }
    let out = tshark.output().expect("tshark");
    let _ = std::fs::remove_file(&pcap);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let theirs: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(theirs.len(), packets.len());

    for ((name, src, dst, bytes), theirs) in packets.iter().zip(&theirs) {
        let repr = Repr::parse_verified(bytes, src, dst).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(&render(&repr), theirs, "{name}");
    }
}
