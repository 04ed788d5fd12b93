//! Neighbor Discovery options (RFC 4861 §4.6 and the RFCs that add RA options), one file per
//! option family, and the walk over an options area.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Type      |    Length     |              ...              |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ~                              ...                              ~
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! Length counts units of 8 bytes, header included.
//!
//! # Validation: once, at parse
//!
//! [`NdOptions::parse`] walks the whole options area before anything is handed out and fails
//! with a typed [`Error`] if any option is bad:
//!
//! - the walk itself (RFC 4861 §4.6): `Length != 0` and `Length × 8 <= remaining`
//!   ([`Error::BadOptionLength`]); a lone trailing byte is [`Error::Truncated`];
//! - each known option's own size: SLLA/TLLA/MTU/Nonce/Redirected Header Length ≥ 1, Prefix
//!   Information ≥ 4, Route Information 1..=3 and consistent with its prefix length
//!   (RFC 4191 §2.3), RDNSS ≥ 3 and odd, DNSSL ≥ 2 (RFC 8106 §5), PREF64 exactly 2
//!   (RFC 8781 §4) ([`Error::BadOptionLength`]);
//! - field values: prefix lengths ≤ 128 ([`Error::Malformed`]), DNSSL names per RFC 1035 §3.1
//!   without compression ([`Error::BadName`]).
//!
//! Unknown option types are kept verbatim as [`NdOption::Unknown`] and skipped by consumers
//! (RFC 4861 §4.6). After a successful parse, iterating [`NdOptions`] cannot fail: it yields
//! [`NdOption`]s in wire order, each borrowing the message's bytes. A message may carry any
//! number of each option (several prefixes, several RDNSS, …).
//!
//! [`NdOptions::parse`] is strict: a message with a malformed option is dropped whole with a
//! reason an engine can count, never half-applied. [`NdOptions::parse_lenient`] is what a
//! receiver does per RFC 4191 §3.1, RFC 8781 §4 and RFC 8106 §5.3.1: only the walk can fail the
//! message, and an option that breaks its own rules is ignored (skipped by the iterator, listed
//! by [`NdOptions::checked`]).
//!
//! # Emitting
//!
//! [`OptionsRepr`] is either the parsed [`NdOptions`] (re-emitted byte for byte) or a slice of
//! typed [`NdOption`]s (e.g. a `heapless::Vec<NdOption, N>` a router assembled). Each option's
//! [`NdOption::buffer_len`] is known before anything is written, so a caller can split options
//! across messages that must fit an MTU.

use core::fmt;
use core::net::Ipv6Addr;

use crate::wire::{Error, Result};

pub mod captive_portal;
pub mod dnssl;
pub mod link_layer;
pub mod mtu;
pub mod nonce;
pub mod pref64;
pub mod prefix_information;
pub mod rdnss;
pub mod redirected_header;
pub mod route_information;

pub use captive_portal::CaptivePortal;
pub use dnssl::{Dnssl, Domain, Domains};
pub use link_layer::LinkLayerAddress;
pub use nonce::Nonce;
pub use pref64::{Pref64, Pref64Length};
pub use prefix_information::PrefixInformation;
pub use rdnss::{Ipv6Addrs, Rdnss};
pub use redirected_header::RedirectedHeader;
pub use route_information::RouteInformation;

/// Bytes of the Type and Length fields.
pub const HEADER_LEN: usize = 2;

/// The longest option: Length 255 (2040 bytes).
pub const MAX_LEN: usize = 255 * 8;

mod field {
    pub const TYPE: usize = 0;
    pub const LENGTH: usize = 1;
}

