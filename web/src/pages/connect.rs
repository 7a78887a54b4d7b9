//! "Connect to a broker": the page's own MQTT client on a real broker, over
//! WebSocket ([`crate::live`]), with the same views as the simulation: sequence
//! diagram, packet inspector, a `mosquitto_pub`/`mosquitto_sub` terminal and a log,
//! and the topic tree of every message received (MQTT Explorer's view; a button
//! subscribes to `#` and `$SYS/#`).
//!
//! Nothing is sent anywhere until the student presses Connect, except one request
//! to the server that served the page: `GET bridges.json`, which `mqttlab serve`
//! answers with the brokers it bridges, offered as ready-made addresses (`dist/`
//! holds the file with none, for any other server).

use std::rc::Rc;

use mqttlab_core::client::cli::parse_command_line;
use mqttlab_core::client::ConnectOptions;
use mqttlab_core::codec::properties::Property;
use mqttlab_core::codec::{ConnectReturnCode, PacketType, Protocol, QoS};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::components::broker_log::BrokerLog;
use crate::components::findings::SharedChecks;
use crate::components::terminal::{Terminal, INTERRUPT};
use crate::components::topic_tree::TopicTreeView;
use crate::components::world_view::DiagramPanel;
use crate::i18n::{l5, props_error, t, tt, Lang, Live5, Text, Topics};
use crate::live::v5::{connect_properties, property_text, publish_properties, reason_text};
use crate::live::{parse_ws_url, Driver, Failure, Phase, UrlError};

/// The address offered when the page's server bridges nothing.
pub const DEFAULT_URL: &str = "ws://127.0.0.1:9001/";

/// Properties of [`ConnectPage`].
#[derive(Properties, PartialEq)]
pub struct ConnectPageProps {
    /// The interface language.
    pub lang: Lang,
}

/// The failure in words, in `lang`.
pub fn explain(lang: Lang, failure: &Failure) -> String {
    let close = |code: u16, reason: &str| {
        let what = match code {
            1008 => Some(Text::Close1008),
            1011 => Some(Text::Close1011),
            1013 => Some(Text::Close1013),
            1001 => Some(Text::Close1001),
            1002 | 1003 => Some(Text::Close1002),
            1009 => Some(Text::Close1009),
            _ => None,
        };
        let mut s = format!("({} {code}", t(lang, Text::CloseCodeLabel));
        if !reason.is_empty() {
            s += &format!(", {}: “{reason}”", t(lang, Text::CloseReasonLabel));
        }
        s += ")";
        if let Some(w) = what {
            s = format!("{} {s}", t(lang, w));
        }
        s
    };
    match failure {
        Failure::Rejected(msg) => format!("{} {msg}", t(lang, Text::UrlRejected)),
        Failure::CouldNotOpen { code, reason } => {
            format!("{} {}", t(lang, Text::WsCouldNotOpen), close(*code, reason))
        }
        Failure::ServerClosed { code, reason } => {
            format!("{}: {}", t(lang, Text::ServerClosed), close(*code, reason))
        }
        Failure::Refused(code) => t(
            lang,
            match code {
                ConnectReturnCode::UnacceptableProtocolVersion => Text::Refused1,
                ConnectReturnCode::IdentifierRejected => Text::Refused2,
                ConnectReturnCode::ServerUnavailable => Text::Refused3,
                ConnectReturnCode::BadUserNameOrPassword => Text::Refused4,
                ConnectReturnCode::NotAuthorized | ConnectReturnCode::Accepted => Text::Refused5,
            },
        )
        .to_string(),
        Failure::RefusedV5(c) => format!(
            "{} {}.",
            l5(lang, Live5::RefusedV5),
            reason_text(PacketType::Connack, *c)
        ),
        Failure::NoV5 => l5(lang, Live5::NoV5).to_string(),
        Failure::ServerDisconnect(c) => format!(
            "{} {}.",
            l5(lang, Live5::ServerDisconnect),
            reason_text(PacketType::Disconnect, *c)
        ),
        Failure::Dropped { code, reason } => {
            format!("{} {}", t(lang, Text::Dropped), close(*code, reason))
        }
        Failure::PingTimeout => t(lang, Text::PingTimeoutMsg).to_string(),
        Failure::ConnectTimeout => t(lang, Text::ConnectTimeoutMsg).to_string(),
        Failure::Protocol(e) => format!(
            "{} {}",
            t(lang, Text::ProtocolErrorMsg),
            crate::i18n::protocol_error(lang, e)
        ),
    }
}

