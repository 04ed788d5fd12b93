//! Every fixed-size option at its length, one byte short and one byte long; minimum-length
//! options at their minimum and one below; value rules (lifetimes, prefix length, SOL_MAX_RT).

use super::{msg, opt};
use crate::wire::dhcpv6::*;
use crate::wire::Error;

fn parse_one(code: u16, data: &[u8]) -> crate::wire::Result<()> {
    let m = msg(7, 1, &[opt(code, data)]);
    Repr::parse(&m).map(|_| ())
}

fn bad_len(code: u16, len: usize) -> crate::wire::Result<()> {
    Err(Error::BadOptionLength {
        code,
        offset: 4,
        len,
    })
}

/// Options of exactly one length: (code, length, a valid value of that length).
fn fixed() -> std::vec::Vec<(u16, std::vec::Vec<u8>)> {
    std::vec![
        (7, std::vec![255]),                   // Preference
        (8, std::vec![0, 101]),                // Elapsed Time
        (12, std::vec![0x20; 16]),             // Server Unicast
        (14, std::vec![]),                     // Rapid Commit
        (19, std::vec![5]),                    // Reconfigure Message
        (20, std::vec![]),                     // Reconfigure Accept
        (32, 86400u32.to_be_bytes().to_vec()), // Information Refresh Time
        (82, 3600u32.to_be_bytes().to_vec()),  // SOL_MAX_RT
        (83, 3600u32.to_be_bytes().to_vec()),  // INF_MAX_RT
    ]
}

#[test]
fn fixed_size_options_at_len_minus_one_and_plus_one() {
    for (code, value) in fixed() {
        assert_eq!(
            parse_one(code, &value),
            Ok(()),
            "option {code} at its length"
        );
        if !value.is_empty() {
            let short = &value[..value.len() - 1];
            assert_eq!(
                parse_one(code, short),
                bad_len(code, short.len()),
                "{code} short"
            );
        }
        let mut long = value.clone();
        long.push(0);
        assert_eq!(
            parse_one(code, &long),
            bad_len(code, long.len()),
            "{code} long"
        );
    }
}

fn ia_na(extra: &[u8]) -> std::vec::Vec<u8> {
    let mut d = std::vec![0, 0, 0, 1, 0, 0, 0, 10, 0, 0, 0, 20];
    d.extend_from_slice(extra);
    d
}

fn ia_addr(preferred: u32, valid: u32) -> std::vec::Vec<u8> {
    let mut d = std::vec![0x20, 0x01, 0x0d, 0xb8];
    d.extend([0u8; 12]);
    d.extend(preferred.to_be_bytes());
    d.extend(valid.to_be_bytes());
    d
}

fn ia_prefix(preferred: u32, valid: u32, plen: u8) -> std::vec::Vec<u8> {
    let mut d = std::vec![];
    d.extend(preferred.to_be_bytes());
    d.extend(valid.to_be_bytes());
    d.push(plen);
    d.extend([0x20, 0x01, 0x0d, 0xb8]);
    d.extend([0u8; 12]);
    d
}

#[test]
fn minimum_length_options() {
    // (code, minimum valid content)
    let mins: [(u16, std::vec::Vec<u8>); 12] = [
        (3, ia_na(&[])),
        (25, ia_na(&[])),
        (4, std::vec![0, 0, 0, 1]),
        (5, ia_addr(1, 2)),
        (26, ia_prefix(1, 2, 64)),
        (13, std::vec![0, 0]),
        (11, std::vec![3, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1]),
        (37, std::vec![0, 0, 0, 9, 1]),
        (79, std::vec![0, 1, 0xaa]),
        (16, std::vec![0, 0, 0, 9]),
        (17, std::vec![0, 0, 0, 9]),
        (38, std::vec![1]),
    ];
    for (code, value) in mins {
        assert_eq!(
            parse_one(code, &value),
            Ok(()),
            "option {code} at its minimum"
        );
        let short = &value[..value.len() - 1];
        assert_eq!(
            parse_one(code, short),
            bad_len(code, short.len()),
            "{code} short"
        );
    }
    // One byte more than the minimum: a 1-byte status message is fine; a container with one
    // stray byte of nested options is a truncated option header.
    assert_eq!(parse_one(13, &[0, 0, b'x']), Ok(()));
    for (code, mut value) in [
        (3u16, ia_na(&[])),
        (25, ia_na(&[])),
        (5, ia_addr(1, 2)),
        (26, ia_prefix(1, 2, 64)),
    ] {
        value.push(0);
        assert!(
            matches!(parse_one(code, &value), Err(Error::Truncated { .. })),
            "option {code} with one stray byte"
        );
    }
}

