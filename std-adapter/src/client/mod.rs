//! `sixconf client`: the host side on Linux. One [`Station`] (RA/SLAAC host plus DHCPv6
//! client, [`sixconf_core::host::station`]) driven over real sockets on real time, its
//! decisions applied to the kernel over rtnetlink.
//!
//! - [`sockets`]: the raw ICMPv6 socket (RAs in with hop limit and addresses, RSs out) and the
//!   UDP 546 socket bound to the interface.
//! - [`netlink`]: addresses with lifetimes, routes with expiry and preference; DAD verdicts
//!   read from the kernel.
//! - [`state`]: the state file (DUID, RFC 7217 secret, DHCPv6 binding).
//! - [`report`]: events as text or JSON lines, and the resolv.conf-format file.
//!
//! # Duplicate Address Detection
//!
//! The kernel runs it: addresses are added without `IFA_F_NODAD`, so a new address is
//! tentative in the kernel (not used as a source) while the kernel probes it, and ends either
//! usable or failed: flagged `IFA_F_DADFAILED` if permanent, deleted by the kernel if it has
//! finite lifetimes (Linux `addrconf_dad_stop`), which is what the client's addresses have. The
//! loop watches (`/proc/net/if_inet6`, every 100 ms while an address is tentative) and reports
//! the verdict to
//! [`Station::handle_dad_result`]: a conflicting SLAAC address makes the host try the next RFC
//! 7217 identifier, a conflicting DHCPv6 address is Declined. Doing DAD in the kernel keeps one
//! implementation of the NS/NA exchange (with the kernel's `dad_transmits` and its handling of
//! looped-back probes and enhanced DAD, RFC 7527), and nothing of ours sends NS. With
//! `--no-configure` nothing is added, so no DAD runs and every address is reported unique.
//!
//! # What stays after exit
//!
//! SIGTERM/SIGINT (and a `--once` timeout): Release (RFC 9915 §18.2.7), remove every address
//! and route added, clear the resolv file, restore the sysctls, exit 0 (1 after a timeout).
//! `--once` success: the configuration stays, bounded by its lifetimes in the kernel
//! (`IFA_CACHEINFO`, `RTA_EXPIRES`), and the binding stays in the state file so the next run
//! Confirms or Rebinds it.

pub mod netlink;
pub mod report;
pub mod sockets;
pub mod state;

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv6Addr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration as StdDuration;

use mio::unix::SourceFd;
use mio::{Events, Interest, Poll, Token};
use serde_json::json;
use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook_mio::v1_0::Signals;

use sixconf_core::dhcpv6::client::{self, Binding, Delivery, Mode, State as ClientState};
use sixconf_core::host::station::{DadTarget, Dhcpv6Policy, Event, Station, Transmit};
use sixconf_core::host::{self, AddressState, DadResult, HostConfig};
use sixconf_core::time::{Duration, Instant};
use sixconf_core::wire::ndisc::IpMeta;

use crate::hex::parse_hex;
use crate::serve::iface::Interface;
use netlink::{DadState, Kernel, RouteKey};
use report::Reporter;
use sockets::{ClientSocket, RaSocket};

/// What the DHCPv6 client does.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModeArg {
    /// Follow the RA's M and O flags (RFC 4861 §4.2).
    Auto,
    /// Always request addresses (IA_NA).
    Stateful,
    /// Always ask for configuration only (Information-request).
    Stateless,
    /// Always request a delegated prefix only (IA_PD).
    Pd,
}

/// `sixconf client` arguments.
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// The interface to configure.
    #[arg(long)]
    pub interface: String,
    /// How DHCPv6 runs.
    #[arg(long, value_enum, default_value = "auto")]
    pub mode: ModeArg,
    /// With stateful DHCPv6 (auto with M=1, or stateful), also request a prefix (IA_PD).
    #[arg(long)]
    pub request_prefix: bool,
    /// Exit 0 once configured (an address and a default route; stateless: DNS information
    /// received; pd: a delegated prefix), 1 with the reason after --timeout.
    #[arg(long)]
    pub once: bool,
    /// Seconds --once waits.
    #[arg(long, default_value_t = 30)]
    pub timeout: u64,
    /// Print every event as one JSON object per line.
    #[arg(long)]
    pub json: bool,
    /// Write DNS servers and the search list here, in resolv.conf format (atomically).
    #[arg(long)]
    pub resolv: Option<PathBuf>,
    /// Only report: add no address or route, leave the sysctls alone.
    #[arg(long)]
    pub no_configure: bool,
    /// The state file (default /var/lib/sixconf/client-IF.json).
    #[arg(long)]
    pub state: Option<PathBuf>,
}

const RA_TOKEN: Token = Token(0);
const DHCP_TOKEN: Token = Token(1);
const SIGNALS: Token = Token(2);

/// `sixconf client ...`.
///
/// Exit status: 0 (configured with `--once`, or stopped by a signal), 1 (`--once` timed out, or
/// any other failure), 77 (not privileged enough: raw sockets, port 546, netlink or the
/// sysctls refused; as `sixconf serve`).
pub fn command(args: Args) -> ExitCode {
    match Runner::start(args) {
        Ok(mut r) => ExitCode::from(r.run()),
        Err(e) => {
            eprintln!("sixconf client: {}", e.message);
            if e.privileges {
                eprintln!(
                    "sixconf client: run as root, or with CAP_NET_RAW, CAP_NET_BIND_SERVICE and CAP_NET_ADMIN"
                );
            }
            ExitCode::from(if e.privileges { 77 } else { 1 })
        }
    }
}

