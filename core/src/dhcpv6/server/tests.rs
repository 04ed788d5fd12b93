//! Engine tests: every message type and path, the §16 discard rules, the CVE rows of
//! REFERENCES.md, relays, exhaustion, virtual time, restore, and a property test.

use super::*;
use crate::wire::dhcpv6::{build, Writer};
use std::boxed::Box;
use std::collections::{HashMap, HashSet};
use std::vec;
use std::vec::Vec;

type TestServer = Server<Box<[Slot]>>;

const SERVER_DUID: [u8; 10] = [0, 3, 0, 1, 0xfa, 0x16, 0x3e, 0x06, 0x17, 0x6f];
/// The seed's stateful client: DUID-LLT hw type 1, time 482446373, fa:16:3e:22:38:6b.
const SEED_DUID: [u8; 14] = [
    0, 1, 0, 1, 0x1c, 0xc1, 0x96, 0x25, 0xfa, 0x16, 0x3e, 0x22, 0x38, 0x6b,
];
const SEED_IAID: u32 = 1042430059;

fn a(s: &str) -> Ipv6Addr {
    s.parse().unwrap()
}

fn seed_link() -> LinkConfig {
    let mut l = LinkConfig {
        ifindex: Some(2),
        ..LinkConfig::default()
    };
    l.prefixes
        .push(Prefix::new(a("2001:db8:cafe:1::"), 64))
        .unwrap();
    l.address_pools
        .push(AddressPool::new(
            a("2001:db8:cafe:1::2"),
            a("2001:db8:cafe:1:ffff:ffff:ffff:fffe"),
        ))
        .unwrap();
    l.dns_servers.push(a("2001:db8:cafe:a::e")).unwrap();
    l.add_domain("openstacklocal").unwrap();
    l.address_lifetimes = Lifetimes {
        preferred: 7200,
        valid: 7500,
        t1: Some(3600),
        t2: Some(6300),
    };
    l.prefix_lifetimes = Lifetimes::new(3600, 7200);
    l.preference = Some(255);
    l.information_refresh_time = Some(86400);
    l
}

fn server_with(links: Vec<LinkConfig>, limits: Limits, slots: usize) -> TestServer {
    let storage = vec![Slot::EMPTY; slots].into_boxed_slice();
    let mut v = heapless::Vec::new();
    for l in links {
        l.validate().unwrap();
        v.push(l).unwrap();
    }
    Server::new(
        DuidBuf::from_bytes(&SERVER_DUID).unwrap(),
        v,
        limits,
        storage,
        0x0123_4567_89ab_cdef,
    )
}

fn server() -> TestServer {
    server_with(vec![seed_link()], Limits::default(), 1024)
}

fn meta() -> RxMeta {
    RxMeta {
        ifindex: 2,
        src: a("fe80::f816:3eff:fe22:386b"),
        dst: a("ff02::1:2"),
        source_mac: None,
    }
}

#[derive(Clone, Debug)]
enum Ia {
    Na(u32, Vec<Ipv6Addr>),
    Pd(u32, Vec<(Ipv6Addr, u8)>),
    Ta(u32),
}

const SEED_ORO: [OptionCode; 4] = [
    OptionCode::DnsServers,
    OptionCode::DomainList,
    OptionCode::ClientFqdn,
    OptionCode::SntpServers,
];

#[allow(clippy::too_many_arguments)]
fn write_msg(
    w: &mut Writer<'_>,
    t: MessageType,
    xid: u32,
    client: Option<&[u8]>,
    server: Option<&[u8]>,
    ias: &[Ia],
    oro: &[OptionCode],
    rapid: bool,
) {
    w.header(t, xid);
    if let Some(c) = client {
        w.option(1, c);
    }
    if let Some(s) = server {
        w.option(2, s);
    }
    if !oro.is_empty() {
        w.oro(oro);
    }
    w.elapsed_time(0);
    if rapid {
        w.rapid_commit();
    }
    for ia in ias {
        match ia {
            Ia::Na(iaid, addrs) => {
                w.begin_ia_na(*iaid, 3600, 5400);
                for &ad in addrs {
                    w.ia_addr(ad, 7200, 7500);
                }
                w.end();
            }
            Ia::Pd(iaid, prefixes) => {
                w.begin_ia_pd(*iaid, 0, 0);
                for &(p, l) in prefixes {
                    w.ia_prefix(0, 0, l, p);
                }
                w.end();
            }
            Ia::Ta(iaid) => {
                w.begin(4).u32(*iaid).end();
            }
        }
    }
}

fn msg(t: MessageType, client: &[u8], ias: &[Ia]) -> Vec<u8> {
    let server = match t {
        MessageType::Request | MessageType::Renew | MessageType::Release | MessageType::Decline => {
            Some(&SERVER_DUID[..])
        }
        _ => None,
    };
    let mut buf = vec![0u8; 65535];
    let n = build(&mut buf, |w| {
        write_msg(w, t, 0x85680b, Some(client), server, ias, &SEED_ORO, false)
    })
    .unwrap();
    buf.truncate(n);
    buf
}

#[derive(Debug, Clone, PartialEq)]
struct IaView {
    kind: OptionCode,
    iaid: u32,
    t1: u32,
    t2: u32,
    /// (address or prefix, length, preferred, valid)
    items: Vec<(Ipv6Addr, u8, u32, u32)>,
    status: Option<StatusCode>,
}

#[derive(Debug, Clone)]
struct View {
    msg_type: MessageType,
    xid: u32,
    client: Option<Vec<u8>>,
    server: Option<Vec<u8>>,
    ias: Vec<IaView>,
    status: Option<StatusCode>,
    codes: Vec<OptionCode>,
    dns: Vec<Ipv6Addr>,
    domains: Vec<u8>,
    refresh: Option<u32>,
    preference: Option<u8>,
    relay_depth: usize,
}

fn view(bytes: &[u8]) -> View {
    let repr = Repr::parse(bytes).expect("reply parses");
    let m = repr.message();
    let mut v = View {
        msg_type: m.msg_type,
        xid: m.transaction_id,
        client: m.client_id().map(|d| d.as_bytes().to_vec()),
        server: m.server_id().map(|d| d.as_bytes().to_vec()),
        ias: Vec::new(),
        status: None,
        codes: Vec::new(),
        dns: Vec::new(),
        domains: Vec::new(),
        refresh: None,
        preference: None,
        relay_depth: repr.relay_depth(),
    };
    for o in m.options.iter() {
        v.codes.push(o.code());
        match o {
            DhcpOption::IaNa(ia) => v.ias.push(IaView {
                kind: OptionCode::IaNa,
                iaid: ia.iaid,
                t1: ia.t1,
                t2: ia.t2,
                items: ia
                    .addresses()
                    .map(|x| (x.address, 128, x.preferred_lifetime, x.valid_lifetime))
                    .collect(),
                status: ia.status().map(|s| s.code),
            }),
            DhcpOption::IaPd(ia) => v.ias.push(IaView {
                kind: OptionCode::IaPd,
                iaid: ia.iaid,
                t1: ia.t1,
                t2: ia.t2,
                items: ia
                    .prefixes()
                    .map(|x| {
                        (
                            x.prefix,
                            x.prefix_len,
                            x.preferred_lifetime,
                            x.valid_lifetime,
                        )
                    })
                    .collect(),
                status: ia.status().map(|s| s.code),
            }),
            DhcpOption::IaTa(ia) => v.ias.push(IaView {
                kind: OptionCode::IaTa,
                iaid: ia.iaid,
                t1: 0,
                t2: 0,
                items: Vec::new(),
                status: ia.options.iter().find_map(|o| match o {
                    DhcpOption::StatusCode(s) => Some(s.code),
                    _ => None,
                }),
            }),
            DhcpOption::StatusCode(s) => v.status = Some(s.code),
            DhcpOption::DnsServers(d) => v.dns = d.iter().collect(),
            DhcpOption::DomainList(d) => v.domains = d.as_bytes().to_vec(),
            DhcpOption::InformationRefreshTime(t) => v.refresh = Some(t),
            DhcpOption::Preference(p) => v.preference = Some(p),
            _ => {}
        }
    }
    v
}

/// The datagram, saved as a fuzz seed first (`crate::test_seeds`).
fn saved(bytes: &[u8]) -> &[u8] {
    crate::test_seeds::save("dhcpv6", bytes);
    bytes
}

fn send(s: &mut TestServer, now: Instant, bytes: &[u8]) -> Result<View, NoReply> {
    send_meta(s, now, &meta(), bytes)
}

fn send_meta(s: &mut TestServer, now: Instant, m: &RxMeta, bytes: &[u8]) -> Result<View, NoReply> {
    crate::test_seeds::save("dhcpv6", bytes);
    let mut out = vec![0u8; 4096];
    let t = s.handle_message(now, m, bytes, &mut out)?;
    assert_eq!(t.dst, m.src);
    assert_eq!(t.ifindex, m.ifindex);
    Ok(view(&out[..t.len]))
}

fn events(s: &mut TestServer) -> Vec<LeaseEvent> {
    core::iter::from_fn(|| s.poll_event()).collect()
}

fn duid(n: u32) -> Vec<u8> {
    let mut d = vec![0, 4];
    d.extend_from_slice(&[0u8; 12]);
    d.extend_from_slice(&n.to_be_bytes());
    d
}

fn live_leases(s: &TestServer) -> Vec<(Ipv6Addr, u8)> {
    s.table()
        .iter()
        .map(|b| (b.address(), b.prefix_len()))
        .collect()
}

/// No address or prefix is held twice, and no two prefixes overlap.
fn assert_no_double_binding(s: &TestServer) {
    let leases = live_leases(s);
    let mut seen = HashSet::new();
    for l in &leases {
        assert!(seen.insert(*l), "held twice: {l:?}");
    }
    let prefixes: Vec<_> = leases.iter().filter(|l| l.1 < 128).collect();
    for (i, x) in prefixes.iter().enumerate() {
        for y in prefixes.iter().skip(i + 1) {
            assert!(
                !PrefixPool::overlaps(Prefix::new(x.0, x.1), Prefix::new(y.0, y.1)),
                "{x:?} overlaps {y:?}"
            );
        }
    }
    s.table().check_invariants();
}

// ---------------------------------------------------------------------------------------------
// The seed's exchanges
// ---------------------------------------------------------------------------------------------

#[test]
fn seed_stateful_exchange() {
    let mut s = server();
    let t0 = Instant::from_secs(1000);
    let solicit = msg(
        MessageType::Solicit,
        &SEED_DUID,
        &[Ia::Na(SEED_IAID, vec![])],
    );
    let adv = send(&mut s, t0, &solicit).unwrap();
    assert_eq!(adv.msg_type, MessageType::Advertise);
    assert_eq!(adv.xid, 0x85680b);
    assert_eq!(adv.client.as_deref(), Some(&SEED_DUID[..]));
    assert_eq!(adv.server.as_deref(), Some(&SERVER_DUID[..]));
    assert_eq!(adv.preference, Some(255));
    assert_eq!(adv.dns, vec![a("2001:db8:cafe:a::e")]);
    assert_eq!(adv.domains, b"\x0eopenstacklocal\x00");
    assert_eq!(adv.ias.len(), 1);
    let ia = &adv.ias[0];
    assert_eq!((ia.iaid, ia.t1, ia.t2), (SEED_IAID, 3600, 6300));
    let (addr, _, pl, vl) = ia.items[0];
    assert!(s.links()[0].address_pools[0].contains(addr));
    assert_eq!((pl, vl), (7200, 7500));
    // A Solicit creates no binding.
    assert!(s.table().is_empty());
    assert!(events(&mut s).is_empty());

    let request = msg(
        MessageType::Request,
        &SEED_DUID,
        &[Ia::Na(SEED_IAID, vec![addr])],
    );
    let mut out = vec![0u8; 1500];
    let tx = s
        .handle_message(t0, &meta(), saved(&request), &mut out)
        .unwrap();
    assert_eq!(tx.port, 546);
    let reply = view(&out[..tx.len]);
    assert_eq!(reply.msg_type, MessageType::Reply);
    assert_eq!(reply.ias[0].items, vec![(addr, 128, 7200, 7500)]);
    assert_eq!(reply.ias[0].status, None);
    assert_eq!(reply.dns, vec![a("2001:db8:cafe:a::e")]);
    assert_eq!(reply.domains, b"\x0eopenstacklocal\x00");
    assert_eq!(reply.preference, None, "Preference only in Advertise");
    let ev = events(&mut s);
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0].kind, LeaseEventKind::Bound);
    assert_eq!(tx.commit_through, Some(ev[0].seq));
    assert_eq!(ev[0].lease.address, addr);
    assert_eq!(ev[0].lease.duid.as_bytes(), &SEED_DUID);
    assert_eq!(ev[0].lease.iaid, SEED_IAID);
    assert_eq!(ev[0].lease.valid_until, t0 + Duration::from_secs(7500));
    // The same client asking again gets the same address.
    let again = send(&mut s, t0, &solicit).unwrap();
    assert_eq!(again.ias[0].items[0].0, addr);
}

