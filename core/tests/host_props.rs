//! Properties of the host engine under arbitrary input: random RAs (structured and raw bytes),
//! DAD verdicts and time jumps. Whatever happens, the tables stay within their bounds, lifetimes
//! stay ordered, the adapter's view built only from the events matches the engine's state, and
//! `poll_timeout` never asks to be woken in the past once everything due was handled.

use core::net::Ipv6Addr;
use std::collections::BTreeSet;

use proptest::prelude::*;
use sixconf_core::host::{DadResult, Event, Host, HostConfig};
use sixconf_core::time::{Duration, Instant};
use sixconf_core::wire::icmpv6;
use sixconf_core::wire::ndisc::option::Ipv6Addrs;
use sixconf_core::wire::ndisc::option::{PrefixInformation, Rdnss, RouteInformation};
use sixconf_core::wire::ndisc::{
    IpMeta, NdOption, OptionsRepr, Repr, RouterAdvertRepr, RouterPreference,
};

type H = Host<2, 3, 3>;

#[derive(Debug, Clone)]
enum Op {
    Ra {
        router: u8,
        lifetime: u16,
        prf: u8,
        managed: bool,
        other: bool,
        pios: Vec<(u8, u8, bool, bool, u32, u32)>,
        rios: Vec<(u8, u8, u8, u32)>,
        dns: Option<(u8, u32)>,
        mtu: Option<u32>,
    },
    Dad {
        pick: usize,
        ok: bool,
    },
    Wait(u32),
}

fn lifetime() -> impl Strategy<Value = u32> {
    prop_oneof![
        Just(0u32),
        Just(u32::MAX),
        0u32..20,
        0u32..10_000,
        Just(7200),
        Just(7201),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (
            0u8..4,
            prop_oneof![Just(0u16), 1u16..100, Just(9000)],
            0u8..4,
            any::<bool>(),
            any::<bool>(),
            prop::collection::vec(
                (0u8..6, prop_oneof![Just(64u8), 0u8..=128], any::<bool>(), any::<bool>(), lifetime(), lifetime()),
                0..4
            ),
            prop::collection::vec((0u8..4, 0u8..=128, 0u8..4, lifetime()), 0..3),
            prop::option::of((0u8..5, lifetime())),
            prop::option::of(prop_oneof![Just(1280u32), Just(1500), any::<u32>()]),
        )
            .prop_map(|(router, lifetime, prf, managed, other, pios, rios, dns, mtu)| Op::Ra {
                router,
                lifetime,
                prf,
                managed,
                other,
                pios,
                rios,
                dns,
                mtu
            }),
        2 => (any::<usize>(), any::<bool>()).prop_map(|(pick, ok)| Op::Dad { pick, ok }),
        2 => prop_oneof![0u32..2_000, 0u32..100_000, 0u32..10_000_000].prop_map(Op::Wait),
    ]
}

/// The adapter's view, from events only.
#[derive(Default)]
struct View {
    probing: Vec<Ipv6Addr>,
    addresses: BTreeSet<Ipv6Addr>,
    routers: BTreeSet<Ipv6Addr>,
    on_link: BTreeSet<(Ipv6Addr, u8)>,
    routes: BTreeSet<(Ipv6Addr, u8, Ipv6Addr)>,
}

impl View {
    fn apply(&mut self, e: Event) {
        match e {
            Event::ProbeAddress { address } => self.probing.push(address),
            Event::AddressAdded { address, .. } => {
                assert!(self.addresses.insert(address), "added twice");
            }
            Event::AddressRemoved { address } => {
                self.addresses.remove(&address);
            }
            Event::DefaultRouterAdded { router, .. } => {
                self.routers.insert(router);
            }
            Event::DefaultRouterRemoved { router } => {
                assert!(self.routers.remove(&router), "removed unknown router");
            }
            // Install or replace.
            Event::OnLinkPrefixAdded { prefix, len } => {
                self.on_link.insert((prefix, len));
            }
            Event::OnLinkPrefixRemoved { prefix, len } => {
                assert!(self.on_link.remove(&(prefix, len)));
            }
            Event::RouteAdded {
                prefix,
                len,
                router,
                ..
            } => {
                self.routes.insert((prefix, len, router));
            }
            Event::RouteRemoved {
                prefix,
                len,
                router,
            } => {
                assert!(self.routes.remove(&(prefix, len, router)));
            }
            _ => {}
        }
    }
}

fn check(host: &H, view: &View) {
    assert!(host.routers().len() <= 2);
    assert!(host.prefixes().len() <= 3);
    assert!(host.addresses().len() <= 3);
    assert!(host.routes().len() <= 3);
    for a in host.addresses().iter() {
        assert!(a.preferred_until <= a.valid_until);
    }
    let assigned: BTreeSet<_> = host.addresses().assigned().map(|a| a.address).collect();
    assert_eq!(assigned, view.addresses);
    let routers: BTreeSet<_> = host.routers().iter().map(|r| r.address).collect();
    assert_eq!(routers, view.routers);
    let on_link: BTreeSet<_> = host.prefixes().iter().map(|p| (p.prefix, p.len)).collect();
    assert_eq!(on_link, view.on_link);
    let routes: BTreeSet<_> = host
        .routes()
        .iter()
        .map(|r| (r.prefix, r.len, r.router))
        .collect();
    assert_eq!(routes, view.routes);
    assert_eq!(host.counters().events_dropped, 0);
}

