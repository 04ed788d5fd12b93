//! Interop: `sixconf serve` in a network namespace, real clients in another, joined by veth.
//! Needs root and the peers `.ci/run` installs: iproute2, ndisc6 (rdisc6), isc-dhcp-client
//! (dhclient), dhcpcd-base (dhcpcd).
//!
//! Every case builds its own pair of namespaces (std-adapter/tests/common/netns.rs), removed on
//! drop even when the case fails; clients keep their lease and pid files in the pair's private
//! directory. Nothing is sent outside the namespaces.

mod common;

use std::net::Ipv6Addr;
use std::time::Duration;

use common::netns::{wait_for, Pair, Side};

const PREFIX: &str = "2001:db8:cafe:1::/64";
const DNS: &str = "2001:db8:cafe:a::e";
const SEARCH: &str = "openstacklocal";
const POOL_FIRST: u128 = 0x2001_0db8_cafe_0001_0000_0000_0000_1000;
const POOL_LAST: u128 = 0x2001_0db8_cafe_0001_0000_0000_0000_ffff;

/// The configuration of issue 7, on the pair's router interface, with `mode`, the lease
/// database in the pair's directory and `extra` keys added to the `[[link]]`.
fn config(pair: &Pair, mode: &str, extra: &str) -> String {
    format!(
        r#"[server]
lease_db = "{db}"
durability = "fsync"

[[link]]
interface = "{iface}"
mode = "{mode}"
prefix = "{PREFIX}"
dns_servers = ["{DNS}"]
domain_search = ["{SEARCH}"]
preferred_lifetime = 3600
valid_lifetime = 7200
{extra}

[link.ra]
min_interval = 200
max_interval = 600
router_lifetime = 1800
"#,
        db = pair.path("leases.sqlite"),
        iface = pair.router_if,
    )
}

const STATEFUL: &str = r#"pool = "2001:db8:cafe:1::1000-2001:db8:cafe:1::ffff"
pd_pool = { prefix = "2001:db8:8000::/40", delegated_length = 56 }
rapid_commit = true"#;

fn lab(tag: &str) -> Pair {
    Pair::builder(tag)
        .host_sysctl("net.ipv6.conf.{if}.accept_ra=2")
        .build()
}

/// Write the configuration and start the daemon in the router namespace; wait until it serves.
fn serve(pair: &mut Pair, config: &str, log: &str) -> u32 {
    let path = pair.path("serve.toml");
    std::fs::write(&path, config).unwrap();
    let pid = pair.spawn(
        Side::Router,
        &[env!("CARGO_BIN_EXE_sixconf"), "serve", "--config", &path],
        log,
    );
    wait_for("sixconf serve to start", Duration::from_secs(15), || {
        let l = pair.log(log);
        assert!(!l.contains("sixconf serve:"), "the daemon failed:\n{l}");
        l.contains("serving")
    });
    pid
}

/// Ask the daemon for its counters (SIGUSR1) and return them as `(name, value)`.
fn counters(pair: &Pair, pid: u32, log: &str) -> Vec<(String, u64)> {
    let before = pair.log(log).matches("sixconf counters").count();
    pair.signal(pid, "USR1");
    wait_for("counters", Duration::from_secs(5), || {
        let l = pair.log(log);
        l.matches("sixconf counters").count() > before && l.contains("adapter.reload_failures")
    });
    let l = pair.log(log);
    let block = l.rsplit("sixconf counters").next().unwrap_or_default();
    block
        .lines()
        .filter_map(|line| {
            let (k, v) = line.split_once(' ')?;
            Some((k.to_owned(), v.trim().parse().ok()?))
        })
        .collect()
}

fn counter(all: &[(String, u64)], name: &str) -> u64 {
    all.iter()
        .find(|(k, _)| k == name)
        .unwrap_or_else(|| panic!("no counter {name} in {all:?}"))
        .1
}

fn rdisc6(pair: &Pair) -> String {
    pair.exec(Side::Host, &["rdisc6", "-1", "-w", "3000", &pair.host_if])
}

