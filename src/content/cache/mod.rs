//! LOAD: parsed files kept from one load to the next, so a load after an edit
//! re-reads only what changed.
//!
//! Like git's index, a file is known by its stamp: size, modification and
//! status-change times (nanoseconds) and inode. A working-copy item is reused
//! when its stamp, its file id and the list settings it is read with are the
//! same; a frozen edition when every file of its folder has the same stamp and
//! id. Status-change time (`ctime`) cannot be set by programs, so an edit that
//! keeps the size and restores the modification time is still seen. As git
//! does against "racily clean" files, a file changed in the last two seconds
//! is never cached (its stamp may not yet differ from an edit in the same
//! clock tick), and neither is a symbolic link. The cache is an optimisation
//! only: any doubt means reading the file again.
//!
//! `serve` keeps a cache in memory from one load to the next; `check` writes
//! it to a file between runs ([`disk`]), and then also learns from it which
//! files changed since the last check ([`Cache::changed_files`]).

mod disk;

pub use disk::ChangedFiles;

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use crate::diagnostic::{Diagnostic, FileId};
use crate::model::{Edition, Item, ListKind, Site};

/// What identifies a file's content without reading it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Stamp {
    len: u64,
    modified: i128,
    changed: i128,
    inode: u64,
    device: u64,
}

/// How recent a change must be for the file not to be cached.
const RACY: Duration = Duration::from_secs(2);

impl Stamp {
    /// The stamp of a regular file, or `None` (a link, a recent change, an error).
    #[cfg(test)]
    pub(crate) fn of(path: &std::path::Path) -> Option<Stamp> {
        Stamp::of_metadata(&std::fs::symlink_metadata(path).ok()?)
    }

    /// The stamp of a regular file from its metadata (as `lstat` gives it),
    /// or `None` (a link, a recent change, an error).
    pub(crate) fn of_metadata(meta: &std::fs::Metadata) -> Option<Stamp> {
        if !meta.is_file() {
            return None;
        }
        let modified = meta.modified().ok()?;
        let recent = SystemTime::now().checked_sub(RACY)?;
        if modified > recent {
            return None;
        }
        let nanos = |t: SystemTime| {
            t.duration_since(SystemTime::UNIX_EPOCH)
                .map_or(0, |d| i128::try_from(d.as_nanos()).unwrap_or(i128::MAX))
        };
        #[cfg(unix)]
        let (changed, inode, device) = {
            use std::os::unix::fs::MetadataExt as _;
            let changed = i128::from(meta.ctime()) * 1_000_000_000 + i128::from(meta.ctime_nsec());
            if changed > nanos(recent) {
                return None;
            }
            (changed, meta.ino(), meta.dev())
        };
        #[cfg(not(unix))]
        let (changed, inode, device) = (0, 0, 0);
        Some(Stamp {
            len: meta.len(),
            modified: nanos(modified),
            changed,
            inode,
            device,
        })
    }
}

/// Numbers every load through any cache of this process, so that a load's
/// number says which load it is (see [`Unchanged`]).
static LOADS: AtomicU64 = AtomicU64::new(1);

/// Which working-copy items a load took unchanged from the load before it
/// (through the same cache), for what kept findings about those items
/// (the checks') to be reused only where they still hold.
#[derive(Clone, Debug, Default)]
pub struct Unchanged {
    /// The load before (`None`: there was none).
    pub before: Option<u64>,
    /// This load.
    pub load: u64,
    /// By file id: whether the file's item is the very item it was in the
    /// load before (same file, same id, same bytes, same list settings).
    files: Vec<bool>,
}

impl Unchanged {
    /// Whether the working-copy item read from `file` is the one the load
    /// before had.
    pub fn item(&self, file: FileId) -> bool {
        self.files.get(file.0 as usize).copied().unwrap_or(false)
    }
}

/// A parsed result and its diagnostics.
type Parsed<T> = (Option<T>, Vec<Diagnostic>);

