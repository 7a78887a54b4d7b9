//! Retained messages: the last message published with RETAIN=1 on each topic.

use std::collections::BTreeMap;

use crate::topic::{TopicFilter, TopicName};

use super::{Limit, Message};

/// One retained message per topic, ordered by topic.
#[derive(Debug, Clone, Default)]
pub struct RetainedStore {
    by_topic: BTreeMap<TopicName, Message>,
    /// The payload bytes of every retained message.
    bytes: usize,
}

/// What storing a retained message did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetainChange {
    /// A new topic got a retained message.
    Stored,
    /// The topic's retained message was replaced (MQTT-3.3.1-5).
    Replaced,
    /// An empty payload removed the topic's retained message (MQTT-3.3.1-10/11).
    Cleared,
    /// An empty payload on a topic without a retained message.
    Nothing,
}

impl RetainedStore {
    /// Stores, replaces or (on an empty payload) clears the topic's message.
    pub fn store(&mut self, msg: &Message) -> RetainChange {
        if msg.payload.is_empty() {
            return match self.by_topic.remove(&msg.topic) {
                Some(old) => {
                    self.bytes -= old.payload.len();
                    RetainChange::Cleared
                }
                None => RetainChange::Nothing,
            };
        }
        self.bytes += msg.payload.len();
        match self.by_topic.insert(msg.topic.clone(), msg.clone()) {
            Some(old) => {
                self.bytes -= old.payload.len();
                RetainChange::Replaced
            }
            None => RetainChange::Stored,
        }
    }

    /// The limit storing `msg` would break, if any: a new topic beyond
    /// `max_messages`, or more than `max_bytes` payload bytes in all (0: no
    /// limit). Clearing or replacing with no more bytes is always allowed.
    pub fn refuses(&self, msg: &Message, max_messages: usize, max_bytes: usize) -> Option<Limit> {
        if msg.payload.is_empty() {
            return None;
        }
        let old = self.by_topic.get(&msg.topic).map(|m| m.payload.len());
        if old.is_none() && max_messages > 0 && self.by_topic.len() >= max_messages {
            return Some(Limit::RetainedMessages);
        }
        let after = self.bytes - old.unwrap_or(0) + msg.payload.len();
        if max_bytes > 0 && after > max_bytes && msg.payload.len() > old.unwrap_or(0) {
            return Some(Limit::RetainedBytes);
        }
        None
    }

    /// The payload bytes of every retained message.
    pub fn payload_bytes(&self) -> usize {
        self.bytes
    }

    /// The retained messages a new subscription to `filter` receives, by topic.
    pub fn matching<'a>(&'a self, filter: &'a TopicFilter) -> impl Iterator<Item = &'a Message> {
        self.by_topic
            .iter()
            .filter(move |(t, _)| filter.matches(t))
            .map(|(_, m)| m)
    }

    /// Every retained message, by topic.
    pub fn iter(&self) -> impl Iterator<Item = &Message> {
        self.by_topic.values()
    }

    /// How many topics hold a retained message.
    pub fn len(&self) -> usize {
        self.by_topic.len()
    }

    /// Whether no topic holds one.
    pub fn is_empty(&self) -> bool {
        self.by_topic.is_empty()
    }
}
