//! The server's own configuration: links, pools, options, lifetimes, reservations, limits.
//!
//! The link profile (`core::profile`) is converted into [`LinkConfig`]; the engine reads only
//! this. Everything is owned and bounded (heapless), so a configuration can be built at run time
//! without allocation and moved into the [`Server`](super::Server).

use core::net::Ipv6Addr;

use crate::time::Duration;
use crate::wire::dhcpv6::option::relay_agent::MAX_LINK_LAYER_ADDRESS_LEN;
use crate::wire::dhcpv6::DuidBuf;
use crate::wire::dns;

/// Most links one server serves.
pub const MAX_LINKS: usize = 8;
/// Most entries in each per-link list (pools, on-link prefixes, server addresses).
pub const MAX_LIST: usize = 4;
/// Most reservations per link.
pub const MAX_RESERVATIONS: usize = 16;
/// Most bytes of the encoded Domain Search List.
pub const MAX_DOMAIN_LIST_LEN: usize = 256;
/// Longest Interface-ID matched (RFC 9915 §21.18 allows any length; relays use short ones).
pub const MAX_INTERFACE_ID_LEN: usize = 64;

/// A mask of the top `len` bits (`len` above 128 counts as 128).
pub(crate) fn mask(len: u8) -> u128 {
    match len {
        0 => 0,
        1..=127 => !0u128 << (128 - u32::from(len)),
        _ => !0,
    }
}

/// `a % b` for `b > 0` (the address choice's hash into a pool). On 64-bit targets the
/// native remainder; on 32-bit ones LLVM has no `u128` libcall and expands every `%` inline
/// (about 0.9 KB of Thumb-2 code each), so a bit-serial long division is used there instead.
#[inline]
pub(crate) fn urem(a: u128, b: u128) -> u128 {
    if cfg!(target_pointer_width = "64") {
        a.checked_rem(b).unwrap_or(a)
    } else {
        urem_serial(a, b)
    }
}

/// `a % b` one bit at a time (128 steps, constant shifts only); `a` when `b` is 0.
#[inline(never)]
fn urem_serial(mut a: u128, b: u128) -> u128 {
    if b == 0 {
        return a;
    }
    let mut r = 0u128;
    for _ in 0..128 {
        // r < b before the step, so 2r + bit < 2b: one subtraction brings it back under b
        // (when 2r overflows, the wrapped difference is the true one).
        let carry = r >> 127 != 0;
        r = (r << 1) | (a >> 127);
        a <<= 1;
        if carry || r >= b {
            r = r.wrapping_sub(b);
        }
    }
    r
}

/// An IPv6 prefix: address and length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Prefix {
    /// The prefix bits (host bits are ignored).
    #[cfg_attr(feature = "defmt", defmt(Display2Format))]
    pub address: Ipv6Addr,
    /// Length, 0..=128.
    pub len: u8,
}

impl Prefix {
    /// A prefix from an address and a length.
    pub const fn new(address: Ipv6Addr, len: u8) -> Prefix {
        Prefix { address, len }
    }

    /// `true` if `addr` lies in the prefix.
    pub fn contains(&self, addr: Ipv6Addr) -> bool {
        // Byte-wise: a `u128` mask costs variable 64-bit shifts (library calls) on 32-bit
        // targets.
        let (a, b) = (self.address.octets(), addr.octets());
        let len = usize::from(self.len.min(128));
        let (whole, bits) = (len / 8, len % 8);
        a.get(..whole) == b.get(..whole)
            && match (a.get(whole), b.get(whole)) {
                (Some(x), Some(y)) if bits > 0 => (x ^ y) & (0xff << (8 - bits)) == 0,
                _ => true,
            }
    }
}

