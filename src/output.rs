//! WRITE: the rendered files → a staging folder → swapped into place.
//!
//! The whole site is written to a hidden sibling of the output folder. Only
//! when every file is written is the old output moved aside and the staging
//! folder renamed into its place, so a failed build leaves the previous
//! `public/` exactly as it was.

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
        if let Some(parent) = path.parent() {
            if !parent.is_dir() {
                fs::create_dir_all(parent).map_err(Error::write(parent))?;
            }
        }
        fs::write(&path, bytes).map_err(Error::write(path))
    }

    /// Swaps the staging folder into place, replacing the previous output.
    pub fn commit(mut self) -> Result<()> {
        let old = self.dir.with_file_name(format!(
            "{}.old",
            self.dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        ));
        let had_old = self.target.exists();
        if had_old {
            fs::rename(&self.target, &old).map_err(Error::write(&self.target))?;
        }
        if let Err(e) = fs::rename(&self.dir, &self.target) {
            if had_old {
                let _ = fs::rename(&old, &self.target);
            }
            return Err(Error::Write {
                path: self.target.clone(),
                source: e,
            });
        }
        if had_old {
            fs::remove_dir_all(&old).map_err(Error::write(&old))?;
        }
        self.committed = true;
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
