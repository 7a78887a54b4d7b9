//! The MQTT 5.0 words of the real-broker page and of the broker state panel, in
//! English and Brazilian Portuguese.
//! Property and reason-code names stay the specification's in both languages
//! (they are what the inspector, Wireshark and mosquitto print); the labels
//! around them are translated. Both matches are exhaustive: a missing
//! translation does not compile.

use super::Lang;
use crate::live::v5::{Field, PropsError};

/// A string of the page's 5.0 controls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Live5 {
    /// The version choice.
    Version,
    /// The CONNECT's properties, heading.
    ConnectProps,
    /// The PUBLISH's properties, heading.
    PublishProps,
    /// Session Expiry Interval field.
    SessionExpiry,
    /// Receive Maximum field.
    ReceiveMaximum,
    /// Topic Alias Maximum field.
    TopicAliasMaximum,
    /// User properties field.
    UserProperties,
    /// Message Expiry Interval field.
    MessageExpiry,
    /// Content Type field.
    ContentType,
    /// Response Topic field.
    ResponseTopic,
    /// Correlation Data field.
    CorrelationData,
    /// Hint under the property fields.
    EmptyMeansAbsent,
    /// The CONNACK panel's heading.
    ConnackTitle,
    /// A CONNACK with no properties.
    ConnackNoProps,
    /// Before the CONNACK arrived.
    ConnackNone,
    /// The reason code line.
    ReasonCode,
    /// The CONNACK answered 3.1.1.
    ConnackV311,
    /// Log: an acknowledgement with its reason codes.
    LogAck,
    /// Log: a message's properties.
    LogMessageProps,
    /// Failure: a 5.0 CONNACK refused.
    RefusedV5,
    /// Failure: the broker sent DISCONNECT.
    ServerDisconnect,
    /// Properties typed while 3.1.1 is chosen.
    PropsNeedV5,
    /// Failure: a 3.1.1 CONNACK 1 to a 5.0 CONNECT.
    NoV5,
}

/// The string `s` in `lang`.
pub fn l5(lang: Lang, s: Live5) -> &'static str {
    use Lang::*;
    use Live5::*;
    match (s, lang) {
        (Version, En) => "MQTT version",
        (Version, PtBr) => "Versão do MQTT",
        (ConnectProps, En) => "MQTT 5.0: CONNECT properties",
        (ConnectProps, PtBr) => "MQTT 5.0: propriedades do CONNECT",
        (PublishProps, En) => "MQTT 5.0 properties",
        (PublishProps, PtBr) => "Propriedades MQTT 5.0",
        (SessionExpiry, En) => "Session expiry (s)",
        (SessionExpiry, PtBr) => "Expiração da sessão (s)",
        (ReceiveMaximum, En) => "Receive Maximum",
        (ReceiveMaximum, PtBr) => "Máximo de recepção",
        (TopicAliasMaximum, En) => "Topic Alias Maximum",
        (TopicAliasMaximum, PtBr) => "Máximo de aliases de tópico",
        (UserProperties, En) => "User properties (name=value, one per line)",
        (UserProperties, PtBr) => "Propriedades de usuário (nome=valor, uma por linha)",
        (MessageExpiry, En) => "Message expiry (s)",
        (MessageExpiry, PtBr) => "Expiração da mensagem (s)",
        (ContentType, En) => "Content type",
        (ContentType, PtBr) => "Tipo de conteúdo",
        (ResponseTopic, En) => "Response topic",
        (ResponseTopic, PtBr) => "Tópico de resposta",
        (CorrelationData, En) => "Correlation data",
        (CorrelationData, PtBr) => "Dados de correlação",
        (EmptyMeansAbsent, En) => "An empty field is not sent (the broker then applies the default).",
        (EmptyMeansAbsent, PtBr) => "Campo vazio não é enviado (o broker aplica então o padrão).",
        (ConnackTitle, En) => "The broker's CONNACK",
        (ConnackTitle, PtBr) => "O CONNACK do broker",
        (ConnackNoProps, En) => "No properties: every limit at the standard's default (Receive Maximum 65535, Topic Alias Maximum 0, Maximum QoS 2, Retain Available).",
        (ConnackNoProps, PtBr) => "Sem propriedades: cada limite no padrão da norma (Receive Maximum 65535, Topic Alias Maximum 0, Maximum QoS 2, Retain Available).",
        (ConnackNone, En) => "Not connected yet.",
        (ConnackNone, PtBr) => "Ainda não conectado.",
        (ReasonCode, En) => "Reason code",
        (ReasonCode, PtBr) => "Código de motivo",
        (ConnackV311, En) => "MQTT 3.1.1: a CONNACK carries no properties.",
        (ConnackV311, PtBr) => "MQTT 3.1.1: o CONNACK não traz propriedades.",
        (LogAck, En) => "reason code",
        (LogAck, PtBr) => "código de motivo",
        (LogMessageProps, En) => "message properties on",
        (LogMessageProps, PtBr) => "propriedades da mensagem em",
        (RefusedV5, En) => "The broker refused the connection: CONNACK",
        (RefusedV5, PtBr) => "O broker recusou a conexão: CONNACK",
        (ServerDisconnect, En) => "The broker ended the connection with DISCONNECT",
        (ServerDisconnect, PtBr) => "O broker encerrou a conexão com DISCONNECT",
        (PropsNeedV5, En) => "Properties need MQTT 5.0: choose version 5.0 and connect again.",
        (NoV5, En) => "Refused (CONNACK 1, in its 3.1.1 form): this broker does not speak MQTT 5.0. Choose 3.1.1 and connect again.",
        (NoV5, PtBr) => "Recusado (CONNACK 1, na forma do 3.1.1): este broker não fala MQTT 5.0. Escolha 3.1.1 e conecte de novo.",
        (PropsNeedV5, PtBr) => "Propriedades exigem MQTT 5.0: escolha a versão 5.0 e conecte de novo.",
    }
}

