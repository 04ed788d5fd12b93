//! Prefixes whose Prefix Information option carried the P flag (RFC 9762 §4.2): the network
//! prefers that hosts get a prefix of their own by DHCPv6 prefix delegation instead of forming
//! addresses in these prefixes.
//!
//! RFC 9762 §4.2: "For each interface, the host MUST keep a list of every PIO it has received that
//! has the P flag set and a nonzero Preferred Lifetime"; a prefix leaves the list when its
//! preferred lifetime reaches zero. While the list is not empty the host SHOULD run DHCPv6
//! prefix delegation; every change of the list makes a host holding delegated prefixes Rebind
//! ([`crate::host::station`] does both). Hosts that do not run prefix delegation ignore the P
//! flag altogether (RFC 9762 §4.1), so this list stays empty for them
//! ([`crate::host::HostConfig::prefix_delegation`]).

use core::net::Ipv6Addr;

use heapless::Vec;

use super::{mask, NEVER};
use crate::time::{Duration, Instant};

/// One prefix announced with P=1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PdPreferredPrefix {
    /// The prefix, bits past `len` cleared.
    pub prefix: Ipv6Addr,
    /// Its length.
    pub len: u8,
    /// When its preferred lifetime ends (the end of time if infinite).
    pub preferred_until: Instant,
}

#[cfg(feature = "defmt")]
impl defmt::Format for PdPreferredPrefix {
    fn format(&self, f: defmt::Formatter) {
        defmt::write!(
            f,
            "PdPreferredPrefix {{ prefix: {=[u8]:02x}/{}, preferred_until: {} }}",
            self.prefix.octets(),
            self.len,
            self.preferred_until
        )
    }
}

/// At most `N` prefixes announced with the P flag and a preferred lifetime still running. A full
/// list drops newcomers (and the host counts them); what is in it is never evicted.
#[derive(Debug, Clone)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PdPreferredList<const N: usize> {
    prefixes: Vec<PdPreferredPrefix, N>,
    changes: u32,
}

/// What one P=1 Prefix Information option did to the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PdChange {
    /// A refresh, or preferred lifetime 0 for a prefix not in the list.
    None,
    /// The list gained or lost a prefix.
    Changed,
    /// The list is full; the newcomer was dropped.
    Dropped,
}

impl<const N: usize> Default for PdPreferredList<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> PdPreferredList<N> {
    /// An empty list.
    pub const fn new() -> Self {
        PdPreferredList {
            prefixes: Vec::new(),
            changes: 0,
        }
    }

    /// A Prefix Information option with P=1 and this preferred lifetime (RFC 9762 §4.2).
    pub(crate) fn update(
        &mut self,
        now: Instant,
        prefix: Ipv6Addr,
        len: u8,
        preferred: Duration,
    ) -> PdChange {
        let prefix = mask(prefix, len);
        let found = self
            .prefixes
            .iter()
            .position(|p| p.prefix == prefix && p.len == len);
        match (found, preferred == Duration::ZERO) {
            (Some(i), true) => {
                self.prefixes.swap_remove(i);
                self.changes = self.changes.wrapping_add(1);
                PdChange::Changed
            }
            (None, true) => PdChange::None,
            (Some(i), false) => {
                if let Some(p) = self.prefixes.get_mut(i) {
                    p.preferred_until = now + preferred;
                }
                PdChange::None
            }
            (None, false) => {
                let entry = PdPreferredPrefix {
                    prefix,
                    len,
                    preferred_until: now + preferred,
                };
                match self.prefixes.push(entry) {
                    Ok(()) => {
                        self.changes = self.changes.wrapping_add(1);
                        PdChange::Changed
                    }
                    Err(_) => PdChange::Dropped,
                }
            }
        }
    }

    /// Removes every prefix whose preferred lifetime has ended; `true` if any did.
    pub(crate) fn expire(&mut self, now: Instant) -> bool {
        let before = self.prefixes.len();
        self.prefixes.retain(|p| p.preferred_until > now);
        let changed = self.prefixes.len() != before;
        if changed {
            self.changes = self.changes.wrapping_add(1);
        }
        changed
    }

    /// How many times a prefix was added to or removed from the list (wrapping): a change is
    /// what makes a host holding delegated prefixes Rebind (RFC 9762 §4.2).
    pub fn changes(&self) -> u32 {
        self.changes
    }

    /// The earliest finite end of a preferred lifetime.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.prefixes
            .iter()
            .map(|p| p.preferred_until)
            .filter(|t| *t != NEVER)
            .min()
    }

    /// The prefixes, in the order first announced (removals may reorder).
    pub fn iter(&self) -> impl Iterator<Item = &PdPreferredPrefix> {
        self.prefixes.iter()
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.prefixes.len()
    }

    /// `true` when no prefix asks for prefix delegation.
    pub fn is_empty(&self) -> bool {
        self.prefixes.is_empty()
    }
}
