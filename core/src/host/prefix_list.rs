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
}

#[cfg(feature = "defmt")]
impl defmt::Format for OnLinkPrefix {
    fn format(&self, f: defmt::Formatter) {
        defmt::write!(
            f,
            "OnLinkPrefix {{ prefix: {=[u8]:02x}/{}, expires: {} }}",
            self.prefix.octets(),
            self.len,
            self.expires
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
    /// The list is full; the newcomer was dropped.
    Dropped,
}

/// The Prefix List: at most `N` on-link prefixes. A full list drops newcomers and never evicts a
/// known prefix (CVE-2010-4669: a flood of RAs with random prefixes keeps memory constant).
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
    /// not to on-link prefixes.)
    pub(crate) fn update(
        &mut self,
        now: Instant,
        prefix: Ipv6Addr,
        len: u8,
        valid: Duration,
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
                }
                PrefixChange::None
            }
            (None, false) => match self.prefixes.push(OnLinkPrefix {
                prefix,
                len,
                expires: now + valid,
            }) {
                Ok(()) => PrefixChange::Added,
                Err(_) => PrefixChange::Dropped,
            },
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

    #[test]
    fn on_link_lifecycle() {
        let mut l = PrefixList::<2>::new();
        let t0 = Instant::ZERO;
        assert_eq!(
            l.update(t0, P, 64, Duration::from_secs(86400)),
            PrefixChange::Added
        );
        assert!(l.is_on_link(Ipv6Addr::new(0x2001, 0xdb8, 0xcafe, 0, 1, 2, 3, 4)));
        assert!(!l.is_on_link(Ipv6Addr::new(0x2001, 0xdb8, 0xcafe, 1, 0, 0, 0, 1)));
        // Unlike addresses, on-link prefixes follow the RA at once: a short lifetime is honoured.
        assert_eq!(
            l.update(t0, P, 64, Duration::from_secs(10)),
            PrefixChange::None
        );
        assert_eq!(l.next_deadline(), Some(Instant::from_secs(10)));
        assert_eq!(l.update(t0, P, 64, Duration::ZERO), PrefixChange::Removed);
        assert!(l.is_empty());
    }

    #[test]
    fn bits_past_the_length_are_ignored() {
        let mut l = PrefixList::<2>::new();
        let dirty = Ipv6Addr::new(0x2001, 0xdb8, 0xcafe, 0, 0xdead, 0, 0, 1);
        l.update(Instant::ZERO, dirty, 64, Duration::from_secs(60));
        assert_eq!(l.iter().next().map(|p| p.prefix), Some(P));
        assert_eq!(
            l.update(Instant::ZERO, P, 64, Duration::from_secs(60)),
            PrefixChange::None
        );
        assert_eq!(l.len(), 1);
    }

    #[test]
    fn full_list_drops_newcomers() {
        let mut l = PrefixList::<1>::new();
        l.update(Instant::ZERO, P, 64, Duration::from_secs(60));
        let other = Ipv6Addr::new(0x2001, 0xdb8, 1, 0, 0, 0, 0, 0);
        assert_eq!(
            l.update(Instant::ZERO, other, 64, Duration::from_secs(60)),
            PrefixChange::Dropped
        );
        assert_eq!(l.expire_one(Instant::from_secs(60)), Some((P, 64)));
    }
}
