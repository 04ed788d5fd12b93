//! Property tests: parse → emit → parse is the identity for arbitrary `Repr`s; no input makes
//! the decoder (or the `Debug`/`Display` of what it decoded) panic; the checksum matches a
//! naive RFC 1071 sum.

use core::fmt::Write as _;
use core::net::Ipv6Addr;

use proptest::prelude::*;
use sixconf_core::wire::icmpv6;
use sixconf_core::wire::ndisc::option::{
    CaptivePortal, Dnssl, Domains, Ipv6Addrs, LinkLayerAddress, Nonce, Pref64, Pref64Length,
    PrefixInformation, Rdnss, RedirectedHeader, RouteInformation,
};
use sixconf_core::wire::ndisc::{
    NdOption, NeighborAdvertRepr, NeighborSolicitRepr, OptionsRepr, RedirectRepr, Repr,
    RouterAdvertRepr, RouterPreference, RouterSolicitRepr,
};

/// An option that owns its variable-length content, so proptest can generate it.
#[derive(Debug, Clone)]
enum Owned {
    Slla(Vec<u8>),
    Tlla(Vec<u8>),
    Pio(PrefixInformation),
    Redirected(Vec<u8>),
    Mtu(u32),
    Rio(RouteInformation),
    Rdnss(u32, Vec<Ipv6Addr>),
    Dnssl(u32, Vec<&'static str>),
    Captive(Vec<u8>),
    Pref64(Pref64),
    Nonce(Vec<u8>),
    Unknown(u8, Vec<u8>),
}

impl Owned {
    fn as_nd(&self) -> NdOption<'_> {
        match self {
            Owned::Slla(b) => NdOption::SourceLinkLayerAddress(LinkLayerAddress::new(b)),
            Owned::Tlla(b) => NdOption::TargetLinkLayerAddress(LinkLayerAddress::new(b)),
            Owned::Pio(p) => NdOption::PrefixInformation(*p),
            Owned::Redirected(b) => NdOption::RedirectedHeader(RedirectedHeader::new(b)),
            Owned::Mtu(m) => NdOption::Mtu(*m),
            Owned::Rio(r) => NdOption::RouteInformation(*r),
            Owned::Rdnss(lifetime, servers) => NdOption::Rdnss(Rdnss {
                lifetime: *lifetime,
                servers: Ipv6Addrs::List(servers),
            }),
            Owned::Dnssl(lifetime, names) => NdOption::Dnssl(Dnssl {
                lifetime: *lifetime,
                domains: Domains::List(names),
            }),
            Owned::Captive(uri) => NdOption::CaptivePortal(CaptivePortal::new(uri)),
            Owned::Pref64(p) => NdOption::Pref64(*p),
            Owned::Nonce(n) => NdOption::Nonce(Nonce::new(n)),
            Owned::Unknown(kind, data) => NdOption::Unknown { kind: *kind, data },
        }
    }
}

const NAMES: [&str; 8] = [
    "example.com",
    "openstacklocal",
    "lab.example.org.",
    "a",
    "x-1.y-2.z-3",
    "corp",
    "very-long-label-for-testing-the-padding-of-dnssl.example",
    "b.c",
];

fn addr() -> impl Strategy<Value = Ipv6Addr> {
    any::<[u8; 16]>().prop_map(Ipv6Addr::from)
}

fn pref() -> impl Strategy<Value = RouterPreference> {
    (0u8..4).prop_map(RouterPreference::from_bits)
}

/// Bytes that fill an option of 1..=3 units exactly, after `header` bytes.
fn filling(header: usize) -> impl Strategy<Value = Vec<u8>> {
    (1usize..=3)
        .prop_flat_map(move |units| proptest::collection::vec(any::<u8>(), units * 8 - header))
}

