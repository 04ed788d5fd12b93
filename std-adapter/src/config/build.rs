//! From the file as written ([`raw`]) to a validated [`Config`], with every problem located.

use std::net::Ipv6Addr;
use std::ops::Range;

use serde::de::IntoDeserializer;
use serde_spanned::Spanned;
use sixconf_core::dhcpv6::server::{
    self as srv, config::MAX_LINKS, Lifetimes, LinkConfig, Reservation, ReservationKey,
};
use sixconf_core::profile::{
    AddressPool, AdvPrefix, AdvRoute, Dns, DnsOption, Mode, PdPool, Pref64, Preference, Prefix,
    Profile, ProfileError, MAX_CAPTIVE_PORTAL_LEN,
};
use sixconf_core::time::Duration;
use sixconf_core::wire::dhcpv6::DuidBuf;
use toml::de::{DeTable, DeValue};

use super::raw::{self, O, S};
use super::{parse_hex_bytes, Config, Diagnostic, Diagnostics, Durability, LinkSpec, ServerConfig};

type Span = Range<usize>;

struct Cx<'s> {
    source: &'s str,
    diags: Vec<Diagnostic>,
}

impl Cx<'_> {
    fn err(&mut self, span: Span, message: impl Into<String>) {
        self.diags.push(Diagnostic::at(self.source, span, message));
    }
}

fn val<T: Copy>(o: &O<T>) -> Option<T> {
    o.as_ref().map(|s| *s.get_ref())
}

fn span<T>(o: &O<T>) -> Option<Span> {
    o.as_ref().map(Spanned::span)
}

pub(super) fn parse(source: &str) -> Result<Config, Diagnostics> {
    let (doc, errors) = DeTable::parse_recoverable(source);
    if !errors.is_empty() {
        let mut diags: Vec<Diagnostic> = errors
            .iter()
            .map(|e| {
                Diagnostic::at(
                    source,
                    e.span().unwrap_or(0..0),
                    e.message().trim_end().to_string(),
                )
            })
            .collect();
        diags.sort_by_key(|d| d.span.start);
        diags.dedup_by(|a, b| a.span == b.span && a.message == b.message);
        return Err(Diagnostics(diags));
    }
    let mut cx = Cx {
        source,
        diags: Vec::new(),
    };
    let mut file = raw::File {
        server: None,
        link: Vec::new(),
        failed_links: 0,
    };
    for (key, value) in doc.into_inner() {
        match key.get_ref().as_ref() {
            "server" => {
                let at = value.span();
                if let Some(s) = deserialize_recovering::<raw::Server>(&mut cx, value) {
                    file.server = Some(Spanned::new(at, s));
                }
            }
            "link" => match value.into_inner() {
                DeValue::Array(items) => {
                    for item in items {
                        let at = item.span();
                        if let Some(l) = deserialize_recovering::<raw::Link>(&mut cx, item) {
                            file.link.push(Spanned::new(at, l));
                        } else {
                            file.failed_links += 1;
                        }
                    }
                }
                _ => cx.err(
                    key.span(),
                    "`link` must be an array of tables: write each link as [[link]]",
                ),
            },
            other => cx.err(
                key.span(),
                format!("unknown key `{other}`: the file has [server] and [[link]] sections"),
            ),
        }
    }
    let server = server(&mut cx, file.server.as_ref());
    if file.link.is_empty() && file.failed_links == 0 {
        cx.err(0..0, "no [[link]] section: nothing to serve");
    }
    if file.link.len() + file.failed_links > MAX_LINKS {
        cx.err(
            file.link.last().map(Spanned::span).unwrap_or(0..0),
            format!("too many [[link]] sections: at most {MAX_LINKS}"),
        );
    }
    let mut links = Vec::new();
    let mut names: Vec<String> = Vec::new();
    let mut interfaces: Vec<String> = Vec::new();
    let mut claims: Vec<(String, Claim)> = Vec::new();
    for l in &file.link {
        let Some((spec, mine)) = link(&mut cx, l) else {
            continue;
        };
        let raw = l.get_ref();
        // Two links must not claim the same addresses: a pool shared by two links could lease
        // one address twice, and relayed messages would match either link (RFC 9915 §13.1).
        for c in &mine {
            if let Some((other, o)) = claims.iter().find(|(_, o)| o.conflicts(c)) {
                cx.err(
                    c.span.clone(),
                    format!(
                        "{} {} overlaps {} {} of link {other:?}",
                        c.kind.name(),
                        c.text,
                        o.kind.name(),
                        o.text
                    ),
                );
            }
        }
        claims.extend(mine.into_iter().map(|c| (spec.name.clone(), c)));
        let name_span = span(&raw.name).or(span(&raw.interface)).unwrap_or(l.span());
        let mut interface_taken = false;
        if let Some(ifname) = &spec.interface {
            if interfaces.contains(ifname) {
                interface_taken = true;
                cx.err(
                    span(&raw.interface).unwrap_or(l.span()),
                    format!("interface {ifname:?} is served by two [[link]] sections"),
                );
            }
            interfaces.push(ifname.clone());
        }
        // A name taken from a doubled interface is the same mistake, reported once.
        if names.contains(&spec.name) && !(interface_taken && raw.name.is_none()) {
            cx.err(
                name_span,
                format!(
                    "link name {:?} is used twice; give each [[link]] its own `name`",
                    spec.name
                ),
            );
        }
        names.push(spec.name.clone());
        links.push(spec);
    }
    if cx.diags.is_empty() {
        Ok(Config { server, links })
    } else {
        cx.diags.sort_by_key(|d| d.span.start);
        Err(Diagnostics(cx.diags))
    }
}

