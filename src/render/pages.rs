//! Every page of the site: which template and which view for each planned page.
//!
//! Pages come from the [`Plan`], are rendered in parallel and handed to a sink
//! one by one, so memory stays flat however many frozen pages there are.

use std::collections::BTreeMap;
use std::ops::Deref;
use std::sync::atomic::{AtomicUsize, Ordering};

use minijinja::Environment;
use rayon::prelude::*;
use serde::Serialize;

use super::history_views::{self as hv, EditionView, FrozenView, Standing};
use super::theme::Theme;
use super::views::{
    self, DepartmentView, ItemRow, ItemView, Link, PageView, RegisterGroup, RegisterSummary,
    RegisterView, SiteView, register_links,
};
use super::{RenderFailure, RenderStats, Sink, TemplateError, markdown};
use crate::history::format::Labels;
use crate::history::{EditionStatus, RegisterHistory};
use crate::i18n;
use crate::model::{Choice, Details, Item, Verdict};
use crate::plan::url as paths;
use crate::plan::{PageId, Plan, PlannedPage, Published, Scope, url};

/// A register's history with what rendering adds once per build.
pub(super) struct History<'a> {
    /// The history step's result.
    of: &'a RegisterHistory<'a>,
    /// Each edition's notes as HTML, rendered once.
    pub(super) notes_html: Vec<Option<String>>,
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
    labels: Labels,
    asset_version: String,
    plan: &'a Plan<'a>,
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

pub(super) fn render_all(
    plan: &Plan<'_>,
    env: &Environment<'_>,
    theme: &Theme,
    sink: &Sink<'_>,
) -> Result<RenderStats, RenderFailure> {
    let shared = shared(plan, theme);
    let counts = (AtomicUsize::new(0), AtomicUsize::new(0));
    let failures: Vec<RenderFailure> = plan
        .pages
        .par_iter()
        .filter(|page| !page.reused)
        .filter_map(|page| {
            let text = match render_page(page, &shared, env) {
                Ok(text) => text,
                Err(e) => return Some(RenderFailure::Templates(vec![e])),
            };
            let file = plan.output_file(page);
            if file.ends_with(".html") {
                counts.0.fetch_add(1, Ordering::Relaxed);
            }
            counts.1.fetch_add(1, Ordering::Relaxed);
            sink(&file, text.as_bytes()).err().map(RenderFailure::Write)
        })
        .collect();
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

fn shared<'a>(plan: &'a Plan<'a>, theme: &Theme) -> Shared<'a> {
    let site = plan.site;
    let mut config = site.config.clone();
    config.base_url.clone_from(&plan.base_url);
    let css = theme
        .statics
        .get("assets/style.css")
        .map_or(&[][..], Vec::as_slice);
    let histories = plan
        .history
        .registers
        .par_iter()
        .map(|of| History {
            of,
            notes_html: of
                .register
                .editions
                .iter()
                .map(|e| e.record.notes.as_deref().map(|n| markdown::to_html(n, 2)))
                .collect(),
        })
        .collect();
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
    Shared {
        site_value: minijinja::Value::from(minijinja::value::Serde(&site_view)),
        site: site_view,
        strings: minijinja::Value::from(minijinja::value::Serde(i18n::strings(
            site.config.language,
        ))),
        labels: Labels::new(site.config.language),
        asset_version: crate::content::seal::sha256_hex(css)[..10].to_owned(),
        plan,
        histories,
    }
}

/// Renders one planned page.
fn render_page(
    page: &PlannedPage<'_>,
    shared: &Shared<'_>,
    env: &Environment<'_>,
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
        PageId::Home => r.page("home.html", home(shared, scope)),
        PageId::Register { register } => {
            r.page("register.html", register_page(shared, scope, at(register)))
        }
        PageId::Item { register, item } => {
            let i = at(register);
            let item = scope.registers[i]
                .snapshot
                .item(item)
                .ok_or_else(|| gone(&path))?;
            r.page("item.html", item_page(shared, scope, i, item, None))
        }
        PageId::Withdrawn { register, .. }
        | PageId::Editions { register }
        | PageId::Edition { register, .. }
        | PageId::Frozen { register, .. } => history_page(&r, &page.id, at(register)),
        PageId::Changes => r.page("changes.html", changes_page(shared, scope)),
        PageId::Feed { register } => r.page("atom.xml", feed(shared, scope, register.map(at))),
        PageId::Departments => r.page("departments.html", departments_page(scope)),
        PageId::Department { department } => {
            r.page("department.html", department_page(department, scope))
        }
        PageId::Purposes => r.page("purposes.html", purposes_page(scope)),
        PageId::Purpose { purpose } => r.page("purpose.html", purpose_page(purpose, scope)),
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
        PageId::NotFound => r.page("404.html", Empty {}),
        PageId::Sitemap => r.page("sitemap.xml", sitemap(shared, scope)),
        PageId::Robots => r.page("robots.txt", Empty {}),
    }
}