/// `rdisc6`'s `Label : value` line, value trimmed.
fn field<'a>(out: &'a str, label: &str) -> &'a str {
    out.lines()
        .find(|l| l.trim_start().starts_with(label))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim())
        .unwrap_or_else(|| panic!("no {label:?} in rdisc6 output:\n{out}"))
}

/// Global addresses on the host interface.
fn host_globals(pair: &Pair) -> Vec<Ipv6Addr> {
    pair.ip(
        Side::Host,
        &[
            "-6",
            "addr",
            "show",
            "dev",
            &pair.host_if,
            "scope",
            "global",
        ],
    )
    .lines()
    .filter_map(|l| l.trim().strip_prefix("inet6 "))
    .filter_map(|l| l.split('/').next()?.parse().ok())
    .collect()
}

fn in_prefix(a: Ipv6Addr) -> bool {
    u128::from(a) >> 64 == 0x2001_0db8_cafe_0001
}

/// Start dhclient -6 in the foreground in the host namespace with private lease and pid files.
fn dhclient(pair: &mut Pair, flags: &[&str], name: &str) -> u32 {
    let lf = pair.path(&format!("{name}.leases"));
    let pf = pair.path(&format!("{name}.pid"));
    let mut args = vec!["dhclient", "-6", "-d", "-v"];
    args.extend_from_slice(flags);
    let iface = pair.host_if.clone();
    args.extend_from_slice(&["-lf", &lf, "-pf", &pf, &iface]);
    pair.spawn(Side::Host, &args, &format!("{name}.log"))
}

#[test]
#[ignore = "needs root + peers: run by .ci/run"]
fn slaac_kernel_forms_an_address_and_rdisc6_sees_m0_o0_rdnss_dnssl() {
    let mut pair = lab("ss");
    let cfg = config(&pair, "slaac", "");
    let pid = serve(&mut pair, &cfg, "serve.log");

    wait_for(
        "a SLAAC address in the prefix",
        Duration::from_secs(15),
        || host_globals(&pair).into_iter().any(in_prefix),
    );
    let ra = rdisc6(&pair);
    assert_eq!(field(&ra, "Stateful address conf."), "No", "{ra}");
    assert_eq!(field(&ra, "Stateful other conf."), "No", "{ra}");
    assert_eq!(field(&ra, "Autonomous address conf."), "Yes", "{ra}");
    assert_eq!(field(&ra, "On-link"), "Yes", "{ra}");
    assert_eq!(field(&ra, "Prefix"), PREFIX, "{ra}");
    assert_eq!(field(&ra, "Recursive DNS server"), DNS, "{ra}");
    assert_eq!(field(&ra, "DNS search list"), SEARCH, "{ra}");
    assert!(
        ra.contains("Router lifetime           :         1800"),
        "{ra}"
    );
    // The RS was answered; nothing was dropped.
    let c = counters(&pair, pid, "serve.log");
    assert!(counter(&c, &format!("ra.{}.rs_received", pair.router_if)) >= 1);
    assert_eq!(counter(&c, &format!("ra.{}.rs_invalid", pair.router_if)), 0);
    assert_eq!(counter(&c, "adapter.ra_send_errors"), 0);
}

#[test]
#[ignore = "needs root + peers: run by .ci/run"]
fn dhcpv6_stateless_dhclient_gets_dns_and_search_list() {
    let mut pair = lab("sl");
    // Solicitations answered by unicast (rdisc6 checks hop limit 255 on them too).
    let cfg = config(&pair, "dhcpv6-stateless", "").replace(
        "router_lifetime = 1800",
        "router_lifetime = 1800\nunicast_rs_replies = true",
    );
    let pid = serve(&mut pair, &cfg, "serve.log");

    let ra = rdisc6(&pair);
    assert_eq!(field(&ra, "Stateful address conf."), "No", "{ra}");
    assert_eq!(field(&ra, "Stateful other conf."), "Yes", "{ra}");
    assert_eq!(field(&ra, "Autonomous address conf."), "Yes", "{ra}");

    dhclient(&mut pair, &["-S"], "dhc");
    let resolv = format!("/etc/netns/{}/resolv.conf", pair.host);
    wait_for(
        "dhclient's script to write resolv.conf",
        Duration::from_secs(20),
        || {
            let r = std::fs::read_to_string(&resolv).unwrap_or_default();
            r.contains(&format!("nameserver {DNS}")) && r.contains(SEARCH)
        },
    );
    // dhclient -S keeps no lease file; its log shows the Reply's options.
    let log = pair.log("dhc.log");
    assert!(log.contains("RCV: Reply message"), "{log}");
    let c = counters(&pair, pid, "serve.log");
    assert!(counter(&c, "dhcpv6.replies") >= 1);
    // Stateless: no lease is kept.
    assert_eq!(counter(&c, "adapter.events_committed"), 0);
    assert!(counter(&c, &format!("ra.{}.ra_unicast", pair.router_if)) >= 1);
}

