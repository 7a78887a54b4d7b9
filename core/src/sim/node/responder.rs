//! A responder: the other half of MQTT 5.0's request/response (§4.10). It
//! subscribes to a request topic and answers every request that names a
//! Response Topic with its reply, published to that topic and carrying the
//! request's Correlation Data unchanged, so the requester can pair them
//! (a thermostat asked for its set point, a device asked for its firmware
//! version). A request without a Response Topic gets no answer: there is
//! nowhere to send it.

use crate::client::{ClientEvent, ConnectOptions};
use crate::codec::properties::Property;
use crate::codec::QoS;

use super::super::note::Note;
use super::{Cx, Effect};

/// A device that answers requests.
#[derive(Debug, Clone, PartialEq)]
pub struct Responder {
    /// The request filter it subscribes to.
    pub topic: String,
    /// What it answers.
    pub reply: String,
    /// The QoS of its subscription and of its answers.
    pub qos: QoS,
    /// How it connects (MQTT 5.0: 3.1.1 has no Response Topic).
    pub options: ConnectOptions,
    /// Requests answered so far.
    pub answered: u32,
}

impl Responder {
    /// A responder that has answered nothing yet.
    pub fn new(topic: String, reply: String, options: ConnectOptions) -> Self {
        Responder {
            topic,
            reply,
            qos: QoS::AtMostOnce,
            options,
            answered: 0,
        }
    }

    /// The answer to a request with these properties: the Response Topic to
    /// publish to, and the properties to send (its Correlation Data, if any).
    pub fn answer_to(props: &[Property]) -> Option<(String, Vec<Property>)> {
        let topic = props.iter().find_map(|p| match p {
            Property::ResponseTopic(t) => Some(t.0.clone()),
            _ => None,
        })?;
        let correlation = props
            .iter()
            .filter(|p| matches!(p, Property::CorrelationData(_)))
            .cloned()
            .collect();
        Some((topic, correlation))
    }

    pub(super) fn start(&mut self, cx: &mut Cx) {
        cx.effects
            .push(Effect::Connect(Box::new(self.options.clone())));
    }

    pub(super) fn on_event(&mut self, cx: &mut Cx, ev: &ClientEvent) {
        match ev {
            ClientEvent::Connected { .. } => {
                let _ = cx
                    .client
                    .subscribe(cx.now, &[(self.topic.as_str(), self.qos)]);
            }
            ClientEvent::Message(m) => {
                let Some((topic, props)) = Self::answer_to(&m.properties) else {
                    return;
                };
                let sent = cx.client.publish_with(
                    cx.now,
                    &topic,
                    self.reply.clone().into_bytes(),
                    self.qos,
                    false,
                    props,
                );
                if sent.is_ok() {
                    self.answered += 1;
                    cx.state(Note::Answered { topic });
                }
            }
            ClientEvent::Disconnected { .. } => {
                *cx.wake = Some(cx.now + core::time::Duration::from_secs(5));
            }
            _ => {}
        }
    }

    pub(super) fn on_wake(&mut self, cx: &mut Cx) {
        if cx.client.state() == crate::client::ConnectionState::Disconnected {
            cx.effects
                .push(Effect::Connect(Box::new(self.options.clone())));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::Client;
    use crate::codec::properties::{CorrelationData, ResponseTopic, UserProperty};
    use crate::codec::{v5, AnyPacket, Protocol, Publish, QosPid};
    use crate::rng::SplitMix64;
    use crate::time::Instant;
    use crate::topic::TopicName;
    use bytes::Bytes;

    fn request(props: Vec<Property>) -> ClientEvent {
        ClientEvent::Message(crate::client::Message {
            publish: Publish {
                dup: false,
                qospid: QosPid::AtMostOnce,
                retain: false,
                topic: TopicName::new("casa/termostato/get").unwrap(),
                payload: Bytes::from_static(b"setpoint"),
            },
            properties: props,
        })
    }

    /// A connected 5.0 client and a responder on it.
    fn connected() -> (Client, Responder) {
        let mut o = ConnectOptions::new("termostato");
        o.protocol = Protocol::V5;
        let r = Responder::new("casa/termostato/get".into(), "21.5".into(), o.clone());
        let mut client = Client::new();
        client.connect(Instant::ZERO, o).unwrap();
        client.handle_packet_v5(
            Instant::ZERO,
            v5::Packet::Connack(v5::Connack {
                session_present: false,
                reason: crate::codec::reason_codes::ConnackReasonCode::Success,
                properties: vec![],
            }),
        );
        while client.poll_transmit().is_some() {}
        while client.poll_event().is_some() {}
        (client, r)
    }

    fn handle(client: &mut Client, r: &mut Responder, ev: &ClientEvent) -> Vec<Effect> {
        let mut rng = SplitMix64::new(1);
        let mut wake = None;
        let mut cx = Cx {
            now: Instant::ZERO,
            client,
            rng: &mut rng,
            wake: &mut wake,
            coupled: None,
            effects: Vec::new(),
        };
        r.on_event(&mut cx, ev);
        cx.effects
    }

    #[test]
    fn a_request_is_answered_on_its_response_topic_with_its_correlation_data() {
        let (mut client, mut r) = connected();
        let props = vec![
            ResponseTopic("app/resposta".into()).into(),
            UserProperty(("sala".into(), "101".into())).into(),
            CorrelationData(Bytes::from_static(b"pedido-7")).into(),
        ];
        let effects = handle(&mut client, &mut r, &request(props));
        assert_eq!(
            effects,
            vec![Effect::State(Note::Answered {
                topic: "app/resposta".into()
            })]
        );
        assert_eq!(r.answered, 1);
        let sent = client.poll_transmit().expect("the answer");
        let Some(v5::Packet::Publish(p)) = sent.v5.as_deref() else {
            panic!("{sent:?}")
        };
        assert_eq!(p.topic.as_ref().map(|t| t.as_str()), Some("app/resposta"));
        assert_eq!(&p.payload[..], b"21.5");
        // Only the Correlation Data goes back, unchanged.
        assert_eq!(
            p.properties,
            vec![CorrelationData(Bytes::from_static(b"pedido-7")).into()]
        );
        // Its bytes decode as the same 5.0 PUBLISH.
        let (back, _) = crate::codec::decode_any(&sent.bytes, 1 << 20, Some(Protocol::V5))
            .unwrap()
            .unwrap();
        assert!(matches!(back, AnyPacket::V5(v5::Packet::Publish(_))));
    }

    #[test]
    fn a_request_without_a_response_topic_gets_no_answer() {
        let (mut client, mut r) = connected();
        let props = vec![CorrelationData(Bytes::from_static(b"x")).into()];
        assert_eq!(handle(&mut client, &mut r, &request(props)), vec![]);
        assert_eq!(handle(&mut client, &mut r, &request(vec![])), vec![]);
        assert!(client.poll_transmit().is_none());
        assert_eq!(r.answered, 0);
    }

    #[test]
    fn it_subscribes_to_its_request_topic_once_connected() {
        let (mut client, mut r) = connected();
        handle(
            &mut client,
            &mut r,
            &ClientEvent::Connected {
                session_present: false,
            },
        );
        let sent = client.poll_transmit().expect("SUBSCRIBE");
        let Some(v5::Packet::Subscribe(s)) = sent.v5.as_deref() else {
            panic!("{sent:?}")
        };
        assert_eq!(s.topics[0].filter.as_str(), "casa/termostato/get");
    }
}
