//! Finds every file under `content/` and sorts it into what it is.
//!
//! The walk registers every path in [`Files`] in a fixed (sorted) order before
//! anything is parsed, so file ids, and therefore diagnostics, are the same on
//! every run however the parallel loader schedules its work.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use walkdir::WalkDir;

use super::cache::Stamp;
use crate::diagnostic::{Code, Diagnostic, FileId, Files, Span, Text};
use crate::error::{Error, Result};
use crate::site_files;
use crate::t;

/// Files of one register folder.
#[derive(Clone, Debug, Default)]
pub(crate) struct ListFiles {
    pub(crate) list: Option<FileId>,
    pub(crate) items: Vec<(FileId, String)>,
    pub(crate) editions: BTreeMap<String, EditionFiles>,
}

/// Files of one frozen edition folder, by path relative to the folder.
#[derive(Clone, Debug, Default)]
pub(crate) struct EditionFiles {
    pub(crate) files: BTreeMap<String, FileId>,
}

/// Everything the walk found.
#[derive(Clone, Debug, Default)]
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
    /// The stamp of each file (by id) from the walk's own look at it, for
    /// the cache (`None`: a link, a recent change, or not a file).
    pub(crate) stamps: Vec<Option<Stamp>>,
    /// Whether each file (by id) is a regular file the walk accepted, seen
    /// without following a link.
    pub(crate) regular: Vec<bool>,
    /// Whether the walk followed a symbolic link (to a file or a folder)
    /// inside `content/`: then a change to one path may change another.
    pub(crate) links: bool,
}

impl Walk {
    /// Registers a path that is expected but missing, for a diagnostic to point at.
    pub(crate) fn missing(&mut self, relative: &str, message: Text, help: Text) {
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
        w.links = true;
        let id = w.files.add("content".into());
        w.diags.push(escape(
            id,
            &content,
            t!(en: "content/ itself is a symbolic link", zh: "content/ 本身是一个符号链接"),
        ));
        return Ok(w);
    }
    let (steps, links) = list(&content, &canonical);
    w.links = links;
    // Looking at every file (its size, and its stamp for the cache) is most
    // of a walk's time at scale: done in parallel, the rest in walk order.
    let metas: Vec<Option<std::fs::Metadata>> = steps
        .par_iter()
        .map(|step| match step {
            Step::File(entry) => entry.metadata().ok(),
            _ => None,
        })
        .collect();
    for (step, meta) in steps.into_iter().zip(metas) {
        let entry = match step {
            Step::File(entry) => entry,
            Step::Escape(entry) => {
                let id = w.files.add(relative(root, entry.path()));
                w.diags.push(escape(
                    id,
                    entry.path(),
                    t!(
                        en: "this symbolic link points outside content/",
                        zh: "这个符号链接指向 content/ 以外"
                    ),
                ));
                continue;
            }
            Step::Error(e) => {
                // Loops and dangling links: links all the same.
                w.links = true;
                walk_error(&mut w, root, &content, e)?;
                continue;
            }
        };
        let rel = relative(root, entry.path());
        let size = meta.as_ref().map_or(0, std::fs::Metadata::len);
        if let Some(d) = unreadable(&mut w.files, &rel, &entry, (size, limit)) {
            w.diags.push(d);
            w.refused.push(rel);
            continue;
        }
        let before = w.files.len();
        classify(&mut w, &rel);
        if w.files.len() == before + 1 {
            // Following links, the walk saw the target: only a file that is
            // not a link has the stamp the cache would take of it.
            let stamp = meta
                .filter(|_| !entry.path_is_symlink())
                .and_then(|m| Stamp::of_metadata(&m));
            w.stamps.resize(before, None);
            w.stamps.push(stamp);
            w.regular.resize(before, false);
            w.regular.push(!entry.path_is_symlink());
        }
    }
    require_files(&mut w);
    w.stamps.resize(w.files.len(), None);
    w.regular.resize(w.files.len(), false);
    Ok(w)
}

/// What the walk meets, in walk order.
enum Step {
    /// A file (or a link to one inside content/).
    File(walkdir::DirEntry),
    /// A symbolic link pointing outside content/.
    Escape(walkdir::DirEntry),
    /// A loop, a dangling link, or a failure.
    Error(walkdir::Error),
}

