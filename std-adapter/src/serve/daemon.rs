//! The run loop: one thread, readiness-based (mio), driven by the engines' `poll_timeout`; the
//! lease store runs on a second thread ([`super::committer`]).
//!
//! Each turn: let time pass in every engine, send what is due, wait for a socket, a signal, a
//! finished commit or the next deadline; then drain the readable sockets and hand every lease
//! event of the batch to the store thread as one transaction (group commit; while a commit is in
//! flight the next batch grows). When it is committed: act on delegated prefixes (routes), and
//! only then send the DHCPv6 replies that depend on it (a Reply never leaves before the lease it
//! promises is committed). Replies that promise nothing (Advertise, Information-request) leave
//! at once.
//!
//! With a shared store (PostgreSQL), a lease event the store refuses withholds its reply and
//! the engine forgets the binding and learns the holder's lease ([`Server::forget`],
//! [`Server::restore`]); a Renew, Rebind, Release or Decline from a client the engine does not
//! know is preceded by a look-up of its leases in the store.

use std::io;
use std::net::Ipv6Addr;
use std::path::{Path, PathBuf};
use std::time::Duration as StdDuration;

use mio::unix::SourceFd;
use mio::{Events, Interest, Poll, Token};
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM, SIGUSR1};
use signal_hook_mio::v1_0::Signals;
use sixconf_core::dhcpv6::server::{
    config::MAX_LINKS, IaType, LeaseEvent, LeaseEventKind, Limits, LinkConfig, RxMeta, Server,
    Slot, Transmit, DUID_CAPACITY_MAX, EVENT_QUEUE, RATE_BUCKETS,
};
use sixconf_core::profile::{AdvPrefix, Prefix, Profile};
use sixconf_core::ra::{Advertiser, Event as RaEvent, Link};
use sixconf_core::time::Instant;
use sixconf_core::wire::dhcpv6::{DuidBuf, MessageType, Repr};
use sixconf_core::wire::ndisc::IpMeta;
use tracing::{debug, error, info, warn};

use super::committer::Committer;
use super::counters::{self, bump, AdapterCounters};
use super::hops::HopFile;
use super::iface::Interface;
use super::routes::{Dest, NextHop, Routes};
use super::sockets::{DhcpSocket, NdSocket, TYPE_RA, TYPE_RS};
use super::uplink::{Change, Uplink};
use crate::client::netlink::Kernel;
use crate::config::{Config, Durability, LinkSpec};
use crate::store::{self, Refused, StoreError};

/// Token of the signal source.
const SIGNALS: Token = Token(usize::MAX - 1);
/// Token of the DHCPv6 socket.
const DHCP: Token = Token(usize::MAX - 2);
/// Token of the lease store thread's waker (a commit finished).
const STORE: Token = Token(usize::MAX - 3);
/// Token of WAN uplink `i`: `UPLINK_BASE - i`.
const UPLINK_BASE: usize = usize::MAX - 16;
/// Most datagrams read from one socket before the batch is committed and answered, so that one
/// busy socket neither starves the others nor delays replies unboundedly. It also bounds the
/// burst of Replies one finished commit releases: a client's default receive buffer holds
/// about 270 datagrams, fewer beside what is already queued in it.
const BATCH: usize = 64;
/// How often a delegated link's DHCPv6 lifetimes are re-derived from what is left of the
/// delegation between WAN events.
const REFOLLOW: sixconf_core::time::Duration = sixconf_core::time::Duration::from_secs(30);
/// How long to wait at start for an interface's link-local address to leave DAD.
const DAD_WAIT: StdDuration = StdDuration::from_secs(5);

/// The engines' clock: Unix milliseconds (what the lease store persists), advanced by the
/// monotonic clock so that a wall-clock step does not disturb RA timing while running.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    base: Instant,
    start: std::time::Instant,
}

impl Clock {
    /// Start now.
    pub fn new() -> Clock {
        Clock {
            base: store::unix_now(),
            start: std::time::Instant::now(),
        }
    }

    /// The current instant.
    pub fn now(&self) -> Instant {
        let ms = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX);
        Instant::from_millis(self.base.total_millis().saturating_add(ms))
    }
}

impl Default for Clock {
    fn default() -> Self {
        Clock::new()
    }
}

/// Why the daemon could not start (or stopped with an error).
#[derive(Debug)]
pub enum StartError {
    /// Missing capabilities.
    Privileges(super::privileges::Missing),
    /// A socket operation failed.
    Socket(super::sockets::SocketError),
    /// An interface cannot be served.
    Interface(super::iface::InterfaceError),
    /// The lease store failed.
    Store(store::StoreError),
    /// A link's profile does not fit its interface (e.g. MTU).
    Profile {
        /// The link.
        link: String,
        /// What is wrong.
        what: String,
    },
    /// Anything else in the operating system.
    Io {
        /// What was being done.
        what: String,
        /// The error.
        source: io::Error,
    },
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::Privileges(m) => write!(f, "{m}"),
            StartError::Socket(e) => write!(f, "{e}"),
            StartError::Interface(e) => write!(f, "{e}"),
            StartError::Store(e) => write!(f, "{e}"),
            StartError::Profile { link, what } => write!(f, "link {link}: {what}"),
            StartError::Io { what, source } => write!(f, "{what}: {source}"),
        }
    }
}

impl std::error::Error for StartError {}

impl From<super::sockets::SocketError> for StartError {
    fn from(e: super::sockets::SocketError) -> Self {
        StartError::Socket(e)
    }
}

impl StartError {
    /// The process exit status: [`super::privileges::EXIT_NO_PERMISSION`] when privileges are
    /// missing (found up front, or refused by a socket anyway: a security module, a user
    /// namespace), 1 otherwise.
    pub fn exit_status(&self) -> u8 {
        match self {
            StartError::Privileges(_) => super::privileges::EXIT_NO_PERMISSION,
            StartError::Socket(e) if e.is_permission() => super::privileges::EXIT_NO_PERMISSION,
            StartError::Io { source, .. } if source.kind() == io::ErrorKind::PermissionDenied => {
                super::privileges::EXIT_NO_PERMISSION
            }
            _ => 1,
        }
    }
}

/// One `[[link]]` at run time.
struct LinkRt {
    spec: LinkSpec,
    iface: Option<Interface>,
    adv: Option<Advertiser>,
    nd: Option<NdSocket>,
    /// A link numbered from a delegation: rtnetlink on its interface, for the router's own
    /// address in each sub-prefix.
    kernel: Option<Kernel>,
    /// The router's addresses added on the interface, with their prefix lengths.
    own_addresses: Vec<(Ipv6Addr, u8)>,
    /// The delegated sub-prefix advertised as current (for the log).
    current_sub: Option<Prefix>,
}

