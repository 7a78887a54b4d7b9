//! A scenario error in the page's language. English is core's own (each type's
//! `Display`); Portuguese is made here by a `match` with a case for every variant
//! and no wildcard, so an error core adds does not compile until it is
//! translated. Words of the scenario language (a keyword, an option, a node's
//! name, a line to write) stay as written, quoted; a tool's refusal is quoted
//! in the tool's own words, as the terminal prints it.

use mqttlab_core::sim::scenario::problem::{
    or_list_quoted, Expected, Incomplete, ModelForm, PUBLISH_PROPERTIES,
};
use mqttlab_core::sim::scenario::{Problem, ScenarioError, Vocabulary};
use mqttlab_core::sim::WorldError;
use mqttlab_core::tools::props::PropertyError;

use super::Lang;

/// What is wrong with a scenario line, in `lang`.
pub fn scenario_error(lang: Lang, e: &ScenarioError) -> String {
    problem(lang, &e.problem)
}

/// A [`Problem`] in `lang`.
pub fn problem(lang: Lang, p: &Problem) -> String {
    match lang {
        Lang::En => p.to_string(),
        Lang::PtBr => problem_pt(p),
    }
}

/// Why a typed fault rule was refused, in `lang`.
pub fn fault_refused(lang: Lang, r: &crate::session::FaultRefused) -> String {
    r.0.iter()
        .map(|(column, p)| match column {
            Some(c) => format!(
                "{} {c}: {}",
                super::t(lang, super::Text::Column),
                problem(lang, p)
            ),
            None => problem(lang, p),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn mean(s: &Option<String>) -> String {
    s.as_ref()
        .map(|s| format!(" (você quis dizer '{s}'?)"))
        .unwrap_or_default()
}

fn quoted_list(words: &[&str]) -> String {
    or_list_quoted(words, "ou")
}

fn problem_pt(p: &Problem) -> String {
    use Problem::*;
    match p {
        UnknownNode { name, suggestion } => {
            format!("nenhum nó se chama '{name}'{}", mean(suggestion))
        }
        UnknownStatement {
            word,
            suggestion: Some(s),
            ..
        } => format!("'{word}' não é uma instrução (você quis dizer '{s}'?)"),
        UnknownStatement { word, all, .. } => format!(
            "'{word}' não é uma instrução; uma linha começa com uma destas: {}",
            quoted_list(all)
        ),
        UnknownAction {
            word,
            suggestion: Some(s),
            ..
        } => format!("'{word}' não é uma ação (você quis dizer '{s}'?)"),
        UnknownAction { word, all, .. } => format!(
            "'{word}' não é uma ação; escreva 'NÓ: COMANDO' ou uma destas: {}",
            quoted_list(all)
        ),
        UnknownWord {
            what: Vocabulary::AclSubject,
            word,
            suggestion,
            ..
        } => format!(
            "uma regra de ACL vale para 'user NOME', 'client ID' ou 'anyone', não para '{word}'{}",
            mean(suggestion)
        ),
        UnknownWord {
            what: Vocabulary::Access,
            word,
            suggestion,
            ..
        } => format!(
            "'{word}' não é um tipo de acesso{}; escreva 'read', 'write', 'readwrite' ou 'deny' e depois o tópico",
            mean(suggestion)
        ),
        UnknownWord {
            what,
            word,
            suggestion: Some(s),
            ..
        } => format!("'{word}' não é {} (você quis dizer '{s}'?)", vocabulary_pt(*what)),
        UnknownWord {
            what, word, all, ..
        } => format!(
            "'{word}' não é {}; use {}",
            vocabulary_pt(*what),
            quoted_list(all)
        ),
        NotADuration { word } => {
            format!("'{word}' não é uma duração (escreva, por exemplo, 5s, 250ms, 1m30s)")
        }
        NotAQos { word } => format!("o QoS é 0, 1 ou 2, não '{word}'"),
        UnknownProperty {
            word,
            suggestion: Some(s),
        } => format!("'{word}' não é uma propriedade (você quis dizer '{s}'?)"),
        UnknownProperty { word, .. } => format!(
            "'{word}' não é uma propriedade; um PUBLISH aceita: {}",
            quoted_list(PUBLISH_PROPERTIES)
        ),
        Property(e) => property_error_pt(e),
        PropertiesNeedV5 { node } => format!(
            "'{node}' fala MQTT 3.1.1, que não tem propriedades: dê a ele 'version 5'"
        ),
        PropertiesWithoutReadings { node } => format!(
            "'with' põe propriedades em cada leitura, e '{node}' não faz leituras: dê a ele 'topic TÓPICO every D'"
        ),
        Missing {
            what,
            at_end: false,
        } => format!("esperava-se {} aqui", expected_pt(*what)),
        Missing { what, at_end: true } => {
            format!("falta {} no fim da linha", expected_pt(*what))
        }
        WrongWord { expected, found } => format!("esperava-se '{expected}', não '{found}'"),
        NoneOf { words } => format!("esperava-se {}", quoted_list(words)),
        NotA { word, what } => format!("'{word}' não é {}", expected_pt(*what)),
        BadTopic { topic, error } => format!(
            "'{topic}' não é um tópico válido: {}",
            crate::components::topic_matcher::explain(Lang::PtBr, error)
        ),
        Unexpected { token } => format!("sobra {token} depois do fim da instrução"),
        NoStatement => {
            "uma linha começa com uma instrução como 'broker', 'at' ou 'expect'".into()
        }
        UnclosedQuote => "falta fechar as aspas deste texto".into(),
        UndeclaredVariable { name } => {
            format!("o cenário não declara a variável '{name}' (param {name} ...)")
        }
        VariableTwice { name } => format!("a variável '{name}' foi declarada duas vezes"),
        VariableNameMissing { at_end: false } => {
            "esperava-se o nome da variável aqui (param qos 0 1 2)".into()
        }
        VariableNameMissing { at_end: true } => {
            "faltam o nome da variável e os seus valores (param qos 0 1 2)".into()
        }
        BadVariableName { name } => format!(
            "'{name}' não é um nome de variável: uma letra e depois letras, dígitos ou '_'"
        ),
        BadVariableValue => "os valores de uma variável são palavras ou textos entre aspas".into(),
        VariableWithoutValues { name } => {
            format!("a variável '{name}' precisa de pelo menos um valor (param {name} 0 1 2)")
        }
        NodeTwice { name, first_line } => format!(
            "o nó '{name}' foi declarado duas vezes (a primeira na linha {first_line})"
        ),
        WrongKind {
            name,
            broker_needed: true,
        } => format!("'{name}' não é um broker"),
        WrongKind {
            name,
            broker_needed: false,
        } => format!("'{name}' não é um nó do lado do cliente"),
        World {
            name: Some(n),
            error,
        } => format!("'{n}': {}", world_pt(error)),
        World { name: None, error } => world_pt(error),
        BadCommand { error } => format!(
            "o programa recusa esta linha de comando e diz \"{}\"",
            error.to_string().replace('\n', " ")
        ),
        LinkChangesNothing { node } => format!(
            "diga o que muda: link {node} latency 300ms loss 10% (opções: {})",
            mqttlab_core::sim::scenario::parser::LINK_OPTIONS.join(", ")
        ),
        ReceiveMaximumZero => {
            "Receive Maximum 0 é um erro de protocolo (MQTT 5.0 §3.2.2.3.3): escreva de 1 a 65535"
                .into()
        }
        BrokerMaximumQos => {
            "o Maximum QoS de um broker é 0 ou 1 (2 é o padrão, que não é anunciado)".into()
        }
        AclPattern => "regras 'pattern' (com %c e %u) não são suportadas; escreva 'topic' com o usuário ou o cliente nomeado".into(),
        AclTopicMissing { example } => {
            format!("esperava-se 'topic', como no acl_file do mosquitto: {example}")
        }
        PeriodTooShort => "um período precisa ser de pelo menos 1ms".into(),
        TooManyRetries { max } => {
            format!("o TCP desiste depois de no máximo {max} retransmissões")
        }
        NotAPercentage { word } => {
            format!("'{word}' não é uma porcentagem (escreva, por exemplo, 1% ou 0.5%)")
        }
        NotARate { word } => format!(
            "'{word}' não é uma taxa (escreva, por exemplo, 56kbit, 1mbit ou unlimited)"
        ),
        NeedsVersion5 { option } => {
            format!("'{option}' é uma propriedade do MQTT 5.0: precisa de 'version 5'")
        }
        ArrowMissing { statement, name } => {
            format!("esperava-se '->' e um broker: {statement} {name} -> broker1")
        }
        NotAnOptionOf { option, statement } => {
            format!("'{option}' não é uma opção de {statement}")
        }
        Problem::Incomplete(what) => incomplete_pt(*what).into(),
        ResponderNeedsV5 => "um responder responde no Response Topic da requisição, que só o MQTT 5.0 tem: tire o 'version'".into(),
        PubSubClientV5 => {
            "a PubSubClient só fala MQTT 3.1.1: 'version 5' precisa do profile esp-idf".into()
        }
        DelayWithoutBy => "um atraso precisa de 'by DURAÇÃO'".into(),
        BadValueModel(form) => model_pt(*form),
        NotNameValue { word } => {
            format!("'{word}' não está na forma NOME=VALOR (escreva, por exemplo, unidade=C)")
        }
        EmptyNodeInList => "uma lista de nós é NOME+NOME, sem nome vazio".into(),
        SeveralNodes { verb } => {
            format!("só 'receives' conta para vários nós ('{verb}' fala de um só)")
        }
        ReceivesWhat => "diga o que é recebido: um \"payload\", 'on TÓPICO' ou os dois".into(),
        NotASubackReason { word } => format!(
            "{word} não é um reason code de SUBACK do MQTT 5.0 ({})",
            mqttlab_core::codec::reason_codes::SubackReasonCode::ALL
                .iter()
                .map(|r| format!("{:#04x}", r.as_u8()))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        NotASubackCode { word } => format!(
            "um return code de SUBACK é 0, 1, 2 ou 128 (falha), não {word} (os reason codes do MQTT 5.0 se escrevem em hexadecimal: 0x87)"
        ),
        SubackCodesMissing => "esperavam-se os return codes do SUBACK, um por filtro: 0, 1, 2 ou 128 (falha), ou reason codes do MQTT 5.0 em hexadecimal (0x00, 0x87...)".into(),
        NotOnOff { word } => format!("um estado é 'on' ou 'off', não '{word}'"),
        BadSummary {
            first,
            suggestion: Some(s),
            ..
        } => format!(
            "um resumo de pacote começa pelo tipo, como o diagrama o escreve: '{first}' não é um tipo (você quis dizer '{s}'?)"
        ),
        BadSummary { first, all, .. } => format!(
            "um resumo de pacote começa pelo tipo, como o diagrama o escreve: '{first}' não é um tipo ({})",
            quoted_list(all)
        ),
    }
}

/// Why a property was refused, in Portuguese (the names stay the protocol's).
fn property_error_pt(e: &PropertyError) -> String {
    use mqttlab_core::tools::props::{forbidden_rule, largest_value, property_name, Forbidden};
    let name = |id: &mqttlab_core::codec::properties::PropertyId| property_name(*id);
    match e {
        PropertyError::MissingValue => "falta o valor da propriedade".into(),
        PropertyError::UnknownCommand => "nenhum pacote tem esse nome".into(),
        PropertyError::UnknownName => "nenhuma propriedade tem esse nome".into(),
        PropertyError::NotAllowed(id) => format!("um PUBLISH nunca leva {}", name(id)),
        PropertyError::NotSupported(id) => {
            format!(
                "{} não é dada por quem publica: o broker a define",
                name(id)
            )
        }
        PropertyError::Silent => "as propriedades desse pacote não podem ser dadas".into(),
        PropertyError::OutOfRange { id, value } => {
            format!(
                "{value} está fora do intervalo de {} (de 0 a {})",
                name(id),
                largest_value(*id)
            )
        }
        PropertyError::NotANumber { id, word } => {
            format!("{} recebe um número, não '{word}'", name(id))
        }
        PropertyError::TooLong(id) | PropertyError::DoesNotFit(id) => {
            format!("o valor é longo demais para {}", name(id))
        }
        PropertyError::ForbiddenValue(id) => match forbidden_rule(*id) {
            Forbidden::ZeroOrOne => format!("{} é 0 ou 1", name(id)),
            Forbidden::NotZero => format!("{} não pode ser 0", name(id)),
        },
        PropertyError::Duplicate(id) => {
            format!(
                "{} aparece duas vezes: um PUBLISH a leva uma só vez",
                name(id)
            )
        }
    }
}

fn world_pt(e: &WorldError) -> String {
    match e {
        WorldError::UnknownNode(id) => format!("não existe o nó #{}", id.get()),
        WorldError::NotABroker(id) => format!("o nó #{} não é um broker", id.get()),
        WorldError::NotAClient(id) => format!("o nó #{} não é uma máquina cliente", id.get()),
        WorldError::DuplicateName(n) => format!("já existe um nó chamado '{n}'"),
    }
}

fn vocabulary_pt(v: Vocabulary) -> &'static str {
    use Vocabulary::*;
    match v {
        LinkOption => "uma opção de enlace",
        ConnectOption => "uma opção de connect",
        BrokerOption => "uma opção de broker",
        FaultOption => "uma opção de falha",
        StallOption => "uma opção de stall",
        Fault => "um tipo de falha",
        Profile => "um perfil",
        ProtocolVersion => "uma versão do protocolo",
        PacketType => "um tipo de pacote",
        Property => "uma propriedade",
        Expectation => "uma expectativa",
        Access => "um tipo de acesso",
        AclSubject => "um sujeito de regra de ACL",
    }
}

fn incomplete_pt(i: Incomplete) -> &'static str {
    use Incomplete::*;
    match i {
        Sensor => "um sensor precisa de 'topic TÓPICO' e de 'every DURAÇÃO'",
        Actuator => "um atuador precisa de 'topic TÓPICO'",
        Responder => "um responder precisa de 'topic FILTRO reply PAYLOAD'",
        Controller => "um controlador precisa de 'input TÓPICO output TÓPICO setpoint VALOR'",
        Esp32Profile => "um esp32 precisa de 'profile pubsubclient|pubsubclient-128|esp-idf'",
        Esp32Sensor => "o sensor de um esp32 precisa de 'topic TÓPICO' e de 'every DURAÇÃO'",
    }
}

/// A value model's form with its placeholders in Portuguese (the names before
/// the parenthesis are the scenario language's).
fn syntax_pt(form: ModelForm) -> &'static str {
    use ModelForm::*;
    match form {
        Unclosed | Sine => "sine(MÉDIA, AMPLITUDE, PERÍODO)",
        Constant => "constant(VALOR)",
        Walk => "walk(INÍCIO, PASSO)",
        Steps => "steps(A_CADA, V1, V2, ...)",
        Count => "count(INÍCIO, PASSO)",
        Heated => "heated(AQUECEDOR, INÍCIO, AMBIENTE, TAXA)",
        Unknown => "constant(V), walk(INÍCIO,PASSO), sine(MÉDIA,AMPL,PERÍODO), steps(A_CADA,V1,V2,...), count(INÍCIO,PASSO) ou heated(AQUECEDOR,INÍCIO,AMBIENTE,TAXA)",
    }
}

fn model_pt(form: ModelForm) -> String {
    let text = match form {
        ModelForm::Unclosed => "os argumentos de um modelo de valores terminam com ')'".to_owned(),
        ModelForm::Unknown => format!("modelo de valores desconhecido; use {}", syntax_pt(form)),
        ModelForm::Constant
        | ModelForm::Walk
        | ModelForm::Sine
        | ModelForm::Steps
        | ModelForm::Count
        | ModelForm::Heated => format!("escreva o modelo de valores como {}", syntax_pt(form)),
    };
    match form.example() {
        Some(e) => format!("{text}, por exemplo {e}"),
        None => text,
    }
}

/// What a word should have been, in Portuguese (with its article, as core's
/// English has).
fn expected_pt(e: Expected) -> String {
    use Expected::*;
    let s = match e {
        Statement => "uma instrução",
        Action => "uma ação como 'kill sensor1' ou 'sub1: mosquitto_sub ...'",
        Node => "um nó",
        NodeName => "o nome de um nó",
        NodeOrPacket => "o nome de um nó ou 'packet'",
        Broker => "um broker",
        BrokerName => "o nome de um broker",
        StallingClient => "o cliente que para de ler",
        Duration => "uma duração como 5s ou 250ms",
        Qos => "um QoS (0, 1 ou 2)",
        BrokerQos => "um QoS, 0 ou 1",
        Number => "um número",
        WholeNumber => "um número inteiro",
        Count => "um número de vezes",
        Port => "um número de porta",
        Bytes => "um tamanho em bytes",
        Seconds => "um número de segundos",
        KeepAlive => "um keepalive em segundos",
        OneTo65535 => "um número de 1 a 65535",
        ReceiveWindow => "uma janela de recepção em bytes",
        SubscriptionId => "um identificador de assinatura",
        ConnackCode => "um código de CONNACK (de 1 a 5)",
        Temperature => "uma temperatura",
        UserName => "um nome de usuário",
        Password => "uma senha",
        ClientId => "um identificador de cliente",
        Payload => "um payload",
        WillPayload => "o payload do testamento",
        ReplyPayload => "o payload da resposta",
        PayloadOrNone => "um payload ou 'none'",
        QuotedLine => "uma linha entre aspas",
        QuotedLogText => "um texto do log entre aspas",
        CorrelationData => "os dados de correlação",
        ContentType => "um tipo de conteúdo",
        ValueModel => "um modelo de valores como sine(20, 5, 600s)",
        ValueModelRest => "o resto do modelo de valores",
        PacketSummary => "um resumo de pacote como \"PUBACK m1\"",
        Topic => "um tópico",
        TopicFilter => "um filtro de tópico",
        DeviceOption => "uma opção",
        LinkOption => "uma opção de enlace",
        ConnectOption => "uma opção de connect",
        BrokerOption => "uma opção de broker",
        Profile => "um perfil",
        ProtocolVersion => "uma versão do protocolo: 5, 311 ou 31",
        Percentage => "uma porcentagem como 1%",
        Rate => "uma taxa como 1mbit",
        PacketType => "um tipo de pacote como PUBACK",
        Fault => "'drop', 'delay', 'duplicate' ou 'stall'",
        FaultOption => "'to', 'from', 'by', 'for', 'after' ou 'times'",
        StallOption => "'window', 'for' ou 'after'",
        AclSubject => "para quem é a regra: 'user NOME', 'client ID' ou 'anyone'",
        Property => "uma propriedade: 'user-property', 'response-topic', 'correlation-data', 'message-expiry', 'subscription-id' ou 'content-type'",
        NameValue => "NOME=VALOR",
        PublishProperty => "uma propriedade como 'content-type' ou 'user-property'",
        PropertyValue => "o valor da propriedade",
        OnOff => "'on' ou 'off'",
        Expectation => "o que esperar ('receives', 'output', 'prints', 'refused', 'suback', 'connected', 'state', 'log', 'retained')",
        Word(w) => return format!("'{w}'"),
    };
    s.to_owned()
}

/// Words that mark a sentence as English (none is Portuguese): the list of
/// `tests/e2e/words.mjs`.
#[cfg(test)]
const ENGLISH: &str = "the and of to is are was were with from by for this that its it has have not will be been which when after before into than then only your you sent received connected disconnected dropped queued left again closed refused waiting press type run step click see there what does";

/// The English marker words of `text` outside quotes ('...' and "..." are the
/// scenario's or a tool's words, not the page's).
#[cfg(test)]
pub(super) fn english_words(text: &str) -> Vec<String> {
    let mut out = String::new();
    let mut quote: Option<char> = None;
    for ch in text.chars() {
        match quote {
            Some(q) if ch == q => quote = None,
            Some(_) => {}
            None if ch == '\'' || ch == '"' => quote = Some(ch),
            None => out.push(ch),
        }
    }
    let english: Vec<&str> = ENGLISH.split(' ').collect();
    out.to_lowercase()
        .split(|c: char| !(c.is_alphabetic() || c == '\''))
        .filter(|w| english.contains(w))
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use mqttlab_core::sim::scenario;

    /// Which variant, numbered: adding one to [`Problem`] stops this compiling, and
    /// [`VARIANTS`] says how many the samples below must reach.
    fn variant(p: &Problem) -> usize {
        use Problem::*;
        match p {
            UnknownNode { .. } => 0,
            UnknownStatement { .. } => 1,
            UnknownAction { .. } => 2,
            UnknownWord { .. } => 3,
            NotADuration { .. } => 4,
            NotAQos { .. } => 5,
            Missing { .. } => 6,
            WrongWord { .. } => 7,
            NoneOf { .. } => 8,
            NotA { .. } => 9,
            BadTopic { .. } => 10,
            Unexpected { .. } => 11,
            NoStatement => 12,
            UnclosedQuote => 13,
            UndeclaredVariable { .. } => 14,
            VariableTwice { .. } => 15,
            VariableNameMissing { .. } => 16,
            BadVariableName { .. } => 17,
            BadVariableValue => 18,
            VariableWithoutValues { .. } => 19,
            NodeTwice { .. } => 20,
            WrongKind { .. } => 21,
            World { .. } => 22,
            BadCommand { .. } => 23,
            LinkChangesNothing { .. } => 24,
            ReceiveMaximumZero => 25,
            BrokerMaximumQos => 26,
            AclPattern => 27,
            AclTopicMissing { .. } => 28,
            PeriodTooShort => 29,
            TooManyRetries { .. } => 30,
            NotAPercentage { .. } => 31,
            NotARate { .. } => 32,
            NeedsVersion5 { .. } => 33,
            ArrowMissing { .. } => 34,
            NotAnOptionOf { .. } => 35,
            Problem::Incomplete(_) => 36,
            ResponderNeedsV5 => 37,
            PubSubClientV5 => 38,
            DelayWithoutBy => 39,
            BadValueModel(_) => 40,
            NotNameValue { .. } => 41,
            EmptyNodeInList => 42,
            SeveralNodes { .. } => 43,
            ReceivesWhat => 44,
            NotASubackReason { .. } => 45,
            NotASubackCode { .. } => 46,
            SubackCodesMissing => 47,
            NotOnOff { .. } => 48,
            BadSummary { .. } => 49,
            UnknownProperty { .. } => 50,
            Property(_) => 51,
            PropertiesNeedV5 { .. } => 52,
            PropertiesWithoutReadings { .. } => 53,
        }
    }
    const VARIANTS: usize = 54;

    const WORLD: &str = "broker b\nclient c -> b\n";

    /// One scenario line (after [`WORLD`]) for each error a student can make, and
    /// more than one where a variant words its cases differently.
    const BAD_LINES: &[&str] = &[
        "at 1s kill cc",
        "brokr x",
        "zzzzzz x",
        "at 1s kil c",
        "at 1s zzzzzz c",
        "at 1s link c latncy 3ms",
        "at 1s link c zzzzzz 3ms",
        "at 1s connect c zzzzzz",
        "broker b2 zzzzzz",
        "acl b zzzzzz topic a",
        "acl b user u topic reed a/#",
        "client d -> b version 7",
        "esp32 e -> b profile zzzzzz",
        "fault drop nxt PUBACK to c",
        "fault drop ZZZZZZ to c",
        "fault drop PUBACK zzzzzz c",
        "fault zzzzzz PUBACK",
        "fault stall c zzzzzz 1s",
        "expect c receives \"x\" with zzzzzz 1",
        "expect c zzzzzz",
        "expect c recieves \"x\"",
        "at 1x kill c",
        "at 1s publish c t x qos 3",
        "at 1s kill",
        "\"quoted\" at the start",
        "at 1s wifi-drop c 5s",
        "at 1s publish c t x retian",
        "expect packet \"PUBACK\" zzzzzz",
        "expect c receives \"x\" zzzzzz",
        "expect c prints \"x\" zzzzzz",
        "expect c suback 0 zzzzzz",
        "expect c log \"x\" zzzzzz",
        "seed x",
        "client d -> b keepalive soon",
        "controller k -> b input a output b setpoint warm",
        "at 1s publish c a/# x",
        "acl b anyone topic read a/#/b",
        "run 5s 6s",
        "at 1s publish c t \"open",
        "param",
        "param -> 1",
        "param q -> 1",
        "param 1x 0 1",
        "param q",
        "param q 0 1\nparam q 2 3",
        "client c -> b",
        "at 1s kill b",
        "at 1s restart c",
        "at 2s c: mosquitto_sub --nope",
        "at 1s link c",
        "broker b2 receive-maximum 0",
        "client d -> b version 5 receive-maximum 0",
        "broker b2 maximum-qos 2",
        "acl b anyone pattern read a/%c",
        "acl b user u read a/#",
        "sensor s -> b topic t every 0s",
        "client d -> b retries 16",
        "client d -> b loss lots",
        "client d -> b bandwidth fast",
        "client d -> b session-expiry 60",
        "client d b",
        "client d",
        "client d -> b every 5s",
        "sensor s -> b topic t",
        "actuator a -> b",
        "responder r -> b",
        "responder r -> b topic q reply x version 311",
        "controller k -> b input a",
        "esp32 e -> b",
        "esp32 e -> b profile esp-idf topic t",
        "esp32 e -> b profile pubsubclient version 5",
        "fault delay PUBACK to c",
        "sensor s -> b topic t every 1s model sine(20,5",
        "sensor s -> b topic t every 1s model constant(x)",
        "sensor s -> b topic t every 1s model walk(1)",
        "sensor s -> b topic t every 1s model sine(1,2,x)",
        "sensor s -> b topic t every 1s model steps(x,1)",
        "sensor s -> b topic t every 1s model count(x,1)",
        "sensor s -> b topic t every 1s model heated(h,x,1,1)",
        "sensor s -> b topic t every 1s model zzzzzz(1)",
        "expect c receives \"x\" with user-property novalue",
        "expect c++b receives \"x\"",
        "expect c+b prints \"x\"",
        "expect c receives within 1s",
        "expect c suback 0x99",
        "expect c suback 3",
        "expect c suback",
        "expect c state maybe",
        "expect packet \"PUBAK m1\"",
        "expect packet \"zzzzzz\"",
        "client p5 -> b version 5\nat 1s publish p5 t x with conten-type a",
        "client p5 -> b version 5\nat 1s publish p5 t x with zzzzzz a",
        "client p5 -> b version 5\nat 1s publish p5 t x with message-expiry-interval logo",
        "client p5 -> b version 5\nat 1s publish p5 t x with payload-format-indicator 2",
        "client p5 -> b version 5\nat 1s publish p5 t x with user-property unidade",
        "at 1s publish c t x with content-type a",
        "esp32 e5 -> b profile esp-idf version 5 with content-type a",
    ];

    #[test]
    fn typed_scenario_errors_are_said_in_portuguese() {
        let e = mqttlab_core::sim::scenario::parse(
            "broker b\nclient c -> bb\nat 1x c: mosquitto_sub -h b -t a",
        )
        .unwrap_err();
        let pt: Vec<String> = e.0.iter().map(|e| scenario_error(Lang::PtBr, e)).collect();
        let en: Vec<String> = e.0.iter().map(|e| scenario_error(Lang::En, e)).collect();
        assert!(
            pt.contains(
                &"'1x' não é uma duração (escreva, por exemplo, 5s, 250ms, 1m30s)".to_string()
            ),
            "{pt:?}"
        );
        assert!(
            en.contains(&"'1x' is not a duration (write e.g. 5s, 250ms, 1m30s)".to_string()),
            "{en:?}"
        );
    }

    #[test]
    fn property_errors_are_said_in_portuguese() {
        let cases = [
            (
                "at 1s publish c t x with conten-type a",
                "'conten-type' não é uma propriedade (você quis dizer 'content-type'?)",
            ),
            (
                "at 1s publish c t x with message-expiry-interval logo",
                "message-expiry-interval recebe um número, não 'logo'",
            ),
            (
                "at 1s publish c t x with payload-format-indicator 2",
                "payload-format-indicator é 0 ou 1",
            ),
            (
                "at 1s publish c t x with user-property unidade",
                "'unidade' não está na forma NOME=VALOR (escreva, por exemplo, unidade=C)",
            ),
        ];
        for (line, want) in cases {
            let src = format!("broker b\nclient c -> b version 5\n{line}");
            let e = mqttlab_core::sim::scenario::parse(&src).unwrap_err();
            assert_eq!(scenario_error(Lang::PtBr, &e.0[0]), want, "{line}");
            assert_ne!(scenario_error(Lang::En, &e.0[0]), want, "{line}");
        }
        let e = mqttlab_core::sim::scenario::parse(
            "broker b\nsensor s -> b topic t every 1s with content-type a",
        )
        .unwrap_err();
        assert_eq!(
            scenario_error(Lang::PtBr, &e.0[0]),
            "'s' fala MQTT 3.1.1, que não tem propriedades: dê a ele 'version 5'"
        );
    }

    #[test]
    fn every_scenario_error_is_said_in_portuguese() {
        let mut seen = [false; VARIANTS];
        let mut report = Vec::new();
        let mut check = |e: &ScenarioError, source: &str| {
            let en = scenario_error(Lang::En, e);
            let pt = scenario_error(Lang::PtBr, e);
            seen[variant(&e.problem)] = true;
            if en == pt {
                report.push(format!("{source}: not translated: {pt}"));
            }
            let words = english_words(&pt);
            if !words.is_empty() {
                report.push(format!("{source}: English {words:?} in: {pt}"));
            }
        };
        for line in BAD_LINES {
            let source = format!("{WORLD}{line}");
            let errors = scenario::parse(&source).expect_err(line).0;
            for e in &errors {
                check(e, line);
            }
        }
        // What a sweep or a hand-made scenario meets beyond the parser.
        let binding = vec![("nope".to_owned(), "1".to_owned())];
        for e in scenario::parse_with(WORLD, &binding).unwrap_err().0 {
            check(&e, "sweep binding");
        }
        for error in [
            WorldError::UnknownNode(mqttlab_core::sim::NodeId::new(3)),
            WorldError::NotABroker(mqttlab_core::sim::NodeId::new(1)),
            WorldError::NotAClient(mqttlab_core::sim::NodeId::new(0)),
            WorldError::DuplicateName("c".into()),
        ] {
            for name in [None, Some("c".to_owned())] {
                let e = ScenarioError::new(
                    3,
                    1,
                    Problem::World {
                        name,
                        error: error.clone(),
                    },
                );
                check(&e, "world");
            }
        }
        assert!(report.is_empty(), "{}", report.join("\n"));
        let missing: Vec<usize> = (0..VARIANTS).filter(|i| !seen[*i]).collect();
        assert!(missing.is_empty(), "no sample reaches variants {missing:?}");
    }

    #[test]
    fn every_word_a_problem_names_is_said_in_portuguese() {
        use Expected::*;
        let all = [
            Statement,
            Action,
            Node,
            NodeName,
            NodeOrPacket,
            Broker,
            BrokerName,
            StallingClient,
            Duration,
            Qos,
            BrokerQos,
            Number,
            WholeNumber,
            Count,
            Port,
            Bytes,
            Seconds,
            KeepAlive,
            OneTo65535,
            ReceiveWindow,
            SubscriptionId,
            ConnackCode,
            Temperature,
            UserName,
            Password,
            ClientId,
            Payload,
            WillPayload,
            ReplyPayload,
            PayloadOrNone,
            QuotedLine,
            QuotedLogText,
            CorrelationData,
            ContentType,
            ValueModel,
            ValueModelRest,
            PacketSummary,
            Topic,
            TopicFilter,
            DeviceOption,
            LinkOption,
            ConnectOption,
            BrokerOption,
            Profile,
            ProtocolVersion,
            Percentage,
            Rate,
            PacketType,
            Fault,
            FaultOption,
            StallOption,
            AclSubject,
            Property,
            NameValue,
            PublishProperty,
            PropertyValue,
            OnOff,
            Expectation,
        ];
        let mut report = Vec::new();
        for e in all {
            let p = Problem::Missing {
                what: e,
                at_end: true,
            };
            let (en, pt) = (problem(Lang::En, &p), problem(Lang::PtBr, &p));
            let words = english_words(&pt);
            if en == pt || !words.is_empty() {
                report.push(format!("{e:?}: {pt} {words:?}"));
            }
        }
        for form in [
            ModelForm::Unclosed,
            ModelForm::Constant,
            ModelForm::Walk,
            ModelForm::Sine,
            ModelForm::Steps,
            ModelForm::Count,
            ModelForm::Heated,
            ModelForm::Unknown,
        ] {
            let p = Problem::BadValueModel(form);
            let pt = problem(Lang::PtBr, &p);
            if pt == problem(Lang::En, &p) || !english_words(&pt).is_empty() {
                report.push(format!("{form:?}: {pt}"));
            }
        }
        assert!(report.is_empty(), "{}", report.join("\n"));
    }

    #[test]
    fn the_english_check_catches_an_english_sentence() {
        // The check above would let nothing through if it could not fail.
        assert_eq!(
            english_words("expected a node at the end of the line"),
            ["the", "of", "the"]
        );
        assert!(english_words("esperava-se 'for' aqui").is_empty());
    }
}
