//! The pages of what each site shows now: the home page, register pages,
//! item pages and withdrawal pages.

use std::collections::BTreeMap;

use serde::Serialize;

use super::history::{EditionChanges, edition_changes, pending_changes, pending_of};
use super::{History, Shared};
use crate::history::EditionStatus;
use crate::model::{Details, Item, Verdict};
use crate::plan::{PageId, Published, Scope, url};
use crate::render::history_views::{self as hv, EditionView, FrozenView, Standing};
use crate::render::views::{
    DepartmentView, ItemRow, ItemView, NowItem, NowView, RegisterSummary, RegisterView, Rows,
};

#[derive(Serialize)]
pub(super) struct HomePage<'a> {
    registers: Vec<RegisterSummary<'a>>,
    refused: Rows<'a>,
    purposes: Vec<PurposeCount<'a>>,
    /// Latest editions across registers (public) or pending changes (draft).
    latest: Vec<EditionChanges<'a>>,
}

#[derive(Serialize)]
pub(super) struct PurposeCount<'a> {
    name: &'a str,
    pub(super) path: String,
    count: usize,
}

pub(super) fn home<'a>(shared: &'a Shared<'a>, scope: &'a Scope<'a>) -> HomePage<'a> {
    let refused = scope
        .registers
        .iter()
        .flat_map(|p| p.snapshot.items.iter().map(move |i| (p, i)))
        .filter(
            |(_, i)| matches!(&i.details, Details::Stamp(s) if s.verdict.value == Verdict::Refuse),
        )
        .map(|(p, i)| ItemRow::of(i, &p.register.key, p.departments))
        .collect();
    let latest = if scope.is_draft() {
        pending_changes(shared, scope)
    } else {
        edition_changes(shared, scope).into_iter().take(3).collect()
    };
    HomePage {
        registers: scope.registers.iter().map(RegisterSummary::of).collect(),
        refused,
        purposes: purpose_counts(scope),
        latest,
    }
}

impl<'a> super::rows::Lists<'a> for HomePage<'a> {
    fn lists(&mut self) -> Vec<&mut Rows<'a>> {
        vec![&mut self.refused]
    }

    fn changes(&mut self) -> Vec<(&'a str, &mut super::Groups<'a>)> {
        self.latest
            .iter_mut()
            .filter_map(EditionChanges::pending)
            .collect()
    }
}

impl<'a> super::rows::Lists<'a> for RegisterPage<'a> {
    fn lists(&mut self) -> Vec<&mut Rows<'a>> {
        let categories = self.register.categories.iter_mut();
        categories.map(|c| &mut c.items).collect()
    }

    fn changes(&mut self) -> Vec<(&'a str, &mut super::Groups<'a>)> {
        self.pending
            .iter_mut()
            .filter_map(EditionChanges::pending)
            .collect()
    }
}

pub(super) fn purpose_counts<'a>(scope: &'a Scope<'a>) -> Vec<PurposeCount<'a>> {
    let mut counts: BTreeMap<&str, usize> = scope.purpose_slugs.keys().map(|k| (*k, 0)).collect();
    for item in scope.registers.iter().flat_map(|p| p.snapshot.items.iter()) {
        for purpose in &item.purposes {
            *counts.entry(purpose).or_default() += 1;
        }
    }
    let mut out: Vec<PurposeCount<'_>> = counts
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(name, count)| PurposeCount {
            name,
            path: url::purpose(&scope.purpose_slugs[name]),
            count,
        })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(b.name)));
    out
}

#[derive(Serialize)]
pub(super) struct RegisterPage<'a> {
    register: RegisterView<'a>,
    editions_path: String,
    upcoming: Vec<EditionView<'a>>,
    pending: Option<EditionChanges<'a>>,
}

pub(super) fn register_page<'a>(
    shared: &'a Shared<'a>,
    scope: &'a Scope<'a>,
    i: usize,
) -> RegisterPage<'a> {
    let p = &scope.registers[i];
    let h = &shared.histories[i];
    let upcoming = (0..h.register.editions.len())
        .filter(|e| h.statuses[*e] == EditionStatus::Upcoming && Some(*e) != h.shown)
        .map(|e| EditionView::of(h, e))
        .collect();
    RegisterPage {
        register: RegisterView::of(p),
        editions_path: url::editions(&p.register.key),
        upcoming,
        pending: scope.is_draft().then(|| pending_of(shared, scope, i)),
    }
}

#[derive(Serialize)]
pub(super) struct ItemPage<'a> {
    pub(super) register: RegisterSummary<'a>,
    pub(super) item: ItemView<'a>,
    pub(super) frozen: Option<FrozenView<'a>>,
    timeline: Vec<hv::TimelineEntry<'a>>,
    pending: Option<hv::ChangeView<'a>>,
    /// Its refusal notice, when the plan has one (current refuse items).
    notice_path: Option<String>,
    /// What the blocks that show how a frozen version stands print instead
    /// (set only where the page is rendered in parts: [`super::frozen`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) status_marks: Option<&'a [String]>,
}

