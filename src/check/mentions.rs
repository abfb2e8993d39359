//! Item ids written in text name items that exist (pages link them).

use std::collections::{BTreeMap, BTreeSet};

use super::memo::Memo;
use super::working::Working;
use crate::diagnostic::{Code, Diagnostic, Diagnostics, Span};
use crate::model::mention::{item_ids, texts};
use crate::model::{Edition, Item, Register, Site, Snapshot};
use crate::t;

/// Every id a register has or had, by its prefix (`GZ` → {`GZ-001`, …}).
pub(super) fn known_ids(site: &Site) -> Known {
    let mut out: Known = BTreeMap::new();
    for register in &site.registers {
        let ids = out
            .entry(register.working.list.id_prefix.clone())
            .or_default();
        for snapshot in
            std::iter::once(&register.working).chain(register.editions.iter().map(|e| &e.snapshot))
        {
            ids.extend(snapshot.items.iter().map(|i| i.id.clone()));
        }
    }
    out
}

/// Item ids by prefix (see [`known_ids`]).
pub(super) type Known = BTreeMap<String, BTreeSet<String>>;

/// What: every item id written in an item's `summary`, `body`, `instead.how`
/// or `content`, or in an edition's `notes` or `reasons`, names an item that its register
/// (by prefix) has now or had in an edition. A warning: the text is still
/// published, but its link would lead nowhere.
pub(super) fn dangling_mentions(
    finder: &Finder<'_>,
    working: &Working,
    out: &mut Diagnostics,
    memo: &mut Memo,
) {
    for (r, register) in finder.site.registers.iter().enumerate() {
        out.extend(working.of(r).flat_map(|f| f.mentions.iter().cloned()));
        let mut notes = Vec::new();
        for edition in &register.editions {
            let (in_items, in_notes) = memo.edition(edition).mentions.get_or_insert_with(|| {
                (
                    finder.in_items(&edition.snapshot, register),
                    finder.in_notes(edition, register),
                )
            });
            out.extend(in_items.iter().cloned());
            notes.extend(in_notes.iter().cloned());
        }
        out.extend(notes);
    }
}

/// Finds dangling mentions, given every known id.
pub(super) struct Finder<'a> {
    pub(super) site: &'a Site,
    pub(super) known: &'a Known,
    /// The prefixes of `known`.
    pub(super) prefixes: &'a [&'a str],
}

impl Finder<'_> {
    fn report(&self, text: &str, field: &str, span: Span, register: &Register) -> Vec<Diagnostic> {
        item_ids(text, self.prefixes)
            .into_iter()
            .filter(|m| !self.known.get(m.prefix).is_some_and(|ids| ids.contains(m.id)))
            .map(|m| {
                let owner = self
                    .site
                    .registers
                    .iter()
                    .find(|r| r.working.list.id_prefix == m.prefix)
                    .map_or(register.key.as_str(), |r| r.key.as_str());
                let id = m.id;
                Diagnostic::warning(
                    Code::DanglingMention,
                    span,
                    t!(
                        en: "`{field}` mentions `{id}`, which register `{owner}` has never had",
                        zh: "`{field}` 中提到的 `{id}` 不是名录 `{owner}` 现有或曾有的事项"
                    ),
                )
                .with_help(t!(
                    en: "correct the id (items of `{owner}` are in lists/{owner}/items/ and its editions), or write the item's title instead",
                    zh: "请改正编号（名录 `{owner}` 的事项在 lists/{owner}/items/ 及其各版本中），或改写为该事项的名称"
                ))
            })
            .collect()
    }

    /// Every item's text is scanned, a hundred thousand at scale: in
    /// parallel, reported in item order.
    fn in_items(&self, snapshot: &Snapshot, register: &Register) -> Vec<Diagnostic> {
        use rayon::prelude::*;
        let found: Vec<Vec<Diagnostic>> = snapshot
            .items
            .par_iter()
            .map(|item| self.in_item(item, register))
            .collect();
        found.into_iter().flatten().collect()
    }

    /// The dangling mentions in `item`'s text.
    pub(super) fn in_item(&self, item: &Item, register: &Register) -> Vec<Diagnostic> {
        texts(item)
            .into_iter()
            .flat_map(|(field, text)| self.report(text, field, item.span(), register))
            .collect()
    }

    fn in_notes(&self, edition: &Edition, register: &Register) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        if let Some(notes) = &edition.record.notes {
            let span = Span::file_start(edition.record.file);
            out.extend(self.report(notes, "notes", span, register));
        }
        for (id, reason) in &edition.record.reasons {
            let field = format!("reasons.{id}");
            out.extend(self.report(&reason.value, &field, reason.span, register));
        }
        out
    }
}
