//! Every ND option at its length boundaries (0, below its minimum, at its minimum, and running
//! one byte past the message), the minimum message lengths, and emit's failure modes.

use core::net::Ipv6Addr;

use sixconf_core::wire::dns::NameError;
use sixconf_core::wire::icmpv6;
use sixconf_core::wire::ndisc::option::{
    CaptivePortal, Dnssl, Domains, Ipv6Addrs, LinkLayerAddress, Nonce, Pref64, Pref64Length,
    PrefixInformation, Rdnss, RouteInformation,
};
use sixconf_core::wire::ndisc::{
    NdOption, OptionType, OptionsRepr, Repr, RouterAdvertRepr, RouterPreference,
};
use sixconf_core::wire::Error;

const SRC: Ipv6Addr = Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 1);
const DST: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);

/// A Router Advertisement header (16 bytes) followed by `options`.
fn ra(options: &[u8]) -> Vec<u8> {
    let mut v = vec![134, 0, 0, 0, 64, 0, 0, 30, 0, 0, 0, 0, 0, 0, 0, 0];
    v.extend_from_slice(options);
    v
}

fn parse(bytes: &[u8]) -> Result<Repr<'_>, Error> {
    let packet = icmpv6::Packet::new_checked(bytes)?;
    Repr::parse(&packet)
}

fn options_of(bytes: &[u8]) -> Vec<NdOption<'_>> {
    parse(bytes).unwrap().options().iter().collect()
}

/// An option of `kind` whose Length field says `units`, `bytes` long in total, with content
/// that is valid for the kind (prefix lengths that fit, zero padding for DNSSL).
fn option(kind: u8, units: u8, bytes: usize) -> Vec<u8> {
    let mut v = vec![0u8; bytes.max(2)];
    v[0] = kind;
    v[1] = units;
    if kind == 3 && bytes > 2 {
        v[2] = 64; // PIO prefix length
    }
    v.truncate(bytes);
    v
}

/// (type, smallest valid Length) for every option the decoder knows, and one it does not.
const CASES: [(u8, u8); 12] = [
    (1, 1),   // SLLA
    (2, 1),   // TLLA
    (3, 4),   // Prefix Information
    (4, 1),   // Redirected Header
    (5, 1),   // MTU
    (14, 1),  // Nonce
    (24, 1),  // Route Information with prefix length 0
    (25, 3),  // RDNSS
    (31, 2),  // DNSSL
    (37, 1),  // Captive Portal
    (38, 2),  // PREF64
    (253, 1), // experimental (RFC 4727): kept as Unknown
];

#[test]
fn every_option_at_length_zero_is_rejected() {
    for (kind, _) in CASES {
        // Eight bytes present, so only the zero length can be wrong.
        let bytes = ra(&option(kind, 0, 8));
        assert_eq!(
            parse(&bytes).unwrap_err(),
            Error::BadOptionLength {
                code: kind.into(),
                offset: 16,
                len: 0
            },
            "type {kind}"
        );
    }
}

#[test]
fn every_option_below_its_minimum_is_rejected() {
    for (kind, min) in CASES.into_iter().filter(|&(_, min)| min > 1) {
        for units in 1..min {
            let bytes = ra(&option(kind, units, usize::from(units) * 8));
            assert_eq!(
                parse(&bytes).unwrap_err(),
                Error::BadOptionLength {
                    code: kind.into(),
                    offset: 16,
                    len: usize::from(units) * 8
                },
                "type {kind} length {units}"
            );
        }
    }
}

#[test]
fn every_option_at_its_minimum_is_accepted() {
    for (kind, min) in CASES {
        let bytes = ra(&option(kind, min, usize::from(min) * 8));
        let options = options_of(&bytes);
        assert_eq!(options.len(), 1, "type {kind}");
        assert_eq!(u8::from(options[0].option_type()), kind);
        assert_eq!(options[0].buffer_len(), usize::from(min) * 8, "type {kind}");
    }
}

