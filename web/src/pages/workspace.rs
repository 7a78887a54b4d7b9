//! The workspace: a scenario (bundled, shared in the URL, or written here), the
//! world it builds, every view of it, its expectations, and the exports.

use std::cell::RefCell;
use std::rc::Rc;

use mqttlab_core::sim::bundled::BUNDLED;
use mqttlab_core::sim::scenario::{expect, Scenario, ScenarioError};
use mqttlab_core::sim::{TraceMode, World};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::components::scenario_editor::ScenarioEditor;
use crate::components::sequence_diagram::export_svg;
use crate::components::world_view::{ClockState, SessionHandle, WorldView};
use crate::download::download;
use crate::hooks::use_clock::use_clock;
use crate::i18n::{t, Lang, Text};
use crate::route::{decode_text, encode_text, number_param, Page, Route};
use crate::session::Session;

/// The scenario a fresh workspace opens with.
pub const DEFAULT_SCENARIO: &str = "06-last-will.mqtt";

/// Properties of [`WorkspacePage`].
#[derive(Properties, PartialEq)]
pub struct WorkspacePageProps {
    /// The language.
    pub lang: Lang,
    /// The route that opened the page (scenario and seed may be in it).
    pub route: Route,
}

struct Loaded {
    source: String,
    seed: Option<u64>,
    /// What was wrong with the shared URL, if anything.
    url_error: Option<String>,
}

/// Reads the scenario and seed a URL carries; a damaged one falls back to the
/// default scenario and says why.
fn from_route(route: &Route) -> Loaded {
    let default = || {
        BUNDLED
            .iter()
            .find(|b| b.name == DEFAULT_SCENARIO)
            .or(BUNDLED.first())
            .map(|b| b.source.to_string())
            .unwrap_or_default()
    };
    let mut url_error = None;
    let source = if let Some(p) = route.params.get("scenario") {
        decode_text(p).unwrap_or_else(|e| {
            url_error = Some(e.to_string());
            default()
        })
    } else if let Some(name) = route.params.get("bundled") {
        match mqttlab_core::sim::bundled::find(name) {
            Some(b) => b.source.to_string(),
            None => {
                url_error = Some(format!("there is no bundled scenario '{name}'"));
                default()
            }
        }
    } else {
        default()
    };
    let seed = number_param(route, "seed").unwrap_or_else(|e| {
        url_error = Some(e.to_string());
        None
    });
    Loaded {
        source,
        seed,
        url_error,
    }
}

/// An empty world, for a scenario that does not parse yet.
fn empty_session() -> Session {
    Session::new(World::new(1, TraceMode::Full))
}