#[test]
fn oro_and_address_lists_by_multiple() {
    assert_eq!(parse_one(6, &[]), Ok(()));
    assert_eq!(parse_one(6, &[0, 23]), Ok(()));
    assert_eq!(parse_one(6, &[0, 23, 0]), bad_len(6, 3));
    for code in [23u16, 31] {
        assert_eq!(parse_one(code, &[0; 16]), Ok(()));
        assert_eq!(parse_one(code, &[0; 32]), Ok(()));
        assert_eq!(parse_one(code, &[0; 15]), bad_len(code, 15));
        assert_eq!(parse_one(code, &[0; 17]), bad_len(code, 17));
    }
}

#[test]
fn lifetimes_and_prefix_length() {
    assert_eq!(parse_one(5, &ia_addr(7500, 7500)), Ok(()));
    assert_eq!(
        parse_one(5, &ia_addr(7501, 7500)),
        Err(Error::Malformed {
            what: "preferred lifetime > valid lifetime",
            offset: 24
        })
    );
    assert_eq!(parse_one(5, &ia_addr(u32::MAX, u32::MAX)), Ok(()));
    assert!(matches!(
        parse_one(26, &ia_prefix(2, 1, 64)),
        Err(Error::Malformed { offset: 8, .. })
    ));
    assert_eq!(parse_one(26, &ia_prefix(1, 2, 0)), Ok(()));
    assert_eq!(parse_one(26, &ia_prefix(1, 2, 128)), Ok(()));
    assert_eq!(
        parse_one(26, &ia_prefix(1, 2, 129)),
        Err(Error::Malformed {
            what: "prefix length",
            offset: 16
        })
    );
    // Inside an IA_NA the offset is the nested option's.
    let m = msg(7, 1, &[opt(3, &ia_na(&opt(5, &ia_addr(9, 8))))]);
    assert_eq!(
        Repr::parse(&m).unwrap_err(),
        Error::Malformed {
            what: "preferred lifetime > valid lifetime",
            offset: 4 + 4 + 12 + 4 + 16
        }
    );
}

#[test]
fn sol_max_rt_and_inf_max_rt_range() {
    for code in [82u16, 83] {
        for (v, ok) in [
            (59u32, false),
            (60, true),
            (86400, true),
            (86401, false),
            (0, false),
        ] {
            let r = parse_one(code, &v.to_be_bytes());
            assert_eq!(r.is_ok(), ok, "option {code} = {v}");
            if !ok {
                assert!(matches!(r, Err(Error::Malformed { offset: 8, .. })));
            }
        }
    }
    let mut buf = [0u8; 16];
    assert!(build(&mut buf, |w| {
        w.sol_max_rt(59);
    })
    .is_err());
    assert!(build(&mut buf, |w| {
        w.inf_max_rt(86401);
    })
    .is_err());
    assert_eq!(buf, [0u8; 16]);
}

#[test]
fn reconfigure_message_types() {
    for t in [5u8, 6, 11] {
        assert_eq!(parse_one(19, &[t]), Ok(()));
    }
    for t in [0u8, 1, 7, 12, 255] {
        assert!(matches!(parse_one(19, &[t]), Err(Error::Malformed { .. })));
    }
}

