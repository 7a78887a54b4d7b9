//! The workspace: a scenario (bundled, shared in the URL, or written here), the
//! world it builds, every view of it, its expectations, and the exports.

use std::rc::Rc;

use mqttlab_core::sim::bundled::BUNDLED;
use mqttlab_core::sim::scenario::{self, Scenario, ScenarioError};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::components::scenario_editor::ScenarioEditor;
use crate::components::views_panel::ViewsPanel;
use crate::components::world_view::{ClockState, WorldView};
use crate::hooks::use_clock::use_clock;
use crate::hooks::use_sim::use_sim;
use crate::i18n::{scenario_comments, share_error, t, Lang, Text};
use crate::route::{decode_text, encode_text, number_param, Page, Route, ShareError};
use crate::session::seed_for;
use crate::sim::fork_link::ForkLink;
use crate::sim::protocol::{ExportKind, Request, WorldSource};

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
    /// A shared fork: the run's inputs and the fork, done once the world is built.
    fork: Option<ForkLink>,
    /// What was wrong with the shared URL, if anything.
    url_error: Option<ShareError>,
}

/// Reads the scenario and seed a URL carries; a damaged one falls back to the
/// default scenario and says why.
fn from_route(route: &Route, lang: Lang) -> Loaded {
    let default = || {
        BUNDLED
            .iter()
            .find(|b| b.name == DEFAULT_SCENARIO)
            .or(BUNDLED.first())
            .map(|b| scenario_comments(b.source, lang))
            .unwrap_or_default()
    };
    let mut url_error = None;
    let source = if let Some(p) = route.params.get("scenario") {
        decode_text(p).unwrap_or_else(|e| {
            url_error = Some(e);
            default()
        })
    } else if let Some(name) = route.params.get("bundled") {
        match mqttlab_core::sim::bundled::find(name) {
            Some(b) => scenario_comments(b.source, lang),
            None => {
                url_error = Some(ShareError::NoBundled(name.clone()));
                default()
            }
        }
    } else {
        default()
    };
    let seed = number_param(route, "seed").unwrap_or_else(|e| {
        url_error = Some(e);
        None
    });
    // A fork link that does not decode says so; one that decodes but does not
    // read as a fork opens the scenario without it.
    let fork = route.params.get("fork").and_then(|p| match decode_text(p) {
        Ok(text) => ForkLink::parse(&text).ok(),
        Err(e) => {
            url_error = Some(e);
            None
        }
    });
    Loaded {
        source,
        seed,
        fork,
        url_error,
    }
}

/// The workspace page.
#[function_component(WorkspacePage)]
pub fn workspace_page(props: &WorkspacePageProps) -> Html {
    let lang = props.lang;
    let loaded = use_memo((), |_| from_route(&props.route, lang));
    let source = use_state(|| AttrValue::from(loaded.source.clone()));
    let errors = use_state(Vec::<ScenarioError>::new);
    let scenario = use_state(|| None::<Rc<Scenario>>);
    let sim = use_sim(None);
    let clock = use_state(|| ClockState {
        playing: false,
        speed: 1.0,
    });

    let start = {
        let errors = errors.clone();
        let scenario = scenario.clone();
        let sim = sim.clone();
        let clock = clock.clone();
        move |text: &str, seed: Option<u64>| match scenario::parse(text) {
            Ok(sc) => {
                let seed = seed_for(&sc, seed);
                sim.load(WorldSource::Scenario {
                    source: text.to_string(),
                    seed: Some(seed),
                });
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
                // What the teacher's console sends as "my own world".
                if let Some(s) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
                    let _ =
                        s.set_item(crate::pages::teacher::WORLD_KEY, &format!("{seed}\n{text}"));
                }
            }
            Err(e) => errors.set(e.0),
        }
    };

    // Build the world of the scenario the page opened with, and a shared fork's
    // two runs.
    {
        let start = start.clone();
        let loaded = loaded.clone();
        let sim = sim.clone();
        use_effect_with((), move |_| {
            start(&loaded.source, loaded.seed);
            if let Some(link) = &loaded.fork {
                sim.send(Request::Replay {
                    inputs: link.inputs.clone(),
                });
                sim.fork(link.spec.clone());
            }
        });
    }

    use_clock(sim.clone(), *clock);

    // The editor's callbacks stay the same while its text does, so that the
    // world's updates do not draw it again.
    let on_edit = {
        let source = source.clone();
        use_callback((), move |text: String, ()| source.set(text.into()))
    };
    let on_run = {
        let start = start.clone();
        let sim = sim.clone();
        // `start` reads the clock's speed: a new speed makes a new callback.
        use_callback(((*source).clone(), *clock), move |(), (text, _)| {
            let seed = sim.mirror.borrow().seed;
            start(text, Some(seed))
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
                let text = scenario_comments(b.source, lang);
                start(&text, None);
                source.set(text.into());
            }
        })
    };

    let m = sim.mirror.borrow();
    // A scrubbed timeline shows the expectations as they stood then.
    let expects = m.moment.as_ref().map_or(&m.expects, |mo| &*mo.expects);
    let results = expects
        .iter()
        .map(|r| {
            let (class, mark) = match (r.passed, m.ended) {
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
        .collect::<Html>();
    drop(m);
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
    let export = |label: Text, kind: &'static str| {
        let sim = sim.clone();
        let stem = stem.clone();
        let onclick = Callback::from(move |_: MouseEvent| match kind {
            // The rows are in the worker: it draws the picture.
            "svg" => sim.export(
                ExportKind::Svg {
                    pt: lang == Lang::PtBr,
                },
                format!("{stem}.svg"),
            ),
            "pcap" => sim.export(ExportKind::Pcap, format!("{stem}.pcap")),
            _ => sim.export(ExportKind::Json, format!("{stem}-trace.json")),
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

    let has_params = scenario.as_ref().is_some_and(|sc| !sc.params.is_empty());
    let options = BUNDLED
        .iter()
        .map(|b| html! { <option value={b.name}>{ b.name.trim_end_matches(".mqtt") }</option> })
        .collect::<Html>();

    html! {
        <div class="workspace-page">
            if let Some(e) = &loaded.url_error {
                <p id="url-error" class="verdict error" role="alert">
                    { format!("{} {}. {}", t(lang, Text::BadLink), share_error(lang, e), t(lang, Text::BadLinkFallback)) }
                </p>
            }
            <WorldView {lang} handle={sim.clone()} clock={*clock} {on_clock} {on_reset} {exports} />
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
            <ViewsPanel {lang} handle={sim.clone()} source={(*source).clone()}
                {has_params} stem={AttrValue::from(stem.clone())} />
        </div>
    }
}
