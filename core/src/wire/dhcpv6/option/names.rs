//! Name service options: DNS Recursive Name Servers (23) and Domain Search List (24) of RFC 3646,
//! SNTP Servers (31, RFC 4075), Client FQDN (39, RFC 4704) and NTP Server (56, RFC 5908).
//!
//! DNS names are RFC 1035 wire format without compression (RFC 9915 §10): labels of at most 63
//! bytes, names of at most 255, no pointers (Kea CVE-2019-6473 was a malformed FQDN).

use core::fmt;
use core::net::Ipv6Addr;

use super::{addr, OptionCode, RawOption, RawOptions};
use crate::wire::dhcpv6::builder::Writer;
use crate::wire::dns::{self, Name, NameError, NameList};
use crate::wire::{Error, Result};

/// A list of IPv6 addresses (DNS Recursive Name Servers, RFC 3646 §3; SNTP Servers, RFC 4075
/// §4): option-len is a multiple of 16.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Addresses<'a> {
    bytes: &'a [u8],
}

impl<'a> Addresses<'a> {
    #[inline]
    pub(crate) fn parse(raw: &RawOption<'a>) -> Result<Addresses<'a>> {
        if !raw.data.len().is_multiple_of(16) {
            return Err(raw.bad_len());
        }
        Ok(Addresses { bytes: raw.data })
    }

    /// The addresses in wire order.
    pub fn iter(&self) -> impl Iterator<Item = Ipv6Addr> + 'a {
        self.bytes.chunks_exact(16).filter_map(|c| addr(c, 0))
    }

    /// How many addresses.
    pub fn len(&self) -> usize {
        self.bytes.len() / 16
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

impl fmt::Display for Addresses<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, a) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{a}")?;
        }
        Ok(())
    }
}

/// Domain Search List (OPTION_DOMAIN_LIST, RFC 3646 §4): DNS names back to back, each checked.
#[derive(Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct DomainList<'a> {
    bytes: &'a [u8],
}

impl<'a> DomainList<'a> {
    #[inline]
    pub(crate) fn parse(raw: &RawOption<'a>) -> Result<DomainList<'a>> {
        NameList::validate(raw.data).map_err(|(at, reason)| Error::BadName {
            offset: raw.data_offset() + at,
            reason,
        })?;
        Ok(DomainList { bytes: raw.data })
    }

    /// The names in wire order.
    pub fn iter(&self) -> impl Iterator<Item = Name<'a>> + 'a {
        NameList::new(self.bytes).flatten()
    }

    /// The list's bytes.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }
}

/// Names dotted with a trailing dot, as tcpdump prints them: `openstacklocal.`.
impl fmt::Display for DomainList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, name) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            if name.is_root() {
                f.write_str(".")?;
            } else {
                write!(f, "{name}.")?;
            }
        }
        Ok(())
    }
}

impl fmt::Debug for DomainList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Client FQDN flag S: the server performs the AAAA update (RFC 4704 §4.1).
pub const FQDN_FLAG_S: u8 = 0x01;
/// Client FQDN flag O: the server overrode the client's S preference.
pub const FQDN_FLAG_O: u8 = 0x02;
/// Client FQDN flag N: the server performs no DNS updates.
pub const FQDN_FLAG_N: u8 = 0x04;

/// A domain name in a Client FQDN option (RFC 4704 §4.2): fully qualified (ending with the root
/// label) or partial (ending at the option's end), possibly empty. No compression.
#[derive(Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct FqdnName<'a> {
    bytes: &'a [u8],
}

