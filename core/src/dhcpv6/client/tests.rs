//! Simulations of the client on virtual time against scripted servers.
//!
//! The scripted server here is deliberately independent of the engine: it builds replies with
//! its own byte-level helpers, so a bug in the engine's encoder cannot hide in both.

use std::vec;
use std::vec::Vec as StdVec;

use super::*;

/// Message types (RFC 9915 §7.3), written out independently of the codec.
mod kind {
    pub const SOLICIT: u8 = 1;
    pub const ADVERTISE: u8 = 2;
    pub const REQUEST: u8 = 3;
    pub const CONFIRM: u8 = 4;
    pub const RENEW: u8 = 5;
    pub const REBIND: u8 = 6;
    pub const REPLY: u8 = 7;
    pub const RELEASE: u8 = 8;
    pub const DECLINE: u8 = 9;
    pub const RECONFIGURE: u8 = 10;
    pub const INFORMATION_REQUEST: u8 = 11;
}

/// Option codes (RFC 9915 §21, RFC 5908).
mod code {
    pub const CLIENTID: u16 = 1;
    pub const SERVERID: u16 = 2;
    pub const IA_NA: u16 = 3;
    pub const IAADDR: u16 = 5;
    pub const ORO: u16 = 6;
    pub const PREFERENCE: u16 = 7;
    pub const ELAPSED_TIME: u16 = 8;
    pub const AUTH: u16 = 11;
    pub const STATUS_CODE: u16 = 13;
    pub const RAPID_COMMIT: u16 = 14;
    pub const RECONF_MSG: u16 = 19;
    pub const RECONF_ACCEPT: u16 = 20;
    pub const DNS_SERVERS: u16 = 23;
    pub const DOMAIN_LIST: u16 = 24;
    pub const IA_PD: u16 = 25;
    pub const IAPREFIX: u16 = 26;
    pub const INFORMATION_REFRESH_TIME: u16 = 32;
    pub const NTP_SERVER: u16 = 56;
    pub const SOL_MAX_RT: u16 = 82;
}

/// Status codes (RFC 9915 §21.13).
mod status {
    pub const SUCCESS: u16 = 0;
    pub const NO_ADDRS_AVAIL: u16 = 2;
    pub const NO_BINDING: u16 = 3;
    pub const NOT_ON_LINK: u16 = 4;
    pub const NO_PREFIX_AVAIL: u16 = 6;
}

/// Options as (code, data), from bytes already checked.
fn opts(b: &[u8]) -> StdVec<(u16, &[u8])> {
    msg::walk(b).map(|(c, d)| (u16::from(c), d)).collect()
}

const DUID: &[u8] = &[0, 3, 0, 1, 0x02, 0, 0, 0, 0, 0x01];
const SRV_A: &[u8] = &[0, 3, 0, 1, 0xaa, 0, 0, 0, 0, 0x0a];
const SRV_B: &[u8] = &[0, 3, 0, 1, 0xbb, 0, 0, 0, 0, 0x0b];
const ADDR1: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0, 1, 0, 0, 0, 0x100);
const ADDR2: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0, 1, 0, 0, 0, 0x200);
const PFX: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0x5600, 0, 0, 0, 0, 0);
const DNS1: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x53);

type C = Client<4, 4, 4>;

fn secs(s: u64) -> Instant {
    Instant::from_secs(s)
}

// ----- message helpers (the server's side) ---------------------------------------------------

/// A message the client sent, as the server sees it.
#[derive(Debug, Clone)]
struct Sent {
    at: Instant,
    kind: u8,
    xid: [u8; 3],
    bytes: StdVec<u8>,
}

impl Sent {
    fn parse(at: Instant, b: &[u8]) -> Sent {
        assert!(b.len() >= 4);
        let sent = Sent {
            at,
            kind: b[0],
            xid: [b[1], b[2], b[3]],
            bytes: b.to_vec(),
        };
        // Every option the client writes is well-formed, nested ones too ...
        msg::check(&b[4..], 4).unwrap();
        // ... and the shared codec (strict: every option validated) accepts the message, and a
        // server would not drop it under RFC 9915 §16.
        let packet = crate::wire::dhcpv6::Packet::new_checked(b).unwrap();
        let repr = crate::wire::dhcpv6::MessageRepr::parse(&packet).unwrap();
        let named = repr.server_id().map(|d| d.as_bytes()).unwrap_or(SRV_A);
        let server = crate::wire::dhcpv6::Duid::new(named).unwrap();
        crate::wire::dhcpv6::check_server_receipt(&repr, &server).unwrap();
        sent
    }
    fn options(&self) -> StdVec<(u16, &[u8])> {
        opts(&self.bytes[4..])
    }
    fn option(&self, c: u16) -> Option<&[u8]> {
        self.options()
            .into_iter()
            .find(|(x, _)| *x == c)
            .map(|(_, b)| b)
    }
    /// Addresses (or prefixes) inside the first IA of type `ia`.
    fn ia_entries(&self, ia: u16) -> StdVec<(Ipv6Addr, u8)> {
        let Some(body) = self.option(ia) else {
            return vec![];
        };
        msg::check(&body[12..], 0).unwrap();
        opts(&body[12..])
            .into_iter()
            .filter_map(|(c, b)| match c {
                code::IAADDR => Some((msg::addr(b, 0).unwrap(), 128)),
                code::IAPREFIX => Some((msg::addr(b, 9).unwrap(), b[8])),
                _ => None,
            })
            .collect()
    }
}

fn opt(c: u16, body: &[u8]) -> StdVec<u8> {
    let mut v = StdVec::new();
    v.extend_from_slice(&c.to_be_bytes());
    v.extend_from_slice(&(body.len() as u16).to_be_bytes());
    v.extend_from_slice(body);
    v
}

fn status_opt(code_: u16) -> StdVec<u8> {
    let mut b = code_.to_be_bytes().to_vec();
    b.extend_from_slice(b"msg");
    opt(code::STATUS_CODE, &b)
}

fn iaaddr(a: Ipv6Addr, pref: u32, valid: u32) -> StdVec<u8> {
    let mut b = a.octets().to_vec();
    b.extend_from_slice(&pref.to_be_bytes());
    b.extend_from_slice(&valid.to_be_bytes());
    opt(code::IAADDR, &b)
}

fn iaprefix(p: Ipv6Addr, len: u8, pref: u32, valid: u32) -> StdVec<u8> {
    let mut b = pref.to_be_bytes().to_vec();
    b.extend_from_slice(&valid.to_be_bytes());
    b.push(len);
    b.extend_from_slice(&p.octets());
    opt(code::IAPREFIX, &b)
}

fn ia(c: u16, iaid: u32, t1: u32, t2: u32, inner: &[StdVec<u8>]) -> StdVec<u8> {
    let mut b = iaid.to_be_bytes().to_vec();
    b.extend_from_slice(&t1.to_be_bytes());
    b.extend_from_slice(&t2.to_be_bytes());
    for i in inner {
        b.extend_from_slice(i);
    }
    opt(c, &b)
}

fn message(k: u8, xid: [u8; 3], opts: &[StdVec<u8>]) -> StdVec<u8> {
    let mut v = vec![k, xid[0], xid[1], xid[2]];
    for o in opts {
        v.extend_from_slice(o);
    }
    v
}

// ----- the scripted server -------------------------------------------------------------------

/// A server with one address and one prefix per client, scriptable per message type.
#[derive(Clone)]
struct Server {
    id: &'static [u8],
    preference: Option<u8>,
    t1: u32,
    t2: u32,
    preferred: u32,
    valid: u32,
    addr: Option<Ipv6Addr>,
    prefix: Option<(Ipv6Addr, u8)>,
    /// Answer these message types (others are lost).
    answers: StdVec<u8>,
    /// Reply to Renew/Rebind with NoBinding in each IA.
    no_binding: bool,
    rapid_commit: bool,
    extra: StdVec<StdVec<u8>>,
    confirm_status: u16,
}

impl Server {
    fn new(id: &'static [u8]) -> Self {
        Server {
            id,
            preference: None,
            t1: 1800,
            t2: 2880,
            preferred: 3600,
            valid: 7200,
            addr: Some(ADDR1),
            prefix: None,
            answers: vec![
                kind::SOLICIT,
                kind::REQUEST,
                kind::RENEW,
                kind::REBIND,
                kind::RELEASE,
                kind::DECLINE,
                kind::CONFIRM,
                kind::INFORMATION_REQUEST,
            ],
            no_binding: false,
            rapid_commit: false,
            extra: vec![],
            confirm_status: status::SUCCESS,
        }
    }

    fn ias(&self, s: &Sent) -> StdVec<StdVec<u8>> {
        let mut out = vec![];
        if let Some(body) = s.option(code::IA_NA) {
            let iaid = msg::be32(body, 0).unwrap();
            let inner = match (self.no_binding, self.addr) {
                (true, _) => vec![status_opt(status::NO_BINDING)],
                (false, Some(a)) => vec![iaaddr(a, self.preferred, self.valid)],
                (false, None) => vec![status_opt(status::NO_ADDRS_AVAIL)],
            };
            out.push(ia(code::IA_NA, iaid, self.t1, self.t2, &inner));
        }
        if let Some(body) = s.option(code::IA_PD) {
            let iaid = msg::be32(body, 0).unwrap();
            let inner = match (self.no_binding, self.prefix) {
                (true, _) => vec![status_opt(status::NO_BINDING)],
                (false, Some((p, l))) => vec![iaprefix(p, l, self.preferred, self.valid)],
                (false, None) => vec![status_opt(status::NO_PREFIX_AVAIL)],
            };
            out.push(ia(code::IA_PD, iaid, self.t1, self.t2, &inner));
        }
        out
    }

