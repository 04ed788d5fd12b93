//! Deterministic simulations on virtual time: one `ra::Advertiser` and several `host::Host`s on a
//! simulated link, exchanging real encoded bytes (every RA and RS is emitted into a buffer,
//! checksummed, and parsed with its checksum verified by the receiver). The adapter side of each
//! host is simulated too: it runs DAD (1 s, conflicting with any other node holding the address)
//! and keeps the addresses, default routes and DHCPv6 wish the events tell it.
//!
//! Scenarios: the seed's three link modes, hosts joining late (RS → RA), renumbering seen from
//! the hosts, the router stopping, an RA flood from a rogue node, and a DAD conflict.

use core::net::Ipv6Addr;
use std::collections::{BTreeMap, BTreeSet};

use sixconf_core::host::{
    iid, AddressState, DadResult, Dhcpv6Mode, Event as HostEvent, Host, HostConfig, IidMode,
};
use sixconf_core::profile::{AddressPool, Mode, Prefix, Profile};
use sixconf_core::ra::{Advertiser, Link};
use sixconf_core::time::{Duration, Instant};
use sixconf_core::wire::ndisc::option::PrefixInformation;
use sixconf_core::wire::ndisc::{
    IpMeta, NdOption, OptionsRepr, Repr, RouterAdvertRepr, RouterPreference,
};

type SimHost = Host<4, 8, 8>;

const ALL_NODES: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);
const ROUTER_MAC: [u8; 6] = [0xfa, 0x16, 0x3e, 0xc3, 0x17, 0xb4];
/// How long the simulated adapter's DAD takes (RetransTimer × DupAddrDetectTransmits).
const DAD_TIME: Duration = Duration::from_secs(1);

fn addr(s: &str) -> Ipv6Addr {
    s.parse().unwrap()
}

fn link_local(mac: [u8; 6]) -> Ipv6Addr {
    let iid = iid::eui64(mac);
    let mut o = [0u8; 16];
    o[0] = 0xfe;
    o[1] = 0x80;
    o[8..].copy_from_slice(&iid);
    Ipv6Addr::from(o)
}

fn in_prefix(a: Ipv6Addr, p: &str) -> bool {
    a.segments()[..4] == addr(p).segments()[..4]
}

/// One host and its simulated adapter.
struct Node {
    host: SimHost,
    link_local: Ipv6Addr,
    /// Tentative addresses and when their DAD finishes.
    dad: Vec<(Instant, Ipv6Addr)>,
    /// What the adapter configured, from the events.
    addresses: BTreeMap<Ipv6Addr, bool>, // address -> deprecated
    default_routes: BTreeSet<Ipv6Addr>,
    dhcpv6: Dhcpv6Mode,
    log: Vec<(Instant, HostEvent)>,
    rs_sent: u32,
}

/// An RA the Advertiser sent: when, its router lifetime, its prefixes (prefix, valid, preferred).
type LoggedRa = (Instant, u16, Vec<(Ipv6Addr, u32, u32)>);

struct Sim {
    now: Instant,
    adv: Advertiser<4>,
    router_ll: Ipv6Addr,
    /// More routers on the link (their RAs reach the hosts and the other routers).
    others: Vec<Advertiser<4>>,
    nodes: Vec<Node>,
    /// Hosts not yet started: (start time, config).
    joining: Vec<(Instant, HostConfig)>,
    /// Addresses held by other nodes on the link (DAD conflicts with them).
    squatters: BTreeSet<Ipv6Addr>,
    ras_delivered: u32,
    rs_delivered: u32,
    /// The Advertiser's RAs in order: (time, router lifetime, prefixes with valid/preferred).
    ra_log: Vec<LoggedRa>,
}

fn meta(src: Ipv6Addr, dst: Ipv6Addr) -> IpMeta {
    IpMeta {
        src,
        dst,
        hop_limit: 255,
        had_fragment_header: false,
    }
}

