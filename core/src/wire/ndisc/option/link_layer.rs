//! Source and Target Link-Layer Address options (RFC 4861 §4.6.1), types 1 and 2.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Type      |    Length     |    Link-Layer Address ...
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! The address's length depends on the link type, which the option does not carry: on Ethernet
//! (RFC 2464 §6) the option is 8 bytes and holds 6 address bytes. The decoder therefore keeps
//! every byte after the Length field (address and any padding), borrowed; nothing is copied into
//! a buffer sized from the wire (CVE-2017-14492).

use core::fmt;

use super::HEADER_LEN;

mod field {
    use core::ops::RangeFrom;
    pub const ADDRESS: RangeFrom<usize> = 2..;
}

/// The link-layer address carried by a Source or Target Link-Layer Address option
/// (RFC 4861 §4.6.1): every byte after the Length field, borrowed.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct LinkLayerAddress<'a> {
    bytes: &'a [u8],
}

impl<'a> LinkLayerAddress<'a> {
    /// Wrap address bytes to emit (6 for Ethernet). The option is padded with zeros to a
    /// multiple of 8 bytes.
    pub const fn new(bytes: &'a [u8]) -> Self {
        LinkLayerAddress { bytes }
    }

    /// The bytes after the Length field: the address and any padding.
    pub const fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The Ethernet address (RFC 2464 §6), if the option has the Ethernet size (8 bytes).
    pub fn ethernet(&self) -> Option<[u8; 6]> {
        match *self.bytes {
            [a, b, c, d, e, f] => Some([a, b, c, d, e, f]),
            _ => None,
        }
    }

    pub(crate) fn from_wire(option: &'a [u8]) -> Self {
        LinkLayerAddress {
            bytes: option.get(field::ADDRESS).unwrap_or(&[]),
        }
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

/// Colon-separated hex, as tcpdump prints it (`fa:16:3e:79:5a:cc`).
impl fmt::Display for LinkLayerAddress<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, b) in self.bytes.iter().enumerate() {
            if i > 0 {
                f.write_str(":")?;
            }
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for LinkLayerAddress<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LinkLayerAddress({self})")
    }
}
