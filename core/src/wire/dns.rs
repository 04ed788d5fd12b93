//! DNS names in wire format (RFC 1035 §3.1), as RA DNSSL (RFC 8106 §5.2), DHCPv6 Domain Search
//! List (RFC 3646 §4) and Client FQDN (RFC 4704 §4.2) carry them: a sequence of length-prefixed
//! labels ending with a zero-length label, **without** compression (RFC 8106 §5.2, RFC 9915
//! §10). A label is at most 63 bytes and a name at most 255 bytes, terminator included.
//!
//! [`Name`] is a validated, borrowed name; [`NameList`] walks the names packed one after another
//! in an option. Nothing here allocates, and nothing panics on any input: every length is
//! checked before it is used.

use core::fmt;

/// The longest label (RFC 1035 §2.3.4).
pub const MAX_LABEL_LEN: usize = 63;
/// The longest name in wire format, length bytes and terminator included (RFC 1035 §2.3.4).
pub const MAX_NAME_LEN: usize = 255;

/// What is wrong with a DNS name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum NameError {
    /// A label is longer than 63 bytes (or, in a dotted name, empty).
    BadLabel,
    /// The name is longer than 255 bytes.
    TooLong,
    /// The bytes end before the terminating zero-length label.
    Unterminated,
    /// A compression pointer (top bits `11`) or a reserved label type (`01`, `10`).
    Compressed,
}

impl fmt::Display for NameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NameError::BadLabel => "label longer than 63 bytes or empty",
            NameError::TooLong => "name longer than 255 bytes",
            NameError::Unterminated => "no terminating zero-length label",
            NameError::Compressed => "compression pointer or reserved label type",
        })
    }
}

impl core::error::Error for NameError {}

/// A validated DNS name in wire format, borrowed: `bytes` holds the labels and the terminating
/// zero byte.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Name<'a> {
    bytes: &'a [u8],
}

impl<'a> Name<'a> {
    /// Read one name from the start of `buf`. Returns the name and the number of bytes it took.
    pub fn parse(buf: &'a [u8]) -> Result<(Name<'a>, usize), NameError> {
        let mut pos = 0usize;
        loop {
            let Some(&len) = buf.get(pos) else {
                return Err(NameError::Unterminated);
            };
            if len & 0xc0 != 0 {
                return Err(NameError::Compressed);
            }
            let len = usize::from(len);
            let next = pos + 1 + len;
            if next > MAX_NAME_LEN {
                return Err(NameError::TooLong);
            }
            if len == 0 {
                let bytes = buf.get(..next).ok_or(NameError::Unterminated)?;
                return Ok((Name { bytes }, next));
            }
            if next > buf.len() {
                return Err(NameError::Unterminated);
            }
            pos = next;
        }
    }

    /// The name in wire format, terminator included.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Length in wire format, terminator included.
    pub fn wire_len(&self) -> usize {
        self.bytes.len()
    }

    /// `true` for the root name (a lone zero byte).
    pub fn is_root(&self) -> bool {
        self.bytes.len() <= 1
    }

    /// The labels in order, without their length bytes.
    pub fn labels(&self) -> Labels<'a> {
        Labels { rest: self.bytes }
    }
}

/// Iterator over the labels of a [`Name`].
#[derive(Clone, Debug)]
pub struct Labels<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Labels<'a> {
    type Item = &'a [u8];
    fn next(&mut self) -> Option<&'a [u8]> {
        let (&len, tail) = self.rest.split_first()?;
        let len = usize::from(len);
        if len == 0 || len > tail.len() {
            self.rest = &[];
            return None;
        }
        let (label, rest) = tail.split_at(len);
        self.rest = rest;
        Some(label)
    }
}

/// Displays the name dotted, as `dig` would, without the trailing dot; bytes that are not
/// printable ASCII, and `.` or `\` inside a label, are escaped as `\DDD` (RFC 4343 §2.1).
impl fmt::Display for Name<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_root() {
            return f.write_str(".");
        }
        for (i, label) in self.labels().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            for &b in label {
                if b.is_ascii_graphic() && b != b'.' && b != b'\\' {
                    fmt::Write::write_char(f, char::from(b))?;
                } else {
                    write!(f, "\\{b:03}")?;
                }
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Name<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Name(\"{self}\")")
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for Name<'_> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "Name({=[u8]})", self.bytes)
    }
}

/// The names packed back to back in an option (DNSSL, DHCPv6 option 24).
///
/// Zero bytes after the last name are padding (RFC 8106 §5.2 pads DNSSL to a multiple of 8) and
/// end the list. The iterator yields `Err` once, for the first bad name, and then stops.
#[derive(Clone, Debug)]
pub struct NameList<'a> {
    buf: &'a [u8],
    pos: usize,
    done: bool,
}

impl<'a> NameList<'a> {
    /// Walk the names in `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        NameList {
            buf,
            pos: 0,
            done: false,
        }
    }

    /// Check every name; on failure, the offset (within `buf`) of the bad name and the reason.
    pub fn validate(buf: &'a [u8]) -> Result<(), (usize, NameError)> {
        let mut list = NameList::new(buf);
        while let Some(item) = list.next() {
            if let Err(e) = item {
                return Err((list.pos, e));
            }
        }
        Ok(())
    }
}

