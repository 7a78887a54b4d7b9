//! The debug lines libmosquitto prints for `mosquitto_pub -d` / `mosquitto_sub -d`,
//! so MQTT Lab's tools and simulated clients read like the real ones.

use crate::codec::{v5, ConnectReturnCode, Packet, Protocol, Publish};

/// libmosquitto's wording of a CONNACK code (`mosquitto_connack_string`), which
/// `mosquitto_pub`/`mosquitto_sub` print as `Connection error: ...`.
pub fn connack_string(code: ConnectReturnCode) -> &'static str {
    match code {
        ConnectReturnCode::Accepted => "Connection Accepted.",
        ConnectReturnCode::UnacceptableProtocolVersion => {
            "Connection Refused: unacceptable protocol version."
        }
        ConnectReturnCode::IdentifierRejected => "Connection Refused: identifier rejected.",
        ConnectReturnCode::ServerUnavailable => "Connection Refused: broker unavailable.",
        ConnectReturnCode::BadUserNameOrPassword => {
            "Connection Refused: bad user name or password."
        }
        ConnectReturnCode::NotAuthorized => "Connection Refused: not authorised.",
    }
}

/// The line `mosquitto_pub`/`mosquitto_sub` print when the broker refuses the
/// connection. Under `-V mqttv5` libmosquitto turns a 3.1.1 broker's CONNACK 1 into
/// MQTT 5's reason code 132 (unsupported protocol version), and the tools say so
/// in their own words (checked against mosquitto_sub 2.0.11).
pub fn refusal_line(protocol: Protocol, code: ConnectReturnCode) -> String {
    match (protocol, code) {
        (Protocol::V5, ConnectReturnCode::UnacceptableProtocolVersion) => {
            "Connection error: Unsupported Protocol Version. Try connecting to an MQTT v5 broker, or use MQTT v3.x mode.".into()
        }
        _ => format!("Connection error: {}", connack_string(code)),
    }
}

/// `mosquitto_reason_string`: libmosquitto's words for an MQTT 5.0 reason
/// code, which the tools print (`Connection error: Not authorized`).
pub fn reason_string(code: u8) -> &'static str {
    match code {
        0x00 => "Success",
        0x01 => "Granted QoS 1",
        0x02 => "Granted QoS 2",
        0x04 => "Disconnect with Will Message",
        0x10 => "No matching subscribers",
        0x11 => "No subscription existed",
        0x18 => "Continue authentication",
        0x19 => "Re-authenticate",
        0x80 => "Unspecified error",
        0x81 => "Malformed Packet",
        0x82 => "Protocol Error",
        0x83 => "Implementation specific error",
        0x84 => "Unsupported Protocol Version",
        0x85 => "Client Identifier not valid",
        0x86 => "Bad User Name or Password",
        0x87 => "Not authorized",
        0x88 => "Server unavailable",
        0x89 => "Server busy",
        0x8a => "Banned",
        0x8b => "Server shutting down",
        0x8c => "Bad authentication method",
        0x8d => "Keep Alive timeout",
        0x8e => "Session taken over",
        0x8f => "Topic Filter invalid",
        0x90 => "Topic Name invalid",
        0x91 => "Packet Identifier in use",
        0x92 => "Packet Identifier not found",
        0x93 => "Receive Maximum exceeded",
        0x94 => "Topic Alias invalid",
        0x95 => "Packet too large",
        0x96 => "Message rate too high",
        0x97 => "Quota exceeded",
        0x98 => "Administrative action",
        0x99 => "Payload format invalid",
        0x9a => "Retain not supported",
        0x9b => "QoS not supported",
        0x9c => "Use another server",
        0x9d => "Server moved",
        0x9e => "Shared Subscriptions not supported",
        0x9f => "Connection rate exceeded",
        0xa0 => "Maximum connect time",
        0xa1 => "Subscription identifiers not supported",
        0xa2 => "Wildcard Subscriptions not supported",
        _ => "Unknown reason",
    }
}

/// What the tools print after `received CONNACK (N)` when a 5.0 broker
/// refuses (reason code 0x80 and above): as [`refusal_lines`], with the
/// reason code's words (checked against mosquitto 2.0.11 and a CONNACK 0x8C).
pub fn refusal_lines_v5(
    sub: bool,
    code: u8,
    client_id: &str,
    debug: bool,
    quiet: bool,
) -> Vec<(Stream, String)> {
    let mut out = Vec::new();
    if !quiet {
        out.push((
            Stream::Stderr,
            format!("Connection error: {}", reason_string(code)),
        ));
    }
    if sub {
        if debug {
            out.push((
                Stream::Stdout,
                format!("Client {} sending DISCONNECT", id(client_id)),
            ));
        }
    } else if !quiet {
        out.push((
            Stream::Stderr,
            "Error: A network protocol error occurred when communicating with the broker."
                .to_owned(),
        ));
    }
    out
}