/// A DHCPv6 reply waiting for the batch's commit.
struct Pending {
    bytes: Vec<u8>,
    tx: Transmit,
    /// Sequence number of the first lease event of the message (its events run from here to
    /// `tx.commit_through`).
    first_seq: Option<u64>,
}

/// A table slot of the daemon: it serves every DUID RFC 9915 §11.1 allows (up to 130 bytes),
/// at 216 bytes a binding, rather than the core's embedded default of 32-byte DUIDs.
type DaemonSlot = Slot<DUID_CAPACITY_MAX>;
/// The daemon's server engine over a boxed table of [`DaemonSlot`]s.
type DaemonServer =
    Server<Box<[DaemonSlot]>, MAX_LINKS, EVENT_QUEUE, RATE_BUCKETS, DUID_CAPACITY_MAX>;

/// The running daemon.
pub struct Daemon {
    config_path: PathBuf,
    clock: Clock,
    poll: Poll,
    signals: Signals,
    links: Vec<LinkRt>,
    /// DHCPv6 prefix delegation clients on the WAN interfaces delegated links name.
    uplinks: Vec<Uplink>,
    /// When each uplink's links were last re-derived ([`Daemon::follow`]).
    followed: Vec<Instant>,
    dhcp: Option<DhcpSocket>,
    server: DaemonServer,
    /// The `[server]` limits as configured (the engine keeps a clamped copy).
    configured_limits: Limits,
    committer: Committer,
    /// The batch being committed, and the replies waiting for it.
    inflight_batch: Vec<(LeaseEvent, Option<NextHop>)>,
    inflight_pending: Vec<Pending>,
    routes: Option<Routes>,
    hops: HopFile,
    counters: AdapterCounters,
    /// Lease events of the batch with the next hop of the message that caused them.
    batch: Vec<(LeaseEvent, Option<NextHop>)>,
    pending: Vec<Pending>,
    /// Highest event sequence number committed.
    durable_through: Option<u64>,
    /// Sequence number of the next lease event when the batch is empty.
    seq_floor: u64,
    stopping: bool,
    rx: Vec<u8>,
    out: Vec<u8>,
}

/// Read 8 random bytes from the kernel (seeds for RA timing and the table's hash key).
fn random_u64() -> u64 {
    let mut b = [0u8; 8];
    if let Ok(mut f) = std::fs::File::open("/dev/urandom") {
        let _ = io::Read::read_exact(&mut f, &mut b);
    }
    u64::from_le_bytes(b) ^ u64::from(std::process::id())
}

/// The profile an interface advertises: the configured one with the interface's MAC as Source
/// Link-Layer Address when configured (RFC 4861 §4.6.1).
fn profile_for(spec: &LinkSpec, iface: &Interface) -> Profile {
    let mut p = spec.profile.clone();
    if spec.source_link_layer {
        p.router.source_link_layer = iface.mac;
    }
    if spec.delegated.is_some() {
        // The template prefix only shapes the delegated ones (flags, lifetimes): not sent.
        p.prefix_from_delegation = true;
        for a in &mut p.prefixes {
            a.on_link = false;
            a.autonomous = false;
            a.pd_preferred = false;
        }
    }
    p
}

/// The flags and lifetimes a delegated sub-prefix is advertised with: the template's.
fn template_of(spec: &LinkSpec) -> Option<AdvPrefix> {
    spec.delegated.as_ref()?;
    spec.profile.prefixes.first().copied()
}

/// The bits of a delegated prefix above its length.
fn prefix_bits(address: Ipv6Addr, len: u8) -> u128 {
    u128::from(address) & u128::MAX.checked_shl(128 - u32::from(len)).unwrap_or(0)
}

/// The server's view of a delegated link: the template's prefixes and pools with the
/// delegation's bits ORed in and lease lifetimes within what is left of it (RFC 9096 §3.3
/// L-13), or no prefix and no pool while nothing is delegated (Solicits get NoAddrsAvail).
fn delegated_server_link(
    mut l: LinkConfig,
    current: Option<&sixconf_core::dhcpv6::client::Lease>,
    now: Instant,
) -> LinkConfig {
    let Some(lease) = current else {
        l.prefixes.clear();
        l.address_pools.clear();
        return l;
    };
    let bits = prefix_bits(lease.address, lease.prefix_len);
    let or = |a: Ipv6Addr| Ipv6Addr::from(u128::from(a) | bits);
    for p in &mut l.prefixes {
        p.address = or(p.address);
    }
    for p in &mut l.address_pools {
        p.first = or(p.first);
        p.last = or(p.last);
    }
    let (pref, valid) = lease.remaining(now);
    let secs = |d: sixconf_core::time::Duration| u32::try_from(d.secs()).unwrap_or(u32::MAX);
    let lt = &mut l.address_lifetimes;
    lt.valid = lt.valid.min(secs(valid));
    lt.preferred = lt.preferred.min(secs(pref)).min(lt.valid);
    lt.t1 = lt.t1.map(|t| t.min(lt.preferred / 2));
    lt.t2 = lt.t2.map(|t| t.min(lt.preferred * 4 / 5));
    l
}

/// The server's view of a link: direct messages belong to it only if it serves DHCPv6 on an
/// interface (`slaac` links answer nothing).
fn server_link(spec: &LinkSpec, iface: Option<&Interface>) -> LinkConfig {
    let mut l = spec.server.clone();
    l.ifindex = iface.filter(|_| spec.serves_dhcpv6()).map(|i| i.index);
    l
}

/// Send one DHCPv6 reply on `sock` (counted and logged if it fails).
fn send(sock: Option<&DhcpSocket>, counters: &mut AdapterCounters, bytes: &[u8], tx: &Transmit) {
    let Some(sock) = sock else {
        return;
    };
    if let Err(e) = sock.send(bytes, tx.dst, tx.port, tx.ifindex) {
        bump(&mut counters.dhcp_send_errors);
        warn!(dst = %tx.dst, "DHCPv6 reply not sent: {e}");
    }
}

/// May a reply that depends on lease events up to `commit_through` be sent, when events up to
/// `durable_through` are committed? (DESIGN.md: a Reply is sent only after its lease is
/// committed.)
pub fn releasable(commit_through: Option<u64>, durable_through: Option<u64>) -> bool {
    match commit_through {
        None => true,
        Some(c) => durable_through.is_some_and(|d| d >= c),
    }
}

fn is_pd(e: &LeaseEvent) -> bool {
    e.lease.ia_type == IaType::Pd
}

fn dest_of(e: &LeaseEvent) -> Dest {
    (e.lease.address, e.lease.prefix_len)
}

