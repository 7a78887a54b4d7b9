//! One guided lab: its steps beside a live world. A step is done when its check
//! (an expectation of the scenario language) holds in the world; its "predict"
//! answer is revealed then, and the next step opens.
//!
//! What the open step asks for is within reach on one screen: the terminal it
//! names (or the one the steps before it last used) is docked under it, and a
//! control or fault rule it asks for is a button in the step itself. On a wide
//! screen the steps stay in view beside the diagram as the page scrolls.

use std::rc::Rc;
use std::time::Duration;

use mqttlab_core::sim::scenario::units::parse_duration;
use yew::prelude::*;

use crate::components::sweep_panel::SweepPanel;
use crate::components::terminal::Terminal;
use crate::components::world_view::{control_label, ClockState, WorldView};
use crate::hooks::use_clock::use_clock;
use crate::hooks::use_sim::use_sim;
use crate::i18n::{t, tl, vw, Lang, Text, Tl, Vw};
use crate::labs::{self, progress, Lab, Step};
use crate::route::{decode_text, number_param, Page, Route};
use crate::session::Control;
use crate::sim::fork_link::ForkLink;
use crate::sim::protocol::{Change, Request, WorldSource};

/// Properties of [`LabPage`].
#[derive(Properties, PartialEq)]
pub struct LabPageProps {
    /// The language.
    pub lang: Lang,
    /// The lab's id.
    pub id: AttrValue,
    /// The route (may carry `step`).
    pub route: Route,
}

/// The lab page.
#[function_component(LabPage)]
pub fn lab_page(props: &LabPageProps) -> Html {
    let lang = props.lang;
    let Some(lab) = labs::find(&props.id) else {
        return html! {
            <section class="panel">
                <p id="url-error" class="verdict error" role="alert">
                    { format!("{} '{}'.", t(lang, Text::NoSuchLab), props.id) }
                </p>
                <a href={format!("#{}", Page::Labs.path())}>{ t(lang, Text::BackToLabs) }</a>
            </section>
        };
    };
    if lab.sweep.is_some() {
        return html! { <SweepLabRunner {lang} lab={Rc::new(lab.clone())} /> };
    }
    html! { <LabRunner {lang} lab={Rc::new(lab.clone())} route={props.route.clone()} /> }
}

#[derive(Properties)]
struct SweepLabProps {
    lang: Lang,
    lab: Rc<Lab>,
}

impl PartialEq for SweepLabProps {
    fn eq(&self, other: &Self) -> bool {
        self.lang == other.lang && Rc::ptr_eq(&self.lab, &other.lab)
    }
}

/// A sweep lab: every question answered first, then the sweep (in the worker),
/// then the answers revealed beside the table and chart, and the explanation.
#[function_component(SweepLabRunner)]
fn sweep_lab_runner(props: &SweepLabProps) -> Html {
    let lang = props.lang;
    let lab = props.lab.clone();
    let Some(sweep) = lab.sweep.clone() else {
        return Html::default();
    };
    let guesses = use_state(|| vec![None::<usize>; sweep.questions.len()]);
    let done = use_state(|| false);
    let on_done = {
        let done = done.clone();
        let id = lab.id.clone();
        Callback::from(move |_| {
            progress::save(&id, 1);
            done.set(true);
        })
    };
    let questions = sweep
        .questions
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let options = q
                .options
                .iter()
                .enumerate()
                .map(|(k, o)| {
                    let chosen = guesses[i] == Some(k);
                    let onchange = {
                        let guesses = guesses.clone();
                        Callback::from(move |_: Event| {
                            let mut g = (*guesses).clone();
                            g[i] = Some(k);
                            guesses.set(g);
                        })
                    };
                    let right = q.answer == k;
                    let class = classes!(
                        "option",
                        (*done && right).then_some("right"),
                        (*done && !right && chosen).then_some("wrong"),
                    );
                    html! {
                        <label {class}>
                            <input type="radio" name={format!("predict-{i}")} checked={chosen}
                                disabled={*done} {onchange} />
                            { o.get(lang) }
                        </label>
                    }
                })
                .collect::<Html>();
            let verdict = (*done).then(|| {
                if guesses[i] == Some(q.answer) {
                    html! { <p class="verdict ok">{ vw(lang, Vw::Right) }</p> }
                } else {
                    html! {
                        <p class="verdict">
                            { format!("{} {}", vw(lang, Vw::WrongItWas), q.options[q.answer].get(lang)) }
                        </p>
                    }
                }
            });
            html! {
                <li class="step" id={format!("question-{}", i + 1)}>
                    <fieldset class="predict">
                        <legend>{ format!("{} {}", t(lang, Text::Predict), q.predict.get(lang)) }</legend>
                        { options }
                    </fieldset>
                    { verdict.unwrap_or_default() }
                </li>
            }
        })
        .collect::<Html>();
    let locked = guesses.iter().any(Option::is_none);
    let source = sweep.source().unwrap_or_default();
    html! {
        <div class="lab-page sweep-lab">
            <aside class="lab panel">
                <a class="back" href={format!("#{}", Page::Labs.path())}>{ t(lang, Text::BackToLabs) }</a>
                <h2>{ lab.title.get(lang) }</h2>
                <details class="goal" open=true>
                    <summary>{ t(lang, Text::Goal) }</summary>
                    <p>{ lab.goal.get(lang) }</p>
                </details>
                <h3>{ vw(lang, Vw::YourPrediction) }</h3>
                <ol class="steps">{ questions }</ol>
                if *done {
                    <div id="lab-complete" class="explanation">
                        <h3>{ t(lang, Text::WhatHappened) }</h3>
                        <p>{ lab.explanation.get(lang) }</p>
                    </div>
                }
            </aside>
            <div class="panel sweep-lab-panel">
                <h3>{ vw(lang, Vw::Sweep) }</h3>
                <SweepPanel {lang} source={AttrValue::from(source)} seeds={sweep.seeds} {locked}
                    on_done={Some(on_done)} stem={AttrValue::from(lab.id.clone())} />
            </div>
        </div>
    }
}

