//! [`PgStore`]: leases in PostgreSQL, shared by several `sixconf serve` processes.
//!
//! `lease_db = "postgresql://user@host/db"` (or `postgresql:///db?host=/run/postgresql` for a
//! Unix socket; every form the `postgres` crate's `Config` reads).
//!
//! # The database decides
//!
//! Every server keeps its own engine table, but that table is only a cache: the `leases` table's
//! primary key `(address, prefix_len)` says who holds what. A `Bound` or `Renewed` event is a
//! *claim*, one statement for the whole run of claims of a batch:
//!
//! ```sql
//! INSERT INTO sixconf.leases AS l (...) SELECT * FROM unnest($1, ..., $8)
//! ON CONFLICT (address, prefix_len) DO UPDATE SET ...
//!     WHERE (l.duid, l.iaid, l.ia_type) = (excluded.duid, excluded.iaid, excluded.ia_type)
//!        OR l.valid_until <= $now
//! RETURNING address, prefix_len
//! ```
//!
//! A row of the same client's IA is extended (never shortened: another server may have promised
//! a later end), an expired row is taken over, and a row another client holds is left alone: the
//! claim is absent from `RETURNING` and reported as [`Refused`] with the holder's row, so the run
//! loop withholds the reply and teaches its engine that the address is taken. PostgreSQL's
//! unique index makes this atomic whatever the timing of the servers (two concurrent inserts of
//! one key: the second waits for the first transaction and then sees its row). Claims are sorted
//! by key so that two servers lock rows in the same order; a deadlock or serialization failure
//! is retried once.
//!
//! Released and Declined events delete the row only if it is still that client's; Expired
//! events only if nobody extended it past the expiry the engine saw.
//!
//! # Group commit
//!
//! One transaction per batch: `BEGIN`, one statement per run of claims or deletions (runs split
//! where the kind changes or a key repeats, so the order of events is kept), `COMMIT`.
//! `durability = "process"` sets `synchronous_commit = off` (a commit survives a crash of
//! sixconf, not one of PostgreSQL); `"fsync"` keeps PostgreSQL's default.
//!
//! # Unreachable database
//!
//! A failed connection or a broken one is retried with exponential backoff (100 ms doubling to
//! 5 s); until then every call fails at once with [`StoreError::Unavailable`] so that the run
//! loop does not wait on the network, and no reply depending on a lease leaves. Statements time
//! out after 2 s (`statement_timeout`), connections after 2 s.
//!
//! # Server DUID
//!
//! Not stored in the database: every server sharing it has its own DUID (see README.md,
//! "Several servers"). [`LeaseStore::server_duid`] returns the configured one and fails without;
//! the run loop derives one from the interface's MAC first.
//!
//! Schema (version 1, in schema `sixconf`; `schema_version` holds one row):
//!
//! ```sql
//! CREATE TABLE sixconf.schema_version (version INTEGER NOT NULL);
//! CREATE TABLE sixconf.leases (
//!     address         BYTEA    NOT NULL,  -- 16 bytes: the address or the delegated prefix
//!     prefix_len      SMALLINT NOT NULL,  -- 128 for IA_NA
//!     ia_type         TEXT     NOT NULL,  -- 'na' | 'pd'
//!     link            TEXT     NOT NULL,  -- the link's name
//!     duid            BYTEA    NOT NULL,  -- the client's DUID
//!     iaid            BIGINT   NOT NULL,
//!     preferred_until BIGINT   NOT NULL,  -- Unix ms
//!     valid_until     BIGINT   NOT NULL,  -- Unix ms
//!     PRIMARY KEY (address, prefix_len)
//! );
//! CREATE INDEX leases_duid ON sixconf.leases (duid);
//! CREATE INDEX leases_valid_until ON sixconf.leases (valid_until);
//! ```

use std::collections::HashSet;
use std::time::{Duration, Instant as StdInstant};

use postgres::error::SqlState;
use postgres::{Client, NoTls, Row, Transaction};
use sixconf_core::dhcpv6::server::{Lease, LeaseEvent, LeaseEventKind, RestoreError};
use sixconf_core::time::Instant;
use sixconf_core::wire::dhcpv6::DuidBuf;

use super::row::{decode_row, ia_type_text, ms_i64, Column};
use super::{unix_now, LeaseStore, LoadReport, Refused, StoreError, StoredLease};
use crate::config::Durability;

/// The schema version this build writes; older schemas are migrated at connection.
pub const PG_SCHEMA_VERSION: i32 = 1;

