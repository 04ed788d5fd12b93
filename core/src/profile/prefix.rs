//! Prefixes and routes a router advertises: Prefix Information (RFC 4861 §4.6.2, P flag RFC
//! 9762), Route Information (RFC 4191 §2.3) and PREF64 (RFC 8781).

use core::fmt;
use core::net::Ipv6Addr;

/// The lifetime value meaning "infinity" (RFC 4861 §4.6.2, RFC 4191 §2.3, RFC 8106 §5.1).
pub const INFINITE: u32 = u32::MAX;

/// An IPv6 prefix: an address and a length in bits (0..=128).
///
/// [`Prefix::new`] keeps the address as given; [`Prefix::has_host_bits`] tells whether bits beyond
/// the length are set, which profile validation rejects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Prefix {
    /// The prefix bits (bits past `len` must be zero in a valid profile).
    pub addr: Ipv6Addr,
    /// Prefix length in bits.
    pub len: u8,
}

impl Prefix {
    /// The prefix `addr/len`.
    pub const fn new(addr: Ipv6Addr, len: u8) -> Self {
        Prefix { addr, len }
    }

    /// The address with every bit past the length cleared (all of it when `len >= 128`).
    pub fn network(&self) -> Ipv6Addr {
        Ipv6Addr::from(u128::from(self.addr) & mask(self.len))
    }

    /// `true` when bits past the prefix length are set (e.g. `2001:db8::1/64`).
    pub fn has_host_bits(&self) -> bool {
        self.network() != self.addr
    }

    /// `true` when `addr` lies inside this prefix.
    pub fn contains(&self, addr: Ipv6Addr) -> bool {
        let m = mask(self.len);
        u128::from(addr) & m == u128::from(self.addr) & m
    }

    /// `true` when the two prefixes share at least one address (one contains the other).
    pub fn overlaps(&self, other: &Prefix) -> bool {
        let m = mask(self.len.min(other.len));
        u128::from(self.addr) & m == u128::from(other.addr) & m
    }
}

/// The netmask for a prefix length (lengths above 128 act as 128).
fn mask(len: u8) -> u128 {
    match len {
        0 => 0,
        l if l >= 128 => u128::MAX,
        l => u128::MAX << (128 - u32::from(l)),
    }
}

impl fmt::Display for Prefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.len)
    }
}

/// A prefix the router advertises in a Prefix Information option (RFC 4861 §4.6.2; RFC 4861
/// §6.2.1 `AdvPrefixList`).
///
/// A prefix with none of L, A and P set is kept in the profile (it bounds the DHCPv6 pool) but
/// not advertised: such an option tells hosts nothing. That is how the seed's stateful link,
/// whose RA carries no Prefix Information, is declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct AdvPrefix {
    /// The prefix.
    pub prefix: Prefix,
    /// L: the prefix is on-link (RFC 4861 §4.6.2, `AdvOnLinkFlag`).
    pub on_link: bool,
    /// A: hosts may form addresses from it with SLAAC (RFC 4862 §5.5.3, `AdvAutonomousFlag`).
    pub autonomous: bool,
    /// P: hosts should request a delegated prefix with DHCPv6 instead (RFC 9762 §3).
    pub pd_preferred: bool,
    /// Valid lifetime in seconds ([`INFINITE`] for infinity), `AdvValidLifetime`.
    pub valid_lifetime: u32,
    /// Preferred lifetime in seconds ([`INFINITE`] for infinity), `AdvPreferredLifetime`.
    pub preferred_lifetime: u32,
}

impl AdvPrefix {
    /// Default valid lifetime in seconds: one day, as radvd and the seed use (RFC 4861 §6.2.1
    /// suggests 30 days).
    pub const DEFAULT_VALID_LIFETIME: u32 = 86_400;
    /// Default preferred lifetime as in the seed and radvd (4 hours; RFC 4861 §6.2.1 says 7 days).
    pub const DEFAULT_PREFERRED_LIFETIME: u32 = 14_400;

    /// An on-link prefix with the A flag `mode` calls for (DESIGN.md's table: A=1 for `slaac` and
    /// `dhcpv6-stateless`, A=0 for `dhcpv6-stateful`), P=0 and the default lifetimes.
    pub fn for_mode(mode: super::Mode, prefix: Prefix) -> Self {
        AdvPrefix {
            prefix,
            on_link: true,
            autonomous: mode.autonomous(),
            pd_preferred: false,
            valid_lifetime: Self::DEFAULT_VALID_LIFETIME,
            preferred_lifetime: Self::DEFAULT_PREFERRED_LIFETIME,
        }
    }
}

/// Router preference (RFC 4191 §2.1), for the RA header's Prf field and Route Information.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Preference {
    /// `11`.
    Low,
    /// `00`, the default.
    #[default]
    Medium,
    /// `01`.
    High,
}

impl Preference {
    /// The two-bit wire value (RFC 4191 §2.1).
    pub const fn bits(self) -> u8 {
        match self {
            Preference::Low => 0b11,
            Preference::Medium => 0b00,
            Preference::High => 0b01,
        }
    }
}

impl fmt::Display for Preference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Preference::Low => "low",
            Preference::Medium => "medium",
            Preference::High => "high",
        })
    }
}

/// A more-specific route advertised in a Route Information option (RFC 4191 §2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct AdvRoute {
    /// The destination prefix (length 0..=128).
    pub prefix: Prefix,
    /// Preference of this route over others to the same prefix.
    pub preference: Preference,
    /// Route lifetime in seconds ([`INFINITE`] for infinity).
    pub lifetime: u32,
}

/// A NAT64 prefix advertised in a PREF64 option (RFC 8781 §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Pref64 {
    /// The NAT64 prefix; its length must be 32, 40, 48, 56, 64 or 96 (RFC 8781 §4, PLC).
    pub prefix: Prefix,
    /// Lifetime in seconds; carried in units of 8 s in 13 bits, so at most 65528 (RFC 8781 §4).
    pub lifetime: u16,
}

impl Pref64 {
    /// The largest lifetime the 13-bit Scaled Lifetime field can carry (8191 × 8 s).
    pub const MAX_LIFETIME: u16 = 65_528;
}
