//! Every page of the public site: which template, which view, which path.

use std::collections::{BTreeMap, BTreeSet};

use minijinja::Environment;
use rayon::prelude::*;
use serde::Serialize;

use super::public::{self, Published};
use super::theme::Theme;
use super::views::{
    DepartmentView, ItemRow, ItemView, Link, PageView, RegisterGroup, RegisterSummary,
    RegisterView, SiteView, register_links,
};
use super::{OutputFile, RenderOptions, TemplateError, i18n, markdown, url};
use crate::content::seal::sha256_hex;
use crate::model::{Choice, Details, Item, Page, Site, Verdict};

/// Everything shared by all pages of one build.
struct Shared<'a> {
    site: SiteView,
    strings: &'static BTreeMap<&'static str, &'static str>,
    asset_version: String,
    published: Vec<Published<'a>>,
    purpose_slugs: BTreeMap<String, String>,
    departments: BTreeMap<&'a str, &'a crate::model::Department>,
}

/// The context every template gets; the page's own values are flattened in.
#[derive(Serialize)]
struct Context<'a, T: Serialize> {
    site: &'a SiteView,
    t: &'a BTreeMap<&'static str, &'static str>,
    root: String,
    path: &'a str,
    asset_version: &'a str,
    #[serde(flatten)]
    page: T,
}

/// One page to render.
enum Job<'a> {
    Home,
    Register(usize),
    Item(usize, &'a Item),
    Departments,
    Department(&'a str),
    Purposes,
    Purpose(&'a str),
    Page(&'a Page),
    NotFound,
    Sitemap,
    Robots,
}

pub(super) fn render_all(
    site: &Site,
    env: &Environment<'_>,
    theme: &Theme,
    options: &RenderOptions,
) -> Result<Vec<OutputFile>, Vec<TemplateError>> {
    let shared = shared(site, theme, options);
    let jobs = jobs(site, &shared);
    let results: Vec<Result<OutputFile, TemplateError>> = jobs
        .par_iter()
        .map(|job| render_job(job, &shared, env))
        .collect();
    let mut files = Vec::with_capacity(results.len());
    let mut errors = Vec::new();
    for r in results {
        match r {
            Ok(f) => files.push(f),
            Err(e)
                if !errors.iter().any(|o: &TemplateError| {
                    (&o.name, o.line, &o.message) == (&e.name, e.line, &e.message)
                }) =>
            {
                errors.push(e);
            }
            Err(_) => {}
        }
    }
    if errors.is_empty() {
        Ok(files)
    } else {
        Err(errors)
    }
}

fn shared<'a>(site: &'a Site, theme: &Theme, options: &RenderOptions) -> Shared<'a> {
    let published = public::published(site, options.today);
    let mut config = site.config.clone();
    if let Some(base) = &options.base_url {
        config.base_url = if base.ends_with('/') {
            base.clone()
        } else {
            format!("{base}/")
        };
    }
    let purposes: BTreeSet<&str> = published
        .iter()
        .flat_map(|p| p.snapshot.items.iter())
        .flat_map(|i| i.purposes.iter().map(String::as_str))
        .collect();
    let mut departments = BTreeMap::new();
    for p in &published {
        for item in &p.snapshot.items {
            for id in item.department_refs() {
                if let Some(d) = p.departments.get(&id.value) {
                    departments.entry(id.value.as_str()).or_insert(d);
                }
            }
        }
    }
    let css = theme
        .statics
        .get("assets/style.css")
        .map_or(&[][..], Vec::as_slice);
    Shared {
        site: SiteView {
            base_path: url::base_path(&config.base_url),
            lang: config.language.name(),
            registers: register_links(&published),
            pages: site
                .pages
                .iter()
                .map(|p| Link {
                    title: p.title.clone(),
                    path: url::page(&url::encode_segment(&p.slug)),
                })
                .collect(),
            config,
        },
        strings: i18n::strings(site.config.language),
        asset_version: sha256_hex(css)[..10].to_owned(),
        purpose_slugs: url::purpose_slugs(purposes),
        published,
        departments,
    }
}

fn jobs<'a>(site: &'a Site, shared: &'a Shared<'_>) -> Vec<Job<'a>> {
    let mut jobs = vec![
        Job::Home,
        Job::Departments,
        Job::Purposes,
        Job::NotFound,
        Job::Sitemap,
        Job::Robots,
    ];
    for (i, p) in shared.published.iter().enumerate() {
        jobs.push(Job::Register(i));
        jobs.extend(p.snapshot.items.iter().map(|item| Job::Item(i, item)));
    }
    jobs.extend(shared.departments.keys().map(|id| Job::Department(id)));
    jobs.extend(
        shared
            .purpose_slugs
            .keys()
            .map(|name| Job::Purpose(name.as_str())),
    );
    jobs.extend(site.pages.iter().map(Job::Page));
    jobs
}

