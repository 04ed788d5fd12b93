//! Client retransmission, RFC 9915 §15, with the parameters of §7.6.
//!
//! Each exchange starts with an optional random delay (`0..=initial_delay`), then sends; after
//! each transmission the retransmission timeout RT is
//!
//! ```text
//! first:  RT = IRT + RAND*IRT                (Solicit: RAND strictly > 0, so RT > IRT)
//! next:   RT = 2*RTprev + RAND*RTprev
//! cap:    if MRT != 0 and RT > MRT: RT = MRT + RAND*MRT
//! ```
//!
//! with RAND uniform in -0.1..=+0.1 (here in whole milliseconds). The exchange fails after MRC
//! transmissions (if MRC != 0) or once MRD has elapsed since the first transmission (if MRD != 0).

use super::rng::Rng;
use crate::time::{Duration, Instant};

/// SOL_MAX_DELAY, the longest random delay before the first Solicit (§7.6).
pub const SOL_MAX_DELAY: Duration = Duration::from_secs(1);
/// SOL_TIMEOUT, the initial Solicit timeout.
pub const SOL_TIMEOUT: Duration = Duration::from_secs(1);
/// SOL_MAX_RT, the default maximum Solicit timeout (RFC 7083 raised it to 3600 s).
pub const SOL_MAX_RT: Duration = Duration::from_secs(3600);
/// REQ_TIMEOUT, the initial Request timeout.
pub const REQ_TIMEOUT: Duration = Duration::from_secs(1);
/// REQ_MAX_RT, the maximum Request timeout.
pub const REQ_MAX_RT: Duration = Duration::from_secs(30);
/// REQ_MAX_RC, the maximum number of Request transmissions.
pub const REQ_MAX_RC: u32 = 10;
/// CNF_MAX_DELAY, the longest random delay before the first Confirm.
pub const CNF_MAX_DELAY: Duration = Duration::from_secs(1);
/// CNF_TIMEOUT, the initial Confirm timeout.
pub const CNF_TIMEOUT: Duration = Duration::from_secs(1);
/// CNF_MAX_RT, the maximum Confirm timeout.
pub const CNF_MAX_RT: Duration = Duration::from_secs(4);
/// CNF_MAX_RD, the maximum Confirm duration.
pub const CNF_MAX_RD: Duration = Duration::from_secs(10);
/// REN_TIMEOUT, the initial Renew timeout.
pub const REN_TIMEOUT: Duration = Duration::from_secs(10);
/// REN_MAX_RT, the maximum Renew timeout.
pub const REN_MAX_RT: Duration = Duration::from_secs(600);
/// REB_TIMEOUT, the initial Rebind timeout.
pub const REB_TIMEOUT: Duration = Duration::from_secs(10);
/// REB_MAX_RT, the maximum Rebind timeout.
pub const REB_MAX_RT: Duration = Duration::from_secs(600);
/// INF_MAX_DELAY, the longest random delay before the first Information-request.
pub const INF_MAX_DELAY: Duration = Duration::from_secs(1);
/// INF_TIMEOUT, the initial Information-request timeout.
pub const INF_TIMEOUT: Duration = Duration::from_secs(1);
/// INF_MAX_RT, the default maximum Information-request timeout.
pub const INF_MAX_RT: Duration = Duration::from_secs(3600);
/// REL_TIMEOUT, the initial Release timeout.
pub const REL_TIMEOUT: Duration = Duration::from_secs(1);
/// REL_MAX_RC, the maximum number of Release transmissions.
pub const REL_MAX_RC: u32 = 4;
/// DEC_TIMEOUT, the initial Decline timeout.
pub const DEC_TIMEOUT: Duration = Duration::from_secs(1);
/// DEC_MAX_RC, the maximum number of Decline transmissions.
pub const DEC_MAX_RC: u32 = 4;
/// IRT_DEFAULT, the information refresh time when the server sends none (§21.23).
pub const IRT_DEFAULT: Duration = Duration::from_secs(86_400);
/// IRT_MINIMUM, the shortest information refresh time a client accepts (§21.23).
pub const IRT_MINIMUM: Duration = Duration::from_secs(600);

