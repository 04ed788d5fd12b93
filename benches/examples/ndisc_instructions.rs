//! Instruction counts for the ndisc bench's operations, which (unlike wall time) do not move
//! with the load of a shared machine. Run under callgrind with `benches/ndisc_instructions.sh`:
//! it runs each operation 0 and 10 000 times and prints the difference per call.
//!
//! `cargo run --release -p sixconf-benches --example ndisc_instructions -- <op> <iterations>`,
//! with `<op>` one of `sixconf_decode`, `sixconf_decode_like_smoltcp`, `smoltcp_decode`,
//! `sixconf_verify`, `smoltcp_verify`, `sixconf_emit72`, `smoltcp_emit72`, `sixconf_emit144`.
#![allow(missing_docs)]

#[path = "../benches/ndisc_common/mod.rs"]
mod ndisc_common;

use std::hint::black_box;

use ndisc_common::*;

fn main() {
    let mut args = std::env::args().skip(1);
    let op = args.next().expect("operation");
    let n: usize = args.next().expect("iterations").parse().expect("a number");
    let bytes = ra_bytes();
    let full = sixconf_options(true);
    let short = sixconf_options(false);
    let smol = smoltcp_ra();
    let mut buf = [0u8; 256];
    let mut acc = 0u64;
    for _ in 0..n {
        acc += match op.as_str() {
            "sixconf_decode" => sixconf_decode(black_box(&bytes)),
            "sixconf_decode_like_smoltcp" => sixconf_decode_like_smoltcp(black_box(&bytes)),
            "smoltcp_decode" => smoltcp_decode(black_box(&bytes)),
            "sixconf_verify" => u64::from(sixconf_verify(black_box(&bytes))),
            "smoltcp_verify" => u64::from(smoltcp_verify(black_box(&bytes))),
            "sixconf_emit72" => sixconf_emit(black_box(&short), &mut buf) as u64,
            "smoltcp_emit72" => smoltcp_emit(black_box(&smol), &mut buf) as u64,
            "sixconf_emit144" => sixconf_emit(black_box(&full), &mut buf) as u64,
            other => panic!("unknown operation {other}"),
        };
        black_box(&buf);
    }
    println!("{acc}");
}
