//! Run the server engine over one kind of message N times at a given table size, for
//! instruction counting under callgrind (`valgrind --tool=callgrind server_instructions
//! <solicit|request> <bindings> <n>`): the table is filled with restored bindings first, so
//! compare runs with the same bindings and different `n` (the difference is the messages).
#![allow(missing_docs)]

use std::hint::black_box;

use sixconf_core::dhcpv6::server::{Limits, RxMeta, Server, Slot};
use sixconf_core::time::Instant;
use sixconf_core::wire::dhcpv6::{build, DuidBuf, MessageType};

use sixconf_benches::server_fixture::{client_duid as duid, spread_lease, SERVER_DUID};

fn main() {
    let mut args = std::env::args().skip(1);
    let op = args.next().expect("solicit or request");
    let bindings: usize = args.next().and_then(|a| a.parse().ok()).expect("bindings");
    let n: usize = args.next().and_then(|a| a.parse().ok()).expect("count");
    let link = sixconf_benches::server_fixture::link();
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
        let lease = spread_lease(i, 7, 7200, 7500);
        let address = lease.address;
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
