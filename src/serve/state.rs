//! The server's state: the last good build, the current problems, the open pages.
//!
//! Part of `serve`. Owned by one `Arc<State>` shared by the HTTP workers and the
//! rebuild thread (no globals). A failed rebuild never replaces the snapshot, so
//! readers always see a complete build: the last one that succeeded.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use super::events::Subscribers;
use super::overlay::Problems;
use super::store::Stored;

/// One complete build, in memory.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// Counts good builds from 1; 0 means "nothing built yet".
    pub generation: u64,
    /// Output path (relative, with `/`) → the file, shared with the previous
    /// build when carried over.
    pub files: BTreeMap<String, Stored>,
}

impl Snapshot {
    /// Output paths whose bytes differ between `self` and `newer` (added and
    /// removed ones included), sorted.
    pub fn changed_paths(&self, newer: &Snapshot) -> Vec<String> {
        let mut changed: Vec<String> = newer
            .files
            .iter()
            .filter(|(path, file)| self.files.get(*path).is_none_or(|old| !old.same(file)))
            .map(|(path, _)| path.clone())
            .collect();
        changed.extend(
            self.files
                .keys()
                .filter(|path| !newer.files.contains_key(*path))
                .cloned(),
        );
        changed.sort();
        changed
    }
}

/// Everything the HTTP workers and the rebuild thread share.
#[derive(Debug, Default)]
pub struct State {
    snapshot: RwLock<Arc<Snapshot>>,
    problems: RwLock<Option<Arc<Problems>>>,
    subscribers: Mutex<Subscribers>,
}

impl State {
    /// The last good build.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        Arc::clone(&self.snapshot.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Replaces the build after a successful rebuild.
    pub fn set_snapshot(&self, snapshot: Arc<Snapshot>) {
        *self
            .snapshot
            .write()
            .unwrap_or_else(PoisonError::into_inner) = snapshot;
    }

    /// What the last rebuild found wrong, if it failed.
    pub fn problems(&self) -> Option<Arc<Problems>> {
        self.problems
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Records the outcome of a rebuild: `Some` when it failed.
    pub fn set_problems(&self, problems: Option<Arc<Problems>>) {
        *self
            .problems
            .write()
            .unwrap_or_else(PoisonError::into_inner) = problems;
    }

    /// Locks the subscriber list.
    pub fn subscribers(&self) -> std::sync::MutexGuard<'_, Subscribers> {
        self.subscribers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::{Snapshot, Stored};

    #[test]
    fn changed_paths_compare_bytes() {
        let old = Snapshot {
            generation: 1,
            files: [("a", "1"), ("b", "2"), ("gone", "x")]
                .iter()
                .map(|(p, b)| {
                    let stored = Stored::Memory(Arc::new(b.as_bytes().to_vec()));
                    ((*p).to_owned(), stored)
                })
                .collect(),
        };
        let new = Snapshot {
            generation: 2,
            files: [("a", "1"), ("b", "3"), ("new", "y")]
                .iter()
                .map(|(p, b)| {
                    let stored = Stored::Memory(Arc::new(b.as_bytes().to_vec()));
                    ((*p).to_owned(), stored)
                })
                .collect(),
        };
        assert_eq!(old.changed_paths(&new), ["b", "gone", "new"]);
    }
}
