//! The words of the timeline (scrub) and of forks ("what if"), in English and
//! Brazilian Portuguese. Both matches are exhaustive: a missing translation does
//! not compile.

use mqttlab_core::sim::marks::MarkKind;

use super::{sim_note, Lang};
use crate::components::world_view::control_label;
use crate::sim::protocol::Change;

/// A string of the timeline and the fork panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tl {
    /// The timeline's label.
    Timeline,
    /// The slider's help.
    ScrubHelp,
    /// Back to the live run.
    BackToLive,
    /// "showing the world at".
    Showing,
    /// "rebuilt in".
    RebuiltIn,
    /// The fork panel's heading.
    WhatIf,
    /// The fork panel's help.
    WhatIfHelp,
    /// "Fork at".
    ForkAt,
    /// The fork button.
    Fork,
    /// The "instead" checkbox.
    Instead,
    /// The help of the "instead" checkbox.
    InsteadHelp,
    /// Change: type a command.
    ChangeCommand,
    /// Change: a link's loss, percent.
    ChangeLoss,
    /// Change: a link's latency, ms.
    ChangeLatency,
    /// Change: arm a fault rule.
    ChangeAddFault,
    /// Change: remove a fault rule.
    ChangeRemoveFault,
    /// The argument field's placeholder.
    Argument,
    /// The original run's heading.
    Original,
    /// The branch's heading.
    Branch,
    /// "First difference at".
    PartsAt,
    /// They never differ.
    NoDifference,
    /// Will published.
    WillPublished,
    /// Will discarded.
    WillDiscarded,
    /// No will.
    NoWill,
    /// Share the fork.
    ShareFork,
    /// Close the fork.
    CloseFork,
    /// The fork could not be made.
    ForkFailed,
    /// Forking...
    Forking,
    /// The legend of the marks.
    Legend,
    /// Mark kind: a connection accepted.
    MarkConnect,
    /// Mark kind: a connection refused.
    MarkRefused,
    /// Mark kind: a program stopped, a host or link changed.
    MarkEvent,
    /// Mark kind: a fault rule.
    MarkFault,
    /// Mark kind: a will published or discarded.
    MarkWill,
    /// Mark kind: an expectation met.
    MarkExpectOk,
    /// Mark kind: an expectation failed.
    MarkExpectFail,
}

/// A timeline or fork string in `lang`.
pub fn tl(lang: Lang, text: Tl) -> &'static str {
    use Lang::*;
    use Tl::*;
    match (text, lang) {
        (Timeline, En) => "Timeline",
        (Timeline, PtBr) => "Linha do tempo",
        (ScrubHelp, En) => "Drag to see the whole world as it was at any moment; click a mark to go to it",
        (ScrubHelp, PtBr) => "Arraste para ver o mundo inteiro como estava em qualquer momento; clique numa marca para ir até ela",
        (BackToLive, En) => "Back to now",
        (BackToLive, PtBr) => "Voltar ao agora",
        (Showing, En) => "showing t =",
        (Showing, PtBr) => "mostrando t =",
        (RebuiltIn, En) => "rebuilt in",
        (RebuiltIn, PtBr) => "reconstruído em",
        (WhatIf, En) => "What if…",
        (WhatIf, PtBr) => "E se…",
        (WhatIfHelp, En) => "Branch the run at this moment, change one thing, and run both: the two diagrams side by side, the first difference marked.",
        (WhatIfHelp, PtBr) => "Ramifique a execução neste momento, mude uma coisa e rode as duas: os dois diagramas lado a lado, com a primeira diferença marcada.",
        (ForkAt, En) => "Fork at t =",
        (ForkAt, PtBr) => "Ramificar em t =",
        (Fork, En) => "Run both",
        (Fork, PtBr) => "Rodar as duas",
        (Instead, En) => "instead of what happens then",
        (Instead, PtBr) => "no lugar do que acontece nesse instante",
        (InsteadHelp, En) => "The scenario's own actions at this instant (a kill, a command) do not happen: your change replaces them",
        (InsteadHelp, PtBr) => "As ações do próprio cenário neste instante (um kill, um comando) não acontecem: a sua mudança as substitui",
        (ChangeCommand, En) => "type a command",
        (ChangeCommand, PtBr) => "digitar um comando",
        (ChangeLoss, En) => "link loss (%)",
        (ChangeLoss, PtBr) => "perda do enlace (%)",
        (ChangeLatency, En) => "link latency (ms)",
        (ChangeLatency, PtBr) => "latência do enlace (ms)",
        (ChangeAddFault, En) => "arm a fault rule",
        (ChangeAddFault, PtBr) => "armar uma regra de falha",
        (ChangeRemoveFault, En) => "remove a fault rule",
        (ChangeRemoveFault, PtBr) => "remover uma regra de falha",
        (Argument, En) => "command, value or rule",
        (Argument, PtBr) => "comando, valor ou regra",
        (Original, En) => "As it ran",
        (Original, PtBr) => "Como rodou",
        (Branch, En) => "What if",
        (Branch, PtBr) => "E se",
        (PartsAt, En) => "first difference at t =",
        (PartsAt, PtBr) => "primeira diferença em t =",
        (NoDifference, En) => "the two runs are the same",
        (NoDifference, PtBr) => "as duas execuções são iguais",
        (WillPublished, En) => "will published",
        (WillPublished, PtBr) => "testamento publicado",
        (WillDiscarded, En) => "will discarded",
        (WillDiscarded, PtBr) => "testamento descartado",
        (NoWill, En) => "no will after the fork",
        (NoWill, PtBr) => "nenhum testamento depois da ramificação",
        (ShareFork, En) => "Link to this fork",
        (ShareFork, PtBr) => "Link desta ramificação",
        (CloseFork, En) => "Close",
        (CloseFork, PtBr) => "Fechar",
        (ForkFailed, En) => "The fork could not be made:",
        (ForkFailed, PtBr) => "Não foi possível ramificar:",
        (Forking, En) => "running both…",
        (Forking, PtBr) => "rodando as duas…",
        (Legend, En) => "What the marks mean",
        (Legend, PtBr) => "O que as marcas indicam",
        (MarkConnect, En) => "connected",
        (MarkConnect, PtBr) => "conectou",
        (MarkRefused, En) => "refused",
        (MarkRefused, PtBr) => "recusada",
        (MarkEvent, En) => "stopped, killed or link changed",
        (MarkEvent, PtBr) => "parado, derrubado ou enlace mudou",
        (MarkFault, En) => "fault rule",
        (MarkFault, PtBr) => "regra de falha",
        (MarkWill, En) => "will",
        (MarkWill, PtBr) => "testamento",
        (MarkExpectOk, En) => "expectation met",
        (MarkExpectOk, PtBr) => "expectativa cumprida",
        (MarkExpectFail, En) => "expectation failed",
        (MarkExpectFail, PtBr) => "expectativa falhou",
    }
}

