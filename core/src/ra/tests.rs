//! Advertiser tests: virtual time, many seeds, RFC 4861 §6.2 bounds.

use core::net::Ipv6Addr;
use std::vec::Vec;

use super::*;
use crate::profile::{AdvRoute, Mode, Preference, Profile};
use crate::time::Instant;
use crate::wire::ndisc::option::{LinkLayerAddress, PrefixInformation};
use crate::wire::ndisc::{
    IpMeta, NdOption, OptionsRepr, Repr, RouterAdvertRepr, RouterPreference, RouterSolicitRepr,
};

pub(crate) fn addr(s: &str) -> Ipv6Addr {
    s.parse().unwrap()
}

pub(crate) const ROUTER_LL: &str = "fe80::f816:3eff:fec3:17b4";
pub(crate) const SEED_MAC: [u8; 6] = [0xfa, 0x16, 0x3e, 0xc3, 0x17, 0xb4];

pub(crate) fn link() -> Link {
    Link {
        link_local: addr(ROUTER_LL),
        mtu: 1500,
    }
}

/// The seed's SLAAC link (radvd as OpenStack configures it: Max 10 s, lifetime 30 s).
pub(crate) fn seed_profile() -> Profile<4> {
    let mut p = Profile::new(Mode::Slaac);
    p.set_max_interval(10_000);
    p.router.source_link_layer = Some(SEED_MAC);
    p.add_prefix(Prefix::new(addr("2001:db8:cafe::"), 64))
        .unwrap();
    p
}

#[derive(Debug, Clone)]
pub(crate) struct Sent {
    pub(crate) at: Instant,
    pub(crate) tx: Transmit,
    pub(crate) bytes: Vec<u8>,
}

impl Sent {
    pub(crate) fn router_lifetime(&self) -> u16 {
        u16::from_be_bytes([self.bytes[6], self.bytes[7]])
    }
    /// (type, whole option bytes) of each option.
    pub(crate) fn options(&self) -> Vec<(u8, &[u8])> {
        let mut out = Vec::new();
        let mut rest = &self.bytes[16..];
        while !rest.is_empty() {
            let len = usize::from(rest[1]) * 8;
            assert!(len > 0 && len <= rest.len(), "bad option walk");
            out.push((rest[0], &rest[..len]));
            rest = &rest[len..];
        }
        out
    }
    /// (prefix, valid, preferred) of each Prefix Information option.
    pub(crate) fn prefixes(&self) -> Vec<(Ipv6Addr, u32, u32)> {
        self.options()
            .into_iter()
            .filter(|(t, _)| *t == 3)
            .map(|(_, o)| {
                let valid = u32::from_be_bytes(o[4..8].try_into().unwrap());
                let pref = u32::from_be_bytes(o[8..12].try_into().unwrap());
                let a: [u8; 16] = o[16..32].try_into().unwrap();
                (Ipv6Addr::from(a), valid, pref)
            })
            .collect()
    }
}

/// Everything due at `now`.
pub(crate) fn drain<const P: usize>(adv: &mut Advertiser<P>, now: Instant) -> Vec<Sent> {
    let mut out = Vec::new();
    let mut buf = [0u8; 1500];
    while let Some(tx) = adv.poll_transmit(now, &mut buf) {
        // Every packet decodes with the ND codec, checksum included.
        match Repr::parse_verified(&buf[..tx.len], &tx.src, &tx.dst) {
            Ok(Repr::RouterAdvert(_)) => {}
            other => panic!("not a valid RA: {other:?}"),
        }
        out.push(Sent {
            at: now,
            tx,
            bytes: buf[..tx.len].to_vec(),
        });
        assert!(out.len() < 1000, "poll_transmit never ends");
    }
    out
}

/// Run the Advertiser on virtual time until `end`, calling `input` at each wake-up (after
/// transmissions) so a test can inject solicitations; returns everything sent.
pub(crate) fn run<const P: usize>(
    adv: &mut Advertiser<P>,
    from: Instant,
    end: Instant,
    mut input: impl FnMut(&mut Advertiser<P>, Instant) -> Option<Instant>,
) -> Vec<Sent> {
    let mut out = Vec::new();
    let mut now = from;
    loop {
        adv.handle_timeout(now);
        out.extend(drain(adv, now));
        let extra = input(adv, now);
        out.extend(drain(adv, now));
        let next = [adv.poll_timeout(), extra].into_iter().flatten().min();
        match next {
            Some(t) if t <= end => now = t.max(now),
            _ => break,
        }
    }
    out
}

fn multicast_times(sent: &[Sent]) -> Vec<Instant> {
    sent.iter()
        .filter(|s| s.tx.dst == ALL_NODES && s.tx.part == 0)
        .map(|s| s.at)
        .collect()
}

fn back(i: Instant, d: Duration) -> Instant {
    Instant::from_millis(i.total_millis() - d.total_millis())
}

fn ms(i: Instant) -> u64 {
    i.total_millis()
}

#[test]
fn unsolicited_timing_within_rfc_bounds_over_many_seeds() {
    for (max, min) in [
        (10_000u32, 3_300u32),
        (600_000, 198_000),
        (4_000, 3_000),
        (30_000, 20_000),
    ] {
        let mut p = seed_profile();
        p.router.max_interval_ms = max;
        p.router.min_interval_ms = min;
        p.router.lifetime_s = 1800;
        p.prefixes[0].valid_lifetime = 86_400;
        let mut spread = (u64::MAX, 0u64);
        for seed in 0..200u64 {
            let t0 = Instant::from_secs(1000);
            let mut adv = Advertiser::new(p.clone(), link(), seed, t0).unwrap();
            let sent = run(&mut adv, t0, t0 + Duration::from_secs(4 * 1800), |_, _| {
                None
            });
            let times = multicast_times(&sent);
            assert_eq!(times[0], t0, "first RA at once");
            assert!(times.len() > 4);
            for (k, w) in times.windows(2).enumerate() {
                let gap = ms(w[1]) - ms(w[0]);
                if k < usize::from(MAX_INITIAL_RTR_ADVERTISEMENTS) {
                    assert!(
                        gap <= 16_000 && gap >= u64::from(min.min(16_000)),
                        "seed {seed}: initial gap {k} is {gap} ms"
                    );
                } else {
                    assert!(
                        (u64::from(min)..=u64::from(max)).contains(&gap),
                        "seed {seed}: gap {gap} ms outside [{min}, {max}]"
                    );
                    spread = (spread.0.min(gap), spread.1.max(gap));
                }
            }
            assert!(sent.iter().all(|s| s.tx.reason == Reason::Unsolicited));
        }
        // Uniform over the whole range, not stuck at one end.
        let width = u64::from(max - min);
        assert!(spread.0 < u64::from(min) + width / 10, "{spread:?}");
        assert!(spread.1 > u64::from(max) - width / 10, "{spread:?}");
    }
}

#[test]
fn same_seed_same_schedule_different_seed_different_one() {
    let t0 = Instant::ZERO;
    let end = Instant::from_secs(600);
    let go = |seed| {
        let mut a = Advertiser::new(seed_profile(), link(), seed, t0).unwrap();
        multicast_times(&run(&mut a, t0, end, |_, _| None))
    };
    assert_eq!(go(5), go(5));
    assert_ne!(go(5), go(6));
}

/// Advance past the initial RAs; returns the time of the last multicast RA.
fn settled(adv: &mut Advertiser<4>) -> Instant {
    let sent = run(adv, Instant::ZERO, Instant::from_secs(100), |_, _| None);
    *multicast_times(&sent).last().unwrap()
}

