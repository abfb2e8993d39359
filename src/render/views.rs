//! Template contexts: typed views built from the model by pure functions.
//!
//! Each view borrows from the model where it can and carries ready-made paths
//! (relative to the site root) so templates only join `root ~ path`.

use std::collections::BTreeMap;

use serde::Serialize;

use super::markdown;
use crate::model::{
    Basis, Choice, Creation, Department, Departments, Details, Instead, Item, Page, SiteConfig,
    Snapshot, Stamp, Work,
};
use crate::plan::{Published, Status, url};

/// A link: text and a path relative to the site root.
#[derive(Clone, Debug, Serialize)]
pub struct Link {
    /// Link text.
    pub title: String,
    /// Target path relative to the site root.
    pub path: String,
}

/// Site-wide values every page can use.
#[derive(Debug, Serialize)]
pub struct SiteView {
    /// site.yaml (with `--base-url` applied).
    #[serde(flatten)]
    pub config: SiteConfig,
    /// `/registers/` for `https://host/registers/`.
    pub base_path: String,
    /// The `lang` attribute.
    pub lang: &'static str,
    /// Register links for navigation.
    pub registers: Vec<Link>,
    /// Free pages for navigation.
    pub pages: Vec<Link>,
}

/// How to reach a department today: from the site's `departments.yaml` when it
/// names the id (contacts change without a new edition), else from the edition's.
#[derive(Debug, Serialize)]
pub struct ContactView<'a> {
    /// Phone as written.
    pub phone: Option<&'a str>,
    /// The phone for a `tel:` link: digits, `+` and `-` only.
    pub tel: Option<String>,
    /// Office address.
    pub address: Option<&'a str>,
    /// Website.
    pub url: Option<&'a str>,
    /// Office hours.
    pub hours: Option<&'a str>,
    /// Where to apply.
    pub note: Option<&'a str>,
}

impl<'a> ContactView<'a> {
    /// The contact details of `d`.
    pub fn of(d: &'a Department) -> Self {
        ContactView {
            phone: d.phone.as_deref(),
            tel: d.phone.as_deref().map(tel).filter(|t| !t.is_empty()),
            address: d.address.as_deref(),
            url: d.url.as_deref(),
            hours: d.hours.as_deref(),
            note: d.note.as_deref(),
        }
    }

    /// Whether there is anything to show.
    pub fn is_empty(&self) -> bool {
        self.phone.is_none()
            && self.address.is_none()
            && self.url.is_none()
            && self.hours.is_none()
            && self.note.is_none()
    }
}

/// A phone number as a `tel:` URL body: `0512-6522 1234` → `0512-65221234`.
pub fn tel(phone: &str) -> String {
    phone
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '+' || *c == '-')
        .collect()
}

/// A department with its page path.
#[derive(Debug, Serialize)]
pub struct DepartmentView<'a> {
    /// The department (its name as the shown edition has it).
    #[serde(flatten)]
    pub department: &'a Department,
    /// Short name if it has one, else the full name.
    pub display: &'a str,
    /// Its page.
    pub path: String,
    /// How to reach it today.
    pub contact: ContactView<'a>,
    /// Whether `contact` has anything.
    pub has_contact: bool,
}

impl<'a> DepartmentView<'a> {
    /// Looks a department up in `departments`, with its contact details from
    /// `contacts` (the site's) when that has the id.
    pub fn of(id: &str, departments: &'a Departments, contacts: &'a Departments) -> Option<Self> {
        let department = departments.get(id)?;
        let contact = ContactView::of(contacts.get(id).unwrap_or(department));
        Some(DepartmentView {
            display: department.display_name(),
            path: url::department(id),
            has_contact: !contact.is_empty(),
            contact,
            department,
        })
    }
}

/// Which state of a register a page shows, as templates name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Currency {
    /// The edition in force.
    InForce,
    /// An edition not yet in effect.
    Upcoming,
    /// The working copy of a register with no edition.
    Unreleased,
    /// The `/draft/` preview.
    Draft,
}