/// Why the client could not start.
#[derive(Debug)]
struct StartError {
    message: String,
    /// The OS refused for lack of privilege.
    privileges: bool,
}

impl From<String> for StartError {
    fn from(message: String) -> Self {
        StartError {
            message,
            privileges: false,
        }
    }
}

impl StartError {
    fn io(what: &str, e: &std::io::Error) -> StartError {
        StartError {
            message: format!("{what}: {e}"),
            privileges: e.kind() == std::io::ErrorKind::PermissionDenied,
        }
    }

    fn socket(e: crate::serve::sockets::SocketError) -> StartError {
        StartError {
            privileges: e.is_permission(),
            message: e.to_string(),
        }
    }
}

/// The sysctls the client changes (switched off while it runs, or set from RAs), with the
/// values to restore at exit.
#[derive(Debug, Default)]
struct Sysctls {
    saved: Vec<(PathBuf, String)>,
}

impl Sysctls {
    /// Switch `accept_ra` and `autoconf` off. The values to restore are `prior`'s (left in the
    /// state file by a run that was killed, by path) or the current ones; `prior`'s other
    /// entries (an MTU an RA set, ...) are restored at exit too.
    fn switch_off(
        interface: &str,
        prior: Option<&BTreeMap<String, String>>,
    ) -> Result<Sysctls, String> {
        let mut s = Sysctls::default();
        for name in ["accept_ra", "autoconf"] {
            let path = PathBuf::from(format!("/proc/sys/net/ipv6/conf/{interface}/{name}"));
            let current =
                std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let old = prior
                .and_then(|p| p.get(path.to_string_lossy().as_ref()).cloned())
                .unwrap_or_else(|| current.trim().to_owned());
            std::fs::write(&path, "0").map_err(|e| format!("{}: {e}", path.display()))?;
            s.saved.push((path, old));
        }
        for (path, old) in prior.into_iter().flatten() {
            let path = PathBuf::from(path);
            if !s.saved.iter().any(|(p, _)| *p == path) {
                s.saved.push((path, old.clone()));
            }
        }
        Ok(s)
    }

    /// Set `path` to `value`, remembering its value before the client first changed it.
    fn set(&mut self, path: PathBuf, value: &str) -> std::io::Result<()> {
        if !self.saved.iter().any(|(p, _)| *p == path) {
            let old = std::fs::read_to_string(&path)?;
            self.saved.push((path.clone(), old.trim().to_owned()));
        }
        std::fs::write(&path, value)
    }

    /// The values to restore, by path.
    fn originals(&self) -> BTreeMap<String, String> {
        self.saved
            .iter()
            .map(|(p, v)| (p.to_string_lossy().into_owned(), v.clone()))
            .collect()
    }

    fn restore(&mut self) {
        for (path, old) in self.saved.drain(..).rev() {
            if let Err(e) = std::fs::write(&path, &old) {
                eprintln!("sixconf client: restoring {}: {e}", path.display());
            }
        }
    }
}

