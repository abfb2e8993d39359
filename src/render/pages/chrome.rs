//! The page chrome (`base.html`: head, header, navigation, footer) rendered
//! once per kind of page rather than once per page.
//!
//! Every HTML page but the refusal notice extends `base.html`, and most of what
//! `base.html` prints depends on a handful of values only: how deep the page
//! is (`root`, `site_root`), whether it is a draft, which section of the site
//! it is in (the navigation marks it) and whether it is the search page (no
//! search form). The rest comes from the blocks the page overrides (`title`,
//! `description`, `canonical`, `assets`, `main`). So a page is rendered in two
//! parts that are spliced:
//!
//! - the chrome: `base.html` with every top-level block a placeholder,
//!   rendered once per [`Key`] and kept;
//! - the blocks: the page's template rendered against a stand-in `base.html`
//!   that prints only its top-level blocks (their text taken from `base.html`
//!   itself, so a block the page leaves alone, or calls `super()` in, prints
//!   the same), each followed by a separator.
//!
//! That is exact only while `base.html` reads nothing else of the page and the
//! page templates set nothing `base.html` reads: true of the built-in
//! templates, which a test renders both ways. A site that overrides
//! `base.html` gets every page rendered in full, and so does a page whose
//! template it overrides ([`Chrome::for_theme`]). Separators and placeholders
//! carry a random number drawn for each build, so no content can contain one.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher as _, Hasher as _, RandomState};
use std::sync::{Arc, Mutex, PoisonError};

use minijinja::{Environment, Value};

use crate::render::theme::{Origin, Theme};

/// The template the chrome is rendered from (in its own environment).
const CHROME: &str = "chrome.html";

/// Names `base.html` reads from a page's context: a page whose own view has
/// one of them is rendered in full (its value could change the chrome).
const READ_BY_BASE: [&str; 7] = [
    "site",
    "t",
    "root",
    "site_root",
    "path",
    "asset_version",
    "draft",
];

/// What the chrome depends on: `root`, `site_root`, `draft`, the first
/// segment of `path` (what the navigation compares with its links) and
/// whether `path` ends with `search/`.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Key {
    root: String,
    site_root: String,
    draft: bool,
    section: String,
    search: bool,
}

/// A piece of a page: the chrome's text, or the page's block of that index.
enum Piece {
    Text(String),
    Block(usize),
}

/// The split rendering of one build.
pub(super) struct Chrome {
    /// The page templates, with `base.html` the stand-in that prints blocks.
    blocks: Environment<'static>,
    /// `base.html` and the template that renders it with placeholder blocks.
    whole: Environment<'static>,
    /// Separates the blocks in the stand-in's output; starts every placeholder.
    marker: String,
    /// How many top-level blocks `base.html` has.
    count: usize,
    /// The built-in templates that extend `base.html`.
    pages: HashSet<String>,
    /// Whether `macros.html`'s `item_list` prints spliced lists
    /// ([`super::rows`]).
    rows: bool,
    /// Whether `macros.html`'s `change_groups` prints spliced changes
    /// ([`super::changes`]).
    changes: bool,
    /// The chrome by key, made by the first page that needs it.
    made: Mutex<HashMap<Key, Arc<Vec<Piece>>>>,
}

impl Chrome {
    /// The split rendering for a build with `theme`, or `None` when the theme
    /// overrides `base.html` (every page is rendered in full).
    pub(super) fn for_theme(theme: &Theme) -> Option<Chrome> {
        let base = theme.templates.get("base.html")?;
        if !matches!(base.origin, Origin::BuiltIn) {
            return None;
        }
        let blocks = top_level_blocks(&base.source)?;
        let nonce = RandomState::new().build_hasher().finish();
        let marker = format!("\u{F8FF}{nonce:016x}\u{F8FF}");
        let stand_in: String = blocks
            .iter()
            .map(|(_, text)| format!("{text}{marker}"))
            .collect();
        let chrome: String = std::iter::once("{% extends \"base.html\" %}".to_owned())
            .chain(blocks.iter().enumerate().map(|(i, (name, _))| {
                format!("{{% block {name} %}}{marker}{i}{marker}{{% endblock %}}")
            }))
            .collect();
        let mut split = crate::render::configured_environment();
        let mut whole = crate::render::configured_environment();
        whole
            .add_template_owned("base.html", base.source.clone())
            .ok()?;
        whole.add_template_owned(CHROME, chrome).ok()?;
        split.add_template_owned("base.html", stand_in).ok()?;
        let mut pages = HashSet::new();
        let (mut rows, mut changes) = (false, false);
        for (name, t) in &theme.templates {
            let mut source = t.source.clone();
            if name == "macros.html"
                && matches!(t.origin, Origin::BuiltIn)
                && let Some(spliced) = super::rows::spliced_macros(&source)
            {
                (source, rows) = (spliced, true);
                if let Some(spliced) = super::changes::spliced_macros(&source) {
                    (source, changes) = (spliced, true);
                }
            }
            // Item pages call the built-in macros written out in place.
            if name == "item.html"
                && let Some(inlined) = super::inline::item_page(theme)
            {
                source = inlined;
            }
            if name == "base.html" || split.add_template_owned(name.clone(), source).is_err() {
                continue;
            }
            if matches!(t.origin, Origin::BuiltIn)
                && t.source.starts_with("{% extends \"base.html\" %}")
            {
                pages.insert(name.clone());
            }
        }
        super::rows::add_functions(&mut split);
        super::changes::add_functions(&mut split);
        Some(Chrome {
            blocks: split,
            rows,
            changes,
            whole,
            marker,
            count: blocks.len(),
            pages,
            made: Mutex::new(HashMap::new()),
        })
    }

