//! Wire formats: zero-copy views over borrowed bytes, and small `Copy` `Repr`s that parse from
//! and emit into them.
//!
//! Each message family follows the same two layers (after smoltcp's `wire`):
//!
//! - a view `Packet<T: AsRef<[u8]>>` with `new_unchecked`, `new_checked` and `check_len`; once
//!   `check_len` has passed, **no accessor can panic**, whatever the bytes say;
//! - a `Repr<'a>` with `parse`, `buffer_len` and `emit`, where variable-length content (options,
//!   DNS names, nested DHCPv6 options) stays borrowed and is walked with iterators that validate as
//!   they go.
//!
//! Decoders return [`Error`], which says what was wrong and at which byte offset of the message.
//! Encoders write into a caller-owned buffer and fail with [`Error::BufferTooSmall`] leaving that
//! buffer as it was.

use core::fmt;

pub mod dhcpv6;
pub mod dns;
pub mod icmpv6;
pub mod ndisc;

/// Why a message could not be decoded or encoded.
///
/// Offsets count bytes from the start of the message being decoded (the ICMPv6 header, or the
/// DHCPv6 UDP payload).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Error {
    /// The bytes end at `offset` before the fixed part of a message or field is complete.
    Truncated {
        /// Offset where more bytes were needed.
        offset: usize,
    },
    /// An option's length is zero, below the option's minimum, above its maximum, or runs past
    /// the end of the message (RFC 4861 §4.6, RFC 9915 §21.1).
    BadOptionLength {
        /// The option's type (ND) or code (DHCPv6).
        code: u16,
        /// Offset of the option's first byte.
        offset: usize,
        /// The length as the option states it, in bytes.
        len: usize,
    },
    /// A field holds a value the RFC forbids (named by `what`).
    Malformed {
        /// The field, e.g. `"prefix length"` or `"preferred lifetime > valid lifetime"`.
        what: &'static str,
        /// Offset of the field.
        offset: usize,
    },
    /// The ICMPv6 checksum does not match the pseudo-header and message (RFC 4443 §2.3).
    BadChecksum {
        /// The checksum the bytes should carry.
        expected: u16,
        /// The checksum the bytes carry.
        found: u16,
    },
    /// The message type is not one this decoder handles.
    UnknownType {
        /// The type byte.
        value: u8,
    },
    /// A DNS name breaks RFC 1035 §3.1 (or uses compression, which RFC 8106 §5.2 and RFC 9915
    /// §10 forbid).
    BadName {
        /// Offset of the name's first byte.
        offset: usize,
        /// What is wrong with it.
        reason: dns::NameError,
    },
    /// DHCPv6 relay messages nested deeper than the decoder accepts (RFC 8415 §7.6).
    TooDeep {
        /// The nesting depth reached.
        depth: usize,
    },
    /// The output buffer cannot hold the message; `needed` bytes would.
    BufferTooSmall {
        /// Bytes the encoded message needs.
        needed: usize,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Error::Truncated { offset } => write!(f, "truncated at byte {offset}"),
            Error::BadOptionLength { code, offset, len } => {
                write!(f, "option {code} at byte {offset}: invalid length {len}")
            }
            Error::Malformed { what, offset } => write!(f, "invalid {what} at byte {offset}"),
            Error::BadChecksum { expected, found } => {
                write!(f, "bad checksum 0x{found:04x} (expected 0x{expected:04x})")
            }
            Error::UnknownType { value } => write!(f, "unknown message type {value}"),
            Error::BadName { offset, reason } => {
                write!(f, "invalid DNS name at byte {offset}: {reason}")
            }
            Error::TooDeep { depth } => write!(f, "relay messages nested {depth} deep"),
            Error::BufferTooSmall { needed } => {
                write!(f, "output buffer too small: {needed} bytes needed")
            }
        }
    }
}

impl core::error::Error for Error {}

/// The result of decoding or encoding.
pub type Result<T> = core::result::Result<T, Error>;
