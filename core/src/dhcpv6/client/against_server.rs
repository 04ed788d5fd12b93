//! The client against the server engine on one simulated link, on virtual time: every mode,
//! renewals over days, a lossy link, DAD conflicts, Release.

use std::vec;
use std::vec::Vec as StdVec;

use super::*;
use crate::dhcpv6::server::{
    AddressPool, LeaseEventKind, Lifetimes, Limits, LinkConfig, Prefix, PrefixPool, RxMeta, Server,
    Slot,
};
use crate::wire::dhcpv6::DuidBuf;

const SERVER_DUID: &[u8] = &[0, 3, 0, 1, 0x52, 0x54, 0, 0, 0, 0x01];
const POOL_FIRST: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0, 1, 0, 0, 0, 0x100);
const POOL_LAST: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0, 1, 0, 0, 0, 0x1ff);
const DNS: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x53);
const NTP: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x123);

type Srv = Server<StdVec<Slot>>;

fn link() -> LinkConfig {
    let mut l = LinkConfig {
        ifindex: Some(1),
        address_lifetimes: Lifetimes::new(3600, 7200),
        prefix_lifetimes: Lifetimes::new(3600, 7200),
        ..LinkConfig::default()
    };
    l.prefixes
        .push(Prefix::new(
            Ipv6Addr::new(0x2001, 0xdb8, 0, 1, 0, 0, 0, 0),
            64,
        ))
        .unwrap();
    l.address_pools
        .push(AddressPool::new(POOL_FIRST, POOL_LAST))
        .unwrap();
    l.prefix_pools
        .push(PrefixPool::new(
            Prefix::new(Ipv6Addr::new(0x2001, 0xdb8, 0x100, 0, 0, 0, 0, 0), 40),
            56,
        ))
        .unwrap();
    l.dns_servers.push(DNS).unwrap();
    l.ntp_servers.push(NTP).unwrap();
    l.add_domain("example.com").unwrap();
    l
}

fn server(link: LinkConfig) -> Srv {
    let mut links = heapless::Vec::new();
    links.push(link).unwrap();
    Server::new(
        DuidBuf::from_bytes(SERVER_DUID).unwrap(),
        links,
        Limits::default(),
        vec![Slot::EMPTY; 256],
        7,
    )
}

/// One server and several clients on a link; `lose(n)` decides whether the n-th datagram on
/// the link (either direction) is lost.
struct Link<'l> {
    now: Instant,
    server: Srv,
    clients: StdVec<C>,
    events: StdVec<StdVec<(Instant, Event)>>,
    server_events: StdVec<(Instant, LeaseEventKind, Ipv6Addr)>,
    datagrams: u64,
    lost: u64,
    sent: StdVec<(Instant, usize, Message)>,
    lose: &'l dyn Fn(u64) -> bool,
}

type C = Client<2, 2, 2>;

impl<'l> Link<'l> {
    fn new(server: Srv, clients: StdVec<C>, lose: &'l dyn Fn(u64) -> bool) -> Self {
        let n = clients.len();
        Link {
            now: Instant::ZERO,
            server,
            clients,
            events: vec![vec![]; n],
            server_events: vec![],
            datagrams: 0,
            lost: 0,
            sent: vec![],
            lose,
        }
    }

    fn deliver(&mut self) -> bool {
        let mut any = false;
        let mut buf = [0u8; 1500];
        let mut out = [0u8; 1500];
        for i in 0..self.clients.len() {
            while let Some(t) = self.clients[i].poll_transmit(self.now, &mut buf) {
                any = true;
                self.sent.push((self.now, i, t.message));
                self.datagrams += 1;
                if (self.lose)(self.datagrams) {
                    self.lost += 1;
                    continue;
                }
                let meta = RxMeta {
                    ifindex: 1,
                    src: Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 0x10 + i as u16),
                    dst: t.destination,
                    source_mac: None,
                };
                let answer = self
                    .server
                    .handle_message(self.now, &meta, &buf[..t.len], &mut out);
                while let Some(e) = self.server.poll_event() {
                    self.server_events.push((self.now, e.kind, e.lease.address));
                }
                if let Ok(tx) = answer {
                    assert_eq!(tx.port, CLIENT_PORT);
                    assert_eq!(tx.dst, meta.src);
                    self.datagrams += 1;
                    if (self.lose)(self.datagrams) {
                        self.lost += 1;
                        continue;
                    }
                    self.clients[i].handle_reply(self.now, &out[..tx.len]);
                }
            }
            while let Some(e) = self.clients[i].poll_event() {
                self.events[i].push((self.now, e));
            }
        }
        any
    }

    fn run(&mut self, end: Instant) {
        let mut guard = 0;
        loop {
            guard += 1;
            assert!(guard < 2_000_000);
            self.deliver();
            let next = self
                .clients
                .iter()
                .filter_map(|c| c.poll_timeout())
                .chain(self.server.poll_timeout())
                .min();
            match next {
                Some(t) if t <= end => {
                    self.now = self.now.max(t);
                    for c in &mut self.clients {
                        c.handle_timeout(self.now);
                    }
                    self.server.handle_timeout(self.now);
                }
                _ => {
                    self.now = end;
                    for c in &mut self.clients {
                        c.handle_timeout(end);
                    }
                    self.deliver();
                    return;
                }
            }
        }
    }
}

