//! MTU option (RFC 4861 §4.6.4), type 5.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Type      |    Length     |           Reserved            |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                              MTU                              |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! Length 1. The option is carried in [`NdOption::Mtu`](super::NdOption::Mtu) as the bare
//! `u32`; a Length of 0 is rejected by the option walk (CVE-2011-3601/3604).

use super::read_u32;

mod field {
    use core::ops::Range;
    pub const MTU: Range<usize> = 4..8;
}

/// The option's size: Length 1.
pub const LEN: usize = 8;

pub(crate) fn from_wire(option: &[u8]) -> u32 {
    read_u32(option, field::MTU.start)
}

pub(crate) fn write_body(mtu: u32, option: &mut [u8]) {
    option[field::MTU].copy_from_slice(&mtu.to_be_bytes());
}