fn explain_url(lang: Lang, e: &UrlError) -> String {
    match e {
        UrlError::Empty => t(lang, Text::UrlEmpty).to_string(),
        UrlError::Scheme(s) => format!("{} “{s}”", t(lang, Text::UrlScheme)),
        UrlError::NoHost => t(lang, Text::UrlNoHost).to_string(),
        UrlError::BadPort(p) => format!("{} “{p}”", t(lang, Text::UrlBadPort)),
        UrlError::Spaces => t(lang, Text::UrlSpaces).to_string(),
    }
}

fn input_value(r: &NodeRef) -> String {
    r.cast::<HtmlInputElement>()
        .map(|e| e.value())
        .unwrap_or_default()
}

fn checked(r: &NodeRef) -> bool {
    r.cast::<HtmlInputElement>()
        .map(|e| e.checked())
        .unwrap_or(false)
}

fn text_value(r: &NodeRef) -> String {
    r.cast::<HtmlTextAreaElement>()
        .map(|e| e.value())
        .unwrap_or_default()
}

fn protocol_of(r: &NodeRef) -> Protocol {
    match r.cast::<HtmlSelectElement>().map(|e| e.value()).as_deref() {
        Some("5") => Protocol::V5,
        Some("3") => Protocol::V31,
        _ => Protocol::V311,
    }
}

/// The CONNACK panel: under 5.0 its reason code and every property the broker
/// sent, by the specification's name.
fn connack_panel(lang: Lang, protocol: Protocol, connack: Option<&(u8, Vec<Property>)>) -> Html {
    let body = match (protocol, connack) {
        (Protocol::V5, Some((code, props))) => {
            let items = props
                .iter()
                .map(|p| html! { <li class="mono">{ property_text(p) }</li> })
                .collect::<Html>();
            html! {
                <>
                    <p class="mono" id="connack-reason">
                        { format!("{}: {}", l5(lang, Live5::ReasonCode), reason_text(PacketType::Connack, *code)) }
                    </p>
                    if props.is_empty() {
                        <p class="empty">{ l5(lang, Live5::ConnackNoProps) }</p>
                    } else {
                        <ul class="connack-props">{ items }</ul>
                    }
                </>
            }
        }
        (Protocol::V5, None) => html! { <p class="empty">{ l5(lang, Live5::ConnackNone) }</p> },
        _ => html! { <p class="empty">{ l5(lang, Live5::ConnackV311) }</p> },
    };
    html! {
        <div class="panel connack-panel" id="connack-panel">
            <h3>{ l5(lang, Live5::ConnackTitle) }</h3>
            { body }
        </div>
    }
}

fn qos_of(r: &NodeRef) -> QoS {
    r.cast::<HtmlSelectElement>()
        .and_then(|e| e.value().parse::<u8>().ok())
        .and_then(QoS::from_u8)
        .unwrap_or(QoS::AtMostOnce)
}

fn qos_select(id: &'static str, r: &NodeRef) -> Html {
    html! {
        <select {id} ref={r.clone()}>
            <option value="0">{ "0" }</option>
            <option value="1">{ "1" }</option>
            <option value="2">{ "2" }</option>
        </select>
    }
}

/// Asks the page's own server which brokers it bridges: `bridges.json` beside
/// the page, which `mqttlab serve` answers with its list and any other server
/// with the file in `dist/` (no brokers). `None` if there is no such file.
async fn fetch_upstreams() -> Option<Vec<String>> {
    let window = web_sys::window()?;
    let location = window.location();
    let protocol = location.protocol().ok()?;
    if protocol != "http:" && protocol != "https:" {
        return None;
    }
    let host = location.host().ok()?;
    let scheme = if protocol == "https:" { "wss" } else { "ws" };
    let resp = JsFuture::from(window.fetch_with_str("bridges.json"))
        .await
        .ok()?;
    let resp: web_sys::Response = resp.dyn_into().ok()?;
    if !resp.ok() {
        return None;
    }
    let json = JsFuture::from(resp.json().ok()?).await.ok()?;
    let list = js_sys::Reflect::get(&json, &"upstreams".into()).ok()?;
    let list: js_sys::Array = list.dyn_into().ok()?;
    Some(
        list.iter()
            .filter_map(|u| js_sys::Reflect::get(&u, &"path".into()).ok()?.as_string())
            .map(|path| format!("{scheme}://{host}{path}"))
            .collect(),
    )
}

