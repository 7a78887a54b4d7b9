//! Topic aliases (§3.3.2.3.4): a 5.0 client may stand for a topic by a number
//! up to the broker's Topic Alias Maximum, set by a PUBLISH carrying both and
//! used by later PUBLISHes with an empty topic. Alias 0, one above the maximum,
//! or one never set is a protocol error: DISCONNECT 0x94 (MQTT-3.3.2-7, -8, -9).
//! mosquitto 2.0.11 answers 0x82 for an unknown alias.
//!
//! Toward a client whose CONNECT allowed aliases (Topic Alias Maximum > 0) the
//! broker sets one per topic as it first sends to it, up to that maximum, and
//! sends later PUBLISHes on the topic with the alias alone (MQTT-3.3.2-10/11:
//! never above the client's maximum). Aliases live as long as the connection
//! (MQTT-3.3.2-7). mosquitto 2.0.11 sends no aliases.

use crate::codec::properties::TopicAlias;
use crate::codec::v5;
use crate::topic::TopicName;

use super::{Broker, ConnId};

impl Broker {
    /// The topic a PUBLISH from `conn` is for: its own, remembered under its
    /// alias if it sets one, or the one its alias stands for.
    pub(super) fn resolve_alias(
        &mut self,
        conn: ConnId,
        p: &v5::Publish,
    ) -> Result<TopicName, &'static str> {
        let alias = p.topic_alias();
        let max = self.config.v5.topic_alias_maximum;
        let Some(c) = self.conns.get_mut(&conn) else {
            return Err("no connection");
        };
        match (alias, &p.topic) {
            (None, Some(t)) => Ok(t.clone()),
            (None, None) => Err("a PUBLISH without topic name or topic alias"),
            (Some(0), _) => Err("topic alias 0"),
            (Some(a), _) if a > max => Err("a topic alias above the Topic Alias Maximum"),
            (Some(a), Some(t)) => {
                let aliases = c.aliases.get_or_insert_with(Default::default);
                aliases.inbound.insert(a, t.clone());
                Ok(t.clone())
            }
            (Some(a), None) => c
                .aliases
                .as_ref()
                .and_then(|x| x.inbound.get(&a))
                .cloned()
                .ok_or("a topic alias that was never set"),
        }
    }

    /// Puts the alias of the PUBLISH's topic on it, for a 5.0 client that takes
    /// aliases: the alias alone if the topic has one, else a new alias with the
    /// topic while there are free ones. Returns the alias it set up, if new.
    pub(super) fn alias_out(&mut self, conn: ConnId, p: &mut v5::Publish) -> Option<u16> {
        let c = self.conns.get_mut(&conn)?;
        let max = c.peer_limits.topic_alias_maximum;
        if !c.is_v5() || max == 0 {
            return None;
        }
        let topic = p.topic.clone()?;
        let aliases = c.aliases.get_or_insert_with(Default::default);
        if let Some(&a) = aliases.outbound.get(&topic) {
            p.topic = None;
            p.properties.push(TopicAlias(a).into());
            return None;
        }
        let next = u16::try_from(aliases.outbound.len() + 1).ok()?;
        if next > max {
            return None;
        }
        aliases.outbound.insert(topic, next);
        p.properties.push(TopicAlias(next).into());
        Some(next)
    }

    /// The PUBLISH that set up `alias` was not sent: the client never learnt it.
    pub(super) fn forget_new_alias(&mut self, conn: ConnId, alias: Option<u16>) {
        let (Some(a), Some(c)) = (alias, self.conns.get_mut(&conn)) else {
            return;
        };
        if let Some(x) = c.aliases.as_mut() {
            x.outbound.retain(|_, v| *v != a);
        }
    }
}
