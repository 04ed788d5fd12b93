//! sixconf-core on a Cortex-M3 with no allocator: the RA [`Advertiser`] and the DHCPv6
//! [`Server`] (64-lease table in static storage) answer canned packets, and every reply is
//! checked field by field. Runs in QEMU (`-machine lm3s6965evb`); the result leaves through
//! semihosting: exit status 0 when every check holds, 1 on any mismatch or panic.
//!
//! Packets in: the seed's OpenStack capture (`/work/shared/seeds/000_…`, also golden bytes in
//! the core's tests): its Router Solicitation and its DHCPv6 Solicit, byte for byte. The
//! Request and the Renew are built with the core's builder the way the client would (its DUID
//! and IAID from the Solicit, the server DUID and address from our Advertise), because the
//! seed's own Request asks for the address dnsmasq offered, not ours. Then 63 more clients fill
//! the table to its 64 leases and a 65th is refused (NoAddrsAvail), so the static table is
//! exercised to its capacity.
//!
//! RAM use is measured too: the stack is painted at start and the high-water mark printed.

#![no_std]
#![no_main]

use core::net::Ipv6Addr;

use cortex_m_rt::{entry, exception, ExceptionFrame};
use cortex_m_semihosting::{debug, hio};

use sixconf_core::dhcpv6::server::{
    AddressPool, LeaseEventKind, Lifetimes, Limits, LinkConfig, Prefix as PoolPrefix, RxMeta,
    Server, Slot,
};
use sixconf_core::profile::{AddressPool as ProfilePool, Mode, Prefix, Profile};
use sixconf_core::ra::{Advertiser, Link, Reason};
use sixconf_core::time::{Duration, Instant};
use sixconf_core::wire::dhcpv6::{
    build, DhcpOption, DuidBuf, MessageRepr, MessageType, OptionCode, Packet, StatusCode,
};
use sixconf_core::wire::icmpv6::{self, Message};
use sixconf_core::wire::ndisc::{IpMeta, NdOption, RouterAdvertRepr};

/// Leases the table holds (the goal: 64 in at most 16 KiB of RAM).
const LEASES: usize = 64;
/// Lease event queue: drained after every message here, so it needs only the room one message
/// can fill: 2 x the per-client caps (one address a client, no prefix; see `limits`).
const EVENTS: usize = 2;
/// DUID bytes a lease slot holds: DUID-LLT (14) and DUID-LL (10) on Ethernet fit; a longer DUID
/// is refused (NoAddrsAvail, counted). 96 bytes a slot instead of 112 with the default 32.
const DUID_CAP: usize = 16;
/// One lease slot.
type FwSlot = Slot<DUID_CAP>;
/// Rate-limit buckets (the host default is 256).
const RATE: usize = 16;
/// IAs served per message (the host default is 32): a client's IA_NA and IA_PD with room to
/// spare; the reply's IAs are collected on the stack, about 90 bytes each.
const IAS: usize = 4;
/// The server as configured for this board.
type FwServer = Server<&'static mut [FwSlot; LEASES], 1, EVENTS, RATE, DUID_CAP, IAS>;

/// The seed's Router Solicitation (`fe80::f816:3eff:fe79:5acc > ff02::2`, SLLA fa:16:3e:79:5a:cc).
const SEED_RS: [u8; 16] = unhex("85005875000000000101fa163e795acc");
/// The seed's stateful Solicit (xid 85680b, DUID-LLT fa:16:3e:22:38:6b, IA_NA 1042430059).
const SEED_SOLICIT: [u8; 56] = unhex(
    "0185680b0001000e000100011cc18c25fa163e22386b00060008001700180027001f0008000200650003000c3e22386b00000e1000001518",
);
/// The seed's client DUID and IAID (as in the Solicit above).
const CLIENT_DUID: [u8; 14] = unhex("000100011cc18c25fa163e22386b");
const IAID: u32 = 1_042_430_059;
/// The seed's server DUID (DUID-LL fa:16:3e:06:17:6f): ours here.
const SERVER_DUID: [u8; 10] = unhex("00030001fa163e06176f");

