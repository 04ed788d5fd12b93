//! The host side of Neighbor Discovery and SLAAC, without I/O: Router Solicitations at start,
//! Router Advertisement processing (RFC 4861 §6.3.4, §6.3.7), stateless address
//! autoconfiguration (RFC 4862 §5.5) with the two-hour rule, router preferences and more-specific
//! routes (RFC 4191), DNS from RAs (RFC 8106), and the M/O flags surfaced as "run DHCPv6"
//! decisions.
//!
//! # The contract (DESIGN.md, "the sans-IO contract")
//!
//! - Feed every received RA to [`Host::handle_ra`] with its [`IpMeta`]; report DAD verdicts with
//!   [`Host::handle_dad_result`].
//! - Send what [`Host::poll_transmit`] writes (Router Solicitations, to `ff02::2`, hop limit
//!   255); call [`Host::handle_timeout`] at [`Host::poll_timeout`].
//! - After each call, drain [`Host::poll_event`] and act: add, update, deprecate and remove
//!   addresses; install and remove routes; rewrite resolv.conf; start the DHCPv6 client.
//!
//! ```
//! use sixconf_core::host::{DadResult, Dhcpv6Mode, Event, Host, HostConfig};
//! use sixconf_core::time::Instant;
//! use sixconf_core::wire::ndisc::{IpMeta, Repr};
//!
//! let mac = [0xfa, 0x16, 0x3e, 0x79, 0x5a, 0xcc];
//! let secret_key = [0x42; 32]; // RFC 7217: kept across reboots, never disclosed
//! let mut host: Host = Host::new(HostConfig::new(mac, secret_key, /* seed */ 1), Instant::ZERO);
//!
//! // The seed's SLAAC RA, as received (the checksum is verified while decoding).
//! let ra = b"\x86\x00\xd6\x8e\x40\x00\x00\x1e\0\0\0\0\0\0\0\0\
//!            \x03\x04\x40\xc0\x00\x01\x51\x80\x00\x00\x38\x40\0\0\0\0\
//!            \x20\x01\x0d\xb8\xca\xfe\0\0\0\0\0\0\0\0\0\0\
//!            \x01\x01\xfa\x16\x3e\xc3\x17\xb4";
//! let meta = IpMeta {
//!     src: "fe80::f816:3eff:fec3:17b4".parse().unwrap(),
//!     dst: "ff02::1".parse().unwrap(),
//!     hop_limit: 255,
//!     had_fragment_header: false,
//! };
//! let Ok(Repr::RouterAdvert(ra)) = Repr::parse_verified(ra, &meta.src, &meta.dst) else {
//!     panic!("not an RA")
//! };
//! let now = Instant::from_millis(300);
//! host.handle_ra(now, &meta, &ra);
//! let mut probe = None;
//! while let Some(event) = host.poll_event() {
//!     // DefaultRouterAdded, OnLinkPrefixAdded, ... : install them. ProbeAddress: run DAD.
//!     if let Event::ProbeAddress { address } = event {
//!         probe = Some(address);
//!     }
//! }
//! let address = probe.unwrap();
//! assert_eq!(address.segments()[..4], [0x2001, 0xdb8, 0xcafe, 0]);
//! host.handle_dad_result(Instant::from_millis(1300), address, DadResult::Ok);
//! assert!(matches!(host.poll_event(), Some(Event::AddressAdded { .. })));
//! assert_eq!(host.dhcpv6_mode(), Dhcpv6Mode::None); // M=0, O=0: no DHCPv6
//! ```
//!
//! The core decides and the adapter acts (smoltcp's `iface/slaac.rs`): the host never touches an
//! interface. Every table is bounded by a const generic; a full table drops newcomers and counts
//! them in [`HostCounters`] (the Prefix List gives up its least recently announced prefix that
//! holds no address instead), and never evicts something in use (CVE-2010-4669).
//!
//! Events are net changes since the adapter last polled: a route installed and withdrawn within
//! one RA is never reported, repeated lifetime refreshes are reported once. What waits is bounded
//! by the tables, not by the number of RAs ([`EVENT_QUEUE_LEN`]).
//!
//! Randomness (the RS delay) comes from [`HostConfig::seed`], so runs replay exactly.
//!
//! [`station::Station`] joins this engine to the DHCPv6 client: the M/O flags start, switch and
//! stop it, DAD verdicts go to whichever engine owns the address, a link change restarts both.

use core::net::Ipv6Addr;

use crate::time::{Duration, Instant};
use crate::wire::dns::Name;
use crate::wire::icmpv6;
use crate::wire::ndisc::option::{Domain, PrefixInformation};
use crate::wire::ndisc::{
    DiscardReason, IpMeta, Mode, NdOption, OptionsRepr, Repr as NdRepr, RouterAdvertRepr,
    RouterPreference, RouterSolicitRepr,
};
use crate::wire::Error;

pub mod address;
pub mod dns;
pub mod iid;
pub mod nat64;
pub mod pd_preferred;
pub mod prefix_list;
pub mod route;
pub mod router_list;
#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
pub mod station;

pub use address::{two_hour_rule, AddressState, AddressTable, SlaacAddress, TWO_HOURS};
pub use dns::{DnsConfig, MAX_DNS_SERVERS, MAX_SEARCH_DOMAINS};
pub use iid::{IidMode, IDGEN_RETRIES};
pub use nat64::{Nat64Prefix, Nat64Prefixes, MAX_NAT64_PREFIXES};
pub use pd_preferred::{PdPreferredList, PdPreferredPrefix};
pub use prefix_list::{OnLinkPrefix, PrefixList};
pub use route::{Route, RouteTable};
pub use router_list::{DefaultRouter, RouterList};

use address::{AddressChange, IidSource};
use nat64::Nat64Change;
use pd_preferred::PdChange;
use prefix_list::PrefixChange;
use route::RouteChange;
use router_list::RouterChange;

/// An instant that never comes: the deadline of an infinite lifetime (0xffffffff on the wire).
pub(crate) const NEVER: Instant = Instant::from_millis(u64::MAX);

/// `MAX_RTR_SOLICITATION_DELAY` (RFC 4861 §10): the first RS waits a random 0..=1 s.
pub const MAX_RTR_SOLICITATION_DELAY: Duration = Duration::from_secs(1);
/// `RTR_SOLICITATION_INTERVAL` (RFC 4861 §10).
pub const RTR_SOLICITATION_INTERVAL: Duration = Duration::from_secs(4);
/// `MAX_RTR_SOLICITATIONS` (RFC 4861 §10).
pub const MAX_RTR_SOLICITATIONS: u8 = 3;
/// The minimum IPv6 link MTU (RFC 8200 §5): smaller MTU options are ignored.
pub const MIN_LINK_MTU: u32 = 1280;
/// How many events wait for [`Host::poll_event`] before new ones are dropped (and counted).
///
/// The queue keeps net changes only (see `EventQueue`), so one call yields at most
/// `9 + 4 × PREFIXES + 2 × ROUTES` events for an RA and `4 + ROUTERS + 3 × PREFIXES + ROUTES`
/// for a timeout: 57 and 40 for `Host<4, 8, 8>`. An adapter that drains the queue after every
/// call never loses one with up to 9 prefixes and 8 routes.
pub const EVENT_QUEUE_LEN: usize = 64;