#[derive(Debug)]
struct CachedItem {
    stamp: Stamp,
    id: FileId,
    kind: ListKind,
    prefix: String,
    /// Whether the file gave an item (then it is in the cached model).
    item: bool,
    diags: Vec<Diagnostic>,
    /// Its bytes in the cache file it was read from, if it was.
    stored: Option<disk::StoredItem>,
    /// Whether the load under way reused it (then it stays for the next).
    kept: AtomicBool,
}

#[derive(Debug)]
struct CachedEdition {
    files: Vec<(String, FileId, Stamp)>,
    /// Register key and edition id, when the folder gave an edition.
    edition: Option<(String, String)>,
    diags: Vec<Diagnostic>,
    /// Its bytes in the cache file it was read from, if it was.
    stored: Option<disk::StoredEdition>,
    /// Whether the load under way reused it (then it stays for the next).
    kept: AtomicBool,
}

/// Parsed files from the previous load (see the module documentation).
/// `Cache::default()` is empty; a load through it fills it for the next one.
/// It holds no copy of the model: it shares the last load's [`Site`] and
/// clones what is reused out of it.
#[derive(Debug, Default)]
pub struct Cache {
    /// A cache that neither looks up nor keeps anything (a one-off load).
    off: bool,
    site: Option<Arc<Site>>,
    /// Working-copy item file → (register, item) positions in `site`, by
    /// file id.
    positions: Vec<Option<(usize, usize)>>,
    /// By path. A load marks what it reuses ([`CachedItem::kept`]) and
    /// adds what it reads to `next_items`; the entries it did not reuse
    /// then make way for those (see [`Cache::finish`]), so an edit costs
    /// the entries of the files it changed, not a new map.
    items: HashMap<String, CachedItem>,
    /// By edition folder, kept as `items` are.
    editions: HashMap<String, CachedEdition>,
    next_items: Mutex<HashMap<String, CachedItem>>,
    next_editions: Mutex<HashMap<String, CachedEdition>>,
    /// Files reused and files read by the load under way.
    hits: (AtomicUsize, AtomicUsize),
    /// The last load's number and what it took unchanged.
    unchanged: Unchanged,
    /// What a cache file held (see [`disk`]), when the cache was read from one.
    stored: Option<disk::Stored>,
    /// The stamps of the other files of the last load (site.yaml, lists,
    /// pages …), taken before they were read; `None`: not cacheable.
    others: Vec<(FileId, String, Option<Stamp>)>,
    next_others: Mutex<Vec<(FileId, String, Option<Stamp>)>>,
    /// The last load's walk, to look again at only the files a watcher says
    /// changed (see [`super::load_cached`]).
    walk: Option<super::walk::Walk>,
    /// Whether the last load walked (see [`Cache::walked`]).
    walked: bool,
    /// The last load's working-copy items, by register (as in its model),
    /// moved out of its model for this load to take whole (see
    /// [`Cache::begin`]).
    spare: Vec<Spare>,
}

/// One register's working-copy items, moved out of the last load's model.
#[derive(Debug)]
struct Spare {
    key: String,
    /// The file of each item, by position.
    files: Vec<FileId>,
    items: Mutex<Option<Vec<Item>>>,
}

/// What [`Cache::item`] gives for an item file.
#[derive(Debug)]
pub(crate) enum Found {
    /// The item at this position of the last load's items of the register,
    /// unchanged: [`Cache::take_items`] hands them over.
    Kept(usize),
    /// The file's item, if it has one (read now, from the cache file, or
    /// copied from the last load).
    Fresh(Option<Box<Item>>),
}

impl Cache {
    /// A cache that does nothing: [`super::load`] reads every file, without
    /// even the cost of stamping it.
    pub(crate) fn off() -> Cache {
        Cache {
            off: true,
            ..Cache::default()
        }
    }

    /// Files reused and files read by the last load through this cache
    /// (a frozen edition counts as its number of files).
    pub fn last_load(&self) -> (usize, usize) {
        (
            self.hits.0.load(Ordering::Relaxed),
            self.hits.1.load(Ordering::Relaxed),
        )
    }

