//! A picture of the world: brokers, the devices around them, and each client's
//! link drawn in its state (up, lossy, cut, half-open, partitioned), with its
//! latency and loss on hover. As the run plays, each packet the diagram draws
//! also travels along its link here, a dot from sender to receiver (red if it
//! was lost, orange if a resend). Clicking a node picks out its lifeline (head
//! and line), its card and its terminal on the page.

use std::collections::BTreeMap;
use std::f64::consts::PI;

use yew::prelude::*;

use crate::components::sequence_diagram::{RowKind, Rows};
use crate::i18n::{link_state, vw, Lang, Vw};
use mqttlab_core::sim::node::AppSummary;

use crate::sim::protocol::{LinkState, NodeCard, NodeRole};

/// What runs on a client node, as the topology colours it.
enum ProgramState {
    /// A program (a tool, a device's firmware) runs.
    Running,
    /// The host is up and runs nothing: its program ended or was killed.
    Ended,
    /// The host itself is gone (half-open).
    HostGone,
}

fn program_state(n: &NodeCard) -> ProgramState {
    match (&n.role, &n.what) {
        (NodeRole::Client { alive: false, .. }, _) => ProgramState::HostGone,
        (_, None | Some(AppSummary::Idle)) => ProgramState::Ended,
        _ => ProgramState::Running,
    }
}

/// Packets drawn moving at most (the newest), so that a fast run does not
/// fill the picture with dots.
pub const MAX_MOVING: usize = 24;

/// How far back in virtual time a packet still moves: the newest rows of the
/// last second and a half.
pub const MOVING_WINDOW_US: u64 = 1_500_000;

/// Properties of [`Topology`].
#[derive(Properties, PartialEq)]
pub struct TopologyProps {
    /// The language.
    pub lang: Lang,
    /// The nodes, as their cards show them.
    pub nodes: std::rc::Rc<Vec<NodeCard>>,
    /// The diagram's lifelines (node names).
    #[prop_or_default]
    pub lanes: std::rc::Rc<Vec<String>>,
    /// The diagram's rows: the packets that move.
    #[prop_or_default]
    pub rows: Rows,
    /// How many rows (the picture redraws as the diagram grows).
    #[prop_or_default]
    pub len: usize,
    /// The world's time, µs.
    #[prop_or_default]
    pub now_us: u64,
    /// A still picture (a scrubbed moment): no packets move.
    #[prop_or_default]
    pub still: bool,
}

/// A packet on its way: the diagram row, where it leaves and where it goes.
#[derive(Debug, Clone, PartialEq)]
pub struct Moving {
    /// Its row in the diagram (the dot's key: it moves once).
    pub row: usize,
    /// From (x, y) to (x, y).
    pub from: (f64, f64),
    /// Where it goes.
    pub to: (f64, f64),
    /// `packet`, with `dropped` or `dup`.
    pub class: &'static str,
}

/// The packets to draw moving at `now_us`: the newest packet rows of the
/// last [`MOVING_WINDOW_US`], at most [`MAX_MOVING`], between nodes the
/// picture has.
pub fn moving(
    rows: &[crate::components::sequence_diagram::DiagramRow],
    lanes: &[String],
    at: &BTreeMap<String, (f64, f64)>,
    now_us: u64,
) -> Vec<Moving> {
    let since = now_us.saturating_sub(MOVING_WINDOW_US);
    let mut out: Vec<Moving> = rows
        .iter()
        .enumerate()
        .rev()
        .take_while(|(_, r)| r.time_us >= since)
        .filter_map(|(row, r)| match r.kind {
            RowKind::Packet {
                from,
                to,
                dropped,
                dup,
            } => Some(Moving {
                row,
                from: *at.get(lanes.get(from)?)?,
                to: *at.get(lanes.get(to)?)?,
                class: if dropped {
                    "dropped"
                } else if dup {
                    "dup"
                } else {
                    "ok"
                },
            }),
            RowKind::Note { .. } => None,
        })
        .take(MAX_MOVING)
        .collect();
    out.reverse();
    out
}

const WIDTH: f64 = 760.0;
const HEIGHT: f64 = 420.0;

