//! Every page of the site: which template, which view, which path.
//!
//! Pages are described as [`Job`]s, rendered in parallel and handed to a sink
//! one by one, so memory stays flat however many frozen pages there are.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicUsize, Ordering};

use minijinja::Environment;
use rayon::prelude::*;
use serde::Serialize;

use super::history_views::{self as hv, EditionView, FrozenView, paths};
use super::public::Published;
use super::scope::{History, Scope};
use super::theme::Theme;
use super::views::{
    self, DepartmentView, ItemRow, ItemView, Link, PageView, RegisterGroup, RegisterSummary,
    RegisterView, SiteView, register_links,
};
use super::{RenderFailure, RenderOptions, RenderStats, Sink, TemplateError, i18n, markdown, url};
use crate::content::seal::sha256_hex;
use crate::history::format::Labels;
use crate::model::{Choice, Details, Item, Page, Site, Verdict};

/// Everything shared by all pages of one build.
struct Shared<'a> {
    site: SiteView,
    /// `site` and the UI strings, converted to template values once (not per page).
    site_value: minijinja::Value,
    strings: minijinja::Value,
    labels: Labels,
    asset_version: String,
    pages: &'a [Page],
    histories: Vec<History<'a>>,
}

/// The context every template gets; the page's own values are flattened in.
#[derive(Serialize)]
struct Context<'a, T: Serialize> {
    site: &'a minijinja::Value,
    t: &'a minijinja::Value,
    /// From this page to the root of its scope (the site, or `/draft/`).
    root: String,
    /// From this page to the root of the site.
    site_root: String,
    /// This page's path from the site root.
    path: String,
    asset_version: &'a str,
    draft: bool,
    #[serde(flatten)]
    page: T,
}

