//! The validated, immutable site model: registers, editions, items, departments.
//!
//! The loader ([`crate::content`]) builds it; everything after loading only reads
//! it. It knows nothing of YAML syntax or HTML. Values that later checks must
//! point at keep their [`Span`].

mod choice;
mod item;
pub mod mention;
pub mod schema;

use std::collections::BTreeMap;
use std::path::PathBuf;

use jiff::civil::Date;
use serde::Serialize;

use crate::diagnostic::{FileId, Files, Span, Spanned};

pub use choice::Choice;
pub(crate) use choice::choice;
pub use item::*;

choice! {
    /// The UI language of the site.
    Language { ZhCn = "zh-CN", En = "en" }
}

choice! {
    /// Which item schema a register uses.
    ListKind {
        /// 规范进社区工作事项名录
        Work = "work",
        /// 规范社区盖章事项名录
        Stamp = "stamp",
        /// 规范社区创建事项名录
        Creation = "creation",
    }
}

choice! {
    /// What kind of edition a release is.
    EditionKind { Year = "year", Batch = "batch", Revision = "revision", Trial = "trial" }
}

/// Everything loaded from `content/`.
#[derive(Debug)]
pub struct Site {
    /// The site root (holding `content/` and optionally `themes/`).
    pub root: PathBuf,
    /// Every file read, for diagnostics.
    pub files: Files,
    /// `content/site.yaml`.
    pub config: SiteConfig,
    /// `content/departments.yaml` (the working copy).
    pub departments: Departments,
    /// The registers, ordered stamp, work, creation, then by key.
    pub registers: Vec<Register>,
    /// Free Markdown pages, ordered by weight then slug.
    pub pages: Vec<Page>,
}

/// `content/site.yaml`.
#[derive(Clone, Debug, Serialize)]
pub struct SiteConfig {
    /// Site title.
    pub title: String,
    /// Where the site is published, always ending in `/`.
    pub base_url: String,
    /// 发布机关.
    pub publisher: String,
    /// 适用地域.
    pub jurisdiction: String,
    /// UI language.
    pub language: Language,
    /// One paragraph for the home page.
    pub description: Option<String>,
    /// A banner on every page.
    pub notice: Option<String>,
    /// Whether the footer says, in small print, that minglu built the site.
    pub generator_credit: bool,
    /// Theme folder name.
    pub theme: String,
    /// Where `theme` was written, if it was.
    #[serde(skip)]
    pub theme_span: Option<Span>,
}

/// Departments by id, ordered by id.
pub type Departments = BTreeMap<String, Department>;

/// A department an item may name (主管部门/责任单位).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Department {
    /// The id (`edu`).
    pub id: String,
    /// Full name.
    pub name: String,
    /// Short name.
    pub short_name: Option<String>,
    /// Contact phone.
    pub phone: Option<String>,
    /// Website.
    pub url: Option<String>,
    /// Office address.
    pub address: Option<String>,
    /// Office hours (办公时间).
    pub hours: Option<String>,
    /// Where to apply, in plain words (户籍所在地派出所).
    pub note: Option<String>,
    /// Where the id was defined.
    #[serde(skip)]
    pub span: Span,
}

