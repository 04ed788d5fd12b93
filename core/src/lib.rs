//! # sixconf-core
//!
//! IPv6 address configuration for a link, without I/O: `#![no_std]`, no allocation, no clocks,
//! no randomness of its own.
//!
//! - [`wire`]: zero-copy views and `Repr`s for ICMPv6 Neighbor Discovery (RFC 4861 and the RA
//!   options of RFC 4191, 8106, 8781, 8910, 9762) and DHCPv6 (RFC 9915).
//! - [`time`]: [`time::Instant`] and [`time::Duration`] in integer milliseconds, always passed in
//!   by the caller.
//!
//! Every decoder returns a typed [`wire::Error`] on bad input and never panics; once a view's
//! `check_len` has passed, none of its accessors can panic either.
#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::unreachable
    )
)]

#[cfg(test)]
extern crate std;

pub mod dhcpv6;
pub mod host;
pub mod profile;
pub mod ra;
#[cfg(test)]
mod test_seeds;
pub mod time;
pub mod wire;
