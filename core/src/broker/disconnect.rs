//! DISCONNECT from the client (§3.14): a 5.0 client may change its Session
//! Expiry Interval on the way out (not from 0 to more: MQTT-3.14.2-2, DISCONNECT
//! 0x82) and ask for its will to be published anyway (0x04).

use crate::codec::properties::Property;
use crate::codec::reason_codes::DisconnectReasonCode;
use crate::codec::v5;
use crate::time::Instant;

use super::{Broker, CloseReason, ConnId};

impl Broker {
    pub(super) fn on_disconnect(
        &mut self,
        now: Instant,
        conn: ConnId,
        client_id: &str,
        d: v5::Disconnect,
    ) {
        let expiry = d.properties.iter().flatten().find_map(|p| match p {
            Property::SessionExpiryInterval(s) => Some(s.0),
            _ => None,
        });
        if let Some(expiry) = expiry {
            let Some(c) = self.conns.get_mut(&conn) else {
                return;
            };
            if c.session_expiry == 0 && expiry != 0 {
                return self.protocol_error(
                    now,
                    conn,
                    "DISCONNECT sets a Session Expiry Interval after CONNECT's 0".into(),
                    "MQTT-3.14.2-2",
                    false,
                );
            }
            c.session_expiry = expiry;
        }
        self.log(now, || format!("Received DISCONNECT from {client_id}"));
        self.log(now, || format!("Client {client_id} disconnected."));
        let reason = if d.reason == Some(DisconnectReasonCode::DisconnectWithWillMessage) {
            CloseReason::DisconnectWithWill
        } else {
            CloseReason::Disconnect
        };
        self.end_connection(now, conn, reason);
    }
}
