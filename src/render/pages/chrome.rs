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
//!   rendered once per [`Key`] and kept, cut at the placeholders into the
//!   texts between the blocks;
//! - the page: its template rendered against a stand-in `base.html` that
//!   prints those texts (from the context) and, between them, its top-level
//!   blocks (their text taken from `base.html` itself, so a block the page
//!   leaves alone, or calls `super()` in, prints the same). The page is
//!   written once, in order, with no splicing afterwards.
//!
//! That is exact only while `base.html` reads nothing else of the page and the
//! page templates set nothing `base.html` reads: true of the built-in
//! templates, which a test renders both ways. A site that overrides
//! `base.html` gets every page rendered in full, and so does a page whose
//! template it overrides ([`Compiled::for_theme`]), and so does a page whose
//! chrome does not have each block once and in order. Placeholders carry a
//! random number drawn when the templates are compiled (once per theme while
//! `serve` runs), so no content can contain one: it never reaches the output.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher as _, Hasher as _, RandomState};
use std::sync::{Arc, Mutex, PoisonError};

use minijinja::{Environment, Value};

use crate::render::context::PageContext;
use crate::render::theme::{Origin, Theme};

/// The template the chrome is rendered from (in its own environment).
const CHROME: &str = "chrome.html";

/// The name under which the blocks' stand-in `base.html` finds the
/// chrome's text between its blocks (a list of safe strings).
const TEXT: &str = "__minglu_chrome";

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

/// The split rendering of one build: the compiled templates (kept across
/// builds while the theme is the same) and the chrome made so far.
pub(super) struct Chrome {
    compiled: Arc<Compiled>,
    /// The chrome by key, made by the first page that needs it (the chrome
    /// also prints the site's values, which another build may change).
    made: Mutex<HashMap<Key, Arc<Value>>>,
}

/// The templates of the split rendering, compiled.
pub(super) struct Compiled {
    /// The page templates, with `base.html` the stand-in that prints blocks.
    blocks: Environment<'static>,
    /// `base.html` and the template that renders it with placeholder blocks.
    whole: Environment<'static>,
    /// Starts and ends every placeholder of the chrome.
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
}

impl Compiled {
    /// The split rendering's templates for `theme`, or `None` when the theme
    /// overrides `base.html` (every page is rendered in full).
    pub(super) fn for_theme(theme: &Theme) -> Option<Compiled> {
        let base = theme.templates.get("base.html")?;
        if !matches!(base.origin, Origin::BuiltIn) {
            return None;
        }
        let blocks = top_level_blocks(&base.source)?;
        let nonce = RandomState::new().build_hasher().finish();
        let marker = format!("\u{F8FF}{nonce:016x}\u{F8FF}");
        let stand_in: String = blocks
            .iter()
            .enumerate()
            .map(|(i, (_, text))| format!("{{{{ {TEXT}[{i}] }}}}{text}"))
            .chain([format!("{{{{ {TEXT}[{}] }}}}", blocks.len())])
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
        Some(Compiled {
            blocks: split,
            rows,
            changes,
            whole,
            marker,
            count: blocks.len(),
            pages,
        })
    }
}

impl Chrome {
    /// The split rendering of one build, with `compiled` templates.
    pub(super) fn new(compiled: Arc<Compiled>) -> Chrome {
        Chrome {
            compiled,
            made: Mutex::new(HashMap::new()),
        }
    }

    /// Whether page `name` is rendered here with `item_list` printing
    /// spliced lists.
    pub(super) fn splices(&self, name: &str) -> bool {
        self.compiled.rows && self.compiled.pages.contains(name)
    }

    /// Whether page `name` is rendered here with `change_groups` printing
    /// spliced changes.
    pub(super) fn splices_changes(&self, name: &str) -> bool {
        self.compiled.changes && self.compiled.pages.contains(name)
    }

    /// Page `name` rendered with `context` (whose page's own view is `page`)
    /// into `buffer`, or `None` when its template is not split or anything
    /// fails (the caller renders it in full, and reports any error as it is).
    pub(super) fn render(
        &self,
        name: &str,
        page: &Value,
        context: &Value,
        mut buffer: Vec<u8>,
    ) -> Option<String> {
        if !self.compiled.pages.contains(name) {
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
        let own = context.downcast_object_ref::<PageContext>()?;
        let mut common = own.common.clone();
        common.push((TEXT, Value::clone(&chrome)));
        let context = Value::from_object(PageContext {
            page: own.page.clone(),
            common,
        });
        let template = self.compiled.blocks.get_template(name).ok()?;
        buffer.clear();
        template.render_captured_to(context, &mut buffer).ok()?;
        String::from_utf8(buffer).ok()
    }

    /// The chrome of `key`, rendered with `context` if it is the first page
    /// of its key.
    fn chrome(&self, key: Key, context: &Value) -> Option<Arc<Value>> {
        let made = self.made.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(pieces) = made.get(&key) {
            return Some(Arc::clone(pieces));
        }
        drop(made);
        let text = self
            .compiled
            .whole
            .get_template(CHROME)
            .ok()?
            .render(context)
            .ok()?;
        let pieces = Arc::new(self.texts(&text)?);
        let mut made = self.made.lock().unwrap_or_else(PoisonError::into_inner);
        Some(Arc::clone(made.entry(key).or_insert(pieces)))
    }

    /// The chrome's text between its placeholders, as a list of safe
    /// strings, when it has every block's placeholder once and in order
    /// (else the page is rendered in full).
    fn texts(&self, text: &str) -> Option<Value> {
        let marker = &self.compiled.marker;
        let mut texts = Vec::with_capacity(self.compiled.count + 1);
        let mut rest = text;
        while let Some(at) = rest.find(marker.as_str()) {
            texts.push(Value::from_safe_string(rest[..at].to_owned()));
            let after = &rest[at + marker.len()..];
            let end = after.find(marker.as_str())?;
            let index: usize = after[..end].parse().ok()?;
            if index != texts.len() - 1 {
                return None;
            }
            rest = &after[end + marker.len()..];
        }
        texts.push(Value::from_safe_string(rest.to_owned()));
        (texts.len() == self.compiled.count + 1).then(|| Value::from(texts))
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
