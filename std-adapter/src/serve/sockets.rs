//! The daemon's sockets: one raw ICMPv6 socket per interface for Router Solicitations and
//! Advertisements, and one UDP socket on port 547 for DHCPv6 on every interface.
//!
//! Receive metadata comes from control messages: `IPV6_PKTINFO` (destination address and
//! interface index) and `IPV6_HOPLIMIT` (RFC 4861 §6.1: ND messages must arrive with hop limit
//! 255). Everything the kernel hands over goes to the engines, which check and count.

use std::io;
use std::net::{Ipv6Addr, SocketAddrV6};
use std::os::fd::{AsRawFd, RawFd};

use nix::sys::socket::{recvmsg, setsockopt, sockopt, ControlMessageOwned, MsgFlags, SockaddrIn6};
use socket2::{Domain, Protocol, SockAddr, SockFilter, Socket, Type};

use super::iface::Interface;

/// All routers, joined on router links (RFC 4291 §2.7.1; RSs go to it, RFC 4861 §6.3.7).
pub const ALL_ROUTERS: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 2);
/// All_DHCP_Relay_Agents_and_Servers (RFC 9915 §7.1).
pub const ALL_DHCP_RELAY_AGENTS_AND_SERVERS: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 1, 2);
/// All_DHCP_Servers (RFC 9915 §7.1), where relay agents may send.
pub const ALL_DHCP_SERVERS: Ipv6Addr = Ipv6Addr::new(0xff05, 0, 0, 0, 0, 0, 1, 3);
/// The DHCPv6 server port (RFC 9915 §7.2).
pub const SERVER_PORT: u16 = 547;

/// ICMPv6 Router Solicitation (RFC 4861 §4.1).
pub const TYPE_RS: u8 = 133;
/// ICMPv6 Router Advertisement (RFC 4861 §4.2).
pub const TYPE_RA: u8 = 134;

/// Which operation on which socket failed: the error a person sees.
#[derive(Debug)]
pub struct SocketError {
    /// What was being done ("opening the raw ICMPv6 socket on eth1").
    pub what: String,
    /// The OS error.
    pub source: io::Error,
}

impl SocketError {
    pub(crate) fn wrap(what: impl Into<String>) -> impl FnOnce(io::Error) -> SocketError {
        let what = what.into();
        move |source| SocketError { what, source }
    }

    /// `true` if the OS refused for lack of privilege (EPERM / EACCES).
    pub fn is_permission(&self) -> bool {
        // std maps both EPERM and EACCES to PermissionDenied.
        self.source.kind() == io::ErrorKind::PermissionDenied
    }
}

impl std::fmt::Display for SocketError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.what, self.source)
    }
}

impl std::error::Error for SocketError {}

/// A datagram's IP-layer facts from the control messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Received {
    /// Bytes of payload (ICMPv6 message or UDP payload) at the start of the buffer.
    pub len: usize,
    /// IPv6 source address.
    pub src: Ipv6Addr,
    /// UDP source port (0 for ICMPv6).
    pub src_port: u16,
    /// IPv6 destination address (from `IPV6_PKTINFO`; `::` if the kernel gave none).
    pub dst: Ipv6Addr,
    /// Receiving interface (from `IPV6_PKTINFO`, else the source's scope id).
    pub ifindex: u32,
    /// Hop limit as received (from `IPV6_HOPLIMIT`); `None` if the kernel gave none.
    pub hop_limit: Option<u8>,
    /// The datagram was longer than the buffer (`MSG_TRUNC`).
    pub truncated: bool,
}

/// Room for one `in6_pktinfo` and one hop limit.
pub(crate) fn cmsg_buffer() -> Vec<u8> {
    nix::cmsg_space!(nix::libc::in6_pktinfo, nix::libc::c_int)
}

/// `recvmsg` once, non-blocking. `Ok(None)` when nothing is queued.
pub(crate) fn receive(fd: RawFd, buf: &mut [u8], cmsg: &mut [u8]) -> io::Result<Option<Received>> {
    let mut iov = [io::IoSliceMut::new(buf)];
    let msg = match recvmsg::<SockaddrIn6>(
        fd,
        &mut iov,
        Some(cmsg),
        MsgFlags::MSG_DONTWAIT | MsgFlags::MSG_TRUNC,
    ) {
        Ok(m) => m,
        Err(nix::errno::Errno::EAGAIN) => return Ok(None),
        Err(nix::errno::Errno::EINTR) => return Ok(None),
        Err(e) => return Err(io::Error::from(e)),
    };
    let (src, src_port, scope) = match msg.address {
        Some(a) => (a.ip(), a.port(), a.scope_id()),
        None => (Ipv6Addr::UNSPECIFIED, 0, 0),
    };
    let mut r = Received {
        len: msg.bytes,
        src,
        src_port,
        dst: Ipv6Addr::UNSPECIFIED,
        ifindex: scope,
        hop_limit: None,
        truncated: msg.flags.contains(MsgFlags::MSG_TRUNC),
    };
    if let Ok(cmsgs) = msg.cmsgs() {
        for c in cmsgs {
            match c {
                ControlMessageOwned::Ipv6PacketInfo(info) => {
                    r.dst = Ipv6Addr::from(info.ipi6_addr.s6_addr);
                    r.ifindex = info.ipi6_ifindex;
                }
                ControlMessageOwned::Ipv6HopLimit(h) => r.hop_limit = u8::try_from(h).ok(),
                _ => {}
            }
        }
    }
    if r.truncated {
        r.len = r.len.min(iov[0].len());
    }
    Ok(Some(r))
}

