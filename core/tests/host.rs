//! The host engine (`core::host`) fed real encoded bytes: the seed's RAs and RS, RA validity
//! (CVE-2016-3698), the two-hour rule (systemd #5638), DAD with RFC 7217 retries, RS timing
//! (RFC 4861 §6.3.7), router/route/DNS/MTU handling, and an RA flood (CVE-2010-4669).

use core::net::Ipv6Addr;

use proptest::prelude::*;
use sixconf_core::host::{
    AddressState, DadResult, Dhcpv6Mode, Event, Host, HostConfig, IidMode, Preference, TWO_HOURS,
};
use sixconf_core::time::{Duration, Instant};
use sixconf_core::wire::ndisc::option::{
    CaptivePortal, Dnssl, Domains, Ipv6Addrs, LinkLayerAddress, Pref64, Pref64Length,
    PrefixInformation, Rdnss, RouteInformation,
};
use sixconf_core::wire::ndisc::{
    IpMeta, NdOption, OptionsRepr, Repr, RouterAdvertRepr, RouterPreference,
};

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn addr(s: &str) -> Ipv6Addr {
    s.parse().unwrap()
}

// The seed's RAs and RS (scapy-built from the tcpdump decode; see tests/ndisc_seed.rs).
const SLAAC_RA: &str = "8600d68e4000001e0000000000000000030440c000015180000038400000000020010db8cafe000000000000000000000101fa163ec317b4";
const STATEFUL_RA: &str = "8600012b4080001e00000000000000000101fa163e77e5a0";
const STATELESS_RA: &str = "86008d134040001e0000000000000000030440c000015180000038400000000020010db8cafe000200000000000000000101fa163ec1bc52";
const RS: &str = "85005875000000000101fa163e795acc";

const SLAAC_ROUTER: &str = "fe80::f816:3eff:fec3:17b4";
const ALL_NODES: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);
/// The seed's SLAAC instance.
const MAC: [u8; 6] = [0xfa, 0x16, 0x3e, 0x79, 0x5a, 0xcc];

type TestHost = Host<4, 8, 8>;

fn eui64_host() -> TestHost {
    let mut config = HostConfig::new(MAC, [0; 32], 1);
    config.iid = IidMode::Eui64;
    Host::new(config, Instant::ZERO)
}

fn privacy_host(seed: u64) -> TestHost {
    Host::new(HostConfig::new(MAC, [0x5a; 32], seed), Instant::ZERO)
}

fn meta(src: Ipv6Addr) -> IpMeta {
    IpMeta {
        src,
        dst: ALL_NODES,
        hop_limit: 255,
        had_fragment_header: false,
    }
}

/// Hands the RA's bytes to the host, which checks the checksum and decodes it leniently.
fn deliver(host: &mut TestHost, now: Instant, meta: &IpMeta, wire: &[u8]) {
    host.handle_ra_bytes(now, meta, wire).unwrap();
}

fn events(host: &mut TestHost) -> Vec<Event> {
    core::iter::from_fn(|| host.poll_event()).collect()
}

struct Ra<'a> {
    managed: bool,
    other: bool,
    router_lifetime: u16,
    preference: RouterPreference,
    options: &'a [NdOption<'a>],
}

impl<'a> Ra<'a> {
    fn new(options: &'a [NdOption<'a>]) -> Self {
        Ra {
            managed: false,
            other: false,
            router_lifetime: 1800,
            preference: RouterPreference::Medium,
            options,
        }
    }

    fn encode(&self, src: Ipv6Addr) -> Vec<u8> {
        let repr = Repr::RouterAdvert(RouterAdvertRepr {
            cur_hop_limit: 64,
            managed: self.managed,
            other: self.other,
            home_agent: false,
            proxy: false,
            router_preference: self.preference,
            router_lifetime: self.router_lifetime,
            reachable_time: 0,
            retrans_timer: 0,
            options: OptionsRepr::List(self.options),
        });
        let mut out = vec![0u8; repr.buffer_len()];
        repr.emit(&src, &ALL_NODES, &mut out).unwrap();
        out
    }
}

fn pio(prefix: &str, len: u8, valid: u32, preferred: u32) -> NdOption<'static> {
    NdOption::PrefixInformation(PrefixInformation {
        prefix_len: len,
        on_link: true,
        autonomous: true,
        router_address: false,
        pd_preferred: false,
        valid_lifetime: valid,
        preferred_lifetime: preferred,
        prefix: addr(prefix),
    })
}

/// Acknowledges every pending probe as unique; returns the remaining events.
fn ack_all(host: &mut TestHost, now: Instant) -> Vec<Event> {
    let mut out = Vec::new();
    loop {
        let batch = events(host);
        if batch.is_empty() {
            return out;
        }
        for e in batch {
            if let Event::ProbeAddress { address } = e {
                host.handle_dad_result(now, address, DadResult::Ok);
            }
            out.push(e);
        }
    }
}

#[test]
fn seed_slaac_ra_gives_an_eui64_address_a_default_route_and_no_dhcpv6() {
    let mut host = eui64_host();
    let router = addr(SLAAC_ROUTER);
    deliver(
        &mut host,
        Instant::from_secs(1),
        &meta(router),
        &hex(SLAAC_RA),
    );
    let expected_addr = addr("2001:db8:cafe::f816:3eff:fe79:5acc");
    assert_eq!(
        events(&mut host),
        [
            Event::LinkParametersChanged,
            Event::OnLinkPrefixAdded {
                prefix: addr("2001:db8:cafe::"),
                len: 64
            },
            Event::ProbeAddress {
                address: expected_addr
            },
            Event::DefaultRouterAdded {
                router,
                preference: Preference::Medium
            },
        ]
    );
    assert_eq!(host.link_parameters().hop_limit, Some(64));
    host.handle_dad_result(Instant::from_secs(2), expected_addr, DadResult::Ok);
    assert_eq!(
        events(&mut host),
        [Event::AddressAdded {
            address: expected_addr,
            prefix_len: 64,
            valid: Duration::from_secs(86399),
            preferred: Duration::from_secs(14399),
        }]
    );
    assert_eq!(host.dhcpv6_mode(), Dhcpv6Mode::None);
    assert_eq!(host.routers().best().map(|r| r.address), Some(router));
    // Router lifetime 30 s: the default route goes unless refreshed.
    assert_eq!(host.poll_timeout(), Some(Instant::from_secs(31)));
    host.handle_timeout(Instant::from_secs(31));
    assert_eq!(events(&mut host), [Event::DefaultRouterRemoved { router }]);
    assert_eq!(host.addresses().assigned().count(), 1);
}

