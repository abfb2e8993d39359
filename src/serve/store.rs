//! Where a served build's files live: in memory, except the pages of frozen
//! editions, which go to a private folder.
//!
//! Part of `serve`. Frozen edition folders are most of a large site (at 5,000
//! items × 3 registers × 10 editions, 150,000 of 200,000 pages) and almost never
//! change between rebuilds, so keeping them in memory would cost gigabytes. They
//! are written once per generation into a private temporary folder (never the
//! user's `public/`) and carried over, by reference, while unchanged. Each
//! generation writes into its own subfolder, so a failed or in-progress rebuild
//! never touches a file the current build serves.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

/// One output file of a build.
#[derive(Clone, Debug)]
pub enum Stored {
    /// Kept in memory.
    Memory(Arc<Vec<u8>>),
    /// Written to the private folder.
    Disk(Arc<OnDisk>),
}

/// A file in the private folder.
#[derive(Debug)]
pub struct OnDisk {
    /// Where it is.
    pub path: PathBuf,
    /// Its generation's subfolder number.
    pub generation: u64,
    /// Its length and a hash of its bytes, to tell changed pages from unchanged ones.
    pub fingerprint: (usize, u64),
}

impl Stored {
    /// The file's bytes.
    pub fn read(&self) -> std::io::Result<Cow<'_, [u8]>> {
        match self {
            Stored::Memory(bytes) => Ok(Cow::Borrowed(bytes.as_slice())),
            Stored::Disk(file) => std::fs::read(&file.path).map(Cow::Owned),
        }
    }

    /// Whether two versions of a file have the same bytes.
    pub fn same(&self, other: &Stored) -> bool {
        match (self, other) {
            (Stored::Memory(a), Stored::Memory(b)) => Arc::ptr_eq(a, b) || a == b,
            (Stored::Disk(a), Stored::Disk(b)) => {
                Arc::ptr_eq(a, b) || a.fingerprint == b.fingerprint
            }
            _ => false,
        }
    }
}

fn fingerprint(bytes: &[u8]) -> (usize, u64) {
    let mut h = DefaultHasher::new();
    bytes.hash(&mut h);
    (bytes.len(), h.finish())
}

/// Whether an output path is inside a frozen edition's folder
/// (`stamp/editions/2015/…`, not `stamp/editions/index.html` nor `draft/…`).
pub fn is_frozen_page(path: &str) -> bool {
    let mut parts = path.split('/');
    let (_, editions, id, rest) = (parts.next(), parts.next(), parts.next(), parts.next());
    editions == Some("editions") && id.is_some() && rest.is_some()
}

/// The private folder; [`SpillDir::remove`] deletes it at shutdown.
#[derive(Debug)]
pub struct SpillDir {
    base: PathBuf,
}

impl SpillDir {
    /// Creates `minglu-serve-<pid>` in the system's temporary folder.
    pub fn create() -> std::io::Result<SpillDir> {
        let base = std::env::temp_dir().join(format!("minglu-serve-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        std::fs::create_dir_all(&base)?;
        Ok(SpillDir { base })
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.base
    }

    fn generation(&self, generation: u64) -> PathBuf {
        self.base.join(generation.to_string())
    }

    /// Deletes the subfolders of generations no file refers to any more.
    pub fn keep_only(&self, generations: &BTreeSet<u64>) {
        let Ok(entries) = std::fs::read_dir(&self.base) else {
            return;
        };
        for entry in entries.flatten() {
            let number = entry.file_name().to_string_lossy().parse::<u64>().ok();
            if number.is_some_and(|n| !generations.contains(&n)) {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }

    /// Deletes the whole folder.
    pub fn remove(&self) {
        let _ = std::fs::remove_dir_all(&self.base);
    }
}

/// Collects one build's files as the renderer hands them over.
#[derive(Debug)]
pub struct Collector {
    files: Mutex<BTreeMap<String, Stored>>,
    spill: Option<(PathBuf, u64)>,
}

impl Collector {
    /// A collector for `generation`, spilling frozen edition pages into `spill`.
    pub fn new(spill: Option<&SpillDir>, generation: u64) -> Collector {
        Collector {
            files: Mutex::new(BTreeMap::new()),
            spill: spill.map(|s| (s.generation(generation), generation)),
        }
    }

    /// Keeps one file.
    pub fn put(&self, path: &str, bytes: &[u8]) -> crate::Result<()> {
        let stored = match &self.spill {
            Some((dir, generation)) if is_frozen_page(path) => {
                let file = dir.join(path);
                let parent = file.parent().expect("an output path has a folder");
                std::fs::create_dir_all(parent)
                    .and_then(|()| std::fs::write(&file, bytes))
                    .map_err(crate::Error::write(&file))?;
                Stored::Disk(Arc::new(OnDisk {
                    path: file,
                    generation: *generation,
                    fingerprint: fingerprint(bytes),
                }))
            }
            _ => Stored::Memory(Arc::new(bytes.to_vec())),
        };
        self.files
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(path.to_owned(), stored);
        Ok(())
    }

    /// The files collected.
    pub fn into_files(self) -> BTreeMap<String, Stored> {
        self.files
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Deletes what this generation wrote (after a failed build).
    pub fn discard(self) {
        if let Some((dir, _)) = &self.spill {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Collector, SpillDir, Stored, is_frozen_page};

    #[test]
    fn frozen_pages_are_edition_folders() {
        assert!(is_frozen_page("stamp/editions/2015/index.html"));
        assert!(is_frozen_page("stamp/editions/2015/GZ-001/index.html"));
        assert!(!is_frozen_page("stamp/editions/index.html"));
        assert!(!is_frozen_page("draft/stamp/editions/2015/index.html"));
        assert!(!is_frozen_page("stamp/GZ-001/index.html"));
    }

    #[test]
    fn spilled_files_read_back_and_compare() {
        let spill = SpillDir::create().expect("temp folder");
        let collector = Collector::new(Some(&spill), 1);
        collector
            .put("stamp/editions/2015/index.html", b"frozen")
            .expect("write");
        collector.put("stamp/index.html", b"current").expect("keep");
        let files = collector.into_files();
        let frozen = &files["stamp/editions/2015/index.html"];
        assert!(matches!(frozen, Stored::Disk(_)));
        assert_eq!(frozen.read().expect("read").as_ref(), b"frozen");
        assert!(matches!(files["stamp/index.html"], Stored::Memory(_)));
        let again = Collector::new(Some(&spill), 2);
        again
            .put("stamp/editions/2015/index.html", b"frozen")
            .expect("write");
        assert!(again.into_files()["stamp/editions/2015/index.html"].same(frozen));
        spill.keep_only(&[2].into_iter().collect());
        assert!(frozen.read().is_err(), "generation 1 was removed");
        spill.remove();
        assert!(!spill.path().exists());
    }
}