#[test]
fn solicitation_answered_within_500ms_by_multicast() {
    let mut answered_late_enough = 0;
    for seed in 0..300u64 {
        let mut adv = Advertiser::new(seed_profile(), link(), seed, Instant::ZERO).unwrap();
        let last = settled(&mut adv);
        let next = adv.poll_timeout().unwrap();
        // Solicit 3 s after the last RA, if that is before the next periodic one (Min 3.3 s).
        let rs_at = last + Duration::from_millis(3_000);
        if next <= rs_at + MAX_RA_DELAY_TIME {
            continue;
        }
        adv.handle_solicitation(rs_at, addr("fe80::1"), true);
        let t = adv.poll_timeout().unwrap();
        assert!(t >= rs_at && t <= rs_at + MAX_RA_DELAY_TIME, "seed {seed}");
        assert!(drain(&mut adv, back(t, Duration::from_millis(1))).is_empty() || t == rs_at);
        let sent = drain(&mut adv, t);
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].tx.dst, ALL_NODES);
        assert_eq!(sent[0].tx.reason, Reason::Solicited);
        // The periodic timer restarts after it (§6.2.4).
        let after = adv.poll_timeout().unwrap();
        assert!(after - t >= Duration::from_millis(3_300));
        answered_late_enough += 1;
    }
    assert!(answered_late_enough > 20, "{answered_late_enough}");
}

#[test]
fn solicitation_within_3s_of_last_multicast_waits_for_the_3s() {
    let mut p = seed_profile();
    p.set_max_interval(600_000);
    for seed in 0..100u64 {
        let mut adv = Advertiser::new(p.clone(), link(), seed, Instant::ZERO).unwrap();
        let sent = run(&mut adv, Instant::ZERO, Instant::from_secs(60), |_, _| None);
        let last = *multicast_times(&sent).last().unwrap();
        let rs_at = last + Duration::from_millis(1_000);
        adv.handle_timeout(rs_at);
        adv.handle_solicitation(rs_at, addr("fe80::1"), false);
        let t = adv.poll_timeout().unwrap();
        let earliest = last + MIN_DELAY_BETWEEN_RAS;
        assert!(
            t >= earliest && t <= earliest + MAX_RA_DELAY_TIME,
            "seed {seed}: {t}"
        );
        assert!(drain(&mut adv, back(earliest, Duration::from_millis(1))).is_empty());
        let sent = drain(&mut adv, t);
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].tx.reason, Reason::Solicited);
    }
}

#[test]
fn solicitation_folded_into_a_sooner_periodic_ra() {
    let (mut folded, mut early) = (0, 0);
    for seed in 0..100u64 {
        let mut adv = Advertiser::new(seed_profile(), link(), seed, Instant::ZERO).unwrap();
        settled(&mut adv);
        let next = adv.poll_timeout().unwrap();
        // 100 ms before the periodic RA: a random delay under 100 ms answers first, any other
        // is folded into the periodic RA. Either way one RA, not two.
        let rs_at = back(next, Duration::from_millis(100));
        adv.handle_solicitation(rs_at, addr("fe80::1"), true);
        let sent = run(
            &mut adv,
            rs_at,
            next + Duration::from_millis(2_999),
            |_, _| None,
        );
        assert_eq!(multicast_times(&sent).len(), 1, "seed {seed}");
        match (adv.counters().rs_folded, sent[0].tx.reason) {
            (1, Reason::Unsolicited) => {
                assert_eq!(sent[0].at, next);
                folded += 1
            }
            (0, Reason::Solicited) => {
                assert!(sent[0].at < next);
                early += 1
            }
            other => panic!("seed {seed}: {other:?}"),
        }
    }
    assert!(folded > 60 && early > 5, "{folded} folded, {early} early");
}

#[test]
fn rs_from_unspecified_with_slla_is_dropped_and_counted() {
    let mut adv = Advertiser::new(seed_profile(), link(), 1, Instant::ZERO).unwrap();
    let last = settled(&mut adv);
    let before = adv.poll_timeout();
    let at = last + Duration::from_secs(3);
    adv.handle_solicitation(at, Ipv6Addr::UNSPECIFIED, true);
    assert_eq!(adv.counters().rs_unspecified_with_slla, 1);
    assert_eq!(adv.counters().rs_received, 0);
    assert_eq!(adv.poll_timeout(), before, "nothing scheduled");
    // From :: without SLLA it is valid, and answered by multicast even in unicast mode.
    let mut p = seed_profile();
    p.router.unicast_rs_replies = true;
    let mut adv = Advertiser::new(p, link(), 1, Instant::ZERO).unwrap();
    let last = settled(&mut adv);
    let at = last + Duration::from_secs(3);
    adv.handle_solicitation(at, Ipv6Addr::UNSPECIFIED, false);
    let t = adv.poll_timeout().unwrap();
    let sent = drain(&mut adv, t);
    assert_eq!(sent[0].tx.dst, ALL_NODES);
}

#[test]
fn unicast_replies_when_configured() {
    let mut p = seed_profile();
    p.router.unicast_rs_replies = true;
    p.set_max_interval(600_000);
    let mut adv = Advertiser::new(p, link(), 3, Instant::ZERO).unwrap();
    let sent = run(&mut adv, Instant::ZERO, Instant::from_secs(60), |_, _| None);
    let last = *multicast_times(&sent).last().unwrap();
    let at = last + Duration::from_millis(500);
    let host = addr("fe80::f816:3eff:fe79:5acc");
    adv.handle_solicitation(at, host, true);
    adv.handle_solicitation(at + Duration::from_millis(10), host, true);
    let t = adv.poll_timeout().unwrap();
    assert!(t >= at && t <= at + MAX_RA_DELAY_TIME);
    let sent = drain(&mut adv, t);
    assert_eq!(sent.len(), 1, "one answer for the repeated RS");
    assert_eq!(
        (sent[0].tx.dst, sent[0].tx.reason),
        (host, Reason::Solicited)
    );
    assert_eq!(sent[0].tx.src, addr(ROUTER_LL));
    assert_eq!(adv.counters().ra_unicast, 1);
}

#[test]
fn rs_flood_gives_at_most_one_multicast_ra_per_3s_in_constant_memory() {
    for unicast in [false, true] {
        let mut p = seed_profile();
        p.router.unicast_rs_replies = unicast;
        let mut adv = Advertiser::new(p, link(), 77, Instant::ZERO).unwrap();
        let start = Instant::from_secs(100);
        let end = start + Duration::from_secs(60);
        let mut n = 0u64;
        let mut next_rs = start;
        // The seed's RS, decoded once; each copy "arrives" from a different host.
        let rs_bytes = hex(SEED_RS);
        let packet = crate::wire::icmpv6::Packet::new_checked(&rs_bytes[..]).unwrap();
        let Repr::RouterSolicit(rs) = Repr::parse(&packet).unwrap() else {
            panic!()
        };
        // 10 000 RS/s: one every 100 µs, delivered in 1 ms batches of 10 from distinct hosts.
        let sent = run(&mut adv, Instant::ZERO, end, |adv, now| {
            while next_rs <= now && next_rs < end {
                for _ in 0..10 {
                    n += 1;
                    let m = IpMeta {
                        src: Ipv6Addr::from(0xfe80_u128 << 112 | u128::from(n)),
                        dst: addr("ff02::2"),
                        hop_limit: 255,
                        had_fragment_header: false,
                    };
                    adv.handle_rs(next_rs, &m, &rs);
                }
                next_rs += Duration::from_millis(1);
                assert!(adv.pending_unicast() <= UNICAST_QUEUE_LEN);
            }
            (next_rs < end).then_some(next_rs)
        });
        assert_eq!(n, 600_000);
        assert_eq!(adv.counters().rs_received, 600_000);
        let times: Vec<_> = multicast_times(&sent)
            .into_iter()
            .filter(|t| *t >= start)
            .collect();
        for w in times.windows(2) {
            assert!(
                w[1] - w[0] >= MIN_DELAY_BETWEEN_RAS,
                "{} then {}",
                w[0],
                w[1]
            );
        }
        assert!(times.len() <= 60 / 3 + 1, "{} multicast RAs", times.len());
        assert!(times.len() >= 60 / 4, "still answering: {}", times.len());
        if unicast {
            // Unicast answers are rate limited too.
            let uni = sent
                .iter()
                .filter(|s| s.tx.dst != ALL_NODES && s.at >= start)
                .count();
            let cap = 60 * usize::from(UNICAST_RATE_PER_SEC) + UNICAST_QUEUE_LEN;
            assert!(
                uni >= 60 * usize::from(UNICAST_RATE_PER_SEC) / 2 && uni <= cap,
                "{uni}"
            );
            assert!(adv.counters().rs_unicast_limited > 500_000);
        }
    }
}

