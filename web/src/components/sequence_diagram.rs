//! The sequence diagram: one lifeline per broker and client, one row per packet or
//! note, like Wireshark's Flow Graph. Lost packets end in an ✕ halfway, as the course
//! text draws them (`X--------`); DUP resends and injected faults are marked; timers
//! (keepalive, ack timeouts) are notes on their lifeline.
//!
//! Only the rows in view are drawn, so 100,000 packets scroll as smoothly as ten:
//! the scroll area is as tall as all rows, and one small SVG moves inside it.

use std::cell::{Ref, RefCell};
use std::rc::Rc;

use web_sys::HtmlElement;
use yew::prelude::*;

use mqttlab_core::sim::note::{FaultEvent, Note, PacketNote};

use crate::i18n::{packet_note, row_note, Lang};

/// Height of one row, in CSS pixels.
pub const ROW_HEIGHT: f64 = 30.0;
/// Width of the time column on the left.
pub const TIME_WIDTH: f64 = 86.0;
/// Horizontal room per lifeline.
pub const LANE_WIDTH: f64 = 210.0;
/// Rows drawn above and below the visible ones, so a fast scroll shows no gap.
const OVERSCAN: usize = 10;

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
}

/// Diagram rows shared between whoever appends them and the diagram, which reads
/// only the rows in view: a frame copies nothing, however long the run.
#[derive(Debug, Clone, Default)]
pub struct Rows(Rc<RefCell<Vec<DiagramRow>>>);

