//! Network namespaces for the root + peers suites: two namespaces ("router" and "host") joined by
//! a veth pair, each with its own `/etc/netns/<ns>/resolv.conf` written before anything runs in
//! it (BRIEF.md: a DHCP client's script must not rewrite the machine's own resolv.conf), and a
//! private temporary directory. Everything is removed on drop, also when the test panics:
//! processes started in the namespaces are killed by pid, then the namespaces, their
//! `/etc/netns` entries and the directory are deleted.
//!
//! Names are unique per process and per pair, so tests can run in parallel threads.

#![allow(dead_code)] // each test file uses a different part

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::sleep;
use std::time::{Duration, Instant};

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// Run a command; panic with its stderr if it fails; return its stdout.
pub fn sh(args: &[&str]) -> String {
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

/// Poll `ok` every 100 ms until it holds; panic after `timeout`.
pub fn wait_for(what: &str, timeout: Duration, mut ok: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ok() {
        assert!(
            start.elapsed() < timeout,
            "timed out after {timeout:?} waiting for {what}"
        );
        sleep(Duration::from_millis(100));
    }
}

/// Which end of the pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The router namespace.
    Router,
    /// The host namespace.
    Host,
}

/// How to build a [`Pair`].
#[derive(Debug, Clone)]
pub struct PairBuilder {
    tag: String,
    router_if: String,
    host_if: String,
    router_mac: Option<String>,
    host_mac: Option<String>,
    host_sysctls: Vec<String>,
    router_sysctls: Vec<String>,
}

impl PairBuilder {
    /// Interface names (default `sxr0` / `sxh0`; each lives in its own namespace).
    pub fn interfaces(mut self, router: &str, host: &str) -> Self {
        self.router_if = router.into();
        self.host_if = host.into();
        self
    }

    /// The router interface's MAC.
    pub fn router_mac(mut self, mac: &str) -> Self {
        self.router_mac = Some(mac.into());
        self
    }

    /// The host interface's MAC.
    pub fn host_mac(mut self, mac: &str) -> Self {
        self.host_mac = Some(mac.into());
        self
    }

    /// A sysctl for the host namespace; `{if}` stands for the host interface
    /// (`"net.ipv6.conf.{if}.accept_ra=2"`).
    pub fn host_sysctl(mut self, s: &str) -> Self {
        self.host_sysctls.push(s.into());
        self
    }

    /// A sysctl for the router namespace; `{if}` stands for the router interface.
    pub fn router_sysctl(mut self, s: &str) -> Self {
        self.router_sysctls.push(s.into());
        self
    }

    /// Create the namespaces and the veth pair, bring the interfaces up and wait until both
    /// link-local addresses have left Duplicate Address Detection.
    pub fn build(self) -> Pair {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let id = std::process::id();
        let dir = std::env::temp_dir().join(format!("sixconf-{}-{id}-{n}", self.tag));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        // Readable by an unprivileged user too (privilege tests run the daemon as nobody).
        sh(&["chmod", "755", dir.to_str().unwrap()]);
        let mut pair = Pair {
            router: format!("sx{}-r{id}-{n}", self.tag),
            host: format!("sx{}-h{id}-{n}", self.tag),
            router_if: self.router_if.clone(),
            host_if: self.host_if.clone(),
            dir,
            children: Vec::new(),
            made: Vec::new(),
        };
        for ns in [pair.router.clone(), pair.host.clone()] {
            std::fs::create_dir_all(format!("/etc/netns/{ns}")).unwrap();
            std::fs::write(format!("/etc/netns/{ns}/resolv.conf"), "nameserver ::1\n").unwrap();
            sh(&["ip", "netns", "add", &ns]);
            pair.made.push(ns.clone());
            sh(&["ip", "-n", &ns, "link", "set", "lo", "up"]);
        }
        let (r, h) = (pair.router.clone(), pair.host.clone());
        sh(&[
            "ip",
            "link",
            "add",
            &pair.router_if,
            "netns",
            &r,
            "type",
            "veth",
            "peer",
            "name",
            &pair.host_if,
            "netns",
            &h,
        ]);
        if let Some(mac) = &self.router_mac {
            sh(&[
                "ip",
                "-n",
                &r,
                "link",
                "set",
                &pair.router_if,
                "address",
                mac,
            ]);
        }
        if let Some(mac) = &self.host_mac {
            sh(&["ip", "-n", &h, "link", "set", &pair.host_if, "address", mac]);
        }
        for (ns, dev, list) in [
            (&r, &pair.router_if, &self.router_sysctls),
            (&h, &pair.host_if, &self.host_sysctls),
        ] {
            for s in list {
                let s = s.replace("{if}", dev);
                sh(&["ip", "netns", "exec", ns, "sysctl", "-qw", &s]);
            }
        }
        sh(&["ip", "-n", &r, "link", "set", &pair.router_if, "up"]);
        sh(&["ip", "-n", &h, "link", "set", &pair.host_if, "up"]);
        for side in [Side::Router, Side::Host] {
            let (ns, dev) = (pair.ns(side).to_owned(), pair.iface(side).to_owned());
            wait_for(
                &format!("link-local on {dev} out of DAD"),
                Duration::from_secs(10),
                || {
                    let a = sh(&["ip", "-n", &ns, "-6", "addr", "show", "dev", &dev]);
                    a.contains("fe80::") && !a.contains("tentative")
                },
            );
        }
        pair
    }
}