    fn count(&self, reused: usize, read: usize) {
        self.hits.0.fetch_add(reused, Ordering::Relaxed);
        self.hits.1.fetch_add(read, Ordering::Relaxed);
    }

    /// What the last load through this cache took unchanged from the one
    /// before.
    pub fn unchanged(&self) -> &Unchanged {
        &self.unchanged
    }

    /// Starts a load: counters to zero, a new load number.
    pub(crate) fn begin(&mut self) {
        self.hits = (AtomicUsize::new(0), AtomicUsize::new(0));
        let before = (self.unchanged.load != 0).then_some(self.unchanged.load);
        self.unchanged = Unchanged {
            before,
            load: LOADS.fetch_add(1, Ordering::Relaxed),
            files: Vec::new(),
        };
        self.spare = Vec::new();
        // When nobody else holds the last load's model any more (serve drops
        // it after each build), its working-copy items are moved into this
        // load rather than copied.
        let Some(shared) = self.site.take() else {
            return;
        };
        let mut site = match Arc::try_unwrap(shared) {
            Ok(site) => site,
            Err(shared) => {
                self.site = Some(shared);
                return;
            }
        };
        self.spare = site
            .registers
            .iter_mut()
            .map(|r| {
                let items = std::mem::take(&mut r.working.items);
                Spare {
                    key: r.key.clone(),
                    files: items.iter().map(|i| i.file).collect(),
                    items: Mutex::new(Some(items)),
                }
            })
            .collect();
        self.site = Some(Arc::new(site));
    }

    /// Whether the last load through this cache walked `content/` (rather
    /// than looking again only at the files said to be modified).
    pub fn walked(&self) -> bool {
        self.walked
    }

    pub(crate) fn set_walked(&mut self, walked: bool) {
        self.walked = walked;
    }

    /// The last load's walk, if kept (taken: a load gives one back on success).
    pub(crate) fn take_walk(&mut self) -> Option<super::walk::Walk> {
        self.walk.take()
    }

    /// Ends a load of `site`, found by `walk`: what it read becomes the cache
    /// (files it did not see are dropped).
    pub(crate) fn finish(&mut self, site: &Arc<Site>, walk: super::walk::Walk) {
        self.walk = Some(walk);
        self.spare = Vec::new();
        let mut unchanged = vec![false; site.files.len()];
        self.items.retain(|_, c| {
            let kept = c.kept.swap(false, Ordering::Relaxed);
            if kept
                && c.item
                && let Some(u) = unchanged.get_mut(c.id.0 as usize)
            {
                *u = true;
            }
            kept
        });
        self.unchanged.files = unchanged;
        self.items.extend(std::mem::take(
            self.next_items
                .get_mut()
                .unwrap_or_else(PoisonError::into_inner),
        ));
        self.editions
            .retain(|_, c| c.kept.swap(false, Ordering::Relaxed));
        self.editions.extend(std::mem::take(
            self.next_editions
                .get_mut()
                .unwrap_or_else(PoisonError::into_inner),
        ));
        self.others = std::mem::take(
            self.next_others
                .get_mut()
                .unwrap_or_else(PoisonError::into_inner),
        );
        self.positions.clear();
        self.positions.resize(site.files.len(), None);
        for (r, register) in site.registers.iter().enumerate() {
            for (i, item) in register.working.items.iter().enumerate() {
                if let Some(at) = self.positions.get_mut(item.file.0 as usize) {
                    *at = Some((r, i));
                }
            }
        }
        self.site = Some(Arc::clone(site));
    }

    /// Forgets everything (a load failed half-way).
    pub(crate) fn clear(&mut self) {
        *self = Cache::default();
    }

    /// Whether the cache will be written to a file (see [`disk`]).
    pub(crate) fn persistent(&self) -> bool {
        self.stored.is_some()
    }