#[derive(Properties)]
struct LabRunnerProps {
    lang: Lang,
    lab: Rc<Lab>,
    route: Route,
}

impl PartialEq for LabRunnerProps {
    fn eq(&self, other: &Self) -> bool {
        self.lang == other.lang && Rc::ptr_eq(&self.lab, &other.lab) && self.route == other.route
    }
}

#[function_component(LabRunner)]
fn lab_runner(props: &LabRunnerProps) -> Html {
    let lang = props.lang;
    let lab = props.lab.clone();
    // A shared link that opens at step N replays the N-1 steps before it (the
    // worker does them before its first update).
    let open_at = number_param(&props.route, "step")
        .ok()
        .flatten()
        .unwrap_or(1) as usize;
    let sim = use_sim(Some(WorldSource::Lab {
        id: lab.id.clone(),
        open_at,
    }));
    let clock = use_state(|| ClockState {
        playing: false,
        speed: 1.0,
    });
    // A fork link from a lab (`#/lab/ID?fork=...`): the steps the student did
    // are its inputs, replayed once the world is built, then the fork.
    {
        let sim = sim.clone();
        let fork = props
            .route
            .params
            .get("fork")
            .and_then(|p| decode_text(p).ok())
            .and_then(|text| ForkLink::parse(&text).ok());
        use_effect_with((), move |_| {
            if let Some(link) = fork {
                sim.send(Request::Replay {
                    inputs: link.inputs.clone(),
                });
                sim.fork(link.spec);
            }
        });
    }
    let guesses = use_state(|| vec![None::<usize>; lab.steps.len()]);
    let steps_ref = use_node_ref();
    let hints = use_state(|| vec![false; lab.steps.len()]);
    use_clock(sim.clone(), *clock);

    // Steps done so far in this run: the worker checks them after every change.
    let (done, world_error, checks) = {
        let m = sim.mirror.borrow();
        (m.lab_done, m.error.clone(), m.checks.clone())
    };
    let saved = use_mut_ref(|| 0usize);
    {
        let lab = lab.clone();
        use_effect_with(done, move |&n| {
            // The class (if this tab joined one) hears of every change,
            // the first count included.
            crate::classroom::student::report_progress(&lab.id, n, lab.steps.len());
            if n != *saved.borrow() {
                *saved.borrow_mut() = n;
                if n > 0 {
                    progress::save(&lab.id, n);
                    let mut route = Route::to(Page::Lab(lab.id.clone()));
                    route
                        .params
                        .insert("step".into(), (n + 1).min(lab.steps.len()).to_string());
                    route.replace();
                }
            }
        });
    }

    // The open step and its docked terminal come into view, at first and when the
    // step before passes: in the steps' own scroll area on a wide screen (the page
    // stays where it is), else by scrolling the page to the step (not at first:
    // a lab opens at its top).
    {
        let steps_ref = steps_ref.clone();
        use_effect_with(done, move |&n| {
            if let Some(ol) = steps_ref.cast::<web_sys::Element>() {
                show_open_step(&ol, n + 1, n > 0);
            }
        });
    }

    let on_clock = {
        let clock = clock.clone();
        Callback::from(move |c| clock.set(c))
    };
    let on_reset = {
        let sim = sim.clone();
        let id = lab.id.clone();
        Callback::from(move |_seed: u64| {
            sim.load(WorldSource::Lab {
                id: id.clone(),
                open_at: 1,
            })
        })
    };

    let step_html = |i: usize, step: &Step| -> Html {
        let state = if i < done {
            "done"
        } else if i == done {
            "current"
        } else {
            "later"
        };
        let run_button = step.run.as_deref().and_then(parse_duration).map(|d: Duration| {
            let sim = sim.clone();
            let onclick = Callback::from(move |_: MouseEvent| {
                sim.send(Request::Advance {
                    by_us: d.as_micros() as u64,
                })
            });
            html! {
                <button class="run-step" {onclick} disabled={state != "current"}>
                    { format!("▶ {} {}", t(lang, Text::RunFor), step.run.as_deref().unwrap_or("")) }
                </button>
            }
        });
        let action = match (&step.terminal, &step.command, &step.control) {
            (Some(term), Some(cmd), _) => html! {
                <p class="action">{ format!("{} ", t(lang, Text::TypeIn)) }<strong>{ term }</strong>{ ":" }
                    <code class="command">{ cmd }</code></p>
            },
            (_, _, Some(control)) => control_button(lang, control, &sim, state == "current"),
            _ => match &step.fault {
                Some(rule) => {
                    let sim = sim.clone();
                    let line = rule.clone();
                    let onclick = Callback::from(move |_: MouseEvent| {
                        sim.send(Request::Change(Change::Fault { line: line.clone() }))
                    });
                    html! {
                        <p class="action">{ format!("{} ", t(lang, Text::ArmRule)) }<code class="command fault">{ rule }</code>
                            <button class="step-fault" {onclick} disabled={state != "current"}>{ t(lang, Text::ArmFault) }</button>
                        </p>
                    }
                }
                None => html! {},
            },
        };
        let predict = step.predict.as_ref().map(|q| {
            let options = step
                .options
                .iter()
                .enumerate()
                .map(|(k, o)| {
                    let chosen = guesses[i] == Some(k);
                    let onchange = {
                        let guesses = guesses.clone();
                        let lab_id = lab.id.clone();
                        Callback::from(move |_: Event| {
                            let mut g = (*guesses).clone();
                            g[i] = Some(k);
                            guesses.set(g);
                            crate::classroom::student::report_answer(&lab_id, i + 1, k);
                        })
                    };
                    let revealed = i < done;
                    let right = step.answer == Some(k);
                    let class = classes!(
                        "option",
                        (revealed && right).then_some("right"),
                        (revealed && !right && chosen).then_some("wrong"),
                    );
                    html! {
                        <label {class}>
                            <input type="radio" name={format!("predict-{i}")} checked={chosen}
                                disabled={revealed} {onchange} />
                            { o.get(lang) }
                        </label>
                    }
                })
                .collect::<Html>();
            html! {
                <fieldset class="predict">
                    <legend>{ format!("{} {}", t(lang, Text::Predict), q.get(lang)) }</legend>
                    { options }
                </fieldset>
            }
        });
        // A hint that could give a prediction away opens once the step has run.
        let hint_open = step.predict.is_none() || state == "done";
        let hint = step.hint.as_ref().filter(|_| hint_open).map(|h| {
            let shown = hints[i];
            let onclick = {
                let hints = hints.clone();
                Callback::from(move |_: MouseEvent| {
                    let mut v = (*hints).clone();
                    v[i] = !v[i];
                    hints.set(v);
                })
            };
            html! {
                <div class="hint">
                    <button class="link" {onclick}>{ t(lang, Text::Hint) }</button>
                    if shown { <p>{ h.get(lang) }</p> }
                </div>
            }
        });
        // Once the step is done: "what if" something else had been done then.
        let what_if = step.what_if.as_ref().filter(|_| state == "done").map(|w| {
            let sim = sim.clone();
            let onclick = Callback::from(move |_: MouseEvent| sim.lab_fork(i));
            html! {
                <div class="what-if">
                    <button class="what-if-run" id={format!("what-if-{}", i + 1)} {onclick}>
                        { format!("{} {}", tl(lang, Tl::WhatIf), w.text.get(lang)) }
                    </button>
                    <p>{ w.note.get(lang) }</p>
                </div>
            }
        });
        html! {
            <li class={classes!("step", state)} id={format!("step-{}", i + 1)} key={format!("step-{}", i + 1)}>
                <div class="step-head">
                    <span class="num">{ i + 1 }</span>
                    <span class={classes!("check", (state == "done").then_some("ok"))}>
                        { if state == "done" { t(lang, Text::CheckPassed) } else { t(lang, Text::CheckWaiting) } }
                    </span>
                </div>
                if state != "later" {
                    <p>{ step.text.get(lang) }</p>
                    { action }
                    { predict.unwrap_or_default() }
                    { run_button.unwrap_or_default() }
                    { hint.unwrap_or_default() }
                    { what_if.unwrap_or_default() }
                }
            </li>
        }
    };
    let finished = done >= lab.steps.len();
    let docked = docked_terminal(&lab.steps, done);
    let dock = docked.as_ref().map(|node| {
        // As the rest of the world, it shows the moment the timeline shows.
        let lines = sim.mirror.borrow().shown_terminal(node);
        let running = sim.mirror.borrow().running(node);
        let on_command = {
            let sim = sim.clone();
            let node = node.clone();
            Callback::from(move |line: String| {
                sim.send(Request::Change(Change::Command {
                    node: node.clone(),
                    line,
                }))
            })
        };
        // On a narrow screen the diagram is below the steps: one tap away.
        let to_diagram = Callback::from(|_: MouseEvent| {
            if let Some(d) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.query_selector(".lab-page .diagram-panel").ok().flatten())
            {
                d.scroll_into_view();
            }
        });
        html! {
            <li class="docked" key={format!("dock-{node}")}>
                <Terminal node={node.clone()} lines={lines.lines} first={lines.first} {on_command} {running} {lang}
                    placeholder={t(lang, Text::TerminalPlaceholder)} />
                <button class="to-diagram" onclick={to_diagram}>{ t(lang, Text::ToDiagram) }</button>
            </li>
        }
    });
    let mut steps = Vec::with_capacity(lab.steps.len() + 1);
    for (i, s) in lab.steps.iter().enumerate() {
        steps.push(step_html(i, s));
        if i == done.min(lab.steps.len().saturating_sub(1)) {
            if let Some(d) = dock.clone() {
                steps.push(d);
            }
        }
    }

    html! {
        <div class="lab-page" data-lab={lab.id.clone()}>
            <aside class="lab panel">
                <a class="back" href={format!("#{}", Page::Labs.path())}>{ t(lang, Text::BackToLabs) }</a>
                <h2>{ lab.title.get(lang) }</h2>
                <details class="goal" open={done == 0}>
                    <summary>{ t(lang, Text::Goal) }</summary>
                    <p>{ lab.goal.get(lang) }</p>
                </details>
                if let Some(e) = &world_error {
                    <p class="verdict error" role="alert">{ e }</p>
                }
                <ol class="steps" ref={steps_ref}>{ for steps }</ol>
                { lab_statements(lang, &lab.statements, checks.as_ref()) }
                if finished {
                    <div id="lab-complete" class="explanation">
                        <h3>{ t(lang, Text::WhatHappened) }</h3>
                        <p>{ lab.explanation.get(lang) }</p>
                    </div>
                }
            </aside>
            <WorldView {lang} handle={sim.clone()} clock={*clock} {on_clock} {on_reset}
                docked={docked.map(AttrValue::from)} />
        </div>
    }
}