const ROUTER_LL: Ipv6Addr = Ipv6Addr::new(0xfe80, 0, 0, 0, 0xf816, 0x3eff, 0xfe06, 0x176f);
const RS_HOST: Ipv6Addr = Ipv6Addr::new(0xfe80, 0, 0, 0, 0xf816, 0x3eff, 0xfe79, 0x5acc);
const CLIENT_LL: Ipv6Addr = Ipv6Addr::new(0xfe80, 0, 0, 0, 0xf816, 0x3eff, 0xfe22, 0x386b);
const ALL_ROUTERS: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 2);
const ALL_DHCP: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 1, 2);
/// The seed's stateful subnet.
const PREFIX: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0xcafe, 1, 0, 0, 0, 0);
const POOL_FIRST: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0xcafe, 1, 0, 0, 0, 0x100);
const POOL_LAST: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0xcafe, 1, 0, 0, 0, 0x1ff);
const DNS: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0xcafe, 0xa, 0, 0, 0, 0xe);
/// The seed's Reply lifetimes: preferred 7200 s, valid 7500 s, T1 3600 s, T2 6300 s.
const PREFERRED: u32 = 7200;
const VALID: u32 = 7500;
const T1: u32 = 3600;
const T2: u32 = 6300;
const IFINDEX: u32 = 2;

/// Hex string to bytes at compile time (a bad digit or length fails the build).
const fn unhex<const N: usize>(s: &str) -> [u8; N] {
    const fn nibble(c: u8) -> u8 {
        match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            _ => panic!("not a lower-case hex digit"),
        }
    }
    let b = s.as_bytes();
    assert!(b.len() == 2 * N, "hex length");
    let mut out = [0u8; N];
    let mut i = 0;
    while i < N {
        out[i] = nibble(b[2 * i]) << 4 | nibble(b[2 * i + 1]);
        i += 1;
    }
    out
}

/// Lines to the host's stdout through semihosting, written without `core::fmt`: its machinery
/// (`Formatter`, padding, the integer `Display`s, an `Arguments` at every call site) is about
/// 5 KB of flash. Numbers are `u32`, so no 64-bit division (0.9 KB) is linked for printing.
struct Con {
    line: heapless::Vec<u8, 128>,
}

impl Con {
    const fn new() -> Con {
        Con {
            line: heapless::Vec::new(),
        }
    }

    /// Text (cut at the line's capacity).
    #[inline(never)]
    fn s(&mut self, s: &str) -> &mut Con {
        for &b in s.as_bytes() {
            let _ = self.line.push(b);
        }
        self
    }

    /// A number in decimal.
    fn n(&mut self, v: u32) -> &mut Con {
        self.digits(v, 10)
    }

    /// A number in lower-case hex, without leading zeros.
    fn x(&mut self, v: u32) -> &mut Con {
        self.digits(v, 16)
    }

    #[inline(never)]
    fn digits(&mut self, mut v: u32, base: u32) -> &mut Con {
        let mut d = [0u8; 10];
        let mut i = d.len();
        loop {
            i -= 1;
            d[i] = b"0123456789abcdef"[(v % base) as usize];
            v /= base;
            if v == 0 {
                break;
            }
        }
        for &b in &d[i..] {
            let _ = self.line.push(b);
        }
        self
    }

    /// An address as eight hex groups, without `::` compression.
    #[inline(never)]
    fn a(&mut self, a: Ipv6Addr) -> &mut Con {
        for (i, g) in a.segments().iter().enumerate() {
            if i > 0 {
                self.s(":");
            }
            self.x(u32::from(*g));
        }
        self
    }

    /// End the line and write it out.
    #[inline(never)]
    fn nl(&mut self) {
        let _ = self.line.push(b'\n');
        if let Ok(mut out) = hio::hstdout() {
            let _ = out.write_all(&self.line);
        }
        self.line.clear();
    }
}

/// Counts checks and failures; prints each failure.
struct Checks {
    run: u32,
    failed: u32,
    con: Con,
}

