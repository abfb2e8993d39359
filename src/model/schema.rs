//! The typed description of every file's fields: one table per record kind
//! (items of each register kind, `list.yaml`, `departments.yaml`), giving each
//! field's YAML name, the i18n key of its label, the kind of value it holds,
//! whether it is required, and (by its position in the table) its order.
//!
//! The loader takes its allowed fields from here, the diff its field order,
//! labels and values, and `release` the department fields it writes; the coming
//! CSV export and search index take their columns and weights from here too.

use jiff::civil::Date;
use serde::Serialize;

use super::{
    Basis, Choice, Creation, Department, Details, Duty, FundingPrinciple, Instead, Item, Level,
    ListKind, ListMeta, Participation, Stamp, Verdict, Work,
};

/// The kind of value a field holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueKind {
    /// One line of text.
    Text,
    /// Markdown.
    Markdown,
    /// A list of texts.
    TextList,
    /// A list of absolute http(s) URLs.
    UrlList,
    /// An absolute http(s) URL.
    Url,
    /// One of a closed set of names.
    Choice,
    /// `true` or `false`.
    Bool,
    /// A whole number.
    Unsigned,
    /// A date (`2020-05-01`).
    Date,
    /// Department ids from `departments.yaml`.
    Departments,
    /// An item id of the same register.
    ItemId,
    /// Item ids of the same register.
    ItemIds,
    /// `instead` entries (method, department, how).
    Instead,
    /// `basis` entries (`title`, `doc_number`, `article`, `level`, `url`).
    Basis,
    /// A mapping with fields of its own (see [`Field::parts`]).
    Mapping,
}

/// Which registers' items have a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kinds {
    /// Every register kind.
    All,
    /// Only items of this kind.
    Only(ListKind),
}

/// One field of a record of type `T`.
#[derive(Debug)]
pub struct Field<T: 'static> {
    /// The YAML key (`time_limit`); nested fields by their path (`funding.amount_cny`).
    pub name: &'static str,
    /// The i18n key of its label (`field_time_limit`).
    pub label: &'static str,
    /// What it holds.
    pub value: ValueKind,
    /// Whether the loader requires it.
    pub required: bool,
    /// Which register kinds have it (items only; [`Kinds::All`] elsewhere).
    pub kinds: Kinds,
    /// Its value in a record, `None` when absent or empty.
    pub get: fn(&T) -> Option<FieldValue>,
    /// For a [`ValueKind::Mapping`]: its own fields, compared one by one.
    pub parts: &'static [Field<T>],
    /// For a [`ValueKind::Choice`]: the accepted YAML names (the JSON Schema's `enum`).
    pub choices: &'static [&'static str],
}

impl<T> Field<T> {
    /// The YAML key inside its mapping (`amount_cny` for `funding.amount_cny`).
    pub fn key(&self) -> &'static str {
        self.name.rsplit('.').next().unwrap_or(self.name)
    }

    /// Whether items of `kind` have this field.
    pub fn applies_to(&self, kind: ListKind) -> bool {
        match self.kinds {
            Kinds::All => true,
            Kinds::Only(k) => k == kind,
        }
    }
}

/// A field's value, typed (see [`Field::get`]). It serialises as the YAML
/// value would as JSON (mappings with sorted keys, absent fields as `null`).
#[derive(Clone, Debug, PartialEq)]
pub enum FieldValue {
    /// Text or Markdown.
    Text(String),
    /// A list of texts (or item ids).
    Texts(Vec<String>),
    /// A closed-set value: its YAML name, and the i18n key prefix of its label
    /// (`short_` for `short_refuse`), if the theme has labels for it.
    Choice {
        /// The YAML name.
        name: &'static str,
        /// The i18n key prefix of the value's label.
        labels: Option<&'static str>,
    },
    /// A flag.
    Bool(bool),
    /// A whole number.
    Number(u64),
    /// A date.
    Date(Date),
    /// Department ids.
    Departments(Vec<String>),
    /// Where to go instead.
    Instead(Vec<Way>),
    /// Legal bases.
    Basis(Vec<Basis>),
    /// A mapping: each part's key, label and value, in key order.
    Mapping(Vec<Part>),
}

