//! Every DHCPv6 row of REFERENCES.md's table of known failures elsewhere.

use std::vec::Vec;

use super::{msg, opt};
use crate::wire::dhcpv6::*;
use crate::wire::dns::NameError;
use crate::wire::Error;
use core::net::Ipv6Addr;

const LLT: [u8; 14] = [
    0, 1, 0, 1, 0x1c, 0xc1, 0x8c, 0x25, 0xfa, 0x16, 0x3e, 0x22, 0x38, 0x6b,
];

/// `Repr::parse`, with the input saved as a fuzz seed (`crate::test_seeds`).
fn parse(bytes: &[u8]) -> core::result::Result<Repr<'_>, Error> {
    crate::test_seeds::save("dhcpv6", bytes);
    Repr::parse(bytes)
}

fn relay_forw(options: &[Vec<u8>]) -> Vec<u8> {
    let mut v = std::vec![12u8, 0];
    v.extend_from_slice(&[0x20, 0x01, 0x0d, 0xb8]);
    v.extend_from_slice(&[0; 12]);
    v.extend_from_slice(&Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 1).octets());
    for o in options {
        v.extend_from_slice(o);
    }
    v
}

fn solicit() -> Vec<u8> {
    msg(1, 0x85680b, &[opt(1, &LLT), opt(8, &[0, 0])])
}

/// Kea CVE-2019-6472: DUID option lengths 0, 1, 2, 3, 130, 131 — accept 3..=130 only.
#[test]
fn cve_2019_6472_duid_lengths() {
    for len in [0usize, 1, 2, 3, 130, 131] {
        let mut duid = std::vec![0u8; len];
        if len >= 2 {
            duid[1] = 4; // DUID-UUID type, any content
        }
        for code in [1u16, 2] {
            let m = msg(1, 1, &[opt(code, &duid)]);
            let r = parse(&m);
            if (3..=130).contains(&len) {
                let r = r.unwrap();
                let d = match r.message().options.iter().next().unwrap() {
                    DhcpOption::ClientId(d) | DhcpOption::ServerId(d) => d,
                    other => panic!("{other:?}"),
                };
                assert_eq!(d.as_bytes().len(), len);
                // A 3..=130 byte DUID-UUID that is not 18 bytes is kept, typed as Other.
                assert!(matches!(d.kind(), DuidKind::Other { duid_type: 4, .. }));
            } else {
                assert_eq!(
                    r.unwrap_err(),
                    Error::BadOptionLength {
                        code,
                        offset: 4,
                        len
                    },
                    "DUID of {len} bytes"
                );
            }
        }
    }
    // DuidBuf refuses the same lengths.
    assert!(DuidBuf::from_bytes(&[0, 1]).is_err());
    assert!(DuidBuf::from_bytes(&[0u8; 131]).is_err());
    assert_eq!(
        DuidBuf::from_bytes(&[0u8; 130]).unwrap().as_bytes().len(),
        130
    );
}

/// dnsmasq CVE-2017-14493: Client Link-Layer Address with a long hardware address.
/// option-len 3 (1-byte address) and 18 (16 bytes) accepted; 19 (17 bytes) rejected; 65535
/// running past the datagram rejected as a length error.
#[test]
fn cve_2017_14493_client_link_layer_address() {
    for (len, ok) in [(3usize, true), (18, true), (19, false), (2, false)] {
        let mut data = std::vec![0xaau8; len];
        data[0] = 0;
        data[1] = 1;
        let m = relay_forw(&[opt(79, &data), opt(9, &solicit())]);
        let r = parse(&m);
        if ok {
            let Repr::Relayed(chain) = r.unwrap() else {
                panic!()
            };
            let o = chain.outer().options.iter().next().unwrap();
            let DhcpOption::ClientLinkLayerAddress(c) = o else {
                panic!()
            };
            assert_eq!(c.address.len(), len - 2);
        } else {
            assert_eq!(
                r.unwrap_err(),
                Error::BadOptionLength {
                    code: 79,
                    offset: 34,
                    len
                }
            );
        }
    }
    // option-len 65535 in a short datagram.
    let mut m = relay_forw(&[]);
    m.extend_from_slice(&[0, 79, 0xff, 0xff, 0, 1, 0xfa, 0x16, 0x3e]);
    assert_eq!(
        parse(&m).unwrap_err(),
        Error::BadOptionLength {
            code: 79,
            offset: 34,
            len: 65535
        }
    );
    // The builder refuses to write a 17-byte address.
    let mut buf = [0u8; 64];
    assert!(build(&mut buf, |w| {
        w.client_link_layer_address(1, &[0; 17]);
    })
    .is_err());
    assert_eq!(buf, [0u8; 64]);
}

