//! Captive-Portal option (RFC 8910 §2.3), type 37.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Type      |     Length    |              URI              .
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               .
//! .                                                               .
//! .                                                               .
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! The URI of the captive-portal API (RFC 8908), padded with NUL bytes to a multiple of 8; the
//! decoder strips the padding. The URI is kept as bytes: RFC 8910 does not promise UTF-8, and a
//! consumer must check it before use.

use core::fmt;

use super::HEADER_LEN;

mod field {
    use core::ops::RangeFrom;
    pub const URI: RangeFrom<usize> = 2..;
}

/// Captive-portal API URI (RFC 8910 §2.3), borrowed, without padding.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct CaptivePortal<'a> {
    uri: &'a [u8],
}

impl<'a> CaptivePortal<'a> {
    /// A URI to emit, e.g. `b"https://portal.example/api"`. RFC 8910 §2 uses
    /// `urn:ietf:params:capport:unrestricted` to say there is no portal.
    pub const fn new(uri: &'a [u8]) -> Self {
        CaptivePortal { uri }
    }

    /// The URI bytes, padding removed.
    pub const fn uri(&self) -> &'a [u8] {
        self.uri
    }

    /// The URI as text, if it is UTF-8.
    pub fn uri_str(&self) -> Option<&'a str> {
        core::str::from_utf8(self.uri).ok()
    }

    pub(crate) fn from_wire(option: &'a [u8]) -> Self {
        let mut uri = option.get(field::URI).unwrap_or(&[]);
        while let [rest @ .., 0] = uri {
            uri = rest;
        }
        CaptivePortal { uri }
    }

    pub(crate) fn data_len(&self) -> usize {
        self.uri.len()
    }

    pub(crate) fn write_body(&self, option: &mut [u8]) {
        if let Some(out) = option.get_mut(HEADER_LEN..HEADER_LEN + self.uri.len()) {
            out.copy_from_slice(self.uri);
        }
    }
}

/// The URI, with bytes that are not printable ASCII escaped as `\xHH`.
impl fmt::Display for CaptivePortal<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for &b in self.uri {
            if b.is_ascii_graphic() && b != b'\\' {
                fmt::Write::write_char(f, char::from(b))?;
            } else {
                write!(f, "\\x{b:02x}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Debug for CaptivePortal<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CaptivePortal(\"{self}\")")
    }
}
