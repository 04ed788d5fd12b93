//! More-specific routes from Route Information options (RFC 4191 §2.3, §3.1: a "Type C" host
//! keeps a Routing Table of (prefix, router) entries with preference and lifetime).

use core::net::Ipv6Addr;

use heapless::Vec;

use super::{mask, Preference, NEVER};
use crate::time::{Duration, Instant};

/// One route learned from a Route Information option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    /// The destination prefix, bits past `len` cleared.
    pub prefix: Ipv6Addr,
    /// Its length in bits (0..=128).
    pub len: u8,
    /// The router that advertised it (next hop).
    pub router: Ipv6Addr,
    /// Its Route Preference (RFC 4191 §2.1).
    pub preference: Preference,
    /// When its Route Lifetime runs out.
    pub expires: Instant,
}

#[cfg(feature = "defmt")]
impl defmt::Format for Route {
    fn format(&self, f: defmt::Formatter) {
        defmt::write!(
            f,
            "Route {{ prefix: {=[u8]:02x}/{}, router: {=[u8]:02x}, preference: {}, expires: {} }}",
            self.prefix.octets(),
            self.len,
            self.router.octets(),
            self.preference,
            self.expires
        )
    }
}

/// What a Route Information option did to the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RouteChange {
    /// Nothing to tell (a refresh; lifetime 0 for an unknown route).
    None,
    /// New (`new`), or its preference changed: install or replace.
    Installed {
        /// The route was not in the table before.
        new: bool,
    },
    /// Route Lifetime 0: remove.
    Removed,
    /// The table is full; the newcomer was dropped.
    Dropped,
}

/// The routes learned from RAs: at most `N`; a full table drops newcomers.
#[derive(Debug, Clone)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RouteTable<const N: usize> {
    routes: Vec<Route, N>,
}

impl<const N: usize> Default for RouteTable<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> RouteTable<N> {
    /// An empty table.
    pub const fn new() -> Self {
        RouteTable { routes: Vec::new() }
    }

    /// Applies one Route Information option from `router` (RFC 4191 §3.1). The caller has
    /// dropped options with the reserved preference (§2.3: "the Route Information Option MUST
    /// be ignored") and prefix lengths over 128.
    pub(crate) fn update(
        &mut self,
        now: Instant,
        router: Ipv6Addr,
        prefix: Ipv6Addr,
        len: u8,
        preference: Preference,
        lifetime: Duration,
    ) -> RouteChange {
        let prefix = mask(prefix, len);
        let found = self
            .routes
            .iter()
            .position(|r| r.prefix == prefix && r.len == len && r.router == router);
        match (found, lifetime == Duration::ZERO) {
            (Some(i), true) => {
                self.routes.swap_remove(i);
                RouteChange::Removed
            }
            (None, true) => RouteChange::None,
            (Some(i), false) => match self.routes.get_mut(i) {
                Some(r) => {
                    r.expires = now + lifetime;
                    if r.preference == preference {
                        RouteChange::None
                    } else {
                        r.preference = preference;
                        RouteChange::Installed { new: false }
                    }
                }
                None => RouteChange::None,
            },
            (None, false) => match self.routes.push(Route {
                prefix,
                len,
                router,
                preference,
                expires: now + lifetime,
            }) {
                Ok(()) => RouteChange::Installed { new: true },
                Err(_) => RouteChange::Dropped,
            },
        }
    }

    /// Removes the first route whose lifetime ended at `now`.
    pub(crate) fn expire_one(&mut self, now: Instant) -> Option<Route> {
        let i = self.routes.iter().position(|r| r.expires <= now)?;
        Some(self.routes.swap_remove(i))
    }

    /// The earliest finite expiry.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.routes
            .iter()
            .map(|r| r.expires)
            .filter(|t| *t != NEVER)
            .min()
    }

    /// The routes, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = &Route> {
        self.routes.iter()
    }

    /// How many routes are known.
    pub fn len(&self) -> usize {
        self.routes.len()
    }

    /// Whether no route is known.
    pub fn is_empty(&self) -> bool {
        self.routes.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const R: Ipv6Addr = Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 1);
    const R2: Ipv6Addr = Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 2);
    const P: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0x100, 0, 0, 0, 0, 0);

    #[test]
    fn route_lifecycle_per_router() {
        let mut t = RouteTable::<2>::new();
        let now = Instant::ZERO;
        let d = Duration::from_secs(1800);
        assert_eq!(
            t.update(now, R, P, 48, Preference::High, d),
            RouteChange::Installed { new: true }
        );
        assert_eq!(
            t.update(now, R, P, 48, Preference::High, d),
            RouteChange::None
        );
        assert_eq!(
            t.update(now, R, P, 48, Preference::Low, d),
            RouteChange::Installed { new: false }
        );
        // Same prefix through another router is another route.
        assert_eq!(
            t.update(now, R2, P, 48, Preference::Low, d),
            RouteChange::Installed { new: true }
        );
        let p3 = Ipv6Addr::new(0x2001, 0xdb8, 0x200, 0, 0, 0, 0, 0);
        assert_eq!(
            t.update(now, R, p3, 48, Preference::Low, d),
            RouteChange::Dropped
        );
        assert_eq!(
            t.update(now, R, P, 48, Preference::Low, Duration::ZERO),
            RouteChange::Removed
        );
        assert_eq!(t.len(), 1);
        assert_eq!(
            t.expire_one(Instant::from_secs(1800)).map(|r| r.router),
            Some(R2)
        );
        assert!(t.is_empty());
    }

    #[test]
    fn prefix_bits_past_the_length_are_cleared() {
        let mut t = RouteTable::<2>::new();
        let dirty = Ipv6Addr::new(0x2001, 0xdb8, 0x1ff, 0xffff, 0, 0, 0, 1);
        t.update(
            Instant::ZERO,
            R,
            dirty,
            40,
            Preference::Medium,
            Duration::from_secs(1),
        );
        assert_eq!(
            t.iter().next().map(|r| r.prefix),
            Some(Ipv6Addr::new(0x2001, 0xdb8, 0x100, 0, 0, 0, 0, 0))
        );
    }
}