impl Rows {
    /// Appends a row.
    pub fn push(&self, row: DiagramRow) {
        self.0.borrow_mut().push(row);
    }
    /// How many rows there are.
    pub fn len(&self) -> usize {
        self.0.borrow().len()
    }
    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Reads the rows.
    pub fn borrow(&self) -> Ref<'_, Vec<DiagramRow>> {
        self.0.borrow()
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

fn lane_x(lane: usize) -> f64 {
    TIME_WIDTH + LANE_WIDTH * (lane as f64 + 0.5)
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

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The SVG markup of one row at vertical offset `y` (shared by the live view and
/// the export, so both draw the same thing).
fn row_svg(row: &DiagramRow, y: f64, lanes: usize, selected: bool, lang: Lang) -> String {
    let mid = y + ROW_HEIGHT / 2.0;
    let mut s = String::new();
    if selected {
        s += &format!(
            r#"<rect class="sel" x="0" y="{y}" width="{}" height="{ROW_HEIGHT}"/>"#,
            TIME_WIDTH + LANE_WIDTH * lanes as f64
        );
    }
    s += &format!(
        r#"<text class="time" x="6" y="{}">{}</text>"#,
        mid + 4.0,
        format_time(row.time_us)
    );
    match &row.kind {
        RowKind::Packet {
            from,
            to,
            dropped,
            dup,
        } => {
            let (x1, x2) = (lane_x(*from), lane_x(*to));
            let dir = if x2 >= x1 { 1.0 } else { -1.0 };
            let class = match (dropped, dup) {
                (true, _) => "arrow dropped",
                (false, true) => "arrow dup",
                _ => "arrow",
            };
            if *dropped {
                let xe = x1 + (x2 - x1) * 0.55;
                s += &format!(
                    r#"<line class="{class}" x1="{x1}" y1="{mid}" x2="{xe}" y2="{mid}"/><text class="lost" x="{xe}" y="{}" text-anchor="middle">✕</text>"#,
                    mid + 5.0
                );
            } else {
                let tip = x2 - dir * 2.0;
                s += &format!(
                    r#"<line class="{class}" x1="{x1}" y1="{mid}" x2="{tip}" y2="{mid}"/><path class="{class} head" d="M{tip},{mid} l{},-4 l0,8 z"/>"#,
                    -dir * 8.0
                );
            }
            let lx = (x1 + x2) / 2.0;
            // Long labels (a CONNECT with a will) are cut to the arrow's span; the
            // whole label is the tooltip and the inspector shows every field.
            let room = (((x2 - x1).abs() + LANE_WIDTH * 0.5) / CHAR_WIDTH) as usize;
            let shown = clip(&row.label, room.max(8));
            s += &format!(
                r#"<g><title>{}</title><text class="label" x="{lx}" y="{}" text-anchor="middle">{}</text></g>"#,
                escape(&row.label),
                mid - 4.0,
                escape(&shown)
            );
            if let Some(fault) = &row.fault {
                s += &format!(
                    r#"<text class="fault" x="{lx}" y="{}" text-anchor="middle">{}</text>"#,
                    mid + 11.0,
                    escape(&packet_note(lang, fault))
                );
            }
        }
        RowKind::Note { lane, note } => {
            let x = lane_x(*lane);
            // Notes on the rightmost lifeline read leftwards, so they stay in view.
            let (tx, anchor) = if *lane + 1 == lanes && lanes > 1 {
                (x - 8.0, "end")
            } else {
                (x + 8.0, "start")
            };
            s += &format!(
                r#"<circle class="note-dot" cx="{x}" cy="{mid}" r="4"/><text class="note" x="{tx}" y="{}" text-anchor="{anchor}">{}</text>"#,
                mid + 4.0,
                escape(&row_note(lang, note))
            );
        }
    }
    s
}

fn lifelines_svg(lanes: usize, top: f64, bottom: f64) -> String {
    (0..lanes)
        .map(|i| {
            let x = lane_x(i);
            format!(r#"<line class="lifeline" x1="{x}" y1="{top}" x2="{x}" y2="{bottom}"/>"#)
        })
        .collect()
}

/// The whole diagram as a standalone SVG document, for "export as SVG".
pub fn export_svg(lanes: &[String], rows: &[DiagramRow], lang: Lang) -> String {
    let width = TIME_WIDTH + LANE_WIDTH * lanes.len() as f64;
    let head = 34.0;
    let height = head + ROW_HEIGHT * rows.len() as f64 + 10.0;
    let mut s = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="DejaVu Sans Mono, monospace" font-size="12"><style>{}</style><rect width="100%" height="100%" fill="#fff"/>"##,
        EXPORT_STYLE
    );
    for (i, name) in lanes.iter().enumerate() {
        s += &format!(
            r#"<text class="lane" x="{}" y="20" text-anchor="middle">{}</text>"#,
            lane_x(i),
            escape(name)
        );
    }
    s += &lifelines_svg(lanes.len(), head - 6.0, height);
    for (i, row) in rows.iter().enumerate() {
        s += &row_svg(row, head + ROW_HEIGHT * i as f64, lanes.len(), false, lang);
    }
    s += "</svg>";
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
}

/// The live, virtualized diagram.
#[function_component(SequenceDiagram)]
pub fn sequence_diagram(props: &SequenceDiagramProps) -> Html {
    let scroller = use_node_ref();
    let heads_ref = use_node_ref();
    let scroll_top = use_state(|| 0.0f64);
    let viewport = use_state(|| 480.0f64);
    // Follow the live end until the student scrolls up; scrolling back down resumes.
    let follow = use_mut_ref(|| true);
    // Where following last scrolled to: the scroll event that move causes is not
    // the student scrolling up, even if rows arrived in between.
    let auto_top = use_mut_ref(|| None::<i32>);

    let total = props.len.min(props.rows.len());
    let full_height = ROW_HEIGHT * total as f64;

    {
        let scroller = scroller.clone();
        let follow = follow.clone();
        let scroll_top = scroll_top.clone();
        let viewport = viewport.clone();
        let auto_top = auto_top.clone();
        use_effect_with(total, move |_| {
            if let Some(el) = scroller.cast::<HtmlElement>() {
                viewport.set(el.client_height() as f64);
                if *follow.borrow() {
                    let bottom = (el.scroll_height() - el.client_height()).max(0);
                    *auto_top.borrow_mut() = Some(bottom);
                    el.set_scroll_top(bottom);
                    scroll_top.set(bottom as f64);
                }
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
        Callback::from(move |_: Event| {
            if let Some(el) = scroller.cast::<HtmlElement>() {
                let top = el.scroll_top() as f64;
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

    let lanes = props.lanes.len().max(1);
    let width = TIME_WIDTH + LANE_WIDTH * lanes as f64;
    let (first, last) = visible_range(total, *scroll_top, *viewport);
    let y0 = ROW_HEIGHT * first as f64;
    let window_height = ROW_HEIGHT * (last - first) as f64;

    let mut inner = lifelines_svg(lanes, 0.0, window_height);
    for (k, row) in props.rows.borrow()[first..last].iter().enumerate() {
        let i = first + k;
        inner += &row_svg(
            row,
            ROW_HEIGHT * k as f64,
            lanes,
            props.selected == Some(i),
            props.lang,
        );
    }
    let svg = Html::from_html_unchecked(AttrValue::from(format!(
        r#"<svg class="seq-rows" width="{width}" height="{window_height}" style="transform: translateY({y0}px)">{inner}</svg>"#
    )));

    let onclick = {
        let on_select = props.on_select.clone();
        let scroller = scroller.clone();
        Callback::from(move |e: MouseEvent| {
            if let Some(el) = scroller.cast::<HtmlElement>() {
                let rect = el.get_bounding_client_rect();
                let y = e.client_y() as f64 - rect.top() + el.scroll_top() as f64;
                let i = (y / ROW_HEIGHT).floor();
                if i >= 0.0 && (i as usize) < total {
                    on_select.emit(i as usize);
                }
            }
        })
    };

    let heads = props
        .lanes
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let style = format!(
                "left: {}px; width: {LANE_WIDTH}px",
                lane_x(i) - LANE_WIDTH / 2.0
            );
            html! { <div class="lane-head" {style} title={name.clone()}>{ name }</div> }
        })
        .collect::<Html>();

    html! {
        <div class="sequence-diagram" data-rows={total.to_string()}>
            <div class="lane-heads" ref={heads_ref} style={format!("width: {width}px")}>{ heads }</div>
            <div class="seq-scroll" ref={scroller} {onscroll} {onclick}>
                <div class="seq-spacer" style={format!("height: {full_height}px; width: {width}px")}>
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
}