impl Daemon {
    /// Open everything `config` needs; nothing is sent yet.
    pub fn start(config_path: &Path, config: Config) -> Result<Daemon, StartError> {
        let clock = Clock::new();
        let poll = Poll::new().map_err(|source| StartError::Io {
            what: "creating the poller".into(),
            source,
        })?;
        let mut signals =
            Signals::new([SIGTERM, SIGINT, SIGHUP, SIGUSR1]).map_err(|source| StartError::Io {
                what: "installing signal handlers".into(),
                source,
            })?;
        poll.registry()
            .register(&mut signals, SIGNALS, Interest::READABLE)
            .map_err(|source| StartError::Io {
                what: "registering signals".into(),
                source,
            })?;

        let any_dhcp = config.links.iter().any(|l| l.serves_dhcpv6());
        let any_pd = config
            .links
            .iter()
            .any(|l| l.serves_dhcpv6() && !l.server.prefix_pools.is_empty());
        let any_delegated = config.links.iter().any(|l| l.delegated.is_some());
        if let Some(eff) = super::privileges::effective() {
            super::privileges::check(eff, any_dhcp || any_delegated, any_pd || any_delegated)
                .map_err(StartError::Privileges)?;
        }

        let now = clock.now();
        let mut uplinks: Vec<Uplink> = Vec::new();
        for wan in config.links.iter().filter_map(|l| l.delegated.as_ref()) {
            if uplinks.iter().any(|u| u.iface.name == wan.wan) {
                continue;
            }
            let u = Uplink::open(&wan.wan, &config.server.lease_db, now).map_err(|what| {
                StartError::Profile {
                    link: wan.wan.clone(),
                    what,
                }
            })?;
            poll.registry()
                .register(
                    &mut SourceFd(&u.raw_fd()),
                    Token(UPLINK_BASE - uplinks.len()),
                    Interest::READABLE,
                )
                .map_err(|source| StartError::Io {
                    what: "registering a WAN DHCPv6 socket".into(),
                    source,
                })?;
            uplinks.push(u);
        }
        let mut links = Vec::new();
        let mut server_links = heapless::Vec::<LinkConfig, MAX_LINKS>::new();
        for spec in config.links {
            let iface = match &spec.interface {
                Some(name) => {
                    Some(Interface::lookup(name, DAD_WAIT).map_err(StartError::Interface)?)
                }
                None => None,
            };
            let (adv, nd) = match &iface {
                Some(i) => {
                    let link = Link {
                        link_local: i.link_local,
                        mtu: i.mtu,
                    };
                    let mut adv = Advertiser::new(profile_for(&spec, i), link, random_u64(), now)
                        .map_err(|e| StartError::Profile {
                        link: spec.name.clone(),
                        what: e.to_string(),
                    })?;
                    adv.set_default_router_needs_prefix(spec.delegated.is_some());
                    (Some(adv), Some(NdSocket::open(i)?))
                }
                None => (None, None),
            };
            let mut sl = server_link(&spec, iface.as_ref());
            if spec.delegated.is_some() {
                sl = delegated_server_link(sl, None, now);
            }
            let kernel = match (&spec.delegated, &iface) {
                (Some(_), Some(i)) => {
                    Some(Kernel::open(i.index).map_err(|source| StartError::Io {
                        what: "opening rtnetlink".into(),
                        source,
                    })?)
                }
                _ => None,
            };
            if server_links.push(sl).is_err() {
                return Err(StartError::Profile {
                    link: spec.name.clone(),
                    what: format!("more than {MAX_LINKS} links"),
                });
            }
            links.push(LinkRt {
                spec,
                iface,
                adv,
                nd,
                kernel,
                own_addresses: Vec::new(),
                current_sub: None,
            });
        }
        for (i, l) in links.iter().enumerate() {
            if let Some(nd) = &l.nd {
                poll.registry()
                    .register(&mut SourceFd(&nd.raw_fd()), Token(i), Interest::READABLE)
                    .map_err(|source| StartError::Io {
                        what: "registering an ICMPv6 socket".into(),
                        source,
                    })?;
            }
        }

        let names: Vec<String> = links.iter().map(|l| l.spec.name.clone()).collect();
        let shared_db = store::is_postgres_url(&config.server.lease_db);
        // `/var/lib/sixconf` does not exist on a fresh machine.
        if let Some(dir) = Path::new(&config.server.lease_db)
            .parent()
            .filter(|_| !shared_db)
        {
            if !dir.as_os_str().is_empty() && !dir.exists() {
                std::fs::create_dir_all(dir).map_err(|source| StartError::Io {
                    what: format!("creating {}", dir.display()),
                    source,
                })?;
            }
        }
        let mut store = store::open(&config.server, &names).map_err(StartError::Store)?;
        // Servers sharing a database each have their own DUID (README, "Several servers"): a
        // DUID-LL (RFC 9915 §11.4) of the first served interface unless one is configured.
        let own_duid = config.server.duid.or_else(|| {
            if !store.is_shared() {
                return None;
            }
            let mac = links
                .iter()
                .find_map(|l| l.iface.as_ref().and_then(|i| i.mac))?;
            let mut d = [0u8, 3, 0, 1, 0, 0, 0, 0, 0, 0];
            d[4..].copy_from_slice(&mac);
            DuidBuf::from_bytes(&d).ok()
        });
        let duid = store
            .server_duid(own_duid.as_ref())
            .map_err(StartError::Store)?;
        let configured_limits = config.server.limits;
        let max_leases = config.server.max_leases.max(1);
        // The table (a few hundred MB for a million leases) is allocated and cleared once the
        // store has started reading, so that the two overlap.
        let (server, report) = store::load_building(store.as_mut(), clock.now(), || {
            Server::new(
                duid,
                server_links,
                configured_limits,
                vec![DaemonSlot::empty(); max_leases].into_boxed_slice(),
                random_u64(),
            )
        })
        .map_err(StartError::Store)?;
        info!(
            restored = report.restored,
            expired = report.expired,
            skipped_bad_rows = report.skipped_bad_rows,
            refused = report.refused,
            "leases loaded"
        );

        let dhcp = if any_dhcp {
            let sock = DhcpSocket::open()?;
            for l in &links {
                if let (Some(i), true) = (&l.iface, l.spec.serves_dhcpv6()) {
                    sock.join(i)?;
                }
            }
            poll.registry()
                .register(&mut SourceFd(&sock.raw_fd()), DHCP, Interest::READABLE)
                .map_err(|source| StartError::Io {
                    what: "registering the DHCPv6 socket".into(),
                    source,
                })?;
            Some(sock)
        } else {
            None
        };

        let routes = if any_pd {
            Some(Routes::open().map_err(|source| StartError::Io {
                what: "opening rtnetlink".into(),
                source,
            })?)
        } else {
            None
        };
        let hop_path = if shared_db {
            // A URL is no file name: the next hops go to the state directory.
            let dir = Path::new(crate::config::DEFAULT_LEASE_DB)
                .parent()
                .unwrap_or(Path::new("/var/lib/sixconf"));
            dir.join(format!(
                "postgres-{}",
                store::duid_hex(duid.as_bytes()).replace(':', "")
            ))
            .to_string_lossy()
            .into_owned()
        } else {
            config.server.lease_db.clone()
        };
        if let Some(dir) = Path::new(&hop_path).parent().filter(|d| !d.exists()) {
            // Best effort: without it, next hops are not recorded (logged at each save).
            let _ = std::fs::create_dir_all(dir);
        }
        let waker =
            std::sync::Arc::new(mio::Waker::new(poll.registry(), STORE).map_err(|source| {
                StartError::Io {
                    what: "creating the store waker".into(),
                    source,
                }
            })?);
        let committer = Committer::start(store, waker).map_err(|source| StartError::Io {
            what: "starting the lease store thread".into(),
            source,
        })?;
        let hops =
            HopFile::open(&hop_path).with_fsync(config.server.durability == Durability::Fsync);

        let mut d = Daemon {
            config_path: config_path.to_owned(),
            clock,
            poll,
            signals,
            links,
            followed: vec![now; uplinks.len()],
            uplinks,
            dhcp,
            server,
            configured_limits,
            committer,
            inflight_batch: Vec::new(),
            inflight_pending: Vec::new(),
            routes,
            hops,
            counters: AdapterCounters::default(),
            batch: Vec::new(),
            pending: Vec::new(),
            durable_through: None,
            seq_floor: 0,
            stopping: false,
            rx: vec![0u8; 65_536],
            out: vec![0u8; 65_536],
        };
        d.restore_routes();
        for l in &d.links {
            match &l.iface {
                Some(i) => info!(
                    link = %l.spec.name, interface = %i.name, ifindex = i.index,
                    link_local = %i.link_local, mtu = i.mtu, mode = %l.spec.profile.mode,
                    "serving"
                ),
                None => {
                    info!(link = %l.spec.name, mode = %l.spec.profile.mode, "serving through relays")
                }
            }
        }
        Ok(d)
    }

