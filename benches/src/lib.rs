//! Criterion benchmarks for sixconf: `cargo bench -p sixconf-benches`. Each bench measures the
//! peer implementation (smoltcp, dhcproto) on the same bytes in the same run, so results are
//! read as ratios.

pub mod server_fixture;
