//! RENDER: the plan's pages → HTML, XML and text files, in memory.
//!
//! Rendering reads the [`Plan`] (which pages, at which paths, showing what) and
//! the model; it never reads `content/`, never decides what is published, and
//! never writes to disk: it hands each file to a sink for [`crate::output`]. Templates come from the theme (the
//! embedded default plus a site's overrides) and are compiled up front, so a
//! syntax error in any of them is reported even if no page uses it.

mod change_html;
mod compact;
mod context;
pub mod display;
mod history_views;
pub mod markdown;
mod mentions;
mod pages;
mod qr;
pub mod theme;
pub mod views;

use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use sha2::Digest as _;

use crate::plan::{Plan, PlannedPage};
pub use pages::Memo;
pub use theme::{Origin, Theme};

pub use crate::plan::Sink;

/// Why rendering stopped.
#[derive(Debug)]
pub enum RenderFailure {
    /// Templates that failed to compile or render (every distinct one).
    Templates(Vec<TemplateError>),
    /// The sink could not write a file.
    Write(crate::Error),
}

/// What rendering produced.
#[derive(Clone, Copy, Debug, Default)]
pub struct RenderStats {
    /// HTML pages rendered.
    pub pages: usize,
    /// All files written, static assets included.
    pub files: usize,
}

/// A template that failed to compile or render.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateError {
    /// The template's name (`item.html`).
    pub name: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// Byte range in the template source, when known.
    pub range: Option<std::ops::Range<usize>>,
    /// What went wrong.
    pub message: String,
    /// The page being rendered, if any.
    pub page: Option<String>,
}

impl TemplateError {
    fn from_minijinja(e: &minijinja::Error, fallback: &str, page: Option<&str>) -> Self {
        let mut message = e
            .detail()
            .map_or_else(|| e.kind().to_string(), |d| format!("{}: {d}", e.kind()));
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            message.push_str(&format!(" ({s})"));
            source = s.source();
        }
        TemplateError {
            name: e.name().unwrap_or(fallback).to_owned(),
            line: e.line(),
            range: e.range(),
            message,
            page: page.map(str::to_owned),
        }
    }
}

impl Theme {
    /// A fingerprint of every template and static file.
    pub fn fingerprint(&self) -> String {
        let mut h = sha2::Sha256::new();
        for (name, t) in &self.templates {
            h.update(name.as_bytes());
            h.update([0]);
            h.update(t.source.as_bytes());
            h.update([0]);
        }
        for (path, bytes) in &self.statics {
            h.update(path.as_bytes());
            h.update([0]);
            h.update(bytes);
        }
        crate::content::seal::hex(&h.finalize())
    }
}

/// Compiles every template of the theme.
pub fn environment(theme: &Theme) -> Result<Environment<'static>, Vec<TemplateError>> {
    let mut env = configured_environment();
    let mut errors = Vec::new();
    for (name, template) in &theme.templates {
        if let Err(e) = env.add_template_owned(name.clone(), template.source.clone()) {
            errors.push(TemplateError::from_minijinja(&e, name, None));
        }
    }
    if errors.is_empty() {
        Ok(env)
    } else {
        Err(errors)
    }
}

/// An environment with no templates, set up as every page is rendered:
/// strict about undefined names, escaping only what HTML requires, with
/// minglu's filters.
fn configured_environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_debug(true);
    env.set_formatter(|out, state, value| {
        // minijinja's HTML escaping also escapes `/`, which turns every URL
        // into `..&#x2f;`; escape only what HTML requires.
        if matches!(state.auto_escape(), AutoEscape::Html)
            && !value.is_safe()
            && !value.is_undefined()
            && !value.is_none()
        {
            let written = match value.as_str() {
                Some(s) => write_escaped(out, s),
                None => write_escaped(out, &value.to_string()),
            };
            return written.map_err(minijinja::Error::from);
        }
        minijinja::escape_formatter(out, state, value)
    });
    env.add_filter("display_url", |url: &str| display::display_url(url));
    env
}

/// Escapes text for HTML content and attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    write_escaped(&mut out, s).expect("writing to a String cannot fail");
    out
}

/// Writes `s` escaped for HTML content and attribute values into `out`, in
/// runs between the characters that need escaping (no copy of `s` first).
fn write_escaped(out: &mut impl std::fmt::Write, s: &str) -> std::fmt::Result {
    let mut rest = s;
    // Only ASCII bytes are escaped, so every match is a character boundary.
    while let Some(at) = rest
        .bytes()
        .position(|b| matches!(b, b'&' | b'<' | b'>' | b'"' | b'\''))
    {
        out.write_str(&rest[..at])?;
        out.write_str(match rest.as_bytes()[at] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => "&#39;",
        })?;
        rest = &rest[at + 1..];
    }
    out.write_str(rest)
}

