//! The link profile: what a link offers, declared once and compiled into both the Router
//! Advertisement content ([`crate::ra`]) and the DHCPv6 server's behaviour.
//!
//! A [`Profile`] is plain data with public fields and defaults from RFC 4861 §6.2.1 (and radvd's
//! where the seed shows them). [`Profile::validate`] checks it up front and returns a
//! [`ProfileError`] that names the offending value; engines refuse an invalid profile.
//!
//! The three link modes map to the RA flags as DESIGN.md's table says:
//!
//! | [`Mode`] | M | O | A on prefixes |
//! |---|---|---|---|
//! | `Slaac` | 0 | 0 | 1 |
//! | `Dhcpv6Stateless` | 0 | 1 | 1 |
//! | `Dhcpv6Stateful` | 1 | 0 (ignored when M=1, RFC 4861 §4.2) | 0 |
//!
//! Storage is bounded: at most `P` prefixes (a const generic), [`MAX_ROUTES`] routes,
//! [`dns::MAX_DNS_SERVERS`] DNS servers, [`dns::MAX_SEARCH_LIST_LEN`] bytes of search list and
//! [`MAX_CAPTIVE_PORTAL_LEN`] bytes of captive portal URI.

use core::fmt;

pub mod dhcpv6;
pub mod dns;
mod error;
pub mod prefix;
mod validate;

pub use dhcpv6::{AddressPool, Dhcpv6, PdPool};
pub use dns::{Dns, SearchList, SearchListError};
pub use error::{DnsOption, ProfileError};
pub use prefix::{AdvPrefix, AdvRoute, Pref64, Preference, Prefix, INFINITE};

/// How many Route Information options a profile holds (RFC 4191 §2.3; radvd has no limit, 8 covers
/// the deployments in REFERENCES.md's anchors).
pub const MAX_ROUTES: usize = 8;

/// The longest captive portal URI a profile holds, in bytes (RFC 8910 §2.3 sets no limit; the
/// option's length field allows 2040).
pub const MAX_CAPTIVE_PORTAL_LEN: usize = 256;

/// RFC 4861 §6.2.1: MaxRtrAdvInterval "MUST be no less than 4 seconds".
pub const MIN_MAX_INTERVAL_MS: u32 = 4_000;
/// RFC 4861 §6.2.1: MaxRtrAdvInterval "MUST be ... no greater than 1800 seconds".
pub const MAX_MAX_INTERVAL_MS: u32 = 1_800_000;
/// RFC 4861 §6.2.1: MinRtrAdvInterval "MUST be no less than 3 seconds".
pub const MIN_MIN_INTERVAL_MS: u32 = 3_000;
/// RFC 4861 §6.2.1: AdvDefaultLifetime "MUST be either zero or between MaxRtrAdvInterval and
/// 9000 seconds".
pub const MAX_ROUTER_LIFETIME_S: u16 = 9_000;
/// RFC 4861 §6.2.1: AdvReachableTime "MUST be no greater than 3,600,000 milliseconds".
pub const MAX_REACHABLE_TIME_MS: u32 = 3_600_000;
/// The IPv6 minimum link MTU (RFC 8200 §5); an MTU option below it is an error.
pub const MIN_MTU: u32 = 1_280;

/// Default MaxRtrAdvInterval: 600 s (RFC 4861 §6.2.1).
pub const DEFAULT_MAX_INTERVAL_MS: u32 = 600_000;

/// How hosts on the link get addresses and other configuration (DESIGN.md, "the three link
/// modes"; the seed's three OpenStack `ipv6_ra_mode`s).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Mode {
    /// Addresses by SLAAC, DNS only via RDNSS/DNSSL: M=0, O=0, A=1.
    Slaac,
    /// Addresses by SLAAC, other configuration by DHCPv6 Information-Request: M=0, O=1, A=1.
    Dhcpv6Stateless,
    /// Addresses (and prefixes) by DHCPv6: M=1, O=0, A=0.
    Dhcpv6Stateful,
}

impl Mode {
    /// The RA's M flag (RFC 4861 §4.2).
    pub const fn managed(self) -> bool {
        matches!(self, Mode::Dhcpv6Stateful)
    }

    /// The RA's O flag (RFC 4861 §4.2). Clear in stateful mode: with M=1 it is redundant, and the
    /// seed's stateful RA shows `Flags [managed]` alone.
    pub const fn other_config(self) -> bool {
        matches!(self, Mode::Dhcpv6Stateless)
    }

    /// The A flag this mode puts on its prefixes (RFC 4861 §4.6.2).
    pub const fn autonomous(self) -> bool {
        !matches!(self, Mode::Dhcpv6Stateful)
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Mode::Slaac => "slaac",
            Mode::Dhcpv6Stateless => "dhcpv6-stateless",
            Mode::Dhcpv6Stateful => "dhcpv6-stateful",
        })
    }
}