/// The statement of which edition is in force (现行).
#[derive(Debug, Serialize)]
pub struct CurrencyView<'a> {
    /// Which state is shown.
    pub status: Currency,
    /// Edition id.
    pub id: Option<&'a str>,
    /// 2020年版.
    pub label: Option<&'a str>,
    /// The official title.
    pub title: Option<&'a str>,
    /// 文号.
    pub doc_number: Option<&'a str>,
    /// 发布日期.
    pub published: Option<String>,
    /// 实施日期.
    pub effective: Option<String>,
}

impl<'a> CurrencyView<'a> {
    /// The currency of a published register.
    pub fn of(p: &Published<'a>) -> Self {
        let (status, edition) = match p.status {
            Status::InForce(e) => (Currency::InForce, Some(e)),
            Status::Upcoming(e) => (Currency::Upcoming, Some(e)),
            Status::Unreleased => (Currency::Unreleased, None),
            Status::Draft => (
                Currency::Draft,
                p.register.editions.last().map(AsRef::as_ref),
            ),
        };
        let r = edition.map(|e| &e.record);
        CurrencyView {
            status,
            id: edition.map(|e| e.id.as_str()),
            label: r.map(|r| r.label.as_str()),
            title: r.map(|r| r.title.as_str()),
            doc_number: r.and_then(|r| r.doc_number.as_deref()),
            published: r.map(|r| r.published.value.to_string()),
            effective: r.map(|r| r.effective.value.to_string()),
        }
    }
}

/// A register as listed on the home page and in navigation.
#[derive(Debug, Serialize)]
pub struct RegisterSummary<'a> {
    /// Key.
    pub key: &'a str,
    /// Title.
    pub title: &'a str,
    /// Short title (falls back to the title).
    pub short_title: &'a str,
    /// `work`, `stamp` or `creation`.
    pub kind: &'static str,
    /// Its page.
    pub path: String,
    /// Number of items.
    pub count: usize,
    /// Which edition is shown.
    pub currency: CurrencyView<'a>,
}

impl<'a> RegisterSummary<'a> {
    /// Summarises a published register.
    pub fn of(p: &Published<'a>) -> Self {
        let list = &p.snapshot.list;
        RegisterSummary {
            key: &p.register.key,
            title: &list.title,
            short_title: list.short_title.as_deref().unwrap_or(&list.title),
            kind: list.kind.name(),
            path: url::register(&p.register.key),
            count: p.snapshot.items.len(),
            currency: CurrencyView::of(p),
        }
    }
}

/// One line of an item list.
#[derive(Debug, Serialize)]
pub struct ItemRow<'a> {
    /// Id.
    pub id: &'a str,
    /// Title.
    pub title: &'a str,
    /// Its page.
    pub path: String,
    /// Aliases.
    pub aliases: &'a [String],
    /// Summary.
    pub summary: Option<&'a str>,
    /// The kind's key value: verdict, duty or participation.
    pub badge: &'static str,
    /// `stamp`, `work`, `creation`.
    pub kind: &'static str,
    /// For refuse items: the departments to go to instead.
    pub go_to: Vec<&'a str>,
}

impl<'a> ItemRow<'a> {
    /// A row for `item` in register `key`.
    pub fn of(item: &'a Item, key: &str, departments: &'a Departments) -> Self {
        let (kind, badge) = badge(&item.details);
        let mut go_to: Vec<&str> = match &item.details {
            Details::Stamp(s) => s
                .instead
                .iter()
                .filter_map(|i| i.department.as_ref())
                .filter_map(|d| departments.get(&d.value))
                .map(Department::display_name)
                .collect(),
            _ => Vec::new(),
        };
        go_to.dedup();
        ItemRow {
            id: &item.id,
            title: &item.title,
            path: url::item(key, &item.id),
            aliases: &item.aliases,
            summary: item.summary.as_deref(),
            badge,
            kind,
            go_to,
        }
    }
}

fn badge(details: &Details) -> (&'static str, &'static str) {
    match details {
        Details::Stamp(s) => ("stamp", s.verdict.value.name()),
        Details::Work(w) => ("work", w.duty.name()),
        Details::Creation(c) => ("creation", c.participation.name()),
    }
}

