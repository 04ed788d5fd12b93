//! The Default Router List (RFC 4861 §5.1, §6.3.4) with router preferences (RFC 4191 §2.2,
//! §3.2).

use core::net::Ipv6Addr;

use heapless::Vec;

use super::{Preference, NEVER};
use crate::time::{Duration, Instant};

/// One default router, as the host knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DefaultRouter {
    /// The router's link-local address (the RA's IP source).
    pub address: Ipv6Addr,
    /// Its Default Router Preference (RFC 4191 §2.2).
    pub preference: Preference,
    /// When its router lifetime runs out.
    pub expires: Instant,
}

#[cfg(feature = "defmt")]
impl defmt::Format for DefaultRouter {
    fn format(&self, f: defmt::Formatter) {
        defmt::write!(
            f,
            "DefaultRouter {{ address: {=[u8]:02x}, preference: {}, expires: {} }}",
            self.address.octets(),
            self.preference,
            self.expires
        )
    }
}

/// What an RA did to the Default Router List.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RouterChange {
    /// Nothing the adapter needs to hear about (a lifetime refresh, or lifetime 0 for an unknown
    /// router).
    None,
    /// A new router (`new`), or a known one whose preference changed: install or replace the
    /// route.
    Installed {
        /// The router was not in the list before.
        new: bool,
    },
    /// The router announced lifetime 0: remove it.
    Removed,
    /// The list is full; the newcomer was dropped.
    Dropped,
}

/// The Default Router List: at most `N` routers; a full list drops newcomers (never evicts a
/// router in use), which bounds memory under an RA flood (CVE-2010-4669).
#[derive(Debug, Clone)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RouterList<const N: usize> {
    routers: Vec<DefaultRouter, N>,
}

impl<const N: usize> Default for RouterList<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> RouterList<N> {
    /// An empty list.
    pub const fn new() -> Self {
        RouterList {
            routers: Vec::new(),
        }
    }

    /// Applies an RA's Router Lifetime and preference (RFC 4861 §6.3.4; RFC 4191 §3.2: a router
    /// lifetime of 0 removes the router whatever its preference).
    pub(crate) fn update(
        &mut self,
        now: Instant,
        address: Ipv6Addr,
        lifetime: Duration,
        preference: Preference,
    ) -> RouterChange {
        let found = self.routers.iter().position(|r| r.address == address);
        match (found, lifetime == Duration::ZERO) {
            (Some(i), true) => {
                self.routers.swap_remove(i);
                RouterChange::Removed
            }
            (None, true) => RouterChange::None,
            (Some(i), false) => match self.routers.get_mut(i) {
                Some(r) => {
                    r.expires = now + lifetime;
                    if r.preference != preference {
                        r.preference = preference;
                        RouterChange::Installed { new: false }
                    } else {
                        RouterChange::None
                    }
                }
                None => RouterChange::None,
            },
            (None, false) => {
                let entry = DefaultRouter {
                    address,
                    preference,
                    expires: now + lifetime,
                };
                match self.routers.push(entry) {
                    Ok(()) => RouterChange::Installed { new: true },
                    Err(_) => RouterChange::Dropped,
                }
            }
        }
    }

    /// Removes the first router whose lifetime has run out at `now`, returning its address.
    pub(crate) fn expire_one(&mut self, now: Instant) -> Option<Ipv6Addr> {
        let i = self.routers.iter().position(|r| r.expires <= now)?;
        Some(self.routers.swap_remove(i).address)
    }

    /// The earliest expiry, if any router has a finite lifetime.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.routers
            .iter()
            .map(|r| r.expires)
            .filter(|t| *t != NEVER)
            .min()
    }

    /// The routers, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = &DefaultRouter> {
        self.routers.iter()
    }

    /// The router to use first: the highest preference, ties broken by the order learned
    /// (RFC 4191 §3.2, RFC 4861 §6.3.6).
    pub fn best(&self) -> Option<&DefaultRouter> {
        let mut best: Option<&DefaultRouter> = None;
        for r in &self.routers {
            if best.is_none_or(|b| r.preference > b.preference) {
                best = Some(r);
            }
        }
        best
    }

    /// How many routers are known.
    pub fn len(&self) -> usize {
        self.routers.len()
    }

    /// Whether no router is known.
    pub fn is_empty(&self) -> bool {
        self.routers.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const R1: Ipv6Addr = Ipv6Addr::new(0xfe80, 0, 0, 0, 0xf816, 0x3eff, 0xfec3, 0x17b4);
    const R2: Ipv6Addr = Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 2);
    const R3: Ipv6Addr = Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 3);

    #[test]
    fn add_refresh_change_preference_remove() {
        let mut l = RouterList::<2>::new();
        let t0 = Instant::ZERO;
        let d = Duration::from_secs(30);
        assert_eq!(
            l.update(t0, R1, d, Preference::Medium),
            RouterChange::Installed { new: true }
        );
        assert_eq!(l.update(t0, R1, d, Preference::Medium), RouterChange::None);
        assert_eq!(
            l.update(t0, R1, d, Preference::High),
            RouterChange::Installed { new: false }
        );
        assert_eq!(l.best().map(|r| r.preference), Some(Preference::High));
        assert_eq!(
            l.update(t0, R1, Duration::ZERO, Preference::Medium),
            RouterChange::Removed
        );
        assert!(l.is_empty());
        assert_eq!(
            l.update(t0, R2, Duration::ZERO, Preference::Medium),
            RouterChange::None
        );
    }

    #[test]
    fn full_list_drops_newcomers_and_keeps_existing_routers() {
        let mut l = RouterList::<2>::new();
        let d = Duration::from_secs(30);
        l.update(Instant::ZERO, R1, d, Preference::Low);
        l.update(Instant::ZERO, R2, d, Preference::Low);
        assert_eq!(
            l.update(Instant::ZERO, R3, d, Preference::High),
            RouterChange::Dropped
        );
        assert_eq!(l.len(), 2);
        assert!(l.iter().all(|r| r.address != R3));
    }

    #[test]
    fn best_prefers_higher_preference_and_expiry_removes() {
        let mut l = RouterList::<4>::new();
        l.update(Instant::ZERO, R1, Duration::from_secs(10), Preference::Low);
        l.update(
            Instant::ZERO,
            R2,
            Duration::from_secs(20),
            Preference::Medium,
        );
        assert_eq!(l.best().map(|r| r.address), Some(R2));
        assert_eq!(l.next_deadline(), Some(Instant::from_secs(10)));
        assert_eq!(l.expire_one(Instant::from_millis(9_999)), None);
        assert_eq!(l.expire_one(Instant::from_secs(10)), Some(R1));
        assert_eq!(l.expire_one(Instant::from_secs(10)), None);
        assert_eq!(l.len(), 1);
    }
}
