//! LOAD (cache): the cache kept in a file between two runs of `check`.
//!
//! The file holds, for every item file and frozen edition folder of the last
//! load, the stamps it was read with and its parse (in [`codec`] form), the
//! stamps of every other file, each distinct item once (editions repeat most
//! of their items), and an opaque section for the caller (what `check` knows
//! of the pages it rendered). It starts with a format version and the
//! caller's key (the program that wrote it), and ends with a SHA-256 of the
//! rest: a file from another version, a cut-off or corrupt file, or any entry
//! that does not read back, is ignored.
//! A parse reused unchanged is written back byte for byte, so a second check
//! encodes only what changed.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use rayon::prelude::*;

use super::{Cache, CachedEdition, CachedItem, Parsed, Stamp};
use crate::content::codec::{self, Encode, ItemRef, Reader, Writer};
use crate::diagnostic::{Diagnostic, FileId, Files};
use crate::model::{Edition, Item, ListKind};

/// The first bytes of a cache file.
const MAGIC: &[u8] = b"minglu check cache\n";
/// The layout of everything after [`MAGIC`]; any change to it or to
/// [`codec`] must change this number.
const VERSION: u32 = 2;

/// A working-copy item's parse in the cache file.
#[derive(Clone, Debug)]
pub(crate) struct StoredItem {
    item: Option<ItemRef>,
    /// Its diagnostics' bytes (with the item's file as the only local).
    diags: Range<usize>,
}

/// A frozen edition's parse in the cache file.
#[derive(Clone, Debug)]
pub(crate) struct StoredEdition {
    /// The edition's bytes (with its files as locals, in name order).
    body: Range<usize>,
    /// The distinct items it names.
    refs: Vec<ItemRef>,
}

#[derive(Debug)]
struct ItemEntry {
    stamp: Stamp,
    kind: ListKind,
    prefix: String,
    raw: StoredItem,
}

#[derive(Debug)]
struct EditionEntry {
    files: Vec<(String, Stamp)>,
    body: Range<usize>,
}

/// A distinct item, read once however many files repeat it.
type Slot = Arc<OnceLock<Option<Item>>>;

/// What a cache file held.
#[derive(Debug, Default)]
pub(crate) struct Stored {
    data: Vec<u8>,
    others: HashMap<String, Stamp>,
    /// Files the last load had with no stamp.
    unstamped: HashSet<String>,
    items: HashMap<String, ItemEntry>,
    editions: HashMap<String, EditionEntry>,
    table: HashMap<ItemRef, Range<usize>>,
    decoded: Mutex<HashMap<ItemRef, Slot>>,
    extra: Range<usize>,
}

/// Which files differ from the last check's (paths relative to the root).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChangedFiles {
    /// Files whose stamp differs, or could not be trusted.
    pub modified: Vec<String>,
    /// Files the last check did not have.
    pub added: Vec<String>,
    /// Files the last check had and this one does not.
    pub removed: Vec<String>,
}

impl Cache {
    /// A cache for `check` that will be written to a file: filled from
    /// `bytes` (a previous cache file) when they read back and were written
    /// with the same `key`, else empty. Also returns the caller's section of
    /// the file (empty when there was none).
    pub fn from_file(bytes: Option<Vec<u8>>, key: &str) -> (Cache, Vec<u8>) {
        let stored = bytes.and_then(|b| Stored::read(b, key)).unwrap_or_default();
        let extra = stored.data[stored.extra.clone()].to_vec();
        let cache = Cache {
            stored: Some(stored),
            ..Cache::default()
        };
        (cache, extra)
    }

