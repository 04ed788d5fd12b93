//! Interop: `sixconf client` in a host namespace against real routers and DHCPv6 servers in a
//! router namespace (std-adapter/tests/common/netns.rs: veth pair, `/etc/netns/<ns>/resolv.conf`
//! written first, everything removed on drop). Every case checks what the kernel of the host
//! namespace holds afterwards (`ip -6 addr`, `ip -6 route`, the sysctls) and the resolv file.
//!
//! Needs root, iproute2, radvd, dnsmasq and kea-dhcp6: `cargo test -p sixconf --test
//! client_interop -- --ignored`.
//!
//! The host namespace starts with `accept_ra=0` (so the kernel's own SLAAC cannot race ours)
//! and `autoconf=1`: the client must switch `autoconf` off while it runs and put 1 back.

mod common;

use std::net::Ipv6Addr;
use std::time::Duration;

use common::netns::{wait_for, Pair, Side};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_sixconf");

fn pair(tag: &str) -> Pair {
    Pair::builder(tag)
        .host_sysctl("net.ipv6.conf.{if}.accept_ra=0")
        .host_sysctl("net.ipv6.conf.{if}.autoconf=1")
        .build()
}

fn sysctl(p: &Pair, name: &str) -> String {
    let path = format!("/proc/sys/net/ipv6/conf/{}/{name}", p.host_if);
    p.exec(Side::Host, &["cat", &path]).trim().to_owned()
}

fn neigh(p: &Pair, name: &str) -> String {
    let path = format!("/proc/sys/net/ipv6/neigh/{}/{name}", p.host_if);
    p.exec(Side::Host, &["cat", &path]).trim().to_owned()
}

fn addrs(p: &Pair) -> String {
    p.ip(Side::Host, &["-6", "addr", "show", "dev", &p.host_if])
}

fn default_route(p: &Pair) -> String {
    p.ip(Side::Host, &["-6", "route", "show", "default"])
}

fn router_ll(p: &Pair) -> Ipv6Addr {
    let text = p.ip(Side::Router, &["-6", "addr", "show", "dev", &p.router_if]);
    text.split_whitespace()
        .filter_map(|w| w.split('/').next())
        .filter_map(|w| w.parse::<Ipv6Addr>().ok())
        .find(|a| a.is_unicast_link_local())
        .expect("router link-local")
}

/// JSON lines from the client's output (other lines skipped).
fn events(text: &str) -> Vec<Value> {
    text.lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .collect()
}

fn find<'a>(evs: &'a [Value], kind: &str) -> Option<&'a Value> {
    evs.iter().find(|e| e["event"] == kind)
}

/// Run `sixconf client --once --json` in the host namespace; (exit code, events, stderr).
fn once(p: &Pair, extra: &[&str]) -> (Option<i32>, Vec<Value>, String) {
    let state = p.path("state.json");
    let mut args = vec![
        BIN,
        "client",
        "--interface",
        &p.host_if,
        "--once",
        "--json",
        "--state",
        &state,
    ];
    args.extend_from_slice(extra);
    let out = p.try_exec(Side::Host, &args);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    eprintln!("--- client stdout\n{stdout}--- client stderr\n{stderr}");
    (out.status.code(), events(&stdout), stderr)
}

fn start_radvd(p: &mut Pair, body: &str) -> u32 {
    let conf = p.path("radvd.conf");
    std::fs::write(
        &conf,
        format!(
            "interface {} {{\n AdvSendAdvert on;\n MinRtrAdvInterval 3;\n MaxRtrAdvInterval 4;\n{body}\n}};\n",
            p.router_if
        ),
    )
    .unwrap();
    let pid = p.path("radvd.pid");
    p.spawn(
        Side::Router,
        &["radvd", "-n", "-m", "stderr", "-C", &conf, "-p", &pid],
        "radvd.log",
    )
}

fn start_dnsmasq(p: &mut Pair, body: &str) {
    let conf = p.path("dnsmasq.conf");
    std::fs::write(
        &conf,
        format!(
            "port=0\ninterface={}\nbind-interfaces\nlog-dhcp\ndhcp-leasefile={}\npid-file={}\n{body}\n",
            p.router_if,
            p.path("dnsmasq.leases"),
            p.path("dnsmasq.pid"),
        ),
    )
    .unwrap();
    p.spawn(
        Side::Router,
        &["dnsmasq", "-k", "-C", &conf, "--log-facility=-"],
        "dnsmasq.log",
    );
}

fn router_address(p: &Pair, cidr: &str) {
    p.ip(
        Side::Router,
        &["-6", "addr", "add", cidr, "dev", &p.router_if, "nodad"],
    );
}

