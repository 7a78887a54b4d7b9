//! "What if": the panel that branches the run at a moment with one thing
//! changed, and the two runs side by side, the first difference marked.

use std::rc::Rc;

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::components::sequence_diagram::{format_time, Rows, SequenceDiagram};
use crate::components::world_view::{control_help, control_label};
use crate::i18n::{change_text, t, tl, Lang, Tl};
use crate::session::Control;
use crate::sim::protocol::{
    Change, FaultView, ForkSide, ForkSpec, ForkView, LinkSettings, NodeCard, NodeRole,
};

/// How far past the fork both runs go when the live run has not gone further.
pub const FORK_HORIZON_US: u64 = 10_000_000;

/// The controls a fork can press on a node, in the order offered.
const CONTROLS: [Control; 6] = [
    Control::Disconnect,
    Control::Kill,
    Control::HalfOpen,
    Control::Partition,
    Control::Heal,
    Control::Restart,
];

/// What the student picked in the change list, with the argument typed.
fn change_of(kind: &str, node: &str, arg: &str, link: Option<LinkSettings>) -> Option<Change> {
    let node = node.to_string();
    let number = || {
        arg.trim()
            .replace(',', ".")
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite() && *x >= 0.0)
    };
    let link = link.unwrap_or(LinkSettings {
        latency_ms: 0,
        loss_pct: 0.0,
    });
    Some(match kind {
        "command" => Change::Command {
            node,
            line: arg.trim().to_string(),
        },
        "loss" => Change::SetLink {
            node,
            settings: LinkSettings {
                loss_pct: number()?.min(100.0),
                ..link
            },
        },
        "latency" => Change::SetLink {
            node,
            settings: LinkSettings {
                latency_ms: number()?.round() as u64,
                ..link
            },
        },
        "add-fault" => Change::Fault {
            line: arg.trim().to_string(),
        },
        "remove-fault" => Change::RemoveFault {
            rule: arg.trim().to_string(),
        },
        word => Change::Control {
            node,
            control: Control::from_word(word)?,
        },
    })
}

/// Properties of [`ForkPanel`].
#[derive(Properties, PartialEq)]
pub struct ForkPanelProps {
    /// The language.
    pub lang: Lang,
    /// Where the fork would part, µs (the moment shown).
    pub at_us: u64,
    /// The live world's time, µs.
    pub now_us: u64,
    /// The nodes (as the moment shows them).
    pub nodes: Rc<Vec<NodeCard>>,
    /// The fault rules in force (to take one away).
    pub faults: Rc<Vec<FaultView>>,
    /// A fork was asked for and has not come back.
    pub forking: bool,
    /// Fork.
    pub on_fork: Callback<ForkSpec>,
}

