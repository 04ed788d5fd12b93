//! # sixconf
//!
//! The std adapter for [`sixconf_core`]: everything that touches the operating system (sockets,
//! the run loop, the lease store, netlink, configuration files) and the `sixconf` command.
//! The core decides; this crate acts.

pub mod capture;
pub mod client;
pub mod config;
pub mod decode;
pub mod demo;
pub mod hex;
pub mod net;
pub mod serve;
pub mod store;
pub mod text;
