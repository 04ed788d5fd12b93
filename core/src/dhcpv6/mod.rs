//! DHCPv6 engines (RFC 9915): sans-IO state machines over the `wire` codecs.

pub mod client;
