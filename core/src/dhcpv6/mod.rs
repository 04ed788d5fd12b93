//! DHCPv6 engines (RFC 9915): the sans-IO server and client.
//!
//! The wire format lives in [`crate::wire::dhcpv6`]; this module holds the protocol logic.

#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
pub mod client;
#[cfg(feature = "server")]
#[cfg_attr(docsrs, doc(cfg(feature = "server")))]
pub mod server;
