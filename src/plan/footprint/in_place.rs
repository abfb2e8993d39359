//! PLAN (footprint): a rebuild after edits that only modified working-copy
//! item files (what `serve` sees most), made by updating the footprint before
//! instead of naming every page again.
//!
//! When the plan has the very pages the plan before had (the same item
//! files, and the same [`Shape`]: departments and purposes that get pages,
//! editions shown, registers carried over), each page keeps its site path and
//! its position in the page list, so the footprint's entries still name them.
//! Then only the pages with an input a change covers are rendered again, and
//! only the pages [`Suspects`] names and those among them whose inputs are
//! found by looking at items have their inputs found again; every other
//! entry, the output files and the indexes' inputs are shared with the
//! footprint before.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use rayon::prelude::*;

use super::{Change, Footprint, Ids, KINDS, Numbering, Suspects, covers};
use crate::plan::page::{PageId, PlannedPage};
use crate::plan::publish::ScopeKind;
use crate::plan::{Input, Plan};

/// What decides which pages a plan has, besides which item files there are
/// and the purposes' slugs (see [`Footprint`]'s `scopes`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Shape {
    /// How many pages the plan has, carried over or not.
    pages: usize,
    /// For the public site and then `/draft/`: the departments with a page.
    departments: [Vec<String>; 2],
    /// The edition each register's public site shows.
    shown: Vec<Option<usize>>,
    /// The registers whose frozen pages are carried over.
    reused: BTreeSet<String>,
}

/// An entry of the footprint before and its inputs found again.
type Found = (u32, Vec<Input>);

impl<'a> Plan<'a> {
    /// This plan's [`Shape`].
    pub(super) fn shape(&self) -> Shape {
        Shape {
            pages: self.pages.len(),
            departments: KINDS.map(|kind| {
                let scope = self.scope(kind);
                scope.departments.keys().map(|d| (*d).to_owned()).collect()
            }),
            shown: self.public.registers.iter().map(|p| p.edition).collect(),
            reused: self.reuse.registers.clone(),
        }
    }

    /// [`Plan::rebuild_since`] for changes that only modified working-copy
    /// items (`suspects`), updating the footprint `before` (see the module
    /// documentation); `None` when this plan's pages are not those of the
    /// footprint before, or when it was updated so often that it is time to
    /// make it afresh. `touched` says which inputs of `before` the changes
    /// cover; new inputs are numbered in `numbering`. The footprint returned
    /// lacks its input table, mentions and titles (the caller's).
    pub(super) fn rebuild_in_place(
        &self,
        before: &Footprint,
        changes: &[Change],
        suspects: &Suspects<'_>,
        touched: &[bool],
        numbering: &mut Numbering,
    ) -> Option<(Vec<&PlannedPage<'a>>, Footprint)> {
        let pages = &before.pages;
        if before.shape.as_ref() != Some(&self.shape())
            || before.scopes != self.scope_slugs()
            || pages.edited() > 256.max(pages.len() / 16)
        {
            return None;
        }
        let count = u32::try_from(pages.len()).ok()?;
        let covered: BTreeSet<u32> = (0..count)
            .into_par_iter()
            .filter(|&n| pages.ids(n).iter().any(|&i| touched[i as usize]))
            .collect();
        let mut suspect = self.suspect_entries(before, suspects)?;
        for &n in &covered {
            if !suspects.settled(self.planned_at(before, n)?, true) {
                suspect.insert(n);
            }
        }
        let found: Vec<Found> = suspect
            .par_iter()
            .map(|&n| {
                self.planned_at(before, n)
                    .map(|page| (n, self.inputs(page)))
            })
            .collect::<Option<_>>()?;
        let mut again = covered;
        let mut edited = HashMap::new();
        for (n, inputs) in found {
            if covers(&inputs, changes) {
                again.insert(n);
            }
            let ids: Ids = inputs.into_iter().map(|i| numbering.number(i)).collect();
            if ids != *pages.ids(n) {
                edited.insert(n, ids);
            }
        }
        let again = again
            .into_iter()
            .map(|n| self.planned_at(before, n))
            .collect::<Option<Vec<_>>>()?;
        let footprint = Footprint {
            pages: pages.edit(edited),
            outputs: Arc::clone(&before.outputs),
            carried: self.carried_outputs(before),
            indexes: Arc::clone(&before.indexes),
            shape: before.shape.clone(),
            scopes: before.scopes.clone(),
            in_place: true,
            ..Footprint::default()
        };
        Some((again, footprint))
    }

    /// The entries of `before` whose inputs may have changed although none
    /// of them did: the item pages of the items holding a changed title, and
    /// the pages of the purposes and departments `suspects` names, in every
    /// scope that has them. `None` when one is not in `before`.
    fn suspect_entries(
        &self,
        before: &Footprint,
        suspects: &Suspects<'_>,
    ) -> Option<BTreeSet<u32>> {
        let mut ids: Vec<PageId<'_>> = Vec::new();
        for (register, items) in &suspects.holders {
            ids.extend(items.iter().map(|item| PageId::Item { register, item }));
        }
        ids.extend(
            suspects
                .purposes
                .iter()
                .map(|purpose| PageId::Purpose { purpose }),
        );
        ids.extend(
            suspects
                .departments
                .iter()
                .map(|department| PageId::Department { department }),
        );
        let kinds: &[ScopeKind] = if self.draft.is_some() {
            &KINDS
        } else {
            &KINDS[..1]
        };
        let mut out = BTreeSet::new();
        for kind in kinds {
            for id in &ids {
                let Some(page) = self.page(*kind, id).filter(|p| !p.reused) else {
                    continue;
                };
                out.insert(before.pages.find(&self.site_path(page))?);
            }
        }
        Some(out)
    }

    /// The page of entry `n` of `before`, in this plan's page list at the
    /// position it had in the plan before; `None` unless it is the same page.
    fn planned_at(&self, before: &Footprint, n: u32) -> Option<&PlannedPage<'a>> {
        let (path, at) = before.pages.entry(n);
        let page = self.pages.get(at as usize).filter(|p| !p.reused)?;
        (self.site_path(page) == path).then_some(page)
    }
}
