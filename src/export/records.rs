//! The JSON data files: a register's public state, a frozen edition, and a
//! register's changes edition by edition. Records are JSON objects whose keys
//! are the YAML field names of [`crate::model::schema`], in the table's order,
//! with `null` for an absent field.

use std::collections::BTreeMap;

use serde::Serialize;
use serde::ser::{SerializeMap as _, Serializer};

use super::FORMAT;
use super::memo::{DataMemo, Made};
use crate::history::{Diff, RegisterHistory};
use crate::model::schema::{DEPARTMENT_FIELDS, Field, LIST_FIELDS, item_fields};
use crate::model::{Department, Departments, Edition, EditionRecord, Item, ListMeta, Register};
use crate::plan::{Published, Status, url};

/// One record as a JSON object: its identity first, then every field of its table.
struct Record<'a, T: 'static> {
    lead: Vec<(&'static str, String)>,
    of: &'a T,
    fields: Vec<&'static Field<T>>,
}

impl<T> Serialize for Record<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.lead.len() + self.fields.len()))?;
        for (key, value) in &self.lead {
            map.serialize_entry(key, value)?;
        }
        for f in &self.fields {
            map.serialize_entry(f.name, &(f.get)(self.of))?;
        }
        map.end()
    }
}

fn list<'a>(key: &str, list: &'a ListMeta) -> Record<'a, ListMeta> {
    Record {
        lead: vec![("key", key.to_owned())],
        of: list,
        fields: LIST_FIELDS.iter().collect(),
    }
}

/// The items of a snapshot as the text of the `items` array of a pretty-printed
/// data file, each with the path of its page (relative to the site's base
/// URL); the members after `id` and `page` come from the [`memo`](super::memo) when an item
/// with the same values was formatted before.
fn items_text(
    memo: &DataMemo,
    kind: crate::model::ListKind,
    items: &[Item],
    page: impl Fn(&str) -> String,
) -> String {
    if items.is_empty() {
        return "[]".to_owned();
    }
    let kept: Vec<_> = items
        .iter()
        .map(|item| memo.get(kind, item, Made::default))
        .collect();
    let made: Vec<&String> = kept
        .iter()
        .zip(items)
        .map(|(m, item)| m.json.get_or_init(|| fields_text(kind, item)))
        .collect();
    // The members, with room for `id` and `page` (their paths are short).
    let mut out = String::with_capacity(made.iter().map(|f| f.len() + 160).sum());
    out.push('[');
    for (n, (item, fields)) in items.iter().zip(made).enumerate() {
        out.push_str(if n == 0 { "\n    {" } else { ",\n    {" });
        for (key, value) in [("id", item.id.clone()), ("page", page(&item.id))] {
            out.push_str("\n      \"");
            out.push_str(key);
            out.push_str("\": ");
            out.push_str(&serde_json::to_string(&value).expect("a string serialises"));
            if key == "id" || !fields.is_empty() {
                out.push(',');
            }
        }
        out.push_str(fields);
        out.push_str("\n    }");
    }
    out.push_str("\n  ]");
    out
}

/// An item's fields as the members of a record in the `items` array of a
/// pretty-printed data file: each on its own line (the first starting with
/// the newline), indented as there.
fn fields_text(kind: crate::model::ListKind, item: &Item) -> String {
    let record = Record {
        lead: Vec::new(),
        of: item,
        fields: item_fields(kind).collect(),
    };
    let alone = serde_json::to_string_pretty(&record).expect("data files serialise to JSON");
    // `{\n  "a": 1,\n  "b": [\n    2\n  ]\n}`: its members, four spaces deeper.
    // JSON strings hold no raw newline, so every newline starts a line.
    let members = alone
        .strip_prefix('{')
        .and_then(|rest| rest.strip_suffix("\n}"))
        .unwrap_or_default();
    members.replace('\n', "\n    ")
}

/// The departments the items name (by id), from `departments`.
fn departments<'a>(
    items: &[Item],
    departments: &'a Departments,
) -> BTreeMap<String, Record<'a, Department>> {
    items
        .iter()
        .flat_map(Item::department_refs)
        .filter_map(|id| departments.get(&id.value))
        .map(|d| {
            (
                d.id.clone(),
                Record {
                    lead: Vec::new(),
                    of: d,
                    fields: DEPARTMENT_FIELDS.iter().collect(),
                },
            )
        })
        .collect()
}

#[derive(Serialize)]
struct EditionMeta<'a> {
    id: &'a str,
    #[serde(flatten)]
    record: &'a EditionRecord,
}

#[derive(Serialize)]
struct RegisterFile<'a> {
    format: u32,
    register: Record<'a, ListMeta>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<&'static str>,
    edition: Option<EditionMeta<'a>>,
    departments: BTreeMap<String, Record<'a, Department>>,
    /// The text of the `items` array (the last member), spliced in by
    /// [`register_file`].
    #[serde(skip)]
    items: String,
}

/// A register's or an edition's data file: pretty-printed JSON, with the
/// `items` array made by [`items_text`].
fn register_file(file: &RegisterFile<'_>) -> String {
    let mut s = serde_json::to_string_pretty(file).expect("data files serialise to JSON");
    let end = s.len() - "\n}".len();
    debug_assert!(s.ends_with("\n}"), "a JSON object ends with a brace");
    s.truncate(end);
    s.push_str(",\n  \"items\": ");
    s.push_str(&file.items);
    s.push_str("\n}\n");
    s
}

