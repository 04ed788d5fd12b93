//! Relay agent/server messages (RFC 9915 §9): Relay-forw and Relay-repl, nested.
//!
//! Each layer has the 34-byte relay header and options, one of which (Relay Message, §21.10)
//! holds the next layer or, at the centre, the client/server message. [`RelayChain::parse`]
//! walks the layers **iteratively**, counting the real depth from the bytes: the hop-count field
//! is never trusted (odhcpd recursed once per layer on ~1,700 nested Relay-forw). More than
//! [`MAX_RELAY_DEPTH`] layers is [`Error::TooDeep`].

use core::fmt;
use core::net::Ipv6Addr;

use super::builder::{build, Writer};
use super::message::{shift, tcpdump_name};
use super::option::{DhcpOption, OptionCode, Options, RawOption};
use super::{MessageRepr, MessageType, Packet, MAX_RELAY_DEPTH, RELAY_HEADER_LEN};
use crate::wire::{Error, Result};

/// One decoded relay layer: its header and validated options (the Relay Message among them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RelayRepr<'a> {
    /// Relay-forw or Relay-repl.
    pub msg_type: MessageType,
    /// hop-count as sent (informational only).
    pub hop_count: u8,
    /// link-address: identifies the client's link (may be `::`).
    #[cfg_attr(feature = "defmt", defmt(Display2Format))]
    pub link_address: Ipv6Addr,
    /// peer-address: the client or relay agent the message came from / goes to.
    #[cfg_attr(feature = "defmt", defmt(Display2Format))]
    pub peer_address: Ipv6Addr,
    /// The options, Relay Message included.
    pub options: Options<'a>,
}

impl<'a> RelayRepr<'a> {
    /// Decode one layer starting at `base` bytes into the datagram; returns the layer and its
    /// Relay Message option (exactly one is required).
    fn parse_at(
        bytes: &'a [u8],
        base: usize,
        trusted: bool,
        lenient: bool,
    ) -> Result<(RelayRepr<'a>, RawOption<'a>)> {
        let packet = Packet::new_unchecked(bytes);
        packet.check_len().map_err(|e| shift(e, base))?;
        let option_bytes = bytes.get(RELAY_HEADER_LEN..).unwrap_or(&[]);
        let options = if trusted {
            Options::trusted(option_bytes, base + RELAY_HEADER_LEN)
        } else {
            Options::parse_mode(option_bytes, base + RELAY_HEADER_LEN, lenient)?
        };
        let mut relay_message = None;
        for raw in options.raw().flatten() {
            if raw.code == u16::from(OptionCode::RelayMessage) {
                if relay_message.is_some() {
                    return Err(Error::Malformed {
                        what: "more than one Relay Message option",
                        offset: raw.offset,
                    });
                }
                relay_message = Some(raw);
            }
        }
        let Some(relay_message) = relay_message else {
            return Err(Error::Malformed {
                what: "relay message without a Relay Message option",
                offset: base,
            });
        };
        Ok((
            RelayRepr {
                msg_type: packet.msg_type(),
                hop_count: packet.hop_count(),
                link_address: packet.link_address(),
                peer_address: packet.peer_address(),
                options,
            },
            relay_message,
        ))
    }

    /// The Relay Message option's content: the next layer or the client/server message.
    pub fn relay_message(&self) -> &'a [u8] {
        self.options
            .iter()
            .find_map(|o| match o {
                DhcpOption::RelayMessage(m) => Some(m),
                _ => None,
            })
            .unwrap_or(&[])
    }

    /// The Interface-ID option's content, if any (§21.18); a server echoes it in Relay-repl.
    pub fn interface_id(&self) -> Option<&'a [u8]> {
        self.options.iter().find_map(|o| match o {
            DhcpOption::InterfaceId(id) => Some(id),
            _ => None,
        })
    }

    /// Write this layer (header and every option as parsed) through `w`.
    pub fn write(&self, w: &mut Writer<'_>) {
        w.relay_header(
            self.msg_type,
            self.hop_count,
            self.link_address,
            self.peer_address,
        );
        self.options.emit(w);
    }
}

/// A relayed message: one or more relay layers, outermost first, around a client/server
/// message. Every layer was validated by [`RelayChain::parse`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RelayChain<'a> {
    bytes: &'a [u8],
    depth: usize,
    message: MessageRepr<'a>,
}