impl Checks {
    fn check(&mut self, what: &str, ok: bool) {
        self.run += 1;
        if !ok {
            self.failed += 1;
            self.con.s("  FAIL: ").s(what).nl();
        }
    }
}

/// Seconds as `u32` for printing, in 32-bit arithmetic (`Instant::secs` divides a `u64`);
/// saturating (the run spans a few hours of simulated time).
fn secs32(t: Instant) -> u32 {
    u32::try_from(t.total_millis()).map_or(u32::MAX, |ms| ms / 1000)
}

/// The parts of one DHCPv6 reply the checks look at (the first IA_NA only).
struct Reply {
    msg_type: MessageType,
    xid: u32,
    client_ok: bool,
    server_ok: bool,
    iaid: Option<u32>,
    t1: u32,
    t2: u32,
    /// (address, preferred, valid) of the IA_NA's first address.
    addr: Option<(Ipv6Addr, u32, u32)>,
    ia_status: Option<StatusCode>,
    dns_ok: bool,
}

fn decode_reply(bytes: &[u8], client: &[u8]) -> Option<Reply> {
    // A client/server message: the server answers directly here (no relay layers to parse).
    let m = MessageRepr::parse(&Packet::new_unchecked(bytes)).ok()?;
    let mut r = Reply {
        msg_type: m.msg_type,
        xid: m.transaction_id,
        client_ok: m.client_id().map(|d| d.as_bytes()) == Some(client),
        server_ok: m.server_id().map(|d| d.as_bytes()) == Some(&SERVER_DUID[..]),
        iaid: None,
        t1: 0,
        t2: 0,
        addr: None,
        ia_status: None,
        dns_ok: false,
    };
    for o in m.options.iter() {
        match o {
            DhcpOption::IaNa(ia) if r.iaid.is_none() => {
                r.iaid = Some(ia.iaid);
                r.t1 = ia.t1;
                r.t2 = ia.t2;
                r.addr = ia
                    .addresses()
                    .next()
                    .map(|a| (a.address, a.preferred_lifetime, a.valid_lifetime));
                r.ia_status = ia.status().map(|s| s.code);
            }
            DhcpOption::DnsServers(d) => r.dns_ok = d.iter().eq([DNS]),
            _ => {}
        }
    }
    Some(r)
}

/// A client message as the seed's client builds it: header, Client ID, Server ID (if any),
/// ORO, Elapsed Time, one IA_NA (with the address, if any).
fn client_msg(
    buf: &mut [u8],
    t: MessageType,
    xid: u32,
    client: &[u8],
    server: Option<&[u8]>,
    iaid: u32,
    addr: Option<Ipv6Addr>,
) -> usize {
    build(buf, |w| {
        w.header(t, xid);
        w.option(OptionCode::ClientId.into(), client);
        if let Some(s) = server {
            w.option(OptionCode::ServerId.into(), s);
        }
        w.oro(&[OptionCode::DnsServers, OptionCode::DomainList]);
        w.elapsed_time(0);
        w.begin_ia_na(iaid, T1, 5400);
        if let Some(a) = addr {
            w.ia_addr(a, PREFERRED, VALID);
        }
        w.end();
    })
    .unwrap_or(0)
}

fn in_pool(a: Ipv6Addr) -> bool {
    (u128::from(POOL_FIRST)..=u128::from(POOL_LAST)).contains(&u128::from(a))
}

fn at(secs: u64) -> Instant {
    Instant::from_secs(secs)
}