/// Migrations: `MIGRATIONS[i]` takes the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &["CREATE TABLE sixconf.leases (
         address BYTEA NOT NULL CHECK (octet_length(address) = 16),
         prefix_len SMALLINT NOT NULL CHECK (prefix_len BETWEEN 0 AND 128),
         ia_type TEXT NOT NULL CHECK (ia_type IN ('na', 'pd')),
         link TEXT NOT NULL,
         duid BYTEA NOT NULL,
         iaid BIGINT NOT NULL,
         preferred_until BIGINT NOT NULL,
         valid_until BIGINT NOT NULL,
         PRIMARY KEY (address, prefix_len)
     );
     CREATE INDEX leases_duid ON sixconf.leases (duid);
     CREATE INDEX leases_valid_until ON sixconf.leases (valid_until);"];

/// Key of the advisory lock that serialises migrations of servers starting together.
const MIGRATION_LOCK: i64 = 0x5158_636f_6e66_0001;

const COLUMNS: &str =
    "address, prefix_len, ia_type, link, duid, iaid, preferred_until, valid_until";

const CLAIM: &str = "INSERT INTO sixconf.leases AS l
    (address, prefix_len, ia_type, link, duid, iaid, preferred_until, valid_until)
    SELECT * FROM unnest($1::bytea[], $2::int2[], $3::text[], $4::text[], $5::bytea[],
                         $6::int8[], $7::int8[], $8::int8[])
    ON CONFLICT (address, prefix_len) DO UPDATE SET
        ia_type = excluded.ia_type, link = excluded.link, duid = excluded.duid,
        iaid = excluded.iaid,
        preferred_until = CASE WHEN l.valid_until <= $9 THEN excluded.preferred_until
                          ELSE greatest(l.preferred_until, excluded.preferred_until) END,
        valid_until = CASE WHEN l.valid_until <= $9 THEN excluded.valid_until
                      ELSE greatest(l.valid_until, excluded.valid_until) END
    WHERE (l.duid = excluded.duid AND l.iaid = excluded.iaid AND l.ia_type = excluded.ia_type)
       OR l.valid_until <= $9
    RETURNING address, prefix_len";

const HOLDERS: &str = "SELECT address, prefix_len, ia_type, link, duid, iaid, preferred_until,
    valid_until FROM sixconf.leases
    WHERE (address, prefix_len) IN (SELECT * FROM unnest($1::bytea[], $2::int2[]))";

/// Deletes rows still held by the event's client and not extended past `until`.
const DELETE: &str = "DELETE FROM sixconf.leases l
    USING unnest($1::bytea[], $2::int2[], $3::bytea[], $4::int8[], $5::text[], $6::int8[])
        AS d(address, prefix_len, duid, iaid, ia_type, until)
    WHERE l.address = d.address AND l.prefix_len = d.prefix_len AND l.duid = d.duid
      AND l.iaid = d.iaid AND l.ia_type = d.ia_type AND l.valid_until <= d.until";

const BACKOFF_MIN: Duration = Duration::from_millis(100);
const BACKOFF_MAX: Duration = Duration::from_secs(5);

/// Connection health, for the counters the run loop prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PgCounters {
    /// Connections made (the first one included).
    pub connects: u64,
    /// Connection attempts that failed.
    pub connect_failures: u64,
    /// Calls refused at once because the database was unreachable and the next attempt was not
    /// due.
    pub unavailable: u64,
    /// Transactions retried after a deadlock or serialization failure.
    pub retries: u64,
    /// Claims refused: another client held the address or prefix.
    pub refused: u64,
}

/// Leases in a PostgreSQL database shared by several servers. See the
/// [module documentation](self).
pub struct PgStore {
    config: postgres::Config,
    client: Option<Client>,
    durability: Durability,
    links: Vec<String>,
    backoff: Duration,
    next_attempt: Option<StdInstant>,
    last_error: String,
    counters: PgCounters,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("connected", &self.client.is_some())
            .field("links", &self.links)
            .field("counters", &self.counters)
            .finish()
    }
}

/// Is this error worth one more try of the whole transaction?
fn retryable(e: &postgres::Error) -> bool {
    matches!(
        e.code(),
        Some(c) if *c == SqlState::T_R_DEADLOCK_DETECTED || *c == SqlState::T_R_SERIALIZATION_FAILURE
    )
}

