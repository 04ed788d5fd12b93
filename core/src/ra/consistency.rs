//! RFC 4861 §6.2.7: "Routers SHOULD inspect valid Router Advertisements sent by other routers
//! and verify that the routers are advertising consistent information on a link."

use core::net::Ipv6Addr;

use super::{bump, Advertiser, Event, Inconsistency};
use crate::profile::Prefix;
use crate::time::Instant;

/// The RA header fields of another router that RFC 4861 §6.2.7 compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PeerHeader {
    /// Cur Hop Limit (0 = unspecified).
    pub cur_hop_limit: u8,
    /// M flag.
    pub managed: bool,
    /// O flag.
    pub other_config: bool,
    /// Reachable Time, ms (0 = unspecified).
    pub reachable_time_ms: u32,
    /// Retrans Timer, ms (0 = unspecified).
    pub retrans_timer_ms: u32,
}

impl<const P: usize> Advertiser<P> {
    /// Another router's RA, already checked for validity (RFC 4861 §6.1.2), arrived from
    /// `router`: compare it with ours and queue an [`Event::Inconsistent`] per difference (RFC
    /// 4861 §6.2.7). `mtus` are the values of its MTU options, `prefixes` its Prefix Information
    /// options as (prefix, valid lifetime, preferred lifetime). Our own RAs looped back are
    /// recognised by their source and ignored.
    ///
    /// This is the entry point for callers that decode and check RAs themselves.
    pub fn handle_peer_advert(
        &mut self,
        _now: Instant,
        router: Ipv6Addr,
        h: PeerHeader,
        mtus: impl Iterator<Item = u32>,
        prefixes: impl Iterator<Item = (Prefix, u32, u32)>,
    ) {
        if router == self.link().link_local {
            bump(&mut self.counters_mut().ra_own);
            return;
        }
        bump(&mut self.counters_mut().ra_received);
        let p = self.profile();
        let r = p.router;
        let mode = p.mode;
        let our_mtu = p.mtu;
        let mut found: heapless::Vec<Inconsistency, 8> = heapless::Vec::new();
        let mut note = |this: &mut Self, what: Inconsistency| {
            bump(&mut this.counters_mut().ra_inconsistent);
            if found.push(what).is_err() {
                bump(&mut this.counters_mut().events_dropped);
            }
        };
        // Zero means "unspecified" for these three and is never an inconsistency.
        if h.cur_hop_limit != 0 && r.hop_limit != 0 && h.cur_hop_limit != r.hop_limit {
            note(
                self,
                Inconsistency::CurHopLimit {
                    ours: r.hop_limit,
                    theirs: h.cur_hop_limit,
                },
            );
        }
        if h.managed != mode.managed() {
            note(
                self,
                Inconsistency::Managed {
                    ours: mode.managed(),
                },
            );
        }
        if h.other_config != mode.other_config() {
            note(
                self,
                Inconsistency::OtherConfig {
                    ours: mode.other_config(),
                },
            );
        }
        if h.reachable_time_ms != 0
            && r.reachable_time_ms != 0
            && h.reachable_time_ms != r.reachable_time_ms
        {
            note(
                self,
                Inconsistency::ReachableTime {
                    ours: r.reachable_time_ms,
                    theirs: h.reachable_time_ms,
                },
            );
        }
        if h.retrans_timer_ms != 0
            && r.retrans_timer_ms != 0
            && h.retrans_timer_ms != r.retrans_timer_ms
        {
            note(
                self,
                Inconsistency::RetransTimer {
                    ours: r.retrans_timer_ms,
                    theirs: h.retrans_timer_ms,
                },
            );
        }
        if let Some(ours) = our_mtu {
            for theirs in mtus {
                if theirs != ours {
                    note(self, Inconsistency::Mtu { ours, theirs });
                }
            }
        }
        for (prefix, valid, preferred) in prefixes {
            // Only prefixes we advertise with fixed lifetimes; withdrawn ones count down.
            let Some(ours) = self.profile().prefixes.iter().find(|a| a.prefix == prefix) else {
                continue;
            };
            let (ov, op) = (ours.valid_lifetime, ours.preferred_lifetime);
            if valid != ov {
                note(
                    self,
                    Inconsistency::ValidLifetime {
                        prefix,
                        ours: ov,
                        theirs: valid,
                    },
                );
            }
            if preferred != op {
                note(
                    self,
                    Inconsistency::PreferredLifetime {
                        prefix,
                        ours: op,
                        theirs: preferred,
                    },
                );
            }
        }
        for what in found {
            self.push_event(Event::Inconsistent { router, what });
        }
    }
}
