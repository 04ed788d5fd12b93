//! `sixconf demo` as a user runs it: for each of the seed's link modes, the packets that cross
//! the simulated link (in tcpdump's words, in order) and what each host ends up with, as the
//! seed's three traces show them.

use std::process::Command;

fn demo(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sixconf"))
        .arg("demo")
        .args(args)
        .output()
        .expect("run sixconf");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn ok(args: &[&str]) -> String {
    let (code, out, err) = demo(args);
    assert_eq!(code, 0, "stderr: {err}");
    assert!(err.is_empty(), "stderr: {err}");
    out
}

/// The packet lines (the ones with a timestamp), in order.
fn packets(out: &str) -> Vec<&str> {
    out.lines()
        .filter(|l| l.len() > 16 && l.as_bytes()[2] == b':' && l.as_bytes()[8] == b'.')
        .collect()
}

/// What kind of packet a line is, in tcpdump's words, and from whom.
fn kind(line: &str) -> &'static str {
    for k in [
        "router solicitation",
        "router advertisement",
        "dhcp6 solicit",
        "dhcp6 advertise",
        "dhcp6 request",
        "dhcp6 reply",
        "dhcp6 inf-req",
        "dhcp6 renew",
        "dhcp6 release",
        "dhcp6 decline",
        "dhcp6 confirm",
    ] {
        if line.contains(k) {
            return k;
        }
    }
    panic!("unexpected packet: {line}")
}

/// The lines of the outcome block of host `n`.
fn host_block(out: &str, n: usize) -> Vec<&str> {
    let head = format!("host {n}  ");
    let mut lines = out.lines().skip_while(|l| !l.starts_with(&head));
    let first = lines
        .next()
        .unwrap_or_else(|| panic!("no host {n} in:\n{out}"));
    std::iter::once(first)
        .chain(lines.take_while(|l| l.starts_with("  ")))
        .collect()
}

fn field<'a>(block: &[&'a str], name: &str) -> Vec<&'a str> {
    block
        .iter()
        .filter_map(|l| l.trim_start().strip_prefix(name))
        .map(str::trim)
        .collect()
}

/// The packets each host sent or received, in order (matched by its link-local address).
fn exchange(lines: &[&str], link_local: &str) -> Vec<&'static str> {
    let a = format!("{link_local}.");
    lines
        .iter()
        .filter(|l| l.contains(&a) || l.contains(&format!("{link_local} >")))
        .map(|l| kind(l))
        .collect()
}

#[test]
fn slaac_hosts_form_an_address_from_the_prefix_and_run_no_dhcpv6() {
    let out = ok(&["--mode", "slaac"]);
    let lines = packets(&out);
    assert!(!lines.iter().any(|l| l.contains("dhcp6")), "{out}");
    // The seed's SLAAC RA, as the seed's tcpdump shows it (tcpdump 4.99 wording for the
    // timers): Flags [none], the prefix with onlink and auto, 86400/14400 s.
    let ra = out
        .lines()
        .position(|l| l.contains("router advertisement, length 56"))
        .expect("an RA of 56 bytes");
    let detail: Vec<&str> = out.lines().skip(ra).take(6).collect();
    assert!(detail[0].contains(
        "IP6 (hlim 255, next-header ICMPv6 (58) payload length: 56) fe80::f816:3eff:fec3:17b4 > ff02::1: [icmp6 sum ok] ICMP6, router advertisement, length 56"
    ));
    assert!(detail[1].starts_with("\thop limit 64, Flags [none], pref medium, router lifetime 30s"));
    assert_eq!(
        detail[2],
        "\t  prefix info option (3), length 32 (4): 2001:db8:cafe::/64, Flags [onlink, auto], valid time 86400s, pref. time 14400s"
    );
    assert_eq!(
        detail[3],
        "\t    0x0000:  40c0 0001 5180 0000 3840 0000 0000 2001"
    );
    assert_eq!(
        detail[4],
        "\t    0x0010:  0db8 cafe 0000 0000 0000 0000 0000"
    );
    assert_eq!(
        detail[5],
        "\t  source link-address option (1), length 8 (1): fa:16:3e:c3:17:b4"
    );
    // Host 1 is the seed's instance: its RS as the seed shows it, then an RA.
    let host1 = exchange(&lines, "fe80::f816:3eff:fe79:5acc");
    assert_eq!(host1, ["router solicitation"]);
    let rs = lines
        .iter()
        .position(|l| l.contains("fe80::f816:3eff:fe79:5acc > ff02::2"))
        .unwrap();
    assert!(lines[rs].contains("[icmp6 sum ok] ICMP6, router solicitation, length 16"));
    assert!(lines[rs + 1..]
        .iter()
        .any(|l| l.contains("router advertisement")));
    for n in 1..=3 {
        let b = host_block(&out, n);
        let addrs = field(&b, "address");
        assert_eq!(addrs.len(), 1, "{b:#?}");
        assert!(
            addrs[0].starts_with("2001:db8:cafe:0:f816:3eff:fe79:5a")
                && addrs[0].contains("/64  SLAAC, preferred 1439"),
            "{b:#?}"
        );
        assert_eq!(field(&b, "RA flags"), ["M=0 O=0: no DHCPv6"]);
        assert_eq!(field(&b, "DHCPv6"), ["not running"]);
        assert_eq!(field(&b, "DNS servers"), ["none"]);
        assert_eq!(field(&b, "on-link"), ["2001:db8:cafe::/64"]);
        assert!(
            field(&b, "default router")[0].starts_with("fe80::f816:3eff:fec3:17b4 (pref medium")
        );
    }
    assert!(host_block(&out, 1)[0].contains("fa:16:3e:79:5a:cc"));
    assert!(out.contains("(3 RS, 4 RA, 0 DHCPv6)"), "{out}");
}

