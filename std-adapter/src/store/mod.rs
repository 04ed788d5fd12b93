//! The lease store: every lease change the DHCPv6 server engine reports is persisted here before
//! the reply that depends on it is sent (DESIGN.md, "Leases"; RFC 9915 §18.3 says nothing about
//! storage, but a Reply promises the lease to the client).
//!
//! [`LeaseStore`] is the interface the run loop uses; [`SqliteStore`] is the embedded
//! implementation, [`PgStore`] the one several servers share (PostgreSQL: the database decides
//! who holds an address, see [`postgres`](mod@self::postgres)).
//!
//! # Group commit
//!
//! The run loop handles a batch of datagrams, drains [`Server::poll_event`] into a `Vec`, calls
//! [`LeaseStore::commit`] once for the whole batch (one transaction), and only then sends the
//! replies whose [`Transmit::commit_through`](sixconf_core::dhcpv6::server::Transmit) is covered.
//!
//! # Time
//!
//! A [`Lease`] carries absolute [`Instant`]s. The store writes their milliseconds as they are and
//! [`LeaseStore::load`] compares them with the `now` it is given, so the server's clock must be
//! one that survives a restart: Unix time in milliseconds, as [`unix_now`] returns.
//!
//! # Links
//!
//! Leases are stored under the link's *name* ([`crate::config::LinkSpec::name`]), not under the
//! engine's link index, so reordering `[[link]]` sections does not move leases between links.
//! [`LeaseStore::set_links`] gives the index → name mapping (the order of
//! [`crate::config::Config::links`]).

use std::fmt;
use std::net::Ipv6Addr;

use sixconf_core::dhcpv6::server::{IaType, Lease, LeaseEvent, RestoreError, Server, Slot};
use sixconf_core::time::Instant;
use sixconf_core::wire::dhcpv6::DuidBuf;

use crate::config::ServerConfig;

pub mod postgres;
pub mod row;
pub mod sqlite;

pub use self::postgres::PgStore;
pub use sqlite::{SqliteStore, SCHEMA_VERSION};

/// Why the store failed. The run loop logs it and does not send the replies of the batch.
#[derive(Debug)]
pub enum StoreError {
    /// The database reported an error.
    Sqlite(rusqlite::Error),
    /// The database was written by a newer sixconf (its schema version is above
    /// [`SCHEMA_VERSION`]).
    NewerSchema {
        /// The version found.
        found: i64,
    },
    /// Reading the operating system's randomness for a new server DUID failed.
    Io(std::io::Error),
    /// The `lease_db` setting names a backend this build does not have.
    UnsupportedBackend(String),
    /// PostgreSQL reported an error (or the connection broke).
    Postgres(::postgres::Error),
    /// The database is unreachable and the next connection attempt is not due yet (backoff).
    Unavailable {
        /// The last connection error.
        last: String,
    },
    /// The store cannot work with the configuration (e.g. a shared store without a server
    /// DUID).
    Config(String),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Sqlite(e) => write!(f, "lease database: {e}"),
            StoreError::NewerSchema { found } => write!(
                f,
                "lease database has schema version {found}; this sixconf knows up to {SCHEMA_VERSION}"
            ),
            StoreError::Io(e) => write!(f, "lease database: {e}"),
            StoreError::UnsupportedBackend(s) => {
                write!(f, "lease database {s:?}: unsupported backend")
            }
            StoreError::Postgres(e) => write!(f, "lease database (PostgreSQL): {e}"),
            StoreError::Unavailable { last } => {
                write!(f, "lease database unreachable (retrying with backoff): {last}")
            }
            StoreError::Config(s) => write!(f, "lease database: {s}"),
        }
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StoreError::Sqlite(e) => Some(e),
            StoreError::Io(e) => Some(e),
            StoreError::Postgres(e) => Some(e),
            _ => None,
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Sqlite(e)
    }
}

impl From<::postgres::Error> for StoreError {
    fn from(e: ::postgres::Error) -> Self {
        StoreError::Postgres(e)
    }
}

/// A lease event a shared store refused: its address or prefix is held by another client (of
/// another server) whose lease has not ended. The reply that depends on it must not be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    /// The event's sequence number ([`LeaseEvent::seq`]).
    pub seq: u64,
    /// The holder's lease as stored, its link mapped to this server's index (the refused
    /// event's link when the name is unknown here); `None` if the row could not be read.
    pub holder: Option<Lease>,
}

