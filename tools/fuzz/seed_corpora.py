#!/usr/bin/env python3
"""Seed the cargo-fuzz corpora from the committed fixtures and from every CVE test's inputs.

- Every `NAME.hex` under std-adapter/tests/fixtures/{nd,dhcpv6} (real peers' packets,
  scapy-built ones) becomes corpus file `NAME` of the targets that take that kind of input.
  Lines starting with '#' are headers; the rest is hex.
- The CVE tests (core/src/wire/dhcpv6/tests/cve.rs, core/tests/ndisc_cves.rs, and the server
  and client engine tests of the CVE rows in REFERENCES.md) are run with SIXCONF_FUZZ_SEEDS set,
  which makes them save every input they decode or hand to an engine
  (core/src/test_seeds.rs); each becomes corpus file `cve-HASH` of the same targets.
  `--no-tests` skips this (it runs `cargo test`, which CI has built already).
- lease_rows gets lease rows built here: good leases of both types on both links, and the
  damaged rows the loader must skip (Kea CVE-2019-6474's empty DUID among them).

Writes fuzz/corpus/<target>/<name>; existing files are kept (a corpus only grows).
"""
import argparse
import os
import pathlib
import re
import shutil
import struct
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "std-adapter" / "tests" / "fixtures"
TARGETS = {
    "nd": ["ndisc_decode", "ndisc_roundtrip", "host_engine", "ra_advertiser", "debug_display"],
    "dhcpv6": ["dhcpv6_decode", "dhcpv6_roundtrip", "dhcpv6_client", "dhcpv6_server",
               "debug_display"],
}
# The tests whose inputs are CVE rows (libtest name filters), per test binary.
CVE_TESTS = [
    ["--lib", "--", "cve", "duplicate_iaids", "duid_length_bounds",
     "replies_with_many_failing_ias", "compact_reply", "relayed_by"],
    ["--test", "ndisc_cves"],
]


def payload(path):
    text = "".join(l for l in path.read_text().splitlines() if not l.lstrip().startswith("#"))
    digits = re.sub(r"[^0-9a-fA-F]", "", text)
    return bytes.fromhex(digits[: len(digits) // 2 * 2])


def framed(target, data):
    """The bytes as the target reads them; None when the target cannot take them."""
    # Above 16 KiB (the odhcpd row's 1,700 nested relays) nothing new is reached: the decoders
    # stop at the 33rd relay, and such a seed would only raise libFuzzer's -max_len for all.
    if len(data) > 0x3FFF:
        return None
    if target not in ("dhcpv6_client", "dhcpv6_server"):
        return data
    # The engine targets frame each datagram with a 2-byte length (top bit: time passes
    # instead; next bit, for the server: from a relay agent's global address).
    word = len(data)
    if target == "dhcpv6_server":
        if data[:1] == b"\x0c":  # Relay-forward
            word |= 0x4000
        return word.to_bytes(2, "big") + data
    return bytes([0]) + word.to_bytes(2, "big") + data


def write(target, name, data):
    out = ROOT / "fuzz" / "corpus" / target
    out.mkdir(parents=True, exist_ok=True)
    (out / name).write_bytes(data)


def cve_seeds():
    """Run the CVE tests with SIXCONF_FUZZ_SEEDS set; {kind: [(hash, bytes)]}."""
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="sixconf-seeds-"))
    env = dict(os.environ, SIXCONF_FUZZ_SEEDS=str(tmp))
    try:
        for args in CVE_TESTS:
            subprocess.run(["cargo", "test", "-q", "-p", "sixconf-core", *args], cwd=ROOT,
                           env=env, check=True, stdout=subprocess.DEVNULL)
        return {kind: [(p.name, p.read_bytes()) for p in sorted((tmp / kind).glob("*"))]
                for kind in TARGETS if (tmp / kind).is_dir()}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# lease_rows input: a flags byte, then 8 columns per row, each a tag (0 NULL, 1 integer, 2 real,
# 3 text, 4 blob) and its value (8 bytes big-endian; or a length byte and the bytes).
def col(v):
    if v is None:
        return b"\x00"
    if isinstance(v, int):
        return b"\x01" + struct.pack(">q", v)
    if isinstance(v, float):
        return b"\x02" + struct.pack(">d", v)
    if isinstance(v, str):
        v = v.encode()
        return b"\x03" + bytes([len(v)]) + v
    return b"\x04" + bytes([len(v)]) + v


NOW = 1_800_000_000_000  # the target's `now`, Unix ms


def addr(*groups):
    return b"".join(struct.pack(">H", g) for g in groups)


def lease_rows():
    duid = bytes([0, 3, 0, 1, 2, 0, 0, 0, 0, 7])
    good_na = [addr(0x2001, 0xdb8, 1, 0, 0, 0, 0, 0x100), 128, "na", "lan0", duid, 1,
               NOW + 1_000, NOW + 2_000]
    good_pd = [addr(0x2001, 0xdb8, 0x8002, 0x100, 0, 0, 0, 0), 56, "pd", "lan1", duid, 2,
               NOW + 1_000, NOW + 2_000]
    long_duid = [addr(0x2001, 0xdb8, 1, 0, 0, 0, 0, 0x101), 128, "na", "#0",
                 bytes([0, 4]) + bytes(128), 3, NOW + 5, NOW + 5]
    rows = {
        "good": [good_na, good_pd],
        "long-duid": [long_duid],
        "expired": [good_na[:6] + [NOW - 2, NOW - 1]],
        "conflict": [good_na, good_na[:4] + [bytes([0, 3, 0, 1, 9, 9, 9, 9, 9, 9]), 5] + good_na[6:]],
        "unknown-link": [good_na[:3] + ["wan9"] + good_na[4:]],
        "not-in-pool": [[addr(0x2001, 0xdb8, 9, 0, 0, 0, 0, 1)] + good_na[1:]],
        # Kea CVE-2019-6474: an empty DUID persisted; the loader skips and counts it.
        "cve-2019-6474-empty-duid": [good_na[:4] + [b""] + good_na[5:], good_pd],
        "damaged": [
            [None] * 8,
            good_na[:1] + ["128"] + good_na[2:],
            [good_na[0][:15]] + good_na[1:],
            good_na[:2] + ["ta"] + good_na[3:],
            good_na[:6] + [NOW + 3_000, NOW + 2_000],
            good_na[:5] + [-1] + good_na[6:],
            good_na[:6] + [float(NOW), 1.5],
        ],
    }
    out = {}
    for name, rs in rows.items():
        body = b"".join(col(v) for r in rs for v in r)
        for flags in range(4):
            out[f"{name}-{flags}"] = bytes([flags]) + body
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--no-tests", action="store_true", help="fixtures only, no CVE test run")
    args = ap.parse_args()
    count = 0
    inputs = {kind: [(f.stem, payload(f)) for f in sorted((FIXTURES / kind).glob("*.hex"))]
              for kind in TARGETS}
    if not args.no_tests:
        for kind, seeds in cve_seeds().items():
            inputs[kind] += [(f"cve-{kind}-{name}", s) for name, s in seeds]
    for kind, items in inputs.items():
        for name, data in items:
            for target in TARGETS[kind]:
                f = framed(target, data)
                if f is not None:
                    write(target, name, f)
                    count += 1
    for name, data in lease_rows().items():
        write("lease_rows", name, data)
        count += 1
    print(f"seeded {count} corpus files", file=sys.stderr)


if __name__ == "__main__":
    main()
