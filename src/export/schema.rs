//! JSON Schemas (draft 2020-12) of the content files, published at
//! `schema/v1/…` and written by `minglu schema`, so that editors with the YAML
//! language server complete field names and flag wrong values as they type.
//!
//! Items, `list.yaml` and `departments.yaml` are generated from the field
//! tables of [`crate::model::schema`] (names, required fields, value kinds,
//! enums, labels); what the tables do not describe is written here by hand:
//! the entries of `instead` and `basis`, the stamp rule "refuse needs
//! `instead`, issue has neither `instead` nor `transitional`", the id patterns,
//! and the two files without a table (`site.yaml`, `edition.yaml`, whose fields
//! the loader lists itself). Rules that need other files (categories,
//! department references, seals) are `minglu check`'s alone.

use serde_json::{Map, Value, json};

use crate::i18n;
use crate::model::schema::{DEPARTMENT_FIELDS, Field, LIST_FIELDS, ValueKind, item_fields};
use crate::model::{BasisLevel, Choice, EditionKind, Language, ListKind, Method};
use crate::plan::SchemaFile;

const DRAFT: &str = "https://json-schema.org/draft/2020-12/schema";
const DATE: &str = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$";
const URL: &str = "^https?://[^\\s]+$";
const DEPARTMENT_ID: &str = "^[a-z][a-z0-9-]*$";
const ITEM_ID: &str = "^[A-Z]{1,6}-[0-9]{3,}$";
/// Not blank: a required text must have a visible character.
const NOT_BLANK: &str = "\\S";

/// The schema file's text (pretty JSON ending in a newline).
pub fn schema_file(file: SchemaFile) -> String {
    let mut s = serde_json::to_string_pretty(&schema(file)).expect("schemas serialise");
    s.push('\n');
    s
}

/// The schema of one kind of content file.
pub fn schema(file: SchemaFile) -> Value {
    let (title, body) = match file {
        SchemaFile::Site => ("content/site.yaml", site()),
        SchemaFile::Departments => ("content/departments.yaml", departments()),
        SchemaFile::List => ("content/lists/<key>/list.yaml", table(LIST_FIELDS.iter())),
        SchemaFile::Item(kind) => ("content/lists/<key>/items/<ID>.yaml", item(kind)),
        SchemaFile::Edition => ("content/lists/<key>/editions/<id>/edition.yaml", edition()),
    };
    let mut out = Map::new();
    out.insert("$schema".into(), DRAFT.into());
    out.insert(
        "title".into(),
        match file {
            SchemaFile::Item(kind) => format!("minglu {title} ({} register)", kind.name()),
            _ => format!("minglu {title}"),
        }
        .into(),
    );
    out.insert(
        "description".into(),
        "minglu content format v1 (docs/content-format.md); `minglu check` applies the rules that span files."
            .into(),
    );
    if let Value::Object(body) = body {
        out.extend(body);
    }
    Value::Object(out)
}

fn string(pattern: Option<&str>) -> Value {
    match pattern {
        Some(p) => json!({ "type": "string", "pattern": p }),
        None => json!({ "type": "string" }),
    }
}

fn array(items: Value, min: usize) -> Value {
    let mut map = Map::new();
    map.insert("type".into(), "array".into());
    map.insert("items".into(), items);
    if min > 0 {
        map.insert("minItems".into(), min.into());
    }
    Value::Object(map)
}

fn object(properties: Map<String, Value>, required: &[&str]) -> Value {
    let properties = Value::Object(properties);
    json!({
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    })
}

/// Zh and En labels as the property's description (what editors show on hover).
fn describe(mut schema: Value, label: &str) -> Value {
    let zh = i18n::strings(Language::ZhCn).get(label);
    let en = i18n::strings(Language::En).get(label);
    if let (Value::Object(map), Some(zh), Some(en)) = (&mut schema, zh, en) {
        map.insert("description".into(), format!("{zh} ({en})").into());
    }
    schema
}

fn instead() -> Value {
    let mut p = Map::new();
    p.insert("method".into(), json!({ "enum": Method::NAMES }));
    p.insert("department".into(), string(Some(DEPARTMENT_ID)));
    p.insert("how".into(), string(Some(NOT_BLANK)));
    object(p, &["method", "how"])
}

fn basis() -> Value {
    let mut p = Map::new();
    p.insert("title".into(), string(Some(NOT_BLANK)));
    p.insert("doc_number".into(), string(None));
    p.insert("article".into(), string(None));
    p.insert("level".into(), json!({ "enum": BasisLevel::NAMES }));
    p.insert("url".into(), string(Some(URL)));
    object(p, &["title"])
}

