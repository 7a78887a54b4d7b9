//! Everything about one running world on one screen: time controls, the nodes with
//! their controls, the sequence diagram, the packet inspector, broker state,
//! terminals and the broker log. The world itself lives in a [`SessionHandle`]
//! owned by the page, which also runs the clock.

use std::cell::RefCell;
use std::rc::Rc;

use mqttlab_core::sim::node::Node;
use mqttlab_core::time::Instant;
use yew::prelude::*;

use crate::components::broker_log::{BrokerLog, MAX_SHOWN};
use crate::components::broker_state::broker_state;
use crate::components::packet_inspector::PacketInspector;
use crate::components::sequence_diagram::SequenceDiagram;
use crate::components::terminal::{Terminal, MAX_LINES};
use crate::components::time_controls::TimeControls;
use crate::hooks::slices::run_in_slices;
use crate::i18n::{t, Lang, Text};
use crate::session::{Control, Session};

/// A shared session and a counter that changes whenever the session does, so
/// that components re-render exactly when the world moved.
#[derive(Clone)]
pub struct SessionHandle {
    /// The session.
    pub session: Rc<RefCell<Session>>,
    /// Bumped on every change.
    pub version: u64,
}

impl PartialEq for SessionHandle {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.session, &other.session) && self.version == other.version
    }
}

/// The clock's state, owned by the page.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClockState {
    /// Whether virtual time runs.
    pub playing: bool,
    /// Multiple of real time.
    pub speed: f64,
}

/// Properties of [`WorldView`].
#[derive(Properties, PartialEq)]
pub struct WorldViewProps {
    /// The language.
    pub lang: Lang,
    /// The world.
    pub handle: SessionHandle,
    /// The clock.
    pub clock: ClockState,
    /// The world changed (a command, a control, a step).
    pub on_change: Callback<()>,
    /// The clock changed.
    pub on_clock: Callback<ClockState>,
    /// Start over with this seed.
    pub on_reset: Callback<u64>,
    /// Extra buttons for the diagram's header (exports).
    #[prop_or_default]
    pub exports: Html,
}

fn control_label(c: Control) -> Text {
    match c {
        Control::Kill => Text::Kill,
        Control::Disconnect => Text::Disconnect,
        Control::HalfOpen => Text::HalfOpen,
        Control::Partition => Text::Partition,
        Control::Heal => Text::Heal,
        Control::Restart => Text::RestartBroker,
    }
}

fn control_help(c: Control) -> Text {
    match c {
        Control::Kill => Text::KillHelp,
        Control::Disconnect => Text::DisconnectHelp,
        Control::HalfOpen => Text::HalfOpenHelp,
        Control::Partition => Text::PartitionHelp,
        Control::Heal => Text::HealHelp,
        Control::Restart => Text::RestartHelp,
    }
}

