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
use crate::Rendered;

/// One complete build, in memory.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// Counts good builds from 1; 0 means "nothing built yet".
    pub generation: u64,
    /// Output path (relative, with `/`) → the file, shared with the previous
    /// build when carried over.
    pub files: BTreeMap<String, Stored>,
}

/// A successful rebuild's files, and what becomes of the last build's.
#[derive(Debug)]
pub struct Update {
    /// The files the rebuild made.
    pub files: BTreeMap<String, Stored>,
    /// Which of the last build's files stay (see [`Rendered`]).
    pub rendered: Rendered,
}

impl Snapshot {
    /// Output paths whose bytes differ between `self` and `newer` (added and
    /// removed ones included), sorted. It looks at every file of both.
    pub fn changed_paths(&self, newer: &BTreeMap<String, Stored>) -> Vec<String> {
        let mut changed: Vec<String> = newer
            .iter()
            .filter(|(path, file)| self.files.get(*path).is_none_or(|old| !old.same(file)))
            .map(|(path, _)| path.clone())
            .collect();
        changed.extend(
            self.files
                .keys()
                .filter(|path| !newer.contains_key(*path))
                .cloned(),
        );
        changed.sort();
        changed
    }

    /// The files of a full build that made `files` and carries over the
    /// `reused` folders of `self`.
    fn full(
        &self,
        mut files: BTreeMap<String, Stored>,
        reused: &[String],
    ) -> BTreeMap<String, Stored> {
        for dir in reused {
            let prefix = format!("{dir}/");
            files.extend(under(&self.files, &prefix).map(|(p, s)| (p.clone(), s.clone())));
        }
        files
    }

    /// Applies a partial build in place: `removed` files and the files under
    /// `cleared` folders go, `files` come in. Returns the paths whose bytes
    /// changed, sorted; its work is in proportion to the files the build
    /// touched, not to the site.
    fn patch(
        &mut self,
        files: BTreeMap<String, Stored>,
        removed: &[String],
        cleared: &[String],
    ) -> Vec<String> {
        let mut gone: BTreeMap<String, Stored> = BTreeMap::new();
        for path in removed {
            if let Some(old) = self.files.remove(path) {
                gone.insert(path.clone(), old);
            }
        }
        for folder in cleared {
            let stale: Vec<String> = under(&self.files, folder).map(|(p, _)| p.clone()).collect();
            for path in stale {
                if let Some(old) = self.files.remove(&path) {
                    gone.insert(path, old);
                }
            }
        }
        let mut changed = Vec::new();
        for (path, file) in files {
            let before = gone.remove(&path);
            let same = before
                .as_ref()
                .or_else(|| self.files.get(&path))
                .is_some_and(|old| old.same(&file));
            if !same {
                changed.push(path.clone());
            }
            self.files.insert(path, file);
        }
        changed.extend(gone.into_keys());
        changed.sort();
        changed
    }
}

/// The files of `files` whose path starts with `prefix`.
fn under<'a>(
    files: &'a BTreeMap<String, Stored>,
    prefix: &'a str,
) -> impl Iterator<Item = (&'a String, &'a Stored)> + 'a {
    files
        .range::<str, _>((
            std::ops::Bound::Included(prefix),
            std::ops::Bound::Unbounded,
        ))
        .take_while(move |(path, _)| path.starts_with(prefix))
}

/// Everything the HTTP workers and the rebuild thread share.
#[derive(Debug, Default)]
pub struct State {
    /// The last good build. The rebuild thread is its only writer.
    snapshot: RwLock<Snapshot>,
    problems: RwLock<Option<Arc<Problems>>>,
    subscribers: Mutex<Subscribers>,
}

