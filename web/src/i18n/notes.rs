//! The simulator's notes in both languages, from the typed values core reports.
//!
//! English is core's own rendering (each type's `Display`, the words of the text
//! trace); Portuguese is made here by a `match` with a case for every variant and
//! no wildcard, so a note core adds does not compile until it is translated.
//! Nothing here reads a sentence: parameters (a topic, a rule as the scenario
//! wrote it, a codec's error) are shown as they are.

use mqttlab_core::client::{DisconnectReason, ProtocolError};
use mqttlab_core::codec::ConnectReturnCode;
use mqttlab_core::sim::link::LinkOption;
use mqttlab_core::sim::node::AppSummary;
use mqttlab_core::sim::note::{Disconnect, FaultEvent, HostMiss, Note, PacketCause, PacketNote};
use mqttlab_core::sim::FaultAction;

use super::Lang;
use crate::components::sequence_diagram::RowNote;

/// A note on a lifeline, in `lang`.
pub fn row_note(lang: Lang, n: &RowNote) -> String {
    use Lang::*;
    match (n, lang) {
        (RowNote::Sim(note), lang) => sim_note(lang, note),
        (RowNote::TcpConnect, En) => "TCP connect".into(),
        (RowNote::TcpConnect, PtBr) => "conexão TCP".into(),
        (RowNote::KeepaliveExpired { client }, En) => format!("keepalive expired: {client}"),
        (RowNote::KeepaliveExpired { client }, PtBr) => format!("keepalive expirou: {client}"),
        (RowNote::Fault { rule, event }, lang) => format!("{rule}: {}", fault_event(lang, event)),
        (RowNote::WebSocket { url }, _) => format!("WebSocket {url}"),
        (RowNote::WebSocketClosed { code, reason }, lang) => {
            let closed = match lang {
                En => "WebSocket close",
                PtBr => "WebSocket fechado,",
            };
            if reason.is_empty() {
                format!("{closed} {code}")
            } else {
                format!("{closed} {code}: {reason}")
            }
        }
        (RowNote::Undecodable { error }, En) => format!("undecodable bytes: {error}"),
        (RowNote::Undecodable { error }, PtBr) => format!("bytes que não decodificam: {error}"),
        (RowNote::NoPingresp, En) => "keepalive: no PINGRESP".into(),
        (RowNote::NoPingresp, PtBr) => "keepalive: sem PINGRESP".into(),
        (RowNote::Capture(note), lang) => super::capture_note(lang, note),
    }
}

/// A simulator note, in `lang`.
pub fn sim_note(lang: Lang, n: &Note) -> String {
    match lang {
        Lang::En => n.to_string(),
        Lang::PtBr => note_pt(n),
    }
}

/// Why a packet was delayed, copied or lost, in `lang`.
pub fn packet_note(lang: Lang, n: &PacketNote) -> String {
    if lang == Lang::En {
        return n.to_string();
    }
    let cause = n.cause.as_ref().map(cause_pt);
    match (cause, n.retransmissions) {
        (Some(c), 0) => c,
        (Some(c), k) => format!("{c}; perdido e retransmitido {k}x"),
        (None, k) => format!("perdido e retransmitido {k}x"),
    }
}

/// What runs on a node, in `lang`.
pub fn app(lang: Lang, a: &AppSummary) -> String {
    if lang == Lang::En {
        return a.to_string();
    }
    match a {
        AppSummary::Idle => "parado".into(),
        AppSummary::Client => "cliente".into(),
        AppSummary::Command(c) => c.clone(),
        AppSummary::Sensor { topic, period } => format!("sensor {topic} a cada {period:?}"),
        AppSummary::Actuator { topic, on } => {
            format!(
                "atuador {topic} ({})",
                if *on { "ligado" } else { "desligado" }
            )
        }
        AppSummary::Controller { input, output } => format!("controlador {input} -> {output}"),
        AppSummary::Esp32(p) => format!("esp32 {}", p.name()),
        AppSummary::Responder { topic, reply } => format!("responde a {topic} com \"{reply}\""),
    }
}

