//! The timeline under the time controls: the run from 0 to now, its notable
//! moments marked (connections, kills, fault rules, wills, expectations), and a
//! slider that shows the whole world as it was at any moment (the worker
//! rebuilds it from a checkpoint; the figure says how long that took).

use std::rc::Rc;

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::components::sequence_diagram::format_time;
use crate::hooks::use_window_resize::use_window_resize;
use crate::i18n::{count, mark_class, mark_text, tl, Lang, Noun, Tl};
use crate::sim::protocol::MarkView;

/// Marks drawn at most: one per slot and kind, so a world of thousands of
/// sensors connecting draws a band, not thousands of buttons.
pub const MARK_SLOTS: u64 = 300;

/// The width of a mark's button, in CSS pixels (0.9rem): marks closer than this
/// along the track go on rows above one another.
pub const MARK_WIDTH_PX: f64 = 14.4;

/// Rows of marks at most; a mark that finds no free row goes on the top one.
pub const MARK_ROWS: usize = 3;

/// The track's width in CSS pixels before it has been measured.
const TRACK_PX_GUESS: f64 = 1000.0;

/// Properties of [`Timeline`].
#[derive(Properties, PartialEq)]
pub struct TimelineProps {
    /// The language.
    pub lang: Lang,
    /// The live world's time, µs.
    pub now_us: u64,
    /// The marks so far.
    pub marks: Rc<Vec<MarkView>>,
    /// The moment shown, if scrubbed (µs).
    pub at_us: Option<u64>,
    /// How long the last moment took to show (ms), and the events replayed.
    #[prop_or_default]
    pub took: Option<(f64, u64)>,
    /// Show the world at this time.
    pub on_scrub: Callback<u64>,
    /// Back to now.
    pub on_live: Callback<()>,
}

/// Each kind of mark (its class, as [`mark_class`] names it), the glyph it is
/// drawn with and its name in the legend, in the legend's order. Glyphs from
/// the basic shapes every font has (Debian's Chromium has no emoji font).
pub const MARK_KINDS: [(&str, &str, Tl); 7] = [
    ("connect", "▲", Tl::MarkConnect),
    ("refused", "✕", Tl::MarkRefused),
    ("event", "▼", Tl::MarkEvent),
    ("fault", "◆", Tl::MarkFault),
    ("will", "●", Tl::MarkWill),
    ("expect-ok", "✓", Tl::MarkExpectOk),
    ("expect-fail", "✗", Tl::MarkExpectFail),
];

/// The glyph of a mark's class.
pub fn mark_glyph(class: &str) -> &'static str {
    MARK_KINDS
        .iter()
        .find(|(c, _, _)| *c == class)
        .map_or("|", |(_, g, _)| *g)
}

/// The marks worth a button: the first of each kind in each slot.
pub fn thinned(marks: &[MarkView], now_us: u64) -> Vec<&MarkView> {
    let span = now_us.max(1);
    let mut seen = std::collections::BTreeSet::new();
    marks
        .iter()
        .filter(|m| m.time_us <= now_us)
        .filter(|m| seen.insert((m.time_us * MARK_SLOTS / span, mark_class(&m.kind))))
        .collect()
}

/// The row each mark goes on (0: on the axis, 1 above it...), given the
/// track's width in pixels: in time order, each takes the lowest row where it
/// clears the mark before it by a button's width, so that marks a millisecond
/// apart (a kill and the will it sends) stand one above the other, each
/// visible and clickable.
pub fn stack(times_us: &[u64], now_us: u64, track_px: f64) -> Vec<usize> {
    let span = now_us.max(1) as f64;
    let mut right = [f64::NEG_INFINITY; MARK_ROWS];
    times_us
        .iter()
        .map(|&t| {
            let x = t as f64 * track_px / span;
            let row = right
                .iter()
                .position(|&r| x - r >= MARK_WIDTH_PX)
                .unwrap_or(MARK_ROWS - 1);
            right[row] = x;
            row
        })
        .collect()
}

