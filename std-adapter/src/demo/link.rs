//! An in-memory Ethernet link on virtual time: the router (the real [`Advertiser`] and, in the
//! DHCPv6 modes, the real DHCPv6 [`Server`]) and several hosts (each a real [`Station`]: the
//! host engine and the DHCPv6 client joined by the M/O glue).
//!
//! Every packet is made of bytes: the engines encode the ICMPv6 message or the DHCPv6 payload,
//! the link wraps it in an IPv6 header (and a UDP header with its checksum), and each receiver
//! takes the IPv6 packet apart again and hands the bytes to its engine, which decodes them
//! (an RA with its checksum verified). Packets take [`LATENCY`] to cross. Nothing sleeps: time
//! jumps from one deadline to the next, so a run takes milliseconds and replays exactly for a
//! seed.
//!
//! What the link does not carry: DAD's Neighbor Solicitations. Each host's simulated adapter
//! decides DAD itself after [`DAD_TIME`] (a conflict if another node on the link holds the
//! address), as a kernel would after its probes.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};
use std::net::Ipv6Addr;

use etherparse::{
    IpNumber, Ipv6FlowLabel, Ipv6Header, NetSlice, SlicedPacket, TransportSlice, UdpHeader,
};
use sixconf_core::dhcpv6::client::{self, Delivery};
use sixconf_core::dhcpv6::server::{Limits, RxMeta, Server, Slot};
use sixconf_core::host::station::{Dhcpv6Policy, Event, Station, Transmit};
use sixconf_core::host::{self, iid, DadResult, HostConfig, IidMode, Preference};
use sixconf_core::ra::{Advertiser, Link};
use sixconf_core::time::{Duration, Instant};
use sixconf_core::wire::dhcpv6::{
    DuidBuf, ALL_DHCP_RELAY_AGENTS_AND_SERVERS, CLIENT_PORT, SERVER_PORT,
};
use sixconf_core::wire::ndisc::IpMeta;

use super::scenario::Scenario;

/// How long a packet takes to cross the link.
pub const LATENCY: Duration = Duration::from_millis(1);
/// How long the simulated DAD takes (RetransTimer 1 s × DupAddrDetectTransmits 1, RFC 4862
/// §5.1).
pub const DAD_TIME: Duration = Duration::from_secs(1);
/// The hop limit of DHCPv6 messages to `ff02::1:2` (as the seed's clients send them) and of the
/// server's unicast replies (as the seed's server sends them).
const CLIENT_HOP_LIMIT: u8 = 1;
const SERVER_HOP_LIMIT: u8 = 64;
/// The seed's DUID-LLT time field (seconds since 2000-01-01), used for every host's DUID.
const SEED_DUID_TIME: u32 = 482_446_373;

/// The engines a host runs: 4 routers, 8 prefixes, 8 routes; 2 DHCPv6 addresses, no delegated
/// prefix, 2 DNS servers.
pub type DemoStation = Station<4, 8, 8, 2, 0, 2>;

/// One packet as it crossed the link: when it was sent and its bytes (an IPv6 packet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet {
    /// When it was sent (virtual time).
    pub at: Instant,
    /// The IPv6 packet, header included.
    pub bytes: Vec<u8>,
}

/// One thing that happened on the link, in order: a packet sent, or an event a host's engines
/// gave its adapter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    /// The packet at this index of [`Sim::trace`].
    Packet(usize),
    /// Host number `host` (1-based) was told `event`.
    Event {
        /// The host's number.
        host: usize,
        /// What its engines said.
        event: Event,
    },
}

/// Where an address on a host came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// SLAAC from a Prefix Information option (RFC 4862).
    Slaac,
    /// An IA_NA lease (RFC 9915).
    Dhcpv6,
}

/// An address the host's adapter assigned, as the events told it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Assigned {
    /// SLAAC or DHCPv6.
    pub origin: Origin,
    /// Prefix length on the interface (64 for SLAAC, 128 for DHCPv6).
    pub prefix_len: u8,
    /// End of the valid lifetime (`None`: infinite).
    pub valid_until: Option<Instant>,
    /// End of the preferred lifetime (`None`: infinite).
    pub preferred_until: Option<Instant>,
}

