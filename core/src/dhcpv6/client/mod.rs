//! The DHCPv6 client engine (RFC 9915), sans-IO.
//!
//! Three modes ([`Mode`]): stateful (IA_NA, optionally IA_PD), stateless (Information-request,
//! RFC 9915 §18.2.6) and prefix delegation only (a router's WAN side). The engine never touches a
//! socket or a clock: the caller feeds it datagrams with [`Client::handle_message`], and pulls
//! work out with [`Client::poll_transmit`], [`Client::poll_timeout`] /
//! [`Client::handle_timeout`] and [`Client::poll_event`]. Calling a poll early or twice is
//! harmless.
//!
//! ```text
//!  start ──► Soliciting ──Advertise(s)──► Requesting ──Reply──► Bound ──T1──► Renewing
//!              ▲   └─Reply+Rapid Commit────────────────────────►  ▲ ▲            │ T2
//!              │                                                 │ └──Reply───  ▼
//!              └────────── every lease expired ◄──────────────── Rebinding ◄────┘
//!  stateless: start ──► InformationRequesting ──Reply──► Informed ──refresh time──► (again)
//! ```
//!
//! What the engine guarantees:
//! - Retransmission per §15 and the §7.6 table ([`retransmit`]); a transmit rate limit of 20
//!   messages in any 20 s ([`RATE_LIMIT_COUNT`], [`RATE_LIMIT_WINDOW`]).
//! - Advertise and Reply checked per §16 (Server ID, transaction ID, Client ID); each drop is
//!   counted in [`Stats`].
//! - Status handled per IA: NoAddrsAvail in one IA keeps the others; NoBinding on Renew or Rebind
//!   leads to one Request, not a loop; lifetimes are refreshed on every Reply.
//! - Bounded storage: `ADDRS` addresses, `PREFIXES` delegated prefixes, `SERVERS` DNS and NTP
//!   servers each, [`DOMAIN_LIST_CAPACITY`] bytes of domain list and [`EVENT_CAPACITY`] queued
//!   events. What does not fit is counted and left out; nothing is evicted.
//! - Reconfigure (§18.2.11) accepted only when unicast and authenticated with the reconfigure
//!   key the server gave us (§20.4, HMAC-MD5), with a strictly increasing replay counter.

#[cfg(all(test, feature = "server"))]
mod against_server;
mod auth;
mod msg;
mod restore;
pub mod retransmit;
pub mod rng;
#[cfg(test)]
mod tests;

use core::fmt;
use core::net::Ipv6Addr;

use heapless::{Deque, Vec};

use crate::time::{Duration, Instant};
use crate::wire::dhcpv6::{build, MessageType, OptionCode, StatusCode, Writer};
use crate::wire::dns::NameList;
pub use restore::{Binding, Restored};
pub use retransmit::{Expiry, Parameters, Retransmission};
pub use rng::Rng;

/// Every client message goes to All_DHCP_Relay_Agents_and_Servers (§7.1), port 547, from
/// port 546 (§7.2).
pub use crate::wire::dhcpv6::{ALL_DHCP_RELAY_AGENTS_AND_SERVERS, CLIENT_PORT, SERVER_PORT};
/// At most this many transmissions in any [`RATE_LIMIT_WINDOW`] (REFERENCES.md; RFC 9915 §14.1
/// asks clients to rate-limit).
pub const RATE_LIMIT_COUNT: usize = 20;
/// The window of the transmit rate limit.
pub const RATE_LIMIT_WINDOW: Duration = Duration::from_secs(20);
/// Bytes of domain search list (wire format, RFC 9915 §10) kept.
pub const DOMAIN_LIST_CAPACITY: usize = 256;
/// Events queued before further ones are dropped (and counted).
pub const EVENT_CAPACITY: usize = 32;
/// The longest DUID (§11.1: at most 128 bytes after the 2-byte type).
pub const MAX_DUID_LEN: usize = 130;
/// SOL_MAX_RT / INF_MAX_RT values a client honours (RFC 9915 §21.24, §21.25).
pub const MAX_RT_RANGE: core::ops::RangeInclusive<u32> = 60..=86_400;

/// What the client asks for (RFC 9915 §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Mode {
    /// Addresses (IA_NA), and delegated prefixes (IA_PD) too if `prefix_delegation`.
    Stateful {
        /// Also request an IA_PD.
        prefix_delegation: bool,
    },
    /// Configuration only, by Information-request (§6.1, §18.2.6).
    Stateless,
    /// Delegated prefixes only (IA_PD, §6.3): a router's WAN side.
    PrefixDelegation,
}

impl Mode {
    fn wants_na(self) -> bool {
        matches!(self, Mode::Stateful { .. })
    }
    fn wants_pd(self) -> bool {
        matches!(
            self,
            Mode::Stateful {
                prefix_delegation: true
            } | Mode::PrefixDelegation
        )
    }
    fn is_stateless(self) -> bool {
        matches!(self, Mode::Stateless)
    }
}

/// Client settings fixed at construction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Config {
    /// IAID of the client's IA_NA (§12: stable across restarts, unique per IA type).
    pub iaid_na: u32,
    /// IAID of the client's IA_PD.
    pub iaid_pd: u32,
    /// Ask for Rapid Commit in Solicit (§18.2.1, §21.14).
    pub rapid_commit: bool,
    /// Send Reconfigure Accept (§21.20): the client will honour authenticated Reconfigures.
    pub reconfigure_accept: bool,
    /// A prefix length hint put into the Solicit's IA_PD (§18.2.1), e.g. 56.
    pub prefix_length_hint: Option<u8>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            iaid_na: 1,
            iaid_pd: 1,
            rapid_commit: false,
            reconfigure_accept: false,
            prefix_length_hint: None,
        }
    }
}

/// Why [`Client::new`] refused its arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ConfigError {
    /// A DUID must be 3..=130 bytes (§11.1).
    BadDuidLength(usize),
    /// A prefix length hint above 128.
    BadPrefixLengthHint(u8),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::BadDuidLength(n) => write!(f, "DUID of {n} bytes (need 3..=130)"),
            ConfigError::BadPrefixLengthHint(n) => write!(f, "prefix length hint /{n} above 128"),
        }
    }
}

impl core::error::Error for ConfigError {}

/// The messages a client sends (§7.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Message {
    /// Solicit (1).
    Solicit,
    /// Request (3).
    Request,
    /// Confirm (4).
    Confirm,
    /// Renew (5).
    Renew,
    /// Rebind (6).
    Rebind,
    /// Release (8).
    Release,
    /// Decline (9).
    Decline,
    /// Information-request (11).
    InformationRequest,
}

impl Message {
    /// The msg-type (§7.3).
    pub fn message_type(self) -> MessageType {
        match self {
            Message::Solicit => MessageType::Solicit,
            Message::Request => MessageType::Request,
            Message::Confirm => MessageType::Confirm,
            Message::Renew => MessageType::Renew,
            Message::Rebind => MessageType::Rebind,
            Message::Release => MessageType::Release,
            Message::Decline => MessageType::Decline,
            Message::InformationRequest => MessageType::InformationRequest,
        }
    }

    /// The msg-type code (§7.3).
    pub fn code(self) -> u8 {
        self.message_type().into()
    }
}

/// Where the client is in its state machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum State {
    /// Not started, or stopped.
    Idle,
    /// Sending Solicits and collecting Advertises (§18.2.1).
    Soliciting,
    /// Requesting the chosen server's offer (§18.2.2), or re-requesting after NoBinding.
    Requesting,
    /// Holding leases; waiting for T1 (§18.2.4).
    Bound,
    /// Renewing with the server that gave the leases.
    Renewing,
    /// Rebinding with any server (§18.2.5).
    Rebinding,
    /// Confirming addresses after a link change (§18.2.3).
    Confirming,
    /// Declining addresses found duplicate (§18.2.8).
    Declining,
    /// Releasing leases before stopping (§18.2.7).
    Releasing,
    /// Asking for configuration (§18.2.6).
    InformationRequesting,
    /// Configured statelessly; waiting for the information refresh time (§21.23).
    Informed,
}

