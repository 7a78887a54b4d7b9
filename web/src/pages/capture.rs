//! Open a capture: a `.pcap` or `.pcapng` from Wireshark, tshark, tcpdump or
//! dumpcap, chosen with the file picker or dropped on the page, read in the
//! browser by the core (`mqttlab_core::capture`; nothing is uploaded) and shown
//! with the lab's own views: the sequence diagram (one lifeline per client id
//! and per broker address, the capture's timestamps), the packet inspector at
//! each connection's MQTT level, and the broker state rebuilt from what was
//! seen up to the selected row.

use std::rc::Rc;

use mqttlab_core::capture::lifelines::lifelines;
use mqttlab_core::capture::state::{brokers, BrokerSeen};
use mqttlab_core::capture::{read, Capture, Carries, FileError, What};
use mqttlab_core::codec::{PacketType, Protocol};
use wasm_bindgen_futures::JsFuture;
use web_sys::{DragEvent, File, HtmlInputElement};
use yew::prelude::*;

use crate::components::broker_state::broker_state;
use crate::components::findings::{ChecksView, Findings, SharedChecks};
use crate::components::packet_inspector::PacketInspector;
use crate::components::sequence_diagram::{DiagramRow, RowKind, RowNote, Rows, SequenceDiagram};
use crate::i18n::{count, file_error, t, Lang, Noun, Text};
use crate::sim::host::payload_text;
use crate::sim::protocol::{BrokerView, SessionView};

/// A capture read, with what the views draw.
pub struct Loaded {
    /// The file's name.
    pub name: String,
    /// The capture.
    pub capture: Capture,
    /// Lifeline names.
    pub lanes: Rc<Vec<String>>,
    /// One row per event.
    pub rows: Rows,
    /// Per row: a packet's bytes and the level to dissect them at.
    pub packets: Vec<Option<(Rc<Vec<u8>>, Protocol)>>,
    /// MQTT packets in the capture.
    pub mqtt: usize,
    /// Milliseconds from the bytes to the rows.
    pub took_ms: f64,
    /// The specification checker's findings and coverage.
    pub checks: SharedChecks,
}

/// The checker over a capture, each finding's packets placed on their rows
/// (one row per capture event).
pub fn check(capture: &Capture) -> ChecksView {
    use mqttlab_core::capture::Direction;
    use mqttlab_core::checker::Checker;
    use std::collections::BTreeMap;
    let report = Checker::check_capture(capture);
    let mut counts: BTreeMap<(usize, bool), u32> = BTreeMap::new();
    let mut row_of: BTreeMap<(usize, bool, u32), usize> = BTreeMap::new();
    for (row, e) in capture.events.iter().enumerate() {
        if matches!(e.what, What::Mqtt(_) | What::Malformed(_)) {
            let key = (e.stream, e.direction == Direction::ToServer);
            let n = counts.entry(key).or_default();
            row_of.insert((key.0, key.1, *n), row);
            *n += 1;
        }
    }
    ChecksView::new(&report, |p| {
        row_of
            .get(&(p.conn, p.direction == Direction::ToServer, p.index))
            .copied()
    })
}

/// The diagram's rows and the inspector's bytes for a capture.
pub fn view(name: String, capture: Capture, took_ms: f64) -> Loaded {
    let lines = lifelines(&capture);
    let rows = Rows::default();
    let mut packets = Vec::with_capacity(capture.events.len());
    let mut mqtt = 0;
    for e in &capture.events {
        let (from, to) = lines.ends(e);
        let time_us = capture.relative_ns(e) / 1_000;
        let (row, packet) = match &e.what {
            What::Mqtt(p) => {
                mqtt += 1;
                let dup = p
                    .bytes
                    .first()
                    .is_some_and(|b| b >> 4 == 3 && b & 0x08 != 0);
                (
                    DiagramRow {
                        time_us,
                        label: p.packet.to_string(),
                        kind: RowKind::Packet {
                            from,
                            to,
                            dropped: false,
                            dup,
                        },
                        fault: None,
                        sent: None,
                    },
                    Some((Rc::new(p.bytes.clone()), p.protocol)),
                )
            }
            What::Malformed(m) => {
                let kind = m
                    .bytes
                    .first()
                    .and_then(|b| PacketType::from_nibble_v5(b >> 4))
                    .map(|t| format!(" {t:?}").to_uppercase())
                    .unwrap_or_default();
                (
                    DiagramRow {
                        time_us,
                        label: format!("[Malformed Packet]{kind}"),
                        kind: RowKind::Packet {
                            from,
                            to,
                            dropped: true,
                            dup: false,
                        },
                        fault: None,
                        sent: None,
                    },
                    Some((Rc::new(m.bytes.clone()), m.protocol)),
                )
            }
            other => (
                DiagramRow {
                    time_us,
                    label: String::new(),
                    kind: RowKind::Note {
                        lane: from,
                        note: RowNote::Capture(other.note().expect("not MQTT is a note")),
                    },
                    fault: None,
                    sent: None,
                },
                None,
            ),
        };
        rows.push(row);
        packets.push(packet);
    }
    let checks = SharedChecks(Rc::new(check(&capture)));
    Loaded {
        name,
        checks,
        lanes: Rc::new(lines.names),
        rows,
        packets,
        mqtt,
        took_ms,
        capture,
    }
}

