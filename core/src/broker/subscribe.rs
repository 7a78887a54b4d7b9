//! SUBSCRIBE and UNSUBSCRIBE (§3.8-§3.11): the ACL's SUBACK 0x80, and retained
//! messages sent on subscribe with RETAIN=1.

use crate::codec::{Packet, Suback, SubackReturnCode, Subscribe, Unsubscribe};
use crate::time::Instant;

use super::{Broker, BrokerEvent, ConnId, Limit, Message};

impl Broker {
    pub(super) fn on_subscribe(
        &mut self,
        now: Instant,
        conn: ConnId,
        client_id: &str,
        s: Subscribe,
    ) {
        let username = self.conns.get(&conn).and_then(|c| c.username.clone());
        self.log(now, || format!("Received SUBSCRIBE from {client_id}"));
        let mut codes = Vec::with_capacity(s.topics.len());
        let mut granted = Vec::new();
        for t in &s.topics {
            self.log(now, || format!("\t{} (QoS {})", t.filter, t.qos));
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
            let code = if allowed && limit.is_none() {
                self.subs.subscribe(client_id, t.filter.clone(), t.qos);
                self.log(now, || format!("{client_id} {} {}", t.qos, t.filter));
                granted.push((t.filter.clone(), t.qos));
                SubackReturnCode::Success(t.qos)
            } else {
                SubackReturnCode::Failure
            };
            codes.push(code);
            self.event(BrokerEvent::Subscribed {
                client_id: client_id.to_owned(),
                filter: t.filter.clone(),
                requested: t.qos,
                result: code,
            });
        }
        self.send(
            now,
            conn,
            client_id,
            Packet::Suback(Suback {
                pid: s.pid,
                return_codes: codes,
            }),
        );
        // Retained messages follow the SUBACK, with RETAIN=1 (MQTT-3.3.1-6), at
        // min(retained QoS, granted QoS).
        for (filter, qos) in granted {
            let msgs: Vec<Message> = self.retained.matching(&filter).cloned().collect();
            for m in msgs {
                if !self.may_read(client_id, &m.topic) {
                    continue;
                }
                let copy = Message {
                    qos: m.qos.min(qos),
                    retain: true,
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
        u: Unsubscribe,
    ) {
        self.log(now, || format!("Received UNSUBSCRIBE from {client_id}"));
        for f in &u.filters {
            self.log(now, || format!("\t{f}"));
            let existed = self.subs.unsubscribe(client_id, f);
            self.log(now, || format!("{client_id} {f}"));
            self.event(BrokerEvent::Unsubscribed {
                client_id: client_id.to_owned(),
                filter: f.clone(),
                existed,
            });
        }
        self.send(now, conn, client_id, Packet::Unsuback(u.pid));
    }
}