/// An address (IA_NA) or a delegated prefix (IA_PD) the client holds, with lifetimes as the
/// server gave them and the time the Reply carrying them was received (§21.6, §21.22).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lease {
    /// The address, or the delegated prefix.
    pub address: Ipv6Addr,
    /// 128 for an address; the prefix length for a delegated prefix.
    pub prefix_len: u8,
    /// Preferred lifetime from `received_at` ([`Duration::MAX`]: infinite).
    pub preferred: Duration,
    /// Valid lifetime from `received_at` ([`Duration::MAX`]: infinite).
    pub valid: Duration,
    /// When the Reply carrying these lifetimes was received.
    pub received_at: Instant,
    /// The IA it belongs to.
    pub iaid: u32,
}

/// A delegated prefix: what a router needs to advertise it on a downstream link and
/// sub-delegate it (prefix, length, lifetimes and when they were received).
pub type DelegatedPrefix = Lease;

impl Lease {
    /// When the preferred lifetime ends (the end of time if infinite).
    pub fn preferred_until(&self) -> Instant {
        self.received_at + self.preferred
    }
    /// When the valid lifetime ends (the end of time if infinite).
    pub fn valid_until(&self) -> Instant {
        self.received_at + self.valid
    }
    /// The lifetimes left at `now`, as an RA Prefix Information option or a sub-delegation
    /// would carry them: (preferred, valid), each saturating at zero.
    pub fn remaining(&self, now: Instant) -> (Duration, Duration) {
        let left = |d: Duration| {
            if d == Duration::MAX {
                Duration::MAX
            } else {
                (self.received_at + d).saturating_duration_since(now)
            }
        };
        (left(self.preferred), left(self.valid))
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for Lease {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(
            f,
            "Lease({=[u8]:x}/{=u8}, preferred {}, valid {}, at {}, iaid {=u32})",
            self.address.octets(),
            self.prefix_len,
            self.preferred,
            self.valid,
            self.received_at,
            self.iaid
        )
    }
}

/// Why a lease went away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Removal {
    /// Its valid lifetime ran out.
    Expired,
    /// The server gave it a valid lifetime of 0.
    Withdrawn,
    /// Released by [`Client::stop`].
    Released,
    /// Declined after a DAD conflict.
    Declined,
    /// A Confirm found it not on the link (§18.2.10.1).
    NotOnLink,
    /// [`Client::start`] was called again while holding it.
    Restarted,
}

/// What the adapter must act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// A new address: add it to the interface (after DAD; report a conflict with
    /// [`Client::dad_conflict`]).
    AddressBound(Lease),
    /// An address's lifetimes were refreshed (Renew, Rebind or Request).
    AddressRenewed(Lease),
    /// An address must be removed.
    AddressRemoved {
        /// The address.
        address: Ipv6Addr,
        /// Why.
        reason: Removal,
    },
    /// A new delegated prefix: install its route, advertise or sub-delegate it.
    PrefixBound(DelegatedPrefix),
    /// A delegated prefix's lifetimes were refreshed.
    PrefixRenewed(DelegatedPrefix),
    /// A delegated prefix must be withdrawn.
    PrefixRemoved {
        /// The prefix.
        prefix: Ipv6Addr,
        /// Its length.
        prefix_len: u8,
        /// Why.
        reason: Removal,
    },
    /// The DNS recursive name servers changed: read [`Client::dns_servers`].
    DnsServersChanged,
    /// The domain search list changed: read [`Client::domain_list`].
    DomainListChanged,
    /// The NTP servers changed: read [`Client::ntp_servers`].
    NtpServersChanged,
    /// An exchange gave up (MRC or MRD exhausted, §15).
    ExchangeFailed(Message),
}

#[cfg(feature = "defmt")]
impl defmt::Format for Event {
    fn format(&self, f: defmt::Formatter<'_>) {
        match self {
            Event::AddressBound(l) => defmt::write!(f, "AddressBound({})", l),
            Event::AddressRenewed(l) => defmt::write!(f, "AddressRenewed({})", l),
            Event::AddressRemoved { address, reason } => {
                defmt::write!(f, "AddressRemoved({=[u8]:x}, {})", address.octets(), reason)
            }
            Event::PrefixBound(l) => defmt::write!(f, "PrefixBound({})", l),
            Event::PrefixRenewed(l) => defmt::write!(f, "PrefixRenewed({})", l),
            Event::PrefixRemoved {
                prefix,
                prefix_len,
                reason,
            } => defmt::write!(
                f,
                "PrefixRemoved({=[u8]:x}/{=u8}, {})",
                prefix.octets(),
                prefix_len,
                reason
            ),
            Event::DnsServersChanged => defmt::write!(f, "DnsServersChanged"),
            Event::DomainListChanged => defmt::write!(f, "DomainListChanged"),
            Event::NtpServersChanged => defmt::write!(f, "NtpServersChanged"),
            Event::ExchangeFailed(m) => defmt::write!(f, "ExchangeFailed({})", m),
        }
    }
}

/// How a datagram reached the client: Reconfigure is never accepted multicast (§16.11).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Delivery {
    /// Sent to one of our unicast addresses.
    Unicast,
    /// Sent to a multicast group.
    Multicast,
}

/// A datagram [`Client::poll_transmit`] wrote into the caller's buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transmit {
    /// Bytes written at the start of the buffer (the UDP payload).
    pub len: usize,
    /// Destination address: always All_DHCP_Relay_Agents_and_Servers (§7.1).
    pub destination: Ipv6Addr,
    /// Destination UDP port (547); send from port 546.
    pub port: u16,
    /// Which message it is.
    pub message: Message,
}

#[cfg(feature = "defmt")]
impl defmt::Format for Transmit {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(
            f,
            "Transmit({}, {=usize} bytes to [{=[u8]:x}]:{=u16})",
            self.message,
            self.len,
            self.destination.octets(),
            self.port
        )
    }
}

/// Counters for every drop and every bounded-storage overflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Stats {
    /// Datagrams handed to [`Client::handle_message`].
    pub received: u32,
    /// Dropped: shorter than 4 bytes or an option overrunning the message.
    pub dropped_malformed: u32,
    /// Dropped: a message type a client does not take (§16).
    pub dropped_message_type: u32,
    /// Dropped: transaction ID not the current exchange's (§16.3, §16.10).
    pub dropped_transaction_id: u32,
    /// Dropped: no Server ID, or more than one (§16.3, §16.10).
    pub dropped_server_id: u32,
    /// Dropped: no Client ID, more than one, or not ours (§16.3, §16.10).
    pub dropped_client_id: u32,
    /// Dropped: a valid message the current state does not expect (late Advertise, Reply to
    /// nothing, Reply without Rapid Commit while soliciting).
    pub dropped_unexpected: u32,
    /// Ignored: Reply with UnspecFail or UseMulticast; the exchange retransmits.
    pub ignored_status: u32,
    /// Ignored: Advertise offering no address and no prefix (§18.2.9).
    pub advertise_without_leases: u32,
    /// Reconfigure dropped: multicast (§16.11).
    pub reconfigure_multicast: u32,
    /// Reconfigure dropped: no key, bad digest, replayed counter, wrong server or client, or
    /// missing Reconfigure Message option.
    pub reconfigure_rejected: u32,
    /// Reconfigure accepted and acted on.
    pub reconfigure_accepted: u32,
    /// IA ignored: T1 > T2, shorter than 12 bytes, bad options, or a duplicate of an IAID
    /// already seen in the message (the first one wins).
    pub ignored_ia: u32,
    /// IAADDR/IAPREFIX ignored: preferred > valid lifetime, bad length or prefix length, or a
    /// non-success status inside it.
    pub ignored_lease: u32,
    /// Leases not kept because `ADDRS`/`PREFIXES` were full.
    pub leases_over_capacity: u32,
    /// DNS/NTP servers or domain-list bytes not kept because storage was full, or malformed.
    pub config_over_capacity: u32,
    /// Datagrams written by [`Client::poll_transmit`].
    pub transmitted: u32,
    /// Transmissions held back by the rate limit.
    pub rate_limited: u32,
    /// Transmissions that did not fit the caller's buffer (treated as lost).
    pub encode_failed: u32,
    /// Exchanges that gave up (MRC/MRD).
    pub exchanges_failed: u32,
    /// Events dropped because the queue was full.
    pub events_dropped: u32,
}