/// A link's class and stroke: the picture reads the same exported or on the page.
fn stroke(state: LinkState) -> (&'static str, &'static str, &'static str) {
    match state {
        LinkState::Up => ("up", "#009e73", ""),
        LinkState::Lossy => ("lossy", "#e69f00", "8 5"),
        LinkState::Cut => ("cut", "#c0392b", "2 6"),
        LinkState::HalfOpen => ("half-open", "#7f7f7f", "10 4 2 4"),
        LinkState::Partitioned => ("partitioned", "#c0392b", "14 6"),
    }
}

/// Where each node is drawn: brokers on a row across the middle, each one's
/// clients on a circle around it.
pub fn layout(nodes: &[NodeCard]) -> BTreeMap<String, (f64, f64)> {
    let brokers: Vec<&NodeCard> = nodes
        .iter()
        .filter(|n| matches!(n.role, NodeRole::Broker))
        .collect();
    let mut at = BTreeMap::new();
    let nb = brokers.len().max(1) as f64;
    for (i, b) in brokers.iter().enumerate() {
        at.insert(
            b.name.clone(),
            (WIDTH * (i as f64 + 1.0) / (nb + 1.0), HEIGHT / 2.0),
        );
    }
    let radius = (WIDTH / (2.0 * (nb + 1.0)) - 10.0).min(HEIGHT / 2.0 - 40.0);
    let mut clients: BTreeMap<&str, Vec<&NodeCard>> = BTreeMap::new();
    for n in nodes {
        if let NodeRole::Client { broker, .. } = &n.role {
            clients.entry(broker.as_str()).or_default().push(n);
        }
    }
    for (broker, cs) in clients {
        let (cx, cy) = at
            .get(broker)
            .copied()
            .unwrap_or((WIDTH / 2.0, HEIGHT / 2.0));
        let k = cs.len() as f64;
        for (j, c) in cs.iter().enumerate() {
            // The first client to the left, as the course draws "A | broker | B".
            let a = PI + 2.0 * PI * j as f64 / k;
            at.insert(
                c.name.clone(),
                (cx + radius * a.cos(), cy + radius * a.sin()),
            );
        }
    }
    at
}

/// The part of the plane the nodes and their names take (x, y, width, height),
/// with a margin: the picture shows that, not the whole plane. A world of one
/// broker fills the middle third of it, and on a phone the whole plane shrank
/// its names to 6 px.
fn frame(nodes: &[NodeCard], at: &BTreeMap<String, (f64, f64)>) -> (f64, f64, f64, f64) {
    const MARGIN: f64 = 12.0;
    let boxes = nodes.iter().filter_map(|n| {
        let (x, y) = *at.get(&n.name)?;
        // A 13 px name is about 8 px a letter; a client's sits under its circle.
        let half = (n.name.chars().count() as f64 * 4.0).max(34.0);
        let (top, bottom) = match n.role {
            NodeRole::Broker => (y - 22.0, y + 22.0),
            NodeRole::Client { .. } => (y - 20.0, y + 40.0),
        };
        Some((x - half, top, x + half, bottom))
    });
    let (x0, y0, x1, y1) = boxes.fold(
        (f64::MAX, f64::MAX, f64::MIN, f64::MIN),
        |(a, b, c, d), (x0, y0, x1, y1)| (a.min(x0), b.min(y0), c.max(x1), d.max(y1)),
    );
    if x0 > x1 {
        return (0.0, 0.0, WIDTH, HEIGHT);
    }
    let (x0, y0) = ((x0 - MARGIN).floor(), (y0 - MARGIN).floor());
    (x0, y0, (x1 + MARGIN).ceil() - x0, (y1 + MARGIN).ceil() - y0)
}

/// Properties of the picture's links and of its nodes.
#[derive(Properties, PartialEq)]
struct GraphProps {
    lang: Lang,
    nodes: std::rc::Rc<Vec<NodeCard>>,
    /// The node picked out.
    #[prop_or_default]
    selected: Option<String>,
    /// A node was clicked.
    #[prop_or_default]
    on_select: Callback<String>,
}

