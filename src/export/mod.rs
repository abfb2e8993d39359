//! EXPORT: open data (JSON and CSV under `data/`) and the JSON Schemas of the
//! content files (under `schema/v1/`), made from the plan and the model.
//!
//! Every file here is one planned [`PageId::Data`](crate::plan::PageId::Data)
//! or [`PageId::Schema`](crate::plan::PageId::Schema): the plan says which
//! exist and where; this module says what is in them. It reads the plan (what
//! is published, with which status), the history (what changed) and the field
//! tables of [`crate::model::schema`] (which columns, in which order); it never
//! reads HTML or `content/`, and never decides what is published.
//!
//! A frozen edition's files (`data/<list>/<edition>.*`) depend only on that
//! edition's content: no build date, no base URL, no program version, so a URL
//! cited once returns the same bytes for good. `docs/data.md` documents every
//! file and column; [`FORMAT`] is the version every JSON file states.

mod catalogue;
mod memo;
mod records;
pub mod schema;
mod table;

pub use catalogue::{Entry, EntryKind, catalogue, entry, index, index_of, listed};
pub use memo::DataMemo;
pub use table::{LIST_SEPARATOR, PART_SEPARATOR, changes_csv, item_columns};

use crate::plan::{DataFile, DataFormat, Plan};

/// The version of the data files' layout, stated as `"format"` in every JSON file.
/// It changes only when a field is renamed or removed or its meaning changes.
pub const FORMAT: u32 = 1;

/// The text of one data file of `plan`, or `None` if the plan has no such
/// register or edition; items already formatted for another file of the
/// build come from `memo`.
pub fn data_file(plan: &Plan<'_>, file: &DataFile<'_>, memo: &DataMemo) -> Option<String> {
    match *file {
        DataFile::Index => Some(index(plan)),
        DataFile::Register { register, format } => {
            let i = plan.public.position(register)?;
            let published = &plan.public.registers[i];
            Some(match format {
                DataFormat::Json => records::register_json(memo, published),
                DataFormat::Csv => table::items_csv(
                    memo,
                    published.register.kind(),
                    &published.snapshot.items,
                    published.departments,
                    |id| crate::plan::url::item(register, id),
                ),
            })
        }
        DataFile::Edition {
            register,
            edition,
            format,
        } => {
            let r = plan.site.registers.iter().find(|r| r.key == register)?;
            let e = r.editions.iter().find(|e| e.id == edition)?;
            let departments = crate::plan::publish::edition_departments(e, &plan.site.departments);
            Some(match format {
                DataFormat::Json => records::edition_json(memo, r, e, departments),
                DataFormat::Csv => {
                    table::items_csv(memo, r.kind(), &e.snapshot.items, departments, |id| {
                        crate::plan::url::frozen(register, edition, id)
                    })
                }
            })
        }
        DataFile::Changes { register, format } => {
            let h = plan.history.register(register)?;
            Some(match format {
                DataFormat::Json => records::changes_json(h),
                DataFormat::Csv => table::history_csv(h),
            })
        }
    }
}

/// The bundled example site (`content/`), loaded once for the tests.
#[cfg(test)]
pub(crate) fn example_site() -> &'static crate::model::Site {
    static SITE: std::sync::OnceLock<crate::model::Site> = std::sync::OnceLock::new();
    SITE.get_or_init(|| {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        crate::content::load(root).expect("the example loads").0
    })
}
