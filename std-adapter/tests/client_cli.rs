//! `sixconf client` without privileges or peers: argument errors and a missing interface are
//! reported on stderr with exit status 2 (clap) or 1, and nothing is written.

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_sixconf");

#[test]
fn a_missing_interface_is_named_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let resolv = dir.path().join("resolv.conf");
    let out = Command::new(BIN)
        .args([
            "client",
            "--interface",
            "sixconf-none0",
            "--once",
            "--state",
        ])
        .arg(&state)
        .arg("--resolv")
        .arg(&resolv)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        err,
        "sixconf client: interface sixconf-none0 does not exist\n"
    );
    assert!(out.stdout.is_empty());
    assert!(!state.exists() && !resolv.exists());
}

#[test]
fn an_unknown_mode_is_refused_with_the_choices() {
    let out = Command::new(BIN)
        .args(["client", "--interface", "lo", "--mode", "magic"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    for mode in ["auto", "stateful", "stateless", "pd"] {
        assert!(err.contains(mode), "{err}");
    }
}

#[test]
fn help_lists_every_option() {
    let out = Command::new(BIN)
        .args(["client", "--help"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for opt in [
        "--interface",
        "--mode",
        "--request-prefix",
        "--once",
        "--timeout",
        "--json",
        "--resolv",
        "--no-configure",
        "--state",
    ] {
        assert!(text.contains(opt), "{opt} missing:\n{text}");
    }
}
