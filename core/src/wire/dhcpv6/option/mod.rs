//! DHCPv6 options (RFC 9915 §21 and the companion RFCs), decoded in wire order over borrowed
//! bytes.
//!
//! Every option has the same 4-byte header (§21.1):
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |          option-code          |           option-len          |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                          option-data                          |
//! |                      (option-len octets)                      |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! [`RawOptions`] walks the headers (`4 + option-len <= remaining`: an option ending exactly at
//! the end of its container is valid, one byte more is not — dnsmasq CVE-2017-14494).
//! [`Options::parse`] checks every option once, nested options included (to a bounded depth),
//! and afterwards [`Options::iter`] yields typed [`DhcpOption`]s that cannot fail.
//!
//! Files by family: [`duid`] (Client/Server Identifier), [`ia`] (IA_NA, IA_TA, IA_PD, IA
//! Address, IA Prefix, Prefix Exclude), [`status`] (Status Code), [`names`] (DNS servers, Domain
//! Search List, SNTP, Client FQDN, NTP Server), [`relay_agent`] (Interface-ID, Remote-ID,
//! Subscriber-ID, Client Link-Layer Address), [`class`] (User Class, Vendor Class,
//! Vendor-specific Information), [`auth`] (Authentication and the reconfigure key).

use core::fmt;
use core::net::Ipv6Addr;

use super::builder::Writer;
use super::MessageType;
use crate::wire::{Error, Result};

pub mod auth;
pub mod class;
pub mod duid;
pub mod ia;
pub mod names;
pub mod relay_agent;
pub mod status;

pub use auth::{Authentication, ReconfigureKey};
pub use class::{ClassData, UserClass, VendorClass, VendorOpts};
pub use duid::Duid;
pub use ia::{IaAddress, IaNa, IaPd, IaPrefix, IaTa, PrefixExclude};
pub use names::{Addresses, ClientFqdn, DomainList, FqdnName, NtpServer, NtpSuboption};
pub use relay_agent::{ClientLinkLayerAddress, RemoteId};
pub use status::{Status, StatusCode};

/// Length of an option header: option-code and option-len (§21.1).
pub const OPTION_HEADER_LEN: usize = 4;

/// How deep options may nest inside options: a top-level option is at depth 0, so IA_NA → IA
/// Address → Status Code puts the Status Code at depth 2. An option deeper than this is
/// [`Error::TooDeep`], so that validation recursion is bounded whatever the bytes say.
pub const MAX_OPTION_NESTING: usize = 8;

/// Lowest value of SOL_MAX_RT and INF_MAX_RT a client honours, in seconds (RFC 7083 §4, §5).
pub const MAX_RT_MIN: u32 = 60;
/// Highest value of SOL_MAX_RT and INF_MAX_RT a client honours, in seconds (RFC 7083 §4, §5).
pub const MAX_RT_MAX: u32 = 86400;

