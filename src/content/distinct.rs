//! LOAD: every distinct item file parsed once.
//!
//! Consecutive editions of a register repeat most of their items byte for
//! byte, and the working copy repeats the newest edition. Parsing and lowering
//! depend only on a file's bytes, its stem (the item id) and the list settings
//! it is read with, never on its path: so the loader parses the first file
//! with given bytes, stem and settings, and gives every other such file a copy
//! moved to its own file id ([`Item::refile`], [`Diagnostic::refiled`]), which
//! is exactly what parsing it would have given. Which of the files is parsed
//! first depends on scheduling; the result does not.
//!
//! A frozen edition's copy shares the parsed fields ([`Item::shared_for`]):
//! ten editions of five thousand items hold the fields of about five thousand,
//! not fifty thousand. Its spans may then name the first file (same bytes, so
//! the same lines and columns); [`Item::at`] places them in the copy's file.
//! A working-copy item, which the checks and `serve` look at most, always has
//! fields of its own whose spans name its file.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use super::{parse_item, seal};
use crate::diagnostic::{Diagnostic, FileId};
use crate::model::{Item, ListKind, ListMeta};

/// An item file's parse: the item (if any) and its diagnostics.
pub(crate) type ParsedItem = (Option<Item>, Vec<Diagnostic>);

/// What the parse of an item file depends on: its bytes (by SHA-256), its stem,
/// the register kind and the id prefix.
type Key = ([u8; 32], String, ListKind, String);

/// One distinct parse, and the file it was made from.
type Slot = Arc<OnceLock<(FileId, ParsedItem)>>;

/// The item files parsed so far in one load, by what their parse depends on.
#[derive(Default)]
pub(crate) struct Distinct {
    parsed: Mutex<HashMap<Key, Slot>>,
}

impl Distinct {
    /// The parse of item file `file` (whose content is `bytes`, SHA-256
    /// `digest` when already known) with stem `stem` in a list with `list`'s
    /// settings: parsed now if no file with the same bytes, stem and settings
    /// was, else a copy of that file's parse moved to `file` (sharing its
    /// fields when `share`: see the module documentation).
    pub(crate) fn item(
        &self,
        (bytes, digest): (&[u8], Option<[u8; 32]>),
        file: FileId,
        (stem, list): (&str, &ListMeta),
        share: bool,
    ) -> ParsedItem {
        let digest = digest.unwrap_or_else(|| seal::sha256(bytes));
        let key = (digest, stem.to_owned(), list.kind, list.id_prefix.clone());
        let slot = Arc::clone(
            self.parsed
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .entry(key)
                .or_default(),
        );
        let (origin, (item, diags)) =
            slot.get_or_init(|| (file, parse_item(bytes, file, stem, list)));
        let origin = *origin;
        let item = item.as_ref().map(|item| {
            if share {
                item.shared_for(file)
            } else {
                let mut own = item.clone();
                own.refile(file);
                own
            }
        });
        let diags = diags
            .iter()
            .map(|d| d.clone().refiled(origin, file))
            .collect();
        (item, diags)
    }
}