/// One page to render; register indices point into the scope's `published`.
enum Job<'a> {
    Home,
    Register(usize),
    Item(usize, &'a Item),
    Withdrawn(usize, &'a str, usize),
    Editions(usize),
    Edition(usize, usize),
    Frozen(usize, usize, &'a Item),
    Changes,
    Feed(Option<usize>),
    Departments,
    Department(&'a str),
    Purposes,
    Purpose(&'a str),
    Page(&'a Page),
    Search,
    NotFound,
    Sitemap,
    Robots,
}

pub(super) fn render_all(
    site: &Site,
    env: &Environment<'_>,
    theme: &Theme,
    options: &RenderOptions,
    sink: &Sink<'_>,
) -> Result<RenderStats, RenderFailure> {
    let published = super::public::published(site, options.today);
    let shared = shared(site, theme, options, &published);
    let mut scopes = vec![Scope::public(published, site)];
    if options.drafts {
        scopes.push(Scope::draft(site));
    }
    let fingerprints = fingerprints(&shared, &scopes[0], theme);
    let reused: BTreeSet<String> = fingerprints
        .iter()
        .filter(|(key, f)| options.previous.get(*key) == Some(*f))
        .map(|(key, _)| key.clone())
        .collect();
    let counts = (AtomicUsize::new(0), AtomicUsize::new(0));
    let mut template_errors: Vec<TemplateError> = Vec::new();
    for scope in &scopes {
        let jobs = jobs(&shared, scope, &reused);
        for e in render_scope(&jobs, &shared, scope, env, sink, &counts)? {
            if !template_errors
                .iter()
                .any(|o| (&o.name, o.line, &o.message) == (&e.name, e.line, &e.message))
            {
                template_errors.push(e);
            }
        }
    }
    let (pages, files) = (counts.0.into_inner(), counts.1.into_inner());
    if !template_errors.is_empty() {
        template_errors.sort_by(|a, b| (&a.name, a.line).cmp(&(&b.name, b.line)));
        return Err(RenderFailure::Templates(template_errors));
    }
    let (reused, reused_pages, edition_dirs) = edition_dirs(&shared, &reused);
    Ok(RenderStats {
        pages,
        files,
        fingerprints,
        reused,
        reused_pages,
        edition_dirs,
        search_elapsed: std::time::Duration::ZERO,
    })
}

/// Renders a scope's jobs in parallel into the sink; returns the template errors.
fn render_scope(
    jobs: &[Job<'_>],
    shared: &Shared<'_>,
    scope: &Scope<'_>,
    env: &Environment<'_>,
    sink: &Sink<'_>,
    counts: &(AtomicUsize, AtomicUsize),
) -> Result<Vec<TemplateError>, RenderFailure> {
    let failures: Vec<RenderFailure> = jobs
        .par_iter()
        .filter_map(|job| {
            let (path, text) = match render_job(job, shared, scope, env) {
                Ok(done) => done,
                Err(e) => return Some(RenderFailure::Templates(vec![e])),
            };
            let file = url::output_file(&path);
            if file.ends_with(".html") {
                counts.0.fetch_add(1, Ordering::Relaxed);
            }
            counts.1.fetch_add(1, Ordering::Relaxed);
            sink(&file, text.as_bytes()).err().map(RenderFailure::Write)
        })
        .collect();
    let mut errors = Vec::new();
    for failure in failures {
        match failure {
            RenderFailure::Write(e) => return Err(RenderFailure::Write(e)),
            RenderFailure::Templates(e) => errors.extend(e),
        }
    }
    Ok(errors)
}

/// The edition folders of every register; which of them are reused, and how many pages those hold.
fn edition_dirs(
    shared: &Shared<'_>,
    reused: &BTreeSet<String>,
) -> (Vec<String>, usize, BTreeMap<String, Vec<String>>) {
    let mut reused_dirs = Vec::new();
    let mut reused_pages = 0;
    let mut edition_dirs = BTreeMap::new();
    for h in &shared.histories {
        let dirs: Vec<String> = h
            .register
            .editions
            .iter()
            .map(|e| format!("{}/editions/{}", h.register.key, e.id))
            .collect();
        if reused.contains(&h.register.key) {
            reused_dirs.extend(dirs.iter().cloned());
            reused_pages += h
                .register
                .editions
                .iter()
                .map(|e| 1 + e.snapshot.items.len())
                .sum::<usize>();
        }
        edition_dirs.insert(h.register.key.clone(), dirs);
    }
    (reused_dirs, reused_pages, edition_dirs)
}

/// Per register, a hash of everything its edition folders' pages depend on: the
/// program, the theme, the site-wide values every page shows (config, navigation,
/// purpose slugs), and the register's editions (their seals and statuses).
fn fingerprints(
    shared: &Shared<'_>,
    public: &Scope<'_>,
    theme: &Theme,
) -> BTreeMap<String, String> {
    use sha2::{Digest, Sha256};
    let mut common = Sha256::new();
    common.update(env!("CARGO_PKG_VERSION").as_bytes());
    if let Some(meta) = std::env::current_exe().ok().and_then(|p| p.metadata().ok()) {
        common.update(meta.len().to_le_bytes());
        if let Ok(modified) = meta.modified() {
            common.update(format!("{modified:?}").as_bytes());
        }
    }
    common.update(theme.fingerprint().as_bytes());
    common.update(
        serde_json::to_string(&shared.site)
            .unwrap_or_default()
            .as_bytes(),
    );
    common.update(
        serde_json::to_string(&public.purpose_slugs)
            .unwrap_or_default()
            .as_bytes(),
    );
    shared
        .histories
        .iter()
        .map(|h| {
            let mut f = common.clone();
            f.update(format!("{:?}", h.shown).as_bytes());
            for (e, status) in h.register.editions.iter().zip(&h.statuses) {
                f.update(format!("\n{} {} {status}", e.id, e.seal).as_bytes());
            }
            let hex: String = f.finalize().iter().map(|b| format!("{b:02x}")).collect();
            (h.register.key.clone(), hex)
        })
        .collect()
}

fn shared<'a>(
    site: &'a Site,
    theme: &Theme,
    options: &RenderOptions,
    published: &[Published<'a>],
) -> Shared<'a> {
    let mut config = site.config.clone();
    if let Some(base) = &options.base_url {
        config.base_url = if base.ends_with('/') {
            base.clone()
        } else {
            format!("{base}/")
        };
    }
    let asset = |path: &str| theme.statics.get(path).map_or(&[][..], Vec::as_slice);
    let assets = [asset("assets/style.css"), asset("assets/search.js")].concat();
    let histories = published
        .par_iter()
        .map(|p| History::new(p.register, site, p.edition_index()))
        .collect();
    let site_view = SiteView {
        base_path: url::base_path(&config.base_url),
        lang: config.language.name(),
        registers: register_links(published),
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
    Shared {
        site_value: minijinja::Value::from(minijinja::value::Serde(&site_view)),
        site: site_view,
        strings: minijinja::Value::from(minijinja::value::Serde(i18n::strings(
            site.config.language,
        ))),
        labels: Labels::new(site.config.language),
        asset_version: sha256_hex(&assets)[..10].to_owned(),
        pages: &site.pages,
        histories,
    }
}

fn jobs<'a>(
    shared: &'a Shared<'_>,
    scope: &'a Scope<'_>,
    reused: &BTreeSet<String>,
) -> Vec<Job<'a>> {
    let mut jobs = vec![Job::Home, Job::Departments, Job::Purposes, Job::Search];
    for (i, p) in scope.published.iter().enumerate() {
        jobs.push(Job::Register(i));
        jobs.extend(p.snapshot.items.iter().map(|item| Job::Item(i, item)));
    }
    jobs.extend(scope.departments.keys().map(|id| Job::Department(id)));
    jobs.extend(
        scope
            .purpose_slugs
            .keys()
            .map(|name| Job::Purpose(name.as_str())),
    );
    if scope.is_draft() {
        return jobs;
    }
    jobs.extend([
        Job::NotFound,
        Job::Sitemap,
        Job::Robots,
        Job::Changes,
        Job::Feed(None),
    ]);
    jobs.extend(shared.pages.iter().map(Job::Page));
    for (i, p) in scope.published.iter().enumerate() {
        let h = &shared.histories[i];
        jobs.extend([Job::Editions(i), Job::Feed(Some(i))]);
        if !reused.contains(&h.register.key) {
            for (e, edition) in h.register.editions.iter().enumerate() {
                jobs.push(Job::Edition(i, e));
                jobs.extend(
                    edition
                        .snapshot
                        .items
                        .iter()
                        .map(|item| Job::Frozen(i, e, item)),
                );
            }
        }
        if let Some(shown) = h.shown {
            let gone = h
                .last_seen
                .iter()
                .filter(|(id, last)| **last <= shown && p.snapshot.item(id).is_none());
            jobs.extend(gone.map(|(id, last)| Job::Withdrawn(i, id.as_str(), *last)));
        }
    }
    jobs
}

fn path_of(job: &Job<'_>, shared: &Shared<'_>, scope: &Scope<'_>) -> String {
    let key = |i: &usize| scope.published[*i].register.key.as_str();
    let edition_id = |i: &usize, e: &usize| shared.histories[*i].register.editions[*e].id.as_str();
    match job {
        Job::Home => url::HOME.to_owned(),
        Job::Register(i) => url::register(key(i)),
        Job::Item(i, item) => url::item(key(i), &item.id),
        Job::Withdrawn(i, id, _) => url::item(key(i), id),
        Job::Editions(i) => paths::editions(key(i)),
        Job::Edition(i, e) => paths::edition(key(i), edition_id(i, e)),
        Job::Frozen(i, e, item) => paths::frozen(key(i), edition_id(i, e), &item.id),
        Job::Changes => paths::CHANGES.to_owned(),
        Job::Feed(None) => paths::FEED.to_owned(),
        Job::Feed(Some(i)) => paths::feed(key(i)),
        Job::Departments => url::DEPARTMENTS.to_owned(),
        Job::Department(id) => url::department(id),
        Job::Purposes => url::PURPOSES.to_owned(),
        Job::Purpose(name) => url::purpose(&scope.purpose_slugs[*name]),
        Job::Page(page) => url::page(&page.slug),
        Job::Search => "search/".to_owned(),
        Job::NotFound => "404.html".to_owned(),
        Job::Sitemap => "sitemap.xml".to_owned(),
        Job::Robots => "robots.txt".to_owned(),
    }
}

/// Renders one job; returns its output path (with the scope's prefix) and text.
fn render_job(
    job: &Job<'_>,
    shared: &Shared<'_>,
    scope: &Scope<'_>,
    env: &Environment<'_>,
) -> Result<(String, String), TemplateError> {
    let path = path_of(job, shared, scope);
    let r = Renderer {
        env,
        shared,
        scope,
        path: &path,
    };
    let text = match job {
        Job::Home => r.page("home.html", home(shared, scope)),
        Job::Register(i) => r.page("register.html", register_page(shared, scope, *i)),
        Job::Item(i, item) => r.page("item.html", item_page(shared, scope, *i, item, None)),
        Job::Withdrawn(i, id, last) => r.page(
            "withdrawn.html",
            withdrawn_page(shared, scope, *i, id, *last),
        ),
        Job::Editions(i) => r.page("editions.html", editions_page(shared, scope, *i)),
        Job::Edition(i, e) => r.page("edition.html", edition_page(shared, scope, *i, *e)),
        Job::Frozen(i, e, item) => {
            r.page("item.html", item_page(shared, scope, *i, item, Some(*e)))
        }
        Job::Changes => r.page("changes.html", changes_page(shared, scope)),
        Job::Feed(i) => r.page("atom.xml", feed(shared, scope, *i)),
        Job::Departments => r.page("departments.html", departments_page(scope)),
        Job::Department(id) => r.page("department.html", department_page(id, scope)),
        Job::Purposes => r.page("purposes.html", purposes_page(scope)),
        Job::Purpose(name) => r.page("purpose.html", purpose_page(name, scope)),
        Job::Page(page) => r.page(
            "page.html",
            PagePage {
                page: PageView {
                    page,
                    body_html: markdown::to_html(&page.body, 1),
                },
            },
        ),
        Job::Search => r.page("search.html", Empty {}),
        Job::NotFound => r.page("404.html", Empty {}),
        Job::Sitemap => r.page("sitemap.xml", sitemap(shared, scope)),
        Job::Robots => r.page("robots.txt", Empty {}),
    }?;
    Ok((format!("{}{path}", scope.prefix), text))
}

struct Renderer<'a> {
    env: &'a Environment<'a>,
    shared: &'a Shared<'a>,
    scope: &'a Scope<'a>,
    path: &'a str,
}

impl Renderer<'_> {
    fn page<T: Serialize>(&self, name: &str, page: T) -> Result<String, TemplateError> {
        let shared = self.shared;
        let depth_root = url::root_from(self.path);
        let (root, site_root) = if self.path == "404.html" {
            (shared.site.base_path.clone(), shared.site.base_path.clone())
        } else if self.scope.is_draft() {
            (depth_root.clone(), format!("{depth_root}../"))
        } else {
            (depth_root.clone(), depth_root)
        };
        let context = Context {
            site: &shared.site_value,
            t: &shared.strings,
            root,
            site_root,
            path: format!("{}{}", self.scope.prefix, self.path),
            asset_version: &shared.asset_version,
            draft: self.scope.is_draft(),
            page,
        };
        let failed = |e: minijinja::Error| TemplateError::from_minijinja(&e, name, Some(self.path));
        let template = self.env.get_template(name).map_err(failed)?;
        template
            .render(minijinja::value::Serde(&context))
            .map_err(failed)
    }
}

#[derive(Serialize)]
struct Empty {}

#[derive(Serialize)]
struct HomePage<'a> {
    registers: Vec<RegisterSummary<'a>>,
    refused: Vec<ItemRow<'a>>,
    purposes: Vec<PurposeCount<'a>>,
    /// Latest editions across registers (public) or pending changes (draft).
    latest: Vec<EditionChanges<'a>>,
}

#[derive(Serialize)]
struct PurposeCount<'a> {
    name: &'a str,
    path: String,
    count: usize,
}