/// Accept only ICMPv6 Router Solicitations and Router Advertisements (classic BPF run by the
/// kernel on the ICMPv6 message; offset 0 is the type). This is what `ICMP6_FILTER` does; the
/// workspace forbids `unsafe`, and socket2 offers a safe `SO_ATTACH_FILTER` but no
/// `ICMP6_FILTER`.
fn rs_ra_filter() -> [SockFilter; 5] {
    const LD_B_ABS: u16 = 0x30; // BPF_LD | BPF_B | BPF_ABS
    const JEQ_K: u16 = 0x15; // BPF_JMP | BPF_JEQ | BPF_K
    const RET_K: u16 = 0x06; // BPF_RET | BPF_K
    [
        SockFilter::new(LD_B_ABS, 0, 0, 0),
        SockFilter::new(JEQ_K, 2, 0, u32::from(TYPE_RS)),
        SockFilter::new(JEQ_K, 1, 0, u32::from(TYPE_RA)),
        SockFilter::new(RET_K, 0, 0, 0),
        SockFilter::new(RET_K, 0, 0, 0x0004_0000),
    ]
}

/// A raw ICMPv6 socket on `iface` for Neighbor Discovery, blocking, joined to no group: bound
/// to the device, `filter` attached (named `filter_name` in errors), hop limit 255 on every
/// send (RFC 4861 §6.1), no multicast loopback, multicast out of `iface`, hop limit and packet
/// info on receive. The router's and the host's sockets both start here.
pub(crate) fn open_icmpv6(
    iface: &Interface,
    filter: &[SockFilter],
    filter_name: &str,
) -> Result<Socket, SocketError> {
    let on = |what: &str| format!("{what} on {}", iface.name);
    let sock = Socket::new(Domain::IPV6, Type::RAW, Some(Protocol::ICMPV6))
        .map_err(SocketError::wrap(on("opening the raw ICMPv6 socket")))?;
    sock.bind_device(Some(iface.name.as_bytes()))
        .map_err(SocketError::wrap(on(
            "binding the ICMPv6 socket (SO_BINDTODEVICE)",
        )))?;
    sock.attach_filter(filter)
        .map_err(SocketError::wrap(on(&format!("attaching {filter_name}"))))?;
    sock.set_multicast_hops_v6(255)
        .and_then(|()| sock.set_unicast_hops_v6(255))
        .map_err(SocketError::wrap(on("setting hop limit 255")))?;
    sock.set_multicast_loop_v6(false)
        .map_err(SocketError::wrap(on("disabling multicast loopback")))?;
    sock.set_multicast_if_v6(iface.index)
        .map_err(SocketError::wrap(on("setting IPV6_MULTICAST_IF")))?;
    sock.set_recv_hoplimit_v6(true)
        .map_err(SocketError::wrap(on("setting IPV6_RECVHOPLIMIT")))?;
    setsockopt(&sock, sockopt::Ipv6RecvPacketInfo, &true)
        .map_err(|e| SocketError::wrap(on("setting IPV6_RECVPKTINFO"))(e.into()))?;
    Ok(sock)
}

/// The raw ICMPv6 socket of one interface.
#[derive(Debug)]
pub struct NdSocket {
    sock: Socket,
    ifindex: u32,
    cmsg: Vec<u8>,
}

impl NdSocket {
    /// Open it on `iface`: bound to the device, RS/RA only, hop limit 255 on every send (RFC
    /// 4861 §6.1.2), hop limit and packet info on receive, `ff02::2` joined.
    pub fn open(iface: &Interface) -> Result<NdSocket, SocketError> {
        let on = |what: &str| format!("{what} on {}", iface.name);
        let sock = open_icmpv6(iface, &rs_ra_filter(), "the RS/RA filter")?;
        sock.join_multicast_v6(&ALL_ROUTERS, iface.index)
            .map_err(SocketError::wrap(on("joining ff02::2")))?;
        sock.set_nonblocking(true).map_err(SocketError::wrap(on(
            "making the ICMPv6 socket non-blocking",
        )))?;
        Ok(NdSocket {
            sock,
            ifindex: iface.index,
            cmsg: cmsg_buffer(),
        })
    }