/// Renders every planned page (except those carried over), plus the theme's
/// static files, into `sink`.
pub fn render(
    plan: &Plan<'_>,
    theme: &Theme,
    sink: &Sink<'_>,
) -> Result<RenderStats, RenderFailure> {
    render_with(plan, theme, sink, &Memo::default())
}

/// [`render`], keeping in `memo` what later builds may reuse (`serve`).
pub fn render_with(
    plan: &Plan<'_>,
    theme: &Theme,
    sink: &Sink<'_>,
    memo: &Memo,
) -> Result<RenderStats, RenderFailure> {
    let pages: Vec<&PlannedPage<'_>> = plan.pages.iter().filter(|p| !p.reused).collect();
    let mut stats = render_pages_with(plan, theme, &pages, sink, memo)?;
    for (path, bytes) in &theme.statics {
        sink(path, bytes).map_err(RenderFailure::Write)?;
        stats.files += 1;
    }
    Ok(stats)
}

/// Renders only `pages` of the plan (no static files): for a rebuild that
/// knows which pages a change affects ([`Plan::rebuild_since`]).
pub fn render_pages(
    plan: &Plan<'_>,
    theme: &Theme,
    pages: &[&PlannedPage<'_>],
    sink: &Sink<'_>,
) -> Result<RenderStats, RenderFailure> {
    render_pages_with(plan, theme, pages, sink, &Memo::default())
}

/// [`render_pages`], reusing and keeping in `memo` what does not change
/// from one build to the next (`serve`).
pub fn render_pages_with(
    plan: &Plan<'_>,
    theme: &Theme,
    pages: &[&PlannedPage<'_>],
    sink: &Sink<'_>,
    memo: &Memo,
) -> Result<RenderStats, RenderFailure> {
    let compiled = memo.compiled(theme);
    pages::render_pages(plan, &compiled, theme, pages, sink, (Purpose::Output, memo))
}

/// Renders `pages` only to find template errors (`check`, whose output is
/// thrown away): the templates see the same values as in a build (with the
/// built-in templates, only the first entry of each shape of a long list:
/// see [`check_sample`]), except that a
/// QR code, which the build draws from the page's URL and a template can only
/// insert as it is, is a blank `<svg>` of its kind (present when the URL fits
/// in a QR code, as in the build), and that the data files the open-data page
/// lists are not made, so each has a size of 0 and a hash of zeros.
pub fn check_pages(
    plan: &Plan<'_>,
    theme: &Theme,
    pages: &[&PlannedPage<'_>],
    sink: &Sink<'_>,
) -> Result<RenderStats, RenderFailure> {
    let memo = Memo::default();
    pages::render_pages(
        plan,
        &memo.compiled(theme),
        theme,
        pages,
        sink,
        (Purpose::Check, &memo),
    )
}

/// What the rendered text is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Purpose {
    /// Files to write.
    Output,
    /// Finding template errors; the text is thrown away.
    Check,
}

/// The pages `check` renders to surface template errors without rendering the
/// whole site twice (once in `check`, again in `build`).
///
/// Every template is compiled by [`environment`] whatever the sample. Of the
/// pages, the sample keeps every page that does not show a single item (home,
/// registers, editions, withdrawals, changes, feeds, departments, purposes,
/// pages, search, sitemap: a few hundred at most; not the data files and
/// schemas, which no template makes), and of the pages that show one item (the
/// register's own, the frozen editions' and the refusal notices, the bulk of a
/// site):
///
/// - the first of each scope and register, and of each frozen edition (and
///   the first refusal notice of each scope and register), so that every
///   combination of template, scope and edition banner runs;
/// - every page whose item differs, by content (or by whether the scope still
///   shows it), from every item of the same id already in the sample, so that
///   every distinct item is rendered at least once, and an error that only
///   some item's data triggers still surfaces.
///
/// What it skips is a frozen (or draft) copy of an item identical to one already
/// rendered: the same template with the same item data; only the banner and
/// links differ, and those run on the first page of its edition. A template that
/// fails only on such a copy (one that tests both the edition and the item id,
/// say) is the one kind of error `check` can miss and `build` still reports.
///
/// With the built-in templates only (`theme` overrides none), the second rule
/// is dropped: they print every value of an item through names and table
/// keys that the loader has already validated (enums, ids), so no item's
/// data can make them fail, and the tests build sites with every kind of
/// item through them. For the same reason only the first purpose page and
/// the first department page of each scope are kept (each lists the items
/// of its purpose or department, as the others do), and of a register's
/// edition pages, the first edition's and the first of each status (in
/// force, upcoming, superseded) among the others (see `listing`). What is
/// left still runs every template in every combination of scope and banner.
/// With the built-in templates, [`check_pages`] also renders only the first
/// entry of each shape of a page's long lists (item rows, changes), for the
/// same reason (see `pages/sample.rs`).
pub fn check_sample<'p, 'a>(plan: &'p Plan<'a>, theme: &Theme) -> Vec<&'p PlannedPage<'a>> {
    use rayon::prelude::*;
    use std::collections::HashSet;
    let built_in = theme
        .templates
        .values()
        .all(|t| matches!(t.origin, Origin::BuiltIn));
    // Only the second rule, which the built-in templates do without, reads
    // the content fingerprints.
    let shown: Vec<Option<ShownItem<'a>>> = plan
        .pages
        .par_iter()
        .map(|page| shown_item(plan, page, !built_in))
        .collect();
    let mut firsts = HashSet::new();
    let mut contents = HashSet::new();
    let mut listings = HashSet::new();
    plan.pages
        .iter()
        .zip(shown)
        .filter(|(page, _)| has_template(page))
        .filter(|(page, shown)| {
            let Some(s) = shown else {
                return !built_in || listing(plan, page).is_none_or(|k| listings.insert(k));
            };
            let first = firsts.insert((page.scope, s.notice, s.register, s.edition));
            first
                || (!built_in
                    && contents.insert((s.notice, s.register, s.item, s.content, s.shown_now)))
        })
        .map(|(page, _)| page)
        .filter(|page| !page.reused)
        .collect()
}

/// Which of the pages of one kind that list items or changes a page is, for
/// the sample with the built-in templates: every purpose page of a scope is
/// the same kind, so is every department page, and so are the edition pages
/// of a register that share a status (in force, upcoming, superseded), the
/// first edition's aside (it has no edition before it, so no changes).
/// `None`: a kind of its own.
fn listing<'a>(
    plan: &Plan<'a>,
    page: &PlannedPage<'a>,
) -> Option<(crate::plan::ScopeKind, &'static str, &'a str, usize)> {
    use crate::plan::PageId;
    match page.id {
        PageId::Purpose { .. } => Some((page.scope, "purpose", "", 0)),
        PageId::Department { .. } => Some((page.scope, "department", "", 0)),
        PageId::Edition { register, edition } => {
            let h = plan.history.register(register)?;
            let e = h.register.editions.iter().position(|e| e.id == edition)?;
            let kind = if e == 0 {
                0
            } else {
                1 + h.statuses[e] as usize
            };
            Some((page.scope, "edition", register, kind))
        }
        _ => None,
    }
}

/// Whether a page is made from a template (every page but the data files
/// and schemas, which the export writes).
fn has_template(page: &PlannedPage<'_>) -> bool {
    !matches!(
        page.id,
        crate::plan::PageId::Data(_) | crate::plan::PageId::Schema(_)
    )
}

/// The item a page shows, with a fingerprint of its content.
struct ShownItem<'a> {
    /// Whether the page is the item's refusal notice (another template).
    notice: bool,
    register: &'a str,
    item: &'a str,
    edition: Option<&'a str>,
    /// A fingerprint of the item's values (0 when the sample does not need it).
    content: u64,
    /// Whether the scope shows the item now (a frozen page's banner links to
    /// it, or says where it went).
    shown_now: bool,
}

