//! PLAN: what each page is made from, so a rebuild can tell which pages one
//! changed file affects.
//!
//! Inputs are paths relative to the site root. A page's inputs are the files
//! whose content it shows, the folders whose list of files it shows (counts,
//! sitemaps), and the theme. Frozen editions are sealed, so an edition folder
//! is one input. Structural changes (a page appearing or disappearing, a
//! purpose's slug changing because a homophone was added) are found by
//! comparing the page ids and [`super::Scope::purpose_slugs`] of two plans.

use std::sync::OnceLock;

use super::Plan;
use super::files::DataFile;
use super::page::{PageId, PlannedPage};
use super::publish::{Published, Scope, ScopeKind};
use crate::diagnostic::FileId;
use crate::model::Item;
use crate::model::mention;

/// One thing a page is made from.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Input {
    /// A file's content (`content/lists/stamp/items/GZ-013.yaml`).
    File(String),
    /// Every file under a folder, and which files it holds (`content/lists/stamp/editions/`).
    Folder(String),
    /// Which files a folder holds, not their content (item counts, sitemaps).
    Listing(String),
    /// The theme: templates, static files, theme configuration (`themes/`), and the
    /// theme built into minglu.
    Theme,
}

/// A change to one file under the site root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// The file's content changed.
    Modified(String),
    /// The file is new.
    Added(String),
    /// The file is gone.
    Removed(String),
}

impl Change {
    /// The changed file, relative to the site root with `/`.
    pub fn path(&self) -> &str {
        match self {
            Change::Modified(p) | Change::Added(p) | Change::Removed(p) => p,
        }
    }
}

impl Input {
    /// Whether `change` can change a page made from this input.
    pub fn covers(&self, change: &Change) -> bool {
        let path = change.path();
        match self {
            Input::File(file) => path == file,
            Input::Folder(folder) => path.starts_with(folder.as_str()),
            Input::Listing(folder) => {
                !matches!(change, Change::Modified(_)) && path.starts_with(folder.as_str())
            }
            Input::Theme => path.starts_with("themes/"),
        }
    }
}

fn editions_folder(key: &str) -> String {
    format!("content/lists/{key}/editions/")
}

fn items_folder(key: &str) -> String {
    format!("content/lists/{key}/items/")
}