/// The `-d` lines for a packet sent on a 5.0 connection: as 3.1.1's, but a
/// PUBLISH sent with only its Topic Alias shows `'(null)'`, and SUBSCRIBE
/// shows its options byte.
pub fn sent_lines_v5(
    client_id: &str,
    packet: &Packet,
    sent: &v5::Packet,
    ids: &mut MessageIds,
) -> Vec<String> {
    let c = id(client_id);
    match (packet, sent) {
        (Packet::Publish(p), v5::Packet::Publish(q)) if q.topic.is_none() => {
            let mid = ids.observe(packet).unwrap_or(0);
            let f = publish_fields(p.dup, p.qospid, p.retain, mid, "(null)", p.payload.len());
            vec![format!("Client {c} sending PUBLISH ({f})")]
        }
        (Packet::Subscribe(_), v5::Packet::Subscribe(s)) => {
            ids.observe(packet);
            s.topics
                .iter()
                .map(|t| {
                    format!(
                        "Client {c} sending SUBSCRIBE (Mid: {}, Topic: {}, QoS: {}, Options: 0x{:02x})",
                        s.pid,
                        t.filter,
                        t.options.qos,
                        t.options.as_u8() & 0xfc
                    )
                })
                .collect()
        }
        _ => sent_lines_numbered(client_id, packet, ids),
    }
}

/// The `-d` line for a packet received on a 5.0 connection (`None`: libmosquitto
/// logs nothing, as for the broker's DISCONNECT).
pub fn received_line_v5(client_id: &str, packet: &v5::Packet) -> Option<String> {
    let c = id(client_id);
    let what = match packet {
        v5::Packet::Connack(a) => format!("CONNACK ({})", a.reason.as_u8()),
        v5::Packet::Publish(p) => {
            let topic = p.topic.as_ref().map_or("(null)", |t| t.as_str());
            let f = publish_fields(p.dup, p.qospid, p.retain, 0, topic, p.payload.len());
            format!("PUBLISH ({f})")
        }
        v5::Packet::Puback(a) => format!(
            "PUBACK (Mid: {}, RC:{})",
            a.pid,
            a.reason.map_or(0, |r| r.as_u8())
        ),
        v5::Packet::Pubcomp(a) => format!(
            "PUBCOMP (Mid: {}, RC:{})",
            a.pid,
            a.reason.map_or(0, |r| r.as_u8())
        ),
        v5::Packet::Pubrec(a) => format!("PUBREC (Mid: {})", a.pid),
        v5::Packet::Pubrel(a) => format!("PUBREL (Mid: {})", a.pid),
        v5::Packet::Disconnect(_) => return None,
        other => other.packet_type().name().to_string(),
    };
    Some(format!("Client {c} received {what}"))
}

/// Where a line of `mosquitto_pub`/`mosquitto_sub` goes: `-d` lines and
/// messages to standard output, errors to standard error (the simulator's
/// terminal shows both, in order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

/// Everything `mosquitto_sub` (`sub`) or `mosquitto_pub` prints after the
/// `received CONNACK (N)` line of a refused connection, in order (checked
/// against mosquitto 2.0.11 for CONNACK 1, 4 and 5, with and without `-d`,
/// `--quiet` and `-V mqttv5`):
///
/// - `Connection error: ...` on standard error, unless `--quiet`;
/// - `mosquitto_sub` then calls `mosquitto_disconnect`, so with `-d` it prints
///   `Client ID sending DISCONNECT` (libmosquitto logs it, but the socket is
///   already closed: no DISCONNECT reaches the broker);
/// - `mosquitto_pub` instead reports its loop's error, unless `--quiet`:
///   `Error: The connection was refused.`, or under `-V mqttv5` (where a 3.1.1
///   CONNACK is a protocol error to libmosquitto) `Error: A network protocol
///   error occurred when communicating with the broker.`
pub fn refusal_lines(
    sub: bool,
    protocol: Protocol,
    code: ConnectReturnCode,
    client_id: &str,
    debug: bool,
    quiet: bool,
) -> Vec<(Stream, String)> {
    let mut out = Vec::new();
    if !quiet {
        out.push((Stream::Stderr, refusal_line(protocol, code)));
    }
    if sub {
        if debug {
            out.push((
                Stream::Stdout,
                format!("Client {} sending DISCONNECT", id(client_id)),
            ));
        }
    } else if !quiet {
        out.push((
            Stream::Stderr,
            match protocol {
                Protocol::V5 => {
                    "Error: A network protocol error occurred when communicating with the broker."
                }
                _ => "Error: The connection was refused.",
            }
            .to_owned(),
        ));
    }
    out
}