impl Drop for Sysctls {
    fn drop(&mut self) {
        self.restore();
    }
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    if let Ok(mut f) = std::fs::File::open("/dev/urandom") {
        let _ = std::io::Read::read_exact(&mut f, &mut b);
    }
    b
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// An address the client added to the kernel.
#[derive(Debug, Clone, Copy)]
struct Added {
    prefix_len: u8,
}

struct Runner {
    args: Args,
    iface: Interface,
    station: Station,
    ra_sock: RaSocket,
    dhcp_sock: ClientSocket,
    poll: Poll,
    signals: Signals,
    kernel: Option<Kernel>,
    sysctls: Sysctls,
    reporter: Reporter,
    started: std::time::Instant,
    clock: state::Clock,
    state_path: PathBuf,
    state: state::State,
    pending_restore: Option<state::SavedBinding>,
    addresses: BTreeMap<Ipv6Addr, Added>,
    routes: BTreeSet<RouteKey>,
    /// Delegated prefixes with an `unreachable` route installed.
    unreachable: BTreeSet<(Ipv6Addr, u8)>,
    /// Addresses the kernel is probing: (address, since).
    dad_pending: Vec<(Ipv6Addr, Instant)>,
    ra_seen: bool,
    carrier: bool,
    last_carrier_check: Instant,
}

impl Runner {
    fn start(args: Args) -> Result<Runner, StartError> {
        let iface = Interface::lookup(&args.interface, StdDuration::from_secs(5))
            .map_err(|e| e.to_string())?;
        let mac = iface
            .mac
            .ok_or_else(|| format!("interface {} has no MAC address", iface.name))?;
        let state_path = args
            .state
            .clone()
            .unwrap_or_else(|| state::default_path(&iface.name));
        let loaded = state::load(&state_path)?;
        let mut duid = vec![0, 3, 0, 1];
        duid.extend_from_slice(&mac);
        let mut secret: [u8; 32] = random_bytes();
        let mut pending_restore = None;
        if let Some(s) = &loaded {
            if let Ok(d) = parse_hex(&s.duid) {
                if (3..=130).contains(&d.len()) {
                    duid = d;
                }
            }
            if let Ok(k) = parse_hex(&s.secret) {
                if let Ok(k) = <[u8; 32]>::try_from(k.as_slice()) {
                    secret = k;
                }
            }
            pending_restore = s.binding.clone();
        }
        let ra_sock = RaSocket::open(&iface).map_err(StartError::socket)?;
        let dhcp_sock = ClientSocket::open(&iface).map_err(StartError::socket)?;
        let prior = loaded.as_ref().and_then(|s| s.sysctls.clone());
        let (kernel, sysctls) = if args.no_configure {
            (None, Sysctls::default())
        } else {
            let k =
                Kernel::open(iface.index).map_err(|e| StartError::io("opening rtnetlink", &e))?;
            (Some(k), Sysctls::switch_off(&iface.name, prior.as_ref())?)
        };
        let state = state::State {
            duid: hex(&duid),
            secret: hex(&secret),
            binding: pending_restore.clone(),
            sysctls: if args.no_configure {
                prior
            } else {
                Some(sysctls.originals())
            },
        };
        state::save(&state_path, &state)
            .map_err(|e| format!("writing {}: {e}", state_path.display()))?;

        let policy = match args.mode {
            ModeArg::Auto => Dhcpv6Policy::FollowRa {
                prefix_delegation: args.request_prefix,
            },
            ModeArg::Stateful => Dhcpv6Policy::Always(Mode::Stateful {
                prefix_delegation: args.request_prefix,
            }),
            ModeArg::Stateless => Dhcpv6Policy::Always(Mode::Stateless),
            ModeArg::Pd => Dhcpv6Policy::Always(Mode::PrefixDelegation),
        };
        let seed = u64::from_le_bytes(random_bytes());
        let mut host = HostConfig::new(mac, secret, seed);
        host.source = iface.link_local;
        host.max_mtu = iface.mtu;
        let station = Station::new(
            host,
            &duid,
            client::Config::default(),
            seed.rotate_left(17),
            policy,
            Instant::ZERO,
        )
        .map_err(|e| format!("DHCPv6 client: {e}"))?;

        let poll = Poll::new().map_err(|e| format!("creating the poller: {e}"))?;
        let mut signals = Signals::new([SIGTERM, SIGINT])
            .map_err(|e| format!("installing signal handlers: {e}"))?;
        let reg = poll.registry();
        reg.register(&mut signals, SIGNALS, Interest::READABLE)
            .and_then(|()| {
                reg.register(
                    &mut SourceFd(&ra_sock.raw_fd()),
                    RA_TOKEN,
                    Interest::READABLE,
                )
            })
            .and_then(|()| {
                reg.register(
                    &mut SourceFd(&dhcp_sock.raw_fd()),
                    DHCP_TOKEN,
                    Interest::READABLE,
                )
            })
            .map_err(|e| format!("registering sockets: {e}"))?;
        let reporter = Reporter::new(args.json, args.resolv.clone(), iface.name.clone());
        let carrier = read_carrier(&iface.name);
        let mut r = Runner {
            args,
            iface,
            station,
            ra_sock,
            dhcp_sock,
            poll,
            signals,
            kernel,
            sysctls,
            reporter,
            started: std::time::Instant::now(),
            clock: state::Clock {
                base: state::unix_now(),
            },
            state_path,
            state,
            pending_restore,
            addresses: BTreeMap::new(),
            routes: BTreeSet::new(),
            unreachable: BTreeSet::new(),
            dad_pending: Vec::new(),
            ra_seen: false,
            carrier,
            last_carrier_check: Instant::ZERO,
        };
        r.reporter.emit(
            "started",
            json!({
                "interface": r.iface.name,
                "ifindex": r.iface.index,
                "link_local": r.iface.link_local.to_string(),
                "duid": r.state.duid,
                "mode": format!("{:?}", r.args.mode).to_lowercase(),
                "configure": !r.args.no_configure,
                "saved_binding": r.pending_restore.is_some(),
            }),
        );
        Ok(r)
    }

    fn now(&self) -> Instant {
        Instant::from_millis(u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX))
    }

    fn run(&mut self) -> u8 {
        let mut events = Events::with_capacity(16);
        let deadline = Instant::from_secs(self.args.timeout);
        loop {
            let now = self.now();
            self.station.handle_timeout(now);
            self.try_restore(now);
            self.pump(now);
            self.check_dad(now);
            self.check_carrier(now);
            if self.args.once {
                if self.configured() {
                    self.reporter.emit("configured", self.summary());
                    self.restore_sysctls();
                    return 0;
                }
                if now >= deadline {
                    let reason = self.not_configured_reason();
                    self.reporter.emit(
                        "timeout",
                        json!({ "after_secs": self.args.timeout, "reason": reason }),
                    );
                    eprintln!(
                        "sixconf client: not configured after {} s: {reason}",
                        self.args.timeout
                    );
                    self.shutdown();
                    return 1;
                }
            }
            let mut wake = self.station.poll_timeout();
            if self.args.once {
                wake = Some(wake.map_or(deadline, |w| w.min(deadline)));
            }
            let mut cap = StdDuration::from_secs(1);
            if !self.dad_pending.is_empty() {
                cap = StdDuration::from_millis(100);
            }
            let timeout = wake.map_or(cap, |w| {
                StdDuration::from_millis(w.saturating_duration_since(now).total_millis()).min(cap)
            });
            if let Err(e) = self.poll.poll(&mut events, Some(timeout)) {
                if e.kind() != std::io::ErrorKind::Interrupted {
                    eprintln!("sixconf client: poll: {e}");
                    self.shutdown();
                    return 1;
                }
            }
            let mut signalled = false;
            for ev in events.iter() {
                match ev.token() {
                    RA_TOKEN => self.receive_ras(),
                    DHCP_TOKEN => self.receive_dhcpv6(),
                    SIGNALS => signalled = true,
                    _ => {}
                }
            }
            if signalled && self.signals.pending().next().is_some() {
                self.reporter.emit("signal", json!({}));
                self.shutdown();
                return 0;
            }
        }
    }

