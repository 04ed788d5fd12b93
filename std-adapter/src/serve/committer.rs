//! The lease store on its own thread, so that a commit (a network round trip to PostgreSQL, or
//! an SQLite database locked by a reader) never stalls the run loop: RAs, Advertises and
//! Information-request replies keep flowing while a batch is being committed, and the next
//! batch grows meanwhile (group commit).
//!
//! One commit is in flight at a time; its result comes back through a channel and wakes the
//! loop (a [`mio::Waker`]). Client look-ups ([`Committer::client_leases`]) are rare (a client
//! the engine does not know) and wait for their answer.

use std::sync::mpsc::{self, Receiver, Sender, TryRecvError};
use std::sync::Arc;
use std::thread::JoinHandle;

use sixconf_core::dhcpv6::server::{Lease, LeaseEvent};
use sixconf_core::time::Instant;

use crate::store::{LeaseStore, Refused, StoreError};

/// The store, boxed, as the worker owns it.
pub type BoxedStore = Box<dyn LeaseStore + Send>;

enum Job {
    Commit(Vec<LeaseEvent>),
    Lookup(Vec<u8>, Instant, Sender<Result<Vec<Lease>, StoreError>>),
}

/// The result of one commit, with the store's counters after it.
pub struct Committed {
    /// What [`LeaseStore::commit`] returned.
    pub result: Result<Vec<Refused>, StoreError>,
    /// [`LeaseStore::counters`] after it.
    pub counters: Vec<(&'static str, u64)>,
}

/// The handle the run loop holds.
pub struct Committer {
    jobs: Option<Sender<Job>>,
    done: Receiver<Committed>,
    thread: Option<JoinHandle<()>>,
    shared: bool,
    in_flight: bool,
    counters: Vec<(&'static str, u64)>,
}

impl Committer {
    /// Move `store` to a new thread; `waker` is woken after every commit.
    pub fn start(store: BoxedStore, waker: Arc<mio::Waker>) -> std::io::Result<Committer> {
        let shared = store.is_shared();
        let counters = store.counters();
        let (jobs, job_rx) = mpsc::channel::<Job>();
        let (done_tx, done) = mpsc::channel::<Committed>();
        let thread = std::thread::Builder::new()
            .name("sixconf-store".into())
            .spawn(move || {
                let mut store = store;
                for job in job_rx {
                    match job {
                        Job::Commit(events) => {
                            let result = store.commit(&events);
                            let counters = store.counters();
                            if done_tx.send(Committed { result, counters }).is_err() {
                                return;
                            }
                            let _ = waker.wake();
                        }
                        Job::Lookup(duid, now, reply) => {
                            let _ = reply.send(store.client_leases(&duid, now));
                        }
                    }
                }
            })?;
        Ok(Committer {
            jobs: Some(jobs),
            done,
            thread: Some(thread),
            shared,
            in_flight: false,
            counters,
        })
    }

    /// [`LeaseStore::is_shared`] of the store.
    pub fn is_shared(&self) -> bool {
        self.shared
    }

    /// `true` while a commit is running.
    pub fn in_flight(&self) -> bool {
        self.in_flight
    }

    /// The store's counters after the last commit.
    pub fn counters(&self) -> &[(&'static str, u64)] {
        &self.counters
    }

    fn gone() -> StoreError {
        StoreError::Io(std::io::Error::other("the lease store thread stopped"))
    }

    /// Start committing `events` (one transaction). Call only when nothing is in flight;
    /// `false` if the thread is gone.
    pub fn begin(&mut self, events: Vec<LeaseEvent>) -> bool {
        let sent = self
            .jobs
            .as_ref()
            .is_some_and(|j| j.send(Job::Commit(events)).is_ok());
        self.in_flight = sent;
        sent
    }

    fn finish(&mut self, c: Committed) -> Result<Vec<Refused>, StoreError> {
        self.in_flight = false;
        self.counters = c.counters;
        c.result
    }

    /// The in-flight commit's result if it is done (`None` if still running or none in flight).
    pub fn poll(&mut self) -> Option<Result<Vec<Refused>, StoreError>> {
        if !self.in_flight {
            return None;
        }
        match self.done.try_recv() {
            Ok(c) => Some(self.finish(c)),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => {
                self.in_flight = false;
                Some(Err(Self::gone()))
            }
        }
    }

    /// Wait for the in-flight commit (at shutdown).
    pub fn wait(&mut self) -> Option<Result<Vec<Refused>, StoreError>> {
        if !self.in_flight {
            return None;
        }
        match self.done.recv() {
            Ok(c) => Some(self.finish(c)),
            Err(_) => {
                self.in_flight = false;
                Some(Err(Self::gone()))
            }
        }
    }

    /// [`LeaseStore::client_leases`] on the store's thread; waits for the answer (behind a
    /// commit in flight, if any).
    pub fn client_leases(&self, duid: &[u8], now: Instant) -> Result<Vec<Lease>, StoreError> {
        let (tx, rx) = mpsc::channel();
        self.jobs
            .as_ref()
            .ok_or_else(Self::gone)?
            .send(Job::Lookup(duid.to_vec(), now, tx))
            .map_err(|_| Self::gone())?;
        rx.recv().map_err(|_| Self::gone())?
    }
}

impl Drop for Committer {
    fn drop(&mut self) {
        self.jobs = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
