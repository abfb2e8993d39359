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
//! [`Plan::footprint`]. What the next footprint can take from the one before
//! it shares or copies instead of finding again: the input table (shared
//! until a new input is numbered), the inputs of pages the changes cannot
//! concern, the mentions of items they cannot concern, and the output files
//! of frozen pages carried over under the same fingerprint. After edits that
//! only modified working-copy items, when the plan has the same pages, it
//! does not even name every page again: it updates the footprint before in
//! place (see the `in_place` module), sharing everything but the entries of the pages
//! the edits concern.

mod in_place;
mod pages;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use pages::{Entry, Pages};

use super::hash::FastMap;

use super::Plan;
use super::index::IndexId;
use super::inputs::{Change, Input};
use super::page::PlannedPage;
use super::publish::ScopeKind;
use crate::content::codec::{Reader, Writer};
use crate::diagnostic::FileId;

/// What a later rebuild needs to know of a plan (see the module documentation).
#[derive(Clone, Debug, Default)]
pub struct Footprint {
    /// Site path → inputs (positions in `inputs`), of every page the plan
    /// did not carry over.
    pages: Pages,
    /// Every distinct input of `pages` once (most pages share most inputs),
    /// and perhaps some no page has any more (see [`Numbering::tidy`]).
    inputs: Arc<Vec<Input>>,
    /// The position of each of `inputs`.
    numbers: Arc<FastMap<Input, u32>>,
    /// The output file of every page not carried over (shared with the
    /// footprint before while the pages are the same).
    outputs: Arc<BTreeSet<String>>,
    /// Register key → the fingerprint of its frozen pages and their output
    /// files, for every register whose frozen pages the plan carried over
    /// (the same files as long as the fingerprint is the same: a later
    /// footprint shares them instead of naming 10,000 files again).
    carried: BTreeMap<String, (String, Arc<BTreeSet<String>>)>,
    /// Index folder → inputs, of every search index.
    indexes: Arc<BTreeMap<String, Vec<Input>>>,
    /// What decides the plan's page list besides the item files there are
    /// (see [`in_place::Shape`]); `None` when not known.
    shape: Option<in_place::Shape>,
    /// Whether it was made by updating the footprint before it (see
    /// [`Footprint::in_place`]). Not part of equality.
    in_place: bool,
    /// For the public site and then `/draft/`: the scope a page of that kind
    /// is in, and its purpose slugs (name → slug).
    scopes: [(Option<ScopeKind>, BTreeMap<String, String>); 2],
    /// The title of every working-copy item, by its file (to tell, after an
    /// edit, whether an item's title changed: see [`Suspects`]).
    titles: Titles,
    /// For the public site and then `/draft/`: the item files each item's
    /// text mentions, as the plan found them (see `Plan::mentions_of`), by
    /// the item's file; numbers in `inputs`. A rebuild after edits of items
    /// takes those of the items the edits cannot concern instead of reading
    /// their texts again (see [`Suspects`]). Not part of equality.
    mentions: [HashMap<u32, Arc<[u32]>>; 2],
    /// By input number: the id its file had in the site of the plan
    /// (`u32::MAX`: not a working-copy item's file), to find the item a
    /// kept mention names without looking its path up.
    files: Arc<Vec<u32>>,
}

