//! Proof that decoding, walking, formatting and building DHCPv6 messages allocate nothing: a
//! counting global allocator around the work, in a binary without the test harness.

use std::alloc::System;
use std::fmt::Write as _;
use std::net::Ipv6Addr;

use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};

use sixconf_core::wire::dhcpv6::{
    build, check_client_receipt, check_server_receipt, DhcpOption, Duid, MessageType, OptionCode,
    Repr, StatusCode,
};

// stats_alloc counts through the system allocator (the workspace forbids `unsafe`, which a
// hand-written `GlobalAlloc` would need).
#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// The seed's Advertise and Reply, and a scapy-built Relay-forw (see the unit tests).
const ADVERTISE: &str = "0285680b0001000e000100011cc18c25fa163e22386b0002000a00030001fa163e06176f000300283e22386b0000a8c0000127500005001820010db8cafe000100000000000000040001518000015180000d000900007375636365737300070001ff001800100e6f70656e737461636b6c6f63616c000017001020010db8cafe000a000000000000000e002700190117686f73742d323030312d6462382d636166652d312d2d34";
const SOLICIT: &str = "0185680b0001000e000100011cc18c25fa163e22386b00060008001700180027001f0008000200650003000c3e22386b00000e1000001518";
const RELAY_FORW: &str = "0c0120010db8000100000000000000000001fe80000000000000f8163efffe22386b00120004657468300025000700000de9010203002600067375622d3432004f00080001fa163e22386b0009001c0185680b0001000e000100011cc18c25fa163e22386b000800020000";

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// A `fmt::Write` into a fixed buffer.
struct Fixed {
    buf: [u8; 4096],
    len: usize,
}

impl std::fmt::Write for Fixed {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = (self.len + s.len()).min(self.buf.len());
        let n = end - self.len;
        self.buf[self.len..end].copy_from_slice(&s.as_bytes()[..n]);
        self.len = end;
        Ok(())
    }
}

fn work(inputs: &[Vec<u8>], out: &mut [u8], text: &mut Fixed) -> usize {
    let mut checksum = 0usize;
    for bytes in inputs {
        let repr = Repr::parse(bytes).unwrap();
        let m = repr.message();
        for option in m.options.iter() {
            checksum += option.buffer_len();
            if let DhcpOption::IaNa(ia) = option {
                for a in ia.addresses() {
                    checksum += a.valid_lifetime as usize;
                }
            }
        }
        text.len = 0;
        write!(text, "{repr} {repr:?}").unwrap();
        checksum += text.len;
        checksum += repr.emit(out).unwrap();
        let duid = m.client_id().unwrap();
        let _ = check_server_receipt(&m, &duid);
        let _ = check_client_receipt(&m, m.transaction_id, &duid, true, false);
        // Build the Advertise that answers the message, through the relay layers if any.
        let server = Duid::new(&[0, 3, 0, 1, 0xfa, 0x16, 0x3e, 0x06, 0x17, 0x6f]).unwrap();
        let n = build(out, |w| {
            let depth = match &repr {
                Repr::Relayed(chain) => chain.write_reply_headers(w),
                Repr::Message(_) => 0,
            };
            w.header(MessageType::Advertise, m.transaction_id)
                .client_id(&duid)
                .server_id(&server);
            for ia in m.ia_nas() {
                w.begin_ia_na(ia.iaid, 3600, 5400)
                    .ia_addr(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 4), 7200, 7500)
                    .status(StatusCode::Success, "success")
                    .end();
            }
            w.preference(255)
                .dns_servers(&[Ipv6Addr::new(0x2001, 0xdb8, 0xcafe, 0xa, 0, 0, 0, 0xe)])
                .domain_list(&["openstacklocal."])
                .client_fqdn(1, "host.openstacklocal.");
            w.end_n(depth);
        })
        .unwrap();
        checksum += n;
        // Error paths allocate nothing either.
        checksum += Repr::parse(&bytes[..bytes.len() - 1]).is_err() as usize;
        let mut tiny = [0u8; 8];
        checksum += repr.emit(&mut tiny).is_err() as usize;
        checksum += m.options.count(OptionCode::ClientId);
    }
    checksum
}

fn main() {
    let inputs: Vec<Vec<u8>> = [SOLICIT, ADVERTISE, RELAY_FORW]
        .iter()
        .map(|s| hex(s))
        .collect();
    let mut out = vec![0u8; 2048];
    let mut text = Fixed {
        buf: [0; 4096],
        len: 0,
    };
    // Warm up (lazy statics in formatting, if any), then count.
    let expected = work(&inputs, &mut out, &mut text);
    let region = Region::new(GLOBAL);
    let mut total = 0;
    for _ in 0..100 {
        total += work(&inputs, &mut out, &mut text);
    }
    let stats = region.change();
    assert_eq!(total, expected * 100);
    assert_eq!(
        (
            stats.allocations,
            stats.reallocations,
            stats.bytes_allocated
        ),
        (0, 0, 0),
        "DHCPv6 decode/format/build allocated: {stats:?}"
    );
    // Control: the counter does see an allocation.
    let control = Region::new(GLOBAL);
    let v = std::hint::black_box(vec![1u8; 64]);
    assert!(
        control.change().allocations >= 1,
        "the counting allocator counts nothing"
    );
    drop(v);
    println!("no_alloc_dhcpv6: 300 decodes, 300 builds, 0 allocations");
}
