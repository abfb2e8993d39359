//! References between files: categories, departments, items.

use std::collections::BTreeSet;

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::{Departments, Details, Register, Site, Snapshot};

/// Every snapshot of a register with the departments it resolves against.
fn snapshots<'a>(
    site: &'a Site,
    register: &'a Register,
) -> impl Iterator<Item = (&'a Snapshot, &'a Departments, &'static str)> {
    let working = std::iter::once((
        &register.working,
        &site.departments,
        "content/departments.yaml",
    ));
    let frozen = register.editions.iter().map(|e| {
        let deps = e.snapshot.departments.as_ref().unwrap_or(&site.departments);
        (&e.snapshot, deps, "the edition's departments.yaml")
    });
    working.chain(frozen)
}

/// What: an item's `category` is one of its list's `categories`.
pub(super) fn categories(site: &Site, out: &mut Diagnostics) {
    for register in &site.registers {
        for (snapshot, _, _) in snapshots(site, register) {
            let allowed = &snapshot.list.categories;
            for item in &snapshot.items {
                let category = &item.category;
                if allowed.contains(&category.value) {
                    continue;
                }
                let close = allowed.iter().find(|c| {
                    c.contains(category.value.as_str()) || category.value.contains(c.as_str())
                });
                let help = match close {
                    Some(c) => format!(
                        "did you mean `{c}`? The categories of this list are: {}",
                        allowed.join("、")
                    ),
                    None => format!(
                        "use one of the categories in list.yaml ({}), or add `{}` there",
                        allowed.join("、"),
                        category.value
                    ),
                };
                out.push(
                    Diagnostic::error(
                        Code::UnknownCategory,
                        category.span,
                        format!(
                            "category `{}` is not one of this list's categories",
                            category.value
                        ),
                    )
                    .with_help(help),
                );
            }
        }
    }
}

/// What: every department id named by an item exists in the departments it resolves against.
pub(super) fn departments(site: &Site, out: &mut Diagnostics) {
    for register in &site.registers {
        for (snapshot, departments, source) in snapshots(site, register) {
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
                    let help = match close {
                        Some((_, k)) => {
                            format!("did you mean `{k}`? Department ids are defined in {source}")
                        }
                        None => format!(
                            "add `{}:` with its name to {source}, or use an id defined there",
                            dept.value
                        ),
                    };
                    out.push(
                        Diagnostic::error(
                            Code::DanglingDepartment,
                            dept.span,
                            format!("department `{}` is not defined", dept.value),
                        )
                        .with_help(help),
                    );
                }
            }
        }
    }
}

/// What: `replaces` and `merged_into` name an item of the same register, now or in an
/// earlier edition, and not the item itself.
pub(super) fn items(site: &Site, out: &mut Diagnostics) {
    for register in &site.registers {
        let known: BTreeSet<&str> = snapshots(site, register)
            .flat_map(|(s, _, _)| s.items.iter().map(|i| i.id.as_str()))
            .collect();
        for (snapshot, _, _) in snapshots(site, register) {
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
                    if target.value == item.id {
                        out.push(
                            Diagnostic::error(
                                Code::DanglingItem,
                                target.span,
                                format!("`{field}` names the item itself"),
                            )
                            .with_help(format!(
                                "`{field}` must name another item of this register"
                            )),
                        );
                    } else if !known.contains(target.value.as_str()) {
                        out.push(Diagnostic::error(Code::DanglingItem, target.span, format!("`{field}` names `{}`, which this register has never had", target.value))
                            .with_help(format!("use the id of an item in lists/{}/items/ or in one of its editions", register.key)));
                    }
                }
            }
        }
    }
}
