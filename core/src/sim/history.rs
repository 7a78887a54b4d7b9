//! An append-only list that is cheap to clone: what a client has printed and
//! received grows with the run, and a checkpoint of the world
//! ([`replay`](super::replay)) must not copy it all each time. Full chunks are
//! shared between clones; only the last, open one is copied.

use std::sync::Arc;

/// Items per shared chunk.
const CHUNK: usize = 256;

/// An append-only list whose clones share what they had in common.
#[derive(Clone, PartialEq)]
pub struct History<T> {
    chunks: Vec<Arc<Vec<T>>>,
    tail: Vec<T>,
}

impl<T> Default for History<T> {
    fn default() -> Self {
        History {
            chunks: Vec::new(),
            tail: Vec::new(),
        }
    }
}

impl<T: Clone> History<T> {
    /// Appends an item.
    pub fn push(&mut self, item: T) {
        self.tail.push(item);
        if self.tail.len() == CHUNK {
            let full = std::mem::replace(&mut self.tail, Vec::with_capacity(CHUNK));
            self.chunks.push(Arc::new(full));
        }
    }
}

impl<T> History<T> {
    /// How many items.
    pub fn len(&self) -> usize {
        self.chunks.len() * CHUNK + self.tail.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The items, in order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> + '_ {
        self.chunks
            .iter()
            .flat_map(|c| c.iter())
            .chain(self.tail.iter())
    }

    /// The items from the `from`-th on.
    pub fn iter_from(&self, from: usize) -> impl Iterator<Item = &T> + '_ {
        let skip = from / CHUNK;
        self.chunks
            .iter()
            .skip(skip)
            .flat_map(|c| c.iter())
            .chain(self.tail.iter())
            .skip(from - skip.min(self.chunks.len()) * CHUNK)
    }

    /// The last item.
    pub fn last(&self) -> Option<&T> {
        self.tail
            .last()
            .or_else(|| self.chunks.last().and_then(|c| c.last()))
    }
}

impl<T> std::ops::Index<usize> for History<T> {
    type Output = T;
    fn index(&self, i: usize) -> &T {
        match self.chunks.get(i / CHUNK) {
            Some(c) => &c[i % CHUNK],
            None => &self.tail[i - self.chunks.len() * CHUNK],
        }
    }
}

impl<'a, T> IntoIterator for &'a History<T> {
    type Item = &'a T;
    type IntoIter = Box<dyn Iterator<Item = &'a T> + 'a>;
    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for History<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_and_then_go_their_own_way() {
        let mut a = History::default();
        for i in 0..1000 {
            a.push(i);
        }
        let mut b = a.clone();
        assert!(Arc::ptr_eq(&a.chunks[0], &b.chunks[0]));
        b.push(1000);
        a.push(-1);
        assert_eq!(a.len(), 1001);
        assert_eq!(
            b.iter().copied().collect::<Vec<_>>(),
            (0..=1000).collect::<Vec<_>>()
        );
        assert_eq!(a.last(), Some(&-1));
        assert_eq!(
            (a[0], a[255], a[256], a[999], a[1000]),
            (0, 255, 256, 999, -1)
        );
        for from in [0, 1, 255, 256, 257, 999, 1000, 1001, 2000] {
            let want: Vec<i32> = b.iter().skip(from).copied().collect();
            assert_eq!(
                b.iter_from(from).copied().collect::<Vec<_>>(),
                want,
                "from {from}"
            );
        }
        assert_eq!(format!("{:?}", History::<u8>::default()), "[]");
    }
}
