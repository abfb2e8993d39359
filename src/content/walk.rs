//! Finds every file under `content/` and sorts it into what it is.
//!
//! The walk registers every path in [`Files`] in a fixed (sorted) order before
//! anything is parsed, so file ids, and therefore diagnostics, are the same on
//! every run however the parallel loader schedules its work.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::diagnostic::{Code, Diagnostic, FileId, Files, Span};
use crate::error::{Error, Result};
use crate::site_files;

/// Files of one register folder.
#[derive(Debug, Default)]
pub(crate) struct ListFiles {
    pub(crate) list: Option<FileId>,
    pub(crate) items: Vec<(FileId, String)>,
    pub(crate) editions: BTreeMap<String, EditionFiles>,
}

/// Files of one frozen edition folder, by path relative to the folder.
#[derive(Debug, Default)]
pub(crate) struct EditionFiles {
    pub(crate) files: BTreeMap<String, FileId>,
}

/// Everything the walk found.
#[derive(Debug, Default)]
pub(crate) struct Walk {
    pub(crate) files: Files,
    pub(crate) site: Option<FileId>,
    pub(crate) departments: Option<FileId>,
    pub(crate) pages: Vec<(FileId, String)>,
    pub(crate) lists: BTreeMap<String, ListFiles>,
    pub(crate) diags: Vec<Diagnostic>,
    /// Paths (relative to the root) that exist but were refused, so that they
    /// are not reported as missing too.
    pub(crate) refused: Vec<String>,
}

impl Walk {
    /// Registers a path that is expected but missing, for a diagnostic to point at.
    pub(crate) fn missing(&mut self, relative: &str, message: String, help: &str) {
        if self
            .refused
            .iter()
            .any(|r| r.strip_prefix("content/") == Some(relative))
        {
            return;
        }
        let id = self.files.add(format!("content/{relative}"));
        self.diags.push(
            Diagnostic::error(Code::MissingFile, Span::file_start(id), message).with_help(help),
        );
    }
}

/// Walks `root/content`. Every file it accepts is a regular file inside
/// `content/` (symbolic links resolved) and within the size limit; anything else
/// is a diagnostic, and is never opened.
pub(crate) fn walk(root: &Path) -> Result<Walk> {
    let content = root.join("content");
    if !content.is_dir() {
        return Err(Error::NoContent { path: content });
    }
    let limit = site_files::max_file_size()?;
    let canonical = root
        .canonicalize()
        .map_err(Error::read(root))?
        .join("content");
    let mut w = Walk::default();
    if content.canonicalize().map_err(Error::read(&content))? != canonical {
        let id = w.files.add("content".into());
        w.diags
            .push(escape(id, &content, "content/ itself is a symbolic link"));
        return Ok(w);
    }
    let mut it = WalkDir::new(&content)
        .follow_links(true)
        .sort_by_file_name()
        .min_depth(1)
        .into_iter();
    while let Some(entry) = it.next() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                walk_error(&mut w, root, &content, e)?;
                continue;
            }
        };
        let name = entry.file_name().to_string_lossy();
        let is_dir = entry.file_type().is_dir();
        if name.starts_with('.') {
            if is_dir {
                it.skip_current_dir();
            }
            continue;
        }
        if entry.path_is_symlink() && !inside(&canonical, entry.path()) {
            let id = w.files.add(relative(root, entry.path()));
            w.diags.push(escape(
                id,
                entry.path(),
                "this symbolic link points outside content/",
            ));
            if is_dir {
                it.skip_current_dir();
            }
            continue;
        }
        if is_dir {
            continue;
        }
        let rel = relative(root, entry.path());
        if let Some(d) = unreadable(&mut w.files, &rel, &entry, limit) {
            w.diags.push(d);
            w.refused.push(rel);
            continue;
        }
        classify(&mut w, &rel);
    }
    require_files(&mut w);
    Ok(w)
}

/// A diagnostic for a file the loader must not open: special files and files
/// over the size limit.
fn unreadable(
    files: &mut Files,
    rel: &str,
    entry: &walkdir::DirEntry,
    limit: u64,
) -> Option<Diagnostic> {
    if let Some(kind) = site_files::special_kind(entry.file_type()) {
        let id = files.add(rel.to_owned());
        return Some(
            Diagnostic::error(
                Code::SpecialFile,
                Span::file_start(id),
                format!("this is {kind}, not a regular file; minglu does not read it"),
            )
            .with_help("content/ holds only ordinary files: replace it by a file or delete it"),
        );
    }
    let size = entry.metadata().map_or(0, |m| m.len());
    (size > limit).then(|| {
        let id = files.add(rel.to_owned());
        Diagnostic::error(
            Code::FileTooLarge,
            Span::file_start(id),
            format!("this file is {size} bytes, more than the limit of {limit} bytes per file"),
        )
        .with_help(format!(
            "content files are small text files: split it, or raise the limit with {}=<bytes> if it is genuine",
            site_files::LIMIT_VAR
        ))
    })
}

