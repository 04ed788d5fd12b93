//! `sixconf leases --db FILE [--json]`: what an operator sees of the lease database.

use std::net::Ipv6Addr;
use std::path::Path;
use std::process::Command;

use sixconf::config::Durability;
use sixconf::store::{LeaseStore, SqliteStore};
use sixconf_core::dhcpv6::server::{IaType, Lease, LeaseEvent, LeaseEventKind};
use sixconf_core::time::Instant;
use sixconf_core::wire::dhcpv6::DuidBuf;

fn leases(db: &Path, json: bool) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sixconf"));
    cmd.args(["leases", "--db"]).arg(db);
    if json {
        cmd.arg("--json");
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn now_ms() -> u64 {
    sixconf::store::unix_now().total_millis()
}

fn bound(seq: u64, lease: Lease) -> LeaseEvent {
    LeaseEvent {
        seq,
        kind: LeaseEventKind::Bound,
        lease,
    }
}

/// Three leases: an address and a prefix for one client on `eth1`, and an address that
/// expired a minute ago.
fn fill(db: &Path, now: u64) -> SqliteStore {
    let mut st = SqliteStore::open(db, Durability::Fsync).unwrap();
    st.set_links(&["eth1".to_string()]);
    let duid = DuidBuf::from_bytes(&[
        0, 1, 0, 1, 0x1c, 0xc1, 0x2f, 0x25, 0xfa, 0x16, 0x3e, 0x22, 0x38, 0x6b,
    ])
    .unwrap();
    let na = Lease {
        link: 0,
        ia_type: IaType::Na,
        duid,
        iaid: 1_042_430_059,
        address: "2001:db8:cafe:1::4".parse().unwrap(),
        prefix_len: 128,
        preferred_until: Instant::from_millis(now + 7_200_000),
        valid_until: Instant::from_millis(now + 7_500_000),
    };
    let pd = Lease {
        ia_type: IaType::Pd,
        iaid: 7,
        address: "2001:db8:8000:100::".parse().unwrap(),
        prefix_len: 56,
        ..na
    };
    let old = Lease {
        address: "2001:db8:cafe:1::5".parse().unwrap(),
        preferred_until: Instant::from_millis(now - 120_000),
        valid_until: Instant::from_millis(now - 60_000),
        ..na
    };
    st.commit(&[bound(1, na), bound(2, pd), bound(3, old)])
        .unwrap();
    st
}

#[test]
fn lists_leases_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("leases.sqlite");
    let st = fill(&db, now_ms());
    // While the server holds the database open (WAL), then after it closed it.
    let (code, out, err) = leases(&db, false);
    assert_eq!((code, err.as_str()), (0, ""));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 5, "{out}");
    assert!(lines[0].starts_with("LINK"), "{out}");
    for column in [
        "TYPE",
        "IAID",
        "ADDRESS/PREFIX",
        "PREFERRED",
        "VALID",
        "EXPIRES",
        "DUID",
    ] {
        assert!(lines[0].contains(column), "{column}: {out}");
    }
    let na = lines
        .iter()
        .find(|l| l.contains("2001:db8:cafe:1::4 "))
        .unwrap();
    assert!(na.starts_with("eth1"), "{na}");
    assert!(na.contains(" NA ") && na.contains(" 1042430059 "), "{na}");
    assert!(
        na.ends_with("00:01:00:01:1c:c1:2f:25:fa:16:3e:22:38:6b"),
        "{na}"
    );
    let pd = lines
        .iter()
        .find(|l| l.contains("2001:db8:8000:100::/56"))
        .unwrap();
    assert!(pd.contains(" PD ") && pd.contains(" 7 "), "{pd}");
    let old = lines
        .iter()
        .find(|l| l.contains("2001:db8:cafe:1::5 "))
        .unwrap();
    assert!(old.contains("(expired)"), "{old}");
    assert_eq!(lines[4], "3 lease(s)");

    drop(st);
    assert!(!dir.path().join("leases.sqlite-wal").exists());
    let (code, again, err) = leases(&db, false);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(again.lines().count(), 5, "{again}");
}

