//! Decoding stored lease rows without trusting them, shared by every backend: a row is eight
//! column values as the database returned them ([`Column`]), [`decode_row`] turns one into a
//! [`Lease`] or refuses it, and [`RowLoader`] does what [`LeaseStore::load`] does per row (decode,
//! map the link name to the engine's index, count what it drops).
//!
//! A lease file that a server wrote itself can still hold rows it cannot use: a downgrade, a
//! person editing the database, a disk error, or a bug that persisted a bad identity (Kea
//! CVE-2019-6474 stored an empty DUID and then refused to start). Every such row is skipped and
//! counted ([`LoadReport::skipped_bad_rows`]), never a panic and never a refusal to start.
//!
//! [`LeaseStore::load`]: super::LeaseStore::load

use std::net::Ipv6Addr;

use sixconf_core::dhcpv6::server::{IaType, Lease, RestoreError};
use sixconf_core::time::Instant;
use sixconf_core::wire::dhcpv6::DuidBuf;

use super::LoadReport;

/// The columns of a lease row, in this order: `address` (16-byte blob), `prefix_len` (integer,
/// 128 for IA_NA), `ia_type` (text `na` / `pd`), `link` (text), `duid` (blob, RFC 9915 §11),
/// `iaid` (integer, a `u32`), `preferred_until` and `valid_until` (integers, Unix ms).
pub const COLUMNS: usize = 8;

/// One column value as the database returned it, whatever its declared type (SQLite stores any
/// type in any column).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Column<'a> {
    /// SQL NULL.
    Null,
    /// A 64-bit signed integer.
    Integer(i64),
    /// A floating-point number.
    Real(f64),
    /// Text, as bytes (not necessarily UTF-8).
    Text(&'a [u8]),
    /// A blob.
    Blob(&'a [u8]),
}

impl<'a> From<rusqlite::types::ValueRef<'a>> for Column<'a> {
    fn from(v: rusqlite::types::ValueRef<'a>) -> Self {
        use rusqlite::types::ValueRef;
        match v {
            ValueRef::Null => Column::Null,
            ValueRef::Integer(n) => Column::Integer(n),
            ValueRef::Real(f) => Column::Real(f),
            ValueRef::Text(t) => Column::Text(t),
            ValueRef::Blob(b) => Column::Blob(b),
        }
    }
}

/// A row that decoded: the lease, and the name of its link (the engine's link index is not
/// known yet, so `lease.link` is 0).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedRow<'a> {
    /// The link's name (valid UTF-8).
    pub link: &'a str,
    /// The lease, `link` left at 0.
    pub lease: Lease,
}

/// Decode one row of [`COLUMNS`] values. `None` for a damaged row: a wrong type in any column,
/// an address that is not 16 bytes, a prefix length above 128, `na` with a prefix length other
/// than 128, an unknown IA type, a link name that is not UTF-8, a DUID outside 3..=130 bytes
/// (RFC 9915 §11.1), an IAID outside `u32`, a negative time, or preferred after valid.
pub fn decode_row<'a>(cols: &[Column<'a>; COLUMNS]) -> Option<DecodedRow<'a>> {
    let [address, prefix_len, ia_type, link, duid, iaid, preferred, valid] = cols;
    let address: [u8; 16] = match address {
        Column::Blob(b) => (*b).try_into().ok()?,
        _ => return None,
    };
    let prefix_len = match prefix_len {
        Column::Integer(n) => u8::try_from(*n).ok().filter(|n| *n <= 128)?,
        _ => return None,
    };
    let ia_type = match ia_type {
        Column::Text(b"na") if prefix_len == 128 => IaType::Na,
        Column::Text(b"pd") => IaType::Pd,
        _ => return None,
    };
    let link = match link {
        Column::Text(t) => std::str::from_utf8(t).ok()?,
        _ => return None,
    };
    let duid = match duid {
        Column::Blob(b) => DuidBuf::from_bytes(b).ok()?,
        _ => return None,
    };
    let int = |c: &Column<'_>| match c {
        Column::Integer(n) => Some(*n),
        _ => None,
    };
    let iaid = u32::try_from(int(iaid)?).ok()?;
    let preferred = u64::try_from(int(preferred)?).ok()?;
    let valid = u64::try_from(int(valid)?).ok()?;
    if preferred > valid {
        return None;
    }
    Some(DecodedRow {
        link,
        lease: Lease {
            link: 0,
            ia_type,
            duid,
            iaid,
            address: Ipv6Addr::from(address),
            prefix_len,
            preferred_until: Instant::from_millis(preferred),
            valid_until: Instant::from_millis(valid),
        },
    })
}

/// What a backend's loader does with each row it reads: decode it ([`decode_row`]), find the
/// engine's index of its link (by name in the configured links, or `#N` for a link that had no
/// name), and count the rows it drops.
#[derive(Debug)]
pub struct RowLoader<'l> {
    links: &'l [String],
    /// Rows come in key order, links interleaved: each name is looked up once.
    cache: Vec<(String, Option<u8>)>,
    skipped: u64,
    unknown_link: u64,
}

impl<'l> RowLoader<'l> {
    /// A loader for the engine whose link `i` is named `links[i]`.
    pub fn new(links: &'l [String]) -> Self {
        RowLoader {
            links,
            cache: Vec::new(),
            skipped: 0,
            unknown_link: 0,
        }
    }

