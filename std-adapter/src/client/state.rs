//! The state file (`--state`, default `/var/lib/sixconf/client-IF.json`): the DUID and the
//! RFC 7217 secret, so the client keeps its identity, and the DHCPv6 binding with wall-clock
//! deadlines, so a restart resumes it ([`sixconf_core::dhcpv6::client::Client::restore`])
//! instead of soliciting anew. Written atomically (temporary file, then rename).

use std::net::Ipv6Addr;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use sixconf_core::dhcpv6::client::{Lease, Mode};
use sixconf_core::time::{Duration, Instant};

/// The default state file for `interface`.
pub fn default_path(interface: &str) -> PathBuf {
    PathBuf::from(format!("/var/lib/sixconf/client-{interface}.json"))
}

/// Seconds since the Unix epoch, now.
pub fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// Everything kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct State {
    /// The DUID (hex).
    pub duid: String,
    /// The RFC 7217 secret key (hex, 32 bytes).
    pub secret: String,
    /// The DHCPv6 binding held when last saved.
    #[serde(default)]
    pub binding: Option<SavedBinding>,
    /// The interface's `accept_ra` / `autoconf` as they were before the client switched them
    /// off; present only while a run has not restored them (it was killed), so the next run
    /// restores the original values, not its predecessor's zeros.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sysctls: Option<std::collections::BTreeMap<String, String>>,
}

/// A DHCPv6 binding with absolute deadlines.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedBinding {
    /// `stateful`, `stateful+pd` or `pd`.
    pub mode: String,
    /// The server's DUID (hex).
    pub server_id: String,
    /// Addresses.
    pub addresses: Vec<SavedLease>,
    /// Delegated prefixes.
    pub prefixes: Vec<SavedLease>,
    /// T1, Unix seconds.
    pub renew_at: f64,
    /// T2, Unix seconds.
    pub rebind_at: f64,
}

/// One lease; `None` deadlines are infinite.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedLease {
    /// Address or prefix.
    pub address: Ipv6Addr,
    /// 128, or the prefix length.
    pub prefix_len: u8,
    /// End of the preferred lifetime, Unix seconds.
    pub preferred_until: Option<f64>,
    /// End of the valid lifetime, Unix seconds.
    pub valid_until: Option<f64>,
}

/// The mode's name in the file.
pub fn mode_name(mode: Mode) -> Option<&'static str> {
    match mode {
        Mode::Stateful {
            prefix_delegation: false,
        } => Some("stateful"),
        Mode::Stateful {
            prefix_delegation: true,
        } => Some("stateful+pd"),
        Mode::PrefixDelegation => Some("pd"),
        Mode::Stateless => None,
    }
}

/// The mode named in the file.
pub fn parse_mode(name: &str) -> Option<Mode> {
    match name {
        "stateful" => Some(Mode::Stateful {
            prefix_delegation: false,
        }),
        "stateful+pd" => Some(Mode::Stateful {
            prefix_delegation: true,
        }),
        "pd" => Some(Mode::PrefixDelegation),
        _ => None,
    }
}

/// Maps the engine's clock to wall-clock time: `base` is the Unix time of [`Instant::ZERO`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Clock {
    /// Unix seconds at the engine's zero.
    pub base: f64,
}

impl Clock {
    /// The wall-clock time of `t` (`None`: the end of time, an infinite lifetime).
    pub fn wall(&self, t: Instant) -> Option<f64> {
        (t != Instant::from_millis(u64::MAX)).then(|| self.base + t.total_millis() as f64 / 1000.0)
    }

    /// What is left at engine time `now` until wall-clock `until` (`None`: infinite).
    pub fn left(&self, now: Instant, until: Option<f64>) -> Duration {
        match until {
            None => Duration::MAX,
            Some(u) => {
                let now_wall = self.base + now.total_millis() as f64 / 1000.0;
                Duration::from_millis(((u - now_wall).max(0.0) * 1000.0) as u64)
            }
        }
    }

