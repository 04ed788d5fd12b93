//! What goes into an RA, and how it is split over packets that fit the link MTU.
//!
//! Per packet: the RA header (RFC 4861 §4.2), then a share of the options in a fixed order
//! (Prefix Information for current then withdrawn prefixes, Route Information, RDNSS, DNSSL,
//! PREF64, Captive Portal), then MTU and Source Link-Layer Address, which every packet repeats
//! (radvd's order; the seed's RA shows Prefix Information before the SLLA).

use core::net::Ipv6Addr;

use super::advertiser::Deprecated;
use super::Link;
use crate::profile::Profile;
use crate::time::Instant;
use crate::wire::{Error, Result};

/// One option that may go into any packet of a split RA.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Item {
    Prefix(usize),
    Deprecated(usize),
    Route(usize),
    Rdnss,
    Dnssl,
    Pref64,
    CaptivePortal,
}

/// The options of the RA in order.
pub(crate) fn items<'a, const P: usize>(
    profile: &'a Profile<P>,
    deprecated: &'a [Deprecated],
) -> impl Iterator<Item = Item> + 'a {
    let dns = &profile.dns;
    (0..profile.prefixes.len())
        .map(Item::Prefix)
        .chain((0..deprecated.len()).map(Item::Deprecated))
        .chain((0..profile.routes.len()).map(Item::Route))
        .chain((dns.in_ra && !dns.servers.is_empty()).then_some(Item::Rdnss))
        .chain((dns.in_ra && !dns.search_list.is_empty()).then_some(Item::Dnssl))
        .chain(profile.pref64.map(|_| Item::Pref64))
        .chain(profile.captive_portal.as_ref().map(|_| Item::CaptivePortal))
}

/// The result of emitting one packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Part {
    pub(crate) len: usize,
    /// Where the next packet starts, or `None` if this one completes the RA.
    pub(crate) next: Option<usize>,
    /// Options left out because alone they do not fit.
    pub(crate) skipped: usize,
}

/// Bytes `item` takes on the wire (RFC 4861 §4.6: lengths in units of 8 octets).
pub(crate) fn item_len<const P: usize>(profile: &Profile<P>, item: Item) -> usize {
    match item {
        Item::Prefix(_) | Item::Deprecated(_) => 32,
        Item::Route(i) => match profile.routes.get(i).map_or(0, |r| r.prefix.len) {
            0 => 8,
            1..=64 => 16,
            _ => 24,
        },
        Item::Rdnss => 8 + 16 * profile.dns.servers.len(),
        Item::Dnssl => 8 + profile.dns.search_list.as_wire().len().next_multiple_of(8),
        Item::Pref64 => 16,
        Item::CaptivePortal => profile
            .captive_portal
            .as_ref()
            .map_or(0, |u| (2 + u.len()).next_multiple_of(8)),
    }
}

/// RA header (16) plus the options every packet repeats (MTU, SLLA).
fn fixed_len<const P: usize>(profile: &Profile<P>) -> usize {
    16 + if profile.mtu.is_some() { 8 } else { 0 }
        + if profile.router.source_link_layer.is_some() {
            8
        } else {
            0
        }
}

/// Emit the packet of an RA whose options start at `cursor` into `buf` (already limited to the
/// link's ICMPv6 size). Fails, leaving `buf` untouched, if not even the header and the repeated
/// options fit.
#[allow(clippy::too_many_arguments)]
pub(crate) fn emit<const P: usize>(
    profile: &Profile<P>,
    deprecated: &[Deprecated],
    link: &Link,
    now: Instant,
    dst: Ipv6Addr,
    router_lifetime: u16,
    cursor: usize,
    buf: &mut [u8],
) -> Result<Part> {
    let fixed = fixed_len(profile);
    if buf.len() < fixed {
        return Err(Error::BufferTooSmall { needed: fixed });
    }
    // Choose this packet's options.
    let mut used = fixed;
    let mut end = cursor;
    let mut skipped = 0;
    let mut placed = 0;
    let mut next = None;
    for item in items(profile, deprecated).skip(cursor) {
        let len = item_len(profile, item);
        if used + len <= buf.len() {
            used += len;
            placed += 1;
        } else if placed == 0 && fixed + len > buf.len() {
            skipped += 1;
        } else {
            next = Some(end);
            break;
        }
        end += 1;
    }
    let mut w = Writer { buf, pos: 0 };
    let r = &profile.router;
    w.put(&[134, 0, 0, 0, r.hop_limit]);
    let flags = (u8::from(profile.mode.managed()) << 7)
        | (u8::from(profile.mode.other_config()) << 6)
        | (r.preference.bits() << 3);
    w.put(&[flags]);
    w.put(&router_lifetime.to_be_bytes());
    w.put(&r.reachable_time_ms.to_be_bytes());
    w.put(&r.retrans_timer_ms.to_be_bytes());
    for item in items(profile, deprecated).skip(cursor).take(end - cursor) {
        if fixed + item_len(profile, item) > w.buf.len() {
            continue;
        }
        emit_item(profile, deprecated, now, item, &mut w);
    }
    if let Some(mtu) = profile.mtu {
        w.put(&[5, 1, 0, 0]);
        w.put(&mtu.to_be_bytes());
    }
    if let Some(mac) = r.source_link_layer {
        w.put(&[1, 1]);
        w.put(&mac);
    }
    let len = w.pos;
    let sum = checksum(&link.link_local, &dst, w.buf.get(..len).unwrap_or_default());
    if let Some(c) = w.buf.get_mut(2..4) {
        c.copy_from_slice(&sum.to_be_bytes());
    }
    Ok(Part { len, next, skipped })
}