#[test]
fn seed_stateful_ra_asks_for_dhcpv6_stateful_and_forms_no_address() {
    let mut host = eui64_host();
    let router = addr("fe80::f816:3eff:fe77:e5a0");
    deliver(&mut host, Instant::ZERO, &meta(router), &hex(STATEFUL_RA));
    let ev = events(&mut host);
    assert!(ev.contains(&Event::Dhcpv6Changed {
        mode: Dhcpv6Mode::Stateful
    }));
    assert!(!ev.iter().any(|e| matches!(e, Event::ProbeAddress { .. })));
    assert_eq!(host.addresses().len(), 0);
    assert_eq!(host.routers().len(), 1);
}

#[test]
fn seed_stateless_ra_gives_an_address_and_asks_for_dhcpv6_stateless() {
    let mut host = privacy_host(3);
    let router = addr("fe80::f816:3eff:fec1:bc52");
    deliver(&mut host, Instant::ZERO, &meta(router), &hex(STATELESS_RA));
    let ev = ack_all(&mut host, Instant::ZERO);
    assert!(ev.contains(&Event::Dhcpv6Changed {
        mode: Dhcpv6Mode::Stateless
    }));
    let added: Vec<_> = events(&mut host);
    assert!(added.is_empty());
    let a = host.addresses().assigned().next().unwrap().address;
    assert_eq!(a.segments()[..4], [0x2001, 0xdb8, 0xcafe, 2]);
    // RFC 7217: not the EUI-64 identifier.
    assert_ne!(a, addr("2001:db8:cafe:2:f816:3eff:fe79:5acc"));
    // Same inputs, same address (stable), whatever the seed of the randomness.
    let mut again = privacy_host(99);
    deliver(&mut again, Instant::ZERO, &meta(router), &hex(STATELESS_RA));
    ack_all(&mut again, Instant::ZERO);
    assert_eq!(again.addresses().assigned().next().unwrap().address, a);
}

#[test]
fn the_flags_appearing_and_disappearing_are_events() {
    let mut host = eui64_host();
    let router = addr(SLAAC_ROUTER);
    let mut ra = Ra::new(&[]);
    ra.other = true;
    deliver(&mut host, Instant::ZERO, &meta(router), &ra.encode(router));
    assert!(events(&mut host).contains(&Event::Dhcpv6Changed {
        mode: Dhcpv6Mode::Stateless
    }));
    deliver(&mut host, Instant::ZERO, &meta(router), &ra.encode(router));
    assert!(events(&mut host).is_empty());
    ra.managed = true;
    deliver(&mut host, Instant::ZERO, &meta(router), &ra.encode(router));
    assert_eq!(
        events(&mut host),
        [Event::Dhcpv6Changed {
            mode: Dhcpv6Mode::Stateful
        }]
    );
    ra.managed = false;
    ra.other = false;
    deliver(&mut host, Instant::ZERO, &meta(router), &ra.encode(router));
    assert_eq!(
        events(&mut host),
        [Event::Dhcpv6Changed {
            mode: Dhcpv6Mode::None
        }]
    );
}

#[test]
fn the_host_rs_is_the_seed_rs_byte_for_byte() {
    let mut config = HostConfig::new(MAC, [0; 32], 7);
    config.source = addr("fe80::f816:3eff:fe79:5acc");
    let mut host: TestHost = Host::new(config, Instant::ZERO);
    let mut buf = [0u8; 64];
    let t = host.poll_timeout().unwrap();
    assert!(t <= Instant::from_secs(1));
    let tx = host.poll_transmit(t, &mut buf).unwrap();
    assert_eq!(tx.dst, addr("ff02::2"));
    assert_eq!(tx.hop_limit, 255);
    assert_eq!(buf[..tx.len], hex(RS)[..]);
}

#[test]
fn rs_from_the_unspecified_address_has_no_link_layer_option() {
    let mut host = eui64_host();
    let mut buf = [0u8; 64];
    let tx = host.poll_transmit(Instant::from_secs(1), &mut buf).unwrap();
    assert_eq!(tx.src, Ipv6Addr::UNSPECIFIED);
    assert_eq!(tx.len, 8);
    let Repr::RouterSolicit(rs) = Repr::parse_verified(&buf[..tx.len], &tx.src, &tx.dst).unwrap()
    else {
        panic!()
    };
    assert_eq!(rs.options.iter().count(), 0);
    // Too small a buffer: nothing sent, still due.
    let mut host = eui64_host();
    assert!(host
        .poll_transmit(Instant::from_secs(1), &mut [0u8; 4])
        .is_none());
    assert!(host
        .poll_transmit(Instant::from_secs(1), &mut buf)
        .is_some());
}

/// Runs the solicitation schedule with no router answering; returns the send times.
fn rs_times(seed: u64, until: Instant) -> Vec<Instant> {
    let mut host = privacy_host(seed);
    let mut buf = [0u8; 64];
    let mut sent = Vec::new();
    while let Some(t) = host.poll_timeout() {
        if t > until {
            break;
        }
        assert!(host.poll_transmit(t, &mut buf).is_some());
        // An extra poll at the same instant sends nothing.
        assert!(host.poll_transmit(t, &mut buf).is_none());
        sent.push(t);
    }
    sent
}

proptest! {
    #[test]
    fn rs_timing_follows_rfc4861_6_3_7(seed in any::<u64>()) {
        let sent = rs_times(seed, Instant::from_secs(3600));
        prop_assert_eq!(sent.len(), 3);
        prop_assert!(sent[0] <= Instant::from_secs(1));
        prop_assert_eq!(sent[1] - sent[0], Duration::from_secs(4));
        prop_assert_eq!(sent[2] - sent[1], Duration::from_secs(4));
        // Deterministic per seed.
        prop_assert_eq!(rs_times(seed, Instant::from_secs(3600)), sent);
    }
}

#[test]
fn rs_first_delays_spread_over_the_second() {
    let firsts: Vec<u64> = (0..200)
        .map(|s| rs_times(s, Instant::from_secs(2))[0].total_millis())
        .collect();
    assert!(firsts.iter().all(|&t| t <= 1000));
    assert!(firsts.iter().any(|&t| t < 250));
    assert!(firsts.iter().any(|&t| t > 750));
}

#[test]
fn an_ra_with_a_router_lifetime_stops_the_solicitations() {
    let mut host = privacy_host(5);
    let mut buf = [0u8; 64];
    let t = host.poll_timeout().unwrap();
    host.poll_transmit(t, &mut buf).unwrap();
    let router = addr(SLAAC_ROUTER);
    // Lifetime 0 (not a default router) does not stop them...
    let mut ra = Ra::new(&[]);
    ra.router_lifetime = 0;
    deliver(&mut host, t, &meta(router), &ra.encode(router));
    assert_eq!(host.poll_timeout(), Some(t + Duration::from_secs(4)));
    // ... a default router does.
    deliver(&mut host, t, &meta(router), &Ra::new(&[]).encode(router));
    assert!(host
        .poll_transmit(t + Duration::from_secs(4), &mut buf)
        .is_none());
    assert_eq!(host.solicitations_sent(), 1);
    host.restart_solicitation(Instant::from_secs(100));
    assert!(host
        .poll_transmit(Instant::from_secs(101), &mut buf)
        .is_some());
}

