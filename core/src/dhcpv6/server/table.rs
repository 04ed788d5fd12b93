//! The lease table: every binding the server holds, in storage the caller provides.
//!
//! # Layout and costs
//!
//! The caller hands in a slice of [`Slot`]s (`S: AsMut<[Slot]>`): an embedded build passes a
//! `static` array, a std build a boxed slice of a million slots. The table never allocates and
//! never grows; a full table is a protocol outcome ([`TableFull`], which the engine answers with
//! NoAddrsAvail / NoPrefixAvail), never the eviction of an active binding.
//!
//! Each slot carries one binding record and its share of three structures laid over the same
//! slice, so that one caller-provided array is all the storage there is:
//!
//! - a **client index**: open addressing with linear probing over `2 × slots` entries, keyed by
//!   a keyed hash of the client DUID. All bindings of one client sit in one probe run, so a
//!   lookup by (DUID, IAID, IA type) and the count of a client's bindings (per-client caps) walk
//!   that run only. Per-client caps keep the run short.
//! - a **lease index**: the same, keyed by (address or prefix, prefix length), for "is this
//!   address/prefix held?" during allocation.
//! - a **binary min-heap** of valid-lifetime deadlines, for [`poll_timeout`](super::Server::poll_timeout)
//!   and expiry in O(log n). Keys live in the heap array, and a renewal that pushes a deadline
//!   back does not touch the heap (the entry moves when its old deadline comes up), so a
//!   Renew costs the same at a thousand bindings and at a million.
//!
//! Index entries carry an 8-bit hash fingerprint next to the slot number, so a probe rejects
//! most non-matching entries without reading their record (one cache miss fewer per lookup in
//! a large table). That leaves 24 bits for the slot: at most [`MAX_SLOTS`] bindings.
//!
//! Load factor of both indexes is at most 1/2 (two entries per slot), so a probe run stays a
//! few entries long from a thousand to a million bindings; deletion is backward-shift, so no
//! tombstones accumulate.
//!
//! # DUIDs: inline, capacity chosen by the caller
//!
//! The DUID is stored inline in the slot, in a buffer of `D` bytes ([`Slot<D>`](Slot), default
//! [`DEFAULT_DUID_CAPACITY`] = 32) plus its length. RFC 9915 §11.1 allows DUIDs of up to 130
//! bytes, but the ones clients send are short: DUID-LL on Ethernet 10 bytes, DUID-LLT 14,
//! DUID-UUID 18, DUID-LL / DUID-LLT over InfiniBand 24 / 28, DUID-EN 6 plus its identifier
//! (systemd's is 14). Paying 130 bytes per binding for the rare long DUID doubled the slot.
//!
//! Trade-off: a client whose DUID is longer than `D` gets no binding. The server refuses it
//! cleanly (NoAddrsAvail / NoPrefixAvail, counted in
//! [`Counters::duid_too_long`](super::Counters::duid_too_long); [`restore`](super::Server::restore)
//! answers [`RestoreError::DuidTooLong`](super::RestoreError::DuidTooLong)), never truncates or
//! hashes it: every lookup compares the DUID in full, so two clients are never confused. A
//! deployment that must serve any DUID picks `Slot<130>` (see [`DUID_CAPACITY_MAX`]); a
//! microcontroller with only short DUIDs picks `Slot<16>`. An out-of-line DUID arena would avoid
//! the choice but needs compaction or a chunk allocator, and a [`BindingRef::duid`] that could no
//! longer be one borrowed slice. Without the DUID a slot is [`SLOT_OVERHEAD`] bytes (record
//! fields + index entries + heap entry), so `size_of::<Slot<D>>()` is `SLOT_OVERHEAD + D`
//! rounded up to 8.
//!
//! Hash flooding: the index hash is keyed with a caller-supplied secret, so a client cannot choose
//! DUIDs that collide on purpose.

use core::net::Ipv6Addr;

use crate::time::Instant;
use crate::wire::dhcpv6::option::duid::MAX_LEN as DUID_MAX_LEN;
use crate::wire::dhcpv6::DuidBuf;

/// Which kind of IA a binding belongs to (RFC 9915 §13, §21.4, §21.21).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum IaType {
    /// IA_NA: a non-temporary address.
    Na,
    /// IA_PD: a delegated prefix.
    Pd,
}

/// One lease as the adapter persists it and hands back to [`restore`](super::Server::restore).
///
/// `preferred_until` / `valid_until` are absolute [`Instant`]s: for them to survive a restart the
/// adapter must use an epoch that survives it too (e.g. Unix time in milliseconds), or convert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lease {
    /// Index of the link (in the server's link list) the lease belongs to.
    pub link: u8,
    /// IA_NA or IA_PD.
    pub ia_type: IaType,
    /// The client's DUID (RFC 9915 §11).
    pub duid: DuidBuf,
    /// The IAID of the IA holding the lease (RFC 9915 §12).
    pub iaid: u32,
    /// The address (IA_NA) or the prefix (IA_PD).
    pub address: Ipv6Addr,
    /// 128 for an address, the delegated length for a prefix.
    pub prefix_len: u8,
    /// When the preferred lifetime ends.
    pub preferred_until: Instant,
    /// When the valid lifetime ends and the lease expires.
    pub valid_until: Instant,
}