/// The statements of the standard the lab lets a student see, each with how
/// it fared in this run so far (the specification checker's coverage).
fn lab_statements(
    lang: Lang,
    ids: &[String],
    checks: Option<&crate::components::findings::SharedChecks>,
) -> Html {
    use crate::i18n::{ck, statement_text, Ck};
    use mqttlab_core::checker::{standard_url, Statement};
    if ids.is_empty() {
        return Html::default();
    }
    let items = ids
        .iter()
        .map(|id| {
            let found = Statement::with_id(id);
            let (held, broken) = found.iter().fold((0, 0), |(h, b), (s, _)| {
                let i = Statement::ALL.iter().position(|x| x == s);
                let (th, tb) = i
                    .and_then(|i| checks.and_then(|c| c.0.tally.get(i).copied()))
                    .unwrap_or_default();
                (h + th, b + tb)
            });
            let (class, state) = match (held, broken) {
                (_, b) if b > 0 => ("broken", ck(lang, Ck::Broken)),
                (0, 0) => ("never", ck(lang, Ck::Never)),
                _ => ("held", ck(lang, Ck::Held)),
            };
            let words = found
                .first()
                .map(|(s, _)| statement_text(lang, *s))
                .unwrap_or_default();
            let url = found
                .first()
                .map(|(_, p)| standard_url(*p))
                .unwrap_or_default();
            html! {
                <li class={classes!("lab-statement", class)} data-id={id.clone()}>
                    <a class="mono" href={url} target="_blank" rel="noopener">{ id.clone() }</a>
                    { format!(" {words} ") }
                    <span class="coverage-state">{ format!("({state})") }</span>
                </li>
            }
        })
        .collect::<Html>();
    html! {
        <details class="lab-statements">
            <summary>{ ck(lang, Ck::LabStatements) }</summary>
            <ul>{ items }</ul>
        </details>
    }
}

