//! Writing DHCPv6 messages into a caller-owned buffer, without allocation.
//!
//! [`Writer`] appends a header and options; a container option (IA_NA, IA Address, Relay
//! Message, ...) is opened with [`Writer::begin`] and closed with [`Writer::end`], which patches
//! its option-len **by offset**. No reference into the buffer is held across writes (dnsmasq
//! CVE-2022-0934 wrote through a pointer into a buffer that had since been reallocated), and
//! every write is bounds-checked.
//!
//! Errors are sticky: the first one is kept, later writes are ignored, and
//! [`Writer::finish`] returns it, so building code reads straight through without `?` after
//! every option.
//!
//! [`build`] runs the caller's writing code twice: once measuring, then, only if the message
//! fits, writing. A message that does not fit fails with [`Error::BufferTooSmall`] and the
//! buffer untouched.
//!
//! ```
//! use sixconf_core::wire::dhcpv6::{build, MessageType, StatusCode};
//! use core::net::Ipv6Addr;
//!
//! let client_duid = [0, 3, 0, 1, 0xfa, 0x16, 0x3e, 0xfe, 0xd1, 0x57];
//! let mut buf = [0u8; 128];
//! let len = build(&mut buf, |w| {
//!     w.header(MessageType::Reply, 0xd2dbc8);
//!     w.option(1, &client_duid);
//!     w.begin_ia_na(1, 3600, 5400);
//!     w.begin_ia_addr("2001:db8::4".parse().unwrap(), 7200, 7500);
//!     w.status(StatusCode::Success, "ok");
//!     w.end(); // IA Address
//!     w.end(); // IA_NA
//! })
//! .unwrap();
//! assert_eq!(len, 4 + 14 + 16 + 28 + 8);
//! ```

use core::net::Ipv6Addr;

use super::option::duid::Duid;
use super::option::relay_agent::MAX_LINK_LAYER_ADDRESS_LEN;
use super::option::{DhcpOption, OptionCode, MAX_OPTION_NESTING, MAX_RT_MAX, MAX_RT_MIN};
use super::{MessageType, StatusCode, MAX_RELAY_DEPTH};
use crate::wire::dns;
use crate::wire::{Error, Result};

/// How many options may be open at once: one Relay Message per relay layer, plus nested
/// options inside the innermost message.
pub const MAX_OPEN: usize = MAX_RELAY_DEPTH + MAX_OPTION_NESTING + 2;

/// Appends a DHCPv6 message to a buffer. See the [module documentation](self).
#[derive(Debug)]
pub struct Writer<'b> {
    buf: &'b mut [u8],
    measuring: bool,
    pos: usize,
    /// Offset and code of each open option (offsets fit in 32 bits: a UDP payload is at most
    /// 65,535 bytes).
    open: [(u32, u16); MAX_OPEN],
    depth: usize,
    overflow: bool,
    error: Option<Error>,
}

