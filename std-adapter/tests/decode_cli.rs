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

/// Invalid input: exit 2 and one line naming what is wrong, the option and the byte.
#[test]
fn errors_name_the_option_and_the_byte() {
    // An RA whose first option has Length 0 (RFC 4861 §6.1.2).
    let (code, out, err) = decode(&["86000000400007080000000000000000180000000000000000"]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert_eq!(
        err,
        "sixconf decode: option 24 (route info) at byte 16: invalid length 0 bytes (Length field 0)\n"
    );
    // A Reply whose IA_NA claims one byte more than the message holds.
    let (code, _, err) = decode(&["--dhcpv6", "07123456 0003 000d 00000001 00000000 00000000"]);
    assert_eq!(code, 2);
    assert_eq!(
        err,
        "sixconf decode: option 3 (ia-na) at byte 4: invalid option-len 13\n"
    );
    // A Reconfigure Message option asking for a Solicit (only Renew, Rebind, Information-request
    // are allowed, RFC 9915 §21.19): the value is byte 8.
    let (code, _, err) = decode(&["0a000000 0013 0001 01"]);
    assert_eq!(code, 2);
    assert_eq!(
        err,
        "sixconf decode: option 19 (reconf-msg) at byte 4: invalid reconfigure message type at byte 8\n"
    );
    // Not ND, not DHCPv6.
    let (code, _, err) = decode(&["80000000"]);
    assert_eq!(code, 2);
    assert_eq!(err.lines().count(), 1);
    assert!(err.contains("byte 0: 128"), "{err}");
}

/// What a receiver ignores is shown, marked, and does not fail the decode (RFC 4191 §3.1,
/// RFC 7083 §4, RFC 9915 §21.6).
#[test]
fn options_a_receiver_ignores_are_shown_as_ignored() {
    // An RA with a Route Information option of Length 4 (CVE-2024-5564) before the seed's PIO.
    let ra = "8600000040000708000000000000000018043008 00000e10 20010db8009900000000000000000000 \
              0000000000000000 030440c000015180000038400000000020010db8cafe0000000000000000 0000";
    let (code, out, err) = decode(&["--json", ra]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["options"][0]["type"], 24);
    assert_eq!(
        v["options"][0]["ignored"],
        "option 24 at byte 16: invalid length 32"
    );
    assert_eq!(v["options"][1]["prefix"], "2001:db8:cafe::");
    let (code, out, _) = decode(&[ra]);
    assert_eq!(code, 0);
    assert!(
        out.contains("route info option (24), length 32 (4): [ignored: option 24 at byte 16: invalid length 32]"),
        "{out}"
    );
    // A Reply with SOL_MAX_RT 30 and an IA Address with preferred > valid.
    let reply = "07123456 00520004 0000001e 0003 0028 00000001 00000000 00000000 \
                 0005 0018 20010db8000100000000000000000001 00001c20 00000e10";
    let (code, out, err) = decode(&["--json", reply]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["options"][0]["sol_max_rt"], 30);
    assert_eq!(
        v["options"][0]["ignored"],
        "SOL_MAX_RT outside 60..=86400 (RFC 9915 §21.24, RFC 7083 §4)"
    );
    assert_eq!(v["options"][1]["options"][0]["preferred_lifetime"], 7200);
    assert!(v["options"][1]["options"][0]["ignored"]
        .as_str()
        .unwrap()
        .contains("RFC 9915 §21.6"));
    let (_, out, _) = decode(&[reply]);
    assert!(out.starts_with(
        "dhcp6 reply (xid=123456 (sol-max-rt 30 [ignored]) (IA_NA IAID:1 T1:0 T2:0 \
         (IA_ADDR 2001:db8:1::1 pltime:7200 vltime:3600 [ignored])))\n"
    ));
}
