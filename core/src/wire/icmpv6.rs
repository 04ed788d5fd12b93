//! The ICMPv6 header (RFC 4443 §2.1) and its checksum over the IPv6 pseudo-header
//! (RFC 4443 §2.3, RFC 8200 §8.1).
//!
//! [`Packet`] is a zero-copy view over an ICMPv6 message (header and body, without the IPv6
//! header). Once [`Packet::check_len`] has passed (or [`Packet::new_checked`] returned it), no
//! accessor can panic, whatever the bytes say.
//!
//! The checksum covers a pseudo-header made of the IPv6 source and destination addresses, the
//! upper-layer packet length and the next-header value 58. The view does not know the addresses,
//! so [`Packet::verify_checksum`] and [`Packet::fill_checksum`] take them as arguments; the free
//! function [`checksum`] computes the value over any byte slice.

use core::fmt;
use core::net::Ipv6Addr;

use super::{Error, Result};

/// The IPv6 next-header value of ICMPv6 (RFC 4443 §1).
pub const NEXT_HEADER: u8 = 58;

/// Length of the ICMPv6 header: type, code and checksum (RFC 4443 §2.1).
pub const HEADER_LEN: usize = 4;

/// ```text
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |     Type      |     Code      |          Checksum             |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                                                               |
/// +                         Message Body                          +
/// ```
mod field {
    use core::ops::{Range, RangeFrom};
    pub const TYPE: usize = 0;
    pub const CODE: usize = 1;
    pub const CHECKSUM: Range<usize> = 2..4;
    pub const BODY: RangeFrom<usize> = 4..;
}

/// ICMPv6 message types (RFC 4443 §2.1, RFC 4861 §4): the Neighbor Discovery ones, plus the
/// common error and echo messages so a decoder can name what it skips.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Message {
    /// Destination Unreachable (1), RFC 4443 §3.1.
    DstUnreachable,
    /// Packet Too Big (2), RFC 4443 §3.2.
    PacketTooBig,
    /// Time Exceeded (3), RFC 4443 §3.3.
    TimeExceeded,
    /// Parameter Problem (4), RFC 4443 §3.4.
    ParamProblem,
    /// Echo Request (128), RFC 4443 §4.1.
    EchoRequest,
    /// Echo Reply (129), RFC 4443 §4.2.
    EchoReply,
    /// Router Solicitation (133), RFC 4861 §4.1.
    RouterSolicit,
    /// Router Advertisement (134), RFC 4861 §4.2.
    RouterAdvert,
    /// Neighbor Solicitation (135), RFC 4861 §4.3.
    NeighborSolicit,
    /// Neighbor Advertisement (136), RFC 4861 §4.4.
    NeighborAdvert,
    /// Redirect (137), RFC 4861 §4.5.
    Redirect,
    /// Any other type, kept as its value.
    Unknown(u8),
}

impl From<u8> for Message {
    fn from(value: u8) -> Self {
        match value {
            1 => Message::DstUnreachable,
            2 => Message::PacketTooBig,
            3 => Message::TimeExceeded,
            4 => Message::ParamProblem,
            128 => Message::EchoRequest,
            129 => Message::EchoReply,
            133 => Message::RouterSolicit,
            134 => Message::RouterAdvert,
            135 => Message::NeighborSolicit,
            136 => Message::NeighborAdvert,
            137 => Message::Redirect,
            other => Message::Unknown(other),
        }
    }
}

impl From<Message> for u8 {
    fn from(value: Message) -> Self {
        match value {
            Message::DstUnreachable => 1,
            Message::PacketTooBig => 2,
            Message::TimeExceeded => 3,
            Message::ParamProblem => 4,
            Message::EchoRequest => 128,
            Message::EchoReply => 129,
            Message::RouterSolicit => 133,
            Message::RouterAdvert => 134,
            Message::NeighborSolicit => 135,
            Message::NeighborAdvert => 136,
            Message::Redirect => 137,
            Message::Unknown(other) => other,
        }
    }
}

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Message::DstUnreachable => f.write_str("destination unreachable"),
            Message::PacketTooBig => f.write_str("packet too big"),
            Message::TimeExceeded => f.write_str("time exceeded"),
            Message::ParamProblem => f.write_str("parameter problem"),
            Message::EchoRequest => f.write_str("echo request"),
            Message::EchoReply => f.write_str("echo reply"),
            Message::RouterSolicit => f.write_str("router solicitation"),
            Message::RouterAdvert => f.write_str("router advertisement"),
            Message::NeighborSolicit => f.write_str("neighbor solicitation"),
            Message::NeighborAdvert => f.write_str("neighbor advertisement"),
            Message::Redirect => f.write_str("redirect"),
            Message::Unknown(n) => write!(f, "type {n}"),
        }
    }
}