/// Each client's link, in its state: drawn again only when a node changed,
/// not at every frame or moment that moves only the packets.
#[function_component(TopoLinks)]
fn topo_links(props: &GraphProps) -> Html {
    let lang = props.lang;
    let at = layout(&props.nodes);
    let links = props
        .nodes
        .iter()
        .filter_map(|n| match &n.role {
            NodeRole::Client {
                broker,
                state,
                link,
                ..
            } => {
                let (x1, y1) = at.get(&n.name).copied()?;
                let (x2, y2) = at.get(broker).copied()?;
                let (class, colour, dash) = stroke(*state);
                let title = format!(
                    "{} ↔ {broker}: {} · {} {} ms · {} {}%",
                    n.name,
                    link_state(lang, *state),
                    vw(lang, Vw::Latency),
                    link.latency_ms,
                    vw(lang, Vw::Loss),
                    link.loss_pct
                );
                let (mx, my) = ((x1 + x2) / 2.0, (y1 + y2) / 2.0);
                let mark = match state {
                    LinkState::Cut => "✕",
                    LinkState::Partitioned => "∥",
                    LinkState::HalfOpen => "?",
                    _ => "",
                };
                Some(html! {
                    <g class={classes!("topo-link", class)} data-node={n.name.clone()} data-state={class}>
                        <title>{ title }</title>
                        // A wide transparent line under the drawn one: easy to hover.
                        <line x1={format!("{x1:.1}")} y1={format!("{y1:.1}")} x2={format!("{x2:.1}")}
                            y2={format!("{y2:.1}")} stroke="transparent" stroke-width="14" />
                        <line x1={format!("{x1:.1}")} y1={format!("{y1:.1}")} x2={format!("{x2:.1}")}
                            y2={format!("{y2:.1}")} stroke={colour} stroke-width="3" stroke-dasharray={dash} />
                        if !mark.is_empty() {
                            <text x={format!("{mx:.1}")} y={format!("{:.1}", my + 5.0)} text-anchor="middle"
                                fill={colour} font-size="16" font-weight="bold">{ mark }</text>
                        }
                    </g>
                })
            }
            NodeRole::Broker => None,
        })
        .collect::<Html>();
    html! { <g class="topo-links">{ links }</g> }
}

/// The nodes, each a button that picks it out: drawn again only when a node
/// or the choice changed.
#[function_component(TopoNodes)]
fn topo_nodes(props: &GraphProps) -> Html {
    let at = layout(&props.nodes);
    let nodes = props
        .nodes
        .iter()
        .filter_map(|n| {
            let (x, y) = at.get(&n.name).copied()?;
            let name = n.name.clone();
            let onclick = {
                let on_select = props.on_select.clone();
                let name = name.clone();
                Callback::from(move |_: MouseEvent| {
                    if let Some(card) = web_sys::window()
                        .and_then(|w| w.document())
                        .and_then(|d| {
                            d.query_selector(&format!(".node-card[data-node=\"{name}\"]"))
                                .ok()
                                .flatten()
                        })
                    {
                        card.scroll_into_view_with_bool(false);
                    }
                    on_select.emit(name.clone());
                })
            };
            let is_sel = props.selected.as_deref() == Some(n.name.as_str());
            let shape = match n.role {
                NodeRole::Broker => html! {
                    <rect x={format!("{:.1}", x - 34.0)} y={format!("{:.1}", y - 20.0)} width="68" height="40" rx="6"
                        fill="#0072b2" stroke={if is_sel { "#222" } else { "#0072b2" }} stroke-width="3" />
                },
                NodeRole::Client { .. } => {
                    // Filled while a program runs; hollow once it ended or was
                    // killed (the host is still there); grey when the host is gone.
                    let (fill, ring) = match program_state(n) {
                        ProgramState::Running => ("#56b4e9", "#ffffff"),
                        ProgramState::Ended => ("#ffffff", "#56b4e9"),
                        ProgramState::HostGone => ("#bbbbbb", "#ffffff"),
                    };
                    html! {
                        <circle cx={format!("{x:.1}")} cy={format!("{y:.1}")} r="18" {fill}
                            stroke={if is_sel { "#222" } else { ring }} stroke-width="3" />
                    }
                }
            };
            let program = match program_state(n) {
                ProgramState::Running => "running",
                ProgramState::Ended => "none",
                ProgramState::HostGone => "host-gone",
            };
            let label_y = match n.role {
                NodeRole::Broker => y + 5.0,
                NodeRole::Client { .. } => y + 34.0,
            };
            let fill = match n.role {
                NodeRole::Broker => "#ffffff",
                NodeRole::Client { .. } => "#222222",
            };
            Some(html! {
                <g class={classes!("topo-node", is_sel.then_some("selected"))} data-node={name} data-program={program} {onclick}>
                    <title>{ n.address.clone() }</title>
                    { shape }
                    <text x={format!("{x:.1}")} y={format!("{label_y:.1}")} text-anchor="middle"
                        font-size="13" fill={fill}>{ n.name.clone() }</text>
                </g>
            })
        })
        .collect::<Html>();
    html! { <g class="topo-nodes">{ nodes }</g> }
}

