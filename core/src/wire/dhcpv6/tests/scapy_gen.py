#!/usr/bin/python3
"""Regenerates scapy.hex: DHCPv6 messages built with scapy (2.5, scapy.layers.dhcp6), one or more
per option, as "name hex" lines. Run with the system python: /usr/bin/python3 scapy_gen.py > scapy.hex
scapy 2.5 has no class for NTP Server (56), PD Exclude (67), SOL_MAX_RT (82) or INF_MAX_RT (83);
those are built with DHCP6OptUnknown from their RFC layouts."""
import struct
from scapy.layers.dhcp6 import *
from scapy.all import raw

llt = DUID_LLT(hwtype=1, timeval=482446373, lladdr="fa:16:3e:22:38:6b")
ll = DUID_LL(hwtype=1, lladdr="fa:16:3e:06:17:6f")
en = DUID_EN(enterprisenum=9, id=b"\x0a\x0b\x0c")
uuid = DUID_UUID(uuid="01234567-89ab-cdef-0123-456789abcdef")

msgs = [
    ("solicit_llt", DHCP6_Solicit(trid=0x85680b) / DHCP6OptClientId(duid=llt) / DHCP6OptElapsedTime(elapsedtime=101) / DHCP6OptOptReq(reqopts=[23, 24, 39, 31]) / DHCP6OptIA_NA(iaid=7, T1=3600, T2=5400) / DHCP6OptRapidCommit()),
    ("solicit_en_pd", DHCP6_Solicit(trid=1) / DHCP6OptClientId(duid=en) / DHCP6OptIA_PD(iaid=9, T1=0, T2=0, iapdopt=[DHCP6OptIAPrefix(preflft=100, validlft=200, plen=56, prefix="2001:db8:1::")])),
    ("advertise_uuid", DHCP6_Advertise(trid=2) / DHCP6OptClientId(duid=uuid) / DHCP6OptServerId(duid=ll) / DHCP6OptPref(prefval=7) / DHCP6OptIA_NA(iaid=7, T1=10, T2=20, ianaopts=[DHCP6OptIAAddress(addr="2001:db8::10", preflft=30, validlft=40), DHCP6OptStatusCode(statuscode=0, statusmsg="ok")])),
    ("request_ia_ta", DHCP6_Request(trid=3) / DHCP6OptClientId(duid=llt) / DHCP6OptServerId(duid=ll) / DHCP6OptIA_TA(iaid=5, iataopts=[DHCP6OptIAAddress(addr="fe80::1", preflft=1, validlft=2)])),
    ("confirm", DHCP6_Confirm(trid=4) / DHCP6OptClientId(duid=llt) / DHCP6OptIA_NA(iaid=1, ianaopts=[DHCP6OptIAAddress(addr="2001:db8::1")])),
    ("renew_pd_exclude", DHCP6_Renew(trid=5) / DHCP6OptClientId(duid=llt) / DHCP6OptServerId(duid=ll) / DHCP6OptIA_PD(iaid=2, T1=100, T2=200, iapdopt=[DHCP6OptIAPrefix(preflft=300, validlft=400, plen=48, prefix="2001:db8:aa00::", iaprefopts=[DHCP6OptUnknown(optcode=67, data=bytes([64]) + bytes.fromhex("0001"))])])),
    ("rebind", DHCP6_Rebind(trid=6) / DHCP6OptClientId(duid=llt) / DHCP6OptUserClass(userclassdata=[USER_CLASS_DATA(data=b"office"), USER_CLASS_DATA(data=b"lab")]) / DHCP6OptVendorClass(enterprisenum=311, vcdata=[VENDOR_CLASS_DATA(data=b"MSFT 5.0")])),
    ("reply_status_fail", DHCP6_Reply(trid=7) / DHCP6OptServerId(duid=ll) / DHCP6OptClientId(duid=llt) / DHCP6OptStatusCode(statuscode=2, statusmsg="no addresses available") / DHCP6OptReconfAccept() / DHCP6OptServerUnicast(srvaddr="2001:db8::53")),
    ("reply_services", DHCP6_Reply(trid=8) / DHCP6OptServerId(duid=ll) / DHCP6OptDNSServers(dnsservers=["2001:db8::53", "2001:db8::54"]) / DHCP6OptDNSDomains(dnsdomains=["example.com.", "lab.example.org."]) / DHCP6OptSNTPServers(sntpservers=["2001:db8::123"]) / DHCP6OptInfoRefreshTime(reftime=3600) / DHCP6OptUnknown(optcode=82, data=struct.pack(">I", 3600)) / DHCP6OptUnknown(optcode=83, data=struct.pack(">I", 86400))),
    ("reply_ntp", DHCP6_Reply(trid=9) / DHCP6OptServerId(duid=ll) / DHCP6OptUnknown(optcode=56, data=struct.pack(">HH", 1, 16) + bytes.fromhex("20010db8000000000000000000000123")) / DHCP6OptUnknown(optcode=56, data=struct.pack(">HH", 2, 16) + bytes.fromhex("ff050000000000000000000000000101")) / DHCP6OptUnknown(optcode=56, data=struct.pack(">HH", 3, 17) + b"\x03ntp\x07example\x03com\x00")),
    ("release", DHCP6_Release(trid=10) / DHCP6OptClientId(duid=llt) / DHCP6OptServerId(duid=ll) / DHCP6OptIA_NA(iaid=1, ianaopts=[DHCP6OptIAAddress(addr="2001:db8::1", preflft=0, validlft=0)])),
    ("decline", DHCP6_Decline(trid=11) / DHCP6OptClientId(duid=llt) / DHCP6OptServerId(duid=ll) / DHCP6OptIA_NA(iaid=1, ianaopts=[DHCP6OptIAAddress(addr="2001:db8::2", preflft=0, validlft=0)])),
    ("reconfigure", DHCP6_Reconf(trid=0) / DHCP6OptServerId(duid=ll) / DHCP6OptClientId(duid=llt) / DHCP6OptReconfMsg(msgtype=5) / DHCP6OptAuth(proto=3, alg=1, rdm=0, replay=b"\x00\x00\x00\x00\x00\x00\x00\x01", authinfo=b"\x02" + bytes(range(16)))),
    ("inf_req_fqdn", DHCP6_InfoRequest(trid=12) / DHCP6OptClientId(duid=ll) / DHCP6OptClientFQDN(flags=1, fqdn="host.example.com.") / DHCP6OptElapsedTime(elapsedtime=0) / DHCP6OptVendorSpecificInfo(enterprisenum=4491, vso=[VENDOR_SPECIFIC_OPTION(optcode=1, optdata=b"\x00\x20")])),
    ("relay_forw", DHCP6_RelayForward(hopcount=1, linkaddr="2001:db8:1::1", peeraddr="fe80::f816:3eff:fe22:386b") / DHCP6OptIfaceId(ifaceid=b"eth0") / DHCP6OptRemoteID(enterprisenum=3561, remoteid=b"\x01\x02\x03") / DHCP6OptSubscriberID(subscriberid=b"sub-42") / DHCP6OptClientLinkLayerAddr(lltype=1, clladdr="fa:16:3e:22:38:6b") / DHCP6OptRelayMsg(message=DHCP6_Solicit(trid=0x85680b) / DHCP6OptClientId(duid=llt) / DHCP6OptElapsedTime(elapsedtime=0))),
    ("relay_repl_nested", DHCP6_RelayReply(hopcount=1, linkaddr="::", peeraddr="2001:db8:2::1") / DHCP6OptIfaceId(ifaceid=b"up0") / DHCP6OptRelayMsg(message=DHCP6_RelayReply(hopcount=0, linkaddr="2001:db8:1::1", peeraddr="fe80::1") / DHCP6OptRelayMsg(message=DHCP6_Advertise(trid=13) / DHCP6OptServerId(duid=ll) / DHCP6OptClientId(duid=llt)))),
    ("unknown_option", DHCP6_Solicit(trid=14) / DHCP6OptClientId(duid=llt) / DHCP6OptUnknown(optcode=65000, data=b"\xde\xad")),
]
for name, m in msgs:
    print(name, raw(m).hex())
