//! The Last Will: published when a connection ends any way but DISCONNECT
//! (MQTT-3.1.2-8), with its QoS and RETAIN flag (MQTT-3.1.2-14..17).

use crate::codec::LastWill;
use crate::time::Instant;

use super::{Broker, BrokerEvent, Message};

impl Broker {
    pub(super) fn publish_will(
        &mut self,
        now: Instant,
        client_id: &str,
        username: Option<&str>,
        will: LastWill,
    ) {
        if let Some(acl) = &self.config.acl {
            if !acl.may_publish(client_id, username, &will.topic) {
                return;
            }
        }
        self.event(BrokerEvent::WillPublished {
            client_id: client_id.to_owned(),
            topic: will.topic.clone(),
            qos: will.qos,
            retain: will.retain,
        });
        self.route(
            now,
            client_id,
            Message {
                topic: will.topic,
                payload: will.message,
                qos: will.qos,
                retain: will.retain,
            },
        );
    }
}
