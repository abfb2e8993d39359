//! A scope is one site to render: the public site, or the `/draft/` preview of
//! the working copies. It gathers what every page of that site needs: which
//! snapshot each register shows, the edition histories, the purposes and
//! departments that get pages.

use std::collections::{BTreeMap, BTreeSet};

use super::public::{Published, Status};
use super::url;
use crate::history::{self, Diff};
use crate::model::{Department, Register, Site, Snapshot};

/// The history of one register, computed once per build.
pub(super) struct History<'a> {
    /// The register.
    pub(super) register: &'a Register,
    /// Each edition's changes against the one before.
    pub(super) diffs: Vec<Diff>,
    /// Each edition's status: `in_force`, `upcoming` or `superseded`.
    pub(super) statuses: Vec<&'static str>,
    /// Index of the edition the public site shows, if any.
    pub(super) shown: Option<usize>,
    /// Item id → every (edition index, index into that edition's changes).
    pub(super) by_item: BTreeMap<String, Vec<(usize, usize)>>,
    /// Item id → the last edition index that contains it.
    pub(super) last_seen: BTreeMap<String, usize>,
    /// The working copy against the newest edition.
    pub(super) pending: Diff,
    /// Each edition's notes as HTML, rendered once.
    pub(super) notes_html: Vec<Option<String>>,
}

impl<'a> History<'a> {
    pub(super) fn new(register: &'a Register, site: &'a Site, shown: Option<usize>) -> Self {
        let diffs = history::edition_diffs(register, &site.departments);
        let statuses = (0..register.editions.len())
            .map(|i| match shown {
                Some(s) if i == s => "in_force",
                Some(s) if i < s => "superseded",
                _ => "upcoming",
            })
            .collect();
        let mut by_item: BTreeMap<String, Vec<(usize, usize)>> = BTreeMap::new();
        for (e, d) in diffs.iter().enumerate() {
            for (c, change) in d.items.iter().enumerate() {
                by_item.entry(change.id.clone()).or_default().push((e, c));
            }
        }
        let mut last_seen = BTreeMap::new();
        for (e, edition) in register.editions.iter().enumerate() {
            for item in &edition.snapshot.items {
                last_seen.insert(item.id.clone(), e);
            }
        }
        let notes_html = register
            .editions
            .iter()
            .map(|e| {
                e.record
                    .notes
                    .as_deref()
                    .map(|n| super::markdown::to_html(n, 2))
            })
            .collect();
        History {
            register,
            diffs,
            statuses,
            shown,
            by_item,
            last_seen,
            pending: history::pending(register, &site.departments),
            notes_html,
        }
    }

    /// The edition (index) in which `id` was removed after `after`, with its change.
    pub(super) fn removal_after(
        &self,
        id: &str,
        after: usize,
    ) -> Option<(usize, &history::ItemChange)> {
        self.by_item
            .get(id)?
            .iter()
            .filter(|(e, _)| *e > after)
            .find_map(|(e, c)| {
                let change = &self.diffs[*e].items[*c];
                (change.kind == history::ChangeKind::Removed).then_some((*e, change))
            })
    }
}

/// One site to render.
pub(super) struct Scope<'a> {
    /// `""` for the public site, `"draft/"` for the preview.
    pub(super) prefix: &'static str,
    /// What each register shows.
    pub(super) published: Vec<Published<'a>>,
    /// Purpose name → slug, for every purpose any page of this scope names.
    pub(super) purpose_slugs: BTreeMap<String, String>,
    /// Department id → department, for every department any page of this scope names.
    pub(super) departments: BTreeMap<&'a str, &'a Department>,
}

impl<'a> Scope<'a> {
    /// The public site: in-force editions, and every frozen edition for history pages.
    pub(super) fn public(published: Vec<Published<'a>>, site: &'a Site) -> Self {
        let mut snapshots: Vec<(&Snapshot, &crate::model::Departments)> = published
            .iter()
            .map(|p| (p.snapshot, p.departments))
            .collect();
        for r in &site.registers {
            for e in r.editions.iter().rev() {
                snapshots.push((
                    &e.snapshot,
                    e.snapshot.departments.as_ref().unwrap_or(&site.departments),
                ));
            }
        }
        Scope::collect("", published, &snapshots)
    }

    /// The `/draft/` preview: every register's working copy.
    pub(super) fn draft(site: &'a Site) -> Self {
        let published: Vec<Published<'a>> = site
            .registers
            .iter()
            .map(|register| Published {
                register,
                snapshot: &register.working,
                departments: &site.departments,
                status: Status::Draft,
            })
            .collect();
        let snapshots: Vec<_> = published
            .iter()
            .map(|p| (p.snapshot, p.departments))
            .collect();
        Scope::collect("draft/", published, &snapshots)
    }

    fn collect(
        prefix: &'static str,
        published: Vec<Published<'a>>,
        snapshots: &[(&'a Snapshot, &'a crate::model::Departments)],
    ) -> Self {
        let mut purposes = BTreeSet::new();
        let mut departments = BTreeMap::new();
        for (snapshot, deps) in snapshots {
            for item in &snapshot.items {
                purposes.extend(item.purposes.iter().map(String::as_str));
                for id in item.department_refs() {
                    if let Some(d) = deps.get(&id.value) {
                        departments.entry(id.value.as_str()).or_insert(d);
                    }
                }
            }
        }
        Scope {
            prefix,
            published,
            purpose_slugs: url::purpose_slugs(purposes),
            departments,
        }
    }

    /// Whether this is the draft preview.
    pub(super) fn is_draft(&self) -> bool {
        !self.prefix.is_empty()
    }
}