/// One host and its simulated adapter.
#[derive(Debug)]
pub struct HostNode {
    /// 1-based number.
    pub number: usize,
    /// Its MAC address.
    pub mac: [u8; 6],
    /// Its link-local address (EUI-64).
    pub link_local: Ipv6Addr,
    /// When it came up.
    pub joined: Instant,
    /// Its engines.
    pub station: DemoStation,
    /// Its DUID (DUID-LLT, as the seed's stateful client).
    pub duid: Vec<u8>,
    /// Addresses assigned, from the events.
    pub addresses: BTreeMap<Ipv6Addr, Assigned>,
    /// Default routers installed, from the events.
    pub default_routers: BTreeMap<Ipv6Addr, Preference>,
    /// Addresses given up after a DAD conflict.
    pub conflicts: Vec<Ipv6Addr>,
    /// Every event, in order, with its time.
    pub events: Vec<(Instant, Event)>,
    /// Tentative addresses and when their DAD verdict is due.
    dad: Vec<(Instant, Ipv6Addr)>,
}

/// The router side: the Advertiser and, if the link runs DHCPv6, the server.
pub struct Router {
    /// The Advertiser.
    pub advertiser: Advertiser<4>,
    /// Its link-local address.
    pub link_local: Ipv6Addr,
    /// The DHCPv6 server and its own link-local address.
    pub server: Option<(Server<Vec<Slot>>, Ipv6Addr)>,
}

/// The whole link.
pub struct Sim {
    /// Virtual time now.
    pub now: Instant,
    /// The router side.
    pub router: Router,
    /// The hosts that have come up.
    pub hosts: Vec<HostNode>,
    /// Hosts still to come up: when, and their number.
    joining: Vec<(Instant, usize)>,
    /// Addresses another node on the link already uses (not simulated otherwise): DAD for them
    /// fails.
    pub squatted: Vec<Ipv6Addr>,
    scenario: Scenario,
    seed: u64,
    in_flight: BinaryHeap<Reverse<(Instant, u64, Vec<u8>)>>,
    sent: u64,
    /// Every packet that crossed the link, in the order sent.
    pub trace: Vec<Packet>,
    /// Packets and host events, in the order they happened, with when.
    pub timeline: Vec<(Instant, Entry)>,
}

/// The EUI-64 link-local address for `mac` (RFC 4291 §2.5.1, RFC 4862 §5.3).
pub fn link_local(mac: [u8; 6]) -> Ipv6Addr {
    let mut o = [0u8; 16];
    o[0] = 0xfe;
    o[1] = 0x80;
    o[8..].copy_from_slice(&iid::eui64(mac));
    Ipv6Addr::from(o)
}

/// Host `n`'s MAC: the seed's instance for host 1, then counting up in the last two bytes.
pub fn host_mac(first: [u8; 6], n: usize) -> [u8; 6] {
    let mut mac = first;
    let low = u16::from_be_bytes([mac[4], mac[5]]).wrapping_add((n - 1) as u16);
    mac[4..].copy_from_slice(&low.to_be_bytes());
    mac
}

/// An IPv6 packet around `payload` (an ICMPv6 message or a UDP datagram).
fn ipv6_packet(
    src: Ipv6Addr,
    dst: Ipv6Addr,
    hop_limit: u8,
    next: IpNumber,
    payload: &[u8],
) -> (Ipv6Header, Vec<u8>) {
    let header = Ipv6Header {
        traffic_class: 0,
        flow_label: Ipv6FlowLabel::ZERO,
        payload_length: payload.len() as u16,
        next_header: next,
        hop_limit,
        source: src.octets(),
        destination: dst.octets(),
    };
    let mut bytes = Vec::with_capacity(40 + payload.len());
    header.write(&mut bytes).expect("writing to a Vec");
    bytes.extend_from_slice(payload);
    (header, bytes)
}

/// An IPv6 + UDP packet carrying `payload`, UDP checksum filled.
fn udp_packet(
    src: Ipv6Addr,
    dst: Ipv6Addr,
    hop_limit: u8,
    ports: (u16, u16),
    payload: &[u8],
) -> Vec<u8> {
    let mut datagram = vec![0u8; 8];
    datagram.extend_from_slice(payload);
    let (header, _) = ipv6_packet(src, dst, hop_limit, IpNumber::UDP, &datagram);
    let udp = UdpHeader::with_ipv6_checksum(ports.0, ports.1, &header, payload)
        .expect("a DHCPv6 message fits a UDP datagram");
    datagram[..8].copy_from_slice(&udp.to_bytes());
    ipv6_packet(src, dst, hop_limit, IpNumber::UDP, &datagram).1
}

/// What a receiver sees of a packet: IPv6 facts and the ICMPv6 message or UDP payload.
enum Received<'a> {
    Icmpv6 {
        meta: IpMeta,
        message: &'a [u8],
    },
    Udp {
        src: Ipv6Addr,
        dst: Ipv6Addr,
        dst_port: u16,
        payload: &'a [u8],
    },
}