/// Patterns the tables do not state (they are checked by the loader by name).
fn refine(name: &str) -> Option<&'static str> {
    match name {
        "id_prefix" => Some("^[A-Z]{1,6}$"),
        _ => None,
    }
}

/// The schema of one field's value.
fn value<T>(f: &Field<T>) -> Value {
    let min = usize::from(f.required);
    let schema = match f.value {
        ValueKind::Text | ValueKind::Markdown => {
            string(refine(f.key()).or(f.required.then_some(NOT_BLANK)))
        }
        ValueKind::TextList => array(string(None), min),
        ValueKind::UrlList => array(string(Some(URL)), min),
        ValueKind::Url => string(Some(URL)),
        ValueKind::Choice => json!({ "enum": f.choices }),
        ValueKind::Bool => json!({ "type": "boolean" }),
        ValueKind::Unsigned => json!({ "type": "integer", "minimum": 0 }),
        ValueKind::Date => json!({ "type": "string", "pattern": DATE, "format": "date" }),
        ValueKind::Departments => array(string(Some(DEPARTMENT_ID)), min),
        ValueKind::ItemId => string(Some(ITEM_ID)),
        ValueKind::ItemIds => array(string(Some(ITEM_ID)), 0),
        ValueKind::Instead => array(instead(), 0),
        ValueKind::Basis => array(basis(), 0),
        ValueKind::Mapping => table(f.parts.iter()),
    };
    describe(schema, f.label)
}

/// An object whose properties are a table's fields.
fn table<'a, T: 'static>(fields: impl Iterator<Item = &'a Field<T>>) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for f in fields {
        properties.insert(f.key().to_owned(), value(f));
        if f.required {
            required.push(f.key());
        }
    }
    object(properties, &required)
}

fn item(kind: ListKind) -> Value {
    let mut schema = table(item_fields(kind));
    if kind == ListKind::Stamp
        && let Value::Object(map) = &mut schema
    {
        // `instead` is required on refuse items, and an error on issue items,
        // as is `transitional`.
        map.insert(
            "allOf".into(),
            json!([
                {
                    "if": { "properties": { "verdict": { "const": "refuse" } }, "required": ["verdict"] },
                    "then": { "required": ["instead"], "properties": { "instead": { "minItems": 1 } } }
                },
                {
                    "if": { "properties": { "verdict": { "const": "issue" } }, "required": ["verdict"] },
                    "then": { "not": { "anyOf": [ { "required": ["instead"] }, { "required": ["transitional"] } ] } }
                }
            ]),
        );
    }
    schema
}

fn departments() -> Value {
    json!({
        "type": "object",
        "propertyNames": { "pattern": DEPARTMENT_ID },
        "additionalProperties": table(DEPARTMENT_FIELDS.iter()),
    })
}

fn site() -> Value {
    let mut p = Map::new();
    for key in ["title", "publisher", "jurisdiction"] {
        p.insert(key.into(), string(Some(NOT_BLANK)));
    }
    p.insert("base_url".into(), string(Some(URL)));
    p.insert("language".into(), json!({ "enum": Language::NAMES }));
    for key in ["description", "notice"] {
        p.insert(key.into(), string(None));
    }
    p.insert("theme".into(), string(Some(DEPARTMENT_ID)));
    p.insert("generator_credit".into(), json!({ "type": "boolean" }));
    object(p, &["title", "base_url", "publisher", "jurisdiction"])
}

fn edition() -> Value {
    let mut p = Map::new();
    for key in ["label", "title"] {
        p.insert(key.into(), string(Some(NOT_BLANK)));
    }
    p.insert("kind".into(), json!({ "enum": EditionKind::NAMES }));
    p.insert("doc_number".into(), string(None));
    p.insert("issuers".into(), array(string(Some(NOT_BLANK)), 1));
    for key in ["published", "effective", "expires"] {
        p.insert(
            key.into(),
            json!({ "type": "string", "pattern": DATE, "format": "date" }),
        );
    }
    p.insert("notes".into(), string(None));
    p.insert(
        "reasons".into(),
        json!({
            "type": "object",
            "propertyNames": { "pattern": ITEM_ID },
            "additionalProperties": { "type": "string" },
        }),
    );
    p.insert("sources".into(), array(string(Some(URL)), 0));
    object(
        p,
        &[
            "label",
            "kind",
            "title",
            "issuers",
            "published",
            "effective",
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::site;

    #[test]
    fn the_site_schema_names_exactly_the_fields_the_loader_reads() {
        let schema = site();
        let mut named: Vec<&str> = schema["properties"]
            .as_object()
            .expect("properties")
            .keys()
            .map(String::as_str)
            .collect();
        let mut read = crate::content::SITE_FIELDS.to_vec();
        named.sort_unstable();
        read.sort_unstable();
        assert_eq!(named, read);
    }
}