fn client(n: u8, config: Config) -> C {
    Client::new(&[0, 3, 0, 1, 2, 0, 0, 0, 0, n], config, u64::from(n)).unwrap()
}

fn never(_: u64) -> bool {
    false
}

fn in_pool(a: Ipv6Addr) -> bool {
    (u128::from(POOL_FIRST)..=u128::from(POOL_LAST)).contains(&u128::from(a))
}

#[test]
fn stateful_with_pd_binds_renews_and_releases_against_the_server() {
    let mut link = Link::new(server(link()), vec![client(1, Config::default())], &never);
    link.clients[0].start(
        Instant::ZERO,
        Mode::Stateful {
            prefix_delegation: true,
        },
    );
    link.run(Instant::from_secs(10));
    let c = &link.clients[0];
    assert_eq!(c.state(), State::Bound);
    assert_eq!(c.addresses().len(), 1);
    assert!(in_pool(c.addresses()[0].address));
    assert_eq!(c.addresses()[0].valid, Duration::from_secs(7200));
    assert_eq!(c.prefixes().len(), 1);
    assert_eq!(c.prefixes()[0].prefix_len, 56);
    assert_eq!(c.dns_servers(), [DNS]);
    assert_eq!(c.ntp_servers(), [NTP]);
    assert_eq!(c.domain_list().count(), 1);
    assert_eq!(c.server_id(), Some(SERVER_DUID));
    let kinds: StdVec<Message> = link.sent.iter().map(|s| s.2).collect();
    assert_eq!(kinds, [Message::Solicit, Message::Request]);
    let addr = c.addresses()[0].address;
    assert!(link
        .server_events
        .iter()
        .any(|e| e.1 == LeaseEventKind::Bound && e.2 == addr));

    // A day of renewals: T1 = 1800 s, the same address and prefix throughout.
    let prefix = c.prefixes()[0].address;
    link.run(Instant::from_secs(86_400));
    let c = &link.clients[0];
    assert_eq!(c.addresses()[0].address, addr);
    assert_eq!(c.prefixes()[0].address, prefix);
    let renews = link.sent.iter().filter(|s| s.2 == Message::Renew).count();
    assert!((47..=48).contains(&renews), "{renews}");
    assert_eq!(link.sent.len(), 2 + renews);
    assert!(link.events[0]
        .iter()
        .any(|(_, e)| matches!(e, Event::AddressRenewed(_))));
    assert!(link.events[0]
        .iter()
        .any(|(_, e)| matches!(e, Event::PrefixRenewed(_))));

    // Stop: Release, and the server frees both.
    link.clients[0].stop(link.now);
    link.run(link.now + Duration::from_secs(10));
    assert_eq!(link.clients[0].state(), State::Idle);
    assert_eq!(link.sent.last().unwrap().2, Message::Release);
    let released: StdVec<Ipv6Addr> = link
        .server_events
        .iter()
        .filter(|e| e.1 == LeaseEventKind::Released)
        .map(|e| e.2)
        .collect();
    assert!(
        released.contains(&addr) && released.contains(&prefix),
        "{released:?}"
    );
}

#[test]
fn prefix_delegation_only_against_the_server() {
    let mut link = Link::new(server(link()), vec![client(2, Config::default())], &never);
    link.clients[0].start(Instant::ZERO, Mode::PrefixDelegation);
    link.run(Instant::from_secs(10_000));
    let c = &link.clients[0];
    assert_eq!(c.state(), State::Bound);
    assert!(c.addresses().is_empty());
    assert_eq!(c.prefixes().len(), 1);
    let p = c.prefixes()[0];
    assert_eq!(p.prefix_len, 56);
    assert_eq!(
        u128::from(p.address) >> 88,
        u128::from(Ipv6Addr::new(0x2001, 0xdb8, 0x100, 0, 0, 0, 0, 0)) >> 88
    );
    let renews = link.sent.iter().filter(|s| s.2 == Message::Renew).count();
    assert_eq!(renews, 5, "every 1800 s for 10000 s");
}