#[test]
fn seed_stateless_exchange() {
    let mut s = server();
    let client = [0, 3, 0, 1, 0xfa, 0x16, 0x3e, 0xfe, 0xd1, 0x57];
    let m = msg(MessageType::InformationRequest, &client, &[]);
    let mut out = vec![0u8; 1500];
    let tx = s
        .handle_message(Instant::ZERO, &meta(), saved(&m), &mut out)
        .unwrap();
    assert_eq!(tx.commit_through, None);
    let r = view(&out[..tx.len]);
    assert_eq!(r.msg_type, MessageType::Reply);
    assert_eq!(r.xid, 0x85680b);
    assert!(r.ias.is_empty());
    assert_eq!(r.dns, vec![a("2001:db8:cafe:a::e")]);
    assert_eq!(r.domains, b"\x0eopenstacklocal\x00");
    assert_eq!(r.refresh, Some(86400));
    // 4 header + client-ID 14 + server-ID 14 + DNS 20 + domains 20 + refresh 8.
    assert_eq!(tx.len, 4 + 14 + 14 + 20 + 20 + 8);
    // Without Client ID, Information-request is still answered (§16.12).
    let mut buf = vec![0u8; 256];
    let n = build(&mut buf, |w| {
        write_msg(
            w,
            MessageType::InformationRequest,
            7,
            None,
            None,
            &[],
            &[OptionCode::DnsServers],
            false,
        )
    })
    .unwrap();
    let r = send(&mut s, Instant::ZERO, &buf[..n]).unwrap();
    assert_eq!(r.client, None);
    assert_eq!(r.dns.len(), 1);
    assert!(s.table().is_empty());
}

#[test]
fn options_follow_the_oro() {
    let mut l = seed_link();
    l.ntp_servers.push(a("2001:db8::123")).unwrap();
    l.sntp_servers.push(a("2001:db8::124")).unwrap();
    l.sol_max_rt = Some(3600);
    l.inf_max_rt = Some(7200);
    let mut s = server_with(vec![l], Limits::default(), 64);
    let c = duid(1);
    let build_with = |t, oro: &[OptionCode]| {
        let mut buf = vec![0u8; 512];
        let n = build(&mut buf, |w| {
            write_msg(w, t, 1, Some(&c), None, &[], oro, false)
        })
        .unwrap();
        buf.truncate(n);
        buf
    };
    let none = send(
        &mut s,
        Instant::ZERO,
        &build_with(MessageType::Solicit, &[]),
    )
    .unwrap();
    for code in [
        OptionCode::DnsServers,
        OptionCode::DomainList,
        OptionCode::NtpServer,
        OptionCode::SntpServers,
        OptionCode::SolMaxRt,
    ] {
        assert!(!none.codes.contains(&code), "{code:?} not asked for");
    }
    let all = [
        OptionCode::DnsServers,
        OptionCode::DomainList,
        OptionCode::NtpServer,
        OptionCode::SntpServers,
        OptionCode::SolMaxRt,
        OptionCode::InfMaxRt,
    ];
    let adv = send(
        &mut s,
        Instant::ZERO,
        &build_with(MessageType::Solicit, &all),
    )
    .unwrap();
    for code in &all[..5] {
        assert!(adv.codes.contains(code), "{code:?}");
    }
    assert!(!adv.codes.contains(&OptionCode::InfMaxRt));
    assert!(!adv.codes.contains(&OptionCode::InformationRefreshTime));
    let info = send(
        &mut s,
        Instant::ZERO,
        &build_with(MessageType::InformationRequest, &all),
    )
    .unwrap();
    assert!(info.codes.contains(&OptionCode::InfMaxRt));
    assert!(!info.codes.contains(&OptionCode::SolMaxRt));
    assert!(info.codes.contains(&OptionCode::InformationRefreshTime));
}

// ---------------------------------------------------------------------------------------------
// Message paths
// ---------------------------------------------------------------------------------------------

fn bind(s: &mut TestServer, now: Instant, client: &[u8], ias: &[Ia]) -> View {
    let adv = send(s, now, &msg(MessageType::Solicit, client, ias)).unwrap();
    let req_ias: Vec<Ia> = adv
        .ias
        .iter()
        .map(|ia| match ia.kind {
            OptionCode::IaPd => Ia::Pd(ia.iaid, ia.items.iter().map(|i| (i.0, i.1)).collect()),
            _ => Ia::Na(ia.iaid, ia.items.iter().map(|i| i.0).collect()),
        })
        .collect();
    send(s, now, &msg(MessageType::Request, client, &req_ias)).unwrap()
}

#[test]
fn renew_rebind_extend_and_recreate() {
    let mut s = server();
    let c = duid(1);
    let r = bind(&mut s, Instant::ZERO, &c, &[Ia::Na(1, vec![])]);
    let addr = r.ias[0].items[0].0;
    events(&mut s);
    let t1 = Instant::from_secs(3600);
    let renew = send(
        &mut s,
        t1,
        &msg(MessageType::Renew, &c, &[Ia::Na(1, vec![addr])]),
    )
    .unwrap();
    assert_eq!(renew.ias[0].items, vec![(addr, 128, 7200, 7500)]);
    let ev = events(&mut s);
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0].kind, LeaseEventKind::Renewed);
    assert_eq!(ev[0].lease.valid_until, t1 + Duration::from_secs(7500));
    let rebind = send(
        &mut s,
        t1,
        &msg(MessageType::Rebind, &c, &[Ia::Na(1, vec![addr])]),
    )
    .unwrap();
    assert_eq!(rebind.ias[0].items, vec![(addr, 128, 7200, 7500)]);
    events(&mut s);

    // Another client renewing this client's address: lifetimes 0, no binding taken.
    let other = duid(2);
    let r = send(
        &mut s,
        t1,
        &msg(MessageType::Renew, &other, &[Ia::Na(9, vec![addr])]),
    )
    .unwrap();
    assert_eq!(r.ias[0].items, vec![(addr, 128, 0, 0)]);
    assert_eq!(r.ias[0].status, Some(StatusCode::NoBinding));
    // An address of another link: lifetimes 0.
    let foreign = a("2001:db8:dead::1");
    let r = send(
        &mut s,
        t1,
        &msg(MessageType::Rebind, &other, &[Ia::Na(9, vec![foreign])]),
    )
    .unwrap();
    assert_eq!(r.ias[0].items, vec![(foreign, 128, 0, 0)]);
    // Renew with nothing: NoBinding.
    let r = send(
        &mut s,
        t1,
        &msg(MessageType::Renew, &other, &[Ia::Na(9, vec![])]),
    )
    .unwrap();
    assert_eq!(r.ias[0].status, Some(StatusCode::NoBinding));
    assert!(r.ias[0].items.is_empty());
    assert!(events(&mut s).is_empty());

    // Lost state: a Renew for a free address of our pool re-creates the binding (odhcpd #26).
    let lost = a("2001:db8:cafe:1::77");
    let r = send(
        &mut s,
        t1,
        &msg(MessageType::Renew, &other, &[Ia::Na(9, vec![lost])]),
    )
    .unwrap();
    assert_eq!(r.ias[0].items, vec![(lost, 128, 7200, 7500)]);
    assert_eq!(r.ias[0].status, None);
    let ev = events(&mut s);
    assert_eq!(ev[0].kind, LeaseEventKind::Bound);
    assert_eq!(s.counters().recreated, 1);
    // With re-creation switched off, NoBinding.
    let mut strict = server_with(
        vec![seed_link()],
        Limits {
            recreate_on_renew: false,
            ..Limits::default()
        },
        64,
    );
    let r = send(
        &mut strict,
        t1,
        &msg(MessageType::Renew, &other, &[Ia::Na(9, vec![lost])]),
    )
    .unwrap();
    assert_eq!(r.ias[0].status, Some(StatusCode::NoBinding));
    assert!(strict.table().is_empty());
    assert_no_double_binding(&s);
}

#[test]
fn release_returns_address_and_client_gets_it_back() {
    let mut s = server();
    let c = duid(1);
    let addr = bind(&mut s, Instant::ZERO, &c, &[Ia::Na(1, vec![])]).ias[0].items[0].0;
    events(&mut s);
    let r = send(
        &mut s,
        Instant::ZERO,
        &msg(MessageType::Release, &c, &[Ia::Na(1, vec![addr])]),
    )
    .unwrap();
    assert_eq!(r.status, Some(StatusCode::Success));
    assert!(r.ias.is_empty(), "IAs with a binding are not echoed");
    let ev = events(&mut s);
    assert_eq!((ev.len(), ev[0].kind), (1, LeaseEventKind::Released));
    assert!(s.table().is_empty());
    // Releasing again: NoBinding in the IA.
    let r = send(
        &mut s,
        Instant::ZERO,
        &msg(MessageType::Release, &c, &[Ia::Na(1, vec![addr])]),
    )
    .unwrap();
    assert_eq!(r.status, Some(StatusCode::Success));
    assert_eq!(r.ias[0].status, Some(StatusCode::NoBinding));
    // Same DUID + IAID: same address again.
    let again = bind(&mut s, Instant::ZERO, &c, &[Ia::Na(1, vec![])]);
    assert_eq!(again.ias[0].items[0].0, addr);
}

#[test]
fn decline_quarantines_the_address() {
    let mut l = seed_link();
    // A tiny pool: 2 addresses.
    l.address_pools[0] = AddressPool::new(a("2001:db8:cafe:1::10"), a("2001:db8:cafe:1::11"));
    let mut s = server_with(
        vec![l],
        Limits {
            decline_quarantine: Duration::from_secs(600),
            ..Limits::default()
        },
        64,
    );
    let c = duid(1);
    let addr = bind(&mut s, Instant::ZERO, &c, &[Ia::Na(1, vec![])]).ias[0].items[0].0;
    events(&mut s);
    let r = send(
        &mut s,
        Instant::ZERO,
        &msg(MessageType::Decline, &c, &[Ia::Na(1, vec![addr])]),
    )
    .unwrap();
    assert_eq!(r.status, Some(StatusCode::Success));
    assert_eq!(events(&mut s)[0].kind, LeaseEventKind::Declined);
    assert_eq!(s.table().declined(), 1);
    // The client gets the other address; a third client gets nothing while it is quarantined.
    let other = bind(&mut s, Instant::ZERO, &c, &[Ia::Na(1, vec![addr])]).ias[0].items[0].0;
    assert_ne!(other, addr);
    let third = send(
        &mut s,
        Instant::ZERO,
        &msg(MessageType::Solicit, &duid(3), &[Ia::Na(1, vec![addr])]),
    )
    .unwrap();
    assert_eq!(third.ias[0].status, Some(StatusCode::NoAddrsAvail));
    // After the quarantine, the address is free again (no lease event for quarantine end).
    events(&mut s);
    s.handle_timeout(Instant::from_secs(601));
    assert!(events(&mut s).is_empty());
    assert_eq!(s.table().declined(), 0);
    let third = send(
        &mut s,
        Instant::from_secs(601),
        &msg(MessageType::Solicit, &duid(3), &[Ia::Na(1, vec![])]),
    )
    .unwrap();
    assert_eq!(third.ias[0].items[0].0, addr);
}

