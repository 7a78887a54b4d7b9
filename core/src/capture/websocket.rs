//! MQTT over WebSocket (RFC 6455, subprotocol `mqtt`): the HTTP upgrade, then
//! frames. Binary (and continuation) frames carry the MQTT byte stream, which
//! may cut packets anywhere; the client's frames are masked and unmasked here.

/// What a WebSocket connection showed besides MQTT.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum WsNote {
    /// The HTTP request or response of the upgrade: its first line
    /// (`GET /mqtt HTTP/1.1`, `HTTP/1.1 101 Switching Protocols`).
    Handshake {
        /// The line.
        line: String,
    },
    /// A close frame, with its status code if it has one.
    Close {
        /// RFC 6455 status code (1000 normal, 1002 protocol error...).
        code: Option<u16>,
    },
    /// A ping frame.
    Ping,
    /// A pong frame.
    Pong,
    /// A text frame: MQTT must be sent in binary frames (MQTT-6.0.0-1).
    Text {
        /// Its length.
        len: usize,
    },
}

/// What reading gave: notes and MQTT bytes, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ws {
    /// A note.
    Note(WsNote),
    /// The payload of a binary frame.
    Data(Vec<u8>),
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum State {
    #[default]
    Http,
    Frames,
    /// The upgrade was refused, or a frame could not be read.
    Stopped,
}

/// One direction of a WebSocket connection.
#[derive(Debug, Default)]
pub struct WsReader {
    state: State,
    buf: Vec<u8>,
}

/// Frames longer than this are taken as damage, not waited for.
const MAX_FRAME: u64 = 256 * 1024 * 1024;

/// Whether `data` starts an HTTP request asking for a WebSocket upgrade: the
/// request line, then (once the head is whole) an `Upgrade: websocket` header.
/// `None` while the head is not whole yet.
pub fn is_upgrade_request(data: &[u8]) -> Option<bool> {
    if !data.starts_with(b"GET ") {
        return Some(false);
    }
    let end = find(data, b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&data[..end]).to_ascii_lowercase();
    Some(
        head.lines()
            .any(|l| l.starts_with("upgrade:") && l.contains("websocket")),
    )
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

impl WsReader {
    /// Reads what `data` completes.
    pub fn push(&mut self, data: &[u8], out: &mut Vec<Ws>) {
        if self.state == State::Stopped {
            return;
        }
        self.buf.extend_from_slice(data);
        let mut at = 0;
        loop {
            let rest = &self.buf[at..];
            match self.state {
                State::Stopped => break,
                State::Http => {
                    let Some(end) = find(rest, b"\r\n\r\n") else {
                        break;
                    };
                    let head = String::from_utf8_lossy(&rest[..end]);
                    let line = head.lines().next().unwrap_or("").to_string();
                    // A response other than 101 refuses the upgrade.
                    let refused = line.starts_with("HTTP/") && !line.contains(" 101");
                    out.push(Ws::Note(WsNote::Handshake { line }));
                    self.state = if refused {
                        State::Stopped
                    } else {
                        State::Frames
                    };
                    at += end + 4;
                }
                State::Frames => match frame(rest) {
                    Frame::Incomplete => break,
                    Frame::Damaged => {
                        self.state = State::Stopped;
                        break;
                    }
                    Frame::Whole {
                        len,
                        opcode,
                        payload,
                    } => {
                        match opcode {
                            0 | 2 => out.push(Ws::Data(payload)),
                            1 => out.push(Ws::Note(WsNote::Text { len: payload.len() })),
                            8 => out.push(Ws::Note(WsNote::Close {
                                code: payload.get(..2).map(|b| u16::from_be_bytes([b[0], b[1]])),
                            })),
                            9 => out.push(Ws::Note(WsNote::Ping)),
                            10 => out.push(Ws::Note(WsNote::Pong)),
                            _ => {}
                        }
                        at += len;
                    }
                },
            }
        }
        self.buf.drain(..at.min(self.buf.len()));
        if self.state == State::Stopped {
            self.buf = Vec::new();
        }
    }
}

enum Frame {
    Incomplete,
    Damaged,
    Whole {
        len: usize,
        opcode: u8,
        payload: Vec<u8>,
    },
}

fn frame(buf: &[u8]) -> Frame {
    let (Some(&b0), Some(&b1)) = (buf.first(), buf.get(1)) else {
        return Frame::Incomplete;
    };
    let masked = b1 & 0x80 != 0;
    let (len, mut at) = match b1 & 0x7f {
        126 => match buf.get(2..4) {
            Some(b) => (u64::from(u16::from_be_bytes([b[0], b[1]])), 4),
            None => return Frame::Incomplete,
        },
        127 => match buf.get(2..10) {
            Some(b) => {
                let mut a = [0u8; 8];
                a.copy_from_slice(b);
                (u64::from_be_bytes(a), 10)
            }
            None => return Frame::Incomplete,
        },
        n => (u64::from(n), 2),
    };
    if len > MAX_FRAME {
        return Frame::Damaged;
    }
    let mask = if masked {
        match buf.get(at..at + 4) {
            Some(m) => {
                at += 4;
                Some([m[0], m[1], m[2], m[3]])
            }
            None => return Frame::Incomplete,
        }
    } else {
        None
    };
    let end = at + len as usize;
    let Some(body) = buf.get(at..end) else {
        return Frame::Incomplete;
    };
    let payload = match mask {
        Some(m) => body.iter().enumerate().map(|(i, b)| b ^ m[i % 4]).collect(),
        None => body.to_vec(),
    };
    Frame::Whole {
        len: end,
        opcode: b0 & 0x0f,
        payload,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_upgrade_then_masked_binary_frames_give_the_mqtt_bytes() {
        let request = b"GET /mqtt HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n";
        assert_eq!(is_upgrade_request(&request[..20]), None);
        assert_eq!(is_upgrade_request(request), Some(true));
        assert_eq!(is_upgrade_request(b"\x10\x0c"), Some(false));
        let mut r = WsReader::default();
        let mut out = Vec::new();
        let mut stream = request.to_vec();
        // A masked binary frame holding a PINGREQ, then a close 1000.
        let mask = [1, 2, 3, 4];
        stream.extend_from_slice(&[0x82, 0x82, 1, 2, 3, 4, 0xc0 ^ mask[0], mask[1]]);
        stream.extend_from_slice(&[0x88, 0x02, 0x03, 0xe8]);
        for chunk in stream.chunks(5) {
            r.push(chunk, &mut out);
        }
        assert_eq!(
            out,
            vec![
                Ws::Note(WsNote::Handshake {
                    line: "GET /mqtt HTTP/1.1".into()
                }),
                Ws::Data(vec![0xc0, 0x00]),
                Ws::Note(WsNote::Close { code: Some(1000) }),
            ]
        );
        let mut refused = WsReader::default();
        out.clear();
        refused.push(b"HTTP/1.1 400 Bad Request\r\n\r\n\x82\x00", &mut out);
        assert_eq!(out.len(), 1);
    }
}
