//! The event queue: what happens next, ordered by time and, at equal times, by the
//! order it was scheduled in. That tie-break is what makes two runs identical.
//!
//! A binary heap of small keys `(time, sequence number, slot)` over a slab of
//! slots that hold the events: the heap moves 24-byte keys, never an event, and
//! a cancelled event leaves its slot at once while its key stays in the heap
//! until it comes to the top, where it is skipped (a key whose slot no longer
//! holds its sequence number is stale). Keys are unique, so the order is the
//! same total order `(time, sequence number)` a sorted map would give.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::time::Instant;

/// Where a pushed event waits: what [`EventQueue::cancel`] takes to remove it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticket {
    seq: u64,
    slot: u32,
}

/// A heap key: the event's time, its sequence number, and its slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Key(Instant, u64, u32);

/// A priority queue keyed by `(time, sequence number)`.
#[derive(Debug, Clone)]
pub struct EventQueue<E> {
    heap: BinaryHeap<Reverse<Key>>,
    /// Each slot's sequence number and event; `None` once popped or cancelled.
    slots: Vec<Option<(u64, E)>>,
    /// Slots free for reuse.
    free: Vec<u32>,
    /// Events waiting (the heap also holds stale keys).
    live: usize,
    next_seq: u64,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        EventQueue {
            heap: BinaryHeap::new(),
            slots: Vec::new(),
            free: Vec::new(),
            live: 0,
            next_seq: 0,
        }
    }
}

impl<E> EventQueue<E> {
    /// Schedules `event` at `at`, after everything already scheduled for `at`.
    pub fn push(&mut self, at: Instant, event: E) -> Ticket {
        let seq = self.next_seq;
        self.next_seq += 1;
        let slot = match self.free.pop() {
            Some(s) => {
                self.slots[s as usize] = Some((seq, event));
                s
            }
            None => {
                let s = u32::try_from(self.slots.len()).expect("fewer than 2^32 waiting events");
                self.slots.push(Some((seq, event)));
                s
            }
        };
        self.heap.push(Reverse(Key(at, seq, slot)));
        self.live += 1;
        Ticket { seq, slot }
    }

    /// Takes out an event pushed earlier, if it still waits.
    pub fn cancel(&mut self, ticket: Ticket) -> Option<E> {
        let e = self.take_slot(ticket.slot, ticket.seq)?;
        self.drop_stale();
        Some(e)
    }

    /// The time of the next event.
    pub fn peek_time(&self) -> Option<Instant> {
        // The top key is never stale: cancel and pop clear stale keys off it.
        self.heap.peek().map(|Reverse(k)| k.0)
    }

    /// Takes the next event.
    pub fn pop(&mut self) -> Option<(Instant, E)> {
        let Reverse(Key(at, seq, slot)) = self.heap.pop()?;
        let e = self
            .take_slot(slot, seq)
            .expect("the top key is live: stale keys are dropped as they surface");
        self.drop_stale();
        Some((at, e))
    }

    /// Removes and returns the events at exactly `at` that `pick` chooses, in
    /// their order (a fork's "instead of what happens then").
    pub fn take_at(&mut self, at: Instant, mut pick: impl FnMut(&E) -> bool) -> Vec<E> {
        let keys: Vec<Key> = self
            .keys_at(at)
            .into_iter()
            .filter(|k| self.event(k).is_some_and(&mut pick))
            .collect();
        let taken = keys
            .iter()
            .filter_map(|k| self.take_slot(k.2, k.1))
            .collect();
        self.drop_stale();
        taken
    }

    /// The events at exactly `at`, in order.
    pub fn at(&self, at: Instant) -> impl Iterator<Item = &E> {
        self.keys_at(at)
            .into_iter()
            .filter_map(move |k| self.event(&k))
    }

    /// How many events wait.
    pub fn len(&self) -> usize {
        self.live
    }

    /// Whether nothing waits.
    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// The live keys at exactly `at`, in order (a scan: forks are rare).
    fn keys_at(&self, at: Instant) -> Vec<Key> {
        let mut keys: Vec<Key> = self
            .heap
            .iter()
            .map(|Reverse(k)| *k)
            .filter(|k| k.0 == at && self.event(k).is_some())
            .collect();
        keys.sort_unstable();
        keys
    }