/// The terminal docked under the open step: the one it names, else the one the
/// steps before it last named (a subscriber started two steps ago is what the
/// student watches while the clock runs).
fn docked_terminal(steps: &[Step], done: usize) -> Option<String> {
    let open = done.min(steps.len().checked_sub(1)?);
    steps[..=open].iter().rev().find_map(|s| s.terminal.clone())
}

/// A control a step asks for (`partition pub1`), as the button that does it,
/// named as on the node's card.
fn control_button(
    lang: Lang,
    written: &str,
    sim: &crate::hooks::use_sim::SimHandle,
    open: bool,
) -> Html {
    let mut words = written.split_whitespace();
    let (Some(control), Some(node)) = (words.next().and_then(Control::from_word), words.next())
    else {
        return html! { <p class="action"><code class="command">{ written }</code></p> };
    };
    let onclick = {
        let sim = sim.clone();
        let node = node.to_string();
        Callback::from(move |_: MouseEvent| {
            sim.send(Request::Change(Change::Control {
                node: node.clone(),
                control,
            }))
        })
    };
    html! {
        <p class="action">{ format!("{} ", t(lang, Text::Press)) }
            <button class={classes!("step-control", control.word())} data-node={node.to_string()}
                data-control={control.word()} {onclick} disabled={!open}>
                { t(lang, control_label(control)) }
            </button>
            { format!(" {} ", t(lang, Text::OnNode)) }<strong>{ node }</strong>
        </p>
    }
}