/// One `instead` entry as a value (without source positions). Its fields are
/// declared in key order, so it serialises like the YAML mapping read as JSON.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Way {
    /// Which department, if any.
    pub department: Option<String>,
    /// What to do.
    pub how: String,
    /// How.
    pub method: super::Method,
}

impl From<&Instead> for Way {
    fn from(i: &Instead) -> Self {
        Way {
            department: i.department.as_ref().map(|d| d.value.clone()),
            how: i.how.clone(),
            method: i.method,
        }
    }
}

/// One field of a [`FieldValue::Mapping`].
#[derive(Clone, Debug, PartialEq)]
pub struct Part {
    /// The key inside the mapping.
    pub key: &'static str,
    /// The i18n key of its label.
    pub label: &'static str,
    /// The value, `None` when absent.
    pub value: Option<FieldValue>,
}

impl Serialize for FieldValue {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        match self {
            FieldValue::Text(t) => s.serialize_str(t),
            FieldValue::Texts(list) | FieldValue::Departments(list) => list.serialize(s),
            FieldValue::Choice { name, .. } => s.serialize_str(name),
            FieldValue::Bool(b) => s.serialize_bool(*b),
            FieldValue::Number(n) => s.serialize_u64(*n),
            FieldValue::Date(d) => d.serialize(s),
            FieldValue::Instead(list) => list.serialize(s),
            FieldValue::Basis(list) => sorted_entries(list, s),
            FieldValue::Mapping(parts) => {
                let mut map = s.serialize_map(Some(parts.len()))?;
                for p in parts {
                    map.serialize_entry(p.key, &p.value)?;
                }
                map.end()
            }
        }
    }
}

/// Entries as JSON objects with sorted keys (the diff's JSON format).
fn sorted_entries<T: Serialize, S: serde::Serializer>(list: &[T], s: S) -> Result<S::Ok, S::Error> {
    let values: Vec<serde_json::Value> = list
        .iter()
        .map(|e| serde_json::to_value(e).map_err(serde::ser::Error::custom))
        .collect::<Result<_, _>>()?;
    values.serialize(s)
}

fn text(s: &str) -> Option<FieldValue> {
    (!s.is_empty()).then(|| FieldValue::Text(s.to_owned()))
}

fn opt_text(s: Option<&(impl AsRef<str> + ?Sized)>) -> Option<FieldValue> {
    s.and_then(|s| text(s.as_ref()))
}

fn texts<'a>(list: impl IntoIterator<Item = &'a String>) -> Option<FieldValue> {
    let list: Vec<String> = list.into_iter().cloned().collect();
    (!list.is_empty()).then_some(FieldValue::Texts(list))
}

fn choice<C: Choice>(value: C, labels: Option<&'static str>) -> FieldValue {
    FieldValue::Choice {
        name: value.name(),
        labels,
    }
}

/// A mapping's value: its parts in key order (the order diffs have always
/// shown them in), present when any part is.
fn mapping<T: 'static>(record: &T, parts: &'static [Field<T>]) -> Option<FieldValue> {
    let parts: Vec<Part> = by_key(parts)
        .into_iter()
        .map(|f| Part {
            key: f.key(),
            label: f.label,
            value: (f.get)(record),
        })
        .collect();
    parts
        .iter()
        .any(|p| p.value.is_some())
        .then_some(FieldValue::Mapping(parts))
}

fn stamp(i: &Item) -> Option<&Stamp> {
    i.stamp()
}

fn work(i: &Item) -> Option<&Work> {
    match &i.details {
        Details::Work(w) => Some(w),
        _ => None,
    }
}

fn creation(i: &Item) -> Option<&Creation> {
    match &i.details {
        Details::Creation(c) => Some(c),
        _ => None,
    }
}

