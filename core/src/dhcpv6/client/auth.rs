//! Reconfigure Key authentication (RFC 9915 §20.4) with HMAC-MD5.
//!
//! The server hands the key to the client in a Reply: an Authentication option (§21.11) with
//! protocol 3, algorithm 1 (HMAC-MD5), RDM 0 (monotonic counter), and authentication
//! information of type 1 followed by the 16-byte key. A Reconfigure carries the same option
//! with type 2 and the HMAC-MD5 of the whole DHCPv6 message computed with those 16 bytes set
//! to zero. Replay detection values must increase strictly (§20.3).

use hmac::{Hmac, Mac};
use md5::Md5;

/// Protocol 3: Reconfigure Key (§20.4).
const PROTOCOL_RECONFIGURE_KEY: u8 = 3;
/// Algorithm 1: HMAC-MD5.
const ALGORITHM_HMAC_MD5: u8 = 1;
/// RDM 0: monotonically increasing counter.
const RDM_MONOTONIC: u8 = 0;
/// Authentication information type 1: the key itself (in a Reply).
const TYPE_KEY: u8 = 1;
/// Authentication information type 2: an HMAC-MD5 digest (in a Reconfigure).
const TYPE_HMAC: u8 = 2;
/// protocol + algorithm + RDM + replay detection + type + 16 bytes.
const AUTH_LEN: usize = 3 + 8 + 1 + 16;

/// A parsed reconfigure-key Authentication option body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct KeyAuth<'a> {
    pub replay: u64,
    pub kind: u8,
    pub value: &'a [u8; 16],
}

/// Parse an Authentication option body if it is a reconfigure-key one (§21.11, §20.4).
pub(super) fn parse(body: &[u8]) -> Option<KeyAuth<'_>> {
    if body.len() != AUTH_LEN
        || body[0] != PROTOCOL_RECONFIGURE_KEY
        || body[1] != ALGORITHM_HMAC_MD5
        || body[2] != RDM_MONOTONIC
    {
        return None;
    }
    let replay = super::msg::be64(body, 3)?;
    let value: &[u8; 16] = body.get(12..28)?.try_into().ok()?;
    Some(KeyAuth {
        replay,
        kind: body[11],
        value,
    })
}

/// The key, if `body` is a type-1 (key) reconfigure-key option, with its replay value.
pub(super) fn key_from_reply(body: &[u8]) -> Option<([u8; 16], u64)> {
    let a = parse(body)?;
    (a.kind == TYPE_KEY).then_some((*a.value, a.replay))
}

/// Verify a Reconfigure: `message` is the whole DHCPv6 message, `auth_at` the offset of the
/// Authentication option's body in it. Returns the replay value if the digest is right.
pub(super) fn verify_reconfigure(key: &[u8; 16], message: &[u8], auth_at: usize) -> Option<u64> {
    let body = message.get(auth_at..auth_at + AUTH_LEN)?;
    let a = parse(body)?;
    if a.kind != TYPE_HMAC {
        return None;
    }
    let digest_at = auth_at + 12;
    let mut mac = Hmac::<Md5>::new_from_slice(key).ok()?;
    mac.update(message.get(..digest_at)?);
    mac.update(&[0u8; 16]);
    mac.update(message.get(digest_at + 16..)?);
    mac.verify_slice(a.value).ok()?;
    Some(a.replay)
}

/// Sign a Reconfigure in place (the server's side, used by tests): fills the digest of the
/// Authentication option whose body starts at `auth_at`.
#[cfg(test)]
pub(super) fn sign(key: &[u8; 16], message: &mut [u8], auth_at: usize) {
    let digest_at = auth_at + 12;
    message[digest_at..digest_at + 16].fill(0);
    let mut mac = Hmac::<Md5>::new_from_slice(key).unwrap();
    mac.update(message);
    let tag = mac.finalize().into_bytes();
    message[digest_at..digest_at + 16].copy_from_slice(&tag);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_md5_matches_rfc2104_test_vector() {
        // RFC 2104 Appendix / RFC 2202 test case 2: key "Jefe".
        let mut mac = Hmac::<Md5>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        let tag = mac.finalize().into_bytes();
        assert_eq!(
            tag[..],
            [
                0x75, 0x0c, 0x78, 0x3e, 0x6a, 0xb0, 0xb5, 0x03, 0xea, 0xa8, 0x6e, 0x31, 0x0a, 0x5d,
                0xb7, 0x38
            ]
        );
    }

    #[test]
    fn signed_message_verifies_and_any_flip_fails() {
        let key = [7u8; 16];
        let mut msg = [0u8; 40];
        msg[0] = 10;
        // Auth option body at 8.
        msg[8] = 3;
        msg[9] = 1;
        msg[10] = 0;
        msg[11..19].copy_from_slice(&5u64.to_be_bytes());
        msg[19] = 2;
        sign(&key, &mut msg, 8);
        assert_eq!(verify_reconfigure(&key, &msg, 8), Some(5));
        assert_eq!(verify_reconfigure(&[8u8; 16], &msg, 8), None);
        for i in 0..msg.len() {
            let mut bad = msg;
            bad[i] ^= 1;
            assert_eq!(verify_reconfigure(&key, &bad, 8), None, "flip at {i}");
        }
    }
}