/// Two namespaces joined by a veth pair. See the [module docs](self).
#[derive(Debug)]
pub struct Pair {
    /// The router namespace's name.
    pub router: String,
    /// The host namespace's name.
    pub host: String,
    /// The router's interface.
    pub router_if: String,
    /// The host's interface.
    pub host_if: String,
    dir: PathBuf,
    children: Vec<Child>,
    made: Vec<String>,
}

impl Pair {
    /// A builder; `tag` (a few letters) goes into every name so leftovers are traceable.
    pub fn builder(tag: &str) -> PairBuilder {
        PairBuilder {
            tag: tag.into(),
            router_if: "sxr0".into(),
            host_if: "sxh0".into(),
            router_mac: None,
            host_mac: None,
            host_sysctls: Vec::new(),
            router_sysctls: Vec::new(),
        }
    }

    /// The namespace of `side`.
    pub fn ns(&self, side: Side) -> &str {
        match side {
            Side::Router => &self.router,
            Side::Host => &self.host,
        }
    }

    /// The interface of `side`.
    pub fn iface(&self, side: Side) -> &str {
        match side {
            Side::Router => &self.router_if,
            Side::Host => &self.host_if,
        }
    }

    /// The pair's private directory (removed on drop).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// A path in the private directory.
    pub fn path(&self, name: &str) -> String {
        self.dir.join(name).to_string_lossy().into_owned()
    }

    /// Run a command in `side`'s namespace; panic if it fails; return stdout.
    pub fn exec(&self, side: Side, args: &[&str]) -> String {
        let mut all = vec!["ip", "netns", "exec", self.ns(side)];
        all.extend_from_slice(args);
        sh(&all)
    }

    /// Run a command in `side`'s namespace and return its output, whatever its status.
    pub fn try_exec(&self, side: Side, args: &[&str]) -> std::process::Output {
        Command::new("ip")
            .args(["netns", "exec", self.ns(side)])
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("{args:?}: {e}"))
    }

    /// `ip -n <ns> ARGS`.
    pub fn ip(&self, side: Side, args: &[&str]) -> String {
        let mut all = vec!["ip", "-n", self.ns(side)];
        all.extend_from_slice(args);
        sh(&all)
    }

    /// Start a long-running command in `side`'s namespace with stdout and stderr to
    /// `<dir>/<log>`; killed on drop. Returns its pid.
    pub fn spawn(&mut self, side: Side, args: &[&str], log: &str) -> u32 {
        let out = std::fs::File::create(self.dir.join(log)).unwrap();
        let err = out.try_clone().unwrap();
        let child = Command::new("ip")
            .args(["netns", "exec", self.ns(side)])
            .args(args)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| panic!("{args:?}: {e}"));
        let pid = child.id();
        self.children.push(child);
        pid
    }

    /// The contents of `<dir>/<log>` (empty if missing).
    pub fn log(&self, log: &str) -> String {
        std::fs::read_to_string(self.dir.join(log)).unwrap_or_default()
    }

    /// Send `signal` (e.g. `"TERM"`, `"KILL"`) to a process started with [`Pair::spawn`].
    pub fn signal(&self, pid: u32, signal: &str) {
        sh(&["kill", &format!("-{signal}"), &pid.to_string()]);
    }

    /// Wait up to `timeout` for a spawned process to exit; its exit code (`None` if killed by a
    /// signal). Panics on timeout.
    pub fn wait_exit(&mut self, pid: u32, timeout: Duration) -> Option<i32> {
        let start = Instant::now();
        let idx = self
            .children
            .iter()
            .position(|c| c.id() == pid)
            .expect("not a spawned pid");
        loop {
            if let Some(status) = self.children[idx].try_wait().unwrap() {
                // Reaped by try_wait.
                let _ = self.children.remove(idx).wait();
                return status.code();
            }
            assert!(
                start.elapsed() < timeout,
                "process {pid} still running after {timeout:?}"
            );
            sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Pair {
    fn drop(&mut self) {
        for c in &mut self.children {
            let _ = c.kill();
            let _ = c.wait();
        }
        // Anything else started in our namespaces (a daemonised client): by pid.
        for ns in &self.made {
            if let Ok(out) = Command::new("ip").args(["netns", "pids", ns]).output() {
                for pid in String::from_utf8_lossy(&out.stdout).split_whitespace() {
                    let _ = Command::new("kill").args(["-KILL", pid]).status();
                }
            }
        }
        for ns in &self.made {
            let _ = Command::new("ip").args(["netns", "del", ns]).status();
            let _ = std::fs::remove_dir_all(format!("/etc/netns/{ns}"));
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
