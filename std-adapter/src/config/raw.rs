//! The configuration file as written: every key, with its place in the file. [`super::parse`]
//! turns it into validated [`super::Config`].

use serde::Deserialize;
use serde_spanned::Spanned;

pub(super) type S<T> = Spanned<T>;
pub(super) type O<T> = Option<Spanned<T>>;

/// The whole file: `[server]` and the `[[link]]`s that deserialized.
#[derive(Debug)]
pub(super) struct File {
    pub server: O<Server>,
    pub link: Vec<S<Link>>,
    /// `[[link]]` sections that did not deserialize (already reported).
    pub failed_links: usize,
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub(super) enum Durability {
    Fsync,
    Process,
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub(super) enum Mode {
    Slaac,
    Dhcpv6Stateless,
    Dhcpv6Stateful,
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub(super) enum Preference {
    Low,
    Medium,
    High,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct Server {
    pub lease_db: O<String>,
    pub durability: O<Durability>,
    pub duid: O<String>,
    pub max_leases: O<u32>,
    pub max_addresses_per_client: O<u8>,
    pub max_prefixes_per_client: O<u8>,
    pub rate_limit_burst: O<u16>,
    pub rate_limit_per_second: O<u16>,
    pub decline_quarantine: O<u32>,
    pub max_declined: O<u32>,
    pub recreate_on_renew: O<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Link {
    pub name: O<String>,
    pub interface: O<String>,
    pub mode: S<Mode>,
    pub prefix: O<String>,
    pub subnet_index: O<u32>,
    pub subnet_length: O<u8>,
    pub on_link: O<bool>,
    pub autonomous: O<bool>,
    pub pd_preferred: O<bool>,
    #[serde(default)]
    pub extra_prefix: Vec<S<ExtraPrefix>>,
    pub dns_servers: O<Vec<S<String>>>,
    pub domain_search: O<Vec<S<String>>>,
    pub ntp_servers: O<Vec<S<String>>>,
    pub sntp_servers: O<Vec<S<String>>>,
    pub pool: O<String>,
    pub pools: O<Vec<S<String>>>,
    pub pd_pool: O<PdPool>,
    pub pd_pools: O<Vec<S<PdPool>>>,
    pub rapid_commit: O<bool>,
    pub preferred_lifetime: O<u32>,
    pub valid_lifetime: O<u32>,
    pub t1: O<u32>,
    pub t2: O<u32>,
    pub pd_preferred_lifetime: O<u32>,
    pub pd_valid_lifetime: O<u32>,
    pub pd_t1: O<u32>,
    pub pd_t2: O<u32>,
    pub info_refresh_time: O<u32>,
    pub dhcpv6_preference: O<u8>,
    pub sol_max_rt: O<u32>,
    pub inf_max_rt: O<u32>,
    #[serde(default)]
    pub reservation: Vec<S<Reservation>>,
    pub relay: O<Relay>,
    pub mtu: O<u32>,
    pub pref64: O<Pref64>,
    pub captive_portal: O<String>,
    #[serde(default)]
    pub route: Vec<S<Route>>,
    pub ra: O<Ra>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ExtraPrefix {
    pub prefix: S<String>,
    pub on_link: O<bool>,
    pub autonomous: O<bool>,
    pub pd_preferred: O<bool>,
    pub preferred_lifetime: O<u32>,
    pub valid_lifetime: O<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PdPool {
    pub prefix: S<String>,
    pub delegated_length: S<u8>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Reservation {
    pub duid: O<String>,
    pub iaid: O<u32>,
    pub mac: O<String>,
    pub address: O<String>,
    pub prefix: O<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Relay {
    pub interface_id: O<String>,
    pub interface_id_hex: O<String>,
    pub link_address: O<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Pref64 {
    pub prefix: S<String>,
    pub lifetime: O<u16>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Route {
    pub prefix: S<String>,
    pub preference: O<Preference>,
    pub lifetime: O<u32>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct Ra {
    pub min_interval: O<u32>,
    pub max_interval: O<u32>,
    pub router_lifetime: O<u16>,
    pub preference: O<Preference>,
    pub reachable_time: O<u32>,
    pub retrans_timer: O<u32>,
    pub hop_limit: O<u8>,
    pub unicast_rs_replies: O<bool>,
    pub source_link_layer: O<bool>,
    pub advertise_dns: O<bool>,
    pub rdnss_lifetime: O<u32>,
    pub dnssl_lifetime: O<u32>,
    pub prefix_preferred_lifetime: O<u32>,
    pub prefix_valid_lifetime: O<u32>,
}
