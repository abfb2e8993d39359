//! Views of editions and changes: edition lists, change groups, timelines,
//! the banner of a frozen item page, feeds.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};

use serde::Serialize;
use sha2::{Digest as _, Sha256};

use super::change_html::change_html;
use super::pages::History;
use super::views::{Link, NowView};
use crate::history::format::Labels;
use crate::history::{ChangeKind, DepartmentChange, Diff, EditionStatus, FieldChange, ItemChange};
use crate::model::{Choice, Edition, Language};
use crate::plan::url;

/// An edition as listed.
#[derive(Debug, Serialize)]
pub(crate) struct EditionView<'a> {
    /// Id.
    pub(crate) id: &'a str,
    /// Label.
    pub(crate) label: &'a str,
    /// `year`, `batch` …
    pub(crate) kind: &'static str,
    /// Official title.
    pub(crate) title: &'a str,
    /// 文号.
    pub(crate) doc_number: Option<&'a str>,
    /// 发布机关.
    pub(crate) issuers: &'a [String],
    /// 发布日期.
    pub(crate) published: String,
    /// 实施日期.
    pub(crate) effective: String,
    /// 失效日期.
    pub(crate) expires: Option<String>,
    /// In force, upcoming or superseded.
    pub(crate) status: EditionStatus,
    /// Its page.
    pub(crate) path: String,
    /// Notes (Markdown; templates render them with cross-references linked).
    pub(crate) notes: Option<&'a str>,
    /// Official sources.
    pub(crate) sources: &'a [String],
    /// Items in it.
    pub(crate) count: usize,
    /// Added items.
    pub(crate) added: usize,
    /// Removed items.
    pub(crate) removed: usize,
    /// Changed items.
    pub(crate) changed: usize,
    /// Verdict flips.
    pub(crate) flips: usize,
    /// Whether it is the register's first edition.
    pub(crate) first: bool,
}

impl<'a> EditionView<'a> {
    /// The view of edition `index` of a register.
    pub(crate) fn of(h: &'a History<'a>, index: usize) -> Self {
        let e: &'a Edition = &h.register.editions[index];
        let r = &e.record;
        let tally = h.tallies[index];
        EditionView {
            id: &e.id,
            label: &r.label,
            kind: r.kind.name(),
            title: &r.title,
            doc_number: r.doc_number.as_deref(),
            issuers: &r.issuers,
            published: r.published.value.to_string(),
            effective: r.effective.value.to_string(),
            expires: r.expires.as_ref().map(|x| x.value.to_string()),
            status: h.statuses[index],
            path: url::edition(&h.register.key, &e.id),
            notes: r.notes.as_deref(),
            sources: &r.sources,
            count: e.snapshot.items.len(),
            added: tally.added,
            removed: tally.removed,
            changed: tally.changed,
            flips: tally.flips,
            first: index == 0,
        }
    }
}

/// A field's change, ready to show.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct FieldView {
    /// Field label.
    pub(crate) label: String,
    /// Old value as HTML (escaped; Markdown rendered).
    pub(crate) old: String,
    /// New value as HTML.
    pub(crate) new: String,
}

/// An item's change, ready to show.
#[derive(Debug, Serialize)]
pub(crate) struct ChangeView<'a> {
    /// Item id.
    pub(crate) id: &'a str,
    /// Title.
    pub(crate) title: &'a str,
    /// `added`, `removed`, `changed`.
    pub(crate) kind: &'static str,
    /// The item's page in this edition (for removed items: its last version).
    pub(crate) path: String,
    /// Field changes.
    pub(crate) fields: Vec<FieldView>,
    /// Verdict before and after (`issue`/`refuse`), if it flipped.
    pub(crate) verdict: Option<(&'static str, &'static str)>,
    /// Items it was merged into.
    pub(crate) merged_into: Vec<Link>,
    /// Removed items it takes over.
    pub(crate) absorbs: Vec<Link>,
    /// Why.
    pub(crate) reason: Option<&'a str>,
}