    /// Routes for every restored delegated prefix whose next hop is known (recorded at the last
    /// run, or still in the kernel after a crash); stale `proto dhcp` routes inside our PD pools
    /// are removed.
    fn restore_routes(&mut self) {
        let Some(routes) = self.routes.as_mut() else {
            return;
        };
        let kernel = routes.dump_dhcp_routes().unwrap_or_else(|e| {
            warn!("cannot list routes: {e}");
            Vec::new()
        });
        let held: Vec<Dest> = self
            .server
            .table()
            .iter()
            .filter(|b| b.ia_type() == IaType::Pd && !b.is_declined())
            .map(|b| (b.address(), b.prefix_len()))
            .collect();
        for dest in &held {
            let from_kernel = kernel.iter().find(|r| r.dest == *dest).and_then(|r| r.via);
            let via = self.hops.get(*dest).or(from_kernel);
            match via {
                Some(v) => match routes.install(*dest, v) {
                    Ok(()) => {
                        bump(&mut self.counters.routes_installed);
                        info!(prefix = %dest.0, len = dest.1, via = %v.gateway, "route restored");
                    }
                    Err(e) => {
                        bump(&mut self.counters.route_errors);
                        warn!(prefix = %dest.0, len = dest.1, "cannot restore route: {e}");
                    }
                },
                None => info!(
                    prefix = %dest.0, len = dest.1,
                    "no next hop known; the route comes back at the client's next Renew"
                ),
            }
        }
        // Routes left by a previous run for prefixes no longer held, inside our pools.
        let pools: Vec<_> = self
            .server
            .links()
            .iter()
            .flat_map(|l| l.prefix_pools.iter().copied())
            .collect();
        for r in kernel {
            let ours = pools.iter().any(|p| p.prefix.contains(r.dest.0));
            if ours && !held.contains(&r.dest) && routes.remove(r.dest).is_ok() {
                bump(&mut self.counters.routes_removed);
            }
        }
        let mut changed = false;
        for dest in self.hops.dests() {
            if !held.contains(&dest) {
                changed |= self.hops.set(dest, None);
            }
        }
        if changed {
            let _ = self.hops.save();
        }
    }

    /// Run until SIGTERM/SIGINT and the final RAs; returns the process exit status.
    pub fn run(mut self) -> u8 {
        let mut events = Events::with_capacity(64);
        let mut readable = vec![false; self.links.len()];
        let mut dhcp_readable = false;
        loop {
            let now = self.clock.now();
            self.tick(now);
            self.flush();
            if self.stopping
                && self
                    .links
                    .iter()
                    .all(|l| l.adv.as_ref().is_none_or(|a| a.is_stopped()))
            {
                break;
            }
            let busy = dhcp_readable || readable.iter().any(|&r| r);
            let timeout = if busy {
                Some(StdDuration::ZERO)
            } else {
                self.next_deadline().map(|t| {
                    StdDuration::from_millis(
                        t.saturating_duration_since(self.clock.now()).total_millis(),
                    )
                })
            };
            if let Err(e) = self.poll.poll(&mut events, timeout) {
                if e.kind() != io::ErrorKind::Interrupted {
                    error!("poll: {e}");
                    return 1;
                }
            }
            let mut signalled = false;
            for ev in events.iter() {
                match ev.token() {
                    SIGNALS => signalled = true,
                    STORE => {}
                    DHCP => dhcp_readable = true,
                    Token(t) if t <= UPLINK_BASE && UPLINK_BASE - t < self.uplinks.len() => {
                        let i = UPLINK_BASE - t;
                        let now = self.clock.now();
                        if let Some(u) = self.uplinks.get_mut(i) {
                            if u.receive(now) == Change::Prefixes {
                                self.follow(i, now);
                            }
                        }
                    }
                    Token(i) => {
                        if let Some(r) = readable.get_mut(i) {
                            *r = true;
                        }
                    }
                }
            }
            let now = self.clock.now();
            for (i, r) in readable.iter_mut().enumerate() {
                if *r {
                    *r = self.drain_nd(now, i);
                }
            }
            if dhcp_readable {
                dhcp_readable = self.drain_dhcp(now);
            }
            // Group commit, then replies.
            self.flush();
            if signalled {
                let pending: Vec<i32> = self.signals.pending().collect();
                for sig in pending {
                    match sig {
                        SIGTERM | SIGINT if self.stopping => {
                            info!("second signal: exiting without waiting for the final RAs");
                            return self.exit();
                        }
                        SIGTERM | SIGINT => self.begin_stop(),
                        SIGHUP => self.reload(),
                        SIGUSR1 => eprint!("{}", self.render_counters()),
                        _ => {}
                    }
                }
            }
        }
        self.exit()
    }

