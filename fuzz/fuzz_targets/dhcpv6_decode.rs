//! Any datagram: decoding, walking every option and relay layer, formatting (Display and
//! Debug) and the RFC 9915 §16 receipt checks must never panic.
#![no_main]

use std::fmt::Write as _;

use libfuzzer_sys::fuzz_target;
use sixconf_core::wire::dhcpv6::{
    check_client_receipt, check_server_receipt, DhcpOption, Duid, Packet, Repr,
};

fuzz_target!(|data: &[u8]| {
    if let Ok(p) = Packet::new_checked(data) {
        let _ = (p.msg_type(), p.transaction_id(), p.hop_count(), p.link_address());
        let _ = (p.peer_address(), p.options().len());
    }
    // Lenient decoding accepts everything strict decoding does, and re-emits the exact bytes.
    let lenient = Repr::parse_lenient(data);
    if let Ok(l) = &lenient {
        let mut out = vec![0u8; l.buffer_len()];
        assert_eq!(l.emit(&mut out), Ok(data.len()));
        assert_eq!(&out[..], data);
        for raw in l.message().options.raw().flatten() {
            let _ = raw.ignored_by_rfc();
        }
    }
    let Ok(repr) = Repr::parse(data) else {
        return;
    };
    assert!(lenient.is_ok());
    let mut text = String::new();
    let _ = write!(text, "{repr} {repr:?}");
    if let Repr::Relayed(chain) = &repr {
        for layer in chain.layers() {
            let _ = write!(text, "{layer:?} {:?}", layer.interface_id());
        }
    }
    let m = repr.message();
    for option in m.options.iter() {
        let _ = write!(text, "{option} {}", option.buffer_len());
        match option {
            DhcpOption::IaNa(ia) => ia.addresses().for_each(|a| {
                let _ = write!(text, "{a} {:?}", a.status());
            }),
            DhcpOption::IaPd(ia) => ia.prefixes().for_each(|p| {
                let _ = write!(text, "{p} {:?}", p.excluded_prefix());
            }),
            DhcpOption::ClientId(d) | DhcpOption::ServerId(d) => {
                let _ = write!(text, "{:?}", d.kind());
            }
            _ => {}
        }
    }
    let duid = Duid::new(&[0, 3, 0, 1, 1, 2, 3, 4, 5, 6]).unwrap();
    let _ = check_server_receipt(&m, &duid);
    let _ = check_client_receipt(&m, m.transaction_id, &duid, true, true);
});
