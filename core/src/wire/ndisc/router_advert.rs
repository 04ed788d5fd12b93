//! Router Advertisement (RFC 4861 §4.2), with the H flag (RFC 6275 §7.1), the Prf field
//! (RFC 4191 §2.2) and the Proxy flag (RFC 4389 §4.1.3.3).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Type      |     Code      |          Checksum             |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! | Cur Hop Limit |M|O|H|Prf|P|Rsv|       Router Lifetime         |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                         Reachable Time                        |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                          Retrans Timer                        |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |   Options ...
//! +-+-+-+-+-+-+-+-+-+-+-+-
//! ```

use core::fmt;
use core::net::Ipv6Addr;

use super::option::{read_u32, Mode, NdOptions, OptionsRepr};
use super::RouterPreference;
use crate::wire::icmpv6::{self, Message};
use crate::wire::{Error, Result};

mod field {
    use core::ops::{Range, RangeFrom};
    pub const CUR_HOP_LIMIT: usize = 4;
    pub const FLAGS: usize = 5;
    pub const ROUTER_LIFETIME: Range<usize> = 6..8;
    pub const REACHABLE_TIME: Range<usize> = 8..12;
    pub const RETRANS_TIMER: Range<usize> = 12..16;
    pub const OPTIONS: RangeFrom<usize> = 16..;
}

const FLAG_MANAGED: u8 = 0x80;
const FLAG_OTHER: u8 = 0x40;
const FLAG_HOME_AGENT: u8 = 0x20;
const PRF_SHIFT: u8 = 3;
const FLAG_PROXY: u8 = 0x04;

/// A zero-copy view over a Router Advertisement (the whole ICMPv6 message).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RouterAdvert<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> RouterAdvert<T> {
    /// The fixed part: 16 bytes (RFC 4861 §6.1.2: ICMP length ≥ 16).
    pub const HEADER_LEN: usize = 16;

    /// Wrap without checking; call [`check_len`](Self::check_len) before the accessors.
    pub const fn new_unchecked(buffer: T) -> Self {
        RouterAdvert { buffer }
    }

    /// Wrap, failing with [`Error::Truncated`] below 16 bytes.
    pub fn new_checked(buffer: T) -> Result<Self> {
        let view = Self::new_unchecked(buffer);
        view.check_len()?;
        Ok(view)
    }

    /// Check the buffer holds the 16-byte fixed part.
    pub fn check_len(&self) -> Result<()> {
        let len = self.buffer.as_ref().len();
        if len < Self::HEADER_LEN {
            return Err(Error::Truncated { offset: len });
        }
        Ok(())
    }

    fn flags(&self) -> u8 {
        self.buffer.as_ref()[field::FLAGS]
    }

    /// Cur Hop Limit: the hop limit hosts should use, 0 for unspecified.
    pub fn cur_hop_limit(&self) -> u8 {
        self.buffer.as_ref()[field::CUR_HOP_LIMIT]
    }

    /// M: addresses are available via DHCPv6.
    pub fn managed(&self) -> bool {
        self.flags() & FLAG_MANAGED != 0
    }

    /// O: other configuration is available via DHCPv6.
    pub fn other(&self) -> bool {
        self.flags() & FLAG_OTHER != 0
    }

    /// H: the router is a Mobile IPv6 home agent (RFC 6275 §7.1).
    pub fn home_agent(&self) -> bool {
        self.flags() & FLAG_HOME_AGENT != 0
    }

    /// Prf: default router preference (RFC 4191 §2.2).
    pub fn router_preference(&self) -> RouterPreference {
        RouterPreference::from_bits(self.flags() >> PRF_SHIFT)
    }

    /// P: the RA was proxied (RFC 4389 §4.1.3.3).
    pub fn proxy(&self) -> bool {
        self.flags() & FLAG_PROXY != 0
    }

    /// Router Lifetime in seconds; 0 means not a default router.
    pub fn router_lifetime(&self) -> u16 {
        let b = &self.buffer.as_ref()[field::ROUTER_LIFETIME];
        u16::from_be_bytes([b[0], b[1]])
    }

    /// Reachable Time in milliseconds, 0 for unspecified.
    pub fn reachable_time(&self) -> u32 {
        read_u32(self.buffer.as_ref(), field::REACHABLE_TIME.start)
    }

    /// Retrans Timer in milliseconds, 0 for unspecified.
    pub fn retrans_timer(&self) -> u32 {
        read_u32(self.buffer.as_ref(), field::RETRANS_TIMER.start)
    }

    /// The options area, not yet validated.
    pub fn options(&self) -> &[u8] {
        &self.buffer.as_ref()[field::OPTIONS]
    }
}

/// A decoded Router Advertisement (RFC 4861 §4.2). `Default` is an RA with every field zero,
/// preference medium and no options.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RouterAdvertRepr<'a> {
    /// Cur Hop Limit, 0 for unspecified.
    pub cur_hop_limit: u8,
    /// M flag: addresses via DHCPv6.
    pub managed: bool,
    /// O flag: other configuration via DHCPv6.
    pub other: bool,
    /// H flag: home agent (RFC 6275 §7.1).
    pub home_agent: bool,
    /// P flag: proxied (RFC 4389 §4.1.3.3).
    pub proxy: bool,
    /// Default router preference (RFC 4191 §2.2).
    pub router_preference: RouterPreference,
    /// Router Lifetime in seconds; 0: not a default router.
    pub router_lifetime: u16,
    /// Reachable Time in milliseconds, 0 for unspecified.
    pub reachable_time: u32,
    /// Retrans Timer in milliseconds, 0 for unspecified.
    pub retrans_timer: u32,
    /// The options, in wire order.
    pub options: OptionsRepr<'a>,
}

