//! The subscription store: which client asked for which filter at which QoS.

use std::collections::BTreeMap;

use crate::codec::QoS;
use crate::topic::{TopicFilter, TopicName};

type Subscribers = BTreeMap<String, QoS>;

/// Every subscription of every session, keyed by filter then client identifier.
/// Filters without wildcards are found by one lookup of the topic name; only
/// wildcard filters are scanned. Every map is ordered, so matching visits clients
/// in a fixed order.
#[derive(Debug, Clone, Default)]
pub struct SubscriptionStore {
    exact: BTreeMap<String, Subscribers>,
    wild: BTreeMap<TopicFilter, Subscribers>,
    /// How many subscriptions each client has (for `max_subscriptions_per_client`).
    per_client: BTreeMap<String, usize>,
}

impl SubscriptionStore {
    /// Adds or replaces (MQTT-3.8.4-3) a subscription. Returns whether one existed.
    pub fn subscribe(&mut self, client_id: &str, filter: TopicFilter, qos: QoS) -> bool {
        let clients = if filter.has_wildcards() {
            self.wild.entry(filter).or_default()
        } else {
            self.exact.entry(filter.as_str().to_owned()).or_default()
        };
        let existed = clients.insert(client_id.to_owned(), qos).is_some();
        if !existed {
            *self.per_client.entry(client_id.to_owned()).or_default() += 1;
        }
        existed
    }

    /// Whether `client_id` has a subscription to exactly `filter`.
    pub fn contains(&self, client_id: &str, filter: &TopicFilter) -> bool {
        let clients = if filter.has_wildcards() {
            self.wild.get(filter)
        } else {
            self.exact.get(filter.as_str())
        };
        clients.is_some_and(|c| c.contains_key(client_id))
    }

    /// How many subscriptions `client_id` has.
    pub fn count_of(&self, client_id: &str) -> usize {
        self.per_client.get(client_id).copied().unwrap_or(0)
    }

    /// Removes a subscription. Returns whether it existed.
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
        let existed = if filter.has_wildcards() {
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

    /// Removes every subscription of a client (its clean session ended).
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
    }

    /// The clients a message on `topic` goes to, each once, with the highest QoS
    /// granted across its matching subscriptions (MQTT-3.3.5-1).
    pub fn matches(&self, topic: &TopicName) -> BTreeMap<String, QoS> {
        let mut out: BTreeMap<String, QoS> =
            self.exact.get(topic.as_str()).cloned().unwrap_or_default();
        for (filter, clients) in &self.wild {
            if !filter.matches(topic) {
                continue;
            }
            for (client, &qos) in clients {
                let e = out.entry(client.clone()).or_insert(qos);
                *e = (*e).max(qos);
            }
        }
        out
    }

    /// A client's subscriptions, ordered by filter.
    pub fn of_client(&self, client_id: &str) -> Vec<(TopicFilter, QoS)> {
        let exact = self.exact.iter().filter_map(|(f, c)| {
            let q = c.get(client_id)?;
            Some((TopicFilter::new(f.as_str()).ok()?, *q))
        });
        let wild = self
            .wild
            .iter()
            .filter_map(|(f, c)| c.get(client_id).map(|q| (f.clone(), *q)));
        let mut all: Vec<_> = exact.chain(wild).collect();
        all.sort_by(|a, b| a.0.cmp(&b.0));
        all
    }

    /// How many (filter, client) pairs are stored.
    pub fn len(&self) -> usize {
        self.exact
            .values()
            .chain(self.wild.values())
            .map(BTreeMap::len)
            .sum()
    }

    /// Whether no subscription is stored.
    pub fn is_empty(&self) -> bool {
        self.exact.is_empty() && self.wild.is_empty()
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
        s.subscribe("a", f("a/#"), QoS::AtMostOnce);
        s.subscribe("a", f("a/b"), QoS::ExactlyOnce);
        s.subscribe("b", f("+/b"), QoS::AtLeastOnce);
        let m = s.matches(&n("a/b"));
        assert_eq!(m.len(), 2);
        assert_eq!(m["a"], QoS::ExactlyOnce);
        assert_eq!(m["b"], QoS::AtLeastOnce);
    }

    #[test]
    fn leading_wildcards_do_not_match_dollar_topics() {
        let mut s = SubscriptionStore::default();
        s.subscribe("a", f("#"), QoS::AtMostOnce);
        s.subscribe("b", f("+/x"), QoS::AtMostOnce);
        s.subscribe("c", f("$SYS/#"), QoS::AtMostOnce);
        let m = s.matches(&n("$SYS/x"));
        assert_eq!(m.keys().collect::<Vec<_>>(), ["c"]);
    }

    #[test]
    fn unsubscribe_and_remove_client() {
        let mut s = SubscriptionStore::default();
        assert!(!s.subscribe("a", f("t"), QoS::AtMostOnce));
        assert!(s.subscribe("a", f("t"), QoS::AtLeastOnce));
        s.subscribe("b", f("t"), QoS::AtMostOnce);
        assert_eq!(s.count_of("a"), 1);
        assert!(s.unsubscribe("a", &f("t")));
        assert!(!s.unsubscribe("a", &f("t")));
        assert_eq!(s.count_of("a"), 0);
        assert!(s.contains("b", &f("t")));
        s.remove_client("b");
        assert!(s.is_empty());
        assert_eq!(s.count_of("b"), 0);
    }
}
