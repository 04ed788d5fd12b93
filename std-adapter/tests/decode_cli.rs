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
    // tcpdump -vv's text for the same packet (the seed's, in tcpdump 4.99's wording).
    assert_eq!(
        out,
        "fe80::f816:3eff:fec3:17b4 > ff02::1: [icmp6 sum ok] ICMP6, router advertisement, length 56\n\
         \thop limit 64, Flags [none], pref medium, router lifetime 30s, reachable time 0ms, retrans timer 0ms\n\
         \t  prefix info option (3), length 32 (4): 2001:db8:cafe::/64, Flags [onlink, auto], valid time 86400s, pref. time 14400s\n\
         \t    0x0000:  40c0 0001 5180 0000 3840 0000 0000 2001\n\
         \t    0x0010:  0db8 cafe 0000 0000 0000 0000 0000\n\
         \t  source link-address option (1), length 8 (1): fa:16:3e:c3:17:b4\n\
         \t    0x0000:  fa16 3ec3 17b4\n"
    );
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
    assert!(
        out.starts_with(
            "dhcp6 inf-req (xid=d2dbc8 (client-ID hwaddr type 1 fa163efed157) (option-request \
             DNS-server DNS-search-list Client-FQDN SNTP-servers) (elapsed-time 94))\n"
        ),
        "{out}"
    );
    assert!(
        out.contains("\n  elapsed-time (8), length 2: 94 (hundredths of a second)\n"),
        "{out}"
    );
}

/// The README's "Try it" command prints exactly the output the README shows.
#[test]
fn readme_example_prints_what_the_readme_shows() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))
        .expect("README.md");
    let command = readme
        .split("cargo run -p sixconf -- decode ")
        .nth(1)
        .and_then(|rest| rest.split("\n```").next())
        .expect("README runs `cargo run -p sixconf -- decode ...`");
    let args: Vec<&str> = command.split_whitespace().filter(|a| *a != "\\").collect();
    let shown = readme
        .split("```text\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("README shows the output in a ```text block");
    let (code, out, err) = decode(&args);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, shown);
}
