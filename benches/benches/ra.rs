//! The Advertiser's costs, with baselines measured in the same run:
//! - `emit/smoltcp`: smoltcp 0.14 writing the seed's SLAAC RA (56 bytes: PIO + SLLA) with its
//!   checksum;
//! - `emit/codec_only`: sixconf's `Repr::emit` of the same RA (what any RA sender must pay);
//! - `emit/advertiser`: the same RA out of `Advertiser::poll_transmit` (schedule + options +
//!   codec);
//! - `emit/advertiser_split_32_prefixes`: an RA of 32 prefixes, 8 routes, DNS, split for a
//!   1280 MTU (all packets);
//! - `rs/handle_rs`: one Router Solicitation in (IpMeta checks + scheduling), the flood path.
//!
//! Run: `cargo bench -p sixconf-benches --bench ra -- --warm-up-time 1 --measurement-time 3`.
#![allow(missing_docs)]

use core::net::Ipv6Addr;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use sixconf_core::profile::{AdvRoute, Mode, Preference, Prefix, Profile};
use sixconf_core::ra::{Advertiser, Link};
use sixconf_core::time::Instant;
use sixconf_core::wire::icmpv6;
use sixconf_core::wire::ndisc::option::{LinkLayerAddress, PrefixInformation};
use sixconf_core::wire::ndisc::{
    IpMeta, NdOption, OptionsRepr, Repr, RouterAdvertRepr, RouterPreference,
};

const MAC: [u8; 6] = [0xfa, 0x16, 0x3e, 0xc3, 0x17, 0xb4];
const RS: [u8; 16] = [
    0x85, 0x00, 0x58, 0x75, 0, 0, 0, 0, 0x01, 0x01, 0xfa, 0x16, 0x3e, 0x79, 0x5a, 0xcc,
];

fn ll() -> Ipv6Addr {
    "fe80::f816:3eff:fec3:17b4".parse().unwrap()
}

fn seed_profile<const P: usize>() -> Profile<P> {
    let mut p = Profile::new(Mode::Slaac);
    p.set_max_interval(10_000);
    p.router.source_link_layer = Some(MAC);
    p.add_prefix(Prefix::new("2001:db8:cafe::".parse().unwrap(), 64))
        .unwrap();
    p
}

fn big_profile() -> Profile<32> {
    let mut p: Profile<32> = seed_profile();
    p.mtu = Some(1280);
    for i in 1..32u16 {
        p.add_prefix(Prefix::new(
            Ipv6Addr::new(0x2001, 0xdb8, i, 0, 0, 0, 0, 0),
            64,
        ))
        .unwrap();
    }
    for i in 0..8u16 {
        p.routes
            .push(AdvRoute {
                prefix: Prefix::new(Ipv6Addr::new(0x2001, 0xdb8, 0x100 + i, 0, 0, 0, 0, 0), 48),
                preference: Preference::High,
                lifetime: 1800,
            })
            .unwrap();
    }
    p.dns
        .servers
        .push("2001:db8:a::1".parse().unwrap())
        .unwrap();
    p.dns.search_list.push("example.com").unwrap();
    p
}

fn link() -> Link {
    Link {
        link_local: ll(),
        mtu: 1500,
    }
}

