//! Pictures of the world under the workspace: its topology, its charts, and a
//! sweep of its scenario (when the scenario declares variables).

use yew::prelude::*;

use crate::components::charts_panel::ChartsPanel;
use crate::components::sweep_panel::SweepPanel;
use crate::components::topology::Topology;
use crate::hooks::use_sim::SimHandle;
use crate::i18n::{vw, Lang, Vw};

/// Properties of [`ViewsPanel`].
#[derive(Properties, PartialEq)]
pub struct ViewsPanelProps {
    /// The language.
    pub lang: Lang,
    /// The world.
    pub handle: SimHandle,
    /// The scenario's text (what a sweep runs).
    pub source: AttrValue,
    /// Whether the scenario declares variables (`param`).
    pub has_params: bool,
    /// File names start with this.
    pub stem: AttrValue,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tab {
    Topology,
    Charts,
    Sweep,
}

impl Tab {
    fn key(self) -> &'static str {
        match self {
            Tab::Topology => "topology",
            Tab::Charts => "charts",
            Tab::Sweep => "sweep",
        }
    }
    fn label(self) -> Vw {
        match self {
            Tab::Topology => Vw::Topology,
            Tab::Charts => Vw::Charts,
            Tab::Sweep => Vw::Sweep,
        }
    }
}

/// The views panel.
#[function_component(ViewsPanel)]
pub fn views_panel(props: &ViewsPanelProps) -> Html {
    let lang = props.lang;
    let tab = use_state(|| Tab::Topology);
    let tabs = [Tab::Topology, Tab::Charts, Tab::Sweep]
        .into_iter()
        .map(|t| {
            let onclick = {
                let tab = tab.clone();
                Callback::from(move |_: MouseEvent| tab.set(t))
            };
            let active = *tab == t;
            html! {
                <button id={format!("view-{}", t.key())} class={classes!("tab", active.then_some("active"))}
                    aria-pressed={active.to_string()} {onclick}>{ vw(lang, t.label()) }</button>
            }
        })
        .collect::<Html>();
    let body = match *tab {
        Tab::Topology => {
            // The world shown: a scrubbed moment's, else the live one. A
            // moment is a still picture: no packets move.
            let m = props.handle.mirror.borrow();
            let (nodes, lanes, rows, len, now_us) = (
                m.shown_nodes(),
                m.lanes.clone(),
                m.rows.clone(),
                m.rows.len(),
                m.shown_time_us(),
            );
            let still = m.moment.is_some();
            drop(m);
            html! { <Topology {lang} {nodes} {lanes} {rows} {len} {now_us} {still} /> }
        }
        Tab::Charts => html! { <ChartsPanel {lang} handle={props.handle.clone()} /> },
        Tab::Sweep if props.has_params => html! {
            <SweepPanel {lang} source={props.source.clone()} stem={props.stem.clone()} />
        },
        Tab::Sweep => html! { <p class="help">{ vw(lang, Vw::NoParams) }</p> },
    };
    html! {
        <div class="panel views-panel" data-view={tab.key()}>
            <div class="view-tabs">{ tabs }</div>
            { body }
        </div>
    }
}