#[cfg(feature = "defmt")]
impl defmt::Format for Lease {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(
            f,
            "Lease {{ link: {}, {}, duid: {}, iaid: {}, {=[u8]}/{}, until {} }}",
            self.link,
            self.ia_type,
            self.duid,
            self.iaid,
            self.address.octets()[..],
            self.prefix_len,
            self.valid_until
        )
    }
}

/// The table has no free slot (or the client index is full).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct TableFull;

const FREE: u8 = 0;
const NA: u8 = 1;
const PD: u8 = 2;
const DECLINED: u8 = 3;

/// DUID bytes a [`Slot`] holds inline when no capacity is named: enough for every DUID type
/// on Ethernet and InfiniBand (see the [module documentation](self)).
pub const DEFAULT_DUID_CAPACITY: usize = 32;

/// The longest DUID RFC 9915 §11.1 allows: `Slot<DUID_CAPACITY_MAX>` serves every client.
pub const DUID_CAPACITY_MAX: usize = DUID_MAX_LEN;

/// One unit of caller-provided table storage: one binding record (with up to `D` bytes of
/// client DUID inline) plus its share of the indexes and of the expiry heap. Create arrays of
/// them with [`Slot::EMPTY`] (default capacity) or [`Slot::empty`] (any capacity).
///
/// `D` is the DUID capacity: a client whose DUID is longer gets no binding (counted; see the
/// [module documentation](self) for the trade-off). At most [`DUID_CAPACITY_MAX`].
#[derive(Debug, Clone, Copy)]
pub struct Slot<const D: usize = DEFAULT_DUID_CAPACITY> {
    // The binding record (fields flattened with the index and heap parts so that no padding
    // sits between them).
    lease: [u8; 16],
    valid_until: u64,
    preferred_until: u64,
    duid_hash: u64,
    iaid: u32,
    /// Position in the heap while live; next free slot + 1 (0 = end) while on the free list.
    heap_pos: u32,
    state: u8,
    prefix_len: u8,
    link: u8,
    duid_len: u8,
    duid: [u8; D],
    /// Index entries: `(slot + 1) | fingerprint << 24`, 0 = empty.
    index: [[u32; 2]; 2],
    /// Heap entry at this position: its key (a deadline, never later than the record's) ...
    heap_key: u64,
    /// ... and its slot.
    heap: u32,
}

/// Most slots a table uses (index entries keep 24 bits for the slot and 8 for a hash
/// fingerprint). Larger storage is allowed; the excess is unused.
pub const MAX_SLOTS: usize = (1 << 24) - 2;
const IDX_MASK: u32 = 0x00ff_ffff;

fn pack(idx: usize, h: u64) -> u32 {
    (idx as u32 + 1) | (((h & 0xff) as u32) << 24)
}

fn unpack(e: u32) -> Option<usize> {
    ((e & IDX_MASK) as usize).checked_sub(1)
}

fn fingerprint_matches(e: u32, h: u64) -> bool {
    e >> 24 == (h & 0xff) as u32
}

/// Bytes of a [`Slot`] that are not the inline DUID buffer.
pub const SLOT_OVERHEAD: usize = core::mem::size_of::<Slot<0>>();

// Goal (issue 5): at most 128 bytes per binding plus the DUID; with the default DUID capacity
// a slot fits in 112 bytes. Checked at compile time.
const _: () = assert!(SLOT_OVERHEAD <= 128);
const _: () = assert!(core::mem::size_of::<Slot>() <= 112);

#[cfg(feature = "defmt")]
impl<const D: usize> defmt::Format for Slot<D> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "Slot {{ state: {} }}", self.state)
    }
}

impl Slot {
    /// An unused slot with the default DUID capacity ([`DEFAULT_DUID_CAPACITY`]).
    pub const EMPTY: Slot = Slot::empty();
}

impl<const D: usize> Slot<D> {
    /// An unused slot holding DUIDs of up to `D` bytes (`[Slot::<16>::empty(); 64]`).
    pub const fn empty() -> Self {
        Slot {
            lease: [0; 16],
            valid_until: 0,
            preferred_until: 0,
            duid_hash: 0,
            iaid: 0,
            heap_pos: 0,
            state: FREE,
            prefix_len: 0,
            link: 0,
            duid_len: 0,
            duid: [0; D],
            index: [[0; 2]; 2],
            heap_key: 0,
            heap: 0,
        }
    }

    /// The longest DUID this slot type holds: `D`.
    pub const DUID_CAPACITY: usize = D;
}

const CLIENT: usize = 0;
const LEASE: usize = 1;

