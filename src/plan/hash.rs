//! PLAN: a fast hash for the plan's own tables (page identities, input
//! paths, site paths), which a rebuild fills or looks up tens of thousands
//! of times. The keys are the site's own names, not chosen by an attacker
//! reaching the process over a network, so the standard library's
//! flood-resistant (and slower) hash buys nothing here.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A map hashed with [`WordHasher`].
pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<WordHasher>>;

/// An empty [`FastMap`] with room for `n` entries.
pub(crate) fn map_with<K, V>(n: usize) -> FastMap<K, V> {
    FastMap::with_capacity_and_hasher(n, BuildHasherDefault::default())
}

/// Multiplies in eight bytes at a time (as rustc's own map hash does), with
/// a final mix so that the high bits the table looks at depend on every
/// byte.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct WordHasher(u64);

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl WordHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0; 8];
            word[..rest.len()].copy_from_slice(rest);
            // The length too, so "a\0" and "a" differ.
            self.add(u64::from_le_bytes(word) ^ ((rest.len() as u64) << 59));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        let h = self.0;
        (h ^ (h >> 29)).wrapping_mul(SEED) ^ (h >> 32)
    }
}

#[cfg(test)]
mod tests {
    use std::hash::BuildHasher as _;

    use super::*;

    #[test]
    fn different_keys_hash_differently_and_equal_keys_alike() {
        let hash = |s: &str| BuildHasherDefault::<WordHasher>::default().hash_one(s);
        assert_eq!(hash("stamp/GZ-001/"), hash("stamp/GZ-001/"));
        let keys = [
            "",
            "a",
            "a\0",
            "stamp/GZ-001/",
            "stamp/GZ-002/",
            "stamp/GZ-001/x",
        ];
        let hashes: std::collections::BTreeSet<u64> = keys.iter().map(|k| hash(k)).collect();
        assert_eq!(hashes.len(), keys.len());
        // The table's buckets (low bits) and tags (high bits) both spread.
        let many: Vec<u64> = (0..4096)
            .map(|n| hash(&format!("stamp/GZ-{n:04}/")))
            .collect();
        let low: std::collections::BTreeSet<u64> = many.iter().map(|h| h & 0xfff).collect();
        let high: std::collections::BTreeSet<u64> = many.iter().map(|h| h >> 57).collect();
        assert!(low.len() > 2000, "{} of 4096 low values", low.len());
        assert_eq!(high.len(), 128, "every 7-bit tag");
    }
}
