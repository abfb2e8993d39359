//! References between files: categories, departments, items.

use std::cell::OnceCell;
use std::collections::BTreeSet;

use super::memo::Memo;
use super::working::Working;
use crate::diagnostic::{Code, Diagnostic, Diagnostics, Noun};
use crate::model::{Departments, Details, Item, Register, Site, Snapshot};
use crate::t;

/// Where the working copy's department ids are defined.
pub(super) fn working_source() -> Noun {
    Noun::new("content/departments.yaml", "content/departments.yaml")
}

/// Every snapshot of a register with the departments it resolves against.
fn snapshots<'a>(
    site: &'a Site,
    register: &'a Register,
) -> impl Iterator<Item = (&'a Snapshot, &'a Departments, Noun)> {
    let working = std::iter::once((&register.working, &site.departments, working_source()));
    let frozen = register.editions.iter().map(|e| {
        let deps = e.snapshot.departments.as_ref().unwrap_or(&site.departments);
        let source = Noun::new(
            "the edition's departments.yaml",
            "该版本的 departments.yaml",
        );
        (&e.snapshot, deps, source)
    });
    working.chain(frozen)
}

/// What: an item's `category` is one of its list's `categories`.
pub(super) fn categories(site: &Site, working: &Working, out: &mut Diagnostics, memo: &mut Memo) {
    for (r, register) in site.registers.iter().enumerate() {
        out.extend(working.of(r).flat_map(|f| f.categories.iter().cloned()));
        for e in &register.editions {
            let findings = memo.edition(e);
            let found = findings
                .categories
                .get_or_insert_with(|| categories_of(&e.snapshot));
            out.extend(found.iter().cloned());
        }
    }
}

fn categories_of(snapshot: &Snapshot) -> Vec<Diagnostic> {
    let allowed = &snapshot.list.categories;
    snapshot
        .items
        .iter()
        .filter_map(|item| category_of(item, allowed))
        .collect()
}

/// The finding of the categories rule in `item`, given its list's categories.
pub(super) fn category_of(item: &Item, allowed: &[String]) -> Option<Diagnostic> {
    let category = &item.category;
    if allowed.contains(&category.value) {
        return None;
    }
    let close = allowed
        .iter()
        .find(|c| c.contains(category.value.as_str()) || category.value.contains(c.as_str()));
    let (all, value) = (allowed.join("、"), &category.value);
    let help = match close {
        Some(c) => t!(
            en: "did you mean `{c}`? The categories of this list are: {all}",
            zh: "是否应为 `{c}`？本名录的类别有：{all}"
        ),
        None => t!(
            en: "use one of the categories in list.yaml ({all}), or add `{value}` there",
            zh: "请改用 list.yaml 中的类别（{all}），或在 list.yaml 中添加 `{value}`"
        ),
    };
    Some(
        Diagnostic::error(
            Code::UnknownCategory,
            item.at(category.span),
            t!(
                en: "category `{value}` is not one of this list's categories",
                zh: "类别 `{value}` 不在本名录的类别中"
            ),
        )
        .with_help(help),
    )
}

/// What: every department id named by an item exists in the departments it resolves against.
pub(super) fn departments(site: &Site, working: &Working, out: &mut Diagnostics, memo: &mut Memo) {
    for (r, register) in site.registers.iter().enumerate() {
        out.extend(working.of(r).flat_map(|f| f.departments.iter().cloned()));
        let frozen = snapshots(site, register).skip(1).zip(&register.editions);
        for ((snapshot, departments, source), e) in frozen {
            // An edition with its own departments.yaml is checked once; one
            // without, while the site's department ids are the same (the
            // memo forgets those findings when they change).
            let findings = memo.edition(e);
            let found = if e.snapshot.departments.is_some() {
                &mut findings.departments
            } else {
                &mut findings.site_departments
            };
            let found = found.get_or_insert_with(|| departments_of(snapshot, departments, source));
            out.extend(found.iter().cloned());
        }
    }
}

fn departments_of(snapshot: &Snapshot, departments: &Departments, source: Noun) -> Vec<Diagnostic> {
    snapshot
        .items
        .iter()
        .flat_map(|item| departments_in(item, departments, source))
        .collect()
}

