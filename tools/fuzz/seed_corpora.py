#!/usr/bin/env python3
"""Seed the cargo-fuzz corpora from the committed fixtures.

Every `NAME.hex` under std-adapter/tests/fixtures/{nd,dhcpv6} (real peers' packets, scapy-built
ones, the CVE rows) becomes one corpus file of the targets that take that kind of input. Lines
starting with '#' are headers; the rest is hex. Writes fuzz/corpus/<target>/<fixture-name>.
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "std-adapter" / "tests" / "fixtures"
TARGETS = {
    "nd": ["ndisc_decode", "ndisc_roundtrip", "host_engine", "ra_advertiser"],
    "dhcpv6": ["dhcpv6_decode", "dhcpv6_roundtrip", "dhcpv6_client", "dhcpv6_server"],
}


def payload(path):
    text = "".join(l for l in path.read_text().splitlines() if not l.lstrip().startswith("#"))
    digits = re.sub(r"[^0-9a-fA-F]", "", text)
    return bytes.fromhex(digits[: len(digits) // 2 * 2])


def main():
    count = 0
    for kind, targets in TARGETS.items():
        for fixture in sorted((FIXTURES / kind).glob("*.hex")):
            data = payload(fixture)
            for target in targets:
                out = ROOT / "fuzz" / "corpus" / target
                out.mkdir(parents=True, exist_ok=True)
                # The engine targets frame their input with 2-byte lengths.
                framed = data
                if target in ("dhcpv6_client", "dhcpv6_server"):
                    framed = bytes([0]) + len(data).to_bytes(2, "big") + data
                    if target == "dhcpv6_server":
                        framed = framed[1:]
                (out / fixture.stem).write_bytes(framed)
                count += 1
    print(f"seeded {count} corpus files", file=sys.stderr)


if __name__ == "__main__":
    main()
