//! Messages built by scapy 2.5 (`scapy_gen.py`, committed as `scapy.hex`), one or more per
//! option: each is parsed and compared field by field with what the script set, and emitted back
//! byte for byte.

use std::string::ToString;
use std::vec::Vec;

use super::hex;
use crate::wire::dhcpv6::option::{NtpSuboption, ReconfigureKey};
use crate::wire::dhcpv6::*;
use core::net::Ipv6Addr;

const SCAPY: &str = include_str!("scapy.hex");

fn golden(name: &str) -> Vec<u8> {
    let line = SCAPY
        .lines()
        .find(|l| l.split(' ').next() == Some(name))
        .unwrap_or_else(|| panic!("no {name} in scapy.hex"));
    hex(line.split(' ').nth(1).unwrap())
}

fn a(s: &str) -> Ipv6Addr {
    s.parse().unwrap()
}

/// Parse, check emit gives the same bytes, and return the options of the (innermost) message.
fn roundtrip(bytes: &[u8]) -> Repr<'_> {
    let repr = Repr::parse(bytes).unwrap_or_else(|e| panic!("{e}"));
    let mut out = std::vec![0u8; bytes.len()];
    assert_eq!(repr.emit(&mut out).unwrap(), bytes.len());
    assert_eq!(out, bytes);
    assert_eq!(repr.buffer_len(), bytes.len());
    let _ = super::render(&repr);
    repr
}

fn opts<'a>(repr: &Repr<'a>) -> Vec<DhcpOption<'a>> {
    repr.message().options.iter().collect()
}

#[test]
fn every_scapy_message_round_trips() {
    let mut n = 0;
    for line in SCAPY.lines() {
        let bytes = hex(line.split(' ').nth(1).unwrap());
        roundtrip(&bytes);
        n += 1;
    }
    assert_eq!(n, 17);
}

#[test]
fn solicit_llt_elapsed_oro_ia_na_rapid_commit() {
    let b = golden("solicit_llt");
    let r = roundtrip(&b);
    let m = r.message();
    assert_eq!(
        (m.msg_type, m.transaction_id),
        (MessageType::Solicit, 0x85680b)
    );
    let o = opts(&r);
    assert!(
        matches!(o[0], DhcpOption::ClientId(d) if d.kind() == DuidKind::Llt { hardware_type: 1, time: 482446373, link_layer_address: &[0xfa, 0x16, 0x3e, 0x22, 0x38, 0x6b] })
    );
    assert_eq!(o[1], DhcpOption::ElapsedTime(101));
    match o[2] {
        DhcpOption::Oro(l) => assert_eq!(
            l.iter().map(u16::from).collect::<Vec<_>>(),
            [23, 24, 39, 31]
        ),
        x => panic!("{x:?}"),
    }
    assert!(matches!(o[3], DhcpOption::IaNa(ia) if (ia.iaid, ia.t1, ia.t2) == (7, 3600, 5400)));
    assert_eq!(o[4], DhcpOption::RapidCommit);
    assert!(m.rapid_commit());
}

#[test]
fn solicit_duid_en_and_ia_pd() {
    let b = golden("solicit_en_pd");
    let r = roundtrip(&b);
    let o = opts(&r);
    assert!(
        matches!(o[0], DhcpOption::ClientId(d) if d.kind() == DuidKind::En { enterprise_number: 9, identifier: &[10, 11, 12] })
    );
    let pd = r.message().ia_pds().next().unwrap();
    assert_eq!((pd.iaid, pd.t1, pd.t2), (9, 0, 0));
    let p = pd.prefixes().next().unwrap();
    assert_eq!(
        (
            p.preferred_lifetime,
            p.valid_lifetime,
            p.prefix_len,
            p.prefix
        ),
        (100, 200, 56, a("2001:db8:1::"))
    );
}

