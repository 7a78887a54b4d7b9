//! The sequence diagram: one lifeline per broker and client, one row per packet or
//! note, like Wireshark's Flow Graph. Lost packets end in an ✕ halfway, as the course
//! text draws them (`X--------`); DUP resends and injected faults are marked; timers
//! (keepalive, ack timeouts) are notes on their lifeline.
//!
//! A packet's arrow starts where it was sent (between the rows of what its sender did
//! before and after) and ends in its own row, at its arrival: a note its sender made
//! after sending it is drawn below the arrow's start, one its receiver made before it
//! arrived above the arrow's end.
//!
//! The lifelines share the width the diagram has (down to [`MIN_LANE_WIDTH`], then the
//! rows scroll sideways under a time column that stays put). A label never crosses a
//! lifeline: it sits in one gap between two of them and is cut to fit, ending in `…`;
//! the whole label is its tooltip and heads the packet inspector.
//!
//! Only the rows in view are drawn, so 100,000 packets scroll as smoothly as ten:
//! the scroll area is as tall as all rows, and one small SVG moves inside it.

use std::cell::{Ref, RefCell};
use std::rc::Rc;

use web_sys::HtmlElement;
use yew::prelude::*;

use mqttlab_core::sim::note::{FaultEvent, Note, PacketNote};

use crate::hooks::use_window_resize::use_window_resize;
use crate::i18n::{packet_note, row_note, Lang};

/// Height of one row, in CSS pixels.
pub const ROW_HEIGHT: f64 = 30.0;
/// Width of the time column on the left.
pub const TIME_WIDTH: f64 = 64.0;
/// Horizontal room per lifeline in an export, and on the page before its width is known.
pub const LANE_WIDTH: f64 = 210.0;
/// The narrowest a lifeline's room gets on the page before the rows scroll sideways.
pub const MIN_LANE_WIDTH: f64 = 96.0;
/// The widest it gets, however wide the page.
pub const MAX_LANE_WIDTH: f64 = 280.0;
/// Rows drawn above and below the visible ones, so a fast scroll shows no gap.
const OVERSCAN: usize = 10;
/// Rows below the visible ones searched for an arrow that starts in view.
const LOOKAHEAD: usize = 200;
/// Room kept free on each side of a label, between it and a lifeline.
const LABEL_MARGIN: f64 = 5.0;
/// Baselines of a label's two lines, from the middle of its row (where its arrow
/// ends). A 12 px line's box is about 14 px (DejaVu Sans Mono: ascent 11.1,
/// descent 2.8), so the first sits between the row's top and the arrow and the
/// second between the arrow and the row's bottom, a pixel clear of the next
/// row's first line: labels of neighbouring rows never overlap, however their
/// arrows slope and cross (tests/e2e/diagram_labels.test.mjs measures them).
const LABEL_FIRST: f64 = -3.5;
const LABEL_SECOND: f64 = 11.5;

/// Where the lifelines are: how much room each has.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Geometry {
    /// Horizontal room per lifeline, in CSS pixels.
    pub lane_width: f64,
}

impl Geometry {
    /// The fixed geometry of an export.
    pub const EXPORT: Geometry = Geometry {
        lane_width: LANE_WIDTH,
    };

    /// Lifelines sharing `available` pixels (the time column included), each
    /// between [`MIN_LANE_WIDTH`] and [`MAX_LANE_WIDTH`]; [`LANE_WIDTH`] while the
    /// width is not known yet (0).
    pub fn fit(available: f64, lanes: usize) -> Geometry {
        if available <= 0.0 {
            return Geometry::EXPORT;
        }
        let each = (available - TIME_WIDTH) / lanes.max(1) as f64;
        Geometry {
            lane_width: each.clamp(MIN_LANE_WIDTH, MAX_LANE_WIDTH).floor(),
        }
    }

    /// The x of a lifeline.
    pub fn lane_x(&self, lane: usize) -> f64 {
        TIME_WIDTH + self.lane_width * (lane as f64 + 0.5)
    }

    /// The width of the whole diagram.
    pub fn width(&self, lanes: usize) -> f64 {
        TIME_WIDTH + self.lane_width * lanes as f64
    }

    /// Where a packet's label goes between lifelines `from` and `to`: the centre of
    /// the gap nearest the arrow's middle (on the sender's side of a tie), and how
    /// many characters fit there without touching either lifeline.
    pub fn label_slot(&self, from: usize, to: usize) -> (f64, usize) {
        if from == to {
            let x = self.lane_x(from) + self.lane_width / 2.0;
            return (x, self.room(self.lane_width / 2.0));
        }
        let gaps = from.abs_diff(to);
        let k = (gaps - 1) / 2;
        let left = if from < to { from + k } else { from - k - 1 };
        let x = (self.lane_x(left) + self.lane_x(left + 1)) / 2.0;
        (x, self.room(self.lane_width))
    }

    /// The characters of the 12 px labels that fit in `px` between two lifelines.
    fn room(&self, px: f64) -> usize {
        (((px - 2.0 * LABEL_MARGIN) / CHAR_WIDTH).floor().max(3.0)) as usize
    }
}

