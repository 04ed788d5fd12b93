//! Neighbor Solicitation (RFC 4861 §4.3) and Neighbor Advertisement (§4.4).
//!
//! ```text
//! Neighbor Solicitation:
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Type      |     Code      |          Checksum             |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                           Reserved                            |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! +                       Target Address (16)                     +
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |   Options ...
//!
//! Neighbor Advertisement:
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Type      |     Code      |          Checksum             |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |R|S|O|                     Reserved                            |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! +                       Target Address (16)                     +
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |   Options ...
//! ```
//!
//! Both have a 24-byte fixed part (RFC 4861 §7.1.1, §7.1.2: ICMP length ≥ 24).

use core::fmt;
use core::net::Ipv6Addr;

use super::option::{read_ipv6, Mode, NdOptions, OptionsRepr};
use crate::wire::icmpv6::{self, Message};
use crate::wire::{Error, Result};

mod field {
    use core::ops::{Range, RangeFrom};
    pub const FLAGS: usize = 4;
    pub const TARGET: Range<usize> = 8..24;
    pub const OPTIONS: RangeFrom<usize> = 24..;
}

const FLAG_ROUTER: u8 = 0x80;
const FLAG_SOLICITED: u8 = 0x40;
const FLAG_OVERRIDE: u8 = 0x20;

/// The fixed part of NS and NA: 24 bytes.
pub const HEADER_LEN: usize = 24;

fn check_len(bytes: &[u8]) -> Result<()> {
    if bytes.len() < HEADER_LEN {
        return Err(Error::Truncated {
            offset: bytes.len(),
        });
    }
    Ok(())
}

/// A zero-copy view over a Neighbor Solicitation (the whole ICMPv6 message).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct NeighborSolicit<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> NeighborSolicit<T> {
    /// Wrap without checking; call [`check_len`](Self::check_len) before the accessors.
    pub const fn new_unchecked(buffer: T) -> Self {
        NeighborSolicit { buffer }
    }

    /// Wrap, failing with [`Error::Truncated`] below 24 bytes.
    pub fn new_checked(buffer: T) -> Result<Self> {
        let view = Self::new_unchecked(buffer);
        view.check_len()?;
        Ok(view)
    }

    /// Check the buffer holds the 24-byte fixed part.
    pub fn check_len(&self) -> Result<()> {
        check_len(self.buffer.as_ref())
    }

    /// Target Address: the address being resolved or checked by DAD.
    pub fn target(&self) -> Ipv6Addr {
        read_ipv6(self.buffer.as_ref(), field::TARGET.start)
    }

    /// The options area, not yet validated.
    pub fn options(&self) -> &[u8] {
        &self.buffer.as_ref()[field::OPTIONS]
    }
}

/// A zero-copy view over a Neighbor Advertisement (the whole ICMPv6 message).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct NeighborAdvert<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> NeighborAdvert<T> {
    /// Wrap without checking; call [`check_len`](Self::check_len) before the accessors.
    pub const fn new_unchecked(buffer: T) -> Self {
        NeighborAdvert { buffer }
    }

    /// Wrap, failing with [`Error::Truncated`] below 24 bytes.
    pub fn new_checked(buffer: T) -> Result<Self> {
        let view = Self::new_unchecked(buffer);
        view.check_len()?;
        Ok(view)
    }

    /// Check the buffer holds the 24-byte fixed part.
    pub fn check_len(&self) -> Result<()> {
        check_len(self.buffer.as_ref())
    }

    fn flags(&self) -> u8 {
        self.buffer.as_ref()[field::FLAGS]
    }

    /// R: the sender is a router.
    pub fn router_flag(&self) -> bool {
        self.flags() & FLAG_ROUTER != 0
    }

    /// S: sent in response to a Neighbor Solicitation.
    pub fn solicited_flag(&self) -> bool {
        self.flags() & FLAG_SOLICITED != 0
    }

    /// O: override an existing cache entry.
    pub fn override_flag(&self) -> bool {
        self.flags() & FLAG_OVERRIDE != 0
    }

    /// Target Address.
    pub fn target(&self) -> Ipv6Addr {
        read_ipv6(self.buffer.as_ref(), field::TARGET.start)
    }

    /// The options area, not yet validated.
    pub fn options(&self) -> &[u8] {
        &self.buffer.as_ref()[field::OPTIONS]
    }
}

/// A decoded Neighbor Solicitation (RFC 4861 §4.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NeighborSolicitRepr<'a> {
    /// The address being resolved, or tentatively assigned (DAD, RFC 4862 §5.4).
    pub target: Ipv6Addr,
    /// Options (Source Link-Layer Address, Nonce), in wire order.
    pub options: OptionsRepr<'a>,
}