/// dnsmasq CVE-2017-14494: an option running 1 byte past the datagram is rejected; one ending
/// exactly at the end is accepted (dnsmasq's first fix rejected that too).
#[test]
fn cve_2017_14494_option_exactly_at_the_end() {
    let exact = relay_forw(&[opt(18, b"eth0"), opt(9, &solicit())]);
    let Repr::Relayed(chain) = parse(&exact).unwrap() else {
        panic!()
    };
    assert_eq!(chain.message().msg_type, MessageType::Solicit);
    // Interface-ID last, exactly at the end.
    let last = relay_forw(&[opt(9, &solicit()), opt(18, b"eth0")]);
    assert!(parse(&last).is_ok());
    // One byte over: the length says 5, 4 bytes are there.
    let mut over = last.clone();
    let at = over.len() - 4 - 2;
    over[at + 1] = 5;
    assert_eq!(
        parse(&over).unwrap_err(),
        Error::BadOptionLength {
            code: 18,
            offset: at - 2,
            len: 5
        }
    );
    // The same at the top level of a client message, and inside an IA_NA.
    let m = msg(1, 1, &[opt(1, &LLT)]);
    assert!(parse(&m).is_ok());
    let mut over = m.clone();
    over[7] = 15;
    assert_eq!(
        parse(&over).unwrap_err(),
        Error::BadOptionLength {
            code: 1,
            offset: 4,
            len: 15
        }
    );
    let mut inner = std::vec![0u8; 12];
    inner.extend(opt(13, &[0, 0]));
    let m = msg(7, 1, &[opt(3, &inner)]);
    assert!(parse(&m).is_ok());
    let mut over = m.clone();
    over[4 + 4 + 12 + 3] = 3; // status code claims 3 bytes, has 2
    assert_eq!(
        parse(&over).unwrap_err(),
        Error::BadOptionLength {
            code: 13,
            offset: 20,
            len: 3
        }
    );
}

fn fqdn(name: &[u8]) -> core::result::Result<(), Error> {
    let mut data = std::vec![0x01u8];
    data.extend_from_slice(name);
    let m = msg(1, 1, &[opt(39, &data)]);
    parse(&m).map(|_| ())
}