#[test]
fn invalid_ras_are_dropped_and_counted_by_reason_cve_2016_3698() {
    let mut host = eui64_host();
    let router = addr(SLAAC_ROUTER);
    let wire = hex(SLAAC_RA);
    let mut m = meta(router);
    m.hop_limit = 64;
    deliver(&mut host, Instant::ZERO, &m, &wire);
    let mut m = meta(router);
    m.had_fragment_header = true;
    deliver(&mut host, Instant::ZERO, &m, &wire);
    // A global source: an RA from off-link (the checksum is recomputed for that source).
    let global = addr("2001:db8::1");
    let mut m = meta(global);
    m.src = global;
    let pio = [pio("2001:db8:cafe::", 64, 86400, 14400)];
    deliver(&mut host, Instant::ZERO, &m, &Ra::new(&pio).encode(global));
    let c = host.counters();
    assert_eq!(c.ra_dropped_hop_limit, 1);
    assert_eq!(c.ra_dropped_fragmented, 1);
    assert_eq!(c.ra_dropped_source_not_link_local, 1);
    assert_eq!(c.ra_accepted, 0);
    assert!(events(&mut host).is_empty());
    assert!(host.routers().is_empty() && host.addresses().is_empty());
}

#[test]
fn one_ra_with_valid_lifetime_zero_does_not_wipe_addresses_systemd_5638() {
    let mut host = eui64_host();
    let router = addr(SLAAC_ROUTER);
    deliver(&mut host, Instant::ZERO, &meta(router), &hex(SLAAC_RA));
    ack_all(&mut host, Instant::ZERO);
    let a = host.addresses().assigned().next().unwrap().address;
    // The forged RA: same prefix, valid 0, preferred 0.
    let forged = [pio("2001:db8:cafe::", 64, 0, 0)];
    let now = Instant::from_secs(60);
    deliver(
        &mut host,
        now,
        &meta(router),
        &Ra::new(&forged).encode(router),
    );
    let ev = events(&mut host);
    assert!(!ev.iter().any(|e| matches!(e, Event::AddressRemoved { .. })));
    assert!(ev.contains(&Event::AddressLifetimesUpdated {
        address: a,
        valid: TWO_HOURS,
        preferred: Duration::ZERO
    }));
    assert!(ev.contains(&Event::AddressDeprecated { address: a }));
    // On-link determination is not protected: the prefix leaves the Prefix List at once.
    assert!(ev.contains(&Event::OnLinkPrefixRemoved {
        prefix: addr("2001:db8:cafe::"),
        len: 64
    }));
    let entry = host.addresses().assigned().next().unwrap();
    assert_eq!(entry.state, AddressState::Deprecated);
    assert_eq!(entry.valid_until, now + TWO_HOURS);
    // Repeating it every minute never brings the end closer than two hours from the first.
    for i in 1..10 {
        let t = now + Duration::from_secs(60 * i);
        deliver(
            &mut host,
            t,
            &meta(router),
            &Ra::new(&forged).encode(router),
        );
    }
    assert_eq!(
        host.addresses().iter().next().unwrap().valid_until,
        now + TWO_HOURS
    );
    // The legitimate router's next RA restores the lifetimes.
    let t = now + Duration::from_secs(600);
    deliver(&mut host, t, &meta(router), &hex(SLAAC_RA));
    let entry = host.addresses().assigned().next().unwrap();
    assert_eq!(entry.state, AddressState::Preferred);
    assert_eq!(entry.valid_until, t + Duration::from_secs(86400));
}

#[test]
fn dad_conflicts_walk_the_rfc7217_counter_then_give_up() {
    let mut host = privacy_host(1);
    let router = addr(SLAAC_ROUTER);
    deliver(&mut host, Instant::ZERO, &meta(router), &hex(SLAAC_RA));
    let mut probes = Vec::new();
    let mut failed = None;
    for _ in 0..10 {
        for e in events(&mut host) {
            match e {
                Event::ProbeAddress { address } => probes.push(address),
                Event::AddressFailed { conflicts, .. } => failed = Some(conflicts),
                _ => {}
            }
        }
        if let Some(&last) = probes.last() {
            host.handle_dad_result(Instant::ZERO, last, DadResult::Conflict);
        }
    }
    // The first identifier plus IDGEN_RETRIES others, all different, all in the prefix.
    assert_eq!(probes.len(), 4);
    for (i, a) in probes.iter().enumerate() {
        assert_eq!(a.segments()[..4], [0x2001, 0xdb8, 0xcafe, 0]);
        assert!(!probes[..i].contains(a));
    }
    assert_eq!(failed, Some(4));
    // Later verdicts are unmatched and counted.
    assert!(host.counters().dad_results_unmatched >= 1);
    assert_eq!(host.addresses().assigned().count(), 0);
    // The next RA does not start over.
    deliver(
        &mut host,
        Instant::from_secs(10),
        &meta(router),
        &hex(SLAAC_RA),
    );
    assert!(!events(&mut host)
        .iter()
        .any(|e| matches!(e, Event::ProbeAddress { .. })));
}

#[test]
fn eui64_conflict_is_final() {
    let mut host = eui64_host();
    let router = addr(SLAAC_ROUTER);
    deliver(&mut host, Instant::ZERO, &meta(router), &hex(SLAAC_RA));
    events(&mut host);
    let a = addr("2001:db8:cafe::f816:3eff:fe79:5acc");
    host.handle_dad_result(Instant::ZERO, a, DadResult::Conflict);
    assert_eq!(
        events(&mut host),
        [Event::AddressFailed {
            prefix: addr("2001:db8:cafe::"),
            conflicts: 1
        }]
    );
}

