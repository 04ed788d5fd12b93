//! ICMPv6 Neighbor Discovery (RFC 4861): Router Solicitation and Advertisement, Neighbor
//! Solicitation and Advertisement, Redirect, and their [`option`]s.
//!
//! Each message family has a zero-copy view (e.g. [`RouterAdvert`]) and a `Repr` (e.g.
//! [`RouterAdvertRepr`]); [`Repr`] is the enum over all of them. Decoding checks what the bytes
//! alone can prove (RFC 4861 §6.1.1, §6.1.2, §7.1.1, §7.1.2, §8.1): code 0, the minimum ICMP
//! length of the message, and every option (see [`option`] for the exact rules). The checks
//! that need the IP header (hop limit 255, link-local source, unspecified source without SLLA,
//! no Fragment Header per RFC 6980) are a separate step, [`check_meta`], on an [`IpMeta`]; it
//! returns a [`DiscardReason`] an engine counts drops by. The checksum is checked with
//! [`icmpv6::Packet::check_checksum`], which needs the addresses too.
//!
//! Emitting ([`Repr::emit`]) computes the full length first, fails with
//! [`Error::BufferTooSmall`] leaving the buffer untouched, writes the message and fills the
//! checksum over the IPv6 pseudo-header.
//!
//! ```
//! use core::net::Ipv6Addr;
//! use sixconf_core::wire::icmpv6;
//! use sixconf_core::wire::ndisc::{
//!     option::{LinkLayerAddress, PrefixInformation}, NdOption, OptionsRepr, Repr,
//!     RouterAdvertRepr, RouterPreference,
//! };
//!
//! let mac = [0xfa, 0x16, 0x3e, 0xc3, 0x17, 0xb4];
//! let options = [
//!     NdOption::PrefixInformation(PrefixInformation {
//!         prefix_len: 64, on_link: true, autonomous: true, router_address: false,
//!         pd_preferred: false, valid_lifetime: 86400, preferred_lifetime: 14400,
//!         prefix: "2001:db8:cafe::".parse().unwrap(),
//!     }),
//!     NdOption::SourceLinkLayerAddress(LinkLayerAddress::new(&mac)),
//! ];
//! let ra = Repr::RouterAdvert(RouterAdvertRepr {
//!     cur_hop_limit: 64, managed: false, other: false, home_agent: false, proxy: false,
//!     router_preference: RouterPreference::Medium, router_lifetime: 30,
//!     reachable_time: 0, retrans_timer: 0, options: OptionsRepr::List(&options),
//! });
//! let src: Ipv6Addr = "fe80::f816:3eff:fec3:17b4".parse().unwrap();
//! let dst: Ipv6Addr = "ff02::1".parse().unwrap();
//! let mut buf = [0u8; 1280];
//! let len = ra.emit(&src, &dst, &mut buf).unwrap();
//! assert_eq!(len, 56);
//!
//! let packet = icmpv6::Packet::new_checked(&buf[..len]).unwrap();
//! assert!(packet.verify_checksum(&src, &dst));
//! assert_eq!(Repr::parse(&packet).unwrap(), ra);
//! ```

use core::fmt;
use core::net::Ipv6Addr;

use crate::wire::icmpv6::{self, Message};
use crate::wire::{Error, Result};

pub mod neighbor;
pub mod option;
pub mod redirect;
pub mod router_advert;
pub mod router_solicit;

pub use neighbor::{NeighborAdvert, NeighborAdvertRepr, NeighborSolicit, NeighborSolicitRepr};
pub use option::{Mode, NdOption, NdOptions, OptionType, OptionsRepr};
pub use redirect::{Redirect, RedirectRepr};
pub use router_advert::{RouterAdvert, RouterAdvertRepr};
pub use router_solicit::{RouterSolicit, RouterSolicitRepr};

/// Default router or route preference (RFC 4191 §2.1), the 2-bit Prf field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum RouterPreference {
    /// `01`.
    High,
    /// `00`, the default.
    #[default]
    Medium,
    /// `11`.
    Low,
    /// `10`: a receiver treats it as Medium (RFC 4191 §2.2) or ignores the route (§2.3).
    Reserved,
}