/// Deserialize `value` as `T`. On an error, report it, remove the key at fault and try again, so
/// that every bad key of a section is reported at once; `None` when there was any error (the
/// section is then not checked further, which would only repeat the problem).
fn deserialize_recovering<T: serde::de::DeserializeOwned>(
    cx: &mut Cx<'_>,
    value: Spanned<DeValue<'_>>,
) -> Option<T> {
    let at = value.span();
    let mut value = value.into_inner();
    let mut failed = false;
    // Each round removes one key, so this ends; the bound is a guard.
    for _ in 0..256 {
        let attempt = T::deserialize(Spanned::new(at.clone(), value.clone()).into_deserializer());
        let e = match attempt {
            Ok(t) => return if failed { None } else { Some(t) },
            Err(e) => e,
        };
        let message = friendlier(e.message().trim_end());
        // A key removed in an earlier round may be a required one; its absence is no news.
        if failed && message.starts_with("missing field") {
            return None;
        }
        let span = e.span().unwrap_or(at.clone());
        failed = true;
        cx.err(span.clone(), message);
        let removed = match &mut value {
            DeValue::Table(t) => remove_at(t, span.start),
            _ => false,
        };
        if !removed {
            return None;
        }
    }
    None
}

/// serde's "unknown field `prefx`, expected one of `name`, `interface`, ..." as "unknown key
/// `prefx`; did you mean `prefix`?" when one known key is close (edit distance at most 2).
fn friendlier(message: &str) -> String {
    let Some(rest) = message.strip_prefix("unknown field `") else {
        return message
            .replace("wanted string or table", "invalid type: expected a string")
            .replace("missing field", "missing key")
            .replace("expected u32", "expected an integer from 0 to 4294967295")
            .replace("expected u16", "expected an integer from 0 to 65535")
            .replace("expected u8", "expected an integer from 0 to 255");
    };
    let Some((field, expected)) = rest.split_once('`') else {
        return message.to_string();
    };
    let known: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    let best = known.iter().map(|k| (edit_distance(field, k), *k)).min();
    match best {
        Some((d, k)) if d <= 2 => format!("unknown key `{field}`; did you mean `{k}`?"),
        _ if known.is_empty() => format!("unknown key `{field}`: this table takes no keys"),
        _ => format!("unknown key `{field}`; known keys: {}", known.join(", ")),
    }
}

/// Levenshtein distance (small strings only: keys).
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// Remove the innermost key whose key or value covers byte `pos`.
fn remove_at(table: &mut DeTable<'_>, pos: usize) -> bool {
    let covers = |s: Span| s.contains(&pos) || s.start == pos;
    let mut hit = None;
    for (k, v) in table.iter_mut() {
        let inner = match v.get_mut() {
            DeValue::Table(t) => remove_at(t, pos),
            DeValue::Array(a) => a.iter_mut().any(|item| match item.get_mut() {
                DeValue::Table(t) => remove_at(t, pos),
                _ => false,
            }),
            _ => false,
        };
        if inner {
            return true;
        }
        if hit.is_none() && (covers(k.span()) || covers(v.span())) {
            hit = Some(k.get_ref().to_string());
        }
    }
    match hit {
        Some(h) => {
            table.remove(h.as_str());
            true
        }
        None => false,
    }
}

fn server(cx: &mut Cx<'_>, s: Option<&S<raw::Server>>) -> ServerConfig {
    let mut out = ServerConfig::default();
    let Some(s) = s else {
        return out;
    };
    let s = s.get_ref();
    if let Some(db) = &s.lease_db {
        if db.get_ref().is_empty() {
            cx.err(db.span(), "lease_db is empty: give a file path");
        }
        out.lease_db = db.get_ref().clone();
    }
    if let Some(d) = val(&s.durability) {
        out.durability = match d {
            raw::Durability::Fsync => Durability::Fsync,
            raw::Durability::Process => Durability::Process,
        };
    }
    if let Some(d) = &s.duid {
        match parse_hex_bytes(d.get_ref()).map(|b| DuidBuf::from_bytes(&b)) {
            Some(Ok(duid)) => out.duid = Some(duid),
            _ => cx.err(
                d.span(),
                format!(
                    "duid {:?} is not a DUID: give 3 to 130 bytes in hex, e.g. \"00:03:00:01:52:54:00:12:34:56\" (RFC 9915 §11)",
                    d.get_ref()
                ),
            ),
        }
    }
    if let Some(n) = &s.max_leases {
        if *n.get_ref() == 0 {
            cx.err(n.span(), "max_leases must be at least 1");
        }
        out.max_leases = *n.get_ref() as usize;
    }
    let l = &mut out.limits;
    if let Some(v) = val(&s.max_addresses_per_client) {
        l.max_addresses_per_client = v;
    }
    if let Some(v) = val(&s.max_prefixes_per_client) {
        l.max_prefixes_per_client = v;
    }
    let caps = usize::from(l.max_addresses_per_client) + usize::from(l.max_prefixes_per_client);
    if caps > srv::MAX_CLIENT_BINDINGS {
        let at = span(&s.max_prefixes_per_client)
            .or(span(&s.max_addresses_per_client))
            .unwrap_or(0..0);
        cx.err(
            at,
            format!(
                "max_addresses_per_client + max_prefixes_per_client is {caps}; at most {} bindings per client",
                srv::MAX_CLIENT_BINDINGS
            ),
        );
    }
    if let Some(v) = val(&s.rate_limit_burst) {
        l.rate_burst = v;
    }
    if let Some(v) = val(&s.rate_limit_per_second) {
        l.rate_per_second = v;
    }
    if let Some(v) = val(&s.decline_quarantine) {
        l.decline_quarantine = Duration::from_secs(u64::from(v));
    }
    if let Some(v) = val(&s.max_declined) {
        l.max_declined = v as usize;
    }
    if let Some(v) = val(&s.recreate_on_renew) {
        l.recreate_on_renew = v;
    }
    out
}