/// A page's inputs (numbers in a footprint's table), shared by the
/// footprints after it while they stay the same.
type Ids = Arc<[u32]>;

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
        // A page whose inputs are settled by the inputs it had (see
        // `Plan::closed_inputs`) keeps them when none of them changed; so does
        // any other page the changes cannot concern (see `Suspects`).
        let suspects = Suspects::new(self, before, changes);
        let (seeded, carried_mentions) = match &suspects {
            Some(s) => self.seed_mentions(before, s),
            None => Default::default(),
        };
        // Which inputs of the footprint before the changes cover.
        let touched: Vec<bool> = {
            use rayon::prelude::*;
            before
                .inputs
                .par_iter()
                .map(|input| changes.iter().any(|c| input.covers(c)))
                .collect()
        };
        let mut numbering = Numbering {
            table: Arc::clone(&before.inputs),
            numbers: Arc::clone(&before.numbers),
        };
        let found = match &suspects {
            Some(s) => self.rebuild_in_place(before, changes, s, &touched, &mut numbering),
            None => None,
        };
        let (again, mut footprint, tidied) = if let Some((again, footprint)) = found {
            (again, footprint, false)
        } else {
            let found = self.rebuild_all(before, changes, suspects.as_ref(), &touched);
            self.footprint_since(before, found, &mut numbering)
        };
        // Numbered again: what the memo before holds would be misread.
        let mut mentions = if tidied {
            Default::default()
        } else {
            carried_mentions
        };
        self.found_mentions(&seeded, &mut numbering, &mut mentions);
        footprint.inputs = numbering.table;
        footprint.numbers = numbering.numbers;
        footprint.mentions = mentions;
        footprint.files = self.file_ids(before, &footprint.inputs, footprint.in_place);
        footprint.titles = self.item_titles(before, suspects.as_ref());
        (again, footprint)
    }

    /// Every page not carried over (by its position in the plan's page
    /// list), with its site path and inputs, and whether to render it again
    /// (see [`Plan::rebuild_since`]), found page by page.
    fn rebuild_all<'f>(
        &self,
        before: &'f Footprint,
        changes: &[Change],
        suspects: Option<&Suspects<'_>>,
        touched: &[bool],
    ) -> Vec<Planned<'a, '_, 'f>> {
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
        self.pages
            .par_iter()
            .enumerate()
            .filter(|(_, page)| !page.reused)
            .map(|(at, page)| {
                let at = u32::try_from(at).unwrap_or(u32::MAX);
                let path = self.site_path(page);
                let renamed = renamed[usize::from(page.scope == ScopeKind::Draft)];
                let old = before.pages.get(&path);
                let old_covered = old.is_some_and(|old| old.iter().any(|&i| touched[i as usize]));
                let settled = |_: &&Ids| match suspects {
                    Some(s) => s.settled(page, old_covered),
                    None => !old_covered && self.closed_inputs(page),
                };
                if let Some(old) = old.filter(settled) {
                    return (page, at, path, Inputs::Kept(old), renamed || old_covered);
                }
                let inputs = self.inputs(page);
                let again = renamed || old.is_none() || old_covered || covers(&inputs, changes);
                let inputs = match old {
                    Some(_) => Inputs::Found(inputs),
                    None => Inputs::New(inputs),
                };
                (page, at, path, inputs, again)
            })
            .collect()
    }

    /// The pages to render again and this plan's footprint (but for its
    /// input table, mentions and titles), from every page [`Plan::rebuild_all`]
    /// found; says whether the inputs were numbered again (see
    /// [`Numbering::tidy`]).
    fn footprint_since<'p>(
        &'p self,
        before: &Footprint,
        planned: Vec<Planned<'a, 'p, '_>>,
        numbering: &mut Numbering,
    ) -> (Vec<&'p PlannedPage<'a>>, Footprint, bool) {
        let mut again = Vec::new();
        let mut entries = Vec::with_capacity(planned.len());
        let mut known = true;
        for (page, at, path, inputs, render) in planned {
            if render {
                again.push(page);
            }
            let ids = match inputs {
                Inputs::Kept(ids) => Arc::clone(ids),
                Inputs::Found(inputs) => inputs.into_iter().map(|i| numbering.number(i)).collect(),
                Inputs::New(inputs) => {
                    known = false;
                    inputs.into_iter().map(|i| numbering.number(i)).collect()
                }
            };
            let path = Arc::from(path);
            entries.push(Entry { path, at, ids });
        }
        let outputs = before.outputs_for(&entries, known);
        let tidied = numbering.tidy(&mut entries);
        let carried = self.carried_outputs(before);
        let footprint = self.footprint_of(Pages::new(entries), (outputs, carried));
        (again, footprint, tidied)
    }

    /// Gives this plan the mentions the footprint before found for the
    /// working-copy items `suspects` cannot concern (their texts, the ids
    /// and the other titles are the same); returns which items got them (by
    /// scope kind, by file) and those mentions as this plan's footprint
    /// keeps them (the numbering before is kept, extended).
    fn seed_mentions(&self, before: &Footprint, suspects: &Suspects<'_>) -> Seeded {
        let files = &self.site.files;
        // The file an input named in the site before, if it still has that
        // id (else its mentions are found again).
        let file = |n: u32| {
            let id = FileId(*before.files.get(n as usize)?);
            let Some(Input::File(path)) = before.inputs.get(n as usize) else {
                return None;
            };
            ((id.0 as usize) < files.len() && files.path(id) == path).then_some(id)
        };
        let mut seeded: [Vec<bool>; 2] = Default::default();
        let mut kept: [HashMap<u32, Arc<[u32]>>; 2] = Default::default();
        for (k, kind) in KINDS.into_iter().enumerate() {
            if before.mentions[k].is_empty() {
                continue;
            }
            let (first, slots) = self.mention_slots(kind);
            seeded[k] = vec![false; slots.len()];
            kept[k].reserve(before.mentions[k].len());
            for (&item, found) in &before.mentions[k] {
                let Some(at) = file(item).filter(|f| !suspects.files.contains(f)) else {
                    continue;
                };
                let Some(files) = found.iter().map(|&n| file(n)).collect::<Option<Vec<_>>>() else {
                    continue;
                };
                let Some(slot_at) = at.0.checked_sub(first) else {
                    continue;
                };
                if let Some(slot) = slots.get(slot_at as usize)
                    && slot.set(files).is_ok()
                {
                    seeded[k][slot_at as usize] = true;
                    kept[k].insert(item, Arc::clone(found));
                }
            }
        }
        (seeded, kept)
    }

    /// By number in `table` (this plan's footprint's input table): the id
    /// of the working-copy item file each input names (`u32::MAX`: none);
    /// those of the footprint before when this one was updated from it
    /// (`in_place`: the same files, numbered the same), found for the
    /// inputs numbered since; else found afresh.
    fn file_ids(&self, before: &Footprint, table: &[Input], in_place: bool) -> Arc<Vec<u32>> {
        let known = if in_place { before.files.len() } else { 0 };
        if known == table.len() {
            return Arc::clone(&before.files);
        }
        let site = self.site;
        let by_path: HashMap<&str, FileId> = site
            .registers
            .iter()
            .flat_map(|r| &r.working.items)
            .map(|i| (site.files.path(i.file), i.file))
            .collect();
        let mut out = Vec::with_capacity(table.len());
        out.extend_from_slice(&before.files[..known]);
        out.extend(table[known..].iter().map(|input| match input {
            Input::File(path) => by_path.get(path.as_str()).map_or(u32::MAX, |f| f.0),
            _ => u32::MAX,
        }));
        Arc::new(out)
    }

    /// Adds to `memo` the mentions this plan found itself (not `seeded`).
    fn found_mentions(
        &self,
        seeded: &[Vec<bool>; 2],
        numbering: &mut Numbering,
        memo: &mut [HashMap<u32, Arc<[u32]>>; 2],
    ) {
        for k in 0..KINDS.len() {
            let Some((first, slots)) = self.mentions[k].get() else {
                continue;
            };
            for (at, slot) in slots.iter().enumerate() {
                let Some(found) = slot.get() else { continue };
                if seeded[k].get(at).copied().unwrap_or(false) {
                    continue;
                }
                let id = FileId(u32::try_from(at).map_or(u32::MAX, |at| first + at));
                let item = numbering.number(self.file(id));
                let found = found
                    .iter()
                    .map(|&f| numbering.number(self.file(f)))
                    .collect();
                memo[k].insert(item, found);
            }
        }
    }

    /// The output files of the frozen pages this plan carries over, by
    /// register (shared with the footprint before where its fingerprint is
    /// the same).
    fn carried_outputs(
        &self,
        before: &Footprint,
    ) -> BTreeMap<String, (String, Arc<BTreeSet<String>>)> {
        let mut out = BTreeMap::new();
        for key in &self.reuse.registers {
            let Some(fingerprint) = self.reuse.fingerprints.get(key) else {
                continue;
            };
            let files = match before.carried.get(key) {
                Some((f, files)) if f == fingerprint => Arc::clone(files),
                _ => Arc::new(
                    self.pages
                        .iter()
                        .filter(|p| p.reused && frozen_register(p) == Some(key.as_str()))
                        .map(|p| self.output_file(p))
                        .collect(),
                ),
            };
            out.insert(key.clone(), (fingerprint.clone(), files));
        }
        out
    }

    /// This plan's footprint, given its pages' inputs and output files.
    fn footprint_of(&self, pages: Pages, (outputs, carried): Outputs) -> Footprint {
        Footprint {
            pages,
            inputs: Arc::default(),
            numbers: Arc::default(),
            outputs,
            carried,
            indexes: Arc::new(
                self.indexes()
                    .iter()
                    .map(|i| (i.folder(), self.index_inputs(i)))
                    .collect(),
            ),
            shape: Some(self.shape()),
            in_place: false,
            mentions: Default::default(),
            files: Arc::default(),
            scopes: self.scope_slugs(),
            titles: Titles::default(),
        }
    }

    /// For the public site and then `/draft/`: the scope a page of that kind
    /// is in, and its purpose slugs.
    fn scope_slugs(&self) -> [(Option<ScopeKind>, BTreeMap<String, String>); 2] {
        KINDS.map(|kind| {
            let scope = self.scope(kind);
            let slugs = scope
                .purpose_slugs
                .iter()
                .map(|(name, slug)| ((*name).to_owned(), slug.clone()))
                .collect();
            (Some(scope.kind), slugs)
        })
    }

    /// The titles of every working-copy item, by file: those before with
    /// the edited items' own (`suspects`: only working-copy items were
    /// modified) while few were, else found again.
    fn item_titles(&self, before: &Footprint, suspects: Option<&Suspects<'_>>) -> Titles {
        match suspects {
            Some(s) if !before.titles.base.is_empty() && before.titles.edited.len() < 256 => {
                let mut edited = before.titles.edited.clone();
                edited.extend(
                    s.titles
                        .iter()
                        .map(|(path, title)| ((*path).to_owned(), (*title).to_owned())),
                );
                Titles {
                    base: Arc::clone(&before.titles.base),
                    edited,
                }
            }
            _ => Titles {
                base: Arc::new(
                    self.site
                        .registers
                        .iter()
                        .flat_map(|r| &r.working.items)
                        .map(|i| {
                            let path = self.site.files.path(i.file).to_owned();
                            (path, i.title.value.clone())
                        })
                        .collect(),
                ),
                edited: HashMap::new(),
            },
        }
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

    /// [`Plan::indexes_since`], given this plan's footprint `now` (which
    /// knows the indexes' inputs already).
    pub fn indexes_between(
        &self,
        before: &Footprint,
        now: &Footprint,
        changes: &[Change],
    ) -> Vec<IndexId<'a>> {
        // Shared (updated in place): the same inputs, looked at once.
        let same = Arc::ptr_eq(&before.indexes, &now.indexes);
        self.indexes()
            .into_iter()
            .filter(|index| {
                let folder = index.folder();
                let covered =
                    |f: &Footprint| f.indexes.get(&folder).is_none_or(|i| covers(i, changes));
                covered(before) || (!same && covered(now))
            })
            .collect()
    }

    /// The output files of the plan before (its footprint) that this plan no
    /// longer has, to delete.
    pub fn outputs_removed_since(&self, before: &Footprint) -> Vec<String> {
        let now: BTreeSet<String> = self.pages.iter().map(|p| self.output_file(p)).collect();
        before
            .all_outputs()
            .into_iter()
            .filter(|f| !now.contains(*f))
            .cloned()
            .collect()
    }

    /// [`Plan::outputs_removed_since`] from this plan's footprint (which
    /// knows the output files already), sorted.
    pub fn outputs_removed_between(before: &Footprint, now: &Footprint) -> Vec<String> {
        // The same files (shared): none gone.
        let mut out: Vec<String> = if Arc::ptr_eq(&before.outputs, &now.outputs) {
            Vec::new()
        } else {
            before
                .outputs
                .difference(&now.outputs)
                .filter(|f| !now.carries(f))
                .cloned()
                .collect()
        };
        for (key, (_, files)) in &before.carried {
            if now
                .carried
                .get(key)
                .is_some_and(|(_, theirs)| Arc::ptr_eq(files, theirs))
            {
                continue;
            }
            out.extend(
                files
                    .iter()
                    .filter(|f| !now.outputs.contains(*f) && !now.carries(f))
                    .cloned(),
            );
        }
        out.sort();
        out
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

/// When every change modifies working-copy item files (the edits `serve`
/// sees most), which pages' inputs may differ from those they had although
/// none of them changed. Such pages (item, purpose and department pages,
/// whose inputs are found by looking at items they need not show: see
/// `Plan::closed_inputs`) are otherwise found again one by one, which looks
/// at every item's text. With no file appearing or vanishing, and lists,
/// editions, departments and the site unchanged, an unchanged item's page
/// lists other items' files only as those its text mentions: by id (the ids
/// are the same) or by title. Only a changed title can change the latter,
/// and only for texts holding the old or the new title. So a page is
/// concerned when
///
/// - an item page's item holds a changed title of its register in its text;
/// - a purpose page's purpose is one of a changed item's, or of an item
///   holding a changed title;
/// - a department page's department is named by a changed item;
/// - any of these pages had a changed file among its inputs.
struct Suspects<'a> {
    /// Item ids (by register key) whose text holds a changed title.
    holders: HashMap<&'a str, Vec<&'a str>>,
    /// The file and new title of every edited item.
    titles: Vec<(&'a str, &'a str)>,
    /// The files of the edited items and of the items holding a changed title.
    files: std::collections::HashSet<FileId>,
    purposes: std::collections::HashSet<&'a str>,
    departments: std::collections::HashSet<&'a str>,
}