/// A row of `leases` with its link name, read without trusting any of it.
fn read_row(row: &Row) -> Option<(String, Lease)> {
    // The columns as the shared row decoder takes them (NULL where a value is missing or of
    // another type), so that both backends refuse exactly the same damaged rows.
    let blob = |i: usize| match row.try_get::<_, Option<&[u8]>>(i) {
        Ok(Some(b)) => Column::Blob(b),
        _ => Column::Null,
    };
    let text = |i: usize| match row.try_get::<_, Option<&str>>(i) {
        Ok(Some(t)) => Column::Text(t.as_bytes()),
        _ => Column::Null,
    };
    let small = match row.try_get::<_, Option<i16>>(1) {
        Ok(Some(n)) => Column::Integer(i64::from(n)),
        _ => Column::Null,
    };
    let big = |i: usize| match row.try_get::<_, Option<i64>>(i) {
        Ok(Some(n)) => Column::Integer(n),
        _ => Column::Null,
    };
    let cols = [
        blob(0),
        small,
        text(2),
        text(3),
        blob(4),
        big(5),
        big(6),
        big(7),
    ];
    let decoded = decode_row(&cols)?;
    Some((decoded.link.to_string(), decoded.lease))
}

/// Which statement an event goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Claim,
    Delete,
}

fn op_of(kind: LeaseEventKind) -> Op {
    match kind {
        LeaseEventKind::Bound | LeaseEventKind::Renewed => Op::Claim,
        LeaseEventKind::Released | LeaseEventKind::Declined | LeaseEventKind::Expired => Op::Delete,
    }
}

/// Split `events` into runs of one [`Op`] with distinct keys, in order.
fn runs(events: &[LeaseEvent]) -> Vec<(Op, Vec<&LeaseEvent>)> {
    let mut out: Vec<(Op, Vec<&LeaseEvent>)> = Vec::new();
    let mut keys: HashSet<([u8; 16], u8)> = HashSet::new();
    for e in events {
        let op = op_of(e.kind);
        let key = (e.lease.address.octets(), e.lease.prefix_len);
        let same_run = out
            .last()
            .is_some_and(|(o, _)| *o == op && !keys.contains(&key));
        if !same_run {
            out.push((op, Vec::new()));
            keys.clear();
        }
        keys.insert(key);
        if let Some((_, run)) = out.last_mut() {
            run.push(e);
        }
    }
    out
}

impl PgStore {
    /// Parse `url` and connect (migrating the schema to [`PG_SCHEMA_VERSION`]). A database
    /// that is unreachable at start is an error: the server does not start without knowing the
    /// leases.
    pub fn open(url: &str, durability: Durability) -> Result<PgStore, StoreError> {
        let mut config: postgres::Config = url.parse()?;
        config.connect_timeout(Duration::from_secs(2));
        config.application_name("sixconf");
        let mut store = PgStore {
            config,
            client: None,
            durability,
            links: Vec::new(),
            backoff: BACKOFF_MIN,
            next_attempt: None,
            last_error: String::new(),
            counters: PgCounters::default(),
        };
        store.client()?;
        Ok(store)
    }

    /// Connection health counters.
    pub fn health(&self) -> PgCounters {
        self.counters
    }

    /// `true` while a connection is open.
    pub fn is_connected(&self) -> bool {
        self.client.as_ref().is_some_and(|c| !c.is_closed())
    }

    /// The schema version of the database.
    pub fn schema_version(&mut self) -> Result<i32, StoreError> {
        let c = self.client()?;
        Ok(
            c.query_one("SELECT version FROM sixconf.schema_version", &[])?
                .try_get(0)?,
        )
    }

    /// Run `sql` (tests use it to look at the table or damage rows on purpose).
    pub fn execute(&mut self, sql: &str) -> Result<u64, StoreError> {
        let c = self.client()?;
        Ok(c.execute(sql, &[])?)
    }

