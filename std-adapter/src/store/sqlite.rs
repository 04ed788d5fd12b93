//! [`SqliteStore`]: leases in an SQLite database (rusqlite, bundled SQLite).
//!
//! WAL journal; `durability = "fsync"` sets `synchronous = FULL` (a committed batch survives a
//! power loss), `"process"` sets `NORMAL` (it survives a crash of the process; the last
//! transactions may be lost on power loss). The schema carries a version number and is migrated
//! at open.
//!
//! A declined address's row is deleted like a released one: the engine's decline quarantine
//! (RFC 9915 §18.3.8) lives in memory only, so after a restart a declined address can be offered
//! again before its quarantine would have ended.
//!
//! [`LeaseStore::load`] reads rows on a helper thread while the calling thread hands them to the
//! engine (both take about the same time for large tables); nothing else uses a thread.
//!
//! Schema (version 2; version 1 also had an index on `valid_until`):
//!
//! ```sql
//! CREATE TABLE schema_version (version INTEGER NOT NULL);
//! CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);   -- 'server_duid'
//! CREATE TABLE leases (
//!     address         BLOB    NOT NULL,  -- 16 bytes: the address or the delegated prefix
//!     prefix_len      INTEGER NOT NULL,  -- 128 for IA_NA
//!     ia_type         TEXT    NOT NULL,  -- 'na' | 'pd'
//!     link            TEXT    NOT NULL,  -- the link's name
//!     duid            BLOB    NOT NULL,  -- the client's DUID
//!     iaid            INTEGER NOT NULL,
//!     preferred_until INTEGER NOT NULL,  -- Unix ms
//!     valid_until     INTEGER NOT NULL,  -- Unix ms
//!     PRIMARY KEY (address, prefix_len)
//! ) WITHOUT ROWID;
//! ```

use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension};
use sixconf_core::dhcpv6::server::{Lease, LeaseEvent, LeaseEventKind, RestoreError};
use sixconf_core::time::Instant;
use sixconf_core::wire::dhcpv6::DuidBuf;

use super::row::{decode_row, ia_type_text, ms_i64, Column, RowLoader, COLUMNS};
use super::{LeaseStore, LoadReport, Refused, StoreError, StoredLease};
use crate::config::Durability;

/// The schema version this build writes; older databases are migrated at open.
pub const SCHEMA_VERSION: i64 = 2;

/// Migrations: `MIGRATIONS[i]` takes the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
     CREATE TABLE leases (
         address BLOB NOT NULL,
         prefix_len INTEGER NOT NULL,
         ia_type TEXT NOT NULL,
         link TEXT NOT NULL,
         duid BLOB NOT NULL,
         iaid INTEGER NOT NULL,
         preferred_until INTEGER NOT NULL,
         valid_until INTEGER NOT NULL,
         PRIMARY KEY (address, prefix_len)
     ) WITHOUT ROWID;
     CREATE INDEX leases_valid_until ON leases (valid_until);",
    // Version 2: no index on valid_until. Its only reader was the deletion of expired rows at
    // start, which the full scan at start now does; every commit paid for keeping it.
    "DROP INDEX IF EXISTS leases_valid_until;",
];

const UPSERT: &str = "INSERT INTO leases
    (address, prefix_len, ia_type, link, duid, iaid, preferred_until, valid_until)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
    ON CONFLICT (address, prefix_len) DO UPDATE SET
        ia_type = excluded.ia_type, link = excluded.link, duid = excluded.duid,
        iaid = excluded.iaid, preferred_until = excluded.preferred_until,
        valid_until = excluded.valid_until";
const DELETE: &str = "DELETE FROM leases WHERE address = ?1 AND prefix_len = ?2";

/// Leases in an SQLite database file. See the [module documentation](self).
#[derive(Debug)]
pub struct SqliteStore {
    conn: Connection,
    links: Vec<String>,
}

impl SqliteStore {
    /// Open (creating if missing) the database at `path`: WAL, `synchronous` from
    /// `durability`, schema migrated to [`SCHEMA_VERSION`].
    pub fn open(path: &Path, durability: Durability) -> Result<SqliteStore, StoreError> {
        let conn = Connection::open(path)?;
        Self::with_connection(conn, durability)
    }

    /// A private in-memory database (nothing is persisted): for tests and the fuzz targets.
    pub fn open_in_memory() -> Result<SqliteStore, StoreError> {
        Self::with_connection(Connection::open_in_memory()?, Durability::Process)
    }