/// The timeline.
#[function_component(Timeline)]
pub fn timeline(props: &TimelineProps) -> Html {
    let lang = props.lang;
    let now = props.now_us;
    let span = now.max(1) as f64;
    // The marks' track, measured (and again when the window changes size).
    let track = use_node_ref();
    let track_px = use_state(|| 0.0f64);
    {
        let track = track.clone();
        let track_px = track_px.clone();
        use_window_resize(move || {
            if let Some(el) = track.cast::<web_sys::HtmlElement>() {
                let w = f64::from(el.client_width());
                if w > 0.0 && w != *track_px {
                    track_px.set(w);
                }
            }
        });
    }
    let on_input = {
        let cb = props.on_scrub.clone();
        Callback::from(move |e: InputEvent| {
            let v = e.target_unchecked_into::<HtmlInputElement>().value();
            if let Ok(us) = v.parse::<f64>() {
                cb.emit(us.max(0.0) as u64);
            }
        })
    };
    let shown = thinned(&props.marks, now);
    let times: Vec<u64> = shown.iter().map(|m| m.time_us).collect();
    let px = if *track_px > 0.0 {
        *track_px
    } else {
        TRACK_PX_GUESS
    };
    let rows = stack(&times, now, px);
    let mark_rows = rows.iter().max().map_or(1, |r| r + 1);
    let marks = shown
        .into_iter()
        .zip(rows)
        .map(|(m, row)| {
            let style = format!(
                "left: {:.3}%; --row: {row}",
                m.time_us as f64 * 100.0 / span
            );
            let title = format!("{} s: {}", format_time(m.time_us), mark_text(lang, &m.kind));
            let cb = props.on_scrub.clone();
            let t = m.time_us;
            let class = mark_class(&m.kind);
            html! {
                <button class={classes!("mark", class)} {style} {title} data-row={row.to_string()}
                    data-time={t.to_string()} aria-label={mark_text(lang, &m.kind)}
                    onclick={Callback::from(move |_: MouseEvent| cb.emit(t))}>
                    <span class="glyph" aria-hidden="true">{ mark_glyph(class) }</span>
                </button>
            }
        })
        .collect::<Html>();
    // The legend names the kinds this run has marks of.
    let present: std::collections::BTreeSet<&str> =
        props.marks.iter().map(|m| mark_class(&m.kind)).collect();
    let legend = MARK_KINDS
        .iter()
        .filter(|(c, _, _)| present.contains(c))
        .map(|(class, glyph, name)| {
            html! {
                <li class={classes!("legend-item", *class)}>
                    <span class="glyph" aria-hidden="true">{ *glyph }</span>{ format!(" {}", tl(lang, *name)) }
                </li>
            }
        })
        .collect::<Html>();
    let value = props.at_us.unwrap_or(now).min(now);
    let live = props.on_live.reform(|_: MouseEvent| ());
    html! {
        <div class={classes!("timeline", props.at_us.is_some().then_some("scrubbed"))} id="timeline"
            data-now={now.to_string()}>
            <span class="timeline-label">{ tl(lang, Tl::Timeline) }</span>
            <div class="timeline-track" style={format!("--mark-rows: {mark_rows}")}>
                <div class="timeline-marks" ref={track}>{ marks }</div>
                <input id="scrub" type="range" min="0" max={now.to_string()} step="1000"
                    value={value.to_string()} title={tl(lang, Tl::ScrubHelp)}
                    aria-label={tl(lang, Tl::Timeline)} oninput={on_input} />
            </div>
            if let Some(at) = props.at_us {
                <span id="scrub-at" class="scrub-at" data-at={at.to_string()}>
                    { format!("{} {} s", tl(lang, Tl::Showing), format_time(at)) }
                    if let Some((ms, events)) = props.took {
                        <span id="scrub-took" class="took" data-ms={format!("{ms:.1}")}>
                            { format!(" · {} {ms:.0} ms ({})", tl(lang, Tl::RebuiltIn), count(lang, events, Noun::EventReplayed)) }
                        </span>
                    }
                </span>
                <button id="live" onclick={live}>{ tl(lang, Tl::BackToLive) }</button>
            }
            if !present.is_empty() {
                <ul class="timeline-legend" aria-label={tl(lang, Tl::Legend)}>{ legend }</ul>
            }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mqttlab_core::sim::marks::MarkKind;

    fn connect(t: u64, node: &str) -> MarkView {
        MarkView {
            time_us: t,
            kind: MarkKind::Connected { node: node.into() },
        }
    }

    #[test]
    fn marks_are_thinned_per_slot_and_kind_but_never_dropped_across_kinds() {
        let mut marks: Vec<MarkView> = (0..1000).map(|i| connect(i, &format!("s{i}"))).collect();
        marks.push(MarkView {
            time_us: 500,
            kind: MarkKind::Fault {
                label: "drop next PUBACK".into(),
            },
        });
        let shown = thinned(&marks, 300_000);
        // 1000 connections within the first 1 ms of a 300 ms run: one slot.
        assert_eq!(shown.len(), 2);
        let spread: Vec<MarkView> = (0..1000).map(|i| connect(i * 300, "s")).collect();
        assert_eq!(thinned(&spread, 300_000).len(), MARK_SLOTS as usize);
        // A mark past now (a scrubbed-back view keeps them) is not drawn.
        assert!(thinned(&[connect(10, "a")], 5).is_empty());
    }

    #[test]
    fn marks_closer_than_a_button_stack_and_others_stay_on_the_axis() {
        // A 45 s run on a 1000 px track: 1 px is 45 ms.
        let now = 45_000_000;
        // The kill at 35.600 s and its will a millisecond later stand one
        // above the other; a connect far before stays on the axis.
        assert_eq!(
            stack(&[6_500_000, 35_600_000, 35_601_000], now, 1000.0),
            [0, 0, 1]
        );
        // A third mark on the same spot goes a row higher; a fourth has no
        // row left and shares the top one.
        assert_eq!(stack(&[10, 20, 30, 40], now, 1000.0), [0, 1, 2, 2]);
        // Once past a button's width, the axis is free again.
        let apart = (MARK_WIDTH_PX * 45_000.0) as u64 + 1;
        assert_eq!(stack(&[0, 1_000, apart], now, 1000.0), [0, 1, 0]);
        // The same marks on a phone's narrower track need more rows.
        let times = [0, 700_000, 1_400_000];
        assert_eq!(stack(&times, now, 1000.0), [0, 0, 0]);
        assert_eq!(stack(&times, now, 300.0), [0, 1, 2]);
    }

    #[test]
    fn every_kind_of_mark_has_a_glyph_and_a_name_in_both_languages() {
        let kinds = [
            MarkKind::Connected { node: "a".into() },
            MarkKind::Refused { node: "a".into() },
            MarkKind::Event {
                node: "a".into(),
                note: mqttlab_core::sim::note::Note::Killed,
            },
            MarkKind::Fault { label: "x".into() },
            MarkKind::Will {
                broker: "b".into(),
                client: "a".into(),
                published: true,
            },
            MarkKind::Expectation {
                index: 0,
                text: "t".into(),
                passed: true,
            },
            MarkKind::Expectation {
                index: 0,
                text: "t".into(),
                passed: false,
            },
        ];
        let mut glyphs = std::collections::BTreeSet::new();
        for k in &kinds {
            let g = mark_glyph(mark_class(k));
            assert_ne!(g, "|", "{k:?}");
            glyphs.insert(g);
        }
        assert_eq!(glyphs.len(), kinds.len(), "one glyph per kind");
        for (_, _, name) in MARK_KINDS {
            assert_ne!(tl(Lang::En, name), tl(Lang::PtBr, name));
        }
    }
}