    fn respond(&self, s: &Sent) -> Option<StdVec<u8>> {
        if !self.answers.contains(&s.kind) {
            return None;
        }
        let client = s.option(code::CLIENTID).unwrap().to_vec();
        let mut opts = vec![opt(code::SERVERID, self.id), opt(code::CLIENTID, &client)];
        let reply_kind = match s.kind {
            kind::SOLICIT if self.rapid_commit && s.option(code::RAPID_COMMIT).is_some() => {
                opts.push(opt(code::RAPID_COMMIT, &[]));
                opts.extend(self.ias(s));
                kind::REPLY
            }
            kind::SOLICIT => {
                if let Some(p) = self.preference {
                    opts.push(opt(code::PREFERENCE, &[p]));
                }
                opts.extend(self.ias(s));
                kind::ADVERTISE
            }
            kind::REQUEST | kind::RENEW | kind::REBIND => {
                if matches!(s.kind, kind::RENEW | kind::REQUEST) {
                    if s.option(code::SERVERID) != Some(self.id) {
                        return None; // for another server
                    }
                } else {
                    assert_eq!(s.option(code::SERVERID), None, "Rebind names no server");
                }
                let mut no_binding = self.clone();
                no_binding.no_binding = self.no_binding && s.kind != kind::REQUEST;
                opts.extend(no_binding.ias(s));
                kind::REPLY
            }
            kind::CONFIRM => {
                opts.push(status_opt(self.confirm_status));
                kind::REPLY
            }
            kind::RELEASE | kind::DECLINE => {
                opts.push(status_opt(status::SUCCESS));
                kind::REPLY
            }
            kind::INFORMATION_REQUEST => {
                assert_eq!(s.option(code::IA_NA), None);
                opts.push(opt(code::DNS_SERVERS, &DNS1.octets()));
                kind::REPLY
            }
            _ => return None,
        };
        opts.extend(self.extra.iter().cloned());
        Some(message(reply_kind, s.xid, &opts))
    }
}

// ----- the simulated link --------------------------------------------------------------------

struct Sim<const A: usize = 4, const P: usize = 4, const S: usize = 4> {
    now: Instant,
    c: Client<A, P, S>,
    sent: StdVec<Sent>,
    events: StdVec<(Instant, Event)>,
    buf: StdVec<u8>,
}

impl<const A: usize, const P: usize, const S: usize> Sim<A, P, S> {
    fn new(config: Config, seed: u64) -> Self {
        Sim {
            now: Instant::ZERO,
            c: Client::new(DUID, config, seed).unwrap(),
            sent: vec![],
            events: vec![],
            buf: vec![0; 1500],
        }
    }

    fn drain_events(&mut self) {
        while let Some(e) = self.c.poll_event() {
            self.events.push((self.now, e));
        }
    }

    /// Run until `end`, answering every transmission with `server` (zero latency).
    fn run(&mut self, end: Instant, server: &mut dyn FnMut(&Sent) -> StdVec<StdVec<u8>>) {
        let mut guard = 0u32;
        loop {
            guard += 1;
            assert!(
                guard < 1_000_000,
                "the client keeps asking for work at {}",
                self.now
            );
            while let Some(t) = self.c.poll_transmit(self.now, &mut self.buf) {
                assert_eq!(t.destination, ALL_DHCP_RELAY_AGENTS_AND_SERVERS);
                assert_eq!(t.port, 547);
                let s = Sent::parse(self.now, &self.buf[..t.len]);
                assert_eq!(s.kind, t.message.code());
                self.sent.push(s.clone());
                for r in server(&s) {
                    self.c.handle_reply(self.now, &r);
                }
            }
            self.drain_events();
            match self.c.poll_timeout() {
                Some(t) if t <= end => {
                    self.now = self.now.max(t);
                    self.c.handle_timeout(self.now);
                }
                _ => {
                    self.now = end;
                    self.c.handle_timeout(self.now);
                    self.drain_events();
                    return;
                }
            }
        }
    }

    fn run_with(&mut self, end: Instant, servers: &[&Server]) {
        let servers: StdVec<Server> = servers.iter().map(|s| (*s).clone()).collect();
        self.run(end, &mut |s| {
            servers.iter().filter_map(|srv| srv.respond(s)).collect()
        });
    }

    fn sent_kinds(&self) -> StdVec<u8> {
        self.sent.iter().map(|s| s.kind).collect()
    }

    fn take_events(&mut self) -> StdVec<Event> {
        self.events.drain(..).map(|(_, e)| e).collect()
    }
}

fn stateful() -> Mode {
    Mode::Stateful {
        prefix_delegation: false,
    }
}

fn bound_sim(server: &Server) -> Sim {
    let mut sim = Sim::new(Config::default(), 1);
    sim.c.start(sim.now, stateful());
    sim.run_with(secs(5), &[server]);
    assert_eq!(sim.c.state(), State::Bound);
    sim
}

// ----- retransmission (§15) ------------------------------------------------------------------

#[test]
fn solicit_timing_within_rfc_bounds_over_many_seeds() {
    for seed in 0..300 {
        let mut sim = Sim::<4, 4, 4>::new(Config::default(), seed);
        sim.c.start(Instant::ZERO, stateful());
        sim.run(secs(3 * 3600), &mut |_| vec![]);
        let times: StdVec<u64> = sim.sent.iter().map(|s| s.at.total_millis()).collect();
        assert!(sim.sent.iter().all(|s| s.kind == kind::SOLICIT));
        // First Solicit delayed 0..=SOL_MAX_DELAY.
        assert!(times[0] <= 1000, "seed {seed}: first at {}", times[0]);
        // First RT strictly above IRT, within +10%.
        let rt1 = times[1] - times[0];
        assert!(rt1 > 1000 && rt1 <= 1100, "seed {seed}: first RT {rt1}");
        let mut prev = rt1;
        for w in times.windows(2).skip(1) {
            let rt = w[1] - w[0];
            let capped = rt >= 3_240_000; // MRT 3600 s - 10%
            if capped {
                assert!(rt <= 3_960_000, "seed {seed}: RT {rt} above MRT + 10%");
            } else {
                assert!(
                    rt * 10 >= prev * 19 && rt * 10 <= prev * 21,
                    "seed {seed}: RT {rt} after {prev}"
                );
            }
            prev = rt;
        }
        // Elapsed Time: 0 on the first, then hundredths since the first.
        for s in &sim.sent {
            let e = msg::be16(s.option(code::ELAPSED_TIME).unwrap(), 0).unwrap();
            let want = ((s.at.total_millis() - times[0]) / 10).min(0xffff) as u16;
            assert_eq!(e, want);
        }
        // Same transaction ID on every retransmission (§15).
        assert!(sim.sent.iter().all(|s| s.xid == sim.sent[0].xid));
        assert!(prev > 3_000_000, "reached the cap");
    }
}

#[test]
fn request_gives_up_after_mrc_and_solicits_again() {
    for seed in 0..50 {
        let mut srv = Server::new(SRV_A);
        srv.answers = vec![kind::SOLICIT];
        let mut sim = Sim::<4, 4, 4>::new(Config::default(), seed);
        sim.c.start(Instant::ZERO, stateful());
        // Answer only the first Solicit, then nothing.
        let mut answered = false;
        sim.run(secs(400), &mut |s| {
            if s.kind == kind::SOLICIT && !answered {
                answered = true;
                srv.respond(s).into_iter().collect()
            } else {
                vec![]
            }
        });
        let kinds = sim.sent_kinds();
        let requests: StdVec<&Sent> = sim
            .sent
            .iter()
            .filter(|s| s.kind == kind::REQUEST)
            .collect();
        assert_eq!(requests.len(), REQ_MAX_RC as usize, "seed {seed}");
        // Request RTs: 1 s ±10%, doubling, capped at 30 s ±10%.
        let mut prev = 0;
        for (i, w) in requests.windows(2).enumerate() {
            let rt = w[1].at.total_millis() - w[0].at.total_millis();
            if i == 0 {
                assert!((900..=1100).contains(&rt), "seed {seed}: {rt}");
            } else if rt >= 27_000 {
                assert!(rt <= 33_000);
            } else {
                assert!(rt * 10 >= prev * 19 && rt * 10 <= prev * 21);
            }
            prev = rt;
        }
        let last_request = kinds.iter().rposition(|&k| k == kind::REQUEST).unwrap();
        assert_eq!(
            kinds[last_request + 1],
            kind::SOLICIT,
            "seed {seed}: back to Solicit"
        );
        assert!(sim
            .events
            .iter()
            .any(|(_, e)| *e == Event::ExchangeFailed(Message::Request)));
        assert_eq!(sim.c.state(), State::Soliciting);
    }
}

use super::retransmit::REQ_MAX_RC;

/// Check an RT series against §15: first in IRT ±10%, then 2·RTprev ±10% of RTprev, or
/// MRT ±10% once capped. Returns how many were capped.
fn check_rts(times: &[u64], irt: u64, mrt: u64, what: &str) -> usize {
    let mut capped = 0;
    let mut prev = 0;
    for (i, w) in times.windows(2).enumerate() {
        let rt = w[1] - w[0];
        if i == 0 {
            assert!(
                rt * 10 >= irt * 9 && rt * 10 <= irt * 11,
                "{what}: first RT {rt}"
            );
        } else if rt * 10 >= prev * 19 && rt * 10 <= prev * 21 && rt <= mrt {
            // Doubled, and not above MRT (else it would have been capped).
        } else {
            // Capped: only when doubling could pass MRT, and then MRT ±10%.
            assert!(prev * 21 > mrt * 10, "{what}: RT {rt} after {prev}");
            assert!(
                rt * 10 >= mrt * 9 && rt * 10 <= mrt * 11,
                "{what}: capped RT {rt}"
            );
            capped += 1;
        }
        prev = rt;
    }
    capped
}