impl RouterPreference {
    /// From the two low bits of `bits`.
    pub const fn from_bits(bits: u8) -> Self {
        match bits & 0b11 {
            0b01 => RouterPreference::High,
            0b00 => RouterPreference::Medium,
            0b11 => RouterPreference::Low,
            _ => RouterPreference::Reserved,
        }
    }

    /// The 2-bit value.
    pub const fn bits(self) -> u8 {
        match self {
            RouterPreference::High => 0b01,
            RouterPreference::Medium => 0b00,
            RouterPreference::Low => 0b11,
            RouterPreference::Reserved => 0b10,
        }
    }
}

/// `high`, `medium`, `low`, `reserved`, as tcpdump prints them.
impl fmt::Display for RouterPreference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RouterPreference::High => "high",
            RouterPreference::Medium => "medium",
            RouterPreference::Low => "low",
            RouterPreference::Reserved => "reserved",
        })
    }
}

/// Check type, code 0 (RFC 4861 §6.1) and the header length.
#[inline]
pub(crate) fn check_header<T: AsRef<[u8]>>(
    packet: &icmpv6::Packet<T>,
    expected: Message,
) -> Result<()> {
    packet.check_len()?;
    if packet.msg_type() != expected {
        return Err(Error::UnknownType {
            value: packet.msg_type().into(),
        });
    }
    if packet.msg_code() != 0 {
        return Err(Error::Malformed {
            what: "code",
            offset: 1,
        });
    }
    Ok(())
}

