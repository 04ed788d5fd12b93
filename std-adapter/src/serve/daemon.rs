//! The run loop: one thread, readiness-based (mio), driven by the engines' `poll_timeout`.
//!
//! Each turn: let time pass in every engine, send what is due, wait for a socket, a signal or
//! the next deadline; then drain the readable sockets, commit every lease event of the batch in
//! one store transaction (group commit), act on delegated prefixes (routes), and only then send
//! the DHCPv6 replies (a Reply never leaves before the lease it promises is committed).

use std::io;
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
use sixconf_core::profile::Profile;
use sixconf_core::ra::{Advertiser, Event as RaEvent, Link};
use sixconf_core::time::Instant;
use sixconf_core::wire::ndisc::IpMeta;
use tracing::{debug, error, info, warn};

use super::counters::{self, bump, AdapterCounters};
use super::hops::HopFile;
use super::iface::Interface;
use super::routes::{Dest, NextHop, Routes};
use super::sockets::{DhcpSocket, NdSocket, TYPE_RA, TYPE_RS};
use crate::config::{Config, Durability, LinkSpec};
use crate::store::{self, LeaseStore};

/// Token of the signal source.
const SIGNALS: Token = Token(usize::MAX - 1);
/// Token of the DHCPv6 socket.
const DHCP: Token = Token(usize::MAX - 2);
/// Most datagrams read from one socket before the batch is committed and answered, so that one
/// busy socket neither starves the others nor delays replies unboundedly.
const BATCH: usize = 256;
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
}

/// A DHCPv6 reply waiting for the batch's commit.
struct Pending {
    bytes: Vec<u8>,
    tx: Transmit,
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
    dhcp: Option<DhcpSocket>,
    server: DaemonServer,
    /// The `[server]` limits as configured (the engine keeps a clamped copy).
    configured_limits: Limits,
    store: Box<dyn LeaseStore>,
    routes: Option<Routes>,
    hops: HopFile,
    counters: AdapterCounters,
    /// Lease events of the batch with the next hop of the message that caused them.
    batch: Vec<(LeaseEvent, Option<NextHop>)>,
    pending: Vec<Pending>,
    /// Highest event sequence number committed.
    durable_through: Option<u64>,
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
    p
}