impl<'a> Suspects<'a> {
    /// `None` unless every change modifies a working-copy item file that the
    /// footprint before knew the title of.
    fn new(plan: &Plan<'a>, before: &Footprint, changes: &[Change]) -> Option<Self> {
        use crate::model::{Item, mention};
        use rayon::prelude::*;
        let site = plan.site;
        // Few paths, looked for among every item's: compared, not hashed.
        let mut paths = changes
            .iter()
            .map(|c| match c {
                Change::Modified(path) => Some(path.as_str()),
                Change::Added(_) | Change::Removed(_) => None,
            })
            .collect::<Option<Vec<&str>>>()?;
        paths.sort_unstable();
        paths.dedup();
        let mut edited = Vec::new();
        for r in &site.registers {
            for item in &r.working.items {
                let path = site.files.path(item.file);
                if paths.contains(&path) {
                    edited.push((r, item, before.titles.get(path)?.as_str()));
                }
            }
        }
        // Every change is an item's (a path names one file, so one item).
        if edited.len() != paths.len() {
            return None;
        }
        let mut suspects = Suspects {
            titles: edited
                .iter()
                .map(|(_, item, _)| (site.files.path(item.file), item.title.value.as_str()))
                .collect(),
            holders: HashMap::new(),
            files: edited.iter().map(|(_, item, _)| item.file).collect(),
            purposes: std::collections::HashSet::new(),
            departments: std::collections::HashSet::new(),
        };
        for (register, item, old) in &edited {
            suspects
                .purposes
                .extend(item.purposes.iter().map(String::as_str));
            suspects
                .departments
                .extend(item.department_refs().map(|d| d.value.as_str()));
            let new = item.title.value.as_str();
            if *old == new {
                continue;
            }
            // Every item's texts, looked at on every core.
            let holders: Vec<&Item> = register
                .working
                .items
                .par_iter()
                .filter(|other| {
                    mention::texts(other).iter().any(|(_, t)| {
                        mention::mentions_title(t, old) || mention::mentions_title(t, new)
                    })
                })
                .collect();
            for other in holders {
                suspects
                    .holders
                    .entry(register.key.as_str())
                    .or_default()
                    .push(other.id.as_str());
                suspects.files.insert(other.file);
                suspects
                    .purposes
                    .extend(other.purposes.iter().map(String::as_str));
            }
        }
        Some(suspects)
    }