/// The RA side: the seed's RS in, our RA out, decoded and compared with the profile.
/// Not inlined, so that its frame is gone before the server's starts.
#[inline(never)]
fn run_advertiser(c: &mut Checks) {
    let mut profile: Profile<1> = Profile::new(Mode::Dhcpv6Stateful);
    profile.set_max_interval(10_000); // router lifetime 30 s, as the seed's RAs
    profile.router.unicast_rs_replies = true;
    profile.dhcpv6.pool = Some(ProfilePool {
        start: POOL_FIRST,
        end: POOL_LAST,
    });
    c.check(
        "profile takes the prefix",
        profile.add_prefix(Prefix::new(PREFIX, 64)).is_ok(),
    );
    let link = Link {
        link_local: ROUTER_LL,
        mtu: 1500,
    };
    let mut adv = match Advertiser::new(profile, link, 0x5eed, Instant::ZERO) {
        Ok(adv) => adv,
        Err(_) => {
            c.check("Advertiser::new (profile validates)", false);
            return;
        }
    };
    let mut buf = [0u8; 256];
    // The first unsolicited RA is due at once; send it.
    let mut unsolicited = 0;
    while let Some(tx) = adv.poll_transmit(Instant::ZERO, &mut buf) {
        unsolicited += usize::from(tx.reason == Reason::Unsolicited);
    }
    c.check("first unsolicited RA at start", unsolicited == 1);

    // Periodic RAs up to 5 s (initial intervals are random), then the seed's RS. The router
    // answers by unicast (radvd's AdvRASolicitedUnicast), after a random 0..=500 ms.
    let mut now;
    let rs_at = at(5);
    while let Some(t) = adv.poll_timeout().filter(|t| *t <= rs_at) {
        now = t;
        adv.handle_timeout(now);
        while adv.poll_transmit(now, &mut buf).is_some() {}
    }
    let meta = IpMeta {
        src: RS_HOST,
        dst: ALL_ROUTERS,
        hop_limit: 255,
        had_fragment_header: false,
    };
    adv.handle_icmpv6(rs_at, &meta, &SEED_RS);
    c.check("RS accepted", adv.counters().rs_received == 1);
    let mut answer = None;
    while let Some(t) = adv
        .poll_timeout()
        .filter(|t| *t <= rs_at + Duration::from_secs(1))
    {
        now = t;
        adv.handle_timeout(now);
        while let Some(tx) = adv.poll_transmit(now, &mut buf) {
            if tx.dst == RS_HOST && answer.is_none() {
                answer = Some((now, tx));
            }
        }
        if answer.is_some() {
            break;
        }
    }
    let Some((due, tx)) = answer else {
        c.check("unicast RA to the soliciting host", false);
        return;
    };
    c.check(
        "answer within MAX_RA_DELAY_TIME",
        due >= rs_at && due <= rs_at + Duration::from_millis(500),
    );
    c.check("solicited RA", tx.reason == Reason::Solicited);
    c.check("RA from the router's link-local", tx.src == ROUTER_LL);
    c.check("single-packet RA", tx.last_part);
    let bytes = buf.get(..tx.len).unwrap_or_default();
    // An RA, its checksum correct for src -> dst (decoded as an RA only: the general
    // `Repr::parse_verified` would also link the NS, NA and Redirect decoders).
    let ra = icmpv6::Packet::new_checked(bytes)
        .ok()
        .filter(|p| p.msg_type() == Message::RouterAdvert && p.verify_checksum(&tx.src, &tx.dst))
        .and_then(|p| RouterAdvertRepr::parse(&p).ok());
    let Some(ra) = ra else {
        c.check("RA decodes, checksum correct", false);
        return;
    };
    c.check("M=1 (stateful)", ra.managed);
    c.check("O=0", !ra.other);
    c.check("hop limit 64", ra.cur_hop_limit == 64);
    c.check("router lifetime 30 s", ra.router_lifetime == 30);
    let mut pios = 0;
    for o in ra.options.iter() {
        if let NdOption::PrefixInformation(p) = o {
            pios += 1;
            c.check(
                "PIO prefix 2001:db8:cafe:1::/64",
                p.prefix == PREFIX && p.prefix_len == 64,
            );
            c.check("PIO L=1, A=0 (stateful)", p.on_link && !p.autonomous);
            c.check(
                "PIO lifetimes 86400/14400",
                p.valid_lifetime == 86_400 && p.preferred_lifetime == 14_400,
            );
        }
    }
    c.check("one PIO", pios == 1);
    c.con
        .s("RA: ")
        .n(tx.len as u32)
        .s(" bytes to ")
        .a(tx.dst)
        .s(", M=")
        .n(ra.managed.into())
        .s(" O=")
        .n(ra.other.into())
        .s(" lifetime ")
        .n(ra.router_lifetime.into())
        .s(" s, prefix ")
        .a(PREFIX)
        .s("/64")
        .nl();
}

