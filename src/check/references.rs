//! References between files: categories, departments, items.

use std::cell::OnceCell;
use std::collections::BTreeSet;

use super::memo::Memo;
use crate::diagnostic::{Code, Diagnostic, Diagnostics, Noun};
use crate::model::{Departments, Details, Register, Site, Snapshot};
use crate::t;

/// Every snapshot of a register with the departments it resolves against.
fn snapshots<'a>(
    site: &'a Site,
    register: &'a Register,
) -> impl Iterator<Item = (&'a Snapshot, &'a Departments, Noun)> {
    let working = std::iter::once((
        &register.working,
        &site.departments,
        Noun::new("content/departments.yaml", "content/departments.yaml"),
    ));
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
pub(super) fn categories(site: &Site, out: &mut Diagnostics, memo: &mut Memo) {
    for register in &site.registers {
        out.extend(categories_of(&register.working));
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
    let mut out = Vec::new();
    let allowed = &snapshot.list.categories;
    for item in &snapshot.items {
        let category = &item.category;
        if allowed.contains(&category.value) {
            continue;
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
        out.push(
            Diagnostic::error(
                Code::UnknownCategory,
                category.span,
                t!(
                    en: "category `{value}` is not one of this list's categories",
                    zh: "类别 `{value}` 不在本名录的类别中"
                ),
            )
            .with_help(help),
        );
    }
    out
}

/// What: every department id named by an item exists in the departments it resolves against.
pub(super) fn departments(site: &Site, out: &mut Diagnostics, memo: &mut Memo) {
    for register in &site.registers {
        for (i, (snapshot, departments, source)) in snapshots(site, register).enumerate() {
            // An edition with its own departments.yaml is checked once.
            let frozen = i
                .checked_sub(1)
                .map(|e| &register.editions[e])
                .filter(|e| e.snapshot.departments.is_some());
            match frozen {
                Some(e) => {
                    let found = memo
                        .edition(e)
                        .departments
                        .get_or_insert_with(|| departments_of(snapshot, departments, source));
                    out.extend(found.iter().cloned());
                }
                None => out.extend(departments_of(snapshot, departments, source)),
            }
        }
    }
}

fn departments_of(snapshot: &Snapshot, departments: &Departments, source: Noun) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for item in &snapshot.items {
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
                    dept.span,
                    t!(en: "department `{id}` is not defined", zh: "部门 `{id}` 未定义"),
                )
                .with_help(help),
            );
        }
    }
    out
}

/// What: `replaces` and `merged_into` name an item of the same register, now or in an
/// earlier edition, and not the item itself.
pub(super) fn items(site: &Site, out: &mut Diagnostics, memo: &mut Memo) {
    for register in &site.registers {
        // Every id the register has or had, gathered only when asked for.
        let known: OnceCell<BTreeSet<&str>> = OnceCell::new();
        let known = || {
            known.get_or_init(|| {
                snapshots(site, register)
                    .flat_map(|(s, _, _)| s.items.iter().map(|i| i.id.as_str()))
                    .collect()
            })
        };
        out.extend(items_of(&register.working, register, known));
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
    let mut out = Vec::new();
    for item in &snapshot.items {
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
                        target.span,
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
                        target.span,
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
    }
    out
}
