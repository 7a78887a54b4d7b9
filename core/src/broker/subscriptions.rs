//! The subscription store: which client asked for which filter, with which
//! options (QoS, and 5.0's No Local, Retain As Published and Subscription
//! Identifier), and the shared subscriptions `$share/GROUP/FILTER` (§4.8.2).
//!
//! A shared subscription's group gets each matching message once, at one member,
//! chosen in a fixed order: the members in the order they joined, round-robin
//! from the one after the last chosen, the first that is connected; when none
//! is, the one whose turn it is (its session keeps the message).

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::codec::QoS;
use crate::topic::{TopicFilter, TopicName};

/// How a client subscribed to a filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubOptions {
    /// The granted QoS.
    pub qos: QoS,
    /// No Local: not the client's own messages (MQTT-3.8.3-3).
    pub no_local: bool,
    /// Retain As Published: forward RETAIN as published (MQTT-3.3.1-12, -13).
    pub retain_as_published: bool,
    /// The Subscription Identifier of the SUBSCRIBE, if any.
    pub id: Option<u32>,
}

impl SubOptions {
    /// A 3.1.1 subscription: QoS only.
    pub fn qos(qos: QoS) -> Self {
        SubOptions {
            qos,
            no_local: false,
            retain_as_published: false,
            id: None,
        }
    }
}

/// What one delivery to one client is made of, from every subscription of the
/// client that matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matched {
    /// The highest granted QoS among them.
    pub qos: QoS,
    /// Whether one of them asked Retain As Published.
    pub retain_as_published: bool,
    /// Every Subscription Identifier among them, in filter order
    /// (MQTT-3.3.4-3: one delivery carries them all).
    pub ids: Vec<u32>,
    /// The shared subscription (`$share/GROUP/FILTER`) it came through, if so.
    pub shared: Option<String>,
}

/// One filter's subscribers, by client identifier: a sorted `Vec`, not a
/// `BTreeMap`, whose first entry alone allocates a whole leaf of eleven (408
/// bytes). Most filters have one subscriber (a device's own topic): with
/// 10,000 persistent sessions each subscribed to a topic of its own
/// (the adversarial suite's case) the leaves were 3.4 MB, the entries are
/// 0.4 MB. Adding a subscriber moves the ones after it, as mosquitto walks its
/// list of them to find a client's own. Each client identifier is shared
/// (`Arc<str>`), so that a match hands it to the delivery without copying it:
/// a message to fifty subscribers made fifty `String`s.
#[derive(Debug, Clone, Default)]
struct Subscribers(Vec<(Arc<str>, SubOptions)>);

impl Subscribers {
    fn find(&self, client_id: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(c, _)| (**c).cmp(client_id))
    }
    /// Adds or replaces `client_id`'s options; the ones replaced, if any.
    fn insert(&mut self, client_id: &str, opts: SubOptions) -> Option<SubOptions> {
        match self.find(client_id) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, opts)),
            Err(i) => {
                self.0.insert(i, (client_id.into(), opts));
                None
            }
        }
    }
    fn remove(&mut self, client_id: &str) -> Option<SubOptions> {
        let i = self.find(client_id).ok()?;
        let (_, o) = self.0.remove(i);
        // A filter that had many subscribers and now has few gives the room back.
        if self.0.capacity() > 2 * self.0.len() + 4 {
            self.0.shrink_to_fit();
        }
        Some(o)
    }
    fn get(&self, client_id: &str) -> Option<&SubOptions> {
        self.find(client_id).ok().map(|i| &self.0[i].1)
    }
    fn contains_key(&self, client_id: &str) -> bool {
        self.find(client_id).is_ok()
    }
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    fn len(&self) -> usize {
        self.0.len()
    }
    /// Each subscriber with its options, in client identifier order.
    fn iter(&self) -> impl Iterator<Item = (&Arc<str>, &SubOptions)> {
        self.0.iter().map(|(c, o)| (c, o))
    }
}

/// A shared subscription's members, in the order they joined.
#[derive(Debug, Clone, Default)]
struct Group {
    members: Vec<(Arc<str>, SubOptions)>,
    /// Where the next round-robin turn starts.
    next: usize,
}