#[test]
fn decline_quarantine_is_bounded() {
    let mut s = server_with(
        vec![seed_link()],
        Limits {
            max_declined: 2,
            rate_per_second: 0,
            ..Limits::default()
        },
        64,
    );
    let c = duid(1);
    for round in 0..5 {
        let addr = bind(&mut s, Instant::ZERO, &c, &[Ia::Na(1, vec![])]).ias[0].items[0].0;
        send(
            &mut s,
            Instant::ZERO,
            &msg(MessageType::Decline, &c, &[Ia::Na(1, vec![addr])]),
        )
        .unwrap();
        assert!(s.table().declined() <= 2, "round {round}");
        events(&mut s);
    }
    assert_eq!(s.table().declined(), 2);
    assert_eq!(s.counters().quarantine_full, 3);
}

#[test]
fn confirm_on_and_off_link() {
    let mut s = server();
    let c = duid(1);
    let on = send(
        &mut s,
        Instant::ZERO,
        &msg(
            MessageType::Confirm,
            &c,
            &[Ia::Na(1, vec![a("2001:db8:cafe:1::99")])],
        ),
    )
    .unwrap();
    assert_eq!(on.msg_type, MessageType::Reply);
    assert_eq!(on.status, Some(StatusCode::Success));
    assert!(on.ias.is_empty());
    let off = send(
        &mut s,
        Instant::ZERO,
        &msg(
            MessageType::Confirm,
            &c,
            &[Ia::Na(
                1,
                vec![a("2001:db8:cafe:1::99"), a("2001:db8:bad::1")],
            )],
        ),
    )
    .unwrap();
    assert_eq!(off.status, Some(StatusCode::NotOnLink));
    assert_eq!(
        send(
            &mut s,
            Instant::ZERO,
            &msg(MessageType::Confirm, &c, &[Ia::Na(1, vec![])])
        )
        .unwrap_err(),
        NoReply::NothingToConfirm
    );
    assert_eq!(s.counters().nothing_to_confirm, 1);
    assert!(s.table().is_empty());
}

#[test]
fn request_with_off_link_hint_is_not_on_link() {
    let mut s = server();
    let r = send(
        &mut s,
        Instant::ZERO,
        &msg(
            MessageType::Request,
            &duid(1),
            &[Ia::Na(1, vec![a("2001:db8:bad::1")])],
        ),
    )
    .unwrap();
    assert_eq!(r.ias[0].status, Some(StatusCode::NotOnLink));
    assert!(r.ias[0].items.is_empty());
    assert!(s.table().is_empty());
}

#[test]
fn rapid_commit_only_when_enabled_and_asked() {
    let c = duid(1);
    let solicit_rc = |rapid| {
        let mut buf = vec![0u8; 512];
        let n = build(&mut buf, |w| {
            write_msg(
                w,
                MessageType::Solicit,
                5,
                Some(&c),
                None,
                &[Ia::Na(1, vec![])],
                &[],
                rapid,
            )
        })
        .unwrap();
        buf.truncate(n);
        buf
    };
    let mut s = server();
    let r = send(&mut s, Instant::ZERO, &solicit_rc(true)).unwrap();
    assert_eq!(r.msg_type, MessageType::Advertise, "rapid commit disabled");
    assert!(s.table().is_empty());
    let mut l = seed_link();
    l.rapid_commit = true;
    let mut s = server_with(vec![l], Limits::default(), 64);
    let r = send(&mut s, Instant::ZERO, &solicit_rc(false)).unwrap();
    assert_eq!(r.msg_type, MessageType::Advertise, "not asked");
    let r = send(&mut s, Instant::ZERO, &solicit_rc(true)).unwrap();
    assert_eq!(r.msg_type, MessageType::Reply);
    assert!(r.codes.contains(&OptionCode::RapidCommit));
    assert_eq!(s.table().len(), 1);
    assert_eq!(events(&mut s)[0].kind, LeaseEventKind::Bound);
}

#[test]
fn ia_ta_is_not_served() {
    let mut s = server();
    let r = send(
        &mut s,
        Instant::ZERO,
        &msg(
            MessageType::Request,
            &duid(1),
            &[Ia::Ta(3), Ia::Na(1, vec![])],
        ),
    )
    .unwrap();
    assert_eq!(r.ias[0].kind, OptionCode::IaTa);
    assert_eq!(r.ias[0].status, Some(StatusCode::NoAddrsAvail));
    assert_eq!(r.ias[1].items.len(), 1);
}

// ---------------------------------------------------------------------------------------------
// Prefix delegation
// ---------------------------------------------------------------------------------------------

fn pd_link(prefix: Ipv6Addr, plen: u8, dlen: u8) -> LinkConfig {
    let mut l = seed_link();
    l.prefix_pools
        .push(PrefixPool::new(Prefix::new(prefix, plen), dlen))
        .unwrap();
    l.address_pools.clear();
    l
}

#[test]
fn prefix_delegation_every_pool_length() {
    for plen in 0..=128u8 {
        for dlen in [plen, (plen + 1).min(128), 64.max(plen), 128] {
            let base = Ipv6Addr::from(u128::from(a("2001:db8::")) & config::mask(plen));
            let l = pd_link(base, plen, dlen);
            let mut s = server_with(vec![l], Limits::default(), 16);
            let mut got = Vec::new();
            for client in 0..2u32 {
                let r = bind(&mut s, Instant::ZERO, &duid(client), &[Ia::Pd(1, vec![])]);
                if dlen == plen && client == 1 {
                    // A pool of one prefix: the second client finds it taken.
                    assert_eq!(r.ias[0].status, Some(StatusCode::NoPrefixAvail));
                    continue;
                }
                let (p, l, _, _) = r.ias[0].items[0];
                assert_eq!(l, dlen, "plen {plen} dlen {dlen}");
                assert!(
                    s.links()[0].prefix_pools[0].holds(p, l),
                    "{p}/{l} in /{plen}"
                );
                got.push(p);
            }
            assert_no_double_binding(&s);
        }
    }
}

#[test]
fn pd_and_na_together_and_pd_hint_honoured() {
    let mut l = seed_link();
    l.prefix_pools
        .push(PrefixPool::new(Prefix::new(a("2001:db8:100::"), 40), 56))
        .unwrap();
    let mut s = server_with(vec![l], Limits::default(), 64);
    let hint = a("2001:db8:100:4200::");
    let r = send(
        &mut s,
        Instant::ZERO,
        &msg(
            MessageType::Request,
            &duid(1),
            &[Ia::Na(1, vec![]), Ia::Pd(1, vec![(hint, 56)])],
        ),
    )
    .unwrap();
    assert_eq!(
        r.ias.len(),
        2,
        "IA_NA and IA_PD with the same IAID are independent"
    );
    assert_eq!(r.ias[1].items, vec![(hint, 56, 3600, 7200)]);
    assert_eq!(r.ias[1].t1, 1800);
    let ev = events(&mut s);
    assert_eq!(ev.len(), 2);
    assert!(ev
        .iter()
        .any(|e| e.lease.ia_type == IaType::Pd && e.lease.prefix_len == 56));
    // Someone else hinting the same prefix gets a different one.
    let r = send(
        &mut s,
        Instant::ZERO,
        &msg(
            MessageType::Request,
            &duid(2),
            &[Ia::Pd(1, vec![(hint, 56)])],
        ),
    )
    .unwrap();
    assert_ne!(r.ias[0].items[0].0, hint);
    assert_no_double_binding(&s);
}

// ---------------------------------------------------------------------------------------------
// Duplicate IAIDs, caps, rate limit (odhcpd CVE-2026-53918, RFC 9915 §23)
// ---------------------------------------------------------------------------------------------

#[test]
fn duplicate_iaids_first_wins() {
    let mut l = seed_link();
    l.prefix_pools
        .push(PrefixPool::new(Prefix::new(a("2001:db8:100::"), 40), 56))
        .unwrap();
    let mut s = server_with(vec![l], Limits::default(), 64);
    let c = duid(1);
    let r = send(
        &mut s,
        Instant::ZERO,
        &msg(
            MessageType::Request,
            &c,
            &[
                Ia::Na(7, vec![]),
                Ia::Na(7, vec![]),
                Ia::Pd(7, vec![]),
                Ia::Pd(7, vec![]),
                Ia::Na(8, vec![]),
            ],
        ),
    )
    .unwrap();
    let kinds: Vec<_> = r.ias.iter().map(|i| (i.kind, i.iaid)).collect();
    assert_eq!(
        kinds,
        vec![
            (OptionCode::IaNa, 7),
            (OptionCode::IaPd, 7),
            (OptionCode::IaNa, 8)
        ]
    );
    assert_eq!(s.counters().duplicate_ia, 2);
    assert_eq!(s.table().len(), 3);
    // Duplicates in Renew, Release and Decline too: handled once, no double free.
    let addr = r.ias[0].items[0].0;
    let rel = send(
        &mut s,
        Instant::ZERO,
        &msg(
            MessageType::Release,
            &c,
            &[Ia::Na(7, vec![addr]), Ia::Na(7, vec![addr])],
        ),
    )
    .unwrap();
    assert!(rel.ias.is_empty());
    assert_eq!(s.table().len(), 2);
    assert_no_double_binding(&s);
}

#[test]
fn per_client_caps() {
    let mut s = server_with(
        vec![seed_link()],
        Limits {
            max_addresses_per_client: 2,
            ..Limits::default()
        },
        64,
    );
    let ias: Vec<Ia> = (0..4).map(|i| Ia::Na(i, vec![])).collect();
    let r = send(
        &mut s,
        Instant::ZERO,
        &msg(MessageType::Request, &duid(1), &ias),
    )
    .unwrap();
    let served = r.ias.iter().filter(|i| !i.items.is_empty()).count();
    assert_eq!(served, 2);
    assert_eq!(
        r.ias
            .iter()
            .filter(|i| i.status == Some(StatusCode::NoAddrsAvail))
            .count(),
        2
    );
    // Another round still cannot exceed the cap.
    let ias: Vec<Ia> = (10..14).map(|i| Ia::Na(i, vec![])).collect();
    send(
        &mut s,
        Instant::ZERO,
        &msg(MessageType::Request, &duid(1), &ias),
    )
    .unwrap();
    assert_eq!(s.table().len(), 2);
    assert!(s.counters().client_cap >= 6);
}

#[test]
fn rate_limit_per_client() {
    let mut s = server_with(
        vec![seed_link()],
        Limits {
            rate_burst: 5,
            rate_per_second: 1,
            ..Limits::default()
        },
        64,
    );
    let m = msg(MessageType::Solicit, &duid(1), &[Ia::Na(1, vec![])]);
    for _ in 0..5 {
        send(&mut s, Instant::ZERO, &m).unwrap();
    }
    assert_eq!(
        send(&mut s, Instant::ZERO, &m).unwrap_err(),
        NoReply::RateLimited
    );
    assert_eq!(s.counters().rate_limited, 1);
    // One second later one more message is allowed.
    send(&mut s, Instant::from_secs(1), &m).unwrap();
    assert_eq!(
        send(&mut s, Instant::from_secs(1), &m).unwrap_err(),
        NoReply::RateLimited
    );
}

// ---------------------------------------------------------------------------------------------
// §16 discard rules, each counted
// ---------------------------------------------------------------------------------------------

