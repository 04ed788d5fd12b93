//! Run the server engine over one kind of message N times at a given table size, for
//! instruction counting under callgrind (`valgrind --tool=callgrind server_instructions
//! <solicit|request> <bindings> <n>`): the table is filled with restored bindings first, so
//! compare runs with the same bindings and different `n` (the difference is the messages).
#![allow(missing_docs)]

use std::hint::black_box;

use sixconf_core::dhcpv6::server::{
    AddressPool, IaType, Lease, Limits, LinkConfig, Prefix, RxMeta, Server, Slot,
};
use sixconf_core::time::Instant;
use sixconf_core::wire::dhcpv6::{build, DuidBuf, MessageType};

const SERVER_DUID: [u8; 10] = [0, 3, 0, 1, 0xfa, 0x16, 0x3e, 0x06, 0x17, 0x6f];

fn duid(n: u64) -> [u8; 14] {
    let m = n.to_be_bytes();
    [
        0, 1, 0, 1, 0x1c, 0xc1, 0x96, 0x25, 0xfa, m[3], m[4], m[5], m[6], m[7],
    ]
}

fn main() {
    let mut args = std::env::args().skip(1);
    let op = args.next().expect("solicit or request");
    let bindings: usize = args.next().and_then(|a| a.parse().ok()).expect("bindings");
    let n: usize = args.next().and_then(|a| a.parse().ok()).expect("count");
    let mut link = LinkConfig {
        ifindex: Some(2),
        ..LinkConfig::default()
    };
    let _ = link
        .prefixes
        .push(Prefix::new("2001:db8:cafe:1::".parse().unwrap(), 64));
    let pool = AddressPool::new(
        "2001:db8:cafe:1::2".parse().unwrap(),
        "2001:db8:cafe:1:ffff:ffff:ffff:fffe".parse().unwrap(),
    );
    let _ = link.address_pools.push(pool);
    let storage = vec![Slot::EMPTY; bindings + bindings / 8 + 1024].into_boxed_slice();
    let limits = Limits {
        rate_per_second: 0,
        ..Limits::default()
    };
    let mut s: Server<Box<[Slot]>> = Server::new(
        DuidBuf::from_bytes(&SERVER_DUID).unwrap(),
        [link].into_iter().collect(),
        limits,
        storage,
        0x5eed,
    );
    let mut addrs = Vec::new();
    for i in 0..bindings as u64 {
        let off = u128::from(i.wrapping_mul(0x9e37_79b9_7f4a_7c15)) % pool.size();
        let address = pool.nth(off).unwrap();
        let lease = Lease {
            link: 0,
            ia_type: IaType::Na,
            duid: DuidBuf::from_bytes(&duid(i)).unwrap(),
            iaid: 7,
            address,
            prefix_len: 128,
            preferred_until: Instant::from_secs(7200),
            valid_until: Instant::from_secs(7500),
        };
        s.restore(Instant::from_secs(1), &lease).unwrap();
        addrs.push(address);
    }
    let meta = RxMeta {
        ifindex: 2,
        src: "fe80::f816:3eff:fe22:386b".parse().unwrap(),
        dst: "ff02::1:2".parse().unwrap(),
        source_mac: None,
    };
    let mut msg = [0u8; 256];
    let mut out = [0u8; 1500];
    let mut ok = 0usize;
    for k in 0..n {
        let request = op == "request";
        let idx = (k * 7919) % addrs.len().max(1);
        let client = if request {
            duid(idx as u64)
        } else {
            duid(10_000_000 + k as u64)
        };
        let len = build(&mut msg, |w| {
            w.header(
                if request {
                    MessageType::Request
                } else {
                    MessageType::Solicit
                },
                k as u32,
            );
            w.option(1, &client);
            if request {
                w.option(2, &SERVER_DUID);
            }
            w.elapsed_time(0);
            w.begin_ia_na(7, 0, 0);
            if request {
                w.ia_addr(addrs[idx], 0, 0);
            }
            w.end();
        })
        .unwrap();
        let t = Instant::from_secs(10 + k as u64);
        ok += usize::from(s.handle_message(t, &meta, &msg[..len], &mut out).is_ok());
        while s.poll_event().is_some() {}
        black_box(&out);
    }
    println!("{ok}");
}
