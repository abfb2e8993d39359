//! WRITE: the rendered files → a staging folder → swapped into place.
//!
//! Before anything is written, [`resolve`] vets the output folder by its real
//! path (symbolic links followed, never by path text): it may not be, contain or
//! lie inside the site root's `content/` or `themes/`, may not contain the root,
//! may not be a file, and may only replace a folder minglu wrote before (one
//! holding the [`MARKER`] file) unless the user passes `--force`. A symlinked
//! output stays a symlink: the site is built beside the link's target and
//! swapped in there.
//!
//! The whole site is written to a hidden sibling, `.<name>.staging-<pid>`. Only
//! when every file is written is it swapped with the old output, in one atomic
//! `renameat2(RENAME_EXCHANGE)` on Linux (elsewhere two renames, undone by the
//! next run if interrupted between them). A failed build leaves the previous
//! output exactly as it was; a staging folder left by a killed build is removed
//! by the next build; SIGINT and SIGTERM remove the running build's own.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Component, Path, PathBuf};

use crate::diagnostic::Text;
use crate::error::{Error, Result};
use crate::t;

/// The file that marks a folder as minglu's output (like cargo's `CACHEDIR.TAG`).
pub const MARKER: &str = ".minglu-output";

const MARKER_TEXT: &str = "This folder is written by `minglu build` and replaced by every build.\n\
Anything else put here is deleted by the next build.\n";

/// Resolves and vets the output folder; returns its real path (where the site goes).
///
/// Creates nothing. `force` allows replacing an existing folder that minglu did not
/// write; nothing allows writing over the site's sources.
pub fn resolve(root: &Path, output: &Path, force: bool) -> Result<PathBuf> {
    let content = root.join("content");
    let root_real = fs::canonicalize(root).map_err(|_| Error::NoContent {
        path: content.clone(),
    })?;
    if !content.is_dir() {
        return Err(Error::NoContent { path: content });
    }
    let bad = |reason: Text| Error::BadOutput {
        path: output.to_path_buf(),
        reason,
    };
    let out = real_path(output).map_err(bad)?;
    if root_real.starts_with(&out) {
        return Err(bad(t!(
            en: "it is or contains the site root, which would be replaced",
            zh: "它就是网站根目录或包含网站根目录，写入会把它替换掉"
        )));
    }
    for dir in ["content", "themes"] {
        if let Ok(real) = fs::canonicalize(root.join(dir)) {
            if out.starts_with(&real) {
                return Err(bad(t!(
                    en: "it is inside {dir}/",
                    zh: "它位于 {dir}/ 之内"
                )));
            }
            if real.starts_with(&out) {
                return Err(bad(t!(
                    en: "it contains {dir}/, which would be replaced",
                    zh: "它包含 {dir}/，写入会把 {dir}/ 替换掉"
                )));
            }
        }
    }
    vet_existing(output, &out, force)?;
    Ok(out)
}

/// An existing output must be a folder that minglu wrote (or an empty one).
fn vet_existing(output: &Path, out: &Path, force: bool) -> Result<()> {
    let Ok(meta) = fs::metadata(out) else {
        return Ok(());
    };
    if !meta.is_dir() {
        return Err(Error::BadOutput {
            path: output.to_path_buf(),
            reason: t!(en: "it is a file, not a folder", zh: "它是文件，不是文件夹"),
        });
    }
    let marked = fs::symlink_metadata(out.join(MARKER)).is_ok_and(|m| m.is_file());
    let empty = fs::read_dir(out)
        .map_err(Error::read(out))?
        .next()
        .is_none();
    if marked || empty || force {
        return Ok(());
    }
    Err(Error::ForeignOutput {
        path: output.to_path_buf(),
        marker: MARKER,
    })
}

