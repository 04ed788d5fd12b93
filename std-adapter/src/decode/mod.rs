//! `sixconf decode`: ICMPv6 Neighbor Discovery and DHCPv6 messages, from hex or from a capture
//! file, printed as tcpdump `-vv` would ([`crate::text`]) or as JSON ([`json`], one object per
//! message, the schema of `std-adapter/tests/fixtures/SCHEMA.md`).
//!
//! Invalid input exits with status 2 and one line on stderr that names what is wrong, the
//! option (type or code, and its name) it sits in, and the byte offset from the start of the
//! message. Nothing here panics, on any input (see the property tests).

use std::io::Write as _;
use std::net::Ipv6Addr;
use std::path::PathBuf;
use std::process::ExitCode;

use serde_json::Value;
use sixconf_core::wire::{dhcpv6, icmpv6, ndisc, Error};

use crate::capture::{self, Payload};
use crate::text;

pub mod json;

/// The arguments of `sixconf decode`.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct DecodeArgs {
    /// The message as hex (spaces, newlines, `0x` and tcpdump's `0x0000:` offsets tolerated);
    /// read from stdin when absent.
    pub hex: Vec<String>,
    /// Treat the bytes as a DHCPv6 UDP payload (otherwise chosen by the first byte: 133-137 is
    /// Neighbor Discovery, 1-13 DHCPv6).
    #[arg(long)]
    pub dhcpv6: bool,
    /// Print one JSON object per message instead of text.
    #[arg(long)]
    pub json: bool,
    /// Decode every ND and DHCPv6 packet in this capture (pcap or pcapng; Ethernet, Linux
    /// cooked or raw IP), one per line with `--json`.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["hex", "dhcpv6", "src", "dst"])]
    pub pcap: Option<PathBuf>,
    /// IPv6 source address, to verify the ICMPv6 checksum.
    #[arg(long, requires = "dst")]
    pub src: Option<Ipv6Addr>,
    /// IPv6 destination address, to verify the ICMPv6 checksum.
    #[arg(long, requires = "src")]
    pub dst: Option<Ipv6Addr>,
}

/// Run `sixconf decode`; the process exit status.
pub fn run(args: &DecodeArgs) -> ExitCode {
    if let Some(path) = &args.pcap {
        return run_pcap(path, args.json);
    }
    let input = if args.hex.is_empty() {
        let mut s = String::new();
        if let Err(e) = std::io::Read::read_to_string(&mut std::io::stdin(), &mut s) {
            return fail(&format!("cannot read stdin: {e}"));
        }
        s
    } else {
        args.hex.join(" ")
    };
    let bytes = match crate::hex::parse_hex(&input) {
        Ok(b) => b,
        Err(e) => return fail(&e.to_string()),
    };
    match decode_bytes(&bytes, args.dhcpv6, args.src.zip(args.dst), args.json) {
        Ok(out) => {
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`| head`) is not an error worth a panic.
            let _ = writeln!(stdout, "{out}");
            ExitCode::SUCCESS
        }
        Err(line) => fail(&line),
    }
}

fn fail(line: &str) -> ExitCode {
    eprintln!("sixconf decode: {line}");
    ExitCode::from(2)
}

/// Which decoder the bytes go to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// ICMPv6 Neighbor Discovery (types 133..=137).
    Nd,
    /// DHCPv6, a UDP payload.
    Dhcpv6,
}

/// Pick the decoder: `--dhcpv6`, or the first byte (133..=137 ND, 1..=13 DHCPv6).
pub fn classify(bytes: &[u8], force_dhcpv6: bool) -> Result<Kind, String> {
    if force_dhcpv6 {
        return Ok(Kind::Dhcpv6);
    }
    match bytes.first() {
        None => Err("no input: give the message as hex".into()),
        Some(133..=137) => Ok(Kind::Nd),
        Some(1..=13) => Ok(Kind::Dhcpv6),
        Some(&t) => Err(format!(
            "byte 0: {t} is neither a Neighbor Discovery ICMPv6 type (133-137) nor a DHCPv6 \
             msg-type (1-13)"
        )),
    }
}

