//! Interop: the Advertiser's RAs on a veth pair between two network namespaces, with the Linux
//! kernel's own RA processing and SLAAC (RFC 4862) as the peer. Needs root, `ip` (iproute2) and
//! `/usr/bin/python3` (the sender: a raw ICMPv6 socket with hop limit 255).

mod common;

use std::time::Duration as StdDuration;

use common::netns::{sh, wait_for, Pair, Side};

use sixconf_core::profile::{AdvRoute, Mode, Preference, Prefix, Profile};
use sixconf_core::ra::{Advertiser, Link, Reason};
use sixconf_core::time::{Duration, Instant};

const MAC: &str = "fa:16:3e:c3:17:b4";
const ROUTER_LL: &str = "fe80::f816:3eff:fec3:17b4";

/// Two namespaces joined by a veth pair (std-adapter/tests/common/netns.rs), removed on drop.
struct Lab {
    pair: Pair,
}

impl Lab {
    fn new() -> Lab {
        let pair = Pair::builder("ra")
            .interfaces("sxr0", "sxh0")
            .router_mac(MAC)
            .host_sysctl("net.ipv6.conf.{if}.accept_ra=2")
            .host_sysctl("net.ipv6.conf.{if}.accept_ra_rt_info_max_plen=64")
            .build();
        // The router's link-local address (EUI-64 of MAC) is out of DAD: it can be the source.
        assert!(pair
            .ip(Side::Router, &["-6", "addr", "show", "dev", "sxr0"])
            .contains(ROUTER_LL));
        Lab { pair }
    }

    fn send(&self, ra: &[u8]) {
        let hex: String = ra.iter().map(|b| format!("{b:02x}")).collect();
        let script = format!(
            "import socket\n\
             i = socket.if_nametoindex('sxr0')\n\
             s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)\n\
             s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)\n\
             s.bind(('{ROUTER_LL}', 0, 0, i))\n\
             s.sendto(bytes.fromhex('{hex}'), ('ff02::1', 0, 0, i))\n"
        );
        self.pair
            .exec(Side::Router, &["/usr/bin/python3", "-c", &script]);
    }

    fn host(&self, args: &[&str]) -> String {
        self.pair.ip(Side::Host, args)
    }

    fn wait(&self, what: &str, ok: impl FnMut() -> bool) {
        wait_for(what, StdDuration::from_secs(10), ok)
    }
}

fn profile(prefix: &str) -> Profile<4> {
    let mut p = Profile::new(Mode::Slaac);
    p.set_max_interval(10_000);
    p.mtu = Some(1400);
    p.router.source_link_layer = Some([0xfa, 0x16, 0x3e, 0xc3, 0x17, 0xb4]);
    p.add_prefix(Prefix::new(prefix.parse().unwrap(), 64))
        .unwrap();
    p.routes
        .push(AdvRoute {
            prefix: Prefix::new("2001:db8:100::".parse().unwrap(), 48),
            preference: Preference::Low,
            lifetime: 1800,
        })
        .unwrap();
    p
}

/// The packets due at `now`, as bytes.
fn due(adv: &mut Advertiser<4>, now: Instant) -> Vec<(Reason, Vec<u8>)> {
    let mut buf = [0u8; 1500];
    let mut out = Vec::new();
    adv.handle_timeout(now);
    while let Some(tx) = adv.poll_transmit(now, &mut buf) {
        out.push((tx.reason, buf[..tx.len].to_vec()));
    }
    out
}

#[test]
#[ignore = "needs root + peers: run by .ci/run"]
fn linux_slaac_follows_the_advertiser_through_renumbering_and_stop() {
    let lab = Lab::new();
    let link = Link {
        link_local: ROUTER_LL.parse().unwrap(),
        mtu: 1500,
    };
    let mut adv = Advertiser::new(profile("2001:db8:cafe::"), link, 7, Instant::ZERO).unwrap();

    // 1. The first RA: the kernel forms an address, installs the default route, the RFC 4191
    //    route with its preference, and takes the MTU.
    let first = due(&mut adv, Instant::ZERO);
    assert_eq!(first.len(), 1);
    lab.send(&first[0].1);
    lab.wait("a SLAAC address in 2001:db8:cafe::/64", || {
        lab.host(&["-6", "addr", "show", "dev", "sxh0"])
            .contains("inet6 2001:db8:cafe:0:")
    });
    let routes = lab.host(&["-6", "route"]);
    assert!(
        routes.contains(&format!("default via {ROUTER_LL} dev sxh0 proto ra")),
        "{routes}"
    );
    assert!(routes.contains("2001:db8:100::/48 via"), "{routes}");
    assert!(routes.contains("pref low"), "{routes}");
    let mtu = sh(&[
        "ip",
        "netns",
        "exec",
        &lab.pair.host,
        "sysctl",
        "-n",
        "net.ipv6.conf.sxh0.mtu",
    ]);
    assert_eq!(mtu.trim(), "1400");

    // 2. Renumbering: 2001:db8:cafe::/64 is replaced; the next RA deprecates it (preferred 0)
    //    with a valid lifetime counting down from 2 h, and the kernel follows.
    let t = Instant::from_secs(100);
    adv.reload(t, profile("2001:db8:beef::")).unwrap();
    let next = adv.poll_timeout().unwrap().max(t);
    let renumber = due(&mut adv, next);
    assert_eq!(renumber.len(), 1);
    lab.send(&renumber[0].1);
    lab.wait("the new prefix", || {
        lab.host(&["-6", "addr", "show", "dev", "sxh0"])
            .contains("inet6 2001:db8:beef:0:")
    });
    let addrs = lab.host(&["-6", "addr", "show", "dev", "sxh0"]);
    let old = addrs
        .split("inet6 ")
        .find(|a| a.starts_with("2001:db8:cafe:0:"))
        .unwrap_or_else(|| panic!("{addrs}"));
    assert!(old.contains("deprecated"), "{old}");
    assert!(old.contains("preferred_lft 0sec"), "{old}");
    let valid: u64 = old
        .split("valid_lft ")
        .nth(1)
        .and_then(|v| v.split("sec").next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("{old}"));
    assert!((7_100..=7_200).contains(&valid), "valid_lft {valid}");

    // 3. Stop: the final RAs carry router lifetime 0 and the kernel drops its default route.
    adv.stop(next);
    let mut finals = 0;
    let mut now = next;
    while let Some(t) = adv.poll_timeout() {
        now = t.max(now);
        for (reason, bytes) in due(&mut adv, now) {
            assert_eq!(reason, Reason::Final);
            lab.send(&bytes);
            finals += 1;
        }
        assert!(now - next < Duration::from_secs(30));
    }
    assert_eq!(finals, 3);
    lab.wait("the default route to go", || {
        !lab.host(&["-6", "route"]).contains("default via")
    });
}
