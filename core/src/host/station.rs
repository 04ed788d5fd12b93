//! A host's whole IPv6 configuration engine: the RA/SLAAC [`Host`] and the DHCPv6
//! [`Client`] joined by the glue DESIGN.md puts in `host`: the RA's M and O flags start, switch
//! and stop the client (RFC 4861 §4.2), a DAD conflict on a DHCPv6 address becomes a Decline
//! (RFC 9915 §18.2.8), and a link change restarts Router Solicitation (RFC 4861 §6.3.7) and makes
//! the client Confirm (RFC 9915 §18.2.12).
//!
//! A [`Station`] keeps the sans-IO contract of both engines: feed it RAs
//! ([`Station::handle_ra`]), DHCPv6 datagrams ([`Station::handle_dhcpv6`]) and DAD verdicts
//! ([`Station::handle_dad_result`]); send what [`Station::poll_transmit`] writes; call
//! [`Station::handle_timeout`] at [`Station::poll_timeout`]; and after every call drain
//! [`Station::poll_event`], which yields the host's events first and then the client's.
//!
//! # What the flags do ([`Dhcpv6Policy::FollowRa`])
//!
//! | latest RA | client |
//! |---|---|
//! | M=1 (O ignored, RFC 4861 §4.2) | stateful (IA_NA; IA_PD too if asked for) |
//! | M=0, O=1 | stateless (Information-request) |
//! | M=0, O=0 | stopped (held leases are Released, RFC 9915 §18.2.7) |
//! | a prefix with P=1 (RFC 9762), if [`HostConfig::prefix_delegation`] | prefix delegation only |
//!
//! The client reacts at once, inside the call that processed the RA. A change of mode while
//! leases are held first Releases them; the new mode starts once the Release is answered or
//! given up (RFC 9915 §18.2.7: at most 4 transmissions). The same mode announced again changes
//! nothing: held leases are never restarted by a repeated RA.
//!
//! # The P flag (RFC 9762 §4.2)
//!
//! With [`HostConfig::prefix_delegation`], while some prefix is announced with the P flag the
//! client runs prefix delegation only ("it SHOULD NOT request individual IPv6 addresses from
//! DHCPv6"), with a prefix length hint of 64 unless the client's configuration gives one ("it
//! MUST use the prefix length hint to request a prefix that is short enough to form addresses
//! via SLAAC"), and the host forms no SLAAC address in those prefixes. Every change of that list
//! while prefixes are held makes the client Rebind. When the list empties and the flags ask for
//! no DHCPv6, the client keeps running: stopping would Release the delegated prefixes, whose
//! lifetimes RFC 9762 says are unaffected. Falling back to SLAAC when no prefix is delegated (a
//! MAY of RFC 9762 §4.2) is not done.
//!
//! # DAD for both kinds of address
//!
//! The adapter runs Duplicate Address Detection for SLAAC addresses (the host's
//! [`host::Event::ProbeAddress`]) and for DHCPv6 addresses (the client's
//! [`client::Event::AddressBound`], RFC 9915 §18.2.10.1), and reports every verdict to
//! [`Station::handle_dad_result`], which routes it: a tentative SLAAC address goes to the host
//! (a conflict tries the next RFC 7217 identifier), a DHCPv6 address in conflict is removed and
//! Declined.
//!
//! ```
//! use sixconf_core::dhcpv6::client::Config;
//! use sixconf_core::host::station::{Dhcpv6Policy, Station};
//! use sixconf_core::host::{Dhcpv6Mode, HostConfig};
//! use sixconf_core::time::Instant;
//! use sixconf_core::wire::ndisc::{IpMeta, Repr};
//!
//! let mac = [0xfa, 0x16, 0x3e, 0x22, 0x38, 0x6b];
//! let duid = [0, 3, 0, 1, 0xfa, 0x16, 0x3e, 0x22, 0x38, 0x6b]; // DUID-LL (RFC 9915 §11.4)
//! let policy = Dhcpv6Policy::FollowRa { prefix_delegation: false };
//! let mut station: Station =
//!     Station::new(HostConfig::new(mac, [7; 32], 1), &duid, Config::default(), 2, policy, Instant::ZERO)
//!         .unwrap();
//!
//! // The seed's stateful RA: Flags [managed], router lifetime 30 s, no prefix.
//! let ra = b"\x86\x00\x01\x2b\x40\x80\x00\x1e\0\0\0\0\0\0\0\0\x01\x01\xfa\x16\x3e\x77\xe5\xa0";
//! let meta = IpMeta {
//!     src: "fe80::f816:3eff:fe77:e5a0".parse().unwrap(),
//!     dst: "ff02::1".parse().unwrap(),
//!     hop_limit: 255,
//!     had_fragment_header: false,
//! };
//! let Ok(Repr::RouterAdvert(ra)) = Repr::parse_verified(ra, &meta.src, &meta.dst) else {
//!     panic!("not an RA")
//! };
//! station.handle_ra(Instant::from_millis(500), &meta, &ra);
//! assert_eq!(station.host().dhcpv6_mode(), Dhcpv6Mode::Stateful);
//! // M=1: the client is soliciting (its first Solicit waits a random 0-1 s, RFC 9915 §18.2.1).
//! assert_eq!(station.client().state(), sixconf_core::dhcpv6::client::State::Soliciting);
//! ```