/// The longest captive portal URI kept (RFC 8910 §2.3 sets no limit; longer ones are counted in
/// [`HostCounters::captive_portal_too_long`] and ignored).
pub const MAX_CAPTIVE_PORTAL_URI: usize = 256;

/// The all-routers multicast address, where Router Solicitations go (RFC 4861 §6.3.7).
pub const ALL_ROUTERS: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 2);

/// A router or route preference as the host ranks them (RFC 4191 §2.1), ordered
/// `Low < Medium < High`. The wire's reserved value never gets here: it means Medium in the RA
/// header (§2.2) and drops a Route Information option (§2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Preference {
    /// `11`.
    Low,
    /// `00`.
    Medium,
    /// `01`.
    High,
}

impl Preference {
    /// The preference of an RA header (RFC 4191 §2.2: reserved is treated as medium).
    pub fn from_router(p: RouterPreference) -> Self {
        Self::from_route(p).unwrap_or(Preference::Medium)
    }

    /// The preference of a Route Information option, `None` for the reserved value (RFC 4191
    /// §2.3: the option is ignored).
    pub fn from_route(p: RouterPreference) -> Option<Self> {
        match p {
            RouterPreference::Low => Some(Preference::Low),
            RouterPreference::Medium => Some(Preference::Medium),
            RouterPreference::High => Some(Preference::High),
            RouterPreference::Reserved => None,
        }
    }
}

/// What the RAs ask of DHCPv6 (RFC 4861 §4.2 M and O flags; DESIGN.md's mode table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Dhcpv6Mode {
    /// M=0, O=0: no DHCPv6 (`slaac`).
    #[default]
    None,
    /// M=0, O=1: Information-Request for other configuration (`dhcpv6-stateless`).
    Stateless,
    /// M=1 (O is then redundant, RFC 4861 §4.2): addresses by DHCPv6 (`dhcpv6-stateful`).
    Stateful,
}

impl Dhcpv6Mode {
    /// The mode the M and O flags ask for.
    pub const fn from_flags(managed: bool, other: bool) -> Self {
        match (managed, other) {
            (true, _) => Dhcpv6Mode::Stateful,
            (false, true) => Dhcpv6Mode::Stateless,
            (false, false) => Dhcpv6Mode::None,
        }
    }
}

/// The outcome of Duplicate Address Detection, as the adapter observed it (RFC 4862 §5.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum DadResult {
    /// No other node claimed the address: it may be assigned.
    Ok,
    /// Another node uses it (an NA for it, or an NS for it from another node).
    Conflict,
}

/// What the adapter must act on. Lifetimes are what remains at the time of the event;
/// [`Duration::MAX`] is infinite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// Run DAD for this tentative address (RFC 4862 §5.4) and report the verdict with
    /// [`Host::handle_dad_result`]. The address must not be used meanwhile.
    ProbeAddress {
        /// The tentative address.
        address: Ipv6Addr,
    },
    /// DAD passed: assign the address.
    AddressAdded {
        /// The address.
        address: Ipv6Addr,
        /// Its prefix length (64 for SLAAC).
        prefix_len: u8,
        /// Remaining valid lifetime.
        valid: Duration,
        /// Remaining preferred lifetime (zero: assign it deprecated).
        preferred: Duration,
    },
    /// An RA refreshed an assigned address's lifetimes (RFC 4862 §5.5.3 e).
    AddressLifetimesUpdated {
        /// The address.
        address: Ipv6Addr,
        /// Remaining valid lifetime.
        valid: Duration,
        /// Remaining preferred lifetime.
        preferred: Duration,
    },
    /// The preferred lifetime ended: keep the address for existing connections, do not pick it
    /// for new ones (RFC 4862 §5.5.4).
    AddressDeprecated {
        /// The address.
        address: Ipv6Addr,
    },
    /// The valid lifetime ended: remove the address (also sent for a tentative address whose
    /// lifetime ended during DAD).
    AddressRemoved {
        /// The address.
        address: Ipv6Addr,
    },
    /// Every identifier tried for this prefix collided; no SLAAC address for it (RFC 7217 §6,
    /// RFC 4862 §5.4.5).
    AddressFailed {
        /// The /64 prefix.
        prefix: Ipv6Addr,
        /// DAD conflicts seen.
        conflicts: u8,
    },
    /// Install (or replace) a default route through this router (RFC 4861 §6.3.4, RFC 4191).
    DefaultRouterAdded {
        /// The router's link-local address.
        router: Ipv6Addr,
        /// Its preference.
        preference: Preference,
    },
    /// Remove the default route through this router (lifetime 0 or expired).
    DefaultRouterRemoved {
        /// The router's link-local address.
        router: Ipv6Addr,
    },
    /// A prefix became on-link (RFC 4861 §6.3.4): install the connected route.
    OnLinkPrefixAdded {
        /// The prefix.
        prefix: Ipv6Addr,
        /// Its length.
        len: u8,
    },
    /// A prefix is no longer on-link.
    OnLinkPrefixRemoved {
        /// The prefix.
        prefix: Ipv6Addr,
        /// Its length.
        len: u8,
    },
    /// Install (or replace) a route learned from a Route Information option (RFC 4191 §3.1).
    RouteAdded {
        /// Destination prefix.
        prefix: Ipv6Addr,
        /// Its length.
        len: u8,
        /// Next hop.
        router: Ipv6Addr,
        /// Route preference.
        preference: Preference,
    },
    /// Remove that route.
    RouteRemoved {
        /// Destination prefix.
        prefix: Ipv6Addr,
        /// Its length.
        len: u8,
        /// Next hop.
        router: Ipv6Addr,
    },
    /// The link MTU changed (RFC 4861 §6.3.4, MTU option).
    MtuChanged {
        /// The new MTU in bytes.
        mtu: u32,
    },
    /// Cur Hop Limit, Reachable Time or Retrans Timer changed (RFC 4861 §6.3.4); read them with
    /// [`Host::link_parameters`].
    LinkParametersChanged,
    /// The RDNSS server list changed; read it with [`Host::dns`] (RFC 8106 §5.3).
    DnsServersChanged,
    /// The DNSSL search list changed; read it with [`Host::dns`].
    SearchListChanged,
    /// The M/O flags changed: start, switch or stop the DHCPv6 client ("run DHCPv6 stateful" for
    /// M, "run DHCPv6 stateless" for O).
    Dhcpv6Changed {
        /// What the latest RA asks for.
        mode: Dhcpv6Mode,
    },
    /// The list of prefixes announced with the P flag changed (RFC 9762 §4.2): read it with
    /// [`Host::pd_preferred`]. Non-empty: run DHCPv6 prefix delegation (and Rebind if prefixes
    /// are held); empty: stop it unless something else needs it. Only with
    /// [`HostConfig::prefix_delegation`].
    PdPreferredChanged,
    /// A NAT64 prefix came or went (RFC 8781 §5): read them with [`Host::nat64_prefixes`].
    Nat64PrefixesChanged,
    /// The captive portal API URI changed (RFC 8910 §2.3): read it with
    /// [`Host::captive_portal`].
    CaptivePortalChanged,
}