macro_rules! option_codes {
    ($( $(#[$doc:meta])* $name:ident = $value:literal, $text:literal; )*) => {
        /// DHCPv6 option codes (RFC 9915 §21 and the IANA registry). Unknown codes survive a
        /// round trip.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[cfg_attr(feature = "defmt", derive(defmt::Format))]
        pub enum OptionCode {
            $( $(#[$doc])* $name, )*
            /// Any other code.
            Unknown(u16),
        }

        impl From<u16> for OptionCode {
            #[inline(always)]
            fn from(value: u16) -> Self {
                match value {
                    $( $value => OptionCode::$name, )*
                    n => OptionCode::Unknown(n),
                }
            }
        }

        impl From<OptionCode> for u16 {
            #[inline]
            fn from(value: OptionCode) -> Self {
                match value {
                    $( OptionCode::$name => $value, )*
                    OptionCode::Unknown(n) => n,
                }
            }
        }

        impl OptionCode {
            /// The option's short name, as tcpdump prints it (e.g. `"client-ID"`); `"unknown"`
            /// for codes not listed here.
            pub fn name(self) -> &'static str {
                match self {
                    $( OptionCode::$name => $text, )*
                    OptionCode::Unknown(_) => "unknown",
                }
            }
        }
    };
}

option_codes! {
    /// OPTION_CLIENTID (1), RFC 9915 §21.2.
    ClientId = 1, "client-ID";
    /// OPTION_SERVERID (2), §21.3.
    ServerId = 2, "server-ID";
    /// OPTION_IA_NA (3), §21.4.
    IaNa = 3, "IA_NA";
    /// OPTION_IA_TA (4), §21.5 (obsoleted; decoded only).
    IaTa = 4, "IA_TA";
    /// OPTION_IAADDR (5), §21.6.
    IaAddr = 5, "IA_ADDR";
    /// OPTION_ORO (6), §21.7.
    Oro = 6, "option-request";
    /// OPTION_PREFERENCE (7), §21.8.
    Preference = 7, "preference";
    /// OPTION_ELAPSED_TIME (8), §21.9.
    ElapsedTime = 8, "elapsed-time";
    /// OPTION_RELAY_MSG (9), §21.10.
    RelayMessage = 9, "relay-message";
    /// OPTION_AUTH (11), §21.11.
    Authentication = 11, "authentication";
    /// OPTION_UNICAST (12), §21.12 (obsoleted; decoded only).
    ServerUnicast = 12, "server-unicast";
    /// OPTION_STATUS_CODE (13), §21.13.
    StatusCode = 13, "status-code";
    /// OPTION_RAPID_COMMIT (14), §21.14.
    RapidCommit = 14, "rapid-commit";
    /// OPTION_USER_CLASS (15), §21.15.
    UserClass = 15, "user-class";
    /// OPTION_VENDOR_CLASS (16), §21.16.
    VendorClass = 16, "vendor-class";
    /// OPTION_VENDOR_OPTS (17), §21.17.
    VendorOpts = 17, "vendor-specific-info";
    /// OPTION_INTERFACE_ID (18), §21.18.
    InterfaceId = 18, "interface-ID";
    /// OPTION_RECONF_MSG (19), §21.19.
    ReconfigureMessage = 19, "reconfigure-message";
    /// OPTION_RECONF_ACCEPT (20), §21.20.
    ReconfigureAccept = 20, "reconfigure-accept";
    /// OPTION_DNS_SERVERS (23), RFC 3646 §3.
    DnsServers = 23, "DNS-server";
    /// OPTION_DOMAIN_LIST (24), RFC 3646 §4.
    DomainList = 24, "DNS-search-list";
    /// OPTION_IA_PD (25), §21.21.
    IaPd = 25, "IA_PD";
    /// OPTION_IAPREFIX (26), §21.22.
    IaPrefix = 26, "IA_PD-prefix";
    /// OPTION_SNTP_SERVERS (31), RFC 4075.
    SntpServers = 31, "SNTP-servers";
    /// OPTION_INFORMATION_REFRESH_TIME (32), §21.23.
    InformationRefreshTime = 32, "lifetime";
    /// OPTION_REMOTE_ID (37), RFC 4649.
    RemoteId = 37, "remote-ID";
    /// OPTION_SUBSCRIBER_ID (38), RFC 4580.
    SubscriberId = 38, "subscriber-ID";
    /// OPTION_CLIENT_FQDN (39), RFC 4704.
    ClientFqdn = 39, "Client-FQDN";
    /// OPTION_NTP_SERVER (56), RFC 5908.
    NtpServer = 56, "NTP-server";
    /// OPTION_PD_EXCLUDE (67), RFC 6603.
    PrefixExclude = 67, "PD-exclude";
    /// OPTION_CLIENT_LINKLAYER_ADDR (79), RFC 6939.
    ClientLinkLayerAddress = 79, "client-link-layer-address";
    /// OPTION_SOL_MAX_RT (82), §21.24 (RFC 7083).
    SolMaxRt = 82, "sol-max-rt";
    /// OPTION_INF_MAX_RT (83), §21.25 (RFC 7083).
    InfMaxRt = 83, "inf-max-rt";
}

impl fmt::Display for OptionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OptionCode::Unknown(n) => write!(f, "option {n}"),
            other => f.write_str(other.name()),
        }
    }
}

/// One option as it is on the wire: its code, its data, and the offset of its header in the
/// message (for error reports).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RawOption<'a> {
    /// option-code.
    pub code: u16,
    /// option-data (option-len bytes).
    pub data: &'a [u8],
    /// Offset of the option's first header byte from the start of the message.
    pub offset: usize,
}

impl<'a> RawOption<'a> {
    /// The option's code as an [`OptionCode`].
    pub fn option_code(&self) -> OptionCode {
        OptionCode::from(self.code)
    }

    /// Offset of the option's data from the start of the message.
    pub fn data_offset(&self) -> usize {
        self.offset + OPTION_HEADER_LEN
    }

    /// Why a receiver ignores this option rather than the whole message, if it must: the
    /// rules [`Options::parse_lenient`] applies. `None` for every other option, valid or not.
    ///
    /// - SOL_MAX_RT (82) or INF_MAX_RT (83) outside 60..=86400: "A DHCP client MUST ignore"
    ///   it (RFC 9915 §21.24, §21.25; RFC 7083 §4, §5);
    /// - an IA Address (5) or IA Prefix (26) whose preferred lifetime exceeds its valid
    ///   lifetime: the client discards that address or prefix (RFC 9915 §21.6, §21.22).
    pub fn ignored_by_rfc(&self) -> Option<&'static str> {
        let word = |at: usize| be32(self.data, at).unwrap_or(0);
        let out_of_range = |v: u32| !(MAX_RT_MIN..=MAX_RT_MAX).contains(&v);
        match self.code {
            82 if self.data.len() == 4 && out_of_range(word(0)) => {
                Some("SOL_MAX_RT outside 60..=86400 (RFC 9915 §21.24, RFC 7083 §4)")
            }
            83 if self.data.len() == 4 && out_of_range(word(0)) => {
                Some("INF_MAX_RT outside 60..=86400 (RFC 9915 §21.25, RFC 7083 §5)")
            }
            5 if self.data.len() >= 24 && word(16) > word(20) => {
                Some("IA Address preferred lifetime > valid lifetime (RFC 9915 §21.6)")
            }
            26 if self.data.len() >= 25 && word(0) > word(4) => {
                Some("IA Prefix preferred lifetime > valid lifetime (RFC 9915 §21.22)")
            }
            _ => None,
        }
    }

    pub(crate) fn bad_len(&self) -> Error {
        Error::BadOptionLength {
            code: self.code,
            offset: self.offset,
            len: self.data.len(),
        }
    }

    pub(crate) fn malformed(&self, what: &'static str, at: usize) -> Error {
        Error::Malformed {
            what,
            offset: self.data_offset() + at,
        }
    }
}