fn bump(c: &mut u32) {
    *c = c.saturating_add(1);
}

/// One IA's binding: its leases and effective T1/T2 (§21.4, §21.21).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Ia<const N: usize> {
    iaid: u32,
    /// T1 after defaults, from `refreshed_at`.
    t1: Duration,
    /// T2 after defaults, from `refreshed_at`.
    t2: Duration,
    refreshed_at: Instant,
    leases: Vec<Lease, N>,
}

impl<const N: usize> Ia<N> {
    const fn new(iaid: u32) -> Self {
        Ia {
            iaid,
            t1: Duration::MAX,
            t2: Duration::MAX,
            refreshed_at: Instant::ZERO,
            leases: Vec::new(),
        }
    }
    fn renew_at(&self) -> Option<Instant> {
        (!self.leases.is_empty()).then(|| self.refreshed_at + self.t1)
    }
    fn rebind_at(&self) -> Option<Instant> {
        (!self.leases.is_empty()).then(|| self.refreshed_at + self.t2)
    }
    fn expiry_at(&self) -> Option<Instant> {
        self.leases.iter().map(Lease::valid_until).min()
    }
}

/// The best Advertise so far (§18.2.9).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Offer<const A: usize, const P: usize> {
    server_id: Vec<u8, MAX_DUID_LEN>,
    preference: u8,
    na: Ia<A>,
    pd: Ia<P>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Exchange {
    message: Message,
    xid: [u8; 3],
    rtx: Retransmission,
    rate_held: bool,
}

/// Lifetime seconds from the wire: 0xffffffff is infinity (§7.7).
fn lifetime(secs: u32) -> Duration {
    if secs == u32::MAX {
        Duration::MAX
    } else {
        Duration::from_secs(u64::from(secs))
    }
}

fn scale(d: Duration, num: u64, den: u64) -> Duration {
    if d == Duration::MAX {
        Duration::MAX
    } else {
        Duration::from_millis(d.total_millis() / den * num + d.total_millis() % den * num / den)
    }
}

/// The options of an Advertise or Reply the engine looks at, borrowed from the datagram.
#[derive(Debug, Default)]
struct Summary<'a> {
    server_id: Option<&'a [u8]>,
    status: Option<StatusCode>,
    preference: u8,
    rapid_commit: bool,
    na: Option<&'a [u8]>,
    pd: Option<&'a [u8]>,
    dns: Option<&'a [u8]>,
    domains: Option<&'a [u8]>,
    ntp: Option<&'a [u8]>,
    sol_max_rt: Option<u32>,
    inf_max_rt: Option<u32>,
    refresh_time: Option<u32>,
    auth: Option<&'a [u8]>,
}

/// What a Reply said about one IA.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IaOutcome {
    /// Not in the Reply (or ignored as invalid).
    Absent,
    /// NoAddrsAvail / NoPrefixAvail / NotOnLink / other failure: existing leases unchanged.
    Failed,
    /// NoBinding (§18.2.10.1): the server has no binding; send a Request.
    NoBinding,
    /// Leases accepted.
    Updated,
}

/// The DHCPv6 client engine.
///
/// `ADDRS`, `PREFIXES` and `SERVERS` bound the addresses, delegated prefixes, and DNS and NTP
/// servers (each) the client keeps.
#[derive(Debug, Clone)]
pub struct Client<const ADDRS: usize = 4, const PREFIXES: usize = 4, const SERVERS: usize = 4> {
    config: Config,
    mode: Mode,
    duid: Vec<u8, MAX_DUID_LEN>,
    rng: Rng,
    state: State,
    exchange: Option<Exchange>,
    /// The server whose leases we hold (or we are requesting from).
    server_id: Vec<u8, MAX_DUID_LEN>,
    na: Ia<ADDRS>,
    pd: Ia<PREFIXES>,
    offer: Option<Offer<ADDRS, PREFIXES>>,
    declining: Vec<Ipv6Addr, ADDRS>,
    dns: Vec<Ipv6Addr, SERVERS>,
    ntp: Vec<Ipv6Addr, SERVERS>,
    domains: Vec<u8, DOMAIN_LIST_CAPACITY>,
    refresh_at: Option<Instant>,
    sol_max_rt: Duration,
    inf_max_rt: Duration,
    /// Reconfigure key and the last replay detection value seen (§20.4).
    reconfigure_key: Option<([u8; 16], u64)>,
    tx_times: Deque<Instant, RATE_LIMIT_COUNT>,
    events: Deque<Event, EVENT_CAPACITY>,
    stats: Stats,
}

#[cfg(feature = "defmt")]
impl<const A: usize, const P: usize, const S: usize> defmt::Format for Client<A, P, S> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(
            f,
            "Client({}, {}, {=usize} addresses, {=usize} prefixes)",
            self.mode,
            self.state,
            self.na.leases.len(),
            self.pd.leases.len()
        )
    }
}

