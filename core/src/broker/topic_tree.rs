//! Every topic seen, as a tree, the way MQTT Explorer shows a broker: each
//! level a node; each topic with its last payload, how many messages it had,
//! whether its last message was retained, and its recent numeric values for a
//! sparkline.
//!
//! One model, fed from two places: the broker records every message it routes
//! (the simulator's broker state, with
//! [`BrokerConfig::topic_tree`](super::BrokerConfig::topic_tree)), and the web's
//! real-broker page records every message its client receives. Both draw
//! [`TopicTree::rows`].
//!
//! Children are kept in a `BTreeMap`, so rows come in the same order on every
//! platform; numbers are kept as `f64` and only formatted at the edge.

use std::collections::{BTreeMap, VecDeque};

use crate::time::Instant;

/// How many numeric values each topic keeps for its sparkline.
pub const HISTORY: usize = 40;

/// At most this many topics are kept; messages on new topics beyond it are
/// counted in [`TopicTree::untracked`] (a world of thousands of sensors must not
/// grow the tree without bound).
pub const MAX_TOPICS: usize = 5_000;

/// How many bytes of a payload are kept for the "last value" column.
pub const PREVIEW_BYTES: usize = 120;

/// What a topic holds.
#[derive(Debug, Clone, Default, PartialEq)]
struct Leaf {
    /// The last payload, cut to [`PREVIEW_BYTES`].
    last: Vec<u8>,
    /// Its full length.
    last_len: usize,
    /// When it came.
    at: Instant,
    /// Messages on this topic.
    count: u64,
    /// Whether the last message was retained (and not a clearing one).
    retained: bool,
    /// The recent numeric payloads, oldest first.
    values: VecDeque<f64>,
}

#[derive(Debug, Clone, Default, PartialEq)]
struct Node {
    children: BTreeMap<String, Node>,
    leaf: Option<Leaf>,
    /// Messages on this node and below.
    total: u64,
    /// Topics (nodes with a message) at this node and below.
    topics: usize,
}

/// Every topic seen. See the [module documentation](self).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TopicTree {
    root: Node,
    untracked: u64,
}

/// One row of the tree, in pre-order (a parent before its children, children
/// by name): what a view draws, indented by `depth`.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TopicRow {
    /// The full topic of this level (`casa/sala/temp`).
    pub path: String,
    /// This level's name (`temp`; may be empty, as in `a//b`).
    pub name: String,
    /// 0 for a first level.
    pub depth: usize,
    /// How many levels hang directly below.
    pub children: usize,
    /// Topics with messages at this level and below.
    pub topics: usize,
    /// Messages at this level and below.
    pub messages: u64,
    /// Whether a message was published on exactly this topic.
    pub is_topic: bool,
    /// The last payload on this topic, as text (lossy UTF-8, cut), if any.
    pub last: Option<String>,
    /// The last payload's full length in bytes.
    pub last_len: usize,
    /// Whether that payload is not text (shown as a length).
    pub binary: bool,
    /// Messages on exactly this topic.
    pub count: u64,
    /// Whether the last message was retained.
    pub retained: bool,
    /// When the last message came (microseconds since the driver's origin).
    pub at_micros: u64,
    /// The recent numeric values, oldest first (empty unless the payloads
    /// are numbers).
    pub values: Vec<f64>,
}

/// The number a payload reads as, if it is one: `21.5`, ` 3 `, `-1e3`, or a
/// number then a unit word (`12 seconds`, mosquitto's uptime). Not NaN or
/// infinite.
pub fn numeric(payload: &[u8]) -> Option<f64> {
    let s = std::str::from_utf8(payload).ok()?.trim();
    let first = s.split_whitespace().next()?;
    let rest_is_unit = s[first.len()..]
        .trim()
        .chars()
        .all(|c| c.is_alphabetic() || c == '%' || c == '°' || c.is_whitespace());
    if !rest_is_unit {
        return None;
    }
    first.parse::<f64>().ok().filter(|v| v.is_finite())
}

impl TopicTree {
    /// An empty tree.
    pub fn new() -> Self {
        TopicTree::default()
    }

