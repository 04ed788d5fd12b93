//! The configuration file: the issue's example as written, the three example modes, every
//! documented key, and errors located at the key or value at fault (`sixconf check`).

use std::net::Ipv6Addr;
use std::path::{Path, PathBuf};
use std::process::Command;

use sixconf::config::{self, Config, Diagnostic, Durability};
use sixconf_core::dhcpv6::server::{AddressPool, Prefix as SPrefix, PrefixPool, ReservationKey};
use sixconf_core::profile::{Mode, Preference, Prefix};
use sixconf_core::time::Duration;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/config")
        .join(name)
}

fn a(s: &str) -> Ipv6Addr {
    s.parse().unwrap()
}

fn parse_file(path: &Path) -> Config {
    config::load(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn errors(text: &str) -> Vec<Diagnostic> {
    match config::parse(text) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(d) => d.0,
    }
}

/// The single error `text` has, as (line, column, message).
#[track_caller]
fn one_error(text: &str) -> (usize, usize, String) {
    let e = errors(text);
    assert_eq!(e.len(), 1, "{e:#?}");
    (e[0].line, e[0].column, e[0].message.clone())
}

fn check(path: &Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sixconf"))
        .args(["check", "--config"])
        .arg(path)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn the_issue_example_works_as_written() {
    // The fixture is the issue's text byte for byte; examples/ has the same file.
    let fixture_text = std::fs::read_to_string(fixture("issue7.toml")).unwrap();
    let example_text = std::fs::read_to_string(root().join("examples/issue7.toml")).unwrap();
    assert_eq!(fixture_text, example_text);

    let c = parse_file(&fixture("issue7.toml"));
    assert_eq!(c.server.lease_db, "/var/lib/sixconf/leases.sqlite");
    assert_eq!(c.server.durability, Durability::Fsync);
    assert_eq!(c.server.duid, None);
    assert_eq!(c.links.len(), 1);
    let l = &c.links[0];
    assert_eq!(
        (l.name.as_str(), l.interface.as_deref()),
        ("eth1", Some("eth1"))
    );
    assert!(l.serves_dhcpv6() && l.source_link_layer);

    let p = &l.profile;
    assert_eq!(p.mode, Mode::Dhcpv6Stateful);
    assert_eq!(p.prefixes.len(), 1);
    let pi = p.prefixes[0];
    assert_eq!(pi.prefix, Prefix::new(a("2001:db8:cafe:1::"), 64));
    assert!(pi.on_link && !pi.autonomous && !pi.pd_preferred);
    assert_eq!((pi.preferred_lifetime, pi.valid_lifetime), (3600, 7200));
    assert_eq!(&p.dns.servers[..], &[a("2001:db8:cafe:a::e")]);
    assert_eq!(p.dns.search_list.as_wire(), b"\x0eopenstacklocal\x00");
    assert_eq!(
        (
            p.router.min_interval_ms,
            p.router.max_interval_ms,
            p.router.lifetime_s
        ),
        (200_000, 600_000, 1800)
    );
    assert_eq!(p.dns.rdnss_lifetime, 1800);
    assert_eq!(p.validate(), Ok(()));

    let s = &l.server;
    assert_eq!(s.ifindex, None);
    assert_eq!(&s.prefixes[..], &[SPrefix::new(a("2001:db8:cafe:1::"), 64)]);
    assert_eq!(
        &s.address_pools[..],
        &[AddressPool::new(
            a("2001:db8:cafe:1::1000"),
            a("2001:db8:cafe:1::ffff")
        )]
    );
    assert_eq!(
        &s.prefix_pools[..],
        &[PrefixPool::new(SPrefix::new(a("2001:db8:8000::"), 40), 56)]
    );
    assert!(s.rapid_commit);
    for lt in [s.address_lifetimes, s.prefix_lifetimes] {
        assert_eq!(
            (lt.preferred, lt.valid, lt.t1(), lt.t2()),
            (3600, 7200, 1800, 2880)
        );
    }
    assert_eq!(&s.dns_servers[..], &[a("2001:db8:cafe:a::e")]);
    assert_eq!(&s.domain_list[..], b"\x0eopenstacklocal\x00");
    assert_eq!(s.validate(), Ok(()));
}

#[test]
fn the_wan_lan_example_passes_check() {
    let path = root().join("examples/wan-lan.toml");
    let (code, out, err) = check(&path);
    assert_eq!((code, err.as_str()), (0, ""), "{out}");
    assert!(
        out.contains("lan0: slaac (M=0 O=0), prefix /64 number 1 of the delegation on wan0"),
        "{out}"
    );
    assert!(
        out.contains(
            "lan1: dhcpv6-stateful (M=1 O=0), prefix /64 number 2 of the delegation on wan0"
        ),
        "{out}"
    );
    let c = parse_file(&path);
    assert!(c
        .links
        .iter()
        .all(|l| l.delegated.as_ref().is_some_and(|d| d.wan == "wan0")));
}

#[test]
fn the_three_mode_examples_pass_check() {
    for (file, mode, m, o, autonomous, advertised) in [
        ("slaac.toml", Mode::Slaac, 0, 0, true, true),
        (
            "dhcpv6-stateless.toml",
            Mode::Dhcpv6Stateless,
            0,
            1,
            true,
            true,
        ),
        (
            "dhcpv6-stateful.toml",
            Mode::Dhcpv6Stateful,
            1,
            0,
            false,
            false,
        ),
    ] {
        let path = root().join("examples").join(file);
        let (code, out, err) = check(&path);
        assert_eq!(code, 0, "{file}: {err}");
        assert!(err.is_empty(), "{file}: {err}");
        assert!(out.contains(": ok, 1 link;"), "{out}");
        assert!(
            out.contains(&format!("eth1: {mode} (M={m} O={o})")),
            "{out}"
        );

        let c = parse_file(&path);
        let p = &c.links[0].profile;
        assert_eq!(p.mode, mode);
        // The seed: router lifetime 30 s (3 × MaxRtrAdvInterval of 10 s).
        assert_eq!(p.router.lifetime_s, 30, "{file}");
        let pi = p.prefixes[0];
        assert_eq!(pi.autonomous, autonomous, "{file}");
        // The seed's stateful RA carries no Prefix Information: L=0 A=0.
        assert_eq!(
            pi.on_link || pi.autonomous || pi.pd_preferred,
            advertised,
            "{file}"
        );
    }
    // The stateful example serves the seed's lifetimes.
    let c = parse_file(&root().join("examples/dhcpv6-stateful.toml"));
    let lt = c.links[0].server.address_lifetimes;
    assert_eq!(
        (lt.preferred, lt.valid, lt.t1(), lt.t2()),
        (7200, 7500, 3600, 6300)
    );
    assert_eq!(c.links[0].server.preference, Some(255));
}

#[test]
fn every_key_is_applied() {
    let c = parse_file(&fixture("every_key.toml"));
    let s = &c.server;
    assert_eq!(s.lease_db, "/tmp/sixconf-test.sqlite");
    assert_eq!(s.durability, Durability::Process);
    assert_eq!(
        s.duid.unwrap().as_bytes(),
        &[0, 3, 0, 1, 0x52, 0x54, 0, 0, 0, 1]
    );
    assert_eq!(s.max_leases, 1000);
    let lim = s.limits;
    assert_eq!(
        (
            lim.max_addresses_per_client,
            lim.max_prefixes_per_client,
            lim.rate_burst,
            lim.rate_per_second,
            lim.decline_quarantine,
            lim.max_declined,
            lim.recreate_on_renew
        ),
        (3, 1, 10, 5, Duration::from_secs(600), 100, false)
    );

    assert_eq!(c.link_names(), ["lan", "branch-a", "lan0"]);
    let l = &c.links[0];
    assert_eq!(l.interface.as_deref(), Some("eth1"));
    assert!(!l.source_link_layer);
    let p = &l.profile;
    assert_eq!(p.mode, Mode::Dhcpv6Stateless);
    let main = p.prefixes[0];
    assert!(main.on_link && main.autonomous && main.pd_preferred);
    // [link.ra] prefix_* lifetimes win over the link's for the RA.
    assert_eq!((main.preferred_lifetime, main.valid_lifetime), (1700, 3500));
    let extra = p.prefixes[1];
    assert_eq!(extra.prefix, Prefix::new(a("2001:db8:cafe:3::"), 64));
    assert!(!extra.on_link && !extra.autonomous && !extra.pd_preferred);
    assert_eq!(
        (extra.preferred_lifetime, extra.valid_lifetime),
        (1000, 2000)
    );
    assert_eq!(p.dns.servers.len(), 2);
    assert_eq!(p.dns.search_list.names().count(), 2);
    assert_eq!((p.dns.rdnss_lifetime, p.dns.dnssl_lifetime), (700, 800));
    assert!(p.dns.in_ra);
    assert_eq!(p.mtu, Some(1480));
    let p64 = p.pref64.unwrap();
    assert_eq!(
        (p64.prefix, p64.lifetime),
        (Prefix::new(a("64:ff9b::"), 96), 1800)
    );
    assert_eq!(
        p.captive_portal.as_deref(),
        Some("https://portal.example/api")
    );
    let r = p.routes[0];
    assert_eq!(
        (r.prefix, r.preference, r.lifetime),
        (Prefix::new(a("2001:db8:f00::"), 48), Preference::High, 1200)
    );
    let rt = p.router;
    assert_eq!(
        (
            rt.max_interval_ms,
            rt.min_interval_ms,
            rt.lifetime_s,
            rt.preference,
            rt.reachable_time_ms,
            rt.retrans_timer_ms,
            rt.hop_limit,
            rt.unicast_rs_replies
        ),
        (
            300_000,
            100_000,
            1200,
            Preference::Low,
            30_000,
            1000,
            255,
            true
        )
    );
    let d = &p.dhcpv6;
    assert_eq!(
        (d.preferred_lifetime, d.valid_lifetime, d.t1, d.t2),
        (1800, 3600, 900, 1500)
    );
    assert_eq!(&d.ntp_servers[..], &[a("2001:db8::123")]);
    assert_eq!(&d.sntp_servers[..], &[a("2001:db8::124")]);
    assert_eq!(d.info_refresh_time, Some(600));

    let s = &l.server;
    assert_eq!(s.address_pools.len(), 2);
    assert_eq!(
        &s.prefix_pools[..],
        &[
            PrefixPool::new(SPrefix::new(a("2001:db8:8000::"), 40), 56),
            PrefixPool::new(SPrefix::new(a("2001:db8:9000::"), 40), 60)
        ]
    );
    let pl = s.prefix_lifetimes;
    assert_eq!(
        (pl.preferred, pl.valid, pl.t1(), pl.t2()),
        (4000, 8000, 2000, 3000)
    );
    let al = s.address_lifetimes;
    assert_eq!(
        (al.preferred, al.valid, al.t1(), al.t2()),
        (1800, 3600, 900, 1500)
    );
    assert!(s.rapid_commit);
    assert_eq!(
        (
            s.preference,
            s.sol_max_rt,
            s.inf_max_rt,
            s.information_refresh_time
        ),
        (Some(255), Some(7200), Some(3600), Some(600))
    );
    assert_eq!(&s.interface_id[..], b"ge-0/0/1");
    // The relay's link-address selects this link (RFC 9915 §13.1).
    assert!(s.on_link(a("2001:db8:7::1")));
    assert_eq!(s.reservations.len(), 2);
    let r0 = s.reservations[0];
    assert!(
        matches!(r0.key, ReservationKey::DuidIaid(d, 7) if d.as_bytes() == [0, 3, 0, 1, 0x52, 0x54, 0, 0x12, 0x34, 0x56])
    );
    assert_eq!(r0.address, Some(a("2001:db8:cafe:2::10")));
    assert_eq!(r0.prefix, Some(SPrefix::new(a("2001:db8:8000:100::"), 56)));
    assert_eq!(
        s.reservations[1].key,
        ReservationKey::link_layer(&[0x52, 0x54, 0, 0xab, 0xcd, 0xef]).unwrap()
    );

    let relayed = &c.links[1];
    assert_eq!(&relayed.server.interface_id[..], &[0, 0, 0, 5]);
    assert_eq!(
        (relayed.name.as_str(), relayed.interface.as_deref()),
        ("branch-a", None)
    );
}

/// The keys of each table, from the reader's own "known keys" message.
fn known_keys(text: &str) -> Vec<String> {
    let e = errors(text);
    let msg = &e
        .iter()
        .find(|d| d.message.contains("known keys"))
        .unwrap()
        .message;
    let list = msg
        .split("known keys: ")
        .nth(1)
        .unwrap_or_else(|| panic!("{msg}"));
    list.split(", ").map(str::to_string).collect()
}

#[test]
fn every_key_is_documented_and_in_the_every_key_fixture() {
    let link = "[[link]]\ninterface = \"eth1\"\nmode = \"slaac\"\nprefix = \"2001:db8::/64\"\n";
    let tables = [
        known_keys("[server]\nzzzz = 1\n"),
        known_keys(&format!("{link}zzzz = 1\n")),
        known_keys(&format!("{link}[link.ra]\nzzzz = 1\n")),
        known_keys(&format!(
            "{link}[[link.extra_prefix]]\nprefix = \"2001:db8:1::/64\"\nzzzz = 1\n"
        )),
        known_keys(&format!(
            "{link}[[link.route]]\nprefix = \"::/0\"\nzzzz = 1\n"
        )),
        known_keys(&format!("{link}[[link.reservation]]\nzzzz = 1\n")),
        known_keys(&format!("{link}[link.relay]\nzzzz = 1\n")),
        known_keys(&format!(
            "{link}pref64 = {{ prefix = \"64:ff9b::/96\", zzzz = 1 }}\n"
        )),
        known_keys(&format!(
            "{link}pd_pool = {{ prefix = \"2001:db8:1::/48\", delegated_length = 56, zzzz = 1 }}\n"
        )),
    ];
    let reference = std::fs::read_to_string(root().join("examples/reference.toml")).unwrap();
    let every = std::fs::read_to_string(fixture("every_key.toml")).unwrap();
    let has = |text: &str, key: &str| {
        text.contains(&format!("\n{key} ="))
            || text.contains(&format!("\n# {key} ="))
            || text.contains(&format!("[[link.{key}]]"))
            || text.contains(&format!("[link.{key}]"))
            || text.contains(&format!("{{ {key} ="))
            || text.contains(&format!(", {key} ="))
    };
    for key in tables.iter().flatten() {
        assert!(
            has(&reference, key),
            "key `{key}` is not in examples/reference.toml"
        );
        assert!(has(&every, key), "key `{key}` is not in every_key.toml");
    }
    // The reference is a valid file, and the rustdoc shows it.
    let (code, _, err) = check(&root().join("examples/reference.toml"));
    assert_eq!((code, err.as_str()), (0, ""));
    assert!(include_str!("../src/config/mod.rs")
        .contains("include_str!(\"../../../examples/reference.toml\")"));
    assert!(tables[1].len() > 30, "{:?}", tables[1]);
}

const BASE: &str = "[[link]]
interface = \"eth1\"
mode = \"dhcpv6-stateful\"
prefix = \"2001:db8:cafe:1::/64\"
pool = \"2001:db8:cafe:1::1000-2001:db8:cafe:1::ffff\"
";

#[test]
fn errors_point_at_the_key_or_value() {
    let cases: &[(&str, usize, usize, &str)] = &[
        // TOML syntax.
        ("[[link]\n", 1, 8, "expected `]`"),
        // Unknown key, with a suggestion.
        (&format!("[server]\nlease_dbb = \"x\"\n{BASE}"), 2, 1, "unknown key `lease_dbb`; did you mean `lease_db`?"),
        // Wrong type.
        (&format!("[server]\ndurability = 1\n{BASE}"), 2, 14, "invalid type: expected a string"),
        (&format!("[server]\ndurability = \"sometimes\"\n{BASE}"), 2, 14, "expected `fsync` or `process`"),
        (&format!("[server]\nduid = \"00:01\"\n{BASE}"), 2, 8, "not a DUID"),
        // Missing key.
        ("[[link]]\ninterface = \"eth1\"\n", 1, 1, "missing key `mode`"),
        ("[[link]]\nmode = \"slaac\"\nprefix = \"2001:db8::/64\"\n", 1, 1, "needs `interface`"),
        ("[server]\n", 1, 1, "no [[link]] section"),
        // Values.
        (&format!("{BASE}dns_servers = [\"2001:db8::1\", \"dns.example\"]\n"), 6, 31, "DNS server \"dns.example\" is not an IPv6 address"),
        (&format!("{BASE}domain_search = [\"a..b\"]\n"), 6, 18, "domain_search \"a..b\""),
        ("[[link]]\ninterface = \"eth1\"\nmode = \"slaac\"\nprefix = \"2001:db8::\"\n", 4, 10, "is not an IPv6 prefix"),
        ("[[link]]\ninterface = \"eth1\"\nmode = \"slaac\"\nprefix = \"2001:db8::/129\"\n", 4, 10, "is not an IPv6 prefix"),
        // Semantic errors from the profile (core's ProfileError), located.
        (&BASE.replace("::1000-", "::1000-2001:db8:cafe:2::1\"\n#").replace("#2001:db8:cafe:1::ffff\"\n", ""), 5, 8, "outside every prefix of the link"),
        ("[[link]]\ninterface = \"eth1\"\nmode = \"dhcpv6-stateful\"\nprefix = \"2001:db8:cafe:1::/64\"\n", 3, 8, "no DHCPv6 address pool"),
        ("[[link]]\ninterface = \"eth1\"\nmode = \"slaac\"\nprefix = \"2001:db8:cafe:1::1/64\"\n", 4, 10, "did you mean 2001:db8:cafe:1::/64?"),
        ("[[link]]\ninterface = \"eth1\"\nmode = \"slaac\"\nprefix = \"2001:db8:cafe::/48\"\n", 4, 10, "SLAAC needs a /64"),
        ("[[link]]\ninterface = \"eth1\"\nmode = \"slaac\"\nprefix = \"2001:db8:cafe::/48\"\nautonomous = false\n", 3, 8, "needs at least one /64 prefix with the autonomous flag"),
        (&format!("{BASE}[link.ra]\nmax_interval = 2000\n"), 7, 16, "MaxRtrAdvInterval 2000 s is outside 4 s..=1800 s"),
        (&format!("{BASE}[link.ra]\nmax_interval = 100\nmin_interval = 90\n"), 8, 16, "MinRtrAdvInterval 90 s"),
        (&format!("{BASE}[link.ra]\nmax_interval = 100\nrouter_lifetime = 50\n"), 8, 19, "router lifetime 50 s"),
        (&format!("{BASE}[link.ra]\nreachable_time = 3600001\n"), 7, 18, "reachable time"),
        (&format!("{BASE}mtu = 1000\n"), 6, 7, "MTU 1000 is below the IPv6 minimum"),
        (&format!("{BASE}preferred_lifetime = 9000\nvalid_lifetime = 8000\n"), 6, 22, "preferred lifetime 9000 s exceeds valid lifetime 8000 s"),
        (&format!("{BASE}valid_lifetime = 100\npreferred_lifetime = 50\n[link.ra]\nmax_interval = 600\n"), 6, 18, "valid lifetime 100 s is shorter than MaxRtrAdvInterval"),
        (&format!("{BASE}t1 = 5000\nt2 = 4000\n"), 6, 6, "T1 5000 s is after T2 4000 s"),
        (&format!("{BASE}pd_pool = {{ prefix = \"2001:db8:cafe::/48\", delegated_length = 56 }}\n"), 6, 11, "overlaps prefix 2001:db8:cafe:1::/64"),
        (&format!("{BASE}pd_pool = {{ prefix = \"2001:db8:8000::/40\", delegated_length = 36 }}\n"), 6, 11, "delegated length /36"),
        (&format!("{BASE}pref64 = {{ prefix = \"64:ff9b::/80\" }}\n"), 6, 21, "PREF64 prefix 64:ff9b::/80: length must be"),
        (&format!("{BASE}pref64 = {{ prefix = \"64:ff9b::/96\", lifetime = 10 }}\n"), 6, 48, "PREF64 lifetime 10 s"),
        (&format!("{BASE}captive_portal = \"\"\n"), 6, 18, "captive portal URI is empty"),
        (&format!("{BASE}[[link.route]]\nprefix = \"2001:db8:f::/48\"\nlifetime = 60\n"), 8, 12, "route 2001:db8:f::/48: lifetime 60 s"),
        (&format!("{BASE}dns_servers = [\"2001:db8::53\"]\n[link.ra]\nrdnss_lifetime = 100\n"), 8, 18, "RDNSS lifetime 100 s"),
        (&format!("{BASE}extra_prefix = [{{ prefix = \"2001:db8:cafe:1::/64\" }}]\n"), 6, 28, "listed twice"),
        // Server-only rules.
        (&format!("{BASE}sol_max_rt = 30\n"), 6, 14, "sol_max_rt 30 s is outside 60..=86400 s"),
        (&format!("{BASE}pools = [\"2001:db8:dead::1-2001:db8:dead::2\"]\n"), 6, 10, "outside every prefix"),
        (&format!("{BASE}[[link.reservation]]\naddress = \"2001:db8:cafe:1::5\"\n"), 6, 1, "needs `duid` or `mac`"),
        (&format!("{BASE}[[link.reservation]]\nmac = \"52:54:00:12:34:56\"\niaid = 3\naddress = \"2001:db8:cafe:1::5\"\n"), 8, 8, "iaid needs `duid`"),
        (&format!("{BASE}[[link.reservation]]\nduid = \"00:03:00:01:52:54:00:12:34:56\"\naddress = \"2001:db8:9::5\"\n"), 8, 11, "reserved address 2001:db8:9::5 is outside"),
        ("[server]\nmax_addresses_per_client = 30\nmax_prefixes_per_client = 30\n[[link]]\ninterface = \"e\"\nmode = \"slaac\"\nprefix = \"2001:db8::/64\"\n", 3, 27, "at most 32 bindings per client"),
        (&format!("{BASE}[link.relay]\ninterface_id = \"a\"\ninterface_id_hex = \"01\"\n"), 8, 20, "not both"),
        (&format!("{BASE}[link.relay]\ninterface_id_hex = \"0x\"\n"), 7, 20, "Interface-ID must be 1 to 64 bytes"),
        // Two links claiming the same addresses.
        (&format!("{BASE}[[link]]\ninterface = \"eth2\"\nmode = \"dhcpv6-stateful\"\nprefix = \"2001:db8:cafe::/48\"\npool = \"2001:db8:cafe:2::1-2001:db8:cafe:2::ff\"\n"), 9, 10, "prefix 2001:db8:cafe::/48 overlaps prefix 2001:db8:cafe:1::/64 of link \"eth1\""),
        (&format!("{BASE}[[link]]\ninterface = \"eth2\"\nmode = \"slaac\"\nprefix = \"2001:db8:2::/64\"\npd_pool = {{ prefix = \"2001:db8:cafe:1::/64\", delegated_length = 80 }}\n"), 10, 11, "prefix delegation pool 2001:db8:cafe:1::/64 overlaps prefix 2001:db8:cafe:1::/64 of link \"eth1\""),
        // Two links, one interface / one name.
        (&format!("{BASE}{}", BASE.replace("cafe:1:", "cafe:9:")), 7, 13, "interface \"eth1\" is served by two"),
        (&format!("{BASE}{}", BASE.replace("cafe:1:", "cafe:9:").replace("interface = \"eth1\"", "interface = \"eth2\"\nname = \"eth1\"")), 8, 8, "link name \"eth1\" is used twice"),
    ];
    for (text, line, col, msg) in cases {
        let (l, c, m) = one_error(text);
        assert!(m.contains(msg), "{text}\nmessage {m:?} lacks {msg:?}");
        assert_eq!((l, c), (*line, *col), "{text}\n{m}");
    }
}

#[test]
fn every_bad_key_of_a_file_is_reported_at_once() {
    let text = "[server]
durability = \"fsnc\"
bogus = 1

[[link]]
interface = \"eth1\"
mode = \"slaac\"
prefx = \"2001:db8::/64\"
mtu = \"big\"

[link.ra]
max_interval = \"600\"

[[link]]
interface = \"eth2\"
mode = \"slaac\"
prefix = \"2001:db8:2::/64\"
dns_servers = [\"nope\"]

[[link]]
interface = \"eth3\"
mode = \"slaac\"
prefix = \"2001:db8:3::/48\"
";
    let e = errors(text);
    let at: Vec<(usize, usize)> = e.iter().map(|d| (d.line, d.column)).collect();
    assert_eq!(
        at,
        [
            (2, 14),
            (3, 1),
            (8, 1),
            (9, 7),
            (12, 16),
            (18, 16),
            (23, 10)
        ],
        "{e:#?}"
    );
    assert!(e[2].message.contains("did you mean `prefix`?"));
    assert!(e[6].message.contains("SLAAC needs a /64"));
}

#[test]
fn check_prints_file_line_col_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(
        &path,
        format!("{BASE}dns_servers = [\"x\"]\n[link.ra]\nmax_interval = 1\n"),
    )
    .unwrap();
    let (code, out, err) = check(&path);
    assert_eq!(code, 2);
    assert!(out.is_empty(), "{out}");
    let shown = path.display();
    assert_eq!(
        err,
        format!("{shown}:6:16: DNS server \"x\" is not an IPv6 address\n"),
    );

    // Fixed DNS, the interval is next.
    std::fs::write(&path, format!("{BASE}[link.ra]\nmax_interval = 1\n")).unwrap();
    let (code, _, err) = check(&path);
    assert_eq!(code, 2);
    assert_eq!(
        err,
        format!("{shown}:7:16: MaxRtrAdvInterval 1 s is outside 4 s..=1800 s (RFC 4861 §6.2.1)\n")
    );

    let (code, _, err) = check(&dir.path().join("missing.toml"));
    assert_eq!(code, 2);
    assert!(err.contains("missing.toml: "), "{err}");

    std::fs::write(&path, BASE).unwrap();
    let (code, out, err) = check(&path);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(
        out,
        format!("{shown}: ok, 1 link; leases in /var/lib/sixconf/leases.sqlite (durability fsync)\n  eth1: dhcpv6-stateful (M=1 O=0), prefix 2001:db8:cafe:1::/64, pool 2001:db8:cafe:1::1000-2001:db8:cafe:1::ffff\n")
    );
}

#[test]
fn a_delegated_link_takes_a_template_prefix_and_pools_of_interface_identifiers() {
    let c = parse_file(&fixture("every_key.toml"));
    let l = &c.links[2];
    let d = l.delegated.as_ref().unwrap();
    assert_eq!(
        (d.wan.as_str(), d.subnet_index, d.subnet_length),
        ("wan0", 3, 64)
    );
    assert_eq!(l.profile.prefixes[0].prefix.addr, a("0:0:0:3::"));
    assert_eq!(l.server.address_pools[0].first, a("0:0:0:3::1000"));
    assert_eq!(l.server.address_pools[0].last, a("0:0:0:3::1fff"));
    // /64 number 3 of a /56, of a /60; none of a /62 (only 4 /64s) or a /64.
    let p = |s: &str| s.parse::<Ipv6Addr>().unwrap();
    assert_eq!(
        d.subnet_of(p("2001:db8:100::"), 56).map(|x| x.addr),
        Some(p("2001:db8:100:3::"))
    );
    assert_eq!(
        d.subnet_of(p("2001:db8:100:10::"), 60).map(|x| x.addr),
        Some(p("2001:db8:100:13::"))
    );
    assert_eq!(
        d.subnet_of(p("2001:db8:100:10::"), 62).map(|x| x.addr),
        Some(p("2001:db8:100:13::"))
    );
    assert_eq!(d.subnet_of(p("2001:db8:100:10::"), 63), None);
    assert_eq!(d.subnet_of(p("2001:db8:100:10::"), 64), None);

    let link = "[[link]]\ninterface = \"lan0\"\nmode = \"slaac\"\n";
    for (extra, message) in [
        ("prefix = \"2001:db8::/64\"\nsubnet_index = 1\n", "belong to a link with prefix = \"delegated:IF\""),
        ("prefix = \"delegated:\"\n", "is not a Linux interface name"),
        ("prefix = \"delegated:lan0\"\n", "another interface than the link's own"),
        ("prefix = \"delegated:wan0\"\nsubnet_length = 65\n", "must be 1..=64"),
        ("prefix = \"delegated:wan0\"\nsubnet_length = 8\nsubnet_index = 256\n", "does not fit in a /8"),
        ("prefix = \"delegated:wan0\"\nsubnet_length = 56\n", "/64"),
        ("mode = \"dhcpv6-stateful\"\nprefix = \"delegated:wan0\"\npool = \"2001:db8::1-2001:db8::9\"\n", "interface identifiers"),
    ] {
        let text = format!("{link}{extra}").replace("mode = \"slaac\"\nmode", "mode");
        let e = errors(&text);
        assert!(e.iter().any(|d| d.message.contains(message)), "{text}: {e:#?}");
    }
    let (_, _, m) =
        one_error("[[link]]\nname = \"x\"\nmode = \"slaac\"\nprefix = \"delegated:wan0\"\n");
    assert!(m.contains("needs `interface`"), "{m}");
}

#[test]
fn server_links_follow_file_order_with_interface_indexes() {
    let c = parse_file(&fixture("every_key.toml"));
    let links = c
        .server_links(|name| match name {
            "eth1" => Some(7),
            "lan0" => Some(8),
            _ => None,
        })
        .unwrap();
    assert_eq!(links.len(), 3);
    assert_eq!(links[0].ifindex, Some(7));
    assert_eq!(links[0].interface_id, c.links[0].server.interface_id);
    // The relayed link has no interface.
    assert_eq!(links[1].ifindex, None);
    assert_eq!(links[1].address_pools, c.links[1].server.address_pools);
    assert_eq!(c.server_links(|_| None), Err("eth1".to_string()));

    // A slaac link without pools serves no DHCPv6: never selected for a direct message.
    let slaac = parse_file(&root().join("examples/slaac.toml"));
    assert!(!slaac.links[0].serves_dhcpv6());
    assert_eq!(slaac.server_links(|_| Some(3)).unwrap()[0].ifindex, None);
    let stateless = parse_file(&root().join("examples/dhcpv6-stateless.toml"));
    assert!(stateless.links[0].serves_dhcpv6());
    assert_eq!(
        stateless.server_links(|_| Some(3)).unwrap()[0].ifindex,
        Some(3)
    );
}