    /// Keeps the stamps (taken by the walk, before anything was read) of the
    /// files a load reads besides items and editions: only a cache written
    /// to a file needs them, to tell which files changed between two checks.
    pub(crate) fn stamp_others(&self, others: Vec<(FileId, String, Option<Stamp>)>) {
        *self
            .next_others
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = others;
    }

    /// The position of file `id`'s item among the last load's items of
    /// register `key`, when they were moved out of its model for this load.
    fn spare_position(&self, key: &str, id: FileId) -> Option<usize> {
        let (r, i) = (*self.positions.get(id.0 as usize)?)?;
        let spare = self.spare.get(r)?;
        (spare.key == key && spare.files.get(i) == Some(&id)).then_some(i)
    }

    /// The last load's working-copy items of register `key`, for the
    /// positions [`Cache::item`] gave as [`Found::Kept`] (taken: once).
    pub(crate) fn take_items(&self, key: &str) -> Option<Vec<Item>> {
        self.spare
            .iter()
            .find(|s| s.key == key)?
            .items
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }

    /// A copy of file `id`'s item in the last load's model (when its items
    /// were not moved out of it).
    fn cached_item(&self, id: FileId) -> Option<Item> {
        let (r, i) = (*self.positions.get(id.0 as usize)?)?;
        let item = self.site.as_ref()?.registers.get(r)?.working.items.get(i)?;
        (item.file == id).then(|| item.clone())
    }

    fn cached_edition(&self, (key, id): &(String, String)) -> Option<Arc<Edition>> {
        let site = self.site.as_ref()?;
        let register = site.registers.iter().find(|r| r.key == *key)?;
        register
            .editions
            .iter()
            .find(|e| e.id == *id)
            .map(Arc::clone)
    }

    /// A working-copy item of register `key` whose file had `stamp` when the
    /// walk found it: the cached result, or `parse` (whose result is kept).
    pub(crate) fn item(
        &self,
        stamp: Option<Stamp>,
        rel: &str,
        id: FileId,
        (key, kind, prefix): (&str, ListKind, &str),
        parse: impl FnOnce() -> crate::Result<Parsed<Item>>,
    ) -> crate::Result<(Found, Vec<Diagnostic>)> {
        let fresh = |(item, diags): Parsed<Item>| (Found::Fresh(item.map(Box::new)), diags);
        if self.off {
            return parse().map(fresh);
        }
        if let (Some(stamp), Some(c)) = (stamp, self.items.get(rel))
            && c.stamp == stamp
            && c.id == id
            && c.kind == kind
            && c.prefix == prefix
        {
            let found = match (c.item, self.spare_position(key, id)) {
                (false, _) => Some(Found::Fresh(None)),
                (true, Some(at)) => Some(Found::Kept(at)),
                (true, None) => self
                    .cached_item(id)
                    .map(|i| Found::Fresh(Some(Box::new(i)))),
            };
            if let Some(found) = found {
                self.count(1, 0);
                c.kept.store(true, Ordering::Relaxed);
                return Ok((found, c.diags.clone()));
            }
        }
        if let (Some(stamp), Some(stored)) = (stamp, &self.stored)
            && let Some((parsed, raw)) = stored.item(rel, stamp, (kind, prefix), id)
        {
            self.count(1, 0);
            self.keep_item(rel, stamp, (kind, prefix), &parsed, id, Some(raw));
            return Ok(fresh(parsed));
        }
        self.count(0, 1);
        let parsed = parse()?;
        if let Some(stamp) = stamp {
            self.keep_item(rel, stamp, (kind, prefix), &parsed, id, None);
        }
        Ok(fresh(parsed))
    }

    fn keep_item(
        &self,
        rel: &str,
        stamp: Stamp,
        (kind, prefix): (ListKind, &str),
        (item, diags): &Parsed<Item>,
        id: FileId,
        stored: Option<disk::StoredItem>,
    ) {
        let entry = CachedItem {
            stamp,
            id,
            kind,
            prefix: prefix.to_owned(),
            item: item.is_some(),
            diags: diags.clone(),
            stored,
            kept: AtomicBool::new(false),
        };
        self.next_items
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(rel.to_owned(), entry);
    }

