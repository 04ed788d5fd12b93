//! The DHCPv6 server built without `server-relay` and `server-pd` (a firmware's build, see the
//! crate docs, "Features"): relayed messages are discarded and counted, IA_PDs are answered like
//! IA_TAs, and a link with prefix pools does not validate. With default features this file is
//! empty; CI runs it with
//! `cargo test -p sixconf-core --no-default-features --features server --test server_gated`.
#![cfg(all(
    feature = "server",
    not(feature = "server-relay"),
    not(feature = "server-pd")
))]

use core::net::Ipv6Addr;

use sixconf_core::dhcpv6::server::{
    AddressPool, ConfigError, LinkConfig, NoReply, Prefix, PrefixPool, RxMeta, Server, Slot,
};
use sixconf_core::time::Instant;
use sixconf_core::wire::dhcpv6::{
    build, DhcpOption, DropReason, DuidBuf, MessageRepr, MessageType, OptionCode, Packet,
    StatusCode,
};

const CLIENT: [u8; 10] = [0, 3, 0, 1, 2, 0, 0, 0, 0, 2];

fn a(s: &str) -> Ipv6Addr {
    s.parse().unwrap()
}

fn server(slots: &mut [Slot; 8]) -> Server<&mut [Slot], 1> {
    let mut link = LinkConfig {
        ifindex: Some(2),
        ..LinkConfig::default()
    };
    link.address_pools
        .push(AddressPool::new(a("2001:db8::100"), a("2001:db8::1ff")))
        .unwrap();
    // A prefix pool, set without `validate` (which refuses it in this build): with the
    // `server-pd` feature the IA_PDs below would get a /56 from it.
    link.prefix_pools
        .push(PrefixPool::new(Prefix::new(a("2001:db8:1::"), 48), 56))
        .unwrap();
    let mut links = heapless::Vec::new();
    links.push(link).unwrap();
    let duid = DuidBuf::from_bytes(&[0, 3, 0, 1, 2, 0, 0, 0, 0, 1]).unwrap();
    Server::new(duid, links, Default::default(), &mut slots[..], 1)
}

fn meta() -> RxMeta {
    RxMeta {
        ifindex: 2,
        src: a("fe80::2"),
        dst: a("ff02::1:2"),
        source_mac: None,
    }
}

/// A client message with one IA_NA and one IA_PD (IAID 7 each); the Server ID for Request and
/// Renew.
fn message(t: MessageType, server: Option<&DuidBuf>) -> heapless::Vec<u8, 128> {
    let mut buf = [0u8; 128];
    let n = build(&mut buf, |w| {
        w.header(t, 0x1234);
        w.option(OptionCode::ClientId.into(), &CLIENT);
        if let Some(s) = server {
            w.server_id(&s.as_duid());
        }
        w.begin_ia_na(7, 0, 0).end();
        w.begin_ia_pd(7, 0, 0).end();
    })
    .unwrap();
    heapless::Vec::from_slice(&buf[..n]).unwrap()
}

/// (IA_NA has an address, IA_PD's status) of a reply.
fn ias(reply: &[u8]) -> (bool, Option<StatusCode>, bool) {
    let m = MessageRepr::parse(&Packet::new_unchecked(reply)).unwrap();
    let mut na_addr = false;
    let mut pd_status = None;
    let mut pd_prefix = false;
    for o in m.options.iter() {
        match o {
            DhcpOption::IaNa(ia) => na_addr = ia.addresses().next().is_some(),
            DhcpOption::IaPd(ia) => {
                pd_status = ia.status().map(|s| s.code);
                pd_prefix = ia.prefixes().next().is_some();
            }
            _ => {}
        }
    }
    (na_addr, pd_status, pd_prefix)
}

#[test]
fn ia_pd_is_answered_like_ia_ta() {
    let mut slots = [Slot::EMPTY; 8];
    let mut s = server(&mut slots);
    let duid = *s.duid();
    let mut out = [0u8; 512];
    for (t, pd_status) in [
        (MessageType::Solicit, StatusCode::NoPrefixAvail),
        (MessageType::Request, StatusCode::NoPrefixAvail),
        (MessageType::Renew, StatusCode::NoBinding),
        (MessageType::Rebind, StatusCode::NoBinding),
    ] {
        let server_id = matches!(t, MessageType::Request | MessageType::Renew).then_some(&duid);
        let msg = message(t, server_id);
        let tx = s
            .handle_message(Instant::ZERO, &meta(), &msg, &mut out)
            .unwrap();
        while s.poll_event().is_some() {}
        let (na_addr, status, pd_prefix) = ias(&out[..tx.len]);
        assert!(na_addr, "{t:?}: the IA_NA is still served");
        assert_eq!(status, Some(pd_status), "{t:?}");
        assert!(!pd_prefix, "{t:?}: no prefix delegated");
    }
    // Only the address was bound, although the link has a prefix pool.
    assert_eq!(s.table().len(), 1);
    assert_eq!(s.counters().pool_exhausted, 0);
}

#[test]
fn relayed_messages_are_discarded_and_counted() {
    let mut slots = [Slot::EMPTY; 8];
    let mut s = server(&mut slots);
    let inner = message(MessageType::Solicit, None);
    let mut out = [0u8; 512];
    for relay_type in [MessageType::RelayForw, MessageType::RelayRepl] {
        let mut buf = [0u8; 256];
        let n = build(&mut buf, |w| {
            w.relay_header(relay_type, 0, a("2001:db8::1"), a("fe80::2"));
            w.begin_relay_message().bytes(&inner).end();
        })
        .unwrap();
        let before = s.counters().discarded[DropReason::UnexpectedMessageType.index()];
        let r = s.handle_message(Instant::ZERO, &meta(), &buf[..n], &mut out);
        assert_eq!(
            r,
            Err(NoReply::Discarded(DropReason::UnexpectedMessageType)),
            "{relay_type:?}"
        );
        assert_eq!(
            s.counters().discarded[DropReason::UnexpectedMessageType.index()],
            before + 1
        );
    }
    assert!(s.table().is_empty());
    assert!(s.poll_event().is_none());
}

#[test]
fn prefix_pools_do_not_validate() {
    let mut link = LinkConfig::default();
    assert_eq!(link.validate(), Ok(()));
    link.prefix_pools
        .push(PrefixPool::new(Prefix::new(a("2001:db8:1::"), 48), 56))
        .unwrap();
    assert!(matches!(link.validate(), Err(ConfigError::TooMany(_))));
}