fn host_config(i: u64, mode: IidMode) -> HostConfig {
    let mac = [0xfa, 0x16, 0x3e, 0x10, 0x00, i as u8];
    let mut c = HostConfig::new(mac, [i as u8 + 1; 32], 1000 + i);
    c.iid = mode;
    // The link-local address passed DAD before SLAAC starts: RSs carry the SLLA option.
    c.source = link_local(mac);
    c
}

impl Sim {
    fn new(profile: Profile<4>, seed: u64, hosts: &[(Instant, HostConfig)]) -> Sim {
        let router_ll = link_local(ROUTER_MAC);
        let link = Link {
            link_local: router_ll,
            mtu: 1500,
        };
        let adv = Advertiser::new(profile, link, seed, Instant::ZERO).expect("valid profile");
        let mut joining = hosts.to_vec();
        joining.sort_by_key(|(t, _)| *t);
        joining.reverse();
        Sim {
            now: Instant::ZERO,
            adv,
            router_ll,
            others: Vec::new(),
            nodes: Vec::new(),
            joining,
            squatters: BTreeSet::new(),
            ras_delivered: 0,
            rs_delivered: 0,
            ra_log: Vec::new(),
        }
    }

    fn next_time(&self) -> Option<Instant> {
        let mut t = self.adv.poll_timeout();
        let mut take = |c: Option<Instant>| {
            if let Some(c) = c {
                t = Some(t.map_or(c, |t| t.min(c)));
            }
        };
        for o in &self.others {
            take(o.poll_timeout());
        }
        for n in &self.nodes {
            take(n.host.poll_timeout());
            take(n.dad.iter().map(|(t, _)| *t).min());
        }
        take(self.joining.last().map(|(t, _)| *t));
        t
    }

    /// Delivers one RA (bytes as sent) to every started host.
    fn deliver_ra(&mut self, src: Ipv6Addr, dst: Ipv6Addr, bytes: &[u8]) {
        let now = self.now;
        for n in &mut self.nodes {
            if dst != ALL_NODES && dst != n.link_local {
                continue;
            }
            let Ok(Repr::RouterAdvert(ra)) = Repr::parse_verified(bytes, &src, &dst) else {
                panic!("undecodable RA on the link")
            };
            n.host.handle_ra(now, &meta(src, dst), &ra);
        }
    }

    fn log_ra(&mut self, bytes: &[u8], src: Ipv6Addr, dst: Ipv6Addr) {
        let Ok(Repr::RouterAdvert(ra)) = Repr::parse_verified(bytes, &src, &dst) else {
            panic!("the Advertiser sent something else than an RA")
        };
        let prefixes = ra
            .options
            .iter()
            .filter_map(|o| match o {
                NdOption::PrefixInformation(p) => {
                    Some((p.prefix, p.valid_lifetime, p.preferred_lifetime))
                }
                _ => None,
            })
            .collect();
        self.ra_log.push((self.now, ra.router_lifetime, prefixes));
    }

