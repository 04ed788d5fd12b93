//! Interop: the WAN → LAN prefix lifecycle of a home router, in three namespaces.
//!
//! ```text
//!   ISP (kea-dhcp6, PD pool)  isp0 ⇄ wan0  CPE (`sixconf serve`)  lan0 ⇄ lanh0  LAN host (kernel SLAAC)
//! ```
//!
//! Kea delegates a /56 with short timers; `sixconf serve`, configured with `prefix =
//! "delegated:wan0"` and `subnet_index = 1` on lan0, requests it itself and advertises its
//! second /64 on the LAN, where the Linux kernel of the host forms an address. Then Kea's PD
//! pool changes and Kea restarts: at its next Renew the CPE is given the new /56 (the old one
//! at lifetime 0, or NoBinding and a new Request); the host forms an address in the new /64 and
//! keeps the old one deprecated (preferred lifetime 0), not removed.
//!
//! Every assertion reads what the namespaces hold (`ip -6 addr`, `ip -6 route`).
//!
//! Needs root, iproute2 and kea-dhcp6: `cargo test -p sixconf --test wan_lan_interop --
//! --ignored`.

mod common;

use std::net::Ipv6Addr;
use std::time::Duration;

use common::netns::{sh, wait_for, Pair, Side};

/// Two pairs: `wan` (router side = ISP, host side = CPE) and `lan` (its router-side interface
/// moved into the CPE namespace, host side = the LAN host).
struct Lab {
    wan: Pair,
    lan: Pair,
}

impl Lab {
    fn cpe(&self) -> &str {
        &self.wan.host
    }
    fn ip_cpe(&self, args: &[&str]) -> String {
        let mut all = vec!["ip", "-n", self.cpe()];
        all.extend_from_slice(args);
        sh(&all)
    }
}

fn lab() -> Lab {
    let wan = Pair::builder("wanlanw")
        .interfaces("isp0", "wan0")
        .host_sysctl("net.ipv6.conf.all.forwarding=1")
        .build();
    let lan = Pair::builder("wanlanl")
        .interfaces("lan0", "lanh0")
        .host_sysctl("net.ipv6.conf.{if}.accept_ra=2")
        .host_sysctl("net.ipv6.conf.{if}.autoconf=1")
        .build();
    // lan0 joins the CPE namespace (wan0's), where `sixconf serve` runs.
    sh(&[
        "ip",
        "-n",
        &lan.router,
        "link",
        "set",
        "lan0",
        "netns",
        &wan.host,
    ]);
    let l = Lab { wan, lan };
    l.ip_cpe(&["link", "set", "lan0", "up"]);
    wait_for(
        "lan0's link-local out of DAD",
        Duration::from_secs(10),
        || {
            let a = l.ip_cpe(&["-6", "addr", "show", "dev", "lan0"]);
            a.contains("fe80::") && !a.contains("tentative")
        },
    );
    l
}

/// kea-dhcp6 on isp0 delegating /56s of `pd_prefix`/48: T1 4 s, T2 6 s, preferred 30 s,
/// valid 60 s; memfile in the WAN pair's directory (Kea's data and log directories point there
/// too). Returns its pid.
fn start_kea(l: &mut Lab, pd_prefix: &str, log: &str) -> u32 {
    for dir in ["/run/kea", "/var/lib/kea"] {
        std::fs::create_dir_all(dir).unwrap();
    }
    let p = &mut l.wan;
    let conf = p.path("kea6.json");
    std::fs::write(
        &conf,
        format!(
            r#"{{ "Dhcp6": {{
  "interfaces-config": {{ "interfaces": [ "isp0" ] }},
  "lease-database": {{ "type": "memfile", "persist": true, "name": "{leases}", "lfc-interval": 0 }},
  "server-id": {{ "type": "LL", "persist": false }},
  "renew-timer": 4, "rebind-timer": 6, "preferred-lifetime": 30, "valid-lifetime": 60,
  "subnet6": [ {{ "id": 1, "subnet": "2001:db8:f::/64", "interface": "isp0",
     "pd-pools": [ {{ "prefix": "{pd_prefix}", "prefix-len": 48, "delegated-len": 56 }} ] }} ],
  "loggers": [ {{ "name": "kea-dhcp6", "output_options": [ {{ "output": "{klog}" }} ], "severity": "INFO" }} ]
}} }}"#,
            leases = p.path("kea-leases6.csv"),
            klog = p.path(&format!("{log}.kea.log")),
        ),
    )
    .unwrap();
    let dir = p.dir().display().to_string();
    let env: Vec<String> = [
        "KEA_PIDFILE_DIR",
        "KEA_LOCKFILE_DIR",
        "KEA_DHCP_DATA_DIR",
        "KEA_LOG_FILE_DIR",
    ]
    .iter()
    .map(|k| format!("{k}={dir}"))
    .collect();
    let mut args: Vec<&str> = vec!["env"];
    args.extend(env.iter().map(String::as_str));
    args.extend(["kea-dhcp6", "-c", &conf]);
    p.spawn(Side::Router, &args, log)
}

