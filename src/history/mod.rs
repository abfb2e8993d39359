//! HISTORY: what changed between two states of a register, item by item, field by field.
//!
//! Diffs are computed from the model (never from HTML): items are matched by id,
//! then their fields are compared in the order of [`crate::model::schema`], as
//! typed values. Mappings (`funding`, `admission`, `standard`) are compared
//! field by field; lists of entries (`instead`, `basis`) as a whole. `list.yaml`
//! and the departments a register names are compared the same way. Merges (`replaces`, `merged_into`) and verdict
//! flips are called out, and each change carries the reason the newer edition
//! gives for it. Rendering a diff (text, Markdown, JSON, pages) is separate.

pub mod format;
pub mod select;
pub mod site;

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;
use serde::Serialize;

pub use site::{ChangeRef, EditionStatus, Memo, RegisterHistory, SiteHistory};

use crate::content::id_order;
use crate::model::schema::{
    DEPARTMENT_FIELDS, Field, FieldValue, ITEM_FIELDS, LIST_FIELDS, by_key,
};
use crate::model::{Departments, Details, Edition, Item, Register, Snapshot, Verdict};

/// One field's old and new value (`None` when absent or empty).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FieldChange {
    /// Field name; nested fields as `funding.amount_cny`.
    pub field: String,
    /// The i18n key of its label (from the schema).
    #[serde(skip)]
    pub label: &'static str,
    /// Value before.
    pub old: Option<FieldValue>,
    /// Value after.
    pub new: Option<FieldValue>,
}

/// Added, removed (退出) or changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// New in this state.
    Added,
    /// Gone in this state (退出).
    Removed,
    /// Present in both, with different fields.
    Changed,
}

impl ChangeKind {
    /// `added`, `removed`, `changed`.
    pub fn name(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::Changed => "changed",
        }
    }
}

/// A verdict that flipped (可出具 → 不予出具 is what citizens most need to see).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct VerdictFlip {
    /// Before.
    pub from: Verdict,
    /// After.
    pub to: Verdict,
}

/// What happened to one item.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ItemChange {
    /// Item id.
    pub id: String,
    /// What kind of change.
    pub kind: ChangeKind,
    /// The title (the new one, or the last one for removed items).
    pub title: String,
    /// Field changes (for changed items).
    pub fields: Vec<FieldChange>,
    /// A verdict flip, if any.
    pub verdict: Option<VerdictFlip>,
    /// For removed items: the items it was merged into.
    pub merged_into: Vec<String>,
    /// For added or changed items: removed items it takes over (`replaces`).
    pub absorbs: Vec<String>,
    /// Why, from the newer edition's `reasons`.
    pub reason: Option<String>,
}

/// What happened to one department the register names.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DepartmentChange {
    /// Department id.
    pub id: String,
    /// Added, removed or changed.
    pub kind: ChangeKind,
    /// Its name (new, or last).
    pub name: String,
    /// Field changes (e.g. a rename).
    pub fields: Vec<FieldChange>,
}

/// The difference between two states of one register.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Diff {
    /// Item changes, in id order.
    pub items: Vec<ItemChange>,
    /// Changes to `list.yaml` (title, categories …).
    pub list: Vec<FieldChange>,
    /// Changes to departments the register names.
    pub departments: Vec<DepartmentChange>,
    /// Display names of every department id the diff mentions.
    #[serde(skip)]
    pub department_names: BTreeMap<String, String>,
}

impl Diff {
    /// Counts of (added, removed, changed) items.
    pub fn counts(&self) -> (usize, usize, usize) {
        let n = |k| self.items.iter().filter(|c| c.kind == k).count();
        (
            n(ChangeKind::Added),
            n(ChangeKind::Removed),
            n(ChangeKind::Changed),
        )
    }

    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty() && self.list.is_empty() && self.departments.is_empty()
    }

    /// The change to one item, if any.
    pub fn item(&self, id: &str) -> Option<&ItemChange> {
        self.items.iter().find(|c| c.id == id)
    }
}

/// One side of a diff: a snapshot and the departments its ids resolve to.
#[derive(Clone, Copy, Debug)]
pub struct Side<'a> {
    /// The register's content.
    pub snapshot: &'a Snapshot,
    /// Its departments.
    pub departments: &'a Departments,
}