/// The absolute path with every existing component resolved (symlinks followed);
/// components that do not exist yet are appended as written, `..` popping them.
fn real_path(path: &Path) -> std::result::Result<PathBuf, Text> {
    let abs = std::path::absolute(path).map_err(|_| {
        t!(
            en: "its path cannot be made absolute",
            zh: "无法把它的路径转换为绝对路径"
        )
    })?;
    let parts: Vec<Component<'_>> = abs.components().collect();
    for split in (1..=parts.len()).rev() {
        let prefix: PathBuf = parts[..split].iter().collect();
        let Ok(mut real) = fs::canonicalize(&prefix) else {
            continue;
        };
        for part in &parts[split..] {
            match part {
                Component::ParentDir => {
                    real.pop();
                }
                Component::Normal(name) => {
                    let next = real.join(name);
                    real = if fs::symlink_metadata(&next).is_ok() {
                        // It exists after a `..` brought the path back: resolve it.
                        fs::canonicalize(&next).map_err(|_| {
                            t!(
                                en: "it goes through a symbolic link whose target does not exist",
                                zh: "它经过一个目标不存在的符号链接"
                            )
                        })?
                    } else {
                        next
                    };
                }
                _ => {}
            }
        }
        return Ok(real);
    }
    Err(t!(
        en: "no part of its path exists",
        zh: "它的路径中没有任何一级存在"
    ))
}

/// A staging folder beside the output folder.
pub struct Staging {
    dir: PathBuf,
    target: PathBuf,
    committed: bool,
}

impl Staging {
    /// Creates an empty staging folder next to `target` (a path from [`resolve`]),
    /// after removing the staging folders of builds that are no longer running.
    pub fn new(target: &Path) -> Result<Staging> {
        let parent = parent_of(target);
        fs::create_dir_all(parent).map_err(Error::write(parent))?;
        recover(target);
        let dir = staging_name(target, std::process::id());
        if dir.exists() {
            fs::remove_dir_all(&dir).map_err(Error::write(&dir))?;
        }
        fs::create_dir(&dir).map_err(Error::write(&dir))?;
        interrupt::watch(&dir);
        let staging = Staging {
            dir,
            target: target.to_path_buf(),
            committed: false,
        };
        staging.write(MARKER, MARKER_TEXT.as_bytes())?;
        Ok(staging)
    }