/// The topology picture.
#[function_component(Topology)]
pub fn topology(props: &TopologyProps) -> Html {
    let lang = props.lang;
    let selected = use_state(|| None::<String>);
    let on_select = {
        let selected = selected.clone();
        use_callback((), move |name: String, _| selected.set(Some(name)))
    };
    let at = layout(&props.nodes);
    // The rows may be a window of them (the newest, while the diagram
    // follows). A still picture (a scrubbed moment) moves none.
    let first = props.rows.first();
    let held = props.rows.borrow();
    let len = if props.still { 0 } else { props.len };
    let end = len.saturating_sub(first).min(held.len());
    let packets = moving(&held[..end], &props.lanes, &at, props.now_us)
        .into_iter()
        .map(|mut p| {
            p.row += first;
            let ((x1, y1), (x2, y2)) = (p.from, p.to);
            // It starts where it left and slides (CSS) to where it goes.
            let style = format!("--dx: {:.1}px; --dy: {:.1}px", x2 - x1, y2 - y1);
            html! {
                <circle key={p.row} class={classes!("packet", p.class)} data-row={p.row.to_string()}
                    cx={format!("{x1:.1}")} cy={format!("{y1:.1}")} r="6" {style} />
            }
        })
        .collect::<Html>();
    // The node picked out elsewhere on the page: its lifeline (head and line),
    // its card, its terminal.
    let highlight = selected
        .as_ref()
        .map(|n| {
            let n = n.replace(['"', '\\'], "");
            format!(
                ".node-card[data-node=\"{n}\"], .terminal[data-node=\"{n}\"] {{ outline: 3px solid #0072b2; outline-offset: 2px; }}\n\
                 .lane-head[title=\"{n}\"] {{ background: #cfe6f5; font-weight: bold; }}\n\
                 .seq-rows .lifeline[data-lane=\"{n}\"] {{ stroke: #0072b2; stroke-width: 3; stroke-dasharray: none; }}"
            )
        })
        .unwrap_or_default();
    let legend = [
        LinkState::Up,
        LinkState::Lossy,
        LinkState::Cut,
        LinkState::HalfOpen,
        LinkState::Partitioned,
    ]
    .into_iter()
    .map(|s| {
        let (class, colour, dash) = stroke(s);
        // A list beside the picture, not text inside it: it wraps on a narrow
        // screen and in longer words (pt-BR's "semiaberto (half-open)" ran into
        // "particionado" at fixed places in the SVG), and is not shrunk with it.
        html! {
            <li class={classes!("legend-item", class)}>
                <svg width="30" height="8" viewBox="0 0 30 8" aria-hidden="true">
                    <line x1="0" y1="4" x2="30" y2="4" stroke={colour} stroke-width="3" stroke-dasharray={dash} />
                </svg>
                { link_state(lang, s) }
            </li>
        }
    })
    .collect::<Html>();
    let (fx, fy, fw, fh) = frame(&props.nodes, &at);
    html! {
        <div class="topology">
            <style>{ highlight }</style>
            <p class="help">{ vw(lang, Vw::TopologyHelp) }</p>
            <ul class="topology-legend">{ legend }</ul>
            <svg id="topology-svg" xmlns="http://www.w3.org/2000/svg" width={fw.to_string()}
                height={fh.to_string()} viewBox={format!("{fx} {fy} {fw} {fh}")}
                font-family="sans-serif">
                <rect x={fx.to_string()} y={fy.to_string()} width={fw.to_string()} height={fh.to_string()} fill="#ffffff" />
                <TopoLinks {lang} nodes={props.nodes.clone()} />
                <g class="packets">{ packets }</g>
                <TopoNodes {lang} nodes={props.nodes.clone()} selected={(*selected).clone()} {on_select} />
            </svg>
            if let Some(n) = selected.as_ref() {
                <p class="topo-selected">{ format!("{} {n}", vw(lang, Vw::Selected)) }</p>
            }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::components::sequence_diagram::{DiagramRow, RowNote};
    use crate::sim::protocol::LinkSettings;

    fn packet(time_us: u64, from: usize, to: usize, dropped: bool) -> DiagramRow {
        DiagramRow {
            time_us,
            label: "PUBLISH".into(),
            kind: RowKind::Packet {
                from,
                to,
                dropped,
                dup: false,
            },
            fault: None,
            sent: None,
        }
    }

    fn node(name: &str, broker: Option<&str>) -> NodeCard {
        NodeCard {
            name: name.into(),
            what: None,
            ctrl_c: None,
            address: String::new(),
            role: match broker {
                None => NodeRole::Broker,
                Some(b) => NodeRole::Client {
                    alive: true,
                    connected: true,
                    link: LinkSettings {
                        latency_ms: 1,
                        loss_pct: 0.0,
                    },
                    interactive: true,
                    broker: b.into(),
                    state: LinkState::Up,
                },
            },
        }
    }

    #[test]
    fn the_picture_is_framed_on_its_nodes_and_their_names() {
        let mut nodes = vec![node("broker1", None)];
        nodes.extend(
            ["ok", "lossy", "a-long-sensor-name", "island"].map(|n| node(n, Some("broker1"))),
        );
        let at = layout(&nodes);
        let (x, y, w, h) = frame(&nodes, &at);
        // One broker: its clients' circle, not the whole plane, so a phone
        // shows the names at about half their size rather than a quarter.
        assert!(w < WIDTH * 0.7, "{w}");
        for n in &nodes {
            let (nx, ny) = at[&n.name];
            let half = n.name.len() as f64 * 4.0;
            assert!(
                x <= nx - half && nx + half <= x + w,
                "{} at {nx}: {x} + {w}",
                n.name
            );
            assert!(
                y <= ny - 18.0 && ny + 34.0 <= y + h,
                "{} at {ny}: {y} + {h}",
                n.name
            );
        }
        assert_eq!(frame(&[], &BTreeMap::new()), (0.0, 0.0, WIDTH, HEIGHT));
    }

    #[test]
    fn the_newest_packets_of_the_last_moments_move_between_nodes_drawn() {
        let lanes = vec!["s".to_string(), "broker".to_string(), "gone".to_string()];
        let at: BTreeMap<String, (f64, f64)> = [
            ("s".to_string(), (10.0, 20.0)),
            ("broker".to_string(), (100.0, 200.0)),
        ]
        .into_iter()
        .collect();
        let mut rows = vec![packet(1_000_000, 0, 1, false)];
        rows.push(DiagramRow {
            time_us: 9_000_000,
            label: String::new(),
            kind: RowKind::Note {
                lane: 0,
                note: RowNote::TcpConnect,
            },
            fault: None,
            sent: None,
        });
        rows.push(packet(9_500_000, 1, 0, true));
        rows.push(packet(9_600_000, 2, 1, false));
        rows.push(packet(10_000_000, 0, 1, false));
        let m = moving(&rows, &lanes, &at, 10_000_000);
        // Not the one from 9 s before, not the note, not the node not drawn.
        assert_eq!(m.iter().map(|p| p.row).collect::<Vec<_>>(), [2, 4]);
        assert_eq!(
            (m[0].from, m[0].to, m[0].class),
            ((100.0, 200.0), (10.0, 20.0), "dropped")
        );
        let many: Vec<DiagramRow> = (0..100)
            .map(|i| packet(9_000_000 + i, 0, 1, false))
            .collect();
        let m = moving(&many, &lanes, &at, 9_000_100);
        assert_eq!(m.len(), MAX_MOVING);
        assert_eq!(m.last().unwrap().row, 99);
    }
}
