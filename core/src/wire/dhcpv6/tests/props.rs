//! Property tests: no input panics (Debug and Display of whatever parses included, Kea
//! CVE-2015-8373), and parse → emit → parse is the identity, for random bytes, mutated golden
//! messages, and messages built from random typed options.

use std::string::String;
use std::vec;
use std::vec::Vec;

use proptest::prelude::*;

use super::{hex, render};
use crate::wire::dhcpv6::*;
use core::net::Ipv6Addr;

/// Any input: parse must not panic; if it parses, formatting must not panic and emit must give
/// back exactly the input, which parses to the same value.
fn check_any(bytes: &[u8]) {
    let _ = Packet::new_checked(bytes).map(|p| {
        (
            p.msg_type(),
            p.transaction_id(),
            p.hop_count(),
            p.link_address(),
            p.options().len(),
        )
    });
    let _ = RelayChain::parse(bytes).map(|c| std::format!("{c}{c:?}"));
    if let Ok(repr) = Repr::parse(bytes) {
        let _ = render(&repr);
        let mut out = std::vec![0u8; bytes.len()];
        assert_eq!(repr.emit(&mut out), Ok(bytes.len()));
        assert_eq!(out, bytes);
        assert_eq!(Repr::parse(&out).unwrap(), repr);
        // Every option's own buffer_len agrees with the wire.
        let total: usize = repr.message().options.iter().map(|o| o.buffer_len()).sum();
        assert_eq!(total, repr.message().options.as_bytes().len());
        // The receipt checks never panic either.
        let duid = Duid::new(&[0, 3, 0, 1, 1, 2, 3, 4, 5, 6]).unwrap();
        let m = repr.message();
        let _ = check_server_receipt(&m, &duid);
        let _ = check_client_receipt(&m, m.transaction_id, &duid, true, true);
    }
}

fn goldens() -> Vec<Vec<u8>> {
    let mut v: Vec<Vec<u8>> = include_str!("scapy.hex")
        .lines()
        .map(|l| hex(l.split(' ').nth(1).unwrap()))
        .collect();
    for s in [
        super::seed::SOLICIT,
        super::seed::ADVERTISE,
        super::seed::REQUEST,
        super::seed::REPLY,
        super::seed::INFORMATION_REQUEST,
        super::seed::INFORMATION_REPLY,
    ] {
        v.push(hex(s));
    }
    v
}

#[derive(Debug, Clone)]
enum Op {
    ClientId(Vec<u8>),
    ServerId(Vec<u8>),
    IaNa(u32, u32, u32, Vec<(u128, u32, u32)>, Option<(u16, String)>),
    IaPd(u32, u32, u32, Vec<(u128, u32, u32, u8)>),
    IaTa(u32, Vec<(u128, u32, u32)>),
    Oro(Vec<u16>),
    Preference(u8),
    Elapsed(u16),
    RapidCommit,
    ReconfigureAccept,
    Status(u16, String),
    Dns(Vec<u128>),
    Sntp(Vec<u128>),
    Domains(Vec<String>),
    Refresh(u32),
    SolMaxRt(u32),
    InfMaxRt(u32),
    Fqdn(u8, String),
    InterfaceId(Vec<u8>),
    RemoteId(u32, Vec<u8>),
    SubscriberId(Vec<u8>),
    Clla(u16, Vec<u8>),
    UserClass(Vec<Vec<u8>>),
    VendorClass(u32, Vec<Vec<u8>>),
    Ntp(u128),
    Auth(u8, u8, u8, u64, Vec<u8>),
    Unknown(u16, Vec<u8>),
}

fn lifetimes() -> impl Strategy<Value = (u32, u32)> {
    (any::<u32>(), any::<u32>()).prop_map(|(a, b)| (a.min(b), a.max(b)))
}

fn name() -> impl Strategy<Value = String> {
    proptest::collection::vec("[a-z0-9-]{1,20}", 1..4).prop_map(|labels| labels.join("."))
}

