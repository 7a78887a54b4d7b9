//! Every string the interface shows, in English and Brazilian Portuguese.
//!
//! Strings are keyed by the [`Text`] enum, so a missing translation is a compile
//! error rather than an empty label in class.

/// A language the lab speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// English.
    En,
    /// Português do Brasil.
    PtBr,
}

impl Lang {
    /// Both languages, in the order the switcher shows them.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::PtBr];

    /// The BCP 47 tag, for `<html lang>` and URLs.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::PtBr => "pt-BR",
        }
    }

    /// The language's own name, for the switcher.
    pub fn name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::PtBr => "Português",
        }
    }

    /// Picks the lab's language for a browser language tag such as `pt-BR` or `en-US`:
    /// any Portuguese gets Portuguese, everything else English.
    pub fn from_tag(tag: &str) -> Lang {
        if tag.to_ascii_lowercase().starts_with("pt") {
            Lang::PtBr
        } else {
            Lang::En
        }
    }

    /// The browser's preferred language, or English when there is no browser.
    pub fn detect() -> Lang {
        web_sys::window()
            .and_then(|w| w.navigator().language())
            .map(|tag| Lang::from_tag(&tag))
            .unwrap_or(Lang::En)
    }
}

/// A string of the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Text {
    Tagline,
    CoreVersion,
    MatcherTitle,
    MatcherIntro,
    FilterLabel,
    TopicLabel,
    Matches,
    NoMatch,
    BadFilter,
    BadTopic,
    Language,
    InspectorTree,
    InspectorEmpty,
    InspectorBytes,
    Bytes,
    InspectTitle,
    InspectIntro,
    HexLabel,
    BadHex,
    ExampleCoursePublish,
    ExampleConnect,
    ExampleMalformed,
    NavTopics,
    NavInspect,
    TimeControls,
    Play,
    Pause,
    Step,
    StepHelp,
    Speed,
    JumpTo,
    Seed,
    Reset,
    Online,
    Offline,
    CleanSession,
    PersistentSession,
    Sessions,
    NoneYet,
    Status,
    Session,
    Subscriptions,
    Inflight,
    Queued,
    Retained,
    PendingWills,
    Dead,
    Kill,
    KillHelp,
    Disconnect,
    DisconnectHelp,
    HalfOpen,
    HalfOpenHelp,
    Partition,
    PartitionHelp,
    Heal,
    HealHelp,
    RestartBroker,
    RestartHelp,
    TerminalPlaceholder,
    SequenceDiagram,
    ClickAnArrow,
    BrokerState,
    BrokerLog,
    ExportSvg,
    ExportJson,
    ExportPcap,
    BadLink,
    BadLinkFallback,
    Scenario,
    Bundled,
    Expectations,
    Line,
    Column,
    RunScenario,
    NavWorkspace,
    NavLabs,
    FromTheCourse,
    Extra,
    StepsDone,
    LabsIntro,
    NoSuchLab,
    BackToLabs,
    RunFor,
    TypeIn,
    Press,
    Predict,
    Hint,
    CheckPassed,
    CheckWaiting,
    WhatHappened,
    Presenter,
    PresenterHelp,
}