fn home<'a>(shared: &'a Shared<'a>, scope: &'a Scope<'a>) -> HomePage<'a> {
    let refused = scope
        .published
        .iter()
        .flat_map(|p| p.snapshot.items.iter().map(move |i| (p, i)))
        .filter(
            |(_, i)| matches!(&i.details, Details::Stamp(s) if s.verdict.value == Verdict::Refuse),
        )
        .map(|(p, i)| ItemRow::of(i, &p.register.key, p.departments))
        .collect();
    let latest = if scope.is_draft() {
        pending_changes(shared, scope)
    } else {
        edition_changes(shared, scope).into_iter().take(3).collect()
    };
    HomePage {
        registers: scope.published.iter().map(RegisterSummary::of).collect(),
        refused,
        purposes: purpose_counts(scope),
        latest,
    }
}

fn purpose_counts<'a>(scope: &'a Scope<'a>) -> Vec<PurposeCount<'a>> {
    let mut counts: BTreeMap<&str, usize> = scope
        .purpose_slugs
        .keys()
        .map(|k| (k.as_str(), 0))
        .collect();
    for item in scope.published.iter().flat_map(|p| p.snapshot.items.iter()) {
        for purpose in &item.purposes {
            *counts.entry(purpose).or_default() += 1;
        }
    }
    let mut out: Vec<PurposeCount<'_>> = counts
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(name, count)| PurposeCount {
            name,
            path: url::purpose(&scope.purpose_slugs[name]),
            count,
        })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(b.name)));
    out
}

