//! DHCPv6 engines (RFC 9915): the sans-IO server and client.
//!
//! The wire format lives in [`crate::wire::dhcpv6`]; this module holds the protocol logic.

pub mod client;
pub mod server;
