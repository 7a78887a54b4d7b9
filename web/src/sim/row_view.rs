//! The worker's side of what the page's diagram shows ([`RowView`]): which rows
//! pass a [`RowFilter`], the window of them the page looks at, and the
//! zoomed-out summary (counts per stretch of time and lane pair).
//!
//! The page keeps only the window it draws; the rows stay in the worker. Both
//! the filter's index and the summary's counts grow with the rows, so an update
//! costs what is new, not what there is.

use std::collections::BTreeMap;

use mqttlab_core::topic;

use crate::components::sequence_diagram::{DiagramRow, RowKind, SentAt};

use super::protocol::{BucketRow, RowFilter, RowView, RowWindow};

/// Stretches of time the summary has at most: their length is a round number
/// of seconds (1, 2, 5, 10, 20, 30, 60, ...) chosen so that the run fits.
pub const MAX_BUCKETS: u64 = 60;

/// Rows the page is sent whole, window or not: a diagram of a lab or a small
/// scenario scrolls without waiting for the worker.
pub const ALL_ROWS_UP_TO: usize = 10_000;

/// More client lifelines than this and the summary counts all clients as one.
pub const MANY_LANES: usize = 16;

/// The topic of a PUBLISH row's label (`PUBLISH d1 q1 m7 casa/sala`), if it
/// shows one.
pub fn label_topic(label: &str) -> Option<&str> {
    let mut words = label.split(' ');
    if words.next() != Some("PUBLISH") {
        return None;
    }
    let flag = |w: &str| {
        matches!(w, "d1" | "r1" | "q0" | "q1" | "q2")
            || (w.len() > 1 && w.starts_with('m') && w[1..].bytes().all(|b| b.is_ascii_digit()))
    };
    words
        .find(|w| !flag(w))
        .filter(|w| *w != "alias" && *w != "\"\"")
}

/// A filter made ready for rows: the node's lifeline, the topic filter checked.
#[derive(Debug, Clone, PartialEq)]
struct Matcher {
    lane: Option<Option<usize>>,
    topic: Option<String>,
}

impl Matcher {
    fn new(filter: &RowFilter, lanes: &[String]) -> Matcher {
        let node = filter.node.trim();
        let topic = filter.topic.trim();
        Matcher {
            lane: (!node.is_empty()).then(|| lanes.iter().position(|l| l == node)),
            topic: (!topic.is_empty()).then(|| topic.to_string()),
        }
    }

    fn passes(&self, row: &DiagramRow) -> bool {
        if let Some(lane) = self.lane {
            let Some(lane) = lane else { return false };
            let on = match row.kind {
                RowKind::Packet { from, to, .. } => from == lane || to == lane,
                RowKind::Note { lane: l, .. } => l == lane,
            };
            if !on {
                return false;
            }
        }
        match &self.topic {
            None => true,
            Some(f) => label_topic(&row.label).is_some_and(|t| {
                topic::validate_filter(f).is_ok() && topic::matches(f, t) || t == f
            }),
        }
    }
}

/// The rows that pass a filter, found as rows come.
#[derive(Debug)]
struct Index {
    filter: RowFilter,
    matcher: Matcher,
    lanes: usize,
    /// Rows read.
    read: usize,
    /// Indices of the rows that passed.
    passed: Vec<u32>,
}

/// A line of the summary: its stretch (or second), its ends (`None`: clients)
/// and its packet type.
type Group<W> = (u64, Option<usize>, Option<usize>, W);

/// The summary's counts, kept per second as rows come.
#[derive(Debug, Default)]
struct Counts {
    filter: Option<RowFilter>,
    read: usize,
    last_us: u64,
    /// (second, from, to, what) → (rows, lost).
    per_second: BTreeMap<Group<String>, (u64, u64)>,
}

/// What the page shows of the rows, and what it was last sent.
#[derive(Debug, Default)]
pub struct RowViews {
    /// What the page asked for (`None`: it said nothing; every new row is sent).
    view: Option<RowView>,
    index: Option<Index>,
    counts: Counts,
    /// Rows sent while the page said nothing.
    sent_all: usize,
    /// The window last sent: its first row, its length, and the filter (what
    /// the page holds).
    sent_window: Option<(usize, usize, RowFilter)>,
    /// The summary's rows last sent.
    sent_buckets: Option<Vec<BucketRow>>,
}

/// The packet type a row shows (`PUBLISH`, `TCP FIN`), empty for a note.
fn what(row: &DiagramRow) -> String {
    match row.kind {
        RowKind::Note { .. } => String::new(),
        RowKind::Packet { .. } if row.label.starts_with("TCP ") => {
            row.label.split(' ').take(2).collect::<Vec<_>>().join(" ")
        }
        RowKind::Packet { .. } => row.label.split(' ').next().unwrap_or("").to_string(),
    }
}

