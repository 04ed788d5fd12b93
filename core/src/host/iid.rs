//! Interface identifiers for SLAAC addresses: modified EUI-64 from the MAC (RFC 4291 §2.5.1 and
//! appendix A) and stable, semantically opaque identifiers (RFC 7217 §5).
//!
//! RFC 8064 recommends RFC 7217 identifiers over EUI-64 ones: an EUI-64 identifier follows the
//! host from network to network and reveals its vendor; an RFC 7217 one is stable within a prefix
//! and unlinkable across prefixes.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How the host forms the interface identifier of its SLAAC addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum IidMode {
    /// Modified EUI-64 from the MAC address (RFC 4291 appendix A). A DAD conflict is final:
    /// RFC 4862 §5.4.5 leaves it to an operator.
    Eui64,
    /// Stable privacy identifiers (RFC 7217 §5): `F(Prefix, Net_Iface, Network_ID, DAD_Counter,
    /// secret_key)` with HMAC-SHA-256 as F, `Net_Iface` the MAC address and no `Network_ID`. A DAD
    /// conflict increments `DAD_Counter` and tries again, up to [`IDGEN_RETRIES`] times.
    StablePrivacy {
        /// The host's secret key (RFC 7217 §5: at least 128 bits; it must be kept across reboots
        /// and never disclosed).
        secret_key: [u8; 32],
    },
}

/// How many further identifiers are tried after DAD conflicts (RFC 7217 §6, `IDGEN_RETRIES`).
pub const IDGEN_RETRIES: u8 = 3;

/// The modified EUI-64 interface identifier of a 48-bit MAC address (RFC 4291 appendix A): the
/// OUI, `ff:fe`, the rest, with the universal/local bit inverted.
///
/// `fa:16:3e:c3:17:b4` gives `f816:3eff:fec3:17b4`, as in the seed's traces.
pub fn eui64(mac: [u8; 6]) -> [u8; 8] {
    [
        mac[0] ^ 0x02,
        mac[1],
        mac[2],
        0xff,
        0xfe,
        mac[3],
        mac[4],
        mac[5],
    ]
}

/// The RFC 7217 §5 interface identifier for `prefix` (its first 64 bits), the interface `mac`,
/// a `dad_counter`, under `secret_key`: the first 64 bits of
/// `HMAC-SHA-256(secret_key, Prefix | Net_Iface | DAD_Counter)`.
///
/// The result may be a reserved identifier (RFC 5453); [`stable_privacy_iid`] skips those.
pub fn stable_privacy_raw(
    prefix: [u8; 8],
    mac: [u8; 6],
    dad_counter: u8,
    secret_key: &[u8; 32],
) -> [u8; 8] {
    // HMAC accepts keys of any length, so `new_from_slice` cannot fail here; the fallback keeps
    // the function total without a panic path.
    let Ok(mut mac_fn) = Hmac::<Sha256>::new_from_slice(secret_key) else {
        return [0; 8];
    };
    mac_fn.update(&prefix);
    mac_fn.update(&mac);
    mac_fn.update(&[dad_counter]);
    let digest = mac_fn.finalize().into_bytes();
    let mut iid = [0u8; 8];
    for (out, byte) in iid.iter_mut().zip(digest.iter()) {
        *out = *byte;
    }
    iid
}

/// The RFC 7217 identifier for `prefix` starting at `dad_counter`, skipping reserved identifiers
/// (RFC 7217 §5 step 4: "if the resulting IID is reserved, increment DAD_Counter and try again").
///
/// Returns the identifier and the counter that produced it, or `None` once the counter would pass
/// `dad_counter + IDGEN_RETRIES`'s worth of tries (in practice only with a malicious key).
pub fn stable_privacy_iid(
    prefix: [u8; 8],
    mac: [u8; 6],
    dad_counter: u8,
    secret_key: &[u8; 32],
) -> Option<([u8; 8], u8)> {
    let mut counter = dad_counter;
    for _ in 0..=IDGEN_RETRIES {
        let iid = stable_privacy_raw(prefix, mac, counter, secret_key);
        if !is_reserved_iid(iid) {
            return Some((iid, counter));
        }
        counter = counter.checked_add(1)?;
    }
    None
}

