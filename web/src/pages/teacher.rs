//! The teacher's console: who is connected; open a lab at a step, a scenario
//! or the teacher's own world on every student's page (or one); each student's
//! progress, live; the class's answers to a lab's predictions as a chart
//! (without names in presenter mode); freeze and unfreeze every clock.
//!
//! It is an MQTT 5.0 client like the students' pages, logged in as the teacher
//! with the token of its link; the broker's access rules are what make the
//! token the only key to the class (`mqttlab_core::classroom`).

use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::callback::Timeout;
use mqttlab_core::classroom::{Clock, Incoming, Push, Room, Roster, ToStudent, TEACHER_USER};
use mqttlab_core::client::ConnectOptions;
use mqttlab_core::sim::bundled::BUNDLED;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::classroom::link::{bridge_url, Link, LinkEvent};
use crate::classroom::{fetch_room, random_bytes, ClassError};
use crate::i18n::{c, class_error, Class, Lang};
use crate::labs::{self, Lab};
use crate::route::Route;

/// Where the workspace keeps the world it shows (seed, a newline, the
/// scenario text), for the console's "my own world".
pub const WORLD_KEY: &str = "mqttlab.workspace.world";

/// Properties of [`TeacherPage`].
#[derive(Properties, PartialEq)]
pub struct TeacherPageProps {
    /// The language.
    pub lang: Lang,
    /// The route (`token`, and `code` to show the class).
    pub route: Route,
    /// Presenter mode: no names on screen.
    pub presenter: bool,
}

#[derive(Default)]
struct Console {
    roster: Option<Roster>,
    link: Option<Rc<Link>>,
    connected: bool,
    error: Option<ClassError>,
    frozen: bool,
    /// The last push the broker took, and for whom (`None`: everyone).
    pushed: Option<(Push, Option<String>)>,
    /// Pushes sent and not yet acknowledged, by packet identifier.
    sending: std::collections::BTreeMap<u16, (Push, Option<String>)>,
    retry: Option<Timeout>,
}

type Shared = Rc<RefCell<Console>>;

