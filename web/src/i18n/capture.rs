//! An imported capture's notes and file errors in both languages. English is
//! core's `Display` (the words `mqttlab capture` prints); Portuguese is made
//! here by a `match` without a wildcard, so a note core adds does not compile
//! until it is translated.

use mqttlab_core::capture::{FileError, FileErrorKind, Note, TcpNote, TlsContent, WsNote};

use super::Lang;

/// A capture's note (TCP, WebSocket, TLS, not MQTT), in `lang`.
pub fn capture_note(lang: Lang, n: &Note) -> String {
    if lang == Lang::En {
        return match n {
            Note::Tcp(t) => t.to_string(),
            Note::WebSocket(w) => w.to_string(),
            Note::Tls(r) => r.to_string(),
            Note::NotMqtt { len } => format!("TCP data, not MQTT: {len} bytes"),
        };
    }
    match n {
        Note::Tcp(t) => match t {
            TcpNote::Open => "TCP SYN (abre a conexão)".into(),
            TcpNote::Close => "TCP FIN (fecha a conexão)".into(),
            TcpNote::Reset => "TCP RST (conexão abortada)".into(),
            TcpNote::Retransmission { len } => format!("TCP retransmissão, {len} bytes"),
            TcpNote::PreviousSegmentNotCaptured { len } => {
                format!("TCP segmento anterior não capturado, {len} bytes retidos")
            }
            TcpNote::OutOfOrder { len } => format!("TCP fora de ordem, {len} bytes"),
        },
        Note::WebSocket(w) => match w {
            WsNote::Handshake { line } => format!("upgrade WebSocket: {line}"),
            WsNote::Close { code: Some(c) } => format!("WebSocket fechado {c}"),
            WsNote::Close { code: None } => "WebSocket fechado".into(),
            WsNote::Ping => "WebSocket ping".into(),
            WsNote::Pong => "WebSocket pong".into(),
            WsNote::Text { len } => {
                format!("quadro de texto WebSocket, {len} bytes: MQTT deve ser binário")
            }
        },
        Note::Tls(r) => match r.content {
            TlsContent::Handshake(t) => {
                format!("TLS {}", TlsContent::handshake_name(t))
            }
            TlsContent::ChangeCipherSpec => "TLS Change Cipher Spec".into(),
            TlsContent::Alert => "TLS alerta".into(),
            TlsContent::ApplicationData | TlsContent::Encrypted(_) => {
                format!("TLS, cifrado, não legível: {} bytes", r.len)
            }
        },
        Note::NotMqtt { len } => format!("dados TCP, não MQTT: {len} bytes"),
    }
}

/// Why a file could not be read (to its end), in `lang`.
pub fn file_error(lang: Lang, e: &FileError) -> String {
    if lang == Lang::En {
        return e.to_string();
    }
    let what = match &e.kind {
        FileErrorKind::NotACapture { magic } => {
            let hex: Vec<String> = magic.iter().map(|b| format!("{b:02x}")).collect();
            format!(
                "não é um arquivo pcap nem pcapng: começa com {}",
                hex.join(" ")
            )
        }
        FileErrorKind::Compressed => "arquivo comprimido com gzip: descomprima antes".into(),
        FileErrorKind::Truncated => "o arquivo termina no meio de um registro".into(),
        FileErrorKind::Invalid(what) => format!("registro danificado: {what}"),
        FileErrorKind::UnknownInterface(i) => {
            format!("pacote da interface {i}, que o arquivo nunca descreve")
        }
    };
    format!("{what} (byte {})", e.offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_and_errors_read_in_both_languages() {
        let n = Note::Tcp(TcpNote::Retransmission { len: 3 });
        assert_eq!(capture_note(Lang::En, &n), "TCP Retransmission, 3 bytes");
        assert_eq!(capture_note(Lang::PtBr, &n), "TCP retransmissão, 3 bytes");
        let e = FileError {
            kind: FileErrorKind::Truncated,
            offset: 1234,
        };
        assert!(file_error(Lang::En, &e).ends_with("(byte offset 1234)"));
        assert_eq!(
            file_error(Lang::PtBr, &e),
            "o arquivo termina no meio de um registro (byte 1234)"
        );
    }
}
