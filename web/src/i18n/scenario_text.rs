//! The workspace's and the inspector's own texts in the page's language: a
//! bundled scenario's comments, the typed scenario errors, a shared link's and
//! pasted hex's errors.
//!
//! Comments:
//! A comment block in English (lines starting with `#`) may be followed at once
//! by its Portuguese, each line starting with `#pt`. The English page shows the
//! file without the `#pt` lines; the Portuguese page shows each translated block
//! in Portuguese instead of its English (`#pt` read as `#`), and an English block
//! with no translation as it is. Comments are all that changes: the scenario
//! runs the same either way.

use mqttlab_core::sim::scenario::errors::PUBLISH_PROPERTIES;
use mqttlab_core::sim::scenario::{Problem, ScenarioError};
use mqttlab_core::tools::props::PropertyError;

use super::Lang;

/// What is wrong with a scenario line, in `lang`: the typed problems in
/// Portuguese; the others in core's words (the scenario language is English).
pub fn scenario_error(lang: Lang, e: &ScenarioError) -> String {
    match (lang, &e.problem) {
        (Lang::PtBr, Some(p)) => problem_pt(p),
        _ => e.message.clone(),
    }
}

/// Why pasted text is not hex bytes, in `lang`.
pub fn hex_error(lang: Lang, e: &mqttlab_core::hex::HexError) -> String {
    use mqttlab_core::hex::HexError;
    match (lang, e) {
        (Lang::En, e) => e.to_string(),
        (Lang::PtBr, HexError::BadChar { ch, line, column }) => {
            format!("{ch:?} não é um dígito hexadecimal (linha {line}, coluna {column})")
        }
        (Lang::PtBr, HexError::OddDigits { line }) => {
            format!("número ímpar de dígitos hexadecimais na linha {line}: um byte precisa de dois")
        }
        (Lang::PtBr, HexError::Empty) => "nenhum byte em hexadecimal".into(),
    }
}

/// Why a shared link could not be opened, in `lang`.
pub fn share_error(lang: Lang, e: &crate::route::ShareError) -> String {
    use crate::route::ShareError;
    match lang {
        Lang::En => e.to_string(),
        Lang::PtBr => match e {
            ShareError::NotBase64(why) => {
                format!("o cenário compartilhado está danificado ({why})")
            }
            ShareError::NotText => "o cenário compartilhado não é texto".into(),
            ShareError::NotANumber(k, v) => format!("'{k}={v}' não é um número"),
            ShareError::NoBundled(name) => format!("não há cenário pronto chamado '{name}'"),
        },
    }
}

