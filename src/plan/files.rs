//! PLAN: the machine-readable files the site publishes besides its pages: open
//! data under `data/` and the JSON Schemas of the content files under
//! `schema/v1/`. Like pages, each has a stable identity made of names; the plan
//! lists them ([`super::PageId::Data`], [`super::PageId::Schema`]) and
//! [`crate::export`] writes them.

use crate::model::{Choice as _, ListKind};

/// A data file's format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DataFormat {
    /// JSON (UTF-8, pretty-printed, ending in a newline).
    Json,
    /// CSV (UTF-8 with BOM, CRLF, RFC 4180 quoting).
    Csv,
}

impl DataFormat {
    /// Both formats, JSON first.
    pub const ALL: [DataFormat; 2] = [DataFormat::Json, DataFormat::Csv];

    /// `json` or `csv`.
    pub fn extension(self) -> &'static str {
        match self {
            DataFormat::Json => "json",
            DataFormat::Csv => "csv",
        }
    }
}

/// One file of open data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DataFile<'a> {
    /// `data/index.json`: the catalogue of every other data file.
    Index,
    /// A register's public state: `data/stamp.json`, `data/stamp.csv`.
    Register {
        /// Register key.
        register: &'a str,
        /// Which format.
        format: DataFormat,
    },
    /// A frozen edition, byte-stable: `data/stamp/2015.json`.
    Edition {
        /// Register key.
        register: &'a str,
        /// Edition id.
        edition: &'a str,
        /// Which format.
        format: DataFormat,
    },
    /// Every edition's changes against the one before: `data/stamp.changes.csv`.
    Changes {
        /// Register key.
        register: &'a str,
        /// Which format.
        format: DataFormat,
    },
}

/// The version folder of the published schemas (`schema/v1/`): the content format's version.
pub const SCHEMA_VERSION: &str = "v1";

/// One JSON Schema of a content file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SchemaFile {
    /// `content/site.yaml`.
    Site,
    /// `content/departments.yaml`.
    Departments,
    /// `content/lists/<key>/list.yaml`.
    List,
    /// An item file of a register kind.
    Item(ListKind),
    /// A frozen edition's `edition.yaml`.
    Edition,
}

impl SchemaFile {
    /// Every schema, in a stable order.
    pub fn all() -> Vec<SchemaFile> {
        let mut out = vec![SchemaFile::Site, SchemaFile::Departments, SchemaFile::List];
        out.extend(ListKind::ALL.iter().map(|k| SchemaFile::Item(*k)));
        out.push(SchemaFile::Edition);
        out
    }

    /// The file name (`item-stamp.json`).
    pub fn file_name(self) -> String {
        match self {
            SchemaFile::Site => "site.json".to_owned(),
            SchemaFile::Departments => "departments.json".to_owned(),
            SchemaFile::List => "list.json".to_owned(),
            SchemaFile::Item(kind) => format!("item-{}.json", kind.name()),
            SchemaFile::Edition => "edition.json".to_owned(),
        }
    }
}
