//! Everything about one running world on one screen: time controls, the nodes with
//! their controls, the sequence diagram, the packet inspector, broker state,
//! terminals and the broker log. The world itself runs in the simulation worker
//! ([`crate::sim`]); this view draws the page's mirror of it and sends what the
//! student does as requests.

use std::rc::Rc;

use mqttlab_core::codec::Protocol;
use mqttlab_core::tools::CtrlC;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::components::broker_log::{BrokerLog, LogLine};
use crate::components::broker_state::broker_state;
use crate::components::diagram_filter::{DiagramFilter, DiagramSummary};
use crate::components::fault_rules::FaultRules;
use crate::components::findings::{Findings, SharedChecks};
use crate::components::fork::{ForkPanel, ForkResult};
use crate::components::packet_inspector::PacketInspector;
use crate::components::sequence_diagram::{RowKind, Rows, SequenceDiagram};
use crate::components::terminal::Terminal;
use crate::components::time_controls::TimeControls;
use crate::components::timeline::Timeline;
use crate::hooks::use_sim::SimHandle;
use crate::i18n::{t, Lang, Text};
use crate::route::encode_text;
use crate::session::Control;
use crate::sim::fork_link::ForkLink;
use crate::sim::host::MAX_NODES_SHOWN;
use crate::sim::protocol::{
    BrokerView, Change, ForkView, Lines, LinkSettings, NodeCard, NodeRole, Request, RowFilter,
    RowView,
};
use crate::sim::service;

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
    pub handle: SimHandle,
    /// The clock.
    pub clock: ClockState,
    /// The clock changed.
    pub on_clock: Callback<ClockState>,
    /// Start over with this seed.
    pub on_reset: Callback<u64>,
    /// Extra buttons for the diagram's header (exports).
    #[prop_or_default]
    pub exports: Html,
    /// A terminal the page shows elsewhere (a lab docks it under its open step).
    #[prop_or_default]
    pub docked: Option<AttrValue>,
}

/// The name of a control's button.
pub fn control_label(c: Control) -> Text {
    match c {
        Control::Kill => Text::Kill,
        Control::Disconnect => Text::Disconnect,
        Control::HalfOpen => Text::HalfOpen,
        Control::Partition => Text::Partition,
        Control::Heal => Text::Heal,
        Control::Restart => Text::RestartBroker,
    }
}

/// What a control does to a node, given what Ctrl-C does to its program.
pub fn control_help(c: Control, ctrl_c: Option<CtrlC>) -> Text {
    match c {
        Control::Kill => Text::KillHelp,
        Control::Disconnect => match ctrl_c {
            Some(CtrlC::Disconnect) => Text::CtrlCDisconnects,
            Some(CtrlC::Abort) => Text::CtrlCAborts,
            None => Text::CtrlCNothing,
        },
        Control::HalfOpen => Text::HalfOpenHelp,
        Control::Partition => Text::PartitionHelp,
        Control::Heal => Text::HealHelp,
        Control::Restart => Text::RestartHelp,
    }
}

/// The lanes a diagram filtered on `node` draws: the node's, and those of the
/// rows held that involve it (the page holds every row of a filter that keeps
/// up to [`ALL_ROWS_UP_TO`](crate::sim::row_view::ALL_ROWS_UP_TO), else the
/// window in view), in their order. `None`: no node, or none of that name.
pub fn filter_lanes(lanes: &[String], rows: &Rows, node: &str) -> Option<Rc<Vec<usize>>> {
    let node = node.trim();
    let lane = lanes.iter().position(|l| !node.is_empty() && l == node)?;
    let mut on = std::collections::BTreeSet::from([lane]);
    for row in rows.borrow().iter() {
        match row.kind {
            RowKind::Packet { from, to, .. } if from == lane || to == lane => {
                on.extend([from, to]);
            }
            _ => {}
        }
    }
    Some(Rc::new(on.into_iter().collect()))
}

