//! What the DHCPv6 server hands out on the link (RFC 9915): the address pool, the optional prefix
//! delegation pool, lifetimes and timers, and the options beyond DNS. Data and validation only;
//! the server engine consumes it.

use core::fmt;
use core::net::Ipv6Addr;

use super::prefix::Prefix;

/// How many NTP (RFC 5908) or SNTP (RFC 4075) servers a profile holds.
pub const MAX_TIME_SERVERS: usize = 4;

/// An inclusive range of addresses for IA_NA (RFC 9915 §21.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct AddressPool {
    /// First address handed out.
    pub start: Ipv6Addr,
    /// Last address handed out (inclusive).
    pub end: Ipv6Addr,
}

impl AddressPool {
    /// Number of addresses in the pool (0 when `start > end`), saturating.
    pub fn size(&self) -> u128 {
        let (s, e) = (u128::from(self.start), u128::from(self.end));
        if e < s {
            0
        } else {
            (e - s).saturating_add(1)
        }
    }
}

impl fmt::Display for AddressPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.start, self.end)
    }
}

/// A pool of prefixes for IA_PD (RFC 9915 §21.21): `prefix` carved into prefixes of
/// `delegated_len` bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PdPool {
    /// The aggregate the delegated prefixes come from.
    pub prefix: Prefix,
    /// Length of each delegated prefix; `prefix.len <= delegated_len <= 128`.
    pub delegated_len: u8,
}

/// The DHCPv6 server's part of the link profile.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Dhcpv6 {
    /// Addresses for IA_NA; required in `dhcpv6-stateful` mode.
    pub pool: Option<AddressPool>,
    /// Prefixes for IA_PD, if the link delegates.
    pub pd_pool: Option<PdPool>,
    /// Answer a Solicit carrying Rapid Commit with a Reply (RFC 9915 §18.3.1, §21.14).
    pub rapid_commit: bool,
    /// Preferred lifetime of leased addresses and prefixes, seconds (RFC 9915 §21.6).
    pub preferred_lifetime: u32,
    /// Valid lifetime of leased addresses and prefixes, seconds; `>= preferred_lifetime`.
    pub valid_lifetime: u32,
    /// T1 in seconds (RFC 9915 §21.4); 0 lets the client choose.
    pub t1: u32,
    /// T2 in seconds; `t1 <= t2` when both are set.
    pub t2: u32,
    /// NTP servers (RFC 5908).
    pub ntp_servers: heapless::Vec<Ipv6Addr, MAX_TIME_SERVERS>,
    /// SNTP servers (RFC 4075).
    pub sntp_servers: heapless::Vec<Ipv6Addr, MAX_TIME_SERVERS>,
    /// Information Refresh Time in seconds for stateless replies (RFC 9915 §21.23); `None` leaves
    /// the client's default (86400 s).
    pub info_refresh_time: Option<u32>,
}

impl Default for Dhcpv6 {
    /// No pools; lifetimes as the seed's stateful trace (7200/7500 s renewed with T1 3600 / T2
    /// 6300 there; here RFC 9915 §21.4's 0.5 and 0.8 of the preferred lifetime).
    fn default() -> Self {
        Dhcpv6 {
            pool: None,
            pd_pool: None,
            rapid_commit: false,
            preferred_lifetime: 7_200,
            valid_lifetime: 7_500,
            t1: 3_600,
            t2: 5_760,
            ntp_servers: heapless::Vec::new(),
            sntp_servers: heapless::Vec::new(),
            info_refresh_time: None,
        }
    }
}
