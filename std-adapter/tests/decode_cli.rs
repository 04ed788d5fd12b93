//! `sixconf decode` as a user runs it: the seed's RA, a corrupted checksum, truncated input.

use std::process::Command;

const SEED_SLAAC_RA: &str = "8600d68e4000001e0000000000000000030440c000015180000038400000000020010db8cafe000000000000000000000101fa163ec317b4";

fn decode(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sixconf"))
        .arg("decode")
        .args(args)
        .output()
        .expect("run sixconf");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn seed_ra_decodes_with_a_verified_checksum() {
    let (code, out, _) = decode(&[
        "--src",
        "fe80::f816:3eff:fec3:17b4",
        "--dst",
        "ff02::1",
        SEED_SLAAC_RA,
    ]);
    assert_eq!(code, 0);
    assert!(out.contains("checksum ok"), "{out}");
    assert!(out.contains("prefix: 2001:db8:cafe::"), "{out}");
    assert!(out.contains("valid_lifetime: 86400"), "{out}");
    assert!(out.contains("fa:16:3e:c3:17:b4"), "{out}");
}

#[test]
fn wrong_checksum_and_truncation_exit_2_with_one_line() {
    let (code, _, err) = decode(&["--src", "fe80::1", "--dst", "ff02::1", SEED_SLAAC_RA]);
    assert_eq!(code, 2);
    assert!(err.contains("checksum"), "{err}");
    let (code, _, err) = decode(&["8600d6"]);
    assert_eq!(code, 2);
    assert_eq!(err.lines().count(), 1, "{err}");
    let (code, _, err) = decode(&["86zz"]);
    assert_eq!(code, 2);
    assert!(err.contains("hex"), "{err}");
}

#[test]
fn seed_information_request_decodes_as_dhcpv6() {
    // The seed's stateless inf-req: client-ID (DUID-LL fa163efed157), ORO 23 24 39 31,
    // elapsed-time 94, transaction id 0xd2dbc8.
    let hex = "0bd2dbc8 0001000a00030001fa163efed157 00060008001700180027001f 0008000200 5e";
    let hex = hex.replace(' ', "");
    let (code, out, err) = decode(&["--dhcpv6", &hex]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("DHCPv6"), "{out}");
    assert!(out.to_lowercase().contains("information"), "{out}");
}