/// (a) radvd, SLAAC only: the client forms an RFC 7217 address, installs the default route
/// through radvd with the router lifetime as expiry, and writes RDNSS/DNSSL to the resolv file.
/// Then a long-running client is stopped with SIGTERM: everything it added goes away and the
/// sysctls come back.
#[test]
#[ignore = "needs root + peers"]
fn radvd_slaac_address_default_route_and_rdnss() {
    let mut p = pair("cia");
    let (mtu_before, hop_before) = (sysctl(&p, "mtu"), sysctl(&p, "hop_limit"));
    let (reach_before, retrans_before) = (
        neigh(&p, "base_reachable_time_ms"),
        neigh(&p, "retrans_time_ms"),
    );
    assert_ne!(mtu_before, "1400");
    let radvd = start_radvd(
        &mut p,
        " AdvDefaultLifetime 600;\n AdvLinkMTU 1400;\n AdvCurHopLimit 42;\n AdvReachableTime 20000;\n AdvRetransTimer 1500;\n prefix 2001:db8:a::/64 { AdvOnLink on; AdvAutonomous on; AdvPreferredLifetime 1800; AdvValidLifetime 3600; };\n route 2001:db8:aa::/48 { AdvRoutePreference high; AdvRouteLifetime 1800; };\n RDNSS 2001:db8:a::53 { AdvRDNSSLifetime 600; };\n DNSSL slaac.test { AdvDNSSLLifetime 600; };",
    );
    let resolv = p.path("resolv.conf");
    let (code, evs, _) = once(&p, &["--resolv", &resolv]);
    assert_eq!(code, Some(0));
    let configured = find(&evs, "configured").expect("configured event");
    // Every drop counter is reported at exit; radvd's RAs were all accepted.
    let counters = &find(&evs, "counters").expect("counters at exit")["host"];
    assert!(counters["ra_accepted"].as_u64().unwrap() >= 1, "{counters}");
    assert_eq!(counters["ra_dropped_hop_limit"], 0);
    let address: Ipv6Addr = configured["addresses"][0]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(address.segments()[..4], [0x2001, 0xdb8, 0xa, 0]);
    // RFC 7217, not the kernel's EUI-64: not derived from the MAC (no ff:fe in the middle).
    assert_ne!(address.segments()[5] & 0xff, 0xff);
    let a = addrs(&p);
    let line = a
        .lines()
        .find(|l| l.contains(&format!("{address}/64")))
        .unwrap_or_else(|| panic!("{address} not on the interface:\n{a}"));
    assert!(line.contains("noprefixroute"), "{line}");
    assert!(!a.contains("tentative"), "{a}");
    assert!(
        a.contains("valid_lft 35") && a.contains("preferred_lft 17"),
        "{a}"
    );
    let ll = router_ll(&p);
    let d = default_route(&p);
    assert!(
        d.contains(&format!("default via {ll}")) && d.contains("proto ra") && d.contains("expires"),
        "{d}"
    );
    let onlink = p.ip(Side::Host, &["-6", "route", "show", "2001:db8:a::/64"]);
    assert!(
        onlink.contains("proto ra") && onlink.contains("expires 35"),
        "{onlink}"
    );
    // The RFC 4191 route: via the router, its preference, its lifetime.
    let rio = p.ip(Side::Host, &["-6", "route", "show", "2001:db8:aa::/48"]);
    assert!(
        rio.contains(&format!("via {ll}"))
            && rio.contains("pref high")
            && rio.contains("expires 17"),
        "{rio}"
    );
    let text = std::fs::read_to_string(&resolv).unwrap();
    assert!(text.contains("nameserver 2001:db8:a::53\n"), "{text}");
    assert!(text.contains("search slaac.test\n"), "{text}");
    let mode = |f: &str| {
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(f).unwrap().permissions())
            & 0o777
    };
    assert_eq!(mode(&resolv), 0o644);
    assert_eq!(
        mode(&p.path("state.json")),
        0o600,
        "the RFC 7217 secret is private"
    );
    // --once leaves the configuration (bounded by its lifetimes) and restores the sysctls.
    assert_eq!(sysctl(&p, "autoconf"), "1");
    assert_eq!(sysctl(&p, "mtu"), mtu_before);
    assert_eq!(sysctl(&p, "accept_ra"), "0");

    // A long-running client, stopped by SIGTERM.
    p.ip(
        Side::Host,
        &[
            "-6",
            "addr",
            "del",
            &format!("{address}/64"),
            "dev",
            &p.host_if,
        ],
    );
    let state = p.path("state.json");
    let pid = p.spawn(
        Side::Host,
        &[
            BIN,
            "client",
            "--interface",
            &p.host_if.clone(),
            "--json",
            "--resolv",
            &resolv,
            "--state",
            &state,
        ],
        "client.log",
    );
    wait_for("the SLAAC address again", Duration::from_secs(15), || {
        let a = addrs(&p);
        a.contains(&format!("{address}/64")) && !a.contains("tentative")
    });
    assert_eq!(
        sysctl(&p, "autoconf"),
        "0",
        "kernel SLAAC off while running"
    );
    // RFC 4861 §6.3.4: the RA's MTU, Cur Hop Limit, Reachable Time and Retrans Timer, applied
    // as the kernel would with accept_ra on.
    wait_for("the RA's link parameters", Duration::from_secs(5), || {
        sysctl(&p, "mtu") == "1400" && sysctl(&p, "hop_limit") == "42"
    });
    assert_eq!(neigh(&p, "base_reachable_time_ms"), "20000");
    assert_eq!(neigh(&p, "retrans_time_ms"), "1500");
    wait_for("the default route again", Duration::from_secs(5), || {
        default_route(&p).contains("default via")
    });
    // radvd stops: its final RA has router lifetime 0 (RFC 4861 §6.2.5), the default route
    // goes at once; the address and the on-link prefix keep their own lifetimes.
    p.signal(radvd, "TERM");
    wait_for("the default route removed", Duration::from_secs(10), || {
        !default_route(&p).contains("default")
    });
    assert!(addrs(&p).contains(&format!("{address}/64")));
    let log = events(&p.log("client.log"));
    assert!(find(&log, "default_router_removed").is_some(), "{log:?}");
    p.signal(pid, "TERM");
    assert_eq!(p.wait_exit(pid, Duration::from_secs(10)), Some(0));
    let a = addrs(&p);
    assert!(!a.contains("2001:db8:a:"), "address left behind:\n{a}");
    assert!(
        !default_route(&p).contains("default"),
        "{}",
        default_route(&p)
    );
    assert_eq!(sysctl(&p, "autoconf"), "1");
    assert_eq!(
        [sysctl(&p, "mtu"), sysctl(&p, "hop_limit")],
        [mtu_before.clone(), hop_before.clone()]
    );
    assert_eq!(neigh(&p, "base_reachable_time_ms"), reach_before);
    assert_eq!(neigh(&p, "retrans_time_ms"), retrans_before);
    let text = std::fs::read_to_string(&resolv).unwrap();
    assert!(!text.contains("nameserver"), "{text}");
    let log = events(&p.log("client.log"));
    assert!(find(&log, "signal").is_some() && find(&log, "stopped").is_some());
}