    /// Whether `page` keeps the inputs it had, given whether one of them
    /// changed (`covered`). Only item, purpose and department pages find their
    /// inputs by looking at the content of items (what an item mentions or
    /// merges into, which items have a purpose or name a department); every
    /// other page's inputs depend on which item files there are, which did
    /// not change, and on files that did not change.
    fn settled(&self, page: &PlannedPage<'_>, covered: bool) -> bool {
        use super::page::PageId;
        match page.id {
            PageId::Item { register, item } => {
                !covered
                    && !self
                        .holders
                        .get(register)
                        .is_some_and(|ids| ids.contains(&item))
            }
            PageId::Purpose { purpose } => !covered && !self.purposes.contains(purpose),
            PageId::Department { department } => !covered && !self.departments.contains(department),
            _ => true,
        }
    }
}

/// Which items [`Plan::seed_mentions`] gave mentions to (by scope kind, by
/// file), and those mentions as a footprint keeps them.
type Seeded = ([Vec<bool>; 2], [HashMap<u32, Arc<[u32]>>; 2]);

/// A footprint's output files: those of the pages not carried over, and
/// those carried over by register.
type Outputs = (
    Arc<BTreeSet<String>>,
    BTreeMap<String, (String, Arc<BTreeSet<String>>)>,
);