/// An item list as a template sees it: its rows, or (spliced for the
/// built-in `item_list` macro) a template value that also holds each row's
/// HTML, made once per row rather than once per page.
#[derive(Debug)]
pub enum Rows<'a> {
    /// The rows, serialized as a list.
    Plain(Vec<ItemRow<'a>>),
    /// A list of the same rows that also carries their HTML.
    Spliced(minijinja::Value),
}

impl Rows<'_> {
    /// Whether the list has no rows.
    pub fn is_empty(&self) -> bool {
        match self {
            Rows::Plain(rows) => rows.is_empty(),
            Rows::Spliced(value) => value.len() == Some(0),
        }
    }

    /// Replaces the rows by what `splice` makes of them (when it makes anything).
    pub fn splice(&mut self, splice: &impl Fn(&[ItemRow<'_>]) -> Option<minijinja::Value>) {
        if let Rows::Plain(rows) = self
            && let Some(value) = splice(rows)
        {
            *self = Rows::Spliced(value);
        }
    }
}

impl<'a> FromIterator<ItemRow<'a>> for Rows<'a> {
    fn from_iter<I: IntoIterator<Item = ItemRow<'a>>>(iter: I) -> Self {
        Rows::Plain(iter.into_iter().collect())
    }
}

impl Serialize for Rows<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Rows::Plain(rows) => rows.serialize(serializer),
            Rows::Spliced(value) => value.serialize(serializer),
        }
    }
}

/// Items of one category.
#[derive(Debug, Serialize)]
pub struct CategoryView<'a> {
    /// Category name.
    pub name: &'a str,
    /// Anchor id on the register page.
    pub anchor: String,
    /// Its items, in id order.
    pub items: Rows<'a>,
}

/// A snapshot's items grouped by its categories, in the list's order, with the
/// anchors (`c1`, `c2` …) the category links use; empty categories are left out.
pub fn categories<'a>(
    snapshot: &'a Snapshot,
    row: impl Fn(&'a Item) -> ItemRow<'a>,
) -> Vec<CategoryView<'a>> {
    snapshot
        .list
        .categories
        .iter()
        .enumerate()
        .map(|(i, name)| CategoryView {
            name,
            anchor: format!("c{}", i + 1),
            items: snapshot
                .items
                .iter()
                .filter(|it| it.category.value == *name)
                .map(&row)
                .collect(),
        })
        .filter(|c| !c.items.is_empty())
        .collect()
}

/// The register page.
#[derive(Debug, Serialize)]
pub struct RegisterView<'a> {
    /// Summary (title, kind, currency …).
    #[serde(flatten)]
    pub summary: RegisterSummary<'a>,
    /// Intro as HTML.
    pub intro_html: Option<String>,
    /// Items by category, in the list's order; empty categories are left out.
    pub categories: Vec<CategoryView<'a>>,
    /// Counts by badge value (e.g. issue: 10, refuse: 20).
    pub counts: BTreeMap<&'static str, usize>,
}

impl<'a> RegisterView<'a> {
    /// Builds the register page view.
    pub fn of(p: &Published<'a>) -> Self {
        let list = &p.snapshot.list;
        let categories = categories(p.snapshot, |it| {
            ItemRow::of(it, &p.register.key, p.departments)
        });
        let mut counts = BTreeMap::new();
        for item in &p.snapshot.items {
            *counts.entry(badge(&item.details).1).or_insert(0) += 1;
        }
        RegisterView {
            summary: RegisterSummary::of(p),
            intro_html: list.intro.as_deref().map(|m| markdown::to_html(m, 1)),
            categories,
            counts,
        }
    }
}

/// A basis document.
#[derive(Debug, Serialize)]
pub struct BasisView<'a> {
    /// The basis.
    #[serde(flatten)]
    pub basis: &'a Basis,
    /// `law`, … (for the label lookup).
    pub level_name: Option<&'static str>,
}

