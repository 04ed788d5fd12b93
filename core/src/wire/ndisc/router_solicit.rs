//! Router Solicitation (RFC 4861 §4.1).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Type      |     Code      |          Checksum             |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                            Reserved                           |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |   Options ...
//! +-+-+-+-+-+-+-+-+-+-+-+-
//! ```

use core::fmt;
use core::net::Ipv6Addr;

use super::option::{Mode, NdOptions, OptionsRepr};
use crate::wire::icmpv6::{self, Message};
use crate::wire::{Error, Result};

mod field {
    use core::ops::RangeFrom;
    pub const OPTIONS: RangeFrom<usize> = 8..;
}

/// A zero-copy view over a Router Solicitation (the whole ICMPv6 message).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RouterSolicit<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> RouterSolicit<T> {
    /// The fixed part: 8 bytes (RFC 4861 §6.1.1: ICMP length ≥ 8).
    pub const HEADER_LEN: usize = 8;

    /// Wrap without checking; call [`check_len`](Self::check_len) before the accessors.
    pub const fn new_unchecked(buffer: T) -> Self {
        RouterSolicit { buffer }
    }

    /// Wrap, failing with [`Error::Truncated`] below 8 bytes.
    pub fn new_checked(buffer: T) -> Result<Self> {
        let view = Self::new_unchecked(buffer);
        view.check_len()?;
        Ok(view)
    }

    /// Check the buffer holds the 8-byte fixed part.
    pub fn check_len(&self) -> Result<()> {
        let len = self.buffer.as_ref().len();
        if len < Self::HEADER_LEN {
            return Err(Error::Truncated { offset: len });
        }
        Ok(())
    }

    /// The options area, not yet validated.
    pub fn options(&self) -> &[u8] {
        &self.buffer.as_ref()[field::OPTIONS]
    }
}

/// A decoded Router Solicitation (RFC 4861 §4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RouterSolicitRepr<'a> {
    /// The options (normally at most a Source Link-Layer Address), in wire order.
    pub options: OptionsRepr<'a>,
}

impl<'a> RouterSolicitRepr<'a> {
    /// Emit as a whole ICMPv6 message from `src` to `dst`, checksum filled; see
    /// [`Repr::emit`](super::Repr::emit).
    pub fn emit(&self, src: &Ipv6Addr, dst: &Ipv6Addr, buf: &mut [u8]) -> Result<usize> {
        super::Repr::RouterSolicit(*self).emit(src, dst, buf)
    }

    /// Decode an RS: code 0, at least 8 bytes, every option valid. The checksum is not
    /// checked here.
    pub fn parse(packet: &icmpv6::Packet<&'a [u8]>) -> Result<Self> {
        Self::parse_mode(packet, Mode::Strict)
    }

    /// As [`parse`](Self::parse), but an option that breaks its own rules is ignored instead of
    /// failing the message (see [`NdOptions::parse_lenient`]); a bad option walk still fails.
    pub fn parse_lenient(packet: &icmpv6::Packet<&'a [u8]>) -> Result<Self> {
        Self::parse_mode(packet, Mode::Lenient)
    }

    #[inline]
    fn parse_mode(packet: &icmpv6::Packet<&'a [u8]>, mode: Mode) -> Result<Self> {
        super::check_header(packet, Message::RouterSolicit)?;
        let bytes: &'a [u8] = packet.into_inner();
        RouterSolicit::new_checked(bytes)?;
        let options = NdOptions::parse_mode(
            bytes.get(field::OPTIONS).unwrap_or(&[]),
            field::OPTIONS.start,
            mode,
        )?;
        Ok(RouterSolicitRepr {
            options: OptionsRepr::Wire(options),
        })
    }

    /// Bytes of the emitted message, ICMPv6 header included.
    pub fn buffer_len(&self) -> usize {
        field::OPTIONS.start + self.options.buffer_len()
    }

    /// Check that the message can be emitted and return its length.
    pub fn checked_len(&self) -> Result<usize> {
        Ok(field::OPTIONS.start + self.options.checked_len(field::OPTIONS.start)?)
    }

    pub(crate) fn write(&self, out: &mut [u8]) {
        self.options.write(&mut out[field::OPTIONS]);
    }
}

/// `router solicitation`, then one option per line.
impl fmt::Display for RouterSolicitRepr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("router solicitation")?;
        for option in self.options.iter() {
            write!(f, "\n  {option}")?;
        }
        Ok(())
    }
}