#[derive(Serialize)]
struct RegisterPage<'a> {
    register: RegisterView<'a>,
    editions_path: String,
    upcoming: Vec<EditionView<'a>>,
    pending: Option<EditionChanges<'a>>,
}

fn register_page<'a>(shared: &'a Shared<'a>, scope: &'a Scope<'a>, i: usize) -> RegisterPage<'a> {
    let p = &scope.published[i];
    let h = &shared.histories[i];
    let upcoming = (0..h.register.editions.len())
        .filter(|e| h.statuses[*e] == "upcoming" && Some(*e) != h.shown)
        .map(|e| EditionView::of(h, e))
        .collect();
    RegisterPage {
        register: RegisterView::of(p),
        editions_path: paths::editions(&p.register.key),
        upcoming,
        pending: scope.is_draft().then(|| pending_of(shared, scope, i)),
    }
}

#[derive(Serialize)]
struct ItemPage<'a> {
    register: RegisterSummary<'a>,
    item: ItemView<'a>,
    frozen: Option<FrozenView<'a>>,
    timeline: Vec<hv::TimelineEntry<'a>>,
    pending: Option<hv::ChangeView<'a>>,
}

fn item_page<'a>(
    shared: &'a Shared<'a>,
    scope: &'a Scope<'a>,
    i: usize,
    item: &'a Item,
    frozen_in: Option<usize>,
) -> ItemPage<'a> {
    let p = &scope.published[i];
    let h = &shared.histories[i];
    let (snapshot_published, frozen) = match frozen_in {
        None => (*p, None),
        Some(e) => {
            let edition = &h.register.editions[e];
            let shown = Published {
                snapshot: &edition.snapshot,
                departments: edition
                    .snapshot
                    .departments
                    .as_ref()
                    .unwrap_or(p.departments),
                ..*p
            };
            let current = p.snapshot.item(&item.id).is_some() && h.shown.is_some();
            let status = match h.statuses[e] {
                "in_force" => "current",
                "upcoming" => "upcoming",
                _ if current => "superseded",
                _ => "withdrawn",
            };
            let withdrawn = if status == "withdrawn" {
                hv::withdrawn(h, &item.id, h.last_seen[&item.id])
            } else {
                None
            };
            let view = FrozenView {
                edition: EditionView::of(h, e),
                status,
                current_path: current.then(|| url::item(&p.register.key, &item.id)),
                withdrawn,
            };
            (shown, Some(view))
        }
    };
    let index = snapshot_published
        .snapshot
        .list
        .categories
        .iter()
        .position(|c| *c == item.category.value)
        .map_or(0, |i| i + 1);
    let mut view = ItemView::of(
        item,
        &snapshot_published,
        &format!("c{index}"),
        &scope.purpose_slugs,
    );
    if let Some(e) = frozen_in {
        view.category_path = format!(
            "{}#c{index}",
            paths::edition(&p.register.key, &h.register.editions[e].id)
        );
    }
    let pending = if scope.is_draft() {
        h.pending
            .item(&item.id)
            .map(|c| hv::change_view(h, None, &h.pending, c, &shared.labels))
    } else {
        None
    };
    let timeline = if frozen_in.is_none() {
        hv::timeline(h, &item.id, &shared.labels)
    } else {
        Vec::new()
    };
    ItemPage {
        register: RegisterSummary::of(&snapshot_published),
        item: view,
        frozen,
        timeline,
        pending,
    }
}

