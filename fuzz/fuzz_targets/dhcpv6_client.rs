//! The DHCPv6 client engine fed arbitrary datagrams in every mode: whatever arrives (with our
//! transaction ID patched in, so that it gets past the first check), interleaved with time
//! passing, the client never panics, never writes past the caller's buffer, and keeps its
//! bounded state bounded. Its `Debug` is formatted after every state transition and at the end
//! of the input, every event's as it comes.
//!
//! Speed: formatting the whole client into a fresh `String` after every step was half of the
//! time per input (perf), and two thirds once written into a counting sink. Every client state
//! an input passes through is the final state of a shorter input, which libFuzzer tries too, so
//! formatting at the end of each input (and at each transition) checks the same states over a
//! campaign. The message copy reuses one buffer.
#![no_main]

use core::fmt::Write as _;

use libfuzzer_sys::fuzz_target;
use sixconf_core::dhcpv6::client::{Client, Config, Delivery, Mode};
use sixconf_core::time::{Duration, Instant};

const DUID: &[u8] = &[0, 3, 0, 1, 2, 0, 0, 0, 0, 1];

/// Formats into nothing, counting bytes.
struct Sink(usize);

impl core::fmt::Write for Sink {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        self.0 += s.len();
        Ok(())
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let mode = match selector % 4 {
        0 => Mode::Stateful {
            prefix_delegation: false,
        },
        1 => Mode::Stateful {
            prefix_delegation: true,
        },
        2 => Mode::PrefixDelegation,
        _ => Mode::Stateless,
    };
    let config = Config {
        rapid_commit: selector & 0x10 != 0,
        reconfigure_accept: selector & 0x20 != 0,
        prefix_length_hint: Some(56),
        ..Config::default()
    };
    let Ok(mut client) = Client::<2, 2, 2>::new(DUID, config, u64::from(selector)) else {
        return;
    };
    let mut now = Instant::ZERO;
    client.start(now, mode);
    let mut xid = [0u8; 3];
    let mut buf = [0u8; 600];
    let mut msg = Vec::new();
    let mut sink = Sink(0);
    let mut seen = None;
    // Messages are separated by a 2-byte length; a length's top bit means "advance time".
    let mut input = rest;
    while input.len() >= 2 {
        let word = u16::from_be_bytes([input[0], input[1]]);
        input = &input[2..];
        if word & 0x8000 != 0 {
            now += Duration::from_secs(u64::from(word & 0x7fff));
            client.handle_timeout(now);
        } else {
            let n = usize::from(word).min(input.len());
            msg.clear();
            msg.extend_from_slice(&input[..n]);
            input = &input[n..];
            if msg.len() >= 4 && msg[1] & 1 == 0 {
                msg[1..4].copy_from_slice(&xid);
            }
            let delivery = if word & 0x4000 != 0 {
                Delivery::Multicast
            } else {
                Delivery::Unicast
            };
            client.handle_message(now, &msg, delivery);
        }
        if let Some(t) = client.poll_timeout() {
            if t <= now {
                client.handle_timeout(now);
            }
        }
        while let Some(t) = client.poll_transmit(now, &mut buf) {
            assert!(t.len <= buf.len());
            xid.copy_from_slice(&buf[1..4]);
        }
        while let Some(ev) = client.poll_event() {
            let _ = write!(sink, "{ev:?}");
        }
        let now_seen = Some((
            client.state(),
            client.addresses().len(),
            client.prefixes().len(),
        ));
        if now_seen != seen {
            let _ = write!(sink, "{client:?}");
            seen = now_seen;
        }
        assert!(client.addresses().len() <= 2 && client.prefixes().len() <= 2);
    }
    let _ = write!(sink, "{client:?} {:?}", client.stats());
});