/// The register of a frozen page (an edition or an item in it).
fn frozen_register<'p>(page: &PlannedPage<'p>) -> Option<&'p str> {
    match page.id {
        super::page::PageId::Edition { register, .. }
        | super::page::PageId::Frozen { register, .. } => Some(register),
        _ => None,
    }
}

/// The title of every working-copy item, by its file: those of a footprint
/// made afresh (shared by the footprints after it), and those of items
/// edited since (see `Plan::item_titles`).
#[derive(Clone, Debug, Default)]
struct Titles {
    base: Arc<HashMap<String, String>>,
    edited: HashMap<String, String>,
}

impl Titles {
    fn get(&self, path: &str) -> Option<&String> {
        self.edited.get(path).or_else(|| self.base.get(path))
    }

    /// Every title, by file.
    fn resolved(&self) -> HashMap<&str, &str> {
        let mut out: HashMap<&str, &str> = self
            .base
            .iter()
            .map(|(p, t)| (p.as_str(), t.as_str()))
            .collect();
        out.extend(self.edited.iter().map(|(p, t)| (p.as_str(), t.as_str())));
        out
    }
}

impl PartialEq for Titles {
    fn eq(&self, other: &Titles) -> bool {
        self.resolved() == other.resolved()
    }
}

/// A page of [`Plan::rebuild_all`]: its position in the plan's page list,
/// its site path, its inputs, and whether to render it again.
type Planned<'a, 'p, 'f> = (&'p PlannedPage<'a>, u32, String, Inputs<'f>, bool);