/// A string of the broker state panel's 5.0 parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State5 {
    /// Session Expiry Interval, before its seconds.
    SessionExpiry,
    /// A session that never expires.
    Never,
    /// A session away, before the time it has left.
    EndsIn,
    /// In flight against the client's Receive Maximum.
    OfReceiveMaximum,
    /// Topic aliases the client set.
    AliasesIn,
    /// Topic aliases the broker set toward the client.
    AliasesOut,
    /// Shared subscriptions heading.
    SharedGroups,
    /// Whose turn is next in a group.
    NextTurn,
    /// The `exp N s` mark on queued messages.
    ExpiryMarkHelp,
}

/// The string `s` in `lang`.
pub fn s5(lang: Lang, s: State5) -> &'static str {
    use Lang::*;
    use State5::*;
    match (s, lang) {
        (SessionExpiry, En) => "expiry",
        (SessionExpiry, PtBr) => "expiração",
        (Never, En) => "never",
        (Never, PtBr) => "nunca",
        (EndsIn, En) => "ends in",
        (EndsIn, PtBr) => "termina em",
        (OfReceiveMaximum, En) => "Receive Maximum",
        (OfReceiveMaximum, PtBr) => "Receive Maximum",
        (AliasesIn, En) => "aliases from the client",
        (AliasesIn, PtBr) => "aliases do cliente",
        (AliasesOut, En) => "aliases to the client",
        (AliasesOut, PtBr) => "aliases para o cliente",
        (SharedGroups, En) => "Shared subscriptions",
        (SharedGroups, PtBr) => "Assinaturas compartilhadas",
        (NextTurn, En) => "next",
        (NextTurn, PtBr) => "próximo",
        (ExpiryMarkHelp, En) => {
            "exp: seconds left before the message expires (Message Expiry Interval)"
        }
        (ExpiryMarkHelp, PtBr) => "exp: segundos até a mensagem expirar (Message Expiry Interval)",
    }
}

/// A property typed wrong, in `lang`.
pub fn props_error(lang: Lang, e: &PropsError) -> String {
    let pt = lang == Lang::PtBr;
    match e {
        PropsError::NoEquals(n, line) if pt => {
            format!(
                "Propriedade de usuário, linha {n}: falta “=” em “{line}” (escreva nome=valor)."
            )
        }
        PropsError::NoEquals(n, line) => {
            format!("User property, line {n}: no “=” in “{line}” (write name=value).")
        }
        PropsError::EmptyName(n) if pt => {
            format!("Propriedade de usuário, linha {n}: o nome está vazio.")
        }
        PropsError::EmptyName(n) => format!("User property, line {n}: the name is empty."),
        PropsError::NotANumber(f, s) if pt => format!(
            "{}: “{s}” não é um número inteiro válido ({}).",
            f.name(),
            range(*f)
        ),
        PropsError::NotANumber(f, s) => format!(
            "{}: “{s}” is not a whole number in range ({}).",
            f.name(),
            range(*f)
        ),
        PropsError::ZeroReceiveMaximum if pt => {
            "Receive Maximum 0 é erro de protocolo (§3.1.2.11.3): deixe vazio ou use 1 a 65535."
                .into()
        }
        PropsError::ZeroReceiveMaximum => {
            "Receive Maximum 0 is a protocol error (§3.1.2.11.3): leave it empty or use 1 to 65535."
                .into()
        }
    }
}

fn range(f: Field) -> &'static str {
    match f {
        Field::SessionExpiry | Field::MessageExpiry => "0..4294967295",
        Field::ReceiveMaximum => "1..65535",
        Field::TopicAliasMaximum => "0..65535",
    }
}