/// One row of the §7.6 table: how a message is (re)transmitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Parameters {
    /// Longest random delay before the first transmission (zero: send at once).
    pub initial_delay: Duration,
    /// IRT, the initial retransmission time.
    pub irt: Duration,
    /// MRT, the maximum retransmission time (zero: no cap).
    pub mrt: Duration,
    /// MRC, the maximum transmission count (zero: unlimited).
    pub mrc: u32,
    /// MRD, the maximum retransmission duration (zero: unlimited).
    pub mrd: Duration,
    /// Whether the first RT must be strictly greater than IRT (Solicit, §15).
    pub first_rt_above_irt: bool,
}

impl Parameters {
    /// Solicit (§18.2.1), with the MRT given by the server's SOL_MAX_RT option or the default.
    pub const fn solicit(sol_max_rt: Duration) -> Self {
        Parameters {
            initial_delay: SOL_MAX_DELAY,
            irt: SOL_TIMEOUT,
            mrt: sol_max_rt,
            mrc: 0,
            mrd: Duration::ZERO,
            first_rt_above_irt: true,
        }
    }
    /// Request (§18.2.2).
    pub const REQUEST: Parameters = Parameters {
        initial_delay: Duration::ZERO,
        irt: REQ_TIMEOUT,
        mrt: REQ_MAX_RT,
        mrc: REQ_MAX_RC,
        mrd: Duration::ZERO,
        first_rt_above_irt: false,
    };
    /// Confirm (§18.2.3).
    pub const CONFIRM: Parameters = Parameters {
        initial_delay: CNF_MAX_DELAY,
        irt: CNF_TIMEOUT,
        mrt: CNF_MAX_RT,
        mrc: 0,
        mrd: CNF_MAX_RD,
        first_rt_above_irt: false,
    };
    /// Renew (§18.2.4); MRD is the time left until T2.
    pub const fn renew(until_t2: Duration) -> Self {
        Parameters {
            initial_delay: Duration::ZERO,
            irt: REN_TIMEOUT,
            mrt: REN_MAX_RT,
            mrc: 0,
            mrd: until_t2,
            first_rt_above_irt: false,
        }
    }
    /// Rebind (§18.2.5); MRD is the time left until every valid lifetime has expired.
    pub const fn rebind(until_expiry: Duration) -> Self {
        Parameters {
            initial_delay: Duration::ZERO,
            irt: REB_TIMEOUT,
            mrt: REB_MAX_RT,
            mrc: 0,
            mrd: until_expiry,
            first_rt_above_irt: false,
        }
    }
    /// Information-request (§18.2.6), with the MRT given by INF_MAX_RT or the default.
    pub const fn information_request(inf_max_rt: Duration) -> Self {
        Parameters {
            initial_delay: INF_MAX_DELAY,
            irt: INF_TIMEOUT,
            mrt: inf_max_rt,
            mrc: 0,
            mrd: Duration::ZERO,
            first_rt_above_irt: false,
        }
    }
    /// Release (§18.2.7).
    pub const RELEASE: Parameters = Parameters {
        initial_delay: Duration::ZERO,
        irt: REL_TIMEOUT,
        mrt: Duration::ZERO,
        mrc: REL_MAX_RC,
        mrd: Duration::ZERO,
        first_rt_above_irt: false,
    };
    /// Decline (§18.2.8).
    pub const DECLINE: Parameters = Parameters {
        initial_delay: Duration::ZERO,
        irt: DEC_TIMEOUT,
        mrt: Duration::ZERO,
        mrc: DEC_MAX_RC,
        mrd: Duration::ZERO,
        first_rt_above_irt: false,
    };
}

/// What a retransmission timeout means for the exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Expiry {
    /// Send the message again now.
    Retransmit,
    /// MRC or MRD is exhausted: the exchange has failed (§15).
    GiveUp,
}

/// The retransmission state of one exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Retransmission {
    params: Parameters,
    /// When the next transmission is due, if one is.
    send_at: Option<Instant>,
    /// When the first transmission went out.
    first_sent: Option<Instant>,
    /// When the current RT runs out (valid once something was sent and none is pending).
    rt_ends: Instant,
    /// The current RT.
    rt: Duration,
    /// Transmissions so far.
    count: u32,
}