/// The fork panel.
#[function_component(ForkPanel)]
pub fn fork_panel(props: &ForkPanelProps) -> Html {
    let lang = props.lang;
    let node_ref = use_node_ref();
    let kind_ref = use_node_ref();
    let arg_ref = use_node_ref();
    let instead_ref = use_node_ref();
    let picked = use_state(|| None::<(String, String)>);
    let onsubmit = {
        let (node_ref, kind_ref, arg_ref, instead_ref) = (
            node_ref.clone(),
            kind_ref.clone(),
            arg_ref.clone(),
            instead_ref.clone(),
        );
        let nodes = props.nodes.clone();
        let on_fork = props.on_fork.clone();
        let (at_us, now_us) = (props.at_us, props.now_us);
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let value = |r: &NodeRef| {
                r.cast::<HtmlSelectElement>()
                    .map(|s| s.value())
                    .or_else(|| r.cast::<HtmlInputElement>().map(|i| i.value()))
                    .unwrap_or_default()
            };
            let node = value(&node_ref);
            let link = nodes
                .iter()
                .find(|n| n.name == node)
                .and_then(|n| match n.role {
                    NodeRole::Client { link, .. } => Some(link),
                    NodeRole::Broker => None,
                });
            let Some(change) = change_of(&value(&kind_ref), &node, &value(&arg_ref), link) else {
                return;
            };
            let instead = instead_ref
                .cast::<HtmlInputElement>()
                .is_some_and(|i| i.checked());
            let mut changes = Vec::new();
            if instead {
                changes.push(Change::Instead);
            }
            changes.push(change);
            on_fork.emit(ForkSpec {
                at_us,
                changes,
                until_us: now_us.max(at_us + FORK_HORIZON_US),
            });
        })
    };
    let nodes = props
        .nodes
        .iter()
        .map(|n| html! { <option value={n.name.clone()}>{ &n.name }</option> })
        .collect::<Html>();
    let controls = CONTROLS
        .iter()
        .map(|c| html! { <option value={c.word()}>{ t(lang, control_label(*c)) }</option> })
        .collect::<Html>();
    // What the chosen control does to the chosen node's program (Ctrl-C is not
    // the same for every tool), once the student has picked them (before that
    // the selects may show what the browser restored, not what was rendered).
    let what = (*picked)
        .as_ref()
        .map(|(node, kind)| (node.as_str(), kind.as_str()))
        .and_then(|(node, kind)| {
            let control = Control::from_word(kind)?;
            let card = props.nodes.iter().find(|n| n.name == node)?;
            Some(t(lang, control_help(control, card.ctrl_c)))
        });
    let on_pick = {
        let (node_ref, kind_ref, picked) = (node_ref.clone(), kind_ref.clone(), picked.clone());
        Callback::from(move |_: Event| {
            let value = |r: &NodeRef| {
                r.cast::<HtmlSelectElement>()
                    .map(|s| s.value())
                    .unwrap_or_default()
            };
            picked.set(Some((value(&node_ref), value(&kind_ref))));
        })
    };
    let faults = props
        .faults
        .iter()
        .map(|f| html! { <option value={f.rule.clone()} /> })
        .collect::<Html>();
    html! {
        <div class="panel fork-panel" id="fork-panel">
            <h3>{ tl(lang, Tl::WhatIf) }</h3>
            <p class="help">{ tl(lang, Tl::WhatIfHelp) }</p>
            <form class="fork-form" {onsubmit}>
                <span id="fork-at" data-at={props.at_us.to_string()}>
                    { format!("{} {} s", tl(lang, Tl::ForkAt), format_time(props.at_us)) }
                </span>
                <select id="fork-node" ref={node_ref} onchange={on_pick.clone()}>{ nodes }</select>
                <select id="fork-change" ref={kind_ref} onchange={on_pick}>
                    { controls }
                    <option value="command">{ tl(lang, Tl::ChangeCommand) }</option>
                    <option value="loss">{ tl(lang, Tl::ChangeLoss) }</option>
                    <option value="latency">{ tl(lang, Tl::ChangeLatency) }</option>
                    <option value="add-fault">{ tl(lang, Tl::ChangeAddFault) }</option>
                    <option value="remove-fault">{ tl(lang, Tl::ChangeRemoveFault) }</option>
                </select>
                <input id="fork-arg" ref={arg_ref} type="text" list="fork-faults"
                    placeholder={tl(lang, Tl::Argument)} />
                <datalist id="fork-faults">{ faults }</datalist>
                <label class="instead" title={tl(lang, Tl::InsteadHelp)}>
                    <input id="fork-instead" ref={instead_ref} type="checkbox" />
                    { tl(lang, Tl::Instead) }
                </label>
                <button id="fork-run" type="submit" class="primary" disabled={props.forking}>
                    { tl(lang, Tl::Fork) }
                </button>
                if props.forking {
                    <span class="busy" role="status">{ tl(lang, Tl::Forking) }</span>
                }
            </form>
            if let Some(what) = what {
                <p class="help" id="fork-what">{ what }</p>
            }
        </div>
    }
}

/// Properties of [`ForkResult`].
#[derive(Properties, PartialEq)]
pub struct ForkResultProps {
    /// The language.
    pub lang: Lang,
    /// The fork, or why it failed.
    pub fork: Rc<Result<ForkView, String>>,
    /// A link to it, where the page can make one.
    #[prop_or_default]
    pub link: Option<String>,
    /// Close it.
    pub on_close: Callback<()>,
}

