//! Identity Associations and their leases: IA_NA (RFC 9915 §21.4), IA_TA (§21.5, decoded
//! only), IA Address (§21.6), IA_PD (§21.21), IA Prefix (§21.22) and Prefix Exclude (RFC 6603).
//!
//! Each carries nested options ([`Options`]), already validated when the outer message was
//! parsed. Fixed parts: IA_NA and IA_PD at least 12 bytes, IA_TA 4, IA Address 24, IA Prefix 25
//! (prefix length at most 128); a preferred lifetime above the valid lifetime makes an IA
//! Address or IA Prefix invalid (§18.2.10.1, §21.6, §21.22).

use core::fmt;
use core::net::Ipv6Addr;

use super::{addr, be32, Nested, OptionCode, Options, RawOption};
use crate::wire::dhcpv6::builder::Writer;
use crate::wire::Result;

/// Lifetime value meaning "infinity" (RFC 9915 §7.7).
pub const INFINITY: u32 = 0xffff_ffff;

/// Fixed part of IA_NA and IA_PD: IAID, T1, T2.
pub const IA_NA_MIN_LEN: usize = 12;
/// Fixed part of IA_TA: IAID.
pub const IA_TA_MIN_LEN: usize = 4;
/// Fixed part of IA Address: address, preferred and valid lifetimes.
pub const IA_ADDR_MIN_LEN: usize = 24;
/// Fixed part of IA Prefix: lifetimes, prefix length, prefix.
pub const IA_PREFIX_MIN_LEN: usize = 25;

/// ```text
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |          OPTION_IA_NA         |          option-len           |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                        IAID (4 octets)                        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                              T1                               |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                              T2                               |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// .                         IA_NA-options                         .
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
mod field {
    use core::ops::Range;
    pub const IAID: Range<usize> = 0..4;
    pub const T1: Range<usize> = 4..8;
    pub const T2: Range<usize> = 8..12;
    pub const IA_OPTIONS: usize = 12;
    pub const IA_TA_OPTIONS: usize = 4;

    pub const ADDR: Range<usize> = 0..16;
    pub const ADDR_PREFERRED: Range<usize> = 16..20;
    pub const ADDR_VALID: Range<usize> = 20..24;
    pub const ADDR_OPTIONS: usize = 24;

    pub const PREFIX_PREFERRED: Range<usize> = 0..4;
    pub const PREFIX_VALID: Range<usize> = 4..8;
    pub const PREFIX_LEN: usize = 8;
    pub const PREFIX: Range<usize> = 9..25;
    pub const PREFIX_OPTIONS: usize = 25;

    pub const EXCLUDE_LEN: usize = 0;
    pub const EXCLUDE_SUBNET: usize = 1;
}

#[inline(always)]
fn u32_at(raw: &RawOption<'_>, range: core::ops::Range<usize>) -> u32 {
    be32(raw.data, range.start).unwrap_or(0)
}

#[inline(always)]
fn rest<'a>(raw: &RawOption<'a>, from: usize) -> &'a [u8] {
    raw.data.get(from..).unwrap_or(&[])
}

/// Identity Association for Non-temporary Addresses (OPTION_IA_NA, RFC 9915 §21.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct IaNa<'a> {
    /// IAID, chosen by the client.
    pub iaid: u32,
    /// T1 in seconds: when to Renew.
    pub t1: u32,
    /// T2 in seconds: when to Rebind.
    pub t2: u32,
    /// Nested options: IA Addresses, Status Code.
    pub options: Options<'a>,
}

impl<'a> IaNa<'a> {
    #[inline]
    pub(crate) fn parse(raw: &RawOption<'a>, nested: Nested) -> Result<IaNa<'a>> {
        if raw.data.len() < IA_NA_MIN_LEN {
            return Err(raw.bad_len());
        }
        Ok(IaNa {
            iaid: u32_at(raw, field::IAID),
            t1: u32_at(raw, field::T1),
            t2: u32_at(raw, field::T2),
            options: nested.options(
                rest(raw, field::IA_OPTIONS),
                raw.data_offset() + field::IA_OPTIONS,
            )?,
        })
    }

    /// The IA Addresses inside, in wire order.
    pub fn addresses(&self) -> impl Iterator<Item = IaAddress<'a>> + 'a {
        self.options.iter().filter_map(|o| match o {
            super::DhcpOption::IaAddr(a) => Some(a),
            _ => None,
        })
    }

    /// The IA's Status Code, if it carries one.
    pub fn status(&self) -> Option<super::Status<'a>> {
        status_of(&self.options)
    }