/// A keyed 64-bit hash (multiply-fold, wyhash style). Not cryptographic; the key stops clients
/// from aiming collisions at the indexes.
pub(crate) fn hash_bytes(key: u64, data: &[u8]) -> u64 {
    const P0: u64 = 0xa076_1d64_78bd_642f;
    const P1: u64 = 0xe703_7ed1_a0b4_28db;
    const P2: u64 = 0x8ebc_6af0_9c88_c6e3;
    let mut h = key ^ (data.len() as u64).wrapping_mul(P0);
    for chunk in data.chunks(8) {
        let mut w = [0u8; 8];
        if let Some(d) = w.get_mut(..chunk.len()) {
            d.copy_from_slice(chunk);
        }
        h = fold(h ^ u64::from_le_bytes(w), P1);
    }
    fold(h, P2)
}

fn fold(a: u64, b: u64) -> u64 {
    let r = u128::from(a).wrapping_mul(u128::from(b));
    (r as u64) ^ ((r >> 64) as u64)
}

fn lease_hash(key: u64, lease: u128, prefix_len: u8) -> u64 {
    let hi = (lease >> 64) as u64;
    let lo = lease as u64;
    fold(
        fold(key ^ hi, 0xa076_1d64_78bd_642f) ^ lo ^ (u64::from(prefix_len) << 56),
        0xe703_7ed1_a0b4_28db,
    )
}

/// A borrowed view of one live binding.
#[derive(Debug, Clone, Copy)]
pub struct BindingRef<'t, const D: usize = DEFAULT_DUID_CAPACITY> {
    rec: &'t Slot<D>,
}

#[cfg(feature = "defmt")]
impl<const D: usize> defmt::Format for BindingRef<'_, D> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(
            f,
            "Binding {{ {}, duid: {=[u8]}, iaid: {}, {=[u8]}/{}, until {} }}",
            self.ia_type(),
            self.duid(),
            self.iaid(),
            self.address().octets()[..],
            self.prefix_len(),
            self.valid_until()
        )
    }
}

impl<'t, const D: usize> BindingRef<'t, D> {
    /// IA_NA or IA_PD (declined addresses in quarantine report `Na`).
    pub fn ia_type(&self) -> IaType {
        if self.rec.state == PD {
            IaType::Pd
        } else {
            IaType::Na
        }
    }
    /// The client's DUID (empty for a quarantined address).
    pub fn duid(&self) -> &'t [u8] {
        self.rec
            .duid
            .get(..usize::from(self.rec.duid_len))
            .unwrap_or(&[])
    }
    /// The IAID.
    pub fn iaid(&self) -> u32 {
        self.rec.iaid
    }
    /// The address or prefix.
    pub fn address(&self) -> Ipv6Addr {
        Ipv6Addr::from(self.rec.lease)
    }
    /// 128 for an address, the delegated length for a prefix.
    pub fn prefix_len(&self) -> u8 {
        self.rec.prefix_len
    }
    /// The link index.
    pub fn link(&self) -> u8 {
        self.rec.link
    }
    /// End of the preferred lifetime.
    pub fn preferred_until(&self) -> Instant {
        Instant::from_millis(self.rec.preferred_until)
    }
    /// End of the valid lifetime.
    pub fn valid_until(&self) -> Instant {
        Instant::from_millis(self.rec.valid_until)
    }
    /// `true` for an address in decline quarantine (RFC 9915 §18.3.8).
    pub fn is_declined(&self) -> bool {
        self.rec.state == DECLINED
    }
    /// The binding as a [`Lease`] (for events and persistence); `None` for a quarantine
    /// record, which has no client.
    pub fn to_lease(&self) -> Option<Lease> {
        let duid = DuidBuf::from_bytes(self.duid()).ok()?;
        Some(Lease {
            link: self.rec.link,
            ia_type: self.ia_type(),
            duid,
            iaid: self.rec.iaid,
            address: self.address(),
            prefix_len: self.rec.prefix_len,
            preferred_until: self.preferred_until(),
            valid_until: self.valid_until(),
        })
    }
}

/// A bounded lease table over caller storage. See the [module documentation](self).
#[derive(Debug)]
pub struct LeaseTable<
    S: AsMut<[Slot<D>]> + AsRef<[Slot<D>]>,
    const D: usize = DEFAULT_DUID_CAPACITY,
> {
    storage: S,
    key: u64,
    len: usize,
    /// Head of the list of slots freed by [`remove`](Self::remove) (slot + 1, 0 = empty).
    free_head: u32,
    /// Slots from here on have never been used: no free list runs through them, so that
    /// [`new`](Self::new) only clears the storage (one `memset`).
    fresh: usize,
    declined: usize,
}

/// What to insert: one address or prefix for one client IA.
#[derive(Debug, Clone, Copy)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct NewBinding<'d> {
    /// The client's DUID bytes (3..=130), or empty for a quarantine record.
    pub duid: &'d [u8],
    /// The IAID.
    pub iaid: u32,
    /// IA_NA or IA_PD.
    pub ia_type: IaType,
    /// The address or prefix.
    #[cfg_attr(feature = "defmt", defmt(Display2Format))]
    pub address: Ipv6Addr,
    /// 128 for an address, the delegated length for a prefix.
    pub prefix_len: u8,
    /// The link index.
    pub link: u8,
    /// End of the preferred lifetime.
    pub preferred_until: Instant,
    /// End of the valid lifetime.
    pub valid_until: Instant,
}