    fn receive_ras(&mut self) {
        let mut buf = [0u8; 2048];
        loop {
            let r = match self.ra_sock.receive(&mut buf) {
                Ok(Some(r)) => r,
                Ok(None) => return,
                Err(e) => {
                    eprintln!("sixconf client: receiving on the ICMPv6 socket: {e}");
                    return;
                }
            };
            let now = self.now();
            let meta = IpMeta {
                src: r.src,
                dst: r.dst,
                // No hop limit from the kernel: treat as not 255 (RFC 4861 §6.1.2).
                hop_limit: r.hop_limit.unwrap_or(0),
                had_fragment_header: false,
            };
            let before = self.station.host().counters().ra_accepted;
            let result = self.station.handle_ra_bytes(now, &meta, &buf[..r.len]);
            let accepted = self.station.host().counters().ra_accepted > before;
            if accepted {
                self.ra_seen = true;
            }
            self.reporter.emit(
                "ra_received",
                json!({
                    "from": r.src.to_string(),
                    "hop_limit": r.hop_limit,
                    "bytes": r.len,
                    "accepted": accepted,
                    "error": result.err().map(|e| e.to_string()),
                    "dhcpv6": format!("{:?}", self.station.host().dhcpv6_mode()).to_lowercase(),
                }),
            );
            self.try_restore(now);
            self.pump(now);
            if accepted {
                self.refresh_routes(now);
            }
        }
    }

    fn receive_dhcpv6(&mut self) {
        let mut buf = [0u8; 2048];
        loop {
            let r = match self.dhcp_sock.receive(&mut buf) {
                Ok(Some(r)) => r,
                Ok(None) => return,
                Err(e) => {
                    eprintln!("sixconf client: receiving on UDP 546: {e}");
                    return;
                }
            };
            let now = self.now();
            let delivery = if r.dst.is_multicast() {
                Delivery::Multicast
            } else {
                Delivery::Unicast
            };
            self.reporter.emit(
                "dhcpv6_received",
                json!({
                    "from": r.src.to_string(),
                    "message": buf.first().map(|&t| sixconf_core::wire::dhcpv6::MessageType::from(t)).map(|t| format!("{t:?}")),
                    "bytes": r.len,
                }),
            );
            self.station.handle_dhcpv6(now, &buf[..r.len], delivery);
            self.pump(now);
        }
    }

    /// Send what is due and act on every event, until both are quiet.
    fn pump(&mut self, now: Instant) {
        let mut buf = [0u8; 1500];
        for _ in 0..1000 {
            let mut any = false;
            while let Some(tx) = self.station.poll_transmit(now, &mut buf) {
                any = true;
                match tx {
                    Transmit::RouterSolicit(t) => {
                        let sent = self.ra_sock.send(&buf[..t.len], t.dst);
                        self.reporter.emit(
                            "rs_sent",
                            json!({ "to": t.dst.to_string(), "error": sent.err().map(|e| e.to_string()) }),
                        );
                    }
                    Transmit::Dhcpv6(t) => {
                        let sent = self.dhcp_sock.send(&buf[..t.len], t.destination, t.port);
                        self.reporter.emit(
                            "dhcpv6_sent",
                            json!({
                                "message": format!("{:?}", t.message),
                                "to": t.destination.to_string(),
                                "bytes": t.len,
                                "error": sent.err().map(|e| e.to_string()),
                            }),
                        );
                    }
                }
            }
            while let Some(e) = self.station.poll_event() {
                any = true;
                self.on_event(now, e);
            }
            if !any {
                return;
            }
        }
    }

