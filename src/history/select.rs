//! Which two states `minglu diff` compares.

use crate::error::{Error, Result};
use crate::model::{Register, Site};

use super::format::ListDiff;
use super::{Side, diff};

/// `--to working`.
pub const WORKING: &str = "working";

/// Options of `minglu diff`.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// One register, or all.
    pub list: Option<String>,
    /// From this edition (default: the one before `to`, or the newest edition when `to` is the working copy).
    pub from: Option<String>,
    /// To this edition or `working` (default).
    pub to: Option<String>,
}

/// Computes the selected diffs.
pub fn select(site: &Site, selection: &Selection) -> Result<Vec<ListDiff>> {
    let registers: Vec<&Register> = match &selection.list {
        Some(key) => vec![site.register(key)?],
        None => site.registers.iter().collect(),
    };
    registers
        .into_iter()
        .map(|r| one(site, r, selection))
        .collect()
}

fn one(site: &Site, register: &Register, selection: &Selection) -> Result<ListDiff> {
    let unknown = |name: &str| Error::UnknownEdition {
        list: register.key.clone(),
        name: name.to_owned(),
        known: register
            .editions
            .iter()
            .map(|e| e.id.as_str())
            .chain([WORKING])
            .collect::<Vec<_>>()
            .join(", "),
    };
    let position = |id: &str| {
        register
            .editions
            .iter()
            .position(|e| e.id == id)
            .ok_or_else(|| unknown(id))
    };
    let to = selection.to.as_deref().unwrap_or(WORKING);
    let to_index = if to == WORKING {
        None
    } else {
        Some(position(to)?)
    };
    let from_index = match selection.from.as_deref() {
        Some(WORKING) => return Err(unknown(WORKING)),
        Some(id) => Some(position(id)?),
        None => match to_index {
            Some(i) => i.checked_sub(1),
            None => register.editions.len().checked_sub(1),
        },
    };
    let new = match to_index {
        Some(i) => Side::edition(&register.editions[i], &site.departments),
        None => Side {
            snapshot: &register.working,
            departments: &site.departments,
        },
    };
    let old = from_index.map(|i| Side::edition(&register.editions[i], &site.departments));
    let reasons = to_index.map(|i| &register.editions[i].record.reasons);
    Ok(ListDiff {
        key: register.key.clone(),
        title: new.snapshot.list.title.clone(),
        from: from_index.map(|i| register.editions[i].id.clone()),
        to: to.to_owned(),
        diff: diff(old, new, reasons),
    })
}
