//! PLAN: the build plan every output reads.
//!
//! After the history step and before any output, the plan decides what is
//! published (which state of each register each site shows), the URL of every
//! page, the list of pages with a stable identity each ([`PageId`]: names, never
//! positions), what each page is made from ([`Input`], so a rebuild can ask
//! which pages one changed file affects), and which frozen edition folders the
//! previous output can keep ([`Reuse`]). Render, the search index and data
//! exports read the plan and the model; none of them decides these again.
//!
//! How an output uses it:
//!
//! - **Pages** ([`crate::render`]): every [`PlannedPage`] not `reused`, at
//!   [`Plan::output_file`]; its subject is named by its [`PageId`].
//! - **Search index / data export**: what the public site shows is
//!   [`Plan::public`] (`registers`: each register's shown snapshot and the
//!   departments its ids resolve to; `purpose_slugs`, `departments`); an item's
//!   URL is [`url::item`] (or the path of its `PageId::Item` page); frozen
//!   editions and their changes are in [`Plan::history`]; the fields, labels and
//!   value kinds come from [`crate::model::schema`].
//! - **Data export** ([`crate::export`]): the data files and schemas are
//!   planned like pages ([`PageId::Data`], [`PageId::Schema`], see [`files`]);
//!   a data file is never carried over, so a reused edition folder still gets
//!   its `data/<list>/<edition>.*` files, written again (byte-identical).
//! - **Incremental rebuilds** (`serve`): keep the [`Footprint`] of the last
//!   build's plan (not its model); after a file changes, load, check, compute
//!   the history and plan again, then render [`Plan::rebuild_since`], build
//!   [`Plan::indexes_between`] and delete [`Plan::outputs_removed_between`]
//!   (both given the footprint `rebuild_since` returns).

pub mod files;
pub mod footprint;
mod hash;
pub mod index;
mod inputs;
pub mod page;
pub mod publish;
pub mod reuse;
pub mod url;

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use jiff::civil::Date;

use crate::diagnostic::FileId;
use crate::history::SiteHistory;
use crate::model::mention::TitleIndex;
use crate::model::{Site, id_order};

pub use files::{DataFile, DataFormat, SchemaFile};
pub use footprint::Footprint;
pub use index::IndexId;
pub use inputs::{Change, Input};
pub use page::{PageId, PlannedPage};
pub use publish::{Published, Scope, ScopeKind, Status};
pub use reuse::Reuse;

/// What the plan needs besides the model and its history.
#[derive(Clone, Debug)]
pub struct PlanOptions {
    /// The date that decides which edition is in force.
    pub today: Date,
    /// Overrides site.yaml's `base_url` (for preview deployments).
    pub base_url: Option<String>,
    /// Also plan the `/draft/` preview of the working copies.
    pub drafts: bool,
    /// A fingerprint of the program and theme that render the pages (part of
    /// every reuse fingerprint).
    pub program: String,
    /// Fingerprints the previous output recorded (see [`Reuse::fingerprints`]).
    pub previous: BTreeMap<String, String>,
}

/// Receives each output file of every step (render, search): its path relative to
/// the output folder (with `/`) and its bytes. Called from several threads at once.
pub type Sink<'a> = dyn Fn(&str, &[u8]) -> Result<(), crate::Error> + Sync + 'a;

/// The build plan.
#[derive(Debug)]
pub struct Plan<'a> {
    /// The model.
    pub site: &'a Site,
    /// The history step's result.
    pub history: &'a SiteHistory<'a>,
    /// Where the site is published, ending in `/` (`--base-url` applied).
    pub base_url: String,
    /// The public site.
    pub public: Scope<'a>,
    /// The `/draft/` preview, when planned.
    pub draft: Option<Scope<'a>>,
    /// Every page of both sites: the public site's first, in a stable order.
    pub pages: Vec<PlannedPage<'a>>,
    /// Which frozen edition folders are carried over.
    pub reuse: Reuse,
    /// Position in `pages` of every page but a frozen item's, by scope and
    /// identity (a frozen item's page follows its edition's page, in the
    /// edition's item order: see [`Plan::page`]).
    positions: hash::FastMap<(ScopeKind, PageId<'a>), usize>,
    /// Per scope (public, draft): each register's working-copy item titles,
    /// indexed when first asked for (to find the items a text mentions).
    titles: [OnceLock<TitlesByRegister>; 2],
    /// Per scope: the working-copy item files each item mentions, found for
    /// an item when first asked for (a rebuild asks for a few items only).
    mentions: [OnceLock<Mentions>; 2],
}

