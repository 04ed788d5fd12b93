//! Relay nesting: depth 0..=33 and 1,700 (odhcpd's 2026 fix), the hop-count field never
//! trusted, Relay-repl built back through the same layers.

use std::vec::Vec;

use super::{msg, opt};
use crate::wire::dhcpv6::*;
use crate::wire::Error;
use core::net::Ipv6Addr;

const LLT: [u8; 14] = [
    0, 1, 0, 1, 0x1c, 0xc1, 0x8c, 0x25, 0xfa, 0x16, 0x3e, 0x22, 0x38, 0x6b,
];

fn solicit() -> Vec<u8> {
    msg(1, 0x85680b, &[opt(1, &LLT), opt(8, &[0, 0])])
}

fn link(i: usize) -> Ipv6Addr {
    Ipv6Addr::new(0x2001, 0xdb8, i as u16, 0, 0, 0, 0, 1)
}

/// `depth` Relay-forw layers around a Solicit, built iteratively by hand; layer `i` (0 =
/// outermost) has hop-count `hop(i)` and Interface-ID `if-i`.
fn wrap(depth: usize, hop: impl Fn(usize) -> u8) -> Vec<u8> {
    wrap_with(depth, hop, true)
}

/// As [`wrap`]; without Interface-IDs when `interface_id` is false (38 bytes per layer, so that
/// 1,700 layers fit in one 64 KiB datagram).
fn wrap_with(depth: usize, hop: impl Fn(usize) -> u8, interface_id: bool) -> Vec<u8> {
    let mut m = solicit();
    for i in (0..depth).rev() {
        let mut layer = std::vec![12u8, hop(i)];
        layer.extend_from_slice(&link(i).octets());
        layer.extend_from_slice(&Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, i as u16 + 1).octets());
        if interface_id {
            layer.extend(opt(18, std::format!("if-{i}").as_bytes()));
        }
        layer.extend(opt(9, &m));
        m = layer;
    }
    m
}

#[test]
fn depth_0_to_33() {
    for depth in 0..=33usize {
        // The hop-count field lies both ways: it never decides the depth.
        let bytes = wrap(depth, |i| if i % 2 == 0 { 0 } else { 255 });
        let r = Repr::parse(&bytes);
        if depth <= MAX_RELAY_DEPTH {
            let r = r.unwrap_or_else(|e| panic!("depth {depth}: {e}"));
            assert_eq!(r.relay_depth(), depth);
            assert_eq!(r.message().msg_type, MessageType::Solicit);
            assert_eq!(r.message().transaction_id, 0x85680b);
            if let Repr::Relayed(chain) = r {
                let layers: Vec<_> = chain.layers().collect();
                assert_eq!(layers.len(), depth);
                for (i, l) in layers.iter().enumerate() {
                    assert_eq!(l.link_address, link(i));
                    assert_eq!(l.interface_id(), Some(std::format!("if-{i}").as_bytes()));
                }
                // Emitted back byte for byte.
                let mut out = std::vec![0u8; bytes.len()];
                assert_eq!(chain.emit(&mut out), Ok(bytes.len()));
                assert_eq!(out, bytes);
                let _ = super::render(&r);
            }
        } else {
            assert_eq!(r.unwrap_err(), Error::TooDeep { depth: 33 });
        }
    }
}

#[test]
fn depth_1700_is_refused_without_walking_it() {
    let bytes = wrap_with(1700, |_| 0, false);
    assert!(bytes.len() < 65536);
    assert_eq!(bytes.len(), 1700 * 38 + solicit().len());
    assert_eq!(
        Repr::parse(&bytes).unwrap_err(),
        Error::TooDeep { depth: 33 }
    );
    assert_eq!(
        RelayChain::parse(&bytes).unwrap_err(),
        Error::TooDeep { depth: 33 }
    );
}