/// Properties of [`DiagramPanel`].
#[derive(Properties, PartialEq)]
pub struct DiagramPanelProps {
    /// The language.
    pub lang: Lang,
    /// Lifelines.
    pub lanes: Rc<Vec<String>>,
    /// Rows.
    pub rows: Rows,
    /// How many rows (the diagram redraws when it grows).
    pub len: usize,
    /// The bytes of a row's packet, for the inspector.
    pub bytes_of: Callback<usize, Option<Rc<Vec<u8>>>>,
    /// Whether a row's packet is MQTT 5.0's (the inspector reads it at level 5);
    /// without it, every packet is read as 3.1.1.
    #[prop_or_default]
    pub v5_of: Option<Callback<usize, bool>>,
    /// Extra buttons for the header.
    #[prop_or_default]
    pub actions: Html,
    /// Panels under the inspector (broker state).
    #[prop_or_default]
    pub children: Html,
    /// The specification checker's findings, if the page has them: shown under
    /// the inspector, each finding's packets selecting their rows.
    #[prop_or_default]
    pub checks: Option<SharedChecks>,
    /// `rows` holds only the window in view: this asks the worker for it
    /// ([`SequenceDiagramProps::on_window`](crate::components::sequence_diagram::SequenceDiagramProps)).
    #[prop_or_default]
    pub on_window: Option<Callback<(usize, usize, bool)>>,
    /// Above the diagram (its filter).
    #[prop_or_default]
    pub tools: Html,
    /// Shown instead of the rows (the zoomed-out summary).
    #[prop_or_default]
    pub summary: Option<Html>,
    /// Where the row of an index among all rows is shown, when the diagram's
    /// rows can be filtered (a finding names its packets by index; the diagram
    /// selects by position). Without it, a row is shown at its index.
    #[prop_or_default]
    pub shown_of: Option<Callback<usize, Option<usize>>>,
    /// The lifelines the diagram draws ([`SequenceDiagramProps::only_lanes`](crate::components::sequence_diagram::SequenceDiagramProps)).
    #[prop_or_default]
    pub only_lanes: Option<Rc<Vec<usize>>>,
}

/// The sequence diagram beside the packet inspector of the arrow clicked: the
/// same pair on the simulation and the real-broker pages.
#[function_component(DiagramPanel)]
pub fn diagram_panel(props: &DiagramPanelProps) -> Html {
    let lang = props.lang;
    let selected = use_state(|| None::<usize>);
    let on_select = {
        let selected = selected.clone();
        Callback::from(move |i: usize| selected.set(Some(i)))
    };
    // A finding's packet is selected where the diagram shows it; one the
    // filter hides selects nothing rather than the row at its index.
    let on_finding = {
        let selected = selected.clone();
        let shown_of = props.shown_of.clone();
        Callback::from(move |i: usize| {
            selected.set(match &shown_of {
                Some(shown_of) => shown_of.emit(i),
                None => Some(i),
            })
        })
    };
    let inspected = (*selected).and_then(|i| props.bytes_of.emit(i));
    let v5 = (*selected)
        .zip(props.v5_of.as_ref())
        .is_some_and(|(i, v5_of)| v5_of.emit(i));
    let protocol = Some(if v5 { Protocol::V5 } else { Protocol::V311 });
    // The diagram may cut a long label to fit between two lifelines; the inspector
    // shows it whole.
    let label = (*selected)
        .and_then(|i| props.rows.get(i).map(|r| r.label.clone()))
        .filter(|l| !l.is_empty());
    html! {
        <>
            <div class="diagram-panel panel">
                <div class="panel-head">
                    <h3>{ t(lang, Text::SequenceDiagram) }</h3>
                    { props.actions.clone() }
                </div>
                { props.tools.clone() }
                if let Some(summary) = props.summary.clone() {
                    { summary }
                } else {
                    <SequenceDiagram lanes={props.lanes.clone()} rows={props.rows.clone()} len={props.len}
                        selected={*selected} on_select={on_select.clone()} {lang}
                        on_window={props.on_window.clone()} only_lanes={props.only_lanes.clone()} />
                }
            </div>
            <div class="side">
                <div class="panel">
                    if let Some(label) = label {
                        <p class="row-label">{ label }</p>
                    }
                    if let Some(bytes) = inspected {
                        <PacketInspector {bytes} {lang} {protocol} />
                    } else {
                        <h3>{ t(lang, Text::InspectorTree) }</h3>
                        <p class="empty">{ t(lang, Text::ClickAnArrow) }</p>
                    }
                </div>
                if let Some(checks) = props.checks.clone() {
                    <Findings {lang} {checks} on_select={on_finding} />
                }
                { props.children.clone() }
            </div>
        </>
    }
}

