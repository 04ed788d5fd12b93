//! PREF64 option (RFC 8781 §4), type 38: the NAT64 prefix.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Type      |    Length     |     Scaled Lifetime     | PLC |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                                                               |
//! +                                                               +
//! |              Highest 96 bits of the Prefix                    |
//! +                                                               +
//! |                                                               |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! Length must be 2 (RFC 8781 §4: a receiver ignores any other); the decoder rejects other
//! lengths. The scaled lifetime counts units of 8 seconds. An unknown Prefix Length Code is kept
//! as [`Pref64Length::Unknown`] so a host can ignore the option as §4 asks.

use core::fmt;
use core::net::Ipv6Addr;

use crate::wire::{Error, Result};

mod field {
    use core::ops::Range;
    pub const LIFETIME_PLC: Range<usize> = 2..4;
    pub const PREFIX: Range<usize> = 4..16;
}

/// The Prefix Length Code (RFC 8781 §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Pref64Length {
    /// PLC 0: /96.
    L96,
    /// PLC 1: /64.
    L64,
    /// PLC 2: /56.
    L56,
    /// PLC 3: /48.
    L48,
    /// PLC 4: /40.
    L40,
    /// PLC 5: /32.
    L32,
    /// PLC 6 or 7: invalid, the option is to be ignored.
    Unknown(u8),
}

impl Pref64Length {
    /// From the 3-bit code.
    pub const fn from_code(code: u8) -> Self {
        match code & 7 {
            0 => Pref64Length::L96,
            1 => Pref64Length::L64,
            2 => Pref64Length::L56,
            3 => Pref64Length::L48,
            4 => Pref64Length::L40,
            5 => Pref64Length::L32,
            other => Pref64Length::Unknown(other),
        }
    }

    /// The 3-bit code.
    pub const fn code(self) -> u8 {
        match self {
            Pref64Length::L96 => 0,
            Pref64Length::L64 => 1,
            Pref64Length::L56 => 2,
            Pref64Length::L48 => 3,
            Pref64Length::L40 => 4,
            Pref64Length::L32 => 5,
            Pref64Length::Unknown(c) => c & 7,
        }
    }

    /// The prefix length in bits, `None` for an unknown code.
    pub const fn bits(self) -> Option<u8> {
        match self {
            Pref64Length::L96 => Some(96),
            Pref64Length::L64 => Some(64),
            Pref64Length::L56 => Some(56),
            Pref64Length::L48 => Some(48),
            Pref64Length::L40 => Some(40),
            Pref64Length::L32 => Some(32),
            Pref64Length::Unknown(_) => None,
        }
    }
}

/// The NAT64 prefix (RFC 8781 §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Pref64 {
    /// Lifetime in units of 8 seconds, 13 bits (0..=8191); see [`Pref64::lifetime_secs`].
    pub scaled_lifetime: u16,
    /// The prefix length.
    pub length: Pref64Length,
    /// The prefix; only its highest 96 bits travel, the rest reads as zero.
    pub prefix: Ipv6Addr,
}

impl Pref64 {
    /// The option's size: Length 2.
    pub const LEN: usize = 16;

    /// The lifetime in seconds.
    pub const fn lifetime_secs(&self) -> u32 {
        (self.scaled_lifetime as u32 & 0x1fff) * 8
    }

    pub(crate) fn validate_wire(option: &[u8], offset: usize) -> Result<()> {
        if option.len() != Self::LEN {
            return Err(Error::BadOptionLength {
                code: 38,
                offset,
                len: option.len(),
            });
        }
        Ok(())
    }

    /// Decode an option that passed `validate_wire`.
    pub(crate) fn from_wire(option: &[u8]) -> Self {
        let word = match option.get(field::LIFETIME_PLC) {
            Some(&[hi, lo]) => u16::from_be_bytes([hi, lo]),
            _ => 0,
        };
        let mut prefix = [0u8; 16];
        if let Some(carried) = option.get(field::PREFIX) {
            prefix[..12].copy_from_slice(carried);
        }
        Pref64 {
            scaled_lifetime: word >> 3,
            length: Pref64Length::from_code(word as u8),
            prefix: Ipv6Addr::from(prefix),
        }
    }

    pub(crate) fn check(&self) -> Result<()> {
        if self.scaled_lifetime > 0x1fff {
            return Err(Error::Malformed {
                what: "PREF64 scaled lifetime",
                offset: field::LIFETIME_PLC.start,
            });
        }
        Ok(())
    }

    pub(crate) fn write_body(&self, option: &mut [u8]) {
        let word = (self.scaled_lifetime << 3) | u16::from(self.length.code());
        option[field::LIFETIME_PLC].copy_from_slice(&word.to_be_bytes());
        option[field::PREFIX].copy_from_slice(&self.prefix.octets()[..12]);
    }
}

/// `64:ff9b::/96, lifetime 1800s`.
impl fmt::Display for Pref64 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.length.bits() {
            Some(bits) => write!(f, "{}/{}", self.prefix, bits)?,
            None => write!(f, "{}/(code {})", self.prefix, self.length.code())?,
        }
        write!(f, ", lifetime {}s", self.lifetime_secs())
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for Pref64 {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(
            f,
            "Pref64 {{ prefix: {=[u8]}, length: {}, scaled_lifetime: {=u16} }}",
            self.prefix.octets(),
            self.length,
            self.scaled_lifetime
        )
    }
}
