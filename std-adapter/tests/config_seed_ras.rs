//! The example files for the seed's three modes, read by the configuration reader and handed to
//! the real RA Advertiser, send the seed's Router Advertisements byte for byte (checksums
//! included; the goldens are core's, from the seed's tcpdump traces).

use std::path::Path;

use sixconf::config;
use sixconf_core::ra::{Advertiser, Link};
use sixconf_core::time::Instant;
use sixconf_core::wire::ndisc::{NdOption, Repr};

const SEED_SLAAC_RA: &str = "8600d68e4000001e0000000000000000030440c000015180000038400000000020010db8cafe000000000000000000000101fa163ec317b4";
const SEED_STATEFUL_RA: &str = "8600012b4080001e00000000000000000101fa163e77e5a0";
const SEED_STATELESS_RA: &str = "86008d134040001e0000000000000000030440c000015180000038400000000020010db8cafe000200000000000000000101fa163ec1bc52";

fn example(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../examples")
            .join(name),
    )
    .unwrap()
}

/// The first RA the Advertiser sends for `text`'s only link, from the seed router's
/// link-local address and MAC (the runtime fills the MAC in from the interface).
fn first_ra(text: &str, mac: [u8; 6]) -> Vec<u8> {
    let cfg = config::parse(text).unwrap();
    let spec = &cfg.links[0];
    let mut profile = spec.profile.clone();
    assert!(spec.source_link_layer);
    profile.router.source_link_layer = Some(mac);
    let ll = format!(
        "fe80::f816:3eff:fe{:02x}:{:02x}{:02x}",
        mac[3], mac[4], mac[5]
    );
    let link = Link {
        link_local: ll.parse().unwrap(),
        mtu: 1500,
    };
    let mut adv = Advertiser::new(profile, link, 1, Instant::ZERO).unwrap();
    let mut buf = [0u8; 1500];
    let tx = adv.poll_transmit(Instant::ZERO, &mut buf).unwrap();
    assert!(tx.last_part);
    buf[..tx.len].to_vec()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[test]
fn stateless_example_sends_the_seeds_ra() {
    let ra = first_ra(
        &example("dhcpv6-stateless.toml"),
        [0xfa, 0x16, 0x3e, 0xc1, 0xbc, 0x52],
    );
    assert_eq!(hex(&ra), SEED_STATELESS_RA);
}

#[test]
fn stateful_example_sends_the_seeds_ra() {
    let ra = first_ra(
        &example("dhcpv6-stateful.toml"),
        [0xfa, 0x16, 0x3e, 0x77, 0xe5, 0xa0],
    );
    assert_eq!(hex(&ra), SEED_STATEFUL_RA);
}

#[test]
fn slaac_example_sends_the_seeds_ra_plus_dns() {
    let mac = [0xfa, 0x16, 0x3e, 0xc3, 0x17, 0xb4];
    let text = example("slaac.toml");
    // Without the DNS lines (the seed's radvd sent none): the seed's RA exactly.
    let bare: String = text
        .lines()
        .filter(|l| !l.starts_with("dns_servers") && !l.starts_with("domain_search"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(hex(&first_ra(&bare, mac)), SEED_SLAAC_RA);

    // As shipped: the same RA with RDNSS and DNSSL (RFC 8106) for 3 × 10 s.
    let ra = first_ra(&text, mac);
    let src = "fe80::f816:3eff:fec3:17b4".parse().unwrap();
    let dst = "ff02::1".parse().unwrap();
    let Ok(Repr::RouterAdvert(adv)) = Repr::parse_verified(&ra, &src, &dst) else {
        panic!("not an RA: {}", hex(&ra));
    };
    assert_eq!(&ra[4..16], &hex_bytes(SEED_SLAAC_RA)[4..16]);
    let mut rdnss = None;
    let mut dnssl = None;
    for o in adv.options.iter() {
        match o {
            NdOption::Rdnss(r) => rdnss = Some((r.lifetime, r.servers.into_iter().count())),
            NdOption::Dnssl(d) => dnssl = Some(d.lifetime),
            _ => {}
        }
    }
    assert_eq!(rdnss, Some((30, 1)));
    assert_eq!(dnssl, Some(30));
}

fn hex_bytes(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}
