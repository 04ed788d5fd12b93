//! [`Profile::validate`]: every rule of RFC 4861 §6.2.1 and the contradictions DESIGN.md lists.

use super::error::{DnsOption, ProfileError};
use super::prefix::Prefix;
use super::{
    Mode, Profile, MAX_MAX_INTERVAL_MS, MAX_REACHABLE_TIME_MS, MAX_ROUTER_LIFETIME_S,
    MIN_MAX_INTERVAL_MS, MIN_MIN_INTERVAL_MS, MIN_MTU,
};

/// `lifetime` (seconds, [`super::INFINITE`] included) is at least `max_ms`.
fn covers(lifetime: u32, max_ms: u32) -> bool {
    u64::from(lifetime) * 1000 >= u64::from(max_ms)
}

fn check_prefix(prefix: Prefix) -> Result<(), ProfileError> {
    if prefix.len > 128 {
        return Err(ProfileError::PrefixLengthTooLong { prefix });
    }
    if prefix.has_host_bits() {
        return Err(ProfileError::HostBitsSet { prefix });
    }
    Ok(())
}

impl<const P: usize> Profile<P> {
    /// Check the profile; the first problem found is returned.
    ///
    /// Rules, in the order checked:
    /// - RFC 4861 §6.2.1: MaxRtrAdvInterval 4..=1800 s; MinRtrAdvInterval 3 s..=0.75 × Max;
    ///   router lifetime 0 or Max..=9000 s; reachable time at most 3 600 000 ms;
    /// - MTU at least 1280 (RFC 8200 §5);
    /// - each prefix: length ≤ 128, no host bits, not listed twice, A=1 only on a /64 (RFC 4862
    ///   §5.5.3 d), preferred ≤ valid (§5.5.3 c), valid ≥ MaxRtrAdvInterval;
    /// - the mode against the flags: `slaac`/`dhcpv6-stateless` need an A=1 prefix,
    ///   `dhcpv6-stateful` allows none and needs an address pool;
    /// - routes: valid prefix, lifetime 0 (withdrawn) or ≥ MaxRtrAdvInterval (RFC 4191 §2.3);
    /// - RDNSS/DNSSL lifetimes ≥ MaxRtrAdvInterval when servers/names are advertised (RFC 8106
    ///   §5.1, §5.2);
    /// - PREF64: length 32/40/48/56/64/96, lifetime Max..=65528 s (RFC 8781 §4);
    /// - captive portal URI not empty (RFC 8910 §2.3);
    /// - DHCPv6: pool start ≤ end and inside a prefix of the profile; PD pool lengths sane and no
    ///   overlap with any advertised prefix; preferred ≤ valid; T1 ≤ T2.
    pub fn validate(&self) -> Result<(), ProfileError> {
        let r = &self.router;
        let max_ms = r.max_interval_ms;
        if !(MIN_MAX_INTERVAL_MS..=MAX_MAX_INTERVAL_MS).contains(&max_ms) {
            return Err(ProfileError::MaxIntervalOutOfRange { max_ms });
        }
        let min_ms = r.min_interval_ms;
        if min_ms < MIN_MIN_INTERVAL_MS || u64::from(min_ms) * 4 > u64::from(max_ms) * 3 {
            return Err(ProfileError::MinIntervalOutOfRange { min_ms, max_ms });
        }
        if r.lifetime_s != 0
            && (r.lifetime_s > MAX_ROUTER_LIFETIME_S || !covers(u32::from(r.lifetime_s), max_ms))
        {
            return Err(ProfileError::RouterLifetimeOutOfRange {
                lifetime_s: r.lifetime_s,
                max_ms,
            });
        }
        if r.reachable_time_ms > MAX_REACHABLE_TIME_MS {
            return Err(ProfileError::ReachableTimeTooLarge {
                reachable_time_ms: r.reachable_time_ms,
            });
        }
        if let Some(mtu) = self.mtu {
            if mtu < MIN_MTU {
                return Err(ProfileError::MtuTooSmall { mtu });
            }
        }

        let mut any_autonomous = false;
        for (i, p) in self.prefixes.iter().enumerate() {
            let prefix = p.prefix;
            check_prefix(prefix)?;
            if self.prefixes.iter().take(i).any(|q| q.prefix == prefix) {
                return Err(ProfileError::DuplicatePrefix { prefix });
            }
            if p.autonomous {
                if prefix.len != 64 {
                    return Err(ProfileError::AutonomousNotSlash64 { prefix });
                }
                if self.mode == Mode::Dhcpv6Stateful {
                    return Err(ProfileError::AutonomousInStatefulMode { prefix });
                }
                any_autonomous = true;
            }
            if p.preferred_lifetime > p.valid_lifetime {
                return Err(ProfileError::PreferredExceedsValid {
                    prefix,
                    preferred: p.preferred_lifetime,
                    valid: p.valid_lifetime,
                });
            }
            if !covers(p.valid_lifetime, max_ms) {
                return Err(ProfileError::PrefixLifetimeTooShort {
                    prefix,
                    valid: p.valid_lifetime,
                    max_ms,
                });
            }
        }
        match self.mode {
            Mode::Slaac | Mode::Dhcpv6Stateless
                if !any_autonomous && !self.prefix_from_delegation =>
            {
                return Err(ProfileError::NoAutonomousPrefix { mode: self.mode });
            }
            Mode::Dhcpv6Stateful if self.dhcpv6.pool.is_none() => {
                return Err(ProfileError::StatefulWithoutPool);
            }
            _ => {}
        }

        for route in &self.routes {
            check_prefix(route.prefix)?;
            if route.lifetime != 0 && !covers(route.lifetime, max_ms) {
                return Err(ProfileError::RouteLifetimeTooShort {
                    prefix: route.prefix,
                    lifetime: route.lifetime,
                    max_ms,
                });
            }
        }

        let dns = &self.dns;
        if dns.in_ra && !dns.servers.is_empty() && !covers(dns.rdnss_lifetime, max_ms) {
            return Err(ProfileError::DnsLifetimeTooShort {
                option: DnsOption::Rdnss,
                lifetime: dns.rdnss_lifetime,
                max_ms,
            });
        }
        if dns.in_ra && !dns.search_list.is_empty() && !covers(dns.dnssl_lifetime, max_ms) {
            return Err(ProfileError::DnsLifetimeTooShort {
                option: DnsOption::Dnssl,
                lifetime: dns.dnssl_lifetime,
                max_ms,
            });
        }

        if let Some(p64) = self.pref64 {
            check_prefix(p64.prefix)?;
            if ![32, 40, 48, 56, 64, 96].contains(&p64.prefix.len) {
                return Err(ProfileError::Pref64BadLength { prefix: p64.prefix });
            }
            if !covers(u32::from(p64.lifetime), max_ms)
                || p64.lifetime > super::Pref64::MAX_LIFETIME
            {
                return Err(ProfileError::Pref64LifetimeOutOfRange {
                    lifetime: p64.lifetime,
                    max_ms,
                });
            }
        }
        if let Some(uri) = &self.captive_portal {
            if uri.is_empty() {
                return Err(ProfileError::CaptivePortalEmpty);
            }
        }

        self.validate_dhcpv6()
    }