/// `base + RAND*base` with RAND uniform in -0.1..=0.1 (or 0 < RAND <= 0.1 when `above`).
fn jitter(rng: &mut Rng, base: Duration, above: bool) -> Duration {
    let tenth = (base.total_millis() / 10).min(i64::MAX as u64) as i64;
    let lo = if above { 1.min(tenth) } else { -tenth };
    let delta = rng.between(lo, tenth);
    let ms = base.total_millis();
    Duration::from_millis(if delta < 0 {
        ms.saturating_sub(delta.unsigned_abs())
    } else {
        ms.saturating_add(delta as u64)
    })
}

impl Retransmission {
    /// An exchange started at `now`: the first transmission is due after a random delay in
    /// `0..=params.initial_delay`.
    pub fn new(now: Instant, params: Parameters, rng: &mut Rng) -> Self {
        let delay = rng.up_to(params.initial_delay.total_millis());
        Retransmission {
            params,
            send_at: Some(now + Duration::from_millis(delay)),
            first_sent: None,
            rt_ends: now,
            rt: Duration::ZERO,
            count: 0,
        }
    }

    /// The parameters this exchange runs with.
    pub fn parameters(&self) -> &Parameters {
        &self.params
    }

    /// When a transmission is due, if one is.
    pub fn send_due(&self) -> Option<Instant> {
        self.send_at
    }

    /// Replace MRT (a server's SOL_MAX_RT or INF_MAX_RT option, §18.2.9): later RTs are capped
    /// by the new value.
    pub fn set_mrt(&mut self, mrt: Duration) {
        self.params.mrt = mrt;
    }

    /// Transmissions so far.
    pub fn count(&self) -> u32 {
        self.count
    }

    /// The current RT (zero before the first transmission).
    pub fn rt(&self) -> Duration {
        self.rt
    }

    /// When the first transmission went out.
    pub fn first_sent(&self) -> Option<Instant> {
        self.first_sent
    }

    /// The Elapsed Time option's value at `now` (§21.9): hundredths of a second since the first
    /// transmission, 0 for the first, saturating at 0xffff.
    pub fn elapsed_hundredths(&self, now: Instant) -> u16 {
        match self.first_sent {
            None => 0,
            Some(t) => (now.saturating_duration_since(t).total_millis() / 10).min(0xffff) as u16,
        }
    }

    /// Record a transmission at `now` and compute the next RT (§15).
    pub fn on_sent(&mut self, now: Instant, rng: &mut Rng) {
        let p = self.params;
        self.rt = if self.count == 0 {
            self.first_sent = Some(now);
            jitter(rng, p.irt, p.first_rt_above_irt)
        } else {
            // 2*RTprev + RAND*RTprev = RTprev + (RTprev + RAND*RTprev)
            let mut rt = self.rt + jitter(rng, self.rt, false);
            if p.mrt != Duration::ZERO && rt > p.mrt {
                rt = jitter(rng, p.mrt, false);
            }
            rt
        };
        self.count = self.count.saturating_add(1);
        self.send_at = None;
        self.rt_ends = now + self.rt;
    }

    /// When this exchange next needs [`Retransmission::on_timeout`]: the end of the current RT,
    /// or of MRD if that comes first. `None` while a transmission is pending.
    pub fn timeout(&self) -> Option<Instant> {
        if self.send_at.is_some() {
            return None;
        }
        let first = self.first_sent?;
        let mut t = self.rt_ends;
        if self.params.mrd != Duration::ZERO {
            t = t.min(first + self.params.mrd);
        }
        Some(t)
    }

    /// When MRD runs out, if the exchange has an MRD and has started.
    pub fn mrd_ends(&self) -> Option<Instant> {
        if self.params.mrd == Duration::ZERO {
            return None;
        }
        self.first_sent.map(|t| t + self.params.mrd)
    }

    /// The timeout has come (`now >= timeout()`): retransmit, or give up (§15).
    pub fn on_timeout(&mut self, now: Instant) -> Expiry {
        let p = self.params;
        if p.mrc != 0 && self.count >= p.mrc {
            return Expiry::GiveUp;
        }
        if let Some(end) = self.mrd_ends() {
            if now >= end {
                return Expiry::GiveUp;
            }
        }
        self.send_at = Some(now);
        Expiry::Retransmit
    }
}