impl Group {
    /// The member whose turn it is: from `next`, the first connected one, else
    /// the one at `next`.
    fn take_turn(
        &mut self,
        key: &str,
        connected: &impl Fn(&str) -> bool,
    ) -> Option<(Arc<str>, Matched)> {
        let n = self.members.len();
        if n == 0 {
            return None;
        }
        let start = self.next % n;
        let i = (0..n)
            .map(|k| (start + k) % n)
            .find(|&i| connected(&self.members[i].0))
            .unwrap_or(start);
        self.next = (i + 1) % n;
        let (client, o) = &self.members[i];
        Some((
            client.clone(),
            Matched {
                qos: o.qos,
                retain_as_published: o.retain_as_published,
                ids: o.id.into_iter().collect(),
                shared: Some(key.to_owned()),
            },
        ))
    }
}

/// The parts of `$share/GROUP/FILTER`, if `filter` is one.
pub fn shared_parts(filter: &str) -> Option<(&str, &str)> {
    let rest = filter.strip_prefix("$share/")?;
    let (group, inner) = rest.split_once('/')?;
    Some((group, inner))
}

/// Every subscription of every client.
#[derive(Debug, Clone, Default)]
pub struct SubscriptionStore {
    exact: BTreeMap<String, Subscribers>,
    wild: BTreeMap<TopicFilter, Subscribers>,
    /// Shared subscriptions by their whole `$share/GROUP/FILTER`.
    shared: BTreeMap<String, (TopicFilter, Group)>,
    per_client: BTreeMap<String, usize>,
}

impl SubscriptionStore {
    /// Adds or replaces a subscription; `true` if it replaced one.
    pub fn subscribe(&mut self, client_id: &str, filter: TopicFilter, opts: SubOptions) -> bool {
        let existed = if let Some((_, inner)) = shared_parts(filter.as_str()) {
            let Ok(inner) = TopicFilter::new(inner) else {
                return false;
            };
            let (_, group) = self
                .shared
                .entry(filter.as_str().to_owned())
                .or_insert_with(|| (inner, Group::default()));
            match group.members.iter_mut().find(|(c, _)| **c == *client_id) {
                Some((_, o)) => {
                    *o = opts;
                    true
                }
                None => {
                    group.members.push((client_id.into(), opts));
                    false
                }
            }
        } else {
            let clients = if filter.has_wildcards() {
                self.wild.entry(filter).or_default()
            } else {
                self.exact.entry(filter.as_str().to_owned()).or_default()
            };
            clients.insert(client_id, opts).is_some()
        };
        if !existed {
            *self.per_client.entry(client_id.to_owned()).or_default() += 1;
        }
        existed
    }

    /// Whether `client_id` subscribes to exactly `filter`.
    pub fn contains(&self, client_id: &str, filter: &TopicFilter) -> bool {
        if shared_parts(filter.as_str()).is_some() {
            return self
                .shared
                .get(filter.as_str())
                .is_some_and(|(_, g)| g.members.iter().any(|(c, _)| **c == *client_id));
        }
        let clients = if filter.has_wildcards() {
            self.wild.get(filter)
        } else {
            self.exact.get(filter.as_str())
        };
        clients.is_some_and(|c| c.contains_key(client_id))
    }

    /// How many subscriptions a client has.
    pub fn count_of(&self, client_id: &str) -> usize {
        self.per_client.get(client_id).copied().unwrap_or(0)
    }

    /// Removes a subscription; `true` if there was one.
    pub fn unsubscribe(&mut self, client_id: &str, filter: &TopicFilter) -> bool {
        fn remove<K: Ord>(map: &mut BTreeMap<K, Subscribers>, key: &K, client_id: &str) -> bool {
            let Some(clients) = map.get_mut(key) else {
                return false;
            };
            let existed = clients.remove(client_id).is_some();
            if clients.is_empty() {
                map.remove(key);
            }
            existed
        }
        let existed = if shared_parts(filter.as_str()).is_some() {
            self.leave_group(filter.as_str(), client_id)
        } else if filter.has_wildcards() {
            remove(&mut self.wild, filter, client_id)
        } else {
            remove(&mut self.exact, &filter.as_str().to_owned(), client_id)
        };
        if existed {
            if let Some(n) = self.per_client.get_mut(client_id) {
                *n -= 1;
                if *n == 0 {
                    self.per_client.remove(client_id);
                }
            }
        }
        existed
    }

    fn leave_group(&mut self, key: &str, client_id: &str) -> bool {
        let Some((_, g)) = self.shared.get_mut(key) else {
            return false;
        };
        let Some(i) = g.members.iter().position(|(c, _)| **c == *client_id) else {
            return false;
        };
        g.members.remove(i);
        // The turn stays with the member that was next.
        if i < g.next {
            g.next -= 1;
        }
        if g.members.is_empty() {
            self.shared.remove(key);
        }
        true
    }