fn path_of(job: &Job<'_>, shared: &Shared<'_>) -> String {
    match job {
        Job::Home => url::HOME.to_owned(),
        Job::Register(i) => url::register(&shared.published[*i].register.key),
        Job::Item(i, item) => url::item(&shared.published[*i].register.key, &item.id),
        Job::Departments => url::DEPARTMENTS.to_owned(),
        Job::Department(id) => url::department(id),
        Job::Purposes => url::PURPOSES.to_owned(),
        Job::Purpose(name) => url::purpose(&shared.purpose_slugs[*name]),
        Job::Page(page) => url::page(&page.slug),
        Job::NotFound => "404.html".to_owned(),
        Job::Sitemap => "sitemap.xml".to_owned(),
        Job::Robots => "robots.txt".to_owned(),
    }
}

fn render_job(
    job: &Job<'_>,
    shared: &Shared<'_>,
    env: &Environment<'_>,
) -> Result<OutputFile, TemplateError> {
    let path = path_of(job, shared);
    let text = match job {
        Job::Home => render(env, "home.html", shared, &path, home(shared)),
        Job::Register(i) => render(
            env,
            "register.html",
            shared,
            &path,
            RegisterPage {
                register: RegisterView::of(&shared.published[*i]),
            },
        ),
        Job::Item(i, item) => render(
            env,
            "item.html",
            shared,
            &path,
            item_page(&shared.published[*i], item, shared),
        ),
        Job::Departments => render(
            env,
            "departments.html",
            shared,
            &path,
            departments_page(shared),
        ),
        Job::Department(id) => render(
            env,
            "department.html",
            shared,
            &path,
            department_page(id, shared),
        ),
        Job::Purposes => render(env, "purposes.html", shared, &path, purposes_page(shared)),
        Job::Purpose(name) => render(
            env,
            "purpose.html",
            shared,
            &path,
            purpose_page(name, shared),
        ),
        Job::Page(page) => render(
            env,
            "page.html",
            shared,
            &path,
            PagePage {
                page: PageView {
                    page,
                    body_html: markdown::to_html(&page.body, 1),
                },
            },
        ),
        Job::NotFound => render(env, "404.html", shared, &path, Empty {}),
        Job::Sitemap => render(env, "sitemap.xml", shared, &path, sitemap(shared)),
        Job::Robots => render(env, "robots.txt", shared, &path, Empty {}),
    }?;
    Ok(OutputFile {
        path: url::output_file(&path),
        bytes: text.into_bytes(),
    })
}

fn render<T: Serialize>(
    env: &Environment<'_>,
    name: &str,
    shared: &Shared<'_>,
    path: &str,
    page: T,
) -> Result<String, TemplateError> {
    let root = if path == "404.html" {
        shared.site.base_path.clone()
    } else {
        url::root_from(path)
    };
    let context = Context {
        site: &shared.site,
        t: shared.strings,
        root,
        path,
        asset_version: &shared.asset_version,
        page,
    };
    let template = env
        .get_template(name)
        .map_err(|e| TemplateError::from_minijinja(&e, name, Some(path)))?;
    template
        .render(minijinja::value::Serde(&context))
        .map_err(|e| TemplateError::from_minijinja(&e, name, Some(path)))
}

#[derive(Serialize)]
struct Empty {}

#[derive(Serialize)]
struct HomePage<'a> {
    registers: Vec<RegisterSummary<'a>>,
    refused: Vec<ItemRow<'a>>,
    purposes: Vec<PurposeCount<'a>>,
}

#[derive(Serialize)]
struct PurposeCount<'a> {
    name: &'a str,
    path: String,
    count: usize,
}

