//! The RA and the decode/emit functions measured by `benches/ndisc.rs` (criterion, wall time)
//! and `examples/ndisc_instructions.rs` (instruction counts under callgrind).
#![allow(dead_code)]

use core::net::Ipv6Addr;

use sixconf_core::wire::icmpv6;
use sixconf_core::wire::ndisc::option::{
    Dnssl, Domains, Ipv6Addrs, LinkLayerAddress, PrefixInformation, Rdnss,
};
use sixconf_core::wire::ndisc::{NdOption, OptionsRepr, Repr, RouterAdvertRepr, RouterPreference};
use smoltcp::time::Duration;
use smoltcp::wire::{
    Icmpv6Packet, NdiscPrefixInfoFlags, NdiscPrefixInformation, NdiscRepr, NdiscRouterFlags,
    RawHardwareAddress,
};

pub const RA_HEX: &str = "86004f614048070800007530000003e80101fa163ec317b405010000000005dc030440c000015180000038400000000020010db8cafe00000000000000000000190500000000025820010db8cafe000a000000000000000e20010db8cafe000a000000000000000f1f050000000002580e6f70656e737461636b6c6f63616c00076578616d706c6503636f6d00000000";

pub const SRC: Ipv6Addr = Ipv6Addr::new(0xfe80, 0, 0, 0, 0xf816, 0x3eff, 0xfec3, 0x17b4);
pub const DST: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);
pub const MAC: [u8; 6] = [0xfa, 0x16, 0x3e, 0xc3, 0x17, 0xb4];
pub const PREFIX: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0xcafe, 0, 0, 0, 0, 0);
pub const DNS: [Ipv6Addr; 2] = [
    Ipv6Addr::new(0x2001, 0xdb8, 0xcafe, 0xa, 0, 0, 0, 0xe),
    Ipv6Addr::new(0x2001, 0xdb8, 0xcafe, 0xa, 0, 0, 0, 0xf),
];
pub const SEARCH: [&str; 2] = ["openstacklocal", "example.com"];

pub fn ra_bytes() -> Vec<u8> {
    (0..RA_HEX.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&RA_HEX[i..i + 2], 16).unwrap())
        .collect()
}

/// Decode with sixconf and touch every field of every option.
pub fn sixconf_decode(bytes: &[u8]) -> u64 {
    let packet = icmpv6::Packet::new_checked(bytes).unwrap();
    let Ok(Repr::RouterAdvert(ra)) = Repr::parse(&packet) else {
        panic!("not an RA")
    };
    let mut acc = u64::from(ra.router_lifetime) + u64::from(ra.cur_hop_limit);
    for option in ra.options.iter() {
        acc += match option {
            NdOption::SourceLinkLayerAddress(l) => u64::from(l.as_bytes()[5]),
            NdOption::Mtu(m) => u64::from(m),
            NdOption::PrefixInformation(p) => {
                u64::from(p.valid_lifetime) + u64::from(p.prefix.octets()[3])
            }
            NdOption::Rdnss(r) => r.servers.iter().map(|a| u64::from(a.octets()[15])).sum(),
            NdOption::Dnssl(d) => d
                .domains
                .iter()
                .map(|n| n.wire_len().unwrap_or(0) as u64)
                .sum(),
            _ => 0,
        };
    }
    acc
}

/// Decode with sixconf (every option validated, DNSSL names included) but read only what
/// smoltcp reads: the same information, for a like-for-like comparison.
pub fn sixconf_decode_like_smoltcp(bytes: &[u8]) -> u64 {
    let packet = icmpv6::Packet::new_checked(bytes).unwrap();
    let Ok(Repr::RouterAdvert(ra)) = Repr::parse(&packet) else {
        panic!("not an RA")
    };
    let mut acc = u64::from(ra.router_lifetime) + u64::from(ra.cur_hop_limit);
    for option in ra.options.iter() {
        acc += match option {
            NdOption::SourceLinkLayerAddress(l) => u64::from(l.as_bytes()[5]),
            NdOption::Mtu(m) => u64::from(m),
            NdOption::PrefixInformation(p) => {
                u64::from(p.valid_lifetime) + u64::from(p.prefix.octets()[3])
            }
            _ => 0,
        };
    }
    acc
}