/// The router's own advertising variables (RFC 4861 §6.2.1), the RA header fields and timing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Router {
    /// MaxRtrAdvInterval in milliseconds, 4 000..=1 800 000.
    pub max_interval_ms: u32,
    /// MinRtrAdvInterval in milliseconds, 3 000..=0.75 × `max_interval_ms`.
    pub min_interval_ms: u32,
    /// AdvDefaultLifetime (Router Lifetime) in seconds: 0 (not a default router) or
    /// MaxRtrAdvInterval..=9000.
    pub lifetime_s: u16,
    /// Default router preference (RFC 4191 §2.2).
    pub preference: Preference,
    /// AdvReachableTime in ms, 0 = unspecified (RFC 4861 §4.2).
    pub reachable_time_ms: u32,
    /// AdvRetransTimer in ms, 0 = unspecified (RFC 4861 §4.2).
    pub retrans_timer_ms: u32,
    /// AdvCurHopLimit, 0 = unspecified (RFC 4861 §4.2).
    pub hop_limit: u8,
    /// Answer a Router Solicitation with a unicast RA to its sender instead of a multicast one
    /// (allowed by RFC 4861 §6.2.6; radvd's `AdvRASolicitedUnicast`).
    pub unicast_rs_replies: bool,
    /// The Source Link-Layer Address option's content (RFC 4861 §4.6.1), Ethernet only; `None`
    /// omits the option (RFC 4861 §4.2 allows that for load sharing).
    pub source_link_layer: Option<[u8; 6]>,
}

impl Default for Router {
    /// RFC 4861 §6.2.1's defaults (Max 600 s, Min 0.33 × Max, lifetime 3 × Max), hop limit 64 as
    /// in the seed, no unicast replies, no SLLA.
    fn default() -> Self {
        Router {
            max_interval_ms: DEFAULT_MAX_INTERVAL_MS,
            min_interval_ms: DEFAULT_MAX_INTERVAL_MS / 100 * 33,
            lifetime_s: 1_800,
            preference: Preference::Medium,
            reachable_time_ms: 0,
            retrans_timer_ms: 0,
            hop_limit: 64,
            unicast_rs_replies: false,
            source_link_layer: None,
        }
    }
}

/// A link profile: everything a link offers, for the Advertiser and the DHCPv6 server.
///
/// `P` bounds the number of advertised prefixes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Profile<const P: usize = 4> {
    /// The link mode (sets M and O; prefixes' A flags must agree).
    pub mode: Mode,
    /// Prefix Information options (RFC 4861 §4.6.2).
    pub prefixes: heapless::Vec<AdvPrefix, P>,
    /// Route Information options (RFC 4191 §2.3).
    pub routes: heapless::Vec<AdvRoute, MAX_ROUTES>,
    /// DNS servers and search list (RFC 8106 in RAs, RFC 3646 in DHCPv6).
    pub dns: Dns,
    /// The MTU option's value (RFC 4861 §4.6.4); `None` omits it.
    pub mtu: Option<u32>,
    /// NAT64 prefix (RFC 8781).
    pub pref64: Option<Pref64>,
    /// Captive portal API URI (RFC 8910 §2.3).
    pub captive_portal: Option<heapless::String<MAX_CAPTIVE_PORTAL_LEN>>,
    /// RA header fields and timing.
    pub router: Router,
    /// The DHCPv6 server's part.
    pub dhcpv6: Dhcpv6,
    /// The link's advertised prefix comes at run time from a delegation received on another
    /// interface (a CE router's LAN, RFC 7084 §4.3; see
    /// [`crate::ra::Advertiser::set_delegated_prefix`]), so the profile need not hold an
    /// autonomous prefix itself (its prefixes may be templates with no flags set).
    pub prefix_from_delegation: bool,
}

impl<const P: usize> Profile<P> {
    /// A profile in `mode` with no prefixes and defaults everywhere else.
    pub fn new(mode: Mode) -> Self {
        Profile {
            mode,
            prefixes: heapless::Vec::new(),
            routes: heapless::Vec::new(),
            dns: Dns::default(),
            mtu: None,
            pref64: None,
            captive_portal: None,
            router: Router::default(),
            dhcpv6: Dhcpv6::default(),
            prefix_from_delegation: false,
        }
    }

    /// Add `prefix` with the flags the mode calls for ([`AdvPrefix::for_mode`]) and return it for
    /// adjusting. Fails with [`ProfileError::TooMany`] when `P` prefixes are already there.
    pub fn add_prefix(&mut self, prefix: Prefix) -> Result<&mut AdvPrefix, ProfileError> {
        let p = AdvPrefix::for_mode(self.mode, prefix);
        self.prefixes.push(p).map_err(|_| ProfileError::TooMany {
            what: "prefixes",
            max: P,
        })?;
        self.prefixes.last_mut().ok_or(ProfileError::TooMany {
            what: "prefixes",
            max: P,
        })
    }

    /// Set MaxRtrAdvInterval and derive what RFC 4861 §6.2.1 derives from it: MinRtrAdvInterval
    /// (0.33 × Max, at least 3 s, at most 0.75 × Max), AdvDefaultLifetime (3 × Max, at most 9000
    /// s) and RFC 8106's DNS lifetimes (3 × Max).
    pub fn set_max_interval(&mut self, max_interval_ms: u32) {
        let r = &mut self.router;
        r.max_interval_ms = max_interval_ms;
        r.min_interval_ms = (max_interval_ms / 100 * 33)
            .max(MIN_MIN_INTERVAL_MS)
            .min(max_interval_ms / 4 * 3);
        let lifetime = (u64::from(max_interval_ms) * 3).div_ceil(1000);
        r.lifetime_s = lifetime.min(u64::from(MAX_ROUTER_LIFETIME_S)) as u16;
        self.dns.rdnss_lifetime = Dns::lifetime_for(max_interval_ms);
        self.dns.dnssl_lifetime = Dns::lifetime_for(max_interval_ms);
    }
}

#[cfg(test)]
mod tests;
