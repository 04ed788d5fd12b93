//! DHCP Unique Identifiers (RFC 9915 §11), carried by the Client Identifier (§21.2) and Server
//! Identifier (§21.3) options.
//!
//! ```text
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |           DUID-type           |                               .
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               .
//! .              type-specific identifier (1..=128 bytes)         .
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! A DUID is 3..=130 bytes in total (a DUID of only a type, 2 bytes, identifies nothing; Kea
//! CVE-2019-6472 was a DUID longer than 130). DUIDs are compared as opaque bytes (§11); the typed
//! view [`Duid::kind`] is for display and for building one.

use core::fmt;

use super::{be16, be32, write_hex, RawOption};
use crate::wire::{Error, Result};

/// Shortest DUID: the 2-byte type and at least one byte of identifier.
pub const MIN_LEN: usize = 3;
/// Longest DUID: the 2-byte type and 128 bytes of identifier (RFC 9915 §11.1).
pub const MAX_LEN: usize = 130;

/// DUID-LLT, link-layer address plus time (§11.2).
pub const TYPE_LLT: u16 = 1;
/// DUID-EN, enterprise number plus identifier (§11.3).
pub const TYPE_EN: u16 = 2;
/// DUID-LL, link-layer address (§11.4).
pub const TYPE_LL: u16 = 3;
/// DUID-UUID (§11.5, RFC 6355).
pub const TYPE_UUID: u16 = 4;

/// A validated DUID (3..=130 bytes), borrowed.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Duid<'a> {
    bytes: &'a [u8],
}

/// The typed content of a DUID (RFC 9915 §11.2–11.5). A DUID whose type is unknown, or whose
/// length does not fit its type's structure, is [`DuidKind::Other`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum DuidKind<'a> {
    /// DUID-LLT (§11.2).
    Llt {
        /// Hardware type (IANA ARP parameters; 1 is Ethernet).
        hardware_type: u16,
        /// Seconds since 2000-01-01 00:00 UTC, modulo 2^32.
        time: u32,
        /// The link-layer address.
        link_layer_address: &'a [u8],
    },
    /// DUID-EN (§11.3).
    En {
        /// The vendor's IANA enterprise number.
        enterprise_number: u32,
        /// The vendor-assigned identifier.
        identifier: &'a [u8],
    },
    /// DUID-LL (§11.4).
    Ll {
        /// Hardware type.
        hardware_type: u16,
        /// The link-layer address.
        link_layer_address: &'a [u8],
    },
    /// DUID-UUID (§11.5).
    Uuid([u8; 16]),
    /// Any other DUID, or one too short for its type's structure.
    Other {
        /// DUID-type.
        duid_type: u16,
        /// The bytes after the type.
        data: &'a [u8],
    },
}

impl<'a> Duid<'a> {
    /// Check a DUID's length (3..=130 bytes) and wrap it.
    pub fn new(bytes: &'a [u8]) -> Result<Duid<'a>> {
        if !(MIN_LEN..=MAX_LEN).contains(&bytes.len()) {
            return Err(Error::Malformed {
                what: "DUID length outside 3..=130",
                offset: 0,
            });
        }
        Ok(Duid { bytes })
    }

    #[inline]
    pub(crate) fn parse_option(raw: &RawOption<'a>) -> Result<Duid<'a>> {
        if !(MIN_LEN..=MAX_LEN).contains(&raw.data.len()) {
            return Err(raw.bad_len());
        }
        Ok(Duid { bytes: raw.data })
    }

    /// The DUID's bytes, type included, as compared and stored.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// DUID-type.
    pub fn duid_type(&self) -> u16 {
        be16(self.bytes, 0).unwrap_or(0)
    }

    /// The typed content.
    pub fn kind(&self) -> DuidKind<'a> {
        let b = self.bytes;
        let body = b.get(2..).unwrap_or(&[]);
        let duid_type = self.duid_type();
        match (duid_type, b.len()) {
            (TYPE_LLT, 9..) => DuidKind::Llt {
                hardware_type: be16(b, 2).unwrap_or(0),
                time: be32(b, 4).unwrap_or(0),
                link_layer_address: b.get(8..).unwrap_or(&[]),
            },
            (TYPE_EN, 7..) => DuidKind::En {
                enterprise_number: be32(b, 2).unwrap_or(0),
                identifier: b.get(6..).unwrap_or(&[]),
            },
            (TYPE_LL, 5..) => DuidKind::Ll {
                hardware_type: be16(b, 2).unwrap_or(0),
                link_layer_address: b.get(4..).unwrap_or(&[]),
            },
            (TYPE_UUID, 18) => match <[u8; 16]>::try_from(body) {
                Ok(uuid) => DuidKind::Uuid(uuid),
                Err(_) => DuidKind::Other {
                    duid_type,
                    data: body,
                },
            },
            _ => DuidKind::Other {
                duid_type,
                data: body,
            },
        }
    }
}

impl DuidKind<'_> {
    /// Bytes this DUID takes on the wire, type included.
    pub fn buffer_len(&self) -> usize {
        2 + match self {
            DuidKind::Llt {
                link_layer_address, ..
            } => 6 + link_layer_address.len(),
            DuidKind::En { identifier, .. } => 4 + identifier.len(),
            DuidKind::Ll {
                link_layer_address, ..
            } => 2 + link_layer_address.len(),
            DuidKind::Uuid(_) => 16,
            DuidKind::Other { data, .. } => data.len(),
        }
    }