/// Parse `2001:db8:cafe:1::1234` out of dhclient's `iaaddr 2001:db8:cafe:1::1234 {`.
fn lease_item(leases: &str, keyword: &str) -> Option<String> {
    leases
        .lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix(keyword))
        .map(|rest| rest.trim().trim_end_matches('{').trim().to_owned())
}

#[test]
#[ignore = "needs root + peers: run by .ci/run"]
fn dhcpv6_stateful_dhclient_gets_an_address_and_a_routed_prefix() {
    let mut pair = lab("sf");
    let cfg = config(&pair, "dhcpv6-stateful", STATEFUL);
    let pid = serve(&mut pair, &cfg, "serve.log");

    let ra = rdisc6(&pair);
    assert_eq!(field(&ra, "Stateful address conf."), "Yes", "{ra}");
    assert_eq!(field(&ra, "Autonomous address conf."), "No", "{ra}");

    // IA_NA.
    dhclient(&mut pair, &[], "na");
    wait_for(
        "dhclient to bind an address",
        Duration::from_secs(20),
        || {
            lease_item(
                &std::fs::read_to_string(pair.path("na.leases")).unwrap_or_default(),
                "iaaddr ",
            )
            .is_some()
        },
    );
    let leases = std::fs::read_to_string(pair.path("na.leases")).unwrap();
    let addr: Ipv6Addr = lease_item(&leases, "iaaddr ").unwrap().parse().unwrap();
    assert!(
        (POOL_FIRST..=POOL_LAST).contains(&u128::from(addr)),
        "{addr} is outside the pool"
    );
    wait_for(
        "dhclient's script to add the address",
        Duration::from_secs(10),
        || host_globals(&pair).contains(&addr),
    );

    // IA_PD, with the route in the router's namespace via the client's link-local address.
    dhclient(&mut pair, &["-P"], "pd");
    wait_for("dhclient to bind a prefix", Duration::from_secs(20), || {
        lease_item(
            &std::fs::read_to_string(pair.path("pd.leases")).unwrap_or_default(),
            "iaprefix ",
        )
        .is_some()
    });
    let leases = std::fs::read_to_string(pair.path("pd.leases")).unwrap();
    let prefix = lease_item(&leases, "iaprefix ").unwrap();
    assert!(
        prefix.starts_with("2001:db8:8") && prefix.ends_with("/56"),
        "{prefix}"
    );
    let host_ll = pair
        .ip(
            Side::Host,
            &["-6", "addr", "show", "dev", &pair.host_if, "scope", "link"],
        )
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("inet6 ")?
                .split('/')
                .next()
                .map(str::to_owned)
        })
        .unwrap();
    let routes = pair.ip(Side::Router, &["-6", "route", "show", "proto", "dhcp"]);
    assert!(
        routes.contains(&format!("{prefix} via {host_ll} dev {}", pair.router_if)),
        "no route to {prefix} via {host_ll}:\n{routes}"
    );

    // Both leases are in the store.
    let listed = common::netns::sh(&[
        env!("CARGO_BIN_EXE_sixconf"),
        "leases",
        "--db",
        &pair.path("leases.sqlite"),
    ]);
    assert!(listed.contains(&addr.to_string()), "{listed}");
    assert!(listed.contains(&prefix), "{listed}");

    // Release: dhclient -r gives the prefix back and the route goes.
    let pd_pf = pair.path("pd.pid");
    let pd_lf = pair.path("pd.leases");
    let host_if = pair.host_if.clone();
    pair.exec(
        Side::Host,
        &[
            "dhclient", "-6", "-P", "-r", "-lf", &pd_lf, "-pf", &pd_pf, &host_if,
        ],
    );
    wait_for(
        "the route to be removed on Release",
        Duration::from_secs(15),
        || {
            !pair
                .ip(Side::Router, &["-6", "route", "show", "proto", "dhcp"])
                .contains(&prefix)
        },
    );
    // Neighbor Discovery went on between the two (the router resolved the client's link-local
    // address before its first reply): the socket filter kept NS/NA from the raw socket.
    let neigh = pair.ip(
        Side::Router,
        &["-6", "neigh", "show", "dev", &pair.router_if],
    );
    assert!(neigh.contains(&host_ll), "{neigh}");
    let c = counters(&pair, pid, "serve.log");
    assert_eq!(counter(&c, "adapter.nd_not_rs_ra"), 0);
    assert_eq!(counter(&c, "adapter.routes_installed"), 1);
    assert_eq!(counter(&c, "adapter.routes_removed"), 1);
    assert_eq!(counter(&c, "adapter.replies_withheld"), 0);
    assert_eq!(counter(&c, "adapter.route_errors"), 0);

    // SIGTERM removes what is left and exits 0.
    pair.signal(pid, "TERM");
    assert_eq!(pair.wait_exit(pid, Duration::from_secs(20)), Some(0));
}

