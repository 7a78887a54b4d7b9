//! A sweep in the page: the scenario run over the grid of its `param` values
//! times N seeds in the simulation worker (core's `sim::sweep`), with progress
//! and a cancel button; the result as a table (the numbers of the CSV, formatted
//! by core) and a chart, both exported.

use std::rc::Rc;

use mqttlab_core::sim::sweep::table::{Column, COLUMNS};
use mqttlab_core::sim::sweep::SweepResult;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::charts::{sweep_chart, Frame, SweepMetric};
use crate::download::download;
use crate::i18n::{vw, Lang, Vw};
use crate::sim::protocol::{Reply, Request};
use crate::sim::service;

/// Properties of [`SweepPanel`].
#[derive(Properties, PartialEq)]
pub struct SweepPanelProps {
    /// The language.
    pub lang: Lang,
    /// The scenario, with `param` lines.
    pub source: AttrValue,
    /// Seeds per combination, at first.
    #[prop_or(20)]
    pub seeds: u64,
    /// The Run button waits (a lab's predictions are not all made).
    #[prop_or_default]
    pub locked: bool,
    /// Told the table when a sweep ends (not when it is cancelled).
    #[prop_or_default]
    pub on_done: Option<Callback<Rc<SweepResult>>>,
    /// File names start with this.
    #[prop_or(AttrValue::from("sweep"))]
    pub stem: AttrValue,
}

#[derive(Debug, Clone, PartialEq)]
enum Status {
    Idle,
    Running {
        done: u64,
        total: u64,
    },
    Done {
        result: Rc<SweepResult>,
        cancelled: bool,
        elapsed_ms: f64,
    },
    Failed(String),
}

fn column_text(c: Column) -> Vw {
    match c {
        Column::Runs => Vw::ColRuns,
        Column::Sent => Vw::ColSent,
        Column::Delivered => Vw::ColDelivered,
        Column::Duplicated => Vw::ColDuplicated,
        Column::Lost => Vw::ColLost,
        Column::LostPercent => Vw::ColLostPct,
        Column::PacketsPerDelivered => Vw::ColPackets,
        Column::LatencyP50 => Vw::ColP50,
        Column::LatencyP95 => Vw::ColP95,
        Column::LatencyP99 => Vw::ColP99,
        Column::LatencyMax => Vw::ColMax,
        Column::Retransmissions => Vw::ColRetrans,
    }
}

/// The words of a sweep metric.
pub fn metric_text(m: SweepMetric) -> Vw {
    match m {
        SweepMetric::LostPercent => Vw::MetricLost,
        SweepMetric::DuplicatedPercent => Vw::MetricDuplicated,
        SweepMetric::PacketsPerDelivered => Vw::MetricPackets,
        SweepMetric::LatencyP95 => Vw::MetricLatency,
    }
}

/// The chart of `result` for `metric`, in `lang`.
pub fn chart_svg(lang: Lang, result: &SweepResult, metric: SweepMetric) -> String {
    let x = result.params.last().cloned().unwrap_or_default();
    let title = format!(
        "{} {x}: {}",
        vw(lang, Vw::SweepChartTitle),
        vw(lang, metric_text(metric))
    );
    sweep_chart(
        &Frame {
            title: &title,
            x_label: &x,
            y_label: vw(lang, metric_text(metric)),
            size: (720, 360),
        },
        result,
        metric,
    )
}

