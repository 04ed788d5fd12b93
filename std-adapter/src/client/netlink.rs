//! What the client applies to the kernel over rtnetlink: addresses with their lifetimes
//! (`IFA_CACHEINFO`) and routes with an expiry (`RTA_EXPIRES`) and a router preference
//! (`RTA_PREF`, RFC 4191 §2.1). Requests are acknowledged one by one ([`crate::net::rtnl`], shared with the
//! `serve` runtime's [`crate::serve::routes`]).

use std::io;
use std::net::{IpAddr, Ipv6Addr};

use netlink_packet_core::{NLM_F_ACK, NLM_F_CREATE, NLM_F_REPLACE, NLM_F_REQUEST};
use netlink_packet_route::address::{
    AddressAttribute, AddressFlags, AddressHeader, AddressMessage, AddressScope, CacheInfo,
};
use netlink_packet_route::route::{
    RouteAddress, RouteAttribute, RouteHeader, RouteMessage, RoutePreference, RouteProtocol,
    RouteScope, RouteType,
};
use netlink_packet_route::{AddressFamily, RouteNetlinkMessage};

use crate::net::rtnl::Rtnl;

use sixconf_core::host::Preference;
use sixconf_core::time::Duration;

/// A lifetime in whole seconds as the kernel takes it (`0xffffffff`: infinite).
pub fn kernel_secs(d: Duration) -> u32 {
    if d == Duration::MAX {
        u32::MAX
    } else {
        u32::try_from(d.total_millis() / 1000)
            .unwrap_or(u32::MAX)
            .min(u32::MAX - 1)
    }
}

/// Route metric of what the client installs (the kernel's own RA routes use 1024 too).
pub const METRIC: u32 = 1024;
/// Metric of the `unreachable` route for a delegated prefix: the last resort, below every
/// route to a part of the prefix (netifd uses the same, 2^31).
pub const UNREACHABLE_METRIC: u32 = 2_147_483_648;

/// A route the client installs: destination, and next hop if any (else on-link).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RouteKey {
    /// Destination prefix (`::` for the default route).
    pub dest: Ipv6Addr,
    /// Its length.
    pub len: u8,
    /// The router, or `None` for an on-link prefix.
    pub via: Option<Ipv6Addr>,
}

/// An rtnetlink socket for one interface.
#[derive(Debug)]
pub struct Kernel {
    rtnl: Rtnl,
    ifindex: u32,
}

fn route_preference(p: Preference) -> RoutePreference {
    match p {
        Preference::Low => RoutePreference::Low,
        Preference::Medium => RoutePreference::Medium,
        Preference::High => RoutePreference::High,
    }
}

impl Kernel {
    /// Open the socket for interface `ifindex`.
    pub fn open(ifindex: u32) -> io::Result<Kernel> {
        Ok(Kernel {
            rtnl: Rtnl::open()?,
            ifindex,
        })
    }

    fn address_message(&self, address: Ipv6Addr, prefix_len: u8) -> AddressMessage {
        let mut m = AddressMessage::default();
        m.header = AddressHeader {
            family: AddressFamily::Inet6,
            prefix_len,
            scope: AddressScope::Universe,
            index: self.ifindex,
            ..AddressHeader::default()
        };
        m.attributes
            .push(AddressAttribute::Address(IpAddr::V6(address)));
        m
    }

    /// Add (or update) `address`/`prefix_len` with these lifetimes. Without
    /// `IFA_F_NODAD` the kernel runs Duplicate Address Detection on a new address (RFC 4862
    /// §5.4) and marks it `IFA_F_DADFAILED` on a conflict; updating an existing address only
    /// changes its lifetimes. `IFA_F_NOPREFIXROUTE`: on-link routes come from the RA's L flag,
    /// not from the address (RFC 5942 §4).
    pub fn set_address(
        &mut self,
        address: Ipv6Addr,
        prefix_len: u8,
        preferred: Duration,
        valid: Duration,
    ) -> io::Result<()> {
        self.set_address_routed(address, prefix_len, preferred, valid, false)
    }