    /// The event a key names, if it still waits.
    fn event(&self, k: &Key) -> Option<&E> {
        match &self.slots[k.2 as usize] {
            Some((seq, e)) if *seq == k.1 => Some(e),
            _ => None,
        }
    }

    /// Empties a slot that still holds sequence number `seq`.
    fn take_slot(&mut self, slot: u32, seq: u64) -> Option<E> {
        let cell = &mut self.slots[slot as usize];
        if cell.as_ref().is_none_or(|(s, _)| *s != seq) {
            return None;
        }
        let (_, e) = cell.take()?;
        self.free.push(slot);
        self.live -= 1;
        Some(e)
    }

    /// Drops stale keys off the top; rebuilds the heap when they outnumber the
    /// live ones (a broker's wake moves with every packet it reads).
    fn drop_stale(&mut self) {
        while let Some(Reverse(k)) = self.heap.peek() {
            if self.event(k).is_some() {
                break;
            }
            self.heap.pop();
        }
        if self.heap.len() > 2 * self.live + 1024 {
            let slots = &self.slots;
            self.heap
                .retain(|Reverse(k)| matches!(&slots[k.2 as usize], Some((seq, _)) if *seq == k.1));
        }
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

    #[test]
    fn the_same_order_as_a_sorted_map_under_pushes_pops_and_cancels() {
        use crate::rng::SplitMix64;
        use std::collections::BTreeMap;
        let mut rng = SplitMix64::new(7);
        let mut q = EventQueue::default();
        let mut model: BTreeMap<(Instant, u64), u64> = BTreeMap::new();
        let mut tickets: Vec<(Ticket, (Instant, u64))> = Vec::new();
        let mut seq = 0u64;
        let mut now = 0u64;
        for i in 0..50_000 {
            let op = if i % 97 == 0 { 6 } else { rng.next_u64() % 6 };
            match op {
                0..=2 => {
                    // Few distinct times, so that ties are common.
                    let at = Instant::from_micros(now + rng.next_u64() % 50);
                    let t = q.push(at, seq);
                    model.insert((at, seq), seq);
                    tickets.push((t, (at, seq)));
                    seq += 1;
                }
                3 if !tickets.is_empty() => {
                    let i = (rng.next_u64() % tickets.len() as u64) as usize;
                    let (t, key) = tickets.swap_remove(i);
                    assert_eq!(q.cancel(t), model.remove(&key));
                    assert_eq!(q.cancel(t), None);
                }
                6 => {
                    let at = Instant::from_micros(now + rng.next_u64() % 50);
                    let want: Vec<u64> = model
                        .range((at, 0)..=(at, u64::MAX))
                        .map(|(_, v)| *v)
                        .collect();
                    assert_eq!(q.at(at).copied().collect::<Vec<_>>(), want);
                }
                _ => {
                    let got = q.pop();
                    let want = model.pop_first().map(|((t, _), v)| (t, v));
                    assert_eq!(got, want);
                    if let Some((t, _)) = got {
                        now = t.as_micros();
                    }
                }
            }
            assert_eq!(q.len(), model.len());
            assert_eq!(q.peek_time(), model.keys().next().map(|(t, _)| *t));
        }
        let at = q.peek_time().unwrap();
        let odd = q.take_at(at, |v| v % 2 == 1);
        let want: Vec<u64> = model
            .range((at, 0)..=(at, u64::MAX))
            .map(|(_, v)| *v)
            .filter(|v| v % 2 == 1)
            .collect();
        assert_eq!(odd, want);
        model.retain(|(t, _), v| !(*t == at && *v % 2 == 1));
        let rest: Vec<_> = std::iter::from_fn(|| q.pop()).collect();
        let want: Vec<_> = model.into_iter().map(|((t, _), v)| (t, v)).collect();
        assert_eq!(rest, want);
    }

    #[test]
    fn stale_keys_do_not_pile_up() {
        let mut q = EventQueue::default();
        let far = Instant::from_secs(100);
        let mut t = q.push(far, 0u32);
        for i in 1..100_000u32 {
            q.cancel(t);
            t = q.push(far, i);
        }
        assert_eq!(q.len(), 1);
        assert!(
            q.heap.len() <= 1024 + 3,
            "{} keys for one event",
            q.heap.len()
        );
        assert_eq!(q.pop(), Some((far, 99_999)));
        assert!(q.is_empty());
    }
}
