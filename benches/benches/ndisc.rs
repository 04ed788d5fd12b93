//! Router Advertisement parse and emit: sixconf-core beside smoltcp 0.14, same bytes, same run.
//!
//! The RA (144 bytes, built by scapy) carries SLLA, MTU, Prefix Information, RDNSS (2 servers)
//! and DNSSL (2 names). sixconf validates and decodes every option; smoltcp decodes SLLA, MTU
//! and PIO and skips the rest. For emit, smoltcp can only write SLLA, MTU and PIO (a 72-byte
//! RA), so sixconf is measured both on that same 72-byte RA and on the full one.
//!
//! Run: `cargo bench -p sixconf-benches --bench ndisc -- --warm-up-time 1 --measurement-time 3`.
#![allow(missing_docs)]

mod ndisc_common;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use ndisc_common::*;

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
    group.bench_function("sixconf", |b| b.iter(|| sixconf_verify(black_box(&bytes))));
    group.bench_function("smoltcp", |b| b.iter(|| smoltcp_verify(black_box(&bytes))));
    group.finish();

    let short = sixconf_options(false);
    let smol = smoltcp_ra();
    let mut group = c.benchmark_group("ra_emit_with_checksum");
    let mut buf = [0u8; 256];
    group.bench_function("sixconf 72B (SLLA, MTU, PIO)", |b| {
        b.iter(|| sixconf_emit(black_box(&short), &mut buf))
    });
    group.bench_function("smoltcp 72B (SLLA, MTU, PIO)", |b| {
        b.iter(|| smoltcp_emit(black_box(&smol), &mut buf))
    });
    group.bench_function("sixconf 144B (SLLA, MTU, PIO, RDNSS, DNSSL)", |b| {
        b.iter(|| sixconf_emit(black_box(&full), &mut buf))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
