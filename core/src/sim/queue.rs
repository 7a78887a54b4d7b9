//! The event queue: what happens next, ordered by time and, at equal times, by the
//! order it was scheduled in. That tie-break is what makes two runs identical.

use std::collections::BTreeMap;

use crate::time::Instant;

/// Where a pushed event waits: what [`EventQueue::cancel`] takes to remove it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticket(Instant, u64);

/// A priority queue keyed by `(time, sequence number)`.
#[derive(Debug, Clone)]
pub struct EventQueue<E> {
    items: BTreeMap<(Instant, u64), E>,
    next_seq: u64,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        EventQueue {
            items: BTreeMap::new(),
            next_seq: 0,
        }
    }
}

impl<E> EventQueue<E> {
    /// Schedules `event` at `at`, after everything already scheduled for `at`.
    pub fn push(&mut self, at: Instant, event: E) -> Ticket {
        let key = (at, self.next_seq);
        self.items.insert(key, event);
        self.next_seq += 1;
        Ticket(key.0, key.1)
    }

    /// Takes out an event pushed earlier, if it still waits.
    pub fn cancel(&mut self, ticket: Ticket) -> Option<E> {
        self.items.remove(&(ticket.0, ticket.1))
    }

    /// The time of the next event.
    pub fn peek_time(&self) -> Option<Instant> {
        self.items.keys().next().map(|(t, _)| *t)
    }

    /// Takes the next event.
    pub fn pop(&mut self) -> Option<(Instant, E)> {
        self.items.pop_first().map(|((t, _), e)| (t, e))
    }

    /// Removes and returns the events at exactly `at` that `pick` chooses, in
    /// their order (a fork's "instead of what happens then").
    pub fn take_at(&mut self, at: Instant, mut pick: impl FnMut(&E) -> bool) -> Vec<E> {
        let keys: Vec<(Instant, u64)> = self
            .items
            .range((at, 0)..=(at, u64::MAX))
            .filter(|(_, e)| pick(e))
            .map(|(k, _)| *k)
            .collect();
        keys.iter().filter_map(|k| self.items.remove(k)).collect()
    }

    /// The events at exactly `at`, in order.
    pub fn at(&self, at: Instant) -> impl Iterator<Item = &E> {
        self.items.range((at, 0)..=(at, u64::MAX)).map(|(_, e)| e)
    }

    /// How many events wait.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether nothing waits.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_times_keep_scheduling_order() {
        let mut q = EventQueue::default();
        q.push(Instant::from_secs(2), "c");
        q.push(Instant::from_secs(1), "a");
        q.push(Instant::from_secs(1), "b");
        let order: Vec<_> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, ["a", "b", "c"]);
    }

    #[test]
    fn a_cancelled_event_never_comes_and_the_others_keep_their_order() {
        let mut q = EventQueue::default();
        q.push(Instant::from_secs(1), "a");
        let b = q.push(Instant::from_secs(1), "b");
        q.push(Instant::from_secs(1), "c");
        assert_eq!(q.cancel(b), Some("b"));
        assert_eq!(q.cancel(b), None);
        let order: Vec<_> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, ["a", "c"]);
    }
}