    /// This cache as a file (after a load through it), with the caller's
    /// `extra` section; read back by [`Cache::from_file`] with the same `key`.
    pub fn to_file(&self, key: &str, extra: &[u8]) -> Vec<u8> {
        let empty = Stored::default();
        let stored = self.stored.as_ref().unwrap_or(&empty);
        let old = (&stored.data[..], &stored.table);
        let mut table: BTreeMap<ItemRef, Bytes<'_>> = BTreeMap::new();
        let items: Vec<(&String, &CachedItem, Option<Vec<u8>>)> = self
            .items
            .par_iter()
            .map(|(rel, c)| (rel, c, self.fresh_item(c)))
            .collect();
        let editions: Vec<(&String, &CachedEdition, Option<Fresh>)> = self
            .editions
            .par_iter()
            .map(|(dir, c)| (dir, c, self.fresh_edition(c)))
            .collect();
        let none = HashMap::new();
        let mut w = Writer::new(&none);
        w.buf.extend_from_slice(MAGIC);
        w.u32(VERSION);
        w.str(key);
        let others: Vec<(&String, Stamp)> = self
            .others
            .iter()
            .filter_map(|(_, rel, s)| Some((rel, (*s)?)))
            .collect();
        w.usize(others.len());
        for (rel, stamp) in others {
            w.str(rel);
            w.put(&stamp);
        }
        let unstamped = self.unstamped();
        w.usize(unstamped.len());
        for rel in unstamped {
            w.str(rel);
        }
        write_items(&mut w, old, &items, &mut table);
        write_editions(&mut w, old, &editions, &mut table);
        w.usize(table.len());
        for (key, bytes) in &table {
            w.buf.extend_from_slice(&key.0);
            w.bytes(match bytes {
                Bytes::Old(range) => &stored.data[range.clone()],
                Bytes::New(bytes) => bytes,
            });
        }
        w.bytes(extra);
        // A checksum last: a file cut short or changed by a byte is refused
        // whole (a changed byte inside a text would read back as other text).
        let sum = crate::content::seal::sha256(&w.buf);
        w.buf.extend_from_slice(&sum);
        w.buf
    }

    /// The files of `files` (this load's) that changed since the load the
    /// cache file was written after, by their stamps; every file counts as
    /// added when there was no cache file. When in doubt, a file counts as
    /// added (which covers more than modified).
    pub fn changed_files(&self, files: &Files) -> ChangedFiles {
        let empty = Stored::default();
        let stored = self.stored.as_ref().unwrap_or(&empty);
        let mut covered = vec![false; files.len()];
        let mut out = ChangedFiles::default();
        let mut gone: Vec<String> = Vec::new();
        let mut seen = |id: FileId, same: bool, out: &mut ChangedFiles| {
            if let Some(c) = covered.get_mut(id.0 as usize) {
                *c = true;
            }
            if !same {
                out.changed(stored, files.path(id));
            }
        };
        for c in self.items.values() {
            let same = stored
                .items
                .get(files.path(c.id))
                .is_some_and(|e| e.stamp == c.stamp);
            seen(c.id, same, &mut out);
        }
        let others = &self.others;
        for (id, rel, stamp) in others {
            let same = stamp.is_some() && stored.others.get(rel) == stamp.as_ref();
            seen(*id, same, &mut out);
        }
        for (dir, c) in &self.editions {
            let old = stored.editions.get(dir).map_or(&[][..], |e| &e.files[..]);
            let whole = old.len() == c.files.len()
                && old
                    .iter()
                    .zip(&c.files)
                    .all(|((a, s), (b, _, t))| a == b && s == t);
            let old: HashMap<&str, Stamp> = if whole {
                HashMap::new()
            } else {
                old.iter().map(|(rel, s)| (rel.as_str(), *s)).collect()
            };
            for (rel, id, stamp) in &c.files {
                seen(*id, whole || old.get(rel.as_str()) == Some(stamp), &mut out);
            }
            if !whole {
                let now: HashSet<&str> = c.files.iter().map(|(rel, _, _)| rel.as_str()).collect();
                gone.extend(
                    old.keys()
                        .filter(|rel| !now.contains(*rel))
                        .map(|rel| format!("{dir}/{rel}")),
                );
            }
        }
        for (i, covered) in covered.iter().enumerate() {
            if !covered && let Ok(id) = u32::try_from(i) {
                out.changed(stored, files.path(FileId(id)));
            }
        }
        out.removed = self.removed(stored, files, gone);
        out
    }