/// Any Neighbor Discovery message, decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Repr<'a> {
    /// Router Solicitation (RFC 4861 §4.1).
    RouterSolicit(RouterSolicitRepr<'a>),
    /// Router Advertisement (RFC 4861 §4.2).
    RouterAdvert(RouterAdvertRepr<'a>),
    /// Neighbor Solicitation (RFC 4861 §4.3).
    NeighborSolicit(NeighborSolicitRepr<'a>),
    /// Neighbor Advertisement (RFC 4861 §4.4).
    NeighborAdvert(NeighborAdvertRepr<'a>),
    /// Redirect (RFC 4861 §4.5).
    Redirect(RedirectRepr<'a>),
}

impl<'a> Repr<'a> {
    /// Decode a Neighbor Discovery message. Fails with [`Error::UnknownType`] for any other
    /// ICMPv6 type; see each `Repr`'s `parse` for the rules. The checksum is not checked here.
    #[inline]
    pub fn parse(packet: &icmpv6::Packet<&'a [u8]>) -> Result<Repr<'a>> {
        Self::parse_mode(packet, Mode::Strict)
    }

    /// As [`parse`](Self::parse), but an option that breaks its own rules is ignored rather
    /// than failing the message (RFC 4191 §3.1, RFC 8781 §4, RFC 8106 §5.3.1; see
    /// [`NdOptions::parse_lenient`]). The option walk, the code and the message's length are
    /// still checked: what a host processing RAs uses.
    pub fn parse_lenient(packet: &icmpv6::Packet<&'a [u8]>) -> Result<Repr<'a>> {
        Self::parse_mode(packet, Mode::Lenient)
    }

    /// [`parse`](Self::parse) or [`parse_lenient`](Self::parse_lenient).
    #[inline]
    pub fn parse_mode(packet: &icmpv6::Packet<&'a [u8]>, mode: Mode) -> Result<Repr<'a>> {
        packet.check_len()?;
        let lenient = mode == Mode::Lenient;
        match (packet.msg_type(), lenient) {
            (Message::RouterSolicit, false) => {
                RouterSolicitRepr::parse(packet).map(Repr::RouterSolicit)
            }
            (Message::RouterSolicit, true) => {
                RouterSolicitRepr::parse_lenient(packet).map(Repr::RouterSolicit)
            }
            (Message::RouterAdvert, false) => {
                RouterAdvertRepr::parse(packet).map(Repr::RouterAdvert)
            }
            (Message::RouterAdvert, true) => {
                RouterAdvertRepr::parse_lenient(packet).map(Repr::RouterAdvert)
            }
            (Message::NeighborSolicit, false) => {
                NeighborSolicitRepr::parse(packet).map(Repr::NeighborSolicit)
            }
            (Message::NeighborSolicit, true) => {
                NeighborSolicitRepr::parse_lenient(packet).map(Repr::NeighborSolicit)
            }
            (Message::NeighborAdvert, false) => {
                NeighborAdvertRepr::parse(packet).map(Repr::NeighborAdvert)
            }
            (Message::NeighborAdvert, true) => {
                NeighborAdvertRepr::parse_lenient(packet).map(Repr::NeighborAdvert)
            }
            (Message::Redirect, false) => RedirectRepr::parse(packet).map(Repr::Redirect),
            (Message::Redirect, true) => RedirectRepr::parse_lenient(packet).map(Repr::Redirect),
            (other, _) => Err(Error::UnknownType {
                value: other.into(),
            }),
        }
    }

    /// Decode `bytes` (an ICMPv6 message) after checking its checksum for `src` → `dst`.
    pub fn parse_verified(bytes: &'a [u8], src: &Ipv6Addr, dst: &Ipv6Addr) -> Result<Repr<'a>> {
        let packet = icmpv6::Packet::new_checked(bytes)?;
        packet.check_checksum(src, dst)?;
        Repr::parse(&packet)
    }

    /// The ICMPv6 type.
    pub fn msg_type(&self) -> Message {
        match self {
            Repr::RouterSolicit(_) => Message::RouterSolicit,
            Repr::RouterAdvert(_) => Message::RouterAdvert,
            Repr::NeighborSolicit(_) => Message::NeighborSolicit,
            Repr::NeighborAdvert(_) => Message::NeighborAdvert,
            Repr::Redirect(_) => Message::Redirect,
        }
    }

    /// The message's options.
    pub fn options(&self) -> OptionsRepr<'a> {
        match self {
            Repr::RouterSolicit(r) => r.options,
            Repr::RouterAdvert(r) => r.options,
            Repr::NeighborSolicit(r) => r.options,
            Repr::NeighborAdvert(r) => r.options,
            Repr::Redirect(r) => r.options,
        }
    }

    /// Bytes of the emitted ICMPv6 message.
    pub fn buffer_len(&self) -> usize {
        match self {
            Repr::RouterSolicit(r) => r.buffer_len(),
            Repr::RouterAdvert(r) => r.buffer_len(),
            Repr::NeighborSolicit(r) => r.buffer_len(),
            Repr::NeighborAdvert(r) => r.buffer_len(),
            Repr::Redirect(r) => r.buffer_len(),
        }
    }

    /// Check that the message can be emitted (every option valid, see [`NdOption::check`]).
    pub fn check(&self) -> Result<()> {
        self.checked_len().map(drop)
    }

    /// [`check`](Self::check), returning [`buffer_len`](Self::buffer_len).
    #[inline]
    pub fn checked_len(&self) -> Result<usize> {
        match self {
            Repr::RouterSolicit(r) => r.checked_len(),
            Repr::RouterAdvert(r) => r.checked_len(),
            Repr::NeighborSolicit(r) => r.checked_len(),
            Repr::NeighborAdvert(r) => r.checked_len(),
            Repr::Redirect(r) => r.checked_len(),
        }
    }

    /// Write the ICMPv6 message for `src` → `dst` at the start of `buf`, checksum filled
    /// (RFC 4443 §2.3), and return its length. Fails, leaving `buf` untouched, if the message
    /// is invalid ([`check`](Self::check)) or `buf` is shorter than
    /// [`buffer_len`](Self::buffer_len) ([`Error::BufferTooSmall`]).
    #[inline]
    pub fn emit(&self, src: &Ipv6Addr, dst: &Ipv6Addr, buf: &mut [u8]) -> Result<usize> {
        let len = self.checked_len()?;
        let out = buf
            .get_mut(..len)
            .ok_or(Error::BufferTooSmall { needed: len })?;
        out.fill(0);
        let mut packet = icmpv6::Packet::new_unchecked(&mut *out);
        packet.set_msg_type(self.msg_type());
        packet.set_msg_code(0);
        match self {
            Repr::RouterSolicit(r) => r.write(out),
            Repr::RouterAdvert(r) => r.write(out),
            Repr::NeighborSolicit(r) => r.write(out),
            Repr::NeighborAdvert(r) => r.write(out),
            Repr::Redirect(r) => r.write(out),
        }
        icmpv6::Packet::new_unchecked(out).fill_checksum(src, dst);
        Ok(len)
    }

    /// Apply the checks of RFC 4861 §6.1.1, §6.1.2, §7.1.1, §7.1.2, §8.1 and RFC 6980 that
    /// need the IP header; see [`check_meta`].
    pub fn check_meta(&self, meta: &IpMeta) -> core::result::Result<(), DiscardReason> {
        check_meta(self, meta)
    }
}

impl fmt::Display for Repr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Repr::RouterSolicit(r) => write!(f, "{r}"),
            Repr::RouterAdvert(r) => write!(f, "{r}"),
            Repr::NeighborSolicit(r) => write!(f, "{r}"),
            Repr::NeighborAdvert(r) => write!(f, "{r}"),
            Repr::Redirect(r) => write!(f, "{r}"),
        }
    }
}

/// What the IP layer knew about a received ND message, for [`check_meta`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpMeta {
    /// IPv6 source address.
    pub src: Ipv6Addr,
    /// IPv6 destination address.
    pub dst: Ipv6Addr,
    /// IPv6 Hop Limit as received (`IPV6_RECVHOPLIMIT`).
    pub hop_limit: u8,
    /// `true` if the packet carried a Fragment Header (RFC 6980).
    pub had_fragment_header: bool,
}

#[cfg(feature = "defmt")]
impl defmt::Format for IpMeta {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(
            f,
            "IpMeta {{ src: {=[u8]}, dst: {=[u8]}, hop_limit: {=u8}, fragment: {=bool} }}",
            self.src.octets(),
            self.dst.octets(),
            self.hop_limit,
            self.had_fragment_header
        )
    }
}

/// Why a decoded ND message must be silently discarded, by the rules that need the IP header.
/// Engines keep one counter per variant ([`DiscardReason::index`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum DiscardReason {
    /// Hop Limit is not 255: the message may come from off-link (RFC 4861 §6.1, §7.1, §8.1).
    HopLimit,
    /// The packet had a Fragment Header (RFC 6980 §5).
    Fragmented,
    /// An RA or Redirect whose source is not link-local (RFC 4861 §6.1.2, §8.1;
    /// CVE-2016-3698).
    SourceNotLinkLocal,
    /// An RS or NS from `::` carrying a Source Link-Layer Address option (§6.1.1, §7.1.1).
    UnspecifiedSourceWithSlla,
    /// An NS from `::` not sent to a solicited-node multicast address (§7.1.1).
    UnspecifiedSourceNotSolicitedNode,
    /// An NS or NA whose target is a multicast address (§7.1.1, §7.1.2).
    MulticastTarget,
    /// An NA with the Solicited flag sent to a multicast address (§7.1.2).
    SolicitedToMulticast,
    /// A Redirect whose destination is multicast (§8.1).
    RedirectToMulticast,
    /// A Redirect whose target is neither link-local nor the destination (§8.1).
    RedirectTargetNotLinkLocal,
}

impl DiscardReason {
    /// Every reason, in [`index`](Self::index) order.
    pub const ALL: [DiscardReason; 9] = [
        DiscardReason::HopLimit,
        DiscardReason::Fragmented,
        DiscardReason::SourceNotLinkLocal,
        DiscardReason::UnspecifiedSourceWithSlla,
        DiscardReason::UnspecifiedSourceNotSolicitedNode,
        DiscardReason::MulticastTarget,
        DiscardReason::SolicitedToMulticast,
        DiscardReason::RedirectToMulticast,
        DiscardReason::RedirectTargetNotLinkLocal,
    ];

    /// Number of reasons, for counter arrays.
    pub const COUNT: usize = Self::ALL.len();

    /// Position in [`ALL`](Self::ALL), for indexing a counter array.
    pub const fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for DiscardReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DiscardReason::HopLimit => "hop limit is not 255",
            DiscardReason::Fragmented => "fragmented ND message",
            DiscardReason::SourceNotLinkLocal => "source is not link-local",
            DiscardReason::UnspecifiedSourceWithSlla => {
                "source link-layer address option from the unspecified address"
            }
            DiscardReason::UnspecifiedSourceNotSolicitedNode => {
                "NS from the unspecified address not sent to a solicited-node address"
            }
            DiscardReason::MulticastTarget => "target is multicast",
            DiscardReason::SolicitedToMulticast => "solicited NA sent to multicast",
            DiscardReason::RedirectToMulticast => "redirect destination is multicast",
            DiscardReason::RedirectTargetNotLinkLocal => {
                "redirect target is neither link-local nor the destination"
            }
        })
    }
}