#[test]
fn prefix_options_the_rfc_says_to_ignore() {
    let mut host = eui64_host();
    let router = addr(SLAAC_ROUTER);
    let bad = [
        // Link-local prefix (RFC 4862 §5.5.3 b).
        pio("fe80::", 64, 86400, 14400),
        // Preferred > valid (§5.5.3 c).
        pio("2001:db8:1::", 64, 100, 200),
        // Not a /64: on-link yes, address no.
        pio("2001:db8:2::", 48, 86400, 14400),
    ];
    deliver(
        &mut host,
        Instant::ZERO,
        &meta(router),
        &Ra::new(&bad).encode(router),
    );
    assert_eq!(host.addresses().len(), 0);
    assert_eq!(host.counters().prefix_options_ignored, 3);
    // The /48 and the preferred > valid one are still on-link (§6.3.4 has no such checks).
    assert_eq!(host.prefixes().len(), 2);
    // A=0, L=1: on-link only.
    let onlink_only = [NdOption::PrefixInformation(PrefixInformation {
        prefix_len: 64,
        on_link: true,
        autonomous: false,
        router_address: false,
        pd_preferred: false,
        valid_lifetime: 600,
        preferred_lifetime: 600,
        prefix: addr("2001:db8:3::"),
    })];
    deliver(
        &mut host,
        Instant::ZERO,
        &meta(router),
        &Ra::new(&onlink_only).encode(router),
    );
    assert!(host.prefixes().is_on_link(addr("2001:db8:3::1")));
    assert_eq!(host.addresses().len(), 0);
}

#[test]
fn routes_dns_and_mtu_from_ra_options() {
    let mut host = eui64_host();
    let router = addr(SLAAC_ROUTER);
    let servers = [addr("2001:db8:cafe:a::e")];
    let domains = ["openstacklocal"];
    let opts = [
        NdOption::Mtu(1400),
        NdOption::RouteInformation(RouteInformation {
            prefix_len: 48,
            preference: RouterPreference::High,
            route_lifetime: 900,
            prefix: addr("2001:db8:100::"),
        }),
        NdOption::RouteInformation(RouteInformation {
            prefix_len: 48,
            preference: RouterPreference::Reserved,
            route_lifetime: 900,
            prefix: addr("2001:db8:200::"),
        }),
        NdOption::Rdnss(Rdnss {
            lifetime: 600,
            servers: Ipv6Addrs::List(&servers),
        }),
        NdOption::Dnssl(Dnssl {
            lifetime: 600,
            domains: Domains::List(&domains),
        }),
        NdOption::SourceLinkLayerAddress(LinkLayerAddress::new(&[
            0xfa, 0x16, 0x3e, 0xc3, 0x17, 0xb4,
        ])),
    ];
    deliver(
        &mut host,
        Instant::ZERO,
        &meta(router),
        &Ra::new(&opts).encode(router),
    );
    let ev = events(&mut host);
    assert!(ev.contains(&Event::MtuChanged { mtu: 1400 }));
    assert!(ev.contains(&Event::RouteAdded {
        prefix: addr("2001:db8:100::"),
        len: 48,
        router,
        preference: Preference::High
    }));
    assert!(ev.contains(&Event::DnsServersChanged));
    assert!(ev.contains(&Event::SearchListChanged));
    assert_eq!(host.routes().len(), 1);
    assert_eq!(host.counters().route_options_ignored, 1);
    assert_eq!(host.dns().servers().collect::<Vec<_>>(), servers);
    let names: Vec<Vec<u8>> = host
        .dns()
        .search_list()
        .map(|n| n.as_bytes().to_vec())
        .collect();
    assert_eq!(names, [b"\x0eopenstacklocal\x00".to_vec()]);
    assert_eq!(host.mtu(), Some(1400));
    // Refreshing changes nothing visible.
    deliver(
        &mut host,
        Instant::from_secs(1),
        &meta(router),
        &Ra::new(&opts).encode(router),
    );
    assert!(events(&mut host).is_empty());
    // DNS entries expire with their lifetime; the route with its own.
    host.handle_timeout(Instant::from_secs(601));
    let ev = events(&mut host);
    assert!(ev.contains(&Event::DnsServersChanged) && ev.contains(&Event::SearchListChanged));
    assert_eq!(host.dns().servers().count(), 0);
    host.handle_timeout(Instant::from_secs(901));
    assert!(events(&mut host).contains(&Event::RouteRemoved {
        prefix: addr("2001:db8:100::"),
        len: 48,
        router
    }));
    // MTU out of bounds: ignored.
    for mtu in [1279, 1501, 0, u32::MAX] {
        let o = [NdOption::Mtu(mtu)];
        deliver(
            &mut host,
            Instant::from_secs(902),
            &meta(router),
            &Ra::new(&o).encode(router),
        );
    }
    assert_eq!(host.counters().mtu_options_ignored, 4);
    assert_eq!(host.mtu(), Some(1400));
}

#[test]
fn router_preference_and_lifetime_zero() {
    let mut host = eui64_host();
    let r1 = addr("fe80::1");
    let r2 = addr("fe80::2");
    let mut ra = Ra::new(&[]);
    ra.preference = RouterPreference::Low;
    deliver(&mut host, Instant::ZERO, &meta(r1), &ra.encode(r1));
    ra.preference = RouterPreference::Reserved; // treated as medium (RFC 4191 §2.2)
    deliver(&mut host, Instant::ZERO, &meta(r2), &ra.encode(r2));
    let best = host.routers().best().unwrap();
    assert_eq!((best.address, best.preference), (r2, Preference::Medium));
    events(&mut host);
    ra.router_lifetime = 0;
    deliver(&mut host, Instant::ZERO, &meta(r2), &ra.encode(r2));
    assert_eq!(
        events(&mut host),
        [Event::DefaultRouterRemoved { router: r2 }]
    );
    assert_eq!(host.routers().best().map(|r| r.address), Some(r1));
}

/// A tiny deterministic generator for the flood.
fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

