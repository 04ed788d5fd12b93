//! The router side of Neighbor Discovery: an [`Advertiser`] that sends Router Advertisements for
//! one link, built from a validated [`crate::profile::Profile`].
//!
//! Sans-IO (DESIGN.md, "the sans-IO contract"): the caller hands in time and received
//! messages, and pulls out what to send. On virtual time (a simulation) the loop is:
//!
//! ```
//! use sixconf_core::profile::{Mode, Prefix, Profile};
//! use sixconf_core::ra::{Advertiser, Link, Reason};
//! use sixconf_core::time::{Duration, Instant};
//!
//! let mut profile: Profile<4> = Profile::new(Mode::Slaac);
//! profile.set_max_interval(10_000); // MaxRtrAdvInterval 10 s: router lifetime 30 s, as the seed
//! profile.add_prefix(Prefix::new("2001:db8:cafe::".parse().unwrap(), 64)).unwrap();
//! let link = Link { link_local: "fe80::1".parse().unwrap(), mtu: 1500 };
//! let mut adv = Advertiser::new(profile, link, /* seed */ 42, Instant::ZERO).unwrap();
//!
//! let mut buf = [0u8; 1460];
//! let mut now = Instant::ZERO;
//! let mut sent = 0;
//! while now < Instant::from_secs(60) {
//!     adv.handle_timeout(now);
//!     while let Some(tx) = adv.poll_transmit(now, &mut buf) {
//!         // deliver &buf[..tx.len] from tx.src to tx.dst (hop limit 255) to every host
//!         assert_eq!(tx.reason, Reason::Unsolicited);
//!         sent += 1;
//!     }
//!     while let Some(_event) = adv.poll_event() {}
//!     // A received RS would go in here: adv.handle_icmpv6(now, &meta, bytes).
//!     now = adv.poll_timeout().unwrap_or(Instant::from_secs(60)).max(now);
//! }
//! // First RA at 0 s, then gaps of 3.3..=10 s: at least 6 RAs in a minute.
//! assert!(sent >= 6 && sent <= 19);
//! ```
//!
//! Received messages go in decoded ([`Advertiser::handle_rs`], [`Advertiser::handle_ra`],
//! with the IP layer's [`crate::wire::ndisc::IpMeta`]) or as bytes
//! ([`Advertiser::handle_icmpv6`], which also verifies the checksum); callers that check
//! messages themselves can use [`Advertiser::handle_solicitation`] and
//! [`Advertiser::handle_peer_advert`].
//!
//! RAs are encoded with [`crate::wire::ndisc`]: the header, then Prefix Information (current
//! prefixes, then withdrawn ones), Route Information, RDNSS, DNSSL, PREF64 and Captive Portal,
//! then MTU and Source Link-Layer Address (radvd's order, the seed's bytes). An RA that does not
//! fit `min(link MTU, advertised MTU) - 40` bytes (or the caller's buffer) goes out as several
//! RAs, each with the full header, MTU and SLLA and the next share of the other options.
//!
//! Timing follows RFC 4861 §6.2.4–§6.2.6: the first RA is due at construction, the first
//! [`MAX_INITIAL_RTR_ADVERTISEMENTS`] intervals are capped at [`MAX_INITIAL_RTR_ADVERT_INTERVAL`],
//! later ones are uniform in [MinRtrAdvInterval, MaxRtrAdvInterval]; a solicitation is answered
//! after a random 0..=[`MAX_RA_DELAY_TIME`], and multicast RAs are never closer than
//! [`MIN_DELAY_BETWEEN_RAS`]. [`Advertiser::stop`] sends [`MAX_FINAL_RTR_ADVERTISEMENTS`] RAs with
//! router lifetime 0 (§6.2.5). Randomness comes from a seed given to [`Advertiser::new`]
//! (SplitMix64), so a simulation replays exactly.
//!
//! Prefixes taken from a delegation (a CE router's LAN side, RFC 7084 WPD/L, RFC 9096) are not
//! in the profile: the adapter hands them in with their deadlines
//! ([`Advertiser::set_delegated_prefix`]), and the Advertiser counts their lifetimes down so
//! that what it advertises never exceeds what is left of the delegation (RFC 8978 §3, RFC 9096
//! §3.3), deprecates them (preferred 0, valid counting down) when the adapter moves their
//! preferred deadline to now, and advertises them stale (both lifetimes 0, RFC 9096 §3.5) for
//! [`ND_VALID_LIMIT`] once withdrawn ([`Advertiser::withdraw_delegated_prefix`]) or expired.
//!
//! Memory is fixed at construction: one pending multicast answer, at most
//! [`UNICAST_QUEUE_LEN`] pending unicast answers, at most `P` delegated and `P` deprecated
//! prefixes, at most [`EVENT_QUEUE_LEN`] events. A flood of solicitations changes counters, not memory.