/// What [`LeaseStore::load`] did at start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LoadReport {
    /// Leases handed to the engine and accepted by it.
    pub restored: u64,
    /// Leases whose valid lifetime had ended; they are deleted from the store.
    pub expired: u64,
    /// Rows that could not be read (wrong type, bad length, bad DUID...): skipped, left in the
    /// store untouched, counted. Never a reason to refuse to start.
    pub skipped_bad_rows: u64,
    /// Readable, unexpired leases the engine refused ([`RestoreError`]: their link is no longer
    /// configured, their address left the pools, a conflict, a full table). They stay in the
    /// store and expire there.
    pub refused: u64,
}

/// One stored lease as `sixconf leases` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredLease {
    /// The link's name ([`crate::config::LinkSpec::name`]).
    pub link: String,
    /// IA_NA or IA_PD.
    pub ia_type: IaType,
    /// The client's DUID (RFC 9915 §11).
    pub duid: Vec<u8>,
    /// The IAID (RFC 9915 §12).
    pub iaid: u32,
    /// The address (IA_NA) or the delegated prefix (IA_PD).
    pub address: Ipv6Addr,
    /// 128 for an address, the delegated length for a prefix.
    pub prefix_len: u8,
    /// End of the preferred lifetime, Unix time in milliseconds.
    pub preferred_until_ms: u64,
    /// End of the valid lifetime (expiry), Unix time in milliseconds.
    pub valid_until_ms: u64,
}

/// Where leases are kept. Object safe: the run loop's store thread holds the
/// `Box<dyn LeaseStore + Send>` [`open`] returns.
pub trait LeaseStore {
    /// Map the engine's link indexes to names: `names[i]` is the name of link `i` (the order of
    /// [`crate::config::Config::links`]). Call it after opening and after every reload, before
    /// [`commit`](Self::commit) or [`load`](Self::load).
    fn set_links(&mut self, names: &[String]);

    /// Persist a batch of lease events in one transaction, in order: `Bound`/`Renewed` write
    /// the lease, `Released`/`Declined`/`Expired` delete it. When this returns `Ok`, the events
    /// are durable to the configured [`crate::config::Durability`] except the [`Refused`] ones
    /// it lists (a shared store refuses a `Bound`/`Renewed` whose address another client
    /// holds; a private store never refuses); on `Err` none of them is.
    fn commit(&mut self, events: &[LeaseEvent]) -> Result<Vec<Refused>, StoreError>;

    /// `true` when other servers write to the same store ([`PgStore`]): the engine's table is
    /// then only a cache, and the run loop looks unknown clients up with
    /// [`client_leases`](Self::client_leases).
    fn is_shared(&self) -> bool {
        false
    }

    /// The store's own counters as `(name, value)` (connection health of a database server);
    /// the run loop prints them as `store.<name> <value>`.
    fn counters(&self) -> Vec<(&'static str, u64)> {
        Vec::new()
    }

    /// The unexpired leases of the client with DUID `duid`, links mapped to indexes (leases on
    /// links unknown here are left out). A private store returns none: the engine's table
    /// already holds everything.
    fn client_leases(&mut self, duid: &[u8], now: Instant) -> Result<Vec<Lease>, StoreError> {
        let _ = (duid, now);
        Ok(Vec::new())
    }

    /// Read every lease whose valid lifetime ends after `now` and hand it to `restore` (normally
    /// [`Server::restore`]; [`load_into`] does exactly that). Expired leases are deleted; rows
    /// that cannot be read are skipped and counted.
    fn load(
        &mut self,
        now: Instant,
        restore: &mut dyn FnMut(&Lease) -> Result<(), RestoreError>,
    ) -> Result<LoadReport, StoreError>;

    /// The server DUID (RFC 9915 §11): `configured` when given; otherwise the one stored in the
    /// database, generated (DUID-UUID, RFC 6355, from the OS's randomness) and stored the first
    /// time, so the server keeps its identity across restarts.
    fn server_duid(&mut self, configured: Option<&DuidBuf>) -> Result<DuidBuf, StoreError>;

    /// Every stored lease, expired ones included, ordered by link, type and address (for
    /// `sixconf leases`). Unreadable rows are left out.
    fn leases(&mut self) -> Result<Vec<StoredLease>, StoreError>;
}

/// `true` if `lease_db` names a PostgreSQL database (`postgresql://…` or `postgres://…`).
pub fn is_postgres_url(lease_db: &str) -> bool {
    lease_db.starts_with("postgres://") || lease_db.starts_with("postgresql://")
}

/// Open the store `server.lease_db` names (a `postgresql://` URL: [`PgStore`]; otherwise a file
/// path: SQLite, created if missing) with the configured durability, and give it the link names
/// of `link_names`.
pub fn open(
    server: &ServerConfig,
    link_names: &[String],
) -> Result<Box<dyn LeaseStore + Send>, StoreError> {
    let db = server.lease_db.as_str();
    if is_postgres_url(db) {
        let mut store = PgStore::open(db, server.durability)?;
        store.set_links(link_names);
        return Ok(Box::new(store));
    }
    let mut store = SqliteStore::open(std::path::Path::new(db), server.durability)?;
    store.set_links(link_names);
    Ok(Box::new(store))
}

