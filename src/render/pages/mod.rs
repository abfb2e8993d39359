//! Every page of the site: which template and which view for each planned page.
//!
//! Pages come from the [`Plan`], are rendered in parallel and handed to a sink
//! one by one, so memory stays flat however many frozen pages there are.

use std::collections::HashMap;
use std::ops::Deref;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use minijinja::Environment;
use minijinja::Value;
use minijinja::value::Serde;
use rayon::prelude::*;
use serde::Serialize;

use super::context::{PageContext, Table};
use super::history_views::{self, ChangeGroups, FieldMemo, FieldViews};
use super::mentions::{Mentions, MentionsObject};
use super::theme::{Origin, Theme};
use super::views::{Link, PageView, SiteView, register_links};
use super::{Purpose, RenderFailure, RenderStats, Sink, TemplateError, markdown};
use crate::history::RegisterHistory;
use crate::i18n;
use crate::model::Choice;
use crate::plan::{PageId, Plan, PlannedPage, Scope, ScopeKind, url};

mod changes;
mod chrome;
mod current;
mod data;
mod frozen;
mod history;
mod index;
mod inline;
mod key;
mod notice;
mod rows;
pub(super) mod sample;

/// What one build leaves for the next to reuse (`serve`): pieces of pages by
/// everything they depend on, so a rebuild renders only those that changed.
#[derive(Debug, Default)]
pub struct Memo {
    /// Item list rows.
    rows: rows::Memo,
    /// Field changes.
    fields: FieldMemo,
    /// Change list entries.
    changes: changes::Memo,
    /// Each scope's cross-references.
    mentions: super::mentions::Memo,
    /// What each item's texts mention (for the purpose pages' related items).
    targets: super::mentions::TargetsMemo,
    /// The templates, compiled, with the theme's templates they were compiled from.
    compiled: Mutex<Option<Arc<Compiled>>>,
    /// Buffers of pages handed to the sink, to render later pages into:
    /// large pages then reuse memory instead of each mapping (and faulting
    /// in) fresh pages of its own.
    buffers: Mutex<Vec<Vec<u8>>>,
}

/// How many page buffers are kept, and the largest kept.
const BUFFERS: (usize, usize) = (8, 16 << 20);

impl Memo {
    /// A buffer to render a page into (empty, with room from an earlier page).
    fn buffer(&self) -> Vec<u8> {
        let mut buffers = self.buffers.lock().unwrap_or_else(PoisonError::into_inner);
        buffers.pop().unwrap_or_default()
    }

    /// Keeps `buffer` (a page's text, handed to the sink) for a later page.
    fn give_back(&self, mut buffer: Vec<u8>) {
        if buffer.capacity() < 1 << 16 || buffer.capacity() > BUFFERS.1 {
            return;
        }
        buffer.clear();
        let mut buffers = self.buffers.lock().unwrap_or_else(PoisonError::into_inner);
        if buffers.len() < BUFFERS.0 {
            buffers.push(buffer);
        }
    }
}

/// Every environment a build renders with, compiled from a theme's templates.
pub(super) struct Compiled {
    /// What they were compiled from: each template's name, text and origin.
    from: Vec<(String, String, Origin)>,
    /// Every template, as the theme has it (or why they do not compile).
    full: Result<Environment<'static>, Vec<TemplateError>>,
    chrome: Option<Arc<chrome::Compiled>>,
    rows: Option<Arc<Environment<'static>>>,
    changes: Option<Arc<Environment<'static>>>,
}

impl std::fmt::Debug for Compiled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Compiled")
            .field("templates", &self.from.len())
            .finish_non_exhaustive()
    }
}

impl Compiled {
    /// Whether these were compiled from the templates of `theme`.
    fn compiled_from(&self, theme: &Theme) -> bool {
        self.from.len() == theme.templates.len()
            && self
                .from
                .iter()
                .zip(&theme.templates)
                .all(|(a, (name, t))| a.0 == *name && a.1 == t.source && a.2 == t.origin)
    }

