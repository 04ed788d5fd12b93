//! Runnable examples for `sixconf-core` and `sixconf`: `cargo run -p sixconf-examples --example NAME`.