struct Writer<'b> {
    buf: &'b mut [u8],
    pos: usize,
}

impl Writer<'_> {
    fn put(&mut self, bytes: &[u8]) {
        if let Some(dst) = self.buf.get_mut(self.pos..self.pos + bytes.len()) {
            dst.copy_from_slice(bytes);
            self.pos += bytes.len();
        }
    }
    fn zeros(&mut self, n: usize) {
        for _ in 0..n {
            self.put(&[0]);
        }
    }
}

fn emit_item<const P: usize>(
    profile: &Profile<P>,
    deprecated: &[Deprecated],
    now: Instant,
    item: Item,
    w: &mut Writer<'_>,
) {
    let len8 = (item_len(profile, item) / 8) as u8;
    match item {
        Item::Prefix(i) | Item::Deprecated(i) => {
            let (p, valid, preferred) = match item {
                Item::Prefix(_) => match profile.prefixes.get(i) {
                    Some(p) => (*p, p.valid_lifetime, p.preferred_lifetime),
                    None => return,
                },
                _ => match deprecated.get(i) {
                    Some(d) => {
                        let left = d.until.saturating_duration_since(now).total_millis();
                        (
                            d.adv,
                            left.div_ceil(1000).min(u64::from(u32::MAX)) as u32,
                            0,
                        )
                    }
                    None => return,
                },
            };
            let flags = (u8::from(p.on_link) << 7)
                | (u8::from(p.autonomous) << 6)
                | (u8::from(p.pd_preferred) << 4);
            w.put(&[3, len8, p.prefix.len, flags]);
            w.put(&valid.to_be_bytes());
            w.put(&preferred.to_be_bytes());
            w.put(&[0; 4]);
            w.put(&p.prefix.addr.octets());
        }
        Item::Route(i) => {
            let Some(r) = profile.routes.get(i) else {
                return;
            };
            w.put(&[24, len8, r.prefix.len, r.preference.bits() << 3]);
            w.put(&r.lifetime.to_be_bytes());
            let n = (usize::from(len8) - 1) * 8;
            w.put(r.prefix.addr.octets().get(..n).unwrap_or_default());
        }
        Item::Rdnss => {
            w.put(&[25, len8, 0, 0]);
            w.put(&profile.dns.rdnss_lifetime.to_be_bytes());
            for a in &profile.dns.servers {
                w.put(&a.octets());
            }
        }
        Item::Dnssl => {
            w.put(&[31, len8, 0, 0]);
            w.put(&profile.dns.dnssl_lifetime.to_be_bytes());
            let names = profile.dns.search_list.as_wire();
            w.put(names);
            w.zeros(usize::from(len8) * 8 - 8 - names.len());
        }
        Item::Pref64 => {
            let Some(p) = profile.pref64 else { return };
            let plc: u16 = match p.prefix.len {
                96 => 0,
                64 => 1,
                56 => 2,
                48 => 3,
                40 => 4,
                _ => 5,
            };
            let scaled = p.lifetime.div_ceil(8).min(8191);
            w.put(&[38, len8]);
            w.put(&((scaled << 3) | plc).to_be_bytes());
            w.put(p.prefix.addr.octets().get(..12).unwrap_or_default());
        }
        Item::CaptivePortal => {
            let Some(uri) = &profile.captive_portal else {
                return;
            };
            w.put(&[37, len8]);
            w.put(uri.as_bytes());
            w.zeros(usize::from(len8) * 8 - 2 - uri.len());
        }
    }
}

/// The ICMPv6 checksum (RFC 4443 §2.3) over the pseudo-header (RFC 8200 §8.1) and `msg`, whose
/// checksum field is zero.
fn checksum(src: &Ipv6Addr, dst: &Ipv6Addr, msg: &[u8]) -> u16 {
    let mut sum: u64 = 0;
    let mut add = |bytes: &[u8]| {
        for pair in bytes.chunks(2) {
            let hi = u64::from(pair.first().copied().unwrap_or(0));
            let lo = u64::from(pair.get(1).copied().unwrap_or(0));
            sum += (hi << 8) | lo;
        }
    };
    add(&src.octets());
    add(&dst.octets());
    add(&(msg.len() as u32).to_be_bytes());
    add(&[0, 0, 0, 58]);
    add(msg);
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}
