//! Decoding and encoding Neighbor Discovery messages allocates nothing: a counting global
//! allocator watches while a full RA (every option type, several of some) is
//! emitted, checksummed, parsed, walked, and formatted into a fixed stack buffer.

use std::alloc::System;
use std::fmt::Write as _;
use std::net::Ipv6Addr;

use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};

use sixconf_core::wire::icmpv6;
use sixconf_core::wire::ndisc::option::{
    CaptivePortal, Dnssl, Domains, Ipv6Addrs, LinkLayerAddress, Nonce, Pref64, Pref64Length,
    PrefixInformation, Rdnss, RedirectedHeader, RouteInformation,
};
use sixconf_core::wire::ndisc::{
    check_meta, IpMeta, NdOption, OptionsRepr, Repr, RouterAdvertRepr, RouterPreference,
};

// stats_alloc counts through the system allocator (the workspace forbids `unsafe`, which a
// hand-written `GlobalAlloc` would need). This binary runs without the libtest harness, so
// nothing else allocates while it counts.
#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// A `fmt::Write` into a fixed array: formatting without a `String`.
struct Fixed {
    buf: [u8; 8192],
    len: usize,
}

impl std::fmt::Write for Fixed {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        let dst = self.buf.get_mut(self.len..end).ok_or(std::fmt::Error)?;
        dst.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

const SRC: Ipv6Addr = Ipv6Addr::new(0xfe80, 0, 0, 0, 0xf816, 0x3eff, 0xfec3, 0x17b4);
const DST: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);

fn main() {
    let mac = [0xfa, 0x16, 0x3e, 0xc3, 0x17, 0xb4];
    let dns = [
        Ipv6Addr::new(0x2001, 0xdb8, 0xcafe, 0xa, 0, 0, 0, 0xe),
        Ipv6Addr::new(0x2001, 0xdb8, 0xcafe, 0xa, 0, 0, 0, 0xf),
    ];
    let search = ["openstacklocal", "example.com"];
    let redirected = [0x60u8; 40];
    let pio = |third: u16| {
        NdOption::PrefixInformation(PrefixInformation {
            prefix_len: 64,
            on_link: true,
            autonomous: true,
            router_address: false,
            pd_preferred: third == 2,
            valid_lifetime: 86400,
            preferred_lifetime: 14400,
            prefix: Ipv6Addr::new(0x2001, 0xdb8, 0xcafe, third, 0, 0, 0, 0),
        })
    };
    let options = [
        NdOption::SourceLinkLayerAddress(LinkLayerAddress::new(&mac)),
        NdOption::Mtu(1500),
        pio(0),
        pio(1),
        pio(2),
        NdOption::RouteInformation(RouteInformation {
            prefix_len: 48,
            preference: RouterPreference::High,
            route_lifetime: 1800,
            prefix: Ipv6Addr::new(0x2001, 0xdb8, 0xbeef, 0, 0, 0, 0, 0),
        }),
        NdOption::Rdnss(Rdnss {
            lifetime: 600,
            servers: Ipv6Addrs::List(&dns),
        }),
        NdOption::Dnssl(Dnssl {
            lifetime: 600,
            domains: Domains::List(&search),
        }),
        NdOption::CaptivePortal(CaptivePortal::new(b"https://portal.example/api")),
        NdOption::Pref64(Pref64 {
            scaled_lifetime: 225,
            length: Pref64Length::L96,
            prefix: Ipv6Addr::new(0x64, 0xff9b, 0, 0, 0, 0, 0, 0),
        }),
        NdOption::Nonce(Nonce::new(&[1, 2, 3, 4, 5, 6])),
        NdOption::TargetLinkLayerAddress(LinkLayerAddress::new(&mac)),
        NdOption::RedirectedHeader(RedirectedHeader::new(&redirected)),
        NdOption::Unknown {
            kind: 253,
            data: &[9; 6],
        },
    ];
    let mut buf = [0u8; 1500];
    let mut text = Fixed {
        buf: [0; 8192],
        len: 0,
    };

    let region = Region::new(GLOBAL);
    let repr = Repr::RouterAdvert(RouterAdvertRepr {
        cur_hop_limit: 64,
        managed: false,
        other: true,
        home_agent: false,
        proxy: false,
        router_preference: RouterPreference::High,
        router_lifetime: 1800,
        reachable_time: 0,
        retrans_timer: 0,
        options: OptionsRepr::List(&options),
    });
    let len = repr.emit(&SRC, &DST, &mut buf).unwrap();
    let packet = icmpv6::Packet::new_checked(&buf[..len]).unwrap();
    packet.check_checksum(&SRC, &DST).unwrap();
    let parsed = Repr::parse(&packet).unwrap();
    let equal = parsed == repr;
    let meta = IpMeta {
        src: SRC,
        dst: DST,
        hop_limit: 255,
        had_fragment_header: false,
    };
    let meta_ok = check_meta(&parsed, &meta).is_ok();
    let mut count = 0;
    let mut names = 0;
    for option in parsed.options() {
        count += 1;
        if let NdOption::Dnssl(d) = option {
            names += d.domains.iter().count();
        }
    }
    write!(text, "{parsed}").unwrap();
    write!(text, "{parsed:?}").unwrap();
    let mut again = [0u8; 1500];
    let len_again = parsed.emit(&SRC, &DST, &mut again).unwrap();
    let stats = region.change();

    assert_eq!(
        (stats.allocations, stats.reallocations),
        (0, 0),
        "decode/encode allocated"
    );
    assert!(equal && meta_ok);
    assert_eq!(count, options.len());
    assert_eq!(names, 2);
    assert_eq!(&again[..len_again], &buf[..len]);
    let shown = std::str::from_utf8(&text.buf[..text.len]).unwrap();
    assert!(shown.contains("openstacklocal"), "{shown}");
    // The counter works: a Vec allocates.
    let region = Region::new(GLOBAL);
    let v: Vec<u8> = Vec::with_capacity(1);
    assert_eq!(region.change().allocations, 1);
    drop(v);
    println!("no_alloc_nd: ND decode, walk, format and encode made 0 allocations");
}