#[test]
fn stateless_hosts_form_a_slaac_address_and_get_dns_by_information_request() {
    let out = ok(&["--mode", "dhcpv6-stateless"]);
    let lines = packets(&out);
    // The seed's stateless RA: Flags [other stateful], the prefix with onlink and auto.
    let ra = out
        .lines()
        .position(|l| l.contains("router advertisement, length 56"))
        .unwrap();
    let detail: Vec<&str> = out.lines().skip(ra).take(3).collect();
    assert!(detail[1].contains("Flags [other stateful]"), "{detail:?}");
    assert!(detail[2].contains("2001:db8:cafe:2::/64, Flags [onlink, auto]"));
    for (n, ll) in [
        (1, "fe80::f816:3eff:fefe:d157"),
        (2, "fe80::f816:3eff:fefe:d158"),
        (3, "fe80::f816:3eff:fefe:d159"),
    ] {
        assert_eq!(
            exchange(&lines, ll),
            ["router solicitation", "dhcp6 inf-req", "dhcp6 reply"],
            "host {n}"
        );
        let b = host_block(&out, n);
        let addrs = field(&b, "address");
        assert_eq!(addrs.len(), 1, "{b:#?}");
        assert!(addrs[0].starts_with(&format!(
            "2001:db8:cafe:2:f816:3eff:fefe:d15{}/64  SLAAC",
            6 + n
        )));
        assert_eq!(
            field(&b, "RA flags"),
            ["M=0 O=1: DHCPv6 stateless (Information-request)"]
        );
        assert_eq!(field(&b, "DNS servers"), ["2001:db8:cafe:a::e (DHCPv6)"]);
        assert_eq!(field(&b, "search list"), ["openstacklocal (DHCPv6)"]);
        let dhcp = field(&b, "DHCPv6");
        assert!(
            dhcp[0].starts_with("stateless: informed by server-ID hwaddr type 1 fa163e2da6de"),
            "{dhcp:?}"
        );
    }
    // The seed's Information-request and Reply, in tcpdump's -v words.
    let infreq = lines.iter().find(|l| l.contains("dhcp6 inf-req")).unwrap();
    assert!(infreq.contains(
        "fe80::f816:3eff:fefe:d157.546 > ff02::1:2.547: [udp sum ok] dhcp6 inf-req (xid="
    ));
    assert!(infreq.contains("(client-ID hwaddr/time type 1 time 482446373 fa163efed157)"));
    let reply = lines.iter().find(|l| l.contains("dhcp6 reply")).unwrap();
    assert!(reply.contains(
        "fe80::f816:3eff:fe2d:a6de.547 > fe80::f816:3eff:fefe:d157.546: [udp sum ok] dhcp6 reply"
    ));
    assert!(reply.contains("(server-ID hwaddr type 1 fa163e2da6de)"));
    assert!(reply.contains("(DNS-server 2001:db8:cafe:a::e)"));
    assert!(reply.contains("(DNS-search-list openstacklocal.)"));
    assert!(reply.contains("(lifetime 86400)"));
    assert!(out.contains(
        "DHCPv6 server fe80::f816:3eff:fe2d:a6de: 0 bindings (Information-request keeps no state)"
    ));
}