/// Option types (IANA "IPv6 Neighbor Discovery Option Formats").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum OptionType {
    /// 1, RFC 4861 §4.6.1.
    SourceLinkLayerAddress,
    /// 2, RFC 4861 §4.6.1.
    TargetLinkLayerAddress,
    /// 3, RFC 4861 §4.6.2.
    PrefixInformation,
    /// 4, RFC 4861 §4.6.3.
    RedirectedHeader,
    /// 5, RFC 4861 §4.6.4.
    Mtu,
    /// 14, RFC 3971 §5.3.2.
    Nonce,
    /// 24, RFC 4191 §2.3.
    RouteInformation,
    /// 25, RFC 8106 §5.1.
    Rdnss,
    /// 31, RFC 8106 §5.2.
    Dnssl,
    /// 37, RFC 8910 §2.3.
    CaptivePortal,
    /// 38, RFC 8781 §4.
    Pref64,
    /// Any other type.
    Unknown(u8),
}

impl From<u8> for OptionType {
    fn from(value: u8) -> Self {
        match value {
            1 => OptionType::SourceLinkLayerAddress,
            2 => OptionType::TargetLinkLayerAddress,
            3 => OptionType::PrefixInformation,
            4 => OptionType::RedirectedHeader,
            5 => OptionType::Mtu,
            14 => OptionType::Nonce,
            24 => OptionType::RouteInformation,
            25 => OptionType::Rdnss,
            31 => OptionType::Dnssl,
            37 => OptionType::CaptivePortal,
            38 => OptionType::Pref64,
            other => OptionType::Unknown(other),
        }
    }
}

impl From<OptionType> for u8 {
    fn from(value: OptionType) -> Self {
        match value {
            OptionType::SourceLinkLayerAddress => 1,
            OptionType::TargetLinkLayerAddress => 2,
            OptionType::PrefixInformation => 3,
            OptionType::RedirectedHeader => 4,
            OptionType::Mtu => 5,
            OptionType::Nonce => 14,
            OptionType::RouteInformation => 24,
            OptionType::Rdnss => 25,
            OptionType::Dnssl => 31,
            OptionType::CaptivePortal => 37,
            OptionType::Pref64 => 38,
            OptionType::Unknown(other) => other,
        }
    }
}

/// tcpdump's names: `source link-address`, `prefix info`, `mtu`, `rdnss`, …
impl fmt::Display for OptionType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OptionType::SourceLinkLayerAddress => "source link-address",
            OptionType::TargetLinkLayerAddress => "destination link-address",
            OptionType::PrefixInformation => "prefix info",
            OptionType::RedirectedHeader => "redirected header",
            OptionType::Mtu => "mtu",
            OptionType::Nonce => "nonce",
            OptionType::RouteInformation => "route info",
            OptionType::Rdnss => "rdnss",
            OptionType::Dnssl => "dnssl",
            OptionType::CaptivePortal => "captive portal",
            OptionType::Pref64 => "pref64",
            OptionType::Unknown(_) => "unknown",
        })
    }
}