/// Kea CVE-2019-6473 / CVE-2025-11232: malformed Client FQDN.
#[test]
fn cve_2019_6473_client_fqdn() {
    let at = 4 + 4 + 1; // the name's first byte
                        // Label running past the option.
    assert_eq!(
        fqdn(b"\x05ab"),
        Err(Error::BadName {
            offset: at,
            reason: NameError::Unterminated
        })
    );
    // Zero-length option (not even the flags byte).
    assert_eq!(
        parse(&msg(1, 1, &[opt(39, &[])])).unwrap_err(),
        Error::BadOptionLength {
            code: 39,
            offset: 4,
            len: 0
        }
    );
    // Empty name field: valid, the client asks the server for a name (RFC 4704 §4.2).
    assert_eq!(fqdn(b""), Ok(()));
    // Root name only.
    assert_eq!(fqdn(b"\x00"), Ok(()));
    // Label of 63 accepted, 64 rejected (its top bits are a reserved label type).
    let mut l63 = std::vec![63u8];
    l63.extend([b'a'; 63]);
    l63.push(0);
    assert_eq!(fqdn(&l63), Ok(()));
    let mut l64 = std::vec![64u8];
    l64.extend([b'a'; 64]);
    l64.push(0);
    assert_eq!(
        fqdn(&l64),
        Err(Error::BadName {
            offset: at,
            reason: NameError::Compressed
        })
    );
    // Total 255 accepted, 256 rejected.
    let name = |last: usize| {
        let mut v = Vec::new();
        for len in [63usize, 63, 63, last] {
            v.push(len as u8);
            v.extend(std::iter::repeat_n(b'x', len));
        }
        v.push(0);
        v
    };
    assert_eq!(name(61).len(), 255);
    assert_eq!(fqdn(&name(61)), Ok(()));
    assert_eq!(
        fqdn(&name(62)),
        Err(Error::BadName {
            offset: at + 255,
            reason: NameError::TooLong
        })
    );
    // A partial name over 255 bytes (no terminator) is too long as well.
    let mut partial = name(63);
    partial.pop();
    assert!(matches!(
        fqdn(&partial),
        Err(Error::BadName {
            reason: NameError::TooLong,
            ..
        })
    ));
    // Compression pointer.
    assert_eq!(
        fqdn(b"\x04host\xc0\x0c"),
        Err(Error::BadName {
            offset: at + 5,
            reason: NameError::Compressed
        })
    );
    // No terminator: a partial name (RFC 4704 §4.2), kept and marked as such.
    let m = msg(1, 1, &[opt(39, b"\x01\x04host")]);
    let r = parse(&m).unwrap();
    let Some(DhcpOption::ClientFqdn(f)) = r.message().options.find(OptionCode::ClientFqdn) else {
        panic!()
    };
    assert!(!f.name.is_fully_qualified());
    // Bytes after the root label.
    assert!(matches!(
        fqdn(b"\x04host\x00\x01"),
        Err(Error::BadName { .. })
    ));
    // The builder refuses bad names and leaves the buffer alone.
    let mut buf = [0u8; 512];
    let long = std::string::String::from_utf8(std::vec![b'a'; 64]).unwrap();
    assert!(matches!(
        build(&mut buf, |w| {
            w.client_fqdn(0, &long);
        }),
        Err(Error::BadName { .. })
    ));
    assert_eq!(buf, [0u8; 512]);
}

fn request_64_64_255(w: &mut Writer<'_>) {
    let duid = Duid::new(&LLT).unwrap();
    let codes: Vec<OptionCode> = (1..=255u16).map(OptionCode::from).collect();
    w.header(MessageType::Request, 0x123456)
        .client_id(&duid)
        .server_id(&duid)
        .oro(&codes);
    for i in 0..64u32 {
        w.begin_ia_na(i, 3600, 5400)
            .ia_addr(
                Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, i as u16),
                7200,
                7500,
            )
            .end();
    }
    for i in 0..64u32 {
        w.begin_ia_pd(i, 3600, 5400)
            .ia_prefix(
                7200,
                7500,
                56,
                Ipv6Addr::new(0x2001, 0xdb8, i as u16, 0, 0, 0, 0, 0),
            )
            .end();
    }
}

/// dnsmasq CVE-2022-0934: a Request with 64 IA_NA + 64 IA_PD + a 255-code ORO fits or fails
/// cleanly, and decodes with every IA.
#[test]
fn cve_2022_0934_big_request() {
    let needed = 4 + 18 + 18 + (4 + 510) + 64 * (16 + 28) + 64 * (16 + 29);
    for size in [512usize, 1280, 1500, needed - 1] {
        let mut buf = std::vec![0x5au8; size];
        assert_eq!(
            build(&mut buf, request_64_64_255),
            Err(Error::BufferTooSmall { needed })
        );
        assert!(buf.iter().all(|&b| b == 0x5a), "buffer of {size} touched");
    }
    let mut buf = std::vec![0u8; 65535];
    let n = build(&mut buf, request_64_64_255).unwrap();
    assert_eq!(n, needed);
    let r = parse(&buf[..n]).unwrap();
    let m = r.message();
    assert_eq!(m.ia_nas().count(), 64);
    assert_eq!(m.ia_pds().count(), 64);
    assert_eq!(m.oro().unwrap().len(), 255);
    assert!(m
        .ia_pds()
        .enumerate()
        .all(|(i, pd)| pd.iaid == i as u32 && pd.prefixes().next().unwrap().prefix_len == 56));
}