pub fn smoltcp_decode(bytes: &[u8]) -> u64 {
    let packet = Icmpv6Packet::new_checked(bytes).unwrap();
    match NdiscRepr::parse(&packet).unwrap() {
        NdiscRepr::RouterAdvert {
            hop_limit,
            router_lifetime,
            lladdr,
            mtu,
            prefix_info,
            ..
        } => {
            u64::from(hop_limit)
                + router_lifetime.secs()
                + lladdr.map(|l| u64::from(l.as_bytes()[5])).unwrap_or(0)
                + u64::from(mtu.unwrap_or(0))
                + prefix_info
                    .map(|p| p.valid_lifetime.secs() + u64::from(p.prefix.octets()[3]))
                    .unwrap_or(0)
        }
        _ => panic!("not an RA"),
    }
}

pub fn sixconf_options(full: bool) -> Vec<NdOption<'static>> {
    let mut options = vec![
        NdOption::SourceLinkLayerAddress(LinkLayerAddress::new(&MAC)),
        NdOption::Mtu(1500),
        NdOption::PrefixInformation(PrefixInformation {
            prefix_len: 64,
            on_link: true,
            autonomous: true,
            router_address: false,
            pd_preferred: false,
            valid_lifetime: 86400,
            preferred_lifetime: 14400,
            prefix: PREFIX,
        }),
    ];
    if full {
        options.push(NdOption::Rdnss(Rdnss {
            lifetime: 600,
            servers: Ipv6Addrs::List(&DNS),
        }));
        options.push(NdOption::Dnssl(Dnssl {
            lifetime: 600,
            domains: Domains::List(&SEARCH),
        }));
    }
    options
}

pub fn sixconf_ra<'a>(options: &'a [NdOption<'a>]) -> Repr<'a> {
    Repr::RouterAdvert(RouterAdvertRepr {
        cur_hop_limit: 64,
        managed: false,
        other: true,
        home_agent: false,
        proxy: false,
        router_preference: RouterPreference::High,
        router_lifetime: 1800,
        reachable_time: 30000,
        retrans_timer: 1000,
        options: OptionsRepr::List(options),
    })
}

pub fn smoltcp_ra() -> NdiscRepr<'static> {
    NdiscRepr::RouterAdvert {
        hop_limit: 64,
        flags: NdiscRouterFlags::OTHER,
        router_lifetime: Duration::from_secs(1800),
        reachable_time: Duration::from_millis(30000),
        retrans_time: Duration::from_millis(1000),
        lladdr: Some(RawHardwareAddress::from_bytes(&MAC)),
        mtu: Some(1500),
        prefix_info: Some(NdiscPrefixInformation {
            prefix_len: 64,
            flags: NdiscPrefixInfoFlags::ON_LINK | NdiscPrefixInfoFlags::ADDRCONF,
            valid_lifetime: Duration::from_secs(86400),
            preferred_lifetime: Duration::from_secs(14400),
            prefix: PREFIX,
        }),
    }
}

/// Emit the RA with `options` (checksum filled); returns its length.
pub fn sixconf_emit(options: &[NdOption<'_>], buf: &mut [u8]) -> usize {
    sixconf_ra(options).emit(&SRC, &DST, buf).unwrap()
}

/// Emit smoltcp's RA (checksum filled); returns its length.
pub fn smoltcp_emit(repr: &NdiscRepr<'_>, buf: &mut [u8]) -> usize {
    let len = repr.buffer_len();
    let mut packet = Icmpv6Packet::new_unchecked(&mut buf[..len]);
    repr.emit(&mut packet);
    packet.fill_checksum(&SRC, &DST);
    len
}

/// Verify the checksum of `bytes` with sixconf.
pub fn sixconf_verify(bytes: &[u8]) -> bool {
    icmpv6::Packet::new_unchecked(bytes).verify_checksum(&SRC, &DST)
}

/// Verify the checksum of `bytes` with smoltcp.
pub fn smoltcp_verify(bytes: &[u8]) -> bool {
    Icmpv6Packet::new_unchecked(bytes).verify_checksum(&SRC, &DST)
}
