//! The Advertiser under arbitrary input: the fuzzer's bytes are a script of (time step,
//! action) pairs; actions feed ICMPv6 bytes (as an RS or RA from some source, hop limit
//! 255 or not), reload, stop, set or withdraw a prefix taken from a delegation (the WAN → LAN
//! lifecycle, RFC 9096), or poll with a buffer of some size. Nothing may panic; multicast RAs
//! stay 3 s apart; every packet decodes and fits the buffer; a delegated prefix is never
//! advertised with lifetimes beyond RFC 9096's limits or preferred beyond valid.
#![no_main]

use core::net::Ipv6Addr;

use libfuzzer_sys::fuzz_target;
use sixconf_core::profile::{AdvPrefix, Mode, Prefix, Profile};
use sixconf_core::ra::{
    Advertiser, Link, ALL_NODES, MIN_DELAY_BETWEEN_RAS, ND_PREFERRED_LIMIT, ND_VALID_LIMIT,
};
use sixconf_core::time::{Duration, Instant};
use sixconf_core::wire::ndisc::option::NdOption;
use sixconf_core::wire::ndisc::{IpMeta, Repr};

fn profile(variant: u8) -> Profile<4> {
    let mode = match variant % 3 {
        0 => Mode::Slaac,
        1 => Mode::Dhcpv6Stateless,
        _ => Mode::Dhcpv6Stateful,
    };
    let mut p = Profile::new(mode);
    p.set_max_interval(4_000 + u32::from(variant) * 1_000);
    p.router.unicast_rs_replies = variant & 4 != 0;
    p.router.source_link_layer = Some([2, 0, 0, 0, 0, variant]);
    let prefix = Ipv6Addr::new(0x2001, 0xdb8, u16::from(variant & 3), 0, 0, 0, 0, 0);
    p.add_prefix(Prefix::new(prefix, 64)).ok();
    p.dhcpv6.pool = Some(sixconf_core::profile::AddressPool {
        start: Ipv6Addr::new(0x2001, 0xdb8, u16::from(variant & 3), 0, 0, 0, 0, 0x100),
        end: Ipv6Addr::new(0x2001, 0xdb8, u16::from(variant & 3), 0, 0, 0, 0, 0x1ff),
    });
    p
}

/// Delegated prefix number `n` (of 4): a /64 of 2001:db8:d00::/56.
fn delegated(n: u8) -> Prefix {
    Prefix::new(
        Ipv6Addr::new(0x2001, 0xdb8, 0xd00, u16::from(n & 3), 0, 0, 0, 0),
        64,
    )
}

fn is_delegated(p: Ipv6Addr) -> bool {
    p.segments()[..3] == [0x2001, 0xdb8, 0xd00]
}

fuzz_target!(|data: &[u8]| {
    let link = Link {
        link_local: Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 1),
        mtu: 1500,
    };
    let Ok(mut adv) = Advertiser::new(profile(0), link, 7, Instant::ZERO) else {
        return;
    };
    let mut now = Instant::ZERO;
    let mut last_mc: Option<Instant> = None;
    let mut buf = [0u8; 1500];
    let mut rest = data;
    if let Some((&first, tail)) = rest.split_first() {
        adv.set_default_router_needs_prefix(first & 1 != 0);
        rest = tail;
    }
    while let [step, action, tail @ ..] = rest {
        rest = tail;
        now += Duration::from_millis(u64::from(*step) * 97);
        match action % 8 {
            0 | 1 | 2 => {
                // A message: length byte, then that many bytes.
                let Some((&len, tail)) = rest.split_first() else {
                    break;
                };
                let len = usize::from(len).min(tail.len());
                let (msg, tail) = tail.split_at(len);
                rest = tail;
                let src = match action % 3 {
                    0 => Ipv6Addr::UNSPECIFIED,
                    1 => Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, u16::from(*step)),
                    _ => Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1),
                };
                let meta = IpMeta {
                    src,
                    dst: Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 2),
                    hop_limit: if action & 0x80 != 0 { 64 } else { 255 },
                    had_fragment_header: action & 0x40 != 0,
                };
                adv.handle_icmpv6(now, &meta, msg);
                if let Ok(repr) = sixconf_core::wire::icmpv6::Packet::new_checked(msg)
                    .and_then(|p| Repr::parse(&p))
                {
                    match repr {
                        Repr::RouterSolicit(rs) => adv.handle_rs(now, &meta, &rs),
                        Repr::RouterAdvert(ra) => adv.handle_ra(now, &meta, &ra),
                        _ => {}
                    }
                }
            }
            3 => {
                let _ = adv.reload(now, profile(*step));
            }
            4 if *step == 0 => adv.stop(now),
            5 => {
                // A delegation (re)arrives: deadlines from the next two bytes (seconds, up to
                // 2^16 x 4), flags and configured lifetimes from the step.
                let Some((&[p, v], tail)) = rest.split_first_chunk::<2>() else {
                    break;
                };
                rest = tail;
                let valid_until = now + Duration::from_secs(u64::from(v) * 256 + 1);
                let preferred_until = now + Duration::from_secs(u64::from(p) * 256);
                let mut a = AdvPrefix::for_mode(Mode::Slaac, delegated(*step));
                a.autonomous = step & 4 != 0;
                a.valid_lifetime = u32::from(*step) * 997;
                a.preferred_lifetime = u32::from(*step) * 331;
                let _ = adv.set_delegated_prefix(now, a, preferred_until, valid_until);
            }
            6 => {
                adv.withdraw_delegated_prefix(now, delegated(*step));
            }
            _ => {
                let size = usize::from(*step) * 6;
                let out = &mut buf[..size.min(1500)];
                adv.handle_timeout(now);
                while let Some(tx) = adv.poll_transmit(now, out) {
                    assert!(tx.len <= out.len());
                    let Ok(Repr::RouterAdvert(ra)) =
                        Repr::parse_verified(&out[..tx.len], &tx.src, &tx.dst)
                    else {
                        panic!("not a valid RA");
                    };
                    for o in ra.options.iter() {
                        if let NdOption::PrefixInformation(pio) = o {
                            if is_delegated(pio.prefix) {
                                assert!(
                                    u64::from(pio.valid_lifetime) * 1000
                                        <= ND_VALID_LIMIT.total_millis()
                                );
                                assert!(
                                    u64::from(pio.preferred_lifetime) * 1000
                                        <= ND_PREFERRED_LIMIT.total_millis()
                                );
                                assert!(pio.preferred_lifetime <= pio.valid_lifetime);
                            }
                        }
                    }
                    if tx.dst == ALL_NODES && tx.part == 0 {
                        if let Some(l) = last_mc {
                            assert!(now - l >= MIN_DELAY_BETWEEN_RAS);
                        }
                        last_mc = Some(now);
                    }
                }
                while adv.poll_event().is_some() {}
                if let Some(t) = adv.poll_timeout() {
                    if t > now {
                        now = t;
                    }
                }
            }
        }
    }
});