    pub(crate) fn emit(&self, w: &mut Writer<'_>) {
        w.begin(u16::from(OptionCode::IaNa));
        w.u32(self.iaid).u32(self.t1).u32(self.t2);
        self.options.emit(w);
        w.end();
    }
}

fn status_of<'a>(options: &Options<'a>) -> Option<super::Status<'a>> {
    options.iter().find_map(|o| match o {
        super::DhcpOption::StatusCode(s) => Some(s),
        _ => None,
    })
}

impl fmt::Display for IaNa<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IA_NA IAID:{} T1:{} T2:{}", self.iaid, self.t1, self.t2)?;
        nested(f, &self.options)
    }
}

fn nested(f: &mut fmt::Formatter<'_>, options: &Options<'_>) -> fmt::Result {
    if !options.is_empty() {
        write!(f, " {options}")?;
    }
    Ok(())
}

/// Identity Association for Temporary Addresses (OPTION_IA_TA, RFC 9915 §21.5). Decoded only:
/// sixconf does not serve temporary addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct IaTa<'a> {
    /// IAID.
    pub iaid: u32,
    /// Nested options.
    pub options: Options<'a>,
}

impl<'a> IaTa<'a> {
    #[inline]
    pub(crate) fn parse(raw: &RawOption<'a>, nested: Nested) -> Result<IaTa<'a>> {
        if raw.data.len() < IA_TA_MIN_LEN {
            return Err(raw.bad_len());
        }
        Ok(IaTa {
            iaid: u32_at(raw, field::IAID),
            options: nested.options(
                rest(raw, field::IA_TA_OPTIONS),
                raw.data_offset() + field::IA_TA_OPTIONS,
            )?,
        })
    }

    pub(crate) fn emit(&self, w: &mut Writer<'_>) {
        w.begin(u16::from(OptionCode::IaTa));
        w.u32(self.iaid);
        self.options.emit(w);
        w.end();
    }
}

impl fmt::Display for IaTa<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IA_TA IAID:{}", self.iaid)?;
        nested(f, &self.options)
    }
}

/// IA Address (OPTION_IAADDR, RFC 9915 §21.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct IaAddress<'a> {
    /// The address.
    #[cfg_attr(feature = "defmt", defmt(Display2Format))]
    pub address: Ipv6Addr,
    /// Preferred lifetime in seconds.
    pub preferred_lifetime: u32,
    /// Valid lifetime in seconds.
    pub valid_lifetime: u32,
    /// Nested options (Status Code).
    pub options: Options<'a>,
}

impl<'a> IaAddress<'a> {
    #[inline]
    pub(crate) fn parse(raw: &RawOption<'a>, nested: Nested) -> Result<IaAddress<'a>> {
        if raw.data.len() < IA_ADDR_MIN_LEN {
            return Err(raw.bad_len());
        }
        let preferred_lifetime = u32_at(raw, field::ADDR_PREFERRED);
        let valid_lifetime = u32_at(raw, field::ADDR_VALID);
        if preferred_lifetime > valid_lifetime {
            return Err(raw.malformed(
                "preferred lifetime > valid lifetime",
                field::ADDR_PREFERRED.start,
            ));
        }
        Ok(IaAddress {
            address: addr(raw.data, field::ADDR.start).unwrap_or(Ipv6Addr::UNSPECIFIED),
            preferred_lifetime,
            valid_lifetime,
            options: nested.options(
                rest(raw, field::ADDR_OPTIONS),
                raw.data_offset() + field::ADDR_OPTIONS,
            )?,
        })
    }

    /// The address's Status Code, if it carries one.
    pub fn status(&self) -> Option<super::Status<'a>> {
        status_of(&self.options)
    }

    pub(crate) fn emit(&self, w: &mut Writer<'_>) {
        w.begin(u16::from(OptionCode::IaAddr));
        w.addr(self.address)
            .u32(self.preferred_lifetime)
            .u32(self.valid_lifetime);
        self.options.emit(w);
        w.end();
    }
}

