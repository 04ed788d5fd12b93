//! Reading ND and DHCPv6 packets out of capture files (`sixconf decode --pcap`).
//!
//! Classic pcap and pcapng (via `pcap-file`), with Ethernet, Linux cooked (SLL) and raw IP link
//! types; the IPv6 header and its extension headers are walked by `etherparse`. What is not an
//! ICMPv6 message or a UDP datagram to or from port 546/547 is skipped and counted, and a frame
//! that cannot be parsed is reported, never fatal.

use std::fs::File;
use std::io::BufReader;
use std::net::Ipv6Addr;
use std::path::Path;

use anyhow::{bail, Context};
use etherparse::{Ipv6ExtensionSlice, NetSlice, SlicedPacket, TransportSlice};
use pcap_file::pcap::PcapReader;
use pcap_file::pcapng::{Block, PcapNgReader};
use pcap_file::DataLink;

/// The UDP ports of DHCPv6 (RFC 9915 §7.2).
pub const DHCPV6_PORTS: [u16; 2] = [546, 547];

/// What an IPv6 packet carried, as far as sixconf decodes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payload {
    /// An ICMPv6 message, from its type byte on.
    Icmpv6(Vec<u8>),
    /// A UDP datagram to or from a DHCPv6 port.
    Dhcpv6 {
        /// UDP source port.
        src_port: u16,
        /// UDP destination port.
        dst_port: u16,
        /// The DHCPv6 message (the UDP payload).
        data: Vec<u8>,
    },
}

/// One packet taken from a capture, with the IPv6 facts the ND validity rules need
/// (RFC 4861 §6.1, RFC 6980).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapturedPacket {
    /// 1-based frame number, as Wireshark counts.
    pub frame: usize,
    /// IPv6 source address.
    pub src: Ipv6Addr,
    /// IPv6 destination address.
    pub dst: Ipv6Addr,
    /// IPv6 hop limit.
    pub hop_limit: u8,
    /// Whether a Fragment extension header was present.
    pub had_fragment_header: bool,
    /// IPv6 Traffic Class.
    pub traffic_class: u8,
    /// IPv6 Flow Label (20 bits).
    pub flow_label: u32,
    /// For a UDP datagram, whether its checksum verifies over the IPv6 pseudo-header
    /// (RFC 8200 §8.1); `None` for ICMPv6 (checked by the decoder, which knows the message).
    pub udp_checksum_ok: Option<bool>,
    /// What the packet carried.
    pub payload: Payload,
}

/// Everything read from one capture file.
#[derive(Debug, Default)]
pub struct Capture {
    /// The ND and DHCPv6 packets, in capture order.
    pub packets: Vec<CapturedPacket>,
    /// Frames skipped because they carry something else (IPv4, TCP, other UDP ports, …).
    pub skipped: usize,
    /// Frames that could not be parsed as far as the transport header: frame number and reason.
    pub unparsable: Vec<(usize, String)>,
}

/// Read `path`, a classic pcap or pcapng file.
pub fn read_capture(path: &Path) -> anyhow::Result<Capture> {
    let mut magic = [0u8; 4];
    {
        use std::io::Read;
        let mut f = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
        f.read_exact(&mut magic)
            .with_context(|| format!("{}: too short to be a capture", path.display()))?;
    }
    let file = BufReader::new(File::open(path)?);
    let mut capture = Capture::default();
    let mut frame = 0usize;
    if magic == [0x0a, 0x0d, 0x0d, 0x0a] {
        let mut reader = PcapNgReader::new(file)
            .with_context(|| format!("{}: bad pcapng section header", path.display()))?;
        let mut linktypes: Vec<DataLink> = Vec::new();
        while let Some(block) = reader.next_block() {
            let block = block.with_context(|| format!("{}: bad pcapng block", path.display()))?;
            match block {
                Block::InterfaceDescription(idb) => linktypes.push(idb.linktype),
                Block::EnhancedPacket(epb) => {
                    frame += 1;
                    let linktype = linktypes
                        .get(epb.interface_id as usize)
                        .copied()
                        .unwrap_or(DataLink::ETHERNET);
                    capture.add_frame(frame, linktype, &epb.data);
                }
                Block::SimplePacket(spb) => {
                    frame += 1;
                    let linktype = linktypes.first().copied().unwrap_or(DataLink::ETHERNET);
                    capture.add_frame(frame, linktype, &spb.data);
                }
                _ => {}
            }
        }
    } else {
        let mut reader = PcapReader::new(file)
            .with_context(|| format!("{}: neither pcap nor pcapng", path.display()))?;
        let linktype = reader.header().datalink;
        while let Some(packet) = reader.next_packet() {
            let packet = packet.with_context(|| format!("{}: bad pcap record", path.display()))?;
            frame += 1;
            capture.add_frame(frame, linktype, &packet.data);
        }
    }
    Ok(capture)
}

impl Capture {
    fn add_frame(&mut self, frame: usize, linktype: DataLink, data: &[u8]) {
        match parse_frame(linktype, data) {
            Ok(Some((meta, payload))) => self.packets.push(CapturedPacket {
                frame,
                src: meta.src,
                dst: meta.dst,
                hop_limit: meta.hop_limit,
                had_fragment_header: meta.fragment,
                traffic_class: meta.traffic_class,
                flow_label: meta.flow_label,
                udp_checksum_ok: meta.udp_checksum_ok,
                payload,
            }),
            Ok(None) => self.skipped += 1,
            Err(e) => self.unparsable.push((frame, e.to_string())),
        }
    }
}

/// What the IPv6 header (and a UDP checksum) said.
struct IpFacts {
    src: Ipv6Addr,
    dst: Ipv6Addr,
    hop_limit: u8,
    fragment: bool,
    traffic_class: u8,
    flow_label: u32,
    udp_checksum_ok: Option<bool>,
}

