//! One Portuguese term for each idea, with its English and the course text's word:
//! the glossary the labs page shows, and the words the Portuguese texts must not use
//! for the same idea (a unit test reads every lab and every Portuguese string).

/// One idea, named three ways.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Term {
    /// The word the Portuguese interface and labs use.
    pub pt: &'static str,
    /// The English interface's word.
    pub en: &'static str,
    /// The course text's word (it mixes Portuguese and English), if it names it.
    pub course: &'static str,
    /// Other Portuguese words for the same idea that the texts avoid.
    pub avoid: &'static [&'static str],
}

/// The glossary, in the order a student meets the ideas.
pub const GLOSSARY: &[Term] = &[
    Term {
        pt: "broker",
        en: "broker",
        course: "brocker, broker",
        avoid: &["corretor"],
    },
    Term {
        pt: "cliente",
        en: "client",
        course: "cliente",
        avoid: &[],
    },
    Term {
        pt: "identificador (do cliente)",
        en: "client id",
        course: "client id",
        avoid: &[],
    },
    Term {
        pt: "publicar, publicador",
        en: "publish, publisher",
        course: "publicar, publicador (publisher)",
        avoid: &[],
    },
    Term {
        pt: "assinar, assinatura, assinante",
        en: "subscribe, subscription, subscriber",
        course: "subscrever, subscritor (subscriber)",
        avoid: &["inscrito", "inscrever"],
    },
    Term {
        pt: "tópico",
        en: "topic",
        course: "tópico",
        avoid: &[],
    },
    Term {
        pt: "filtro (de tópico)",
        en: "topic filter",
        course: "filtro",
        avoid: &[],
    },
    Term {
        pt: "curinga (+, #)",
        en: "wildcard (+, #)",
        course: "wildcards (# ou +)",
        avoid: &[],
    },
    Term {
        pt: "casa com (um filtro)",
        en: "matches (a filter)",
        course: "",
        avoid: &["combina com"],
    },
    Term {
        pt: "QoS (qualidade de serviço)",
        en: "QoS (quality of service)",
        course: "qualidade de serviço (QoS)",
        avoid: &[],
    },
    Term {
        pt: "confirmação (PUBACK, PUBREC, PUBCOMP)",
        en: "acknowledgement",
        course: "confirmação",
        avoid: &[],
    },
    Term {
        pt: "mensagem retida (retain)",
        en: "retained message",
        course: "mensagens retidas (retain)",
        avoid: &[],
    },
    Term {
        pt: "sessão persistente (clean session = 0)",
        en: "persistent session (clean session 0)",
        course: "sessão persistente",
        avoid: &["sessão limpa desligada"],
    },
    Term {
        pt: "sessão limpa (clean session = 1)",
        en: "clean session",
        course: "clean session",
        avoid: &["sessão limpa ligada"],
    },
    Term {
        pt: "testamento (Last Will)",
        en: "will (Last Will and Testament)",
        course: "testamento, lastWill",
        avoid: &[],
    },
    Term {
        pt: "keepalive",
        en: "keepalive",
        course: "keep alive",
        avoid: &["keep alive", "keep-alive"],
    },
    Term {
        pt: "conexão semiaberta (half-open)",
        en: "half-open connection",
        course: "half-open connection",
        avoid: &["meia-aberta", "meia aberta"],
    },
    Term {
        pt: "enlace",
        en: "link",
        course: "",
        avoid: &[],
    },
    Term {
        pt: "conexão abortada (RST)",
        en: "connection reset (RST)",
        course: "",
        avoid: &["reiniciada (RST)"],
    },
    Term {
        pt: "roteiro (guiado)",
        en: "(guided) lab",
        course: "",
        avoid: &["laboratório"],
    },
    Term {
        pt: "rastro",
        en: "trace",
        course: "",
        avoid: &["traço"],
    },
    Term {
        pt: "regra de falha",
        en: "fault rule",
        course: "",
        avoid: &[],
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;
    use crate::labs;

    /// Every Portuguese text of the labs, with where it is.
    fn lab_texts() -> Vec<(String, String)> {
        let mut out = Vec::new();
        for lab in labs::all() {
            let mut push =
                |what: &str, text: &str| out.push((format!("{} {what}", lab.id), text.to_string()));
            push("title", lab.title.get(Lang::PtBr));
            push("goal", lab.goal.get(Lang::PtBr));
            push("explanation", lab.explanation.get(Lang::PtBr));
            for q in lab.sweep.iter().flat_map(|s| &s.questions) {
                push("question", q.predict.get(Lang::PtBr));
                for o in &q.options {
                    push("question option", o.get(Lang::PtBr));
                }
            }
            for (i, s) in lab.steps.iter().enumerate() {
                push(&format!("step {}", i + 1), s.text.get(Lang::PtBr));
                for b in [&s.hint, &s.predict].into_iter().flatten() {
                    push(&format!("step {}", i + 1), b.get(Lang::PtBr));
                }
                for o in &s.options {
                    push(&format!("step {} option", i + 1), o.get(Lang::PtBr));
                }
            }
        }
        out
    }

    /// The Portuguese strings of the interface: the `PtBr` arms of the tables,
    /// and the notes (whose file words only Portuguese).
    fn interface_texts() -> Vec<(String, String)> {
        let table = include_str!("../i18n.rs")
            .lines()
            .enumerate()
            .filter(|(_, l)| l.contains("PtBr)"))
            .map(|(i, l)| (format!("i18n.rs:{}", i + 1), l.to_string()));
        let notes = include_str!("notes.rs")
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim_start().starts_with("//"))
            .map(|(i, l)| (format!("i18n/notes.rs:{}", i + 1), l.to_string()));
        let classroom = include_str!("classroom.rs")
            .lines()
            .enumerate()
            .filter(|(_, l)| l.contains("PtBr") || l.contains("if pt") || l.contains("true)"))
            .map(|(i, l)| (format!("i18n/classroom.rs:{}", i + 1), l.to_string()));
        let views = include_str!("views.rs")
            .lines()
            .enumerate()
            .filter(|(_, l)| l.contains("PtBr)"))
            .map(|(i, l)| (format!("i18n/views.rs:{}", i + 1), l.to_string()));
        table.chain(notes).chain(classroom).chain(views).collect()
    }

    #[test]
    fn one_portuguese_word_for_each_idea() {
        let mut found = Vec::new();
        for (at, text) in lab_texts().into_iter().chain(interface_texts()) {
            let lower = text.to_lowercase();
            for term in GLOSSARY {
                for word in term.avoid {
                    if lower.contains(word) {
                        found.push(format!("{at}: '{word}' (say '{}')", term.pt));
                    }
                }
            }
        }
        assert!(found.is_empty(), "{found:#?}");
    }

    #[test]
    fn the_test_finds_a_word_to_avoid() {
        let planted = "o laboratório de hoje";
        assert!(GLOSSARY
            .iter()
            .any(|t| t.avoid.iter().any(|w| planted.contains(w))));
    }
}
