//! The broker's log, worded as `mosquitto -v` 2.0 words it, so that a lab can put
//! the two side by side. Only the wording lives here; when a line is written is up
//! to the broker.

use core::fmt;

use crate::codec::{v5, Protocol};
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

/// Appends `n` in decimal (`itoa`: no `core::fmt` machinery per number).
fn push_num(s: &mut String, n: u64) {
    s.push_str(itoa::Buffer::new().format(n));
}

/// `(d0, q1, r0, m1, 'topico', ... (8 bytes))`, appended.
fn push_publish_details(s: &mut String, p: &v5::Publish, topic: &str) {
    // Written piece by piece: a line per PUBLISH in and out, so `format!`'s
    // machinery was a large part of what a trace cost.
    s.push_str("(d");
    push_num(s, u64::from(p.dup));
    s.push_str(", q");
    push_num(s, u64::from(p.qospid.qos().as_u8()));
    s.push_str(", r");
    push_num(s, u64::from(p.retain));
    s.push_str(", m");
    push_num(s, u64::from(p.qospid.pid().map_or(0, |m| m.get())));
    s.push_str(", '");
    s.push_str(topic);
    s.push_str("', ... (");
    push_num(s, p.payload.len() as u64);
    s.push_str(" bytes))");
}

/// `{head} {name} (d0, q1, r0, m1, 'topico', ... (8 bytes))`, with the topic
/// the PUBLISH is for (it may carry an alias instead): `Sending PUBLISH to id
/// (...)`, `Received PUBLISH from id (...)`.
pub(crate) fn publish_line(head: &str, name: &str, p: &v5::Publish, topic: &str) -> String {
    let mut s = String::with_capacity(head.len() + name.len() + topic.len() + 48);
    s.push_str(head);
    s.push(' ');
    s.push_str(name);
    s.push(' ');
    push_publish_details(&mut s, p, topic);
    s
}

/// `Sending PUBLISH to id (d0, q1, r0, m1, 'topico', ... (8 bytes))`.
pub(crate) fn sending_publish(name: &str, p: &v5::Publish, topic: &str) -> String {
    publish_line("Sending PUBLISH to", name, p, topic)
}

/// `New connection from 172.17.0.2:40156 on port 1883.`
pub(crate) fn new_connection(peer: &PeerAddr, port: u16) -> String {
    format!(
        "New connection from {}:{} on port {}.",
        peer.ip, peer.port, port
    )
}

/// `New client connected from 172.17.0.2:40156 as id (p2, c1, k60[, u'user']).`
pub(crate) fn client_connected(
    peer: &PeerAddr,
    client_id: &str,
    protocol: Protocol,
    c: &v5::Connect,
    keep_alive: u16,
) -> String {
    // mosquitto numbers protocols by its own enum: 1 for 3.1, 2 for 3.1.1, 5 for
    // 5.0.
    let p = match protocol {
        Protocol::V31 => 1,
        Protocol::V311 => 2,
        Protocol::V5 => 5,
    };
    let user = match &c.username {
        Some(u) => format!(", u'{u}'"),
        None => String::new(),
    };
    format!(
        "New client connected from {}:{} as {} (p{}, c{}, k{}{}).",
        peer.ip,
        peer.port,
        client_id,
        p,
        u8::from(c.clean_start),
        keep_alive,
        user
    )
}

/// The will lines after "New client connected".
pub(crate) fn will_lines(will: Option<&v5::Will>) -> Vec<String> {
    match will {
        None => vec!["No will message specified.".to_owned()],
        Some(w) => vec![
            format!(
                "Will message specified ({} bytes) (r{}, q{}).",
                w.payload.len(),
                u8::from(w.retain),
                w.qos.as_u8()
            ),
            format!("\t{}", w.topic),
        ],
    }
}

/// The line for a packet the broker sends, as mosquitto words it; `None` for
/// DISCONNECT, which mosquitto 2.0.11 sends without a line. CONNACK shows the
/// code the client gets: 3.1.1's return code, or 5.0's reason code.
pub(crate) fn sending(name: &str, packet: &v5::Packet, v5: bool) -> Option<String> {
    use crate::codec::convert::connack_code_v3;
    fn rc<R: v5::Reason>(a: &v5::Ack<R>) -> u8 {
        a.reason.map_or(0, |r| r.to_u8())
    }
    Some(match packet {
        v5::Packet::Connack(c) => {
            let code = if v5 {
                c.reason.as_u8()
            } else {
                connack_code_v3(c.reason).as_u8()
            };
            format!(
                "Sending CONNACK to {name} ({}, {code})",
                u8::from(c.session_present)
            )
        }
        v5::Packet::Publish(p) => match &p.topic {
            Some(t) => sending_publish(name, p, t.as_str()),
            None => sending_publish(name, p, ""),
        },
        v5::Packet::Puback(a) => {
            let mut s = String::with_capacity(name.len() + 32);
            s.push_str("Sending PUBACK to ");
            s.push_str(name);
            s.push_str(" (m");
            push_num(&mut s, u64::from(a.pid.get()));
            s.push_str(", rc");
            push_num(&mut s, u64::from(rc(a)));
            s.push(')');
            s
        }
        v5::Packet::Pubrec(a) => format!("Sending PUBREC to {name} (m{}, rc{})", a.pid, rc(a)),
        v5::Packet::Pubrel(a) => format!("Sending PUBREL to {name} (m{})", a.pid),
        v5::Packet::Pubcomp(a) => format!("Sending PUBCOMP to {name} (m{})", a.pid),
        v5::Packet::Disconnect(_) => return None,
        other => format!("Sending {} to {name}", other.packet_type()),
    })
}