fn receive(bytes: &[u8]) -> Option<Received<'_>> {
    let sliced = SlicedPacket::from_ip(bytes).ok()?;
    let Some(NetSlice::Ipv6(ip)) = &sliced.net else {
        return None;
    };
    let h = ip.header();
    match sliced.transport? {
        TransportSlice::Icmpv6(icmp) => Some(Received::Icmpv6 {
            meta: IpMeta {
                src: h.source_addr(),
                dst: h.destination_addr(),
                hop_limit: h.hop_limit(),
                had_fragment_header: false,
            },
            message: icmp.slice(),
        }),
        TransportSlice::Udp(udp) => Some(Received::Udp {
            src: h.source_addr(),
            dst: h.destination_addr(),
            dst_port: udp.destination_port(),
            payload: udp.payload(),
        }),
        _ => None,
    }
}

impl Sim {
    /// The link of `scenario` with `hosts` hosts joining at `joins` (one instant per host),
    /// everything seeded from `seed`.
    pub fn new(scenario: Scenario, seed: u64, joins: &[Instant]) -> anyhow::Result<Sim> {
        let router_ll = link_local(scenario.router_mac);
        let link = Link {
            link_local: router_ll,
            mtu: 1500,
        };
        let advertiser = Advertiser::new(scenario.profile.clone(), link, seed, Instant::ZERO)
            .map_err(|e| anyhow::anyhow!("link profile: {e}"))?;
        let server = scenario.server_mac.map(|mac| {
            let mut duid = vec![0, 3, 0, 1];
            duid.extend_from_slice(&mac);
            let mut links = heapless::Vec::new();
            let _ = links.push(super::scenario::server_link(&scenario.profile));
            let server = Server::new(
                DuidBuf::from_bytes(&duid).expect("a 10-byte DUID-LL"),
                links,
                Limits::default(),
                vec![Slot::EMPTY; 256],
                seed,
            );
            (server, link_local(mac))
        });
        let mut joining: Vec<(Instant, usize)> =
            joins.iter().enumerate().map(|(i, t)| (*t, i + 1)).collect();
        joining.sort();
        joining.reverse();
        Ok(Sim {
            now: Instant::ZERO,
            router: Router {
                advertiser,
                link_local: router_ll,
                server,
            },
            hosts: Vec::new(),
            joining,
            scenario,
            seed,
            in_flight: BinaryHeap::new(),
            sent: 0,
            trace: Vec::new(),
            timeline: Vec::new(),
            squatted: Vec::new(),
        })
    }

    fn new_host(&self, number: usize) -> HostNode {
        let mac = host_mac(self.scenario.host_mac, number);
        let ll = link_local(mac);
        let mut config = HostConfig::new(mac, [0; 32], self.seed.wrapping_add(number as u64));
        // EUI-64 identifiers, as the seed's instances form them (f816:3eff:fe..).
        config.iid = IidMode::Eui64;
        // The link-local address passed DAD before SLAAC starts: RSs carry the SLLA option.
        config.source = ll;
        // DUID-LLT (RFC 9915 §11.2) with the seed's time, as its stateful client sends.
        let mut duid = vec![0, 1, 0, 1];
        duid.extend_from_slice(&SEED_DUID_TIME.to_be_bytes());
        duid.extend_from_slice(&mac);
        // The IAID from the MAC's last four bytes, as the seed's client (IAID 1042430059 =
        // 0x3e22386b for fa:16:3e:22:38:6b).
        let iaid = u32::from_be_bytes([mac[2], mac[3], mac[4], mac[5]]);
        let client_config = client::Config {
            iaid_na: iaid,
            iaid_pd: iaid,
            ..client::Config::default()
        };
        let station = Station::new(
            config,
            &duid,
            client_config,
            self.seed.wrapping_mul(31).wrapping_add(number as u64),
            Dhcpv6Policy::FollowRa {
                prefix_delegation: false,
            },
            self.now,
        )
        .expect("a valid DUID");
        HostNode {
            number,
            mac,
            link_local: ll,
            joined: self.now,
            station,
            duid,
            addresses: BTreeMap::new(),
            default_routers: BTreeMap::new(),
            conflicts: Vec::new(),
            events: Vec::new(),
            dad: Vec::new(),
        }
    }

    /// Puts a packet on the wire: recorded in the trace, delivered after [`LATENCY`].
    fn send(&mut self, bytes: Vec<u8>) {
        self.timeline
            .push((self.now, Entry::Packet(self.trace.len())));
        self.trace.push(Packet {
            at: self.now,
            bytes: bytes.clone(),
        });
        self.sent += 1;
        self.in_flight
            .push(Reverse((self.now + LATENCY, self.sent, bytes)));
    }

