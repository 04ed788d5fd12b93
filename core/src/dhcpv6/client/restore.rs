//! Resuming bindings kept across a restart of the adapter (RFC 9915 §18.2.12: a client that
//! may have moved, e.g. after a reboot, and holds unexpired leases confirms its addresses and
//! rebinds its delegated prefixes instead of soliciting anew).

use super::{Client, Ia, Lease, Message, Mode, State, MAX_DUID_LEN};
use crate::time::{Duration, Instant};
use heapless::Vec;

/// A binding saved by the adapter (its leases, the server that granted them and the T1/T2 still
/// to run), to hand back to [`Client::restore`] after a restart.
///
/// Lifetimes are what is left at the time of the restore: the adapter converts its saved
/// wall-clock deadlines into a [`Lease`] with `received_at` = now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Binding<'a> {
    /// The mode the leases were obtained in (stateful or prefix delegation).
    pub mode: Mode,
    /// The DUID of the server that granted them (RFC 9915 §21.3).
    pub server_id: &'a [u8],
    /// IA_NA addresses (`prefix_len` 128).
    pub addresses: &'a [Lease],
    /// IA_PD prefixes.
    pub prefixes: &'a [Lease],
    /// Time left until T1 (Renew), from the restore.
    pub renew_in: Duration,
    /// Time left until T2 (Rebind), from the restore.
    pub rebind_in: Duration,
}

/// What [`Client::restore`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Restored {
    /// Addresses only: a Confirm is under way (RFC 9915 §18.2.3, §18.2.12).
    Confirming,
    /// Delegated prefixes are held: a Rebind is under way (RFC 9915 §18.2.5, §18.2.12; prefixes
    /// are never confirmed).
    Rebinding,
    /// Nothing usable (every lease expired, a stateless mode, or no server ID): the client
    /// started afresh with a Solicit or an Information-request, as [`Client::start`] does.
    Started,
}

impl<const ADDRS: usize, const PREFIXES: usize, const SERVERS: usize>
    Client<ADDRS, PREFIXES, SERVERS>
{
    /// Resumes `binding` at `now` (RFC 9915 §18.2.12): the unexpired leases that fit are held
    /// again, reported as [`Event::AddressBound`](super::Event::AddressBound) /
    /// [`Event::PrefixBound`](super::Event::PrefixBound) (the adapter re-applies them, running
    /// DAD for addresses), and a Rebind (when prefixes are held) or a Confirm (addresses only)
    /// starts. Leases whose valid lifetime has ended, a stateless mode, an empty or oversized
    /// server ID, or no lease left: the client starts in `binding.mode` afresh. Whatever was
    /// held before is dropped as by [`Client::start`].
    pub fn restore(&mut self, now: Instant, binding: &Binding<'_>) -> Restored {
        self.start(now, binding.mode);
        let server_ok = !binding.server_id.is_empty() && binding.server_id.len() <= MAX_DUID_LEN;
        if binding.mode.is_stateless() || !server_ok {
            return Restored::Started;
        }
        let mut na: Ia<ADDRS> = Ia::new(self.config.iaid_na);
        let mut pd: Ia<PREFIXES> = Ia::new(self.config.iaid_pd);
        for ia_t in [&mut na.t1, &mut pd.t1] {
            *ia_t = binding.renew_in;
        }
        for ia_t in [&mut na.t2, &mut pd.t2] {
            *ia_t = binding.rebind_in.max(binding.renew_in);
        }
        na.refreshed_at = now;
        pd.refreshed_at = now;
        let live = |l: &&Lease| l.valid_until() > now && l.valid > Duration::ZERO;
        if binding.mode.wants_na() {
            for l in binding.addresses.iter().filter(live) {
                let mut l = *l;
                l.iaid = self.config.iaid_na;
                let _ = na.leases.push(l);
            }
        }
        if binding.mode.wants_pd() {
            for l in binding.prefixes.iter().filter(live) {
                let mut l = *l;
                l.iaid = self.config.iaid_pd;
                let _ = pd.leases.push(l);
            }
        }
        if na.leases.is_empty() && pd.leases.is_empty() {
            return Restored::Started;
        }
        let Ok(server_id) = Vec::<u8, MAX_DUID_LEN>::from_slice(binding.server_id) else {
            return Restored::Started;
        };
        self.server_id = server_id;
        for l in na.leases.iter() {
            self.push_event(super::Event::AddressBound(*l));
        }
        for l in pd.leases.iter() {
            self.push_event(super::Event::PrefixBound(*l));
        }
        let rebind = !pd.leases.is_empty();
        self.na = na;
        self.pd = pd;
        self.state = State::Bound;
        if rebind {
            self.begin(now, Message::Rebind);
            Restored::Rebinding
        } else {
            self.begin(now, Message::Confirm);
            Restored::Confirming
        }
    }
}
