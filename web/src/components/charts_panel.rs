//! The world's charts: numeric payloads per topic over virtual time (a 0/1
//! state such as a heater as shaded spans on the same time axis), message
//! rates per topic, in-flight and queued counts per session. The worker
//! computes the series (core's `sim::series`); they are drawn here as SVG and
//! exported as such.

use std::cell::Cell;
use std::rc::Rc;

use mqttlab_core::sim::series::Series;
use yew::prelude::*;

use crate::charts::{time_chart, Frame};
use crate::download::download;
use crate::hooks::use_sim::SimHandle;
use crate::i18n::{vw, Lang, Vw};
use crate::sim::protocol::{ChartData, Request};

/// Properties of [`ChartsPanel`].
#[derive(Properties, PartialEq)]
pub struct ChartsPanelProps {
    /// The language.
    pub lang: Lang,
    /// The world.
    pub handle: SimHandle,
}

/// Wall-clock milliseconds between two chart requests while the world runs.
const REFRESH_MS: f64 = 1_000.0;

/// The four charts of `data`, as (DOM id, SVG text).
pub fn chart_svgs(lang: Lang, data: &ChartData) -> Vec<(&'static str, String)> {
    let size = (720, 320);
    let (bands, lines): (Vec<Series>, Vec<Series>) =
        data.values.iter().cloned().partition(|s| s.binary);
    let frame = |title: Vw, y: Vw| Frame {
        title: vw(lang, title),
        x_label: vw(lang, Vw::TimeAxis),
        y_label: vw(lang, y),
        size,
    };
    let mut out = Vec::new();
    if !data.values.is_empty() {
        out.push((
            "chart-values",
            time_chart(
                &frame(Vw::ValuesTitle, Vw::ValueAxis),
                &lines,
                &bands,
                data.now_us,
            ),
        ));
    }
    if !data.rates.is_empty() {
        out.push((
            "chart-rates",
            time_chart(
                &frame(Vw::RatesTitle, Vw::RateAxis),
                &data.rates,
                &[],
                data.now_us,
            ),
        ));
    }
    if !data.inflight.is_empty() {
        out.push((
            "chart-inflight",
            time_chart(
                &frame(Vw::InflightTitle, Vw::MessagesAxis),
                &data.inflight,
                &[],
                data.now_us,
            ),
        ));
        out.push((
            "chart-queued",
            time_chart(
                &frame(Vw::QueuedTitle, Vw::MessagesAxis),
                &data.queued,
                &[],
                data.now_us,
            ),
        ));
    }
    out
}

/// The charts panel.
#[function_component(ChartsPanel)]
pub fn charts_panel(props: &ChartsPanelProps) -> Html {
    let lang = props.lang;
    let sim = props.handle.clone();
    let last_ask = use_mut_ref(|| Rc::new(Cell::new(f64::MIN)));
    // Ask again whenever the world moved (at most once a second while it runs).
    {
        let sim = sim.clone();
        let last_ask = last_ask.borrow().clone();
        let (now_us, busy) = {
            let m = sim.mirror.borrow();
            (m.now_us, m.busy)
        };
        let have = sim.mirror.borrow().charts.as_ref().map(|c| c.now_us);
        use_effect_with((now_us, busy), move |(now_us, busy)| {
            let wall = js_sys::Date::now();
            if have != Some(*now_us) && (!*busy || wall - last_ask.get() >= REFRESH_MS) {
                last_ask.set(wall);
                sim.send(Request::Charts);
            }
        });
    }
    let on_refresh = {
        let sim = sim.clone();
        Callback::from(move |_: MouseEvent| sim.send(Request::Charts))
    };
    let data = sim.mirror.borrow().charts.clone();
    let charts = match data {
        None => Html::default(),
        Some(d) => {
            let svgs = chart_svgs(lang, &d);
            if svgs.is_empty() {
                html! { <p class="help">{ vw(lang, Vw::NoValues) }</p> }
            } else {
                svgs.into_iter()
                    .map(|(id, svg)| {
                        let export = {
                            let svg = svg.clone();
                            Callback::from(move |_: MouseEvent| {
                                let _ = download(&format!("{id}.svg"), "image/svg+xml", svg.as_bytes());
                            })
                        };
                        html! {
                            <figure class="chart" id={id}>
                                { Html::from_html_unchecked(AttrValue::from(svg)) }
                                <button class="export svg" onclick={export}>{ vw(lang, Vw::ExportChart) }</button>
                            </figure>
                        }
                    })
                    .collect::<Html>()
            }
        }
    };
    html! {
        <div class="charts-panel">
            <button id="charts-refresh" onclick={on_refresh}>{ vw(lang, Vw::Refresh) }</button>
            { charts }
        </div>
    }
}
