//! PLAN: what each page is made from, so a rebuild can tell which pages one
//! changed file affects.
//!
//! Inputs are paths relative to the site root. A page's inputs are the files
//! whose content it shows, the folders whose list of files it shows (counts,
//! sitemaps), and the theme. Frozen editions are sealed, so an edition folder
//! is one input. Structural changes (a page appearing or disappearing, a
//! purpose's slug changing because a homophone was added) are found by
//! comparing the page ids and [`super::Scope::purpose_slugs`] of two plans.

use std::collections::BTreeSet;

use super::Plan;
use super::files::DataFile;
use super::page::{PageId, PlannedPage};
use super::publish::{Published, Scope};
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

    /// The files of the working-copy items that `items` (of `p`) mention by
    /// id (in any register of the scope) or by title (in `p`).
    fn mentioned(&self, scope: &Scope<'_>, p: &Published<'_>, items: &[&Item]) -> Vec<Input> {
        let prefixes: Vec<&str> = scope
            .registers
            .iter()
            .map(|r| r.snapshot.list.id_prefix.as_str())
            .collect();
        let mut out = Vec::new();
        for (_, text) in items.iter().flat_map(|i| mention::texts(i)) {
            for m in mention::item_ids(text, &prefixes) {
                let owner = scope
                    .registers
                    .iter()
                    .find(|r| r.snapshot.list.id_prefix == m.prefix);
                if let Some(r) = owner {
                    out.extend(self.item_files(r, |i| i.id == m.id));
                }
            }
            out.extend(self.item_files(p, |i| mention::mentions_title(text, &i.title)));
        }
        out
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
            | PageId::DataPage
            | PageId::Data(DataFile::Index) => {
                out.extend(self.all_shown(scope, |_| true));
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
                    out.extend(self.shown(p, |i| {
                        i.id == item || merged_into(p, item).is_some_and(|m| m == i.id)
                    }));
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
                    out.extend(self.shown(p, |i| i.id == item));
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

impl<'a> Plan<'a> {
    /// The pages of this plan, made after `change`, to render again, given the
    /// plan made before it: pages either plan says the change affects, pages
    /// that are new, and every page of a site where a purpose kept its name but
    /// got another slug (a homophone sorted before it).
    /// Pages carried over unchanged are left out.
    pub fn to_rebuild(&self, before: &Plan<'_>, change: &Change) -> Vec<&PlannedPage<'a>> {
        let old_pages: BTreeSet<String> =
            before.pages.iter().map(|p| before.site_path(p)).collect();
        let old_affected: BTreeSet<String> = before
            .affected_by(change)
            .into_iter()
            .map(|p| before.site_path(p))
            .collect();
        let slugs_changed = |kind| {
            let (old, new) = (before.scope(kind), self.scope(kind));
            old.kind != new.kind
                || new
                    .purpose_slugs
                    .iter()
                    .any(|(name, slug)| old.purpose_slugs.get(name).is_some_and(|s| s != slug))
        };
        self.pages
            .iter()
            .filter(|page| !page.reused)
            .filter(|page| {
                let path = self.site_path(page);
                slugs_changed(page.scope)
                    || !old_pages.contains(&path)
                    || old_affected.contains(&path)
                    || self.inputs(page).iter().any(|i| i.covers(change))
            })
            .collect()
    }

    /// The output files of `before`'s pages that this plan no longer has (to delete).
    pub fn removed_since(&self, before: &Plan<'_>) -> Vec<String> {
        let now: BTreeSet<String> = self.pages.iter().map(|p| self.output_file(p)).collect();
        before
            .pages
            .iter()
            .map(|p| before.output_file(p))
            .filter(|f| !now.contains(f))
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
