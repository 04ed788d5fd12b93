//! What can be wrong with a link profile, worded so a person can fix it.

use core::fmt;

use super::dhcpv6::{AddressPool, PdPool};
use super::prefix::Prefix;
use super::Mode;

/// Which DNS option a lifetime error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum DnsOption {
    /// Recursive DNS Server option (RFC 8106 §5.1).
    Rdnss,
    /// DNS Search List option (RFC 8106 §5.2).
    Dnssl,
}

/// A contradiction or out-of-range value in a [`super::Profile`]. `Display` names the value and
/// the rule it breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ProfileError {
    /// MaxRtrAdvInterval outside 4..=1800 s (RFC 4861 §6.2.1).
    MaxIntervalOutOfRange {
        /// The configured value, ms.
        max_ms: u32,
    },
    /// MinRtrAdvInterval outside 3 s..=0.75 × MaxRtrAdvInterval (RFC 4861 §6.2.1).
    MinIntervalOutOfRange {
        /// The configured MinRtrAdvInterval, ms.
        min_ms: u32,
        /// The configured MaxRtrAdvInterval, ms.
        max_ms: u32,
    },
    /// AdvDefaultLifetime neither 0 nor within MaxRtrAdvInterval..=9000 s (RFC 4861 §6.2.1).
    RouterLifetimeOutOfRange {
        /// The configured router lifetime, s.
        lifetime_s: u16,
        /// The configured MaxRtrAdvInterval, ms.
        max_ms: u32,
    },
    /// AdvReachableTime above 3 600 000 ms (RFC 4861 §6.2.1).
    ReachableTimeTooLarge {
        /// The configured value, ms.
        reachable_time_ms: u32,
    },
    /// An MTU option below the IPv6 minimum of 1280 (RFC 8200 §5).
    MtuTooSmall {
        /// The configured MTU.
        mtu: u32,
    },
    /// The MTU option advertises more than the interface carries: hosts would send packets the
    /// link drops (RFC 4861 §6.2.1 AdvLinkMTU: "should not be greater than" the link's MTU).
    MtuAboveLink {
        /// The advertised MTU.
        mtu: u32,
        /// The interface's MTU.
        link_mtu: u32,
    },
    /// A prefix length above 128.
    PrefixLengthTooLong {
        /// The prefix.
        prefix: Prefix,
    },
    /// Bits set past the prefix length (`2001:db8::1/64`): probably a typo for the network.
    HostBitsSet {
        /// The prefix as configured.
        prefix: Prefix,
    },
    /// The same prefix listed twice.
    DuplicatePrefix {
        /// The prefix.
        prefix: Prefix,
    },
    /// A=1 on a prefix that is not a /64: hosts cannot form an address from it (RFC 4862 §5.5.3 d
    /// with the 64-bit interface identifiers of RFC 4291 §2.5.1).
    AutonomousNotSlash64 {
        /// The prefix.
        prefix: Prefix,
    },
    /// Preferred lifetime above valid lifetime: hosts ignore the option (RFC 4862 §5.5.3 c).
    PreferredExceedsValid {
        /// The prefix.
        prefix: Prefix,
        /// Preferred lifetime, s.
        preferred: u32,
        /// Valid lifetime, s.
        valid: u32,
    },
    /// A prefix's valid lifetime is shorter than MaxRtrAdvInterval: it would expire between two
    /// advertisements (RFC 4861 §6.2.1 AdvValidLifetime, §6.2.4).
    PrefixLifetimeTooShort {
        /// The prefix.
        prefix: Prefix,
        /// Valid lifetime, s.
        valid: u32,
        /// MaxRtrAdvInterval, ms.
        max_ms: u32,
    },
    /// A route's lifetime is shorter than MaxRtrAdvInterval: it would expire between two
    /// advertisements (RFC 4191 §2.3).
    RouteLifetimeTooShort {
        /// The route's prefix.
        prefix: Prefix,
        /// Route lifetime, s.
        lifetime: u32,
        /// MaxRtrAdvInterval, ms.
        max_ms: u32,
    },
    /// An RDNSS or DNSSL lifetime shorter than MaxRtrAdvInterval. RFC 8106 §5.1 and §5.2: the
    /// lifetime "SHOULD by default be at least 3 * MaxRtrAdvInterval"; below MaxRtrAdvInterval
    /// (the floor RFC 6106 §5.1 set) hosts lose DNS between two advertisements.
    DnsLifetimeTooShort {
        /// Which option.
        option: DnsOption,
        /// Its lifetime, s.
        lifetime: u32,
        /// MaxRtrAdvInterval, ms.
        max_ms: u32,
    },
    /// `slaac` or `dhcpv6-stateless` with no prefix carrying A=1: hosts would get no address.
    NoAutonomousPrefix {
        /// The mode.
        mode: Mode,
    },
    /// `dhcpv6-stateful` with A=1 on a prefix: DESIGN.md's table says A=0, addresses come from
    /// DHCPv6 only.
    AutonomousInStatefulMode {
        /// The prefix.
        prefix: Prefix,
    },
    /// `dhcpv6-stateful` (M=1) with no address pool: hosts would ask for addresses nobody gives.
    StatefulWithoutPool,
    /// Address pool whose start is above its end.
    PoolEmpty {
        /// The pool.
        pool: AddressPool,
    },
    /// Address pool not inside any prefix of the profile.
    PoolOutsidePrefix {
        /// The pool.
        pool: AddressPool,
    },
    /// Delegated length shorter than the PD pool's prefix or longer than 128.
    PdPoolBadLength {
        /// The pool.
        pool: PdPool,
    },
    /// The PD pool overlaps a prefix advertised on the link (RFC 9915 §6.3: delegated prefixes
    /// are routed to the requesting router, not on-link).
    PdPoolOverlapsPrefix {
        /// The PD pool's prefix.
        pd: Prefix,
        /// The advertised prefix it overlaps.
        prefix: Prefix,
    },
    /// DHCPv6 preferred lifetime above valid lifetime (RFC 9915 §21.6).
    DhcpPreferredExceedsValid {
        /// Preferred lifetime, s.
        preferred: u32,
        /// Valid lifetime, s.
        valid: u32,
    },
    /// T1 above T2 (RFC 9915 §21.4).
    T1AfterT2 {
        /// T1, s.
        t1: u32,
        /// T2, s.
        t2: u32,
    },
    /// PREF64 prefix length not one of 32, 40, 48, 56, 64, 96 (RFC 8781 §4).
    Pref64BadLength {
        /// The prefix.
        prefix: Prefix,
    },
    /// PREF64 lifetime shorter than MaxRtrAdvInterval or above 65528 s. RFC 8781 §4.1: by
    /// default the Scaled Lifetime "SHOULD be set to the lesser of 3 x MaxRtrAdvInterval divided
    /// by 8, or 8191".
    Pref64LifetimeOutOfRange {
        /// Lifetime, s.
        lifetime: u16,
        /// MaxRtrAdvInterval, ms.
        max_ms: u32,
    },
    /// The captive portal URI is empty.
    CaptivePortalEmpty,
    /// A bounded list is full.
    TooMany {
        /// Which list.
        what: &'static str,
        /// Its capacity.
        max: usize,
    },
}