#[test]
fn renew_and_rebind_timing_within_rfc_bounds_over_many_seeds() {
    let mut srv = Server::new(SRV_A);
    srv.t1 = 1000;
    srv.t2 = 6000;
    srv.preferred = 9000;
    srv.valid = 12_000;
    for seed in 0..100 {
        let mut sim = Sim::<4, 4, 4>::new(Config::default(), seed);
        sim.c.start(Instant::ZERO, stateful());
        sim.run_with(secs(5), &[&srv]);
        let bound = sim.sent[1].at;
        sim.run(bound + Duration::from_secs(12_001), &mut |_| vec![]);
        let at = |k: u8| -> StdVec<u64> {
            sim.sent
                .iter()
                .filter(|s| s.kind == k)
                .map(|s| s.at.total_millis())
                .collect()
        };
        let (renews, rebinds) = (at(kind::RENEW), at(kind::REBIND));
        let t1 = bound.total_millis() + 1_000_000;
        let t2 = bound.total_millis() + 6_000_000;
        let end = bound.total_millis() + 12_000_000;
        assert_eq!(renews[0], t1, "seed {seed}: Renew at T1");
        assert!(
            renews.iter().all(|&t| t < t2),
            "seed {seed}: Renew MRD = T2"
        );
        assert_eq!(rebinds[0], t2, "seed {seed}: Rebind at T2");
        assert!(
            rebinds.iter().all(|&t| t < end),
            "seed {seed}: Rebind MRD = expiry"
        );
        assert!(
            check_rts(&renews, 10_000, 600_000, "Renew") >= 1,
            "seed {seed}"
        );
        assert!(
            check_rts(&rebinds, 10_000, 600_000, "Rebind") >= 1,
            "seed {seed}"
        );
        // Same transaction ID within each exchange, a new one for the next.
        let xids = |k: u8| -> StdVec<[u8; 3]> {
            sim.sent
                .iter()
                .filter(|s| s.kind == k)
                .map(|s| s.xid)
                .collect()
        };
        assert!(xids(kind::RENEW).iter().all(|x| *x == xids(kind::RENEW)[0]));
        assert!(xids(kind::REBIND)
            .iter()
            .all(|x| *x == xids(kind::REBIND)[0]));
        assert_ne!(xids(kind::RENEW)[0], xids(kind::REBIND)[0]);
        assert_eq!(
            sim.c.state(),
            State::Soliciting,
            "seed {seed}: expired, soliciting"
        );
    }
}

#[test]
fn rate_limit_holds_twenty_in_twenty_seconds() {
    // A server that advertises but answers every Request with NoAddrsAvail makes the client
    // cycle Solicit → Request as fast as it may.
    let mut srv = Server::new(SRV_A);
    srv.preference = Some(255);
    for seed in 0..20 {
        let mut sim = Sim::<4, 4, 4>::new(Config::default(), seed);
        sim.c.start(Instant::ZERO, stateful());
        sim.run(secs(300), &mut |s| {
            let mut r = srv.clone();
            if s.kind == kind::REQUEST {
                r.addr = None;
            }
            r.respond(s).into_iter().collect()
        });
        let times: StdVec<u64> = sim.sent.iter().map(|s| s.at.total_millis()).collect();
        assert!(times.len() > 100, "the loop ran: {}", times.len());
        for w in times.windows(RATE_LIMIT_COUNT + 1) {
            assert!(
                w[RATE_LIMIT_COUNT] - w[0] >= 20_000,
                "seed {seed}: 21 in <20 s"
            );
        }
        assert!(sim.c.stats().rate_limited > 0);
    }
}

// ----- stateful: the whole life of a lease ---------------------------------------------------

#[test]
fn stateful_solicit_request_bound_with_events_and_timers() {
    let mut srv = Server::new(SRV_A);
    srv.extra = vec![opt(code::DNS_SERVERS, &DNS1.octets())];
    let mut sim = bound_sim(&srv);
    assert_eq!(sim.sent_kinds(), [kind::SOLICIT, kind::REQUEST]);
    let solicit = &sim.sent[0];
    assert_eq!(solicit.option(code::CLIENTID), Some(DUID));
    assert_eq!(solicit.option(code::SERVERID), None);
    assert_eq!(solicit.ia_entries(code::IA_NA), []);
    let oro = solicit.option(code::ORO).unwrap();
    assert!(oro.chunks(2).any(|c| c == code::DNS_SERVERS.to_be_bytes()));
    let request = &sim.sent[1];
    assert_ne!(request.xid, solicit.xid, "a new transaction");
    assert_eq!(request.option(code::SERVERID), Some(SRV_A));
    assert_eq!(request.ia_entries(code::IA_NA), [(ADDR1, 128)]);
    // Advertise collected for the whole first RT (> 1 s after the Solicit).
    assert!(request.at - solicit.at > Duration::from_secs(1));
    let bound_at = request.at;
    let events = sim.take_events();
    assert_eq!(
        events,
        [
            Event::AddressBound(Lease {
                address: ADDR1,
                prefix_len: 128,
                preferred: Duration::from_secs(3600),
                valid: Duration::from_secs(7200),
                received_at: bound_at,
                iaid: 1,
            }),
            Event::DnsServersChanged,
        ]
    );
    assert_eq!(sim.c.dns_servers(), [DNS1]);
    assert_eq!(sim.c.renew_at(), Some(bound_at + Duration::from_secs(1800)));
    assert_eq!(
        sim.c.rebind_at(),
        Some(bound_at + Duration::from_secs(2880))
    );
    assert_eq!(
        sim.c.poll_timeout(),
        Some(bound_at + Duration::from_secs(1800))
    );

    // T1: Renew, refreshed lifetimes (networkd #16356).
    sim.run_with(bound_at + Duration::from_secs(1801), &[&srv]);
    let renew = sim.sent.last().unwrap().clone();
    assert_eq!(renew.kind, kind::RENEW);
    assert_eq!(renew.at, bound_at + Duration::from_secs(1800));
    assert_eq!(renew.ia_entries(code::IA_NA), [(ADDR1, 128)]);
    let e = sim.take_events();
    assert_eq!(
        e,
        [Event::AddressRenewed(Lease {
            address: ADDR1,
            prefix_len: 128,
            preferred: Duration::from_secs(3600),
            valid: Duration::from_secs(7200),
            received_at: renew.at,
            iaid: 1,
        })]
    );
    assert_eq!(
        sim.c.addresses()[0].valid_until(),
        renew.at + Duration::from_secs(7200)
    );
    assert_eq!(sim.c.state(), State::Bound);
}

#[test]
fn t2_rebind_switches_server_and_later_renews_go_to_it() {
    let a = Server::new(SRV_A);
    let mut sim = bound_sim(&a);
    let bound_at = sim.sent[1].at;
    // Server A vanishes; B answers only Rebind.
    let mut b = Server::new(SRV_B);
    b.answers = vec![kind::REBIND];
    b.addr = Some(ADDR2);
    sim.run_with(bound_at + Duration::from_secs(2881), &[&b]);
    let kinds: StdVec<u8> = sim.sent_kinds()[2..].to_vec();
    assert!(kinds[..kinds.len() - 1].iter().all(|&k| k == kind::RENEW));
    assert_eq!(*kinds.last().unwrap(), kind::REBIND);
    // Renew retransmissions: 10 s, 20 s, ... capped at 600 s, stopping by T2.
    let renews: StdVec<&Sent> = sim.sent.iter().filter(|s| s.kind == kind::RENEW).collect();
    assert!(renews.len() >= 5);
    assert!(renews
        .iter()
        .all(|s| s.at < bound_at + Duration::from_secs(2880)));
    let rebind = sim.sent.last().unwrap();
    assert_eq!(rebind.at, bound_at + Duration::from_secs(2880));
    assert_eq!(sim.c.server_id(), Some(SRV_B));
    assert_eq!(sim.c.state(), State::Bound);
    let addrs: StdVec<Ipv6Addr> = sim.c.addresses().iter().map(|l| l.address).collect();
    assert!(addrs.contains(&ADDR2));
    // The next Renew goes to B.
    let mut b2 = b.clone();
    b2.answers.push(kind::RENEW);
    sim.run_with(rebind.at + Duration::from_secs(1801), &[&b2]);
    let renew = sim.sent.last().unwrap().clone();
    assert_eq!(renew.kind, kind::RENEW);
    assert_eq!(renew.option(code::SERVERID), Some(SRV_B));
}

#[test]
fn leases_expire_when_no_server_answers_then_solicit_again() {
    let a = Server::new(SRV_A);
    let mut sim = bound_sim(&a);
    let bound_at = sim.sent[1].at;
    sim.take_events();
    sim.run(bound_at + Duration::from_secs(7201), &mut |_| vec![]);
    let expiry = bound_at + Duration::from_secs(7200);
    assert!(sim.events.contains(&(
        expiry,
        Event::AddressRemoved {
            address: ADDR1,
            reason: Removal::Expired
        }
    )));
    let rebinds: StdVec<&Sent> = sim.sent.iter().filter(|s| s.kind == kind::REBIND).collect();
    assert!(!rebinds.is_empty());
    assert!(rebinds.iter().all(|s| s.at < expiry));
    assert_eq!(sim.c.state(), State::Soliciting);
    assert!(sim.c.addresses().is_empty());
}

#[test]
fn t1_t2_default_to_half_and_four_fifths_of_preferred_when_zero() {
    let mut srv = Server::new(SRV_A);
    srv.t1 = 0;
    srv.t2 = 0;
    srv.preferred = 1000;
    srv.valid = 2000;
    let sim = bound_sim(&srv);
    let at = sim.sent[1].at;
    assert_eq!(sim.c.renew_at(), Some(at + Duration::from_secs(500)));
    assert_eq!(sim.c.rebind_at(), Some(at + Duration::from_secs(800)));
}

#[test]
fn infinite_lifetimes_never_renew() {
    let mut srv = Server::new(SRV_A);
    srv.t1 = u32::MAX;
    srv.t2 = u32::MAX;
    srv.preferred = u32::MAX;
    srv.valid = u32::MAX;
    let mut sim = bound_sim(&srv);
    assert_eq!(sim.c.poll_timeout(), None);
    sim.run_with(secs(400 * 86400), &[&srv]);
    assert_eq!(sim.sent.len(), 2);
    assert_eq!(sim.c.addresses().len(), 1);
}

#[test]
fn ia_with_t1_above_t2_is_ignored() {
    let mut srv = Server::new(SRV_A);
    srv.t1 = 100;
    srv.t2 = 50;
    let mut sim = Sim::<4, 4, 4>::new(Config::default(), 3);
    sim.c.start(Instant::ZERO, stateful());
    sim.run_with(secs(10), &[&srv]);
    assert!(sim.c.addresses().is_empty());
    assert!(sim.c.stats().ignored_ia > 0);
    assert_eq!(sim.c.state(), State::Soliciting);
}