    /// The open connection, connecting first when there is none and the backoff allows.
    fn client(&mut self) -> Result<&mut Client, StoreError> {
        if self.client.as_ref().is_some_and(|c| c.is_closed()) {
            self.client = None;
        }
        if self.client.is_none() {
            if let Some(at) = self.next_attempt {
                if StdInstant::now() < at {
                    self.counters.unavailable += 1;
                    return Err(StoreError::Unavailable {
                        last: self.last_error.clone(),
                    });
                }
            }
            match self.connect() {
                Ok(c) => {
                    if self.counters.connects > 0 {
                        tracing::info!("lease database reconnected");
                    }
                    self.counters.connects += 1;
                    self.backoff = BACKOFF_MIN;
                    self.next_attempt = None;
                    self.client = Some(c);
                }
                Err(e) => {
                    self.counters.connect_failures += 1;
                    tracing::warn!(
                        retry_in_ms = self.backoff.as_millis() as u64,
                        "lease database unreachable: {e}"
                    );
                    self.last_error = e.to_string();
                    self.next_attempt = Some(StdInstant::now() + self.backoff);
                    self.backoff = (self.backoff * 2).min(BACKOFF_MAX);
                    return Err(e);
                }
            }
        }
        self.client.as_mut().ok_or(StoreError::Unavailable {
            last: String::new(),
        })
    }

    fn connect(&self) -> Result<Client, StoreError> {
        let mut c = self.config.connect(NoTls)?;
        let sync = match self.durability {
            Durability::Fsync => "on",
            Durability::Process => "off",
        };
        c.batch_execute(&format!(
            "SET statement_timeout = '2s'; SET synchronous_commit = {sync}"
        ))?;
        migrate(&mut c)?;
        Ok(c)
    }

    /// After an error: drop a connection that is no longer usable so that the next call
    /// reconnects (with backoff).
    fn after_error(&mut self, e: &StoreError) {
        let broken = match e {
            StoreError::Postgres(pe) => pe.as_db_error().is_none() || pe.is_closed(),
            _ => false,
        };
        if broken || self.client.as_ref().is_some_and(|c| c.is_closed()) {
            self.client = None;
            self.last_error = e.to_string();
            self.next_attempt = Some(StdInstant::now() + self.backoff);
            self.backoff = (self.backoff * 2).min(BACKOFF_MAX);
        }
    }

    fn link_index(&self, name: &str) -> Option<u8> {
        match self.links.iter().position(|n| n == name) {
            Some(i) => u8::try_from(i).ok(),
            None => name.strip_prefix('#').and_then(|i| i.parse().ok()),
        }
    }

    fn commit_once(
        &mut self,
        events: &[LeaseEvent],
        now_ms: i64,
    ) -> Result<Vec<Refused>, StoreError> {
        let names = self.links.clone();
        let link_of = |e: &LeaseEvent| -> String {
            names
                .get(usize::from(e.lease.link))
                .cloned()
                .unwrap_or_else(|| format!("#{}", e.lease.link))
        };
        let mut refused_events: Vec<LeaseEvent> = Vec::new();
        let mut holders: Vec<(String, Lease)> = Vec::new();
        let client = self.client()?;
        let mut tx = client.transaction()?;
        for (op, mut run) in runs(events) {
            // One lock order for every server: by key.
            run.sort_by_key(|e| (e.lease.address.octets(), e.lease.prefix_len));
            let addrs: Vec<Vec<u8>> = run
                .iter()
                .map(|e| e.lease.address.octets().to_vec())
                .collect();
            let plens: Vec<i16> = run.iter().map(|e| i16::from(e.lease.prefix_len)).collect();
            let types: Vec<&str> = run.iter().map(|e| ia_type_text(e.lease.ia_type)).collect();
            let duids: Vec<&[u8]> = run.iter().map(|e| e.lease.duid.as_bytes()).collect();
            let iaids: Vec<i64> = run.iter().map(|e| i64::from(e.lease.iaid)).collect();
            match op {
                Op::Claim => {
                    let links: Vec<String> = run.iter().map(|e| link_of(e)).collect();
                    let preferred: Vec<i64> = run
                        .iter()
                        .map(|e| ms_i64(e.lease.preferred_until))
                        .collect();
                    let valid: Vec<i64> = run.iter().map(|e| ms_i64(e.lease.valid_until)).collect();
                    let rows = tx.query(
                        CLAIM,
                        &[
                            &addrs, &plens, &types, &links, &duids, &iaids, &preferred, &valid,
                            &now_ms,
                        ],
                    )?;
                    let won: HashSet<(Vec<u8>, i16)> = rows
                        .iter()
                        .filter_map(|r| Some((r.try_get(0).ok()?, r.try_get(1).ok()?)))
                        .collect();
                    let lost: Vec<&LeaseEvent> = run
                        .iter()
                        .copied()
                        .filter(|e| {
                            !won.contains(&(
                                e.lease.address.octets().to_vec(),
                                i16::from(e.lease.prefix_len),
                            ))
                        })
                        .collect();
                    if !lost.is_empty() {
                        let la: Vec<Vec<u8>> = lost
                            .iter()
                            .map(|e| e.lease.address.octets().to_vec())
                            .collect();
                        let lp: Vec<i16> =
                            lost.iter().map(|e| i16::from(e.lease.prefix_len)).collect();
                        for r in tx.query(HOLDERS, &[&la, &lp])? {
                            if let Some(h) = read_row(&r) {
                                holders.push(h);
                            }
                        }
                        refused_events.extend(lost.into_iter().copied());
                    }
                }
                Op::Delete => {
                    let until: Vec<i64> = run
                        .iter()
                        .map(|e| match e.kind {
                            LeaseEventKind::Expired => ms_i64(e.lease.valid_until),
                            _ => i64::MAX,
                        })
                        .collect();
                    tx.execute(DELETE, &[&addrs, &plens, &duids, &iaids, &types, &until])?;
                }
            }
        }
        commit(tx)?;
        let refused = refused_events
            .iter()
            .map(|e| {
                let holder = holders
                    .iter()
                    .find(|(_, h)| {
                        h.address == e.lease.address && h.prefix_len == e.lease.prefix_len
                    })
                    .map(|(name, h)| Lease {
                        link: self.link_index(name).unwrap_or(e.lease.link),
                        ..*h
                    });
                Refused { seq: e.seq, holder }
            })
            .collect();
        Ok(refused)
    }
}

