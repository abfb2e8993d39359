//! EXPORT: an item's part of a data file made once per distinct content.
//!
//! Consecutive editions repeat most items value for value, and the public
//! register file repeats the edition in force, so the same item's fields
//! would be formatted for every edition's JSON and CSV file. A [`Memo`]
//! keeps, per register kind and item, what was made from the item's fields
//! alone (the JSON members after `id` and `page`, the CSV cells of the field
//! columns), and hands it to every file showing an item with the same values
//! ([`Item::same_values`]: every field a data file reads, wherever it was
//! written). The memo of one build's data files is process-wide (the files
//! are made one at a time by whichever thread renders them) and starts afresh
//! when another site asks, so it holds one site's distinct items at most.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use crate::model::{Item, ListKind, Site};

/// What the data files make of an item's fields, each when first needed.
#[derive(Default)]
pub(super) struct Made {
    /// The JSON members after `id` and `page` (see `records::fields_text`).
    pub(super) json: OnceLock<String>,
    /// The CSV cells of the field columns (see `table::field_cells`).
    pub(super) csv: OnceLock<Vec<String>>,
}

/// The items of the data files made so far (one lookup gives both formats).
pub(super) static ITEMS: Memo<Made> = Memo::new();

/// Values made from items' fields, by item id, then kind and values.
pub(super) struct Memo<V> {
    inner: Mutex<Inner<V>>,
}

struct Inner<V> {
    /// The address of the site the entries were made for (only to start
    /// afresh: the entries are found by value, so reuse is harmless).
    site: usize,
    by_id: Option<HashMap<String, Vec<Kept<V>>>>,
}

/// A value, with the kind and the item it was made for.
type Kept<V> = (ListKind, Item, Arc<V>);

impl<V> Memo<V> {
    /// An empty memo.
    pub(super) const fn new() -> Self {
        Memo {
            inner: Mutex::new(Inner {
                site: 0,
                by_id: None,
            }),
        }
    }

    /// The value made for an item of `kind` with `item`'s values, made now by
    /// `make` if no such item was seen for `site` yet.
    pub(super) fn get(
        &self,
        site: &Site,
        kind: ListKind,
        item: &Item,
        make: impl FnOnce() -> V,
    ) -> Arc<V> {
        let address = std::ptr::from_ref(site) as usize;
        if let Some(found) = self.find(address, kind, item) {
            return found;
        }
        // Made outside the lock: two threads may both make it, alike.
        let value = Arc::new(make());
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if inner.site == address {
            inner
                .by_id
                .get_or_insert_with(HashMap::new)
                .entry(item.id.clone())
                .or_default()
                .push((kind, item.clone(), Arc::clone(&value)));
        }
        value
    }

    /// The value kept for an item like `item`, forgetting everything kept
    /// for another site.
    fn find(&self, address: usize, kind: ListKind, item: &Item) -> Option<Arc<V>> {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if inner.site != address {
            inner.site = address;
            inner.by_id = None;
        }
        inner
            .by_id
            .as_ref()?
            .get(&item.id)?
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
        let memo: Memo<String> = Memo::new();
        let kind = stamp.kind();
        assert_eq!(*memo.get(site, kind, changed, || "old".into()), "old");
        assert_eq!(*memo.get(site, kind, later, || "new".into()), "new");
        // The same values read from another file: the kept value.
        let mut copy = changed.clone();
        copy.refile(later.file);
        assert_eq!(*memo.get(site, kind, &copy, || "again".into()), "old");
        // Another register kind with an item of that id: its own.
        let other = crate::model::ListKind::Work;
        assert_eq!(*memo.get(site, other, changed, || "work".into()), "work");
        // Another site starts afresh.
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let elsewhere = crate::content::load(root).expect("loads").0;
        assert_eq!(
            *memo.get(&elsewhere, kind, changed, || "afresh".into()),
            "afresh"
        );
    }
}