/// A range of addresses handed out for IA_NA, `first..=last` (RFC 9915 §6.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct AddressPool {
    /// First address of the range.
    #[cfg_attr(feature = "defmt", defmt(Display2Format))]
    pub first: Ipv6Addr,
    /// Last address of the range (inclusive).
    #[cfg_attr(feature = "defmt", defmt(Display2Format))]
    pub last: Ipv6Addr,
}

impl AddressPool {
    /// A pool `first..=last`.
    pub const fn new(first: Ipv6Addr, last: Ipv6Addr) -> AddressPool {
        AddressPool { first, last }
    }

    /// Addresses in the pool; `u128::MAX` stands for the whole address space (2^128 does not
    /// fit), 0 for an empty range.
    pub fn size(&self) -> u128 {
        let (a, b) = (u128::from(self.first), u128::from(self.last));
        if b < a {
            0
        } else {
            (b - a).saturating_add(1)
        }
    }

    /// `true` if `addr` is in the pool.
    pub fn contains(&self, addr: Ipv6Addr) -> bool {
        (u128::from(self.first)..=u128::from(self.last)).contains(&u128::from(addr))
    }

    /// The `i`-th address (`i < size()`).
    pub fn nth(&self, i: u128) -> Option<Ipv6Addr> {
        if i >= self.size() {
            return None;
        }
        u128::from(self.first).checked_add(i).map(Ipv6Addr::from)
    }
}

/// A prefix from which prefixes of `delegated_len` are delegated (IA_PD, RFC 9915 §6.3).
///
/// All arithmetic is in `u128` with checked shifts, so every pool length 0..=128 and delegated
/// length works (odhcpd computed `1 << (64 - plen)` and overflowed for short pools).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PrefixPool {
    /// The pool prefix.
    pub prefix: Prefix,
    /// Length of every prefix delegated from this pool (`prefix.len..=128`).
    pub delegated_len: u8,
}

impl PrefixPool {
    /// A pool of `/delegated_len` prefixes inside `prefix`.
    pub const fn new(prefix: Prefix, delegated_len: u8) -> PrefixPool {
        PrefixPool {
            prefix,
            delegated_len,
        }
    }

    fn valid(&self) -> bool {
        self.prefix.len <= 128 && self.delegated_len <= 128 && self.prefix.len <= self.delegated_len
    }

    /// How many prefixes the pool holds: 2^(delegated_len − len), `u128::MAX` standing for
    /// 2^128; 0 for an invalid pool.
    pub fn count(&self) -> u128 {
        if !self.valid() {
            return 0;
        }
        let bits = u32::from(self.delegated_len - self.prefix.len);
        1u128.checked_shl(bits).unwrap_or(u128::MAX)
    }

    /// The `i`-th delegated prefix (`i < count()`).
    pub fn nth(&self, i: u128) -> Option<Ipv6Addr> {
        if i >= self.count() {
            return None;
        }
        let base = u128::from(self.prefix.address) & mask(self.prefix.len);
        let shift = 128 - u32::from(self.delegated_len);
        // shift == 128 only when delegated_len == 0, where count() == 1 and i == 0.
        let offset = i.checked_shl(shift).unwrap_or(0);
        Some(Ipv6Addr::from(base | offset))
    }

    /// `true` if `prefix/len` is one of the pool's delegated prefixes (right length, inside,
    /// aligned).
    pub fn holds(&self, prefix: Ipv6Addr, len: u8) -> bool {
        self.valid()
            && len == self.delegated_len
            && self.prefix.contains(prefix)
            && u128::from(prefix) & !mask(len) == 0
    }

    /// `true` if `a/alen` and `b/blen` share any address.
    pub fn overlaps(a: Prefix, b: Prefix) -> bool {
        let m = mask(a.len.min(b.len));
        u128::from(a.address) & m == u128::from(b.address) & m
    }
}