/// Walks option headers in wire order without interpreting them. Yields `Err` once, for the
/// first option whose header or length does not fit, and then stops.
#[derive(Debug, Clone)]
pub struct RawOptions<'a> {
    bytes: &'a [u8],
    pos: usize,
    base: usize,
    done: bool,
}

impl<'a> RawOptions<'a> {
    /// Walk the options in `bytes`, which start `base` bytes into the message.
    pub fn new(bytes: &'a [u8], base: usize) -> Self {
        RawOptions {
            bytes,
            pos: 0,
            base,
            done: false,
        }
    }
}

impl<'a> Iterator for RawOptions<'a> {
    type Item = Result<RawOption<'a>>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let rest = self.bytes.get(self.pos..).unwrap_or(&[]);
        if rest.is_empty() {
            self.done = true;
            return None;
        }
        let offset = self.base + self.pos;
        let (Some(&[c0, c1, l0, l1]), tail) =
            (rest.first_chunk::<4>(), rest.get(OPTION_HEADER_LEN..))
        else {
            self.done = true;
            return Some(Err(Error::Truncated {
                offset: self.base + self.bytes.len(),
            }));
        };
        let code = u16::from_be_bytes([c0, c1]);
        let len = usize::from(u16::from_be_bytes([l0, l1]));
        let tail = tail.unwrap_or(&[]);
        let Some(data) = tail.get(..len) else {
            self.done = true;
            return Some(Err(Error::BadOptionLength { code, offset, len }));
        };
        self.pos += OPTION_HEADER_LEN + len;
        Some(Ok(RawOption { code, data, offset }))
    }
}

/// A validated sequence of options over borrowed bytes: every option's length and content have
/// been checked, nested options included. Iterate with [`Options::iter`]; the order is the wire
/// order, and duplicates are kept as they came.
#[derive(Clone, Copy)]
pub struct Options<'a> {
    bytes: &'a [u8],
    base: usize,
}

impl<'a> Options<'a> {
    /// Validate the options in `bytes`, which start `base` bytes into the message (so that errors
    /// carry message offsets).
    #[inline]
    pub fn parse(bytes: &'a [u8], base: usize) -> Result<Options<'a>> {
        validate(bytes, base, 0, false)?;
        Ok(Options { bytes, base })
    }

    /// As [`parse`](Self::parse), but an option the RFCs tell a receiver to ignore is ignored
    /// (skipped by [`iter`](Self::iter) and [`find`](Self::find)) instead of failing the
    /// message; see [`RawOption::ignored_by_rfc`] for the rules. Everything else, the option
    /// framing above all, is checked as strictly as by [`parse`](Self::parse).
    #[inline]
    pub fn parse_lenient(bytes: &'a [u8], base: usize) -> Result<Options<'a>> {
        validate(bytes, base, 0, true)?;
        Ok(Options { bytes, base })
    }

    /// [`parse`](Self::parse) when `lenient` is false, [`parse_lenient`](Self::parse_lenient)
    /// when it is true.
    #[inline]
    pub fn parse_mode(bytes: &'a [u8], base: usize, lenient: bool) -> Result<Options<'a>> {
        validate(bytes, base, 0, lenient)?;
        Ok(Options { bytes, base })
    }

    pub(crate) fn parse_nested(
        bytes: &'a [u8],
        base: usize,
        depth: usize,
        lenient: bool,
    ) -> Result<Options<'a>> {
        validate(bytes, base, depth, lenient)?;
        Ok(Options { bytes, base })
    }

    /// Options already validated (the inside of a checked relay layer).
    pub(crate) fn trusted(bytes: &'a [u8], base: usize) -> Options<'a> {
        Options { bytes, base }
    }

    /// No options.
    pub const fn empty() -> Options<'a> {
        Options {
            bytes: &[],
            base: 0,
        }
    }

    /// The options' bytes, as on the wire.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Offset of the first option from the start of the message.
    pub fn offset(&self) -> usize {
        self.base
    }

    /// `true` when there are no options.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The options, typed, in wire order.
    pub fn iter(&self) -> OptionsIter<'a> {
        OptionsIter { raw: self.raw() }
    }

    /// The options' headers and data, in wire order.
    pub fn raw(&self) -> RawOptions<'a> {
        RawOptions::new(self.bytes, self.base)
    }