/// One way to go instead.
#[derive(Debug, Serialize)]
pub struct InsteadView<'a> {
    /// `own_document` …
    pub method: &'static str,
    /// Where.
    pub department: Option<DepartmentView<'a>>,
    /// What to do.
    pub how: &'a str,
}

/// A stamp item's own fields.
#[derive(Debug, Serialize)]
pub struct StampView<'a> {
    /// The fields.
    #[serde(flatten)]
    pub stamp: &'a Stamp,
    /// Ways to go instead, with departments resolved.
    pub ways: Vec<InsteadView<'a>>,
}

/// A work item's own fields.
#[derive(Debug, Serialize)]
pub struct WorkView<'a> {
    /// The fields.
    #[serde(flatten)]
    pub work: &'a Work,
}

/// A creation item's own fields.
#[derive(Debug, Serialize)]
pub struct CreationView<'a> {
    /// The fields.
    #[serde(flatten)]
    pub creation: &'a Creation,
    /// The item it was merged into.
    pub merged_into: Option<Link>,
}

/// A purpose with its page.
#[derive(Debug, Serialize)]
pub struct PurposeLink<'a> {
    /// Name (入学).
    pub name: &'a str,
    /// Its page.
    pub path: String,
}

/// The item page.
#[derive(Debug, Serialize)]
pub struct ItemView<'a> {
    /// Id.
    pub id: &'a str,
    /// Title.
    pub title: &'a str,
    /// Aliases.
    pub aliases: &'a [String],
    /// Category.
    pub category: &'a str,
    /// Category anchor path on the register page.
    pub category_path: String,
    /// Summary.
    pub summary: Option<&'a str>,
    /// Body as HTML, with cross-references linked (filled in by the page that
    /// shows it: [`ItemView::of`] leaves it empty).
    pub body_html: Option<String>,
    /// Departments.
    pub departments: Vec<DepartmentView<'a>>,
    /// Basis.
    pub basis: Vec<BasisView<'a>>,
    /// Purposes.
    pub purposes: Vec<PurposeLink<'a>>,
    /// Sources.
    pub sources: &'a [String],
    /// Items it replaces (ids; they may exist only in older editions).
    pub replaces: Vec<&'a str>,
    /// `stamp`, `work`, `creation`.
    pub kind: &'static str,
    /// Stamp fields.
    pub stamp: Option<StampView<'a>>,
    /// Work fields.
    pub work: Option<WorkView<'a>>,
    /// Creation fields.
    pub creation: Option<CreationView<'a>>,
}

impl<'a> ItemView<'a> {
    /// Builds the item page view.
    pub fn of(
        item: &'a Item,
        p: &Published<'a>,
        category_anchor: &str,
        purposes: &BTreeMap<&str, String>,
        contacts: &'a Departments,
    ) -> Self {
        let deps = p.departments;
        let key = &p.register.key;
        let (kind, _) = badge(&item.details);
        ItemView {
            id: &item.id,
            title: &item.title,
            aliases: &item.aliases,
            category: &item.category,
            category_path: format!("{}#{category_anchor}", url::register(key)),
            summary: item.summary.as_deref(),
            // The page fills it in, with cross-references linked.
            body_html: None,
            departments: item
                .departments
                .iter()
                .filter_map(|d| DepartmentView::of(d, deps, contacts))
                .collect(),
            basis: item
                .basis
                .iter()
                .map(|b| BasisView {
                    basis: b,
                    level_name: b.level.map(Choice::name),
                })
                .collect(),
            purposes: item
                .purposes
                .iter()
                .map(|n| PurposeLink {
                    name: n,
                    path: url::purpose(purposes.get(n.as_str()).map_or("", String::as_str)),
                })
                .collect(),
            sources: &item.sources,
            replaces: item.replaces.iter().map(|r| r.value.as_str()).collect(),
            kind,
            stamp: item.stamp().map(|s| StampView {
                stamp: s,
                ways: s
                    .instead
                    .iter()
                    .map(|i| instead(i, deps, contacts))
                    .collect(),
            }),
            work: match &item.details {
                Details::Work(w) => Some(WorkView { work: w }),
                _ => None,
            },
            creation: match &item.details {
                Details::Creation(c) => Some(CreationView {
                    creation: c,
                    merged_into: c.merged_into.as_ref().map(|m| Link {
                        title: p.snapshot.item(m).map_or_else(
                            || m.value.clone(),
                            |t| format!("{} {}", t.id, t.title.value),
                        ),
                        path: url::item(key, m),
                    }),
                }),
                _ => None,
            },
        }
    }
}

