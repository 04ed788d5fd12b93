//! An rtnetlink socket: requests acknowledged one by one, and dumps.

use std::io;

use netlink_packet_core::{NetlinkHeader, NetlinkMessage, NetlinkPayload};
use netlink_packet_route::RouteNetlinkMessage;
use netlink_sys::{protocols::NETLINK_ROUTE, Socket, SocketAddr};

/// A connected `NETLINK_ROUTE` socket and its sequence numbers.
#[derive(Debug)]
pub struct Rtnl {
    sock: Socket,
    seq: u32,
}

impl Rtnl {
    /// Open and connect the socket (to the kernel).
    pub fn open() -> io::Result<Rtnl> {
        let mut sock = Socket::new(NETLINK_ROUTE)?;
        sock.bind_auto()?;
        sock.connect(&SocketAddr::new(0, 0))?;
        Ok(Rtnl { sock, seq: 0 })
    }

    /// Send `msg` with `flags`; returns its sequence number.
    fn send(&mut self, msg: RouteNetlinkMessage, flags: u16) -> io::Result<u32> {
        self.seq = self.seq.wrapping_add(1);
        let mut hdr = NetlinkHeader::default();
        hdr.flags = flags;
        hdr.sequence_number = self.seq;
        let mut m = NetlinkMessage::new(hdr, NetlinkPayload::from(msg));
        m.finalize();
        let mut buf = vec![0u8; m.buffer_len()];
        m.serialize(&mut buf);
        self.sock.send(&buf, 0)?;
        Ok(self.seq)
    }

    /// Read replies to `seq`, handing each to `each` until it returns `Some`.
    fn replies<T>(
        &mut self,
        seq: u32,
        buf_len: usize,
        mut each: impl FnMut(NetlinkPayload<RouteNetlinkMessage>) -> Option<io::Result<T>>,
    ) -> io::Result<T> {
        let mut buf = vec![0u8; buf_len];
        loop {
            let n = self.sock.recv(&mut &mut buf[..], 0)?;
            let mut offset = 0;
            while offset < n {
                let m = NetlinkMessage::<RouteNetlinkMessage>::deserialize(&buf[offset..n])
                    .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?;
                let len = m.header.length as usize;
                if m.header.sequence_number == seq {
                    if let Some(r) = each(m.payload) {
                        return r;
                    }
                }
                if len == 0 {
                    break;
                }
                offset += len;
            }
        }
    }

    /// Send a request (`flags` should include `NLM_F_REQUEST | NLM_F_ACK`) and wait for the
    /// kernel's acknowledgement; a negative one is the error.
    pub fn request(&mut self, msg: RouteNetlinkMessage, flags: u16) -> io::Result<()> {
        let seq = self.send(msg, flags)?;
        self.replies(seq, 8192, |p| match p {
            NetlinkPayload::Error(e) => Some(match e.code {
                None => Ok(()),
                Some(_) => Err(e.to_io()),
            }),
            _ => None,
        })
    }

    /// Send a dump request (`NLM_F_REQUEST | NLM_F_DUMP`) and hand every message of the answer
    /// to `each`.
    pub fn dump(
        &mut self,
        msg: RouteNetlinkMessage,
        flags: u16,
        mut each: impl FnMut(RouteNetlinkMessage),
    ) -> io::Result<()> {
        let seq = self.send(msg, flags)?;
        self.replies(seq, 32 * 1024, |p| match p {
            NetlinkPayload::Done(_) => Some(Ok(())),
            NetlinkPayload::Error(e) => Some(Err(e.to_io())),
            NetlinkPayload::InnerMessage(m) => {
                each(m);
                None
            }
            _ => None,
        })
    }
}
