//! Keep alive: a server that hears nothing from a client for one and a half
//! keep alive periods closes the connection (3.1.1 MQTT-3.1.2-24, 5.0
//! MQTT-3.1.2-22). Judged from the wire: a server packet sent later than that
//! after the client's last one shows the connection was still open.

use super::{Checker, PacketRef, Statement};
use crate::capture::Direction;
use crate::codec::Protocol;

/// Slack for the server's timer (a real broker checks in a loop).
const SLACK_NS: u64 = 1_000_000_000;

impl Checker {
    pub(super) fn keepalive_packet(&mut self, at: PacketRef, protocol: Protocol) {
        let Some(c) = self.conns.get_mut(&at.conn) else {
            return;
        };
        match at.direction {
            Direction::ToServer => c.last_from_client = Some(at.time_ns),
            Direction::ToClient => {
                let (Some(last), k) = (c.last_from_client, c.keep_alive) else {
                    return;
                };
                if k == 0 || !c.accepted {
                    return;
                }
                let limit = u64::from(k) * 1_500_000_000 + SLACK_NS;
                let proto = c.protocol.unwrap_or(protocol);
                let silent = at.time_ns.saturating_sub(last);
                // Judged only when the client had gone quiet for longer than a keep alive.
                if silent > u64::from(k) * 1_000_000_000 {
                    self.judge(Statement::KeepAliveClose, silent <= limit, proto, vec![at]);
                }
            }
        }
    }
}
