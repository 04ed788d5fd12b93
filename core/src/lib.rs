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
//!
//! # Features
//!
//! Each engine is behind a Cargo feature, so that a firmware compiles and links only the engines
//! it runs. `default` enables all of them: with default features (std programs, docs.rs) the
//! whole crate is there. [`wire`], [`profile`] and [`time`] are always present.
//!
//! | feature | what it adds | dependencies |
//! |---|---|---|
//! | `ra` | module `ra`: the Router Advertisement engine (RFC 4861 §6.2) | |
//! | `host` | module `host`: the SLAAC host engine (RFC 4861 §6.3, RFC 4862, RFC 7217 stable IIDs); with `client` also `host::station` | `hmac`, `sha2` |
//! | `server` | module `dhcpv6::server`: the DHCPv6 server (RFC 9915 §18.3), addresses (IA_NA) | |
//! | `server-relay` | the server answers relayed messages (Relay-forw → Relay-repl, RFC 9915 §19); without it they are discarded and counted in `Counters::discarded` | (`server`) |
//! | `server-pd` | the server delegates prefixes (IA_PD, RFC 9915 §6.3); without it an IA_PD gets NoPrefixAvail (Solicit, Request) or NoBinding (Renew, Rebind, Release, Decline), like an IA_TA, and `LinkConfig::validate` refuses prefix pools | (`server`) |
//! | `client` | module `dhcpv6::client`: the DHCPv6 client (RFC 9915 §18.2), with reconfigure-key authentication (§20.4) | `hmac`, `md-5` |
//! | `defmt` | `defmt::Format` on every public type | `defmt` |
//!
//! A router on a microcontroller takes `default-features = false, features = ["ra", "server"]`:
//! `examples/firmware` (Advertiser + a 64-lease server on a Cortex-M3) fits 48 KiB of flash and
//! 16 KiB of RAM that way. Without `server-relay` and `server-pd` the server's code is about
//! 5 KiB smaller on Thumb-2.
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
#[cfg(feature = "host")]
#[cfg_attr(docsrs, doc(cfg(feature = "host")))]
pub mod host;
pub mod profile;
#[cfg(feature = "ra")]
#[cfg_attr(docsrs, doc(cfg(feature = "ra")))]
pub mod ra;
#[cfg(test)]
mod test_seeds;
pub mod time;
pub mod wire;
