//! DNS configuration from Router Advertisements: Recursive DNS Servers and the DNS Search List,
//! each entry with its own lifetime (RFC 8106 §5.3).

use core::net::Ipv6Addr;

use heapless::Vec;

use super::NEVER;
use crate::time::{Duration, Instant};
use crate::wire::dns::{Name, MAX_NAME_LEN};

/// How many DNS servers the host keeps (RFC 8106 §5.3.1 `MaxRDNSS`, 3 by default, the number
/// resolv.conf uses too).
pub const MAX_DNS_SERVERS: usize = 3;
/// How many search domains the host keeps (RFC 8106 §5.3.1 `MaxDNSSL`).
pub const MAX_SEARCH_DOMAINS: usize = 3;

/// A search domain in wire format (RFC 1035 §3.1), stored by value.
pub type StoredName = Vec<u8, MAX_NAME_LEN>;

#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry<T> {
    value: T,
    expires: Instant,
}

/// A set of values with lifetimes, at most `N`: the update rule of RFC 8106 §5.3.1, shared by
/// RDNSS and DNSSL. A new value arriving at a full set replaces the one that expires first ("the
/// entry with the least expiration time"), as that section says.
#[derive(Debug, Clone)]
struct LifetimeSet<T, const N: usize> {
    entries: Vec<Entry<T>, N>,
}

impl<T: PartialEq, const N: usize> LifetimeSet<T, N> {
    const fn new() -> Self {
        LifetimeSet {
            entries: Vec::new(),
        }
    }

    /// Applies one value with the option's lifetime. Returns whether the set of values changed.
    fn update(&mut self, now: Instant, value: T, lifetime: Duration) -> bool
    where
        T: Copy,
    {
        self.update_matching(now, |v| *v == value, || Some(value), lifetime)
    }

    /// [`LifetimeSet::update`] for the entry `is_it` picks; `make` builds a new entry only when
    /// one is needed (a refresh copies nothing).
    fn update_matching(
        &mut self,
        now: Instant,
        is_it: impl Fn(&T) -> bool,
        make: impl FnOnce() -> Option<T>,
        lifetime: Duration,
    ) -> bool {
        if let Some(i) = self.entries.iter().position(|e| is_it(&e.value)) {
            if lifetime == Duration::ZERO {
                self.entries.remove(i);
                return true;
            }
            if let Some(e) = self.entries.get_mut(i) {
                e.expires = now + lifetime;
            }
            return false;
        }
        if lifetime == Duration::ZERO {
            return false;
        }
        let expires = now + lifetime;
        if self.entries.is_full() {
            let Some((i, oldest)) = self
                .entries
                .iter()
                .enumerate()
                .min_by_key(|(_, e)| e.expires)
                .map(|(i, e)| (i, e.expires))
            else {
                return false;
            };
            // Never trade a longer-lived entry for one that expires sooner.
            if oldest > expires {
                return false;
            }
            self.entries.remove(i);
        }
        let Some(value) = make() else {
            return false;
        };
        self.entries.push(Entry { value, expires }).is_ok()
    }

    fn expire(&mut self, now: Instant) -> bool {
        let before = self.entries.len();
        self.entries.retain(|e| e.expires > now);
        self.entries.len() != before
    }

    fn next_deadline(&self) -> Option<Instant> {
        self.entries
            .iter()
            .map(|e| e.expires)
            .filter(|t| *t != NEVER)
            .min()
    }
}

/// The host's DNS configuration learned from RAs.
#[derive(Debug, Clone)]
pub struct DnsConfig {
    servers: LifetimeSet<Ipv6Addr, MAX_DNS_SERVERS>,
    domains: LifetimeSet<StoredName, MAX_SEARCH_DOMAINS>,
}

#[cfg(feature = "defmt")]
impl defmt::Format for DnsConfig {
    fn format(&self, f: defmt::Formatter) {
        defmt::write!(f, "DnsConfig {{ servers: [");
        for e in self.servers.entries.iter() {
            defmt::write!(f, " {=[u8]:02x}", e.value.octets());
        }
        defmt::write!(f, " ], domains: {} }}", self.domains.entries.len());
    }
}

impl Default for DnsConfig {
    fn default() -> Self {
        Self::new()
    }
}

impl DnsConfig {
    /// No servers, no search list.
    pub const fn new() -> Self {
        DnsConfig {
            servers: LifetimeSet::new(),
            domains: LifetimeSet::new(),
        }
    }

