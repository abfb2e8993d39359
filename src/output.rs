//! WRITE: the rendered files → a staging folder → swapped into place.
//!
//! The whole site is written to a hidden sibling of the output folder. Only
//! when every file is written is the old output moved aside and the staging
//! folder renamed into its place, so a failed build leaves the previous
//! `public/` exactly as it was.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A staging folder beside the output folder.
pub struct Staging {
    dir: PathBuf,
    target: PathBuf,
    committed: bool,
}

impl Staging {
    /// Creates an empty staging folder next to `target`.
    pub fn new(target: &Path) -> Result<Staging> {
        let parent = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        fs::create_dir_all(parent).map_err(Error::write(parent))?;
        let name = target
            .file_name()
            .map_or_else(|| "public".into(), |n| n.to_string_lossy().into_owned());
        let dir = parent.join(format!(".{name}.staging-{}", std::process::id()));
        if dir.exists() {
            fs::remove_dir_all(&dir).map_err(Error::write(&dir))?;
        }
        fs::create_dir(&dir).map_err(Error::write(&dir))?;
        Ok(Staging {
            dir,
            target: target.to_path_buf(),
            committed: false,
        })
    }

    /// Writes one file (creating its folder); safe to call from several threads.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        let path = self.dir.join(rel);
        if let Some(parent) = path.parent()
            && !parent.is_dir()
        {
            fs::create_dir_all(parent).map_err(Error::write(parent))?;
        }
        fs::write(&path, bytes).map_err(Error::write(path))
    }

    /// Swaps the staging folder into place, replacing the previous output.
    ///
    /// `adopt` lists folders (relative paths) to carry over from the previous
    /// output instead of writing them again: frozen editions whose pages have not
    /// changed. They are moved only here, after everything else succeeded, and
    /// moved back if the swap fails, so the previous output stays whole.
    pub fn commit(mut self, adopt: &[String]) -> Result<()> {
        let name = self
            .dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let old = self.dir.with_file_name(format!("{name}.old"));
        let had_old = self.target.exists();
        if had_old {
            fs::rename(&self.target, &old).map_err(Error::write(&self.target))?;
        }
        let restore = |moved: &[&String]| {
            for rel in moved.iter().rev() {
                let _ = fs::rename(self.dir.join(rel), old.join(rel));
            }
            if had_old {
                let _ = fs::rename(&old, &self.target);
            }
        };
        let mut moved = Vec::with_capacity(adopt.len());
        for rel in adopt {
            let to = self.dir.join(rel);
            let result = to
                .parent()
                .map_or(Ok(()), fs::create_dir_all)
                .and_then(|()| fs::rename(old.join(rel), &to));
            if let Err(source) = result {
                restore(&moved);
                return Err(Error::Write { path: to, source });
            }
            moved.push(rel);
        }
        if let Err(source) = fs::rename(&self.dir, &self.target) {
            restore(&moved);
            return Err(Error::Write {
                path: self.target.clone(),
                source,
            });
        }
        self.committed = true;
        if had_old {
            fs::remove_dir_all(&old).map_err(Error::write(&old))?;
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
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
        let parent = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = target
            .file_name()
            .map_or_else(|| "public".into(), |n| n.to_string_lossy().into_owned());
        ReuseCache {
            path: parent.join(format!(".{name}.minglu-cache.json")),
        }
    }

    /// Reads and deletes the cache (a build that fails must not leave a cache that
    /// no longer describes the output), keeping the registers whose folders the
    /// output still has.
    pub fn take(&self, target: &Path) -> BTreeMap<String, String> {
        let Ok(text) = fs::read_to_string(&self.path) else {
            return BTreeMap::new();
        };
        let _ = fs::remove_file(&self.path);
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