impl<const ADDRS: usize, const PREFIXES: usize, const SERVERS: usize>
    Client<ADDRS, PREFIXES, SERVERS>
{
    /// A client identified by `duid` (§11, 3..=130 bytes), idle until [`Client::start`].
    /// `seed` drives transaction IDs and retransmission jitter: give each boot a fresh one.
    pub fn new(duid: &[u8], config: Config, seed: u64) -> Result<Self, ConfigError> {
        if !(3..=MAX_DUID_LEN).contains(&duid.len()) {
            return Err(ConfigError::BadDuidLength(duid.len()));
        }
        if let Some(n) = config.prefix_length_hint.filter(|&n| n > 128) {
            return Err(ConfigError::BadPrefixLengthHint(n));
        }
        let duid = Vec::from_slice(duid).map_err(|_| ConfigError::BadDuidLength(duid.len()))?;
        Ok(Client {
            config,
            mode: Mode::Stateless,
            duid,
            rng: Rng::new(seed),
            state: State::Idle,
            exchange: None,
            server_id: Vec::new(),
            na: Ia::new(config.iaid_na),
            pd: Ia::new(config.iaid_pd),
            offer: None,
            declining: Vec::new(),
            dns: Vec::new(),
            ntp: Vec::new(),
            domains: Vec::new(),
            refresh_at: None,
            sol_max_rt: retransmit::SOL_MAX_RT,
            inf_max_rt: retransmit::INF_MAX_RT,
            reconfigure_key: None,
            tx_times: Deque::new(),
            events: Deque::new(),
            stats: Stats::default(),
        })
    }

    // ----- accessors -------------------------------------------------------------------------

    /// The current state.
    pub fn state(&self) -> State {
        self.state
    }
    /// The mode given to [`Client::start`].
    pub fn mode(&self) -> Mode {
        self.mode
    }
    /// Drop and overflow counters.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }
    /// Addresses held (IA_NA).
    pub fn addresses(&self) -> &[Lease] {
        &self.na.leases
    }
    /// Delegated prefixes held (IA_PD).
    pub fn prefixes(&self) -> &[DelegatedPrefix] {
        &self.pd.leases
    }
    /// DNS recursive name servers (RFC 3646), most recent Reply.
    pub fn dns_servers(&self) -> &[Ipv6Addr] {
        &self.dns
    }
    /// NTP server addresses (RFC 5908 suboptions 1 and 2), most recent Reply.
    pub fn ntp_servers(&self) -> &[Ipv6Addr] {
        &self.ntp
    }
    /// The domain search list (wire format, walk it with [`NameList`]).
    pub fn domain_list(&self) -> NameList<'_> {
        NameList::new(&self.domains)
    }
    /// The DUID of the server whose leases are held, if any.
    pub fn server_id(&self) -> Option<&[u8]> {
        (!self.server_id.is_empty()).then_some(&self.server_id[..])
    }
    /// The SOL_MAX_RT in force (§21.24).
    pub fn sol_max_rt(&self) -> Duration {
        self.sol_max_rt
    }
    /// The INF_MAX_RT in force (§21.25).
    pub fn inf_max_rt(&self) -> Duration {
        self.inf_max_rt
    }
    /// When the next Renew is due (T1), if bound.
    pub fn renew_at(&self) -> Option<Instant> {
        opt_min(self.na.renew_at(), self.pd.renew_at())
    }
    /// When Rebind is due (T2), if bound.
    pub fn rebind_at(&self) -> Option<Instant> {
        opt_min(self.na.rebind_at(), self.pd.rebind_at())
    }
    /// When stateless configuration is next refreshed (§21.23).
    pub fn refresh_at(&self) -> Option<Instant> {
        self.refresh_at
    }
    /// The current exchange's retransmission state, if one is running.
    pub fn retransmission(&self) -> Option<&Retransmission> {
        self.exchange.as_ref().map(|e| &e.rtx)
    }
    /// Whether a reconfigure key from the server is held (§20.4).
    pub fn has_reconfigure_key(&self) -> bool {
        self.reconfigure_key.is_some()
    }

    // ----- commands --------------------------------------------------------------------------

    /// Start in `mode` (from the host's RA M/O flags, or directly). Leases held from an earlier
    /// start are dropped (`Removal::Restarted`).
    pub fn start(&mut self, now: Instant, mode: Mode) {
        if self.state == State::Releasing {
            // Their removal was already reported when the Release began.
            self.na = Ia::new(self.config.iaid_na);
            self.pd = Ia::new(self.config.iaid_pd);
        }
        self.drop_all_leases(Removal::Restarted);
        self.mode = mode;
        self.offer = None;
        self.refresh_at = None;
        self.server_id.clear();
        if mode.is_stateless() {
            self.begin(now, Message::InformationRequest);
        } else {
            self.begin(now, Message::Solicit);
        }
    }

    /// Stop: Release held leases (§18.2.7), which stop being usable at once (their removal
    /// events are queued now). Without leases the client is idle at once.
    pub fn stop(&mut self, now: Instant) {
        self.offer = None;
        self.refresh_at = None;
        let held = !self.na.leases.is_empty() || !self.pd.leases.is_empty();
        if held && !self.server_id.is_empty() && !self.mode.is_stateless() {
            // The leases stay in the IAs only to be named in the Release.
            for i in 0..self.na.leases.len() {
                if let Some(l) = self.na.leases.get(i).copied() {
                    self.push_event(Event::AddressRemoved {
                        address: l.address,
                        reason: Removal::Released,
                    });
                }
            }
            for i in 0..self.pd.leases.len() {
                if let Some(l) = self.pd.leases.get(i).copied() {
                    self.push_event(Event::PrefixRemoved {
                        prefix: l.address,
                        prefix_len: l.prefix_len,
                        reason: Removal::Released,
                    });
                }
            }
            self.begin(now, Message::Release);
        } else {
            self.drop_all_leases(Removal::Released);
            self.exchange = None;
            self.state = State::Idle;
        }
    }

    /// The link may have changed (§18.2.12): Confirm addresses, Rebind when prefixes are held,
    /// ask again for configuration when stateless, restart a Solicit in progress.
    pub fn link_changed(&mut self, now: Instant) {
        match self.state {
            State::Idle | State::Releasing => {}
            State::InformationRequesting | State::Informed => {
                self.begin(now, Message::InformationRequest)
            }
            State::Soliciting | State::Requesting => {
                self.offer = None;
                self.begin(now, Message::Solicit)
            }
            State::Bound
            | State::Renewing
            | State::Rebinding
            | State::Confirming
            | State::Declining => {
                if !self.pd.leases.is_empty() {
                    self.begin(now, Message::Rebind)
                } else if !self.na.leases.is_empty() {
                    self.begin(now, Message::Confirm)
                } else {
                    self.begin(now, Message::Solicit)
                }
            }
        }
    }

    /// Duplicate Address Detection failed for `address` (§18.2.8): stop using it and Decline
    /// it. Returns false (and does nothing) if it is not one of ours, or while releasing.
    pub fn dad_conflict(&mut self, now: Instant, address: Ipv6Addr) -> bool {
        if matches!(self.state, State::Idle | State::Releasing) {
            return false;
        }
        let Some(pos) = self.na.leases.iter().position(|l| l.address == address) else {
            return false;
        };
        self.na.leases.swap_remove(pos);
        self.push_event(Event::AddressRemoved {
            address,
            reason: Removal::Declined,
        });
        if !self.declining.contains(&address) {
            // Capacity equals ADDRS and each declined address left `na.leases`: it fits.
            let _ = self.declining.push(address);
        }
        self.begin(now, Message::Decline);
        true
    }

    // ----- sans-IO outputs -------------------------------------------------------------------

    /// The next event to act on, if any.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// The earliest instant at which [`Client::handle_timeout`] or [`Client::poll_transmit`]
    /// has work; `None` when idle.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let mut t = None;
        if let Some(ex) = &self.exchange {
            if let Some(due) = ex.rtx.send_due() {
                t = opt_min(t, Some(due.max(self.rate_limit_release())));
            }
            t = opt_min(t, ex.rtx.timeout());
        }
        if self.state != State::Releasing {
            t = opt_min(t, opt_min(self.na.expiry_at(), self.pd.expiry_at()));
        }
        match self.state {
            State::Bound => t = opt_min(t, opt_min(self.renew_at(), self.rebind_at())),
            State::Renewing | State::Confirming | State::Declining => {
                t = opt_min(t, self.rebind_at())
            }
            State::Informed => t = opt_min(t, self.refresh_at),
            _ => {}
        }
        // Infinite lifetimes saturate at the end of time: nothing to wake up for.
        t.filter(|&t| t != Instant::from_millis(u64::MAX))
    }

    /// Advance timers to `now`: expire leases, retransmit or give up, start Renew at T1,
    /// Rebind at T2, refresh stateless configuration.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.state != State::Releasing {
            self.expire(now);
        }
        if let Some(ex) = &mut self.exchange {
            if ex.rtx.timeout().is_some_and(|t| t <= now) {
                let message = ex.message;
                if message == Message::Solicit && self.offer.is_some() {
                    // The first RT is over: take the best Advertise (§18.2.1).
                    self.begin(now, Message::Request);
                } else if ex.rtx.on_timeout(now) == Expiry::GiveUp {
                    self.exchange_failed(now, message);
                }
            }
        }
        match self.state {
            State::Bound => {
                if self.rebind_at().is_some_and(|t| t <= now) {
                    self.begin(now, Message::Rebind);
                } else if self.renew_at().is_some_and(|t| t <= now) {
                    self.begin(now, Message::Renew);
                }
            }
            State::Renewing | State::Confirming | State::Declining
                if self.rebind_at().is_some_and(|t| t <= now) =>
            {
                self.begin(now, Message::Rebind);
            }
            State::Informed if self.refresh_at.is_some_and(|t| t <= now) => {
                self.begin(now, Message::InformationRequest);
            }
            _ => {}
        }
    }

    /// Write the next due message into `buf` (a UDP payload for
    /// [`ALL_DHCP_RELAY_AGENTS_AND_SERVERS`] port 547). `None` if nothing is due, the rate
    /// limit holds it back, or it does not fit `buf` (counted in [`Stats::encode_failed`] and
    /// treated as a lost transmission, so the exchange retransmits and eventually gives up
    /// cleanly).
    pub fn poll_transmit(&mut self, now: Instant, buf: &mut [u8]) -> Option<Transmit> {
        let release = self.rate_limit_release();
        let ex = self.exchange.as_mut()?;
        let due = ex.rtx.send_due()?;
        if due > now {
            return None;
        }
        if release > due && !ex.rate_held {
            // The rate limit pushes this transmission past its due time.
            ex.rate_held = true;
            bump(&mut self.stats.rate_limited);
        }
        if release > now {
            return None;
        }
        let (message, xid) = (ex.message, ex.xid);
        let elapsed = ex.rtx.elapsed_hundredths(now);
        let written = build(buf, |w| self.write_message(w, message, xid, elapsed));
        if let Some(ex) = &mut self.exchange {
            ex.rtx.on_sent(now, &mut self.rng);
            ex.rate_held = false;
        }
        match written {
            Ok(len) => {
                if self.tx_times.is_full() {
                    self.tx_times.pop_front();
                }
                // Not full after the pop.
                let _ = self.tx_times.push_back(now);
                bump(&mut self.stats.transmitted);
                Some(Transmit {
                    len,
                    destination: ALL_DHCP_RELAY_AGENTS_AND_SERVERS,
                    port: SERVER_PORT,
                    message,
                })
            }
            Err(_) => {
                bump(&mut self.stats.encode_failed);
                None
            }
        }
    }

    // ----- sans-IO input ---------------------------------------------------------------------

    /// Handle a datagram received on port 546 (the UDP payload).
    pub fn handle_message(&mut self, now: Instant, datagram: &[u8], delivery: Delivery) {
        bump(&mut self.stats.received);
        let (Some(&msg_type), Some(xid), Some(options)) =
            (datagram.first(), datagram.get(1..4), datagram.get(4..))
        else {
            bump(&mut self.stats.dropped_malformed);
            return;
        };
        if msg::check(options, 4).is_err() {
            bump(&mut self.stats.dropped_malformed);
            return;
        }
        match MessageType::from(msg_type) {
            t @ (MessageType::Advertise | MessageType::Reply) => {
                self.handle_advertise_or_reply(now, t, xid, options)
            }
            MessageType::Reconfigure => self.handle_reconfigure(now, datagram, options, delivery),
            _ => bump(&mut self.stats.dropped_message_type),
        }
    }

    /// Same as [`Client::handle_message`] for a unicast datagram (Advertise and Reply do not
    /// depend on how they arrived).
    pub fn handle_reply(&mut self, now: Instant, datagram: &[u8]) {
        self.handle_message(now, datagram, Delivery::Unicast)
    }

    // ----- internals -------------------------------------------------------------------------

    fn rate_limit_release(&self) -> Instant {
        match (self.tx_times.is_full(), self.tx_times.front()) {
            (true, Some(&oldest)) => oldest + RATE_LIMIT_WINDOW,
            _ => Instant::ZERO,
        }
    }

    fn push_event(&mut self, e: Event) {
        if self.events.push_back(e).is_err() {
            bump(&mut self.stats.events_dropped);
        }
    }

    fn drop_all_leases(&mut self, reason: Removal) {
        while let Some(l) = self.na.leases.pop() {
            self.push_event(Event::AddressRemoved {
                address: l.address,
                reason,
            });
        }
        while let Some(l) = self.pd.leases.pop() {
            self.push_event(Event::PrefixRemoved {
                prefix: l.address,
                prefix_len: l.prefix_len,
                reason,
            });
        }
        self.na = Ia::new(self.config.iaid_na);
        self.pd = Ia::new(self.config.iaid_pd);
    }

    /// Start an exchange for `message` at `now` (replacing any running one).
    fn begin(&mut self, now: Instant, message: Message) {
        let params = match message {
            Message::Solicit => Parameters::solicit(self.sol_max_rt),
            Message::Request => Parameters::REQUEST,
            Message::Confirm => Parameters::CONFIRM,
            Message::Renew => Parameters::renew(
                self.rebind_at()
                    .map_or(Duration::ZERO, |t| t.saturating_duration_since(now)),
            ),
            Message::Rebind => Parameters::rebind(
                self.last_expiry()
                    .map_or(Duration::ZERO, |t| t.saturating_duration_since(now)),
            ),
            Message::Release => Parameters::RELEASE,
            Message::Decline => Parameters::DECLINE,
            Message::InformationRequest => Parameters::information_request(self.inf_max_rt),
        };
        // MRD of zero means "no limit" in §15; a Renew or Rebind whose deadline has already
        // passed must not run unbounded, so give it one transmission.
        let mut params = params;
        if matches!(message, Message::Renew | Message::Rebind) && params.mrd == Duration::ZERO {
            params.mrc = 1;
        }
        let r = self.rng.next_u64();
        let xid = [(r >> 16) as u8, (r >> 8) as u8, r as u8];
        self.exchange = Some(Exchange {
            message,
            xid,
            rtx: Retransmission::new(now, params, &mut self.rng),
            rate_held: false,
        });
        self.state = match message {
            Message::Solicit => {
                self.offer = None;
                State::Soliciting
            }
            Message::Request => {
                if let Some(o) = &self.offer {
                    self.server_id = o.server_id.clone();
                }
                State::Requesting
            }
            Message::Confirm => State::Confirming,
            Message::Renew => State::Renewing,
            Message::Rebind => State::Rebinding,
            Message::Release => State::Releasing,
            Message::Decline => State::Declining,
            Message::InformationRequest => State::InformationRequesting,
        };
    }

    fn last_expiry(&self) -> Option<Instant> {
        let na = self.na.leases.iter().map(Lease::valid_until).max();
        let pd = self.pd.leases.iter().map(Lease::valid_until).max();
        match (na, pd) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        }
    }

    /// Return to the resting state after an exchange.
    fn settle(&mut self, now: Instant) {
        self.exchange = None;
        self.declining.clear();
        if self.mode.is_stateless() {
            self.state = State::Informed;
        } else if self.na.leases.is_empty() && self.pd.leases.is_empty() {
            self.begin(now, Message::Solicit);
        } else {
            self.state = State::Bound;
        }
    }

    fn exchange_failed(&mut self, now: Instant, message: Message) {
        bump(&mut self.stats.exchanges_failed);
        self.push_event(Event::ExchangeFailed(message));
        match message {
            // Solicit and Information-request have neither MRC nor MRD: they never give up.
            Message::Solicit => self.begin(now, Message::Solicit),
            Message::InformationRequest => self.begin(now, Message::InformationRequest),
            Message::Request => {
                self.offer = None;
                self.begin(now, Message::Solicit)
            }
            // No answer to Confirm: keep using the addresses (§18.2.3).
            Message::Confirm | Message::Decline => self.settle(now),
            Message::Renew => self.begin(now, Message::Rebind),
            Message::Rebind => {
                self.expire(now);
                self.drop_all_leases(Removal::Expired);
                self.begin(now, Message::Solicit)
            }
            Message::Release => {
                self.na = Ia::new(self.config.iaid_na);
                self.pd = Ia::new(self.config.iaid_pd);
                self.exchange = None;
                self.state = State::Idle;
            }
        }
    }

    /// Remove leases whose valid lifetime has ended; with none left, solicit again.
    fn expire(&mut self, now: Instant) {
        let mut any = false;
        let mut i = 0;
        while i < self.na.leases.len() {
            if self.na.leases[i].valid_until() <= now {
                let l = self.na.leases.swap_remove(i);
                self.push_event(Event::AddressRemoved {
                    address: l.address,
                    reason: Removal::Expired,
                });
                any = true;
            } else {
                i += 1;
            }
        }
        let mut i = 0;
        while i < self.pd.leases.len() {
            if self.pd.leases[i].valid_until() <= now {
                let l = self.pd.leases.swap_remove(i);
                self.push_event(Event::PrefixRemoved {
                    prefix: l.address,
                    prefix_len: l.prefix_len,
                    reason: Removal::Expired,
                });
                any = true;
            } else {
                i += 1;
            }
        }
        if any
            && self.na.leases.is_empty()
            && self.pd.leases.is_empty()
            && matches!(
                self.state,
                State::Bound
                    | State::Renewing
                    | State::Rebinding
                    | State::Confirming
                    | State::Declining
            )
        {
            self.begin(now, Message::Solicit);
        }
    }

    fn write_message(&self, w: &mut Writer<'_>, message: Message, xid: [u8; 3], elapsed: u16) {
        let xid = u32::from_be_bytes([0, xid[0], xid[1], xid[2]]);
        w.header(message.message_type(), xid);
        w.option(OptionCode::ClientId.into(), &self.duid);
        if matches!(
            message,
            Message::Request | Message::Renew | Message::Release | Message::Decline
        ) {
            w.option(OptionCode::ServerId.into(), &self.server_id);
        }
        w.elapsed_time(elapsed);
        match message {
            Message::InformationRequest => {
                w.oro(&[
                    OptionCode::DnsServers,
                    OptionCode::DomainList,
                    OptionCode::NtpServer,
                    OptionCode::InformationRefreshTime,
                    OptionCode::InfMaxRt,
                ]);
            }
            Message::Solicit | Message::Request | Message::Renew | Message::Rebind => {
                w.oro(&[
                    OptionCode::DnsServers,
                    OptionCode::DomainList,
                    OptionCode::NtpServer,
                    OptionCode::SolMaxRt,
                ]);
            }
            Message::Confirm | Message::Release | Message::Decline => {}
        }
        if self.config.reconfigure_accept
            && matches!(
                message,
                Message::Solicit
                    | Message::Request
                    | Message::Renew
                    | Message::Rebind
                    | Message::InformationRequest
            )
        {
            w.reconfigure_accept();
        }
        if message == Message::Solicit && self.config.rapid_commit {
            w.rapid_commit();
        }
        // Lifetimes and T1/T2 in client messages are 0 and ignored by servers (§21.4, §21.6).
        match message {
            Message::InformationRequest => {}
            Message::Decline => {
                w.begin_ia_na(self.config.iaid_na, 0, 0);
                for a in &self.declining {
                    w.ia_addr(*a, 0, 0);
                }
                w.end();
            }
            _ => {
                let offer = self.offer.as_ref().filter(|_| message == Message::Request);
                let (na, pd): (&[Lease], &[Lease]) = match (message, offer) {
                    (Message::Solicit, _) => (&[], &[]),
                    (Message::Request, Some(o)) => (&o.na.leases, &o.pd.leases),
                    _ => (&self.na.leases, &self.pd.leases),
                };
                if self.mode.wants_na() && (message != Message::Confirm || !na.is_empty()) {
                    w.begin_ia_na(self.config.iaid_na, 0, 0);
                    for l in na {
                        w.ia_addr(l.address, 0, 0);
                    }
                    w.end();
                }
                // Delegated prefixes are checked with Rebind, never Confirm (§18.2.3).
                if self.mode.wants_pd() && message != Message::Confirm {
                    w.begin_ia_pd(self.config.iaid_pd, 0, 0);
                    for l in pd {
                        w.ia_prefix(0, 0, l.prefix_len, l.address);
                    }
                    if let Some(len) = self
                        .config
                        .prefix_length_hint
                        .filter(|_| message == Message::Solicit)
                    {
                        w.ia_prefix(0, 0, len, Ipv6Addr::UNSPECIFIED);
                    }
                    w.end();
                }
            }
        }
    }

    fn summarize<'a>(&mut self, options: &'a [u8]) -> Result<Summary<'a>, ()> {
        let mut s = Summary::default();
        let mut server_ids = 0;
        let mut client_ok = false;
        let mut client_ids = 0;
        let exactly4 = |body: &[u8]| msg::be32(body, 0).filter(|_| body.len() == 4);
        for (c, body) in msg::walk(options) {
            match c {
                OptionCode::ServerId => {
                    server_ids += 1;
                    s.server_id = Some(body);
                }
                OptionCode::ClientId => {
                    client_ids += 1;
                    client_ok = body == &self.duid[..];
                }
                OptionCode::StatusCode if s.status.is_none() => {
                    s.status = Some(msg::status_of(body))
                }
                OptionCode::Preference => s.preference = body.first().copied().unwrap_or(0),
                OptionCode::RapidCommit => s.rapid_commit = true,
                OptionCode::IaNa if self.mode.wants_na() => {
                    take_ia(&mut s.na, body, self.config.iaid_na, &mut self.stats)
                }
                OptionCode::IaPd if self.mode.wants_pd() => {
                    take_ia(&mut s.pd, body, self.config.iaid_pd, &mut self.stats)
                }
                OptionCode::DnsServers => s.dns = Some(body),
                OptionCode::DomainList => s.domains = Some(body),
                OptionCode::NtpServer => s.ntp = Some(body),
                OptionCode::SolMaxRt => s.sol_max_rt = exactly4(body),
                OptionCode::InfMaxRt => s.inf_max_rt = exactly4(body),
                OptionCode::InformationRefreshTime => s.refresh_time = exactly4(body),
                OptionCode::Authentication => s.auth = Some(body),
                _ => {}
            }
        }
        if server_ids != 1 || s.server_id.is_some_and(|id| id.is_empty()) {
            bump(&mut self.stats.dropped_server_id);
            return Err(());
        }
        if client_ids != 1 || !client_ok {
            bump(&mut self.stats.dropped_client_id);
            return Err(());
        }
        Ok(s)
    }

    fn handle_advertise_or_reply(
        &mut self,
        now: Instant,
        t: MessageType,
        xid: &[u8],
        options: &[u8],
    ) {
        let Some(ex) = &self.exchange else {
            bump(&mut self.stats.dropped_transaction_id);
            return;
        };
        if xid != ex.xid {
            bump(&mut self.stats.dropped_transaction_id);
            return;
        }
        let message = ex.message;
        let Ok(s) = self.summarize(options) else {
            return;
        };
        // SOL_MAX_RT / INF_MAX_RT are processed even from an Advertise without leases
        // (§18.2.9), and honoured only within 60..=86400 (§21.24, §21.25).
        if let Some(v) = s.sol_max_rt.filter(|v| MAX_RT_RANGE.contains(v)) {
            self.sol_max_rt = Duration::from_secs(u64::from(v));
            if let Some(ex) = self
                .exchange
                .as_mut()
                .filter(|e| e.message == Message::Solicit)
            {
                ex.rtx.set_mrt(self.sol_max_rt);
            }
        }
        if let Some(v) = s.inf_max_rt.filter(|v| MAX_RT_RANGE.contains(v)) {
            self.inf_max_rt = Duration::from_secs(u64::from(v));
            if let Some(ex) = self
                .exchange
                .as_mut()
                .filter(|e| e.message == Message::InformationRequest)
            {
                ex.rtx.set_mrt(self.inf_max_rt);
            }
        }
        match (t, message) {
            (MessageType::Advertise, Message::Solicit) => self.take_advertise(now, &s),
            (MessageType::Reply, Message::Solicit)
                if s.rapid_commit && self.config.rapid_commit =>
            {
                self.binding_reply(now, &s, Message::Request)
            }
            (MessageType::Reply, Message::Request | Message::Renew | Message::Rebind) => {
                self.binding_reply(now, &s, message)
            }
            (MessageType::Reply, Message::Confirm) => match s.status {
                Some(StatusCode::NotOnLink) => {
                    while let Some(l) = self.na.leases.pop() {
                        self.push_event(Event::AddressRemoved {
                            address: l.address,
                            reason: Removal::NotOnLink,
                        });
                    }
                    self.settle(now)
                }
                Some(StatusCode::Success) | None => self.settle(now),
                Some(_) => bump(&mut self.stats.ignored_status),
            },
            (MessageType::Reply, Message::Release) => {
                self.na = Ia::new(self.config.iaid_na);
                self.pd = Ia::new(self.config.iaid_pd);
                self.exchange = None;
                self.state = State::Idle;
            }
            (MessageType::Reply, Message::Decline) => self.settle(now),
            (MessageType::Reply, Message::InformationRequest) => {
                if matches!(
                    s.status,
                    Some(StatusCode::UnspecFail) | Some(StatusCode::UseMulticast)
                ) {
                    bump(&mut self.stats.ignored_status);
                    return;
                }
                self.apply_configuration(&s);
                self.take_reconfigure_key(&s);
                // Remembered only to authenticate a later Reconfigure (§18.2.11).
                if let Some(id) = s.server_id.and_then(|id| Vec::from_slice(id).ok()) {
                    self.server_id = id;
                }
                let refresh = match s.refresh_time {
                    None => retransmit::IRT_DEFAULT,
                    Some(v) => lifetime(v).max(retransmit::IRT_MINIMUM),
                };
                self.refresh_at = Some(now + refresh);
                self.settle(now);
            }
            _ => bump(&mut self.stats.dropped_unexpected),
        }
    }

    fn take_advertise(&mut self, now: Instant, s: &Summary<'_>) {
        let mut na = Ia::<ADDRS>::new(self.config.iaid_na);
        let mut pd = Ia::<PREFIXES>::new(self.config.iaid_pd);
        if let Some(b) = s.na {
            read_ia(b, false, now, &mut na, &mut self.stats);
        }
        if let Some(b) = s.pd {
            read_ia(b, true, now, &mut pd, &mut self.stats);
        }
        // An Advertise with nothing in any IA is ignored (§18.2.9); one IA failing
        // (NoAddrsAvail) while another has leases is a valid offer (busybox udhcpc6's bug).
        if na.leases.is_empty() && pd.leases.is_empty() {
            bump(&mut self.stats.advertise_without_leases);
            return;
        }
        let Some(id) = s.server_id.and_then(|id| Vec::from_slice(id).ok()) else {
            bump(&mut self.stats.dropped_server_id);
            return;
        };
        let better = match &self.offer {
            None => true,
            Some(o) => {
                s.preference > o.preference
                    || (s.preference == o.preference
                        && na.leases.len() + pd.leases.len()
                            > o.na.leases.len() + o.pd.leases.len())
            }
        };
        if better {
            self.offer = Some(Offer {
                server_id: id,
                preference: s.preference,
                na,
                pd,
            });
        }
        // Preference 255 is taken at once; after the first RT, the first valid Advertise is.
        let first_rt_over = self.exchange.as_ref().is_some_and(|e| e.rtx.count() > 1);
        if s.preference == 255 || first_rt_over {
            self.begin(now, Message::Request);
        }
    }

    fn binding_reply(&mut self, now: Instant, s: &Summary<'_>, message: Message) {
        match s.status {
            Some(StatusCode::UnspecFail) | Some(StatusCode::UseMulticast) => {
                bump(&mut self.stats.ignored_status);
                return;
            }
            Some(StatusCode::NotOnLink) if message == Message::Request => {
                self.offer = None;
                self.begin(now, Message::Solicit);
                return;
            }
            _ => {}
        }
        let top_no_binding = s.status == Some(StatusCode::NoBinding);
        let mut outcomes = [IaOutcome::Absent; 2];
        if self.mode.wants_na() {
            outcomes[0] = match s.na {
                Some(b) => self.apply_ia(now, b, false),
                None if top_no_binding => IaOutcome::NoBinding,
                None => IaOutcome::Absent,
            };
        }
        if self.mode.wants_pd() {
            outcomes[1] = match s.pd {
                Some(b) => self.apply_ia(now, b, true),
                None if top_no_binding => IaOutcome::NoBinding,
                None => IaOutcome::Absent,
            };
        }
        self.apply_configuration(s);
        self.take_reconfigure_key(s);
        if let Some(id) = s.server_id.and_then(|id| Vec::from_slice(id).ok()) {
            if outcomes.contains(&IaOutcome::Updated) || message != Message::Request {
                // Rebind may switch servers: later Renews go to whoever answered.
                self.server_id = id;
            }
        }
        self.offer = None;
        if matches!(message, Message::Renew | Message::Rebind) {
            // An IA the server did not extend (absent, or NoAddrsAvail and the like) keeps its
            // leases; asking again at once would get the same answer, so wait for the next
            // stage (§18.2.10.1): Rebind at T2 after a Renew, expiry after a Rebind.
            let expiry = self.last_expiry();
            let defer = |t1: &mut Duration, t2: &mut Duration, since: Instant| {
                if message == Message::Renew {
                    *t1 = *t2;
                } else if let Some(end) = expiry {
                    *t1 = end.saturating_duration_since(since);
                    *t2 = *t1;
                }
            };
            if matches!(outcomes[0], IaOutcome::Absent | IaOutcome::Failed) {
                defer(&mut self.na.t1, &mut self.na.t2, self.na.refreshed_at);
            }
            if matches!(outcomes[1], IaOutcome::Absent | IaOutcome::Failed) {
                defer(&mut self.pd.t1, &mut self.pd.t2, self.pd.refreshed_at);
            }
        }
        if matches!(message, Message::Renew | Message::Rebind)
            && outcomes.contains(&IaOutcome::NoBinding)
        {
            // NoBinding: one Request for the IAs (§18.2.10.1), not another Renew.
            self.begin(now, Message::Request);
            return;
        }
        if message == Message::Request && !outcomes.contains(&IaOutcome::Updated) {
            // Nothing bound: look for another server.
            self.begin(now, Message::Solicit);
            return;
        }
        self.settle(now);
    }

    /// Merge one IA of a Reply into the binding, queueing events.
    fn apply_ia(&mut self, now: Instant, body: &[u8], pd: bool) -> IaOutcome {
        let mut fresh_na = Ia::<ADDRS>::new(self.config.iaid_na);
        let mut fresh_pd = Ia::<PREFIXES>::new(self.config.iaid_pd);
        let outcome = if pd {
            read_ia(body, true, now, &mut fresh_pd, &mut self.stats)
        } else {
            read_ia(body, false, now, &mut fresh_na, &mut self.stats)
        };
        let Some((status_code, t1, t2, withdrawn)) = outcome else {
            return IaOutcome::Absent;
        };
        let fresh: &[Lease] = if pd {
            &fresh_pd.leases
        } else {
            &fresh_na.leases
        };
        match status_code {
            StatusCode::Success => {}
            StatusCode::NoBinding => return IaOutcome::NoBinding,
            _ => return IaOutcome::Failed,
        }
        for a in withdrawn.iter() {
            self.remove_lease(pd, *a, Removal::Withdrawn);
        }
        if fresh.is_empty() {
            // Nothing extended (withdrawals, if any, are applied): for timing purposes the IA
            // was not renewed.
            return IaOutcome::Failed;
        }
        for l in fresh {
            let (existing, full) = if pd {
                (
                    self.pd
                        .leases
                        .iter()
                        .position(|x| x.address == l.address && x.prefix_len == l.prefix_len),
                    self.pd.leases.is_full(),
                )
            } else {
                (
                    self.na.leases.iter().position(|x| x.address == l.address),
                    self.na.leases.is_full(),
                )
            };
            match (existing, pd) {
                (Some(i), false) => {
                    if let Some(x) = self.na.leases.get_mut(i) {
                        *x = *l;
                    }
                    self.push_event(Event::AddressRenewed(*l));
                }
                (Some(i), true) => {
                    if let Some(x) = self.pd.leases.get_mut(i) {
                        *x = *l;
                    }
                    self.push_event(Event::PrefixRenewed(*l));
                }
                (None, _) if full => bump(&mut self.stats.leases_over_capacity),
                (None, false) => {
                    let _ = self.na.leases.push(*l);
                    self.push_event(Event::AddressBound(*l));
                }
                (None, true) => {
                    let _ = self.pd.leases.push(*l);
                    self.push_event(Event::PrefixBound(*l));
                }
            }
        }
        // T1/T2 (§21.4, §21.21): 0 leaves the time to the client; use the RFC's suggested
        // 0.5 and 0.8 of the shortest preferred lifetime (§14.2).
        let shortest = fresh
            .iter()
            .map(|l| l.preferred)
            .filter(|&d| d != Duration::ZERO)
            .min()
            .or_else(|| fresh.iter().map(|l| l.valid).min())
            .unwrap_or(Duration::MAX);
        let t1 = if t1 == 0 {
            scale(shortest, 1, 2)
        } else {
            lifetime(t1)
        };
        let t2 = if t2 == 0 {
            scale(shortest, 4, 5).max(t1)
        } else {
            lifetime(t2)
        };
        if pd {
            self.pd.t1 = t1;
            self.pd.t2 = t2;
            self.pd.refreshed_at = now;
        } else {
            self.na.t1 = t1;
            self.na.t2 = t2;
            self.na.refreshed_at = now;
        }
        IaOutcome::Updated
    }

    fn remove_lease(&mut self, pd: bool, (address, len): (Ipv6Addr, u8), reason: Removal) {
        if pd {
            if let Some(i) = self
                .pd
                .leases
                .iter()
                .position(|x| x.address == address && x.prefix_len == len)
            {
                self.pd.leases.swap_remove(i);
                self.push_event(Event::PrefixRemoved {
                    prefix: address,
                    prefix_len: len,
                    reason,
                });
            }
        } else if let Some(i) = self.na.leases.iter().position(|x| x.address == address) {
            self.na.leases.swap_remove(i);
            self.push_event(Event::AddressRemoved { address, reason });
        }
    }

    fn apply_configuration(&mut self, s: &Summary<'_>) {
        if let Some(body) = s.dns {
            let mut list = Vec::<Ipv6Addr, SERVERS>::new();
            if body.len() % 16 != 0 {
                bump(&mut self.stats.config_over_capacity);
            }
            for chunk in body.chunks_exact(16) {
                if let Some(a) = msg::addr(chunk, 0) {
                    if list.push(a).is_err() {
                        bump(&mut self.stats.config_over_capacity);
                        break;
                    }
                }
            }
            if list != self.dns {
                self.dns = list;
                self.push_event(Event::DnsServersChanged);
            }
        }
        if let Some(body) = s.domains {
            match (NameList::validate(body), Vec::from_slice(body)) {
                (Ok(()), Ok(v)) => {
                    if v != self.domains {
                        self.domains = v;
                        self.push_event(Event::DomainListChanged);
                    }
                }
                _ => bump(&mut self.stats.config_over_capacity),
            }
        }
        if let Some(body) = s.ntp {
            // RFC 5908 §4: suboptions 1 (server address) and 2 (multicast address) carry an
            // address; FQDNs (3) are not resolved here.
            let mut list = Vec::<Ipv6Addr, SERVERS>::new();
            if msg::check(body, 0).is_err() {
                bump(&mut self.stats.config_over_capacity);
            } else {
                for (c, sub) in msg::walk(body) {
                    let c = u16::from(c);
                    if (c == 1 || c == 2) && sub.len() == 16 {
                        if let Some(a) = msg::addr(sub, 0) {
                            if list.push(a).is_err() {
                                bump(&mut self.stats.config_over_capacity);
                                break;
                            }
                        }
                    }
                }
            }
            if list != self.ntp {
                self.ntp = list;
                self.push_event(Event::NtpServersChanged);
            }
        }
    }

    fn take_reconfigure_key(&mut self, s: &Summary<'_>) {
        if !self.config.reconfigure_accept {
            return;
        }
        if let Some((key, replay)) = s.auth.and_then(auth::key_from_reply) {
            // The replay counter never goes back (§20.3), even if a later Reply restates an
            // older value.
            let last = self.reconfigure_key.map_or(0, |(_, r)| r);
            self.reconfigure_key = Some((key, replay.max(last)));
        }
    }

    fn handle_reconfigure(
        &mut self,
        now: Instant,
        datagram: &[u8],
        options: &[u8],
        delivery: Delivery,
    ) {
        if delivery == Delivery::Multicast {
            bump(&mut self.stats.reconfigure_multicast);
            return;
        }
        let reject = |c: &mut Self| bump(&mut c.stats.reconfigure_rejected);
        let Some((key, last_replay)) = self.reconfigure_key else {
            return reject(self);
        };
        let (mut server_ok, mut servers, mut client_ok, mut clients) = (false, 0, false, 0);
        let mut requested = None;
        let mut auth_at = None;
        for raw in msg::raw(options, 4) {
            let body = raw.data;
            match raw.option_code() {
                OptionCode::ServerId => {
                    servers += 1;
                    server_ok = body == &self.server_id[..] && !body.is_empty();
                }
                OptionCode::ClientId => {
                    clients += 1;
                    client_ok = body == &self.duid[..];
                }
                OptionCode::ReconfigureMessage => {
                    requested = body
                        .first()
                        .filter(|_| body.len() == 1)
                        .map(|&t| MessageType::from(t))
                }
                OptionCode::Authentication => auth_at = Some(raw.data_offset()),
                _ => {}
            }
        }
        if servers != 1 || !server_ok || clients != 1 || !client_ok {
            return reject(self);
        }
        let Some(replay) = auth_at.and_then(|at| auth::verify_reconfigure(&key, datagram, at))
        else {
            return reject(self);
        };
        if replay <= last_replay {
            return reject(self);
        }
        let next = match (requested, self.state) {
            (Some(MessageType::Renew), State::Bound) => Message::Renew,
            (Some(MessageType::Rebind), State::Bound) => Message::Rebind,
            (Some(MessageType::InformationRequest), State::Informed) => Message::InformationRequest,
            // A Reconfigure while an exchange runs, or asking for the wrong thing, is ignored
            // (§18.2.11).
            _ => return reject(self),
        };
        self.reconfigure_key = Some((key, replay));
        bump(&mut self.stats.reconfigure_accepted);
        self.begin(now, next);
        // §18.2.11: the Renew/Information-request follows at once, without the usual delay.
        if let Some(ex) = &mut self.exchange {
            ex.rtx = Retransmission::new(
                now,
                Parameters {
                    initial_delay: Duration::ZERO,
                    ..*ex.rtx.parameters()
                },
                &mut self.rng,
            );
        }
    }
}

