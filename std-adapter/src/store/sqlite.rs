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
//! engine (both take about the same time for large tables); with three cores or more, two
//! helper threads each read one half of the key range (the second through its own read-only
//! connection). Nothing else uses a thread.
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

    /// Where to split the load's scan in two, and a second connection to read the upper half
    /// with: the middle of the smallest and largest stored blob address (an index seek
    /// each). `None` for an in-memory database, a table without blob addresses, or one
    /// whose addresses are all equal in their first 16 bytes.
    fn split_point(&self) -> Result<Option<(Connection, [u8; 16])>, StoreError> {
        let Some(path) = self.conn.path().filter(|p| !p.is_empty()) else {
            return Ok(None);
        };
        let first = |sql: &str| -> Result<Option<u128>, StoreError> {
            let blob: Option<Vec<u8>> = self
                .conn
                .query_row(sql, [], |r| r.get(0))
                .optional()?
                .flatten();
            Ok(blob.map(|b| {
                let mut k = [0u8; 16];
                for (d, s) in k.iter_mut().zip(&b) {
                    *d = *s;
                }
                u128::from_be_bytes(k)
            }))
        };
        // Blobs sort after every other type: `>= x''` skips damaged non-blob addresses.
        let lo = first("SELECT address FROM leases WHERE address >= x'' ORDER BY address LIMIT 1")?;
        let hi = first("SELECT address FROM leases ORDER BY address DESC LIMIT 1")?;
        let (Some(lo), Some(hi)) = (lo, hi) else {
            return Ok(None);
        };
        if hi <= lo {
            return Ok(None);
        }
        let mid = lo + (hi - lo) / 2 + 1;
        let second = Connection::open_with_flags(
            path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        second.busy_timeout(std::time::Duration::from_secs(5))?;
        second.pragma_update(None, "mmap_size", LOAD_MMAP)?;
        Ok(Some((second, mid.to_be_bytes())))
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

/// Bytes of the database file a load maps into memory (`PRAGMA mmap_size`; SQLite reads the
/// rest, and pages in the WAL, with read()).
const LOAD_MMAP: i64 = 1 << 30;

const SELECT: &str = "SELECT address, prefix_len, ia_type, link, duid, iaid, preferred_until, \
                      valid_until FROM leases";

/// The connection a load's reader thread scans with.
enum ReaderConn<'c> {
    /// The store's own connection.
    Main(&'c mut Connection),
    /// A second, read-only connection to the same file.
    Own(Connection),
}

/// Which rows of `leases` one reader scans. Every value of `address` is either below a blob or
/// not (SQLite orders NULL, numbers, text, blobs, and the column is NOT NULL), so `Below(k)`
/// and `From(k)` together read every row exactly once, damaged ones included.
#[derive(Debug, Clone, Copy)]
enum Range {
    All,
    Below([u8; 16]),
    From([u8; 16]),
}

/// Scan `range`, decoding each row through a [`RowLoader`]; live leases go into batches of
/// [`BATCH`](LeaseStore::load) handed to `send` (which swaps in an empty one and returns
/// `false` once nobody listens), the keys of expired rows are returned for deletion.
fn read_rows<'l>(
    conn: &Connection,
    range: Range,
    links: &'l [String],
    now: Instant,
    mut send: impl FnMut(&mut Vec<Lease>) -> bool,
) -> Result<ReaderResult<'l>, StoreError> {
    const BATCH: usize = 4096;
    let mut loader = RowLoader::new(links);
    // Expired rows are found by this scan (there is no index on valid_until: it cost every
    // commit an index update) and deleted after it. Only readable rows are; a damaged row is
    // left for a person to see.
    let mut expired = Vec::new();
    let (sql, bound) = match range {
        Range::All => (SELECT.to_string(), None),
        Range::Below(k) => (format!("{SELECT} WHERE address < ?1"), Some(k)),
        Range::From(k) => (format!("{SELECT} WHERE address >= ?1"), Some(k)),
    };
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = match &bound {
        Some(k) => stmt.query([&k[..]])?,
        None => stmt.query([])?,
    };
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
        if batch.len() == BATCH && !send(&mut batch) {
            break;
        }
    }
    if !batch.is_empty() {
        send(&mut batch);
    }
    Ok((loader, expired))
}

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

        // Reading and decoding rows (SQLite) costs more than inserting them into the engine's
        // table, so on a machine with three cores or more a file database is read by two
        // threads, each over one half of the key range (the main connection and a read-only
        // one), while the calling thread hands the leases to the engine. Batches are recycled (each goes back to the reader it
        // came from) so that a million leases do not mean a thousand large allocations.
        const BATCH: usize = 4096;
        // Two readers and the engine's thread need three cores: on two, the readers would take
        // turns with the engine's thread, which is then the slower side.
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let split = if cores >= 3 {
            self.split_point()?
        } else {
            None
        };
        // The scan reads the file through a memory map (no read() call and copy per page);
        // afterwards the connection goes back to read() for the server's lifetime.
        self.conn.pragma_update(None, "mmap_size", LOAD_MMAP)?;
        let links = &self.links;
        let conn = &mut self.conn;
        let (full_tx, full_rx) = std::sync::mpsc::sync_channel::<(usize, Vec<Lease>)>(32);
        let expired = std::thread::scope(|scope| {
            let mut readers = Vec::new();
            let mut empties = Vec::new();
            let mut ranges: Vec<(ReaderConn<'_>, Range)> = Vec::new();
            match split {
                Some((second, mid)) => {
                    ranges.push((ReaderConn::Main(conn), Range::Below(mid)));
                    ranges.push((ReaderConn::Own(second), Range::From(mid)));
                }
                None => ranges.push((ReaderConn::Main(conn), Range::All)),
            }
            for (id, (reader_conn, range)) in ranges.into_iter().enumerate() {
                let (empty_tx, empty_rx) = std::sync::mpsc::channel::<Vec<Lease>>();
                empties.push(empty_tx);
                let full_tx = full_tx.clone();
                readers.push(scope.spawn(move || {
                    let conn: &Connection = match &reader_conn {
                        ReaderConn::Main(c) => c,
                        ReaderConn::Own(c) => c,
                    };
                    read_rows(conn, range, links, now, |batch| {
                        let next = empty_rx
                            .try_recv()
                            .unwrap_or_else(|_| Vec::with_capacity(BATCH));
                        full_tx.send((id, std::mem::replace(batch, next))).is_ok()
                    })
                }));
            }
            drop(full_tx);
            for (id, mut batch) in full_rx {
                for lease in &batch {
                    report.count(restore(lease));
                }
                batch.clear();
                if let Some(tx) = empties.get(id) {
                    let _ = tx.send(batch);
                }
            }
            let mut expired = Vec::new();
            for reader in readers {
                let (loader, mut found) = reader
                    .join()
                    .unwrap_or_else(|p| std::panic::resume_unwind(p))?;
                loader.finish(&mut report);
                expired.append(&mut found);
            }
            Ok::<_, StoreError>(expired)
        });
        self.conn.pragma_update(None, "mmap_size", 0)?;
        let expired = expired?;
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

#[cfg(test)]
mod tests {
    use super::*;

    const FAR: i64 = 1_900_000_000_000;

    fn insert(st: &SqliteStore, address: &[u8], valid_until: i64) {
        st.connection()
            .execute(
                "INSERT INTO leases VALUES (?1, 128, 'na', 'lan0', x'000300015254000000aa', 1, 0, ?2)",
                params![address, valid_until],
            )
            .unwrap();
    }

    /// The two halves of a split load read every row once, damaged ones included, and the
    /// split load reports what a single scan reports.
    #[test]
    fn a_split_load_reads_every_row_once() {
        let dir = tempfile::tempdir().unwrap();
        let mut st = SqliteStore::open(&dir.path().join("l.sqlite"), Durability::Process).unwrap();
        st.set_links(&["lan0".to_string()]);
        // Addresses spread over the whole key range, every fifth one expired.
        let mut live = Vec::new();
        for i in 0..200u128 {
            let a = (i * (u128::MAX / 200)).to_be_bytes();
            let expired = i % 5 == 0;
            insert(&st, &a, if expired { 1_000 } else { FAR });
            if !expired {
                live.push(a);
            }
        }
        // Damaged: a text address (sorts below every blob), a short and a long blob.
        st.connection()
            .execute(
                "INSERT INTO leases VALUES ('2001:db8::1', 128, 'na', 'lan0', x'000300015254000000aa', 1, 0, ?1)",
                [FAR],
            )
            .unwrap();
        insert(&st, &[0x80, 1, 2], FAR);
        insert(&st, &[0x40; 17], FAR);

        let (second, mid) = st.split_point().unwrap().expect("a file database is split");
        let count = |conn: &Connection, range| {
            let mut n = 0;
            let (loader, expired) = read_rows(conn, range, &st.links, Instant::ZERO, |b| {
                n += b.len();
                b.clear();
                true
            })
            .unwrap();
            let mut r = LoadReport::default();
            loader.finish(&mut r);
            (n, expired.len(), r.skipped_bad_rows)
        };
        let below = count(st.connection(), Range::Below(mid));
        let above = count(&second, Range::From(mid));
        let all = count(st.connection(), Range::All);
        assert!(below.0 > 50 && above.0 > 50, "{below:?} {above:?}");
        assert_eq!(
            (below.0 + above.0, below.1 + above.1, below.2 + above.2),
            all
        );
        assert_eq!(all, (200, 0, 3));
        drop(second);

        let mut seen = Vec::new();
        let report = st
            .load(Instant::from_millis(2_000), &mut |l| {
                seen.push(l.address.octets());
                Ok(())
            })
            .unwrap();
        seen.sort_unstable();
        assert_eq!(seen, live);
        assert_eq!(
            (report.restored, report.expired, report.skipped_bad_rows),
            (160, 40, 3)
        );
        // The expired rows were deleted; the damaged ones are left.
        let rows: i64 = st
            .connection()
            .query_row("SELECT count(*) FROM leases", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 163);
    }

    #[test]
    fn an_in_memory_or_single_key_table_is_not_split() {
        let st = SqliteStore::open_in_memory().unwrap();
        insert(&st, &[1; 16], FAR);
        insert(&st, &[2; 16], FAR);
        assert!(st.split_point().unwrap().is_none());
        let dir = tempfile::tempdir().unwrap();
        let st = SqliteStore::open(&dir.path().join("l.sqlite"), Durability::Process).unwrap();
        assert!(st.split_point().unwrap().is_none());
        insert(&st, &[1; 16], FAR);
        assert!(st.split_point().unwrap().is_none());
    }
}
