//! Decode arbitrary bytes as an ICMPv6 Neighbor Discovery message, walk every option and
//! format everything decoded (CVE-2015-8373: formatting a bad packet must not crash).
#![no_main]

use core::fmt::Write;
use core::net::Ipv6Addr;

use libfuzzer_sys::fuzz_target;
use sixconf_core::wire::icmpv6;
use sixconf_core::wire::ndisc::{check_meta, IpMeta, NdOption, OptionsRepr, Repr};

/// A `fmt::Write` that only counts, so formatting is exercised without allocating.
struct Count(usize);

impl Write for Count {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        self.0 += s.len();
        Ok(())
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(packet) = icmpv6::Packet::new_checked(data) else {
        return;
    };
    let src = Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 1);
    let dst = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);
    let _ = packet.verify_checksum(&src, &dst);
    let mut out = Count(0);
    // Lenient decoding (what a host does): every option, ignored ones included, formatted; a
    // message the strict decoder accepts decodes to the same thing.
    if let Ok(lenient) = Repr::parse_lenient(&packet) {
        let _ = write!(out, "{lenient} {lenient:?}");
        if let OptionsRepr::Wire(wire) = lenient.options() {
            for option in wire.checked() {
                let _ = write!(out, "{option:?}");
            }
        }
        if let Ok(strict) = Repr::parse(&packet) {
            assert_eq!(strict, lenient);
        }
    } else {
        assert!(Repr::parse(&packet).is_err());
    }
    match Repr::parse(&packet) {
        Ok(repr) => {
            let _ = write!(out, "{repr} {repr:?}");
            for option in repr.options() {
                let _ = write!(out, "{option} {option:?} {}", option.buffer_len());
                match option {
                    NdOption::Rdnss(r) => out.0 += r.servers.iter().count(),
                    NdOption::Dnssl(d) => {
                        for name in d.domains.iter() {
                            let _ = write!(out, "{name}");
                        }
                    }
                    _ => {}
                }
            }
            let meta = IpMeta {
                src,
                dst,
                hop_limit: 255,
                had_fragment_header: false,
            };
            if let Err(reason) = check_meta(&repr, &meta) {
                let _ = write!(out, "{reason} {reason:?}");
            }
        }
        Err(e) => {
            let _ = write!(out, "{e} {e:?}");
        }
    }
});
