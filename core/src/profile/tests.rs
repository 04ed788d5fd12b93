use core::net::Ipv6Addr;
use std::string::ToString;

use super::*;

fn addr(s: &str) -> Ipv6Addr {
    s.parse().unwrap()
}

fn pfx(s: &str, len: u8) -> Prefix {
    Prefix::new(addr(s), len)
}

/// The seed's SLAAC link: 2001:db8:cafe::/64, router lifetime 30 s (radvd: 3 × Max, Max = 10 s).
fn seed_slaac() -> Profile<4> {
    let mut p = Profile::new(Mode::Slaac);
    p.set_max_interval(10_000);
    p.add_prefix(pfx("2001:db8:cafe::", 64)).unwrap();
    p
}

fn stateful() -> Profile<4> {
    let mut p = Profile::new(Mode::Dhcpv6Stateful);
    p.add_prefix(pfx("2001:db8:cafe:1::", 64)).unwrap();
    p.dhcpv6.pool = Some(AddressPool {
        start: addr("2001:db8:cafe:1::2"),
        end: addr("2001:db8:cafe:1:ffff:ffff:ffff:fffe"),
    });
    p
}

#[track_caller]
fn rejects(p: &Profile<4>, e: ProfileError, text: &str) {
    assert_eq!(p.validate(), Err(e));
    let shown = e.to_string();
    assert!(shown.contains(text), "{shown:?} lacks {text:?}");
}

#[test]
fn the_seeds_profiles_are_valid() {
    let p = seed_slaac();
    assert_eq!(p.validate(), Ok(()));
    assert_eq!(p.router.lifetime_s, 30);
    assert_eq!(p.router.min_interval_ms, 3_300);
    let a = p.prefixes[0];
    assert!(a.on_link && a.autonomous && !a.pd_preferred);
    assert_eq!((a.valid_lifetime, a.preferred_lifetime), (86_400, 14_400));
    assert_eq!(stateful().validate(), Ok(()));
    assert!(!stateful().prefixes[0].autonomous);
    assert_eq!(Profile::<4>::new(Mode::Slaac).router.lifetime_s, 1800);
}

#[test]
fn mode_maps_to_flags_as_the_design_table() {
    assert_eq!(
        (
            Mode::Slaac.managed(),
            Mode::Slaac.other_config(),
            Mode::Slaac.autonomous()
        ),
        (false, false, true)
    );
    let s = Mode::Dhcpv6Stateless;
    assert_eq!(
        (s.managed(), s.other_config(), s.autonomous()),
        (false, true, true)
    );
    let s = Mode::Dhcpv6Stateful;
    assert_eq!(
        (s.managed(), s.other_config(), s.autonomous()),
        (true, false, false)
    );
    assert_eq!(s.to_string(), "dhcpv6-stateful");
}

#[test]
fn max_interval_bounds() {
    for (max, ok) in [
        (3_999, false),
        (4_000, true),
        (1_800_000, true),
        (1_800_001, false),
    ] {
        let mut p = seed_slaac();
        p.set_max_interval(max);
        p.prefixes[0].valid_lifetime = INFINITE;
        let r = p.validate();
        if ok {
            assert_eq!(r, Ok(()), "max {max}");
        } else {
            assert_eq!(r, Err(ProfileError::MaxIntervalOutOfRange { max_ms: max }));
        }
    }
    let mut p = seed_slaac();
    p.router.max_interval_ms = 3_000;
    rejects(
        &p,
        ProfileError::MaxIntervalOutOfRange { max_ms: 3_000 },
        "MaxRtrAdvInterval 3 s is outside 4 s..=1800 s",
    );
}

#[test]
fn min_interval_bounds() {
    let mut p = seed_slaac();
    p.router.min_interval_ms = 2_999;
    rejects(
        &p,
        ProfileError::MinIntervalOutOfRange {
            min_ms: 2_999,
            max_ms: 10_000,
        },
        "MinRtrAdvInterval 2.999 s must be at least 3 s and at most 0.75 × MaxRtrAdvInterval (7.5 s)",
    );
    p.router.min_interval_ms = 7_500;
    assert_eq!(p.validate(), Ok(()));
    p.router.min_interval_ms = 7_501;
    assert!(matches!(
        p.validate(),
        Err(ProfileError::MinIntervalOutOfRange { min_ms: 7_501, .. })
    ));
}

