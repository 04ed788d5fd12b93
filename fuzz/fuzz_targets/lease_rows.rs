//! Arbitrary lease rows loaded into the DHCPv6 server engine, the way the daemon does at start
//! (Kea CVE-2019-6474: a lease file the server wrote itself must never stop it from starting).
//!
//! Every row is decoded with `store::row` (the code every backend shares) and restored into a
//! small engine; damaged rows are skipped and counted, never a panic. Checked each time:
//! restored + expired + refused + skipped = rows; the table holds exactly the restored leases.
//!
//! With bit 0 of the first byte set, the same rows are first written into an in-memory SQLite
//! database (any value in any column, as SQLite allows) and loaded through `store::load_into`;
//! then everything the engine accepted is committed to a second database and loaded into a
//! fresh engine, which must accept exactly the same leases again. `sixconf leases` output
//! (`render_table`, `lease_json`) is formatted for every readable row.
//!
//! Input: a flags byte, then columns one after another, eight to a row, each a tag byte
//! (`tag % 5`: 0 NULL, 1 integer (8 bytes big-endian), 2 real (8 bytes), 3 text, 4 blob (a
//! length byte, then the bytes)). Bit 1 of the flags picks the daemon's 130-byte DUID slots
//! instead of the embedded default of 32.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rusqlite::types::{ToSql, ToSqlOutput, ValueRef};
use sixconf::store::row::{Column, RowLoader, COLUMNS};
use sixconf::store::{self, LeaseStore, LoadReport, SqliteStore};
use sixconf_core::dhcpv6::server::{
    AddressPool, LeaseEvent, LeaseEventKind, Limits, LinkConfig, Prefix, PrefixPool, Server, Slot,
    DEFAULT_DUID_CAPACITY, DUID_CAPACITY_MAX,
};
use sixconf_core::time::Instant;
use sixconf_core::wire::dhcpv6::DuidBuf;

const NOW: Instant = Instant::from_millis(1_800_000_000_000);
const SLOTS: usize = 12;

fn links() -> Vec<String> {
    vec!["lan0".to_string(), "lan1".to_string()]
}

fn link(n: u16) -> LinkConfig {
    let mut link = LinkConfig::default();
    let _ = link.prefixes.push(Prefix::new(
        core::net::Ipv6Addr::new(0x2001, 0xdb8, n, 0, 0, 0, 0, 0),
        64,
    ));
    let _ = link.address_pools.push(AddressPool::new(
        core::net::Ipv6Addr::new(0x2001, 0xdb8, n, 0, 0, 0, 0, 0x100),
        core::net::Ipv6Addr::new(0x2001, 0xdb8, n, 0, 0, 0, 0, 0x1ff),
    ));
    let _ = link.prefix_pools.push(PrefixPool::new(
        Prefix::new(
            core::net::Ipv6Addr::new(0x2001, 0xdb8, 0x8000 + n, 0, 0, 0, 0, 0),
            48,
        ),
        56,
    ));
    link
}

type Engine<const D: usize> = Server<Vec<Slot<D>>, 2, 8, 1, D>;

fn engine<const D: usize>() -> Engine<D> {
    let mut l = heapless::Vec::new();
    let _ = l.push(link(1));
    let _ = l.push(link(2));
    let duid = DuidBuf::from_bytes(&[0, 3, 0, 1, 2, 0, 0, 0, 0, 1]).unwrap();
    Server::new(
        duid,
        l,
        Limits::default(),
        vec![Slot::<D>::empty(); SLOTS],
        7,
    )
}

fn take<'a>(input: &mut &'a [u8], n: usize) -> &'a [u8] {
    let (head, tail) = input.split_at(n.min(input.len()));
    *input = tail;
    head
}

fn int(input: &mut &[u8]) -> [u8; 8] {
    let mut b = [0u8; 8];
    let got = take(input, 8);
    b[..got.len()].copy_from_slice(got);
    b
}

fn rows(mut input: &[u8]) -> Vec<[Column<'_>; COLUMNS]> {
    let mut rows = Vec::new();
    let mut row = [Column::Null; COLUMNS];
    let mut i = 0;
    while let Some((&tag, rest)) = input.split_first() {
        input = rest;
        row[i] = match tag % 5 {
            0 => Column::Null,
            1 => Column::Integer(i64::from_be_bytes(int(&mut input))),
            2 => Column::Real(f64::from_bits(u64::from_be_bytes(int(&mut input)))),
            k => {
                let n = take(&mut input, 1).first().copied().unwrap_or(0);
                let bytes = take(&mut input, usize::from(n));
                if k == 3 {
                    Column::Text(bytes)
                } else {
                    Column::Blob(bytes)
                }
            }
        };
        i += 1;
        if i == COLUMNS {
            rows.push(row);
            i = 0;
        }
    }
    rows
}