    /// As [`Kernel::set_address`]; with `prefix_route` the kernel also routes the address's
    /// prefix on the interface (what a router's own address on a LAN it numbers needs: the
    /// `2001:db8:0:1::1/64` netifd/odhcpd put on `br-lan`).
    pub fn set_address_routed(
        &mut self,
        address: Ipv6Addr,
        prefix_len: u8,
        preferred: Duration,
        valid: Duration,
        prefix_route: bool,
    ) -> io::Result<()> {
        let mut m = self.address_message(address, prefix_len);
        let mut cache = CacheInfo::default();
        cache.ifa_preferred = kernel_secs(preferred.min(valid));
        cache.ifa_valid = kernel_secs(valid);
        m.attributes.push(AddressAttribute::CacheInfo(cache));
        if !prefix_route {
            m.attributes
                .push(AddressAttribute::Flags(AddressFlags::Noprefixroute));
        }
        self.request(
            RouteNetlinkMessage::NewAddress(m),
            NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE,
        )
    }

    /// Remove `address` (absent already: fine).
    pub fn remove_address(&mut self, address: Ipv6Addr, prefix_len: u8) -> io::Result<()> {
        let m = self.address_message(address, prefix_len);
        ignore_missing(self.request(
            RouteNetlinkMessage::DelAddress(m),
            NLM_F_REQUEST | NLM_F_ACK,
        ))
    }

    fn route_message(&self, key: RouteKey) -> RouteMessage {
        let mut m = RouteMessage::default();
        m.header = RouteHeader {
            address_family: AddressFamily::Inet6,
            destination_prefix_length: key.len,
            table: RouteHeader::RT_TABLE_MAIN,
            protocol: RouteProtocol::Ra,
            scope: RouteScope::Universe,
            kind: RouteType::Unicast,
            ..RouteHeader::default()
        };
        if key.len > 0 {
            m.attributes
                .push(RouteAttribute::Destination(RouteAddress::Inet6(key.dest)));
        }
        if let Some(gw) = key.via {
            m.attributes
                .push(RouteAttribute::Gateway(RouteAddress::Inet6(gw)));
        }
        m.attributes.push(RouteAttribute::Oif(self.ifindex));
        m.attributes.push(RouteAttribute::Priority(METRIC));
        m
    }

    /// Install (or replace) a route; `expires` (whole seconds, `RTA_EXPIRES`) lets the kernel
    /// drop it even if this process is gone; `preference` becomes `RTA_PREF`.
    pub fn set_route(
        &mut self,
        key: RouteKey,
        preference: Option<Preference>,
        expires: Option<Duration>,
    ) -> io::Result<()> {
        let mut m = self.route_message(key);
        if let Some(p) = preference {
            m.attributes
                .push(RouteAttribute::Preference(route_preference(p)));
        }
        if let Some(e) = expires.filter(|&e| e != Duration::MAX) {
            m.attributes
                .push(RouteAttribute::Expires(kernel_secs(e).max(1)));
        }
        self.request(
            RouteNetlinkMessage::NewRoute(m),
            NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE,
        )
    }

    fn unreachable_message(dest: Ipv6Addr, len: u8) -> RouteMessage {
        let mut m = RouteMessage::default();
        m.header = RouteHeader {
            address_family: AddressFamily::Inet6,
            destination_prefix_length: len,
            table: RouteHeader::RT_TABLE_MAIN,
            protocol: RouteProtocol::Dhcp,
            scope: RouteScope::Universe,
            kind: RouteType::Unreachable,
            ..RouteHeader::default()
        };
        m.attributes
            .push(RouteAttribute::Destination(RouteAddress::Inet6(dest)));
        m.attributes
            .push(RouteAttribute::Priority(UNREACHABLE_METRIC));
        m
    }

    /// An `unreachable` route for a prefix delegated to this host (RFC 7084 WPD-5, as dhcpcd
    /// and netifd install): the parts of it no interface numbers are answered with ICMPv6
    /// unreachable rather than sent back up the default route, which would loop. Not tied to an
    /// interface; `expires` as in [`Kernel::set_route`] (Linux 6.18 ignores it on reject routes:
    /// remove the route when the prefix goes).
    pub fn set_unreachable(
        &mut self,
        dest: Ipv6Addr,
        len: u8,
        expires: Option<Duration>,
    ) -> io::Result<()> {
        let mut m = Self::unreachable_message(dest, len);
        if let Some(e) = expires.filter(|&e| e != Duration::MAX) {
            m.attributes
                .push(RouteAttribute::Expires(kernel_secs(e).max(1)));
        }
        self.request(
            RouteNetlinkMessage::NewRoute(m),
            NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE,
        )
    }

