//! DHCPv6: decode a Solicit (Client ID, ORO, Elapsed Time, IA_NA: the seed's own) and build the
//! matching Advertise, with sixconf-core and with dhcproto 0.15 on the same bytes in the same
//! run. Read the results as ratios.
//!
//! `cargo bench -p sixconf-benches --bench dhcpv6 -- --warm-up-time 1 --measurement-time 3`

// criterion_group! generates undocumented public items.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use sixconf_core::wire::dhcpv6::Repr;

mod dhcpv6_common;
use dhcpv6_common::*;

fn dhcpv6(c: &mut Criterion) {
    let domain = dhcproto::Name::from_ascii("openstacklocal.").unwrap();
    // Both sides see the same Solicit and build Advertises that decode to the same options.
    assert_eq!(sixconf_decode(&SOLICIT), dhcproto_decode(&SOLICIT));
    let mut buf = [0u8; 1500];
    let n = sixconf_advertise(&SOLICIT, &mut buf);
    let theirs = dhcproto_advertise(&SOLICIT, &domain);
    assert_eq!(n, theirs.len());
    let ours = Repr::parse(&buf[..n]).unwrap();
    let back = Repr::parse(&theirs).unwrap();
    let mut a: Vec<_> = ours
        .message()
        .options
        .iter()
        .map(|o| o.to_string())
        .collect();
    let mut b: Vec<_> = back
        .message()
        .options
        .iter()
        .map(|o| o.to_string())
        .collect();
    a.sort();
    b.sort();
    assert_eq!(a, b, "the two Advertises differ");

    let mut g = c.benchmark_group("dhcpv6_decode_solicit");
    g.bench_function("sixconf", |b| {
        b.iter(|| sixconf_decode(black_box(&SOLICIT)))
    });
    g.bench_function("dhcproto", |b| {
        b.iter(|| dhcproto_decode(black_box(&SOLICIT)))
    });
    g.finish();

    let mut g = c.benchmark_group("dhcpv6_build_advertise");
    g.bench_function("sixconf", |b| {
        b.iter(|| sixconf_advertise(black_box(&SOLICIT), black_box(&mut buf)))
    });
    g.bench_function("dhcproto", |b| {
        b.iter(|| dhcproto_advertise(black_box(&SOLICIT), black_box(&domain)))
    });
    g.finish();
}

criterion_group!(benches, dhcpv6);
criterion_main!(benches);
