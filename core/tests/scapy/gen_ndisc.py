#!/usr/bin/python3
"""Build the ND packets of core/tests/ndisc_scapy.rs with scapy and print their ICMPv6 bytes as
hex (name, src, dst, hex). Run: /usr/bin/python3 core/tests/scapy/gen_ndisc.py [out.pcap]

scapy 2.5 has no classes for PREF64 (38), Captive Portal (37) or Nonce (14); those are built
as ICMPv6NDOptUnknown with the RFC 8781 / RFC 8910 / RFC 3971 layouts spelled out here, and
cross-checked with tshark, which dissects all three.
"""
import struct
import sys

from scapy.all import (IPv6, Ether, ICMPv6ND_RA, ICMPv6ND_RS, ICMPv6ND_NS, ICMPv6ND_NA,
                       ICMPv6ND_Redirect, ICMPv6NDOptSrcLLAddr, ICMPv6NDOptDstLLAddr,
                       ICMPv6NDOptMTU, ICMPv6NDOptPrefixInfo, ICMPv6NDOptRDNSS,
                       ICMPv6NDOptDNSSL, ICMPv6NDOptRouteInfo, ICMPv6NDOptRedirectedHdr,
                       ICMPv6NDOptUnknown, UDP, Raw, inet_pton, socket, wrpcap)

R = "fe80::f816:3eff:fec3:17b4"
MAC = "fa:16:3e:c3:17:b4"


def pref64(lifetime_s, plc, prefix):
    p = inet_pton(socket.AF_INET6, prefix)[:12]
    return ICMPv6NDOptUnknown(type=38, len=2, data=struct.pack("!H", (lifetime_s // 8) << 3 | plc) + p)


def captive(uri):
    data = uri.encode()
    while (len(data) + 2) % 8:
        data += b"\0"
    return ICMPv6NDOptUnknown(type=37, len=(len(data) + 2) // 8, data=data)


def nonce(b):
    return ICMPv6NDOptUnknown(type=14, len=(len(b) + 2) // 8, data=b)


PACKETS = [
    ("ra_five_options", R, "ff02::1",
     ICMPv6ND_RA(chlim=64, M=0, O=1, prf=1, routerlifetime=1800, reachabletime=30000, retranstimer=1000)
     / ICMPv6NDOptSrcLLAddr(lladdr=MAC) / ICMPv6NDOptMTU(mtu=1500)
     / ICMPv6NDOptPrefixInfo(prefixlen=64, L=1, A=1, validlifetime=86400, preferredlifetime=14400, prefix="2001:db8:cafe::")
     / ICMPv6NDOptRDNSS(lifetime=600, dns=["2001:db8:cafe:a::e", "2001:db8:cafe:a::f"])
     / ICMPv6NDOptDNSSL(lifetime=600, searchlist=["openstacklocal.", "example.com."])),
    ("ra_routes", R, "ff02::1",
     ICMPv6ND_RA(chlim=0, M=1, O=1, H=1, prf=3, P=1, routerlifetime=0, reachabletime=0, retranstimer=0)
     / ICMPv6NDOptRouteInfo(plen=0, prf=1, rtlifetime=0xffffffff)
     / ICMPv6NDOptRouteInfo(len=2, plen=48, prf=0, rtlifetime=1800, prefix="2001:db8:beef::")
     / ICMPv6NDOptRouteInfo(plen=96, prf=3, rtlifetime=600, prefix="2001:db8:1:2:3:4::")),
    ("ra_pref64_captive_pio_flags", R, "ff02::1",
     ICMPv6ND_RA(chlim=255, prf=2, routerlifetime=9000)
     / ICMPv6NDOptPrefixInfo(prefixlen=128, L=0, A=0, R=1, validlifetime=0xffffffff, preferredlifetime=0xffffffff, prefix="2001:db8::1")
     / ICMPv6NDOptPrefixInfo(prefixlen=56, L=1, A=0, res1=0x10, validlifetime=7200, preferredlifetime=3600, prefix="2001:db8:ab00::")
     / pref64(1800, 0, "64:ff9b::")
     / pref64(8 * 8191, 5, "2001:db8:6464::")
     / captive("https://portal.example/capport/api")),
    ("rs_unspecified_no_options", "::", "ff02::2", ICMPv6ND_RS()),
    ("ns_dad_with_nonce", "::", "ff02::1:ffc3:17b4",
     ICMPv6ND_NS(tgt="2001:db8:cafe::f816:3eff:fec3:17b4") / nonce(bytes.fromhex("0102030405a6"))),
    ("ns_resolve_with_slla", R, "ff02::1:ff00:1",
     ICMPv6ND_NS(tgt="fe80::1") / ICMPv6NDOptSrcLLAddr(lladdr=MAC)),
    ("na_router_solicited_override", "fe80::1", R,
     ICMPv6ND_NA(R=1, S=1, O=1, tgt="fe80::1") / ICMPv6NDOptDstLLAddr(lladdr="00:00:5e:00:53:01")),
    ("na_unsolicited_multicast", "2001:db8::5", "ff02::1",
     ICMPv6ND_NA(R=0, S=0, O=1, tgt="2001:db8::5") / ICMPv6NDOptDstLLAddr(lladdr="02:00:00:00:00:05")),
    ("redirect", "fe80::1", "2001:db8::99",
     ICMPv6ND_Redirect(tgt="fe80::2", dst="2001:db8:77::1")
     / ICMPv6NDOptDstLLAddr(lladdr="00:00:5e:00:53:02")
     / ICMPv6NDOptRedirectedHdr(pkt=IPv6(src="2001:db8::99", dst="2001:db8:77::1", hlim=63) / UDP(sport=5353, dport=53) / Raw(b"hello"))),
]


def main():
    frames = []
    for name, src, dst, icmp in PACKETS:
        ip = IPv6(src=src, dst=dst, hlim=255) / icmp
        raw = bytes(ip)
        print(name, src, dst, raw[40:].hex())
        frames.append(Ether(src=MAC, dst="33:33:00:00:00:01") / IPv6(raw))
    if len(sys.argv) > 1:
        wrpcap(sys.argv[1], frames)


if __name__ == "__main__":
    main()
