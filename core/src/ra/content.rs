//! What goes into an RA, and how it is split over packets that fit the link MTU.
//!
//! Per packet: the RA header (RFC 4861 §4.2), then a share of the options in a fixed order
//! (Prefix Information for current then withdrawn prefixes, Route Information, RDNSS, DNSSL,
//! PREF64, Captive Portal), then MTU and Source Link-Layer Address, which every packet repeats
//! (radvd's order; the seed's RA shows Prefix Information before the SLLA).

use core::net::Ipv6Addr;

use super::advertiser::{DelegatedPrefix, Deprecated};
use super::Link;
use crate::profile::{AdvPrefix, Preference, Profile};
use crate::time::Instant;
use crate::wire::icmpv6;
use crate::wire::ndisc::option::{
    CaptivePortal, Dnssl, Domains, Ipv6Addrs, LinkLayerAddress, Pref64, Pref64Length,
    PrefixInformation, Rdnss, RouteInformation,
};
use crate::wire::ndisc::{NdOption, OptionsRepr, Repr, RouterAdvertRepr, RouterPreference};
use crate::wire::{Error, Result};

/// One option that may go into any packet of a split RA.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Item {
    Prefix(usize),
    Delegated(usize),
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
    delegated: &'a [DelegatedPrefix],
    deprecated: &'a [Deprecated],
) -> impl Iterator<Item = Item> + 'a {
    let dns = &profile.dns;
    // A prefix with neither L, A nor P tells hosts nothing (RFC 4861 §6.3.4, RFC 4862 §5.5.3,
    // RFC 9762): it only bounds the DHCPv6 pool, as in the seed's stateful link, and is not sent.
    (0..profile.prefixes.len())
        .filter(|&i| {
            profile
                .prefixes
                .get(i)
                .is_some_and(|p| p.on_link || p.autonomous || p.pd_preferred)
        })
        .map(Item::Prefix)
        .chain((0..delegated.len()).map(Item::Delegated))
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

/// `ms.div_ceil(1000)` saturated to `u32`, by long division in 16-bit steps: a `u64` division
/// would link 0.9 KB of compiler-builtins on 32-bit targets, where this is the only one.
fn ceil_secs(ms: u64) -> u32 {
    const D: u32 = 1000;
    let (hi, lo) = ((ms >> 32) as u32, ms as u32);
    if hi >= D {
        return u32::MAX; // at least 2^32 seconds
    }
    // hi < D, so every partial dividend below stays under D × 2^16 < 2^32, and each partial
    // quotient under 2^16.
    let x1 = (hi << 16) | (lo >> 16);
    let x2 = ((x1 % D) << 16) | (lo & 0xffff);
    let q = ((x1 / D) << 16) | (x2 / D);
    q.saturating_add(u32::from(!x2.is_multiple_of(D)))
}

/// The Prf bits of a profile preference, as the codec's type.
fn preference(p: Preference) -> RouterPreference {
    match p {
        Preference::Low => RouterPreference::Low,
        Preference::Medium => RouterPreference::Medium,
        Preference::High => RouterPreference::High,
    }
}

fn pio(p: &AdvPrefix, valid_lifetime: u32, preferred_lifetime: u32) -> NdOption<'static> {
    NdOption::PrefixInformation(PrefixInformation {
        prefix_len: p.prefix.len,
        on_link: p.on_link,
        autonomous: p.autonomous,
        router_address: false,
        pd_preferred: p.pd_preferred,
        valid_lifetime,
        preferred_lifetime,
        prefix: p.prefix.addr,
    })
}

/// The option for `item` as the ND codec emits it; `None` if the item no longer exists.
pub(crate) fn option<'a, const P: usize>(
    profile: &'a Profile<P>,
    delegated: &[DelegatedPrefix],
    deprecated: &[Deprecated],
    now: Instant,
    item: Item,
) -> Option<NdOption<'a>> {
    let dns = &profile.dns;
    Some(match item {
        Item::Prefix(i) => {
            let p = profile.prefixes.get(i)?;
            pio(p, p.valid_lifetime, p.preferred_lifetime)
        }
        Item::Delegated(i) => {
            let d = delegated.get(i)?;
            let (valid, preferred) = d.lifetimes(now);
            pio(&d.adv, valid, preferred)
        }
        Item::Deprecated(i) => {
            // RFC 9096 §3.5: a stale prefix goes out with both lifetimes 0, flags unchanged.
            // A prefix removed from the profile: preferred 0, valid counting down in real time
            // (rounded up, so a host never sees 0 before the end).
            let d = deprecated.get(i)?;
            if d.stale {
                return Some(pio(&d.adv, 0, 0));
            }
            let left = ceil_secs(d.until.saturating_duration_since(now).total_millis());
            pio(&d.adv, left, 0)
        }
        Item::Route(i) => {
            let r = profile.routes.get(i)?;
            NdOption::RouteInformation(RouteInformation {
                prefix_len: r.prefix.len,
                preference: preference(r.preference),
                route_lifetime: r.lifetime,
                prefix: r.prefix.addr,
            })
        }
        Item::Rdnss => NdOption::Rdnss(Rdnss {
            lifetime: dns.rdnss_lifetime,
            servers: Ipv6Addrs::List(&dns.servers),
        }),
        Item::Dnssl => NdOption::Dnssl(Dnssl {
            lifetime: dns.dnssl_lifetime,
            domains: Domains::Wire(dns.search_list.as_wire()),
        }),
        Item::Pref64 => {
            let p = profile.pref64?;
            let length = match p.prefix.len {
                96 => Pref64Length::L96,
                64 => Pref64Length::L64,
                56 => Pref64Length::L56,
                48 => Pref64Length::L48,
                40 => Pref64Length::L40,
                _ => Pref64Length::L32,
            };
            // RFC 8781 §4.1: round up to a multiple of 8 s.
            NdOption::Pref64(Pref64 {
                scaled_lifetime: p.lifetime.div_ceil(8).min(8191),
                length,
                prefix: p.prefix.addr,
            })
        }
        Item::CaptivePortal => NdOption::CaptivePortal(CaptivePortal::new(
            profile.captive_portal.as_ref()?.as_bytes(),
        )),
    })
}