    /// Remove the `unreachable` route of [`Kernel::set_unreachable`] (absent already: fine).
    pub fn remove_unreachable(&mut self, dest: Ipv6Addr, len: u8) -> io::Result<()> {
        let m = Self::unreachable_message(dest, len);
        ignore_missing(self.request(RouteNetlinkMessage::DelRoute(m), NLM_F_REQUEST | NLM_F_ACK))
    }

    /// Remove a route (absent already: fine).
    pub fn remove_route(&mut self, key: RouteKey) -> io::Result<()> {
        let m = self.route_message(key);
        ignore_missing(self.request(RouteNetlinkMessage::DelRoute(m), NLM_F_REQUEST | NLM_F_ACK))
    }

    fn request(&mut self, msg: RouteNetlinkMessage, flags: u16) -> io::Result<()> {
        self.rtnl.request(msg, flags)
    }
}

fn ignore_missing(r: io::Result<()>) -> io::Result<()> {
    match r {
        Err(e)
            if matches!(
                e.raw_os_error(),
                Some(nix::libc::ESRCH | nix::libc::ENOENT | nix::libc::EADDRNOTAVAIL)
            ) =>
        {
            Ok(())
        }
        r => r,
    }
}

/// Kernel state of an address on the interface, from `/proc/net/if_inet6` (its flags are the
/// low byte of `ifa_flags`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DadState {
    /// Not on the interface.
    Absent,
    /// DAD still running (`IFA_F_TENTATIVE`).
    Tentative,
    /// DAD found a duplicate (`IFA_F_DADFAILED`).
    Failed,
    /// Usable.
    Done,
}

/// Where the kernel's DAD for `address` on interface `ifindex` stands.
pub fn dad_state(if_inet6: &str, ifindex: u32, address: Ipv6Addr) -> DadState {
    const TENTATIVE: u32 = 0x40;
    const DADFAILED: u32 = 0x08;
    match crate::serve::iface::parse_if_inet6(if_inet6)
        .into_iter()
        .find(|l| l.index == ifindex && l.address == address)
    {
        None => DadState::Absent,
        Some(l) if l.flags & DADFAILED != 0 => DadState::Failed,
        Some(l) if l.flags & TENTATIVE != 0 => DadState::Tentative,
        Some(_) => DadState::Done,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_lifetimes() {
        assert_eq!(kernel_secs(Duration::MAX), u32::MAX);
        assert_eq!(kernel_secs(Duration::from_millis(1999)), 1);
        assert_eq!(kernel_secs(Duration::from_secs(7200)), 7200);
        assert_eq!(
            kernel_secs(Duration::from_secs(u64::from(u32::MAX))),
            u32::MAX - 1
        );
    }

    #[test]
    fn dad_states_from_if_inet6() {
        let text = "20010db8000000010000000000000100 05 80 00 c0 eth0\n\
                    20010db8000000010000000000000200 05 80 00 48 eth0\n\
                    20010db8000000010000000000000300 05 80 00 80 eth0\n\
                    20010db8000000010000000000000300 06 80 00 40 eth1\n";
        let a = |s: &str| s.parse::<Ipv6Addr>().unwrap();
        assert_eq!(
            dad_state(text, 5, a("2001:db8:0:1::100")),
            DadState::Tentative
        );
        assert_eq!(dad_state(text, 5, a("2001:db8:0:1::200")), DadState::Failed);
        assert_eq!(dad_state(text, 5, a("2001:db8:0:1::300")), DadState::Done);
        assert_eq!(
            dad_state(text, 6, a("2001:db8:0:1::300")),
            DadState::Tentative
        );
        assert_eq!(dad_state(text, 5, a("2001:db8:0:1::400")), DadState::Absent);
    }
}
