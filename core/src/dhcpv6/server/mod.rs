//! DHCPv6 server engine (RFC 9915 §18.3), sans-IO.
//!
//! [`Server`] answers client messages received directly or through relay agents, hands out
//! addresses (IA_NA) and delegated prefixes (IA_PD) from the pools of a [`LinkConfig`], and keeps
//! its bindings in a [`LeaseTable`] over storage the caller provides.
//!
//! # Driving it
//!
//! - [`Server::handle_message`] takes one received UDP payload with its [`RxMeta`] and writes
//!   the answer (Advertise, Reply, or a Relay-repl around it) into the caller's buffer. It returns
//!   a [`Transmit`] saying where to send it, or a [`NoReply`] saying why nothing is sent (every drop
//!   is also counted in [`Counters`]).
//! - Every change to the bindings is queued as a [`LeaseEvent`] for [`Server::poll_event`].
//!   A [`Transmit`] whose message depends on lease changes carries `commit_through`: the
//!   sequence number of the last event that must be persisted before the reply is sent. An
//!   adapter doing group commit handles a batch of datagrams, drains the events, commits them
//!   once, then sends the replies (DESIGN.md: a Reply is sent only after its lease is committed).
//! - [`Server::poll_timeout`] / [`Server::handle_timeout`] drive expiry.
//! - [`Server::restore`] reloads persisted leases at start.
//!
//! # Example
//!
//! ```
//! use sixconf_core::dhcpv6::server::{AddressPool, Limits, LinkConfig, RxMeta, Server, Slot};
//! use sixconf_core::time::Instant;
//! use sixconf_core::wire::dhcpv6::{build, DuidBuf, MessageType};
//!
//! let mut link = LinkConfig { ifindex: Some(2), ..LinkConfig::default() };
//! link.address_pools
//!     .push(AddressPool::new("2001:db8::100".parse().unwrap(), "2001:db8::1ff".parse().unwrap()))
//!     .unwrap();
//! let mut links = heapless::Vec::<LinkConfig, 1>::new();
//! links.push(link).unwrap();
//! // Table storage: a static array on a microcontroller, a boxed slice under std.
//! let mut slots = [Slot::EMPTY; 16];
//! let server_duid = DuidBuf::from_bytes(&[0, 3, 0, 1, 2, 0, 0, 0, 0, 1]).unwrap();
//! let mut server: Server<_, 1> =
//!     Server::new(server_duid, links, Limits::default(), &mut slots[..], 0x5eed);
//!
//! // A client's Request for one IA_NA.
//! let client = [0, 3, 0, 1, 2, 0, 0, 0, 0, 2];
//! let mut request = [0u8; 64];
//! let n = build(&mut request, |w| {
//!     w.header(MessageType::Request, 0x1234);
//!     w.option(1, &client);
//!     w.server_id(&server_duid.as_duid());
//!     w.begin_ia_na(1, 0, 0).end();
//! })
//! .unwrap();
//! let meta = RxMeta {
//!     ifindex: 2,
//!     src: "fe80::2".parse().unwrap(),
//!     dst: "ff02::1:2".parse().unwrap(),
//!     source_mac: None,
//! };
//! let mut out = [0u8; 1500];
//! let tx = server.handle_message(Instant::ZERO, &meta, &request[..n], &mut out).unwrap();
//! // Persist the lease before sending the Reply.
//! let event = server.poll_event().unwrap();
//! assert_eq!(Some(event.seq), tx.commit_through);
//! assert_eq!(tx.port, 546);
//! // ... send out[..tx.len] to tx.dst, then wake at server.poll_timeout().
//! assert_eq!(server.poll_timeout(), Some(event.lease.valid_until));
//! ```
//!
//! # Behaviour worth knowing
//!
//! - **Link selection** (RFC 9915 §13.1): a direct message belongs to the link whose `ifindex`
//!   matches; a relayed one to the link whose prefixes or pools contain the link-address of the
//!   relay closest to the client, or, when that is unspecified or link-local, whose Interface-ID
//!   that relay sent. No match is an ordinary outcome ([`NoReply::NoLink`], counted), never a panic
//!   (Kea CVE-2025-40779).
//! - **Allocation**: reservation first, then the client's hint when it is free and in a pool, then
//!   a hash of (DUID, IAID) into the pool with linear probing, so a client gets the same address
//!   back as long as it is free. A Solicit creates no binding unless Rapid Commit is used.
//! - **Duplicate IAIDs**: in one message, the first IA of a type with a given IAID is served and
//!   later IAs of the same type with the same IAID are ignored (not echoed) and counted in
//!   [`Counters::duplicate_ia`]. An IA_NA and an IA_PD with the same IAID are independent (IAIDs
//!   are per IA type, RFC 9915 §12). At most [`MAX_IAS`] IAs per message are processed (the
//!   `IAS` parameter of [`Server`]); further
//!   ones are ignored and counted.
//! - **Caps**: a client holds at most `max_addresses_per_client` addresses and
//!   `max_prefixes_per_client` prefixes; beyond them an IA gets NoAddrsAvail / NoPrefixAvail.
//!   Each client (DUID, or source address without one) is rate limited by a token bucket.
//!   A message looks at no more of a client's bindings than the caps allow (a reload may have
//!   lowered them; bindings beyond are not renewed and run out), so one message causes at most
//!   2 × the caps lease events; [`Server::new`] clamps the caps to fit the event queue.
//! - **DUID capacity**: the table stores a client DUID inline in a slot of `D` bytes
//!   ([`Slot<D>`](Slot), 32 by default). A client with a longer DUID gets NoAddrsAvail /
//!   NoPrefixAvail (counted in [`Counters::duid_too_long`]); see [`table`] for the trade-off.
//! - **Lost state** (RFC 9915 §18.3.4 / §18.3.5, odhcpd #26): a Renew or Rebind for a free
//!   address or prefix of this link's pools re-creates the binding instead of NoBinding.
//! - **Reply too large** for the caller's buffer: the reply is rebuilt without status texts and
//!   informational options; if that does not fit either, nothing is written and
//!   [`NoReply::ReplyTooLarge`] is returned (dnsmasq CVE-2022-0934, odhcpd CVE-2026-53921).

use core::net::Ipv6Addr;

use crate::time::{Duration, Instant};
use crate::wire::dhcpv6::option::duid::{DuidKind, MAX_LEN as DUID_MAX_LEN};
#[cfg(feature = "server-relay")]
use crate::wire::dhcpv6::Repr;
use crate::wire::dhcpv6::{
    build, check_server_receipt, DhcpOption, DropReason, DuidBuf, MessageRepr, MessageType,
    OptionCode, RelayChain, StatusCode, Writer, CLIENT_PORT, SERVER_PORT,
};
use crate::wire::Error;

pub mod config;
pub mod table;

pub use config::{
    AddressPool, ConfigError, Lifetimes, Limits, LinkConfig, Prefix, PrefixPool, Reservation,
    ReservationKey,
};
pub use table::{
    IaType, Lease, LeaseTable, Slot, TableFull, DEFAULT_DUID_CAPACITY, DUID_CAPACITY_MAX,
};

use config::{urem, MAX_LINKS};
use table::{hash_bytes, NewBinding};

/// Table storage (bytes) from which [`Server::handle_message`] reads the index entries of its
/// first lookups ahead (see [`LeaseTable::touch`]): below it the table fits in the caches.
const TOUCH_ABOVE: usize = 4 << 20;

/// Most IAs (of all types together) processed in one message.
pub const MAX_IAS: usize = 32;
/// Most addresses or prefixes reported in one IA of a reply.
pub const MAX_IA_ITEMS: usize = 4;
/// Lease events the queue holds by default (the `EVENTS` parameter of [`Server`]); a stateful
/// message is only processed when the queue has room for the most events it can cause
/// (`2 × (max_addresses_per_client + max_prefixes_per_client)`, at most
/// [`MAX_EVENTS_PER_MESSAGE`]).
pub const EVENT_QUEUE: usize = 128;
/// Most lease events one message can cause with the largest per-client caps: one per binding
/// of the client looked at plus one per new binding, and both are bounded by the per-client
/// caps (addresses + prefixes, clamped to [`MAX_CLIENT_BINDINGS`]).
pub const MAX_EVENTS_PER_MESSAGE: usize = 2 * MAX_CLIENT_BINDINGS;
/// Most bindings of one client looked at per message; the per-client caps are clamped to it.
pub const MAX_CLIENT_BINDINGS: usize = 32;
/// Rate-limit buckets by default (the `RATE` parameter of [`Server`]; clients hash into them, a
/// collision shares a bucket).
pub const RATE_BUCKETS: usize = 256;
/// Most pool positions probed for one IA.
pub const MAX_PROBES: u32 = 4096;

