//! The stateful and stateless example files, through the configuration reader and the real
//! DHCPv6 server engine, answer the seed's clients with what the seed's traces show: Advertise
//! with preference 255, T1 3600 / T2 6300, lifetimes 7200 / 7500, the DNS server and the
//! `openstacklocal` search list; the stateless Reply with refresh time 86400.

use std::net::Ipv6Addr;
use std::path::Path;

use sixconf::config::{self, Config};
use sixconf_core::dhcpv6::server::{RxMeta, Server, Slot};
use sixconf_core::time::Instant;
use sixconf_core::wire::dhcpv6::{build, DhcpOption, DuidBuf, MessageType, OptionCode, Repr};

/// The seed's stateful client: DUID-LLT hw type 1, time 482446373, fa:16:3e:22:38:6b.
const SEED_DUID: [u8; 14] = [
    0, 1, 0, 1, 0x1c, 0xc1, 0x96, 0x25, 0xfa, 0x16, 0x3e, 0x22, 0x38, 0x6b,
];
const SEED_IAID: u32 = 1_042_430_059;

fn load(name: &str) -> Config {
    config::load(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../examples")
            .join(name),
    )
    .unwrap()
}

fn serve(cfg: &Config, msg: &[u8]) -> Vec<u8> {
    let links = cfg.server_links(|_| Some(2)).unwrap();
    let duid = DuidBuf::from_bytes(&[0, 3, 0, 1, 0xfa, 0x16, 0x3e, 0x06, 0x17, 0x6f]).unwrap();
    let storage = vec![Slot::EMPTY; 16].into_boxed_slice();
    let mut srv: Server<_, 8> = Server::new(duid, links, cfg.server.limits, storage, 1);
    let meta = RxMeta {
        ifindex: 2,
        src: "fe80::f816:3eff:fe22:386b".parse().unwrap(),
        dst: "ff02::1:2".parse().unwrap(),
        source_mac: None,
    };
    let mut out = [0u8; 1500];
    let tx = srv
        .handle_message(Instant::from_secs(1000), &meta, msg, &mut out)
        .unwrap();
    out[..tx.len].to_vec()
}

/// The seed's option request: DNS-server DNS-search-list Client-FQDN SNTP-servers.
fn oro(w: &mut sixconf_core::wire::dhcpv6::Writer<'_>) {
    w.oro(&[
        OptionCode::DnsServers,
        OptionCode::DomainList,
        OptionCode::ClientFqdn,
        OptionCode::SntpServers,
    ]);
}

#[test]
fn stateful_example_advertises_like_the_seed() {
    let cfg = load("dhcpv6-stateful.toml");
    let mut solicit = [0u8; 128];
    let n = build(&mut solicit, |w| {
        w.header(MessageType::Solicit, 0x85680b);
        w.option(1, &SEED_DUID);
        oro(w);
        w.option(8, &[0, 101]);
        w.begin_ia_na(SEED_IAID, 3600, 5400).end();
    })
    .unwrap();
    let reply = serve(&cfg, &solicit[..n]);
    let repr = Repr::parse(&reply).unwrap();
    let m = repr.message();
    assert_eq!(m.msg_type, MessageType::Advertise);
    let (mut pref, mut dns, mut domains, mut ia) = (None, Vec::new(), Vec::new(), None);
    for o in m.options.iter() {
        match o {
            DhcpOption::Preference(p) => pref = Some(p),
            DhcpOption::DnsServers(d) => dns = d.iter().collect(),
            DhcpOption::DomainList(d) => domains = d.as_bytes().to_vec(),
            DhcpOption::IaNa(i) => {
                let a = i.addresses().next().unwrap();
                ia = Some((
                    i.iaid,
                    i.t1,
                    i.t2,
                    a.address,
                    a.preferred_lifetime,
                    a.valid_lifetime,
                ));
            }
            _ => {}
        }
    }
    assert_eq!(pref, Some(255));
    assert_eq!(dns, ["2001:db8:cafe:a::e".parse::<Ipv6Addr>().unwrap()]);
    assert_eq!(domains, b"\x0eopenstacklocal\x00");
    let (iaid, t1, t2, addr, pl, vl) = ia.unwrap();
    assert_eq!((iaid, t1, t2, pl, vl), (SEED_IAID, 3600, 6300, 7200, 7500));
    // From the seed's allocation pool.
    assert!((u128::from(addr) >> 64) == 0x2001_0db8_cafe_0001 && u128::from(addr) as u64 >= 2);
}

#[test]
fn stateless_example_answers_information_request_like_the_seed() {
    let cfg = load("dhcpv6-stateless.toml");
    let client = [0, 3, 0, 1, 0xfa, 0x16, 0x3e, 0xfe, 0xd1, 0x57];
    let mut req = [0u8; 128];
    let n = build(&mut req, |w| {
        w.header(MessageType::InformationRequest, 0xd2dbc8);
        w.option(1, &client);
        oro(w);
        w.option(8, &[0, 94]);
    })
    .unwrap();
    let reply = serve(&cfg, &req[..n]);
    let repr = Repr::parse(&reply).unwrap();
    let m = repr.message();
    assert_eq!(m.msg_type, MessageType::Reply);
    let (mut refresh, mut dns, mut domains) = (None, Vec::new(), Vec::new());
    for o in m.options.iter() {
        match o {
            DhcpOption::InformationRefreshTime(t) => refresh = Some(t),
            DhcpOption::DnsServers(d) => dns = d.iter().collect(),
            DhcpOption::DomainList(d) => domains = d.as_bytes().to_vec(),
            DhcpOption::IaNa(_) | DhcpOption::IaPd(_) => panic!("stateless reply with an IA"),
            _ => {}
        }
    }
    assert_eq!(refresh, Some(86_400));
    assert_eq!(dns, ["2001:db8:cafe:a::e".parse::<Ipv6Addr>().unwrap()]);
    assert_eq!(domains, b"\x0eopenstacklocal\x00");
}