/// A number typed into a link field, if it is one.
fn typed_number(e: &Event) -> Option<f64> {
    let v = e.target_unchecked_into::<HtmlInputElement>().value();
    v.trim()
        .replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|x| x.is_finite() && *x >= 0.0)
}

/// One node's card: what runs there, its state, its controls and its link.
fn node_card(lang: Lang, n: &NodeCard, send: &Callback<Request>) -> Html {
    let name = n.name.clone();
    let act = |control: Control| {
        let send = send.clone();
        let node = name.clone();
        Callback::from(move |_: MouseEvent| {
            send.emit(Request::Change(Change::Control {
                node: node.clone(),
                control,
            }))
        })
    };
    let (state, controls, extra, link_row) = match &n.role {
        NodeRole::Broker => {
            let send = send.clone();
            let broker = name.clone();
            let add = Callback::from(move |_: MouseEvent| {
                send.emit(Request::Change(Change::AddClient {
                    broker: broker.clone(),
                }))
            });
            (
                n.address.clone(),
                vec![Control::Restart],
                html! {
                    <button class="ctl add-client" title={t(lang, Text::AddClientHelp)}
                        data-node={name.clone()} onclick={add}>{ t(lang, Text::AddClient) }</button>
                },
                Html::default(),
            )
        }
        NodeRole::Client {
            alive,
            connected,
            link,
            ..
        } => {
            let state = if !alive {
                t(lang, Text::Dead)
            } else if *connected {
                t(lang, Text::Online)
            } else {
                t(lang, Text::Offline)
            };
            let set = |f: fn(LinkSettings, f64) -> LinkSettings| {
                let send = send.clone();
                let node = name.clone();
                let link = *link;
                Callback::from(move |e: Event| {
                    if let Some(x) = typed_number(&e) {
                        send.emit(Request::Change(Change::SetLink {
                            node: node.clone(),
                            settings: f(link, x),
                        }));
                    }
                })
            };
            let on_latency = set(|l, x| LinkSettings {
                latency_ms: x.round() as u64,
                ..l
            });
            let on_loss = set(|l, x| LinkSettings {
                loss_pct: x.min(100.0),
                ..l
            });
            (
                format!("{} · {state}", n.address),
                vec![
                    Control::Disconnect,
                    Control::Kill,
                    Control::HalfOpen,
                    Control::Partition,
                    Control::Heal,
                ],
                Html::default(),
                html! {
                    <div class="node-link" title={t(lang, Text::LinkHelp)}>
                        <label><span>{ t(lang, Text::Latency) }</span>
                            <input class="latency" type="number" min="0" step="1" data-node={name.clone()}
                                value={link.latency_ms.to_string()} onchange={on_latency} />
                        </label>
                        <label><span>{ t(lang, Text::Loss) }</span>
                            <input class="loss" type="number" min="0" max="100" step="1" data-node={name.clone()}
                                value={link.loss_pct.to_string()} onchange={on_loss} />
                        </label>
                    </div>
                },
            )
        }
    };
    let buttons = controls
        .into_iter()
        .map(|c| {
            html! {
                <button class={classes!("ctl", c.word())} title={t(lang, control_help(c, n.ctrl_c))}
                    data-node={name.clone()} data-control={c.word()}
                    onclick={act(c)}>{ t(lang, control_label(c)) }</button>
            }
        })
        .collect::<Html>();
    html! {
        <div class="node-card" data-node={name.clone()}>
            <div class="node-name">{ &name }</div>
            <div class="node-kind">{ n.what.as_ref().map_or_else(|| "broker".to_string(), |a| crate::i18n::app(lang, a)) }</div>
            <div class="node-state">{ state }</div>
            <div class="node-controls">{ buttons }{ extra }</div>
            { link_row }
        </div>
    }
}

/// What a line typed into `node`'s terminal sends.
fn command_to(send: &Callback<Request>, node: String) -> Callback<String> {
    send.reform(move |line: String| {
        Request::Change(Change::Command {
            node: node.clone(),
            line,
        })
    })
}

