//! Whatever decodes must emit back byte for byte and decode to the same value; a reply built
//! through the same relay layers must decode with the same depth.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sixconf_core::wire::dhcpv6::{build, Repr, Writer};
use sixconf_core::wire::Error;

fuzz_target!(|data: &[u8]| {
    let Ok(repr) = Repr::parse(data) else {
        return;
    };
    let mut out = vec![0u8; data.len()];
    assert_eq!(repr.emit(&mut out), Ok(data.len()));
    assert_eq!(out, data);
    assert_eq!(Repr::parse(&out).unwrap(), repr);

    // One byte short: refused with the exact size, buffer untouched.
    if !data.is_empty() {
        let mut short = vec![0xa5u8; data.len() - 1];
        assert_eq!(repr.emit(&mut short), Err(Error::BufferTooSmall { needed: data.len() }));
        assert!(short.iter().all(|&b| b == 0xa5));
    }

    // The inner message re-emitted typed, option by option, and wrapped back in Relay-repl
    // layers.
    let m = repr.message();
    let mut buf = vec![0u8; 65536 + 34 * 33];
    let written = build(&mut buf, |w: &mut Writer<'_>| {
        let depth = match &repr {
            Repr::Relayed(chain) => chain.write_reply_headers(w),
            Repr::Message(_) => 0,
        };
        m.write(w);
        w.end_n(depth);
    });
    match written {
        Ok(n) => {
            let back = Repr::parse(&buf[..n]).unwrap();
            assert_eq!(back.relay_depth(), repr.relay_depth());
            assert_eq!(back.message(), m);
        }
        // A relay layer's option can overflow 65535 bytes once Interface-IDs are echoed.
        Err(Error::BadOptionLength { .. }) => {}
        Err(e) => panic!("{e}"),
    }
});
