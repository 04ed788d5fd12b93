//! Reading packets typed or pasted as hex, as `sixconf decode` accepts them.
//!
//! Tolerated: whitespace and newlines, `0x` prefixes, `:` separators, and the offsets that
//! `tcpdump -x`/`-X` print at the start of each line (`0x0000:`). Anything after two spaces
//! following the hex on an `-X` line (the ASCII column) is not tolerated: paste `-x` output.

use std::fmt;

/// Why a hex string could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HexError {
    /// Position (in characters) of the first bad character in the input.
    pub position: usize,
    /// What was wrong.
    pub reason: &'static str,
}

impl fmt::Display for HexError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "bad hex at character {}: {}", self.position, self.reason)
    }
}

impl std::error::Error for HexError {}

/// Turn `text` into bytes. Line offsets such as `0x0010:` are skipped.
pub fn parse_hex(text: &str) -> Result<Vec<u8>, HexError> {
    let mut out = Vec::new();
    let mut pending: Option<u8> = None;
    let mut offset = 0usize;
    for line in text.lines() {
        let mut rest = line;
        let line_start = offset;
        // A tcpdump offset: optional "0x", hex digits, then ':' followed by whitespace.
        let trimmed = rest.trim_start();
        if let Some(colon) = trimmed.find(':') {
            let head = trimmed[..colon].trim_start_matches("0x");
            let after = &trimmed[colon + 1..];
            if !head.is_empty()
                && head.chars().all(|c| c.is_ascii_hexdigit())
                && (after.is_empty() || after.starts_with(char::is_whitespace))
                && trimmed.starts_with("0x")
            {
                rest = after;
            }
        }
        let skipped = line.len() - rest.len();
        let mut chars = rest.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            let pos = line_start + skipped + i;
            // Separators carry no meaning: tcpdump groups 4 digits, so a gap only ever falls
            // between whole bytes.
            if c.is_whitespace() || c == ':' || c == '-' {
                continue;
            }
            if c == '0' && matches!(chars.peek(), Some((_, 'x' | 'X'))) && pending.is_none() {
                chars.next();
                continue;
            }
            let Some(v) = c.to_digit(16) else {
                return Err(HexError {
                    position: pos,
                    reason: "not a hex digit",
                });
            };
            match pending.take() {
                Some(hi) => out.push(hi << 4 | v as u8),
                None => pending = Some(v as u8),
            }
        }
        offset += line.len() + 1;
    }
    if pending.is_some() {
        return Err(HexError {
            position: offset.saturating_sub(1),
            reason: "odd number of hex digits",
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_tcpdump_lines_with_offsets() {
        let text =
            "\t    0x0000:  40c0 0001 5180 0000 3840 0000 0000 2001\n\t    0x0010:  0db8 cafe";
        let bytes = parse_hex(text).unwrap();
        assert_eq!(bytes.len(), 20);
        assert_eq!(&bytes[..4], &[0x40, 0xc0, 0x00, 0x01]);
        assert_eq!(&bytes[16..], &[0x0d, 0xb8, 0xca, 0xfe]);
    }

    #[test]
    fn reads_plain_and_colon_separated_hex() {
        assert_eq!(
            parse_hex("fa:16:3e:79:5a:cc").unwrap(),
            [0xfa, 0x16, 0x3e, 0x79, 0x5a, 0xcc]
        );
        assert_eq!(parse_hex("0x8600 ff").unwrap(), [0x86, 0x00, 0xff]);
        assert_eq!(parse_hex("").unwrap(), Vec::<u8>::new());
    }

    #[test]
    fn rejects_bad_digits_and_odd_lengths() {
        assert_eq!(parse_hex("86zz").unwrap_err().position, 2);
        assert!(parse_hex("860").is_err());
    }
}
