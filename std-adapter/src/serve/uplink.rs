//! The WAN side of a home router: the DHCPv6 prefix delegation client that `sixconf serve` runs
//! itself on every interface named by a link's `prefix = "delegated:IF"`, so that one process
//! owns the prefix from the ISP's Reply to the LAN's RAs (RFC 7084 §4.2 WPD, RFC 9096).
//!
//! The core [`Client`] in [`Mode::PrefixDelegation`] does the protocol; this module gives it the
//! `client` command's UDP 546 socket ([`crate::client::sockets::ClientSocket`]), keeps its DUID
//! and binding in a state file beside the lease database (`wan-IF.json`, the `client` command's
//! format, [`crate::client::state`]) so that a restart Rebinds the prefix it held instead of
//! soliciting a new one (RFC 9915 §18.2.12, RFC 9096 WPD-9: no Release at a restart), and
//! installs an `unreachable` route for each delegated prefix (RFC 7084 WPD-5).
//!
//! The daemon reads [`Uplink::held`] after each event and hands the LAN links their
//! sub-prefixes ([`crate::serve::daemon`]).

use std::net::Ipv6Addr;
use std::path::{Path, PathBuf};

use sixconf_core::dhcpv6::client::{self, Binding, Client, Delivery, Event, Lease, Mode};
use sixconf_core::time::Instant;
use tracing::{debug, info, warn};

use crate::client::netlink::Kernel;
use crate::client::sockets::ClientSocket;
use crate::client::state::{self, SavedBinding, State};
use crate::hex::parse_hex;
use crate::serve::iface::Interface;

/// One WAN interface's prefix delegation client.
pub struct Uplink {
    /// The WAN interface.
    pub iface: Interface,
    client: Client,
    sock: ClientSocket,
    kernel: Option<Kernel>,
    state_path: PathBuf,
    state: State,
    /// The prefix the LANs number from: the one bound last and still held.
    current: Option<(Ipv6Addr, u8)>,
    buf: Vec<u8>,
}