    /// One step: everything due at the next instant.
    fn step(&mut self) {
        let mut buf = [0u8; 1500];
        while self.joining.last().is_some_and(|(t, _)| *t <= self.now) {
            let (_, config) = self.joining.pop().unwrap();
            self.nodes.push(Node {
                host: Host::new(config, self.now),
                link_local: config.source,
                dad: Vec::new(),
                addresses: BTreeMap::new(),
                default_routes: BTreeSet::new(),
                dhcpv6: Dhcpv6Mode::None,
                log: Vec::new(),
                rs_sent: 0,
            });
        }
        let now = self.now;
        self.adv.handle_timeout(now);
        while let Some(tx) = self.adv.poll_transmit(now, &mut buf) {
            let bytes = buf[..tx.len].to_vec();
            self.log_ra(&bytes, tx.src, tx.dst);
            self.deliver_ra(tx.src, tx.dst, &bytes);
            for o in &mut self.others {
                o.handle_icmpv6(now, &meta(tx.src, tx.dst), &bytes);
            }
            self.ras_delivered += 1;
        }
        while self.adv.poll_event().is_some() {}
        for k in 0..self.others.len() {
            self.others[k].handle_timeout(now);
            while let Some(tx) = self.others[k].poll_transmit(now, &mut buf) {
                let bytes = buf[..tx.len].to_vec();
                self.deliver_ra(tx.src, tx.dst, &bytes);
                self.adv.handle_icmpv6(now, &meta(tx.src, tx.dst), &bytes);
                self.ras_delivered += 1;
            }
            while self.others[k].poll_event().is_some() {}
        }
        for i in 0..self.nodes.len() {
            let n = &mut self.nodes[i];
            n.host.handle_timeout(now);
            while let Some(tx) = n.host.poll_transmit(now, &mut buf) {
                assert_eq!(tx.hop_limit, 255);
                n.rs_sent += 1;
                let m = meta(tx.src, tx.dst);
                self.adv.handle_icmpv6(now, &m, &buf[..tx.len]);
                for o in &mut self.others {
                    o.handle_icmpv6(now, &m, &buf[..tx.len]);
                }
                self.rs_delivered += 1;
            }
            // DAD verdicts due now.
            let due: Vec<Ipv6Addr> = n
                .dad
                .iter()
                .filter(|(t, _)| *t <= now)
                .map(|(_, a)| *a)
                .collect();
            n.dad.retain(|(t, _)| *t > now);
            for a in due {
                let taken = self.squatters.contains(&a)
                    || self
                        .nodes
                        .iter()
                        .enumerate()
                        .any(|(j, o)| j != i && o.addresses.contains_key(&a));
                let verdict = if taken {
                    DadResult::Conflict
                } else {
                    DadResult::Ok
                };
                self.nodes[i].host.handle_dad_result(now, a, verdict);
            }
            let n = &mut self.nodes[i];
            while let Some(e) = n.host.poll_event() {
                n.log.push((now, e));
                match e {
                    HostEvent::ProbeAddress { address } => n.dad.push((now + DAD_TIME, address)),
                    HostEvent::AddressAdded {
                        address, preferred, ..
                    } => {
                        n.addresses.insert(address, preferred == Duration::ZERO);
                    }
                    HostEvent::AddressLifetimesUpdated {
                        address, preferred, ..
                    } => {
                        if let Some(d) = n.addresses.get_mut(&address) {
                            *d = preferred == Duration::ZERO;
                        }
                    }
                    HostEvent::AddressDeprecated { address } => {
                        if let Some(d) = n.addresses.get_mut(&address) {
                            *d = true;
                        }
                    }
                    HostEvent::AddressRemoved { address } => {
                        n.addresses.remove(&address);
                    }
                    HostEvent::DefaultRouterAdded { router, .. } => {
                        n.default_routes.insert(router);
                    }
                    HostEvent::DefaultRouterRemoved { router } => {
                        n.default_routes.remove(&router);
                    }
                    HostEvent::Dhcpv6Changed { mode } => n.dhcpv6 = mode,
                    _ => {}
                }
            }
        }
    }

    /// Runs until `end` (inclusive), stepping from deadline to deadline.
    fn run_until(&mut self, end: Instant) {
        let mut steps = 0u32;
        loop {
            self.step();
            steps += 1;
            assert!(steps < 1_000_000, "simulation does not progress");
            match self.next_time() {
                Some(t) if t <= end => self.now = t.max(self.now),
                _ => break,
            }
        }
        self.now = end;
    }
}

fn profile(mode: Mode, prefix: &str) -> Profile<4> {
    let mut p: Profile<4> = Profile::new(mode);
    // MaxRtrAdvInterval 10 s: router lifetime 30 s, as in the seed's RAs.
    p.set_max_interval(10_000);
    p.router.source_link_layer = Some(ROUTER_MAC);
    p.add_prefix(Prefix::new(addr(prefix), 64)).unwrap();
    if mode == Mode::Dhcpv6Stateful {
        p.dhcpv6.pool = Some(AddressPool {
            start: addr("2001:db8:cafe:1::2"),
            end: addr("2001:db8:cafe:1:ffff:ffff:ffff:fffe"),
        });
    }
    if mode != Mode::Slaac {
        p.dns.servers.push(addr("2001:db8:cafe:a::e")).unwrap();
    }
    p
}

