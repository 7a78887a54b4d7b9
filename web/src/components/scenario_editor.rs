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

/// The editor.
#[function_component(ScenarioEditor)]
pub fn scenario_editor(props: &ScenarioEditorProps) -> Html {
    let lang = props.lang;
    let gutter = use_node_ref();
    let colours = use_node_ref();
    let oninput = props
        .on_edit
        .reform(|e: InputEvent| e.target_unchecked_into::<HtmlTextAreaElement>().value());
    let onscroll = {
        let gutter = gutter.clone();
        let colours = colours.clone();
        Callback::from(move |e: Event| {
            let area = e.target_unchecked_into::<HtmlTextAreaElement>();
            if let Some(g) = gutter.cast::<web_sys::HtmlElement>() {
                g.set_scroll_top(area.scroll_top());
            }
            if let Some(c) = colours.cast::<web_sys::HtmlElement>() {
                c.set_scroll_top(area.scroll_top());
                c.set_scroll_left(area.scroll_left());
            }
        })
    };
    let lines = props.source.lines().count().max(1);
    let numbers = (1..=lines)
        .map(|n| {
            let bad = props.errors.iter().any(|e| e.line == n);
            html! { <div class={classes!(bad.then_some("err"))}>{ n }</div> }
        })
        .collect::<Html>();
    // The same text, coloured, under a textarea whose own letters are clear.
    let coloured = props
        .source
        .split('\n')
        .map(|line| {
            let pieces = highlight(line)
                .into_iter()
                .map(|(span, text)| match span {
                    Span::Plain => html! { { text } },
                    _ => html! { <span class={span.class()}>{ text }</span> },
                })
                .collect::<Html>();
            html! { <>{ pieces }{ "\n" }</> }
        })
        .collect::<Html>();
    let errors = props
        .errors
        .iter()
        .map(|e| html! { <li>{ format!("{} {}, {} {}: {}", t(lang, Text::Line), e.line, t(lang, Text::Column), e.column, scenario_error(lang, e)) }</li> })
        .collect::<Html>();
    let run = props.on_run.reform(|_: MouseEvent| ());
    html! {
        <div class="scenario-editor">
            <div class="editor-body">
                <div class="gutter" ref={gutter} aria-hidden="true">{ numbers }</div>
                <div class="code">
                    <pre class="colours" ref={colours} aria-hidden="true">{ coloured }</pre>
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