    fn try_restore(&mut self, now: Instant) {
        let Some(saved) = &self.pending_restore else {
            return;
        };
        let Some(mode) = state::parse_mode(&saved.mode) else {
            self.pending_restore = None;
            return;
        };
        if self.station.wanted_mode() != Some(mode) {
            return;
        }
        let Ok(server_id) = parse_hex(&saved.server_id) else {
            self.pending_restore = None;
            return;
        };
        let config = client::Config::default();
        let addresses: Vec<client::Lease> = saved
            .addresses
            .iter()
            .map(|l| self.clock.lease(now, l, config.iaid_na))
            .collect();
        let prefixes: Vec<client::Lease> = saved
            .prefixes
            .iter()
            .map(|l| self.clock.lease(now, l, config.iaid_pd))
            .collect();
        let binding = Binding {
            mode,
            server_id: &server_id,
            addresses: &addresses,
            prefixes: &prefixes,
            renew_in: self.clock.left(now, Some(saved.renew_at)),
            rebind_in: self.clock.left(now, Some(saved.rebind_at)),
        };
        if let Some(r) = self.station.restore(now, &binding) {
            self.reporter.emit(
                "binding_restored",
                json!({
                    "how": format!("{r:?}"),
                    "addresses": saved.addresses.iter().map(|l| l.address.to_string()).collect::<Vec<_>>(),
                    "prefixes": saved.prefixes.iter().map(|l| format!("{}/{}", l.address, l.prefix_len)).collect::<Vec<_>>(),
                }),
            );
            self.pending_restore = None;
        }
    }

    /// Run a netlink request; a failure is reported (`kernel_error`) and `false`.
    fn kernel_do(
        &mut self,
        what: &str,
        f: impl FnOnce(&mut Kernel) -> std::io::Result<()>,
    ) -> bool {
        let Some(k) = &mut self.kernel else {
            return false;
        };
        match f(k) {
            Ok(()) => true,
            Err(e) => {
                self.reporter.emit(
                    "kernel_error",
                    json!({ "what": what, "error": e.to_string() }),
                );
                false
            }
        }
    }

    fn add_address(
        &mut self,
        now: Instant,
        address: Ipv6Addr,
        prefix_len: u8,
        pref: Duration,
        valid: Duration,
        probe: bool,
    ) {
        if self.kernel.is_none() {
            if probe {
                // Nothing added, nothing probed (see the module documentation).
                self.station.handle_dad_result(now, address, DadResult::Ok);
            }
            return;
        }
        let added = self.kernel_do(&format!("adding {address}/{prefix_len}"), |k| {
            k.set_address(address, prefix_len, pref, valid)
        });
        if !added {
            // Reported; no DAD can run on an address the kernel refused, and refusing it is no
            // conflict with another node (no Decline).
            if probe {
                self.station.handle_dad_result(now, address, DadResult::Ok);
            }
            return;
        }
        self.addresses.insert(address, Added { prefix_len });
        if probe && !self.dad_pending.iter().any(|d| d.0 == address) {
            self.dad_pending.push((address, now));
        }
    }

    fn update_address(&mut self, address: Ipv6Addr, pref: Duration, valid: Duration) {
        let Some(a) = self.addresses.get(&address).copied() else {
            return;
        };
        self.kernel_do(&format!("updating {address}"), |k| {
            k.set_address(address, a.prefix_len, pref, valid)
        });
    }

    fn remove_address(&mut self, address: Ipv6Addr) {
        self.dad_pending.retain(|d| d.0 != address);
        if let Some(a) = self.addresses.remove(&address) {
            self.kernel_do(&format!("removing {address}"), |k| {
                k.remove_address(address, a.prefix_len)
            });
        }
    }

    fn set_route(
        &mut self,
        key: RouteKey,
        pref: Option<host::Preference>,
        expires: Option<Duration>,
    ) {
        if self.kernel.is_none() {
            return;
        }
        self.kernel_do(&format!("route {}/{}", key.dest, key.len), |k| {
            k.set_route(key, pref, expires)
        });
        self.routes.insert(key);
    }

    fn remove_route(&mut self, key: RouteKey) {
        if self.routes.remove(&key) {
            self.kernel_do(&format!("removing route {}/{}", key.dest, key.len), |k| {
                k.remove_route(key)
            });
        }
    }

    /// What the host's tables say about a route: its preference and the time left until it
    /// expires (`None`: the host no longer has it).
    fn route_facts(
        &self,
        key: RouteKey,
        now: Instant,
    ) -> Option<(Option<host::Preference>, Duration)> {
        let h = self.station.host();
        let left = |t: Instant| t.saturating_duration_since(now);
        match key.via {
            Some(router) if key.len == 0 => h
                .routers()
                .iter()
                .find(|r| r.address == router)
                .map(|r| (Some(r.preference), left(r.expires))),
            Some(router) => h
                .routes()
                .iter()
                .find(|r| r.router == router && r.prefix == key.dest && r.len == key.len)
                .map(|r| (Some(r.preference), left(r.expires))),
            None => h
                .prefixes()
                .iter()
                .find(|p| p.prefix == key.dest && p.len == key.len)
                .map(|p| (None, left(p.expires))),
        }
    }

    /// Install `key` with the preference and expiry the host's tables give it (`RTA_EXPIRES`:
    /// the kernel drops it by itself if this process is gone).
    fn install_route(&mut self, now: Instant, key: RouteKey, preference: Option<host::Preference>) {
        let (pref, expires) = match self.route_facts(key, now) {
            Some((p, e)) => (p.or(preference), Some(e)),
            None => (preference, None),
        };
        self.set_route(key, pref, expires);
    }

    /// Every RA restarts lifetimes: the kernel routes' expiry follows.
    fn refresh_routes(&mut self, now: Instant) {
        let keys: Vec<RouteKey> = self.routes.iter().copied().collect();
        for key in keys {
            if let Some((pref, left)) = self.route_facts(key, now) {
                self.set_route(key, pref, Some(left));
            }
        }
    }

