//! A private PostgreSQL cluster for a test: `initdb` in a temporary directory, `pg_ctl start`
//! listening on a Unix socket in that directory only (no TCP), trust authentication. Run as the
//! `postgres` user when the test runs as root (PostgreSQL refuses root). Stopped (immediate)
//! and removed on drop, also when the test panics.
//!
//! Needs Debian's `postgresql` package (`/usr/lib/postgresql/<major>/bin`).

#![allow(dead_code)] // each test file uses a different part

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// The directory of `initdb`/`pg_ctl`: the newest `/usr/lib/postgresql/<major>/bin`.
pub fn bindir() -> PathBuf {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL is not installed (Debian: apt-get install postgresql)")
        .filter_map(|e| {
            let e = e.ok()?;
            let major = e.file_name().to_str()?.parse().ok()?;
            Some((major, e.path().join("bin")))
        })
        .filter(|(_, p)| p.join("pg_ctl").exists())
        .collect();
    found.sort();
    found
        .pop()
        .map(|(_, p)| p)
        .expect("no /usr/lib/postgresql/<major>/bin/pg_ctl")
}

fn is_root() -> bool {
    nix_uid() == 0
}

fn nix_uid() -> u32 {
    // No libc in the test's dependencies: ask `id`.
    Command::new("id")
        .arg("-u")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(u32::MAX)
}

/// A running cluster.
pub struct Cluster {
    dir: PathBuf,
    bin: PathBuf,
}

impl Cluster {
    /// `initdb` and start a cluster whose name contains `tag`; create database `sixconf`.
    pub fn start(tag: &str) -> Cluster {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("pg-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let c = Cluster { dir, bin: bindir() };
        if is_root() {
            c.sh(&["chown", "postgres:postgres", c.dir.to_str().unwrap()]);
        }
        c.run_pg(&[
            "initdb",
            "-D",
            c.data().to_str().unwrap(),
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
        ]);
        c.start_server();
        c.psql("postgres", "CREATE DATABASE sixconf");
        c
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// The directory holding the socket.
    pub fn socket_dir(&self) -> &Path {
        &self.dir
    }

    /// `lease_db` for database `db`, over the Unix socket.
    pub fn url(&self, db: &str) -> String {
        format!(
            "postgresql://postgres@{}/{db}",
            self.dir.to_str().unwrap().replace('/', "%2F")
        )
    }

    fn sh(&self, args: &[&str]) -> String {
        let out = Command::new(args[0])
            .args(&args[1..])
            .output()
            .unwrap_or_else(|e| panic!("{args:?}: {e}"));
        assert!(
            out.status.success(),
            "{args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Run a PostgreSQL program (as `postgres` when root).
    fn run_pg(&self, args: &[&str]) -> String {
        let prog = self.bin.join(args[0]);
        let prog = prog.to_str().unwrap();
        let mut all: Vec<&str> = Vec::new();
        if is_root() {
            all.extend_from_slice(&["runuser", "-u", "postgres", "--"]);
        }
        all.push(prog);
        all.extend_from_slice(&args[1..]);
        self.sh(&all)
    }

    /// Start the server (again, after [`stop`](Self::stop)); waits until it accepts.
    pub fn start_server(&self) {
        let opts = format!(
            "-k {} -c listen_addresses='' -c max_connections=50",
            self.dir.display()
        );
        let log = self.dir.join("server.log");
        self.run_pg(&[
            "pg_ctl",
            "-D",
            self.data().to_str().unwrap(),
            "-o",
            &opts,
            "-l",
            log.to_str().unwrap(),
            "-w",
            "start",
        ]);
    }

    /// Stop the server: `mode` is `fast` (clean) or `immediate` (like a crash).
    pub fn stop(&self, mode: &str) {
        self.run_pg(&[
            "pg_ctl",
            "-D",
            self.data().to_str().unwrap(),
            "-m",
            mode,
            "-w",
            "stop",
        ]);
    }

    /// Run SQL with psql in database `db`; unaligned output without headers.
    pub fn psql(&self, db: &str, sql: &str) -> String {
        self.run_pg(&[
            "psql",
            "-X",
            "-q",
            "-A",
            "-t",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            self.dir.to_str().unwrap(),
            "-U",
            "postgres",
            "-d",
            db,
            "-c",
            sql,
        ])
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let pid_file = self.data().join("postmaster.pid");
        if pid_file.exists() {
            let mut args: Vec<String> = Vec::new();
            if is_root() {
                args.extend(["runuser", "-u", "postgres", "--"].map(String::from));
            }
            args.push(self.bin.join("pg_ctl").to_string_lossy().into_owned());
            args.extend(
                [
                    "-D",
                    self.data().to_str().unwrap_or_default(),
                    "-m",
                    "immediate",
                    "-w",
                    "stop",
                ]
                .map(String::from),
            );
            let _ = Command::new(&args[0]).args(&args[1..]).output();
        }
        if std::env::var_os("KEEP").is_none() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}