#[test]
fn reload_keeps_the_schedule() {
    for seed in 0..50u64 {
        let mut adv = Advertiser::new(seed_profile(), link(), seed, Instant::ZERO).unwrap();
        settled(&mut adv);
        let next = adv.poll_timeout().unwrap();
        let at = back(next, Duration::from_millis(1_000));
        let mut p = seed_profile();
        p.add_prefix(Prefix::new(addr("2001:db8:beef::"), 64))
            .unwrap();
        p.router.hop_limit = 32;
        adv.reload(at, p).unwrap();
        assert_eq!(
            adv.poll_timeout(),
            Some(next),
            "seed {seed}: schedule moved"
        );
        assert!(drain(&mut adv, at).is_empty(), "no burst on reload");
        let sent = drain(&mut adv, next);
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].bytes[4], 32, "new content in the next RA");
        assert_eq!(sent[0].prefixes().len(), 2);
    }
    // A shorter MaxRtrAdvInterval pulls the next RA in; an invalid profile is refused.
    let mut p = seed_profile();
    p.set_max_interval(1_800_000);
    p.prefixes[0].valid_lifetime = 86_400;
    let mut adv = Advertiser::new(p, link(), 1, Instant::ZERO).unwrap();
    run(&mut adv, Instant::ZERO, Instant::from_secs(60), |_, _| None);
    let now = Instant::from_secs(61);
    adv.reload(now, seed_profile()).unwrap();
    let next = adv.poll_timeout().unwrap();
    assert!(next - now <= Duration::from_secs(10) && next - now >= Duration::from_millis(3_300));
    let mut bad = seed_profile();
    bad.router.lifetime_s = 5;
    assert!(adv.reload(now, bad).is_err());
    assert_eq!(adv.profile().router.lifetime_s, 30);
}

#[test]
fn removed_prefix_counts_down_then_disappears() {
    let mut adv = Advertiser::new(seed_profile(), link(), 4, Instant::ZERO).unwrap();
    settled(&mut adv);
    let t_reload = Instant::from_secs(200);
    let mut p = seed_profile();
    p.prefixes[0].prefix = Prefix::new(addr("2001:db8:beef::"), 64);
    adv.reload(t_reload, p).unwrap();
    let end = t_reload + Duration::from_secs(5_500);
    let sent = run(&mut adv, t_reload, end, |_, _| None);
    let old = addr("2001:db8:cafe::");
    let mut last_valid = u32::MAX;
    let mut last_seen = t_reload;
    for s in &sent {
        let ps = s.prefixes();
        assert!(ps
            .iter()
            .any(|(a, v, p)| *a == addr("2001:db8:beef::") && *v == 86_400 && *p == 14_400));
        if let Some((_, valid, pref)) = ps.iter().find(|(a, _, _)| *a == old) {
            assert_eq!(*pref, 0, "deprecated");
            assert!(*valid <= 5_400 && *valid < last_valid || *valid == last_valid);
            let left = 5_400 - (s.at - t_reload).secs();
            assert!((*valid as u64).abs_diff(left) <= 1, "{valid} vs {left}");
            last_valid = *valid;
            last_seen = s.at;
        }
    }
    assert!(last_valid <= 10, "counted down to {last_valid}");
    assert!(last_seen - t_reload <= Duration::from_secs(5_400));
    assert!(sent
        .last()
        .unwrap()
        .prefixes()
        .iter()
        .all(|(a, _, _)| *a != old));
    let mut withdrawn = Vec::new();
    while let Some(e) = adv.poll_event() {
        withdrawn.push(e);
    }
    assert_eq!(
        withdrawn,
        [Event::PrefixWithdrawn {
            prefix: Prefix::new(old, 64)
        }]
    );
    // Re-adding the prefix ends its countdown at once.
    let mut adv = Advertiser::new(seed_profile(), link(), 4, Instant::ZERO).unwrap();
    let mut other = seed_profile();
    other.prefixes[0].prefix = Prefix::new(addr("2001:db8:beef::"), 64);
    adv.reload(Instant::from_secs(1), other).unwrap();
    adv.reload(Instant::from_secs(2), seed_profile()).unwrap();
    let sent = drain(&mut adv, Instant::from_secs(2));
    let ps = sent[0].prefixes();
    assert_eq!(ps.iter().filter(|(a, _, _)| *a == old).count(), 1);
    assert!(ps.iter().any(|(a, v, _)| *a == old && *v == 86_400));
}

#[test]
fn prefix_kept_but_no_longer_sent_is_withdrawn_too() {
    let mut p = seed_profile();
    p.add_prefix(Prefix::new(addr("2001:db8:beef::"), 64))
        .unwrap();
    let mut adv = Advertiser::new(p.clone(), link(), 4, Instant::ZERO).unwrap();
    settled(&mut adv);
    // 2001:db8:cafe::/64 stays in the profile (say, for the DHCPv6 pool) without L, A or P.
    p.prefixes[0].on_link = false;
    p.prefixes[0].autonomous = false;
    adv.reload(Instant::from_secs(200), p).unwrap();
    let t = adv.poll_timeout().unwrap().max(Instant::from_secs(200));
    let ps = drain(&mut adv, t)[0].prefixes();
    assert_eq!(ps.len(), 2);
    let (_, valid, preferred) = *ps
        .iter()
        .find(|(a, _, _)| *a == addr("2001:db8:cafe::"))
        .unwrap();
    assert_eq!(preferred, 0);
    assert!(valid <= 5_400 && valid > 5_200, "{valid}");
}

#[test]
fn short_valid_lifetime_counts_down_from_itself() {
    let mut p = seed_profile();
    p.prefixes[0].valid_lifetime = 600;
    p.prefixes[0].preferred_lifetime = 300;
    let mut adv = Advertiser::new(p, link(), 4, Instant::ZERO).unwrap();
    settled(&mut adv);
    let mut q = seed_profile();
    q.prefixes[0].prefix = Prefix::new(addr("2001:db8:beef::"), 64);
    adv.reload(Instant::from_secs(200), q).unwrap();
    let t = adv.poll_timeout().unwrap().max(Instant::from_secs(200));
    let sent = drain(&mut adv, t);
    let (_, v, _) = sent[0].prefixes()[1];
    assert!(v <= 600 && v > 580, "{v}");
}

#[test]
fn stop_sends_three_final_ras_with_lifetime_zero() {
    for seed in 0..20u64 {
        let mut adv = Advertiser::new(seed_profile(), link(), seed, Instant::ZERO).unwrap();
        let last = settled(&mut adv);
        let at = last + Duration::from_millis(500);
        adv.stop(at);
        adv.stop(at);
        adv.handle_solicitation(at, addr("fe80::1"), true);
        assert_eq!(adv.counters().rs_while_stopped, 1);
        let sent = run(&mut adv, at, at + Duration::from_secs(60), |_, _| None);
        assert_eq!(sent.len(), 3, "seed {seed}");
        for s in &sent {
            assert_eq!(s.tx.reason, Reason::Final);
            assert_eq!(s.tx.dst, ALL_NODES);
            assert_eq!(s.router_lifetime(), 0);
            assert_eq!(s.prefixes().len(), 1, "still carries the options");
        }
        assert_eq!(sent[0].at, last + MIN_DELAY_BETWEEN_RAS);
        for w in sent.windows(2) {
            assert_eq!(w[1].at - w[0].at, MIN_DELAY_BETWEEN_RAS);
        }
        assert!(adv.is_stopped());
        assert_eq!(adv.poll_timeout(), None);
        assert_eq!(adv.poll_event(), Some(Event::Stopped));
        assert!(drain(&mut adv, Instant::from_secs(10_000)).is_empty());
    }
}