/// The LAN host's global addresses on lanh0 as (address, preferred lifetime in seconds).
fn host_addresses(l: &Lab) -> Vec<(Ipv6Addr, u64)> {
    let text = l.lan.ip(
        Side::Host,
        &["-6", "addr", "show", "dev", "lanh0", "scope", "global"],
    );
    let mut out = Vec::new();
    let mut last: Option<Ipv6Addr> = None;
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        if words.first() == Some(&"inet6") {
            last = words
                .get(1)
                .and_then(|w| w.split('/').next())
                .and_then(|a| a.parse().ok());
        } else if let (Some(a), Some(i)) = (last, words.iter().position(|w| *w == "preferred_lft"))
        {
            let pref = words
                .get(i + 1)
                .map(|w| w.trim_end_matches("sec"))
                .map(|w| {
                    if w == "forever" {
                        u64::MAX
                    } else {
                        w.parse().unwrap_or(0)
                    }
                })
                .unwrap_or(0);
            out.push((a, pref));
            last = None;
        }
    }
    out
}

fn in64(a: Ipv6Addr, p: Ipv6Addr) -> bool {
    u128::from(a) >> 64 == u128::from(p) >> 64
}

/// The /56 the CPE holds, from its WAN state file (`wan-wan0.json` beside the lease database).
fn delegated(l: &Lab) -> Vec<Ipv6Addr> {
    let text = std::fs::read_to_string(l.wan.path("wan-wan0.json")).unwrap_or_default();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    v["binding"]["prefixes"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|p| p["address"].as_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default()
}

/// The CPE's configuration: lan0 numbered from /64 number 1 of wan0's delegation, with `mode`
/// (and its keys).
fn serve_config(l: &Lab, mode: &str) -> String {
    format!(
        r#"[server]
lease_db = "{db}"
durability = "process"

[[link]]
interface = "lan0"
{mode}
prefix = "delegated:wan0"
subnet_index = 1
subnet_length = 64

[link.ra]
min_interval = 3
max_interval = 4
"#,
        db = l.wan.path("leases.sqlite"),
    )
}

const SLAAC: &str = "mode = \"slaac\"";
const STATEFUL: &str = "mode = \"dhcpv6-stateful\"\npool = \"::1000-::1fff\"";

fn start_serve(l: &mut Lab, mode: &str) -> u32 {
    let path = l.wan.path("serve.toml");
    std::fs::write(&path, serve_config(l, mode)).unwrap();
    let serve = l.wan.spawn(
        Side::Host,
        &[
            "env",
            "RUST_LOG=info,sixconf::serve::uplink=debug",
            env!("CARGO_BIN_EXE_sixconf"),
            "serve",
            "--config",
            &path,
        ],
        "serve.log",
    );
    wait_for("sixconf serve to start", Duration::from_secs(15), || {
        let log = l.wan.log("serve.log");
        assert!(!log.contains("sixconf serve:"), "the daemon failed:\n{log}");
        log.contains("serving")
    });
    serve
}

/// Wait for the CPE's first delegation from Kea (started after the CPE) and for the LAN host to
/// number itself from it; returns the lab, the pids of the CPE and Kea, and the /56.
fn delegated_lab() -> (Lab, u32, u32, Ipv6Addr) {
    let mut l = lab();
    l.wan.ip(
        Side::Router,
        &[
            "-6",
            "addr",
            "add",
            "2001:db8:f::1/64",
            "dev",
            "isp0",
            "nodad",
        ],
    );
    let serve = start_serve(&mut l, SLAAC);

    // 0. No delegation yet: the LAN gets RAs with no prefix and router lifetime 0 (as odhcpd
    // sends them), so the host forms no global address and takes no default route.
    let ra = l
        .lan
        .exec(Side::Host, &["rdisc6", "-1", "-w", "3000", "lanh0"]);
    assert!(
        ra.contains("Router lifetime") && !ra.contains(" Prefix "),
        "{ra}"
    );
    let lifetime: u32 = ra
        .lines()
        .find(|x| x.trim_start().starts_with("Router lifetime"))
        .and_then(|x| x.split_once(':'))
        .and_then(|(_, v)| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(u32::MAX);
    assert_eq!(lifetime, 0, "{ra}");
    assert!(host_addresses(&l).is_empty());
    let kea = start_kea(&mut l, "2001:db8:100::", "kea1.out");
    let t0 = std::time::Instant::now();

    // 1. The delegation arrives: the host forms an address in /64 number 1 of the /56.
    let mut first = Ipv6Addr::UNSPECIFIED;
    wait_for("a delegated prefix", Duration::from_secs(20), || {
        if let Some(p) = delegated(&l).first() {
            first = *p;
            true
        } else {
            false
        }
    });
    assert_eq!(
        u128::from(first) >> 80,
        0x2001_0db8_0100,
        "{first} not from Kea's pool"
    );
    let t1 = std::time::Instant::now();
    let lan1 = Ipv6Addr::from(u128::from(first) | (1u128 << 64));
    wait_for(
        &format!("an address in {lan1}/64 on the LAN host"),
        Duration::from_secs(20),
        || {
            host_addresses(&l)
                .iter()
                .any(|(a, pref)| in64(*a, lan1) && *pref > 0)
        },
    );
    eprintln!(
        "timing: Kea started -> prefix delegated {:?}; delegated -> LAN host address {:?}",
        t1 - t0,
        t1.elapsed()
    );
    // The router numbers itself ::1 in it, on lan0, with the /64 routed there; the rest of the
    // /56 is unreachable (no loop back up the default route).
    let router_addr = Ipv6Addr::from(u128::from(lan1) | 1);
    let lan0 = l.ip_cpe(&["-6", "addr", "show", "dev", "lan0"]);
    assert!(lan0.contains(&format!("{router_addr}/64")), "{lan0}");
    let routes = l.ip_cpe(&["-6", "route", "show", "table", "main"]);
    assert!(routes.contains(&format!("{lan1}/64 dev lan0")), "{routes}");
    assert!(
        routes.contains(&format!("unreachable {first}/56")),
        "{routes}"
    );
    // The host's default route goes through the CPE.
    let default = l.lan.ip(Side::Host, &["-6", "route", "show", "default"]);
    assert!(
        default.contains("via fe80::") && default.contains("lanh0"),
        "{default}"
    );

    (l, serve, kea, first)
}

/// The ISP renumbers: Kea restarted with a new PD pool.
#[test]
#[ignore = "needs root + peers: run by .ci/run"]
fn a_delegated_prefix_numbers_the_lan_and_a_new_one_deprecates_the_old() {
    let (mut l, serve, kea, first) = delegated_lab();
    let lan1 = Ipv6Addr::from(u128::from(first) | (1u128 << 64));
    // 2. The ISP renumbers: new PD pool, Kea restarted. At the next Renew the CPE gets a new
    // /56; the host forms an address in the new /64 and keeps the old one deprecated.
    l.wan.signal(kea, "TERM");
    l.wan.wait_exit(kea, Duration::from_secs(10));
    start_kea(&mut l, "2001:db8:200::", "kea2.out");
    let t2 = std::time::Instant::now();
    let mut second = Ipv6Addr::UNSPECIFIED;
    wait_for(
        "a new delegated prefix",
        Duration::from_secs(25),
        || match delegated(&l)
            .into_iter()
            .find(|p| u128::from(*p) >> 80 == 0x2001_0db8_0200)
        {
            Some(p) => {
                second = p;
                true
            }
            None => false,
        },
    );
    let lan2 = Ipv6Addr::from(u128::from(second) | (1u128 << 64));
    let t3 = std::time::Instant::now();
    wait_for(
        &format!("an address in {lan2}/64 and the one in {lan1}/64 deprecated"),
        Duration::from_secs(20),
        || {
            let a = host_addresses(&l);
            a.iter().any(|(x, pref)| in64(*x, lan2) && *pref > 0)
                && a.iter().any(|(x, pref)| in64(*x, lan1) && *pref == 0)
        },
    );
    eprintln!(
        "timing: Kea restarted -> new prefix {:?}; new prefix -> LAN host renumbered {:?}",
        t3 - t2,
        t3.elapsed()
    );
    let text = l
        .lan
        .ip(Side::Host, &["-6", "addr", "show", "dev", "lanh0"]);
    assert!(text.contains("deprecated"), "{text}");
    // The router moved too: ::1 of the new /64, the new /56 unreachable, the old one's route
    // gone with the delegation.
    let lan0 = l.ip_cpe(&["-6", "addr", "show", "dev", "lan0"]);
    assert!(
        lan0.contains(&format!("{}/64", Ipv6Addr::from(u128::from(lan2) | 1))),
        "{lan0}"
    );
    let routes = l.ip_cpe(&["-6", "route", "show", "table", "main"]);
    assert!(
        routes.contains(&format!("unreachable {second}/56")),
        "{routes}"
    );
    let log = l.wan.log("serve.log");
    assert!(log.contains("prefix delegated"), "{log}");
    eprintln!(
        "{}",
        log.lines()
            .filter(|x| x.contains("uplink") || x.contains("delegat"))
            .collect::<Vec<_>>()
            .join("\n")
    );

    // SIGTERM: final RAs, the unreachable routes go, exit 0; the binding stays for a restart.
    l.wan.signal(serve, "TERM");
    assert_eq!(l.wan.wait_exit(serve, Duration::from_secs(20)), Some(0));
    let routes = l.ip_cpe(&["-6", "route", "show", "table", "main"]);
    assert!(!routes.contains("unreachable 2001:db8:"), "{routes}");
    assert!(!delegated(&l).is_empty(), "binding kept in the state file");
}

/// The CPE is killed (-9) and started again: it Rebinds the prefix from its state file instead
/// of soliciting a new one (RFC 9915 §18.2.12), so the LAN keeps its numbering. Then a SIGHUP
/// moves the LAN to another subnet of the same delegation.
#[test]
#[ignore = "needs root + peers: run by .ci/run"]
fn a_restarted_router_rebinds_its_delegation_and_the_lan_keeps_its_prefix() {
    let (mut l, serve, _kea, first) = delegated_lab();
    let lan1 = Ipv6Addr::from(u128::from(first) | (1u128 << 64));
    l.wan.signal(serve, "KILL");
    l.wan.wait_exit(serve, Duration::from_secs(10));
    let serve2 = start_serve(&mut l, SLAAC);
    wait_for("the delegation resumed", Duration::from_secs(15), || {
        l.wan.log("serve.log").contains("delegation resumed")
    });
    // Rebound (Kea's Reply renews the prefix), the same /56, and the LAN host still numbered
    // from /64 number 1 of it.
    wait_for("the Rebind answered", Duration::from_secs(15), || {
        l.wan.log("serve.log").contains("delegation renewed")
    });
    assert_eq!(delegated(&l), [first]);
    assert!(host_addresses(&l)
        .iter()
        .any(|(a, pref)| in64(*a, lan1) && *pref > 0));
    let log = l.wan.log("serve.log");
    assert!(log.contains("how=Rebinding"), "{log}");
    assert!(log.contains("kind=Rebind"), "{log}");
    assert!(
        !log.contains("kind=Solicit"),
        "a new Solicit instead of a Rebind:\n{log}"
    );

    // SIGHUP with subnet_index = 2: the LAN moves to /64 number 2; number 1 is withdrawn
    // (stale, RFC 9096 §3.5), so the host keeps its address there deprecated.
    let path = l.wan.path("serve.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("subnet_index = 1", "subnet_index = 2")).unwrap();
    l.wan.signal(serve2, "HUP");
    let lan2 = Ipv6Addr::from(u128::from(first) | (2u128 << 64));
    wait_for(
        &format!("an address in {lan2}/64 and the one in {lan1}/64 deprecated"),
        Duration::from_secs(20),
        || {
            let a = host_addresses(&l);
            a.iter().any(|(x, pref)| in64(*x, lan2) && *pref > 0)
                && a.iter().any(|(x, pref)| in64(*x, lan1) && *pref == 0)
        },
    );
    assert!(l.wan.log("serve.log").contains("configuration reloaded"));
}

/// A stateful LAN (M=1, `pool = "::1000-::1fff"`): dhclient gets an address from the pool in
/// /64 number 1 of the delegation; after the ISP renumbers, its Renew of that address is
/// answered with lifetimes 0 (RFC 9915 §18.3.4) and the address leaves the host.
#[test]
#[ignore = "needs root + peers: run by .ci/run"]
fn a_stateful_lan_pool_follows_the_delegation() {
    let mut l = lab();
    l.wan.ip(
        Side::Router,
        &[
            "-6",
            "addr",
            "add",
            "2001:db8:f::1/64",
            "dev",
            "isp0",
            "nodad",
        ],
    );
    let _serve = start_serve(&mut l, STATEFUL);
    let kea = start_kea(&mut l, "2001:db8:100::", "kea1.out");
    let mut first = Ipv6Addr::UNSPECIFIED;
    wait_for("a delegated prefix", Duration::from_secs(20), || {
        delegated(&l).first().map(|p| first = *p).is_some()
    });
    let lan1 = Ipv6Addr::from(u128::from(first) | (1u128 << 64));
    let lf = l.lan.path("dhclient.leases");
    let pf = l.lan.path("dhclient.pid");
    l.lan.spawn(
        Side::Host,
        &[
            "dhclient", "-6", "-d", "-v", "-lf", &lf, "-pf", &pf, "lanh0",
        ],
        "dhclient.log",
    );
    let in_pool = |a: &Ipv6Addr, p: Ipv6Addr| {
        in64(*a, p) && (0x1000..=0x1fff).contains(&(u128::from(*a) & 0xffff_ffff_ffff_ffff))
    };
    let mut leased = Ipv6Addr::UNSPECIFIED;
    wait_for(
        &format!("a DHCPv6 address from {lan1}/64's pool"),
        Duration::from_secs(20),
        || {
            host_addresses(&l)
                .iter()
                .find(|(a, pref)| in_pool(a, lan1) && *pref > 0)
                .map(|(a, _)| leased = *a)
                .is_some()
        },
    );
    // No SLAAC address beside it: stateful RAs carry A=0.
    assert!(
        host_addresses(&l).iter().all(|(a, _)| *a == leased),
        "{:?}",
        host_addresses(&l)
    );

    l.wan.signal(kea, "TERM");
    l.wan.wait_exit(kea, Duration::from_secs(10));
    start_kea(&mut l, "2001:db8:200::", "kea2.out");
    wait_for("a new delegated prefix", Duration::from_secs(25), || {
        delegated(&l)
            .iter()
            .any(|p| u128::from(*p) >> 80 == 0x2001_0db8_0200)
    });
    wait_for(
        &format!("{leased} given lifetimes 0 at its Renew"),
        Duration::from_secs(30),
        || {
            !host_addresses(&l)
                .iter()
                .any(|(a, pref)| *a == leased && *pref > 0)
        },
    );
    eprintln!("{}\n{:?}", l.lan.log("dhclient.log"), host_addresses(&l));
}