fn parse_addr(cx: &mut Cx<'_>, s: &S<String>, what: &str) -> Option<Ipv6Addr> {
    match s.get_ref().trim().parse::<Ipv6Addr>() {
        Ok(a) => Some(a),
        Err(_) => {
            cx.err(
                s.span(),
                format!("{what} {:?} is not an IPv6 address", s.get_ref()),
            );
            None
        }
    }
}

fn parse_prefix(cx: &mut Cx<'_>, s: &S<String>, what: &str) -> Option<Prefix> {
    let text = s.get_ref().trim();
    let parsed = text.split_once('/').and_then(|(a, l)| {
        let addr = a.parse::<Ipv6Addr>().ok()?;
        let len = l.parse::<u8>().ok().filter(|l| *l <= 128)?;
        Some(Prefix::new(addr, len))
    });
    if parsed.is_none() {
        cx.err(
            s.span(),
            format!(
                "{what} {text:?} is not an IPv6 prefix: write address/length, e.g. \"2001:db8:1::/64\""
            ),
        );
    }
    parsed
}

fn parse_pool(cx: &mut Cx<'_>, s: &S<String>) -> Option<AddressPool> {
    let text = s.get_ref().trim();
    let parsed = text.split_once('-').and_then(|(a, b)| {
        Some(AddressPool {
            start: a.trim().parse().ok()?,
            end: b.trim().parse().ok()?,
        })
    });
    if parsed.is_none() {
        cx.err(
            s.span(),
            format!(
                "pool {text:?} is not an address range: write first-last, e.g. \"2001:db8:1::1000-2001:db8:1::ffff\""
            ),
        );
    }
    parsed
}

fn preference(p: raw::Preference) -> Preference {
    match p {
        raw::Preference::Low => Preference::Low,
        raw::Preference::Medium => Preference::Medium,
        raw::Preference::High => Preference::High,
    }
}

/// What a link claims of the address space, for the checks between links.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ClaimKind {
    Prefix,
    Pool,
    PdPool,
}

impl ClaimKind {
    fn name(self) -> &'static str {
        match self {
            ClaimKind::Prefix => "prefix",
            ClaimKind::Pool => "pool",
            ClaimKind::PdPool => "prefix delegation pool",
        }
    }
}

#[derive(Debug, Clone)]
struct Claim {
    kind: ClaimKind,
    first: u128,
    last: u128,
    text: String,
    span: Span,
}

impl Claim {
    fn of_prefix(kind: ClaimKind, p: Prefix, span: Span) -> Claim {
        let host = u32::from(128u8.saturating_sub(p.len.min(128)));
        let size_mask = 1u128.checked_shl(host).map_or(u128::MAX, |v| v - 1);
        let first = u128::from(p.addr) & !size_mask;
        Claim {
            kind,
            first,
            last: first | size_mask,
            text: p.to_string(),
            span,
        }
    }

    /// Overlapping prefixes, pools or PD pools of two links, or a PD pool of one inside the
    /// other's prefix.
    fn conflicts(&self, other: &Claim) -> bool {
        use ClaimKind::*;
        let kinds = matches!(
            (self.kind, other.kind),
            (Prefix, Prefix)
                | (Pool, Pool)
                | (PdPool, PdPool)
                | (PdPool, Prefix)
                | (Prefix, PdPool)
        );
        kinds && self.first <= other.last && other.first <= self.last
    }
}

/// Where each value that may be named in a [`ProfileError`] sits in the file.
struct Places {
    link: Span,
    mode: Span,
    /// Every prefix-valued key: (prefix, its value's span, preferred key, valid key).
    prefixes: Vec<(Prefix, Span, Option<Span>, Option<Span>)>,
    routes: Vec<(Prefix, Span, Option<Span>)>,
    pools: Vec<(AddressPool, Span)>,
    pd_pools: Vec<(PdPool, Span)>,
    pref64: Option<Span>,
    pref64_lifetime: Option<Span>,
}