/// Lifetimes and renewal times for the leases of one IA type (RFC 9915 §7.7, §21.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Lifetimes {
    /// Preferred lifetime in seconds.
    pub preferred: u32,
    /// Valid lifetime in seconds.
    pub valid: u32,
    /// T1 in seconds; `None` for 0.5 × preferred (RFC 9915 §21.4 recommends).
    pub t1: Option<u32>,
    /// T2 in seconds; `None` for 0.8 × preferred.
    pub t2: Option<u32>,
}

impl Lifetimes {
    /// Lifetimes with T1/T2 derived from the preferred lifetime.
    pub const fn new(preferred: u32, valid: u32) -> Lifetimes {
        Lifetimes {
            preferred,
            valid,
            t1: None,
            t2: None,
        }
    }

    /// T1 as sent.
    pub fn t1(&self) -> u32 {
        self.t1.unwrap_or(self.preferred / 2)
    }

    /// T2 as sent (never below T1, RFC 9915 §21.4).
    pub fn t2(&self) -> u32 {
        // 0.8 × preferred, rounded down, in u32 (p = 5q + r: 4p/5 = 4q + 4r/5), so that no
        // 64-bit division is linked on 32-bit targets.
        let p = self.preferred;
        self.t2.unwrap_or(p / 5 * 4 + p % 5 * 4 / 5).max(self.t1())
    }
}

/// Who a reservation is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ReservationKey {
    /// Every IA of the client with this DUID.
    Duid(DuidBuf),
    /// The IA with this IAID of the client with this DUID.
    DuidIaid(DuidBuf, u32),
    /// The client with this link-layer address (RFC 6939 Client Link-Layer Address from the
    /// first relay, the adapter's source MAC, or the DUID-LL/LLT's address).
    LinkLayer {
        /// The address bytes.
        address: [u8; MAX_LINK_LAYER_ADDRESS_LEN],
        /// How many of them are used.
        len: u8,
    },
}

impl ReservationKey {
    /// A link-layer key; `None` if longer than 16 bytes.
    pub fn link_layer(address: &[u8]) -> Option<ReservationKey> {
        let mut a = [0u8; MAX_LINK_LAYER_ADDRESS_LEN];
        a.get_mut(..address.len())?.copy_from_slice(address);
        Some(ReservationKey::LinkLayer {
            address: a,
            len: address.len() as u8,
        })
    }
}

/// A fixed address and/or prefix for one client (RFC 9915 §6.2 "reserved").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Reservation {
    /// Who it is for.
    pub key: ReservationKey,
    /// The address served to the client's IA_NA, if any.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub address: Option<Ipv6Addr>,
    /// The prefix served to the client's IA_PD, if any.
    pub prefix: Option<Prefix>,
}

/// A configuration error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ConfigError {
    /// A bounded list is full.
    TooMany(&'static str),
    /// A domain name is not a valid DNS name.
    BadDomain(dns::NameError),
    /// Two prefix pools overlap, or a prefix pool overlaps an address pool.
    Overlap,
    /// A prefix pool's delegated length is shorter than its own length or above 128.
    BadPrefixPool,
    /// T1 > T2, preferred > valid, or an address pool with first > last.
    BadLifetimes,
}

impl core::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            ConfigError::TooMany(what) => write!(f, "too many {what}"),
            ConfigError::BadDomain(e) => write!(f, "bad domain name: {e}"),
            ConfigError::Overlap => f.write_str("pools overlap"),
            ConfigError::BadPrefixPool => f.write_str("delegated length outside pool length..=128"),
            ConfigError::BadLifetimes => {
                f.write_str("preferred > valid, T1 > T2, or an empty address range")
            }
        }
    }
}

