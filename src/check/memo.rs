//! CHECK: what the cross-file rules found in frozen editions, kept from one
//! check to the next (`serve` checks again after every edit).
//!
//! A frozen edition is sealed, so the load shares the very same
//! [`Edition`] between loads while its files are unchanged, and "the same
//! edition" is a pointer comparison. What a rule finds in an edition depends
//! on the edition alone (categories; departments, when it has its own
//! `departments.yaml`), or also on which item ids the site's registers have
//! and their prefixes (references between items, mentions in text): those
//! findings are kept only while the [`Ids`] are the same.
//!
//! What the rules find in a working-copy item is kept too (see
//! [`super::working`]), while the load says the item is the very one the
//! last check saw and what else the findings depend on is the same.

use std::collections::HashMap;
use std::sync::Arc;

use super::working::ItemFindings;
use crate::diagnostic::{Diagnostic, FileId};
use crate::model::{Edition, Site};

/// Findings of the rules in frozen editions, by edition (see the module
/// documentation). `Memo::default()` is empty; any site gives the same
/// diagnostics through it as without.
#[derive(Debug, Default)]
pub struct Memo {
    /// The ids the findings that depend on them were made with.
    ids: Ids,
    /// By the edition's address (kept alive, so not reused, by the `Arc`
    /// in its findings).
    editions: HashMap<usize, Findings>,
    /// Every id by prefix, for these ids (`None`: not gathered yet).
    known: Option<super::mentions::Known>,
    /// The site's department ids the findings that depend on them were
    /// made with.
    departments: Vec<String>,
    /// Whether the last [`Memo::begin`] kept the findings that depend on
    /// ids and department ids.
    pub(super) same_ids: bool,
    /// What the rules found in working-copy items.
    pub(super) working: WorkingMemo,
}

/// What the rules found in the working-copy items of one load (see
/// [`super::working`]).
#[derive(Debug, Default)]
pub(super) struct WorkingMemo {
    /// The load whose items they are (`None`: none kept).
    pub(super) load: Option<u64>,
    /// Each register's key and categories they were found with.
    pub(super) lists: Vec<(String, Vec<String>)>,
    /// The items with findings, by file (an item not here had none).
    pub(super) items: HashMap<FileId, ItemFindings>,
}

/// What decides the findings that look beyond one edition: each register's
/// key, id prefix, editions, and working-copy item ids.
#[derive(Debug, Default, PartialEq, Eq)]
struct Ids(Vec<(String, String, Vec<usize>, Vec<String>)>);

impl Ids {
    fn of(site: &Site) -> Ids {
        Ids(site
            .registers
            .iter()
            .map(|r| {
                (
                    r.key.clone(),
                    r.working.list.id_prefix.clone(),
                    r.editions.iter().map(|e| Arc::as_ptr(e).addr()).collect(),
                    r.working.items.iter().map(|i| i.id.clone()).collect(),
                )
            })
            .collect())
    }

    /// Whether `site` has these ids (without building its own).
    fn matches(&self, site: &Site) -> bool {
        self.0.len() == site.registers.len()
            && self
                .0
                .iter()
                .zip(&site.registers)
                .all(|((key, prefix, editions, ids), r)| {
                    *key == r.key
                        && *prefix == r.working.list.id_prefix
                        && editions.len() == r.editions.len()
                        && editions
                            .iter()
                            .zip(&r.editions)
                            .all(|(p, e)| *p == Arc::as_ptr(e).addr())
                        && ids.len() == r.working.items.len()
                        && ids.iter().zip(&r.working.items).all(|(id, i)| *id == i.id)
                })
    }
}

/// One edition's findings, per rule, once made.
#[derive(Debug, Default)]
pub(super) struct Findings {
    /// Keeps the edition (and so its address) alive.
    edition: Option<Arc<Edition>>,
    pub(super) categories: Option<Vec<Diagnostic>>,
    pub(super) departments: Option<Vec<Diagnostic>>,
    /// For an edition without its own departments: its dangling department
    /// ids against the site's departments (kept while their ids are the same).
    pub(super) site_departments: Option<Vec<Diagnostic>>,
    pub(super) items: Option<Vec<Diagnostic>>,
    /// Mentions in its items, then in its notes and reasons.
    pub(super) mentions: Option<(Vec<Diagnostic>, Vec<Diagnostic>)>,
}

impl Memo {
    /// Starts a check of `site`: forgets editions it no longer has, and the
    /// findings that depend on ids when they changed.
    pub(super) fn begin(&mut self, site: &Site) {
        let live: std::collections::HashSet<usize> = site
            .registers
            .iter()
            .flat_map(|r| r.editions.iter().map(|e| Arc::as_ptr(e).addr()))
            .collect();
        self.editions.retain(|e, _| live.contains(e));
        self.same_ids = true;
        if !self.ids.matches(site) {
            self.same_ids = false;
            self.ids = Ids::of(site);
            self.known = None;
            for findings in self.editions.values_mut() {
                findings.items = None;
                findings.mentions = None;
            }
        }
        if !self.departments.iter().eq(site.departments.keys()) {
            self.same_ids = false;
            self.departments = site.departments.keys().cloned().collect();
            for findings in self.editions.values_mut() {
                findings.site_departments = None;
            }
        }
    }

    /// Every id by prefix (taken: give it back with [`Memo::keep_known`]).
    pub(super) fn take_known(&mut self, site: &Site) -> super::mentions::Known {
        self.known
            .take()
            .unwrap_or_else(|| super::mentions::known_ids(site))
    }

    /// Keeps the ids [`Memo::take_known`] gave, for the next check.
    pub(super) fn keep_known(&mut self, known: super::mentions::Known) {
        self.known = Some(known);
    }

    /// The findings kept for `edition` (empty at first).
    pub(super) fn edition(&mut self, edition: &Arc<Edition>) -> &mut Findings {
        let findings = self
            .editions
            .entry(Arc::as_ptr(edition).addr())
            .or_default();
        findings.edition.get_or_insert_with(|| Arc::clone(edition));
        findings
    }
}
