//! [`Advertiser`]: the RFC 4861 §6.2 router state machine for one interface.

use core::net::Ipv6Addr;

use super::content::{self, Part};
use super::rng::SplitMix64;
use super::{
    bump, Counters, Event, Link, Reason, Transmit, ALL_NODES, EVENT_QUEUE_LEN,
    MAX_FINAL_RTR_ADVERTISEMENTS, MAX_INITIAL_RTR_ADVERTISEMENTS, MAX_INITIAL_RTR_ADVERT_INTERVAL,
    MAX_RA_DELAY_TIME, MIN_DELAY_BETWEEN_RAS, ND_PREFERRED_LIMIT, ND_VALID_LIMIT,
    UNICAST_QUEUE_LEN, UNICAST_RATE_PER_SEC,
};
use crate::profile::{AdvPrefix, Prefix, Profile, ProfileError, INFINITE};
use crate::time::{Duration, Instant};

/// A prefix removed from the profile, still advertised with preferred lifetime 0 and a valid
/// lifetime counting down to `until`; or a stale delegated prefix, advertised with both
/// lifetimes 0 until `until` (RFC 9096 §3.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub(crate) struct Deprecated {
    pub(crate) adv: AdvPrefix,
    pub(crate) until: Instant,
    /// Stale (RFC 9096 §3.5): valid lifetime 0, not a countdown.
    pub(crate) stale: bool,
}

/// A prefix taken from a delegation received on another interface (a CE router's LAN prefix,
/// RFC 7084 §4.3, RFC 9096 §3.3), advertised with lifetimes that count down to its deadlines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct DelegatedPrefix {
    /// The prefix, its flags, and the longest lifetimes to advertise (seconds).
    pub adv: AdvPrefix,
    /// End of the delegation's preferred lifetime (at or before now: advertised deprecated,
    /// preferred 0).
    pub preferred_until: Instant,
    /// End of the delegation's valid lifetime.
    pub valid_until: Instant,
}

impl DelegatedPrefix {
    /// The (valid, preferred) lifetimes in seconds an RA sent at `now` carries (RFC 9096
    /// §3.3): each the least of the configured lifetime, [`ND_VALID_LIMIT`] /
    /// [`ND_PREFERRED_LIMIT`], and what is left of the delegation (rounded down: never more
    /// than is left); preferred never above valid (RFC 4861 §6.2.1).
    pub fn lifetimes(&self, now: Instant) -> (u32, u32) {
        // In milliseconds, capped before the one division: the result is at most
        // ND_VALID_LIMIT (5.4e6 ms), so it divides as a u32 (no 64-bit division is linked on
        // 32-bit targets for this).
        let left = |until: Instant| until.saturating_duration_since(now).total_millis();
        let cap = |configured: u32, limit: Duration| {
            if configured == INFINITE {
                limit.total_millis()
            } else {
                (u64::from(configured) * 1000).min(limit.total_millis())
            }
        };
        let valid = left(self.valid_until).min(cap(self.adv.valid_lifetime, ND_VALID_LIMIT));
        let preferred = left(self.preferred_until)
            .min(cap(self.adv.preferred_lifetime, ND_PREFERRED_LIMIT))
            .min(valid);
        let secs = |ms: u64| u32::try_from(ms).unwrap_or(u32::MAX) / 1000;
        (secs(valid), secs(preferred))
    }
}

/// [`Advertiser::set_delegated_prefix`] found no room: `P` delegated prefixes are advertised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PrefixTableFull;

impl core::fmt::Display for PrefixTableFull {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("no room for another delegated prefix")
    }
}

impl core::error::Error for PrefixTableFull {}

/// The profile's own rules, and its advertised MTU against the interface's.
fn check_link<const P: usize>(profile: &Profile<P>, link: &Link) -> Result<(), ProfileError> {
    profile.validate()?;
    match profile.mtu {
        Some(mtu) if mtu > link.mtu => Err(ProfileError::MtuAboveLink {
            mtu,
            link_mtu: link.mtu,
        }),
        _ => Ok(()),
    }
}