#[cfg(feature = "defmt")]
impl defmt::Format for Event {
    fn format(&self, f: defmt::Formatter) {
        match *self {
            Event::ProbeAddress { address } => {
                defmt::write!(f, "ProbeAddress {=[u8]:02x}", address.octets())
            }
            Event::AddressAdded {
                address,
                valid,
                preferred,
                ..
            } => defmt::write!(
                f,
                "AddressAdded {=[u8]:02x} valid {} preferred {}",
                address.octets(),
                valid,
                preferred
            ),
            Event::AddressLifetimesUpdated {
                address,
                valid,
                preferred,
            } => defmt::write!(
                f,
                "AddressLifetimesUpdated {=[u8]:02x} valid {} preferred {}",
                address.octets(),
                valid,
                preferred
            ),
            Event::AddressDeprecated { address } => {
                defmt::write!(f, "AddressDeprecated {=[u8]:02x}", address.octets())
            }
            Event::AddressRemoved { address } => {
                defmt::write!(f, "AddressRemoved {=[u8]:02x}", address.octets())
            }
            Event::AddressFailed { prefix, conflicts } => defmt::write!(
                f,
                "AddressFailed {=[u8]:02x} after {} conflicts",
                prefix.octets(),
                conflicts
            ),
            Event::DefaultRouterAdded { router, preference } => defmt::write!(
                f,
                "DefaultRouterAdded {=[u8]:02x} {}",
                router.octets(),
                preference
            ),
            Event::DefaultRouterRemoved { router } => {
                defmt::write!(f, "DefaultRouterRemoved {=[u8]:02x}", router.octets())
            }
            Event::OnLinkPrefixAdded { prefix, len } => {
                defmt::write!(f, "OnLinkPrefixAdded {=[u8]:02x}/{}", prefix.octets(), len)
            }
            Event::OnLinkPrefixRemoved { prefix, len } => {
                defmt::write!(
                    f,
                    "OnLinkPrefixRemoved {=[u8]:02x}/{}",
                    prefix.octets(),
                    len
                )
            }
            Event::RouteAdded {
                prefix,
                len,
                router,
                preference,
            } => defmt::write!(
                f,
                "RouteAdded {=[u8]:02x}/{} via {=[u8]:02x} {}",
                prefix.octets(),
                len,
                router.octets(),
                preference
            ),
            Event::RouteRemoved {
                prefix,
                len,
                router,
            } => defmt::write!(
                f,
                "RouteRemoved {=[u8]:02x}/{} via {=[u8]:02x}",
                prefix.octets(),
                len,
                router.octets()
            ),
            Event::MtuChanged { mtu } => defmt::write!(f, "MtuChanged {}", mtu),
            Event::LinkParametersChanged => defmt::write!(f, "LinkParametersChanged"),
            Event::DnsServersChanged => defmt::write!(f, "DnsServersChanged"),
            Event::SearchListChanged => defmt::write!(f, "SearchListChanged"),
            Event::Dhcpv6Changed { mode } => defmt::write!(f, "Dhcpv6Changed {}", mode),
            Event::PdPreferredChanged => defmt::write!(f, "PdPreferredChanged"),
            Event::Nat64PrefixesChanged => defmt::write!(f, "Nat64PrefixesChanged"),
            Event::CaptivePortalChanged => defmt::write!(f, "CaptivePortalChanged"),
        }
    }
}

/// What an event is about, for coalescing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    /// Install/remove pairs: at most one net change per key waits.
    Router(Ipv6Addr),
    OnLink(Ipv6Addr, u8),
    Route(Ipv6Addr, u8, Ipv6Addr),
    /// Idempotent notices: only the latest one counts.
    Lifetimes(Ipv6Addr),
    Deprecated(Ipv6Addr),
    Dns,
    SearchList,
    LinkParameters,
    Mtu,
    Dhcpv6,
    PdPreferred,
    Nat64,
    CaptivePortal,
    /// Everything else waits as it came.
    None,
}

impl Key {
    fn of(event: &Event) -> (Key, bool) {
        match *event {
            Event::DefaultRouterAdded { router, .. } => (Key::Router(router), true),
            Event::DefaultRouterRemoved { router } => (Key::Router(router), false),
            Event::OnLinkPrefixAdded { prefix, len } => (Key::OnLink(prefix, len), true),
            Event::OnLinkPrefixRemoved { prefix, len } => (Key::OnLink(prefix, len), false),
            Event::RouteAdded {
                prefix,
                len,
                router,
                ..
            } => (Key::Route(prefix, len, router), true),
            Event::RouteRemoved {
                prefix,
                len,
                router,
            } => (Key::Route(prefix, len, router), false),
            Event::AddressLifetimesUpdated { address, .. } => (Key::Lifetimes(address), true),
            Event::AddressDeprecated { address } => (Key::Deprecated(address), true),
            Event::DnsServersChanged => (Key::Dns, true),
            Event::SearchListChanged => (Key::SearchList, true),
            Event::LinkParametersChanged => (Key::LinkParameters, true),
            Event::MtuChanged { .. } => (Key::Mtu, true),
            Event::Dhcpv6Changed { .. } => (Key::Dhcpv6, true),
            Event::PdPreferredChanged => (Key::PdPreferred, true),
            Event::Nat64PrefixesChanged => (Key::Nat64, true),
            Event::CaptivePortalChanged => (Key::CaptivePortal, true),
            Event::ProbeAddress { .. }
            | Event::AddressAdded { .. }
            | Event::AddressRemoved { .. }
            | Event::AddressFailed { .. } => (Key::None, true),
        }
    }

    fn is_install_pair(self) -> bool {
        matches!(self, Key::Router(..) | Key::OnLink(..) | Key::Route(..))
    }
}

/// One waiting event; `new` marks an install for something the adapter does not have yet.
#[derive(Debug, Clone, Copy)]
struct Waiting {
    event: Event,
    new: bool,
}

/// The events waiting for the adapter, as a net change from what the adapter was last told.
///
/// - For routers, on-link prefixes and routes, at most one event per key waits: an install
///   followed by a removal of something the adapter never heard of cancels out; a removal
///   followed by an install becomes a replace; two installs keep the latest.
/// - Notices that only matter in their latest form (an address's lifetimes or deprecation, DNS,
///   MTU, link parameters, the DHCPv6 wish, the P-flag list, NAT64, the captive portal) replace the waiting one and move to the back.
///
/// So what waits is bounded by the tables, not by the number or content of the RAs: with the
/// queue drained after every call, no event is lost as long as `Q` is at least
/// `9 + 4 × PREFIXES + 2 × ROUTES` and `4 + ROUTERS + 3 × PREFIXES + ROUTES` (see
/// [`EVENT_QUEUE_LEN`]). Beyond that, events are dropped and counted.
#[derive(Debug, Clone)]
pub(crate) struct EventQueue<const Q: usize> {
    queue: heapless::Vec<Waiting, Q>,
    dropped: u32,
}