#[derive(Serialize)]
struct WithdrawnPage<'a> {
    register: RegisterSummary<'a>,
    id: &'a str,
    title: &'a str,
    withdrawn: Option<hv::WithdrawnView<'a>>,
    last_path: String,
}

fn withdrawn_page<'a>(
    shared: &'a Shared<'a>,
    scope: &'a Scope<'a>,
    i: usize,
    id: &'a str,
    last: usize,
) -> WithdrawnPage<'a> {
    let h = &shared.histories[i];
    let edition = &h.register.editions[last];
    let title = edition
        .snapshot
        .item(id)
        .map_or(id, |it| it.title.value.as_str());
    WithdrawnPage {
        register: RegisterSummary::of(&scope.published[i]),
        id,
        title,
        withdrawn: hv::withdrawn(h, id, last),
        last_path: paths::frozen(&h.register.key, &edition.id, id),
    }
}

#[derive(Serialize)]
struct EditionsPage<'a> {
    register: RegisterSummary<'a>,
    editions: Vec<EditionView<'a>>,
    feed_path: String,
}

fn editions_page<'a>(shared: &'a Shared<'a>, scope: &'a Scope<'a>, i: usize) -> EditionsPage<'a> {
    let h = &shared.histories[i];
    EditionsPage {
        register: RegisterSummary::of(&scope.published[i]),
        editions: (0..h.register.editions.len())
            .rev()
            .map(|e| EditionView::of(h, e))
            .collect(),
        feed_path: paths::feed(&h.register.key),
    }
}

