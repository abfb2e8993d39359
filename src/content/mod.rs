//! LOAD: `content/` on disk → the [`Site`] model plus diagnostics.
//!
//! The loader walks the folder, reads every file (in parallel), decodes it as
//! UTF-8, parses YAML into a spanned tree and lowers it into model types,
//! collecting a diagnostic for every problem it meets. It verifies each frozen
//! edition against its SHA256SUMS while reading it. It never renders anything
//! and never writes.

mod cache;
pub(crate) mod codec;
mod distinct;
mod lower;
pub use lower::SITE_FIELDS;
mod read;
pub mod seal;
mod source;
mod walk;
pub(crate) mod yaml;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostic::{Code, Diagnostic, Diagnostics, FileId, Files, Span};
use crate::error::Result;
use crate::model::{
    Departments, Edition, Item, Language, ListKind, ListMeta, Page, Register, Site, SiteConfig,
    Snapshot,
};
use crate::site_files::ContentFiles;
use crate::t;
use distinct::Distinct;
use read::Ctx;
use walk::{EditionFiles, ListFiles};

use cache::Found;
pub use cache::{Cache, ChangedFiles, Unchanged};
pub use lower::normalise_doc_number;
pub use read::{base_url_problem, is_web_url};

/// Loads the site under `root`. Fails only when it cannot read at all; every
/// problem in the content is a diagnostic.
pub fn load(root: &Path) -> Result<(Site, Diagnostics)> {
    load_walked(root, &walk::walk(root)?, &Cache::off())
}

/// Loads the site under `root` as [`load`] does, reusing what `cache` kept of
/// files unchanged since the last load through it, and keeping this load's
/// results (the model itself, shared, not copied) for the next. When nothing
/// else holds the last load's model any more, its working-copy items are
/// moved into this one (each register's vector kept whole, the items read
/// again put in their places) rather than copied; [`Cache::unchanged`] then
/// says which items it took. The result is the same as [`load`]'s.
///
/// `modified`, when given, vouches that since the last load through `cache`
/// only those files (relative to the root, with `/`) may have changed, and
/// only in content: no file or folder appeared or vanished (what a file
/// watcher reports). Then the load looks only at those files instead of
/// walking `content/` again, unless it cannot rely on that (see
/// `Walk::look_again`), when it walks as without.
pub fn load_cached(
    root: &Path,
    cache: &mut Cache,
    modified: Option<&[&str]>,
) -> Result<(Arc<Site>, Diagnostics)> {
    cache.begin();
    let again = match (modified, cache.take_walk()) {
        (Some(modified), Some(mut w)) => w.look_again(root, modified).then_some(w),
        _ => None,
    };
    cache.set_walked(again.is_none());
    let loaded = match again {
        Some(w) => Ok(w),
        None => walk::walk(root),
    }
    .and_then(|w| load_walked(root, &w, cache).map(|loaded| (loaded, w)));
    match loaded {
        Ok(((site, diagnostics), w)) => {
            let site = Arc::new(site);
            cache.finish(&site, w);
            Ok((site, diagnostics))
        }
        Err(e) => {
            cache.clear();
            Err(e)
        }
    }
}

fn load_walked(root: &Path, w: &walk::Walk, cache: &Cache) -> Result<(Site, Diagnostics)> {
    if cache.persistent() {
        stamp_others(w, cache);
    }
    let mut diags = w.diags.clone();
    let reader = ContentFiles::new(root)?;
    let src = Source {
        root,
        files: &w.files,
        reader: &reader,
        stamps: &w.stamps,
    };
    let (config, d) = load_site(src, w.site)?;
    diags.extend(d);
    let (departments, d) = match w.departments {
        Some(id) => parse_file(src, id, lower::departments)?,
        None => (None, Vec::new()),
    };
    diags.extend(d);
    let pages: Vec<(Option<Page>, Vec<Diagnostic>)> = w
        .pages
        .par_iter()
        .map(|(id, slug)| load_page(src, *id, slug))
        .collect::<Result<_>>()?;
    let distinct = Distinct::default();
    let registers: Vec<(Option<Register>, Vec<Diagnostic>)> = w
        .lists
        .par_iter()
        .map(|(key, lf)| load_register((src, &distinct), key, lf, cache))
        .collect::<Result<_>>()?;
    // Freeing every distinct parse takes a while: a worker does it while
    // the caller goes on (checking is mostly one thread).
    rayon::spawn(move || drop(distinct));
    let mut pages: Vec<Page> = pages
        .into_iter()
        .filter_map(|(p, d)| {
            diags.extend(d);
            p
        })
        .collect();
    pages.sort_by(|a, b| a.weight.cmp(&b.weight).then_with(|| a.slug.cmp(&b.slug)));
    let mut registers: Vec<Register> = registers
        .into_iter()
        .filter_map(|(r, d)| {
            diags.extend(d);
            r
        })
        .collect();
    registers.sort_by(|a, b| {
        kind_rank(a.kind())
            .cmp(&kind_rank(b.kind()))
            .then_with(|| a.key.cmp(&b.key))
    });
    let site = Site {
        root: root.to_path_buf(),
        files: w.files.clone(),
        config,
        departments: departments.unwrap_or_default(),
        registers,
        pages,
    };
    let mut all = Diagnostics::new();
    all.extend(diags);
    Ok((site, all))
}