    fn exit(mut self) -> u8 {
        self.flush_all();
        for u in &mut self.uplinks {
            u.shutdown();
        }
        for l in &mut self.links {
            if let Some(k) = l.kernel.as_mut() {
                for (a, len) in l.own_addresses.drain(..) {
                    let _ = k.remove_address(a, len);
                }
            }
        }
        if let Some(routes) = self.routes.as_mut() {
            let installed: Vec<Dest> = routes.installed().map(|(d, _)| d).collect();
            for dest in installed {
                match routes.remove(dest) {
                    Ok(()) => bump(&mut self.counters.routes_removed),
                    Err(e) => {
                        bump(&mut self.counters.route_errors);
                        warn!(prefix = %dest.0, len = dest.1, "cannot remove route: {e}");
                    }
                }
            }
        }
        eprint!("{}", self.render_counters());
        info!("stopped");
        0
    }

    /// SIGTERM/SIGINT: final RAs with router lifetime 0 (RFC 4861 §6.2.5), then exit.
    fn begin_stop(&mut self) {
        info!("stopping: sending final Router Advertisements");
        self.stopping = true;
        let now = self.clock.now();
        for l in &mut self.links {
            if let Some(a) = l.adv.as_mut() {
                a.stop(now);
            }
        }
    }

    /// SIGHUP: read the file again and hand each link's new profile to its engines. No lease is
    /// touched; the Advertiser keeps its schedule (no burst of RAs) and deprecates removed
    /// prefixes (RFC 9096 §3.5). The list of links (names and interfaces, in order) must stay
    /// the same: changing it needs a restart.
    fn reload(&mut self) {
        let config = match crate::config::load(&self.config_path) {
            Ok(c) => c,
            Err(e) => {
                bump(&mut self.counters.reload_failures);
                error!(
                    "reload refused, configuration kept: {}: {e}",
                    self.config_path.display()
                );
                return;
            }
        };
        let same_links = config.links.len() == self.links.len()
            && config.links.iter().zip(&self.links).all(|(n, o)| {
                n.name == o.spec.name
                    && n.interface == o.spec.interface
                    && n.delegated.as_ref().map(|d| &d.wan)
                        == o.spec.delegated.as_ref().map(|d| &d.wan)
            });
        if !same_links {
            bump(&mut self.counters.reload_failures);
            error!("reload refused: the list of links changed (names, interfaces or the WAN of a delegated prefix); restart to apply it");
            return;
        }
        let now = self.clock.now();
        // Check every link first, so that a reload is applied whole or not at all.
        for (spec, l) in config.links.iter().zip(&self.links) {
            if let (Some(adv), Some(i)) = (&l.adv, &l.iface) {
                let mut probe = adv.clone();
                if let Err(e) = probe.reload(now, profile_for(spec, i)) {
                    bump(&mut self.counters.reload_failures);
                    error!(link = %spec.name, "reload refused, configuration kept: {e}");
                    return;
                }
            }
        }
        for (idx, (spec, l)) in config.links.into_iter().zip(&mut self.links).enumerate() {
            if let (Some(adv), Some(i)) = (l.adv.as_mut(), &l.iface) {
                let _ = adv.reload(now, profile_for(&spec, i));
            }
            self.server
                .set_link(idx, server_link(&spec, l.iface.as_ref()));
            l.spec = spec;
        }
        for i in 0..self.uplinks.len() {
            self.follow(i, now);
        }
        if config.server.limits != self.configured_limits {
            warn!("[server] limits and max_leases take effect at the next restart");
        }
        bump(&mut self.counters.reloads);
        info!("configuration reloaded");
    }

    /// The delegation on uplink `u` changed (or time passed): give every link numbered from it
    /// its sub-prefixes. The prefix bound last is advertised with the delegation's lifetimes;
    /// any other still held is deprecated (preferred 0, valid counting down, RFC 9096 §3.3);
    /// one no longer held is withdrawn (stale, RFC 9096 §3.5). The router takes address `::1`
    /// of each sub-prefix on the LAN interface, with the prefix route (as netifd/odhcpd do),
    /// and the DHCPv6 server's pools move to the current sub-prefix: leases in an old one are
    /// answered with lifetimes 0 at their next Renew (RFC 9915 §18.3.4).
    fn follow(&mut self, u: usize, now: Instant) {
        if let Some(t) = self.followed.get_mut(u) {
            *t = now;
        }
        let Some(uplink) = self.uplinks.get(u) else {
            return;
        };
        let wan = uplink.iface.name.clone();
        let (held, current) = uplink.held();
        let held = held.to_vec();
        let current_lease = held
            .iter()
            .find(|l| Some((l.address, l.prefix_len)) == current)
            .copied();
        for (idx, l) in self.links.iter_mut().enumerate() {
            let Some(d) = l.spec.delegated.clone().filter(|d| d.wan == wan) else {
                continue;
            };
            let Some(template) = template_of(&l.spec) else {
                continue;
            };
            let mut keep: Vec<Prefix> = Vec::new();
            let mut own: Vec<(
                Ipv6Addr,
                u8,
                sixconf_core::time::Duration,
                sixconf_core::time::Duration,
            )> = Vec::new();
            for lease in &held {
                let Some(sub) = d.subnet_of(lease.address, lease.prefix_len) else {
                    warn!(link = %l.spec.name, prefix = %lease.address, len = lease.prefix_len,
                        subnet_index = d.subnet_index, subnet_length = d.subnet_length,
                        "the delegated prefix has no such subnet");
                    continue;
                };
                let is_current = Some((lease.address, lease.prefix_len)) == current;
                let (pref, valid) = lease.remaining(now);
                let preferred_until = if is_current {
                    lease.preferred_until()
                } else {
                    now
                };
                let mut adv_prefix = template;
                adv_prefix.prefix = sub;
                if let Some(adv) = l.adv.as_mut() {
                    if let Err(e) = adv.set_delegated_prefix(
                        now,
                        adv_prefix,
                        preferred_until,
                        lease.valid_until(),
                    ) {
                        warn!(link = %l.spec.name, prefix = %sub.addr, "{e}");
                        continue;
                    }
                }
                keep.push(sub);
                let router = Ipv6Addr::from(u128::from(sub.addr) | 1);
                own.push((
                    router,
                    sub.len,
                    if is_current {
                        pref
                    } else {
                        sixconf_core::time::Duration::ZERO
                    },
                    valid,
                ));
                if is_current && l.current_sub != Some(sub) {
                    l.current_sub = Some(sub);
                    info!(link = %l.spec.name, prefix = %sub.addr, len = sub.len, "advertising the delegated prefix");
                }
            }
            if current.is_none() {
                l.current_sub = None;
            }
            if let Some(adv) = l.adv.as_mut() {
                let gone: Vec<Prefix> = adv
                    .delegated_prefixes()
                    .iter()
                    .map(|p| p.adv.prefix)
                    .filter(|p| !keep.contains(p))
                    .collect();
                for p in gone {
                    info!(link = %l.spec.name, prefix = %p.addr, len = p.len, "delegation gone: prefix advertised stale (RFC 9096 §3.5)");
                    adv.withdraw_delegated_prefix(now, p);
                }
            }
            if let Some(k) = l.kernel.as_mut() {
                for (a, len, pref, valid) in &own {
                    if let Err(e) = k.set_address_routed(*a, *len, *pref, *valid, true) {
                        warn!(link = %l.spec.name, address = %a, "cannot set the router's address: {e}");
                    }
                }
                let stale: Vec<(Ipv6Addr, u8)> = l
                    .own_addresses
                    .iter()
                    .filter(|(a, _)| !own.iter().any(|o| o.0 == *a))
                    .copied()
                    .collect();
                for (a, len) in stale {
                    let _ = k.remove_address(a, len);
                }
                l.own_addresses = own.iter().map(|o| (o.0, o.1)).collect();
            }
            let template_link = server_link(&l.spec, l.iface.as_ref());
            self.server.set_link(
                idx,
                delegated_server_link(template_link, current_lease.as_ref(), now),
            );
        }
    }