    fn validate_dhcpv6(&self) -> Result<(), ProfileError> {
        let d = &self.dhcpv6;
        if let Some(pool) = d.pool {
            if u128::from(pool.start) > u128::from(pool.end) {
                return Err(ProfileError::PoolEmpty { pool });
            }
            let inside = self
                .prefixes
                .iter()
                .any(|p| p.prefix.contains(pool.start) && p.prefix.contains(pool.end));
            if !inside {
                return Err(ProfileError::PoolOutsidePrefix { pool });
            }
        }
        if let Some(pool) = d.pd_pool {
            check_prefix(pool.prefix)?;
            if pool.delegated_len < pool.prefix.len || pool.delegated_len > 128 {
                return Err(ProfileError::PdPoolBadLength { pool });
            }
            if let Some(p) = self
                .prefixes
                .iter()
                .find(|p| p.prefix.overlaps(&pool.prefix))
            {
                return Err(ProfileError::PdPoolOverlapsPrefix {
                    pd: pool.prefix,
                    prefix: p.prefix,
                });
            }
        }
        if d.preferred_lifetime > d.valid_lifetime {
            return Err(ProfileError::DhcpPreferredExceedsValid {
                preferred: d.preferred_lifetime,
                valid: d.valid_lifetime,
            });
        }
        if d.t1 != 0 && d.t2 != 0 && d.t1 > d.t2 {
            return Err(ProfileError::T1AfterT2 { t1: d.t1, t2: d.t2 });
        }
        Ok(())
    }
}