    /// A message on `topic` at `now`. A retained message with an empty payload
    /// clears the retained mark (MQTT-3.3.1-10) and is counted, but keeps the
    /// last value shown.
    pub fn record(&mut self, now: Instant, topic: &str, payload: &[u8], retain: bool) {
        let levels: Vec<&str> = topic.split('/').collect();
        let new_topic = !self.contains(topic);
        if new_topic && self.root.topics >= MAX_TOPICS {
            self.untracked += 1;
            return;
        }
        let mut node = &mut self.root;
        node.total += 1;
        if new_topic {
            node.topics += 1;
        }
        for level in levels {
            node = node.children.entry(level.to_owned()).or_default();
            node.total += 1;
            if new_topic {
                node.topics += 1;
            }
        }
        let leaf = node.leaf.get_or_insert_with(Leaf::default);
        leaf.count += 1;
        leaf.at = now;
        if retain && payload.is_empty() {
            leaf.retained = false;
            return;
        }
        leaf.retained = retain;
        leaf.last_len = payload.len();
        leaf.last = payload[..payload.len().min(PREVIEW_BYTES)].to_vec();
        if let Some(v) = numeric(payload) {
            if leaf.values.len() == HISTORY {
                leaf.values.pop_front();
            }
            leaf.values.push_back(v);
        }
    }

    /// Whether a message was recorded on exactly `topic`.
    pub fn contains(&self, topic: &str) -> bool {
        let mut node = &self.root;
        for level in topic.split('/') {
            match node.children.get(level) {
                Some(n) => node = n,
                None => return false,
            }
        }
        node.leaf.is_some()
    }

    /// How many topics have had a message.
    pub fn topics(&self) -> usize {
        self.root.topics
    }

    /// How many messages were recorded, in all.
    pub fn messages(&self) -> u64 {
        self.root.total
    }

    /// Messages on topics beyond [`MAX_TOPICS`], not recorded.
    pub fn untracked(&self) -> u64 {
        self.untracked
    }

    /// Forgets everything.
    pub fn clear(&mut self) {
        *self = TopicTree::default();
    }

    /// Every level, in pre-order: a parent, then its children by name.
    pub fn rows(&self) -> Vec<TopicRow> {
        let mut out = Vec::with_capacity(self.root.topics * 2);
        for (name, child) in &self.root.children {
            push_rows(&mut out, child, name, name.clone(), 0);
        }
        out
    }
}

fn push_rows(out: &mut Vec<TopicRow>, node: &Node, name: &str, path: String, depth: usize) {
    let leaf = node.leaf.as_ref();
    let text = leaf.map(|l| std::str::from_utf8(&l.last).map(str::to_owned));
    out.push(TopicRow {
        name: name.to_owned(),
        depth,
        children: node.children.len(),
        topics: node.topics,
        messages: node.total,
        is_topic: leaf.is_some(),
        binary: matches!(text, Some(Err(_))),
        last: leaf.map(|l| String::from_utf8_lossy(&l.last).into_owned()),
        last_len: leaf.map_or(0, |l| l.last_len),
        count: leaf.map_or(0, |l| l.count),
        retained: leaf.is_some_and(|l| l.retained),
        at_micros: leaf.map_or(0, |l| l.at.as_micros()),
        values: leaf.map_or_else(Vec::new, |l| l.values.iter().copied().collect()),
        path: path.clone(),
    });
    for (child_name, child) in &node.children {
        let child_path = format!("{path}/{child_name}");
        push_rows(out, child, child_name, child_path, depth + 1);
    }
}