#[test]
fn ra_flood_with_random_prefixes_and_routers_keeps_memory_flat_cve_2010_4669() {
    let mut host = eui64_host();
    let router = addr(SLAAC_ROUTER);
    deliver(&mut host, Instant::ZERO, &meta(router), &hex(SLAAC_RA));
    ack_all(&mut host, Instant::ZERO);
    let ours = host.addresses().assigned().next().unwrap().address;
    let size = core::mem::size_of_val(&host);
    let mut rng = 0x1234_5678_9abc_def0u64;
    let mut now = Instant::from_secs(1);
    for i in 0..100_000u32 {
        let r = xorshift(&mut rng);
        let src = Ipv6Addr::new(
            0xfe80,
            0,
            0,
            0,
            (r >> 48) as u16,
            (r >> 32) as u16,
            7,
            i as u16,
        );
        let p = Ipv6Addr::new(0x2001, 0xdb8, (r >> 16) as u16, r as u16, 0, 0, 0, 0);
        let opts = [
            NdOption::PrefixInformation(PrefixInformation {
                prefix_len: 64,
                on_link: true,
                autonomous: true,
                router_address: false,
                pd_preferred: false,
                valid_lifetime: u32::MAX,
                preferred_lifetime: u32::MAX,
                prefix: p,
            }),
            NdOption::RouteInformation(RouteInformation {
                prefix_len: 64,
                preference: RouterPreference::High,
                route_lifetime: u32::MAX,
                prefix: p,
            }),
        ];
        let mut ra = Ra::new(&opts);
        ra.router_lifetime = 9000;
        ra.preference = RouterPreference::High;
        deliver(&mut host, now, &meta(src), &ra.encode(src));
        // The adapter acknowledges probes as it goes (worst case: every one succeeds).
        for e in events(&mut host) {
            if let Event::ProbeAddress { address } = e {
                host.handle_dad_result(now, address, DadResult::Ok);
            }
        }
        now += Duration::from_millis(10);
    }
    assert_eq!(core::mem::size_of_val(&host), size);
    assert_eq!(host.routers().len(), 4);
    assert_eq!(host.prefixes().len(), 8);
    assert_eq!(host.addresses().len(), 8);
    assert_eq!(host.routes().len(), 8);
    let c = *host.counters();
    assert_eq!(c.ra_accepted, 100_001);
    assert_eq!(c.routers_dropped_full, 100_000 - 3);
    assert_eq!(c.prefixes_dropped_full, 100_000 - 7);
    assert_eq!(c.addresses_dropped_full, 100_000 - 7);
    assert_eq!(c.routes_dropped_full, 100_000 - 8);
    // Our address, its prefix and the real router are still there.
    assert!(host.addresses().assigned().any(|a| a.address == ours));
    assert!(host.prefixes().is_on_link(ours));
    assert!(host.routers().iter().any(|r| r.address == router));
    // And the real router keeps it alive.
    deliver(&mut host, now, &meta(router), &hex(SLAAC_RA));
    assert!(host.routers().iter().any(|r| r.address == router));
}

#[test]
fn an_undrained_event_queue_coalesces_repeats_and_counts_what_it_drops() {
    let mut host = eui64_host();
    let router = addr(SLAAC_ROUTER);
    deliver(&mut host, Instant::ZERO, &meta(router), &hex(SLAAC_RA));
    ack_all(&mut host, Instant::ZERO);
    // 1000 refreshes with nobody polling: one lifetimes event waits, not 1000.
    for i in 0..1000 {
        deliver(
            &mut host,
            Instant::from_secs(i),
            &meta(router),
            &hex(SLAAC_RA),
        );
    }
    let ev = events(&mut host);
    assert_eq!(ev.len(), 1);
    assert!(matches!(ev[0], Event::AddressLifetimesUpdated { .. }));
    assert_eq!(host.counters().events_dropped, 0);
}

#[test]
fn address_lifecycle_through_timeouts_and_poll_timeout() {
    let mut host = eui64_host();
    let router = addr(SLAAC_ROUTER);
    let opts = [pio("2001:db8:cafe::", 64, 600, 300)];
    let mut ra = Ra::new(&opts);
    ra.router_lifetime = 0;
    deliver(&mut host, Instant::ZERO, &meta(router), &ra.encode(router));
    ack_all(&mut host, Instant::ZERO);
    // Drain the RS schedule first.
    let mut buf = [0u8; 64];
    let mut seen = Vec::new();
    while let Some(t) = host.poll_timeout() {
        if host.poll_transmit(t, &mut buf).is_some() {
            continue;
        }
        host.handle_timeout(t);
        for e in events(&mut host) {
            seen.push((t, e));
        }
    }
    let a = addr("2001:db8:cafe::f816:3eff:fe79:5acc");
    assert_eq!(
        seen,
        [
            (
                Instant::from_secs(300),
                Event::AddressDeprecated { address: a }
            ),
            (
                Instant::from_secs(600),
                Event::OnLinkPrefixRemoved {
                    prefix: addr("2001:db8:cafe::"),
                    len: 64
                }
            ),
            (
                Instant::from_secs(600),
                Event::AddressRemoved { address: a }
            ),
        ]
    );
}

#[test]
fn a_default_route_information_option_overrides_the_header_rfc4191_3_1() {
    let mut host = eui64_host();
    let router = addr(SLAAC_ROUTER);
    let rio = |preference, lifetime| {
        [NdOption::RouteInformation(RouteInformation {
            prefix_len: 0,
            preference,
            route_lifetime: lifetime,
            prefix: Ipv6Addr::UNSPECIFIED,
        })]
    };
    let opts = rio(RouterPreference::High, 60);
    deliver(
        &mut host,
        Instant::ZERO,
        &meta(router),
        &Ra::new(&opts).encode(router),
    );
    assert!(events(&mut host).contains(&Event::DefaultRouterAdded {
        router,
        preference: Preference::High
    }));
    // Header says 1800 s; the option's 60 s wins; no ::/0 entry in the route table.
    assert_eq!(host.routes().len(), 0);
    assert_eq!(
        host.routers().iter().next().unwrap().expires,
        Instant::from_secs(60)
    );
    // Lifetime 0 in the option removes the router although the header says 1800 s.
    let opts = rio(RouterPreference::High, 0);
    deliver(
        &mut host,
        Instant::from_secs(2),
        &meta(router),
        &Ra::new(&opts).encode(router),
    );
    assert_eq!(events(&mut host), [Event::DefaultRouterRemoved { router }]);
    // A reserved preference makes the option ignored: the header applies.
    let opts = rio(RouterPreference::Reserved, 0);
    deliver(
        &mut host,
        Instant::from_secs(3),
        &meta(router),
        &Ra::new(&opts).encode(router),
    );
    assert_eq!(host.routers().len(), 1);
    assert_eq!(host.counters().route_options_ignored, 1);
}

#[test]
fn on_link_only_flood_churns_through_prefixes_without_addresses_cve_2010_4669() {
    let mut host = eui64_host();
    let router = addr(SLAAC_ROUTER);
    deliver(&mut host, Instant::ZERO, &meta(router), &hex(SLAAC_RA));
    ack_all(&mut host, Instant::ZERO);
    let ours = host.addresses().assigned().next().unwrap().address;
    let mut rng = 0xdead_beef_u64;
    for i in 0..20_000u32 {
        let r = xorshift(&mut rng);
        let src = Ipv6Addr::new(0xfe80, 0, 0, 0, 1, 2, 3, i as u16);
        let opts = [NdOption::PrefixInformation(PrefixInformation {
            prefix_len: (r % 129) as u8,
            on_link: true,
            autonomous: false,
            router_address: false,
            pd_preferred: false,
            valid_lifetime: u32::MAX,
            preferred_lifetime: u32::MAX,
            prefix: Ipv6Addr::new(0x2001, 0xdb8, (r >> 16) as u16, r as u16, 1, 2, 3, 4),
        })];
        let mut ra = Ra::new(&opts);
        ra.router_lifetime = 0;
        let now = Instant::from_millis(1000 + u64::from(i));
        deliver(&mut host, now, &meta(src), &ra.encode(src));
        events(&mut host);
    }
    assert_eq!(host.prefixes().len(), 8);
    // The prefix holding our address was never given up.
    assert!(host.prefixes().is_on_link(ours));
    assert!(host.counters().prefixes_replaced > 19_000);
    assert_eq!(host.counters().prefixes_dropped_full, 0);
    assert_eq!(host.counters().events_dropped, 0);
}

