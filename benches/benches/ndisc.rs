//! Router Advertisement parse and emit: sixconf-core beside smoltcp 0.14, same bytes, same run.
//!
//! The RA (144 bytes, built by scapy) carries SLLA, MTU, Prefix Information, RDNSS (2 servers)
//! and DNSSL (2 names). sixconf validates and decodes every option; smoltcp decodes SLLA, MTU
//! and PIO and skips the rest. For emit, smoltcp can only write SLLA, MTU and PIO (a 72-byte
//! RA), so sixconf is measured both on that same 72-byte RA and on the full one.
//!
//! Run: `cargo bench -p sixconf-benches --bench ndisc -- --warm-up-time 1 --measurement-time 3`.
#![allow(missing_docs)]

use core::net::Ipv6Addr;
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use sixconf_core::wire::icmpv6;
use sixconf_core::wire::ndisc::option::{
    Dnssl, Domains, Ipv6Addrs, LinkLayerAddress, PrefixInformation, Rdnss,
};
use sixconf_core::wire::ndisc::{NdOption, OptionsRepr, Repr, RouterAdvertRepr, RouterPreference};
use smoltcp::time::Duration;
use smoltcp::wire::{
    Icmpv6Packet, NdiscPrefixInfoFlags, NdiscPrefixInformation, NdiscRepr, NdiscRouterFlags,
    RawHardwareAddress,
};

const RA_HEX: &str = "86004f614048070800007530000003e80101fa163ec317b405010000000005dc030440c000015180000038400000000020010db8cafe00000000000000000000190500000000025820010db8cafe000a000000000000000e20010db8cafe000a000000000000000f1f050000000002580e6f70656e737461636b6c6f63616c00076578616d706c6503636f6d00000000";

const SRC: Ipv6Addr = Ipv6Addr::new(0xfe80, 0, 0, 0, 0xf816, 0x3eff, 0xfec3, 0x17b4);
const DST: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);
const MAC: [u8; 6] = [0xfa, 0x16, 0x3e, 0xc3, 0x17, 0xb4];
const PREFIX: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0xcafe, 0, 0, 0, 0, 0);
const DNS: [Ipv6Addr; 2] = [
    Ipv6Addr::new(0x2001, 0xdb8, 0xcafe, 0xa, 0, 0, 0, 0xe),
    Ipv6Addr::new(0x2001, 0xdb8, 0xcafe, 0xa, 0, 0, 0, 0xf),
];
const SEARCH: [&str; 2] = ["openstacklocal", "example.com"];

fn ra_bytes() -> Vec<u8> {
    (0..RA_HEX.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&RA_HEX[i..i + 2], 16).unwrap())
        .collect()
}

/// Decode with sixconf and touch every field of every option.
fn sixconf_decode(bytes: &[u8]) -> u64 {
    let packet = icmpv6::Packet::new_checked(bytes).unwrap();
    let Ok(Repr::RouterAdvert(ra)) = Repr::parse(&packet) else {
        panic!("not an RA")
    };
    let mut acc = u64::from(ra.router_lifetime) + u64::from(ra.cur_hop_limit);
    for option in ra.options.iter() {
        acc += match option {
            NdOption::SourceLinkLayerAddress(l) => u64::from(l.as_bytes()[5]),
            NdOption::Mtu(m) => u64::from(m),
            NdOption::PrefixInformation(p) => {
                u64::from(p.valid_lifetime) + u64::from(p.prefix.octets()[3])
            }
            NdOption::Rdnss(r) => r.servers.iter().map(|a| u64::from(a.octets()[15])).sum(),
            NdOption::Dnssl(d) => d
                .domains
                .iter()
                .map(|n| n.wire_len().unwrap_or(0) as u64)
                .sum(),
            _ => 0,
        };
    }
    acc
}

/// Decode with sixconf (every option validated, DNSSL names included) but read only what
/// smoltcp reads: the same information, for a like-for-like comparison.
fn sixconf_decode_like_smoltcp(bytes: &[u8]) -> u64 {
    let packet = icmpv6::Packet::new_checked(bytes).unwrap();
    let Ok(Repr::RouterAdvert(ra)) = Repr::parse(&packet) else {
        panic!("not an RA")
    };
    let mut acc = u64::from(ra.router_lifetime) + u64::from(ra.cur_hop_limit);
    for option in ra.options.iter() {
        acc += match option {
            NdOption::SourceLinkLayerAddress(l) => u64::from(l.as_bytes()[5]),
            NdOption::Mtu(m) => u64::from(m),
            NdOption::PrefixInformation(p) => {
                u64::from(p.valid_lifetime) + u64::from(p.prefix.octets()[3])
            }
            _ => 0,
        };
    }
    acc
}

fn smoltcp_decode(bytes: &[u8]) -> u64 {
    let packet = Icmpv6Packet::new_checked(bytes).unwrap();
    match NdiscRepr::parse(&packet).unwrap() {
        NdiscRepr::RouterAdvert {
            hop_limit,
            router_lifetime,
            lladdr,
            mtu,
            prefix_info,
            ..
        } => {
            u64::from(hop_limit)
                + router_lifetime.secs()
                + lladdr.map(|l| u64::from(l.as_bytes()[5])).unwrap_or(0)
                + u64::from(mtu.unwrap_or(0))
                + prefix_info
                    .map(|p| p.valid_lifetime.secs() + u64::from(p.prefix.octets()[3]))
                    .unwrap_or(0)
        }
        _ => panic!("not an RA"),
    }
}

