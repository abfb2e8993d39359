//! The history step of a build: every register's edition diffs, statuses and
//! item timelines, computed once from the model and the build date, before the
//! plan and every output read them.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use jiff::civil::Date;
use rayon::prelude::*;

use super::{ChangeKind, Diff, ItemChange, edition_diffs, pending as pending_diff};

use crate::model::{Departments, Edition, Register, Site};

/// An edition's standing on the build date. Serialises as its [`EditionStatus::name`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EditionStatus {
    /// The edition the public site shows (现行; before the first edition takes
    /// effect, that first edition).
    InForce,
    /// Not yet in effect.
    Upcoming,
    /// Replaced by a newer edition in force.
    Superseded,
}

impl EditionStatus {
    /// `in_force`, `upcoming`, `superseded` (the theme's vocabulary).
    pub fn name(self) -> &'static str {
        match self {
            EditionStatus::InForce => "in_force",
            EditionStatus::Upcoming => "upcoming",
            EditionStatus::Superseded => "superseded",
        }
    }
}

/// Where one item change sits: the edition (index into the register's editions)
/// and the change (index into that edition's diff).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChangeRef {
    /// The edition that made the change.
    pub edition: usize,
    /// The change within that edition's [`Diff::items`].
    pub change: usize,
}

/// The history of one register.
#[derive(Debug)]
pub struct RegisterHistory<'a> {
    /// The register.
    pub register: &'a Register,
    /// Each edition's changes against the one before (the first: all added).
    /// Shared: frozen editions do not change, so histories computed again
    /// and again (serve) share them.
    pub diffs: Arc<Vec<Diff>>,
    /// Each edition's status on the build date.
    pub statuses: Vec<EditionStatus>,
    /// The edition the public site shows, if the register has any.
    pub shown: Option<usize>,
    /// Item id → every change made to it, oldest first.
    pub by_item: Arc<BTreeMap<String, Vec<ChangeRef>>>,
    /// Item id → the newest edition that contains it.
    pub last_seen: Arc<BTreeMap<String, usize>>,
    /// The working copy against the newest edition (shared with the memo
    /// of [`SiteHistory::new_with`]).
    pub pending: Arc<Diff>,
    /// Per edition: the positions of the items that name a purpose or a
    /// department id no item before them in that edition names (so what a
    /// snapshot names is found without a pass over all its items).
    pub firsts: Arc<Vec<Vec<u32>>>,
}

/// What an earlier [`SiteHistory::new_with`] derived from frozen editions,
/// per register: the editions it was computed from (shared, so that "the same
/// editions" is a pointer comparison), the site's departments then, and the
/// diffs, changes by item and last editions. Frozen editions do not change,
/// so a process that computes histories again and again (serve) computes
/// these once.
#[derive(Debug, Default)]
pub struct Memo {
    registers: HashMap<String, MemoEntry>,
    /// Per register: the working copy's pending diff, with what it was
    /// computed from (see [`Pending`]).
    pending: HashMap<String, Pending>,
    /// How many registers' pending diffs the last call brought up to date
    /// item by item.
    refreshed: usize,
}

impl Memo {
    /// How many registers' pending diffs the last [`SiteHistory::new_with`]
    /// brought up to date item by item (instead of comparing every item).
    pub fn refreshed(&self) -> usize {
        self.refreshed
    }
}

type MemoEntry = (Vec<Arc<Edition>>, Departments, Frozen);

/// A register's pending diff and what it depends on: the newest edition
/// (shared, so "the same" is a pointer comparison), the site's departments
/// and the working copy. An edit in one register leaves the others' as they are.
#[derive(Debug)]
struct Pending {
    newest: Option<Arc<Edition>>,
    departments: Departments,
    working: crate::model::Snapshot,
    diff: Arc<Diff>,
}

impl Pending {
    /// The pending diff of `register`: `memo`'s if it still holds, brought
    /// up to date if only some items changed (see [`Pending::refresh`]),
    /// else computed again; says whether it was brought up to date.
    fn for_register(
        memo: Option<Pending>,
        register: &Register,
        departments: &Departments,
    ) -> (Self, bool) {
        if let Some(mut memo) = memo
            && memo.same_base(register, departments)
            && memo.refresh(register)
        {
            return (memo, true);
        }
        let fresh = Pending {
            newest: register.editions.last().cloned(),
            departments: departments.clone(),
            working: register.working.clone(),
            diff: Arc::new(pending_diff(register, departments)),
        };
        (fresh, false)
    }