/// The item `page` shows, if any; its content fingerprint only `with_content`
/// (0 otherwise).
fn shown_item<'a>(
    plan: &Plan<'a>,
    page: &PlannedPage<'a>,
    with_content: bool,
) -> Option<ShownItem<'a>> {
    use std::hash::Hasher as _;
    let scope = plan.scope(page.scope);
    let shown_now = |register: &str, item: &str| {
        scope
            .position(register)
            .is_some_and(|i| scope.registers[i].snapshot.item(item).is_some())
    };
    let (register, item, edition, shown) = match page.id {
        crate::plan::PageId::Item { register, item }
        | crate::plan::PageId::Notice { register, item } => {
            let i = scope.position(register)?;
            (
                register,
                item,
                None,
                scope.registers[i].snapshot.item(item)?,
            )
        }
        crate::plan::PageId::Frozen {
            register,
            edition,
            item,
        } => {
            let history = plan.history.registers.iter();
            let mut editions = history
                .filter(|h| h.register.key == register)
                .flat_map(|h| &h.register.editions);
            let frozen = editions.find(|e| e.id == edition)?;
            (register, item, Some(edition), frozen.snapshot.item(item)?)
        }
        _ => return None,
    };
    // Only values are hashed, not spans, so the same item read from another
    // edition's file hashes the same.
    let content = with_content.then(|| {
        let mut hasher = std::hash::DefaultHasher::new();
        shown.hash_values(&mut hasher);
        hasher.finish()
    });
    Some(ShownItem {
        notice: matches!(page.id, crate::plan::PageId::Notice { .. }),
        register,
        item,
        edition,
        content: content.unwrap_or(0),
        shown_now: shown_now(register, item),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn escape_html_escapes_the_five_characters_and_keeps_the_rest() {
        assert_eq!(
            super::escape_html("甲&乙<b>\"丙\"'丁'/"),
            "甲&amp;乙&lt;b&gt;&quot;丙&quot;&#39;丁&#39;/"
        );
        assert_eq!(super::escape_html(""), "");
        assert_eq!(super::escape_html("&&"), "&amp;&amp;");
    }
}