    /// Which files the last load had and this one (`files`) does not:
    /// those of `gone` (edition files no longer in their folder), of items,
    /// other files and editions this load has no entry for.
    fn removed(&self, stored: &Stored, files: &Files, mut gone: Vec<String>) -> Vec<String> {
        gone.extend(
            stored
                .items
                .keys()
                .filter(|rel| !self.items.contains_key(*rel))
                .cloned(),
        );
        let others: HashSet<&str> = self.others.iter().map(|(_, rel, _)| rel.as_str()).collect();
        gone.extend(
            stored
                .others
                .keys()
                .filter(|rel| !others.contains(rel.as_str()))
                .cloned(),
        );
        gone.extend(stored.unstamped.iter().cloned());
        for (dir, e) in &stored.editions {
            if !self.editions.contains_key(dir) {
                gone.extend(e.files.iter().map(|(rel, _)| format!("{dir}/{rel}")));
            }
        }
        if gone.is_empty() {
            return gone;
        }
        let now: HashSet<&str> = files.paths().collect();
        let mut removed: Vec<String> = gone
            .into_iter()
            .filter(|p| !now.contains(p.as_str()))
            .collect();
        removed.sort();
        removed
    }

    /// The files of the last load with no stamp in the cache (changed too
    /// recently, links …): the next check knows they existed, and that
    /// their content is unknown.
    fn unstamped(&self) -> Vec<&str> {
        let Some(site) = &self.site else {
            return Vec::new();
        };
        let mut stamped = vec![false; site.files.len()];
        let mut mark = |id: FileId| {
            if let Some(s) = stamped.get_mut(id.0 as usize) {
                *s = true;
            }
        };
        self.items.values().for_each(|c| mark(c.id));
        for c in self.editions.values() {
            c.files.iter().for_each(|(_, id, _)| mark(*id));
        }
        for (id, _, stamp) in &self.others {
            if stamp.is_some() {
                mark(*id);
            }
        }
        site.files
            .paths()
            .zip(stamped)
            .filter(|(_, stamped)| !stamped)
            .map(|(path, _)| path)
            .collect()
    }

    /// A working-copy item's bytes, when it was not read from the cache file.
    fn fresh_item(&self, c: &CachedItem) -> Option<Vec<u8>> {
        if c.stored.is_some() || !c.item {
            return None;
        }
        codec::encode_item(&self.cached_item(c.id)?)
    }

    /// A frozen edition's bytes and its distinct items, when it was not read
    /// from the cache file; `None` also when it cannot be written faithfully.
    fn fresh_edition(&self, c: &CachedEdition) -> Option<Fresh> {
        if c.stored.is_some() {
            return None;
        }
        let edition = match &c.edition {
            Some(e) => Some(self.cached_edition(e)?),
            None => None,
        };
        let locals: HashMap<FileId, u32> = c
            .files
            .iter()
            .zip(0..)
            .map(|((_, id, _), at)| (*id, at))
            .collect();
        let mut items = Vec::new();
        let mut w = Writer::new(&locals);
        w.bool(edition.is_some());
        if let Some(edition) = &edition {
            codec::encode_edition(&mut w, edition, |item| {
                let bytes = codec::encode_item(item)?;
                let key = ItemRef::of(&bytes);
                items.push((key, bytes));
                Some(key)
            });
        }
        w.put(&c.diags);
        Some((w.finish()?, items))
    }
}

impl ChangedFiles {
    /// Counts `path` (a file this load has) as modified if the last check
    /// had it too, else as added.
    fn changed(&mut self, stored: &Stored, path: &str) {
        if stored.had(path) {
            self.modified.push(path.to_owned());
        } else {
            self.added.push(path.to_owned());
        }
    }
}

/// A fresh edition's bytes, and its items' keys and bytes.
type Fresh = (Vec<u8>, Vec<(ItemRef, Vec<u8>)>);

/// An item's bytes for the table: in the old file, or newly encoded.
enum Bytes<'a> {
    Old(Range<usize>),
    New(&'a [u8]),
}