/// What the daemon learns from the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// The prefixes held changed (bound, renewed, withdrawn, expired): re-derive the LANs.
    Prefixes,
    /// Nothing the LANs depend on.
    None,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The state file of the uplink on `wan`, beside the lease database (in `/var/lib/sixconf`
/// when `lease_db` is a database URL rather than a file).
pub fn state_path(lease_db: &str, wan: &str) -> PathBuf {
    let dir = if lease_db.contains("://") {
        Path::new("/var/lib/sixconf")
    } else {
        Path::new(lease_db)
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
    };
    dir.join(format!("wan-{wan}.json"))
}

/// Engine time is the daemon's Unix milliseconds, so the state file's wall clock is the
/// engine's clock with base 0.
const WALL: state::Clock = state::Clock { base: 0.0 };

impl Uplink {
    /// Open the WAN interface `name`, load or create its state, and start (or resume) the
    /// delegation at `now`.
    pub fn open(name: &str, lease_db: &str, now: Instant) -> Result<Uplink, String> {
        let iface = Interface::lookup(name, std::time::Duration::from_secs(5))
            .map_err(|e| format!("WAN {name}: {e}"))?;
        let sock = ClientSocket::open(&iface).map_err(|e| format!("WAN {name}: {e}"))?;
        let kernel = Kernel::open(iface.index)
            .map_err(|e| warn!(wan = %name, "rtnetlink: {e}; no unreachable routes"))
            .ok();
        let state_path = state_path(lease_db, name);
        if let Some(dir) = state_path.parent() {
            // `/var/lib/sixconf` does not exist on a fresh machine.
            let _ = std::fs::create_dir_all(dir);
        }
        let loaded = state::load(&state_path)?;
        let duid = loaded
            .as_ref()
            .and_then(|s| parse_hex(&s.duid).ok())
            .filter(|d| (3..=130).contains(&d.len()))
            .unwrap_or_else(|| {
                // DUID-LL from the WAN MAC (RFC 9915 §11.4), or DUID-UUID-like random bytes.
                let mut d = vec![0, 3, 0, 1];
                match iface.mac {
                    Some(mac) => d.extend_from_slice(&mac),
                    None => {
                        d = vec![0, 4];
                        d.extend_from_slice(&random_bytes::<16>());
                    }
                }
                d
            });
        let seed = u64::from_le_bytes(random_bytes::<8>());
        let mut client = Client::new(&duid, client::Config::default(), seed)
            .map_err(|e| format!("WAN {name}: DHCPv6 client: {e}"))?;
        let saved = loaded.as_ref().and_then(|s| s.binding.clone());
        let state = State {
            duid: hex(&duid),
            secret: loaded
                .as_ref()
                .map(|s| s.secret.clone())
                .unwrap_or_else(|| hex(&random_bytes::<32>())),
            binding: saved.clone(),
            sysctls: None,
        };
        let restored = saved.as_ref().and_then(|b| restore(&mut client, now, b));
        match restored {
            Some(how) => info!(wan = %name, ?how, "delegation resumed from the state file"),
            None => client.start(now, Mode::PrefixDelegation),
        }
        let mut u = Uplink {
            iface,
            client,
            sock,
            kernel,
            state_path,
            state,
            current: None,
            buf: vec![0u8; 65_536],
        };
        u.save();
        info!(wan = %u.iface.name, duid = %u.state.duid, state = %u.state_path.display(), "requesting a delegated prefix");
        Ok(u)
    }

    /// The socket's file descriptor, for the poller.
    pub fn raw_fd(&self) -> std::os::fd::RawFd {
        self.sock.raw_fd()
    }

    /// When the client next has work.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.client.poll_timeout()
    }

    /// The prefixes held, and which one the LANs number from.
    pub fn held(&self) -> (&[Lease], Option<(Ipv6Addr, u8)>) {
        (self.client.prefixes(), self.current)
    }

    /// Let time pass and send what is due; returns whether the prefixes changed.
    pub fn tick(&mut self, now: Instant) -> Change {
        self.client.handle_timeout(now);
        self.pump(now)
    }

    /// Read every queued datagram; returns whether the prefixes changed.
    pub fn receive(&mut self, now: Instant) -> Change {
        let mut change = Change::None;
        loop {
            let r = match self.sock.receive(&mut self.buf) {
                Ok(Some(r)) => r,
                Ok(None) => break,
                Err(e) => {
                    warn!(wan = %self.iface.name, "DHCPv6 receive: {e}");
                    break;
                }
            };
            if r.truncated {
                continue;
            }
            let delivery = if r.dst.is_multicast() {
                Delivery::Multicast
            } else {
                Delivery::Unicast
            };
            let bytes = self.buf.get(..r.len).unwrap_or_default().to_vec();
            self.client.handle_message(now, &bytes, delivery);
            if self.pump(now) == Change::Prefixes {
                change = Change::Prefixes;
            }
        }
        change
    }

    /// Send what is due and act on every event.
    fn pump(&mut self, now: Instant) -> Change {
        let mut change = Change::None;
        let mut out = [0u8; 1500];
        while let Some(tx) = self.client.poll_transmit(now, &mut out) {
            let bytes = out.get(..tx.len).unwrap_or_default();
            match self.sock.send(bytes, tx.destination, tx.port) {
                Ok(_) => debug!(wan = %self.iface.name, kind = ?tx.message, "DHCPv6 sent"),
                Err(e) => {
                    warn!(wan = %self.iface.name, kind = ?tx.message, "DHCPv6 not sent: {e}")
                }
            }
        }
        while let Some(e) = self.client.poll_event() {
            match e {
                Event::PrefixBound(l) => {
                    info!(wan = %self.iface.name, prefix = %l.address, len = l.prefix_len,
                        preferred_s = l.preferred.secs(), valid_s = l.valid.secs(), "prefix delegated");
                    self.current = Some((l.address, l.prefix_len));
                    self.unreachable(now, &l);
                    change = Change::Prefixes;
                }
                Event::PrefixRenewed(l) => {
                    debug!(wan = %self.iface.name, prefix = %l.address, len = l.prefix_len, "delegation renewed");
                    if self.current.is_none() {
                        self.current = Some((l.address, l.prefix_len));
                    }
                    self.unreachable(now, &l);
                    change = Change::Prefixes;
                }
                Event::PrefixRemoved {
                    prefix,
                    prefix_len,
                    reason,
                } => {
                    info!(wan = %self.iface.name, %prefix, len = prefix_len, ?reason, "delegated prefix gone");
                    if let Some(k) = self.kernel.as_mut() {
                        if let Err(e) = k.remove_unreachable(prefix, prefix_len) {
                            warn!(%prefix, "cannot remove the unreachable route: {e}");
                        }
                    }
                    if self.current == Some((prefix, prefix_len)) {
                        // The newest prefix still held, if any.
                        self.current = self
                            .client
                            .prefixes()
                            .iter()
                            .filter(|p| (p.address, p.prefix_len) != (prefix, prefix_len))
                            .max_by_key(|p| p.received_at)
                            .map(|p| (p.address, p.prefix_len));
                    }
                    change = Change::Prefixes;
                }
                Event::ExchangeFailed(m) => {
                    warn!(wan = %self.iface.name, kind = ?m, "DHCPv6 exchange gave up")
                }
                _ => {}
            }
        }
        if change == Change::Prefixes {
            self.save();
        }
        change
    }

    fn unreachable(&mut self, now: Instant, l: &Lease) {
        let Some(k) = self.kernel.as_mut() else {
            return;
        };
        let (_, valid) = l.remaining(now);
        if let Err(e) = k.set_unreachable(l.address, l.prefix_len, Some(valid)) {
            warn!(prefix = %l.address, "cannot install the unreachable route: {e}");
        }
    }

    /// Keep the DUID and binding (written atomically).
    fn save(&mut self) {
        let c = &self.client;
        self.state.binding = match (c.server_id(), c.prefixes().is_empty()) {
            (Some(id), false) => Some(SavedBinding {
                mode: "pd".into(),
                server_id: hex(id),
                addresses: Vec::new(),
                prefixes: c.prefixes().iter().map(|l| WALL.save(l)).collect(),
                renew_at: c.renew_at().and_then(|t| WALL.wall(t)).unwrap_or(f64::MAX),
                rebind_at: c.rebind_at().and_then(|t| WALL.wall(t)).unwrap_or(f64::MAX),
            }),
            _ => None,
        };
        if let Err(e) = state::save(&self.state_path, &self.state) {
            warn!(file = %self.state_path.display(), "cannot save the WAN state: {e}");
        }
    }

    /// At exit: the unreachable routes go; the binding stays in the state file and is not
    /// Released (RFC 9096 WPD-9), so the next start Rebinds the same prefix.
    pub fn shutdown(&mut self) {
        let held: Vec<(Ipv6Addr, u8)> = self
            .client
            .prefixes()
            .iter()
            .map(|p| (p.address, p.prefix_len))
            .collect();
        if let Some(k) = self.kernel.as_mut() {
            for (p, l) in held {
                let _ = k.remove_unreachable(p, l);
            }
        }
        self.save();
    }
}