/// The string `text` in `lang`.
pub fn t(lang: Lang, text: Text) -> &'static str {
    use Lang::*;
    use Text::*;
    match (text, lang) {
        (Tagline, En) => "An MQTT broker, clients and a network you can pause, break and replay.",
        (Tagline, PtBr) => {
            "Um broker MQTT, clientes e uma rede que você pode pausar, quebrar e repetir."
        }
        (CoreVersion, En) => "core",
        (CoreVersion, PtBr) => "núcleo",
        (MatcherTitle, En) => "Does this subscription receive this topic?",
        (MatcherTitle, PtBr) => "Esta assinatura recebe este tópico?",
        (MatcherIntro, En) => {
            "Type a subscription filter (with + for one level or # for all levels below) \
             and a topic a sensor publishes to. The broker's own matching code answers."
        }
        (MatcherIntro, PtBr) => {
            "Digite um filtro de assinatura (+ vale um nível, # vale todos os níveis abaixo) \
             e o tópico em que um sensor publica. Quem responde é o próprio código do broker."
        }
        (FilterLabel, En) => "Subscription filter",
        (FilterLabel, PtBr) => "Filtro da assinatura",
        (TopicLabel, En) => "Published topic",
        (TopicLabel, PtBr) => "Tópico publicado",
        (Matches, En) => "Delivered: the filter matches the topic.",
        (Matches, PtBr) => "Entregue: o filtro casa com o tópico.",
        (NoMatch, En) => "Not delivered: the filter does not match the topic.",
        (NoMatch, PtBr) => "Não entregue: o filtro não casa com o tópico.",
        (BadFilter, En) => "This filter would be refused:",
        (BadFilter, PtBr) => "Este filtro seria recusado:",
        (BadTopic, En) => "This topic would be refused:",
        (BadTopic, PtBr) => "Este tópico seria recusado:",
        (Language, En) => "Language",
        (Language, PtBr) => "Idioma",
        (InspectorTree, En) => "Packet details",
        (InspectorTree, PtBr) => "Detalhes do pacote",
        (InspectorEmpty, En) => "No bytes to dissect yet.",
        (InspectorEmpty, PtBr) => "Ainda não há bytes para dissecar.",
        (InspectorBytes, En) => "Packet bytes",
        (InspectorBytes, PtBr) => "Bytes do pacote",
        (Bytes, En) => "bytes",
        (Bytes, PtBr) => "bytes",
        (InspectTitle, En) => "Inspect MQTT bytes",
        (InspectTitle, PtBr) => "Inspecionar bytes MQTT",
        (InspectIntro, En) => {
            "Paste bytes in hex, as Wireshark copies them (\"Copy as Hex Stream\" or a hex dump). \
             Hover a field to see its bytes, or a byte to see its field."
        }
        (InspectIntro, PtBr) => {
            "Cole bytes em hexadecimal, como o Wireshark copia (\"Copy as Hex Stream\" ou um hex dump). \
             Passe o mouse num campo para ver seus bytes, ou num byte para ver seu campo."
        }
        (HexLabel, En) => "Bytes (hex)",
        (HexLabel, PtBr) => "Bytes (hexadecimal)",
        (BadHex, En) => "These are not hex bytes:",
        (BadHex, PtBr) => "Isto não são bytes em hexadecimal:",
        (ExampleCoursePublish, En) => "The course's retained QoS 1 PUBLISH",
        (ExampleCoursePublish, PtBr) => "O PUBLISH QoS 1 retido do curso",
        (ExampleConnect, En) => "A CONNECT with a will",
        (ExampleConnect, PtBr) => "Um CONNECT com testamento",
        (ExampleMalformed, En) => "A malformed SUBSCRIBE",
        (ExampleMalformed, PtBr) => "Um SUBSCRIBE malformado",
        (NavTopics, En) => "Topics",
        (NavTopics, PtBr) => "Tópicos",
        (NavInspect, En) => "Inspect bytes",
        (NavInspect, PtBr) => "Inspecionar bytes",
        (TimeControls, En) => "Time controls",
        (TimeControls, PtBr) => "Controle do tempo",
        (Play, En) => "▶ Play",
        (Play, PtBr) => "▶ Executar",
        (Pause, En) => "⏸ Pause",
        (Pause, PtBr) => "⏸ Pausar",
        (Step, En) => "Next packet",
        (Step, PtBr) => "Próximo pacote",
        (StepHelp, En) => "Run until the next packet is sent or delivered",
        (StepHelp, PtBr) => "Avança até o próximo pacote ser enviado ou entregue",
        (Speed, En) => "Speed",
        (Speed, PtBr) => "Velocidade",
        (JumpTo, En) => "Go to time",
        (JumpTo, PtBr) => "Ir para o tempo",
        (Seed, En) => "Seed",
        (Seed, PtBr) => "Semente",
        (Reset, En) => "Restart",
        (Reset, PtBr) => "Reiniciar",
        (Online, En) => "connected",
        (Online, PtBr) => "conectado",
        (Offline, En) => "offline",
        (Offline, PtBr) => "desconectado",
        (CleanSession, En) => "clean",
        (CleanSession, PtBr) => "limpa",
        (PersistentSession, En) => "persistent",
        (PersistentSession, PtBr) => "persistente",
        (Sessions, En) => "Sessions",
        (Sessions, PtBr) => "Sessões",
        (NoneYet, En) => "None yet.",
        (NoneYet, PtBr) => "Nenhuma ainda.",
        (Status, En) => "status",
        (Status, PtBr) => "estado",
        (Session, En) => "session",
        (Session, PtBr) => "sessão",
        (Subscriptions, En) => "subscriptions",
        (Subscriptions, PtBr) => "assinaturas",
        (Inflight, En) => "in flight",
        (Inflight, PtBr) => "em trânsito",
        (Queued, En) => "queued",
        (Queued, PtBr) => "na fila",
        (Retained, En) => "Retained messages",
        (Retained, PtBr) => "Mensagens retidas",
        (PendingWills, En) => "Wills held for connected clients",
        (PendingWills, PtBr) => "Testamentos guardados dos clientes conectados",
        (Dead, En) => "no process",
        (Dead, PtBr) => "sem processo",
        (Kill, En) => "Kill",
        (Kill, PtBr) => "Derrubar",
        (KillHelp, En) => "Close the connection without DISCONNECT, as if the program crashed: the will fires",
        (KillHelp, PtBr) => "Fecha a conexão sem DISCONNECT, como se o programa travasse: o testamento dispara",
        (Disconnect, En) => "Ctrl-C",
        (Disconnect, PtBr) => "Ctrl-C",
        (DisconnectHelp, En) => "Stop the program cleanly: it sends DISCONNECT, so no will",
        (DisconnectHelp, PtBr) => "Para o programa de forma limpa: ele envia DISCONNECT, então sem testamento",
        (HalfOpen, En) => "Half-open",
        (HalfOpen, PtBr) => "Meia-aberta",
        (HalfOpenHelp, En) => "The device vanishes silently (power cut): only keepalive can notice",
        (HalfOpenHelp, PtBr) => "O dispositivo some em silêncio (falta de energia): só o keepalive percebe",
        (Partition, En) => "Cut link",
        (Partition, PtBr) => "Cortar enlace",
        (PartitionHelp, En) => "The network stops carrying packets until healed",
        (PartitionHelp, PtBr) => "A rede para de levar pacotes até ser restaurada",
        (Heal, En) => "Heal link",
        (Heal, PtBr) => "Restaurar enlace",
        (HealHelp, En) => "The network carries packets again; what waited is delivered",
        (HealHelp, PtBr) => "A rede volta a levar pacotes; o que esperava é entregue",
        (RestartBroker, En) => "Restart",
        (RestartBroker, PtBr) => "Reiniciar",
        (RestartHelp, En) => "Restart the broker: it forgets sessions and retained messages",
        (RestartHelp, PtBr) => "Reinicia o broker: ele esquece sessões e mensagens retidas",
        (TerminalPlaceholder, En) => "type mosquitto_sub or mosquitto_pub …",
        (TerminalPlaceholder, PtBr) => "digite mosquitto_sub ou mosquitto_pub …",
        (SequenceDiagram, En) => "Sequence diagram",
        (SequenceDiagram, PtBr) => "Diagrama de sequência",
        (ClickAnArrow, En) => "Click an arrow in the diagram to see its packet, field by field.",
        (ClickAnArrow, PtBr) => "Clique numa seta do diagrama para ver o pacote, campo a campo.",
        (BrokerState, En) => "Broker state",
        (BrokerState, PtBr) => "Estado do broker",
        (BrokerLog, En) => "Broker log (mosquitto -v)",
        (BrokerLog, PtBr) => "Log do broker (mosquitto -v)",
        (ExportSvg, En) => "Diagram (SVG)",
        (ExportSvg, PtBr) => "Diagrama (SVG)",
        (ExportJson, En) => "Trace (JSON)",
        (ExportJson, PtBr) => "Traço (JSON)",
        (ExportPcap, En) => "Capture (pcap)",
        (ExportPcap, PtBr) => "Captura (pcap)",
        (BadLink, En) => "This link could not be opened:",
        (BadLink, PtBr) => "Não foi possível abrir este link:",
        (BadLinkFallback, En) => "The default scenario is shown instead.",
        (BadLinkFallback, PtBr) => "Em vez dele, aparece o cenário padrão.",
        (Scenario, En) => "Scenario",
        (Scenario, PtBr) => "Cenário",
        (Bundled, En) => "Bundled scenarios",
        (Bundled, PtBr) => "Cenários prontos",
        (Expectations, En) => "Expectations",
        (Expectations, PtBr) => "Expectativas",
        (Line, En) => "line",
        (Line, PtBr) => "linha",
        (Column, En) => "column",
        (Column, PtBr) => "coluna",
        (RunScenario, En) => "Run from the start",
        (RunScenario, PtBr) => "Executar do início",
        (NavWorkspace, En) => "Workspace",
        (NavWorkspace, PtBr) => "Bancada",
        (NavLabs, En) => "Guided labs",
        (NavLabs, PtBr) => "Roteiros guiados",
        (FromTheCourse, En) => "course experiment",
        (FromTheCourse, PtBr) => "experimento do curso",
        (Extra, En) => "beyond the course",
        (Extra, PtBr) => "além do curso",
        (StepsDone, En) => "steps done",
        (StepsDone, PtBr) => "passos feitos",
        (LabsIntro, En) => "Each lab is an experiment with a live broker and clients. Type the commands into the terminals, press the controls, predict what happens, and watch the checks turn green.",
        (LabsIntro, PtBr) => "Cada roteiro é um experimento com um broker e clientes de verdade, simulados. Digite os comandos nos terminais, use os controles, preveja o que vai acontecer e veja as verificações ficarem verdes.",
        (NoSuchLab, En) => "There is no lab called",
        (NoSuchLab, PtBr) => "Não existe roteiro chamado",
        (BackToLabs, En) => "← All labs",
        (BackToLabs, PtBr) => "← Todos os roteiros",
        (RunFor, En) => "Run",
        (RunFor, PtBr) => "Executar",
        (TypeIn, En) => "Type in the terminal of",
        (TypeIn, PtBr) => "Digite no terminal de",
        (Press, En) => "Press the control",
        (Press, PtBr) => "Use o controle",
        (Predict, En) => "Predict:",
        (Predict, PtBr) => "Preveja:",
        (Hint, En) => "Hint",
        (Hint, PtBr) => "Dica",
        (CheckPassed, En) => "✓ done",
        (CheckPassed, PtBr) => "✓ feito",
        (CheckWaiting, En) => "waiting…",
        (CheckWaiting, PtBr) => "aguardando…",
        (WhatHappened, En) => "What happened",
        (WhatHappened, PtBr) => "O que aconteceu",
        (Presenter, En) => "Presenter mode",
        (Presenter, PtBr) => "Modo apresentação",
        (PresenterHelp, En) => "Large type and high contrast for a projector; the diagram takes the screen",
        (PresenterHelp, PtBr) => "Letras grandes e alto contraste para projetor; o diagrama ocupa a tela",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browser_tags_pick_the_language() {
        assert_eq!(Lang::from_tag("pt-BR"), Lang::PtBr);
        assert_eq!(Lang::from_tag("pt"), Lang::PtBr);
        assert_eq!(Lang::from_tag("en-US"), Lang::En);
        assert_eq!(Lang::from_tag("de"), Lang::En);
    }
}
