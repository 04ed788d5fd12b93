//! The sans-IO DHCPv6 client driven over a real UDP socket: a minimal run loop for interop
//! checks against real servers (dnsmasq, Kea) before the std adapter's own loop exists.
//!
//! ```text
//! cargo run -p sixconf-core --example dhcpv6_client_udp -- IFNAME MODE SECONDS
//! MODE: stateful | stateful-pd | pd | stateless
//! ```
//!
//! Run it as root inside a network namespace joined by a veth pair to one holding the server,
//! e.g. (give every namespace its own resolv.conf first):
//!
//! ```text
//! ip netns add cl; ip netns add sv
//! mkdir -p /etc/netns/cl /etc/netns/sv
//! echo nameserver 127.0.0.1 > /etc/netns/cl/resolv.conf; cp /etc/netns/cl/resolv.conf /etc/netns/sv/
//! ip link add vcl type veth peer name vsv; ip link set vcl netns cl; ip link set vsv netns sv
//! ip -n cl link set vcl up; ip -n sv link set vsv up
//! ip -n sv addr add 2001:db8:1::1/64 dev vsv nodad
//! ip netns exec sv dnsmasq -k --port=0 --interface=vsv --bind-interfaces \
//!     --dhcp-range=2001:db8:1::100,2001:db8:1::1ff,64,2m \
//!     --dhcp-option=option6:dns-server,[2001:db8:1::53] &
//! ip netns exec cl target/debug/examples/dhcpv6_client_udp vcl stateful 75
//! ```
//!
//! It prints every transmission, reception and event, then the final state and counters.

use std::net::{Ipv6Addr, SocketAddrV6, UdpSocket};
use std::time::{Duration, Instant as StdInstant};

use sixconf_core::dhcpv6::client::{Client, Config, Mode};
use sixconf_core::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 4 {
        eprintln!(
            "usage: {} IFNAME stateful|stateful-pd|pd|stateless SECONDS",
            args[0]
        );
        std::process::exit(2);
    }
    let ifname = &args[1];
    let mode = match args[2].as_str() {
        "stateful" => Mode::Stateful {
            prefix_delegation: false,
        },
        "stateful-pd" => Mode::Stateful {
            prefix_delegation: true,
        },
        "pd" => Mode::PrefixDelegation,
        "stateless" => Mode::Stateless,
        other => return Err(format!("unknown mode {other}").into()),
    };
    let seconds: u64 = args[3].parse()?;
    let ifindex: u32 = std::fs::read_to_string(format!("/sys/class/net/{ifname}/ifindex"))?
        .trim()
        .parse()?;
    let socket = UdpSocket::bind(SocketAddrV6::new(Ipv6Addr::UNSPECIFIED, 546, 0, 0))?;

    let start = StdInstant::now();
    let now = || Instant::from_millis(start.elapsed().as_millis() as u64);
    // A DUID-LL from the interface's MAC; the seed from the clock.
    let mac = std::fs::read_to_string(format!("/sys/class/net/{ifname}/address"))?;
    let mut duid = vec![0u8, 3, 0, 1];
    for byte in mac.trim().split(':') {
        duid.push(u8::from_str_radix(byte, 16)?);
    }
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_nanos() as u64;
    let config = Config {
        prefix_length_hint: Some(56),
        ..Config::default()
    };
    let mut client: Client<4, 4, 4> = Client::new(&duid, config, seed)?;
    client.start(now(), mode);

    let mut tx = [0u8; 1500];
    let mut rx = vec![0u8; 65535];
    while start.elapsed() < Duration::from_secs(seconds) {
        while let Some(t) = client.poll_transmit(now(), &mut tx) {
            socket.send_to(
                &tx[..t.len],
                SocketAddrV6::new(t.destination, t.port, 0, ifindex),
            )?;
            println!("{:>9} -> {:?} ({} bytes)", now(), t.message, t.len);
        }
        while let Some(event) = client.poll_event() {
            println!("{:>9} event {event:?}", now());
        }
        let wait_ms = client
            .poll_timeout()
            .map_or(1000, |t| t.saturating_duration_since(now()).total_millis())
            .clamp(1, 1000);
        socket.set_read_timeout(Some(Duration::from_millis(wait_ms)))?;
        if let Ok((n, from)) = socket.recv_from(&mut rx) {
            println!("{:>9} <- {n} bytes from {from}", now());
            client.handle_reply(now(), &rx[..n]);
        }
        client.handle_timeout(now());
    }
    println!("state {:?}", client.state());
    println!("addresses {:?}", client.addresses());
    println!("prefixes {:?}", client.prefixes());
    println!(
        "dns {:?} ntp {:?}",
        client.dns_servers(),
        client.ntp_servers()
    );
    println!("stats {:?}", client.stats());
    Ok(())
}