/// The UDP checksum over the IPv6 pseudo-header (RFC 8200 §8.1) of `udp` (header and data)
/// verifies. A zero checksum is invalid over IPv6 (RFC 8200 §8.1).
fn udp_checksum_ok(src: &Ipv6Addr, dst: &Ipv6Addr, udp: &[u8]) -> bool {
    let mut sum: u32 = 0;
    let mut add = |bytes: &[u8]| {
        for pair in bytes.chunks(2) {
            let hi = u32::from(pair[0]);
            let lo = pair.get(1).map_or(0, |&b| u32::from(b));
            sum += hi << 8 | lo;
        }
    };
    add(&src.octets());
    add(&dst.octets());
    add(&(udp.len() as u32).to_be_bytes());
    add(&[0, 0, 0, 17]);
    add(udp);
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    sum == 0xffff && udp.get(6..8) != Some(&[0, 0])
}

fn parse_frame(linktype: DataLink, data: &[u8]) -> anyhow::Result<Option<(IpFacts, Payload)>> {
    let sliced = match linktype {
        DataLink::ETHERNET => SlicedPacket::from_ethernet(data),
        DataLink::LINUX_SLL => SlicedPacket::from_linux_sll(data),
        DataLink::RAW | DataLink::IPV6 => SlicedPacket::from_ip(data),
        DataLink::LINUX_SLL2 => {
            // SLL2 (20-byte header) is not sliced by etherparse: its protocol type is the first
            // field; skip the header and read IP.
            match data.get(..2) {
                Some([0x86, 0xdd]) => SlicedPacket::from_ip(data.get(20..).unwrap_or(&[])),
                _ => return Ok(None),
            }
        }
        other => bail!("link type {other:?} is not supported"),
    }
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let Some(NetSlice::Ipv6(ip)) = &sliced.net else {
        return Ok(None);
    };
    let header = ip.header();
    let fragment = ip
        .extensions()
        .clone()
        .into_iter()
        .any(|e| matches!(e, Ipv6ExtensionSlice::Fragment(_)));
    let mut facts = IpFacts {
        src: header.source_addr(),
        dst: header.destination_addr(),
        hop_limit: header.hop_limit(),
        fragment,
        traffic_class: header.traffic_class(),
        flow_label: header.flow_label().value(),
        udp_checksum_ok: None,
    };
    let payload = match &sliced.transport {
        Some(TransportSlice::Icmpv6(icmp)) => Payload::Icmpv6(icmp.slice().to_vec()),
        Some(TransportSlice::Udp(udp))
            if DHCPV6_PORTS.contains(&udp.source_port())
                || DHCPV6_PORTS.contains(&udp.destination_port()) =>
        {
            facts.udp_checksum_ok = Some(udp_checksum_ok(&facts.src, &facts.dst, udp.slice()));
            Payload::Dhcpv6 {
                src_port: udp.source_port(),
                dst_port: udp.destination_port(),
                data: udp.payload().to_vec(),
            }
        }
        _ => return Ok(None),
    };
    Ok(Some((facts, payload)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use pcap_file::pcap::{PcapHeader, PcapPacket, PcapWriter};
    use std::time::Duration;

    fn ipv6_udp_frame(src_port: u16, dst_port: u16, payload: &[u8]) -> Vec<u8> {
        let builder =
            etherparse::PacketBuilder::ethernet2([2, 0, 0, 0, 0, 1], [0x33, 0x33, 0, 1, 0, 2])
                .ipv6(
                    "fe80::1".parse::<Ipv6Addr>().unwrap().octets(),
                    "ff02::1:2".parse::<Ipv6Addr>().unwrap().octets(),
                    1,
                )
                .udp(src_port, dst_port);
        let mut out = Vec::new();
        builder.write(&mut out, payload).unwrap();
        out
    }

    #[test]
    fn reads_dhcpv6_and_skips_other_udp() {
        let dir = std::env::temp_dir().join(format!("sixconf-capture-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.pcap");
        {
            let header = PcapHeader {
                datalink: DataLink::ETHERNET,
                ..Default::default()
            };
            let mut w = PcapWriter::with_header(File::create(&path).unwrap(), header).unwrap();
            for frame in [
                ipv6_udp_frame(546, 547, &[1, 0xab, 0xcd, 0xef]),
                ipv6_udp_frame(53, 53, &[0; 12]),
            ] {
                w.write_packet(&PcapPacket::new(Duration::ZERO, frame.len() as u32, &frame))
                    .unwrap();
            }
        }
        let cap = read_capture(&path).unwrap();
        assert_eq!(cap.skipped, 1);
        assert_eq!(cap.packets.len(), 1);
        let p = &cap.packets[0];
        assert_eq!(p.frame, 1);
        assert_eq!(p.hop_limit, 1);
        assert_eq!(p.udp_checksum_ok, Some(true));
        assert_eq!(p.dst, "ff02::1:2".parse::<Ipv6Addr>().unwrap());
        assert_eq!(
            p.payload,
            Payload::Dhcpv6 {
                src_port: 546,
                dst_port: 547,
                data: vec![1, 0xab, 0xcd, 0xef]
            }
        );
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn a_file_that_is_not_a_capture_is_an_error_not_a_panic() {
        let dir = std::env::temp_dir().join(format!("sixconf-capture-bad-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("bad.pcap");
        std::fs::write(&path, b"hello world, not a pcap").unwrap();
        assert!(read_capture(&path).is_err());
        std::fs::write(&path, b"ab").unwrap();
        assert!(read_capture(&path).is_err());
        std::fs::remove_dir_all(&dir).ok();
    }
}
