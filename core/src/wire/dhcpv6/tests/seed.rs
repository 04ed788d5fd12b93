//! The seed's DHCPv6 exchanges (OpenStack Kilo, dnsmasq server), rebuilt from its tcpdump
//! decode: every field tcpdump printed, and the UDP payload lengths it printed (payload length
//! minus the 8-byte UDP header). Fields tcpdump did not print were chosen to fit those lengths
//! and what dnsmasq 2.7x sends: status message "success" (rfc3315.c), Client FQDN flags 0x01 and
//! the neutron host name `host-2001-db8-cafe-1--4`, partial in the Advertise (no domain known
//! yet) and qualified with `openstacklocal.` in the Reply.

use std::string::ToString;

use super::hex;
use crate::wire::dhcpv6::option::names::FQDN_FLAG_S;
use crate::wire::dhcpv6::*;
use core::net::Ipv6Addr;

pub(crate) const SOLICIT: &str = "0185680b0001000e000100011cc18c25fa163e22386b00060008001700180027001f0008000200650003000c3e22386b00000e1000001518";
pub(crate) const ADVERTISE: &str = "0285680b0001000e000100011cc18c25fa163e22386b0002000a00030001fa163e06176f000300283e22386b0000a8c0000127500005001820010db8cafe000100000000000000040001518000015180000d000900007375636365737300070001ff001800100e6f70656e737461636b6c6f63616c000017001020010db8cafe000a000000000000000e002700190117686f73742d323030312d6462382d636166652d312d2d34";
pub(crate) const REQUEST: &str = "039cb1720001000e000100011cc18c25fa163e22386b0002000a00030001fa163e06176f00060008001700180027001f000800020000000300283e22386b00000e10000015180005001820010db8cafe0001000000000000000400001c2000001d4c";
pub(crate) const REPLY: &str = "079cb1720001000e000100011cc18c25fa163e22386b0002000a00030001fa163e06176f000300283e22386b00000e100000189c0005001820010db8cafe0001000000000000000400001c2000001d4c000d0009000073756363657373001800100e6f70656e737461636b6c6f63616c000017001020010db8cafe000a000000000000000e002700290117686f73742d323030312d6462382d636166652d312d2d340e6f70656e737461636b6c6f63616c00";
pub(crate) const INFORMATION_REQUEST: &str =
    "0bd2dbc80001000a00030001fa163efed15700060008001700180027001f00080002005e";
pub(crate) const INFORMATION_REPLY: &str = "07d2dbc80001000a00030001fa163efed1570002000a00030001fa163e2da6de001800100e6f70656e737461636b6c6f63616c000017001020010db8cafe000a000000000000000e0020000400015180";

const ORO: [OptionCode; 4] = [
    OptionCode::DnsServers,
    OptionCode::DomainList,
    OptionCode::ClientFqdn,
    OptionCode::SntpServers,
];
const CLIENT_MAC: [u8; 6] = [0xfa, 0x16, 0x3e, 0x22, 0x38, 0x6b];
const IAID: u32 = 1042430059;
const LEASE: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0xcafe, 1, 0, 0, 0, 4);
const DNS: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0xcafe, 0xa, 0, 0, 0, 0xe);

fn client_duid() -> DuidBuf {
    DuidKind::Llt {
        hardware_type: 1,
        time: 482446373,
        link_layer_address: &CLIENT_MAC,
    }
    .to_buf()
    .unwrap()
}

fn server_duid(mac: [u8; 6]) -> DuidBuf {
    DuidKind::Ll {
        hardware_type: 1,
        link_layer_address: &mac,
    }
    .to_buf()
    .unwrap()
}

fn parse(bytes: &[u8]) -> MessageRepr<'_> {
    match Repr::parse(bytes).unwrap() {
        Repr::Message(m) => m,
        Repr::Relayed(_) => panic!("not relayed"),
    }
}

