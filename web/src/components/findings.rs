//! The specification checker's findings and coverage, for any run the page
//! shows (a simulated world, the real-broker page's packets, an imported
//! capture): each finding with its statement's number (linked to the OASIS
//! standard), our wording in the page's language, its severity and the
//! packets involved, which select their row in the diagram; then which
//! statements held, were broken or never came up.

use std::rc::Rc;

use mqttlab_core::checker::{standard_url, PacketRef, Report, Severity, Statement};
use mqttlab_core::codec::Protocol;
use serde::{Deserialize, Serialize};
use yew::prelude::*;

use crate::i18n::{ck, severity_text, statement_text, Ck, Lang};

/// What the checker said, as the page draws it (plain data: it comes from
/// the simulator's worker too): each finding with its packets placed on
/// diagram rows, and the coverage per statement.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ChecksView {
    /// The findings, in the order found.
    pub findings: Vec<FindingView>,
    /// Per statement of [`Statement::ALL`]: times held, times broken.
    pub tally: Vec<(u32, u32)>,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindingView {
    /// Its statement's index in [`Statement::ALL`]; `None` for a malformed packet.
    pub statement: Option<usize>,
    /// The number at the connection's level, or the codec's rule.
    pub id: String,
    /// MUST, SHOULD or note.
    pub severity: Severity,
    /// Whether the connection spoke 5.0.
    pub v5: bool,
    /// The packets involved.
    pub packets: Vec<PacketView>,
    /// For a malformed packet: the codec's error.
    pub malformed: Option<String>,
}

/// A packet a finding names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PacketView {
    /// The capture's frame number, if any.
    pub frame: Option<u32>,
    /// Its row in the diagram, if drawn.
    pub row: Option<usize>,
}

impl ChecksView {
    /// A report, its packets placed by `row_of`.
    pub fn new(report: &Report, row_of: impl Fn(&PacketRef) -> Option<usize>) -> ChecksView {
        let findings = report
            .findings
            .iter()
            .map(|f| FindingView {
                statement: f
                    .statement
                    .and_then(|s| Statement::ALL.iter().position(|x| *x == s)),
                id: f.id.to_string(),
                severity: f.severity,
                v5: f.protocol == Protocol::V5,
                packets: f
                    .packets
                    .iter()
                    .map(|p| PacketView {
                        frame: p.frame,
                        row: row_of(p),
                    })
                    .collect(),
                malformed: f.malformed.as_ref().map(|e| e.to_string()),
            })
            .collect();
        let tally = Statement::ALL
            .iter()
            .map(|s| {
                let t = report.coverage.tally.get(s).copied().unwrap_or_default();
                (t.held, t.broken)
            })
            .collect();
        ChecksView { findings, tally }
    }

    /// Findings that broke a MUST.
    pub fn musts(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Must)
            .count()
    }
}

/// A [`ChecksView`] shared with the panel; compared by identity (a new run is
/// a new value).
#[derive(Clone, Debug)]
pub struct SharedChecks(pub Rc<ChecksView>);

impl PartialEq for SharedChecks {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// Properties of [`Findings`].
#[derive(Properties, PartialEq)]
pub struct FindingsProps {
    /// The language.
    pub lang: Lang,
    /// What the checker said.
    pub checks: SharedChecks,
    /// Selects a diagram row.
    pub on_select: Callback<usize>,
}

fn severity_class(s: Severity) -> &'static str {
    match s {
        Severity::Must => "must",
        Severity::Should => "should",
        Severity::Note => "note",
    }
}

fn protocol(v5: bool) -> Protocol {
    if v5 {
        Protocol::V5
    } else {
        Protocol::V311
    }
}

