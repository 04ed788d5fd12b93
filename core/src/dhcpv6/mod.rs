//! DHCPv6 engines (RFC 9915): the sans-IO server.
//!
//! The wire format lives in [`crate::wire::dhcpv6`]; this module holds the protocol logic.

pub mod server;