#[test]
fn preference_255_taken_at_once_else_best_preference_wins() {
    let mut hi = Server::new(SRV_A);
    hi.preference = Some(255);
    let mut sim = Sim::<4, 4, 4>::new(Config::default(), 9);
    sim.c.start(Instant::ZERO, stateful());
    sim.run_with(secs(5), &[&hi]);
    let (s, r) = (&sim.sent[0], &sim.sent[1]);
    assert_eq!(r.kind, kind::REQUEST);
    assert_eq!(
        r.at, s.at,
        "Request right after the Advertise, not after the first RT"
    );

    let mut p10 = Server::new(SRV_A);
    p10.preference = Some(10);
    let mut p20 = Server::new(SRV_B);
    p20.preference = Some(20);
    p20.addr = Some(ADDR2);
    for order in [[&p10, &p20], [&p20, &p10]] {
        let mut sim = Sim::<4, 4, 4>::new(Config::default(), 9);
        sim.c.start(Instant::ZERO, stateful());
        sim.run_with(secs(5), &order);
        assert_eq!(sim.sent[1].option(code::SERVERID), Some(SRV_B));
        assert_eq!(sim.c.addresses()[0].address, ADDR2);
    }
}

#[test]
fn advertise_after_the_first_rt_is_taken_at_once() {
    let srv = Server::new(SRV_A);
    let mut sim = Sim::<4, 4, 4>::new(Config::default(), 4);
    sim.c.start(Instant::ZERO, stateful());
    let mut n = 0;
    sim.run(secs(20), &mut |s| {
        n += 1;
        if n >= 3 {
            srv.respond(s).into_iter().collect()
        } else {
            vec![]
        }
    });
    assert_eq!(
        sim.sent_kinds()[..4],
        [kind::SOLICIT; 3][..]
            .iter()
            .chain(&[kind::REQUEST])
            .copied()
            .collect::<StdVec<_>>()[..]
    );
    assert_eq!(sim.sent[3].at, sim.sent[2].at);
}

// ----- per-IA status (busybox udhcpc6) and NoBinding (networkd #15455) ----------------------

#[test]
fn no_addrs_avail_in_ia_na_keeps_the_delegated_prefix() {
    let mut srv = Server::new(SRV_A);
    srv.addr = None;
    srv.prefix = Some((PFX, 56));
    let mut sim = Sim::<4, 4, 4>::new(Config::default(), 5);
    sim.c.start(
        Instant::ZERO,
        Mode::Stateful {
            prefix_delegation: true,
        },
    );
    sim.run_with(secs(5), &[&srv]);
    assert_eq!(sim.sent_kinds(), [kind::SOLICIT, kind::REQUEST]);
    assert_eq!(sim.c.state(), State::Bound);
    assert!(sim.c.addresses().is_empty());
    assert_eq!(sim.c.prefixes().len(), 1);
    assert_eq!(sim.c.prefixes()[0].address, PFX);
    assert_eq!(sim.c.prefixes()[0].prefix_len, 56);
}

#[test]
fn advertise_with_nothing_is_ignored_but_its_sol_max_rt_is_honoured() {
    let mut srv = Server::new(SRV_A);
    srv.addr = None;
    srv.extra = vec![opt(code::SOL_MAX_RT, &120u32.to_be_bytes())];
    let mut sim = Sim::<4, 4, 4>::new(Config::default(), 5);
    sim.c.start(Instant::ZERO, stateful());
    sim.run_with(secs(3600), &[&srv]);
    assert!(sim.sent.iter().all(|s| s.kind == kind::SOLICIT));
    assert!(sim.c.stats().advertise_without_leases > 0);
    assert_eq!(sim.c.sol_max_rt(), Duration::from_secs(120));
    let times: StdVec<u64> = sim.sent.iter().map(|s| s.at.total_millis()).collect();
    let last = times[times.len() - 1] - times[times.len() - 2];
    assert!(
        (108_000..=132_000).contains(&last),
        "RT capped near 120 s: {last}"
    );
}

#[test]
fn sol_max_rt_honoured_only_within_60_to_86400() {
    for (v, want) in [
        (59u32, 3600u64),
        (60, 60),
        (86400, 86400),
        (86401, 3600),
        (0, 3600),
        (u32::MAX, 3600),
    ] {
        let mut srv = Server::new(SRV_A);
        srv.addr = None;
        srv.extra = vec![opt(code::SOL_MAX_RT, &v.to_be_bytes())];
        let mut sim = Sim::<4, 4, 4>::new(Config::default(), 5);
        sim.c.start(Instant::ZERO, stateful());
        sim.run_with(secs(3), &[&srv]);
        assert_eq!(
            sim.c.sol_max_rt(),
            Duration::from_secs(want),
            "SOL_MAX_RT {v}"
        );
    }
}

#[test]
fn no_binding_on_renew_sends_one_request_not_a_renew_loop() {
    let a = Server::new(SRV_A);
    let mut sim = bound_sim(&a);
    let mut nb = a.clone();
    nb.no_binding = true;
    let start = sim.sent.len();
    sim.run_with(secs(3600), &[&nb]);
    let kinds = &sim.sent_kinds()[start..];
    // Renew at T1 → NoBinding → Request → Bound; one more cycle by 3600 s at most.
    assert_eq!(kinds[..2], [kind::RENEW, kind::REQUEST]);
    assert!(kinds.len() <= 4, "{kinds:?}");
    let req = &sim.sent[start + 1];
    assert_eq!(
        req.ia_entries(code::IA_NA),
        [(ADDR1, 128)],
        "asks for what it holds"
    );
    assert_eq!(sim.c.state(), State::Bound);
    assert_eq!(sim.c.addresses().len(), 1);
}

#[test]
fn renew_refused_per_ia_waits_for_t2_then_expiry_instead_of_looping() {
    let a = Server::new(SRV_A);
    let mut sim = bound_sim(&a);
    let bound_at = sim.sent[1].at;
    let mut refusing = a.clone();
    refusing.addr = None; // every IA_NA answer: NoAddrsAvail
    sim.run_with(bound_at + Duration::from_secs(7300), &[&refusing]);
    let kinds = sim.sent_kinds()[2..].to_vec();
    // One Renew at T1, one Rebind at T2, then nothing until the lease expires and the client
    // solicits again.
    assert_eq!(kinds[..2], [kind::RENEW, kind::REBIND], "{kinds:?}");
    assert_eq!(sim.sent[3].at, bound_at + Duration::from_secs(2880));
    assert!(kinds[2..].iter().all(|&k| k == kind::SOLICIT), "{kinds:?}");
    let expiry = bound_at + Duration::from_secs(7200);
    assert!(sim.sent[4..].iter().all(|s| s.at >= expiry));
    assert!(sim.events.contains(&(
        expiry,
        Event::AddressRemoved {
            address: ADDR1,
            reason: Removal::Expired
        }
    )));
}

#[test]
fn withdrawn_lease_is_removed_and_the_rest_waits_for_t2() {
    let mut srv = Server::new(SRV_A);
    srv.addr = Some(ADDR1);
    let mut sim = Sim::<4, 4, 4>::new(Config::default(), 21);
    sim.c.start(Instant::ZERO, stateful());
    // Bind two addresses.
    sim.run(secs(5), &mut |s| {
        let inner = [iaaddr(ADDR1, 3600, 7200), iaaddr(ADDR2, 3600, 7200)];
        let body = [
            opt(code::SERVERID, SRV_A),
            opt(code::CLIENTID, DUID),
            ia(code::IA_NA, 1, 1800, 2880, &inner),
        ];
        let k = if s.kind == kind::SOLICIT {
            kind::ADVERTISE
        } else {
            kind::REPLY
        };
        vec![message(k, s.xid, &body)]
    });
    assert_eq!(sim.c.addresses().len(), 2);
    let bound = sim.sent[1].at;
    sim.take_events();
    // The Renew's Reply withdraws ADDR2 (valid 0) and says nothing of ADDR1.
    sim.run(bound + Duration::from_secs(2000), &mut |s| {
        let body = [
            opt(code::SERVERID, SRV_A),
            opt(code::CLIENTID, DUID),
            ia(code::IA_NA, 1, 1800, 2880, &[iaaddr(ADDR2, 0, 0)]),
        ];
        vec![message(kind::REPLY, s.xid, &body)]
    });
    assert_eq!(
        sim.take_events(),
        [Event::AddressRemoved {
            address: ADDR2,
            reason: Removal::Withdrawn
        }]
    );
    assert_eq!(sim.c.addresses().len(), 1);
    // One Renew, not a loop; next comes Rebind at T2.
    assert_eq!(sim.sent_kinds()[2..], [kind::RENEW]);
    assert_eq!(
        sim.c.poll_timeout(),
        Some(bound + Duration::from_secs(2880))
    );
}

// ----- §16 validation ------------------------------------------------------------------------

type Counter = fn(&Stats) -> u32;