    /// The first option with `code`.
    pub fn find(&self, code: OptionCode) -> Option<DhcpOption<'a>> {
        let code = u16::from(code);
        self.raw()
            .flatten()
            .filter(|raw| raw.code == code)
            .find_map(|raw| DhcpOption::decode(raw, Nested::Trusted).ok())
    }

    /// How many options carry `code`.
    pub fn count(&self, code: OptionCode) -> usize {
        let code = u16::from(code);
        self.raw().flatten().filter(|raw| raw.code == code).count()
    }

    /// Bytes the options take when emitted by [`DhcpOption::emit`] one after another (equal to
    /// `as_bytes().len()`, since every typed option re-emits its exact bytes).
    pub fn buffer_len(&self) -> usize {
        self.bytes.len()
    }

    /// Write every option, typed, through `w`; an option a lenient parse ignored is written
    /// back as it came, so the bytes are re-emitted exactly.
    pub fn emit(&self, w: &mut Writer<'_>) {
        for raw in self.raw().flatten() {
            match DhcpOption::decode(raw, Nested::Trusted) {
                Ok(option) => option.emit(w),
                Err(_) => {
                    w.option(raw.code, raw.data);
                }
            }
        }
    }
}

impl PartialEq for Options<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.bytes == other.bytes
    }
}

impl Eq for Options<'_> {}

impl fmt::Debug for Options<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl fmt::Display for Options<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, option) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "({option})")?;
        }
        Ok(())
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for Options<'_> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "Options({=[u8]})", self.bytes)
    }
}

impl<'a> IntoIterator for Options<'a> {
    type Item = DhcpOption<'a>;
    type IntoIter = OptionsIter<'a>;
    fn into_iter(self) -> OptionsIter<'a> {
        self.iter()
    }
}

impl<'a> IntoIterator for &Options<'a> {
    type Item = DhcpOption<'a>;
    type IntoIter = OptionsIter<'a>;
    fn into_iter(self) -> OptionsIter<'a> {
        self.iter()
    }
}

/// Iterator over a validated [`Options`], in wire order.
#[derive(Debug, Clone)]
pub struct OptionsIter<'a> {
    raw: RawOptions<'a>,
}

impl<'a> Iterator for OptionsIter<'a> {
    type Item = DhcpOption<'a>;

    #[inline]
    fn next(&mut self) -> Option<DhcpOption<'a>> {
        // The bytes were validated when the `Options` was made: the framing cannot fail here
        // (if it somehow did, the walk would simply end). An option that does not decode is one
        // a lenient parse chose to ignore (`RawOption::ignored_by_rfc`): skip it.
        loop {
            let raw = self.raw.next()?.ok()?;
            if let Ok(option) = DhcpOption::decode(raw, Nested::Trusted) {
                return Some(option);
            }
        }
    }
}

fn validate(bytes: &[u8], base: usize, depth: usize, lenient: bool) -> Result<()> {
    if depth > MAX_OPTION_NESTING && !bytes.is_empty() {
        return Err(Error::TooDeep { depth });
    }
    for raw in RawOptions::new(bytes, base) {
        let raw = raw?;
        if lenient {
            if raw.ignored_by_rfc().is_none() {
                DhcpOption::decode(raw, Nested::Lenient(depth))?;
            }
        } else {
            DhcpOption::decode(raw, Nested::Validate(depth))?;
        }
    }
    Ok(())
}

/// Whether nested options still need checking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Nested {
    /// Check them; this option sits at the given nesting depth.
    Validate(usize),
    /// Check them leniently (`Options::parse_lenient`); this option sits at the given depth.
    Lenient(usize),
    /// Already checked.
    Trusted,
}

impl Nested {
    #[inline]
    pub(crate) fn options<'a>(self, bytes: &'a [u8], base: usize) -> Result<Options<'a>> {
        match self {
            Nested::Validate(depth) => Options::parse_nested(bytes, base, depth + 1, false),
            Nested::Lenient(depth) => Options::parse_nested(bytes, base, depth + 1, true),
            Nested::Trusted => Ok(Options { bytes, base }),
        }
    }
}

/// Read a big-endian `u16` at `at`.
#[inline]
pub(crate) fn be16(data: &[u8], at: usize) -> Option<u16> {
    let b = data.get(at..)?.first_chunk::<2>()?;
    Some(u16::from_be_bytes(*b))
}

/// Read a big-endian `u32` at `at`.
#[inline]
pub(crate) fn be32(data: &[u8], at: usize) -> Option<u32> {
    let b = data.get(at..)?.first_chunk::<4>()?;
    Some(u32::from_be_bytes(*b))
}

/// Read an IPv6 address at `at`.
#[inline]
pub(crate) fn addr(data: &[u8], at: usize) -> Option<Ipv6Addr> {
    let b = data.get(at..)?.first_chunk::<16>()?;
    Some(Ipv6Addr::from(*b))
}

