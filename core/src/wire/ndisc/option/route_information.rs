//! Route Information option (RFC 4191 §2.3), type 24.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Type      |    Length     | Prefix Length |Resvd|Prf|Resvd|
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                        Route Lifetime                         |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                   Prefix (Variable Length)                    |
//! .                                                               .
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! Length is 1, 2 or 3: at least 2 when the Prefix Length is above 0, and 3 when it is above 64
//! (RFC 4191 §2.3). Any other length, including every length above 3 (CVE-2024-5564), is
//! rejected, as is a Prefix Length above 128. The emitter picks the shortest valid length.

use core::fmt;
use core::net::Ipv6Addr;

use super::read_u32;
use crate::wire::ndisc::RouterPreference;
use crate::wire::{Error, Result};

mod field {
    use core::ops::{Range, RangeFrom};
    pub const PREFIX_LEN: usize = 2;
    pub const FLAGS: usize = 3;
    pub const ROUTE_LIFETIME: Range<usize> = 4..8;
    pub const PREFIX: RangeFrom<usize> = 8..;
}

/// Route Information (RFC 4191 §2.3): a more-specific route through the advertising router.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RouteInformation {
    /// Number of leading bits of `prefix` that are valid, 0..=128.
    pub prefix_len: u8,
    /// Prf: preference of this route over others (RFC 4191 §2.1).
    pub preference: RouterPreference,
    /// Route lifetime in seconds; all ones is infinity.
    pub route_lifetime: u32,
    /// The prefix; bytes the option does not carry read as zero.
    pub prefix: Ipv6Addr,
}

impl RouteInformation {
    pub(crate) fn validate_wire(option: &[u8], offset: usize) -> Result<()> {
        let bad_len = Error::BadOptionLength {
            code: 24,
            offset,
            len: option.len(),
        };
        let prefix_len = *option.get(field::PREFIX_LEN).ok_or(bad_len)?;
        if prefix_len > 128 {
            return Err(Error::Malformed {
                what: "route prefix length",
                offset: offset + field::PREFIX_LEN,
            });
        }
        let units = option.len() / 8;
        if !(1..=3).contains(&units) || units < Self::units_for(prefix_len) {
            return Err(bad_len);
        }
        Ok(())
    }

    /// Decode an option that passed `validate_wire`.
    pub(crate) fn from_wire(option: &[u8]) -> Self {
        let prefix_len = option.get(field::PREFIX_LEN).copied().unwrap_or(0);
        let flags = option.get(field::FLAGS).copied().unwrap_or(0);
        let mut prefix = [0u8; 16];
        let carried = option.get(field::PREFIX).unwrap_or(&[]);
        for (out, b) in prefix.iter_mut().zip(carried) {
            *out = *b;
        }
        RouteInformation {
            prefix_len,
            preference: RouterPreference::from_bits(flags >> 3),
            route_lifetime: read_u32(option, field::ROUTE_LIFETIME.start),
            prefix: Ipv6Addr::from(prefix),
        }
    }

    /// Length units (of 8 bytes) the prefix length needs (RFC 4191 §2.3).
    const fn units_for(prefix_len: u8) -> usize {
        match prefix_len {
            0 => 1,
            1..=64 => 2,
            _ => 3,
        }
    }

    pub(crate) fn check(&self) -> Result<()> {
        if self.prefix_len > 128 {
            return Err(Error::Malformed {
                what: "route prefix length",
                offset: field::PREFIX_LEN,
            });
        }
        Ok(())
    }

    /// Bytes after the Length field the emitted option needs before padding.
    pub(crate) fn data_len(&self) -> usize {
        Self::units_for(self.prefix_len) * 8 - 2
    }

    pub(crate) fn write_body(&self, option: &mut [u8]) {
        option[field::PREFIX_LEN] = self.prefix_len;
        option[field::FLAGS] = self.preference.bits() << 3;
        option[field::ROUTE_LIFETIME].copy_from_slice(&self.route_lifetime.to_be_bytes());
        let octets = self.prefix.octets();
        if let Some(out) = option.get_mut(field::PREFIX) {
            for (o, b) in out.iter_mut().zip(octets) {
                *o = b;
            }
        }
    }
}

/// `2001:db8::/48, pref high, lifetime 1800s`.
impl fmt::Display for RouteInformation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{}, pref {}, lifetime ",
            self.prefix, self.prefix_len, self.preference
        )?;
        super::fmt_lifetime(f, self.route_lifetime)
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for RouteInformation {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(
            f,
            "RouteInformation {{ prefix: {=[u8]}/{=u8}, preference: {}, lifetime: {=u32} }}",
            self.prefix.octets(),
            self.prefix_len,
            self.preference,
            self.route_lifetime
        )
    }
}