#[test]
#[ignore = "needs root + peers: run by .ci/run"]
fn dhcpv6_stateful_dhcpcd_gets_an_address() {
    let mut pair = lab("dc");
    let cfg = config(&pair, "dhcpv6-stateful", STATEFUL);
    serve(&mut pair, &cfg, "serve.log");
    let conf = pair.path("dhcpcd.conf");
    // Kernel RA processing stays on; dhcpcd only runs DHCPv6 (IA_NA) with Rapid Commit.
    std::fs::write(
        &conf,
        "ipv6only\nnoipv6rs\nia_na 1\noption rapid_commit\nnohook resolv.conf\n",
    )
    .unwrap();
    let iface = pair.host_if.clone();
    // The interface name is unique per pair, so is dhcpcd's lease file.
    let lease6 = format!("/var/lib/dhcpcd/{iface}.lease6");
    let _ = std::fs::remove_file(&lease6);
    let out = pair.try_exec(
        Side::Host,
        &[
            "dhcpcd",
            "-f",
            &conf,
            "-B",
            "-1",
            "-t",
            "20",
            "--nobackground",
            &iface,
        ],
    );
    let _ = std::fs::remove_file(&lease6);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "dhcpcd failed:\n{text}");
    let addr = host_globals(&pair)
        .into_iter()
        .find(|a| (POOL_FIRST..=POOL_LAST).contains(&u128::from(*a)))
        .unwrap_or_else(|| panic!("no pool address on {iface}:\n{text}"));
    assert!(
        text.contains(&format!("adding address {addr}/128")),
        "{text}"
    );
}