#[test]
fn router_lifetime_zero_or_max_to_9000() {
    let mut p = seed_slaac();
    for (l, ok) in [
        (0, true),
        (9, false),
        (10, true),
        (9_000, true),
        (9_001, false),
    ] {
        p.router.lifetime_s = l;
        assert_eq!(p.validate().is_ok(), ok, "lifetime {l}");
    }
    p.router.lifetime_s = 9;
    rejects(
        &p,
        ProfileError::RouterLifetimeOutOfRange {
            lifetime_s: 9,
            max_ms: 10_000,
        },
        "router lifetime 9 s must be 0 or between MaxRtrAdvInterval (10 s) and 9000 s",
    );
}

#[test]
fn reachable_time_and_mtu() {
    let mut p = seed_slaac();
    p.router.reachable_time_ms = 3_600_000;
    assert_eq!(p.validate(), Ok(()));
    p.router.reachable_time_ms = 3_600_001;
    rejects(
        &p,
        ProfileError::ReachableTimeTooLarge {
            reachable_time_ms: 3_600_001,
        },
        "3600001 ms",
    );
    let mut p = seed_slaac();
    p.mtu = Some(1280);
    assert_eq!(p.validate(), Ok(()));
    p.mtu = Some(1279);
    rejects(&p, ProfileError::MtuTooSmall { mtu: 1279 }, "MTU 1279");
}

#[test]
fn autonomous_prefix_must_be_a_64() {
    let mut p = seed_slaac();
    p.add_prefix(pfx("2001:db8:1::", 48)).unwrap();
    rejects(
        &p,
        ProfileError::AutonomousNotSlash64 {
            prefix: pfx("2001:db8:1::", 48),
        },
        "prefix 2001:db8:1::/48 has the autonomous flag (A=1) but SLAAC needs a /64",
    );
    p.prefixes[1].autonomous = false;
    assert_eq!(p.validate(), Ok(()));
}

#[test]
fn host_bits_duplicates_and_lengths() {
    let mut p = seed_slaac();
    p.prefixes[0].prefix = pfx("2001:db8:cafe::1", 64);
    rejects(
        &p,
        ProfileError::HostBitsSet {
            prefix: pfx("2001:db8:cafe::1", 64),
        },
        "did you mean 2001:db8:cafe::/64?",
    );
    let mut p = seed_slaac();
    p.add_prefix(pfx("2001:db8:cafe::", 64)).unwrap();
    rejects(
        &p,
        ProfileError::DuplicatePrefix {
            prefix: pfx("2001:db8:cafe::", 64),
        },
        "listed twice",
    );
    let mut p = seed_slaac();
    p.routes
        .push(AdvRoute {
            prefix: pfx("2001:db8::", 129),
            preference: Preference::High,
            lifetime: 1800,
        })
        .unwrap();
    rejects(
        &p,
        ProfileError::PrefixLengthTooLong {
            prefix: pfx("2001:db8::", 129),
        },
        "length above 128",
    );
}

#[test]
fn preferred_above_valid() {
    let mut p = seed_slaac();
    p.prefixes[0].preferred_lifetime = 86_401;
    rejects(
        &p,
        ProfileError::PreferredExceedsValid {
            prefix: pfx("2001:db8:cafe::", 64),
            preferred: 86_401,
            valid: 86_400,
        },
        "preferred lifetime 86401 s exceeds valid lifetime 86400 s",
    );
    p.prefixes[0].preferred_lifetime = 86_400;
    assert_eq!(p.validate(), Ok(()));
}