/// How the server recognises and serves one link (RFC 9915 §13.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkConfig {
    /// Messages received directly on this interface index belong to the link.
    pub ifindex: Option<u32>,
    /// The link's on-link prefixes: a relay's link-address inside one selects the link, and
    /// Confirm / Request hints are checked against them (NotOnLink).
    pub prefixes: heapless::Vec<Prefix, MAX_LIST>,
    /// A relay's Interface-ID that selects this link (when its link-address does not).
    pub interface_id: heapless::Vec<u8, MAX_INTERFACE_ID_LEN>,
    /// Address pools for IA_NA.
    pub address_pools: heapless::Vec<AddressPool, MAX_LIST>,
    /// Prefix pools for IA_PD.
    pub prefix_pools: heapless::Vec<PrefixPool, MAX_LIST>,
    /// DNS Recursive Name Servers (RFC 3646 §3).
    pub dns_servers: heapless::Vec<Ipv6Addr, MAX_LIST>,
    /// Domain Search List in wire format (RFC 3646 §4); fill with [`LinkConfig::add_domain`].
    pub domain_list: heapless::Vec<u8, MAX_DOMAIN_LIST_LEN>,
    /// NTP servers, sent as NTP Server option suboption 1 (RFC 5908).
    pub ntp_servers: heapless::Vec<Ipv6Addr, MAX_LIST>,
    /// SNTP servers (RFC 4075).
    pub sntp_servers: heapless::Vec<Ipv6Addr, MAX_LIST>,
    /// Lifetimes, T1 and T2 of IA_NA addresses.
    pub address_lifetimes: Lifetimes,
    /// Lifetimes, T1 and T2 of IA_PD prefixes.
    pub prefix_lifetimes: Lifetimes,
    /// Answer a Solicit carrying Rapid Commit with a committed Reply (RFC 9915 §18.3.1).
    pub rapid_commit: bool,
    /// Preference option in Advertise (RFC 9915 §21.8).
    pub preference: Option<u8>,
    /// Information Refresh Time in replies to Information-request (RFC 9915 §21.23).
    pub information_refresh_time: Option<u32>,
    /// SOL_MAX_RT sent when requested (RFC 9915 §21.24), 60..=86400.
    pub sol_max_rt: Option<u32>,
    /// INF_MAX_RT sent when requested (RFC 9915 §21.25), 60..=86400.
    pub inf_max_rt: Option<u32>,
    /// Fixed addresses and prefixes.
    pub reservations: heapless::Vec<Reservation, MAX_RESERVATIONS>,
}

#[cfg(feature = "defmt")]
impl defmt::Format for LinkConfig {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(
            f,
            "LinkConfig {{ ifindex: {}, {} prefixes, {} address pools, {} prefix pools, {} reservations }}",
            self.ifindex,
            self.prefixes.len(),
            self.address_pools.len(),
            self.prefix_pools.len(),
            self.reservations.len()
        )
    }
}

impl Default for LinkConfig {
    fn default() -> Self {
        LinkConfig {
            ifindex: None,
            prefixes: heapless::Vec::new(),
            interface_id: heapless::Vec::new(),
            address_pools: heapless::Vec::new(),
            prefix_pools: heapless::Vec::new(),
            dns_servers: heapless::Vec::new(),
            domain_list: heapless::Vec::new(),
            ntp_servers: heapless::Vec::new(),
            sntp_servers: heapless::Vec::new(),
            address_lifetimes: Lifetimes::new(3600, 7200),
            prefix_lifetimes: Lifetimes::new(3600, 7200),
            rapid_commit: false,
            preference: None,
            information_refresh_time: None,
            sol_max_rt: None,
            inf_max_rt: None,
            reservations: heapless::Vec::new(),
        }
    }
}

impl LinkConfig {
    /// Append a dotted domain name (e.g. `"openstacklocal"`) to the Domain Search List.
    pub fn add_domain(&mut self, dotted: &str) -> Result<(), ConfigError> {
        let len = dns::dotted_wire_len(dotted).map_err(ConfigError::BadDomain)?;
        let start = self.domain_list.len();
        self.domain_list
            .resize(start + len, 0)
            .map_err(|_| ConfigError::TooMany("domain bytes"))?;
        let out = self.domain_list.get_mut(start..).unwrap_or(&mut []);
        if dns::emit_dotted(dotted, out).is_err() {
            self.domain_list.truncate(start);
            return Err(ConfigError::TooMany("domain bytes"));
        }
        Ok(())
    }

