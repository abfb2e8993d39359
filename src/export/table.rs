//! The CSV data files, written with the `csv` crate so that they open by
//! double-click in Excel, WPS and `LibreOffice`: UTF-8 with a byte-order mark,
//! CRLF line ends, RFC 4180 quoting, one row per item (or per changed field).
//!
//! Columns come from the field tables of [`crate::model::schema`]: `id` and
//! `page`, then every field of the register kind in the table's order, a
//! mapping (`funding`) as one column per part (`funding.principle`), and after a
//! department-id column the departments' names (`departments.names`). A list is
//! one cell, its entries joined with [`LIST_SEPARATOR`]; an entry with parts
//! (`instead`, `basis`) is `key=value` pairs joined with [`PART_SEPARATOR`].

use csv::{Terminator, Writer, WriterBuilder};

use super::memo::{DataMemo, Made};
use crate::history::format::ListDiff;
use crate::history::{Diff, RegisterHistory};
use crate::model::schema::{Field, FieldValue, ValueKind, item_fields};
use crate::model::{Basis, Choice as _, Departments, Item, ListKind};

/// Joins the entries of a list in one cell.
pub const LIST_SEPARATOR: &str = " | ";

/// Joins the `key=value` parts of an entry or a mapping in one cell.
pub const PART_SEPARATOR: &str = "; ";

/// The columns of the changes files and of `minglu diff --format csv`.
const CHANGE_COLUMNS: [&str; 12] = [
    "register",
    "from",
    "to",
    "subject",
    "id",
    "title",
    "change",
    "field",
    "old",
    "new",
    "merged_into",
    "reason",
];

fn writer() -> Writer<Vec<u8>> {
    WriterBuilder::new()
        .terminator(Terminator::CRLF)
        .from_writer("\u{feff}".as_bytes().to_vec())
}

fn row<I: AsRef<[u8]>>(w: &mut Writer<Vec<u8>>, cells: impl IntoIterator<Item = I>) {
    w.write_record(cells)
        .expect("writing CSV into memory cannot fail");
}

fn finish(w: Writer<Vec<u8>>) -> String {
    let bytes = w
        .into_inner()
        .expect("flushing CSV into memory cannot fail");
    String::from_utf8(bytes).expect("CSV of UTF-8 text is UTF-8")
}

/// A cell a spreadsheet would take for a formula (`=`, `+`, `-`, `@`) gets a
/// leading apostrophe, as OWASP advises against CSV injection; the JSON file
/// has the exact value.
fn guard(s: String) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s
    }
}

fn pairs<'a>(parts: impl IntoIterator<Item = (&'a str, Option<String>)>) -> String {
    parts
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| format!("{k}={v}")))
        .collect::<Vec<_>>()
        .join(PART_SEPARATOR)
}

fn basis(b: &Basis) -> String {
    pairs([
        ("title", Some(b.title.clone())),
        ("doc_number", b.doc_number.clone()),
        ("article", b.article.clone()),
        ("level", b.level.map(|l| l.name().to_owned())),
        ("url", b.url.clone()),
    ])
}

/// A value as one cell (before [`guard`]).
fn cell(value: &FieldValue) -> String {
    match value {
        FieldValue::Text(s) => s.clone(),
        FieldValue::Texts(list) | FieldValue::Departments(list) => list.join(LIST_SEPARATOR),
        FieldValue::Choice { name, .. } => (*name).to_owned(),
        FieldValue::Bool(b) => b.to_string(),
        FieldValue::Number(n) => n.to_string(),
        FieldValue::Date(d) => d.to_string(),
        FieldValue::Instead(ways) => ways
            .iter()
            .map(|w| {
                pairs([
                    ("method", Some(w.method.name().to_owned())),
                    ("department", w.department.clone()),
                    ("how", Some(w.how.clone())),
                ])
            })
            .collect::<Vec<_>>()
            .join(LIST_SEPARATOR),
        FieldValue::Basis(list) => list
            .iter()
            .map(basis)
            .collect::<Vec<_>>()
            .join(LIST_SEPARATOR),
        FieldValue::Mapping(parts) => {
            pairs(parts.iter().map(|p| (p.key, p.value.as_ref().map(cell))))
        }
    }
}