#[test]
fn every_option_overrunning_the_message_by_one_byte_is_rejected() {
    for (kind, min) in CASES {
        let len = usize::from(min) * 8;
        let bytes = ra(&option(kind, min, len - 1));
        assert_eq!(
            parse(&bytes).unwrap_err(),
            Error::BadOptionLength {
                code: kind.into(),
                offset: 16,
                len
            },
            "type {kind}"
        );
        // Ending exactly at the end of the message is fine (checked above); so is a second
        // option after it, whose overrun is reported at its own offset.
        let mut two = option(kind, min, len);
        if kind == 3 {
            two[2] = 64;
        }
        two.extend_from_slice(&option(5, 1, 7));
        assert_eq!(
            parse(&ra(&two)).unwrap_err(),
            Error::BadOptionLength {
                code: 5,
                offset: 16 + len,
                len: 8
            }
        );
    }
}

#[test]
fn a_lone_trailing_byte_is_truncation() {
    let mut bytes = ra(&option(5, 1, 8));
    bytes.push(1);
    assert_eq!(parse(&bytes).unwrap_err(), Error::Truncated { offset: 25 });
}

#[test]
fn lengths_above_the_fixed_size() {
    // PIO longer than 4 is decoded from its first 32 bytes; PREF64 must be exactly 2; RDNSS
    // must be odd.
    let mut pio = option(3, 5, 40);
    pio[2] = 64;
    assert!(matches!(
        options_of(&ra(&pio))[..],
        [NdOption::PrefixInformation(PrefixInformation {
            prefix_len: 64,
            ..
        })]
    ));
    assert_eq!(
        parse(&ra(&option(38, 3, 24))).unwrap_err(),
        Error::BadOptionLength {
            code: 38,
            offset: 16,
            len: 24
        }
    );
    for units in [4u8, 6] {
        assert_eq!(
            parse(&ra(&option(25, units, usize::from(units) * 8))).unwrap_err(),
            Error::BadOptionLength {
                code: 25,
                offset: 16,
                len: usize::from(units) * 8
            }
        );
    }
    match options_of(&ra(&option(25, 5, 40)))[..] {
        [NdOption::Rdnss(r)] => assert_eq!(r.servers.len(), 2),
        ref other => panic!("{other:?}"),
    }
}

#[test]
fn prefix_lengths_above_128_are_malformed() {
    let mut pio = option(3, 4, 32);
    pio[2] = 129;
    assert_eq!(
        parse(&ra(&pio)).unwrap_err(),
        Error::Malformed {
            what: "prefix length",
            offset: 18
        }
    );
    let mut rio = option(24, 3, 24);
    rio[2] = 129;
    assert_eq!(
        parse(&ra(&rio)).unwrap_err(),
        Error::Malformed {
            what: "route prefix length",
            offset: 18
        }
    );
}

#[test]
fn minimum_message_lengths_and_code_zero() {
    let cases: [(u8, usize); 5] = [(133, 8), (134, 16), (135, 24), (136, 24), (137, 40)];
    for (kind, min) in cases {
        let mut bytes = vec![0u8; min];
        bytes[0] = kind;
        assert!(parse(&bytes).is_ok(), "type {kind} at {min} bytes");
        assert_eq!(
            parse(&bytes[..min - 1]).unwrap_err(),
            Error::Truncated { offset: min - 1 },
            "type {kind}"
        );
        bytes[1] = 1;
        assert_eq!(
            parse(&bytes).unwrap_err(),
            Error::Malformed {
                what: "code",
                offset: 1
            }
        );
    }
    assert_eq!(
        parse(&[128, 0, 0, 0, 0, 0, 0, 0]).unwrap_err(),
        Error::UnknownType { value: 128 }
    );
    assert_eq!(
        parse(&[134, 0, 0]).unwrap_err(),
        Error::Truncated { offset: 3 }
    );
}

#[test]
fn unknown_options_are_kept_and_skipped() {
    let mut opts = option(253, 2, 16);
    opts[2..16].copy_from_slice(b"experimental!!");
    opts.extend_from_slice(&[5, 1, 0, 0, 0, 0, 0x05, 0xdc]);
    let bytes = ra(&opts);
    let options = options_of(&bytes);
    assert_eq!(
        options,
        [
            NdOption::Unknown {
                kind: 253,
                data: b"experimental!!"
            },
            NdOption::Mtu(1500)
        ]
    );
    assert_eq!(options[0].option_type(), OptionType::Unknown(253));
}

