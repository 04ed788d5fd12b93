//! Startup cost of the DHCPv6 server's lease table, in process and by phase: allocating the
//! storage, `Server::new`, and restoring N leases one by one (`Server::restore`) or in batches
//! (`Server::restore_batch`), as `sixconf serve` does at start (issue 9, "Startup").
//!
//! `cargo run --release -p sixconf-benches --example restore_speed -- [N] [rounds]`
//!
//! Addresses are spread over the pool as hashed allocation spreads them (a stored table read in
//! key order is in address order, which is random with respect to the index hashes). Each
//! round builds a fresh server per method, alternating, and the fastest round of each is
//! printed, so that the ratio holds on a shared machine.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Instant as Clock;

use sixconf_benches::server_fixture::{link, spread_lease};
use sixconf_core::dhcpv6::server::config::MAX_LINKS;
use sixconf_core::dhcpv6::server::{
    Lease, Limits, Server, Slot, DUID_CAPACITY_MAX, EVENT_QUEUE, RATE_BUCKETS,
};
use sixconf_core::time::Instant;
use sixconf_core::wire::dhcpv6::DuidBuf;

/// As `sixconf serve` has it (`std-adapter/src/serve/daemon.rs`).
type DaemonSlot = Slot<DUID_CAPACITY_MAX>;
type DaemonServer =
    Server<Box<[DaemonSlot]>, MAX_LINKS, EVENT_QUEUE, RATE_BUCKETS, DUID_CAPACITY_MAX>;

fn leases(n: usize) -> Vec<Lease> {
    let mut v: Vec<Lease> = (0..n as u64)
        .map(|i| spread_lease(i, 1, 3600 + i % 600, 7200 + i % 600))
        .collect();
    // A stored table comes back in primary-key (address) order.
    v.sort_by_key(|l| l.address);
    v
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let rounds: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(3);
    let mut all = leases(n);
    if std::env::var_os("SAME_DEADLINE").is_some() {
        // No sift-up in the expiry heap (as in benches/perfdhcp/startup.sh's database).
        for l in &mut all {
            l.valid_until = Instant::from_secs(7200);
            l.preferred_until = Instant::from_secs(3600);
        }
    }
    let now = Instant::from_secs(1);
    let mut best = [[f64::MAX; 3]; 2];
    for _ in 0..rounds {
        for (m, best) in best.iter_mut().enumerate() {
            let t0 = Clock::now();
            let slots = vec![DaemonSlot::empty(); n + n / 10 + 16].into_boxed_slice();
            let t1 = Clock::now();
            let mut s: DaemonServer = Server::new(
                DuidBuf::from_bytes(&[0, 3, 0, 1, 1, 2, 3, 4, 5, 6]).unwrap(),
                [link()].into_iter().collect(),
                Limits::default(),
                slots,
                0x5eed,
            );
            let t2 = Clock::now();
            let mut ok = 0usize;
            if m == 0 {
                for l in &all {
                    ok += usize::from(s.restore(now, l).is_ok());
                }
            } else {
                s.restore_batch(now, &all, |_, r| ok += usize::from(r.is_ok()));
            }
            let t3 = Clock::now();
            assert_eq!(ok, n);
            assert_eq!(s.table().len(), n);
            black_box(&s);
            for (b, d) in best.iter_mut().zip([t1 - t0, t2 - t1, t3 - t2]) {
                *b = b.min(d.as_secs_f64());
            }
        }
    }
    for (m, name) in ["restore", "restore_batch"].iter().enumerate() {
        let b = best[m];
        println!(
            "{name}: {n} leases: alloc {:.3} s, Server::new {:.3} s, restore {:.3} s ({:.0} ns/lease)",
            b[0],
            b[1],
            b[2],
            b[2] * 1e9 / n as f64
        );
    }
    println!("restore_batch / restore: {:.2}", best[1][2] / best[0][2]);
}