/// Metadata of a received datagram, from the adapter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RxMeta {
    /// Interface it arrived on.
    pub ifindex: u32,
    /// IPv6 source address (the client, or the relay agent).
    #[cfg_attr(feature = "defmt", defmt(Display2Format))]
    pub src: Ipv6Addr,
    /// IPv6 destination address (`ff02::1:2`, `ff05::1:3`, or one of ours).
    #[cfg_attr(feature = "defmt", defmt(Display2Format))]
    pub dst: Ipv6Addr,
    /// Source link-layer address of the frame, if the adapter knows it (used for RFC 6939
    /// reservations of directly connected clients).
    pub source_mac: Option<[u8; 6]>,
}

/// Where to send the reply [`Server::handle_message`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Transmit {
    /// Bytes written at the start of the output buffer.
    pub len: usize,
    /// Destination address: the source of the received datagram (client or relay agent).
    #[cfg_attr(feature = "defmt", defmt(Display2Format))]
    pub dst: Ipv6Addr,
    /// Destination UDP port: 546 to a client, 547 to a relay agent (RFC 9915 §7.2).
    pub port: u16,
    /// Interface to send on.
    pub ifindex: u32,
    /// The reply depends on lease events up to this sequence number: persist them (poll them
    /// with [`Server::poll_event`]) before sending. `None` if it depends on none.
    pub commit_through: Option<u64>,
}

/// Why [`Server::handle_message`] sent nothing. Every case is counted in [`Counters`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum NoReply {
    /// The datagram does not decode (RFC 9915 §16: discard).
    Malformed(Error),
    /// A §16 rule discards it (wrong identifiers, a message type servers do not receive).
    Discarded(DropReason),
    /// No configured link matches (interface, relay link-address, Interface-ID).
    NoLink,
    /// The client exceeded its message rate.
    RateLimited,
    /// The lease event queue has no room; poll events, then the client's retransmission is
    /// served.
    EventQueueFull,
    /// The reply does not fit the output buffer even without optional content.
    ReplyTooLarge {
        /// Bytes it would need.
        needed: usize,
    },
    /// A Confirm without any address: no reply (RFC 9915 §18.3.3).
    NothingToConfirm,
}

/// What happened to a lease.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum LeaseEventKind {
    /// A new binding (Request, Rapid Commit, or re-created on Renew/Rebind).
    Bound,
    /// Lifetimes extended.
    Renewed,
    /// Released by the client.
    Released,
    /// Declined by the client (the address is in quarantine).
    Declined,
    /// The valid lifetime ran out.
    Expired,
}

/// A lease change the adapter must persist (and act on: routes for delegated prefixes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct LeaseEvent {
    /// Sequence number, increasing by one per event.
    pub seq: u64,
    /// What happened.
    pub kind: LeaseEventKind,
    /// The lease, with its lifetimes after the change.
    pub lease: Lease,
}

/// Why [`Server::restore`] refused a lease.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum RestoreError {
    /// Its valid lifetime has already ended.
    Expired,
    /// Its link index is not configured.
    NoLink,
    /// The address or prefix is not in the link's pools or reservations (or the prefix length
    /// does not match the pool's delegated length).
    NotInPool,
    /// The address or prefix is already held.
    Conflict,
    /// The table is full.
    Full,
    /// The DUID is longer than the table's DUID capacity ([`Slot<D>`](Slot)).
    DuidTooLong,
}

/// Counters of every outcome; the adapter exports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Counters {
    /// Datagrams handed to [`Server::handle_message`].
    pub received: u64,
    /// Replies written.
    pub replies: u64,
    /// Datagrams that did not decode.
    pub malformed: u64,
    /// Unknown message types (RFC 9915 §16).
    pub unknown_type: u64,
    /// §16 discards, indexed by [`DropReason::index`].
    pub discarded: [u64; DropReason::COUNT],
    /// Relay messages containing a Relay-repl (servers only receive Relay-forw).
    pub relay_repl_received: u64,
    /// No link matched.
    pub no_link: u64,
    /// Rate limited.
    pub rate_limited: u64,
    /// Event queue full.
    pub event_queue_full: u64,
    /// Replies that did not fit the output buffer.
    pub reply_too_large: u64,
    /// Replies rebuilt in compact form to fit.
    pub reply_compacted: u64,
    /// Confirms without addresses.
    pub nothing_to_confirm: u64,
    /// IAs ignored as duplicates of an earlier IA with the same type and IAID.
    pub duplicate_ia: u64,
    /// IAs ignored beyond the most one message may carry ([`MAX_IAS`], or the `IAS` parameter
    /// of [`Server`]).
    pub ia_limit: u64,
    /// IAs refused by the per-client caps.
    pub client_cap: u64,
    /// IAs refused because the pool had no free address or prefix.
    pub pool_exhausted: u64,
    /// IAs refused because the table was full.
    pub table_full: u64,
    /// IAs refused because the client's DUID is longer than the table's DUID capacity
    /// ([`Slot<D>`](Slot), see [`table`]'s trade-off).
    pub duid_too_long: u64,
    /// Declined addresses not quarantined because quarantine was full.
    pub quarantine_full: u64,
    /// Bindings re-created on Renew/Rebind.
    pub recreated: u64,
    /// Bindings expired.
    pub expired: u64,
    /// Lease events that found the queue full (cannot happen while the per-message bound
    /// holds; counted so that a persistence gap would be visible).
    pub events_lost: u64,
    /// Leases restored.
    pub restored: u64,
    /// Leases refused by [`Server::restore`].
    pub restore_refused: u64,
}

#[derive(Debug, Clone, Copy, Default)]
struct RateBucket {
    /// Milli-tokens.
    tokens: u32,
    last: u64,
    used: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Solicit,
    Request,
    Renew,
    Rebind,
    Release,
    Decline,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Na,
    Ta,
    Pd,
}

/// One address or prefix of a reply IA. Its lifetimes are the link's for the IA type (`live`)
/// or 0: the reply writer looks them up, so that the 32 IAs of a message stay small on the
/// stack (18 bytes an item instead of 28).
#[derive(Debug, Clone, Copy)]
struct Item {
    addr: Ipv6Addr,
    plen: u8,
    live: bool,
}

impl Item {
    fn zero(lease: (Ipv6Addr, u8)) -> Item {
        Item {
            addr: lease.0,
            plen: lease.1,
            live: false,
        }
    }
    /// (preferred, valid) as sent.
    fn lifetimes(&self, lt: &Lifetimes) -> (u32, u32) {
        if self.live {
            (lt.preferred, lt.valid)
        } else {
            (0, 0)
        }
    }
}

/// One IA of the reply. T1/T2 are the link's for the IA type (`timers`) or 0.
#[derive(Debug, Clone)]
struct IaOut {
    kind: Kind,
    timers: bool,
    iaid: u32,
    status: Option<StatusCode>,
    items: heapless::Vec<Item, MAX_IA_ITEMS, u8>,
}

impl IaOut {
    fn new(kind: Kind, iaid: u32) -> IaOut {
        IaOut {
            kind,
            timers: false,
            iaid,
            status: None,
            items: heapless::Vec::new(),
        }
    }
    fn failed(kind: Kind, iaid: u32, status: StatusCode) -> IaOut {
        let mut o = IaOut::new(kind, iaid);
        o.status = Some(status);
        o
    }
}

/// The IAs of one reply, `IAS` at most.
type IaList<const IAS: usize> = heapless::Vec<IaOut, IAS>;