/// A zero-copy view over an ICMPv6 message (RFC 4443 §2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Wrap `buffer` without checking its length. Accessors may then panic on a short buffer;
    /// call [`check_len`](Self::check_len) before using them on untrusted bytes.
    pub const fn new_unchecked(buffer: T) -> Self {
        Packet { buffer }
    }

    /// Wrap `buffer`, failing with [`Error::Truncated`] if it is shorter than the 4-byte header.
    pub fn new_checked(buffer: T) -> Result<Self> {
        let packet = Self::new_unchecked(buffer);
        packet.check_len()?;
        Ok(packet)
    }

    /// Check that the buffer holds at least the ICMPv6 header.
    pub fn check_len(&self) -> Result<()> {
        let len = self.buffer.as_ref().len();
        if len < HEADER_LEN {
            return Err(Error::Truncated { offset: len });
        }
        Ok(())
    }

    /// Give the buffer back.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// The whole message, header included.
    pub fn as_bytes(&self) -> &[u8] {
        self.buffer.as_ref()
    }

    /// Message length in bytes (the ICMPv6 length, RFC 4861 §6.1).
    pub fn len(&self) -> usize {
        self.buffer.as_ref().len()
    }

    /// `true` if the buffer is empty.
    pub fn is_empty(&self) -> bool {
        self.buffer.as_ref().is_empty()
    }

    /// The Type field.
    pub fn msg_type(&self) -> Message {
        Message::from(self.buffer.as_ref()[field::TYPE])
    }

    /// The Code field.
    pub fn msg_code(&self) -> u8 {
        self.buffer.as_ref()[field::CODE]
    }

    /// The Checksum field as carried.
    pub fn checksum(&self) -> u16 {
        let b = &self.buffer.as_ref()[field::CHECKSUM];
        u16::from_be_bytes([b[0], b[1]])
    }

    /// The message body after the 4-byte header.
    pub fn body(&self) -> &[u8] {
        &self.buffer.as_ref()[field::BODY]
    }

    /// The checksum this message should carry when sent from `src` to `dst`.
    pub fn compute_checksum(&self, src: &Ipv6Addr, dst: &Ipv6Addr) -> u16 {
        checksum_skipping_field(src, dst, self.buffer.as_ref())
    }

    /// `true` if the checksum is correct for a message sent from `src` to `dst`.
    pub fn verify_checksum(&self, src: &Ipv6Addr, dst: &Ipv6Addr) -> bool {
        self.check_checksum(src, dst).is_ok()
    }

    /// Like [`verify_checksum`](Self::verify_checksum), but says what was expected.
    pub fn check_checksum(&self, src: &Ipv6Addr, dst: &Ipv6Addr) -> Result<()> {
        let expected = self.compute_checksum(src, dst);
        let found = self.checksum();
        if expected == found {
            Ok(())
        } else {
            Err(Error::BadChecksum { expected, found })
        }
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    /// Set the Type field.
    pub fn set_msg_type(&mut self, value: Message) {
        self.buffer.as_mut()[field::TYPE] = value.into();
    }

    /// Set the Code field.
    pub fn set_msg_code(&mut self, value: u8) {
        self.buffer.as_mut()[field::CODE] = value;
    }

    /// Set the Checksum field.
    pub fn set_checksum(&mut self, value: u16) {
        self.buffer.as_mut()[field::CHECKSUM].copy_from_slice(&value.to_be_bytes());
    }

    /// The message body, mutable.
    pub fn body_mut(&mut self) -> &mut [u8] {
        &mut self.buffer.as_mut()[field::BODY]
    }

    /// Compute and store the checksum for a message sent from `src` to `dst` (RFC 4443 §2.3).
    pub fn fill_checksum(&mut self, src: &Ipv6Addr, dst: &Ipv6Addr) {
        let sum = self.compute_checksum(src, dst);
        self.set_checksum(sum);
    }
}

/// Ones'-complement sum of `data` as big-endian 16-bit words, a trailing odd byte padded with
/// zero (RFC 1071 §2). Summed 64 bits at a time with end-around carry, which is the same sum
/// modulo 2^16 − 1 (RFC 1071 §2 (B), "byte order independence" and "parallel summation");
/// fold with [`fold`].
fn sum_words(data: &[u8]) -> u64 {
    let mut acc = 0u64;
    let mut chunks = data.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let (sum, carry) = acc.overflowing_add(u64::from_be_bytes(word));
        acc = sum + u64::from(carry);
    }
    let rest = chunks.remainder();
    let mut word = [0u8; 8];
    if let Some(head) = word.get_mut(..rest.len()) {
        head.copy_from_slice(rest);
    }
    let (sum, carry) = acc.overflowing_add(u64::from_be_bytes(word));
    sum + u64::from(carry)
}

/// Fold a 64-bit ones'-complement sum to 16 bits.
fn fold(sum: u64) -> u16 {
    let mut sum = (sum >> 32) + (sum & 0xffff_ffff);
    sum = (sum >> 32) + (sum & 0xffff_ffff);
    sum = (sum >> 16) + (sum & 0xffff);
    sum = (sum >> 16) + (sum & 0xffff);
    sum as u16
}