#[test]
fn section_16_discards_are_counted() {
    let c = duid(1);
    let other_server = [0u8, 3, 0, 1, 1, 2, 3, 4, 5, 6];
    let case = |t, client: &[&[u8]], server: &[&[u8]], ias: &[Ia]| {
        let mut buf = vec![0u8; 512];
        let n = build(&mut buf, |w| {
            w.header(t, 1);
            for c in client {
                w.option(1, c);
            }
            for s in server {
                w.option(2, s);
            }
            for ia in ias {
                if let Ia::Na(iaid, _) = ia {
                    w.begin_ia_na(*iaid, 0, 0).end();
                }
            }
        })
        .unwrap();
        buf[..n].to_vec()
    };
    use DropReason::*;
    let sd: &[u8] = &SERVER_DUID;
    let rows: Vec<(Vec<u8>, DropReason)> = vec![
        (case(MessageType::Solicit, &[], &[], &[]), MissingClientId),
        (
            case(MessageType::Solicit, &[&c, &c], &[], &[]),
            DuplicateClientId,
        ),
        (
            case(MessageType::Solicit, &[&c], &[sd], &[]),
            UnexpectedServerId,
        ),
        (
            case(MessageType::Confirm, &[&c], &[sd], &[]),
            UnexpectedServerId,
        ),
        (
            case(MessageType::Rebind, &[&c], &[sd], &[]),
            UnexpectedServerId,
        ),
        (case(MessageType::Rebind, &[], &[], &[]), MissingClientId),
        (case(MessageType::Request, &[&c], &[], &[]), MissingServerId),
        (case(MessageType::Request, &[], &[sd], &[]), MissingClientId),
        (
            case(MessageType::Request, &[&c], &[&other_server], &[]),
            ServerIdMismatch,
        ),
        (
            case(MessageType::Request, &[&c], &[sd, sd], &[]),
            DuplicateServerId,
        ),
        (case(MessageType::Renew, &[&c], &[], &[]), MissingServerId),
        (
            case(MessageType::Renew, &[&c], &[&other_server], &[]),
            ServerIdMismatch,
        ),
        (case(MessageType::Release, &[&c], &[], &[]), MissingServerId),
        (
            case(MessageType::Decline, &[&c, &c], &[sd], &[]),
            DuplicateClientId,
        ),
        (
            case(
                MessageType::InformationRequest,
                &[&c],
                &[&other_server],
                &[],
            ),
            ServerIdMismatch,
        ),
        (
            case(
                MessageType::InformationRequest,
                &[&c],
                &[],
                &[Ia::Na(1, vec![])],
            ),
            IaInInformationRequest,
        ),
        (
            case(MessageType::Advertise, &[&c], &[sd], &[]),
            UnexpectedMessageType,
        ),
        (
            case(MessageType::Reply, &[&c], &[sd], &[]),
            UnexpectedMessageType,
        ),
        (
            case(MessageType::Reconfigure, &[&c], &[sd], &[]),
            UnexpectedMessageType,
        ),
    ];
    let mut s = server();
    for (i, (bytes, reason)) in rows.iter().enumerate() {
        let before = s.counters().discarded[reason.index()];
        assert_eq!(
            send(&mut s, Instant::ZERO, bytes).unwrap_err(),
            NoReply::Discarded(*reason),
            "row {i}"
        );
        assert_eq!(
            s.counters().discarded[reason.index()],
            before + 1,
            "row {i}"
        );
    }
    // Unknown message type and undecodable datagrams (0 and 1 bytes, 3-byte header).
    assert!(matches!(
        send(&mut s, Instant::ZERO, &[99, 0, 0, 1]).unwrap_err(),
        NoReply::Malformed(Error::UnknownType { value: 99 })
    ));
    assert_eq!(s.counters().unknown_type, 1);
    for bytes in [&[][..], &[1], &[1, 0, 0]] {
        assert!(matches!(
            send(&mut s, Instant::ZERO, bytes).unwrap_err(),
            NoReply::Malformed(_)
        ));
    }
    assert_eq!(s.counters().malformed, 3);
    assert!(s.table().is_empty());
}

#[test]
fn duid_length_bounds() {
    // Kea CVE-2019-6472: DUID option lengths 0, 1, 2, 3, 130, 131: 3..=130 only.
    let mut s = server();
    for len in [0usize, 1, 2, 3, 130, 131] {
        let mut d = vec![0u8, 2];
        d.resize(len, 0x42);
        d.truncate(len);
        let m = msg(MessageType::Solicit, &d, &[Ia::Na(1, vec![])]);
        let r = send(&mut s, Instant::ZERO, &m);
        if (3..=130).contains(&len) {
            assert_eq!(r.unwrap().client.unwrap().len(), len);
        } else {
            assert!(matches!(r.unwrap_err(), NoReply::Malformed(_)), "len {len}");
        }
    }
    // A 130-byte DUID is valid but longer than the default slot's DUID capacity: refused
    // cleanly (NoAddrsAvail at Solicit and at Request, counted), nothing bound.
    let d: Vec<u8> = (0..130).map(|i| i as u8).collect();
    let before = s.counters().duid_too_long;
    let v = bind(&mut s, Instant::ZERO, &d, &[Ia::Na(1, vec![])]);
    assert_eq!(v.ias[0].status, Some(StatusCode::NoAddrsAvail));
    assert!(v.ias[0].items.is_empty());
    assert_eq!(s.counters().duid_too_long, before + 2);
    assert!(events(&mut s).is_empty());
    assert!(s.table().iter().all(|b| b.duid().len() <= 32));
    // A table of `Slot<130>` binds it, and its lease event carries it whole.
    let mut big = wide_server::<130>(16);
    let mut out = vec![0u8; 4096];
    for t in [MessageType::Solicit, MessageType::Request] {
        let ias = [Ia::Na(1, vec![])];
        let n = big
            .handle_message(Instant::ZERO, &meta(), &msg(t, &d, &ias), &mut out)
            .unwrap()
            .len;
        assert_eq!(view(&out[..n]).ias[0].items.len(), 1);
    }
    let ev = big.poll_event().unwrap();
    assert_eq!(ev.lease.duid.as_bytes(), &d[..]);
    assert_eq!(big.table().iter().next().unwrap().duid(), &d[..]);
}

/// A server over `Slot<D>` storage (DUID capacity `D`).
fn wide_server<const D: usize>(slots: usize) -> Server<Box<[Slot<D>]>, 1, EVENT_QUEUE, 1, D> {
    let link = seed_link();
    link.validate().unwrap();
    let mut links = heapless::Vec::new();
    links.push(link).unwrap();
    Server::new(
        DuidBuf::from_bytes(&SERVER_DUID).unwrap(),
        links,
        Limits {
            rate_per_second: 0,
            ..Limits::default()
        },
        vec![Slot::<D>::empty(); slots].into_boxed_slice(),
        0x0123_4567_89ab_cdef,
    )
}

#[test]
fn duid_capacity_boundary_and_restore() {
    // Default capacity: 32 bytes bind, 33 are refused; the refusal is per IA and counted.
    assert_eq!(<Slot>::DUID_CAPACITY, DEFAULT_DUID_CAPACITY);
    let mut s = server();
    let fits: Vec<u8> = (0..32).map(|i| 0x80 | i as u8).collect();
    let long: Vec<u8> = (0..33).map(|i| 0x80 | i as u8).collect();
    let v = bind(&mut s, Instant::ZERO, &fits, &[Ia::Na(1, vec![])]);
    assert_eq!(v.ias[0].status, None);
    let held = v.ias[0].items[0].0;
    let v = bind(
        &mut s,
        Instant::ZERO,
        &long,
        &[Ia::Na(1, vec![]), Ia::Pd(2, vec![])],
    );
    assert_eq!(v.ias[0].status, Some(StatusCode::NoAddrsAvail));
    assert_eq!(v.ias[1].status, Some(StatusCode::NoPrefixAvail));
    assert_eq!(s.counters().duid_too_long, 4); // two IAs, at Solicit and at Request
    assert_eq!(s.counters().table_full, 0);
    assert_eq!(s.table().len(), 1);
    // The 33-byte DUID shares its first 32 bytes with the bound client: it is not taken for
    // it (full comparison), so its Renew of the held address gets lifetime 0, not the lease.
    let v = send(
        &mut s,
        Instant::ZERO,
        &msg(MessageType::Renew, &long, &[Ia::Na(1, vec![held])]),
    )
    .unwrap();
    assert_eq!(v.ias[0].items, vec![(held, 128, 0, 0)]);
    assert_eq!(s.table().get(0).unwrap().duid(), &fits[..]);
    // Restore of a persisted lease with a DUID the table cannot hold: a typed refusal.
    let mut lease = events(&mut s)[0].lease;
    lease.duid = DuidBuf::from_bytes(&long).unwrap();
    lease.address = a("2001:db8:cafe:1::77");
    assert_eq!(
        s.restore(Instant::ZERO, &lease),
        Err(RestoreError::DuidTooLong)
    );
    assert_eq!(s.table().len(), 1);
    // A small-capacity table (a microcontroller's) holds what fits.
    let mut small = wide_server::<14>(4);
    lease.duid = DuidBuf::from_bytes(&SEED_DUID).unwrap();
    assert_eq!(small.restore(Instant::ZERO, &lease), Ok(()));
    lease.duid = DuidBuf::from_bytes(&[0, 4, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]).unwrap();
    lease.address = a("2001:db8:cafe:1::78");
    assert_eq!(
        small.restore(Instant::ZERO, &lease),
        Err(RestoreError::DuidTooLong)
    );
}

proptest::proptest! {
    /// Clients with random DUIDs of 3..=48 bytes, many sharing long prefixes, against a
    /// `Slot<20>` table: a DUID that fits is bound to exactly one client and found again by
    /// its Renew; a longer one is refused (counted), never truncated, never a panic.
    #[test]
    fn duids_longer_than_the_capacity_are_refused_never_confused(
        clients in proptest::collection::vec((3usize..=48, 0u8..4), 1..40)
    ) {
        let mut s = wide_server::<20>(64);
        let mut out = vec![0u8; 4096];
        let mut mine: HashMap<Vec<u8>, Ipv6Addr> = HashMap::new();
        let mut refused = 0u64;
        for (len, tail) in clients {
            // Shared prefix: only the length and the last byte tell clients apart.
            let mut d: Vec<u8> = (0..len).map(|i| i as u8).collect();
            d[0] = 0;
            d[1] = 4;
            *d.last_mut().unwrap() = tail;
            let ias = [Ia::Na(1, vec![])];
            let n = s
                .handle_message(Instant::ZERO, &meta(), &msg(MessageType::Request, &d, &ias), &mut out)
                .unwrap()
                .len;
            let v = view(&out[..n]);
            while s.poll_event().is_some() {}
            if len > 20 {
                proptest::prop_assert_eq!(v.ias[0].status, Some(StatusCode::NoAddrsAvail));
                refused += 1;
                continue;
            }
            proptest::prop_assert_eq!(v.ias[0].status, None);
            let addr = v.ias[0].items[0].0;
            // The same client again keeps its address; a new one gets a fresh one.
            if let Some(prev) = mine.get(&d) {
                proptest::prop_assert_eq!(*prev, addr);
            } else {
                proptest::prop_assert!(!mine.values().any(|x| *x == addr));
                mine.insert(d.clone(), addr);
            }
        }
        proptest::prop_assert_eq!(s.counters().duid_too_long, refused);
        proptest::prop_assert_eq!(s.table().len(), mine.len());
        for b in s.table().iter() {
            proptest::prop_assert_eq!(mine.get(b.duid()), Some(&b.address()));
        }
        s.table().check_invariants();
    }
}

// ---------------------------------------------------------------------------------------------
// CVE-2022-0934 / CVE-2026-53921: big replies into small buffers
// ---------------------------------------------------------------------------------------------