#[test]
fn replies_failing_section_16_checks_are_dropped_and_counted() {
    let mut sim = Sim::<4, 4, 4>::new(Config::default(), 2);
    sim.c.start(Instant::ZERO, stateful());
    let mut buf = [0u8; 1500];
    let t = sim.c.poll_timeout().unwrap();
    let tx = sim.c.poll_transmit(t, &mut buf).unwrap();
    let s = Sent::parse(t, &buf[..tx.len]);
    let na = ia(code::IA_NA, 1, 0, 0, &[iaaddr(ADDR1, 100, 200)]);
    let sid = opt(code::SERVERID, SRV_A);
    let cid = opt(code::CLIENTID, DUID);
    let bad_xid = [s.xid[0] ^ 1, s.xid[1], s.xid[2]];
    let cases: StdVec<(StdVec<u8>, Counter)> = vec![
        (
            message(
                kind::REPLY,
                bad_xid,
                &[sid.clone(), cid.clone(), na.clone()],
            ),
            |s| s.dropped_transaction_id,
        ),
        (
            message(
                kind::ADVERTISE,
                bad_xid,
                &[sid.clone(), cid.clone(), na.clone()],
            ),
            |s| s.dropped_transaction_id,
        ),
        (
            message(kind::ADVERTISE, s.xid, &[cid.clone(), na.clone()]),
            |s| s.dropped_server_id,
        ),
        (
            message(
                kind::ADVERTISE,
                s.xid,
                &[sid.clone(), sid.clone(), cid.clone(), na.clone()],
            ),
            |s| s.dropped_server_id,
        ),
        (
            message(kind::ADVERTISE, s.xid, &[sid.clone(), na.clone()]),
            |s| s.dropped_client_id,
        ),
        (
            message(
                kind::ADVERTISE,
                s.xid,
                &[sid.clone(), opt(code::CLIENTID, SRV_B), na.clone()],
            ),
            |s| s.dropped_client_id,
        ),
        (
            message(kind::SOLICIT, s.xid, &[sid.clone(), cid.clone()]),
            |s| s.dropped_message_type,
        ),
        (
            message(
                kind::ADVERTISE,
                s.xid,
                &[sid.clone(), cid.clone(), vec![0, 1, 0, 50, 1]],
            ),
            |s| s.dropped_malformed,
        ),
        (vec![kind::ADVERTISE, 1, 2], |s| s.dropped_malformed),
        (vec![], |s| s.dropped_malformed),
        // A Reply while soliciting without Rapid Commit.
        (
            message(kind::REPLY, s.xid, &[sid.clone(), cid.clone(), na.clone()]),
            |s| s.dropped_unexpected,
        ),
    ];
    for (i, (m, counter)) in cases.into_iter().enumerate() {
        let before = counter(sim.c.stats());
        sim.c.handle_reply(t, &m);
        assert_eq!(counter(sim.c.stats()), before + 1, "case {i}");
        assert_eq!(sim.c.state(), State::Soliciting, "case {i}");
        assert!(sim.c.poll_event().is_none());
    }
    // And a good one is taken.
    sim.c
        .handle_reply(t, &message(kind::ADVERTISE, s.xid, &[sid, cid, na]));
    assert!(sim.c.offer.is_some());
}

#[test]
fn duplicate_iaids_first_wins() {
    let mut sim = Sim::<4, 4, 4>::new(
        Config {
            rapid_commit: true,
            ..Config::default()
        },
        2,
    );
    sim.c.start(Instant::ZERO, stateful());
    let mut buf = [0u8; 1500];
    let t = sim.c.poll_timeout().unwrap();
    let tx = sim.c.poll_transmit(t, &mut buf).unwrap();
    let s = Sent::parse(t, &buf[..tx.len]);
    sim.c.handle_reply(
        t,
        &message(
            kind::REPLY,
            s.xid,
            &[
                opt(code::SERVERID, SRV_A),
                opt(code::CLIENTID, DUID),
                opt(code::RAPID_COMMIT, &[]),
                ia(code::IA_NA, 1, 0, 0, &[iaaddr(ADDR1, 100, 200)]),
                ia(code::IA_NA, 1, 0, 0, &[iaaddr(ADDR2, 100, 200)]),
            ],
        ),
    );
    assert_eq!(sim.c.state(), State::Bound);
    assert_eq!(sim.c.addresses().len(), 1);
    assert_eq!(sim.c.addresses()[0].address, ADDR1);
    assert_eq!(sim.c.stats().ignored_ia, 1);
}

#[test]
fn preferred_above_valid_and_failed_inner_status_are_skipped() {
    let mut srv = Server::new(SRV_A);
    srv.addr = None;
    let bad_inner = {
        let mut b = ADDR2.octets().to_vec();
        b.extend_from_slice(&100u32.to_be_bytes());
        b.extend_from_slice(&200u32.to_be_bytes());
        b.extend_from_slice(&status_opt(status::NOT_ON_LINK));
        opt(code::IAADDR, &b)
    };
    let mut sim = Sim::<4, 4, 4>::new(Config::default(), 8);
    sim.c.start(Instant::ZERO, stateful());
    sim.run(secs(5), &mut |s| {
        let body = vec![
            opt(code::SERVERID, SRV_A),
            opt(code::CLIENTID, DUID),
            ia(
                code::IA_NA,
                1,
                0,
                0,
                &[
                    iaaddr(ADDR1, 300, 200),
                    bad_inner.clone(),
                    iaaddr(Ipv6Addr::LOCALHOST, 10, 20),
                ],
            ),
        ];
        let k = if s.kind == kind::SOLICIT {
            kind::ADVERTISE
        } else {
            kind::REPLY
        };
        vec![message(k, s.xid, &body)]
    });
    assert_eq!(sim.c.stats().ignored_lease % 2, 0);
    assert!(sim.c.stats().ignored_lease >= 2);
    let addrs: StdVec<Ipv6Addr> = sim.c.addresses().iter().map(|l| l.address).collect();
    assert_eq!(addrs, [Ipv6Addr::LOCALHOST]);
}

// ----- big replies (networkd #24851) and CVE-2018-15688 -------------------------------------

#[test]
fn advertise_and_reply_with_two_thousand_prefixes_accepted() {
    let prefixes: StdVec<StdVec<u8>> = (0..2000u16)
        .map(|i| iaprefix(Ipv6Addr::new(0x2001, 0xdb8, i, 0, 0, 0, 0, 0), 64, 100, 200))
        .collect();
    let mut sim = Sim::<4, 8, 4>::new(Config::default(), 6);
    sim.buf = vec![0; 65535];
    sim.c.start(Instant::ZERO, Mode::PrefixDelegation);
    sim.run(secs(5), &mut |s| {
        let body = vec![
            opt(code::SERVERID, SRV_A),
            opt(code::CLIENTID, DUID),
            ia(code::IA_PD, 1, 0, 0, &prefixes),
        ];
        let k = if s.kind == kind::SOLICIT {
            kind::ADVERTISE
        } else {
            kind::REPLY
        };
        let m = message(k, s.xid, &body);
        assert!(m.len() > 58_000 && m.len() <= 65_535);
        vec![m]
    });
    assert_eq!(sim.c.state(), State::Bound);
    assert_eq!(sim.c.prefixes().len(), 8, "kept what fits");
    assert!(sim.c.stats().leases_over_capacity >= 1992);
    // The Request names the 8 kept prefixes.
    assert_eq!(sim.sent[1].ia_entries(code::IA_PD).len(), 8);
}

fn cve_2018_15688_case(n: usize, buf_len: usize) -> (Option<usize>, Stats, StdVec<(Ipv6Addr, u8)>) {
    let mut c = Client::<256, 256, 4>::new(DUID, Config::default(), 1).unwrap();
    c.start(Instant::ZERO, stateful());
    let mut big = vec![0u8; 65535];
    let t = c.poll_timeout().unwrap();
    let tx = c.poll_transmit(t, &mut big).unwrap();
    let s = Sent::parse(t, &big[..tx.len]);
    let addrs: StdVec<StdVec<u8>> = (0..n as u16)
        .map(|i| iaaddr(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 1, i), 100, 200))
        .collect();
    let adv = message(
        kind::ADVERTISE,
        s.xid,
        &[
            opt(code::SERVERID, SRV_A),
            opt(code::CLIENTID, DUID),
            opt(code::PREFERENCE, &[255]),
            ia(code::IA_NA, 1, 0, 0, &addrs),
        ],
    );
    crate::test_seeds::save("dhcpv6", &adv);
    c.handle_reply(t, &adv);
    assert_eq!(c.state(), State::Requesting);
    let mut buf = vec![0xeeu8; buf_len];
    let sent = c.poll_transmit(t, &mut buf);
    let entries = match sent {
        Some(tx) => Sent::parse(t, &buf[..tx.len]).ia_entries(code::IA_NA),
        None => {
            assert!(
                buf.iter().all(|&b| b == 0xee),
                "buffer untouched on failure"
            );
            vec![]
        }
    };
    (sent.map(|t| t.len), *c.stats(), entries)
}

#[test]
fn cve_2018_15688_request_from_a_servers_ias_fits_or_fails_cleanly() {
    for n in [1usize, 64, 200] {
        // A big enough buffer: every offered address echoed, lengths consistent.
        let (len, stats, entries) = cve_2018_15688_case(n, 65535);
        assert!(len.is_some(), "{n} addresses fit in 64 KiB");
        assert_eq!(entries.len(), n);
        assert_eq!(stats.encode_failed, 0);
        // A 1500-byte buffer: fits exactly when it should, else fails cleanly and counted.
        let needed = len.unwrap();
        let (len2, stats2, _) = cve_2018_15688_case(n, 1500);
        if needed <= 1500 {
            assert_eq!(len2, Some(needed));
        } else {
            assert_eq!(len2, None);
            assert_eq!(stats2.encode_failed, 1);
        }
        // One byte short of what it needs: clean failure.
        let (len3, stats3, _) = cve_2018_15688_case(n, needed - 1);
        assert_eq!(len3, None);
        assert_eq!(stats3.encode_failed, 1);
    }
    // A small client keeps only what it can hold, whatever the server sends.
    let mut sim = Sim::<4, 4, 4>::new(Config::default(), 1);
    sim.c.start(Instant::ZERO, stateful());
    let addrs: StdVec<StdVec<u8>> = (0..200u16)
        .map(|i| iaaddr(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 1, i), 100, 200))
        .collect();
    sim.run(secs(5), &mut |s| {
        let body = vec![
            opt(code::SERVERID, SRV_A),
            opt(code::CLIENTID, DUID),
            ia(code::IA_NA, 1, 0, 0, &addrs),
        ];
        let k = if s.kind == kind::SOLICIT {
            kind::ADVERTISE
        } else {
            kind::REPLY
        };
        vec![message(k, s.xid, &body)]
    });
    assert_eq!(sim.sent[1].ia_entries(code::IA_NA).len(), 4);
    assert_eq!(sim.c.addresses().len(), 4);
}

// ----- stateless and PD modes ----------------------------------------------------------------