/// Decode one message given as bytes: the text (or JSON) to print, or the one-line error.
pub fn decode_bytes(
    bytes: &[u8],
    force_dhcpv6: bool,
    addrs: Option<(Ipv6Addr, Ipv6Addr)>,
    as_json: bool,
) -> Result<String, String> {
    match classify(bytes, force_dhcpv6)? {
        Kind::Nd => {
            let repr = parse_nd(bytes).map_err(|e| nd_error(bytes, e))?;
            let checksum_valid = match addrs {
                Some((src, dst)) => {
                    let packet = icmpv6::Packet::new_unchecked(bytes);
                    if let Err(e) = packet.check_checksum(&src, &dst) {
                        return Err(format!("{e} for {src} > {dst}"));
                    }
                    Some(true)
                }
                None => None,
            };
            if as_json {
                Ok(json::nd(bytes, &repr, checksum_valid).to_string())
            } else {
                let mut s = String::new();
                if let Some((src, dst)) = addrs {
                    s.push_str(&format!("{src} > {dst}: [icmp6 sum ok] "));
                }
                s.push_str(&text::nd::verbose(&repr));
                Ok(s)
            }
        }
        Kind::Dhcpv6 => {
            let repr = parse_dhcpv6(bytes).map_err(|e| dhcpv6_error(bytes, e))?;
            if as_json {
                Ok(json::dhcpv6_repr(&repr).to_string())
            } else {
                Ok(text::dhcpv6::verbose(&repr))
            }
        }
    }
}

/// Decode an ND message as a receiver does (no checksum check: that needs the addresses).
/// Options the RFCs say to ignore are kept in the output, marked `ignored`, and do not fail the
/// message ([`ndisc::Repr::parse_lenient`]); a bad option walk does.
pub fn parse_nd(bytes: &[u8]) -> Result<ndisc::Repr<'_>, Error> {
    ndisc::Repr::parse_lenient(&icmpv6::Packet::new_checked(bytes)?)
}

/// Decode a DHCPv6 message as a receiver does: options the RFCs say to ignore (SOL_MAX_RT out
/// of range, an IA Address with preferred > valid lifetime, …) are marked `ignored` in the
/// output and do not fail the message ([`dhcpv6::Repr::parse_lenient`]).
pub fn parse_dhcpv6(bytes: &[u8]) -> Result<dhcpv6::Repr<'_>, Error> {
    dhcpv6::Repr::parse_lenient(bytes)
}

/// Where the options of an ND message of type `t` start (RFC 4861 §4.1–§4.5).
fn nd_options_start(t: u8) -> usize {
    match t {
        133 => 8,
        134 => 16,
        135 | 136 => 24,
        _ => 40,
    }
}

/// The ND option (type and first byte) that contains byte `offset` of the message.
fn nd_option_at(bytes: &[u8], offset: usize) -> Option<(u8, usize)> {
    let mut pos = nd_options_start(*bytes.first()?);
    while let (Some(&kind), Some(&units)) = (bytes.get(pos), bytes.get(pos + 1)) {
        let end = pos + usize::from(units) * 8;
        if offset >= pos && (offset < end || units == 0) {
            return Some((kind, pos));
        }
        if units == 0 {
            return None;
        }
        pos = end;
    }
    None
}

fn nd_option_name(kind: u8) -> String {
    let t = ndisc::OptionType::from(kind);
    match t {
        ndisc::OptionType::Unknown(_) => "unknown".into(),
        known => known.to_string(),
    }
}

