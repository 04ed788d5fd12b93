//! SLAAC addresses (RFC 4862 §5.5.3): formation from a /64 prefix and an interface identifier,
//! lifetimes with the two-hour rule (§5.5.3 e), deprecation, and Duplicate Address Detection as a
//! decision the adapter acknowledges (§5.4; RFC 7217 §6 for retries).

use core::net::Ipv6Addr;

use heapless::Vec;

use super::{remaining, EventQueue, NEVER};
use crate::host::Event;
use crate::time::{Duration, Instant};

/// Two hours: the floor an unauthenticated RA cannot push a valid lifetime under (RFC 4862
/// §5.5.3 e).
pub const TWO_HOURS: Duration = Duration::from_secs(2 * 60 * 60);

/// Where an address stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum AddressState {
    /// Formed and handed to the adapter for DAD (RFC 4862 §5.4); not yet usable.
    Tentative,
    /// DAD passed and the preferred lifetime runs (RFC 4862 §5.5.4).
    Preferred,
    /// DAD passed, preferred lifetime over, valid lifetime not (RFC 4862 §5.5.4).
    Deprecated,
    /// Every identifier tried collided (RFC 7217 §6, RFC 4862 §5.4.5). The entry holds the
    /// prefix, without an address, until its valid lifetime ends, so the next RA does not start
    /// the same failing probes again.
    Failed,
}

/// One SLAAC address and its lifetimes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlaacAddress {
    /// The address (meaningless while [`AddressState::Failed`]).
    pub address: Ipv6Addr,
    /// The /64 prefix it was formed from.
    pub prefix: Ipv6Addr,
    /// Where it stands.
    pub state: AddressState,
    /// End of its valid lifetime.
    pub valid_until: Instant,
    /// End of its preferred lifetime (never after `valid_until`).
    pub preferred_until: Instant,
    /// The RFC 7217 `DAD_Counter` that produced the current identifier.
    pub dad_counter: u8,
    /// DAD conflicts seen for this prefix so far.
    pub conflicts: u8,
}

#[cfg(feature = "defmt")]
impl defmt::Format for SlaacAddress {
    fn format(&self, f: defmt::Formatter) {
        defmt::write!(
            f,
            "SlaacAddress {{ address: {=[u8]:02x}, state: {}, valid_until: {}, preferred_until: {} }}",
            self.address.octets(),
            self.state,
            self.valid_until,
            self.preferred_until
        )
    }
}

/// The new end of an address's valid lifetime after a Prefix Information option with
/// `received` valid lifetime (RFC 4862 §5.5.3 e):
///
/// 1. if `received` is more than two hours or more than the remaining lifetime, it is taken;
/// 2. otherwise, if the remaining lifetime is two hours or less, the option is ignored as far as
///    the valid lifetime goes;
/// 3. otherwise the valid lifetime becomes two hours.
///
/// So one forged RA with valid lifetime 0 cannot remove an address (systemd #5638).
pub fn two_hour_rule(now: Instant, valid_until: Instant, received: Duration) -> Instant {
    let left = remaining(valid_until, now);
    if received > TWO_HOURS || received > left {
        now + received
    } else if left <= TWO_HOURS {
        valid_until
    } else {
        now + TWO_HOURS
    }
}

/// How an address's identifier is made: the host passes the function that maps
/// `(prefix, dad_counter)` to `(interface identifier, counter used)`, or `None` when no further
/// identifier may be tried.
pub(crate) trait IidSource {
    fn iid(&self, prefix: Ipv6Addr, dad_counter: u8) -> Option<([u8; 8], u8)>;
    /// How many conflicts are tolerated before giving up.
    fn max_conflicts(&self) -> u8;
}

/// What a Prefix Information option did to the address table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AddressChange {
    /// Nothing new, or events already queued.
    Done,
    /// The table is full: no address formed for this prefix.
    Dropped,
}

/// SLAAC addresses: at most `N`, one per /64 prefix. A full table forms no new address and never
/// removes one in use (CVE-2010-4669).
#[derive(Debug, Clone)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct AddressTable<const N: usize> {
    addresses: Vec<SlaacAddress, N>,
}

impl<const N: usize> Default for AddressTable<N> {
    fn default() -> Self {
        Self::new()
    }
}

fn with_iid(prefix: Ipv6Addr, iid: [u8; 8]) -> Ipv6Addr {
    let mut octets = prefix.octets();
    for (dst, src) in octets.iter_mut().skip(8).zip(iid) {
        *dst = src;
    }
    Ipv6Addr::from(octets)
}

impl<const N: usize> AddressTable<N> {
    /// An empty table.
    pub const fn new() -> Self {
        AddressTable {
            addresses: Vec::new(),
        }
    }

