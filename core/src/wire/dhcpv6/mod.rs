//! DHCPv6 (RFC 9915, which obsoletes RFC 8415 with the wire format unchanged).
//!
//! The module tree follows the RFC's table of contents:
//!
//! - this file: message types (§7.3) and the [`Packet`] view over one UDP payload, client/server
//!   (§8) or relay agent/server (§9);
//! - [`message`]: [`MessageRepr`], a client/server message (§8);
//! - [`relay`]: [`RelayRepr`] and [`RelayChain`], Relay-forw / Relay-repl nested to a bounded
//!   depth (§9, RFC 8415 §7.6);
//! - [`option`]: every option of §21 and the companion RFCs, as [`DhcpOption`], walked in wire
//!   order by [`Options`];
//! - [`builder`]: [`Writer`] and [`build`], writing a message into a caller-owned buffer;
//! - [`validate`]: the per-message rules of §16 (which identifiers must be present, exactly once).
//!
//! Decoding is zero-copy and validates once: [`Repr::parse`] checks every length of every option
//! (nested options included) and every relay layer, so that walking the options of a parsed
//! message afterwards cannot fail. Errors name the option code and the byte offset from the start
//! of the UDP payload. Nothing here allocates or panics, on any input; once
//! [`Packet::check_len`] has passed, no accessor of [`Packet`] can panic either.

use core::fmt;
use core::net::Ipv6Addr;

use super::{Error, Result};

pub mod builder;
pub mod message;
pub mod option;
pub mod relay;
pub mod validate;

pub use builder::{build, Writer};
pub use message::MessageRepr;
pub use option::duid::{Duid, DuidBuf, DuidKind};
pub use option::ia::{IaAddress, IaNa, IaPd, IaPrefix, IaTa, PrefixExclude};
pub use option::status::{Status, StatusCode};
pub use option::{DhcpOption, OptionCode, Options, RawOption};
pub use relay::{RelayChain, RelayRepr};
pub use validate::{check_client_receipt, check_server_receipt, DropReason};

/// UDP port clients listen on (RFC 9915 §7.2).
pub const CLIENT_PORT: u16 = 546;
/// UDP port servers and relay agents listen on (RFC 9915 §7.2).
pub const SERVER_PORT: u16 = 547;
/// `All_DHCP_Relay_Agents_and_Servers`, `ff02::1:2` (RFC 9915 §7.1).
pub const ALL_DHCP_RELAY_AGENTS_AND_SERVERS: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 1, 2);
/// `All_DHCP_Servers`, `ff05::1:3` (RFC 9915 §7.1).
pub const ALL_DHCP_SERVERS: Ipv6Addr = Ipv6Addr::new(0xff05, 0, 0, 0, 0, 0, 1, 3);
/// HOP_COUNT_LIMIT, the relay hop count a relay agent honours (RFC 8415 §7.6).
pub const HOP_COUNT_LIMIT: u8 = 8;
/// The deepest relay nesting this decoder accepts: RFC 8415 §7.6 sets 8, and RFC 3315 relays
/// still use 32. Counted from the bytes, never taken from the hop-count field.
pub const MAX_RELAY_DEPTH: usize = 32;

/// Length of a client/server message header: msg-type and transaction-id (RFC 9915 §8).
pub const HEADER_LEN: usize = 4;
/// Length of a relay message header: msg-type, hop-count, link-address, peer-address (§9).
pub const RELAY_HEADER_LEN: usize = 34;

/// DHCPv6 message types (RFC 9915 §7.3). Unknown values survive a round trip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum MessageType {
    /// SOLICIT (1): a client locating servers (§18.2.1).
    Solicit,
    /// ADVERTISE (2): a server offering service (§18.3.9).
    Advertise,
    /// REQUEST (3): a client asking for leases from one server (§18.2.2).
    Request,
    /// CONFIRM (4): a client checking its addresses are still on link (§18.2.3).
    Confirm,
    /// RENEW (5): extending leases with the server that granted them (§18.2.4).
    Renew,
    /// REBIND (6): extending leases with any server (§18.2.5).
    Rebind,
    /// REPLY (7): a server's answer carrying leases or configuration (§18.3.10).
    Reply,
    /// RELEASE (8): a client giving leases back (§18.2.7).
    Release,
    /// DECLINE (9): a client reporting addresses already in use (§18.2.8).
    Decline,
    /// RECONFIGURE (10): a server asking a client to Renew/Rebind/Information-request (§18.3.11).
    Reconfigure,
    /// INFORMATION-REQUEST (11): configuration without leases (§18.2.6).
    InformationRequest,
    /// RELAY-FORW (12): a relay agent forwarding a message towards servers (§19.1).
    RelayForw,
    /// RELAY-REPL (13): a server's answer wrapped for a relay agent (§19.3).
    RelayRepl,
    /// Any other value.
    Unknown(u8),
}