/// The server's view of a link: direct messages belong to it only if it serves DHCPv6 on an
/// interface (`slaac` links answer nothing).
fn server_link(spec: &LinkSpec, iface: Option<&Interface>) -> LinkConfig {
    let mut l = spec.server.clone();
    l.ifindex = iface.filter(|_| spec.serves_dhcpv6()).map(|i| i.index);
    l
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
        if let Some(eff) = super::privileges::effective() {
            super::privileges::check(eff, any_dhcp, any_pd).map_err(StartError::Privileges)?;
        }

        let now = clock.now();
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
                    let adv = Advertiser::new(profile_for(&spec, i), link, random_u64(), now)
                        .map_err(|e| StartError::Profile {
                            link: spec.name.clone(),
                            what: e.to_string(),
                        })?;
                    (Some(adv), Some(NdSocket::open(i)?))
                }
                None => (None, None),
            };
            if server_links
                .push(server_link(&spec, iface.as_ref()))
                .is_err()
            {
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
        // `/var/lib/sixconf` does not exist on a fresh machine.
        if let Some(dir) = Path::new(&config.server.lease_db).parent() {
            if !dir.as_os_str().is_empty() && !dir.exists() {
                std::fs::create_dir_all(dir).map_err(|source| StartError::Io {
                    what: format!("creating {}", dir.display()),
                    source,
                })?;
            }
        }
        let mut store = store::open(&config.server, &names).map_err(StartError::Store)?;
        let duid = store
            .server_duid(config.server.duid.as_ref())
            .map_err(StartError::Store)?;
        let configured_limits = config.server.limits;
        let slots = vec![DaemonSlot::empty(); config.server.max_leases.max(1)].into_boxed_slice();
        let mut server = Server::new(
            duid,
            server_links,
            config.server.limits,
            slots,
            random_u64(),
        );
        let report = store::load_into(store.as_mut(), clock.now(), &mut server)
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
        let hops = HopFile::open(&config.server.lease_db)
            .with_fsync(config.server.durability == Durability::Fsync);

        let mut d = Daemon {
            config_path: config_path.to_owned(),
            clock,
            poll,
            signals,
            links,
            dhcp,
            server,
            configured_limits,
            store,
            routes,
            hops,
            counters: AdapterCounters::default(),
            batch: Vec::new(),
            pending: Vec::new(),
            durable_through: None,
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
                    DHCP => dhcp_readable = true,
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
        self.flush();
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
            && config
                .links
                .iter()
                .zip(&self.links)
                .all(|(n, o)| n.name == o.spec.name && n.interface == o.spec.interface);
        if !same_links {
            bump(&mut self.counters.reload_failures);
            error!("reload refused: the list of links changed (names or interfaces); restart to apply it");
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
        if config.server.limits != self.configured_limits {
            warn!("[server] limits and max_leases take effect at the next restart");
        }
        bump(&mut self.counters.reloads);
        info!("configuration reloaded");
    }

    /// Time passes: expiries, withdrawn prefixes, RAs due.
    fn tick(&mut self, now: Instant) {
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
        ras.chain(self.server.poll_timeout()).min()
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
        let Some(sock) = self.dhcp.as_mut() else {
            return false;
        };
        for _ in 0..BATCH {
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
            let meta = RxMeta {
                ifindex: r.ifindex,
                src: r.src,
                dst: r.dst,
                source_mac: None,
            };
            let bytes = self.rx.get(..r.len).unwrap_or_default();
            match self.server.handle_message(now, &meta, bytes, &mut self.out) {
                // A reply that depends on no lease event (Advertise, Information-request, a
                // refusal) leaves at once rather than after the batch's commit: the client's
                // next message (a Request after the Advertise) does not wait for the fsync.
                Ok(tx) if tx.commit_through.is_none() => {
                    let bytes = self.out.get(..tx.len).unwrap_or_default();
                    if let Err(e) = sock.send(bytes, tx.dst, tx.port, tx.ifindex) {
                        bump(&mut self.counters.dhcp_send_errors);
                        warn!(dst = %tx.dst, "DHCPv6 reply not sent: {e}");
                    }
                }
                Ok(tx) => self.pending.push(Pending {
                    bytes: self.out.get(..tx.len).unwrap_or_default().to_vec(),
                    tx,
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

    /// Group commit: persist the batch's lease events in one transaction, act on delegated
    /// prefixes, then send the replies whose leases are durable.
    fn flush(&mut self) {
        if !self.batch.is_empty() {
            let events: Vec<LeaseEvent> = self.batch.iter().map(|(e, _)| *e).collect();
            match self.store.commit(&events) {
                Ok(()) => {
                    bump(&mut self.counters.commits);
                    self.counters.events_committed = self
                        .counters
                        .events_committed
                        .saturating_add(events.len() as u64);
                    self.durable_through =
                        events.iter().map(|e| e.seq).max().max(self.durable_through);
                }
                Err(e) => {
                    bump(&mut self.counters.commit_failures);
                    error!("lease store commit failed; replies of this batch are not sent: {e}");
                }
            }
            let batch = std::mem::take(&mut self.batch);
            self.apply_routes(&batch);
        }
        let Some(sock) = self.dhcp.as_ref() else {
            self.pending.clear();
            return;
        };
        for p in self.pending.drain(..) {
            if !releasable(p.tx.commit_through, self.durable_through) {
                bump(&mut self.counters.replies_withheld);
                continue;
            }
            if let Err(e) = sock.send(&p.bytes, p.tx.dst, p.tx.port, p.tx.ifindex) {
                bump(&mut self.counters.dhcp_send_errors);
                warn!(dst = %p.tx.dst, "DHCPv6 reply not sent: {e}");
            }
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
    fn the_clock_counts_unix_milliseconds_and_never_goes_back() {
        let c = Clock::new();
        let a = c.now();
        let wall = store::unix_now();
        assert!(wall.total_millis().abs_diff(a.total_millis()) < 1_000);
        std::thread::sleep(StdDuration::from_millis(5));
        assert!(c.now() >= a + sixconf_core::time::Duration::from_millis(5));
    }
}
