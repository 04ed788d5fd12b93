//! The seed's three OpenStack links (`seeds/000_75543a2350f95a3f.txt`), as link profiles: the
//! same prefixes, MAC addresses, DNS server, search domain and lifetimes as its traces.

use std::net::Ipv6Addr;

use sixconf_core::dhcpv6::server::{self, Lifetimes, LinkConfig};
use sixconf_core::profile::{AddressPool, Mode, Prefix, Profile};

/// One of the seed's links: the profile the router runs, and who is on the link.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The link mode.
    pub mode: Mode,
    /// What the Advertiser advertises (and, in the DHCPv6 modes, what the server serves).
    pub profile: Profile<4>,
    /// The router's MAC address (its link-local address is EUI-64 from it).
    pub router_mac: [u8; 6],
    /// The DHCPv6 server's MAC address, when the link runs one (the seed's dnsmasq sits in its
    /// own namespace, so it has its own link-local address).
    pub server_mac: Option<[u8; 6]>,
    /// The first host's MAC address (the seed's instance); more hosts count up from it.
    pub host_mac: [u8; 6],
}

/// The DNS server every DHCPv6 link of the seed hands out.
pub const SEED_DNS: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0xcafe, 0xa, 0, 0, 0, 0xe);
/// The search domain the seed's dnsmasq hands out.
pub const SEED_DOMAIN: &str = "openstacklocal";

fn prefix(a: u16) -> Ipv6Addr {
    Ipv6Addr::new(0x2001, 0xdb8, 0xcafe, a, 0, 0, 0, 0)
}

impl Scenario {
    /// The seed's link for `mode`.
    pub fn seed(mode: Mode) -> Scenario {
        let mut p: Profile<4> = Profile::new(mode);
        // radvd as OpenStack runs it: MaxRtrAdvInterval 10 s, router lifetime 30 s.
        p.set_max_interval(10_000);
        let (router_mac, server_mac, host_mac) = match mode {
            Mode::Slaac => {
                // `--ipv6-ra-mode=slaac`: 2001:db8:cafe::/64 with A=1, no DNS at all.
                p.add_prefix(Prefix::new(prefix(0), 64))
                    .expect("room for one prefix");
                (
                    [0xfa, 0x16, 0x3e, 0xc3, 0x17, 0xb4],
                    None,
                    [0xfa, 0x16, 0x3e, 0x79, 0x5a, 0xcc],
                )
            }
            Mode::Dhcpv6Stateless => {
                p.add_prefix(Prefix::new(prefix(2), 64))
                    .expect("room for one prefix");
                p.dns.servers.push(SEED_DNS).expect("room for one server");
                p.dns.search_list.push(SEED_DOMAIN).expect("a valid name");
                // The seed's RA carries no RDNSS/DNSSL: DNS comes by DHCPv6 only.
                p.dns.in_ra = false;
                p.dhcpv6.info_refresh_time = Some(86_400);
                (
                    [0xfa, 0x16, 0x3e, 0xc1, 0xbc, 0x52],
                    Some([0xfa, 0x16, 0x3e, 0x2d, 0xa6, 0xde]),
                    [0xfa, 0x16, 0x3e, 0xfe, 0xd1, 0x57],
                )
            }
            Mode::Dhcpv6Stateful => {
                // The seed's stateful RA carries no Prefix Information: the prefix only bounds
                // the pool (neither L nor A, so it is not advertised).
                p.add_prefix(Prefix::new(prefix(1), 64))
                    .expect("room for one prefix")
                    .on_link = false;
                p.dhcpv6.pool = Some(AddressPool {
                    start: Ipv6Addr::new(0x2001, 0xdb8, 0xcafe, 1, 0, 0, 0, 2),
                    end: Ipv6Addr::new(0x2001, 0xdb8, 0xcafe, 1, 0xffff, 0xffff, 0xffff, 0xfffe),
                });
                p.dns.servers.push(SEED_DNS).expect("room for one server");
                p.dns.search_list.push(SEED_DOMAIN).expect("a valid name");
                p.dns.in_ra = false;
                // The seed's Reply: pltime 7200, vltime 7500, T1 3600, T2 6300.
                p.dhcpv6.preferred_lifetime = 7_200;
                p.dhcpv6.valid_lifetime = 7_500;
                p.dhcpv6.t1 = 3_600;
                p.dhcpv6.t2 = 6_300;
                (
                    [0xfa, 0x16, 0x3e, 0x77, 0xe5, 0xa0],
                    Some([0xfa, 0x16, 0x3e, 0x06, 0x17, 0x6f]),
                    [0xfa, 0x16, 0x3e, 0x22, 0x38, 0x6b],
                )
            }
        };
        p.router.source_link_layer = Some(router_mac);
        Scenario {
            mode,
            profile: p,
            router_mac,
            server_mac,
            host_mac,
        }
    }