fn op() -> impl Strategy<Value = Op> {
    let bytes = |max| proptest::collection::vec(any::<u8>(), 0..max);
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 3..=130).prop_map(Op::ClientId),
        proptest::collection::vec(any::<u8>(), 3..=130).prop_map(Op::ServerId),
        (
            any::<u32>(),
            any::<u32>(),
            any::<u32>(),
            proptest::collection::vec((any::<u128>(), lifetimes()), 0..4),
            proptest::option::of((0u16..8, "[ -~]{0,20}"))
        )
            .prop_map(|(i, t1, t2, a, s)| Op::IaNa(
                i,
                t1,
                t2,
                a.into_iter().map(|(x, (p, v))| (x, p, v)).collect(),
                s
            )),
        (
            any::<u32>(),
            any::<u32>(),
            any::<u32>(),
            proptest::collection::vec((any::<u128>(), lifetimes(), 0u8..=128), 0..4)
        )
            .prop_map(|(i, t1, t2, p)| Op::IaPd(
                i,
                t1,
                t2,
                p.into_iter().map(|(x, (a, b), l)| (x, a, b, l)).collect()
            )),
        (
            any::<u32>(),
            proptest::collection::vec((any::<u128>(), lifetimes()), 0..3)
        )
            .prop_map(|(i, a)| Op::IaTa(i, a.into_iter().map(|(x, (p, v))| (x, p, v)).collect())),
        proptest::collection::vec(any::<u16>(), 0..20).prop_map(Op::Oro),
        any::<u8>().prop_map(Op::Preference),
        any::<u16>().prop_map(Op::Elapsed),
        Just(Op::RapidCommit),
        Just(Op::ReconfigureAccept),
        (any::<u16>(), "\\PC{0,30}").prop_map(|(c, m)| Op::Status(c, m)),
        proptest::collection::vec(any::<u128>(), 0..4).prop_map(Op::Dns),
        proptest::collection::vec(any::<u128>(), 0..4).prop_map(Op::Sntp),
        proptest::collection::vec(name(), 0..4).prop_map(Op::Domains),
        any::<u32>().prop_map(Op::Refresh),
        (60u32..=86400).prop_map(Op::SolMaxRt),
        (60u32..=86400).prop_map(Op::InfMaxRt),
        (
            any::<u8>(),
            prop_oneof![Just(String::new()), name(), name().prop_map(|n| n + ".")]
        )
            .prop_map(|(f, n)| Op::Fqdn(f, n)),
        bytes(40).prop_map(Op::InterfaceId),
        (any::<u32>(), proptest::collection::vec(any::<u8>(), 1..20))
            .prop_map(|(e, b)| Op::RemoteId(e, b)),
        proptest::collection::vec(any::<u8>(), 1..20).prop_map(Op::SubscriberId),
        (any::<u16>(), proptest::collection::vec(any::<u8>(), 1..=16))
            .prop_map(|(t, a)| Op::Clla(t, a)),
        proptest::collection::vec(bytes(10), 0..4).prop_map(Op::UserClass),
        (any::<u32>(), proptest::collection::vec(bytes(10), 0..4))
            .prop_map(|(e, i)| Op::VendorClass(e, i)),
        any::<u128>().prop_map(Op::Ntp),
        (
            any::<u8>(),
            any::<u8>(),
            any::<u8>(),
            any::<u64>(),
            bytes(30)
        )
            .prop_map(|(p, a, r, d, i)| Op::Auth(p, a, r, d, i)),
        (1000u16..=65535, bytes(40)).prop_map(|(c, d)| Op::Unknown(c, d)),
    ]
}