#[test]
fn prefix_exclude_must_fit_its_prefix() {
    let with_exclude = |plen: u8, pe: &[u8]| {
        let mut d = ia_prefix(1, 2, plen);
        d.extend(opt(67, pe));
        parse_one(26, &d)
    };
    assert_eq!(with_exclude(48, &[64, 0, 1]), Ok(()));
    assert_eq!(with_exclude(56, &[64, 1]), Ok(()));
    // Excluded prefix not longer than the delegated one.
    assert!(with_exclude(64, &[64, 1]).is_err());
    // Subnet ID of the wrong size for 48 → 64 (needs 2 bytes).
    assert!(with_exclude(48, &[64, 1]).is_err());
    assert!(with_exclude(48, &[64, 0, 1, 0]).is_err());
    // Too short, or excluded length 0 / 129.
    assert!(with_exclude(48, &[64]).is_err());
    assert!(with_exclude(48, &[0, 1]).is_err());
    assert!(with_exclude(48, &[129, 1]).is_err());
}

#[test]
fn nesting_of_options_is_bounded() {
    // IA_NA inside IA_NA inside ...: allowed to MAX_OPTION_NESTING, then TooDeep.
    let nest = |depth: usize| {
        let mut inner = std::vec::Vec::new();
        for _ in 0..depth {
            inner = opt(3, &ia_na(&inner));
        }
        msg(7, 1, &[inner])
    };
    assert!(Repr::parse(&nest(option::MAX_OPTION_NESTING + 1)).is_ok());
    assert_eq!(
        Repr::parse(&nest(option::MAX_OPTION_NESTING + 2)).unwrap_err(),
        Error::TooDeep {
            depth: option::MAX_OPTION_NESTING + 1
        }
    );
    // 4,000 levels (as deep as 64 KiB allows) fail the same way, without deep recursion.
    assert!(matches!(
        Repr::parse(&nest(4000)),
        Err(Error::TooDeep { .. })
    ));
}

#[test]
fn class_data_items_must_fill_the_option() {
    assert_eq!(parse_one(15, &[0, 2, b'a', b'b']), Ok(()));
    assert_eq!(parse_one(15, &[]), Ok(()));
    assert!(parse_one(15, &[0, 3, b'a', b'b']).is_err());
    assert!(parse_one(15, &[0, 2, b'a', b'b', 0]).is_err());
    assert!(parse_one(16, &[0, 0, 0, 9, 0, 5, 1]).is_err());
    // Vendor suboptions walked like options.
    assert_eq!(parse_one(17, &[0, 0, 0, 9, 0, 1, 0, 1, 7]), Ok(()));
    assert!(parse_one(17, &[0, 0, 0, 9, 0, 1, 0, 2, 7]).is_err());
}

#[test]
fn ntp_suboptions_checked() {
    let sub = |code: u16, data: &[u8]| opt(code, data);
    assert_eq!(parse_one(56, &sub(1, &[0; 16])), Ok(()));
    assert_eq!(parse_one(56, &sub(1, &[0; 15])), bad_len_sub(1, 15));
    assert_eq!(parse_one(56, &sub(2, &[0; 17])), bad_len_sub(2, 17));
    assert_eq!(parse_one(56, &sub(3, b"\x03ntp\x00")), Ok(()));
    assert!(parse_one(56, &sub(3, b"\x03ntp")).is_err());
    assert!(parse_one(56, &sub(3, b"\x03ntp\x00\x00")).is_err());
    assert_eq!(parse_one(56, &sub(99, b"x")), Ok(()));
    assert_eq!(parse_one(56, &[]), bad_len(56, 0));
}

fn bad_len_sub(code: u16, len: usize) -> crate::wire::Result<()> {
    Err(Error::BadOptionLength {
        code,
        offset: 8,
        len,
    })
}
