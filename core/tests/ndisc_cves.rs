//! The Neighbor Discovery rows of the CVE table in REFERENCES.md, one test each.

use core::net::Ipv6Addr;

use sixconf_core::wire::dns::NameError;
use sixconf_core::wire::icmpv6;
use sixconf_core::wire::ndisc::{check_meta, DiscardReason, IpMeta, NdOption, Repr};
use sixconf_core::wire::Error;

fn parse(bytes: &[u8]) -> Result<Repr<'_>, Error> {
    save_seed(bytes);
    Repr::parse(&icmpv6::Packet::new_checked(bytes)?)
}

/// With `SIXCONF_FUZZ_SEEDS=DIR` set, every input decoded here is written to `DIR/nd/` (named
/// by its FNV-1a hash) for `tools/fuzz/seed_corpora.py`, which seeds the ND fuzz targets with it.
fn save_seed(bytes: &[u8]) {
    let Some(dir) = std::env::var_os("SIXCONF_FUZZ_SEEDS") else {
        return;
    };
    let hash = bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    let dir = std::path::Path::new(&dir).join("nd");
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join(format!("{hash:016x}")), bytes);
}

fn rs(options: &[u8]) -> Vec<u8> {
    let mut v = vec![133, 0, 0, 0, 0, 0, 0, 0];
    v.extend_from_slice(options);
    v
}

fn ra(options: &[u8]) -> Vec<u8> {
    let mut v = vec![134, 0, 0, 0, 64, 0, 0, 30, 0, 0, 0, 0, 0, 0, 0, 0];
    v.extend_from_slice(options);
    v
}

/// CVE-2017-14492 (dnsmasq): an RS whose Source Link-Layer Address option is huge was printed
/// into a fixed buffer. Here nothing is sized from the wire: length 0 and an overrun are
/// rejected, length 255 is borrowed whole and formats without trouble.
#[test]
fn cve_2017_14492_rs_slla_lengths_0_255_and_overrunning() {
    assert_eq!(
        parse(&rs(&[1, 0, 0xfa, 0x16, 0x3e, 0x79, 0x5a, 0xcc])).unwrap_err(),
        Error::BadOptionLength {
            code: 1,
            offset: 8,
            len: 0
        }
    );
    let mut huge = vec![0x5au8; 255 * 8];
    huge[0] = 1;
    huge[1] = 255;
    let bytes = rs(&huge);
    let repr = parse(&bytes).unwrap();
    let options: Vec<_> = repr.options().iter().collect();
    match options[..] {
        [NdOption::SourceLinkLayerAddress(l)] => {
            assert_eq!(l.as_bytes().len(), 2038);
            assert_eq!(l.ethernet(), None);
        }
        ref other => panic!("{other:?}"),
    }
    let text = repr.to_string();
    assert!(text.contains("length 2040 (255)"));
    assert_eq!(text.matches("5a").count(), 2038);
    let _ = format!("{repr:?}");
    // One byte short of what Length 255 promises.
    assert_eq!(
        parse(&bytes[..bytes.len() - 1]).unwrap_err(),
        Error::BadOptionLength {
            code: 1,
            offset: 8,
            len: 2040
        }
    );
    // Length 2 with only 8 bytes present.
    assert_eq!(
        parse(&rs(&[1, 2, 0xfa, 0x16, 0x3e, 0x79, 0x5a, 0xcc])).unwrap_err(),
        Error::BadOptionLength {
            code: 1,
            offset: 8,
            len: 16
        }
    );
}

/// A DNSSL option (Length 2 or more, zero padded) holding `names`.
fn dnssl(names: &[u8]) -> Vec<u8> {
    let mut v = vec![31, 0, 0, 0, 0, 0, 2, 0x58];
    v.extend_from_slice(names);
    while v.len() % 8 != 0 || v.len() < 16 {
        v.push(0);
    }
    v[1] = (v.len() / 8) as u8;
    v
}

fn label(len: usize) -> Vec<u8> {
    let mut v = vec![len as u8];
    v.extend(std::iter::repeat_n(b'a', len));
    v
}

