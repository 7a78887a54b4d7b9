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
    ExampleV5Publish,
    VersionLabel,
    VersionAuto,
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
    Session,
    Subscriptions,
    Inflight,
    Queued,
    DroppedCount,
    DroppedHelp,
    MessagesDropped,
    ArmRule,
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
    AddClient,
    Faults,
    ArmFault,
    FaultHelp,
    AddClientHelp,
    Latency,
    Loss,
    LinkHelp,
    MoreNodes,
    MoreSessions,
    Running,
    RunsIn,
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
    NavConnect,
    ConnectIntro,
    BrokerUrl,
    ServerUpstreams,
    ClientIdLabel,
    KeepaliveLabel,
    Username,
    Password,
    WillTopic,
    WillPayload,
    WillQos,
    WillRetain,
    ConnectButton,
    DisconnectButton,
    PublishTitle,
    SubscribeTitle,
    MessageLabel,
    QosLabel,
    RetainLabel,
    LiveEvents,
    StateIdle,
    StateOpening,
    StateWaitingConnack,
    StateConnected,
    NoRequestUntilConnect,
    UrlEmpty,
    UrlScheme,
    UrlNoHost,
    UrlBadPort,
    UrlSpaces,
    UrlRejected,
    BadKeepalive,
    BadWillTopic,
    WsCouldNotOpen,
    ServerClosed,
    CloseCodeLabel,
    CloseReasonLabel,
    Close1008,
    Close1011,
    Close1013,
    Close1001,
    Close1002,
    Close1009,
    Refused1,
    Refused2,
    Refused3,
    Refused4,
    Refused5,
    Dropped,
    PingTimeoutMsg,
    ConnectTimeoutMsg,
    ProtocolErrorMsg,
    NotConnectedYet,
    NotInBrowser,
    HostIgnored,
    CleanSessionLabel,
    LogOpening,
    LogOpen,
    LogWsError,
    LogClosed,
    LogUnclean,
    LogSent,
    LogGot,
    LogAccepted,
    LogDelivered,
    LogGranted,
    LogUnsubscribed,
    LogPubrec,
    LogPubrel,
    LogPong,
    LogEnded,
    LogTextFrame,
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
        (ExampleV5Publish, En) => "An MQTT 5.0 PUBLISH with properties",
        (ExampleV5Publish, PtBr) => "Um PUBLISH MQTT 5.0 com propriedades",
        (VersionLabel, En) => "Protocol version",
        (VersionLabel, PtBr) => "Versão do protocolo",
        (VersionAuto, En) => "From the CONNECT (3.1.1 before one)",
        (VersionAuto, PtBr) => "Pelo CONNECT (3.1.1 antes dele)",
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
        (Session, En) => "session",
        (Session, PtBr) => "sessão",
        (Subscriptions, En) => "subscriptions",
        (Subscriptions, PtBr) => "assinaturas",
        (Inflight, En) => "in flight",
        (Inflight, PtBr) => "em trânsito",
        (Queued, En) => "queued",
        (Queued, PtBr) => "na fila",
        (DroppedCount, En) => "dropped",
        (DroppedCount, PtBr) => "descartadas",
        (DroppedHelp, En) => {
            "Messages the broker dropped for a client that could not keep up: its socket was not taking them (QoS 0) or its queue was full (max_queued_messages)"
        }
        (DroppedHelp, PtBr) => {
            "Mensagens que o broker descartou para um cliente que não dava conta: o socket dele não as aceitava (QoS 0) ou a fila estava cheia (max_queued_messages)"
        }
        (MessagesDropped, En) => "Messages dropped for slow clients",
        (MessagesDropped, PtBr) => "Mensagens descartadas para clientes lentos",
        (ArmRule, En) => "In the Fault rule field, arm",
        (ArmRule, PtBr) => "No campo Regra de falha, arme",
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
        (Faults, En) => "Fault rule",
        (Faults, PtBr) => "Regra de falha",
        (ArmFault, En) => "Arm",
        (ArmFault, PtBr) => "Armar",
        (FaultHelp, En) => {
            "Drop, delay or duplicate MQTT packets from now on, in the scenario language: drop next PUBACK to sensor1 · drop PINGRESP to sub1 for 60s · delay PUBREC by 5s · duplicate next PUBLISH from pub1"
        }
        (FaultHelp, PtBr) => {
            "Descarta, atrasa ou duplica pacotes MQTT daqui em diante, na linguagem dos cenários: drop next PUBACK to sensor1 · drop PINGRESP to sub1 for 60s · delay PUBREC by 5s · duplicate next PUBLISH from pub1"
        }
        (AddClient, En) => "+ client",
        (AddClient, PtBr) => "+ cliente",
        (AddClientHelp, En) => "Add a client on this broker, with a terminal to type mosquitto_pub/sub into",
        (AddClientHelp, PtBr) => {
            "Adiciona um cliente neste broker, com um terminal para digitar mosquitto_pub/sub"
        }
        (Latency, En) => "latency ms",
        (Latency, PtBr) => "latência ms",
        (Loss, En) => "loss %",
        (Loss, PtBr) => "perda %",
        (LinkHelp, En) => {
            "The link to the broker, from now on: one-way delay, and the chance each TCP segment is lost (TCP sends it again, so loss shows as delay)"
        }
        (LinkHelp, PtBr) => {
            "O enlace até o broker, daqui em diante: atraso em cada sentido e a chance de cada segmento TCP se perder (o TCP reenvia, então a perda aparece como atraso)"
        }
        (MoreNodes, En) => "more nodes not listed",
        (MoreNodes, PtBr) => "nós a mais não listados",
        (MoreSessions, En) => "more sessions not listed",
        (MoreSessions, PtBr) => "sessões a mais não listadas",
        (Running, En) => "running…",
        (Running, PtBr) => "executando…",
        (RunsIn, En) => "The world runs in",
        (RunsIn, PtBr) => "O mundo executa em",
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
        (NavConnect, En) => "Real broker",
        (NavConnect, PtBr) => "Broker real",
        (ConnectIntro, En) => "Connect this page to a real MQTT broker over WebSocket. Every packet sent and received appears in the diagram, timestamped by the real clock.",
        (ConnectIntro, PtBr) => "Conecte esta página a um broker MQTT real por WebSocket. Cada pacote enviado e recebido aparece no diagrama, com o horário do relógio real.",
        (BrokerUrl, En) => "Broker address (WebSocket)",
        (BrokerUrl, PtBr) => "Endereço do broker (WebSocket)",
        (ServerUpstreams, En) => "Brokers offered by this server:",
        (ServerUpstreams, PtBr) => "Brokers oferecidos por este servidor:",
        (ClientIdLabel, En) => "Client id",
        (ClientIdLabel, PtBr) => "Identificador do cliente",
        (KeepaliveLabel, En) => "Keep alive (s)",
        (KeepaliveLabel, PtBr) => "Keep alive (s)",
        (Username, En) => "User name",
        (Username, PtBr) => "Usuário",
        (Password, En) => "Password",
        (Password, PtBr) => "Senha",
        (WillTopic, En) => "Will topic",
        (WillTopic, PtBr) => "Tópico do testamento",
        (WillPayload, En) => "Will message",
        (WillPayload, PtBr) => "Mensagem do testamento",
        (WillQos, En) => "Will QoS",
        (WillQos, PtBr) => "QoS do testamento",
        (WillRetain, En) => "Will retained",
        (WillRetain, PtBr) => "Testamento retido",
        (ConnectButton, En) => "Connect",
        (ConnectButton, PtBr) => "Conectar",
        (DisconnectButton, En) => "Disconnect",
        (DisconnectButton, PtBr) => "Desconectar",
        (PublishTitle, En) => "Publish",
        (PublishTitle, PtBr) => "Publicar",
        (SubscribeTitle, En) => "Subscribe",
        (SubscribeTitle, PtBr) => "Assinar",
        (MessageLabel, En) => "Message",
        (MessageLabel, PtBr) => "Mensagem",
        (QosLabel, En) => "QoS",
        (QosLabel, PtBr) => "QoS",
        (RetainLabel, En) => "Retain",
        (RetainLabel, PtBr) => "Reter",
        (LiveEvents, En) => "Events",
        (LiveEvents, PtBr) => "Eventos",
        (StateIdle, En) => "not connected",
        (StateIdle, PtBr) => "não conectado",
        (StateOpening, En) => "opening the WebSocket…",
        (StateOpening, PtBr) => "abrindo o WebSocket…",
        (StateWaitingConnack, En) => "CONNECT sent, waiting for CONNACK…",
        (StateWaitingConnack, PtBr) => "CONNECT enviado, aguardando o CONNACK…",
        (StateConnected, En) => "connected",
        (StateConnected, PtBr) => "conectado",
        (NoRequestUntilConnect, En) => "Nothing is sent anywhere until you press Connect.",
        (NoRequestUntilConnect, PtBr) => "Nada é enviado a lugar nenhum até você apertar Conectar.",
        (UrlEmpty, En) => "Type the broker's address, such as ws://127.0.0.1:9001/.",
        (UrlEmpty, PtBr) => "Digite o endereço do broker, por exemplo ws://127.0.0.1:9001/.",
        (UrlScheme, En) => "The address must start with ws:// (or wss:// for an encrypted connection). It starts with:",
        (UrlScheme, PtBr) => "O endereço deve começar com ws:// (ou wss:// para conexão cifrada). Ele começa com:",
        (UrlNoHost, En) => "The address has no host: write the machine's name or IP after ws://, e.g. ws://127.0.0.1:9001/.",
        (UrlNoHost, PtBr) => "O endereço não tem host: escreva o nome ou o IP da máquina depois de ws://, por exemplo ws://127.0.0.1:9001/.",
        (UrlBadPort, En) => "The port must be a number from 1 to 65535, not:",
        (UrlBadPort, PtBr) => "A porta deve ser um número de 1 a 65535, e não:",
        (UrlSpaces, En) => "The address cannot contain spaces.",
        (UrlSpaces, PtBr) => "O endereço não pode conter espaços.",
        (UrlRejected, En) => "The browser refused this address:",
        (UrlRejected, PtBr) => "O navegador recusou este endereço:",
        (BadKeepalive, En) => "Keep alive must be a whole number of seconds from 0 to 65535.",
        (BadKeepalive, PtBr) => "O keep alive deve ser um número inteiro de segundos, de 0 a 65535.",
        (BadWillTopic, En) => "The will topic is not valid:",
        (BadWillTopic, PtBr) => "O tópico do testamento não é válido:",
        (WsCouldNotOpen, En) => "Could not open a WebSocket to this address: nothing is listening there, the machine is unreachable, or the server refused the connection. Is the broker running, with a WebSocket listener on this port and path?",
        (WsCouldNotOpen, PtBr) => "Não foi possível abrir um WebSocket neste endereço: nada está escutando ali, a máquina está inacessível ou o servidor recusou a conexão. O broker está rodando, com um listener WebSocket nesta porta e caminho?",
        (ServerClosed, En) => "The server closed the WebSocket",
        (ServerClosed, PtBr) => "O servidor fechou o WebSocket",
        (CloseCodeLabel, En) => "close code",
        (CloseCodeLabel, PtBr) => "código de fechamento",
        (CloseReasonLabel, En) => "reason",
        (CloseReasonLabel, PtBr) => "motivo",
        (Close1008, En) => "the server does not allow this: an unknown broker name in the address, or no CONNECT in time.",
        (Close1008, PtBr) => "o servidor não permite isto: um nome de broker desconhecido no endereço, ou nenhum CONNECT a tempo.",
        (Close1011, En) => "the server could not reach the broker behind it, or the broker failed.",
        (Close1011, PtBr) => "o servidor não conseguiu falar com o broker por trás dele, ou o broker falhou.",
        (Close1013, En) => "the server has too many connections; try again later.",
        (Close1013, PtBr) => "o servidor está com conexões demais; tente mais tarde.",
        (Close1001, En) => "the connection was idle for too long, or the server is shutting down.",
        (Close1001, PtBr) => "a conexão ficou ociosa tempo demais, ou o servidor está sendo desligado.",
        (Close1002, En) => "the server did not understand what was sent as MQTT.",
        (Close1002, PtBr) => "o servidor não entendeu como MQTT o que foi enviado.",
        (Close1009, En) => "a message was larger than the server accepts.",
        (Close1009, PtBr) => "uma mensagem era maior do que o servidor aceita.",
        (Refused1, En) => "Refused (CONNACK 1): the broker does not speak this version of MQTT (3.1.1).",
        (Refused1, PtBr) => "Recusado (CONNACK 1): o broker não fala esta versão do MQTT (3.1.1).",
        (Refused2, En) => "Refused (CONNACK 2): the broker does not accept this client id. Try another one.",
        (Refused2, PtBr) => "Recusado (CONNACK 2): o broker não aceita este identificador de cliente. Tente outro.",
        (Refused3, En) => "Refused (CONNACK 3): the MQTT service is unavailable on the broker right now.",
        (Refused3, PtBr) => "Recusado (CONNACK 3): o serviço MQTT do broker está indisponível agora.",
        (Refused4, En) => "Refused (CONNACK 4): wrong user name or password.",
        (Refused4, PtBr) => "Recusado (CONNACK 4): usuário ou senha errados.",
        (Refused5, En) => "Refused (CONNACK 5): this client is not authorized to connect (the broker may require a user name and password).",
        (Refused5, PtBr) => "Recusado (CONNACK 5): este cliente não está autorizado a conectar (o broker pode exigir usuário e senha).",
        (Dropped, En) => "The connection dropped: the broker or the network closed it.",
        (Dropped, PtBr) => "A conexão caiu: o broker ou a rede a fechou.",
        (PingTimeoutMsg, En) => "The broker did not answer PINGREQ within the keep alive time: the connection is considered dead and was closed.",
        (PingTimeoutMsg, PtBr) => "O broker não respondeu ao PINGREQ dentro do tempo de keep alive: a conexão foi considerada morta e fechada.",
        (ConnectTimeoutMsg, En) => "The broker never answered CONNECT with a CONNACK.",
        (ConnectTimeoutMsg, PtBr) => "O broker nunca respondeu ao CONNECT com um CONNACK.",
        (ProtocolErrorMsg, En) => "The broker sent something that is not valid MQTT 3.1.1, so the client closed the connection:",
        (ProtocolErrorMsg, PtBr) => "O broker enviou algo que não é MQTT 3.1.1 válido, e o cliente fechou a conexão:",
        (NotConnectedYet, En) => "Not connected: press Connect first.",
        (NotConnectedYet, PtBr) => "Não conectado: aperte Conectar primeiro.",
        (NotInBrowser, En) => "reads a file or standard input, which a browser page does not have; use -m.",
        (NotInBrowser, PtBr) => "lê um arquivo ou a entrada padrão, que uma página do navegador não tem; use -m.",
        (HostIgnored, En) => "-h/-p ignored: the command uses this page's connection",
        (HostIgnored, PtBr) => "-h/-p ignorados: o comando usa a conexão desta página",
        (CleanSessionLabel, En) => "Clean session",
        (CleanSessionLabel, PtBr) => "Sessão limpa (clean session)",
        (LogOpening, En) => "opening WebSocket",
        (LogOpening, PtBr) => "abrindo WebSocket",
        (LogOpen, En) => "WebSocket open, subprotocol",
        (LogOpen, PtBr) => "WebSocket aberto, subprotocolo",
        (LogWsError, En) => "the browser reports a WebSocket error",
        (LogWsError, PtBr) => "o navegador informa um erro no WebSocket",
        (LogClosed, En) => "WebSocket closed, code",
        (LogClosed, PtBr) => "WebSocket fechado, código",
        (LogUnclean, En) => "without a closing handshake",
        (LogUnclean, PtBr) => "sem o aperto de mão de fechamento",
        (LogSent, En) => "sent",
        (LogSent, PtBr) => "enviado",
        (LogGot, En) => "received",
        (LogGot, PtBr) => "recebido",
        (LogAccepted, En) => "the broker accepted the connection",
        (LogAccepted, PtBr) => "o broker aceitou a conexão",
        (LogDelivered, En) => "message delivered, the exchange is complete",
        (LogDelivered, PtBr) => "mensagem entregue, a troca terminou",
        (LogGranted, En) => "subscription granted:",
        (LogGranted, PtBr) => "assinatura concedida:",
        (LogUnsubscribed, En) => "subscription removed",
        (LogUnsubscribed, PtBr) => "assinatura removida",
        (LogPubrec, En) => "the broker has the message (PUBREC), releasing it with PUBREL",
        (LogPubrec, PtBr) => "o broker tem a mensagem (PUBREC); liberando com PUBREL",
        (LogPubrel, En) => "the broker released the message (PUBREL), completing with PUBCOMP",
        (LogPubrel, PtBr) => "o broker liberou a mensagem (PUBREL); concluindo com PUBCOMP",
        (LogPong, En) => "PINGRESP: the broker is alive",
        (LogPong, PtBr) => "PINGRESP: o broker está vivo",
        (LogEnded, En) => "MQTT connection ended:",
        (LogEnded, PtBr) => "conexão MQTT encerrada:",
        (LogTextFrame, En) => "text frame ignored (MQTT uses binary frames):",
        (LogTextFrame, PtBr) => "quadro de texto ignorado (MQTT usa quadros binários):",
    }
}