/// The DHCPv6 server. See the [module documentation](self).
///
/// `S` is the lease table's storage (`&mut [Slot]`, `&mut [Slot; N]`, `Box<[Slot]>`, ...);
/// `LINKS` the most links served (at most 256; links are numbered by their position).
///
/// Memory knobs for small targets (the defaults suit a host):
/// - `EVENTS`: capacity of the lease event queue ([`EVENT_QUEUE`] by default), at least 2
///   (checked at compile time). A stateful message is only processed when the queue has room
///   for `2 × (max_addresses_per_client + max_prefixes_per_client)` events, and [`new`](Self::new)
///   clamps the per-client caps so that this fits `EVENTS`. One event is about 190 bytes, so the
///   default queue is about 24 KB; one address per client and no prefix needs 2 (380 bytes).
///   A small queue needs the adapter to drain it after every message (otherwise messages get
///   [`NoReply::EventQueueFull`]).
/// - `RATE`: rate-limit buckets ([`RATE_BUCKETS`] by default, 24 bytes each; at least 1,
///   checked at compile time). Fewer buckets means more clients share one.
/// - `D`: the DUID capacity of the table's [`Slot<D>`](Slot) ([`DEFAULT_DUID_CAPACITY`] by
///   default); clients with longer DUIDs get no binding (counted in
///   [`Counters::duid_too_long`]). See the [`table`] module for the trade-off.
/// - `IAS`: the most IAs (of all types) of one message that are served ([`MAX_IAS`] by
///   default; 1 to 255, checked at compile time); further ones are ignored and counted in
///   [`Counters::ia_limit`]. The reply's IAs are collected on the stack during
///   [`handle_message`](Self::handle_message), about 90 bytes each: 2.9 KB with the default,
///   360 bytes with 4, which still serves a client's IA_NA, IA_PD and a spare of each.
///
/// ```
/// use sixconf_core::dhcpv6::server::{LeaseEvent, Server, Slot};
/// use core::mem::size_of;
/// // One link, a 4-event queue (caps: 2 bindings a client), 16 rate buckets, 16-byte DUIDs:
/// // a microcontroller's server.
/// type Small = Server<&'static mut [Slot<16>; 64], 1, 4, 16, 16, 4>;
/// type Host = Server<&'static mut [Slot; 64], 1>;
/// assert!(size_of::<Host>() - size_of::<Small>() >= 124 * size_of::<LeaseEvent>());
/// assert!(size_of::<Slot<16>>() <= 96);
/// ```
#[derive(Debug)]
pub struct Server<
    S: AsMut<[Slot<D>]> + AsRef<[Slot<D>]>,
    const LINKS: usize = MAX_LINKS,
    const EVENTS: usize = EVENT_QUEUE,
    const RATE: usize = RATE_BUCKETS,
    const D: usize = DEFAULT_DUID_CAPACITY,
    const IAS: usize = MAX_IAS,
> {
    duid: DuidBuf,
    alloc_key: u64,
    links: heapless::Vec<LinkConfig, LINKS>,
    limits: Limits,
    table: LeaseTable<S, D>,
    events: heapless::Deque<LeaseEvent, EVENTS>,
    seq: u64,
    rate: [RateBucket; RATE],
    counters: Counters,
}

/// Per-message context: the parts of the server one message works on.
struct Ctx<'s, S: AsMut<[Slot<D>]> + AsRef<[Slot<D>]>, const D: usize, const IAS: usize> {
    table: &'s mut LeaseTable<S, D>,
    events: &'s mut heapless::deque::DequeView<LeaseEvent>,
    seq: &'s mut u64,
    counters: &'s mut Counters,
    limits: &'s Limits,
    link: &'s LinkConfig,
    link_idx: u8,
    alloc_key: u64,
    now: Instant,
    duid: &'s [u8],
    hw: Option<&'s [u8]>,
    na_count: usize,
    pd_count: usize,
    /// Leases offered earlier in this message (Solicit creates no binding, so this keeps two
    /// IAs of one Advertise apart).
    offered: heapless::Vec<([u8; 16], u8), IAS, u8>,
    /// The first hashed candidate of the first IA, as [`touch_lookups`](Ctx::touch_lookups)
    /// computed it, for [`choose`](Ctx::choose) to start from.
    first_probe: Option<(IaType, u32, (Ipv6Addr, u8))>,
}

fn secs(s: u32) -> Duration {
    Duration::from_secs(u64::from(s))
}