#[test]
fn stateless_information_request_and_refresh() {
    let mut domain = vec![7];
    domain.extend_from_slice(b"example");
    domain.extend_from_slice(&[3, b'c', b'o', b'm', 0]);
    let ntp_sub = opt(1, &DNS1.octets());
    for (irt, want) in [
        (None, 86_400u64),
        (Some(3600u32), 3600),
        (Some(100), 600),
        (Some(0), 600),
    ] {
        let mut srv = Server::new(SRV_A);
        srv.extra = vec![
            opt(code::DOMAIN_LIST, &domain),
            opt(code::NTP_SERVER, &ntp_sub),
        ];
        if let Some(v) = irt {
            srv.extra
                .push(opt(code::INFORMATION_REFRESH_TIME, &v.to_be_bytes()));
        }
        let mut sim = Sim::<4, 4, 4>::new(Config::default(), 11);
        sim.c.start(Instant::ZERO, Mode::Stateless);
        sim.run_with(secs(5), &[&srv]);
        assert_eq!(sim.sent_kinds(), [kind::INFORMATION_REQUEST]);
        let ir = sim.sent[0].clone();
        assert!(ir.at <= secs(1), "INF_MAX_DELAY");
        assert_eq!(ir.option(code::IA_NA), None);
        assert_eq!(ir.option(code::SERVERID), None);
        let oro = ir.option(code::ORO).unwrap();
        assert!(oro
            .chunks(2)
            .any(|c| c == code::INFORMATION_REFRESH_TIME.to_be_bytes()));
        assert_eq!(sim.c.state(), State::Informed);
        assert_eq!(sim.c.dns_servers(), [DNS1]);
        assert_eq!(sim.c.ntp_servers(), [DNS1]);
        let names: StdVec<StdVec<u8>> = sim
            .c
            .domain_list()
            .map(|n| n.unwrap().as_bytes().to_vec())
            .collect();
        assert_eq!(names, [domain.clone()]);
        let ev = sim.take_events();
        assert!(ev.contains(&Event::DnsServersChanged));
        assert!(ev.contains(&Event::DomainListChanged));
        assert!(ev.contains(&Event::NtpServersChanged));
        assert_eq!(sim.c.refresh_at(), Some(ir.at + Duration::from_secs(want)));
        // Refreshed on time; unchanged data raises no events.
        sim.run_with(ir.at + Duration::from_secs(want + 2), &[&srv]);
        assert_eq!(sim.sent.len(), 2);
        assert!(sim.sent[1].at >= ir.at + Duration::from_secs(want));
        assert!(sim.sent[1].at <= ir.at + Duration::from_secs(want + 1));
        assert_eq!(sim.take_events(), []);
    }
}

#[test]
fn inf_max_rt_caps_information_request_retransmissions() {
    let mut sim = Sim::<4, 4, 4>::new(Config::default(), 11);
    sim.c.inf_max_rt = Duration::from_secs(60);
    sim.c.start(Instant::ZERO, Mode::Stateless);
    sim.run(secs(1000), &mut |_| vec![]);
    let t: StdVec<u64> = sim.sent.iter().map(|s| s.at.total_millis()).collect();
    for w in t.windows(2) {
        assert!(w[1] - w[0] <= 66_000);
    }
    assert!(t.len() > 15);
}

#[test]
fn prefix_delegation_only_binds_and_renews_a_prefix() {
    let mut srv = Server::new(SRV_A);
    srv.addr = None;
    srv.prefix = Some((PFX, 56));
    let mut sim = Sim::<4, 4, 4>::new(
        Config {
            prefix_length_hint: Some(56),
            ..Config::default()
        },
        12,
    );
    sim.c.start(Instant::ZERO, Mode::PrefixDelegation);
    sim.run_with(secs(5), &[&srv]);
    let solicit = &sim.sent[0];
    assert_eq!(solicit.option(code::IA_NA), None);
    assert_eq!(
        solicit.ia_entries(code::IA_PD),
        [(Ipv6Addr::UNSPECIFIED, 56)],
        "length hint"
    );
    let at = sim.sent[1].at;
    let want = Lease {
        address: PFX,
        prefix_len: 56,
        preferred: Duration::from_secs(3600),
        valid: Duration::from_secs(7200),
        received_at: at,
        iaid: 1,
    };
    assert_eq!(sim.take_events(), [Event::PrefixBound(want)]);
    // What a router advertises downstream 1000 s later.
    assert_eq!(
        want.remaining(at + Duration::from_secs(1000)),
        (Duration::from_secs(2600), Duration::from_secs(6200))
    );
    sim.run_with(at + Duration::from_secs(1801), &[&srv]);
    let renew = sim.sent.last().unwrap().clone();
    assert_eq!(renew.kind, kind::RENEW);
    assert_eq!(renew.ia_entries(code::IA_PD), [(PFX, 56)]);
    assert_eq!(
        sim.take_events(),
        [Event::PrefixRenewed(Lease {
            received_at: renew.at,
            ..want
        })]
    );
}

// ----- Rapid Commit, Confirm, Decline, Release ----------------------------------------------

#[test]
fn rapid_commit_binds_in_two_messages() {
    let mut srv = Server::new(SRV_A);
    srv.rapid_commit = true;
    let mut sim = Sim::<4, 4, 4>::new(
        Config {
            rapid_commit: true,
            ..Config::default()
        },
        13,
    );
    sim.c.start(Instant::ZERO, stateful());
    sim.run_with(secs(5), &[&srv]);
    assert_eq!(sim.sent_kinds(), [kind::SOLICIT]);
    assert!(sim.sent[0].option(code::RAPID_COMMIT).is_some());
    assert_eq!(sim.c.state(), State::Bound);
    assert_eq!(sim.c.server_id(), Some(SRV_A));
}

#[test]
fn link_change_confirms_and_not_on_link_solicits_again() {
    let a = Server::new(SRV_A);
    let mut sim = bound_sim(&a);
    sim.take_events();
    sim.c.link_changed(sim.now);
    sim.run_with(sim.now + Duration::from_secs(3), &[&a]);
    let confirm = sim.sent.last().unwrap();
    assert_eq!(confirm.kind, kind::CONFIRM);
    assert_eq!(confirm.option(code::SERVERID), None);
    assert_eq!(confirm.ia_entries(code::IA_NA), [(ADDR1, 128)]);
    assert_eq!(sim.c.state(), State::Bound);
    assert_eq!(sim.take_events(), []);

    let mut moved = a.clone();
    moved.confirm_status = status::NOT_ON_LINK;
    moved.answers = vec![kind::CONFIRM];
    sim.c.link_changed(sim.now);
    sim.run_with(sim.now + Duration::from_secs(3), &[&moved]);
    assert_eq!(
        sim.take_events(),
        [Event::AddressRemoved {
            address: ADDR1,
            reason: Removal::NotOnLink
        }]
    );
    assert_eq!(sim.c.state(), State::Soliciting);
}

#[test]
fn unanswered_confirm_keeps_addresses_after_cnf_max_rd() {
    let a = Server::new(SRV_A);
    let mut sim = bound_sim(&a);
    let t0 = sim.now;
    sim.c.link_changed(t0);
    sim.run(t0 + Duration::from_secs(30), &mut |_| vec![]);
    let confirms: StdVec<&Sent> = sim
        .sent
        .iter()
        .filter(|s| s.kind == kind::CONFIRM)
        .collect();
    let first = confirms[0].at;
    assert!(first <= t0 + Duration::from_secs(1), "CNF_MAX_DELAY");
    assert!(
        confirms
            .iter()
            .all(|s| s.at < first + Duration::from_secs(10)),
        "CNF_MAX_RD"
    );
    assert!(confirms.len() >= 3);
    assert_eq!(sim.c.state(), State::Bound);
    assert_eq!(sim.c.addresses().len(), 1);
}

#[test]
fn dad_conflict_declines_then_solicits_for_a_new_address() {
    let a = Server::new(SRV_A);
    let mut sim = bound_sim(&a);
    sim.take_events();
    assert!(!sim.c.dad_conflict(sim.now, ADDR2), "not ours");
    assert!(sim.c.dad_conflict(sim.now, ADDR1));
    assert_eq!(
        sim.take_events_now(),
        [Event::AddressRemoved {
            address: ADDR1,
            reason: Removal::Declined
        }]
    );
    let mut b = a.clone();
    b.addr = Some(ADDR2);
    sim.run_with(sim.now + Duration::from_secs(5), &[&b]);
    let n = sim.sent.len();
    let decline = sim.sent.iter().find(|s| s.kind == kind::DECLINE).unwrap();
    assert_eq!(decline.option(code::SERVERID), Some(SRV_A));
    assert_eq!(decline.ia_entries(code::IA_NA), [(ADDR1, 128)]);
    assert_eq!(
        sim.sent_kinds()[n - 3..],
        [kind::DECLINE, kind::SOLICIT, kind::REQUEST]
    );
    assert_eq!(sim.c.addresses()[0].address, ADDR2);
}

impl Sim {
    fn take_events_now(&mut self) -> StdVec<Event> {
        self.drain_events();
        self.take_events()
    }
}

#[test]
fn stop_releases_and_lost_release_gives_up_after_rel_max_rc() {
    let mut srv = Server::new(SRV_A);
    srv.prefix = Some((PFX, 56));
    for answered in [true, false] {
        let mut sim = Sim::<4, 4, 4>::new(Config::default(), 14);
        sim.c.start(
            Instant::ZERO,
            Mode::Stateful {
                prefix_delegation: true,
            },
        );
        sim.run_with(secs(5), &[&srv]);
        sim.take_events();
        sim.c.stop(sim.now);
        assert_eq!(
            sim.take_events_now(),
            [
                Event::AddressRemoved {
                    address: ADDR1,
                    reason: Removal::Released
                },
                Event::PrefixRemoved {
                    prefix: PFX,
                    prefix_len: 56,
                    reason: Removal::Released
                }
            ]
        );
        if answered {
            sim.run_with(sim.now + Duration::from_secs(60), &[&srv]);
        } else {
            sim.run(sim.now + Duration::from_secs(60), &mut |_| vec![]);
        }
        let releases: StdVec<&Sent> = sim
            .sent
            .iter()
            .filter(|s| s.kind == kind::RELEASE)
            .collect();
        assert_eq!(releases.len(), if answered { 1 } else { 4 });
        assert_eq!(releases[0].option(code::SERVERID), Some(SRV_A));
        assert_eq!(releases[0].ia_entries(code::IA_NA), [(ADDR1, 128)]);
        assert_eq!(releases[0].ia_entries(code::IA_PD), [(PFX, 56)]);
        assert_eq!(sim.c.state(), State::Idle);
        assert_eq!(sim.c.poll_timeout(), None);
        assert!(sim.c.addresses().is_empty() && sim.c.prefixes().is_empty());
    }
}