    /// Time passes: expiries, withdrawn prefixes, RAs due.
    fn tick(&mut self, now: Instant) {
        for i in 0..self.uplinks.len() {
            let changed = self
                .uplinks
                .get_mut(i)
                .is_some_and(|u| u.tick(now) == Change::Prefixes);
            // Also every REFOLLOW: the DHCPv6 lease lifetimes on the LAN shrink with what is
            // left of the delegation (RFC 9096 §3.3 L-13), not only at WAN events.
            let due = self
                .followed
                .get(i)
                .is_some_and(|t| now.saturating_duration_since(*t) >= REFOLLOW);
            if changed || due {
                self.follow(i, now);
            }
        }
        self.server.handle_timeout(now);
        while let Some(e) = self.server.poll_event() {
            self.batch.push((e, None));
        }
        let mut buf = std::mem::take(&mut self.out);
        for l in &mut self.links {
            let (Some(adv), Some(nd)) = (l.adv.as_mut(), l.nd.as_ref()) else {
                continue;
            };
            adv.handle_timeout(now);
            while let Some(tx) = adv.poll_transmit(now, &mut buf) {
                let bytes = buf.get(..tx.len).unwrap_or_default();
                if let Err(e) = nd.send(bytes, tx.dst) {
                    bump(&mut self.counters.ra_send_errors);
                    warn!(link = %l.spec.name, dst = %tx.dst, "RA not sent: {e}");
                } else {
                    debug!(link = %l.spec.name, dst = %tx.dst, reason = ?tx.reason, len = tx.len, "RA sent");
                }
            }
            while let Some(ev) = adv.poll_event() {
                match ev {
                    RaEvent::Inconsistent { router, what } => {
                        warn!(link = %l.spec.name, %router, ?what, "another router advertises differently (RFC 4861 §6.2.7)")
                    }
                    RaEvent::PrefixWithdrawn { prefix } => {
                        info!(link = %l.spec.name, ?prefix, "withdrawn prefix no longer advertised")
                    }
                    RaEvent::Stopped => info!(link = %l.spec.name, "final RAs sent"),
                }
            }
        }
        self.out = buf;
    }

    fn next_deadline(&self) -> Option<Instant> {
        let ras = self
            .links
            .iter()
            .filter_map(|l| l.adv.as_ref().and_then(|a| a.poll_timeout()));
        let wans = self
            .uplinks
            .iter()
            .filter_map(|u| u.poll_timeout())
            .chain(self.followed.iter().map(|t| *t + REFOLLOW));
        ras.chain(wans).chain(self.server.poll_timeout()).min()
    }

    /// Read up to [`BATCH`] ICMPv6 messages of link `i`; `true` if more may be queued.
    fn drain_nd(&mut self, now: Instant, i: usize) -> bool {
        let Some(l) = self.links.get_mut(i) else {
            return false;
        };
        let (Some(nd), Some(adv)) = (l.nd.as_mut(), l.adv.as_mut()) else {
            return false;
        };
        for _ in 0..BATCH {
            let r = match nd.receive(&mut self.rx) {
                Ok(Some(r)) => r,
                Ok(None) => return false,
                Err(e) => {
                    bump(&mut self.counters.receive_errors);
                    warn!(link = %l.spec.name, "ICMPv6 receive: {e}");
                    return false;
                }
            };
            bump(&mut self.counters.nd_received);
            if r.truncated {
                bump(&mut self.counters.nd_truncated);
                continue;
            }
            let bytes = self.rx.get(..r.len).unwrap_or_default();
            if !matches!(bytes.first(), Some(&TYPE_RS) | Some(&TYPE_RA)) {
                bump(&mut self.counters.nd_not_rs_ra);
                continue;
            }
            let Some(hop_limit) = r.hop_limit else {
                bump(&mut self.counters.nd_no_hop_limit);
                continue;
            };
            let meta = IpMeta {
                src: r.src,
                dst: r.dst,
                hop_limit,
                // The kernel reassembles before raw sockets see a message and does not say
                // whether it was fragmented; RFC 6980 cannot be checked here.
                had_fragment_header: false,
            };
            adv.handle_icmpv6(now, &meta, bytes);
        }
        true
    }