#[cfg(feature = "defmt")]
impl<const Q: usize> defmt::Format for EventQueue<Q> {
    fn format(&self, f: defmt::Formatter) {
        defmt::write!(
            f,
            "EventQueue {{ waiting: {}, dropped: {} }}",
            self.queue.len(),
            self.dropped
        )
    }
}

impl<const Q: usize> EventQueue<Q> {
    const fn new() -> Self {
        EventQueue {
            queue: heapless::Vec::new(),
            dropped: 0,
        }
    }

    /// Queues an event; `new` tells, for an install, that the thing was not known before.
    fn push_install(&mut self, event: Event, new: bool) {
        let (key, install) = Key::of(&event);
        if key.is_install_pair() {
            let found = self.queue.iter().position(|w| Key::of(&w.event).0 == key);
            if let Some(i) = found {
                let Some(waiting) = self.queue.get_mut(i) else {
                    return;
                };
                let (_, waiting_install) = Key::of(&waiting.event);
                match (waiting_install, install) {
                    // Installed and gone before the adapter heard of it.
                    (true, false) if waiting.new => {
                        self.queue.remove(i);
                    }
                    // Removed, then back: the adapter replaces what it has.
                    (false, true) => *waiting = Waiting { event, new: false },
                    // Two installs: the latest parameters, still new if the first was; or an
                    // update then a removal: the removal.
                    _ => {
                        *waiting = Waiting {
                            event,
                            new: waiting.new && install,
                        }
                    }
                }
                return;
            }
        } else if key != Key::None {
            if let Some(i) = self.queue.iter().position(|w| Key::of(&w.event).0 == key) {
                self.queue.remove(i);
            }
        }
        if self.queue.push(Waiting { event, new }).is_err() {
            self.dropped = self.dropped.saturating_add(1);
        }
    }

    fn push(&mut self, event: Event) {
        self.push_install(event, true);
    }

    fn pop(&mut self) -> Option<Event> {
        if self.queue.is_empty() {
            None
        } else {
            Some(self.queue.remove(0).event)
        }
    }
}

#[cfg(test)]
mod queue_tests {
    use super::*;
    use std::vec::Vec;

    const R: Ipv6Addr = Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 1);
    const P: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0);
    const A: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1);

    fn drain(q: &mut EventQueue<8>) -> Vec<Event> {
        core::iter::from_fn(|| q.pop()).collect()
    }

    fn added(preference: Preference) -> Event {
        Event::DefaultRouterAdded {
            router: R,
            preference,
        }
    }

    #[test]
    fn install_then_remove_of_something_new_cancels_out() {
        let mut q = EventQueue::<8>::new();
        q.push(Event::ProbeAddress { address: A });
        q.push_install(added(Preference::Low), true);
        q.push_install(added(Preference::High), false);
        q.push(Event::DefaultRouterRemoved { router: R });
        assert_eq!(drain(&mut q), [Event::ProbeAddress { address: A }]);
    }

    #[test]
    fn update_then_remove_is_a_remove_and_remove_then_install_a_replace() {
        let mut q = EventQueue::<8>::new();
        q.push_install(added(Preference::Low), false);
        q.push(Event::DefaultRouterRemoved { router: R });
        assert_eq!(drain(&mut q), [Event::DefaultRouterRemoved { router: R }]);
        q.push(Event::OnLinkPrefixRemoved { prefix: P, len: 64 });
        q.push(Event::OnLinkPrefixAdded { prefix: P, len: 64 });
        // Not cancelled by a later removal: the adapter had the prefix.
        q.push(Event::OnLinkPrefixRemoved { prefix: P, len: 64 });
        q.push(Event::OnLinkPrefixAdded { prefix: P, len: 64 });
        assert_eq!(
            drain(&mut q),
            [Event::OnLinkPrefixAdded { prefix: P, len: 64 }]
        );
    }

    #[test]
    fn notices_keep_their_latest_form_at_the_back() {
        let mut q = EventQueue::<8>::new();
        let life = |p| Event::AddressLifetimesUpdated {
            address: A,
            valid: Duration::from_secs(60),
            preferred: Duration::from_secs(p),
        };
        q.push(life(0));
        q.push(Event::AddressDeprecated { address: A });
        q.push(life(30));
        assert_eq!(
            drain(&mut q),
            [Event::AddressDeprecated { address: A }, life(30)]
        );
    }

    #[test]
    fn a_full_queue_counts_what_it_drops() {
        let mut q = EventQueue::<8>::new();
        for i in 0..10u16 {
            q.push(Event::ProbeAddress {
                address: Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, i),
            });
        }
        assert_eq!(q.dropped, 2);
        assert_eq!(drain(&mut q).len(), 8);
    }
}

/// Counters for everything the host dropped or ignored, by reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct HostCounters {
    /// RAs processed.
    pub ra_accepted: u64,
    /// RAs dropped: hop limit not 255 (RFC 4861 §6.1.2; CVE-2016-3698).
    pub ra_dropped_hop_limit: u64,
    /// RAs dropped: source not link-local (RFC 4861 §6.1.2; CVE-2016-3698).
    pub ra_dropped_source_not_link_local: u64,
    /// RAs dropped: came with a Fragment Header (RFC 6980 §5).
    pub ra_dropped_fragmented: u64,
    /// RAs dropped for any other check of the IP header.
    pub ra_dropped_other: u64,
    /// Routers not added: the Default Router List was full.
    pub routers_dropped_full: u64,
    /// On-link prefixes not added: the Prefix List was full of prefixes holding addresses
    /// (CVE-2010-4669).
    pub prefixes_dropped_full: u64,
    /// On-link prefixes given up for a newcomer when the Prefix List was full (the least
    /// recently announced one without an address).
    pub prefixes_replaced: u64,
    /// SLAAC addresses not formed: the address table was full (CVE-2010-4669).
    pub addresses_dropped_full: u64,
    /// Routes not added: the route table was full.
    pub routes_dropped_full: u64,
    /// Prefix Information options ignored: link-local prefix, preferred > valid lifetime, or
    /// A=1 with a length other than 64 (RFC 4862 §5.5.3 a–c).
    pub prefix_options_ignored: u64,
    /// Route Information options ignored: reserved preference or length over 128 (RFC 4191
    /// §2.3).
    pub route_options_ignored: u64,
    /// MTU options ignored: below 1280 or above the link's maximum (RFC 4861 §6.3.4).
    pub mtu_options_ignored: u64,
    /// Options the lenient RA decoding ignored because they break their own rules (a Route
    /// Information option of a bad length, RFC 4191 §3.1; a PREF64 of a length other than 2,
    /// RFC 8781 §4; a malformed RDNSS or DNSSL, RFC 8106 §5.3.1); the rest of the RA was used.
    pub malformed_options_ignored: u64,
    /// Messages given to [`Host::handle_ra_bytes`] dropped before processing: bad checksum, a
    /// bad option walk (RFC 4861 §6.1.2), not an RA, too short.
    pub ra_dropped_malformed: u64,
    /// DAD verdicts for no tentative address (late, duplicated or unknown).
    pub dad_results_unmatched: u64,
    /// Prefix Information options with P=1 not tracked: the P-flag list was full (RFC 9762
    /// §4.2).
    pub pd_preferred_dropped_full: u64,
    /// PREF64 options ignored: invalid Prefix Length Code (RFC 8781 §4), or the table of
    /// [`MAX_NAT64_PREFIXES`] was full.
    pub pref64_options_ignored: u64,
    /// Captive portal options ignored: URI longer than [`MAX_CAPTIVE_PORTAL_URI`] bytes.
    pub captive_portal_too_long: u64,
    /// Events dropped because the adapter did not drain the queue.
    pub events_dropped: u64,
}