/// The points of a sparkline of `values` in a `width` x `height` box, for an
/// SVG `<polyline points="...">`: oldest at the left, the smallest value at the
/// bottom; a flat line through the middle when all are equal. Fewer than two
/// values draw nothing (`None`).
pub fn sparkline_points(values: &[f64], width: f64, height: f64) -> Option<String> {
    if values.len() < 2 {
        return None;
    }
    let (lo, hi) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    let span = hi - lo;
    let step = width / (values.len() - 1) as f64;
    let points: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let y = if span > 0.0 {
                height - (v - lo) / span * height
            } else {
                height / 2.0
            };
            format!("{:.1},{:.1}", i as f64 * step, y)
        })
        .collect();
    Some(points.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(secs: u64) -> Instant {
        Instant::from_secs(secs)
    }

    #[test]
    fn levels_become_nodes_in_name_order_with_counts() {
        let mut tree = TopicTree::new();
        tree.record(t(1), "casa/sala/temp", b"21.5", false);
        tree.record(t(2), "casa/quarto/temp", b"19", true);
        tree.record(t(3), "casa/sala/temp", b"21.7", false);
        tree.record(t(4), "$SYS/broker/uptime", b"4 seconds", true);
        let rows = tree.rows();
        let paths: Vec<(&str, usize)> = rows.iter().map(|r| (r.path.as_str(), r.depth)).collect();
        assert_eq!(
            paths,
            [
                ("$SYS", 0),
                ("$SYS/broker", 1),
                ("$SYS/broker/uptime", 2),
                ("casa", 0),
                ("casa/quarto", 1),
                ("casa/quarto/temp", 2),
                ("casa/sala", 1),
                ("casa/sala/temp", 2),
            ]
        );
        let casa = &rows[3];
        assert_eq!((casa.topics, casa.messages, casa.children), (2, 3, 2));
        assert!(!casa.is_topic && casa.last.is_none());
        let sala = &rows[7];
        assert_eq!(sala.name, "temp");
        assert_eq!(sala.last.as_deref(), Some("21.7"));
        assert_eq!((sala.count, sala.retained), (2, false));
        assert_eq!(sala.values, [21.5, 21.7]);
        assert_eq!(sala.at_micros, 3_000_000);
        assert!(rows[5].retained);
        assert_eq!(rows[2].values, [4.0], "uptime reads as a number");
        assert_eq!((tree.topics(), tree.messages()), (3, 4));
    }

    #[test]
    fn a_topic_can_have_children_and_a_value() {
        let mut tree = TopicTree::new();
        tree.record(t(0), "a", b"1", false);
        tree.record(t(0), "a/b", b"2", false);
        tree.record(t(0), "a//c", b"x", false);
        let rows = tree.rows();
        assert_eq!(rows[0].path, "a");
        assert!(rows[0].is_topic);
        assert_eq!(rows[0].children, 2);
        assert_eq!(rows[0].topics, 3);
        assert_eq!(rows[1].path, "a/", "an empty level is a node");
        assert_eq!(rows[2].path, "a//c");
        assert_eq!(rows[3].path, "a/b");
    }

    #[test]
    fn an_empty_retained_message_clears_the_mark_but_keeps_the_value() {
        let mut tree = TopicTree::new();
        tree.record(t(0), "x", b"on", true);
        tree.record(t(1), "x", b"", true);
        let r = &tree.rows()[0];
        assert!(!r.retained);
        assert_eq!(r.last.as_deref(), Some("on"));
        assert_eq!(r.count, 2);
    }

    #[test]
    fn binary_payloads_are_marked_and_long_ones_cut() {
        let mut tree = TopicTree::new();
        tree.record(t(0), "bin", &[0xff, 0xfe, 0x00], false);
        tree.record(t(0), "long", &[b'a'; 1000], false);
        let rows = tree.rows();
        assert!(rows[0].binary);
        assert_eq!(rows[0].last_len, 3);
        assert_eq!(rows[1].last.as_ref().map(String::len), Some(PREVIEW_BYTES));
        assert_eq!(rows[1].last_len, 1000);
    }

    #[test]
    fn history_keeps_the_last_values_only() {
        let mut tree = TopicTree::new();
        for i in 0..(HISTORY as u64 + 10) {
            tree.record(t(i), "n", i.to_string().as_bytes(), false);
            tree.record(t(i), "n", b"not a number", false);
        }
        let r = &tree.rows()[0];
        assert_eq!(r.values.len(), HISTORY);
        assert_eq!(r.values[0], 10.0);
        assert_eq!(r.count, 2 * (HISTORY as u64 + 10));
    }

    #[test]
    fn numbers_and_not_numbers() {
        assert_eq!(numeric(b"21.5"), Some(21.5));
        assert_eq!(numeric(b" -3 "), Some(-3.0));
        assert_eq!(numeric(b"12 seconds"), Some(12.0));
        assert_eq!(numeric(b"55 %"), Some(55.0));
        assert_eq!(numeric(b"on"), None);
        assert_eq!(numeric(b"1 2"), None);
        assert_eq!(numeric(b"NaN"), None);
        assert_eq!(numeric(b"inf"), None);
        assert_eq!(numeric(b"{\"t\":1}"), None);
        assert_eq!(numeric(&[0xff]), None);
        assert_eq!(numeric(b""), None);
    }

    #[test]
    fn the_tree_is_bounded() {
        let mut tree = TopicTree::new();
        for i in 0..MAX_TOPICS + 3 {
            tree.record(t(0), &format!("s/{i}"), b"1", false);
        }
        tree.record(t(0), "s/0", b"2", false);
        assert_eq!(tree.topics(), MAX_TOPICS);
        assert_eq!(tree.untracked(), 3);
        assert_eq!(tree.messages(), MAX_TOPICS as u64 + 1);
    }

    #[test]
    fn sparkline_spans_the_box() {
        assert_eq!(sparkline_points(&[1.0], 60.0, 16.0), None);
        assert_eq!(
            sparkline_points(&[0.0, 5.0, 10.0], 60.0, 16.0).as_deref(),
            Some("0.0,16.0 30.0,8.0 60.0,0.0")
        );
        assert_eq!(
            sparkline_points(&[3.0, 3.0], 10.0, 10.0).as_deref(),
            Some("0.0,5.0 10.0,5.0")
        );
    }
}
