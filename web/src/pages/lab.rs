//! One guided lab: its steps beside a live world. A step is done when its check
//! (an expectation of the scenario language) holds in the world; its "predict"
//! answer is revealed then, and the next step opens.

use std::rc::Rc;
use std::time::Duration;

use mqttlab_core::sim::scenario::units::parse_duration;
use yew::prelude::*;

use crate::components::world_view::{ClockState, WorldView};
use crate::hooks::use_clock::use_clock;
use crate::hooks::use_sim::use_sim;
use crate::i18n::{t, Lang, Text};
use crate::labs::{self, progress, Lab, Step};
use crate::route::{number_param, Page, Route};
use crate::sim::protocol::{Request, WorldSource};

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
    html! { <LabRunner {lang} lab={Rc::new(lab)} route={props.route.clone()} /> }
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
    let guesses = use_state(|| vec![None::<usize>; lab.steps.len()]);
    let hints = use_state(|| vec![false; lab.steps.len()]);
    use_clock(sim.clone(), *clock);

    // Steps done so far in this run: the worker checks them after every change.
    let (done, world_error) = {
        let m = sim.mirror.borrow();
        (m.lab_done, m.error.clone())
    };
    let saved = use_mut_ref(|| 0usize);
    {
        let lab = lab.clone();
        use_effect_with(done, move |&n| {
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
            (_, _, Some(control)) => html! {
                <p class="action">{ format!("{} ", t(lang, Text::Press)) }<code class="command">{ control }</code></p>
            },
            _ => match &step.fault {
                Some(rule) => html! {
                    <p class="action">{ format!("{} ", t(lang, Text::ArmRule)) }<code class="command fault">{ rule }</code></p>
                },
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
                        Callback::from(move |_: Event| {
                            let mut g = (*guesses).clone();
                            g[i] = Some(k);
                            guesses.set(g);
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
        let hint = step.hint.as_ref().map(|h| {
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
        html! {
            <li class={classes!("step", state)} id={format!("step-{}", i + 1)}>
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
                }
            </li>
        }
    };
    let steps = lab
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| step_html(i, s))
        .collect::<Html>();
    let finished = done >= lab.steps.len();

    html! {
        <div class="lab-page">
            <aside class="lab panel">
                <a class="back" href={format!("#{}", Page::Labs.path())}>{ t(lang, Text::BackToLabs) }</a>
                <h2>{ lab.title.get(lang) }</h2>
                <p class="goal">{ lab.goal.get(lang) }</p>
                if let Some(e) = &world_error {
                    <p class="verdict error" role="alert">{ e }</p>
                }
                <ol class="steps">{ steps }</ol>
                if finished {
                    <div id="lab-complete" class="explanation">
                        <h3>{ t(lang, Text::WhatHappened) }</h3>
                        <p>{ lab.explanation.get(lang) }</p>
                    </div>
                }
            </aside>
            <WorldView {lang} handle={sim.clone()} clock={*clock} {on_clock} {on_reset} />
        </div>
    }
}