impl HostCounters {
    fn count_discard(&mut self, reason: DiscardReason) {
        let counter = match reason {
            DiscardReason::HopLimit => &mut self.ra_dropped_hop_limit,
            DiscardReason::SourceNotLinkLocal => &mut self.ra_dropped_source_not_link_local,
            DiscardReason::Fragmented => &mut self.ra_dropped_fragmented,
            _ => &mut self.ra_dropped_other,
        };
        *counter = counter.saturating_add(1);
    }
}

fn bump(counter: &mut u64) {
    *counter = counter.saturating_add(1);
}

/// How the host is set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostConfig {
    /// The interface's MAC address: EUI-64 identifiers, RFC 7217 `Net_Iface`, and the Source
    /// Link-Layer Address option of Router Solicitations.
    pub mac: [u8; 6],
    /// How interface identifiers are formed.
    pub iid: IidMode,
    /// The source address of Router Solicitations: the link-local address once it passed DAD,
    /// or `::` before (then no Source Link-Layer Address option is sent, RFC 4861 §4.1).
    pub source: Ipv6Addr,
    /// The link's largest MTU; larger MTU options are ignored (RFC 4861 §6.3.4).
    pub max_mtu: u32,
    /// Seed of the host's randomness (the RS delay).
    pub seed: u64,
    /// The host runs DHCPv6 prefix delegation when the network prefers it (RFC 9762): a Prefix
    /// Information option with the P flag is then processed as if A were 0 (no SLAAC address in
    /// it, RFC 9762 §4.2 and its update to RFC 4862 §5.5.3) and tracked in
    /// [`Host::pd_preferred`]. `false` (the default): the P flag is ignored, as RFC 9762 §4.1
    /// requires of hosts without prefix delegation.
    pub prefix_delegation: bool,
}

#[cfg(feature = "defmt")]
impl defmt::Format for HostConfig {
    fn format(&self, f: defmt::Formatter) {
        defmt::write!(
            f,
            "HostConfig {{ mac: {=[u8]:02x}, iid: {}, source: {=[u8]:02x}, max_mtu: {} }}",
            self.mac,
            self.iid,
            self.source.octets(),
            self.max_mtu
        )
    }
}

impl HostConfig {
    /// A configuration with RFC 7217 identifiers, `::` as RS source and a 1500-byte link.
    pub const fn new(mac: [u8; 6], secret_key: [u8; 32], seed: u64) -> Self {
        HostConfig {
            mac,
            iid: IidMode::StablePrivacy { secret_key },
            source: Ipv6Addr::UNSPECIFIED,
            max_mtu: 1500,
            seed,
            prefix_delegation: false,
        }
    }
}

impl IidSource for HostConfig {
    fn iid(&self, prefix: Ipv6Addr, dad_counter: u8) -> Option<([u8; 8], u8)> {
        let octets = prefix.octets();
        let mut head = [0u8; 8];
        for (dst, src) in head.iter_mut().zip(octets) {
            *dst = src;
        }
        match self.iid {
            IidMode::Eui64 => (dad_counter == 0).then(|| (iid::eui64(self.mac), 0)),
            IidMode::StablePrivacy { ref secret_key } => {
                iid::stable_privacy_iid(head, self.mac, dad_counter, secret_key)
            }
        }
    }

    fn max_conflicts(&self) -> u8 {
        match self.iid {
            IidMode::Eui64 => 0,
            IidMode::StablePrivacy { .. } => IDGEN_RETRIES,
        }
    }
}

/// A small deterministic generator (SplitMix64): the host's only randomness, from the seed.
#[derive(Debug, Clone)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..=max` milliseconds (modulo bias below 2^-40 for the spans used here).
    fn duration_up_to(&mut self, max: Duration) -> Duration {
        let span = max.total_millis().saturating_add(1);
        Duration::from_millis(self.next_u64() % span)
    }
}

/// Cur Hop Limit, Reachable Time and Retrans Timer as the latest RAs set them (RFC 4861
/// §6.3.4: zero means "unspecified" and leaves the value alone).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct LinkParameters {
    /// Hop limit for outgoing packets, if a router said.
    pub hop_limit: Option<u8>,
    /// BaseReachableTime in milliseconds, if a router said.
    pub reachable_time: Option<u32>,
    /// RetransTimer in milliseconds, if a router said.
    pub retrans_timer: Option<u32>,
}

/// Where a transmission goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transmit {
    /// IPv6 source address.
    pub src: Ipv6Addr,
    /// IPv6 destination address.
    pub dst: Ipv6Addr,
    /// IPv6 hop limit (255 for ND, RFC 4861 §6.1).
    pub hop_limit: u8,
    /// Bytes written at the start of the buffer (the ICMPv6 message, checksum filled).
    pub len: usize,
}

#[cfg(feature = "defmt")]
impl defmt::Format for Transmit {
    fn format(&self, f: defmt::Formatter) {
        defmt::write!(
            f,
            "Transmit {{ src: {=[u8]:02x}, dst: {=[u8]:02x}, hop_limit: {}, len: {} }}",
            self.src.octets(),
            self.dst.octets(),
            self.hop_limit,
            self.len
        )
    }
}

/// The host engine: `ROUTERS` default routers, `PREFIXES` on-link prefixes and as many SLAAC
/// addresses, `ROUTES` more-specific routes.
#[derive(Debug, Clone)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Host<const ROUTERS: usize = 4, const PREFIXES: usize = 8, const ROUTES: usize = 8> {
    config: HostConfig,
    rng: Rng,
    next_solicitation: Option<Instant>,
    solicitations_sent: u8,
    routers: RouterList<ROUTERS>,
    prefixes: PrefixList<PREFIXES>,
    addresses: AddressTable<PREFIXES>,
    routes: RouteTable<ROUTES>,
    dns: DnsConfig,
    mtu: Option<u32>,
    link: LinkParameters,
    dhcpv6: Dhcpv6Mode,
    pd_preferred: PdPreferredList<PREFIXES>,
    nat64: Nat64Prefixes,
    captive_portal: heapless::Vec<u8, MAX_CAPTIVE_PORTAL_URI>,
    events: EventQueue<EVENT_QUEUE_LEN>,
    counters: HostCounters,
}

/// Clears the bits of `addr` past `len` (lengths over 128 keep everything).
pub(crate) fn mask(addr: Ipv6Addr, len: u8) -> Ipv6Addr {
    let bits = u128::from(addr);
    let len = u32::from(len.min(128));
    let masked = match u128::MAX.checked_shl(128 - len) {
        Some(m) if len > 0 => bits & m,
        _ if len == 0 => 0,
        _ => bits,
    };
    Ipv6Addr::from(masked)
}