#[test]
fn restart_reports_each_lease_removal_once() {
    let a = Server::new(SRV_A);
    let mut sim = bound_sim(&a);
    sim.take_events();
    sim.c.link_changed(sim.now);
    sim.c.start(sim.now, stateful());
    assert_eq!(
        sim.take_events_now(),
        [Event::AddressRemoved {
            address: ADDR1,
            reason: Removal::Restarted
        }]
    );
    sim.run_with(sim.now + Duration::from_secs(5), &[&a]);
    assert_eq!(sim.c.state(), State::Bound);
    sim.take_events();
    // Stop, then start again before the Release completes: reported once, as Released.
    sim.c.stop(sim.now);
    sim.c.start(sim.now, stateful());
    assert_eq!(
        sim.take_events_now(),
        [Event::AddressRemoved {
            address: ADDR1,
            reason: Removal::Released
        }]
    );
    assert_eq!(sim.c.state(), State::Soliciting);
}

// ----- Reconfigure (§18.2.11, §20.4) --------------------------------------------------------

const KEY: [u8; 16] = *b"0123456789abcdef";

fn auth_opt(kind_: u8, replay: u64, value: &[u8; 16]) -> StdVec<u8> {
    let mut b = vec![3, 1, 0];
    b.extend_from_slice(&replay.to_be_bytes());
    b.push(kind_);
    b.extend_from_slice(value);
    opt(code::AUTH, &b)
}

fn reconfigure(replay: u64, key: &[u8; 16], what: u8, server: &[u8]) -> StdVec<u8> {
    let mut m = message(
        kind::RECONFIGURE,
        [0, 0, 0],
        &[
            opt(code::SERVERID, server),
            opt(code::CLIENTID, DUID),
            opt(code::RECONF_MSG, &[what]),
            auth_opt(2, replay, &[0; 16]),
        ],
    );
    let auth_body = m.len() - 28;
    auth::sign(key, &mut m, auth_body);
    m
}

#[test]
fn reconfigure_needs_the_key_unicast_and_a_fresh_counter() {
    let mut srv = Server::new(SRV_A);
    srv.extra = vec![auth_opt(1, 1, &KEY)];
    let mut sim = Sim::<4, 4, 4>::new(
        Config {
            reconfigure_accept: true,
            ..Config::default()
        },
        15,
    );
    sim.c.start(Instant::ZERO, stateful());
    sim.run_with(secs(5), &[&srv]);
    assert!(sim.sent[0].option(code::RECONF_ACCEPT).is_some());
    assert!(sim.c.has_reconfigure_key());
    let n = sim.sent.len();
    let now = sim.now;
    // Rejected: multicast, wrong key, stale counter, another server, malformed type.
    sim.c.handle_message(
        now,
        &reconfigure(2, &KEY, kind::RENEW, SRV_A),
        Delivery::Multicast,
    );
    assert_eq!(sim.c.stats().reconfigure_multicast, 1);
    for (i, m) in [
        reconfigure(2, &[0u8; 16], kind::RENEW, SRV_A),
        reconfigure(1, &KEY, kind::RENEW, SRV_A),
        reconfigure(2, &KEY, kind::RENEW, SRV_B),
        reconfigure(2, &KEY, kind::SOLICIT, SRV_A),
    ]
    .iter()
    .enumerate()
    {
        sim.c.handle_message(now, m, Delivery::Unicast);
        assert_eq!(sim.c.stats().reconfigure_rejected, i as u32 + 1);
    }
    // A tampered valid message.
    let mut tampered = reconfigure(2, &KEY, kind::RENEW, SRV_A);
    let l = tampered.len();
    tampered[l - 20] ^= 1;
    sim.c.handle_message(now, &tampered, Delivery::Unicast);
    assert_eq!(sim.c.stats().reconfigure_rejected, 5);
    assert_eq!(sim.c.state(), State::Bound);
    assert!(sim.c.poll_transmit(now, &mut [0u8; 1500]).is_none());
    // Accepted: Renew at once.
    sim.c.handle_message(
        now,
        &reconfigure(2, &KEY, kind::RENEW, SRV_A),
        Delivery::Unicast,
    );
    assert_eq!(sim.c.stats().reconfigure_accepted, 1);
    assert_eq!(sim.c.state(), State::Renewing);
    sim.run_with(now + Duration::from_secs(1), &[&srv]);
    assert_eq!(sim.sent[n].kind, kind::RENEW);
    assert_eq!(sim.sent[n].at, now);
    assert_eq!(sim.c.state(), State::Bound);
    // The same counter again is a replay.
    sim.c.handle_message(
        sim.now,
        &reconfigure(2, &KEY, kind::RENEW, SRV_A),
        Delivery::Unicast,
    );
    assert_eq!(sim.c.stats().reconfigure_rejected, 6);
}

#[test]
fn reconfigure_without_a_key_is_rejected() {
    let srv = Server::new(SRV_A);
    let mut sim = bound_sim(&srv);
    assert!(!sim.c.has_reconfigure_key());
    sim.c.handle_message(
        sim.now,
        &reconfigure(9, &KEY, kind::RENEW, SRV_A),
        Delivery::Unicast,
    );
    assert_eq!(sim.c.stats().reconfigure_rejected, 1);
    assert_eq!(sim.c.state(), State::Bound);
}

#[test]
fn reconfigure_information_request_in_stateless_mode() {
    let mut srv = Server::new(SRV_A);
    srv.extra = vec![auth_opt(1, 1, &KEY)];
    let mut sim = Sim::<4, 4, 4>::new(
        Config {
            reconfigure_accept: true,
            ..Config::default()
        },
        16,
    );
    sim.c.start(Instant::ZERO, Mode::Stateless);
    sim.run_with(secs(5), &[&srv]);
    assert!(sim.sent[0].option(code::RECONF_ACCEPT).is_some());
    // Asking for a Renew of a stateless client is refused; an Information-request is honoured
    // at once, with no INF_MAX_DELAY.
    let now = sim.now;
    sim.c.handle_message(
        now,
        &reconfigure(2, &KEY, kind::RENEW, SRV_A),
        Delivery::Unicast,
    );
    assert_eq!(sim.c.stats().reconfigure_rejected, 1);
    assert_eq!(sim.c.state(), State::Informed);
    sim.c.handle_message(
        now,
        &reconfigure(3, &KEY, kind::INFORMATION_REQUEST, SRV_A),
        Delivery::Unicast,
    );
    assert_eq!(sim.c.stats().reconfigure_accepted, 1);
    assert_eq!(sim.c.state(), State::InformationRequesting);
    sim.run_with(now + Duration::from_secs(1), &[&srv]);
    assert_eq!(sim.sent_kinds(), [kind::INFORMATION_REQUEST; 2]);
    assert_eq!(sim.sent[1].at, now);
    assert_eq!(sim.c.state(), State::Informed);
}

// ----- long runs -----------------------------------------------------------------------------

#[test]
fn thirty_days_of_renewals_without_state_growth() {
    let mut srv = Server::new(SRV_A);
    srv.prefix = Some((PFX, 56));
    srv.extra = vec![opt(code::DNS_SERVERS, &DNS1.octets())];
    let mut sim = Sim::<4, 4, 4>::new(Config::default(), 17);
    sim.c.start(
        Instant::ZERO,
        Mode::Stateful {
            prefix_delegation: true,
        },
    );
    sim.run_with(secs(5), &[&srv]);
    let snapshot = |c: &C| {
        (
            c.addresses().len(),
            c.prefixes().len(),
            c.dns_servers().len(),
            c.events.len(),
            c.tx_times.len(),
            c.declining.len(),
            c.offer.is_some(),
        )
    };
    let bound = snapshot(&sim.c);
    let bound_at = sim.sent[1].at;
    let mut day = 0;
    while day < 30 {
        day += 1;
        sim.run_with(secs(day * 86_400), &[&srv]);
        assert_eq!(sim.c.state(), State::Bound);
        let s = snapshot(&sim.c);
        assert_eq!(
            (s.0, s.1, s.2, s.5, s.6),
            (bound.0, bound.1, bound.2, bound.5, bound.6)
        );
        assert_eq!(s.3, 0, "events drained");
        sim.sent.clear();
        sim.events.clear();
    }
    // Every T1 (1800 s) a Renew, each answered at once.
    let st = sim.c.stats();
    let renews = (30 * 86_400_000 - bound_at.total_millis()) / 1_800_000;
    assert_eq!(st.transmitted as u64, 2 + renews);
    assert!(renews >= 1439);
    assert_eq!(st.exchanges_failed, 0);
    assert_eq!(st.events_dropped, 0);
    assert_eq!(st.leases_over_capacity, 0);
}

#[test]
fn deterministic_for_a_seed() {
    let srv = Server::new(SRV_A);
    let run = |seed| {
        let mut sim = Sim::<4, 4, 4>::new(Config::default(), seed);
        sim.c.start(Instant::ZERO, stateful());
        sim.run_with(secs(10_000), &[&srv]);
        sim.sent
            .iter()
            .map(|s| (s.at, s.bytes.clone()))
            .collect::<StdVec<_>>()
    };
    assert_eq!(run(5), run(5));
    assert_ne!(run(5), run(6));
}

#[test]
fn new_rejects_bad_duids_and_hints() {
    for n in [0usize, 1, 2, 131] {
        assert_eq!(
            C::new(&vec![0; n], Config::default(), 0).err(),
            Some(ConfigError::BadDuidLength(n))
        );
    }
    for n in [3usize, 130] {
        assert!(C::new(&vec![0; n], Config::default(), 0).is_ok());
    }
    let cfg = Config {
        prefix_length_hint: Some(129),
        ..Config::default()
    };
    assert_eq!(
        C::new(DUID, cfg, 0).err(),
        Some(ConfigError::BadPrefixLengthHint(129))
    );
}

