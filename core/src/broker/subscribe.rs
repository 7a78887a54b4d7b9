//! SUBSCRIBE and UNSUBSCRIBE (§3.8-§3.11): a reason code per filter (a 3.1.1
//! client gets 0x80 for every refusal), and retained messages sent on subscribe
//! with RETAIN=1 as Retain Handling asks (§3.8.3.1).

use crate::codec::convert::suback_code_v3;
use crate::codec::properties::Property;
use crate::codec::reason_codes::{SubackReasonCode, UnsubackReasonCode};
use crate::codec::v5::{self, RetainHandling};
use crate::codec::QoS;
use crate::time::Instant;

use super::subscriptions::{shared_parts, SubOptions};
use super::{Broker, BrokerEvent, ConnId, Limit, Message};

fn granted_code(q: QoS) -> SubackReasonCode {
    match q {
        QoS::AtMostOnce => SubackReasonCode::GrantedQos0,
        QoS::AtLeastOnce => SubackReasonCode::GrantedQos1,
        QoS::ExactlyOnce => SubackReasonCode::GrantedQos2,
    }
}

impl Broker {
    pub(super) fn on_subscribe(
        &mut self,
        now: Instant,
        conn: ConnId,
        client_id: &str,
        s: v5::Subscribe,
    ) {
        self.log(now, || format!("Received SUBSCRIBE from {client_id}"));
        // One Subscription Identifier for every filter of the SUBSCRIBE
        // (§3.8.2.1.2).
        let id = s.properties.iter().find_map(|p| match p {
            Property::SubscriptionIdentifier(i) => Some(i.0),
            _ => None,
        });
        let username = self.conns.get(&conn).and_then(|c| c.username.clone());
        let mut codes = Vec::with_capacity(s.topics.len());
        let mut granted = Vec::new();
        for t in &s.topics {
            let qos = t.options.qos;
            self.log(now, || format!("\t{} (QoS {})", t.filter, qos));
            let allowed = self.config.acl.as_ref().is_none_or(|acl| {
                acl.may_subscribe(client_id, username.as_deref(), t.filter.as_str())
            });
            let max = self.config.max_subscriptions_per_client;
            let limit = self.config.topic_limit(t.filter.as_str()).or_else(|| {
                (max > 0
                    && self.subs.count_of(client_id) >= max
                    && !self.subs.contains(client_id, &t.filter))
                .then_some(Limit::SubscriptionsPerClient)
            });
            if let Some(limit) = limit {
                if limit != Limit::SubscriptionsPerClient {
                    self.stats.subscriptions_refused += 1;
                }
                self.limit_reached(now, client_id, limit, Some(t.filter.as_str()));
            }
            // mosquitto 2.0.11 shares `$share/GROUP/FILTER` for 3.1.1 clients
            // too (5.0's §4.8.2 form; 3.1.1 reserves nothing), and so does
            // this broker.
            let shared = shared_parts(t.filter.as_str()).is_some();
            let code = if !allowed {
                SubackReasonCode::NotAuthorized
            } else if let Some(limit) = limit {
                match limit {
                    Limit::SubscriptionsPerClient => SubackReasonCode::QuotaExceeded,
                    _ => SubackReasonCode::TopicFilterInvalid,
                }
            } else {
                let q = qos.min(self.config.v5.maximum_qos);
                let opts = SubOptions {
                    qos: q,
                    no_local: t.options.no_local,
                    retain_as_published: t.options.retain_as_published,
                    id,
                };
                let existed = self.subs.subscribe(client_id, t.filter.clone(), opts);
                self.log(now, || format!("{client_id} {} {}", q, t.filter));
                // No retained messages for a shared subscription (§4.8.2).
                let send_retained = !shared
                    && match t.options.retain_handling {
                        RetainHandling::SendAtSubscribe => true,
                        RetainHandling::SendIfNew => !existed,
                        RetainHandling::DoNotSend => false,
                    };
                if send_retained {
                    granted.push((t.filter.clone(), q, id));
                }
                granted_code(q)
            };
            codes.push(code);
            self.event(|| BrokerEvent::Subscribed {
                client_id: client_id.to_owned(),
                filter: t.filter.clone(),
                requested: qos,
                result: suback_code_v3(code),
            });
        }
        self.send(
            now,
            conn,
            client_id,
            v5::Packet::Suback(v5::Suback {
                pid: s.pid,
                properties: Vec::new(),
                reasons: codes,
            }),
        );
        // Retained messages follow the SUBACK, with RETAIN=1 (MQTT-3.3.1-6), at
        // min(retained QoS, granted QoS); expired ones are not sent
        // (MQTT-3.3.2-5).
        for (filter, qos, id) in granted {
            let msgs: Vec<Message> = self
                .retained
                .matching(&filter)
                .filter(|m| !m.is_expired(now))
                .cloned()
                .collect();
            for m in msgs {
                if !self.may_read(client_id, &m.topic) {
                    continue;
                }
                let copy = Message {
                    qos: m.qos.min(qos),
                    retain: true,
                    subscription_ids: id.into_iter().collect(),
                    ..m
                };
                self.deliver_retained(now, client_id, copy);
            }
        }
    }

    pub(super) fn on_unsubscribe(
        &mut self,
        now: Instant,
        conn: ConnId,
        client_id: &str,
        u: v5::Unsubscribe,
    ) {
        self.log(now, || format!("Received UNSUBSCRIBE from {client_id}"));
        let mut reasons = Vec::with_capacity(u.filters.len());
        for f in &u.filters {
            self.log(now, || format!("\t{f}"));
            let existed = self.subs.unsubscribe(client_id, f);
            self.log(now, || format!("{client_id} {f}"));
            reasons.push(if existed {
                UnsubackReasonCode::Success
            } else {
                UnsubackReasonCode::NoSubscriptionExisted
            });
            self.event(|| BrokerEvent::Unsubscribed {
                client_id: client_id.to_owned(),
                filter: f.clone(),
                existed,
            });
        }
        self.send(
            now,
            conn,
            client_id,
            v5::Packet::Unsuback(v5::Unsuback {
                pid: u.pid,
                properties: Vec::new(),
                reasons,
            }),
        );
    }
}