    /// Every template of `theme`, compiled.
    fn of(theme: &Theme) -> Compiled {
        let from = theme.templates.iter();
        Compiled {
            from: from
                .map(|(name, t)| (name.clone(), t.source.clone(), t.origin.clone()))
                .collect(),
            full: super::environment(theme),
            chrome: chrome::Compiled::for_theme(theme).map(Arc::new),
            rows: rows::environment(theme).map(Arc::new),
            changes: changes::environment(theme).map(Arc::new),
        }
    }

    /// The environment of every template, or why it does not compile.
    pub(super) fn full(&self) -> Result<&Environment<'static>, Vec<TemplateError>> {
        self.full.as_ref().map_err(Clone::clone)
    }
}

impl Memo {
    /// The templates of `theme` compiled: those of the last build when its
    /// theme had the same templates (names, texts and origins).
    pub(super) fn compiled(&self, theme: &Theme) -> Arc<Compiled> {
        let mut kept = self.compiled.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(c) = kept.as_ref().filter(|c| c.compiled_from(theme)) {
            return Arc::clone(c);
        }
        let made = Arc::new(Compiled::of(theme));
        *kept = Some(Arc::clone(&made));
        made
    }
}

use current::{home, item_page, register_page, withdrawn_page};
use history::{changes_page, edition_page, editions_page, feed};
use index::{PagePage, department_page, departments_page, purpose_page, purposes_page, sitemap};
use notice::notice_page;

/// A register's history, as the pages of one build read it.
pub(super) struct History<'a> {
    /// The history step's result.
    of: &'a RegisterHistory<'a>,
    /// Per edition, what its diff counts: items added, removed and changed,
    /// and verdicts flipped (counted once here, not on every page that names
    /// the edition).
    pub(super) tallies: Vec<Tally>,
}

/// What one edition's diff counts.
#[derive(Clone, Copy, Debug)]
pub(super) struct Tally {
    pub(super) added: usize,
    pub(super) removed: usize,
    pub(super) changed: usize,
    /// Items whose verdict flipped.
    pub(super) flips: usize,
}

impl<'a> History<'a> {
    fn of(of: &'a RegisterHistory<'a>) -> Self {
        let tallies = of
            .diffs
            .iter()
            .map(|d| {
                let (added, removed, changed) = d.counts();
                let flips = d.items.iter().filter(|c| c.verdict.is_some()).count();
                Tally {
                    added,
                    removed,
                    changed,
                    flips,
                }
            })
            .collect();
        History { of, tallies }
    }
}

impl<'a> Deref for History<'a> {
    type Target = RegisterHistory<'a>;
    fn deref(&self) -> &Self::Target {
        self.of
    }
}

/// Everything shared by all pages of one build.
struct Shared<'a> {
    site: SiteView,
    /// `site` and the UI strings, converted to template values once (not per page).
    site_value: minijinja::Value,
    strings: minijinja::Value,
    /// Field changes as shown, through the memo kept across builds.
    fields: FieldViews<'a>,
    asset_version: String,
    /// The stylesheet, inlined into the not-found page (served at any depth).
    css: String,
    plan: &'a Plan<'a>,
    histories: Vec<History<'a>>,
    /// The data files' catalogue, made once per build by the first page that
    /// needs it (`data/` and `data/index.json` both list every file).
    catalogue: std::sync::OnceLock<Vec<crate::export::Entry>>,
    /// The data files' items, each formatted once per distinct content.
    data_memo: crate::export::DataMemo,
    /// Cross-references of the public site and of the draft preview, for
    /// Rust and, as template objects, for templates.
    mentions: Vec<(ScopeKind, Arc<Mentions>, minijinja::Value)>,
    /// Placeholders for rendering frozen item pages once per distinct content,
    /// when the theme allows it.
    masks: Option<frozen::Masks>,
    /// The page chrome, rendered once per kind of page, when the theme allows it.
    chrome: Option<chrome::Chrome>,
    /// Item lists rendered once per row, when the theme allows it.
    rows: Option<rows::Splicer<'a>>,
    /// Change lists rendered once per change, when the theme allows it.
    changes: Option<changes::Splicer<'a>>,
    /// What the pages are rendered for.
    purpose: Purpose,
    /// Whether long lists show only the first entry of each shape (a check
    /// with the built-in templates only: [`sample`]).
    sample_entries: bool,
    /// What this build keeps for the next.
    memo: &'a Memo,
    /// Each register's changes, grouped, by edition (the pending ones last),
    /// as template values: each made at most once per build, by the first
    /// page that shows it (an edition's page, the changes page, the feeds,
    /// the home page and the register's page all do), or up front, in
    /// parallel, when more pages show them than there are groups.
    change_groups: Vec<Vec<OnceLock<Value>>>,
}

