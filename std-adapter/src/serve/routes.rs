//! Routes to delegated prefixes (RFC 9915 §6.3: the delegating router must route the prefix to
//! the requesting router; Kea leaves this to the operator, opnsense #8682), installed and
//! removed with rtnetlink.
//!
//! Routes are tagged `proto dhcp` (`RTPROT_DHCP`), so `ip -6 route show proto dhcp` lists them and
//! a restart can find the ones a killed daemon left behind.

use std::collections::BTreeMap;
use std::io;
use std::net::Ipv6Addr;

use netlink_packet_core::{NLM_F_ACK, NLM_F_CREATE, NLM_F_DUMP, NLM_F_REPLACE, NLM_F_REQUEST};
use netlink_packet_route::route::{
    RouteAddress, RouteAttribute, RouteHeader, RouteMessage, RouteProtocol, RouteScope, RouteType,
};
use netlink_packet_route::{AddressFamily, RouteNetlinkMessage};

use crate::net::rtnl::Rtnl;

/// A prefix (address with host bits clear, and length).
pub type Dest = (Ipv6Addr, u8);

/// Where a delegated prefix is routed: the requesting router's address on the link (its
/// link-local, or the relay agent's address for a relayed client) and the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NextHop {
    /// Gateway address.
    pub gateway: Ipv6Addr,
    /// Outgoing interface index.
    pub ifindex: u32,
}

/// A route found in the kernel's main table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KernelRoute {
    /// Its destination.
    pub dest: Dest,
    /// Its gateway and interface, when it has them.
    pub via: Option<NextHop>,
}

/// The rtnetlink socket and the routes this process installed.
#[derive(Debug)]
pub struct Routes {
    rtnl: Rtnl,
    installed: BTreeMap<(u128, u8), NextHop>,
}

fn header(dest: Dest) -> RouteHeader {
    RouteHeader {
        address_family: AddressFamily::Inet6,
        destination_prefix_length: dest.1,
        table: RouteHeader::RT_TABLE_MAIN,
        protocol: RouteProtocol::Dhcp,
        scope: RouteScope::Universe,
        kind: RouteType::Unicast,
        ..RouteHeader::default()
    }
}

impl Routes {
    /// Open an rtnetlink socket.
    pub fn open() -> io::Result<Routes> {
        Ok(Routes {
            rtnl: Rtnl::open()?,
            installed: BTreeMap::new(),
        })
    }

    /// The routes this process installed and has not removed.
    pub fn installed(&self) -> impl Iterator<Item = (Dest, NextHop)> + '_ {
        self.installed
            .iter()
            .map(|(&(a, l), &v)| ((Ipv6Addr::from(a), l), v))
    }

    /// Whether this process installed the route to `dest` via `via` (a map lookup, not a scan:
    /// it runs once per delegated-prefix event).
    pub fn is_installed(&self, dest: Dest, via: NextHop) -> bool {
        self.installed.get(&(u128::from(dest.0), dest.1)) == Some(&via)
    }

    /// Install (or replace) the route to `dest` via `via`.
    pub fn install(&mut self, dest: Dest, via: NextHop) -> io::Result<()> {
        if self.is_installed(dest, via) {
            return Ok(());
        }
        let mut msg = RouteMessage::default();
        msg.header = header(dest);
        msg.attributes = vec![
            RouteAttribute::Destination(RouteAddress::Inet6(dest.0)),
            RouteAttribute::Gateway(RouteAddress::Inet6(via.gateway)),
            RouteAttribute::Oif(via.ifindex),
        ];
        self.request(
            RouteNetlinkMessage::NewRoute(msg),
            NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE,
        )?;
        self.installed.insert((u128::from(dest.0), dest.1), via);
        Ok(())
    }

    /// Remove the `proto dhcp` route to `dest`; a route already gone is not an error.
    pub fn remove(&mut self, dest: Dest) -> io::Result<()> {
        self.installed.remove(&(u128::from(dest.0), dest.1));
        let mut msg = RouteMessage::default();
        msg.header = header(dest);
        msg.attributes = vec![RouteAttribute::Destination(RouteAddress::Inet6(dest.0))];
        match self.request(
            RouteNetlinkMessage::DelRoute(msg),
            NLM_F_REQUEST | NLM_F_ACK,
        ) {
            Err(e) if e.raw_os_error() == Some(nix::libc::ESRCH) => Ok(()),
            Err(e) if e.raw_os_error() == Some(nix::libc::ENOENT) => Ok(()),
            r => r,
        }
    }

    /// Every IPv6 `proto dhcp` route in the main table.
    pub fn dump_dhcp_routes(&mut self) -> io::Result<Vec<KernelRoute>> {
        let mut msg = RouteMessage::default();
        msg.header.address_family = AddressFamily::Inet6;
        let mut found = Vec::new();
        self.rtnl.dump(
            RouteNetlinkMessage::GetRoute(msg),
            NLM_F_REQUEST | NLM_F_DUMP,
            |m| {
                if let RouteNetlinkMessage::NewRoute(r) = m {
                    if let Some(route) = dhcp_route(&r) {
                        found.push(route);
                    }
                }
            },
        )?;
        Ok(found)
    }

    /// Send a request and wait for its acknowledgement.
    fn request(&mut self, msg: RouteNetlinkMessage, flags: u16) -> io::Result<()> {
        self.rtnl.request(msg, flags)
    }
}

fn dhcp_route(r: &RouteMessage) -> Option<KernelRoute> {
    if r.header.protocol != RouteProtocol::Dhcp
        || r.header.address_family != AddressFamily::Inet6
        || r.header.table != RouteHeader::RT_TABLE_MAIN
    {
        return None;
    }
    let mut dest = None;
    let mut gateway = None;
    let mut oif = None;
    for a in &r.attributes {
        match a {
            RouteAttribute::Destination(RouteAddress::Inet6(d)) => dest = Some(*d),
            RouteAttribute::Gateway(RouteAddress::Inet6(g)) => gateway = Some(*g),
            RouteAttribute::Oif(i) => oif = Some(*i),
            _ => {}
        }
    }
    Some(KernelRoute {
        dest: (dest?, r.header.destination_prefix_length),
        via: gateway
            .zip(oif)
            .map(|(gateway, ifindex)| NextHop { gateway, ifindex }),
    })
}
