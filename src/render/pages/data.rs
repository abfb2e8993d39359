//! The open-data page (`/data/`): every download with its size and SHA-256,
//! from the export's catalogue (the page never makes the files itself).

use std::collections::BTreeMap;

use serde::Serialize;

use super::Shared;
use crate::export::{self, Entry, EntryKind};
use crate::plan::{DataFile, DataFormat, url};

#[derive(Serialize)]
pub(super) struct Download {
    path: String,
    format: &'static str,
    size: String,
    sha256: String,
}

#[derive(Serialize)]
pub(super) struct EditionDownloads<'a> {
    label: &'a str,
    doc_number: Option<&'a str>,
    effective: String,
    status: &'static str,
    files: Vec<Download>,
}

#[derive(Serialize)]
pub(super) struct RegisterDownloads<'a> {
    key: &'a str,
    title: &'a str,
    current: Vec<Download>,
    changes: Vec<Download>,
    editions: Vec<EditionDownloads<'a>>,
}

#[derive(Serialize)]
pub(super) struct DataPage<'a> {
    index: Download,
    registers: Vec<RegisterDownloads<'a>>,
    schemas: Vec<Download>,
}

/// `1234` → `1.2 KB` (binary kilobytes, one decimal), under 1 KB in bytes.
fn size(bytes: usize) -> String {
    // Tenths of a unit in integers: exact, and no float casts.
    let tenths = |unit: usize| {
        let t = (bytes * 10 + unit / 2) / unit;
        format!("{}.{}", t / 10, t % 10)
    };
    match bytes {
        0..1024 => format!("{bytes} B"),
        1024..1_048_576 => format!("{} KB", tenths(1024)),
        _ => format!("{} MB", tenths(1_048_576)),
    }
}

fn download(e: &Entry) -> Download {
    let format = match e.kind {
        EntryKind::Data(DataFormat::Csv) => "CSV",
        EntryKind::Data(DataFormat::Json) | EntryKind::Schema => "JSON",
    };
    Download {
        path: e.path.clone(),
        format,
        size: size(e.size),
        sha256: e.sha256.clone(),
    }
}

pub(super) fn data_page<'a>(shared: &'a Shared<'a>) -> DataPage<'a> {
    let plan = shared.plan;
    let entries = shared.catalogue();
    let by_path: BTreeMap<&str, &Entry> = entries.iter().map(|e| (e.path.as_str(), e)).collect();
    let both = |file: &dyn Fn(DataFormat) -> DataFile<'a>| -> Vec<Download> {
        DataFormat::ALL
            .iter()
            .filter_map(|f| by_path.get(url::data_file(&file(*f)).as_str()))
            .map(|e| download(e))
            .collect()
    };
    let registers = plan
        .history
        .registers
        .iter()
        .map(|h| {
            let key = h.register.key.as_str();
            RegisterDownloads {
                key,
                title: &h.register.working.list.title,
                current: both(&|format| DataFile::Register {
                    register: key,
                    format,
                }),
                changes: both(&|format| DataFile::Changes {
                    register: key,
                    format,
                }),
                editions: h
                    .register
                    .editions
                    .iter()
                    .zip(&h.statuses)
                    .rev()
                    .map(|(e, status)| EditionDownloads {
                        label: &e.record.label,
                        doc_number: e.record.doc_number.as_deref(),
                        effective: e.record.effective.value.to_string(),
                        status: status.name(),
                        files: both(&|format| DataFile::Edition {
                            register: key,
                            edition: &e.id,
                            format,
                        }),
                    })
                    .collect(),
            }
        })
        .collect();
    let index = export::index_of(plan, entries.to_vec());
    DataPage {
        index: Download {
            path: url::data_file(&DataFile::Index),
            format: "JSON",
            size: size(index.len()),
            sha256: crate::content::seal::sha256_hex(index.as_bytes()),
        },
        registers,
        schemas: entries
            .iter()
            .filter(|e| e.kind == EntryKind::Schema)
            .map(download)
            .collect(),
    }
}
