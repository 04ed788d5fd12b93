//! Prefix Information option (RFC 4861 §4.6.2), type 3, with the R flag of RFC 6275 §7.2 and
//! the P flag of RFC 9762 §4.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Type      |    Length     | Prefix Length |L|A|R|P| Rsvd1 |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                         Valid Lifetime                        |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                       Preferred Lifetime                      |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                           Reserved2                           |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                                                               |
//! +                            Prefix                             +
//! |                          (16 bytes)                           |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! The Length field is 4 (32 bytes); a shorter option is rejected (CVE-2011-3601/3604), a longer
//! one is decoded from its first 32 bytes. A Prefix Length above 128 is rejected.

use core::fmt;
use core::net::Ipv6Addr;

use super::{read_ipv6, read_u32};
use crate::wire::{Error, Result};

mod field {
    use core::ops::Range;
    pub const PREFIX_LEN: usize = 2;
    pub const FLAGS: usize = 3;
    pub const VALID_LIFETIME: Range<usize> = 4..8;
    pub const PREFERRED_LIFETIME: Range<usize> = 8..12;
    pub const PREFIX: Range<usize> = 16..32;
}

const FLAG_ON_LINK: u8 = 0x80;
const FLAG_AUTONOMOUS: u8 = 0x40;
const FLAG_ROUTER_ADDRESS: u8 = 0x20;
const FLAG_PD_PREFERRED: u8 = 0x10;

/// A lifetime of all ones means infinity (RFC 4861 §4.6.2).
pub const INFINITE_LIFETIME: u32 = u32::MAX;

/// Prefix Information (RFC 4861 §4.6.2): a prefix for on-link determination and SLAAC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PrefixInformation {
    /// Number of leading bits of `prefix` that are valid, 0..=128.
    pub prefix_len: u8,
    /// L: the prefix can be used for on-link determination.
    pub on_link: bool,
    /// A: the prefix can be used for stateless address autoconfiguration (RFC 4862).
    pub autonomous: bool,
    /// R: `prefix` is the router's full address (Mobile IPv6, RFC 6275 §7.2).
    pub router_address: bool,
    /// P: the router prefers that hosts use DHCPv6 prefix delegation for this prefix
    /// (RFC 9762 §4).
    pub pd_preferred: bool,
    /// Valid lifetime in seconds; [`INFINITE_LIFETIME`] is infinity.
    pub valid_lifetime: u32,
    /// Preferred lifetime in seconds; [`INFINITE_LIFETIME`] is infinity.
    pub preferred_lifetime: u32,
    /// The prefix (or, with R, the router's address).
    pub prefix: Ipv6Addr,
}

impl PrefixInformation {
    /// The option's size: Length 4.
    pub const LEN: usize = 32;

    pub(crate) fn validate_wire(option: &[u8], offset: usize) -> Result<()> {
        if option.len() < Self::LEN {
            return Err(Error::BadOptionLength {
                code: 3,
                offset,
                len: option.len(),
            });
        }
        if option[field::PREFIX_LEN] > 128 {
            return Err(Error::Malformed {
                what: "prefix length",
                offset: offset + field::PREFIX_LEN,
            });
        }
        Ok(())
    }

    /// Decode an option that passed `validate_wire`.
    pub(crate) fn from_wire(option: &[u8]) -> Self {
        // A fixed-size view lets the reads below compile without bounds checks.
        let option: &[u8; Self::LEN] = option.first_chunk().unwrap_or(&[0; Self::LEN]);
        let prefix_len = option[field::PREFIX_LEN];
        let flags = option[field::FLAGS];
        PrefixInformation {
            prefix_len,
            on_link: flags & FLAG_ON_LINK != 0,
            autonomous: flags & FLAG_AUTONOMOUS != 0,
            router_address: flags & FLAG_ROUTER_ADDRESS != 0,
            pd_preferred: flags & FLAG_PD_PREFERRED != 0,
            valid_lifetime: read_u32(option, field::VALID_LIFETIME.start),
            preferred_lifetime: read_u32(option, field::PREFERRED_LIFETIME.start),
            prefix: read_ipv6(option, field::PREFIX.start),
        }
    }

    pub(crate) fn check(&self) -> Result<()> {
        if self.prefix_len > 128 {
            return Err(Error::Malformed {
                what: "prefix length",
                offset: field::PREFIX_LEN,
            });
        }
        Ok(())
    }

    pub(crate) fn write_body(&self, option: &mut [u8]) {
        let Some(option) = option.first_chunk_mut::<{ Self::LEN }>() else {
            return;
        };
        option[field::PREFIX_LEN] = self.prefix_len;
        let mut flags = 0;
        if self.on_link {
            flags |= FLAG_ON_LINK;
        }
        if self.autonomous {
            flags |= FLAG_AUTONOMOUS;
        }
        if self.router_address {
            flags |= FLAG_ROUTER_ADDRESS;
        }
        if self.pd_preferred {
            flags |= FLAG_PD_PREFERRED;
        }
        option[field::FLAGS] = flags;
        option[field::VALID_LIFETIME].copy_from_slice(&self.valid_lifetime.to_be_bytes());
        option[field::PREFERRED_LIFETIME].copy_from_slice(&self.preferred_lifetime.to_be_bytes());
        option[field::PREFIX].copy_from_slice(&self.prefix.octets());
    }
}

/// As tcpdump prints it: `2001:db8:cafe::/64, Flags [onlink, auto], valid time 86400s, pref.
/// time 14400s`.
impl fmt::Display for PrefixInformation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}, Flags [", self.prefix, self.prefix_len)?;
        let mut first = true;
        for (set, name) in [
            (self.on_link, "onlink"),
            (self.autonomous, "auto"),
            (self.router_address, "router"),
            (self.pd_preferred, "pd"),
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
        f.write_str("], valid time ")?;
        super::fmt_lifetime(f, self.valid_lifetime)?;
        f.write_str(", pref. time ")?;
        super::fmt_lifetime(f, self.preferred_lifetime)
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for PrefixInformation {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(
            f,
            "PrefixInformation {{ prefix: {=[u8]}/{=u8}, L: {=bool}, A: {=bool}, R: {=bool}, P: {=bool}, valid: {=u32}, preferred: {=u32} }}",
            self.prefix.octets(),
            self.prefix_len,
            self.on_link,
            self.autonomous,
            self.router_address,
            self.pd_preferred,
            self.valid_lifetime,
            self.preferred_lifetime
        )
    }
}
