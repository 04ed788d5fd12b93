//! The capabilities `sixconf serve` needs, checked once at start so that a missing one is one
//! clear message rather than a chain of socket errors.

use std::fmt;

/// `CAP_NET_BIND_SERVICE` (linux/capability.h): bind UDP port 547.
pub const CAP_NET_BIND_SERVICE: u32 = 10;
/// `CAP_NET_ADMIN`: install routes to delegated prefixes.
pub const CAP_NET_ADMIN: u32 = 12;
/// `CAP_NET_RAW`: open raw ICMPv6 sockets, bind sockets to a device.
pub const CAP_NET_RAW: u32 = 13;

/// Exit status for missing privileges (`EX_NOPERM`, sysexits.h).
pub const EXIT_NO_PERMISSION: u8 = 77;

/// A capability the daemon needs and what for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Need {
    /// The capability number.
    pub cap: u32,
    /// Its name.
    pub name: &'static str,
    /// Why it is needed.
    pub why: &'static str,
}

/// The capabilities that are needed and missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing(pub Vec<Need>);

impl fmt::Display for Missing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.0.iter().map(|n| n.name).collect();
        let why: Vec<String> = self
            .0
            .iter()
            .map(|n| format!("{} {}", n.name, n.why))
            .collect();
        write!(
            f,
            "missing privileges: {} ({}). Run it as root (sudo sixconf serve ...) or grant them: \
             setcap {}+ep $(command -v sixconf)",
            names.join(", "),
            why.join("; "),
            names
                .iter()
                .map(|n| n.to_ascii_lowercase())
                .collect::<Vec<_>>()
                .join(",")
        )
    }
}

/// The effective capability set from `/proc/self/status` (`CapEff:` in hex); `None` if it
/// cannot be read (then the sockets themselves will say).
pub fn effective() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    parse_cap_eff(&status)
}

pub(crate) fn parse_cap_eff(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("CapEff:"))?;
    u64::from_str_radix(line.trim_start_matches("CapEff:").trim(), 16).ok()
}

/// What a daemon serving RAs (always), DHCPv6 (`dhcpv6`) and delegated prefixes (`routes`)
/// needs, given the effective set `eff`.
pub fn check(eff: u64, dhcpv6: bool, routes: bool) -> Result<(), Missing> {
    let mut needs = vec![Need {
        cap: CAP_NET_RAW,
        name: "CAP_NET_RAW",
        why: "for the raw ICMPv6 socket (Router Advertisements)",
    }];
    if dhcpv6 {
        needs.push(Need {
            cap: CAP_NET_BIND_SERVICE,
            name: "CAP_NET_BIND_SERVICE",
            why: "for DHCPv6 on UDP port 547 (and 546 for a delegation requested on a WAN)",
        });
    }
    if routes {
        needs.push(Need {
            cap: CAP_NET_ADMIN,
            name: "CAP_NET_ADMIN",
            why: "for routes to delegated prefixes (and a delegated LAN's address)",
        });
    }
    let missing: Vec<Need> = needs
        .into_iter()
        .filter(|n| eff & (1u64 << n.cap) == 0)
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(Missing(missing))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_has_everything() {
        assert_eq!(check(0x0000_01ff_feff_ffff, true, true), Ok(()));
    }

    #[test]
    fn an_unprivileged_user_is_told_every_missing_capability_once() {
        let err = check(0, true, true).unwrap_err();
        assert_eq!(err.0.len(), 3);
        let text = err.to_string();
        assert!(
            text.contains("CAP_NET_RAW, CAP_NET_BIND_SERVICE, CAP_NET_ADMIN"),
            "{text}"
        );
        assert!(
            text.contains("setcap cap_net_raw,cap_net_bind_service,cap_net_admin+ep"),
            "{text}"
        );
        // A SLAAC-only daemon needs only the raw socket.
        assert_eq!(check(0, false, false).unwrap_err().0.len(), 1);
        assert_eq!(check(1 << CAP_NET_RAW, false, false), Ok(()));
    }

    #[test]
    fn cap_eff_line() {
        let s = "Name:\tx\nCapInh:\t0000000000000000\nCapEff:\t0000000000003000\n";
        assert_eq!(parse_cap_eff(s), Some(0x3000));
        assert_eq!(parse_cap_eff("Name: x\n"), None);
    }
}