/// The link, configured in place (the `LinkConfig` is 3.6 KB: built in the vector it is moved
/// into the server with, not built elsewhere and copied in).
fn configure_link(l: &mut LinkConfig) {
    l.ifindex = Some(IFINDEX);
    let _ = l.prefixes.push(PoolPrefix::new(PREFIX, 64));
    let _ = l
        .address_pools
        .push(AddressPool::new(POOL_FIRST, POOL_LAST));
    let _ = l.dns_servers.push(DNS);
    l.address_lifetimes = Lifetimes {
        preferred: PREFERRED,
        valid: VALID,
        t1: Some(T1),
        t2: Some(T2),
    };
}

/// The server for this board. Not inlined: the link configuration is built here and moved
/// into the server, and this frame is gone before the first message is handled.
#[inline(never)]
fn make_server(c: &mut Checks, duid: DuidBuf, slots: &'static mut [FwSlot; LEASES]) -> FwServer {
    let mut links = heapless::Vec::<LinkConfig, 1>::new();
    let _ = links.push(LinkConfig::default());
    let valid = match links.first_mut() {
        Some(l) => {
            configure_link(l);
            l.validate().is_ok()
        }
        None => false,
    };
    c.check("link config validates", valid);
    // One address a client and no prefix (this link has no prefix pool): 2 events a message.
    let limits = Limits {
        max_addresses_per_client: 1,
        max_prefixes_per_client: 0,
        ..Limits::default()
    };
    Server::new(duid, links, limits, slots, 0x5eed)
}

/// The DHCPv6 side: Solicit, Request, Renew from the seed's client, then 63 more clients.
#[inline(never)]
fn run_server(c: &mut Checks, slots: &'static mut [FwSlot; LEASES]) {
    let Ok(duid) = DuidBuf::from_bytes(&SERVER_DUID) else {
        c.check("server DUID", false);
        return;
    };
    let mut server = make_server(c, duid, slots);
    exchange(c, &mut server);
}