/// What a fault rule did, in `lang`.
pub fn fault_event(lang: Lang, e: &FaultEvent) -> String {
    if lang == Lang::En {
        return e.to_string();
    }
    match e {
        FaultEvent::Armed => "armada".into(),
        FaultEvent::Disarmed => "desarmada".into(),
        FaultEvent::Acted {
            action,
            packet,
            from,
            to,
        } => {
            let done = match action {
                FaultAction::Drop => "descartou",
                FaultAction::Delay(_) => "atrasou",
                FaultAction::Duplicate => "duplicou",
                FaultAction::Stall { .. } => "reteve",
                FaultAction::Misbehave(mqttlab_core::sim::Misbehaviour::Forget) => "não enviou",
                FaultAction::Misbehave(_) => "enviou errado",
            };
            format!("{done} {packet} {from} -> {to}")
        }
        FaultEvent::NotReading { client, window } => format!(
            "{client} parou de ler: o que o broker envia espera na janela de recepção TCP dele ({window} bytes)"
        ),
        FaultEvent::WindowFull { client } => format!(
            "a janela de recepção de {client} está cheia: o socket do broker guarda o resto, contado nos limites de {client}"
        ),
    }
}

/// How many more packets a bounded fault rule acts on: `(1 left)`.
pub fn fault_left(lang: Lang, n: u32) -> String {
    match (lang, n) {
        (Lang::En, n) => format!("({n} left)"),
        (Lang::PtBr, 1) => "(resta 1)".into(),
        (Lang::PtBr, n) => format!("(restam {n})"),
    }
}

/// Why an MQTT connection ended, in `lang`.
pub fn disconnect_reason(lang: Lang, r: &DisconnectReason) -> String {
    if lang == Lang::En {
        return r.to_string();
    }
    match r {
        DisconnectReason::Requested => "desconectado pelo cliente".into(),
        DisconnectReason::TransportClosed => "conexão fechada pelo broker".into(),
        DisconnectReason::Refused(c) => connack_pt(*c).into(),
        DisconnectReason::RefusedV5(c) => format!("conexão recusada pelo broker (código {c:#04x})"),
        DisconnectReason::ByServer(c) => format!("DISCONNECT do broker (código {c:#04x})"),
        DisconnectReason::PingTimeout => "sem PINGRESP do broker (keepalive)".into(),
        DisconnectReason::ConnectTimeout => "sem CONNACK do broker".into(),
        DisconnectReason::Protocol(e) => format!("erro de protocolo: {}", protocol_pt(e)),
    }
}

fn note_pt(n: &Note) -> String {
    match n {
        Note::Started(a) => format!("$ {}", app(Lang::PtBr, a)),
        Note::Connected { session_present } => {
            format!(
                "conectado (sessão presente: {})",
                u8::from(*session_present)
            )
        }
        Note::ConnackRefused(c) => format!("CONNACK recusado: {}", connack_pt(*c)),
        Note::Disconnected(d) => format!("desconectado: {}", disconnect_pt(d)),
        Note::WrongPort { listening, port } => {
            format!("conexão recusada: o broker escuta na porta {listening}, não na {port}")
        }
        Note::NoBrokerAt { host, what } => match what {
            HostMiss::Itself => format!(
                "conexão recusada: {host} é este próprio nó, que não roda broker (-h indica o broker)"
            ),
            HostMiss::NotABroker => format!("conexão recusada: {host} não roda broker"),
            HostMiss::OtherBroker(mine) => {
                format!("sem rota para {host}: o enlace deste nó vai para o {mine}")
            }
            HostMiss::UnknownName => format!("não conecta: nenhum host se chama {host}"),
            HostMiss::UnknownAddress => {
                format!("sem rota para {host}: nenhum host tem esse endereço")
            }
        },
        Note::NoWifi => "não conecta: o Wi-Fi está fora".into(),
        Note::Exited => "o programa terminou".into(),
        Note::Interrupted => "interrompido (Ctrl-C): DISCONNECT".into(),
        Note::Aborted => "interrompido (Ctrl-C): o socket fecha sem DISCONNECT".into(),
        Note::Killed => "derrubado: o socket fecha sem DISCONNECT".into(),
        Note::GoneSilently => "sumiu em silêncio: sem FIN, a conexão fica semiaberta".into(),
        Note::Partitioned => "rede partida: nada passa".into(),
        Note::Healed => "rede restaurada".into(),
        Note::LinkChanged(changes) if changes.is_empty() => "enlace: sem mudança".into(),
        Note::LinkChanged(changes) => {
            let list: Vec<String> = changes.iter().map(|o| link_option_pt(*o)).collect();
            format!("enlace: {}", list.join(", "))
        }
        Note::WifiDown(d) => format!("Wi-Fi fora por {}s", d.as_secs_f32()),
        Note::WifiUp => "Wi-Fi de volta".into(),
        Note::TcpGaveUp {
            retransmissions,
            conn,
        } => format!(
            "o TCP desistiu após {retransmissions} retransmissões: conexão #{conn} abortada (RST)"
        ),
        Note::Switched { on: true } => "ligado".into(),
        Note::Switched { on: false } => "desligado".into(),
        Note::Heater {
            reading,
            setpoint,
            on,
        } => format!(
            "{} contra {}: aquecedor {}",
            decimal_pt(reading.0),
            decimal_pt(setpoint.0),
            if *on { "ligado" } else { "desligado" }
        ),
        Note::Answered { topic } => format!("respondeu em {topic}"),
        Note::ReadsAgain { client, packets } => {
            if *packets == 1 {
                format!("{client} volta a ler: 1 pacote esperava por ele")
            } else {
                format!("{client} volta a ler: {packets} pacotes esperavam por ele")
            }
        }
        Note::LibraryConnected(p) => format!("MQTT conectado ({})", p.name()),
        Note::OutboxResend { topic } => format!("fila de saída: reenviando {topic}"),
        Note::LibraryDisconnected(r) => {
            format!("MQTT desconectado: {}", disconnect_reason(Lang::PtBr, r))
        }
    }
}