#[test]
fn advertise_duid_uuid_preference_iaaddr_status() {
    let b = golden("advertise_uuid");
    let r = roundtrip(&b);
    let o = opts(&r);
    let uuid = hex("0123456789abcdef0123456789abcdef");
    assert!(
        matches!(o[0], DhcpOption::ClientId(d) if d.kind() == DuidKind::Uuid(uuid[..].try_into().unwrap()))
    );
    assert!(
        matches!(o[1], DhcpOption::ServerId(d) if d.kind() == DuidKind::Ll { hardware_type: 1, link_layer_address: &[0xfa, 0x16, 0x3e, 0x06, 0x17, 0x6f] })
    );
    assert_eq!(o[2], DhcpOption::Preference(7));
    let DhcpOption::IaNa(ia) = o[3] else { panic!() };
    let addr = ia.addresses().next().unwrap();
    assert_eq!(
        (addr.address, addr.preferred_lifetime, addr.valid_lifetime),
        (a("2001:db8::10"), 30, 40)
    );
    let st = ia.status().unwrap();
    assert_eq!((st.code, st.message), (StatusCode::Success, &b"ok"[..]));
}

#[test]
fn request_ia_ta() {
    let b = golden("request_ia_ta");
    let r = roundtrip(&b);
    let ta = r.message().ia_tas().next().unwrap();
    assert_eq!(ta.iaid, 5);
    let DhcpOption::IaAddr(x) = ta.options.iter().next().unwrap() else {
        panic!()
    };
    assert_eq!(
        (x.address, x.preferred_lifetime, x.valid_lifetime),
        (a("fe80::1"), 1, 2)
    );
}

#[test]
fn confirm_release_decline() {
    for (name, t, addr) in [
        ("confirm", MessageType::Confirm, "2001:db8::1"),
        ("release", MessageType::Release, "2001:db8::1"),
        ("decline", MessageType::Decline, "2001:db8::2"),
    ] {
        let b = golden(name);
        let r = roundtrip(&b);
        assert_eq!(r.message().msg_type, t);
        let ia = r.message().ia_nas().next().unwrap();
        assert_eq!(ia.iaid, 1);
        assert_eq!(ia.addresses().next().unwrap().address, a(addr));
    }
}

#[test]
fn renew_prefix_exclude() {
    let b = golden("renew_pd_exclude");
    let r = roundtrip(&b);
    assert_eq!(r.message().msg_type, MessageType::Renew);
    let p = r
        .message()
        .ia_pds()
        .next()
        .unwrap()
        .prefixes()
        .next()
        .unwrap();
    assert_eq!((p.prefix, p.prefix_len), (a("2001:db8:aa00::"), 48));
    assert_eq!(p.excluded_prefix(), Some((a("2001:db8:aa00:1::"), 64)));
    // The builder writes the same Prefix Exclude.
    let mut buf = [0u8; 64];
    let n = build(&mut buf, |w| {
        w.prefix_exclude(48, a("2001:db8:aa00:1::"), 64);
    })
    .unwrap();
    assert_eq!(&buf[..n], &hex("0043000340 0001")[..]);
}

#[test]
fn rebind_user_and_vendor_class() {
    let b = golden("rebind");
    let r = roundtrip(&b);
    let o = opts(&r);
    let DhcpOption::UserClass(uc) = o[1] else {
        panic!()
    };
    assert!(uc.iter().eq([&b"office"[..], &b"lab"[..]]));
    let DhcpOption::VendorClass(vc) = o[2] else {
        panic!()
    };
    assert_eq!(vc.enterprise_number, 311);
    assert!(vc.data.iter().eq([&b"MSFT 5.0"[..]]));
    let mut buf = [0u8; 128];
    let n = build(&mut buf, |w| {
        w.header(MessageType::Rebind, 6)
            .option(1, r.message().client_id().unwrap().as_bytes())
            .user_class(&[b"office", b"lab"])
            .vendor_class(311, &[b"MSFT 5.0"]);
    })
    .unwrap();
    assert_eq!(&buf[..n], &b[..]);
}

