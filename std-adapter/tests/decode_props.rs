//! `sixconf decode` never panics: its text and JSON formatters run over random bytes and over
//! every fixture with random bytes changed (most of which still parse), as ND and as DHCPv6,
//! with and without addresses. A success is well-formed output (one JSON value, or text whose
//! first line is tcpdump's); a failure is exactly one line.

use std::net::Ipv6Addr;
use std::path::Path;
use std::sync::OnceLock;

use proptest::prelude::*;
use sixconf::decode::decode_bytes;

/// Every fixture's bytes, ND then DHCPv6.
fn fixtures() -> &'static Vec<Vec<u8>> {
    static ALL: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    ALL.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let mut out = Vec::new();
        for kind in ["nd", "dhcpv6"] {
            let mut paths: Vec<_> = std::fs::read_dir(root.join(kind))
                .unwrap()
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "hex"))
                .collect();
            paths.sort();
            for p in paths {
                let text = std::fs::read_to_string(&p).unwrap();
                let hex: String = text.lines().filter(|l| !l.starts_with('#')).collect();
                out.push(sixconf::hex::parse_hex(&hex).unwrap());
            }
        }
        out
    })
}

/// Run every output form over `bytes`; check the shape of what comes out.
fn decode_every_way(bytes: &[u8]) -> usize {
    let addrs: Option<(Ipv6Addr, Ipv6Addr)> =
        Some(("fe80::1".parse().unwrap(), "ff02::1".parse().unwrap()));
    let mut ok = 0;
    for force_dhcpv6 in [false, true] {
        for a in [None, addrs] {
            for json in [false, true] {
                match decode_bytes(bytes, force_dhcpv6, a, json) {
                    Ok(out) => {
                        ok += 1;
                        if json {
                            let v: serde_json::Value =
                                serde_json::from_str(&out).expect("one JSON value");
                            assert!(v.get("options").is_some_and(|o| o.is_array()), "{out}");
                        } else {
                            let first = out.lines().next().unwrap_or("");
                            assert!(
                                first.contains("ICMP6, ") || first.starts_with("dhcp6 "),
                                "{out}"
                            );
                        }
                    }
                    Err(line) => {
                        assert!(!line.is_empty() && !line.contains('\n'), "{line:?}");
                    }
                }
            }
        }
    }
    ok
}

#[test]
fn every_fixture_decodes_every_way() {
    for bytes in fixtures() {
        // As ND or DHCPv6 by its first byte, with and without JSON: at least those two succeed
        // (with --src/--dst the checksum is for other addresses and fails cleanly).
        assert!(decode_every_way(bytes) >= 2);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        decode_every_way(&bytes);
    }

    #[test]
    fn random_bytes_after_an_nd_or_dhcpv6_type_never_panic(
        first in prop_oneof![1u8..=13, 133u8..=137],
        rest in proptest::collection::vec(any::<u8>(), 0..600),
    ) {
        let mut bytes = vec![first];
        bytes.extend(rest);
        decode_every_way(&bytes);
    }

    /// Fixtures with a few bytes changed and maybe cut short: mostly still valid messages with
    /// odd values (lengths, lifetimes, names, nested options), which the formatters must print.
    #[test]
    fn mutated_fixtures_never_panic(
        pick in any::<prop::sample::Index>(),
        changes in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..4),
        cut in any::<prop::sample::Index>(),
        do_cut in any::<bool>(),
    ) {
        let all = fixtures();
        let mut bytes = all[pick.index(all.len())].clone();
        for (at, value) in changes {
            let i = at.index(bytes.len());
            // Keep the type byte most of the time, so the message still decodes as its kind.
            if i > 0 {
                bytes[i] = value;
            }
        }
        if do_cut {
            bytes.truncate(cut.index(bytes.len() + 1));
        }
        decode_every_way(&bytes);
    }
}