impl<S: AsMut<[Slot<D>]> + AsRef<[Slot<D>]>, const D: usize> LeaseTable<S, D> {
    /// Take `storage` (every slot is reset) and key the index hash with `hash_key`, a secret
    /// the caller draws from its randomness source.
    pub fn new(mut storage: S, hash_key: u64) -> Self {
        const {
            assert!(
                D <= DUID_CAPACITY_MAX,
                "Slot: the DUID capacity is at most 130 bytes (RFC 9915 §11.1)"
            );
        }
        // Slot::empty() is all zero bytes: this loop is a memset of the storage.
        for s in storage.as_mut().iter_mut() {
            *s = Slot::empty();
        }
        LeaseTable {
            storage,
            key: hash_key,
            len: 0,
            free_head: 0,
            fresh: 0,
            declined: 0,
        }
    }

    fn slots(&self) -> &[Slot<D>] {
        self.storage.as_ref()
    }

    fn slots_mut(&mut self) -> &mut [Slot<D>] {
        self.storage.as_mut()
    }

    /// The longest client DUID a binding can hold (`D`); longer ones are refused.
    pub fn duid_capacity(&self) -> usize {
        D
    }

    /// `true` if a binding can hold this DUID (at most `D` bytes).
    pub fn duid_fits(&self, duid: &[u8]) -> bool {
        duid.len() <= D
    }

    /// How many bindings fit.
    pub fn capacity(&self) -> usize {
        self.slots().len().min(MAX_SLOTS)
    }

    /// Live bindings, quarantined addresses included.
    pub fn len(&self) -> usize {
        self.len
    }

    /// `true` when no binding is held.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Addresses in decline quarantine.
    pub fn declined(&self) -> usize {
        self.declined
    }

    /// The keyed hash of a DUID, as the client index uses it.
    pub fn duid_hash(&self, duid: &[u8]) -> u64 {
        hash_bytes(self.key, duid)
    }

    fn index_size(&self) -> usize {
        self.capacity() * 2
    }

    fn home(&self, h: u64) -> usize {
        // Lemire's multiply-shift: uniform over any size, no power of two needed.
        ((u128::from(h) * self.index_size() as u128) >> 64) as usize
    }

    fn next_pos(&self, p: usize) -> usize {
        if p + 1 >= self.index_size() {
            0
        } else {
            p + 1
        }
    }

    fn entry(&self, which: usize, p: usize) -> u32 {
        self.slots()
            .get(p / 2)
            .and_then(|s| s.index.get(which))
            .and_then(|e| e.get(p % 2))
            .copied()
            .unwrap_or(0)
    }

    fn set_entry(&mut self, which: usize, p: usize, v: u32) {
        if let Some(e) = self
            .slots_mut()
            .get_mut(p / 2)
            .and_then(|s| s.index.get_mut(which))
            .and_then(|e| e.get_mut(p % 2))
        {
            *e = v;
        }
    }

    fn rec(&self, idx: usize) -> Option<&Slot<D>> {
        self.slots().get(idx)
    }

    fn rec_mut(&mut self, idx: usize) -> Option<&mut Slot<D>> {
        self.slots_mut().get_mut(idx)
    }

    fn entry_hash(&self, which: usize, idx: usize) -> u64 {
        match self.rec(idx) {
            Some(r) if which == CLIENT => r.duid_hash,
            Some(r) => lease_hash(self.key, u128::from_be_bytes(r.lease), r.prefix_len),
            None => 0,
        }
    }

    fn index_insert(&mut self, which: usize, h: u64, idx: usize) {
        let mut p = self.home(h);
        for _ in 0..self.index_size() {
            if self.entry(which, p) == 0 {
                self.set_entry(which, p, pack(idx, h));
                return;
            }
            p = self.next_pos(p);
        }
    }

    fn index_remove(&mut self, which: usize, h: u64, idx: usize) {
        let mut p = self.home(h);
        let mut found = None;
        for _ in 0..self.index_size() {
            match self.entry(which, p) {
                0 => break,
                e if unpack(e) == Some(idx) => {
                    found = Some(p);
                    break;
                }
                _ => p = self.next_pos(p),
            }
        }
        let Some(mut hole) = found else { return };
        // Backward-shift deletion (Knuth 6.4 algorithm R): no tombstones.
        let mut j = hole;
        for _ in 0..self.index_size() {
            j = self.next_pos(j);
            let e = self.entry(which, j);
            if e == 0 {
                break;
            }
            let home = self.home(self.entry_hash(which, unpack(e).unwrap_or(0)));
            let stays = if hole <= j {
                hole < home && home <= j
            } else {
                home > hole || home <= j
            };
            if !stays {
                self.set_entry(which, hole, e);
                hole = j;
            }
        }
        self.set_entry(which, hole, 0);
    }