/// A page's inputs in [`Plan::rebuild_since`]: kept from the footprint before
/// (numbers in its table), or found in this plan (for a page the footprint
/// before has, or a new one).
enum Inputs<'f> {
    Kept(&'f Ids),
    Found(Vec<Input>),
    New(Vec<Input>),
}

/// The input table of a footprint being made: the one before, extended.
struct Numbering {
    table: Arc<Vec<Input>>,
    numbers: Arc<FastMap<Input, u32>>,
}

impl Numbering {
    /// The number of `input`, given one if it has none (the tables before
    /// are shared until then).
    fn number(&mut self, input: Input) -> u32 {
        if let Some(&n) = self.numbers.get(&input) {
            return n;
        }
        let n = u32::try_from(self.table.len()).unwrap_or(u32::MAX);
        Arc::make_mut(&mut self.table).push(input.clone());
        Arc::make_mut(&mut self.numbers).insert(input, n);
        n
    }

    /// Numbers the inputs again, leaving out those no page has any more, once
    /// they are as many as those in use (edits that rename files leave some).
    /// Returns whether it numbered them again.
    fn tidy(&mut self, pages: &mut [Entry]) -> bool {
        let mut used = vec![false; self.table.len()];
        for page in pages.iter() {
            for &i in page.ids.iter() {
                used[i as usize] = true;
            }
        }
        let live = used.iter().filter(|u| **u).count();
        if self.table.len() <= 2 * live.max(1024) {
            return false;
        }
        let mut fresh = Numbering {
            table: Arc::new(Vec::with_capacity(live)),
            numbers: Arc::new(super::hash::map_with(live)),
        };
        let old = std::mem::take(&mut self.table);
        for page in pages.iter_mut() {
            page.ids = page
                .ids
                .iter()
                .map(|&i| fresh.number(old[i as usize].clone()))
                .collect();
        }
        *self = fresh;
        true
    }
}

