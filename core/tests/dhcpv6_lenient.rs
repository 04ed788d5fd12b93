//! Lenient DHCPv6 decoding (`parse_lenient`): SOL_MAX_RT / INF_MAX_RT out of range (RFC 7083
//! §4, §5; RFC 9915 §21.24, §21.25) and IA Addresses / IA Prefixes with preferred > valid
//! lifetime (RFC 9915 §21.6, §21.22) are ignored, not the message; structural errors still fail.

use sixconf_core::wire::dhcpv6::{DhcpOption, MessageType, OptionCode, Repr};
use sixconf_core::wire::Error;

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

const HEADER: &str = "07 123456";
const SERVER_ID: &str = "0002 000a 00030001 525400123456";
const CLIENT_ID: &str = "0001 000a 00030001 525400654321";
/// SOL_MAX_RT 30 (below 60), INF_MAX_RT 100000 (above 86400), then a valid SOL_MAX_RT 3600.
const MAX_RTS: &str = "0052 0004 0000001e  0053 0004 000186a0  0052 0004 00000e10";
/// IA_NA 1 with 2001:db8:1::1 (preferred 7200 > valid 3600) and 2001:db8:1::2 (3600, 7200).
const IA_NA: &str = "0003 0044 00000001 00000000 00000000 \
    0005 0018 20010db8000100000000000000000001 00001c20 00000e10 \
    0005 0018 20010db8000100000000000000000002 00000e10 00001c20";
/// IA_PD 2 with 2001:db8:8800::/56 (preferred 7200 > valid 3600).
const IA_PD: &str = "0019 0029 00000002 00000000 00000000 \
    001a 0019 00001c20 00000e10 38 20010db8880000000000000000000000";

fn reply() -> Vec<u8> {
    hex(&format!(
        "{HEADER} {SERVER_ID} {CLIENT_ID} {MAX_RTS} {IA_NA} {IA_PD}"
    ))
}

#[test]
fn strict_refuses_what_lenient_ignores() {
    let bytes = reply();
    assert_eq!(
        Repr::parse(&bytes),
        Err(Error::Malformed {
            what: "SOL_MAX_RT outside 60..=86400",
            // The value, after the option's 4-byte header at 32.
            offset: 36,
        })
    );
    let repr = Repr::parse_lenient(&bytes).unwrap();
    let m = repr.message();
    assert_eq!(m.msg_type, MessageType::Reply);
    let codes: Vec<OptionCode> = m.options.iter().map(|o| o.code()).collect();
    assert_eq!(
        codes,
        [
            OptionCode::ServerId,
            OptionCode::ClientId,
            OptionCode::SolMaxRt,
            OptionCode::IaNa,
            OptionCode::IaPd
        ]
    );
    // The first valid SOL_MAX_RT is found past the ignored one; INF_MAX_RT is gone.
    assert_eq!(
        m.options.find(OptionCode::SolMaxRt),
        Some(DhcpOption::SolMaxRt(3600))
    );
    assert_eq!(m.options.find(OptionCode::InfMaxRt), None);
    // Only the address with preferred <= valid is left; the IA_PD keeps no prefix.
    let ia = m.ia_nas().next().unwrap();
    let addresses: Vec<_> = ia.addresses().map(|a| a.address).collect();
    assert_eq!(
        addresses,
        ["2001:db8:1::2".parse::<core::net::Ipv6Addr>().unwrap()]
    );
    let pd = m.ia_pds().next().unwrap();
    assert_eq!(pd.iaid, 2);
    assert_eq!(pd.prefixes().count(), 0);
    // Re-emitted byte for byte, the ignored options included.
    let mut out = vec![0u8; bytes.len()];
    assert_eq!(repr.emit(&mut out), Ok(bytes.len()));
    assert_eq!(out, bytes);
}

#[test]
fn each_rule_names_its_rfc() {
    let bytes = reply();
    let repr = Repr::parse_lenient(&bytes).unwrap();
    let reasons: Vec<&str> = repr
        .message()
        .options
        .raw()
        .flatten()
        .filter_map(|raw| raw.ignored_by_rfc())
        .collect();
    assert_eq!(
        reasons,
        [
            "SOL_MAX_RT outside 60..=86400 (RFC 9915 §21.24, RFC 7083 §4)",
            "INF_MAX_RT outside 60..=86400 (RFC 9915 §21.25, RFC 7083 §5)",
        ]
    );
    // The boundaries: 60 and 86400 are honoured, 59 and 86401 are not.
    for (value, ignored) in [(59u32, true), (60, false), (86400, false), (86401, true)] {
        let bytes = hex(&format!("{HEADER} 0053 0004 {value:08x}"));
        let m = Repr::parse_lenient(&bytes).unwrap().message();
        assert_eq!(m.options.iter().count(), usize::from(!ignored), "{value}");
        assert_eq!(Repr::parse(&bytes).is_err(), ignored, "{value}");
    }
}