/// An RA being sent, possibly in several packets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
struct Burst {
    at: Instant,
    dst: Ipv6Addr,
    reason: Reason,
    /// Index of the next option to place (see `content::items`).
    cursor: usize,
    part: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
struct Stopping {
    /// Final RAs still to send.
    remaining: u8,
    next_at: Instant,
}

/// Sends Router Advertisements for one link (RFC 4861 §6.2), sans-IO.
///
/// Build it with [`Advertiser::new`] from a [`Profile`] with at most `P` prefixes; it holds at
/// most `P` withdrawn prefixes as well. See the [module docs](super) for the driving loop.
#[derive(Debug, Clone)]
pub struct Advertiser<const P: usize = 4> {
    profile: Profile<P>,
    link: Link,
    rng: SplitMix64,
    next_unsolicited: Instant,
    /// Intervals still capped at MAX_INITIAL_RTR_ADVERT_INTERVAL (§6.2.4).
    initial_left: u8,
    last_multicast: Option<Instant>,
    /// A multicast answer to solicitations, if one is scheduled before `next_unsolicited`.
    solicited: Option<Instant>,
    unicast: heapless::Vec<(Ipv6Addr, Instant), UNICAST_QUEUE_LEN>,
    /// Start of the current one-second window and unicast answers scheduled in it.
    unicast_window: (Instant, u8),
    burst: Option<Burst>,
    delegated: heapless::Vec<DelegatedPrefix, P>,
    deprecated: heapless::Vec<Deprecated, P>,
    /// Router lifetime 0 while no prefix is advertised (odhcpd: no default route without a
    /// prefix to reach it by).
    default_router_needs_prefix: bool,
    stopping: Option<Stopping>,
    events: heapless::Deque<Event, EVENT_QUEUE_LEN>,
    counters: Counters,
}

impl<const P: usize> Advertiser<P> {
    /// Start advertising `profile` on `link` at `now`; the first RA is due at once (as radvd
    /// does; RFC 4861 §6.2.4 sets no initial delay). `seed` drives every random delay: give each
    /// router a different one (e.g. from its MAC and the boot time).
    ///
    /// Fails if the profile does not validate ([`Profile::validate`]) or advertises an MTU
    /// above `link.mtu` ([`ProfileError::MtuAboveLink`]).
    pub fn new(
        profile: Profile<P>,
        link: Link,
        seed: u64,
        now: Instant,
    ) -> Result<Self, ProfileError> {
        check_link(&profile, &link)?;
        Ok(Advertiser {
            profile,
            link,
            rng: SplitMix64::new(seed),
            next_unsolicited: now,
            initial_left: MAX_INITIAL_RTR_ADVERTISEMENTS,
            last_multicast: None,
            solicited: None,
            unicast: heapless::Vec::new(),
            unicast_window: (now, 0),
            burst: None,
            delegated: heapless::Vec::new(),
            deprecated: heapless::Vec::new(),
            default_router_needs_prefix: false,
            stopping: None,
            events: heapless::Deque::new(),
            counters: Counters::default(),
        })
    }

    /// The profile being advertised.
    pub fn profile(&self) -> &Profile<P> {
        &self.profile
    }

    /// The interface facts given at construction or by [`Advertiser::set_link`].
    pub fn link(&self) -> Link {
        self.link
    }

    /// Counters of what was sent, received and dropped.
    pub fn counters(&self) -> &Counters {
        &self.counters
    }

    /// `true` once the final RAs after [`Advertiser::stop`] have all been sent.
    pub fn is_stopped(&self) -> bool {
        matches!(self.stopping, Some(s) if s.remaining == 0) && self.burst.is_none()
    }

    pub(crate) fn counters_mut(&mut self) -> &mut Counters {
        &mut self.counters
    }

    /// Unicast answers waiting for their random delay (at most [`UNICAST_QUEUE_LEN`]).
    pub fn pending_unicast(&self) -> usize {
        self.unicast.len()
    }

    /// The interface's link-local address or MTU changed.
    pub fn set_link(&mut self, link: Link) {
        self.link = link;
    }

