//! NAT64 prefixes learned from PREF64 options (RFC 8781).
//!
//! RFC 8781 §5: the option "may appear more than once in an RA (e.g., when gracefully
//! renumbering the network from one NAT64 prefix to another)"; hosts synthesise addresses as RFC
//! 7050 §3 says, "limited to the NAT64 prefixes that have a nonzero lifetime". So each prefix is
//! kept with its own lifetime, a lifetime of 0 withdraws it, and an option with an invalid Prefix
//! Length Code (6 or 7) is ignored (RFC 8781 §4).

use core::net::Ipv6Addr;

use heapless::Vec;

use super::NEVER;
use crate::time::{Duration, Instant};
use crate::wire::ndisc::option::{Pref64, Pref64Length};

/// How many NAT64 prefixes the host keeps: the one in use and the one being renumbered to.
pub const MAX_NAT64_PREFIXES: usize = 2;

/// One NAT64 prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Nat64Prefix {
    /// The prefix (bits past `len` are zero).
    pub prefix: Ipv6Addr,
    /// 32, 40, 48, 56, 64 or 96.
    pub len: u8,
    /// When its lifetime ends.
    pub expires: Instant,
}

#[cfg(feature = "defmt")]
impl defmt::Format for Nat64Prefix {
    fn format(&self, f: defmt::Formatter) {
        defmt::write!(
            f,
            "Nat64Prefix {{ prefix: {=[u8]:02x}/{}, expires: {} }}",
            self.prefix.octets(),
            self.len,
            self.expires
        )
    }
}

/// The NAT64 prefixes with a lifetime still running, at most [`MAX_NAT64_PREFIXES`]; a full table
/// drops newcomers (counted by the host).
#[derive(Debug, Clone, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Nat64Prefixes {
    prefixes: Vec<Nat64Prefix, MAX_NAT64_PREFIXES>,
}

/// What one PREF64 option did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Nat64Change {
    /// A refresh, or lifetime 0 for an unknown prefix.
    None,
    /// A prefix came or went.
    Changed,
    /// Invalid Prefix Length Code: ignored.
    Ignored,
    /// The table is full: dropped.
    Dropped,
}

fn prefix_len(length: Pref64Length) -> Option<u8> {
    match length {
        Pref64Length::L96 => Some(96),
        Pref64Length::L64 => Some(64),
        Pref64Length::L56 => Some(56),
        Pref64Length::L48 => Some(48),
        Pref64Length::L40 => Some(40),
        Pref64Length::L32 => Some(32),
        Pref64Length::Unknown(_) => None,
    }
}

impl Nat64Prefixes {
    /// An empty table.
    pub const fn new() -> Self {
        Nat64Prefixes {
            prefixes: Vec::new(),
        }
    }

    pub(crate) fn update(&mut self, now: Instant, option: &Pref64) -> Nat64Change {
        let Some(len) = prefix_len(option.length) else {
            return Nat64Change::Ignored;
        };
        let prefix = super::mask(option.prefix, len);
        let lifetime = Duration::from_secs(u64::from(option.lifetime_secs()));
        let found = self
            .prefixes
            .iter()
            .position(|p| p.prefix == prefix && p.len == len);
        match (found, lifetime == Duration::ZERO) {
            (Some(i), true) => {
                self.prefixes.swap_remove(i);
                Nat64Change::Changed
            }
            (None, true) => Nat64Change::None,
            (Some(i), false) => {
                if let Some(p) = self.prefixes.get_mut(i) {
                    p.expires = now + lifetime;
                }
                Nat64Change::None
            }
            (None, false) => {
                let entry = Nat64Prefix {
                    prefix,
                    len,
                    expires: now + lifetime,
                };
                match self.prefixes.push(entry) {
                    Ok(()) => Nat64Change::Changed,
                    Err(_) => Nat64Change::Dropped,
                }
            }
        }
    }

    /// Removes every prefix whose lifetime ended; `true` if any did.
    pub(crate) fn expire(&mut self, now: Instant) -> bool {
        let before = self.prefixes.len();
        self.prefixes.retain(|p| p.expires > now);
        self.prefixes.len() != before
    }

    /// The earliest end of a lifetime.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.prefixes
            .iter()
            .map(|p| p.expires)
            .filter(|t| *t != NEVER)
            .min()
    }

    /// The prefixes.
    pub fn iter(&self) -> impl Iterator<Item = &Nat64Prefix> {
        self.prefixes.iter()
    }

    /// `true` when there is none.
    pub fn is_empty(&self) -> bool {
        self.prefixes.is_empty()
    }
}