/// One decimal, with the comma Portuguese writes: `21,5`.
fn decimal_pt(x: f64) -> String {
    format!("{x:.1}").replace('.', ",")
}

fn disconnect_pt(d: &Disconnect) -> String {
    match d {
        Disconnect::WifiLost => "a conexão Wi-Fi caiu".into(),
        Disconnect::TcpReset => "conexão abortada (RST): o TCP desistiu".into(),
        Disconnect::Client(r) => disconnect_reason(Lang::PtBr, r),
    }
}

fn link_option_pt(o: LinkOption) -> String {
    let word = match o {
        LinkOption::Bandwidth(None) => return "banda ilimitada".into(),
        LinkOption::Latency(_) => "latência",
        LinkOption::Jitter(_) => "jitter",
        LinkOption::Bandwidth(Some(_)) => "banda",
        LinkOption::Loss(_) => "perda",
        LinkOption::Rto(_) => "rto",
        LinkOption::Retries(_) => "tentativas",
    };
    format!("{word} {}", o.value())
}

fn connack_pt(c: ConnectReturnCode) -> &'static str {
    match c {
        ConnectReturnCode::Accepted => "Conexão aceita",
        ConnectReturnCode::UnacceptableProtocolVersion => {
            "Conexão recusada, versão de protocolo inaceitável"
        }
        ConnectReturnCode::IdentifierRejected => "Conexão recusada, identificador rejeitado",
        ConnectReturnCode::ServerUnavailable => "Conexão recusada, servidor indisponível",
        ConnectReturnCode::BadUserNameOrPassword => "Conexão recusada, usuário ou senha incorretos",
        ConnectReturnCode::NotAuthorized => "Conexão recusada, não autorizado",
    }
}

/// Why a broker's bytes were not accepted, in `lang`.
pub fn protocol_error(lang: Lang, e: &ProtocolError) -> String {
    match lang {
        Lang::En => e.to_string(),
        Lang::PtBr => protocol_pt(e),
    }
}

fn protocol_pt(e: &ProtocolError) -> String {
    match e {
        // The codec's own message names the byte and the rule; it stays as it is.
        ProtocolError::Malformed(m) => format!("pacote malformado: {m}"),
        ProtocolError::UnexpectedPacket(t) => {
            format!("{t} nunca é enviado por um broker a um cliente")
        }
        ProtocolError::ExpectedConnack(t) => {
            format!("{t} antes do CONNACK (o primeiro pacote deve ser CONNACK, MQTT-3.2.0-1)")
        }
        ProtocolError::DuplicateConnack => "um segundo CONNACK na mesma conexão".into(),
        ProtocolError::SubackCountMismatch { expected, got } => {
            format!("SUBACK com {got} códigos de retorno para {expected} filtros (MQTT-3.9.3-1)")
        }
        ProtocolError::TopicAliasInvalid(a) => format!("alias de tópico inválido: {a}"),
        ProtocolError::ReceiveMaximumExceeded => {
            "mais mensagens QoS 2 pendentes do que o nosso Receive Maximum".into()
        }
        ProtocolError::PacketTooLarge { size, max } => {
            format!("pacote de {size} bytes excede o máximo de {max}")
        }
        ProtocolError::Authentication(e) => format!("autenticação falhou: {}", auth_pt(e)),
    }
}

