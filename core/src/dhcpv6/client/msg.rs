//! Lenient reading of received DHCPv6 options, over the shared codec's raw option walk
//! ([`RawOptions`]).
//!
//! The client deliberately does not use the codec's strict [`Options::parse`] on what it
//! receives: that rejects a whole message for one bad option, while RFC 9915 asks a client to
//! drop only the offending part: an IA Address whose preferred lifetime exceeds its valid
//! lifetime (§18.2.10.1), an IA whose T1 exceeds T2 (§21.4), a SOL_MAX_RT outside 60..=86400
//! (§21.24). So the message's option *framing* is checked once ([`check`]), and each option's
//! content is judged where it is used.
//!
//! The codec's [`Options::parse_lenient`] ignores exactly the options the RFCs name (SOL_MAX_RT
//! and INF_MAX_RT out of range, an IA Address or IA Prefix with preferred > valid lifetime) but
//! still rejects the message for any other malformed option. The client stays more forgiving,
//! per part: an IA with T1 > T2 or with broken nested options is dropped alone (§21.4) and
//! counted (`ignored_ia`, `ignored_lease`), the rest of the Reply still used; so it keeps this
//! raw walk.
//!
//! [`Options::parse`]: crate::wire::dhcpv6::Options::parse
//! [`Options::parse_lenient`]: crate::wire::dhcpv6::Options::parse_lenient

use core::net::Ipv6Addr;

use crate::wire::dhcpv6::option::RawOptions;
use crate::wire::dhcpv6::{OptionCode, RawOption, StatusCode};
use crate::wire::Result;

/// Check that `buf` is a well-formed sequence of options (each header complete and
/// `4 + option-len <= remaining`; an option ending exactly at the end is valid). `base` is the
/// offset of `buf` in the message, for error reporting.
pub(super) fn check(buf: &[u8], base: usize) -> Result<()> {
    for raw in RawOptions::new(buf, base) {
        raw?;
    }
    Ok(())
}

/// The options of a buffer already accepted by [`check`], raw, with their offsets.
pub(super) fn raw(buf: &[u8], base: usize) -> impl Iterator<Item = RawOption<'_>> {
    RawOptions::new(buf, base).map_while(|r| r.ok())
}

/// The options of a buffer already accepted by [`check`]: code and data.
pub(super) fn walk(buf: &[u8]) -> impl Iterator<Item = (OptionCode, &[u8])> {
    raw(buf, 0).map(|r| (r.option_code(), r.data))
}

pub(super) fn be16(b: &[u8], at: usize) -> Option<u16> {
    let s = b.get(at..at + 2)?;
    Some(u16::from_be_bytes([s[0], s[1]]))
}

pub(super) fn be32(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at + 4)?;
    Some(u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
}

pub(super) fn be64(b: &[u8], at: usize) -> Option<u64> {
    let s: [u8; 8] = b.get(at..at + 8)?.try_into().ok()?;
    Some(u64::from_be_bytes(s))
}

pub(super) fn addr(b: &[u8], at: usize) -> Option<Ipv6Addr> {
    let s: [u8; 16] = b.get(at..at + 16)?.try_into().ok()?;
    Some(Ipv6Addr::from(s))
}

/// A Status Code option's code (§21.13); a body shorter than 2 bytes reads as UnspecFail.
pub(super) fn status_of(body: &[u8]) -> StatusCode {
    be16(body, 0).map_or(StatusCode::UnspecFail, StatusCode::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Error;

    #[test]
    fn framing_accepts_exact_end_and_rejects_one_byte_over() {
        let exact = [0, 1, 0, 2, 0xaa, 0xbb];
        assert_eq!(check(&exact, 4), Ok(()));
        assert_eq!(walk(&exact).count(), 1);
        let over = [0, 1, 0, 3, 0xaa, 0xbb];
        assert_eq!(
            check(&over, 4),
            Err(Error::BadOptionLength {
                code: 1,
                offset: 4,
                len: 3
            })
        );
        assert!(check(&[0, 1, 0], 4).is_err());
        assert_eq!(check(&[], 4), Ok(()));
        assert_eq!(status_of(&[0]), StatusCode::UnspecFail);
        assert_eq!(status_of(&[0, 3]), StatusCode::NoBinding);
    }
}
