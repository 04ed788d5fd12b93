//! A host's sockets: a raw ICMPv6 socket that receives Router Advertisements (with the hop limit
//! and addresses RFC 4861 §6.1.2 checks) and sends Router Solicitations, and a UDP socket on
//! port 546 bound to the interface for DHCPv6 (RFC 9915 §7.2). Receiving reuses the `serve`
//! runtime's `recvmsg` with `IPV6_PKTINFO` / `IPV6_HOPLIMIT` ([`crate::serve::sockets`]).

use std::io;
use std::net::{Ipv6Addr, SocketAddrV6};
use std::os::fd::{AsRawFd, RawFd};

use nix::sys::socket::{setsockopt, sockopt};
use socket2::{Domain, Protocol, SockAddr, SockFilter, Socket, Type};

use crate::serve::iface::Interface;
use crate::serve::sockets::{
    cmsg_buffer, needs_scope, open_icmpv6, receive, Received, SocketError,
    ALL_DHCP_RELAY_AGENTS_AND_SERVERS, SERVER_PORT, TYPE_RA,
};

/// The DHCPv6 client port (RFC 9915 §7.2).
pub const CLIENT_PORT: u16 = 546;
/// All routers (RFC 4291 §2.7.1): where Router Solicitations go (RFC 4861 §6.3.7).
pub const ALL_ROUTERS: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 2);

/// Accept only Router Advertisements (classic BPF on the ICMPv6 message, as the `serve`
/// runtime filters RS/RA; `ICMP6_FILTER` needs `unsafe`).
fn ra_filter() -> [SockFilter; 4] {
    const LD_B_ABS: u16 = 0x30;
    const JEQ_K: u16 = 0x15;
    const RET_K: u16 = 0x06;
    [
        SockFilter::new(LD_B_ABS, 0, 0, 0),
        SockFilter::new(JEQ_K, 1, 0, u32::from(TYPE_RA)),
        SockFilter::new(RET_K, 0, 0, 0),
        SockFilter::new(RET_K, 0, 0, 0x0004_0000),
    ]
}

/// The raw ICMPv6 socket of a host interface.
#[derive(Debug)]
pub struct RaSocket {
    sock: Socket,
    ifindex: u32,
    cmsg: Vec<u8>,
}

impl RaSocket {
    /// Open it on `iface`: bound to the device, RAs only, hop limit 255 on every send (RFC 4861
    /// §6.1.1 requires it of RSs too), hop limit and packet info on receive. The interface
    /// already belongs to ff02::1, where RAs are sent.
    pub fn open(iface: &Interface) -> Result<RaSocket, SocketError> {
        let on = |what: &str| format!("{what} on {}", iface.name);
        let sock = open_icmpv6(iface, &ra_filter(), "the RA filter")?;
        sock.set_nonblocking(true).map_err(SocketError::wrap(on(
            "making the ICMPv6 socket non-blocking",
        )))?;
        Ok(RaSocket {
            sock,
            ifindex: iface.index,
            cmsg: cmsg_buffer(),
        })
    }

    /// Receive one message into `buf`; `Ok(None)` when none is queued.
    pub fn receive(&mut self, buf: &mut [u8]) -> io::Result<Option<Received>> {
        receive(self.sock.as_raw_fd(), buf, &mut self.cmsg)
    }

    /// Send a Router Solicitation (the kernel fills the IPv6 header and the checksum).
    pub fn send(&self, bytes: &[u8], dst: Ipv6Addr) -> io::Result<usize> {
        let scope = if needs_scope(dst) { self.ifindex } else { 0 };
        self.sock
            .send_to(bytes, &SockAddr::from(SocketAddrV6::new(dst, 0, 0, scope)))
    }

    /// The file descriptor, for the poller.
    pub fn raw_fd(&self) -> RawFd {
        self.sock.as_raw_fd()
    }
}

/// The DHCPv6 client's UDP socket: `[::]:546` bound to one interface, joined to no group
/// (clients only receive unicast Advertise/Reply and, when accepted, Reconfigure).
#[derive(Debug)]
pub struct ClientSocket {
    sock: Socket,
    ifindex: u32,
    cmsg: Vec<u8>,
}

impl ClientSocket {
    /// Bind port 546 on `iface`.
    pub fn open(iface: &Interface) -> Result<ClientSocket, SocketError> {
        let on = |what: &str| format!("{what} on {}", iface.name);
        let sock = Socket::new(Domain::IPV6, Type::DGRAM, Some(Protocol::UDP))
            .map_err(SocketError::wrap(on("opening the DHCPv6 client socket")))?;
        sock.set_only_v6(true)
            .and_then(|()| sock.set_reuse_address(true))
            .map_err(SocketError::wrap(on(
                "configuring the DHCPv6 client socket",
            )))?;
        sock.bind_device(Some(iface.name.as_bytes()))
            .map_err(SocketError::wrap(on(
                "binding the DHCPv6 socket (SO_BINDTODEVICE)",
            )))?;
        setsockopt(&sock, sockopt::Ipv6RecvPacketInfo, &true)
            .map_err(|e| SocketError::wrap(on("setting IPV6_RECVPKTINFO"))(e.into()))?;
        sock.set_multicast_if_v6(iface.index)
            .map_err(SocketError::wrap(on("setting IPV6_MULTICAST_IF")))?;
        sock.set_multicast_loop_v6(false)
            .map_err(SocketError::wrap(on("disabling multicast loopback")))?;
        // Link-scope traffic only (RFC 9915 §7.1: ff02::1:2 is link-scoped).
        sock.set_multicast_hops_v6(1)
            .map_err(SocketError::wrap(on("setting the multicast hop limit")))?;
        let addr = SocketAddrV6::new(Ipv6Addr::UNSPECIFIED, CLIENT_PORT, 0, 0);
        sock.bind(&SockAddr::from(addr))
            .map_err(SocketError::wrap(on("binding UDP port 546")))?;
        sock.set_nonblocking(true).map_err(SocketError::wrap(on(
            "making the DHCPv6 socket non-blocking",
        )))?;
        Ok(ClientSocket {
            sock,
            ifindex: iface.index,
            cmsg: cmsg_buffer(),
        })
    }

    /// Receive one datagram into `buf`; `Ok(None)` when none is queued.
    pub fn receive(&mut self, buf: &mut [u8]) -> io::Result<Option<Received>> {
        receive(self.sock.as_raw_fd(), buf, &mut self.cmsg)
    }

    /// Send a client message to All_DHCP_Relay_Agents_and_Servers port 547 on this interface
    /// (RFC 9915 §7.1, the only destination the engine uses).
    pub fn send(&self, bytes: &[u8], dst: Ipv6Addr, port: u16) -> io::Result<usize> {
        let scope = if needs_scope(dst) { self.ifindex } else { 0 };
        self.sock.send_to(
            bytes,
            &SockAddr::from(SocketAddrV6::new(dst, port, 0, scope)),
        )
    }

    /// The file descriptor, for the poller.
    pub fn raw_fd(&self) -> RawFd {
        self.sock.as_raw_fd()
    }
}

/// The multicast destination of every client message, and the server port (re-exported for
/// the run loop's checks).
pub const SERVERS: (Ipv6Addr, u16) = (ALL_DHCP_RELAY_AGENTS_AND_SERVERS, SERVER_PORT);
