//! The specification checker's words in both languages: each statement in
//! our own words (English is core's, `Statement::english`; Portuguese is a
//! `match` without a wildcard, so a statement core adds does not compile until
//! it is translated), severities, and the findings panel's labels.

use mqttlab_core::checker::{Severity, Statement};

use super::Lang;

/// A statement in our own words, in `lang`.
pub fn statement_text(lang: Lang, s: Statement) -> &'static str {
    if lang == Lang::En {
        return s.english();
    }
    use Statement::*;
    match s {
        FirstPacketConnect => "o primeiro pacote que o cliente envia é CONNECT",
        OneConnect => "o cliente envia CONNECT uma única vez por conexão",
        FirstPacketConnack => "o primeiro pacote que o servidor envia é CONNACK",
        SessionPresentClean => "uma sessão limpa é respondida com Session Present 0",
        CloseAfterRefusal => {
            "depois de um CONNACK que recusa a conexão o servidor não envia mais nada e fecha a conexão"
        }
        PacketDirection => {
            "cada tipo de pacote só vai no sentido que a norma lhe dá (CONNECT, SUBSCRIBE, \
             UNSUBSCRIBE, PINGREQ do cliente; CONNACK, SUBACK, UNSUBACK, PINGRESP do servidor)"
        }
        NothingAfterDisconnect => "depois do DISCONNECT quem o enviou não envia mais nenhum pacote na conexão",
        PingrespForPingreq => "o servidor responde cada PINGREQ com um PINGRESP",
        KeepAliveClose => {
            "o servidor fecha uma conexão que ficou calada por uma vez e meia o keep alive"
        }
        PacketIdUnused => {
            "um PUBLISH, SUBSCRIBE ou UNSUBSCRIBE novo do cliente usa um identificador de pacote livre"
        }
        ServerPacketIdUnused => "um PUBLISH novo do servidor usa um identificador de pacote livre",
        AckMatchesPublish => {
            "PUBACK, PUBREC, PUBREL e PUBCOMP levam o identificador do PUBLISH que respondem"
        }
        SubackMatchesSubscribe => {
            "SUBACK e UNSUBACK levam o identificador do SUBSCRIBE ou UNSUBSCRIBE que respondem"
        }
        DupOnResend => "um PUBLISH reenviado tem DUP igual a 1",
        PubrelAfterPubrec => "quem envia QoS 2 só manda PUBREL depois do PUBREC do seu PUBLISH",
        PubcompAfterPubrel => "quem recebe QoS 2 manda PUBCOMP em resposta ao PUBREL, não antes",
        PubackForQos1 => "um PUBLISH QoS 1 é respondido com PUBACK",
        PubrecForQos2 => "um PUBLISH QoS 2 é respondido com PUBREC",
        SubackForSubscribe => "o servidor responde cada SUBSCRIBE com um SUBACK",
        UnsubackForUnsubscribe => "o servidor responde cada UNSUBSCRIBE com um UNSUBACK",
        SubackOneCodePerFilter => "um SUBACK tem um código de retorno por filtro do SUBSCRIBE",
        GrantedNoHigher => "o QoS concedido no SUBACK não passa do pedido",
        DeliveryQos => {
            "a mensagem chega ao assinante com o menor entre o QoS publicado e o QoS concedido"
        }
        DeliveryMatchesFilter => {
            "o servidor só envia ao cliente mensagens cujo tópico casa com uma das suas assinaturas"
        }
        EveryMatchingSubscriber => "todo cliente cuja assinatura casa com a mensagem a recebe",
        RetainOnRetained => "uma mensagem retida enviada por causa de uma assinatura nova tem RETAIN 1",
        RetainClearOnLive => {
            "uma mensagem enviada a uma assinatura já existente tem RETAIN 0 (no 5.0, salvo Retain As Published)"
        }
        OrderedTopic => {
            "mensagens de um tópico e QoS vindas de um cliente chegam a cada assinante na ordem enviada"
        }
        WillOnUngracefulClose => {
            "o testamento (will) é publicado quando a conexão fecha sem DISCONNECT"
        }
        NoWillAfterDisconnect => "depois de um DISCONNECT normal o testamento (will) não é publicado",
        ClientReceiveMaximum => {
            "o cliente não tem mais PUBLISH QoS 1 e 2 sem confirmação do que o Receive Maximum do servidor"
        }
        ServerReceiveMaximum => {
            "o servidor não tem mais PUBLISH QoS 1 e 2 sem confirmação do que o Receive Maximum do cliente"
        }
        ClientTopicAliasMaximum => {
            "o cliente não usa Topic Alias acima do Topic Alias Maximum do servidor"
        }
        ServerTopicAliasMaximum => {
            "o servidor não usa Topic Alias acima do Topic Alias Maximum do cliente"
        }
        ServerMaximumPacketSize => {
            "o servidor não envia pacote maior que o Maximum Packet Size do cliente"
        }
        ClientMaximumPacketSize => {
            "o cliente não envia pacote maior que o Maximum Packet Size do servidor"
        }
        ExchangeOpenAtClose => "uma troca QoS 1 ou 2 ainda estava aberta quando a conexão terminou",
        ExpiredNotDelivered => {
            "uma mensagem cujo Message Expiry Interval passou antes de começar a entrega a um assinante não é entregue a ele"
        }
        ExpiryReduced => {
            "a mensagem que o servidor envia leva o Message Expiry Interval menos o tempo que esperou no servidor"
        }
        SessionExpired => {
            "a sessão cujo Session Expiry Interval passou depois de a conexão fechar é descartada: retomá-la dá Session Present 0"
        }
        AliasNotCarriedForward => {
            "o servidor não leva Topic Alias de uma conexão para a seguinte: um PUBLISH só com um alias criado numa conexão anterior é recusado"
        }
        AliasNotZero => "nenhum PUBLISH leva Topic Alias 0",
        ServerAcceptsAliases => {
            "o servidor aceita todo Topic Alias de 1 até o Topic Alias Maximum que o seu CONNACK deu"
        }
        ShareNameSyntax => {
            "o ShareName de uma assinatura compartilhada não tem '/', '+' nem '#' e é seguido de '/' e um filtro de tópico"
        }
        SharedGrantedQos => {
            "a mensagem enviada a um membro de uma assinatura compartilhada respeita o QoS concedido a ele"
        }
        WillDelayCancelled => {
            "o testamento (will) de um cliente que volta à sessão antes do Will Delay Interval passar não é publicado"
        }
    }
}