#[test]
fn lifetimes_shorter_than_the_interval() {
    let mut p = seed_slaac();
    p.prefixes[0].valid_lifetime = 9;
    p.prefixes[0].preferred_lifetime = 0;
    rejects(
        &p,
        ProfileError::PrefixLifetimeTooShort {
            prefix: pfx("2001:db8:cafe::", 64),
            valid: 9,
            max_ms: 10_000,
        },
        "valid lifetime 9 s is shorter than MaxRtrAdvInterval (10 s)",
    );
    p.prefixes[0].valid_lifetime = 10;
    assert_eq!(p.validate(), Ok(()));

    let mut p = seed_slaac();
    let route = AdvRoute {
        prefix: pfx("2001:db8:100::", 48),
        preference: Preference::Low,
        lifetime: 5,
    };
    p.routes.push(route).unwrap();
    rejects(
        &p,
        ProfileError::RouteLifetimeTooShort {
            prefix: route.prefix,
            lifetime: 5,
            max_ms: 10_000,
        },
        "route 2001:db8:100::/48: lifetime 5 s",
    );
    p.routes[0].lifetime = 0;
    assert_eq!(p.validate(), Ok(()), "lifetime 0 withdraws the route");
}

#[test]
fn dns_lifetimes_at_least_max_interval() {
    let mut p = seed_slaac();
    assert_eq!(p.dns.rdnss_lifetime, 30, "RFC 8106 §5.1 default 3 × Max");
    p.dns.servers.push(addr("2001:db8:cafe:a::e")).unwrap();
    p.dns.rdnss_lifetime = 9;
    rejects(
        &p,
        ProfileError::DnsLifetimeTooShort {
            option: DnsOption::Rdnss,
            lifetime: 9,
            max_ms: 10_000,
        },
        "RDNSS lifetime 9 s is shorter than MaxRtrAdvInterval (10 s)",
    );
    p.dns.rdnss_lifetime = 10;
    assert_eq!(p.validate(), Ok(()));
    p.dns.search_list.push("openstacklocal").unwrap();
    p.dns.dnssl_lifetime = 0;
    rejects(
        &p,
        ProfileError::DnsLifetimeTooShort {
            option: DnsOption::Dnssl,
            lifetime: 0,
            max_ms: 10_000,
        },
        "DNSSL lifetime 0 s",
    );
    p.dns.in_ra = false;
    assert_eq!(p.validate(), Ok(()), "not advertised in the RA");
}

#[test]
fn mode_contradictions() {
    let mut p = seed_slaac();
    p.prefixes[0].autonomous = false;
    rejects(
        &p,
        ProfileError::NoAutonomousPrefix { mode: Mode::Slaac },
        "mode slaac needs at least one /64 prefix with the autonomous flag",
    );
    let mut p: Profile<4> = Profile::new(Mode::Dhcpv6Stateless);
    rejects(
        &p,
        ProfileError::NoAutonomousPrefix {
            mode: Mode::Dhcpv6Stateless,
        },
        "dhcpv6-stateless",
    );
    p.add_prefix(pfx("2001:db8:cafe:2::", 64)).unwrap();
    assert_eq!(p.validate(), Ok(()));

    let mut p = stateful();
    p.prefixes[0].autonomous = true;
    rejects(
        &p,
        ProfileError::AutonomousInStatefulMode {
            prefix: pfx("2001:db8:cafe:1::", 64),
        },
        "by DHCPv6 only",
    );
    let mut p = stateful();
    p.dhcpv6.pool = None;
    rejects(
        &p,
        ProfileError::StatefulWithoutPool,
        "no DHCPv6 address pool",
    );
}