impl<'a> Side<'a> {
    /// A frozen edition.
    pub fn edition(e: &'a Edition, fallback: &'a Departments) -> Self {
        Side {
            snapshot: &e.snapshot,
            departments: e.snapshot.departments.as_ref().unwrap_or(fallback),
        }
    }
}

/// Compares `old` (or nothing: everything is added) with `new`.
pub fn diff(
    old: Option<Side<'_>>,
    new: Side<'_>,
    reasons: Option<&BTreeMap<String, crate::diagnostic::Spanned<String>>>,
) -> Diff {
    let empty = Snapshot {
        list: new.snapshot.list.clone(),
        items: Vec::new(),
        departments: None,
    };
    let old_side = old.unwrap_or(Side {
        snapshot: &empty,
        departments: new.departments,
    });
    let (o, n) = (old_side.snapshot, new.snapshot);
    let pairs = paired(&o.items, &n.items);
    let removed: BTreeSet<&str> = pairs
        .iter()
        .filter(|(_, _, new)| new.is_none())
        .map(|(id, _, _)| *id)
        .collect();
    let mut items: Vec<ItemChange> = pairs
        .par_iter()
        .filter_map(|(_, old, new)| item_change(*old, *new, &removed, n))
        .collect();
    if let Some(reasons) = reasons {
        for c in &mut items {
            c.reason = reasons.get(&c.id).map(|r| r.value.clone());
        }
    }
    let list = if old.is_some() {
        list_changes(o, n)
    } else {
        Vec::new()
    };
    let departments = if old.is_some() {
        department_changes(old_side, new)
    } else {
        Vec::new()
    };
    let mut department_names = BTreeMap::new();
    for side in [old_side, new] {
        for (id, d) in side.departments {
            department_names
                .entry(id.clone())
                .or_insert_with(|| d.name.clone());
        }
    }
    Diff {
        items,
        list,
        departments,
        department_names,
    }
}

/// Every id of `old` and `new` once, in id order, with its item on each side.
/// Both are a snapshot's items: in id order, each id once (ids are file
/// stems), so one walk pairs them (no lookups).
fn paired<'s>(
    old: &'s [Item],
    new: &'s [Item],
) -> Vec<(&'s str, Option<&'s Item>, Option<&'s Item>)> {
    use std::cmp::Ordering;
    let ascending = |items: &[Item]| {
        items
            .windows(2)
            .all(|w| id_order(&w[0].id, &w[1].id).is_lt())
    };
    debug_assert!(ascending(old) && ascending(new), "items in id order");
    let mut out = Vec::with_capacity(old.len().max(new.len()));
    let (mut o, mut n) = (old.iter().peekable(), new.iter().peekable());
    loop {
        let order = match (o.peek(), n.peek()) {
            (None, None) => break,
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some(a), Some(b)) => id_order(&a.id, &b.id),
        };
        let (a, b) = match order {
            Ordering::Less => (o.next(), None),
            Ordering::Greater => (None, n.next()),
            Ordering::Equal => (o.next(), n.next()),
        };
        if let Some(item) = a.or(b) {
            out.push((item.id.as_str(), a, b));
        }
    }
    out
}

fn item_change(
    old: Option<&Item>,
    new: Option<&Item>,
    removed: &BTreeSet<&str>,
    new_snapshot: &Snapshot,
) -> Option<ItemChange> {
    let absorbs = |i: &Item| {
        i.replaces
            .iter()
            .filter(|r| removed.contains(r.value.as_str()))
            .map(|r| r.value.clone())
            .collect::<Vec<_>>()
    };
    let change = match (old, new) {
        (None, Some(n)) => ItemChange {
            kind: ChangeKind::Added,
            ..blank(n, absorbs(n))
        },
        (Some(o), None) => {
            let mut into: Vec<String> = new_snapshot
                .items
                .iter()
                .filter(|i| i.replaces.iter().any(|r| r.value == o.id))
                .map(|i| i.id.clone())
                .collect();
            if let Details::Creation(c) = &o.details
                && let Some(m) = c.merged_into.as_ref().filter(|m| !into.contains(&m.value))
            {
                into.push(m.value.clone());
            }
            ItemChange {
                kind: ChangeKind::Removed,
                merged_into: into,
                ..blank(o, Vec::new())
            }
        }
        // Most items are the same in two consecutive states: no field to compare.
        (Some(o), Some(n)) if o.same_values(n) => return None,
        (Some(o), Some(n)) => {
            let fields = compare(ITEM_FIELDS, o, n);
            if fields.is_empty() {
                return None;
            }
            let verdict = match (o.stamp(), n.stamp()) {
                (Some(a), Some(b)) if a.verdict.value != b.verdict.value => Some(VerdictFlip {
                    from: a.verdict.value,
                    to: b.verdict.value,
                }),
                _ => None,
            };
            ItemChange {
                kind: ChangeKind::Changed,
                fields,
                verdict,
                ..blank(n, absorbs(n))
            }
        }
        (None, None) => return None,
    };
    Some(change)
}