/// A profile whose RA is far larger than 1280 bytes.
fn big_profile() -> Profile<32> {
    let mut p: Profile<32> = Profile::new(Mode::Slaac);
    p.set_max_interval(10_000);
    p.router.source_link_layer = Some(SEED_MAC);
    p.mtu = Some(1280);
    for i in 0..32u16 {
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
    for i in 1..=4u16 {
        p.dns
            .servers
            .push(Ipv6Addr::new(0x2001, 0xdb8, 0xa, 0, 0, 0, 0, i))
            .unwrap();
    }
    let label = "a".repeat(60);
    for _ in 0..4 {
        p.dns.search_list.push(&label).unwrap();
    }
    p.captive_portal = Some(heapless::String::try_from("https://portal.example/api").unwrap());
    p
}

#[test]
fn ra_larger_than_the_mtu_is_split_and_each_part_fits() {
    let p = big_profile();
    let whole: usize = 16 + 32 * 32 + 8 * 16 + (8 + 64) + (8 + 248) + 32 + 8 + 8;
    assert!(whole > 1240);
    let mut adv = Advertiser::new(
        p.clone(),
        Link {
            mtu: 9000,
            ..link()
        },
        1,
        Instant::ZERO,
    )
    .unwrap();
    let sent = drain(&mut adv, Instant::ZERO);
    assert!(sent.len() >= 2, "{} parts", sent.len());
    let mut union: Vec<Vec<u8>> = Vec::new();
    for (i, s) in sent.iter().enumerate() {
        assert!(s.tx.len <= 1280 - 40, "part {i}: {} bytes", s.tx.len);
        assert_eq!(usize::from(s.tx.part), i);
        assert_eq!(s.tx.last_part, i + 1 == sent.len());
        assert_eq!(&s.bytes[..2], &sent[0].bytes[..2]);
        assert_eq!(&s.bytes[4..16], &sent[0].bytes[4..16], "same header");
        let opts = s.options();
        // Every part repeats MTU and SLLA.
        assert!(opts.iter().any(|(t, _)| *t == 5));
        assert!(opts.iter().any(|(t, _)| *t == 1));
        for (t, o) in opts {
            if t != 5 && t != 1 {
                union.push(o.to_vec());
            }
        }
    }
    assert_eq!(union.len(), 32 + 8 + 1 + 1 + 1, "every option exactly once");
    assert_eq!(
        sent.iter().map(|s| s.tx.len).sum::<usize>(),
        whole + (sent.len() - 1) * 32
    );
    assert_eq!(adv.counters().packets, sent.len() as u64);
    assert_eq!(adv.counters().ra_multicast, 1);
    // A smaller buffer just gives smaller parts.
    let mut adv = Advertiser::new(p, link(), 1, Instant::ZERO).unwrap();
    let mut buf = [0u8; 400];
    let mut parts = 0;
    while let Some(tx) = adv.poll_transmit(Instant::ZERO, &mut buf) {
        assert!(tx.len <= 400);
        parts += 1;
    }
    assert!(parts >= 4);
    // A buffer that cannot hold the header and repeated options abandons the RA, counted.
    let mut adv = Advertiser::new(big_profile(), link(), 1, Instant::ZERO).unwrap();
    let mut tiny = [0xaau8; 31];
    assert_eq!(adv.poll_transmit(Instant::ZERO, &mut tiny), None);
    assert_eq!(tiny, [0xaa; 31], "buffer untouched");
    assert_eq!(adv.counters().buffer_too_small, 1);
}

#[test]
fn advertised_mtu_above_the_interface_is_refused() {
    let mut p = seed_profile();
    p.mtu = Some(1500);
    let l = Link {
        mtu: 1400,
        ..link()
    };
    let e = Advertiser::new(p.clone(), l, 1, Instant::ZERO).unwrap_err();
    assert_eq!(
        e,
        crate::profile::ProfileError::MtuAboveLink {
            mtu: 1500,
            link_mtu: 1400
        }
    );
    assert_eq!(
        std::string::ToString::to_string(&e),
        "advertised MTU 1500 is above the interface MTU 1400"
    );
    let mut adv = Advertiser::new(seed_profile(), l, 1, Instant::ZERO).unwrap();
    assert_eq!(adv.reload(Instant::ZERO, p.clone()), Err(e));
    p.mtu = Some(1400);
    assert_eq!(adv.reload(Instant::ZERO, p), Ok(()));
}

#[test]
fn size_of_an_advertiser_with_4_prefixes() {
    let size = core::mem::size_of::<Advertiser<4>>();
    std::println!(
        "size_of::<Advertiser<4>>() = {size}, Profile<4> = {}, Event = {}, Advertiser<1> = {}, Advertiser<16> = {}",
        core::mem::size_of::<Profile<4>>(),
        core::mem::size_of::<Event>(),
        core::mem::size_of::<Advertiser<1>>(),
        core::mem::size_of::<Advertiser<16>>()
    );
    assert!(size < 4096, "{size}");
}

#[test]
fn other_routers_inconsistencies_become_events() {
    let mut p = seed_profile();
    p.mtu = Some(1500);
    p.router.reachable_time_ms = 30_000;
    let mut adv = Advertiser::new(p, link(), 1, Instant::ZERO).unwrap();
    let peer = addr("fe80::2");
    let agreeing = PeerHeader {
        cur_hop_limit: 0,
        managed: false,
        other_config: false,
        reachable_time_ms: 0,
        retrans_timer_ms: 1_000,
    };
    let ours = Prefix::new(addr("2001:db8:cafe::"), 64);
    let theirs_only = Prefix::new(addr("2001:db8:ffff::"), 64);
    adv.handle_peer_advert(
        Instant::ZERO,
        peer,
        agreeing,
        [1500].into_iter(),
        [(ours, 86_400, 14_400), (theirs_only, 1, 1)].into_iter(),
    );
    assert_eq!(
        adv.poll_event(),
        None,
        "unspecified values and foreign prefixes are fine"
    );
    let disagreeing = PeerHeader {
        cur_hop_limit: 255,
        managed: true,
        other_config: true,
        reachable_time_ms: 10_000,
        retrans_timer_ms: 0,
    };
    adv.handle_peer_advert(
        Instant::ZERO,
        peer,
        disagreeing,
        [1400].into_iter(),
        [(ours, 3_600, 1_800)].into_iter(),
    );
    let mut got = Vec::new();
    while let Some(Event::Inconsistent { router, what }) = adv.poll_event() {
        assert_eq!(router, peer);
        got.push(what);
    }
    assert_eq!(
        got,
        [
            Inconsistency::CurHopLimit {
                ours: 64,
                theirs: 255
            },
            Inconsistency::Managed { ours: false },
            Inconsistency::OtherConfig { ours: false },
            Inconsistency::ReachableTime {
                ours: 30_000,
                theirs: 10_000
            },
            Inconsistency::Mtu {
                ours: 1500,
                theirs: 1400
            },
            Inconsistency::ValidLifetime {
                prefix: ours,
                ours: 86_400,
                theirs: 3_600
            },
            Inconsistency::PreferredLifetime {
                prefix: ours,
                ours: 14_400,
                theirs: 1_800
            },
        ]
    );
    assert_eq!(adv.counters().ra_inconsistent, 7);
    assert_eq!(adv.counters().ra_received, 2);
    // Our own RA looped back is not checked.
    adv.handle_peer_advert(
        Instant::ZERO,
        addr(ROUTER_LL),
        disagreeing,
        [].into_iter(),
        [].into_iter(),
    );
    assert_eq!((adv.counters().ra_own, adv.poll_event()), (1, None));
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// The seed's RAs, full bytes with checksums (the nd helper's golden tests, made with scapy).
const SEED_SLAAC_RA: &str = "8600d68e4000001e0000000000000000030440c000015180000038400000000020010db8cafe000000000000000000000101fa163ec317b4";
const SEED_STATEFUL_RA: &str = "8600012b4080001e00000000000000000101fa163e77e5a0";
const SEED_STATELESS_RA: &str = "86008d134040001e0000000000000000030440c000015180000038400000000020010db8cafe000200000000000000000101fa163ec1bc52";
const SEED_RS: &str = "85005875000000000101fa163e795acc";

/// [`every_option_of_the_profile_reaches_the_wire`]'s RA from fe80::f816:3eff:fec3:17b4 to
/// ff02::1.
const ALL_OPTIONS_RA: &str = "860073114000001e00007530000003e8030440d000015180000038400000000020010db8cafe00000000000000000000180230180000070820010db801000000190300000000001e20010db8cafe000a000000000000000e1f0300000000001e0e6f70656e737461636b6c6f63616c00260200200064ff9b0000000000000000250468747470733a2f2f706f7274616c2e6578616d706c652f6170690000000005010000000005dc0101fa163ec317b4";

fn first_ra<const P: usize>(p: Profile<P>, link_local: &str) -> Vec<u8> {
    let l = Link {
        link_local: addr(link_local),
        mtu: 1500,
    };
    let mut adv = Advertiser::new(p, l, 1, Instant::ZERO).unwrap();
    let sent = drain(&mut adv, Instant::ZERO);
    assert_eq!(sent.len(), 1);
    sent[0].bytes.clone()
}

#[test]
fn seed_slaac_link_emits_the_seeds_ra_exactly() {
    assert_eq!(first_ra(seed_profile(), ROUTER_LL), hex(SEED_SLAAC_RA));
}

#[test]
fn seed_stateless_link_emits_the_seeds_ra_exactly() {
    let mut p: Profile<4> = Profile::new(Mode::Dhcpv6Stateless);
    p.set_max_interval(10_000);
    p.router.source_link_layer = Some([0xfa, 0x16, 0x3e, 0xc1, 0xbc, 0x52]);
    p.add_prefix(Prefix::new(addr("2001:db8:cafe:2::"), 64))
        .unwrap();
    p.dns.servers.push(addr("2001:db8:cafe:a::e")).unwrap();
    p.dns.in_ra = false;
    assert_eq!(
        first_ra(p, "fe80::f816:3eff:fec1:bc52"),
        hex(SEED_STATELESS_RA)
    );
}

#[test]
fn seed_stateful_link_emits_the_seeds_ra_exactly() {
    let mut p: Profile<4> = Profile::new(Mode::Dhcpv6Stateful);
    p.set_max_interval(10_000);
    p.router.source_link_layer = Some([0xfa, 0x16, 0x3e, 0x77, 0xe5, 0xa0]);
    // The seed's stateful RA carries no Prefix Information: the prefix only bounds the pool.
    p.add_prefix(Prefix::new(addr("2001:db8:cafe:1::"), 64))
        .unwrap()
        .on_link = false;
    p.dhcpv6.pool = Some(crate::profile::AddressPool {
        start: addr("2001:db8:cafe:1::2"),
        end: addr("2001:db8:cafe:1:ffff:ffff:ffff:fffe"),
    });
    p.dns.servers.push(addr("2001:db8:cafe:a::e")).unwrap();
    p.dns.in_ra = false;
    assert_eq!(
        first_ra(p, "fe80::f816:3eff:fe77:e5a0"),
        hex(SEED_STATEFUL_RA)
    );
}

#[test]
fn mode_maps_to_m_o_a_on_the_emitted_bytes() {
    // DESIGN.md's table, read back from the wire with the ND codec.
    for (mode, m, o, a) in [
        (Mode::Slaac, false, false, true),
        (Mode::Dhcpv6Stateless, false, true, true),
        (Mode::Dhcpv6Stateful, true, false, false),
    ] {
        let mut p: Profile<4> = Profile::new(mode);
        p.add_prefix(Prefix::new(addr("2001:db8:1::"), 64)).unwrap();
        p.dhcpv6.pool = Some(crate::profile::AddressPool {
            start: addr("2001:db8:1::100"),
            end: addr("2001:db8:1::1ff"),
        });
        p.router.preference = Preference::High;
        let bytes = first_ra(p, ROUTER_LL);
        let Ok(Repr::RouterAdvert(ra)) = Repr::parse_verified(&bytes, &addr(ROUTER_LL), &ALL_NODES)
        else {
            panic!("{mode}: not an RA")
        };
        assert_eq!((ra.managed, ra.other), (m, o), "{mode}");
        assert_eq!(ra.router_preference, RouterPreference::High);
        assert_eq!(ra.router_lifetime, 1800);
        let pios: Vec<PrefixInformation> = ra
            .options
            .iter()
            .filter_map(|o| match o {
                NdOption::PrefixInformation(p) => Some(p),
                _ => None,
            })
            .collect();
        assert_eq!(pios.len(), 1, "{mode}");
        assert!(pios[0].on_link, "{mode}: L=1");
        assert_eq!(pios[0].autonomous, a, "{mode}: A");
        assert_eq!(
            (pios[0].valid_lifetime, pios[0].preferred_lifetime),
            (86_400, 14_400)
        );
    }
}

#[test]
fn every_option_of_the_profile_reaches_the_wire() {
    let mut p = seed_profile();
    p.mtu = Some(1500);
    p.router.reachable_time_ms = 30_000;
    p.router.retrans_timer_ms = 1_000;
    p.prefixes[0].pd_preferred = true;
    p.routes
        .push(AdvRoute {
            prefix: Prefix::new(addr("2001:db8:100::"), 48),
            preference: Preference::Low,
            lifetime: 1800,
        })
        .unwrap();
    p.dns.servers.push(addr("2001:db8:cafe:a::e")).unwrap();
    p.dns.search_list.push("openstacklocal").unwrap();
    p.pref64 = Some(crate::profile::Pref64 {
        prefix: Prefix::new(addr("64:ff9b::"), 96),
        lifetime: 30,
    });
    p.captive_portal = Some(heapless::String::try_from("https://portal.example/api").unwrap());
    let bytes = first_ra(p, ROUTER_LL);
    // Pinned after decoding it with tshark 4.0.17 (`tshark -V`: checksum [correct], every option
    // and field as configured) and scapy 2.x (checksum recomputed equal).
    assert_eq!(bytes, hex(ALL_OPTIONS_RA));
    let Ok(Repr::RouterAdvert(ra)) = Repr::parse_verified(&bytes, &addr(ROUTER_LL), &ALL_NODES)
    else {
        panic!()
    };
    assert_eq!((ra.reachable_time, ra.retrans_timer), (30_000, 1_000));
    let text = std::format!("{ra}");
    for want in [
        "2001:db8:cafe::/64",
        "route info option (24)",
        "2001:db8:100::/48",
        "rdnss option (25)",
        "2001:db8:cafe:a::e",
        "openstacklocal",
        "pref64 option (38)",
        "64:ff9b::/96",
        "captive portal option (37)",
        "https://portal.example/api",
        "mtu option (5)",
        "fa:16:3e:c3:17:b4",
    ] {
        assert!(text.contains(want), "{want} missing from\n{text}");
    }
    let kinds: Vec<u8> = ra.options.iter().map(|o| o.option_type().into()).collect();
    assert_eq!(kinds, [3, 24, 25, 31, 38, 37, 5, 1]);
    let pio = ra.options.iter().find_map(|o| match o {
        NdOption::PrefixInformation(p) => Some(p),
        _ => None,
    });
    assert!(pio.unwrap().pd_preferred, "P flag (RFC 9762)");
    let p64 = ra.options.iter().find_map(|o| match o {
        NdOption::Pref64(p) => Some(p),
        _ => None,
    });
    assert_eq!(
        p64.unwrap().lifetime_secs(),
        32,
        "30 s rounded up to 8 s units"
    );
}

fn meta(src: &str, dst: &str, hop_limit: u8) -> IpMeta {
    IpMeta {
        src: addr(src),
        dst: addr(dst),
        hop_limit,
        had_fragment_header: false,
    }
}

#[test]
fn the_seeds_rs_bytes_get_an_answer() {
    let mut adv = Advertiser::new(seed_profile(), link(), 2, Instant::ZERO).unwrap();
    let last = settled(&mut adv);
    let at = last + Duration::from_secs(3);
    let host = "fe80::f816:3eff:fe79:5acc";
    adv.handle_icmpv6(at, &meta(host, "ff02::2", 255), &hex(SEED_RS));
    assert_eq!(adv.counters().rs_received, 1);
    let t = adv.poll_timeout().unwrap();
    assert!(t >= at && t <= at + MAX_RA_DELAY_TIME);
    assert_eq!(drain(&mut adv, t)[0].tx.reason, Reason::Solicited);
    // Hop limit 254: off-link, dropped (RFC 4861 §6.1.1).
    adv.handle_icmpv6(at, &meta(host, "ff02::2", 254), &hex(SEED_RS));
    assert_eq!(adv.counters().rs_invalid, 1);
    // Corrupted: bad checksum.
    let mut bad = hex(SEED_RS);
    bad[10] ^= 1;
    adv.handle_icmpv6(at, &meta(host, "ff02::2", 255), &bad);
    assert_eq!(adv.counters().nd_malformed, 1);
    // From :: with an SLLA (the checksum made right for ::).
    let mac = [0xfa, 0x16, 0x3e, 0x79, 0x5a, 0xcc];
    let opts = [NdOption::SourceLinkLayerAddress(LinkLayerAddress::new(
        &mac,
    ))];
    let rs = RouterSolicitRepr {
        options: OptionsRepr::List(&opts),
    };
    let mut b = [0u8; 16];
    let n = Repr::RouterSolicit(rs)
        .emit(&Ipv6Addr::UNSPECIFIED, &addr("ff02::2"), &mut b)
        .unwrap();
    adv.handle_icmpv6(at, &meta("::", "ff02::2", 255), &b[..n]);
    assert_eq!(adv.counters().rs_unspecified_with_slla, 1);
    assert_eq!(adv.counters().rs_received, 1);
}

#[test]
fn another_routers_ra_bytes_are_checked() {
    let mut adv = Advertiser::new(seed_profile(), link(), 2, Instant::ZERO).unwrap();
    // The seed's stateless RA, heard on our SLAAC link: O differs, nothing else.
    let other = "fe80::f816:3eff:fec1:bc52";
    adv.handle_icmpv6(
        Instant::ZERO,
        &meta(other, "ff02::1", 255),
        &hex(SEED_STATELESS_RA),
    );
    assert_eq!(
        adv.poll_event(),
        Some(Event::Inconsistent {
            router: addr(other),
            what: Inconsistency::OtherConfig { ours: false }
        })
    );
    assert_eq!(adv.poll_event(), None);
    // Hop limit 64: not from the link (RFC 4861 §6.1.2), dropped.
    adv.handle_icmpv6(
        Instant::ZERO,
        &meta(other, "ff02::1", 64),
        &hex(SEED_STATELESS_RA),
    );
    assert_eq!(adv.counters().ra_invalid, 1);
    assert_eq!(adv.poll_event(), None);
    // Our own RA, looped back.
    adv.handle_icmpv6(
        Instant::ZERO,
        &meta(ROUTER_LL, "ff02::1", 255),
        &hex(SEED_SLAAC_RA),
    );
    assert_eq!(adv.counters().ra_own, 1);
    let ra = RouterAdvertRepr {
        cur_hop_limit: 64,
        managed: false,
        other: false,
        home_agent: false,
        proxy: false,
        router_preference: RouterPreference::Medium,
        router_lifetime: 30,
        reachable_time: 0,
        retrans_timer: 0,
        options: OptionsRepr::NONE,
    };
    adv.handle_ra(Instant::ZERO, &meta("2001:db8::1", "ff02::1", 255), &ra);
    assert_eq!(adv.counters().ra_invalid, 2, "source not link-local");
}

mod prop {
    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    enum Input {
        Rs { after_ms: u64, host: u8, slla: bool },
        Reload { after_ms: u64, drop_first: bool },
        Stop { after_ms: u64 },
        Idle { after_ms: u64 },
    }

    fn input() -> impl Strategy<Value = Input> {
        prop_oneof![
            6 => (0..5_000u64, any::<u8>(), any::<bool>())
                .prop_map(|(after_ms, host, slla)| Input::Rs { after_ms, host, slla }),
            1 => (0..60_000u64, any::<bool>())
                .prop_map(|(after_ms, drop_first)| Input::Reload { after_ms, drop_first }),
            1 => (0..60_000u64).prop_map(|after_ms| Input::Stop { after_ms }),
            2 => (0..600_000u64).prop_map(|after_ms| Input::Idle { after_ms }),
        ]
    }

    fn profile(n: usize, max_s: u32, unicast: bool, mtu: Option<u32>) -> Profile<4> {
        let mut p = seed_profile();
        p.set_max_interval(max_s * 1000);
        p.router.unicast_rs_replies = unicast;
        p.mtu = mtu;
        for i in 1..n {
            p.add_prefix(Prefix::new(
                Ipv6Addr::new(0x2001, 0xdb8, i as u16, 0, 0, 0, 0, 0),
                64,
            ))
            .unwrap();
        }
        p
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

        /// Whatever arrives and whenever: multicast RAs stay 3 s apart, every packet fits the
        /// buffer and parses as an option walk, nothing panics, memory is bounded.
        #[test]
        fn invariants_hold_under_any_input(
            seed in any::<u64>(),
            n in 1usize..=4,
            max_s in 4u32..=1800,
            unicast in any::<bool>(),
            buf_len in 40usize..1500,
            inputs in proptest::collection::vec(input(), 0..60),
        ) {
            let mut adv = Advertiser::new(profile(n, max_s, unicast, None), link(), seed, Instant::ZERO).unwrap();
            let mut now = Instant::ZERO;
            let mut last_mc: Option<Instant> = None;
            let mut buf = std::vec![0u8; buf_len];
            let mut step = |adv: &mut Advertiser<4>, until: Instant, now: &mut Instant| {
                loop {
                    adv.handle_timeout(*now);
                    while let Some(tx) = adv.poll_transmit(*now, &mut buf) {
                        prop_assert!(tx.len <= buf_len && tx.len >= 16);
                        let s = Sent { at: *now, tx, bytes: buf[..tx.len].to_vec() };
                        let _ = s.options();
                        if tx.dst == ALL_NODES && tx.part == 0 {
                            if let Some(l) = last_mc {
                                prop_assert!(*now - l >= MIN_DELAY_BETWEEN_RAS, "{} after {}", now, l);
                            }
                            last_mc = Some(*now);
                        }
                    }
                    prop_assert!(adv.pending_unicast() <= UNICAST_QUEUE_LEN);
                    match adv.poll_timeout() {
                        Some(t) if t <= until => *now = t.max(*now),
                        _ => break,
                    }
                }
                *now = until.max(*now);
                Ok(())
            };
            for i in inputs {
                match i {
                    Input::Rs { after_ms, host, slla } => {
                        step(&mut adv, now + Duration::from_millis(after_ms), &mut now)?;
                        let src = if host == 0 { Ipv6Addr::UNSPECIFIED } else { Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, u16::from(host)) };
                        adv.handle_solicitation(now, src, slla);
                    }
                    Input::Reload { after_ms, drop_first } => {
                        step(&mut adv, now + Duration::from_millis(after_ms), &mut now)?;
                        let mut p = profile(n, max_s, unicast, Some(1280));
                        if drop_first {
                            p.prefixes[0].prefix = Prefix::new(addr("2001:db8:ffff::"), 64);
                        }
                        prop_assert!(adv.reload(now, p).is_ok());
                    }
                    Input::Stop { after_ms } => {
                        step(&mut adv, now + Duration::from_millis(after_ms), &mut now)?;
                        adv.stop(now);
                    }
                    Input::Idle { after_ms } => {
                        step(&mut adv, now + Duration::from_millis(after_ms), &mut now)?;
                    }
                }
                while adv.poll_event().is_some() {}
            }
        }
    }
}

mod prop_delegated {
    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    enum Op {
        /// Delegate /64 number `which` with these lifetimes left (seconds; preferred may be 0).
        Set {
            which: u8,
            preferred: u32,
            valid: u32,
        },
        Withdraw {
            which: u8,
        },
        Idle {
            after_ms: u64,
        },
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            3 => (0u8..6, 0u32..20_000, 0u32..20_000)
                .prop_map(|(which, preferred, valid)| Op::Set { which, preferred, valid }),
            1 => (0u8..6).prop_map(|which| Op::Withdraw { which }),
            3 => (0..900_000u64).prop_map(|after_ms| Op::Idle { after_ms }),
        ]
    }

    fn sub(which: u8) -> Ipv6Addr {
        Ipv6Addr::new(0x2001, 0xdb8, 0, u16::from(which), 0, 0, 0, 0)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

        /// Whatever the delegations do: a PIO never offers more than is left of its
        /// delegation nor more than RFC 9096's limits, preferred never exceeds valid, a prefix
        /// appears at most once per RA, a withdrawn one goes out 0/0, the table stays bounded,
        /// and the router lifetime is 0 exactly when no delegated prefix is live.
        #[test]
        fn delegated_lifetimes_stay_within_the_delegation(
            seed in any::<u64>(),
            ops in proptest::collection::vec(op(), 0..40),
        ) {
            let mut p = seed_profile();
            p.prefixes.clear();
            p.prefix_from_delegation = true;
            let mut adv = Advertiser::new(p, link(), seed, Instant::ZERO).unwrap();
            adv.set_default_router_needs_prefix(true);
            let mut now = Instant::ZERO;
            // Deadlines given per prefix (valid_until), and withdrawn ones.
            let mut given: std::collections::BTreeMap<u8, Instant> = Default::default();
            let mut withdrawn: std::collections::BTreeSet<u8> = Default::default();
            let mut buf = [0u8; 1500];
            for o in ops {
                match o {
                    Op::Set { which, preferred, valid } => {
                        let pu = now + Duration::from_secs(u64::from(preferred.min(valid)));
                        let vu = now + Duration::from_secs(u64::from(valid));
                        let a = crate::profile::AdvPrefix::for_mode(Mode::Slaac, Prefix::new(sub(which), 64));
                        if adv.set_delegated_prefix(now, a, pu, vu).is_ok() {
                            given.insert(which, vu);
                            withdrawn.remove(&which);
                        } else {
                            prop_assert_eq!(adv.delegated_prefixes().len(), 4);
                        }
                    }
                    Op::Withdraw { which } => {
                        if adv.withdraw_delegated_prefix(now, Prefix::new(sub(which), 64)) {
                            given.remove(&which);
                            withdrawn.insert(which);
                        }
                    }
                    Op::Idle { after_ms } => now += Duration::from_millis(after_ms),
                }
                adv.handle_timeout(now);
                while let Some(tx) = adv.poll_transmit(now, &mut buf) {
                    let s = Sent { at: now, tx, bytes: buf[..tx.len].to_vec() };
                    let ps = s.prefixes();
                    for (i, (a, valid, pref)) in ps.iter().enumerate() {
                        prop_assert!(ps.iter().skip(i + 1).all(|q| q.0 != *a), "{a} twice");
                        prop_assert!(pref <= valid);
                        prop_assert!(u64::from(*valid) <= ND_VALID_LIMIT.secs());
                        prop_assert!(u64::from(*pref) <= ND_PREFERRED_LIMIT.secs());
                        let which = a.segments()[3] as u8;
                        if let Some(vu) = given.get(&which).filter(|vu| **vu > now) {
                            let left = vu.saturating_duration_since(now).secs();
                            prop_assert!(u64::from(*valid) <= left, "{valid} > {left}");
                        } else {
                            // Withdrawn or expired: stale.
                            prop_assert_eq!((*valid, *pref), (0, 0));
                        }
                    }
                    let live = adv.delegated_prefixes().iter().any(|d| d.valid_until > now);
                    if tx.reason != Reason::Final {
                        prop_assert_eq!(s.router_lifetime() == 0, !live);
                    }
                }
                prop_assert!(adv.delegated_prefixes().len() <= 4);
                while adv.poll_event().is_some() {}
            }
        }
    }
}

