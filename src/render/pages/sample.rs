//! What `check` renders of a long list (item rows, changes) when every
//! template is a built-in one: the first entry of each shape, not every
//! entry. RENDER stage, `check` only; a build renders every entry.
//!
//! Why it stays sound: `check` promises to report every template error a
//! build would hit. The built-in templates print an entry's values through
//! names and table keys the loader has already validated (enums, ids), and
//! branch only on what a shape records: which of its optional parts an entry
//! has (and for a list, whether it has one value or more, which is where a
//! loop's `loop.last` branch runs), and the enum values they look up in the
//! UI strings (`t["short_" ~ row.badge]`). So two entries of one shape run
//! the same template code with the same lookups, and the first one stands
//! for both. A theme that overrides any template may test anything (an id,
//! a title): then `check` renders every entry, as before, and
//! `tests/it/build.rs` pins that an error only a later entry triggers is
//! still reported. The shapes destructure their entries field by field, so
//! a new field fails to compile here until someone decides whether the
//! built-in templates branch on it.

use std::collections::HashSet;

use crate::history::ItemChange;
use crate::model::Choice as _;
use crate::render::Purpose;
use crate::render::theme::{Origin, Theme};
use crate::render::views::{ItemRow, Rows};

/// Whether pages rendered for `purpose` with `theme` show a sample of their
/// long lists: only in a check, and only when no template is overridden.
pub(super) fn applies(purpose: Purpose, theme: &Theme) -> bool {
    purpose == Purpose::Check
        && theme
            .templates
            .values()
            .all(|t| matches!(t.origin, Origin::BuiltIn))
}

/// Keeps, of `rows`, the first row of each shape (in order).
pub(super) fn rows(rows: &mut Rows<'_>) {
    if let Rows::Plain(rows) = rows {
        let mut seen = HashSet::new();
        rows.retain(|r| seen.insert(row_shape(r)));
    }
}

/// What the built-in `item_list` macro branches on in a row.
fn row_shape(row: &ItemRow<'_>) -> (&'static str, &'static str, usize, bool, usize) {
    let ItemRow {
        id: _,
        title: _,
        path: _,
        aliases,
        summary,
        badge,
        kind,
        go_to,
    } = row;
    (
        badge,
        kind,
        aliases.len().min(2),
        summary.is_some(),
        go_to.len().min(2),
    )
}

/// A change's shape: what the built-in `change_groups` macro (and the
/// feeds) branch on in its view, which [`crate::render::history_views`]
/// makes field for field from the change.
pub(in crate::render) type ChangeShape = (
    &'static str,
    usize,
    Option<(&'static str, &'static str)>,
    usize,
    usize,
    bool,
);

/// The shape of change `c`.
pub(in crate::render) fn change_shape(c: &ItemChange) -> ChangeShape {
    let ItemChange {
        id: _,
        kind,
        title: _,
        fields,
        verdict,
        merged_into,
        absorbs,
        reason,
    } = c;
    (
        kind.name(),
        fields.len().min(2),
        verdict.map(|v| (v.from.name(), v.to.name())),
        merged_into.len().min(2),
        absorbs.len().min(2),
        reason.is_some(),
    )
}

/// Whether `c` is the first change of its shape among those `seen`
/// (noting its shape).
pub(in crate::render) fn first_of_shape(seen: &mut HashSet<ChangeShape>, c: &ItemChange) -> bool {
    seen.insert(change_shape(c))
}

#[cfg(test)]
mod tests {
    use crate::history::{ChangeKind, ItemChange};
    use crate::render::views::{ItemRow, Rows};

    fn row<'a>(id: &'a str, aliases: &'a [String], badge: &'static str) -> ItemRow<'a> {
        ItemRow {
            id,
            title: "t",
            path: format!("stamp/{id}/"),
            aliases,
            summary: None,
            badge,
            kind: "stamp",
            go_to: Vec::new(),
        }
    }

    #[test]
    fn rows_keep_the_first_of_each_shape_in_order() {
        let one = ["甲".to_owned()];
        let two = ["甲".to_owned(), "乙".to_owned()];
        let mut rows = Rows::Plain(vec![
            row("1", &[], "issue"),
            row("2", &[], "issue"),
            row("3", &one, "issue"),
            row("4", &two, "issue"),
            row("5", &two, "issue"),
            row("6", &[], "refuse"),
            row("7", &one, "issue"),
        ]);
        super::rows(&mut rows);
        let Rows::Plain(kept) = rows else {
            panic!("still plain")
        };
        let ids: Vec<&str> = kept.iter().map(|r| r.id).collect();
        assert_eq!(ids, ["1", "3", "4", "6"]);
    }

    #[test]
    fn changes_of_another_kind_or_with_other_parts_have_other_shapes() {
        let c = |kind, reason: Option<&str>, merged: usize| ItemChange {
            id: "GZ-1".to_owned(),
            kind,
            title: "t".to_owned(),
            fields: Vec::new(),
            verdict: None,
            merged_into: vec!["GZ-2".to_owned(); merged],
            absorbs: Vec::new(),
            reason: reason.map(str::to_owned),
        };
        let mut seen = std::collections::HashSet::new();
        let kept: Vec<bool> = [
            c(ChangeKind::Removed, None, 0),
            c(ChangeKind::Removed, Some("因"), 0),
            c(ChangeKind::Removed, Some("另一个原因"), 0),
            c(ChangeKind::Removed, None, 1),
            c(ChangeKind::Removed, None, 2),
            c(ChangeKind::Removed, None, 3),
            c(ChangeKind::Added, None, 0),
        ]
        .iter()
        .map(|x| super::first_of_shape(&mut seen, x))
        .collect();
        assert_eq!(kept, [true, true, false, true, true, false, true]);
    }
}
