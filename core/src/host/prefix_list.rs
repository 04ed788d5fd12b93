//! The Prefix List: prefixes the host treats as on-link (RFC 4861 §5.1, §6.3.4 "on-link
//! determination").

use core::net::Ipv6Addr;

use heapless::Vec;

use super::{mask, NEVER};
use crate::time::{Duration, Instant};

/// One on-link prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OnLinkPrefix {
    /// The prefix, bits past `len` cleared.
    pub prefix: Ipv6Addr,
    /// Its length in bits.
    pub len: u8,
    /// When its invalidation timer fires.
    pub expires: Instant,
    /// When an RA last announced it (the least recently announced entry is the one a full list
    /// gives up, if it holds no address).
    pub refreshed: Instant,
}

#[cfg(feature = "defmt")]
impl defmt::Format for OnLinkPrefix {
    fn format(&self, f: defmt::Formatter) {
        defmt::write!(
            f,
            "OnLinkPrefix {{ prefix: {=[u8]:02x}/{}, expires: {}, refreshed: {} }}",
            self.prefix.octets(),
            self.len,
            self.expires,
            self.refreshed
        )
    }
}

/// What a Prefix Information option with L=1 did to the Prefix List.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PrefixChange {
    /// Nothing to tell (a refresh, or valid lifetime 0 for an unknown prefix).
    None,
    /// A new on-link prefix.
    Added,
    /// Valid lifetime 0: the prefix is no longer on-link.
    Removed,
    /// The list was full: the newcomer took the place of this prefix, which held no address.
    Replaced {
        /// The prefix given up.
        prefix: Ipv6Addr,
        /// Its length.
        len: u8,
    },
    /// The list is full of prefixes holding addresses; the newcomer was dropped.
    Dropped,
}

/// The Prefix List: at most `N` on-link prefixes (CVE-2010-4669: a flood of RAs with random
/// prefixes keeps memory constant). When the list is full, a newcomer takes the place of the
/// least recently announced prefix that holds no address; if every prefix holds one, the newcomer
/// is dropped. A prefix holding an address in use is never given up for a newcomer.
#[derive(Debug, Clone)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PrefixList<const N: usize> {
    prefixes: Vec<OnLinkPrefix, N>,
}

impl<const N: usize> Default for PrefixList<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> PrefixList<N> {
    /// An empty list.
    pub const fn new() -> Self {
        PrefixList {
            prefixes: Vec::new(),
        }
    }

    /// Applies a Prefix Information option with the L flag (RFC 4861 §6.3.4): a new prefix with a
    /// non-zero valid lifetime is added; a known one has its invalidation timer reset to the valid
    /// lifetime, and times out at once on 0. (The two-hour rule of RFC 4862 applies to addresses,
    /// not to on-link prefixes.) `holds_address` tells which prefixes may not be given up.
    pub(crate) fn update(
        &mut self,
        now: Instant,
        prefix: Ipv6Addr,
        len: u8,
        valid: Duration,
        holds_address: impl Fn(Ipv6Addr, u8) -> bool,
    ) -> PrefixChange {
        let prefix = mask(prefix, len);
        let found = self
            .prefixes
            .iter()
            .position(|p| p.prefix == prefix && p.len == len);
        match (found, valid == Duration::ZERO) {
            (Some(i), true) => {
                self.prefixes.swap_remove(i);
                PrefixChange::Removed
            }
            (None, true) => PrefixChange::None,
            (Some(i), false) => {
                if let Some(p) = self.prefixes.get_mut(i) {
                    p.expires = now + valid;
                    p.refreshed = now;
                }
                PrefixChange::None
            }
            (None, false) => {
                let entry = OnLinkPrefix {
                    prefix,
                    len,
                    expires: now + valid,
                    refreshed: now,
                };
                let Err(entry) = self.prefixes.push(entry) else {
                    return PrefixChange::Added;
                };
                let victim = self
                    .prefixes
                    .iter_mut()
                    // Not one announced at this very instant (by the same RA): an RA's own
                    // prefixes do not push each other out.
                    .filter(|p| p.refreshed < now && !holds_address(p.prefix, p.len))
                    .min_by_key(|p| p.refreshed);
                match victim {
                    Some(slot) => {
                        let gone = core::mem::replace(slot, entry);
                        PrefixChange::Replaced {
                            prefix: gone.prefix,
                            len: gone.len,
                        }
                    }
                    None => PrefixChange::Dropped,
                }
            }
        }
    }