    /// Removes every subscription of a client.
    pub fn remove_client(&mut self, client_id: &str) {
        if self.per_client.remove(client_id).is_none() {
            return;
        }
        self.exact.retain(|_, clients| {
            clients.remove(client_id);
            !clients.is_empty()
        });
        self.wild.retain(|_, clients| {
            clients.remove(client_id);
            !clients.is_empty()
        });
        let keys: Vec<String> = self.shared.keys().cloned().collect();
        for k in keys {
            self.leave_group(&k, client_id);
        }
    }

    /// The clients whose non-shared subscriptions match `topic`, published by
    /// `publisher` (No Local leaves the publisher's own out), each once.
    pub fn matches(&self, topic: &TopicName, publisher: &str) -> BTreeMap<Arc<str>, Matched> {
        let mut out: BTreeMap<Arc<str>, Matched> = BTreeMap::new();
        let exact = self.exact.get(topic.as_str()).into_iter();
        let wild = self
            .wild
            .iter()
            .filter(|(f, _)| f.matches(topic))
            .map(|(_, c)| c);
        for clients in exact.chain(wild) {
            for (client, o) in clients.iter() {
                if o.no_local && **client == *publisher {
                    continue;
                }
                let m = out.entry(client.clone()).or_insert(Matched {
                    qos: o.qos,
                    retain_as_published: false,
                    ids: Vec::new(),
                    shared: None,
                });
                m.qos = m.qos.max(o.qos);
                m.retain_as_published |= o.retain_as_published;
                m.ids.extend(o.id);
            }
        }
        out
    }

    /// Whether a message on `topic` from `publisher` would reach anyone.
    pub fn any_match(&self, topic: &TopicName, publisher: &str) -> bool {
        !self.matches(topic, publisher).is_empty()
            || self.shared.values().any(|(inner, _)| inner.matches(topic))
    }

    /// For each shared subscription matching `topic`, the member that gets it
    /// (see the module documentation for the order); advances the turns.
    pub fn pick_shared(
        &mut self,
        topic: &TopicName,
        connected: impl Fn(&str) -> bool,
    ) -> Vec<(Arc<str>, Matched)> {
        self.shared
            .iter_mut()
            .filter(|(_, (inner, _))| inner.matches(topic))
            .filter_map(|(key, (_, g))| g.take_turn(key, &connected))
            .collect()
    }

    /// The member of one shared subscription whose turn it is, if it still
    /// has members: where a leaving member's messages go.
    pub fn shared_member(
        &mut self,
        key: &str,
        connected: impl Fn(&str) -> bool,
    ) -> Option<(Arc<str>, Matched)> {
        let (_, g) = self.shared.get_mut(key)?;
        g.take_turn(key, &connected)
    }

    /// A client's subscriptions, by filter.
    pub fn of_client(&self, client_id: &str) -> Vec<(TopicFilter, QoS)> {
        let exact = self.exact.iter().filter_map(|(f, c)| {
            let o = c.get(client_id)?;
            Some((TopicFilter::new(f.as_str()).ok()?, o.qos))
        });
        let wild = self
            .wild
            .iter()
            .filter_map(|(f, c)| c.get(client_id).map(|o| (f.clone(), o.qos)));
        let shared = self.shared.iter().filter_map(|(k, (_, g))| {
            let (_, o) = g.members.iter().find(|(c, _)| **c == *client_id)?;
            Some((TopicFilter::new(k.as_str()).ok()?, o.qos))
        });
        let mut all: Vec<_> = exact.chain(wild).chain(shared).collect();
        all.sort_by(|a, b| a.0.cmp(&b.0));
        all
    }

    /// Every shared subscription (`$share/GROUP/FILTER`, in its order) with its
    /// members in the order they joined, and whose turn is next.
    pub fn shared_groups(&self) -> Vec<(String, Vec<String>, Option<String>)> {
        self.shared
            .iter()
            .map(|(k, (_, g))| {
                let members: Vec<String> = g.members.iter().map(|(c, _)| c.to_string()).collect();
                let next = (!members.is_empty()).then(|| members[g.next % members.len()].clone());
                (k.clone(), members, next)
            })
            .collect()
    }

    /// How many subscriptions there are, in all.
    pub fn len(&self) -> usize {
        self.exact
            .values()
            .chain(self.wild.values())
            .map(Subscribers::len)
            .sum::<usize>()
            + self
                .shared
                .values()
                .map(|(_, g)| g.members.len())
                .sum::<usize>()
    }