    /// Whether the diff was made against the same newest edition (the very
    /// same), site departments and working `list.yaml`.
    fn same_base(&self, register: &Register, departments: &Departments) -> bool {
        let same_newest = match (&self.newest, register.editions.last()) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        };
        same_newest
            && self.departments == *departments
            && self.working.list == register.working.list
            && self.working.departments.is_none()
            && register.working.departments.is_none()
    }

    /// Brings the diff up to date with `register`'s working items by
    /// comparing again only the items that changed; `false` (and nothing
    /// done) when that would not give what comparing every item gives: items
    /// added, removed or reordered, a changed item whose `replaces`,
    /// `merged_into` or departments changed (other items' changes depend on
    /// those), or too many changed items to be worth it.
    fn refresh(&mut self, register: &Register) -> bool {
        let (old, new) = (&self.working.items, &register.working.items);
        if old.len() != new.len() {
            return false;
        }
        let mut changed = Vec::new();
        for (at, (a, b)) in old.iter().zip(new).enumerate() {
            if a == b {
                continue;
            }
            // Values, not where they were written: an edit that makes the
            // title longer moves every later field of the file.
            if a.id != b.id
                || !a
                    .replaces
                    .iter()
                    .map(|r| &r.value)
                    .eq(b.replaces.iter().map(|r| &r.value))
                || merged_into(a) != merged_into(b)
                || !a
                    .department_refs()
                    .map(|d| &d.value)
                    .eq(b.department_refs().map(|d| &d.value))
            {
                return false;
            }
            changed.push(at);
        }
        if changed.len() * 4 > new.len().max(4) {
            return false;
        }
        let newest = register.editions.last().map(|e| &e.snapshot);
        let working = &register.working;
        let diff = Arc::make_mut(&mut self.diff);
        for at in changed {
            let item = &new[at];
            let removed: std::collections::BTreeSet<&str> = item
                .replaces
                .iter()
                .map(|r| r.value.as_str())
                .filter(|r| {
                    newest.is_some_and(|e| e.item(r).is_some()) && working.item(r).is_none()
                })
                .collect();
            let before = newest.and_then(|e| e.item(&item.id));
            let change = super::item_change(before, Some(item), &removed, working);
            let found = diff
                .items
                .binary_search_by(|c| crate::model::id_order(&c.id, &item.id));
            match (found, change) {
                (Ok(k), Some(c)) => diff.items[k] = c,
                (Ok(k), None) => {
                    diff.items.remove(k);
                }
                (Err(k), Some(c)) => diff.items.insert(k, c),
                (Err(_), None) => {}
            }
            self.working.items[at] = item.clone();
        }
        true
    }
}

/// The item a creation item was merged into.
fn merged_into(item: &crate::model::Item) -> Option<&str> {
    match &item.details {
        crate::model::Details::Creation(c) => c.merged_into.as_ref().map(|m| m.value.as_str()),
        _ => None,
    }
}

/// What a register's history derives from its frozen editions alone (and the
/// site's departments), shared.
#[derive(Clone, Debug)]
struct Frozen {
    diffs: Arc<Vec<Diff>>,
    by_item: Arc<BTreeMap<String, Vec<ChangeRef>>>,
    last_seen: Arc<BTreeMap<String, usize>>,
    firsts: Arc<Vec<Vec<u32>>>,
}

/// The positions of the items of `snapshot` that name a purpose or a
/// department id no item before them names.
fn firsts(snapshot: &crate::model::Snapshot) -> Vec<u32> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for (at, item) in snapshot.items.iter().enumerate() {
        let purposes = item.purposes.iter().map(|p| (0, p.as_str()));
        let departments = item.department_refs().map(|d| (1, d.value.as_str()));
        let mut new = false;
        for key in purposes.chain(departments) {
            new |= seen.insert(key);
        }
        if new {
            out.push(u32::try_from(at).unwrap_or(u32::MAX));
        }
    }
    out
}

impl Frozen {
    fn new(register: &Register, diffs: Vec<Diff>) -> Frozen {
        let mut by_item: BTreeMap<String, Vec<ChangeRef>> = BTreeMap::new();
        for (edition, d) in diffs.iter().enumerate() {
            for (change, c) in d.items.iter().enumerate() {
                by_item
                    .entry(c.id.clone())
                    .or_default()
                    .push(ChangeRef { edition, change });
            }
        }
        let mut last_seen = BTreeMap::new();
        for (e, edition) in register.editions.iter().enumerate() {
            for item in &edition.snapshot.items {
                last_seen.insert(item.id.clone(), e);
            }
        }
        let firsts = register
            .editions
            .iter()
            .map(|e| firsts(&e.snapshot))
            .collect();
        Frozen {
            diffs: Arc::new(diffs),
            by_item: Arc::new(by_item),
            last_seen: Arc::new(last_seen),
            firsts: Arc::new(firsts),
        }
    }
}

/// The history of every register, in site order.
#[derive(Debug)]
pub struct SiteHistory<'a> {
    /// One entry per register of [`Site::registers`], same order.
    pub registers: Vec<RegisterHistory<'a>>,
}

impl<'a> SiteHistory<'a> {
    /// Computes the history of every register as of `today` (registers in parallel).
    pub fn new(site: &'a Site, today: Date) -> Self {
        SiteHistory {
            registers: site
                .registers
                .par_iter()
                .map(|r| RegisterHistory::new(r, site, today))
                .collect(),
        }
    }