/// Lists what is under `content` (whose canonical path is `canonical`) in
/// sorted order, skipping hidden entries and not entering escaping links;
/// and whether it followed a link.
fn list(content: &Path, canonical: &Path) -> (Vec<Step>, bool) {
    let mut steps = Vec::new();
    let mut links = false;
    let mut it = WalkDir::new(content)
        .follow_links(true)
        .sort_by_file_name()
        .min_depth(1)
        .into_iter();
    while let Some(entry) = it.next() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                steps.push(Step::Error(e));
                continue;
            }
        };
        let is_dir = entry.file_type().is_dir();
        if entry.file_name().to_string_lossy().starts_with('.') {
            if is_dir {
                it.skip_current_dir();
            }
            continue;
        }
        links |= entry.path_is_symlink();
        if entry.path_is_symlink() && !inside(canonical, entry.path()) {
            steps.push(Step::Escape(entry));
            if is_dir {
                it.skip_current_dir();
            }
            continue;
        }
        if !is_dir {
            steps.push(Step::File(entry));
        }
    }
    (steps, links)
}

impl Walk {
    /// Makes this walk (of the last load) the walk of `root` now, given that
    /// the files in `modified` (relative to the root) are the only ones whose
    /// content may have changed since, and that no file or folder appeared or
    /// vanished: looks again at those files, and at those the walk could not
    /// stamp then (just changed), instead of at every file. Returns `false`,
    /// leaving the walk unusable, when it cannot vouch for the result: a
    /// modified path that was not a regular file the walk accepted, a file
    /// that is no longer one or is now over the size limit, or links followed
    /// (a change to one path can then change another).
    pub(crate) fn look_again(&mut self, root: &Path, modified: &[&str]) -> bool {
        if self.links {
            return false;
        }
        let Ok(limit) = site_files::max_file_size() else {
            return false;
        };
        // An edit modifies a file or a few: comparing with each (lengths
        // first) costs less than hashing every path of the site.
        let hashed: Option<std::collections::HashSet<&str>> =
            (modified.len() > 8).then(|| modified.iter().copied().collect());
        let is_modified = |path: &str| match &hashed {
            Some(set) => set.contains(path),
            None => modified.contains(&path),
        };
        let mut seen = 0;
        for (i, path) in self.files.paths().enumerate() {
            let changed = is_modified(path);
            if !self.regular.get(i).copied().unwrap_or(false) {
                if changed {
                    return false;
                }
                continue;
            }
            if !changed && self.stamps.get(i).copied().flatten().is_some() {
                continue;
            }
            seen += usize::from(changed);
            match std::fs::symlink_metadata(root.join(path)) {
                Ok(meta) if meta.is_file() && meta.len() <= limit && i < self.stamps.len() => {
                    self.stamps[i] = Stamp::of_metadata(&meta);
                }
                _ => return false,
            }
        }
        seen == modified.len()
    }
}

/// A diagnostic for a file the loader must not open: special files and files
/// over the size limit.
fn unreadable(
    files: &mut Files,
    rel: &str,
    entry: &walkdir::DirEntry,
    (size, limit): (u64, u64),
) -> Option<Diagnostic> {
    if let Some(kind) = site_files::special_kind(entry.file_type()) {
        let id = files.add(rel.to_owned());
        let (kind, kind_zh) = (kind.en, kind.zh);
        return Some(
            Diagnostic::error(
                Code::SpecialFile,
                Span::file_start(id),
                t!(
                    en: "this is {kind}, not a regular file; minglu does not read it",
                    zh: "这是{kind_zh}，不是普通文件；minglu 不读取它"
                ),
            )
            .with_help(t!(
                en: "content/ holds only ordinary files: replace it by a file or delete it",
                zh: "content/ 中只能有普通文件：请换成普通文件或删除它"
            )),
        );
    }
    (size > limit).then(|| {
        let id = files.add(rel.to_owned());
        let var = site_files::LIMIT_VAR;
        Diagnostic::error(
            Code::FileTooLarge,
            Span::file_start(id),
            t!(
                en: "this file is {size} bytes, more than the limit of {limit} bytes per file",
                zh: "这个文件有 {size} 字节，超过了每个文件 {limit} 字节的上限"
            ),
        )
        .with_help(t!(
            en: "content files are small text files: split it, or raise the limit with {var}=<bytes> if it is genuine",
            zh: "内容文件都是小的文本文件：请拆分它；如果确实需要这么大，可用 {var}=<字节数> 提高上限"
        ))
    })
}

