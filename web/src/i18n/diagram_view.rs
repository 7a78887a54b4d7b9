//! The words of the diagram's filter and of its zoomed-out summary.

use super::Lang;

/// A string of the diagram's filter bar and summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dv {
    /// The node field's label.
    Node,
    /// The node field's placeholder.
    AnyNode,
    /// The topic field's label.
    Topic,
    /// The topic field's placeholder.
    AnyTopic,
    /// Clears the filter.
    Clear,
    /// Shows the summary instead of rows.
    ZoomOut,
    /// Back to the rows.
    ZoomIn,
    /// Summary column: when.
    ColTime,
    /// Summary column: between which lifelines.
    ColLanes,
    /// Summary column: what.
    ColWhat,
    /// Summary column: how many.
    ColCount,
    /// Many client lifelines taken as one.
    Clients,
    /// A note (no packet) in the summary.
    Notes,
    /// Nothing passes the filter.
    NoRows,
}

/// `s` in `lang`.
pub fn dv(lang: Lang, s: Dv) -> &'static str {
    use Dv::*;
    use Lang::*;
    match (s, lang) {
        (Node, En) => "Node",
        (Node, PtBr) => "Nó",
        (AnyNode, En) => "any node",
        (AnyNode, PtBr) => "qualquer nó",
        (Topic, En) => "Topic",
        (Topic, PtBr) => "Tópico",
        (AnyTopic, En) => "any topic (casa/#)",
        (AnyTopic, PtBr) => "qualquer tópico (casa/#)",
        (Clear, En) => "Clear",
        (Clear, PtBr) => "Limpar",
        (ZoomOut, En) => "Zoom out",
        (ZoomOut, PtBr) => "Visão geral",
        (ZoomIn, En) => "Show rows",
        (ZoomIn, PtBr) => "Mostrar linhas",
        (ColTime, En) => "Time (s)",
        (ColTime, PtBr) => "Tempo (s)",
        (ColLanes, En) => "From → to",
        (ColLanes, PtBr) => "De → para",
        (ColWhat, En) => "Packet",
        (ColWhat, PtBr) => "Pacote",
        (ColCount, En) => "Count",
        (ColCount, PtBr) => "Quantidade",
        (Clients, En) => "clients",
        (Clients, PtBr) => "clientes",
        (Notes, En) => "notes",
        (Notes, PtBr) => "notas",
        (NoRows, En) => "No row passes the filter.",
        (NoRows, PtBr) => "Nenhuma linha passa pelo filtro.",
    }
}

/// How many rows pass the filter, of how many: `1,204 of 36,000 rows`.
pub fn rows_of(lang: Lang, shown: usize, total: usize) -> String {
    let (shown, total) = (grouped(lang, shown), grouped(lang, total));
    match lang {
        Lang::En => format!("{shown} of {total} rows"),
        Lang::PtBr => format!("{shown} de {total} linhas"),
    }
}

/// `n` with its thousands grouped as `lang` writes them (`36,000`, `36.000`).
pub fn grouped(lang: Lang, n: usize) -> String {
    let sep = match lang {
        Lang::En => ',',
        Lang::PtBr => '.',
    };
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// Lost packets in a summary line: ` (12 lost)`.
pub fn lost(lang: Lang, n: u64) -> String {
    let n = grouped(lang, n as usize);
    match lang {
        Lang::En => format!(" ({n} lost)"),
        Lang::PtBr => format!(" ({n} perdidos)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped_per_language() {
        assert_eq!(grouped(Lang::En, 0), "0");
        assert_eq!(grouped(Lang::En, 999), "999");
        assert_eq!(grouped(Lang::En, 3_620_000), "3,620,000");
        assert_eq!(grouped(Lang::PtBr, 36_000), "36.000");
        assert_eq!(rows_of(Lang::PtBr, 1, 1_000), "1 de 1.000 linhas");
    }
}
