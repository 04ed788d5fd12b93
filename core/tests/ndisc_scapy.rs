//! Golden bytes built by scapy 2.5 (`core/tests/scapy/gen_ndisc.py`), covering every option
//! type and every message: each is parsed and compared with the `Repr` below (whose values are
//! the ones given to scapy), and that `Repr` is emitted and compared with scapy's bytes,
//! checksum included. tshark 4 dissects the same bytes to the same fields with "[correct]"
//! checksums (PREF64, Captive Portal and Nonce, which scapy lacks, were checked there).

use core::net::Ipv6Addr;

use sixconf_core::wire::ndisc::option::{
    CaptivePortal, Dnssl, Domains, Ipv6Addrs, LinkLayerAddress, Nonce, Pref64, Pref64Length,
    PrefixInformation, Rdnss, RedirectedHeader, RouteInformation,
};
use sixconf_core::wire::ndisc::{
    NdOption, NeighborAdvertRepr, NeighborSolicitRepr, OptionsRepr, RedirectRepr, Repr,
    RouterAdvertRepr, RouterPreference, RouterSolicitRepr,
};

const RA_FIVE_OPTIONS: &str = "86004f614048070800007530000003e80101fa163ec317b405010000000005dc030440c000015180000038400000000020010db8cafe00000000000000000000190500000000025820010db8cafe000a000000000000000e20010db8cafe000a000000000000000f1f050000000002580e6f70656e737461636b6c6f63616c00076578616d706c6503636f6d00000000";
const RA_ROUTES: &str = "8600318300fc0000000000000000000018010008ffffffff180230000000070820010db8beef0000180360180000025820010db8000100020003000400000000";
const RA_PREF64_CAPTIVE_PIO_FLAGS: &str = "8600ba99ff102328000000000000000003048020ffffffffffffffff0000000020010db80000000000000000000000010304389000001c2000000e100000000020010db8ab0000000000000000000000260207080064ff9b00000000000000002602fffd20010db86464000000000000250568747470733a2f2f706f7274616c2e6578616d706c652f636170706f72742f61706900000000";
const RS_UNSPECIFIED_NO_OPTIONS: &str = "85007bb800000000";
const NS_DAD_WITH_NONCE: &str = "870004360000000020010db8cafe0000f8163efffec317b40e010102030405a6";
const NS_RESOLVE_WITH_SLLA: &str =
    "8700de7e00000000fe8000000000000000000000000000010101fa163ec317b4";
const NA_ROUTER_SOLICITED_OVERRIDE: &str =
    "88009b8ee0000000fe800000000000000000000000000001020100005e005301";
const NA_UNSOLICITED_MULTICAST: &str =
    "8800f91e2000000020010db80000000000000000000000050201020000000005";
const REDIRECT: &str = "8900386e00000000fe80000000000000000000000000000220010db8007700000000000000000001020100005e005302040700000000000060000000000d113f20010db800000000000000000000009920010db800770000000000000000000114e90035000d4a61";

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn a(s: &str) -> Ipv6Addr {
    s.parse().unwrap()
}

const R: &str = "fe80::f816:3eff:fec3:17b4";
const MAC: [u8; 6] = [0xfa, 0x16, 0x3e, 0xc3, 0x17, 0xb4];

fn both_ways(wire_hex: &str, src: &str, dst: &str, expected: Repr<'_>) {
    let wire = hex(wire_hex);
    let (src, dst) = (a(src), a(dst));
    let parsed = Repr::parse_verified(&wire, &src, &dst).unwrap();
    assert_eq!(parsed, expected);
    let mut out = vec![0u8; expected.buffer_len()];
    assert_eq!(expected.emit(&src, &dst, &mut out), Ok(wire.len()));
    assert_eq!(hex_of(&out), wire_hex);
    // Formatting what was decoded is total.
    assert!(!format!("{parsed} {parsed:?}").is_empty());
}

