//! Tests of the DHCPv6 codec: the seed's exchanges, scapy-built messages, the CVE table of
//! REFERENCES.md, length boundaries, relay nesting, and property tests.

use std::string::{String, ToString};
use std::vec::Vec;

mod boundaries;
mod cve;
mod duid;
mod props;
mod receipt;
mod relay;
mod scapy;
mod seed;

/// Decode hex (whitespace ignored).
pub(crate) fn hex(s: &str) -> Vec<u8> {
    let digits: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    assert!(digits.len().is_multiple_of(2), "odd hex length");
    digits
        .chunks(2)
        .map(|p| u8::from_str_radix(core::str::from_utf8(p).unwrap(), 16).unwrap())
        .collect()
}

/// Encode hex.
pub(crate) fn to_hex(b: &[u8]) -> String {
    b.iter().map(|x| std::format!("{x:02x}")).collect()
}

/// An option's bytes.
pub(crate) fn opt(code: u16, data: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    v.extend_from_slice(&code.to_be_bytes());
    v.extend_from_slice(&(data.len() as u16).to_be_bytes());
    v.extend_from_slice(data);
    v
}

/// A client/server message with `options` (concatenated).
pub(crate) fn msg(msg_type: u8, xid: u32, options: &[Vec<u8>]) -> Vec<u8> {
    let mut v = std::vec![msg_type];
    v.extend_from_slice(&xid.to_be_bytes()[1..]);
    for o in options {
        v.extend_from_slice(o);
    }
    v
}

/// Display and Debug of everything reachable from a parse, so that formatting is exercised.
pub(crate) fn render(repr: &super::Repr<'_>) -> String {
    let mut s = repr.to_string();
    s.push_str(&std::format!("{repr:?}"));
    if let super::Repr::Relayed(chain) = repr {
        for layer in chain.layers() {
            s.push_str(&std::format!("{layer:?}"));
        }
    }
    for o in repr.message().options.iter() {
        s.push_str(&o.to_string());
    }
    s
}
