//! The scenario editor: the text with line numbers and colours, errors marked on
//! their lines and listed with line and column below, and the buttons that run it.

use mqttlab_core::sim::scenario::ScenarioError;
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

use crate::components::scenario_highlight::{highlight, Span};
use crate::i18n::{scenario_error, t, Lang, Text};

/// Properties of [`ScenarioEditor`].
#[derive(Properties, PartialEq)]
pub struct ScenarioEditorProps {
    /// The language.
    pub lang: Lang,
    /// The text.
    pub source: AttrValue,
    /// Errors of the last attempt to run it.
    pub errors: Vec<ScenarioError>,
    /// The text changed.
    pub on_edit: Callback<String>,
    /// Run it (from the start).
    pub on_run: Callback<()>,
}

/// Lines coloured around the one at the top of the textarea. A long scenario is
/// plain text beyond them: the 10,000-sensor world has 10,001 lines, and
/// coloured whole they were 160,000 DOM nodes that the page built again on every
/// redraw.
const WINDOW: usize = 200;
/// The coloured lines move in steps of this many, so that scrolling redraws the
/// editor only now and then.
const STEP: usize = 50;

/// The byte where line `n` (from 0) of `text` starts, or its end.
fn line_start(text: &str, n: usize) -> usize {
    match n.checked_sub(1) {
        None => 0,
        Some(k) => text
            .match_indices('\n')
            .nth(k)
            .map_or(text.len(), |(i, _)| i + 1),
    }
}

/// The first coloured line when line `top` is at the top of the textarea: from
/// `STEP` to `2 * STEP` lines above it are coloured and `WINDOW - 2 * STEP` or
/// more from it down (the editor shows some 15 lines, 12 in presenter mode).
fn window_start(top: usize) -> usize {
    top.saturating_sub(STEP) / STEP * STEP
}

/// `text` with lines `first..first + WINDOW` coloured, under a textarea whose
/// own letters are clear; a line ends in a newline, the last one too.
fn coloured(text: &str, first: usize) -> Html {
    let (a, b) = (line_start(text, first), line_start(text, first + WINDOW));
    let lines = text[a..b]
        .split_inclusive('\n')
        .map(|line| {
            let body = line.strip_suffix('\n').unwrap_or(line);
            let pieces = highlight(body)
                .into_iter()
                .map(|(span, text)| match span {
                    Span::Plain => html! { { text } },
                    _ => html! { <span class={span.class()}>{ text }</span> },
                })
                .collect::<Html>();
            html! { <>{ pieces }{ "\n" }</> }
        })
        .collect::<Html>();
    html! { <>{ &text[..a] }{ lines }{ format!("{}\n", &text[b..]) }</> }
}

/// Line numbers 1 to `lines`, one a line; the lines in `bad` (sorted) marked.
fn numbers(lines: usize, bad: &[usize]) -> Html {
    let mut out = Vec::new();
    let mut run = String::new();
    for n in 1..=lines {
        if bad.binary_search(&n).is_ok() {
            out.push(html! { { std::mem::take(&mut run) } });
            out.push(html! { <span class="err">{ n }</span> });
            run.push('\n');
        } else {
            run.push_str(&format!("{n}\n"));
        }
    }
    out.push(html! { { run } });
    out.into_iter().collect()
}

/// The editor.
#[function_component(ScenarioEditor)]
pub fn scenario_editor(props: &ScenarioEditorProps) -> Html {
    let lang = props.lang;
    let gutter = use_node_ref();
    let colours = use_node_ref();
    let first = use_state_eq(|| 0usize);
    let lines = props.source.lines().count().max(1);
    let oninput = props
        .on_edit
        .reform(|e: InputEvent| e.target_unchecked_into::<HtmlTextAreaElement>().value());
    let onscroll = {
        let gutter = gutter.clone();
        let colours = colours.clone();
        let first = first.clone();
        Callback::from(move |e: Event| {
            let area = e.target_unchecked_into::<HtmlTextAreaElement>();
            if let Some(g) = gutter.cast::<web_sys::HtmlElement>() {
                g.set_scroll_top(area.scroll_top());
            }
            if let Some(c) = colours.cast::<web_sys::HtmlElement>() {
                c.set_scroll_top(area.scroll_top());
                c.set_scroll_left(area.scroll_left());
            }
            let pitch = f64::from(area.scroll_height().max(1)) / lines as f64;
            first.set(window_start(
                (f64::from(area.scroll_top()) / pitch) as usize,
            ));
        })
    };
    let mut bad: Vec<usize> = props.errors.iter().map(|e| e.line).collect();
    bad.sort_unstable();
    let numbers = use_memo((lines, bad), |(lines, bad)| numbers(*lines, bad));
    let coloured = use_memo((props.source.clone(), *first), |(text, first)| {
        coloured(text, *first)
    });
    let errors = props
        .errors
        .iter()
        .map(|e| html! { <li>{ format!("{} {}, {} {}: {}", t(lang, Text::Line), e.line, t(lang, Text::Column), e.column, scenario_error(lang, e)) }</li> })
        .collect::<Html>();
    let run = props.on_run.reform(|_: MouseEvent| ());
    html! {
        <div class="scenario-editor">
            <div class="editor-body">
                <div class="gutter" ref={gutter} aria-hidden="true">{ (*numbers).clone() }</div>
                <div class="code">
                    <pre class="colours" ref={colours} aria-hidden="true">{ (*coloured).clone() }</pre>
                    <textarea id="scenario" spellcheck="false" wrap="off" value={props.source.clone()}
                        aria-label={t(lang, Text::Scenario)} {oninput} {onscroll} />
                </div>
            </div>
            if !props.errors.is_empty() {
                <ul id="scenario-errors" class="errors" role="alert">{ errors }</ul>
            }
            <button id="run-scenario" class="primary" onclick={run}>{ t(lang, Text::RunScenario) }</button>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_starts_and_the_coloured_window() {
        let text = "a\nbb\n\nccc";
        assert_eq!(line_start(text, 0), 0);
        assert_eq!(line_start(text, 1), 2);
        assert_eq!(line_start(text, 2), 5);
        assert_eq!(line_start(text, 3), 6);
        assert_eq!(line_start(text, 4), text.len());
        assert_eq!(line_start(text, 99), text.len());
        // The line at the top is coloured, with a step or more above it and
        // the rest of the window below.
        for top in [0, 1, 49, 50, 99, 100, 5_000, 10_000] {
            let first = window_start(top);
            assert_eq!(first % STEP, 0);
            assert!(first <= top && (top < STEP || top - first >= STEP), "{top}");
            assert!(first + WINDOW >= top + WINDOW - 2 * STEP, "{top}");
        }
    }
}
