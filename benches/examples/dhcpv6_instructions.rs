//! Run one DHCPv6 bench operation N times, for instruction counting under callgrind:
//! `valgrind --tool=callgrind dhcpv6_instructions <op> <n>` (see `dhcpv6_instructions.sh`),
//! with `<op>` one of `sixconf_decode`, `dhcproto_decode`, `sixconf_build`, `dhcproto_build`.
#![allow(missing_docs)]

#[path = "../benches/dhcpv6_common/mod.rs"]
mod dhcpv6_common;

use std::hint::black_box;

use dhcpv6_common::*;

fn main() {
    let mut args = std::env::args().skip(1);
    let op = args.next().expect("operation");
    let n: usize = args.next().and_then(|n| n.parse().ok()).expect("count");
    let domain = dhcproto::Name::from_ascii("openstacklocal.").expect("name");
    let mut buf = [0u8; 1500];
    let mut acc = 0u64;
    for _ in 0..n {
        acc += match op.as_str() {
            "sixconf_decode" => u64::from(sixconf_decode(black_box(&SOLICIT)).iaid),
            "dhcproto_decode" => u64::from(dhcproto_decode(black_box(&SOLICIT)).iaid),
            "sixconf_build" => sixconf_advertise(black_box(&SOLICIT), &mut buf) as u64,
            "dhcproto_build" => dhcproto_advertise(black_box(&SOLICIT), &domain).len() as u64,
            other => panic!("unknown operation {other}"),
        };
        black_box(&buf);
    }
    println!("{acc}");
}