impl fmt::Display for IaAddress<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "IA_ADDR {} pltime:{} vltime:{}",
            self.address, self.preferred_lifetime, self.valid_lifetime
        )?;
        nested(f, &self.options)
    }
}

/// Identity Association for Prefix Delegation (OPTION_IA_PD, RFC 9915 §21.21).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct IaPd<'a> {
    /// IAID.
    pub iaid: u32,
    /// T1 in seconds.
    pub t1: u32,
    /// T2 in seconds.
    pub t2: u32,
    /// Nested options: IA Prefixes, Status Code.
    pub options: Options<'a>,
}

impl<'a> IaPd<'a> {
    #[inline]
    pub(crate) fn parse(raw: &RawOption<'a>, nested: Nested) -> Result<IaPd<'a>> {
        if raw.data.len() < IA_NA_MIN_LEN {
            return Err(raw.bad_len());
        }
        Ok(IaPd {
            iaid: u32_at(raw, field::IAID),
            t1: u32_at(raw, field::T1),
            t2: u32_at(raw, field::T2),
            options: nested.options(
                rest(raw, field::IA_OPTIONS),
                raw.data_offset() + field::IA_OPTIONS,
            )?,
        })
    }

    /// The IA Prefixes inside, in wire order.
    pub fn prefixes(&self) -> impl Iterator<Item = IaPrefix<'a>> + 'a {
        self.options.iter().filter_map(|o| match o {
            super::DhcpOption::IaPrefix(p) => Some(p),
            _ => None,
        })
    }

    /// The IA's Status Code, if it carries one.
    pub fn status(&self) -> Option<super::Status<'a>> {
        status_of(&self.options)
    }

    pub(crate) fn emit(&self, w: &mut Writer<'_>) {
        w.begin(u16::from(OptionCode::IaPd));
        w.u32(self.iaid).u32(self.t1).u32(self.t2);
        self.options.emit(w);
        w.end();
    }
}

impl fmt::Display for IaPd<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IA_PD IAID:{} T1:{} T2:{}", self.iaid, self.t1, self.t2)?;
        nested(f, &self.options)
    }
}

/// IA Prefix (OPTION_IAPREFIX, RFC 9915 §21.22).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct IaPrefix<'a> {
    /// Preferred lifetime in seconds.
    pub preferred_lifetime: u32,
    /// Valid lifetime in seconds.
    pub valid_lifetime: u32,
    /// Prefix length, 0..=128.
    pub prefix_len: u8,
    /// The prefix.
    #[cfg_attr(feature = "defmt", defmt(Display2Format))]
    pub prefix: Ipv6Addr,
    /// Nested options (Status Code, Prefix Exclude).
    pub options: Options<'a>,
}

impl<'a> IaPrefix<'a> {
    #[inline]
    pub(crate) fn parse(raw: &RawOption<'a>, nested: Nested) -> Result<IaPrefix<'a>> {
        if raw.data.len() < IA_PREFIX_MIN_LEN {
            return Err(raw.bad_len());
        }
        let preferred_lifetime = u32_at(raw, field::PREFIX_PREFERRED);
        let valid_lifetime = u32_at(raw, field::PREFIX_VALID);
        if preferred_lifetime > valid_lifetime {
            return Err(raw.malformed(
                "preferred lifetime > valid lifetime",
                field::PREFIX_PREFERRED.start,
            ));
        }
        let prefix_len = raw.data.get(field::PREFIX_LEN).copied().unwrap_or(0);
        if prefix_len > 128 {
            return Err(raw.malformed("prefix length", field::PREFIX_LEN));
        }
        let options = nested.options(
            rest(raw, field::PREFIX_OPTIONS),
            raw.data_offset() + field::PREFIX_OPTIONS,
        )?;
        if matches!(nested, Nested::Validate(_) | Nested::Lenient(_)) {
            // RFC 6603 §4.2: the excluded prefix is longer than the delegated one, and the
            // subnet ID takes exactly the bytes its extra bits need.
            for o in options.raw().flatten() {
                if o.code == u16::from(OptionCode::PrefixExclude) {
                    let pe = PrefixExclude::parse(&o)?;
                    if pe.prefix_len <= prefix_len
                        || pe.subnet_id.len() != usize::from(pe.prefix_len - prefix_len).div_ceil(8)
                    {
                        return Err(o.malformed("excluded prefix length", field::EXCLUDE_LEN));
                    }
                }
            }
        }
        Ok(IaPrefix {
            preferred_lifetime,
            valid_lifetime,
            prefix_len,
            prefix: addr(raw.data, field::PREFIX.start).unwrap_or(Ipv6Addr::UNSPECIFIED),
            options,
        })
    }

    /// The Prefix Exclude option inside, if any, as the excluded prefix and its length
    /// (RFC 6603 §4.2).
    pub fn excluded_prefix(&self) -> Option<(Ipv6Addr, u8)> {
        self.options.iter().find_map(|o| match o {
            super::DhcpOption::PrefixExclude(pe) => {
                pe.excluded_prefix(self.prefix, self.prefix_len)
            }
            _ => None,
        })
    }

    /// The prefix's Status Code, if it carries one.
    pub fn status(&self) -> Option<super::Status<'a>> {
        status_of(&self.options)
    }

