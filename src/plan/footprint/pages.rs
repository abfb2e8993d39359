//! PLAN (footprint): the pages of a footprint and their inputs, as a
//! footprint made afresh found them (shared by the footprints after it), and
//! the inputs of the pages an edit since gave other inputs (each footprint's
//! own, a few). A rebuild after an edit of a few items updates the few pages
//! it concerns instead of naming every page again.

use std::collections::HashMap;
use std::sync::Arc;

use super::Ids;
use crate::plan::hash::FastMap;

/// One page: its site path, its position in the plan's page list, and its
/// inputs (numbers in the footprint's table).
#[derive(Debug)]
pub(super) struct Entry {
    pub(super) path: Arc<str>,
    pub(super) at: u32,
    pub(super) ids: Ids,
}

/// The pages of a footprint made afresh, in the plan's order.
#[derive(Debug, Default)]
pub(super) struct Base {
    entries: Vec<Entry>,
    by_path: FastMap<Arc<str>, u32>,
}

/// A footprint's pages: those made afresh (shared), and the inputs of those
/// edited since, by entry number.
#[derive(Clone, Debug, Default)]
pub(super) struct Pages {
    base: Arc<Base>,
    edited: HashMap<u32, Ids>,
}

impl Pages {
    /// Pages made afresh from `entries`.
    pub(super) fn new(entries: Vec<Entry>) -> Pages {
        let by_path = entries
            .iter()
            .enumerate()
            .map(|(n, e)| (Arc::clone(&e.path), u32::try_from(n).unwrap_or(u32::MAX)))
            .collect();
        Pages {
            base: Arc::new(Base { entries, by_path }),
            edited: HashMap::new(),
        }
    }

    /// These pages, with the inputs of the entries `edited` names replaced
    /// (shares the pages made afresh).
    pub(super) fn edit(&self, edited: impl IntoIterator<Item = (u32, Ids)>) -> Pages {
        let mut out = self.clone();
        out.edited.extend(edited);
        out
    }

    /// How many entries were edited since the pages were made afresh.
    pub(super) fn edited(&self) -> usize {
        self.edited.len()
    }

    /// How many pages.
    pub(super) fn len(&self) -> usize {
        self.base.entries.len()
    }

    /// The entry with this site path.
    pub(super) fn find(&self, path: &str) -> Option<u32> {
        self.base.by_path.get(path).copied()
    }

    /// The inputs of the page with this site path.
    pub(super) fn get(&self, path: &str) -> Option<&Ids> {
        self.find(path).map(|n| self.ids(n))
    }

    /// The inputs of entry `n`.
    pub(super) fn ids(&self, n: u32) -> &Ids {
        self.edited
            .get(&n)
            .unwrap_or(&self.base.entries[n as usize].ids)
    }

    /// Entry `n`'s site path and position in the plan's page list.
    pub(super) fn entry(&self, n: u32) -> (&str, u32) {
        let e = &self.base.entries[n as usize];
        (&e.path, e.at)
    }

    /// Every page: its site path and inputs.
    pub(super) fn iter(&self) -> impl Iterator<Item = (&str, &Ids)> {
        (0..self.base.entries.len()).map(|n| {
            let n = u32::try_from(n).unwrap_or(u32::MAX);
            (self.entry(n).0, self.ids(n))
        })
    }

    /// The entries, each with its inputs as edited, to make pages afresh from.
    pub(super) fn entries(&self) -> Vec<Entry> {
        (0..self.base.entries.len())
            .map(|n| {
                let e = &self.base.entries[n];
                let n = u32::try_from(n).unwrap_or(u32::MAX);
                Entry {
                    path: Arc::clone(&e.path),
                    at: e.at,
                    ids: Arc::clone(self.ids(n)),
                }
            })
            .collect()
    }
}