impl<'a> FqdnName<'a> {
    /// Check `bytes` as an RFC 4704 domain name. On failure, the offset within `bytes` of the bad
    /// label and the reason.
    pub fn parse(bytes: &'a [u8]) -> core::result::Result<FqdnName<'a>, (usize, NameError)> {
        let mut pos = 0usize;
        while let Some(&len) = bytes.get(pos) {
            if len & 0xc0 != 0 {
                return Err((pos, NameError::Compressed));
            }
            let len = usize::from(len);
            let next = pos + 1 + len;
            if next > dns::MAX_NAME_LEN {
                return Err((pos, NameError::TooLong));
            }
            if len == 0 {
                if next != bytes.len() {
                    // Bytes after the root label: the name field is the rest of the option.
                    return Err((next, NameError::BadLabel));
                }
                break;
            }
            if next > bytes.len() {
                return Err((pos, NameError::Unterminated));
            }
            pos = next;
        }
        if bytes.len() > dns::MAX_NAME_LEN {
            return Err((0, NameError::TooLong));
        }
        Ok(FqdnName { bytes })
    }

    /// `true` when the name ends with the root label (a fully qualified name).
    pub fn is_fully_qualified(&self) -> bool {
        self.bytes.last() == Some(&0)
    }

    /// `true` when the name field is empty (the client asks the server to choose).
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The labels in order.
    pub fn labels(&self) -> impl Iterator<Item = &'a [u8]> + 'a {
        let mut rest = self.bytes;
        core::iter::from_fn(move || {
            let (&len, tail) = rest.split_first()?;
            let len = usize::from(len);
            if len == 0 || len > tail.len() {
                rest = &[];
                return None;
            }
            let (label, after) = tail.split_at(len);
            rest = after;
            Some(label)
        })
    }

    /// The name's wire bytes.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }
}

/// Dotted, with a trailing dot when fully qualified; non-printable bytes as `\DDD`.
impl fmt::Display for FqdnName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, label) in self.labels().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            for &b in label {
                if b.is_ascii_graphic() && b != b'.' && b != b'\\' {
                    fmt::Write::write_char(f, char::from(b))?;
                } else {
                    write!(f, "\\{b:03}")?;
                }
            }
        }
        if self.is_fully_qualified() {
            f.write_str(".")?;
        }
        Ok(())
    }
}

impl fmt::Debug for FqdnName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FqdnName(\"{self}\")")
    }
}

/// Client FQDN (OPTION_CLIENT_FQDN, RFC 4704 §4).
///
/// ```text
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |      OPTION_FQDN              |         option-len            |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |   flags       |                                               |
/// +-+-+-+-+-+-+-+-+                                               |
/// .                          domain-name                          .
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ClientFqdn<'a> {
    /// Flags: [`FQDN_FLAG_S`], [`FQDN_FLAG_O`], [`FQDN_FLAG_N`]; the other bits are kept as
    /// sent (receivers ignore them, RFC 4704 §4.1).
    pub flags: u8,
    /// The domain name.
    pub name: FqdnName<'a>,
}

impl<'a> ClientFqdn<'a> {
    #[inline]
    pub(crate) fn parse(raw: &RawOption<'a>) -> Result<ClientFqdn<'a>> {
        let Some((&flags, name)) = raw.data.split_first() else {
            return Err(raw.bad_len());
        };
        let name = FqdnName::parse(name).map_err(|(at, reason)| Error::BadName {
            offset: raw.data_offset() + 1 + at,
            reason,
        })?;
        Ok(ClientFqdn { flags, name })
    }

    /// Flag S: the server should perform the AAAA update.
    pub fn s(&self) -> bool {
        self.flags & FQDN_FLAG_S != 0
    }

    /// Flag O: the server overrode the client's preference.
    pub fn o(&self) -> bool {
        self.flags & FQDN_FLAG_O != 0
    }

    /// Flag N: no DNS updates by the server.
    pub fn n(&self) -> bool {
        self.flags & FQDN_FLAG_N != 0
    }

    pub(crate) fn emit(&self, w: &mut Writer<'_>) {
        w.begin(u16::from(OptionCode::ClientFqdn));
        w.u8(self.flags).bytes(self.name.as_bytes());
        w.end();
    }
}

impl fmt::Display for ClientFqdn<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("flags [")?;
        let mut first = true;
        for (bit, name) in [(FQDN_FLAG_S, "S"), (FQDN_FLAG_O, "O"), (FQDN_FLAG_N, "N")] {
            if self.flags & bit != 0 {
                if !first {
                    f.write_str(",")?;
                }
                f.write_str(name)?;
                first = false;
            }
        }
        write!(f, "] \"{}\"", self.name)
    }
}