/// (b) radvd with the O flag, dnsmasq answering Information-requests (no RA of its own): the
/// DNS server and search list from DHCPv6 land in the resolv file.
#[test]
#[ignore = "needs root + peers"]
fn radvd_o_flag_and_dnsmasq_stateless_dns_in_the_resolv_file() {
    let mut p = pair("cib");
    router_address(&p, "2001:db8:b::1/64");
    let body = format!(
        "dhcp-range=::,constructor:{},static\ndhcp-option=option6:dns-server,[2001:db8:b::53]\ndhcp-option=option6:domain-search,stateless.test",
        p.router_if
    );
    start_dnsmasq(&mut p, &body);
    start_radvd(
        &mut p,
        " AdvDefaultLifetime 600;\n AdvOtherConfigFlag on;\n prefix 2001:db8:b::/64 { AdvOnLink on; AdvAutonomous on; };",
    );
    let resolv = p.path("resolv.conf");
    let (code, evs, _) = once(&p, &["--resolv", &resolv]);
    assert_eq!(code, Some(0));
    assert!(evs
        .iter()
        .any(|e| e["event"] == "dhcpv6_sent" && e["message"] == "InformationRequest"));
    assert!(evs
        .iter()
        .all(|e| e["event"] != "dhcpv6_sent" || e["message"] == "InformationRequest"));
    let text = std::fs::read_to_string(&resolv).unwrap();
    assert_eq!(
        text,
        format!(
            "# written by sixconf client for {}\nnameserver 2001:db8:b::53\nsearch stateless.test\n",
            p.host_if
        )
    );
    let log = p.log("dnsmasq.log");
    assert!(log.contains("DHCPINFORMATION-REQUEST"), "{log}");
}

/// (c) dnsmasq with `enable-ra`, stateful: M=1, the address comes from the range (a /128, no
/// SLAAC since dnsmasq's prefix has A=0), the default route from dnsmasq's RA.
#[test]
#[ignore = "needs root + peers"]
fn dnsmasq_enable_ra_stateful_address_from_the_range() {
    let mut p = pair("cic");
    router_address(&p, "2001:db8:c::1/64");
    start_dnsmasq(
        &mut p,
        "enable-ra\ndhcp-range=2001:db8:c::100,2001:db8:c::1ff,64,10m\ndhcp-option=option6:dns-server,[2001:db8:c::53]",
    );
    let resolv = p.path("resolv.conf");
    let (code, evs, _) = once(&p, &["--resolv", &resolv]);
    assert_eq!(code, Some(0));
    let bound = find(&evs, "dhcpv6_address_bound").expect("address bound");
    let address: Ipv6Addr = bound["lease"].as_str().unwrap().parse().unwrap();
    let n = u128::from(address);
    assert!(
        (u128::from("2001:db8:c::100".parse::<Ipv6Addr>().unwrap())
            ..=u128::from("2001:db8:c::1ff".parse::<Ipv6Addr>().unwrap()))
            .contains(&n),
        "{address}"
    );
    let a = addrs(&p);
    assert!(a.contains(&format!("{address}/128")), "{a}");
    assert!(
        a.contains("valid_lft 59") || a.contains("valid_lft 600"),
        "{a}"
    );
    assert!(
        !a.contains("2001:db8:c:0:"),
        "no SLAAC address expected:\n{a}"
    );
    let d = default_route(&p);
    assert!(d.contains(&format!("default via {}", router_ll(&p))), "{d}");
    let text = std::fs::read_to_string(&resolv).unwrap();
    assert!(text.contains("nameserver 2001:db8:c::53\n"), "{text}");
    let leases = std::fs::read_to_string(p.path("dnsmasq.leases")).unwrap();
    assert!(leases.contains(&address.to_string()), "{leases}");
}

