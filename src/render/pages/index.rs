//! The index pages: by department, by purpose, free pages and the sitemap.

use std::collections::BTreeSet;

use serde::Serialize;

use super::Shared;
use super::current::{PurposeCount, purpose_counts};
use crate::model::{Departments, Item};
use crate::plan::{Scope, url};
use crate::render::mentions::{Mentions, TargetsMemo};
use crate::render::views::{
    ContactView, DepartmentView, ItemRow, PageView, RegisterGroup, RegisterSummary, Rows,
};

#[derive(Serialize)]
pub(super) struct DepartmentsPage<'a> {
    departments: Vec<DepartmentCount<'a>>,
}

#[derive(Serialize)]
pub(super) struct DepartmentCount<'a> {
    #[serde(flatten)]
    department: DepartmentView<'a>,
    count: usize,
}

pub(super) fn items_naming<'a>(
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

pub(super) fn names_department(item: &Item, id: &str) -> bool {
    item.department_refs().any(|d| d.value == id)
}

pub(super) fn department_view<'a>(
    id: &str,
    scope: &Scope<'a>,
    contacts: &'a Departments,
) -> DepartmentView<'a> {
    let d = scope.departments[id];
    let contact = ContactView::of(contacts.get(id).unwrap_or(d));
    DepartmentView {
        department: d,
        display: d.display_name(),
        path: url::department(id),
        has_contact: !contact.is_empty(),
        contact,
    }
}

/// The departments index, sorted by the pinyin of the names citizens read
/// (short name, else full name), never by the internal id.
pub(super) fn departments_page<'a>(
    scope: &Scope<'a>,
    contacts: &'a Departments,
) -> DepartmentsPage<'a> {
    let mut departments: Vec<DepartmentCount<'a>> = scope
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
                department: department_view(id, scope, contacts),
                count,
            }
        })
        .collect();
    departments.sort_by_cached_key(|d| {
        (
            pinyin_key(d.department.display),
            d.department.department.id.clone(),
        )
    });
    DepartmentsPage { departments }
}

#[derive(Serialize)]
pub(super) struct DepartmentPage<'a> {
    department: DepartmentView<'a>,
    groups: Vec<RegisterGroup<'a>>,
}

impl<'a> super::rows::Lists<'a> for DepartmentPage<'a> {
    fn lists(&mut self) -> Vec<&mut Rows<'a>> {
        self.groups.iter_mut().map(|g| &mut g.items).collect()
    }
}

pub(super) fn department_page<'a>(
    id: &str,
    scope: &Scope<'a>,
    contacts: &'a Departments,
) -> DepartmentPage<'a> {
    DepartmentPage {
        department: department_view(id, scope, contacts),
        groups: items_naming(scope, |i| names_department(i, id)),
    }
}

/// A sort key: each character's toneless pinyin (the character itself when it
/// has none), so 残联 sorts before 法院 and 公安局.
fn pinyin_key(name: &str) -> Vec<String> {
    use pinyin::ToPinyin;
    name.chars()
        .zip(name.to_pinyin())
        .map(|(c, p)| p.map_or_else(|| c.to_string(), |p| p.plain().to_owned()))
        .collect()
}

#[derive(Serialize)]
pub(super) struct PurposesPage<'a> {
    purposes: Vec<PurposeCount<'a>>,
}

pub(super) fn purposes_page<'a>(scope: &'a Scope<'a>) -> PurposesPage<'a> {
    let mut purposes = purpose_counts(scope);
    purposes.sort_by(|a, b| a.path.cmp(&b.path));
    PurposesPage { purposes }
}

#[derive(Serialize)]
pub(super) struct PurposePage<'a> {
    name: &'a str,
    groups: Vec<RegisterGroup<'a>>,
    /// Items that the listed items refer to (见“居民在本社区居住情况证明”)
    /// without being listed for this purpose themselves.
    related: Rows<'a>,
}

impl<'a> super::rows::Lists<'a> for PurposePage<'a> {
    fn lists(&mut self) -> Vec<&mut Rows<'a>> {
        let groups = self.groups.iter_mut().map(|g| &mut g.items);
        groups.chain([&mut self.related]).collect()
    }
}

pub(super) fn purpose_page<'a>(
    name: &'a str,
    scope: &Scope<'a>,
    mentions: &Mentions,
    memo: &TargetsMemo,
) -> PurposePage<'a> {
    let for_purpose = |i: &Item| i.purposes.iter().any(|p| p == name);
    let mut referred = BTreeSet::new();
    for p in &scope.registers {
        let items = p.snapshot.items.iter().filter(|i| for_purpose(i));
        mentions.mentioned_by((scope.kind, &p.register.key), items, memo, &mut referred);
    }
    let mut page = String::new();
    let mut is_referred = |key: &str, id: &str| {
        page.clear();
        page.push_str(key);
        page.push('/');
        page.push_str(id);
        page.push('/');
        debug_assert_eq!(page, url::item(key, id));
        referred.contains(&page)
    };
    let related = scope
        .registers
        .iter()
        .flat_map(|p| p.snapshot.items.iter().map(move |i| (p, i)))
        .filter(|(p, i)| !for_purpose(i) && is_referred(&p.register.key, &i.id))
        .map(|(p, i)| ItemRow::of(i, &p.register.key, p.departments))
        .collect();
    PurposePage {
        name,
        groups: items_naming(scope, for_purpose),
        related,
    }
}

#[derive(Serialize)]
pub(super) struct PagePage<'a> {
    pub(super) page: PageView<'a>,
}

#[derive(Serialize)]
pub(super) struct Sitemap {
    urls: Vec<String>,
}

/// Current pages and edition pages (frozen item pages are reachable from those).
pub(super) fn sitemap(shared: &Shared<'_>, scope: &Scope<'_>) -> Sitemap {
    let mut urls = vec![
        url::HOME.to_owned(),
        url::DEPARTMENTS.to_owned(),
        url::PURPOSES.to_owned(),
        url::CHANGES.to_owned(),
        url::DATA.to_owned(),
    ];
    for (i, p) in scope.registers.iter().enumerate() {
        let key = &p.register.key;
        urls.push(url::register(key));
        urls.push(url::editions(key));
        urls.extend(p.snapshot.items.iter().map(|it| url::item(key, &it.id)));
        urls.extend(
            shared.histories[i]
                .register
                .editions
                .iter()
                .map(|e| url::edition(key, &e.id)),
        );
    }
    urls.extend(scope.departments.keys().map(|id| url::department(id)));
    urls.extend(scope.purpose_slugs.values().map(|s| url::purpose(s)));
    urls.extend(shared.site.pages.iter().map(|l| l.path.clone()));
    urls.sort();
    Sitemap { urls }
}
