//! Item ids written in text name items that exist (pages link them).

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostic::{Code, Diagnostic, Diagnostics, Span};
use crate::model::mention::{item_ids, texts};
use crate::model::{Register, Site};
use crate::t;

/// Every id a register has or had, by its prefix (`GZ` → {`GZ-001`, …}).
fn known_ids(site: &Site) -> BTreeMap<&str, BTreeSet<&str>> {
    let mut out: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for register in &site.registers {
        let ids = out
            .entry(register.working.list.id_prefix.as_str())
            .or_default();
        for snapshot in
            std::iter::once(&register.working).chain(register.editions.iter().map(|e| &e.snapshot))
        {
            ids.extend(snapshot.items.iter().map(|i| i.id.as_str()));
        }
    }
    out
}

/// What: every item id written in an item's `summary`, `body`, `instead.how`
/// or `content`, or in an edition's `notes` or `reasons`, names an item that its register
/// (by prefix) has now or had in an edition. A warning: the text is still
/// published, but its link would lead nowhere.
pub(super) fn dangling_mentions(site: &Site, out: &mut Diagnostics) {
    use rayon::prelude::*;
    let known = known_ids(site);
    let prefixes: Vec<&str> = known.keys().copied().collect();
    let report = |text: &str, field: &str, span: Span, register: &Register| -> Vec<Diagnostic> {
        item_ids(text, &prefixes)
            .into_iter()
            .filter(|m| !known.get(m.prefix).is_some_and(|ids| ids.contains(m.id)))
            .map(|m| {
                let owner = site
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
    };
    for register in &site.registers {
        let snapshots =
            std::iter::once(&register.working).chain(register.editions.iter().map(|e| &e.snapshot));
        for snapshot in snapshots {
            // Every item's text is scanned, a hundred thousand at scale: in
            // parallel, reported in item order.
            let found: Vec<Vec<Diagnostic>> = snapshot
                .items
                .par_iter()
                .map(|item| {
                    texts(item)
                        .into_iter()
                        .flat_map(|(field, text)| report(text, field, item.title.span, register))
                        .collect()
                })
                .collect();
            out.extend(found.into_iter().flatten());
        }
        for edition in &register.editions {
            if let Some(notes) = &edition.record.notes {
                let span = Span::file_start(edition.record.file);
                out.extend(report(notes, "notes", span, register));
            }
            for (id, reason) in &edition.record.reasons {
                let field = format!("reasons.{id}");
                out.extend(report(&reason.value, &field, reason.span, register));
            }
        }
    }
}
