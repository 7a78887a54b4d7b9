//! The broker state panel: what the broker holds right now. Sessions (connected or
//! not, clean or persistent) with their subscriptions, in-flight and queued
//! messages and how many were dropped for a client that could not keep up;
//! retained messages; the wills it would publish if a connection died.

use yew::prelude::*;

use crate::i18n::{t, Lang, Text};
use crate::sim::protocol::BrokerView;

/// Renders the state of a broker (called on every frame the world changed).
pub fn broker_state(lang: Lang, broker: &BrokerView) -> Html {
    let sessions = &broker.sessions;
    let session_rows = sessions
        .iter()
        .map(|s| {
            let online = s.online;
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
                    <td class="mono">{ &s.subscriptions }</td>
                    <td class="mono">{ &s.inflight }</td>
                    <td class="mono queued">
                        { &s.queued }
                        if s.dropped > 0 {
                            <span class="dropped" title={t(lang, Text::DroppedHelp)}>
                                { format!(" {} {}", s.dropped, t(lang, Text::DroppedCount)) }
                            </span>
                        }
                    </td>
                </tr>
            }
        })
        .collect::<Html>();
    let retained = broker
        .retained
        .iter()
        .map(|m| html! { <li class="mono">{ m }</li> })
        .collect::<Html>();
    let wills = broker
        .wills
        .iter()
        .map(|w| html! { <li class="mono">{ w }</li> })
        .collect::<Html>();
    let name = broker.name.clone();

    html! {
        <div class="broker-state" data-broker={name}>
            <h4>{ t(lang, Text::Sessions) }</h4>
            if sessions.is_empty() {
                <p class="empty">{ t(lang, Text::NoneYet) }</p>
            } else {
                <table>
                    <thead><tr>
                        <th>{ t(lang, Text::ClientIdColumn) }</th><th>{ t(lang, Text::Session) }</th>
                        <th>{ t(lang, Text::Subscriptions) }</th><th>{ t(lang, Text::Inflight) }</th><th>{ t(lang, Text::Queued) }</th>
                    </tr></thead>
                    <tbody>{ session_rows }</tbody>
                </table>
                if broker.more_sessions > 0 {
                    <p class="more">{ format!("+{} {}", broker.more_sessions, t(lang, Text::MoreSessions)) }</p>
                }
            }
            if broker.dropped > 0 {
                <p class="dropped-total" title={t(lang, Text::DroppedHelp)}>
                    { format!("{}: {}", t(lang, Text::MessagesDropped), broker.dropped) }
                </p>
            }
            <h4>{ t(lang, Text::Retained) }</h4>
            <ul class="retained">{ retained }</ul>
            <h4>{ t(lang, Text::PendingWills) }</h4>
            <ul class="wills">{ wills }</ul>
        </div>
    }
}