    /// Receive one message into `buf`, `Ok(None)` when none is queued.
    pub fn receive(&mut self, buf: &mut [u8]) -> io::Result<Option<Received>> {
        let fd = self.sock.as_raw_fd();
        receive(fd, buf, &mut self.cmsg).map(|r| {
            r.map(|mut r| {
                if r.ifindex == 0 {
                    r.ifindex = self.ifindex;
                }
                r
            })
        })
    }

    /// Send an ICMPv6 message to `dst` on this interface (the kernel fills the IPv6 header and
    /// recomputes the checksum).
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

/// Link-local and link-scope multicast destinations need the interface as scope id.
pub(crate) fn needs_scope(dst: Ipv6Addr) -> bool {
    dst.is_unicast_link_local() || (dst.is_multicast() && dst.segments()[0] & 0x000f == 2)
}

/// Receive buffer asked for on the DHCPv6 socket (bytes).
const DHCP_RECEIVE_BUFFER: usize = 4 << 20;

/// The DHCPv6 server's UDP socket on port 547, shared by every interface.
#[derive(Debug)]
pub struct DhcpSocket {
    sock: Socket,
    cmsg: Vec<u8>,
}

impl DhcpSocket {
    /// Bind `[::]:547` with packet info on receive.
    pub fn open() -> Result<DhcpSocket, SocketError> {
        let sock = Socket::new(Domain::IPV6, Type::DGRAM, Some(Protocol::UDP))
            .map_err(SocketError::wrap("opening the DHCPv6 UDP socket"))?;
        // No SO_REUSEADDR: a second server on the same port would silently share the clients'
        // messages with this one; it fails to bind instead ("Address in use").
        sock.set_only_v6(true)
            .map_err(SocketError::wrap("configuring the DHCPv6 UDP socket"))?;
        setsockopt(&sock, sockopt::Ipv6RecvPacketInfo, &true)
            .map_err(|e| SocketError::wrap("setting IPV6_RECVPKTINFO")(e.into()))?;
        sock.set_multicast_loop_v6(false)
            .map_err(SocketError::wrap("disabling multicast loopback"))?;
        // Room for the datagrams that arrive while the loop waits for a commit's fsync (a
        // WAL checkpoint can take tens of milliseconds): the default buffer (about 200 KiB,
        // some 270 small datagrams) overflowed under perfdhcp load and clients saw drops.
        // The kernel caps the size at net.core.rmem_max; a smaller buffer is not an error.
        let _ = sock.set_recv_buffer_size(DHCP_RECEIVE_BUFFER);
        let addr = SocketAddrV6::new(Ipv6Addr::UNSPECIFIED, SERVER_PORT, 0, 0);
        sock.bind(&SockAddr::from(addr))
            .map_err(SocketError::wrap("binding UDP port 547"))?;
        sock.set_nonblocking(true)
            .map_err(SocketError::wrap("making the DHCPv6 socket non-blocking"))?;
        Ok(DhcpSocket {
            sock,
            cmsg: cmsg_buffer(),
        })
    }

    /// Join `ff02::1:2` and `ff05::1:3` on `iface`.
    pub fn join(&self, iface: &Interface) -> Result<(), SocketError> {
        for group in [ALL_DHCP_RELAY_AGENTS_AND_SERVERS, ALL_DHCP_SERVERS] {
            self.sock
                .join_multicast_v6(&group, iface.index)
                .map_err(SocketError::wrap(format!(
                    "joining {group} on {}",
                    iface.name
                )))?;
        }
        Ok(())
    }

    /// Receive one datagram into `buf`, `Ok(None)` when none is queued.
    pub fn receive(&mut self, buf: &mut [u8]) -> io::Result<Option<Received>> {
        let fd = self.sock.as_raw_fd();
        receive(fd, buf, &mut self.cmsg)
    }

    /// Send a reply to `dst`:`port` out of interface `ifindex`.
    pub fn send(&self, bytes: &[u8], dst: Ipv6Addr, port: u16, ifindex: u32) -> io::Result<usize> {
        let scope = if needs_scope(dst) { ifindex } else { 0 };
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_scoped_destinations_get_the_interface() {
        assert!(needs_scope("fe80::1".parse().unwrap()));
        assert!(needs_scope("ff02::1".parse().unwrap()));
        assert!(!needs_scope("2001:db8::1".parse().unwrap()));
        assert!(!needs_scope("ff05::1:3".parse().unwrap()));
    }
}