fn problem_pt(p: &Problem) -> String {
    let mean = |s: &Option<String>| {
        s.as_ref()
            .map(|s| format!(" (você quis dizer '{s}'?)"))
            .unwrap_or_default()
    };
    match p {
        Problem::UnknownNode { name, suggestion } => {
            format!("nenhum nó se chama '{name}'{}", mean(suggestion))
        }
        Problem::UnknownStatement {
            word,
            suggestion: Some(s),
            ..
        } => format!("'{word}' não é uma instrução (você quis dizer '{s}'?)"),
        Problem::UnknownStatement { word, all, .. } => format!(
            "'{word}' não é uma instrução; uma linha começa com uma destas: {}",
            all.join(", ")
        ),
        Problem::UnknownAction {
            word,
            suggestion: Some(s),
            ..
        } => format!("'{word}' não é uma ação (você quis dizer '{s}'?)"),
        Problem::UnknownAction { word, all, .. } => format!(
            "'{word}' não é uma ação; escreva 'NÓ: COMANDO' ou uma destas: {}",
            all.join(", ")
        ),
        Problem::NotADuration { word } => {
            format!("'{word}' não é uma duração (escreva, por exemplo, 5s, 250ms, 1m30s)")
        }
        Problem::NotAQos { word } => format!("o QoS é 0, 1 ou 2, não '{word}'"),
        Problem::UnknownProperty {
            word,
            suggestion: Some(s),
        } => format!("'{word}' não é uma propriedade (você quis dizer '{s}'?)"),
        Problem::UnknownProperty { word, .. } => format!(
            "'{word}' não é uma propriedade; um PUBLISH aceita: {}",
            PUBLISH_PROPERTIES.join(", ")
        ),
        Problem::Property(e) => property_error_pt(e),
        Problem::NotNameValue { word } => {
            format!("'{word}' não está na forma NOME=VALOR (escreva, por exemplo, unidade=C)")
        }
        Problem::PropertiesNeedV5 { node } => format!(
            "'{node}' fala MQTT 3.1.1, que não tem propriedades: dê a ele 'version 5'"
        ),
        Problem::PropertiesWithoutReadings { node } => format!(
            "'with' põe propriedades em cada leitura, e '{node}' não faz leituras: dê a ele 'topic TÓPICO every D'"
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

/// Whether `line` is a Portuguese comment line.
fn is_pt(line: &str) -> bool {
    let t = line.trim_start();
    t == "#pt" || t.starts_with("#pt ")
}

fn is_comment(line: &str) -> bool {
    line.trim_start().starts_with('#')
}

/// `source` with its comments in `lang`.
pub fn scenario_comments(source: &str, lang: Lang) -> String {
    let lines: Vec<&str> = source.split('\n').collect();
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if is_pt(line) {
            // A translation without its English block before it: as translated.
            if lang == Lang::PtBr {
                out.push(as_comment(line));
            }
            i += 1;
            continue;
        }
        if !is_comment(line) {
            out.push(line.to_string());
            i += 1;
            continue;
        }
        // An English block, and the Portuguese block right after it, if any.
        let start = i;
        while i < lines.len() && is_comment(lines[i]) && !is_pt(lines[i]) {
            i += 1;
        }
        let pt_start = i;
        while i < lines.len() && is_pt(lines[i]) {
            i += 1;
        }
        let (english, portuguese) = (&lines[start..pt_start], &lines[pt_start..i]);
        match lang {
            Lang::PtBr if !portuguese.is_empty() => {
                out.extend(portuguese.iter().map(|l| as_comment(l)))
            }
            _ => out.extend(english.iter().map(|l| l.to_string())),
        }
    }
    out.join("\n")
}

/// A `#pt` line as the plain comment it reads as.
fn as_comment(line: &str) -> String {
    let t = line.trim_start();
    let indent = &line[..line.len() - t.len()];
    let rest = &t[3..];
    format!("{indent}#{rest}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = "# Title\n#\n# Body.\n#pt Título\n#pt\n#pt Corpo.\n\nbroker b # inline\n# Untranslated\nrun 1s\n";

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
    fn each_language_sees_its_comments_and_the_same_scenario() {
        assert_eq!(
            scenario_comments(SOURCE, Lang::En),
            "# Title\n#\n# Body.\n\nbroker b # inline\n# Untranslated\nrun 1s\n"
        );
        assert_eq!(
            scenario_comments(SOURCE, Lang::PtBr),
            "# Título\n#\n# Corpo.\n\nbroker b # inline\n# Untranslated\nrun 1s\n"
        );
    }

    #[test]
    fn every_bundled_scenario_keeps_its_lines_in_both_languages() {
        use mqttlab_core::sim::bundled::BUNDLED;
        use mqttlab_core::sim::scenario;
        let statements = |s: &str| -> Vec<String> {
            s.lines()
                .filter(|l| !is_comment(l))
                .map(str::to_owned)
                .collect()
        };
        for b in BUNDLED {
            for lang in [Lang::En, Lang::PtBr] {
                let text = scenario_comments(b.source, lang);
                assert_eq!(statements(&text), statements(b.source), "{}", b.name);
                assert!(!text.contains("#pt"), "{}", b.name);
                assert!(scenario::parse(&text).is_ok(), "{}", b.name);
            }
        }
    }
}