fn commit(tx: Transaction<'_>) -> Result<(), StoreError> {
    tx.commit()?;
    Ok(())
}

/// Create the schema or bring it to [`PG_SCHEMA_VERSION`], under an advisory lock so that
/// servers starting together do not race.
fn migrate(c: &mut Client) -> Result<(), StoreError> {
    let mut tx = c.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
    tx.batch_execute(
        "CREATE SCHEMA IF NOT EXISTS sixconf;
         CREATE TABLE IF NOT EXISTS sixconf.schema_version (version INTEGER NOT NULL)",
    )?;
    let found: Option<i32> = tx
        .query_opt("SELECT version FROM sixconf.schema_version", &[])?
        .map(|r| r.try_get(0))
        .transpose()?;
    let mut version = match found {
        Some(v) => v,
        None => {
            tx.execute(
                "INSERT INTO sixconf.schema_version (version) VALUES (0)",
                &[],
            )?;
            0
        }
    };
    if version > PG_SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            found: i64::from(version),
        });
    }
    while version < PG_SCHEMA_VERSION {
        let step = usize::try_from(version)
            .ok()
            .and_then(|v| MIGRATIONS.get(v))
            .ok_or(StoreError::NewerSchema {
                found: i64::from(version),
            })?;
        tx.batch_execute(step)?;
        version += 1;
    }
    tx.execute(
        "UPDATE sixconf.schema_version SET version = $1",
        &[&version],
    )?;
    tx.commit()?;
    Ok(())
}

impl LeaseStore for PgStore {
    fn set_links(&mut self, names: &[String]) {
        self.links = names.to_vec();
    }

    fn commit(&mut self, events: &[LeaseEvent]) -> Result<Vec<Refused>, StoreError> {
        if events.is_empty() {
            return Ok(Vec::new());
        }
        let now_ms = ms_i64(unix_now());
        let mut tries = 0;
        loop {
            match self.commit_once(events, now_ms) {
                Ok(refused) => {
                    self.counters.refused += refused.len() as u64;
                    return Ok(refused);
                }
                Err(StoreError::Postgres(e)) if retryable(&e) && tries == 0 => {
                    tries += 1;
                    self.counters.retries += 1;
                }
                Err(e) => {
                    self.after_error(&e);
                    return Err(e);
                }
            }
        }
    }

    fn is_shared(&self) -> bool {
        true
    }

    fn counters(&self) -> Vec<(&'static str, u64)> {
        let c = self.counters;
        vec![
            ("connected", u64::from(self.is_connected())),
            ("connects", c.connects),
            ("connect_failures", c.connect_failures),
            ("unavailable", c.unavailable),
            ("retries", c.retries),
            ("refused", c.refused),
        ]
    }