#[test]
fn pools() {
    let mut p = stateful();
    let pool = AddressPool {
        start: addr("2001:db8::1"),
        end: addr("2001:db8::ff"),
    };
    p.dhcpv6.pool = Some(pool);
    rejects(
        &p,
        ProfileError::PoolOutsidePrefix { pool },
        "pool 2001:db8::1-2001:db8::ff is outside every prefix of the link",
    );
    let pool = AddressPool {
        start: addr("2001:db8:cafe:1::ff"),
        end: addr("2001:db8:cafe:1::1"),
    };
    p.dhcpv6.pool = Some(pool);
    assert_eq!(pool.size(), 0);
    rejects(&p, ProfileError::PoolEmpty { pool }, "start is above end");

    let mut p = stateful();
    let pd = PdPool {
        prefix: pfx("2001:db8:ca00::", 40),
        delegated_len: 56,
    };
    p.dhcpv6.pd_pool = Some(pd);
    rejects(
        &p,
        ProfileError::PdPoolOverlapsPrefix {
            pd: pd.prefix,
            prefix: pfx("2001:db8:cafe:1::", 64),
        },
        "prefix delegation pool 2001:db8:ca00::/40 overlaps prefix 2001:db8:cafe:1::/64",
    );
    let ok = PdPool {
        prefix: pfx("2001:db8:d000::", 40),
        delegated_len: 56,
    };
    p.dhcpv6.pd_pool = Some(ok);
    assert_eq!(p.validate(), Ok(()));
    let bad = PdPool {
        prefix: pfx("2001:db8:d000::", 40),
        delegated_len: 36,
    };
    p.dhcpv6.pd_pool = Some(bad);
    rejects(
        &p,
        ProfileError::PdPoolBadLength { pool: bad },
        "delegated length /36 must be between /40 and /128",
    );
}

#[test]
fn dhcpv6_lifetimes_and_timers() {
    let mut p = stateful();
    p.dhcpv6.preferred_lifetime = 7_501;
    rejects(
        &p,
        ProfileError::DhcpPreferredExceedsValid {
            preferred: 7_501,
            valid: 7_500,
        },
        "7501 s exceeds valid lifetime 7500 s",
    );
    let mut p = stateful();
    p.dhcpv6.t1 = 6_000;
    rejects(
        &p,
        ProfileError::T1AfterT2 {
            t1: 6_000,
            t2: 5_760,
        },
        "T1 6000 s is after T2 5760 s",
    );
    p.dhcpv6.t2 = 0;
    assert_eq!(p.validate(), Ok(()), "T2 0 leaves it to the client");
}

#[test]
fn pref64_and_captive_portal() {
    let mut p = seed_slaac();
    p.pref64 = Some(Pref64 {
        prefix: pfx("64:ff9b::", 96),
        lifetime: 1_800,
    });
    assert_eq!(p.validate(), Ok(()));
    p.pref64 = Some(Pref64 {
        prefix: pfx("64:ff9b::", 80),
        lifetime: 1_800,
    });
    rejects(
        &p,
        ProfileError::Pref64BadLength {
            prefix: pfx("64:ff9b::", 80),
        },
        "length must be 32, 40, 48, 56, 64 or 96",
    );
    for lifetime in [9, 65_529] {
        p.pref64 = Some(Pref64 {
            prefix: pfx("64:ff9b::", 96),
            lifetime,
        });
        rejects(
            &p,
            ProfileError::Pref64LifetimeOutOfRange {
                lifetime,
                max_ms: 10_000,
            },
            "and 65528 s",
        );
    }
    let mut p = seed_slaac();
    p.captive_portal = Some(heapless::String::new());
    rejects(&p, ProfileError::CaptivePortalEmpty, "empty");
}

#[test]
fn bounded_lists_refuse_cleanly() {
    let mut p: Profile<2> = Profile::new(Mode::Slaac);
    p.add_prefix(pfx("2001:db8:1::", 64)).unwrap();
    p.add_prefix(pfx("2001:db8:2::", 64)).unwrap();
    let e = p.add_prefix(pfx("2001:db8:3::", 64)).unwrap_err();
    assert_eq!(
        e,
        ProfileError::TooMany {
            what: "prefixes",
            max: 2
        }
    );
    assert_eq!(e.to_string(), "too many prefixes: at most 2");
    assert_eq!(p.prefixes.len(), 2);

    let mut s = SearchList::new();
    s.push("openstacklocal.").unwrap();
    s.push("example.com").unwrap();
    assert_eq!(s.as_wire(), b"\x0eopenstacklocal\x00\x07example\x03com\x00");
    let names: std::vec::Vec<_> = s.names().map(|n| n.to_string()).collect();
    assert_eq!(names, ["openstacklocal", "example.com"]);
    assert!(matches!(s.push("a..b"), Err(SearchListError::BadName(_))));
    assert!(matches!(s.push("."), Err(SearchListError::BadName(_))));
    let long = "a".repeat(60);
    let mut full = SearchList::new();
    for _ in 0..4 {
        full.push(&long).unwrap();
    }
    let before = full.clone();
    assert_eq!(full.push(&long), Err(SearchListError::Full { needed: 310 }));
    assert_eq!(full, before, "left as it was");
}

