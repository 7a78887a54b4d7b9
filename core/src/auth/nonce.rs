//! Nonces for challenge/response methods, without OS randomness in the core.
//!
//! A [`NonceGen`] turns a 32-byte key into a stream of distinct printable nonces
//! (HMAC-SHA-256 of a counter under the key, base64). The driver chooses the key:
//! the simulator derives it from the world's seed and a name (replayable, one
//! stream per node), the native server takes it from the operating system at
//! start-up. Nonces from an OS key are unpredictable; from a seed they are only
//! distinct, which is what a replayable lab wants.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// Nonce bytes per nonce: 18 bytes, 24 base64 characters (no padding).
const NONCE_BYTES: usize = 18;

/// A stream of distinct nonces from a key.
#[derive(Clone, PartialEq, Eq)]
pub struct NonceGen {
    key: [u8; 32],
    counter: u64,
}

impl core::fmt::Debug for NonceGen {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // The key is a secret when it came from the operating system.
        f.debug_struct("NonceGen")
            .field("counter", &self.counter)
            .finish_non_exhaustive()
    }
}

impl NonceGen {
    /// Nonces from this key (from the operating system on real sockets).
    pub fn new(key: [u8; 32]) -> Self {
        NonceGen { key, counter: 0 }
    }

    /// Nonces from a seed and a name, for the simulator: the same seed and name
    /// give the same nonces, another name another stream.
    pub fn from_seed(seed: u64, name: &str) -> Self {
        let mut h = Sha256::new();
        h.update(b"mqttlab nonce\0");
        h.update(name.as_bytes());
        h.update([0]);
        h.update(seed.to_be_bytes());
        NonceGen::new(h.finalize().into())
    }

    /// The next nonce: 24 printable characters, never a comma.
    pub fn next_nonce(&mut self) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.key)
            .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
        mac.update(&self.counter.to_be_bytes());
        self.counter += 1;
        let out = mac.finalize().into_bytes();
        STANDARD.encode(&out[..NONCE_BYTES])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distinct_printable_and_replayable() {
        let mut a = NonceGen::from_seed(7, "broker");
        let mut b = NonceGen::from_seed(7, "broker");
        let mut c = NonceGen::from_seed(7, "client");
        let xs: Vec<String> = (0..100).map(|_| a.next_nonce()).collect();
        let ys: Vec<String> = (0..100).map(|_| b.next_nonce()).collect();
        assert_eq!(xs, ys, "same seed and name, same nonces");
        assert_ne!(xs[0], c.next_nonce(), "another name, another stream");
        let mut sorted = xs.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), 100);
        for n in &xs {
            assert_eq!(n.len(), 24);
            assert!(n.bytes().all(|b| (0x21..=0x7e).contains(&b) && b != b','));
        }
        assert!(!format!("{a:?}").contains("key"));
    }
}