/// Load every unexpired lease of `store` into `server`, as [`Server::restore`] would one by
/// one, but through [`Server::restore_batch`]: the store's leases are gathered in groups (the
/// closure returns `Ok` for a lease it keeps for later) and each group is restored at once,
/// which overlaps the table's cache misses. The engine's verdicts are counted here, and the
/// report's `restored`, `expired` and `refused` are corrected with them before it is returned.
pub fn load_into<
    S: AsMut<[Slot<D>]> + AsRef<[Slot<D>]>,
    const LINKS: usize,
    const EVENTS: usize,
    const RATE: usize,
    const D: usize,
>(
    store: &mut dyn LeaseStore,
    now: Instant,
    server: &mut Server<S, LINKS, EVENTS, RATE, D>,
) -> Result<LoadReport, StoreError> {
    load_lazy(store, now, &mut Some(server), &mut None::<fn() -> _>)
}

/// [`load_into`] a server that `make` builds once the store has started reading: building a
/// large table (allocating and clearing its storage) then overlaps the store's first reads
/// and decoding instead of coming before them. Returns the server and the report; the server
/// is built even when the store holds no lease.
pub fn load_building<
    S: AsMut<[Slot<D>]> + AsRef<[Slot<D>]>,
    const LINKS: usize,
    const EVENTS: usize,
    const RATE: usize,
    const D: usize,
>(
    store: &mut dyn LeaseStore,
    now: Instant,
    make: impl FnOnce() -> Server<S, LINKS, EVENTS, RATE, D>,
) -> Result<(Server<S, LINKS, EVENTS, RATE, D>, LoadReport), StoreError> {
    let mut server = None;
    let mut make = Some(make);
    let report = load_lazy(store, now, &mut server, &mut make)?;
    let server = server
        .or_else(|| make.map(|m| m()))
        .ok_or_else(|| StoreError::Io(std::io::Error::other("load_building: no server built")))?;
    Ok((server, report))
}

fn load_lazy<
    S: AsMut<[Slot<D>]> + AsRef<[Slot<D>]>,
    const LINKS: usize,
    const EVENTS: usize,
    const RATE: usize,
    const D: usize,
    B: std::borrow::BorrowMut<Server<S, LINKS, EVENTS, RATE, D>>,
    F: FnOnce() -> B,
>(
    store: &mut dyn LeaseStore,
    now: Instant,
    server: &mut Option<B>,
    make: &mut Option<F>,
) -> Result<LoadReport, StoreError> {
    const GROUP: usize = 256;
    #[derive(Default)]
    struct Tally {
        handed: u64,
        restored: u64,
        expired: u64,
        refused: u64,
    }
    impl Tally {
        fn count(&mut self, r: Result<(), RestoreError>) {
            match r {
                Ok(()) => self.restored += 1,
                Err(RestoreError::Expired) => self.expired += 1,
                Err(_) => self.refused += 1,
            }
        }
    }
    /// The server, built by `make` the first time it is needed.
    fn built<'s, B, F: FnOnce() -> B>(
        server: &'s mut Option<B>,
        make: &mut Option<F>,
    ) -> Option<&'s mut B> {
        if server.is_none() {
            build(server, make);
        }
        server.as_mut()
    }
    /// Out of line: a server is large, and its stack frame (probed page by page) must not be
    /// paid on every lease handed over.
    #[cold]
    #[inline(never)]
    fn build<B, F: FnOnce() -> B>(server: &mut Option<B>, make: &mut Option<F>) {
        *server = make.take().map(|m| m());
    }
    let mut tally = Tally::default();
    let mut group: Vec<Lease> = Vec::with_capacity(GROUP);
    let mut report = store.load(now, &mut |lease| {
        group.push(*lease);
        tally.handed += 1;
        if group.len() == GROUP {
            if let Some(s) = built(server, make) {
                s.borrow_mut()
                    .restore_batch(now, &group, |_, r| tally.count(r));
            }
            group.clear();
        }
        Ok(())
    })?;
    if let Some(s) = built(server, make) {
        s.borrow_mut()
            .restore_batch(now, &group, |_, r| tally.count(r));
    }
    // The store counted every lease it handed over as restored.
    report.restored = report.restored.saturating_sub(tally.handed) + tally.restored;
    report.expired += tally.expired;
    report.refused += tally.refused;
    Ok(report)
}