    /// Write the DUID into `out` and return it as a [`DuidBuf`]. Fails if it would be outside
    /// 3..=130 bytes.
    pub fn to_buf(&self) -> Result<DuidBuf> {
        let len = self.buffer_len();
        if !(MIN_LEN..=MAX_LEN).contains(&len) {
            return Err(Error::Malformed {
                what: "DUID length outside 3..=130",
                offset: 0,
            });
        }
        let mut bytes = [0u8; MAX_LEN];
        let mut pos = 0;
        let mut put = |data: &[u8]| {
            if let Some(d) = bytes.get_mut(pos..pos + data.len()) {
                d.copy_from_slice(data);
            }
            pos += data.len();
        };
        match self {
            DuidKind::Llt {
                hardware_type,
                time,
                link_layer_address,
            } => {
                put(&TYPE_LLT.to_be_bytes());
                put(&hardware_type.to_be_bytes());
                put(&time.to_be_bytes());
                put(link_layer_address);
            }
            DuidKind::En {
                enterprise_number,
                identifier,
            } => {
                put(&TYPE_EN.to_be_bytes());
                put(&enterprise_number.to_be_bytes());
                put(identifier);
            }
            DuidKind::Ll {
                hardware_type,
                link_layer_address,
            } => {
                put(&TYPE_LL.to_be_bytes());
                put(&hardware_type.to_be_bytes());
                put(link_layer_address);
            }
            DuidKind::Uuid(uuid) => {
                put(&TYPE_UUID.to_be_bytes());
                put(uuid);
            }
            DuidKind::Other { duid_type, data } => {
                put(&duid_type.to_be_bytes());
                put(data);
            }
        }
        Ok(DuidBuf {
            len: len as u8,
            bytes,
        })
    }
}

/// Prints as tcpdump does: `hwaddr/time type 1 time 482446373 fa163e22386b`,
/// `hwaddr type 1 fa163e06176f`, `enterprise 9 0a0b`, `uuid …`, or `type 9 …`.
impl fmt::Display for Duid<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind() {
            DuidKind::Llt {
                hardware_type,
                time,
                link_layer_address,
            } => {
                write!(f, "hwaddr/time type {hardware_type} time {time} ")?;
                write_hex(f, link_layer_address)
            }
            DuidKind::En {
                enterprise_number,
                identifier,
            } => {
                write!(f, "enterprise {enterprise_number} ")?;
                write_hex(f, identifier)
            }
            DuidKind::Ll {
                hardware_type,
                link_layer_address,
            } => {
                write!(f, "hwaddr type {hardware_type} ")?;
                write_hex(f, link_layer_address)
            }
            DuidKind::Uuid(uuid) => {
                f.write_str("uuid ")?;
                write_hex(f, &uuid)
            }
            DuidKind::Other { duid_type, data } => {
                write!(f, "type {duid_type} ")?;
                write_hex(f, data)
            }
        }
    }
}

impl fmt::Debug for Duid<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Duid({self})")
    }
}

/// An owned DUID (up to 130 bytes inline), for tables that outlive the message it came in.
#[derive(Clone, Copy)]
pub struct DuidBuf {
    len: u8,
    bytes: [u8; MAX_LEN],
}

impl DuidBuf {
    /// Copy a validated DUID.
    pub fn from_duid(duid: &Duid<'_>) -> DuidBuf {
        let mut bytes = [0u8; MAX_LEN];
        let src = duid.as_bytes();
        let len = src.len().min(MAX_LEN);
        if let (Some(d), Some(s)) = (bytes.get_mut(..len), src.get(..len)) {
            d.copy_from_slice(s);
        }
        DuidBuf {
            len: len as u8,
            bytes,
        }
    }

    /// Copy raw DUID bytes, checking 3..=130.
    pub fn from_bytes(bytes: &[u8]) -> Result<DuidBuf> {
        Ok(DuidBuf::from_duid(&Duid::new(bytes)?))
    }

    /// The DUID, borrowed.
    pub fn as_duid(&self) -> Duid<'_> {
        Duid {
            bytes: self.as_bytes(),
        }
    }

    /// The DUID's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or(&[])
    }
}

impl PartialEq for DuidBuf {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for DuidBuf {}

impl core::hash::Hash for DuidBuf {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.as_bytes().hash(state);
    }
}

impl fmt::Debug for DuidBuf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.as_duid(), f)
    }
}

impl fmt::Display for DuidBuf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.as_duid(), f)
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for DuidBuf {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "DuidBuf({=[u8]})", self.as_bytes())
    }
}
