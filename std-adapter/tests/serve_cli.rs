//! `sixconf serve` failures a person meets first: an invalid file (exit 2, located errors) and
//! missing privileges (exit 77, one message naming the capabilities). Runs without root; as root
//! the daemon is started as `nobody` with `setpriv`.

use std::process::Command;

const CONFIG: &str = r#"[server]
lease_db = "/nonexistent/sixconf-test/leases.sqlite"

[[link]]
interface = "lo"
mode = "dhcpv6-stateful"
prefix = "2001:db8:cafe:1::/64"
pool = "2001:db8:cafe:1::1000-2001:db8:cafe:1::ffff"
pd_pool = { prefix = "2001:db8:8000::/40", delegated_length = 56 }
"#;

fn temp_config(name: &str, text: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("sixconf-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // World-readable: the unprivileged run must be able to read it.
    let _ = Command::new("chmod")
        .args(["755", dir.to_str().unwrap()])
        .status();
    let file = dir.join("serve.toml");
    std::fs::write(&file, text).unwrap();
    let _ = Command::new("chmod")
        .args(["644", file.to_str().unwrap()])
        .status();
    (dir, file)
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .map(|l| l.split_whitespace().nth(2) == Some("0"))
        })
        .unwrap_or(false)
}

#[test]
fn without_privileges_one_clear_message_and_exit_77() {
    let (dir, file) = temp_config("priv", CONFIG);
    let bin = env!("CARGO_BIN_EXE_sixconf");
    let out = if is_root() {
        Command::new("setpriv")
            .args([
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                "--inh-caps=-all",
                "--bounding-set=-all",
                bin,
                "serve",
                "--config",
            ])
            .arg(&file)
            .output()
            .unwrap()
    } else {
        Command::new(bin)
            .args(["serve", "--config"])
            .arg(&file)
            .output()
            .unwrap()
    };
    std::fs::remove_dir_all(&dir).unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(77), "{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line, not a stack: {stderr}");
    for cap in ["CAP_NET_RAW", "CAP_NET_BIND_SERVICE", "CAP_NET_ADMIN"] {
        assert!(stderr.contains(cap), "{stderr}");
    }
    assert!(
        stderr.starts_with("sixconf serve: missing privileges"),
        "{stderr}"
    );
}

#[test]
fn an_invalid_file_is_refused_with_its_location_and_exit_2() {
    let (dir, file) = temp_config("bad", "[[link]]\ninterface = \"lo\"\nmode = \"nonsense\"\n");
    let out = Command::new(env!("CARGO_BIN_EXE_sixconf"))
        .args(["serve", "--config"])
        .arg(&file)
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("serve.toml:3:8:"),
        "FILE:LINE:COL: {stderr}"
    );
    assert!(stderr.contains("nonsense"), "{stderr}");
}

#[test]
fn a_missing_file_is_exit_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_sixconf"))
        .args(["serve", "--config", "/nonexistent/sixconf.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/sixconf.toml"));
}