fn link(cx: &mut Cx<'_>, l: &S<raw::Link>) -> Option<(LinkSpec, Vec<Claim>)> {
    let link_span = l.span();
    let l = l.get_ref();
    let before = cx.diags.len();
    let ra = l.ra.as_ref().map(Spanned::get_ref);
    let ra_key = |f: fn(&raw::Ra) -> Option<Span>| ra.and_then(f);

    let interface = l.interface.as_ref().map(|s| s.get_ref().clone());
    if let Some(i) = &l.interface {
        if i.get_ref().is_empty() || i.get_ref().len() > 15 || i.get_ref().contains('/') {
            cx.err(
                i.span(),
                format!("interface {:?} is not a Linux interface name", i.get_ref()),
            );
        }
    }
    let name = match (&l.name, &interface) {
        (Some(n), _) if n.get_ref().is_empty() => {
            cx.err(n.span(), "name is empty");
            String::new()
        }
        (Some(n), _) => n.get_ref().clone(),
        (None, Some(i)) => i.clone(),
        (None, None) => {
            cx.err(
                link_span.clone(),
                "a [[link]] needs `interface` (served directly) or `name` (reached through relays)",
            );
            String::new()
        }
    };

    let mode = match *l.mode.get_ref() {
        raw::Mode::Slaac => Mode::Slaac,
        raw::Mode::Dhcpv6Stateless => Mode::Dhcpv6Stateless,
        raw::Mode::Dhcpv6Stateful => Mode::Dhcpv6Stateful,
    };
    let mut profile: Profile = Profile::new(mode);
    let mut places = Places {
        link: link_span.clone(),
        mode: l.mode.span(),
        prefixes: Vec::new(),
        routes: Vec::new(),
        pools: Vec::new(),
        pd_pools: Vec::new(),
        pref64: None,
        pref64_lifetime: None,
    };

    // RA timers first: MaxRtrAdvInterval sets the defaults of the others (RFC 4861 §6.2.1).
    if let Some(r) = ra {
        if let Some(v) = val(&r.max_interval) {
            profile.set_max_interval(v.saturating_mul(1000));
        }
        let rt = &mut profile.router;
        if let Some(v) = val(&r.min_interval) {
            rt.min_interval_ms = v.saturating_mul(1000);
        }
        if let Some(v) = val(&r.router_lifetime) {
            rt.lifetime_s = v;
        }
        if let Some(v) = val(&r.preference) {
            rt.preference = preference(v);
        }
        if let Some(v) = val(&r.reachable_time) {
            rt.reachable_time_ms = v;
        }
        if let Some(v) = val(&r.retrans_timer) {
            rt.retrans_timer_ms = v;
        }
        if let Some(v) = val(&r.hop_limit) {
            rt.hop_limit = v;
        }
        if let Some(v) = val(&r.unicast_rs_replies) {
            rt.unicast_rs_replies = v;
        }
        if let Some(v) = val(&r.advertise_dns) {
            profile.dns.in_ra = v;
        }
        if let Some(v) = val(&r.rdnss_lifetime) {
            profile.dns.rdnss_lifetime = v;
        }
        if let Some(v) = val(&r.dnssl_lifetime) {
            profile.dns.dnssl_lifetime = v;
        }
    }
    let max_ms = profile.router.max_interval_ms;

    // Prefixes: the link's own, then [[link.extra_prefix]].
    let link_preferred = val(&l.preferred_lifetime);
    let link_valid = val(&l.valid_lifetime);
    let prefix_preferred = ra.and_then(|r| val(&r.prefix_preferred_lifetime));
    let prefix_valid = ra.and_then(|r| val(&r.prefix_valid_lifetime));
    if l.prefix.is_none() && l.extra_prefix.is_empty() {
        cx.err(
            link_span.clone(),
            "a [[link]] needs `prefix`: the link's on-link prefix",
        );
    }
    let delegated = delegation(cx, l);
    if let Some(p) = &l.prefix {
        let parsed = match &delegated {
            Some(d) => Some(d.template()),
            None => parse_prefix(cx, p, "prefix"),
        };
        if let Some(prefix) = parsed {
            let mut a = AdvPrefix::for_mode(mode, prefix);
            if let Some(v) = val(&l.on_link) {
                a.on_link = v;
            }
            if let Some(v) = val(&l.autonomous) {
                a.autonomous = v;
            }
            if let Some(v) = val(&l.pd_preferred) {
                a.pd_preferred = v;
            }
            if let Some(v) = prefix_preferred.or(link_preferred) {
                a.preferred_lifetime = v;
            }
            if let Some(v) = prefix_valid.or(link_valid) {
                a.valid_lifetime = v;
            }
            let pref_span =
                ra_key(|r| span(&r.prefix_preferred_lifetime)).or(span(&l.preferred_lifetime));
            let valid_span = ra_key(|r| span(&r.prefix_valid_lifetime)).or(span(&l.valid_lifetime));
            places
                .prefixes
                .push((prefix, p.span(), pref_span, valid_span));
            if profile.prefixes.push(a).is_err() {
                cx.err(p.span(), "too many prefixes");
            }
        }
    }
    for x in &l.extra_prefix {
        let x = x.get_ref();
        let Some(prefix) = parse_prefix(cx, &x.prefix, "prefix") else {
            continue;
        };
        let mut a = AdvPrefix::for_mode(mode, prefix);
        if let Some(v) = val(&x.on_link) {
            a.on_link = v;
        }
        if let Some(v) = val(&x.autonomous) {
            a.autonomous = v;
        }
        if let Some(v) = val(&x.pd_preferred) {
            a.pd_preferred = v;
        }
        if let Some(v) = val(&x.preferred_lifetime)
            .or(prefix_preferred)
            .or(link_preferred)
        {
            a.preferred_lifetime = v;
        }
        if let Some(v) = val(&x.valid_lifetime).or(prefix_valid).or(link_valid) {
            a.valid_lifetime = v;
        }
        places.prefixes.push((
            prefix,
            x.prefix.span(),
            span(&x.preferred_lifetime)
                .or(ra_key(|r| span(&r.prefix_preferred_lifetime)))
                .or(span(&l.preferred_lifetime)),
            span(&x.valid_lifetime)
                .or(ra_key(|r| span(&r.prefix_valid_lifetime)))
                .or(span(&l.valid_lifetime)),
        ));
        if profile.prefixes.push(a).is_err() {
            cx.err(
                x.prefix.span(),
                format!(
                    "too many prefixes: at most {} per link",
                    profile.prefixes.capacity()
                ),
            );
        }
    }

    // DNS.
    if let Some(list) = &l.dns_servers {
        for s in list.get_ref() {
            if let Some(a) = parse_addr(cx, s, "DNS server") {
                if profile.dns.servers.push(a).is_err() {
                    cx.err(
                        s.span(),
                        format!(
                            "too many DNS servers: at most {}",
                            profile.dns.servers.capacity()
                        ),
                    );
                }
            }
        }
    }
    if let Some(list) = &l.domain_search {
        for s in list.get_ref() {
            if let Err(e) = profile.dns.search_list.push(s.get_ref()) {
                cx.err(s.span(), format!("domain_search {:?}: {e}", s.get_ref()));
            }
        }
    }

    // DHCPv6.
    let d = &mut profile.dhcpv6;
    for (key, list) in [("NTP", &l.ntp_servers), ("SNTP", &l.sntp_servers)] {
        if let Some(list) = list {
            for s in list.get_ref() {
                if let Some(a) = parse_addr(cx, s, &format!("{key} server")) {
                    let target = if key == "NTP" {
                        &mut d.ntp_servers
                    } else {
                        &mut d.sntp_servers
                    };
                    if target.push(a).is_err() {
                        cx.err(
                            s.span(),
                            format!("too many {key} servers: at most {}", target.capacity()),
                        );
                    }
                }
            }
        }
    }
    let pool_values = l
        .pool
        .iter()
        .chain(l.pools.iter().flat_map(|p| p.get_ref()));
    for s in pool_values {
        if let Some(mut p) = parse_pool(cx, s) {
            if let Some(d) = &delegated {
                // Interface identifiers inside the delegated sub-prefix.
                let t = u128::from(d.template().addr);
                let host = u128::MAX
                    .checked_shr(u32::from(d.subnet_length))
                    .unwrap_or(0);
                if u128::from(p.start) & !host != 0 || u128::from(p.end) & !host != 0 {
                    cx.err(
                        s.span(),
                        format!(
                            "on a link with prefix = \"delegated:...\", a pool is a range of interface identifiers inside the /{}, e.g. \"::1000-::1fff\"",
                            d.subnet_length
                        ),
                    );
                }
                p.start = Ipv6Addr::from(t | (u128::from(p.start) & host));
                p.end = Ipv6Addr::from(t | (u128::from(p.end) & host));
            }
            places.pools.push((p, s.span()));
        }
    }
    let pd_values = l
        .pd_pool
        .iter()
        .chain(l.pd_pools.iter().flat_map(|p| p.get_ref()));
    for s in pd_values {
        let r = s.get_ref();
        if let Some(prefix) = parse_prefix(cx, &r.prefix, "pd_pool prefix") {
            places.pd_pools.push((
                PdPool {
                    prefix,
                    delegated_len: *r.delegated_length.get_ref(),
                },
                s.span(),
            ));
        }
    }
    let max_pools = srv::config::MAX_LIST;
    if let Some((_, s)) = places.pools.get(max_pools) {
        cx.err(
            s.clone(),
            format!("too many address pools: at most {max_pools}"),
        );
    }
    if let Some((_, s)) = places.pd_pools.get(max_pools) {
        cx.err(
            s.clone(),
            format!("too many prefix delegation pools: at most {max_pools}"),
        );
    }
    d.pool = places.pools.first().map(|p| p.0);
    d.pd_pool = places.pd_pools.first().map(|p| p.0);
    if let Some(v) = val(&l.rapid_commit) {
        d.rapid_commit = v;
    }
    if let Some(v) = link_preferred {
        d.preferred_lifetime = v;
    }
    if let Some(v) = link_valid {
        d.valid_lifetime = v;
    }
    d.t1 = val(&l.t1).unwrap_or(d.preferred_lifetime / 2);
    d.t2 = val(&l.t2).unwrap_or((u64::from(d.preferred_lifetime) * 4 / 5) as u32);
    d.info_refresh_time = val(&l.info_refresh_time);

    // RA extras.
    profile.mtu = val(&l.mtu);
    if let Some(p) = &l.pref64 {
        let p64 = p.get_ref();
        places.pref64 = Some(p64.prefix.span());
        places.pref64_lifetime = span(&p64.lifetime);
        if let Some(prefix) = parse_prefix(cx, &p64.prefix, "pref64 prefix") {
            // RFC 8781 §4.1: the lesser of 3 × MaxRtrAdvInterval and 65528 s by default.
            let default = Dns::lifetime_for(max_ms).min(u32::from(Pref64::MAX_LIFETIME)) as u16;
            profile.pref64 = Some(Pref64 {
                prefix,
                lifetime: val(&p64.lifetime).unwrap_or(default),
            });
        }
    }
    if let Some(c) = &l.captive_portal {
        let mut uri = heapless::String::new();
        if uri.push_str(c.get_ref()).is_err() {
            cx.err(
                c.span(),
                format!("captive_portal URI is longer than {MAX_CAPTIVE_PORTAL_LEN} bytes"),
            );
        }
        profile.captive_portal = Some(uri);
    }
    for r in &l.route {
        let rr = r.get_ref();
        let Some(prefix) = parse_prefix(cx, &rr.prefix, "route prefix") else {
            continue;
        };
        places
            .routes
            .push((prefix, rr.prefix.span(), span(&rr.lifetime)));
        let route = AdvRoute {
            prefix,
            preference: val(&rr.preference).map_or(Preference::Medium, preference),
            lifetime: val(&rr.lifetime).unwrap_or(Dns::lifetime_for(max_ms)),
        };
        if profile.routes.push(route).is_err() {
            cx.err(
                r.span(),
                format!(
                    "too many routes: at most {}",
                    sixconf_core::profile::MAX_ROUTES
                ),
            );
        }
    }

    if cx.diags.len() > before {
        return None;
    }
    if let Err(e) = profile.validate() {
        let at = place_of(&places, l, ra, &e);
        cx.err(at, e.to_string());
        return None;
    }
    // Pools beyond the first, which the profile does not hold, by the same rules.
    for (pool, s) in places.pools.iter().skip(1) {
        let e = if u128::from(pool.start) > u128::from(pool.end) {
            Some(ProfileError::PoolEmpty { pool: *pool })
        } else if !profile
            .prefixes
            .iter()
            .any(|p| p.prefix.contains(pool.start) && p.prefix.contains(pool.end))
        {
            Some(ProfileError::PoolOutsidePrefix { pool: *pool })
        } else {
            None
        };
        if let Some(e) = e {
            cx.err(s.clone(), e.to_string());
        }
    }
    for (pool, s) in places.pd_pools.iter().skip(1) {
        if pool.delegated_len < pool.prefix.len || pool.delegated_len > 128 {
            cx.err(
                s.clone(),
                ProfileError::PdPoolBadLength { pool: *pool }.to_string(),
            );
        } else if pool.prefix.has_host_bits() {
            cx.err(
                s.clone(),
                ProfileError::HostBitsSet {
                    prefix: pool.prefix,
                }
                .to_string(),
            );
        } else if let Some(p) = profile
            .prefixes
            .iter()
            .find(|p| p.prefix.overlaps(&pool.prefix))
        {
            cx.err(
                s.clone(),
                ProfileError::PdPoolOverlapsPrefix {
                    pd: pool.prefix,
                    prefix: p.prefix,
                }
                .to_string(),
            );
        }
    }

    let mut server = match LinkConfig::from_profile(&profile) {
        Ok(s) => s,
        Err(e) => {
            cx.err(link_span, format!("DHCPv6 server: {e}"));
            return None;
        }
    };
    // `slaac` links run no DHCPv6 exchange; their LinkConfig still answers nothing stateful.
    for (pool, _) in places.pools.iter().skip(1) {
        let _ = server
            .address_pools
            .push(srv::AddressPool::new(pool.start, pool.end));
    }
    for (pool, _) in places.pd_pools.iter().skip(1) {
        let _ = server.prefix_pools.push(srv::PrefixPool::new(
            srv::Prefix::new(pool.prefix.addr, pool.prefix.len),
            pool.delegated_len,
        ));
    }
    let pd_preferred = val(&l.pd_preferred_lifetime).unwrap_or(server.prefix_lifetimes.preferred);
    let pd_valid = val(&l.pd_valid_lifetime).unwrap_or(server.prefix_lifetimes.valid);
    let pd_explicit = l.pd_preferred_lifetime.is_some();
    server.prefix_lifetimes = Lifetimes {
        preferred: pd_preferred,
        valid: pd_valid,
        t1: Some(val(&l.pd_t1).unwrap_or(if pd_explicit {
            pd_preferred / 2
        } else {
            profile.dhcpv6.t1
        })),
        t2: Some(val(&l.pd_t2).unwrap_or(if pd_explicit {
            (u64::from(pd_preferred) * 4 / 5) as u32
        } else {
            profile.dhcpv6.t2
        })),
    };
    if pd_preferred > pd_valid {
        cx.err(
            span(&l.pd_preferred_lifetime).unwrap_or(link_span.clone()),
            format!("DHCPv6 prefix preferred lifetime {pd_preferred} s exceeds valid lifetime {pd_valid} s (RFC 9915 §21.22)"),
        );
    }
    if server.prefix_lifetimes.t1() > server.prefix_lifetimes.t2() {
        cx.err(
            span(&l.pd_t1).unwrap_or(link_span.clone()),
            format!(
                "DHCPv6 prefix T1 {} s is after T2 {} s (RFC 9915 §21.21)",
                server.prefix_lifetimes.t1(),
                server.prefix_lifetimes.t2()
            ),
        );
    }
    server.preference = val(&l.dhcpv6_preference);
    for (key, o, target) in [
        ("sol_max_rt", &l.sol_max_rt, &mut server.sol_max_rt),
        ("inf_max_rt", &l.inf_max_rt, &mut server.inf_max_rt),
    ] {
        if let Some(v) = o {
            if !(60..=86_400).contains(v.get_ref()) {
                cx.err(
                    v.span(),
                    format!(
                        "{key} {} s is outside 60..=86400 s (RFC 7083 §4, §5)",
                        v.get_ref()
                    ),
                );
            }
            *target = Some(*v.get_ref());
        }
    }
    for r in &l.reservation {
        if let Some(res) = reservation(cx, r, &server) {
            if server.reservations.push(res).is_err() {
                cx.err(
                    r.span(),
                    format!(
                        "too many reservations: at most {}",
                        srv::config::MAX_RESERVATIONS
                    ),
                );
            }
        }
    }
    if let Some(relay) = &l.relay {
        let relay = relay.get_ref();
        if let (Some(_), Some(h)) = (&relay.interface_id, &relay.interface_id_hex) {
            cx.err(h.span(), "give interface_id or interface_id_hex, not both");
        }
        let id = match (&relay.interface_id, &relay.interface_id_hex) {
            (Some(t), _) => Some((t.span(), Some(t.get_ref().as_bytes().to_vec()))),
            (None, Some(h)) => Some((h.span(), parse_hex_bytes(h.get_ref()))),
            (None, None) => None,
        };
        if let Some((at, bytes)) = id {
            let ok = bytes.is_some_and(|b| {
                !b.is_empty() && server.interface_id.extend_from_slice(&b).is_ok()
            });
            if !ok {
                cx.err(
                    at,
                    format!(
                        "the Interface-ID must be 1 to {} bytes (interface_id as text, interface_id_hex as hex)",
                        srv::config::MAX_INTERFACE_ID_LEN
                    ),
                );
            }
        }
        if let Some(a) = &relay.link_address {
            if let Some(addr) = parse_addr(cx, a, "relay link_address") {
                if !server.on_link(addr)
                    && server.prefixes.push(srv::Prefix::new(addr, 128)).is_err()
                {
                    cx.err(
                        a.span(),
                        "relay link_address is outside the link's prefixes and no room is left to add it",
                    );
                }
            }
        }
    }
    if let Err(e) = server.validate() {
        let at = match e {
            srv::ConfigError::Overlap | srv::ConfigError::BadPrefixPool => places
                .pd_pools
                .first()
                .map(|p| p.1.clone())
                .unwrap_or(link_span.clone()),
            _ => link_span.clone(),
        };
        cx.err(at, format!("DHCPv6 server: {e}"));
    }

    if cx.diags.len() > before {
        return None;
    }
    let mut claims = Vec::new();
    for (prefix, span, _, _) in &places.prefixes {
        claims.push(Claim::of_prefix(ClaimKind::Prefix, *prefix, span.clone()));
    }
    for (pool, span) in &places.pools {
        claims.push(Claim {
            kind: ClaimKind::Pool,
            first: u128::from(pool.start),
            last: u128::from(pool.end),
            text: pool.to_string(),
            span: span.clone(),
        });
    }
    for (pool, span) in &places.pd_pools {
        claims.push(Claim::of_prefix(
            ClaimKind::PdPool,
            pool.prefix,
            span.clone(),
        ));
    }
    let spec = LinkSpec {
        name,
        interface,
        profile,
        server,
        source_link_layer: ra.and_then(|r| val(&r.source_link_layer)).unwrap_or(true),
        delegated,
    };
    Some((spec, claims))
}

