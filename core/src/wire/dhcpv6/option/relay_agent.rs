//! Options relay agents add: Interface-ID (18, RFC 9915 §21.18, decoded as bytes in
//! [`DhcpOption::InterfaceId`](super::DhcpOption::InterfaceId)), Remote-ID (37, RFC 4649),
//! Subscriber-ID (38, RFC 4580, bytes in
//! [`DhcpOption::SubscriberId`](super::DhcpOption::SubscriberId)) and Client Link-Layer Address
//! (79, RFC 6939).

use core::fmt;

use super::{be16, be32, write_hex, OptionCode, RawOption};
use crate::wire::dhcpv6::builder::Writer;
use crate::wire::Result;

/// The longest link-layer address accepted in a Client Link-Layer Address option. dnsmasq
/// copied a longer one into a 16-byte buffer (CVE-2017-14493); 16 bytes covers every hardware
/// type a DHCPv4 `chaddr` can hold.
pub const MAX_LINK_LAYER_ADDRESS_LEN: usize = 16;

/// Relay Agent Remote-ID (OPTION_REMOTE_ID, RFC 4649 §3).
///
/// ```text
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |       OPTION_REMOTE_ID        |         option-len            |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                       enterprise-number                       |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// .                           remote-id                           .
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RemoteId<'a> {
    /// The vendor's IANA enterprise number.
    pub enterprise_number: u32,
    /// The remote-id, opaque.
    pub remote_id: &'a [u8],
}

impl<'a> RemoteId<'a> {
    #[inline]
    pub(crate) fn parse(raw: &RawOption<'a>) -> Result<RemoteId<'a>> {
        if raw.data.len() < 5 {
            return Err(raw.bad_len());
        }
        Ok(RemoteId {
            enterprise_number: be32(raw.data, 0).unwrap_or(0),
            remote_id: raw.data.get(4..).unwrap_or(&[]),
        })
    }

    pub(crate) fn emit(&self, w: &mut Writer<'_>) {
        w.begin(u16::from(OptionCode::RemoteId));
        w.u32(self.enterprise_number).bytes(self.remote_id);
        w.end();
    }
}

impl fmt::Display for RemoteId<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "enterprise {} ", self.enterprise_number)?;
        write_hex(f, self.remote_id)
    }
}

/// Client Link-Layer Address (OPTION_CLIENT_LINKLAYER_ADDR, RFC 6939 §4), added by the first
/// relay agent. The address is 1..=16 bytes ([`MAX_LINK_LAYER_ADDRESS_LEN`]).
///
/// ```text
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// | OPTION_CLIENT_LINKLAYER_ADDR  |           option-length       |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |   link-layer type (16 bits)   |                               |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               |
/// .               link-layer address (variable length)            .
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ClientLinkLayerAddress<'a> {
    /// Hardware type (IANA ARP parameters; 1 is Ethernet).
    pub link_layer_type: u16,
    /// The client's link-layer address.
    pub address: &'a [u8],
}

impl<'a> ClientLinkLayerAddress<'a> {
    #[inline]
    pub(crate) fn parse(raw: &RawOption<'a>) -> Result<ClientLinkLayerAddress<'a>> {
        if !(3..=2 + MAX_LINK_LAYER_ADDRESS_LEN).contains(&raw.data.len()) {
            return Err(raw.bad_len());
        }
        Ok(ClientLinkLayerAddress {
            link_layer_type: be16(raw.data, 0).unwrap_or(0),
            address: raw.data.get(2..).unwrap_or(&[]),
        })
    }

    pub(crate) fn emit(&self, w: &mut Writer<'_>) {
        w.begin(u16::from(OptionCode::ClientLinkLayerAddress));
        w.u16(self.link_layer_type).bytes(self.address);
        w.end();
    }
}

impl fmt::Display for ClientLinkLayerAddress<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "type {} ", self.link_layer_type)?;
        for (i, b) in self.address.iter().enumerate() {
            if i > 0 {
                f.write_str(":")?;
            }
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}