impl PartialEq for Footprint {
    /// Equal when every page has the same inputs (however they are numbered)
    /// and the outputs, indexes and scopes are the same.
    fn eq(&self, other: &Footprint) -> bool {
        let resolve = |f: &Footprint, ids: &[u32]| -> Vec<Input> {
            ids.iter().map(|&i| f.inputs[i as usize].clone()).collect()
        };
        self.pages.len() == other.pages.len()
            && self.pages.iter().all(|(path, ids)| {
                other
                    .pages
                    .get(path)
                    .is_some_and(|theirs| resolve(self, ids) == resolve(other, theirs))
            })
            && self.all_outputs() == other.all_outputs()
            && self.indexes == other.indexes
            && self.scopes == other.scopes
            && self.titles == other.titles
    }
}

impl Footprint {
    /// The output files of `pages` (site paths, all of which this footprint
    /// has when `known`): this footprint's own when it names the same pages,
    /// each with its own file (shared, not named again), else found from the
    /// paths.
    fn outputs_for(&self, pages: &[Entry], known: bool) -> Arc<BTreeSet<String>> {
        // As many pages, none new: the same pages.
        let same =
            known && pages.len() == self.pages.len() && self.outputs.len() == self.pages.len();
        if same {
            return Arc::clone(&self.outputs);
        }
        Arc::new(
            pages
                .iter()
                .map(|p| super::url::output_file(&p.path))
                .collect(),
        )
    }

    /// Every output file, whether carried over or not.
    fn all_outputs(&self) -> BTreeSet<&String> {
        let carried = self.carried.values().flat_map(|(_, files)| files.iter());
        self.outputs.iter().chain(carried).collect()
    }

    /// Whether `file` is a carried-over output.
    fn carries(&self, file: &str) -> bool {
        self.carried
            .iter()
            .any(|(key, (_, files))| file.starts_with(key.as_str()) && files.contains(file))
    }

    /// How many pages' inputs it holds.
    pub fn pages(&self) -> usize {
        self.pages.len()
    }

    /// Whether [`Plan::rebuild_since`] made it by updating the footprint
    /// before (after edits that only modified working-copy items, when the
    /// plan has the same pages), instead of naming every page again.
    pub fn in_place(&self) -> bool {
        self.in_place
    }

    /// Forgets the pages (by site path) that `keep` refuses, and their
    /// output files.
    pub fn retain(&mut self, keep: impl Fn(&str) -> bool) {
        let mut entries = self.pages.entries();
        entries.retain(|e| keep(&e.path));
        self.outputs = Arc::new(
            entries
                .iter()
                .map(|e| super::url::output_file(&e.path))
                .collect(),
        );
        self.pages = Pages::new(entries);
        // The pages are no longer those of a plan.
        self.shape = None;
    }

    /// What [`Plan::rebuild_since`] needs of it (the pages' inputs and the
    /// purpose slugs; not the outputs or indexes), as bytes to keep in a file.
    pub fn to_bytes(&self) -> Vec<u8> {
        let none = HashMap::new();
        let mut w = Writer::new(&none);
        let mut pages: Vec<(&str, &Ids)> = self.pages.iter().collect();
        pages.sort();
        w.usize(pages.len());
        for (path, inputs) in pages {
            w.str(path);
            w.usize(inputs.len());
            for &i in inputs.iter() {
                w.u32(i);
            }
        }
        w.usize(self.inputs.len());
        for input in self.inputs.iter() {
            let (tag, path) = match input {
                Input::File(p) => (0, p.as_str()),
                Input::Folder(p) => (1, p.as_str()),
                Input::Listing(p) => (2, p.as_str()),
                Input::Theme => (3, ""),
            };
            w.u32(tag);
            w.str(path);
        }
        for (kind, slugs) in &self.scopes {
            w.u32(match kind {
                None => 0,
                Some(ScopeKind::Public) => 1,
                Some(ScopeKind::Draft) => 2,
            });
            w.put(slugs);
        }
        w.buf
    }