#[test]
#[ignore = "needs root + peers: run by .ci/run"]
fn kill_9_and_restart_the_client_renew_keeps_its_address() {
    let mut pair = lab("k9");
    // T1 3 s, T2 5 s: dhclient renews every few seconds.
    let cfg = config(
        &pair,
        "dhcpv6-stateful",
        &format!("{STATEFUL}\nt1 = 3\nt2 = 5"),
    );
    let pid = serve(&mut pair, &cfg, "serve.log");
    dhclient(&mut pair, &[], "na");
    wait_for(
        "dhclient to bind an address",
        Duration::from_secs(20),
        || {
            lease_item(
                &std::fs::read_to_string(pair.path("na.leases")).unwrap_or_default(),
                "iaaddr ",
            )
            .is_some()
        },
    );
    let leases = std::fs::read_to_string(pair.path("na.leases")).unwrap();
    let addr: Ipv6Addr = lease_item(&leases, "iaaddr ").unwrap().parse().unwrap();

    pair.signal(pid, "KILL");
    assert_eq!(pair.wait_exit(pid, Duration::from_secs(5)), None);
    let pid = serve(&mut pair, &cfg, "serve2.log");
    assert!(
        pair.log("serve2.log").contains("restored=1"),
        "{}",
        pair.log("serve2.log")
    );
    // A Renew answered by the restarted daemon.
    let replies_before = pair.log("na.log").matches("RCV: Reply").count();
    wait_for(
        "a Renew answered after the restart",
        Duration::from_secs(30),
        || {
            let c = counters(&pair, pid, "serve2.log");
            counter(&c, "dhcpv6.replies") >= 1
                && pair.log("na.log").matches("RCV: Reply").count() > replies_before
        },
    );
    let log = pair.log("na.log");
    let after = log.rsplit("XMT: Renew").next().unwrap_or_default();
    assert!(after.contains(&format!("IAADDR {addr}")), "{log}");
    assert!(!after.contains("NoBinding"), "{log}");
    assert!(host_globals(&pair).contains(&addr));
    let c = counters(&pair, pid, "serve2.log");
    // Served from the restored lease, not re-created from the Renew (RFC 9915 §18.3.4).
    assert_eq!(counter(&c, "dhcpv6.recreated"), 0);
    assert_eq!(counter(&c, "dhcpv6.restored"), 1);
}

#[test]
#[ignore = "needs root + peers: run by .ci/run"]
fn sigterm_final_ras_make_the_client_kernel_drop_the_default_router() {
    let mut pair = lab("st");
    let cfg = config(&pair, "slaac", "");
    let pid = serve(&mut pair, &cfg, "serve.log");
    let default_routes = |pair: &Pair| {
        pair.ip(Side::Host, &["-6", "route", "show", "default"])
            .lines()
            .filter(|l| l.contains("proto ra"))
            .count()
    };
    wait_for(
        "the kernel's default route from our RA",
        Duration::from_secs(15),
        || default_routes(&pair) == 1,
    );
    pair.signal(pid, "TERM");
    wait_for(
        "the default route to go after the final RA",
        Duration::from_secs(5),
        || default_routes(&pair) == 0,
    );
    // Three final RAs 3 s apart (RFC 4861 §6.2.5, §10), then exit 0.
    assert_eq!(pair.wait_exit(pid, Duration::from_secs(20)), Some(0));
    let log = pair.log("serve.log");
    assert!(log.contains("final RAs sent"), "{log}");
    assert!(
        log.contains(&format!("ra.{}.ra_multicast", pair.router_if)),
        "{log}"
    );
}

#[test]
#[ignore = "needs root + peers: run by .ci/run"]
fn sighup_reload_keeps_leases_and_advertises_the_new_dns_server() {
    let mut pair = lab("hu");
    let cfg = config(&pair, "dhcpv6-stateful", STATEFUL);
    let pid = serve(&mut pair, &cfg, "serve.log");
    dhclient(&mut pair, &[], "na");
    wait_for(
        "dhclient to bind an address",
        Duration::from_secs(20),
        || {
            lease_item(
                &std::fs::read_to_string(pair.path("na.leases")).unwrap_or_default(),
                "iaaddr ",
            )
            .is_some()
        },
    );
    let new_dns = "2001:db8:cafe:a::53";
    std::fs::write(pair.path("serve.toml"), cfg.replace(DNS, new_dns)).unwrap();
    pair.signal(pid, "HUP");
    wait_for("the reload", Duration::from_secs(5), || {
        pair.log("serve.log").contains("configuration reloaded")
    });
    let ra = rdisc6(&pair);
    assert_eq!(field(&ra, "Recursive DNS server"), new_dns, "{ra}");
    let c = counters(&pair, pid, "serve.log");
    assert_eq!(counter(&c, "adapter.reloads"), 1);
    assert_eq!(counter(&c, "dhcpv6.expired"), 0);
    let listed = common::netns::sh(&[
        env!("CARGO_BIN_EXE_sixconf"),
        "leases",
        "--db",
        &pair.path("leases.sqlite"),
    ]);
    assert!(listed.contains("1 lease(s)"), "{listed}");

    // An invalid file is refused and the running configuration kept.
    std::fs::write(pair.path("serve.toml"), "[[link]]\nmode = \"nonsense\"\n").unwrap();
    pair.signal(pid, "HUP");
    wait_for("the refused reload", Duration::from_secs(5), || {
        pair.log("serve.log").contains("reload refused")
    });
    let ra = rdisc6(&pair);
    assert_eq!(field(&ra, "Recursive DNS server"), new_dns, "{ra}");
}