fn base_ra<'a>(options: &'a [NdOption<'a>]) -> Repr<'a> {
    Repr::RouterAdvert(RouterAdvertRepr {
        cur_hop_limit: 64,
        managed: false,
        other: false,
        home_agent: false,
        proxy: false,
        router_preference: RouterPreference::Medium,
        router_lifetime: 1800,
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
        prefix: prefix.parse().unwrap(),
    })
}

#[test]
fn any_number_of_each_option_in_wire_order() {
    // smoltcp #1165 keeps one prefix per RA; every one must come through, in order.
    let dns1 = ["2001:db8::53".parse().unwrap()];
    let dns2 = [
        "2001:db8::54".parse().unwrap(),
        "2001:db8::55".parse().unwrap(),
    ];
    let search1 = ["example.com"];
    let search2 = ["lab.example.com", "corp"];
    let options = [
        pio("2001:db8:1::"),
        NdOption::Rdnss(Rdnss {
            lifetime: 600,
            servers: Ipv6Addrs::List(&dns1),
        }),
        pio("2001:db8:2::"),
        NdOption::Dnssl(Dnssl {
            lifetime: 600,
            domains: Domains::List(&search1),
        }),
        pio("2001:db8:3::"),
        NdOption::Rdnss(Rdnss {
            lifetime: 0,
            servers: Ipv6Addrs::List(&dns2),
        }),
        NdOption::Dnssl(Dnssl {
            lifetime: 0,
            domains: Domains::List(&search2),
        }),
        NdOption::RouteInformation(RouteInformation {
            prefix_len: 48,
            preference: RouterPreference::High,
            route_lifetime: 1800,
            prefix: "2001:db8:10::".parse().unwrap(),
        }),
        NdOption::RouteInformation(RouteInformation {
            prefix_len: 0,
            preference: RouterPreference::Low,
            route_lifetime: 1800,
            prefix: Ipv6Addr::UNSPECIFIED,
        }),
    ];
    let repr = base_ra(&options);
    let mut buf = [0u8; 1280];
    let len = repr.emit(&SRC, &DST, &mut buf).unwrap();
    assert_eq!(len, repr.buffer_len());
    let parsed = Repr::parse_verified(&buf[..len], &SRC, &DST).unwrap();
    assert_eq!(parsed, repr);
    let prefixes: Vec<String> = parsed
        .options()
        .iter()
        .filter_map(|o| match o {
            NdOption::PrefixInformation(p) => Some(p.prefix.to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(prefixes, ["2001:db8:1::", "2001:db8:2::", "2001:db8:3::"]);
    let servers: Vec<Ipv6Addr> = parsed
        .options()
        .iter()
        .filter_map(|o| match o {
            NdOption::Rdnss(r) => Some(r.servers.iter()),
            _ => None,
        })
        .flatten()
        .collect();
    assert_eq!(servers, [dns1[0], dns2[0], dns2[1]]);
    let domains: Vec<String> = parsed
        .options()
        .iter()
        .filter_map(|o| match o {
            NdOption::Dnssl(d) => Some(d.domains.iter().map(|n| n.to_string())),
            _ => None,
        })
        .flatten()
        .collect();
    assert_eq!(domains, ["example.com", "lab.example.com", "corp"]);
}

#[test]
fn emit_into_a_short_buffer_leaves_it_untouched() {
    let options = [pio("2001:db8::")];
    let repr = base_ra(&options);
    assert_eq!(repr.buffer_len(), 48);
    let mut buf = [0xaau8; 47];
    assert_eq!(
        repr.emit(&SRC, &DST, &mut buf),
        Err(Error::BufferTooSmall { needed: 48 })
    );
    assert_eq!(buf, [0xaa; 47]);
    let mut buf = [0xaau8; 49];
    assert_eq!(repr.emit(&SRC, &DST, &mut buf), Ok(48));
    assert_eq!(buf[48], 0xaa, "nothing written past the message");
}

#[test]
fn invalid_options_fail_emit_and_leave_the_buffer_untouched() {
    let no_servers: [Ipv6Addr; 0] = [];
    let bad_names = ["ok.example", "a..b"];
    let long_label = ["x".repeat(64)];
    let long_label: Vec<&str> = long_label.iter().map(String::as_str).collect();
    let big = [0u8; 2039];
    let cases: Vec<(NdOption<'_>, Error)> = vec![
        (
            NdOption::Rdnss(Rdnss {
                lifetime: 1,
                servers: Ipv6Addrs::List(&no_servers),
            }),
            Error::Malformed {
                what: "RDNSS without servers",
                offset: 16 + 8,
            },
        ),
        (
            NdOption::Dnssl(Dnssl {
                lifetime: 1,
                domains: Domains::List(&bad_names),
            }),
            Error::BadName {
                offset: 16 + 8 + 12,
                reason: NameError::BadLabel,
            },
        ),
        (
            NdOption::Dnssl(Dnssl {
                lifetime: 1,
                domains: Domains::List(&long_label),
            }),
            Error::BadName {
                offset: 16 + 8,
                reason: NameError::BadLabel,
            },
        ),
        (
            NdOption::PrefixInformation(PrefixInformation {
                prefix_len: 129,
                on_link: true,
                autonomous: false,
                router_address: false,
                pd_preferred: false,
                valid_lifetime: 0,
                preferred_lifetime: 0,
                prefix: Ipv6Addr::UNSPECIFIED,
            }),
            Error::Malformed {
                what: "prefix length",
                offset: 16 + 2,
            },
        ),
        (
            NdOption::Unknown {
                kind: 200,
                data: &big,
            },
            Error::Malformed {
                what: "option longer than 2040 bytes",
                offset: 16 + 1,
            },
        ),
        (
            NdOption::Nonce(Nonce::new(&[1, 2, 3, 4, 5])),
            Error::Malformed {
                what: "nonce length",
                offset: 16 + 2,
            },
        ),
        (
            NdOption::Pref64(Pref64 {
                scaled_lifetime: 8192,
                length: Pref64Length::L96,
                prefix: Ipv6Addr::UNSPECIFIED,
            }),
            Error::Malformed {
                what: "PREF64 scaled lifetime",
                offset: 16 + 2,
            },
        ),
    ];
    for (option, expected) in cases {
        let options = [option];
        let mut buf = [0xaau8; 4096];
        assert_eq!(
            base_ra(&options).emit(&SRC, &DST, &mut buf),
            Err(expected),
            "{option:?}"
        );
        assert!(buf.iter().all(|&b| b == 0xaa));
    }
    // The largest option (2040 bytes) is fine.
    let data = [7u8; 2038];
    let options = [NdOption::Unknown {
        kind: 200,
        data: &data,
    }];
    let mut buf = [0u8; 4096];
    let len = base_ra(&options).emit(&SRC, &DST, &mut buf).unwrap();
    assert_eq!(len, 16 + 2040);
    assert_eq!(buf[17], 255);
}

#[test]
fn short_variable_options_are_padded_with_zeros() {
    let mac8 = [1, 2, 3, 4, 5, 6, 7, 8]; // EUI-64 link-layer address (IEEE 802.15.4)
    let options = [
        NdOption::SourceLinkLayerAddress(LinkLayerAddress::new(&mac8)),
        NdOption::CaptivePortal(CaptivePortal::new(b"https://portal.example/api")),
    ];
    let mut buf = [0xffu8; 128];
    let len = base_ra(&options).emit(&SRC, &DST, &mut buf).unwrap();
    // SLLA: 2 + 8 -> 16; captive portal: 2 + 26 = 28 -> 32.
    assert_eq!(len, 16 + 16 + 32);
    assert_eq!(&buf[16..18], &[1, 2]);
    assert_eq!(&buf[26..32], &[0; 6]);
    assert_eq!(&buf[32..34], &[37, 4]);
    assert_eq!(&buf[60..64], &[0; 4]);
    let parsed = options_of(&buf[..len]);
    match parsed[..] {
        [NdOption::SourceLinkLayerAddress(l), NdOption::CaptivePortal(c)] => {
            assert_eq!(&l.as_bytes()[..8], &mac8);
            assert_eq!(l.ethernet(), None);
            assert_eq!(c.uri_str(), Some("https://portal.example/api"));
        }
        ref other => panic!("{other:?}"),
    }
}

#[test]
fn single_option_emit() {
    let option = NdOption::Mtu(1280);
    let mut out = [0xeeu8; 8];
    assert_eq!(
        option.emit(&mut out[..7]),
        Err(Error::BufferTooSmall { needed: 8 })
    );
    assert_eq!(out, [0xee; 8]);
    assert_eq!(option.emit(&mut out), Ok(8));
    assert_eq!(out, [5, 1, 0, 0, 0, 0, 5, 0]);
    assert_eq!(NdOption::parse(&out, 0), Ok((option, 8)));
}