/// NTP Server suboption codes (RFC 5908 §4).
pub mod ntp {
    /// NTP_SUBOPTION_SRV_ADDR: a unicast server address.
    pub const SRV_ADDR: u16 = 1;
    /// NTP_SUBOPTION_MC_ADDR: a multicast group address.
    pub const MC_ADDR: u16 = 2;
    /// NTP_SUBOPTION_SRV_FQDN: a server name.
    pub const SRV_FQDN: u16 = 3;
}

/// One NTP Server suboption (RFC 5908 §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum NtpSuboption<'a> {
    /// NTP server address (1).
    ServerAddress(#[cfg_attr(feature = "defmt", defmt(Display2Format))] Ipv6Addr),
    /// NTP multicast address (2).
    MulticastAddress(#[cfg_attr(feature = "defmt", defmt(Display2Format))] Ipv6Addr),
    /// NTP server FQDN (3).
    ServerFqdn(Name<'a>),
    /// Any other suboption, kept.
    Unknown {
        /// suboption-code.
        code: u16,
        /// suboption data.
        data: &'a [u8],
    },
}

impl fmt::Display for NtpSuboption<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NtpSuboption::ServerAddress(a) => write!(f, "addr {a}"),
            NtpSuboption::MulticastAddress(a) => write!(f, "mc-addr {a}"),
            NtpSuboption::ServerFqdn(n) => write!(f, "fqdn {n}"),
            NtpSuboption::Unknown { code, data } => {
                write!(f, "subopt_{code} ")?;
                super::write_hex(f, data)
            }
        }
    }
}

/// NTP Server (OPTION_NTP_SERVER, RFC 5908 §4): suboptions with the same 4-byte header as
/// options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct NtpServer<'a> {
    bytes: &'a [u8],
}

fn ntp_suboption(raw: RawOption<'_>) -> Result<NtpSuboption<'_>> {
    Ok(match raw.code {
        ntp::SRV_ADDR | ntp::MC_ADDR => {
            if raw.data.len() != 16 {
                return Err(raw.bad_len());
            }
            let a = addr(raw.data, 0).ok_or_else(|| raw.bad_len())?;
            if raw.code == ntp::SRV_ADDR {
                NtpSuboption::ServerAddress(a)
            } else {
                NtpSuboption::MulticastAddress(a)
            }
        }
        ntp::SRV_FQDN => {
            let (name, used) = Name::parse(raw.data).map_err(|reason| Error::BadName {
                offset: raw.data_offset(),
                reason,
            })?;
            if used != raw.data.len() {
                return Err(raw.bad_len());
            }
            NtpSuboption::ServerFqdn(name)
        }
        code => NtpSuboption::Unknown {
            code,
            data: raw.data,
        },
    })
}

impl<'a> NtpServer<'a> {
    #[inline]
    pub(crate) fn parse(raw: &RawOption<'a>) -> Result<NtpServer<'a>> {
        if raw.data.is_empty() {
            return Err(raw.bad_len());
        }
        for sub in RawOptions::new(raw.data, raw.data_offset()) {
            ntp_suboption(sub?)?;
        }
        Ok(NtpServer { bytes: raw.data })
    }

    /// The suboptions in wire order.
    pub fn iter(&self) -> impl Iterator<Item = NtpSuboption<'a>> + 'a {
        RawOptions::new(self.bytes, 0)
            .map_while(|r| r.ok())
            .map_while(|r| ntp_suboption(r).ok())
    }

    /// The suboptions' bytes.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }
}

impl fmt::Display for NtpServer<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{s}")?;
        }
        Ok(())
    }
}