/// A symlink-escape diagnostic naming where the link points (the link's own
/// text, which is in the repository), never what the target contains.
fn escape(id: FileId, link: &Path, message: Text) -> Diagnostic {
    let message = match std::fs::read_link(link) {
        Ok(target) => {
            let (me, mz, to) = (message.en, message.zh, target.display());
            t!(en: "{me} (it points to {to})", zh: "{mz}（指向 {to}）")
        }
        Err(_) => message,
    };
    Diagnostic::error(Code::SymlinkEscape, Span::file_start(id), message).with_help(t!(
        en: "the site is built only from files in content/: replace the link by a copy of the file",
        zh: "网站只用 content/ 中的文件生成：请把链接换成文件本身的副本"
    ))
}

/// Loops and dangling links are diagnostics; other failures stop the walk.
fn walk_error(w: &mut Walk, root: &Path, content: &Path, e: walkdir::Error) -> Result<()> {
    let path = e
        .path()
        .map_or_else(|| content.to_path_buf(), Path::to_path_buf);
    let message = if e.loop_ancestor().is_some() {
        t!(
            en: "this symbolic link points to a folder that contains it",
            zh: "这个符号链接指向包含它自己的文件夹"
        )
    } else if std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink())
        && std::fs::metadata(&path).is_err()
    {
        t!(en: "this symbolic link points to nothing", zh: "这个符号链接指向的目标不存在")
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
                let help = if name.ends_with(".yml") {
                    t!(en: "item files end in .yaml: rename it", zh: "事项文件的扩展名是 .yaml：请重命名")
                } else {
                    t!(
                        en: "item folders hold only <ID>.yaml files: move or delete this one",
                        zh: "items 文件夹中只能有 <编号>.yaml 文件：请移走或删除这个文件"
                    )
                };
                w.diags.push(
                    Diagnostic::error(
                        Code::UnexpectedFile,
                        Span::file_start(id),
                        t!(
                            en: "this file is not an item file and would be ignored",
                            zh: "这不是事项文件，会被忽略"
                        ),
                    )
                    .with_help(help),
                );
            }
        }
        ["lists", key, "editions", edition, rest @ ..] if !rest.is_empty() => {
            let list = w.lists.entry((*key).to_owned()).or_default();
            list.editions.entry((*edition).to_owned()).or_default().files.insert(rest.join("/"), id);
        }
        _ => w.diags.push(
            Diagnostic::warning(
                Code::UnexpectedFile,
                Span::file_start(id),
                t!(en: "minglu does not read this file", zh: "minglu 不读取这个文件"),
            )
            .with_help(t!(
                en: "content/ holds site.yaml, departments.yaml, pages/*.md and lists/<key>/…; move the file elsewhere if it is not content",
                zh: "content/ 中应只有 site.yaml、departments.yaml、pages/*.md 和 lists/<名录键名>/…；如果它不是网站内容，请移到别处"
            )),
        ),
    }
}

fn require_files(w: &mut Walk) {
    if w.site.is_none() {
        w.missing(
            "site.yaml",
            t!(en: "the site has no content/site.yaml", zh: "网站缺少 content/site.yaml"),
            t!(
                en: "create it with title, base_url, publisher and jurisdiction (see docs/content-format.md)",
                zh: "请创建该文件，写明 title、base_url、publisher 和 jurisdiction（见 docs/content-format.md）"
            ),
        );
    }
    if w.departments.is_none() {
        w.missing(
            "departments.yaml",
            t!(
                en: "the site has no content/departments.yaml",
                zh: "网站缺少 content/departments.yaml"
            ),
            t!(
                en: "create it: it maps department ids to their names and contacts",
                zh: "请创建该文件：它列出各部门的编号、名称和联系方式"
            ),
        );
    }
    let keys: Vec<String> = w.lists.keys().cloned().collect();
    for key in keys {
        if w.lists[&key].list.is_none() {
            w.missing(
                &format!("lists/{key}/list.yaml"),
                t!(en: "register `{key}` has no list.yaml", zh: "名录 `{key}` 缺少 list.yaml"),
                t!(
                    en: "create it with title, kind, id_prefix and categories",
                    zh: "请创建该文件，写明 title、kind、id_prefix 和 categories"
                ),
            );
        }
    }
}

/// Absolute path of a registered file.
pub(crate) fn absolute(root: &Path, files: &Files, id: FileId) -> PathBuf {
    root.join(files.path(id))
}