/// The workspace page.
#[function_component(WorkspacePage)]
pub fn workspace_page(props: &WorkspacePageProps) -> Html {
    let lang = props.lang;
    let loaded = use_memo((), |_| from_route(&props.route));
    let source = use_state(|| loaded.source.clone());
    let errors = use_state(Vec::<ScenarioError>::new);
    let scenario = use_state(|| None::<Rc<Scenario>>);
    let session = use_state(|| Rc::new(RefCell::new(empty_session())));
    let version = use_mut_ref(|| 0u64);
    let clock = use_state(|| ClockState {
        playing: false,
        speed: 1.0,
    });
    let force = use_force_update();

    let start = {
        let errors = errors.clone();
        let scenario = scenario.clone();
        let session = session.clone();
        let clock = clock.clone();
        move |text: &str, seed: Option<u64>| match Session::from_scenario(text, seed) {
            Ok((s, sc)) => {
                let seed = s.world().seed();
                session.set(Rc::new(RefCell::new(s)));
                scenario.set(Some(Rc::new(sc)));
                errors.set(Vec::new());
                clock.set(ClockState {
                    playing: false,
                    ..*clock
                });
                let mut route = Route::to(Page::Workspace);
                route.params.insert("scenario".into(), encode_text(text));
                route.params.insert("seed".into(), seed.to_string());
                route.replace();
            }
            Err(e) => errors.set(e),
        }
    };

    // Build the world of the scenario the page opened with.
    {
        let start = start.clone();
        let loaded = loaded.clone();
        use_effect_with((), move |_| start(&loaded.source, loaded.seed));
    }

    let bump = {
        let version = version.clone();
        let force = force.clone();
        Callback::from(move |_| {
            *version.borrow_mut() += 1;
            force.force_update();
        })
    };
    use_clock((*session).clone(), *clock, bump.clone());

    let handle = SessionHandle {
        session: (*session).clone(),
        version: *version.borrow(),
    };

    let on_edit = {
        let source = source.clone();
        Callback::from(move |text: String| source.set(text))
    };
    let on_run = {
        let start = start.clone();
        let source = source.clone();
        let session = session.clone();
        Callback::from(move |_| {
            let seed = session.borrow().world().seed();
            start(&source, Some(seed))
        })
    };
    let on_reset = {
        let start = start.clone();
        let source = source.clone();
        Callback::from(move |seed: u64| start(&source, Some(seed)))
    };
    let on_clock = {
        let clock = clock.clone();
        Callback::from(move |c| clock.set(c))
    };
    let on_pick = {
        let source = source.clone();
        let start = start.clone();
        Callback::from(move |e: Event| {
            let name = e.target_unchecked_into::<HtmlSelectElement>().value();
            if let Some(b) = mqttlab_core::sim::bundled::find(&name) {
                source.set(b.source.to_string());
                start(b.source, None);
            }
        })
    };

    let s = session.borrow();
    let now = s.now();
    let results = scenario
        .as_ref()
        .map(|sc| {
            sc.expects
                .iter()
                .map(|e| {
                    let r = expect::check(e, s.world());
                    let done = r.passed || now >= sc.end_time();
                    let (class, mark) = match (r.passed, done) {
                        (true, _) => ("ok", "✓"),
                        (false, true) => ("fail", "✗"),
                        (false, false) => ("pending", "…"),
                    };
                    html! {
                        <li class={classes!("expect", class)} title={r.detail.clone()}>
                            <span class="mark">{ mark }</span>{ format!(" {}", r.text) }
                        </li>
                    }
                })
                .collect::<Html>()
        })
        .unwrap_or_default();
    let stem = scenario
        .as_ref()
        .and_then(|sc| sc.title.clone())
        .map(|t| {
            t.chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() {
                        c.to_ascii_lowercase()
                    } else {
                        '-'
                    }
                })
                .collect::<String>()
        })
        .unwrap_or_else(|| "mqttlab".into());
    let stem: String = stem
        .split('-')
        .filter(|w| !w.is_empty())
        .take(6)
        .collect::<Vec<_>>()
        .join("-");
    drop(s);

    let export = |label: Text, kind: &'static str| {
        let session = (*session).clone();
        let stem = stem.clone();
        let onclick = Callback::from(move |_: MouseEvent| {
            let s = session.borrow();
            let (name, mime, bytes) = match kind {
                "svg" => (
                    format!("{stem}.svg"),
                    "image/svg+xml",
                    export_svg(s.lanes(), &s.rows(), lang).into_bytes(),
                ),
                "pcap" => (
                    format!("{stem}.pcap"),
                    "application/vnd.tcpdump.pcap",
                    mqttlab_core::sim::pcap::to_pcap(s.world().trace().entries()),
                ),
                _ => (
                    format!("{stem}-trace.json"),
                    "application/json",
                    s.world().trace().to_json().into_bytes(),
                ),
            };
            let _ = download(&name, mime, &bytes);
        });
        html! { <button class={classes!("export", kind)} {onclick}>{ t(lang, label) }</button> }
    };
    let exports = html! {
        <>
            { export(Text::ExportSvg, "svg") }
            { export(Text::ExportJson, "json") }
            { export(Text::ExportPcap, "pcap") }
        </>
    };

    let options = BUNDLED
        .iter()
        .map(|b| html! { <option value={b.name}>{ b.name.trim_end_matches(".mqtt") }</option> })
        .collect::<Html>();

    html! {
        <div class="workspace-page">
            if let Some(e) = &loaded.url_error {
                <p id="url-error" class="verdict error" role="alert">
                    { format!("{} {e}. {}", t(lang, Text::BadLink), t(lang, Text::BadLinkFallback)) }
                </p>
            }
            <WorldView {lang} handle={handle} clock={*clock} on_change={bump} {on_clock} {on_reset} {exports} />
            <div class="scenario-row">
                <div class="panel scenario-panel">
                    <div class="panel-head">
                        <h3>{ t(lang, Text::Scenario) }</h3>
                        <label class="pick">
                            <span>{ t(lang, Text::Bundled) }</span>
                            <select id="bundled" onchange={on_pick}>
                                <option value="" selected=true disabled=true>{ "…" }</option>
                                { options }
                            </select>
                        </label>
                    </div>
                    <ScenarioEditor {lang} source={(*source).clone()} errors={(*errors).clone()} {on_edit} {on_run} />
                </div>
                <div class="panel expect-panel">
                    <h3>{ t(lang, Text::Expectations) }</h3>
                    <ul id="expectations">{ results }</ul>
                </div>
            </div>
        </div>
    }
}