#[test]
fn reply_status_reconfigure_accept_server_unicast() {
    let b = golden("reply_status_fail");
    let r = roundtrip(&b);
    let o = opts(&r);
    let DhcpOption::StatusCode(s) = o[2] else {
        panic!()
    };
    assert_eq!(s.code, StatusCode::NoAddrsAvail);
    assert_eq!(s.message_str(), Some("no addresses available"));
    assert_eq!(o[3], DhcpOption::ReconfigureAccept);
    assert_eq!(o[4], DhcpOption::ServerUnicast(a("2001:db8::53")));
}

#[test]
fn reply_dns_domains_sntp_refresh_max_rt() {
    let b = golden("reply_services");
    let r = roundtrip(&b);
    let o = opts(&r);
    let DhcpOption::DnsServers(d) = o[1] else {
        panic!()
    };
    assert!(d.iter().eq([a("2001:db8::53"), a("2001:db8::54")]));
    let DhcpOption::DomainList(l) = o[2] else {
        panic!()
    };
    assert_eq!(l.to_string(), "example.com. lab.example.org.");
    let DhcpOption::SntpServers(s) = o[3] else {
        panic!()
    };
    assert!(s.iter().eq([a("2001:db8::123")]));
    assert_eq!(o[4], DhcpOption::InformationRefreshTime(3600));
    assert_eq!(o[5], DhcpOption::SolMaxRt(3600));
    assert_eq!(o[6], DhcpOption::InfMaxRt(86400));
    let mut buf = [0u8; 256];
    let n = build(&mut buf, |w| {
        w.header(MessageType::Reply, 8)
            .option(2, r.message().server_id().unwrap().as_bytes())
            .dns_servers(&[a("2001:db8::53"), a("2001:db8::54")])
            .domain_list(&["example.com", "lab.example.org."])
            .sntp_servers(&[a("2001:db8::123")])
            .information_refresh_time(3600)
            .sol_max_rt(3600)
            .inf_max_rt(86400);
    })
    .unwrap();
    assert_eq!(&buf[..n], &b[..]);
}

#[test]
fn reply_ntp_server_suboptions() {
    let b = golden("reply_ntp");
    let r = roundtrip(&b);
    let subs: Vec<NtpSuboption<'_>> = r
        .message()
        .options
        .iter()
        .filter_map(|o| match o {
            DhcpOption::NtpServer(n) => Some(n.iter()),
            _ => None,
        })
        .flatten()
        .collect();
    assert_eq!(subs.len(), 3);
    assert_eq!(subs[0], NtpSuboption::ServerAddress(a("2001:db8::123")));
    assert_eq!(subs[1], NtpSuboption::MulticastAddress(a("ff05::101")));
    let NtpSuboption::ServerFqdn(name) = subs[2] else {
        panic!()
    };
    assert_eq!(name.to_string(), "ntp.example.com");
    let mut buf = [0u8; 256];
    let n = build(&mut buf, |w| {
        w.header(MessageType::Reply, 9)
            .option(2, r.message().server_id().unwrap().as_bytes())
            .ntp_server_address(a("2001:db8::123"))
            .ntp_multicast_address(a("ff05::101"))
            .ntp_server_fqdn("ntp.example.com.");
    })
    .unwrap();
    assert_eq!(&buf[..n], &b[..]);
}

#[test]
fn reconfigure_message_and_authentication() {
    let b = golden("reconfigure");
    let r = roundtrip(&b);
    let m = r.message();
    assert_eq!(m.msg_type, MessageType::Reconfigure);
    let o = opts(&r);
    assert_eq!(o[2], DhcpOption::ReconfigureMessage(MessageType::Renew));
    let DhcpOption::Authentication(auth) = o[3] else {
        panic!()
    };
    assert_eq!((auth.protocol(), auth.algorithm(), auth.rdm()), (3, 1, 0));
    assert_eq!(auth.replay_detection(), 1);
    let mut key = [0u8; 16];
    key.iter_mut().enumerate().for_each(|(i, k)| *k = i as u8);
    assert_eq!(auth.reconfigure_key(), Some(ReconfigureKey::HmacMd5(key)));
    let client = m.client_id().unwrap();
    assert_eq!(check_client_receipt(&m, 0, &client, true, true), Ok(()));
    assert_eq!(
        check_client_receipt(&m, 0, &client, true, false),
        Err(DropReason::ReconfigureNotUnicast)
    );
}