    /// The index position where a lookup of this client ([`client_bindings`](Self::client_bindings))
    /// starts probing; see [`touch`](Self::touch).
    pub(crate) fn client_home(&self, duid: &[u8]) -> usize {
        self.home(self.duid_hash(duid))
    }

    /// The index position where a lookup of this address or prefix
    /// ([`find_lease`](Self::find_lease)) starts probing; see [`touch`](Self::touch).
    pub(crate) fn lease_home(&self, address: Ipv6Addr, prefix_len: u8) -> usize {
        self.home(lease_hash(self.key, u128::from(address), prefix_len))
    }

    /// Read the client index entry at `client_pos` and the lease index entry at `lease_pos`
    /// ([`client_home`](Self::client_home), [`lease_home`](Self::lease_home)) and return them
    /// combined, for the caller to pass to [`core::hint::black_box`]. In a table larger than
    /// the CPU caches every lookup starts with a cache miss (and a TLB miss); reading the
    /// entries of several lookups back to back, before any lookup runs, makes those misses
    /// overlap instead of following one another, and the lookups then find the entries
    /// cached. Only reads; any positions are harmless.
    pub(crate) fn touch(&self, client_pos: usize, lease_pos: usize) -> u32 {
        self.entry(CLIENT, client_pos) ^ self.entry(LEASE, lease_pos)
    }

    /// Read what inserting the `k`-th next binding will touch in the expiry heap outside the
    /// slots an insert writes anyway: the records of the heap entries at the parent and the
    /// grandparent of its heap position, whose heap positions a sift-up rewrites. As
    /// [`touch`](Self::touch), for [`restore_batch`](super::Server::restore_batch).
    pub(crate) fn touch_heap(&self, k: usize) -> u32 {
        let mut acc = 0;
        let mut pos = self.len + k;
        for _ in 0..2 {
            if pos == 0 {
                break;
            }
            pos = (pos - 1) / 2;
            let rec = self.slots().get(pos).map_or(0, |s| s.heap as usize);
            acc ^= self.slots().get(rec).map_or(0, |s| s.heap_pos);
        }
        acc
    }

    /// Slot indexes of every live binding of the client with this DUID (at most `N`; the
    /// engine's per-client caps keep the real number far below).
    pub fn client_bindings<const N: usize>(&self, duid: &[u8]) -> heapless::Vec<usize, N> {
        let mut out = heapless::Vec::new();
        let h = self.duid_hash(duid);
        let mut p = self.home(h);
        for _ in 0..self.index_size() {
            let e = self.entry(CLIENT, p);
            if e == 0 {
                break;
            }
            if !fingerprint_matches(e, h) {
                p = self.next_pos(p);
                continue;
            }
            let idx = unpack(e).unwrap_or(0);
            if let Some(r) = self.rec(idx) {
                if r.duid_hash == h
                    && r.duid.get(..usize::from(r.duid_len)) == Some(duid)
                    && out.push(idx).is_err()
                {
                    break;
                }
            }
            p = self.next_pos(p);
        }
        out
    }

    /// The slot holding exactly this address (`prefix_len` 128) or prefix, if any.
    pub fn find_lease(&self, address: Ipv6Addr, prefix_len: u8) -> Option<usize> {
        let lease = u128::from(address);
        let h = lease_hash(self.key, lease, prefix_len);
        let octets = address.octets();
        let mut p = self.home(h);
        for _ in 0..self.index_size() {
            let e = self.entry(LEASE, p);
            if e == 0 {
                return None;
            }
            let idx = unpack(e).unwrap_or(0);
            if let Some(r) = self.rec(idx).filter(|_| fingerprint_matches(e, h)) {
                if r.lease == octets && r.prefix_len == prefix_len {
                    return Some(idx);
                }
            }
            p = self.next_pos(p);
        }
        None
    }