fn hex_of(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn ra<'a>(
    cur_hop_limit: u8,
    flags: [bool; 4],
    router_preference: RouterPreference,
    lifetimes: (u16, u32, u32),
    options: &'a [NdOption<'a>],
) -> Repr<'a> {
    Repr::RouterAdvert(RouterAdvertRepr {
        cur_hop_limit,
        managed: flags[0],
        other: flags[1],
        home_agent: flags[2],
        proxy: flags[3],
        router_preference,
        router_lifetime: lifetimes.0,
        reachable_time: lifetimes.1,
        retrans_timer: lifetimes.2,
        options: OptionsRepr::List(options),
    })
}

#[test]
fn ra_with_slla_mtu_pio_rdnss_dnssl() {
    let dns = [a("2001:db8:cafe:a::e"), a("2001:db8:cafe:a::f")];
    let search = ["openstacklocal.", "example.com."];
    let options = [
        NdOption::SourceLinkLayerAddress(LinkLayerAddress::new(&MAC)),
        NdOption::Mtu(1500),
        NdOption::PrefixInformation(PrefixInformation {
            prefix_len: 64,
            on_link: true,
            autonomous: true,
            router_address: false,
            pd_preferred: false,
            valid_lifetime: 86400,
            preferred_lifetime: 14400,
            prefix: a("2001:db8:cafe::"),
        }),
        NdOption::Rdnss(Rdnss {
            lifetime: 600,
            servers: Ipv6Addrs::List(&dns),
        }),
        NdOption::Dnssl(Dnssl {
            lifetime: 600,
            domains: Domains::List(&search),
        }),
    ];
    both_ways(
        RA_FIVE_OPTIONS,
        R,
        "ff02::1",
        ra(
            64,
            [false, true, false, false],
            RouterPreference::High,
            (1800, 30000, 1000),
            &options,
        ),
    );
}

#[test]
fn ra_with_route_information_and_all_flags() {
    let options = [
        NdOption::RouteInformation(RouteInformation {
            prefix_len: 0,
            preference: RouterPreference::High,
            route_lifetime: u32::MAX,
            prefix: Ipv6Addr::UNSPECIFIED,
        }),
        NdOption::RouteInformation(RouteInformation {
            prefix_len: 48,
            preference: RouterPreference::Medium,
            route_lifetime: 1800,
            prefix: a("2001:db8:beef::"),
        }),
        NdOption::RouteInformation(RouteInformation {
            prefix_len: 96,
            preference: RouterPreference::Low,
            route_lifetime: 600,
            prefix: a("2001:db8:1:2:3:4::"),
        }),
    ];
    both_ways(
        RA_ROUTES,
        R,
        "ff02::1",
        ra(0, [true; 4], RouterPreference::Low, (0, 0, 0), &options),
    );
}

#[test]
fn ra_with_pref64_captive_portal_and_pio_r_p_flags() {
    let options = [
        NdOption::PrefixInformation(PrefixInformation {
            prefix_len: 128,
            on_link: false,
            autonomous: false,
            router_address: true,
            pd_preferred: false,
            valid_lifetime: u32::MAX,
            preferred_lifetime: u32::MAX,
            prefix: a("2001:db8::1"),
        }),
        NdOption::PrefixInformation(PrefixInformation {
            prefix_len: 56,
            on_link: true,
            autonomous: false,
            router_address: false,
            pd_preferred: true,
            valid_lifetime: 7200,
            preferred_lifetime: 3600,
            prefix: a("2001:db8:ab00::"),
        }),
        NdOption::Pref64(Pref64 {
            scaled_lifetime: 225,
            length: Pref64Length::L96,
            prefix: a("64:ff9b::"),
        }),
        NdOption::Pref64(Pref64 {
            scaled_lifetime: 8191,
            length: Pref64Length::L32,
            prefix: a("2001:db8:6464::"),
        }),
        NdOption::CaptivePortal(CaptivePortal::new(b"https://portal.example/capport/api")),
    ];
    let expected = ra(
        255,
        [false; 4],
        RouterPreference::Reserved,
        (9000, 0, 0),
        &options,
    );
    both_ways(RA_PREF64_CAPTIVE_PIO_FLAGS, R, "ff02::1", expected);
    let wire = hex(RA_PREF64_CAPTIVE_PIO_FLAGS);
    let parsed = Repr::parse_verified(&wire, &a(R), &a("ff02::1")).unwrap();
    let text = parsed.to_string();
    assert!(text.contains("64:ff9b::/96, lifetime 1800s"), "{text}");
    assert!(
        text.contains("2001:db8:6464::/32, lifetime 65528s"),
        "{text}"
    );
    assert!(
        text.contains("https://portal.example/capport/api"),
        "{text}"
    );
    assert!(text.contains("Flags [onlink, pd]"), "{text}");
    assert!(text.contains("pref reserved"), "{text}");
}