/// Three hosts: one up with the router, two joining later (so their RSs get answered).
fn three_hosts(mode: IidMode) -> Vec<(Instant, HostConfig)> {
    vec![
        (Instant::ZERO, host_config(1, mode)),
        (Instant::from_secs(20), host_config(2, mode)),
        (Instant::from_millis(33_700), host_config(3, mode)),
    ]
}

fn stable() -> IidMode {
    IidMode::StablePrivacy {
        secret_key: [0; 32],
    }
}

#[test]
fn slaac_mode_hosts_get_an_address_in_the_prefix_and_want_no_dhcpv6() {
    let mut rs_total = 0;
    for seed in 0..20 {
        let mut sim = Sim::new(
            profile(Mode::Slaac, "2001:db8:cafe::"),
            seed,
            &three_hosts(stable()),
        );
        sim.run_until(Instant::from_secs(120));
        let mut all = BTreeSet::new();
        for (i, n) in sim.nodes.iter().enumerate() {
            assert_eq!(n.addresses.len(), 1, "seed {seed} host {i}: {:?}", n.log);
            let (&a, &deprecated) = n.addresses.iter().next().unwrap();
            assert!(in_prefix(a, "2001:db8:cafe::"));
            assert!(!deprecated);
            assert!(all.insert(a), "two hosts with one address");
            assert_eq!(n.default_routes, BTreeSet::from([sim.router_ll]));
            assert_eq!(n.dhcpv6, Dhcpv6Mode::None);
            assert!(!n
                .log
                .iter()
                .any(|(_, e)| matches!(e, HostEvent::Dhcpv6Changed { .. })));
            // The RS stopped once an RA came: at most 3, and the late joiners sent at least one.
            assert!(n.rs_sent <= 3);
            let t_added = n
                .log
                .iter()
                .find(|(_, e)| matches!(e, HostEvent::AddressAdded { .. }))
                .map(|(t, _)| *t)
                .unwrap();
            if i > 0 {
                // Joined at J: RS within 1 s, answer within 0.5 s (or the next multicast slot,
                // at most 3 s after the previous), DAD 1 s.
                let joined = three_hosts(stable())[i].0;
                assert!(
                    t_added - joined <= Duration::from_millis(5_500),
                    "seed {seed} host {i}: address after {}",
                    t_added - joined
                );
            }
        }
        // A late joiner solicits unless a periodic RA beats its random 0..1 s delay.
        rs_total += sim.rs_delivered;
        assert_eq!(u64::from(sim.rs_delivered), sim.adv.counters().rs_received);
    }
    assert!(rs_total >= 30, "{rs_total} RSs from 40 late joiners");
}

#[test]
fn stateless_mode_hosts_get_an_address_the_o_event_and_the_dns_server() {
    let mut sim = Sim::new(
        profile(Mode::Dhcpv6Stateless, "2001:db8:cafe:2::"),
        7,
        &three_hosts(stable()),
    );
    sim.run_until(Instant::from_secs(120));
    for n in &sim.nodes {
        assert_eq!(n.addresses.len(), 1);
        assert!(in_prefix(
            *n.addresses.keys().next().unwrap(),
            "2001:db8:cafe:2::"
        ));
        assert_eq!(n.dhcpv6, Dhcpv6Mode::Stateless);
        let o_events: Vec<_> = n
            .log
            .iter()
            .filter(|(_, e)| matches!(e, HostEvent::Dhcpv6Changed { .. }))
            .collect();
        assert_eq!(o_events.len(), 1, "one O event, not one per RA");
        assert_eq!(
            n.host.dns().servers().collect::<Vec<_>>(),
            [addr("2001:db8:cafe:a::e")]
        );
    }
}