/// odhcpd CVE-2026-53921/53922: replies into 512/1280/1500-byte buffers with 0–64 failing IAs
/// (and Reconfigure Accept) fit or fail with the exact size needed, the buffer untouched.
#[test]
fn cve_2026_53921_replies_with_failing_ias() {
    let duid = Duid::new(&LLT).unwrap();
    for size in [512usize, 1280, 1500] {
        for count in 0..=64u32 {
            let reply = |w: &mut Writer<'_>| {
                w.header(MessageType::Reply, 1)
                    .client_id(&duid)
                    .server_id(&duid)
                    .reconfigure_accept();
                for i in 0..count {
                    w.begin_ia_pd(i, 0, 0)
                        .status(StatusCode::NoPrefixAvail, "no prefixes available")
                        .end();
                }
            };
            let expected = 4 + 18 + 18 + 4 + count as usize * (16 + 4 + 2 + 21);
            let mut buf = std::vec![0xeeu8; size];
            match build(&mut buf, reply) {
                Ok(n) => {
                    assert_eq!(n, expected);
                    assert!(n <= size);
                    let r = parse(&buf[..n]).unwrap();
                    assert_eq!(r.message().ia_pds().count(), count as usize);
                    assert!(r
                        .message()
                        .ia_pds()
                        .all(|pd| pd.status().unwrap().code == StatusCode::NoPrefixAvail));
                }
                Err(e) => {
                    assert!(expected > size);
                    assert_eq!(e, Error::BufferTooSmall { needed: expected });
                    assert!(buf.iter().all(|&b| b == 0xee));
                }
            }
        }
    }
}

/// odhcpd CVE-2026-53918: duplicate IAIDs, same and different IA types, decode faithfully in
/// wire order; nothing is merged or dropped.
#[test]
fn cve_2026_53918_duplicate_iaids() {
    let ia = |iaid: u32, t1: u32| {
        let mut d = Vec::new();
        d.extend_from_slice(&iaid.to_be_bytes());
        d.extend_from_slice(&t1.to_be_bytes());
        d.extend_from_slice(&0u32.to_be_bytes());
        d
    };
    let m = msg(
        3,
        1,
        &[
            opt(1, &LLT),
            opt(3, &ia(1, 10)),
            opt(3, &ia(1, 20)),
            opt(25, &ia(1, 30)),
            opt(4, &1u32.to_be_bytes()),
            opt(25, &ia(1, 40)),
        ],
    );
    let r = parse(&m).unwrap();
    let msg = r.message();
    assert_eq!(
        msg.ia_nas().map(|i| (i.iaid, i.t1)).collect::<Vec<_>>(),
        [(1, 10), (1, 20)]
    );
    assert_eq!(
        msg.ia_pds().map(|i| (i.iaid, i.t1)).collect::<Vec<_>>(),
        [(1, 30), (1, 40)]
    );
    assert_eq!(msg.ia_tas().map(|i| i.iaid).collect::<Vec<_>>(), [1]);
    let mut out = std::vec![0u8; m.len()];
    assert_eq!(r.emit(&mut out).unwrap(), m.len());
    assert_eq!(out, m);
}

/// odhcpd 2026 fixes: IA shorter than 12 bytes; 0–1 byte datagrams.
#[test]
fn odhcpd_short_ia_and_tiny_datagrams() {
    for code in [3u16, 25] {
        for len in 0..12usize {
            let m = msg(3, 1, &[opt(1, &LLT), opt(code, &std::vec![0u8; len])]);
            assert_eq!(
                parse(&m).unwrap_err(),
                Error::BadOptionLength {
                    code,
                    offset: 22,
                    len
                }
            );
        }
        let m = msg(3, 1, &[opt(code, &[0u8; 12])]);
        assert!(parse(&m).is_ok());
    }
    assert_eq!(parse(&[]).unwrap_err(), Error::Truncated { offset: 0 });
    for b in 0..=255u8 {
        let e = parse(&[b]).unwrap_err();
        assert!(matches!(e, Error::Truncated { offset: 1 }), "{b}: {e:?}");
    }
    for len in 2..4usize {
        assert_eq!(
            parse(&std::vec![1u8; len]).unwrap_err(),
            Error::Truncated { offset: len }
        );
    }
    // A header alone is a message with no options; a relay needs 34 bytes.
    assert!(parse(&[1, 0, 0, 0]).is_ok());
    assert_eq!(
        parse(&[12u8; 33]).unwrap_err(),
        Error::Truncated { offset: 33 }
    );
    // Unknown message types are discarded (RFC 9915 §16).
    assert_eq!(
        parse(&[0, 0, 0, 0]).unwrap_err(),
        Error::UnknownType { value: 0 }
    );
    assert_eq!(
        parse(&[200, 0, 0, 0]).unwrap_err(),
        Error::UnknownType { value: 200 }
    );
    // A truncated option header (1..=3 trailing bytes).
    for extra in 1..4usize {
        let mut m = std::vec![1u8, 0, 0, 0];
        m.extend(std::vec![0u8; extra]);
        assert_eq!(
            parse(&m).unwrap_err(),
            Error::Truncated { offset: 4 + extra }
        );
    }
}