/// The messages and their checks. Not inlined: its buffers and temporaries are then not on
/// the stack while [`make_server`] runs (the deepest point otherwise).
#[inline(never)]
fn exchange(c: &mut Checks, server: &mut FwServer) {
    let meta = RxMeta {
        ifindex: IFINDEX,
        src: CLIENT_LL,
        dst: ALL_DHCP,
        source_mac: None,
    };
    let mut out = [0u8; 512];
    let mut msg = [0u8; 128];

    // Solicit (the seed's bytes) -> Advertise offering an address of the pool, binding nothing.
    let tx = server.handle_message(at(10), &meta, &SEED_SOLICIT, &mut out);
    let Ok(tx) = tx else {
        c.check("Advertise sent", false);
        return;
    };
    c.check(
        "Advertise to the client's port 546",
        tx.port == 546 && tx.dst == CLIENT_LL,
    );
    c.check("Advertise needs no commit", tx.commit_through.is_none());
    let Some(adv) = decode_reply(out.get(..tx.len).unwrap_or_default(), &CLIENT_DUID) else {
        c.check("Advertise decodes", false);
        return;
    };
    c.check("Advertise type", adv.msg_type == MessageType::Advertise);
    c.check("Advertise xid 85680b", adv.xid == 0x85680b);
    c.check(
        "Advertise client/server IDs",
        adv.client_ok && adv.server_ok,
    );
    c.check("Advertise IA_NA IAID", adv.iaid == Some(IAID));
    c.check("Advertise T1/T2", adv.t1 == T1 && adv.t2 == T2);
    c.check("Advertise DNS server", adv.dns_ok);
    let offered = match adv.addr {
        Some((a, p, v)) => {
            c.check("offered lifetimes 7200/7500", p == PREFERRED && v == VALID);
            a
        }
        None => Ipv6Addr::UNSPECIFIED,
    };
    // The one deliberately inverted check (feature `invert-check`), to prove a mismatch fails.
    let pool_ok = in_pool(offered);
    c.check(
        "offered address in the pool",
        if cfg!(feature = "invert-check") {
            !pool_ok
        } else {
            pool_ok
        },
    );
    c.check("Solicit binds nothing", server.table().is_empty());
    c.check("no lease event for Solicit", server.poll_event().is_none());
    c.con
        .s("Advertise: ")
        .n(tx.len as u32)
        .s(" bytes, offers ")
        .a(offered)
        .nl();

    // Request for the offered address -> Reply binding it, after its lease event.
    let n = client_msg(
        &mut msg,
        MessageType::Request,
        0x9cb172,
        &CLIENT_DUID,
        Some(&SERVER_DUID),
        IAID,
        Some(offered),
    );
    let req_at = at(11);
    let bound_until =
        match server.handle_message(req_at, &meta, msg.get(..n).unwrap_or_default(), &mut out) {
            Ok(tx) => {
                let r = decode_reply(out.get(..tx.len).unwrap_or_default(), &CLIENT_DUID);
                let ok = r.as_ref().is_some_and(|r| {
                    r.msg_type == MessageType::Reply
                        && r.xid == 0x9cb172
                        && r.client_ok
                        && r.server_ok
                        && r.iaid == Some(IAID)
                        && r.ia_status.is_none_or(|s| s == StatusCode::Success)
                });
                c.check("Reply to Request: type, xid, IDs, IA", ok);
                c.check(
                    "Reply binds the offered address 7200/7500",
                    r.as_ref().and_then(|r| r.addr) == Some((offered, PREFERRED, VALID)),
                );
                let ev = server.poll_event();
                c.check(
                    "Reply waits for its lease event",
                    tx.commit_through.is_some() && ev.map(|e| e.seq) == tx.commit_through,
                );
                let ev_ok = ev.is_some_and(|e| {
                    e.kind == LeaseEventKind::Bound
                        && e.lease.address == offered
                        && e.lease.iaid == IAID
                        && e.lease.duid.as_bytes() == CLIENT_DUID
                        && e.lease.valid_until == req_at + Duration::from_secs(VALID.into())
                });
                c.check("Bound event: address, IAID, DUID, valid until", ev_ok);
                c.check("one binding", server.table().len() == 1);
                c.con
                    .s("Reply (Request): ")
                    .n(tx.len as u32)
                    .s(" bytes, binds ")
                    .a(offered)
                    .nl();
                ev.map(|e| e.lease.valid_until).unwrap_or(Instant::ZERO)
            }
            Err(_) => {
                c.check("Reply to Request", false);
                Instant::ZERO
            }
        };

    // Renew at T1 -> Reply with the same address and lifetimes extended from now.
    let renew_at = req_at + Duration::from_secs(T1.into());
    let n = client_msg(
        &mut msg,
        MessageType::Renew,
        0x0c0ffe,
        &CLIENT_DUID,
        Some(&SERVER_DUID),
        IAID,
        Some(offered),
    );
    match server.handle_message(renew_at, &meta, msg.get(..n).unwrap_or_default(), &mut out) {
        Ok(tx) => {
            let r = decode_reply(out.get(..tx.len).unwrap_or_default(), &CLIENT_DUID);
            c.check(
                "Reply to Renew: type, xid",
                r.as_ref()
                    .is_some_and(|r| r.msg_type == MessageType::Reply && r.xid == 0x0c0ffe),
            );
            c.check(
                "Renew keeps the address, full lifetimes",
                r.as_ref().and_then(|r| r.addr) == Some((offered, PREFERRED, VALID)),
            );
            let ev = server.poll_event();
            let until = ev.map(|e| e.lease.valid_until).unwrap_or(Instant::ZERO);
            c.check(
                "Renewed event extends valid-until by T1",
                ev.is_some_and(|e| e.kind == LeaseEventKind::Renewed)
                    && until == renew_at + Duration::from_secs(VALID.into())
                    && until > bound_until,
            );
            c.con
                .s("Reply (Renew): ")
                .n(tx.len as u32)
                .s(" bytes, valid until ")
                .n(secs32(until))
                .s(" s (was ")
                .n(secs32(bound_until))
                .s(" s)")
                .nl();
        }
        Err(_) => {
            c.check("Reply to Renew", false);
        }
    }

    // 63 more clients fill the 64-lease table; the 65th gets NoAddrsAvail.
    let mut bound = 1;
    for i in 0..LEASES as u32 {
        let mut duid = [0, 3, 0, 1, 0x02, 0, 0, 0, 0, 0];
        duid[6..].copy_from_slice(&i.to_be_bytes());
        let n = client_msg(
            &mut msg,
            MessageType::Request,
            0x100 + i,
            &duid,
            Some(&SERVER_DUID),
            i,
            None,
        );
        let now = at(4000);
        let r = server
            .handle_message(now, &meta, msg.get(..n).unwrap_or_default(), &mut out)
            .ok()
            .and_then(|tx| decode_reply(out.get(..tx.len).unwrap_or_default(), &duid));
        while server.poll_event().is_some() {}
        let Some(r) = r else {
            c.check("Reply to every Request", false);
            continue;
        };
        if i + 1 < LEASES as u32 {
            let ok = r
                .addr
                .is_some_and(|(a, _, v)| in_pool(a) && a != offered && v == VALID);
            bound += usize::from(ok);
        } else {
            c.check(
                "65th client: NoAddrsAvail, table full",
                r.addr.is_none() && r.ia_status == Some(StatusCode::NoAddrsAvail),
            );
        }
    }
    c.check(
        "64 distinct leases bound",
        bound == LEASES && server.table().len() == LEASES,
    );
    c.check("table full counted", server.counters().table_full == 1);

    // A client whose DUID (20 bytes, DUID-EN) is longer than the slots hold: NoAddrsAvail,
    // counted, nothing else changes.
    let long_duid = [
        0, 2, 0, 0, 0x7f, 0xc9, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
    ];
    let n = client_msg(
        &mut msg,
        MessageType::Request,
        0x200,
        &long_duid,
        Some(&SERVER_DUID),
        1,
        None,
    );
    let r = server
        .handle_message(at(4000), &meta, msg.get(..n).unwrap_or_default(), &mut out)
        .ok()
        .and_then(|tx| decode_reply(out.get(..tx.len).unwrap_or_default(), &long_duid));
    c.check(
        "20-byte DUID: NoAddrsAvail, counted",
        r.is_some_and(|r| r.addr.is_none() && r.ia_status == Some(StatusCode::NoAddrsAvail))
            && server.counters().duid_too_long == 1
            && server.poll_event().is_none(),
    );
    let counters = server.counters();
    c.con
        .s("table: ")
        .n(server.table().len() as u32)
        .s(" of ")
        .n(server.table().capacity() as u32)
        .s(" leases, ")
        .n(counters.replies as u32)
        .s(" replies, table_full ")
        .n(counters.table_full as u32)
        .nl();
}

