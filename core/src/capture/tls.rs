//! TLS (MQTT on 8883, or `wss://`): records shown as what they are, the
//! contents as "encrypted, not readable". Only the record layer is read: its
//! content type, and a handshake message's type while it is still in clear.

/// One TLS record.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TlsRecord {
    /// What the record carries.
    pub content: TlsContent,
    /// The record's length without its 5-byte header.
    pub len: usize,
}

/// A TLS record's content type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum TlsContent {
    /// A handshake message in clear: ClientHello (1), ServerHello (2)...
    Handshake(u8),
    /// Change Cipher Spec: what follows is encrypted.
    ChangeCipherSpec,
    /// An alert (encrypted after the handshake).
    Alert,
    /// Application data: the MQTT packets, encrypted, not readable.
    ApplicationData,
    /// Anything after Change Cipher Spec that is not application data, or an
    /// unknown content type.
    Encrypted(u8),
}

/// Whether `data` starts with a TLS handshake record (a ClientHello's).
pub fn is_tls(data: &[u8]) -> bool {
    matches!(data, [0x16, 0x03, 0..=4, ..])
}

/// One direction of a TLS connection.
#[derive(Debug, Default)]
pub struct TlsReader {
    buf: Vec<u8>,
    encrypted: bool,
}

impl TlsReader {
    /// The records `data` completes.
    pub fn push(&mut self, data: &[u8], out: &mut Vec<TlsRecord>) {
        self.buf.extend_from_slice(data);
        let mut at = 0;
        while let Some(h) = self.buf.get(at..at + 5) {
            let len = usize::from(u16::from_be_bytes([h[3], h[4]]));
            if self.buf.len() < at + 5 + len {
                break;
            }
            let content = match h[0] {
                20 => {
                    self.encrypted = true;
                    TlsContent::ChangeCipherSpec
                }
                21 => TlsContent::Alert,
                22 if !self.encrypted => {
                    TlsContent::Handshake(self.buf.get(at + 5).copied().unwrap_or(0))
                }
                23 => TlsContent::ApplicationData,
                other => TlsContent::Encrypted(other),
            };
            out.push(TlsRecord { content, len });
            at += 5 + len;
        }
        self.buf.drain(..at);
    }
}

impl TlsContent {
    /// Wireshark's name for a handshake message type.
    pub fn handshake_name(t: u8) -> &'static str {
        match t {
            1 => "Client Hello",
            2 => "Server Hello",
            4 => "New Session Ticket",
            8 => "Encrypted Extensions",
            11 => "Certificate",
            12 => "Server Key Exchange",
            13 => "Certificate Request",
            14 => "Server Hello Done",
            15 => "Certificate Verify",
            16 => "Client Key Exchange",
            20 => "Finished",
            _ => "Handshake",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_named_and_application_data_is_not_read() {
        let mut r = TlsReader::default();
        let mut out = Vec::new();
        let mut bytes = vec![0x16, 0x03, 0x01, 0x00, 0x02, 0x01, 0x00];
        bytes.extend_from_slice(&[0x14, 0x03, 0x03, 0x00, 0x01, 0x01]);
        bytes.extend_from_slice(&[0x17, 0x03, 0x03, 0x00, 0x03, 0xaa, 0xbb, 0xcc]);
        assert!(is_tls(&bytes));
        r.push(&bytes[..9], &mut out);
        r.push(&bytes[9..], &mut out);
        let kinds: Vec<_> = out.iter().map(|r| r.content).collect();
        assert_eq!(
            kinds,
            vec![
                TlsContent::Handshake(1),
                TlsContent::ChangeCipherSpec,
                TlsContent::ApplicationData
            ]
        );
        assert_eq!(out[2].len, 3);
    }
}
