//! DUIDs (RFC 9915 §11): each type built, parsed back, displayed; short or unknown ones kept.

use std::string::ToString;

use crate::wire::dhcpv6::*;

#[test]
fn every_duid_type_builds_parses_and_displays() {
    let mac = [0x00, 0x11, 0x22, 0x33, 0x44, 0x55];
    let cases = [
        (
            DuidKind::Llt {
                hardware_type: 1,
                time: 482446373,
                link_layer_address: &mac,
            },
            "00010001 1cc18c25 001122334455",
            "hwaddr/time type 1 time 482446373 001122334455",
        ),
        (
            DuidKind::En {
                enterprise_number: 2495,
                identifier: &[0xde, 0xad, 0xbe, 0xef],
            },
            "0002 000009bf deadbeef",
            "enterprise 2495 deadbeef",
        ),
        (
            DuidKind::Ll {
                hardware_type: 1,
                link_layer_address: &mac,
            },
            "0003 0001 001122334455",
            "hwaddr type 1 001122334455",
        ),
        (
            DuidKind::Uuid([0xab; 16]),
            "0004 abababababababababababababababab",
            "uuid abababababababababababababababab",
        ),
        (
            DuidKind::Other {
                duid_type: 9,
                data: &[1, 2, 3],
            },
            "0009 010203",
            "type 9 010203",
        ),
    ];
    for (kind, wire, text) in cases {
        let buf = kind.to_buf().unwrap();
        assert_eq!(buf.as_bytes(), &super::hex(wire)[..]);
        assert_eq!(kind.buffer_len(), buf.as_bytes().len());
        let duid = buf.as_duid();
        assert_eq!(duid.kind(), kind);
        assert_eq!(duid.to_string(), text);
        assert_eq!(buf, DuidBuf::from_bytes(&super::hex(wire)).unwrap());
    }
}

#[test]
fn duids_too_short_for_their_type_are_kept_as_other() {
    // DUID-LLT needs 9 bytes for a 1-byte address; 8 is kept opaque.
    let d = Duid::new(&[0, 1, 0, 1, 0, 0, 0, 0]).unwrap();
    assert!(matches!(d.kind(), DuidKind::Other { duid_type: 1, .. }));
    // DUID-UUID of 17 bytes.
    let d = Duid::new(&[0, 4, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]).unwrap();
    assert!(matches!(d.kind(), DuidKind::Other { duid_type: 4, .. }));
    // Building one outside 3..=130 fails.
    assert!(DuidKind::Other {
        duid_type: 9,
        data: &[]
    }
    .to_buf()
    .is_err());
    assert!(DuidKind::Other {
        duid_type: 9,
        data: &[0; 129]
    }
    .to_buf()
    .is_err());
    assert_eq!(
        DuidKind::Other {
            duid_type: 9,
            data: &[0; 128]
        }
        .to_buf()
        .unwrap()
        .as_bytes()
        .len(),
        130
    );
}