/// A broker rebuilt from the capture, as the broker-state panel draws it.
fn broker_view(b: &BrokerSeen) -> BrokerView {
    BrokerView {
        name: b.address.to_string(),
        sessions: b
            .sessions
            .iter()
            .map(|s| SessionView {
                client_id: s.client_id.clone(),
                online: s.online,
                clean: s.clean,
                subscriptions: s
                    .subscriptions
                    .iter()
                    .map(|(f, q)| format!("{f} (QoS {})", q.as_u8()))
                    .collect::<Vec<_>>()
                    .join(", "),
                inflight: if s.inflight == 0 {
                    String::new()
                } else {
                    s.inflight.to_string()
                },
                queued: s
                    .queued
                    .iter()
                    .map(|m| {
                        format!(
                            "{} {} q{}",
                            m.topic,
                            payload_text(&m.payload),
                            m.qos.as_u8()
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
                dropped: 0,
                v5: None,
            })
            .collect(),
        more_sessions: 0,
        retained: b
            .retained
            .iter()
            .map(|m| {
                format!(
                    "{} {} (QoS {})",
                    m.topic,
                    payload_text(&m.payload),
                    m.qos.as_u8()
                )
            })
            .collect(),
        wills: b
            .sessions
            .iter()
            .filter_map(|s| {
                s.will.as_ref().map(|w| {
                    format!(
                        "{}: {} {} (QoS {}{})",
                        s.client_id,
                        w.topic,
                        payload_text(&w.payload),
                        w.qos.as_u8(),
                        if w.retain { ", retain" } else { "" }
                    )
                })
            })
            .collect(),
        dropped: 0,
        shared: Vec::new(),
        // A capture shows what was seen on the wire, not a broker's routing.
        topics: Vec::new(),
        untracked_topics: 0,
    }
}

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}

/// What the page holds.
#[derive(Clone)]
enum Status {
    Empty,
    Reading,
    Loaded(Rc<Loaded>),
    Failed(String, FileError),
}

/// Properties of [`CapturePage`].
#[derive(Properties, PartialEq)]
pub struct CapturePageProps {
    /// The language.
    pub lang: Lang,
}

/// The page.
#[function_component(CapturePage)]
pub fn capture_page(props: &CapturePageProps) -> Html {
    let lang = props.lang;
    let status = use_state(|| Status::Empty);
    let selected = use_state(|| None::<usize>);

    let open = {
        let status = status.clone();
        let selected = selected.clone();
        Callback::from(move |file: File| {
            let status = status.clone();
            let selected = selected.clone();
            status.set(Status::Reading);
            wasm_bindgen_futures::spawn_local(async move {
                let name = file.name();
                let Ok(buffer) = JsFuture::from(file.array_buffer()).await else {
                    return;
                };
                let start = now_ms();
                let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
                match read(&bytes) {
                    Ok(capture) => {
                        let mut loaded = view(name, capture, 0.0);
                        loaded.took_ms = now_ms() - start;
                        selected.set(None);
                        status.set(Status::Loaded(Rc::new(loaded)));
                    }
                    Err(e) => status.set(Status::Failed(name, e)),
                }
            });
        })
    };

    let onchange = {
        let open = open.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Some(file) = input.files().and_then(|f| f.get(0)) {
                open.emit(file);
            }
            input.set_value("");
        })
    };
    let ondragover = Callback::from(|e: DragEvent| e.prevent_default());
    let ondrop = {
        let open = open.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            if let Some(file) = e
                .data_transfer()
                .and_then(|d| d.files())
                .and_then(|f| f.get(0))
            {
                open.emit(file);
            }
        })
    };

    let summary = match &*status {
        Status::Empty => Html::default(),
        Status::Reading => {
            html! { <p class="capture-summary">{ t(lang, Text::CaptureReading) }</p> }
        }
        Status::Failed(name, e) => html! {
            <p id="capture-error" class="verdict error" role="alert"
                data-offset={e.offset.to_string()}>
                { format!("{name}: {} {}", t(lang, Text::CaptureCannotRead), file_error(lang, e)) }
            </p>
        },
        Status::Loaded(l) => {
            let c = &l.capture;
            html! {
                <>
                    <p id="capture-summary" class="capture-summary"
                        data-frames={c.frames.to_string()} data-packets={l.mqtt.to_string()}
                        data-load-ms={format!("{:.0}", l.took_ms)}>
                        <strong>{ &l.name }</strong>
                        { format!(
                            " · {} · {} · {} · {} · {} {:.0} ms",
                            match c.format { mqttlab_core::capture::Format::Pcap => "pcap", mqttlab_core::capture::Format::PcapNg => "pcapng" },
                            count(lang, c.frames as u64, Noun::Frame),
                            count(lang, l.mqtt as u64, Noun::MqttPacket),
                            count(lang, c.streams.len() as u64, Noun::TcpConnection),
                            t(lang, Text::CaptureLoadedIn), l.took_ms,
                        ) }
                    </p>
                    if let Some(e) = &c.error {
                        <p id="capture-error" class="verdict error" role="alert"
                            data-offset={e.offset.to_string()}>
                            { format!("{} {}", t(lang, Text::CaptureStopped), file_error(lang, e)) }
                        </p>
                    }
                    if l.mqtt == 0 {
                        <p class="empty">{ t(lang, Text::CaptureNoMqtt) }</p>
                    }
                </>
            }
        }
    };

    let body = match &*status {
        Status::Loaded(l) => {
            let on_select = {
                let selected = selected.clone();
                Callback::from(move |i: usize| selected.set(Some(i)))
            };
            let inspected = (*selected).and_then(|i| l.packets.get(i).cloned().flatten());
            let upto = (*selected).map(|i| i + 1).unwrap_or(l.capture.events.len());
            let states = brokers(&l.capture, upto)
                .iter()
                .map(|b| broker_state(lang, &broker_view(b)))
                .collect::<Html>();
            let streams = l
                .capture
                .streams
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let carries = match s.carries {
                        Carries::Mqtt => Text::CaptureCarriesMqtt,
                        Carries::MqttOverWebSocket => Text::CaptureCarriesWs,
                        Carries::Tls => Text::CaptureCarriesTls,
                        Carries::Other => Text::CaptureCarriesOther,
                        Carries::Unknown => Text::CaptureCarriesNothing,
                    };
                    let level = match s.protocol {
                        Some(Protocol::V5) => " 5.0",
                        Some(Protocol::V311) => " 3.1.1",
                        Some(Protocol::V31) => " 3.1",
                        None => "",
                    };
                    html! {
                        <tr>
                            <td class="mono">{ i }</td>
                            <td class="mono">{ s.client_id.clone().unwrap_or_default() }</td>
                            <td class="mono">{ format!("{} → {}", s.client, s.server) }</td>
                            <td>{ format!("{}{level}", t(lang, carries)) }</td>
                        </tr>
                    }
                })
                .collect::<Html>();
            html! {
                <div class="workspace live capture-view">
                    <div class="diagram-panel panel">
                        <div class="panel-head"><h3>{ t(lang, Text::SequenceDiagram) }</h3></div>
                        <SequenceDiagram lanes={l.lanes.clone()} rows={l.rows.clone()} len={l.rows.len()}
                            selected={*selected} on_select={on_select.clone()} {lang} follow={false} />
                    </div>
                    <div class="side">
                        <Findings {lang} checks={l.checks.clone()} on_select={on_select.clone()} />
                        <div class="panel">
                            if let Some((bytes, protocol)) = inspected {
                                <PacketInspector {bytes} {lang} protocol={Some(protocol)} />
                            } else {
                                <h3>{ t(lang, Text::InspectorTree) }</h3>
                                <p class="empty">{ t(lang, Text::ClickAnArrow) }</p>
                            }
                        </div>
                        <div class="panel capture-state">
                            <h3>{ t(lang, Text::CaptureBrokerState) }
                                if selected.is_some() {
                                    <small>{ format!(" ({})", t(lang, Text::CaptureStateAt)) }</small>
                                }
                            </h3>
                            { states }
                        </div>
                        <div class="panel capture-streams">
                            <h3>{ t(lang, Text::CaptureStreamsTitle) }</h3>
                            <table><tbody>{ streams }</tbody></table>
                        </div>
                    </div>
                </div>
            }
        }
        _ => Html::default(),
    };

    html! {
        <div class="capture-page" {ondragover} {ondrop}>
            <div class="panel capture-open">
                <p class="intro">{ t(lang, Text::CaptureIntro) }</p>
                <label class="file-button">
                    <span>{ t(lang, Text::CaptureOpen) }</span>
                    <input id="capture-file" type="file" accept=".pcap,.pcapng,.cap,.dmp" {onchange} />
                </label>
                <span class="hint">{ format!(" {} {}", t(lang, Text::CaptureDrop), t(lang, Text::CaptureNothingUploaded)) }</span>
                { summary }
            </div>
            { body }
        </div>
    }
}