/// The page.
#[function_component(ConnectPage)]
pub fn connect_page(props: &ConnectPageProps) -> Html {
    let lang = props.lang;
    let update = use_force_update();
    let driver = {
        let update = update.clone();
        use_memo((), move |_| Driver::new(move || update.force_update()))
    };
    let driver: Rc<Driver> = (*driver).clone();
    // Each connection attempt starts a fresh diagram panel (nothing selected).
    let attempt = use_state(|| 0u32);
    let upstreams = use_state(Vec::<String>::new);
    let form_error = use_state(|| None::<String>);

    let url = use_node_ref();
    let client_id = use_node_ref();
    let clean = use_node_ref();
    let keepalive = use_node_ref();
    let username = use_node_ref();
    let password = use_node_ref();
    let will_topic = use_node_ref();
    let will_payload = use_node_ref();
    let will_qos = use_node_ref();
    let will_retain = use_node_ref();
    let pub_topic = use_node_ref();
    let pub_message = use_node_ref();
    let pub_qos = use_node_ref();
    let pub_retain = use_node_ref();
    let sub_filter = use_node_ref();
    let sub_qos = use_node_ref();
    // MQTT 5.0: the version and the properties of CONNECT and PUBLISH.
    let version = use_node_ref();
    let session_expiry = use_node_ref();
    let receive_max = use_node_ref();
    let alias_max = use_node_ref();
    let connect_user = use_node_ref();
    let pub_expiry = use_node_ref();
    let pub_content_type = use_node_ref();
    let pub_response = use_node_ref();
    let pub_correlation = use_node_ref();
    let pub_user = use_node_ref();
    let v5_chosen = use_state(|| false);

    // The inputs are the student's: their first values are set once here, never by
    // a render (live traffic re-renders the page while the student types). The
    // page's server may bridge brokers: the first is offered as the address.
    // Closing the page closes the connection.
    {
        let upstreams = upstreams.clone();
        let driver = driver.clone();
        let refs = [
            (url.clone(), DEFAULT_URL),
            (client_id.clone(), "mqttlab-web"),
            (keepalive.clone(), "60"),
            (pub_topic.clone(), "mqttlab/test"),
            (pub_message.clone(), "hello"),
            (sub_filter.clone(), "mqttlab/#"),
        ];
        let clean = clean.clone();
        let url = url.clone();
        let selects = [will_qos.clone(), pub_qos.clone(), sub_qos.clone()];
        let version = version.clone();
        use_effect_with((), move |_| {
            if let Some(el) = version.cast::<HtmlSelectElement>() {
                el.set_value("4");
            }
            // Yew inserts the options last first, and the browser selects the
            // first one inserted: choose QoS 0 explicitly.
            for r in &selects {
                if let Some(el) = r.cast::<HtmlSelectElement>() {
                    el.set_value("0");
                }
            }
            for (r, v) in &refs {
                if let Some(el) = r.cast::<HtmlInputElement>() {
                    el.set_value(v);
                }
            }
            if let Some(el) = clean.cast::<HtmlInputElement>() {
                el.set_checked(true);
            }
            wasm_bindgen_futures::spawn_local(async move {
                if let Some(list) = fetch_upstreams().await {
                    if let (Some(first), Some(el)) = (list.first(), url.cast::<HtmlInputElement>())
                    {
                        if el.value() == DEFAULT_URL {
                            el.set_value(first);
                        }
                    }
                    upstreams.set(list);
                }
            });
            move || driver.shutdown()
        });
    }

    let on_connect = {
        let driver = driver.clone();
        let form_error = form_error.clone();
        let attempt = attempt.clone();
        let (url, client_id, clean, keepalive, username, password) = (
            url.clone(),
            client_id.clone(),
            clean.clone(),
            keepalive.clone(),
            username.clone(),
            password.clone(),
        );
        let (will_topic, will_payload, will_qos, will_retain) = (
            will_topic.clone(),
            will_payload.clone(),
            will_qos.clone(),
            will_retain.clone(),
        );
        let (version, session_expiry, receive_max, alias_max, connect_user) = (
            version.clone(),
            session_expiry.clone(),
            receive_max.clone(),
            alias_max.clone(),
            connect_user.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let target = match parse_ws_url(&input_value(&url)) {
                Ok(u) => u,
                Err(e) => {
                    form_error.set(Some(explain_url(lang, &e)));
                    return;
                }
            };
            let Ok(keep) = input_value(&keepalive).trim().parse::<u16>() else {
                form_error.set(Some(t(lang, Text::BadKeepalive).to_string()));
                return;
            };
            let mut options = ConnectOptions::new(input_value(&client_id).trim())
                .clean_session(checked(&clean))
                .keep_alive(keep);
            // A broker that never answers CONNECT is explained, not waited for.
            options.connect_timeout = Some(std::time::Duration::from_secs(10));
            options.protocol = protocol_of(&version);
            if options.protocol == Protocol::V5 {
                match connect_properties(
                    &input_value(&session_expiry),
                    &input_value(&receive_max),
                    &input_value(&alias_max),
                    &text_value(&connect_user),
                ) {
                    Ok(p) => options.properties = p,
                    Err(e) => {
                        form_error.set(Some(props_error(lang, &e)));
                        return;
                    }
                }
            }
            let user = input_value(&username);
            if !user.is_empty() {
                let pass = input_value(&password);
                let pass = (!pass.is_empty()).then(|| bytes::Bytes::from(pass.into_bytes()));
                options = options.login(user, pass);
            }
            let wt = input_value(&will_topic);
            if !wt.trim().is_empty() {
                match options.clone().will(
                    wt.trim(),
                    input_value(&will_payload).into_bytes(),
                    qos_of(&will_qos),
                    checked(&will_retain),
                ) {
                    Ok(o) => options = o,
                    Err(e) => {
                        form_error.set(Some(format!("{} {e}", t(lang, Text::BadWillTopic))));
                        return;
                    }
                }
            }
            form_error.set(None);
            attempt.set(*attempt + 1);
            driver.open(&target, options);
        })
    };

    let on_disconnect = {
        let driver = driver.clone();
        Callback::from(move |_: MouseEvent| driver.disconnect())
    };

    let on_publish = {
        let driver = driver.clone();
        let form_error = form_error.clone();
        let (topic, message, qos, retain) = (
            pub_topic.clone(),
            pub_message.clone(),
            pub_qos.clone(),
            pub_retain.clone(),
        );
        let (expiry, content_type, response, correlation, user) = (
            pub_expiry.clone(),
            pub_content_type.clone(),
            pub_response.clone(),
            pub_correlation.clone(),
            pub_user.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if !driver.is_connected() {
                form_error.set(Some(t(lang, Text::NotConnectedYet).to_string()));
                return;
            }
            let properties = match publish_properties(
                &input_value(&expiry),
                &input_value(&content_type),
                &input_value(&response),
                &input_value(&correlation),
                &text_value(&user),
            ) {
                Ok(p) => p,
                Err(e) => {
                    form_error.set(Some(props_error(lang, &e)));
                    return;
                }
            };
            if !properties.is_empty() && driver.live.borrow().protocol != Protocol::V5 {
                form_error.set(Some(l5(lang, Live5::PropsNeedV5).to_string()));
                return;
            }
            let r = driver.publish(
                input_value(&topic).trim(),
                input_value(&message).into_bytes(),
                qos_of(&qos),
                checked(&retain),
                properties,
            );
            form_error.set(r.err());
        })
    };

    let on_subscribe = {
        let driver = driver.clone();
        let form_error = form_error.clone();
        let (filter, qos) = (sub_filter.clone(), sub_qos.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if !driver.is_connected() {
                form_error.set(Some(t(lang, Text::NotConnectedYet).to_string()));
                return;
            }
            let f = input_value(&filter);
            let r = driver.subscribe(&[(f.trim(), qos_of(&qos))]);
            form_error.set(r.err());
        })
    };

    let on_explore = {
        let driver = driver.clone();
        let form_error = form_error.clone();
        Callback::from(move |_: MouseEvent| {
            if !driver.is_connected() {
                form_error.set(Some(t(lang, Text::NotConnectedYet).to_string()));
                return;
            }
            // `#` does not match `$SYS/...` (MQTT-4.7.2-1): two filters.
            let r = driver.subscribe(&[("#", QoS::AtMostOnce), ("$SYS/#", QoS::AtMostOnce)]);
            form_error.set(r.err());
        })
    };

    let live = driver.live.borrow();
    let prompt = live
        .lanes
        .first()
        .cloned()
        .unwrap_or_else(|| "client".into());

    let on_command = {
        let driver = driver.clone();
        let prompt = prompt.clone();
        Callback::from(move |line: String| {
            driver.print(format!("{prompt}$ {line}"));
            if line == INTERRUPT {
                driver.interrupt();
                return;
            }
            let cmd = match parse_command_line(&line) {
                Ok(c) => c,
                Err(e) => {
                    driver.print(e.to_string());
                    update_now(&driver);
                    return;
                }
            };
            if !driver.is_connected() {
                driver.print(t(lang, Text::NotConnectedYet).to_string());
                update_now(&driver);
                return;
            }
            let common = cmd.common();
            if common.host != "localhost" || common.port != 1883 {
                driver.print(format!("({})", t(lang, Text::HostIgnored)));
            }
            driver.run_tool(cmd);
        })
    };

    let bytes_of = {
        let driver = driver.clone();
        Callback::from(move |i: usize| {
            driver
                .live
                .borrow()
                .row_bytes
                .get(i)
                .cloned()
                .filter(|b| !b.is_empty())
        })
    };

    let v5_of_row = {
        let driver = driver.clone();
        Callback::from(move |i: usize| {
            driver.live.borrow().row_protocol.get(i).copied().flatten() == Some(Protocol::V5)
        })
    };
    let on_version = {
        let v5_chosen = v5_chosen.clone();
        let version = version.clone();
        Callback::from(move |_: Event| v5_chosen.set(protocol_of(&version) == Protocol::V5))
    };
    let connack = connack_panel(lang, live.protocol, live.connack.as_ref());
    let v5_live = live.protocol == Protocol::V5;
    let (state_text, state_class) = match live.phase {
        Phase::Idle => (Text::StateIdle, "idle"),
        Phase::Opening => (Text::StateOpening, "opening"),
        Phase::WaitingConnack => (Text::StateWaitingConnack, "opening"),
        Phase::Connected => (Text::StateConnected, "connected"),
    };
    let failure = live.failure.as_ref().map(|f| explain(lang, f));
    let connected = live.phase == Phase::Connected;
    let busy = live.phase != Phase::Idle;
    let lanes = live.lanes.clone();
    let rows = live.rows.clone();
    let len = rows.len();
    // The specification checker over the page's connection, redone when a row comes.
    let checks = {
        let driver = driver.clone();
        use_memo((*attempt, len), move |_| {
            let live = driver.live.borrow();
            let rows = live.rows.borrow();
            SharedChecks(Rc::new(crate::live::capture::checks(
                &rows,
                &live.row_bytes,
                live.protocol,
            )))
        })
    };
    let on_export = {
        let driver = driver.clone();
        Callback::from(move |_: MouseEvent| {
            let live = driver.live.borrow();
            let client = live.lanes.first().cloned().unwrap_or_default();
            let file = crate::live::capture::pcap(&live.rows.borrow(), &live.row_bytes, &client);
            let _ = crate::download::download(
                "mqttlab-real-broker.pcap",
                "application/vnd.tcpdump.pcap",
                &file,
            );
        })
    };
    let export = html! {
        <button id="export-capture" class="export" onclick={on_export} disabled={len == 0}>
            { crate::i18n::ck(lang, crate::i18n::Ck::ExportCapture) }
        </button>
    };
    let log = Rc::new(live.log_lines(lang));
    let term = Rc::new(live.term.clone());
    let topic_rows = Rc::new(live.topics.rows());
    let untracked = live.topics.untracked();
    drop(live);

    let offers = upstreams
        .iter()
        .map(|u| {
            let url = url.clone();
            let value = u.clone();
            let onclick = Callback::from(move |_: MouseEvent| {
                if let Some(el) = url.cast::<HtmlInputElement>() {
                    el.set_value(&value);
                }
            });
            html! { <button type="button" class="upstream" {onclick}>{ u }</button> }
        })
        .collect::<Html>();

    html! {
        <div class="connect-page">
            <div class="panel connect-form">
                <p class="intro">{ t(lang, Text::ConnectIntro) }</p>
                <form id="connect-form" onsubmit={on_connect}>
                    <label class="wide"><span>{ t(lang, Text::BrokerUrl) }</span>
                        <input id="broker-url" ref={url} type="text" spellcheck="false"
                            placeholder={DEFAULT_URL} />
                    </label>
                    if !upstreams.is_empty() {
                        <div class="upstreams wide"><span>{ t(lang, Text::ServerUpstreams) }</span>{ offers }</div>
                    }
                    <label><span>{ t(lang, Text::ClientIdLabel) }</span>
                        <input id="client-id" ref={client_id} type="text" />
                    </label>
                    <label><span>{ t(lang, Text::KeepaliveLabel) }</span>
                        <input id="keepalive" ref={keepalive} type="number" min="0" max="65535" />
                    </label>
                    <label class="check"><input id="clean-session" ref={clean} type="checkbox" />
                        <span>{ t(lang, Text::CleanSessionLabel) }</span>
                    </label>
                    <label><span>{ t(lang, Text::Username) }</span>
                        <input id="username" ref={username} type="text" autocomplete="off" />
                    </label>
                    <label><span>{ t(lang, Text::Password) }</span>
                        <input id="password" ref={password} type="password" autocomplete="off" />
                    </label>
                    <label><span>{ t(lang, Text::WillTopic) }</span>
                        <input id="will-topic" ref={will_topic} type="text" />
                    </label>
                    <label><span>{ t(lang, Text::WillPayload) }</span>
                        <input id="will-payload" ref={will_payload} type="text" />
                    </label>
                    <label><span>{ t(lang, Text::WillQos) }</span>{ qos_select("will-qos", &will_qos) }</label>
                    <label class="check"><input id="will-retain" ref={will_retain} type="checkbox" />
                        <span>{ t(lang, Text::WillRetain) }</span>
                    </label>
                    <label><span>{ l5(lang, Live5::Version) }</span>
                        <select id="mqtt-version" ref={version.clone()} onchange={on_version}>
                            <option value="3">{ "3.1" }</option>
                            <option value="4">{ "3.1.1" }</option>
                            <option value="5">{ "5.0" }</option>
                        </select>
                    </label>
                    <fieldset class="v5-props wide" disabled={!*v5_chosen} hidden={!*v5_chosen}>
                        <legend>{ l5(lang, Live5::ConnectProps) }</legend>
                        <label><span>{ l5(lang, Live5::SessionExpiry) }</span>
                            <input id="session-expiry" ref={session_expiry} type="number" min="0" max="4294967295"
                                title="Session Expiry Interval" />
                        </label>
                        <label><span>{ l5(lang, Live5::ReceiveMaximum) }</span>
                            <input id="receive-maximum" ref={receive_max} type="number" min="1" max="65535"
                                title="Receive Maximum" />
                        </label>
                        <label><span>{ l5(lang, Live5::TopicAliasMaximum) }</span>
                            <input id="topic-alias-maximum" ref={alias_max} type="number" min="0" max="65535"
                                title="Topic Alias Maximum" />
                        </label>
                        <label class="wide"><span>{ l5(lang, Live5::UserProperties) }</span>
                            <textarea id="connect-user-props" ref={connect_user} rows="2" spellcheck="false"
                                placeholder="sala=101" />
                        </label>
                        <p class="hint wide">{ l5(lang, Live5::EmptyMeansAbsent) }</p>
                    </fieldset>
                    <div class="buttons wide">
                        <button id="connect" type="submit">{ t(lang, Text::ConnectButton) }</button>
                        <button id="disconnect" type="button" disabled={!busy} onclick={on_disconnect}>
                            { t(lang, Text::DisconnectButton) }
                        </button>
                        <span id="conn-state" class={classes!("conn-state", state_class)}>
                            { t(lang, state_text) }
                        </span>
                    </div>
                    <p class="hint wide">{ t(lang, Text::NoRequestUntilConnect) }</p>
                </form>
                if let Some(e) = &*form_error {
                    <p id="form-error" class="verdict error" role="alert">{ e }</p>
                }
                if let Some(f) = failure {
                    <p id="conn-error" class="verdict error" role="alert">{ f }</p>
                }
            </div>
            <div class="connect-actions">
                <form class="panel" id="publish-form" onsubmit={on_publish}>
                    <h3>{ t(lang, Text::PublishTitle) }</h3>
                    <label><span>{ t(lang, Text::TopicLabel) }</span>
                        <input id="pub-topic" ref={pub_topic} type="text" />
                    </label>
                    <label><span>{ t(lang, Text::MessageLabel) }</span>
                        <input id="pub-message" ref={pub_message} type="text" />
                    </label>
                    <label><span>{ t(lang, Text::QosLabel) }</span>{ qos_select("pub-qos", &pub_qos) }</label>
                    <label class="check"><input id="pub-retain" ref={pub_retain} type="checkbox" />
                        <span>{ t(lang, Text::RetainLabel) }</span>
                    </label>
                    <fieldset class="v5-props" disabled={!v5_live} hidden={!v5_live}>
                        <legend>{ l5(lang, Live5::PublishProps) }</legend>
                        <label><span>{ l5(lang, Live5::MessageExpiry) }</span>
                            <input id="pub-expiry" ref={pub_expiry} type="number" min="0" max="4294967295"
                                title="Message Expiry Interval" />
                        </label>
                        <label><span>{ l5(lang, Live5::ContentType) }</span>
                            <input id="pub-content-type" ref={pub_content_type} type="text" title="Content Type" />
                        </label>
                        <label><span>{ l5(lang, Live5::ResponseTopic) }</span>
                            <input id="pub-response-topic" ref={pub_response} type="text" title="Response Topic" />
                        </label>
                        <label><span>{ l5(lang, Live5::CorrelationData) }</span>
                            <input id="pub-correlation" ref={pub_correlation} type="text" title="Correlation Data" />
                        </label>
                        <label><span>{ l5(lang, Live5::UserProperties) }</span>
                            <textarea id="pub-user-props" ref={pub_user} rows="2" spellcheck="false"
                                placeholder="sala=101" />
                        </label>
                    </fieldset>
                    <button id="publish" type="submit" disabled={!connected}>{ t(lang, Text::PublishTitle) }</button>
                </form>
                <form class="panel" id="subscribe-form" onsubmit={on_subscribe}>
                    <h3>{ t(lang, Text::SubscribeTitle) }</h3>
                    <label><span>{ t(lang, Text::FilterLabel) }</span>
                        <input id="sub-filter" ref={sub_filter} type="text" />
                    </label>
                    <label><span>{ t(lang, Text::QosLabel) }</span>{ qos_select("sub-qos", &sub_qos) }</label>
                    <button id="subscribe" type="submit" disabled={!connected}>{ t(lang, Text::SubscribeTitle) }</button>
                </form>
                if v5_live {
                    { connack }
                }
            </div>
            <div class="panel topic-tree-panel" id="topic-tree-panel">
                <div class="panel-head">
                    <h3>{ tt(lang, Topics::Title) }</h3>
                    <button id="explore" type="button" disabled={!connected} onclick={on_explore}
                        title={tt(lang, Topics::ExploreHelp)}>
                        { tt(lang, Topics::Explore) }
                    </button>
                </div>
                <TopicTreeView {lang} rows={topic_rows} {untracked} />
            </div>
            <div class="workspace live">
                <DiagramPanel key={*attempt} {lang} {lanes} {rows} {len} {bytes_of}
                    v5_of={Some(v5_of_row)} checks={Some((*checks).clone())} actions={export} />
                <div class="bottom">
                    <div class="terminals">
                        <Terminal node={prompt} lines={term} {on_command}
                            placeholder={t(lang, Text::TerminalPlaceholder)} />
                    </div>
                    <div class="panel log-panel">
                        <h3>{ t(lang, Text::LiveEvents) }</h3>
                        <BrokerLog lines={log} />
                    </div>
                </div>
            </div>
        </div>
    }
}

/// Re-renders after terminal output that sent nothing (sending re-renders anyway).
fn update_now(driver: &Rc<Driver>) {
    driver.refresh();
}