#[derive(Serialize)]
struct EditionPage<'a> {
    register: RegisterSummary<'a>,
    edition: EditionView<'a>,
    previous: Option<Link>,
    changes: hv::ChangeGroups<'a>,
    categories: Vec<views::CategoryView<'a>>,
}

fn edition_page<'a>(
    shared: &'a Shared<'a>,
    scope: &'a Scope<'a>,
    i: usize,
    e: usize,
) -> EditionPage<'a> {
    let h = &shared.histories[i];
    let p = &scope.published[i];
    let edition = &h.register.editions[e];
    let key = &h.register.key;
    let deps = edition
        .snapshot
        .departments
        .as_ref()
        .unwrap_or(p.departments);
    let categories = views::categories(&edition.snapshot, |it| ItemRow {
        path: paths::frozen(key, &edition.id, &it.id),
        ..ItemRow::of(it, key, deps)
    });
    EditionPage {
        register: RegisterSummary::of(p),
        edition: EditionView::of(h, e),
        previous: e.checked_sub(1).map(|prev| {
            let pe = &h.register.editions[prev];
            Link {
                title: pe.record.label.clone(),
                path: paths::edition(key, &pe.id),
            }
        }),
        changes: if e == 0 {
            hv::ChangeGroups::default()
        } else {
            hv::groups(h, Some(e), &h.diffs[e], &shared.labels)
        },
        categories,
    }
}

/// One edition (or the pending working copy) with its grouped changes.
#[derive(Serialize)]
struct EditionChanges<'a> {
    register: RegisterSummary<'a>,
    edition: Option<EditionView<'a>>,
    changes: hv::ChangeGroups<'a>,
}