impl<
        S: AsMut<[Slot<D>]> + AsRef<[Slot<D>]>,
        const LINKS: usize,
        const EVENTS: usize,
        const RATE: usize,
        const D: usize,
        const IAS: usize,
    > Server<S, LINKS, EVENTS, RATE, D, IAS>
{
    /// A server with DUID `server_duid` (RFC 9915 §11), serving `links`, over table storage
    /// `storage`. The per-client caps are clamped so that addresses + prefixes <=
    /// [`MAX_CLIENT_BINDINGS`]. `hash_key` keys the table's index hash: draw it from the adapter's randomness.
    /// Address choice is keyed by the server DUID, so it is stable across restarts.
    pub fn new(
        server_duid: DuidBuf,
        links: heapless::Vec<LinkConfig, LINKS>,
        limits: Limits,
        storage: S,
        hash_key: u64,
    ) -> Self {
        const {
            assert!(
                EVENTS >= 2,
                "Server: EVENTS must be at least 2 (one binding looked at, one new)"
            );
            assert!(RATE > 0, "Server: RATE must be at least 1");
            assert!(
                IAS >= 1 && IAS <= 255,
                "Server: IAS must be between 1 and 255"
            );
        }
        let alloc_key = hash_bytes(0x5158_636f_6e66_2d36, server_duid.as_bytes());
        let mut limits = limits;
        // Keep per-message events bounded: 2 × the caps fit the queue.
        let max = MAX_CLIENT_BINDINGS.min(EVENTS / 2) as u8;
        limits.max_addresses_per_client = limits.max_addresses_per_client.min(max);
        limits.max_prefixes_per_client = limits
            .max_prefixes_per_client
            .min(max - limits.max_addresses_per_client);
        Server {
            duid: server_duid,
            alloc_key,
            links,
            limits,
            table: LeaseTable::new(storage, hash_key),
            events: heapless::Deque::new(),
            seq: 0,
            rate: [RateBucket::default(); RATE],
            counters: Counters::default(),
        }
    }

    /// The server's DUID.
    pub fn duid(&self) -> &DuidBuf {
        &self.duid
    }

    /// The configured links.
    pub fn links(&self) -> &[LinkConfig] {
        &self.links
    }

    /// Replace the configuration of link `index` (a reload). Bindings stay; leases outside the
    /// new pools are not renewed (their Renew gets lifetimes 0) and expire. Returns `false` if
    /// there is no such link.
    pub fn set_link(&mut self, index: usize, link: LinkConfig) -> bool {
        match self.links.get_mut(index) {
            Some(l) => {
                *l = link;
                true
            }
            None => false,
        }
    }

    /// The counters.
    pub fn counters(&self) -> &Counters {
        &self.counters
    }

    /// The lease table (read-only).
    pub fn table(&self) -> &LeaseTable<S, D> {
        &self.table
    }

    /// The next lease event to persist, oldest first.
    pub fn poll_event(&mut self) -> Option<LeaseEvent> {
        self.events.pop_front()
    }

    /// When [`handle_timeout`](Self::handle_timeout) should next run: the earliest lease
    /// expiry.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.table.next_expiry()
    }

    /// Expire every binding whose valid lifetime ended by `now` (as many as the event queue
    /// has room for; the rest stay due and [`poll_timeout`](Self::poll_timeout) says so).
    pub fn handle_timeout(&mut self, now: Instant) {
        while self.events.len() < EVENTS {
            let Some(idx) = self.table.first_expired(now) else {
                break;
            };
            if let Some(lease) = self.table.remove(idx) {
                self.counters.expired += 1;
                push_event(
                    self.events.as_mut_view(),
                    &mut self.seq,
                    &mut self.counters.events_lost,
                    LeaseEventKind::Expired,
                    lease,
                );
            }
        }
    }

    /// Reload a persisted lease at start (no event is queued: it is already stored).
    pub fn restore(&mut self, now: Instant, lease: &Lease) -> Result<(), RestoreError> {
        let r = self.restore_inner(now, lease);
        match r {
            Ok(()) => self.counters.restored += 1,
            Err(_) => self.counters.restore_refused += 1,
        }
        r
    }

    /// Drop the binding `lease` names (same address or prefix and length, DUID, IAID and IA
    /// type) from the table without queueing an event, and return `true` if there was one.
    ///
    /// For adapters whose lease store is shared by several servers (the table is then a cache
    /// of the store, which decides): the store refused the binding's event because another
    /// server's client holds the address, or the store could not commit it. Follow it with
    /// [`restore`](Self::restore) of the holder's lease so that the address is not chosen
    /// again (RFC 9915 §18.3.2: a Reply promises a lease only once it is recorded).
    pub fn forget(&mut self, lease: &Lease) -> bool {
        let Some(idx) = self.table.find_lease(lease.address, lease.prefix_len) else {
            return false;
        };
        let same = self.table.get(idx).is_some_and(|b| {
            !b.is_declined()
                && b.duid() == lease.duid.as_bytes()
                && b.iaid() == lease.iaid
                && b.ia_type() == lease.ia_type
        });
        if same {
            self.table.remove(idx);
        }
        same
    }

    /// Reload many persisted leases at start: the same as [`restore`](Self::restore) for each
    /// lease in order, with the same result handed to `each` with the lease's position in
    /// `leases`, but faster in a large table. What the inserts of a group of 16 leases will
    /// touch at random places (the index entries they probe, the expiry-heap records a
    /// sift-up moves) is read first, back to back, so that the cache misses overlap, and the
    /// group is inserted after; one by one, each lease waits for three misses of its own.
    pub fn restore_batch(
        &mut self,
        now: Instant,
        leases: &[Lease],
        mut each: impl FnMut(usize, Result<(), RestoreError>),
    ) {
        const GROUP: usize = 16;
        let mut pos = 0;
        for group in leases.chunks(GROUP) {
            // Positions first (hashing, no memory access), then every read in a tight loop.
            let mut homes = [(0usize, 0usize); GROUP];
            for (h, l) in homes.iter_mut().zip(group) {
                *h = (
                    self.table.client_home(l.duid.as_bytes()),
                    self.table.lease_home(l.address, l.prefix_len),
                );
            }
            let mut acc = 0u32;
            for (k, &(c, l)) in homes.iter().take(group.len()).enumerate() {
                acc ^= self.table.touch(c, l) ^ self.table.touch_heap(k);
            }
            core::hint::black_box(acc);
            for lease in group {
                each(pos, self.restore(now, lease));
                pos += 1;
            }
        }
    }

    fn restore_inner(&mut self, now: Instant, lease: &Lease) -> Result<(), RestoreError> {
        if lease.valid_until <= now {
            return Err(RestoreError::Expired);
        }
        let link = self
            .links
            .get(usize::from(lease.link))
            .ok_or(RestoreError::NoLink)?;
        let ty = lease.ia_type;
        let plen = lease.prefix_len;
        let fits = pool_holds(link, ty, lease.address, plen)
            || link.reservations.iter().any(|r| match ty {
                IaType::Na => plen == 128 && r.address == Some(lease.address),
                IaType::Pd => PD && r.prefix == Some(Prefix::new(lease.address, plen)),
            });
        if !fits {
            return Err(RestoreError::NotInPool);
        }
        if self.table.find_lease(lease.address, plen).is_some() {
            return Err(RestoreError::Conflict);
        }
        if !self.table.duid_fits(lease.duid.as_bytes()) {
            return Err(RestoreError::DuidTooLong);
        }
        self.table
            .insert(&NewBinding {
                duid: lease.duid.as_bytes(),
                iaid: lease.iaid,
                ia_type: ty,
                address: lease.address,
                prefix_len: plen,
                link: lease.link,
                preferred_until: lease.preferred_until,
                valid_until: lease.valid_until,
            })
            .map(|_| ())
            .map_err(|_| RestoreError::Full)
    }

    fn no_reply(&mut self, d: NoReply) -> Result<Transmit, NoReply> {
        let c = &mut self.counters;
        match d {
            NoReply::Malformed(Error::UnknownType { .. }) => c.unknown_type += 1,
            NoReply::Malformed(_) => c.malformed += 1,
            NoReply::Discarded(r) => {
                if let Some(n) = c.discarded.get_mut(r.index()) {
                    *n += 1;
                }
            }
            NoReply::NoLink => c.no_link += 1,
            NoReply::RateLimited => c.rate_limited += 1,
            NoReply::EventQueueFull => c.event_queue_full += 1,
            NoReply::ReplyTooLarge { .. } => c.reply_too_large += 1,
            NoReply::NothingToConfirm => c.nothing_to_confirm += 1,
        }
        Err(d)
    }

    /// Handle one received DHCPv6 UDP payload; on success the reply is in `out[..len]`.
    pub fn handle_message(
        &mut self,
        now: Instant,
        meta: &RxMeta,
        bytes: &[u8],
        out: &mut [u8],
    ) -> Result<Transmit, NoReply> {
        self.counters.received += 1;
        #[cfg(feature = "server-relay")]
        let (msg, chain) = match Repr::parse(bytes) {
            Ok(Repr::Message(m)) => (m, None),
            Ok(Repr::Relayed(c)) => {
                if c.layers().any(|l| l.msg_type != MessageType::RelayForw) {
                    self.counters.relay_repl_received += 1;
                    return self.no_reply(NoReply::Discarded(DropReason::UnexpectedMessageType));
                }
                (c.message(), Some(c))
            }
            Err(e) => return self.no_reply(NoReply::Malformed(e)),
        };
        // Without `server-relay`, relay messages are discarded as a type this server does not
        // take (counted in `discarded`), and the relay code is not linked.
        #[cfg(not(feature = "server-relay"))]
        let (msg, chain) = match direct_message(bytes) {
            Ok(m) => (m, None::<RelayChain<'_>>),
            Err(d) => return self.no_reply(d),
        };
        if let Err(reason) = check_server_receipt(&msg, &self.duid.as_duid()) {
            return self.no_reply(NoReply::Discarded(reason));
        }
        let Some(link_idx) = self.select_link(meta, chain.as_ref()) else {
            return self.no_reply(NoReply::NoLink);
        };
        let client = msg.client_id();
        // Rate-limit per client: its DUID, or without one (Information-request) its address,
        // which for a relayed message is the first relay's peer-address, not the relay's.
        let rate_key = match (client, chain.as_ref().and_then(|c| c.layers().last())) {
            (Some(d), _) => hash_bytes(self.alloc_key, d.as_bytes()),
            (None, Some(first)) => hash_bytes(self.alloc_key, &first.peer_address.octets()),
            (None, None) => hash_bytes(self.alloc_key, &meta.src.octets()),
        };
        if !self.rate_ok(now, rate_key) {
            return self.no_reply(NoReply::RateLimited);
        }
        let stateful = !matches!(
            msg.msg_type,
            MessageType::InformationRequest | MessageType::Confirm
        );
        if stateful && EVENTS - self.events.len() < events_per_message(&self.limits) {
            return self.no_reply(NoReply::EventQueueFull);
        }
        let seq_before = self.seq;

        // The client's link-layer address: RFC 6939 from the first relay, else the frame's
        // source, else the DUID's.
        let mut hw_buf = [0u8; 16];
        let mut hw_len = 0usize;
        fn put_hw(buf: &mut [u8; 16], len: &mut usize, a: &[u8]) {
            if let Some(d) = buf.get_mut(..a.len()) {
                d.copy_from_slice(a);
                *len = a.len();
            }
        }
        if let Some(c) = chain.as_ref() {
            if let Some(first) = c.layers().last() {
                if let Some(DhcpOption::ClientLinkLayerAddress(l)) =
                    first.options.find(OptionCode::ClientLinkLayerAddress)
                {
                    put_hw(&mut hw_buf, &mut hw_len, l.address);
                }
            }
        } else if let Some(mac) = meta.source_mac {
            put_hw(&mut hw_buf, &mut hw_len, &mac);
        }
        if hw_len == 0 {
            if let Some(d) = client {
                match d.kind() {
                    DuidKind::Ll {
                        link_layer_address, ..
                    }
                    | DuidKind::Llt {
                        link_layer_address, ..
                    } => put_hw(&mut hw_buf, &mut hw_len, link_layer_address),
                    _ => {}
                }
            }
        }
        let hw = hw_buf.get(..hw_len).filter(|h| !h.is_empty());

        let Server {
            table,
            events,
            seq,
            counters,
            limits,
            links,
            alloc_key,
            duid: server_duid,
            ..
        } = self;
        let Some(link) = links.get(usize::from(link_idx)) else {
            counters.no_link += 1;
            return Err(NoReply::NoLink);
        };
        let duid_bytes = client.map_or(&[][..], |d| d.as_bytes());
        let mut ctx = Ctx {
            table,
            events: events.as_mut_view(),
            seq,
            counters,
            limits,
            link,
            link_idx,
            alloc_key: *alloc_key,
            now,
            duid: duid_bytes,
            hw,
            na_count: 0,
            pd_count: 0,
            offered: heapless::Vec::new(),
            first_probe: None,
        };

        let rapid = msg.msg_type == MessageType::Solicit && msg.rapid_commit() && link.rapid_commit;
        let mut top_status = None;
        // Filled in place: the list is several KiB, not worth moving around.
        let mut ias = IaList::<IAS>::new();
        let reply_type = match msg.msg_type {
            MessageType::Solicit if rapid => {
                ctx.process(&msg, Mode::Request, &mut ias);
                MessageType::Reply
            }
            MessageType::Solicit => {
                ctx.process(&msg, Mode::Solicit, &mut ias);
                MessageType::Advertise
            }
            MessageType::Request => {
                ctx.process(&msg, Mode::Request, &mut ias);
                MessageType::Reply
            }
            MessageType::Renew => {
                ctx.process(&msg, Mode::Renew, &mut ias);
                MessageType::Reply
            }
            MessageType::Rebind => {
                ctx.process(&msg, Mode::Rebind, &mut ias);
                MessageType::Reply
            }
            MessageType::Release => {
                top_status = Some(StatusCode::Success);
                ctx.process(&msg, Mode::Release, &mut ias);
                MessageType::Reply
            }
            MessageType::Decline => {
                top_status = Some(StatusCode::Success);
                ctx.process(&msg, Mode::Decline, &mut ias);
                MessageType::Reply
            }
            MessageType::Confirm => {
                let mut any = false;
                let mut all_on_link = true;
                for o in msg.options.iter() {
                    let addrs = match o {
                        DhcpOption::IaNa(ia) => ia.options,
                        DhcpOption::IaTa(ia) => ia.options,
                        _ => continue,
                    };
                    for a in addrs.iter() {
                        if let DhcpOption::IaAddr(a) = a {
                            any = true;
                            all_on_link &= link.on_link(a.address);
                        }
                    }
                }
                if !any {
                    counters_drop(ctx.counters, NoReply::NothingToConfirm);
                    return Err(NoReply::NothingToConfirm);
                }
                top_status = Some(if all_on_link {
                    StatusCode::Success
                } else {
                    StatusCode::NotOnLink
                });
                MessageType::Reply
            }
            MessageType::InformationRequest => MessageType::Reply,
            // check_server_receipt admitted only the types above.
            _ => {
                counters_drop(
                    ctx.counters,
                    NoReply::Discarded(DropReason::UnexpectedMessageType),
                );
                return Err(NoReply::Discarded(DropReason::UnexpectedMessageType));
            }
        };

        let reply = Reply {
            #[cfg(feature = "server-relay")]
            chain: chain.as_ref(),
            msg: &msg,
            msg_type: reply_type,
            server_duid,
            link,
            ias: &ias,
            top_status,
            rapid,
        };
        let result = reply.build(out, &mut ctx.counters.reply_compacted);
        let len = match result {
            Ok(len) => len,
            Err(e) => {
                let needed = match e {
                    Error::BufferTooSmall { needed } => needed,
                    _ => 0,
                };
                let d = NoReply::ReplyTooLarge { needed };
                counters_drop(ctx.counters, d);
                return Err(d);
            }
        };
        ctx.counters.replies += 1;
        let commit_through = (*ctx.seq != seq_before).then_some(ctx.seq.saturating_sub(1));
        Ok(Transmit {
            len,
            dst: meta.src,
            port: if chain.is_some() {
                SERVER_PORT
            } else {
                CLIENT_PORT
            },
            ifindex: meta.ifindex,
            commit_through,
        })
    }

    fn select_link(&self, meta: &RxMeta, chain: Option<&RelayChain<'_>>) -> Option<u8> {
        let found = match chain {
            None => self
                .links
                .iter()
                .position(|l| l.ifindex == Some(meta.ifindex)),
            #[cfg(not(feature = "server-relay"))]
            Some(_) => None,
            #[cfg(feature = "server-relay")]
            Some(c) => {
                // The relay closest to the client is the innermost layer (RFC 9915 §13.1).
                let first = c.layers().last()?;
                let la = first.link_address;
                let usable = !la.is_unspecified() && !la.is_unicast_link_local();
                let by_address = if usable {
                    self.links.iter().position(|l| l.on_link(la))
                } else {
                    None
                };
                by_address.or_else(|| {
                    let id = first.interface_id()?;
                    self.links
                        .iter()
                        .position(|l| !l.interface_id.is_empty() && l.interface_id[..] == *id)
                })
            }
        };
        found.and_then(|i| u8::try_from(i).ok())
    }

    fn rate_ok(&mut self, now: Instant, key: u64) -> bool {
        let per_sec = u64::from(self.limits.rate_per_second);
        if per_sec == 0 {
            return true;
        }
        let cap = u64::from(self.limits.rate_burst).max(1) * 1000;
        let Some(b) = self.rate.get_mut((key % RATE as u64) as usize) else {
            return true;
        };
        let t = now.total_millis();
        let mut tokens = if b.used {
            let refill = t.saturating_sub(b.last).saturating_mul(per_sec);
            u64::from(b.tokens).saturating_add(refill).min(cap)
        } else {
            cap
        };
        b.used = true;
        b.last = t;
        let ok = tokens >= 1000;
        if ok {
            tokens -= 1000;
        }
        b.tokens = tokens as u32;
        ok
    }
}

