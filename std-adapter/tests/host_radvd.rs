//! Interop: the host engine against radvd, the router the seed's OpenStack traces show, on a veth
//! pair between two network namespaces, with the Linux kernel's own SLAAC beside it as the
//! reference. Needs root, `ip` (iproute2), `radvd` and `/usr/bin/python3` (raw ICMPv6 sockets
//! that report the received hop limit and destination).
//!
//! 1. radvd's first RA, as received (hop limit 255 checked), goes into a `Host` in EUI-64 mode:
//!    the address it asks to probe is the one the kernel formed from the same RA; the default
//!    router, the RFC 4191 route, RDNSS, DNSSL and MTU are what radvd was told to announce.
//! 2. The `Host`'s own Router Solicitation, sent as `poll_transmit` wrote it, is accepted by
//!    radvd, which answers it with a unicast RA (`AdvRASolicitedUnicast`); that answer
//!    configures a second `Host`.

mod common;

use std::io::{BufRead, BufReader};
use std::net::Ipv6Addr;
use std::process::{Child, Command, Stdio};
use std::time::Duration as StdDuration;

use common::netns::{wait_for, Pair, Side};

use sixconf_core::host::{DadResult, Dhcpv6Mode, Event, Host, HostConfig, IidMode, Preference};
use sixconf_core::time::Instant;
use sixconf_core::wire::ndisc::IpMeta;

const HOST_MAC: &str = "fa:16:3e:79:5a:cc";
const HOST_MAC_BYTES: [u8; 6] = [0xfa, 0x16, 0x3e, 0x79, 0x5a, 0xcc];
const HOST_LL: &str = "fe80::f816:3eff:fe79:5acc";
const ROUTER_MAC: &str = "fa:16:3e:c3:17:b4";
const ROUTER_LL: &str = "fe80::f816:3eff:fec3:17b4";

const RADVD_CONF: &str = "interface sxhr0 {
    AdvSendAdvert on;
    MinRtrAdvInterval 30;
    MaxRtrAdvInterval 100;
    AdvDefaultLifetime 300;
    AdvRASolicitedUnicast on;
    AdvLinkMTU 1400;
    prefix 2001:db8:cafe::/64 {
        AdvOnLink on;
        AdvAutonomous on;
        AdvValidLifetime 86400;
        AdvPreferredLifetime 14400;
    };
    route 2001:db8:100::/48 {
        AdvRoutePreference high;
        AdvRouteLifetime 1800;
    };
    RDNSS 2001:db8:cafe:a::e {
        AdvRDNSSLifetime 300;
    };
    DNSSL openstacklocal {
        AdvDNSSLLifetime 300;
    };
};
";

/// Prints one RA as `src dst hoplimit hex`: the first one, or the first unicast one.
const LISTENER: &str = r#"
import select, socket, sys, time
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVHOPLIMIT, 1)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVPKTINFO, 1)
unicast_only = sys.argv[1] == 'unicast'
deadline = time.time() + float(sys.argv[2])
print('ready', flush=True)
while True:
    left = deadline - time.time()
    if left <= 0 or not select.select([s], [], [], left)[0]:
        print('timeout', flush=True)
        break
    data, anc, _, addr = s.recvmsg(4096, 256)
    if not data or data[0] != 134:
        continue
    hop, dst = None, None
    for _, kind, value in anc:
        if kind == socket.IPV6_HOPLIMIT:
            hop = int.from_bytes(value[:4], sys.byteorder)
        if kind == socket.IPV6_PKTINFO:
            dst = socket.inet_ntop(socket.AF_INET6, value[:16])
    if unicast_only and dst.startswith('ff'):
        continue
    print(addr[0].split('%')[0], dst, hop, data.hex(), flush=True)
    break
"#;

/// Two namespaces joined by a veth pair (std-adapter/tests/common/netns.rs), radvd in one; all
/// removed on drop.
struct Lab {
    pair: Pair,
}

impl Lab {
    fn new() -> Lab {
        // The kernel processes RAs (our reference) but sends no RS of its own, so the only
        // solicitation radvd sees is the engine's.
        let pair = Pair::builder("ho")
            .interfaces("sxhr0", "sxhh0")
            .router_mac(ROUTER_MAC)
            .host_mac(HOST_MAC)
            .router_sysctl("net.ipv6.conf.all.forwarding=1")
            .host_sysctl("net.ipv6.conf.{if}.accept_ra=2")
            .host_sysctl("net.ipv6.conf.{if}.addr_gen_mode=0")
            .host_sysctl("net.ipv6.conf.{if}.router_solicitations=0")
            .host_sysctl("net.ipv6.conf.{if}.accept_ra_rt_info_max_plen=64")
            .build();
        for (side, dev, ll) in [
            (Side::Router, "sxhr0", ROUTER_LL),
            (Side::Host, "sxhh0", HOST_LL),
        ] {
            assert!(pair
                .ip(side, &["-6", "addr", "show", "dev", dev])
                .contains(ll));
        }
        Lab { pair }
    }

    fn start_radvd(&mut self) {
        let conf = self.pair.path("radvd.conf");
        std::fs::write(&conf, RADVD_CONF).unwrap();
        let pid = self.pair.path("radvd.pid");
        self.pair.spawn(
            Side::Router,
            &["radvd", "-n", "-m", "stderr", "-C", &conf, "-p", &pid],
            "radvd.log",
        );
    }