/// Every non-first edition of every register, newest first.
fn edition_changes<'a>(shared: &'a Shared<'a>, scope: &'a Scope<'a>) -> Vec<EditionChanges<'a>> {
    let mut out: Vec<(
        jiff::civil::Date,
        jiff::civil::Date,
        &str,
        &str,
        EditionChanges<'a>,
    )> = Vec::new();
    for (i, h) in shared.histories.iter().enumerate() {
        for (e, edition) in h.register.editions.iter().enumerate().skip(1) {
            let r = &edition.record;
            let view = EditionChanges {
                register: RegisterSummary::of(&scope.published[i]),
                edition: Some(EditionView::of(h, e)),
                changes: hv::groups(h, Some(e), &h.diffs[e], &shared.labels),
            };
            out.push((
                r.effective.value,
                r.published.value,
                &h.register.key,
                &edition.id,
                view,
            ));
        }
    }
    out.sort_by(|a, b| (b.0, b.1, b.2, b.3).cmp(&(a.0, a.1, a.2, a.3)));
    out.into_iter().map(|t| t.4).collect()
}

fn pending_of<'a>(shared: &'a Shared<'a>, scope: &'a Scope<'a>, i: usize) -> EditionChanges<'a> {
    let h = &shared.histories[i];
    EditionChanges {
        register: RegisterSummary::of(&scope.published[i]),
        edition: None,
        changes: hv::groups(h, None, &h.pending, &shared.labels),
    }
}

fn pending_changes<'a>(shared: &'a Shared<'a>, scope: &'a Scope<'a>) -> Vec<EditionChanges<'a>> {
    (0..scope.published.len())
        .map(|i| pending_of(shared, scope, i))
        .collect()
}

#[derive(Serialize)]
struct ChangesPage<'a> {
    editions: Vec<EditionChanges<'a>>,
}

fn changes_page<'a>(shared: &'a Shared<'a>, scope: &'a Scope<'a>) -> ChangesPage<'a> {
    ChangesPage {
        editions: edition_changes(shared, scope),
    }
}

#[derive(Serialize)]
struct Feed<'a> {
    title: String,
    self_path: String,
    alternate_path: String,
    updated: String,
    entries: Vec<EditionChanges<'a>>,
}

/// An Atom feed: one entry per edition (the first edition of each register included).
fn feed<'a>(shared: &'a Shared<'a>, scope: &'a Scope<'a>, only: Option<usize>) -> Feed<'a> {
    let mut entries: Vec<(jiff::civil::Date, String, String, EditionChanges<'a>)> = Vec::new();
    for (i, h) in shared
        .histories
        .iter()
        .enumerate()
        .filter(|(i, _)| only.is_none_or(|o| o == *i))
    {
        for (e, edition) in h.register.editions.iter().enumerate() {
            let changes = if e == 0 {
                hv::ChangeGroups::default()
            } else {
                hv::groups(h, Some(e), &h.diffs[e], &shared.labels)
            };
            entries.push((
                edition.record.published.value,
                h.register.key.clone(),
                edition.id.clone(),
                EditionChanges {
                    register: RegisterSummary::of(&scope.published[i]),
                    edition: Some(EditionView::of(h, e)),
                    changes,
                },
            ));
        }
    }
    entries.sort_by(|a, b| (b.0, &b.1, &b.2).cmp(&(a.0, &a.1, &a.2)));
    let updated = entries
        .first()
        .map_or_else(|| "2000-01-01".to_owned(), |e| e.0.to_string());
    let (title, self_path, alternate_path) = match only {
        Some(i) => {
            let key = &scope.published[i].register.key;
            (
                format!(
                    "{} - {}",
                    scope.published[i].snapshot.list.title, shared.site.config.title
                ),
                paths::feed(key),
                paths::editions(key),
            )
        }
        None => (
            shared.site.config.title.clone(),
            paths::FEED.to_owned(),
            paths::CHANGES.to_owned(),
        ),
    };
    Feed {
        title,
        self_path,
        alternate_path,
        updated,
        entries: entries.into_iter().map(|e| e.3).collect(),
    }
}

#[derive(Serialize)]
struct DepartmentsPage<'a> {
    departments: Vec<DepartmentCount<'a>>,
}

