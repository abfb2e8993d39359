//! Watching `content/` and `themes/` for changes, debounced.
//!
//! Part of `serve`. Folders are watched, not files, so editors that save by
//! writing a temporary file and renaming it over the original are seen. Hidden
//! files and editor droppings (`*.swp`, `*~`, `.#*`, vim's `4913`) are ignored; so
//! is everything outside `content/` and `themes/` (the output, `target/`, `.git/`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;
use std::time::Duration;

use notify::{Event, EventHandler, RecommendedWatcher, RecursiveMode, WatcherKind};
use notify_debouncer_mini::{Config, DebounceEventResult, Debouncer, new_debouncer_opt};

use super::rebuild::Changes;

/// How long a file must be quiet before its change is reported.
pub const DEBOUNCE: Duration = Duration::from_millis(40);

/// The folders under the site root that hold the site's sources.
const WATCHED: [&str; 2] = ["content", "themes"];

/// Whether a changed path can affect the build.
pub fn is_relevant(root: &Path, path: &Path) -> bool {
    let Ok(rel) = path.strip_prefix(root) else {
        return false;
    };
    let mut parts = rel.components().map(|c| c.as_os_str().to_string_lossy());
    if !parts
        .next()
        .is_some_and(|first| WATCHED.contains(&first.as_ref()))
    {
        return false;
    }
    let name = rel
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let editor_file = name.ends_with('~')
        || name == "4913"
        || (name.starts_with('#') && name.ends_with('#'))
        || [".swp", ".swo", ".swx", ".tmp", ".kate-swp"]
            .iter()
            .any(|ext| name.ends_with(ext));
    !editor_file && !parts.any(|p| p.starts_with('.'))
}

/// The platform's watcher, minus read events: inotify reports every `open`, and
/// the rebuild itself opens every content file, which would rebuild forever.
/// A lost-events notice (queue overflow) becomes an error, which the debouncer
/// passes on and the watcher turns into a full rescan.
pub struct ChangeWatcher(RecommendedWatcher);

impl notify::Watcher for ChangeWatcher {
    fn new<F: EventHandler>(mut handler: F, config: notify::Config) -> notify::Result<Self> {
        let inner = RecommendedWatcher::new(
            move |event: notify::Result<Event>| match event {
                Ok(e) if e.need_rescan() => {
                    handler.handle_event(Err(notify::Error::generic("events were lost")));
                }
                Ok(e) if e.kind.is_access() => {}
                other => handler.handle_event(other),
            },
            config,
        )?;
        Ok(ChangeWatcher(inner))
    }

    fn watch(&mut self, path: &Path, mode: RecursiveMode) -> notify::Result<()> {
        self.0.watch(path, mode)
    }

    fn unwatch(&mut self, path: &Path) -> notify::Result<()> {
        self.0.unwatch(path)
    }

    fn kind() -> WatcherKind {
        RecommendedWatcher::kind()
    }
}

/// The watcher; dropping it stops watching.
pub struct Watcher {
    root: PathBuf,
    debouncer: Debouncer<ChangeWatcher>,
    watched: BTreeSet<PathBuf>,
}

impl std::fmt::Debug for Watcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Watcher({:?})", self.watched)
    }
}

impl Watcher {
    /// Starts watching `root` (absolute); relevant changes go to `changes`.
    pub fn start(root: &Path, changes: Sender<Changes>) -> notify::Result<Watcher> {
        let filter_root = root.to_path_buf();
        let config = Config::default().with_timeout(DEBOUNCE);
        let debouncer = new_debouncer_opt(config, move |result: DebounceEventResult| {
            let batch = match result {
                Ok(events) => Changes {
                    paths: events
                        .into_iter()
                        .map(|e| e.path)
                        .filter(|p| is_relevant(&filter_root, p))
                        .collect(),
                    rescan: false,
                },
                Err(_) => Changes {
                    paths: BTreeSet::new(),
                    rescan: true,
                },
            };
            if !batch.is_empty() {
                // The receiver is gone only while shutting down.
                let _ = changes.send(batch);
            }
        })?;
        let mut watcher = Watcher {
            root: root.to_path_buf(),
            debouncer,
            watched: BTreeSet::new(),
        };
        // The root itself, not recursively: to see `themes/` or `content/` appear.
        watcher
            .debouncer
            .watcher()
            .watch(root, RecursiveMode::NonRecursive)?;
        watcher.refresh(&Changes::default());
        Ok(watcher)
    }

    /// Watches `content/` and `themes/` again if they appeared, or were replaced
    /// (a `git checkout` may delete and recreate a folder).
    pub fn refresh(&mut self, changes: &Changes) {
        for name in WATCHED {
            let dir = self.root.join(name);
            let touched = changes.rescan || changes.paths.contains(&dir);
            if self.watched.contains(&dir) && !touched {
                continue;
            }
            let watcher = self.debouncer.watcher();
            let _ = watcher.unwatch(&dir);
            self.watched.remove(&dir);
            if dir.is_dir() && watcher.watch(&dir, RecursiveMode::Recursive).is_ok() {
                self.watched.insert(dir);
            }
        }
    }

    /// The folders watched recursively (for the start-up message).
    pub fn folders(&self) -> impl Iterator<Item = &Path> {
        self.watched.iter().map(PathBuf::as_path)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::is_relevant;

    #[test]
    fn only_sources_count() {
        let root = Path::new("/site");
        let relevant = [
            "/site/content/lists/stamp/items/GZ-001.yaml",
            "/site/content/lists/stamp/items",
            "/site/themes/default/templates/item.html",
            "/site/content",
        ];
        for p in relevant {
            assert!(is_relevant(root, Path::new(p)), "{p}");
        }
        let ignored = [
            "/site/public/index.html",
            "/site/target/debug/minglu",
            "/site/.git/index.lock",
            "/site/content/lists/stamp/items/.GZ-001.yaml.swp",
            "/site/content/lists/stamp/items/GZ-001.yaml.swp",
            "/site/content/lists/stamp/items/GZ-001.yaml~",
            "/site/content/lists/stamp/items/.#GZ-001.yaml",
            "/site/content/lists/stamp/items/#GZ-001.yaml#",
            "/site/content/lists/stamp/items/4913",
            "/site/content/.hidden/x.yaml",
            "/elsewhere/content/x.yaml",
        ];
        for p in ignored {
            assert!(!is_relevant(root, Path::new(p)), "{p}");
        }
    }
}
