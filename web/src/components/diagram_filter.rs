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
    // The two fields are not bound to the filter in force: the page redraws
    // with every update of a running world, and a bound field would lose what
    // a student is typing and has not yet entered. A change enters what both
    // fields show; a filter changed from elsewhere (Clear) is written into the
    // field it changed, and only that one.
    let node_field = use_node_ref();
    let topic_field = use_node_ref();
    let entered = {
        let on_filter = props.on_filter.clone();
        let (node_field, topic_field) = (node_field.clone(), topic_field.clone());
        Callback::from(move |_: Event| {
            let text = |field: &NodeRef| {
                field
                    .cast::<HtmlInputElement>()
                    .map(|i| i.value().trim().to_string())
                    .unwrap_or_default()
            };
            on_filter.emit(RowFilter {
                node: text(&node_field),
                topic: text(&topic_field),
            });
        })
    };
    {
        let (node_field, topic_field) = (node_field.clone(), topic_field.clone());
        let written = use_mut_ref(|| None::<RowFilter>);
        use_effect_with(props.filter.clone(), move |filter| {
            let before = written.replace(Some(filter.clone()));
            let write = |field: &NodeRef, now: &str, was: Option<&str>| {
                if was != Some(now) {
                    if let Some(input) = field.cast::<HtmlInputElement>() {
                        input.set_value(now);
                    }
                }
            };
            write(
                &node_field,
                &filter.node,
                before.as_ref().map(|f| f.node.as_str()),
            );
            write(
                &topic_field,
                &filter.topic,
                before.as_ref().map(|f| f.topic.as_str()),
            );
        });
    }
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
                <input id="filter-node" list="filter-nodes" ref={node_field}
                    placeholder={dv(lang, Dv::AnyNode)} onchange={entered.clone()} />
            </label>
            <datalist id="filter-nodes">{ options }</datalist>
            <label>{ dv(lang, Dv::Topic) }
                <input id="filter-topic" ref={topic_field}
                    placeholder={dv(lang, Dv::AnyTopic)} onchange={entered} />
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