/// The findings of the departments rule in `item`, given the departments
/// it resolves against (defined in `source`).
pub(super) fn departments_in(
    item: &Item,
    departments: &Departments,
    source: Noun,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for dept in item.department_refs() {
        if departments.contains_key(&dept.value) {
            continue;
        }
        let close = departments
            .keys()
            .map(|k| (strsim::damerau_levenshtein(k, &dept.value), k))
            .filter(|(d, _)| *d <= 2)
            .min();
        let (se, sz, id) = (source.en, source.zh, &dept.value);
        let help = match close {
            Some((_, k)) => t!(
                en: "did you mean `{k}`? Department ids are defined in {se}",
                zh: "是否应为 `{k}`？部门编号在 {sz} 中定义"
            ),
            None => t!(
                en: "add `{id}:` with its name to {se}, or use an id defined there",
                zh: "请在 {sz} 中添加 `{id}:` 及其名称，或改用其中已定义的编号"
            ),
        };
        out.push(
            Diagnostic::error(
                Code::DanglingDepartment,
                item.at(dept.span),
                t!(en: "department `{id}` is not defined", zh: "部门 `{id}` 未定义"),
            )
            .with_help(help),
        );
    }
    out
}

/// What: `replaces` and `merged_into` name an item of the same register, now or in an
/// earlier edition, and not the item itself.
pub(super) fn items(site: &Site, working: &Working, out: &mut Diagnostics, memo: &mut Memo) {
    for (r, register) in site.registers.iter().enumerate() {
        // Every id the register has or had, gathered only when asked for.
        let known: OnceCell<BTreeSet<&str>> = OnceCell::new();
        let known = || known.get_or_init(|| ids_of(site, register));
        out.extend(working.of(r).flat_map(|f| f.items.iter().cloned()));
        for e in &register.editions {
            let found = memo
                .edition(e)
                .items
                .get_or_insert_with(|| items_of(&e.snapshot, register, known));
            out.extend(found.iter().cloned());
        }
    }
}

fn items_of<'s>(
    snapshot: &Snapshot,
    register: &Register,
    known: impl Fn() -> &'s BTreeSet<&'s str>,
) -> Vec<Diagnostic> {
    snapshot
        .items
        .iter()
        .flat_map(|item| items_in(item, register, &known))
        .collect()
}

/// Every id `register` has or had (what `replaces` may name).
pub(super) fn ids_of<'a>(site: &'a Site, register: &'a Register) -> BTreeSet<&'a str> {
    snapshots(site, register)
        .flat_map(|(s, _, _)| s.items.iter().map(|i| i.id.as_str()))
        .collect()
}

/// The findings of the items rule in `item` of `register`, given every id
/// the register has or had (asked for only when needed).
pub(super) fn items_in<'s>(
    item: &Item,
    register: &Register,
    known: impl Fn() -> &'s BTreeSet<&'s str>,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let merged = match &item.details {
        Details::Creation(c) => c.merged_into.as_ref(),
        _ => None,
    };
    for (field, target) in item
        .replaces
        .iter()
        .map(|r| ("replaces", r))
        .chain(merged.map(|m| ("merged_into", m)))
    {
        let (id, key) = (&target.value, &register.key);
        if target.value == item.id {
            out.push(
                Diagnostic::error(
                    Code::DanglingItem,
                    item.at(target.span),
                    t!(
                        en: "`{field}` names the item itself",
                        zh: "`{field}` 填写的是本事项自己"
                    ),
                )
                .with_help(t!(
                    en: "`{field}` must name another item of this register",
                    zh: "`{field}` 应填写本名录的另一个事项"
                )),
            );
        } else if !known().contains(target.value.as_str()) {
            out.push(
                Diagnostic::error(
                    Code::DanglingItem,
                    item.at(target.span),
                    t!(
                        en: "`{field}` names `{id}`, which this register has never had",
                        zh: "`{field}` 填写的 `{id}` 在本名录中从未有过"
                    ),
                )
                .with_help(t!(
                    en: "use the id of an item in lists/{key}/items/ or in one of its editions",
                    zh: "请填写 lists/{key}/items/ 或其历次版本中某个事项的编号"
                )),
            );
        }
    }
    out
}