    fn on_event(&mut self, now: Instant, e: Event) {
        let (kind, fields) = report::describe(&e);
        self.reporter.emit(kind, fields);
        match e {
            Event::Host(h) => self.on_host_event(now, h),
            Event::Dhcpv6(c) => self.on_client_event(now, c),
        }
    }

    fn on_host_event(&mut self, now: Instant, e: host::Event) {
        use host::Event as H;
        match e {
            H::ProbeAddress { address } => {
                let (pref, valid) = self
                    .station
                    .host()
                    .addresses()
                    .iter()
                    .find(|a| a.address == address)
                    .map(|a| {
                        (
                            a.preferred_until.saturating_duration_since(now),
                            a.valid_until.saturating_duration_since(now),
                        )
                    })
                    .unwrap_or((Duration::ZERO, Duration::from_secs(60)));
                self.add_address(now, address, 64, pref, valid, true);
            }
            H::AddressAdded {
                address,
                prefix_len,
                valid,
                preferred,
            } => {
                if self.addresses.contains_key(&address) || self.kernel.is_none() {
                    self.update_address(address, preferred, valid);
                } else {
                    self.add_address(now, address, prefix_len, preferred, valid, false);
                }
            }
            H::AddressLifetimesUpdated {
                address,
                valid,
                preferred,
            } => self.update_address(address, preferred, valid),
            H::AddressDeprecated { address } => {
                let valid = self
                    .station
                    .host()
                    .addresses()
                    .iter()
                    .find(|a| a.address == address)
                    .map_or(Duration::ZERO, |a| {
                        a.valid_until.saturating_duration_since(now)
                    });
                self.update_address(address, Duration::ZERO, valid);
            }
            H::AddressRemoved { address } => self.remove_address(address),
            H::DefaultRouterAdded { router, preference } => self.install_route(
                now,
                RouteKey {
                    dest: Ipv6Addr::UNSPECIFIED,
                    len: 0,
                    via: Some(router),
                },
                Some(preference),
            ),
            H::DefaultRouterRemoved { router } => self.remove_route(RouteKey {
                dest: Ipv6Addr::UNSPECIFIED,
                len: 0,
                via: Some(router),
            }),
            H::OnLinkPrefixAdded { prefix, len } => self.install_route(
                now,
                RouteKey {
                    dest: prefix,
                    len,
                    via: None,
                },
                None,
            ),
            H::OnLinkPrefixRemoved { prefix, len } => self.remove_route(RouteKey {
                dest: prefix,
                len,
                via: None,
            }),
            H::RouteAdded {
                prefix,
                len,
                router,
                preference,
            } => self.install_route(
                now,
                RouteKey {
                    dest: prefix,
                    len,
                    via: Some(router),
                },
                Some(preference),
            ),
            H::RouteRemoved {
                prefix,
                len,
                router,
            } => self.remove_route(RouteKey {
                dest: prefix,
                len,
                via: Some(router),
            }),
            H::DnsServersChanged | H::SearchListChanged => self.write_resolv(),
            H::MtuChanged { mtu } => {
                self.set_sysctl(&format!("conf/{}/mtu", self.iface.name), mtu);
            }
            H::LinkParametersChanged => {
                // RFC 4861 §6.3.4: what the kernel would take from the RA with accept_ra on.
                let lp = self.station.host().link_parameters();
                let name = self.iface.name.clone();
                if let Some(h) = lp.hop_limit {
                    self.set_sysctl(&format!("conf/{name}/hop_limit"), u32::from(h));
                }
                if let Some(r) = lp.reachable_time {
                    self.set_sysctl(&format!("neigh/{name}/base_reachable_time_ms"), r);
                }
                if let Some(r) = lp.retrans_timer {
                    self.set_sysctl(&format!("neigh/{name}/retrans_time_ms"), r);
                }
            }
            _ => {}
        }
    }

    /// Set `/proc/sys/net/ipv6/<rel>` (restored at exit; the original kept in the state file).
    fn set_sysctl(&mut self, rel: &str, value: u32) {
        if self.kernel.is_none() {
            return;
        }
        let path = PathBuf::from(format!("/proc/sys/net/ipv6/{rel}"));
        match self.sysctls.set(path.clone(), &value.to_string()) {
            Ok(()) => {
                self.reporter.emit(
                    "sysctl_set",
                    json!({ "path": path.display().to_string(), "value": value }),
                );
                self.state.sysctls = Some(self.sysctls.originals());
                self.save_state();
            }
            Err(e) => self.reporter.emit(
                "kernel_error",
                json!({ "what": format!("setting {}", path.display()), "error": e.to_string() }),
            ),
        }
    }