#[test]
fn stateful_mode_hosts_form_no_slaac_address_and_get_the_m_event() {
    let mut sim = Sim::new(
        profile(Mode::Dhcpv6Stateful, "2001:db8:cafe:1::"),
        11,
        &three_hosts(IidMode::Eui64),
    );
    sim.run_until(Instant::from_secs(120));
    for n in &sim.nodes {
        assert!(n.addresses.is_empty());
        assert!(n.host.addresses().is_empty());
        assert!(!n
            .log
            .iter()
            .any(|(_, e)| matches!(e, HostEvent::ProbeAddress { .. })));
        assert_eq!(n.dhcpv6, Dhcpv6Mode::Stateful);
        assert!(n.log.iter().any(|(_, e)| *e
            == HostEvent::Dhcpv6Changed {
                mode: Dhcpv6Mode::Stateful
            }));
        assert_eq!(n.default_routes, BTreeSet::from([sim.router_ll]));
        // L=1: the prefix is on-link even without SLAAC.
        assert!(n.host.prefixes().is_on_link(addr("2001:db8:cafe:1::4")));
    }
}

#[test]
fn renumbering_old_prefix_deprecated_at_once_then_removed_within_two_hours() {
    let mut sim = Sim::new(
        profile(Mode::Slaac, "2001:db8:cafe::"),
        3,
        &three_hosts(stable()),
    );
    sim.run_until(Instant::from_secs(100));
    let old: Vec<Ipv6Addr> = sim
        .nodes
        .iter()
        .map(|n| *n.addresses.keys().next().unwrap())
        .collect();
    let reload_at = sim.now;
    sim.adv
        .reload(reload_at, profile(Mode::Slaac, "2001:db8:beef::"))
        .unwrap();
    sim.run_until(reload_at + Duration::from_secs(60));
    for (n, old) in sim.nodes.iter().zip(&old) {
        // New address in the new prefix, old one kept but deprecated.
        assert_eq!(n.addresses.len(), 2);
        assert_eq!(n.addresses.get(old), Some(&true), "old address deprecated");
        let new = n.addresses.keys().find(|a| *a != old).unwrap();
        assert!(in_prefix(*new, "2001:db8:beef::"));
        assert!(!n.addresses[new], "new address preferred");
        let deprecated_at = n
            .log
            .iter()
            .find(|(_, e)| *e == HostEvent::AddressDeprecated { address: *old })
            .map(|(t, _)| *t)
            .unwrap();
        assert!(deprecated_at - reload_at <= Duration::from_secs(10));
    }
    // Two hours (the RFC 9096 countdown and the two-hour rule agree) plus one interval.
    sim.run_until(reload_at + Duration::from_secs(7200 + 10));
    for (n, old) in sim.nodes.iter().zip(&old) {
        assert!(!n.addresses.contains_key(old), "old address removed");
        let removed_at = n
            .log
            .iter()
            .find(|(_, e)| *e == HostEvent::AddressRemoved { address: *old })
            .map(|(t, _)| *t)
            .unwrap();
        assert!(removed_at - reload_at >= Duration::from_secs(7200 - 10));
        assert_eq!(n.addresses.len(), 1);
        assert!(!n.host.prefixes().is_on_link(*old));
    }
    // The router stopped advertising the old prefix once its countdown ended.
    let (_, _, last) = sim.ra_log.last().unwrap();
    assert!(last
        .iter()
        .all(|(p, _, _)| in_prefix(*p, "2001:db8:beef::")));
}

#[test]
fn router_stop_final_ras_remove_the_default_route_but_not_addresses() {
    let mut sim = Sim::new(
        profile(Mode::Slaac, "2001:db8:cafe::"),
        5,
        &three_hosts(stable()),
    );
    sim.run_until(Instant::from_secs(60));
    let stop_at = sim.now;
    sim.adv.stop(stop_at);
    sim.run_until(stop_at + Duration::from_secs(20));
    let finals: Vec<_> = sim
        .ra_log
        .iter()
        .filter(|(t, _, _)| *t >= stop_at)
        .collect();
    assert_eq!(finals.len(), 3);
    assert!(finals.iter().all(|(_, lifetime, _)| *lifetime == 0));
    for n in &sim.nodes {
        assert!(n.default_routes.is_empty());
        assert!(n.host.routers().is_empty());
        let removed = n
            .log
            .iter()
            .find(|(_, e)| matches!(e, HostEvent::DefaultRouterRemoved { .. }))
            .map(|(t, _)| *t)
            .unwrap();
        // Removed by the first final RA, not by the 30 s lifetime running out.
        assert!(removed - stop_at <= Duration::from_secs(3));
        assert_eq!(n.addresses.len(), 1);
    }
}