/// Whether `iid` is reserved and must not be used for an address (RFC 5453 §3 and the IANA
/// "Reserved IPv6 Interface Identifiers" registry): the Subnet-Router anycast identifier (all
/// zeros, RFC 4291 §2.6.1), the reserved subnet anycast identifiers `fdff:ffff:ffff:ff80` to
/// `fdff:ffff:ffff:ffff` (RFC 2526), and the IANA Ethernet block `0200:5eff:fe00:0000` to
/// `0200:5eff:feff:ffff` (RFC 5453 §3, including the Proxy Mobile IPv6 identifier of RFC 6543).
pub fn is_reserved_iid(iid: [u8; 8]) -> bool {
    let value = u64::from_be_bytes(iid);
    value == 0
        || (0xfdff_ffff_ffff_ff80..=0xfdff_ffff_ffff_ffff).contains(&value)
        || (0x0200_5eff_fe00_0000..=0x0200_5eff_feff_ffff).contains(&value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eui64_matches_the_seed_router_link_local() {
        // Seed: router fa:16:3e:c3:17:b4 sends from fe80::f816:3eff:fec3:17b4.
        assert_eq!(
            eui64([0xfa, 0x16, 0x3e, 0xc3, 0x17, 0xb4]),
            [0xf8, 0x16, 0x3e, 0xff, 0xfe, 0xc3, 0x17, 0xb4]
        );
        // A locally administered MAC loses its L bit: 02:... -> 00:...
        assert_eq!(eui64([0x02, 0, 0, 0, 0, 1]), [0, 0, 0, 0xff, 0xfe, 0, 0, 1]);
    }

    #[test]
    fn hmac_sha256_matches_rfc4231_test_case_2() {
        // RFC 4231 §4.3, checks the HMAC-SHA-256 building block itself.
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(b"Jefe") else {
            unreachable!()
        };
        mac.update(b"what do ya want for nothing?");
        let out = mac.finalize().into_bytes();
        assert_eq!(out[..8], [0x5b, 0xdc, 0xc1, 0x46, 0xbf, 0x60, 0x75, 0x4e]);
    }

    #[test]
    fn stable_privacy_iid_is_stable_per_prefix_and_differs_across_prefixes_and_counters() {
        let key = [7u8; 32];
        let mac = [0xfa, 0x16, 0x3e, 0x79, 0x5a, 0xcc];
        let p1 = [0x20, 0x01, 0x0d, 0xb8, 0xca, 0xfe, 0, 0];
        let p2 = [0x20, 0x01, 0x0d, 0xb8, 0xca, 0xfe, 0, 2];
        let a = stable_privacy_raw(p1, mac, 0, &key);
        assert_eq!(a, stable_privacy_raw(p1, mac, 0, &key));
        assert_ne!(a, stable_privacy_raw(p2, mac, 0, &key));
        assert_ne!(a, stable_privacy_raw(p1, mac, 1, &key));
        assert_ne!(a, stable_privacy_raw(p1, mac, 0, &[8u8; 32]));
        assert_ne!(a, eui64(mac));
    }

    #[test]
    fn stable_privacy_iid_is_the_hmac_prefix_of_the_concatenated_inputs() {
        // Independent recomputation: one update with the concatenation.
        let key = [0x42u8; 32];
        let prefix = [0x20, 0x01, 0x0d, 0xb8, 0xca, 0xfe, 0, 0];
        let mac = [1, 2, 3, 4, 5, 6];
        let mut input = [0u8; 15];
        input[..8].copy_from_slice(&prefix);
        input[8..14].copy_from_slice(&mac);
        input[14] = 2;
        let Ok(mut h) = Hmac::<Sha256>::new_from_slice(&key) else {
            unreachable!()
        };
        h.update(&input);
        let full = h.finalize().into_bytes();
        assert_eq!(stable_privacy_raw(prefix, mac, 2, &key)[..], full[..8]);
    }

    #[test]
    fn reserved_identifiers_are_recognised() {
        assert!(is_reserved_iid([0; 8]));
        assert!(is_reserved_iid([
            0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x80
        ]));
        assert!(is_reserved_iid([
            0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff
        ]));
        assert!(!is_reserved_iid([
            0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f
        ]));
        assert!(is_reserved_iid([
            0x02, 0x00, 0x5e, 0xff, 0xfe, 0x00, 0x52, 0x13
        ]));
        assert!(!is_reserved_iid([
            0x02, 0x00, 0x5e, 0xff, 0xfd, 0xff, 0xff, 0xff
        ]));
        assert!(!is_reserved_iid([0, 0, 0, 0, 0, 0, 0, 1]));
    }
}
