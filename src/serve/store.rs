//! Where a served build's files live: in a private folder (a full build's
//! files, and every build's frozen edition pages), or in memory (the few pages
//! an incremental rebuild renders).
//!
//! Part of `serve`. Frozen edition folders are most of a large site (at 5,000
//! items × 3 registers × 10 editions, 150,000 of 200,000 pages) and almost never
//! change between rebuilds, so keeping them in memory would cost gigabytes. Each
//! build appends them to its own pack file in a private temporary folder (never
//! the user's `public/`); later builds carry them over by reference while their
//! edition is unchanged. A failed or in-progress rebuild writes only its own
//! pack, never one the current build serves, and a pack goes away with the last
//! build that uses it.

use crate::plan::url;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fs::File;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

/// One output file of a build.
#[derive(Clone, Debug)]
pub enum Stored {
    /// Kept in memory.
    Memory(Arc<Vec<u8>>),
    /// A slice of a generation's pack file in the private folder.
    Packed(Slice),
}

/// Where a file sits in a pack.
#[derive(Clone, Debug)]
pub struct Slice {
    pack: Arc<Pack>,
    offset: u64,
    len: usize,
    hash: u64,
}

impl Stored {
    /// The file's bytes.
    pub fn read(&self) -> std::io::Result<Cow<'_, [u8]>> {
        match self {
            Stored::Memory(bytes) => Ok(Cow::Borrowed(bytes.as_slice())),
            Stored::Packed(s) => s.pack.read(s.offset, s.len).map(Cow::Owned),
        }
    }

    /// Whether two versions of a file have the same bytes (a packed file is
    /// compared by length and hash).
    pub fn same(&self, other: &Stored) -> bool {
        match (self, other) {
            (Stored::Memory(a), Stored::Memory(b)) => Arc::ptr_eq(a, b) || a == b,
            (Stored::Packed(a), Stored::Packed(b)) => (a.len, a.hash) == (b.len, b.hash),
            (Stored::Memory(m), Stored::Packed(p)) | (Stored::Packed(p), Stored::Memory(m)) => {
                (m.len(), hash(m)) == (p.len, p.hash)
            }
        }
    }
}

fn hash(bytes: &[u8]) -> u64 {
    let mut h = DefaultHasher::new();
    bytes.hash(&mut h);
    h.finish()
}

/// One generation's frozen pages, appended to a single file (one file instead
/// of 150,000 keeps start-up fast). The file goes away with the last build that
/// uses it: on Unix it is unlinked at once and lives on through its handles.
#[derive(Debug)]
pub struct Pack {
    path: PathBuf,
    /// Closed (taken) only when the pack is dropped.
    writer: Mutex<(Option<File>, u64)>,
    #[cfg(unix)]
    reader: File,
}

impl Pack {
    fn create(path: PathBuf) -> std::io::Result<Pack> {
        let writer = File::create(&path)?;
        #[cfg(unix)]
        let reader = File::open(&path)?;
        #[cfg(unix)]
        std::fs::remove_file(&path)?;
        Ok(Pack {
            path,
            writer: Mutex::new((Some(writer), 0)),
            #[cfg(unix)]
            reader,
        })
    }

    fn append(&self, bytes: &[u8]) -> std::io::Result<u64> {
        let mut guard = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        let (Some(file), end) = &mut *guard else {
            return Err(std::io::Error::other("the pack is closed"));
        };
        file.write_all(bytes)?;
        let offset = *end;
        *end += bytes.len() as u64;
        Ok(offset)
    }

    fn read(&self, offset: u64, len: usize) -> std::io::Result<Vec<u8>> {
        let mut buf = vec![0; len];
        #[cfg(unix)]
        std::os::unix::fs::FileExt::read_exact_at(&self.reader, &mut buf, offset)?;
        #[cfg(not(unix))]
        {
            use std::io::{Read, Seek, SeekFrom};
            let mut file = File::open(&self.path)?;
            file.seek(SeekFrom::Start(offset))?;
            file.read_exact(&mut buf)?;
        }
        Ok(buf)
    }
}