/// Measure `f`'s message, then write it into `buf` if it fits; returns the bytes written.
///
/// `f` is called twice and must write the same message both times. When the message does not
/// fit, returns [`Error::BufferTooSmall`] with the size it needs and leaves `buf` as it was; any
/// other error (an option longer than 65535 bytes, an unclosed option, ...) is found while
/// measuring, so it too leaves `buf` untouched.
pub fn build<F>(buf: &mut [u8], mut f: F) -> Result<usize>
where
    F: FnMut(&mut Writer<'_>),
{
    let mut m = Writer::measure();
    f(&mut m);
    let needed = m.finish()?;
    if needed > buf.len() {
        return Err(Error::BufferTooSmall { needed });
    }
    let mut w = Writer::new(buf);
    f(&mut w);
    w.finish()
}

impl<'b> Writer<'b> {
    /// Write into `buf` from its start. Unlike [`build`], a message that overflows leaves the
    /// bytes that fitted in `buf`; [`finish`](Writer::finish) still reports
    /// [`Error::BufferTooSmall`] with the full size.
    #[inline]
    pub fn new(buf: &'b mut [u8]) -> Writer<'b> {
        Writer {
            buf,
            measuring: false,
            pos: 0,
            open: [(0, 0); MAX_OPEN],
            depth: 0,
            overflow: false,
            error: None,
        }
    }

    /// A writer that writes nothing and only counts bytes.
    #[inline]
    pub fn measure() -> Writer<'static> {
        Writer {
            buf: &mut [],
            measuring: true,
            pos: 0,
            open: [(0, 0); MAX_OPEN],
            depth: 0,
            overflow: false,
            error: None,
        }
    }

    /// Bytes written (or counted) so far.
    #[inline]
    pub fn position(&self) -> usize {
        self.pos
    }

    /// The first error, if any.
    #[inline]
    pub fn error(&self) -> Option<Error> {
        self.error
    }

    /// How many options are open.
    #[inline]
    pub fn open_depth(&self) -> usize {
        self.depth
    }

    /// Finish: every opened option must be closed. Returns the message length.
    #[inline]
    pub fn finish(self) -> Result<usize> {
        if let Some(e) = self.error {
            return Err(e);
        }
        if self.depth != 0 {
            return Err(Error::Malformed {
                what: "option opened and never closed",
                offset: self.open.get(self.depth - 1).map_or(0, |o| o.0 as usize),
            });
        }
        if self.overflow {
            return Err(Error::BufferTooSmall { needed: self.pos });
        }
        Ok(self.pos)
    }

    #[cold]
    fn fail(&mut self, e: Error) {
        if self.error.is_none() {
            self.error = Some(e);
        }
    }

    /// Append raw bytes.
    #[inline]
    pub fn bytes(&mut self, data: &[u8]) -> &mut Self {
        if self.error.is_some() {
            return self;
        }
        let end = self.pos.saturating_add(data.len());
        if !self.measuring && !self.overflow {
            match self.buf.get_mut(self.pos..end) {
                Some(dst) => dst.copy_from_slice(data),
                // Stop writing but keep counting, so that the error says how much was needed.
                None => self.overflow = true,
            }
        }
        self.pos = end;
        self
    }

    /// Append a fixed-size field (compiles to direct stores, no `memmove` call).
    #[inline]
    fn array<const N: usize>(&mut self, data: [u8; N]) -> &mut Self {
        if self.error.is_some() {
            return self;
        }
        if !self.measuring && !self.overflow {
            match self
                .buf
                .get_mut(self.pos..)
                .and_then(|b| b.first_chunk_mut::<N>())
            {
                Some(dst) => *dst = data,
                None => self.overflow = true,
            }
        }
        self.pos = self.pos.saturating_add(N);
        self
    }

    /// Append one byte.
    #[inline]
    pub fn u8(&mut self, value: u8) -> &mut Self {
        self.array([value])
    }

    /// Append a big-endian `u16`.
    #[inline]
    pub fn u16(&mut self, value: u16) -> &mut Self {
        self.array(value.to_be_bytes())
    }

    /// Append a big-endian `u32`.
    #[inline]
    pub fn u32(&mut self, value: u32) -> &mut Self {
        self.array(value.to_be_bytes())
    }

    /// Append an IPv6 address.
    #[inline]
    pub fn addr(&mut self, value: Ipv6Addr) -> &mut Self {
        self.array(value.octets())
    }

    /// Client/server message header: msg-type and the 24-bit transaction-id (RFC 9915 §8).
    #[inline]
    pub fn header(&mut self, msg_type: MessageType, transaction_id: u32) -> &mut Self {
        let [_, x0, x1, x2] = transaction_id.to_be_bytes();
        self.array([u8::from(msg_type), x0, x1, x2])
    }

    /// Relay message header: msg-type, hop-count, link-address, peer-address (§9).
    #[inline]
    pub fn relay_header(
        &mut self,
        msg_type: MessageType,
        hop_count: u8,
        link_address: Ipv6Addr,
        peer_address: Ipv6Addr,
    ) -> &mut Self {
        self.u8(u8::from(msg_type))
            .u8(hop_count)
            .addr(link_address)
            .addr(peer_address)
    }

    /// A whole option with `data` (§21.1).
    #[inline]
    pub fn option(&mut self, code: u16, data: &[u8]) -> &mut Self {
        let Ok(len) = u16::try_from(data.len()) else {
            self.fail(Error::BadOptionLength {
                code,
                offset: self.pos,
                len: data.len(),
            });
            return self;
        };
        let [c0, c1] = code.to_be_bytes();
        let [l0, l1] = len.to_be_bytes();
        self.array([c0, c1, l0, l1]).bytes(data)
    }

    /// Open a container option: writes its code and a placeholder length, patched by
    /// [`end`](Writer::end).
    #[inline]
    pub fn begin(&mut self, code: u16) -> &mut Self {
        if self.error.is_some() {
            return self;
        }
        let Some(slot) = self.open.get_mut(self.depth) else {
            let depth = self.depth + 1;
            self.fail(Error::TooDeep { depth });
            return self;
        };
        let Ok(at) = u32::try_from(self.pos) else {
            let offset = self.pos;
            self.fail(Error::Malformed {
                what: "message longer than 4 GiB",
                offset,
            });
            return self;
        };
        *slot = (at, code);
        self.depth += 1;
        let [c0, c1] = code.to_be_bytes();
        self.array([c0, c1, 0, 0])
    }

    /// Close the innermost open option, writing its option-len at its recorded offset.
    #[inline]
    pub fn end(&mut self) -> &mut Self {
        if self.error.is_some() {
            return self;
        }
        let Some(depth) = self.depth.checked_sub(1) else {
            self.fail(Error::Malformed {
                what: "end() without an open option",
                offset: self.pos,
            });
            return self;
        };
        self.depth = depth;
        let (start, code) = self.open.get(depth).copied().unwrap_or((0, 0));
        let start = start as usize;
        let len = self.pos.saturating_sub(start + 4);
        let Ok(len16) = u16::try_from(len) else {
            self.fail(Error::BadOptionLength {
                code,
                offset: start,
                len,
            });
            return self;
        };
        if !self.measuring && !self.overflow {
            if let Some(dst) = self
                .buf
                .get_mut(start + 2..)
                .and_then(|b| b.first_chunk_mut::<2>())
            {
                *dst = len16.to_be_bytes();
            }
        }
        self
    }

    /// Close `n` open options.
    #[inline]
    pub fn end_n(&mut self, n: usize) -> &mut Self {
        for _ in 0..n {
            self.end();
        }
        self
    }

    /// Write any decoded option as it was parsed.
    #[inline]
    pub fn put(&mut self, option: &DhcpOption<'_>) -> &mut Self {
        option.emit(self);
        self
    }

    /// Client Identifier (§21.2).
    #[inline]
    pub fn client_id(&mut self, duid: &Duid<'_>) -> &mut Self {
        self.option(u16::from(OptionCode::ClientId), duid.as_bytes())
    }

    /// Server Identifier (§21.3).
    #[inline]
    pub fn server_id(&mut self, duid: &Duid<'_>) -> &mut Self {
        self.option(u16::from(OptionCode::ServerId), duid.as_bytes())
    }

    /// Open an IA_NA (§21.4); add IA Addresses / Status Code, then [`end`](Writer::end).
    #[inline]
    pub fn begin_ia_na(&mut self, iaid: u32, t1: u32, t2: u32) -> &mut Self {
        self.begin(u16::from(OptionCode::IaNa))
            .u32(iaid)
            .u32(t1)
            .u32(t2)
    }

    /// Open an IA_PD (§21.21); add IA Prefixes / Status Code, then [`end`](Writer::end).
    #[inline]
    pub fn begin_ia_pd(&mut self, iaid: u32, t1: u32, t2: u32) -> &mut Self {
        self.begin(u16::from(OptionCode::IaPd))
            .u32(iaid)
            .u32(t1)
            .u32(t2)
    }

    /// Open an IA Address (§21.6); add a Status Code if needed, then [`end`](Writer::end).
    #[inline]
    pub fn begin_ia_addr(&mut self, address: Ipv6Addr, preferred: u32, valid: u32) -> &mut Self {
        self.begin(u16::from(OptionCode::IaAddr))
            .addr(address)
            .u32(preferred)
            .u32(valid)
    }

    /// A complete IA Address without nested options (§21.6).
    #[inline]
    pub fn ia_addr(&mut self, address: Ipv6Addr, preferred: u32, valid: u32) -> &mut Self {
        self.begin_ia_addr(address, preferred, valid).end()
    }

    /// Open an IA Prefix (§21.22); add a Status Code or Prefix Exclude, then
    /// [`end`](Writer::end). A prefix length above 128 is an error.
    #[inline]
    pub fn begin_ia_prefix(
        &mut self,
        preferred: u32,
        valid: u32,
        prefix_len: u8,
        prefix: Ipv6Addr,
    ) -> &mut Self {
        if prefix_len > 128 {
            self.fail(Error::Malformed {
                what: "prefix length",
                offset: self.pos + 12,
            });
            return self;
        }
        self.begin(u16::from(OptionCode::IaPrefix))
            .u32(preferred)
            .u32(valid)
            .u8(prefix_len)
            .addr(prefix)
    }

    /// A complete IA Prefix without nested options (§21.22).
    #[inline]
    pub fn ia_prefix(
        &mut self,
        preferred: u32,
        valid: u32,
        prefix_len: u8,
        prefix: Ipv6Addr,
    ) -> &mut Self {
        self.begin_ia_prefix(preferred, valid, prefix_len, prefix)
            .end()
    }

    /// Prefix Exclude (RFC 6603 §4.2) for `excluded`/`excluded_len` inside the delegated prefix
    /// of length `delegated_len` (write it inside the IA Prefix).
    #[inline]
    pub fn prefix_exclude(
        &mut self,
        delegated_len: u8,
        excluded: Ipv6Addr,
        excluded_len: u8,
    ) -> &mut Self {
        if excluded_len <= delegated_len || excluded_len > 128 {
            self.fail(Error::Malformed {
                what: "excluded prefix length",
                offset: self.pos + 4,
            });
            return self;
        }
        let bits = u128::from(excluded) << delegated_len;
        let n = usize::from(excluded_len - delegated_len).div_ceil(8);
        let octets = bits.to_be_bytes();
        self.begin(u16::from(OptionCode::PrefixExclude))
            .u8(excluded_len)
            .bytes(octets.get(..n).unwrap_or(&[]))
            .end()
    }

    /// Status Code (§21.13).
    #[inline]
    pub fn status(&mut self, code: StatusCode, message: &str) -> &mut Self {
        self.begin(u16::from(OptionCode::StatusCode))
            .u16(u16::from(code))
            .bytes(message.as_bytes())
            .end()
    }

    /// Option Request (§21.7).
    #[inline]
    pub fn oro(&mut self, codes: &[OptionCode]) -> &mut Self {
        self.begin(u16::from(OptionCode::Oro));
        for &c in codes {
            self.u16(u16::from(c));
        }
        self.end()
    }

    /// Preference (§21.8).
    #[inline]
    pub fn preference(&mut self, value: u8) -> &mut Self {
        self.option(u16::from(OptionCode::Preference), &[value])
    }

    /// Elapsed Time in hundredths of a second (§21.9).
    #[inline]
    pub fn elapsed_time(&mut self, hundredths: u16) -> &mut Self {
        self.option(
            u16::from(OptionCode::ElapsedTime),
            &hundredths.to_be_bytes(),
        )
    }

    /// Open a Relay Message option (§21.10); write the relayed message, then
    /// [`end`](Writer::end).
    #[inline]
    pub fn begin_relay_message(&mut self) -> &mut Self {
        self.begin(u16::from(OptionCode::RelayMessage))
    }

    /// Authentication (§21.11).
    #[inline]
    pub fn authentication(
        &mut self,
        protocol: u8,
        algorithm: u8,
        rdm: u8,
        replay_detection: u64,
        info: &[u8],
    ) -> &mut Self {
        self.begin(u16::from(OptionCode::Authentication))
            .u8(protocol)
            .u8(algorithm)
            .u8(rdm)
            .bytes(&replay_detection.to_be_bytes())
            .bytes(info)
            .end()
    }

    /// Rapid Commit (§21.14).
    #[inline]
    pub fn rapid_commit(&mut self) -> &mut Self {
        self.option(u16::from(OptionCode::RapidCommit), &[])
    }

    /// User Class (§21.15): each item gets its 2-byte length.
    #[inline]
    pub fn user_class(&mut self, items: &[&[u8]]) -> &mut Self {
        self.begin(u16::from(OptionCode::UserClass));
        self.class_items(items);
        self.end()
    }

    /// Vendor Class (§21.16).
    #[inline]
    pub fn vendor_class(&mut self, enterprise_number: u32, items: &[&[u8]]) -> &mut Self {
        self.begin(u16::from(OptionCode::VendorClass))
            .u32(enterprise_number);
        self.class_items(items);
        self.end()
    }

    fn class_items(&mut self, items: &[&[u8]]) {
        for item in items {
            match u16::try_from(item.len()) {
                Ok(len) => {
                    self.u16(len).bytes(item);
                }
                Err(_) => self.fail(Error::Malformed {
                    what: "class data item longer than 65535",
                    offset: self.pos,
                }),
            }
        }
    }

    /// Open a Vendor-specific Information option (§21.17); write suboptions with
    /// [`option`](Writer::option), then [`end`](Writer::end).
    #[inline]
    pub fn begin_vendor_opts(&mut self, enterprise_number: u32) -> &mut Self {
        self.begin(u16::from(OptionCode::VendorOpts))
            .u32(enterprise_number)
    }

    /// Interface-ID (§21.18).
    #[inline]
    pub fn interface_id(&mut self, id: &[u8]) -> &mut Self {
        self.option(u16::from(OptionCode::InterfaceId), id)
    }

    /// Reconfigure Message (§21.19): Renew, Rebind or Information-request.
    #[inline]
    pub fn reconfigure_message(&mut self, msg_type: MessageType) -> &mut Self {
        if !matches!(
            msg_type,
            MessageType::Renew | MessageType::Rebind | MessageType::InformationRequest
        ) {
            self.fail(Error::Malformed {
                what: "reconfigure message type",
                offset: self.pos + 4,
            });
            return self;
        }
        self.option(
            u16::from(OptionCode::ReconfigureMessage),
            &[u8::from(msg_type)],
        )
    }

    /// Reconfigure Accept (§21.20).
    #[inline]
    pub fn reconfigure_accept(&mut self) -> &mut Self {
        self.option(u16::from(OptionCode::ReconfigureAccept), &[])
    }

    fn address_list(&mut self, code: OptionCode, addrs: &[Ipv6Addr]) -> &mut Self {
        self.begin(u16::from(code));
        for &a in addrs {
            self.addr(a);
        }
        self.end()
    }

    /// DNS Recursive Name Servers (RFC 3646 §3).
    #[inline]
    pub fn dns_servers(&mut self, addrs: &[Ipv6Addr]) -> &mut Self {
        self.address_list(OptionCode::DnsServers, addrs)
    }

    /// SNTP Servers (RFC 4075 §4).
    #[inline]
    pub fn sntp_servers(&mut self, addrs: &[Ipv6Addr]) -> &mut Self {
        self.address_list(OptionCode::SntpServers, addrs)
    }

    /// Write `name` (dotted; a trailing dot is optional) as a fully qualified wire name.
    fn dotted(&mut self, name: &str) -> &mut Self {
        self.labels(name, true)
    }

    /// Write the labels of `name` (dotted), checking each as it goes (1..=63 bytes, 255 in
    /// all, RFC 1035 §2.3.4), then the root label if `terminate`. A bad name is a sticky
    /// [`Error::BadName`]; [`build`] finds it while measuring, before anything is written.
    fn labels(&mut self, name: &str, terminate: bool) -> &mut Self {
        let offset = self.pos;
        let trimmed = name.strip_suffix('.').unwrap_or(name).as_bytes();
        let mut total = 1usize;
        if !trimmed.is_empty() {
            for label in trimmed.split(|&b| b == b'.') {
                let Ok(len) = u8::try_from(label.len()) else {
                    self.fail(Error::BadName {
                        offset,
                        reason: dns::NameError::BadLabel,
                    });
                    return self;
                };
                if len == 0 || usize::from(len) > dns::MAX_LABEL_LEN {
                    self.fail(Error::BadName {
                        offset,
                        reason: dns::NameError::BadLabel,
                    });
                    return self;
                }
                total += 1 + label.len();
                self.u8(len).bytes(label);
            }
        }
        if total > dns::MAX_NAME_LEN {
            self.fail(Error::BadName {
                offset,
                reason: dns::NameError::TooLong,
            });
            return self;
        }
        if terminate {
            self.u8(0);
        }
        self
    }

    /// Domain Search List (RFC 3646 §4), from dotted names.
    #[inline]
    pub fn domain_list(&mut self, names: &[&str]) -> &mut Self {
        self.begin(u16::from(OptionCode::DomainList));
        for name in names {
            self.dotted(name);
        }
        self.end()
    }

    /// Information Refresh Time in seconds (§21.23).
    #[inline]
    pub fn information_refresh_time(&mut self, seconds: u32) -> &mut Self {
        self.option(
            u16::from(OptionCode::InformationRefreshTime),
            &seconds.to_be_bytes(),
        )
    }

    fn max_rt(&mut self, code: OptionCode, seconds: u32) -> &mut Self {
        if !(MAX_RT_MIN..=MAX_RT_MAX).contains(&seconds) {
            self.fail(Error::Malformed {
                what: "SOL_MAX_RT/INF_MAX_RT outside 60..=86400",
                offset: self.pos + 4,
            });
            return self;
        }
        self.option(u16::from(code), &seconds.to_be_bytes())
    }

    /// SOL_MAX_RT in seconds, 60..=86400 (§21.24).
    #[inline]
    pub fn sol_max_rt(&mut self, seconds: u32) -> &mut Self {
        self.max_rt(OptionCode::SolMaxRt, seconds)
    }

    /// INF_MAX_RT in seconds, 60..=86400 (§21.25).
    #[inline]
    pub fn inf_max_rt(&mut self, seconds: u32) -> &mut Self {
        self.max_rt(OptionCode::InfMaxRt, seconds)
    }

    /// Remote-ID (RFC 4649).
    #[inline]
    pub fn remote_id(&mut self, enterprise_number: u32, id: &[u8]) -> &mut Self {
        self.begin(u16::from(OptionCode::RemoteId))
            .u32(enterprise_number)
            .bytes(id)
            .end()
    }

    /// Subscriber-ID (RFC 4580).
    #[inline]
    pub fn subscriber_id(&mut self, id: &[u8]) -> &mut Self {
        self.option(u16::from(OptionCode::SubscriberId), id)
    }

    /// Client FQDN (RFC 4704 §4): `name` ending with `.` is written fully qualified, otherwise
    /// as a partial name; `""` is an empty name field.
    #[inline]
    pub fn client_fqdn(&mut self, flags: u8, name: &str) -> &mut Self {
        self.begin(u16::from(OptionCode::ClientFqdn)).u8(flags);
        if !name.is_empty() {
            self.labels(name, name.ends_with('.'));
        }
        self.end()
    }

    /// NTP Server (RFC 5908) with one server-address suboption.
    #[inline]
    pub fn ntp_server_address(&mut self, address: Ipv6Addr) -> &mut Self {
        self.begin(u16::from(OptionCode::NtpServer))
            .u16(super::option::names::ntp::SRV_ADDR)
            .u16(16)
            .addr(address)
            .end()
    }

    /// NTP Server (RFC 5908) with one multicast-address suboption.
    #[inline]
    pub fn ntp_multicast_address(&mut self, address: Ipv6Addr) -> &mut Self {
        self.begin(u16::from(OptionCode::NtpServer))
            .u16(super::option::names::ntp::MC_ADDR)
            .u16(16)
            .addr(address)
            .end()
    }

    /// NTP Server (RFC 5908) with one server-FQDN suboption (dotted name).
    #[inline]
    pub fn ntp_server_fqdn(&mut self, name: &str) -> &mut Self {
        self.begin(u16::from(OptionCode::NtpServer))
            .begin(super::option::names::ntp::SRV_FQDN)
            .dotted(name)
            .end()
            .end()
    }

    /// Client Link-Layer Address (RFC 6939), 1..=16 bytes of address.
    #[inline]
    pub fn client_link_layer_address(&mut self, link_layer_type: u16, address: &[u8]) -> &mut Self {
        if address.is_empty() || address.len() > MAX_LINK_LAYER_ADDRESS_LEN {
            self.fail(Error::BadOptionLength {
                code: u16::from(OptionCode::ClientLinkLayerAddress),
                offset: self.pos,
                len: 2 + address.len(),
            });
            return self;
        }
        self.begin(u16::from(OptionCode::ClientLinkLayerAddress))
            .u16(link_layer_type)
            .bytes(address)
            .end()
    }
}