impl<'a> Iterator for NameList<'a> {
    type Item = Result<Name<'a>, NameError>;
    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let rest = self.buf.get(self.pos..).unwrap_or(&[]);
        if rest.iter().all(|&b| b == 0) {
            self.done = true;
            return None;
        }
        match Name::parse(rest) {
            Ok((name, used)) => {
                self.pos += used;
                Some(Ok(name))
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

/// Bytes that `name` (dotted text such as `"example.com"` or `"example.com."`) takes in wire
/// format, terminator included. `""` and `"."` are the root name (1 byte).
pub fn dotted_wire_len(name: &str) -> Result<usize, NameError> {
    let trimmed = name.strip_suffix('.').unwrap_or(name);
    if trimmed.is_empty() {
        return Ok(1);
    }
    let mut total = 1usize;
    for label in trimmed.split('.') {
        if label.is_empty() || label.len() > MAX_LABEL_LEN {
            return Err(NameError::BadLabel);
        }
        total += 1 + label.len();
    }
    if total > MAX_NAME_LEN {
        return Err(NameError::TooLong);
    }
    Ok(total)
}

/// Write `name` (dotted text) in wire format at the start of `out`; returns the bytes written.
/// Fails without writing anything if the name is invalid or `out` is too short.
pub fn emit_dotted(name: &str, out: &mut [u8]) -> Result<usize, super::Error> {
    let needed =
        dotted_wire_len(name).map_err(|reason| super::Error::BadName { offset: 0, reason })?;
    if out.len() < needed {
        return Err(super::Error::BufferTooSmall { needed });
    }
    let trimmed = name.strip_suffix('.').unwrap_or(name);
    let mut pos = 0;
    if !trimmed.is_empty() {
        for label in trimmed.split('.') {
            // Lengths were checked by dotted_wire_len: each label is 1..=63 bytes.
            out[pos] = label.len() as u8;
            out[pos + 1..pos + 1 + label.len()].copy_from_slice(label.as_bytes());
            pos += 1 + label.len();
        }
    }
    out[pos] = 0;
    Ok(pos + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::ToString;

    #[test]
    fn parses_the_seeds_search_domain() {
        let wire = b"\x0eopenstacklocal\x00";
        let (name, used) = Name::parse(wire).unwrap();
        assert_eq!(used, 16);
        assert_eq!(name.to_string(), "openstacklocal");
        let mut out = [0u8; 16];
        assert_eq!(emit_dotted("openstacklocal.", &mut out).unwrap(), 16);
        assert_eq!(&out, wire);
    }

    #[test]
    fn label_boundaries_0_63_64_255() {
        // Label of 63 bytes is valid, 64 has the top bit pattern 01 (reserved) -> rejected.
        let mut buf = [b'a'; 66];
        buf[0] = 63;
        buf[64] = 0;
        assert!(Name::parse(&buf[..65]).is_ok());
        buf[0] = 64;
        assert_eq!(Name::parse(&buf).unwrap_err(), NameError::Compressed);
        buf[0] = 255;
        assert_eq!(Name::parse(&buf).unwrap_err(), NameError::Compressed);
        // Zero-length label alone is the root.
        assert!(Name::parse(&[0]).unwrap().0.is_root());
        assert_eq!(Name::parse(&[]).unwrap_err(), NameError::Unterminated);
        assert_eq!(
            Name::parse(&[3, b'a', b'b']).unwrap_err(),
            NameError::Unterminated
        );
        assert_eq!(
            Name::parse(&[0xc0, 0x0c]).unwrap_err(),
            NameError::Compressed
        );
    }

    #[test]
    fn name_of_255_bytes_is_the_limit() {
        // 4 labels of 63 = 256 bytes + terminator: too long. 3×63 + one of 61 = 254 + 1 = 255.
        let mut buf = [b'x'; 300];
        let mut pos = 0;
        for len in [63u8, 63, 63, 61] {
            buf[pos] = len;
            pos += 1 + usize::from(len);
        }
        buf[pos] = 0;
        assert_eq!(Name::parse(&buf).unwrap().1, 255);
        let mut pos = 0;
        for len in [63u8, 63, 63, 62] {
            buf[pos] = len;
            pos += 1 + usize::from(len);
        }
        buf[pos] = 0;
        assert_eq!(Name::parse(&buf).unwrap_err(), NameError::TooLong);
    }

    #[test]
    fn name_list_stops_at_padding_and_reports_bad_names() {
        let wire = b"\x07example\x03com\x00\x03lab\x00\x00\x00\x00";
        let names: std::vec::Vec<_> = NameList::new(wire)
            .map(|n| n.unwrap().to_string())
            .collect();
        assert_eq!(names, ["example.com", "lab"]);
        assert_eq!(
            NameList::validate(b"\x03abc"),
            Err((0, NameError::Unterminated))
        );
    }

    #[test]
    fn dotted_names_are_checked_before_writing() {
        let mut out = [0xaau8; 8];
        assert!(emit_dotted("a..b", &mut out).is_err());
        assert_eq!(out, [0xaa; 8]);
        assert_eq!(
            emit_dotted("example.com", &mut out),
            Err(crate::wire::Error::BufferTooSmall { needed: 13 })
        );
        assert_eq!(out, [0xaa; 8]);
        assert_eq!(emit_dotted(".", &mut out).unwrap(), 1);
    }

    #[test]
    fn display_escapes_unprintable_bytes() {
        let (name, _) = Name::parse(b"\x03a.\x01\x00").unwrap();
        assert_eq!(name.to_string(), "a\\046\\001");
    }
}
