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

/// The plan's indexes with their items: each index's folder in the output
/// (ending in `/`) and its docs.
pub fn indexes(plan: &Plan<'_>) -> Vec<(String, Vec<Doc>)> {
    plan.indexes()
        .iter()
        .map(|index| (index.folder(), docs(plan, index)))
        .collect()
}

/// The items of one planned index.
pub fn docs(plan: &Plan<'_>, index: &IndexId<'_>) -> Vec<Doc> {
    sources(plan, index).iter().map(Source::doc).collect()
}

/// One item of an index before anything is copied out of the model: enough to
/// make its [`Doc`] or to tell whether a kept doc is still the same, which is
/// much cheaper than making it again.
#[derive(Debug)]
pub struct Source<'a> {
    register: &'a Register,
    snapshot: &'a Snapshot,
    deps: &'a Departments,
    item: &'a Item,
    status: DocStatus,
    url: String,
    successor: Option<(String, String)>,
}

/// The items of one planned index, in ordinal order, as [`Source`]s.
pub fn sources<'a>(plan: &Plan<'a>, index: &IndexId<'_>) -> Vec<Source<'a>> {
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
                snapshot_sources(r, p.snapshot, p.departments, DocStatus::Current, &|id| {
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
            snapshot_sources(r, &e.snapshot, deps, DocStatus::Current, &|id| {
                url::frozen(&r.key, &e.id, id)
            })
        }
    }
}

