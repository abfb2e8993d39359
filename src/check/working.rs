//! CHECK: what the cross-file rules find in working-copy items, one item at
//! a time, and kept from one check to the next (`serve` checks again after
//! every edit, which changes an item or a few of thousands).
//!
//! What a rule finds in a working-copy item depends on the item, and beyond
//! it only on: its register's key and categories (categories rule), the
//! site's department ids (departments rule), and the ids every register has
//! or had, with their prefixes (items and mentions rules), which
//! [`Memo::begin`] follows. So an item's findings are reused when the load
//! vouches that the item is the very one of the load the last check saw
//! ([`Unchanged`]), that check was made through the same memo, and those
//! are all the same; every other item is checked again. The diagnostics are
//! those of checking every item, in the same order.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use rayon::prelude::*;

use super::memo::{Memo, WorkingMemo};
use super::mentions::Finder;
use super::references::{category_of, departments_in, ids_of, items_in, working_source};
use crate::content::Unchanged;
use crate::diagnostic::{Diagnostic, FileId};
use crate::model::{Item, Site};

/// What the rules found in one working-copy item, rule by rule.
#[derive(Clone, Debug, Default)]
pub(super) struct ItemFindings {
    pub(super) categories: Vec<Diagnostic>,
    pub(super) departments: Vec<Diagnostic>,
    pub(super) items: Vec<Diagnostic>,
    pub(super) mentions: Vec<Diagnostic>,
}

impl ItemFindings {
    fn is_empty(&self) -> bool {
        self.categories.is_empty()
            && self.departments.is_empty()
            && self.items.is_empty()
            && self.mentions.is_empty()
    }
}

/// The findings in every working-copy item of the site: by register (site
/// order), the items that have any, in item order.
#[derive(Debug, Default)]
pub(super) struct Working {
    /// The item's position, its file and its findings.
    registers: Vec<Vec<(usize, FileId, ItemFindings)>>,
}

impl Working {
    /// The findings in register `r`'s items, in item order.
    pub(super) fn of(&self, r: usize) -> impl Iterator<Item = &ItemFindings> {
        self.registers
            .get(r)
            .into_iter()
            .flatten()
            .map(|(_, _, f)| f)
    }
}

/// Each register's key and categories (what the findings depend on besides
/// ids, department ids and the items themselves).
fn lists(site: &Site) -> Vec<(String, Vec<String>)> {
    site.registers
        .iter()
        .map(|r| (r.key.clone(), r.working.list.categories.clone()))
        .collect()
}

/// Whether `memo`'s working findings (with [`Memo::begin`] done for `site`)
/// hold for the items `unchanged` names.
fn reusable(site: &Site, memo: &Memo, unchanged: Option<&Unchanged>) -> bool {
    let kept = &memo.working;
    memo.same_ids
        && kept.load.is_some()
        && unchanged.is_some_and(|u| u.before == kept.load)
        && kept.lists.len() == site.registers.len()
        && kept
            .lists
            .iter()
            .zip(&site.registers)
            .all(|((key, categories), r)| *key == r.key && *categories == r.working.list.categories)
}

/// What the rules find in the site's working-copy items: kept findings for
/// the items `unchanged` vouches for when they hold, the others checked now
/// (in parallel).
pub(super) fn findings(
    site: &Site,
    finder: &Finder<'_>,
    memo: &mut Memo,
    unchanged: Option<&Unchanged>,
) -> Working {
    let reuse = reusable(site, memo, unchanged);
    let mut kept = std::mem::take(&mut memo.working.items);
    let mut registers: Vec<Vec<(usize, FileId, ItemFindings)>> =
        vec![Vec::new(); site.registers.len()];
    let mut again: Vec<(usize, usize)> = Vec::new();
    for (r, register) in site.registers.iter().enumerate() {
        for (i, item) in register.working.items.iter().enumerate() {
            match unchanged.filter(|u| reuse && u.item(item.file)) {
                Some(_) => {
                    if let Some(f) = kept.remove(&item.file) {
                        registers[r].push((i, item.file, f));
                    }
                }
                None => again.push((r, i)),
            }
        }
    }
    drop(kept);
    // Every id a register has or had, gathered only when an item names one.
    let ids: Vec<OnceLock<BTreeSet<&str>>> =
        site.registers.iter().map(|_| OnceLock::new()).collect();
    let found: Vec<(usize, usize, ItemFindings)> = again
        .par_iter()
        .map(|&(r, i)| {
            let register = &site.registers[r];
            let item = &register.working.items[i];
            let known = || ids[r].get_or_init(|| ids_of(site, register));
            (r, i, item_findings(site, (r, item), finder, known))
        })
        .filter(|(_, _, f)| !f.is_empty())
        .collect();
    if !found.is_empty() {
        for (r, i, f) in found {
            registers[r].push((i, site.registers[r].working.items[i].file, f));
        }
        // Kept findings first, checked ones after: back to item order.
        for list in &mut registers {
            list.sort_by_key(|(i, _, _)| *i);
        }
    }
    Working { registers }
}

/// What every rule finds in working-copy item `item` of register `r`.
fn item_findings<'s>(
    site: &'s Site,
    (r, item): (usize, &Item),
    finder: &Finder<'_>,
    known: impl Fn() -> &'s BTreeSet<&'s str>,
) -> ItemFindings {
    let register = &site.registers[r];
    ItemFindings {
        categories: category_of(item, &register.working.list.categories)
            .into_iter()
            .collect(),
        departments: departments_in(item, &site.departments, working_source()),
        items: items_in(item, register, known),
        mentions: finder.in_item(item, register),
    }
}

/// Keeps `working` (the findings of the load `unchanged` names, or of no
/// known load) in `memo` for the next check.
pub(super) fn keep(site: &Site, working: Working, memo: &mut Memo, unchanged: Option<&Unchanged>) {
    memo.working = WorkingMemo {
        load: unchanged.map(|u| u.load),
        lists: lists(site),
        items: working
            .registers
            .into_iter()
            .flatten()
            .map(|(_, file, f)| (file, f))
            .collect(),
    };
}