/// Changes grouped by kind.
#[derive(Debug, Default, Serialize)]
pub(crate) struct ChangeGroups<'a> {
    /// Added items.
    pub(crate) added: Vec<ChangeView<'a>>,
    /// Removed items.
    pub(crate) removed: Vec<ChangeView<'a>>,
    /// Changed items.
    pub(crate) changed: Vec<ChangeView<'a>>,
    /// Department changes, one HTML line each (escaped).
    pub(crate) departments: Vec<String>,
}

/// Field changes shown so far, by language and department names (what
/// [`change_html`] reads besides the change), then by change; kept across
/// builds, so a rebuild renders only the fields whose values changed.
#[derive(Debug, Default)]
pub(crate) struct FieldMemo {
    /// By language and names, then by the SHA-256 of the change's key (its
    /// JSON can be as long as two whole texts: a copy would cost more memory
    /// than the views).
    views: Mutex<HashMap<String, FieldViewsKept>>,
}

/// Field views kept for one language and set of names, by the SHA-256 of
/// each change's key.
type FieldViewsKept = HashMap<[u8; 32], Arc<FieldView>>;

/// More field changes than any site shows: past it, the memo starts again.
const FIELD_LIMIT: usize = 100_000;

/// Makes the views of field changes, in one language, through a memo.
pub(crate) struct FieldViews<'m> {
    /// The labels of the language.
    pub(crate) labels: Labels,
    language: &'static str,
    memo: &'m FieldMemo,
}

impl<'m> FieldViews<'m> {
    /// Field views in `language`, kept in `memo`.
    pub(crate) fn new(language: Language, memo: &'m FieldMemo) -> Self {
        FieldViews {
            labels: Labels::new(language),
            language: language.name(),
            memo,
        }
    }

    /// The views of `fields`, changed in a diff that names departments `names`.
    fn of(&self, fields: &[FieldChange], names: &BTreeMap<String, String>) -> Vec<FieldView> {
        let view_of = |f: &FieldChange| {
            let (old, new) = change_html(f, &self.labels, names);
            FieldView {
                label: self.labels.field(f),
                old,
                new,
            }
        };
        // Keyed by JSON, much faster than `Debug` on CJK text. With the
        // field's name and label it is exact: what JSON leaves out of a value
        // (which variant, a choice's or a part's label) follows from the
        // field's schema. A value that does not serialize skips the memo.
        let Some(outer) =
            json(names).map(|n| format!("{}:{}{n}", self.language.len(), self.language))
        else {
            return fields.iter().map(view_of).collect();
        };
        let keys: Vec<Option<[u8; 32]>> = fields
            .iter()
            .map(|f| {
                json(f).map(|j| {
                    let key = format!("{}:{}{j}", f.label.len(), f.label);
                    Sha256::digest(key.as_bytes()).into()
                })
            })
            .collect();
        let found: Vec<Option<Arc<FieldView>>> = {
            let memo = self
                .memo
                .views
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let kept = memo.get(&outer);
            let get = |k: &Option<[u8; 32]>| kept.and_then(|m| m.get(k.as_ref()?)).cloned();
            keys.iter().map(get).collect()
        };
        let mut made = Vec::new();
        let views = fields
            .iter()
            .zip(found)
            .zip(keys)
            .map(|((f, found), key)| match (found, key) {
                (Some(view), _) => FieldView::clone(&view),
                (None, Some(key)) => {
                    let view = view_of(f);
                    made.push((key, Arc::new(view.clone())));
                    view
                }
                (None, None) => view_of(f),
            })
            .collect();
        if !made.is_empty() {
            let mut memo = self
                .memo
                .views
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if memo.values().map(HashMap::len).sum::<usize>() + made.len() > FIELD_LIMIT {
                memo.clear();
            }
            memo.entry(outer).or_default().extend(made);
        }
        views
    }
}

/// A value's JSON text, to key a memo by.
fn json(value: &impl Serialize) -> Option<String> {
    serde_json::to_string(value).ok()
}