    /// Writes one file; safe to call from several threads.
    ///
    /// The file is created straight away (one `open`, no `stat` first): its
    /// folder is usually there already, made by [`Staging::make_dirs`]. If it
    /// is not, the folder is created and the write tried once more.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        let path = self.dir.join(rel);
        if interrupt::stopping() {
            // A signal is removing this folder: writing more would race with it.
            return Err(Error::write(&path)(std::io::ErrorKind::Interrupted.into()));
        }
        match fs::write(&path, bytes) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if let Some(parent) = path.parent() {
                    fs::create_dir_all(parent).map_err(Error::write(parent))?;
                }
                fs::write(&path, bytes).map_err(Error::write(path))
            }
            result => result.map_err(Error::write(path)),
        }
    }

    /// Creates, once each and parents first, the folders of the files
    /// (relative paths) about to be written, so that writing them needs no
    /// `stat` or `mkdir`: one `mkdir` per folder, in sorted order.
    pub fn make_dirs<'f>(&self, files: impl IntoIterator<Item = &'f str>) -> Result<()> {
        let mut dirs = std::collections::BTreeSet::new();
        for file in files {
            let mut rest = file;
            while let Some(cut) = rest.rfind('/') {
                rest = &file[..cut];
                if !dirs.insert(rest) {
                    break;
                }
            }
        }
        for dir in dirs {
            let path = self.dir.join(dir);
            if interrupt::stopping() {
                return Err(Error::write(&path)(std::io::ErrorKind::Interrupted.into()));
            }
            match fs::create_dir(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => {
                    return Err(Error::Write { path, source: e });
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Swaps the staging folder into place, replacing the previous output.
    ///
    /// `adopt` lists folders (relative paths) to carry over from the previous
    /// output instead of writing them again: frozen editions whose pages have not
    /// changed. They are moved only here, after everything else succeeded, and
    /// moved back if the swap fails, so the previous output stays whole. Once the
    /// new site is in place the result is `Ok`, even if the old one could not be
    /// deleted (the next build removes it).
    pub fn commit(mut self, adopt: &[String]) -> Result<()> {
        let mut live = interrupt::lock();
        if fs::symlink_metadata(&self.target).is_err() {
            fs::rename(&self.dir, &self.target).map_err(Error::write(&self.target))?;
            self.committed = true;
            live.retain(|d| d != &self.dir);
            return Ok(());
        }
        let mut moved: Vec<&String> = Vec::with_capacity(adopt.len());
        let undo = |moved: &[&String]| {
            for rel in moved.iter().rev() {
                let _ = fs::rename(self.dir.join(rel), self.target.join(rel));
            }
        };
        for rel in adopt {
            let to = self.dir.join(rel);
            let result = to
                .parent()
                .map_or(Ok(()), fs::create_dir_all)
                .and_then(|()| fs::rename(self.target.join(rel), &to));
            if let Err(source) = result {
                undo(&moved);
                return Err(Error::Write { path: to, source });
            }
            moved.push(rel);
        }
        if let Err(source) = swap(&self.dir, &self.target) {
            undo(&moved);
            return Err(Error::Write {
                path: self.target.clone(),
                source,
            });
        }
        self.committed = true;
        // The staging name now holds the old output.
        let _ = fs::remove_dir_all(&self.dir);
        live.retain(|d| d != &self.dir);
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.dir);
        }
        interrupt::forget(&self.dir);
    }
}

fn parent_of(target: &Path) -> &Path {
    target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

fn target_name(target: &Path) -> String {
    target
        .file_name()
        .map_or_else(|| "public".into(), |n| n.to_string_lossy().into_owned())
}

/// `.<name>.staging-<pid>` beside the target.
fn staging_name(target: &Path, pid: u32) -> PathBuf {
    parent_of(target).join(format!(".{}.staging-{pid}", target_name(target)))
}

/// Exchanges two folders in one step, so that there is no moment without an output.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn swap(staging: &Path, target: &Path) -> std::io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    match renameat_with(CWD, staging, CWD, target, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(()),
        // Some file systems do not support the exchange.
        Err(rustix::io::Errno::INVAL | rustix::io::Errno::NOSYS | rustix::io::Errno::OPNOTSUPP) => {
            swap_by_renames(staging, target)
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn swap(staging: &Path, target: &Path) -> std::io::Result<()> {
    swap_by_renames(staging, target)
}

/// The portable swap: target → `<staging>.old`, staging → target, `.old` → staging.
/// Interrupted between the first two renames, [`recover`] puts the old output back.
fn swap_by_renames(staging: &Path, target: &Path) -> std::io::Result<()> {
    let mut old = staging.as_os_str().to_owned();
    old.push(".old");
    let old = PathBuf::from(old);
    fs::rename(target, &old)?;
    if let Err(e) = fs::rename(staging, target) {
        let _ = fs::rename(&old, target);
        return Err(e);
    }
    fs::rename(&old, staging)
}

/// Cleans up after builds that were killed: puts back an output that a portable
/// swap had moved aside, and removes staging folders whose process is gone.
fn recover(target: &Path) {
    let parent = parent_of(target);
    let prefix = format!(".{}.staging-", target_name(target));
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    let mut names: Vec<String> = entries
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in names {
        let Some(rest) = name.strip_prefix(&prefix) else {
            continue;
        };
        let (pid, old) = rest
            .strip_suffix(".old")
            .map_or((rest, false), |p| (p, true));
        let Ok(pid) = pid.parse::<u32>() else {
            continue;
        };
        let path = parent.join(&name);
        let ours = fs::symlink_metadata(path.join(MARKER)).is_ok_and(|m| m.is_file());
        if !ours || pid == std::process::id() || process_alive(pid) {
            continue;
        }
        if old && fs::symlink_metadata(target).is_err() {
            let _ = fs::rename(&path, target);
        } else {
            let _ = fs::remove_dir_all(&path);
        }
    }
}

#[cfg(unix)]
fn process_alive(pid: u32) -> bool {
    let Some(pid) = i32::try_from(pid)
        .ok()
        .and_then(rustix::process::Pid::from_raw)
    else {
        return false;
    };
    // Signal 0 only asks whether the process exists; EPERM means it does.
    !matches!(
        rustix::process::test_kill_process(pid),
        Err(rustix::io::Errno::SRCH)
    )
}

#[cfg(not(unix))]
fn process_alive(_pid: u32) -> bool {
    true
}

/// Removes the staging folders of this process on SIGINT and SIGTERM.
///
/// The one piece of process-wide state in the writer: a signal arrives for the
/// process, not for a build. A thread waits for the signal, takes the lock that
/// [`Staging::commit`] holds while swapping (so a swap is never cut in half),
/// removes every live staging folder and exits with 128 + the signal number.
mod interrupt {
    use std::path::{Path, PathBuf};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Mutex, MutexGuard, Once, PoisonError};

    static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
    static WATCH: Once = Once::new();
    static STOPPING: AtomicBool = AtomicBool::new(false);

    /// Whether a signal is stopping the process (writers stop writing).
    pub(super) fn stopping() -> bool {
        STOPPING.load(Ordering::SeqCst)
    }

    pub(super) fn lock() -> MutexGuard<'static, Vec<PathBuf>> {
        LIVE.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn watch(dir: &Path) {
        WATCH.call_once(start);
        lock().push(dir.to_path_buf());
    }

    pub(super) fn forget(dir: &Path) {
        lock().retain(|d| d != dir);
    }

    #[cfg(unix)]
    fn start() {
        use signal_hook::consts::{SIGINT, SIGTERM};
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) else {
            return;
        };
        std::thread::spawn(move || {
            if let Some(signal) = signals.forever().next() {
                STOPPING.store(true, Ordering::SeqCst);
                let live = lock();
                for dir in live.iter() {
                    // A render thread may be between its check and its write:
                    // try again until no writer puts anything back.
                    for _ in 0..100 {
                        if std::fs::remove_dir_all(dir).is_ok() || !dir.exists() {
                            break;
                        }
                        std::thread::sleep(std::time::Duration::from_millis(10));
                    }
                }
                std::process::exit(128 + signal);
            }
        });
    }

    #[cfg(not(unix))]
    fn start() {}
}

/// Remembers, beside the output folder, the fingerprint of each register's
/// edition folders, so that the next build can carry them over unchanged.
pub struct ReuseCache {
    path: PathBuf,
}

#[derive(serde::Serialize, serde::Deserialize, Default)]
struct CacheFile {
    registers: BTreeMap<String, CacheEntry>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct CacheEntry {
    fingerprint: String,
    dirs: Vec<String>,
}

impl ReuseCache {
    /// The cache for an output folder (`public` → `.public.minglu-cache.json` beside it).
    pub fn for_output(target: &Path) -> ReuseCache {
        ReuseCache {
            path: parent_of(target).join(format!(".{}.minglu-cache.json", target_name(target))),
        }
    }

    /// Reads the cache, keeping the registers whose folders the output still has.
    ///
    /// The file stays: a failed build leaves the output as it was, so the cache
    /// still describes it; a successful one rewrites it with [`ReuseCache::store`].
    pub fn take(&self, target: &Path) -> BTreeMap<String, String> {
        let Ok(text) = crate::site_files::read_text_limited(&self.path, 64 << 20) else {
            return BTreeMap::new();
        };
        let Ok(file) = serde_json::from_str::<CacheFile>(&text) else {
            return BTreeMap::new();
        };
        file.registers
            .into_iter()
            .filter(|(_, e)| {
                e.dirs
                    .iter()
                    .all(|d| target.join(d).join("index.html").is_file())
            })
            .map(|(key, e)| (key, e.fingerprint))
            .collect()
    }

    /// Records the new output's fingerprints; failing to is harmless (no reuse next time).
    pub fn store(
        &self,
        fingerprints: &BTreeMap<String, String>,
        dirs: &BTreeMap<String, Vec<String>>,
    ) {
        let file = CacheFile {
            registers: fingerprints
                .iter()
                .map(|(key, f)| {
                    (
                        key.clone(),
                        CacheEntry {
                            fingerprint: f.clone(),
                            dirs: dirs.get(key).cloned().unwrap_or_default(),
                        },
                    )
                })
                .collect(),
        };
        if let Ok(text) = serde_json::to_string_pretty(&file) {
            let _ = fs::write(&self.path, text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_path_resolves_dot_dot_after_missing_folders() {
        let base = std::env::temp_dir().join(format!("minglu-real-{}", std::process::id()));
        fs::create_dir_all(base.join("a")).expect("mkdir");
        let real = fs::canonicalize(&base).expect("canonical");
        assert_eq!(
            real_path(&base.join("x/y/../../a/z")).expect("resolves"),
            real.join("a/z")
        );
        fs::remove_dir_all(&base).expect("clean");
    }

    #[test]
    fn staging_names_carry_the_pid() {
        assert_eq!(
            staging_name(Path::new("/s/public"), 42),
            Path::new("/s/.public.staging-42")
        );
    }
}
