//! Status Code (OPTION_STATUS_CODE, RFC 9915 §21.13) and the status values of §21.13 / §7.5.
//!
//! ```text
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |       OPTION_STATUS_CODE      |         option-len            |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |          status-code          |                               |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               |
//! .                        status-message                         .
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use core::fmt;

use super::{be16, OptionCode, RawOption};
use crate::wire::dhcpv6::builder::Writer;
use crate::wire::Result;

/// Status values (RFC 9915 §21.13; RFC 7083, RFC 8156 and others add more).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum StatusCode {
    /// 0: success.
    Success,
    /// 1: failure, reason unspecified.
    UnspecFail,
    /// 2: the server has no addresses available to assign to the IA(s).
    NoAddrsAvail,
    /// 3: the binding for the client's IA is not available.
    NoBinding,
    /// 4: the prefix of the address is not appropriate for the link.
    NotOnLink,
    /// 5: the client must send to the All_DHCP_Relay_Agents_and_Servers address.
    UseMulticast,
    /// 6: the server has no prefixes available to assign to the IA_PD(s).
    NoPrefixAvail,
    /// Any other value.
    Unknown(u16),
}

impl From<u16> for StatusCode {
    fn from(value: u16) -> Self {
        match value {
            0 => StatusCode::Success,
            1 => StatusCode::UnspecFail,
            2 => StatusCode::NoAddrsAvail,
            3 => StatusCode::NoBinding,
            4 => StatusCode::NotOnLink,
            5 => StatusCode::UseMulticast,
            6 => StatusCode::NoPrefixAvail,
            n => StatusCode::Unknown(n),
        }
    }
}

impl From<StatusCode> for u16 {
    fn from(value: StatusCode) -> Self {
        match value {
            StatusCode::Success => 0,
            StatusCode::UnspecFail => 1,
            StatusCode::NoAddrsAvail => 2,
            StatusCode::NoBinding => 3,
            StatusCode::NotOnLink => 4,
            StatusCode::UseMulticast => 5,
            StatusCode::NoPrefixAvail => 6,
            StatusCode::Unknown(n) => n,
        }
    }
}

impl fmt::Display for StatusCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StatusCode::Success => "success",
            StatusCode::UnspecFail => "unspec failure",
            StatusCode::NoAddrsAvail => "no addresses",
            StatusCode::NoBinding => "no binding",
            StatusCode::NotOnLink => "not on-link",
            StatusCode::UseMulticast => "use multicast",
            StatusCode::NoPrefixAvail => "no prefixes",
            StatusCode::Unknown(n) => return write!(f, "unknown ({n})"),
        })
    }
}

/// A decoded Status Code option: the code and the UTF-8 message (bytes as sent; not checked,
/// see [`Status::message_str`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Status<'a> {
    /// status-code.
    pub code: StatusCode,
    /// status-message, as sent.
    pub message: &'a [u8],
}

impl<'a> Status<'a> {
    /// A status with a text message.
    pub fn new(code: StatusCode, message: &'a str) -> Status<'a> {
        Status {
            code,
            message: message.as_bytes(),
        }
    }

    #[inline]
    pub(crate) fn parse(raw: &RawOption<'a>) -> Result<Status<'a>> {
        if raw.data.len() < 2 {
            return Err(raw.bad_len());
        }
        Ok(Status {
            code: StatusCode::from(be16(raw.data, 0).unwrap_or(0)),
            message: raw.data.get(2..).unwrap_or(&[]),
        })
    }

    /// The message as text, if it is valid UTF-8.
    pub fn message_str(&self) -> Option<&'a str> {
        core::str::from_utf8(self.message).ok()
    }

    pub(crate) fn emit(&self, w: &mut Writer<'_>) {
        w.begin(u16::from(OptionCode::StatusCode));
        w.u16(u16::from(self.code)).bytes(self.message);
        w.end();
    }
}

/// `success`, or `no addresses "message"` with the message's non-printable bytes escaped.
impl fmt::Display for Status<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code)?;
        if !self.message.is_empty() {
            f.write_str(" \"")?;
            for chunk in self.message.utf8_chunks() {
                for c in chunk.valid().chars() {
                    if c.is_control() || c == '"' || c == '\\' {
                        write!(f, "{}", c.escape_default())?;
                    } else {
                        fmt::Write::write_char(f, c)?;
                    }
                }
                for b in chunk.invalid() {
                    write!(f, "\\x{b:02x}")?;
                }
            }
            f.write_str("\"")?;
        }
        Ok(())
    }
}