    /// The live binding in slot `idx`.
    pub fn get(&self, idx: usize) -> Option<BindingRef<'_, D>> {
        self.rec(idx)
            .filter(|r| r.state != FREE)
            .map(|rec| BindingRef { rec })
    }

    /// Every live binding, in slot order.
    pub fn iter(&self) -> impl Iterator<Item = BindingRef<'_, D>> + '_ {
        self.slots()
            .iter()
            .filter(|s| s.state != FREE)
            .map(|rec| BindingRef { rec })
    }

    /// Insert a binding. The caller has checked that the address or prefix is not held
    /// ([`find_lease`](Self::find_lease)) and that the DUID fits
    /// ([`duid_fits`](Self::duid_fits)); returns its slot. A DUID longer than `D` is refused
    /// with [`TableFull`] (no slot can hold it).
    pub fn insert(&mut self, b: &NewBinding<'_>) -> Result<usize, TableFull> {
        if b.duid.len() > D {
            return Err(TableFull);
        }
        // A slot freed by `remove` first (the most recent), else the first never-used one.
        let (idx, fresh) = match self.free_head.checked_sub(1) {
            Some(i) => (i as usize, self.fresh),
            None if self.fresh < self.slots().len().min(MAX_SLOTS) => (self.fresh, self.fresh + 1),
            None => return Err(TableFull),
        };
        let duid_hash = self.duid_hash(b.duid);
        let declined = b.duid.is_empty();
        let heap_pos = self.len as u32;
        let Some(rec) = self.rec_mut(idx) else {
            return Err(TableFull);
        };
        // A never-used slot is all zero: its heap_pos ends the (empty) free list.
        let next_free = rec.heap_pos;
        rec.lease = b.address.octets();
        rec.valid_until = b.valid_until.total_millis();
        rec.preferred_until = b.preferred_until.total_millis();
        rec.duid_hash = duid_hash;
        rec.iaid = b.iaid;
        rec.heap_pos = heap_pos;
        rec.state = match (declined, b.ia_type) {
            (true, _) => DECLINED,
            (false, IaType::Na) => NA,
            (false, IaType::Pd) => PD,
        };
        rec.prefix_len = b.prefix_len;
        rec.link = b.link;
        rec.duid_len = b.duid.len() as u8;
        rec.duid = [0; D];
        if let Some(d) = rec.duid.get_mut(..b.duid.len()) {
            d.copy_from_slice(b.duid);
        }
        self.free_head = next_free;
        self.fresh = fresh;
        if !declined {
            self.index_insert(CLIENT, duid_hash, idx);
        } else {
            self.declined += 1;
        }
        let lh = lease_hash(self.key, u128::from(b.address), b.prefix_len);
        self.index_insert(LEASE, lh, idx);
        // Heap: append and sift up.
        let pos = self.len;
        if let Some(s) = self.slots_mut().get_mut(pos) {
            s.heap = idx as u32;
            s.heap_key = b.valid_until.total_millis();
        }
        self.len += 1;
        self.sift_up(pos);
        Ok(idx)
    }

    /// Remove the binding in slot `idx`; returns it as a [`Lease`] (`None` if the slot was free
    /// or held a quarantine record).
    pub fn remove(&mut self, idx: usize) -> Option<Lease> {
        let lease = self.get(idx)?.to_lease();
        let (duid_hash, state, pos, lh) = {
            let r = self.rec(idx)?;
            (
                r.duid_hash,
                r.state,
                r.heap_pos as usize,
                lease_hash(self.key, u128::from_be_bytes(r.lease), r.prefix_len),
            )
        };
        if state == DECLINED {
            self.declined = self.declined.saturating_sub(1);
        } else {
            self.index_remove(CLIENT, duid_hash, idx);
        }
        self.index_remove(LEASE, lh, idx);
        // Heap: move the last entry into `pos`, then restore order.
        let last = self.len - 1;
        self.heap_swap(pos, last);
        self.len = last;
        if pos < self.len {
            self.sift_down(pos);
            self.sift_up(pos);
        }
        let free_head = self.free_head;
        if let Some(r) = self.rec_mut(idx) {
            r.state = FREE;
            r.duid_len = 0;
            r.heap_pos = free_head;
        }
        self.free_head = idx as u32 + 1;
        lease
    }

    /// Change a binding's lifetimes (renewal).
    ///
    /// The expiry heap is updated lazily: a later deadline leaves the heap entry where it is
    /// (renewal costs O(1) whatever the table size), and the entry is moved when its old
    /// deadline comes up ([`first_expired`](Self::first_expired)). An earlier deadline moves it
    /// at once.
    pub fn set_lifetimes(&mut self, idx: usize, preferred_until: Instant, valid_until: Instant) {
        let Some(r) = self.rec_mut(idx) else { return };
        if r.state == FREE {
            return;
        }
        let old = r.valid_until;
        let new = valid_until.total_millis();
        r.preferred_until = preferred_until.total_millis();
        r.valid_until = new;
        let pos = r.heap_pos as usize;
        // The heap key is never later than the old deadline, so a later deadline needs no
        // heap access at all (one cache miss fewer per renewal in a large table).
        if new < old && new < self.heap_key(pos) {
            if let Some(s) = self.slots_mut().get_mut(pos) {
                s.heap_key = new;
            }
            self.sift_up(pos);
        }
    }

    /// The earliest deadline in the expiry heap: never later than the earliest expiry, possibly
    /// earlier (a renewed lease's old deadline; waking then is harmless).
    pub fn next_expiry(&self) -> Option<Instant> {
        if self.len == 0 {
            return None;
        }
        Some(Instant::from_millis(self.heap_key(0)))
    }

    /// The slot of a binding whose valid lifetime ended by `now`, if any. Moves renewed
    /// bindings' heap entries to their new deadlines on the way (at most 256 per call).
    pub fn first_expired(&mut self, now: Instant) -> Option<usize> {
        for _ in 0..256 {
            if self.len == 0 || self.heap_key(0) > now.total_millis() {
                return None;
            }
            let idx = self.slots().first()?.heap as usize;
            let actual = self.rec(idx)?.valid_until;
            if actual <= now.total_millis() {
                return Some(idx);
            }
            if let Some(s) = self.slots_mut().first_mut() {
                s.heap_key = actual;
            }
            self.sift_down(0);
        }
        None
    }

    fn heap_key(&self, pos: usize) -> u64 {
        self.slots().get(pos).map_or(u64::MAX, |s| s.heap_key)
    }

    fn heap_swap(&mut self, a: usize, b: usize) {
        let slots = self.slots_mut();
        let (Some((ia, ka)), Some((ib, kb))) = (
            slots.get(a).map(|s| (s.heap, s.heap_key)),
            slots.get(b).map(|s| (s.heap, s.heap_key)),
        ) else {
            return;
        };
        if let Some(s) = slots.get_mut(a) {
            s.heap = ib;
            s.heap_key = kb;
        }
        if let Some(s) = slots.get_mut(b) {
            s.heap = ia;
            s.heap_key = ka;
        }
        if let Some(s) = slots.get_mut(ib as usize) {
            s.heap_pos = a as u32;
        }
        if let Some(s) = slots.get_mut(ia as usize) {
            s.heap_pos = b as u32;
        }
    }

    fn sift_up(&mut self, mut pos: usize) {
        while pos > 0 {
            let parent = (pos - 1) / 2;
            if self.heap_key(parent) <= self.heap_key(pos) {
                break;
            }
            self.heap_swap(parent, pos);
            pos = parent;
        }
    }

    fn sift_down(&mut self, mut pos: usize) {
        loop {
            let l = 2 * pos + 1;
            let r = l + 1;
            let mut min = pos;
            if l < self.len && self.heap_key(l) < self.heap_key(min) {
                min = l;
            }
            if r < self.len && self.heap_key(r) < self.heap_key(min) {
                min = r;
            }
            if min == pos {
                break;
            }
            self.heap_swap(pos, min);
            pos = min;
        }
    }

    #[cfg(test)]
    pub(crate) fn check_invariants(&self) {
        // Every live record is reachable through both indexes and sits at its heap position.
        for (idx, s) in self.slots().iter().enumerate() {
            if s.state == FREE {
                continue;
            }
            let r = s;
            assert_eq!(
                self.find_lease(Ipv6Addr::from(r.lease), r.prefix_len),
                Some(idx)
            );
            let pos = r.heap_pos as usize;
            assert!(pos < self.len);
            assert_eq!(self.slots()[pos].heap as usize, idx);
            assert!(self.slots()[pos].heap_key <= r.valid_until);
            if r.state != DECLINED {
                let list: heapless::Vec<usize, 256> =
                    self.client_bindings(&r.duid[..usize::from(r.duid_len)]);
                assert!(list.contains(&idx));
            }
        }
        for pos in 1..self.len {
            assert!(self.heap_key((pos - 1) / 2) <= self.heap_key(pos));
        }
        assert_eq!(self.iter().count(), self.len);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::boxed::Box;
    use std::vec;

    fn nb(duid: &[u8], iaid: u32, addr: u128, until: u64) -> NewBinding<'_> {
        NewBinding {
            duid,
            iaid,
            ia_type: IaType::Na,
            address: Ipv6Addr::from(addr),
            prefix_len: 128,
            link: 0,
            preferred_until: Instant::from_secs(until),
            valid_until: Instant::from_secs(until),
        }
    }

    #[test]
    fn full_table_refuses_and_keeps_existing() {
        let mut storage = [Slot::EMPTY; 4];
        let mut t = LeaseTable::new(&mut storage[..], 7);
        for i in 0..4u128 {
            t.insert(&nb(&[0, 3, 0, 1, i as u8], 1, i, 100)).unwrap();
        }
        assert_eq!(t.insert(&nb(&[0, 3, 0, 1, 9], 1, 9, 100)), Err(TableFull));
        assert_eq!(t.len(), 4);
        for i in 0..4u128 {
            assert!(t.find_lease(Ipv6Addr::from(i), 128).is_some());
        }
        t.check_invariants();
    }

    #[test]
    fn random_insert_remove_keeps_indexes_and_heap_consistent() {
        let storage = vec![Slot::EMPTY; 64].into_boxed_slice();
        let mut t: LeaseTable<Box<[Slot]>> = LeaseTable::new(storage, 42);
        let mut rng = 0x1234_5678_u64;
        let mut next = || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng
        };
        let mut live: std::vec::Vec<u128> = std::vec::Vec::new();
        for _ in 0..5000 {
            let r = next();
            if r % 3 != 0 && live.len() < 64 {
                let addr = u128::from(next() % 200);
                if t.find_lease(Ipv6Addr::from(addr), 128).is_none() {
                    let duid = [0, 3, 0, 1, (addr % 7) as u8];
                    t.insert(&nb(&duid, addr as u32, addr, next() % 1000))
                        .unwrap();
                    live.push(addr);
                }
            } else if !live.is_empty() {
                let i = (next() as usize) % live.len();
                let addr = live.swap_remove(i);
                let idx = t.find_lease(Ipv6Addr::from(addr), 128).unwrap();
                assert_eq!(t.remove(idx).unwrap().address, Ipv6Addr::from(addr));
            }
            t.check_invariants();
            assert_eq!(t.len(), live.len());
        }
        // Expiry order: popping the heap yields non-decreasing deadlines.
        let mut last = Instant::ZERO;
        while let Some(idx) = t.first_expired(Instant::from_secs(10_000)) {
            let l = t.remove(idx).unwrap();
            assert!(l.valid_until >= last);
            last = l.valid_until;
        }
        assert!(t.is_empty());
    }

    #[test]
    fn slots_are_taken_in_order_and_freed_ones_first() {
        let mut storage = [Slot::EMPTY; 5];
        let mut t = LeaseTable::new(&mut storage[..], 9);
        let d = |i: u8| [0, 3, 0, 1, i];
        for i in 0..3u8 {
            let duid = d(i);
            assert_eq!(
                t.insert(&nb(&duid, 1, u128::from(i), 50)),
                Ok(usize::from(i))
            );
        }
        // The most recently freed slot is reused first, then the older one, then fresh ones.
        assert!(t.remove(1).is_some());
        assert!(t.remove(0).is_some());
        let order: std::vec::Vec<usize> = (10..14u8)
            .map(|i| t.insert(&nb(&d(i), 1, u128::from(i), 50)).unwrap())
            .collect();
        assert_eq!(order, [0, 1, 3, 4]);
        assert_eq!(t.insert(&nb(&d(20), 1, 20, 50)), Err(TableFull));
        t.check_invariants();
        // Freed at full: that slot only.
        assert!(t.remove(3).is_some());
        assert_eq!(t.insert(&nb(&d(21), 1, 21, 50)), Ok(3));
        assert_eq!(t.insert(&nb(&d(22), 1, 22, 50)), Err(TableFull));
        t.check_invariants();
    }

    #[test]
    fn new_clears_storage_a_previous_table_used() {
        let mut storage = [Slot::EMPTY; 8];
        {
            let mut t = LeaseTable::new(&mut storage[..], 1);
            for i in 0..8u8 {
                t.insert(&nb(&[0, 3, 0, 1, i], 1, u128::from(i), 50))
                    .unwrap();
            }
            t.remove(2);
        }
        let mut t = LeaseTable::new(&mut storage[..], 2);
        assert!(t.is_empty() && t.iter().next().is_none());
        assert_eq!(t.find_lease(Ipv6Addr::from(5u128), 128), None);
        for i in 0..8u8 {
            assert_eq!(
                t.insert(&nb(&[0, 3, 0, 1, i], 1, u128::from(i) + 100, 50)),
                Ok(usize::from(i))
            );
        }
        assert_eq!(t.insert(&nb(&[0, 3, 0, 1, 9], 1, 9, 50)), Err(TableFull));
        t.check_invariants();
    }

    #[test]
    fn duid_capacity_is_the_slot_parameter() {
        // Default: 112 bytes a slot (was 216 with the 130-byte inline buffer).
        assert_eq!(
            core::mem::size_of::<Slot>(),
            SLOT_OVERHEAD + DEFAULT_DUID_CAPACITY
        );
        assert!(core::mem::size_of::<Slot<16>>() <= 96);
        let mut storage = [Slot::<16>::empty(); 4];
        let mut t = LeaseTable::new(&mut storage[..], 3);
        assert_eq!(t.duid_capacity(), 16);
        let fits = [7u8; 16];
        let long = [7u8; 17];
        assert!(t.duid_fits(&fits) && !t.duid_fits(&long));
        // Too long: refused, table untouched; the 16-byte prefix is not found as a client.
        assert_eq!(t.insert(&nb(&long, 1, 1, 10)), Err(TableFull));
        assert!(t.is_empty());
        let idx = t.insert(&nb(&fits, 1, 1, 10)).unwrap();
        assert_eq!(t.get(idx).unwrap().duid(), &fits);
        let found: heapless::Vec<usize, 4> = t.client_bindings(&long);
        assert!(found.is_empty());
        let lease = t.remove(idx).unwrap();
        assert_eq!(lease.duid.as_bytes(), &fits);
        t.check_invariants();
    }

    #[test]
    fn client_bindings_finds_all_of_one_client_only() {
        let mut storage = [Slot::EMPTY; 16];
        let mut t = LeaseTable::new(&mut storage[..], 1);
        let a = [0, 3, 0, 1, 0xaa];
        let b = [0, 3, 0, 1, 0xbb];
        t.insert(&nb(&a, 1, 1, 10)).unwrap();
        t.insert(&nb(&b, 1, 2, 10)).unwrap();
        t.insert(&nb(&a, 2, 3, 10)).unwrap();
        let list: heapless::Vec<usize, 8> = t.client_bindings(&a);
        assert_eq!(list.len(), 2);
        for idx in list {
            assert_eq!(t.get(idx).unwrap().duid(), &a);
        }
    }
}