#[test]
fn information_request_fqdn_vendor_opts() {
    let b = golden("inf_req_fqdn");
    let r = roundtrip(&b);
    let o = opts(&r);
    let DhcpOption::ClientFqdn(f) = o[1] else {
        panic!()
    };
    assert_eq!(f.flags, 1);
    assert!(f.name.is_fully_qualified());
    assert_eq!(f.name.to_string(), "host.example.com.");
    let DhcpOption::VendorOpts(v) = o[3] else {
        panic!()
    };
    assert_eq!(v.enterprise_number, 4491);
    assert!(v.iter().eq([(1u16, &[0u8, 0x20][..])]));
}

#[test]
fn relay_forw_with_relay_agent_options() {
    let b = golden("relay_forw");
    let r = roundtrip(&b);
    let Repr::Relayed(chain) = r else { panic!() };
    assert_eq!(chain.depth(), 1);
    let outer = chain.outer();
    assert_eq!(outer.msg_type, MessageType::RelayForw);
    assert_eq!(outer.hop_count, 1);
    assert_eq!(outer.link_address, a("2001:db8:1::1"));
    assert_eq!(outer.peer_address, a("fe80::f816:3eff:fe22:386b"));
    assert_eq!(outer.interface_id(), Some(&b"eth0"[..]));
    let o: Vec<_> = outer.options.iter().collect();
    assert!(
        matches!(o[1], DhcpOption::RemoteId(x) if x.enterprise_number == 3561 && x.remote_id == [1, 2, 3])
    );
    assert_eq!(o[2], DhcpOption::SubscriberId(b"sub-42"));
    assert!(
        matches!(o[3], DhcpOption::ClientLinkLayerAddress(c) if c.link_layer_type == 1 && c.address == [0xfa, 0x16, 0x3e, 0x22, 0x38, 0x6b])
    );
    let m = chain.message();
    assert_eq!(
        (m.msg_type, m.transaction_id),
        (MessageType::Solicit, 0x85680b)
    );
    // The relay's own options rebuilt with the builder.
    let mut buf = [0u8; 256];
    let n = build(&mut buf, |w| {
        w.relay_header(
            MessageType::RelayForw,
            1,
            a("2001:db8:1::1"),
            a("fe80::f816:3eff:fe22:386b"),
        )
        .interface_id(b"eth0")
        .remote_id(3561, &[1, 2, 3])
        .subscriber_id(b"sub-42")
        .client_link_layer_address(1, &[0xfa, 0x16, 0x3e, 0x22, 0x38, 0x6b])
        .begin_relay_message();
        m.write(w);
        w.end();
    })
    .unwrap();
    assert_eq!(&buf[..n], &b[..]);
}

#[test]
fn relay_repl_two_layers() {
    let b = golden("relay_repl_nested");
    let r = roundtrip(&b);
    let Repr::Relayed(chain) = r else { panic!() };
    assert_eq!(chain.depth(), 2);
    let layers: Vec<_> = chain.layers().collect();
    assert_eq!(layers[0].peer_address, a("2001:db8:2::1"));
    assert_eq!(layers[0].interface_id(), Some(&b"up0"[..]));
    assert_eq!(layers[1].link_address, a("2001:db8:1::1"));
    assert_eq!(layers[1].peer_address, a("fe80::1"));
    assert_eq!(chain.message().msg_type, MessageType::Advertise);
    assert_eq!(chain.message().transaction_id, 13);
}

#[test]
fn unknown_option_is_kept() {
    let b = golden("unknown_option");
    let r = roundtrip(&b);
    assert_eq!(
        opts(&r)[1],
        DhcpOption::Unknown {
            code: 65000,
            data: &[0xde, 0xad]
        }
    );
    assert!(opts(&r)[1].to_string().contains("dead"));
}