    /// [`SiteHistory::new`], reusing the edition diffs `memo` holds from an
    /// earlier call wherever a register's frozen editions are the very same
    /// (shared, unchanged since) and the site's departments are equal; what it
    /// computes is kept in `memo` for the next call. Same result as `new`.
    pub fn new_with(site: &'a Site, today: Date, memo: &mut Memo) -> Self {
        // Each register's memoised pending diff, taken out to be brought up
        // to date in parallel and put back.
        let pendings: Vec<Option<Pending>> = site
            .registers
            .iter()
            .map(|r| memo.pending.remove(&r.key))
            .collect();
        memo.pending.clear();
        let frozen_memo = &memo.registers;
        let registers: Vec<(RegisterHistory<'a>, Option<Frozen>, (Pending, bool))> = site
            .registers
            .par_iter()
            .zip(pendings)
            .map(|(r, pending)| {
                let known = frozen_memo
                    .get(&r.key)
                    .filter(|(editions, departments, _)| {
                        *departments == site.departments
                            && editions.len() == r.editions.len()
                            && editions
                                .iter()
                                .zip(&r.editions)
                                .all(|(a, b)| Arc::ptr_eq(a, b))
                    });
                let pending = Pending::for_register(pending, r, &site.departments);
                let diff = Arc::clone(&pending.0.diff);
                if let Some((_, _, frozen)) = known {
                    let history = RegisterHistory::with(r, today, frozen.clone(), diff);
                    (history, None, pending)
                } else {
                    let frozen = Frozen::new(r, edition_diffs(r, &site.departments));
                    let history = RegisterHistory::with(r, today, frozen.clone(), diff);
                    (history, Some(frozen), pending)
                }
            })
            .collect();
        memo.registers
            .retain(|key, _| site.registers.iter().any(|r| r.key == *key));
        let mut out = Vec::with_capacity(registers.len());
        memo.refreshed = 0;
        for ((history, computed, pending), register) in registers.into_iter().zip(&site.registers) {
            if let Some(frozen) = computed {
                let entry = (register.editions.clone(), site.departments.clone(), frozen);
                memo.registers.insert(register.key.clone(), entry);
            }
            let (pending, refreshed) = pending;
            memo.refreshed += usize::from(refreshed);
            memo.pending.insert(register.key.clone(), pending);
            out.push(history);
        }
        SiteHistory { registers: out }
    }

    /// The history of the register with this key.
    pub fn register(&self, key: &str) -> Option<&RegisterHistory<'a>> {
        self.registers.iter().find(|h| h.register.key == key)
    }
}

impl<'a> RegisterHistory<'a> {
    /// Computes one register's history as of `today`.
    pub fn new(register: &'a Register, site: &'a Site, today: Date) -> Self {
        let diffs = edition_diffs(register, &site.departments);
        let pending = Arc::new(pending_diff(register, &site.departments));
        Self::with(register, today, Frozen::new(register, diffs), pending)
    }

    /// One register's history as of `today`, given what its frozen editions
    /// give and its pending diff.
    fn with(register: &'a Register, today: Date, frozen: Frozen, pending: Arc<Diff>) -> Self {
        let shown = register.shown_edition(today);
        let statuses = (0..register.editions.len())
            .map(|i| match shown {
                Some(s) if i == s => EditionStatus::InForce,
                Some(s) if i < s => EditionStatus::Superseded,
                _ => EditionStatus::Upcoming,
            })
            .collect();
        RegisterHistory {
            register,
            diffs: frozen.diffs,
            statuses,
            shown,
            by_item: frozen.by_item,
            last_seen: frozen.last_seen,
            pending,
            firsts: frozen.firsts,
        }
    }

    /// The change a [`ChangeRef`] points at.
    pub fn change(&self, at: ChangeRef) -> &ItemChange {
        &self.diffs[at.edition].items[at.change]
    }

    /// The edition (index) in which `id` was removed after edition `after`, with its change.
    pub fn removal_after(&self, id: &str, after: usize) -> Option<(usize, &ItemChange)> {
        self.by_item
            .get(id)?
            .iter()
            .filter(|at| at.edition > after)
            .find_map(|at| {
                let change = self.change(*at);
                (change.kind == ChangeKind::Removed).then_some((at.edition, change))
            })
    }

    /// Items that left the register: id → the last edition (index) that had
    /// them, for items the shown edition no longer has (none when nothing is shown).
    pub fn withdrawn(&self) -> impl Iterator<Item = (&str, usize)> {
        let shown = self.shown;
        let snapshot = shown.map(|s| &self.register.editions[s].snapshot);
        self.last_seen
            .iter()
            .filter(move |(id, last)| {
                shown.is_some_and(|s| **last <= s)
                    && snapshot.is_some_and(|snap| snap.item(id).is_none())
            })
            .map(|(id, last)| (id.as_str(), *last))
    }
}
