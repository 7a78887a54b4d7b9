//! The broker state panel: what the broker holds right now. Sessions (connected or
//! not, clean or persistent) with their subscriptions, in-flight and queued
//! messages; retained messages; the wills it would publish if a connection died.

use mqttlab_core::broker::{Broker, OutStage};
use yew::prelude::*;

use crate::i18n::{t, Lang, Text};

fn payload_text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) if s.chars().all(|c| !c.is_control()) => format!("\"{s}\""),
        _ => format!("({} bytes)", bytes.len()),
    }
}

fn stage(s: OutStage) -> &'static str {
    match s {
        OutStage::AwaitPuback => "→ PUBACK?",
        OutStage::AwaitPubrec => "→ PUBREC?",
        OutStage::AwaitPubcomp => "→ PUBCOMP?",
    }
}

/// Renders the state of `broker` (called on every frame the world changed).
pub fn broker_state(lang: Lang, name: &str, broker: &Broker) -> Html {
    let sessions = broker.sessions();
    let session_rows = sessions
        .iter()
        .map(|s| {
            let online = s.conn.is_some();
            let subs = s
                .subscriptions
                .iter()
                .map(|(f, q)| format!("{f} (QoS {q})"))
                .collect::<Vec<_>>()
                .join(", ");
            let inflight = s
                .inflight
                .iter()
                .map(|i| format!("m{} {} q{} {}", i.pid, i.topic, i.qos, stage(i.stage)))
                .collect::<Vec<_>>()
                .join("; ");
            let queued = s
                .queued
                .iter()
                .map(|m| format!("{} {} q{}", m.topic, payload_text(&m.payload), m.qos))
                .collect::<Vec<_>>()
                .join("; ");
            html! {
                <tr data-client={s.client_id.clone()}>
                    <td class="mono">{ &s.client_id }</td>
                    <td>
                        <span class={classes!("status", if online { "online" } else { "offline" })}>
                            { if online { t(lang, Text::Online) } else { t(lang, Text::Offline) } }
                        </span>
                        <br />
                        { if s.clean { t(lang, Text::CleanSession) } else { t(lang, Text::PersistentSession) } }
                    </td>
                    <td class="mono">{ subs }</td>
                    <td class="mono">{ inflight }</td>
                    <td class="mono queued">{ queued }</td>
                </tr>
            }
        })
        .collect::<Html>();

    let retained = broker
        .retained()
        .map(|m| html! { <li class="mono">{ format!("{} {} (QoS {})", m.topic, payload_text(&m.payload), m.qos) }</li> })
        .collect::<Html>();
    let wills = broker
        .pending_wills()
        .into_iter()
        .map(|(client, w)| {
            html! {
                <li class="mono">{ format!("{client}: {} {} (QoS {}{})", w.topic, payload_text(&w.message), w.qos,
                    if w.retain { ", retain" } else { "" }) }</li>
            }
        })
        .collect::<Html>();

    html! {
        <div class="broker-state" data-broker={name.to_string()}>
            <h4>{ t(lang, Text::Sessions) }</h4>
            if sessions.is_empty() {
                <p class="empty">{ t(lang, Text::NoneYet) }</p>
            } else {
                <table>
                    <thead><tr>
                        <th>{ "client id" }</th><th>{ t(lang, Text::Session) }</th>
                        <th>{ t(lang, Text::Subscriptions) }</th><th>{ t(lang, Text::Inflight) }</th><th>{ t(lang, Text::Queued) }</th>
                    </tr></thead>
                    <tbody>{ session_rows }</tbody>
                </table>
            }
            <h4>{ t(lang, Text::Retained) }</h4>
            <ul class="retained">{ retained }</ul>
            <h4>{ t(lang, Text::PendingWills) }</h4>
            <ul class="wills">{ wills }</ul>
        </div>
    }
}
