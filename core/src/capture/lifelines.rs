//! The lifelines of a capture's sequence diagram: one per client identifier
//! (from its CONNECT, so a client that reconnects stays on its line) and one
//! per broker address. A connection without a CONNECT seen is drawn on its
//! client address. The first client comes first, then the brokers, then the
//! other clients, so a publisher → broker → subscriber flow reads left to
//! right as the course draws it.

use super::{Capture, Direction, Event};

/// Lifeline names, and which two lines each connection joins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lifelines {
    /// Names, left to right.
    pub names: Vec<String>,
    /// Per stream: its client's line and its server's line.
    pub of_stream: Vec<(usize, usize)>,
}

impl Lifelines {
    /// Sender's and receiver's lines of an event.
    pub fn ends(&self, e: &Event) -> (usize, usize) {
        let (c, s) = self.of_stream[e.stream];
        match e.direction {
            Direction::ToServer => (c, s),
            Direction::ToClient => (s, c),
        }
    }
}

/// The lifelines of `capture`.
pub fn lifelines(capture: &Capture) -> Lifelines {
    let mut clients: Vec<String> = Vec::new();
    let mut brokers: Vec<String> = Vec::new();
    let names: Vec<(String, String)> = capture
        .streams
        .iter()
        .map(|s| {
            let client = match s.client_id.as_deref() {
                Some(id) if !id.is_empty() => id.to_string(),
                _ => s.client.to_string(),
            };
            (client, s.server.to_string())
        })
        .collect();
    // In order of first appearance in the events, then of any stream left.
    let order = capture
        .events
        .iter()
        .map(|e| e.stream)
        .chain(0..capture.streams.len());
    for i in order {
        let (c, b) = &names[i];
        if !clients.contains(c) {
            clients.push(c.clone());
        }
        if !brokers.contains(b) {
            brokers.push(b.clone());
        }
    }
    let mut all: Vec<String> = clients.iter().take(1).cloned().collect();
    all.extend(brokers.iter().cloned());
    all.extend(clients.iter().skip(1).cloned());
    let index = |n: &str| all.iter().position(|a| a == n).unwrap_or(0);
    let of_stream = names.iter().map(|(c, b)| (index(c), index(b))).collect();
    Lifelines {
        names: all,
        of_stream,
    }
}