/// MUST, SHOULD or note, in `lang` (MUST and SHOULD are the standard's words).
pub fn severity_text(lang: Lang, s: Severity) -> &'static str {
    match (s, lang) {
        (Severity::Must, Lang::En) => "MUST broken",
        (Severity::Must, Lang::PtBr) => "MUST violado",
        (Severity::Should, Lang::En) => "SHOULD not followed",
        (Severity::Should, Lang::PtBr) => "SHOULD não seguido",
        (Severity::Note, _) => "nota",
    }
}

/// A label of the findings panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ck {
    /// Panel title.
    Title,
    /// No finding.
    NothingBroken,
    /// "finding(s)".
    Findings,
    /// Malformed packet.
    Malformed,
    /// "packets:".
    Packets,
    /// Coverage title.
    Coverage,
    /// Held.
    Held,
    /// Broken.
    Broken,
    /// Never came up.
    Never,
    /// The link to the standard.
    Standard,
    /// The lab's statements, heading.
    LabStatements,
    /// "frame".
    Frame,
    /// The real-broker page's export button.
    ExportCapture,
}

/// A label in `lang`.
pub fn ck(lang: Lang, c: Ck) -> &'static str {
    use Ck::*;
    match (c, lang) {
        (Title, Lang::En) => "Specification checker",
        (Title, Lang::PtBr) => "Verificador da especificação",
        (NothingBroken, Lang::En) => "No statement of the standard was broken.",
        (NothingBroken, Lang::PtBr) => "Nenhuma regra da norma foi violada.",
        (Findings, Lang::En) => "finding(s)",
        (Findings, Lang::PtBr) => "achado(s)",
        (Malformed, Lang::En) => "malformed packet",
        (Malformed, Lang::PtBr) => "pacote malformado",
        (Packets, Lang::En) => "packets:",
        (Packets, Lang::PtBr) => "pacotes:",
        (Coverage, Lang::En) => "Coverage: which statements came up",
        (Coverage, Lang::PtBr) => "Cobertura: quais regras apareceram",
        (Held, Lang::En) => "held",
        (Held, Lang::PtBr) => "cumprida",
        (Broken, Lang::En) => "broken",
        (Broken, Lang::PtBr) => "violada",
        (Never, Lang::En) => "never came up",
        (Never, Lang::PtBr) => "não apareceu",
        (Standard, Lang::En) => "OASIS standard",
        (Standard, Lang::PtBr) => "norma OASIS",
        (LabStatements, Lang::En) => "Statements of the standard this lab shows",
        (LabStatements, Lang::PtBr) => "Regras da norma que este lab mostra",
        (Frame, Lang::En) => "frame",
        (Frame, Lang::PtBr) => "quadro",
        (ExportCapture, Lang::En) => "Save as capture (.pcap)",
        (ExportCapture, Lang::PtBr) => "Salvar como captura (.pcap)",
    }
}
