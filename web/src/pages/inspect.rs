//! Inspect bytes: paste hex from Wireshark or a log and read the dissection.

use std::rc::Rc;

use bytes::Bytes;
use mqttlab_core::codec::{Connect, LastWill, Packet, Protocol, QoS};
use mqttlab_core::hex::parse_hex;
use mqttlab_core::topic::TopicName;
use web_sys::{HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::components::packet_inspector::PacketInspector;
use crate::i18n::{hex_error, t, Lang, Text};

/// The course text's capture of a retained QoS 1 PUBLISH (header flags 0x33).
pub const COURSE_PUBLISH_HEX: &str = "33 12 00 06 74 6f 70 69 63 6f 00 01 6d 65 6e 73 61 67 65 6d";

/// A SUBSCRIBE with a packet id and no filter: MQTT-3.8.3-3 forbids it.
pub const MALFORMED_SUBSCRIBE_HEX: &str = "82 02 00 01";

/// A 5.0 PUBLISH with the properties `mosquitto_pub -V 5 -D publish
/// message-expiry-interval 60 -D publish user-property sala 3 -t sensor/temp -m 21`
/// asks for (read with the version set to 5.0, or after a 5.0 CONNECT).
pub const V5_PUBLISH_HEX: &str = "30 1f 00 0b 73 65 6e 73 6f 72 2f 74 65 6d 70 0f 02 00 00 00 3c 26 00 04 73 61 6c 61 00 01 33 32 31";

/// The choices of the version selector: its value, and the level it means.
pub const VERSIONS: [(&str, Option<Protocol>); 4] = [
    ("auto", None),
    ("31", Some(Protocol::V31)),
    ("311", Some(Protocol::V311)),
    ("5", Some(Protocol::V5)),
];

/// The CONNECT of the course's Last Will experiment, encoded by the core.
pub fn will_connect_hex() -> String {
    let connect = Packet::Connect(Connect {
        protocol: Protocol::V311,
        clean_session: true,
        keep_alive: 60,
        client_id: "sensor1".into(),
        will: Some(LastWill {
            topic: TopicName::new("sensor1/status").expect("a valid topic"),
            message: Bytes::from_static(b"off-line"),
            qos: QoS::AtMostOnce,
            retain: true,
        }),
        login: None,
    });
    let mut bytes = Vec::new();
    connect.encode(&mut bytes).expect("a valid CONNECT encodes");
    to_hex(&bytes)
}

/// Bytes as space-separated hex pairs.
pub fn to_hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Properties of [`InspectPage`].
#[derive(Properties, PartialEq)]
pub struct InspectPageProps {
    /// The language to speak.
    pub lang: Lang,
}

/// A hex box, example buttons, and the inspector.
#[function_component(InspectPage)]
pub fn inspect_page(props: &InspectPageProps) -> Html {
    let lang = props.lang;
    let text = use_state(|| COURSE_PUBLISH_HEX.to_string());
    // The last bytes that parsed: a typo mid-edit keeps the previous dissection.
    let bytes = use_state(|| Rc::new(parse_hex(COURSE_PUBLISH_HEX).unwrap_or_default()));
    let error = use_state(|| None::<mqttlab_core::hex::HexError>);
    let protocol = use_state(|| None::<Protocol>);

    let set_text = {
        let text = text.clone();
        let bytes = bytes.clone();
        let error = error.clone();
        Callback::from(move |value: String| {
            match parse_hex(&value) {
                Ok(b) => {
                    bytes.set(Rc::new(b));
                    error.set(None);
                }
                Err(e) => error.set(Some(e)),
            }
            text.set(value);
        })
    };
    let oninput = {
        let set_text = set_text.clone();
        Callback::from(move |e: InputEvent| {
            set_text.emit(e.target_unchecked_into::<HtmlTextAreaElement>().value())
        })
    };
    let example = |label: Text, hex: String, version: Option<Option<Protocol>>| {
        let set_text = set_text.clone();
        let protocol = protocol.clone();
        let onclick = Callback::from(move |_| {
            if let Some(v) = version {
                protocol.set(v);
            }
            set_text.emit(hex.clone())
        });
        html! { <button class="example" {onclick}>{ t(lang, label) }</button> }
    };
    let onchange = {
        let protocol = protocol.clone();
        Callback::from(move |e: Event| {
            let value = e.target_unchecked_into::<HtmlSelectElement>().value();
            if let Some((_, p)) = VERSIONS.iter().find(|(v, _)| *v == value) {
                protocol.set(*p);
            }
        })
    };
    let version_label = |p: Option<Protocol>| match p {
        None => t(lang, Text::VersionAuto).to_string(),
        Some(p) => p.version_name().to_string(),
    };
    let selected = VERSIONS
        .iter()
        .find(|(_, p)| *p == *protocol)
        .map_or("auto", |(v, _)| *v);

    html! {
        <section class="panel inspect">
            <h2>{ t(lang, Text::InspectTitle) }</h2>
            <p class="intro">{ t(lang, Text::InspectIntro) }</p>
            <div class="examples">
                { example(Text::ExampleCoursePublish, COURSE_PUBLISH_HEX.to_string(), None) }
                { example(Text::ExampleConnect, will_connect_hex(), None) }
                { example(Text::ExampleMalformed, MALFORMED_SUBSCRIBE_HEX.to_string(), None) }
                { example(Text::ExampleV5Publish, V5_PUBLISH_HEX.to_string(), Some(Some(Protocol::V5))) }
            </div>
            <label class="version-input">
                <span>{ t(lang, Text::VersionLabel) }</span>
                <select id="protocol-version" {onchange}>
                    { for VERSIONS.iter().map(|(value, p)| html! {
                        <option value={*value} selected={*value == selected}>{ version_label(*p) }</option>
                    }) }
                </select>
            </label>
            <label class="hex-input">
                <span>{ t(lang, Text::HexLabel) }</span>
                <textarea id="hex" rows="3" spellcheck="false" value={(*text).clone()} {oninput} />
            </label>
            if let Some(e) = &*error {
                <p id="hex-error" class="verdict error" role="alert">{ format!("{} {}", t(lang, Text::BadHex), hex_error(lang, e)) }</p>
            }
            <PacketInspector bytes={(*bytes).clone()} {lang} protocol={*protocol} />
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mqttlab_core::codec::decode;

    #[test]
    fn examples_are_what_they_say() {
        let publish = parse_hex(COURSE_PUBLISH_HEX).unwrap();
        assert_eq!(publish[0], 0x33);
        assert_eq!(publish[1], 18);
        let connect = parse_hex(&will_connect_hex()).unwrap();
        let (packet, _) = decode(&connect, 1024).unwrap().unwrap();
        assert!(matches!(packet, Packet::Connect(c) if c.will.is_some()));
        let bad = parse_hex(MALFORMED_SUBSCRIBE_HEX).unwrap();
        let e = decode(&bad, 1024).unwrap_err();
        assert_eq!(e.kind.rule(), "MQTT-3.8.3-3");
        let v5 = parse_hex(V5_PUBLISH_HEX).unwrap();
        let (packet, used) = mqttlab_core::codec::v5::decode(&v5, 1024).unwrap().unwrap();
        assert_eq!(used, v5.len());
        assert_eq!(packet.to_string(), "PUBLISH q0 sensor/temp [2 props]");
        assert_eq!(packet.properties().len(), 2);
        let text =
            mqttlab_core::codec::render(&mqttlab_core::codec::dissect_as(&v5, Some(Protocol::V5)));
        assert!(
            text.contains("        Message Expiry Interval: 60\n"),
            "{text}"
        );
        assert!(text.contains("        User Property: sala = 3\n"), "{text}");
        assert!(!text.contains("Malformed"), "{text}");
    }
}