fn public<'a>(plan: &Plan<'a>) -> Vec<Source<'a>> {
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
        docs.extend(snapshot_sources(
            r,
            p.snapshot,
            p.departments,
            status,
            &|id| url::item(&r.key, id),
        ));
        let mut seen: BTreeSet<&str> = p.snapshot.items.iter().map(|i| i.id.as_str()).collect();
        for e in r.editions[shown + 1..].iter().rev() {
            let deps = edition_departments(e, &site.departments);
            for item in &e.snapshot.items {
                if seen.insert(&item.id) {
                    let url = url::frozen(&r.key, &e.id, &item.id);
                    let status = DocStatus::Upcoming;
                    docs.push(Source::new(r, &e.snapshot, deps, item, status, url));
                }
            }
        }
        for e in r.editions[..=shown].iter().rev() {
            let deps = edition_departments(e, &site.departments);
            for item in &e.snapshot.items {
                if seen.insert(&item.id) {
                    let url = url::item(&r.key, &item.id);
                    let status = DocStatus::Withdrawn;
                    let mut d = Source::new(r, &e.snapshot, deps, item, status, url);
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

/// A snapshot's items, in category order then id.
fn snapshot_sources<'a>(
    r: &'a Register,
    snapshot: &'a Snapshot,
    deps: &'a Departments,
    status: DocStatus,
    url_of: &dyn Fn(&str) -> String,
) -> Vec<Source<'a>> {
    let mut items: Vec<&Item> = snapshot.items.iter().collect();
    let categories = &snapshot.list.categories;
    items.sort_by_cached_key(|i| {
        let category = categories.iter().position(|c| *c == i.category.value);
        (category, i.id.as_str())
    });
    items
        .into_iter()
        .map(|i| Source::new(r, snapshot, deps, i, status, url_of(&i.id)))
        .collect()
}

impl<'a> Source<'a> {
    fn new(
        register: &'a Register,
        snapshot: &'a Snapshot,
        deps: &'a Departments,
        item: &'a Item,
        status: DocStatus,
        url: String,
    ) -> Self {
        Source {
            register,
            snapshot,
            deps,
            item,
            status,
            url,
            successor: None,
        }
    }

    /// The file of its item.
    pub fn file(&self) -> crate::diagnostic::FileId {
        self.item.file
    }

    /// Its register's key and its item's id.
    pub fn key(&self) -> (&str, &str) {
        (&self.register.key, &self.item.id)
    }

    /// A department's display name (its id when the register does not know it).
    fn name(&self, id: &'a str) -> &'a str {
        self.deps.get(id).map_or(id, |d| d.display_name())
    }

    fn register_title(&self) -> &'a str {
        let list = &self.snapshot.list;
        list.short_title.as_deref().unwrap_or(&list.title)
    }

    fn verdict(&self) -> DocVerdict {
        match &self.item.details {
            Details::Stamp(s) => match s.verdict.value {
                Verdict::Issue => DocVerdict::Issue,
                Verdict::Refuse => DocVerdict::Refuse,
            },
            _ => DocVerdict::None,
        }
    }

    fn badge(&self) -> Option<&'static str> {
        match &self.item.details {
            Details::Work(w) => Some(w.duty.name()),
            Details::Creation(c) => Some(c.participation.name()),
            Details::Stamp(_) => None,
        }
    }

    /// The ways instead: (department's display name, how).
    fn ways(&self) -> impl Iterator<Item = (Option<&'a str>, &'a str)> + '_ {
        self.item.stamp().into_iter().flat_map(move |s| {
            s.instead.iter().map(move |w| {
                let department = w.department.as_ref().map(|d| self.name(&d.value));
                (department, w.how.as_str())
            })
        })
    }

    /// Every department the item names, in order, each display name once.
    fn departments(&self) -> Vec<&'a str> {
        let mut out: Vec<&str> = Vec::new();
        for d in self.item.department_refs() {
            let n = self.name(&d.value);
            if !out.contains(&n) {
                out.push(n);
            }
        }
        out
    }

    /// Whether `kept` are [`Source::departments`], without collecting them.
    fn same_departments(&self, kept: &[String]) -> bool {
        let mut known = 0;
        for d in self.item.department_refs() {
            let n = self.name(&d.value);
            if kept[..known].iter().any(|k| k == n) {
                continue;
            }
            if kept.get(known).is_none_or(|k| k != n) {
                return false;
            }
            known += 1;
        }
        known == kept.len()
    }

    /// The item's [`Doc`].
    pub fn doc(&self) -> Doc {
        let item = self.item;
        Doc {
            url: self.url.clone(),
            register_key: self.register.key.clone(),
            register: self.register_title().to_owned(),
            id: item.id.clone(),
            title: item.title.value.clone(),
            aliases: item.aliases.clone(),
            category: item.category.value.clone(),
            purposes: item.purposes.clone(),
            summary: item.summary.clone().unwrap_or_default(),
            verdict: self.verdict(),
            badge: self.badge().map(str::to_owned),
            status: self.status,
            ways: self
                .ways()
                .map(|(department, how)| Way {
                    department: department.map(str::to_owned),
                    how: how.to_owned(),
                })
                .collect(),
            departments: self.departments().into_iter().map(str::to_owned).collect(),
            body: body_parts(item).collect::<Vec<_>>().join("\n"),
            successor: self.successor.clone(),
        }
    }

    /// Whether `doc` is this item's [`Doc`] ([`Source::doc`] would make an
    /// equal one), found without copying anything.
    pub fn matches(&self, doc: &Doc) -> bool {
        // Every field named, so a new one cannot be forgotten here.
        let Doc {
            url,
            register_key,
            register,
            id,
            title,
            aliases,
            category,
            purposes,
            summary,
            verdict,
            badge,
            status,
            ways,
            departments,
            body,
            successor,
        } = doc;
        let item = self.item;
        *url == self.url
            && *status == self.status
            && *register_key == self.register.key
            && register == self.register_title()
            && *id == item.id
            && *title == item.title.value
            && *aliases == item.aliases
            && *category == item.category.value
            && *purposes == item.purposes
            && summary == item.summary.as_deref().unwrap_or_default()
            && *verdict == self.verdict()
            && badge.as_deref() == self.badge()
            && ways.len() == self.ways().count()
            && ways
                .iter()
                .zip(self.ways())
                .all(|(w, (d, how))| w.department.as_deref() == d && w.how == how)
            && self.same_departments(departments)
            && same_joined(body, body_parts(item))
            && *successor == self.successor
    }
}

/// Whether `text` is `parts` joined with newlines.
fn same_joined<'p>(text: &str, parts: impl Iterator<Item = &'p str>) -> bool {
    let mut rest = text;
    for (n, part) in parts.enumerate() {
        if n > 0 {
            let Some(after) = rest.strip_prefix('\n') else {
                return false;
            };
            rest = after;
        }
        let Some(after) = rest.strip_prefix(part) else {
            return false;
        };
        rest = after;
    }
    rest.is_empty()
}

/// The text worth finding beyond the named fields (joined with newlines).
fn body_parts(item: &Item) -> impl Iterator<Item = &str> {
    let (many, last): (&[String], Option<&str>) = match &item.details {
        Details::Stamp(s) => (&s.materials, s.proof_content.as_deref()),
        Details::Work(w) => (&[], w.content.as_deref()),
        Details::Creation(c) => (&c.ledgers, c.recognition.as_deref()),
    };
    item.body
        .as_deref()
        .into_iter()
        .chain(many.iter().map(String::as_str))
        .chain(last)
}
