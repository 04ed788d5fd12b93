//! DNS Search List option (RFC 8106 §5.2), type 31.
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
//! :                Domain Names of DNS Search List                :
//! |                                                               |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! Length is at least 2. The names are RFC 1035 §3.1 wire names without compression, padded with
//! zeros to the option's end; every name is validated when the option is parsed (labels ≤ 63,
//! names ≤ 255, terminated, no pointers: CVE-2011-3601/3604), so iteration cannot fail.

use core::fmt;

use super::{read_u32, HEADER_LEN};
use crate::wire::dns::{self, Name};
use crate::wire::{Error, Result};

mod field {
    use core::ops::{Range, RangeFrom};
    pub const LIFETIME: Range<usize> = 4..8;
    pub const NAMES: RangeFrom<usize> = 8..;
}

/// One search domain: a validated wire name from a parsed option, or dotted text to emit.
#[derive(Clone, Copy)]
pub enum Domain<'a> {
    /// A name as it sits on the wire.
    Wire(Name<'a>),
    /// Dotted text such as `"example.com"` (trailing dot optional), checked on emit.
    Dotted(&'a str),
}

impl Domain<'_> {
    /// Length in wire format, terminator included; `None` for invalid dotted text.
    pub fn wire_len(&self) -> Option<usize> {
        match self {
            Domain::Wire(name) => Some(name.wire_len()),
            Domain::Dotted(text) => dns::dotted_wire_len(text).ok(),
        }
    }

    /// Write the wire form at the start of `out`; `None` if it is invalid or does not fit.
    pub fn write_wire(&self, out: &mut [u8]) -> Option<usize> {
        match self {
            Domain::Wire(name) => {
                let bytes = name.as_bytes();
                out.get_mut(..bytes.len())?.copy_from_slice(bytes);
                Some(bytes.len())
            }
            Domain::Dotted(text) => dns::emit_dotted(text, out).ok(),
        }
    }
}

impl PartialEq for Domain<'_> {
    fn eq(&self, other: &Self) -> bool {
        let mut a = [0u8; dns::MAX_NAME_LEN];
        let mut b = [0u8; dns::MAX_NAME_LEN];
        match (self.write_wire(&mut a), other.write_wire(&mut b)) {
            (Some(la), Some(lb)) => a.get(..la) == b.get(..lb),
            (None, None) => match (self, other) {
                (Domain::Dotted(x), Domain::Dotted(y)) => x == y,
                _ => false,
            },
            _ => false,
        }
    }
}

impl Eq for Domain<'_> {}

/// Dotted, without the trailing dot (the root prints as `.`).
impl fmt::Display for Domain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Domain::Wire(name) => write!(f, "{name}"),
            Domain::Dotted(text) => {
                let t = text.strip_suffix('.').unwrap_or(text);
                f.write_str(if t.is_empty() { "." } else { t })
            }
        }
    }
}

impl fmt::Debug for Domain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{self}\"")
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for Domain<'_> {
    fn format(&self, f: defmt::Formatter<'_>) {
        match self {
            Domain::Wire(name) => defmt::write!(f, "{}", name),
            Domain::Dotted(text) => defmt::write!(f, "{=str}", text),
        }
    }
}

/// A search list: wire names borrowed from a parsed option (validated, zero padding at the end),
/// or dotted names to emit. Two lists are equal when they hold the same names in the same order.
#[derive(Clone, Copy)]
pub enum Domains<'a> {
    /// The option's name bytes, padding included, already validated.
    Wire(&'a [u8]),
    /// Dotted names to emit.
    List(&'a [&'a str]),
}

impl<'a> Domains<'a> {
    /// The names in order.
    pub fn iter(&self) -> DomainsIter<'a> {
        match *self {
            Domains::Wire(bytes) => DomainsIter::Wire(bytes),
            Domains::List(list) => DomainsIter::List(list.iter()),
        }
    }

    /// Number of names.
    pub fn len(&self) -> usize {
        self.iter().count()
    }

    /// `true` if there is no name.
    pub fn is_empty(&self) -> bool {
        self.iter().next().is_none()
    }

    /// Bytes the names take in wire format (invalid dotted names count as 0; emit rejects them).
    pub fn wire_len(&self) -> usize {
        self.iter().map(|d| d.wire_len().unwrap_or(0)).sum()
    }
}

impl PartialEq for Domains<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for Domains<'_> {}

impl fmt::Debug for Domains<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Comma-separated names.
impl fmt::Display for Domains<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for Domains<'_> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "[");
        for d in self.iter() {
            defmt::write!(f, "{} ", d);
        }
        defmt::write!(f, "]");
    }
}

