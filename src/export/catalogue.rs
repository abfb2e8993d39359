//! `data/index.json`: the catalogue of every data file (path, SHA-256, size),
//! the registers and their editions with dates, document numbers and status,
//! and the published schemas. Unlike an edition's files it depends on the
//! build date (which edition is in force) and on every other data file.

use rayon::prelude::*;
use serde::Serialize;

use super::{DataMemo, FORMAT};
use crate::content::seal::sha256_hex;
use crate::plan::{DataFile, DataFormat, PageId, Plan, PlannedPage, Status, url};

/// What kind of file a catalogue entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryKind {
    /// A data file in this format.
    Data(DataFormat),
    /// A JSON Schema.
    Schema,
}

/// One published file in the catalogue.
#[derive(Clone, Debug, Serialize)]
pub struct Entry {
    /// What it is.
    #[serde(skip)]
    pub kind: EntryKind,
    /// Its path relative to the site's base URL (`data/stamp.csv`).
    pub path: String,
    /// SHA-256 of its bytes, in lowercase hex.
    pub sha256: String,
    /// Its size in bytes.
    pub size: usize,
}

/// Every planned data file except `data/index.json`, then every schema, with
/// its hash and size (each file is made, hashed and dropped, in parallel).
pub fn catalogue(plan: &Plan<'_>, memo: &DataMemo) -> Vec<Entry> {
    plan.pages
        .par_iter()
        .filter_map(|page| {
            let text = match page.id {
                PageId::Data(file) if listed(page).is_some() => {
                    super::data_file(plan, &file, memo)?
                }
                PageId::Schema(file) => super::schema::schema_file(file),
                _ => return None,
            };
            entry(plan, page, &text)
        })
        .collect()
}

/// What kind of catalogue entry a planned page is: a data file (other than
/// `data/index.json` itself) or a schema; `None` for every other page.
pub fn listed(page: &PlannedPage<'_>) -> Option<EntryKind> {
    match page.id {
        PageId::Data(
            DataFile::Register { format, .. }
            | DataFile::Edition { format, .. }
            | DataFile::Changes { format, .. },
        ) => Some(EntryKind::Data(format)),
        PageId::Schema(_) => Some(EntryKind::Schema),
        _ => None,
    }
}

/// The catalogue entry of `page`, whose bytes are `text`, if it is [`listed`]:
/// so that a build which writes the files anyway need not make them twice.
pub fn entry(plan: &Plan<'_>, page: &PlannedPage<'_>, text: &str) -> Option<Entry> {
    Some(Entry {
        kind: listed(page)?,
        path: plan.path(page),
        sha256: sha256_hex(text.as_bytes()),
        size: text.len(),
    })
}

#[derive(Serialize)]
struct Files {
    json: String,
    csv: String,
}

#[derive(Serialize)]
struct EditionEntry<'a> {
    id: &'a str,
    label: &'a str,
    kind: crate::model::EditionKind,
    title: &'a str,
    doc_number: Option<&'a str>,
    issuers: &'a [String],
    published: jiff::civil::Date,
    effective: jiff::civil::Date,
    expires: Option<jiff::civil::Date>,
    status: &'static str,
    files: Files,
}

#[derive(Serialize)]
struct RegisterEntry<'a> {
    key: &'a str,
    title: &'a str,
    kind: crate::model::ListKind,
    status: &'static str,
    edition: Option<&'a str>,
    files: Files,
    changes: Files,
    editions: Vec<EditionEntry<'a>>,
}

#[derive(Serialize)]
struct Site<'a> {
    title: &'a str,
    publisher: &'a str,
    jurisdiction: &'a str,
    base_url: &'a str,
}

#[derive(Serialize)]
struct Index<'a> {
    format: u32,
    site: Site<'a>,
    registers: Vec<RegisterEntry<'a>>,
    files: Vec<Entry>,
    schemas: Vec<Entry>,
}

/// `data/index.json`.
pub fn index(plan: &Plan<'_>) -> String {
    index_of(plan, catalogue(plan, &DataMemo::default()))
}

/// `data/index.json` from a [`catalogue`] already made.
pub fn index_of(plan: &Plan<'_>, entries: Vec<Entry>) -> String {
    let registers = plan
        .public
        .registers
        .iter()
        .zip(&plan.history.registers)
        .map(|(p, h)| {
            let key = p.register.key.as_str();
            let status = match p.status {
                Status::InForce(_) => "in_force",
                Status::Upcoming(_) => "upcoming",
                Status::Unreleased => "unreleased",
                Status::Draft => "draft",
            };
            RegisterEntry {
                key,
                title: &p.snapshot.list.title,
                kind: p.register.kind(),
                status,
                edition: p.edition.map(|i| p.register.editions[i].id.as_str()),
                files: files(|format| DataFile::Register {
                    register: key,
                    format,
                }),
                changes: files(|format| DataFile::Changes {
                    register: key,
                    format,
                }),
                editions: p
                    .register
                    .editions
                    .iter()
                    .zip(&h.statuses)
                    .map(|(e, s)| EditionEntry {
                        id: &e.id,
                        label: &e.record.label,
                        kind: e.record.kind,
                        title: &e.record.title,
                        doc_number: e.record.doc_number.as_deref(),
                        issuers: &e.record.issuers,
                        published: e.record.published.value,
                        effective: e.record.effective.value,
                        expires: e.record.expires.as_ref().map(|d| d.value),
                        status: s.name(),
                        files: files(|format| DataFile::Edition {
                            register: key,
                            edition: &e.id,
                            format,
                        }),
                    })
                    .collect(),
            }
        })
        .collect();
    let (schemas, files): (Vec<Entry>, Vec<Entry>) = entries
        .into_iter()
        .partition(|e| e.kind == EntryKind::Schema);
    let config = &plan.site.config;
    let mut s = serde_json::to_string_pretty(&Index {
        format: FORMAT,
        site: Site {
            title: &config.title,
            publisher: &config.publisher,
            jurisdiction: &config.jurisdiction,
            base_url: &plan.base_url,
        },
        registers,
        files,
        schemas,
    })
    .expect("the catalogue serialises to JSON");
    s.push('\n');
    s
}

fn files<'a>(file: impl Fn(DataFormat) -> DataFile<'a>) -> Files {
    Files {
        json: url::data_file(&file(DataFormat::Json)),
        csv: url::data_file(&file(DataFormat::Csv)),
    }
}