/// One Neighbor Discovery option, decoded, borrowing the message's bytes where it has
/// variable-length content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum NdOption<'a> {
    /// Source Link-Layer Address (RFC 4861 §4.6.1).
    SourceLinkLayerAddress(LinkLayerAddress<'a>),
    /// Target Link-Layer Address (RFC 4861 §4.6.1).
    TargetLinkLayerAddress(LinkLayerAddress<'a>),
    /// Prefix Information (RFC 4861 §4.6.2, RFC 9762).
    PrefixInformation(PrefixInformation),
    /// Redirected Header (RFC 4861 §4.6.3).
    RedirectedHeader(RedirectedHeader<'a>),
    /// MTU in bytes (RFC 4861 §4.6.4).
    Mtu(u32),
    /// Route Information (RFC 4191 §2.3).
    RouteInformation(RouteInformation),
    /// Recursive DNS Servers (RFC 8106 §5.1).
    Rdnss(Rdnss<'a>),
    /// DNS Search List (RFC 8106 §5.2).
    Dnssl(Dnssl<'a>),
    /// Captive-portal API URI (RFC 8910 §2.3).
    CaptivePortal(CaptivePortal<'a>),
    /// NAT64 prefix (RFC 8781 §4).
    Pref64(Pref64),
    /// Nonce (RFC 3971 §5.3.2).
    Nonce(Nonce<'a>),
    /// Any other option, kept verbatim: `data` is every byte after the Length field.
    Unknown {
        /// The option type.
        kind: u8,
        /// The bytes after the Length field (emitted padded with zeros to a multiple of 8).
        data: &'a [u8],
    },
}

impl<'a> NdOption<'a> {
    /// Decode the option at the start of `bytes`. `offset` is where `bytes` starts in the
    /// message, for error reports. Returns the option and its size in bytes.
    pub fn parse(bytes: &'a [u8], offset: usize) -> Result<(NdOption<'a>, usize)> {
        let (kind, option) = validate(bytes, offset)?;
        Ok((NdOption::from_wire(kind, option), option.len()))
    }

    /// Decode one whole option (`Length × 8` bytes) that passed [`validate`]. Never fails:
    /// every read is bounds-checked and a missing byte reads as zero.
    #[inline]
    fn from_wire(kind: u8, option: &'a [u8]) -> NdOption<'a> {
        // Matching the raw type (the values of `OptionType`) saves a conversion per option.
        match kind {
            1 => NdOption::SourceLinkLayerAddress(LinkLayerAddress::from_wire(option)),
            2 => NdOption::TargetLinkLayerAddress(LinkLayerAddress::from_wire(option)),
            3 => NdOption::PrefixInformation(PrefixInformation::from_wire(option)),
            4 => NdOption::RedirectedHeader(RedirectedHeader::from_wire(option)),
            5 => NdOption::Mtu(mtu::from_wire(option)),
            14 => NdOption::Nonce(Nonce::from_wire(option)),
            24 => NdOption::RouteInformation(RouteInformation::from_wire(option)),
            25 => NdOption::Rdnss(Rdnss::from_wire(option)),
            31 => NdOption::Dnssl(Dnssl::from_wire(option)),
            37 => NdOption::CaptivePortal(CaptivePortal::from_wire(option)),
            38 => NdOption::Pref64(Pref64::from_wire(option)),
            _ => NdOption::Unknown {
                kind,
                data: option.get(HEADER_LEN..).unwrap_or(&[]),
            },
        }
    }

    /// The option's type.
    pub fn option_type(&self) -> OptionType {
        match self {
            NdOption::SourceLinkLayerAddress(_) => OptionType::SourceLinkLayerAddress,
            NdOption::TargetLinkLayerAddress(_) => OptionType::TargetLinkLayerAddress,
            NdOption::PrefixInformation(_) => OptionType::PrefixInformation,
            NdOption::RedirectedHeader(_) => OptionType::RedirectedHeader,
            NdOption::Mtu(_) => OptionType::Mtu,
            NdOption::RouteInformation(_) => OptionType::RouteInformation,
            NdOption::Rdnss(_) => OptionType::Rdnss,
            NdOption::Dnssl(_) => OptionType::Dnssl,
            NdOption::CaptivePortal(_) => OptionType::CaptivePortal,
            NdOption::Pref64(_) => OptionType::Pref64,
            NdOption::Nonce(_) => OptionType::Nonce,
            NdOption::Unknown { kind, .. } => OptionType::Unknown(*kind),
        }
    }

    /// Bytes the option takes when emitted: a multiple of 8, padding included.
    #[inline]
    pub fn buffer_len(&self) -> usize {
        match self {
            NdOption::SourceLinkLayerAddress(l) | NdOption::TargetLinkLayerAddress(l) => {
                padded(l.data_len())
            }
            NdOption::PrefixInformation(_) => PrefixInformation::LEN,
            NdOption::RedirectedHeader(r) => padded(r.data_len()),
            NdOption::Mtu(_) => mtu::LEN,
            NdOption::RouteInformation(r) => padded(r.data_len()),
            NdOption::Rdnss(r) => padded(r.data_len()),
            NdOption::Dnssl(d) => padded(d.data_len()).max(Dnssl::MIN_LEN),
            NdOption::CaptivePortal(c) => padded(c.data_len()),
            NdOption::Pref64(_) => Pref64::LEN,
            NdOption::Nonce(n) => padded(n.data_len()),
            NdOption::Unknown { data, .. } => padded(data.len()),
        }
    }

    /// Check that the option can be emitted: content valid and at most [`MAX_LEN`] bytes.
    /// Error offsets count from the option's first byte.
    pub fn check(&self) -> Result<()> {
        self.checked_len().map(drop)
    }

    /// [`check`](Self::check), returning [`buffer_len`](Self::buffer_len) (one pass over
    /// variable-length content).
    #[inline]
    pub fn checked_len(&self) -> Result<usize> {
        let len = match self {
            NdOption::PrefixInformation(p) => p.check().map(|_| PrefixInformation::LEN)?,
            NdOption::RouteInformation(r) => r.check().map(|_| padded(r.data_len()))?,
            NdOption::Rdnss(r) => r.check().map(|_| padded(r.data_len()))?,
            NdOption::Dnssl(d) => padded(d.checked_data_len()?).max(Dnssl::MIN_LEN),
            NdOption::Pref64(p) => p.check().map(|_| Pref64::LEN)?,
            NdOption::Nonce(n) => n.check().map(|_| padded(n.data_len()))?,
            _ => self.buffer_len(),
        };
        if len > MAX_LEN {
            return Err(Error::Malformed {
                what: "option longer than 2040 bytes",
                offset: field::LENGTH,
            });
        }
        Ok(len)
    }

    /// Write the option at the start of `out` and return its length. Fails, writing nothing,
    /// if the option is invalid ([`check`](Self::check)) or `out` is shorter than
    /// [`buffer_len`](Self::buffer_len).
    pub fn emit(&self, out: &mut [u8]) -> Result<usize> {
        let len = self.checked_len()?;
        let out = out
            .get_mut(..len)
            .ok_or(Error::BufferTooSmall { needed: len })?;
        out.fill(0);
        Ok(self.write(out))
    }

    /// Write into `out`, zeroed and at least `buffer_len()` bytes, after `check()` passed;
    /// returns the option's length.
    #[inline]
    fn write(&self, out: &mut [u8]) -> usize {
        let len = match self {
            NdOption::SourceLinkLayerAddress(l) | NdOption::TargetLinkLayerAddress(l) => {
                l.write_body(out);
                padded(l.data_len())
            }
            NdOption::PrefixInformation(p) => {
                p.write_body(out);
                PrefixInformation::LEN
            }
            NdOption::RedirectedHeader(r) => {
                r.write_body(out);
                padded(r.data_len())
            }
            NdOption::Mtu(m) => {
                mtu::write_body(*m, out);
                mtu::LEN
            }
            NdOption::RouteInformation(r) => {
                r.write_body(out);
                padded(r.data_len())
            }
            NdOption::Rdnss(r) => {
                r.write_body(out);
                padded(r.data_len())
            }
            NdOption::Dnssl(d) => padded(d.write_body(out)).max(Dnssl::MIN_LEN),
            NdOption::CaptivePortal(c) => {
                c.write_body(out);
                padded(c.data_len())
            }
            NdOption::Pref64(p) => {
                p.write_body(out);
                Pref64::LEN
            }
            NdOption::Nonce(n) => {
                n.write_body(out);
                padded(n.data_len())
            }
            NdOption::Unknown { data, .. } => {
                if let Some(o) = out.get_mut(HEADER_LEN..HEADER_LEN + data.len()) {
                    o.copy_from_slice(data);
                }
                padded(data.len())
            }
        };
        if let Some(header) = out.first_chunk_mut::<HEADER_LEN>() {
            header[field::TYPE] = self.option_type().into();
            header[field::LENGTH] = (len / 8) as u8;
        }
        len
    }
}

/// Whole option length for `data_len` bytes after the Length field: rounded up to 8.
const fn padded(data_len: usize) -> usize {
    (HEADER_LEN + data_len).div_ceil(8) * 8
}

/// As tcpdump -v prints an option: `prefix info option (3), length 32 (4): 2001:db8::/64, …`.
impl fmt::Display for NdOption<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind: u8 = self.option_type().into();
        let len = self.buffer_len();
        write!(
            f,
            "{} option ({kind}), length {len} ({}): ",
            self.option_type(),
            len / 8
        )?;
        match self {
            NdOption::SourceLinkLayerAddress(l) | NdOption::TargetLinkLayerAddress(l) => {
                write!(f, "{l}")
            }
            NdOption::PrefixInformation(p) => write!(f, "{p}"),
            NdOption::RedirectedHeader(r) => write!(f, "{} bytes", r.data().len()),
            NdOption::Mtu(m) => write!(f, "{m}"),
            NdOption::RouteInformation(r) => write!(f, "{r}"),
            NdOption::Rdnss(r) => write!(f, "{r}"),
            NdOption::Dnssl(d) => write!(f, "{d}"),
            NdOption::CaptivePortal(c) => write!(f, "{c}"),
            NdOption::Pref64(p) => write!(f, "{p}"),
            NdOption::Nonce(n) => write!(f, "{n}"),
            NdOption::Unknown { data, .. } => {
                for b in data.iter() {
                    write!(f, "{b:02x}")?;
                }
                Ok(())
            }
        }
    }
}

/// Check the option at the start of `bytes` (walk rule and the option's own rules) and return
/// its type and its whole `Length × 8` bytes.
#[inline]
fn validate(bytes: &[u8], offset: usize) -> Result<(u8, &[u8])> {
    let (kind, option) = walk_one(bytes, offset)?;
    check_kind(kind, option, offset)?;
    Ok((kind, option))
}

/// The walk rule alone (RFC 4861 §4.6, §6.1.2): a Length of 0, or an option running past the
/// end, or a lone trailing byte, makes the whole message invalid. Returns the option's type and
/// its whole `Length × 8` bytes.
#[inline]
fn walk_one(bytes: &[u8], offset: usize) -> Result<(u8, &[u8])> {
    let (&kind, rest) = bytes.split_first().ok_or(Error::Truncated { offset })?;
    let &units = rest
        .first()
        .ok_or(Error::Truncated { offset: offset + 1 })?;
    let len = usize::from(units) * 8;
    match bytes.get(..len) {
        Some(option) if units != 0 => Ok((kind, option)),
        _ => Err(Error::BadOptionLength {
            code: u16::from(kind),
            offset,
            len,
        }),
    }
}

/// The option's own rules (its minimum size and field values), for an option that passed the
/// walk.
#[inline]
fn check_kind(kind: u8, option: &[u8], offset: usize) -> Result<()> {
    match kind {
        3 => PrefixInformation::validate_wire(option, offset),
        24 => RouteInformation::validate_wire(option, offset),
        25 => Rdnss::validate_wire(option, offset),
        31 => Dnssl::validate_wire(option, offset),
        38 => Pref64::validate_wire(option, offset),
        // Length >= 1 is all the others need: 6 bytes hold an Ethernet address, an MTU, the
        // shortest nonce (RFC 3971 §5.3.2) or the Redirected Header's reserved bytes.
        _ => Ok(()),
    }
}

/// How a message's options are judged when it is decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Mode {
    /// Any invalid option fails the whole message ([`NdOptions::parse`]).
    #[default]
    Strict,
    /// An option that breaks its own rules is ignored; only a bad walk fails the message
    /// ([`NdOptions::parse_lenient`]).
    Lenient,
}

/// The options area of a parsed message: validated once by [`NdOptions::parse`] (or
/// [`NdOptions::parse_lenient`]), then an infallible iterator over [`NdOption`]s in wire order.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct NdOptions<'a> {
    bytes: &'a [u8],
    /// Offset of `bytes` in the message, for the errors of [`NdOptions::checked`].
    offset: usize,
    mode: Mode,
}

impl<'a> NdOptions<'a> {
    /// An empty options area.
    pub const EMPTY: NdOptions<'static> = NdOptions {
        bytes: &[],
        offset: 0,
        mode: Mode::Strict,
    };

    /// Validate every option in `bytes` (see the [module docs](self)); `offset` is where `bytes`
    /// starts in the message, so errors name the byte of the message that is wrong.
    #[inline]
    pub fn parse(bytes: &'a [u8], offset: usize) -> Result<Self> {
        let mut pos = 0;
        while let Some(rest) = bytes.get(pos..).filter(|r| !r.is_empty()) {
            let (_, option) = validate(rest, offset + pos)?;
            pos += option.len();
        }
        Ok(NdOptions {
            bytes,
            offset,
            mode: Mode::Strict,
        })
    }

    /// Validate only the option walk (RFC 4861 §4.6, §6.1.2: no Length 0, no option past the
    /// end); an option that breaks its own rules is then skipped by the iterator instead of
    /// failing the message, as the RFCs ask of a receiver:
    ///
    /// - Route Information with a bad length or prefix length (RFC 4191 §3.1: "the Route
    ///   Information Option MUST be ignored", CVE-2024-5564);
    /// - PREF64 of a length other than 2 (RFC 8781 §4: "the receiver MUST ignore the PREF64
    ///   option");
    /// - RDNSS shorter than 3 or even, DNSSL shorter than 2 or with a bad name (RFC 8106 §5.1,
    ///   §5.2, §5.3.1: such an option is ignored);
    /// - Prefix Information shorter than 32 bytes or with a prefix length above 128 (RFC 4861
    ///   §4.6.2; the prefix is ignored, as RFC 4862 §5.5.3 ignores prefixes it cannot use).
    ///
    /// [`NdOptions::checked`] shows the ignored options and why.
    #[inline]
    pub fn parse_lenient(bytes: &'a [u8], offset: usize) -> Result<Self> {
        let mut pos = 0;
        while let Some(rest) = bytes.get(pos..).filter(|r| !r.is_empty()) {
            let (_, option) = walk_one(rest, offset + pos)?;
            pos += option.len();
        }
        Ok(NdOptions {
            bytes,
            offset,
            mode: Mode::Lenient,
        })
    }

    /// [`parse`](Self::parse) or [`parse_lenient`](Self::parse_lenient).
    #[inline]
    pub fn parse_mode(bytes: &'a [u8], offset: usize, mode: Mode) -> Result<Self> {
        match mode {
            Mode::Strict => Self::parse(bytes, offset),
            Mode::Lenient => Self::parse_lenient(bytes, offset),
        }
    }

    /// How the options were parsed.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The bytes not yet iterated (all of them, before iteration).
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// `true` if no option remains.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Every option in wire order, each decoded or with the reason it is invalid (and ignored,
    /// after [`parse_lenient`](Self::parse_lenient)); after [`parse`](Self::parse) every item
    /// is `Ok`.
    pub fn checked(&self) -> CheckedOptions<'a> {
        CheckedOptions {
            bytes: self.bytes,
            offset: self.offset,
        }
    }
}

impl<'a> Iterator for NdOptions<'a> {
    type Item = NdOption<'a>;

    #[inline]
    fn next(&mut self) -> Option<NdOption<'a>> {
        loop {
            // `parse` validated every option, so only the walk is repeated here; a zero length
            // (impossible after `parse`) ends the iteration rather than looping.
            let (&kind, rest) = self.bytes.split_first()?;
            let len = usize::from(*rest.first()?) * 8;
            match (len, self.bytes.split_at_checked(len)) {
                (1.., Some((option, tail))) => {
                    let at = self.offset;
                    self.bytes = tail;
                    self.offset += len;
                    // After `parse_lenient`, an option that breaks its own rules is skipped.
                    if self.mode == Mode::Lenient && check_kind(kind, option, at).is_err() {
                        continue;
                    }
                    return Some(NdOption::from_wire(kind, option));
                }
                _ => {
                    self.bytes = &[];
                    return None;
                }
            }
        }
    }
}