mod advertiser;
mod consistency;
mod content;
mod input;
mod rng;

pub use advertiser::{Advertiser, DelegatedPrefix, PrefixTableFull};
pub use consistency::PeerHeader;

use core::net::Ipv6Addr;

use crate::profile::Prefix;
use crate::time::Duration;

/// RFC 4861 §10: MAX_INITIAL_RTR_ADVERT_INTERVAL, 16 s.
pub const MAX_INITIAL_RTR_ADVERT_INTERVAL: Duration = Duration::from_secs(16);
/// RFC 4861 §10: MAX_INITIAL_RTR_ADVERTISEMENTS, 3.
pub const MAX_INITIAL_RTR_ADVERTISEMENTS: u8 = 3;
/// RFC 4861 §10: MAX_FINAL_RTR_ADVERTISEMENTS, 3.
pub const MAX_FINAL_RTR_ADVERTISEMENTS: u8 = 3;
/// RFC 4861 §10: MIN_DELAY_BETWEEN_RAS, 3 s.
pub const MIN_DELAY_BETWEEN_RAS: Duration = Duration::from_secs(3);
/// RFC 4861 §10: MAX_RA_DELAY_TIME, 0.5 s.
pub const MAX_RA_DELAY_TIME: Duration = Duration::from_millis(500);
/// RFC 9096 §3.3 ND_VALID_LIMIT, 5400 s (90 minutes): the longest valid lifetime a CE router
/// advertises for a prefix, and the longest a withdrawn or stale prefix is still advertised.
pub const ND_VALID_LIMIT: Duration = Duration::from_secs(5_400);
/// RFC 9096 §3.3 ND_PREFERRED_LIMIT, 2700 s (45 minutes): the longest preferred lifetime a CE
/// router advertises for a prefix taken from a delegation.
pub const ND_PREFERRED_LIMIT: Duration = Duration::from_secs(2_700);
/// Pending unicast solicited RAs (radvd's `AdvRASolicitedUnicast`); beyond this, solicitations
/// are answered by multicast.
pub const UNICAST_QUEUE_LEN: usize = 8;
/// Unicast answers scheduled per second at most (a fixed one-second window); beyond this,
/// solicitations are answered by the rate-limited multicast RA.
pub const UNICAST_RATE_PER_SEC: u8 = 10;
/// Events held until [`Advertiser::poll_event`] takes them; more are counted in
/// [`Counters::events_dropped`] and dropped.
pub const EVENT_QUEUE_LEN: usize = 16;

/// The all-nodes multicast address, destination of unsolicited RAs (RFC 4861 §6.2.4).
pub const ALL_NODES: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);

/// Facts about the interface the adapter knows and the profile does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Link {
    /// The router's link-local address on the interface: the RAs' source (RFC 4861 §4.2), used
    /// in the checksum's pseudo-header and to recognise our own RAs.
    pub link_local: Ipv6Addr,
    /// The interface MTU. RAs are split so that each fits `min(mtu, profile MTU) - 40` bytes of
    /// ICMPv6 (values below 1280 count as 1280).
    pub mtu: u32,
}

/// Why an RA is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Reason {
    /// Periodic, to all nodes (RFC 4861 §6.2.4).
    Unsolicited,
    /// Answer to one or more Router Solicitations (RFC 4861 §6.2.6), multicast or unicast.
    Solicited,
    /// One of the final RAs with router lifetime 0 (RFC 4861 §6.2.5).
    Final,
}

/// One RA to send: `len` bytes of ICMPv6 message at the start of the buffer given to
/// [`Advertiser::poll_transmit`], with its checksum filled in for `src` → `dst`. Send with hop
/// limit 255 (RFC 4861 §6.1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Transmit {
    /// Source address ([`Link::link_local`]).
    pub src: Ipv6Addr,
    /// [`ALL_NODES`] or the soliciting host's address.
    pub dst: Ipv6Addr,
    /// Bytes written.
    pub len: usize,
    /// Why it is sent.
    pub reason: Reason,
    /// Index of this packet when the RA's options were split over several packets to fit the MTU
    /// (0 for the first or only one).
    pub part: u8,
    /// `true` on the last (or only) packet of the RA.
    pub last_part: bool,
}