    /// `true` if `addr` is on one of the link's prefixes or in one of its address pools.
    pub fn on_link(&self, addr: Ipv6Addr) -> bool {
        self.prefixes.iter().any(|p| p.contains(addr))
            || self.address_pools.iter().any(|p| p.contains(addr))
    }

    /// Check the link for contradictions the engine relies on: prefix pools valid and pairwise
    /// disjoint and disjoint from the address pools, lifetimes ordered. Without the `server-pd`
    /// feature, any prefix pool is refused ([`ConfigError::TooMany`]).
    pub fn validate(&self) -> Result<(), ConfigError> {
        if !cfg!(feature = "server-pd") && !self.prefix_pools.is_empty() {
            // The server would never delegate from them: say so rather than ignore them.
            return Err(ConfigError::TooMany(
                "prefix pools (feature server-pd is off)",
            ));
        }
        for (i, a) in self.prefix_pools.iter().enumerate() {
            if a.count() == 0 {
                return Err(ConfigError::BadPrefixPool);
            }
            for b in self.prefix_pools.iter().skip(i + 1) {
                if PrefixPool::overlaps(a.prefix, b.prefix) {
                    return Err(ConfigError::Overlap);
                }
            }
            for p in &self.address_pools {
                if a.prefix.contains(p.first) || a.prefix.contains(p.last) {
                    return Err(ConfigError::Overlap);
                }
            }
        }
        for p in &self.address_pools {
            if p.size() == 0 {
                return Err(ConfigError::BadLifetimes);
            }
        }
        for l in [self.address_lifetimes, self.prefix_lifetimes] {
            if l.preferred > l.valid || l.t1() > l.t2() {
                return Err(ConfigError::BadLifetimes);
            }
        }
        Ok(())
    }
}

impl LinkConfig {
    /// The server's view of a link profile (DESIGN.md: a profile is declared once and compiled
    /// into both the RA content and the DHCPv6 server's behaviour).
    ///
    /// - every prefix of the profile (advertised or not) becomes an on-link prefix of the link
    ///   (RFC 9915 §13.1 link selection, §18.3.3 Confirm);
    /// - `dhcpv6.pool` → one address pool, `dhcpv6.pd_pool` → one prefix pool (RFC 9915 §6.2,
    ///   §6.3);
    /// - the lifetimes and T1/T2 apply to both IA_NA and IA_PD (RFC 9915 §21.4, §21.21); a T1
    ///   or T2 of 0 is sent as 0, which lets the client choose (RFC 9915 §21.4);
    /// - DNS servers and the search list (RFC 3646), NTP (RFC 5908) and SNTP (RFC 4075)
    ///   servers, Rapid Commit and the Information Refresh Time are copied.
    ///
    /// `ifindex`, Interface-ID, Preference, SOL_MAX_RT/INF_MAX_RT and reservations are not part
    /// of a profile and are left empty for the caller to fill. Fails with
    /// [`ConfigError::TooMany`] when the profile holds more prefixes than [`MAX_LIST`].
    pub fn from_profile<const P: usize>(
        profile: &crate::profile::Profile<P>,
    ) -> Result<LinkConfig, ConfigError> {
        let mut link = LinkConfig::default();
        for p in &profile.prefixes {
            link.prefixes
                .push(Prefix::new(p.prefix.addr, p.prefix.len))
                .map_err(|_| ConfigError::TooMany("prefixes"))?;
        }
        let d = &profile.dhcpv6;
        if let Some(pool) = d.pool {
            link.address_pools
                .push(AddressPool::new(pool.start, pool.end))
                .map_err(|_| ConfigError::TooMany("address pools"))?;
        }
        if let Some(pd) = d.pd_pool {
            link.prefix_pools
                .push(PrefixPool::new(
                    Prefix::new(pd.prefix.addr, pd.prefix.len),
                    pd.delegated_len,
                ))
                .map_err(|_| ConfigError::TooMany("prefix pools"))?;
        }
        for s in &profile.dns.servers {
            link.dns_servers
                .push(*s)
                .map_err(|_| ConfigError::TooMany("DNS servers"))?;
        }
        link.domain_list
            .extend_from_slice(profile.dns.search_list.as_wire())
            .map_err(|_| ConfigError::TooMany("domain bytes"))?;
        for s in &d.ntp_servers {
            link.ntp_servers
                .push(*s)
                .map_err(|_| ConfigError::TooMany("NTP servers"))?;
        }
        for s in &d.sntp_servers {
            link.sntp_servers
                .push(*s)
                .map_err(|_| ConfigError::TooMany("SNTP servers"))?;
        }
        let lifetimes = Lifetimes {
            preferred: d.preferred_lifetime,
            valid: d.valid_lifetime,
            t1: Some(d.t1),
            t2: Some(d.t2),
        };
        link.address_lifetimes = lifetimes;
        link.prefix_lifetimes = lifetimes;
        link.rapid_commit = d.rapid_commit;
        link.information_refresh_time = d.info_refresh_time;
        Ok(link)
    }
}