    /// Replace the profile without disturbing the schedule (no burst of RAs; the change goes out
    /// with the next scheduled one). Prefixes that disappear keep being advertised with preferred
    /// lifetime 0 and a valid lifetime counting down from `min(valid, ND_VALID_LIMIT)` until it
    /// reaches zero (RFC 9096 §3.3/§3.5; hosts' two-hour rule, RFC 4862 §5.5.3 e, then lets
    /// their addresses go). Delegated prefixes ([`Advertiser::set_delegated_prefix`]) are not
    /// part of the profile and are kept. If the new MaxRtrAdvInterval is shorter than the time to the next RA, the next RA is
    /// drawn again from the new interval.
    ///
    /// An invalid profile is refused and the old one kept.
    pub fn reload(&mut self, now: Instant, profile: Profile<P>) -> Result<(), ProfileError> {
        check_link(&profile, &self.link)?;
        self.expire(now);
        // Prefixes that were never sent (no L, A or P) have nothing to withdraw; a prefix kept
        // in the profile but no longer sent is withdrawn like a removed one.
        let advertised = |p: &AdvPrefix| p.on_link || p.autonomous || p.pd_preferred;
        let still_sent = |prefix| {
            profile
                .prefixes
                .iter()
                .any(|p| p.prefix == prefix && advertised(p))
        };
        let old_prefixes = self.profile.prefixes.clone();
        for old in &old_prefixes {
            if !advertised(old) || still_sent(old.prefix) {
                continue;
            }
            let valid = if old.valid_lifetime == INFINITE {
                ND_VALID_LIMIT
            } else {
                Duration::from_secs(u64::from(old.valid_lifetime)).min(ND_VALID_LIMIT)
            };
            self.push_deprecated(Deprecated {
                adv: *old,
                until: now + valid,
                stale: false,
            });
        }
        self.deprecated.retain(|d| !still_sent(d.adv.prefix));
        let max = Duration::from_millis(u64::from(profile.router.max_interval_ms));
        self.profile = profile;
        if self.stopping.is_none() && self.next_unsolicited > now + max {
            self.next_unsolicited = now + self.next_interval();
        }
        if let Some(b) = &mut self.burst {
            // The options changed under a split RA: start its packets again.
            b.cursor = 0;
            b.part = 0;
        }
        Ok(())
    }

    /// Put `entry` in the deprecated table, replacing an entry for the same prefix; when full,
    /// the entry closest to the end of its countdown makes room (counted).
    fn push_deprecated(&mut self, entry: Deprecated) {
        if let Some(d) = self
            .deprecated
            .iter_mut()
            .find(|d| d.adv.prefix == entry.adv.prefix)
        {
            *d = entry;
        } else if let Err(entry) = self.deprecated.push(entry) {
            bump(&mut self.counters.deprecated_evicted);
            if let Some(slot) = self.deprecated.iter_mut().min_by_key(|d| d.until) {
                if slot.until < entry.until {
                    *slot = entry;
                }
            }
        }
    }

    /// Advertise `adv` as a prefix taken from a delegation, or update it: its lifetimes in each
    /// RA are [`DelegatedPrefix::lifetimes`], counting down to `preferred_until` and
    /// `valid_until` (RFC 8978 §3, RFC 9096 §3.3: never more than is left of the delegation).
    /// A `preferred_until` at or before `now` deprecates it (preferred 0, valid counting down):
    /// what a CE router does with a prefix still valid but replaced by a new delegation. A stale
    /// entry for the same prefix ends.
    ///
    /// A new prefix, or one newly deprecated, is announced at once, with up to
    /// [`MAX_INITIAL_RTR_ADVERTISEMENTS`] RAs at the initial pace (RFC 4861 §6.2.4: "the
    /// information it advertises changes"); a mere refresh of the deadlines waits for the next
    /// scheduled RA. Fails when `P` delegated prefixes are already advertised.
    pub fn set_delegated_prefix(
        &mut self,
        now: Instant,
        adv: AdvPrefix,
        preferred_until: Instant,
        valid_until: Instant,
    ) -> Result<(), PrefixTableFull> {
        self.expire(now);
        let entry = DelegatedPrefix {
            adv,
            preferred_until,
            valid_until,
        };
        let deprecated_now = preferred_until <= now;
        let changed = match self
            .delegated
            .iter_mut()
            .find(|d| d.adv.prefix == adv.prefix)
        {
            Some(d) => {
                let was_deprecated = d.preferred_until <= now;
                let flags = (d.adv.on_link, d.adv.autonomous, d.adv.pd_preferred)
                    != (adv.on_link, adv.autonomous, adv.pd_preferred);
                *d = entry;
                was_deprecated != deprecated_now || flags
            }
            None => {
                self.delegated.push(entry).map_err(|_| PrefixTableFull)?;
                true
            }
        };
        self.deprecated.retain(|d| d.adv.prefix != adv.prefix);
        if changed {
            self.announce_change(now);
        }
        Ok(())
    }

