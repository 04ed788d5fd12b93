//! The `sixconf serve` configuration file (TOML) and its validation.
//!
//! [`parse`] reads the text, checks every key and value, and returns a [`Config`]: server-wide
//! settings and, per `[[link]]`, a validated [`Profile`] (for the RA Advertiser) and the DHCPv6
//! server's [`LinkConfig`] compiled from it. Every problem is a [`Diagnostic`] with the line and
//! column of the key or value at fault: TOML syntax, unknown keys, wrong types, and the
//! profile's semantic rules ([`ProfileError`](sixconf_core::profile::ProfileError)).
//!
//! # Reference
//!
//! Times are in seconds unless the key says otherwise; `reachable_time` and `retrans_timer`
//! are in milliseconds as in RFC 4861. Lifetimes take `4294967295` for infinity.
//!
//! ```toml
//! [server]
//! lease_db = "/var/lib/sixconf/leases.sqlite" # SQLite file, created if missing (default shown)
//! durability = "fsync"            # "fsync": synchronous=FULL, a Reply only after an fsync'd
//!                                 # commit; "process": NORMAL, survives a crash of the process
//! duid = "00:01:00:01:..."        # server DUID (RFC 9915 §11) in hex; default: a DUID-UUID
//!                                 # generated once and kept in the lease database
//! max_leases = 65536              # size of the lease table (bindings held at once)
//! max_addresses_per_client = 4    # per-client caps over all IAs (RFC 9915 §23)
//! max_prefixes_per_client = 2
//! rate_limit_burst = 20           # messages a client may send in a burst
//! rate_limit_per_second = 2       # then per second on average (0: no limit)
//! decline_quarantine = 3600       # seconds a declined address stays out of the pool (§18.3.8)
//! max_declined = 1024             # addresses in quarantine at once
//! recreate_on_renew = true        # Renew/Rebind re-creates a lost binding (§18.3.4)
//!
//! [[link]]
//! interface = "eth1"              # serve this interface directly (RAs and DHCPv6). Leave out
//!                                 # for a link reached only through relay agents.
//! name = "eth1"                   # the link's name in the lease database (default: interface;
//!                                 # required without one)
//! mode = "dhcpv6-stateful"        # "slaac" | "dhcpv6-stateless" | "dhcpv6-stateful"
//! prefix = "2001:db8:cafe:1::/64" # the link's prefix (Prefix Information, RFC 4861 §4.6.2)
//! on_link = true                  # its L flag (default true)
//! autonomous = false              # its A flag (default: true except in dhcpv6-stateful)
//! pd_preferred = false            # its P flag (RFC 9762)
//! preferred_lifetime = 3600       # lifetimes of the prefix in RAs and of DHCPv6 leases
//! valid_lifetime = 7200           #   (default: prefix 14400/86400, leases 7200/7500)
//! t1 = 1800                       # DHCPv6 T1/T2 (default 0.5 / 0.8 × preferred_lifetime;
//! t2 = 2880                       #   0 lets the client choose, RFC 9915 §21.4)
//! dns_servers = ["2001:db8:cafe:a::e"]   # RDNSS (RFC 8106) and DHCPv6 DNS (RFC 3646), ≤ 4
//! domain_search = ["openstacklocal"]     # DNSSL and DHCPv6 Domain Search List
//! ntp_servers = ["2001:db8::123"]        # DHCPv6 NTP (RFC 5908), ≤ 4
//! sntp_servers = []                      # DHCPv6 SNTP (RFC 4075), ≤ 4
//! pool = "2001:db8:cafe:1::1000-2001:db8:cafe:1::ffff"   # IA_NA addresses (first-last)
//! pools = []                      # more address ranges (at most 4 in all)
//! pd_pool = { prefix = "2001:db8:8000::/40", delegated_length = 56 }  # IA_PD
//! pd_pools = []                   # more PD pools (at most 4 in all)
//! pd_preferred_lifetime = 3600    # IA_PD lifetimes and T1/T2 (default: as for addresses)
//! pd_valid_lifetime = 7200
//! pd_t1 = 1800
//! pd_t2 = 2880
//! rapid_commit = true             # answer Solicit + Rapid Commit with a Reply (§18.3.1)
//! info_refresh_time = 86400       # Information Refresh Time in stateless replies (§21.23)
//! dhcpv6_preference = 255         # Preference option in Advertise (§21.8)
//! sol_max_rt = 3600               # SOL_MAX_RT / INF_MAX_RT when requested (RFC 7083), 60..=86400
//! inf_max_rt = 3600
//! mtu = 1500                      # MTU option (RFC 4861 §4.6.4), ≥ 1280
//! pref64 = { prefix = "64:ff9b::/96", lifetime = 1800 }  # NAT64 prefix (RFC 8781)
//! captive_portal = "https://portal.example/api"           # RFC 8910
//!
//! [[link.extra_prefix]]           # more prefixes (at most 4 in all); same keys as above
//! prefix = "2001:db8:cafe:2::/64"
//! on_link = true
//! autonomous = false
//! pd_preferred = false
//! preferred_lifetime = 3600
//! valid_lifetime = 7200
//!
//! [[link.route]]                  # Route Information (RFC 4191 §2.3), at most 8
//! prefix = "2001:db8:f00::/48"
//! preference = "medium"           # "low" | "medium" | "high"
//! lifetime = 1800                 # default: the router lifetime
//!
//! [[link.reservation]]            # fixed address/prefix (at most 16 per link)
//! duid = "00:03:00:01:52:54:00:12:34:56"  # by DUID (and IAID: only that IA) ...
//! iaid = 1
//! # mac = "52:54:00:12:34:56"     # ... or by link-layer address (RFC 6939)
//! address = "2001:db8:cafe:1::10"
//! prefix = "2001:db8:8000:100::/56"
//!
//! [link.relay]                    # how relayed messages are recognised as this link
//! link_address = "2001:db8:cafe:1::1"   # the relay's link-address (default: any in `prefix`)
//! interface_id = "ge-0/0/1"             # the Interface-ID option it sends (RFC 9915 §21.18)
//!
//! [link.ra]                       # Router Advertisements (RFC 4861 §6.2.1)
//! max_interval = 600              # MaxRtrAdvInterval, 4..=1800
//! min_interval = 200              # MinRtrAdvInterval, 3..=0.75 × max (default 0.33 × max)
//! router_lifetime = 1800          # 0 (not a default router) or max..=9000 (default 3 × max)
//! preference = "medium"           # default router preference (RFC 4191 §2.2)
//! reachable_time = 0              # ms, 0 = unspecified
//! retrans_timer = 0               # ms, 0 = unspecified
//! hop_limit = 64                  # Cur Hop Limit, 0 = unspecified
//! unicast_rs_replies = false      # answer an RS with a unicast RA
//! source_link_layer = true        # include the interface's MAC (SLLA option)
//! advertise_dns = true            # RDNSS/DNSSL in RAs (default: true)
//! rdnss_lifetime = 1800           # default 3 × max_interval (RFC 8106 §5.1)
//! dnssl_lifetime = 1800
//! prefix_preferred_lifetime = 14400   # the prefix's lifetimes in RAs when they should differ
//! prefix_valid_lifetime = 86400       #   from the link's preferred/valid_lifetime
//! ```