#[derive(Serialize)]
struct DepartmentCount<'a> {
    #[serde(flatten)]
    department: DepartmentView<'a>,
    count: usize,
}

fn items_naming<'a>(
    scope: &Scope<'a>,
    mut keep: impl FnMut(&Item) -> bool,
) -> Vec<RegisterGroup<'a>> {
    scope
        .published
        .iter()
        .map(|p| RegisterGroup {
            register: RegisterSummary::of(p),
            items: p
                .snapshot
                .items
                .iter()
                .filter(|i| keep(i))
                .map(|i| ItemRow::of(i, &p.register.key, p.departments))
                .collect(),
        })
        .filter(|g| !g.items.is_empty())
        .collect()
}

fn names_department(item: &Item, id: &str) -> bool {
    item.department_refs().any(|d| d.value == id)
}

fn department_view<'a>(id: &str, scope: &Scope<'a>) -> DepartmentView<'a> {
    let d = scope.departments[id];
    DepartmentView {
        department: d,
        display: d.short_name.as_deref().unwrap_or(&d.name),
        path: url::department(id),
    }
}

fn departments_page<'a>(scope: &Scope<'a>) -> DepartmentsPage<'a> {
    let departments = scope
        .departments
        .keys()
        .map(|id| {
            let count = scope
                .published
                .iter()
                .flat_map(|p| p.snapshot.items.iter())
                .filter(|i| names_department(i, id))
                .count();
            DepartmentCount {
                department: department_view(id, scope),
                count,
            }
        })
        .collect();
    DepartmentsPage { departments }
}

#[derive(Serialize)]
struct DepartmentPage<'a> {
    department: DepartmentView<'a>,
    groups: Vec<RegisterGroup<'a>>,
}

fn department_page<'a>(id: &str, scope: &Scope<'a>) -> DepartmentPage<'a> {
    DepartmentPage {
        department: department_view(id, scope),
        groups: items_naming(scope, |i| names_department(i, id)),
    }
}

#[derive(Serialize)]
struct PurposesPage<'a> {
    purposes: Vec<PurposeCount<'a>>,
}

fn purposes_page<'a>(scope: &'a Scope<'a>) -> PurposesPage<'a> {
    let mut purposes = purpose_counts(scope);
    purposes.sort_by(|a, b| a.path.cmp(&b.path));
    PurposesPage { purposes }
}

#[derive(Serialize)]
struct PurposePage<'a> {
    name: &'a str,
    groups: Vec<RegisterGroup<'a>>,
}

fn purpose_page<'a>(name: &'a str, scope: &Scope<'a>) -> PurposePage<'a> {
    PurposePage {
        name,
        groups: items_naming(scope, |i| i.purposes.iter().any(|p| p == name)),
    }
}

#[derive(Serialize)]
struct PagePage<'a> {
    page: PageView<'a>,
}

#[derive(Serialize)]
struct Sitemap {
    urls: Vec<String>,
}

/// Current pages and edition pages (frozen item pages are reachable from those).
fn sitemap(shared: &Shared<'_>, scope: &Scope<'_>) -> Sitemap {
    let mut urls = vec![
        url::HOME.to_owned(),
        url::DEPARTMENTS.to_owned(),
        url::PURPOSES.to_owned(),
        paths::CHANGES.to_owned(),
    ];
    for (i, p) in scope.published.iter().enumerate() {
        let key = &p.register.key;
        urls.push(url::register(key));
        urls.push(paths::editions(key));
        urls.extend(p.snapshot.items.iter().map(|it| url::item(key, &it.id)));
        urls.extend(
            shared.histories[i]
                .register
                .editions
                .iter()
                .map(|e| paths::edition(key, &e.id)),
        );
    }
    urls.extend(scope.departments.keys().map(|id| url::department(id)));
    urls.extend(scope.purpose_slugs.values().map(|s| url::purpose(s)));
    urls.extend(shared.site.pages.iter().map(|l| l.path.clone()));
    urls.sort();
    Sitemap { urls }
}
