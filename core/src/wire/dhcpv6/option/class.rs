//! Class and vendor options: User Class (15, RFC 9915 §21.15), Vendor Class (16, §21.16) and
//! Vendor-specific Information (17, §21.17).

use core::fmt;

use super::{be16, be32, write_hex, OptionCode, RawOption, RawOptions};
use crate::wire::dhcpv6::builder::Writer;
use crate::wire::{Error, Result};

/// Opaque items, each preceded by a 2-byte length (user-class-data, vendor-class-data,
/// §21.15–16). Checked: the items fill the bytes exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ClassData<'a> {
    bytes: &'a [u8],
}

impl<'a> ClassData<'a> {
    /// Check that `bytes` is a sequence of length-prefixed items; `offset` locates `bytes` in the
    /// message for the error.
    pub fn parse(bytes: &'a [u8], offset: usize) -> Result<ClassData<'a>> {
        let mut pos = 0usize;
        while pos < bytes.len() {
            let Some(len) = be16(bytes, pos) else {
                return Err(Error::Truncated {
                    offset: offset + bytes.len(),
                });
            };
            let next = pos + 2 + usize::from(len);
            if next > bytes.len() {
                return Err(Error::Malformed {
                    what: "class data item runs past the option",
                    offset: offset + pos,
                });
            }
            pos = next;
        }
        Ok(ClassData { bytes })
    }

    /// The items in wire order.
    pub fn iter(&self) -> impl Iterator<Item = &'a [u8]> + 'a {
        let mut rest = self.bytes;
        core::iter::from_fn(move || {
            let len = usize::from(be16(rest, 0)?);
            let item = rest.get(2..2 + len)?;
            rest = rest.get(2 + len..).unwrap_or(&[]);
            Some(item)
        })
    }

    /// The items' bytes, length prefixes included.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }
}

impl fmt::Display for ClassData<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, item) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write_hex(f, item)?;
        }
        Ok(())
    }
}

/// User Class (OPTION_USER_CLASS, §21.15).
pub type UserClass<'a> = ClassData<'a>;

impl<'a> ClassData<'a> {
    #[inline]
    pub(crate) fn parse_user_class(raw: &RawOption<'a>) -> Result<ClassData<'a>> {
        ClassData::parse(raw.data, raw.data_offset())
    }
}

/// Vendor Class (OPTION_VENDOR_CLASS, §21.16): an enterprise number and class data items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct VendorClass<'a> {
    /// The vendor's IANA enterprise number.
    pub enterprise_number: u32,
    /// vendor-class-data.
    pub data: ClassData<'a>,
}

impl<'a> VendorClass<'a> {
    #[inline]
    pub(crate) fn parse(raw: &RawOption<'a>) -> Result<VendorClass<'a>> {
        if raw.data.len() < 4 {
            return Err(raw.bad_len());
        }
        Ok(VendorClass {
            enterprise_number: be32(raw.data, 0).unwrap_or(0),
            data: ClassData::parse(raw.data.get(4..).unwrap_or(&[]), raw.data_offset() + 4)?,
        })
    }

    pub(crate) fn emit(&self, w: &mut Writer<'_>) {
        w.begin(u16::from(OptionCode::VendorClass));
        w.u32(self.enterprise_number).bytes(self.data.as_bytes());
        w.end();
    }
}

impl fmt::Display for VendorClass<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "enterprise {} {}", self.enterprise_number, self.data)
    }
}

/// Vendor-specific Information (OPTION_VENDOR_OPTS, §21.17): an enterprise number and
/// vendor suboptions with the 4-byte option header, kept as raw (code, data) pairs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct VendorOpts<'a> {
    /// The vendor's IANA enterprise number.
    pub enterprise_number: u32,
    suboptions: &'a [u8],
}

impl<'a> VendorOpts<'a> {
    #[inline]
    pub(crate) fn parse(raw: &RawOption<'a>) -> Result<VendorOpts<'a>> {
        if raw.data.len() < 4 {
            return Err(raw.bad_len());
        }
        let suboptions = raw.data.get(4..).unwrap_or(&[]);
        for sub in RawOptions::new(suboptions, raw.data_offset() + 4) {
            sub?;
        }
        Ok(VendorOpts {
            enterprise_number: be32(raw.data, 0).unwrap_or(0),
            suboptions,
        })
    }

    /// The vendor suboptions as `(code, data)` in wire order.
    pub fn iter(&self) -> impl Iterator<Item = (u16, &'a [u8])> + 'a {
        RawOptions::new(self.suboptions, 0)
            .map_while(|r| r.ok())
            .map(|r| (r.code, r.data))
    }

    /// The suboptions' bytes.
    pub fn suboptions(&self) -> &'a [u8] {
        self.suboptions
    }

    pub(crate) fn emit(&self, w: &mut Writer<'_>) {
        w.begin(u16::from(OptionCode::VendorOpts));
        w.u32(self.enterprise_number).bytes(self.suboptions);
        w.end();
    }
}

impl fmt::Display for VendorOpts<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "enterprise {}", self.enterprise_number)?;
        for (code, data) in self.iter() {
            write!(f, " (suboption {code} ")?;
            write_hex(f, data)?;
            f.write_str(")")?;
        }
        Ok(())
    }
}