/// Options every packet of the RA repeats: MTU (RFC 4861 §4.6.4) and Source Link-Layer Address
/// (§4.6.1), in that order.
fn repeated<const P: usize>(profile: &Profile<P>) -> impl Iterator<Item = NdOption<'_>> {
    profile.mtu.map(NdOption::Mtu).into_iter().chain(
        profile
            .router
            .source_link_layer
            .as_ref()
            .map(|mac| NdOption::SourceLinkLayerAddress(LinkLayerAddress::new(mac))),
    )
}

/// Emit the packet of an RA whose options start at `cursor` into `buf` (already limited to the
/// link's ICMPv6 size). Fails, leaving `buf` untouched, if not even the header and the repeated
/// options fit.
#[allow(clippy::too_many_arguments)]
pub(crate) fn emit<const P: usize>(
    profile: &Profile<P>,
    delegated: &[DelegatedPrefix],
    deprecated: &[Deprecated],
    link: &Link,
    now: Instant,
    dst: Ipv6Addr,
    router_lifetime: u16,
    cursor: usize,
    buf: &mut [u8],
) -> Result<Part> {
    let r = &profile.router;
    let header = Repr::RouterAdvert(RouterAdvertRepr {
        cur_hop_limit: r.hop_limit,
        managed: profile.mode.managed(),
        other: profile.mode.other_config(),
        home_agent: false,
        proxy: false,
        router_preference: preference(r.preference),
        router_lifetime,
        reachable_time: r.reachable_time_ms,
        retrans_timer: r.retrans_timer_ms,
        options: OptionsRepr::NONE,
    });
    let fixed = header.buffer_len() + repeated(profile).map(|o| o.buffer_len()).sum::<usize>();
    if buf.len() < fixed {
        return Err(Error::BufferTooSmall { needed: fixed });
    }
    // Choose this packet's options: as many as fit, in order. One that cannot fit even alone
    // is skipped (cannot happen with a validated profile and a 1280-byte MTU).
    let mut used = fixed;
    let mut end = cursor;
    let mut skipped = 0;
    let mut placed = 0;
    let mut next = None;
    for item in items(profile, delegated, deprecated).skip(cursor) {
        let len = option(profile, delegated, deprecated, now, item).map_or(0, |o| o.buffer_len());
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
    let room = buf.len();
    let mut pos = header.emit(&link.link_local, &dst, buf)?;
    let chosen = items(profile, delegated, deprecated)
        .skip(cursor)
        .take(end - cursor)
        .filter_map(|item| option(profile, delegated, deprecated, now, item))
        .filter(|o| fixed + o.buffer_len() <= room);
    for opt in chosen.chain(repeated(profile)) {
        pos += buf.get_mut(pos..).map_or(Ok(0), |out| opt.emit(out))?;
    }
    let msg = buf
        .get_mut(..pos)
        .ok_or(Error::BufferTooSmall { needed: pos })?;
    icmpv6::Packet::new_unchecked(msg).fill_checksum(&link.link_local, &dst);
    Ok(Part {
        len: pos,
        next,
        skipped,
    })
}

#[cfg(test)]
mod ceil_secs_tests {
    use super::ceil_secs;
    use proptest::prelude::*;

    fn reference(ms: u64) -> u32 {
        u32::try_from(ms.div_ceil(1000)).unwrap_or(u32::MAX)
    }

    #[test]
    fn boundaries() {
        for ms in [
            0,
            1,
            999,
            1000,
            1001,
            u64::from(u32::MAX),
            u64::from(u32::MAX) + 1,
            u64::from(u32::MAX) * 1000 - 1,
            u64::from(u32::MAX) * 1000,
            u64::from(u32::MAX) * 1000 + 1,
            (1000u64 << 32) - 1,
            1000u64 << 32,
            u64::MAX,
        ] {
            assert_eq!(ceil_secs(ms), reference(ms), "{ms} ms");
        }
    }

    proptest! {
        #[test]
        fn equals_u64_div_ceil(ms in any::<u64>()) {
            prop_assert_eq!(ceil_secs(ms), reference(ms));
        }

        #[test]
        fn equals_u64_div_ceil_in_range(ms in 0u64..(1u64 << 43)) {
            prop_assert_eq!(ceil_secs(ms), reference(ms));
        }
    }
}