use core::net::Ipv6Addr;

use crate::dhcpv6::client::{self, Client, ConfigError, State};
use crate::host::{self, AddressState, DadResult, Dhcpv6Mode, Host, HostConfig};
use crate::time::Instant;
use crate::wire::ndisc::{IpMeta, RouterAdvertRepr};

/// When the DHCPv6 client runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Dhcpv6Policy {
    /// As the latest RA's M and O flags say (RFC 4861 §4.2; the table in the module
    /// documentation).
    FollowRa {
        /// With M=1, also request a delegated prefix (IA_PD, RFC 9915 §6.3).
        prefix_delegation: bool,
    },
    /// Always in this mode, whatever the RAs say (started directly, as on a router's WAN side).
    Always(client::Mode),
    /// Never: the client stays idle (held leases are Released).
    Never,
}

/// Something [`Station::poll_transmit`] wrote into the caller's buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Transmit {
    /// A Router Solicitation: an ICMPv6 message, checksum filled, to send with hop limit 255
    /// (RFC 4861 §6.3.7).
    RouterSolicit(host::Transmit),
    /// A DHCPv6 message: a UDP payload to send from port 546 to
    /// `destination` port 547 (RFC 9915 §7.1, §7.2), from the link-local address.
    Dhcpv6(client::Transmit),
}

/// What the adapter must act on: the host's events and the client's, unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Event {
    /// From RA processing and SLAAC (also [`host::Event::Dhcpv6Changed`], already acted on).
    Host(host::Event),
    /// From the DHCPv6 client. Run DAD on a [`client::Event::AddressBound`] address and report
    /// the verdict to [`Station::handle_dad_result`].
    Dhcpv6(client::Event),
}

/// Which engine a DAD verdict went to ([`Station::handle_dad_result`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum DadTarget {
    /// A tentative SLAAC address: the host took the verdict (RFC 4862 §5.4.5).
    Slaac,
    /// A DHCPv6 address: kept if unique, Declined on a conflict (RFC 9915 §18.2.8).
    Dhcpv6,
    /// Neither engine has such an address (late or repeated verdict); ignored.
    Unknown,
}

/// The host engine and the DHCPv6 client engine, joined (see the [module documentation](self)).
///
/// `ROUTERS`, `PREFIXES` and `ROUTES` size the [`Host`]; `ADDRS`, `DELEGATED` and `SERVERS`
/// the [`Client`].
#[derive(Debug, Clone)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Station<
    const ROUTERS: usize = 4,
    const PREFIXES: usize = 8,
    const ROUTES: usize = 8,
    const ADDRS: usize = 4,
    const DELEGATED: usize = 4,
    const SERVERS: usize = 4,
> {
    host: Host<ROUTERS, PREFIXES, ROUTES>,
    client: Client<ADDRS, DELEGATED, SERVERS>,
    policy: Dhcpv6Policy,
    /// The mode the client was last started in and not stopped since.
    running: Option<client::Mode>,
    /// Prefix delegation runs because of the P flag (kept when the P-flag list empties).
    pd_by_p_flag: bool,
    /// [`PdPreferredList::changes`](crate::host::PdPreferredList::changes) when last looked at.
    pd_changes_seen: u32,
}