#[test]
fn replies_with_many_failing_ias_fit_or_fail_cleanly() {
    let mut l = seed_link();
    l.address_pools.clear(); // every IA_NA fails
    l.prefix_pools
        .push(PrefixPool::new(Prefix::new(a("2001:db8:100::"), 64), 64))
        .unwrap(); // one prefix: all but the first IA_PD fail
    let oro: Vec<OptionCode> = (1..=255u16).map(OptionCode::from).collect();
    for failing in [0usize, 1, 2, 8, 16, 31, 32, 33, 64] {
        for buf_len in [512usize, 1280, 1500] {
            for t in [
                MessageType::Solicit,
                MessageType::Request,
                MessageType::Renew,
            ] {
                let mut s = server_with(vec![l.clone()], Limits::default(), 64);
                let c = duid(1);
                let mut ias: Vec<Ia> = (0..failing as u32).map(|i| Ia::Na(i, vec![])).collect();
                ias.extend((0..failing as u32).map(|i| Ia::Pd(i, vec![])));
                let mut m = vec![0u8; 65535];
                let server = (t != MessageType::Solicit).then_some(&SERVER_DUID[..]);
                let n = build(&mut m, |w| {
                    write_msg(w, t, 1, Some(&c), server, &ias, &oro, false);
                    w.reconfigure_accept();
                })
                .unwrap();
                let mut out = vec![0xeeu8; buf_len];
                match s.handle_message(Instant::ZERO, &meta(), saved(&m[..n]), &mut out) {
                    Ok(tx) => {
                        assert!(tx.len <= buf_len);
                        let v = view(&out[..tx.len]);
                        assert!(v.ias.len() <= MAX_IAS);
                        assert!(out[tx.len..].iter().all(|&b| b == 0xee), "wrote past len");
                    }
                    Err(NoReply::ReplyTooLarge { needed }) => {
                        assert!(needed > buf_len);
                        assert!(out.iter().all(|&b| b == 0xee), "buffer touched");
                    }
                    Err(e) => panic!("{failing} IAs, {buf_len} bytes, {t:?}: {e:?}"),
                }
                assert_no_double_binding(&s);
            }
        }
    }
}

#[test]
fn compact_reply_when_the_full_one_does_not_fit() {
    let mut l = seed_link();
    l.address_pools.clear();
    let mut s = server_with(vec![l], Limits::default(), 64);
    let ias: Vec<Ia> = (0..20).map(|i| Ia::Na(i, vec![])).collect();
    let m = msg(MessageType::Solicit, &duid(1), &ias);
    let mut out = vec![0u8; 512];
    let tx = s
        .handle_message(Instant::ZERO, &meta(), saved(&m), &mut out)
        .unwrap();
    let v = view(&out[..tx.len]);
    assert_eq!(v.ias.len(), 20);
    assert!(v
        .ias
        .iter()
        .all(|i| i.status == Some(StatusCode::NoAddrsAvail)));
    assert_eq!(s.counters().reply_compacted, 1);
}

// ---------------------------------------------------------------------------------------------
// Relays, link selection (Kea CVE-2025-40779)
// ---------------------------------------------------------------------------------------------

fn relay_wrap(
    inner: &[u8],
    depth: usize,
    link_address: Ipv6Addr,
    interface_id: Option<&[u8]>,
    clla: Option<&[u8]>,
) -> Vec<u8> {
    let mut cur = inner.to_vec();
    for layer in 0..depth {
        let mut buf = vec![0u8; cur.len() + 200];
        let first = layer == 0;
        let n = build(&mut buf, |w| {
            w.relay_header(
                MessageType::RelayForw,
                layer as u8,
                if first {
                    link_address
                } else {
                    Ipv6Addr::UNSPECIFIED
                },
                a("fe80::f816:3eff:fe22:386b"),
            );
            if first {
                if let Some(id) = interface_id {
                    w.interface_id(id);
                }
                if let Some(hw) = clla {
                    w.client_link_layer_address(1, hw);
                }
            }
            w.begin_relay_message().bytes(&cur).end();
        })
        .unwrap();
        buf.truncate(n);
        cur = buf;
    }
    cur
}

fn relay_meta() -> RxMeta {
    RxMeta {
        ifindex: 9,
        src: a("2001:db8:ffff::1"),
        dst: a("2001:db8:ffff::547"),
        source_mac: None,
    }
}

#[test]
fn relayed_by_link_address_at_every_depth() {
    let mut s = server_with(
        vec![seed_link()],
        Limits {
            rate_per_second: 0,
            ..Limits::default()
        },
        64,
    );
    let inner = msg(MessageType::Solicit, &duid(1), &[Ia::Na(1, vec![])]);
    for depth in 1..=crate::wire::dhcpv6::MAX_RELAY_DEPTH {
        let m = relay_wrap(&inner, depth, a("2001:db8:cafe:1::1"), Some(b"eth0"), None);
        let mut out = vec![0u8; 4096];
        let tx = s
            .handle_message(Instant::ZERO, &relay_meta(), saved(&m), &mut out)
            .unwrap();
        assert_eq!(tx.port, 547);
        assert_eq!(tx.dst, relay_meta().src);
        let repr = Repr::parse(&out[..tx.len]).unwrap();
        let Repr::Relayed(chain) = repr else {
            panic!("not relayed")
        };
        assert_eq!(chain.depth(), depth);
        assert!(chain.layers().all(|l| l.msg_type == MessageType::RelayRepl));
        let innermost = chain.layers().last().unwrap();
        assert_eq!(innermost.link_address, a("2001:db8:cafe:1::1"));
        assert_eq!(innermost.interface_id(), Some(&b"eth0"[..]));
        assert_eq!(chain.message().msg_type, MessageType::Advertise);
    }
    // Deeper than the decoder allows: malformed, counted.
    let m = relay_wrap(&inner, 33, a("2001:db8:cafe:1::1"), None, None);
    assert!(matches!(
        s.handle_message(Instant::ZERO, &relay_meta(), saved(&m), &mut [0u8; 4096]),
        Err(NoReply::Malformed(Error::TooDeep { .. }))
    ));
}

#[test]
fn relayed_by_interface_id_and_no_link() {
    let mut l = seed_link();
    l.ifindex = None;
    l.interface_id.extend_from_slice(b"port-7").unwrap();
    let mut s = server_with(vec![l], Limits::default(), 64);
    let inner = msg(MessageType::Request, &duid(1), &[Ia::Na(1, vec![])]);
    let m = relay_wrap(&inner, 1, Ipv6Addr::UNSPECIFIED, Some(b"port-7"), None);
    let mut out = vec![0u8; 2048];
    let tx = s
        .handle_message(Instant::ZERO, &relay_meta(), saved(&m), &mut out)
        .unwrap();
    let v = view(&out[..tx.len]);
    assert_eq!(v.relay_depth, 1);
    assert_eq!(v.ias[0].items.len(), 1);
    // No link: an unknown Interface-ID, a link-address of no link, a direct message on an
    // interface without a link. Each is an ordinary counted outcome (Kea CVE-2025-40779).
    for m in [
        relay_wrap(&inner, 1, Ipv6Addr::UNSPECIFIED, Some(b"port-8"), None),
        relay_wrap(&inner, 1, a("2001:db8:9999::1"), None, None),
        relay_wrap(&inner, 1, Ipv6Addr::UNSPECIFIED, None, None),
    ] {
        assert_eq!(
            s.handle_message(Instant::ZERO, &relay_meta(), saved(&m), &mut out),
            Err(NoReply::NoLink)
        );
    }
    for t in [
        MessageType::Solicit,
        MessageType::Request,
        MessageType::Renew,
        MessageType::Rebind,
        MessageType::Release,
        MessageType::Decline,
        MessageType::Confirm,
        MessageType::InformationRequest,
    ] {
        let ias = if t == MessageType::InformationRequest {
            vec![]
        } else {
            vec![Ia::Na(1, vec![a("2001:db8:cafe:1::5")])]
        };
        assert_eq!(
            send(&mut s, Instant::ZERO, &msg(t, &duid(2), &ias)).unwrap_err(),
            NoReply::NoLink,
            "{t:?}"
        );
    }
    assert_eq!(s.counters().no_link, 11);
}

