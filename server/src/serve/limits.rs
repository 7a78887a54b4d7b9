//! What one bridged connection may use, and how many may be open at once.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Per-server limits of the bridge (`--max-connections`, `--max-frame`,
/// `--idle-timeout`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bridged connections open at once; more are closed with code 1013.
    pub max_connections: usize,
    /// Largest WebSocket frame (and message) accepted from a page, in bytes;
    /// larger ones close the connection with code 1009.
    pub max_frame: usize,
    /// A connection with no bytes in either direction for this long is closed
    /// with code 1001. MQTT keepalive PINGREQs count as traffic.
    pub idle_timeout: Duration,
}

impl Limits {
    /// How long a page has, after the WebSocket opens, to send its CONNECT.
    /// Shorter than the idle timeout so that sockets which never speak MQTT do
    /// not hold connection slots.
    pub fn connect_timeout(&self) -> Duration {
        self.idle_timeout.min(Duration::from_secs(10))
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: 64,
            max_frame: 1 << 20,
            idle_timeout: Duration::from_secs(300),
        }
    }
}

/// Counts open bridged connections; a slot is held for a connection's lifetime.
#[derive(Debug, Clone)]
pub struct Slots {
    semaphore: Arc<Semaphore>,
    max: usize,
}

impl Slots {
    /// `max` slots, all free.
    pub fn new(max: usize) -> Self {
        Slots {
            semaphore: Arc::new(Semaphore::new(max)),
            max,
        }
    }

    /// A slot, or `None` when all `max` are taken. Dropping the permit frees it.
    pub fn try_take(&self) -> Option<OwnedSemaphorePermit> {
        self.semaphore.clone().try_acquire_owned().ok()
    }

    /// How many slots there are in all.
    pub fn max(&self) -> usize {
        self.max
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_given_back_on_drop() {
        let slots = Slots::new(2);
        let a = slots.try_take().unwrap();
        let _b = slots.try_take().unwrap();
        assert!(slots.try_take().is_none());
        drop(a);
        assert!(slots.try_take().is_some());
    }

    #[test]
    fn connect_timeout_never_exceeds_idle_timeout() {
        let mut limits = Limits::default();
        assert_eq!(limits.connect_timeout(), Duration::from_secs(10));
        limits.idle_timeout = Duration::from_secs(2);
        assert_eq!(limits.connect_timeout(), Duration::from_secs(2));
    }
}
