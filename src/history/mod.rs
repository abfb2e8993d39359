//! HISTORY: what changed between two states of a register, item by item, field by field.
//!
//! Diffs are computed from the model (never from HTML): items are matched by id,
//! then their fields are compared in schema order. Nested mappings (`funding`,
//! `admission`, `standard`) are compared field by field; lists of entries
//! (`instead`, `basis`) as a whole. Merges (`replaces`, `merged_into`) and verdict
//! flips are called out, and each change carries the reason the newer edition
//! gives for it. Rendering a diff (text, Markdown, JSON, pages) is separate.

pub mod format;
pub mod select;
pub mod site;

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;
use serde::Serialize;
use serde_json::Value;

pub use site::{ChangeRef, EditionStatus, RegisterHistory, SiteHistory};

use crate::content::id_order;
use crate::model::{Departments, Details, Edition, Item, Register, Snapshot, Verdict};

/// Fields in the order they are compared and shown.
pub const FIELD_ORDER: &[&str] = &[
    "title",
    "verdict",
    "duty",
    "level",
    "participation",
    "aliases",
    "category",
    "departments",
    "instead",
    "transitional",
    "content",
    "summary",
    "materials",
    "procedure",
    "time_limit",
    "fee",
    "proof_content",
    "funding",
    "admission",
    "cycle",
    "recognition",
    "standard",
    "ledgers",
    "merged_into",
    "basis",
    "purposes",
    "replaces",
    "body",
    "sources",
];

/// Mappings compared field by field.
const NESTED: &[&str] = &["funding", "admission", "standard"];

/// One field's old and new value (`None` when absent or empty).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FieldChange {
    /// Field name; nested fields as `funding.amount_cny`.
    pub field: String,
    /// Value before.
    pub old: Option<Value>,
    /// Value after.
    pub new: Option<Value>,
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
    let ids: BTreeSet<&str> = o
        .items
        .iter()
        .chain(&n.items)
        .map(|i| i.id.as_str())
        .collect();
    let mut ids: Vec<&str> = ids.into_iter().collect();
    ids.sort_by(|a, b| id_order(a, b));
    let removed: BTreeSet<&str> = ids
        .iter()
        .copied()
        .filter(|id| n.item(id).is_none())
        .collect();
    let mut items: Vec<ItemChange> = ids
        .par_iter()
        .filter_map(|id| item_change(o.item(id), n.item(id), &removed, n))
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
        (Some(o), Some(n)) => {
            let fields = field_changes(&fields_of(o), &fields_of(n));
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

/// An item's fields as JSON values, empty ones removed.
pub fn fields_of(item: &Item) -> BTreeMap<String, Value> {
    let Ok(Value::Object(map)) = serde_json::to_value(item) else {
        return BTreeMap::new();
    };
    map.into_iter()
        .filter(|(k, v)| k != "id" && !is_empty(v))
        .collect()
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null | Value::Bool(false) => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.values().all(is_empty),
        Value::Number(_) | Value::Bool(true) => false,
    }
}

/// Compares two field maps in [`FIELD_ORDER`], descending into nested mappings.
pub fn field_changes(
    old: &BTreeMap<String, Value>,
    new: &BTreeMap<String, Value>,
) -> Vec<FieldChange> {
    let mut out = Vec::new();
    let known: BTreeSet<&str> = FIELD_ORDER.iter().copied().collect();
    let extra: Vec<&String> = old
        .keys()
        .chain(new.keys())
        .filter(|k| !known.contains(k.as_str()))
        .collect();
    for field in FIELD_ORDER
        .iter()
        .copied()
        .chain(extra.iter().map(|s| s.as_str()))
    {
        let (a, b) = (old.get(field), new.get(field));
        if a == b {
            continue;
        }
        match (a, b) {
            (Some(Value::Object(x)), Some(Value::Object(y))) if NESTED.contains(&field) => {
                let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
                for key in keys {
                    let (p, q) = (
                        x.get(key).filter(|v| !is_empty(v)),
                        y.get(key).filter(|v| !is_empty(v)),
                    );
                    if p != q {
                        out.push(FieldChange {
                            field: format!("{field}.{key}"),
                            old: p.cloned(),
                            new: q.cloned(),
                        });
                    }
                }
            }
            _ => out.push(FieldChange {
                field: field.to_owned(),
                old: a.cloned(),
                new: b.cloned(),
            }),
        }
    }
    out
}

fn list_changes(old: &Snapshot, new: &Snapshot) -> Vec<FieldChange> {
    let value = |s: &Snapshot| match serde_json::to_value(&s.list) {
        Ok(Value::Object(m)) => m
            .into_iter()
            .filter(|(_, v)| !is_empty(v))
            .collect::<BTreeMap<_, _>>(),
        _ => BTreeMap::new(),
    };
    let (a, b) = (value(old), value(new));
    let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    keys.into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .map(|k| FieldChange {
            field: k.clone(),
            old: a.get(k).cloned(),
            new: b.get(k).cloned(),
        })
        .collect()
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
    let value = |d: &crate::model::Department| match serde_json::to_value(d) {
        Ok(Value::Object(m)) => m
            .into_iter()
            .filter(|(k, v)| k != "id" && !is_empty(v))
            .collect::<BTreeMap<_, _>>(),
        _ => BTreeMap::new(),
    };
    let mut out = Vec::new();
    for id in ids {
        let (a, b) = (old.departments.get(id), new.departments.get(id));
        let change = match (a, b) {
            (Some(a), Some(b)) => {
                let (x, y) = (value(a), value(b));
                let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
                let fields: Vec<FieldChange> = keys
                    .into_iter()
                    .filter(|k| x.get(*k) != y.get(*k))
                    .map(|k| FieldChange {
                        field: k.clone(),
                        old: x.get(k).cloned(),
                        new: y.get(k).cloned(),
                    })
                    .collect();
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
