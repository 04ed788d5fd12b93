//! The few pieces of DHCPv6 framing the client needs (RFC 9915 §8, §21.1): an option walk over
//! borrowed bytes, validated before use, and a two-pass writer (measure, then write) so that a
//! message either fits the caller's buffer whole or is not written at all.
//!
//! Kept private and minimal: message semantics live in the engine.

use crate::wire::{Error, Result};

/// Message types (§7.3).
pub(super) mod kind {
    pub const SOLICIT: u8 = 1;
    pub const ADVERTISE: u8 = 2;
    pub const REQUEST: u8 = 3;
    pub const CONFIRM: u8 = 4;
    pub const RENEW: u8 = 5;
    pub const REBIND: u8 = 6;
    pub const REPLY: u8 = 7;
    pub const RELEASE: u8 = 8;
    pub const DECLINE: u8 = 9;
    pub const RECONFIGURE: u8 = 10;
    pub const INFORMATION_REQUEST: u8 = 11;
}

/// Option codes (§21, RFC 5908, RFC 7083 as folded into RFC 9915).
pub(super) mod code {
    pub const CLIENTID: u16 = 1;
    pub const SERVERID: u16 = 2;
    pub const IA_NA: u16 = 3;
    pub const IAADDR: u16 = 5;
    pub const ORO: u16 = 6;
    pub const PREFERENCE: u16 = 7;
    pub const ELAPSED_TIME: u16 = 8;
    pub const AUTH: u16 = 11;
    pub const STATUS_CODE: u16 = 13;
    pub const RAPID_COMMIT: u16 = 14;
    pub const RECONF_MSG: u16 = 19;
    pub const RECONF_ACCEPT: u16 = 20;
    pub const DNS_SERVERS: u16 = 23;
    pub const DOMAIN_LIST: u16 = 24;
    pub const IA_PD: u16 = 25;
    pub const IAPREFIX: u16 = 26;
    pub const INFORMATION_REFRESH_TIME: u16 = 32;
    pub const NTP_SERVER: u16 = 56;
    pub const SOL_MAX_RT: u16 = 82;
    pub const INF_MAX_RT: u16 = 83;
}

/// Status codes (§21.13).
pub(super) mod status {
    pub const SUCCESS: u16 = 0;
    pub const UNSPEC_FAIL: u16 = 1;
    #[allow(dead_code)] // named for completeness; the engine treats every failure alike
    pub const NO_ADDRS_AVAIL: u16 = 2;
    pub const NO_BINDING: u16 = 3;
    pub const NOT_ON_LINK: u16 = 4;
    pub const USE_MULTICAST: u16 = 5;
    #[allow(dead_code)]
    pub const NO_PREFIX_AVAIL: u16 = 6;
}

/// Check that `buf` is a well-formed sequence of options: each header complete and
/// `4 + option-len <= remaining` (an option ending exactly at the end is valid). `base` is the
/// offset of `buf` in the message, for error reporting.
pub(super) fn check_options(buf: &[u8], base: usize) -> Result<()> {
    let mut pos = 0usize;
    while pos < buf.len() {
        let hdr = buf.get(pos..pos + 4).ok_or(Error::Truncated {
            offset: base + buf.len(),
        })?;
        let code = u16::from_be_bytes([hdr[0], hdr[1]]);
        let len = usize::from(u16::from_be_bytes([hdr[2], hdr[3]]));
        if buf.len() - pos - 4 < len {
            return Err(Error::BadOptionLength {
                code,
                offset: base + pos,
                len,
            });
        }
        pos += 4 + len;
    }
    Ok(())
}

/// Options in a buffer already accepted by [`check_options`]; stops quietly at anything
/// malformed.
#[derive(Debug, Clone)]
pub(super) struct Opts<'a> {
    buf: &'a [u8],
}

impl<'a> Opts<'a> {
    pub(super) fn new(buf: &'a [u8]) -> Self {
        Opts { buf }
    }
}

impl<'a> Iterator for Opts<'a> {
    type Item = (u16, &'a [u8]);
    fn next(&mut self) -> Option<Self::Item> {
        let hdr = self.buf.get(..4)?;
        let code = u16::from_be_bytes([hdr[0], hdr[1]]);
        let len = usize::from(u16::from_be_bytes([hdr[2], hdr[3]]));
        let body = self.buf.get(4..4 + len)?;
        self.buf = self.buf.get(4 + len..).unwrap_or(&[]);
        Some((code, body))
    }
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
    let s = b.get(at..at + 8)?;
    let mut a = [0u8; 8];
    a.copy_from_slice(s);
    Some(u64::from_be_bytes(a))
}

pub(super) fn addr(b: &[u8], at: usize) -> Option<core::net::Ipv6Addr> {
    let s = b.get(at..at + 16)?;
    let mut a = [0u8; 16];
    a.copy_from_slice(s);
    Some(core::net::Ipv6Addr::from(a))
}

/// A Status Code option's code (§21.13); a body shorter than 2 bytes reads as UnspecFail.
pub(super) fn status_of(body: &[u8]) -> u16 {
    be16(body, 0).unwrap_or(status::UNSPEC_FAIL)
}

/// Writes a message, or only measures it when it has no buffer.
pub(super) struct Writer<'a> {
    buf: Option<&'a mut [u8]>,
    len: usize,
    /// A nested option grew past 65535 bytes: the message cannot be encoded.
    oversized: bool,
}