/// The world on screen.
#[function_component(WorldView)]
pub fn world_view(props: &WorldViewProps) -> Html {
    let lang = props.lang;
    let selected = use_state(|| None::<usize>);
    let session = props.handle.session.borrow();

    let act = |node: String, control: Control| {
        let handle = props.handle.clone();
        let on_change = props.on_change.clone();
        Callback::from(move |_: MouseEvent| {
            let _ = handle.session.borrow_mut().control(&node, control);
            on_change.emit(());
        })
    };

    let nodes = session
        .world()
        .nodes()
        .iter()
        .map(|n| {
            let name = n.name().to_string();
            let (kind, state, controls): (String, String, Vec<Control>) = match n {
                Node::Broker(b) => (
                    "broker".into(),
                    format!("{}:{}", b.ip, b.port()),
                    vec![Control::Restart],
                ),
                Node::Client(c) => {
                    let state = if !c.alive {
                        t(lang, Text::Dead).to_string()
                    } else if c.client.is_connected() {
                        t(lang, Text::Online).to_string()
                    } else {
                        t(lang, Text::Offline).to_string()
                    };
                    (
                        crate::i18n::note(lang, &c.app.describe()),
                        format!("{} · {state}", c.ip),
                        vec![
                            Control::Disconnect,
                            Control::Kill,
                            Control::HalfOpen,
                            Control::Partition,
                            Control::Heal,
                        ],
                    )
                }
            };
            let buttons = controls
                .into_iter()
                .map(|c| {
                    html! {
                        <button class={classes!("ctl", c.word())} title={t(lang, control_help(c))}
                            data-node={name.clone()} data-control={c.word()}
                            onclick={act(name.clone(), c)}>{ t(lang, control_label(c)) }</button>
                    }
                })
                .collect::<Html>();
            html! {
                <div class="node-card" data-node={name.clone()}>
                    <div class="node-name">{ &name }</div>
                    <div class="node-kind">{ kind }</div>
                    <div class="node-state">{ state }</div>
                    <div class="node-controls">{ buttons }</div>
                </div>
            }
        })
        .collect::<Html>();

    let lanes = Rc::new(session.lanes().to_vec());
    let rows = session.shared_rows();
    let len = rows.len();
    let on_select = {
        let selected = selected.clone();
        Callback::from(move |i: usize| selected.set(Some(i)))
    };
    let inspected = (*selected).and_then(|i| session.row_bytes(i));

    let brokers = session
        .world()
        .nodes()
        .iter()
        .filter_map(|n| match n {
            Node::Broker(b) => Some(broker_state(lang, &b.name, &b.broker)),
            Node::Client(_) => None,
        })
        .collect::<Html>();

    let terminals = session
        .terminals()
        .iter()
        .map(|(node, lines)| {
            let handle = props.handle.clone();
            let on_change = props.on_change.clone();
            let who = node.clone();
            let on_command = Callback::from(move |line: String| {
                let _ = handle.session.borrow_mut().command(&who, &line);
                on_change.emit(());
            });
            html! {
                <Terminal node={node.clone()} lines={Rc::new(lines[lines.len().saturating_sub(MAX_LINES)..].to_vec())} {on_command}
                    placeholder={t(lang, Text::TerminalPlaceholder)} />
            }
        })
        .collect::<Html>();

    let log = session.log();
    let log = Rc::new(log[log.len().saturating_sub(MAX_SHOWN)..].to_vec());
    let now_us = session.now().as_micros();
    let seed = session.world().seed();
    drop(session);

    let clock = props.clock;
    let on_toggle = {
        let on_clock = props.on_clock.clone();
        Callback::from(move |_| {
            on_clock.emit(ClockState {
                playing: !clock.playing,
                ..clock
            })
        })
    };
    let on_speed = {
        let on_clock = props.on_clock.clone();
        Callback::from(move |speed| on_clock.emit(ClockState { speed, ..clock }))
    };
    let on_step = {
        let handle = props.handle.clone();
        let on_change = props.on_change.clone();
        Callback::from(move |_| {
            let mut s = handle.session.borrow_mut();
            // Far enough for any keepalive or retry to come due.
            let limit = s.now() + std::time::Duration::from_secs(3_600);
            s.step_packet(limit);
            drop(s);
            on_change.emit(());
        })
    };
    let on_jump = {
        let handle = props.handle.clone();
        let on_change = props.on_change.clone();
        Callback::from(move |us: u64| {
            let on_change = on_change.clone();
            run_in_slices(
                handle.session.clone(),
                Instant::from_micros(us),
                Callback::from(move |_done| on_change.emit(())),
            );
        })
    };

    html! {
        <div class="workspace">
            <div class="controls panel">
                <TimeControls {lang} {now_us} playing={clock.playing} speed={clock.speed} {seed}
                    {on_toggle} {on_step} {on_speed} {on_jump} on_reset={props.on_reset.clone()} />
                <div class="nodes">{ nodes }</div>
            </div>
            <div class="diagram-panel panel">
                <div class="panel-head">
                    <h3>{ t(lang, Text::SequenceDiagram) }</h3>
                    { props.exports.clone() }
                </div>
                <SequenceDiagram {lanes} {rows} {len} selected={*selected} {on_select} {lang} />
            </div>
            <div class="side">
                <div class="panel">
                    if let Some(bytes) = inspected {
                        <PacketInspector {bytes} {lang} />
                    } else {
                        <h3>{ t(lang, Text::InspectorTree) }</h3>
                        <p class="empty">{ t(lang, Text::ClickAnArrow) }</p>
                    }
                </div>
                <div class="panel">
                    <h3>{ t(lang, Text::BrokerState) }</h3>
                    { brokers }
                </div>
            </div>
            <div class="bottom">
                <div class="terminals">{ terminals }</div>
                <div class="panel log-panel">
                    <h3>{ t(lang, Text::BrokerLog) }</h3>
                    <BrokerLog lines={log} />
                </div>
            </div>
        </div>
    }
}