    /// Open an existing database for reading only (as `sixconf leases` does while the server
    /// runs): no migration, no pragma changes.
    pub fn open_read_only(path: &Path) -> Result<SqliteStore, StoreError> {
        let conn = Connection::open_with_flags(
            path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        Ok(SqliteStore {
            conn,
            links: Vec::new(),
        })
    }

    fn with_connection(
        conn: Connection,
        durability: Durability,
    ) -> Result<SqliteStore, StoreError> {
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        let sync = match durability {
            Durability::Fsync => "FULL",
            Durability::Process => "NORMAL",
        };
        conn.pragma_update(None, "synchronous", sync)?;
        let mut store = SqliteStore {
            conn,
            links: Vec::new(),
        };
        store.migrate()?;
        Ok(store)
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT version FROM schema_version", [], |r| r.get(0))?)
    }

    /// The `synchronous` setting in force (2 = FULL, 1 = NORMAL), for tests and logs.
    pub fn synchronous(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("PRAGMA synchronous", [], |r| r.get(0))?)
    }

    /// The underlying connection (tests use it to damage rows on purpose).
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        tx.execute_batch("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")?;
        let found: Option<i64> = tx
            .query_row("SELECT version FROM schema_version", [], |r| r.get(0))
            .optional()?;
        let mut version = match found {
            Some(v) => v,
            None => {
                tx.execute("INSERT INTO schema_version (version) VALUES (0)", [])?;
                0
            }
        };
        if version > SCHEMA_VERSION {
            return Err(StoreError::NewerSchema { found: version });
        }
        while version < SCHEMA_VERSION {
            let step = usize::try_from(version)
                .ok()
                .and_then(|v| MIGRATIONS.get(v))
                .ok_or(StoreError::NewerSchema { found: version })?;
            tx.execute_batch(step)?;
            version += 1;
        }
        tx.execute("UPDATE schema_version SET version = ?1", [version])?;
        tx.commit()?;
        Ok(())
    }

    fn link_name(&self, index: u8) -> std::borrow::Cow<'_, str> {
        match self.links.get(usize::from(index)) {
            Some(name) => std::borrow::Cow::Borrowed(name.as_str()),
            None => std::borrow::Cow::Owned(format!("#{index}")),
        }
    }

    /// The statements of one [`LeaseStore::commit`] batch, between its `BEGIN` and `COMMIT`.
    fn write_events(&self, events: &[LeaseEvent]) -> Result<(), StoreError> {
        let mut upsert = self.conn.prepare_cached(UPSERT)?;
        let mut delete = self.conn.prepare_cached(DELETE)?;
        for e in events {
            let l = &e.lease;
            let address = l.address.octets();
            match e.kind {
                LeaseEventKind::Bound | LeaseEventKind::Renewed => {
                    upsert.execute(params![
                        &address[..],
                        l.prefix_len,
                        ia_type_text(l.ia_type),
                        self.link_name(l.link),
                        l.duid.as_bytes(),
                        l.iaid,
                        ms_i64(l.preferred_until),
                        ms_i64(l.valid_until),
                    ])?;
                }
                LeaseEventKind::Released | LeaseEventKind::Declined | LeaseEventKind::Expired => {
                    delete.execute(params![&address[..], l.prefix_len])?;
                }
            }
        }
        Ok(())
    }
}

/// The [`COLUMNS`] values of a row of `SELECT`, untyped.
fn columns<'r>(row: &'r rusqlite::Row<'_>) -> rusqlite::Result<[Column<'r>; COLUMNS]> {
    let mut cols = [Column::Null; COLUMNS];
    for (i, c) in cols.iter_mut().enumerate() {
        *c = row.get_ref(i)?.into();
    }
    Ok(cols)
}

/// What the load's reader thread found besides the leases: its row counts (rows skipped as
/// unreadable, rows of links no longer configured) and the keys of expired rows (to delete).
type ReaderResult<'l> = (RowLoader<'l>, Vec<([u8; 16], u8)>);

const SELECT: &str = "SELECT address, prefix_len, ia_type, link, duid, iaid, preferred_until, \
                      valid_until FROM leases";

impl LeaseStore for SqliteStore {
    fn set_links(&mut self, names: &[String]) {
        self.links = names.to_vec();
    }