/// CVE-2011-3601 (radvd): a DNSSL label longer than the buffer overflowed it. Labels of 0 and 63
/// bytes are valid; 64 and 255 have the reserved top bits and are rejected, never copied.
#[test]
fn cve_2011_3601_dnssl_labels_0_63_64_255() {
    // Label 0: the list is empty (all padding).
    let bytes = ra(&dnssl(&[0]));
    match parse(&bytes).unwrap().options().iter().next() {
        Some(NdOption::Dnssl(d)) => assert!(d.domains.is_empty()),
        other => panic!("{other:?}"),
    }
    // Label 63.
    let mut name = label(63);
    name.push(0);
    let bytes = ra(&dnssl(&name));
    match parse(&bytes).unwrap().options().iter().next() {
        Some(NdOption::Dnssl(d)) => {
            let names: Vec<String> = d.domains.iter().map(|n| n.to_string()).collect();
            assert_eq!(names, ["a".repeat(63)]);
        }
        other => panic!("{other:?}"),
    }
    // Labels 64 and 255 (the length byte alone; the rest would run off anyway).
    for len in [64usize, 255] {
        let mut name = vec![len as u8];
        name.extend(std::iter::repeat_n(b'a', 70));
        name.push(0);
        assert_eq!(
            parse(&ra(&dnssl(&name))).unwrap_err(),
            Error::BadName {
                offset: 16 + 8,
                reason: NameError::Compressed
            },
            "label {len}"
        );
    }
    // A label that runs past the option (into the padding, then off the end).
    let mut name = label(20);
    name.truncate(15);
    assert_eq!(
        parse(&ra(&dnssl(&name))).unwrap_err(),
        Error::BadName {
            offset: 24,
            reason: NameError::Unterminated
        }
    );
    // A name of 256 bytes: four labels of 63 plus terminator.
    let mut long = Vec::new();
    for _ in 0..4 {
        long.extend(label(63));
    }
    long.push(0);
    assert_eq!(
        parse(&ra(&dnssl(&long))).unwrap_err(),
        Error::BadName {
            offset: 24,
            reason: NameError::TooLong
        }
    );
    // A compression pointer.
    assert_eq!(
        parse(&ra(&dnssl(&[3, b'a', b'b', b'c', 0xc0, 0x0c]))).unwrap_err(),
        Error::BadName {
            offset: 24,
            reason: NameError::Compressed
        }
    );
}

/// CVE-2011-3604 (radvd): options shorter than their struct were read past their end. A Prefix
/// Information option of Length 1 and an MTU option of Length 0 are rejected.
#[test]
fn cve_2011_3604_pio_len_1_and_mtu_len_0() {
    assert_eq!(
        parse(&ra(&[3, 1, 64, 0xc0, 0, 0, 0, 0])).unwrap_err(),
        Error::BadOptionLength {
            code: 3,
            offset: 16,
            len: 8
        }
    );
    assert_eq!(
        parse(&ra(&[5, 0, 0, 0, 0, 0, 5, 0xdc])).unwrap_err(),
        Error::BadOptionLength {
            code: 5,
            offset: 16,
            len: 0
        }
    );
}