impl<'a> RelayChain<'a> {
    /// Decode a Relay-forw or Relay-repl and every layer inside it, iteratively, up to
    /// [`MAX_RELAY_DEPTH`] layers.
    pub fn parse(bytes: &'a [u8]) -> Result<RelayChain<'a>> {
        Self::parse_mode(bytes, false)
    }

    /// As [`parse`](Self::parse), with every layer's options and the message's parsed by
    /// [`Options::parse_lenient`].
    pub fn parse_lenient(bytes: &'a [u8]) -> Result<RelayChain<'a>> {
        Self::parse_mode(bytes, true)
    }

    fn parse_mode(bytes: &'a [u8], lenient: bool) -> Result<RelayChain<'a>> {
        let mut inner = bytes;
        let mut base = 0usize;
        let mut depth = 0usize;
        loop {
            let Some(&first) = inner.first() else {
                return Err(Error::Truncated { offset: base });
            };
            if !MessageType::from(first).is_relay() {
                break;
            }
            depth += 1;
            if depth > MAX_RELAY_DEPTH {
                return Err(Error::TooDeep { depth });
            }
            let (_, relay_message) = RelayRepr::parse_at(inner, base, false, lenient)?;
            inner = relay_message.data;
            base = relay_message.data_offset();
        }
        if depth == 0 {
            return Err(Error::Malformed {
                what: "not a relay message",
                offset: 0,
            });
        }
        let message = MessageRepr::parse_at(inner, base, lenient)?;
        Ok(RelayChain {
            bytes,
            depth,
            message,
        })
    }

    /// Number of relay layers (1..=[`MAX_RELAY_DEPTH`]), counted from the bytes.
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// The client/server message at the centre.
    pub fn message(&self) -> MessageRepr<'a> {
        self.message
    }

    /// The outermost layer (the one the server received from, or sends to, a relay agent).
    pub fn outer(&self) -> RelayRepr<'a> {
        self.layers().next().unwrap_or(RelayRepr {
            msg_type: MessageType::RelayForw,
            hop_count: 0,
            link_address: Ipv6Addr::UNSPECIFIED,
            peer_address: Ipv6Addr::UNSPECIFIED,
            options: Options::empty(),
        })
    }

    /// The layers, outermost first.
    pub fn layers(&self) -> RelayLayers<'a> {
        RelayLayers {
            bytes: self.bytes,
            base: 0,
            remaining: self.depth,
        }
    }

    /// The whole datagram's bytes.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Bytes [`emit`](RelayChain::emit) writes.
    pub fn buffer_len(&self) -> usize {
        self.bytes.len()
    }

    /// Write the chain into the start of `buf` (the outermost layer typed, the Relay Message as
    /// carried); returns its length. On [`Error::BufferTooSmall`] `buf` is untouched.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize> {
        let outer = self.outer();
        build(buf, |w| outer.write(w))
    }

    /// Start a reply that goes back through the same relay agents (RFC 9915 §19.3): writes one
    /// Relay-repl header per layer, outermost first, echoing hop-count, link-address,
    /// peer-address and Interface-ID, and opens each layer's Relay Message option. Write the
    /// client/server message next, then close with `w.end_n(depth)`. Returns the depth.
    pub fn write_reply_headers(&self, w: &mut Writer<'_>) -> usize {
        for layer in self.layers() {
            w.relay_header(
                MessageType::RelayRepl,
                layer.hop_count,
                layer.link_address,
                layer.peer_address,
            );
            if let Some(id) = layer.interface_id() {
                w.interface_id(id);
            }
            w.begin_relay_message();
        }
        self.depth
    }
}

/// Iterator over the layers of a [`RelayChain`], outermost first.
#[derive(Debug, Clone)]
pub struct RelayLayers<'a> {
    bytes: &'a [u8],
    base: usize,
    remaining: usize,
}

impl<'a> Iterator for RelayLayers<'a> {
    type Item = RelayRepr<'a>;

    fn next(&mut self) -> Option<RelayRepr<'a>> {
        self.remaining = self.remaining.checked_sub(1)?;
        let (layer, relay_message) =
            RelayRepr::parse_at(self.bytes, self.base, true, false).ok()?;
        self.bytes = relay_message.data;
        self.base = relay_message.data_offset();
        Some(layer)
    }
}

/// As tcpdump -v prints it, one layer inside the other:
/// `relay-fwd (hop-count 0, link-address …, peer-address …, (interface-ID …) (relay-message (solicit …)))`.
impl fmt::Display for RelayChain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for layer in self.layers() {
            write!(
                f,
                "{} (hop-count {}, link-address {}, peer-address {}",
                tcpdump_name(layer.msg_type),
                layer.hop_count,
                layer.link_address,
                layer.peer_address
            )?;
            for o in layer.options.iter() {
                if !matches!(o, DhcpOption::RelayMessage(_)) {
                    write!(f, " ({o})")?;
                }
            }
            f.write_str(" (relay-message ")?;
        }
        write!(f, "{}", self.message)?;
        for _ in 0..self.depth {
            f.write_str("))")?;
        }
        Ok(())
    }
}