    /// One line saying what the link offers, for the demo's heading.
    pub fn describe(&self) -> String {
        let prefixes: Vec<String> = self
            .profile
            .prefixes
            .iter()
            .map(|p| {
                let flags = match (p.on_link, p.autonomous) {
                    (true, true) => "L=1 A=1",
                    (true, false) => "L=1 A=0",
                    (false, true) => "L=0 A=1",
                    (false, false) => "not advertised",
                };
                format!("{} ({flags})", p.prefix)
            })
            .collect();
        let mut s = format!(
            "M={} O={}, prefix {}",
            u8::from(self.mode.managed()),
            u8::from(self.mode.other_config()),
            prefixes.join(", ")
        );
        if let Some(pool) = self.profile.dhcpv6.pool {
            s.push_str(&format!(", DHCPv6 pool {pool}"));
        }
        if !self.profile.dns.servers.is_empty() {
            let dns: Vec<String> = self
                .profile
                .dns
                .servers
                .iter()
                .map(|a| a.to_string())
                .collect();
            let via = if self.profile.dns.in_ra {
                "RA and DHCPv6"
            } else {
                "DHCPv6"
            };
            s.push_str(&format!(", DNS {} by {via}", dns.join(" ")));
        }
        s
    }
}

/// What the DHCPv6 server serves on the link, from the profile: the on-link prefixes (they
/// select the link and answer Confirm), the pools, DNS, search list, NTP/SNTP and lifetimes.
/// The seed's dnsmasq also sends Preference 255 in its Advertise; so does this server.
pub fn server_link(profile: &Profile<4>) -> LinkConfig {
    let d = &profile.dhcpv6;
    let mut l = LinkConfig {
        ifindex: Some(1),
        address_lifetimes: Lifetimes {
            t1: (d.t1 != 0).then_some(d.t1),
            t2: (d.t2 != 0).then_some(d.t2),
            ..Lifetimes::new(d.preferred_lifetime, d.valid_lifetime)
        },
        prefix_lifetimes: Lifetimes::new(d.preferred_lifetime, d.valid_lifetime),
        rapid_commit: d.rapid_commit,
        preference: Some(255),
        information_refresh_time: d.info_refresh_time,
        ..LinkConfig::default()
    };
    for p in &profile.prefixes {
        let _ = l
            .prefixes
            .push(server::Prefix::new(p.prefix.network(), p.prefix.len));
    }
    if let Some(pool) = d.pool {
        let _ = l
            .address_pools
            .push(server::AddressPool::new(pool.start, pool.end));
    }
    if let Some(pd) = d.pd_pool {
        let _ = l.prefix_pools.push(server::PrefixPool::new(
            server::Prefix::new(pd.prefix.network(), pd.prefix.len),
            pd.delegated_len,
        ));
    }
    for s in &profile.dns.servers {
        let _ = l.dns_servers.push(*s);
    }
    let _ = l
        .domain_list
        .extend_from_slice(profile.dns.search_list.as_wire());
    for s in &d.ntp_servers {
        let _ = l.ntp_servers.push(*s);
    }
    for s in &d.sntp_servers {
        let _ = l.sntp_servers.push(*s);
    }
    l
}