fn open(console: &Shared, room: Room, token: String, redraw: Rc<dyn Fn()>) {
    let Some(url) = bridge_url() else {
        return;
    };
    let id = format!(
        "teacher-{}",
        random_bytes()[..6]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    let options = ConnectOptions::new(id)
        .v5(Vec::new())
        .keep_alive(20)
        .login(TEACHER_USER, Some(token.clone().into_bytes().into()));
    let weak = Rc::downgrade(console);
    let (room2, token2, redraw2) = (room.clone(), token, redraw.clone());
    let on_event = move |e: LinkEvent| {
        let Some(console) = weak.upgrade() else {
            return;
        };
        let mut again = false;
        {
            let mut s = console.borrow_mut();
            match e {
                LinkEvent::Connected => {
                    s.connected = true;
                    s.error = None;
                    if let Some(link) = &s.link {
                        link.subscribe(&[
                            room2.teacher_filter(),
                            room2.student_filters("")[0].clone(),
                        ]);
                    }
                }
                LinkEvent::Refused(0x86) => s.error = Some(ClassError::WrongToken),
                LinkEvent::Refused(code) => s.error = Some(ClassError::Refused(code)),
                LinkEvent::Denied { packet, code } => {
                    s.error = Some(ClassError::Denied { packet, code })
                }
                // "Sent:" once the broker took the push (its PUBACK), for
                // everyone or for one student alike: a push to one comes back
                // to no subscription of the console's.
                LinkEvent::Published { pid } => {
                    if let Some(p) = s.sending.remove(&pid) {
                        s.pushed = Some(p);
                    }
                }
                LinkEvent::Message { topic, payload, .. } => match room2.read(&topic, &payload) {
                    Some(Ok(Incoming::ToStudent(ToStudent::Clock(k)))) => {
                        s.frozen = k == Clock::Frozen
                    }
                    // The push every student holds (retained), also after the
                    // console is reloaded.
                    Some(Ok(Incoming::ToStudent(ToStudent::Push(p)))) => s.pushed = Some((p, None)),
                    _ => {
                        if let Some(r) = s.roster.as_mut() {
                            let _ = r.handle_message(&topic, &payload);
                        }
                    }
                },
                LinkEvent::Closed { code, reason } => {
                    s.link = None;
                    if s.connected {
                        s.connected = false;
                        s.error = Some(ClassError::Away);
                        again = true;
                    } else if s.error.is_none() {
                        s.error = Some(ClassError::Bridge { code, reason });
                    }
                }
            }
        }
        if again {
            let (weak, room, token, redraw) = (
                Rc::downgrade(&console),
                room2.clone(),
                token2.clone(),
                redraw2.clone(),
            );
            let t = Timeout::new(2000, move || {
                if let Some(c) = weak.upgrade() {
                    open(&c, room, token, redraw);
                }
            });
            console.borrow_mut().retry = Some(t);
        }
        redraw2();
    };
    match Link::open(&url, options, on_event) {
        Ok(link) => {
            let mut s = console.borrow_mut();
            if s.roster.is_none() {
                s.roster = Some(Roster::new(room));
            }
            s.link = Some(link);
        }
        Err(_) => console.borrow_mut().error = Some(ClassError::NoClassroom),
    }
    redraw();
}

/// The console.
#[function_component(TeacherPage)]
pub fn teacher_page(props: &TeacherPageProps) -> Html {
    let lang = props.lang;
    let update = use_force_update();
    let console = use_mut_ref(Console::default);
    let token = props
        .route
        .params
        .get("token")
        .cloned()
        .filter(|t| !t.is_empty());
    let code = props.route.params.get("code").cloned();
    {
        let console = console.clone();
        let token = token.clone();
        let update = update.clone();
        use_effect_with((), move |_| {
            // Messages come in bursts (a class joining): draw at most every 50 ms.
            let pending = Rc::new(std::cell::Cell::new(false));
            let redraw: Rc<dyn Fn()> = Rc::new(move || {
                if !pending.replace(true) {
                    let (pending, update) = (pending.clone(), update.clone());
                    Timeout::new(50, move || {
                        pending.set(false);
                        update.force_update();
                    })
                    .forget();
                }
            });
            match token {
                None => {
                    console.borrow_mut().error = Some(ClassError::NoToken);
                    redraw();
                }
                Some(token) => {
                    let console = console.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        match fetch_room().await {
                            Ok(room) => open(&console, room, token, redraw),
                            Err(e) => {
                                console.borrow_mut().error = Some(e);
                                redraw();
                            }
                        }
                    });
                }
            }
            let console = console.clone();
            move || {
                let mut s = console.borrow_mut();
                s.retry = None;
                if let Some(l) = s.link.take() {
                    l.close();
                }
            }
        });
    }
    // Form state.
    let kind = use_state(|| "lab".to_string());
    let lab_sel = use_node_ref();
    let step_in = use_node_ref();
    let scen_sel = use_node_ref();
    // Who a push is for ("" everyone), held here and drawn into the select:
    // left to the DOM, the select's chosen <option> node was rewritten by
    // the next roster's draw into a student's, so a push "for everyone"
    // went to one student (the 30-page browser test: one page opened the
    // lab, 29 waited for ever).
    let target = use_state(String::new);
    let answers_lab = use_state(|| None::<String>);
    let note = use_state(|| None::<String>);

    let s = console.borrow();
    let labs = labs::all();
    let roster = s.roster.as_ref();

    let push = {
        let console = console.clone();
        let (kind, lab_sel, step_in, scen_sel, target, note) = (
            kind.clone(),
            lab_sel.clone(),
            step_in.clone(),
            scen_sel.clone(),
            target.clone(),
            note.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let sel = |r: &NodeRef| {
                r.cast::<HtmlSelectElement>()
                    .map(|e| e.value())
                    .unwrap_or_default()
            };
            let push = match kind.as_str() {
                "lab" => Some(Push::Lab {
                    id: sel(&lab_sel),
                    step: step_in
                        .cast::<HtmlInputElement>()
                        .and_then(|i| i.value().parse().ok())
                        .unwrap_or(1usize)
                        .clamp(1, 100),
                }),
                "scenario" => Some(Push::Scenario {
                    name: sel(&scen_sel),
                }),
                _ => web_sys::window()
                    .and_then(|w| w.local_storage().ok().flatten())
                    .and_then(|s| s.get_item(WORLD_KEY).ok().flatten())
                    .and_then(|w| {
                        let (seed, text) = w.split_once('\n')?;
                        Some(Push::World {
                            text: text.to_string(),
                            seed: seed.parse().ok()?,
                        })
                    }),
            };
            let Some(push) = push else {
                note.set(Some("no-world".into()));
                return;
            };
            note.set(None);
            let mut s = console.borrow_mut();
            let (Some(link), Some(roster)) = (s.link.clone(), &s.roster) else {
                return;
            };
            let room = roster.room().clone();
            let target = Some((*target).clone()).filter(|t| !t.is_empty());
            let pid = match &target {
                None => link.publish(&room.push_all(), push.encode(), true),
                Some(id) => link.publish(&room.push_to(id), push.encode(), false),
            };
            if let Some(pid) = pid {
                s.sending.insert(pid, (push, target));
            }
        })
    };
    let clock = {
        let console = console.clone();
        Callback::from(move |_: MouseEvent| {
            let s = console.borrow();
            let (Some(link), Some(roster)) = (&s.link, &s.roster) else {
                return;
            };
            let next = if s.frozen {
                Clock::Running
            } else {
                Clock::Frozen
            };
            link.publish(&roster.room().clock(), next.encode(), true);
        })
    };
    let on_kind = {
        let kind = kind.clone();
        Callback::from(move |e: Event| {
            if let Some(i) = e.target_dyn_into::<HtmlInputElement>() {
                kind.set(i.value());
            }
        })
    };

    let on_target = {
        let target = target.clone();
        Callback::from(move |e: Event| {
            if let Some(sel) = e.target_dyn_into::<HtmlSelectElement>() {
                target.set(sel.value());
            }
        })
    };

    let presenter = props.presenter;
    let students = roster.map(Roster::students).unwrap_or_default();
    // The lab whose answers show: chosen, else the one pushed, else the first.
    let shown_lab: Option<&Lab> = (*answers_lab)
        .clone()
        .or_else(|| match &s.pushed {
            Some((Push::Lab { id, .. }, _)) => Some(id.clone()),
            _ => None,
        })
        .and_then(|id| labs::find(&id))
        .or_else(|| labs.first());

    let header = html! {
        <div class="console-head">
            <h2>{ c(lang, Class::ConsoleTitle) }</h2>
            if let Some(room) = roster.map(|r| r.room().name().to_string()) {
                <span class="room-name">{ format!("{} “{room}”", c(lang, Class::ClassLabel)) }</span>
            }
            if let Some(code) = &code {
                <span id="room-code-shown" class="room-code">{ format!("{} {code}", c(lang, Class::RoomCode)) }</span>
            }
            <span id="connected-count" class="connected">
                { format!("{} {}", c(lang, Class::Connected), roster.map_or(0, Roster::online)) }
            </span>
        </div>
    };
    let status = match (&s.error, s.connected) {
        (Some(e), _) => {
            html! { <p id="console-error" class="verdict error" role="alert">{ class_error(lang, e) }</p> }
        }
        (None, false) => html! { <p class="verdict">{ c(lang, Class::ConsoleConnecting) }</p> },
        (None, true) => html! {},
    };

    let form = html! {
        <section class="panel push-form" id="push-form">
            <h3>{ c(lang, Class::PushTitle) }</h3>
            <div class="push-kinds" role="radiogroup">
                { for [("lab", Class::PushLab), ("scenario", Class::PushScenario), ("world", Class::PushWorld)].into_iter().map(|(k, label)| html! {
                    <label><input type="radio" name="push-kind" value={k} checked={*kind == k} onchange={on_kind.clone()} id={format!("push-kind-{k}")} />{ c(lang, label) }</label>
                }) }
            </div>
            if *kind == "lab" {
                <div class="push-row">
                    <select id="push-lab" ref={lab_sel}>
                        { for labs.iter().map(|l| html! { <option value={l.id.clone()}>{ l.title.get(lang) }</option> }) }
                    </select>
                    <label>{ c(lang, Class::Step) }
                        <input id="push-step" ref={step_in} type="number" min="1" max="20" value="1" /></label>
                </div>
            }
            if *kind == "scenario" {
                <div class="push-row">
                    <select id="push-scenario" ref={scen_sel}>
                        { for BUNDLED.iter().map(|b| html! { <option value={b.name}>{ b.name }</option> }) }
                    </select>
                </div>
            }
            <div class="push-row">
                <label>{ c(lang, Class::PushTo) }
                    <select id="push-target" onchange={on_target}>
                        <option key="" value="" selected={target.is_empty()}>{ c(lang, Class::Everyone) }</option>
                        { for students.iter().map(|st| html! {
                            <option key={st.id.clone()} value={st.id.clone()} selected={*target == st.id}>
                                { st.name.clone().unwrap_or_else(|| st.id.clone()) }
                            </option>
                        }) }
                    </select>
                </label>
                <button id="push-button" onclick={push} disabled={!s.connected}>{ c(lang, Class::Push) }</button>
            </div>
            if note.is_some() {
                <p class="verdict error">{ c(lang, Class::NoWorld) }</p>
            }
            if let Some((p, to)) = &s.pushed {
                <p id="pushed" class="pushed" data-to={to.clone().unwrap_or_default()}>
                    { format!("{} {} → {}", c(lang, Class::Pushed), push_label(lang, p),
                        to.as_ref().map_or_else(|| c(lang, Class::Everyone).to_string(), |id| {
                            roster.and_then(|r| r.student(id)).and_then(|st| st.name.clone()).unwrap_or_else(|| id.clone())
                        })) }
                </p>
            }
            <div class="push-row">
                <button id="freeze-button" class={classes!(s.frozen.then_some("frozen"))} onclick={clock} disabled={!s.connected}>
                    { if s.frozen { c(lang, Class::Unfreeze) } else { c(lang, Class::Freeze) } }
                </button>
                <span id="clock-state">{ if s.frozen { c(lang, Class::ClocksFrozen) } else { c(lang, Class::ClocksRunning) } }</span>
            </div>
        </section>
    };

    let table = if students.is_empty() {
        html! { <p class="intro" id="no-students">{ c(lang, Class::NoStudents) }</p> }
    } else {
        html! {
            <table class="roster" id="roster">
                <thead><tr>
                    <th>{ c(lang, Class::ColName) }</th><th>{ c(lang, Class::ColStatus) }</th>
                    <th>{ c(lang, Class::ColLab) }</th><th>{ c(lang, Class::ColSteps) }</th>
                </tr></thead>
                <tbody>{ for students.iter().map(|st| {
                    let lab = st.current_lab.clone();
                    let p = lab.as_ref().and_then(|l| st.progress.get(l));
                    let title = lab.as_ref().and_then(|l| labs.iter().find(|x| &x.id == l)).map(|l| l.title.get(lang).to_string()).or(lab.clone()).unwrap_or_default();
                    html! {
                        <tr class={classes!("student", st.online.then_some("online"))} data-id={st.id.clone()}
                            data-lab={lab.clone().unwrap_or_default()} data-done={p.map_or(0, |p| p.done).to_string()}>
                            <td class="name">{ st.name.clone().unwrap_or_else(|| "?".into()) }</td>
                            <td>{ if st.online { c(lang, Class::Online) } else { c(lang, Class::Offline) } }</td>
                            <td>{ title }</td>
                            <td class="steps">
                                if let Some(p) = p {
                                    { for (0..p.total).map(|i| html! {
                                        <span class={classes!("step-mark", (i < p.done).then_some("ok"))}>{ if i < p.done { "✓" } else { "·" } }</span>
                                    }) }
                                    { format!(" {}/{}", p.done, p.total) }
                                }
                                if st.unreadable.0 > 0 {
                                    <span class="unreadable">{ format!(" ({} {})", st.unreadable.0, c(lang, Class::Unreadable)) }</span>
                                }
                            </td>
                        </tr>
                    }
                }) }</tbody>
            </table>
        }
    };

    let on_answers_lab = {
        let answers_lab = answers_lab.clone();
        Callback::from(move |e: Event| {
            if let Some(sel) = e.target_dyn_into::<HtmlSelectElement>() {
                answers_lab.set(Some(sel.value()));
            }
        })
    };
    let chart = shown_lab.as_ref().map(|lab| {
        let steps = lab.steps.iter().enumerate().filter(|(_, st)| st.predict.is_some()).map(|(i, st)| {
            let n = st.options.len();
            let counts = roster.map(|r| r.tally(&lab.id, i + 1, n)).unwrap_or_else(|| vec![0; n]);
            let total: usize = counts.iter().sum();
            let max = counts.iter().copied().max().unwrap_or(0).max(1);
            html! {
                <figure class="prediction" id={format!("prediction-{}", i + 1)} data-answers={total.to_string()}>
                    <figcaption>{ format!("{} {} · {}", c(lang, Class::Step), i + 1, st.predict.as_ref().map(|q| q.get(lang)).unwrap_or("")) }
                        <span class="answered">{ format!(" ({} {total})", c(lang, Class::Answered)) }</span></figcaption>
                    { for st.options.iter().enumerate().map(|(k, o)| {
                        let names: Vec<String> = if presenter { Vec::new() } else {
                            students.iter().filter(|s| s.answers.get(&(lab.id.clone(), i + 1)) == Some(&k))
                                .map(|s| s.name.clone().unwrap_or_default()).collect()
                        };
                        let pct = counts[k] * 100 / max;
                        html! {
                            <div class="bar-row" data-count={counts[k].to_string()}>
                                <span class="option-text">{ o.get(lang) }</span>
                                <span class="bar"><span class="fill" style={format!("width:{pct}%")}></span></span>
                                <span class="count">{ counts[k] }</span>
                                if !names.is_empty() {
                                    <span class="names">{ names.join(", ") }</span>
                                }
                            </div>
                        }
                    }) }
                </figure>
            }
        }).collect::<Html>();
        html! {
            <section class="panel answers" id="answers">
                <h3>{ c(lang, Class::Answers) }</h3>
                <label>{ c(lang, Class::AnswersOf) }
                    <select id="answers-lab" onchange={on_answers_lab}>
                        { for labs.iter().map(|l| html! { <option value={l.id.clone()} selected={l.id == lab.id}>{ l.title.get(lang) }</option> }) }
                    </select>
                </label>
                if presenter { <p class="intro">{ c(lang, Class::NamesHidden) }</p> }
                { steps }
            </section>
        }
    });

    html! {
        <section class={classes!("console", presenter.then_some("presenting"))} id="console">
            { header }
            { status }
            if !presenter {
                { form }
                <section class="panel" id="students">
                    <h3>{ c(lang, Class::Students) }</h3>
                    { table }
                </section>
            }
            { chart.unwrap_or_default() }
        </section>
    }
}

/// What a push opens, in words: the lab's title and step, the scenario's
/// name, or "my own world".
fn push_label(lang: Lang, push: &Push) -> String {
    match push {
        Push::Lab { id, step } => {
            let title =
                labs::find(id).map_or_else(|| id.clone(), |l| l.title.get(lang).to_string());
            format!("{title} · {} {step}", c(lang, Class::Step))
        }
        Push::Scenario { name } => name.clone(),
        Push::World { .. } => c(lang, Class::PushWorld).to_string(),
    }
}