/// Per-client caps together (addresses + prefixes): the most bindings of one client a message
/// looks at, and the most it can create.
fn client_cap(limits: &Limits) -> usize {
    usize::from(limits.max_addresses_per_client) + usize::from(limits.max_prefixes_per_client)
}

/// Room in the event queue a stateful message needs: one event per binding looked at (at most
/// [`client_cap`]) plus one per new binding (at most [`client_cap`] minus the ones held).
fn events_per_message(limits: &Limits) -> usize {
    2 * client_cap(limits)
}

fn counters_drop(c: &mut Counters, d: NoReply) {
    match d {
        NoReply::NothingToConfirm => c.nothing_to_confirm += 1,
        NoReply::ReplyTooLarge { .. } => c.reply_too_large += 1,
        NoReply::Discarded(r) => {
            if let Some(n) = c.discarded.get_mut(r.index()) {
                *n += 1;
            }
        }
        _ => {}
    }
}

fn push_event(
    events: &mut heapless::deque::DequeView<LeaseEvent>,
    seq: &mut u64,
    lost: &mut u64,
    kind: LeaseEventKind,
    lease: Lease,
) {
    let e = LeaseEvent {
        seq: *seq,
        kind,
        lease,
    };
    // Room was checked before the message was processed (events_per_message).
    if events.push_back(e).is_ok() {
        *seq += 1;
    } else {
        *lost += 1;
    }
}

/// Feature `server-pd`: prefixes are delegated. Without it every IA_PD path below is dead code
/// (IA_PDs are answered like IA_TAs) and not linked.
const PD: bool = cfg!(feature = "server-pd");

/// Without `server-relay`: the client/server message in `bytes`, or the reason to drop it.
#[cfg(not(feature = "server-relay"))]
fn direct_message(bytes: &[u8]) -> Result<MessageRepr<'_>, NoReply> {
    let packet = crate::wire::dhcpv6::Packet::new_unchecked(bytes);
    if packet.msg_type().is_relay() {
        return Err(NoReply::Discarded(DropReason::UnexpectedMessageType));
    }
    MessageRepr::parse(&packet).map_err(NoReply::Malformed)
}

fn pool_holds(link: &LinkConfig, ty: IaType, addr: Ipv6Addr, plen: u8) -> bool {
    match ty {
        IaType::Na => plen == 128 && link.address_pools.iter().any(|p| p.contains(addr)),
        IaType::Pd => PD && link.prefix_pools.iter().any(|p| p.holds(addr, plen)),
    }
}

fn key_matches(key: &ReservationKey, duid: &[u8], iaid: u32, hw: Option<&[u8]>) -> bool {
    match key {
        ReservationKey::Duid(d) => d.as_bytes() == duid,
        ReservationKey::DuidIaid(d, i) => d.as_bytes() == duid && *i == iaid,
        ReservationKey::LinkLayer { address, len } => {
            hw.is_some() && address.get(..usize::from(*len)) == hw
        }
    }
}

fn reserved_lease(r: &Reservation, ty: IaType) -> Option<(Ipv6Addr, u8)> {
    match ty {
        IaType::Na => r.address.map(|a| (a, 128)),
        IaType::Pd => r.prefix.filter(|_| PD).map(|p| (p.address, p.len)),
    }
}