/// Milliseconds as seconds with up to three decimals (`600 s`, `3.3 s`).
struct Secs(u32);

impl fmt::Display for Secs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (s, ms) = (self.0 / 1000, self.0 % 1000);
        if ms == 0 {
            write!(f, "{s} s")
        } else {
            let mut frac = ms;
            let mut width = 3;
            while frac % 10 == 0 {
                frac /= 10;
                width -= 1;
            }
            write!(f, "{s}.{frac:0width$} s")
        }
    }
}

impl fmt::Display for ProfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ProfileError as E;
        match *self {
            E::MaxIntervalOutOfRange { max_ms } => write!(
                f,
                "MaxRtrAdvInterval {} is outside 4 s..=1800 s (RFC 4861 §6.2.1)",
                Secs(max_ms)
            ),
            E::MinIntervalOutOfRange { min_ms, max_ms } => write!(
                f,
                "MinRtrAdvInterval {} must be at least 3 s and at most 0.75 × MaxRtrAdvInterval ({}) (RFC 4861 §6.2.1)",
                Secs(min_ms),
                Secs(max_ms / 4 * 3)
            ),
            E::RouterLifetimeOutOfRange { lifetime_s, max_ms } => write!(
                f,
                "router lifetime {lifetime_s} s must be 0 or between MaxRtrAdvInterval ({}) and 9000 s (RFC 4861 §6.2.1)",
                Secs(max_ms)
            ),
            E::ReachableTimeTooLarge { reachable_time_ms } => write!(
                f,
                "reachable time {reachable_time_ms} ms is above 3600000 ms (RFC 4861 §6.2.1)"
            ),
            E::MtuTooSmall { mtu } => {
                write!(f, "MTU {mtu} is below the IPv6 minimum of 1280 (RFC 8200 §5)")
            }
            E::MtuAboveLink { mtu, link_mtu } => write!(
                f,
                "advertised MTU {mtu} is above the interface MTU {link_mtu}"
            ),
            E::PrefixLengthTooLong { prefix } => {
                write!(f, "prefix {prefix}: length above 128")
            }
            E::HostBitsSet { prefix } => write!(
                f,
                "prefix {prefix} has bits set past /{}; did you mean {}/{}?",
                prefix.len,
                prefix.network(),
                prefix.len
            ),
            E::DuplicatePrefix { prefix } => write!(f, "prefix {prefix} is listed twice"),
            E::AutonomousNotSlash64 { prefix } => write!(
                f,
                "prefix {prefix} has the autonomous flag (A=1) but SLAAC needs a /64 (RFC 4862 §5.5.3)"
            ),
            E::PreferredExceedsValid {
                prefix,
                preferred,
                valid,
            } => write!(
                f,
                "prefix {prefix}: preferred lifetime {preferred} s exceeds valid lifetime {valid} s (RFC 4862 §5.5.3)"
            ),
            E::PrefixLifetimeTooShort {
                prefix,
                valid,
                max_ms,
            } => write!(
                f,
                "prefix {prefix}: valid lifetime {valid} s is shorter than MaxRtrAdvInterval ({}); it would expire between advertisements",
                Secs(max_ms)
            ),
            E::RouteLifetimeTooShort {
                prefix,
                lifetime,
                max_ms,
            } => write!(
                f,
                "route {prefix}: lifetime {lifetime} s is shorter than MaxRtrAdvInterval ({}); it would expire between advertisements",
                Secs(max_ms)
            ),
            E::DnsLifetimeTooShort {
                option,
                lifetime,
                max_ms,
            } => write!(
                f,
                "{} lifetime {lifetime} s is shorter than MaxRtrAdvInterval ({}); RFC 8106 §5 asks for at least 3 × MaxRtrAdvInterval",
                match option {
                    DnsOption::Rdnss => "RDNSS",
                    DnsOption::Dnssl => "DNSSL",
                },
                Secs(max_ms)
            ),
            E::NoAutonomousPrefix { mode } => write!(
                f,
                "mode {mode} needs at least one /64 prefix with the autonomous flag (A=1), or hosts get no address"
            ),
            E::AutonomousInStatefulMode { prefix } => write!(
                f,
                "prefix {prefix} has the autonomous flag (A=1) but mode dhcpv6-stateful hands out addresses by DHCPv6 only (A=0)"
            ),
            E::StatefulWithoutPool => f.write_str(
                "mode dhcpv6-stateful sets M=1 but no DHCPv6 address pool is configured",
            ),
            E::PoolEmpty { pool } => write!(f, "pool {pool}: start is above end"),
            E::PoolOutsidePrefix { pool } => {
                write!(f, "pool {pool} is outside every prefix of the link")
            }
            E::PdPoolBadLength { pool } => write!(
                f,
                "prefix delegation pool {}: delegated length /{} must be between /{} and /128",
                pool.prefix, pool.delegated_len, pool.prefix.len
            ),
            E::PdPoolOverlapsPrefix { pd, prefix } => write!(
                f,
                "prefix delegation pool {pd} overlaps prefix {prefix} advertised on the link"
            ),
            E::DhcpPreferredExceedsValid { preferred, valid } => write!(
                f,
                "DHCPv6 preferred lifetime {preferred} s exceeds valid lifetime {valid} s (RFC 9915 §21.6)"
            ),
            E::T1AfterT2 { t1, t2 } => {
                write!(f, "DHCPv6 T1 {t1} s is after T2 {t2} s (RFC 9915 §21.4)")
            }
            E::Pref64BadLength { prefix } => write!(
                f,
                "PREF64 prefix {prefix}: length must be 32, 40, 48, 56, 64 or 96 (RFC 8781 §4)"
            ),
            E::Pref64LifetimeOutOfRange { lifetime, max_ms } => write!(
                f,
                "PREF64 lifetime {lifetime} s must be between MaxRtrAdvInterval ({}) and 65528 s (RFC 8781 §4)",
                Secs(max_ms)
            ),
            E::CaptivePortalEmpty => f.write_str("captive portal URI is empty (RFC 8910 §2.3)"),
            E::TooMany { what, max } => write!(f, "too many {what}: at most {max}"),
        }
    }
}

impl core::error::Error for ProfileError {}