/// The code `-d` shows in `received CONNACK (N)`: 132 for a CONNACK 1 under
/// `-V mqttv5` (see [`refusal_line`]), else the byte on the wire.
pub fn connack_code_shown(protocol: Protocol, code: ConnectReturnCode) -> u8 {
    match (protocol, code) {
        (Protocol::V5, ConnectReturnCode::UnacceptableProtocolVersion) => 132,
        _ => code.as_u8(),
    }
}

/// What `mosquitto_sub -d` prints for a SUBACK: `Subscribed (mid: 1): 1, 128`.
pub fn subscribed_line(
    pid: crate::codec::Pid,
    granted: &[crate::codec::SubackReturnCode],
) -> String {
    let codes: Vec<String> = granted
        .iter()
        .map(|g| match g {
            crate::codec::SubackReturnCode::Success(q) => q.as_u8().to_string(),
            crate::codec::SubackReturnCode::Failure => "128".to_owned(),
        })
        .collect();
    format!("Subscribed (mid: {pid}): {}", codes.join(", "))
}

/// [`subscribed_line`] with a 5.0 SUBACK's reason codes as they are.
pub fn subscribed_line_codes(pid: crate::codec::Pid, codes: &[u8]) -> String {
    let codes: Vec<String> = codes.iter().map(u8::to_string).collect();
    format!("Subscribed (mid: {pid}): {}", codes.join(", "))
}

/// The client id as libmosquitto prints it (`(null)` when empty).
fn id(client_id: &str) -> &str {
    if client_id.is_empty() {
        "(null)"
    } else {
        client_id
    }
}

fn publish_args(p: &Publish, mid: u16) -> String {
    publish_fields(
        p.dup,
        p.qospid,
        p.retain,
        mid,
        p.topic.as_str(),
        p.payload.len(),
    )
}

/// libmosquitto's `(d0, q1, r0, m1, 'topic', ... (5 bytes))` fields; `mid`
/// stands for a QoS 0 message's number.
fn publish_fields(
    dup: bool,
    qospid: crate::codec::QosPid,
    retain: bool,
    mid: u16,
    topic: &str,
    len: usize,
) -> String {
    format!(
        "d{}, q{}, r{}, m{}, '{topic}', ... ({len} bytes)",
        u8::from(dup),
        qospid.qos().as_u8(),
        u8::from(retain),
        qospid.pid().map_or(mid, |p| p.get()),
    )
}

/// libmosquitto numbers every outgoing message, QoS 0 included (the wire carries
/// no id for QoS 0, but `-d` prints one). This follows that numbering from the
/// packets sent: a QoS 0 PUBLISH takes the number after the last id seen.
/// (It matches libmosquitto for one QoS per session, which is what
/// `mosquitto_pub -q N` produces.)
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MessageIds {
    last: u16,
}

impl MessageIds {
    /// The number `-d` shows for this outgoing packet, if it shows one.
    pub fn observe(&mut self, packet: &Packet) -> Option<u16> {
        let id = match packet {
            Packet::Publish(p) => match p.qospid.pid() {
                Some(pid) => pid.get(),
                None => self.last.checked_add(1).unwrap_or(1),
            },
            Packet::Subscribe(s) => s.pid.get(),
            Packet::Unsubscribe(u) => u.pid.get(),
            _ => return None,
        };
        self.last = id;
        Some(id)
    }
}

/// [`sent_lines`], with QoS 0 PUBLISHes numbered as libmosquitto numbers them.
pub fn sent_lines_numbered(client_id: &str, packet: &Packet, ids: &mut MessageIds) -> Vec<String> {
    let mid = ids.observe(packet).unwrap_or(0);
    match packet {
        Packet::Publish(p) => vec![format!(
            "Client {} sending PUBLISH ({})",
            id(client_id),
            publish_args(p, mid)
        )],
        other => sent_lines(client_id, other),
    }
}

/// The lines for a packet the client sends (one per filter for SUBSCRIBE and
/// UNSUBSCRIBE; a QoS 0 PUBLISH shows `m0`, see [`sent_lines_numbered`]), e.g. `Client (null) sending PUBLISH (d0, q1, r0, m1, 't', ... (5 bytes))`.
pub fn sent_lines(client_id: &str, packet: &Packet) -> Vec<String> {
    let c = id(client_id);
    let one = |s: String| vec![format!("Client {c} sending {s}")];
    match packet {
        Packet::Publish(p) => one(format!("PUBLISH ({})", publish_args(p, 0))),
        Packet::Puback(m) => one(format!("PUBACK (m{m}, rc0)")),
        Packet::Pubrec(m) => one(format!("PUBREC (m{m}, rc0)")),
        Packet::Pubrel(m) => one(format!("PUBREL (m{m})")),
        Packet::Pubcomp(m) => one(format!("PUBCOMP (m{m})")),
        Packet::Subscribe(s) => s
            .topics
            .iter()
            .map(|t| {
                format!(
                    "Client {c} sending SUBSCRIBE (Mid: {}, Topic: {}, QoS: {}, Options: 0x00)",
                    s.pid, t.filter, t.qos
                )
            })
            .collect(),
        Packet::Unsubscribe(u) => u
            .filters
            .iter()
            .map(|f| {
                format!(
                    "Client {c} sending UNSUBSCRIBE (Mid: {}, Topic: {f})",
                    u.pid
                )
            })
            .collect(),
        other => one(other.packet_type().name().to_string()),
    }
}