/// `prefix = "delegated:IF"` with `subnet_index` and `subnet_length`: where the link's prefix
/// comes from. `subnet_*` without a delegated prefix is an error.
fn delegation(cx: &mut Cx<'_>, l: &raw::Link) -> Option<super::Delegation> {
    let from = l.prefix.as_ref().and_then(|p| {
        p.get_ref()
            .trim()
            .strip_prefix("delegated:")
            .map(|w| (p, w))
    });
    let Some((p, wan)) = from else {
        for key in [span(&l.subnet_index), span(&l.subnet_length)]
            .into_iter()
            .flatten()
        {
            cx.err(
                key,
                "subnet_index and subnet_length belong to a link with prefix = \"delegated:IF\"",
            );
        }
        return None;
    };
    let wan = wan.trim();
    if wan.is_empty() || wan.len() > 15 || wan.contains('/') {
        cx.err(
            p.span(),
            format!("{wan:?} is not a Linux interface name: write prefix = \"delegated:wan0\""),
        );
        return None;
    }
    if l.interface.is_none() {
        cx.err(
            p.span(),
            "a link numbered from a delegation needs `interface`: its prefix is advertised in RAs",
        );
    }
    if l.interface.as_ref().is_some_and(|i| i.get_ref() == wan) {
        cx.err(
            p.span(),
            "the delegation is requested on another interface than the link's own",
        );
    }
    let subnet_length = val(&l.subnet_length).unwrap_or(64);
    if !(1..=64).contains(&subnet_length) {
        cx.err(
            span(&l.subnet_length).unwrap_or(p.span()),
            format!(
                "subnet_length {subnet_length} must be 1..=64 (SLAAC needs 64, RFC 4862 §5.5.3)"
            ),
        );
        return None;
    }
    let subnet_index = val(&l.subnet_index).unwrap_or(0);
    if subnet_length < 33 && u64::from(subnet_index) >= 1u64 << subnet_length {
        cx.err(
            span(&l.subnet_index).unwrap_or(p.span()),
            format!("subnet_index {subnet_index} does not fit in a /{subnet_length}"),
        );
        return None;
    }
    Some(super::Delegation {
        wan: wan.to_owned(),
        subnet_index,
        subnet_length,
    })
}