impl<S: AsMut<[Slot<D>]> + AsRef<[Slot<D>]>, const D: usize, const IAS: usize> Ctx<'_, S, D, IAS> {
    fn lifetimes(&self, ty: IaType) -> Lifetimes {
        match ty {
            IaType::Na => self.link.address_lifetimes,
            IaType::Pd => self.link.prefix_lifetimes,
        }
    }

    fn cap(&self, ty: IaType) -> usize {
        usize::from(match ty {
            IaType::Na => self.limits.max_addresses_per_client,
            IaType::Pd => self.limits.max_prefixes_per_client,
        })
    }

    fn count(&mut self, ty: IaType) -> &mut usize {
        match ty {
            IaType::Na => &mut self.na_count,
            IaType::Pd => &mut self.pd_count,
        }
    }

    /// `true` if the binding in `idx` is this client's, in IA (`iaid`, `ty`) on this link.
    fn is_mine(&self, idx: usize, iaid: u32, ty: IaType) -> bool {
        self.table.get(idx).is_some_and(|b| {
            !b.is_declined()
                && b.duid() == self.duid
                && b.iaid() == iaid
                && b.ia_type() == ty
                && b.link() == self.link_idx
        })
    }

    /// `true` if a reservation on this link holds `lease` for some other client.
    fn reserved_for_other(&self, ty: IaType, lease: (Ipv6Addr, u8), iaid: u32) -> bool {
        self.link.reservations.iter().any(|r| {
            reserved_lease(r, ty) == Some(lease) && !key_matches(&r.key, self.duid, iaid, self.hw)
        })
    }

    /// `true` if `lease` may be served to this client's IA on this link under the current
    /// configuration: in a pool, or reserved for the client.
    fn appropriate(&self, ty: IaType, iaid: u32, lease: (Ipv6Addr, u8)) -> bool {
        (pool_holds(self.link, ty, lease.0, lease.1) && !self.reserved_for_other(ty, lease, iaid))
            || self.link.reservations.iter().any(|r| {
                reserved_lease(r, ty) == Some(lease)
                    && key_matches(&r.key, self.duid, iaid, self.hw)
            })
    }

    fn lease_of(&self, idx: usize) -> Option<(Ipv6Addr, u8)> {
        self.table.get(idx).map(|b| (b.address(), b.prefix_len()))
    }

    fn is_free(&self, lease: (Ipv6Addr, u8)) -> bool {
        self.table.find_lease(lease.0, lease.1).is_none()
            && !self.offered.contains(&(lease.0.octets(), lease.1))
    }

    fn emit(&mut self, kind: LeaseEventKind, idx: usize) {
        if let Some(lease) = self.table.get(idx).and_then(|b| b.to_lease()) {
            push_event(
                self.events,
                self.seq,
                &mut self.counters.events_lost,
                kind,
                lease,
            );
        }
    }

    fn process(&mut self, msg: &MessageRepr<'_>, mode: Mode, out: &mut IaList<IAS>) {
        self.touch_lookups(msg, mode);
        let mut existing: heapless::Vec<usize, MAX_CLIENT_BINDINGS> =
            self.table.client_bindings(self.duid);
        // Look at no more bindings than the caps allow (a reload may have lowered them): this
        // bounds the message's events by `events_per_message`. Bindings beyond are not renewed
        // and run out.
        existing.truncate(client_cap(self.limits));
        for &idx in &existing {
            if let Some(b) = self.table.get(idx) {
                match b.ia_type() {
                    IaType::Na => self.na_count += 1,
                    IaType::Pd => self.pd_count += 1,
                }
            }
        }
        let mut seen: heapless::Vec<(u8, u32), IAS> = heapless::Vec::new();
        for o in msg.options.iter() {
            let (kind, iaid, options) = match o {
                DhcpOption::IaNa(ia) => (Kind::Na, ia.iaid, ia.options),
                DhcpOption::IaPd(ia) => (Kind::Pd, ia.iaid, ia.options),
                DhcpOption::IaTa(ia) => (Kind::Ta, ia.iaid, ia.options),
                _ => continue,
            };
            let tag = (kind as u8, iaid);
            if seen.contains(&tag) {
                self.counters.duplicate_ia += 1;
                continue;
            }
            if seen.push(tag).is_err() {
                self.counters.ia_limit += 1;
                continue;
            }
            // Hints: the addresses / prefixes the client listed in the IA.
            let mut hints: heapless::Vec<(Ipv6Addr, u8), MAX_IA_ITEMS> = heapless::Vec::new();
            for h in options.iter() {
                let hint = match (kind, h) {
                    (Kind::Na | Kind::Ta, DhcpOption::IaAddr(a)) => (a.address, 128),
                    (Kind::Pd, DhcpOption::IaPrefix(p)) => (p.prefix, p.prefix_len),
                    _ => continue,
                };
                if hints.push(hint).is_err() {
                    break;
                }
            }
            let ty = match kind {
                Kind::Na => Some(IaType::Na),
                Kind::Pd if PD => Some(IaType::Pd),
                _ => None,
            };
            let result = match ty {
                // IA_TA is decoded but not served (DESIGN.md); IA_PD neither without the
                // `server-pd` feature.
                None => IaOut::failed(
                    kind,
                    iaid,
                    match (mode, kind) {
                        (Mode::Solicit | Mode::Request, Kind::Pd) => StatusCode::NoPrefixAvail,
                        (Mode::Solicit | Mode::Request, _) => StatusCode::NoAddrsAvail,
                        _ => StatusCode::NoBinding,
                    },
                ),
                Some(ty) => {
                    let mut mine: heapless::Vec<usize, MAX_CLIENT_BINDINGS> = existing
                        .iter()
                        .copied()
                        .filter(|&i| self.is_mine(i, iaid, ty))
                        .collect();
                    if matches!(mode, Mode::Solicit | Mode::Request) {
                        // A binding the configuration no longer allows (a reload moved the
                        // pools) is not offered again; it runs out.
                        mine.retain(|&i| {
                            self.lease_of(i)
                                .is_some_and(|l| self.appropriate(ty, iaid, l))
                        });
                    }
                    match mode {
                        Mode::Solicit | Mode::Request => {
                            self.assign(kind, ty, iaid, &hints, &mine, mode == Mode::Request)
                        }
                        Mode::Renew | Mode::Rebind => self.extend(kind, ty, iaid, &hints, &mine),
                        Mode::Release | Mode::Decline => {
                            self.give_back(kind, ty, iaid, &hints, &mine, mode == Mode::Decline)
                        }
                    }
                }
            };
            // Release / Decline only report IAs without a binding (RFC 9915 §18.3.7-8).
            if matches!(mode, Mode::Release | Mode::Decline) && result.status.is_none() {
                continue;
            }
            // `seen` and `out` have the same capacity, so this push cannot fail.
            let _ = out.push(result);
        }
    }

    fn ok_ia(&self, kind: Kind, iaid: u32) -> IaOut {
        let mut o = IaOut::new(kind, iaid);
        o.timers = true;
        o
    }

    fn full_item(&self, lease: (Ipv6Addr, u8)) -> Item {
        Item {
            addr: lease.0,
            plen: lease.1,
            live: true,
        }
    }

    fn extend_binding(&mut self, idx: usize, ty: IaType) -> Option<Item> {
        let lt = self.lifetimes(ty);
        let b = self.table.get(idx)?;
        let lease = (b.address(), b.prefix_len());
        self.table.set_lifetimes(
            idx,
            self.now + secs(lt.preferred),
            self.now + secs(lt.valid),
        );
        self.emit(LeaseEventKind::Renewed, idx);
        Some(self.full_item(lease))
    }

    fn bind(&mut self, ty: IaType, iaid: u32, lease: (Ipv6Addr, u8)) -> Result<Item, StatusCode> {
        let lt = self.lifetimes(ty);
        let idx = self
            .table
            .insert(&NewBinding {
                duid: self.duid,
                iaid,
                ia_type: ty,
                address: lease.0,
                prefix_len: lease.1,
                link: self.link_idx,
                preferred_until: self.now + secs(lt.preferred),
                valid_until: self.now + secs(lt.valid),
            })
            .map_err(|_| {
                if self.table.duid_fits(self.duid) {
                    self.counters.table_full += 1;
                } else {
                    self.counters.duid_too_long += 1;
                }
                no_avail(ty)
            })?;
        self.emit(LeaseEventKind::Bound, idx);
        *self.count(ty) += 1;
        Ok(self.full_item(lease))
    }

    /// Solicit (no commit) and Request / Rapid Commit (commit): RFC 9915 §18.3.1, §18.3.2.
    fn assign(
        &mut self,
        kind: Kind,
        ty: IaType,
        iaid: u32,
        hints: &[(Ipv6Addr, u8)],
        mine: &[usize],
        commit: bool,
    ) -> IaOut {
        let mut o = self.ok_ia(kind, iaid);
        if !mine.is_empty() {
            for &idx in mine {
                let item = if commit {
                    self.extend_binding(idx, ty)
                } else {
                    self.table
                        .get(idx)
                        .map(|b| self.full_item((b.address(), b.prefix_len())))
                };
                if let Some(item) = item {
                    let _ = o.items.push(item);
                }
            }
            return o;
        }
        // An address hint that is not on this link (Request only): NotOnLink (§18.3.2).
        if commit
            && ty == IaType::Na
            && hints
                .iter()
                .any(|&(a, _)| !a.is_unspecified() && !self.link.on_link(a))
        {
            return IaOut::failed(kind, iaid, StatusCode::NotOnLink);
        }
        if *self.count(ty) >= self.cap(ty) {
            self.counters.client_cap += 1;
            return IaOut::failed(kind, iaid, no_avail(ty));
        }
        if !self.table.duid_fits(self.duid) {
            // No slot can hold this DUID: refuse at Solicit already, so that the client
            // is not offered what its Request could not get.
            self.counters.duid_too_long += 1;
            return IaOut::failed(kind, iaid, no_avail(ty));
        }
        let Some(lease) = self.choose(ty, iaid, hints) else {
            self.counters.pool_exhausted += 1;
            return IaOut::failed(kind, iaid, no_avail(ty));
        };
        if commit {
            match self.bind(ty, iaid, lease) {
                Ok(item) => {
                    let _ = o.items.push(item);
                }
                Err(status) => return IaOut::failed(kind, iaid, status),
            }
        } else {
            *self.count(ty) += 1;
            let item = self.full_item(lease);
            let _ = o.items.push(item);
        }
        let _ = self.offered.push((lease.0.octets(), lease.1));
        o
    }

    /// The server-keyed hash of the client's DUID and `iaid` that places its lease in a pool
    /// ([`choose`](Self::choose)).
    fn alloc_hash(&self, ty: IaType, iaid: u32) -> u128 {
        let mut key = [0u8; DUID_MAX_LEN + 5];
        let n = self.duid.len().min(DUID_MAX_LEN);
        if let Some(d) = key.get_mut(..n) {
            d.copy_from_slice(self.duid.get(..n).unwrap_or(&[]));
        }
        let i = iaid.to_be_bytes();
        if let Some(d) = key.get_mut(n..n + 5) {
            d.copy_from_slice(&[i[0], i[1], i[2], i[3], ty as u8]);
        }
        let material = key.get(..n + 5).unwrap_or(&[]);
        (u128::from(hash_bytes(self.alloc_key, material)) << 64)
            | u128::from(hash_bytes(!self.alloc_key, material))
    }

    /// The first lease [`choose`](Self::choose)'s hashed probing looks at for this IA, if the
    /// link has a pool of its type.
    fn first_candidate(&self, ty: IaType, iaid: u32) -> Option<(Ipv6Addr, u8)> {
        let h = self.alloc_hash(ty, iaid);
        match ty {
            IaType::Na => {
                let pools = &self.link.address_pools;
                let pool = pools.get(urem(h, pools.len().max(1) as u128) as usize)?;
                let size = pool.size();
                (size > 0)
                    .then(|| pool.nth(urem(h, size)))
                    .flatten()
                    .map(|a| (a, 128))
            }
            IaType::Pd if !PD => None,
            IaType::Pd => {
                let pools = &self.link.prefix_pools;
                let pool = pools.get(urem(h, pools.len().max(1) as u128) as usize)?;
                let count = pool.count();
                (count > 0)
                    .then(|| pool.nth(urem(h, count)))
                    .flatten()
                    .map(|p| (p, pool.delegated_len))
            }
        }
    }

    /// Read the index entries this message's first lookups will probe, the client's and the
    /// first IA's lease (its first hint, else for Solicit / Request the first hashed
    /// candidate), back to back: in a table larger than the caches their misses then overlap
    /// rather than follow one another ([`LeaseTable::touch`]).
    fn touch_lookups(&mut self, msg: &MessageRepr<'_>, mode: Mode) {
        // Only where the table is larger than the caches (a few MiB): in a small one the
        // lookups hit the cache anyway and the extra hashing would be pure cost.
        if self
            .table
            .capacity()
            .saturating_mul(core::mem::size_of::<Slot<D>>())
            < TOUCH_ABOVE
        {
            return;
        }
        let client = self.table.client_home(self.duid);
        let first_ia = msg.options.iter().find_map(|o| match o {
            DhcpOption::IaNa(ia) => Some((IaType::Na, ia.iaid, ia.options)),
            DhcpOption::IaPd(ia) => Some((IaType::Pd, ia.iaid, ia.options)),
            _ => None,
        });
        let lease = first_ia.and_then(|(ty, iaid, options)| {
            options
                .iter()
                .find_map(|h| match (ty, h) {
                    (IaType::Na, DhcpOption::IaAddr(a)) => Some((a.address, 128)),
                    (IaType::Pd, DhcpOption::IaPrefix(p)) => Some((p.prefix, p.prefix_len)),
                    _ => None,
                })
                .or_else(|| {
                    let c = matches!(mode, Mode::Solicit | Mode::Request)
                        .then(|| self.first_candidate(ty, iaid))
                        .flatten();
                    self.first_probe = c.map(|c| (ty, iaid, c));
                    c
                })
        });
        let lease = lease.map_or(client, |(a, l)| self.table.lease_home(a, l));
        core::hint::black_box(self.table.touch(client, lease));
    }

    /// Reservation, then hint, then hashed probing.
    fn choose(&self, ty: IaType, iaid: u32, hints: &[(Ipv6Addr, u8)]) -> Option<(Ipv6Addr, u8)> {
        // Reservations: DUID+IAID first, then DUID, then link-layer address.
        for pass in 0..3 {
            for r in &self.link.reservations {
                let matches = match (&r.key, pass) {
                    (ReservationKey::DuidIaid(..), 0)
                    | (ReservationKey::Duid(_), 1)
                    | (ReservationKey::LinkLayer { .. }, 2) => {
                        key_matches(&r.key, self.duid, iaid, self.hw)
                    }
                    _ => false,
                };
                if matches {
                    if let Some(lease) = reserved_lease(r, ty) {
                        if self.is_free(lease) {
                            return Some(lease);
                        }
                    }
                }
            }
        }
        let usable = |lease: (Ipv6Addr, u8)| {
            self.is_free(lease) && !self.reserved_for_other(ty, lease, iaid)
        };
        for &hint in hints {
            if pool_holds(self.link, ty, hint.0, hint.1) && usable(hint) {
                return Some(hint);
            }
        }
        // Hash (server-keyed) of DUID and IAID into the pool, then probe linearly. The first
        // probe may have been computed already.
        if let Some((t, i, lease)) = self.first_probe {
            if t == ty && i == iaid && usable(lease) {
                return Some(lease);
            }
        }
        let h = self.alloc_hash(ty, iaid);
        match ty {
            IaType::Na => {
                let pools = &self.link.address_pools;
                let np = pools.len().max(1) as u128;
                for k in 0..pools.len() {
                    let Some(pool) = pools.get((urem(h, np) as usize + k) % pools.len()) else {
                        continue;
                    };
                    let size = pool.size();
                    if size == 0 {
                        continue;
                    }
                    let start = urem(h, size);
                    let probes = size.min(u128::from(MAX_PROBES));
                    for i in 0..probes {
                        let off = urem(start.wrapping_add(i), size);
                        if let Some(a) = pool.nth(off) {
                            if usable((a, 128)) {
                                return Some((a, 128));
                            }
                        }
                    }
                }
            }
            IaType::Pd if !PD => {}
            IaType::Pd => {
                let pools = &self.link.prefix_pools;
                let np = pools.len().max(1) as u128;
                for k in 0..pools.len() {
                    let Some(pool) = pools.get((urem(h, np) as usize + k) % pools.len()) else {
                        continue;
                    };
                    let count = pool.count();
                    if count == 0 {
                        continue;
                    }
                    let start = urem(h, count);
                    let probes = count.min(u128::from(MAX_PROBES));
                    for i in 0..probes {
                        let off = urem(start.wrapping_add(i), count);
                        if let Some(p) = pool.nth(off) {
                            if usable((p, pool.delegated_len)) {
                                return Some((p, pool.delegated_len));
                            }
                        }
                    }
                }
            }
        }
        None
    }

    /// Renew (§18.3.4) and Rebind (§18.3.5).
    fn extend(
        &mut self,
        kind: Kind,
        ty: IaType,
        iaid: u32,
        hints: &[(Ipv6Addr, u8)],
        mine: &[usize],
    ) -> IaOut {
        let mut o = self.ok_ia(kind, iaid);
        for &hint in hints {
            let held = self.table.find_lease(hint.0, hint.1);
            if held.is_some_and(|idx| mine.contains(&idx)) {
                continue; // extended below
            }
            let ours_and_free = held.is_none()
                && (pool_holds(self.link, ty, hint.0, hint.1)
                    || self.link.reservations.iter().any(|r| {
                        reserved_lease(r, ty) == Some(hint)
                            && key_matches(&r.key, self.duid, iaid, self.hw)
                    }))
                && !self.reserved_for_other(ty, hint, iaid)
                && !self.offered.contains(&(hint.0.octets(), hint.1));
            if ours_and_free && self.limits.recreate_on_renew && *self.count(ty) < self.cap(ty) {
                // Lost state (restart without the lease store): take the lease back.
                if let Ok(item) = self.bind(ty, iaid, hint) {
                    self.counters.recreated += 1;
                    let _ = o.items.push(item);
                    let _ = self.offered.push((hint.0.octets(), hint.1));
                    continue;
                }
            }
            if !ours_and_free {
                // Not ours to give (another client's, another link's, outside the pools):
                // lifetimes 0 so the client stops using it (§18.3.4, §18.3.5).
                let _ = o.items.push(Item::zero(hint));
            }
        }
        for &idx in mine {
            let Some(lease) = self.lease_of(idx) else {
                continue;
            };
            let item = if self.appropriate(ty, iaid, lease) {
                self.extend_binding(idx, ty)
            } else {
                // No longer appropriate for the link (configuration changed): lifetimes 0,
                // not extended; the binding runs out (§18.3.4).
                Some(Item::zero(lease))
            };
            if let Some(item) = item {
                if o.items.push(item).is_err() {
                    break;
                }
            }
        }
        let lt = self.lifetimes(ty);
        if o.items.iter().all(|i| i.lifetimes(&lt).1 == 0) && mine.is_empty() {
            let zeroed = o.items.clone();
            o = IaOut::failed(kind, iaid, StatusCode::NoBinding);
            if !zeroed.is_empty() {
                o.items = zeroed;
            }
        }
        o
    }

    /// Release (§18.3.7) and Decline (§18.3.8).
    fn give_back(
        &mut self,
        kind: Kind,
        ty: IaType,
        iaid: u32,
        hints: &[(Ipv6Addr, u8)],
        mine: &[usize],
        decline: bool,
    ) -> IaOut {
        let mut any = false;
        for &hint in hints {
            let Some(idx) = self.table.find_lease(hint.0, hint.1) else {
                continue;
            };
            if !mine.contains(&idx) || !self.is_mine(idx, iaid, ty) {
                continue;
            }
            any = true;
            let Some(lease) = self.table.remove(idx) else {
                continue;
            };
            *self.count(ty) = self.count(ty).saturating_sub(1);
            let event_kind = if decline && ty == IaType::Na {
                LeaseEventKind::Declined
            } else {
                LeaseEventKind::Released
            };
            push_event(
                self.events,
                self.seq,
                &mut self.counters.events_lost,
                event_kind,
                lease,
            );
            if event_kind == LeaseEventKind::Declined {
                if self.table.declined() < self.limits.max_declined {
                    let until = self.now + self.limits.decline_quarantine;
                    let _ = self.table.insert(&NewBinding {
                        duid: &[],
                        iaid: 0,
                        ia_type: IaType::Na,
                        address: hint.0,
                        prefix_len: 128,
                        link: self.link_idx,
                        preferred_until: until,
                        valid_until: until,
                    });
                } else {
                    self.counters.quarantine_full += 1;
                }
            }
        }
        if any {
            IaOut::new(kind, iaid)
        } else {
            IaOut::failed(kind, iaid, StatusCode::NoBinding)
        }
    }
}