/// A column value bound as exactly that SQLite type (text need not be UTF-8).
struct Bind<'a>(Column<'a>);

impl ToSql for Bind<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self.0 {
            Column::Null => ValueRef::Null,
            Column::Integer(n) => ValueRef::Integer(n),
            Column::Real(f) => ValueRef::Real(f),
            Column::Text(t) => ValueRef::Text(t),
            Column::Blob(b) => ValueRef::Blob(b),
        }))
    }
}

fn check_engine<const D: usize>(e: &Engine<D>, report: &LoadReport) {
    assert_eq!(e.table().len() as u64, report.restored, "{report:?}");
    assert_eq!(e.counters().restored, report.restored);
}

fn run<const D: usize>(rows: &[[Column<'_>; COLUMNS]], sqlite: bool) {
    let names = links();
    // The pure path: what every backend does per row.
    let mut e = engine::<D>();
    let mut report = LoadReport::default();
    let mut loader = RowLoader::new(&names);
    for cols in rows {
        if let Some(lease) = loader.lease(cols) {
            let r = e.restore(NOW, &lease);
            if r.is_ok() {
                assert!(e
                    .table()
                    .find_lease(lease.address, lease.prefix_len)
                    .is_some());
            }
            report.count(r);
        }
    }
    loader.finish(&mut report);
    let total = report.restored + report.expired + report.refused + report.skipped_bad_rows;
    assert_eq!(total, rows.len() as u64, "{report:?}");
    check_engine(&e, &report);
    let _ = format!("{report:?} {:?}", e.counters());

    if !sqlite {
        return;
    }
    // The same rows through SQLite (two databases kept across runs: opening one costs more
    // than the rest of a run, so each run starts by emptying them).
    DBS.with(|dbs| {
        let (db, db2) = &mut *dbs.borrow_mut();
        for d in [&*db, &*db2] {
            d.connection()
                .prepare_cached("DELETE FROM leases")
                .unwrap()
                .execute([])
                .unwrap();
        }
        through_sqlite::<D>(rows, &names, db, db2);
    });
}

thread_local! {
    static DBS: std::cell::RefCell<(SqliteStore, SqliteStore)> = std::cell::RefCell::new((
        SqliteStore::open_in_memory().unwrap(),
        SqliteStore::open_in_memory().unwrap(),
    ));
}

fn through_sqlite<const D: usize>(
    rows: &[[Column<'_>; COLUMNS]],
    names: &[String],
    db: &mut SqliteStore,
    db2: &mut SqliteStore,
) {
    db.set_links(names);
    let mut stored = 0u64;
    {
        let mut insert = db
            .connection()
            .prepare_cached("INSERT OR IGNORE INTO leases VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
            .unwrap();
        for cols in rows {
            let b = cols.map(Bind);
            let p: [&dyn ToSql; COLUMNS] = [&b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &b[6], &b[7]];
            // NOT NULL and the primary key refuse some rows; the rest are stored as given.
            stored += insert.execute(p).unwrap() as u64;
        }
    }
    let listed = db.leases().unwrap();
    let _ = store::render_table(&listed, NOW.total_millis());
    for l in &listed {
        let _ = store::lease_json(l, NOW.total_millis()).to_string();
    }
    let mut e2 = engine::<D>();
    let r2 = store::load_into(db, NOW, &mut e2).unwrap();
    assert_eq!(
        r2.restored + r2.expired + r2.refused + r2.skipped_bad_rows,
        stored,
        "{r2:?}"
    );
    check_engine(&e2, &r2);

    // What the engine accepted, persisted again and reloaded, is accepted again in full.
    let events: Vec<LeaseEvent> = e2
        .table()
        .iter()
        .filter_map(|b| b.to_lease())
        .enumerate()
        .map(|(seq, lease)| LeaseEvent {
            seq: seq as u64,
            kind: LeaseEventKind::Bound,
            lease,
        })
        .collect();
    db2.set_links(names);
    db2.commit(&events).unwrap();
    let mut e3 = engine::<D>();
    let r3 = store::load_into(db2, NOW, &mut e3).unwrap();
    assert_eq!(
        r3,
        LoadReport {
            restored: r2.restored,
            ..LoadReport::default()
        }
    );
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let rows = rows(rest);
    if flags & 2 != 0 {
        run::<DUID_CAPACITY_MAX>(&rows, flags & 1 != 0);
    } else {
        run::<DEFAULT_DUID_CAPACITY>(&rows, flags & 1 != 0);
    }
});