impl<'a> IntoIterator for Domains<'a> {
    type Item = Domain<'a>;
    type IntoIter = DomainsIter<'a>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// Iterator over [`Domains`].
#[derive(Clone, Debug)]
pub enum DomainsIter<'a> {
    /// Over wire names: the bytes not yet walked.
    Wire(&'a [u8]),
    /// Over dotted names.
    List(core::slice::Iter<'a, &'a str>),
}

impl<'a> Iterator for DomainsIter<'a> {
    type Item = Domain<'a>;
    fn next(&mut self) -> Option<Domain<'a>> {
        match self {
            // Validated at parse; an invalid name (only possible for hand-built lists) ends it.
            DomainsIter::Wire(rest) => match next_wire_name(rest)? {
                Ok((name, used)) => {
                    *rest = rest.get(used..).unwrap_or(&[]);
                    Some(Domain::Wire(name))
                }
                Err(_) => {
                    *rest = &[];
                    None
                }
            },
            DomainsIter::List(list) => list.next().map(|t| Domain::Dotted(t)),
        }
    }
}

/// DNS Search List (RFC 8106 §5.2): domains to search for `lifetime` seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Dnssl<'a> {
    /// Seconds the list may be used; 0 withdraws it, all ones is infinity.
    pub lifetime: u32,
    /// The domains, in order of preference.
    pub domains: Domains<'a>,
}

impl<'a> Dnssl<'a> {
    /// Smallest option: Length 2.
    pub const MIN_LEN: usize = 16;

    pub(crate) fn validate_wire(option: &[u8], offset: usize) -> Result<()> {
        if option.len() < Self::MIN_LEN {
            return Err(Error::BadOptionLength {
                code: 31,
                offset,
                len: option.len(),
            });
        }
        let names = option.get(field::NAMES).unwrap_or(&[]);
        let mut pos = 0;
        while let Some(next) = next_wire_name(names.get(pos..).unwrap_or(&[])) {
            match next {
                Ok((_, used)) => pos += used,
                Err(reason) => {
                    return Err(Error::BadName {
                        offset: offset + field::NAMES.start + pos,
                        reason,
                    })
                }
            }
        }
        Ok(())
    }

    /// Decode an option that passed `validate_wire`.
    pub(crate) fn from_wire(option: &'a [u8]) -> Self {
        Dnssl {
            lifetime: read_u32(option, field::LIFETIME.start),
            domains: Domains::Wire(option.get(field::NAMES).unwrap_or(&[])),
        }
    }

    pub(crate) fn data_len(&self) -> usize {
        field::NAMES.start - HEADER_LEN + self.domains.wire_len()
    }

    /// Validate the names and return the bytes after the Length field, before padding.
    pub(crate) fn checked_data_len(&self) -> Result<usize> {
        let mut offset = field::NAMES.start;
        for domain in self.domains.iter() {
            match domain {
                Domain::Wire(name) => offset += name.wire_len(),
                Domain::Dotted(text) => {
                    offset += dns::dotted_wire_len(text)
                        .map_err(|reason| Error::BadName { offset, reason })?;
                }
            }
        }
        Ok(offset - HEADER_LEN)
    }

    /// Write lifetime and names into the zeroed option; returns the bytes after the Length
    /// field, before padding.
    pub(crate) fn write_body(&self, option: &mut [u8]) -> usize {
        option[field::LIFETIME].copy_from_slice(&self.lifetime.to_be_bytes());
        let mut pos = field::NAMES.start;
        for domain in self.domains.iter() {
            let Some(out) = option.get_mut(pos..) else {
                break;
            };
            pos += match domain {
                Domain::Wire(name) => {
                    let bytes = name.as_bytes();
                    if let Some(o) = out.get_mut(..bytes.len()) {
                        o.copy_from_slice(bytes);
                    }
                    bytes.len()
                }
                Domain::Dotted(text) => write_dotted(text, out),
            };
        }
        pos - HEADER_LEN
    }
}

/// Write dotted `text`, already validated by `dotted_wire_len`, as labels into `out` (zeroed,
/// so the terminator is already there); returns its wire length.
fn write_dotted(text: &str, out: &mut [u8]) -> usize {
    let trimmed = text.strip_suffix('.').unwrap_or(text);
    let mut pos = 0;
    if !trimmed.is_empty() {
        for label in trimmed.split('.') {
            let bytes = label.as_bytes();
            if let Some(o) = out.get_mut(pos..pos + 1 + bytes.len()) {
                if let Some((len, rest)) = o.split_first_mut() {
                    *len = bytes.len() as u8;
                    rest.copy_from_slice(bytes);
                }
            }
            pos += 1 + bytes.len();
        }
    }
    pos + 1
}

/// The next name in `bytes` by [`dns::NameList`]'s rules (zeros to the end are padding), without
/// rescanning the rest for zeros at every name.
fn next_wire_name(bytes: &[u8]) -> Option<core::result::Result<(Name<'_>, usize), dns::NameError>> {
    match bytes.first()? {
        0 if bytes.iter().all(|&b| b == 0) => None,
        _ => Some(Name::parse(bytes)),
    }
}

/// `lifetime 600s, domain(s): example.com, lab`, after tcpdump.
impl fmt::Display for Dnssl<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("lifetime ")?;
        super::fmt_lifetime(f, self.lifetime)?;
        write!(f, ", domain(s): {}", self.domains)
    }
}