/// A register's grouped changes, as a page shows them.
enum Groups<'a> {
    /// The changes of edition `e` of register `i`, made when serialized
    /// (once per build: [`Shared::group_value`]).
    Edition(&'a Shared<'a>, usize, usize),
    /// The pending changes of register `i`, made when serialized, unless
    /// [`Groups::splice`] splices them from the raw changes first.
    Pending(&'a Shared<'a>, usize),
    /// The changes as [`changes::Splicer::groups`] hands them to a page.
    Spliced(Value),
}

impl Serialize for Groups<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Groups::Edition(shared, i, e) => shared.group_value(*i, Some(*e)).serialize(serializer),
            Groups::Pending(shared, i) => shared.group_value(*i, None).serialize(serializer),
            Groups::Spliced(value) => value.serialize(serializer),
        }
    }
}

impl Groups<'_> {
    /// Splices pending changes through `splicer` at `place` (when it makes
    /// anything); other changes stay as they are.
    fn splice(&mut self, splicer: &changes::Splicer<'_>, place: &changes::Place<'_>) {
        let Groups::Pending(shared, i) = *self else {
            return;
        };
        if shared.sample_entries {
            // The pending changes' sample is made as the editions' are.
            return;
        }
        let h = &shared.histories[i];
        let fields = &shared.fields;
        let view = |c| history_views::change_view(h, None, &h.of.pending, c, fields);
        let source = changes::Source {
            changes: &h.of.pending.items,
            names: &h.of.pending.department_names,
            last_edition: h.register.editions.last().map(|e| e.id.as_str()),
            departments: history_views::department_lines(&h.of.pending, &fields.labels),
            view: &view,
        };
        if let Some(value) = splicer.groups(place, &source) {
            *self = Groups::Spliced(value);
        }
    }
}

impl<'a> Shared<'a> {
    /// The changes of edition `e` of register `i` (`None`: the working copy's
    /// pending changes), grouped.
    fn groups(&'a self, i: usize, e: Option<usize>) -> Groups<'a> {
        match e {
            Some(e) => Groups::Edition(self, i, e),
            None => Groups::Pending(self, i),
        }
    }

    /// The changes of edition `e` of register `i` (`None`: the pending
    /// ones), grouped, as a template value: made by the first page of the
    /// build that asks, and shared by all.
    fn group_value(&self, i: usize, e: Option<usize>) -> Value {
        let h = &self.histories[i];
        let at = e.unwrap_or(h.register.editions.len());
        self.change_groups[i][at]
            .get_or_init(|| {
                let sample = self.sample_entries;
                Value::from(Serde(&change_groups(h, e, (&self.fields, sample))))
            })
            .clone()
    }
}

/// The changes of edition `e` of `h` (`None`: the pending ones), grouped;
/// none for a first edition.
fn change_groups<'a>(
    h: &History<'a>,
    e: Option<usize>,
    fields: (&FieldViews<'_>, bool),
) -> ChangeGroups<'a> {
    match e {
        Some(0) => ChangeGroups::default(),
        Some(e) => history_views::groups(h, Some(e), &h.of.diffs[e], fields),
        None => history_views::groups(h, None, &h.of.pending, fields),
    }
}

