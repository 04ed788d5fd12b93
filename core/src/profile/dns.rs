//! DNS configuration shared by the RA (RDNSS and DNSSL, RFC 8106 §5) and the DHCPv6 server (DNS
//! Recursive Name Server and Domain Search List options, RFC 3646).

use core::fmt;
use core::net::Ipv6Addr;

use crate::wire::dns::{self, Name, NameError, NameList};

/// How many recursive DNS servers a profile holds. RFC 8106 §5.1 expects a handful; three is the
/// common resolver limit (glibc `MAXNS`).
pub const MAX_DNS_SERVERS: usize = 4;

/// Bytes the search list may take in wire format (names back to back, RFC 1035 §3.1, no
/// compression). One full-length name is 255 bytes; 256 leaves room for a few ordinary ones.
pub const MAX_SEARCH_LIST_LEN: usize = 256;

/// A DNS search list kept in wire format, ready for a DNSSL option (RFC 8106 §5.2) or a DHCPv6
/// Domain Search List option (RFC 3646 §4), which both carry exactly these bytes (before the
/// DNSSL's zero padding).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct SearchList {
    wire: heapless::Vec<u8, MAX_SEARCH_LIST_LEN>,
}

/// Why a name could not be added to a [`SearchList`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum SearchListError {
    /// The dotted name is not a valid DNS name (or is the root, which searches nothing).
    BadName(NameError),
    /// The list would exceed [`MAX_SEARCH_LIST_LEN`] bytes in wire format.
    Full {
        /// Bytes the list would need.
        needed: usize,
    },
}

impl fmt::Display for SearchListError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SearchListError::BadName(e) => write!(f, "invalid search domain: {e}"),
            SearchListError::Full { needed } => write!(
                f,
                "search list needs {needed} bytes in wire format, at most {MAX_SEARCH_LIST_LEN} fit"
            ),
        }
    }
}

impl SearchList {
    /// An empty list.
    pub const fn new() -> Self {
        SearchList {
            wire: heapless::Vec::new(),
        }
    }

    /// Append `name`, given dotted (`"example.com"` or `"example.com."`). The list is left as it
    /// was on error.
    pub fn push(&mut self, name: &str) -> Result<(), SearchListError> {
        let len = dns::dotted_wire_len(name).map_err(SearchListError::BadName)?;
        if len <= 1 {
            return Err(SearchListError::BadName(NameError::BadLabel));
        }
        let start = self.wire.len();
        let needed = start + len;
        if needed > MAX_SEARCH_LIST_LEN {
            return Err(SearchListError::Full { needed });
        }
        // Lengths were checked just above, so neither step can fail.
        if self.wire.resize(needed, 0).is_err() {
            return Err(SearchListError::Full { needed });
        }
        let written = self
            .wire
            .get_mut(start..)
            .map(|tail| dns::emit_dotted(name, tail).is_ok());
        if written == Some(true) {
            Ok(())
        } else {
            self.wire.truncate(start);
            Err(SearchListError::BadName(NameError::BadLabel))
        }
    }

    /// The names in wire format, back to back (no padding).
    pub fn as_wire(&self) -> &[u8] {
        &self.wire
    }

    /// `true` when the list holds no name.
    pub fn is_empty(&self) -> bool {
        self.wire.is_empty()
    }

    /// The names, in order.
    pub fn names(&self) -> impl Iterator<Item = Name<'_>> + '_ {
        NameList::new(&self.wire).filter_map(|n| n.ok())
    }
}

/// DNS settings of the link: servers and search list, announced in RAs (RFC 8106) and by the
/// DHCPv6 server (RFC 3646).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Dns {
    /// Recursive DNS servers.
    pub servers: heapless::Vec<Ipv6Addr, MAX_DNS_SERVERS>,
    /// Search domains.
    pub search_list: SearchList,
    /// Lifetime of the RDNSS option in seconds (RFC 8106 §5.1). Must be at least
    /// MaxRtrAdvInterval; [`Dns::lifetime_for`] gives RFC 8106's default of 3 × MaxRtrAdvInterval.
    pub rdnss_lifetime: u32,
    /// Lifetime of the DNSSL option in seconds (RFC 8106 §5.2), same bounds as `rdnss_lifetime`.
    pub dnssl_lifetime: u32,
    /// Whether the RA carries RDNSS/DNSSL. On by default; in `dhcpv6-stateful` mode operators
    /// often leave DNS to DHCPv6 only (as the seed's stateful trace shows).
    pub in_ra: bool,
}

impl Dns {
    /// RFC 8106 §5.1's default lifetime: "at least 3 * MaxRtrAdvInterval" (seconds, rounded up).
    pub fn lifetime_for(max_interval_ms: u32) -> u32 {
        (max_interval_ms.saturating_mul(3)).div_ceil(1000)
    }
}

impl Default for Dns {
    fn default() -> Self {
        Dns {
            servers: heapless::Vec::new(),
            search_list: SearchList::new(),
            rdnss_lifetime: Dns::lifetime_for(super::DEFAULT_MAX_INTERVAL_MS),
            dnssl_lifetime: Dns::lifetime_for(super::DEFAULT_MAX_INTERVAL_MS),
            in_ra: true,
        }
    }
}
