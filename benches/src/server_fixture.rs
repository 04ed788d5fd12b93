//! The one link and the spread-out bindings the server engine benchmarks share
//! (`benches/server.rs`, `examples/server_instructions.rs`, `examples/restore_speed.rs`), so
//! that their figures are measured on the same table.

use sixconf_core::dhcpv6::server::{AddressPool, IaType, Lease, LinkConfig, Prefix};
use sixconf_core::time::Instant;
use sixconf_core::wire::dhcpv6::DuidBuf;

/// The server's DUID-LL (RFC 9915 §11.4), from the seed's router MAC.
pub const SERVER_DUID: [u8; 10] = [0, 3, 0, 1, 0xfa, 0x16, 0x3e, 0x06, 0x17, 0x6f];

/// Client number `n`'s DUID-LLT (RFC 9915 §11.2): Ethernet, time 482446373, a MAC derived
/// from `n`.
pub fn client_duid(n: u64) -> [u8; 14] {
    let m = n.to_be_bytes();
    [
        0, 1, 0, 1, 0x1c, 0xc1, 0x96, 0x25, 0xfa, m[3], m[4], m[5], m[6], m[7],
    ]
}

/// The benchmark link: the seed's `2001:db8:cafe:1::/64`, a pool of (almost) all of it.
pub fn link() -> LinkConfig {
    let mut l = LinkConfig {
        ifindex: Some(2),
        ..LinkConfig::default()
    };
    let _ = l.prefixes.push(Prefix::new(
        "2001:db8:cafe:1::".parse().expect("prefix literal"),
        64,
    ));
    let _ = l.address_pools.push(AddressPool::new(
        "2001:db8:cafe:1::2".parse().expect("pool start literal"),
        "2001:db8:cafe:1:ffff:ffff:ffff:fffe"
            .parse()
            .expect("pool end literal"),
    ));
    l
}

/// Client `i`'s IA_NA lease on [`link`]'s pool, at an address spread over the /64 as hashed
/// allocation spreads them.
pub fn spread_lease(i: u64, iaid: u32, preferred_s: u64, valid_s: u64) -> Lease {
    let pool = link().address_pools[0];
    let off = u128::from(i.wrapping_mul(0x9e37_79b9_7f4a_7c15)) % pool.size();
    Lease {
        link: 0,
        ia_type: IaType::Na,
        duid: DuidBuf::from_bytes(&client_duid(i)).expect("14-byte DUID fits"),
        iaid,
        address: pool.nth(off).expect("offset inside the pool"),
        prefix_len: 128,
        preferred_until: Instant::from_secs(preferred_s),
        valid_until: Instant::from_secs(valid_s),
    }
}