    /// Everything every party wants to send now.
    fn transmit_all(&mut self) -> bool {
        let mut any = false;
        let mut buf = [0u8; 1500];
        let now = self.now;
        while let Some(tx) = self.router.advertiser.poll_transmit(now, &mut buf) {
            let (_, bytes) = ipv6_packet(tx.src, tx.dst, 255, IpNumber::IPV6_ICMP, &buf[..tx.len]);
            self.send(bytes);
            any = true;
        }
        while self.router.advertiser.poll_event().is_some() {}
        for i in 0..self.hosts.len() {
            while let Some(tx) = self.hosts[i].station.poll_transmit(now, &mut buf) {
                let bytes = match tx {
                    Transmit::RouterSolicit(t) => {
                        ipv6_packet(
                            t.src,
                            t.dst,
                            t.hop_limit,
                            IpNumber::IPV6_ICMP,
                            &buf[..t.len],
                        )
                        .1
                    }
                    Transmit::Dhcpv6(t) => udp_packet(
                        self.hosts[i].link_local,
                        t.destination,
                        CLIENT_HOP_LIMIT,
                        (CLIENT_PORT, t.port),
                        &buf[..t.len],
                    ),
                };
                self.send(bytes);
                any = true;
            }
        }
        any
    }

    /// Delivers one packet to every party it is for.
    fn deliver(&mut self, bytes: &[u8]) {
        let now = self.now;
        let Some(rx) = receive(bytes) else {
            return;
        };
        match rx {
            Received::Icmpv6 { meta, message } => {
                // The router takes RSs (and checks other routers' RAs); hosts take RAs, which
                // they decode themselves (checksum verified).
                self.router.advertiser.handle_icmpv6(now, &meta, message);
                if message.first() == Some(&134) {
                    for h in &mut self.hosts {
                        if meta.dst == sixconf_core::ra::ALL_NODES || meta.dst == h.link_local {
                            // A bad RA is counted by the host and dropped.
                            let _ = h.station.handle_ra_bytes(now, &meta, message);
                        }
                    }
                }
            }
            Received::Udp {
                src,
                dst,
                dst_port,
                payload,
            } => {
                if dst_port == SERVER_PORT && dst == ALL_DHCP_RELAY_AGENTS_AND_SERVERS {
                    let mut out = [0u8; 1500];
                    let reply = self.router.server.as_mut().and_then(|(server, _)| {
                        let meta = RxMeta {
                            ifindex: 1,
                            src,
                            dst,
                            source_mac: None,
                        };
                        let reply = server.handle_message(now, &meta, payload, &mut out).ok();
                        // The demo keeps no lease store: events are persisted by dropping them.
                        while server.poll_event().is_some() {}
                        reply
                    });
                    if let (Some(tx), Some((_, server_ll))) = (reply, &self.router.server) {
                        let bytes = udp_packet(
                            *server_ll,
                            tx.dst,
                            SERVER_HOP_LIMIT,
                            (SERVER_PORT, tx.port),
                            &out[..tx.len],
                        );
                        self.send(bytes);
                    }
                } else if dst_port == CLIENT_PORT {
                    for h in &mut self.hosts {
                        if dst == h.link_local {
                            h.station.handle_dhcpv6(now, payload, Delivery::Unicast);
                        }
                    }
                }
            }
        }
    }

    /// The hosts' adapters act on their events; DAD verdicts that are due are reported.
    fn adapters(&mut self) -> bool {
        let now = self.now;
        let mut any = false;
        for i in 0..self.hosts.len() {
            let due: Vec<Ipv6Addr> = self.hosts[i]
                .dad
                .iter()
                .filter(|(t, _)| *t <= now)
                .map(|(_, a)| *a)
                .collect();
            self.hosts[i].dad.retain(|(t, _)| *t > now);
            for a in due {
                any = true;
                let taken = self.squatted.contains(&a)
                    || self
                        .hosts
                        .iter()
                        .enumerate()
                        .any(|(j, o)| j != i && o.addresses.contains_key(&a));
                let verdict = if taken {
                    self.hosts[i].conflicts.push(a);
                    DadResult::Conflict
                } else {
                    DadResult::Ok
                };
                self.hosts[i].station.handle_dad_result(now, a, verdict);
            }
            let h = &mut self.hosts[i];
            while let Some(e) = h.station.poll_event() {
                any = true;
                h.events.push((now, e));
                h.act(now, e);
                self.timeline.push((
                    now,
                    Entry::Event {
                        host: h.number,
                        event: e,
                    },
                ));
            }
        }
        any
    }