/// A place for every register's grouped changes, by edition (the pending ones
/// last); when more of `pages` show them than there are groups (a full
/// build), the editions' are made at once, in parallel. Otherwise (a check,
/// or a rebuild that renders a few such pages) each is made when a page
/// first shows it.
fn all_change_groups(
    histories: &[History<'_>],
    pages: &[&PlannedPage<'_>],
    fields: (&FieldViews<'_>, bool),
) -> Vec<Vec<OnceLock<Value>>> {
    let cells = |h: &History<'_>| {
        (0..=h.register.editions.len())
            .map(|_| OnceLock::new())
            .collect()
    };
    let groups: usize = histories
        .iter()
        .map(|h| h.register.editions.len() + 1)
        .sum();
    if pages.iter().filter(|p| shows_changes(p)).count() <= groups {
        return histories.iter().map(cells).collect();
    }
    histories
        .par_iter()
        .map(|h| {
            let made: Vec<OnceLock<Value>> = cells(h);
            for (e, cell) in made.iter().enumerate().take(h.register.editions.len()) {
                let _ = cell.set(Value::from(Serde(&change_groups(h, Some(e), fields))));
            }
            made
        })
        .collect()
}

/// Whether a page shows the grouped changes of editions.
fn shows_changes(page: &PlannedPage<'_>) -> bool {
    matches!(
        page.id,
        PageId::Home
            | PageId::Changes
            | PageId::Feed { .. }
            | PageId::Edition { .. }
            | PageId::Register { .. }
    )
}

impl Shared<'_> {
    fn catalogue(&self) -> &[crate::export::Entry] {
        self.catalogue.get_or_init(|| match self.purpose {
            Purpose::Output => crate::export::catalogue(self.plan, &self.data_memo),
            Purpose::Check => unmade_catalogue(self.plan),
        })
    }

    /// Takes `made` (the catalogue entries of the files rendered so far, by
    /// scope and path) as the catalogue, if it has every file the catalogue
    /// lists: then the pages that list them need not make them again.
    fn adopt_catalogue(&self, mut made: HashMap<(ScopeKind, String), crate::export::Entry>) {
        let plan = self.plan;
        let entries: Option<Vec<crate::export::Entry>> = plan
            .pages
            .iter()
            .filter(|p| crate::export::listed(p).is_some())
            .map(|p| made.remove(&(p.scope, plan.path(p))))
            .collect();
        if let Some(entries) = entries {
            let _ = self.catalogue.set(entries);
        }
    }

    /// The cross-references of a scope.
    fn mentions(&self, kind: ScopeKind) -> (&Mentions, &minijinja::Value) {
        let (_, m, v) = self
            .mentions
            .iter()
            .find(|(k, _, _)| *k == kind)
            .unwrap_or(&self.mentions[0]);
        (m, v)
    }
}

/// The catalogue as `check` shows it to templates: every file the build
/// lists, each with a size of 0 and a hash of 64 zeros (the files are not
/// made: no template makes them, and a template only prints those values).
fn unmade_catalogue(plan: &Plan<'_>) -> Vec<crate::export::Entry> {
    plan.pages
        .iter()
        .filter_map(|page| {
            Some(crate::export::Entry {
                kind: crate::export::listed(page)?,
                path: plan.path(page),
                sha256: "0".repeat(64),
                size: 0,
            })
        })
        .collect()
}

/// Renders `pages` (of `plan`) in parallel into the sink.
///
/// The frozen pages of one item are rendered one after another, so that those
/// that differ only by edition are rendered once ([`frozen`]).
pub(super) fn render_pages(
    plan: &Plan<'_>,
    compiled: &Compiled,
    theme: &Theme,
    pages: &[&PlannedPage<'_>],
    sink: &Sink<'_>,
    (purpose, memo): (Purpose, &Memo),
) -> Result<RenderStats, RenderFailure> {
    let env = compiled.full().map_err(RenderFailure::Templates)?;
    let sample = sample::applies(purpose, theme);
    let shared = shared(plan, (theme, compiled), pages, (purpose, memo, sample));
    let counts = (AtomicUsize::new(0), AtomicUsize::new(0));
    let made = Mutex::new(HashMap::new());
    let emit = |page: &PlannedPage<'_>, text: Result<String, TemplateError>| {
        let text = match text {
            Ok(text) => text,
            Err(e) => return Some(RenderFailure::Templates(vec![e])),
        };
        if let Some(entry) = crate::export::entry(plan, page, &text) {
            let mut made = made.lock().unwrap_or_else(PoisonError::into_inner);
            made.insert((page.scope, entry.path.clone()), entry);
        }
        let file = plan.output_file(page);
        if file.ends_with(".html") {
            counts.0.fetch_add(1, Ordering::Relaxed);
        }
        counts.1.fetch_add(1, Ordering::Relaxed);
        let written = sink(&file, text.as_bytes()).err().map(RenderFailure::Write);
        shared.memo.give_back(text.into_bytes());
        written
    };
    // A check renders at most one page per distinct item: grouping would find nothing
    // to share.
    let group = shared.masks.is_some() && purpose == Purpose::Output;
    let (singles, groups) = by_item(pages, group);
    // The pages that list every data file come last, when the files are made.
    let (last, singles): (Vec<_>, Vec<_>) = singles.into_iter().partition(|p| lists_data(p));
    let singles = singles
        .par_iter()
        .filter_map(|page| emit(page, render_page(page, &shared, env, None)));
    let groups = groups.par_iter().flat_map_iter(|group| {
        let mut memo = frozen::Memo::default();
        group
            .iter()
            .filter_map(|page| emit(page, render_page(page, &shared, env, Some(&mut memo))))
            .collect::<Vec<_>>()
    });
    let mut failures: Vec<RenderFailure> = singles.chain(groups).collect();
    shared.adopt_catalogue(std::mem::take(
        &mut made.lock().unwrap_or_else(PoisonError::into_inner),
    ));
    failures.extend(
        last.par_iter()
            .filter_map(|page| emit(page, render_page(page, &shared, env, None)))
            .collect::<Vec<_>>(),
    );
    let mut template_errors: Vec<TemplateError> = Vec::new();
    for failure in failures {
        match failure {
            RenderFailure::Write(e) => return Err(RenderFailure::Write(e)),
            RenderFailure::Templates(errors) => {
                for e in errors {
                    if !template_errors
                        .iter()
                        .any(|o| (&o.name, o.line, &o.message) == (&e.name, e.line, &e.message))
                    {
                        template_errors.push(e);
                    }
                }
            }
        }
    }
    if !template_errors.is_empty() {
        template_errors.sort_by(|a, b| (&a.name, a.line).cmp(&(&b.name, b.line)));
        return Err(RenderFailure::Templates(template_errors));
    }
    Ok(RenderStats {
        pages: counts.0.into_inner(),
        files: counts.1.into_inner(),
    })
}

/// Pages rendered on their own, and (when `group`) the frozen pages of each
/// item, in plan order.
fn by_item<'p, 'a>(
    pages: &[&'p PlannedPage<'a>],
    group: bool,
) -> (Vec<&'p PlannedPage<'a>>, Vec<Vec<&'p PlannedPage<'a>>>) {
    let mut singles = Vec::new();
    let mut groups: Vec<Vec<&PlannedPage<'_>>> = Vec::new();
    let mut index = std::collections::HashMap::new();
    for page in pages {
        match page.id {
            PageId::Frozen { register, item, .. } if group => {
                let at = *index
                    .entry((page.scope, register, item))
                    .or_insert_with(|| {
                        groups.push(Vec::new());
                        groups.len() - 1
                    });
                groups[at].push(*page);
            }
            _ => singles.push(*page),
        }
    }
    (singles, groups)
}

fn shared<'a>(
    plan: &'a Plan<'a>,
    (theme, compiled): (&Theme, &Compiled),
    pages: &[&PlannedPage<'_>],
    (purpose, memo, sample_entries): (Purpose, &'a Memo, bool),
) -> Shared<'a> {
    let site = plan.site;
    let mut config = site.config.clone();
    config.base_url.clone_from(&plan.base_url);
    // One version for the theme's CSS and script, so a changed asset is fetched anew.
    let asset = |path: &str| theme.statics.get(path).map_or(&[][..], Vec::as_slice);
    let css = asset("assets/style.css");
    let assets = [
        css,
        asset("assets/pages.css"),
        asset("assets/search.js"),
        asset("assets/site.js"),
    ]
    .concat();
    let histories: Vec<History<'a>> = plan.history.registers.iter().map(History::of).collect();
    let fields = FieldViews::new(site.config.language, &memo.fields);
    let site_view = SiteView {
        base_path: url::base_path(&config.base_url),
        lang: config.language.name(),
        registers: register_links(&plan.public.registers),
        pages: site
            .pages
            .iter()
            .map(|p| Link {
                title: p.title.clone(),
                path: url::page(&url::encode_segment(&p.slug)),
            })
            .collect(),
        config,
    };
    let mentions = plan
        .scopes()
        .map(|scope| {
            let withdrawn: Vec<(&str, &str)> = if scope.is_draft() {
                Vec::new()
            } else {
                plan.history
                    .registers
                    .iter()
                    .flat_map(|h| h.withdrawn().map(|(id, _)| (h.register.key.as_str(), id)))
                    .collect()
            };
            let m = Mentions::kept(scope, withdrawn.into_iter(), &memo.mentions);
            let value = minijinja::Value::from_object(MentionsObject(Arc::clone(&m)));
            (scope.kind, m, value)
        })
        .collect();
    let strings = Table::value(
        i18n::strings(site.config.language)
            .iter()
            .map(|(k, v)| (*k, Value::from(*v))),
    );
    let language = site.config.language.name();
    Shared {
        // Before `histories` and `fields` move in.
        change_groups: all_change_groups(&histories, pages, (&fields, sample_entries)),
        mentions,
        site_value: Table::of_map(&Value::from(Serde(&site_view))),
        site: site_view,
        rows: compiled
            .rows
            .as_ref()
            .map(|env| rows::Splicer::new(Arc::clone(env), &memo.rows, strings.clone(), language)),
        changes: compiled.changes.as_ref().map(|env| {
            changes::Splicer::new(Arc::clone(env), &memo.changes, strings.clone(), language)
        }),
        fields,
        strings,
        asset_version: crate::content::seal::sha256_hex(&assets)[..10].to_owned(),
        css: String::from_utf8_lossy(css).into_owned(),
        plan,
        histories,
        catalogue: std::sync::OnceLock::new(),
        data_memo: crate::export::DataMemo::default(),
        masks: frozen::Masks::for_theme(theme),
        chrome: compiled
            .chrome
            .as_ref()
            .map(|c| chrome::Chrome::new(Arc::clone(c))),
        purpose,
        sample_entries,
        memo,
    }
}

/// Renders one planned page (a frozen item page through `memo`, when given).
fn render_page(
    page: &PlannedPage<'_>,
    shared: &Shared<'_>,
    env: &Environment<'_>,
    memo: Option<&mut frozen::Memo>,
) -> Result<String, TemplateError> {
    let plan = shared.plan;
    let scope = plan.scope(page.scope);
    let path = plan.path(page);
    let r = Renderer {
        env,
        shared,
        scope,
        path: &path,
    };
    let at = |key: &str| scope.position(key).unwrap_or(0);
    match page.id {
        PageId::Home => r.listing("home.html", home(shared, scope)),
        PageId::Register { register } => {
            r.listing("register.html", register_page(shared, scope, at(register)))
        }
        PageId::Item { register, item } => {
            let (i, item) = (at(register), shown(scope, at(register), item, &path)?);
            let view = item_page(shared, scope, i, item, None, &path, None);
            r.page("item.html", view)
        }
        PageId::Notice { register, item } => {
            let (i, item) = (at(register), shown(scope, at(register), item, &path)?);
            r.page("notice.html", notice_page(shared, scope, i, item))
        }
        PageId::Withdrawn { register, .. }
        | PageId::Editions { register }
        | PageId::Edition { register, .. }
        | PageId::Frozen { register, .. } => history_page(&r, &page.id, at(register), memo),
        PageId::Changes => r.page("changes.html", changes_page(shared, scope)),
        PageId::Feed { register } => r.page("atom.xml", feed(shared, scope, register.map(at))),
        PageId::Departments => r.page(
            "departments.html",
            departments_page(scope, &plan.site.departments),
        ),
        PageId::Department { department } => r.listing(
            "department.html",
            department_page(department, scope, &plan.site.departments),
        ),
        PageId::Purposes => r.page("purposes.html", purposes_page(scope)),
        PageId::Purpose { purpose } => r.listing(
            "purpose.html",
            purpose_page(
                purpose,
                scope,
                shared.mentions(scope.kind).0,
                &shared.memo.targets,
            ),
        ),
        PageId::Page { slug } => {
            let page = plan
                .site
                .pages
                .iter()
                .find(|p| p.slug == slug)
                .ok_or_else(|| gone(&path))?;
            r.page(
                "page.html",
                PagePage {
                    page: PageView {
                        page,
                        body_html: markdown::to_html(&page.body, 1),
                    },
                },
            )
        }
        PageId::Search => r.page("search.html", Empty {}),
        PageId::NotFound => r.page("404.html", NotFound { css: &shared.css }),
        PageId::Sitemap => r.page("sitemap.xml", sitemap(shared, scope)),
        PageId::Robots => r.page("robots.txt", Empty {}),
        PageId::DataPage => r.page("data.html", data::data_page(shared)),
        PageId::Data(crate::plan::DataFile::Index) => {
            Ok(crate::export::index_of(plan, shared.catalogue().to_vec()))
        }
        PageId::Data(file) => {
            crate::export::data_file(plan, &file, &shared.data_memo).ok_or_else(|| gone(&path))
        }
        PageId::Schema(file) => Ok(crate::export::schema::schema_file(file)),
    }
}

/// Renders a page of a register's history (register at position `i`).
fn history_page(
    r: &Renderer<'_>,
    id: &PageId<'_>,
    i: usize,
    memo: Option<&mut frozen::Memo>,
) -> Result<String, TemplateError> {
    let (shared, scope) = (r.shared, r.scope);
    let editions = &shared.histories[i].register.editions;
    let edition = |id: &str| editions.iter().position(|e| e.id == id).unwrap_or(0);
    match *id {
        PageId::Withdrawn {
            item, last_edition, ..
        } => r.page(
            "withdrawn.html",
            withdrawn_page(shared, scope, i, item, edition(last_edition)),
        ),
        PageId::Edition { edition: e, .. } => {
            r.page("edition.html", edition_page(shared, scope, i, edition(e)))
        }
        PageId::Frozen {
            edition: e, item, ..
        } => {
            let e = edition(e);
            let item = editions[e]
                .snapshot
                .item(item)
                .ok_or_else(|| gone(r.path))?;
            if let (Some(masks), Some(memo)) = (&shared.masks, memo) {
                let page = item_page(shared, scope, i, item, Some(e), r.path, Some(memo));
                if let Some(text) = frozen::render(r, page, masks, memo) {
                    return Ok(text);
                }
            }
            r.page(
                "item.html",
                item_page(shared, scope, i, item, Some(e), r.path, None),
            )
        }
        _ => r.page("editions.html", editions_page(shared, scope, i)),
    }
}

/// Item `id` as register `i` of `scope` shows it (the subject of the page at `path`).
fn shown<'a>(
    scope: &'a Scope<'a>,
    i: usize,
    id: &str,
    path: &str,
) -> Result<&'a crate::model::Item, TemplateError> {
    scope.registers[i]
        .snapshot
        .item(id)
        .ok_or_else(|| gone(path))
}