    fn on_client_event(&mut self, now: Instant, e: client::Event) {
        use client::Event as C;
        match e {
            C::AddressBound(l) => {
                self.add_address(now, l.address, 128, l.preferred, l.valid, true);
                self.save_state();
            }
            C::AddressRenewed(l) => {
                let (p, v) = l.remaining(now);
                self.update_address(l.address, p, v);
                self.save_state();
            }
            C::AddressRemoved { address, .. } => {
                self.remove_address(address);
                self.save_state();
            }
            C::PrefixBound(l) | C::PrefixRenewed(l) => {
                // RFC 7084 WPD-5 (as dhcpcd does): the delegated prefix is unreachable here
                // unless a more specific route says otherwise, so traffic to its unused parts
                // does not loop back up the default route. (Linux ignores RTA_EXPIRES on reject
                // routes: it goes when the prefix goes, or at SIGTERM.)
                let (_, valid) = l.remaining(now);
                let key = (l.address, l.prefix_len);
                if self.kernel_do(
                    &format!("unreachable {}/{}", l.address, l.prefix_len),
                    |k| k.set_unreachable(key.0, key.1, Some(valid)),
                ) {
                    self.unreachable.insert(key);
                }
                self.save_state();
            }
            C::PrefixRemoved {
                prefix, prefix_len, ..
            } => {
                if self.unreachable.remove(&(prefix, prefix_len)) {
                    self.kernel_do(
                        &format!("removing unreachable {prefix}/{prefix_len}"),
                        |k| k.remove_unreachable(prefix, prefix_len),
                    );
                }
                self.save_state();
            }
            C::DnsServersChanged | C::DomainListChanged => self.write_resolv(),
            _ => {}
        }
    }

    fn check_dad(&mut self, now: Instant) {
        if self.dad_pending.is_empty() {
            return;
        }
        let text = std::fs::read_to_string("/proc/net/if_inet6").unwrap_or_default();
        let pending = std::mem::take(&mut self.dad_pending);
        for (address, since) in pending {
            let kernel = netlink::dad_state(&text, self.iface.index, address);
            let verdict = match kernel {
                DadState::Done => Some(DadResult::Ok),
                // Linux flags a failed permanent address; one with finite lifetimes (all the
                // client adds) is deleted (addrconf_dad_stop). It was there when the add was
                // acknowledged, so gone means DAD failed.
                DadState::Failed | DadState::Absent => Some(DadResult::Conflict),
                DadState::Tentative => None,
            };
            let Some(verdict) = verdict else {
                self.dad_pending.push((address, since));
                continue;
            };
            if verdict == DadResult::Conflict {
                // A flagged address stays in the kernel: take it away.
                self.remove_address(address);
            }
            let target = self.station.handle_dad_result(now, address, verdict);
            self.reporter.emit(
                "dad_result",
                json!({
                    "address": address.to_string(),
                    "result": format!("{verdict:?}").to_lowercase(),
                    "engine": match target { DadTarget::Slaac => "slaac", DadTarget::Dhcpv6 => "dhcpv6", DadTarget::Unknown => "none" },
                    "millis": now.saturating_duration_since(since).total_millis(),
                    "kernel": format!("{kernel:?}").to_lowercase(),
                }),
            );
        }
        self.pump(now);
    }

    /// Carrier lost and back: the link may have changed (RFC 4861 §6.3.7, RFC 9915 §18.2.12).
    fn check_carrier(&mut self, now: Instant) {
        if now.saturating_duration_since(self.last_carrier_check) < Duration::from_secs(1) {
            return;
        }
        self.last_carrier_check = now;
        let up = read_carrier(&self.iface.name);
        if up && !self.carrier {
            self.reporter.emit("link_changed", json!({}));
            self.station.link_changed(now);
            self.pump(now);
        }
        self.carrier = up;
    }

    fn write_resolv(&mut self) {
        let mut servers: Vec<Ipv6Addr> = self.station.client().dns_servers().to_vec();
        for s in self.station.host().dns().servers() {
            if !servers.contains(&s) {
                servers.push(s);
            }
        }
        let mut search: Vec<String> = Vec::new();
        for name in self.station.client().domain_list().flatten() {
            search.push(name.to_string());
        }
        for name in self.station.host().dns().search_list() {
            let n = name.to_string();
            if !search.contains(&n) {
                search.push(n);
            }
        }
        self.reporter.write_resolv(&servers, &search);
    }

    fn save_state(&mut self) {
        let c = self.station.client();
        let binding = match state::mode_name(c.mode()) {
            Some(mode)
                if (!c.addresses().is_empty() || !c.prefixes().is_empty())
                    && c.server_id().is_some() =>
            {
                let wall =
                    |t: Option<Instant>| t.and_then(|t| self.clock.wall(t)).unwrap_or(f64::MAX);
                Some(state::SavedBinding {
                    mode: mode.to_owned(),
                    server_id: hex(c.server_id().unwrap_or_default()),
                    addresses: c.addresses().iter().map(|l| self.clock.save(l)).collect(),
                    prefixes: c.prefixes().iter().map(|l| self.clock.save(l)).collect(),
                    renew_at: wall(c.renew_at()),
                    rebind_at: wall(c.rebind_at()),
                })
            }
            _ => None,
        };
        // Not yet resumed: keep what was saved.
        if binding.is_none() && self.pending_restore.is_some() {
            return;
        }
        self.state.binding = binding;
        if let Err(e) = state::save(&self.state_path, &self.state) {
            self.reporter.emit(
                "state_error",
                json!({ "file": self.state_path.display().to_string(), "error": e.to_string() }),
            );
        }
    }

