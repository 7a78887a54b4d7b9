//! One-line summaries for sequence-diagram arrows and logs, in the spirit of
//! mosquitto's `Sending PUBLISH to c1 (d0, q1, r0, m7, 'topico', ...)`:
//! `CONNECT c1 k60 cliente1`, `PUBLISH d1 q1 m7 topico`, `SUBACK m1 [1]`.

use core::fmt;

use super::{Packet, Protocol, QoS, QosPid, SubackReturnCode};

impl Packet {
    /// The one-line summary, the same as `to_string()`.
    pub fn summary(&self) -> String {
        self.to_string()
    }
}

/// A CONNECT's client identifier, `""` when empty (both levels).
pub(crate) fn client_id(f: &mut fmt::Formatter<'_>, id: &str) -> fmt::Result {
    if id.is_empty() {
        f.write_str(" \"\"")
    } else {
        write!(f, " {id}")
    }
}

/// A PUBLISH's name, flags and packet identifier, before its topic (both levels).
pub(crate) fn publish_head(
    f: &mut fmt::Formatter<'_>,
    name: &str,
    dup: bool,
    qospid: QosPid,
    retain: bool,
) -> fmt::Result {
    f.write_str(name)?;
    if dup {
        f.write_str(" d1")?;
    }
    write!(f, " q{}", qospid.qos())?;
    if retain {
        f.write_str(" r1")?;
    }
    if let Some(pid) = qospid.pid() {
        write!(f, " m{pid}")?;
    }
    Ok(())
}

/// A CONNECT's will: ` will:TOPIC qN`, and ` r1` when it is retained (both levels).
pub(crate) fn will(
    f: &mut fmt::Formatter<'_>,
    topic: &dyn fmt::Display,
    qos: QoS,
    retain: bool,
) -> fmt::Result {
    write!(f, " will:{topic} q{qos}")?;
    if retain {
        f.write_str(" r1")?;
    }
    Ok(())
}

/// `c` clean session, `k` keep alive, `q` QoS, `d1` DUP, `r1` RETAIN, `m` packet
/// identifier; flags that are 0 are left out except `c` and `q`.
impl fmt::Display for Packet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.packet_type().name();
        match self {
            Packet::Connect(c) => {
                write!(f, "{name} c{} k{}", u8::from(c.clean_session), c.keep_alive)?;
                match c.protocol {
                    Protocol::V31 => f.write_str(" v3.1")?,
                    Protocol::V5 => f.write_str(" v5.0")?,
                    Protocol::V311 => {}
                }
                client_id(f, &c.client_id)?;
                if let Some(w) = &c.will {
                    will(f, &w.topic, w.qos, w.retain)?;
                }
                if let Some(l) = &c.login {
                    write!(f, " u:{}", l.username)?;
                    if l.password.is_some() {
                        f.write_str(" p:***")?;
                    }
                }
                Ok(())
            }
            Packet::Connack(c) => {
                write!(f, "{name} {}", c.code.as_u8())?;
                if c.session_present {
                    f.write_str(" sp1")?;
                }
                Ok(())
            }
            Packet::Publish(p) => {
                publish_head(f, name, p.dup, p.qospid, p.retain)?;
                write!(f, " {}", p.topic)
            }
            Packet::Puback(pid)
            | Packet::Pubrec(pid)
            | Packet::Pubrel(pid)
            | Packet::Pubcomp(pid)
            | Packet::Unsuback(pid) => write!(f, "{name} m{pid}"),
            Packet::Subscribe(s) => {
                write!(f, "{name} m{}", s.pid)?;
                for (i, t) in s.topics.iter().enumerate() {
                    let sep = if i == 0 { " " } else { ", " };
                    write!(f, "{sep}{} q{}", t.filter, t.qos)?;
                }
                Ok(())
            }
            Packet::Suback(s) => {
                write!(f, "{name} m{} [", s.pid)?;
                for (i, c) in s.return_codes.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    match c {
                        SubackReturnCode::Success(q) => write!(f, "{q}")?,
                        SubackReturnCode::Failure => f.write_str("128")?,
                    }
                }
                f.write_str("]")
            }
            Packet::Unsubscribe(u) => {
                write!(f, "{name} m{}", u.pid)?;
                for (i, t) in u.filters.iter().enumerate() {
                    let sep = if i == 0 { " " } else { ", " };
                    write!(f, "{sep}{t}")?;
                }
                Ok(())
            }
            Packet::Pingreq | Packet::Pingresp | Packet::Disconnect => f.write_str(name),
        }
    }
}