    /// Applies one RDNSS option (RFC 8106 §5.1, §5.3.1). Returns whether the server list
    /// changed. Multicast, unspecified and loopback addresses are skipped.
    pub(crate) fn update_servers(
        &mut self,
        now: Instant,
        lifetime: Duration,
        servers: impl Iterator<Item = Ipv6Addr>,
    ) -> bool {
        let mut changed = false;
        for server in servers {
            if server.is_multicast() || server.is_unspecified() || server.is_loopback() {
                continue;
            }
            changed |= self.servers.update(now, server, lifetime);
        }
        changed
    }

    /// Applies one DNSSL option (RFC 8106 §5.2, §5.3.1). Returns whether the search list
    /// changed. The root name is skipped (it searches nothing).
    pub(crate) fn update_domains<'a>(
        &mut self,
        now: Instant,
        lifetime: Duration,
        names: impl Iterator<Item = Name<'a>>,
    ) -> bool {
        let mut changed = false;
        for name in names {
            if name.is_root() {
                continue;
            }
            let bytes = name.as_bytes();
            changed |= self.domains.update_matching(
                now,
                |stored| stored.as_slice() == bytes,
                || StoredName::from_slice(bytes).ok(),
                lifetime,
            );
        }
        changed
    }

    /// Drops expired entries; returns (servers changed, search list changed).
    pub(crate) fn handle_timeout(&mut self, now: Instant) -> (bool, bool) {
        (self.servers.expire(now), self.domains.expire(now))
    }

    /// The earliest expiry.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        match (self.servers.next_deadline(), self.domains.next_deadline()) {
            (Some(a), Some(b)) => Some(core::cmp::min(a, b)),
            (a, b) => a.or(b),
        }
    }

    /// The recursive DNS servers, in the order learned.
    pub fn servers(&self) -> impl Iterator<Item = Ipv6Addr> + '_ {
        self.servers.entries.iter().map(|e| e.value)
    }

    /// The search domains in wire format, in the order learned.
    pub fn search_list(&self) -> impl Iterator<Item = Name<'_>> + '_ {
        self.domains
            .entries
            .iter()
            .filter_map(|e| Name::parse(&e.value).ok().map(|(n, _)| n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::dns::NameList;
    use std::vec::Vec as StdVec;

    const S1: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0xcafe, 0xa, 0, 0, 0, 0xe);
    const S2: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x53);

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn servers_add_refresh_remove_expire() {
        let mut d = DnsConfig::new();
        let t = Instant::ZERO;
        assert!(d.update_servers(t, secs(600), [S1, S2].into_iter()));
        assert!(!d.update_servers(t, secs(900), [S1].into_iter()));
        assert_eq!(d.next_deadline(), Some(Instant::from_secs(600)));
        assert!(d.update_servers(t, secs(0), [S2].into_iter()));
        assert_eq!(d.servers().collect::<StdVec<_>>(), [S1]);
        assert_eq!(d.handle_timeout(Instant::from_secs(899)), (false, false));
        assert_eq!(d.handle_timeout(Instant::from_secs(900)), (true, false));
        assert_eq!(d.servers().count(), 0);
        // Junk addresses are skipped.
        assert!(!d.update_servers(
            t,
            secs(600),
            [Ipv6Addr::UNSPECIFIED, Ipv6Addr::LOCALHOST].into_iter()
        ));
    }

    #[test]
    fn a_full_server_list_replaces_the_entry_expiring_first() {
        let mut d = DnsConfig::new();
        let t = Instant::ZERO;
        for (i, life) in [(1u16, 300u64), (2, 100), (3, 200)] {
            d.update_servers(
                t,
                secs(life),
                [Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, i)].into_iter(),
            );
        }
        let new = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 4);
        assert!(d.update_servers(t, secs(400), [new].into_iter()));
        let now: StdVec<_> = d.servers().map(|a| a.segments()[7]).collect();
        assert_eq!(now.len(), MAX_DNS_SERVERS);
        assert!(!now.contains(&2) && now.contains(&4));
        // A newcomer expiring sooner than everything kept is not taken.
        let short = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 5);
        assert!(!d.update_servers(t, secs(10), [short].into_iter()));
    }

    #[test]
    fn search_list_from_wire_names() {
        let wire = b"\x0eopenstacklocal\x00\x07example\x03com\x00\x00\x00";
        let mut d = DnsConfig::new();
        let names = NameList::new(wire).filter_map(|n| n.ok());
        assert!(d.update_domains(Instant::ZERO, secs(600), names));
        let got: StdVec<StdVec<u8>> = d.search_list().map(|n| n.as_bytes().to_vec()).collect();
        assert_eq!(got[0], b"\x0eopenstacklocal\x00");
        assert_eq!(got[1], b"\x07example\x03com\x00");
        let names = NameList::new(b"\x0eopenstacklocal\x00").filter_map(|n| n.ok());
        assert!(d.update_domains(Instant::ZERO, secs(0), names));
        assert_eq!(d.search_list().count(), 1);
    }
}
