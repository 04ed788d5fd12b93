//! Redirected Header option (RFC 4861 §4.6.3), type 4.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Type      |    Length     |            Reserved           |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                           Reserved                            |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                                                               |
//! ~                       IP header + data                        ~
//! |                                                               |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! The redirected packet (as much as fits) is kept as borrowed bytes; it is not decoded.

use core::fmt;

mod field {
    use core::ops::RangeFrom;
    pub const DATA: RangeFrom<usize> = 8..;
}

/// The start of the packet that triggered a Redirect (RFC 4861 §4.6.3), borrowed.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RedirectedHeader<'a> {
    data: &'a [u8],
}

impl<'a> RedirectedHeader<'a> {
    /// The first bytes of a redirected packet, to emit (padded with zeros to a multiple of 8).
    pub const fn new(data: &'a [u8]) -> Self {
        RedirectedHeader { data }
    }

    /// The IP header and data, with any padding.
    pub const fn data(&self) -> &'a [u8] {
        self.data
    }

    pub(crate) fn from_wire(option: &'a [u8]) -> Self {
        RedirectedHeader {
            data: option.get(field::DATA).unwrap_or(&[]),
        }
    }

    pub(crate) fn data_len(&self) -> usize {
        field::DATA.start - super::HEADER_LEN + self.data.len()
    }

    pub(crate) fn write_body(&self, option: &mut [u8]) {
        let start = field::DATA.start;
        if let Some(out) = option.get_mut(start..start + self.data.len()) {
            out.copy_from_slice(self.data);
        }
    }
}

impl fmt::Debug for RedirectedHeader<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RedirectedHeader({} bytes)", self.data.len())
    }
}