fn instead<'a>(
    i: &'a Instead,
    deps: &'a Departments,
    contacts: &'a Departments,
) -> InsteadView<'a> {
    InsteadView {
        method: i.method.name(),
        department: i
            .department
            .as_ref()
            .and_then(|d| DepartmentView::of(d, deps, contacts)),
        how: &i.how,
    }
}

/// What holds now for an item, in the register's edition in force: the item
/// itself, or the items it was merged into.
#[derive(Debug, Serialize)]
pub struct NowItem<'a> {
    /// Id.
    pub id: &'a str,
    /// Title.
    pub title: &'a str,
    /// Its current page.
    pub path: String,
    /// The UI string key of its answer (`verdict_refuse`, `duty_assist` …).
    pub answer_key: String,
    /// Its badge value (`refuse`, `assist` …), for styling.
    pub badge: &'static str,
}

impl<'a> NowItem<'a> {
    /// Item `id` as the published register `p` has it, if it does.
    pub fn of(p: &Published<'a>, id: &str) -> Option<Self> {
        let item = p.snapshot.item(id)?;
        let (kind, badge) = badge(&item.details);
        let prefix = match kind {
            "stamp" => "verdict",
            "work" => "duty",
            _ => "participation",
        };
        Some(NowItem {
            id: &item.id,
            title: &item.title,
            path: url::item(&p.register.key, &item.id),
            answer_key: format!("{prefix}_{badge}"),
            badge,
        })
    }
}

/// The statement of what holds now, shown first on pages of old versions.
#[derive(Debug, Serialize)]
pub struct NowView<'a> {
    /// The label of the edition in force (2020年版).
    pub label: &'a str,
    /// The item in it, when it is still there.
    pub item: Option<NowItem<'a>>,
    /// The items it was merged into, as they stand now.
    pub merged: Vec<NowItem<'a>>,
    /// `stamp`, `work`, `creation`: how to word an item that is gone.
    pub kind: &'static str,
}

impl<'a> NowView<'a> {
    /// What holds now for item `id` (merged into `merged`) in `p`, when `p`
    /// shows an edition in force; `None` otherwise (nothing holds yet).
    pub fn of(p: &Published<'a>, id: &str, merged: &[&str]) -> Option<Self> {
        let Status::InForce(edition) = p.status else {
            return None;
        };
        Some(NowView {
            label: &edition.record.label,
            item: NowItem::of(p, id),
            merged: merged.iter().filter_map(|m| NowItem::of(p, m)).collect(),
            kind: p.snapshot.list.kind.name(),
        })
    }
}

/// Items of one register on a department or purpose page.
#[derive(Debug, Serialize)]
pub struct RegisterGroup<'a> {
    /// The register.
    pub register: RegisterSummary<'a>,
    /// Its items.
    pub items: Rows<'a>,
}

/// A free page.
#[derive(Debug, Serialize)]
pub struct PageView<'a> {
    /// The page.
    #[serde(flatten)]
    pub page: &'a Page,
    /// Body as HTML.
    pub body_html: String,
}

/// Register links for navigation.
pub fn register_links(published: &[Published<'_>]) -> Vec<Link> {
    published
        .iter()
        .map(|p| Link {
            title: p
                .snapshot
                .list
                .short_title
                .clone()
                .unwrap_or_else(|| p.snapshot.list.title.clone()),
            path: url::register(&p.register.key),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::tel;

    #[test]
    fn phone_numbers_become_tel_urls() {
        assert_eq!(tel("0512-6522 1234"), "0512-65221234");
        assert_eq!(tel("+86 512 12345（总机）"), "+8651212345");
        assert_eq!(tel("javascript:alert(1)"), "1");
    }
}