/// The line for a packet the client receives, e.g. `Client (null) received PUBACK (Mid: 1, RC:0)`.
pub fn received_line(client_id: &str, packet: &Packet) -> String {
    received_line_as(client_id, Protocol::V311, packet)
}

/// [`received_line`] for a client that connected with `protocol` (under
/// `-V mqttv5` a CONNACK 1 shows as 132).
pub fn received_line_as(client_id: &str, protocol: Protocol, packet: &Packet) -> String {
    let c = id(client_id);
    let what = match packet {
        Packet::Connack(a) => format!("CONNACK ({})", connack_code_shown(protocol, a.code)),
        Packet::Publish(p) => format!("PUBLISH ({})", publish_args(p, 0)),
        Packet::Puback(m) => format!("PUBACK (Mid: {m}, RC:0)"),
        Packet::Pubrec(m) => format!("PUBREC (Mid: {m})"),
        Packet::Pubrel(m) => format!("PUBREL (Mid: {m})"),
        Packet::Pubcomp(m) => format!("PUBCOMP (Mid: {m}, RC:0)"),
        other => other.packet_type().name().to_string(),
    };
    format!("Client {c} received {what}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::{Pid, QoS, QosPid, Subscribe, SubscribeTopic};
    use crate::topic::{TopicFilter, TopicName};

    #[test]
    fn lines_read_like_libmosquitto() {
        let m1 = Pid::new(1).unwrap();
        let p = Packet::Publish(Publish {
            dup: false,
            qospid: QosPid::ExactlyOnce(m1),
            retain: false,
            topic: TopicName::new("t").unwrap(),
            payload: bytes::Bytes::from_static(b"hello"),
        });
        assert_eq!(
            sent_lines("", &p),
            ["Client (null) sending PUBLISH (d0, q2, r0, m1, 't', ... (5 bytes))"]
        );
        assert_eq!(
            received_line("abc", &Packet::Pubcomp(m1)),
            "Client abc received PUBCOMP (Mid: 1, RC:0)"
        );
        assert_eq!(
            sent_lines("", &Packet::Pubrec(m1)),
            ["Client (null) sending PUBREC (m1, rc0)"]
        );
        let s = Packet::Subscribe(Subscribe {
            pid: m1,
            topics: vec![SubscribeTopic {
                filter: TopicFilter::new("t").unwrap(),
                qos: QoS::ExactlyOnce,
            }],
        });
        assert_eq!(
            sent_lines("", &s),
            ["Client (null) sending SUBSCRIBE (Mid: 1, Topic: t, QoS: 2, Options: 0x00)"]
        );
        assert_eq!(
            sent_lines("x", &Packet::Disconnect),
            ["Client x sending DISCONNECT"]
        );
    }

    #[test]
    fn refusals_read_like_mosquitto_2_0_11() {
        use ConnectReturnCode::*;
        let lines = |sub, protocol, code, debug, quiet| -> Vec<String> {
            refusal_lines(sub, protocol, code, "", debug, quiet)
                .into_iter()
                .map(|(_, l)| l)
                .collect()
        };
        assert_eq!(
            lines(true, Protocol::V311, NotAuthorized, true, false),
            [
                "Connection error: Connection Refused: not authorised.",
                "Client (null) sending DISCONNECT"
            ]
        );
        assert_eq!(
            lines(true, Protocol::V311, BadUserNameOrPassword, true, true),
            ["Client (null) sending DISCONNECT"]
        );
        assert_eq!(
            lines(false, Protocol::V311, BadUserNameOrPassword, true, false),
            [
                "Connection error: Connection Refused: bad user name or password.",
                "Error: The connection was refused."
            ]
        );
        assert_eq!(
            lines(
                false,
                Protocol::V5,
                UnacceptableProtocolVersion,
                false,
                false
            )[1],
            "Error: A network protocol error occurred when communicating with the broker."
        );
        assert!(lines(false, Protocol::V311, NotAuthorized, true, true).is_empty());
        assert_eq!(
            refusal_lines(true, Protocol::V311, NotAuthorized, "x", true, false)
                .iter()
                .map(|(s, _)| *s)
                .collect::<Vec<_>>(),
            [Stream::Stderr, Stream::Stdout]
        );
    }
}