    /// Applies a Prefix Information option with the A flag for a /64 `prefix` (RFC 4862
    /// §5.5.3 d and e). The caller has checked that the prefix is not link-local and that the
    /// preferred lifetime does not exceed the valid lifetime.
    pub(crate) fn update<E: EventSink>(
        &mut self,
        now: Instant,
        prefix: Ipv6Addr,
        valid: Duration,
        preferred: Duration,
        iids: &impl IidSource,
        events: &mut E,
    ) -> AddressChange {
        if let Some(entry) = self.addresses.iter_mut().find(|a| a.prefix == prefix) {
            entry.valid_until = two_hour_rule(now, entry.valid_until, valid);
            entry.preferred_until = core::cmp::min(now + preferred, entry.valid_until);
            match entry.state {
                // Lifetimes are reported once DAD completes.
                AddressState::Tentative | AddressState::Failed => {}
                AddressState::Preferred | AddressState::Deprecated => {
                    events.push(Event::AddressLifetimesUpdated {
                        address: entry.address,
                        valid: remaining(entry.valid_until, now),
                        preferred: remaining(entry.preferred_until, now),
                    });
                    let deprecated = entry.preferred_until <= now;
                    if deprecated && entry.state == AddressState::Preferred {
                        entry.state = AddressState::Deprecated;
                        events.push(Event::AddressDeprecated {
                            address: entry.address,
                        });
                    } else if !deprecated {
                        entry.state = AddressState::Preferred;
                    }
                }
            }
            return AddressChange::Done;
        }
        // §5.5.3 d: a new prefix with valid lifetime 0 forms nothing.
        if valid == Duration::ZERO {
            return AddressChange::Done;
        }
        if self.addresses.is_full() {
            return AddressChange::Dropped;
        }
        let valid_until = now + valid;
        let (address, dad_counter, state) = match iids.iid(prefix, 0) {
            Some((iid, counter)) => (with_iid(prefix, iid), counter, AddressState::Tentative),
            None => (prefix, 0, AddressState::Failed),
        };
        let entry = SlaacAddress {
            address,
            prefix,
            state,
            valid_until,
            preferred_until: core::cmp::min(now + preferred, valid_until),
            dad_counter,
            conflicts: 0,
        };
        if self.addresses.push(entry).is_err() {
            return AddressChange::Dropped;
        }
        if state == AddressState::Tentative {
            events.push(Event::ProbeAddress { address });
        } else {
            events.push(Event::AddressFailed {
                prefix,
                conflicts: 0,
            });
        }
        AddressChange::Done
    }

    /// The adapter's DAD verdict for a tentative `address` (RFC 4862 §5.4.5; RFC 7217 §6).
    /// Returns `false` when no tentative address matches (a stale or unknown verdict).
    pub(crate) fn dad_result<E: EventSink>(
        &mut self,
        now: Instant,
        address: Ipv6Addr,
        unique: bool,
        iids: &impl IidSource,
        events: &mut E,
    ) -> bool {
        let Some(entry) = self
            .addresses
            .iter_mut()
            .find(|a| a.address == address && a.state == AddressState::Tentative)
        else {
            return false;
        };
        if unique {
            entry.state = if entry.preferred_until <= now {
                AddressState::Deprecated
            } else {
                AddressState::Preferred
            };
            events.push(Event::AddressAdded {
                address,
                prefix_len: 64,
                valid: remaining(entry.valid_until, now),
                preferred: remaining(entry.preferred_until, now),
            });
            return true;
        }
        entry.conflicts = entry.conflicts.saturating_add(1);
        let next = if entry.conflicts > iids.max_conflicts() {
            None
        } else {
            entry
                .dad_counter
                .checked_add(1)
                .and_then(|c| iids.iid(entry.prefix, c))
        };
        match next {
            Some((iid, counter)) => {
                entry.dad_counter = counter;
                entry.address = with_iid(entry.prefix, iid);
                events.push(Event::ProbeAddress {
                    address: entry.address,
                });
            }
            None => {
                entry.state = AddressState::Failed;
                events.push(Event::AddressFailed {
                    prefix: entry.prefix,
                    conflicts: entry.conflicts,
                });
            }
        }
        true
    }

    /// Deprecates addresses whose preferred lifetime ended and removes those whose valid
    /// lifetime ended (RFC 4862 §5.5.4), queueing the events.
    pub(crate) fn handle_timeout<E: EventSink>(&mut self, now: Instant, events: &mut E) {
        for entry in self.addresses.iter_mut() {
            if entry.state == AddressState::Preferred && entry.preferred_until <= now {
                entry.state = AddressState::Deprecated;
                events.push(Event::AddressDeprecated {
                    address: entry.address,
                });
            }
        }
        while let Some(i) = self.addresses.iter().position(|a| a.valid_until <= now) {
            let gone = self.addresses.swap_remove(i);
            if gone.state != AddressState::Failed {
                events.push(Event::AddressRemoved {
                    address: gone.address,
                });
            }
        }
    }