#[test]
fn removing_a_prefix_that_was_never_advertised_withdraws_nothing() {
    let mut p: Profile<4> = Profile::new(Mode::Dhcpv6Stateful);
    p.add_prefix(Prefix::new(addr("2001:db8:cafe:1::"), 64))
        .unwrap()
        .on_link = false;
    p.dhcpv6.pool = Some(crate::profile::AddressPool {
        start: addr("2001:db8:cafe:1::2"),
        end: addr("2001:db8:cafe:1::ff"),
    });
    let mut adv = Advertiser::new(p.clone(), link(), 1, Instant::ZERO).unwrap();
    assert!(drain(&mut adv, Instant::ZERO)[0].prefixes().is_empty());
    let mut q = p.clone();
    q.prefixes[0].prefix = Prefix::new(addr("2001:db8:cafe:2::"), 64);
    q.dhcpv6.pool = Some(crate::profile::AddressPool {
        start: addr("2001:db8:cafe:2::2"),
        end: addr("2001:db8:cafe:2::ff"),
    });
    adv.reload(Instant::from_secs(1), q).unwrap();
    let sent = run(
        &mut adv,
        Instant::from_secs(1),
        Instant::from_secs(60),
        |_, _| None,
    );
    assert!(sent.len() >= 3);
    assert!(sent.iter().all(|s| s.prefixes().is_empty()));
    assert_eq!(adv.poll_event(), None);
}