#[test]
fn stateless_against_the_server() {
    let mut l = link();
    l.information_refresh_time = Some(3600);
    let mut link = Link::new(server(l), vec![client(3, Config::default())], &never);
    link.clients[0].start(Instant::ZERO, Mode::Stateless);
    link.run(Instant::from_secs(3 * 3600 + 10));
    let c = &link.clients[0];
    assert_eq!(c.state(), State::Informed);
    assert_eq!(c.dns_servers(), [DNS]);
    assert_eq!(c.ntp_servers(), [NTP]);
    let kinds: StdVec<Message> = link.sent.iter().map(|s| s.2).collect();
    assert_eq!(
        kinds,
        [Message::InformationRequest; 4],
        "at 0-1 s, then every 3600 s"
    );
    assert!(
        link.server_events.is_empty(),
        "no bindings for stateless clients"
    );
    let changes = link.events[0]
        .iter()
        .filter(|(_, e)| *e == Event::DnsServersChanged)
        .count();
    assert_eq!(changes, 1);
}

#[test]
fn lossy_link_still_binds_and_keeps_the_lease_for_a_day() {
    // Pseudo-random loss of `sixteenths`/16 of all datagrams, both directions.
    for (name, sixteenths) in [("31% lost", 5u64), ("50% lost", 8)] {
        let lose = move |n: u64| (n.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 60) < sixteenths;
        let mut link = Link::new(
            server(link()),
            vec![client(4, Config::default()), client(5, Config::default())],
            &lose,
        );
        for c in &mut link.clients {
            c.start(
                Instant::ZERO,
                Mode::Stateful {
                    prefix_delegation: true,
                },
            );
        }
        link.run(Instant::from_secs(86_400));
        assert!(link.lost > 0);
        for (i, c) in link.clients.iter().enumerate() {
            assert_eq!(c.state(), State::Bound, "{name}: client {i}");
            assert_eq!(c.addresses().len(), 1, "{name}: client {i}");
            assert_eq!(c.prefixes().len(), 1, "{name}: client {i}");
            let expired = link.events[i]
                .iter()
                .filter(|(_, e)| matches!(e, Event::AddressRemoved { .. }))
                .count();
            assert_eq!(expired, 0, "{name}: client {i} never lost its address");
        }
        assert_ne!(
            link.clients[0].addresses()[0].address,
            link.clients[1].addresses()[0].address
        );
        assert_ne!(
            link.clients[0].prefixes()[0].address,
            link.clients[1].prefixes()[0].address
        );
    }
}

#[test]
fn dad_conflict_declines_and_the_server_hands_out_another_address() {
    let mut link = Link::new(server(link()), vec![client(6, Config::default())], &never);
    link.clients[0].start(
        Instant::ZERO,
        Mode::Stateful {
            prefix_delegation: false,
        },
    );
    link.run(Instant::from_secs(10));
    let first = link.clients[0].addresses()[0].address;
    assert!(link.clients[0].dad_conflict(link.now, first));
    link.run(link.now + Duration::from_secs(10));
    let c = &link.clients[0];
    assert_eq!(c.state(), State::Bound);
    let second = c.addresses()[0].address;
    assert_ne!(second, first);
    assert!(in_pool(second));
    assert!(link
        .server_events
        .iter()
        .any(|e| e.1 == LeaseEventKind::Declined && e.2 == first));
    let kinds: StdVec<Message> = link.sent.iter().map(|s| s.2).collect();
    assert_eq!(
        kinds,
        [
            Message::Solicit,
            Message::Request,
            Message::Decline,
            Message::Solicit,
            Message::Request
        ]
    );
}

#[test]
fn rapid_commit_against_the_server() {
    let mut l = link();
    l.rapid_commit = true;
    let mut link = Link::new(
        server(l),
        vec![client(
            7,
            Config {
                rapid_commit: true,
                ..Config::default()
            },
        )],
        &never,
    );
    link.clients[0].start(
        Instant::ZERO,
        Mode::Stateful {
            prefix_delegation: false,
        },
    );
    link.run(Instant::from_secs(10));
    assert_eq!(link.clients[0].state(), State::Bound);
    let kinds: StdVec<Message> = link.sent.iter().map(|s| s.2).collect();
    assert_eq!(kinds, [Message::Solicit]);
}

#[test]
fn link_change_confirm_against_the_server() {
    let mut link = Link::new(server(link()), vec![client(8, Config::default())], &never);
    link.clients[0].start(
        Instant::ZERO,
        Mode::Stateful {
            prefix_delegation: false,
        },
    );
    link.run(Instant::from_secs(10));
    let addr = link.clients[0].addresses()[0].address;
    link.clients[0].link_changed(link.now);
    link.run(link.now + Duration::from_secs(15));
    assert_eq!(link.sent.last().unwrap().2, Message::Confirm);
    assert_eq!(link.clients[0].state(), State::Bound);
    assert_eq!(link.clients[0].addresses()[0].address, addr);
}