/// Add two ones'-complement partial sums.
fn add(a: u64, b: u64) -> u64 {
    let (sum, carry) = a.overflowing_add(b);
    sum + u64::from(carry)
}

fn pseudo_header_sum(src: &Ipv6Addr, dst: &Ipv6Addr, len: usize) -> u64 {
    // RFC 8200 §8.1: source, destination, 32-bit upper-layer length, 24 zero bits, next header.
    let len = u32::try_from(len).unwrap_or(u32::MAX);
    let tail = (u64::from(len) << 32) | u64::from(NEXT_HEADER);
    add(
        add(sum_words(&src.octets()), sum_words(&dst.octets())),
        tail,
    )
}

/// Checksum of an ICMPv6 message whose checksum field (bytes 2..4) is taken as zero, whatever
/// it holds.
fn checksum_skipping_field(src: &Ipv6Addr, dst: &Ipv6Addr, message: &[u8]) -> u16 {
    let sum = add(
        pseudo_header_sum(src, dst, message.len()),
        sum_words(message),
    );
    // Take the checksum field back out: subtracting in ones' complement is adding the
    // complement.
    let field = match message.get(field::CHECKSUM) {
        Some(&[hi, lo]) => u16::from_be_bytes([hi, lo]),
        _ => 0,
    };
    !fold(add(u64::from(fold(sum)), u64::from(!field)))
}

/// The ICMPv6 checksum (RFC 4443 §2.3) of `message` (ICMPv6 header and body) sent from `src` to
/// `dst`, computed with the checksum field taken as zero: the value to store in bytes 2..4.
pub fn checksum(src: &Ipv6Addr, dst: &Ipv6Addr, message: &[u8]) -> u16 {
    checksum_skipping_field(src, dst, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: Ipv6Addr = Ipv6Addr::new(0xfe80, 0, 0, 0, 0xf816, 0x3eff, 0xfe79, 0x5acc);
    const DST: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 2);

    // The seed's RS: type 133, code 0, reserved, SLLA fa:16:3e:79:5a:cc.
    const RS: [u8; 16] = [
        0x85, 0x00, 0x00, 0x00, 0, 0, 0, 0, 0x01, 0x01, 0xfa, 0x16, 0x3e, 0x79, 0x5a, 0xcc,
    ];

    #[test]
    fn fills_and_verifies_the_checksum() {
        let mut buf = RS;
        let mut packet = Packet::new_checked(&mut buf[..]).unwrap();
        assert!(!packet.verify_checksum(&SRC, &DST));
        packet.fill_checksum(&SRC, &DST);
        assert!(packet.verify_checksum(&SRC, &DST));
        // Any change to the addresses or the body breaks it (swapping them does not: the sum
        // is commutative).
        assert!(packet.verify_checksum(&DST, &SRC));
        assert!(!packet.verify_checksum(&SRC, &Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1)));
        packet.body_mut()[10] ^= 1;
        assert!(matches!(
            packet.check_checksum(&SRC, &DST),
            Err(Error::BadChecksum { .. })
        ));
    }

    #[test]
    fn checksum_matches_an_independent_sum() {
        // Sum the pseudo-header laid out as bytes, as RFC 8200 §8.1 draws it.
        let mut pseudo = [0u8; 40 + 16];
        pseudo[..16].copy_from_slice(&SRC.octets());
        pseudo[16..32].copy_from_slice(&DST.octets());
        pseudo[32..36].copy_from_slice(&16u32.to_be_bytes());
        pseudo[39] = 58;
        pseudo[40..].copy_from_slice(&RS);
        let mut sum = 0u32;
        for w in pseudo.chunks(2) {
            sum += u32::from(u16::from_be_bytes([w[0], w[1]]));
        }
        while sum > 0xffff {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        assert_eq!(checksum(&SRC, &DST, &RS), !(sum as u16));
    }

    #[test]
    fn odd_length_is_padded() {
        let a = checksum(&SRC, &DST, &[1, 2, 3, 4, 5]);
        // Same words as [1,2,3,4,5,0] but a different length in the pseudo-header.
        let b = checksum(&SRC, &DST, &[1, 2, 3, 4, 5, 0]);
        assert_eq!(a.wrapping_sub(b), 1);
    }

    #[test]
    fn short_buffers_are_rejected() {
        assert_eq!(
            Packet::new_checked(&[0x86u8, 0, 0][..]),
            Err(Error::Truncated { offset: 3 })
        );
        let p = Packet::new_checked(&[0x86u8, 0, 0x12, 0x34][..]).unwrap();
        assert_eq!(p.msg_type(), Message::RouterAdvert);
        assert_eq!(p.checksum(), 0x1234);
        assert!(p.body().is_empty());
    }

    #[test]
    fn message_types_round_trip() {
        for v in 0..=255u8 {
            assert_eq!(u8::from(Message::from(v)), v);
        }
    }
}