/// Build with the builder, compare with the golden bytes, and check that parse → emit gives the
/// same bytes back.
fn both_ways(golden: &str, f: impl FnMut(&mut Writer<'_>)) {
    let golden = hex(golden);
    let mut buf = [0u8; 512];
    let n = build(&mut buf, f).unwrap();
    assert_eq!(super::to_hex(&buf[..n]), super::to_hex(&golden));
    let m = parse(&golden);
    let mut out = [0u8; 512];
    let n = m.emit(&mut out).unwrap();
    assert_eq!(&out[..n], &golden[..]);
    assert_eq!(m.buffer_len(), golden.len());
}

#[test]
fn stateful_solicit() {
    let bytes = hex(SOLICIT);
    assert_eq!(bytes.len() + 8, 64, "tcpdump: UDP payload length 64");
    let m = parse(&bytes);
    assert_eq!(m.msg_type, MessageType::Solicit);
    assert_eq!(m.transaction_id, 0x85680b);
    let duid = m.client_id().unwrap();
    assert_eq!(
        duid.kind(),
        DuidKind::Llt {
            hardware_type: 1,
            time: 482446373,
            link_layer_address: &CLIENT_MAC
        }
    );
    assert!(m.oro().unwrap().iter().eq(ORO));
    assert_eq!(m.elapsed_time(), Some(101));
    let ias: std::vec::Vec<_> = m.ia_nas().collect();
    assert_eq!(ias.len(), 1);
    assert_eq!((ias[0].iaid, ias[0].t1, ias[0].t2), (IAID, 3600, 5400));
    assert!(ias[0].options.is_empty());
    assert!(m.server_id().is_none());
    assert_eq!(
        m.to_string(),
        "solicit (xid=85680b (client-ID hwaddr/time type 1 time 482446373 fa163e22386b) \
         (option-request DNS-server DNS-search-list Client-FQDN SNTP-servers) (elapsed-time 101) \
         (IA_NA IAID:1042430059 T1:3600 T2:5400))"
    );
    let duid = client_duid();
    both_ways(SOLICIT, |w| {
        w.header(MessageType::Solicit, 0x85680b)
            .client_id(&duid.as_duid())
            .oro(&ORO)
            .elapsed_time(101)
            .begin_ia_na(IAID, 3600, 5400)
            .end();
    });
}

#[test]
fn stateful_advertise() {
    let bytes = hex(ADVERTISE);
    assert_eq!(bytes.len() + 8, 175);
    let m = parse(&bytes);
    assert_eq!(m.msg_type, MessageType::Advertise);
    assert_eq!(m.transaction_id, 0x85680b);
    assert_eq!(m.client_id().unwrap().as_bytes(), client_duid().as_bytes());
    assert_eq!(
        m.server_id().unwrap().kind(),
        DuidKind::Ll {
            hardware_type: 1,
            link_layer_address: &[0xfa, 0x16, 0x3e, 0x06, 0x17, 0x6f]
        }
    );
    let ia = m.ia_nas().next().unwrap();
    assert_eq!((ia.iaid, ia.t1, ia.t2), (IAID, 43200, 75600));
    let addrs: std::vec::Vec<_> = ia.addresses().collect();
    assert_eq!(addrs.len(), 1);
    assert_eq!(addrs[0].address, LEASE);
    assert_eq!(
        (addrs[0].preferred_lifetime, addrs[0].valid_lifetime),
        (86400, 86400)
    );
    let opts: std::vec::Vec<_> = m.options.iter().collect();
    assert_eq!(opts.len(), 8);
    assert!(
        matches!(opts[3], DhcpOption::StatusCode(s) if s.code == StatusCode::Success && s.message == b"success")
    );
    assert_eq!(opts[4], DhcpOption::Preference(255));
    match opts[5] {
        DhcpOption::DomainList(l) => assert_eq!(l.to_string(), "openstacklocal."),
        other => panic!("{other:?}"),
    }
    match opts[6] {
        DhcpOption::DnsServers(a) => assert!(a.iter().eq([DNS])),
        other => panic!("{other:?}"),
    }
    match opts[7] {
        DhcpOption::ClientFqdn(f) => {
            assert!(f.s() && !f.o() && !f.n());
            assert!(!f.name.is_fully_qualified());
            assert_eq!(f.name.to_string(), "host-2001-db8-cafe-1--4");
        }
        other => panic!("{other:?}"),
    }
    // tcpdump's line, with the status message and FQDN content that tcpdump leaves out.
    assert_eq!(
        m.to_string(),
        "advertise (xid=85680b (client-ID hwaddr/time type 1 time 482446373 fa163e22386b) \
         (server-ID hwaddr type 1 fa163e06176f) (IA_NA IAID:1042430059 T1:43200 T2:75600 \
         (IA_ADDR 2001:db8:cafe:1::4 pltime:86400 vltime:86400)) (status-code success \"success\") \
         (preference 255) (DNS-search-list openstacklocal.) (DNS-server 2001:db8:cafe:a::e) \
         (Client-FQDN flags [S] \"host-2001-db8-cafe-1--4\"))"
    );
    let c = client_duid();
    let s = server_duid([0xfa, 0x16, 0x3e, 0x06, 0x17, 0x6f]);
    both_ways(ADVERTISE, |w| {
        w.header(MessageType::Advertise, 0x85680b)
            .client_id(&c.as_duid())
            .server_id(&s.as_duid())
            .begin_ia_na(IAID, 43200, 75600)
            .ia_addr(LEASE, 86400, 86400)
            .end()
            .status(StatusCode::Success, "success")
            .preference(255)
            .domain_list(&["openstacklocal."])
            .dns_servers(&[DNS])
            .client_fqdn(FQDN_FLAG_S, "host-2001-db8-cafe-1--4");
    });
}

#[test]
fn stateful_request() {
    let bytes = hex(REQUEST);
    assert_eq!(bytes.len() + 8, 106);
    let m = parse(&bytes);
    assert_eq!(m.msg_type, MessageType::Request);
    assert_eq!(m.transaction_id, 0x9cb172);
    assert_eq!(m.elapsed_time(), Some(0));
    let ia = m.ia_nas().next().unwrap();
    assert_eq!((ia.iaid, ia.t1, ia.t2), (IAID, 3600, 5400));
    let a = ia.addresses().next().unwrap();
    assert_eq!(
        (a.address, a.preferred_lifetime, a.valid_lifetime),
        (LEASE, 7200, 7500)
    );
    assert_eq!(
        m.to_string(),
        "request (xid=9cb172 (client-ID hwaddr/time type 1 time 482446373 fa163e22386b) \
         (server-ID hwaddr type 1 fa163e06176f) (option-request DNS-server DNS-search-list \
         Client-FQDN SNTP-servers) (elapsed-time 0) (IA_NA IAID:1042430059 T1:3600 T2:5400 \
         (IA_ADDR 2001:db8:cafe:1::4 pltime:7200 vltime:7500)))"
    );
    // The server accepts it only with its own Server ID.
    let s = server_duid([0xfa, 0x16, 0x3e, 0x06, 0x17, 0x6f]);
    assert_eq!(check_server_receipt(&m, &s.as_duid()), Ok(()));
    let other = server_duid([0xfa, 0x16, 0x3e, 0x06, 0x17, 0x70]);
    assert_eq!(
        check_server_receipt(&m, &other.as_duid()),
        Err(DropReason::ServerIdMismatch)
    );
    let c = client_duid();
    both_ways(REQUEST, |w| {
        w.header(MessageType::Request, 0x9cb172)
            .client_id(&c.as_duid())
            .server_id(&s.as_duid())
            .oro(&ORO)
            .elapsed_time(0)
            .begin_ia_na(IAID, 3600, 5400)
            .ia_addr(LEASE, 7200, 7500)
            .end();
    });
}

#[test]
fn stateful_reply() {
    let bytes = hex(REPLY);
    assert_eq!(bytes.len() + 8, 186);
    let m = parse(&bytes);
    assert_eq!(m.msg_type, MessageType::Reply);
    assert_eq!(m.transaction_id, 0x9cb172);
    let ia = m.ia_nas().next().unwrap();
    assert_eq!((ia.iaid, ia.t1, ia.t2), (IAID, 3600, 6300));
    let a = ia.addresses().next().unwrap();
    assert_eq!(
        (a.address, a.preferred_lifetime, a.valid_lifetime),
        (LEASE, 7200, 7500)
    );
    match m.options.find(OptionCode::ClientFqdn) {
        Some(DhcpOption::ClientFqdn(f)) => {
            assert!(f.name.is_fully_qualified());
            assert_eq!(
                f.name.to_string(),
                "host-2001-db8-cafe-1--4.openstacklocal."
            );
        }
        other => panic!("{other:?}"),
    }
    // The client that sent the Request accepts it; a different xid or client does not.
    let c = client_duid();
    assert_eq!(
        check_client_receipt(&m, 0x9cb172, &c.as_duid(), true, false),
        Ok(())
    );
    assert_eq!(
        check_client_receipt(&m, 0x85680b, &c.as_duid(), true, false),
        Err(DropReason::TransactionIdMismatch)
    );
    let s = server_duid([0xfa, 0x16, 0x3e, 0x06, 0x17, 0x6f]);
    assert_eq!(
        check_client_receipt(&m, 0x9cb172, &s.as_duid(), true, false),
        Err(DropReason::ClientIdMismatch)
    );
    both_ways(REPLY, |w| {
        w.header(MessageType::Reply, 0x9cb172)
            .client_id(&c.as_duid())
            .server_id(&s.as_duid())
            .begin_ia_na(IAID, 3600, 6300)
            .ia_addr(LEASE, 7200, 7500)
            .end()
            .status(StatusCode::Success, "success")
            .domain_list(&["openstacklocal"])
            .dns_servers(&[DNS])
            .client_fqdn(FQDN_FLAG_S, "host-2001-db8-cafe-1--4.openstacklocal.");
    });
}

#[test]
fn stateless_information_request_and_reply() {
    let bytes = hex(INFORMATION_REQUEST);
    assert_eq!(bytes.len() + 8, 44);
    let m = parse(&bytes);
    assert_eq!(m.msg_type, MessageType::InformationRequest);
    assert_eq!(m.transaction_id, 0xd2dbc8);
    assert_eq!(m.elapsed_time(), Some(94));
    assert_eq!(
        m.to_string(),
        "inf-req (xid=d2dbc8 (client-ID hwaddr type 1 fa163efed157) (option-request DNS-server \
         DNS-search-list Client-FQDN SNTP-servers) (elapsed-time 94))"
    );
    let c = server_duid([0xfa, 0x16, 0x3e, 0xfe, 0xd1, 0x57]);
    let s = server_duid([0xfa, 0x16, 0x3e, 0x2d, 0xa6, 0xde]);
    assert_eq!(check_server_receipt(&m, &s.as_duid()), Ok(()));
    both_ways(INFORMATION_REQUEST, |w| {
        w.header(MessageType::InformationRequest, 0xd2dbc8)
            .client_id(&c.as_duid())
            .oro(&ORO)
            .elapsed_time(94);
    });

    let bytes = hex(INFORMATION_REPLY);
    assert_eq!(bytes.len() + 8, 88);
    let r = parse(&bytes);
    assert_eq!(r.msg_type, MessageType::Reply);
    assert_eq!(
        r.to_string(),
        "reply (xid=d2dbc8 (client-ID hwaddr type 1 fa163efed157) (server-ID hwaddr type 1 \
         fa163e2da6de) (DNS-search-list openstacklocal.) (DNS-server 2001:db8:cafe:a::e) \
         (lifetime 86400))"
    );
    assert_eq!(
        r.options.find(OptionCode::InformationRefreshTime),
        Some(DhcpOption::InformationRefreshTime(86400))
    );
    assert_eq!(
        check_client_receipt(&r, 0xd2dbc8, &c.as_duid(), true, false),
        Ok(())
    );
    both_ways(INFORMATION_REPLY, |w| {
        w.header(MessageType::Reply, 0xd2dbc8)
            .client_id(&c.as_duid())
            .server_id(&s.as_duid())
            .domain_list(&["openstacklocal."])
            .dns_servers(&[DNS])
            .information_refresh_time(86400);
    });
}

#[test]
fn packet_view_reads_and_writes_the_header() {
    let mut bytes = hex(SOLICIT);
    let mut p = Packet::new_checked(&mut bytes[..]).unwrap();
    assert_eq!(p.msg_type(), MessageType::Solicit);
    assert_eq!(p.transaction_id(), 0x85680b);
    assert_eq!(p.header_len(), 4);
    assert_eq!(p.options().len(), 52);
    p.set_msg_type(MessageType::Request);
    p.set_transaction_id(0xff123456);
    assert_eq!(p.transaction_id(), 0x123456);
    assert_eq!(&bytes[..4], &[3, 0x12, 0x34, 0x56]);
}
