//! Client/server messages (RFC 9915 §8): Solicit, Advertise, Request, Confirm, Renew, Rebind,
//! Reply, Release, Decline, Reconfigure, Information-request.

use core::fmt;

use super::builder::{build, Writer};
use super::option::{DhcpOption, IaNa, IaPd, IaTa, OptionCode, Options, RequestedOptions};
use super::{Duid, MessageType, Packet, HEADER_LEN};
use crate::wire::{Error, Result};

/// A decoded client/server message: type, transaction id, and its validated options in wire
/// order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct MessageRepr<'a> {
    /// msg-type.
    pub msg_type: MessageType,
    /// transaction-id (24 bits).
    pub transaction_id: u32,
    /// The options.
    pub options: Options<'a>,
}

impl<'a> MessageRepr<'a> {
    /// Decode a client/server message and validate all its options. Relay message types are
    /// [`Error::Malformed`] here (use [`RelayChain`](super::RelayChain)); unknown types are
    /// [`Error::UnknownType`].
    #[inline]
    pub fn parse(packet: &Packet<&'a [u8]>) -> Result<MessageRepr<'a>> {
        Self::parse_at(packet.buffer, 0, false)
    }

    /// As [`parse`](Self::parse), but options a client must ignore (RFC 7083 §4, §5; RFC 9915
    /// §21.6, §21.22) are ignored instead of failing the message: see
    /// [`Options::parse_lenient`].
    pub fn parse_lenient(packet: &Packet<&'a [u8]>) -> Result<MessageRepr<'a>> {
        Self::parse_at(packet.buffer, 0, true)
    }

    /// Decode the message in `bytes`, which start `base` bytes into the datagram (inside relay
    /// layers).
    #[inline]
    pub(crate) fn parse_at(bytes: &'a [u8], base: usize, lenient: bool) -> Result<MessageRepr<'a>> {
        let packet = Packet::new_unchecked(bytes);
        packet.check_len().map_err(|e| shift(e, base))?;
        let msg_type = packet.msg_type();
        match msg_type {
            MessageType::Unknown(value) => return Err(Error::UnknownType { value }),
            t if t.is_relay() => {
                return Err(Error::Malformed {
                    what: "relay message where a client/server message was expected",
                    offset: base,
                })
            }
            _ => {}
        }
        let options = bytes.get(HEADER_LEN..).unwrap_or(&[]);
        Ok(MessageRepr {
            msg_type,
            transaction_id: packet.transaction_id(),
            options: Options::parse_mode(options, base + HEADER_LEN, lenient)?,
        })
    }

    /// Bytes [`emit`](MessageRepr::emit) writes.
    pub fn buffer_len(&self) -> usize {
        HEADER_LEN + self.options.buffer_len()
    }

    /// Write the header and every option (typed, in order) through `w`.
    pub fn write(&self, w: &mut Writer<'_>) {
        w.header(self.msg_type, self.transaction_id);
        self.options.emit(w);
    }

    /// Write the message into the start of `buf`; returns its length. On
    /// [`Error::BufferTooSmall`] `buf` is untouched.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize> {
        build(buf, |w| self.write(w))
    }

    /// The first Client Identifier.
    pub fn client_id(&self) -> Option<Duid<'a>> {
        self.options.iter().find_map(|o| match o {
            DhcpOption::ClientId(d) => Some(d),
            _ => None,
        })
    }

    /// The first Server Identifier.
    pub fn server_id(&self) -> Option<Duid<'a>> {
        self.options.iter().find_map(|o| match o {
            DhcpOption::ServerId(d) => Some(d),
            _ => None,
        })
    }

    /// The IA_NAs, in wire order (duplicates kept).
    pub fn ia_nas(&self) -> impl Iterator<Item = IaNa<'a>> + 'a {
        self.options.iter().filter_map(|o| match o {
            DhcpOption::IaNa(ia) => Some(ia),
            _ => None,
        })
    }

    /// The IA_TAs, in wire order.
    pub fn ia_tas(&self) -> impl Iterator<Item = IaTa<'a>> + 'a {
        self.options.iter().filter_map(|o| match o {
            DhcpOption::IaTa(ia) => Some(ia),
            _ => None,
        })
    }

    /// The IA_PDs, in wire order (duplicates kept).
    pub fn ia_pds(&self) -> impl Iterator<Item = IaPd<'a>> + 'a {
        self.options.iter().filter_map(|o| match o {
            DhcpOption::IaPd(ia) => Some(ia),
            _ => None,
        })
    }

    /// The Option Request list.
    pub fn oro(&self) -> Option<RequestedOptions<'a>> {
        self.options.iter().find_map(|o| match o {
            DhcpOption::Oro(list) => Some(list),
            _ => None,
        })
    }

    /// Elapsed Time in hundredths of a second.
    pub fn elapsed_time(&self) -> Option<u16> {
        self.options.iter().find_map(|o| match o {
            DhcpOption::ElapsedTime(t) => Some(t),
            _ => None,
        })
    }

    /// `true` if the message carries Rapid Commit.
    pub fn rapid_commit(&self) -> bool {
        self.options.count(OptionCode::RapidCommit) > 0
    }
}

/// tcpdump's name for a message type.
pub(crate) fn tcpdump_name(t: MessageType) -> &'static str {
    match t {
        MessageType::Solicit => "solicit",
        MessageType::Advertise => "advertise",
        MessageType::Request => "request",
        MessageType::Confirm => "confirm",
        MessageType::Renew => "renew",
        MessageType::Rebind => "rebind",
        MessageType::Reply => "reply",
        MessageType::Release => "release",
        MessageType::Decline => "decline",
        MessageType::Reconfigure => "reconfigure",
        MessageType::InformationRequest => "inf-req",
        MessageType::RelayForw => "relay-fwd",
        MessageType::RelayRepl => "relay-reply",
        MessageType::Unknown(_) => "unknown",
    }
}

/// As tcpdump -v prints it: `solicit (xid=85680b (client-ID ...) (elapsed-time 101))`.
impl fmt::Display for MessageRepr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (xid={:06x}",
            tcpdump_name(self.msg_type),
            self.transaction_id
        )?;
        if !self.options.is_empty() {
            write!(f, " {}", self.options)?;
        }
        f.write_str(")")
    }
}

/// Move an error's offset by `base` (for messages nested in relay layers).
pub(crate) fn shift(e: Error, base: usize) -> Error {
    match e {
        Error::Truncated { offset } => Error::Truncated {
            offset: offset + base,
        },
        Error::BadOptionLength { code, offset, len } => Error::BadOptionLength {
            code,
            offset: offset + base,
            len,
        },
        Error::Malformed { what, offset } => Error::Malformed {
            what,
            offset: offset + base,
        },
        Error::BadName { offset, reason } => Error::BadName {
            offset: offset + base,
            reason,
        },
        other => other,
    }
}
