//! Recursive DNS Server option (RFC 8106 §5.1), type 25.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Type      |     Length    |           Reserved            |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                           Lifetime                            |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                                                               |
//! :            Addresses of IPv6 Recursive DNS Servers            :
//! |                                                               |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! Length is `1 + 2 × servers`: at least 3 and odd (RFC 8106 §5.1); anything else is rejected.

use core::fmt;
use core::net::Ipv6Addr;

use super::{read_u32, HEADER_LEN};
use crate::wire::{Error, Result};

mod field {
    use core::ops::{Range, RangeFrom};
    pub const LIFETIME: Range<usize> = 4..8;
    pub const ADDRESSES: RangeFrom<usize> = 8..;
}

/// IPv6 addresses, either as they sit on the wire (16 bytes each, borrowed from a parsed
/// message) or as a slice to emit. Two lists are equal when they hold the same addresses in the
/// same order, whatever their form.
#[derive(Clone, Copy)]
pub enum Ipv6Addrs<'a> {
    /// Addresses back to back in wire order; a trailing partial address is ignored.
    Wire(&'a [u8]),
    /// Addresses to emit.
    List(&'a [Ipv6Addr]),
}

impl<'a> Ipv6Addrs<'a> {
    /// Number of addresses.
    pub fn len(&self) -> usize {
        match self {
            Ipv6Addrs::Wire(bytes) => bytes.len() / 16,
            Ipv6Addrs::List(list) => list.len(),
        }
    }

    /// `true` if there is no address.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The addresses in order.
    #[inline]
    pub fn iter(&self) -> Ipv6AddrsIter<'a> {
        match *self {
            Ipv6Addrs::Wire(bytes) => Ipv6AddrsIter::Wire(bytes),
            Ipv6Addrs::List(list) => Ipv6AddrsIter::List(list.iter()),
        }
    }
}

impl PartialEq for Ipv6Addrs<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for Ipv6Addrs<'_> {}

impl fmt::Debug for Ipv6Addrs<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Comma-separated addresses.
impl fmt::Display for Ipv6Addrs<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, a) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{a}")?;
        }
        Ok(())
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for Ipv6Addrs<'_> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "[");
        for a in self.iter() {
            defmt::write!(f, "{=[u8]} ", a.octets());
        }
        defmt::write!(f, "]");
    }
}

impl<'a> IntoIterator for Ipv6Addrs<'a> {
    type Item = Ipv6Addr;
    type IntoIter = Ipv6AddrsIter<'a>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// Iterator over [`Ipv6Addrs`].
#[derive(Debug, Clone)]
pub enum Ipv6AddrsIter<'a> {
    /// Over wire bytes: the ones not yet read.
    Wire(&'a [u8]),
    /// Over a list.
    List(core::slice::Iter<'a, Ipv6Addr>),
}

impl Iterator for Ipv6AddrsIter<'_> {
    type Item = Ipv6Addr;
    #[inline]
    fn next(&mut self) -> Option<Ipv6Addr> {
        match self {
            Ipv6AddrsIter::Wire(rest) => {
                let (addr, tail) = rest.split_first_chunk::<16>()?;
                *rest = tail;
                Some(Ipv6Addr::from(*addr))
            }
            Ipv6AddrsIter::List(list) => list.next().copied(),
        }
    }
}

/// Recursive DNS Server (RFC 8106 §5.1): resolvers the host may use for `lifetime` seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Rdnss<'a> {
    /// Seconds the servers may be used; 0 withdraws them, all ones is infinity.
    pub lifetime: u32,
    /// The servers, at least one.
    pub servers: Ipv6Addrs<'a>,
}

impl<'a> Rdnss<'a> {
    /// Smallest option: one server, Length 3.
    pub const MIN_LEN: usize = 24;

    #[inline]
    pub(crate) fn validate_wire(option: &[u8], offset: usize) -> Result<()> {
        let units = option.len() / 8;
        if units < 3 || units.is_multiple_of(2) {
            return Err(Error::BadOptionLength {
                code: 25,
                offset,
                len: option.len(),
            });
        }
        Ok(())
    }

    /// Decode an option that passed `validate_wire`.
    #[inline]
    pub(crate) fn from_wire(option: &'a [u8]) -> Self {
        Rdnss {
            lifetime: read_u32(option, field::LIFETIME.start),
            servers: Ipv6Addrs::Wire(option.get(field::ADDRESSES).unwrap_or(&[])),
        }
    }

    pub(crate) fn check(&self) -> Result<()> {
        if self.servers.is_empty() {
            return Err(Error::Malformed {
                what: "RDNSS without servers",
                offset: field::ADDRESSES.start,
            });
        }
        Ok(())
    }

    pub(crate) fn data_len(&self) -> usize {
        field::ADDRESSES.start - HEADER_LEN + 16 * self.servers.len()
    }

    #[inline]
    pub(crate) fn write_body(&self, option: &mut [u8]) {
        option[field::LIFETIME].copy_from_slice(&self.lifetime.to_be_bytes());
        if let Some(out) = option.get_mut(field::ADDRESSES) {
            for (chunk, addr) in out.chunks_exact_mut(16).zip(self.servers.iter()) {
                // Through the integer: a plain byte copy from the borrowed list becomes a
                // `memmove` call (LLVM cannot tell the lists apart), 1.6 KB of Thumb code.
                chunk.copy_from_slice(&u128::from(addr).to_be_bytes());
            }
        }
    }
}

/// `lifetime 600s, addr: 2001:db8::53, 2001:db8::54`, after tcpdump.
impl fmt::Display for Rdnss<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("lifetime ")?;
        super::fmt_lifetime(f, self.lifetime)?;
        write!(f, ", addr: {}", self.servers)
    }
}
