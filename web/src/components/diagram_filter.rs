//! The diagram's filter bar (a node, a topic filter, the zoomed-out view) and
//! the zoomed-out summary itself: what keeps a diagram of millions of rows
//! usable. The rows are filtered and counted in the worker
//! ([`crate::sim::row_view`]); these only ask and draw.

use std::rc::Rc;

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::components::sequence_diagram::format_time;
use crate::i18n::{dv, grouped, lost, rows_of, Dv, Lang};
use crate::sim::protocol::{BucketRow, RowFilter};

/// Properties of [`DiagramFilter`].
#[derive(Properties, PartialEq)]
pub struct DiagramFilterProps {
    /// The language.
    pub lang: Lang,
    /// The filter in force.
    pub filter: RowFilter,
    /// Whether the summary is shown instead of the rows.
    pub zoom: bool,
    /// Rows that pass, and rows in all.
    pub shown: usize,
    /// Rows in all.
    pub total: usize,
    /// Lifeline names (the node field suggests them, the first ones).
    pub lanes: Rc<Vec<String>>,
    /// A new filter.
    pub on_filter: Callback<RowFilter>,
    /// The summary on or off.
    pub on_zoom: Callback<bool>,
}

/// Node names the node field suggests at most.
const SUGGESTED: usize = 200;

/// The filter bar above the diagram.
#[function_component(DiagramFilter)]
pub fn diagram_filter(props: &DiagramFilterProps) -> Html {
    let lang = props.lang;
    let field = |which: &'static str| {
        let on_filter = props.on_filter.clone();
        let filter = props.filter.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlInputElement>().value();
            let mut f = filter.clone();
            match which {
                "node" => f.node = v.trim().to_string(),
                _ => f.topic = v.trim().to_string(),
            }
            on_filter.emit(f);
        })
    };
    let clear = {
        let on_filter = props.on_filter.clone();
        Callback::from(move |_: MouseEvent| on_filter.emit(RowFilter::default()))
    };
    let zoom = {
        let on_zoom = props.on_zoom.clone();
        let on = props.zoom;
        Callback::from(move |_: MouseEvent| on_zoom.emit(!on))
    };
    let options = props
        .lanes
        .iter()
        .take(SUGGESTED)
        .map(|l| html! { <option value={l.clone()} /> })
        .collect::<Html>();
    html! {
        <div class="diagram-filter" data-shown={props.shown.to_string()} data-total={props.total.to_string()}>
            <label>{ dv(lang, Dv::Node) }
                <input id="filter-node" list="filter-nodes" value={props.filter.node.clone()}
                    placeholder={dv(lang, Dv::AnyNode)} onchange={field("node")} />
            </label>
            <datalist id="filter-nodes">{ options }</datalist>
            <label>{ dv(lang, Dv::Topic) }
                <input id="filter-topic" value={props.filter.topic.clone()}
                    placeholder={dv(lang, Dv::AnyTopic)} onchange={field("topic")} />
            </label>
            if !props.filter.is_empty() {
                <button class="filter-clear" onclick={clear}>{ dv(lang, Dv::Clear) }</button>
            }
            <button id="diagram-zoom" class="diagram-zoom" aria-pressed={props.zoom.to_string()} onclick={zoom}>
                { dv(lang, if props.zoom { Dv::ZoomIn } else { Dv::ZoomOut }) }
            </button>
            <span class="filter-count">{ rows_of(lang, props.shown, props.total) }</span>
        </div>
    }
}

/// Properties of [`DiagramSummary`].
#[derive(Properties, PartialEq)]
pub struct DiagramSummaryProps {
    /// The language.
    pub lang: Lang,
    /// Lifeline names.
    pub lanes: Rc<Vec<String>>,
    /// The counts, per stretch of time, lane pair and packet type.
    pub buckets: Rc<Vec<BucketRow>>,
}

/// The zoomed-out diagram: one line per stretch of time, lane pair and packet
/// type, with its count and a bar.
#[function_component(DiagramSummary)]
pub fn diagram_summary(props: &DiagramSummaryProps) -> Html {
    let lang = props.lang;
    if props.buckets.is_empty() {
        return html! { <p class="empty diagram-summary">{ dv(lang, Dv::NoRows) }</p> };
    }
    let most = props
        .buckets
        .iter()
        .map(|b| b.count)
        .max()
        .unwrap_or(1)
        .max(1);
    let lane = |l: Option<usize>| match l {
        Some(i) => props.lanes.get(i).cloned().unwrap_or_default(),
        None => format!("({})", dv(lang, Dv::Clients)),
    };
    let mut last_from = None;
    let lines = props
        .buckets
        .iter()
        .map(|b| {
            // The time is written once per stretch.
            let time = (last_from != Some(b.from_us)).then(|| {
                format!("{}–{}", format_time(b.from_us), format_time(b.to_us))
            });
            last_from = Some(b.from_us);
            let lanes = if b.from == b.to {
                lane(b.from)
            } else {
                format!("{} → {}", lane(b.from), lane(b.to))
            };
            let what = if b.what.is_empty() {
                dv(lang, Dv::Notes).to_string()
            } else {
                b.what.clone()
            };
            let width = format!("width: {:.1}%", 100.0 * b.count as f64 / most as f64);
            let lost_text = (b.dropped > 0).then(|| lost(lang, b.dropped));
            html! {
                <tr class={classes!("bucket", (b.dropped > 0).then_some("lossy"))}>
                    <td class="time">{ time.unwrap_or_default() }</td>
                    <td class="lanes">{ lanes }</td>
                    <td class="what">{ what }</td>
                    <td class="count">{ grouped(lang, b.count as usize) }{ lost_text.unwrap_or_default() }</td>
                    <td class="bar"><span style={width}></span></td>
                </tr>
            }
        })
        .collect::<Html>();
    html! {
        <div class="diagram-summary" data-buckets={props.buckets.len().to_string()}>
            <table>
                <thead><tr>
                    <th>{ dv(lang, Dv::ColTime) }</th>
                    <th>{ dv(lang, Dv::ColLanes) }</th>
                    <th>{ dv(lang, Dv::ColWhat) }</th>
                    <th>{ dv(lang, Dv::ColCount) }</th>
                    <th></th>
                </tr></thead>
                <tbody>{ lines }</tbody>
            </table>
        </div>
    }
}
