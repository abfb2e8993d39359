//! EXPORT: an item's part of a data file made once per distinct content.
//!
//! Consecutive editions repeat most items value for value, and the public
//! register file repeats the edition in force, so the same item's fields
//! would be formatted for every edition's JSON and CSV file. A [`Memo`]
//! keeps, per register kind and item, what was made from the item's fields
//! alone (the JSON members after `id` and `page`, the CSV cells of the field
//! columns), and hands it to every file showing an item with the same values
//! ([`Item::same_values`]: every field a data file reads, wherever it was
//! written). Render owns one [`DataMemo`] per build and passes it to every
//! data file it makes; the memo (a copy of each distinct item and its text)
//! is dropped with the build's other shared state.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use crate::model::{Item, ListKind};

/// What the data files make of an item's fields, each when first needed.
#[derive(Default, Debug)]
pub struct Made {
    /// The JSON members after `id` and `page` (see `records::fields_text`).
    pub(super) json: OnceLock<String>,
    /// The CSV cells of the field columns (see `table::field_cells`).
    pub(super) csv: OnceLock<Vec<String>>,
}

/// The items of one build's data files made so far (one lookup gives both
/// formats).
pub type DataMemo = Memo<Made>;

/// Values made from items' fields, by item id, then kind and values.
#[derive(Debug)]
pub struct Memo<V> {
    by_id: Mutex<HashMap<String, Vec<Kept<V>>>>,
}

/// A value, with the kind and (a copy of) the item it was made for.
type Kept<V> = (ListKind, Item, Arc<V>);

impl<V> Default for Memo<V> {
    fn default() -> Self {
        Memo {
            by_id: Mutex::new(HashMap::new()),
        }
    }
}

impl<V> Memo<V> {
    /// The value made for an item of `kind` with `item`'s values, made now by
    /// `make` if no such item was seen yet.
    pub(super) fn get(&self, kind: ListKind, item: &Item, make: impl FnOnce() -> V) -> Arc<V> {
        if let Some(found) = self.find(kind, item) {
            return found;
        }
        // Made outside the lock: two threads may both make it, alike.
        let value = Arc::new(make());
        self.by_id
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(item.id.clone())
            .or_default()
            .push((kind, item.clone(), Arc::clone(&value)));
        value
    }

    /// The value kept for an item like `item`.
    fn find(&self, kind: ListKind, item: &Item) -> Option<Arc<V>> {
        self.by_id
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(item.id.as_str())?
            .iter()
            .find(|(k, seen, _)| *k == kind && seen.same_values(item))
            .map(|(_, _, v)| Arc::clone(v))
    }
}

#[cfg(test)]
mod tests {
    use super::Memo;
    use crate::export::example_site;

    #[test]
    fn an_item_whose_values_changed_gets_its_own_value_and_a_copy_shares_it() {
        let site = example_site();
        let stamp = site
            .registers
            .iter()
            .find(|r| r.key == "stamp")
            .expect("stamp");
        let [old, new] = [0, 1].map(|e| &stamp.editions[e].snapshot.items);
        let changed = old
            .iter()
            .find(|a| new.iter().any(|b| b.id == a.id && !b.same_values(a)))
            .expect("an item that changed between the example's editions");
        let later = new.iter().find(|b| b.id == changed.id).expect("kept");
        // The same values read from another file.
        let mut copy = changed.clone();
        copy.refile(later.file);
        let memo: Memo<String> = Memo::default();
        let kind = stamp.kind();
        assert_eq!(*memo.get(kind, changed, || "old".into()), "old");
        assert_eq!(*memo.get(kind, later, || "new".into()), "new");
        // The copy from another file: the kept value.
        assert_eq!(*memo.get(kind, &copy, || "again".into()), "old");
        // Another register kind with an item of that id: its own.
        let other = crate::model::ListKind::Work;
        assert_eq!(*memo.get(other, changed, || "work".into()), "work");
        // Another memo (another build) starts afresh.
        let fresh: Memo<String> = Memo::default();
        assert_eq!(*fresh.get(kind, changed, || "afresh".into()), "afresh");
    }
}
