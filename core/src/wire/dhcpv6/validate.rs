//! The per-message rules of RFC 9915 §16: which identifiers a message must carry (exactly
//! once), must not carry, or must match, for a server ([`check_server_receipt`]) and for a
//! client ([`check_client_receipt`]). A failed check is a silent discard; the engines count
//! drops by [`DropReason`].

use core::fmt;

use super::option::{DhcpOption, OptionCode};
use super::{Duid, MessageRepr, MessageType};

/// Why a received message is discarded (RFC 9915 §16).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum DropReason {
    /// A message type this side never receives (e.g. Advertise at a server, Solicit at a
    /// client), or an unknown one (§16).
    UnexpectedMessageType,
    /// No Client Identifier where one is required.
    MissingClientId,
    /// More than one Client Identifier.
    DuplicateClientId,
    /// The Client Identifier is not this client's DUID (§16.3, §16.10, §16.11).
    ClientIdMismatch,
    /// No Server Identifier where one is required.
    MissingServerId,
    /// More than one Server Identifier.
    DuplicateServerId,
    /// A Server Identifier in a message that must not carry one (Solicit, Confirm, Rebind).
    UnexpectedServerId,
    /// The Server Identifier names another server (§16.4, §16.6, §16.8, §16.9, §16.12).
    ServerIdMismatch,
    /// An IA option in an Information-request (§16.12).
    IaInInformationRequest,
    /// The transaction id is not the one the client is waiting for (§16.3, §16.10).
    TransactionIdMismatch,
    /// A Reconfigure that arrived by multicast (§16.11).
    ReconfigureNotUnicast,
    /// A Reconfigure without exactly one Reconfigure Message option (§16.11).
    MissingReconfigureMessage,
    /// A Reconfigure without an Authentication option using the reconfigure key protocol
    /// (§16.11, §20.4). The HMAC itself is checked by the client, which holds the key.
    MissingAuthentication,
}

impl DropReason {
    /// Every reason, in declaration order ([`DropReason::index`] indexes this).
    pub const ALL: [DropReason; 13] = [
        DropReason::UnexpectedMessageType,
        DropReason::MissingClientId,
        DropReason::DuplicateClientId,
        DropReason::ClientIdMismatch,
        DropReason::MissingServerId,
        DropReason::DuplicateServerId,
        DropReason::UnexpectedServerId,
        DropReason::ServerIdMismatch,
        DropReason::IaInInformationRequest,
        DropReason::TransactionIdMismatch,
        DropReason::ReconfigureNotUnicast,
        DropReason::MissingReconfigureMessage,
        DropReason::MissingAuthentication,
    ];

    /// Number of reasons, for counter arrays.
    pub const COUNT: usize = Self::ALL.len();

    /// Position in [`DropReason::ALL`], for counter arrays.
    pub fn index(self) -> usize {
        self as usize
    }

    /// A short snake_case name for counters and logs.
    pub fn name(self) -> &'static str {
        match self {
            DropReason::UnexpectedMessageType => "unexpected_message_type",
            DropReason::MissingClientId => "missing_client_id",
            DropReason::DuplicateClientId => "duplicate_client_id",
            DropReason::ClientIdMismatch => "client_id_mismatch",
            DropReason::MissingServerId => "missing_server_id",
            DropReason::DuplicateServerId => "duplicate_server_id",
            DropReason::UnexpectedServerId => "unexpected_server_id",
            DropReason::ServerIdMismatch => "server_id_mismatch",
            DropReason::IaInInformationRequest => "ia_in_information_request",
            DropReason::TransactionIdMismatch => "transaction_id_mismatch",
            DropReason::ReconfigureNotUnicast => "reconfigure_not_unicast",
            DropReason::MissingReconfigureMessage => "missing_reconfigure_message",
            DropReason::MissingAuthentication => "missing_authentication",
        }
    }
}

impl fmt::Display for DropReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Counts of the identifiers in a message, and the first of each.
struct Ids<'a> {
    client: usize,
    first_client: Option<Duid<'a>>,
    server: usize,
    first_server: Option<Duid<'a>>,
    ia: usize,
    reconfigure_message: usize,
    reconfigure_auth: bool,
}

fn ids<'a>(msg: &MessageRepr<'a>) -> Ids<'a> {
    let mut ids = Ids {
        client: 0,
        first_client: None,
        server: 0,
        first_server: None,
        ia: 0,
        reconfigure_message: 0,
        reconfigure_auth: false,
    };
    for option in msg.options.iter() {
        match option {
            DhcpOption::ClientId(d) => {
                ids.client += 1;
                ids.first_client.get_or_insert(d);
            }
            DhcpOption::ServerId(d) => {
                ids.server += 1;
                ids.first_server.get_or_insert(d);
            }
            DhcpOption::IaNa(_) | DhcpOption::IaTa(_) | DhcpOption::IaPd(_) => ids.ia += 1,
            DhcpOption::ReconfigureMessage(_) => ids.reconfigure_message += 1,
            DhcpOption::Authentication(a) => {
                ids.reconfigure_auth |=
                    a.protocol() == super::option::auth::PROTOCOL_RECONFIGURE_KEY
            }
            _ => {}
        }
    }
    ids
}