fn side(lang: Lang, id: &'static str, heading: Html, s: &ForkSide) -> Html {
    let rows = Rows::default();
    for r in &s.rows {
        rows.push(r.clone());
    }
    let len = s.rows.len();
    let expects = s
        .expects
        .iter()
        .map(|e| {
            let (class, mark) = if e.passed {
                ("ok", "✓")
            } else {
                ("fail", "✗")
            };
            html! {
                <li class={classes!("expect", class)} title={e.detail.clone()}>
                    <span class="mark">{ mark }</span>{ format!(" {}", e.text) }
                </li>
            }
        })
        .collect::<Html>();
    let wills = if s.wills.is_empty() {
        html! { <li class="will none">{ tl(lang, Tl::NoWill) }</li> }
    } else {
        s.wills
            .iter()
            .map(|(client, published)| {
                let (class, text) = if *published {
                    ("published", tl(lang, Tl::WillPublished))
                } else {
                    ("discarded", tl(lang, Tl::WillDiscarded))
                };
                html! { <li class={classes!("will", class)}>{ format!("{client}: {text}") }</li> }
            })
            .collect::<Html>()
    };
    html! {
        <div class="fork-side panel" id={id} data-parts-at={s.parts_at.map(|i| i.to_string())}>
            <h3>{ heading }</h3>
            <SequenceDiagram lanes={Rc::new(s.lanes.clone())} {rows} {len} follow={false}
                marked={s.parts_at} {lang} />
            <ul class="wills">{ wills }</ul>
            <ul class="expects">{ expects }</ul>
        </div>
    }
}

/// Both runs of a fork.
#[function_component(ForkResult)]
pub fn fork_result(props: &ForkResultProps) -> Html {
    let lang = props.lang;
    let close = props.on_close.reform(|_: MouseEvent| ());
    let view = match props.fork.as_ref() {
        Err(e) => {
            return html! {
                <div class="fork-result panel" id="fork-result">
                    <p class="verdict error" role="alert">{ format!("{} {e}", tl(lang, Tl::ForkFailed)) }</p>
                    <button id="fork-close" onclick={close}>{ tl(lang, Tl::CloseFork) }</button>
                </div>
            };
        }
        Ok(v) => v,
    };
    let parts = match view.parts_us {
        Some(us) => html! {
            <span id="fork-parts" data-us={us.to_string()}>
                { format!("{} {} s", tl(lang, Tl::PartsAt), format_time(us)) }
            </span>
        },
        None => html! { <span id="fork-parts">{ tl(lang, Tl::NoDifference) }</span> },
    };
    let changes = view
        .spec
        .changes
        .iter()
        .map(|c| change_text(lang, c))
        .collect::<Vec<_>>()
        .join(" ");
    let branch_head = html! {
        <>{ format!("{} (t = {} s): ", tl(lang, Tl::Branch), format_time(view.spec.at_us)) }
            <code class="change">{ changes }</code></>
    };
    html! {
        <div class="fork-result" id="fork-result">
            <div class="fork-head">
                { parts }
                if let Some(link) = &props.link {
                    <a id="fork-link" href={link.clone()}>{ tl(lang, Tl::ShareFork) }</a>
                }
                <button id="fork-close" onclick={close}>{ tl(lang, Tl::CloseFork) }</button>
            </div>
            <div class="fork-sides">
                { side(lang, "fork-original", html! { tl(lang, Tl::Original) }, &view.original) }
                { side(lang, "fork-branch", branch_head, &view.branch) }
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_change_list_reads_into_changes() {
        let link = Some(LinkSettings {
            latency_ms: 5,
            loss_pct: 1.0,
        });
        assert_eq!(
            change_of("disconnect", "alpine1", "", link),
            Some(Change::Control {
                node: "alpine1".into(),
                control: Control::Disconnect
            })
        );
        assert_eq!(
            change_of("loss", "alpine1", "12,5", link),
            Some(Change::SetLink {
                node: "alpine1".into(),
                settings: LinkSettings {
                    latency_ms: 5,
                    loss_pct: 12.5
                }
            })
        );
        assert_eq!(change_of("loss", "alpine1", "much", link), None);
        assert_eq!(
            change_of("remove-fault", "x", " drop next PUBACK to s0 ", None),
            Some(Change::RemoveFault {
                rule: "drop next PUBACK to s0".into()
            })
        );
        assert_eq!(change_of("explode", "x", "", None), None);
    }
}