/// Declares one field of a table.
macro_rules! field {
    ($name:literal, $label:literal, Choice = $choice:ty, $required:literal, $kinds:expr, $get:expr) => {
        Field {
            choices: <$choice as Choice>::NAMES,
            ..field!($name, $label, Choice, $required, $kinds, $get, &[])
        }
    };
    ($name:literal, $label:literal, $value:ident, $required:literal, $kinds:expr, $get:expr) => {
        field!($name, $label, $value, $required, $kinds, $get, &[])
    };
    ($name:literal, $label:literal, $value:ident, $required:literal, $kinds:expr, $get:expr, $parts:expr) => {
        Field {
            name: $name,
            label: $label,
            value: ValueKind::$value,
            required: $required,
            kinds: $kinds,
            get: $get,
            parts: $parts,
            choices: &[],
        }
    };
}

const STAMP: Kinds = Kinds::Only(ListKind::Stamp);
const WORK: Kinds = Kinds::Only(ListKind::Work);
const CREATION: Kinds = Kinds::Only(ListKind::Creation);
const ALL: Kinds = Kinds::All;

/// Every item field of every register kind, in the order diffs compare and show them.
pub static ITEM_FIELDS: &[Field<Item>] = &[
    field!("title", "field_title", Text, true, ALL, |i| text(&i.title)),
    field!(
        "verdict",
        "field_verdict",
        Choice = Verdict,
        true,
        STAMP,
        |i| { stamp(i).map(|s| choice(s.verdict.value, Some("short_"))) }
    ),
    field!("duty", "field_duty", Choice = Duty, true, WORK, |i| {
        work(i).map(|w| choice(w.duty, Some("short_")))
    }),
    field!(
        "level",
        "field_level",
        Choice = Level,
        true,
        CREATION,
        |i| { creation(i).map(|c| choice(c.level, Some("level_"))) }
    ),
    field!(
        "participation",
        "field_participation",
        Choice = Participation,
        true,
        CREATION,
        |i| { creation(i).map(|c| choice(c.participation, Some("short_"))) }
    ),
    field!("aliases", "field_aliases", TextList, false, ALL, |i| texts(
        &i.aliases
    )),
    field!("category", "field_category", Text, true, ALL, |i| text(
        &i.category
    )),
    field!(
        "departments",
        "field_departments",
        Departments,
        true,
        ALL,
        |i| {
            let ids: Vec<String> = i.departments.iter().map(|d| d.value.clone()).collect();
            (!ids.is_empty()).then_some(FieldValue::Departments(ids))
        }
    ),
    field!("instead", "field_instead", Instead, false, STAMP, |i| {
        stamp(i)
            .filter(|s| !s.instead.is_empty())
            .map(|s| FieldValue::Instead(s.instead.iter().map(Way::from).collect()))
    }),
    field!(
        "transitional",
        "field_transitional",
        Bool,
        false,
        STAMP,
        |i| {
            stamp(i)
                .filter(|s| s.transitional)
                .map(|_| FieldValue::Bool(true))
        }
    ),
    field!("content", "field_content", Markdown, false, WORK, |i| {
        work(i).and_then(|w| opt_text(w.content.as_ref()))
    }),
    field!("summary", "field_summary", Text, false, ALL, |i| opt_text(
        i.summary.as_ref()
    )),
    field!(
        "materials",
        "field_materials",
        TextList,
        false,
        STAMP,
        |i| { stamp(i).and_then(|s| texts(&s.materials)) }
    ),
    field!(
        "procedure",
        "field_procedure",
        TextList,
        false,
        STAMP,
        |i| { stamp(i).and_then(|s| texts(&s.procedure)) }
    ),
    field!("time_limit", "field_time_limit", Text, false, STAMP, |i| {
        stamp(i).and_then(|s| opt_text(s.time_limit.as_ref()))
    }),
    field!("fee", "field_fee", Text, false, STAMP, |i| {
        stamp(i).and_then(|s| opt_text(s.fee.as_ref()))
    }),
    field!(
        "proof_content",
        "field_proof_content",
        Text,
        false,
        STAMP,
        |i| { stamp(i).and_then(|s| opt_text(s.proof_content.as_ref())) }
    ),
    field!(
        "funding",
        "field_funding",
        Mapping,
        false,
        WORK,
        |i| mapping(i, FUNDING),
        FUNDING
    ),
    field!(
        "admission",
        "field_admission",
        Mapping,
        false,
        WORK,
        |i| mapping(i, ADMISSION),
        ADMISSION
    ),
    field!("cycle", "field_cycle", Text, false, CREATION, |i| {
        creation(i).and_then(|c| opt_text(c.cycle.as_ref()))
    }),
    field!(
        "recognition",
        "field_recognition",
        Text,
        false,
        CREATION,
        |i| { creation(i).and_then(|c| opt_text(c.recognition.as_ref())) }
    ),
    field!(
        "standard",
        "field_standard",
        Mapping,
        false,
        CREATION,
        |i| mapping(i, STANDARD),
        STANDARD
    ),
    field!("ledgers", "field_ledgers", TextList, false, CREATION, |i| {
        creation(i).and_then(|c| texts(&c.ledgers))
    }),
    field!(
        "merged_into",
        "field_merged_into",
        ItemId,
        false,
        CREATION,
        |i| { creation(i).and_then(|c| c.merged_into.as_ref().and_then(|m| text(m))) }
    ),
    field!("basis", "field_basis", Basis, false, ALL, |i| {
        (!i.basis.is_empty()).then(|| FieldValue::Basis(i.basis.clone()))
    }),
    field!("purposes", "field_purposes", TextList, false, ALL, |i| {
        texts(&i.purposes)
    }),
    field!("replaces", "field_replaces", ItemIds, false, ALL, |i| {
        texts(i.replaces.iter().map(|r| &r.value))
    }),
    field!("body", "field_body", Markdown, false, ALL, |i| opt_text(
        i.body.as_ref()
    )),
    field!("sources", "field_sources", UrlList, false, ALL, |i| texts(
        &i.sources
    )),
];