#[test]
fn lists_leases_as_json_lines() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("leases.sqlite");
    let now = now_ms();
    drop(fill(&db, now));
    let (code, out, err) = leases(&db, true);
    assert_eq!((code, err.as_str()), (0, ""));
    let rows: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 3);
    let na = rows
        .iter()
        .find(|r| r["address"] == "2001:db8:cafe:1::4")
        .unwrap();
    assert_eq!(na["link"], "eth1");
    assert_eq!(na["type"], "NA");
    assert_eq!(na["iaid"], 1_042_430_059u64);
    assert_eq!(na["prefix_len"], 128);
    assert_eq!(na["duid"], "00:01:00:01:1c:c1:2f:25:fa:16:3e:22:38:6b");
    assert_eq!(na["expired"], false);
    let valid = na["valid_lifetime"].as_u64().unwrap();
    assert!((7_490..=7_500).contains(&valid), "{valid}");
    let preferred = na["preferred_lifetime"].as_u64().unwrap();
    assert!((7_190..=7_200).contains(&preferred), "{preferred}");
    // RFC 3339 UTC of the expiry.
    let until = na["valid_until"].as_str().unwrap();
    assert_eq!(until, sixconf::store::format_utc(now + 7_500_000));
    let pd = rows.iter().find(|r| r["type"] == "PD").unwrap();
    assert_eq!(
        (pd["address"].as_str(), pd["prefix_len"].as_u64()),
        (Some("2001:db8:8000:100::"), Some(56))
    );
    let old = rows
        .iter()
        .find(|r| r["address"] == "2001:db8:cafe:1::5")
        .unwrap();
    assert_eq!(old["expired"], true);
    assert_eq!(old["valid_lifetime"], 0);
}

#[test]
fn utc_formatting_matches_known_dates() {
    use sixconf::store::format_utc;
    assert_eq!(format_utc(0), "1970-01-01T00:00:00Z");
    assert_eq!(format_utc(951_782_400_000), "2000-02-29T00:00:00Z");
    assert_eq!(format_utc(1_795_813_200_999), "2026-11-27T21:00:00Z");
    assert_eq!(format_utc(4_102_444_799_000), "2099-12-31T23:59:59Z");
}

#[test]
fn a_missing_or_foreign_database_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = leases(&dir.path().join("none.sqlite"), false);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("none.sqlite: no such lease database"), "{err}");
    // Not creating it either.
    assert!(!dir.path().join("none.sqlite").exists());

    let junk = dir.path().join("junk.sqlite");
    std::fs::write(
        &junk,
        b"this is not a database, just bytes that go on and on",
    )
    .unwrap();
    let (code, _, err) = leases(&junk, false);
    assert_eq!(code, 2);
    assert!(
        err.starts_with(&format!("{}: lease database: ", junk.display())),
        "{err}"
    );
}

#[test]
fn the_json_has_every_field() {
    let l = sixconf::store::StoredLease {
        link: "eth1".into(),
        ia_type: IaType::Pd,
        duid: vec![0, 3, 0, 1, 2, 0, 0, 0, 0, 1],
        iaid: 9,
        address: Ipv6Addr::new(0x2001, 0xdb8, 0x8000, 0x200, 0, 0, 0, 0),
        prefix_len: 56,
        preferred_until_ms: 1_000_000,
        valid_until_ms: 2_000_000,
    };
    let j = sixconf::store::lease_json(&l, 1_500_000);
    assert_eq!(
        j,
        serde_json::json!({
            "link": "eth1", "duid": "00:03:00:01:02:00:00:00:00:01", "iaid": 9, "type": "PD",
            "address": "2001:db8:8000:200::", "prefix_len": 56,
            "preferred_until": "1970-01-01T00:16:40Z", "valid_until": "1970-01-01T00:33:20Z",
            "preferred_lifetime": 0, "valid_lifetime": 500, "expired": false
        })
    );
}
