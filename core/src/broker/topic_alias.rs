//! Topic aliases (§3.3.2.3.4): a 5.0 client may stand for a topic by a number
//! up to the broker's Topic Alias Maximum, set by a PUBLISH carrying both and
//! used by later PUBLISHes with an empty topic. Alias 0, one above the maximum,
//! or one never set is a protocol error: DISCONNECT 0x94 (MQTT-3.3.2-7, -8, -9).
//! mosquitto 2.0.11 answers 0x82 for an unknown alias.

use crate::codec::properties::Property;
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
        let alias = p.properties.iter().find_map(|p| match p {
            Property::TopicAlias(a) => Some(a.0),
            _ => None,
        });
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
                c.aliases_in.insert(a, t.clone());
                Ok(t.clone())
            }
            (Some(a), None) => c
                .aliases_in
                .get(&a)
                .cloned()
                .ok_or("a topic alias that was never set"),
        }
    }
}
