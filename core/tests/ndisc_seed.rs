//! Golden bytes from the seed (OpenStack Kilo traces, `tcpdump -vvv`): the SLAAC, stateful and
//! stateless RAs and the RS, parsed and emitted both ways. The hex was produced by scapy 2.x
//! (`IPv6()/ICMPv6ND_RA()/ICMPv6NDOptPrefixInfo()/ICMPv6NDOptSrcLLAddr()`) from the fields the
//! tcpdump decode shows, so the checksums are scapy's, not ours.

use core::net::Ipv6Addr;

use sixconf_core::wire::icmpv6;
use sixconf_core::wire::ndisc::option::{LinkLayerAddress, PrefixInformation};
use sixconf_core::wire::ndisc::{
    NdOption, OptionsRepr, Repr, RouterAdvertRepr, RouterPreference, RouterSolicitRepr,
};

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn addr(s: &str) -> Ipv6Addr {
    s.parse().unwrap()
}

const SLAAC_RA: &str = "8600d68e4000001e0000000000000000030440c000015180000038400000000020010db8cafe000000000000000000000101fa163ec317b4";
const STATEFUL_RA: &str = "8600012b4080001e00000000000000000101fa163e77e5a0";
const STATELESS_RA: &str = "86008d134040001e0000000000000000030440c000015180000038400000000020010db8cafe000200000000000000000101fa163ec1bc52";
const RS: &str = "85005875000000000101fa163e795acc";

fn seed_ra<'a>(managed: bool, other: bool, options: &'a [NdOption<'a>]) -> Repr<'a> {
    Repr::RouterAdvert(RouterAdvertRepr {
        cur_hop_limit: 64,
        managed,
        other,
        home_agent: false,
        proxy: false,
        router_preference: RouterPreference::Medium,
        router_lifetime: 30,
        reachable_time: 0,
        retrans_timer: 0,
        options: OptionsRepr::List(options),
    })
}

fn pio(prefix: &str) -> NdOption<'static> {
    NdOption::PrefixInformation(PrefixInformation {
        prefix_len: 64,
        on_link: true,
        autonomous: true,
        router_address: false,
        pd_preferred: false,
        valid_lifetime: 86400,
        preferred_lifetime: 14400,
        prefix: addr(prefix),
    })
}

/// Parse `wire` (checksum verified for src → dst), compare with `expected`, emit `expected` and
/// compare with `wire`.
fn both_ways(wire_hex: &str, src: &str, dst: &str, expected: Repr<'_>) {
    let wire = hex(wire_hex);
    let (src, dst) = (addr(src), addr(dst));
    let parsed = Repr::parse_verified(&wire, &src, &dst).unwrap();
    assert_eq!(parsed, expected);
    assert_eq!(expected.buffer_len(), wire.len());
    let mut out = vec![0xeeu8; wire.len()];
    assert_eq!(expected.emit(&src, &dst, &mut out).unwrap(), wire.len());
    assert_eq!(out, wire);
    // And the parsed form re-emits byte for byte.
    let mut again = vec![0u8; wire.len()];
    parsed.emit(&src, &dst, &mut again).unwrap();
    assert_eq!(again, wire);
}

#[test]
fn slaac_ra_from_fe80_f816_3eff_fec3_17b4() {
    let mac = [0xfa, 0x16, 0x3e, 0xc3, 0x17, 0xb4];
    let options = [
        pio("2001:db8:cafe::"),
        NdOption::SourceLinkLayerAddress(LinkLayerAddress::new(&mac)),
    ];
    both_ways(
        SLAAC_RA,
        "fe80::f816:3eff:fec3:17b4",
        "ff02::1",
        seed_ra(false, false, &options),
    );
}

#[test]
fn stateful_ra_from_fe80_f816_3eff_fe77_e5a0() {
    let mac = [0xfa, 0x16, 0x3e, 0x77, 0xe5, 0xa0];
    let options = [NdOption::SourceLinkLayerAddress(LinkLayerAddress::new(
        &mac,
    ))];
    both_ways(
        STATEFUL_RA,
        "fe80::f816:3eff:fe77:e5a0",
        "ff02::1",
        seed_ra(true, false, &options),
    );
}