/// A round length of stretch, in seconds, for a run of `span_s` seconds.
pub fn bucket_seconds(span_s: u64) -> u64 {
    const ROUND: [u64; 12] = [1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1_200, 3_600];
    let want = span_s.div_ceil(MAX_BUCKETS).max(1);
    ROUND
        .iter()
        .copied()
        .find(|&r| r >= want)
        .unwrap_or(want.div_ceil(3_600) * 3_600)
}

/// What row `i` (of the rows that pass) becomes in a window: a filtered
/// window's arrows start at the position of the first row shown at or after
/// their sending.
fn placed(row: &DiagramRow, passed: Option<&[u32]>) -> DiagramRow {
    let mut row = row.clone();
    if let (Some(passed), Some(sent)) = (passed, row.sent.as_mut()) {
        *sent = SentAt {
            time_us: sent.time_us,
            row: passed.partition_point(|&k| (k as usize) < sent.row),
        };
    }
    row
}

impl RowViews {
    /// What the page asked for.
    pub fn view(&self) -> Option<&RowView> {
        self.view.as_ref()
    }

    /// The same view of a new world's rows (nothing sent of them yet).
    pub fn carry(&self) -> RowViews {
        RowViews {
            view: self.view.clone(),
            ..RowViews::default()
        }
    }

    /// The page asks for `view`: the next update sends what it does not hold
    /// of it.
    pub fn set(&mut self, view: RowView) {
        if self.view.is_none() {
            // The page holds every row sent so far.
            self.sent_window = Some((0, self.sent_all, RowFilter::default()));
        }
        self.view = Some(view);
    }

    /// Brings the filter's index up to `rows`, building it anew when the filter
    /// or the lanes changed; returns the rows that pass (`None`: all do).
    fn passed(&mut self, rows: &[DiagramRow], lanes: &[String]) -> Option<&[u32]> {
        let filter = self
            .view
            .as_ref()
            .map(|v| &v.filter)
            .filter(|f| !f.is_empty())?;
        let stale = self
            .index
            .as_ref()
            .is_none_or(|ix| ix.filter != *filter || ix.lanes != lanes.len());
        if stale {
            self.index = Some(Index {
                filter: filter.clone(),
                matcher: Matcher::new(filter, lanes),
                lanes: lanes.len(),
                read: 0,
                passed: Vec::new(),
            });
        }
        let ix = self.index.as_mut()?;
        for (i, row) in rows.iter().enumerate().skip(ix.read) {
            if ix.matcher.passes(row) {
                ix.passed.push(i as u32);
            }
        }
        ix.read = rows.len();
        Some(&ix.passed)
    }

    /// How many rows pass the page's filter, of the first `rows` rows (a
    /// moment's prefix).
    pub fn shown_before(&mut self, all: &[DiagramRow], lanes: &[String], rows: usize) -> usize {
        match self.passed(all, lanes) {
            None => rows,
            Some(p) => p.partition_point(|&k| (k as usize) < rows),
        }
    }

    /// What an update carries of the rows: how many pass the filter, the rows
    /// or the window (when changed), and the summary (when asked and changed).
    /// `brokers` says which lanes are brokers', `bytes` and `v5` give each
    /// row's packet.
    pub fn update(
        &mut self,
        rows: &[DiagramRow],
        lanes: &[String],
        brokers: &[bool],
        bytes: &dyn Fn(usize) -> Option<Vec<u8>>,
        v5: &dyn Fn(usize) -> bool,
    ) -> (usize, Option<RowWindow>, Option<Vec<BucketRow>>) {
        let Some(view) = self.view.clone() else {
            // The page said nothing: every new row, as it comes.
            let from = self.sent_all.min(rows.len());
            self.sent_all = rows.len();
            let window = (from < rows.len()).then(|| RowWindow {
                first: from,
                rows: rows[from..].to_vec(),
                index: Vec::new(),
                bytes: (from..rows.len()).map(bytes).collect(),
                v5: (from..rows.len()).map(v5).collect(),
            });
            return (rows.len(), window, None);
        };
        let buckets = if view.zoom {
            let b = self.buckets(rows, lanes, brokers);
            (self.sent_buckets.as_ref() != Some(&b)).then(|| {
                self.sent_buckets = Some(b.clone());
                b
            })
        } else {
            None
        };
        let sent = self.sent_window.clone();
        let passed = self.passed(rows, lanes);
        let shown = passed.map_or(rows.len(), <[u32]>::len);
        // A diagram of few rows has them all; else the window asked for.
        let (first, end) = if shown <= ALL_ROWS_UP_TO {
            (0, shown)
        } else if view.follow {
            (shown.saturating_sub(view.count), shown)
        } else {
            let first = view.first.min(shown);
            (first, (first + view.count).min(shown))
        };
        // What the page holds already, if this window only adds to it.
        let held = match sent {
            Some((f, n, ref v)) if *v == view.filter && f == first && f + n <= end => f + n,
            _ => first,
        };
        let unchanged =
            sent.is_some_and(|(f, n, v)| v == view.filter && f == first && f + n == end);
        if unchanged {
            return (shown, None, buckets);
        }
        let at = |k: usize| passed.map_or(k, |p| p[k] as usize);
        let window = RowWindow {
            first: held,
            rows: (held..end).map(|k| placed(&rows[at(k)], passed)).collect(),
            index: passed.map(|p| p[held..end].to_vec()).unwrap_or_default(),
            bytes: (held..end).map(|k| bytes(at(k))).collect(),
            v5: (held..end).map(|k| v5(at(k))).collect(),
        };
        self.sent_window = Some((first, end - first, view.filter));
        (shown, Some(window), buckets)
    }