/// A Relay-forw around `inner` whose options are written by `opts` (raw, for bad lengths).
fn relay_raw(inner: &[u8], opts: impl Fn(&mut Writer<'_>)) -> Vec<u8> {
    let mut buf = vec![0u8; inner.len() + 512];
    let n = build(&mut buf, |w| {
        w.relay_header(
            MessageType::RelayForw,
            0,
            a("2001:db8:cafe:1::1"),
            a("fe80::1"),
        );
        opts(w);
        w.begin_relay_message().bytes(inner).end();
    })
    .unwrap();
    buf.truncate(n);
    buf
}

#[test]
fn cve_rows_relay_options_and_nesting() {
    let mut s = server_with(
        vec![seed_link()],
        Limits {
            rate_per_second: 0,
            ..Limits::default()
        },
        64,
    );
    let inner = msg(MessageType::Solicit, &duid(1), &[Ia::Na(1, vec![])]);
    let mut out = vec![0u8; 2048];
    // dnsmasq CVE-2017-14493: Client Link-Layer Address option data 3 and 18 bytes are valid
    // (1 and 16 bytes of address), 19 is rejected; no buffer is sized from the wire.
    for (len, ok) in [(3usize, true), (18, true), (19, false), (2, false)] {
        let data: Vec<u8> = (0..len as u8).collect();
        let m = relay_raw(&inner, |w| {
            w.option(79, &data);
        });
        let r = s.handle_message(Instant::ZERO, &relay_meta(), saved(&m), &mut out);
        assert_eq!(r.is_ok(), ok, "CLLA data length {len}: {r:?}");
    }
    // ... and a length of 65535 running past the datagram.
    let mut m = relay_raw(&inner, |w| {
        w.option(79, &[0, 1, 2, 3, 4, 5, 6, 7]);
    });
    let at = 34; // first relay option
    m[at + 2] = 0xff;
    m[at + 3] = 0xff;
    assert!(matches!(
        s.handle_message(Instant::ZERO, &relay_meta(), saved(&m), &mut out),
        Err(NoReply::Malformed(_))
    ));
    // dnsmasq CVE-2017-14494: the Relay Message option ending exactly at the end is valid,
    // one byte over is not.
    let good = relay_raw(&inner, |_| {});
    assert!(s
        .handle_message(Instant::ZERO, &relay_meta(), saved(&good), &mut out)
        .is_ok());
    let mut over = good.clone();
    let len = u16::from_be_bytes([over[36], over[37]]);
    over[36..38].copy_from_slice(&(len + 1).to_be_bytes());
    assert!(matches!(
        s.handle_message(Instant::ZERO, &relay_meta(), saved(&over), &mut out),
        Err(NoReply::Malformed(_))
    ));
    // odhcpd 2026: ~1,700 nested Relay-forw: refused by depth, counted, no recursion.
    let deep = relay_wrap(&inner, 1700, a("2001:db8:cafe:1::1"), None, None);
    assert!(matches!(
        s.handle_message(Instant::ZERO, &relay_meta(), saved(&deep), &mut out),
        Err(NoReply::Malformed(Error::TooDeep { .. }))
    ));
    // odhcpd 2026: an IA_NA / IA_PD one byte short of its 12-byte minimum.
    for code in [3u16, 25] {
        let mut buf = vec![0u8; 256];
        let n = build(&mut buf, |w| {
            w.header(MessageType::Solicit, 1);
            w.option(1, &duid(1));
            w.option(code, &[0u8; 11]);
        })
        .unwrap();
        assert!(matches!(
            send(&mut s, Instant::ZERO, &buf[..n]).unwrap_err(),
            NoReply::Malformed(Error::BadOptionLength { .. })
        ));
    }
    // Kea CVE-2019-6473: a malformed Client FQDN (label running past the option) never
    // panics; the message is either served or dropped as malformed.
    for fqdn in [
        &[0u8, 5, b'a'][..],
        &[0, 0],
        &[0],
        &[0, 64],
        &[0, 0xc0, 0x0c],
    ] {
        let mut buf = vec![0u8; 256];
        let n = build(&mut buf, |w| {
            w.header(MessageType::Solicit, 1);
            w.option(1, &duid(1));
            w.option(39, fqdn);
            w.begin_ia_na(1, 0, 0).end();
        })
        .unwrap();
        match send(&mut s, Instant::ZERO, &buf[..n]) {
            Ok(v) => assert_eq!(v.msg_type, MessageType::Advertise),
            Err(e) => assert!(matches!(e, NoReply::Malformed(_)), "{e:?}"),
        }
    }
    // Kea CVE-2015-8373: formatting anything decoded or produced never panics.
    let _ = std::format!("{:?} {:?}", s.counters(), NoReply::NoLink);
    assert!(s.table().is_empty(), "a Solicit creates no binding");
}

#[test]
fn relay_repl_is_not_accepted() {
    let mut s = server();
    let inner = msg(MessageType::Solicit, &duid(1), &[Ia::Na(1, vec![])]);
    let mut m = relay_wrap(&inner, 1, a("2001:db8:cafe:1::1"), None, None);
    m[0] = 13; // Relay-repl
    assert_eq!(
        send_meta(&mut s, Instant::ZERO, &relay_meta(), &m).unwrap_err(),
        NoReply::Discarded(DropReason::UnexpectedMessageType)
    );
    assert_eq!(s.counters().relay_repl_received, 1);
}

// ---------------------------------------------------------------------------------------------
// Reservations
// ---------------------------------------------------------------------------------------------

#[test]
fn reservations_by_duid_duid_iaid_and_link_layer() {
    let mut l = seed_link();
    l.prefix_pools
        .push(PrefixPool::new(Prefix::new(a("2001:db8:100::"), 40), 56))
        .unwrap();
    let fixed_duid = a("2001:db8:cafe:1::d");
    let fixed_iaid = a("2001:db8:cafe:1::e");
    let fixed_mac = a("2001:db8:cafe:1::f");
    let fixed_prefix = Prefix::new(a("2001:db8:100:ab00::"), 56);
    l.reservations
        .push(Reservation {
            key: ReservationKey::Duid(DuidBuf::from_bytes(&duid(1)).unwrap()),
            address: Some(fixed_duid),
            prefix: Some(fixed_prefix),
        })
        .unwrap();
    l.reservations
        .push(Reservation {
            key: ReservationKey::DuidIaid(DuidBuf::from_bytes(&duid(2)).unwrap(), 5),
            address: Some(fixed_iaid),
            prefix: None,
        })
        .unwrap();
    let mac = [0x02, 0, 0, 0, 0, 0x77];
    l.reservations
        .push(Reservation {
            key: ReservationKey::link_layer(&mac).unwrap(),
            address: Some(fixed_mac),
            prefix: None,
        })
        .unwrap();
    let mut s = server_with(vec![l], Limits::default(), 64);
    let r = bind(
        &mut s,
        Instant::ZERO,
        &duid(1),
        &[Ia::Na(1, vec![]), Ia::Pd(1, vec![])],
    );
    assert_eq!(r.ias[0].items[0].0, fixed_duid);
    assert_eq!(
        (r.ias[1].items[0].0, r.ias[1].items[0].1),
        (fixed_prefix.address, 56)
    );
    // DUID+IAID: only that IAID.
    let r = bind(
        &mut s,
        Instant::ZERO,
        &duid(2),
        &[Ia::Na(4, vec![]), Ia::Na(5, vec![])],
    );
    assert_ne!(r.ias[0].items[0].0, fixed_iaid);
    assert_eq!(r.ias[1].items[0].0, fixed_iaid);
    // Link-layer address: from RFC 6939 in the relay, and from the frame's source MAC.
    let inner = msg(MessageType::Solicit, &duid(3), &[Ia::Na(1, vec![])]);
    let m = relay_wrap(&inner, 1, a("2001:db8:cafe:1::1"), None, Some(&mac));
    let v = send_meta(&mut s, Instant::ZERO, &relay_meta(), &m).unwrap();
    assert_eq!(v.ias[0].items[0].0, fixed_mac);
    let direct = RxMeta {
        source_mac: Some(mac),
        ..meta()
    };
    let v = send_meta(&mut s, Instant::ZERO, &direct, &inner).unwrap();
    assert_eq!(v.ias[0].items[0].0, fixed_mac);
    // Another client hinting a reserved address never gets it.
    let r = bind(
        &mut s,
        Instant::ZERO,
        &duid(4),
        &[Ia::Na(1, vec![fixed_mac])],
    );
    assert_ne!(r.ias[0].items[0].0, fixed_mac);
    assert_no_double_binding(&s);
}

// ---------------------------------------------------------------------------------------------
// Virtual time, expiry, restore
// ---------------------------------------------------------------------------------------------

/// What an adapter's loop does: wake at every `poll_timeout` up to `until`.
fn run_until(s: &mut TestServer, until: Instant) {
    for _ in 0..1000 {
        match s.poll_timeout() {
            Some(due) if due <= until => s.handle_timeout(due),
            _ => return,
        }
    }
    panic!("poll_timeout never moved past {until}");
}

#[test]
fn virtual_time_through_t1_t2_and_expiry() {
    let mut s = server();
    let c = duid(1);
    let t0 = Instant::from_secs(10);
    let addr = bind(&mut s, t0, &c, &[Ia::Na(1, vec![])]).ias[0].items[0].0;
    events(&mut s);
    assert_eq!(s.poll_timeout(), Some(t0 + Duration::from_secs(7500)));
    // T1: Renew.
    let t1 = t0 + Duration::from_secs(3600);
    run_until(&mut s, t1);
    assert!(events(&mut s).is_empty());
    send(
        &mut s,
        t1,
        &msg(MessageType::Renew, &c, &[Ia::Na(1, vec![addr])]),
    )
    .unwrap();
    assert_eq!(events(&mut s)[0].kind, LeaseEventKind::Renewed);
    // The wake-up may still be the old deadline (lazy heap); it must not be later.
    assert!(s.poll_timeout().unwrap() <= t1 + Duration::from_secs(7500));
    // T2 (the client got no answer to its Renews, say): Rebind. The old deadline passed on the
    // way without expiring anything.
    let t2 = t1 + Duration::from_secs(6300);
    run_until(&mut s, t2);
    assert!(events(&mut s).is_empty());
    assert_eq!(s.table().len(), 1);
    assert_eq!(s.poll_timeout(), Some(t1 + Duration::from_secs(7500)));
    send(
        &mut s,
        t2,
        &msg(MessageType::Rebind, &c, &[Ia::Na(1, vec![addr])]),
    )
    .unwrap();
    events(&mut s);
    let expiry = t2 + Duration::from_secs(7500);
    // Silence: one millisecond early nothing happens, then it expires.
    run_until(&mut s, Instant::from_millis(expiry.total_millis() - 1));
    assert!(events(&mut s).is_empty());
    assert_eq!(s.table().len(), 1);
    assert_eq!(s.poll_timeout(), Some(expiry));
    run_until(&mut s, expiry);
    let ev = events(&mut s);
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0].kind, LeaseEventKind::Expired);
    assert_eq!(ev[0].lease.address, addr);
    assert!(s.table().is_empty());
    assert_eq!(s.poll_timeout(), None);
}

#[test]
fn shortened_lifetimes_take_effect_at_once() {
    // ISC dhcpd CVE-2012-3955 shape: lifetimes shortened while leases are active. A Renew
    // under the shorter configuration moves the deadline earlier, and expiry follows it.
    let mut s = server();
    let c = duid(1);
    let addr = bind(&mut s, Instant::ZERO, &c, &[Ia::Na(1, vec![])]).ias[0].items[0].0;
    events(&mut s);
    let mut short = seed_link();
    short.address_lifetimes = Lifetimes::new(60, 120);
    assert!(s.set_link(0, short));
    let r = send(
        &mut s,
        Instant::from_secs(10),
        &msg(MessageType::Renew, &c, &[Ia::Na(1, vec![addr])]),
    )
    .unwrap();
    assert_eq!(r.ias[0].items, vec![(addr, 128, 60, 120)]);
    assert_eq!(s.poll_timeout(), Some(Instant::from_secs(130)));
    events(&mut s);
    run_until(&mut s, Instant::from_secs(130));
    assert_eq!(events(&mut s)[0].kind, LeaseEventKind::Expired);
}

#[test]
fn reload_moving_the_pool_stops_renewing_old_leases() {
    let mut s = server();
    let c = duid(1);
    let addr = bind(&mut s, Instant::ZERO, &c, &[Ia::Na(1, vec![])]).ias[0].items[0].0;
    events(&mut s);
    let mut moved = seed_link();
    moved.address_pools[0] =
        AddressPool::new(a("2001:db8:cafe:1::1:0"), a("2001:db8:cafe:1::1:ff"));
    assert!(s.set_link(0, moved));
    let r = send(
        &mut s,
        Instant::from_secs(10),
        &msg(MessageType::Renew, &c, &[Ia::Na(1, vec![addr])]),
    )
    .unwrap();
    assert_eq!(r.ias[0].items, vec![(addr, 128, 0, 0)]);
    assert!(events(&mut s).is_empty(), "not extended");
    // A Request gets a new address from the new pool.
    let r = send(
        &mut s,
        Instant::from_secs(10),
        &msg(MessageType::Request, &c, &[Ia::Na(1, vec![])]),
    )
    .unwrap();
    let new = r.ias[0].items[0].0;
    assert!(s.links()[0].address_pools[0].contains(new));
    // The old binding runs out at its deadline.
    run_until(&mut s, Instant::from_secs(7500));
    let ev = events(&mut s);
    assert!(ev
        .iter()
        .any(|e| e.kind == LeaseEventKind::Expired && e.lease.address == addr));
}

#[test]
fn expiry_is_bounded_by_the_event_queue() {
    let mut s = server_with(
        vec![seed_link()],
        Limits {
            rate_per_second: 0,
            ..Limits::default()
        },
        512,
    );
    for i in 0..200 {
        bind(&mut s, Instant::ZERO, &duid(i), &[Ia::Na(1, vec![])]);
        events(&mut s);
    }
    let end = Instant::from_secs(7500);
    s.handle_timeout(end);
    assert_eq!(events(&mut s).len(), EVENT_QUEUE);
    assert_eq!(s.poll_timeout(), Some(end), "the rest is still due");
    s.handle_timeout(end);
    assert_eq!(events(&mut s).len(), 200 - EVENT_QUEUE);
    assert!(s.table().is_empty());
}

#[test]
fn event_queue_full_drops_before_changing_state() {
    let mut s = server_with(
        vec![seed_link()],
        Limits {
            rate_per_second: 0,
            ..Limits::default()
        },
        256,
    );
    let mut i = 0;
    loop {
        let r = bind_result(&mut s, &duid(i));
        i += 1;
        if matches!(r, Err(NoReply::EventQueueFull)) {
            break;
        }
        assert!(i < EVENT_QUEUE as u32);
    }
    let held = s.table().len();
    assert_eq!(s.counters().event_queue_full, 1);
    events(&mut s);
    assert!(bind_result(&mut s, &duid(i)).is_ok());
    assert_eq!(s.table().len(), held + 1);
}

fn bind_result(s: &mut TestServer, c: &[u8]) -> Result<View, NoReply> {
    send(
        s,
        Instant::ZERO,
        &msg(MessageType::Request, c, &[Ia::Na(1, vec![])]),
    )
}