fn emit(c: &mut Criterion) {
    let mut g = c.benchmark_group("emit");
    let (src, dst) = (ll(), "ff02::1".parse::<Ipv6Addr>().unwrap());
    let options = [
        NdOption::PrefixInformation(PrefixInformation {
            prefix_len: 64,
            on_link: true,
            autonomous: true,
            router_address: false,
            pd_preferred: false,
            valid_lifetime: 86400,
            preferred_lifetime: 14400,
            prefix: "2001:db8:cafe::".parse().unwrap(),
        }),
        NdOption::SourceLinkLayerAddress(LinkLayerAddress::new(&MAC)),
    ];
    let ra = Repr::RouterAdvert(RouterAdvertRepr {
        cur_hop_limit: 64,
        managed: false,
        other: false,
        home_agent: false,
        proxy: false,
        router_preference: RouterPreference::Medium,
        router_lifetime: 30,
        reachable_time: 0,
        retrans_timer: 0,
        options: OptionsRepr::List(&options),
    });
    let mut buf = [0u8; 1500];
    let smol = smoltcp::wire::NdiscRepr::RouterAdvert {
        hop_limit: 64,
        flags: smoltcp::wire::NdiscRouterFlags::empty(),
        router_lifetime: smoltcp::time::Duration::from_secs(30),
        reachable_time: smoltcp::time::Duration::from_millis(0),
        retrans_time: smoltcp::time::Duration::from_millis(0),
        lladdr: Some(smoltcp::wire::RawHardwareAddress::from_bytes(&MAC)),
        mtu: None,
        prefix_info: Some(smoltcp::wire::NdiscPrefixInformation {
            prefix_len: 64,
            flags: smoltcp::wire::NdiscPrefixInfoFlags::ON_LINK
                | smoltcp::wire::NdiscPrefixInfoFlags::ADDRCONF,
            valid_lifetime: smoltcp::time::Duration::from_secs(86400),
            preferred_lifetime: smoltcp::time::Duration::from_secs(14400),
            prefix: "2001:db8:cafe::".parse().unwrap(),
        }),
    };
    g.bench_function("smoltcp", |b| {
        b.iter(|| {
            let repr = black_box(smol);
            let len = repr.buffer_len();
            let mut packet = smoltcp::wire::Icmpv6Packet::new_unchecked(&mut buf[..len]);
            repr.emit(&mut packet);
            packet.fill_checksum(&src, &dst);
            len
        })
    });
    g.bench_function("codec_only", |b| {
        b.iter(|| black_box(ra.emit(&src, &dst, &mut buf).unwrap()))
    });

    // A fresh Advertiser has its first RA due at once; cloning one outside the timed part
    // keeps the measurement to poll_transmit.
    let adv: Advertiser<4> = Advertiser::new(seed_profile(), link(), 1, Instant::ZERO).unwrap();
    g.bench_function("advertiser", |b| {
        b.iter_batched_ref(
            || adv.clone(),
            |a| black_box(a.poll_transmit(Instant::ZERO, &mut buf)),
            criterion::BatchSize::SmallInput,
        )
    });
    let big = Advertiser::new(big_profile(), link(), 1, Instant::ZERO).unwrap();
    g.bench_function("advertiser_split_32_prefixes", |b| {
        b.iter_batched_ref(
            || big.clone(),
            |a| {
                let mut n = 0;
                while let Some(tx) = a.poll_transmit(Instant::ZERO, &mut buf) {
                    n += tx.len;
                }
                black_box(n)
            },
            criterion::BatchSize::SmallInput,
        )
    });
    g.finish();
}

fn rs(c: &mut Criterion) {
    let mut g = c.benchmark_group("rs");
    let packet = icmpv6::Packet::new_checked(&RS[..]).unwrap();
    let Repr::RouterSolicit(rs) = Repr::parse(&packet).unwrap() else {
        panic!("not an RS")
    };
    let mut adv: Advertiser<4> = Advertiser::new(seed_profile(), link(), 1, Instant::ZERO).unwrap();
    let mut n = 0u64;
    g.bench_function("handle_rs", |b| {
        b.iter(|| {
            n += 1;
            let meta = IpMeta {
                src: Ipv6Addr::from(0xfe80_u128 << 112 | u128::from(n)),
                dst: "ff02::2".parse().unwrap(),
                hop_limit: 255,
                had_fragment_header: false,
            };
            adv.handle_rs(Instant::from_millis(n / 10), &meta, black_box(&rs));
        })
    });
    g.finish();
}

criterion_group!(benches, emit, rs);
criterion_main!(benches);