/// One row of Kea's memfile (address, valid lifetime, expire, lease type, prefix length).
fn kea_rows(p: &Pair) -> Vec<(String, u64, u64, u8, u8)> {
    std::fs::read_to_string(p.path("kea-leases6.csv"))
        .unwrap_or_default()
        .lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            Some((
                f.first()?.to_string(),
                f.get(2)?.parse().ok()?,
                f.get(3)?.parse().ok()?,
                f.get(6)?.parse().ok()?,
                f.get(8)?.parse().ok()?,
            ))
        })
        .collect()
}

/// kea-dhcp6 on the router side: 2001:db8:d::100-1ff and /56s of 2001:db8:100::/48, T1 10 s,
/// T2 16 s, preferred 20 s, valid 40 s, memfile `kea-leases6.csv` in the pair's directory.
fn start_kea(p: &mut Pair) {
    start_kea_with_pool(p, "2001:db8:d::100-2001:db8:d::1ff");
}

/// [`start_kea`] with another address pool.
fn start_kea_with_pool(p: &mut Pair, pool: &str) {
    // Kea's default directories (its pid and lock files are redirected to the pair's directory).
    for dir in ["/run/kea", "/var/lib/kea"] {
        std::fs::create_dir_all(dir).unwrap();
    }
    router_address(p, "2001:db8:d::1/64");
    let kea_conf = p.path("kea6.json");
    std::fs::write(
        &kea_conf,
        format!(
            r#"{{ "Dhcp6": {{
  "interfaces-config": {{ "interfaces": [ "{ifname}" ] }},
  "lease-database": {{ "type": "memfile", "persist": true, "name": "{leases}", "lfc-interval": 0 }},
  "server-id": {{ "type": "LL", "persist": false }},
  "renew-timer": 10, "rebind-timer": 16, "preferred-lifetime": 20, "valid-lifetime": 40,
  "option-data": [ {{ "name": "dns-servers", "data": "2001:db8:d::53" }} ],
  "subnet6": [ {{ "id": 1, "subnet": "2001:db8:d::/64", "interface": "{ifname}",
     "pools": [ {{ "pool": "{pool}" }} ],
     "pd-pools": [ {{ "prefix": "2001:db8:100::", "prefix-len": 48, "delegated-len": 56 }} ] }} ],
  "loggers": [ {{ "name": "kea-dhcp6", "output_options": [ {{ "output": "{log}" }} ], "severity": "INFO" }} ]
}} }}"#,
            ifname = p.router_if,
            leases = p.path("kea-leases6.csv"),
            log = p.path("kea.log"),
            pool = pool,
        ),
    )
    .unwrap();
    let piddir = format!("KEA_PIDFILE_DIR={}", p.dir().display());
    let lockdir = format!("KEA_LOCKFILE_DIR={}", p.dir().display());
    // Kea 3.0 accepts lease and log files only under these (ignored by older versions).
    let datadir = format!("KEA_DHCP_DATA_DIR={}", p.dir().display());
    let logdir = format!("KEA_LOG_FILE_DIR={}", p.dir().display());
    p.spawn(
        Side::Router,
        &[
            "env",
            &piddir,
            &lockdir,
            &datadir,
            &logdir,
            "kea-dhcp6",
            "-c",
            &kea_conf,
        ],
        "kea.out",
    );
}