    /// The next instant anything is due, if any.
    fn next_deadline(&self) -> Option<Instant> {
        let mut t: Vec<Instant> = Vec::new();
        t.extend(self.router.advertiser.poll_timeout());
        if let Some((server, _)) = &self.router.server {
            t.extend(server.poll_timeout());
        }
        for h in &self.hosts {
            t.extend(h.station.poll_timeout());
            t.extend(h.dad.iter().map(|(d, _)| *d));
        }
        t.extend(self.joining.last().map(|(j, _)| *j));
        t.extend(self.in_flight.peek().map(|Reverse((d, _, _))| *d));
        t.into_iter().min()
    }

    /// Runs everything due at `self.now`, until nothing more happens at this instant.
    fn step(&mut self) {
        let now = self.now;
        while self.joining.last().is_some_and(|(t, _)| *t <= now) {
            if let Some((_, n)) = self.joining.pop() {
                let h = self.new_host(n);
                self.hosts.push(h);
            }
        }
        self.router.advertiser.handle_timeout(now);
        if let Some((server, _)) = &mut self.router.server {
            server.handle_timeout(now);
        }
        for h in &mut self.hosts {
            h.station.handle_timeout(now);
        }
        for _ in 0..10_000 {
            let mut any = false;
            while self
                .in_flight
                .peek()
                .is_some_and(|Reverse((d, _, _))| *d <= now)
            {
                if let Some(Reverse((_, _, bytes))) = self.in_flight.pop() {
                    self.deliver(&bytes);
                    any = true;
                }
            }
            any |= self.adapters();
            any |= self.transmit_all();
            if !any {
                return;
            }
        }
    }

    /// Runs until `end` (inclusive), jumping from deadline to deadline.
    pub fn run_until(&mut self, end: Instant) {
        loop {
            self.step();
            match self.next_deadline() {
                Some(t) if t <= end => self.now = t.max(self.now),
                _ => break,
            }
        }
        self.now = end;
    }
}

impl HostNode {
    /// What a host's adapter does with an event: run DAD, keep the addresses and routers.
    fn act(&mut self, now: Instant, event: Event) {
        let until = |d: Duration| (d != Duration::MAX).then(|| now + d);
        match event {
            Event::Host(host::Event::ProbeAddress { address }) => {
                self.dad.push((now + DAD_TIME, address));
            }
            Event::Host(host::Event::AddressAdded {
                address,
                prefix_len,
                valid,
                preferred,
            }) => {
                self.addresses.insert(
                    address,
                    Assigned {
                        origin: Origin::Slaac,
                        prefix_len,
                        valid_until: until(valid),
                        preferred_until: until(preferred),
                    },
                );
            }
            Event::Host(host::Event::AddressLifetimesUpdated {
                address,
                valid,
                preferred,
            }) => {
                if let Some(a) = self.addresses.get_mut(&address) {
                    a.valid_until = until(valid);
                    a.preferred_until = until(preferred);
                }
            }
            Event::Host(host::Event::AddressRemoved { address })
            | Event::Dhcpv6(client::Event::AddressRemoved { address, .. }) => {
                self.addresses.remove(&address);
            }
            Event::Host(host::Event::DefaultRouterAdded { router, preference }) => {
                self.default_routers.insert(router, preference);
            }
            Event::Host(host::Event::DefaultRouterRemoved { router }) => {
                self.default_routers.remove(&router);
            }
            // RFC 9915 §18.2.10.1: DAD on an address from DHCPv6 before using it.
            Event::Dhcpv6(client::Event::AddressBound(lease)) => {
                self.dad.push((now + DAD_TIME, lease.address));
                self.addresses.insert(
                    lease.address,
                    Assigned {
                        origin: Origin::Dhcpv6,
                        prefix_len: 128,
                        valid_until: (lease.valid != Duration::MAX).then(|| lease.valid_until()),
                        preferred_until: (lease.preferred != Duration::MAX)
                            .then(|| lease.preferred_until()),
                    },
                );
            }
            Event::Dhcpv6(client::Event::AddressRenewed(lease)) => {
                if let Some(a) = self.addresses.get_mut(&lease.address) {
                    a.valid_until = (lease.valid != Duration::MAX).then(|| lease.valid_until());
                    a.preferred_until =
                        (lease.preferred != Duration::MAX).then(|| lease.preferred_until());
                }
            }
            _ => {}
        }
    }
}