fn write(w: &mut Writer<'_>, op: &Op) {
    let ip = |x: &u128| Ipv6Addr::from(*x);
    match op {
        Op::ClientId(d) => {
            w.option(1, d);
        }
        Op::ServerId(d) => {
            w.option(2, d);
        }
        Op::IaNa(i, t1, t2, addrs, status) => {
            w.begin_ia_na(*i, *t1, *t2);
            for (a, p, v) in addrs {
                w.begin_ia_addr(ip(a), *p, *v);
                if let Some((c, m)) = status {
                    w.status(StatusCode::from(*c), m);
                }
                w.end();
            }
            if let Some((c, m)) = status {
                w.status(StatusCode::from(*c), m);
            }
            w.end();
        }
        Op::IaPd(i, t1, t2, prefixes) => {
            w.begin_ia_pd(*i, *t1, *t2);
            for (a, p, v, l) in prefixes {
                w.begin_ia_prefix(*p, *v, *l, ip(a));
                if *l < 128 {
                    w.prefix_exclude(*l, ip(a), *l + 1);
                }
                w.end();
            }
            w.end();
        }
        Op::IaTa(i, addrs) => {
            w.begin(4).u32(*i);
            for (a, p, v) in addrs {
                w.ia_addr(ip(a), *p, *v);
            }
            w.end();
        }
        Op::Oro(codes) => {
            let codes: Vec<OptionCode> = codes.iter().map(|&c| OptionCode::from(c)).collect();
            w.oro(&codes);
        }
        Op::Preference(p) => {
            w.preference(*p);
        }
        Op::Elapsed(e) => {
            w.elapsed_time(*e);
        }
        Op::RapidCommit => {
            w.rapid_commit();
        }
        Op::ReconfigureAccept => {
            w.reconfigure_accept();
        }
        Op::Status(c, m) => {
            w.status(StatusCode::from(*c), m);
        }
        Op::Dns(a) => {
            w.dns_servers(&a.iter().map(ip).collect::<Vec<_>>());
        }
        Op::Sntp(a) => {
            w.sntp_servers(&a.iter().map(ip).collect::<Vec<_>>());
        }
        Op::Domains(names) => {
            let names: Vec<&str> = names.iter().map(|s| s.as_str()).collect();
            w.domain_list(&names);
        }
        Op::Refresh(r) => {
            w.information_refresh_time(*r);
        }
        Op::SolMaxRt(r) => {
            w.sol_max_rt(*r);
        }
        Op::InfMaxRt(r) => {
            w.inf_max_rt(*r);
        }
        Op::Fqdn(f, n) => {
            w.client_fqdn(*f, n);
        }
        Op::InterfaceId(b) => {
            w.interface_id(b);
        }
        Op::RemoteId(e, b) => {
            w.remote_id(*e, b);
        }
        Op::SubscriberId(b) => {
            w.subscriber_id(b);
        }
        Op::Clla(t, a) => {
            w.client_link_layer_address(*t, a);
        }
        Op::UserClass(items) => {
            let items: Vec<&[u8]> = items.iter().map(|i| i.as_slice()).collect();
            w.user_class(&items);
        }
        Op::VendorClass(e, items) => {
            let items: Vec<&[u8]> = items.iter().map(|i| i.as_slice()).collect();
            w.vendor_class(*e, &items);
        }
        Op::Ntp(a) => {
            w.ntp_server_address(ip(a));
        }
        Op::Auth(p, a, r, d, i) => {
            w.authentication(*p, *a, *r, *d, i);
        }
        Op::Unknown(c, d) => {
            w.option(*c, d);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        check_any(&bytes);
    }

    #[test]
    fn random_messages_of_every_type_never_panic(
        t in 0u8..=14,
        tail in proptest::collection::vec(any::<u8>(), 0..300),
    ) {
        let mut bytes = std::vec![t];
        bytes.extend(tail);
        check_any(&bytes);
    }

    #[test]
    fn mutated_golden_messages_never_panic_and_round_trip(
        pick in any::<prop::sample::Index>(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let all = goldens();
        let mut bytes = all[pick.index(all.len())].clone();
        for (at, value) in edits {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        if truncate {
            bytes.truncate(cut.index(bytes.len() + 1));
        }
        check_any(&bytes);
    }

    #[test]
    fn built_messages_parse_emit_parse(
        t in prop_oneof![1u8..=11],
        xid in 0u32..=0xff_ffff,
        ops in proptest::collection::vec(op(), 0..12),
        relays in 0usize..4,
    ) {
        let mut buf = std::vec![0u8; 65535];
        let n = build(&mut buf, |w| {
            for i in 0..relays {
                w.relay_header(MessageType::RelayForw, i as u8, Ipv6Addr::LOCALHOST, Ipv6Addr::UNSPECIFIED)
                    .interface_id(&[i as u8])
                    .begin_relay_message();
            }
            w.header(MessageType::from(t), xid);
            for op in &ops {
                write(w, op);
            }
            w.end_n(relays);
        });
        let n = n.unwrap();
        let bytes = &buf[..n];
        let repr = Repr::parse(bytes).unwrap_or_else(|e| panic!("{e} in {ops:?}"));
        prop_assert_eq!(repr.relay_depth(), relays);
        let m = repr.message();
        prop_assert_eq!(m.msg_type, MessageType::from(t));
        prop_assert_eq!(m.transaction_id, xid);
        prop_assert_eq!(m.options.iter().count(), ops.len());
        // Typed emit of the message alone gives back its bytes, and parses the same.
        let mut out = std::vec![0u8; m.buffer_len()];
        prop_assert_eq!(m.emit(&mut out), Ok(m.buffer_len()));
        let again = Repr::parse(&out).unwrap();
        prop_assert_eq!(again.message(), m);
        check_any(bytes);
        // Every buffer too small by one byte is refused, untouched.
        let mut small = std::vec![0xa5u8; n - 1];
        let r = build(&mut small, |w| {
            w.header(MessageType::from(t), xid);
            for op in &ops {
                write(w, op);
            }
        });
        if relays == 0 {
            prop_assert_eq!(r, Err(crate::wire::Error::BufferTooSmall { needed: n }));
            prop_assert!(small.iter().all(|&b| b == 0xa5));
        }
    }
}