    fn client_leases(&mut self, duid: &[u8], now: Instant) -> Result<Vec<Lease>, StoreError> {
        let sql =
            format!("SELECT {COLUMNS} FROM sixconf.leases WHERE duid = $1 AND valid_until > $2");
        let now_ms = ms_i64(now);
        let result = self
            .client()
            .and_then(|c| Ok(c.query(sql.as_str(), &[&duid, &now_ms])?));
        let rows = match result {
            Ok(r) => r,
            Err(e) => {
                self.after_error(&e);
                return Err(e);
            }
        };
        Ok(rows
            .iter()
            .filter_map(read_row)
            .filter_map(|(name, l)| {
                Some(Lease {
                    link: self.link_index(&name)?,
                    ..l
                })
            })
            .collect())
    }

    fn load(
        &mut self,
        now: Instant,
        restore: &mut dyn FnMut(&Lease) -> Result<(), RestoreError>,
    ) -> Result<LoadReport, StoreError> {
        let mut report = LoadReport::default();
        let now_ms = ms_i64(now);
        let links = self.links.clone();
        let c = self.client()?;
        report.expired = c.execute(
            "DELETE FROM sixconf.leases WHERE valid_until <= $1",
            &[&now_ms],
        )?;
        let sql = format!("SELECT {COLUMNS} FROM sixconf.leases");
        let rows = c.query(sql.as_str(), &[])?;
        for row in &rows {
            let Some((name, lease)) = read_row(row) else {
                report.skipped_bad_rows += 1;
                continue;
            };
            let index = match links.iter().position(|n| *n == name) {
                Some(i) => u8::try_from(i).ok(),
                None => name.strip_prefix('#').and_then(|i| i.parse().ok()),
            };
            let Some(link) = index else {
                report.refused += 1;
                continue;
            };
            match restore(&Lease { link, ..lease }) {
                Ok(()) => report.restored += 1,
                Err(RestoreError::Expired) => report.expired += 1,
                Err(_) => report.refused += 1,
            }
        }
        Ok(report)
    }

    fn server_duid(&mut self, configured: Option<&DuidBuf>) -> Result<DuidBuf, StoreError> {
        configured.copied().ok_or_else(|| {
            StoreError::Config(
                "servers sharing a PostgreSQL lease database each need their own DUID: \
                 set [server] duid, or serve an interface with a MAC address (a DUID-LL is \
                 derived from it)"
                    .into(),
            )
        })
    }

    fn leases(&mut self) -> Result<Vec<StoredLease>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM sixconf.leases ORDER BY link, ia_type, address, prefix_len"
        );
        let rows = self.client()?.query(sql.as_str(), &[])?;
        Ok(rows
            .iter()
            .filter_map(read_row)
            .map(|(link, l)| StoredLease {
                link,
                ia_type: l.ia_type,
                duid: l.duid.as_bytes().to_vec(),
                iaid: l.iaid,
                address: l.address,
                prefix_len: l.prefix_len,
                preferred_until_ms: l.preferred_until.total_millis(),
                valid_until_ms: l.valid_until.total_millis(),
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sixconf_core::dhcpv6::server::IaType;

    fn ev(seq: u64, kind: LeaseEventKind, addr: &str) -> LeaseEvent {
        LeaseEvent {
            seq,
            kind,
            lease: Lease {
                link: 0,
                ia_type: IaType::Na,
                duid: DuidBuf::from_bytes(&[0, 3, 0, 1, 2, 0, 0, 0, 0, 1]).unwrap(),
                iaid: 1,
                address: addr.parse().unwrap(),
                prefix_len: 128,
                preferred_until: Instant::from_millis(1),
                valid_until: Instant::from_millis(2),
            },
        }
    }

    #[test]
    fn runs_keep_order_and_never_repeat_a_key() {
        use LeaseEventKind::*;
        let events = [
            ev(0, Bound, "2001:db8::1"),
            ev(1, Renewed, "2001:db8::2"),
            ev(2, Released, "2001:db8::2"),
            ev(3, Expired, "2001:db8::3"),
            ev(4, Bound, "2001:db8::3"),
            ev(5, Bound, "2001:db8::4"),
            ev(6, Renewed, "2001:db8::4"),
        ];
        let got: Vec<(Op, Vec<u64>)> = runs(&events)
            .into_iter()
            .map(|(op, r)| (op, r.iter().map(|e| e.seq).collect()))
            .collect();
        assert_eq!(
            got,
            vec![
                (Op::Claim, vec![0, 1]),
                (Op::Delete, vec![2, 3]),
                (Op::Claim, vec![4, 5]),
                (Op::Claim, vec![6]),
            ]
        );
        assert!(runs(&[]).is_empty());
    }
}