#[test]
fn prefix_arithmetic() {
    let p = pfx("2001:db8:cafe::", 48);
    assert!(p.contains(addr("2001:db8:cafe:ffff::1")));
    assert!(!p.contains(addr("2001:db8:caff::")));
    assert!(p.overlaps(&pfx("2001:db8:cafe:1::", 64)));
    assert!(pfx("::", 0).overlaps(&p));
    assert!(!p.overlaps(&pfx("2001:db8:caff::", 48)));
    assert_eq!(pfx("2001:db8::1", 128).network(), addr("2001:db8::1"));
    assert!(!pfx("2001:db8::1", 128).has_host_bits());
}

mod prop {
    use super::*;
    use crate::ra::{Advertiser, Link};
    use crate::time::Instant;
    use crate::wire::ndisc::{NdOption, Repr};
    use proptest::prelude::*;

    /// Mostly the sane value, sometimes anything.
    fn mostly<T: core::fmt::Debug + Clone + 'static>(
        sane: impl Strategy<Value = T> + 'static,
        any: impl Strategy<Value = T> + 'static,
    ) -> BoxedStrategy<T> {
        prop_oneof![12 => sane, 1 => any].boxed()
    }

    fn any_addr() -> impl Strategy<Value = Ipv6Addr> {
        any::<u128>().prop_map(Ipv6Addr::from)
    }

    /// Prefix `i` of the link: 2001:db8:i::/64 with the mode's flags, or something odd.
    fn a_prefix(i: u16, mode: Mode) -> impl Strategy<Value = AdvPrefix> {
        let sane = AdvPrefix::for_mode(
            mode,
            Prefix::new(Ipv6Addr::new(0x2001, 0xdb8, i, 0, 0, 0, 0, 0), 64),
        );
        (
            mostly(
                Just(sane.prefix),
                (any_addr(), 0u8..=130).prop_map(|(a, l)| Prefix::new(a, l)),
            ),
            mostly(
                Just((sane.on_link, sane.autonomous, false)),
                any::<(bool, bool, bool)>(),
            ),
            mostly(Just(86_400u32), any::<u32>()),
            mostly(Just(14_400u32), any::<u32>()),
        )
            .prop_map(|(prefix, (l, a, p), valid, preferred)| AdvPrefix {
                prefix,
                on_link: l,
                autonomous: a,
                pd_preferred: p,
                valid_lifetime: valid,
                preferred_lifetime: preferred,
            })
    }

    fn any_profile() -> impl Strategy<Value = Profile<4>> {
        prop_oneof![
            Just(Mode::Slaac),
            Just(Mode::Dhcpv6Stateless),
            Just(Mode::Dhcpv6Stateful)
        ]
        .prop_flat_map(|mode| {
            (
                Just(mode),
                (1usize..=4).prop_flat_map(move |n| {
                    (0..n as u16)
                        .map(|i| a_prefix(i, mode))
                        .collect::<std::vec::Vec<_>>()
                }),
                proptest::collection::vec(
                    (
                        any_addr(),
                        0u8..=128,
                        mostly(prop_oneof![Just(0u32), Just(INFINITE)], any::<u32>()),
                    ),
                    0..=8,
                ),
                proptest::collection::vec(any_addr(), 0..=4),
                (
                    mostly(Just(None), any::<(u32, u32)>().prop_map(Some)),
                    any::<bool>(),
                ),
                mostly(4_000u32..=1_800_000, any::<u32>()),
                (
                    mostly(
                        proptest::option::of(1280u32..=1500),
                        proptest::option::of(any::<u32>()),
                    ),
                    mostly(
                        proptest::option::of(Just((Prefix::new(addr("64:ff9b::"), 96), 65_528u16))),
                        proptest::option::of(
                            (any_addr(), 0u8..=100, any::<u16>())
                                .prop_map(|(a, l, t)| (Prefix::new(a, l), t)),
                        ),
                    ),
                ),
                proptest::option::of("[a-z/:.]{0,200}"),
                mostly(1u64..1000, any::<u64>()),
            )
        })
        .prop_map(
            |(
                mode,
                prefixes,
                routes,
                servers,
                (dns_lifetimes, in_ra),
                max,
                (mtu, p64),
                portal,
                pool,
            )| {
                let mut p: Profile<4> = Profile::new(mode);
                p.set_max_interval(max);
                for x in prefixes {
                    p.prefixes.push(x).unwrap();
                }
                for (a, len, lifetime) in routes {
                    let prefix = Prefix::new(a, len);
                    p.routes
                        .push(AdvRoute {
                            prefix: Prefix::new(prefix.network(), len),
                            preference: Preference::High,
                            lifetime,
                        })
                        .unwrap();
                }
                for s in servers {
                    p.dns.servers.push(s).unwrap();
                }
                p.dns.search_list.push("example.com").unwrap();
                if let Some((rl, dl)) = dns_lifetimes {
                    p.dns.rdnss_lifetime = rl;
                    p.dns.dnssl_lifetime = dl;
                }
                p.dns.in_ra = in_ra;
                p.mtu = mtu;
                p.pref64 = p64.map(|(prefix, lifetime)| Pref64 { prefix, lifetime });
                p.captive_portal = portal.map(|u| heapless::String::try_from(u.as_str()).unwrap());
                let base = u128::from(p.prefixes[0].prefix.addr);
                p.dhcpv6.pool = Some(AddressPool {
                    start: Ipv6Addr::from(base.wrapping_add(0x100)),
                    end: Ipv6Addr::from(base.wrapping_add(0x100).saturating_add(u128::from(pool))),
                });
                p
            },
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

        /// Whatever validation accepts, the Advertiser turns into RAs that fit the MTU, decode,
        /// and carry every advertised prefix.
        #[test]
        fn whatever_validates_becomes_decodable_ras(p in any_profile()) {
            prop_assume!(p.validate().is_ok());
            match p.validate() {
                Err(_) => unreachable!(),
                Ok(()) => {
                    let mtu = p.mtu.unwrap_or(1280);
                    let link = Link { link_local: addr("fe80::1"), mtu };
                    let mut adv = Advertiser::new(p.clone(), link, 1, Instant::ZERO).unwrap();
                    let mut buf = [0u8; 1500];
                    let mut pios = 0;
                    while let Some(tx) = adv.poll_transmit(Instant::ZERO, &mut buf) {
                        prop_assert!(tx.len <= mtu as usize - 40);
                        let Ok(Repr::RouterAdvert(ra)) = Repr::parse_verified(&buf[..tx.len], &tx.src, &tx.dst) else {
                            return Err(TestCaseError::fail("RA does not decode"));
                        };
                        prop_assert_eq!(ra.managed, p.mode.managed());
                        pios += ra.options.iter().filter(|o| matches!(o, NdOption::PrefixInformation(_))).count();
                    }
                    let advertised = p.prefixes.iter().filter(|a| a.on_link || a.autonomous || a.pd_preferred).count();
                    prop_assert_eq!(pios, advertised);
                    prop_assert_eq!(adv.counters().option_too_large, 0);
                }
            }
        }

        /// Validation never panics, and every refusal explains itself.
        #[test]
        fn every_refusal_explains_itself(p in any_profile()) {
            if let Err(e) = p.validate() {
                let text = e.to_string();
                prop_assert!(text.len() > 20, "{text}");
            }
        }
    }
}
