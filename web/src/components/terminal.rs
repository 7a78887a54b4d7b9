//! A terminal per client node: type `mosquitto_pub`/`mosquitto_sub` command lines
//! with their usual flags, read what they print. Up/down walk the history; `^C`
//! (typed, Ctrl-C in the input, or the title bar's button) stops the running
//! command. As in a shell, there is no prompt while a command runs; a line typed
//! then replaces the running command (the simulator stops it first).

use std::rc::Rc;

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::i18n::{t, Lang, Text};

/// Properties of [`Terminal`].
#[derive(Properties, PartialEq)]
pub struct TerminalProps {
    /// The node whose terminal this is (the prompt shows it).
    pub node: AttrValue,
    /// What it printed (its last lines), commands included.
    pub lines: Rc<Vec<String>>,
    /// The number of the first of them among all it printed (each line's key:
    /// a line shown before is not built again).
    #[prop_or_default]
    pub first: usize,
    /// A command line was entered (`^C` for an interrupt).
    pub on_command: Callback<String>,
    /// Placeholder for the empty input.
    #[prop_or_default]
    pub placeholder: AttrValue,
    /// A command runs: no prompt, and a button to interrupt it.
    #[prop_or_default]
    pub running: bool,
    /// The language of the button and of the running placeholder.
    #[prop_or(Lang::En)]
    pub lang: Lang,
}

/// Lines a terminal shows at most.
pub const MAX_LINES: usize = 500;

/// The interrupt a terminal sends for Ctrl-C.
pub const INTERRUPT: &str = "^C";

/// One node's terminal.
#[function_component(Terminal)]
pub fn terminal(props: &TerminalProps) -> Html {
    let input = use_node_ref();
    let history = use_mut_ref(Vec::<String>::new);
    let cursor = use_mut_ref(|| 0usize);
    let screen = use_node_ref();

    // Keep the newest line in view.
    {
        let screen = screen.clone();
        use_effect_with((props.first, props.lines.len()), move |_| {
            if let Some(el) = screen.cast::<web_sys::HtmlElement>() {
                el.set_scroll_top(el.scroll_height());
            }
        });
    }

    let onkeydown = {
        let input = input.clone();
        let on_command = props.on_command.clone();
        Callback::from(move |e: KeyboardEvent| {
            let Some(el) = input.cast::<HtmlInputElement>() else {
                return;
            };
            let mut history = history.borrow_mut();
            let mut cursor = cursor.borrow_mut();
            match e.key().as_str() {
                "Enter" => {
                    let line = el.value();
                    let line = line.trim();
                    if !line.is_empty() {
                        if history.last().map(String::as_str) != Some(line) {
                            history.push(line.to_string());
                        }
                        on_command.emit(line.to_string());
                    }
                    *cursor = history.len();
                    el.set_value("");
                }
                "c" if e.ctrl_key() => {
                    e.prevent_default();
                    on_command.emit(INTERRUPT.to_string());
                    el.set_value("");
                }
                "ArrowUp" if *cursor > 0 => {
                    e.prevent_default();
                    *cursor -= 1;
                    el.set_value(&history[*cursor]);
                }
                "ArrowDown" => {
                    e.prevent_default();
                    *cursor = (*cursor + 1).min(history.len());
                    el.set_value(history.get(*cursor).map(String::as_str).unwrap_or(""));
                }
                _ => {}
            }
        })
    };

    let focus = {
        let input = input.clone();
        Callback::from(move |_| {
            if let Some(el) = input.cast::<HtmlInputElement>() {
                let _ = el.focus();
            }
        })
    };

    // A subscriber on a busy topic prints without end; the page keeps the newest
    // lines so that layout stays cheap (the trace keeps them all).
    let skip = props.lines.len().saturating_sub(MAX_LINES);
    let first = props.first + skip;
    let lines = props.lines[skip..]
        .iter()
        .enumerate()
        .map(|(i, l)| html! { <div class="line" key={first + i}>{ l }</div> })
        .collect::<Html>();
    let earlier =
        (skip > 0).then(|| html! { <div class="earlier">{ format!("… {skip} …") }</div> });

    let lang = props.lang;
    let interrupt = {
        let on_command = props.on_command.clone();
        Callback::from(move |e: MouseEvent| {
            e.stop_propagation();
            on_command.emit(INTERRUPT.to_string());
        })
    };
    let placeholder = if props.running {
        AttrValue::from(t(lang, Text::TerminalRunning))
    } else {
        props.placeholder.clone()
    };

    html! {
        <div class={classes!("terminal", props.running.then_some("running"))} data-node={props.node.clone()}
            data-running={props.running.to_string()} onclick={focus}>
            <div class="term-title">
                <span>{ format!("{}", props.node) }</span>
                if props.running {
                    <button class="interrupt" title={t(lang, Text::InterruptHelp)} onclick={interrupt}>{ "Ctrl-C" }</button>
                }
            </div>
            <div class="term-screen" ref={screen}>{ earlier.unwrap_or_default() }{ lines }</div>
            <div class="term-input">
                if !props.running {
                    <span class="prompt">{ format!("{}$", props.node) }</span>
                }
                <input ref={input} type="text" spellcheck="false" autocomplete="off"
                    aria-label={format!("terminal {}", props.node)}
                    {placeholder} {onkeydown} />
            </div>
        </div>
    }
}