impl Plan<'_> {
    pub(super) fn file(&self, id: crate::diagnostic::FileId) -> Input {
        Input::File(self.site.files.path(id).to_owned())
    }

    fn item_file(&self, item: &Item) -> Input {
        self.file(item.file)
    }

    /// Inputs of every page of a scope: the site's configuration and free pages
    /// (navigation), the theme, every register's editions (which is shown, the
    /// currency line) and list, and the site's departments (names and contacts).
    pub(super) fn common(&self, scope: &Scope<'_>) -> Vec<Input> {
        let mut out = vec![
            Input::File("content/site.yaml".to_owned()),
            Input::Folder("content/pages/".to_owned()),
            Input::Theme,
        ];
        for p in &scope.registers {
            out.push(Input::Folder(editions_folder(&p.register.key)));
            if p.edition.is_none() {
                out.push(self.file(p.snapshot.list.file));
            }
        }
        // Department names resolve with the site's departments.yaml for the
        // working copy and editions without their own, and every page that
        // names a department shows its contact details from the site's file.
        out.push(Input::File("content/departments.yaml".to_owned()));
        out
    }

    /// The item files a scope shows of one register (none for a frozen
    /// edition: its folder is a common input), and the items folder's listing.
    fn shown(&self, p: &Published<'_>, keep: impl Fn(&Item) -> bool) -> Vec<Input> {
        if p.edition.is_some() {
            return Vec::new();
        }
        let mut out = vec![Input::Listing(items_folder(&p.register.key))];
        out.extend(self.item_files(p, keep));
        out
    }

    /// [`Plan::shown`] for the items with these ids (found by id, not by a
    /// pass over every item).
    fn shown_ids<'i>(
        &self,
        p: &Published<'_>,
        ids: impl IntoIterator<Item = Option<&'i str>>,
    ) -> Vec<Input> {
        if p.edition.is_some() {
            return Vec::new();
        }
        let mut out = vec![Input::Listing(items_folder(&p.register.key))];
        for id in ids.into_iter().flatten() {
            out.extend(p.snapshot.item(id).map(|i| self.item_file(i)));
        }
        out
    }

    /// The files of the working-copy items of `p` that `keep` selects (none
    /// for a frozen edition: its folder is a common input).
    fn item_files(&self, p: &Published<'_>, keep: impl Fn(&Item) -> bool) -> Vec<Input> {
        if p.edition.is_some() {
            return Vec::new();
        }
        p.snapshot
            .items
            .iter()
            .filter(|i| keep(i))
            .map(|i| self.item_file(i))
            .collect()
    }

    pub(super) fn all_shown(&self, scope: &Scope<'_>, keep: impl Fn(&Item) -> bool) -> Vec<Input> {
        scope
            .registers
            .iter()
            .flat_map(|p| self.shown(p, &keep))
            .collect()
    }

    /// The files of the working-copy items that `items` (of register `p`)
    /// mention by id (in any register of the scope) or by title (in their own
    /// register).
    fn mentioned(&self, scope: &Scope<'_>, p: &Published<'_>, items: &[&Item]) -> Vec<Input> {
        items
            .iter()
            .flat_map(|i| self.mentions_of(scope, p, i))
            .map(|&f| self.file(f))
            .collect()
    }

    /// The files of the working-copy items `item` (of register `p`) mentions
    /// (see [`Plan::mentioned`]); found once per plan, scope and item.
    fn mentions_of(&self, scope: &Scope<'_>, p: &Published<'_>, item: &Item) -> &[FileId] {
        // Nothing to find when every register shows a frozen edition.
        if scope.registers.iter().all(|r| r.edition.is_some()) {
            return &[];
        }
        let (first, slots) = self.mention_slots(scope.kind);
        let at = item.file.0.checked_sub(first);
        let Some(slot) = at.and_then(|at| slots.get(at as usize)) else {
            return &[];
        };
        slot.get_or_init(|| {
            let prefixes: Vec<&str> = scope
                .registers
                .iter()
                .map(|r| r.snapshot.list.id_prefix.as_str())
                .collect();
            let mut files = Vec::new();
            for (_, text) in mention::texts(item) {
                for m in mention::item_ids(text, &prefixes) {
                    let owner = scope
                        .registers
                        .iter()
                        .find(|r| r.snapshot.list.id_prefix == m.prefix);
                    if let Some(r) = owner.filter(|r| r.edition.is_none()) {
                        files.extend(r.snapshot.item(m.id).map(|i| i.file));
                    }
                }
                if let Some(titles) = self.titles(scope.kind, &p.register.key) {
                    files.extend(titles.found_in(text));
                }
            }
            files
        })
    }

    /// The files each item the scope of `kind` shows mentions, by the
    /// item's file id less the first id returned (the smallest of those
    /// items': not a slot for every file of the site, most of which are
    /// frozen editions' that no such scope shows), each found when first
    /// asked for (or given by [`Plan::rebuild_since`] from the footprint
    /// before).
    pub(super) fn mention_slots(&self, kind: ScopeKind) -> (u32, &[OnceLock<Vec<FileId>>]) {
        let (first, slots) =
            self.mentions[usize::from(kind == ScopeKind::Draft)].get_or_init(|| {
                let ids = self
                    .scope(kind)
                    .registers
                    .iter()
                    .flat_map(|p| &p.snapshot.items)
                    .map(|i| i.file.0);
                let (first, last) =
                    ids.fold((u32::MAX, 0), |(lo, hi), id| (lo.min(id), hi.max(id)));
                let count = (last + 1).saturating_sub(first) as usize;
                (first, (0..count).map(|_| OnceLock::new()).collect())
            });
        (*first, slots)
    }

    /// What a page is made from, sorted and without duplicates.
    pub fn inputs(&self, page: &PlannedPage<'_>) -> Vec<Input> {
        let scope = self.scope(page.scope);
        let mut out = self.common(scope);
        let register = |key: &str| scope.position(key).map(|i| &scope.registers[i]);
        match page.id {
            PageId::Home
            | PageId::Departments
            | PageId::Purposes
            | PageId::Sitemap
            | PageId::Data(DataFile::Index) => {
                out.extend(self.all_shown(scope, |_| true));
            }
            // The data page names each register by its working copy's title.
            PageId::DataPage => {
                out.extend(self.all_shown(scope, |_| true));
                out.extend(
                    self.site
                        .registers
                        .iter()
                        .map(|r| self.file(r.working.list.file)),
                );
            }
            PageId::Register { register: key }
            | PageId::Data(DataFile::Register { register: key, .. }) => {
                out.extend(
                    register(key)
                        .map(|p| self.shown(p, |_| true))
                        .unwrap_or_default(),
                );
            }
            // An item page links the items it mentions (cross-references):
            // their files. An item that starts or stops being mentioned is
            // found by asking the plans before and after the change.
            PageId::Item {
                register: key,
                item,
            } => {
                if let Some(p) = register(key) {
                    let merged = merged_into(p, item);
                    out.extend(self.shown_ids(p, [Some(item), merged]));
                    if let Some(it) = p.snapshot.item(item) {
                        out.extend(self.mentioned(scope, p, &[it]));
                    }
                }
            }
            // A notice shows its item and the departments' contacts (common).
            PageId::Notice {
                register: key,
                item,
            } => {
                if let Some(p) = register(key) {
                    out.extend(self.shown_ids(p, [Some(item)]));
                }
            }
            PageId::Department { department } => {
                out.extend(self.all_shown(scope, |i| {
                    i.department_refs().any(|d| d.value == department)
                }));
            }
            // A purpose page also lists the items its items refer to.
            PageId::Purpose { purpose } => {
                let has = |i: &Item| i.purposes.iter().any(|p| p == purpose);
                out.extend(self.all_shown(scope, has));
                for p in &scope.registers {
                    let listed: Vec<&Item> = p.snapshot.items.iter().filter(|i| has(i)).collect();
                    out.extend(self.mentioned(scope, p, &listed));
                }
            }
            PageId::Page { .. }
            | PageId::Withdrawn { .. }
            | PageId::Editions { .. }
            | PageId::Edition { .. }
            | PageId::Frozen { .. }
            | PageId::Changes
            | PageId::Feed { .. }
            | PageId::Search
            | PageId::NotFound
            | PageId::Robots
            | PageId::Data(DataFile::Edition { .. } | DataFile::Changes { .. })
            | PageId::Schema(_) => {}
        }
        out.sort();
        out.dedup();
        out
    }

    /// Whether the page's inputs are settled by its inputs: when none of them
    /// changed, neither did the list. Not so for pages whose inputs are found
    /// by looking at items they need not show: an item page or a purpose page
    /// (mentions by title, in a scope showing working copies), and a
    /// department page (which items name the department).
    pub(super) fn closed_inputs(&self, page: &PlannedPage<'_>) -> bool {
        match page.id {
            PageId::Item { .. } | PageId::Purpose { .. } => self
                .scope(page.scope)
                .registers
                .iter()
                .all(|r| r.edition.is_some()),
            PageId::Department { .. } => false,
            _ => true,
        }
    }

    /// Every page a change can affect: those with an input that covers it.
    /// Ask the plan built before the change and the one built after it (the
    /// union is exact; see the module documentation for structural changes).
    pub fn affected_by(&self, change: &Change) -> Vec<&PlannedPage<'_>> {
        self.pages
            .iter()
            .filter(|page| self.inputs(page).iter().any(|i| i.covers(change)))
            .collect()
    }
}

/// The item a creation item was merged into (its page shows that item's title).
fn merged_into<'a>(p: &Published<'a>, id: &str) -> Option<&'a str> {
    match &p.snapshot.item(id)?.details {
        crate::model::Details::Creation(c) => c.merged_into.as_ref().map(|m| m.value.as_str()),
        _ => None,
    }
}
