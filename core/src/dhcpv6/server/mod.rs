//! DHCPv6 server engine (RFC 9915 §18.3), sans-IO.
pub mod table;