/// Scrolls the steps so that step `number` and the terminal docked under it show
/// (with the button under it to the diagram, on a narrow screen).
fn show_open_step(ol: &web_sys::Element, number: usize, move_page: bool) {
    let Some(step) = ol.query_selector(&format!("#step-{number}")).ok().flatten() else {
        return;
    };
    let aside = ol.parent_element();
    match aside {
        Some(aside) if aside.scroll_height() > aside.client_height() + 1 => {
            let view = aside.get_bounding_client_rect();
            let top = step.get_bounding_client_rect().top() - view.top();
            let bottom = ol.query_selector("li.docked").ok().flatten().map_or_else(
                || step.get_bounding_client_rect().bottom(),
                |d| d.get_bounding_client_rect().bottom(),
            ) - view.top();
            // The bottom of the terminal at the bottom of the area, unless that
            // would hide the step's first line under the link back to the list
            // (which stays at the top of the area).
            let back = aside
                .query_selector("a.back")
                .ok()
                .flatten()
                .map_or(0.0, |b| b.get_bounding_client_rect().height());
            let by = (bottom - view.height() + 4.0).min(top - back - 2.0);
            aside.set_scroll_top(aside.scroll_top() + by.round() as i32);
        }
        // A narrow screen: the page scrolls, only if the step or its terminal
        // is out of view, by the same rule.
        _ if move_page => {
            let Some(window) = web_sys::window() else {
                return;
            };
            let height = window
                .inner_height()
                .ok()
                .and_then(|h| h.as_f64())
                .unwrap_or(0.0);
            let top = step.get_bounding_client_rect().top();
            let bottom = ol.query_selector("li.docked").ok().flatten().map_or_else(
                || step.get_bounding_client_rect().bottom(),
                |d| d.get_bounding_client_rect().bottom(),
            );
            if top < 0.0 || bottom > height {
                window.scroll_by_with_x_and_y(0.0, (bottom - height + 4.0).min(top - 2.0).round());
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_docked_terminal_is_the_open_steps_or_the_last_one_named() {
        let lab = labs::find("dropped-puback").expect("bundled");
        let names = |done| docked_terminal(&lab.steps, done);
        assert_eq!(names(0).as_deref(), Some("sub1"));
        assert_eq!(names(1).as_deref(), Some("pub1"));
        // "Cut link" names no terminal: pub1's stays, where its pings show.
        assert_eq!(names(2).as_deref(), Some("pub1"));
        assert_eq!(names(4).as_deref(), Some("pub2"));
        assert_eq!(names(99).as_deref(), Some("pub2"));
    }
}
