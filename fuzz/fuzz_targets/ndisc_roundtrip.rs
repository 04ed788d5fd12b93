//! Whatever decodes re-encodes, and the re-encoded message decodes to the same `Repr`.
#![no_main]

use core::net::Ipv6Addr;

use libfuzzer_sys::fuzz_target;
use sixconf_core::wire::icmpv6;
use sixconf_core::wire::ndisc::Repr;
use sixconf_core::wire::Error;

fuzz_target!(|data: &[u8]| {
    let Ok(packet) = icmpv6::Packet::new_checked(data) else {
        return;
    };
    let Ok(repr) = Repr::parse(&packet) else {
        return;
    };
    let src = Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 1);
    let dst = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);
    let len = repr.buffer_len();
    assert_eq!(len, data.len(), "a parsed message re-encodes to its own length");
    let mut buf = [0u8; 4096];
    let mut heap;
    let out: &mut [u8] = if len <= buf.len() {
        &mut buf[..]
    } else {
        heap = vec![0u8; len];
        &mut heap[..]
    };
    assert_eq!(repr.emit(&src, &dst, out), Ok(len));
    let again = Repr::parse_verified(&out[..len], &src, &dst).expect("re-encoded message decodes");
    assert_eq!(again, repr);
    // One byte short fails cleanly, leaving the buffer as it was.
    if len > 0 {
        let mut short = vec![0xa5u8; len - 1];
        assert_eq!(
            repr.emit(&src, &dst, &mut short),
            Err(Error::BufferTooSmall { needed: len })
        );
        assert!(short.iter().all(|&b| b == 0xa5));
    }
});
