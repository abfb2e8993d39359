//! SEARCH (live suggestions): the "did you mean" table of a kept index
//! (`a.gz` before compression), updated with the items that changed.
//!
//! The table lists each text once, at its first item (see
//! [`index::suggestions`](crate::search::index::suggestions)). Each item keeps its entries, which of them are
//! first, and its piece of the table; a text's occurrences say where it comes
//! first. An update in place (as many items as before) redoes only the pieces
//! of the changed items and of the items where a changed text now comes first
//! or no longer does; the table is the pieces joined.

use std::collections::{BTreeSet, HashMap};

/// Where an entry occurs: (ordinal, position among the item's entries).
type At = (usize, usize);

/// The table of a kept index.
#[derive(Debug, Default)]
pub(super) struct Table {
    /// Per item: its entries, each with whether it is its text's first.
    entries: Vec<Vec<(String, bool)>>,
    /// Per item: its first entries, joined with commas.
    pieces: Vec<String>,
    /// Entry → where it occurs.
    at: HashMap<String, BTreeSet<At>>,
}

impl Table {
    /// Replaces the entries of items `start..old_end` with `changed` (the
    /// entries of items `start..start + changed.len()`).
    pub(super) fn update(&mut self, start: usize, old_end: usize, changed: Vec<Vec<String>>) {
        let fresh: Vec<Vec<(String, bool)>> = changed
            .into_iter()
            .map(|entries| entries.into_iter().map(|e| (e, false)).collect())
            .collect();
        if old_end - start == fresh.len() {
            self.update_in_place(start, fresh);
        } else {
            self.entries.splice(start..old_end, fresh);
            self.rebuild();
        }
    }

    /// The table's bytes.
    pub(super) fn bytes(&self) -> Vec<u8> {
        let size: usize = self.pieces.iter().map(|p| p.len() + 1).sum();
        let mut out = Vec::with_capacity(size + 2);
        out.push(b'[');
        for piece in self.pieces.iter().filter(|p| !p.is_empty()) {
            if out.len() > 1 {
                out.push(b',');
            }
            out.extend_from_slice(piece.as_bytes());
        }
        out.push(b']');
        out
    }

    /// Everything again from the entries (items added, removed or moved).
    fn rebuild(&mut self) {
        self.at.clear();
        for (ord, entries) in self.entries.iter().enumerate() {
            for (k, (entry, _)) in entries.iter().enumerate() {
                self.at.entry(entry.clone()).or_default().insert((ord, k));
            }
        }
        for (ord, entries) in self.entries.iter_mut().enumerate() {
            for (k, (entry, first)) in entries.iter_mut().enumerate() {
                *first = self.at[entry.as_str()].first() == Some(&(ord, k));
            }
        }
        self.pieces = self.entries.iter().map(|e| piece(e)).collect();
    }

    /// Replaces as many items' entries as there were.
    fn update_in_place(&mut self, start: usize, fresh: Vec<Vec<(String, bool)>>) {
        let end = start + fresh.len();
        let touched: BTreeSet<String> = self.entries[start..end]
            .iter()
            .chain(&fresh)
            .flatten()
            .map(|(entry, _)| entry.clone())
            .collect();
        // Where the touched texts came first before the change, outside the
        // replaced items.
        let before: Vec<At> = touched
            .iter()
            .filter_map(|e| self.at.get(e.as_str())?.first().copied())
            .filter(|at| !(start..end).contains(&at.0))
            .collect();
        for (ord, entries) in (start..end).zip(&self.entries[start..end]) {
            for (k, (entry, _)) in entries.iter().enumerate() {
                if let Some(at) = self.at.get_mut(entry.as_str()) {
                    at.remove(&(ord, k));
                }
            }
        }
        for (ord, entries) in (start..end).zip(&fresh) {
            for (k, (entry, _)) in entries.iter().enumerate() {
                self.at.entry(entry.clone()).or_default().insert((ord, k));
            }
        }
        self.entries.splice(start..end, fresh);
        let mut dirty: BTreeSet<usize> = (start..end).collect();
        for (ord, k) in before {
            self.entries[ord][k].1 = false;
            dirty.insert(ord);
        }
        for entry in &touched {
            match self
                .at
                .get(entry.as_str())
                .and_then(|at| at.first().copied())
            {
                Some((ord, k)) => {
                    self.entries[ord][k].1 = true;
                    dirty.insert(ord);
                }
                None => {
                    self.at.remove(entry.as_str());
                }
            }
        }
        for ord in dirty {
            self.pieces[ord] = piece(&self.entries[ord]);
        }
    }
}

/// An item's first entries, joined with commas.
fn piece(entries: &[(String, bool)]) -> String {
    let firsts: Vec<&str> = entries
        .iter()
        .filter(|(_, first)| *first)
        .map(|(e, _)| e.as_str())
        .collect();
    firsts.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::index;

    fn entries(texts: &[&[&str]]) -> Vec<Vec<String>> {
        texts
            .iter()
            .map(|t| t.iter().map(|e| format!("[\"{e}\"]")).collect())
            .collect()
    }

    fn check(table: &Table, all: &[Vec<String>]) {
        let want = index::suggestions(all.iter().map(Vec::as_slice));
        assert_eq!(String::from_utf8_lossy(&table.bytes()), want);
    }

    #[test]
    fn updates_match_the_table_made_afresh() {
        let mut all = entries(&[&["a", "b"], &["b", "c"], &["a"], &["d", "d"], &["c"]]);
        let mut table = Table::default();
        table.update(0, 0, all.clone());
        check(&table, &all);
        // Each text's first item changes, in place.
        for (at, new) in [
            (0, &["c"][..]),
            (1, &["a", "a"]),
            (4, &[]),
            (3, &["b"]),
            (2, &["e", "a"]),
        ] {
            let new = entries(&[new]);
            all.splice(at..=at, new.clone());
            table.update(at, at + 1, new);
            check(&table, &all);
        }
        // Items added and removed.
        let new = entries(&[&["z", "a"], &["b"]]);
        all.splice(1..1, new.clone());
        table.update(1, 1, new);
        check(&table, &all);
        all.drain(0..3);
        table.update(0, 3, Vec::new());
        check(&table, &all);
    }
}