pub(super) fn item_page<'a>(
    shared: &'a Shared<'a>,
    scope: &'a Scope<'a>,
    i: usize,
    item: &'a Item,
    frozen_in: Option<usize>,
    path: &str,
    memo: Option<&mut super::frozen::Memo>,
) -> ItemPage<'a> {
    let p = &scope.registers[i];
    let h = &shared.histories[i];
    let (snapshot_published, frozen) = match frozen_in {
        None => (*p, None),
        Some(e) => {
            let (shown, view) = frozen_view(h, p, item, e);
            (shown, Some(view))
        }
    };
    let index = snapshot_published
        .snapshot
        .list
        .categories
        .iter()
        .position(|c| *c == item.category.value)
        .map_or(0, |i| i + 1);
    let mut view = ItemView::of(
        item,
        &snapshot_published,
        &format!("c{index}"),
        &scope.purpose_slugs,
        &shared.plan.site.departments,
    );
    let (mentions, _) = shared.mentions(scope.kind);
    let body_html = |m: &str| {
        mentions.markdown(
            m,
            2,
            &p.register.key,
            &url::root_from(path),
            &url::item(&p.register.key, &item.id),
        )
    };
    // The frozen pages of one item share a memo: same depth, same links.
    view.body_html = item.body.as_deref().map(|m| match memo {
        Some(memo) => memo
            .bodies
            .entry(m.to_owned())
            .or_insert_with(|| body_html(m))
            .clone(),
        None => body_html(m),
    });
    if let Some(e) = frozen_in {
        view.category_path = format!(
            "{}#c{index}",
            url::edition(&p.register.key, &h.register.editions[e].id)
        );
    }
    let pending = if scope.is_draft() {
        h.pending
            .item(&item.id)
            .map(|c| hv::change_view(h, None, &h.pending, c, &shared.fields))
    } else {
        None
    };
    let timeline = if frozen_in.is_none() {
        hv::timeline(h, &item.id, &shared.fields)
    } else {
        Vec::new()
    };
    let notice = PageId::Notice {
        register: &p.register.key,
        item: &item.id,
    };
    let notice_path = (frozen_in.is_none() && shared.plan.page(scope.kind, &notice).is_some())
        .then(|| url::notice(&p.register.key, &item.id));
    ItemPage {
        notice_path,
        status_marks: None,
        register: RegisterSummary::of(&snapshot_published),
        item: view,
        frozen,
        timeline,
        pending,
    }
}

/// The published view of edition `e` of register `p` and the banner of
/// `item`'s page in it.
fn frozen_view<'a>(
    h: &'a History<'a>,
    p: &Published<'a>,
    item: &'a Item,
    e: usize,
) -> (Published<'a>, FrozenView<'a>) {
    let edition = &h.register.editions[e];
    let shown = Published {
        snapshot: &edition.snapshot,
        departments: edition
            .snapshot
            .departments
            .as_ref()
            .unwrap_or(p.departments),
        ..*p
    };
    let current = p.snapshot.item(&item.id).is_some() && h.shown.is_some();
    let status = match h.statuses[e] {
        EditionStatus::InForce => Standing::Current,
        EditionStatus::Upcoming => Standing::Upcoming,
        EditionStatus::Superseded if current => Standing::Superseded,
        EditionStatus::Superseded => Standing::Withdrawn,
    };
    let withdrawn = if status == Standing::Withdrawn {
        hv::withdrawn(h, &item.id, h.last_seen[&item.id])
    } else {
        None
    };
    let now = if status == Standing::Current {
        None
    } else {
        let merged: Vec<&str> = withdrawn
            .as_ref()
            .map(|w| w.merged_into.iter().map(|m| m.title.as_str()).collect())
            .unwrap_or_default();
        NowView::of(p, &item.id, &merged)
    };
    let view = FrozenView {
        edition: EditionView::of(h, e),
        status,
        current_path: current.then(|| url::item(&p.register.key, &item.id)),
        withdrawn,
        now,
    };
    (shown, view)
}

#[derive(Serialize)]
pub(super) struct WithdrawnPage<'a> {
    register: RegisterSummary<'a>,
    id: &'a str,
    title: &'a str,
    withdrawn: Option<hv::WithdrawnView<'a>>,
    last_path: String,
    /// What holds now: the items it was merged into, as they stand.
    now: Option<NowView<'a>>,
    /// Its last version's departments, with how to reach them today.
    departments: Vec<DepartmentView<'a>>,
    /// Its last version's answer key (`verdict_issue` …), for "it used to be".
    last_answer_key: Option<String>,
}

pub(super) fn withdrawn_page<'a>(
    shared: &'a Shared<'a>,
    scope: &'a Scope<'a>,
    i: usize,
    id: &'a str,
    last: usize,
) -> WithdrawnPage<'a> {
    let h = &shared.histories[i];
    let edition = &h.register.editions[last];
    let p = &scope.registers[i];
    let last_item = edition.snapshot.item(id);
    let title = last_item.map_or(id, |it| it.title.value.as_str());
    let withdrawn = hv::withdrawn(h, id, last);
    let merged: Vec<&str> = withdrawn
        .as_ref()
        .map(|w| w.merged_into.iter().map(|m| m.title.as_str()).collect())
        .unwrap_or_default();
    let then = Published {
        snapshot: &edition.snapshot,
        departments: edition
            .snapshot
            .departments
            .as_ref()
            .unwrap_or(&shared.plan.site.departments),
        ..*p
    };
    let departments = last_item
        .map(|it| {
            it.departments
                .iter()
                .filter_map(|d| {
                    DepartmentView::of(d, then.departments, &shared.plan.site.departments)
                })
                .collect()
        })
        .unwrap_or_default();
    WithdrawnPage {
        register: RegisterSummary::of(p),
        id,
        title,
        now: NowView::of(p, id, &merged),
        last_answer_key: NowItem::of(&then, id).map(|n| n.answer_key),
        departments,
        withdrawn,
        last_path: url::frozen(&h.register.key, &edition.id, id),
    }
}