impl<'a> RouterAdvertRepr<'a> {
    /// Emit as a whole ICMPv6 message from `src` to `dst`, checksum filled; see
    /// [`Repr::emit`](super::Repr::emit).
    pub fn emit(&self, src: &Ipv6Addr, dst: &Ipv6Addr, buf: &mut [u8]) -> Result<usize> {
        super::Repr::RouterAdvert(*self).emit(src, dst, buf)
    }

    /// Decode an RA: code 0, at least 16 bytes, every option valid (see
    /// [`option`](super::option)). The checksum is not checked here (it needs the addresses:
    /// [`icmpv6::Packet::check_checksum`]).
    #[inline]
    pub fn parse(packet: &icmpv6::Packet<&'a [u8]>) -> Result<Self> {
        Self::parse_mode(packet, Mode::Strict)
    }

    /// As [`parse`](Self::parse), but an option that breaks its own rules is ignored instead of
    /// failing the message (see [`NdOptions::parse_lenient`]); a bad option walk still fails.
    pub fn parse_lenient(packet: &icmpv6::Packet<&'a [u8]>) -> Result<Self> {
        Self::parse_mode(packet, Mode::Lenient)
    }

    #[inline]
    fn parse_mode(packet: &icmpv6::Packet<&'a [u8]>, mode: Mode) -> Result<Self> {
        super::check_header(packet, Message::RouterAdvert)?;
        let bytes: &'a [u8] = packet.into_inner();
        // A fixed-size view lets the getters compile without bounds checks.
        let head: &[u8; field::OPTIONS.start] = bytes.first_chunk().ok_or(Error::Truncated {
            offset: bytes.len(),
        })?;
        let view = RouterAdvert::new_unchecked(head);
        let options = NdOptions::parse_mode(
            bytes.get(field::OPTIONS).unwrap_or(&[]),
            field::OPTIONS.start,
            mode,
        )?;
        Ok(RouterAdvertRepr {
            cur_hop_limit: view.cur_hop_limit(),
            managed: view.managed(),
            other: view.other(),
            home_agent: view.home_agent(),
            proxy: view.proxy(),
            router_preference: view.router_preference(),
            router_lifetime: view.router_lifetime(),
            reachable_time: view.reachable_time(),
            retrans_timer: view.retrans_timer(),
            options: OptionsRepr::Wire(options),
        })
    }

    /// Bytes of the emitted message, ICMPv6 header included.
    pub fn buffer_len(&self) -> usize {
        field::OPTIONS.start + self.options.buffer_len()
    }

    /// Check that the message can be emitted and return its length.
    #[inline]
    pub fn checked_len(&self) -> Result<usize> {
        Ok(field::OPTIONS.start + self.options.checked_len(field::OPTIONS.start)?)
    }

    /// Write the body (everything after the checksum) into `out`, exactly `buffer_len()` long.
    #[inline]
    pub(crate) fn write(&self, out: &mut [u8]) {
        let (head, options) = out
            .split_at_mut_checked(field::OPTIONS.start)
            .unwrap_or_default();
        let Some(head) = head.first_chunk_mut::<{ field::OPTIONS.start }>() else {
            return;
        };
        self.options.write(options);
        let out = head;
        out[field::CUR_HOP_LIMIT] = self.cur_hop_limit;
        let mut flags = self.router_preference.bits() << PRF_SHIFT;
        if self.managed {
            flags |= FLAG_MANAGED;
        }
        if self.other {
            flags |= FLAG_OTHER;
        }
        if self.home_agent {
            flags |= FLAG_HOME_AGENT;
        }
        if self.proxy {
            flags |= FLAG_PROXY;
        }
        out[field::FLAGS] = flags;
        out[field::ROUTER_LIFETIME].copy_from_slice(&self.router_lifetime.to_be_bytes());
        out[field::REACHABLE_TIME].copy_from_slice(&self.reachable_time.to_be_bytes());
        out[field::RETRANS_TIMER].copy_from_slice(&self.retrans_timer.to_be_bytes());
    }
}

/// As tcpdump -v: `router advertisement, hop limit 64, Flags [managed], pref medium, router
/// lifetime 30s, reachable time 0ms, retrans timer 0ms`, then one option per line.
impl fmt::Display for RouterAdvertRepr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "router advertisement, hop limit {}, Flags [",
            self.cur_hop_limit
        )?;
        let mut first = true;
        for (set, name) in [
            (self.managed, "managed"),
            (self.other, "other stateful"),
            (self.home_agent, "home agent"),
            (self.proxy, "proxy"),
        ] {
            if set {
                if !first {
                    f.write_str(", ")?;
                }
                f.write_str(name)?;
                first = false;
            }
        }
        if first {
            f.write_str("none")?;
        }
        write!(
            f,
            "], pref {}, router lifetime {}s, reachable time {}ms, retrans timer {}ms",
            self.router_preference, self.router_lifetime, self.reachable_time, self.retrans_timer
        )?;
        for option in self.options.iter() {
            write!(f, "\n  {option}")?;
        }
        Ok(())
    }
}