impl State {
    /// Runs `f` on the last good build, holding it for reading: keep `f`
    /// short (clone the [`Stored`] files it needs and read them after).
    pub fn read<R>(&self, f: impl FnOnce(&Snapshot) -> R) -> R {
        f(&self.snapshot.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// The last good build's generation (0: none yet).
    pub fn generation(&self) -> u64 {
        self.read(|s| s.generation)
    }

    /// Installs a successful rebuild as the next generation. Returns the
    /// output paths whose bytes changed, sorted, and the number of files.
    ///
    /// Only the rebuild thread calls this, so what it reads before taking the
    /// lock for writing is still current when it writes. Readers wait only
    /// for the swap of a full build, or for a partial build's own files.
    pub fn install(&self, update: Update) -> (Vec<String>, usize) {
        let write = || {
            self.snapshot
                .write()
                .unwrap_or_else(PoisonError::into_inner)
        };
        match update.rendered {
            Rendered::Full { reused } => {
                let (files, changed) = self.read(|s| {
                    let files = s.full(update.files, &reused);
                    let changed = s.changed_paths(&files);
                    (files, changed)
                });
                let count = files.len();
                let mut snapshot = write();
                snapshot.generation += 1;
                let old = std::mem::replace(&mut snapshot.files, files);
                drop(snapshot);
                // The last build's files are freed after the lock is let go.
                drop(old);
                (changed, count)
            }
            Rendered::Partial { removed, cleared } => {
                let mut snapshot = write();
                snapshot.generation += 1;
                let changed = snapshot.patch(update.files, &removed, &cleared);
                (changed, snapshot.files.len())
            }
        }
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
    use std::collections::BTreeMap;
    use std::sync::Arc;

    use proptest::prelude::*;

    use super::{Snapshot, State, Stored, Update};
    use crate::Rendered;

    fn files(pairs: &[(&str, &str)]) -> BTreeMap<String, Stored> {
        pairs
            .iter()
            .map(|(p, b)| {
                let stored = Stored::Memory(Arc::new(b.as_bytes().to_vec()));
                ((*p).to_owned(), stored)
            })
            .collect()
    }

    fn texts(state: &State) -> BTreeMap<String, String> {
        state.read(|s| {
            s.files
                .iter()
                .map(|(p, f)| {
                    (
                        p.clone(),
                        String::from_utf8(f.read().unwrap().into_owned()).unwrap(),
                    )
                })
                .collect()
        })
    }

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn changed_paths_compare_bytes() {
        let old = Snapshot {
            generation: 1,
            files: files(&[("a", "1"), ("b", "2"), ("gone", "x")]),
        };
        let new = files(&[("a", "1"), ("b", "3"), ("new", "y")]);
        assert_eq!(old.changed_paths(&new), ["b", "gone", "new"]);
    }

    #[test]
    fn a_full_build_carries_its_reused_folders_over_and_replaces_the_rest() {
        let state = State::default();
        let first = Update {
            files: files(&[
                ("index.html", "1"),
                ("s/editions/1/a.html", "f"),
                ("old.html", "o"),
            ]),
            rendered: Rendered::Full { reused: Vec::new() },
        };
        assert_eq!(state.install(first).1, 3);
        let second = Update {
            files: files(&[("index.html", "2")]),
            rendered: Rendered::Full {
                reused: strings(&["s/editions/1"]),
            },
        };
        let (changed, count) = state.install(second);
        assert_eq!(changed, ["index.html", "old.html"]);
        assert_eq!(count, 2);
        assert_eq!(state.generation(), 2);
        let expected = [("index.html", "2"), ("s/editions/1/a.html", "f")];
        let expected: BTreeMap<String, String> = expected
            .iter()
            .map(|(p, t)| ((*p).to_owned(), (*t).to_owned()))
            .collect();
        assert_eq!(texts(&state), expected);
    }

    #[test]
    fn a_partial_build_reports_only_files_whose_bytes_changed() {
        let state = State::default();
        state.install(Update {
            files: files(&[
                ("a.html", "a"),
                ("b.html", "b"),
                ("gone.html", "g"),
                ("search/zh/1", "x"),
                ("search/zh/2", "y"),
                ("search/zh/3", "z"),
            ]),
            rendered: Rendered::Full { reused: Vec::new() },
        });
        let (changed, count) = state.install(Update {
            // a.html rewritten with the same bytes; search/zh/1 made again as
            // it was, search/zh/2 made different, search/zh/3 not made again.
            files: files(&[
                ("a.html", "a"),
                ("search/zh/1", "x"),
                ("search/zh/2", "Y"),
                ("c.html", "c"),
            ]),
            rendered: Rendered::Partial {
                removed: strings(&["gone.html"]),
                cleared: strings(&["search/zh/"]),
            },
        });
        assert_eq!(
            changed,
            ["c.html", "gone.html", "search/zh/2", "search/zh/3"]
        );
        assert_eq!(count, 5);
        assert_eq!(state.generation(), 2);
    }

    /// The old way: a copy of every file, then every file compared.
    fn by_copy(before: &Snapshot, update: &Update) -> (BTreeMap<String, Stored>, Vec<String>) {
        let Rendered::Partial { removed, cleared } = &update.rendered else {
            unreachable!("partial updates only")
        };
        let mut files = before.files.clone();
        for path in removed {
            files.remove(path);
        }
        files.retain(|p, _| !cleared.iter().any(|c| p.starts_with(c.as_str())));
        files.extend(update.files.clone());
        let changed = before.changed_paths(&files);
        (files, changed)
    }

    proptest! {
        #[test]
        fn patching_in_place_equals_copying_and_comparing(
            start in proptest::collection::btree_map("[ab]/[xyz]", "[01]", 0..8),
            steps in proptest::collection::vec(
                (
                    proptest::collection::btree_map("[abc]/[xyz]", "[01]", 0..5),
                    proptest::collection::vec("[abc]/[xyz]", 0..3),
                    proptest::collection::vec("[abc]/", 0..2),
                ),
                1..6,
            ),
        ) {
            let stored = |m: &BTreeMap<String, String>| -> BTreeMap<String, Stored> {
                m.iter()
                    .map(|(p, b)| (p.clone(), Stored::Memory(Arc::new(b.clone().into_bytes()))))
                    .collect()
            };
            let state = State::default();
            state.install(Update { files: stored(&start), rendered: Rendered::Full { reused: Vec::new() } });
            for (made, removed, cleared) in steps {
                let update = Update {
                    files: stored(&made),
                    rendered: Rendered::Partial { removed, cleared },
                };
                let (expected_files, expected_changed) = state.read(|s| by_copy(s, &update));
                let (changed, count) = state.install(update);
                prop_assert_eq!(&changed, &expected_changed);
                prop_assert_eq!(count, expected_files.len());
                let now = state.read(|s| s.files.keys().cloned().collect::<Vec<_>>());
                prop_assert_eq!(now, expected_files.keys().cloned().collect::<Vec<_>>());
                for (path, file) in &expected_files {
                    prop_assert!(state.read(|s| s.files[path].same(file)));
                }
            }
        }
    }
}