#[test]
fn relay_needs_exactly_one_relay_message() {
    let mut none = std::vec![12u8, 0];
    none.extend([0u8; 32]);
    none.extend(opt(18, b"eth0"));
    assert_eq!(
        Repr::parse(&none).unwrap_err(),
        Error::Malformed {
            what: "relay message without a Relay Message option",
            offset: 0
        }
    );
    let mut two = std::vec![12u8, 0];
    two.extend([0u8; 32]);
    two.extend(opt(9, &solicit()));
    two.extend(opt(9, &solicit()));
    assert!(matches!(
        Repr::parse(&two).unwrap_err(),
        Error::Malformed {
            what: "more than one Relay Message option",
            ..
        }
    ));
    // An empty Relay Message, and an unknown type inside.
    let mut empty = std::vec![12u8, 0];
    empty.extend([0u8; 32]);
    empty.extend(opt(9, &[]));
    assert_eq!(
        Repr::parse(&empty).unwrap_err(),
        Error::Truncated { offset: 38 }
    );
    let mut unknown = std::vec![12u8, 0];
    unknown.extend([0u8; 32]);
    unknown.extend(opt(9, &[99, 0, 0, 0]));
    assert_eq!(
        Repr::parse(&unknown).unwrap_err(),
        Error::UnknownType { value: 99 }
    );
}

#[test]
fn errors_inside_layers_carry_datagram_offsets() {
    // A bad Elapsed Time in the Solicit inside two layers.
    let mut inner = msg(1, 1, &[opt(8, &[0])]);
    for _ in 0..2 {
        let mut layer = std::vec![12u8, 0];
        layer.extend([0u8; 32]);
        layer.extend(opt(9, &inner));
        inner = layer;
    }
    assert_eq!(
        Repr::parse(&inner).unwrap_err(),
        Error::BadOptionLength {
            code: 8,
            offset: 2 * (34 + 4) + 4,
            len: 1
        }
    );
}

#[test]
fn reply_goes_back_through_the_same_layers() {
    let bytes = wrap(3, |i| i as u8);
    let Repr::Relayed(chain) = Repr::parse(&bytes).unwrap() else {
        panic!()
    };
    let duid = Duid::new(&LLT).unwrap();
    let mut buf = [0u8; 512];
    let n = build(&mut buf, |w| {
        let depth = chain.write_reply_headers(w);
        w.header(MessageType::Advertise, chain.message().transaction_id)
            .client_id(&duid)
            .server_id(&duid);
        w.end_n(depth);
    })
    .unwrap();
    let Repr::Relayed(reply) = Repr::parse(&buf[..n]).unwrap() else {
        panic!()
    };
    assert_eq!(reply.depth(), 3);
    for (req, rep) in chain.layers().zip(reply.layers()) {
        assert_eq!(rep.msg_type, MessageType::RelayRepl);
        assert_eq!(rep.hop_count, req.hop_count);
        assert_eq!(rep.link_address, req.link_address);
        assert_eq!(rep.peer_address, req.peer_address);
        assert_eq!(rep.interface_id(), req.interface_id());
    }
    assert_eq!(reply.message().msg_type, MessageType::Advertise);
    assert_eq!(reply.message().transaction_id, 0x85680b);
    // A reply through 32 layers fits the builder's open-option stack; the Display is bounded.
    let deep = wrap(32, |_| 0);
    let Repr::Relayed(chain) = Repr::parse(&deep).unwrap() else {
        panic!()
    };
    let mut buf = std::vec![0u8; 4096];
    let n = build(&mut buf, |w| {
        let d = chain.write_reply_headers(w);
        w.header(MessageType::Reply, 1)
            .status(StatusCode::Success, "");
        w.end_n(d);
    })
    .unwrap();
    assert_eq!(Repr::parse(&buf[..n]).unwrap().relay_depth(), 32);
}

#[test]
fn builder_refuses_unbalanced_containers() {
    let mut buf = [0u8; 64];
    assert!(matches!(
        build(&mut buf, |w| {
            w.header(MessageType::Reply, 1).begin_ia_na(1, 2, 3);
        }),
        Err(Error::Malformed { .. })
    ));
    assert!(matches!(
        build(&mut buf, |w| {
            w.header(MessageType::Reply, 1).end();
        }),
        Err(Error::Malformed { .. })
    ));
    // Too many open options.
    assert!(matches!(
        build(&mut buf, |w| {
            for _ in 0..=builder::MAX_OPEN {
                w.begin_relay_message();
            }
        }),
        Err(Error::TooDeep { .. })
    ));
    assert_eq!(buf, [0u8; 64]);
    // Writer::new on a short buffer reports the full size needed.
    let mut small = [0u8; 8];
    let mut w = Writer::new(&mut small);
    w.header(MessageType::Solicit, 1)
        .elapsed_time(0)
        .rapid_commit();
    assert_eq!(w.finish(), Err(Error::BufferTooSmall { needed: 14 }));
}