    /// The delegation of `prefix` is gone (the server withdrew it, it was released, or the
    /// adapter stopped using it): advertise it stale, with valid and preferred lifetimes 0 and
    /// the flags unchanged (RFC 9096 §3.5), for [`ND_VALID_LIMIT`], then
    /// [`Event::PrefixWithdrawn`]. Announced at once, as [`Advertiser::set_delegated_prefix`]
    /// announces a change. `false` if `prefix` was not a delegated prefix.
    pub fn withdraw_delegated_prefix(&mut self, now: Instant, prefix: Prefix) -> bool {
        let Some(i) = self.delegated.iter().position(|d| d.adv.prefix == prefix) else {
            return false;
        };
        let Some(d) = swap_remove(&mut self.delegated, i) else {
            return false;
        };
        self.push_deprecated(Deprecated {
            adv: d.adv,
            until: now + ND_VALID_LIMIT,
            stale: true,
        });
        self.announce_change(now);
        true
    }

    /// The delegated prefixes advertised (stale ones excluded).
    pub fn delegated_prefixes(&self) -> &[DelegatedPrefix] {
        &self.delegated
    }

    /// With `true`, RAs carry router lifetime 0 while no prefix is advertised (none in the
    /// profile and no live delegated prefix): hosts get no default route through a router with
    /// no prefix to number them from, as odhcpd does ("no public prefix: no default route").
    /// For a link whose prefix comes from a delegation.
    pub fn set_default_router_needs_prefix(&mut self, on: bool) {
        self.default_router_needs_prefix = on;
    }

    /// The Router Lifetime field of a non-final RA now.
    fn router_lifetime(&self) -> u16 {
        let has_prefix = !self.delegated.is_empty()
            || self
                .profile
                .prefixes
                .iter()
                .any(|p| p.on_link || p.autonomous || p.pd_preferred);
        if self.default_router_needs_prefix && !has_prefix {
            0
        } else {
            self.profile.router.lifetime_s
        }
    }

    /// RFC 4861 §6.2.4: when the advertised information changes, up to
    /// MAX_INITIAL_RTR_ADVERTISEMENTS RAs at the initial pace, the first as soon as
    /// MIN_DELAY_BETWEEN_RAS allows.
    fn announce_change(&mut self, now: Instant) {
        if self.stopping.is_some() {
            return;
        }
        self.initial_left = MAX_INITIAL_RTR_ADVERTISEMENTS;
        self.next_unsolicited = self.next_unsolicited.min(now);
        if let Some(b) = &mut self.burst {
            b.cursor = 0;
            b.part = 0;
        }
    }

    /// Stop advertising: send [`MAX_FINAL_RTR_ADVERTISEMENTS`] final RAs with router lifetime 0
    /// (RFC 4861 §6.2.5), [`MIN_DELAY_BETWEEN_RAS`] apart as every multicast RA (§6.2.6), then
    /// [`Event::Stopped`]. Pending answers to solicitations are dropped. Calling it again does
    /// nothing.
    pub fn stop(&mut self, now: Instant) {
        if self.stopping.is_some() {
            return;
        }
        self.solicited = None;
        self.unicast.clear();
        let earliest = self
            .last_multicast
            .map_or(now, |l| l + MIN_DELAY_BETWEEN_RAS);
        self.stopping = Some(Stopping {
            remaining: MAX_FINAL_RTR_ADVERTISEMENTS,
            next_at: now.max(earliest),
        });
    }