fn opt_min(a: Option<Instant>, b: Option<Instant>) -> Option<Instant> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    }
}

/// Keep the first IA whose IAID is ours; count later duplicates (REFERENCES.md: duplicate
/// IAIDs are a defined behaviour: the first wins).
fn take_ia<'a>(slot: &mut Option<&'a [u8]>, body: &'a [u8], iaid: u32, stats: &mut Stats) {
    if body.len() < 12 {
        bump(&mut stats.ignored_ia);
        return;
    }
    if msg::be32(body, 0) != Some(iaid) {
        return;
    }
    if slot.is_some() {
        bump(&mut stats.ignored_ia);
        return;
    }
    *slot = Some(body);
}

/// Addresses or prefixes an IA withdrew (valid lifetime 0).
type Withdrawn = Vec<(Ipv6Addr, u8), 8>;

/// Parse an IA_NA / IA_PD body into `ia.leases` (bounded; overflow counted). Returns the IA's
/// status code, raw T1 and T2, and what it withdrew; `None` if the IA is invalid (T1 > T2 > 0 or
/// bad options: §21.4 says to ignore it).
fn read_ia<const N: usize>(
    body: &[u8],
    pd: bool,
    now: Instant,
    ia: &mut Ia<N>,
    stats: &mut Stats,
) -> Option<(StatusCode, u32, u32, Withdrawn)> {
    let (Some(t1), Some(t2), Some(opts)) = (msg::be32(body, 4), msg::be32(body, 8), body.get(12..))
    else {
        bump(&mut stats.ignored_ia);
        return None;
    };
    if (t1 > t2 && t2 > 0) || msg::check(opts, 0).is_err() {
        bump(&mut stats.ignored_ia);
        return None;
    }
    let mut ia_status = StatusCode::Success;
    let mut withdrawn = Withdrawn::new();
    let want = if pd {
        OptionCode::IaPrefix
    } else {
        OptionCode::IaAddr
    };
    for (c, b) in msg::walk(opts) {
        if c == OptionCode::StatusCode {
            ia_status = msg::status_of(b);
            continue;
        }
        if c != want {
            continue;
        }
        let parsed = if pd {
            // preferred(4) valid(4) prefix-length(1) prefix(16) options
            match (
                msg::be32(b, 0),
                msg::be32(b, 4),
                b.get(8).copied(),
                msg::addr(b, 9),
            ) {
                (Some(p), Some(v), Some(len), Some(a)) if len <= 128 => {
                    Some((a, len, p, v, b.get(25..).unwrap_or(&[])))
                }
                _ => None,
            }
        } else {
            // address(16) preferred(4) valid(4) options
            match (msg::addr(b, 0), msg::be32(b, 16), msg::be32(b, 20)) {
                (Some(a), Some(p), Some(v)) => Some((a, 128, p, v, b.get(24..).unwrap_or(&[]))),
                _ => None,
            }
        };
        let Some((address, prefix_len, p, v, inner)) = parsed else {
            bump(&mut stats.ignored_lease);
            continue;
        };
        let inner_ok = msg::check(inner, 0).is_ok()
            && msg::walk(inner)
                .filter(|(c, _)| *c == OptionCode::StatusCode)
                .all(|(_, s)| msg::status_of(s) == StatusCode::Success);
        if p > v || !inner_ok {
            bump(&mut stats.ignored_lease);
            continue;
        }
        if v == 0 {
            if withdrawn.push((address, prefix_len)).is_err() {
                bump(&mut stats.leases_over_capacity);
            }
            continue;
        }
        if ia
            .leases
            .iter()
            .any(|l| l.address == address && l.prefix_len == prefix_len)
        {
            continue;
        }
        let lease = Lease {
            address,
            prefix_len,
            preferred: lifetime(p),
            valid: lifetime(v),
            received_at: now,
            iaid: ia.iaid,
        };
        if ia.leases.push(lease).is_err() {
            bump(&mut stats.leases_over_capacity);
        }
    }
    Some((ia_status, t1, t2, withdrawn))
}