/// A note the simulator writes on a lifeline (state changes, timers), in `lang`.
/// The simulator speaks English; notes it does not know stay as they are.
pub fn note(lang: Lang, text: &str) -> String {
    if lang == Lang::En {
        return text.to_string();
    }
    fn reason(r: &str) -> String {
        match r {
            "disconnected by the client" => "desconectado pelo cliente".into(),
            "connection closed by the broker" => "conexão fechada pelo broker".into(),
            "connection reset: TCP gave up" => "conexão reiniciada (RST): o TCP desistiu".into(),
            "no PINGRESP from the broker (keep alive)" => {
                "sem PINGRESP do broker (keep alive)".into()
            }
            "no CONNACK from the broker" => "sem CONNACK do broker".into(),
            "the Wi-Fi connection was lost" => "a conexão Wi-Fi caiu".into(),
            other => other.to_string(),
        }
    }
    let fixed = match text {
        "TCP connect" => Some("conexão TCP"),
        "killed: the socket is closed without DISCONNECT" => {
            Some("derrubado: o socket fecha sem DISCONNECT")
        }
        "gone silently: no FIN, the connection is half-open" => {
            Some("sumiu em silêncio: sem FIN, a conexão fica meia-aberta")
        }
        "interrupted (Ctrl-C): DISCONNECT" => Some("interrompido (Ctrl-C): DISCONNECT"),
        "program exited" => Some("o programa terminou"),
        "network partition: nothing gets through" => Some("rede partida: nada passa"),
        "network healed" => Some("rede restaurada"),
        "Wi-Fi up" => Some("Wi-Fi de volta"),
        "cannot connect: Wi-Fi is down" => Some("não conecta: o Wi-Fi está fora"),
        "idle" => Some("parado"),
        "client" => Some("cliente"),
        "switched on" => Some("ligado"),
        "switched off" => Some("desligado"),
        "link: unchanged" => Some("enlace: sem mudança"),
        _ => None,
    };
    if let Some(f) = fixed {
        return f.to_string();
    }
    let prefixed: [(&str, &str); 7] = [
        (
            "connected (session present: ",
            "conectado (sessão presente: ",
        ),
        ("MQTT connected (", "MQTT conectado ("),
        ("Wi-Fi down for ", "Wi-Fi fora por "),
        ("outbox: sending ", "outbox: reenviando "),
        ("⏱ keepalive expired: ", "⏱ keepalive expirou: "),
        ("connection refused: ", "conexão recusada: "),
        ("$ ", "$ "),
    ];
    for (en, pt) in prefixed {
        if let Some(rest) = text.strip_prefix(en) {
            let rest = rest.strip_suffix(" again").unwrap_or(rest);
            return format!("{pt}{rest}");
        }
    }
    if let Some(changes) = text.strip_prefix("link: ") {
        let mut pt = changes.to_string();
        for (en, to) in [
            ("latency ", "latência "),
            ("loss ", "perda "),
            ("bandwidth unlimited", "banda ilimitada"),
            ("bandwidth ", "banda "),
            ("retries ", "tentativas "),
        ] {
            pt = pt.replace(en, to);
        }
        return format!("enlace: {pt}");
    }
    // `TCP gave up after 5 retransmissions: connection #1 reset`
    if let Some((n, conn)) = text
        .strip_prefix("TCP gave up after ")
        .and_then(|r| r.split_once(" retransmissions: connection "))
    {
        let conn = conn.strip_suffix(" reset").unwrap_or(conn);
        return format!("o TCP desistiu após {n} retransmissões: conexão {conn} reiniciada (RST)");
    }
    // A fault rule's notes: `drop next PUBACK to a: armed`, `...: dropped PUBACK b -> a`
    // (the rule itself stays in the scenario language's words).
    if let Some(rule) = text.strip_suffix(": armed") {
        return format!("{rule}: armada");
    }
    for (en, pt) in [
        (": dropped ", ": descartou "),
        (": delayed ", ": atrasou "),
        (": duplicated ", ": duplicou "),
    ] {
        if let Some((rule, what)) = text.split_once(en) {
            return format!("{rule}{pt}{what}");
        }
    }
    for (en, pt) in [
        ("MQTT disconnected: ", "MQTT desconectado: "),
        ("disconnected: ", "desconectado: "),
    ] {
        if let Some(r) = text.strip_prefix(en) {
            return format!("{pt}{}", reason(r));
        }
    }
    text.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simulator_notes_read_in_portuguese() {
        assert_eq!(
            note(Lang::PtBr, "connected (session present: 1)"),
            "conectado (sessão presente: 1)"
        );
        assert_eq!(
            note(
                Lang::PtBr,
                "disconnected: no PINGRESP from the broker (keep alive)"
            ),
            "desconectado: sem PINGRESP do broker (keep alive)"
        );
        assert_eq!(
            note(Lang::PtBr, "outbox: sending m3 again"),
            "outbox: reenviando m3"
        );
        assert_eq!(
            note(Lang::PtBr, "$ mosquitto_sub -t x"),
            "$ mosquitto_sub -t x"
        );
        assert_eq!(
            note(Lang::PtBr, "drop next PUBACK to a: armed"),
            "drop next PUBACK to a: armada"
        );
        assert_eq!(
            note(Lang::PtBr, "drop next PUBACK to a: dropped PUBACK b -> a"),
            "drop next PUBACK to a: descartou PUBACK b -> a"
        );
        assert_eq!(
            note(Lang::PtBr, "link: latency 300ms, loss 10%"),
            "enlace: latência 300ms, perda 10%"
        );
        assert_eq!(
            note(
                Lang::PtBr,
                "TCP gave up after 5 retransmissions: connection #1 reset"
            ),
            "o TCP desistiu após 5 retransmissões: conexão #1 reiniciada (RST)"
        );
        assert_eq!(note(Lang::En, "network healed"), "network healed");
        assert_eq!(note(Lang::PtBr, "something new"), "something new");
    }

    #[test]
    fn browser_tags_pick_the_language() {
        assert_eq!(Lang::from_tag("pt-BR"), Lang::PtBr);
        assert_eq!(Lang::from_tag("pt"), Lang::PtBr);
        assert_eq!(Lang::from_tag("en-US"), Lang::En);
        assert_eq!(Lang::from_tag("de"), Lang::En);
    }
}