/// `funding` of a work item.
static FUNDING: &[Field<Item>] = &[
    field!(
        "funding.principle",
        "field_funding_principle",
        Choice = FundingPrinciple,
        true,
        WORK,
        |i| { work(i)?.funding.as_ref().map(|f| choice(f.principle, None)) }
    ),
    field!(
        "funding.agreement",
        "field_funding_agreement",
        Text,
        false,
        WORK,
        |i| { opt_text(work(i)?.funding.as_ref()?.agreement.as_ref()) }
    ),
    field!(
        "funding.amount_cny",
        "field_funding_amount_cny",
        Unsigned,
        false,
        WORK,
        |i| {
            work(i)?
                .funding
                .as_ref()?
                .amount_cny
                .map(FieldValue::Number)
        }
    ),
    field!(
        "funding.period",
        "field_funding_period",
        Text,
        false,
        WORK,
        |i| { opt_text(work(i)?.funding.as_ref()?.period.as_ref()) }
    ),
];

/// `admission` of a work item.
static ADMISSION: &[Field<Item>] = &[
    field!(
        "admission.applied",
        "field_admission_applied",
        Date,
        false,
        WORK,
        |i| { work(i)?.admission.as_ref()?.applied.map(FieldValue::Date) }
    ),
    field!(
        "admission.assessed",
        "field_admission_assessed",
        Date,
        false,
        WORK,
        |i| { work(i)?.admission.as_ref()?.assessed.map(FieldValue::Date) }
    ),
    field!(
        "admission.confirmed",
        "field_admission_confirmed",
        Date,
        false,
        WORK,
        |i| { work(i)?.admission.as_ref()?.confirmed.map(FieldValue::Date) }
    ),
    field!(
        "admission.approved_by",
        "field_admission_approved_by",
        Text,
        false,
        WORK,
        |i| { opt_text(work(i)?.admission.as_ref()?.approved_by.as_ref()) }
    ),
    field!(
        "admission.doc_number",
        "field_admission_doc_number",
        Text,
        false,
        WORK,
        |i| { opt_text(work(i)?.admission.as_ref()?.doc_number.as_ref()) }
    ),
];