/// Why our side of a SCRAM exchange failed.
fn auth_pt(e: &mqttlab_core::client::AuthFailed) -> String {
    use mqttlab_core::client::AuthFailed as A;
    match e {
        A::ServerNotProven => "o broker não provou que conhece a senha".into(),
        A::BadStep => "um passo de autenticação que não cabe na troca".into(),
    }
}

fn cause_pt(c: &PacketCause) -> String {
    match c {
        // The rule is shown in the scenario language's words, as it was written.
        PacketCause::DroppedByFault { rule } => rule.clone(),
        PacketCause::DelayedByFault { rule } => format!("atrasado pela falha \"{rule}\""),
        PacketCause::DuplicateMade => "cópia feita por uma regra de falha".into(),
        PacketCause::Duplicate => "cópia".into(),
        PacketCause::ClientGone => "o cliente sumiu (conexão semiaberta)".into(),
        PacketCause::WifiDown => "o Wi-Fi do cliente está fora".into(),
        PacketCause::NoConnection => "a conexão não existe mais no cliente".into(),
        PacketCause::BrokerClosed => "o broker já tinha fechado esta conexão".into(),
        PacketCause::TooBig { len } => {
            format!("{len} bytes não cabem no buffer da biblioteca do cliente: descartado")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::time::Duration;

    #[test]
    fn notes_read_in_portuguese_from_data() {
        let pt = |n: Note| sim_note(Lang::PtBr, &n);
        assert_eq!(
            pt(Note::Connected {
                session_present: true
            }),
            "conectado (sessão presente: 1)"
        );
        assert_eq!(
            pt(Note::Disconnected(Disconnect::Client(
                DisconnectReason::PingTimeout
            ))),
            "desconectado: sem PINGRESP do broker (keepalive)"
        );
        assert_eq!(
            pt(Note::OutboxResend { topic: "m3".into() }),
            "fila de saída: reenviando m3"
        );
        assert_eq!(
            pt(Note::Started(AppSummary::Command(
                "mosquitto_sub -t x".into()
            ))),
            "$ mosquitto_sub -t x"
        );
        assert_eq!(
            pt(Note::LinkChanged(vec![
                LinkOption::Latency(Duration::from_millis(300)),
                LinkOption::Loss(100_000),
                LinkOption::Bandwidth(None),
            ])),
            "enlace: latência 300ms, perda 10%, banda ilimitada"
        );
        assert_eq!(
            pt(Note::TcpGaveUp {
                retransmissions: 5,
                conn: 1
            }),
            "o TCP desistiu após 5 retransmissões: conexão #1 abortada (RST)"
        );
        assert_eq!(
            pt(Note::ConnackRefused(ConnectReturnCode::NotAuthorized)),
            "CONNACK recusado: Conexão recusada, não autorizado"
        );
        // English is core's one rendering.
        assert_eq!(sim_note(Lang::En, &Note::Healed), "network healed");
    }

    #[test]
    fn faults_and_packet_notes_read_in_both_languages() {
        let armed = RowNote::Fault {
            rule: "drop next PUBACK to a".into(),
            event: FaultEvent::Armed,
        };
        assert_eq!(
            row_note(Lang::PtBr, &armed),
            "drop next PUBACK to a: armada"
        );
        assert_eq!(row_note(Lang::En, &armed), "drop next PUBACK to a: armed");
        let acted = RowNote::Fault {
            rule: "drop next PUBACK to a".into(),
            event: FaultEvent::Acted {
                action: FaultAction::Drop,
                packet: "PUBACK m1".into(),
                from: "b".into(),
                to: "a".into(),
            },
        };
        assert_eq!(
            row_note(Lang::PtBr, &acted),
            "drop next PUBACK to a: descartou PUBACK m1 b -> a"
        );
        let n = PacketNote {
            cause: Some(PacketCause::Duplicate),
            retransmissions: 2,
        };
        assert_eq!(
            packet_note(Lang::PtBr, &n),
            "cópia; perdido e retransmitido 2x"
        );
        assert_eq!(
            packet_note(Lang::En, &n),
            "duplicate; lost and retransmitted 2x"
        );
        assert_eq!(
            row_note(
                Lang::PtBr,
                &RowNote::KeepaliveExpired {
                    client: "sensor1".into()
                }
            ),
            "keepalive expirou: sensor1"
        );
        assert_eq!(app(Lang::PtBr, &AppSummary::Idle), "parado");
    }
}