    /// A saved lease as the engine takes it at `now`.
    pub fn lease(&self, now: Instant, s: &SavedLease, iaid: u32) -> Lease {
        Lease {
            address: s.address,
            prefix_len: s.prefix_len,
            preferred: self.left(now, s.preferred_until),
            valid: self.left(now, s.valid_until),
            received_at: now,
            iaid,
        }
    }

    /// A lease to save.
    pub fn save(&self, l: &Lease) -> SavedLease {
        SavedLease {
            address: l.address,
            prefix_len: l.prefix_len,
            preferred_until: self.wall(l.preferred_until()),
            valid_until: self.wall(l.valid_until()),
        }
    }
}

/// Read the state file; `Ok(None)` if there is none.
pub fn load(path: &Path) -> Result<Option<State>, String> {
    match std::fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| format!("{}: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

/// Write `text` to `path` atomically: a temporary file in the same directory created with
/// permissions `mode`, then rename.
pub fn write_atomic(path: &Path, text: &str, mode: u32) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".tmp{}", std::process::id()));
    let tmp = PathBuf::from(tmp);
    let _ = std::fs::remove_file(&tmp);
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(&tmp)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()?;
    drop(f);
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// Save the state file, readable by its owner only (it holds the RFC 7217 secret).
pub fn save(path: &Path, state: &State) -> std::io::Result<()> {
    let text = serde_json::to_string_pretty(state).map_err(std::io::Error::other)?;
    write_atomic(path, &(text + "\n"), 0o600)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leases_survive_a_restart_with_what_is_left() {
        let before = Clock { base: 1000.0 };
        let lease = Lease {
            address: "2001:db8::5".parse().unwrap(),
            prefix_len: 128,
            preferred: Duration::from_secs(100),
            valid: Duration::MAX,
            received_at: Instant::from_secs(10),
            iaid: 1,
        };
        let saved = before.save(&lease);
        assert_eq!(saved.preferred_until, Some(1110.0));
        assert_eq!(saved.valid_until, None);
        // Restarted 30 s of wall-clock time later, with the engine's clock at 2 s.
        let after = Clock { base: 1038.0 };
        let back = after.lease(Instant::from_secs(2), &saved, 7);
        assert_eq!(back.preferred, Duration::from_secs(70));
        assert_eq!(back.valid, Duration::MAX);
        assert_eq!(back.received_at, Instant::from_secs(2));
        assert_eq!(back.iaid, 7);
        // Long past: nothing left, never negative.
        let late = Clock { base: 9999.0 };
        assert_eq!(
            late.lease(Instant::ZERO, &saved, 1).preferred,
            Duration::ZERO
        );
    }

    #[test]
    fn file_round_trip_and_modes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/client-eth0.json");
        assert_eq!(load(&path), Ok(None));
        let state = State {
            duid: "00030001fa163e22386b".into(),
            secret: "00".repeat(32),
            binding: Some(SavedBinding {
                mode: "stateful+pd".into(),
                server_id: "0001".into(),
                addresses: vec![],
                prefixes: vec![],
                renew_at: 1.5,
                rebind_at: 2.5,
            }),
            sysctls: Some([("accept_ra".to_owned(), "2".to_owned())].into()),
        };
        save(&path, &state).unwrap();
        assert_eq!(load(&path), Ok(Some(state)));
        let mode = std::os::unix::fs::PermissionsExt::mode(
            &std::fs::metadata(&path).unwrap().permissions(),
        );
        assert_eq!(mode & 0o777, 0o600, "the secret is private");
        std::fs::write(&path, "{not json").unwrap();
        assert!(load(&path).unwrap_err().contains("client-eth0.json"));
        for m in ["stateful", "stateful+pd", "pd"] {
            assert_eq!(parse_mode(m).and_then(mode_name), Some(m));
        }
        assert_eq!(parse_mode("stateless"), None);
        assert_eq!(mode_name(Mode::Stateless), None);
    }
}
