//! The host engine's RA processing beside the decode it starts from, same bytes, same run.
//!
//! - `decode only`: checksum + `Repr::parse_verified` of the RA (the baseline: what any host
//!   must do before looking at the content);
//! - `decode + handle_ra (refresh)`: the same RA processed by a `Host<4, 8, 8>` that already
//!   knows the router, the prefix, the address and the DNS server (the steady state: every RA
//!   after the first);
//! - `decode + handle_ra (flood)`: an RA with a new random prefix from a new router each time,
//!   against full tables (CVE-2010-4669: the cost of a drop).
//!
//! The RA (144 bytes) carries SLLA, MTU, Prefix Information, RDNSS (2 servers) and DNSSL
//! (2 names). Run: `cargo bench -p sixconf-benches --bench host -- --warm-up-time 1
//! --measurement-time 3`.
#![allow(missing_docs)]

use core::net::Ipv6Addr;
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use sixconf_core::host::{DadResult, Event, Host, HostConfig};
use sixconf_core::time::Instant;
use sixconf_core::wire::ndisc::option::PrefixInformation;
use sixconf_core::wire::ndisc::{
    IpMeta, NdOption, OptionsRepr, Repr, RouterAdvertRepr, RouterPreference,
};

const RA_HEX: &str = "86004f614048070800007530000003e80101fa163ec317b405010000000005dc030440c000015180000038400000000020010db8cafe00000000000000000000190500000000025820010db8cafe000a000000000000000e20010db8cafe000a000000000000000f1f050000000002580e6f70656e737461636b6c6f63616c00076578616d706c6503636f6d00000000";
const SRC: Ipv6Addr = Ipv6Addr::new(0xfe80, 0, 0, 0, 0xf816, 0x3eff, 0xfec3, 0x17b4);
const DST: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);

fn ra_bytes() -> Vec<u8> {
    (0..RA_HEX.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&RA_HEX[i..i + 2], 16).unwrap())
        .collect()
}

fn meta(src: Ipv6Addr) -> IpMeta {
    IpMeta {
        src,
        dst: DST,
        hop_limit: 255,
        had_fragment_header: false,
    }
}

fn feed(host: &mut Host<4, 8, 8>, now: Instant, src: Ipv6Addr, bytes: &[u8]) {
    let Ok(Repr::RouterAdvert(ra)) = Repr::parse_verified(bytes, &src, &DST) else {
        panic!("not an RA")
    };
    host.handle_ra(now, &meta(src), &ra);
    while let Some(e) = host.poll_event() {
        if let Event::ProbeAddress { address } = e {
            host.handle_dad_result(now, address, DadResult::Ok);
        }
    }
}

fn bench(c: &mut Criterion) {
    let bytes = ra_bytes();
    let mut g = c.benchmark_group("host RA processing (144-byte RA)");
    g.bench_function("decode only", |b| {
        b.iter(|| {
            let r = Repr::parse_verified(black_box(&bytes), &SRC, &DST).unwrap();
            black_box(r.buffer_len())
        })
    });

    let mut host: Host<4, 8, 8> = Host::new(
        HostConfig::new([2, 0, 0, 0, 0, 1], [7; 32], 1),
        Instant::ZERO,
    );
    feed(&mut host, Instant::ZERO, SRC, &bytes);
    while host.poll_event().is_some() {}
    let mut t = 1u64;
    g.bench_function("decode + handle_ra (refresh)", |b| {
        b.iter(|| {
            t += 1;
            feed(&mut host, Instant::from_millis(t), SRC, black_box(&bytes));
        })
    });

    // Full tables first, then a new prefix from a new router every time.
    let mut host: Host<4, 8, 8> = Host::new(
        HostConfig::new([2, 0, 0, 0, 0, 1], [7; 32], 1),
        Instant::ZERO,
    );
    let mut rng = 0x1234_5678u64;
    let mut packets = Vec::new();
    for i in 0..4096u32 {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let src = Ipv6Addr::new(0xfe80, 0, 0, 0, 1, 2, (i >> 16) as u16, i as u16);
        let opts = [NdOption::PrefixInformation(PrefixInformation {
            prefix_len: 64,
            on_link: true,
            autonomous: true,
            router_address: false,
            pd_preferred: false,
            valid_lifetime: u32::MAX,
            preferred_lifetime: u32::MAX,
            prefix: Ipv6Addr::new(0x2001, 0xdb8, (rng >> 16) as u16, rng as u16, 0, 0, 0, 0),
        })];
        let repr = Repr::RouterAdvert(RouterAdvertRepr {
            cur_hop_limit: 64,
            managed: false,
            other: false,
            home_agent: false,
            proxy: false,
            router_preference: RouterPreference::High,
            router_lifetime: 9000,
            reachable_time: 0,
            retrans_timer: 0,
            options: OptionsRepr::List(&opts),
        });
        let mut out = vec![0u8; repr.buffer_len()];
        repr.emit(&src, &DST, &mut out).unwrap();
        packets.push((src, out));
    }
    for (src, p) in &packets[..16] {
        feed(&mut host, Instant::ZERO, *src, p);
    }
    let mut i = 16usize;
    g.bench_function("decode + handle_ra (flood, full tables)", |b| {
        b.iter(|| {
            let (src, p) = &packets[i % packets.len()];
            i += 1;
            feed(&mut host, Instant::from_secs(1), *src, black_box(p));
        })
    });
    g.finish();
    assert_eq!(host.addresses().len(), 8);
}

criterion_group!(benches, bench);
criterion_main!(benches);