fn home<'a>(shared: &'a Shared<'a>) -> HomePage<'a> {
    let refused = shared
        .published
        .iter()
        .flat_map(|p| p.snapshot.items.iter().map(move |i| (p, i)))
        .filter(
            |(_, i)| matches!(&i.details, Details::Stamp(s) if s.verdict.value == Verdict::Refuse),
        )
        .map(|(p, i)| ItemRow::of(i, &p.register.key, p.departments))
        .collect();
    HomePage {
        registers: shared.published.iter().map(RegisterSummary::of).collect(),
        refused,
        purposes: purpose_counts(shared),
    }
}

fn purpose_counts<'a>(shared: &'a Shared<'a>) -> Vec<PurposeCount<'a>> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for item in shared
        .published
        .iter()
        .flat_map(|p| p.snapshot.items.iter())
    {
        for purpose in &item.purposes {
            *counts.entry(purpose).or_default() += 1;
        }
    }
    let mut out: Vec<PurposeCount<'_>> = counts
        .into_iter()
        .map(|(name, count)| PurposeCount {
            name,
            path: url::purpose(&shared.purpose_slugs[name]),
            count,
        })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(b.name)));
    out
}

#[derive(Serialize)]
struct RegisterPage<'a> {
    register: RegisterView<'a>,
}

#[derive(Serialize)]
struct ItemPage<'a> {
    register: RegisterSummary<'a>,
    item: ItemView<'a>,
}

fn item_page<'a>(p: &Published<'a>, item: &'a Item, shared: &Shared<'_>) -> ItemPage<'a> {
    let index = p
        .snapshot
        .list
        .categories
        .iter()
        .position(|c| *c == item.category.value)
        .map_or(0, |i| i + 1);
    ItemPage {
        register: RegisterSummary::of(p),
        item: ItemView::of(item, p, &format!("c{index}"), &shared.purpose_slugs),
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
    shared: &Shared<'a>,
    mut keep: impl FnMut(&Item) -> bool,
) -> Vec<RegisterGroup<'a>> {
    shared
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

fn department_view<'a>(id: &str, shared: &Shared<'a>) -> DepartmentView<'a> {
    let d = shared.departments[id];
    DepartmentView {
        department: d,
        display: d.short_name.as_deref().unwrap_or(&d.name),
        path: url::department(id),
    }
}

fn departments_page<'a>(shared: &Shared<'a>) -> DepartmentsPage<'a> {
    let departments = shared
        .departments
        .keys()
        .map(|id| {
            let count = shared
                .published
                .iter()
                .flat_map(|p| p.snapshot.items.iter())
                .filter(|i| names_department(i, id))
                .count();
            DepartmentCount {
                department: department_view(id, shared),
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

fn department_page<'a>(id: &str, shared: &Shared<'a>) -> DepartmentPage<'a> {
    DepartmentPage {
        department: department_view(id, shared),
        groups: items_naming(shared, |i| names_department(i, id)),
    }
}

#[derive(Serialize)]
struct PurposesPage<'a> {
    purposes: Vec<PurposeCount<'a>>,
}

fn purposes_page<'a>(shared: &'a Shared<'a>) -> PurposesPage<'a> {
    let mut purposes = purpose_counts(shared);
    purposes.sort_by(|a, b| a.path.cmp(&b.path));
    PurposesPage { purposes }
}

#[derive(Serialize)]
struct PurposePage<'a> {
    name: &'a str,
    groups: Vec<RegisterGroup<'a>>,
}

fn purpose_page<'a>(name: &'a str, shared: &Shared<'a>) -> PurposePage<'a> {
    PurposePage {
        name,
        groups: items_naming(shared, |i| i.purposes.iter().any(|p| p == name)),
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

fn sitemap(shared: &Shared<'_>) -> Sitemap {
    let mut urls = jobs_for_sitemap(shared);
    urls.sort();
    Sitemap { urls }
}

fn jobs_for_sitemap(shared: &Shared<'_>) -> Vec<String> {
    let mut paths = vec![
        url::HOME.to_owned(),
        url::DEPARTMENTS.to_owned(),
        url::PURPOSES.to_owned(),
    ];
    for p in &shared.published {
        paths.push(url::register(&p.register.key));
        paths.extend(
            p.snapshot
                .items
                .iter()
                .map(|i| url::item(&p.register.key, &i.id)),
        );
    }
    paths.extend(shared.departments.keys().map(|id| url::department(id)));
    paths.extend(shared.purpose_slugs.values().map(|s| url::purpose(s)));
    paths.extend(shared.site.pages.iter().map(|l| l.path.clone()));
    paths
}
