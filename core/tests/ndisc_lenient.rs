//! Lenient ND decoding (`parse_lenient`): an option that breaks its own rules is ignored, not
//! the message (RFC 4191 §3.1, RFC 8781 §4, RFC 8106 §5.3.1, RFC 4861 §4.6.2); a bad option walk
//! still fails it (RFC 4861 §4.6, §6.1.2). Golden bytes for every case, both modes.

use core::net::Ipv6Addr;

use sixconf_core::wire::icmpv6;
use sixconf_core::wire::ndisc::{Mode, NdOption, OptionType, OptionsRepr, Repr, RouterAdvertRepr};
use sixconf_core::wire::Error;

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// RA header: hop limit 64, router lifetime 1800, checksum left 0 (not checked by `parse`).
const RA: &str = "8600 0000 4000 0708 00000000 00000000";
/// Prefix Information 2001:db8:cafe::/64, L and A, valid 86400, preferred 14400 (the seed's).
const PIO: &str = "0304 40c0 00015180 00003840 00000000 20010db8cafe0000 0000000000000000";
/// Source Link-Layer Address fa:16:3e:c3:17:b4.
const SLLA: &str = "0101 fa163ec317b4";

fn ra(bad: &str) -> Vec<u8> {
    hex(&format!("{RA} {bad} {PIO} {SLLA}"))
}

fn parse(bytes: &[u8], mode: Mode) -> Result<RouterAdvertRepr<'_>, Error> {
    let packet = icmpv6::Packet::new_checked(bytes)?;
    match Repr::parse_mode(&packet, mode)? {
        Repr::RouterAdvert(ra) => Ok(ra),
        other => panic!("not an RA: {other:?}"),
    }
}

fn types(ra: &RouterAdvertRepr<'_>) -> Vec<OptionType> {
    ra.options.iter().map(|o| o.option_type()).collect()
}

/// Strict refuses the RA with `strict_error`; lenient keeps PIO and SLLA and lists the bad
/// option, with the same error, in `checked()`.
fn ignored_not_fatal(bad: &str, strict_error: Error) {
    let bytes = ra(bad);
    assert_eq!(parse(&bytes, Mode::Strict), Err(strict_error), "{bad}");
    let lenient = parse(&bytes, Mode::Lenient).unwrap();
    assert_eq!(
        types(&lenient),
        [
            OptionType::PrefixInformation,
            OptionType::SourceLinkLayerAddress
        ],
        "{bad}"
    );
    let OptionsRepr::Wire(wire) = lenient.options else {
        panic!("parsed options are Wire")
    };
    assert_eq!(wire.mode(), Mode::Lenient);
    let checked: Vec<_> = wire.checked().collect();
    assert_eq!(checked.len(), 3);
    assert_eq!(checked[0], Err(strict_error));
    assert!(matches!(checked[1], Ok(NdOption::PrefixInformation(_))));
    // Re-emitted byte for byte, the ignored option included (checksum filled).
    let src: Ipv6Addr = "fe80::1".parse().unwrap();
    let dst: Ipv6Addr = "ff02::1".parse().unwrap();
    let mut out = vec![0u8; bytes.len()];
    assert_eq!(lenient.emit(&src, &dst, &mut out), Ok(bytes.len()));
    assert_eq!(out[4..], bytes[4..]);
    assert_eq!(out[..2], bytes[..2]);
}

#[test]
fn route_information_longer_than_3_is_ignored_rfc4191_3_1_cve_2024_5564() {
    ignored_not_fatal(
        "1804 30 08 00000e10 20010db8009900000000000000000000 0000000000000000",
        Error::BadOptionLength {
            code: 24,
            offset: 16,
            len: 32,
        },
    );
}

#[test]
fn route_information_too_short_for_its_prefix_is_ignored_rfc4191_3_1() {
    // Prefix length 64 needs Length 2; Length 1.
    ignored_not_fatal(
        "1801 40 08 00000e10",
        Error::BadOptionLength {
            code: 24,
            offset: 16,
            len: 8,
        },
    );
    // Prefix length 129.
    ignored_not_fatal(
        "1803 81 08 00000e10 20010db8009900000000000000000000",
        Error::Malformed {
            what: "route prefix length",
            offset: 18,
        },
    );
}

