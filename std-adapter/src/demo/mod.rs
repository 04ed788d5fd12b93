//! `sixconf demo`: the seed's three OpenStack links, simulated in memory with the real engines.
//!
//! For each link mode a router (the [`Advertiser`](sixconf_core::ra::Advertiser) and, in the
//! DHCPv6 modes, the DHCPv6 [`Server`](sixconf_core::dhcpv6::server::Server)) and a few hosts
//! (each a [`Station`](sixconf_core::host::station::Station): RA processing, SLAAC and the DHCPv6
//! client started by the RA's M/O flags) share one simulated link on virtual time
//! ([`link::Sim`]). Every packet is encoded to bytes by an engine, crosses the link as an IPv6
//! packet and is decoded by its receivers; the demo prints each one as `tcpdump -v` would, then
//! what each host configured. No root, no sockets, no sleeping: a run takes milliseconds and the
//! output is the same for the same `--seed`.

pub mod link;
pub mod report;
pub mod scenario;

use std::io::{self, Write};
use std::process::ExitCode;

use sixconf_core::profile::Mode;
use sixconf_core::time::{Duration, Instant};

use crate::text;
use link::{Packet, Sim};
use scenario::Scenario;

/// A link mode, as the command line names it (the seed's `--ipv6-ra-mode` values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DemoMode {
    /// M=0 O=0, A=1: addresses by SLAAC, no DHCPv6.
    Slaac,
    /// M=0 O=1, A=1: addresses by SLAAC, DNS and search list by DHCPv6 Information-request.
    #[value(name = "dhcpv6-stateless")]
    Dhcpv6Stateless,
    /// M=1: addresses and DNS by DHCPv6 (Solicit, Advertise, Request, Reply).
    #[value(name = "dhcpv6-stateful")]
    Dhcpv6Stateful,
}

impl From<DemoMode> for Mode {
    fn from(m: DemoMode) -> Mode {
        match m {
            DemoMode::Slaac => Mode::Slaac,
            DemoMode::Dhcpv6Stateless => Mode::Dhcpv6Stateless,
            DemoMode::Dhcpv6Stateful => Mode::Dhcpv6Stateful,
        }
    }
}

/// `sixconf demo`'s arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Run only this link mode (default: all three, in the seed's order).
    #[arg(long, value_enum)]
    pub mode: Option<DemoMode>,
    /// Seed of every random choice (RA timing, RS delays, transaction IDs): the same seed gives
    /// the same output.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Hosts on the link (1-100); host 1 has the seed's MAC address.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..=100))]
    pub hosts: u16,
    /// Also write every packet to this pcap file (raw IPv6, virtual timestamps from the Unix
    /// epoch: `TZ=UTC tcpdump -n -vv -r FILE` prints the same lines).
    #[arg(long, value_name = "FILE")]
    pub pcap: Option<std::path::PathBuf>,
    /// Another node already uses the first address host 1 would get: its DAD fails. With DHCPv6
    /// the address is Declined and another one requested (RFC 9915 §18.2.8); with SLAAC and
    /// EUI-64 identifiers the host gives the prefix up (RFC 4862 §5.4.5).
    #[arg(long)]
    pub dad_conflict: bool,
    /// Also print, between the packets, what each host's engines told its adapter (addresses to
    /// probe and add, routers, DNS, the DHCPv6 client starting), as `# host N: ...` lines.
    #[arg(long)]
    pub events: bool,
}

/// When host `i` (0-based) comes up: 2 s after the router, then one every 2.5 s, so each one's
/// Router Solicitation is seen and answered.
fn join_time(i: usize) -> Instant {
    Instant::from_millis(2_000 + 2_500 * i as u64)
}

/// How long after the last host came up the simulation runs: enough for its RS, the RA,
/// DHCPv6 (first Solicit delayed up to 1 s, Advertises collected for 1 s) and DAD (1 s).
const SETTLE: Duration = Duration::from_secs(10);

/// Runs `sixconf demo`.
pub fn main(args: Args) -> ExitCode {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    match run(&args, &mut out) {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`sixconf demo | head`) is not an error.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sixconf demo: {e}");
            ExitCode::from(1)
        }
    }
}

/// Writes the whole demo for `args` to `out`.
pub fn run(args: &Args, out: &mut dyn Write) -> io::Result<()> {
    let modes: Vec<Mode> = match args.mode {
        Some(m) => vec![m.into()],
        None => vec![Mode::Slaac, Mode::Dhcpv6Stateless, Mode::Dhcpv6Stateful],
    };
    let mut all = Vec::new();
    for (k, mode) in modes.into_iter().enumerate() {
        if k > 0 {
            writeln!(out)?;
        }
        all.extend(run_mode(mode, args, out)?);
    }
    if let Some(path) = &args.pcap {
        write_pcap(path, &all).map_err(|e| {
            io::Error::new(e.kind(), format!("cannot write {}: {e}", path.display()))
        })?;
    }
    Ok(())
}