/// What a row shows.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum RowKind {
    /// A packet from one lifeline to another.
    Packet {
        /// Sending lifeline.
        from: usize,
        /// Receiving lifeline.
        to: usize,
        /// Lost on the way (drawn ending in ✕).
        dropped: bool,
        /// A resend (DUP=1 or a repeated PUBREL).
        dup: bool,
    },
    /// A note on one lifeline: a timer fired, a client killed, a link cut.
    Note {
        /// The lifeline.
        lane: usize,
        /// What it says, as data (words are made when it is drawn, in the page's
        /// language).
        note: RowNote,
    },
}

/// What a note row says.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum RowNote {
    /// A note the simulator made (a state change, a control, a timer).
    Sim(Note),
    /// A TCP connection was set up.
    TcpConnect,
    /// The broker's keepalive timer closed a client's connection.
    KeepaliveExpired {
        /// The client's lifeline name.
        client: String,
    },
    /// A fault rule was armed or acted.
    Fault {
        /// The rule as the scenario wrote it.
        rule: String,
        /// What happened.
        event: FaultEvent,
    },
    /// The live page opened a WebSocket to this address.
    WebSocket {
        /// The address.
        url: String,
    },
    /// The WebSocket closed.
    WebSocketClosed {
        /// The close code.
        code: u16,
        /// The server's reason (may be empty).
        reason: String,
    },
    /// Bytes from a real broker that do not decode.
    Undecodable {
        /// The codec's error.
        error: String,
    },
    /// The live client's keepalive saw no PINGRESP.
    NoPingresp,
    /// What an imported capture showed besides MQTT (TCP, WebSocket, TLS).
    Capture(mqttlab_core::capture::Note),
}

/// One row of the diagram.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DiagramRow {
    /// Virtual (or real) time in microseconds.
    pub time_us: u64,
    /// A packet's summary (`PUBLISH q1 m7 topico`, `PUBACK m7`, `TCP FIN`);
    /// empty for a note, whose words are in its [`RowNote`].
    pub label: String,
    /// Packet or note.
    pub kind: RowKind,
    /// Why the packet was delayed, copied or lost, shown beside it.
    pub fault: Option<PacketNote>,
    /// For a packet: when it left its sender, and how many rows there were then
    /// (its arrow starts between that row and the one before).
    pub sent: Option<SentAt>,
}

/// When and where in the diagram a packet was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SentAt {
    /// Virtual (or real) time in microseconds.
    pub time_us: u64,
    /// The index the next row had when it was sent.
    pub row: usize,
}

/// Diagram rows shared between whoever appends them and the diagram, which reads
/// only the rows in view: a frame copies nothing, however long the run.
///
/// It may hold a window of the rows only (the simulation page's, whose rows
/// stay in the worker): then its first row is not row 0.
#[derive(Debug, Clone, Default)]
pub struct Rows(Rc<RefCell<RowStore>>);

#[derive(Debug, Default)]
struct RowStore {
    first: usize,
    rows: Vec<DiagramRow>,
}

impl Rows {
    /// Appends a row.
    pub fn push(&self, row: DiagramRow) {
        self.0.borrow_mut().rows.push(row);
    }
    /// Where the rows held end: how many rows there are, for a store that holds
    /// them all.
    pub fn len(&self) -> usize {
        let s = self.0.borrow();
        s.first + s.rows.len()
    }
    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The index of the first row held.
    pub fn first(&self) -> usize {
        self.0.borrow().first
    }
    /// The rows held (from [`Rows::first`]).
    pub fn borrow(&self) -> Ref<'_, Vec<DiagramRow>> {
        Ref::map(self.0.borrow(), |s| &s.rows)
    }
    /// Row `i`, if it is held.
    pub fn get(&self, i: usize) -> Option<Ref<'_, DiagramRow>> {
        Ref::filter_map(self.0.borrow(), |s| s.rows.get(i.checked_sub(s.first)?)).ok()
    }
    /// Holds `rows` as the rows from `first` on: after the ones held if they
    /// start where those end, else in their place. Returns whether they
    /// were appended.
    pub fn put(&self, first: usize, rows: Vec<DiagramRow>) -> bool {
        let mut s = self.0.borrow_mut();
        if first == s.first + s.rows.len() {
            s.rows.extend(rows);
            true
        } else {
            *s = RowStore { first, rows };
            false
        }
    }
}