    /// The lease a row holds, with its engine link index; `None` (and counted) for a damaged
    /// row or a link that is no longer configured.
    pub fn lease(&mut self, cols: &[Column<'_>; COLUMNS]) -> Option<Lease> {
        let Some(row) = decode_row(cols) else {
            self.skipped += 1;
            return None;
        };
        let index = match self.cache.iter().find(|(n, _)| n == row.link) {
            Some((_, idx)) => *idx,
            None => {
                let idx = match self.links.iter().position(|n| n == row.link) {
                    Some(i) => u8::try_from(i).ok(),
                    None => row.link.strip_prefix('#').and_then(|i| i.parse().ok()),
                };
                self.cache.push((row.link.to_string(), idx));
                idx
            }
        };
        let Some(link) = index else {
            self.unknown_link += 1;
            return None;
        };
        Some(Lease { link, ..row.lease })
    }

    /// Add the rows this loader dropped to `report`: damaged ones to
    /// [`skipped_bad_rows`](LoadReport::skipped_bad_rows), unknown links to
    /// [`refused`](LoadReport::refused).
    pub fn finish(self, report: &mut LoadReport) {
        report.skipped_bad_rows += self.skipped;
        report.refused += self.unknown_link;
    }
}

impl LoadReport {
    /// Count the engine's answer to one restored lease ([`Server::restore`]).
    ///
    /// [`Server::restore`]: sixconf_core::dhcpv6::server::Server::restore
    pub fn count(&mut self, restored: Result<(), RestoreError>) {
        match restored {
            Ok(()) => self.restored += 1,
            Err(RestoreError::Expired) => self.expired += 1,
            Err(_) => self.refused += 1,
        }
    }
}

/// The `ia_type` column's text for an IA type, as [`decode_row`] reads it back.
pub(crate) fn ia_type_text(t: IaType) -> &'static str {
    match t {
        IaType::Na => "na",
        IaType::Pd => "pd",
    }
}

/// Milliseconds as the databases' signed 64-bit integer (saturating: a lease "until the end of
/// time").
pub(crate) fn ms_i64(i: Instant) -> i64 {
    i64::try_from(i.total_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADDR: [u8; 16] = [0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0];
    const DUID: &[u8] = &[0, 3, 0, 1, 2, 0, 0, 0, 0, 1];

    fn good() -> [Column<'static>; COLUMNS] {
        [
            Column::Blob(&ADDR),
            Column::Integer(128),
            Column::Text(b"na"),
            Column::Text(b"lan0"),
            Column::Blob(DUID),
            Column::Integer(7),
            Column::Integer(1_000),
            Column::Integer(2_000),
        ]
    }

    #[test]
    fn a_good_row_decodes_to_its_lease() {
        let row = decode_row(&good()).unwrap();
        assert_eq!(row.link, "lan0");
        assert_eq!(row.lease.ia_type, IaType::Na);
        assert_eq!(row.lease.address, Ipv6Addr::from(ADDR));
        assert_eq!(row.lease.duid.as_bytes(), DUID);
        assert_eq!(row.lease.iaid, 7);
        assert_eq!(row.lease.preferred_until, Instant::from_millis(1_000));
        assert_eq!(row.lease.valid_until, Instant::from_millis(2_000));
    }

    #[test]
    fn every_kind_of_damage_is_refused() {
        let damaged: &[(usize, Column<'static>)] = &[
            (0, Column::Blob(&ADDR[..15])),
            (0, Column::Text(&ADDR)),
            (1, Column::Integer(129)),
            (1, Column::Integer(-1)),
            (1, Column::Real(128.0)),
            (2, Column::Text(b"ta")),
            (2, Column::Blob(b"na")),
            (3, Column::Text(&[0xff, 0xfe])),
            (3, Column::Null),
            // Kea CVE-2019-6474: an empty DUID, and the other lengths RFC 9915 §11.1 forbids.
            (4, Column::Blob(&[])),
            (4, Column::Blob(&[0, 3])),
            (4, Column::Blob(&[0; 131])),
            (5, Column::Integer(1 << 32)),
            (5, Column::Integer(-1)),
            (6, Column::Integer(-5)),
            (6, Column::Integer(2_001)),
            (7, Column::Text(b"2000")),
        ];
        for (i, c) in damaged {
            let mut cols = good();
            cols[*i] = *c;
            assert_eq!(decode_row(&cols), None, "column {i} = {c:?}");
        }
        // `na` with a prefix length other than 128; `pd` with any length up to 128 is fine.
        let mut cols = good();
        cols[1] = Column::Integer(64);
        assert_eq!(decode_row(&cols), None);
        cols[2] = Column::Text(b"pd");
        assert_eq!(decode_row(&cols).unwrap().lease.prefix_len, 64);
    }

    #[test]
    fn the_loader_maps_links_and_counts_what_it_drops() {
        let links = ["lan0".to_string(), "lan1".to_string()];
        let mut loader = RowLoader::new(&links);
        let mut row = good();
        row[3] = Column::Text(b"lan1");
        assert_eq!(loader.lease(&row).unwrap().link, 1);
        // A link without a name is stored as `#N`.
        row[3] = Column::Text(b"#0");
        assert_eq!(loader.lease(&row).unwrap().link, 0);
        row[3] = Column::Text(b"gone");
        assert_eq!(loader.lease(&row), None);
        row[3] = Column::Text(b"#300");
        assert_eq!(loader.lease(&row), None);
        row[0] = Column::Null;
        assert_eq!(loader.lease(&row), None);
        let mut report = LoadReport::default();
        loader.finish(&mut report);
        assert_eq!(
            report,
            LoadReport {
                skipped_bad_rows: 1,
                refused: 2,
                ..LoadReport::default()
            }
        );
        report.count(Ok(()));
        report.count(Err(RestoreError::Expired));
        report.count(Err(RestoreError::Conflict));
        assert_eq!((report.restored, report.expired, report.refused), (1, 1, 3));
    }
}
