//! RFC 9915 §16: which identifiers each message must carry, for a server and for a client.

use std::vec::Vec;

use super::{msg, opt};
use crate::wire::dhcpv6::*;

const CLIENT: [u8; 10] = [0, 3, 0, 1, 0xfa, 0x16, 0x3e, 0x22, 0x38, 0x6b];
const SERVER: [u8; 10] = [0, 3, 0, 1, 0xfa, 0x16, 0x3e, 0x06, 0x17, 0x6f];
const OTHER: [u8; 10] = [0, 3, 0, 1, 0xfa, 0x16, 0x3e, 0x06, 0x17, 0x70];

fn server_check(t: u8, options: &[Vec<u8>]) -> core::result::Result<(), DropReason> {
    let bytes = msg(t, 1, options);
    let repr = Repr::parse(&bytes).unwrap();
    check_server_receipt(&repr.message(), &Duid::new(&SERVER).unwrap())
}

fn client_check(
    t: u8,
    xid: u32,
    options: &[Vec<u8>],
    unicast: bool,
) -> core::result::Result<(), DropReason> {
    let bytes = msg(t, 0x123456, options);
    let repr = Repr::parse(&bytes).unwrap();
    check_client_receipt(
        &repr.message(),
        xid,
        &Duid::new(&CLIENT).unwrap(),
        true,
        unicast,
    )
}

#[test]
fn server_side_rules() {
    let c = || opt(1, &CLIENT);
    let s = || opt(2, &SERVER);
    let o = || opt(2, &OTHER);
    let ia = || opt(3, &[0; 12]);
    // Solicit (1), Confirm (4), Rebind (6): exactly one Client ID, no Server ID.
    for t in [1u8, 4, 6] {
        assert_eq!(server_check(t, &[c(), ia()]), Ok(()));
        assert_eq!(server_check(t, &[ia()]), Err(DropReason::MissingClientId));
        assert_eq!(
            server_check(t, &[c(), c()]),
            Err(DropReason::DuplicateClientId)
        );
        assert_eq!(
            server_check(t, &[c(), s()]),
            Err(DropReason::UnexpectedServerId)
        );
    }
    // Request (3), Renew (5), Release (8), Decline (9): one Client ID and our Server ID.
    for t in [3u8, 5, 8, 9] {
        assert_eq!(server_check(t, &[c(), s(), ia()]), Ok(()));
        assert_eq!(server_check(t, &[s()]), Err(DropReason::MissingClientId));
        assert_eq!(server_check(t, &[c()]), Err(DropReason::MissingServerId));
        assert_eq!(
            server_check(t, &[c(), o()]),
            Err(DropReason::ServerIdMismatch)
        );
        assert_eq!(
            server_check(t, &[c(), s(), s()]),
            Err(DropReason::DuplicateServerId)
        );
        assert_eq!(
            server_check(t, &[c(), c(), s()]),
            Err(DropReason::DuplicateClientId)
        );
    }
    // Information-request (11): no IA; a Server ID only if ours; Client ID optional.
    assert_eq!(server_check(11, &[]), Ok(()));
    assert_eq!(server_check(11, &[c(), s()]), Ok(()));
    assert_eq!(
        server_check(11, &[c(), o()]),
        Err(DropReason::ServerIdMismatch)
    );
    assert_eq!(
        server_check(11, &[c(), ia()]),
        Err(DropReason::IaInInformationRequest)
    );
    assert_eq!(
        server_check(11, &[opt(25, &[0; 12])]),
        Err(DropReason::IaInInformationRequest)
    );
    assert_eq!(
        server_check(11, &[opt(4, &[0; 4])]),
        Err(DropReason::IaInInformationRequest)
    );
    // Messages a server never takes.
    for t in [2u8, 7, 10] {
        assert_eq!(
            server_check(t, &[c(), s()]),
            Err(DropReason::UnexpectedMessageType)
        );
    }
}

#[test]
fn client_side_rules() {
    let c = || opt(1, &CLIENT);
    let s = || opt(2, &SERVER);
    for t in [2u8, 7] {
        assert_eq!(client_check(t, 0x123456, &[c(), s()], false), Ok(()));
        assert_eq!(
            client_check(t, 0x123457, &[c(), s()], false),
            Err(DropReason::TransactionIdMismatch)
        );
        assert_eq!(
            client_check(t, 0x123456, &[c()], false),
            Err(DropReason::MissingServerId)
        );
        assert_eq!(
            client_check(t, 0x123456, &[c(), s(), s()], false),
            Err(DropReason::DuplicateServerId)
        );
        assert_eq!(
            client_check(t, 0x123456, &[s()], false),
            Err(DropReason::MissingClientId)
        );
        assert_eq!(
            client_check(t, 0x123456, &[opt(1, &OTHER), s()], false),
            Err(DropReason::ClientIdMismatch)
        );
    }
    // A Reply to an Information-request sent without a Client ID may omit it.
    let bytes = msg(7, 5, &[s()]);
    let repr = Repr::parse(&bytes).unwrap();
    assert_eq!(
        check_client_receipt(
            &repr.message(),
            5,
            &Duid::new(&CLIENT).unwrap(),
            false,
            false
        ),
        Ok(())
    );
    // Reconfigure: unicast, Server ID, our Client ID, one Reconfigure Message, RKAP auth.
    let auth = || {
        opt(
            11,
            &[
                3, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            ],
        )
    };
    let rm = || opt(19, &[5]);
    assert_eq!(client_check(10, 0, &[s(), c(), rm(), auth()], true), Ok(()));
    assert_eq!(
        client_check(10, 0, &[s(), c(), rm(), auth()], false),
        Err(DropReason::ReconfigureNotUnicast)
    );
    assert_eq!(
        client_check(10, 0, &[s(), c(), auth()], true),
        Err(DropReason::MissingReconfigureMessage)
    );
    assert_eq!(
        client_check(10, 0, &[s(), c(), rm()], true),
        Err(DropReason::MissingAuthentication)
    );
    // Messages a client never takes.
    for t in [1u8, 3, 11] {
        assert_eq!(
            client_check(t, 0x123456, &[c(), s()], false),
            Err(DropReason::UnexpectedMessageType)
        );
    }
}

#[test]
fn drop_reasons_index_their_table() {
    for (i, r) in DropReason::ALL.iter().enumerate() {
        assert_eq!(r.index(), i);
        assert!(!r.name().is_empty());
    }
    assert_eq!(DropReason::COUNT, 13);
}