fn opt_cell(value: Option<&FieldValue>) -> String {
    guard(value.map(cell).unwrap_or_default())
}

/// One column of an item table.
enum Column {
    Id,
    Page,
    Field(&'static Field<Item>),
    /// The names of a department-id field's departments.
    Names(&'static Field<Item>),
}

/// The columns of a register kind's item table, with their headers.
pub fn item_columns(kind: ListKind) -> Vec<String> {
    columns(kind).into_iter().map(|(name, _)| name).collect()
}

fn columns(kind: ListKind) -> Vec<(String, Column)> {
    let mut out = vec![
        ("id".to_owned(), Column::Id),
        ("page".to_owned(), Column::Page),
    ];
    for f in item_fields(kind) {
        if f.parts.is_empty() {
            out.push((f.name.to_owned(), Column::Field(f)));
        } else {
            out.extend(
                f.parts
                    .iter()
                    .map(|p| (p.name.to_owned(), Column::Field(p))),
            );
        }
        if f.value == ValueKind::Departments {
            out.push((format!("{}.names", f.name), Column::Names(f)));
        }
    }
    out
}

/// One row per item: `data/<list>.csv` and `data/<list>/<edition>.csv`.
///
/// The header goes through the `csv` writer; the rows are joined here from
/// cells quoted by [`quoted`], the field columns' cells made once per
/// distinct item of `site` (see [`memo`](super::memo)).
pub(super) fn items_csv(
    memo: &DataMemo,
    kind: ListKind,
    items: &[Item],
    departments: &Departments,
    page: impl Fn(&str) -> String,
) -> String {
    let columns = columns(kind);
    let mut w = writer();
    row(&mut w, columns.iter().map(|(name, _)| name));
    let mut out = finish(w);
    let kept: Vec<_> = items
        .iter()
        .map(|item| memo.get(kind, item, Made::default))
        .collect();
    let made: Vec<&Vec<String>> = kept
        .iter()
        .zip(items)
        .map(|(m, item)| m.csv.get_or_init(|| field_cells(&columns, item)))
        .collect();
    // The field cells, with room for the id, page and names cells.
    out.reserve(
        made.iter()
            .flat_map(|c| c.iter())
            .map(|c| c.len() + 1)
            .sum::<usize>()
            + 160 * items.len(),
    );
    for (item, cells) in items.iter().zip(made) {
        let mut fields = cells.iter();
        for (n, (_, column)) in columns.iter().enumerate() {
            if n > 0 {
                out.push(',');
            }
            match column {
                Column::Id => quoted(&mut out, &item.id),
                Column::Page => quoted(&mut out, &page(&item.id)),
                Column::Field(_) => out.push_str(fields.next().map_or("", String::as_str)),
                Column::Names(f) => {
                    if let Some(FieldValue::Departments(ids)) = (f.get)(item) {
                        let names = ids
                            .iter()
                            .map(|id| departments.get(id).map_or(id.as_str(), |d| &d.name))
                            .collect::<Vec<_>>()
                            .join(LIST_SEPARATOR);
                        quoted(&mut out, &guard(names));
                    }
                }
            }
        }
        out.push_str("\r\n");
    }
    out
}

/// The cells of an item's field columns, in order, each guarded and quoted.
fn field_cells(columns: &[(String, Column)], item: &Item) -> Vec<String> {
    columns
        .iter()
        .filter_map(|(_, c)| match c {
            Column::Field(f) => {
                let mut cell = String::new();
                quoted(&mut cell, &opt_cell((f.get)(item).as_ref()));
                Some(cell)
            }
            _ => None,
        })
        .collect()
}

/// Appends a cell as the `csv` writer writes it within a row: in double
/// quotes (doubled inside) when it holds a comma, a double quote or a line
/// break, else as it is.
fn quoted(out: &mut String, cell: &str) {
    if cell.contains([',', '"', '\r', '\n']) {
        out.push('"');
        out.push_str(&cell.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(cell);
    }
}

/// The rows of one diff (`from` → `to` of register `key`), each cell passed through `clean`.
fn change_rows(
    w: &mut Writer<Vec<u8>>,
    (key, from, to): (&str, Option<&str>, &str),
    diff: &Diff,
    clean: &dyn Fn(String) -> String,
) {
    let mut emit = |subject: &str, id: &str, title: &str, change: &str, rest: [String; 5]| {
        let [field, old, new, merged, reason] = rest;
        let cells = [
            key.to_owned(),
            from.unwrap_or_default().to_owned(),
            to.to_owned(),
            subject.to_owned(),
            id.to_owned(),
            guard(title.to_owned()),
            change.to_owned(),
            field,
            old,
            new,
            merged,
            guard(reason),
        ];
        row(w, cells.map(clean));
    };
    let value = |v: &Option<FieldValue>| opt_cell(v.as_ref());
    for c in &diff.items {
        let merged = c.merged_into.join(LIST_SEPARATOR);
        let reason = c.reason.clone().unwrap_or_default();
        if c.fields.is_empty() {
            let rest = [
                String::new(),
                String::new(),
                String::new(),
                merged.clone(),
                reason.clone(),
            ];
            emit("item", &c.id, &c.title, c.kind.name(), rest);
        }
        for f in &c.fields {
            let rest = [
                f.field.clone(),
                value(&f.old),
                value(&f.new),
                merged.clone(),
                reason.clone(),
            ];
            emit("item", &c.id, &c.title, c.kind.name(), rest);
        }
    }
    for f in &diff.list {
        let rest = [
            f.field.clone(),
            value(&f.old),
            value(&f.new),
            String::new(),
            String::new(),
        ];
        emit("list", key, "", "changed", rest);
    }
    for d in &diff.departments {
        if d.fields.is_empty() {
            let rest = [
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ];
            emit("department", &d.id, &d.name, d.kind.name(), rest);
        }
        for f in &d.fields {
            let rest = [
                f.field.clone(),
                value(&f.old),
                value(&f.new),
                String::new(),
                String::new(),
            ];
            emit("department", &d.id, &d.name, d.kind.name(), rest);
        }
    }
}

/// Every edition's changes against the one before: `data/<list>.changes.csv`.
pub(super) fn history_csv(h: &RegisterHistory<'_>) -> String {
    let editions = &h.register.editions;
    let mut w = writer();
    row(&mut w, CHANGE_COLUMNS);
    for (i, diff) in h.diffs.iter().enumerate() {
        let from = i.checked_sub(1).map(|p| editions[p].id.as_str());
        change_rows(
            &mut w,
            (&h.register.key, from, &editions[i].id),
            diff,
            &|s| s,
        );
    }
    finish(w)
}

/// `minglu diff --format csv`: the changes files' columns for the selected
/// diffs. Cells are neutralised for terminals and CI logs
/// ([`crate::text_safety::neutralise`]).
pub fn changes_csv(lists: &[ListDiff]) -> String {
    let mut w = writer();
    row(&mut w, CHANGE_COLUMNS);
    for l in lists {
        change_rows(&mut w, (&l.key, l.from.as_deref(), &l.to), &l.diff, &|s| {
            crate::text_safety::neutralise(&s).into_owned()
        });
    }
    finish(w)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::schema::{Part, Way};

    /// An item table written row by row with the `csv` writer: what
    /// [`items_csv`] must equal, byte for byte.
    fn written_by_csv(
        kind: ListKind,
        items: &[Item],
        departments: &Departments,
        page: &dyn Fn(&str) -> String,
    ) -> String {
        let columns = columns(kind);
        let mut w = writer();
        row(&mut w, columns.iter().map(|(name, _)| name));
        for item in items {
            row(
                &mut w,
                columns.iter().map(|(_, c)| match c {
                    Column::Id => item.id.clone(),
                    Column::Page => page(&item.id),
                    Column::Field(f) => opt_cell((f.get)(item).as_ref()),
                    Column::Names(f) => match (f.get)(item) {
                        Some(FieldValue::Departments(ids)) => guard(
                            ids.iter()
                                .map(|id| departments.get(id).map_or(id.as_str(), |d| &d.name))
                                .collect::<Vec<_>>()
                                .join(LIST_SEPARATOR),
                        ),
                        _ => String::new(),
                    },
                }),
            );
        }
        finish(w)
    }

    #[test]
    fn item_tables_equal_the_csv_writers_though_items_are_formatted_once() {
        let site = crate::export::example_site();
        let mut compared = 0;
        let memo = DataMemo::default();
        for _ in 0..2 {
            for r in &site.registers {
                for e in &r.editions {
                    let deps = crate::plan::publish::edition_departments(e, &site.departments);
                    let page = |id: &str| crate::plan::url::frozen(&r.key, &e.id, id);
                    let items = &e.snapshot.items;
                    assert_eq!(
                        items_csv(&memo, r.kind(), items, deps, page),
                        written_by_csv(r.kind(), items, deps, &page),
                        "{} {}",
                        r.key,
                        e.id
                    );
                    compared += 1;
                }
            }
        }
        assert!(compared >= 8, "the example has editions to compare");
    }

    #[test]
    fn cells_are_quoted_as_the_csv_writer_quotes_them() {
        let cells = [
            "",
            " ",
            "plain",
            "居民身份证",
            "a,b",
            "say \"hi\"",
            "\"",
            "line\nbreak",
            "cr\rhere",
            "tab\there",
            "#hash",
            "'=1",
            "a;b | c",
            "，中文逗号",
            "end,",
        ];
        for cell in cells {
            let mut w = writer();
            row(&mut w, ["x", cell, "y"]);
            let written = finish(w);
            let mut mine = String::from("\u{feff}x,");
            quoted(&mut mine, cell);
            mine.push_str(",y\r\n");
            assert_eq!(mine, written, "{cell:?}");
        }
    }

    #[test]
    fn formulas_are_not_run_by_spreadsheets() {
        for s in ["=1+1", "+86 512", "-x", "@SUM(A1)"] {
            assert_eq!(guard(s.to_owned()), format!("'{s}"));
        }
        assert_eq!(guard("居民身份证".to_owned()), "居民身份证");
        assert_eq!(guard("a=b".to_owned()), "a=b");
    }

    #[test]
    fn cells_join_lists_and_parts_with_the_documented_separators() {
        let list = FieldValue::Texts(vec!["入学".into(), "购房".into()]);
        assert_eq!(cell(&list), "入学 | 购房");
        let ways = FieldValue::Instead(vec![Way {
            department: Some("police".into()),
            how: "到派出所查询。".into(),
            method: crate::model::Method::DeptVerification,
        }]);
        assert_eq!(
            cell(&ways),
            "method=dept_verification; department=police; how=到派出所查询。"
        );
        let mapping = FieldValue::Mapping(vec![
            Part {
                key: "amount_cny",
                label: "",
                value: Some(FieldValue::Number(5000)),
            },
            Part {
                key: "period",
                label: "",
                value: None,
            },
        ]);
        assert_eq!(cell(&mapping), "amount_cny=5000");
    }

    #[test]
    fn columns_follow_the_field_table() {
        let work = item_columns(ListKind::Work);
        assert_eq!(work[..4], ["id", "page", "title", "duty"]);
        let at = |name: &str| work.iter().position(|c| c == name).expect(name);
        assert_eq!(at("departments.names"), at("departments") + 1);
        assert!(at("funding.principle") < at("funding.amount_cny"));
        assert!(!work.iter().any(|c| c == "funding" || c == "verdict"));
    }

    #[test]
    fn csv_has_a_bom_crlf_and_rfc_4180_quotes() {
        let lists = [ListDiff {
            key: "stamp".into(),
            title: "盖章".into(),
            from: Some("2015".into()),
            to: "working".into(),
            diff: Diff {
                items: vec![crate::history::ItemChange {
                    id: "GZ-001".into(),
                    kind: crate::history::ChangeKind::Added,
                    title: "证明，\"甲\"\n乙".into(),
                    fields: Vec::new(),
                    verdict: None,
                    merged_into: Vec::new(),
                    absorbs: Vec::new(),
                    reason: Some("\u{1b}[31m".into()),
                }],
                ..Diff::default()
            },
        }];
        let text = changes_csv(&lists);
        assert!(text.starts_with('\u{feff}'));
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(
            lines[0],
            "\u{feff}register,from,to,subject,id,title,change,field,old,new,merged_into,reason"
        );
        assert_eq!(
            lines[1],
            "stamp,2015,working,item,GZ-001,\"证明，\"\"甲\"\"\n乙\",added,,,,,␛[31m"
        );
    }
}