#[test]
fn size_of_a_client_in_each_configuration() {
    // The mode is chosen at run time; what a deployment sizes is the capacities. Printed for
    // the report; the bounds keep an accidental blow-up visible.
    let stateless = core::mem::size_of::<Client<0, 0, 2>>();
    let host = core::mem::size_of::<Client<2, 0, 2>>();
    let router_pd = core::mem::size_of::<Client<0, 4, 2>>();
    let both = core::mem::size_of::<Client<4, 4, 4>>();
    std::println!(
        "size_of Client: stateless <0,0,2> = {stateless}, stateful host <2,0,2> = {host}, \
         PD-only router <0,4,2> = {router_pd}, stateful+PD <4,4,4> = {both}, \
         Event = {}, Lease = {}",
        core::mem::size_of::<Event>(),
        core::mem::size_of::<Lease>()
    );
    assert!(both < 6 * 1024);
    // Zero capacities are usable: a stateless client with no lease storage works.
    let srv = Server::new(SRV_A);
    let mut sim = Sim::<0, 0, 2>::new(Config::default(), 1);
    sim.c.start(Instant::ZERO, Mode::Stateless);
    sim.run_with(secs(5), &[&srv]);
    assert_eq!(sim.c.state(), State::Informed);
    assert_eq!(sim.c.dns_servers(), [DNS1]);
}

// ----- no input panics -----------------------------------------------------------------------

mod prop {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn arbitrary_datagrams_never_panic_in_any_state(
            seed in any::<u64>(),
            msgs in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..300), 1..8),
            with_header in any::<bool>(),
        ) {
            let mut srv = Server::new(SRV_A);
            srv.prefix = Some((PFX, 56));
            for mode in [stateful(), Mode::Stateless, Mode::PrefixDelegation] {
                let mut sim = Sim::<2, 2, 2>::new(Config { reconfigure_accept: true, ..Config::default() }, seed);
                sim.c.start(Instant::ZERO, mode);
                sim.run_with(secs(5), &[&srv]);
                for m in &msgs {
                    let mut m = m.clone();
                    if with_header && m.len() >= 4 {
                        // Make it look like ours: right type and transaction ID.
                        m[0] = [kind::ADVERTISE, kind::REPLY, kind::RECONFIGURE][m[0] as usize % 3];
                        if let Some(last) = sim.sent.last() {
                            m[1..4].copy_from_slice(&last.xid);
                        }
                    }
                    sim.c.handle_message(sim.now, &m, Delivery::Unicast);
                    let mut buf = [0u8; 1500];
                    let _ = sim.c.poll_transmit(sim.now, &mut buf);
                    while sim.c.poll_event().is_some() {}
                }
                let t = sim.now + Duration::from_secs(100_000);
                sim.run_with(t, &[&srv]);
                // Whatever came in, it recovers a binding or configuration.
                prop_assert!(matches!(sim.c.state(), State::Bound | State::Informed));
            }
        }

        #[test]
        fn structured_replies_never_panic(
            t1 in any::<u32>(), t2 in any::<u32>(), p in any::<u32>(), v in any::<u32>(),
            plen in any::<u8>(), status_code in 0u16..8, seed in any::<u64>(),
        ) {
            let mut sim = Sim::<2, 2, 2>::new(Config::default(), seed);
            sim.c.start(Instant::ZERO, Mode::Stateful { prefix_delegation: true });
            sim.run(secs(2_000), &mut |s| {
                let body = vec![
                    opt(code::SERVERID, SRV_A),
                    opt(code::CLIENTID, DUID),
                    ia(code::IA_NA, 1, t1, t2, &[iaaddr(ADDR1, p, v), status_opt(status_code)]),
                    ia(code::IA_PD, 1, t1, t2, &[iaprefix(PFX, plen, p, v)]),
                ];
                let k = if s.kind == kind::SOLICIT { kind::ADVERTISE } else { kind::REPLY };
                vec![message(k, s.xid, &body)]
            });
            prop_assert!(sim.c.addresses().len() <= 2);
        }
    }
}

// ----- restoring a saved binding (§18.2.12) ----------------------------------------------------

fn saved(address: Ipv6Addr, prefix_len: u8, preferred: u64, valid: u64, at: Instant) -> Lease {
    Lease {
        address,
        prefix_len,
        preferred: Duration::from_secs(preferred),
        valid: Duration::from_secs(valid),
        received_at: at,
        iaid: 99,
    }
}

#[test]
fn restored_addresses_are_confirmed_not_solicited_then_renewed_at_the_saved_t1() {
    let mut sim: Sim = Sim::new(Config::default(), 7);
    sim.now = secs(100);
    let lease = saved(ADDR1, 128, 3000, 6000, sim.now);
    let r = sim.c.restore(
        sim.now,
        &Binding {
            mode: stateful(),
            server_id: SRV_A,
            addresses: &[lease],
            prefixes: &[],
            renew_in: Duration::from_secs(40),
            rebind_in: Duration::from_secs(70),
        },
    );
    assert_eq!(r, Restored::Confirming);
    assert_eq!(sim.c.state(), State::Confirming);
    assert_eq!(sim.c.server_id(), Some(SRV_A));
    let mut expect = lease;
    expect.iaid = Config::default().iaid_na;
    assert_eq!(sim.c.poll_event(), Some(Event::AddressBound(expect)));
    assert_eq!(sim.c.poll_event(), None);
    let server = Server::new(SRV_A);
    sim.run_with(secs(139), &[&server]);
    assert_eq!(sim.sent_kinds(), vec![kind::CONFIRM]);
    assert_eq!(sim.sent[0].ia_entries(code::IA_NA), vec![(ADDR1, 128)]);
    assert_eq!(
        sim.sent[0].option(code::SERVERID),
        None,
        "Confirm names no server"
    );
    assert_eq!(sim.c.state(), State::Bound);
    assert_eq!(sim.c.addresses(), &[expect]);
    // T1 as saved: 40 s after the restore, a Renew to the saved server.
    sim.run_with(secs(141), &[&server]);
    assert_eq!(sim.sent_kinds(), vec![kind::CONFIRM, kind::RENEW]);
    assert!(sim.sent[1].at >= secs(140));
    assert_eq!(sim.sent[1].option(code::SERVERID), Some(SRV_A));
}

#[test]
fn restored_prefixes_are_rebound() {
    let config = Config::default();
    let mut sim: Sim = Sim::new(config, 3);
    sim.now = secs(10);
    let r = sim.c.restore(
        sim.now,
        &Binding {
            mode: Mode::PrefixDelegation,
            server_id: SRV_A,
            addresses: &[saved(ADDR2, 128, 100, 200, sim.now)],
            prefixes: &[saved(PFX, 56, 3000, 6000, sim.now)],
            renew_in: Duration::from_secs(40),
            rebind_in: Duration::from_secs(70),
        },
    );
    assert_eq!(r, Restored::Rebinding);
    let mut server = Server::new(SRV_A);
    server.prefix = Some((PFX, 56));
    sim.run_with(secs(12), &[&server]);
    assert_eq!(sim.sent_kinds(), vec![kind::REBIND]);
    assert_eq!(sim.sent[0].ia_entries(code::IA_PD), vec![(PFX, 56)]);
    // Prefix delegation only: the saved address is not resumed.
    assert_eq!(sim.sent[0].option(code::IA_NA), None);
    assert!(sim.c.addresses().is_empty());
    assert_eq!(sim.c.state(), State::Bound);
    assert_eq!(sim.c.prefixes().len(), 1);
    // The Rebind's Reply set T1 from the server (1800 s).
    assert_eq!(
        sim.c.renew_at(),
        Some(sim.sent[0].at + Duration::from_secs(1800))
    );
}

#[test]
fn nothing_usable_to_restore_starts_afresh() {
    let now = secs(500);
    let expired = saved(ADDR1, 128, 10, 20, secs(1));
    let cases: [(Mode, &[u8], &[Lease]); 4] = [
        (stateful(), SRV_A, &[expired]),
        (stateful(), SRV_A, &[]),
        (stateful(), &[], &[saved(ADDR1, 128, 10, 20, now)]),
        (Mode::Stateless, SRV_A, &[saved(ADDR1, 128, 10, 20, now)]),
    ];
    for (mode, server_id, addresses) in cases {
        let mut c: Client = Client::new(DUID, Config::default(), 1).unwrap();
        let r = c.restore(
            now,
            &Binding {
                mode,
                server_id,
                addresses,
                prefixes: &[],
                renew_in: Duration::from_secs(1),
                rebind_in: Duration::from_secs(2),
            },
        );
        assert_eq!(r, Restored::Started, "{mode:?} {server_id:?} {addresses:?}");
        assert!(c.addresses().is_empty());
        assert_eq!(c.poll_event(), None);
        let expect = if mode == Mode::Stateless {
            State::InformationRequesting
        } else {
            State::Soliciting
        };
        assert_eq!(c.state(), expect);
    }
}

#[test]
fn a_restored_address_not_on_link_is_removed_and_the_client_solicits() {
    let mut sim: Sim = Sim::new(Config::default(), 5);
    let mut server = Server::new(SRV_B);
    server.confirm_status = status::NOT_ON_LINK;
    server.answers = vec![kind::CONFIRM];
    sim.c.restore(
        sim.now,
        &Binding {
            mode: stateful(),
            server_id: SRV_A,
            addresses: &[saved(ADDR1, 128, 3000, 6000, sim.now)],
            prefixes: &[],
            renew_in: Duration::from_secs(1500),
            rebind_in: Duration::from_secs(2400),
        },
    );
    sim.drain_events();
    sim.run_with(secs(3), &[&server]);
    let events = sim.take_events();
    assert!(events.contains(&Event::AddressRemoved {
        address: ADDR1,
        reason: Removal::NotOnLink
    }));
    assert!(sim.c.addresses().is_empty());
    assert_eq!(sim.c.state(), State::Soliciting);
}