/// Time left until `deadline`, with [`NEVER`] as [`Duration::MAX`].
pub(crate) fn remaining(deadline: Instant, now: Instant) -> Duration {
    if deadline == NEVER {
        Duration::MAX
    } else {
        deadline - now
    }
}

/// A lifetime field in seconds, 0xffffffff meaning infinity (RFC 4861 §4.6.2).
pub fn lifetime_from_secs(secs: u32) -> Duration {
    if secs == u32::MAX {
        Duration::MAX
    } else {
        Duration::from_secs(u64::from(secs))
    }
}

fn is_link_local(addr: Ipv6Addr) -> bool {
    addr.segments()[0] & 0xffc0 == 0xfe80
}

impl<const ROUTERS: usize, const PREFIXES: usize, const ROUTES: usize>
    Host<ROUTERS, PREFIXES, ROUTES>
{
    /// A host that starts soliciting routers at `now`: the first RS after a random delay of up
    /// to [`MAX_RTR_SOLICITATION_DELAY`] (RFC 4861 §6.3.7).
    pub fn new(config: HostConfig, now: Instant) -> Self {
        let mut rng = Rng(config.seed);
        let first = now + rng.duration_up_to(MAX_RTR_SOLICITATION_DELAY);
        Host {
            config,
            rng,
            next_solicitation: Some(first),
            solicitations_sent: 0,
            routers: RouterList::new(),
            prefixes: PrefixList::new(),
            addresses: AddressTable::new(),
            routes: RouteTable::new(),
            dns: DnsConfig::new(),
            mtu: None,
            link: LinkParameters::default(),
            dhcpv6: Dhcpv6Mode::None,
            pd_preferred: PdPreferredList::new(),
            nat64: Nat64Prefixes::new(),
            captive_portal: heapless::Vec::new(),
            events: EventQueue::new(),
            counters: HostCounters::default(),
        }
    }

    /// Starts a new round of Router Solicitations (the interface came up again, or moved to
    /// another link: RFC 4861 §6.3.7).
    pub fn restart_solicitation(&mut self, now: Instant) {
        self.solicitations_sent = 0;
        self.next_solicitation = Some(now + self.rng.duration_up_to(MAX_RTR_SOLICITATION_DELAY));
    }

    /// Sets the source address of later Router Solicitations (the link-local address once its
    /// DAD passed, RFC 4861 §6.3.7).
    pub fn set_source(&mut self, source: Ipv6Addr) {
        self.config.source = source;
    }

    /// Processes a received Router Advertisement (RFC 4861 §6.3.4; RFC 4862 §5.5.3; RFC 4191
    /// §3; RFC 8106 §5.3). `meta` is what the IP layer saw; an RA failing the checks of RFC 4861
    /// §6.1.2 or RFC 6980 (hop limit 255, link-local source, no fragment header) is dropped and
    /// counted (CVE-2016-3698). The caller has verified the ICMPv6 checksum (or the kernel did).
    ///
    /// An RA decoded with [`RouterAdvertRepr::parse_lenient`] (what [`handle_ra_bytes`]
    /// does) has its malformed options skipped and counted in
    /// [`HostCounters::malformed_options_ignored`].
    ///
    /// [`handle_ra_bytes`]: Host::handle_ra_bytes
    pub fn handle_ra(&mut self, now: Instant, meta: &IpMeta, ra: &RouterAdvertRepr<'_>) {
        if let Err(reason) = NdRepr::RouterAdvert(*ra).check_meta(meta) {
            self.counters.count_discard(reason);
            return;
        }
        bump(&mut self.counters.ra_accepted);
        if let OptionsRepr::Wire(wire) = ra.options {
            if wire.mode() == Mode::Lenient {
                for _ in wire.checked().filter(Result::is_err) {
                    bump(&mut self.counters.malformed_options_ignored);
                }
            }
        }
        let router = meta.src;
        if ra.router_lifetime != 0 {
            // §6.3.7: a valid RA with a non-zero Router Lifetime ends the solicitations.
            self.next_solicitation = None;
        }
        self.apply_link_parameters(ra);
        let mode = Dhcpv6Mode::from_flags(ra.managed, ra.other);
        if mode != self.dhcpv6 {
            self.dhcpv6 = mode;
            self.events.push(Event::Dhcpv6Changed { mode });
        }
        // RFC 4191 §3.1: "The Router Preference and Lifetime values in a ::/0 Route
        // Information Option override the preference and lifetime values in the Router
        // Advertisement header." The options are walked once; a ::/0 option is noted on the way
        // and the Default Router List updated after them.
        let mut default_route = (
            Duration::from_secs(u64::from(ra.router_lifetime)),
            Preference::from_router(ra.router_preference),
        );
        for option in ra.options.iter() {
            if let NdOption::RouteInformation(rio) = option {
                if rio.prefix_len == 0 {
                    match Preference::from_route(rio.preference) {
                        Some(p) => default_route = (lifetime_from_secs(rio.route_lifetime), p),
                        None => bump(&mut self.counters.route_options_ignored),
                    }
                    continue;
                }
            }
            self.apply_option(now, router, &option);
        }
        let (lifetime, preference) = default_route;
        match self.routers.update(now, router, lifetime, preference) {
            RouterChange::None => {}
            RouterChange::Installed { new } => {
                self.events
                    .push_install(Event::DefaultRouterAdded { router, preference }, new);
            }
            RouterChange::Removed => self.events.push(Event::DefaultRouterRemoved { router }),
            RouterChange::Dropped => bump(&mut self.counters.routers_dropped_full),
        }
        self.sync_counters();
    }

    /// Processes a received ICMPv6 message, from its type byte: checks the checksum for
    /// `meta.src` → `meta.dst` (RFC 4443 §2.3), decodes it leniently (RFC 4191 §3.1: a bad Route
    /// Information option is ignored, not the RA; RFC 8781 §4 the same for PREF64; RFC 8106
    /// §5.3.1 for RDNSS and DNSSL; see [`RouterAdvertRepr::parse_lenient`]) and hands it to
    /// [`handle_ra`](Self::handle_ra). A message that is not a valid RA (bad checksum, option of
    /// Length 0 or running past the end, RFC 4861 §6.1.2) is counted in
    /// [`HostCounters::ra_dropped_malformed`] and its error returned.
    pub fn handle_ra_bytes(
        &mut self,
        now: Instant,
        meta: &IpMeta,
        icmp: &[u8],
    ) -> Result<(), Error> {
        let parsed = icmpv6::Packet::new_checked(icmp).and_then(|packet| {
            packet.check_checksum(&meta.src, &meta.dst)?;
            RouterAdvertRepr::parse_lenient(&packet)
        });
        match parsed {
            Ok(ra) => {
                self.handle_ra(now, meta, &ra);
                Ok(())
            }
            Err(e) => {
                bump(&mut self.counters.ra_dropped_malformed);
                Err(e)
            }
        }
    }

    fn apply_link_parameters(&mut self, ra: &RouterAdvertRepr<'_>) {
        let before = self.link;
        if ra.cur_hop_limit != 0 {
            self.link.hop_limit = Some(ra.cur_hop_limit);
        }
        if ra.reachable_time != 0 {
            self.link.reachable_time = Some(ra.reachable_time);
        }
        if ra.retrans_timer != 0 {
            self.link.retrans_timer = Some(ra.retrans_timer);
        }
        if self.link != before {
            self.events.push(Event::LinkParametersChanged);
        }
    }

    fn apply_option(&mut self, now: Instant, router: Ipv6Addr, option: &NdOption<'_>) {
        match option {
            NdOption::PrefixInformation(pio) => self.apply_prefix(now, pio),
            NdOption::Mtu(mtu) => self.apply_mtu(*mtu),
            NdOption::RouteInformation(rio) => match Preference::from_route(rio.preference) {
                Some(preference) if rio.prefix_len <= 128 => self.apply_route(
                    now,
                    router,
                    rio.prefix,
                    rio.prefix_len,
                    preference,
                    lifetime_from_secs(rio.route_lifetime),
                ),
                _ => bump(&mut self.counters.route_options_ignored),
            },
            NdOption::Rdnss(rdnss) => {
                let lifetime = lifetime_from_secs(rdnss.lifetime);
                if self.dns.update_servers(now, lifetime, rdnss.servers.iter()) {
                    self.events.push(Event::DnsServersChanged);
                }
            }
            NdOption::Dnssl(dnssl) => {
                let lifetime = lifetime_from_secs(dnssl.lifetime);
                let mut buf = [0u8; crate::wire::dns::MAX_NAME_LEN];
                let mut changed = false;
                for domain in dnssl.domains.iter() {
                    // Parsed options hold wire names already; dotted text (an RA built in
                    // memory) is encoded first.
                    let name = match domain {
                        Domain::Wire(name) => Some(name),
                        Domain::Dotted(_) => domain
                            .write_wire(&mut buf)
                            .and_then(|len| buf.get(..len))
                            .and_then(|bytes| Name::parse(bytes).ok())
                            .map(|(name, _)| name),
                    };
                    if let Some(name) = name {
                        changed |= self
                            .dns
                            .update_domains(now, lifetime, core::iter::once(name));
                    }
                }
                if changed {
                    self.events.push(Event::SearchListChanged);
                }
            }
            NdOption::Pref64(pref64) => match self.nat64.update(now, pref64) {
                Nat64Change::None => {}
                Nat64Change::Changed => self.events.push(Event::Nat64PrefixesChanged),
                Nat64Change::Ignored | Nat64Change::Dropped => {
                    bump(&mut self.counters.pref64_options_ignored)
                }
            },
            NdOption::CaptivePortal(portal) => self.apply_captive_portal(portal.uri()),
            _ => {}
        }
    }

    /// RFC 8910 §2.3: the latest RA carrying the option gives the URI.
    fn apply_captive_portal(&mut self, uri: &[u8]) {
        if uri == self.captive_portal.as_slice() {
            return;
        }
        match heapless::Vec::from_slice(uri) {
            Ok(v) => {
                self.captive_portal = v;
                self.events.push(Event::CaptivePortalChanged);
            }
            Err(_) => bump(&mut self.counters.captive_portal_too_long),
        }
    }

    /// One Prefix Information option (RFC 4861 §6.3.4 on-link; RFC 4862 §5.5.3 autonomous).
    fn apply_prefix(&mut self, now: Instant, pio: &PrefixInformation) {
        let (prefix, len) = (pio.prefix, pio.prefix_len);
        let valid = lifetime_from_secs(pio.valid_lifetime);
        let preferred = lifetime_from_secs(pio.preferred_lifetime);
        // RFC 4861 §6.3.4 and RFC 4862 §5.5.3 b: the link-local prefix is ignored.
        if is_link_local(prefix) || len > 128 {
            bump(&mut self.counters.prefix_options_ignored);
            return;
        }
        if pio.on_link {
            let addresses = &self.addresses;
            let holds_address = |p: Ipv6Addr, l: u8| l == 64 && addresses.holds_prefix(p);
            match self.prefixes.update(now, prefix, len, valid, holds_address) {
                PrefixChange::None => {}
                PrefixChange::Added => self.events.push(Event::OnLinkPrefixAdded {
                    prefix: mask(prefix, len),
                    len,
                }),
                PrefixChange::Removed => self.events.push(Event::OnLinkPrefixRemoved {
                    prefix: mask(prefix, len),
                    len,
                }),
                PrefixChange::Replaced {
                    prefix: gone,
                    len: gone_len,
                } => {
                    bump(&mut self.counters.prefixes_replaced);
                    self.events.push(Event::OnLinkPrefixRemoved {
                        prefix: gone,
                        len: gone_len,
                    });
                    self.events.push(Event::OnLinkPrefixAdded {
                        prefix: mask(prefix, len),
                        len,
                    });
                }
                PrefixChange::Dropped => bump(&mut self.counters.prefixes_dropped_full),
            }
        }
        if self.config.prefix_delegation && !pio.pd_preferred {
            // The prefix is announced without P now: it leaves the P-flag list.
            if self.pd_preferred.update(now, prefix, len, Duration::ZERO) == PdChange::Changed {
                self.events.push(Event::PdPreferredChanged);
            }
        }
        if pio.pd_preferred && self.config.prefix_delegation {
            // RFC 9762 §4.2: track it, and "SHOULD NOT use SLAAC to obtain IPv6 addresses from
            // prefix(es) with the P bit set" (RFC 4862 §5.5.3 as updated: processed as if A=0).
            match self.pd_preferred.update(now, prefix, len, preferred) {
                PdChange::None => {}
                PdChange::Changed => self.events.push(Event::PdPreferredChanged),
                PdChange::Dropped => bump(&mut self.counters.pd_preferred_dropped_full),
            }
            return;
        }
        if !pio.autonomous {
            return;
        }
        // §5.5.3 c: preferred > valid is ignored; and an interface identifier is 64 bits, so
        // only a /64 forms an address (§5.5.3, RFC 4291 §2.5.1).
        if preferred > valid || len != 64 {
            bump(&mut self.counters.prefix_options_ignored);
            return;
        }
        let config = self.config;
        if self.addresses.update(
            now,
            mask(prefix, 64),
            valid,
            preferred,
            &config,
            &mut self.events,
        ) == AddressChange::Dropped
        {
            bump(&mut self.counters.addresses_dropped_full);
        }
    }

    fn apply_mtu(&mut self, mtu: u32) {
        if !(MIN_LINK_MTU..=self.config.max_mtu).contains(&mtu) {
            bump(&mut self.counters.mtu_options_ignored);
            return;
        }
        if self.mtu != Some(mtu) {
            self.mtu = Some(mtu);
            self.events.push(Event::MtuChanged { mtu });
        }
    }

    fn apply_route(
        &mut self,
        now: Instant,
        router: Ipv6Addr,
        prefix: Ipv6Addr,
        len: u8,
        preference: Preference,
        lifetime: Duration,
    ) {
        match self
            .routes
            .update(now, router, prefix, len, preference, lifetime)
        {
            RouteChange::None => {}
            RouteChange::Installed { new } => self.events.push_install(
                Event::RouteAdded {
                    prefix: mask(prefix, len),
                    len,
                    router,
                    preference,
                },
                new,
            ),
            RouteChange::Removed => self.events.push(Event::RouteRemoved {
                prefix: mask(prefix, len),
                len,
                router,
            }),
            RouteChange::Dropped => bump(&mut self.counters.routes_dropped_full),
        }
    }

    /// The adapter's DAD verdict for an address it was asked to probe (RFC 4862 §5.4.5). A
    /// conflict tries the next RFC 7217 identifier (`DAD_Counter` + 1) up to
    /// [`IDGEN_RETRIES`] times; with EUI-64 it is final. A verdict for no tentative address is
    /// counted and ignored.
    pub fn handle_dad_result(&mut self, now: Instant, address: Ipv6Addr, result: DadResult) {
        let config = self.config;
        let matched = self.addresses.dad_result(
            now,
            address,
            result == DadResult::Ok,
            &config,
            &mut self.events,
        );
        if !matched {
            bump(&mut self.counters.dad_results_unmatched);
        }
        self.sync_counters();
    }

    /// Writes a due Router Solicitation into `buf` (RFC 4861 §6.3.7): at most
    /// [`MAX_RTR_SOLICITATIONS`], [`RTR_SOLICITATION_INTERVAL`] apart, until an RA with a
    /// non-zero router lifetime arrives. With a source address it carries the Source Link-Layer
    /// Address option (§4.1). Returns `None` when nothing is due or `buf` is too small (the RS
    /// then stays due).
    pub fn poll_transmit(&mut self, now: Instant, buf: &mut [u8]) -> Option<Transmit> {
        let due = self.next_solicitation?;
        if due > now || self.solicitations_sent >= MAX_RTR_SOLICITATIONS {
            return None;
        }
        let src = self.config.source;
        let mac = self.config.mac;
        let slla = [NdOption::SourceLinkLayerAddress(
            crate::wire::ndisc::option::LinkLayerAddress::new(&mac),
        )];
        let options: &[NdOption<'_>] = if src.is_unspecified() { &[] } else { &slla };
        let rs = NdRepr::RouterSolicit(RouterSolicitRepr {
            options: OptionsRepr::List(options),
        });
        let len = rs.emit(&src, &ALL_ROUTERS, buf).ok()?;
        self.solicitations_sent += 1;
        self.next_solicitation = (self.solicitations_sent < MAX_RTR_SOLICITATIONS)
            .then(|| now + RTR_SOLICITATION_INTERVAL);
        Some(Transmit {
            src,
            dst: ALL_ROUTERS,
            hop_limit: 255,
            len,
        })
    }

    /// When [`Host::handle_timeout`] (or [`Host::poll_transmit`]) has work next; `None` when
    /// nothing is scheduled.
    pub fn poll_timeout(&self) -> Option<Instant> {
        [
            self.next_solicitation,
            self.routers.next_deadline(),
            self.prefixes.next_deadline(),
            self.addresses.next_deadline(),
            self.routes.next_deadline(),
            self.dns.next_deadline(),
            self.pd_preferred.next_deadline(),
            self.nat64.next_deadline(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Expires routers, prefixes, addresses, routes and DNS entries whose time has come, and
    /// queues the events. Calling it early is harmless.
    pub fn handle_timeout(&mut self, now: Instant) {
        while let Some(router) = self.routers.expire_one(now) {
            self.events.push(Event::DefaultRouterRemoved { router });
        }
        while let Some((prefix, len)) = self.prefixes.expire_one(now) {
            self.events.push(Event::OnLinkPrefixRemoved { prefix, len });
        }
        self.addresses.handle_timeout(now, &mut self.events);
        while let Some(r) = self.routes.expire_one(now) {
            self.events.push(Event::RouteRemoved {
                prefix: r.prefix,
                len: r.len,
                router: r.router,
            });
        }
        let (servers, domains) = self.dns.handle_timeout(now);
        if servers {
            self.events.push(Event::DnsServersChanged);
        }
        if domains {
            self.events.push(Event::SearchListChanged);
        }
        if self.pd_preferred.expire(now) {
            self.events.push(Event::PdPreferredChanged);
        }
        if self.nat64.expire(now) {
            self.events.push(Event::Nat64PrefixesChanged);
        }
        self.sync_counters();
    }

    /// The next event for the adapter, oldest first.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop()
    }

    fn sync_counters(&mut self) {
        self.counters.events_dropped = u64::from(self.events.dropped);
    }

    /// The drop and ignore counters.
    pub fn counters(&self) -> &HostCounters {
        &self.counters
    }

    /// The Default Router List.
    pub fn routers(&self) -> &RouterList<ROUTERS> {
        &self.routers
    }

    /// The on-link Prefix List.
    pub fn prefixes(&self) -> &PrefixList<PREFIXES> {
        &self.prefixes
    }

    /// The SLAAC addresses.
    pub fn addresses(&self) -> &AddressTable<PREFIXES> {
        &self.addresses
    }

    /// Routes from Route Information options.
    pub fn routes(&self) -> &RouteTable<ROUTES> {
        &self.routes
    }

    /// DNS servers and search list from RDNSS/DNSSL.
    pub fn dns(&self) -> &DnsConfig {
        &self.dns
    }

    /// The link MTU from the latest valid MTU option, if any.
    pub fn mtu(&self) -> Option<u32> {
        self.mtu
    }

    /// Hop limit, reachable time and retransmission timer from RAs.
    pub fn link_parameters(&self) -> LinkParameters {
        self.link
    }

    /// What the latest RA's M and O flags ask of DHCPv6.
    pub fn dhcpv6_mode(&self) -> Dhcpv6Mode {
        self.dhcpv6
    }

    /// Prefixes announced with the P flag and a preferred lifetime still running (RFC 9762
    /// §4.2); always empty without [`HostConfig::prefix_delegation`].
    pub fn pd_preferred(&self) -> &PdPreferredList<PREFIXES> {
        &self.pd_preferred
    }

    /// Whether the network asks this host to run DHCPv6 prefix delegation (RFC 9762 §4.2: the
    /// P-flag list is not empty).
    pub fn wants_prefix_delegation(&self) -> bool {
        !self.pd_preferred.is_empty()
    }

    /// NAT64 prefixes from PREF64 options, lifetimes running (RFC 8781 §5).
    pub fn nat64_prefixes(&self) -> &Nat64Prefixes {
        &self.nat64
    }

    /// The captive portal API URI of the latest RA that carried one (RFC 8910 §2.3), if it is
    /// UTF-8. `urn:ietf:params:capport:unrestricted` means "no captive portal" (RFC 8910 §2).
    pub fn captive_portal(&self) -> Option<&str> {
        if self.captive_portal.is_empty() {
            None
        } else {
            core::str::from_utf8(&self.captive_portal).ok()
        }
    }

    /// Router Solicitations sent in the current round.
    pub fn solicitations_sent(&self) -> u8 {
        self.solicitations_sent
    }
}