/// The option-request list (OPTION_ORO, RFC 9915 §21.7): option codes, two bytes each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RequestedOptions<'a> {
    bytes: &'a [u8],
}

impl<'a> RequestedOptions<'a> {
    /// Check the length (even) and wrap.
    #[inline]
    pub fn parse(raw: RawOption<'a>) -> Result<Self> {
        if !raw.data.len().is_multiple_of(2) {
            return Err(raw.bad_len());
        }
        Ok(RequestedOptions { bytes: raw.data })
    }

    /// The codes in wire order.
    pub fn iter(&self) -> impl Iterator<Item = OptionCode> + 'a {
        self.bytes
            .chunks_exact(2)
            .filter_map(|c| c.first_chunk::<2>())
            .map(|c| OptionCode::from(u16::from_be_bytes(*c)))
    }

    /// `true` if `code` was requested.
    pub fn contains(&self, code: OptionCode) -> bool {
        self.iter().any(|c| c == code)
    }

    /// Number of codes.
    pub fn len(&self) -> usize {
        self.bytes.len() / 2
    }

    /// `true` for an empty list.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The list's bytes.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }
}

impl fmt::Display for RequestedOptions<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, code) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{code}")?;
        }
        Ok(())
    }
}

/// One decoded DHCPv6 option. Every variant keeps borrowed bytes; nested options are
/// [`Options`] too. [`DhcpOption::emit`] writes back exactly the bytes that were parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum DhcpOption<'a> {
    /// Client Identifier (1, §21.2).
    ClientId(Duid<'a>),
    /// Server Identifier (2, §21.3).
    ServerId(Duid<'a>),
    /// Identity Association for Non-temporary Addresses (3, §21.4).
    IaNa(IaNa<'a>),
    /// Identity Association for Temporary Addresses (4, §21.5), decoded only.
    IaTa(IaTa<'a>),
    /// IA Address (5, §21.6).
    IaAddr(IaAddress<'a>),
    /// Option Request (6, §21.7).
    Oro(RequestedOptions<'a>),
    /// Preference (7, §21.8).
    Preference(u8),
    /// Elapsed Time in hundredths of a second (8, §21.9).
    ElapsedTime(u16),
    /// Relay Message (9, §21.10): the relayed DHCPv6 message, undecoded here (see
    /// [`RelayChain`](super::RelayChain)).
    RelayMessage(&'a [u8]),
    /// Authentication (11, §21.11).
    Authentication(Authentication<'a>),
    /// Server Unicast (12, §21.12), decoded only.
    ServerUnicast(#[cfg_attr(feature = "defmt", defmt(Display2Format))] Ipv6Addr),
    /// Status Code (13, §21.13).
    StatusCode(Status<'a>),
    /// Rapid Commit (14, §21.14).
    RapidCommit,
    /// User Class (15, §21.15).
    UserClass(UserClass<'a>),
    /// Vendor Class (16, §21.16).
    VendorClass(VendorClass<'a>),
    /// Vendor-specific Information (17, §21.17).
    VendorOpts(VendorOpts<'a>),
    /// Interface-ID (18, §21.18).
    InterfaceId(&'a [u8]),
    /// Reconfigure Message (19, §21.19): the message type the client is to send.
    ReconfigureMessage(MessageType),
    /// Reconfigure Accept (20, §21.20).
    ReconfigureAccept,
    /// DNS Recursive Name Servers (23, RFC 3646 §3).
    DnsServers(Addresses<'a>),
    /// Domain Search List (24, RFC 3646 §4).
    DomainList(DomainList<'a>),
    /// Identity Association for Prefix Delegation (25, §21.21).
    IaPd(IaPd<'a>),
    /// IA Prefix (26, §21.22).
    IaPrefix(IaPrefix<'a>),
    /// SNTP Servers (31, RFC 4075).
    SntpServers(Addresses<'a>),
    /// Information Refresh Time in seconds (32, §21.23).
    InformationRefreshTime(u32),
    /// Relay Agent Remote-ID (37, RFC 4649).
    RemoteId(RemoteId<'a>),
    /// Relay Agent Subscriber-ID (38, RFC 4580).
    SubscriberId(&'a [u8]),
    /// Client FQDN (39, RFC 4704).
    ClientFqdn(ClientFqdn<'a>),
    /// NTP Server (56, RFC 5908) with its suboptions.
    NtpServer(NtpServer<'a>),
    /// Prefix Exclude (67, RFC 6603).
    PrefixExclude(PrefixExclude<'a>),
    /// Client Link-Layer Address (79, RFC 6939).
    ClientLinkLayerAddress(ClientLinkLayerAddress<'a>),
    /// SOL_MAX_RT in seconds (82, §21.24), within 60..=86400.
    SolMaxRt(u32),
    /// INF_MAX_RT in seconds (83, §21.25), within 60..=86400.
    InfMaxRt(u32),
    /// Any other option, kept as it came.
    Unknown {
        /// option-code.
        code: u16,
        /// option-data.
        data: &'a [u8],
    },
}

#[inline]
fn exact(raw: &RawOption<'_>, len: usize) -> Result<()> {
    if raw.data.len() == len {
        Ok(())
    } else {
        Err(raw.bad_len())
    }
}

#[inline]
fn fixed_u32(raw: &RawOption<'_>) -> Result<u32> {
    exact(raw, 4)?;
    be32(raw.data, 0).ok_or_else(|| raw.bad_len())
}

fn max_rt(raw: &RawOption<'_>, what: &'static str) -> Result<u32> {
    let value = fixed_u32(raw)?;
    if (MAX_RT_MIN..=MAX_RT_MAX).contains(&value) {
        Ok(value)
    } else {
        Err(raw.malformed(what, 0))
    }
}

impl<'a> DhcpOption<'a> {
    /// Decode and check one option, nested options included.
    pub fn parse(raw: RawOption<'a>) -> Result<DhcpOption<'a>> {
        Self::decode(raw, Nested::Validate(0))
    }

    /// As [`parse`](Self::parse), but options nested inside this one that a receiver must
    /// ignore are ignored (see [`Options::parse_lenient`]). An option that is itself to be
    /// ignored ([`RawOption::ignored_by_rfc`]) is still an error here.
    pub fn parse_lenient(raw: RawOption<'a>) -> Result<DhcpOption<'a>> {
        Self::decode(raw, Nested::Lenient(0))
    }

    #[inline(always)]
    pub(crate) fn decode(raw: RawOption<'a>, nested: Nested) -> Result<DhcpOption<'a>> {
        let data = raw.data;
        Ok(match OptionCode::from(raw.code) {
            OptionCode::ClientId => DhcpOption::ClientId(Duid::parse_option(&raw)?),
            OptionCode::ServerId => DhcpOption::ServerId(Duid::parse_option(&raw)?),
            OptionCode::IaNa => DhcpOption::IaNa(IaNa::parse(&raw, nested)?),
            OptionCode::IaTa => DhcpOption::IaTa(IaTa::parse(&raw, nested)?),
            OptionCode::IaAddr => DhcpOption::IaAddr(IaAddress::parse(&raw, nested)?),
            OptionCode::Oro => DhcpOption::Oro(RequestedOptions::parse(raw)?),
            OptionCode::Preference => {
                exact(&raw, 1)?;
                DhcpOption::Preference(data.first().copied().unwrap_or(0))
            }
            OptionCode::ElapsedTime => {
                exact(&raw, 2)?;
                DhcpOption::ElapsedTime(be16(data, 0).unwrap_or(0))
            }
            OptionCode::RelayMessage => DhcpOption::RelayMessage(data),
            OptionCode::Authentication => DhcpOption::Authentication(Authentication::parse(&raw)?),
            OptionCode::ServerUnicast => {
                exact(&raw, 16)?;
                DhcpOption::ServerUnicast(addr(data, 0).ok_or_else(|| raw.bad_len())?)
            }
            OptionCode::StatusCode => DhcpOption::StatusCode(Status::parse(&raw)?),
            OptionCode::RapidCommit => {
                exact(&raw, 0)?;
                DhcpOption::RapidCommit
            }
            OptionCode::UserClass => DhcpOption::UserClass(ClassData::parse_user_class(&raw)?),
            OptionCode::VendorClass => DhcpOption::VendorClass(VendorClass::parse(&raw)?),
            OptionCode::VendorOpts => DhcpOption::VendorOpts(VendorOpts::parse(&raw)?),
            OptionCode::InterfaceId => DhcpOption::InterfaceId(data),
            OptionCode::ReconfigureMessage => {
                exact(&raw, 1)?;
                let t = MessageType::from(data.first().copied().unwrap_or(0));
                if !matches!(
                    t,
                    MessageType::Renew | MessageType::Rebind | MessageType::InformationRequest
                ) {
                    return Err(raw.malformed("reconfigure message type", 0));
                }
                DhcpOption::ReconfigureMessage(t)
            }
            OptionCode::ReconfigureAccept => {
                exact(&raw, 0)?;
                DhcpOption::ReconfigureAccept
            }
            OptionCode::DnsServers => DhcpOption::DnsServers(Addresses::parse(&raw)?),
            OptionCode::DomainList => DhcpOption::DomainList(DomainList::parse(&raw)?),
            OptionCode::IaPd => DhcpOption::IaPd(IaPd::parse(&raw, nested)?),
            OptionCode::IaPrefix => DhcpOption::IaPrefix(IaPrefix::parse(&raw, nested)?),
            OptionCode::SntpServers => DhcpOption::SntpServers(Addresses::parse(&raw)?),
            OptionCode::InformationRefreshTime => {
                DhcpOption::InformationRefreshTime(fixed_u32(&raw)?)
            }
            OptionCode::RemoteId => DhcpOption::RemoteId(RemoteId::parse(&raw)?),
            OptionCode::SubscriberId => {
                if data.is_empty() {
                    return Err(raw.bad_len());
                }
                DhcpOption::SubscriberId(data)
            }
            OptionCode::ClientFqdn => DhcpOption::ClientFqdn(ClientFqdn::parse(&raw)?),
            OptionCode::NtpServer => DhcpOption::NtpServer(NtpServer::parse(&raw)?),
            OptionCode::PrefixExclude => DhcpOption::PrefixExclude(PrefixExclude::parse(&raw)?),
            OptionCode::ClientLinkLayerAddress => {
                DhcpOption::ClientLinkLayerAddress(ClientLinkLayerAddress::parse(&raw)?)
            }
            OptionCode::SolMaxRt => {
                DhcpOption::SolMaxRt(max_rt(&raw, "SOL_MAX_RT outside 60..=86400")?)
            }
            OptionCode::InfMaxRt => {
                DhcpOption::InfMaxRt(max_rt(&raw, "INF_MAX_RT outside 60..=86400")?)
            }
            OptionCode::Unknown(code) => DhcpOption::Unknown { code, data },
        })
    }

    /// The option's code.
    pub fn code(&self) -> OptionCode {
        match self {
            DhcpOption::ClientId(_) => OptionCode::ClientId,
            DhcpOption::ServerId(_) => OptionCode::ServerId,
            DhcpOption::IaNa(_) => OptionCode::IaNa,
            DhcpOption::IaTa(_) => OptionCode::IaTa,
            DhcpOption::IaAddr(_) => OptionCode::IaAddr,
            DhcpOption::Oro(_) => OptionCode::Oro,
            DhcpOption::Preference(_) => OptionCode::Preference,
            DhcpOption::ElapsedTime(_) => OptionCode::ElapsedTime,
            DhcpOption::RelayMessage(_) => OptionCode::RelayMessage,
            DhcpOption::Authentication(_) => OptionCode::Authentication,
            DhcpOption::ServerUnicast(_) => OptionCode::ServerUnicast,
            DhcpOption::StatusCode(_) => OptionCode::StatusCode,
            DhcpOption::RapidCommit => OptionCode::RapidCommit,
            DhcpOption::UserClass(_) => OptionCode::UserClass,
            DhcpOption::VendorClass(_) => OptionCode::VendorClass,
            DhcpOption::VendorOpts(_) => OptionCode::VendorOpts,
            DhcpOption::InterfaceId(_) => OptionCode::InterfaceId,
            DhcpOption::ReconfigureMessage(_) => OptionCode::ReconfigureMessage,
            DhcpOption::ReconfigureAccept => OptionCode::ReconfigureAccept,
            DhcpOption::DnsServers(_) => OptionCode::DnsServers,
            DhcpOption::DomainList(_) => OptionCode::DomainList,
            DhcpOption::IaPd(_) => OptionCode::IaPd,
            DhcpOption::IaPrefix(_) => OptionCode::IaPrefix,
            DhcpOption::SntpServers(_) => OptionCode::SntpServers,
            DhcpOption::InformationRefreshTime(_) => OptionCode::InformationRefreshTime,
            DhcpOption::RemoteId(_) => OptionCode::RemoteId,
            DhcpOption::SubscriberId(_) => OptionCode::SubscriberId,
            DhcpOption::ClientFqdn(_) => OptionCode::ClientFqdn,
            DhcpOption::NtpServer(_) => OptionCode::NtpServer,
            DhcpOption::PrefixExclude(_) => OptionCode::PrefixExclude,
            DhcpOption::ClientLinkLayerAddress(_) => OptionCode::ClientLinkLayerAddress,
            DhcpOption::SolMaxRt(_) => OptionCode::SolMaxRt,
            DhcpOption::InfMaxRt(_) => OptionCode::InfMaxRt,
            DhcpOption::Unknown { code, .. } => OptionCode::Unknown(*code),
        }
    }

    /// Bytes the option takes on the wire, header included.
    pub fn buffer_len(&self) -> usize {
        let mut w = Writer::measure();
        self.emit(&mut w);
        w.position()
    }

    /// Write the option (header included) through `w`.
    pub fn emit(&self, w: &mut Writer<'_>) {
        let code = u16::from(self.code());
        match self {
            DhcpOption::ClientId(d) | DhcpOption::ServerId(d) => {
                w.option(code, d.as_bytes());
            }
            DhcpOption::IaNa(ia) => ia.emit(w),
            DhcpOption::IaTa(ia) => ia.emit(w),
            DhcpOption::IaAddr(a) => a.emit(w),
            DhcpOption::Oro(list) => {
                w.option(code, list.as_bytes());
            }
            DhcpOption::Preference(v) => {
                w.option(code, &[*v]);
            }
            DhcpOption::ElapsedTime(v) => {
                w.option(code, &v.to_be_bytes());
            }
            DhcpOption::RelayMessage(data)
            | DhcpOption::InterfaceId(data)
            | DhcpOption::SubscriberId(data) => {
                w.option(code, data);
            }
            DhcpOption::Authentication(a) => {
                w.option(code, a.as_bytes());
            }
            DhcpOption::ServerUnicast(a) => {
                w.option(code, &a.octets());
            }
            DhcpOption::StatusCode(s) => s.emit(w),
            DhcpOption::RapidCommit | DhcpOption::ReconfigureAccept => {
                w.option(code, &[]);
            }
            DhcpOption::UserClass(c) => {
                w.option(code, c.as_bytes());
            }
            DhcpOption::VendorClass(c) => c.emit(w),
            DhcpOption::VendorOpts(v) => v.emit(w),
            DhcpOption::ReconfigureMessage(t) => {
                w.option(code, &[u8::from(*t)]);
            }
            DhcpOption::DnsServers(a) | DhcpOption::SntpServers(a) => {
                w.option(code, a.as_bytes());
            }
            DhcpOption::DomainList(l) => {
                w.option(code, l.as_bytes());
            }
            DhcpOption::IaPd(ia) => ia.emit(w),
            DhcpOption::IaPrefix(p) => p.emit(w),
            DhcpOption::InformationRefreshTime(v)
            | DhcpOption::SolMaxRt(v)
            | DhcpOption::InfMaxRt(v) => {
                w.option(code, &v.to_be_bytes());
            }
            DhcpOption::RemoteId(r) => r.emit(w),
            DhcpOption::ClientFqdn(fqdn) => fqdn.emit(w),
            DhcpOption::NtpServer(n) => {
                w.option(code, n.as_bytes());
            }
            DhcpOption::PrefixExclude(p) => p.emit(w),
            DhcpOption::ClientLinkLayerAddress(c) => c.emit(w),
            DhcpOption::Unknown { data, .. } => {
                w.option(code, data);
            }
        }
    }
}

/// Prints the option as tcpdump does inside its parentheses, e.g. `IA_NA IAID:1 T1:3600 T2:5400`.
impl fmt::Display for DhcpOption<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.code().name();
        match self {
            DhcpOption::ClientId(d) | DhcpOption::ServerId(d) => write!(f, "{name} {d}"),
            DhcpOption::IaNa(ia) => write!(f, "{ia}"),
            DhcpOption::IaTa(ia) => write!(f, "{ia}"),
            DhcpOption::IaAddr(a) => write!(f, "{a}"),
            DhcpOption::Oro(list) => write!(f, "{name} {list}"),
            DhcpOption::Preference(v) => write!(f, "{name} {v}"),
            DhcpOption::ElapsedTime(v) => write!(f, "{name} {v}"),
            DhcpOption::RelayMessage(data) => write!(f, "{name} ({} bytes)", data.len()),
            DhcpOption::Authentication(a) => write!(f, "{name} {a}"),
            DhcpOption::ServerUnicast(a) => write!(f, "{name} {a}"),
            DhcpOption::StatusCode(s) => write!(f, "{name} {s}"),
            DhcpOption::RapidCommit | DhcpOption::ReconfigureAccept => f.write_str(name),
            DhcpOption::UserClass(c) => write!(f, "{name} {c}"),
            DhcpOption::VendorClass(c) => write!(f, "{name} {c}"),
            DhcpOption::VendorOpts(v) => write!(f, "{name} {v}"),
            DhcpOption::InterfaceId(data) | DhcpOption::SubscriberId(data) => {
                write!(f, "{name} ")?;
                write_hex(f, data)
            }
            DhcpOption::ReconfigureMessage(t) => write!(f, "{name} {t}"),
            DhcpOption::DnsServers(a) | DhcpOption::SntpServers(a) => write!(f, "{name} {a}"),
            DhcpOption::DomainList(l) => write!(f, "{name} {l}"),
            DhcpOption::IaPd(ia) => write!(f, "{ia}"),
            DhcpOption::IaPrefix(p) => write!(f, "{p}"),
            DhcpOption::InformationRefreshTime(v)
            | DhcpOption::SolMaxRt(v)
            | DhcpOption::InfMaxRt(v) => write!(f, "{name} {v}"),
            DhcpOption::RemoteId(r) => write!(f, "{name} {r}"),
            DhcpOption::ClientFqdn(fqdn) => write!(f, "{name} {fqdn}"),
            DhcpOption::NtpServer(n) => write!(f, "{name} {n}"),
            DhcpOption::PrefixExclude(p) => write!(f, "{name} {p}"),
            DhcpOption::ClientLinkLayerAddress(c) => write!(f, "{name} {c}"),
            DhcpOption::Unknown { code, data } => {
                write!(f, "opt_{code} ")?;
                write_hex(f, data)
            }
        }
    }
}

/// Write bytes as lowercase hex without separators.
pub(crate) fn write_hex(f: &mut fmt::Formatter<'_>, data: &[u8]) -> fmt::Result {
    for b in data {
        write!(f, "{b:02x}")?;
    }
    Ok(())
}
