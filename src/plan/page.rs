//! PLAN: the page list. Every page of every site, by a stable identity made of
//! names (register key, edition id, item id, department id, purpose name, page
//! slug), never of positions, so two plans can be compared page by page.

use std::collections::BTreeSet;

use super::files::{DataFile, DataFormat, SchemaFile};
use super::publish::{Scope, ScopeKind};
use super::url;
use crate::history::SiteHistory;
use crate::model::Site;

/// What a page is: its identity within its site.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PageId<'a> {
    /// The home page.
    Home,
    /// A register's page (its shown state, by category).
    Register {
        /// Register key.
        register: &'a str,
    },
    /// An item as the register shows it.
    Item {
        /// Register key.
        register: &'a str,
        /// Item id.
        item: &'a str,
    },
    /// The refusal notice (不予出具告知单) of a `refuse` item, to print and hand
    /// over at the counter.
    Notice {
        /// Register key.
        register: &'a str,
        /// Item id.
        item: &'a str,
    },
    /// An item that left the register: its URL stays, as a withdrawal page.
    Withdrawn {
        /// Register key.
        register: &'a str,
        /// Item id.
        item: &'a str,
        /// The newest edition that still had it.
        last_edition: &'a str,
    },
    /// A register's list of editions.
    Editions {
        /// Register key.
        register: &'a str,
    },
    /// A frozen edition and its changes.
    Edition {
        /// Register key.
        register: &'a str,
        /// Edition id.
        edition: &'a str,
    },
    /// An item exactly as it was in a frozen edition.
    Frozen {
        /// Register key.
        register: &'a str,
        /// Edition id.
        edition: &'a str,
        /// Item id.
        item: &'a str,
    },
    /// Every change, newest first.
    Changes,
    /// An Atom feed: the site's, or one register's.
    Feed {
        /// Register key, or `None` for the site-wide feed.
        register: Option<&'a str>,
    },
    /// The departments index.
    Departments,
    /// One department and the items naming it.
    Department {
        /// Department id.
        department: &'a str,
    },
    /// The purposes index.
    Purposes,
    /// One purpose (办理用途) and the items for it.
    Purpose {
        /// The purpose's name (入学); its URL uses the scope's slug.
        purpose: &'a str,
    },
    /// A free page.
    Page {
        /// Its slug.
        slug: &'a str,
    },
    /// The search page (`search/`); its indexes are the search step's files.
    Search,
    /// `404.html`.
    NotFound,
    /// `sitemap.xml`.
    Sitemap,
    /// `robots.txt`.
    Robots,
    /// The open-data page for people (`data/`), listing the downloads.
    DataPage,
    /// A file of open data (`data/stamp.csv`).
    Data(DataFile<'a>),
    /// A JSON Schema of a content file (`schema/v1/item-stamp.json`).
    Schema(SchemaFile),
}

/// One page of the plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlannedPage<'a> {
    /// Which site.
    pub scope: ScopeKind,
    /// Which page.
    pub id: PageId<'a>,
    /// Carried over unchanged from the previous output (a frozen edition whose
    /// fingerprint matched): listed, but not rendered again.
    pub reused: bool,
}

/// How many pages the plan of `scopes` has at most (to make room for them
/// at once: they are many).
pub(super) fn most<'s, 'a: 's>(
    history: &SiteHistory<'_>,
    scopes: impl IntoIterator<Item = &'s Scope<'a>>,
) -> usize {
    let frozen: usize = history
        .registers
        .iter()
        .map(|h| {
            let editions = &h.register.editions;
            let items: usize = editions.iter().map(|e| 1 + e.snapshot.items.len()).sum();
            items + h.last_seen.len() + 4 + 4 * editions.len()
        })
        .sum();
    let current: usize = scopes
        .into_iter()
        .map(|s| {
            let items: usize = s
                .registers
                .iter()
                .map(|p| 1 + 2 * p.snapshot.items.len())
                .sum();
            items + s.departments.len() + s.purpose_slugs.len() + 8
        })
        .sum();
    frozen + current + 64
}

/// Adds the pages of one scope to `out`, in a stable order: the current
/// pages first, then (public site only) the site-wide and history pages.
pub(super) fn pages<'a>(
    site: &'a Site,
    history: &'a SiteHistory<'a>,
    scope: &Scope<'a>,
    reused: &BTreeSet<String>,
    out: &mut Vec<PlannedPage<'a>>,
) {
    let page = |id| PlannedPage {
        scope: scope.kind,
        id,
        reused: false,
    };
    out.extend([
        page(PageId::Home),
        page(PageId::Departments),
        page(PageId::Purposes),
        page(PageId::Search),
    ]);
    for p in &scope.registers {
        let register = p.register.key.as_str();
        out.push(page(PageId::Register { register }));
        for item in &p.snapshot.items {
            out.push(page(PageId::Item {
                register,
                item: &item.id,
            }));
            // A notice cites an edition, so only a register with one shown has them.
            if p.edition.is_some() && is_refused(item) {
                out.push(page(PageId::Notice {
                    register,
                    item: &item.id,
                }));
            }
        }
    }
    out.extend(
        scope
            .departments
            .keys()
            .map(|department| page(PageId::Department { department })),
    );
    out.extend(
        scope
            .purpose_slugs
            .keys()
            .map(|purpose| page(PageId::Purpose { purpose })),
    );
    if scope.is_draft() {
        return;
    }
    out.extend(
        [
            PageId::NotFound,
            PageId::Sitemap,
            PageId::Robots,
            PageId::Changes,
            PageId::Feed { register: None },
        ]
        .map(page),
    );
    out.extend(
        site.pages
            .iter()
            .map(|p| page(PageId::Page { slug: &p.slug })),
    );
    history_pages(history, reused, out);
    out.extend(data_pages(history));
}