/// Writes `packets` as a classic pcap of raw IPv6 packets (LINKTYPE_RAW).
fn write_pcap(path: &std::path::Path, packets: &[Packet]) -> io::Result<()> {
    use pcap_file::pcap::{PcapHeader, PcapPacket, PcapWriter};
    let file = io::BufWriter::new(std::fs::File::create(path)?);
    let header = PcapHeader {
        datalink: pcap_file::DataLink::RAW,
        ..PcapHeader::default()
    };
    let mut w = PcapWriter::with_header(file, header).map_err(io::Error::other)?;
    for p in packets {
        let at = std::time::Duration::from_millis(p.at.total_millis());
        let len = u32::try_from(p.bytes.len()).map_err(io::Error::other)?;
        w.write_packet(&PcapPacket::new(at, len, &p.bytes))
            .map_err(io::Error::other)?;
    }
    w.into_writer().flush()
}

/// Runs one mode, writes its trace and outcome, and returns its packets.
fn run_mode(mode: Mode, args: &Args, out: &mut dyn Write) -> io::Result<Vec<Packet>> {
    let (seed, hosts) = (args.seed, usize::from(args.hosts));
    let scenario = Scenario::seed(mode);
    let joins: Vec<Instant> = (0..hosts).map(join_time).collect();
    let end = joins.last().copied().unwrap_or(Instant::ZERO) + SETTLE;
    writeln!(out, "=== {mode}: {} ===", scenario.describe())?;
    let mut sim = Sim::new(scenario.clone(), seed, &joins).map_err(io::Error::other)?;
    if args.dad_conflict {
        // A first run (the same seed replays the same choices) tells which address host 1 gets;
        // then another node takes it before host 1 comes up.
        let mut probe = Sim::new(scenario.clone(), seed, &joins).map_err(io::Error::other)?;
        probe.run_until(end);
        if let Some(a) = probe
            .hosts
            .first()
            .and_then(|h| h.addresses.keys().next().copied())
        {
            writeln!(
                out,
                "another node already uses {a}: host 1's DAD for it fails"
            )?;
            sim.squatted.push(a);
        }
    }
    let router = &sim.router;
    write!(
        out,
        "router {} ({})",
        router.link_local,
        report::mac(scenario.router_mac)
    )?;
    if let Some((_, server_ll)) = &router.server {
        write!(out, ", DHCPv6 server {server_ll}")?;
    }
    let joined: Vec<String> = joins.iter().map(|t| report::secs(*t)).collect();
    writeln!(
        out,
        "; {hosts} host{} come up at {} s; seed {seed}",
        if hosts == 1 { "" } else { "s" },
        joined.join(", ")
    )?;
    writeln!(out)?;
    sim.run_until(end);
    if args.events {
        for (at, entry) in &sim.timeline {
            match entry {
                link::Entry::Packet(i) => {
                    if let Some(p) = sim.trace.get(*i) {
                        writeln!(out, "{}", packet_text(p))?;
                    }
                }
                link::Entry::Event { host, event } => {
                    if let Some(text) = report::event_text(event) {
                        writeln!(out, "{} # host {host}: {text}", report::timestamp(*at))?;
                    }
                }
            }
        }
    } else {
        for p in &sim.trace {
            writeln!(out, "{}", packet_text(p))?;
        }
    }
    writeln!(out)?;
    report::write(&sim, &scenario, out)?;
    Ok(sim.trace)
}

/// A packet as `tcpdump -n -vv` prints it (the [`text`] formatter), with the
/// virtual time in front: the IPv6 header's facts, the checksum verified again, the message
/// decoded from the bytes that crossed the link.
pub fn packet_text(p: &Packet) -> String {
    format!("{} {}", report::timestamp(p.at), describe(&p.bytes))
}

fn describe(bytes: &[u8]) -> String {
    use etherparse::{NetSlice, SlicedPacket, TransportSlice};
    use sixconf_core::wire::{dhcpv6, ndisc};
    let Ok(sliced) = SlicedPacket::from_ip(bytes) else {
        return format!("undecodable IPv6 packet of {} bytes", bytes.len());
    };
    let Some(NetSlice::Ipv6(ip)) = &sliced.net else {
        return format!("not IPv6 ({} bytes)", bytes.len());
    };
    let h = ip.header();
    let mut facts = text::Ip6 {
        src: h.source_addr(),
        dst: h.destination_addr(),
        hop_limit: h.hop_limit(),
        traffic_class: h.traffic_class(),
        flow_label: h.flow_label().value(),
        udp_ports: None,
        checksum_ok: None,
    };
    match &sliced.transport {
        Some(TransportSlice::Icmpv6(icmp)) => {
            let message = icmp.slice();
            let verified = ndisc::Repr::parse_verified(message, &facts.src, &facts.dst);
            facts.checksum_ok = Some(verified.is_ok());
            match verified {
                Ok(repr) => format!(
                    "{}{}",
                    facts.prefix(message.len()),
                    text::nd::verbose(&repr)
                ),
                Err(e) => format!("{}ICMP6, undecodable: {e}", facts.prefix(message.len())),
            }
        }
        Some(TransportSlice::Udp(udp)) => {
            let header = udp.to_header();
            facts.udp_ports = Some((header.source_port, header.destination_port));
            facts.checksum_ok = header
                .calc_checksum_ipv6_raw(h.source(), h.destination(), udp.payload())
                .ok()
                .map(|sum| sum == header.checksum);
            match dhcpv6::Repr::parse(udp.payload()) {
                Ok(repr) => text::dhcpv6_line(&facts, &repr),
                Err(e) => format!("{}dhcp6 undecodable: {e}", facts.prefix(udp.slice().len())),
            }
        }
        _ => format!(
            "{}unexpected payload",
            facts.prefix(bytes.len().saturating_sub(40))
        ),
    }
}