use std::path::Path;

use sixconf_core::dhcpv6::server::{Limits, LinkConfig};
use sixconf_core::profile::{Mode, Profile};
use sixconf_core::wire::dhcpv6::DuidBuf;

mod build;
mod diag;
mod raw;

pub use diag::{line_col, Diagnostic, Diagnostics};

/// Where the lease database is when `lease_db` is not set.
pub const DEFAULT_LEASE_DB: &str = "/var/lib/sixconf/leases.sqlite";

/// Default size of the lease table ([`ServerConfig::max_leases`]).
pub const DEFAULT_MAX_LEASES: usize = 65_536;

/// How durable a committed lease is before the Reply that promises it goes out (DESIGN.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Durability {
    /// Survives a power loss: SQLite `synchronous = FULL` (an fsync per commit).
    #[default]
    Fsync,
    /// Survives a crash of the process: SQLite `synchronous = NORMAL` in WAL mode.
    Process,
}

/// The `[server]` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConfig {
    /// The lease database: a file path (SQLite).
    pub lease_db: String,
    /// How durable a commit is.
    pub durability: Durability,
    /// The configured server DUID, if any (otherwise the store generates and keeps one:
    /// [`crate::store::LeaseStore::server_duid`]).
    pub duid: Option<DuidBuf>,
    /// Server-wide limits: per-client caps, rate limit, decline quarantine (RFC 9915 §23).
    pub limits: Limits,
    /// How many bindings the lease table holds (the engine's `Slot` storage size).
    pub max_leases: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            lease_db: DEFAULT_LEASE_DB.to_string(),
            durability: Durability::Fsync,
            duid: None,
            limits: Limits::default(),
            max_leases: DEFAULT_MAX_LEASES,
        }
    }
}