#[test]
#[ignore = "needs root + peers: run by .ci/run"]
fn delegated_prefix_route_survives_kill_9_and_comes_back_after_a_clean_restart() {
    let mut pair = lab("rt");
    let cfg = config(&pair, "dhcpv6-stateful", STATEFUL);
    let pid = serve(&mut pair, &cfg, "serve.log");
    dhclient(&mut pair, &["-P"], "pd");
    wait_for("dhclient to bind a prefix", Duration::from_secs(20), || {
        lease_item(
            &std::fs::read_to_string(pair.path("pd.leases")).unwrap_or_default(),
            "iaprefix ",
        )
        .is_some()
    });
    let leases = std::fs::read_to_string(pair.path("pd.leases")).unwrap();
    let prefix = lease_item(&leases, "iaprefix ").unwrap();
    let route = |pair: &Pair| {
        pair.ip(Side::Router, &["-6", "route", "show", "proto", "dhcp"])
            .lines()
            .find(|l| l.starts_with(&prefix))
            .map(str::to_owned)
    };
    let installed = route(&pair).expect("route installed");

    // kill -9: the kernel keeps the route; the restarted daemon adopts it.
    pair.signal(pid, "KILL");
    assert_eq!(pair.wait_exit(pid, Duration::from_secs(5)), None);
    assert_eq!(route(&pair).as_deref(), Some(installed.as_str()));
    let pid = serve(&mut pair, &cfg, "serve2.log");
    assert_eq!(route(&pair).as_deref(), Some(installed.as_str()));

    // SIGTERM removes it; the next start puts it back from the recorded next hop, before any
    // client message.
    pair.signal(pid, "TERM");
    assert_eq!(pair.wait_exit(pid, Duration::from_secs(20)), Some(0));
    assert_eq!(route(&pair), None, "route left after SIGTERM");
    let pid = serve(&mut pair, &cfg, "serve3.log");
    assert_eq!(route(&pair).as_deref(), Some(installed.as_str()));
    let c = counters(&pair, pid, "serve3.log");
    assert_eq!(
        counter(&c, "dhcpv6.received"),
        0,
        "restored before any client message"
    );
    assert_eq!(counter(&c, "adapter.routes_installed"), 1);
}