/// Properties of [`NodeCards`].
#[derive(Properties, PartialEq)]
struct NodeCardsProps {
    lang: Lang,
    /// The nodes shown (the live world's, or a scrubbed moment's).
    nodes: Rc<Vec<NodeCard>>,
    /// Sends what a control asks to the world.
    send: Callback<Request>,
}

/// The node cards: drawn again only when a card changed (a world of hundreds
/// of sensors has hundreds of cards, and most frames change none).
#[function_component(NodeCards)]
fn node_cards(props: &NodeCardsProps) -> Html {
    let lang = props.lang;
    let mut cards = props
        .nodes
        .iter()
        .map(|n| node_card(lang, n, &props.send))
        .collect::<Vec<Html>>();
    if props.nodes.len() >= MAX_NODES_SHOWN {
        cards.push(html! { <p class="more">{ t(lang, Text::MoreNodes) }</p> });
    }
    html! { <div class="nodes">{ for cards }</div> }
}

/// Properties of [`BrokerStates`].
#[derive(Properties, PartialEq)]
struct BrokerStatesProps {
    lang: Lang,
    /// The brokers' state (the live world's, or a scrubbed moment's).
    brokers: Rc<Vec<BrokerView>>,
}

/// The brokers' state panel: drawn again only when a broker's state changed.
#[function_component(BrokerStates)]
fn broker_states(props: &BrokerStatesProps) -> Html {
    let lang = props.lang;
    html! {
        <div class="panel">
            <h3>{ t(lang, Text::BrokerState) }</h3>
            { for props.brokers.iter().map(|b| broker_state(lang, b)) }
        </div>
    }
}

/// The link to a fork: on the workspace (whose own link says the scenario and
/// the seed) the page's link with the fork added; on a lab, the lab's link
/// with the fork (which carries every step done, so the lab opens at its
/// start and replays them).
fn fork_href(view: &ForkView) -> Option<String> {
    let hash = web_sys::window()?.location().hash().ok()?;
    let lab = hash.starts_with("#/lab/");
    if !hash.starts_with("#/workspace") && !lab {
        return None;
    }
    let (path, query) = hash.split_once('?').unwrap_or((&hash, ""));
    let mut params: Vec<&str> = query
        .split('&')
        .filter(|kv| {
            !kv.is_empty() && !kv.starts_with("fork=") && (!lab || !kv.starts_with("step="))
        })
        .collect();
    let link = ForkLink {
        inputs: view.inputs.clone(),
        spec: view.spec.clone(),
    };
    let fork = format!("fork={}", encode_text(&link.to_text()));
    params.push(&fork);
    Some(format!("{path}?{}", params.join("&")))
}

/// How often, in milliseconds, terminals and the log are redrawn while a run
/// is going on.
pub const TEXT_REFRESH_MS: f64 = 250.0;

/// The terminal and log lines last drawn.
#[derive(Default)]
struct TextPanels {
    at_ms: f64,
    log: Lines<LogLine>,
    terminals: Vec<(String, Lines<String>)>,
}