/// One `[[link]]`: what the Advertiser sends and what the DHCPv6 server serves there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkSpec {
    /// The link's name, unique in the file (the interface name unless `name` is set); leases are
    /// stored under it.
    pub name: String,
    /// The interface served directly (RAs and DHCPv6 on it); `None` for a link reached only
    /// through relay agents (no RAs are sent for it).
    pub interface: Option<String>,
    /// The validated link profile, for the RA Advertiser. `router.source_link_layer` is `None`:
    /// the runtime fills in the interface's MAC when [`LinkSpec::source_link_layer`] is set.
    pub profile: Profile,
    /// The DHCPv6 server's configuration of this link, compiled from the profile plus the
    /// server-only keys (reservations, relay matching, extra pools...). `ifindex` is `None`: the
    /// runtime sets it from [`LinkSpec::interface`].
    pub server: LinkConfig,
    /// Put the interface's link-layer address in RAs (RFC 4861 §4.6.1), `[link.ra]
    /// source_link_layer`.
    pub source_link_layer: bool,
}

impl LinkSpec {
    /// Does this link run DHCPv6 at all? (`slaac` links answer no DHCPv6 message.)
    pub fn serves_dhcpv6(&self) -> bool {
        self.profile.mode != Mode::Slaac
    }
}

/// A validated configuration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The `[server]` section (defaults when absent).
    pub server: ServerConfig,
    /// The `[[link]]` sections in file order (at least one, at most
    /// [`MAX_LINKS`](sixconf_core::dhcpv6::server::config::MAX_LINKS)); the DHCPv6
    /// server's link index is the position here.
    pub links: Vec<LinkSpec>,
}

impl Config {
    /// The link names in order, for [`crate::store::LeaseStore::set_links`].
    pub fn link_names(&self) -> Vec<String> {
        self.links.iter().map(|l| l.name.clone()).collect()
    }
}

/// Why [`load`] failed.
#[derive(Debug)]
pub enum LoadError {
    /// The file could not be read.
    Io(std::io::Error),
    /// The file has problems, each located.
    Invalid(Diagnostics),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::Io(e) => write!(f, "{e}"),
            LoadError::Invalid(d) => write!(f, "{d}"),
        }
    }
}

impl std::error::Error for LoadError {}

/// Read and validate the configuration file at `path`.
pub fn load(path: &Path) -> Result<Config, LoadError> {
    let text = std::fs::read_to_string(path).map_err(LoadError::Io)?;
    parse(&text).map_err(LoadError::Invalid)
}

/// Validate configuration text. Every problem found is returned, in file order; a syntax or
/// type error stops at the first one (the TOML reader does), semantic checks report one problem
/// per key.
pub fn parse(source: &str) -> Result<Config, Diagnostics> {
    build::parse(source)
}

/// `sixconf check --config FILE`: print each problem as `FILE:LINE:COL: message` and return 2,
/// or print a short summary and return 0.
pub fn check_command(path: &Path) -> std::process::ExitCode {
    let shown = path.display();
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{shown}: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    match parse(&text) {
        Ok(config) => {
            print!("{}", summary(&shown.to_string(), &config));
            std::process::ExitCode::SUCCESS
        }
        Err(diags) => {
            for d in &diags.0 {
                eprintln!("{shown}:{d}");
            }
            std::process::ExitCode::from(2)
        }
    }
}

/// The summary `sixconf check` prints for a valid file.
pub fn summary(file: &str, config: &Config) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let n = config.links.len();
    let _ = writeln!(
        s,
        "{file}: ok, {n} link{}; leases in {} (durability {})",
        if n == 1 { "" } else { "s" },
        config.server.lease_db,
        match config.server.durability {
            Durability::Fsync => "fsync",
            Durability::Process => "process",
        }
    );
    for l in &config.links {
        let p = &l.profile;
        let prefixes: Vec<String> = p.prefixes.iter().map(|a| a.prefix.to_string()).collect();
        let _ = write!(
            s,
            "  {}: {} (M={} O={}), prefix {}",
            l.name,
            p.mode,
            u8::from(p.mode.managed()),
            u8::from(p.mode.other_config()),
            prefixes.join(", ")
        );
        for a in &l.server.address_pools {
            let _ = write!(s, ", pool {}-{}", a.first, a.last);
        }
        for d in &l.server.prefix_pools {
            let _ = write!(
                s,
                ", PD {}/{} as /{}",
                d.prefix.address, d.prefix.len, d.delegated_len
            );
        }
        if l.interface.is_none() {
            s.push_str(", relayed only");
        }
        s.push('\n');
    }
    s
}

/// Parse a hex string with optional `:`/`-`/space separators (`"00:01:00:01:..."`).
pub(crate) fn parse_hex_bytes(text: &str) -> Option<Vec<u8>> {
    let digits: String = text
        .chars()
        .filter(|c| !matches!(c, ':' | '-' | ' '))
        .collect();
    if digits.is_empty() || digits.len() % 2 != 0 {
        return None;
    }
    (0..digits.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(digits.get(i..i + 2)?, 16).ok())
        .collect()
}
