//! The host → DHCPv6 client glue (`host::station`), on a simulated link with real encoded
//! bytes: RAs built with the ND codec and parsed with their checksum verified, DHCPv6 exchanges
//! against the real server engine. What is checked is what the adapter sees: which messages go
//! out, in which order, and which addresses and DNS servers the events hand it.

use core::net::Ipv6Addr;

use sixconf_core::dhcpv6::client::{self, Config, Delivery, Message, Removal, State};
use sixconf_core::dhcpv6::server::{
    AddressPool, LeaseEventKind, Lifetimes, Limits, LinkConfig, Prefix, PrefixPool, RxMeta, Server,
    Slot,
};
use sixconf_core::host::station::{DadTarget, Dhcpv6Policy, Event, Station, Transmit};
use sixconf_core::host::{self, DadResult, Dhcpv6Mode, HostConfig, IidMode};
use sixconf_core::time::{Duration, Instant};
use sixconf_core::wire::dhcpv6::DuidBuf;
use sixconf_core::wire::ndisc::option::PrefixInformation;
use sixconf_core::wire::ndisc::{
    IpMeta, NdOption, OptionsRepr, Repr, RouterAdvertRepr, RouterPreference,
};

const ROUTER: Ipv6Addr = Ipv6Addr::new(0xfe80, 0, 0, 0, 0xf816, 0x3eff, 0xfe77, 0xe5a0);
const ALL_NODES: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);
const HOST_LL: Ipv6Addr = Ipv6Addr::new(0xfe80, 0, 0, 0, 0xf816, 0x3eff, 0xfe22, 0x386b);
const PREFIX: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0xcafe, 1, 0, 0, 0, 0);
const POOL_FIRST: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0xcafe, 1, 0, 0, 0, 2);
const POOL_LAST: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0xcafe, 1, 0, 0, 0, 0xff);
const DNS: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0xcafe, 0xa, 0, 0, 0, 0xe);
const SERVER_DUID: &[u8] = &[0, 3, 0, 1, 0xfa, 0x16, 0x3e, 0x06, 0x17, 0x6f];
const HOST_MAC: [u8; 6] = [0xfa, 0x16, 0x3e, 0x22, 0x38, 0x6b];

type Srv = Server<Vec<Slot>>;
type St = Station<4, 8, 8, 2, 2, 2>;

fn server() -> Srv {
    let mut l = LinkConfig {
        ifindex: Some(1),
        address_lifetimes: Lifetimes::new(7200, 7500),
        information_refresh_time: Some(86_400),
        ..LinkConfig::default()
    };
    l.prefixes.push(Prefix::new(PREFIX, 64)).unwrap();
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
    l.add_domain("openstacklocal").unwrap();
    let mut links = heapless::Vec::new();
    links.push(l).unwrap();
    Server::new(
        DuidBuf::from_bytes(SERVER_DUID).unwrap(),
        links,
        Limits::default(),
        vec![Slot::EMPTY; 64],
        3,
    )
}

fn station(policy: Dhcpv6Policy) -> St {
    station_with(policy, false)
}

fn station_with(policy: Dhcpv6Policy, prefix_delegation: bool) -> St {
    let mut config = HostConfig::new(HOST_MAC, [9; 32], 5);
    config.iid = IidMode::Eui64;
    config.source = HOST_LL;
    config.prefix_delegation = prefix_delegation;
    Station::new(
        config,
        &[0, 3, 0, 1, 0xfa, 0x16, 0x3e, 0x22, 0x38, 0x6b],
        Config::default(),
        11,
        policy,
        Instant::ZERO,
    )
    .unwrap()
}

fn follow() -> Dhcpv6Policy {
    Dhcpv6Policy::FollowRa {
        prefix_delegation: false,
    }
}

/// A Prefix Information option for `prefix`/64, L=1 A=1, with the P flag as given.
fn pio(prefix: Ipv6Addr, pd_preferred: bool, preferred: u32) -> NdOption<'static> {
    NdOption::PrefixInformation(PrefixInformation {
        prefix_len: 64,
        on_link: true,
        autonomous: true,
        router_address: false,
        pd_preferred,
        valid_lifetime: 86_400,
        preferred_lifetime: preferred,
        prefix,
    })
}