/// What a timeline mark stands for, in `lang` (its tooltip).
pub fn mark_text(lang: Lang, m: &MarkKind) -> String {
    use Lang::*;
    match (m, lang) {
        (MarkKind::Connected { node }, En) => format!("{node} connected"),
        (MarkKind::Connected { node }, PtBr) => format!("{node} conectou"),
        (MarkKind::Refused { node }, En) => format!("{node}: connection refused"),
        (MarkKind::Refused { node }, PtBr) => format!("{node}: conexão recusada"),
        (MarkKind::Event { node, note }, lang) => format!("{node}: {}", sim_note(lang, note)),
        (MarkKind::Fault { label }, En) => format!("fault rule: {label}"),
        (MarkKind::Fault { label }, PtBr) => format!("regra de falha: {label}"),
        (
            MarkKind::Will {
                broker,
                client,
                published: true,
            },
            En,
        ) => format!("{broker} published the will of {client}"),
        (
            MarkKind::Will {
                broker,
                client,
                published: true,
            },
            PtBr,
        ) => format!("{broker} publicou o testamento de {client}"),
        (
            MarkKind::Will {
                broker,
                client,
                published: false,
            },
            En,
        ) => format!("{broker} discarded the will of {client} (DISCONNECT)"),
        (
            MarkKind::Will {
                broker,
                client,
                published: false,
            },
            PtBr,
        ) => format!("{broker} descartou o testamento de {client} (DISCONNECT)"),
        (MarkKind::Expectation { text, passed, .. }, En) => {
            format!("{} {text}", if *passed { "met:" } else { "failed:" })
        }
        (MarkKind::Expectation { text, passed, .. }, PtBr) => {
            format!("{} {text}", if *passed { "cumprida:" } else { "falhou:" })
        }
    }
}

/// The class a mark is drawn with.
pub fn mark_class(m: &MarkKind) -> &'static str {
    match m {
        MarkKind::Connected { .. } => "connect",
        MarkKind::Refused { .. } => "refused",
        MarkKind::Event { .. } => "event",
        MarkKind::Fault { .. } => "fault",
        MarkKind::Will { .. } => "will",
        MarkKind::Expectation { passed: true, .. } => "expect-ok",
        MarkKind::Expectation { passed: false, .. } => "expect-fail",
    }
}

/// A fork's change, in `lang` (the branch's heading says it).
pub fn change_text(lang: Lang, c: &Change) -> String {
    use Lang::*;
    match (c, lang) {
        (Change::Command { node, line }, _) => format!("{node}$ {line}"),
        (Change::Control { node, control }, lang) => {
            format!("{} {node}", super::t(lang, control_label(*control)))
        }
        (Change::SetLink { node, settings }, En) => format!(
            "{node}: link {} ms, {} % loss",
            settings.latency_ms, settings.loss_pct
        ),
        (Change::SetLink { node, settings }, PtBr) => format!(
            "{node}: enlace {} ms, {} % de perda",
            settings.latency_ms, settings.loss_pct
        ),
        (Change::Fault { line }, En) => format!("fault {line}"),
        (Change::Fault { line }, PtBr) => format!("falha {line}"),
        (Change::RemoveFault { rule }, En) => format!("without fault {rule}"),
        (Change::RemoveFault { rule }, PtBr) => format!("sem a falha {rule}"),
        (Change::AddClient { broker }, En) => format!("a client added on {broker}"),
        (Change::AddClient { broker }, PtBr) => format!("um cliente a mais em {broker}"),
        (Change::Instead, En) => "instead of what happened then:".into(),
        (Change::Instead, PtBr) => "no lugar do que aconteceu então:".into(),
    }
}