fn no_avail(ty: IaType) -> StatusCode {
    match ty {
        IaType::Na => StatusCode::NoAddrsAvail,
        IaType::Pd => StatusCode::NoPrefixAvail,
    }
}

fn status_text(code: StatusCode) -> &'static str {
    match code {
        StatusCode::Success => "success",
        StatusCode::NoAddrsAvail => "no addresses available",
        StatusCode::NoPrefixAvail => "no prefixes available",
        StatusCode::NoBinding => "no binding",
        StatusCode::NotOnLink => "not on link",
        _ => "",
    }
}

/// Everything a reply is written from (built twice by [`build`]: measure, then write).
struct Reply<'r, 'm> {
    #[cfg(feature = "server-relay")]
    chain: Option<&'r RelayChain<'m>>,
    msg: &'r MessageRepr<'m>,
    msg_type: MessageType,
    server_duid: &'r DuidBuf,
    link: &'r LinkConfig,
    ias: &'r [IaOut],
    top_status: Option<StatusCode>,
    rapid: bool,
}

impl Reply<'_, '_> {
    /// Write the reply into `out`, in compact form if the full one does not fit (counted in
    /// `compacted`). Not inlined: the writers' frames then exist only after the IAs were
    /// processed, not during (the stack high-water of a small target).
    #[inline(never)]
    fn build(&self, out: &mut [u8], compacted: &mut u64) -> Result<usize, Error> {
        let result = build(out, |w| self.write(w, false));
        if let Err(Error::BufferTooSmall { .. }) = result {
            *compacted += 1;
            return build(out, |w| self.write(w, true));
        }
        result
    }