    /// The next time an address changes state on its own.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.addresses
            .iter()
            .flat_map(|a| {
                let preferred = (a.state == AddressState::Preferred).then_some(a.preferred_until);
                [preferred, Some(a.valid_until)]
            })
            .flatten()
            .filter(|t| *t != NEVER)
            .min()
    }

    /// Whether a prefix holds an address (tentative or assigned).
    pub fn holds_prefix(&self, prefix: Ipv6Addr) -> bool {
        self.addresses.iter().any(|a| a.prefix == prefix)
    }

    /// Every entry, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = &SlaacAddress> {
        self.addresses.iter()
    }

    /// Addresses that passed DAD and are still valid (preferred or deprecated).
    pub fn assigned(&self) -> impl Iterator<Item = &SlaacAddress> {
        self.addresses
            .iter()
            .filter(|a| matches!(a.state, AddressState::Preferred | AddressState::Deprecated))
    }

    /// How many entries the table holds.
    pub fn len(&self) -> usize {
        self.addresses.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.addresses.is_empty()
    }
}

/// Where table updates put their events.
pub(crate) trait EventSink {
    fn push(&mut self, event: Event);
}

impl<const Q: usize> EventSink for EventQueue<Q> {
    fn push(&mut self, event: Event) {
        EventQueue::push(self, event);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec as StdVec;

    impl EventSink for StdVec<Event> {
        fn push(&mut self, event: Event) {
            StdVec::push(self, event);
        }
    }

    /// IIDs ::1, ::2, ... by counter; `limit` conflicts tolerated.
    struct Counting {
        limit: u8,
    }
    impl IidSource for Counting {
        fn iid(&self, _prefix: Ipv6Addr, c: u8) -> Option<([u8; 8], u8)> {
            Some(([0, 0, 0, 0, 0, 0, 0, c + 1], c))
        }
        fn max_conflicts(&self) -> u8 {
            self.limit
        }
    }

    const P: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0xcafe, 0, 0, 0, 0, 0);
    const A1: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0xcafe, 0, 0, 0, 0, 1);
    const A2: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0xcafe, 0, 0, 0, 0, 2);
    const H: u64 = 3600;

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn two_hour_rule_cases() {
        let now = Instant::from_secs(1000);
        // 1. more than two hours: taken, even if shorter than what is left.
        assert_eq!(
            two_hour_rule(now, now + secs(24 * H), secs(3 * H)),
            now + secs(3 * H)
        );
        // 1. longer than what is left: taken.
        assert_eq!(
            two_hour_rule(now, now + secs(60), secs(600)),
            now + secs(600)
        );
        // 2. remaining <= 2 h and received not longer: ignored.
        assert_eq!(
            two_hour_rule(now, now + secs(2 * H), secs(0)),
            now + secs(2 * H)
        );
        assert_eq!(two_hour_rule(now, now + secs(60), secs(30)), now + secs(60));
        // 3. remaining > 2 h, received <= 2 h: two hours.
        assert_eq!(
            two_hour_rule(now, now + secs(24 * H), secs(0)),
            now + TWO_HOURS
        );
        assert_eq!(
            two_hour_rule(now, now + secs(24 * H), secs(2 * H)),
            now + TWO_HOURS
        );
        // Infinite stays infinite, and infinite can be cut to two hours.
        assert_eq!(two_hour_rule(now, now, Duration::MAX), NEVER);
        assert_eq!(two_hour_rule(now, NEVER, secs(0)), now + TWO_HOURS);
    }

    #[test]
    fn formation_dad_ok_and_lifetimes() {
        let mut t = AddressTable::<2>::new();
        let mut ev = StdVec::new();
        let iids = Counting { limit: 3 };
        let now = Instant::ZERO;
        t.update(now, P, secs(86400), secs(14400), &iids, &mut ev);
        assert_eq!(ev, [Event::ProbeAddress { address: A1 }]);
        assert_eq!(t.assigned().count(), 0);
        ev.clear();
        // A refresh during DAD reports nothing yet.
        t.update(now, P, secs(86400), secs(14400), &iids, &mut ev);
        assert!(ev.is_empty());
        assert!(t.dad_result(Instant::from_secs(1), A1, true, &iids, &mut ev));
        assert_eq!(
            ev,
            [Event::AddressAdded {
                address: A1,
                prefix_len: 64,
                valid: secs(86399),
                preferred: secs(14399),
            }]
        );
        assert_eq!(t.assigned().count(), 1);
        // Unknown verdicts are refused.
        assert!(!t.dad_result(now, A2, true, &iids, &mut ev));
        // Preferred lifetime ends: deprecated; valid ends: removed.
        ev.clear();
        assert_eq!(t.next_deadline(), Some(Instant::from_secs(14400)));
        t.handle_timeout(Instant::from_secs(14400), &mut ev);
        assert_eq!(ev, [Event::AddressDeprecated { address: A1 }]);
        ev.clear();
        assert_eq!(t.next_deadline(), Some(Instant::from_secs(86400)));
        t.handle_timeout(Instant::from_secs(86400), &mut ev);
        assert_eq!(ev, [Event::AddressRemoved { address: A1 }]);
        assert!(t.is_empty());
    }

    #[test]
    fn valid_lifetime_zero_does_not_wipe_an_address_systemd_5638() {
        let mut t = AddressTable::<2>::new();
        let mut ev = StdVec::new();
        let iids = Counting { limit: 3 };
        t.update(Instant::ZERO, P, secs(86400), secs(14400), &iids, &mut ev);
        t.dad_result(Instant::ZERO, A1, true, &iids, &mut ev);
        ev.clear();
        let now = Instant::from_secs(100);
        t.update(now, P, secs(0), secs(0), &iids, &mut ev);
        assert_eq!(
            ev,
            [
                Event::AddressLifetimesUpdated {
                    address: A1,
                    valid: TWO_HOURS,
                    preferred: Duration::ZERO
                },
                Event::AddressDeprecated { address: A1 }
            ]
        );
        assert_eq!(t.assigned().count(), 1);
        // It stays for two hours, then goes.
        ev.clear();
        t.handle_timeout(now + secs(2 * H - 1), &mut ev);
        assert!(ev.is_empty());
        t.handle_timeout(now + TWO_HOURS, &mut ev);
        assert_eq!(ev, [Event::AddressRemoved { address: A1 }]);
    }

    #[test]
    fn deprecated_address_becomes_preferred_again_on_a_fresh_preferred_lifetime() {
        let mut t = AddressTable::<2>::new();
        let mut ev = StdVec::new();
        let iids = Counting { limit: 3 };
        t.update(Instant::ZERO, P, secs(86400), secs(0), &iids, &mut ev);
        t.dad_result(Instant::ZERO, A1, true, &iids, &mut ev);
        assert_eq!(
            t.iter().next().map(|a| a.state),
            Some(AddressState::Deprecated)
        );
        t.update(Instant::ZERO, P, secs(86400), secs(600), &iids, &mut ev);
        assert_eq!(
            t.iter().next().map(|a| a.state),
            Some(AddressState::Preferred)
        );
    }

    #[test]
    fn dad_conflicts_try_the_next_identifier_then_give_up() {
        let mut t = AddressTable::<2>::new();
        let mut ev = StdVec::new();
        let iids = Counting { limit: 1 };
        let now = Instant::ZERO;
        t.update(now, P, secs(600), secs(300), &iids, &mut ev);
        ev.clear();
        assert!(t.dad_result(now, A1, false, &iids, &mut ev));
        assert_eq!(ev, [Event::ProbeAddress { address: A2 }]);
        ev.clear();
        // The old address is no longer tentative.
        assert!(!t.dad_result(now, A1, true, &iids, &mut ev));
        assert!(t.dad_result(now, A2, false, &iids, &mut ev));
        assert_eq!(
            ev,
            [Event::AddressFailed {
                prefix: P,
                conflicts: 2
            }]
        );
        ev.clear();
        // The next RA does not restart the probes.
        t.update(now, P, secs(600), secs(300), &iids, &mut ev);
        assert!(ev.is_empty());
        assert_eq!(t.assigned().count(), 0);
        // The failed entry goes silently with its lifetime.
        t.handle_timeout(Instant::from_secs(600), &mut ev);
        assert!(ev.is_empty());
        assert!(t.is_empty());
    }

    #[test]
    fn new_prefix_with_zero_valid_lifetime_forms_nothing_and_full_table_drops() {
        let mut t = AddressTable::<1>::new();
        let mut ev = StdVec::new();
        let iids = Counting { limit: 3 };
        assert_eq!(
            t.update(Instant::ZERO, P, secs(0), secs(0), &iids, &mut ev),
            AddressChange::Done
        );
        assert!(t.is_empty());
        t.update(Instant::ZERO, P, secs(60), secs(0), &iids, &mut ev);
        let other = Ipv6Addr::new(0x2001, 0xdb8, 1, 0, 0, 0, 0, 0);
        assert_eq!(
            t.update(Instant::ZERO, other, secs(60), secs(0), &iids, &mut ev),
            AddressChange::Dropped
        );
        assert!(t.holds_prefix(P));
        assert!(!t.holds_prefix(other));
    }
}