    /// Reads [`Footprint::to_bytes`]; `None` unless they read back whole.
    pub fn from_bytes(bytes: &[u8]) -> Option<Footprint> {
        let mut r = Reader::new(bytes, &[]);
        let mut out = Footprint::default();
        let mut entries = Vec::new();
        for _ in 0..r.usize()? {
            let path = r.string()?;
            let n = r.usize()?;
            let inputs = (0..n).map(|_| r.u32()).collect::<Option<Vec<u32>>>()?;
            // Where the page is in a plan is not known here.
            let (path, at, ids) = (Arc::from(path), u32::MAX, inputs.into());
            entries.push(Entry { path, at, ids });
        }
        out.pages = Pages::new(entries);
        for _ in 0..r.usize()? {
            let (tag, path) = (r.u32()?, r.string()?);
            Arc::make_mut(&mut out.inputs).push(match tag {
                0 => Input::File(path),
                1 => Input::Folder(path),
                2 => Input::Listing(path),
                3 => Input::Theme,
                _ => return None,
            });
        }
        let count = out.inputs.len();
        if out
            .pages
            .iter()
            .flat_map(|(_, ids)| ids.iter())
            .any(|&i| i as usize >= count)
        {
            return None;
        }
        out.numbers = Arc::new(
            (0..count)
                .map(|i| (out.inputs[i].clone(), u32::try_from(i).unwrap_or(u32::MAX)))
                .collect(),
        );
        for scope in &mut out.scopes {
            scope.0 = match r.u32()? {
                0 => None,
                1 => Some(ScopeKind::Public),
                2 => Some(ScopeKind::Draft),
                _ => return None,
            };
            scope.1 = r.get()?;
        }
        r.done().then_some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_footprint_reads_back_with_its_numbering() {
        let mut numbering = Numbering {
            table: Arc::default(),
            numbers: Arc::default(),
        };
        let a = numbering.number(Input::File("content/site.yaml".to_owned()));
        let b = numbering.number(Input::Listing("content/lists/stamp/items/".to_owned()));
        let c = numbering.number(Input::Theme);
        let entry = |path: &str, at, ids: &[u32]| Entry {
            path: Arc::from(path),
            at,
            ids: Arc::from(ids),
        };
        let mut footprint = Footprint {
            pages: Pages::new(vec![entry("stamp/", 0, &[a, b]), entry("", 1, &[c])]),
            inputs: numbering.table,
            numbers: numbering.numbers,
            ..Footprint::default()
        };
        footprint.scopes[0] = (
            Some(ScopeKind::Public),
            BTreeMap::from([("入学".to_owned(), "ruxue".to_owned())]),
        );
        let back = Footprint::from_bytes(&footprint.to_bytes()).expect("reads back");
        assert!(back == footprint);
        for (i, input) in back.inputs.iter().enumerate() {
            assert_eq!(back.numbers[input] as usize, i, "{input:?}");
        }
        assert!(Footprint::from_bytes(&footprint.to_bytes()[1..]).is_none());
    }

    #[test]
    fn tidying_drops_unused_inputs_and_keeps_each_pages_inputs() {
        let mut numbering = Numbering {
            table: Arc::default(),
            numbers: Arc::default(),
        };
        // 5,000 inputs, of which pages use 2,200: more than twice as many.
        let ids: Vec<u32> = (0..5000)
            .map(|n| numbering.number(Input::File(format!("content/{n}.yaml"))))
            .collect();
        let entry = |path: String, ids: Ids| Entry {
            path: Arc::from(path),
            at: 0,
            ids,
        };
        let mut pages: Vec<Entry> = (0..1100)
            .map(|n| entry(format!("p{n}/"), Arc::from([ids[n * 2], ids[n * 2 + 1]])))
            .collect();
        pages.push(entry(
            "all/".to_owned(),
            (0..1100).map(|n| ids[n]).collect(),
        ));
        let before: Vec<Vec<Input>> = pages
            .iter()
            .map(|p| {
                p.ids
                    .iter()
                    .map(|&i| numbering.table[i as usize].clone())
                    .collect()
            })
            .collect();
        numbering.tidy(&mut pages);
        assert_eq!(numbering.table.len(), 2200);
        assert_eq!(numbering.numbers.len(), 2200);
        for (page, inputs) in pages.iter().zip(before) {
            let now: Vec<Input> = page
                .ids
                .iter()
                .map(|&i| numbering.table[i as usize].clone())
                .collect();
            assert_eq!(now, inputs, "{}", page.path);
        }
        // Nothing to drop: the table stays as it is.
        let kept = numbering.table.clone();
        numbering.tidy(&mut pages);
        assert_eq!(numbering.table, kept);
    }
}