impl From<u8> for MessageType {
    #[inline]
    fn from(value: u8) -> Self {
        match value {
            1 => MessageType::Solicit,
            2 => MessageType::Advertise,
            3 => MessageType::Request,
            4 => MessageType::Confirm,
            5 => MessageType::Renew,
            6 => MessageType::Rebind,
            7 => MessageType::Reply,
            8 => MessageType::Release,
            9 => MessageType::Decline,
            10 => MessageType::Reconfigure,
            11 => MessageType::InformationRequest,
            12 => MessageType::RelayForw,
            13 => MessageType::RelayRepl,
            n => MessageType::Unknown(n),
        }
    }
}

impl From<MessageType> for u8 {
    fn from(value: MessageType) -> Self {
        match value {
            MessageType::Solicit => 1,
            MessageType::Advertise => 2,
            MessageType::Request => 3,
            MessageType::Confirm => 4,
            MessageType::Renew => 5,
            MessageType::Rebind => 6,
            MessageType::Reply => 7,
            MessageType::Release => 8,
            MessageType::Decline => 9,
            MessageType::Reconfigure => 10,
            MessageType::InformationRequest => 11,
            MessageType::RelayForw => 12,
            MessageType::RelayRepl => 13,
            MessageType::Unknown(n) => n,
        }
    }
}

impl MessageType {
    /// `true` for Relay-forw and Relay-repl, which carry the 34-byte relay header (§9).
    pub fn is_relay(self) -> bool {
        matches!(self, MessageType::RelayForw | MessageType::RelayRepl)
    }

    /// The name RFC 9915 §7.3 gives the type, e.g. `"SOLICIT"`; `"unknown"` for others.
    pub fn name(self) -> &'static str {
        match self {
            MessageType::Solicit => "SOLICIT",
            MessageType::Advertise => "ADVERTISE",
            MessageType::Request => "REQUEST",
            MessageType::Confirm => "CONFIRM",
            MessageType::Renew => "RENEW",
            MessageType::Rebind => "REBIND",
            MessageType::Reply => "REPLY",
            MessageType::Release => "RELEASE",
            MessageType::Decline => "DECLINE",
            MessageType::Reconfigure => "RECONFIGURE",
            MessageType::InformationRequest => "INFORMATION-REQUEST",
            MessageType::RelayForw => "RELAY-FORW",
            MessageType::RelayRepl => "RELAY-REPL",
            MessageType::Unknown(_) => "unknown",
        }
    }
}

impl fmt::Display for MessageType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MessageType::Unknown(n) => write!(f, "message type {n}"),
            other => f.write_str(other.name()),
        }
    }
}

/// Offsets of the header fields.
///
/// Client/server message (RFC 9915 §8):
///
/// ```text
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |    msg-type   |               transaction-id                  |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// .                            options                            .
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
///
/// Relay agent/server message (§9):
///
/// ```text
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |    msg-type   |   hop-count   |                               |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               |
/// |                         link-address                          |
/// |                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                               |                               |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               |
/// |                         peer-address                          |
/// |                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                               |                               .
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               .
/// .            options (variable number and length)   ....        .
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
mod field {
    use core::ops::{Range, RangeFrom};

    pub const MSG_TYPE: usize = 0;
    pub const TRANSACTION_ID: Range<usize> = 1..4;
    pub const OPTIONS: RangeFrom<usize> = 4..;

    pub const HOP_COUNT: usize = 1;
    pub const LINK_ADDRESS: Range<usize> = 2..18;
    pub const PEER_ADDRESS: Range<usize> = 18..34;
    pub const RELAY_OPTIONS: RangeFrom<usize> = 34..;
}