fn reservation(
    cx: &mut Cx<'_>,
    r: &S<raw::Reservation>,
    server: &LinkConfig,
) -> Option<Reservation> {
    let at = r.span();
    let r = r.get_ref();
    let before = cx.diags.len();
    let key = match (&r.duid, &r.mac) {
        (Some(_), Some(m)) => {
            cx.err(m.span(), "a reservation is by `duid` or by `mac`, not both");
            None
        }
        (Some(d), None) => match parse_hex_bytes(d.get_ref()).map(|b| DuidBuf::from_bytes(&b)) {
            Some(Ok(duid)) => Some(match val(&r.iaid) {
                Some(iaid) => ReservationKey::DuidIaid(duid, iaid),
                None => ReservationKey::Duid(duid),
            }),
            _ => {
                cx.err(
                    d.span(),
                    format!(
                        "duid {:?} is not a DUID: 3 to 130 bytes in hex (RFC 9915 §11)",
                        d.get_ref()
                    ),
                );
                None
            }
        },
        (None, Some(m)) => {
            if let Some(i) = &r.iaid {
                cx.err(
                    i.span(),
                    "iaid needs `duid` (a reservation by mac covers every IA)",
                );
            }
            match parse_hex_bytes(m.get_ref()).and_then(|b| ReservationKey::link_layer(&b)) {
                Some(k) => Some(k),
                None => {
                    cx.err(
                        m.span(),
                        format!(
                            "mac {:?} is not a link-layer address: 1 to 16 bytes in hex, e.g. \"52:54:00:12:34:56\"",
                            m.get_ref()
                        ),
                    );
                    None
                }
            }
        }
        (None, None) => {
            cx.err(at.clone(), "a reservation needs `duid` or `mac`");
            None
        }
    };
    let address = match &r.address {
        Some(a) => {
            let addr = parse_addr(cx, a, "reserved address")?;
            if !server.on_link(addr) {
                cx.err(
                    a.span(),
                    format!("reserved address {addr} is outside every prefix of the link"),
                );
            }
            Some(addr)
        }
        None => None,
    };
    let prefix = match &r.prefix {
        Some(p) => {
            let prefix = parse_prefix(cx, p, "reserved prefix")?;
            if prefix.has_host_bits() {
                cx.err(p.span(), ProfileError::HostBitsSet { prefix }.to_string());
            }
            Some(srv::Prefix::new(prefix.addr, prefix.len))
        }
        None => None,
    };
    if address.is_none() && prefix.is_none() {
        cx.err(at, "a reservation needs `address`, `prefix` or both");
    }
    if cx.diags.len() > before {
        return None;
    }
    Some(Reservation {
        key: key?,
        address,
        prefix,
    })
}