/// Iterator of [`NdOptions::checked`]: every option, decoded or with why it is invalid.
#[derive(Debug, Clone)]
pub struct CheckedOptions<'a> {
    bytes: &'a [u8],
    offset: usize,
}

impl<'a> Iterator for CheckedOptions<'a> {
    type Item = Result<NdOption<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.bytes.is_empty() {
            return None;
        }
        let at = self.offset;
        match walk_one(self.bytes, at) {
            Ok((kind, option)) => {
                self.bytes = self.bytes.get(option.len()..).unwrap_or(&[]);
                self.offset += option.len();
                Some(check_kind(kind, option, at).map(|()| NdOption::from_wire(kind, option)))
            }
            Err(e) => {
                self.bytes = &[];
                Some(Err(e))
            }
        }
    }
}

impl fmt::Debug for NdOptions<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(*self).finish()
    }
}

/// The options of a message `Repr`: as parsed, or a list of typed options to emit.
///
/// Equality compares the options themselves, so a parsed message equals the `Repr` it was
/// emitted from.
#[derive(Clone, Copy)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum OptionsRepr<'a> {
    /// Options borrowed from a parsed message (re-emitted byte for byte).
    Wire(NdOptions<'a>),
    /// Options to emit, in this order.
    List(&'a [NdOption<'a>]),
}

