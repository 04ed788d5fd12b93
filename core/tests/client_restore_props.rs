//! Property tests of `Client::restore` (RFC 9915 §18.2.12) over random saved bindings: it never
//! panics, holds exactly the unexpired leases its mode asks for (up to its capacity), reports
//! each of them, and starts afresh when nothing is left.

use core::net::Ipv6Addr;

use proptest::prelude::*;
use sixconf_core::dhcpv6::client::{Binding, Client, Config, Event, Lease, Mode, Restored, State};
use sixconf_core::time::{Duration, Instant};

const DUID: &[u8] = &[0, 3, 0, 1, 2, 0, 0, 0, 0, 1];

fn lease() -> impl Strategy<Value = Lease> {
    (
        any::<u128>(),
        1u8..=128,
        0u64..2000,
        0u64..2000,
        0u64..3000,
        any::<bool>(),
    )
        .prop_map(|(a, len, pref, valid, at, infinite)| Lease {
            address: Ipv6Addr::from(a),
            prefix_len: len,
            preferred: Duration::from_secs(pref),
            valid: if infinite {
                Duration::MAX
            } else {
                Duration::from_secs(valid)
            },
            received_at: Instant::from_secs(at),
            iaid: 7,
        })
}

fn mode() -> impl Strategy<Value = Mode> {
    prop_oneof![
        Just(Mode::Stateless),
        Just(Mode::PrefixDelegation),
        any::<bool>().prop_map(|prefix_delegation| Mode::Stateful { prefix_delegation }),
    ]
}

proptest! {
    #[test]
    fn restore_holds_exactly_the_live_leases(
        mode in mode(),
        server_id in proptest::collection::vec(any::<u8>(), 0..140),
        addresses in proptest::collection::vec(lease(), 0..6),
        prefixes in proptest::collection::vec(lease(), 0..6),
        now in 0u64..4000,
        renew in 0u64..100,
        rebind in 0u64..100,
    ) {
        let now = Instant::from_secs(now);
        let mut c: Client<4, 4, 4> = Client::new(DUID, Config::default(), 9).unwrap();
        let binding = Binding {
            mode,
            server_id: &server_id,
            addresses: &addresses,
            prefixes: &prefixes,
            renew_in: Duration::from_secs(renew),
            rebind_in: Duration::from_secs(rebind),
        };
        let r = c.restore(now, &binding);
        let live = |ls: &[Lease], wanted: bool| -> Vec<Ipv6Addr> {
            if !wanted || mode == Mode::Stateless || server_id.is_empty() || server_id.len() > 130 {
                return vec![];
            }
            ls.iter()
                .filter(|l| l.valid_until() > now && l.valid > Duration::ZERO)
                .map(|l| l.address)
                .take(4)
                .collect()
        };
        let want_na = matches!(mode, Mode::Stateful { .. });
        let want_pd = matches!(mode, Mode::PrefixDelegation | Mode::Stateful { prefix_delegation: true });
        let na = live(&addresses, want_na);
        let pd = live(&prefixes, want_pd);
        let held_na: Vec<Ipv6Addr> = c.addresses().iter().map(|l| l.address).collect();
        let held_pd: Vec<Ipv6Addr> = c.prefixes().iter().map(|l| l.address).collect();
        prop_assert_eq!(&held_na, &na);
        prop_assert_eq!(&held_pd, &pd);
        let mut reported = vec![];
        while let Some(e) = c.poll_event() {
            match e {
                Event::AddressBound(l) | Event::PrefixBound(l) => reported.push(l.address),
                other => prop_assert!(false, "unexpected event {:?}", other),
            }
        }
        prop_assert_eq!(reported, na.iter().chain(pd.iter()).copied().collect::<Vec<_>>());
        match r {
            Restored::Started => {
                prop_assert!(na.is_empty() && pd.is_empty());
                let expect = if mode == Mode::Stateless { State::InformationRequesting } else { State::Soliciting };
                prop_assert_eq!(c.state(), expect);
            }
            Restored::Rebinding => {
                prop_assert!(!pd.is_empty());
                prop_assert_eq!(c.state(), State::Rebinding);
                prop_assert_eq!(c.server_id(), Some(&server_id[..]));
            }
            Restored::Confirming => {
                prop_assert!(pd.is_empty() && !na.is_empty());
                prop_assert_eq!(c.state(), State::Confirming);
            }
        }
        // The engine keeps working from there: no panic over a minute of timeouts.
        let mut buf = [0u8; 1500];
        let mut t = now;
        for _ in 0..50 {
            while c.poll_transmit(t, &mut buf).is_some() {}
            match c.poll_timeout() {
                Some(next) if next <= now + Duration::from_secs(60) => {
                    t = t.max(next);
                    c.handle_timeout(t);
                }
                _ => break,
            }
        }
    }
}
