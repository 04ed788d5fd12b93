//! Redirect (RFC 4861 §4.5). Decoded for hosts; emitting is supported for tests and tools.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Type      |     Code      |          Checksum             |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                           Reserved                            |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! +                       Target Address (16)                     +
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! +                     Destination Address (16)                  +
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |   Options ...
//! +-+-+-+-+-+-+-+-+-+-+-+-
//! ```

use core::fmt;
use core::net::Ipv6Addr;

use super::option::{read_ipv6, Mode, NdOptions, OptionsRepr};
use crate::wire::icmpv6::{self, Message};
use crate::wire::{Error, Result};

mod field {
    use core::ops::{Range, RangeFrom};
    pub const TARGET: Range<usize> = 8..24;
    pub const DESTINATION: Range<usize> = 24..40;
    pub const OPTIONS: RangeFrom<usize> = 40..;
}

/// A zero-copy view over a Redirect (the whole ICMPv6 message).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Redirect<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Redirect<T> {
    /// The fixed part: 40 bytes (RFC 4861 §8.1: ICMP length ≥ 40).
    pub const HEADER_LEN: usize = 40;

    /// Wrap without checking; call [`check_len`](Self::check_len) before the accessors.
    pub const fn new_unchecked(buffer: T) -> Self {
        Redirect { buffer }
    }

    /// Wrap, failing with [`Error::Truncated`] below 40 bytes.
    pub fn new_checked(buffer: T) -> Result<Self> {
        let view = Self::new_unchecked(buffer);
        view.check_len()?;
        Ok(view)
    }

    /// Check the buffer holds the 40-byte fixed part.
    pub fn check_len(&self) -> Result<()> {
        let len = self.buffer.as_ref().len();
        if len < Self::HEADER_LEN {
            return Err(Error::Truncated { offset: len });
        }
        Ok(())
    }

    /// Target Address: the better first hop.
    pub fn target(&self) -> Ipv6Addr {
        read_ipv6(self.buffer.as_ref(), field::TARGET.start)
    }

    /// Destination Address: the destination being redirected.
    pub fn destination(&self) -> Ipv6Addr {
        read_ipv6(self.buffer.as_ref(), field::DESTINATION.start)
    }

    /// The options area, not yet validated.
    pub fn options(&self) -> &[u8] {
        &self.buffer.as_ref()[field::OPTIONS]
    }
}

/// A decoded Redirect (RFC 4861 §4.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RedirectRepr<'a> {
    /// The better first hop for `destination`.
    pub target: Ipv6Addr,
    /// The destination being redirected.
    pub destination: Ipv6Addr,
    /// Options (Target Link-Layer Address, Redirected Header), in wire order.
    pub options: OptionsRepr<'a>,
}

impl<'a> RedirectRepr<'a> {
    /// Emit as a whole ICMPv6 message from `src` to `dst`, checksum filled; see
    /// [`Repr::emit`](super::Repr::emit).
    pub fn emit(&self, src: &Ipv6Addr, dst: &Ipv6Addr, buf: &mut [u8]) -> Result<usize> {
        super::Repr::Redirect(*self).emit(src, dst, buf)
    }

    /// Decode a Redirect: code 0, at least 40 bytes, every option valid.
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
        super::check_header(packet, Message::Redirect)?;
        let bytes: &'a [u8] = packet.into_inner();
        let view = Redirect::new_checked(bytes)?;
        let options = NdOptions::parse_mode(
            bytes.get(field::OPTIONS).unwrap_or(&[]),
            field::OPTIONS.start,
            mode,
        )?;
        Ok(RedirectRepr {
            target: view.target(),
            destination: view.destination(),
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
        out[field::TARGET].copy_from_slice(&self.target.octets());
        out[field::DESTINATION].copy_from_slice(&self.destination.octets());
        self.options.write(&mut out[field::OPTIONS]);
    }
}

/// `redirect, fe80::1 to 2001:db8::5`, then one option per line.
impl fmt::Display for RedirectRepr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "redirect, {} to {}", self.target, self.destination)?;
        for option in self.options.iter() {
            write!(f, "\n  {option}")?;
        }
        Ok(())
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for RedirectRepr<'_> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(
            f,
            "RedirectRepr {{ target: {=[u8]}, destination: {=[u8]}, options: {} }}",
            self.target.octets(),
            self.destination.octets(),
            self.options
        )
    }
}