#[test]
fn rogue_ra_flood_leaves_hosts_configured_and_bounded_cve_2010_4669() {
    let mut sim = Sim::new(
        profile(Mode::Slaac, "2001:db8:cafe::"),
        9,
        &three_hosts(stable()),
    );
    sim.run_until(Instant::from_secs(40));
    let before: Vec<Ipv6Addr> = sim
        .nodes
        .iter()
        .map(|n| *n.addresses.keys().next().unwrap())
        .collect();
    let size = core::mem::size_of::<SimHost>();
    // 20 000 RAs from random link-local sources with random prefixes, 2 per millisecond,
    // interleaved with the real router.
    let mut rng = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let mut buf = [0u8; 256];
    for i in 0..20_000u32 {
        let r = next();
        let src = Ipv6Addr::new(0xfe80, 0, 0, 0, (r >> 48) as u16, 1, 2, (r >> 32) as u16);
        let opts = [NdOption::PrefixInformation(PrefixInformation {
            prefix_len: 64,
            on_link: true,
            autonomous: true,
            router_address: false,
            pd_preferred: false,
            valid_lifetime: u32::MAX,
            preferred_lifetime: u32::MAX,
            prefix: Ipv6Addr::new(0x2001, 0xdb8, (r >> 16) as u16, r as u16, 0, 0, 0, 0),
        })];
        let repr = Repr::RouterAdvert(RouterAdvertRepr {
            cur_hop_limit: 64,
            managed: true,
            other: true,
            home_agent: false,
            proxy: false,
            router_preference: RouterPreference::High,
            router_lifetime: 9000,
            reachable_time: 0,
            retrans_timer: 0,
            options: OptionsRepr::List(&opts),
        });
        let len = repr.emit(&src, &ALL_NODES, &mut buf).unwrap();
        let bytes = buf[..len].to_vec();
        sim.deliver_ra(src, ALL_NODES, &bytes);
        if i % 2 == 1 {
            let t = sim.now + Duration::from_millis(1);
            sim.run_until(t);
        }
    }
    sim.run_until(sim.now + Duration::from_secs(30));
    for (n, a) in sim.nodes.iter().zip(&before) {
        assert!(n.addresses.contains_key(a), "the real address survives");
        assert!(n.host.routers().iter().any(|r| r.address == sim.router_ll));
        assert!(n.host.routers().len() <= 4);
        assert!(n.host.prefixes().len() <= 8);
        assert!(n.host.addresses().len() <= 8);
        let c = n.host.counters();
        assert!(c.prefixes_dropped_full > 19_000);
        assert!(c.addresses_dropped_full > 19_000);
        assert!(c.routers_dropped_full > 19_000);
    }
    assert_eq!(core::mem::size_of::<SimHost>(), size);
}

#[test]
fn dad_conflict_moves_an_rfc7217_host_to_the_next_identifier() {
    let config = host_config(1, stable());
    let IidMode::StablePrivacy { secret_key } = config.iid else {
        unreachable!()
    };
    let prefix = [0x20, 0x01, 0x0d, 0xb8, 0xca, 0xfe, 0, 0];
    let (first, _) = iid::stable_privacy_iid(prefix, config.mac, 0, &secret_key).unwrap();
    let mut squatted = [0u8; 16];
    squatted[..8].copy_from_slice(&prefix);
    squatted[8..].copy_from_slice(&first);
    let squatted = Ipv6Addr::from(squatted);
    let mut sim = Sim::new(
        profile(Mode::Slaac, "2001:db8:cafe::"),
        1,
        &[(Instant::ZERO, config)],
    );
    sim.squatters.insert(squatted);
    sim.run_until(Instant::from_secs(30));
    let n = &sim.nodes[0];
    assert_eq!(n.addresses.len(), 1);
    let got = *n.addresses.keys().next().unwrap();
    assert_ne!(got, squatted);
    assert!(in_prefix(got, "2001:db8:cafe::"));
    let entry = n.host.addresses().iter().next().unwrap();
    assert_eq!(entry.state, AddressState::Preferred);
    assert_eq!(entry.dad_counter, 1);
    assert_eq!(entry.conflicts, 1);
}