    /// Whether page `name` is rendered here with `item_list` printing
    /// spliced lists.
    pub(super) fn splices(&self, name: &str) -> bool {
        self.rows && self.pages.contains(name)
    }

    /// Whether page `name` is rendered here with `change_groups` printing
    /// spliced changes.
    pub(super) fn splices_changes(&self, name: &str) -> bool {
        self.changes && self.pages.contains(name)
    }

    /// Page `name` rendered with `context` (whose page's own view is `page`),
    /// or `None` when its template is not split or anything fails (the caller
    /// renders it in full, and reports any error as it is).
    pub(super) fn render(&self, name: &str, page: &Value, context: &Value) -> Option<String> {
        if !self.pages.contains(name) {
            return None;
        }
        let shadowed = READ_BY_BASE
            .iter()
            .any(|n| page.get_attr(n).is_ok_and(|v| !v.is_undefined()));
        if shadowed {
            return None;
        }
        let text = |n: &str| context.get_attr(n).ok()?.as_str().map(str::to_owned);
        let path = text("path")?;
        let key = Key {
            root: text("root")?,
            site_root: text("site_root")?,
            draft: context.get_attr("draft").ok()?.is_true(),
            section: path.split_inclusive('/').next().unwrap_or("").to_owned(),
            search: path.ends_with("search/"),
        };
        let chrome = self.chrome(key, context)?;
        let rendered = self.blocks.get_template(name).ok()?.render(context).ok()?;
        let blocks: Vec<&str> = rendered.split(&self.marker).collect();
        if blocks.len() != self.count + 1 {
            return None;
        }
        let size = chrome
            .iter()
            .map(|p| match p {
                Piece::Text(t) => t.len(),
                Piece::Block(i) => blocks[*i].len(),
            })
            .sum();
        let mut out = String::with_capacity(size);
        for piece in chrome.iter() {
            out.push_str(match piece {
                Piece::Text(t) => t,
                Piece::Block(i) => blocks[*i],
            });
        }
        Some(out)
    }

    /// The chrome of `key`, rendered with `context` if it is the first page
    /// of its key.
    fn chrome(&self, key: Key, context: &Value) -> Option<Arc<Vec<Piece>>> {
        let made = self.made.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(pieces) = made.get(&key) {
            return Some(Arc::clone(pieces));
        }
        drop(made);
        let text = self.whole.get_template(CHROME).ok()?.render(context).ok()?;
        let pieces = Arc::new(self.pieces(&text)?);
        let mut made = self.made.lock().unwrap_or_else(PoisonError::into_inner);
        Some(Arc::clone(made.entry(key).or_insert(pieces)))
    }

    /// The chrome's text cut at its placeholders.
    fn pieces(&self, text: &str) -> Option<Vec<Piece>> {
        let mut pieces = Vec::new();
        let mut rest = text;
        while let Some(at) = rest.find(&self.marker) {
            pieces.push(Piece::Text(rest[..at].to_owned()));
            let after = &rest[at + self.marker.len()..];
            let end = after.find(&self.marker)?;
            let index: usize = after[..end].parse().ok()?;
            if index >= self.count {
                return None;
            }
            pieces.push(Piece::Block(index));
            rest = &after[end + self.marker.len()..];
        }
        pieces.push(Piece::Text(rest.to_owned()));
        Some(pieces)
    }
}

/// The top-level blocks of a template's source: each one's name and its
/// text, from its `{% block %}` tag to its `{% endblock %}` tag; `None` if
/// the tags do not pair up.
fn top_level_blocks(source: &str) -> Option<Vec<(String, &str)>> {
    let mut blocks = Vec::new();
    let (mut depth, mut start, mut name) = (0usize, 0, String::new());
    let mut from = 0;
    while let Some(open) = source[from..].find("{%").map(|at| at + from) {
        let close = open + source[open..].find("%}")? + 2;
        let tag = source[open + 2..close - 2]
            .trim_matches(|c: char| c == '-' || c == '+' || c.is_whitespace());
        let mut words = tag.split_whitespace();
        match words.next() {
            Some("block") => {
                if depth == 0 {
                    start = open;
                    words.next()?.clone_into(&mut name);
                }
                depth += 1;
            }
            Some("endblock") => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    blocks.push((name.clone(), &source[start..close]));
                }
            }
            _ => {}
        }
        from = close;
    }
    (depth == 0 && !blocks.is_empty()).then_some(blocks)
}

#[cfg(test)]
mod tests {
    use super::top_level_blocks;

    #[test]
    fn top_level_blocks_keep_nested_blocks_inside_their_parent() {
        let source = "a{% block x %}1{%- block y -%}2{% endblock %}{%- endblock x %}b{% block z %}{% endblock %}";
        let blocks = top_level_blocks(source).expect("paired");
        let names: Vec<&str> = blocks.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["x", "z"]);
        assert_eq!(
            blocks[0].1,
            "{% block x %}1{%- block y -%}2{% endblock %}{%- endblock x %}"
        );
        assert!(top_level_blocks("{% block x %}").is_none(), "unpaired");
        assert!(top_level_blocks("no blocks").is_none());
    }
}