/// A symlink-escape diagnostic naming where the link points (the link's own
/// text, which is in the repository), never what the target contains.
fn escape(id: FileId, link: &Path, message: &str) -> Diagnostic {
    let target = std::fs::read_link(link)
        .map(|t| format!(" (it points to {})", t.display()))
        .unwrap_or_default();
    Diagnostic::error(
        Code::SymlinkEscape,
        Span::file_start(id),
        format!("{message}{target}"),
    )
    .with_help(
        "the site is built only from files in content/: replace the link by a copy of the file",
    )
}

/// Loops and dangling links are diagnostics; other failures stop the walk.
fn walk_error(w: &mut Walk, root: &Path, content: &Path, e: walkdir::Error) -> Result<()> {
    let path = e
        .path()
        .map_or_else(|| content.to_path_buf(), Path::to_path_buf);
    let message = if e.loop_ancestor().is_some() {
        "this symbolic link points to a folder that contains it"
    } else if std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink())
        && std::fs::metadata(&path).is_err()
    {
        "this symbolic link points to nothing"
    } else {
        return Err(Error::Read {
            source: e
                .into_io_error()
                .unwrap_or_else(|| std::io::Error::other("walk failed")),
            path,
        });
    };
    let id = w.files.add(relative(root, &path));
    w.refused.push(relative(root, &path));
    w.diags.push(escape(id, &path, message));
    Ok(())
}

fn inside(canonical_content: &Path, path: &Path) -> bool {
    path.canonicalize()
        .is_ok_and(|p| p.starts_with(canonical_content))
}

fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

fn classify(w: &mut Walk, rel: &str) {
    let parts: Vec<String> = rel.split('/').skip(1).map(str::to_owned).collect();
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    let id = w.files.add(rel.to_owned());
    match parts.as_slice() {
        ["site.yaml"] => w.site = Some(id),
        ["departments.yaml"] => w.departments = Some(id),
        ["pages", name] if name.ends_with(".md") => {
            let slug = name.trim_end_matches(".md").to_owned();
            w.pages.push((id, slug));
        }
        ["lists", key, "list.yaml"] => w.lists.entry((*key).to_owned()).or_default().list = Some(id),
        ["lists", key, "items", name] => {
            let list = w.lists.entry((*key).to_owned()).or_default();
            if let Some(stem) = name.strip_suffix(".yaml") {
                list.items.push((id, stem.to_owned()));
            } else {
                let help = if name.ends_with(".yml") { "item files end in .yaml: rename it" } else { "item folders hold only <ID>.yaml files: move or delete this one" };
                w.diags.push(Diagnostic::error(Code::UnexpectedFile, Span::file_start(id), "this file is not an item file and would be ignored").with_help(help));
            }
        }
        ["lists", key, "editions", edition, rest @ ..] if !rest.is_empty() => {
            let list = w.lists.entry((*key).to_owned()).or_default();
            list.editions.entry((*edition).to_owned()).or_default().files.insert(rest.join("/"), id);
        }
        _ => w.diags.push(
            Diagnostic::warning(Code::UnexpectedFile, Span::file_start(id), "minglu does not read this file")
                .with_help("content/ holds site.yaml, departments.yaml, pages/*.md and lists/<key>/…; move the file elsewhere if it is not content"),
        ),
    }
}

fn require_files(w: &mut Walk) {
    if w.site.is_none() {
        w.missing("site.yaml", "the site has no content/site.yaml".into(), "create it with title, base_url, publisher and jurisdiction (see docs/content-format.md)");
    }
    if w.departments.is_none() {
        w.missing(
            "departments.yaml",
            "the site has no content/departments.yaml".into(),
            "create it: it maps department ids to their names and contacts",
        );
    }
    let keys: Vec<String> = w.lists.keys().cloned().collect();
    for key in keys {
        if w.lists[&key].list.is_none() {
            w.missing(
                &format!("lists/{key}/list.yaml"),
                format!("register `{key}` has no list.yaml"),
                "create it with title, kind, id_prefix and categories",
            );
        }
    }
}

/// Absolute path of a registered file.
pub(crate) fn absolute(root: &Path, files: &Files, id: FileId) -> PathBuf {
    root.join(files.path(id))
}
