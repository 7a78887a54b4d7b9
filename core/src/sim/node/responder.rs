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
use super::{subscribed, Cx};

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
        subscribed::connect(cx, &self.options);
    }

    pub(super) fn on_event(&mut self, cx: &mut Cx, ev: &ClientEvent) {
        let Some(m) = subscribed::on_event(cx, ev, &self.topic, self.qos) else {
            return;
        };
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

    pub(super) fn on_wake(&mut self, cx: &mut Cx) {
        subscribed::on_wake(cx, &self.options);
    }
}