/// (d) kea-dhcp6 with IA_NA and IA_PD (radvd says M=1): the address is added, the delegated
/// prefix reported; with T1 = 10 s the client Renews (seen on the wire log and as a second row
/// in Kea's lease file); killed with -9 and restarted, it Rebinds the saved binding instead of
/// soliciting; on SIGTERM it Releases, which Kea's lease file shows (valid lifetime 0).
#[test]
#[ignore = "needs root + peers"]
fn kea_na_and_pd_renew_at_t1_restart_rebinds_release_on_sigterm() {
    let mut p = pair("cid");
    start_kea(&mut p);
    start_radvd(
        &mut p,
        " AdvDefaultLifetime 600;\n AdvManagedFlag on;\n AdvOtherConfigFlag on;\n prefix 2001:db8:d::/64 { AdvOnLink on; AdvAutonomous off; };",
    );
    let state = p.path("state.json");
    let host_if = p.host_if.clone();
    let run = |p: &mut Pair, log: &str| {
        p.spawn(
            Side::Host,
            &[
                BIN,
                "client",
                "--interface",
                &host_if,
                "--request-prefix",
                "--json",
                "--state",
                &state,
            ],
            log,
        )
    };
    let pid = run(&mut p, "client1.log");
    wait_for("address and prefix bound", Duration::from_secs(20), || {
        let evs = events(&p.log("client1.log"));
        find(&evs, "dhcpv6_prefix_bound").is_some() && find(&evs, "dad_result").is_some()
    });
    let evs = events(&p.log("client1.log"));
    let bound = find(&evs, "dhcpv6_address_bound").unwrap();
    let address: Ipv6Addr = bound["lease"].as_str().unwrap().parse().unwrap();
    let prefix = find(&evs, "dhcpv6_prefix_bound").unwrap()["lease"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        prefix.starts_with("2001:db8:100:") && prefix.ends_with("/56"),
        "{prefix}"
    );
    let a = addrs(&p);
    assert!(a.contains(&format!("{address}/128")), "{a}");
    let bound_at = bound["t"].as_f64().unwrap();

    // T1 = 10 s: a Renew, answered, and Kea writes the renewed lease.
    wait_for("a Renew", Duration::from_secs(20), || {
        let evs = events(&p.log("client1.log"));
        find(&evs, "dhcpv6_address_renewed").is_some()
    });
    let evs = events(&p.log("client1.log"));
    let renew = evs
        .iter()
        .find(|e| e["event"] == "dhcpv6_sent" && e["message"] == "Renew")
        .expect("Renew sent");
    let t1 = renew["t"].as_f64().unwrap() - bound_at;
    assert!((9.9..=11.5).contains(&t1), "Renew {t1} s after binding");
    let rows: Vec<_> = kea_rows(&p)
        .into_iter()
        .filter(|r| r.0 == address.to_string())
        .collect();
    assert!(rows.len() >= 2, "Kea wrote no renewal: {rows:?}");
    assert!(rows[rows.len() - 1].2 > rows[0].2, "{rows:?}");

    // kill -9 and restart: the saved binding is rebound (it holds a prefix), not solicited.
    p.signal(pid, "KILL");
    p.wait_exit(pid, Duration::from_secs(5));
    // Killed: nothing restored the sysctls; the state file remembers the original values.
    assert_eq!(sysctl(&p, "autoconf"), "0");
    let pid = run(&mut p, "client2.log");
    wait_for("the binding rebound", Duration::from_secs(20), || {
        let evs = events(&p.log("client2.log"));
        find(&evs, "dhcpv6_address_renewed").is_some()
    });
    let evs = events(&p.log("client2.log"));
    assert_eq!(
        find(&evs, "binding_restored").unwrap()["how"],
        "Rebinding",
        "{evs:?}"
    );
    let sent: Vec<&str> = evs
        .iter()
        .filter(|e| e["event"] == "dhcpv6_sent")
        .filter_map(|e| e["message"].as_str())
        .collect();
    assert_eq!(sent.first(), Some(&"Rebind"), "{sent:?}");
    assert!(!sent.contains(&"Solicit"), "{sent:?}");
    assert_eq!(
        find(&evs, "dhcpv6_address_renewed").unwrap()["lease"],
        address.to_string()
    );

    // SIGTERM: Release; Kea records both leases released (valid lifetime 0); nothing left.
    p.signal(pid, "TERM");
    assert_eq!(p.wait_exit(pid, Duration::from_secs(10)), Some(0));
    let evs = events(&p.log("client2.log"));
    assert!(evs
        .iter()
        .any(|e| e["event"] == "dhcpv6_sent" && e["message"] == "Release"));
    let rows = kea_rows(&p);
    let last_na = rows
        .iter()
        .rev()
        .find(|r| r.0 == address.to_string())
        .unwrap();
    assert_eq!(last_na.1, 0, "address not released in Kea: {rows:?}");
    let pfx_addr = prefix.split('/').next().unwrap();
    let last_pd = rows.iter().rev().find(|r| r.0 == pfx_addr).unwrap();
    assert_eq!(
        (last_pd.1, last_pd.3),
        (0, 2),
        "prefix not released: {rows:?}"
    );
    let a = addrs(&p);
    assert!(!a.contains(&address.to_string()), "{a}");
    // The second run restored what was there before the first one, not the first one's zero.
    assert_eq!(sysctl(&p, "autoconf"), "1");
    let kea_log = std::fs::read_to_string(p.path("kea.log")).unwrap_or_default();
    assert!(kea_log.contains("DHCP6_RELEASE_NA"), "{kea_log}");
}

