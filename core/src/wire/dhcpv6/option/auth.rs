//! Authentication (OPTION_AUTH, RFC 9915 §21.11) and the Reconfiguration Key Authentication
//! Protocol's key (§20.4). Decoded; the HMAC-MD5 check itself is the client engine's.
//!
//! ```text
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |          OPTION_AUTH          |          option-len           |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |   protocol    |   algorithm   |      RDM      |               |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+               |
//! |                 replay detection (64 bits)    +-+-+-+-+-+-+-+-+
//! |                                               |               |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+               |
//! .                   authentication information                  .
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use core::fmt;

use super::{write_hex, RawOption};
use crate::wire::Result;

mod field {
    use core::ops::Range;
    pub const PROTOCOL: usize = 0;
    pub const ALGORITHM: usize = 1;
    pub const RDM: usize = 2;
    pub const REPLAY: Range<usize> = 3..11;
    pub const INFO: usize = 11;
}

/// Minimum length: protocol, algorithm, RDM and the replay detection field.
pub const MIN_LEN: usize = 11;
/// Protocol 3: Reconfiguration Key Authentication Protocol (§20.4).
pub const PROTOCOL_RECONFIGURE_KEY: u8 = 3;
/// Algorithm 1: HMAC-MD5 (§20.4).
pub const ALGORITHM_HMAC_MD5: u8 = 1;

/// A decoded Authentication option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Authentication<'a> {
    bytes: &'a [u8],
}

/// The authentication information of the Reconfiguration Key Authentication Protocol (§20.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ReconfigureKey {
    /// Type 1: the reconfigure key, sent by the server in a Reply.
    Key([u8; 16]),
    /// Type 2: the HMAC-MD5 digest of a Reconfigure message.
    HmacMd5([u8; 16]),
}

impl<'a> Authentication<'a> {
    #[inline]
    pub(crate) fn parse(raw: &RawOption<'a>) -> Result<Authentication<'a>> {
        if raw.data.len() < MIN_LEN {
            return Err(raw.bad_len());
        }
        Ok(Authentication { bytes: raw.data })
    }

    /// Protocol (3 is the reconfigure key protocol).
    pub fn protocol(&self) -> u8 {
        self.bytes.get(field::PROTOCOL).copied().unwrap_or(0)
    }

    /// Algorithm (1 is HMAC-MD5).
    pub fn algorithm(&self) -> u8 {
        self.bytes.get(field::ALGORITHM).copied().unwrap_or(0)
    }

    /// Replay detection method (0 is a monotonically increasing counter).
    pub fn rdm(&self) -> u8 {
        self.bytes.get(field::RDM).copied().unwrap_or(0)
    }

    /// Replay detection value.
    pub fn replay_detection(&self) -> u64 {
        match self
            .bytes
            .get(field::REPLAY)
            .and_then(|b| <[u8; 8]>::try_from(b).ok())
        {
            Some(b) => u64::from_be_bytes(b),
            None => 0,
        }
    }

    /// Authentication information.
    pub fn info(&self) -> &'a [u8] {
        self.bytes.get(field::INFO..).unwrap_or(&[])
    }

    /// The reconfigure key or digest, when this is protocol 3 / HMAC-MD5 with 17 bytes of
    /// information (type + 16-byte value).
    pub fn reconfigure_key(&self) -> Option<ReconfigureKey> {
        if self.protocol() != PROTOCOL_RECONFIGURE_KEY || self.algorithm() != ALGORITHM_HMAC_MD5 {
            return None;
        }
        let (&kind, value) = self.info().split_first()?;
        let value: [u8; 16] = value.try_into().ok()?;
        match kind {
            1 => Some(ReconfigureKey::Key(value)),
            2 => Some(ReconfigureKey::HmacMd5(value)),
            _ => None,
        }
    }

    /// The option's data bytes.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }
}

impl fmt::Display for Authentication<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "proto {} alg {} RDM {} RD {} info ",
            self.protocol(),
            self.algorithm(),
            self.rdm(),
            self.replay_detection()
        )?;
        write_hex(f, self.info())
    }
}