    fn write(&self, w: &mut Writer<'_>, compact: bool) {
        #[cfg(feature = "server-relay")]
        let depth = self.chain.map_or(0, |c| c.write_reply_headers(w));
        #[cfg(not(feature = "server-relay"))]
        let depth = 0;
        let msg = self.msg;
        w.header(self.msg_type, msg.transaction_id);
        if let Some(d) = msg.client_id() {
            w.client_id(&d);
        }
        w.server_id(&self.server_duid.as_duid());
        let text = |code| if compact { "" } else { status_text(code) };
        for ia in self.ias {
            let lt = match ia.kind {
                Kind::Pd => &self.link.prefix_lifetimes,
                _ => &self.link.address_lifetimes,
            };
            let (t1, t2) = if ia.timers {
                (lt.t1(), lt.t2())
            } else {
                (0, 0)
            };
            match ia.kind {
                Kind::Na => {
                    w.begin_ia_na(ia.iaid, t1, t2);
                }
                Kind::Pd => {
                    w.begin_ia_pd(ia.iaid, t1, t2);
                }
                Kind::Ta => {
                    w.begin(u16::from(OptionCode::IaTa)).u32(ia.iaid);
                }
            }
            for item in &ia.items {
                let (preferred, valid) = item.lifetimes(lt);
                match ia.kind {
                    Kind::Pd => {
                        w.ia_prefix(preferred, valid, item.plen, item.addr);
                    }
                    _ => {
                        w.ia_addr(item.addr, preferred, valid);
                    }
                }
            }
            if let Some(code) = ia.status {
                w.status(code, text(code));
            }
            w.end();
        }
        if let Some(code) = self.top_status {
            w.status(code, text(code));
        }
        if self.rapid {
            w.rapid_commit();
        }
        let link = self.link;
        if self.msg_type == MessageType::Advertise {
            if let Some(p) = link.preference {
                w.preference(p);
            }
        }
        if !compact {
            let oro = msg.oro();
            let asked = |c: OptionCode| oro.is_some_and(|o| o.contains(c));
            let info_request = msg.msg_type == MessageType::InformationRequest;
            if asked(OptionCode::DnsServers) && !link.dns_servers.is_empty() {
                w.dns_servers(&link.dns_servers);
            }
            if asked(OptionCode::DomainList) && !link.domain_list.is_empty() {
                w.option(u16::from(OptionCode::DomainList), &link.domain_list);
            }
            if asked(OptionCode::NtpServer) && !link.ntp_servers.is_empty() {
                w.begin(u16::from(OptionCode::NtpServer));
                for a in &link.ntp_servers {
                    w.u16(1).u16(16).addr(*a);
                }
                w.end();
            }
            if asked(OptionCode::SntpServers) && !link.sntp_servers.is_empty() {
                w.sntp_servers(&link.sntp_servers);
            }
            if info_request {
                if let Some(t) = link.information_refresh_time {
                    w.information_refresh_time(t);
                }
                if let Some(t) = link.inf_max_rt.filter(|_| asked(OptionCode::InfMaxRt)) {
                    w.inf_max_rt(t);
                }
            } else if let Some(t) = link.sol_max_rt.filter(|_| asked(OptionCode::SolMaxRt)) {
                w.sol_max_rt(t);
            }
        }
        w.end_n(depth);
    }
}

#[cfg(test)]
mod tests;