    /// The next instant at which [`Advertiser::poll_transmit`] or
    /// [`Advertiser::handle_timeout`] has work, or `None` once stopped.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if let Some(b) = self.burst {
            return Some(b.at);
        }
        if let Some(s) = self.stopping {
            return (s.remaining > 0).then_some(s.next_at);
        }
        let mut t = self.multicast_due();
        for &(_, at) in &self.unicast {
            t = t.min(at);
        }
        for d in &self.deprecated {
            t = t.min(d.until);
        }
        for d in &self.delegated {
            t = t.min(d.valid_until);
        }
        Some(t)
    }

    /// Let time pass: withdraws prefixes whose countdown ended ([`Event::PrefixWithdrawn`]).
    /// Transmissions that are due come out of [`Advertiser::poll_transmit`].
    pub fn handle_timeout(&mut self, now: Instant) {
        self.expire(now);
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// Write the next due RA packet into `buf` and say where to send it; `None` when nothing is
    /// due at `now`. Call until it returns `None`: an RA larger than the MTU comes out as
    /// several packets, each a complete RA with the same header and a share of the options
    /// (as radvd splits them).
    ///
    /// `buf` should hold the link MTU minus 40 bytes; a smaller buffer gives smaller packets.
    /// If it cannot hold the RA header and the per-packet options, the RA is abandoned and
    /// counted in [`Counters::buffer_too_small`].
    pub fn poll_transmit(&mut self, now: Instant, buf: &mut [u8]) -> Option<Transmit> {
        self.expire(now);
        if self.burst.is_none() {
            self.start_due(now);
        }
        let mut burst = self.burst?;
        let router_lifetime = match burst.reason {
            Reason::Final => 0,
            _ => self.router_lifetime(),
        };
        let limit = self.icmp_limit().min(buf.len());
        let part = content::emit(
            &self.profile,
            &self.delegated,
            &self.deprecated,
            &self.link,
            now,
            burst.dst,
            router_lifetime,
            burst.cursor,
            buf.get_mut(..limit).unwrap_or_default(),
        );
        let Part { len, next, skipped } = match part {
            Ok(p) => p,
            Err(_) => {
                bump(&mut self.counters.buffer_too_small);
                self.finish_burst(burst);
                return None;
            }
        };
        for _ in 0..skipped {
            bump(&mut self.counters.option_too_large);
        }
        bump(&mut self.counters.packets);
        let tx = Transmit {
            src: self.link.link_local,
            dst: burst.dst,
            len,
            reason: burst.reason,
            part: burst.part,
            last_part: next.is_none(),
        };
        match next {
            Some(cursor) => {
                burst.cursor = cursor;
                burst.part = burst.part.saturating_add(1);
                self.burst = Some(burst);
            }
            None => self.finish_burst(burst),
        }
        Some(tx)
    }

    /// A Router Solicitation from `src` that passed RFC 4861 §6.1.1's other checks arrived;
    /// schedule the answer (RFC 4861 §6.2.6). `has_slla` tells whether it carried a Source
    /// Link-Layer Address option: from `::` that makes it invalid (§6.1.1), and it is dropped
    /// and counted.
    ///
    /// This is the entry point for callers that decode and check solicitations themselves.
    pub fn handle_solicitation(&mut self, now: Instant, src: Ipv6Addr, has_slla: bool) {
        if self.stopping.is_some() {
            bump(&mut self.counters.rs_while_stopped);
            return;
        }
        if src.is_unspecified() && has_slla {
            bump(&mut self.counters.rs_unspecified_with_slla);
            return;
        }
        bump(&mut self.counters.rs_received);
        let delay = Duration::from_millis(self.rng.between(0, MAX_RA_DELAY_TIME.total_millis()));
        if self.profile.router.unicast_rs_replies && !src.is_unspecified() {
            if self.unicast.iter().any(|(a, _)| *a == src) {
                // Already answering this host: the delay stays relative to the first one.
                bump(&mut self.counters.rs_folded);
                return;
            }
            if now - self.unicast_window.0 >= Duration::from_secs(1) {
                self.unicast_window = (now, 0);
            }
            if self.unicast_window.1 < UNICAST_RATE_PER_SEC
                && self.unicast.push((src, now + delay)).is_ok()
            {
                self.unicast_window.1 += 1;
                return;
            }
            bump(&mut self.counters.rs_unicast_limited);
        }
        // §6.2.6: within MIN_DELAY_BETWEEN_RAS of the last multicast RA, answer at that RA's
        // time + MIN_DELAY_BETWEEN_RAS + the random delay; never later than the next scheduled RA.
        let mut at = now + delay;
        if let Some(last) = self.last_multicast {
            if now < last + MIN_DELAY_BETWEEN_RAS {
                at = last + MIN_DELAY_BETWEEN_RAS + delay;
            }
        }
        match self.solicited {
            _ if at >= self.next_unsolicited => bump(&mut self.counters.rs_folded),
            Some(_) => bump(&mut self.counters.rs_folded),
            None => self.solicited = Some(at),
        }
    }

    /// When the next multicast RA may go out.
    fn multicast_due(&self) -> Instant {
        let due = match self.solicited {
            Some(s) => s.min(self.next_unsolicited),
            None => self.next_unsolicited,
        };
        match self.last_multicast {
            Some(l) => due.max(l + MIN_DELAY_BETWEEN_RAS),
            None => due,
        }
    }

    /// Pick the due transmission, if any, and make it the current burst.
    fn start_due(&mut self, now: Instant) {
        if let Some(s) = &mut self.stopping {
            if s.remaining > 0 && s.next_at <= now {
                s.remaining -= 1;
                s.next_at = now + MIN_DELAY_BETWEEN_RAS;
                self.last_multicast = Some(now);
                bump(&mut self.counters.ra_multicast);
                self.burst = Some(Burst {
                    at: now,
                    dst: ALL_NODES,
                    reason: Reason::Final,
                    cursor: 0,
                    part: 0,
                });
            }
            return;
        }
        if self.multicast_due() <= now {
            let reason = match self.solicited {
                Some(s) if s < self.next_unsolicited => Reason::Solicited,
                _ => Reason::Unsolicited,
            };
            self.solicited = None;
            self.last_multicast = Some(now);
            // §6.2.4: every multicast RA restarts the periodic timer.
            self.next_unsolicited = now + self.next_interval();
            bump(&mut self.counters.ra_multicast);
            self.burst = Some(Burst {
                at: now,
                dst: ALL_NODES,
                reason,
                cursor: 0,
                part: 0,
            });
            return;
        }
        let due = self
            .unicast
            .iter()
            .enumerate()
            .filter(|(_, (_, at))| *at <= now)
            .min_by_key(|(_, (_, at))| *at)
            .map(|(i, _)| i);
        if let Some(i) = due {
            let Some((dst, at)) = swap_remove(&mut self.unicast, i) else {
                return;
            };
            bump(&mut self.counters.ra_unicast);
            self.burst = Some(Burst {
                at,
                dst,
                reason: Reason::Solicited,
                cursor: 0,
                part: 0,
            });
        }
    }

    fn finish_burst(&mut self, burst: Burst) {
        self.burst = None;
        if burst.reason == Reason::Final && matches!(self.stopping, Some(s) if s.remaining == 0) {
            self.push_event(Event::Stopped);
        }
    }

    /// §6.2.4: uniform in [MinRtrAdvInterval, MaxRtrAdvInterval], capped at
    /// MAX_INITIAL_RTR_ADVERT_INTERVAL for the first MAX_INITIAL_RTR_ADVERTISEMENTS.
    fn next_interval(&mut self) -> Duration {
        let r = &self.profile.router;
        let mut ms = self
            .rng
            .between(u64::from(r.min_interval_ms), u64::from(r.max_interval_ms));
        if self.initial_left > 0 {
            self.initial_left -= 1;
            ms = ms.min(MAX_INITIAL_RTR_ADVERT_INTERVAL.total_millis());
        }
        Duration::from_millis(ms)
    }

    /// Largest ICMPv6 message for the link: the smaller of the interface MTU and the advertised
    /// MTU, minus the 40-byte IPv6 header (RFC 8200 §3); never below the IPv6 minimum.
    fn icmp_limit(&self) -> usize {
        let mut mtu = self.link.mtu.max(crate::profile::MIN_MTU);
        if let Some(m) = self.profile.mtu {
            mtu = mtu.min(m.max(crate::profile::MIN_MTU));
        }
        usize::try_from(mtu - 40).unwrap_or(usize::MAX)
    }

    fn expire(&mut self, now: Instant) {
        // A delegation that ran out without being withdrawn is stale from then on (RFC 9096
        // §3.5).
        while let Some(i) = self.delegated.iter().position(|d| d.valid_until <= now) {
            let Some(d) = swap_remove(&mut self.delegated, i) else {
                break;
            };
            self.push_deprecated(Deprecated {
                adv: d.adv,
                until: now + ND_VALID_LIMIT,
                stale: true,
            });
            self.announce_change(now);
        }
        while let Some(i) = self.deprecated.iter().position(|d| d.until <= now) {
            let Some(d) = swap_remove(&mut self.deprecated, i) else {
                break;
            };
            self.push_event(Event::PrefixWithdrawn {
                prefix: d.adv.prefix,
            });
        }
    }

    pub(crate) fn push_event(&mut self, e: Event) {
        if self.events.push_back(e).is_err() {
            bump(&mut self.counters.events_dropped);
        }
    }
}

/// `heapless::Vec::swap_remove` without its `ptr::copy` (which LLVM keeps as a call to a
/// general `memmove`, 1.6 KB of Thumb code a firmware otherwise does not need): the element is
/// swapped with the last through two disjoint halves, then popped. `None` if `i` is out of range.
fn swap_remove<T, const N: usize>(v: &mut heapless::Vec<T, N>, i: usize) -> Option<T> {
    let last = v.len().checked_sub(1)?;
    if i > last {
        return None;
    }
    if i < last {
        let (head, tail) = v.split_at_mut(last);
        if let (Some(a), Some(b)) = (head.get_mut(i..=i), tail.get_mut(..1)) {
            a.swap_with_slice(b);
        }
    }
    v.pop()
}