/// systemd CVE-2018-15688: a client echoing a server's IA with 1, 64, 200 addresses or
/// prefixes encodes or fails cleanly.
#[test]
fn cve_2018_15688_echoing_large_ias() {
    for count in [1usize, 64, 200] {
        // The server's Reply with the IA.
        let mut big = std::vec![0u8; 65535];
        let n = build(&mut big, |w| {
            w.header(MessageType::Reply, 1).begin_ia_pd(1, 0, 0);
            for i in 0..count {
                w.ia_prefix(
                    1,
                    2,
                    64,
                    Ipv6Addr::new(0x2001, 0xdb8, 0, i as u16, 0, 0, 0, 0),
                );
            }
            w.end();
        })
        .unwrap();
        let reply = parse(&big[..n]).unwrap();
        let ia = reply.message().ia_pds().next().unwrap();
        assert_eq!(ia.prefixes().count(), count);
        // The client echoes it into a Request.
        let needed = 4 + 16 + count * 29;
        for size in [1500usize, 65535] {
            let mut buf = std::vec![0x77u8; size];
            let r = build(&mut buf, |w| {
                w.header(MessageType::Request, 2);
                w.put(&DhcpOption::IaPd(ia));
            });
            if needed <= size {
                assert_eq!(r, Ok(needed));
                let back = parse(&buf[..needed]).unwrap();
                assert_eq!(back.message().ia_pds().next().unwrap(), ia);
            } else {
                assert_eq!(r, Err(Error::BufferTooSmall { needed }));
                assert!(buf.iter().all(|&b| b == 0x77));
            }
        }
    }
}

/// systemd #24851: Advertise over 512 bytes (30 prefixes) and replies up to 64 KiB accepted.
#[test]
fn systemd_24851_large_advertise() {
    let mut buf = std::vec![0u8; 65535];
    let n = build(&mut buf, |w| {
        w.header(MessageType::Advertise, 1).begin_ia_pd(1, 0, 0);
        for i in 0..30u16 {
            w.ia_prefix(1, 2, 64, Ipv6Addr::new(0x2001, 0xdb8, 0, i, 0, 0, 0, 0));
        }
        w.end();
    })
    .unwrap();
    assert!(n > 512);
    assert_eq!(
        parse(&buf[..n])
            .unwrap()
            .message()
            .ia_pds()
            .next()
            .unwrap()
            .prefixes()
            .count(),
        30
    );
    // Nearly 64 KiB: one IA_PD holding as many prefixes as fit in one option.
    let count = (65535 - 12) / 29;
    let n = build(&mut buf, |w| {
        w.header(MessageType::Reply, 1).begin_ia_pd(1, 0, 0);
        for i in 0..count {
            w.ia_prefix(
                1,
                2,
                64,
                Ipv6Addr::new(0x2001, 0xdb8, 0, i as u16, 0, 0, 0, 0),
            );
        }
        w.end();
    })
    .unwrap();
    assert!(n > 65000);
    let r = parse(&buf[..n]).unwrap();
    assert_eq!(
        r.message().ia_pds().next().unwrap().prefixes().count(),
        count
    );
    // One more prefix overflows the IA_PD's 16-bit length: the builder says so.
    let r = build(&mut buf, |w| {
        w.header(MessageType::Reply, 1).begin_ia_pd(1, 0, 0);
        for i in 0..=count {
            w.ia_prefix(
                1,
                2,
                64,
                Ipv6Addr::new(0x2001, 0xdb8, 0, i as u16, 0, 0, 0, 0),
            );
        }
        w.end();
    });
    assert!(
        matches!(r, Err(Error::BadOptionLength { code: 25, .. })),
        "{r:?}"
    );
}