    /// Removes the first prefix whose invalidation timer has fired at `now`.
    pub(crate) fn expire_one(&mut self, now: Instant) -> Option<(Ipv6Addr, u8)> {
        let i = self.prefixes.iter().position(|p| p.expires <= now)?;
        let p = self.prefixes.swap_remove(i);
        Some((p.prefix, p.len))
    }

    /// The earliest finite invalidation time.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.prefixes
            .iter()
            .map(|p| p.expires)
            .filter(|t| *t != NEVER)
            .min()
    }

    /// Whether `addr` is covered by an on-link prefix.
    pub fn is_on_link(&self, addr: Ipv6Addr) -> bool {
        self.prefixes.iter().any(|p| mask(addr, p.len) == p.prefix)
    }

    /// The on-link prefixes, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = &OnLinkPrefix> {
        self.prefixes.iter()
    }

    /// How many prefixes are on-link.
    pub fn len(&self) -> usize {
        self.prefixes.len()
    }

    /// Whether no prefix is on-link.
    pub fn is_empty(&self) -> bool {
        self.prefixes.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0xcafe, 0, 0, 0, 0, 0);

    fn none(_: Ipv6Addr, _: u8) -> bool {
        false
    }

    #[test]
    fn on_link_lifecycle() {
        let mut l = PrefixList::<2>::new();
        let t0 = Instant::ZERO;
        assert_eq!(
            l.update(t0, P, 64, Duration::from_secs(86400), none),
            PrefixChange::Added
        );
        assert!(l.is_on_link(Ipv6Addr::new(0x2001, 0xdb8, 0xcafe, 0, 1, 2, 3, 4)));
        assert!(!l.is_on_link(Ipv6Addr::new(0x2001, 0xdb8, 0xcafe, 1, 0, 0, 0, 1)));
        // Unlike addresses, on-link prefixes follow the RA at once: a short lifetime is honoured.
        assert_eq!(
            l.update(t0, P, 64, Duration::from_secs(10), none),
            PrefixChange::None
        );
        assert_eq!(l.next_deadline(), Some(Instant::from_secs(10)));
        assert_eq!(
            l.update(t0, P, 64, Duration::ZERO, none),
            PrefixChange::Removed
        );
        assert!(l.is_empty());
    }

    #[test]
    fn bits_past_the_length_are_ignored() {
        let mut l = PrefixList::<2>::new();
        let dirty = Ipv6Addr::new(0x2001, 0xdb8, 0xcafe, 0, 0xdead, 0, 0, 1);
        l.update(Instant::ZERO, dirty, 64, Duration::from_secs(60), none);
        assert_eq!(l.iter().next().map(|p| p.prefix), Some(P));
        assert_eq!(
            l.update(Instant::ZERO, P, 64, Duration::from_secs(60), none),
            PrefixChange::None
        );
        assert_eq!(l.len(), 1);
    }

    #[test]
    fn full_list_gives_up_the_stalest_prefix_without_an_address() {
        let mut l = PrefixList::<2>::new();
        let q = Ipv6Addr::new(0x2001, 0xdb8, 1, 0, 0, 0, 0, 0);
        let r = Ipv6Addr::new(0x2001, 0xdb8, 2, 0, 0, 0, 0, 0);
        let d = Duration::from_secs(600);
        l.update(Instant::ZERO, P, 64, d, none);
        l.update(Instant::from_secs(1), q, 64, d, none);
        // P is the stalest, but it holds an address: Q goes.
        let p_holds = |p: Ipv6Addr, _| p == P;
        assert_eq!(
            l.update(Instant::from_secs(2), r, 64, d, p_holds),
            PrefixChange::Replaced { prefix: q, len: 64 }
        );
        assert!(l.is_on_link(Ipv6Addr::new(0x2001, 0xdb8, 0xcafe, 0, 0, 0, 0, 1)));
        assert!(l.is_on_link(Ipv6Addr::new(0x2001, 0xdb8, 2, 0, 0, 0, 0, 1)));
        // Everything holds an address: the newcomer is dropped.
        assert_eq!(
            l.update(Instant::from_secs(3), q, 64, d, |_, _| true),
            PrefixChange::Dropped
        );
        // Without addresses, the least recently announced goes (P was refreshed last).
        l.update(Instant::from_secs(4), P, 64, d, none);
        assert_eq!(
            l.update(Instant::from_secs(5), q, 64, d, none),
            PrefixChange::Replaced { prefix: r, len: 64 }
        );
        assert_eq!(l.len(), 2);
        assert_eq!(l.expire_one(Instant::from_secs(604)), Some((P, 64)));
    }
}