    /// Starts a listener in the host namespace; returns once its socket is open.
    fn listen(&self, unicast_only: bool, seconds: u32) -> Child {
        let mut child = Command::new("ip")
            .args([
                "netns",
                "exec",
                &self.pair.host,
                "/usr/bin/python3",
                "-c",
                LISTENER,
            ])
            .arg(if unicast_only { "unicast" } else { "any" })
            .arg(seconds.to_string())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3");
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "ready");
        child
    }

    fn host_addrs(&self) -> String {
        self.pair
            .ip(Side::Host, &["-6", "addr", "show", "dev", "sxhh0"])
    }

    fn send_from_host(&self, src: Ipv6Addr, dst: Ipv6Addr, bytes: &[u8]) {
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let script = format!(
            "import socket\n\
             i = socket.if_nametoindex('sxhh0')\n\
             s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)\n\
             s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)\n\
             s.bind(('{src}', 0, 0, i))\n\
             s.sendto(bytes.fromhex('{hex}'), ('{dst}', 0, 0, i))\n"
        );
        self.pair
            .exec(Side::Host, &["/usr/bin/python3", "-c", &script]);
    }
}

fn wait(what: &str, ok: impl FnMut() -> bool) {
    wait_for(what, StdDuration::from_secs(15), ok)
}

/// One RA as the listener saw it.
struct Received {
    meta: IpMeta,
    bytes: Vec<u8>,
}

fn received(listener: Child) -> Received {
    let out = listener.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().next().unwrap_or_default();
    let fields: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(fields.len(), 4, "listener said {text:?}");
    let bytes = (0..fields[3].len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&fields[3][i..i + 2], 16).unwrap())
        .collect();
    Received {
        meta: IpMeta {
            src: fields[0].parse().unwrap(),
            dst: fields[1].parse().unwrap(),
            hop_limit: fields[2].parse().unwrap(),
            had_fragment_header: false,
        },
        bytes,
    }
}

fn new_host(seed: u64) -> Host<4, 8, 8> {
    let mut config = HostConfig::new(HOST_MAC_BYTES, [0; 32], seed);
    config.iid = IidMode::Eui64;
    config.source = HOST_LL.parse().unwrap();
    Host::new(config, Instant::ZERO)
}

/// Feeds the RA; returns the events, acknowledging DAD probes as unique.
fn feed(host: &mut Host<4, 8, 8>, ra: &Received) -> Vec<Event> {
    let now = Instant::from_secs(1);
    if let Err(e) = host.handle_ra_bytes(now, &ra.meta, &ra.bytes) {
        panic!(
            "radvd sent something we cannot decode ({e}): {:02x?}",
            ra.bytes
        )
    }
    let mut all = Vec::new();
    while let Some(e) = host.poll_event() {
        if let Event::ProbeAddress { address } = e {
            host.handle_dad_result(now, address, DadResult::Ok);
        }
        all.push(e);
    }
    all
}

#[test]
#[ignore = "needs root + peers: run by .ci/run"]
fn the_host_engine_reads_radvd_as_the_kernel_does_and_radvd_answers_its_rs() {
    let mut lab = Lab::new();
    let router: Ipv6Addr = ROUTER_LL.parse().unwrap();
    let expected: Ipv6Addr = "2001:db8:cafe::f816:3eff:fe79:5acc".parse().unwrap();

    // 1. radvd's first (unsolicited) RA.
    let listener = lab.listen(false, 15);
    lab.start_radvd();
    let ra = received(listener);
    assert_eq!(ra.meta.src, router);
    assert_eq!(ra.meta.hop_limit, 255);
    let mut host = new_host(1);
    let events = feed(&mut host, &ra);
    assert!(
        events.contains(&Event::ProbeAddress { address: expected }),
        "{events:?}"
    );
    assert!(events.contains(&Event::DefaultRouterAdded {
        router,
        preference: Preference::Medium
    }));
    assert!(events.contains(&Event::RouteAdded {
        prefix: "2001:db8:100::".parse().unwrap(),
        len: 48,
        router,
        preference: Preference::High
    }));
    assert!(events.contains(&Event::MtuChanged { mtu: 1400 }));
    assert_eq!(host.dhcpv6_mode(), Dhcpv6Mode::None);
    assert_eq!(
        host.dns().servers().collect::<Vec<_>>(),
        ["2001:db8:cafe:a::e".parse::<Ipv6Addr>().unwrap()]
    );
    let names: Vec<Vec<u8>> = host
        .dns()
        .search_list()
        .map(|n| n.as_bytes().to_vec())
        .collect();
    assert_eq!(names, [b"\x0eopenstacklocal\x00".to_vec()]);
    // The kernel, from the same RA, formed the same address.
    wait("the kernel's SLAAC address", || {
        lab.host_addrs().contains(&format!("inet6 {expected}/64"))
    });

    // 2. The engine's Router Solicitation, answered by radvd with a unicast RA.
    let listener = lab.listen(true, 10);
    let mut host = new_host(2);
    let mut buf = [0u8; 128];
    let due = host.poll_timeout().unwrap();
    let tx = host.poll_transmit(due, &mut buf).unwrap();
    assert_eq!(tx.src, HOST_LL.parse::<Ipv6Addr>().unwrap());
    lab.send_from_host(tx.src, tx.dst, &buf[..tx.len]);
    let answer = received(listener);
    assert_eq!(answer.meta.src, router);
    assert_eq!(answer.meta.dst, tx.src, "a unicast answer to our RS");
    assert_eq!(answer.meta.hop_limit, 255);
    let events = feed(&mut host, &answer);
    assert!(events.contains(&Event::AddressAdded {
        address: expected,
        prefix_len: 64,
        valid: sixconf_core::time::Duration::from_secs(86400),
        preferred: sixconf_core::time::Duration::from_secs(14400),
    }));
    // The answer ended the solicitations.
    assert_eq!(
        host.poll_transmit(due + sixconf_core::time::Duration::from_secs(4), &mut buf),
        None
    );
}