impl Default for OptionsRepr<'_> {
    fn default() -> Self {
        OptionsRepr::List(&[])
    }
}

impl<'a> OptionsRepr<'a> {
    /// No options.
    pub const NONE: OptionsRepr<'static> = OptionsRepr::List(&[]);

    /// The options in wire order.
    #[inline]
    pub fn iter(&self) -> OptionsIter<'a> {
        match *self {
            OptionsRepr::Wire(options) => OptionsIter::Wire(options),
            OptionsRepr::List(list) => OptionsIter::List(list.iter()),
        }
    }

    /// Bytes the options take when emitted.
    #[inline]
    pub fn buffer_len(&self) -> usize {
        match self {
            OptionsRepr::Wire(options) => options.as_bytes().len(),
            OptionsRepr::List(list) => list.iter().map(NdOption::buffer_len).sum(),
        }
    }

    /// Check that every option can be emitted; `offset` is where the options start in the
    /// message, for error reports.
    pub fn check(&self, offset: usize) -> Result<()> {
        self.checked_len(offset).map(drop)
    }

    /// [`check`](Self::check), returning [`buffer_len`](Self::buffer_len).
    #[inline]
    pub fn checked_len(&self, offset: usize) -> Result<usize> {
        match self {
            OptionsRepr::Wire(options) => Ok(options.as_bytes().len()),
            OptionsRepr::List(list) => {
                let mut len = 0;
                for option in list.iter() {
                    len += option.checked_len().map_err(|e| shift(e, offset + len))?;
                }
                Ok(len)
            }
        }
    }

    /// Write the options into `out`, zeroed and exactly `buffer_len()` bytes, after
    /// `check()`.
    #[inline]
    pub(crate) fn write(&self, out: &mut [u8]) {
        match self {
            OptionsRepr::Wire(options) => {
                if let Some(o) = out.get_mut(..options.as_bytes().len()) {
                    o.copy_from_slice(options.as_bytes());
                }
            }
            OptionsRepr::List(list) => {
                let mut pos = 0;
                for option in list.iter() {
                    match out.get_mut(pos..) {
                        Some(rest) => pos += option.write(rest),
                        None => break,
                    }
                }
            }
        }
    }
}