fn exactly_one_client(ids: &Ids<'_>) -> Result<(), DropReason> {
    match ids.client {
        0 => Err(DropReason::MissingClientId),
        1 => Ok(()),
        _ => Err(DropReason::DuplicateClientId),
    }
}

fn our_server(ids: &Ids<'_>, ours: &Duid<'_>) -> Result<(), DropReason> {
    match (ids.server, ids.first_server) {
        (0, _) | (_, None) => Err(DropReason::MissingServerId),
        (1, Some(d)) if d.as_bytes() == ours.as_bytes() => Ok(()),
        (1, Some(_)) => Err(DropReason::ServerIdMismatch),
        _ => Err(DropReason::DuplicateServerId),
    }
}

/// Whether a server accepts `msg` (RFC 9915 §16.2–16.12; relay layers already removed).
/// `server_duid` is this server's DUID.
///
/// - Solicit, Confirm, Rebind: exactly one Client ID, no Server ID.
/// - Request, Renew, Decline, Release: exactly one Client ID, exactly one Server ID, ours.
/// - Information-request: at most one Client ID; a Server ID, if present, is ours; no IA option.
/// - Anything else (Advertise, Reply, Reconfigure, relay types, unknown): not for a server.
pub fn check_server_receipt(
    msg: &MessageRepr<'_>,
    server_duid: &Duid<'_>,
) -> Result<(), DropReason> {
    let ids = ids(msg);
    match msg.msg_type {
        MessageType::Solicit | MessageType::Confirm | MessageType::Rebind => {
            exactly_one_client(&ids)?;
            if ids.server > 0 {
                return Err(DropReason::UnexpectedServerId);
            }
            Ok(())
        }
        MessageType::Request | MessageType::Renew | MessageType::Decline | MessageType::Release => {
            exactly_one_client(&ids)?;
            our_server(&ids, server_duid)
        }
        MessageType::InformationRequest => {
            if ids.client > 1 {
                return Err(DropReason::DuplicateClientId);
            }
            if ids.server > 0 {
                our_server(&ids, server_duid)?;
            }
            if ids.ia > 0 {
                return Err(DropReason::IaInInformationRequest);
            }
            Ok(())
        }
        _ => Err(DropReason::UnexpectedMessageType),
    }
}

/// Whether a client accepts `msg` (RFC 9915 §16.3, §16.10, §16.11).
///
/// - `transaction_id`: the id of the exchange the client has open (Advertise, Reply).
/// - `client_duid`: the client's own DUID; Advertise and Reply must echo it exactly once (a
///   Reply to an Information-request sent without a Client ID may omit it: pass
///   `sent_client_id = false`).
/// - `unicast`: whether the datagram was sent to a unicast address (Reconfigure must be).
///
/// Advertise and Reply need exactly one Server ID. Reconfigure needs a Server ID, the client's
/// Client ID, exactly one Reconfigure Message and an Authentication option of the reconfigure key
/// protocol (whose HMAC the client checks itself); its transaction id is not checked (it is 0).
pub fn check_client_receipt(
    msg: &MessageRepr<'_>,
    transaction_id: u32,
    client_duid: &Duid<'_>,
    sent_client_id: bool,
    unicast: bool,
) -> Result<(), DropReason> {
    let ids = ids(msg);
    let client_matches = |ids: &Ids<'_>| -> Result<(), DropReason> {
        match (ids.client, ids.first_client) {
            (0, _) | (_, None) => Err(DropReason::MissingClientId),
            (1, Some(d)) if d.as_bytes() == client_duid.as_bytes() => Ok(()),
            (1, Some(_)) => Err(DropReason::ClientIdMismatch),
            _ => Err(DropReason::DuplicateClientId),
        }
    };
    let one_server = |ids: &Ids<'_>| -> Result<(), DropReason> {
        match ids.server {
            0 => Err(DropReason::MissingServerId),
            1 => Ok(()),
            _ => Err(DropReason::DuplicateServerId),
        }
    };
    match msg.msg_type {
        MessageType::Advertise | MessageType::Reply => {
            if msg.transaction_id != transaction_id & 0x00ff_ffff {
                return Err(DropReason::TransactionIdMismatch);
            }
            one_server(&ids)?;
            if sent_client_id || ids.client > 0 {
                client_matches(&ids)?;
            }
            Ok(())
        }
        MessageType::Reconfigure => {
            if !unicast {
                return Err(DropReason::ReconfigureNotUnicast);
            }
            one_server(&ids)?;
            client_matches(&ids)?;
            if ids.reconfigure_message != 1 {
                return Err(DropReason::MissingReconfigureMessage);
            }
            if !ids.reconfigure_auth {
                return Err(DropReason::MissingAuthentication);
            }
            Ok(())
        }
        _ => Err(DropReason::UnexpectedMessageType),
    }
}

/// `true` if `msg` carries an option with `code`.
pub fn has_option(msg: &MessageRepr<'_>, code: OptionCode) -> bool {
    msg.options.count(code) > 0
}