/// No router at all: `--once` gives up after `--timeout` with exit 1 and says why.
#[test]
#[ignore = "needs root + peers"]
fn once_without_a_router_times_out_with_the_reason() {
    let p = pair("cie");
    let (code, evs, stderr) = once(&p, &["--timeout", "6"]);
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains("no Router Advertisement received"),
        "{stderr}"
    );
    let t = find(&evs, "timeout").unwrap();
    assert_eq!(t["after_secs"], 6);
    // RFC 4861 §6.3.7: the first RS within 1 s, the next 4 s later.
    assert!(evs.iter().filter(|e| e["event"] == "rs_sent").count() >= 2);
    assert_eq!(sysctl(&p, "autoconf"), "1");
}

/// A SLAAC address another node already holds: the kernel's DAD flags it, the client takes it
/// away and forms the next RFC 7217 address (DAD_Counter 1, RFC 7217 §6). The state file keeps
/// the secret, so a first run with `--no-configure` tells which address will collide.
#[test]
#[ignore = "needs root + peers"]
fn slaac_dad_conflict_in_the_kernel_gives_the_next_stable_address() {
    let mut p = pair("cif");
    start_radvd(
        &mut p,
        " AdvDefaultLifetime 600;\n prefix 2001:db8:f::/64 { AdvOnLink on; AdvAutonomous on; };",
    );
    let (code, evs, _) = once(&p, &["--no-configure"]);
    assert_eq!(code, Some(0));
    let first = find(&evs, "configured").unwrap()["addresses"][0]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(!addrs(&p).contains(&first), "--no-configure added it");
    // The router holds it now.
    router_address(&p, &format!("{first}/64"));
    let (code, evs, _) = once(&p, &[]);
    assert_eq!(code, Some(0));
    let conflict = evs
        .iter()
        .find(|e| e["event"] == "dad_result" && e["address"] == first.as_str())
        .expect("a DAD verdict for the taken address");
    assert_eq!(conflict["result"], "conflict");
    assert_eq!(conflict["engine"], "slaac");
    assert!(conflict["millis"].as_u64().unwrap() < 5000, "{conflict}");
    let second = find(&evs, "configured").unwrap()["addresses"][0]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(second, first);
    assert!(second.starts_with("2001:db8:f:0:"), "{second}");
    let a = addrs(&p);
    assert!(a.contains(&format!("{second}/64")), "{a}");
    assert!(
        !a.contains(&format!("{first}/64")),
        "failed address left behind:\n{a}"
    );
    assert!(!a.contains("dadfailed"), "{a}");
}

/// The link goes away and comes back (the router side's carrier): the client solicits routers
/// again and Confirms its DHCPv6 address (RFC 9915 §18.2.12), which dnsmasq confirms.
#[test]
#[ignore = "needs root + peers"]
fn carrier_loss_and_return_makes_the_client_confirm() {
    // The router keeps its global address while down, so dnsmasq still serves the range after.
    let mut p = Pair::builder("cig")
        .host_sysctl("net.ipv6.conf.{if}.accept_ra=0")
        .router_sysctl("net.ipv6.conf.{if}.keep_addr_on_down=1")
        .build();
    router_address(&p, "2001:db8:e::1/64");
    start_dnsmasq(
        &mut p,
        "enable-ra\ndhcp-range=2001:db8:e::100,2001:db8:e::1ff,64,10m",
    );
    let state = p.path("state.json");
    let host_if = p.host_if.clone();
    let pid = p.spawn(
        Side::Host,
        &[
            BIN,
            "client",
            "--interface",
            &host_if,
            "--json",
            "--state",
            &state,
        ],
        "client.log",
    );
    wait_for("a DHCPv6 address", Duration::from_secs(20), || {
        let evs = events(&p.log("client.log"));
        evs.iter()
            .any(|e| e["event"] == "dad_result" && e["engine"] == "dhcpv6")
    });
    let router_if = p.router_if.clone();
    p.ip(Side::Router, &["link", "set", &router_if, "down"]);
    std::thread::sleep(Duration::from_millis(2500));
    p.ip(Side::Router, &["link", "set", &router_if, "up"]);
    wait_for("a Confirm answered", Duration::from_secs(20), || {
        let evs = events(&p.log("client.log"));
        let after: Vec<&Value> = evs
            .iter()
            .skip_while(|e| e["event"] != "link_changed")
            .collect();
        after
            .iter()
            .any(|e| e["event"] == "dhcpv6_sent" && e["message"] == "Confirm")
            && after
                .iter()
                .any(|e| e["event"] == "dhcpv6_received" && e["message"] == "Reply")
    });
    let evs = events(&p.log("client.log"));
    assert!(
        !evs.iter().any(|e| e["event"] == "dhcpv6_address_removed"),
        "the address was kept: {evs:?}"
    );
    p.signal(pid, "TERM");
    assert_eq!(p.wait_exit(pid, Duration::from_secs(10)), Some(0));
    let log = p.log("dnsmasq.log");
    assert!(log.contains("DHCPCONFIRM"), "{log}");
}