#[test]
fn stateful_hosts_form_no_slaac_address_and_bind_one_from_the_pool() {
    let out = ok(&["--mode", "dhcpv6-stateful"]);
    let lines = packets(&out);
    // The seed's stateful RA: 24 bytes, Flags [managed], no prefix.
    assert!(lines.iter().any(|l| {
        l.contains(
        "fe80::f816:3eff:fe77:e5a0 > ff02::1: [icmp6 sum ok] ICMP6, router advertisement, length 24"
    )
    }));
    assert!(out.contains("\thop limit 64, Flags [managed], pref medium, router lifetime 30s"));
    assert!(!out.contains("prefix info option"));
    let mut bound = Vec::new();
    for (n, ll) in [
        (1, "fe80::f816:3eff:fe22:386b"),
        (2, "fe80::f816:3eff:fe22:386c"),
        (3, "fe80::f816:3eff:fe22:386d"),
    ] {
        assert_eq!(
            exchange(&lines, ll),
            [
                "router solicitation",
                "dhcp6 solicit",
                "dhcp6 advertise",
                "dhcp6 request",
                "dhcp6 reply"
            ],
            "host {n}"
        );
        let b = host_block(&out, n);
        let addrs = field(&b, "address");
        assert_eq!(addrs.len(), 1, "one address, none from SLAAC: {b:#?}");
        let (addr, rest) = addrs[0].split_once("/128  ").unwrap();
        assert!(rest.starts_with("DHCPv6 IA_NA, preferred 71"), "{rest}");
        let a: std::net::Ipv6Addr = addr.parse().unwrap();
        // In the pool 2001:db8:cafe:1::2 - 2001:db8:cafe:1:ffff:ffff:ffff:fffe.
        assert_eq!(a.segments()[..4], [0x2001, 0xdb8, 0xcafe, 1]);
        assert!(u128::from(a) & 0xffff_ffff_ffff_ffff >= 2);
        bound.push(a);
        assert_eq!(
            field(&b, "RA flags"),
            ["M=1: DHCPv6 stateful (addresses by DHCPv6)"]
        );
        assert_eq!(field(&b, "on-link"), ["none"]);
        assert_eq!(field(&b, "DNS servers"), ["2001:db8:cafe:a::e (DHCPv6)"]);
        assert_eq!(field(&b, "search list"), ["openstacklocal (DHCPv6)"]);
        let dhcp = field(&b, "DHCPv6")[0];
        assert!(
            dhcp.starts_with(&format!(
                "stateful: bound {a} from server-ID hwaddr type 1 fa163e06176f, renew (T1) in 35"
            )),
            "{dhcp}"
        );
        // The reply that bound it, as the seed's: the IA with T1 3600 / T2 6300 and 7200/7500.
        assert!(lines.iter().any(|l| l.contains("dhcp6 reply")
            && l.contains(&format!("(IA_ADDR {a} pltime:7200 vltime:7500)"))
            && l.contains("T1:3600 T2:6300")));
    }
    bound.sort();
    bound.dedup();
    assert_eq!(bound.len(), 3, "three different addresses");
    // The server's lease table holds exactly those, one per client DUID.
    assert!(out.contains("DHCPv6 server fe80::f816:3eff:fe06:176f: 3 bindings\n"));
    let table: Vec<std::net::Ipv6Addr> = out
        .lines()
        .skip_while(|l| !l.starts_with("DHCPv6 server"))
        .skip(1)
        .map(|l| l.trim().split('/').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(table, bound);
    assert!(out.contains(
        "IAID 1042430059 client-ID hwaddr/time type 1 time 482446373 fa163e22386b, valid 74"
    ));
    // The seed's IAID for its instance fa:16:3e:22:38:6b, and its Advertise's preference.
    assert!(out.contains("(IA_NA IAID:1042430059 "));
    assert!(out.contains("(preference 255)"));
}

#[test]
fn all_three_modes_by_default_in_the_seeds_order() {
    let out = ok(&[]);
    let heads: Vec<&str> = out.lines().filter(|l| l.starts_with("=== ")).collect();
    assert_eq!(heads.len(), 3, "{heads:?}");
    assert!(heads[0].starts_with("=== slaac: M=0 O=0"));
    assert!(heads[1].starts_with("=== dhcpv6-stateless: M=0 O=1"));
    assert!(heads[2].starts_with("=== dhcpv6-stateful: M=1 O=0"));
    // Every packet's checksum verified from the bytes that crossed the link.
    let lines = packets(&out);
    assert!(lines.len() > 30);
    assert!(lines
        .iter()
        .all(|l| l.contains("[icmp6 sum ok]") || l.contains("[udp sum ok]")));
}

#[test]
fn same_seed_same_output_other_seed_other_timing() {
    let a = ok(&["--seed", "7"]);
    assert_eq!(a, ok(&["--seed", "7"]));
    let b = ok(&["--seed", "8"]);
    assert_ne!(a, b);
    // Another seed changes timing and transaction IDs, not the outcome.
    let outcome = |s: &str| -> Vec<String> {
        s.lines()
            .filter(|l| l.starts_with("  address") || l.starts_with("  RA flags"))
            .map(|l| l.split(", preferred").next().unwrap().to_string())
            .collect()
    };
    let (oa, ob) = (outcome(&a), outcome(&b));
    assert_eq!(oa.len(), 18);
    // SLAAC and stateless addresses are the same (EUI-64); DHCPv6 ones come from the server's
    // hash of the client, also the same.
    assert_eq!(oa, ob);
}

#[test]
fn host_count_is_honoured_and_bounded() {
    let out = ok(&["--mode", "dhcpv6-stateful", "--hosts", "12"]);
    assert!(host_block(&out, 12)[0].contains("fa:16:3e:22:38:76"));
    assert!(!out.contains("host 13 "));
    let addrs: std::collections::BTreeSet<&str> = out
        .lines()
        .filter_map(|l| l.strip_prefix("  address         "))
        .map(|l| l.split('/').next().unwrap())
        .collect();
    assert_eq!(addrs.len(), 12, "{addrs:?}");
    let out = ok(&["--mode", "slaac", "--hosts", "1"]);
    assert!(out.contains("1 host come up at 2 s"));
    for bad in [["--hosts", "0"], ["--hosts", "101"], ["--mode", "dhcp"]] {
        let (code, out, err) = demo(&bad);
        assert_eq!(code, 2, "{bad:?}: {out}");
        assert!(err.contains("error:"), "{err}");
    }
}

/// The demo's packets written with `--pcap` and read back by tcpdump 4.99 (`TZ=UTC tcpdump -n
/// -vv -r`): the same lines as the demo printed, timestamps included (virtual time from the Unix
/// epoch). The one difference is documented by the text module: tcpdump has no names for
/// SOL_MAX_RT (82) and INF_MAX_RT (83) and prints `opt_82`/`opt_83` in an Option Request.
/// tshark reads the same capture and finds nothing malformed.
#[test]
#[ignore = "needs root + peers: run by .ci/run"]
fn demo_lines_equal_tcpdump_reading_its_pcap_and_tshark_finds_nothing_malformed() {
    let dir = std::env::temp_dir().join(format!("sixconf-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pcap = dir.join("demo.pcap");
    let out = ok(&[
        "--hosts",
        "4",
        "--seed",
        "5",
        "--pcap",
        pcap.to_str().unwrap(),
    ]);
    let ours: Vec<String> = out
        .lines()
        .filter(|l| {
            // Packet lines and their detail lines (tab-indented); not the headings or results.
            l.starts_with('\t')
                || (l.len() > 16 && l.as_bytes()[2] == b':' && l.as_bytes()[8] == b'.')
        })
        .map(|l| {
            l.replace(" sol-max-rt", " opt_82")
                .replace(" inf-max-rt", " opt_83")
        })
        .collect();
    let td = Command::new("tcpdump")
        .args(["-n", "-vv", "-r"])
        .arg(&pcap)
        .env("TZ", "UTC")
        .output()
        .expect("run tcpdump");
    assert!(
        td.status.success(),
        "{}",
        String::from_utf8_lossy(&td.stderr)
    );
    let theirs: Vec<String> = String::from_utf8_lossy(&td.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    assert!(ours.len() > 100, "{}", ours.len());
    for (i, (a, b)) in ours.iter().zip(&theirs).enumerate() {
        assert_eq!(a, b, "line {i}");
    }
    assert_eq!(ours.len(), theirs.len());

    let ts = Command::new("tshark")
        .args(["-n", "-r"])
        .arg(&pcap)
        .output()
        .expect("run tshark");
    assert!(ts.status.success());
    let text = String::from_utf8_lossy(&ts.stdout);
    let packets = out.lines().filter(|l| l.contains(" IP6 (")).count();
    assert_eq!(text.lines().count(), packets, "{text}");
    assert!(!text.to_lowercase().contains("malformed"), "{text}");
    assert_eq!(
        text.matches("Router Advertisement").count(),
        out.matches("router advertisement,").count()
    );
    assert_eq!(
        text.matches(" Solicit XID").count(),
        out.matches("dhcp6 solicit").count()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn dad_conflict_on_a_dhcpv6_address_is_declined_and_another_one_bound() {
    let out = ok(&[
        "--mode",
        "dhcpv6-stateful",
        "--hosts",
        "2",
        "--dad-conflict",
    ]);
    let squatted = out
        .lines()
        .find_map(|l| l.strip_prefix("another node already uses "))
        .and_then(|l| l.strip_suffix(": host 1's DAD for it fails"))
        .expect("the squatted address is named");
    assert!(squatted.parse::<std::net::Ipv6Addr>().is_ok(), "{squatted}");
    let lines = packets(&out);
    assert_eq!(
        exchange(&lines, "fe80::f816:3eff:fe22:386b"),
        [
            "router solicitation",
            "dhcp6 solicit",
            "dhcp6 advertise",
            "dhcp6 request",
            "dhcp6 reply",
            "dhcp6 decline",
            "dhcp6 reply",
            "dhcp6 solicit",
            "dhcp6 advertise",
            "dhcp6 request",
            "dhcp6 reply"
        ]
    );
    let decline = lines.iter().find(|l| l.contains("dhcp6 decline")).unwrap();
    assert!(
        decline.contains(&format!("(IA_ADDR {squatted} ")),
        "{decline}"
    );
    let b = host_block(&out, 1);
    assert_eq!(
        field(&b, "DAD conflict"),
        [format!("{squatted} (given up)")]
    );
    let addrs = field(&b, "address");
    assert_eq!(addrs.len(), 1);
    assert!(!addrs[0].starts_with(squatted));
    assert!(addrs[0].contains("/128  DHCPv6 IA_NA"));
    // Host 2 is not affected.
    assert_eq!(
        exchange(&lines, "fe80::f816:3eff:fe22:386c"),
        [
            "router solicitation",
            "dhcp6 solicit",
            "dhcp6 advertise",
            "dhcp6 request",
            "dhcp6 reply"
        ]
    );
    assert!(out.contains(&format!("  {squatted}/128  declined, in quarantine")));

    // With SLAAC and EUI-64 identifiers the conflict is final: no address for host 1.
    let out = ok(&["--mode", "slaac", "--hosts", "2", "--dad-conflict"]);
    let b = host_block(&out, 1);
    assert_eq!(field(&b, "address"), ["none"]);
    assert_eq!(
        field(&b, "DAD conflict"),
        ["2001:db8:cafe:0:f816:3eff:fe79:5acc (given up)"]
    );
    assert_eq!(field(&host_block(&out, 2), "address").len(), 1);
}

#[test]
fn events_show_what_the_engines_told_each_adapter_between_the_packets() {
    let out = ok(&["--mode", "dhcpv6-stateful", "--hosts", "1", "--events"]);
    let lines: Vec<&str> = out
        .lines()
        .filter(|l| l.contains(" IP6 (") || l.contains(" # host "))
        .collect();
    let at = |needle: &str| {
        lines
            .iter()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no {needle:?} in\n{out}"))
    };
    let asks = at("# host 1: the RA asks for DHCPv6 stateful (M=1)");
    let solicit = at("dhcp6 solicit");
    let reply = at("dhcp6 reply");
    let bound = at("# host 1: DHCPv6 address 2001:db8:cafe:1:");
    assert!(at("router advertisement") < asks && asks < solicit && reply < bound);
    assert!(lines[bound].contains("/128 bound, preferred 7200s, valid 7500s"));
    // Without --events the same packets, no event lines.
    let plain = ok(&["--mode", "dhcpv6-stateful", "--hosts", "1"]);
    assert!(!plain.contains(" # host "));
    assert_eq!(
        packets(&plain),
        lines
            .iter()
            .copied()
            .filter(|l| !l.contains(" # host "))
            .collect::<Vec<_>>()
    );

    let out = ok(&["--mode", "slaac", "--hosts", "1", "--events"]);
    let probe = out
        .lines()
        .find(|l| l.contains("# host 1: DAD for 2001:db8:cafe:0:f816:3eff:fe79:5acc (SLAAC)"))
        .expect("a probe");
    let added = out
        .lines()
        .find(|l| {
            l.contains("# host 1: address 2001:db8:cafe:0:f816:3eff:fe79:5acc/64 added (SLAAC)")
        })
        .expect("the address added");
    // DAD takes one second of virtual time.
    let secs = |l: &str| -> f64 { l[6..15].parse().unwrap() };
    assert!(
        (secs(added) - secs(probe) - 1.0).abs() < 1e-9,
        "{probe}\n{added}"
    );
}