fn write_items<'a>(
    w: &mut Writer<'_>,
    (old, old_table): (&[u8], &HashMap<ItemRef, Range<usize>>),
    items: &'a [(&String, &CachedItem, Option<Vec<u8>>)],
    table: &mut BTreeMap<ItemRef, Bytes<'a>>,
) {
    let mut n = 0;
    let mut body = Vec::new();
    for (rel, c, fresh) in items {
        let (item, diags) = match (&c.stored, fresh) {
            (Some(s), _) => (s.item, old[s.diags.clone()].to_vec()),
            (None, fresh) => {
                let locals = HashMap::from([(c.id, 0)]);
                let mut d = Writer::new(&locals);
                d.put(&c.diags);
                let Some(diags) = d.finish() else { continue };
                let item = match fresh {
                    Some(bytes) => {
                        let key = ItemRef::of(bytes);
                        table.entry(key).or_insert(Bytes::New(bytes));
                        Some(key)
                    }
                    None if c.item => continue,
                    None => None,
                };
                (item, diags)
            }
        };
        if let (Some(_), Some(key)) = (&c.stored, item) {
            let Some(range) = old_table.get(&key) else {
                continue;
            };
            table.entry(key).or_insert(Bytes::Old(range.clone()));
        }
        let none = HashMap::new();
        let mut e = Writer::new(&none);
        e.str(rel);
        e.put(&c.stamp);
        e.put(&c.kind);
        e.str(&c.prefix);
        e.bool(item.is_some());
        if let Some(key) = item {
            e.buf.extend_from_slice(&key.0);
        }
        e.bytes(&diags);
        body.extend_from_slice(&e.buf);
        n += 1;
    }
    w.usize(n);
    w.buf.extend_from_slice(&body);
}

fn write_editions<'a>(
    w: &mut Writer<'_>,
    (old, old_table): (&[u8], &HashMap<ItemRef, Range<usize>>),
    editions: &'a [(&String, &CachedEdition, Option<Fresh>)],
    table: &mut BTreeMap<ItemRef, Bytes<'a>>,
) {
    let mut n = 0;
    let mut body = Vec::new();
    for (dir, c, fresh) in editions {
        let bytes = match (&c.stored, fresh) {
            (Some(s), _) => {
                let ranges: Option<Vec<(ItemRef, Range<usize>)>> = s
                    .refs
                    .iter()
                    .map(|key| Some((*key, old_table.get(key)?.clone())))
                    .collect();
                let Some(ranges) = ranges else { continue };
                for (key, range) in ranges {
                    table.entry(key).or_insert(Bytes::Old(range));
                }
                &old[s.body.clone()]
            }
            (None, Some((bytes, items))) => {
                for (key, item) in items {
                    table.entry(*key).or_insert(Bytes::New(item));
                }
                &bytes[..]
            }
            (None, None) => continue,
        };
        let none = HashMap::new();
        let mut e = Writer::new(&none);
        e.str(dir);
        e.usize(c.files.len());
        for (rel, _, stamp) in &c.files {
            e.str(rel);
            e.put(stamp);
        }
        e.bytes(bytes);
        body.extend_from_slice(&e.buf);
        n += 1;
    }
    w.usize(n);
    w.buf.extend_from_slice(&body);
}

impl Stored {
    /// Reads a cache file; `None` if it is not one written with `key` by
    /// this version, or does not read back whole.
    fn read(mut data: Vec<u8>, key: &str) -> Option<Stored> {
        let body = data.len().checked_sub(32)?;
        if data[body..] != crate::content::seal::sha256(&data[..body]) {
            return None;
        }
        data.truncate(body);
        let mut stored = Stored::default();
        let mut r = Reader::new(data.strip_prefix(MAGIC)?, &[]);
        if r.u32()? != VERSION || r.str()? != key {
            return None;
        }
        let at = MAGIC.len();
        for _ in 0..r.usize()? {
            let rel = r.string()?;
            stored.others.insert(rel, r.get()?);
        }
        for _ in 0..r.usize()? {
            stored.unstamped.insert(r.string()?);
        }
        for _ in 0..r.usize()? {
            let rel = r.string()?;
            let (stamp, kind, prefix) = (r.get()?, r.get()?, r.string()?);
            let item = if r.bool()? {
                Some(ItemRef(r.take(ItemRef::LEN)?.try_into().ok()?))
            } else {
                None
            };
            let diags = shift(r.bytes_range()?, at);
            let raw = StoredItem { item, diags };
            let entry = ItemEntry {
                stamp,
                kind,
                prefix,
                raw,
            };
            stored.items.insert(rel, entry);
        }
        for _ in 0..r.usize()? {
            let dir = r.string()?;
            let mut files = Vec::new();
            for _ in 0..r.usize()? {
                files.push((r.string()?, r.get()?));
            }
            let body = shift(r.bytes_range()?, at);
            stored.editions.insert(dir, EditionEntry { files, body });
        }
        for _ in 0..r.usize()? {
            let key = ItemRef(r.take(ItemRef::LEN)?.try_into().ok()?);
            stored.table.insert(key, shift(r.bytes_range()?, at));
        }
        stored.extra = shift(r.bytes_range()?, at);
        if !r.done() {
            return None;
        }
        stored.data = data;
        Some(stored)
    }