/// A read/write view of one DHCPv6 message (a UDP payload), client/server or relay.
///
/// Once [`Packet::check_len`] (or [`Packet::new_checked`]) has passed, no accessor can panic:
/// the header the message type calls for is present. The client/server accessors
/// ([`transaction_id`](Packet::transaction_id)) and the relay accessors
/// ([`hop_count`](Packet::hop_count), ...) read whichever header the bytes are, so call the ones
/// [`MessageType::is_relay`] selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Wrap bytes without checking them.
    pub const fn new_unchecked(buffer: T) -> Packet<T> {
        Packet { buffer }
    }

    /// Wrap bytes and check that the header is complete.
    #[inline]
    pub fn new_checked(buffer: T) -> Result<Packet<T>> {
        let packet = Packet::new_unchecked(buffer);
        packet.check_len()?;
        Ok(packet)
    }

    /// Check that the bytes hold a whole header: 4 bytes, or 34 for relay messages (§8, §9).
    #[inline]
    pub fn check_len(&self) -> Result<()> {
        let data = self.buffer.as_ref();
        let Some(&first) = data.first() else {
            return Err(Error::Truncated { offset: 0 });
        };
        let need = if MessageType::from(first).is_relay() {
            RELAY_HEADER_LEN
        } else {
            HEADER_LEN
        };
        if data.len() < need {
            return Err(Error::Truncated { offset: data.len() });
        }
        Ok(())
    }

    /// The wrapped bytes.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// Length of the header the message type calls for (4 or 34 bytes).
    pub fn header_len(&self) -> usize {
        if self.msg_type().is_relay() {
            RELAY_HEADER_LEN
        } else {
            HEADER_LEN
        }
    }

    /// msg-type (§7.3).
    #[inline]
    pub fn msg_type(&self) -> MessageType {
        MessageType::from(
            self.buffer
                .as_ref()
                .get(field::MSG_TYPE)
                .copied()
                .unwrap_or(0),
        )
    }

    /// transaction-id, 24 bits (§8).
    #[inline]
    pub fn transaction_id(&self) -> u32 {
        let d = self.buffer.as_ref();
        match d.get(field::TRANSACTION_ID) {
            Some(&[a, b, c]) => u32::from_be_bytes([0, a, b, c]),
            _ => 0,
        }
    }

    /// hop-count of a relay message (§9): informational only, never trusted for the depth.
    pub fn hop_count(&self) -> u8 {
        self.buffer
            .as_ref()
            .get(field::HOP_COUNT)
            .copied()
            .unwrap_or(0)
    }

    /// link-address of a relay message (§9).
    pub fn link_address(&self) -> Ipv6Addr {
        addr_at(self.buffer.as_ref(), field::LINK_ADDRESS.start)
    }

    /// peer-address of a relay message (§9).
    pub fn peer_address(&self) -> Ipv6Addr {
        addr_at(self.buffer.as_ref(), field::PEER_ADDRESS.start)
    }

    /// The options area: the bytes after the header (4 bytes, or 34 for relay messages).
    pub fn options(&self) -> &[u8] {
        let d = self.buffer.as_ref();
        let range = if self.msg_type().is_relay() {
            field::RELAY_OPTIONS
        } else {
            field::OPTIONS
        };
        d.get(range).unwrap_or(&[])
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    /// Set msg-type.
    pub fn set_msg_type(&mut self, value: MessageType) {
        if let Some(b) = self.buffer.as_mut().get_mut(field::MSG_TYPE) {
            *b = u8::from(value);
        }
    }

    /// Set the 24-bit transaction-id (the top byte of `value` is ignored).
    pub fn set_transaction_id(&mut self, value: u32) {
        if let Some(d) = self.buffer.as_mut().get_mut(field::TRANSACTION_ID) {
            let [_, a, b, c] = value.to_be_bytes();
            d.copy_from_slice(&[a, b, c]);
        }
    }

    /// Set hop-count (relay messages).
    pub fn set_hop_count(&mut self, value: u8) {
        if let Some(b) = self.buffer.as_mut().get_mut(field::HOP_COUNT) {
            *b = value;
        }
    }

    /// Set link-address (relay messages).
    pub fn set_link_address(&mut self, value: Ipv6Addr) {
        if let Some(d) = self.buffer.as_mut().get_mut(field::LINK_ADDRESS) {
            d.copy_from_slice(&value.octets());
        }
    }

    /// Set peer-address (relay messages).
    pub fn set_peer_address(&mut self, value: Ipv6Addr) {
        if let Some(d) = self.buffer.as_mut().get_mut(field::PEER_ADDRESS) {
            d.copy_from_slice(&value.octets());
        }
    }
}