    fn configured(&self) -> bool {
        if !self.dad_pending.is_empty() {
            return false;
        }
        let c = self.station.client();
        let default_route = !self.station.host().routers().is_empty();
        let dad_done = |a: &Ipv6Addr| !self.dad_pending.iter().any(|d| d.0 == *a);
        // A restored binding counts once its Confirm or Rebind was answered.
        let bound = matches!(c.state(), ClientState::Bound | ClientState::Renewing);
        match self.station.wanted_mode() {
            Some(Mode::Stateless) => c.state() == ClientState::Informed,
            Some(Mode::PrefixDelegation) => bound && !c.prefixes().is_empty(),
            Some(Mode::Stateful { prefix_delegation }) => {
                bound
                    && c.addresses().iter().any(|l| dad_done(&l.address))
                    && (!prefix_delegation || !c.prefixes().is_empty())
                    && default_route
            }
            None => {
                self.station.host().addresses().iter().any(|a| {
                    a.state == AddressState::Preferred || a.state == AddressState::Deprecated
                }) && default_route
            }
        }
    }

    fn not_configured_reason(&self) -> String {
        let c = self.station.client();
        let routers = !self.station.host().routers().is_empty();
        if !self.ra_seen && !matches!(self.args.mode, ModeArg::Stateless | ModeArg::Pd) {
            return format!("no Router Advertisement received on {}", self.iface.name);
        }
        match self.station.wanted_mode() {
            Some(Mode::Stateless) => format!(
                "no Reply to Information-request (DHCPv6 client {:?})",
                c.state()
            ),
            Some(Mode::PrefixDelegation) => {
                format!("no delegated prefix (DHCPv6 client {:?})", c.state())
            }
            Some(Mode::Stateful { .. }) if c.addresses().is_empty() => {
                format!("no DHCPv6 address bound (DHCPv6 client {:?})", c.state())
            }
            Some(Mode::Stateful {
                prefix_delegation: true,
            }) if c.prefixes().is_empty() => {
                format!("no delegated prefix (DHCPv6 client {:?})", c.state())
            }
            _ if !routers => "no default router (router lifetime 0 or no RA)".into(),
            Some(_) => "address still in Duplicate Address Detection".into(),
            None => "no SLAAC address formed (no prefix with the A flag, or DAD failed)".into(),
        }
    }

    fn summary(&self) -> serde_json::Value {
        let c = self.station.client();
        let mut dns: Vec<String> = Vec::new();
        for a in c
            .dns_servers()
            .iter()
            .copied()
            .chain(self.station.host().dns().servers())
        {
            if !dns.contains(&a.to_string()) {
                dns.push(a.to_string());
            }
        }
        json!({
            "addresses": self.station.host().addresses().iter().map(|a| a.address.to_string())
                .chain(c.addresses().iter().map(|l| l.address.to_string())).collect::<Vec<_>>(),
            "prefixes": c.prefixes().iter().map(|l| format!("{}/{}", l.address, l.prefix_len)).collect::<Vec<_>>(),
            "routers": self.station.host().routers().iter().map(|r| r.address.to_string()).collect::<Vec<_>>(),
            "dns": dns,
        })
    }

    /// Every drop and overflow counter of both engines, as one event.
    fn emit_counters(&mut self) {
        let host = report::debug_fields(&format!("{:?}", self.station.host().counters()));
        let client = report::debug_fields(&format!("{:?}", self.station.client().stats()));
        self.reporter
            .emit("counters", json!({ "host": host, "dhcpv6": client }));
    }

    /// Put the sysctls back and forget them in the state file (which is saved).
    fn restore_sysctls(&mut self) {
        self.emit_counters();
        if !self.sysctls.saved.is_empty() {
            self.sysctls.restore();
            self.state.sysctls = None;
        }
        self.save_state();
    }

    /// Release, remove what was added, clear the resolv file, restore the sysctls.
    fn shutdown(&mut self) {
        let now = self.now();
        self.station.set_policy(now, Dhcpv6Policy::Never);
        self.pump(now);
        // Wait a little for the Release's Reply (RFC 9915 §18.2.7; not for every retransmission).
        let until = now + Duration::from_secs(2);
        let mut events = Events::with_capacity(4);
        while self.station.client().state() == ClientState::Releasing && self.now() < until {
            let _ = self
                .poll
                .poll(&mut events, Some(StdDuration::from_millis(100)));
            let now = self.now();
            self.receive_dhcpv6();
            self.station.handle_timeout(now);
            self.pump(now);
        }
        let addresses: Vec<Ipv6Addr> = self.addresses.keys().copied().collect();
        for a in addresses {
            self.remove_address(a);
        }
        let routes: Vec<RouteKey> = self.routes.iter().copied().collect();
        for r in routes {
            self.remove_route(r);
        }
        for (p, l) in std::mem::take(&mut self.unreachable) {
            self.kernel_do(&format!("removing unreachable {p}/{l}"), |k| {
                k.remove_unreachable(p, l)
            });
        }
        if self.args.resolv.is_some() {
            self.reporter.write_resolv(&[], &[]);
        }
        self.pending_restore = None;
        self.restore_sysctls();
        self.reporter.emit("stopped", json!({}));
    }
}

fn read_carrier(name: &str) -> bool {
    std::fs::read_to_string(format!("/sys/class/net/{name}/carrier"))
        .map(|s| s.trim() == "1")
        .unwrap_or(false)
}