/// Has `cache` stamp every file that is neither an item nor in an edition
/// (those it stamps as it reads them), before anything is read.
fn stamp_others(w: &walk::Walk, cache: &Cache) {
    let read_by_cache: std::collections::HashSet<FileId> = w
        .lists
        .values()
        .flat_map(|lf| {
            let editions = lf.editions.values().flat_map(|ef| ef.files.values());
            lf.items.iter().map(|(id, _)| id).chain(editions).copied()
        })
        .collect();
    let others = (0..w.files.len())
        .filter_map(|i| u32::try_from(i).ok().map(FileId))
        .filter(|id| !read_by_cache.contains(id))
        .map(|id| {
            let stamp = w.stamps.get(id.0 as usize).copied().flatten();
            (id, w.files.path(id).to_owned(), stamp)
        })
        .collect();
    cache.stamp_others(others);
}

/// The `language` of `content/site.yaml`, read on its own (without loading or
/// checking the site), so that the command line can speak the site's language
/// before anything else happens. `None` when the file is missing, unreadable or
/// does not set a valid language.
pub fn site_language(root: &Path) -> Option<Language> {
    let path = root.join("content").join("site.yaml");
    let bytes = crate::site_files::read_content(root, &path).ok()?;
    let text = source::decode(&bytes, FileId(0)).ok()?;
    let node = yaml::parse(&text, FileId(0), &mut Vec::new())?;
    let yaml::Kind::Map(entries) = &node.kind else {
        return None;
    };
    entries
        .iter()
        .find_map(|(key, value)| match (&key.kind, &value.kind) {
            (yaml::Kind::Scalar(k, _), yaml::Kind::Scalar(v, _)) if k == "language" => {
                crate::model::Choice::from_name(v)
            }
            _ => None,
        })
}

/// Display order of registers: the stamp register first, because the question
/// most visitors bring is "may my community stamp this?".
fn kind_rank(kind: ListKind) -> u8 {
    match kind {
        ListKind::Stamp => 0,
        ListKind::Work => 1,
        ListKind::Creation => 2,
    }
}

pub use crate::model::id_order;

/// The site's files as the loader reads them: its root, the files the walk
/// found, and the confined reader of `content/`.
#[derive(Clone, Copy)]
struct Source<'a> {
    root: &'a Path,
    files: &'a Files,
    reader: &'a ContentFiles,
    /// The walk's stamp of each file, by id.
    stamps: &'a [Option<cache::Stamp>],
}

fn read_bytes(src: Source<'_>, id: FileId) -> Result<Vec<u8>> {
    src.reader.read(&walk::absolute(src.root, src.files, id))
}

/// Decodes and parses `bytes` as YAML, then lowers it with `lower`.
fn parse_bytes<T>(
    bytes: &[u8],
    id: FileId,
    lower: impl FnOnce(&yaml::Node, &mut Ctx) -> T,
) -> (Option<T>, Vec<Diagnostic>) {
    let mut cx = Ctx::new(id);
    let text = match source::decode(bytes, id) {
        Ok(t) => t,
        Err(d) => return (None, vec![d]),
    };
    let value = yaml::parse(&text, id, &mut cx.diags).map(|node| lower(&node, &mut cx));
    (value, cx.diags)
}

fn parse_file<T>(
    src: Source<'_>,
    id: FileId,
    lower: impl FnOnce(&yaml::Node, &mut Ctx) -> T,
) -> Result<(Option<T>, Vec<Diagnostic>)> {
    Ok(parse_bytes(&read_bytes(src, id)?, id, lower))
}

