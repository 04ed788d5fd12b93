//! Interface facts the engines need and the profile does not hold: index, MAC, MTU and the
//! link-local address (RFC 4861 §4.2: an RA's source is the router's link-local address).
//!
//! Read from `/sys/class/net/<name>/` and `/proc/net/if_inet6`, the kernel's own text views of
//! what netlink reports, so no socket is needed before privileges are checked.

use std::fmt;
use std::net::Ipv6Addr;
use std::path::Path;
use std::time::{Duration, Instant};

/// `IFA_F_TENTATIVE` (linux/if_addr.h): the address is still in Duplicate Address Detection.
const IFA_F_TENTATIVE: u32 = 0x40;
/// `IFA_F_DADFAILED` (linux/if_addr.h).
const IFA_F_DADFAILED: u32 = 0x08;

/// What the adapter knows about one interface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interface {
    /// Its name (`eth1`).
    pub name: String,
    /// Its index (`if_nametoindex`).
    pub index: u32,
    /// Its Ethernet address, if it has a 6-byte one (the RA's Source Link-Layer Address option).
    pub mac: Option<[u8; 6]>,
    /// Its MTU.
    pub mtu: u32,
    /// Its link-local address, out of Duplicate Address Detection.
    pub link_local: Ipv6Addr,
}

/// Why an interface cannot be served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InterfaceError {
    /// No such interface.
    Missing(String),
    /// The interface has no usable link-local address (IPv6 disabled, DAD failed, or still
    /// tentative after the wait).
    NoLinkLocal(String),
    /// A `/sys` or `/proc` file did not read or parse.
    Unreadable {
        /// The interface.
        name: String,
        /// The file and what was wrong.
        what: String,
    },
}

impl fmt::Display for InterfaceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InterfaceError::Missing(n) => write!(f, "interface {n} does not exist"),
            InterfaceError::NoLinkLocal(n) => write!(
                f,
                "interface {n} has no usable IPv6 link-local address (is it up, with IPv6 enabled?)"
            ),
            InterfaceError::Unreadable { name, what } => write!(f, "interface {name}: {what}"),
        }
    }
}

impl std::error::Error for InterfaceError {}

/// A line of `/proc/net/if_inet6`: address, index, prefix length, scope, flags, name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Inet6Line {
    pub(crate) address: Ipv6Addr,
    pub(crate) index: u32,
    pub(crate) flags: u32,
    pub(crate) name: String,
}

/// Parse `/proc/net/if_inet6`; lines that do not parse are skipped.
pub(crate) fn parse_if_inet6(text: &str) -> Vec<Inet6Line> {
    text.lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            let [addr, index, _plen, _scope, flags, name] = f.as_slice() else {
                return None;
            };
            Some(Inet6Line {
                address: Ipv6Addr::from(u128::from_str_radix(addr, 16).ok()?),
                index: u32::from_str_radix(index, 16).ok()?,
                flags: u32::from_str_radix(flags, 16).ok()?,
                name: (*name).to_owned(),
            })
        })
        .collect()
}

/// Parse `aa:bb:cc:dd:ee:ff`.
pub(crate) fn parse_mac(text: &str) -> Option<[u8; 6]> {
    let mut mac = [0u8; 6];
    let mut parts = text.trim().split(':');
    for b in &mut mac {
        *b = u8::from_str_radix(parts.next()?, 16).ok()?;
    }
    parts.next().is_none().then_some(mac)
}

fn read_sys(name: &str, file: &str) -> Result<String, InterfaceError> {
    let path = Path::new("/sys/class/net").join(name).join(file);
    std::fs::read_to_string(&path).map_err(|e| InterfaceError::Unreadable {
        name: name.to_owned(),
        what: format!("{}: {e}", path.display()),
    })
}

fn parse_sys<T: std::str::FromStr>(name: &str, file: &str) -> Result<T, InterfaceError> {
    let text = read_sys(name, file)?;
    text.trim().parse().map_err(|_| InterfaceError::Unreadable {
        name: name.to_owned(),
        what: format!("/sys/class/net/{name}/{file}: unexpected {:?}", text.trim()),
    })
}

/// The usable link-local address of interface `index`, if any.
fn link_local(index: u32) -> Option<Ipv6Addr> {
    let text = std::fs::read_to_string("/proc/net/if_inet6").ok()?;
    parse_if_inet6(&text)
        .into_iter()
        .find(|l| {
            l.index == index
                && l.address.is_unicast_link_local()
                && l.flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED) == 0
        })
        .map(|l| l.address)
}

impl Interface {
    /// Look `name` up, waiting up to `dad_wait` for its link-local address to leave Duplicate
    /// Address Detection (an interface brought up just before the daemon starts has a
    /// tentative one for about a second, RFC 4862 §5.4).
    pub fn lookup(name: &str, dad_wait: Duration) -> Result<Interface, InterfaceError> {
        if name.is_empty() || name.contains('/') || !Path::new("/sys/class/net").join(name).exists()
        {
            return Err(InterfaceError::Missing(name.to_owned()));
        }
        let index: u32 = parse_sys(name, "ifindex")?;
        let mtu: u32 = parse_sys(name, "mtu")?;
        let mac = read_sys(name, "address").ok().and_then(|t| parse_mac(&t));
        let start = Instant::now();
        let link_local = loop {
            if let Some(a) = link_local(index) {
                break a;
            }
            if start.elapsed() >= dad_wait {
                return Err(InterfaceError::NoLinkLocal(name.to_owned()));
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        Ok(Interface {
            name: name.to_owned(),
            index,
            mac,
            mtu,
            link_local,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_inet6_lines() {
        let text = "fd000000000000000000000000000002 04 40 00 82     eth0\n\
                    fe8000000000000000fc00fffe000001 04 40 20 c0     eth0\n\
                    garbage\n\
                    00000000000000000000000000000001 01 80 10 80       lo\n";
        let lines = parse_if_inet6(text);
        assert_eq!(lines.len(), 3);
        assert_eq!(
            lines[1].address,
            "fe80::fc:ff:fe00:1".parse::<Ipv6Addr>().unwrap()
        );
        assert_eq!(lines[1].index, 4);
        assert_eq!(lines[1].flags & IFA_F_TENTATIVE, IFA_F_TENTATIVE);
        assert_eq!(lines[2].name, "lo");
    }

    #[test]
    fn macs() {
        assert_eq!(
            parse_mac("fa:16:3e:c3:17:b4\n"),
            Some([0xfa, 0x16, 0x3e, 0xc3, 0x17, 0xb4])
        );
        assert_eq!(parse_mac("fa:16:3e:c3:17"), None);
        assert_eq!(parse_mac("fa:16:3e:c3:17:b4:00"), None);
        assert_eq!(parse_mac(""), None);
    }

    #[test]
    fn missing_interface_is_an_error_not_a_panic() {
        assert_eq!(
            Interface::lookup("sixconf-none0", Duration::ZERO),
            Err(InterfaceError::Missing("sixconf-none0".into()))
        );
        assert!(matches!(
            Interface::lookup("../x", Duration::ZERO),
            Err(InterfaceError::Missing(_))
        ));
    }

    #[test]
    fn loopback_has_no_link_local() {
        // lo has ::1 only: not a link the daemon can advertise on.
        assert_eq!(
            Interface::lookup("lo", Duration::ZERO),
            Err(InterfaceError::NoLinkLocal("lo".into()))
        );
    }
}