/// A LAN link whose prefix comes from a delegation: no prefix of its own.
fn delegated_link() -> Advertiser<4> {
    let mut p = seed_profile();
    p.prefixes.clear();
    assert!(
        p.validate().is_err(),
        "a SLAAC link needs an autonomous prefix ..."
    );
    p.prefix_from_delegation = true;
    let mut adv = Advertiser::new(p, link(), 9, Instant::ZERO).unwrap();
    adv.set_default_router_needs_prefix(true);
    adv
}

fn lan_prefix(s: &str) -> crate::profile::AdvPrefix {
    crate::profile::AdvPrefix::for_mode(Mode::Slaac, Prefix::new(addr(s), 64))
}

#[test]
fn delegated_prefix_lifetimes_count_down_and_never_exceed_the_delegation() {
    let mut adv = delegated_link();
    // Before any delegation: RAs, no PIO, router lifetime 0 (odhcpd's "no public prefix").
    let first = drain(&mut adv, Instant::ZERO);
    assert_eq!(first.len(), 1);
    assert!(first[0].prefixes().is_empty());
    assert_eq!(first[0].router_lifetime(), 0);

    // A /64 of a delegation with 600 s preferred, 1200 s valid left, given at 20 s.
    let t = Instant::from_secs(20);
    adv.set_delegated_prefix(
        t,
        lan_prefix("2001:db8:0:1::"),
        t + Duration::from_secs(600),
        t + Duration::from_secs(1_200),
    )
    .unwrap();
    // Announced at once (not at the next scheduled RA), with the router lifetime back.
    assert!(adv.poll_timeout().unwrap() <= Instant::from_secs(20));
    let sent = drain(&mut adv, t);
    assert_eq!(sent[0].prefixes(), [(addr("2001:db8:0:1::"), 1_200, 600)]);
    assert_eq!(sent[0].router_lifetime(), 30);
    // Later RAs carry what is left, never more.
    let sent = run(&mut adv, t, Instant::from_secs(1_100), |_, _| None);
    assert!(sent.len() > 50);
    for s in &sent {
        let left = 1_220 - (s.at.total_millis() / 1000);
        let (a, valid, pref) = s.prefixes()[0];
        assert_eq!(a, addr("2001:db8:0:1::"));
        assert!(
            u64::from(valid) <= left && u64::from(valid) + 1 >= left,
            "{valid} vs {left}"
        );
        assert!(u64::from(pref) <= 620u64.saturating_sub(s.at.total_millis() / 1000));
        assert!(pref <= valid);
    }
}