impl core::error::Error for DiscardReason {}

/// `true` for ff02::1:ffXX:XXXX (RFC 4291 §2.7.1).
fn is_solicited_node(addr: &Ipv6Addr) -> bool {
    let o = addr.octets();
    o[..13] == [0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff]
}

fn has_slla(options: OptionsRepr<'_>) -> bool {
    options
        .iter()
        .any(|o| matches!(o, NdOption::SourceLinkLayerAddress(_)))
}

/// The validity checks that need the IP header: RFC 4861 §6.1.1 (RS), §6.1.2 (RA), §7.1.1 (NS),
/// §7.1.2 (NA), §8.1 (Redirect), and RFC 6980 §5 (no Fragment Header). Checksum, code, length
/// and option checks happen when decoding.
pub fn check_meta(repr: &Repr<'_>, meta: &IpMeta) -> core::result::Result<(), DiscardReason> {
    if meta.hop_limit != 255 {
        return Err(DiscardReason::HopLimit);
    }
    if meta.had_fragment_header {
        return Err(DiscardReason::Fragmented);
    }
    match repr {
        Repr::RouterSolicit(rs) => {
            if meta.src.is_unspecified() && has_slla(rs.options) {
                return Err(DiscardReason::UnspecifiedSourceWithSlla);
            }
        }
        Repr::RouterAdvert(_) => {
            if !meta.src.is_unicast_link_local() {
                return Err(DiscardReason::SourceNotLinkLocal);
            }
        }
        Repr::NeighborSolicit(ns) => {
            if ns.target.is_multicast() {
                return Err(DiscardReason::MulticastTarget);
            }
            if meta.src.is_unspecified() {
                if !is_solicited_node(&meta.dst) {
                    return Err(DiscardReason::UnspecifiedSourceNotSolicitedNode);
                }
                if has_slla(ns.options) {
                    return Err(DiscardReason::UnspecifiedSourceWithSlla);
                }
            }
        }
        Repr::NeighborAdvert(na) => {
            if na.target.is_multicast() {
                return Err(DiscardReason::MulticastTarget);
            }
            if na.solicited_flag && meta.dst.is_multicast() {
                return Err(DiscardReason::SolicitedToMulticast);
            }
        }
        Repr::Redirect(r) => {
            if !meta.src.is_unicast_link_local() {
                return Err(DiscardReason::SourceNotLinkLocal);
            }
            if r.destination.is_multicast() {
                return Err(DiscardReason::RedirectToMulticast);
            }
            if !r.target.is_unicast_link_local() && r.target != r.destination {
                return Err(DiscardReason::RedirectTargetNotLinkLocal);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn router_preference_bits_round_trip() {
        for bits in 0..4u8 {
            assert_eq!(RouterPreference::from_bits(bits).bits(), bits);
        }
        assert_eq!(RouterPreference::from_bits(0b01), RouterPreference::High);
        assert_eq!(RouterPreference::from_bits(0b11), RouterPreference::Low);
        assert_eq!(RouterPreference::default(), RouterPreference::Medium);
    }

    #[test]
    fn solicited_node_addresses() {
        assert!(is_solicited_node(&"ff02::1:ff00:1".parse().unwrap()));
        assert!(is_solicited_node(&"ff02::1:ffc3:17b4".parse().unwrap()));
        assert!(!is_solicited_node(&"ff02::1".parse().unwrap()));
        assert!(!is_solicited_node(&"ff02::2:ff00:1".parse().unwrap()));
    }
}