/// The world on screen.
#[function_component(WorldView)]
pub fn world_view(props: &WorldViewProps) -> Html {
    let lang = props.lang;
    let sim = &props.handle;
    let text_panels = use_mut_ref(TextPanels::default);
    let row_view = use_mut_ref(|| RowView {
        count: 60,
        follow: true,
        ..RowView::default()
    });
    let redraw = use_force_update();
    // What the student does goes to the world through one callback for the
    // view's whole life, so that the panels it is given to compare equal from
    // one frame to the next and are not drawn again for nothing.
    let send = {
        let sim = sim.clone();
        use_memo(Rc::as_ptr(&sim.mirror) as usize, move |_| {
            Callback::from(move |r: Request| sim.send(r))
        })
    };
    let send = (*send).clone();
    let m = sim.mirror.borrow();
    // A scrubbed timeline shows the world as it was then; else the live one.
    let moment = m.moment.clone();
    let shown_nodes = m.shown_nodes();
    let brokers = m.shown_brokers();

    // While a big world runs, thousands of lines a second reach the terminals and
    // the log; redrawing their 500 lines on every frame would cost the page more
    // than the diagram. So, while busy, they are refreshed a few times a second.
    // A moment's are drawn at once.
    let now_ms = js_sys::Date::now();
    let fresh =
        moment.is_some() || !m.busy || now_ms - text_panels.borrow().at_ms >= TEXT_REFRESH_MS;
    if fresh {
        *text_panels.borrow_mut() = TextPanels {
            at_ms: if moment.is_some() { 0.0 } else { now_ms },
            log: m.shown_log(),
            // The live world's terminals, each as it was at the moment shown.
            terminals: m
                .terminals
                .keys()
                .take(MAX_NODES_SHOWN)
                .map(|node| (node.clone(), m.shown_terminal(node)))
                .collect(),
        };
    }
    // One callback per terminal, kept while the terminals are the same ones.
    let names: Vec<String> = text_panels
        .borrow()
        .terminals
        .iter()
        .map(|(node, _)| node.clone())
        .collect();
    let commands = {
        let send = send.clone();
        use_memo(names, move |names| {
            names
                .iter()
                .map(|n| (n.clone(), command_to(&send, n.clone())))
                .collect::<std::collections::BTreeMap<_, _>>()
        })
    };
    let panels = text_panels.borrow();
    let terminals = panels
        .terminals
        .iter()
        .filter(|(node, _)| props.docked.as_deref() != Some(node.as_str()))
        .map(|(node, lines)| {
            let running = m.running(node);
            let on_command = commands
                .get(node)
                .cloned()
                .unwrap_or_else(|| command_to(&send, node.clone()));
            html! {
                <Terminal key={node.clone()} node={node.clone()} lines={lines.lines.clone()} first={lines.first}
                    {on_command} {running} {lang} placeholder={t(lang, Text::TerminalPlaceholder)} />
            }
        })
        .collect::<Html>();

    let clients: Rc<Vec<String>> = Rc::new(
        m.nodes
            .iter()
            .filter(|n| matches!(n.role, NodeRole::Client { .. }))
            .map(|n| n.name.clone())
            .collect(),
    );
    let checks = m.checks.clone();
    let faults = m.shown_faults();
    let fault_error = m.fault_error.as_ref().map(|e| e.get(lang).to_owned());
    let log = panels.log.clone();
    drop(panels);
    let lanes = m.lanes.clone();
    let rows = m.rows.clone();
    let len = m.shown_rows();
    let (rows_shown, rows_total) = (m.rows_shown, m.rows_total);
    let buckets = m.buckets.clone();
    let now_us = m.now_us;
    let seed = m.seed;
    let busy = m.busy;
    let marks = m.marks.clone();
    let scrub_at = moment.as_ref().map(|mo| mo.at_us);
    let took = moment
        .as_ref()
        .and_then(|mo| m.scrub_ms.map(|ms| (ms, mo.replayed)));
    let fork = m.fork.clone();
    let forked = fork.is_some();
    let forking = m.fork_asked && fork.is_none();
    drop(m);
    let bytes_of = {
        let mirror = sim.mirror.clone();
        Callback::from(move |i: usize| mirror.borrow().row_bytes(i))
    };
    let v5_of = {
        let mirror = sim.mirror.clone();
        Some(Callback::from(move |i: usize| mirror.borrow().row_v5(i)))
    };
    let shown_of = {
        let mirror = sim.mirror.clone();
        Some(Callback::from(move |i: usize| mirror.borrow().shown_row(i)))
    };

    // The diagram's rows stay in the worker: the page says which it shows
    // (the window in view, the filter, the zoomed-out summary).
    let on_window = {
        let view = row_view.clone();
        Callback::from(move |(first, count, follow): (usize, usize, bool)| {
            let mut v = view.borrow_mut();
            (v.first, v.count, v.follow) = (first, count, follow);
            service::send(Request::View(v.clone()));
        })
    };
    let shown_view = row_view.borrow().clone();
    let zoomed = shown_view.zoom;
    let tools = {
        let on_filter = {
            let view = row_view.clone();
            let redraw = redraw.clone();
            Callback::from(move |filter: RowFilter| {
                // The window stays where the diagram is; its scroll area then
                // takes the filtered rows' height, and it says its window again.
                let mut v = view.borrow_mut();
                v.filter = filter;
                service::send(Request::View(v.clone()));
                redraw.force_update();
            })
        };
        let on_zoom = {
            let view = row_view.clone();
            let redraw = redraw.clone();
            Callback::from(move |zoom: bool| {
                let mut v = view.borrow_mut();
                v.zoom = zoom;
                service::send(Request::View(v.clone()));
                redraw.force_update();
            })
        };
        html! {
            <DiagramFilter {lang} filter={shown_view.filter.clone()} zoom={zoomed}
                shown={rows_shown} total={rows_total} lanes={lanes.clone()} {on_filter} {on_zoom} />
        }
    };
    let only_lanes = filter_lanes(&lanes, &rows, &shown_view.filter.node);
    let summary = zoomed.then(|| {
        let buckets = buckets.unwrap_or_default();
        html! { <DiagramSummary {lang} lanes={lanes.clone()} {buckets} /> }
    });

    let clock = props.clock;
    let on_toggle = {
        let on_clock = props.on_clock.clone();
        let sim = sim.clone();
        Callback::from(move |_| {
            if clock.playing {
                // Pausing also stops a run in progress where it is.
                sim.send(Request::Halt);
            }
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
        let sim = sim.clone();
        Callback::from(move |_| sim.send(Request::StepPacket))
    };
    let on_arm = {
        let send = send.clone();
        (*use_memo((), move |_| {
            send.reform(|line: String| Request::Change(Change::Fault { line }))
        }))
        .clone()
    };
    let on_jump = {
        let sim = sim.clone();
        Callback::from(move |to_us: u64| sim.send(Request::RunTo { to_us }))
    };
    let on_scrub = {
        let sim = sim.clone();
        let on_clock = props.on_clock.clone();
        Callback::from(move |to_us: u64| {
            // Looking back stops the clock; the live world waits where it is.
            if clock.playing {
                sim.send(Request::Halt);
                on_clock.emit(ClockState {
                    playing: false,
                    ..clock
                });
            }
            sim.scrub(to_us)
        })
    };
    let on_live = {
        let sim = sim.clone();
        let version = use_force_update();
        Callback::from(move |_| {
            sim.live();
            version.force_update();
        })
    };
    let on_fork = {
        let sim = sim.clone();
        (*use_memo((), move |_| Callback::from(move |spec| sim.fork(spec)))).clone()
    };
    let on_close_fork = {
        let sim = sim.clone();
        let version = use_force_update();
        Callback::from(move |_| {
            sim.close_fork();
            version.force_update();
        })
    };
    let fork_link = fork
        .as_ref()
        .and_then(|f| f.as_ref().as_ref().ok().and_then(fork_href));

    html! {
        <div class={classes!("workspace", forked.then_some("forked"))}
            data-busy={busy.to_string()}>
            <div class="controls panel">
                <TimeControls {lang} {now_us} playing={clock.playing} speed={clock.speed} {seed}
                    {on_toggle} {on_step} {on_speed} {on_jump} on_reset={props.on_reset.clone()} />
                <Timeline {lang} {now_us} {marks} at_us={scrub_at} {took} {on_scrub} {on_live} />
                if busy {
                    <span class="busy" role="status">{ t(lang, Text::Running) }</span>
                }
                <NodeCards {lang} nodes={shown_nodes.clone()} send={send.clone()} />
                <FaultRules {lang} {clients} active={faults.clone()} error={fault_error} {on_arm} />
                <ForkPanel {lang} at_us={scrub_at.unwrap_or(now_us)} {now_us} nodes={shown_nodes.clone()}
                    faults={faults} {forking} {on_fork} />
            </div>
            <DiagramPanel {lang} lanes={lanes.clone()} {rows} {len} {bytes_of} {v5_of} {checks} actions={props.exports.clone()}
                on_window={Some(on_window)} {tools} {summary} {shown_of} {only_lanes}>
                <BrokerStates {lang} {brokers} />
            </DiagramPanel>
            if let Some(fork) = fork {
                <ForkResult {lang} {fork} link={fork_link} on_close={on_close_fork} />
            }
            <div class="bottom">
                <div class="terminals">{ terminals }</div>
                <div class="panel log-panel">
                    <h3>{ t(lang, Text::BrokerLog) }</h3>
                    <BrokerLog lines={log.lines} first={log.first} />
                </div>
            </div>
        </div>
    }
}