/// CVE-2024-5564 (libndp): a Route Information option with Length > 3 overflowed a 16-byte
/// prefix buffer. Every Length 0..=255, with every class of prefix length: accepted only for
/// 1..=3 and long enough for the prefix length (RFC 4191 §2.3).
#[test]
fn cve_2024_5564_rio_lengths_0_to_255() {
    for units in 0..=255u8 {
        for prefix_len in [0u8, 1, 48, 64, 65, 127, 128] {
            let mut option = vec![0xabu8; usize::from(units).max(1) * 8];
            option[0] = 24;
            option[1] = units;
            option[2] = prefix_len;
            option[3] = 0x08; // Prf high
            let bytes = ra(&option);
            let needed = match prefix_len {
                0 => 1,
                1..=64 => 2,
                _ => 3,
            };
            let valid = (1..=3).contains(&units) && units >= needed;
            match parse(&bytes) {
                Ok(repr) => {
                    assert!(valid, "length {units} prefix /{prefix_len} accepted");
                    match repr.options().iter().next() {
                        Some(NdOption::RouteInformation(r)) => {
                            assert_eq!(r.prefix_len, prefix_len);
                            // Only the bytes the option carries reach the prefix.
                            let carried = (usize::from(units) - 1) * 8;
                            let octets = r.prefix.octets();
                            assert!(octets[..carried].iter().all(|&b| b == 0xab));
                            assert!(octets[carried..].iter().all(|&b| b == 0));
                        }
                        other => panic!("{other:?}"),
                    }
                }
                Err(e) => {
                    assert!(!valid, "length {units} prefix /{prefix_len} rejected: {e}");
                    assert_eq!(
                        e,
                        Error::BadOptionLength {
                            code: 24,
                            offset: 16,
                            len: usize::from(units) * 8
                        }
                    );
                }
            }
        }
    }
}

const LL: Ipv6Addr = Ipv6Addr::new(0xfe80, 0, 0, 0, 0xf816, 0x3eff, 0xfec3, 0x17b4);
const ALL_NODES: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);

fn meta(src: Ipv6Addr, dst: Ipv6Addr, hop_limit: u8, fragment: bool) -> IpMeta {
    IpMeta {
        src,
        dst,
        hop_limit,
        had_fragment_header: fragment,
    }
}

/// CVE-2016-3698 (libndp): RAs were accepted without the hop-limit and link-local checks of
/// RFC 4861 §6.1.2. Plus RFC 6980 (no fragmented ND).
#[test]
fn cve_2016_3698_ra_hop_limit_and_link_local_source() {
    let bytes = ra(&[]);
    let repr = parse(&bytes).unwrap();
    assert_eq!(check_meta(&repr, &meta(LL, ALL_NODES, 255, false)), Ok(()));
    for hop_limit in [0u8, 1, 64, 254] {
        assert_eq!(
            check_meta(&repr, &meta(LL, ALL_NODES, hop_limit, false)),
            Err(DiscardReason::HopLimit)
        );
    }
    for src in [
        "2001:db8::1".parse().unwrap(),
        Ipv6Addr::UNSPECIFIED,
        Ipv6Addr::LOCALHOST,
        "fd00::1".parse().unwrap(),
        "ff02::1".parse().unwrap(),
    ] {
        assert_eq!(
            repr.check_meta(&meta(src, ALL_NODES, 255, false)),
            Err(DiscardReason::SourceNotLinkLocal),
            "{src}"
        );
    }
    assert_eq!(
        check_meta(&repr, &meta(LL, ALL_NODES, 255, true)),
        Err(DiscardReason::Fragmented)
    );
}

/// RFC 4861 §6.1.1: an RS from `::` must not carry a Source Link-Layer Address option.
#[test]
fn rs_from_unspecified_with_slla_is_discarded() {
    let all_routers: Ipv6Addr = "ff02::2".parse().unwrap();
    let with = rs(&[1, 1, 0xfa, 0x16, 0x3e, 0x79, 0x5a, 0xcc]);
    let without = rs(&[]);
    let with = parse(&with).unwrap();
    let without = parse(&without).unwrap();
    let unspecified = meta(Ipv6Addr::UNSPECIFIED, all_routers, 255, false);
    assert_eq!(
        check_meta(&with, &unspecified),
        Err(DiscardReason::UnspecifiedSourceWithSlla)
    );
    assert_eq!(check_meta(&without, &unspecified), Ok(()));
    assert_eq!(
        check_meta(&with, &meta(LL, all_routers, 255, false)),
        Ok(())
    );
    assert_eq!(
        check_meta(&with, &meta(LL, all_routers, 1, false)),
        Err(DiscardReason::HopLimit)
    );
}