fn blank(item: &Item, absorbs: Vec<String>) -> ItemChange {
    ItemChange {
        id: item.id.clone(),
        kind: ChangeKind::Changed,
        title: item.title.value.clone(),
        fields: Vec::new(),
        verdict: None,
        merged_into: Vec::new(),
        absorbs,
        reason: None,
    }
}

/// The fields of `fields` whose values differ between `old` and `new`, in the
/// table's order; a mapping present on both sides is compared part by part, in
/// key order.
pub fn compare<T: 'static>(
    fields: impl IntoIterator<Item = &'static Field<T>>,
    old: &T,
    new: &T,
) -> Vec<FieldChange> {
    let mut out = Vec::new();
    for f in fields {
        let (a, b) = ((f.get)(old), (f.get)(new));
        if a == b {
            continue;
        }
        if !f.parts.is_empty() && a.is_some() && b.is_some() {
            out.extend(compare(by_key(f.parts), old, new));
        } else {
            out.push(FieldChange {
                field: f.name.to_owned(),
                label: f.label,
                old: a,
                new: b,
            });
        }
    }
    out
}

fn list_changes(old: &Snapshot, new: &Snapshot) -> Vec<FieldChange> {
    compare(LIST_FIELDS, &old.list, &new.list)
}

/// Departments named by a snapshot's items.
fn used(snapshot: &Snapshot) -> BTreeSet<&str> {
    snapshot
        .items
        .iter()
        .flat_map(Item::department_refs)
        .map(|d| d.value.as_str())
        .collect()
}

fn department_changes(old: Side<'_>, new: Side<'_>) -> Vec<DepartmentChange> {
    let ids: BTreeSet<&str> = used(old.snapshot)
        .union(&used(new.snapshot))
        .copied()
        .collect();
    let mut out = Vec::new();
    for id in ids {
        let (a, b) = (old.departments.get(id), new.departments.get(id));
        let change = match (a, b) {
            (Some(a), Some(b)) => {
                let fields = compare(DEPARTMENT_FIELDS, a, b);
                if fields.is_empty() {
                    continue;
                }
                DepartmentChange {
                    id: id.to_owned(),
                    kind: ChangeKind::Changed,
                    name: b.name.clone(),
                    fields,
                }
            }
            (None, Some(b)) => DepartmentChange {
                id: id.to_owned(),
                kind: ChangeKind::Added,
                name: b.name.clone(),
                fields: Vec::new(),
            },
            (Some(a), None) => DepartmentChange {
                id: id.to_owned(),
                kind: ChangeKind::Removed,
                name: a.name.clone(),
                fields: Vec::new(),
            },
            (None, None) => continue,
        };
        out.push(change);
    }
    out
}

/// The changes each edition of a register made against the one before
/// (the first edition: everything added).
pub fn edition_diffs(register: &Register, site_departments: &Departments) -> Vec<Diff> {
    (0..register.editions.len())
        .into_par_iter()
        .map(|i| {
            let e = &register.editions[i];
            let old = i
                .checked_sub(1)
                .map(|p| Side::edition(&register.editions[p], site_departments));
            diff(
                old,
                Side::edition(e, site_departments),
                Some(&e.record.reasons),
            )
        })
        .collect()
}

/// The working copy's pending changes against the newest edition (all added if none).
pub fn pending(register: &Register, site_departments: &Departments) -> Diff {
    let newest = register
        .editions
        .last()
        .map(|e| Side::edition(e, site_departments));
    diff(
        newest,
        Side {
            snapshot: &register.working,
            departments: site_departments,
        },
        None,
    )
}

#[cfg(test)]
mod tests;