/// Renders a page of a register's history (register at position `i`).
fn history_page(r: &Renderer<'_>, id: &PageId<'_>, i: usize) -> Result<String, TemplateError> {
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
            r.page("item.html", item_page(shared, scope, i, item, Some(e)))
        }
        _ => r.page("editions.html", editions_page(shared, scope, i)),
    }
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
    fn page<T: Serialize>(&self, name: &str, page: T) -> Result<String, TemplateError> {
        let shared = self.shared;
        let depth_root = url::root_from(self.path);
        let (root, site_root) = if self.path == url::NOT_FOUND {
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
            path: format!("{}{}", self.scope.kind.prefix(), self.path),
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
        .registers
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
        registers: scope.registers.iter().map(RegisterSummary::of).collect(),
        refused,
        purposes: purpose_counts(scope),
        latest,
    }
}

fn purpose_counts<'a>(scope: &'a Scope<'a>) -> Vec<PurposeCount<'a>> {
    let mut counts: BTreeMap<&str, usize> = scope.purpose_slugs.keys().map(|k| (*k, 0)).collect();
    for item in scope.registers.iter().flat_map(|p| p.snapshot.items.iter()) {
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
    let p = &scope.registers[i];
    let h = &shared.histories[i];
    let upcoming = (0..h.register.editions.len())
        .filter(|e| h.statuses[*e] == EditionStatus::Upcoming && Some(*e) != h.shown)
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
    let p = &scope.registers[i];
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
                EditionStatus::InForce => Standing::Current,
                EditionStatus::Upcoming => Standing::Upcoming,
                EditionStatus::Superseded if current => Standing::Superseded,
                EditionStatus::Superseded => Standing::Withdrawn,
            };
            let withdrawn = if status == Standing::Withdrawn {
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
        register: RegisterSummary::of(&scope.registers[i]),
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
        register: RegisterSummary::of(&scope.registers[i]),
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
    let p = &scope.registers[i];
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

/// One edition with its grouped changes, and what listings sort it by.
struct Entry<'a> {
    edition: &'a crate::model::Edition,
    key: &'a str,
    changes: EditionChanges<'a>,
}

/// The editions of every register (or of register `only`), with their changes
/// against the edition before; the first edition of each register (which adds
/// everything) only `with_first`, with no changes listed.
fn entries<'a>(
    shared: &'a Shared<'a>,
    scope: &'a Scope<'a>,
    only: Option<usize>,
    with_first: bool,
) -> Vec<Entry<'a>> {
    let mut out = Vec::new();
    for (i, h) in shared.histories.iter().enumerate() {
        if only.is_some_and(|o| o != i) {
            continue;
        }
        for (e, edition) in h.register.editions.iter().enumerate() {
            if e == 0 && !with_first {
                continue;
            }
            let changes = if e == 0 {
                hv::ChangeGroups::default()
            } else {
                hv::groups(h, Some(e), &h.diffs[e], &shared.labels)
            };
            out.push(Entry {
                edition,
                key: &h.register.key,
                changes: EditionChanges {
                    register: RegisterSummary::of(&scope.registers[i]),
                    edition: Some(EditionView::of(h, e)),
                    changes,
                },
            });
        }
    }
    out
}

/// Every non-first edition of every register, newest in effect first.
fn edition_changes<'a>(shared: &'a Shared<'a>, scope: &'a Scope<'a>) -> Vec<EditionChanges<'a>> {
    let mut out = entries(shared, scope, None, false);
    let order = |x: &Entry<'a>| {
        let r = &x.edition.record;
        (
            r.effective.value,
            r.published.value,
            x.key,
            x.edition.id.as_str(),
        )
    };
    out.sort_by(|a, b| order(b).cmp(&order(a)));
    out.into_iter().map(|x| x.changes).collect()
}

fn pending_of<'a>(shared: &'a Shared<'a>, scope: &'a Scope<'a>, i: usize) -> EditionChanges<'a> {
    let h = &shared.histories[i];
    EditionChanges {
        register: RegisterSummary::of(&scope.registers[i]),
        edition: None,
        changes: hv::groups(h, None, &h.pending, &shared.labels),
    }
}

fn pending_changes<'a>(shared: &'a Shared<'a>, scope: &'a Scope<'a>) -> Vec<EditionChanges<'a>> {
    (0..scope.registers.len())
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

/// An Atom feed: one entry per edition (the first edition of each register
/// included), newest published first.
fn feed<'a>(shared: &'a Shared<'a>, scope: &'a Scope<'a>, only: Option<usize>) -> Feed<'a> {
    let mut entries = entries(shared, scope, only, true);
    let order = |x: &Entry<'a>| {
        (
            x.edition.record.published.value,
            x.key,
            x.edition.id.as_str(),
        )
    };
    entries.sort_by(|a, b| order(b).cmp(&order(a)));
    let updated = entries.first().map_or_else(
        || "2000-01-01".to_owned(),
        |e| e.edition.record.published.value.to_string(),
    );
    let (title, self_path, alternate_path) = match only {
        Some(i) => {
            let key = &scope.registers[i].register.key;
            (
                format!(
                    "{} - {}",
                    scope.registers[i].snapshot.list.title, shared.site.config.title
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
        entries: entries.into_iter().map(|e| e.changes).collect(),
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
        .registers
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
        display: d.display_name(),
        path: url::department(id),
    }
}

fn departments_page<'a>(scope: &Scope<'a>) -> DepartmentsPage<'a> {
    let departments = scope
        .departments
        .keys()
        .map(|id| {
            let count = scope
                .registers
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
    for (i, p) in scope.registers.iter().enumerate() {
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