#[test]
fn simulations_replay_exactly() {
    let run = || {
        let mut sim = Sim::new(
            profile(Mode::Slaac, "2001:db8:cafe::"),
            42,
            &three_hosts(stable()),
        );
        sim.run_until(Instant::from_secs(90));
        (
            sim.ra_log.clone(),
            sim.nodes.iter().map(|n| n.log.clone()).collect::<Vec<_>>(),
        )
    };
    assert_eq!(run(), run());
}

#[test]
fn two_routers_hosts_prefer_the_high_one_and_fall_back_when_it_stops() {
    // The primary router: high preference. A second one: low preference, same prefix.
    let mut high = profile(Mode::Slaac, "2001:db8:cafe::");
    high.router.preference = sixconf_core::profile::Preference::High;
    let mut sim = Sim::new(high, 21, &three_hosts(stable()));
    let backup_mac = [0xfa, 0x16, 0x3e, 0x00, 0x00, 0x02];
    let backup_ll = link_local(backup_mac);
    let mut low = profile(Mode::Slaac, "2001:db8:cafe::");
    low.router.preference = sixconf_core::profile::Preference::Low;
    low.router.source_link_layer = Some(backup_mac);
    let link = Link {
        link_local: backup_ll,
        mtu: 1500,
    };
    sim.others
        .push(Advertiser::new(low, link, 22, Instant::ZERO).unwrap());
    sim.run_until(Instant::from_secs(60));
    for n in &sim.nodes {
        assert_eq!(n.default_routes, BTreeSet::from([sim.router_ll, backup_ll]));
        let best = n.host.routers().best().unwrap();
        assert_eq!(best.address, sim.router_ll);
        assert_eq!(best.preference, sixconf_core::host::Preference::High);
        // One address: both routers advertise the same prefix.
        assert_eq!(n.addresses.len(), 1);
    }
    let stop_at = sim.now;
    sim.adv.stop(stop_at);
    sim.run_until(stop_at + Duration::from_secs(20));
    for n in &sim.nodes {
        assert_eq!(n.default_routes, BTreeSet::from([backup_ll]));
        let best = n.host.routers().best().unwrap();
        assert_eq!(best.address, backup_ll);
        assert_eq!(best.preference, sixconf_core::host::Preference::Low);
        assert_eq!(n.addresses.len(), 1);
    }
}

#[test]
fn size_of_a_host_with_8_prefixes_and_4_routers() {
    let host = core::mem::size_of::<Host<4, 8, 8>>();
    let advertiser = core::mem::size_of::<Advertiser<4>>();
    println!("size_of::<Host<4 routers, 8 prefixes, 8 routes>>() = {host} bytes");
    println!("size_of::<Advertiser<4 prefixes>>() = {advertiser} bytes");
    {
        use sixconf_core::host::{AddressTable, DnsConfig, PrefixList, RouteTable, RouterList};
        use std::mem::size_of;
        println!(
            "  Event {} (queue of {}), RouterList<4> {}, PrefixList<8> {}, AddressTable<8> {}, \
             RouteTable<8> {}, DnsConfig {}",
            size_of::<HostEvent>(),
            sixconf_core::host::EVENT_QUEUE_LEN,
            size_of::<RouterList<4>>(),
            size_of::<PrefixList<8>>(),
            size_of::<AddressTable<8>>(),
            size_of::<RouteTable<8>>(),
            size_of::<DnsConfig>()
        );
    }
    // A budget, so growth is noticed: the host fits in 8 KiB.
    assert!(host <= 8 * 1024, "{host}");
}