/// `standard` of a creation item.
static STANDARD: &[Field<Item>] = &[
    field!(
        "standard.title",
        "field_standard_title",
        Text,
        false,
        CREATION,
        |i| { opt_text(creation(i)?.standard.as_ref()?.title.as_ref()) }
    ),
    field!(
        "standard.pass_mark",
        "field_standard_pass_mark",
        Text,
        false,
        CREATION,
        |i| { opt_text(creation(i)?.standard.as_ref()?.pass_mark.as_ref()) }
    ),
    field!(
        "standard.indicators",
        "field_standard_indicators",
        Unsigned,
        false,
        CREATION,
        |i| {
            creation(i)?
                .standard
                .as_ref()?
                .indicators
                .map(FieldValue::Number)
        }
    ),
];

/// The fields of `list.yaml`.
pub static LIST_FIELDS: &[Field<ListMeta>] = &[
    field!("title", "field_title", Text, true, ALL, |l| text(&l.title)),
    field!("short_title", "field_short_title", Text, false, ALL, |l| {
        opt_text(l.short_title.as_ref())
    }),
    field!(
        "kind",
        "field_kind",
        Choice = ListKind,
        true,
        ALL,
        |l| Some(choice(l.kind, None))
    ),
    field!("id_prefix", "field_id_prefix", Text, true, ALL, |l| text(
        &l.id_prefix
    )),
    field!("intro", "field_intro", Markdown, false, ALL, |l| opt_text(
        l.intro.as_ref()
    )),
    field!("categories", "field_categories", TextList, true, ALL, |l| {
        texts(&l.categories)
    }),
];

/// The fields of one department in `departments.yaml`.
pub static DEPARTMENT_FIELDS: &[Field<Department>] = &[
    field!("name", "field_department_name", Text, true, ALL, |d| text(
        &d.name
    )),
    field!(
        "short_name",
        "field_department_short_name",
        Text,
        false,
        ALL,
        |d| { opt_text(d.short_name.as_ref()) }
    ),
    field!("phone", "phone", Text, false, ALL, |d| opt_text(
        d.phone.as_ref()
    )),
    field!("url", "website", Url, false, ALL, |d| opt_text(
        d.url.as_ref()
    )),
    field!("address", "address", Text, false, ALL, |d| {
        opt_text(d.address.as_ref())
    }),
    field!("hours", "hours", Text, false, ALL, |d| {
        opt_text(d.hours.as_ref())
    }),
    field!("note", "department_note", Text, false, ALL, |d| {
        opt_text(d.note.as_ref())
    }),
];

/// The item fields of a register kind, in order.
pub fn item_fields(kind: ListKind) -> impl Iterator<Item = &'static Field<Item>> {
    ITEM_FIELDS.iter().filter(move |f| f.applies_to(kind))
}

/// The YAML keys of a table, in order (the loader's allowed fields).
pub fn names<T: 'static>(fields: impl IntoIterator<Item = &'static Field<T>>) -> Vec<&'static str> {
    fields.into_iter().map(|f| f.name).collect()
}

/// A table's fields sorted by key.
pub fn by_key<T: 'static>(fields: &'static [Field<T>]) -> Vec<&'static Field<T>> {
    let mut sorted: Vec<&Field<T>> = fields.iter().collect();
    sorted.sort_by_key(|f| f.key());
    sorted
}

/// The keys of a mapping field's parts (`principle`, `agreement` …).
pub fn part_keys<T>(field: &Field<T>) -> Vec<&'static str> {
    field.parts.iter().map(Field::key).collect()
}

/// The item field with this YAML key.
pub fn item_field(name: &str) -> Option<&'static Field<Item>> {
    ITEM_FIELDS.iter().find(|f| f.name == name)
}

impl Department {
    /// The name pages show: the short name when it has one, else the full name.
    pub fn display_name(&self) -> &str {
        self.short_name.as_deref().unwrap_or(&self.name)
    }
}