    pub(crate) fn emit(&self, w: &mut Writer<'_>) {
        w.begin(u16::from(OptionCode::IaPrefix));
        w.u32(self.preferred_lifetime)
            .u32(self.valid_lifetime)
            .u8(self.prefix_len)
            .addr(self.prefix);
        self.options.emit(w);
        w.end();
    }
}

impl fmt::Display for IaPrefix<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "IA_PD-prefix {}/{} pltime:{} vltime:{}",
            self.prefix, self.prefix_len, self.preferred_lifetime, self.valid_lifetime
        )?;
        nested(f, &self.options)
    }
}

/// Prefix Exclude (OPTION_PD_EXCLUDE, RFC 6603 §4.2): inside an IA Prefix, the one prefix of the
/// delegated prefix the requesting router must not use.
///
/// ```text
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |        OPTION_PD_EXCLUDE      |         option-len            |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |  prefix-len   | IPv6 subnet ID (1 to 16 octets)               ~
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PrefixExclude<'a> {
    /// Length of the excluded prefix, 1..=128.
    pub prefix_len: u8,
    /// The excluded prefix's bits after the delegated prefix, left-aligned, zero-padded.
    pub subnet_id: &'a [u8],
}

impl<'a> PrefixExclude<'a> {
    #[inline]
    pub(crate) fn parse(raw: &RawOption<'a>) -> Result<PrefixExclude<'a>> {
        if !(2..=17).contains(&raw.data.len()) {
            return Err(raw.bad_len());
        }
        let prefix_len = raw.data.get(field::EXCLUDE_LEN).copied().unwrap_or(0);
        if prefix_len == 0 || prefix_len > 128 {
            return Err(raw.malformed("excluded prefix length", field::EXCLUDE_LEN));
        }
        Ok(PrefixExclude {
            prefix_len,
            subnet_id: rest(raw, field::EXCLUDE_SUBNET),
        })
    }

    /// The excluded prefix within `delegated`/`delegated_len`, or `None` if this option does not
    /// fit that prefix.
    pub fn excluded_prefix(
        &self,
        delegated: Ipv6Addr,
        delegated_len: u8,
    ) -> Option<(Ipv6Addr, u8)> {
        if self.prefix_len <= delegated_len || self.prefix_len > 128 {
            return None;
        }
        let mut subnet: u128 = 0;
        for (i, &b) in self.subnet_id.iter().enumerate().take(16) {
            subnet |= u128::from(b) << (120 - 8 * i);
        }
        let keep = mask(delegated_len);
        let bits = (subnet >> delegated_len) & mask(self.prefix_len) & !keep;
        let value = (u128::from(delegated) & keep) | bits;
        Some((Ipv6Addr::from(value), self.prefix_len))
    }

    pub(crate) fn emit(&self, w: &mut Writer<'_>) {
        w.begin(u16::from(OptionCode::PrefixExclude));
        w.u8(self.prefix_len).bytes(self.subnet_id);
        w.end();
    }
}

/// The top `len` bits set.
fn mask(len: u8) -> u128 {
    match len {
        0 => 0,
        1..=127 => !0u128 << (128 - u32::from(len)),
        _ => !0,
    }
}

impl fmt::Display for PrefixExclude<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "prefix-len {} subnet-id ", self.prefix_len)?;
        super::write_hex(f, self.subnet_id)
    }
}
