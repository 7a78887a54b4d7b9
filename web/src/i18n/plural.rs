//! A count and its noun, in the right number: "1 topic", "2 topics", "1 tópico",
//! "0 tópicos". Each noun has its singular and plural in both languages in one
//! exhaustive `match`, so a noun added without them does not compile.

use super::Lang;

/// Something the page counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Noun {
    /// Topics under a level of the topic tree.
    Topic,
    /// Messages (the topic tree's short form).
    Msg,
    /// Bytes.
    Byte,
    /// Events replayed to rebuild a moment.
    EventReplayed,
    /// Levels of the topic tree not drawn.
    LevelNotDrawn,
    /// Messages on topics beyond the tree's limit.
    MessageNotShown,
    /// Frames of a capture.
    Frame,
    /// MQTT packets of a capture.
    MqttPacket,
    /// TCP connections of a capture.
    TcpConnection,
}

/// `n` and its noun, in `lang`: the singular for 1, the plural otherwise (both
/// languages say "0 topics", "0 tópicos").
pub fn count(lang: Lang, n: u64, noun: Noun) -> String {
    let (one, many) = words(lang, noun);
    format!("{n} {}", if n == 1 { one } else { many })
}

fn words(lang: Lang, noun: Noun) -> (&'static str, &'static str) {
    use Lang::*;
    use Noun::*;
    match (noun, lang) {
        (Topic, En) => ("topic", "topics"),
        (Topic, PtBr) => ("tópico", "tópicos"),
        (Msg, En) => ("msg", "msgs"),
        (Msg, PtBr) => ("msg", "msgs"),
        (Byte, En) => ("byte", "bytes"),
        (Byte, PtBr) => ("byte", "bytes"),
        (EventReplayed, En) => ("event replayed", "events replayed"),
        (EventReplayed, PtBr) => ("evento repetido", "eventos repetidos"),
        (LevelNotDrawn, En) => ("more level not drawn", "more levels not drawn"),
        (LevelNotDrawn, PtBr) => ("nível a mais não desenhado", "níveis a mais não desenhados"),
        (MessageNotShown, En) => (
            "message on a topic beyond the tree's limit, not shown",
            "messages on topics beyond the tree's limit, not shown",
        ),
        (MessageNotShown, PtBr) => (
            "mensagem num tópico além do limite da árvore, não mostrada",
            "mensagens em tópicos além do limite da árvore, não mostradas",
        ),
        (Frame, En) => ("frame", "frames"),
        (Frame, PtBr) => ("quadro", "quadros"),
        (MqttPacket, En) => ("MQTT packet", "MQTT packets"),
        (MqttPacket, PtBr) => ("pacote MQTT", "pacotes MQTT"),
        (TcpConnection, En) => ("TCP connection", "TCP connections"),
        (TcpConnection, PtBr) => ("conexão TCP", "conexões TCP"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_is_singular_and_every_other_count_plural() {
        assert_eq!(count(Lang::PtBr, 1, Noun::Topic), "1 tópico");
        assert_eq!(count(Lang::PtBr, 2, Noun::Topic), "2 tópicos");
        assert_eq!(count(Lang::PtBr, 0, Noun::Topic), "0 tópicos");
        assert_eq!(count(Lang::En, 1, Noun::Byte), "1 byte");
        assert_eq!(count(Lang::En, 3, Noun::TcpConnection), "3 TCP connections");
        assert_eq!(count(Lang::PtBr, 1, Noun::TcpConnection), "1 conexão TCP");
    }
}