    /// Read up to [`BATCH`] DHCPv6 datagrams; `true` if more may be queued.
    fn drain_dhcp(&mut self, now: Instant) -> bool {
        for _ in 0..BATCH {
            let Some(sock) = self.dhcp.as_mut() else {
                return false;
            };
            let r = match sock.receive(&mut self.rx) {
                Ok(Some(r)) => r,
                Ok(None) => return false,
                Err(e) => {
                    bump(&mut self.counters.receive_errors);
                    warn!("DHCPv6 receive: {e}");
                    return false;
                }
            };
            bump(&mut self.counters.dhcp_received);
            if r.truncated {
                bump(&mut self.counters.dhcp_truncated);
                continue;
            }
            if self.stopping {
                continue;
            }
            if self.committer.is_shared() {
                self.learn_client(now, r.len);
            }
            let meta = RxMeta {
                ifindex: r.ifindex,
                src: r.src,
                dst: r.dst,
                source_mac: None,
            };
            let bytes = self.rx.get(..r.len).unwrap_or_default();
            let first_seq = self.server_next_seq();
            match self.server.handle_message(now, &meta, bytes, &mut self.out) {
                // A reply that promises no lease (Advertise, Information-request, Confirm)
                // leaves at once, between receives, as Kea's do. Held to the end of the batch,
                // they left in bursts of up to BATCH datagrams into the client's receive
                // buffer (by default about 270 datagrams): under perfdhcp load, its drops are
                // its own socket's Udp6 RcvbufErrors, the server's being 0.
                Ok(tx) if releasable(tx.commit_through, None) => {
                    let bytes = self.out.get(..tx.len).unwrap_or_default();
                    send(self.dhcp.as_ref(), &mut self.counters, bytes, &tx);
                }
                Ok(tx) => self.pending.push(Pending {
                    bytes: self.out.get(..tx.len).unwrap_or_default().to_vec(),
                    tx,
                    first_seq,
                }),
                Err(why) => {
                    debug!(src = %r.src, ifindex = r.ifindex, ?why, "DHCPv6 message not answered")
                }
            }
            let hop = NextHop {
                gateway: r.src,
                ifindex: r.ifindex,
            };
            while let Some(e) = self.server.poll_event() {
                self.batch.push((e, Some(hop)));
            }
        }
        true
    }

    /// The sequence number the engine's next lease event will carry: the batch's last one
    /// plus one (events are drained after every message).
    fn server_next_seq(&self) -> Option<u64> {
        Some(self.batch.last().map_or(self.seq_floor, |(e, _)| e.seq + 1))
    }

    /// A shared store: before a Renew, Rebind, Release or Decline of a client the engine does
    /// not know (it was served by another server, or before this one started), put the
    /// client's leases from the store into the engine, so that it extends or releases them
    /// rather than answering NoBinding or binding anew (RFC 9915 §18.3.4-§18.3.8).
    fn learn_client(&mut self, now: Instant, len: usize) {
        let Some(bytes) = self.rx.get(..len) else {
            return;
        };
        let Ok(repr) = Repr::parse(bytes) else {
            return;
        };
        let msg = repr.message();
        if !matches!(
            msg.msg_type,
            MessageType::Renew | MessageType::Rebind | MessageType::Release | MessageType::Decline
        ) {
            return;
        }
        let Some(duid) = msg.client_id() else {
            return;
        };
        let known: heapless::Vec<usize, 1> = self.server.table().client_bindings(duid.as_bytes());
        if !known.is_empty() {
            return;
        }
        bump(&mut self.counters.store_lookups);
        match self.committer.client_leases(duid.as_bytes(), now) {
            Ok(leases) => {
                for l in leases {
                    if self.server.restore(now, &l).is_ok() {
                        bump(&mut self.counters.leases_learnt);
                    }
                }
            }
            Err(e) => {
                bump(&mut self.counters.store_lookup_failures);
                debug!("lease store look-up failed: {e}");
            }
        }
    }

    /// Group commit: when the store thread is free, hand it the batch's lease events (one
    /// transaction); when a commit has finished, act on its delegated prefixes and send the
    /// replies whose leases are durable. Replies that promise no lease leave at once.
    fn flush(&mut self) {
        if let Some(result) = self.committer.poll() {
            self.complete(result);
        }
        self.begin_commit();
        self.send_free_replies();
    }

    /// At exit: commit everything and send what may be sent.
    fn flush_all(&mut self) {
        loop {
            if let Some(result) = self.committer.wait() {
                self.complete(result);
            }
            self.begin_commit();
            self.send_free_replies();
            if !self.committer.in_flight() {
                break;
            }
        }
    }

    /// Start committing the batch if the store thread is free.
    fn begin_commit(&mut self) {
        if self.committer.in_flight() || self.batch.is_empty() {
            return;
        }
        let batch = std::mem::take(&mut self.batch);
        let events: Vec<LeaseEvent> = batch.iter().map(|(e, _)| *e).collect();
        if let Some(last) = events.iter().map(|e| e.seq).max() {
            self.seq_floor = last + 1;
        }
        // Every reply that depends on a lease depends on this batch (events are drained after
        // each message); the others already left.
        let (waiting, free): (Vec<Pending>, Vec<Pending>) = std::mem::take(&mut self.pending)
            .into_iter()
            .partition(|p| p.tx.commit_through.is_some());
        self.pending = free;
        self.inflight_batch = batch;
        self.inflight_pending = waiting;
        if !self.committer.begin(events) {
            self.complete(Err(StoreError::Io(io::Error::other(
                "the lease store thread stopped",
            ))));
        }
    }

    /// Replies that depend on no lease (Advertise, Information-request, Confirm).
    fn send_free_replies(&mut self) {
        let pending = std::mem::take(&mut self.pending);
        let (free, waiting): (Vec<Pending>, Vec<Pending>) = pending
            .into_iter()
            .partition(|p| p.tx.commit_through.is_none());
        self.pending = waiting;
        self.send_replies(free, &[]);
    }

    /// The in-flight commit finished with `result`.
    fn complete(&mut self, result: Result<Vec<Refused>, StoreError>) {
        let mut refused_seqs: Vec<u64> = Vec::new();
        let mut batch = std::mem::take(&mut self.inflight_batch);
        let pending = std::mem::take(&mut self.inflight_pending);
        let last_seq = batch.iter().map(|(e, _)| e.seq).max();
        let shared = self.committer.is_shared();
        let now = self.clock.now();
        match result {
            Ok(refused) => {
                bump(&mut self.counters.commits);
                self.counters.events_committed = self
                    .counters
                    .events_committed
                    .saturating_add((batch.len().saturating_sub(refused.len())) as u64);
                self.durable_through = last_seq.max(self.durable_through);
                // The store holds these for other clients: the engine forgets its binding
                // and learns the holder's, so the client's retransmission gets another
                // address and nobody gets this one twice.
                for r in refused {
                    bump(&mut self.counters.claims_refused);
                    refused_seqs.push(r.seq);
                    if let Some((e, _)) = batch.iter().find(|(e, _)| e.seq == r.seq) {
                        self.server.forget(&e.lease);
                    }
                    if let Some(h) = r.holder {
                        if self.server.restore(now, &h).is_ok() {
                            bump(&mut self.counters.leases_learnt);
                        }
                    }
                }
                batch.retain(|(e, _)| !refused_seqs.contains(&e.seq));
            }
            Err(e) => {
                bump(&mut self.counters.commit_failures);
                if matches!(e, StoreError::Unavailable { .. }) {
                    // Logged when the connection failed; one line per batch after that
                    // would flood the log during an outage (counted instead).
                    debug!("lease store unavailable; replies of this batch are not sent: {e}");
                } else {
                    error!("lease store commit failed; replies of this batch are not sent: {e}");
                }
                if shared {
                    // Nothing of the batch is in the store: new bindings are not kept in
                    // the cache (another server may hand the addresses out meanwhile).
                    for (e, _) in &batch {
                        if e.kind == LeaseEventKind::Bound {
                            self.server.forget(&e.lease);
                        }
                    }
                    batch.clear();
                }
            }
        }
        self.apply_routes(&batch);
        self.send_replies(pending, &refused_seqs);
    }