/// Builds the view of one change made by edition `index` (`None`: the working copy).
pub(crate) fn change_view<'a>(
    h: &History<'_>,
    index: Option<usize>,
    diff: &'a Diff,
    c: &'a ItemChange,
    fields: &FieldViews<'_>,
) -> ChangeView<'a> {
    let key = &h.register.key;
    let editions = &h.register.editions;
    let here = |id: &str| match index {
        Some(i) => url::frozen(key, &editions[i].id, id),
        None => format!("draft/{}", url::item(key, id)),
    };
    let path = match (c.kind, index) {
        (ChangeKind::Removed, Some(i)) if i > 0 => url::frozen(key, &editions[i - 1].id, &c.id),
        (ChangeKind::Removed, None) => editions
            .last()
            .map_or_else(|| url::item(key, &c.id), |e| url::frozen(key, &e.id, &c.id)),
        _ => here(&c.id),
    };
    let link = |id: &String| Link {
        title: id.clone(),
        path: here(id),
    };
    ChangeView {
        id: &c.id,
        title: &c.title,
        kind: c.kind.name(),
        path,
        fields: fields.of(&c.fields, &diff.department_names),
        verdict: c.verdict.map(|v| (v.from.name(), v.to.name())),
        merged_into: c.merged_into.iter().map(link).collect(),
        absorbs: c.absorbs.iter().map(link).collect(),
        reason: c.reason.as_deref(),
    }
}

/// Groups a diff's changes for an edition page: all of them, or (`sample`,
/// for `check` with the built-in templates) the first of each shape
/// ([`super::pages::sample`]).
pub(crate) fn groups<'a>(
    h: &History<'_>,
    index: Option<usize>,
    diff: &'a Diff,
    (fields, sample): (&FieldViews<'_>, bool),
) -> ChangeGroups<'a> {
    let labels = &fields.labels;
    let mut g = ChangeGroups::default();
    let mut shapes = std::collections::HashSet::new();
    let shown = |c: &&ItemChange| !sample || super::pages::sample::first_of_shape(&mut shapes, c);
    for c in diff.items.iter().filter(shown) {
        let view = change_view(h, index, diff, c, fields);
        match c.kind {
            ChangeKind::Added => g.added.push(view),
            ChangeKind::Removed => g.removed.push(view),
            ChangeKind::Changed => g.changed.push(view),
        }
    }
    g.departments = department_lines(diff, labels);
    g
}

/// A diff's department changes, one HTML line each.
pub(crate) fn department_lines(diff: &Diff, labels: &Labels) -> Vec<String> {
    diff.departments
        .iter()
        .map(|d| department_line(d, labels, &diff.department_names))
        .collect()
}

/// A department change in plain words, as HTML: its name, then what
/// happened (新增/退出) or each changed field with its old and new value.
fn department_line(
    d: &DepartmentChange,
    labels: &Labels,
    names: &std::collections::BTreeMap<String, String>,
) -> String {
    let t = |k: &str| labels.get(k).unwrap_or("");
    let esc = super::escape_html;
    let mut line = format!("<strong>{}</strong>", esc(&d.name));
    if d.fields.is_empty() {
        let kind = match d.kind {
            ChangeKind::Added => "diff_added",
            ChangeKind::Removed => "diff_removed",
            ChangeKind::Changed => "diff_changed",
        };
        line.push_str(t("colon"));
        line.push_str(&esc(t(kind)));
        return line;
    }
    line.push_str("<ul class=\"value-list\">");
    for f in &d.fields {
        let (old, new) = labels.change(f, names);
        line.push_str(&format!(
            "<li>{}{}{} → {}</li>",
            esc(&labels.field(f)),
            t("colon"),
            esc(&old),
            esc(&new)
        ));
    }
    line.push_str("</ul>");
    line
}

