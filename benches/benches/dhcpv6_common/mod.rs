//! The Solicit and the decode/build functions measured by `benches/dhcpv6.rs` (criterion, wall
//! time) and `examples/dhcpv6_instructions.rs` (instruction counts under callgrind).
#![allow(dead_code)]

use std::net::Ipv6Addr;

use dhcproto::{v6, Decodable, Decoder, Encodable, Encoder};
use sixconf_core::wire::dhcpv6::{build, DhcpOption, Duid, MessageType, Repr, StatusCode};

/// The seed's Solicit (OpenStack, dhclient): Client ID (DUID-LLT), ORO (23, 24, 39, 31),
/// Elapsed Time, IA_NA.
pub const SOLICIT: [u8; 56] = [
    0x01, 0x85, 0x68, 0x0b, 0x00, 0x01, 0x00, 0x0e, 0x00, 0x01, 0x00, 0x01, 0x1c, 0xc1, 0x8c, 0x25,
    0xfa, 0x16, 0x3e, 0x22, 0x38, 0x6b, 0x00, 0x06, 0x00, 0x08, 0x00, 0x17, 0x00, 0x18, 0x00, 0x27,
    0x00, 0x1f, 0x00, 0x08, 0x00, 0x02, 0x00, 0x65, 0x00, 0x03, 0x00, 0x0c, 0x3e, 0x22, 0x38, 0x6b,
    0x00, 0x00, 0x0e, 0x10, 0x00, 0x00, 0x15, 0x18,
];

const SERVER_DUID: [u8; 10] = [0, 3, 0, 1, 0xfa, 0x16, 0x3e, 0x06, 0x17, 0x6f];
const LEASE: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0xcafe, 1, 0, 0, 0, 4);
const DNS: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0xcafe, 0xa, 0, 0, 0, 0xe);

/// What a server takes from a Solicit.
#[derive(Debug, PartialEq, Eq)]
pub struct Seen {
    pub client_id_len: usize,
    pub oro: usize,
    pub elapsed: u16,
    pub iaid: u32,
}

pub fn sixconf_decode(bytes: &[u8]) -> Seen {
    let repr = Repr::parse(bytes).unwrap();
    let mut seen = Seen {
        client_id_len: 0,
        oro: 0,
        elapsed: 0,
        iaid: 0,
    };
    for option in repr.message().options.iter() {
        match option {
            DhcpOption::ClientId(d) => seen.client_id_len = d.as_bytes().len(),
            DhcpOption::Oro(list) => seen.oro = list.iter().count(),
            DhcpOption::ElapsedTime(t) => seen.elapsed = t,
            DhcpOption::IaNa(ia) => seen.iaid = ia.iaid,
            _ => {}
        }
    }
    seen
}

pub fn dhcproto_decode(bytes: &[u8]) -> Seen {
    let msg = v6::Message::decode(&mut Decoder::new(bytes)).unwrap();
    let mut seen = Seen {
        client_id_len: 0,
        oro: 0,
        elapsed: 0,
        iaid: 0,
    };
    for option in msg.opts().iter() {
        match option {
            v6::DhcpOption::ClientId(d) => seen.client_id_len = d.len(),
            v6::DhcpOption::ORO(list) => seen.oro = list.opts.len(),
            v6::DhcpOption::ElapsedTime(t) => seen.elapsed = *t,
            v6::DhcpOption::IANA(ia) => seen.iaid = ia.id,
            _ => {}
        }
    }
    seen
}

/// Decode the Solicit and build the Advertise into `out`; returns its length.
pub fn sixconf_advertise(solicit: &[u8], out: &mut [u8]) -> usize {
    let repr = Repr::parse(solicit).unwrap();
    let m = repr.message();
    let client = m.client_id().unwrap();
    let server = Duid::new(&SERVER_DUID).unwrap();
    build(out, |w| {
        w.header(MessageType::Advertise, m.transaction_id)
            .client_id(&client)
            .server_id(&server);
        for ia in m.ia_nas() {
            w.begin_ia_na(ia.iaid, 43200, 75600)
                .ia_addr(LEASE, 86400, 86400)
                .end();
        }
        w.status(StatusCode::Success, "success")
            .preference(255)
            .domain_list(&["openstacklocal."])
            .dns_servers(&[DNS]);
    })
    .unwrap()
}

/// The same with dhcproto: decode, build the `Message`, encode into a `Vec`.
pub fn dhcproto_advertise(solicit: &[u8], domain: &dhcproto::Name) -> Vec<u8> {
    let req = v6::Message::decode(&mut Decoder::new(solicit)).unwrap();
    let mut msg = v6::Message::new_with_id(v6::MessageType::Advertise, req.xid());
    let opts = msg.opts_mut();
    if let Some(v6::DhcpOption::ClientId(id)) = req.opts().get(v6::OptionCode::ClientId) {
        opts.insert(v6::DhcpOption::ClientId(id.clone()));
    }
    opts.insert(v6::DhcpOption::ServerId(SERVER_DUID.to_vec()));
    for option in req.opts().iter() {
        if let v6::DhcpOption::IANA(ia) = option {
            let mut ia_opts = v6::DhcpOptions::new();
            ia_opts.insert(v6::DhcpOption::IAAddr(v6::IAAddr {
                addr: LEASE,
                preferred_life: 86400,
                valid_life: 86400,
                opts: v6::DhcpOptions::new(),
            }));
            opts.insert(v6::DhcpOption::IANA(v6::IANA {
                id: ia.id,
                t1: 43200,
                t2: 75600,
                opts: ia_opts,
            }));
        }
    }
    opts.insert(v6::DhcpOption::StatusCode(v6::StatusCode {
        status: v6::Status::Success,
        msg: "success".into(),
    }));
    opts.insert(v6::DhcpOption::Preference(255));
    opts.insert(v6::DhcpOption::DomainSearchList(vec![domain.clone()]));
    opts.insert(v6::DhcpOption::DomainNameServers(vec![DNS]));
    let mut out = Vec::with_capacity(256);
    msg.encode(&mut Encoder::new(&mut out)).unwrap();
    out
}