impl PartialEq for OptionsRepr<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for OptionsRepr<'_> {}

impl fmt::Debug for OptionsRepr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<'a> IntoIterator for OptionsRepr<'a> {
    type Item = NdOption<'a>;
    type IntoIter = OptionsIter<'a>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// Iterator over [`OptionsRepr`].
#[derive(Clone, Debug)]
pub enum OptionsIter<'a> {
    /// Over parsed options.
    Wire(NdOptions<'a>),
    /// Over a list.
    List(core::slice::Iter<'a, NdOption<'a>>),
}

impl<'a> Iterator for OptionsIter<'a> {
    type Item = NdOption<'a>;
    #[inline]
    fn next(&mut self) -> Option<NdOption<'a>> {
        match self {
            OptionsIter::Wire(options) => options.next(),
            OptionsIter::List(list) => list.next().copied(),
        }
    }
}

/// Move an error's offset from option-relative to message-relative.
fn shift(error: Error, by: usize) -> Error {
    match error {
        Error::Malformed { what, offset } => Error::Malformed {
            what,
            offset: offset + by,
        },
        Error::BadName { offset, reason } => Error::BadName {
            offset: offset + by,
            reason,
        },
        other => other,
    }
}

/// Big-endian u32 at `at`; zero where bytes are missing (callers check lengths first).
#[inline]
pub(crate) fn read_u32(bytes: &[u8], at: usize) -> u32 {
    let mut word = [0u8; 4];
    if let Some(src) = bytes.get(at..at + 4) {
        word.copy_from_slice(src);
    }
    u32::from_be_bytes(word)
}