/// RFC 4861 §7.1.1, §7.1.2, §8.1.
#[test]
fn ns_na_redirect_metadata_rules() {
    let target: Ipv6Addr = "2001:db8::5".parse().unwrap();
    let solicited_node: Ipv6Addr = "ff02::1:ff00:5".parse().unwrap();
    let mut ns = vec![135, 0, 0, 0, 0, 0, 0, 0];
    ns.extend_from_slice(&target.octets());
    let ns_repr = parse(&ns).unwrap();
    // DAD probe: from ::, to the solicited-node address, no SLLA.
    assert_eq!(
        check_meta(
            &ns_repr,
            &meta(Ipv6Addr::UNSPECIFIED, solicited_node, 255, false)
        ),
        Ok(())
    );
    assert_eq!(
        check_meta(
            &ns_repr,
            &meta(Ipv6Addr::UNSPECIFIED, ALL_NODES, 255, false)
        ),
        Err(DiscardReason::UnspecifiedSourceNotSolicitedNode)
    );
    let mut ns_slla = ns.clone();
    ns_slla.extend_from_slice(&[1, 1, 1, 2, 3, 4, 5, 6]);
    assert_eq!(
        check_meta(
            &parse(&ns_slla).unwrap(),
            &meta(Ipv6Addr::UNSPECIFIED, solicited_node, 255, false)
        ),
        Err(DiscardReason::UnspecifiedSourceWithSlla)
    );
    let mut ns_mcast = vec![135, 0, 0, 0, 0, 0, 0, 0];
    ns_mcast.extend_from_slice(&ALL_NODES.octets());
    assert_eq!(
        check_meta(
            &parse(&ns_mcast).unwrap(),
            &meta(LL, solicited_node, 255, false)
        ),
        Err(DiscardReason::MulticastTarget)
    );

    let mut na = vec![136, 0, 0, 0, 0x60, 0, 0, 0]; // S and O
    na.extend_from_slice(&target.octets());
    let na_repr = parse(&na).unwrap();
    assert_eq!(check_meta(&na_repr, &meta(LL, LL, 255, false)), Ok(()));
    assert_eq!(
        check_meta(&na_repr, &meta(LL, ALL_NODES, 255, false)),
        Err(DiscardReason::SolicitedToMulticast)
    );

    let mut redirect = vec![137, 0, 0, 0, 0, 0, 0, 0];
    redirect.extend_from_slice(&LL.octets());
    redirect.extend_from_slice(&target.octets());
    let r = parse(&redirect).unwrap();
    let host: Ipv6Addr = "fe80::99".parse().unwrap();
    assert_eq!(check_meta(&r, &meta(LL, host, 255, false)), Ok(()));
    assert_eq!(
        check_meta(&r, &meta("2001:db8::1".parse().unwrap(), host, 255, false)),
        Err(DiscardReason::SourceNotLinkLocal)
    );
    // Target neither link-local nor the destination.
    let mut bad_target = redirect.clone();
    bad_target[8..24].copy_from_slice(&"2001:db8::7".parse::<Ipv6Addr>().unwrap().octets());
    assert_eq!(
        check_meta(&parse(&bad_target).unwrap(), &meta(LL, host, 255, false)),
        Err(DiscardReason::RedirectTargetNotLinkLocal)
    );
    // Target equal to the destination: the destination is on-link.
    let mut on_link = redirect.clone();
    on_link[8..24].copy_from_slice(&target.octets());
    assert_eq!(
        check_meta(&parse(&on_link).unwrap(), &meta(LL, host, 255, false)),
        Ok(())
    );
    let mut to_mcast = redirect.clone();
    to_mcast[24..40].copy_from_slice(&ALL_NODES.octets());
    assert_eq!(
        check_meta(&parse(&to_mcast).unwrap(), &meta(LL, host, 255, false)),
        Err(DiscardReason::RedirectToMulticast)
    );
}

#[test]
fn discard_reasons_index_a_counter_array() {
    let mut counters = [0u32; DiscardReason::COUNT];
    for (i, reason) in DiscardReason::ALL.into_iter().enumerate() {
        assert_eq!(reason.index(), i);
        counters[reason.index()] += 1;
        assert!(!reason.to_string().is_empty());
    }
    assert!(counters.iter().all(|&c| c == 1));
}