impl Drop for Pack {
    fn drop(&mut self) {
        // Already unlinked on Unix; elsewhere close the handle, then delete.
        #[cfg(not(unix))]
        {
            let mut guard = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
            drop(guard.0.take());
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Where the packs go. On Unix a pack is unlinked as soon as it is created, so
/// nothing is left behind even if the server is killed: packs go straight into
/// the system's temporary folder. Elsewhere they go into a private folder
/// (`minglu-serve-<pid>`) that [`SpillDir::remove`] deletes at shutdown.
#[derive(Debug)]
pub struct SpillDir {
    base: PathBuf,
    prefix: String,
}

impl SpillDir {
    /// Prepares the place for this process's packs.
    pub fn create() -> std::io::Result<SpillDir> {
        let prefix = format!("minglu-serve-{}", std::process::id());
        let base = if cfg!(unix) {
            std::env::temp_dir()
        } else {
            let base = std::env::temp_dir().join(&prefix);
            let _ = std::fs::remove_dir_all(&base);
            std::fs::create_dir_all(&base)?;
            base
        };
        Ok(SpillDir { base, prefix })
    }

    fn pack_path(&self, generation: u64) -> PathBuf {
        self.base.join(format!("{}-{generation}.pack", self.prefix))
    }

    /// Deletes the private folder (there is none on Unix).
    pub fn remove(&self) {
        if !cfg!(unix) {
            let _ = std::fs::remove_dir_all(&self.base);
        }
    }
}

/// Collects one build's files as the renderer hands them over.
#[derive(Debug)]
pub struct Collector {
    files: Mutex<BTreeMap<String, Stored>>,
    pack: Option<Arc<Pack>>,
    /// Pack every file, not only frozen edition pages.
    everything: bool,
}

impl Collector {
    /// A collector for `generation`, packing frozen edition pages into `spill`
    /// (or keeping them in memory when that is impossible); with `everything`,
    /// every file (a full build: at 5,000 × 3 × 10 its current pages alone are
    /// more than a gigabyte). A rebuild that renders a few pages keeps them
    /// in memory, so packs stay few.
    pub fn new(spill: Option<&SpillDir>, generation: u64, everything: bool) -> Collector {
        let pack = spill
            .and_then(|s| Pack::create(s.pack_path(generation)).ok())
            .map(Arc::new);
        Collector {
            files: Mutex::new(BTreeMap::new()),
            pack,
            everything,
        }
    }

    /// Keeps one file.
    pub fn put(&self, path: &str, bytes: &[u8]) -> crate::Result<()> {
        let stored = match &self.pack {
            Some(pack) if self.everything || url::is_frozen_page(path) => {
                let offset = pack
                    .append(bytes)
                    .map_err(crate::Error::write(&pack.path))?;
                Stored::Packed(Slice {
                    pack: Arc::clone(pack),
                    offset,
                    len: bytes.len(),
                    hash: hash(bytes),
                })
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
}

#[cfg(test)]
mod tests {
    use super::{Collector, SpillDir, Stored};
    use crate::plan::url::is_frozen_page;

    #[test]
    fn frozen_pages_are_edition_folders() {
        assert!(is_frozen_page("stamp/editions/2015/index.html"));
        assert!(is_frozen_page("stamp/editions/2015/GZ-001/index.html"));
        assert!(!is_frozen_page("stamp/editions/index.html"));
        assert!(!is_frozen_page("draft/stamp/editions/2015/index.html"));
        assert!(!is_frozen_page("stamp/GZ-001/index.html"));
    }

    #[test]
    fn packed_files_read_back_and_compare() {
        let spill = SpillDir::create().expect("temp folder");
        let collector = Collector::new(Some(&spill), 1, false);
        for (path, bytes) in [
            ("stamp/editions/2015/index.html", "frozen"),
            ("stamp/editions/2015/GZ-001/index.html", "另一页"),
            ("stamp/index.html", "current"),
        ] {
            collector.put(path, bytes.as_bytes()).expect("keep");
        }
        let files = collector.into_files();
        let frozen = &files["stamp/editions/2015/index.html"];
        assert!(matches!(frozen, Stored::Packed(_)));
        assert_eq!(frozen.read().expect("read").as_ref(), b"frozen");
        let other = files["stamp/editions/2015/GZ-001/index.html"]
            .read()
            .expect("read");
        assert_eq!(other.as_ref(), "另一页".as_bytes());
        assert!(matches!(files["stamp/index.html"], Stored::Memory(_)));
        let again = Collector::new(Some(&spill), 2, false);
        again
            .put("stamp/editions/2015/index.html", b"frozen")
            .expect("write");
        let again = again.into_files();
        assert!(again["stamp/editions/2015/index.html"].same(frozen));
        assert!(!again["stamp/editions/2015/index.html"].same(&files["stamp/index.html"]));
        // A full build packs every file; the same bytes in memory compare equal.
        let full = Collector::new(Some(&spill), 3, true);
        full.put("stamp/index.html", b"current").expect("write");
        let full = full.into_files();
        assert!(matches!(full["stamp/index.html"], Stored::Packed(_)));
        assert!(full["stamp/index.html"].same(&files["stamp/index.html"]));
        assert!(files["stamp/index.html"].same(&full["stamp/index.html"]));
        assert!(!full["stamp/index.html"].same(frozen));
        assert!(
            !spill.pack_path(1).exists() || !cfg!(unix),
            "on Unix a pack has no name on disk"
        );
        drop((files, again, full));
        spill.remove();
        assert!(!spill.pack_path(1).exists() && !spill.pack_path(2).exists());
    }
}