fn option() -> impl Strategy<Value = Owned> {
    prop_oneof![
        filling(2).prop_map(Owned::Slla),
        filling(2).prop_map(Owned::Tlla),
        (
            0u8..=128,
            any::<[bool; 4]>(),
            any::<u32>(),
            any::<u32>(),
            addr()
        )
            .prop_map(|(prefix_len, f, valid, preferred, prefix)| Owned::Pio(
                PrefixInformation {
                    prefix_len,
                    on_link: f[0],
                    autonomous: f[1],
                    router_address: f[2],
                    pd_preferred: f[3],
                    valid_lifetime: valid,
                    preferred_lifetime: preferred,
                    prefix,
                }
            )),
        filling(8).prop_map(Owned::Redirected),
        any::<u32>().prop_map(Owned::Mtu),
        (0u8..=128, pref(), any::<u32>(), any::<[u8; 16]>()).prop_map(
            |(prefix_len, preference, route_lifetime, mut octets)| {
                // Only the bytes the shortest valid length carries survive a round trip.
                let carried = match prefix_len {
                    0 => 0,
                    1..=64 => 8,
                    _ => 16,
                };
                octets[carried..].fill(0);
                Owned::Rio(RouteInformation {
                    prefix_len,
                    preference,
                    route_lifetime,
                    prefix: Ipv6Addr::from(octets),
                })
            }
        ),
        (any::<u32>(), proptest::collection::vec(addr(), 1..5))
            .prop_map(|(l, s)| Owned::Rdnss(l, s)),
        (
            any::<u32>(),
            proptest::collection::vec(proptest::sample::select(&NAMES[..]), 0..4)
        )
            .prop_map(|(l, n)| Owned::Dnssl(l, n)),
        "[ -~]{1,60}".prop_map(|s| Owned::Captive(s.into_bytes())),
        (0u16..8192, 0u8..8, any::<[u8; 12]>()).prop_map(|(scaled_lifetime, plc, high)| {
            let mut octets = [0u8; 16];
            octets[..12].copy_from_slice(&high);
            Owned::Pref64(Pref64 {
                scaled_lifetime,
                length: Pref64Length::from_code(plc),
                prefix: Ipv6Addr::from(octets),
            })
        }),
        prop_oneof![
            proptest::collection::vec(any::<u8>(), 6),
            proptest::collection::vec(any::<u8>(), 14)
        ]
        .prop_map(Owned::Nonce),
        (
            any::<u8>().prop_filter("unknown type", |k| !matches!(
                k,
                1..=5 | 14 | 24 | 25 | 31 | 37 | 38
            )),
            filling(2)
        )
            .prop_map(|(k, d)| Owned::Unknown(k, d)),
    ]
}

/// The fixed fields of a message; options are added separately.
#[derive(Debug, Clone)]
enum Head {
    Rs,
    Ra([bool; 4], RouterPreference, u8, u16, u32, u32),
    Ns(Ipv6Addr),
    Na([bool; 3], Ipv6Addr),
    Redirect(Ipv6Addr, Ipv6Addr),
}

fn head() -> impl Strategy<Value = Head> {
    prop_oneof![
        Just(Head::Rs),
        (
            any::<[bool; 4]>(),
            pref(),
            any::<u8>(),
            any::<u16>(),
            any::<u32>(),
            any::<u32>()
        )
            .prop_map(|(f, p, h, l, r, t)| Head::Ra(f, p, h, l, r, t)),
        addr().prop_map(Head::Ns),
        (any::<[bool; 3]>(), addr()).prop_map(|(f, t)| Head::Na(f, t)),
        (addr(), addr()).prop_map(|(t, d)| Head::Redirect(t, d)),
    ]
}

