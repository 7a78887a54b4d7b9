//! Fault rules armed by hand while the world runs: the scenario language's
//! `fault` line typed into a field (`drop next PUBACK to sensor1`), suggestions
//! for the course's experiments with the world's own node names, the rules in
//! force, and why a rule typed was refused.

use std::rc::Rc;

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::i18n::{fault_left, t, Lang, Text};
use crate::sim::protocol::FaultView;

/// Properties of [`FaultRules`].
#[derive(Properties, PartialEq)]
pub struct FaultRulesProps {
    /// The language.
    pub lang: Lang,
    /// Client node names, for the suggestions.
    pub clients: Rc<Vec<String>>,
    /// Rules in force.
    pub active: Rc<Vec<FaultView>>,
    /// Why the last rule typed was refused.
    #[prop_or_default]
    pub error: Option<String>,
    /// A rule typed and armed.
    pub on_arm: Callback<String>,
}

/// Suggestions for `client`: the course's lost-acknowledgement and keepalive
/// experiments, and a slow consumer (the client stops reading for 30 s).
pub fn suggestions(client: &str) -> [String; 6] {
    [
        format!("drop next PUBACK to {client}"),
        format!("drop next PUBREC to {client}"),
        format!("drop next PUBCOMP to {client}"),
        format!("drop PINGRESP to {client} for 120s"),
        format!("duplicate next PUBLISH from {client}"),
        format!("stall {client} window 4096 for 30s"),
    ]
}

/// The fault rules panel.
#[function_component(FaultRules)]
pub fn fault_rules(props: &FaultRulesProps) -> Html {
    let lang = props.lang;
    let input = use_node_ref();
    let onsubmit = {
        let input = input.clone();
        let on_arm = props.on_arm.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Some(el) = input.cast::<HtmlInputElement>() {
                let line = el.value();
                if !line.trim().is_empty() {
                    on_arm.emit(line);
                }
            }
        })
    };
    let options = props
        .clients
        .iter()
        .take(8)
        .flat_map(|c| suggestions(c))
        .map(|s| html! { <option value={s} /> })
        .collect::<Html>();
    let active = props
        .active
        .iter()
        .map(|f| {
            let left = f.left.map(|n| format!(" {}", fault_left(lang, n)));
            html! { <li class="mono">{ &f.rule }{ left.unwrap_or_default() }</li> }
        })
        .collect::<Html>();
    html! {
        <div class="fault-rules">
            <form class="fault-form" {onsubmit} title={t(lang, Text::FaultHelp)}>
                <label for="fault">{ t(lang, Text::Faults) }</label>
                <input id="fault" ref={input} type="text" list="fault-suggestions" autocomplete="off"
                    spellcheck="false" placeholder="drop next PUBACK to sensor1"
                    class={classes!(props.error.is_some().then_some("invalid"))} />
                <datalist id="fault-suggestions">{ options }</datalist>
                <button type="submit">{ t(lang, Text::ArmFault) }</button>
            </form>
            if let Some(e) = &props.error {
                <p id="fault-error" class="verdict error" role="alert">{ e }</p>
            }
            if !props.active.is_empty() {
                <ul id="faults-active" class="faults-active">{ active }</ul>
            }
        </div>
    }
}