#[test]
fn relayed_messages_are_lenient_inside_too() {
    let inner = reply();
    let mut relay = hex("0d 00 20010db8000100000000000000000001 fe800000000000000000000000000002");
    relay.extend_from_slice(&[0, 9]);
    relay.extend_from_slice(&(inner.len() as u16).to_be_bytes());
    relay.extend_from_slice(&inner);
    assert!(Repr::parse(&relay).is_err());
    let repr = Repr::parse_lenient(&relay).unwrap();
    assert_eq!(repr.relay_depth(), 1);
    assert_eq!(
        repr.message().options.find(OptionCode::SolMaxRt),
        Some(DhcpOption::SolMaxRt(3600))
    );
}

#[test]
fn structural_errors_still_fail() {
    // The IA_NA claims one byte more than the message holds.
    let mut bytes = hex(&format!("{HEADER} {CLIENT_ID} {IA_NA}"));
    let ia_len_at = 4 + 14 + 2;
    bytes[ia_len_at + 1] += 1;
    let e = Error::BadOptionLength {
        code: 3,
        offset: 18,
        len: 0x45,
    };
    assert_eq!(Repr::parse(&bytes), Err(e));
    assert_eq!(Repr::parse_lenient(&bytes), Err(e));
    // A SOL_MAX_RT of the wrong length is not a value to ignore: it fails both ways.
    let bytes = hex(&format!("{HEADER} 0052 0003 00001e"));
    assert!(matches!(
        Repr::parse_lenient(&bytes),
        Err(Error::BadOptionLength { code: 82, .. })
    ));
    // An IA Address inside an IA_NA that overruns the IA.
    let bytes = hex(&format!(
        "{HEADER} 0003 0024 00000001 00000000 00000000 0005 0019 20010db8000100000000000000000002 00000e10 00001c20"
    ));
    assert!(Repr::parse_lenient(&bytes).is_err());
}

mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// On any bytes: lenient accepts all that strict accepts, with the same result, and
        /// re-emits exactly the bytes it parsed; nothing panics.
        #[test]
        fn lenient_extends_strict(
            msg_type in 1u8..=13,
            body in proptest::collection::vec(any::<u8>(), 0..300),
        ) {
            let mut bytes = vec![msg_type];
            bytes.extend(body);
            let strict = Repr::parse(&bytes);
            let lenient = Repr::parse_lenient(&bytes);
            if let Ok(s) = &strict {
                prop_assert_eq!(lenient.as_ref().ok(), Some(s));
            }
            if let Ok(l) = lenient {
                let mut out = vec![0u8; l.buffer_len()];
                prop_assert_eq!(l.emit(&mut out), Ok(bytes.len()));
                prop_assert_eq!(out, bytes);
            }
        }

        /// A Reply carrying SOL_MAX_RT / INF_MAX_RT of any value and an IA Address of any
        /// lifetimes: lenient decoding keeps exactly the ones the RFC says to honour.
        #[test]
        fn lenient_keeps_exactly_what_the_rfc_honours(
            sol in any::<u32>(),
            inf in any::<u32>(),
            preferred in any::<u32>(),
            valid in any::<u32>(),
        ) {
            let bytes = hex(&format!(
                "{HEADER} 0052 0004 {sol:08x} 0053 0004 {inf:08x} \
                 0003 0028 00000001 00000000 00000000 \
                 0005 0018 20010db8000100000000000000000001 {preferred:08x} {valid:08x}"
            ));
            let m = Repr::parse_lenient(&bytes).unwrap().message();
            let honoured = |v: u32| (60..=86400).contains(&v);
            prop_assert_eq!(
                m.options.find(OptionCode::SolMaxRt),
                honoured(sol).then_some(DhcpOption::SolMaxRt(sol))
            );
            prop_assert_eq!(
                m.options.find(OptionCode::InfMaxRt),
                honoured(inf).then_some(DhcpOption::InfMaxRt(inf))
            );
            let kept = m.ia_nas().next().unwrap().addresses().count();
            prop_assert_eq!(kept, usize::from(preferred <= valid));
            prop_assert_eq!(
                Repr::parse(&bytes).is_ok(),
                honoured(sol) && honoured(inf) && preferred <= valid
            );
        }
    }
}