/// On panic: say so and leave QEMU with a failure status (no message formatting: it would
/// pull the `Debug` machinery into flash).
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    Con::new().s("PANIC").nl();
    debug::exit(debug::EXIT_FAILURE);
    loop {
        cortex_m::asm::wfi();
    }
}

/// A fault (bad memory access, stack overflow into the vector table's neighbours, ...) also
/// ends the run with a failure status instead of spinning until the timeout.
#[exception]
unsafe fn HardFault(frame: &ExceptionFrame) -> ! {
    Con::new().s("HARD FAULT at pc 0x").x(frame.pc()).nl();
    debug::exit(debug::EXIT_FAILURE);
    loop {
        cortex_m::asm::wfi();
    }
}

/// The device-specific part of the vector table (cortex-m-rt's `device` feature): the
/// LM3S6965's IRQs 0 to 42, the last being the Ethernet controller a networked board needs,
/// all pointing at cortex-m-rt's `DefaultHandler` (this firmware enables no interrupt). Without
/// it cortex-m-rt reserves the architecture's maximum, 240 entries (960 bytes of flash).
#[link_section = ".vector_table.interrupts"]
#[no_mangle]
static __INTERRUPTS: [unsafe extern "C" fn(); 43] = [DefaultHandler; 43];

extern "C" {
    /// cortex-m-rt's default exception and interrupt handler.
    fn DefaultHandler();
}