/// An RA from ROUTER with the given flags and, if `slaac`, the /64 with L=1 A=1.
fn ra_bytes(managed: bool, other: bool, slaac: bool) -> Vec<u8> {
    let pio = [pio(PREFIX, false, 14_400)];
    let options: &[NdOption<'_>] = if slaac { &pio } else { &[] };
    ra_with(managed, other, options)
}

fn ra_with(managed: bool, other: bool, options: &[NdOption<'_>]) -> Vec<u8> {
    let repr = Repr::RouterAdvert(RouterAdvertRepr {
        cur_hop_limit: 64,
        managed,
        other,
        home_agent: false,
        proxy: false,
        router_preference: RouterPreference::Medium,
        router_lifetime: 30,
        reachable_time: 0,
        retrans_timer: 0,
        options: OptionsRepr::List(options),
    });
    let mut buf = [0u8; 256];
    let len = repr.emit(&ROUTER, &ALL_NODES, &mut buf).unwrap();
    buf[..len].to_vec()
}

/// The station, the server, and everything that happened, in order.
struct Link {
    now: Instant,
    station: St,
    server: Srv,
    /// DHCPv6 messages the station sent, with when.
    sent: Vec<(Instant, Message)>,
    /// Their bytes.
    sent_bytes: Vec<Vec<u8>>,
    rs_sent: u32,
    events: Vec<(Instant, Event)>,
    server_events: Vec<(LeaseEventKind, Ipv6Addr)>,
    /// Addresses whose DAD finds a conflict.
    taken: Vec<Ipv6Addr>,
    /// Pending DAD verdicts: (due, address).
    dad: Vec<(Instant, Ipv6Addr)>,
    /// Drop every DHCPv6 message the station sends (no server reachable).
    server_down: bool,
}

impl Link {
    fn new(station: St) -> Link {
        Link {
            now: Instant::ZERO,
            station,
            server: server(),
            sent: vec![],
            sent_bytes: vec![],
            rs_sent: 0,
            events: vec![],
            server_events: vec![],
            taken: vec![],
            dad: vec![],
            server_down: false,
        }
    }

    fn ra(&mut self, managed: bool, other: bool, slaac: bool) {
        self.deliver_ra(&ra_bytes(managed, other, slaac));
    }

    fn deliver_ra(&mut self, bytes: &[u8]) {
        let Ok(Repr::RouterAdvert(ra)) = Repr::parse_verified(bytes, &ROUTER, &ALL_NODES) else {
            panic!("RA does not decode")
        };
        let meta = IpMeta {
            src: ROUTER,
            dst: ALL_NODES,
            hop_limit: 255,
            had_fragment_header: false,
        };
        self.station.handle_ra(self.now, &meta, &ra);
        self.pump();
    }

    /// Sends what is due, delivers answers, drains events (running DAD for 1 s on every new
    /// address, SLAAC or DHCPv6).
    fn pump(&mut self) {
        let mut buf = [0u8; 1500];
        let mut out = [0u8; 1500];
        loop {
            let mut any = false;
            while let Some(tx) = self.station.poll_transmit(self.now, &mut buf) {
                any = true;
                match tx {
                    Transmit::RouterSolicit(t) => {
                        assert_eq!(t.hop_limit, 255);
                        self.rs_sent += 1;
                    }
                    Transmit::Dhcpv6(t) => {
                        self.sent.push((self.now, t.message));
                        self.sent_bytes.push(buf[..t.len].to_vec());
                        if self.server_down {
                            continue;
                        }
                        let meta = RxMeta {
                            ifindex: 1,
                            src: HOST_LL,
                            dst: t.destination,
                            source_mac: Some(HOST_MAC),
                        };
                        let reply =
                            self.server
                                .handle_message(self.now, &meta, &buf[..t.len], &mut out);
                        while let Some(e) = self.server.poll_event() {
                            self.server_events.push((e.kind, e.lease.address));
                        }
                        if let Ok(r) = reply {
                            self.station
                                .handle_dhcpv6(self.now, &out[..r.len], Delivery::Unicast);
                        }
                    }
                }
            }
            while let Some(e) = self.station.poll_event() {
                any = true;
                self.events.push((self.now, e));
                match e {
                    Event::Host(host::Event::ProbeAddress { address })
                    | Event::Dhcpv6(client::Event::AddressBound(client::Lease {
                        address, ..
                    })) => self.dad.push((self.now + Duration::from_secs(1), address)),
                    _ => {}
                }
            }
            if !any {
                return;
            }
        }
    }

    fn run_until(&mut self, end: Instant) {
        for _ in 0..100_000 {
            self.pump();
            let next = [
                self.station.poll_timeout(),
                self.dad.iter().map(|d| d.0).min(),
            ]
            .into_iter()
            .flatten()
            .min();
            match next {
                Some(t) if t <= end => {
                    self.now = self.now.max(t);
                    let now = self.now;
                    let due: Vec<Ipv6Addr> = self
                        .dad
                        .iter()
                        .filter(|d| d.0 <= now)
                        .map(|d| d.1)
                        .collect();
                    self.dad.retain(|d| d.0 > now);
                    for a in due {
                        let verdict = if self.taken.contains(&a) {
                            DadResult::Conflict
                        } else {
                            DadResult::Ok
                        };
                        self.station.handle_dad_result(now, a, verdict);
                    }
                    self.station.handle_timeout(now);
                }
                _ => {
                    self.now = end;
                    self.station.handle_timeout(end);
                    self.pump();
                    return;
                }
            }
        }
        panic!("simulation does not progress");
    }

    fn messages(&self) -> Vec<Message> {
        self.sent.iter().map(|s| s.1).collect()
    }

    fn in_pool(a: Ipv6Addr) -> bool {
        (u128::from(POOL_FIRST)..=u128::from(POOL_LAST)).contains(&u128::from(a))
    }
}

#[test]
fn m_flag_starts_the_client_statefully_and_it_binds_a_pool_address() {
    let mut link = Link::new(station(follow()));
    link.run_until(Instant::from_secs(2));
    assert!(link.sent.is_empty(), "no DHCPv6 before an RA says so");
    assert!(link.rs_sent >= 1);
    link.ra(true, false, false);
    link.run_until(Instant::from_secs(10));
    assert_eq!(
        link.messages(),
        [Message::Solicit, Message::Request],
        "Solicit, then Request after the first RT"
    );
    // §18.2.1: the first Solicit waits a random 0..=1 s after the start.
    assert!(link.sent[0].0 - Instant::from_secs(2) <= Duration::from_secs(1));
    let c = link.station.client();
    assert_eq!(c.state(), State::Bound);
    assert_eq!(c.addresses().len(), 1);
    let lease = c.addresses()[0];
    assert!(Link::in_pool(lease.address));
    assert_eq!(lease.valid, Duration::from_secs(7500));
    assert_eq!(c.dns_servers(), [DNS]);
    // No SLAAC address: the RA had no prefix.
    assert!(link.station.host().addresses().is_empty());
    // The adapter was told, in order: the M flag, then the bound address.
    let dhcp_changed = link
        .events
        .iter()
        .position(|(_, e)| {
            *e == Event::Host(host::Event::Dhcpv6Changed {
                mode: Dhcpv6Mode::Stateful,
            })
        })
        .unwrap();
    let bound = link
        .events
        .iter()
        .position(|(_, e)| matches!(e, Event::Dhcpv6(client::Event::AddressBound(_))))
        .unwrap();
    assert!(dhcp_changed < bound);
    assert!(link
        .server_events
        .contains(&(LeaseEventKind::Bound, lease.address)));
}

#[test]
fn o_flag_alone_runs_an_information_request_and_slaac_forms_the_address() {
    let mut link = Link::new(station(follow()));
    link.run_until(Instant::from_secs(1));
    link.ra(false, true, true);
    link.run_until(Instant::from_secs(10));
    assert_eq!(link.messages(), [Message::InformationRequest]);
    let c = link.station.client();
    assert_eq!(c.state(), State::Informed);
    assert!(c.addresses().is_empty());
    assert_eq!(c.dns_servers(), [DNS]);
    let domains: Vec<String> = c.domain_list().map(|n| n.unwrap().to_string()).collect();
    assert_eq!(domains, ["openstacklocal"]);
    // SLAAC: the EUI-64 address in the prefix, after DAD.
    let slaac: Vec<Ipv6Addr> = link
        .station
        .host()
        .addresses()
        .assigned()
        .map(|a| a.address)
        .collect();
    assert_eq!(
        slaac,
        [Ipv6Addr::new(
            0x2001, 0xdb8, 0xcafe, 1, 0xf816, 0x3eff, 0xfe22, 0x386b
        )]
    );
    // The refresh time from the server (86400 s) schedules the next one.
    assert_eq!(
        c.refresh_at(),
        Some(link.sent[0].0 + Duration::from_secs(86_400))
    );
}

#[test]
fn neither_flag_runs_nothing_and_clearing_m_releases_the_lease() {
    let mut link = Link::new(station(follow()));
    link.ra(false, false, true);
    link.run_until(Instant::from_secs(30));
    assert!(link.sent.is_empty(), "M=0 O=0: no DHCPv6 at all");
    assert_eq!(link.station.client().state(), State::Idle);
    assert_eq!(link.station.wanted_mode(), None);

    link.ra(true, false, false);
    link.run_until(Instant::from_secs(40));
    let addr = link.station.client().addresses()[0].address;
    link.ra(false, false, true);
    link.run_until(Instant::from_secs(50));
    assert_eq!(
        link.messages(),
        [Message::Solicit, Message::Request, Message::Release]
    );
    assert_eq!(link.station.client().state(), State::Idle);
    assert!(link.events.iter().any(|(_, e)| *e
        == Event::Dhcpv6(client::Event::AddressRemoved {
            address: addr,
            reason: Removal::Released
        })));
    assert!(link
        .server_events
        .contains(&(LeaseEventKind::Released, addr)));
}

#[test]
fn the_same_flags_again_keep_the_lease_and_send_nothing() {
    let mut link = Link::new(station(follow()));
    link.ra(true, false, false);
    link.run_until(Instant::from_secs(10));
    let before = link.sent.len();
    let lease = link.station.client().addresses()[0];
    for i in 0..20u64 {
        link.now = Instant::from_secs(10 + i * 10);
        link.ra(true, true, false); // O does not matter with M=1
        link.run_until(link.now + Duration::from_secs(5));
    }
    assert_eq!(link.sent.len(), before, "{:?}", link.messages());
    assert_eq!(link.station.client().addresses(), [lease]);
    assert!(!link
        .events
        .iter()
        .any(|(_, e)| matches!(e, Event::Dhcpv6(client::Event::AddressRemoved { .. }))));
}

#[test]
fn stateful_to_stateless_releases_first_then_asks_for_information() {
    let mut link = Link::new(station(follow()));
    link.ra(true, false, false);
    link.run_until(Instant::from_secs(10));
    link.ra(false, true, true);
    link.run_until(Instant::from_secs(20));
    assert_eq!(
        link.messages(),
        [
            Message::Solicit,
            Message::Request,
            Message::Release,
            Message::InformationRequest
        ]
    );
    assert_eq!(link.station.client().state(), State::Informed);
    assert!(link.station.client().addresses().is_empty());
}

#[test]
fn release_unanswered_still_leads_to_the_new_mode() {
    let mut link = Link::new(station(follow()));
    link.ra(true, false, false);
    link.run_until(Instant::from_secs(10));
    link.server_down = true;
    link.ra(false, true, true);
    link.run_until(Instant::from_secs(60));
    let m = link.messages();
    // RFC 9915 §18.2.7 / §7.6: REL_MAX_RC = 4 transmissions, then the client gives up.
    let releases = m.iter().filter(|x| **x == Message::Release).count();
    assert_eq!(releases, 4, "{m:?}");
    let last_release = m.iter().rposition(|x| *x == Message::Release).unwrap();
    assert!(m[last_release + 1..]
        .iter()
        .all(|x| *x == Message::InformationRequest));
    assert!(m.len() > last_release + 1, "stateless started: {m:?}");
}

#[test]
fn stateless_to_stateful_starts_soliciting_at_once() {
    let mut link = Link::new(station(follow()));
    link.ra(false, true, true);
    link.run_until(Instant::from_secs(10));
    link.ra(true, false, true);
    assert_eq!(link.station.client().state(), State::Soliciting);
    link.run_until(Instant::from_secs(20));
    assert_eq!(
        link.messages(),
        [
            Message::InformationRequest,
            Message::Solicit,
            Message::Request
        ]
    );
}

#[test]
fn dad_conflict_on_a_dhcpv6_address_declines_it_and_binds_another() {
    let mut link = Link::new(station(follow()));
    // Learn which address the server picks for this client, then make it taken.
    {
        let mut probe = Link::new(station(follow()));
        probe.ra(true, false, false);
        probe.run_until(Instant::from_secs(10));
        link.taken
            .push(probe.station.client().addresses()[0].address);
    }
    let taken = link.taken[0];
    link.ra(true, false, false);
    link.run_until(Instant::from_secs(20));
    assert_eq!(
        link.messages(),
        [
            Message::Solicit,
            Message::Request,
            Message::Decline,
            Message::Solicit,
            Message::Request
        ]
    );
    assert!(link.events.iter().any(|(_, e)| *e
        == Event::Dhcpv6(client::Event::AddressRemoved {
            address: taken,
            reason: Removal::Declined
        })));
    assert!(link
        .server_events
        .contains(&(LeaseEventKind::Declined, taken)));
    let now_held = link.station.client().addresses()[0].address;
    assert_ne!(now_held, taken);
    assert!(Link::in_pool(now_held));
}

#[test]
fn dad_verdicts_go_to_the_engine_that_owns_the_address() {
    let mut link = Link::new(station(follow()));
    link.ra(true, false, true); // M=1 and a SLAAC prefix: one address of each kind
    let slaac = Ipv6Addr::new(0x2001, 0xdb8, 0xcafe, 1, 0xf816, 0x3eff, 0xfe22, 0x386b);
    let now = link.now;
    // Tentative: the host takes it.
    assert_eq!(
        link.station.handle_dad_result(now, slaac, DadResult::Ok),
        DadTarget::Slaac
    );
    // Again: no longer tentative, nobody's.
    assert_eq!(
        link.station.handle_dad_result(now, slaac, DadResult::Ok),
        DadTarget::Unknown
    );
    link.dad.clear();
    link.run_until(Instant::from_secs(10));
    let dhcp = link.station.client().addresses()[0].address;
    assert_eq!(
        link.station
            .handle_dad_result(link.now, dhcp, DadResult::Ok),
        DadTarget::Dhcpv6
    );
    assert_eq!(link.station.client().addresses().len(), 1);
    assert_eq!(
        link.station
            .handle_dad_result(link.now, dhcp, DadResult::Conflict),
        DadTarget::Dhcpv6
    );
    assert!(link.station.client().addresses().is_empty());
    assert_eq!(link.station.client().state(), State::Declining);
}

#[test]
fn link_change_confirms_the_address_and_solicits_routers_again() {
    let mut link = Link::new(station(follow()));
    link.ra(true, false, false);
    link.run_until(Instant::from_secs(20));
    let rs_before = link.rs_sent;
    let addr = link.station.client().addresses()[0].address;
    link.station.link_changed(link.now);
    link.run_until(Instant::from_secs(40));
    assert_eq!(
        link.messages(),
        [Message::Solicit, Message::Request, Message::Confirm]
    );
    // The server says the address is on-link: it is kept.
    assert_eq!(link.station.client().addresses()[0].address, addr);
    assert_eq!(link.station.client().state(), State::Bound);
    // No RA since the change: up to 3 RSs (RFC 4861 §6.3.7).
    assert_eq!(link.rs_sent - rs_before, 3);
}

#[test]
fn policy_always_starts_without_an_ra_and_never_ignores_the_m_flag() {
    let mut link = Link::new(station(Dhcpv6Policy::Always(client::Mode::Stateful {
        prefix_delegation: true,
    })));
    link.run_until(Instant::from_secs(10));
    assert_eq!(link.messages(), [Message::Solicit, Message::Request]);
    assert_eq!(link.station.client().prefixes().len(), 1);
    assert_eq!(link.station.client().prefixes()[0].prefix_len, 56);
    // An RA with M=0 O=0 does not stop it.
    link.ra(false, false, true);
    link.run_until(Instant::from_secs(20));
    assert_eq!(link.station.client().state(), State::Bound);

    let mut link = Link::new(station(Dhcpv6Policy::Never));
    link.ra(true, true, false);
    link.run_until(Instant::from_secs(30));
    assert!(link.sent.is_empty());
    // Switching the policy to follow the RA starts the client from the flags already seen.
    link.station.set_policy(link.now, follow());
    assert_eq!(link.station.client().state(), State::Soliciting);
}

#[test]
fn m_with_prefix_delegation_requests_an_address_and_a_prefix() {
    let mut link = Link::new(station(Dhcpv6Policy::FollowRa {
        prefix_delegation: true,
    }));
    link.ra(true, false, false);
    link.run_until(Instant::from_secs(10));
    let c = link.station.client();
    assert_eq!(c.addresses().len(), 1);
    assert_eq!(c.prefixes().len(), 1);
}

#[test]
fn replay_is_exact() {
    let run = || {
        let mut link = Link::new(station(follow()));
        link.ra(true, false, true);
        link.run_until(Instant::from_secs(7_200));
        (link.sent.clone(), link.events.clone())
    };
    let (sent, events) = run();
    assert!(sent.iter().any(|s| s.1 == Message::Renew));
    assert_eq!((sent, events), run());
}

#[test]
fn size_of_the_engines() {
    use core::mem::size_of;
    use sixconf_core::dhcpv6::client::Client;
    use sixconf_core::host::Host;
    use sixconf_core::ra::Advertiser;
    let rows = [
        ("Advertiser<4 prefixes>", size_of::<Advertiser<4>>()),
        (
            "Host<4 routers, 8 prefixes, 8 routes>",
            size_of::<Host<4, 8, 8>>(),
        ),
        ("Client<0, 0, 2> (stateless)", size_of::<Client<0, 0, 2>>()),
        ("Client<2, 0, 2> (stateful)", size_of::<Client<2, 0, 2>>()),
        ("Client<0, 4, 2> (PD only)", size_of::<Client<0, 4, 2>>()),
        (
            "Client<4, 4, 4> (stateful + PD)",
            size_of::<Client<4, 4, 4>>(),
        ),
        (
            "Station<4, 8, 8, 2, 2, 2> (host + client)",
            size_of::<Station<4, 8, 8, 2, 2, 2>>(),
        ),
    ];
    for (name, size) in rows {
        println!("size_of::<{name}>() = {size} bytes");
    }
    // The glue adds only the policy and the running mode to the two engines.
    let parts = size_of::<Host<4, 8, 8>>() + size_of::<Client<2, 2, 2>>();
    let station = size_of::<Station<4, 8, 8, 2, 2, 2>>();
    assert!(station <= parts + 16, "{station} vs {parts}");
}

#[test]
fn p_flag_runs_prefix_delegation_only_and_a_list_change_rebinds_rfc9762() {
    let mut link = Link::new(station_with(follow(), true));
    let other = Ipv6Addr::new(0x2001, 0xdb8, 0xcafe, 2, 0, 0, 0, 0);
    // M=1 and a P prefix: prefix delegation only, no IA_NA (RFC 9762 §4.2), no SLAAC address.
    link.deliver_ra(&ra_with(true, false, &[pio(PREFIX, true, 14_400)]));
    link.pump();
    assert_eq!(link.station.client().mode(), client::Mode::PrefixDelegation);
    link.run_until(Instant::from_secs(10));
    assert_eq!(link.messages(), [Message::Solicit, Message::Request]);
    // The Solicit's IA_PD carries an IAPREFIX hint of /64 (RFC 9762 §4.2: short enough for
    // SLAAC), and no IA_NA (option 3) is asked for.
    let solicit = &link.sent_bytes[0];
    let at = solicit
        .windows(4)
        .position(|w| w == [0, 26, 0, 25])
        .expect("an IAPREFIX in the Solicit");
    assert_eq!(solicit[at + 4 + 8], 64);
    assert!(!has_option(solicit, 3));
    assert!(has_option(solicit, 25));
    let c = link.station.client();
    assert!(c.addresses().is_empty());
    assert_eq!(c.prefixes().len(), 1);
    let delegated = c.prefixes()[0];
    assert!(link.station.host().addresses().is_empty());
    assert!(link.station.host().prefixes().is_on_link(POOL_FIRST));

    // The same RA again: nothing. A second P prefix: the list changed, so Rebind.
    link.deliver_ra(&ra_with(true, false, &[pio(PREFIX, true, 14_400)]));
    link.run_until(Instant::from_secs(20));
    assert_eq!(link.sent.len(), 2);
    link.deliver_ra(&ra_with(
        true,
        false,
        &[pio(PREFIX, true, 14_400), pio(other, true, 14_400)],
    ));
    link.run_until(Instant::from_secs(30));
    assert_eq!(
        link.messages(),
        [Message::Solicit, Message::Request, Message::Rebind]
    );
    assert_eq!(
        link.station.client().prefixes()[0].address,
        delegated.address
    );

    // Both withdrawn (preferred 0), flags M=0 O=0: the list empties, but the client keeps
    // running (a stop would Release the delegated prefix; RFC 9762 keeps its lifetimes).
    link.deliver_ra(&ra_with(
        false,
        false,
        &[pio(PREFIX, true, 0), pio(other, true, 0)],
    ));
    link.run_until(Instant::from_secs(40));
    assert!(!link.station.host().wants_prefix_delegation());
    let m = link.messages();
    assert!(!m.contains(&Message::Release), "{m:?}");
    assert_eq!(m.last(), Some(&Message::Rebind), "{m:?}");
    assert_eq!(link.station.client().prefixes().len(), 1);
    assert_eq!(link.station.client().state(), State::Bound);

    // Then the flags ask for stateless: PD stops (Release), Information-request starts.
    link.ra(false, true, false);
    link.run_until(Instant::from_secs(50));
    let m = link.messages();
    assert_eq!(
        m[m.len() - 2..],
        [Message::Release, Message::InformationRequest]
    );
}

#[test]
fn p_flag_without_prefix_delegation_support_changes_nothing() {
    let mut link = Link::new(station_with(follow(), false));
    link.deliver_ra(&ra_with(false, false, &[pio(PREFIX, true, 14_400)]));
    link.run_until(Instant::from_secs(10));
    assert!(link.sent.is_empty());
    // The A flag is honoured: a SLAAC address.
    assert_eq!(link.station.host().addresses().assigned().count(), 1);
}

/// Whether the DHCPv6 message `m` carries a top-level option `code`.
fn has_option(m: &[u8], code: u16) -> bool {
    let mut rest = &m[4..];
    while rest.len() >= 4 {
        let c = u16::from_be_bytes([rest[0], rest[1]]);
        let len = usize::from(u16::from_be_bytes([rest[2], rest[3]]));
        if c == code {
            return true;
        }
        rest = &rest[(4 + len).min(rest.len())..];
    }
    false
}

#[derive(Debug, Clone)]
enum Op {
    /// An RA with M, O, and the prefix with A=1 and the P flag as given (or no prefix).
    Ra {
        managed: bool,
        other: bool,
        prefix: Option<bool>,
    },
    /// Time passes.
    Wait(u16),
    /// The interface moved.
    LinkChanged,
    /// DAD fails for the first DHCPv6 address held.
    Conflict,
    /// A datagram of random bytes reaches the client.
    Garbage(Vec<u8>),
    /// The server stops (or starts again) answering.
    ServerDown(bool),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (any::<bool>(), any::<bool>(), proptest::option::of(any::<bool>()))
            .prop_map(|(managed, other, prefix)| Op::Ra { managed, other, prefix }),
        4 => (0u16..3_000).prop_map(Op::Wait),
        1 => Just(Op::LinkChanged),
        1 => Just(Op::Conflict),
        1 => proptest::collection::vec(any::<u8>(), 0..80).prop_map(Op::Garbage),
        1 => any::<bool>().prop_map(Op::ServerDown),
    ]
}

use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// Whatever the RAs, replies, conflicts and link changes, the engines never panic, and once
    /// the server answers and nothing changes for a while, the client runs exactly in the mode
    /// the latest RA (and the P-flag list) asks for, or is idle when it asks for none.
    #[test]
    fn the_client_settles_in_the_mode_the_flags_ask_for(
        prefix_delegation in any::<bool>(),
        ops in proptest::collection::vec(op(), 1..24),
    ) {
        let mut link = Link::new(station_with(follow(), prefix_delegation));
        for op in ops {
            match op {
                Op::Ra { managed, other, prefix } => {
                    let options: Vec<NdOption<'_>> = prefix
                        .map(|p| pio(PREFIX, p, 14_400))
                        .into_iter()
                        .collect();
                    link.deliver_ra(&ra_with(managed, other, &options));
                }
                Op::Wait(s) => link.run_until(link.now + Duration::from_secs(u64::from(s))),
                Op::LinkChanged => {
                    link.station.link_changed(link.now);
                    link.pump();
                }
                Op::Conflict => {
                    if let Some(l) = link.station.client().addresses().first().copied() {
                        link.station.handle_dad_result(link.now, l.address, DadResult::Conflict);
                        link.pump();
                    }
                }
                Op::Garbage(bytes) => {
                    link.station.handle_dhcpv6(link.now, &bytes, Delivery::Unicast);
                    link.pump();
                }
                Op::ServerDown(down) => link.server_down = down,
            }
        }
        link.server_down = false;
        // Long enough for a Release to give up and the next exchange to finish (Solicit may
        // back off to SOL_MAX_RT = 3600 s while the server was down).
        link.run_until(link.now + Duration::from_secs(4_000));
        let c = link.station.client();
        match link.station.wanted_mode() {
            None => prop_assert_eq!(c.state(), State::Idle),
            Some(mode) => {
                prop_assert_eq!(c.mode(), mode);
                let settled = match mode {
                    client::Mode::Stateless => c.state() == State::Informed,
                    _ => c.state() == State::Bound,
                };
                prop_assert!(settled, "{:?} in {:?}", mode, c.state());
            }
        }
        if link.station.host().wants_prefix_delegation() {
            prop_assert_eq!(c.mode(), client::Mode::PrefixDelegation);
        }
    }
}

