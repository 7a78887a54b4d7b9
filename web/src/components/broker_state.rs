//! The broker state panel: what the broker holds right now. Sessions (connected or
//! not, clean or persistent) with their subscriptions, in-flight and queued
//! messages and how many were dropped for a client that could not keep up;
//! retained messages; the wills it would publish if a connection died. For MQTT
//! 5.0: each session's expiry and, while away, the time it has left; in flight
//! against the client's Receive Maximum; topic aliases both ways; queued
//! messages' time left (`exp 18s`: a glyph such as U+23F3 has no font in Debian's Chromium); shared subscription groups and their members.

use yew::prelude::*;

use std::rc::Rc;

use crate::components::topic_tree::TopicTreeView;
use crate::i18n::{s5, t, tt, Lang, State5, Text, Topics};
use crate::sim::protocol::{BrokerView, SessionV5View};

/// Seconds with one decimal, as the countdown reads.
fn secs(ms: u64) -> String {
    format!("{}.{} s", ms / 1000, (ms % 1000) / 100)
}

/// The 5.0 lines of a session's "session" cell.
fn session_v5(lang: Lang, v: &SessionV5View) -> Html {
    let interval = if v.expiry_interval == u32::MAX {
        s5(lang, State5::Never).to_string()
    } else {
        format!("{} s", v.expiry_interval)
    };
    html! {
        <>
            <br />
            <span class="v5 expiry" title="Session Expiry Interval">
                { format!("{}: {interval}", s5(lang, State5::SessionExpiry)) }
            </span>
            if let Some(ms) = v.ends_in_ms {
                <br />
                <span class="v5 countdown">{ format!("{} {}", s5(lang, State5::EndsIn), secs(ms)) }</span>
            }
        </>
    }
}

/// The 5.0 lines of a session's "in flight" cell: the count against Receive
/// Maximum, then topic aliases both ways.
fn inflight_v5(lang: Lang, v: &SessionV5View) -> Html {
    let (n, max) = v.inflight;
    html! {
        <>
            if let Some(max) = max {
                <div class="v5 window" title={s5(lang, State5::OfReceiveMaximum)}>
                    { format!("{n}/{max} {}", s5(lang, State5::OfReceiveMaximum)) }
                </div>
            }
            if !v.aliases_in.is_empty() {
                <div class="v5 aliases">{ format!("{}: {}", s5(lang, State5::AliasesIn), v.aliases_in) }</div>
            }
            if !v.aliases_out.is_empty() {
                <div class="v5 aliases">{ format!("{}: {}", s5(lang, State5::AliasesOut), v.aliases_out) }</div>
            }
        </>
    }
}

/// Renders the state of a broker (called on every frame the world changed).
pub fn broker_state(lang: Lang, broker: &BrokerView) -> Html {
    let sessions = &broker.sessions;
    let session_rows = sessions
        .iter()
        .map(|s| {
            let online = s.online;
            html! {
                <tr data-client={s.client_id.clone()} data-online={online.to_string()}
                    data-clean={s.clean.to_string()} data-dropped={s.dropped.to_string()}>
                    <td class="mono" data-label={t(lang, Text::ClientIdColumn)}>{ &s.client_id }</td>
                    <td data-label={t(lang, Text::Session)}>
                        <span class={classes!("status", if online { "online" } else { "offline" })}>
                            { if online { t(lang, Text::Online) } else { t(lang, Text::Offline) } }
                        </span>
                        <br />
                        { if s.clean { t(lang, Text::CleanSession) } else { t(lang, Text::PersistentSession) } }
                        if let Some(v) = &s.v5 { { session_v5(lang, v) } }
                    </td>
                    <td class="mono" data-label={t(lang, Text::Subscriptions)}>{ &s.subscriptions }</td>
                    <td class="mono" data-label={t(lang, Text::Inflight)}>
                        if let Some(v) = &s.v5 { { inflight_v5(lang, v) } }
                        { &s.inflight }
                    </td>
                    <td class="mono queued" data-label={t(lang, Text::Queued)} title={s.queued.contains(" exp ").then(|| s5(lang, State5::ExpiryMarkHelp))}>
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
    let shared = broker
        .shared
        .iter()
        .map(|g| {
            let next = g
                .next
                .as_ref()
                .map(|n| format!(" ({} {n})", s5(lang, State5::NextTurn)))
                .unwrap_or_default();
            html! { <li class="mono">{ format!("{}: {}{next}", g.filter, g.members.join(", ")) }</li> }
        })
        .collect::<Html>();

    html! {
        <div class="broker-state" data-broker={name}>
            <h4>{ t(lang, Text::Sessions) }</h4>
            if sessions.is_empty() {
                <p class="empty">{ t(lang, Text::NoneYet) }</p>
            } else {
                <div class="sessions">
                <table>
                    <thead><tr>
                        <th>{ t(lang, Text::ClientIdColumn) }</th><th>{ t(lang, Text::Session) }</th>
                        <th>{ t(lang, Text::Subscriptions) }</th><th>{ t(lang, Text::Inflight) }</th><th>{ t(lang, Text::Queued) }</th>
                    </tr></thead>
                    <tbody>{ session_rows }</tbody>
                </table>
                </div>
                if broker.more_sessions > 0 {
                    <p class="more">{ format!("+{} {}", broker.more_sessions, t(lang, Text::MoreSessions)) }</p>
                }
            }
            if broker.dropped > 0 {
                <p class="dropped-total" title={t(lang, Text::DroppedHelp)}>
                    { format!("{}: {}", t(lang, Text::MessagesDropped), broker.dropped) }
                </p>
            }
            if !broker.shared.is_empty() {
                <h4>{ s5(lang, State5::SharedGroups) }</h4>
                <ul class="shared-groups">{ shared }</ul>
            }
            <h4>{ t(lang, Text::Retained) }</h4>
            <ul class="retained">{ retained }</ul>
            <h4>{ t(lang, Text::PendingWills) }</h4>
            <ul class="wills">{ wills }</ul>
            if !broker.topics.is_empty() {
                <h4>{ tt(lang, Topics::Title) }</h4>
                <TopicTreeView {lang} rows={Rc::new(broker.topics.clone())}
                    untracked={broker.untracked_topics} />
            }
        </div>
    }
}