    /// Whether the load the cache file was written after had the file `path`.
    fn had(&self, path: &str) -> bool {
        self.items.contains_key(path)
            || self.others.contains_key(path)
            || self.unstamped.contains(path)
            || path.rsplit_once('/').is_some_and(|(dir, _)| {
                // An edition file: `<dir>/<rel>`, where `rel` may have folders.
                let mut dir = dir;
                loop {
                    if let Some(e) = self.editions.get(dir) {
                        let rel = &path[dir.len() + 1..];
                        return e.files.iter().any(|(r, _)| r == rel);
                    }
                    match dir.rsplit_once('/') {
                        Some((up, _)) => dir = up,
                        None => return false,
                    }
                }
            })
    }

    /// The distinct item `key` as read from `file`.
    fn item_as(&self, key: ItemRef, file: FileId) -> Option<Item> {
        let slot = Arc::clone(
            self.decoded
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .entry(key)
                .or_default(),
        );
        let item = slot.get_or_init(|| {
            let range = self.table.get(&key)?;
            codec::decode_item(&self.data[range.clone()], file)
        });
        let mut item = item.clone()?;
        item.refile(file);
        Some(item)
    }

    /// The working-copy item file `rel` (this load's `id`), if the file has
    /// the stamp and is read with the settings it was cached with.
    pub(super) fn item(
        &self,
        rel: &str,
        stamp: Stamp,
        (kind, prefix): (ListKind, &str),
        id: FileId,
    ) -> Option<(Parsed<Item>, StoredItem)> {
        let e = self.items.get(rel)?;
        if e.stamp != stamp || e.kind != kind || e.prefix != prefix {
            return None;
        }
        let item = match e.raw.item {
            Some(key) => Some(self.item_as(key, id)?),
            None => None,
        };
        let locals = [id];
        let mut r = Reader::new(&self.data[e.raw.diags.clone()], &locals);
        let diags: Vec<Diagnostic> = r.get()?;
        r.done().then(|| ((item, diags), e.raw.clone()))
    }

    /// The frozen edition folder `dir`, if its files are those of `stamps`
    /// (path, this load's id, stamp), with the same stamps.
    pub(super) fn edition(
        &self,
        dir: &str,
        stamps: &[(String, FileId, Stamp)],
    ) -> Option<(Parsed<Arc<Edition>>, StoredEdition)> {
        let e = self.editions.get(dir)?;
        let same = e.files.len() == stamps.len()
            && e.files
                .iter()
                .zip(stamps)
                .all(|((a, s), (b, _, t))| a == b && s == t);
        if !same {
            return None;
        }
        let locals: Vec<FileId> = stamps.iter().map(|(_, id, _)| *id).collect();
        let mut r = Reader::new(&self.data[e.body.clone()], &locals);
        let mut refs = Vec::new();
        let edition = if r.bool()? {
            let edition = codec::decode_edition(&mut r, |key, file| {
                refs.push(*key);
                self.item_as(*key, file)
            })?;
            Some(Arc::new(edition))
        } else {
            None
        };
        let diags: Vec<Diagnostic> = r.get()?;
        let raw = StoredEdition {
            body: e.body.clone(),
            refs,
        };
        r.done().then_some(((edition, diags), raw))
    }
}

/// `range` moved `by` bytes further.
fn shift(range: Range<usize>, by: usize) -> Range<usize> {
    range.start + by..range.end + by
}

impl Encode for Stamp {
    fn encode(&self, w: &mut Writer<'_>) {
        let Stamp {
            len,
            modified,
            changed,
            inode,
            device,
        } = *self;
        w.u64(len);
        w.i128(modified);
        w.i128(changed);
        w.u64(inode);
        w.u64(device);
    }
    fn decode(r: &mut Reader<'_>) -> Option<Self> {
        Some(Stamp {
            len: r.u64()?,
            modified: r.i128()?,
            changed: r.i128()?,
            inode: r.u64()?,
            device: r.u64()?,
        })
    }
}
