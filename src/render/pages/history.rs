//! The pages of a register's history: its editions, one edition with its
//! changes, every change (`/changes/`) and the Atom feeds.

use serde::Serialize;

use super::{Groups, Shared};
use crate::model::Edition;
use crate::plan::{Scope, url};
use crate::render::history_views::EditionView;
use crate::render::views::{self, ItemRow, Link, RegisterSummary};

#[derive(Serialize)]
pub(super) struct EditionsPage<'a> {
    register: RegisterSummary<'a>,
    editions: Vec<EditionView<'a>>,
    feed_path: String,
}

pub(super) fn editions_page<'a>(
    shared: &'a Shared<'a>,
    scope: &'a Scope<'a>,
    i: usize,
) -> EditionsPage<'a> {
    let h = &shared.histories[i];
    EditionsPage {
        register: RegisterSummary::of(&scope.registers[i]),
        editions: (0..h.register.editions.len())
            .rev()
            .map(|e| EditionView::of(h, e))
            .collect(),
        feed_path: url::feed(&h.register.key),
    }
}

#[derive(Serialize)]
pub(super) struct EditionPage<'a> {
    register: RegisterSummary<'a>,
    edition: EditionView<'a>,
    previous: Option<Link>,
    changes: Groups<'a>,
    categories: Vec<views::CategoryView<'a>>,
}

pub(super) fn edition_page<'a>(
    shared: &'a Shared<'a>,
    scope: &'a Scope<'a>,
    i: usize,
    e: usize,
) -> EditionPage<'a> {
    let h = &shared.histories[i];
    let p = &scope.registers[i];
    let edition = &h.register.editions[e];
    let key = &h.register.key;
    let deps = edition
        .snapshot
        .departments
        .as_ref()
        .unwrap_or(p.departments);
    let mut categories = views::categories(&edition.snapshot, |it| ItemRow {
        path: url::frozen(key, &edition.id, &it.id),
        ..ItemRow::of(it, key, deps)
    });
    if shared.sample_entries {
        for c in &mut categories {
            super::sample::rows(&mut c.items);
        }
    }
    EditionPage {
        register: RegisterSummary::of(p),
        edition: EditionView::of(h, e),
        previous: e.checked_sub(1).map(|prev| {
            let pe = &h.register.editions[prev];
            Link {
                title: pe.record.label.clone(),
                path: url::edition(key, &pe.id),
            }
        }),
        changes: shared.groups(i, Some(e)),
        categories,
    }
}

/// One edition (or the pending working copy) with its grouped changes.
#[derive(Serialize)]
pub(super) struct EditionChanges<'a> {
    register: RegisterSummary<'a>,
    edition: Option<EditionView<'a>>,
    changes: Groups<'a>,
}

impl<'a> EditionChanges<'a> {
    /// Its register's key and its changes, if they are the pending ones.
    pub(super) fn pending(&mut self) -> Option<(&'a str, &mut Groups<'a>)> {
        self.edition
            .is_none()
            .then_some((self.register.key, &mut self.changes))
    }
}

/// One edition with its grouped changes, and what listings sort it by.
pub(super) struct Entry<'a> {
    edition: &'a Edition,
    key: &'a str,
    changes: EditionChanges<'a>,
}

/// The editions of every register (or of register `only`), with their changes
/// against the edition before; the first edition of each register (which adds
/// everything) only `with_first`, with no changes listed.
pub(super) fn entries<'a>(
    shared: &'a Shared<'a>,
    scope: &'a Scope<'a>,
    only: Option<usize>,
    with_first: bool,
) -> Vec<Entry<'a>> {
    let mut out = Vec::new();
    for (i, h) in shared.histories.iter().enumerate() {
        if only.is_some_and(|o| o != i) {
            continue;
        }
        for (e, edition) in h.register.editions.iter().enumerate() {
            if e == 0 && !with_first {
                continue;
            }
            let changes = shared.groups(i, Some(e));
            out.push(Entry {
                edition,
                key: &h.register.key,
                changes: EditionChanges {
                    register: RegisterSummary::of(&scope.registers[i]),
                    edition: Some(EditionView::of(h, e)),
                    changes,
                },
            });
        }
    }
    out
}

/// Every non-first edition of every register, newest in effect first.
pub(super) fn edition_changes<'a>(
    shared: &'a Shared<'a>,
    scope: &'a Scope<'a>,
) -> Vec<EditionChanges<'a>> {
    let mut out = entries(shared, scope, None, false);
    let order = |x: &Entry<'a>| {
        let r = &x.edition.record;
        (
            r.effective.value,
            r.published.value,
            x.key,
            x.edition.id.as_str(),
        )
    };
    out.sort_by(|a, b| order(b).cmp(&order(a)));
    out.into_iter().map(|x| x.changes).collect()
}

pub(super) fn pending_of<'a>(
    shared: &'a Shared<'a>,
    scope: &'a Scope<'a>,
    i: usize,
) -> EditionChanges<'a> {
    EditionChanges {
        register: RegisterSummary::of(&scope.registers[i]),
        edition: None,
        changes: shared.groups(i, None),
    }
}

pub(super) fn pending_changes<'a>(
    shared: &'a Shared<'a>,
    scope: &'a Scope<'a>,
) -> Vec<EditionChanges<'a>> {
    (0..scope.registers.len())
        .map(|i| pending_of(shared, scope, i))
        .collect()
}

#[derive(Serialize)]
pub(super) struct ChangesPage<'a> {
    editions: Vec<EditionChanges<'a>>,
}

pub(super) fn changes_page<'a>(shared: &'a Shared<'a>, scope: &'a Scope<'a>) -> ChangesPage<'a> {
    ChangesPage {
        editions: edition_changes(shared, scope),
    }
}

#[derive(Serialize)]
pub(super) struct Feed<'a> {
    title: String,
    self_path: String,
    alternate_path: String,
    updated: String,
    entries: Vec<EditionChanges<'a>>,
}

/// An Atom feed: one entry per edition (the first edition of each register
/// included), newest published first.
pub(super) fn feed<'a>(
    shared: &'a Shared<'a>,
    scope: &'a Scope<'a>,
    only: Option<usize>,
) -> Feed<'a> {
    let mut entries = entries(shared, scope, only, true);
    let order = |x: &Entry<'a>| {
        (
            x.edition.record.published.value,
            x.key,
            x.edition.id.as_str(),
        )
    };
    entries.sort_by(|a, b| order(b).cmp(&order(a)));
    let updated = entries.first().map_or_else(
        || "2000-01-01".to_owned(),
        |e| e.edition.record.published.value.to_string(),
    );
    let (title, self_path, alternate_path) = match only {
        Some(i) => {
            let key = &scope.registers[i].register.key;
            (
                format!(
                    "{} - {}",
                    scope.registers[i].snapshot.list.title, shared.site.config.title
                ),
                url::feed(key),
                url::editions(key),
            )
        }
        None => (
            shared.site.config.title.clone(),
            url::FEED.to_owned(),
            url::CHANGES.to_owned(),
        ),
    };
    Feed {
        title,
        self_path,
        alternate_path,
        updated,
        entries: entries.into_iter().map(|e| e.changes).collect(),
    }
}
