//! The words of the topic tree (the real-broker page and the simulator's broker
//! state), in English and Brazilian Portuguese. The match is exhaustive: a
//! missing translation does not compile.

use super::Lang;

/// A string of the topic tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topics {
    /// The panel's heading.
    Title,
    /// No message seen yet.
    Empty,
    /// The button that subscribes to `#` and `$SYS/#`.
    Explore,
    /// What the button does.
    ExploreHelp,
    /// The retained mark's label.
    Retained,
    /// The retained mark's tooltip.
    RetainedHelp,
    /// Expand a level.
    Expand,
    /// Collapse a level.
    Collapse,
    /// The sparkline's tooltip.
    SparklineHelp,
}

/// `s` in `lang`.
pub fn tt(lang: Lang, s: Topics) -> &'static str {
    use Lang::*;
    use Topics::*;
    match (s, lang) {
        (Title, En) => "Topic tree",
        (Title, PtBr) => "Árvore de tópicos",
        (Empty, En) => "No message seen yet. Subscribe (for example to # and $SYS/#) to see the broker's topics.",
        (Empty, PtBr) => "Nenhuma mensagem ainda. Assine (por exemplo # e $SYS/#) para ver os tópicos do broker.",
        (Explore, En) => "Subscribe to # and $SYS/#",
        (Explore, PtBr) => "Assinar # e $SYS/#",
        (ExploreHelp, En) => "# does not match topics that begin with $ (MQTT-4.7.2-1), so $SYS/# is a second subscription",
        (ExploreHelp, PtBr) => "# não casa com tópicos que começam com $ (MQTT-4.7.2-1), por isso $SYS/# é uma segunda assinatura",
        (Retained, En) => "retained",
        (Retained, PtBr) => "retida",
        (RetainedHelp, En) => "The last message on this topic was retained: a new subscriber gets it at once",
        (RetainedHelp, PtBr) => "A última mensagem deste tópico foi retida: um novo assinante a recebe na hora",
        (Expand, En) => "Expand",
        (Expand, PtBr) => "Expandir",
        (Collapse, En) => "Collapse",
        (Collapse, PtBr) => "Recolher",
        (SparklineHelp, En) => "The last numeric values, oldest on the left",
        (SparklineHelp, PtBr) => "Os últimos valores numéricos, o mais antigo à esquerda",
    }
}