/// Server-wide limits (RFC 9915 §23: exhaustion and flooding).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Limits {
    /// Most addresses one client (DUID) may hold, over all its IA_NAs.
    pub max_addresses_per_client: u8,
    /// Most prefixes one client may hold, over all its IA_PDs.
    pub max_prefixes_per_client: u8,
    /// Messages a client may send in a burst before rate limiting starts.
    pub rate_burst: u16,
    /// Messages per second a client is allowed on average (0 disables the limit).
    pub rate_per_second: u16,
    /// How long a declined address stays out of the pool (RFC 9915 §18.3.8).
    pub decline_quarantine: Duration,
    /// Most addresses in quarantine at once; beyond it a declined address goes straight back to
    /// the pool (counted).
    pub max_declined: usize,
    /// Re-create a binding on Renew/Rebind for a free address of our own pool instead of
    /// answering NoBinding (RFC 9915 §18.3.4, §18.3.5; odhcpd #26).
    pub recreate_on_renew: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_addresses_per_client: 4,
            max_prefixes_per_client: 2,
            rate_burst: 20,
            rate_per_second: 2,
            decline_quarantine: Duration::from_secs(3600),
            max_declined: 1024,
            recreate_on_renew: true,
        }
    }
}

#[cfg(test)]
mod arith_tests {
    use super::{mask, urem, urem_serial, Prefix};
    use core::net::Ipv6Addr;
    use proptest::prelude::*;

    #[test]
    fn boundaries() {
        let values = [
            0,
            1,
            2,
            3,
            255,
            256,
            u128::from(u64::MAX),
            1 << 64,
            (1 << 127) - 1,
            1 << 127,
            u128::MAX - 1,
            u128::MAX,
        ];
        for a in values {
            for b in values.into_iter().filter(|&b| b > 0) {
                assert_eq!(urem_serial(a, b), a % b, "{a} % {b}");
                assert_eq!(urem(a, b), a % b, "{a} % {b}");
            }
        }
        assert_eq!(urem_serial(7, 0), 7);
    }