/// A table larger than the caches takes `handle_message`'s read-ahead path (the client's and
/// the first IA's index entries read first; the first hashed candidate kept for `choose`): its
/// replies and events are byte for byte those of a small table, for new clients, hints that
/// are free or held by someone else, Requests, Renews and Releases.
#[test]
fn a_large_table_answers_as_a_small_one() {
    let mut l = seed_link();
    l.prefix_pools
        .push(PrefixPool::new(Prefix::new(a("2001:db8:100::"), 40), 56))
        .unwrap();
    let limits = Limits {
        rate_per_second: 0,
        ..Limits::default()
    };
    let mut small = server_with(vec![l.clone()], limits, 1024);
    let large_slots = TOUCH_ABOVE / core::mem::size_of::<Slot>() + 1;
    let mut large = server_with(vec![l], limits, large_slots);
    let mut both = |m: &[u8]| -> Option<View> {
        let mut out_s = vec![0u8; 4096];
        let mut out_l = vec![0u8; 4096];
        let rs = small.handle_message(Instant::ZERO, &meta(), m, &mut out_s);
        let rl = large.handle_message(Instant::ZERO, &meta(), m, &mut out_l);
        assert_eq!(rs.map(|t| t.len), rl.map(|t| t.len));
        assert_eq!(events(&mut small), events(&mut large));
        let n = rs.ok()?.len;
        assert_eq!(out_s[..n], out_l[..n]);
        Some(view(&out_s[..n]))
    };
    let mut held = Vec::new();
    for i in 0..40u32 {
        let d = duid(i);
        // Every third client hints an address someone holds; every fifth a free one.
        let hint: Vec<Ipv6Addr> = match (i % 3, i % 5, held.last()) {
            (0, _, Some(&h)) => vec![h],
            (_, 0, _) => vec![a("2001:db8:cafe:1::1:2345")],
            _ => vec![],
        };
        let adv = both(&msg(
            MessageType::Solicit,
            &d,
            &[Ia::Na(1, hint), Ia::Pd(2, vec![])],
        ))
        .unwrap();
        let na = adv.ias[0].items[0].0;
        let pd = adv.ias[1].items[0];
        let rep = both(&msg(
            MessageType::Request,
            &d,
            &[Ia::Na(1, vec![na]), Ia::Pd(2, vec![(pd.0, 56)])],
        ))
        .unwrap();
        assert_eq!(rep.ias[0].items[0].0, na);
        held.push(na);
        both(&msg(MessageType::Renew, &d, &[Ia::Na(1, vec![na])])).unwrap();
        if i % 4 == 0 {
            both(&msg(MessageType::Release, &d, &[Ia::Na(1, vec![na])])).unwrap();
        }
    }
    assert_eq!(small.table().len(), large.table().len());
    large.table().check_invariants();
}

proptest::proptest! {
    /// `restore_batch` is `restore` one lease after the other: the same verdict for every
    /// lease (restored, expired, conflict, unknown link, outside the pools, DUID too long,
    /// table full), the same counters and the same bindings, over several groups of 16.
    #[test]
    fn restore_batch_is_restore_one_by_one(
        rows in proptest::collection::vec((0u32..60, 0u8..12, 0u64..3000), 0..90),
        slots in 1usize..70,
    ) {
        let mut l = seed_link();
        l.prefix_pools
            .push(PrefixPool::new(Prefix::new(a("2001:db8:100::"), 40), 56))
            .unwrap();
        let now = Instant::from_secs(1000);
        let base = u128::from(a("2001:db8:cafe:1::100"));
        let leases: Vec<Lease> = rows
            .iter()
            .map(|&(n, kind, until)| {
                // n picks the client and the address: equal n, the same address (a conflict).
                let mut d = duid(n);
                if kind == 11 {
                    d.extend_from_slice(&[7; 30]); // 48 bytes: longer than `Slot`'s 32
                }
                let mut lease = Lease {
                    link: if kind == 10 { 3 } else { 0 },
                    ia_type: IaType::Na,
                    duid: DuidBuf::from_bytes(&d).unwrap(),
                    iaid: n % 3,
                    address: Ipv6Addr::from(base + u128::from(n)),
                    prefix_len: 128,
                    preferred_until: Instant::from_secs(until / 2),
                    valid_until: Instant::from_secs(until),
                };
                match kind {
                    0..=2 => {
                        lease.ia_type = IaType::Pd;
                        lease.address = Ipv6Addr::from(
                            u128::from(a("2001:db8:100::")) + (u128::from(n) << 72),
                        );
                        lease.prefix_len = 56;
                    }
                    9 => lease.address = a("2001:db8:bad::1"),
                    _ => {}
                }
                lease
            })
            .collect();
        let limits = Limits {
            rate_per_second: 0,
            ..Limits::default()
        };
        let mut one = server_with(vec![l.clone()], limits, slots);
        let expected: Vec<Result<(), RestoreError>> =
            leases.iter().map(|x| one.restore(now, x)).collect();
        let mut batch = server_with(vec![l], limits, slots);
        let mut got = vec![None; leases.len()];
        let mut order = Vec::new();
        batch.restore_batch(now, &leases, |i, r| {
            order.push(i);
            got[i] = Some(r);
        });
        proptest::prop_assert_eq!(order, (0..leases.len()).collect::<Vec<_>>());
        proptest::prop_assert_eq!(got, expected.into_iter().map(Some).collect::<Vec<_>>());
        proptest::prop_assert_eq!(batch.counters(), one.counters());
        let bindings = |s: &TestServer| {
            let mut v: Vec<_> = s.table().iter().map(|b| b.to_lease()).collect();
            v.sort_by_key(|l| l.map(|l| (l.address, l.prefix_len)));
            v
        };
        proptest::prop_assert_eq!(bindings(&batch), bindings(&one));
        batch.table().check_invariants();
        // The expiry heap is in order: leases expire one by one, soonest first.
        batch.handle_timeout(Instant::from_secs(5000));
        proptest::prop_assert!(batch.table().is_empty());
        let expired: Vec<_> = events(&mut batch).iter().map(|e| e.lease.valid_until).collect();
        proptest::prop_assert!(expired.windows(2).all(|w| w[0] <= w[1]));
    }
}

#[test]
fn restore_after_restart() {
    let mut l = seed_link();
    l.prefix_pools
        .push(PrefixPool::new(Prefix::new(a("2001:db8:100::"), 40), 56))
        .unwrap();
    let limits = Limits {
        rate_per_second: 0,
        ..Limits::default()
    };
    let mut s = server_with(vec![l.clone()], limits, 256);
    // The adapter's store: address → lease, kept up to date from events.
    let mut store: HashMap<(Ipv6Addr, u8), Lease> = HashMap::new();
    let apply = |s: &mut TestServer, store: &mut HashMap<(Ipv6Addr, u8), Lease>| {
        for e in events(s) {
            let k = (e.lease.address, e.lease.prefix_len);
            match e.kind {
                LeaseEventKind::Bound | LeaseEventKind::Renewed => {
                    store.insert(k, e.lease);
                }
                _ => {
                    store.remove(&k);
                }
            }
        }
    };
    let mut held = HashMap::new();
    for i in 0..20 {
        let r = bind(
            &mut s,
            Instant::ZERO,
            &duid(i),
            &[Ia::Na(1, vec![]), Ia::Pd(2, vec![])],
        );
        held.insert(i, (r.ias[0].items[0].0, r.ias[1].items[0].0));
        apply(&mut s, &mut store);
    }
    let (gone, _) = held[&3];
    send(
        &mut s,
        Instant::ZERO,
        &msg(MessageType::Release, &duid(3), &[Ia::Na(1, vec![gone])]),
    )
    .unwrap();
    apply(&mut s, &mut store);
    assert_eq!(store.len(), 39);
    drop(s);

    // Restart.
    let now = Instant::from_secs(100);
    let mut s = server_with(vec![l], limits, 256);
    for lease in store.values() {
        s.restore(now, lease).unwrap();
    }
    assert_eq!(s.counters().restored, 39);
    assert_eq!(s.table().len(), 39);
    assert!(events(&mut s).is_empty(), "restoring queues no events");
    // Every client renews and keeps its address and prefix: Renewed, never a new Bound.
    for i in 0..20 {
        if i == 3 {
            continue;
        }
        let (na, pd) = held[&i];
        let r = send(
            &mut s,
            now,
            &msg(
                MessageType::Renew,
                &duid(i),
                &[Ia::Na(1, vec![na]), Ia::Pd(2, vec![(pd, 56)])],
            ),
        )
        .unwrap();
        assert_eq!(r.ias[0].items[0].0, na);
        assert_eq!(r.ias[1].items[0].0, pd);
        assert!(events(&mut s)
            .iter()
            .all(|e| e.kind == LeaseEventKind::Renewed));
    }
    // A new client does not get anyone's address.
    let r = bind(&mut s, now, &duid(100), &[Ia::Na(1, vec![held[&5].0])]);
    assert_ne!(r.ias[0].items[0].0, held[&5].0);
    // Refusals: expired, duplicate, foreign link, wrong prefix length, address outside pools.
    let some = *store.values().next().unwrap();
    assert_eq!(s.restore(now, &some), Err(RestoreError::Conflict));
    assert_eq!(
        s.restore(Instant::from_secs(1_000_000), &some),
        Err(RestoreError::Expired)
    );
    assert_eq!(
        s.restore(now, &Lease { link: 5, ..some }),
        Err(RestoreError::NoLink)
    );
    let pd = store.values().find(|l| l.ia_type == IaType::Pd).unwrap();
    assert_eq!(
        s.restore(
            now,
            &Lease {
                prefix_len: 48,
                ..*pd
            }
        ),
        Err(RestoreError::NotInPool)
    );
    assert_eq!(
        s.restore(
            now,
            &Lease {
                address: a("2001:db8:bad::1"),
                ia_type: IaType::Na,
                prefix_len: 128,
                ..some
            }
        ),
        Err(RestoreError::NotInPool)
    );
    assert_no_double_binding(&s);
}

// ---------------------------------------------------------------------------------------------
// Exhaustion (RFC 9915 §23)
// ---------------------------------------------------------------------------------------------

fn exhaustion(random_clients: u32) {
    let mut l = seed_link();
    l.address_pools[0] = AddressPool::new(a("2001:db8:cafe:1::100"), a("2001:db8:cafe:1::13f"));
    l.address_lifetimes = Lifetimes::new(600, 900);
    let mut s = server_with(
        vec![l],
        Limits {
            rate_per_second: 0,
            ..Limits::default()
        },
        4096,
    );
    // 32 well-behaved clients take half the pool.
    let mut good = Vec::new();
    for i in 0..32 {
        let r = bind(
            &mut s,
            Instant::ZERO,
            &duid(1_000_000_000 + i),
            &[Ia::Na(1, vec![])],
        );
        good.push(r.ias[0].items[0].0);
    }
    let mut rng = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let mut now = Instant::ZERO;
    let mut refused = 0u64;
    for n in 0..random_clients {
        let mut d = vec![0u8, 4];
        d.extend_from_slice(&next().to_be_bytes());
        d.extend_from_slice(&next().to_be_bytes());
        let m = if n % 2 == 0 {
            msg(MessageType::Solicit, &d, &[Ia::Na(1, vec![])])
        } else {
            msg(MessageType::Request, &d, &[Ia::Na(1, vec![])])
        };
        let v = send(&mut s, now, &m).unwrap();
        if v.ias[0].status == Some(StatusCode::NoAddrsAvail) {
            refused += 1;
        }
        events(&mut s);
        // Every 100 messages, 10 s pass; the good clients renew at T1 (300 s).
        if n % 100 == 99 {
            now += Duration::from_secs(10);
            s.handle_timeout(now);
            events(&mut s);
            if now.secs().is_multiple_of(300) {
                for (i, &addr) in good.iter().enumerate() {
                    let r = send(
                        &mut s,
                        now,
                        &msg(
                            MessageType::Renew,
                            &duid(1_000_000_000 + i as u32),
                            &[Ia::Na(1, vec![addr])],
                        ),
                    )
                    .unwrap();
                    assert_eq!(
                        r.ias[0].items,
                        vec![(addr, 128, 600, 900)],
                        "good client {i} at {now}"
                    );
                }
                events(&mut s);
            }
        }
    }
    assert!(
        refused > u64::from(random_clients) / 4,
        "the pool ran out: {refused}"
    );
    assert!(s.table().len() <= 64);
    assert_no_double_binding(&s);
}

#[test]
fn exhaustion_by_100k_random_duids_while_good_clients_renew() {
    exhaustion(100_000);
}