impl<'a> NeighborSolicitRepr<'a> {
    /// Emit as a whole ICMPv6 message from `src` to `dst`, checksum filled; see
    /// [`Repr::emit`](super::Repr::emit).
    pub fn emit(&self, src: &Ipv6Addr, dst: &Ipv6Addr, buf: &mut [u8]) -> Result<usize> {
        super::Repr::NeighborSolicit(*self).emit(src, dst, buf)
    }

    /// Decode an NS: code 0, at least 24 bytes, every option valid.
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
        super::check_header(packet, Message::NeighborSolicit)?;
        let bytes: &'a [u8] = packet.into_inner();
        let view = NeighborSolicit::new_checked(bytes)?;
        let options = NdOptions::parse_mode(
            bytes.get(field::OPTIONS).unwrap_or(&[]),
            field::OPTIONS.start,
            mode,
        )?;
        Ok(NeighborSolicitRepr {
            target: view.target(),
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
        self.options.write(&mut out[field::OPTIONS]);
    }
}

/// `neighbor solicitation, who has fe80::1`, then one option per line.
impl fmt::Display for NeighborSolicitRepr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "neighbor solicitation, who has {}", self.target)?;
        for option in self.options.iter() {
            write!(f, "\n  {option}")?;
        }
        Ok(())
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for NeighborSolicitRepr<'_> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(
            f,
            "NeighborSolicitRepr {{ target: {=[u8]}, options: {} }}",
            self.target.octets(),
            self.options
        )
    }
}

/// A decoded Neighbor Advertisement (RFC 4861 §4.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NeighborAdvertRepr<'a> {
    /// R: the sender is a router.
    pub router_flag: bool,
    /// S: a response to a Neighbor Solicitation.
    pub solicited_flag: bool,
    /// O: override an existing cache entry.
    pub override_flag: bool,
    /// The address whose link-layer address is advertised.
    pub target: Ipv6Addr,
    /// Options (Target Link-Layer Address), in wire order.
    pub options: OptionsRepr<'a>,
}

impl<'a> NeighborAdvertRepr<'a> {
    /// Emit as a whole ICMPv6 message from `src` to `dst`, checksum filled; see
    /// [`Repr::emit`](super::Repr::emit).
    pub fn emit(&self, src: &Ipv6Addr, dst: &Ipv6Addr, buf: &mut [u8]) -> Result<usize> {
        super::Repr::NeighborAdvert(*self).emit(src, dst, buf)
    }

    /// Decode an NA: code 0, at least 24 bytes, every option valid.
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
        super::check_header(packet, Message::NeighborAdvert)?;
        let bytes: &'a [u8] = packet.into_inner();
        let view = NeighborAdvert::new_checked(bytes)?;
        let options = NdOptions::parse_mode(
            bytes.get(field::OPTIONS).unwrap_or(&[]),
            field::OPTIONS.start,
            mode,
        )?;
        Ok(NeighborAdvertRepr {
            router_flag: view.router_flag(),
            solicited_flag: view.solicited_flag(),
            override_flag: view.override_flag(),
            target: view.target(),
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
        let mut flags = 0;
        if self.router_flag {
            flags |= FLAG_ROUTER;
        }
        if self.solicited_flag {
            flags |= FLAG_SOLICITED;
        }
        if self.override_flag {
            flags |= FLAG_OVERRIDE;
        }
        out[field::FLAGS] = flags;
        out[field::TARGET].copy_from_slice(&self.target.octets());
        self.options.write(&mut out[field::OPTIONS]);
    }
}

/// `neighbor advertisement, tgt is fe80::1, Flags [router, solicited, override]`, then options.
impl fmt::Display for NeighborAdvertRepr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "neighbor advertisement, tgt is {}, Flags [", self.target)?;
        let mut first = true;
        for (set, name) in [
            (self.router_flag, "router"),
            (self.solicited_flag, "solicited"),
            (self.override_flag, "override"),
        ] {
            if set {
                if !first {
                    f.write_str(", ")?;
                }
                f.write_str(name)?;
                first = false;
            }
        }
        if first {
            f.write_str("none")?;
        }
        f.write_str("]")?;
        for option in self.options.iter() {
            write!(f, "\n  {option}")?;
        }
        Ok(())
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for NeighborAdvertRepr<'_> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(
            f,
            "NeighborAdvertRepr {{ R: {=bool}, S: {=bool}, O: {=bool}, target: {=[u8]}, options: {} }}",
            self.router_flag,
            self.solicited_flag,
            self.override_flag,
            self.target.octets(),
            self.options
        )
    }
}