    proptest! {
        #[test]
        fn equals_rem(a in any::<u128>(), b in 1..=u128::MAX) {
            prop_assert_eq!(urem_serial(a, b), a % b);
        }

        #[test]
        fn equals_rem_small_divisor(a in any::<u128>(), b in 1u128..=1 << 20) {
            prop_assert_eq!(urem_serial(a, b), a % b);
        }

        /// The byte-wise `Prefix::contains` agrees with the `u128` mask, for addresses sharing
        /// any number of leading bits with the prefix and lengths past 128.
        #[test]
        fn contains_equals_mask(p in any::<u128>(), a in any::<u128>(), len in 0u8..=140, shared in 0u8..=128) {
            let m = mask(shared);
            let addr = (p & m) | (a & !m);
            let expected = addr & mask(len) == p & mask(len);
            prop_assert_eq!(Prefix::new(Ipv6Addr::from(p), len).contains(Ipv6Addr::from(addr)), expected);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_pool_every_length_no_overflow() {
        let base: Ipv6Addr = "2001:db8::".parse().unwrap();
        for plen in 0..=128u8 {
            for dlen in [plen, plen.saturating_add(1).min(128), 64.max(plen), 128] {
                let pool = PrefixPool::new(Prefix::new(base, plen), dlen);
                let count = pool.count();
                assert!(count >= 1, "plen {plen} dlen {dlen}");
                let first = pool.nth(0).unwrap();
                assert!(pool.holds(first, dlen), "plen {plen} dlen {dlen} {first}");
                let last = pool.nth(count - 1).unwrap();
                assert!(pool.prefix.contains(last), "plen {plen} dlen {dlen} {last}");
                if dlen - plen < 128 {
                    assert_eq!(count, 1u128 << (dlen - plen));
                    assert_eq!(pool.nth(count), None);
                }
                if count >= 2 {
                    let second = pool.nth(1).unwrap();
                    assert_eq!(
                        u128::from(second) - u128::from(first),
                        1u128 << (128 - u32::from(dlen))
                    );
                }
            }
        }
        // plen 0, dlen 128: the whole space; no shift by 128.
        let all = PrefixPool::new(Prefix::new(Ipv6Addr::UNSPECIFIED, 0), 128);
        assert_eq!(all.count(), u128::MAX);
        assert_eq!(all.nth(u128::MAX - 1), Some(Ipv6Addr::from(u128::MAX - 1)));
        // plen 0, dlen 0: one prefix, ::/0.
        let one = PrefixPool::new(Prefix::new(base, 0), 0);
        assert_eq!(one.count(), 1);
        assert_eq!(one.nth(0), Some(Ipv6Addr::UNSPECIFIED));
        // Invalid: delegated shorter than the pool.
        assert_eq!(PrefixPool::new(Prefix::new(base, 48), 40).count(), 0);
    }

    #[test]
    fn address_pool_size_saturates() {
        let all = AddressPool::new(Ipv6Addr::UNSPECIFIED, Ipv6Addr::from(u128::MAX));
        assert_eq!(all.size(), u128::MAX);
        let seed = AddressPool::new(
            "2001:db8:cafe:1::2".parse().unwrap(),
            "2001:db8:cafe:1:ffff:ffff:ffff:fffe".parse().unwrap(),
        );
        assert_eq!(seed.size(), (1u128 << 64) - 3);
        assert_eq!(seed.nth(2), Some("2001:db8:cafe:1::4".parse().unwrap()));
        let backwards = AddressPool::new(Ipv6Addr::from(5u128), Ipv6Addr::from(4u128));
        assert_eq!(backwards.size(), 0);
        assert_eq!(backwards.nth(0), None);
    }

    #[test]
    fn validate_rejects_overlapping_pools_and_bad_lifetimes() {
        let mut l = LinkConfig::default();
        l.prefix_pools
            .push(PrefixPool::new(
                Prefix::new("2001:db8:100::".parse().unwrap(), 40),
                56,
            ))
            .unwrap();
        assert_eq!(l.validate(), Ok(()));
        l.prefix_pools
            .push(PrefixPool::new(
                Prefix::new("2001:db8:100:ff00::".parse().unwrap(), 56),
                60,
            ))
            .unwrap();
        assert_eq!(l.validate(), Err(ConfigError::Overlap));
        l.prefix_pools.pop();
        l.address_lifetimes = Lifetimes::new(100, 50);
        assert_eq!(l.validate(), Err(ConfigError::BadLifetimes));
    }

    #[test]
    fn from_profile_carries_pools_lifetimes_and_options() {
        use crate::profile::{self, Mode, Profile};
        let a = |s: &str| -> Ipv6Addr { s.parse().unwrap() };
        let mut p: Profile<4> = Profile::new(Mode::Dhcpv6Stateful);
        p.add_prefix(profile::Prefix::new(a("2001:db8:cafe:1::"), 64))
            .unwrap();
        p.dhcpv6.pool = Some(profile::AddressPool {
            start: a("2001:db8:cafe:1::1000"),
            end: a("2001:db8:cafe:1::ffff"),
        });
        p.dhcpv6.pd_pool = Some(profile::PdPool {
            prefix: profile::Prefix::new(a("2001:db8:8000::"), 40),
            delegated_len: 56,
        });
        p.dhcpv6.rapid_commit = true;
        p.dhcpv6.preferred_lifetime = 3600;
        p.dhcpv6.valid_lifetime = 7200;
        p.dhcpv6.t1 = 0;
        p.dhcpv6.t2 = 2880;
        p.dhcpv6.info_refresh_time = Some(600);
        p.dhcpv6.ntp_servers.push(a("2001:db8::123")).unwrap();
        p.dns.servers.push(a("2001:db8:cafe:a::e")).unwrap();
        p.dns.search_list.push("openstacklocal").unwrap();
        assert_eq!(p.validate(), Ok(()));

        let l = LinkConfig::from_profile(&p).unwrap();
        assert_eq!(l.validate(), Ok(()));
        assert_eq!(l.ifindex, None);
        assert_eq!(&l.prefixes[..], &[Prefix::new(a("2001:db8:cafe:1::"), 64)]);
        assert_eq!(
            &l.address_pools[..],
            &[AddressPool::new(
                a("2001:db8:cafe:1::1000"),
                a("2001:db8:cafe:1::ffff")
            )]
        );
        assert_eq!(
            &l.prefix_pools[..],
            &[PrefixPool::new(Prefix::new(a("2001:db8:8000::"), 40), 56)]
        );
        for lt in [l.address_lifetimes, l.prefix_lifetimes] {
            assert_eq!((lt.preferred, lt.valid), (3600, 7200));
            // T1 0 is sent as 0 (the client chooses), not replaced by 0.5 × preferred.
            assert_eq!((lt.t1(), lt.t2()), (0, 2880));
        }
        assert!(l.rapid_commit);
        assert_eq!(l.information_refresh_time, Some(600));
        assert_eq!(&l.dns_servers[..], &[a("2001:db8:cafe:a::e")]);
        assert_eq!(&l.domain_list[..], b"\x0eopenstacklocal\x00");
        assert_eq!(&l.ntp_servers[..], &[a("2001:db8::123")]);
        assert!(l.sntp_servers.is_empty() && l.reservations.is_empty());

        // More prefixes than a LinkConfig holds.
        let mut big: Profile<8> = Profile::new(Mode::Slaac);
        for i in 0..5u16 {
            big.add_prefix(profile::Prefix::new(
                Ipv6Addr::new(0x2001, 0xdb8, i, 0, 0, 0, 0, 0),
                64,
            ))
            .unwrap();
        }
        assert_eq!(
            LinkConfig::from_profile(&big),
            Err(ConfigError::TooMany("prefixes"))
        );
    }

    #[test]
    fn domains_encode_to_wire() {
        let mut l = LinkConfig::default();
        l.add_domain("openstacklocal").unwrap();
        assert_eq!(&l.domain_list[..], b"\x0eopenstacklocal\x00");
        assert!(matches!(
            l.add_domain(&"a".repeat(64)),
            Err(ConfigError::BadDomain(_))
        ));
    }
}