#[test]
#[ignore = "slow: a million random DUIDs, about 80 s in a debug build"]
fn exhaustion_by_a_million_random_duids() {
    exhaustion(1_000_000);
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

mod props {
    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    enum Step {
        Msg {
            t: u8,
            client: u8,
            iaid: u8,
            na_hint: Option<u8>,
            pd_hint: Option<u8>,
            with_pd: bool,
        },
        Wait(u16),
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            8 => (0u8..6, 0u8..6, 0u8..3, proptest::option::of(0u8..12), proptest::option::of(0u8..8), any::<bool>())
                .prop_map(|(t, client, iaid, na_hint, pd_hint, with_pd)| Step::Msg { t, client, iaid, na_hint, pd_hint, with_pd }),
            1 => (0u16..2000).prop_map(Step::Wait),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

        #[test]
        fn no_address_or_prefix_is_ever_held_twice(steps in proptest::collection::vec(step(), 1..80)) {
            let mut l = seed_link();
            l.address_pools[0] = AddressPool::new(a("2001:db8:cafe:1::1"), a("2001:db8:cafe:1::8"));
            l.prefix_pools.push(PrefixPool::new(Prefix::new(a("2001:db8:100::"), 61), 64)).unwrap();
            l.address_lifetimes = Lifetimes::new(300, 600);
            l.prefix_lifetimes = Lifetimes::new(300, 600);
            l.rapid_commit = true;
            let mut s = server_with(vec![l], Limits { rate_per_second: 0, max_declined: 3, decline_quarantine: Duration::from_secs(500), ..Limits::default() }, 32);
            let mut now = Instant::ZERO;
            for st in steps {
                match st {
                    Step::Wait(secs) => {
                        now += Duration::from_secs(u64::from(secs));
                        s.handle_timeout(now);
                    }
                    Step::Msg { t, client, iaid, na_hint, pd_hint, with_pd } => {
                        let t = [MessageType::Solicit, MessageType::Request, MessageType::Renew, MessageType::Rebind, MessageType::Release, MessageType::Decline][usize::from(t)];
                        let na = na_hint.map(|h| Ipv6Addr::from(u128::from(a("2001:db8:cafe:1::")) + u128::from(h))).into_iter().collect();
                        let mut ias = vec![Ia::Na(u32::from(iaid), na)];
                        if with_pd {
                            let pd = pd_hint.map(|h| (Ipv6Addr::from(u128::from(a("2001:db8:100::")) + (u128::from(h) << 64)), 64)).into_iter().collect();
                            ias.push(Ia::Pd(u32::from(iaid), pd));
                        }
                        let m = msg(t, &duid(u32::from(client)), &ias);
                        let mut out = vec![0u8; 2048];
                        let _ = s.handle_message(now, &meta(), saved(&m), &mut out);
                    }
                }
                while s.poll_event().is_some() {}
                assert_no_double_binding(&s);
            }
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let mut s = server();
            let mut out = vec![0u8; 1500];
            let _ = s.handle_message(Instant::ZERO, &meta(), saved(&bytes), &mut out);
            let _ = s.handle_message(Instant::ZERO, &relay_meta(), saved(&bytes), &mut out);
        }

        #[test]
        fn mutated_valid_messages_never_panic(pos in 0usize..200, val in any::<u8>(), t in 0u8..8) {
            let mut s = server();
            let t = [MessageType::Solicit, MessageType::Request, MessageType::Renew, MessageType::Rebind, MessageType::Release, MessageType::Decline, MessageType::Confirm, MessageType::InformationRequest][usize::from(t)];
            let ias = if t == MessageType::InformationRequest { vec![] } else { vec![Ia::Na(1, vec![a("2001:db8:cafe:1::5")]), Ia::Pd(2, vec![(a("2001:db8:100::"), 56)])] };
            let mut m = msg(t, &duid(1), &ias);
            if let Some(b) = m.get_mut(pos) { *b = val; }
            let wrapped = relay_wrap(&m, 2, a("2001:db8:cafe:1::1"), Some(b"x"), None);
            let mut out = vec![0u8; 1500];
            let _ = s.handle_message(Instant::ZERO, &meta(), saved(&m), &mut out);
            let _ = s.handle_message(Instant::ZERO, &relay_meta(), saved(&wrapped), &mut out);
            assert_no_double_binding(&s);
        }
    }
}

/// The memory knobs: the smallest event queue ([`MAX_EVENTS_PER_MESSAGE`]) and a single
/// rate-limit bucket still give correct behaviour, only with less slack.
#[test]
fn small_event_queue_and_one_rate_bucket() {
    let link = seed_link();
    link.validate().unwrap();
    let mut links = heapless::Vec::new();
    links.push(link).unwrap();
    let storage = vec![Slot::EMPTY; 64].into_boxed_slice();
    // 12 events: 2 × the default caps (4 addresses + 2 prefixes), the least room a message needs.
    let mut s: Server<Box<[Slot]>, 1, 12, 1> = Server::new(
        DuidBuf::from_bytes(&SERVER_DUID).unwrap(),
        links,
        Limits {
            rate_burst: 3,
            rate_per_second: 1,
            ..Limits::default()
        },
        storage,
        7,
    );
    let mut out = vec![0u8; 4096];
    let drain =
        |s: &mut Server<Box<[Slot]>, 1, 12, 1>| core::iter::from_fn(|| s.poll_event()).count();
    let request = |c: u32| msg(MessageType::Request, &duid(c), &[Ia::Na(1, vec![])]);
    // An empty queue has exactly the room one stateful message needs.
    let t = s.handle_message(Instant::ZERO, &meta(), &request(1), &mut out);
    assert!(t.unwrap().commit_through.is_some());
    // One undrained event leaves too little room: refused before any state changes.
    assert_eq!(
        s.handle_message(Instant::ZERO, &meta(), &request(2), &mut out),
        Err(NoReply::EventQueueFull)
    );
    assert_eq!(s.table().len(), 1);
    assert_eq!(drain(&mut s), 1);
    // Drained: the retransmission is served. Clients 1 and 2 used 3 tokens of the one shared
    // bucket (the refused message counted too), so client 3 is rate limited.
    assert!(s
        .handle_message(Instant::ZERO, &meta(), &request(2), &mut out)
        .is_ok());
    assert_eq!(drain(&mut s), 1);
    assert_eq!(
        s.handle_message(Instant::ZERO, &meta(), &request(3), &mut out),
        Err(NoReply::RateLimited)
    );
    assert!(s
        .handle_message(Instant::from_secs(1), &meta(), &request(3), &mut out)
        .is_ok());
    assert_eq!(s.table().len(), 3);
    // Expiry queues at most EVENTS events at a time.
    drain(&mut s);
    s.handle_timeout(Instant::from_secs(100_000));
    assert_eq!(drain(&mut s), 3);
    assert!(s.table().is_empty());
}

#[test]
fn tiny_event_queue_clamps_the_caps_and_never_loses_an_event() {
    // EVENTS = 4: the caps are clamped to 2 bindings a client (2 addresses, no prefix).
    let link = seed_link();
    let mut links = heapless::Vec::new();
    links.push(link).unwrap();
    let mut s: Server<Box<[Slot]>, 1, 4, 1> = Server::new(
        DuidBuf::from_bytes(&SERVER_DUID).unwrap(),
        links,
        Limits {
            rate_per_second: 0,
            ..Limits::default()
        },
        vec![Slot::EMPTY; 16].into_boxed_slice(),
        9,
    );
    let mut out = vec![0u8; 4096];
    let c = duid(7);
    let ias = [
        Ia::Na(1, vec![]),
        Ia::Na(2, vec![]),
        Ia::Na(3, vec![]),
        Ia::Pd(4, vec![]),
    ];
    let n = s
        .handle_message(
            Instant::ZERO,
            &meta(),
            &msg(MessageType::Request, &c, &ias),
            &mut out,
        )
        .unwrap()
        .len;
    let v = view(&out[..n]);
    let status: Vec<_> = v.ias.iter().map(|ia| ia.status).collect();
    assert_eq!(
        status,
        vec![
            None,
            None,
            Some(StatusCode::NoAddrsAvail),
            Some(StatusCode::NoPrefixAvail)
        ]
    );
    let drain = |s: &mut Server<Box<[Slot]>, 1, 4, 1>| {
        core::iter::from_fn(|| s.poll_event()).collect::<Vec<_>>()
    };
    let bound = drain(&mut s);
    assert_eq!(bound.len(), 2);
    // Three more leases of the same client restored (a store written under larger caps):
    // a Renew looks at no more than the caps' 2 bindings, so its events fit the queue.
    let mut lease = bound[0].lease;
    for (i, iaid) in [(0x71u16, 5u32), (0x72, 6), (0x73, 7)] {
        lease.address = Ipv6Addr::new(0x2001, 0xdb8, 0xcafe, 1, 0, 0, 0, i);
        lease.iaid = iaid;
        s.restore(Instant::ZERO, &lease).unwrap();
    }
    let renew: Vec<Ia> = (1..=7).map(|i| Ia::Na(i, vec![])).collect();
    let r = s.handle_message(
        Instant::from_secs(10),
        &meta(),
        &msg(MessageType::Renew, &c, &renew),
        &mut out,
    );
    assert!(r.is_ok());
    let renewed = drain(&mut s);
    assert!(!renewed.is_empty() && renewed.len() <= 4);
    assert!(renewed
        .iter()
        .all(|e| e.kind == LeaseEventKind::Renewed && e.lease.duid.as_bytes() == &c[..]));
    assert_eq!(s.counters().events_lost, 0);
    // Every event of a Release fits as well.
    let r = s.handle_message(
        Instant::from_secs(10),
        &meta(),
        &msg(MessageType::Release, &c, &renew),
        &mut out,
    );
    assert!(r.is_ok());
    assert!(drain(&mut s).len() <= 4);
    assert_eq!(s.counters().events_lost, 0);
}

/// A shared lease store refused a binding (another server's client holds the address): the
/// adapter forgets it and restores the holder's lease; the client's retransmitted Request then
/// gets another address, and the holder's Renew extends its own lease here.
#[test]
fn forget_then_restore_the_holder_moves_the_client_elsewhere() {
    let mut l = seed_link();
    l.prefix_pools
        .push(PrefixPool::new(Prefix::new(a("2001:db8:100::"), 40), 56))
        .unwrap();
    let mut s = server_with(vec![l], Limits::default(), 64);
    let now = Instant::ZERO;
    let first = bind(
        &mut s,
        now,
        &duid(1),
        &[Ia::Na(1, vec![]), Ia::Pd(2, vec![])],
    );
    let (na, pd) = (first.ias[0].items[0].0, first.ias[1].items[0].0);
    let refused = events(&mut s);
    assert_eq!(refused.len(), 2);
    // Only the exact binding is forgotten: another DUID, IAID or type leaves it.
    let na_lease = refused[0].lease;
    for wrong in [
        Lease {
            iaid: 9,
            ..na_lease
        },
        Lease {
            duid: DuidBuf::from_bytes(&duid(2)).unwrap(),
            ..na_lease
        },
        Lease {
            ia_type: IaType::Pd,
            ..na_lease
        },
        Lease {
            address: a("2001:db8:cafe:1::1234"),
            ..na_lease
        },
    ] {
        assert!(!s.forget(&wrong));
    }
    assert_eq!(s.table().len(), 2);
    for e in &refused {
        assert!(s.forget(&e.lease));
        assert!(!s.forget(&e.lease), "already gone");
        let holder = Lease {
            duid: DuidBuf::from_bytes(&duid(50)).unwrap(),
            iaid: 7,
            ..e.lease
        };
        s.restore(now, &holder).unwrap();
    }
    assert!(events(&mut s).is_empty(), "forget queues no event");
    // The retransmitted Request: other address and prefix, new Bound events.
    let again = bind(
        &mut s,
        now,
        &duid(1),
        &[Ia::Na(1, vec![]), Ia::Pd(2, vec![])],
    );
    assert_ne!(again.ias[0].items[0].0, na);
    assert_ne!(again.ias[1].items[0].0, pd);
    assert!(events(&mut s)
        .iter()
        .all(|e| e.kind == LeaseEventKind::Bound));
    // The holder renews its address here: Renewed, same address.
    let r = send(
        &mut s,
        now,
        &msg(MessageType::Renew, &duid(50), &[Ia::Na(7, vec![na])]),
    )
    .unwrap();
    assert_eq!(r.ias[0].items[0].0, na);
    assert!(r.ias[0].items[0].3 > 0);
    assert_eq!(events(&mut s)[0].kind, LeaseEventKind::Renewed);
    assert_no_double_binding(&s);
}