    /// A frozen edition folder `dir` of register `key` with `files` (relative
    /// path → id), whose stamps the walk took (`stamps`, by id): the cached
    /// result, or `load` (whose result is kept).
    pub(crate) fn edition(
        &self,
        (key, dir): (&str, &str),
        (files, stamps): (&BTreeMap<String, FileId>, &[Option<Stamp>]),
        load: impl FnOnce() -> crate::Result<Parsed<Edition>>,
    ) -> crate::Result<Parsed<Arc<Edition>>> {
        let load = || load().map(|(edition, diags)| (edition.map(Arc::new), diags));
        if self.off {
            return load();
        }
        let stamp_of = |id: FileId| stamps.get(id.0 as usize).copied().flatten();
        if let Some(c) = self.editions.get(dir)
            && c.files.len() == files.len()
            && files
                .iter()
                .zip(&c.files)
                .all(|((rel, id), (was, was_id, s))| {
                    rel == was && id == was_id && stamp_of(*id) == Some(*s)
                })
        {
            let edition = c.edition.as_ref().and_then(|e| self.cached_edition(e));
            if edition.is_some() == c.edition.is_some() {
                self.count(files.len(), 0);
                c.kept.store(true, Ordering::Relaxed);
                return Ok((edition, c.diags.clone()));
            }
        }
        let stamps: Option<Vec<(String, FileId, Stamp)>> = files
            .iter()
            .map(|(rel, id)| Some((rel.clone(), *id, stamp_of(*id)?)))
            .collect();
        if let (Some(stamps), Some(stored)) = (&stamps, &self.stored)
            && let Some((parsed, raw)) = stored.edition(dir, stamps)
        {
            self.count(files.len(), 0);
            self.keep_edition(dir, key, stamps.clone(), &parsed, Some(raw));
            return Ok(parsed);
        }
        self.count(0, files.len());
        let parsed = load()?;
        if let Some(stamps) = stamps {
            self.keep_edition(dir, key, stamps, &parsed, None);
        }
        Ok(parsed)
    }

    fn keep_edition(
        &self,
        dir: &str,
        key: &str,
        files: Vec<(String, FileId, Stamp)>,
        (edition, diags): &Parsed<Arc<Edition>>,
        stored: Option<disk::StoredEdition>,
    ) {
        let entry = CachedEdition {
            files,
            edition: edition.as_ref().map(|e| (key.to_owned(), e.id.clone())),
            diags: diags.clone(),
            stored,
            kept: AtomicBool::new(false),
        };
        self.next_editions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(dir.to_owned(), entry);
    }
}

#[cfg(test)]
mod tests {
    use std::fs::File;
    use std::time::{Duration, SystemTime};

    use super::Stamp;

    #[test]
    fn a_stamp_sees_edits_that_keep_size_and_modification_time() {
        let dir = std::env::temp_dir().join(format!("minglu-stamp-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("mkdir");
        let path = dir.join("GZ-001.yaml");
        std::fs::write(&path, "title: 一\n").expect("write");
        let old = SystemTime::now() - Duration::from_secs(60);
        File::options()
            .write(true)
            .open(&path)
            .and_then(|f| f.set_modified(old))
            .expect("backdate");
        // Just changed (its status-change time is now): never trusted.
        assert_eq!(Stamp::of(&path), None, "a racily clean file is not cached");
        std::thread::sleep(super::RACY + Duration::from_millis(200));
        let before = Stamp::of(&path).expect("an old file has a stamp");
        assert_eq!(Stamp::of(&path), Some(before), "unchanged: the same stamp");
        // Same size, modification time put back: the stamp still differs.
        std::fs::write(&path, "title: 二\n").expect("rewrite");
        File::options()
            .write(true)
            .open(&path)
            .and_then(|f| f.set_modified(old))
            .expect("backdate again");
        assert_ne!(Stamp::of(&path), Some(before));
        std::fs::remove_dir_all(&dir).expect("clean up");
    }
}