fn pretty<T: Serialize>(value: &T) -> String {
    let mut s = serde_json::to_string_pretty(value).expect("data files serialise to JSON");
    s.push('\n');
    s
}

/// The public state of a register: `data/<list>.json`.
pub(super) fn register_json(memo: &DataMemo, p: &Published<'_>) -> String {
    let key = p.register.key.as_str();
    let status = match p.status {
        Status::InForce(_) => "in_force",
        Status::Upcoming(_) => "upcoming",
        Status::Unreleased => "unreleased",
        Status::Draft => "draft",
    };
    let edition = p.edition.map(|i| &p.register.editions[i]);
    register_file(&RegisterFile {
        format: FORMAT,
        register: list(key, &p.snapshot.list),
        status: Some(status),
        edition: edition.map(|e| EditionMeta {
            id: &e.id,
            record: &e.record,
        }),
        departments: departments(&p.snapshot.items, p.departments),
        items: items_text(memo, p.register.kind(), &p.snapshot.items, |id| {
            url::item(key, id)
        }),
    })
}

/// A frozen edition: `data/<list>/<edition>.json`. Nothing in it depends on
/// the build (date, base URL, program), only on the edition's content.
pub(super) fn edition_json(
    memo: &DataMemo,
    r: &Register,
    e: &Edition,
    deps: &Departments,
) -> String {
    let key = r.key.as_str();
    register_file(&RegisterFile {
        format: FORMAT,
        register: list(key, &e.snapshot.list),
        status: None,
        edition: Some(EditionMeta {
            id: &e.id,
            record: &e.record,
        }),
        departments: departments(&e.snapshot.items, deps),
        items: items_text(memo, r.kind(), &e.snapshot.items, |id| {
            url::frozen(key, &e.id, id)
        }),
    })
}

#[derive(Serialize)]
struct EditionChanges<'a> {
    from: Option<&'a str>,
    to: &'a str,
    #[serde(flatten)]
    diff: &'a Diff,
}

#[derive(Serialize)]
struct ChangesFile<'a> {
    format: u32,
    register: &'a str,
    editions: Vec<EditionChanges<'a>>,
}

/// Every edition's changes against the one before: `data/<list>.changes.json`.
pub(super) fn changes_json(h: &RegisterHistory<'_>) -> String {
    let editions = &h.register.editions;
    pretty(&ChangesFile {
        format: FORMAT,
        register: &h.register.key,
        editions: h
            .diffs
            .iter()
            .enumerate()
            .map(|(i, diff)| EditionChanges {
                from: i.checked_sub(1).map(|p| editions[p].id.as_str()),
                to: &editions[i].id,
                diff,
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use serde::Serialize;

    use super::{Record, RegisterFile, edition_json, pretty};
    use crate::export::example_site;
    use crate::model::Item;
    use crate::model::schema::item_fields;

    /// A data file as serde writes it with every record in a list: what
    /// the spliced text must equal, byte for byte.
    #[derive(Serialize)]
    struct Whole<'a> {
        #[serde(flatten)]
        head: &'a RegisterFile<'a>,
        items: Vec<Record<'a, Item>>,
    }

    fn whole(
        file: &RegisterFile<'_>,
        kind: crate::model::ListKind,
        items: &[Item],
        page: &dyn Fn(&str) -> String,
    ) -> String {
        pretty(&Whole {
            head: file,
            items: items
                .iter()
                .map(|item| Record {
                    lead: vec![("id", item.id.clone()), ("page", page(&item.id))],
                    of: item,
                    fields: item_fields(kind).collect(),
                })
                .collect(),
        })
    }

    #[test]
    fn edition_files_equal_serde_output_though_items_are_formatted_once() {
        let site = example_site();
        let mut compared = 0;
        let memo = super::DataMemo::default();
        // Twice: the second round takes every item from the memo.
        for _ in 0..2 {
            for r in &site.registers {
                for e in &r.editions {
                    let deps = crate::plan::publish::edition_departments(e, &site.departments);
                    let text = edition_json(&memo, r, e, deps);
                    let file = RegisterFile {
                        format: super::FORMAT,
                        register: super::list(&r.key, &e.snapshot.list),
                        status: None,
                        edition: Some(super::EditionMeta {
                            id: &e.id,
                            record: &e.record,
                        }),
                        departments: super::departments(&e.snapshot.items, deps),
                        items: String::new(),
                    };
                    let page = |id: &str| crate::plan::url::frozen(&r.key, &e.id, id);
                    assert_eq!(
                        text,
                        whole(&file, r.kind(), &e.snapshot.items, &page),
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
    fn an_empty_register_file_has_an_empty_items_list() {
        let site = example_site();
        let r = &site.registers[0];
        let e = &r.editions[0];
        let file = RegisterFile {
            format: super::FORMAT,
            register: super::list(&r.key, &e.snapshot.list),
            status: Some("draft"),
            edition: None,
            departments: std::collections::BTreeMap::new(),
            items: super::items_text(
                &super::DataMemo::default(),
                r.kind(),
                &[],
                ToOwned::to_owned,
            ),
        };
        let text = super::register_file(&file);
        assert!(text.ends_with("\"items\": []\n}\n"), "{text}");
        assert_eq!(text, whole(&file, r.kind(), &[], &|id| id.to_owned()));
    }
}