#[test]
fn rs_from_unspecified_without_options() {
    both_ways(
        RS_UNSPECIFIED_NO_OPTIONS,
        "::",
        "ff02::2",
        Repr::RouterSolicit(RouterSolicitRepr {
            options: OptionsRepr::NONE,
        }),
    );
}

#[test]
fn ns_for_dad_with_nonce() {
    let nonce = [1, 2, 3, 4, 5, 0xa6];
    let options = [NdOption::Nonce(Nonce::new(&nonce))];
    both_ways(
        NS_DAD_WITH_NONCE,
        "::",
        "ff02::1:ffc3:17b4",
        Repr::NeighborSolicit(NeighborSolicitRepr {
            target: a("2001:db8:cafe::f816:3eff:fec3:17b4"),
            options: OptionsRepr::List(&options),
        }),
    );
}

#[test]
fn ns_for_address_resolution_with_slla() {
    let options = [NdOption::SourceLinkLayerAddress(LinkLayerAddress::new(
        &MAC,
    ))];
    both_ways(
        NS_RESOLVE_WITH_SLLA,
        R,
        "ff02::1:ff00:1",
        Repr::NeighborSolicit(NeighborSolicitRepr {
            target: a("fe80::1"),
            options: OptionsRepr::List(&options),
        }),
    );
}

#[test]
fn na_router_solicited_override() {
    let mac = [0, 0, 0x5e, 0, 0x53, 1];
    let options = [NdOption::TargetLinkLayerAddress(LinkLayerAddress::new(
        &mac,
    ))];
    both_ways(
        NA_ROUTER_SOLICITED_OVERRIDE,
        "fe80::1",
        R,
        Repr::NeighborAdvert(NeighborAdvertRepr {
            router_flag: true,
            solicited_flag: true,
            override_flag: true,
            target: a("fe80::1"),
            options: OptionsRepr::List(&options),
        }),
    );
}

#[test]
fn na_unsolicited_to_all_nodes() {
    let mac = [2, 0, 0, 0, 0, 5];
    let options = [NdOption::TargetLinkLayerAddress(LinkLayerAddress::new(
        &mac,
    ))];
    both_ways(
        NA_UNSOLICITED_MULTICAST,
        "2001:db8::5",
        "ff02::1",
        Repr::NeighborAdvert(NeighborAdvertRepr {
            router_flag: false,
            solicited_flag: false,
            override_flag: true,
            target: a("2001:db8::5"),
            options: OptionsRepr::List(&options),
        }),
    );
}

#[test]
fn redirect_with_tlla_and_redirected_header() {
    let wire = hex(REDIRECT);
    // The redirected packet: the 48 bytes after the option header (offsets 40 + 8 TLLA + 8).
    let redirected = &wire[56..];
    assert_eq!(redirected[0], 0x60);
    let mac = [0, 0, 0x5e, 0, 0x53, 2];
    let options = [
        NdOption::TargetLinkLayerAddress(LinkLayerAddress::new(&mac)),
        NdOption::RedirectedHeader(RedirectedHeader::new(redirected)),
    ];
    both_ways(
        REDIRECT,
        "fe80::1",
        "2001:db8::99",
        Repr::Redirect(RedirectRepr {
            target: a("fe80::2"),
            destination: a("2001:db8:77::1"),
            options: OptionsRepr::List(&options),
        }),
    );
}