#[test]
fn delegated_prefix_lifetimes_are_capped_by_rfc9096_limits_and_configuration() {
    let mut adv = delegated_link();
    settled(&mut adv);
    let t = Instant::from_secs(100);
    let mut p = lan_prefix("2001:db8:0:1::");
    p.valid_lifetime = crate::profile::INFINITE;
    p.preferred_lifetime = crate::profile::INFINITE;
    let long = t + Duration::from_secs(86_400);
    adv.set_delegated_prefix(t, p, long, long).unwrap();
    let t2 = adv.poll_timeout().unwrap().max(t);
    let ps = drain(&mut adv, t2)[0].prefixes();
    assert_eq!(ps, [(addr("2001:db8:0:1::"), 5_400, 2_700)]);
    // A configured lifetime below the limits wins.
    p.valid_lifetime = 1_000;
    p.preferred_lifetime = 500;
    adv.set_delegated_prefix(t2, p, long, long).unwrap();
    let t3 = adv.poll_timeout().unwrap().max(t2);
    let ps = drain(&mut adv, t3)[0].prefixes();
    assert_eq!(ps, [(addr("2001:db8:0:1::"), 1_000, 500)]);
}

#[test]
fn a_changed_delegation_deprecates_the_old_prefix_then_withdrawal_makes_it_stale() {
    let mut adv = delegated_link();
    let t0 = Instant::from_secs(1);
    let end = |t: Instant| t + Duration::from_secs(3_000);
    adv.set_delegated_prefix(t0, lan_prefix("2001:db8:0:1::"), end(t0), end(t0))
        .unwrap();
    let _ = run(&mut adv, t0, Instant::from_secs(100), |_, _| None);
    // At 100 s a new delegation arrives; the old one is still valid for 2901 s: deprecated.
    let t = Instant::from_secs(100);
    adv.set_delegated_prefix(t, lan_prefix("2001:db8:0:2::"), end(t), end(t))
        .unwrap();
    adv.set_delegated_prefix(t, lan_prefix("2001:db8:0:1::"), t, end(t0))
        .unwrap();
    let due = adv.poll_timeout().unwrap();
    assert!(
        due <= t + MIN_DELAY_BETWEEN_RAS,
        "announced promptly: {due:?}"
    );
    let sent = run(&mut adv, t, Instant::from_secs(200), |_, _| None);
    let first = &sent[0];
    let ps = first.prefixes();
    let new = ps.iter().find(|p| p.0 == addr("2001:db8:0:2::")).unwrap();
    let left = 3_000 - (first.at - t).secs() as u32;
    assert!(
        new.1 <= left && new.1 + 1 >= left && new.2 == 2_700,
        "{new:?}"
    );
    let old = ps.iter().find(|p| p.0 == addr("2001:db8:0:1::")).unwrap();
    assert_eq!(old.2, 0, "preferred 0");
    assert!(
        old.1 > 2_800 && old.1 <= 2_901,
        "valid counting down: {}",
        old.1
    );
    // Three RAs at the initial pace follow the change (RFC 4861 §6.2.4).
    let early = multicast_times(&sent)
        .into_iter()
        .filter(|a| *a <= t + Duration::from_secs(3 * 16 + 3))
        .count();
    assert!(early >= 3, "{early}");

    // The server withdraws the old prefix: stale, both lifetimes 0 (RFC 9096 §3.5) ...
    let t = Instant::from_secs(200);
    assert!(adv.withdraw_delegated_prefix(t, Prefix::new(addr("2001:db8:0:1::"), 64)));
    assert!(!adv.withdraw_delegated_prefix(t, Prefix::new(addr("2001:db8:0:9::"), 64)));
    let sent = run(&mut adv, t, Instant::from_secs(300), |_, _| None);
    for s in &sent {
        assert!(s.prefixes().contains(&(addr("2001:db8:0:1::"), 0, 0)));
        assert_eq!(s.router_lifetime(), 30);
    }
    // ... for ND_VALID_LIMIT, then no longer sent, and reported.
    let gone = t + ND_VALID_LIMIT;
    let sent = run(
        &mut adv,
        Instant::from_secs(300),
        gone + Duration::from_secs(60),
        |_, _| None,
    );
    for s in sent.iter().filter(|s| s.at >= gone) {
        assert!(s.prefixes().iter().all(|p| p.0 != addr("2001:db8:0:1::")));
    }
    assert!(sent
        .iter()
        .any(|s| s.at < gone && s.prefixes().contains(&(addr("2001:db8:0:1::"), 0, 0))));
    let mut events = Vec::new();
    while let Some(e) = adv.poll_event() {
        events.push(e);
    }
    assert!(events.contains(&Event::PrefixWithdrawn {
        prefix: Prefix::new(addr("2001:db8:0:1::"), 64)
    }));
}