/// Same storage: the diagram compares lengths to see growth.
impl PartialEq for Rows {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// Seconds with three decimals, as the time axis shows them.
pub fn format_time(us: u64) -> String {
    format!("{}.{:03}", us / 1_000_000, (us % 1_000_000) / 1_000)
}

/// Where a diagram with row `marked` marked scrolls to: the row four rows
/// below the top.
pub fn marked_scroll_top(marked: usize) -> f64 {
    (ROW_HEIGHT * (marked as f64 - 4.0)).max(0.0)
}

/// The rows `first..last` to draw for a viewport at `scroll_top` of `height` pixels.
pub fn visible_range(total: usize, scroll_top: f64, height: f64) -> (usize, usize) {
    let first = (scroll_top / ROW_HEIGHT).floor().max(0.0) as usize;
    let count = (height / ROW_HEIGHT).ceil() as usize + 1;
    let first = first.saturating_sub(OVERSCAN).min(total);
    let last = (first + count + 2 * OVERSCAN).min(total);
    (first, last)
}

/// Width of one character of the 12 px monospace labels, in pixels.
const CHAR_WIDTH: f64 = 7.3;

/// `label` cut to at most `max` characters, ending in `…` when cut.
pub fn clip(label: &str, max: usize) -> String {
    if label.chars().count() <= max {
        label.to_string()
    } else {
        let mut s: String = label.chars().take(max.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

/// `label` on at most two lines of `max` characters: whole if it fits, else broken
/// after the last space or `/` that keeps the first line within `max`, the rest cut
/// to fit.
pub fn wrap(label: &str, max: usize) -> (String, Option<String>) {
    let chars: Vec<char> = label.chars().collect();
    if chars.len() <= max {
        return (label.to_string(), None);
    }
    let head = &chars[..max.min(chars.len())];
    let at = head
        .iter()
        .rposition(|&c| c == ' ' || c == '/')
        .filter(|&i| i > 0)
        .map_or(max, |i| i + 1);
    // The space stays at the end of the first line, so that the text of both
    // lines together is the label (what a test or a screen reader reads).
    let first: String = chars[..at].iter().collect();
    let rest: String = chars[at..].iter().collect();
    (first, Some(clip(rest.trim_start(), max)))
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Where a row is drawn: its own index, the index of the first row of the SVG it
/// is drawn in, and the geometry.
#[derive(Debug, Clone, Copy)]
struct Place {
    index: usize,
    first: usize,
    geometry: Geometry,
    lanes: usize,
}

impl Place {
    fn y(&self, row: usize) -> f64 {
        ROW_HEIGHT * (row as f64 - self.first as f64)
    }
}

/// The time column's text of one row (drawn apart, so that it stays in view when
/// the rows scroll sideways).
fn time_svg(row: &DiagramRow, y: f64) -> String {
    let sent = match row.sent {
        Some(at) if at.time_us != row.time_us => format!(
            r#"<title>{} → {}</title>"#,
            format_time(at.time_us),
            format_time(row.time_us)
        ),
        _ => String::new(),
    };
    format!(
        r#"<text class="time" x="6" y="{}">{sent}{}</text>"#,
        y + ROW_HEIGHT / 2.0 + 4.0,
        format_time(row.time_us)
    )
}

/// The SVG markup of one row (shared by the live view and the export, so both draw
/// the same thing).
fn row_svg(row: &DiagramRow, at: Place, selected: bool, lang: Lang) -> String {
    let g = at.geometry;
    let y = at.y(at.index);
    let mid = y + ROW_HEIGHT / 2.0;
    let mut s = String::new();
    if selected {
        s += &format!(
            r#"<rect class="sel" x="0" y="{y}" width="{}" height="{ROW_HEIGHT}"/>"#,
            g.width(at.lanes)
        );
    }
    match &row.kind {
        RowKind::Packet {
            from,
            to,
            dropped,
            dup,
        } => {
            let (x1, x2) = (g.lane_x(*from), g.lane_x(*to));
            // The arrow starts at the boundary above the first row made after it
            // was sent; if nothing happened meanwhile, it is level.
            let y1 = match row.sent {
                Some(sent) if sent.row < at.index => at.y(sent.row) + 3.0,
                _ => mid,
            };
            let class = match (dropped, dup) {
                (true, _) => "arrow dropped",
                (false, true) => "arrow dup",
                _ => "arrow",
            };
            if *dropped {
                let xe = x1 + (x2 - x1) * 0.55;
                let ye = y1 + (mid - y1) * 0.55;
                s += &format!(
                    r#"<line class="{class}" x1="{x1}" y1="{y1}" x2="{xe}" y2="{ye}"/><text class="lost" x="{xe}" y="{}" text-anchor="middle">✕</text>"#,
                    ye + 5.0
                );
            } else {
                // The head points along the arrow.
                let (dx, dy) = (x2 - x1, mid - y1);
                let len = (dx * dx + dy * dy).sqrt().max(1.0);
                let (ux, uy) = (dx / len, dy / len);
                let (tx, ty) = (x2 - ux * 2.0, mid - uy * 2.0);
                let (bx, by) = (tx - ux * 8.0, ty - uy * 8.0);
                let (px, py) = (-uy * 4.0, ux * 4.0);
                s += &format!(
                    r#"<line class="{class}" x1="{x1}" y1="{y1}" x2="{tx:.1}" y2="{ty:.1}"/><path class="{class} head" d="M{tx:.1},{ty:.1} L{:.1},{:.1} L{:.1},{:.1} z"/>"#,
                    bx + px,
                    by + py,
                    bx - px,
                    by - py
                );
            }
            // The label sits between two lifelines, cut to fit there; the whole
            // label is the tooltip, and the inspector shows it with every field.
            let (lx, room) = g.label_slot(*from, *to);
            // A label too long for its gap goes on two lines, one above the arrow
            // and one below (unless a fault note has the one below), each cut to fit.
            let (first, second) = match row.fault {
                None => wrap(&row.label, room),
                Some(_) => (clip(&row.label, room), None),
            };
            let title = match row.sent {
                Some(sent) if sent.time_us != row.time_us => format!(
                    "{} ({} → {})",
                    row.label,
                    format_time(sent.time_us),
                    format_time(row.time_us)
                ),
                _ => row.label.clone(),
            };
            let second = second.map_or_else(String::new, |line| {
                format!(
                    r#"<tspan x="{lx}" y="{}">{}</tspan>"#,
                    mid + LABEL_SECOND,
                    escape(&line)
                )
            });
            s += &format!(
                r#"<g><title>{}</title><text class="label" x="{lx}" y="{}" text-anchor="middle" data-full="{}">{}{second}</text></g>"#,
                escape(&title),
                mid + LABEL_FIRST,
                escape(&row.label),
                escape(&first)
            );
            if let Some(fault) = &row.fault {
                let text = packet_note(lang, fault);
                s += &format!(
                    r#"<g><title>{}</title><text class="fault" x="{lx}" y="{}" text-anchor="middle">{}</text></g>"#,
                    escape(&text),
                    mid + 12.0,
                    escape(&clip(&text, (room as f64 * 1.2) as usize))
                );
            }
        }
        RowKind::Note { lane, note } => {
            let x = g.lane_x(*lane);
            let text = row_note(lang, note);
            // A note reads away from the nearer edge, so it stays in the diagram,
            // and is cut at the diagram's edge (its row has nothing else to cross).
            let right_room = g.width(at.lanes) - x - 8.0;
            let left_room = x - TIME_WIDTH - 8.0;
            let (tx, anchor, room) = if right_room >= left_room {
                (x + 8.0, "start", right_room)
            } else {
                (x - 8.0, "end", left_room)
            };
            let shown = clip(&text, ((room - 4.0) / CHAR_WIDTH).max(3.0) as usize);
            s += &format!(
                r#"<circle class="note-dot" cx="{x}" cy="{mid}" r="4"/><g><title>{}</title><text class="note" x="{tx}" y="{}" text-anchor="{anchor}">{}</text></g>"#,
                escape(&text),
                mid + 4.0,
                escape(&shown)
            );
        }
    }
    s
}

/// The lifelines, each named (`data-lane`) so that a view can pick one out
/// (the topology does, when its node is clicked).
fn lifelines_svg(g: Geometry, lanes: &[String], top: f64, bottom: f64) -> String {
    lifelines_in(g, lanes, 0..lanes.len(), top, bottom)
}

/// The lifelines of `range` only (a world of thousands of lanes draws those in view).
fn lifelines_in(
    g: Geometry,
    lanes: &[String],
    range: std::ops::Range<usize>,
    top: f64,
    bottom: f64,
) -> String {
    lanes
        .iter()
        .enumerate()
        .skip(range.start)
        .take(range.len())
        .map(|(i, name)| {
            let x = g.lane_x(i);
            format!(
                r#"<line class="lifeline" data-lane="{}" x1="{x}" y1="{top}" x2="{x}" y2="{bottom}"/>"#,
                escape(name)
            )
        })
        .collect()
}

/// The whole diagram as a standalone SVG document, for "export as SVG".
pub fn export_svg(lanes: &[String], rows: &[DiagramRow], lang: Lang) -> String {
    let g = Geometry::EXPORT;
    let width = g.width(lanes.len());
    let head = 34.0;
    let height = head + ROW_HEIGHT * rows.len() as f64 + 10.0;
    let mut s = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="DejaVu Sans Mono, monospace" font-size="12"><style>{}</style><rect width="100%" height="100%" fill="#fff"/>"##,
        EXPORT_STYLE
    );
    for (i, name) in lanes.iter().enumerate() {
        s += &format!(
            r#"<text class="lane" x="{}" y="20" text-anchor="middle">{}</text>"#,
            g.lane_x(i),
            escape(name)
        );
    }
    s += &lifelines_svg(g, lanes, head - 6.0, height);
    s += &format!(r#"<g transform="translate(0 {head})">"#);
    for (i, row) in rows.iter().enumerate() {
        let at = Place {
            index: i,
            first: 0,
            geometry: g,
            lanes: lanes.len(),
        };
        s += &time_svg(row, at.y(i));
        s += &row_svg(row, at, false, lang);
    }
    s += "</g></svg>";
    s
}

const EXPORT_STYLE: &str = ".lane{font-weight:bold;font-family:sans-serif;font-size:13px}\
.lifeline{stroke:#999;stroke-dasharray:4 3}.time{fill:#666}.arrow{stroke:#345;fill:#345;stroke-width:1.5}\
.arrow.dup{stroke:#b35900;fill:#b35900}.arrow.dropped{stroke:#c00;stroke-dasharray:5 3}\
.lost{fill:#c00;font-size:16px}.label,.note,.fault{paint-order:stroke;stroke:#fff;stroke-width:3px}.label{fill:#111}.fault{fill:#c00;font-size:10px}\
.note{fill:#660066;font-style:italic}.note-dot{fill:#660066}";

/// Properties of [`SequenceDiagram`].
#[derive(Properties, PartialEq)]
pub struct SequenceDiagramProps {
    /// Lifeline names: brokers and client ids.
    pub lanes: Rc<Vec<String>>,
    /// Every row so far.
    pub rows: Rows,
    /// How many rows there are now (so that growth re-renders).
    pub len: usize,
    /// The row whose packet the inspector shows.
    #[prop_or_default]
    pub selected: Option<usize>,
    /// Clicking a row selects it.
    #[prop_or_default]
    pub on_select: Callback<usize>,
    /// The language of the notes.
    #[prop_or(Lang::En)]
    pub lang: Lang,
    /// Whether the diagram starts following the newest row (a live run) or at
    /// the first row (an imported capture).
    #[prop_or(true)]
    pub follow: bool,
    /// A row marked across the diagram (where a fork parts from its
    /// original); the diagram opens scrolled to it.
    #[prop_or_default]
    pub marked: Option<usize>,
    /// `rows` holds only a window of the `len` rows: this asks for the one in
    /// view, `(first, count, follow)` (following the newest rows, `first` is 0).
    #[prop_or_default]
    pub on_window: Option<Callback<(usize, usize, bool)>>,
    /// The lifelines drawn, as indices into `lanes` in their order (a node
    /// filter's: its node's and those of the rows it keeps); `None`: all. A row
    /// on a lane not drawn is not drawn either.
    #[prop_or_default]
    pub only_lanes: Option<Rc<Vec<usize>>>,
}

/// The names of the lanes `only` (indices into `lanes`; any beyond it left
/// out), and where each of `lanes` is drawn (`None`: it is not).
fn lane_subset(lanes: &[String], only: &[usize]) -> (Vec<String>, Vec<Option<usize>>) {
    let mut names = Vec::with_capacity(only.len());
    let mut at = vec![None; lanes.len()];
    for &lane in only {
        if let (Some(name), Some(slot @ None)) = (lanes.get(lane), at.get_mut(lane)) {
            *slot = Some(names.len());
            names.push(name.clone());
        }
    }
    (names, at)
}

/// `row` with its lanes where they are drawn; `None` if one of them is not.
fn moved(row: &DiagramRow, at: &[Option<usize>]) -> Option<DiagramRow> {
    let place = |lane: usize| at.get(lane).copied().flatten();
    let mut row = row.clone();
    match &mut row.kind {
        RowKind::Packet { from, to, .. } => (*from, *to) = (place(*from)?, place(*to)?),
        RowKind::Note { lane, .. } => *lane = place(*lane)?,
    }
    Some(row)
}

/// The tallest the scroll area gets, in pixels (browsers cap an element's
/// height near 33 million): beyond it, a pixel of scroll is more than a pixel
/// of rows.
pub const MAX_SCROLL_PX: f64 = 15_000_000.0;

/// The height of the scroll area for `total` rows.
pub fn scroll_height(total: usize) -> f64 {
    (ROW_HEIGHT * total as f64).min(MAX_SCROLL_PX)
}

/// The rows `first..last` to draw for a viewport at `scroll_top` of `height`
/// pixels, and where (in the scroll area) the first is drawn. Rows taller in all
/// than [`MAX_SCROLL_PX`] are spread over it: the top of the scroll area is the
/// first row, its bottom the last.
pub fn window_at(total: usize, scroll_top: f64, height: f64) -> (usize, usize, f64) {
    let natural = ROW_HEIGHT * total as f64;
    if natural <= MAX_SCROLL_PX {
        let (first, last) = visible_range(total, scroll_top, height);
        return (first, last, ROW_HEIGHT * first as f64);
    }
    let in_view = (height / ROW_HEIGHT).ceil() as usize + 1;
    let span = (MAX_SCROLL_PX - height).max(1.0);
    let hidden = total.saturating_sub(in_view) as f64;
    let top = ((scroll_top / span).clamp(0.0, 1.0) * hidden).floor() as usize;
    let first = top.saturating_sub(OVERSCAN);
    let last = (top + in_view + OVERSCAN).min(total);
    (first, last, scroll_top - ROW_HEIGHT * (top - first) as f64)
}

/// The lanes `first..last` in view between `left` and `left + width` pixels.
fn lanes_in_view(g: Geometry, lanes: usize, left: f64, width: f64) -> std::ops::Range<usize> {
    let first = ((left - TIME_WIDTH) / g.lane_width).floor().max(0.0) as usize;
    let last = ((left + width) / g.lane_width).ceil() as usize + 2;
    first.min(lanes)..last.min(lanes)
}

/// The rows to draw for the window `first..last` of `total` rows: those in it
/// that `rows` holds, and those just below it whose arrow starts in it (or
/// above it).
fn drawn_rows(rows: &Rows, total: usize, first: usize, last: usize) -> Vec<usize> {
    let mut drawn: Vec<usize> = (first..last).filter(|&i| rows.get(i).is_some()).collect();
    let below = last..(last + LOOKAHEAD).min(total);
    drawn.extend(below.filter(|&i| {
        rows.get(i)
            .is_some_and(|r| r.sent.is_some_and(|s| s.row < last))
    }));
    drawn
}

/// The live, virtualized diagram.
#[function_component(SequenceDiagram)]
pub fn sequence_diagram(props: &SequenceDiagramProps) -> Html {
    let scroller = use_node_ref();
    let heads_ref = use_node_ref();
    let scroll_top = use_state(|| 0.0f64);
    let viewport = use_state(|| 480.0f64);
    // The width the rows have (0 until measured).
    let available = use_state(|| 0.0f64);
    // Follow the live end until the student scrolls up; scrolling back down resumes.
    let follow = use_mut_ref(|| props.follow);
    // Where following last scrolled to: the scroll event that move causes is not
    // the student scrolling up, even if rows arrived in between.
    let auto_top = use_mut_ref(|| None::<i32>);

    let scroll_left = use_state(|| 0.0f64);
    let total = if props.on_window.is_some() {
        props.len
    } else {
        props.len.min(props.rows.len())
    };
    // A marked row is shown a few rows below the top, however few rows follow
    // it: the scroll area leaves room below the last row for that, so that
    // two diagrams side by side (a fork's) show their marked rows level.
    let marked_top = props.marked.map(marked_scroll_top);
    let full_height = marked_top.map_or(scroll_height(total), |top| {
        scroll_height(total).max(top + *viewport)
    });

    {
        let scroller = scroller.clone();
        let scroll_top = scroll_top.clone();
        let viewport = viewport.clone();
        use_effect_with(marked_top.map(|t| t as i32), move |top| {
            if let (Some(top), Some(el)) = (*top, scroller.cast::<HtmlElement>()) {
                viewport.set(el.client_height() as f64);
                el.set_scroll_top(top);
                scroll_top.set(f64::from(top));
            }
        });
    }

    {
        let scroller = scroller.clone();
        let follow = follow.clone();
        let scroll_top = scroll_top.clone();
        let viewport = viewport.clone();
        let auto_top = auto_top.clone();
        let available = available.clone();
        use_effect_with(total, move |_| {
            if let Some(el) = scroller.cast::<HtmlElement>() {
                viewport.set(el.client_height() as f64);
                available.set(el.client_width() as f64);
                if *follow.borrow() {
                    let bottom = (el.scroll_height() - el.client_height()).max(0);
                    *auto_top.borrow_mut() = Some(bottom);
                    el.set_scroll_top(bottom);
                    scroll_top.set(bottom as f64);
                }
            }
        });
    }

    // The lifelines share the width again when the window changes size.
    {
        let scroller = scroller.clone();
        let available = available.clone();
        let viewport = viewport.clone();
        use_window_resize(move || {
            if let Some(el) = scroller.cast::<HtmlElement>() {
                available.set(el.client_width() as f64);
                viewport.set(el.client_height() as f64);
            }
        });
    }

    let onscroll = {
        let scroller = scroller.clone();
        let heads_ref = heads_ref.clone();
        let auto_top = auto_top.clone();
        let scroll_top = scroll_top.clone();
        let viewport = viewport.clone();
        let follow = follow.clone();
        let scroll_left = scroll_left.clone();
        Callback::from(move |_: Event| {
            if let Some(el) = scroller.cast::<HtmlElement>() {
                let top = el.scroll_top() as f64;
                if f64::from(el.scroll_left()) != *scroll_left {
                    scroll_left.set(f64::from(el.scroll_left()));
                }
                let h = el.client_height() as f64;
                // The lifeline names move sideways with the rows.
                if let Some(heads) = heads_ref.cast::<HtmlElement>() {
                    let _ = heads
                        .style()
                        .set_property("transform", &format!("translateX(-{}px)", el.scroll_left()));
                }
                let ours = auto_top.borrow_mut().take() == Some(el.scroll_top());
                if !ours {
                    *follow.borrow_mut() = top + h >= el.scroll_height() as f64 - ROW_HEIGHT;
                }
                scroll_top.set(top);
                viewport.set(h);
            }
        })
    };

    // A filtered diagram draws the lanes of its node only, side by side: a
    // far lane's arrows start in view.
    let (lane_names, lane_at) = match &props.only_lanes {
        Some(only) => {
            let (names, at) = lane_subset(&props.lanes, only);
            (Rc::new(names), Some(at))
        }
        None => (props.lanes.clone(), None),
    };
    let lanes = lane_names.len().max(1);
    let geometry = Geometry::fit(*available, lanes);
    let width = geometry.width(lanes);
    let (first, last, y0) = window_at(total, *scroll_top, *viewport);
    let window_height = ROW_HEIGHT * (last - first) as f64;
    // The window of rows to ask for: the newest while following, else the one
    // in view, in steps of OVERSCAN rows.
    let want = props.on_window.as_ref().map(|_| {
        let count = (*viewport / ROW_HEIGHT).ceil() as usize + 1 + 3 * OVERSCAN;
        if *follow.borrow() {
            (0, count, true)
        } else {
            (first - first % OVERSCAN, count, false)
        }
    });
    {
        let on_window = props.on_window.clone();
        use_effect_with(want, move |want| {
            if let (Some(cb), Some(w)) = (on_window, *want) {
                cb.emit(w);
            }
        });
    }
    let shown_lanes = lanes_in_view(geometry, lanes, *scroll_left, (*available).max(800.0));

    let mut inner = lifelines_in(
        geometry,
        &lane_names,
        shown_lanes.clone(),
        0.0,
        window_height,
    );
    let mut times = String::new();
    {
        for i in drawn_rows(&props.rows, total, first, last) {
            let Some(found) = props.rows.get(i) else {
                continue;
            };
            let moved_row = match &lane_at {
                None => None,
                Some(at) => match moved(&found, at) {
                    Some(row) => Some(row),
                    None => continue,
                },
            };
            let row: &DiagramRow = moved_row.as_ref().unwrap_or(&found);
            let at = Place {
                index: i,
                first,
                geometry,
                lanes,
            };
            if i < last {
                times += &time_svg(row, at.y(i));
            }
            if props.marked == Some(i) {
                inner += &format!(
                    r#"<rect class="parts" x="0" y="{}" width="{width}" height="{ROW_HEIGHT}"/>"#,
                    at.y(i)
                );
            }
            inner += &row_svg(row, at, props.selected == Some(i), props.lang);
        }
    }
    let svg = Html::from_html_unchecked(AttrValue::from(format!(
        r#"<svg class="seq-rows" width="{width}" height="{window_height}" style="transform: translateY({y0}px)">{inner}</svg>"#
    )));
    let time_column = Html::from_html_unchecked(AttrValue::from(format!(
        r#"<svg class="seq-times" width="{TIME_WIDTH}" height="{window_height}" style="transform: translateY({y0}px)">{times}</svg>"#
    )));

    let onclick = {
        let on_select = props.on_select.clone();
        let scroller = scroller.clone();
        Callback::from(move |e: MouseEvent| {
            if let Some(el) = scroller.cast::<HtmlElement>() {
                let rect = el.get_bounding_client_rect();
                let y = e.client_y() as f64 - rect.top() + el.scroll_top() as f64;
                let i = first as f64 + ((y - y0) / ROW_HEIGHT).floor();
                if i >= 0.0 && (i as usize) < total {
                    on_select.emit(i as usize);
                }
            }
        })
    };

    let heads = lane_names
        .iter()
        .enumerate()
        .skip(shown_lanes.start)
        .take(shown_lanes.len())
        .map(|(i, name)| {
            let style = format!(
                "left: {}px; width: {}px",
                geometry.lane_x(i) - geometry.lane_width / 2.0,
                geometry.lane_width
            );
            html! { <div class="lane-head" {style} title={name.clone()}>{ name }</div> }
        })
        .collect::<Html>();

    html! {
        <div class="sequence-diagram" data-rows={total.to_string()}
            data-marked={props.marked.map(|i| i.to_string())}
            data-lane-width={geometry.lane_width.to_string()}>
            <div class="lane-heads-clip">
                <div class="lane-heads" ref={heads_ref} style={format!("width: {width}px")}>{ heads }</div>
            </div>
            <div class="seq-scroll" ref={scroller} {onscroll} {onclick}>
                <div class="seq-spacer" style={format!("height: {full_height}px; width: {width}px")}>
                    <div class="seq-time-column" style={format!("height: {full_height}px; width: {TIME_WIDTH}px")}>
                        { time_column }
                    </div>
                    { svg }
                </div>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packet(label: &str, from: usize, to: usize, dropped: bool) -> DiagramRow {
        DiagramRow {
            time_us: 6_450_000,
            label: label.into(),
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

    #[test]
    fn only_rows_near_the_viewport_are_drawn() {
        assert_eq!(visible_range(100_000, 0.0, 600.0), (0, 41));
        let (first, last) = visible_range(100_000, 1_500_000.0, 600.0);
        assert_eq!(first, 50_000 - OVERSCAN);
        assert!(last - first <= 21 + 2 * OVERSCAN + 1);
        assert_eq!(visible_range(5, 0.0, 600.0), (0, 5));
    }

    #[test]
    fn a_lost_packet_ends_in_a_cross_and_labels_are_escaped() {
        let lanes = vec!["sensor1".to_string(), "broker".to_string()];
        let svg = export_svg(
            &lanes,
            &[
                packet("PUBLISH q1 m1 a<b", 0, 1, false),
                packet("PUBACK m1", 1, 0, true),
            ],
            Lang::En,
        );
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.contains("PUBLISH q1 m1 a&lt;b"));
        assert_eq!(svg.matches("✕").count(), 1);
        assert!(svg.contains("class=\"arrow dropped\""));
        assert!(svg.contains(">6.450</text>"));
        assert_eq!(clip("CONNECT c1 k60 sensor1", 10), "CONNECT c…");
        assert_eq!(clip("PINGREQ", 10), "PINGREQ");
        assert_eq!(wrap("PINGREQ", 10), ("PINGREQ".into(), None));
        assert_eq!(
            wrap("PUBLISH q0 casa/terreo/temperatura", 19),
            ("PUBLISH q0 casa/".into(), Some("terreo/temperatura".into()))
        );
        assert_eq!(
            wrap("CONNECT c1 k60 pub1 will=sensor1/status", 12),
            ("CONNECT c1 ".into(), Some("k60 pub1 wi…".into()))
        );
        assert_eq!(
            wrap("ABCDEFGHIJKLMNOP", 6),
            ("ABCDEF".into(), Some("GHIJK…".into()))
        );
    }

    #[test]
    fn notes_and_packet_notes_are_drawn_in_the_pages_language() {
        use mqttlab_core::sim::note::PacketCause;
        let lanes = vec!["sensor1".to_string(), "broker".to_string()];
        let mut delayed = packet("PUBREC m1", 1, 0, false);
        delayed.fault = Some(PacketNote::cause(PacketCause::DelayedByFault {
            rule: "delay PUBREC by 5s".into(),
        }));
        let rows = [
            DiagramRow {
                time_us: 1,
                label: String::new(),
                kind: RowKind::Note {
                    lane: 0,
                    note: RowNote::Sim(Note::Healed),
                },
                fault: None,
                sent: None,
            },
            delayed,
        ];
        let pt = export_svg(&lanes, &rows, Lang::PtBr);
        assert!(pt.contains(">rede restaurada</text>"), "{pt}");
        assert!(pt.contains("atrasado pela falha &quot;delay PUBREC by 5s&quot;"));
        let en = export_svg(&lanes, &rows, Lang::En);
        assert!(en.contains(">network healed</text>"));
        assert!(en.contains("delayed by fault &quot;delay PUBREC by 5s&quot;"));
    }

    #[test]
    fn a_filtered_diagram_draws_its_lanes_side_by_side() {
        let lanes: Vec<String> = ["b", "s0", "s1", "s2"].map(String::from).to_vec();
        let (names, at) = lane_subset(&lanes, &[0, 3, 9, 3]);
        assert_eq!(names, ["b", "s2"]);
        assert_eq!(at, [Some(0), None, None, Some(1)]);
        let far = moved(&packet("PUBLISH q0 t", 3, 0, false), &at).expect("drawn");
        assert!(matches!(far.kind, RowKind::Packet { from: 1, to: 0, .. }));
        assert!(moved(&packet("PUBLISH q0 t", 1, 0, false), &at).is_none());
    }

    #[test]
    fn lanes_share_the_width_between_their_bounds() {
        assert_eq!(Geometry::fit(0.0, 3), Geometry::EXPORT);
        assert_eq!(Geometry::fit(64.0 + 3.0 * 200.0, 3).lane_width, 200.0);
        assert_eq!(Geometry::fit(340.0, 5).lane_width, MIN_LANE_WIDTH);
        assert_eq!(Geometry::fit(4000.0, 2).lane_width, MAX_LANE_WIDTH);
    }

    #[test]
    fn a_label_stays_between_two_lifelines() {
        for lane_width in [96.0, 150.0, 210.0, 280.0] {
            let g = Geometry { lane_width };
            for (from, to) in [(0, 1), (1, 0), (0, 4), (4, 0), (2, 3), (0, 3), (3, 1)] {
                let (x, room) = g.label_slot(from, to);
                let half = room as f64 * CHAR_WIDTH / 2.0;
                // No lifeline strictly inside the label's box.
                for lane in 0..5 {
                    let lx = g.lane_x(lane);
                    assert!(
                        lx <= x - half || lx >= x + half,
                        "lane {lane} at {lx} under a label of {room} chars at {x} ({from}->{to}, {lane_width})"
                    );
                }
                // And the label is over the arrow.
                let (a, b) = (g.lane_x(from.min(to)), g.lane_x(from.max(to)));
                assert!(a < x && x < b);
            }
        }
    }

    #[test]
    fn an_arrow_starts_where_its_packet_was_sent() {
        let lanes = vec!["pub".to_string(), "broker".to_string()];
        let note = DiagramRow {
            time_us: 6_002_000,
            label: String::new(),
            kind: RowKind::Note {
                lane: 0,
                note: RowNote::Sim(Note::Healed),
            },
            fault: None,
            sent: None,
        };
        let mut publish = packet("PUBLISH q0 t", 0, 1, false);
        publish.time_us = 6_003_000;
        publish.sent = Some(SentAt {
            time_us: 6_002_000,
            row: 0,
        });
        let svg = export_svg(&lanes, &[note, publish], Lang::En);
        // Row 1's arrow starts at the top of row 0 (y 3), above the note, and ends
        // in its own row (middle at 45).
        assert!(svg.contains(r#"y1="3" x2="#), "{svg}");
        // (the tip stops 2 px short of the lifeline, along the arrow)
        assert!(svg.contains(r#"y2="44.6""#), "{svg}");
        assert!(svg.contains("PUBLISH q0 t (6.002 → 6.003)"), "{svg}");
        // Only the rows in view and the arrows that start in view are drawn.
        let mut list = vec![packet("A", 0, 1, false); 30];
        list[25].sent = Some(SentAt { time_us: 0, row: 5 });
        let rows = Rows::default();
        rows.put(0, list.clone());
        assert_eq!(
            drawn_rows(&rows, 30, 0, 10),
            [(0..10).collect::<Vec<_>>(), vec![25]].concat()
        );
        assert_eq!(
            drawn_rows(&rows, 30, 10, 20),
            [(10..20).collect::<Vec<_>>(), vec![25]].concat()
        );
        assert_eq!(drawn_rows(&rows, 30, 26, 30), (26..30).collect::<Vec<_>>());
        // A window of the rows (the simulation page's): only the rows it holds.
        let window = Rows::default();
        window.put(20, list[20..].to_vec());
        assert_eq!(window.len(), 30);
        assert_eq!(window.first(), 20);
        assert!(window.get(19).is_none() && window.get(20).is_some());
        assert_eq!(
            drawn_rows(&window, 1_000, 15, 24),
            (20..24).chain([25]).collect::<Vec<_>>()
        );
        // Rows that start where the window ends extend it; others replace it.
        assert!(window.put(30, vec![packet("B", 0, 1, false)]));
        assert_eq!((window.first(), window.len()), (20, 31));
        assert!(!window.put(5, vec![packet("C", 0, 1, false)]));
        assert_eq!((window.first(), window.len()), (5, 6));
    }

    #[test]
    fn millions_of_rows_fit_the_scroll_area() {
        // Few rows: one pixel of scroll is one pixel of rows.
        assert_eq!(scroll_height(100), 3_000.0);
        let (first, last, y0) = window_at(100, 300.0, 600.0);
        assert_eq!((first, y0), (0, 0.0));
        assert!(last >= 30);
        // 3.6 million rows are 108 million pixels: spread over the cap, the top
        // shows the first row and the bottom the last.
        let total = 3_600_000;
        assert_eq!(scroll_height(total), MAX_SCROLL_PX);
        let (first, _, y0) = window_at(total, 0.0, 600.0);
        assert_eq!((first, y0), (0, 0.0));
        let (_, last, y0) = window_at(total, MAX_SCROLL_PX - 600.0, 600.0);
        assert_eq!(last, total);
        assert!(y0 <= MAX_SCROLL_PX - 600.0);
        let (first, last, _) = window_at(total, (MAX_SCROLL_PX - 600.0) / 2.0, 600.0);
        assert!(
            first.abs_diff(total / 2) < 100 && last > first,
            "{first}..{last}"
        );
    }
}