fn run(ops: Vec<Op>) {
    let mut host: H = Host::new(
        HostConfig::new([2, 0, 0, 0, 0, 1], [9; 32], 3),
        Instant::ZERO,
    );
    let mut view = View::default();
    let mut now = Instant::ZERO;
    let mut buf = [0u8; 1280];
    for op in ops {
        match op {
            Op::Ra {
                router,
                lifetime,
                prf,
                managed,
                other,
                pios,
                rios,
                dns,
                mtu,
            } => {
                let src = Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, u16::from(router) + 1);
                let servers: Vec<Ipv6Addr> = dns
                    .map(|(n, _)| {
                        (0..=n)
                            .map(|i| Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, u16::from(i) + 1))
                            .collect()
                    })
                    .unwrap_or_default();
                let mut options = Vec::new();
                for (p, len, l, a, valid, preferred) in pios {
                    options.push(NdOption::PrefixInformation(PrefixInformation {
                        prefix_len: len,
                        on_link: l,
                        autonomous: a,
                        router_address: false,
                        pd_preferred: false,
                        valid_lifetime: valid,
                        preferred_lifetime: preferred,
                        prefix: Ipv6Addr::new(0x2001, 0xdb8, u16::from(p), 0, 0, 0, 0, 0),
                    }));
                }
                for (p, len, prf, life) in rios {
                    options.push(NdOption::RouteInformation(RouteInformation {
                        prefix_len: len,
                        preference: RouterPreference::from_bits(prf),
                        route_lifetime: life,
                        prefix: Ipv6Addr::new(0x2001, 0xdb8, 0x100 + u16::from(p), 0, 0, 0, 0, 0),
                    }));
                }
                if let Some((_, life)) = dns {
                    options.push(NdOption::Rdnss(Rdnss {
                        lifetime: life,
                        servers: Ipv6Addrs::List(&servers),
                    }));
                }
                if let Some(m) = mtu {
                    options.push(NdOption::Mtu(m));
                }
                let repr = Repr::RouterAdvert(RouterAdvertRepr {
                    cur_hop_limit: 64,
                    managed,
                    other,
                    home_agent: false,
                    proxy: false,
                    router_preference: RouterPreference::from_bits(prf),
                    router_lifetime: lifetime,
                    reachable_time: 0,
                    retrans_timer: 0,
                    options: OptionsRepr::List(&options),
                });
                let dst = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);
                // Options the codec refuses to emit (e.g. a RIO longer than its prefix allows)
                // never reach the host.
                let Ok(len) = repr.emit(&src, &dst, &mut buf) else {
                    continue;
                };
                let Ok(Repr::RouterAdvert(ra)) = Repr::parse_verified(&buf[..len], &src, &dst)
                else {
                    panic!("emitted RA does not parse")
                };
                let meta = IpMeta {
                    src,
                    dst,
                    hop_limit: 255,
                    had_fragment_header: false,
                };
                host.handle_ra(now, &meta, &ra);
            }
            Op::Dad { pick, ok } => {
                if !view.probing.is_empty() {
                    let a = view.probing.remove(pick % view.probing.len());
                    let r = if ok {
                        DadResult::Ok
                    } else {
                        DadResult::Conflict
                    };
                    host.handle_dad_result(now, a, r);
                }
            }
            Op::Wait(ms) => {
                now += Duration::from_millis(u64::from(ms));
                host.handle_timeout(now);
                while host.poll_transmit(now, &mut buf).is_some() {}
                if let Some(t) = host.poll_timeout() {
                    assert!(t > now, "woken in the past: {t} <= {now}");
                }
            }
        }
        while let Some(e) = host.poll_event() {
            view.apply(e);
        }
        check(&host, &view);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn events_describe_the_state_and_tables_stay_bounded(ops in prop::collection::vec(op(), 1..60)) {
        run(ops);
    }

    #[test]
    fn arbitrary_bytes_never_panic_the_host(
        bytes in prop::collection::vec(any::<u8>(), 0..200),
        hop_limit in prop_oneof![Just(255u8), any::<u8>()],
        frag in any::<bool>(),
    ) {
        let mut host: H = Host::new(HostConfig::new([2, 0, 0, 0, 0, 1], [9; 32], 3), Instant::ZERO);
        // Force the RA type so that the option walker sees the random bytes.
        let mut bytes = bytes;
        if bytes.len() >= 2 {
            bytes[0] = 134;
            bytes[1] = 0;
        }
        if let Ok(packet) = icmpv6::Packet::new_checked(&bytes[..]) {
            if let Ok(Repr::RouterAdvert(ra)) = Repr::parse(&packet) {
                let meta = IpMeta {
                    src: Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 1),
                    dst: Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1),
                    hop_limit,
                    had_fragment_header: frag,
                };
                host.handle_ra(Instant::from_secs(1), &meta, &ra);
                while let Some(e) = host.poll_event() {
                    let _ = format!("{e:?}");
                }
                host.handle_timeout(Instant::from_secs(u64::from(u32::MAX)));
            }
        }
    }
}
