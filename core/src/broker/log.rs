//! The broker's log, worded as `mosquitto -v` 2.0 words it, so that a lab can put
//! the two side by side. Only the wording lives here; when a line is written is up
//! to the broker.

use core::fmt;

use crate::codec::{Connect, Publish};
use crate::time::Instant;

use super::PeerAddr;

/// One log line. `text` has no timestamp: mosquitto prints unix seconds and a colon
/// before it, the lab prints virtual time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    /// When it was written.
    pub time: Instant,
    /// The line, e.g. `Sending CONNACK to sensor1 (0, 0)`.
    pub text: String,
}

impl fmt::Display for LogLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.time, self.text)
    }
}

/// `(d0, q1, r0, m1, 'topico', ... (8 bytes))`
pub(crate) fn publish_details(p: &Publish) -> String {
    format!(
        "(d{}, q{}, r{}, m{}, '{}', ... ({} bytes))",
        u8::from(p.dup),
        p.qos().as_u8(),
        u8::from(p.retain),
        p.qospid.pid().map_or(0, |m| m.get()),
        p.topic,
        p.payload.len()
    )
}

/// `New connection from 172.17.0.2:40156 on port 1883.`
pub(crate) fn new_connection(peer: &PeerAddr, port: u16) -> String {
    format!(
        "New connection from {}:{} on port {}.",
        peer.ip, peer.port, port
    )
}

/// `New client connected from 172.17.0.2:40156 as id (p2, c1, k60[, u'user']).`
pub(crate) fn client_connected(peer: &PeerAddr, client_id: &str, c: &Connect) -> String {
    // mosquitto numbers protocols by its own enum: 1 for 3.1, 2 for 3.1.1.
    let p = if c.protocol.level() == 3 { 1 } else { 2 };
    let user = match &c.login {
        Some(l) => format!(", u'{}'", l.username),
        None => String::new(),
    };
    format!(
        "New client connected from {}:{} as {} (p{}, c{}, k{}{}).",
        peer.ip,
        peer.port,
        client_id,
        p,
        u8::from(c.clean_session),
        c.keep_alive,
        user
    )
}

/// The will lines after "New client connected".
pub(crate) fn will_lines(c: &Connect) -> Vec<String> {
    match &c.will {
        None => vec!["No will message specified.".to_owned()],
        Some(w) => vec![
            format!(
                "Will message specified ({} bytes) (r{}, q{}).",
                w.message.len(),
                u8::from(w.retain),
                w.qos.as_u8()
            ),
            format!("\t{}", w.topic),
        ],
    }
}
