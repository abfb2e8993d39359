//! PLAN: a plan's footprint — what a rebuild needs to know of the plan made
//! before a change: the inputs of each page it rendered, every output file,
//! each search index's inputs, and the purpose slugs. It owns its data, so the
//! model the plan was made from (and that model's history) can be dropped as
//! soon as the build is done: `serve` keeps one footprint between rebuilds,
//! not a second model, a second history and a second plan.
//!
//! [`Plan::rebuild_since`] answers "what must be rendered again" from the
//! footprint before and this plan, and returns this plan's footprint for the
//! next change; to compare two plans at hand, take the older one's
//! [`Plan::footprint`].

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::Plan;
use super::index::IndexId;
use super::inputs::{Change, Input};
use super::page::PlannedPage;
use super::publish::ScopeKind;

/// What a later rebuild needs to know of a plan (see the module documentation).
#[derive(Clone, Debug, Default)]
pub struct Footprint {
    /// Site path → inputs, of every page the plan did not carry over.
    pages: HashMap<String, Vec<Input>>,
    /// The output file of every page.
    outputs: BTreeSet<String>,
    /// Index folder → inputs, of every search index.
    indexes: BTreeMap<String, Vec<Input>>,
    /// For the public site and then `/draft/`: the scope a page of that kind
    /// is in, and its purpose slugs (name → slug).
    scopes: [(Option<ScopeKind>, BTreeMap<String, String>); 2],
}

/// Whether any of `inputs` covers any of `changes`.
fn covers(inputs: &[Input], changes: &[Change]) -> bool {
    inputs
        .iter()
        .any(|input| changes.iter().any(|c| input.covers(c)))
}

const KINDS: [ScopeKind; 2] = [ScopeKind::Public, ScopeKind::Draft];

impl<'a> Plan<'a> {
    /// This plan's footprint.
    pub fn footprint(&self) -> Footprint {
        self.rebuild_since(&Footprint::default(), &[]).1
    }

    /// The pages of this plan to render again after `changes`, given the
    /// footprint of the plan made before them (an empty footprint: every page
    /// not carried over), and this plan's footprint.
    ///
    /// A page is rendered again when an input covers a change in either plan,
    /// when the plan before did not render it (new, or carried over then), or
    /// when a purpose of its scope kept its name but got another slug (a
    /// homophone sorted before it), which moves links on every page.
    pub fn rebuild_since(
        &self,
        before: &Footprint,
        changes: &[Change],
    ) -> (Vec<&PlannedPage<'a>>, Footprint) {
        use rayon::prelude::*;
        let renamed = KINDS.map(|kind| {
            let (old_kind, old_slugs) = &before.scopes[usize::from(kind == ScopeKind::Draft)];
            let new = self.scope(kind);
            *old_kind != Some(new.kind)
                || new
                    .purpose_slugs
                    .iter()
                    .any(|(name, slug)| old_slugs.get(*name).is_some_and(|s| s != slug))
        });
        let planned: Vec<(&PlannedPage<'a>, String, Vec<Input>, bool)> = self
            .pages
            .par_iter()
            .filter(|page| !page.reused)
            .map(|page| {
                let path = self.site_path(page);
                let inputs = self.inputs(page);
                let again = renamed[usize::from(page.scope == ScopeKind::Draft)]
                    || before
                        .pages
                        .get(&path)
                        .is_none_or(|old| covers(old, changes))
                    || covers(&inputs, changes);
                (page, path, inputs, again)
            })
            .collect();
        let mut again = Vec::new();
        let mut pages = HashMap::with_capacity(planned.len());
        for (page, path, inputs, render) in planned {
            if render {
                again.push(page);
            }
            pages.insert(path, inputs);
        }
        let footprint = Footprint {
            pages,
            outputs: self.pages.iter().map(|p| self.output_file(p)).collect(),
            indexes: self
                .indexes()
                .iter()
                .map(|i| (i.folder(), self.index_inputs(i)))
                .collect(),
            scopes: KINDS.map(|kind| {
                let scope = self.scope(kind);
                let slugs = scope
                    .purpose_slugs
                    .iter()
                    .map(|(name, slug)| ((*name).to_owned(), slug.clone()))
                    .collect();
                (Some(scope.kind), slugs)
            }),
        };
        (again, footprint)
    }

    /// The indexes of this plan to build again after `changes`, given the
    /// footprint before them: those whose inputs cover a change in either
    /// plan, and those that are new.
    pub fn indexes_since(&self, before: &Footprint, changes: &[Change]) -> Vec<IndexId<'a>> {
        self.indexes()
            .into_iter()
            .filter(|index| {
                before
                    .indexes
                    .get(&index.folder())
                    .is_none_or(|old| covers(old, changes))
                    || covers(&self.index_inputs(index), changes)
            })
            .collect()
    }

    /// The output files of the plan before (its footprint) that this plan no
    /// longer has, to delete.
    pub fn outputs_removed_since(&self, before: &Footprint) -> Vec<String> {
        let now: BTreeSet<String> = self.pages.iter().map(|p| self.output_file(p)).collect();
        before.outputs.difference(&now).cloned().collect()
    }

    /// The index folders of the plan before (its footprint) that this plan no
    /// longer has, to delete.
    pub fn index_folders_removed_since(&self, before: &Footprint) -> Vec<String> {
        let now: BTreeSet<String> = self.indexes().iter().map(IndexId::folder).collect();
        before
            .indexes
            .keys()
            .filter(|f| !now.contains(*f))
            .cloned()
            .collect()
    }
}

impl Footprint {
    /// How many pages' inputs it holds.
    pub fn pages(&self) -> usize {
        self.pages.len()
    }
}
