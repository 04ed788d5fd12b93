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
//! `examples/reference.toml`, which `sixconf check` accepts (a test makes sure) and which
//! documents every key:
//!
//! ```toml
#![doc = include_str!("../../../examples/reference.toml")]
//! ```

use std::path::Path;

use sixconf_core::dhcpv6::server::config::MAX_LINKS;
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
    /// `prefix = "delegated:IF"`: the link's prefix is a sub-prefix of the delegation received
    /// on another interface. The profile and server config then hold the template prefix
    /// ([`Delegation::template`]) and pools inside it; the runtime fills in the delegated bits.
    pub delegated: Option<Delegation>,
}

/// Where a link's prefix comes from when it is taken from a delegation (a CE router's LAN,
/// RFC 7084 §4.3 L-2, RFC 9096).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delegation {
    /// The interface the DHCPv6 prefix delegation is requested on (the WAN).
    pub wan: String,
    /// Which sub-prefix of the delegation: `subnet_index`.
    pub subnet_index: u32,
    /// Its length: `subnet_length` (default 64).
    pub subnet_length: u8,
}

impl Delegation {
    /// The template prefix: `subnet_index` in the bits just above `subnet_length`, everything
    /// above zero. The delegated prefix's bits are ORed in at run time
    /// ([`Delegation::subnet_of`]), and pools written as interface identifiers (`::1000-::1fff`)
    /// are ORed with the template.
    pub fn template(&self) -> sixconf_core::profile::Prefix {
        let bits = u128::from(self.subnet_index)
            .checked_shl(128 - u32::from(self.subnet_length))
            .unwrap_or(0);
        sixconf_core::profile::Prefix::new(std::net::Ipv6Addr::from(bits), self.subnet_length)
    }

    /// The sub-prefix of `delegated`/`delegated_len` this link uses, or `None` when
    /// `subnet_index` does not fit between the two lengths (e.g. index 256 of a /56 in /64s).
    pub fn subnet_of(
        &self,
        delegated: std::net::Ipv6Addr,
        delegated_len: u8,
    ) -> Option<sixconf_core::profile::Prefix> {
        if delegated_len > self.subnet_length {
            return None;
        }
        let room = u32::from(self.subnet_length - delegated_len);
        if room < 32 && u64::from(self.subnet_index) >= 1u64 << room {
            return None;
        }
        let mask = u128::MAX
            .checked_shl(128 - u32::from(delegated_len))
            .unwrap_or(0);
        let base = u128::from(delegated) & mask;
        let t = u128::from(self.template().addr);
        Some(sixconf_core::profile::Prefix::new(
            std::net::Ipv6Addr::from(base | t),
            self.subnet_length,
        ))
    }
}

impl LinkSpec {
    /// Does this link run a DHCPv6 server? Every `dhcpv6-*` link does (Information-request at
    /// least); a `slaac` link only when it has an address or prefix pool (e.g. prefix
    /// delegation beside SLAAC, with the P flag of RFC 9762).
    pub fn serves_dhcpv6(&self) -> bool {
        self.profile.mode != Mode::Slaac
            || !self.server.address_pools.is_empty()
            || !self.server.prefix_pools.is_empty()
    }
}

/// A validated configuration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The `[server]` section (defaults when absent).
    pub server: ServerConfig,
    /// The `[[link]]` sections in file order (at least one, at most
    /// [`MAX_LINKS`]); the DHCPv6
    /// server's link index is the position here.
    pub links: Vec<LinkSpec>,
}

impl Config {
    /// The link names in order, for [`crate::store::LeaseStore::set_links`].
    pub fn link_names(&self) -> Vec<String> {
        self.links.iter().map(|l| l.name.clone()).collect()
    }

    /// The DHCPv6 server's links for `Server::new`, one per `[[link]]` in file order (so the
    /// engine's link index is the position in [`Config::links`], as the lease store expects),
    /// with `ifindex` set from `ifindex_of(interface)`. A link that serves no DHCPv6
    /// ([`LinkSpec::serves_dhcpv6`]) keeps `ifindex = None` and so is never selected for a
    /// direct message. Fails with the name of an interface `ifindex_of` does not know.
    pub fn server_links(
        &self,
        mut ifindex_of: impl FnMut(&str) -> Option<u32>,
    ) -> Result<heapless::Vec<LinkConfig, { MAX_LINKS }>, String> {
        let mut out = heapless::Vec::new();
        for l in &self.links {
            let mut s = l.server.clone();
            if let Some(ifname) = &l.interface {
                let index = ifindex_of(ifname).ok_or_else(|| ifname.clone())?;
                if l.serves_dhcpv6() {
                    s.ifindex = Some(index);
                }
            }
            // `parse` accepts at most MAX_LINKS links.
            out.push(s).map_err(|_| l.name.clone())?;
        }
        Ok(out)
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
        let mut prefixes: Vec<String> = p.prefixes.iter().map(|a| a.prefix.to_string()).collect();
        if let (Some(d), Some(first)) = (&l.delegated, prefixes.first_mut()) {
            *first = format!(
                "/{} number {} of the delegation on {}",
                d.subnet_length, d.subnet_index, d.wan
            );
        }
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
    if digits.is_empty() || !digits.len().is_multiple_of(2) {
        return None;
    }
    (0..digits.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(digits.get(i..i + 2)?, 16).ok())
        .collect()
}