    /// The zoomed-out diagram: the rows that pass, counted per stretch of time,
    /// lane pair and packet type.
    fn buckets(
        &mut self,
        rows: &[DiagramRow],
        lanes: &[String],
        brokers: &[bool],
    ) -> Vec<BucketRow> {
        let filter = self.view.as_ref().map(|v| v.filter.clone());
        if self.counts.filter != filter {
            self.counts = Counts {
                filter: filter.clone(),
                ..Counts::default()
            };
        }
        let matcher = Matcher::new(&filter.unwrap_or_default(), lanes);
        // Lanes of clients are told apart when there are few of them or a node
        // is picked; else they are one "clients" end.
        let by_lane = lanes.len() <= MANY_LANES || matcher.lane.is_some();
        let end = |lane: usize| (by_lane || brokers.get(lane) == Some(&true)).then_some(lane);
        let read = self.counts.read;
        for row in rows.iter().skip(read) {
            self.counts.last_us = self.counts.last_us.max(row.time_us);
            if !matcher.passes(row) {
                continue;
            }
            let (from, to, lost) = match row.kind {
                RowKind::Packet {
                    from, to, dropped, ..
                } => (from, to, dropped),
                RowKind::Note { lane, .. } => (lane, lane, false),
            };
            let key = (row.time_us / 1_000_000, end(from), end(to), what(row));
            let c = self.counts.per_second.entry(key).or_default();
            c.0 += 1;
            c.1 += u64::from(lost);
        }
        self.counts.read = rows.len();
        let span = self.counts.last_us / 1_000_000 + 1;
        let width = bucket_seconds(span);
        let mut merged: BTreeMap<Group<&str>, (u64, u64)> = BTreeMap::new();
        for ((sec, from, to, what), (n, lost)) in &self.counts.per_second {
            let c = merged
                .entry((sec / width, *from, *to, what.as_str()))
                .or_default();
            c.0 += n;
            c.1 += lost;
        }
        merged
            .into_iter()
            .map(|((b, from, to, what), (count, dropped))| BucketRow {
                from_us: b * width * 1_000_000,
                to_us: (b + 1) * width * 1_000_000,
                from,
                to,
                what: what.to_string(),
                count,
                dropped,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_publish_label_gives_its_topic() {
        assert_eq!(label_topic("PUBLISH q0 casa/sala"), Some("casa/sala"));
        assert_eq!(label_topic("PUBLISH d1 q1 r1 m7 a/b"), Some("a/b"));
        assert_eq!(label_topic("PUBLISH q1 m2 t alias 3"), Some("t"));
        assert_eq!(label_topic("PUBLISH q0 alias 3"), None);
        assert_eq!(label_topic("PUBACK m7"), None);
        assert_eq!(label_topic("SUBSCRIBE m1 casa/# q1"), None);
    }

    #[test]
    fn stretches_are_round_and_at_most_sixty() {
        assert_eq!(bucket_seconds(1), 1);
        assert_eq!(bucket_seconds(60), 1);
        assert_eq!(bucket_seconds(61), 2);
        assert_eq!(bucket_seconds(3_600), 60);
        assert_eq!(bucket_seconds(3_601), 120);
        for span in [1u64, 59, 600, 7_200, 100_000, 1_000_000] {
            assert!(span.div_ceil(bucket_seconds(span)) <= MAX_BUCKETS, "{span}");
        }
    }
}