impl<'a> Writer<'a> {
    /// A writer that only counts bytes.
    pub(super) fn measure() -> Writer<'static> {
        Writer {
            buf: None,
            len: 0,
            oversized: false,
        }
    }

    /// A writer into `buf`, which the caller has checked is large enough (see [`encode`]).
    fn into(buf: &'a mut [u8]) -> Writer<'a> {
        Writer {
            buf: Some(buf),
            len: 0,
            oversized: false,
        }
    }

    pub(super) fn bytes(&mut self, b: &[u8]) {
        if let Some(buf) = self.buf.as_deref_mut() {
            if let Some(dst) = buf.get_mut(self.len..self.len + b.len()) {
                dst.copy_from_slice(b);
            }
        }
        self.len = self.len.saturating_add(b.len());
    }

    pub(super) fn u8(&mut self, v: u8) {
        self.bytes(&[v]);
    }
    pub(super) fn u16(&mut self, v: u16) {
        self.bytes(&v.to_be_bytes());
    }
    pub(super) fn u32(&mut self, v: u32) {
        self.bytes(&v.to_be_bytes());
    }

    /// A whole option with its body.
    pub(super) fn option(&mut self, code: u16, body: &[u8]) {
        let at = self.begin(code);
        self.bytes(body);
        self.end(at);
    }

    /// Start an option whose length is patched by [`Writer::end`].
    pub(super) fn begin(&mut self, code: u16) -> usize {
        let at = self.len;
        self.u16(code);
        self.u16(0);
        at
    }

    /// Patch the length of the option started at `at`.
    pub(super) fn end(&mut self, at: usize) {
        let body = self.len.saturating_sub(at + 4);
        let Ok(len) = u16::try_from(body) else {
            self.oversized = true;
            return;
        };
        if let Some(buf) = self.buf.as_deref_mut() {
            if let Some(dst) = buf.get_mut(at + 2..at + 4) {
                dst.copy_from_slice(&len.to_be_bytes());
            }
        }
    }
}

/// Run `write` once to measure and once into `buf`; fails with `BufferTooSmall` (buffer
/// untouched) if it does not fit, or `Malformed` if a nested option would exceed 65535 bytes.
pub(super) fn encode(buf: &mut [u8], mut write: impl FnMut(&mut Writer<'_>)) -> Result<usize> {
    let mut m = Writer::measure();
    write(&mut m);
    if m.oversized {
        return Err(Error::Malformed {
            what: "option longer than 65535 bytes",
            offset: 0,
        });
    }
    if m.len > buf.len() {
        return Err(Error::BufferTooSmall { needed: m.len });
    }
    let mut w = Writer::into(buf);
    write(&mut w);
    Ok(w.len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn option_walk_accepts_exact_end_and_rejects_one_byte_over() {
        let exact = [0, 1, 0, 2, 0xaa, 0xbb];
        assert_eq!(check_options(&exact, 4), Ok(()));
        assert_eq!(Opts::new(&exact).collect::<heapless::Vec<_, 2>>().len(), 1);
        let over = [0, 1, 0, 3, 0xaa, 0xbb];
        assert_eq!(
            check_options(&over, 4),
            Err(Error::BadOptionLength {
                code: 1,
                offset: 4,
                len: 3
            })
        );
        assert_eq!(
            check_options(&[0, 1, 0], 4),
            Err(Error::Truncated { offset: 7 })
        );
        assert_eq!(check_options(&[], 4), Ok(()));
    }

    #[test]
    fn encode_patches_nested_lengths_and_leaves_small_buffer_untouched() {
        let write = |w: &mut Writer<'_>| {
            let outer = w.begin(3);
            w.u32(1);
            w.option(5, &[9; 3]);
            w.end(outer);
        };
        let mut buf = [0u8; 64];
        let n = encode(&mut buf, write).unwrap();
        assert_eq!(&buf[..n], &[0, 3, 0, 11, 0, 0, 0, 1, 0, 5, 0, 3, 9, 9, 9]);
        let mut small = [0xeeu8; 14];
        assert_eq!(
            encode(&mut small, write),
            Err(Error::BufferTooSmall { needed: 15 })
        );
        assert_eq!(small, [0xee; 14]);
    }
}
