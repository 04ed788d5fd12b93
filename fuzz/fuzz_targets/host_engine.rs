//! Drive the host engine (`core::host`) with arbitrary input: a script of RAs (arbitrary bytes
//! forced to the RA type, arbitrary IP metadata), DAD verdicts and time jumps. Nothing may
//! panic, the tables must stay within their bounds, and `poll_timeout` must never ask to be
//! woken in the past once everything due has been handled.
#![no_main]

use core::net::Ipv6Addr;

use libfuzzer_sys::fuzz_target;
use sixconf_core::host::{DadResult, Event, Host, HostConfig};
use sixconf_core::time::{Duration, Instant};
use sixconf_core::wire::icmpv6;
use sixconf_core::wire::ndisc::{IpMeta, Repr};

fuzz_target!(|data: &[u8]| {
    let mut host: Host<2, 3, 3> =
        Host::new(HostConfig::new([2, 0, 0, 0, 0, 1], [9; 32], 7), Instant::ZERO);
    let mut now = Instant::ZERO;
    let mut probes: [Option<Ipv6Addr>; 4] = [None; 4];
    let mut buf = [0u8; 64];
    let mut rest = data;
    while let Some((&op, tail)) = rest.split_first() {
        rest = tail;
        match op % 3 {
            0 => {
                // An RA: a length byte, then that many bytes of ICMPv6 message.
                let Some((&len, tail)) = rest.split_first() else {
                    break;
                };
                let len = usize::from(len).min(tail.len());
                let (msg, tail) = tail.split_at(len);
                rest = tail;
                let mut bytes = [0u8; 256];
                bytes[..msg.len()].copy_from_slice(msg);
                let bytes = &mut bytes[..msg.len()];
                if bytes.len() >= 2 {
                    bytes[0] = 134;
                    bytes[1] = 0;
                }
                let Ok(packet) = icmpv6::Packet::new_checked(&bytes[..]) else {
                    continue;
                };
                let Ok(Repr::RouterAdvert(ra)) = Repr::parse(&packet) else {
                    continue;
                };
                let meta = IpMeta {
                    src: Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, u16::from(op >> 6)),
                    dst: Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1),
                    hop_limit: if op & 0x20 == 0 { 255 } else { op },
                    had_fragment_header: op & 0x10 != 0,
                };
                host.handle_ra(now, &meta, &ra);
            }
            1 => {
                let slot = usize::from(op >> 2) % probes.len();
                if let Some(a) = probes[slot].take() {
                    let r = if op & 0x80 == 0 {
                        DadResult::Ok
                    } else {
                        DadResult::Conflict
                    };
                    host.handle_dad_result(now, a, r);
                }
            }
            _ => {
                let Some((&step, tail)) = rest.split_first() else {
                    break;
                };
                rest = tail;
                now += Duration::from_millis(u64::from(step) << (op >> 3));
                host.handle_timeout(now);
                while host.poll_transmit(now, &mut buf).is_some() {}
                if let Some(t) = host.poll_timeout() {
                    assert!(t > now);
                }
            }
        }
        while let Some(e) = host.poll_event() {
            if let Event::ProbeAddress { address } = e {
                if let Some(slot) = probes.iter_mut().find(|p| p.is_none()) {
                    *slot = Some(address);
                }
            }
        }
        assert!(host.routers().len() <= 2);
        assert!(host.prefixes().len() <= 3);
        assert!(host.addresses().len() <= 3);
        assert!(host.routes().len() <= 3);
        for a in host.addresses().iter() {
            assert!(a.preferred_until <= a.valid_until);
        }
    }
});