impl Site {
    /// The register with this key, or an error naming the keys that exist.
    pub fn register(&self, key: &str) -> crate::Result<&Register> {
        self.registers
            .iter()
            .find(|r| r.key == key)
            .ok_or_else(|| crate::Error::UnknownList {
                name: key.to_owned(),
                known: self
                    .registers
                    .iter()
                    .map(|r| r.key.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }
}

/// A register (名录): its working copy and its frozen editions.
#[derive(Debug)]
pub struct Register {
    /// URL slug and folder name (`stamp`).
    pub key: String,
    /// `lists/<key>/list.yaml` + `items/`: the next edition being prepared.
    pub working: Snapshot,
    /// Frozen editions, oldest first (by effective, published, id). Shared:
    /// a frozen edition never changes, so loads that find it unchanged (serve's
    /// rebuilds) hand out the same one instead of a copy.
    pub editions: Vec<std::sync::Arc<Edition>>,
}

impl Register {
    /// The newest edition in force on `today`, if any.
    pub fn in_force(&self, today: Date) -> Option<&Edition> {
        self.editions
            .iter()
            .rev()
            .find(|e| e.record.effective.value <= today)
            .map(AsRef::as_ref)
    }

    /// Index of the edition the public site shows on `today`: the newest in
    /// force, else (before the first takes effect) the first; `None` without editions.
    pub fn shown_edition(&self, today: Date) -> Option<usize> {
        match self
            .editions
            .iter()
            .rposition(|e| e.record.effective.value <= today)
        {
            Some(i) => Some(i),
            None if self.editions.is_empty() => None,
            None => Some(0),
        }
    }

    /// The register's kind (from the working copy).
    pub fn kind(&self) -> ListKind {
        self.working.list.kind
    }
}

/// One state of a register: the working copy or a frozen edition's content.
#[derive(Clone, Debug)]
pub struct Snapshot {
    /// `list.yaml`.
    pub list: ListMeta,
    /// Items ordered by id.
    pub items: Vec<Item>,
    /// A frozen edition's own `departments.yaml`; `None` for the working copy,
    /// which uses the site's.
    pub departments: Option<Departments>,
}

/// Orders item ids naturally: `GZ-999` before `GZ-1000` (the order of
/// [`Snapshot::items`]).
pub fn id_order(a: &str, b: &str) -> std::cmp::Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

impl Snapshot {
    /// The item with this id.
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items
            .binary_search_by(|i| id_order(&i.id, id))
            .ok()
            .map(|i| &self.items[i])
    }
}

/// `list.yaml`: a register's metadata.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ListMeta {
    /// 名录 title.
    pub title: String,
    /// Short title for navigation.
    pub short_title: Option<String>,
    /// Item schema.
    pub kind: ListKind,
    /// Item id prefix (`GZ`).
    pub id_prefix: String,
    /// Markdown shown on the register page.
    pub intro: Option<String>,
    /// Allowed categories, in display order.
    pub categories: Vec<String>,
    /// The file it was read from.
    #[serde(skip)]
    pub file: FileId,
    /// Where `id_prefix` was written.
    #[serde(skip)]
    pub prefix_span: Span,
}

/// A frozen edition (版本).
#[derive(Clone, Debug)]
pub struct Edition {
    /// Folder name (`2020`).
    pub id: String,
    /// `edition.yaml`.
    pub record: EditionRecord,
    /// The register as it was.
    pub snapshot: Snapshot,
    /// SHA-256 of its SHA256SUMS file: a fingerprint of everything in it.
    pub seal: String,
}

/// `edition.yaml`.
#[derive(Clone, Debug, Serialize)]
pub struct EditionRecord {
    /// 2020年版 / 第一批.
    pub label: String,
    /// Kind of release.
    pub kind: EditionKind,
    /// The official document's title.
    pub title: String,
    /// 文号.
    pub doc_number: Option<String>,
    /// 发布机关.
    pub issuers: Vec<String>,
    /// 发布日期.
    pub published: Spanned<Date>,
    /// 实施日期.
    pub effective: Spanned<Date>,
    /// 失效日期.
    pub expires: Option<Spanned<Date>>,
    /// Markdown notes.
    pub notes: Option<String>,
    /// Item id → why it changed.
    pub reasons: BTreeMap<String, Spanned<String>>,
    /// The official publication.
    pub sources: Vec<String>,
    /// The file it was read from.
    #[serde(skip)]
    pub file: FileId,
}

/// A free Markdown page (`content/pages/about.md`).
#[derive(Clone, Debug, Serialize)]
pub struct Page {
    /// URL slug (file stem).
    pub slug: String,
    /// Title.
    pub title: String,
    /// Menu order.
    pub weight: i64,
    /// Summary for metadata.
    pub description: Option<String>,
    /// Markdown body.
    pub body: String,
    /// The file it was read from.
    #[serde(skip)]
    pub file: FileId,
}