#[test]
fn one_ra_packed_with_flapping_options_loses_no_event() {
    // A 1500-byte link's worth of options: each prefix and route announced, then withdrawn by
    // the next option; the seed's prefix deprecated and restored over and over.
    let mut host = eui64_host();
    let router = addr(SLAAC_ROUTER);
    deliver(&mut host, Instant::ZERO, &meta(router), &hex(SLAAC_RA));
    ack_all(&mut host, Instant::ZERO);
    let a = host.addresses().assigned().next().unwrap().address;
    let mut opts = Vec::new();
    for i in 0..24u16 {
        let valid = if i % 2 == 0 { 600 } else { 0 };
        opts.push(NdOption::PrefixInformation(PrefixInformation {
            prefix_len: 64,
            on_link: true,
            autonomous: false,
            router_address: false,
            pd_preferred: false,
            valid_lifetime: valid,
            preferred_lifetime: 0,
            prefix: Ipv6Addr::new(0x2001, 0xdb8, 1, (i / 2) % 4, 0, 0, 0, 0),
        }));
        opts.push(NdOption::RouteInformation(RouteInformation {
            prefix_len: 48,
            preference: RouterPreference::High,
            route_lifetime: valid,
            prefix: Ipv6Addr::new(0x2001, 0xdb8, 0x100 + (i / 2) % 4, 0, 0, 0, 0, 0),
        }));
    }
    for i in 0..8 {
        let preferred = if i % 2 == 0 { 0 } else { 600 };
        opts.push(pio("2001:db8:cafe::", 64, 86400, preferred));
    }
    let wire = Ra::new(&opts).encode(router);
    assert!(wire.len() <= 1460, "{}", wire.len());
    for round in 0..5 {
        let now = Instant::from_secs(10 + round);
        deliver(&mut host, now, &meta(router), &wire);
        // Net of it all: the address ends preferred with fresh lifetimes; every prefix and
        // route came and went before the adapter heard of it.
        assert_eq!(
            events(&mut host),
            [
                Event::AddressDeprecated { address: a },
                Event::AddressLifetimesUpdated {
                    address: a,
                    valid: Duration::from_secs(86400),
                    preferred: Duration::from_secs(600)
                }
            ]
        );
    }
    assert_eq!(host.counters().events_dropped, 0);
    assert!(host.routes().is_empty());
    assert_eq!(host.prefixes().len(), 1);
    assert_eq!(
        host.addresses().assigned().next().unwrap().state,
        AddressState::Preferred
    );
}

#[test]
fn route_information_of_every_length_cve_2024_5564() {
    // RIO with Length 0..=255 (units of 8 bytes) and prefix length 0..=128: the decoder refuses
    // what RFC 4191 §2.3 forbids; what it accepts, the host installs within its bounds.
    let router = addr(SLAAC_ROUTER);
    let mut installed = 0;
    for units in 0..=255u8 {
        for prefix_len in [0u8, 1, 48, 64, 65, 128, 129, 255] {
            let mut host = eui64_host();
            let mut body = vec![0u8; 16];
            body[0] = 134; // RA
            body[4] = 64;
            body[6..8].copy_from_slice(&1800u16.to_be_bytes());
            let mut rio = vec![24u8, units, prefix_len, 0x08, 0, 0, 0x0e, 0x10];
            rio.resize(usize::from(units).max(1) * 8, 0xab);
            body.extend_from_slice(&rio);
            let packet = sixconf_core::wire::icmpv6::Packet::new_checked(&body[..]).unwrap();
            let Ok(Repr::RouterAdvert(ra)) = Repr::parse(&packet) else {
                assert!(
                    units == 0
                        || units > 3
                        || prefix_len > 128
                        || (units == 1 && prefix_len > 0)
                        || (units == 2 && prefix_len > 64),
                    "refused a valid RIO: len {units}, prefix length {prefix_len}"
                );
                continue;
            };
            host.handle_ra(Instant::ZERO, &meta(router), &ra);
            while host.poll_event().is_some() {}
            assert!(host.routes().len() <= 8);
            installed += host.routes().len();
        }
    }
    assert!(installed > 0);
}

#[test]
fn an_ra_built_in_memory_is_processed_like_a_received_one() {
    // Options given as lists (dotted names, address lists) instead of wire bytes.
    let mut host = eui64_host();
    let router = addr(SLAAC_ROUTER);
    let servers = [addr("2001:db8::53")];
    let domains = ["example.com", "bad..name"];
    let opts = [
        NdOption::Rdnss(Rdnss {
            lifetime: 600,
            servers: Ipv6Addrs::List(&servers),
        }),
        NdOption::Dnssl(Dnssl {
            lifetime: 600,
            domains: Domains::List(&domains),
        }),
    ];
    let ra = RouterAdvertRepr {
        cur_hop_limit: 0,
        managed: false,
        other: false,
        home_agent: false,
        proxy: false,
        router_preference: RouterPreference::Medium,
        router_lifetime: 0,
        reachable_time: 0,
        retrans_timer: 0,
        options: OptionsRepr::List(&opts),
    };
    host.handle_ra(Instant::ZERO, &meta(router), &ra);
    assert_eq!(
        events(&mut host),
        [Event::DnsServersChanged, Event::SearchListChanged]
    );
    assert_eq!(host.dns().servers().collect::<Vec<_>>(), servers);
    let names: Vec<Vec<u8>> = host
        .dns()
        .search_list()
        .map(|n| n.as_bytes().to_vec())
        .collect();
    // The invalid dotted name is skipped.
    assert_eq!(names, [b"\x07example\x03com\x00".to_vec()]);
}

fn p_flag_pio(prefix: &str, valid: u32, preferred: u32) -> NdOption<'static> {
    NdOption::PrefixInformation(PrefixInformation {
        prefix_len: 64,
        on_link: true,
        autonomous: true,
        router_address: false,
        pd_preferred: true,
        valid_lifetime: valid,
        preferred_lifetime: preferred,
        prefix: addr(prefix),
    })
}

fn pd_host() -> TestHost {
    let mut config = HostConfig::new(MAC, [0; 32], 1);
    config.iid = IidMode::Eui64;
    config.prefix_delegation = true;
    Host::new(config, Instant::ZERO)
}

