//! Operating-system plumbing shared by `sixconf serve` and `sixconf client`.
//!
//! - [`rtnl`]: one rtnetlink request/acknowledgement and dump implementation, used by the
//!   router's routes to delegated prefixes ([`crate::serve::routes`]) and the host's addresses
//!   and routes ([`crate::client::netlink`]).

pub mod rtnl;