/// One line for an ND decoding error: what, which option, which byte.
pub fn nd_error(bytes: &[u8], e: Error) -> String {
    match e {
        Error::BadOptionLength { code, offset, len } => format!(
            "option {code} ({}) at byte {offset}: invalid length {len} bytes (Length field {})",
            nd_option_name(code as u8),
            len / 8
        ),
        Error::Malformed { offset, .. } | Error::BadName { offset, .. } => {
            match nd_option_at(bytes, offset) {
                Some((kind, start)) => format!(
                    "option {kind} ({}) at byte {start}: {e}",
                    nd_option_name(kind)
                ),
                None => e.to_string(),
            }
        }
        Error::Truncated { offset } => format!(
            "truncated at byte {offset}: {} bytes are too short for this message",
            bytes.len()
        ),
        other => other.to_string(),
    }
}

/// The innermost DHCPv6 option (code and header offset) containing byte `offset`, looking inside
/// IAs, IA addresses and prefixes, and relayed messages.
fn dhcpv6_option_at(bytes: &[u8], offset: usize) -> Option<(u16, usize)> {
    fn walk(bytes: &[u8], base: usize, offset: usize, depth: usize) -> Option<(u16, usize)> {
        if depth > 64 {
            return None;
        }
        let mut pos = 0usize;
        while let Some(h) = bytes.get(pos..pos + 4) {
            let code = u16::from_be_bytes([h[0], h[1]]);
            let len = usize::from(u16::from_be_bytes([h[2], h[3]]));
            let start = base + pos;
            let end = start + 4 + len;
            if offset >= start && offset < end {
                let data = bytes.get(pos + 4..).map(|d| &d[..len.min(d.len())]);
                let nested = match code {
                    3 | 25 => Some(12),
                    4 => Some(4),
                    5 => Some(24),
                    26 => Some(25),
                    _ => None,
                };
                if let (Some(skip), Some(data)) = (nested, data) {
                    if let Some(inner) = data.get(skip..) {
                        if let Some(hit) = walk(inner, start + 4 + skip, offset, depth + 1) {
                            return Some(hit);
                        }
                    }
                }
                if code == 9 {
                    if let Some(data) = data {
                        if let Some(hit) = message(data, start + 4, offset, depth + 1) {
                            return Some(hit);
                        }
                    }
                }
                return Some((code, start));
            }
            pos += 4 + len;
        }
        None
    }
    fn message(bytes: &[u8], base: usize, offset: usize, depth: usize) -> Option<(u16, usize)> {
        let header = match bytes.first()? {
            12 | 13 => 34,
            _ => 4,
        };
        walk(bytes.get(header..)?, base + header, offset, depth)
    }
    message(bytes, 0, offset, 0)
}

/// One line for a DHCPv6 decoding error: what, which option, which byte.
pub fn dhcpv6_error(bytes: &[u8], e: Error) -> String {
    let name = |code: u16| json::option_name(code);
    match e {
        Error::BadOptionLength { code, offset, len } => format!(
            "option {code} ({}) at byte {offset}: invalid option-len {len}",
            name(code)
        ),
        Error::Malformed { offset, .. } | Error::BadName { offset, .. } => {
            match dhcpv6_option_at(bytes, offset) {
                Some((code, start)) => {
                    format!("option {code} ({}) at byte {start}: {e}", name(code))
                }
                None => e.to_string(),
            }
        }
        Error::UnknownType { value } => {
            format!("byte 0: unknown DHCPv6 msg-type {value} (RFC 9915 §7.3)")
        }
        Error::Truncated { offset } => format!(
            "truncated at byte {offset}: {} bytes are too short for this message",
            bytes.len()
        ),
        other => other.to_string(),
    }
}