/// The README's command with each of the three example files, as written but for the lease
/// database (here in a directory that does not exist yet, as `/var/lib/sixconf` on a fresh
/// machine): on an interface named `eth1`, the RA flags are the seed's and a client is served.
#[test]
#[ignore = "needs root + peers: run by .ci/run"]
fn the_example_configs_serve_as_written() {
    let examples = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples");
    for (file, managed, other) in [
        ("slaac.toml", "No", "No"),
        ("dhcpv6-stateless.toml", "No", "Yes"),
        ("dhcpv6-stateful.toml", "Yes", "No"),
    ] {
        let mut pair = Pair::builder("ex")
            .interfaces("eth1", "eth0")
            .host_sysctl("net.ipv6.conf.{if}.accept_ra=2")
            .build();
        let text = std::fs::read_to_string(format!("{examples}/{file}")).unwrap();
        let db = pair.path("var/lib/sixconf/leases.sqlite");
        let text = text.replace("/var/lib/sixconf/leases.sqlite", &db);
        assert!(text.contains(&db), "{file} names no lease_db");
        serve(&mut pair, &text, "serve.log");
        let ra = rdisc6(&pair);
        assert_eq!(
            field(&ra, "Stateful address conf."),
            managed,
            "{file}: {ra}"
        );
        assert_eq!(field(&ra, "Stateful other conf."), other, "{file}: {ra}");
        match file {
            "slaac.toml" => wait_for("a SLAAC address", Duration::from_secs(15), || {
                !host_globals(&pair).is_empty()
            }),
            "dhcpv6-stateless.toml" => {
                dhclient(&mut pair, &["-S"], "dhc");
                let resolv = format!("/etc/netns/{}/resolv.conf", pair.host);
                wait_for("DNS by DHCPv6", Duration::from_secs(20), || {
                    std::fs::read_to_string(&resolv)
                        .unwrap_or_default()
                        .contains(&format!("nameserver {DNS}"))
                });
            }
            _ => {
                dhclient(&mut pair, &[], "na");
                wait_for("an address by DHCPv6", Duration::from_secs(20), || {
                    host_globals(&pair).iter().any(|a| in_prefix(*a))
                });
            }
        }
        assert!(
            std::path::Path::new(&db).exists(),
            "{file}: no lease database"
        );
    }
}

/// A relay agent on the link (scapy in the host namespace, from its link-local address, port
/// 547): its Relay-forw of a Rapid Commit Solicit for IA_PD gets a Relay-repl with the prefix,
/// and the route to the prefix goes via the relay's address (RFC 9915 §19.1.2: the relay forwards
/// the Reply; the delegating router routes the prefix towards it).
#[test]
#[ignore = "needs root + peers: run by .ci/run"]
fn relayed_prefix_delegation_routes_via_the_relay() {
    let mut pair = lab("rl");
    let cfg = config(&pair, "dhcpv6-stateful", STATEFUL);
    serve(&mut pair, &cfg, "serve.log");
    let script = format!(
        r#"
import socket
from scapy.layers.dhcp6 import *
iface = '{iface}'
idx = socket.if_nametoindex(iface)
m = DHCP6_RelayForward(hopcount=0, linkaddr='2001:db8:cafe:1::1', peeraddr='fe80::abcd')/DHCP6OptRelayMsg(
    message=DHCP6_Solicit(trid=0x1234)/DHCP6OptClientId(duid=DUID_LL(lladdr='02:00:00:00:ab:cd'))
    /DHCP6OptRapidCommit()/DHCP6OptIA_PD(iaid=7))
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, iface.encode())
s.bind(('::', 547))
s.settimeout(5)
s.sendto(bytes(m), ('ff02::1:2', 547, 0, idx))
data, src = s.recvfrom(65535)
r = DHCP6_RelayReply(data)
inner = r[DHCP6OptRelayMsg].message
p = inner[DHCP6OptIAPrefix]
print(type(inner).__name__, src[0].split('%')[0], '%s/%d' % (p.prefix, p.plen))
"#,
        iface = pair.host_if
    );
    let out = pair.exec(Side::Host, &["/usr/bin/python3", "-c", &script]);
    let fields: Vec<&str> = out.split_whitespace().collect();
    assert_eq!(fields.len(), 3, "{out}");
    assert_eq!(
        fields[0], "DHCP6_Reply",
        "Rapid Commit answered with a Reply: {out}"
    );
    let prefix = fields[2];
    assert!(
        prefix.starts_with("2001:db8:8") && prefix.ends_with("/56"),
        "{out}"
    );
    let relay_ll = pair
        .ip(
            Side::Host,
            &["-6", "addr", "show", "dev", &pair.host_if, "scope", "link"],
        )
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("inet6 ")?
                .split('/')
                .next()
                .map(str::to_owned)
        })
        .unwrap();
    let routes = pair.ip(Side::Router, &["-6", "route", "show", "proto", "dhcp"]);
    assert!(
        routes.contains(&format!("{prefix} via {relay_ll} dev {}", pair.router_if)),
        "no route to {prefix} via the relay {relay_ll}:\n{routes}"
    );
}