#[test]
fn an_expired_delegation_goes_stale_and_the_router_lifetime_drops_to_zero() {
    let mut adv = delegated_link();
    let t0 = Instant::from_secs(1);
    adv.set_delegated_prefix(
        t0,
        lan_prefix("2001:db8:0:1::"),
        t0 + Duration::from_secs(60),
        t0 + Duration::from_secs(120),
    )
    .unwrap();
    let sent = run(&mut adv, t0, Instant::from_secs(300), |_, _| None);
    let after: Vec<&Sent> = sent
        .iter()
        .filter(|s| s.at >= Instant::from_secs(121))
        .collect();
    assert!(!after.is_empty());
    for s in after {
        assert_eq!(s.prefixes(), [(addr("2001:db8:0:1::"), 0, 0)]);
        assert_eq!(
            s.router_lifetime(),
            0,
            "no prefix left: not a default router"
        );
    }
    assert!(adv.delegated_prefixes().is_empty());
    // Delegated again: the stale entry ends and the prefix is current.
    let t = Instant::from_secs(300);
    adv.set_delegated_prefix(
        t,
        lan_prefix("2001:db8:0:1::"),
        t + Duration::from_secs(600),
        t + Duration::from_secs(900),
    )
    .unwrap();
    let t = adv.poll_timeout().unwrap().max(t);
    assert_eq!(
        drain(&mut adv, t)[0].prefixes(),
        [(addr("2001:db8:0:1::"), 900, 600)]
    );
}

#[test]
fn the_delegated_prefix_table_is_bounded() {
    let mut adv = delegated_link();
    let t = Instant::from_secs(1);
    let until = t + Duration::from_secs(100);
    for i in 0..4u16 {
        let a = Ipv6Addr::new(0x2001, 0xdb8, 0, i, 0, 0, 0, 0);
        let p = crate::profile::AdvPrefix::for_mode(Mode::Slaac, Prefix::new(a, 64));
        adv.set_delegated_prefix(t, p, until, until).unwrap();
    }
    assert_eq!(
        adv.set_delegated_prefix(t, lan_prefix("2001:db8:0:9::"), until, until),
        Err(PrefixTableFull)
    );
    // Updating one already there still works.
    adv.set_delegated_prefix(t, lan_prefix("2001:db8:0:1::"), t, until)
        .unwrap();
    assert_eq!(adv.delegated_prefixes().len(), 4);
}