fn restore(client: &mut Client, now: Instant, b: &SavedBinding) -> Option<client::Restored> {
    if state::parse_mode(&b.mode) != Some(Mode::PrefixDelegation) {
        return None;
    }
    let server_id = parse_hex(&b.server_id).ok()?;
    let config = client::Config::default();
    let prefixes: Vec<Lease> = b
        .prefixes
        .iter()
        .map(|l| WALL.lease(now, l, config.iaid_pd))
        .collect();
    let binding = Binding {
        mode: Mode::PrefixDelegation,
        server_id: &server_id,
        addresses: &[],
        prefixes: &prefixes,
        renew_in: WALL.left(now, Some(b.renew_at)),
        rebind_in: WALL.left(now, Some(b.rebind_at)),
    };
    match client.restore(now, &binding) {
        client::Restored::Started => None,
        r => Some(r),
    }
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    if let Ok(mut f) = std::fs::File::open("/dev/urandom") {
        let _ = std::io::Read::read_exact(&mut f, &mut b);
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_file_lives_beside_the_lease_database() {
        assert_eq!(
            state_path("/var/lib/sixconf/leases.sqlite", "wan0"),
            PathBuf::from("/var/lib/sixconf/wan-wan0.json")
        );
        assert_eq!(
            state_path("leases.sqlite", "eth0"),
            PathBuf::from("./wan-eth0.json")
        );
    }
}