/// The sweep panel.
#[function_component(SweepPanel)]
pub fn sweep_panel(props: &SweepPanelProps) -> Html {
    let lang = props.lang;
    let status = use_state(|| Status::Idle);
    let seeds = use_state(|| props.seeds);
    let metric = use_state(|| SweepMetric::LostPercent);
    let sweep_id = use_mut_ref(|| 0u64);
    let started = use_mut_ref(|| 0f64);
    // The listener reads the latest callbacks through this cell.
    let on_done = use_mut_ref(|| None::<Callback<Rc<SweepResult>>>);
    *on_done.borrow_mut() = props.on_done.clone();
    {
        let status = status.clone();
        let sweep_id = sweep_id.clone();
        let started = started.clone();
        let on_done = on_done.clone();
        use_effect_with((), move |_| {
            let listener: Rc<dyn Fn(Reply)> = Rc::new(move |reply: Reply| {
                let current = *sweep_id.borrow();
                match reply {
                    Reply::SweepProgress { id, done, total } if id == current => {
                        status.set(Status::Running { done, total })
                    }
                    Reply::SweepDone {
                        id,
                        cancelled,
                        result,
                    } if id == current => {
                        let result: Rc<SweepResult> = Rc::new(*result);
                        let elapsed_ms = js_sys::Date::now() - *started.borrow();
                        if !cancelled {
                            if let Some(cb) = on_done.borrow().as_ref() {
                                cb.emit(result.clone());
                            }
                        }
                        status.set(Status::Done {
                            result,
                            cancelled,
                            elapsed_ms,
                        });
                    }
                    Reply::SweepFailed { id, error } if id == current => {
                        status.set(Status::Failed(error))
                    }
                    _ => {}
                }
            });
            service::listen_sweep(listener.clone());
            move || service::unlisten_sweep(&listener)
        });
    }

    let on_run = {
        let status = status.clone();
        let source = props.source.to_string();
        let seeds = *seeds;
        let sweep_id = sweep_id.clone();
        let started = started.clone();
        Callback::from(move |_: MouseEvent| {
            let id = *sweep_id.borrow() + 1;
            *sweep_id.borrow_mut() = id;
            *started.borrow_mut() = js_sys::Date::now();
            status.set(Status::Running { done: 0, total: 0 });
            service::send(Request::Sweep {
                id,
                source: source.clone(),
                first_seed: 1,
                seeds,
            });
        })
    };
    let on_cancel = Callback::from(|_: MouseEvent| service::send(Request::CancelSweep));
    let on_seeds = {
        let seeds = seeds.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlInputElement>().value();
            if let Ok(n) = v.trim().parse::<u64>() {
                seeds.set(n.clamp(1, 200));
            }
        })
    };
    let on_metric = {
        let metric = metric.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlSelectElement>().value();
            if let Some(m) = SweepMetric::ALL.into_iter().find(|m| m.key() == v) {
                metric.set(m);
            }
        })
    };

    let running = matches!(*status, Status::Running { .. });
    let progress = match &*status {
        Status::Running { done, total } => html! {
            <div class="sweep-progress" role="status">
                <progress max={total.max(&1).to_string()} value={done.to_string()} />
                <span class="count">{ format!("{done} / {total} {}", vw(lang, Vw::Runs)) }</span>
                <button id="sweep-cancel" onclick={on_cancel}>{ vw(lang, Vw::Cancel) }</button>
            </div>
        },
        Status::Failed(e) => html! { <p class="verdict error" role="alert">{ e }</p> },
        _ => Html::default(),
    };

    let result_view = match &*status {
        Status::Done {
            result,
            cancelled,
            elapsed_ms,
        } => {
            let (_, rows) = result.rows();
            let head = result
                .params
                .iter()
                .map(|p| html! { <th>{ p }</th> })
                .chain(COLUMNS.iter().map(|c| {
                    html! { <th title={c.key()}>{ vw(lang, column_text(*c)) }</th> }
                }))
                .collect::<Html>();
            let body = rows
                .iter()
                .map(|r| html! { <tr>{ for r.iter().map(|v| html! { <td>{ v }</td> }) }</tr> })
                .collect::<Html>();
            let svg = chart_svg(lang, result, *metric);
            let csv = result.to_csv();
            let stem = props.stem.to_string();
            let export_csv = {
                let stem = stem.clone();
                Callback::from(move |_: MouseEvent| {
                    let _ = download(&format!("{stem}.csv"), "text/csv", csv.as_bytes());
                })
            };
            let export_svg = {
                let svg = svg.clone();
                let key = metric.key();
                Callback::from(move |_: MouseEvent| {
                    let _ = download(
                        &format!("{stem}-{key}.svg"),
                        "image/svg+xml",
                        svg.as_bytes(),
                    );
                })
            };
            let options = SweepMetric::ALL
                .iter()
                .map(|m| {
                    html! {
                        <option value={m.key()} selected={*m == *metric}>{ vw(lang, metric_text(*m)) }</option>
                    }
                })
                .collect::<Html>();
            let total: u64 = result.cells.iter().map(|c| c.runs).sum();
            html! {
                <div class="sweep-result" data-elapsed-ms={format!("{elapsed_ms:.0}")}
                    data-runs={total.to_string()} data-cancelled={cancelled.to_string()}>
                    if *cancelled {
                        <p class="verdict" role="status">{ vw(lang, Vw::Cancelled) }</p>
                    }
                    <p class="sweep-summary">
                        { format!("{total} {} · {:.1} s", vw(lang, Vw::Runs), elapsed_ms / 1000.0) }
                    </p>
                    <div class="sweep-chart-head">
                        <select id="sweep-metric" onchange={on_metric}>{ options }</select>
                        <button class="export csv" onclick={export_csv}>{ vw(lang, Vw::ExportCsv) }</button>
                        <button class="export svg" onclick={export_svg}>{ vw(lang, Vw::ExportChart) }</button>
                    </div>
                    <div class="chart sweep-chart">{ Html::from_html_unchecked(AttrValue::from(svg)) }</div>
                    <div class="table-scroll">
                        <table class="sweep-table">
                            <thead><tr>{ head }</tr></thead>
                            <tbody>{ body }</tbody>
                        </table>
                    </div>
                    <pre id="sweep-csv" hidden=true>{ result.to_csv() }</pre>
                </div>
            }
        }
        _ => Html::default(),
    };

    html! {
        <div class="sweep-panel">
            <p class="help">{ vw(lang, Vw::SweepHelp) }</p>
            <div class="sweep-controls">
                <label>
                    <input id="sweep-seeds" type="number" min="1" max="200" value={seeds.to_string()}
                        onchange={on_seeds} disabled={running} />
                    { format!(" {}", vw(lang, Vw::Seeds)) }
                </label>
                <button id="sweep-run" class="primary" onclick={on_run} disabled={running || props.locked}>
                    { vw(lang, Vw::RunSweep) }
                </button>
                if props.locked {
                    <span class="hint">{ vw(lang, Vw::PredictFirst) }</span>
                }
            </div>
            { progress }
            { result_view }
        </div>
    }
}
