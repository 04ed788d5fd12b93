//! Next hops of delegated prefixes, kept beside the lease database so that the routes removed
//! at shutdown can be put back at the next start (a lease row says which prefix a client holds,
//! not which address it asked from).
//!
//! A small JSON file, `<lease_db>.routes.json`, rewritten atomically (temporary file, fsync,
//! rename) whenever the set of routes changes:
//!
//! ```json
//! {"2001:db8:8000:100::/56": {"gateway": "fe80::1", "interface": "eth1"}}
//! ```
//!
//! The interface is kept by name: indexes change across reboots.

use std::collections::BTreeMap;
use std::io::{self, Write as _};
use std::net::Ipv6Addr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::routes::{Dest, NextHop};

/// One recorded next hop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hop {
    /// The gateway: the requesting router's link-local address, or the relay's address.
    pub gateway: Ipv6Addr,
    /// The interface the route goes out of.
    pub interface: String,
}

/// The file and its contents.
#[derive(Debug)]
pub struct HopFile {
    path: PathBuf,
    hops: BTreeMap<String, Hop>,
}

fn key(dest: Dest) -> String {
    format!("{}/{}", dest.0, dest.1)
}

fn parse_key(k: &str) -> Option<Dest> {
    let (a, l) = k.split_once('/')?;
    Some((a.parse().ok()?, l.parse().ok()?))
}

/// The name of interface `index`, from `/sys/class/net/*/ifindex`.
pub fn interface_name(index: u32) -> Option<String> {
    std::fs::read_dir("/sys/class/net").ok()?.find_map(|e| {
        let e = e.ok()?;
        let idx: u32 = std::fs::read_to_string(e.path().join("ifindex"))
            .ok()?
            .trim()
            .parse()
            .ok()?;
        (idx == index).then(|| e.file_name().to_string_lossy().into_owned())
    })
}

/// The index of interface `name`.
pub fn interface_index(name: &str) -> Option<u32> {
    if name.contains('/') {
        return None;
    }
    std::fs::read_to_string(Path::new("/sys/class/net").join(name).join("ifindex"))
        .ok()?
        .trim()
        .parse()
        .ok()
}

impl HopFile {
    /// The file beside `lease_db`; a missing or unreadable file is an empty set (routes are
    /// then learned again at each client's next Renew).
    pub fn open(lease_db: &str) -> HopFile {
        let path = PathBuf::from(format!("{lease_db}.routes.json"));
        let hops = std::fs::read(&path)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        HopFile { path, hops }
    }

    /// The recorded next hop of `dest`, resolved to an interface index.
    pub fn get(&self, dest: Dest) -> Option<NextHop> {
        let h = self.hops.get(&key(dest))?;
        Some(NextHop {
            gateway: h.gateway,
            ifindex: interface_index(&h.interface)?,
        })
    }

    /// Every recorded destination.
    pub fn dests(&self) -> Vec<Dest> {
        self.hops.keys().filter_map(|k| parse_key(k)).collect()
    }

    /// Record (`Some`) or forget (`None`) the next hop of `dest`; `true` if that changed
    /// anything.
    pub fn set(&mut self, dest: Dest, via: Option<NextHop>) -> bool {
        let k = key(dest);
        match via {
            Some(v) => {
                let Some(interface) = interface_name(v.ifindex) else {
                    return false;
                };
                let hop = Hop {
                    gateway: v.gateway,
                    interface,
                };
                if self.hops.get(&k) == Some(&hop) {
                    return false;
                }
                self.hops.insert(k, hop);
                true
            }
            None => self.hops.remove(&k).is_some(),
        }
    }

    /// Write the file (temporary file, fsync, rename).
    pub fn save(&self) -> io::Result<()> {
        let tmp = self.path.with_extension("json.tmp");
        let bytes = serde_json::to_vec_pretty(&self.hops).map_err(io::Error::other)?;
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(&bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, &self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_through_the_file() {
        let dir = std::env::temp_dir().join(format!("sixconf-hops-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let db = dir.join("leases.sqlite");
        let db = db.to_str().unwrap();
        let lo = interface_index("lo").unwrap();
        let dest: Dest = ("2001:db8:8000:100::".parse().unwrap(), 56);
        let via = NextHop {
            gateway: "fe80::1".parse().unwrap(),
            ifindex: lo,
        };
        let mut f = HopFile::open(db);
        assert_eq!(f.get(dest), None);
        assert!(f.set(dest, Some(via)));
        assert!(!f.set(dest, Some(via)), "unchanged");
        f.save().unwrap();
        let g = HopFile::open(db);
        assert_eq!(g.get(dest), Some(via));
        assert_eq!(g.dests(), vec![dest]);
        let mut g = g;
        assert!(g.set(dest, None));
        g.save().unwrap();
        assert_eq!(HopFile::open(db).get(dest), None);
        // A corrupt file is an empty set, not a refusal to start.
        std::fs::write(format!("{db}.routes.json"), b"{not json").unwrap();
        assert_eq!(HopFile::open(db).dests(), vec![]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