impl<
        const ROUTERS: usize,
        const PREFIXES: usize,
        const ROUTES: usize,
        const ADDRS: usize,
        const DELEGATED: usize,
        const SERVERS: usize,
    > Station<ROUTERS, PREFIXES, ROUTES, ADDRS, DELEGATED, SERVERS>
{
    /// A station that starts soliciting routers at `now` ([`Host::new`]), with a DHCPv6 client
    /// identified by `duid` ([`Client::new`]; `client_seed` drives its transaction IDs and
    /// jitter), run as `policy` says. With [`Dhcpv6Policy::Always`] the client starts at once.
    pub fn new(
        host: HostConfig,
        duid: &[u8],
        client: client::Config,
        client_seed: u64,
        policy: Dhcpv6Policy,
        now: Instant,
    ) -> Result<Self, ConfigError> {
        let mut client = client;
        if host.prefix_delegation && client.prefix_length_hint.is_none() {
            // RFC 9762 §4.2: a prefix short enough for SLAAC.
            client.prefix_length_hint = Some(64);
        }
        let mut station = Station {
            host: Host::new(host, now),
            client: Client::new(duid, client, client_seed)?,
            policy,
            running: None,
            pd_by_p_flag: false,
            pd_changes_seen: 0,
        };
        station.sync(now);
        Ok(station)
    }

    /// The host engine (router, prefix, SLAAC address, route and DNS tables).
    pub fn host(&self) -> &Host<ROUTERS, PREFIXES, ROUTES> {
        &self.host
    }

    /// The DHCPv6 client engine (state, leases, DNS and domain list from DHCPv6).
    pub fn client(&self) -> &Client<ADDRS, DELEGATED, SERVERS> {
        &self.client
    }

    /// The policy in force.
    pub fn policy(&self) -> Dhcpv6Policy {
        self.policy
    }

    /// The mode the DHCPv6 client should run in now: the policy applied to the latest RA's
    /// flags. `None`: stopped.
    pub fn wanted_mode(&self) -> Option<client::Mode> {
        match self.policy {
            Dhcpv6Policy::Never => None,
            Dhcpv6Policy::Always(mode) => Some(mode),
            Dhcpv6Policy::FollowRa { prefix_delegation } => {
                if self.host.wants_prefix_delegation() {
                    return Some(client::Mode::PrefixDelegation);
                }
                match self.host.dhcpv6_mode() {
                    Dhcpv6Mode::None if self.pd_by_p_flag => Some(client::Mode::PrefixDelegation),
                    Dhcpv6Mode::None => None,
                    Dhcpv6Mode::Stateless => Some(client::Mode::Stateless),
                    Dhcpv6Mode::Stateful => Some(client::Mode::Stateful { prefix_delegation }),
                }
            }
        }
    }

    /// Change the policy; the client follows at once.
    pub fn set_policy(&mut self, now: Instant, policy: Dhcpv6Policy) {
        self.policy = policy;
        self.sync(now);
    }

    /// Processes a received Router Advertisement ([`Host::handle_ra`]); when its M/O flags
    /// change what the client should do, the client is started, switched or stopped now.
    pub fn handle_ra(&mut self, now: Instant, meta: &IpMeta, ra: &RouterAdvertRepr<'_>) {
        self.host.handle_ra(now, meta, ra);
        self.sync(now);
    }

    /// Processes a received ICMPv6 message from its bytes ([`Host::handle_ra_bytes`]: checksum
    /// verified, decoded leniently), then acts on the M/O flags as [`Station::handle_ra`] does.
    pub fn handle_ra_bytes(
        &mut self,
        now: Instant,
        meta: &IpMeta,
        icmp: &[u8],
    ) -> Result<(), crate::wire::Error> {
        let result = self.host.handle_ra_bytes(now, meta, icmp);
        self.sync(now);
        result
    }

    /// Handles a datagram received on UDP port 546 ([`Client::handle_message`]).
    pub fn handle_dhcpv6(&mut self, now: Instant, datagram: &[u8], delivery: client::Delivery) {
        self.client.handle_message(now, datagram, delivery);
        self.sync(now);
    }

    /// The adapter's DAD verdict for `address`: a tentative SLAAC address goes to
    /// [`Host::handle_dad_result`]; a DHCPv6 address in conflict is removed and Declined
    /// ([`Client::dad_conflict`], RFC 9915 §18.2.8), one without conflict is kept.
    pub fn handle_dad_result(
        &mut self,
        now: Instant,
        address: Ipv6Addr,
        result: DadResult,
    ) -> DadTarget {
        let tentative = self
            .host
            .addresses()
            .iter()
            .any(|a| a.address == address && a.state == AddressState::Tentative);
        let target = if tentative {
            self.host.handle_dad_result(now, address, result);
            DadTarget::Slaac
        } else if self.client.addresses().iter().any(|l| l.address == address) {
            if result == DadResult::Conflict {
                self.client.dad_conflict(now, address);
            }
            DadTarget::Dhcpv6
        } else {
            DadTarget::Unknown
        };
        self.sync(now);
        target
    }

    /// Resumes a binding saved across a restart ([`Client::restore`]: Confirm or Rebind, RFC
    /// 9915 §18.2.12) if the client should run in `binding.mode` now
    /// ([`Station::wanted_mode`]); `None` (and nothing done) otherwise, so the adapter can try
    /// again after the next RA. Call it before the client has bound anything: what it holds is
    /// replaced.
    pub fn restore(
        &mut self,
        now: Instant,
        binding: &client::Binding<'_>,
    ) -> Option<client::Restored> {
        if self.wanted_mode() != Some(binding.mode) {
            return None;
        }
        let restored = self.client.restore(now, binding);
        self.running = Some(binding.mode);
        self.sync(now);
        Some(restored)
    }

    /// The interface may have moved to another link (it went down and up, or the Wi-Fi
    /// network changed): solicit routers again (RFC 4861 §6.3.7) and let the client Confirm its
    /// addresses, Rebind its prefixes or ask again for configuration (RFC 9915 §18.2.12).
    pub fn link_changed(&mut self, now: Instant) {
        self.host.restart_solicitation(now);
        self.client.link_changed(now);
        self.sync(now);
    }

    /// Sets the source of later Router Solicitations ([`Host::set_source`]).
    pub fn set_source(&mut self, source: Ipv6Addr) {
        self.host.set_source(source);
    }

    /// Writes the next due message into `buf`: a Router Solicitation first, then a DHCPv6
    /// message. `None` when nothing is due (or it does not fit `buf`; see the engines).
    pub fn poll_transmit(&mut self, now: Instant, buf: &mut [u8]) -> Option<Transmit> {
        if let Some(t) = self.host.poll_transmit(now, buf) {
            return Some(Transmit::RouterSolicit(t));
        }
        self.client.poll_transmit(now, buf).map(Transmit::Dhcpv6)
    }

    /// The earliest instant either engine has work.
    pub fn poll_timeout(&self) -> Option<Instant> {
        match (self.host.poll_timeout(), self.client.poll_timeout()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Advances both engines' timers to `now`. Calling it early is harmless.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.host.handle_timeout(now);
        self.client.handle_timeout(now);
        self.sync(now);
    }

    /// The next event: the host's first, then the client's.
    pub fn poll_event(&mut self) -> Option<Event> {
        if let Some(e) = self.host.poll_event() {
            return Some(Event::Host(e));
        }
        self.client.poll_event().map(Event::Dhcpv6)
    }

    /// Brings the client in line with [`Station::wanted_mode`]: stop what runs in another mode
    /// (Release), start the wanted mode once the client is idle.
    fn sync(&mut self, now: Instant) {
        let wanted = self.wanted_mode();
        let p_flag = matches!(self.policy, Dhcpv6Policy::FollowRa { .. })
            && self.host.wants_prefix_delegation();
        let pd_changes = self.host.pd_preferred().changes();
        let pd_list_changed = pd_changes != self.pd_changes_seen;
        self.pd_changes_seen = pd_changes;
        if self.running.is_some() && self.running != wanted {
            self.client.stop(now);
            self.running = None;
        } else if pd_list_changed && self.running.is_some() && !self.client.prefixes().is_empty() {
            // RFC 9762 §4.2: a change of the P-flag list is a change of configuration
            // (RFC 9915 §18.2.12): Rebind.
            self.client.link_changed(now);
        }
        if p_flag {
            self.pd_by_p_flag = true;
        } else if wanted != Some(client::Mode::PrefixDelegation) {
            self.pd_by_p_flag = false;
        }
        if self.running.is_none() && self.client.state() == State::Idle {
            if let Some(mode) = wanted {
                self.client.start(now, mode);
                self.running = Some(mode);
            }
        }
    }
}
