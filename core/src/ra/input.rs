//! Decoded input from the wire: Router Solicitations (RFC 4861 §6.1.1, §6.2.6) and other
//! routers' Router Advertisements (§6.1.2, §6.2.7), checked with the ND codec's rules.

use super::{bump, Advertiser, PeerHeader};
use crate::profile::Prefix;
use crate::time::Instant;
use crate::wire::ndisc::{
    DiscardReason, IpMeta, NdOption, Repr, RouterAdvertRepr, RouterSolicitRepr,
};

impl<const P: usize> Advertiser<P> {
    /// A decoded Router Solicitation arrived with `meta` from the IP layer. Invalid ones (RFC
    /// 4861 §6.1.1: hop limit not 255, a Fragment Header (RFC 6980), an SLLA from `::`) are
    /// dropped and counted; a valid one schedules an answer (§6.2.6).
    pub fn handle_rs(&mut self, now: Instant, meta: &IpMeta, rs: &RouterSolicitRepr<'_>) {
        match Repr::RouterSolicit(*rs).check_meta(meta) {
            Ok(()) => {
                let has_slla = rs
                    .options
                    .iter()
                    .any(|o| matches!(o, NdOption::SourceLinkLayerAddress(_)));
                self.handle_solicitation(now, meta.src, has_slla);
            }
            Err(DiscardReason::UnspecifiedSourceWithSlla) => {
                bump(&mut self.counters_mut().rs_unspecified_with_slla)
            }
            Err(_) => bump(&mut self.counters_mut().rs_invalid),
        }
    }

    /// A decoded Router Advertisement from another router arrived with `meta`. Invalid ones
    /// (RFC 4861 §6.1.2: hop limit, link-local source, RFC 6980) are dropped and counted; valid
    /// ones are compared with ours (§6.2.7) and differences queued as
    /// [`super::Event::Inconsistent`].
    pub fn handle_ra(&mut self, now: Instant, meta: &IpMeta, ra: &RouterAdvertRepr<'_>) {
        if Repr::RouterAdvert(*ra).check_meta(meta).is_err() {
            bump(&mut self.counters_mut().ra_invalid);
            return;
        }
        let header = PeerHeader {
            cur_hop_limit: ra.cur_hop_limit,
            managed: ra.managed,
            other_config: ra.other,
            reachable_time_ms: ra.reachable_time,
            retrans_timer_ms: ra.retrans_timer,
        };
        let mtus = ra.options.iter().filter_map(|o| match o {
            NdOption::Mtu(m) => Some(m),
            _ => None,
        });
        let prefixes = ra.options.iter().filter_map(|o| match o {
            NdOption::PrefixInformation(p) => Some((
                Prefix::new(p.prefix, p.prefix_len),
                p.valid_lifetime,
                p.preferred_lifetime,
            )),
            _ => None,
        });
        self.handle_peer_advert(now, meta.src, header, mtus, prefixes);
    }

    /// An ICMPv6 message as received (`bytes` from the ICMPv6 type on): verify the checksum,
    /// decode, and pass a Router Solicitation to [`Advertiser::handle_rs`] or a Router
    /// Advertisement to [`Advertiser::handle_ra`]. Undecodable messages are counted in
    /// [`super::Counters::nd_malformed`], other ND messages ignored.
    pub fn handle_icmpv6(&mut self, now: Instant, meta: &IpMeta, bytes: &[u8]) {
        match Repr::parse_verified(bytes, &meta.src, &meta.dst) {
            Ok(Repr::RouterSolicit(rs)) => self.handle_rs(now, meta, &rs),
            Ok(Repr::RouterAdvert(ra)) => self.handle_ra(now, meta, &ra),
            Ok(_) => {}
            Err(_) => bump(&mut self.counters_mut().nd_malformed),
        }
    }
}
