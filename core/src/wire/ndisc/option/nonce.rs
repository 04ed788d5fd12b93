//! Nonce option (RFC 3971 §5.3.2), type 14; also used without SEND by RFC 7527 (enhanced DAD).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Type      |    Length     |             Nonce ...         |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! The nonce is every byte after the Length field (at least 6). RFC 3971 requires its length to
//! make the option a multiple of 8 bytes, so the emitter refuses one that does not.

use core::fmt;

use super::HEADER_LEN;
use crate::wire::{Error, Result};

mod field {
    use core::ops::RangeFrom;
    pub const NONCE: RangeFrom<usize> = 2..;
}

/// A nonce (RFC 3971 §5.3.2), borrowed.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Nonce<'a> {
    bytes: &'a [u8],
}

impl<'a> Nonce<'a> {
    /// A nonce to emit: 6 bytes, or 6 + a multiple of 8.
    pub const fn new(bytes: &'a [u8]) -> Self {
        Nonce { bytes }
    }

    /// The nonce bytes.
    pub const fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    pub(crate) fn from_wire(option: &'a [u8]) -> Self {
        Nonce {
            bytes: option.get(field::NONCE).unwrap_or(&[]),
        }
    }

    pub(crate) fn check(&self) -> Result<()> {
        if self.bytes.len() < 6 || !(self.bytes.len() + HEADER_LEN).is_multiple_of(8) {
            return Err(Error::Malformed {
                what: "nonce length",
                offset: HEADER_LEN,
            });
        }
        Ok(())
    }

    pub(crate) fn data_len(&self) -> usize {
        self.bytes.len()
    }

    pub(crate) fn write_body(&self, option: &mut [u8]) {
        if let Some(out) = option.get_mut(HEADER_LEN..HEADER_LEN + self.bytes.len()) {
            out.copy_from_slice(self.bytes);
        }
    }
}

/// Hex digits.
impl fmt::Display for Nonce<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.bytes {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Nonce<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Nonce({self})")
    }
}
