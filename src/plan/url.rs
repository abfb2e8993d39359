//! PLAN: where every page lives, and how one page links to another.
//!
//! Paths are relative to the site root, without a leading slash, and end in `/`
//! for pretty URLs (`stamp/GZ-001/` is written to `stamp/GZ-001/index.html`).
//! Pages link to each other with relative URLs (`../../departments/edu/`), so the
//! output works both at the `base_url` path and served from `/`.

use std::collections::BTreeMap;

use super::files::{DataFile, SCHEMA_VERSION, SchemaFile};
use crate::content::seal::sha256_hex;

/// The home page.
pub const HOME: &str = "";

/// A register's current page.
pub fn register(key: &str) -> String {
    format!("{key}/")
}

/// An item's current page.
pub fn item(key: &str, id: &str) -> String {
    format!("{key}/{id}/")
}

/// The refusal notice of an item (不予出具告知单).
pub fn notice(key: &str, id: &str) -> String {
    format!("{key}/{id}/notice/")
}

/// Every edition of a register.
pub fn editions(key: &str) -> String {
    format!("{key}/editions/")
}

/// One frozen edition.
pub fn edition(key: &str, id: &str) -> String {
    format!("{key}/editions/{id}/")
}

/// An item as it was in an edition.
pub fn frozen(key: &str, edition: &str, item: &str) -> String {
    format!("{key}/editions/{edition}/{item}/")
}

/// Every change.
pub const CHANGES: &str = "changes/";

/// The site-wide feed.
pub const FEED: &str = "changes.atom";

/// A register's feed.
pub fn feed(key: &str) -> String {
    format!("{key}/changes.atom")
}

/// The search page (its indexes are under `search/index/` and `search/e/`).
pub const SEARCH: &str = "search/";

/// The not-found page, served by static hosts for any missing path.
pub const NOT_FOUND: &str = "404.html";

/// The sitemap.
pub const SITEMAP: &str = "sitemap.xml";

/// Instructions for crawlers.
pub const ROBOTS: &str = "robots.txt";

/// The departments index.
pub const DEPARTMENTS: &str = "departments/";

/// One department.
pub fn department(id: &str) -> String {
    format!("departments/{id}/")
}

/// The purposes index.
pub const PURPOSES: &str = "purposes/";

/// One purpose, by slug.
pub fn purpose(slug: &str) -> String {
    format!("purposes/{slug}/")
}

/// A free page.
pub fn page(slug: &str) -> String {
    format!("{slug}/")
}

/// The open-data page.
pub const DATA: &str = "data/";

/// Where a data file is published (`data/stamp/2015.csv`).
pub fn data_file(file: &DataFile<'_>) -> String {
    match *file {
        DataFile::Index => "data/index.json".to_owned(),
        DataFile::Register { register, format } => {
            format!("data/{register}.{}", format.extension())
        }
        DataFile::Edition {
            register,
            edition,
            format,
        } => format!("data/{register}/{edition}.{}", format.extension()),
        DataFile::Changes { register, format } => {
            format!("data/{register}.changes.{}", format.extension())
        }
    }
}

/// Where a content file's JSON Schema is published (`schema/v1/item-stamp.json`).
pub fn schema(file: SchemaFile) -> String {
    format!("schema/{SCHEMA_VERSION}/{}", file.file_name())
}

/// Whether a page or output path is inside a frozen edition's folder
/// (`stamp/editions/2015/…`, not `stamp/editions/index.html` nor `draft/…`).
pub fn is_frozen_page(path: &str) -> bool {
    let mut parts = path.split('/');
    let (_, editions, id, rest) = (parts.next(), parts.next(), parts.next(), parts.next());
    editions == Some("editions") && id.is_some() && rest.is_some()
}

/// The file a path is written to.
pub fn output_file(path: &str) -> String {
    if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.to_owned()
    }
}

/// The relative prefix from a page at `path` back to the site root (`./`, `../`, `../../`).
pub fn root_from(path: &str) -> String {
    let depth = path.matches('/').count();
    if depth == 0 {
        "./".to_owned()
    } else {
        "../".repeat(depth)
    }
}

/// The path part of a base URL (`https://host/registers/` → `/registers/`).
pub fn base_path(base_url: &str) -> String {
    let without_scheme = base_url.split_once("://").map_or(base_url, |(_, r)| r);
    match without_scheme.find('/') {
        Some(i) => without_scheme[i..].to_owned(),
        None => "/".to_owned(),
    }
}

/// Percent-encodes a path segment that may contain non-ASCII text, for `href`s.
pub fn encode_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Slugs for purpose names (办理用途): pinyin without tones, so 入学 → `ruxue`.
///
/// ASCII letters and digits are kept (lowercased), every other character that has
/// no pinyin becomes a hyphen. Two names that give the same pinyin (同音) keep
/// it for the one that sorts first; the others get a short hash of the name
/// appended, so each name's slug depends only on the set of colliding names.
pub fn purpose_slugs<'a>(names: impl IntoIterator<Item = &'a str>) -> BTreeMap<&'a str, String> {
    let mut by_slug: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for name in names {
        by_slug.entry(pinyin_slug(name)).or_default().push(name);
    }
    let mut out = BTreeMap::new();
    for (slug, mut names) in by_slug {
        names.sort_unstable();
        names.dedup();
        for (i, name) in names.into_iter().enumerate() {
            let slug = if i == 0 {
                slug.clone()
            } else {
                format!("{slug}-{}", &sha256_hex(name.as_bytes())[..6])
            };
            out.insert(name, slug);
        }
    }
    out
}

fn pinyin_slug(name: &str) -> String {
    use pinyin::ToPinyin;
    let mut out = String::new();
    let mut hyphen = false;
    for (c, p) in name.chars().zip(name.to_pinyin()) {
        let piece = match p {
            Some(p) => p.plain().to_owned(),
            None if c.is_ascii_alphanumeric() => c.to_ascii_lowercase().to_string(),
            None => {
                hyphen = !out.is_empty();
                continue;
            }
        };
        if hyphen {
            out.push('-');
            hyphen = false;
        }
        out.push_str(&piece);
    }
    if out.is_empty() {
        format!("p-{}", &sha256_hex(name.as_bytes())[..8])
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots() {
        assert_eq!(root_from(""), "./");
        assert_eq!(root_from("stamp/"), "../");
        assert_eq!(root_from("stamp/GZ-001/"), "../../");
        assert_eq!(root_from("404.html"), "./");
    }

    #[test]
    fn base_paths() {
        assert_eq!(base_path("https://example.org/registers/"), "/registers/");
        assert_eq!(base_path("https://example.org/"), "/");
        assert_eq!(base_path("https://example.org"), "/");
    }

    #[test]
    fn purpose_slugs_are_pinyin_and_unique() {
        let slugs = purpose_slugs(["入学", "低保", "养老金", "政审", "出国(签证)", "PhD 申请"]);
        assert_eq!(slugs["入学"], "ruxue");
        assert_eq!(slugs["低保"], "dibao");
        assert_eq!(slugs["养老金"], "yanglaojin");
        assert_eq!(slugs["出国(签证)"], "chuguo-qianzheng");
        assert_eq!(slugs["PhD 申请"], "phd-shenqing");
        let homophones = purpose_slugs(["入学", "乳穴"]);
        assert_eq!(homophones["乳穴"], "ruxue");
        assert!(homophones["入学"].starts_with("ruxue-"), "{homophones:?}");
    }
}