const PAINT: u32 = 0x5158_5f53; // "SXQ_"

extern "C" {
    static mut __sheap: u32;
    static _stack_start: u32;
}

/// Fill the free RAM between the end of .bss and a little below the current stack pointer.
#[inline(never)]
fn paint_stack() {
    let sp = cortex_m::register::msp::read() as usize;
    let mut p = core::ptr::addr_of_mut!(__sheap);
    while (p as usize) < sp - 256 {
        // SAFETY: [__sheap, sp - 256) is RAM that nothing uses yet (no heap; stack is above).
        unsafe {
            p.write_volatile(PAINT);
            p = p.add(1);
        }
    }
}

/// Bytes of stack ever used: from the stack top down to the lowest overwritten word.
fn stack_high_water() -> usize {
    let top = core::ptr::addr_of!(_stack_start) as usize;
    let mut p = core::ptr::addr_of_mut!(__sheap) as *const u32;
    // SAFETY: reads of RAM between the end of .bss and the stack top.
    unsafe {
        while (p as usize) < top && p.read_volatile() == PAINT {
            p = p.add(1);
        }
    }
    top - p as usize
}

#[entry]
fn main() -> ! {
    // Moved to `&'static mut` by cortex-m-rt: static storage, no allocator, no unsafe.
    static mut SLOTS: [FwSlot; LEASES] = [FwSlot::empty(); LEASES];

    paint_stack();
    // Feature `panic-test`: show that a panic ends in a failure status too.
    #[cfg(feature = "panic-test")]
    core::hint::black_box(None::<u8>).expect("panic-test");
    let mut c = Checks {
        run: 0,
        failed: 0,
        con: Con::new(),
    };
    c.con
        .s("sixconf firmware: Advertiser + DHCPv6 server, ")
        .n(LEASES as u32)
        .s(" leases")
        .nl();
    run_advertiser(&mut c);
    // The stack is measured per phase (high-water, then painted again); the deeper one counts.
    let stack_ra = stack_high_water();
    paint_stack();
    run_server(&mut c, SLOTS);
    let stack_server = stack_high_water();
    let stack = stack_ra.max(stack_server);
    let ram_static = core::ptr::addr_of_mut!(__sheap) as usize - 0x2000_0000;
    let ram = ram_static + stack;
    c.con
        .s("RAM: ")
        .n(ram_static as u32)
        .s(" B static (.data+.bss: ")
        .n(core::mem::size_of::<[FwSlot; LEASES]>() as u32)
        .s(" B lease table) + ")
        .n(stack as u32)
        .s(" B stack high-water = ")
        .n(ram as u32)
        .s(" B (goal 16384)")
        .nl();
    c.con
        .s("stack high-water by phase: Advertiser ")
        .n(stack_ra as u32)
        .s(" B, DHCPv6 server ")
        .n(stack_server as u32)
        .s(" B")
        .nl();
    c.con
        .s("on the stack: Server ")
        .n(core::mem::size_of::<FwServer>() as u32)
        .s(" B (of which LinkConfig ")
        .n(core::mem::size_of::<LinkConfig>() as u32)
        .s(" B), Advertiser ")
        .n(core::mem::size_of::<Advertiser<1>>() as u32)
        .s(" B")
        .nl();
    c.con
        .s("checks: ")
        .n(c.run)
        .s(" run, ")
        .n(c.failed)
        .s(" failed")
        .nl();
    if c.failed == 0 {
        c.con.s("PASS").nl();
        debug::exit(debug::EXIT_SUCCESS);
    } else {
        c.con.s("FAIL").nl();
        debug::exit(debug::EXIT_FAILURE);
    }
    loop {
        cortex_m::asm::wfi();
    }
}