/// A field on which another router disagrees with us (RFC 4861 §6.2.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Inconsistency {
    /// Cur Hop Limit (both non-zero).
    CurHopLimit {
        /// Ours.
        ours: u8,
        /// Theirs.
        theirs: u8,
    },
    /// The M flag.
    Managed {
        /// Ours.
        ours: bool,
    },
    /// The O flag.
    OtherConfig {
        /// Ours.
        ours: bool,
    },
    /// Reachable Time in ms (both non-zero).
    ReachableTime {
        /// Ours.
        ours: u32,
        /// Theirs.
        theirs: u32,
    },
    /// Retrans Timer in ms (both non-zero).
    RetransTimer {
        /// Ours.
        ours: u32,
        /// Theirs.
        theirs: u32,
    },
    /// The MTU option's value.
    Mtu {
        /// Ours.
        ours: u32,
        /// Theirs.
        theirs: u32,
    },
    /// Valid lifetime of a prefix we also advertise (seconds).
    ValidLifetime {
        /// The prefix.
        prefix: Prefix,
        /// Ours.
        ours: u32,
        /// Theirs.
        theirs: u32,
    },
    /// Preferred lifetime of a prefix we also advertise (seconds).
    PreferredLifetime {
        /// The prefix.
        prefix: Prefix,
        /// Ours.
        ours: u32,
        /// Theirs.
        theirs: u32,
    },
}

/// What the adapter should know about (log, export as metrics).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Event {
    /// Another router advertises something different from us (RFC 4861 §6.2.7: "SHOULD be
    /// logged").
    Inconsistent {
        /// The other router's address.
        router: Ipv6Addr,
        /// What differs.
        what: Inconsistency,
    },
    /// A prefix removed from the profile, or a withdrawn or expired delegated prefix, finished
    /// its countdown and is no longer advertised (RFC 9096 §3.5).
    PrefixWithdrawn {
        /// The prefix.
        prefix: Prefix,
    },
    /// The last final RA is sent: the interface may stop advertising (RFC 4861 §6.2.5).
    Stopped,
}

/// Counters for everything the Advertiser sent, received and dropped. All saturate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Counters {
    /// Multicast RAs sent (each counted once however many packets it took).
    pub ra_multicast: u64,
    /// Unicast RAs sent.
    pub ra_unicast: u64,
    /// Packets sent (RAs split for the MTU count once per packet).
    pub packets: u64,
    /// Valid Router Solicitations received.
    pub rs_received: u64,
    /// Solicitations answered by an RA already scheduled (RFC 4861 §6.2.6).
    pub rs_folded: u64,
    /// Solicitations dropped because they failed RFC 4861 §6.1.1 (hop limit not 255) or came
    /// with a Fragment Header (RFC 6980).
    pub rs_invalid: u64,
    /// ICMPv6 messages given to [`Advertiser::handle_icmpv6`] that did not decode (bad
    /// checksum, code, length or option).
    pub nd_malformed: u64,
    /// Solicitations from `::` carrying a Source Link-Layer Address option, dropped (RFC 4861
    /// §6.1.1).
    pub rs_unspecified_with_slla: u64,
    /// Solicitations received while stopping or stopped, ignored.
    pub rs_while_stopped: u64,
    /// Solicitations that would have been answered by unicast but found the queue full or the
    /// unicast rate ([`UNICAST_RATE_PER_SEC`]) used up, answered by multicast instead.
    pub rs_unicast_limited: u64,
    /// RAs from other routers checked.
    pub ra_received: u64,
    /// RAs dropped because they failed RFC 4861 §6.1.2 (hop limit, link-local source) or RFC
    /// 6980.
    pub ra_invalid: u64,
    /// Our own RAs looped back, ignored.
    pub ra_own: u64,
    /// Inconsistencies found in other routers' RAs.
    pub ra_inconsistent: u64,
    /// Transmissions abandoned because the caller's buffer could not hold even a header.
    pub buffer_too_small: u64,
    /// Options left out of an RA because alone they exceed the buffer or MTU.
    pub option_too_large: u64,
    /// Deprecated prefixes dropped before their countdown ended because the table was full.
    pub deprecated_evicted: u64,
    /// Events dropped because the queue was full.
    pub events_dropped: u64,
}

pub(crate) fn bump(c: &mut u64) {
    *c = c.saturating_add(1);
}

#[cfg(test)]
mod tests;