    /// How many of them are shared subscriptions (`$share/...` memberships).
    pub fn shared_len(&self) -> usize {
        self.shared.values().map(|(_, g)| g.members.len()).sum()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.exact.is_empty() && self.wild.is_empty() && self.shared.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(s: &str) -> TopicFilter {
        TopicFilter::new(s).unwrap()
    }
    fn n(s: &str) -> TopicName {
        TopicName::new(s).unwrap()
    }

    #[test]
    fn overlapping_subscriptions_give_one_delivery_at_the_highest_qos() {
        let mut s = SubscriptionStore::default();
        s.subscribe("a", f("a/#"), SubOptions::qos(QoS::AtMostOnce));
        s.subscribe("a", f("a/b"), SubOptions::qos(QoS::ExactlyOnce));
        s.subscribe("b", f("+/b"), SubOptions::qos(QoS::AtLeastOnce));
        let m = s.matches(&n("a/b"), "");
        assert_eq!(m.len(), 2);
        assert_eq!(m["a"].qos, QoS::ExactlyOnce);
        assert_eq!(m["b"].qos, QoS::AtLeastOnce);
    }

    #[test]
    fn leading_wildcards_do_not_match_dollar_topics() {
        let mut s = SubscriptionStore::default();
        s.subscribe("a", f("#"), SubOptions::qos(QoS::AtMostOnce));
        s.subscribe("b", f("+/x"), SubOptions::qos(QoS::AtMostOnce));
        s.subscribe("c", f("$SYS/#"), SubOptions::qos(QoS::AtMostOnce));
        let m = s.matches(&n("$SYS/x"), "");
        assert_eq!(m.keys().map(|k| &**k).collect::<Vec<_>>(), ["c"]);
    }

    #[test]
    fn unsubscribe_and_remove_client() {
        let mut s = SubscriptionStore::default();
        assert!(!s.subscribe("a", f("t"), SubOptions::qos(QoS::AtMostOnce)));
        assert!(s.subscribe("a", f("t"), SubOptions::qos(QoS::AtLeastOnce)));
        s.subscribe("b", f("t"), SubOptions::qos(QoS::AtMostOnce));
        assert_eq!(s.count_of("a"), 1);
        assert!(s.unsubscribe("a", &f("t")));
        assert!(!s.unsubscribe("a", &f("t")));
        assert_eq!(s.count_of("a"), 0);
        assert!(s.contains("b", &f("t")));
        s.remove_client("b");
        assert!(s.is_empty());
        assert_eq!(s.count_of("b"), 0);
    }

    #[test]
    fn one_delivery_carries_every_matching_identifier_and_no_local_skips_the_publisher() {
        let mut s = SubscriptionStore::default();
        let with = |id, no_local| SubOptions {
            qos: QoS::AtLeastOnce,
            no_local,
            retain_as_published: false,
            id: Some(id),
        };
        s.subscribe("a", f("a/#"), with(1, false));
        s.subscribe("a", f("a/b"), with(2, true));
        let m = s.matches(&n("a/b"), "b");
        assert_eq!(m["a"].ids, [2, 1]);
        let m = s.matches(&n("a/b"), "a");
        assert_eq!(m["a"].ids, [1]);
    }

    #[test]
    fn a_shared_group_takes_turns_preferring_connected_members() {
        let mut s = SubscriptionStore::default();
        for c in ["x", "y", "z"] {
            s.subscribe(c, f("$share/g/t/#"), SubOptions::qos(QoS::AtLeastOnce));
        }
        s.subscribe("w", f("t/#"), SubOptions::qos(QoS::AtMostOnce));
        let all = |_: &str| true;
        let picks: Vec<String> = (0..4)
            .map(|_| s.pick_shared(&n("t/1"), all)[0].0.to_string())
            .collect();
        assert_eq!(picks, ["x", "y", "z", "x"]);
        // y is offline: its turn passes to z.
        let picks = s.pick_shared(&n("t/1"), |c| c != "y");
        assert_eq!(&*picks[0].0, "z");
        assert!(s.pick_shared(&n("u"), all).is_empty());
        // The non-shared subscriber is not a member.
        assert_eq!(
            s.matches(&n("t/1"), "")
                .keys()
                .map(|k| &**k)
                .collect::<Vec<_>>(),
            ["w"]
        );
        s.remove_client("x");
        assert_eq!(s.count_of("x"), 0);
        assert_eq!(s.len(), 3);
    }
}