#[test]
fn stateless_ra_from_fe80_f816_3eff_fec1_bc52() {
    let mac = [0xfa, 0x16, 0x3e, 0xc1, 0xbc, 0x52];
    let options = [
        pio("2001:db8:cafe:2::"),
        NdOption::SourceLinkLayerAddress(LinkLayerAddress::new(&mac)),
    ];
    both_ways(
        STATELESS_RA,
        "fe80::f816:3eff:fec1:bc52",
        "ff02::1",
        seed_ra(false, true, &options),
    );
}

#[test]
fn rs_from_fe80_f816_3eff_fe79_5acc() {
    let mac = [0xfa, 0x16, 0x3e, 0x79, 0x5a, 0xcc];
    let options = [NdOption::SourceLinkLayerAddress(LinkLayerAddress::new(
        &mac,
    ))];
    both_ways(
        RS,
        "fe80::f816:3eff:fe79:5acc",
        "ff02::2",
        Repr::RouterSolicit(RouterSolicitRepr {
            options: OptionsRepr::List(&options),
        }),
    );
}

#[test]
fn slaac_ra_reads_as_tcpdump_shows_it() {
    let wire = hex(SLAAC_RA);
    let packet = icmpv6::Packet::new_checked(&wire[..]).unwrap();
    let Repr::RouterAdvert(ra) = Repr::parse(&packet).unwrap() else {
        panic!("not an RA")
    };
    assert_eq!(packet.checksum(), 0xd68e);
    let text = ra.to_string();
    assert!(text.contains("hop limit 64, Flags [none], pref medium, router lifetime 30s"));
    assert!(text.contains(
        "prefix info option (3), length 32 (4): 2001:db8:cafe::/64, Flags [onlink, auto], valid time 86400s, pref. time 14400s"
    ));
    assert!(text.contains("source link-address option (1), length 8 (1): fa:16:3e:c3:17:b4"));
    let options: Vec<_> = ra.options.iter().collect();
    assert_eq!(options.len(), 2);
    match options[1] {
        NdOption::SourceLinkLayerAddress(l) => {
            assert_eq!(l.ethernet(), Some([0xfa, 0x16, 0x3e, 0xc3, 0x17, 0xb4]))
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn corrupted_checksum_is_reported() {
    let mut wire = hex(SLAAC_RA);
    wire[20] ^= 0x01;
    let err = Repr::parse_verified(&wire, &addr("fe80::f816:3eff:fec3:17b4"), &addr("ff02::1"))
        .unwrap_err();
    assert!(matches!(
        err,
        sixconf_core::wire::Error::BadChecksum { found: 0xd68e, .. }
    ));
}

#[test]
fn message_reprs_emit_directly() {
    let mac = [0xfa, 0x16, 0x3e, 0x77, 0xe5, 0xa0];
    let options = [NdOption::SourceLinkLayerAddress(LinkLayerAddress::new(
        &mac,
    ))];
    let ra = RouterAdvertRepr {
        cur_hop_limit: 64,
        managed: true,
        router_lifetime: 30,
        options: OptionsRepr::List(&options),
        ..Default::default()
    };
    let mut buf = [0u8; 64];
    let len = ra
        .emit(
            &addr("fe80::f816:3eff:fe77:e5a0"),
            &addr("ff02::1"),
            &mut buf,
        )
        .unwrap();
    assert_eq!(buf[..len], hex(STATEFUL_RA)[..]);
    let mac = [0xfa, 0x16, 0x3e, 0x79, 0x5a, 0xcc];
    let options = [NdOption::SourceLinkLayerAddress(LinkLayerAddress::new(
        &mac,
    ))];
    let rs = RouterSolicitRepr {
        options: OptionsRepr::List(&options),
    };
    let len = rs
        .emit(
            &addr("fe80::f816:3eff:fe79:5acc"),
            &addr("ff02::2"),
            &mut buf,
        )
        .unwrap();
    assert_eq!(buf[..len], hex(RS)[..]);
}