/// One entry of an item's timeline.
#[derive(Debug, Serialize)]
pub(crate) struct TimelineEntry<'a> {
    /// What happened, in a few words (调整替代途径、办理时限).
    pub(crate) summary: String,
    /// The edition.
    pub(crate) edition: EditionView<'a>,
    /// What happened to the item in it.
    pub(crate) change: ChangeView<'a>,
}

/// The timeline of item `id`: every edition that added or changed it, newest first
/// (upcoming editions included, marked by their status).
pub(crate) fn timeline<'a>(
    h: &'a History<'a>,
    id: &str,
    fields: &FieldViews<'_>,
) -> Vec<TimelineEntry<'a>> {
    let labels = &fields.labels;
    let Some(entries) = h.by_item.get(id) else {
        return Vec::new();
    };
    entries
        .iter()
        .rev()
        .map(|at| TimelineEntry {
            summary: summary(h.change(*at), at.edition == 0, labels),
            edition: EditionView::of(h, at.edition),
            change: change_view(
                h,
                Some(at.edition),
                &h.diffs[at.edition],
                h.change(*at),
                fields,
            ),
        })
        .collect()
}

/// A change in a few words: 首次列入名录, 退出名录, or 调整 and the labels of
/// the fields it changed (at most three, then 等).
fn summary(c: &ItemChange, first: bool, labels: &Labels) -> String {
    let t = |k: &str| labels.get(k).unwrap_or("");
    match c.kind {
        ChangeKind::Added if first => t("timeline_first").to_owned(),
        ChangeKind::Added => t("timeline_added").to_owned(),
        ChangeKind::Removed => t("timeline_removed").to_owned(),
        ChangeKind::Changed => {
            let mut names: Vec<String> = c.fields.iter().map(|f| labels.field(f)).collect();
            names.dedup();
            let more = names.len() > 3;
            names.truncate(3);
            let mut s = format!("{}{}", t("timeline_changed"), names.join(t("list_sep")));
            if more {
                s.push_str(t("and_more"));
            }
            s
        }
    }
}

/// The banner of an item page frozen in an edition.
#[derive(Debug, Serialize)]
pub(crate) struct FrozenView<'a> {
    /// The edition.
    pub(crate) edition: EditionView<'a>,
    /// How this version stands today.
    pub(crate) status: Standing,
    /// The item's current page, when it is still in force.
    pub(crate) current_path: Option<String>,
    /// When and why it left the register.
    pub(crate) withdrawn: Option<WithdrawnView<'a>>,
    /// What holds now (for versions that are not the one in force).
    pub(crate) now: Option<NowView<'a>>,
}

/// How an item's version in a frozen edition stands today.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Standing {
    /// It is the version in force.
    Current,
    /// A newer edition in force has another version.
    Superseded,
    /// The item left the register.
    Withdrawn,
    /// Its edition takes effect later.
    Upcoming,
}

/// When and why an item left the register.
#[derive(Debug, Serialize)]
pub(crate) struct WithdrawnView<'a> {
    /// The edition that removed it.
    pub(crate) edition: EditionView<'a>,
    /// Why.
    pub(crate) reason: Option<&'a str>,
    /// Items it was merged into (their pages in that edition).
    pub(crate) merged_into: Vec<Link>,
    /// Its last version.
    pub(crate) last_path: String,
}

/// Where item `id`, last seen in edition `last`, went.
pub(crate) fn withdrawn<'a>(
    h: &'a History<'a>,
    id: &str,
    last: usize,
) -> Option<WithdrawnView<'a>> {
    let (e, change) = h.removal_after(id, last)?;
    let key = &h.register.key;
    let in_removal = &h.register.editions[e].id;
    Some(WithdrawnView {
        edition: EditionView::of(h, e),
        reason: change.reason.as_deref(),
        merged_into: change
            .merged_into
            .iter()
            .map(|m| Link {
                title: m.clone(),
                path: url::frozen(key, in_removal, m),
            })
            .collect(),
        last_path: url::frozen(key, &h.register.editions[last].id, id),
    })
}