fn load_site(src: Source<'_>, id: Option<FileId>) -> Result<(SiteConfig, Vec<Diagnostic>)> {
    let Some(id) = id else {
        return Ok((placeholder_config(), Vec::new()));
    };
    let root = src.root;
    let (config, diags) = parse_file(src, id, lower::site)?;
    let mut config = config.flatten().unwrap_or_else(placeholder_config);
    if config.theme != "default" && !root.join("themes").join(&config.theme).is_dir() {
        let span = config.theme_span.unwrap_or(Span::file_start(id));
        let mut diags = diags;
        let theme = &config.theme;
        diags.push(
            Diagnostic::error(
                Code::MissingFile,
                span,
                t!(
                    en: "theme `{theme}` has no folder themes/{theme}/",
                    zh: "主题 `{theme}` 没有对应的文件夹 themes/{theme}/"
                ),
            )
            .with_help(t!(
                en: "create the folder, or remove `theme:` to use the built-in default theme",
                zh: "请创建该文件夹，或删除 `theme:` 以使用内置的默认主题"
            )),
        );
        config.theme = "default".into();
        return Ok((config, diags));
    }
    Ok((config, diags))
}

/// Stands in for a missing or broken site.yaml so that every other file can still be checked.
fn placeholder_config() -> SiteConfig {
    SiteConfig {
        title: String::new(),
        base_url: "https://example.org/".into(),
        publisher: String::new(),
        jurisdiction: String::new(),
        language: Language::ZhCn,
        description: None,
        notice: None,
        generator_credit: true,
        theme: "default".into(),
        theme_span: None,
    }
}

fn load_page(src: Source<'_>, id: FileId, slug: &str) -> Result<(Option<Page>, Vec<Diagnostic>)> {
    let mut cx = Ctx::new(id);
    let page = match source::decode(&read_bytes(src, id)?, id) {
        Ok(text) => lower::page(&text, slug, &mut cx),
        Err(d) => {
            cx.push(d);
            None
        }
    };
    Ok((page, cx.diags))
}