/// The public site's open data (the data page, the catalogue, per register its
/// public state, its changes and every frozen edition, each as JSON and CSV)
/// and the schemas of the content files.
fn data_pages<'a>(history: &'a SiteHistory<'a>) -> Vec<PlannedPage<'a>> {
    let mut ids = vec![PageId::DataPage, PageId::Data(DataFile::Index)];
    for h in &history.registers {
        let register = h.register.key.as_str();
        for format in DataFormat::ALL {
            ids.push(PageId::Data(DataFile::Register { register, format }));
            ids.push(PageId::Data(DataFile::Changes { register, format }));
            ids.extend(h.register.editions.iter().map(|e| {
                PageId::Data(DataFile::Edition {
                    register,
                    edition: &e.id,
                    format,
                })
            }));
        }
    }
    ids.extend(SchemaFile::all().into_iter().map(PageId::Schema));
    ids.into_iter()
        .map(|id| PlannedPage {
            scope: ScopeKind::Public,
            id,
            reused: false,
        })
        .collect()
}

/// Whether an item is a stamp item the community does not issue.
fn is_refused(item: &crate::model::Item) -> bool {
    item.stamp()
        .is_some_and(|s| s.verdict.value == crate::model::Verdict::Refuse)
}

/// The public site's history pages: per register its editions list and feed,
/// every frozen edition with its items (marked reused when carried over), and a
/// withdrawal page for every item that left.
fn history_pages<'a>(
    history: &'a SiteHistory<'a>,
    reused: &BTreeSet<String>,
    out: &mut Vec<PlannedPage<'a>>,
) {
    let page = |id| PlannedPage {
        scope: ScopeKind::Public,
        id,
        reused: false,
    };
    for h in &history.registers {
        let register = h.register.key.as_str();
        out.push(page(PageId::Editions { register }));
        out.push(page(PageId::Feed {
            register: Some(register),
        }));
        let carried = reused.contains(register);
        for edition in &h.register.editions {
            let edition_id = edition.id.as_str();
            let frozen = |id| PlannedPage {
                reused: carried,
                ..page(id)
            };
            out.push(frozen(PageId::Edition {
                register,
                edition: edition_id,
            }));
            out.extend(edition.snapshot.items.iter().map(|item| {
                frozen(PageId::Frozen {
                    register,
                    edition: edition_id,
                    item: &item.id,
                })
            }));
        }
        out.extend(h.withdrawn().map(|(item, last)| {
            page(PageId::Withdrawn {
                register,
                item,
                last_edition: &h.register.editions[last].id,
            })
        }));
    }
}

/// A page's path from its scope's root (`stamp/GZ-001/`), without the scope prefix.
pub(super) fn path(scope: &Scope<'_>, id: &PageId<'_>) -> String {
    match *id {
        PageId::Home => url::HOME.to_owned(),
        PageId::Register { register } => url::register(register),
        PageId::Item { register, item } | PageId::Withdrawn { register, item, .. } => {
            url::item(register, item)
        }
        PageId::Notice { register, item } => url::notice(register, item),
        PageId::Editions { register } => url::editions(register),
        PageId::Edition { register, edition } => url::edition(register, edition),
        PageId::Frozen {
            register,
            edition,
            item,
        } => url::frozen(register, edition, item),
        PageId::Changes => url::CHANGES.to_owned(),
        PageId::Feed { register: None } => url::FEED.to_owned(),
        PageId::Feed {
            register: Some(register),
        } => url::feed(register),
        PageId::Departments => url::DEPARTMENTS.to_owned(),
        PageId::Department { department } => url::department(department),
        PageId::Purposes => url::PURPOSES.to_owned(),
        PageId::Purpose { purpose } => {
            url::purpose(scope.purpose_slugs.get(purpose).map_or("", String::as_str))
        }
        PageId::Page { slug } => url::page(slug),
        PageId::Search => url::SEARCH.to_owned(),
        PageId::NotFound => url::NOT_FOUND.to_owned(),
        PageId::Sitemap => url::SITEMAP.to_owned(),
        PageId::Robots => url::ROBOTS.to_owned(),
        PageId::DataPage => url::DATA.to_owned(),
        PageId::Data(file) => url::data_file(&file),
        PageId::Schema(file) => url::schema(file),
    }
}