/// The current wall-clock time as an [`Instant`] of Unix milliseconds: the clock persisted
/// leases are measured with.
pub fn unix_now() -> Instant {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    Instant::from_millis(u64::try_from(ms).unwrap_or(u64::MAX))
}

/// `sixconf leases --db FILE|URL [--json]`: list the stored leases, one per line (or one JSON object
/// per line with `json`), and return 0; 2 with a message when the database cannot be read.
pub fn leases_command(db: &std::path::Path, json: bool) -> std::process::ExitCode {
    use std::io::Write;
    let url = db.to_str().filter(|s| is_postgres_url(s));
    if url.is_none() && !db.exists() {
        eprintln!("{}: no such lease database", db.display());
        return std::process::ExitCode::from(2);
    }
    let leases = match url {
        Some(url) => {
            PgStore::open(url, crate::config::Durability::Fsync).and_then(|mut s| s.leases())
        }
        None => SqliteStore::open_read_only(db).and_then(|mut s| s.leases()),
    };
    let leases = match leases {
        Ok(l) => l,
        Err(e) => {
            eprintln!("{}: {e}", db.display());
            return std::process::ExitCode::from(2);
        }
    };
    let now_ms = unix_now().total_millis();
    let mut out = std::io::stdout().lock();
    let written = if json {
        leases
            .iter()
            .try_for_each(|l| writeln!(out, "{}", lease_json(l, now_ms)))
    } else {
        render_table(&leases, now_ms)
            .lines()
            .try_for_each(|line| writeln!(out, "{line}"))
    };
    match written {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(_) => std::process::ExitCode::from(2),
    }
}

/// The DUID as lowercase hex with `:` between bytes (the form `duid =` accepts).
pub fn duid_hex(duid: &[u8]) -> String {
    duid.iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// `2026-11-27T21:25:00Z` for Unix milliseconds (UTC, proleptic Gregorian).
pub fn format_utc(ms: u64) -> String {
    let secs = ms / 1000;
    let days = secs / 86_400;
    let rem = secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn ia_type_name(t: IaType) -> &'static str {
    match t {
        IaType::Na => "NA",
        IaType::Pd => "PD",
    }
}

fn lease_target(l: &StoredLease) -> String {
    match l.ia_type {
        IaType::Na => l.address.to_string(),
        IaType::Pd => format!("{}/{}", l.address, l.prefix_len),
    }
}

/// Seconds left until `until_ms` (0 once past).
fn remaining(until_ms: u64, now_ms: u64) -> u64 {
    until_ms.saturating_sub(now_ms) / 1000
}

/// One lease as a JSON object: `link`, `duid` (hex), `iaid`, `type` ("NA"/"PD"), `address`,
/// `prefix_len`, `preferred_until` / `valid_until` (RFC 3339 UTC), `preferred_lifetime` /
/// `valid_lifetime` (seconds left now), `expired`.
pub fn lease_json(l: &StoredLease, now_ms: u64) -> serde_json::Value {
    serde_json::json!({
        "link": l.link,
        "duid": duid_hex(&l.duid),
        "iaid": l.iaid,
        "type": ia_type_name(l.ia_type),
        "address": l.address.to_string(),
        "prefix_len": l.prefix_len,
        "preferred_until": format_utc(l.preferred_until_ms),
        "valid_until": format_utc(l.valid_until_ms),
        "preferred_lifetime": remaining(l.preferred_until_ms, now_ms),
        "valid_lifetime": remaining(l.valid_until_ms, now_ms),
        "expired": l.valid_until_ms <= now_ms,
    })
}

/// The text table `sixconf leases` prints: a header, then one lease per line.
pub fn render_table(leases: &[StoredLease], now_ms: u64) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{:<10} {:<4} {:<10} {:<42} {:>9} {:>9}  {:<20}  DUID",
        "LINK", "TYPE", "IAID", "ADDRESS/PREFIX", "PREFERRED", "VALID", "EXPIRES"
    );
    for l in leases {
        let expires = if l.valid_until_ms <= now_ms {
            format!("{} (expired)", format_utc(l.valid_until_ms))
        } else {
            format_utc(l.valid_until_ms)
        };
        let _ = writeln!(
            s,
            "{:<10} {:<4} {:<10} {:<42} {:>9} {:>9}  {:<20}  {}",
            l.link,
            ia_type_name(l.ia_type),
            l.iaid,
            lease_target(l),
            remaining(l.preferred_until_ms, now_ms),
            remaining(l.valid_until_ms, now_ms),
            expires,
            duid_hex(&l.duid)
        );
    }
    let _ = writeln!(s, "{} lease(s)", leases.len());
    s
}