/// A delegated prefix that is neither renewed nor released expires on the server, and its
/// route goes with it.
#[test]
#[ignore = "needs root + peers: run by .ci/run"]
fn expired_delegated_prefix_loses_its_route() {
    let mut pair = lab("xp");
    let cfg = config(
        &pair,
        "dhcpv6-stateful",
        &format!(
            "{STATEFUL}\npd_preferred_lifetime = 3\npd_valid_lifetime = 4\npd_t1 = 0\npd_t2 = 0"
        ),
    );
    let pid = serve(&mut pair, &cfg, "serve.log");
    let dh = dhclient(&mut pair, &["-P"], "pd");
    wait_for(
        "a route to a delegated prefix",
        Duration::from_secs(20),
        || {
            pair.ip(Side::Router, &["-6", "route", "show", "proto", "dhcp"])
                .contains("2001:db8:8")
        },
    );
    // The client goes away without a Release.
    pair.signal(dh, "KILL");
    wait_for(
        "the route to go when the lease expires",
        Duration::from_secs(10),
        || {
            !pair
                .ip(Side::Router, &["-6", "route", "show", "proto", "dhcp"])
                .contains("2001:db8:8")
        },
    );
    let c = counters(&pair, pid, "serve.log");
    assert_eq!(counter(&c, "dhcpv6.expired"), 1);
    assert_eq!(counter(&c, "adapter.routes_removed"), 1);
    let listed = common::netns::sh(&[
        env!("CARGO_BIN_EXE_sixconf"),
        "leases",
        "--db",
        &pair.path("leases.sqlite"),
    ]);
    assert!(listed.contains("0 lease(s)"), "{listed}");
}

/// DESIGN.md: "a Reply is sent only after its lease is committed". Another process holds the
/// lease database's write lock while dhclient asks for an address: the daemon's commits fail,
/// the Replies are withheld (dhclient sees none and retransmits), and once the lock is gone a
/// retransmitted Request is committed and answered.
#[test]
#[ignore = "needs root + peers: run by .ci/run"]
fn no_reply_leaves_before_its_lease_is_committed() {
    let mut pair = lab("gc");
    let cfg = config(&pair, "dhcpv6-stateful", STATEFUL);
    let pid = serve(&mut pair, &cfg, "serve.log");
    let db = pair.path("leases.sqlite");
    let lock = format!(
        "import sqlite3, sys, time\n\
         c = sqlite3.connect('{db}', isolation_level=None)\n\
         c.execute('BEGIN IMMEDIATE')\n\
         print('locked', flush=True)\n\
         time.sleep(12)\n\
         c.execute('COMMIT')\n\
         print('unlocked', flush=True)\n"
    );
    pair.spawn(Side::Router, &["/usr/bin/python3", "-c", &lock], "lock.log");
    wait_for("the lock", Duration::from_secs(5), || {
        pair.log("lock.log").contains("locked")
    });
    dhclient(&mut pair, &[], "na");
    // Each commit waits out SQLite's busy timeout (5 s) on the store thread, then fails.
    wait_for("a failed commit", Duration::from_secs(20), || {
        pair.log("serve.log").contains("lease store commit failed")
    });
    let log = pair.log("na.log");
    assert!(
        !log.contains("RCV: Reply"),
        "a Reply left before its commit:\n{log}"
    );
    wait_for("the lock to go", Duration::from_secs(20), || {
        pair.log("lock.log").contains("unlocked")
    });
    wait_for(
        "dhclient to bind after the lock",
        Duration::from_secs(40),
        || {
            lease_item(
                &std::fs::read_to_string(pair.path("na.leases")).unwrap_or_default(),
                "iaaddr ",
            )
            .is_some()
        },
    );
    let c = counters(&pair, pid, "serve.log");
    assert!(counter(&c, "adapter.commit_failures") >= 1);
    assert!(counter(&c, "adapter.replies_withheld") >= 1);
    let listed = common::netns::sh(&[env!("CARGO_BIN_EXE_sixconf"), "leases", "--db", &db]);
    assert!(listed.contains("1 lease(s)"), "{listed}");
}