fn sixconf_options(full: bool) -> Vec<NdOption<'static>> {
    let mut options = vec![
        NdOption::SourceLinkLayerAddress(LinkLayerAddress::new(&MAC)),
        NdOption::Mtu(1500),
        NdOption::PrefixInformation(PrefixInformation {
            prefix_len: 64,
            on_link: true,
            autonomous: true,
            router_address: false,
            pd_preferred: false,
            valid_lifetime: 86400,
            preferred_lifetime: 14400,
            prefix: PREFIX,
        }),
    ];
    if full {
        options.push(NdOption::Rdnss(Rdnss {
            lifetime: 600,
            servers: Ipv6Addrs::List(&DNS),
        }));
        options.push(NdOption::Dnssl(Dnssl {
            lifetime: 600,
            domains: Domains::List(&SEARCH),
        }));
    }
    options
}

fn sixconf_ra<'a>(options: &'a [NdOption<'a>]) -> Repr<'a> {
    Repr::RouterAdvert(RouterAdvertRepr {
        cur_hop_limit: 64,
        managed: false,
        other: true,
        home_agent: false,
        proxy: false,
        router_preference: RouterPreference::High,
        router_lifetime: 1800,
        reachable_time: 30000,
        retrans_timer: 1000,
        options: OptionsRepr::List(options),
    })
}

fn smoltcp_ra() -> NdiscRepr<'static> {
    NdiscRepr::RouterAdvert {
        hop_limit: 64,
        flags: NdiscRouterFlags::OTHER,
        router_lifetime: Duration::from_secs(1800),
        reachable_time: Duration::from_millis(30000),
        retrans_time: Duration::from_millis(1000),
        lladdr: Some(RawHardwareAddress::from_bytes(&MAC)),
        mtu: Some(1500),
        prefix_info: Some(NdiscPrefixInformation {
            prefix_len: 64,
            flags: NdiscPrefixInfoFlags::ON_LINK | NdiscPrefixInfoFlags::ADDRCONF,
            valid_lifetime: Duration::from_secs(86400),
            preferred_lifetime: Duration::from_secs(14400),
            prefix: PREFIX,
        }),
    }
}

fn bench(c: &mut Criterion) {
    let bytes = ra_bytes();
    // Sanity: both decoders accept the bytes and our full emit reproduces them exactly.
    assert!(sixconf_decode(&bytes) > 0 && smoltcp_decode(&bytes) > 0);
    assert_eq!(sixconf_decode_like_smoltcp(&bytes), smoltcp_decode(&bytes));
    let full = sixconf_options(true);
    let mut check = [0u8; 256];
    let n = sixconf_ra(&full).emit(&SRC, &DST, &mut check).unwrap();
    assert_eq!(&check[..n], &bytes[..]);

    let mut group = c.benchmark_group("ra_decode_144B");
    group.bench_function(
        "sixconf (all 5 options, every server and name walked)",
        |b| b.iter(|| sixconf_decode(black_box(&bytes))),
    );
    group.bench_function("sixconf (all 5 validated, SLLA MTU PIO read)", |b| {
        b.iter(|| sixconf_decode_like_smoltcp(black_box(&bytes)))
    });
    group.bench_function("smoltcp (SLLA, MTU, PIO)", |b| {
        b.iter(|| smoltcp_decode(black_box(&bytes)))
    });
    group.finish();

    let mut group = c.benchmark_group("ra_verify_checksum_144B");
    group.bench_function("sixconf", |b| {
        b.iter(|| icmpv6::Packet::new_unchecked(black_box(&bytes[..])).verify_checksum(&SRC, &DST))
    });
    let (s, d) = (SRC, DST);
    group.bench_function("smoltcp", |b| {
        b.iter(|| Icmpv6Packet::new_unchecked(black_box(&bytes[..])).verify_checksum(&s, &d))
    });
    group.finish();

    let short = sixconf_options(false);
    let smol = smoltcp_ra();
    let mut group = c.benchmark_group("ra_emit_with_checksum");
    let mut buf = [0u8; 256];
    group.bench_function("sixconf 72B (SLLA, MTU, PIO)", |b| {
        b.iter(|| {
            sixconf_ra(black_box(&short))
                .emit(&SRC, &DST, &mut buf)
                .unwrap()
        })
    });
    group.bench_function("smoltcp 72B (SLLA, MTU, PIO)", |b| {
        b.iter(|| {
            let repr = black_box(smol);
            let len = repr.buffer_len();
            let mut packet = Icmpv6Packet::new_unchecked(&mut buf[..len]);
            repr.emit(&mut packet);
            packet.fill_checksum(&s, &d);
            len
        })
    });
    group.bench_function("sixconf 144B (SLLA, MTU, PIO, RDNSS, DNSSL)", |b| {
        b.iter(|| {
            sixconf_ra(black_box(&full))
                .emit(&SRC, &DST, &mut buf)
                .unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
