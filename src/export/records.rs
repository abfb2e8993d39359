//! The JSON data files: a register's public state, a frozen edition, and a
//! register's changes edition by edition. Records are JSON objects whose keys
//! are the YAML field names of [`crate::model::schema`], in the table's order,
//! with `null` for an absent field.

use std::collections::BTreeMap;

use serde::Serialize;
use serde::ser::{SerializeMap as _, Serializer};

use super::FORMAT;
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

/// The items of a snapshot, each with the path of its page (relative to the site's base URL).
fn items(
    kind: crate::model::ListKind,
    items: &[Item],
    page: impl Fn(&str) -> String,
) -> Vec<Record<'_, Item>> {
    items
        .iter()
        .map(|item| Record {
            lead: vec![("id", item.id.clone()), ("page", page(&item.id))],
            of: item,
            fields: item_fields(kind).collect(),
        })
        .collect()
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
    items: Vec<Record<'a, Item>>,
}

fn pretty<T: Serialize>(value: &T) -> String {
    let mut s = serde_json::to_string_pretty(value).expect("data files serialise to JSON");
    s.push('\n');
    s
}

/// The public state of a register: `data/<list>.json`.
pub(super) fn register_json(p: &Published<'_>) -> String {
    let key = p.register.key.as_str();
    let status = match p.status {
        Status::InForce(_) => "in_force",
        Status::Upcoming(_) => "upcoming",
        Status::Unreleased => "unreleased",
        Status::Draft => "draft",
    };
    let edition = p.edition.map(|i| &p.register.editions[i]);
    pretty(&RegisterFile {
        format: FORMAT,
        register: list(key, &p.snapshot.list),
        status: Some(status),
        edition: edition.map(|e| EditionMeta {
            id: &e.id,
            record: &e.record,
        }),
        departments: departments(&p.snapshot.items, p.departments),
        items: items(p.register.kind(), &p.snapshot.items, |id| {
            url::item(key, id)
        }),
    })
}

/// A frozen edition: `data/<list>/<edition>.json`. Nothing in it depends on
/// the build (date, base URL, program), only on the edition's content.
pub(super) fn edition_json(r: &Register, e: &Edition, deps: &Departments) -> String {
    let key = r.key.as_str();
    pretty(&RegisterFile {
        format: FORMAT,
        register: list(key, &e.snapshot.list),
        status: None,
        edition: Some(EditionMeta {
            id: &e.id,
            record: &e.record,
        }),
        departments: departments(&e.snapshot.items, deps),
        items: items(r.kind(), &e.snapshot.items, |id| {
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