    fn commit(&mut self, events: &[LeaseEvent]) -> Result<Vec<Refused>, StoreError> {
        if events.is_empty() {
            return Ok(Vec::new());
        }
        // BEGIN and COMMIT as cached statements: with small batches (a lightly loaded server
        // commits every event on its own) parsing them each time cost as much as the upserts.
        self.conn.prepare_cached("BEGIN")?.execute([])?;
        let done = self.write_events(events).and_then(|()| {
            self.conn.prepare_cached("COMMIT")?.execute([])?;
            Ok(())
        });
        if done.is_err() && !self.conn.is_autocommit() {
            // Nothing of the batch is kept (a failed COMMIT, SQLITE_BUSY, leaves it open).
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        done.map(|()| Vec::new())
    }

    fn load(
        &mut self,
        now: Instant,
        restore: &mut dyn FnMut(&Lease) -> Result<(), RestoreError>,
    ) -> Result<LoadReport, StoreError> {
        let mut report = LoadReport::default();

        // Reading and decoding rows (SQLite) and inserting them into the engine's table
        // (cache misses) cost about the same; a reader thread overlaps the two. Batches are
        // recycled so that a million leases do not mean a thousand large allocations.
        const BATCH: usize = 4096;
        let links = &self.links;
        let conn = &mut self.conn;
        let (full_tx, full_rx) = std::sync::mpsc::sync_channel::<Vec<Lease>>(4);
        let (empty_tx, empty_rx) = std::sync::mpsc::channel::<Vec<Lease>>();
        let expired = std::thread::scope(|scope| {
            let reader = scope.spawn(move || -> Result<ReaderResult<'_>, StoreError> {
                let mut loader = RowLoader::new(links);
                // Expired rows are found by this scan (there is no index on valid_until: it
                // cost every commit an index update) and deleted after it. Only readable
                // rows are; a damaged row is left for a person to see.
                let mut expired = Vec::new();
                let mut stmt = conn.prepare(SELECT)?;
                let mut rows = stmt.query([])?;
                let mut batch = Vec::with_capacity(BATCH);
                while let Some(row) = rows.next()? {
                    let Some(lease) = loader.lease(&columns(row)?) else {
                        continue;
                    };
                    if lease.valid_until <= now {
                        expired.push((lease.address.octets(), lease.prefix_len));
                        continue;
                    }
                    batch.push(lease);
                    if batch.len() == BATCH {
                        let next = empty_rx
                            .try_recv()
                            .unwrap_or_else(|_| Vec::with_capacity(BATCH));
                        if full_tx.send(std::mem::replace(&mut batch, next)).is_err() {
                            break;
                        }
                    }
                }
                if !batch.is_empty() {
                    let _ = full_tx.send(batch);
                }
                Ok((loader, expired))
            });
            for mut batch in full_rx {
                for lease in &batch {
                    report.count(restore(lease));
                }
                batch.clear();
                let _ = empty_tx.send(batch);
            }
            let (loader, expired) = reader
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p))?;
            loader.finish(&mut report);
            Ok::<_, StoreError>(expired)
        })?;
        if !expired.is_empty() {
            let tx = self.conn.transaction()?;
            {
                let mut delete = tx.prepare_cached(DELETE)?;
                for (address, prefix_len) in &expired {
                    delete.execute(params![&address[..], prefix_len])?;
                }
            }
            tx.commit()?;
        }
        report.expired += expired.len() as u64;
        Ok(report)
    }

    fn server_duid(&mut self, configured: Option<&DuidBuf>) -> Result<DuidBuf, StoreError> {
        if let Some(d) = configured {
            return Ok(*d);
        }
        let stored: Option<Vec<u8>> = self
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'server_duid'",
                [],
                |r| r.get(0),
            )
            .optional()
            .ok()
            .flatten();
        if let Some(d) = stored.and_then(|b| DuidBuf::from_bytes(&b).ok()) {
            return Ok(d);
        }
        let duid = generate_duid_uuid()?;
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES ('server_duid', ?1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [duid.as_bytes()],
        )?;
        Ok(duid)
    }

    fn leases(&mut self) -> Result<Vec<StoredLease>, StoreError> {
        let mut stmt = self.conn.prepare(&format!(
            "{SELECT} ORDER BY link, ia_type, address, prefix_len"
        ))?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            if let Some(raw) = decode_row(&columns(row)?) {
                let l = raw.lease;
                out.push(StoredLease {
                    link: raw.link.to_string(),
                    ia_type: l.ia_type,
                    duid: l.duid.as_bytes().to_vec(),
                    iaid: l.iaid,
                    address: l.address,
                    prefix_len: l.prefix_len,
                    preferred_until_ms: l.preferred_until.total_millis(),
                    valid_until_ms: l.valid_until.total_millis(),
                });
            }
        }
        Ok(out)
    }
}

/// A DUID-UUID (RFC 6355 §4): type 4 and a random (version 4, RFC 9562 §5.4) UUID from the OS's
/// randomness.
pub(super) fn generate_duid_uuid() -> Result<DuidBuf, StoreError> {
    use std::io::Read;
    let mut uuid = [0u8; 16];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut uuid))
        .map_err(StoreError::Io)?;
    uuid[6] = (uuid[6] & 0x0f) | 0x40;
    uuid[8] = (uuid[8] & 0x3f) | 0x80;
    let mut bytes = [0u8; 18];
    bytes[1] = 4;
    bytes[2..].copy_from_slice(&uuid);
    DuidBuf::from_bytes(&bytes).map_err(|e| StoreError::Io(std::io::Error::other(e.to_string())))
}
