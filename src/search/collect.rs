//! SEARCH (collect): the only code that reads the plan and the model, turning
//! them into plain [`Doc`]s for each index.
//!
//! - the public index (`search/index/`): the items of each register's edition in
//!   force (or its upcoming first edition, marked upcoming), the items only a
//!   later upcoming edition has (marked upcoming, linking to their frozen page),
//!   and the items withdrawn from earlier editions (marked 已退出, with their
//!   successor). A register with no edition at all is left out: working-copy
//!   content never enters a public index;
//! - the draft index (`draft/search/index/`, when the plan has the draft preview):
//!   the working copies;
//! - one index per frozen edition (`search/e/<register>/<edition>/`).
//!
//! URLs are relative to the root of the searched site (the site, or `/draft/`).

use std::collections::BTreeSet;

use super::{Doc, DocStatus, DocVerdict, Way};
use crate::model::{Choice as _, Departments, Details, Item, Register, Snapshot, Verdict};
use crate::plan::publish::edition_departments;
use crate::plan::{IndexId, Plan, ScopeKind, Status, url};

/// The plan's indexes (or only `which`) with their items: each index's folder in
/// the output (ending in `/`) and its docs.
pub fn indexes(plan: &Plan<'_>) -> Vec<(String, Vec<Doc>)> {
    plan.indexes()
        .iter()
        .map(|index| (index.folder(), docs(plan, index)))
        .collect()
}

/// The items of one planned index.
pub fn docs(plan: &Plan<'_>, index: &IndexId<'_>) -> Vec<Doc> {
    let site = plan.site;
    match index {
        IndexId::Site {
            scope: ScopeKind::Public,
        } => public(plan),
        IndexId::Site {
            scope: ScopeKind::Draft,
        } => plan
            .draft
            .iter()
            .flat_map(|draft| &draft.registers)
            .flat_map(|p| {
                let r = p.register;
                snapshot_docs(r, p.snapshot, p.departments, DocStatus::Current, &|id| {
                    url::item(&r.key, id)
                })
            })
            .collect(),
        IndexId::Edition { register, edition } => {
            let Ok(r) = site.register(register) else {
                return Vec::new();
            };
            let Some(e) = r.editions.iter().find(|e| e.id == *edition) else {
                return Vec::new();
            };
            let deps = edition_departments(e, &site.departments);
            snapshot_docs(r, &e.snapshot, deps, DocStatus::Current, &|id| {
                url::frozen(&r.key, &e.id, id)
            })
        }
    }
}

fn public(plan: &Plan<'_>) -> Vec<Doc> {
    let site = plan.site;
    let mut docs = Vec::new();
    for p in &plan.public.registers {
        let status = match p.status {
            Status::InForce(_) => DocStatus::Current,
            Status::Upcoming(_) => DocStatus::Upcoming,
            Status::Unreleased | Status::Draft => continue,
        };
        let Some(shown) = p.edition else { continue };
        let r = p.register;
        docs.extend(snapshot_docs(r, p.snapshot, p.departments, status, &|id| {
            url::item(&r.key, id)
        }));
        let mut seen: BTreeSet<&str> = p.snapshot.items.iter().map(|i| i.id.as_str()).collect();
        for e in r.editions[shown + 1..].iter().rev() {
            let deps = edition_departments(e, &site.departments);
            for item in &e.snapshot.items {
                if seen.insert(&item.id) {
                    let url = url::frozen(&r.key, &e.id, &item.id);
                    docs.push(doc(r, &e.snapshot, deps, item, DocStatus::Upcoming, url));
                }
            }
        }
        for e in r.editions[..=shown].iter().rev() {
            let deps = edition_departments(e, &site.departments);
            for item in &e.snapshot.items {
                if seen.insert(&item.id) {
                    let url = url::item(&r.key, &item.id);
                    let mut d = doc(r, &e.snapshot, deps, item, DocStatus::Withdrawn, url);
                    d.successor = successor(p.snapshot, item, &r.key);
                    docs.push(d);
                }
            }
        }
    }
    docs
}

/// The current item that replaces a withdrawn one (`replaces`, or `merged_into`).
fn successor(current: &Snapshot, gone: &Item, key: &str) -> Option<(String, String)> {
    let merged = match &gone.details {
        Details::Creation(c) => c.merged_into.as_ref().and_then(|m| current.item(&m.value)),
        _ => None,
    };
    merged
        .or_else(|| {
            current
                .items
                .iter()
                .find(|i| i.replaces.iter().any(|r| r.value == gone.id))
        })
        .map(|i| (i.title.value.clone(), url::item(key, &i.id)))
}

/// A snapshot's items as docs, in category order then id.
fn snapshot_docs(
    r: &Register,
    snapshot: &Snapshot,
    deps: &Departments,
    status: DocStatus,
    url_of: &dyn Fn(&str) -> String,
) -> Vec<Doc> {
    let mut items: Vec<&Item> = snapshot.items.iter().collect();
    let category = |i: &Item| {
        snapshot
            .list
            .categories
            .iter()
            .position(|c| *c == i.category.value)
    };
    items.sort_by(|a, b| (category(a), &a.id).cmp(&(category(b), &b.id)));
    items
        .into_iter()
        .map(|i| doc(r, snapshot, deps, i, status, url_of(&i.id)))
        .collect()
}

fn doc(
    r: &Register,
    snapshot: &Snapshot,
    deps: &Departments,
    item: &Item,
    status: DocStatus,
    url: String,
) -> Doc {
    let name = |id: &str| {
        deps.get(id)
            .map_or_else(|| id.to_owned(), |d| d.display_name().to_owned())
    };
    let mut departments: Vec<String> = Vec::new();
    for d in item.department_refs() {
        let n = name(&d.value);
        if !departments.contains(&n) {
            departments.push(n);
        }
    }
    let badge = match &item.details {
        Details::Work(w) => Some(w.duty.name().to_owned()),
        Details::Creation(c) => Some(c.participation.name().to_owned()),
        Details::Stamp(_) => None,
    };
    let (verdict, ways) = match &item.details {
        Details::Stamp(s) => (
            match s.verdict.value {
                Verdict::Issue => DocVerdict::Issue,
                Verdict::Refuse => DocVerdict::Refuse,
            },
            s.instead
                .iter()
                .map(|w| Way {
                    department: w.department.as_ref().map(|d| name(&d.value)),
                    how: w.how.clone(),
                })
                .collect(),
        ),
        _ => (DocVerdict::None, Vec::new()),
    };
    Doc {
        url,
        register_key: r.key.clone(),
        register: snapshot
            .list
            .short_title
            .clone()
            .unwrap_or_else(|| snapshot.list.title.clone()),
        id: item.id.clone(),
        title: item.title.value.clone(),
        aliases: item.aliases.clone(),
        category: item.category.value.clone(),
        purposes: item.purposes.clone(),
        summary: item.summary.clone().unwrap_or_default(),
        verdict,
        badge,
        status,
        ways,
        departments,
        body: body(item),
        successor: None,
    }
}

/// The text worth finding beyond the named fields.
fn body(item: &Item) -> String {
    let mut parts: Vec<&str> = item.body.as_deref().into_iter().collect();
    match &item.details {
        Details::Stamp(s) => {
            parts.extend(s.materials.iter().map(String::as_str));
            parts.extend(s.proof_content.as_deref());
        }
        Details::Work(w) => parts.extend(w.content.as_deref()),
        Details::Creation(c) => {
            parts.extend(c.ledgers.iter().map(String::as_str));
            parts.extend(c.recognition.as_deref());
        }
    }
    parts.join("\n")
}