#[test]
fn a_restarted_station_restores_its_binding_once_the_ra_asks_for_dhcpv6_and_confirms_it() {
    let mut first = Link::new(station(follow()));
    first.ra(true, false, false);
    first.run_until(Instant::from_secs(20));
    let lease = first.station.client().addresses()[0];
    let server_id = first.station.client().server_id().unwrap().to_vec();
    let (t1, t2) = (
        first.station.client().renew_at().unwrap(),
        first.station.client().rebind_at().unwrap(),
    );
    // The process restarts 5 s later; its clock starts again at zero. The adapter saved
    // wall-clock deadlines and turns them into what is left now.
    let elapsed = first.now + Duration::from_secs(5);
    let left = |t: Instant| t.saturating_duration_since(elapsed);
    let saved = client::Lease {
        received_at: Instant::ZERO,
        preferred: left(lease.preferred_until()),
        valid: left(lease.valid_until()),
        ..lease
    };
    let binding = client::Binding {
        mode: client::Mode::Stateful {
            prefix_delegation: false,
        },
        server_id: &server_id,
        addresses: &[saved],
        prefixes: &[],
        renew_in: left(t1),
        rebind_in: left(t2),
    };
    let mut second = Link::new(station(follow()));
    second.server = first.server;
    // No RA yet: the client must not run, so nothing is restored.
    assert_eq!(second.station.restore(second.now, &binding), None);
    second.ra(true, false, false);
    // handle_ra started a Solicit, not yet sent (its random delay); restoring replaces it.
    assert_eq!(
        second.station.restore(second.now, &binding),
        Some(client::Restored::Confirming)
    );
    second.run_until(Instant::from_secs(10));
    assert_eq!(second.messages(), [Message::Confirm]);
    assert_eq!(second.station.client().state(), State::Bound);
    assert_eq!(
        second.station.client().addresses()[0].address,
        lease.address
    );
    assert!(second.events.iter().any(|(_, e)| *e
        == Event::Dhcpv6(client::Event::AddressBound(
            second.station.client().addresses()[0]
        ))));
    // Renew at the saved T1, to the same server, which renews the same address.
    second.run_until(Instant::ZERO + left(t1) + Duration::from_secs(2));
    assert_eq!(second.messages(), [Message::Confirm, Message::Renew]);
    assert_eq!(
        second.station.client().addresses()[0].address,
        lease.address
    );
}