/// `sixconf decode --pcap`: every ND and DHCPv6 packet, in capture order.
fn run_pcap(path: &std::path::Path, as_json: bool) -> ExitCode {
    let cap = match capture::read_capture(path) {
        Ok(c) => c,
        Err(e) => return fail(&format!("{e:#}")),
    };
    let mut stdout = std::io::stdout().lock();
    let mut other = cap.skipped;
    for p in &cap.packets {
        let out = match &p.payload {
            Payload::Icmpv6(bytes) => {
                if !matches!(bytes.first(), Some(133..=137)) {
                    other += 1;
                    continue;
                }
                pcap_nd(p, bytes, as_json)
            }
            Payload::Dhcpv6 {
                src_port,
                dst_port,
                data,
            } => pcap_dhcpv6(p, (*src_port, *dst_port), data, as_json),
        };
        if writeln!(stdout, "{out}").is_err() {
            return ExitCode::SUCCESS;
        }
    }
    for (frame, reason) in &cap.unparsable {
        eprintln!("sixconf decode: frame {frame}: {reason}");
    }
    if other > 0 {
        eprintln!(
            "sixconf decode: {} ND/DHCPv6 packets decoded, {other} other frames skipped",
            cap.packets.len() + cap.skipped - other
        );
    }
    ExitCode::SUCCESS
}

fn ip6(p: &capture::CapturedPacket, udp_ports: Option<(u16, u16)>, ok: Option<bool>) -> text::Ip6 {
    text::Ip6 {
        src: p.src,
        dst: p.dst,
        hop_limit: p.hop_limit,
        traffic_class: p.traffic_class,
        flow_label: p.flow_label,
        udp_ports,
        checksum_ok: ok,
    }
}

fn with_frame(mut v: Value, p: &capture::CapturedPacket) -> Value {
    if let Value::Object(o) = &mut v {
        o.insert("frame".into(), p.frame.into());
        o.insert("src".into(), p.src.to_string().into());
        o.insert("dst".into(), p.dst.to_string().into());
        o.insert("hop_limit".into(), p.hop_limit.into());
    }
    v
}

fn pcap_nd(p: &capture::CapturedPacket, bytes: &[u8], as_json: bool) -> String {
    let valid = icmpv6::Packet::new_checked(bytes)
        .map(|pk| pk.verify_checksum(&p.src, &p.dst))
        .unwrap_or(false);
    match parse_nd(bytes) {
        Ok(repr) => {
            if as_json {
                with_frame(json::nd(bytes, &repr, Some(valid)), p).to_string()
            } else {
                let ip = ip6(p, None, Some(valid));
                let mut s = ip.prefix(bytes.len());
                s.push_str(&text::nd::summary(&repr));
                s.push_str(&text::nd::details(&repr));
                s
            }
        }
        Err(e) => pcap_error(p, &nd_error(bytes, e), bytes.len(), None, as_json),
    }
}

fn pcap_dhcpv6(
    p: &capture::CapturedPacket,
    ports: (u16, u16),
    data: &[u8],
    as_json: bool,
) -> String {
    match parse_dhcpv6(data) {
        Ok(repr) => {
            if as_json {
                let mut v = with_frame(json::dhcpv6_repr(&repr), p);
                if let Value::Object(o) = &mut v {
                    o.insert("src_port".into(), ports.0.into());
                    o.insert("dst_port".into(), ports.1.into());
                }
                v.to_string()
            } else {
                text::dhcpv6_line(&ip6(p, Some(ports), p.udp_checksum_ok), &repr)
            }
        }
        Err(e) => pcap_error(
            p,
            &dhcpv6_error(data, e),
            8 + data.len(),
            Some(ports),
            as_json,
        ),
    }
}

fn pcap_error(
    p: &capture::CapturedPacket,
    error: &str,
    payload_len: usize,
    ports: Option<(u16, u16)>,
    as_json: bool,
) -> String {
    if as_json {
        with_frame(serde_json::json!({ "error": error }), p).to_string()
    } else {
        let mut s = ip6(p, ports, None).prefix(payload_len);
        s.push_str("[invalid: ");
        s.push_str(error);
        s.push(']');
        s
    }
}