#[test]
fn p_flag_is_ignored_by_a_host_without_prefix_delegation_rfc9762_4_1() {
    let mut host = eui64_host();
    let router = addr(SLAAC_ROUTER);
    let opts = [p_flag_pio("2001:db8:cafe::", 86_400, 14_400)];
    deliver(
        &mut host,
        Instant::ZERO,
        &meta(router),
        &Ra::new(&opts).encode(router),
    );
    let ev = events(&mut host);
    assert!(ev.contains(&Event::ProbeAddress {
        address: addr("2001:db8:cafe:0:f816:3eff:fe79:5acc")
    }));
    assert!(!ev.contains(&Event::PdPreferredChanged));
    assert!(host.pd_preferred().is_empty());
    assert!(!host.wants_prefix_delegation());
}

#[test]
fn p_flag_with_prefix_delegation_forms_no_address_and_tracks_the_prefix_rfc9762_4_2() {
    let mut host = pd_host();
    let router = addr(SLAAC_ROUTER);
    let opts = [
        p_flag_pio("2001:db8:cafe::", 86_400, 600),
        pio("2001:db8:beef::", 64, 86_400, 14_400),
    ];
    deliver(
        &mut host,
        Instant::ZERO,
        &meta(router),
        &Ra::new(&opts).encode(router),
    );
    let ev = events(&mut host);
    // The P prefix is still on-link (L=1) but gets no SLAAC address; the other one does.
    assert!(ev.contains(&Event::OnLinkPrefixAdded {
        prefix: addr("2001:db8:cafe::"),
        len: 64
    }));
    let probes: Vec<&Event> = ev
        .iter()
        .filter(|e| matches!(e, Event::ProbeAddress { .. }))
        .collect();
    assert_eq!(
        probes,
        [&Event::ProbeAddress {
            address: addr("2001:db8:beef:0:f816:3eff:fe79:5acc")
        }]
    );
    assert!(ev.contains(&Event::PdPreferredChanged));
    assert!(host.wants_prefix_delegation());
    let listed: Vec<(Ipv6Addr, u8)> = host
        .pd_preferred()
        .iter()
        .map(|p| (p.prefix, p.len))
        .collect();
    assert_eq!(listed, [(addr("2001:db8:cafe::"), 64)]);
    // A refresh is no change.
    deliver(
        &mut host,
        Instant::from_secs(10),
        &meta(router),
        &Ra::new(&opts).encode(router),
    );
    assert!(!events(&mut host).contains(&Event::PdPreferredChanged));
    // The preferred lifetime runs out (600 s after the refresh at 10 s): the prefix leaves.
    assert_eq!(host.poll_timeout(), Some(Instant::from_secs(610)));
    host.handle_timeout(Instant::from_secs(610));
    assert!(events(&mut host).contains(&Event::PdPreferredChanged));
    assert!(!host.wants_prefix_delegation());
    // Back, then withdrawn by preferred lifetime 0.
    deliver(
        &mut host,
        Instant::from_secs(700),
        &meta(router),
        &Ra::new(&opts).encode(router),
    );
    assert!(host.wants_prefix_delegation());
    let gone = [p_flag_pio("2001:db8:cafe::", 86_400, 0)];
    deliver(
        &mut host,
        Instant::from_secs(710),
        &meta(router),
        &Ra::new(&gone).encode(router),
    );
    assert!(events(&mut host).contains(&Event::PdPreferredChanged));
    assert!(host.pd_preferred().is_empty());
    assert!(!host
        .addresses()
        .iter()
        .any(|a| a.prefix == addr("2001:db8:cafe::")));
}

#[test]
fn p_flag_appearing_stops_refreshing_an_existing_slaac_address() {
    let mut host = pd_host();
    let router = addr(SLAAC_ROUTER);
    let plain = [pio("2001:db8:cafe::", 64, 86_400, 14_400)];
    deliver(
        &mut host,
        Instant::ZERO,
        &meta(router),
        &Ra::new(&plain).encode(router),
    );
    ack_all(&mut host, Instant::from_secs(1));
    let address = addr("2001:db8:cafe:0:f816:3eff:fe79:5acc");
    let valid_until = host.addresses().iter().next().unwrap().valid_until;
    let p = [p_flag_pio("2001:db8:cafe::", 86_400, 14_400)];
    deliver(
        &mut host,
        Instant::from_secs(3_600),
        &meta(router),
        &Ra::new(&p).encode(router),
    );
    let ev = events(&mut host);
    assert!(!ev
        .iter()
        .any(|e| matches!(e, Event::AddressLifetimesUpdated { .. })));
    // Processed as A=0: the address keeps its old lifetimes and ages out.
    assert_eq!(
        host.addresses().iter().next().unwrap().valid_until,
        valid_until
    );
    host.handle_timeout(valid_until);
    assert!(events(&mut host).contains(&Event::AddressRemoved { address }));
}

fn pref64(prefix: &str, length: Pref64Length, lifetime_s: u16) -> NdOption<'static> {
    NdOption::Pref64(Pref64 {
        scaled_lifetime: lifetime_s / 8,
        length,
        prefix: addr(prefix),
    })
}

#[test]
fn pref64_prefixes_come_refresh_go_and_expire_rfc8781() {
    let mut host = eui64_host();
    let router = addr(SLAAC_ROUTER);
    let send = |host: &mut TestHost, t: u64, o: &[NdOption<'_>]| {
        deliver(
            host,
            Instant::from_secs(t),
            &meta(router),
            &Ra::new(o).encode(router),
        );
        events(host).contains(&Event::Nat64PrefixesChanged)
    };
    let prefixes = |host: &TestHost| -> Vec<(Ipv6Addr, u8)> {
        host.nat64_prefixes()
            .iter()
            .map(|p| (p.prefix, p.len))
            .collect()
    };
    assert!(send(
        &mut host,
        0,
        &[pref64("64:ff9b::", Pref64Length::L96, 1800)]
    ));
    assert_eq!(prefixes(&host), [(addr("64:ff9b::"), 96)]);
    assert!(!send(
        &mut host,
        10,
        &[pref64("64:ff9b::", Pref64Length::L96, 1800)]
    ));
    // Renumbering: both are kept, each with its own lifetime.
    assert!(send(
        &mut host,
        20,
        &[
            pref64("64:ff9b::", Pref64Length::L96, 1800),
            pref64("2001:db8:64::", Pref64Length::L64, 600)
        ]
    ));
    assert_eq!(prefixes(&host).len(), 2);
    // A third does not fit: dropped and counted, nothing evicted.
    assert!(!send(
        &mut host,
        30,
        &[pref64("2001:db8:65::", Pref64Length::L48, 600)]
    ));
    assert_eq!(host.counters().pref64_options_ignored, 1);
    // An invalid Prefix Length Code is ignored (RFC 8781 §4).
    assert!(!send(
        &mut host,
        31,
        &[pref64("2001:db8:66::", Pref64Length::Unknown(6), 600)]
    ));
    assert_eq!(host.counters().pref64_options_ignored, 2);
    // Lifetime 0 withdraws one.
    assert!(send(
        &mut host,
        40,
        &[pref64("64:ff9b::", Pref64Length::L96, 0)]
    ));
    assert_eq!(prefixes(&host), [(addr("2001:db8:64::"), 64)]);
    // The other expires 600 s after it was last announced (at 20 s).
    host.handle_timeout(Instant::from_secs(619));
    assert_eq!(prefixes(&host).len(), 1);
    host.handle_timeout(Instant::from_secs(620));
    assert!(events(&mut host).contains(&Event::Nat64PrefixesChanged));
    assert!(host.nat64_prefixes().is_empty());
}