/// The span of the key or value a [`ProfileError`] is about; the `[[link]]` header when the value
/// at fault is a default.
fn place_of(p: &Places, l: &raw::Link, ra: Option<&raw::Ra>, e: &ProfileError) -> Span {
    let link = || p.link.clone();
    let ra_span = |f: fn(&raw::Ra) -> Option<Span>| ra.and_then(f);
    let prefix_at = |prefix: &Prefix| {
        p.prefixes
            .iter()
            .find(|x| x.0 == *prefix)
            .map(|x| x.1.clone())
    };
    let any_prefix_at = |prefix: &Prefix| {
        prefix_at(prefix)
            .or_else(|| {
                p.routes
                    .iter()
                    .find(|x| x.0 == *prefix)
                    .map(|x| x.1.clone())
            })
            .or_else(|| {
                p.pd_pools
                    .iter()
                    .find(|x| x.0.prefix == *prefix)
                    .map(|x| x.1.clone())
            })
            .or_else(|| p.pref64.clone())
    };
    use ProfileError as E;
    let found = match e {
        E::MaxIntervalOutOfRange { .. } => ra_span(|r| span(&r.max_interval)),
        E::MinIntervalOutOfRange { .. } => {
            ra_span(|r| span(&r.min_interval)).or(ra_span(|r| span(&r.max_interval)))
        }
        E::RouterLifetimeOutOfRange { .. } => {
            ra_span(|r| span(&r.router_lifetime)).or(ra_span(|r| span(&r.max_interval)))
        }
        E::ReachableTimeTooLarge { .. } => ra_span(|r| span(&r.reachable_time)),
        E::MtuTooSmall { .. } | E::MtuAboveLink { .. } => span(&l.mtu),
        E::PrefixLengthTooLong { prefix } | E::HostBitsSet { prefix } => any_prefix_at(prefix),
        E::DuplicatePrefix { prefix } => p
            .prefixes
            .iter()
            .filter(|x| x.0 == *prefix)
            .nth(1)
            .map(|x| x.1.clone()),
        E::AutonomousNotSlash64 { prefix } | E::AutonomousInStatefulMode { prefix } => {
            prefix_at(prefix)
        }
        E::PreferredExceedsValid { prefix, .. } => p
            .prefixes
            .iter()
            .find(|x| x.0 == *prefix)
            .and_then(|x| x.2.clone().or(x.3.clone()).or(Some(x.1.clone()))),
        E::PrefixLifetimeTooShort { prefix, .. } => p
            .prefixes
            .iter()
            .find(|x| x.0 == *prefix)
            .and_then(|x| x.3.clone().or(Some(x.1.clone()))),
        E::RouteLifetimeTooShort { prefix, .. } => p
            .routes
            .iter()
            .find(|x| x.0 == *prefix)
            .map(|x| x.2.clone().unwrap_or(x.1.clone())),
        E::DnsLifetimeTooShort { option, .. } => match option {
            DnsOption::Rdnss => ra_span(|r| span(&r.rdnss_lifetime)).or(span(&l.dns_servers)),
            DnsOption::Dnssl => ra_span(|r| span(&r.dnssl_lifetime)).or(span(&l.domain_search)),
        },
        E::NoAutonomousPrefix { .. } | E::StatefulWithoutPool => Some(p.mode.clone()),
        E::PoolEmpty { pool } | E::PoolOutsidePrefix { pool } => {
            p.pools.iter().find(|x| x.0 == *pool).map(|x| x.1.clone())
        }
        E::PdPoolBadLength { pool } => p
            .pd_pools
            .iter()
            .find(|x| x.0 == *pool)
            .map(|x| x.1.clone()),
        E::PdPoolOverlapsPrefix { pd, .. } => p
            .pd_pools
            .iter()
            .find(|x| x.0.prefix == *pd)
            .map(|x| x.1.clone()),
        E::DhcpPreferredExceedsValid { .. } => {
            span(&l.preferred_lifetime).or(span(&l.valid_lifetime))
        }
        E::T1AfterT2 { .. } => span(&l.t1).or(span(&l.t2)),
        E::Pref64BadLength { .. } => p.pref64.clone(),
        E::Pref64LifetimeOutOfRange { .. } => p.pref64_lifetime.clone().or(p.pref64.clone()),
        E::CaptivePortalEmpty => span(&l.captive_portal),
        _ => None,
    };
    found.unwrap_or_else(link)
}