/// Read an IPv6 address at `at`, or `::` when the bytes are too short.
pub(crate) fn addr_at(data: &[u8], at: usize) -> Ipv6Addr {
    match data
        .get(at..at + 16)
        .and_then(|s| <[u8; 16]>::try_from(s).ok())
    {
        Some(octets) => Ipv6Addr::from(octets),
        None => Ipv6Addr::UNSPECIFIED,
    }
}

/// A whole decoded DHCPv6 UDP payload: a client/server message, or a relay chain with the
/// message at its centre.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Repr<'a> {
    /// A client/server message (§8).
    Message(MessageRepr<'a>),
    /// One or more Relay-forw / Relay-repl layers around a client/server message (§9).
    Relayed(RelayChain<'a>),
}

impl<'a> Repr<'a> {
    /// Decode and validate a whole UDP payload: header, every option (nested ones included) and
    /// every relay layer (at most [`MAX_RELAY_DEPTH`]). Unknown message types are
    /// [`Error::UnknownType`] (RFC 9915 §16: discard).
    #[inline]
    pub fn parse(bytes: &'a [u8]) -> Result<Repr<'a>> {
        let packet = Packet::new_checked(bytes)?;
        match packet.msg_type() {
            MessageType::Unknown(value) => Err(Error::UnknownType { value }),
            t if t.is_relay() => RelayChain::parse(bytes).map(Repr::Relayed),
            _ => MessageRepr::parse(&packet).map(Repr::Message),
        }
    }

    /// As [`parse`](Self::parse), but an option a receiver must ignore (SOL_MAX_RT or
    /// INF_MAX_RT out of range, an IA Address or IA Prefix with preferred > valid lifetime) is
    /// ignored instead of failing the message: RFC 7083 §4, §5 and RFC 9915 §21.6, §21.22, see
    /// [`option::RawOption::ignored_by_rfc`]. Structural errors (an option running past its
    /// container, a truncated header, relays too deep) still fail.
    pub fn parse_lenient(bytes: &'a [u8]) -> Result<Repr<'a>> {
        let packet = Packet::new_checked(bytes)?;
        match packet.msg_type() {
            MessageType::Unknown(value) => Err(Error::UnknownType { value }),
            t if t.is_relay() => RelayChain::parse_lenient(bytes).map(Repr::Relayed),
            _ => MessageRepr::parse_lenient(&packet).map(Repr::Message),
        }
    }

    /// The client/server message: this one, or the innermost of a relay chain.
    pub fn message(&self) -> MessageRepr<'a> {
        match self {
            Repr::Message(m) => *m,
            Repr::Relayed(chain) => chain.message(),
        }
    }

    /// Number of relay layers around the message (0 for a message sent directly).
    pub fn relay_depth(&self) -> usize {
        match self {
            Repr::Message(_) => 0,
            Repr::Relayed(chain) => chain.depth(),
        }
    }

    /// Bytes [`emit`](Repr::emit) writes.
    pub fn buffer_len(&self) -> usize {
        match self {
            Repr::Message(m) => m.buffer_len(),
            Repr::Relayed(chain) => chain.buffer_len(),
        }
    }

    /// Write the message into the start of `buf`; returns the bytes written. On
    /// [`Error::BufferTooSmall`] `buf` is left as it was.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize> {
        match self {
            Repr::Message(m) => m.emit(buf),
            Repr::Relayed(chain) => chain.emit(buf),
        }
    }
}

impl fmt::Display for Repr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Repr::Message(m) => fmt::Display::fmt(m, f),
            Repr::Relayed(chain) => fmt::Display::fmt(chain, f),
        }
    }
}

#[cfg(test)]
mod tests;