/// Whether a page lists every data file (with its hash and size).
fn lists_data(page: &PlannedPage<'_>) -> bool {
    matches!(
        page.id,
        PageId::DataPage | PageId::Data(crate::plan::DataFile::Index)
    )
}

/// A planned page whose subject the model does not have (a bug in the plan).
fn gone(path: &str) -> TemplateError {
    TemplateError {
        name: "plan".to_owned(),
        line: None,
        range: None,
        message: format!("the plan names a page the model does not have: /{path}"),
        page: Some(path.to_owned()),
    }
}

struct Renderer<'a> {
    env: &'a Environment<'a>,
    shared: &'a Shared<'a>,
    scope: &'a Scope<'a>,
    path: &'a str,
}

impl Renderer<'_> {
    /// [`Renderer::page`] for a page with item lists, spliced row by row when
    /// the page is rendered with the chrome and the built-in macros.
    fn listing<'v, T: Serialize + rows::Lists<'v>>(
        &self,
        name: &str,
        mut page: T,
    ) -> Result<String, TemplateError> {
        let shared = self.shared;
        if shared.sample_entries {
            for list in page.lists() {
                sample::rows(list);
            }
        }
        if let (Some(splicer), Some(chrome)) = (&shared.rows, &shared.chrome)
            && chrome.splices(name)
            && self.path != url::NOT_FOUND
        {
            let root = url::root_from(self.path);
            let keep = !url::is_frozen_page(self.path);
            for list in page.lists() {
                list.splice(&|rows| splicer.list(&root, rows, keep));
            }
        }
        if let (Some(splicer), Some(chrome)) = (&shared.changes, &shared.chrome)
            && chrome.splices_changes(name)
            && self.path != url::NOT_FOUND
        {
            let root = url::root_from(self.path);
            let site_root = if self.scope.is_draft() {
                format!("{root}../")
            } else {
                root.clone()
            };
            let (mentions, mentions_value) = shared.mentions(self.scope.kind);
            for (key, groups) in page.changes() {
                let place = changes::Place {
                    root: &root,
                    site_root: &site_root,
                    key,
                    mentions,
                    mentions_value,
                };
                groups.splice(splicer, &place);
            }
        }
        self.page(name, page)
    }

    fn page<T: Serialize>(&self, name: &str, page: T) -> Result<String, TemplateError> {
        self.page_at(name, page, self.path)
    }

    /// [`Renderer::page`], telling the template its path is `path` (a path
    /// as deep as the page's own).
    fn page_at<T: Serialize>(
        &self,
        name: &str,
        page: T,
        path: &str,
    ) -> Result<String, TemplateError> {
        let shared = self.shared;
        let depth_root = url::root_from(self.path);
        let (root, site_root) = if self.path == url::NOT_FOUND {
            (shared.site.base_path.clone(), shared.site.base_path.clone())
        } else if self.scope.is_draft() {
            (depth_root.clone(), format!("{depth_root}../"))
        } else {
            (depth_root.clone(), depth_root)
        };
        let (mentions, draft) = (shared.mentions(self.scope.kind).1, self.scope.is_draft());
        // The page's own values, then those every page has (the context's names).
        let page = Value::from(Serde(&page));
        let context = PageContext {
            page: page.clone(),
            common: vec![
                ("site", shared.site_value.clone()),
                ("t", shared.strings.clone()),
                // From this page to the root of its scope (the site, or `/draft/`).
                ("root", Value::from(root)),
                // From this page to the root of the site.
                ("site_root", Value::from(site_root)),
                // This page's path from the site root.
                (
                    "path",
                    Value::from(format!("{}{}", self.scope.kind.prefix(), path)),
                ),
                ("asset_version", Value::from(shared.asset_version.as_str())),
                ("draft", Value::from(draft)),
                // `mentions.link(text, register, root, own_id)`: text with cross-references linked.
                ("mentions", mentions.clone()),
            ],
        };
        let context = Value::from_object(context);
        if let Some(text) = shared
            .chrome
            .as_ref()
            .and_then(|c| c.render(name, &page, &context, shared.memo.buffer()))
        {
            return Ok(text);
        }
        let failed = |e: minijinja::Error| TemplateError::from_minijinja(&e, name, Some(self.path));
        let template = self.env.get_template(name).map_err(failed)?;
        template.render(context).map_err(failed)
    }
}

#[derive(Serialize)]
struct Empty {}

/// The not-found page: static hosts serve it at any missing path, at any
/// depth, so it carries its own stylesheet.
#[derive(Serialize)]
struct NotFound<'a> {
    css: &'a str,
}