fn build<'a>(head: &Head, options: &'a [NdOption<'a>]) -> Repr<'a> {
    let options = OptionsRepr::List(options);
    match *head {
        Head::Rs => Repr::RouterSolicit(RouterSolicitRepr { options }),
        Head::Ra(f, router_preference, cur_hop_limit, router_lifetime, reachable, retrans) => {
            Repr::RouterAdvert(RouterAdvertRepr {
                cur_hop_limit,
                managed: f[0],
                other: f[1],
                home_agent: f[2],
                proxy: f[3],
                router_preference,
                router_lifetime,
                reachable_time: reachable,
                retrans_timer: retrans,
                options,
            })
        }
        Head::Ns(target) => Repr::NeighborSolicit(NeighborSolicitRepr { target, options }),
        Head::Na(f, target) => Repr::NeighborAdvert(NeighborAdvertRepr {
            router_flag: f[0],
            solicited_flag: f[1],
            override_flag: f[2],
            target,
            options,
        }),
        Head::Redirect(target, destination) => Repr::Redirect(RedirectRepr {
            target,
            destination,
            options,
        }),
    }
}

/// Format into a string and walk everything a consumer could look at.
fn exercise(repr: &Repr<'_>) -> usize {
    let mut s = String::new();
    write!(s, "{repr}").unwrap();
    write!(s, "{repr:?}").unwrap();
    write!(s, "{repr:#?}").unwrap();
    for option in repr.options() {
        write!(s, "{option} {option:?} {}", option.option_type()).unwrap();
        match option {
            NdOption::Rdnss(r) => s.extend(r.servers.iter().map(|a| a.to_string())),
            NdOption::Dnssl(d) => s.extend(d.domains.iter().map(|n| n.to_string())),
            NdOption::CaptivePortal(c) => s.push_str(c.uri_str().unwrap_or("")),
            NdOption::Pref64(p) => s.push_str(&format!("{:?}", p.length.bits())),
            _ => {}
        }
    }
    s.len()
}

/// RFC 1071 done the obvious way over the pseudo-header laid out as bytes.
fn naive_checksum(src: &Ipv6Addr, dst: &Ipv6Addr, msg: &[u8]) -> u16 {
    let mut bytes = Vec::new();
    bytes.extend_from_slice(&src.octets());
    bytes.extend_from_slice(&dst.octets());
    bytes.extend_from_slice(&(msg.len() as u32).to_be_bytes());
    bytes.extend_from_slice(&[0, 0, 0, 58]);
    bytes.extend_from_slice(msg);
    if msg.len() >= 4 {
        let at = 40;
        bytes[at + 2] = 0;
        bytes[at + 3] = 0;
    }
    if bytes.len() % 2 == 1 {
        bytes.push(0);
    }
    let mut sum = 0u32;
    for w in bytes.chunks(2) {
        sum += u32::from(u16::from_be_bytes([w[0], w[1]]));
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn emit_then_parse_is_identity(
        head in head(),
        owned in proptest::collection::vec(option(), 0..8),
        src in addr(),
        dst in addr(),
    ) {
        let options: Vec<NdOption<'_>> = owned.iter().map(Owned::as_nd).collect();
        let repr = build(&head, &options);
        let len = repr.buffer_len();
        let mut buf = vec![0u8; len];
        prop_assert_eq!(repr.emit(&src, &dst, &mut buf), Ok(len));
        let parsed = Repr::parse_verified(&buf, &src, &dst).unwrap();
        prop_assert_eq!(parsed, repr);
        prop_assert_eq!(parsed.options().iter().count(), options.len());
        // And the parsed form emits the same bytes again.
        let mut again = vec![0u8; parsed.buffer_len()];
        prop_assert_eq!(parsed.emit(&src, &dst, &mut again), Ok(len));
        prop_assert_eq!(&again, &buf);
        // Any shorter buffer fails cleanly and untouched.
        let mut short = vec![0x55u8; len - 1];
        prop_assert_eq!(
            repr.emit(&src, &dst, &mut short),
            Err(sixconf_core::wire::Error::BufferTooSmall { needed: len })
        );
        prop_assert!(short.iter().all(|&b| b == 0x55));
        exercise(&parsed);
    }

    #[test]
    fn no_input_panics(kind in 130u8..=140, bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let mut bytes = bytes;
        if let Some(first) = bytes.first_mut() {
            *first = kind;
        }
        if let Some(code) = bytes.get_mut(1) {
            *code = 0;
        }
        if let Ok(packet) = icmpv6::Packet::new_checked(&bytes[..]) {
            if let Ok(repr) = Repr::parse(&packet) {
                exercise(&repr);
                // Whatever parses re-emits (reserved bits cleared) to something that parses
                // back to the same message, options byte for byte.
                let mut out = vec![0u8; repr.buffer_len()];
                let src = Ipv6Addr::LOCALHOST;
                prop_assert_eq!(repr.emit(&src, &src, &mut out), Ok(bytes.len()));
                let again = Repr::parse_verified(&out, &src, &src).unwrap();
                prop_assert_eq!(again, repr);
            }
        }
    }

    #[test]
    fn mutated_valid_messages_never_panic(
        head in head(),
        owned in proptest::collection::vec(option(), 1..6),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
        cut in any::<prop::sample::Index>(),
    ) {
        let options: Vec<NdOption<'_>> = owned.iter().map(Owned::as_nd).collect();
        let repr = build(&head, &options);
        let mut buf = vec![0u8; repr.buffer_len()];
        repr.emit(&Ipv6Addr::LOCALHOST, &Ipv6Addr::LOCALHOST, &mut buf).unwrap();
        for (at, value) in flips {
            let i = at.index(buf.len());
            buf[i] = value;
        }
        let end = cut.index(buf.len() + 1);
        for bytes in [&buf[..], &buf[..end]] {
            if let Ok(packet) = icmpv6::Packet::new_checked(bytes) {
                match Repr::parse(&packet) {
                    Ok(repr) => { exercise(&repr); }
                    Err(e) => { let _ = format!("{e} {e:?}"); }
                }
            }
        }
    }

    #[test]
    fn checksum_matches_naive_rfc1071(
        src in addr(),
        dst in addr(),
        msg in proptest::collection::vec(any::<u8>(), 0..300),
    ) {
        prop_assert_eq!(icmpv6::checksum(&src, &dst, &msg), naive_checksum(&src, &dst, &msg));
        if msg.len() >= 4 {
            let mut msg = msg;
            let mut packet = icmpv6::Packet::new_unchecked(&mut msg[..]);
            packet.fill_checksum(&src, &dst);
            prop_assert!(packet.verify_checksum(&src, &dst));
        }
    }
}