/// One finding's line.
fn finding(lang: Lang, f: &FindingView, on_select: &Callback<usize>) -> Html {
    let statement = f.statement.and_then(|i| Statement::ALL.get(i).copied());
    let p = protocol(f.v5);
    let (words, section) = match (statement, &f.malformed) {
        (Some(s), _) => (statement_text(lang, s).to_string(), s.section(p)),
        (None, Some(e)) => (format!("{}: {e}", ck(lang, Ck::Malformed)), ""),
        (None, None) => (String::new(), ""),
    };
    let first = f.packets.iter().find_map(|p| p.row);
    let onclick = {
        let on_select = on_select.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(r) = first {
                on_select.emit(r);
            }
        })
    };
    let packets = f
        .packets
        .iter()
        .filter_map(|pv| {
            let row = pv.row?;
            let on_select = on_select.clone();
            let label = match pv.frame {
                Some(fr) => format!("{} {fr}", ck(lang, Ck::Frame)),
                None => format!("#{}", row + 1),
            };
            let onclick = Callback::from(move |e: MouseEvent| {
                e.stop_propagation();
                on_select.emit(row);
            });
            Some(html! {
                <button class="finding-packet" data-row={row.to_string()} {onclick}>{ label }</button>
            })
        })
        .collect::<Html>();
    let level = if f.v5 { "5.0" } else { "3.1.1" };
    html! {
        <li class={classes!("finding", severity_class(f.severity))} data-id={f.id.clone()}
            data-statement={statement.map(|s| format!("{s:?}")).unwrap_or_default()}
            data-row={first.map(|r| r.to_string()).unwrap_or_default()} {onclick}>
            <span class="finding-severity">{ severity_text(lang, f.severity) }</span>
            { " " }
            <a class="finding-id mono" href={standard_url(p)} target="_blank" rel="noopener"
                title={format!("{} MQTT {level} {section}", ck(lang, Ck::Standard))}>
                { f.id.clone() }
            </a>
            if !section.is_empty() && section != f.id {
                <span class="finding-section">{ format!(" ({section}, MQTT {level})") }</span>
            }
            <span class="finding-words">{ format!(" {words}") }</span>
            if !f.packets.is_empty() {
                <span class="finding-packets">{ format!(" {} ", ck(lang, Ck::Packets)) }{ packets }</span>
            }
        </li>
    }
}

/// The coverage table: every statement, held, broken or never judged.
pub fn coverage(lang: Lang, tally: &[(u32, u32)]) -> Html {
    let (mut held, mut broken, mut never) = (0, 0, 0);
    let rows = Statement::ALL
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let (h, b) = tally.get(i).copied().unwrap_or_default();
            let (class, state) = match (h, b) {
                (_, b) if b > 0 => {
                    broken += 1;
                    ("broken", format!("{} {b}", ck(lang, Ck::Broken)))
                }
                (0, 0) => {
                    never += 1;
                    ("never", ck(lang, Ck::Never).to_string())
                }
                (h, _) => {
                    held += 1;
                    ("held", format!("{} {h}", ck(lang, Ck::Held)))
                }
            };
            let (v3, v5) = (s.id(Protocol::V311), s.id(Protocol::V5));
            let ids = if v3 == v5 {
                v3.to_string()
            } else {
                format!("{v3} · {v5} (5.0)")
            };
            html! {
                <tr class={classes!("coverage-row", class)} data-statement={format!("{s:?}")}>
                    <td class="mono">{ ids }</td>
                    <td>{ statement_text(lang, *s) }</td>
                    <td class="coverage-state">{ state }</td>
                </tr>
            }
        })
        .collect::<Html>();
    html! {
        <details class="coverage" data-held={held.to_string()} data-broken={broken.to_string()}
            data-never={never.to_string()}>
            <summary>{ format!("{} — {} {held} · {} {broken} · {} {never}",
                ck(lang, Ck::Coverage), ck(lang, Ck::Held), ck(lang, Ck::Broken), ck(lang, Ck::Never)) }</summary>
            <table><tbody>{ rows }</tbody></table>
        </details>
    }
}

/// The panel.
#[function_component(Findings)]
pub fn findings(props: &FindingsProps) -> Html {
    let lang = props.lang;
    let c = &props.checks.0;
    let musts = c.musts();
    let list = c
        .findings
        .iter()
        .map(|f| finding(lang, f, &props.on_select))
        .collect::<Html>();
    html! {
        <div class="panel findings-panel" id="findings" data-findings={c.findings.len().to_string()}
            data-musts={musts.to_string()}>
            <h3>{ ck(lang, Ck::Title) }
                <small>{ format!(" {} {}", c.findings.len(), ck(lang, Ck::Findings)) }</small>
            </h3>
            if musts == 0 {
                <p class="verdict ok findings-ok">{ ck(lang, Ck::NothingBroken) }</p>
            }
            <ul class="findings-list">{ list }</ul>
            { coverage(lang, &c.tally) }
        </div>
    }
}