fn load_register(
    (src, distinct): (Source<'_>, &Distinct),
    key: &str,
    lf: &ListFiles,
    cache: &Cache,
) -> Result<(Option<Register>, Vec<Diagnostic>)> {
    let mut diags = Vec::new();
    let list = match lf.list {
        Some(id) => {
            let (list, d) = parse_file(src, id, lower::list)?;
            diags.extend(d);
            if !lower::is_slug(key) {
                diags.push(
                    Diagnostic::error(
                        Code::InvalidId,
                        Span::file_start(id),
                        t!(
                            en: "register folder `lists/{key}` is not a valid URL slug",
                            zh: "名录文件夹 `lists/{key}` 的名称不能用作网址"
                        ),
                    )
                    .with_help(t!(
                        en: "rename the folder to lowercase letters, digits and hyphens, starting with a letter (e.g. `stamp`)",
                        zh: "请把文件夹改名为小写字母、数字和连字符，并以字母开头（例如 `stamp`）"
                    )),
                );
            }
            list.flatten()
        }
        None => None,
    };
    let items = match &list {
        Some(list) => {
            let results: Vec<(Found, Vec<Diagnostic>)> = lf
                .items
                .par_iter()
                .map(|(id, stem)| {
                    let settings = (key, list.kind, list.id_prefix.as_str());
                    let stamp = src.stamps.get(id.0 as usize).copied().flatten();
                    cache.item(stamp, src.files.path(*id), *id, settings, || {
                        let bytes = read_bytes(src, *id)?;
                        Ok(distinct.item((&bytes, None), *id, (stem, list), false))
                    })
                })
                .collect::<Result<_>>()?;
            working_items(key, results, cache, &mut diags)
        }
        None => Vec::new(),
    };
    let editions: Vec<(Option<Arc<Edition>>, Vec<Diagnostic>)> = lf
        .editions
        .par_iter()
        .map(|(id, ef)| {
            let dir = format!("content/lists/{key}/editions/{id}");
            cache.edition((key, &dir), (&ef.files, src.stamps), || {
                load_edition((src, distinct), key, id, ef)
            })
        })
        .collect::<Result<_>>()?;
    let mut editions: Vec<Arc<Edition>> = editions
        .into_iter()
        .filter_map(|(e, d)| {
            diags.extend(d);
            e
        })
        .collect();
    editions.sort_by(|a, b| {
        (a.record.effective.value, a.record.published.value)
            .cmp(&(b.record.effective.value, b.record.published.value))
            .then_with(|| a.id.cmp(&b.id))
    });
    let register = list.map(|list| Register {
        key: key.to_owned(),
        working: Snapshot {
            list,
            items,
            departments: None,
        },
        editions,
    });
    Ok((register, diags))
}

/// A register's working-copy items in id order, from what the cache found
/// for each of its files (in walk order, as their diagnostics are kept):
/// the last load's items it kept stay where they were (already in id
/// order: an edit moves no item), the others are put in their places.
fn working_items(
    key: &str,
    results: Vec<(Found, Vec<Diagnostic>)>,
    cache: &Cache,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Item> {
    let mut kept = Vec::new();
    let mut fresh = Vec::new();
    for (found, d) in results {
        diags.extend(d);
        match found {
            Found::Kept(at) => kept.push(at),
            Found::Fresh(item) => fresh.extend(item.map(|i| *i)),
        }
    }
    let mut items = if kept.is_empty() {
        Vec::new()
    } else {
        let mut last = cache
            .take_items(key)
            .expect("kept items are the last load's, taken once per register");
        let mut keep = vec![false; last.len()];
        for at in kept {
            keep[at] = true;
        }
        let mut keep = keep.into_iter();
        last.retain(|_| keep.next().unwrap_or(false));
        last
    };
    // Item ids are file stems, distinct in a register: id order is one
    // order, however it is reached.
    if fresh.len() > 16 {
        items.extend(fresh);
        items.sort_by(|a, b| id_order(&a.id, &b.id));
    } else {
        for item in fresh {
            let at = items.partition_point(|i| id_order(&i.id, &item.id).is_lt());
            items.insert(at, item);
        }
    }
    items
}

fn collect_items(
    results: Vec<(Option<Item>, Vec<Diagnostic>)>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Item> {
    let mut items: Vec<Item> = results
        .into_iter()
        .filter_map(|(i, d)| {
            diags.extend(d);
            i
        })
        .collect();
    items.sort_by(|a, b| id_order(&a.id, &b.id));
    items
}

fn parse_item(
    bytes: &[u8],
    id: FileId,
    stem: &str,
    list: &ListMeta,
) -> (Option<Item>, Vec<Diagnostic>) {
    let (item, mut diags) =
        parse_bytes(bytes, id, |node, cx| lower::item(node, stem, list.kind, cx));
    if !is_item_id(stem, &list.id_prefix) {
        let prefix = &list.id_prefix;
        diags.push(
            Diagnostic::error(
                Code::InvalidId,
                Span::file_start(id),
                t!(
                    en: "`{stem}` is not an item id of this register",
                    zh: "`{stem}` 不是本名录的事项编号"
                ),
            )
            .with_help(t!(
                en: "item files are named `{prefix}-` and at least three digits, e.g. {prefix}-001.yaml (id_prefix is set in list.yaml)",
                zh: "事项文件名应为 `{prefix}-` 加至少三位数字，例如 {prefix}-001.yaml（id_prefix 在 list.yaml 中设置）"
            )),
        );
    }
    (item.flatten(), diags)
}

/// Whether `id` is `<prefix>-` followed by three or more digits.
pub fn is_item_id(id: &str, prefix: &str) -> bool {
    id.strip_prefix(prefix)
        .and_then(|r| r.strip_prefix('-'))
        .is_some_and(|digits| digits.len() >= 3 && digits.bytes().all(|b| b.is_ascii_digit()))
}

/// Whether `id` is a valid edition id: `[0-9A-Za-z][0-9A-Za-z._-]*`.
pub fn is_edition_id(id: &str) -> bool {
    let mut bytes = id.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphanumeric())
        && bytes.all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
}

fn load_edition(
    (src, distinct): (Source<'_>, &Distinct),
    key: &str,
    id: &str,
    ef: &EditionFiles,
) -> Result<(Option<Edition>, Vec<Diagnostic>)> {
    let mut diags = Vec::new();
    let dir = format!("content/lists/{key}/editions/{id}");
    let mut contents: BTreeMap<String, (FileId, Vec<u8>)> = ef
        .files
        .par_iter()
        .map(|(path, fid)| Ok((path.clone(), (*fid, read_bytes(src, *fid)?))))
        .collect::<Result<_>>()?;
    let any_file = *ef
        .files
        .values()
        .next()
        .expect("an edition folder is known by its files");
    if !is_edition_id(id) {
        diags.push(invalid_edition_id(&dir, any_file));
    }
    let digests: BTreeMap<String, [u8; 32]> = contents
        .par_iter()
        .map(|(path, (_, bytes))| (path.clone(), seal::sha256(bytes)))
        .collect();
    let seal = verify_seal(&mut contents, &digests, any_file, &dir, &mut diags);
    let mut take = |name: &str| contents.remove(name);
    let record = take("edition.yaml").map(|(fid, bytes)| parse_bytes(&bytes, fid, lower::edition));
    let list = take("list.yaml").map(|(fid, bytes)| parse_bytes(&bytes, fid, lower::list));
    let departments =
        take("departments.yaml").map(|(fid, bytes)| parse_bytes(&bytes, fid, lower::departments));
    let present = [
        ("edition.yaml", record.is_some()),
        ("list.yaml", list.is_some()),
        ("departments.yaml", departments.is_some()),
    ];
    diags.extend(
        present
            .iter()
            .filter(|(_, there)| !there)
            .map(|(name, _)| edition_file_missing(id, name, any_file)),
    );
    let record = record.and_then(|(r, d)| {
        diags.extend(d);
        r.flatten()
    });
    let list = list.and_then(|(l, d)| {
        diags.extend(d);
        l.flatten()
    });
    let departments: Option<Departments> = departments.and_then(|(r, d)| {
        diags.extend(d);
        r
    });
    let items = match &list {
        Some(list) => {
            let results: Vec<(Option<Item>, Vec<Diagnostic>)> = contents
                .into_par_iter()
                .filter_map(|(path, (fid, bytes))| {
                    let stem = path
                        .strip_prefix("items/")?
                        .strip_suffix(".yaml")?
                        .to_owned();
                    let digest = digests.get(&path).copied();
                    (!stem.contains('/'))
                        .then(|| distinct.item((&bytes, digest), fid, (&stem, list), true))
                })
                .collect();
            collect_items(results, &mut diags)
        }
        None => Vec::new(),
    };
    let edition = record.zip(list).map(|(record, list)| Edition {
        id: id.to_owned(),
        record,
        snapshot: Snapshot {
            list,
            items,
            departments: Some(departments.unwrap_or_default()),
        },
        seal,
    });
    Ok((edition, diags))
}

fn invalid_edition_id(dir: &str, file: FileId) -> Diagnostic {
    Diagnostic::error(
        Code::InvalidId,
        Span::file_start(file),
        t!(
            en: "edition folder `{dir}` is not a valid edition id",
            zh: "版本文件夹 `{dir}` 的名称不是有效的版本编号"
        ),
    )
    .with_help(t!(
        en: "edition ids are letters, digits, `.`, `_` and `-`, starting with a letter or digit (e.g. 2020, 2014-1)",
        zh: "版本编号由字母、数字、`.`、`_` 和 `-` 组成，并以字母或数字开头（例如 2020、2014-1）"
    ))
}

fn edition_file_missing(id: &str, name: &str, file: FileId) -> Diagnostic {
    Diagnostic::error(
        Code::MissingFile,
        Span::file_start(file),
        t!(en: "frozen edition `{id}` has no {name}", zh: "已冻结的版本 `{id}` 缺少 {name}"),
    )
    .with_help(t!(
        en: "editions are written whole by `minglu release`; restore the file from git",
        zh: "版本由 `minglu release` 整体生成；请从 git 恢复这个文件"
    ))
}

/// Verifies the edition's files against its SHA256SUMS and removes SHA256SUMS from `contents`.
/// Returns the SHA-256 of SHA256SUMS (empty when it is missing).
fn verify_seal(
    contents: &mut BTreeMap<String, (FileId, Vec<u8>)>,
    digests: &BTreeMap<String, [u8; 32]>,
    any_file: FileId,
    dir: &str,
    diags: &mut Vec<Diagnostic>,
) -> String {
    let Some((sums_id, sums_bytes)) = contents.remove(seal::SUMS_FILE) else {
        diags.push(
            Diagnostic::error(
                Code::EditionSums,
                Span::file_start(any_file),
                t!(
                    en: "{dir} has no SHA256SUMS, so nobody can verify it",
                    zh: "{dir} 缺少 SHA256SUMS，无法核验该版本"
                ),
            )
            .with_help(t!(
                en: "editions are written with their SHA256SUMS by `minglu release`; restore it from git",
                zh: "版本及其 SHA256SUMS 由 `minglu release` 生成；请从 git 恢复它"
            )),
        );
        return String::new();
    };
    let hashes: BTreeMap<String, (FileId, String)> = contents
        .iter()
        .map(|(path, (fid, _))| {
            let digest = digests.get(path).map_or(&[][..], |d| &d[..]);
            (path.clone(), (*fid, seal::hex(digest)))
        })
        .collect();
    match source::decode(&sums_bytes, sums_id) {
        Ok(text) => seal::verify(&text, sums_id, &hashes, diags),
        Err(d) => diags.push(d),
    }
    digests
        .get(seal::SUMS_FILE)
        .map_or_else(|| seal::sha256_hex(&sums_bytes), |d| seal::hex(d))
}