/// Without privileges (as `nobody`, no capabilities): one line naming the refused socket, one
/// naming the capabilities, exit 77, nothing changed.
#[test]
#[ignore = "needs root + peers"]
fn unprivileged_exits_77_naming_what_was_refused() {
    let p = pair("cih");
    let state = p.path("state.json");
    let out = p.try_exec(
        Side::Host,
        &[
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "--inh-caps=-all",
            BIN,
            "client",
            "--interface",
            &p.host_if,
            "--once",
            "--state",
            &state,
        ],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(77), "{err}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(
        lines[0].starts_with(&format!(
            "sixconf client: opening the raw ICMPv6 socket on {}: ",
            p.host_if
        )),
        "{err}"
    );
    assert!(lines[1].contains("CAP_NET_RAW"), "{err}");
    assert_eq!(sysctl(&p, "autoconf"), "1");
    assert!(!std::path::Path::new(&state).exists());
}

/// Kea, prefix delegation only (`--mode pd`, no RA needed): `--once` exits with the prefix and
/// adds no address.
#[test]
#[ignore = "needs root + peers"]
fn kea_pd_mode_once_reports_the_prefix_and_adds_no_address() {
    let mut p = pair("cii");
    start_kea(&mut p);
    let (code, evs, _) = once(&p, &["--mode", "pd"]);
    assert_eq!(code, Some(0));
    let prefix = find(&evs, "configured").unwrap()["prefixes"][0]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        prefix.starts_with("2001:db8:100:") && prefix.ends_with("/56"),
        "{prefix}"
    );
    let sent: Vec<&str> = evs
        .iter()
        .filter(|e| e["event"] == "dhcpv6_sent")
        .filter_map(|e| e["message"].as_str())
        .collect();
    assert_eq!(sent, ["Solicit", "Request"]);
    assert!(!addrs(&p).contains("2001:db8:d:"), "{}", addrs(&p));
    // The delegated prefix is unreachable on this host (RFC 7084 WPD-5).
    let routes = p.ip(Side::Host, &["-6", "route", "show", "type", "unreachable"]);
    assert!(
        routes.contains(&format!("unreachable {prefix} ")),
        "{routes}"
    );
    let rows = kea_rows(&p);
    assert!(
        rows.iter().all(|r| r.3 == 2 && r.4 == 56),
        "only IA_PD leases: {rows:?}"
    );
}

/// Kea, addresses only: after kill -9 the restarted client Confirms its address (RFC 9915
/// §18.2.12) and Kea confirms it; no new Solicit.
#[test]
#[ignore = "needs root + peers"]
fn kea_confirms_a_restored_address_after_kill_9() {
    let mut p = pair("cij");
    start_kea(&mut p);
    start_radvd(
        &mut p,
        " AdvDefaultLifetime 600;\n AdvManagedFlag on;\n prefix 2001:db8:d::/64 { AdvOnLink on; AdvAutonomous off; };",
    );
    let state = p.path("state.json");
    let host_if = p.host_if.clone();
    let pid = p.spawn(
        Side::Host,
        &[
            BIN,
            "client",
            "--interface",
            &host_if,
            "--json",
            "--state",
            &state,
        ],
        "client1.log",
    );
    wait_for("an address", Duration::from_secs(20), || {
        find(&events(&p.log("client1.log")), "dad_result").is_some()
    });
    let address = find(&events(&p.log("client1.log")), "dhcpv6_address_bound").unwrap()["lease"]
        .as_str()
        .unwrap()
        .to_owned();
    p.signal(pid, "KILL");
    p.wait_exit(pid, Duration::from_secs(5));
    let (code, evs, _) = once(&p, &[]);
    assert_eq!(code, Some(0));
    assert_eq!(find(&evs, "binding_restored").unwrap()["how"], "Confirming");
    let sent: Vec<&str> = evs
        .iter()
        .filter(|e| e["event"] == "dhcpv6_sent")
        .filter_map(|e| e["message"].as_str())
        .collect();
    assert_eq!(sent, ["Confirm"]);
    assert_eq!(
        find(&evs, "configured").unwrap()["addresses"][0],
        address.as_str()
    );
    assert!(addrs(&p).contains(&format!("{address}/128")));
}

/// `--mode stateless` needs no RA: the Information-request goes out at once and dnsmasq's
/// answer lands in the resolv file; no address, no route is added.
#[test]
#[ignore = "needs root + peers"]
fn forced_stateless_mode_without_any_ra() {
    let mut p = pair("cik");
    router_address(&p, "2001:db8:b::1/64");
    let body = format!(
        "dhcp-range=::,constructor:{},static\ndhcp-option=option6:dns-server,[2001:db8:b::53]",
        p.router_if
    );
    start_dnsmasq(&mut p, &body);
    let resolv = p.path("resolv.conf");
    let (code, evs, _) = once(&p, &["--mode", "stateless", "--resolv", &resolv]);
    assert_eq!(code, Some(0));
    assert!(find(&evs, "ra_received").is_none());
    let text = std::fs::read_to_string(&resolv).unwrap();
    assert!(text.contains("nameserver 2001:db8:b::53\n"), "{text}");
    assert!(!addrs(&p).contains("2001:db8:b:"), "{}", addrs(&p));
    assert!(!default_route(&p).contains("default"));
}