/// By an item's file id: the files of the items it mentions.
type Mentions = (u32, Vec<OnceLock<Vec<FileId>>>);

/// Register key → its working-copy item titles and their files.
type TitlesByRegister = HashMap<String, TitleIndex<FileId>>;

impl<'a> Plan<'a> {
    /// Plans the build of `site` with its `history`.
    pub fn new(site: &'a Site, history: &'a SiteHistory<'a>, options: &PlanOptions) -> Self {
        let base_url = match &options.base_url {
            Some(base) if base.ends_with('/') => base.clone(),
            Some(base) => format!("{base}/"),
            None => site.config.base_url.clone(),
        };
        let published = publish::published(site, history, options.today);
        let public = Scope::public_with(published, site, history);
        let draft = options.drafts.then(|| Scope::draft(site));
        let reuse = reuse::decide(
            site,
            history,
            &public,
            &base_url,
            &options.program,
            &options.previous,
        );
        let mut pages =
            Vec::with_capacity(page::most(history, std::iter::once(&public).chain(&draft)));
        page::pages(site, history, &public, &reuse.registers, &mut pages);
        if let Some(draft) = &draft {
            page::pages(site, history, draft, &reuse.registers, &mut pages);
        }
        let mut positions = hash::map_with(pages.len() / 2);
        positions.extend(
            pages
                .iter()
                .enumerate()
                .filter(|(_, p)| !matches!(p.id, PageId::Frozen { .. }))
                .map(|(i, p)| ((p.scope, p.id), i)),
        );
        Plan {
            site,
            history,
            base_url,
            public,
            draft,
            pages,
            reuse,
            positions,
            titles: [OnceLock::new(), OnceLock::new()],
            mentions: [OnceLock::new(), OnceLock::new()],
        }
    }

    /// The scope of a kind (the public one if no draft was planned).
    pub fn scope(&self, kind: ScopeKind) -> &Scope<'a> {
        match (kind, &self.draft) {
            (ScopeKind::Draft, Some(draft)) => draft,
            _ => &self.public,
        }
    }

    /// The scopes planned: the public site, then the draft preview if any.
    pub fn scopes(&self) -> impl Iterator<Item = &Scope<'a>> {
        std::iter::once(&self.public).chain(&self.draft)
    }

    /// A page's path from its scope's root (`stamp/GZ-001/`).
    pub fn path(&self, page: &PlannedPage<'_>) -> String {
        page::path(self.scope(page.scope), &page.id)
    }

    /// A page's URL path from the site root (`draft/stamp/GZ-001/`).
    pub fn site_path(&self, page: &PlannedPage<'_>) -> String {
        format!("{}{}", page.scope.prefix(), self.path(page))
    }

    /// The file a page is written to, relative to the output folder
    /// (`draft/stamp/GZ-001/index.html`).
    pub fn output_file(&self, page: &PlannedPage<'_>) -> String {
        url::output_file(&self.site_path(page))
    }

    /// The working-copy item titles of register `key` in the scope of `kind`
    /// (none for a register the scope shows in a frozen edition).
    pub(crate) fn titles(&self, kind: ScopeKind, key: &str) -> Option<&TitleIndex<FileId>> {
        let slot = &self.titles[usize::from(kind == ScopeKind::Draft)];
        slot.get_or_init(|| {
            self.scope(kind)
                .registers
                .iter()
                .filter(|p| p.edition.is_none())
                .map(|p| {
                    let titles = p
                        .snapshot
                        .items
                        .iter()
                        .map(|i| (i.title.value.clone(), i.file));
                    (p.register.key.clone(), TitleIndex::new(titles))
                })
                .collect()
        })
        .get(key)
    }

    /// The page with this identity, if planned.
    pub fn page(&self, scope: ScopeKind, id: &PageId<'_>) -> Option<&PlannedPage<'a>> {
        let at = match *id {
            PageId::Frozen {
                register,
                edition,
                item,
            } => {
                let start = *self
                    .positions
                    .get(&(scope, PageId::Edition { register, edition }))?;
                let e = self.history.register(register)?;
                let e = e.register.editions.iter().find(|e| e.id == edition)?;
                let items = &e.snapshot.items;
                start + 1 + items.binary_search_by(|i| id_order(&i.id, item)).ok()?
            }
            _ => *self.positions.get(&(scope, *id))?,
        };
        self.pages
            .get(at)
            .filter(|p| p.scope == scope && p.id == *id)
    }
}
