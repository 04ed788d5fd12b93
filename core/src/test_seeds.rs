//! Test support: fuzz seeds from the tests' own inputs.
//!
//! With `SIXCONF_FUZZ_SEEDS=DIR` in the environment, [`save`] writes each input a test hands it
//! to `DIR/<kind>/<hash>` (FNV-1a of the bytes, so a repeated input is written once);
//! `tools/fuzz/seed_corpora.py` runs the CVE tests this way and puts every input into the
//! corpora of the fuzz targets that take that kind of bytes. Without the variable it does
//! nothing.

use std::string::String;

/// Save `bytes` as a seed of `kind` (`"nd"`: an ICMPv6 ND message; `"dhcpv6"`: a DHCPv6 UDP
/// payload) when `SIXCONF_FUZZ_SEEDS` is set.
pub(crate) fn save(kind: &str, bytes: &[u8]) {
    let Some(dir) = std::env::var_os("SIXCONF_FUZZ_SEEDS") else {
        return;
    };
    let hash = bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    let dir = std::path::Path::new(&dir).join(kind);
    let _ = std::fs::create_dir_all(&dir);
    let name: String = std::format!("{hash:016x}");
    let _ = std::fs::write(dir.join(name), bytes);
}