/// Kea's only address is already used by another node: the kernel's DAD fails, the client takes
/// the address away and Declines it (RFC 9915 §18.2.8), and Kea records it declined (state 1 in
/// its lease file).
#[test]
#[ignore = "needs root + peers"]
fn a_duplicate_dhcpv6_address_is_declined_to_kea() {
    let mut p = pair("cil");
    start_kea_with_pool(&mut p, "2001:db8:d::77-2001:db8:d::77");
    // The router holds Kea's only address.
    router_address(&p, "2001:db8:d::77/128");
    let state = p.path("state.json");
    let host_if = p.host_if.clone();
    p.spawn(
        Side::Host,
        &[
            BIN,
            "client",
            "--interface",
            &host_if,
            "--mode",
            "stateful",
            "--json",
            "--state",
            &state,
        ],
        "client.log",
    );
    wait_for("the Decline answered", Duration::from_secs(40), || {
        let evs = events(&p.log("client.log"));
        evs.iter()
            .skip_while(|e| !(e["event"] == "dhcpv6_sent" && e["message"] == "Decline"))
            .any(|e| e["event"] == "dhcpv6_received" && e["message"] == "Reply")
    });
    let evs = events(&p.log("client.log"));
    let verdict = evs
        .iter()
        .find(|e| e["event"] == "dad_result")
        .expect("a DAD verdict");
    assert_eq!(
        (&verdict["address"], &verdict["result"], &verdict["engine"]),
        (
            &Value::from("2001:db8:d::77"),
            &Value::from("conflict"),
            &Value::from("dhcpv6")
        )
    );
    // Linux deletes a dynamic address whose DAD failed; seen within its DAD time, not later.
    assert_eq!(verdict["kernel"], "absent");
    assert!(verdict["millis"].as_u64().unwrap() < 5000, "{verdict}");
    assert!(evs.iter().any(|e| e["event"] == "dhcpv6_address_removed"
        && e["address"] == "2001:db8:d::77"
        && e["reason"] == "declined"));
    let a = addrs(&p);
    assert!(
        !a.contains("2001:db8:d::77"),
        "declined address left behind:\n{a}"
    );
    let text = std::fs::read_to_string(p.path("kea-leases6.csv")).unwrap_or_default();
    let declined = text.lines().any(|l| {
        let f: Vec<&str> = l.split(',').collect();
        f.first() == Some(&"2001:db8:d::77") && f.get(13) == Some(&"1")
    });
    assert!(declined, "Kea did not record the Decline:\n{text}");
}

/// A saved binding from another link (the host moved): the restart Confirms it, Kea answers
/// NotOnLink (RFC 9915 §18.3.3), the client drops the address and solicits a new one.
#[test]
#[ignore = "needs root + peers"]
fn kea_says_not_on_link_to_a_binding_from_another_link() {
    let mut p = pair("cim");
    start_kea(&mut p);
    start_radvd(
        &mut p,
        " AdvDefaultLifetime 600;\n AdvManagedFlag on;\n prefix 2001:db8:d::/64 { AdvOnLink on; AdvAutonomous off; };",
    );
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    let state = serde_json::json!({
        "duid": "000300010a0000000099",
        "secret": "11".repeat(32),
        "binding": {
            "mode": "stateful",
            "server_id": "000100012e000000fa163e000001",
            "addresses": [{
                "address": "2001:db8:9999::5", "prefix_len": 128,
                "preferred_until": now + 3000.0, "valid_until": now + 6000.0
            }],
            "prefixes": [],
            "renew_at": now + 1000.0,
            "rebind_at": now + 2000.0
        }
    });
    std::fs::write(p.path("state.json"), state.to_string()).unwrap();
    let (code, evs, _) = once(&p, &[]);
    assert_eq!(code, Some(0));
    assert_eq!(find(&evs, "binding_restored").unwrap()["how"], "Confirming");
    let removed = find(&evs, "dhcpv6_address_removed").expect("the old address removed");
    assert_eq!(removed["address"], "2001:db8:9999::5");
    assert_eq!(removed["reason"], "notonlink");
    let sent: Vec<&str> = evs
        .iter()
        .filter(|e| e["event"] == "dhcpv6_sent")
        .filter_map(|e| e["message"].as_str())
        .collect();
    assert_eq!(sent, ["Confirm", "Solicit", "Request"]);
    let new = find(&evs, "configured").unwrap()["addresses"][0]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(new.starts_with("2001:db8:d::"), "{new}");
    let a = addrs(&p);
    assert!(!a.contains("2001:db8:9999::5"), "{a}");
    assert!(a.contains(&format!("{new}/128")), "{a}");
    // The saved DUID is the one used.
    let kea = std::fs::read_to_string(p.path("kea-leases6.csv")).unwrap();
    assert!(kea.contains("00:03:00:01:0a:00:00:00:00:99"), "{kea}");
}