#[test]
fn captive_portal_uri_from_the_latest_ra_rfc8910() {
    let mut host = eui64_host();
    let router = addr(SLAAC_ROUTER);
    assert_eq!(host.captive_portal(), None);
    let send = |host: &mut TestHost, uri: &[u8]| {
        let o = [NdOption::CaptivePortal(CaptivePortal::new(uri))];
        deliver(
            host,
            Instant::ZERO,
            &meta(router),
            &Ra::new(&o).encode(router),
        );
        events(host).contains(&Event::CaptivePortalChanged)
    };
    assert!(send(&mut host, b"https://portal.example/api"));
    assert_eq!(host.captive_portal(), Some("https://portal.example/api"));
    assert!(!send(&mut host, b"https://portal.example/api"));
    assert!(send(&mut host, b"urn:ietf:params:capport:unrestricted"));
    assert_eq!(
        host.captive_portal(),
        Some("urn:ietf:params:capport:unrestricted")
    );
    // Longer than the host keeps: ignored and counted; the previous URI stays.
    let long = vec![b'a'; sixconf_core::host::MAX_CAPTIVE_PORTAL_URI + 1];
    assert!(!send(&mut host, &long));
    assert_eq!(host.counters().captive_portal_too_long, 1);
    assert_eq!(
        host.captive_portal(),
        Some("urn:ietf:params:capport:unrestricted")
    );
    let longest = vec![b'a'; sixconf_core::host::MAX_CAPTIVE_PORTAL_URI];
    assert!(send(&mut host, &longest));
    assert_eq!(host.captive_portal().map(str::len), Some(256));
}

/// The seed's SLAAC RA with a Route Information option of Length 4 (CVE-2024-5564) and a
/// PREF64 of Length 3 in front: RFC 4191 §3.1 and RFC 8781 §4 say to ignore those options, not
/// the RA, so `handle_ra_bytes` (lenient decoding) still forms the address from the PIO.
#[test]
fn malformed_rio_and_pref64_are_ignored_not_the_ra_rfc4191_3_1_rfc8781_4() {
    let router = addr(SLAAC_ROUTER);
    let mut wire = hex(concat!(
        "86000000",
        "4000001e",
        "00000000",
        "00000000",
        // RIO, Length 4.
        "18043008",
        "00000e10",
        "20010db8009900000000000000000000",
        "0000000000000000",
        // PREF64, Length 3.
        "26030708",
        "0064ff9b0000000000000000",
        "0000000000000000",
        // The seed's PIO and SLLA.
        "030440c0",
        "00015180",
        "00003840",
        "00000000",
        "20010db8cafe00000000000000000000",
        "0101fa163ec317b4",
    ));
    sixconf_core::wire::icmpv6::Packet::new_unchecked(&mut wire[..])
        .fill_checksum(&router, &ALL_NODES);
    // Strict decoding refuses the whole RA.
    assert!(Repr::parse_verified(&wire, &router, &ALL_NODES).is_err());
    let mut host = eui64_host();
    assert_eq!(
        host.handle_ra_bytes(Instant::from_secs(1), &meta(router), &wire),
        Ok(())
    );
    let expected_addr = addr("2001:db8:cafe::f816:3eff:fe79:5acc");
    assert_eq!(
        events(&mut host),
        [
            Event::LinkParametersChanged,
            Event::OnLinkPrefixAdded {
                prefix: addr("2001:db8:cafe::"),
                len: 64
            },
            Event::ProbeAddress {
                address: expected_addr
            },
            Event::DefaultRouterAdded {
                router,
                preference: Preference::Medium
            },
        ]
    );
    assert_eq!(host.routes().len(), 0, "the bad RIO installed no route");
    assert_eq!(host.counters().malformed_options_ignored, 2);
    assert_eq!(host.counters().ra_dropped_malformed, 0);

    // A bad walk (an option of Length 0) still drops the RA, counted; so does a bad checksum.
    let mut zero = hex(concat!(
        "86000000",
        "4000001e",
        "00000000",
        "00000000",
        "1800000000000000"
    ));
    sixconf_core::wire::icmpv6::Packet::new_unchecked(&mut zero[..])
        .fill_checksum(&router, &ALL_NODES);
    let mut host = eui64_host();
    assert!(host
        .handle_ra_bytes(Instant::ZERO, &meta(router), &zero)
        .is_err());
    wire[20] ^= 1;
    assert!(host
        .handle_ra_bytes(Instant::ZERO, &meta(router), &wire)
        .is_err());
    assert_eq!(host.counters().ra_dropped_malformed, 2);
    assert_eq!(host.counters().ra_accepted, 0);
    assert!(events(&mut host).is_empty());
}

#[test]
fn a_prefix_announced_again_without_p_leaves_the_p_flag_list_and_forms_an_address() {
    let mut host = pd_host();
    let router = addr(SLAAC_ROUTER);
    let p = [p_flag_pio("2001:db8:cafe::", 86_400, 14_400)];
    deliver(
        &mut host,
        Instant::ZERO,
        &meta(router),
        &Ra::new(&p).encode(router),
    );
    assert!(host.wants_prefix_delegation());
    events(&mut host);
    let plain = [pio("2001:db8:cafe::", 64, 86_400, 14_400)];
    deliver(
        &mut host,
        Instant::from_secs(5),
        &meta(router),
        &Ra::new(&plain).encode(router),
    );
    let ev = events(&mut host);
    assert!(ev.contains(&Event::PdPreferredChanged));
    assert!(!host.wants_prefix_delegation());
    assert!(ev.contains(&Event::ProbeAddress {
        address: addr("2001:db8:cafe:0:f816:3eff:fe79:5acc")
    }));
}