    /// Send `replies` whose leases are durable and not refused; count the others as withheld.
    fn send_replies(&mut self, replies: Vec<Pending>, refused_seqs: &[u64]) {
        let Some(sock) = self.dhcp.as_ref() else {
            return;
        };
        for p in replies {
            let refused = match (p.first_seq, p.tx.commit_through) {
                (Some(first), Some(last)) => {
                    refused_seqs.iter().any(|s| (first..=last).contains(s))
                }
                _ => false,
            };
            if refused || !releasable(p.tx.commit_through, self.durable_through) {
                bump(&mut self.counters.replies_withheld);
                continue;
            }
            send(Some(sock), &mut self.counters, &p.bytes, &p.tx);
        }
    }

    /// Routes for delegated prefixes: installed on Bound/Renewed (Request, Rapid Commit, Renew,
    /// Rebind), removed on Released/Declined/Expired.
    fn apply_routes(&mut self, batch: &[(LeaseEvent, Option<NextHop>)]) {
        let Some(routes) = self.routes.as_mut() else {
            return;
        };
        let mut changed = false;
        for (e, hop) in batch.iter().filter(|(e, _)| is_pd(e)) {
            let dest = dest_of(e);
            match (e.kind, hop) {
                (LeaseEventKind::Bound | LeaseEventKind::Renewed, Some(via)) => {
                    let new = !routes.is_installed(dest, *via);
                    match routes.install(dest, *via) {
                        Ok(()) => {
                            if new {
                                bump(&mut self.counters.routes_installed);
                                info!(prefix = %dest.0, len = dest.1, via = %via.gateway, "route installed");
                            }
                            changed |= self.hops.set(dest, Some(*via));
                        }
                        Err(err) => {
                            bump(&mut self.counters.route_errors);
                            warn!(prefix = %dest.0, len = dest.1, "cannot install route: {err}");
                        }
                    }
                }
                (LeaseEventKind::Bound | LeaseEventKind::Renewed, None) => {}
                (
                    LeaseEventKind::Released | LeaseEventKind::Declined | LeaseEventKind::Expired,
                    _,
                ) => {
                    match routes.remove(dest) {
                        Ok(()) => {
                            bump(&mut self.counters.routes_removed);
                            info!(prefix = %dest.0, len = dest.1, kind = ?e.kind, "route removed");
                        }
                        Err(err) => {
                            bump(&mut self.counters.route_errors);
                            warn!(prefix = %dest.0, len = dest.1, "cannot remove route: {err}");
                        }
                    }
                    changed |= self.hops.set(dest, None);
                }
            }
        }
        if changed {
            if let Err(e) = self.hops.save() {
                warn!("cannot record route next hops: {e}");
            }
        }
    }

    /// Every counter, one `name value` line each.
    pub fn render_counters(&self) -> String {
        let mut out = String::from("sixconf counters\n");
        for l in &self.links {
            if let Some(a) = &l.adv {
                counters::render_ra(&mut out, &l.spec.name, a.counters());
            }
        }
        counters::render_server(&mut out, self.server.counters());
        counters::render_adapter(&mut out, &self.counters);
        counters::render_store(&mut out, self.committer.counters());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_waits_for_its_lease_to_be_durable() {
        // Advertise, Information-request replies: no lease, always sent.
        assert!(releasable(None, None));
        // Nothing committed yet (or the first commit failed): withheld.
        assert!(!releasable(Some(0), None));
        // Committed through 4: replies depending on 0..=4 go, 5 waits.
        assert!(releasable(Some(0), Some(4)));
        assert!(releasable(Some(4), Some(4)));
        assert!(!releasable(Some(5), Some(4)));
    }

    #[test]
    fn a_delegated_link_serves_its_pools_inside_the_current_delegation_only() {
        use sixconf_core::dhcpv6::client::Lease;
        use sixconf_core::dhcpv6::server::{AddressPool, Lifetimes, Prefix as SrvPrefix};
        let a = |s: &str| s.parse::<Ipv6Addr>().unwrap();
        let mut template = LinkConfig::default();
        let _ = template.prefixes.push(SrvPrefix::new(a("0:0:0:2::"), 64));
        let _ = template
            .address_pools
            .push(AddressPool::new(a("0:0:0:2::1000"), a("0:0:0:2::1fff")));
        template.address_lifetimes = Lifetimes {
            preferred: 3_600,
            valid: 7_200,
            t1: Some(1_800),
            t2: Some(2_880),
        };
        let now = Instant::from_secs(1_000);
        // Nothing delegated: no prefix, no pool (Solicits get NoAddrsAvail).
        let none = delegated_server_link(template.clone(), None, now);
        assert!(none.prefixes.is_empty() && none.address_pools.is_empty());
        // A /56 with 600 s preferred and 1200 s valid left: pools move into /64 number 2 and
        // leases never outlive the delegation (RFC 9096 §3.3).
        let lease = Lease {
            address: a("2001:db8:100::"),
            prefix_len: 56,
            preferred: sixconf_core::time::Duration::from_secs(700),
            valid: sixconf_core::time::Duration::from_secs(1_300),
            received_at: Instant::from_secs(900),
            iaid: 1,
        };
        let l = delegated_server_link(template, Some(&lease), now);
        assert_eq!(l.prefixes[0].address, a("2001:db8:100:2::"));
        assert_eq!(l.address_pools[0].first, a("2001:db8:100:2::1000"));
        assert_eq!(l.address_pools[0].last, a("2001:db8:100:2::1fff"));
        assert_eq!(l.address_lifetimes.valid, 1_200);
        assert_eq!(l.address_lifetimes.preferred, 600);
        assert_eq!(l.address_lifetimes.t1, Some(300));
        assert_eq!(l.address_lifetimes.t2, Some(480));
    }

    #[test]
    fn the_clock_counts_unix_milliseconds_and_never_goes_back() {
        let c = Clock::new();
        let a = c.now();
        let wall = store::unix_now();
        assert!(wall.total_millis().abs_diff(a.total_millis()) < 1_000);
        std::thread::sleep(StdDuration::from_millis(5));
        assert!(c.now() >= a + sixconf_core::time::Duration::from_millis(5));
    }
}