/// IPv6 address at `at`; zero where bytes are missing (callers check lengths first).
#[inline]
pub(crate) fn read_ipv6(bytes: &[u8], at: usize) -> Ipv6Addr {
    let mut octets = [0u8; 16];
    if let Some(src) = bytes.get(at..at + 16) {
        octets.copy_from_slice(src);
    }
    Ipv6Addr::from(octets)
}

/// A lifetime in seconds, `infinity` for all ones (RFC 4861 §4.6.2).
pub(crate) fn fmt_lifetime(f: &mut fmt::Formatter<'_>, secs: u32) -> fmt::Result {
    if secs == u32::MAX {
        f.write_str("infinity")
    } else {
        write!(f, "{secs}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::ToString;

    #[test]
    fn option_types_round_trip_and_name_themselves() {
        for v in 0..=255u8 {
            assert_eq!(u8::from(OptionType::from(v)), v);
        }
        assert_eq!(OptionType::from(3).to_string(), "prefix info");
        assert_eq!(OptionType::from(200), OptionType::Unknown(200));
    }

    #[test]
    fn padding_rounds_up_to_eight() {
        assert_eq!(padded(6), 8);
        assert_eq!(padded(7), 16);
        assert_eq!(padded(14), 16);
        assert_eq!(padded(2038), MAX_LEN);
    }

    #[test]
    fn wire_and_list_forms_compare_by_content() {
        let a: Ipv6Addr = "2001:db8::53".parse().unwrap();
        let wire = a.octets();
        assert_eq!(Ipv6Addrs::Wire(&wire), Ipv6Addrs::List(&[a]));
        assert_ne!(Ipv6Addrs::Wire(&wire), Ipv6Addrs::List(&[a, a]));
        let names = b"\x07example\x03com\x00\x00\x00";
        assert_eq!(Domains::Wire(names), Domains::List(&["example.com."]));
        assert_eq!(Domains::Wire(names), Domains::List(&["example.com"]));
        assert_ne!(Domains::Wire(names), Domains::List(&["example.org"]));
        assert_ne!(Domains::List(&["a..b"]), Domains::List(&["a.b"]));
        assert_eq!(Domains::Wire(names).len(), 1);
        assert_eq!(Domains::Wire(&[0, 0]).len(), 0);
    }

    #[test]
    fn lifetimes_print_infinity() {
        let r = Rdnss {
            lifetime: u32::MAX,
            servers: Ipv6Addrs::List(&[Ipv6Addr::LOCALHOST]),
        };
        assert_eq!(r.to_string(), "lifetime infinity, addr: ::1");
    }

    #[test]
    fn pref64_length_codes() {
        for code in 0..8u8 {
            let l = Pref64Length::from_code(code);
            assert_eq!(l.code(), code);
            assert_eq!(l.bits().is_some(), code <= 5);
        }
        let p = Pref64 {
            scaled_lifetime: 0x1fff,
            length: Pref64Length::L64,
            prefix: Ipv6Addr::UNSPECIFIED,
        };
        assert_eq!(p.lifetime_secs(), 65528);
    }

    #[test]
    fn iteration_stops_on_a_zero_length_it_was_never_given() {
        // Only `parse` makes an NdOptions, so this cannot happen through the API; the
        // iterator still ends rather than looping if the bytes were wrong.
        let mut options = NdOptions {
            bytes: &[5, 0, 0, 0],
            offset: 0,
            mode: Mode::Strict,
        };
        assert_eq!(options.next(), None);
        assert!(options.is_empty());
    }
}