#[test]
fn pref64_of_length_3_is_ignored_rfc8781_4() {
    ignored_not_fatal(
        "2603 0708 0064ff9b0000000000000000 0000000000000000",
        Error::BadOptionLength {
            code: 38,
            offset: 16,
            len: 24,
        },
    );
}

#[test]
fn rdnss_of_even_length_is_ignored_rfc8106_5_1() {
    ignored_not_fatal(
        "1902 0000 00000708 0000000000000000",
        Error::BadOptionLength {
            code: 25,
            offset: 16,
            len: 16,
        },
    );
}

#[test]
fn dnssl_with_an_overrunning_label_is_ignored_rfc8106_5_3_1() {
    // Lifetime 1800, then a label of 9 bytes where 8 remain.
    let bytes = ra("1f02 0000 00000708 0961626364650000");
    assert!(matches!(
        parse(&bytes, Mode::Strict),
        Err(Error::BadName { .. })
    ));
    let lenient = parse(&bytes, Mode::Lenient).unwrap();
    assert_eq!(lenient.options.iter().count(), 2);
}

#[test]
fn prefix_information_shorter_than_32_bytes_is_ignored_rfc4861_4_6_2() {
    ignored_not_fatal(
        "0303 40c0 00015180 00003840 00000000 20010db8cafe0000",
        Error::BadOptionLength {
            code: 3,
            offset: 16,
            len: 24,
        },
    );
}

#[test]
fn a_bad_walk_still_fails_the_whole_message_rfc4861_6_1_2() {
    // Length 0.
    let zero = ra("1800 000000000000");
    let e = Error::BadOptionLength {
        code: 24,
        offset: 16,
        len: 0,
    };
    assert_eq!(parse(&zero, Mode::Strict), Err(e));
    assert_eq!(parse(&zero, Mode::Lenient), Err(e));
    // An option running one unit past the end.
    let over = hex(&format!("{RA} {PIO} 0102 fa163ec317b4"));
    let e = Error::BadOptionLength {
        code: 1,
        offset: 48,
        len: 16,
    };
    assert_eq!(parse(&over, Mode::Strict), Err(e));
    assert_eq!(parse(&over, Mode::Lenient), Err(e));
    // A lone trailing byte.
    let trailing = hex(&format!("{RA} {PIO} 01"));
    assert_eq!(
        parse(&trailing, Mode::Lenient),
        Err(Error::Truncated { offset: 49 })
    );
}

#[test]
fn valid_messages_decode_the_same_in_both_modes() {
    let bytes = hex(&format!("{RA} {PIO} {SLLA}"));
    assert_eq!(parse(&bytes, Mode::Strict), parse(&bytes, Mode::Lenient));
    let strict = parse(&bytes, Mode::Strict).unwrap();
    let OptionsRepr::Wire(wire) = strict.options else {
        panic!()
    };
    assert!(wire.checked().all(|o| o.is_ok()));
}

mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// On any bytes: lenient accepts all that strict accepts, with the same result; what
        /// it yields are exactly the `Ok` items of `checked()`; nothing panics.
        #[test]
        fn lenient_extends_strict(
            kind in 133u8..=137,
            body in proptest::collection::vec(any::<u8>(), 0..200),
        ) {
            let mut bytes = vec![kind, 0, 0, 0];
            bytes.extend(body);
            let Ok(packet) = icmpv6::Packet::new_checked(&bytes[..]) else { return Ok(()); };
            let strict = Repr::parse(&packet);
            let lenient = Repr::parse_lenient(&packet);
            if let Ok(s) = &strict {
                prop_assert_eq!(lenient.as_ref().ok(), Some(s));
            }
            if let Ok(l) = lenient {
                if let OptionsRepr::Wire(wire) = l.options() {
                    let ok: Vec<NdOption<'_>> = wire.checked().filter_map(Result::ok).collect();
                    let iterated: Vec<NdOption<'_>> = l.options().iter().collect();
                    prop_assert_eq!(ok, iterated);
                    prop_assert_eq!(strict.is_ok(), wire.checked().all(|o| o.is_ok()));
                }
            }
        }
    }
}
