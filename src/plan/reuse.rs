//! PLAN: which frozen edition folders the previous output can keep.
//!
//! Each register gets a fingerprint of everything its edition pages
//! (`stamp/editions/2015/…`) are made from: the program and theme (given by the
//! caller), the site-wide values every page shows (config, navigation, purpose
//! slugs), and the register's editions with their seals and statuses. When the
//! previous build recorded the same fingerprint, those pages are carried over
//! instead of rendered.

use std::collections::{BTreeMap, BTreeSet};

use sha2::{Digest as _, Sha256};

use super::publish::Scope;
use crate::content::seal::hex;
use crate::history::SiteHistory;
use crate::model::Site;

/// What the plan decided about carrying frozen pages over.
#[derive(Clone, Debug, Default)]
pub struct Reuse {
    /// Register key → fingerprint of its edition pages' inputs (store it for the next build).
    pub fingerprints: BTreeMap<String, String>,
    /// Registers whose edition folders are carried over from the previous output.
    pub registers: BTreeSet<String>,
    /// Those edition folders (`stamp/editions/2015`), for the writer to carry over.
    pub dirs: Vec<String>,
    /// Pages in those folders.
    pub pages: usize,
    /// Every register's edition folders in the output.
    pub edition_dirs: BTreeMap<String, Vec<String>>,
}

/// Decides reuse: fingerprints every register and compares with `previous`.
pub(super) fn decide(
    site: &Site,
    history: &SiteHistory<'_>,
    public: &Scope<'_>,
    base_url: &str,
    program: &str,
    previous: &BTreeMap<String, String>,
) -> Reuse {
    let fingerprints = fingerprints(site, history, public, base_url, program);
    let registers: BTreeSet<String> = fingerprints
        .iter()
        .filter(|(key, f)| previous.get(*key) == Some(*f))
        .map(|(key, _)| key.clone())
        .collect();
    let mut reuse = Reuse {
        fingerprints,
        ..Reuse::default()
    };
    for h in &history.registers {
        let key = &h.register.key;
        let dirs: Vec<String> = h
            .register
            .editions
            .iter()
            .map(|e| format!("{key}/editions/{}", e.id))
            .collect();
        if registers.contains(key) {
            reuse.dirs.extend(dirs.iter().cloned());
            reuse.pages += h
                .register
                .editions
                .iter()
                .map(|e| 1 + e.snapshot.items.len())
                .sum::<usize>();
        }
        reuse.edition_dirs.insert(key.clone(), dirs);
    }
    reuse.registers = registers;
    reuse
}

fn fingerprints(
    site: &Site,
    history: &SiteHistory<'_>,
    public: &Scope<'_>,
    base_url: &str,
    program: &str,
) -> BTreeMap<String, String> {
    let mut common = Sha256::new();
    common.update(program.as_bytes());
    common.update([0]);
    common.update(base_url.as_bytes());
    common.update([0]);
    common.update(json(&site.config).as_bytes());
    for page in &site.pages {
        common.update(format!("\npage {} {}", page.slug, page.title).as_bytes());
    }
    for p in &public.registers {
        let list = &p.snapshot.list;
        common.update(
            format!(
                "\nregister {} {} {:?}",
                p.register.key, list.title, list.short_title
            )
            .as_bytes(),
        );
    }
    common.update(json(&public.purpose_slugs).as_bytes());
    history
        .registers
        .iter()
        .map(|h| {
            let mut f = common.clone();
            f.update(format!("{:?}", h.shown).as_bytes());
            for (e, status) in h.register.editions.iter().zip(&h.statuses) {
                f.update(format!("\n{} {} {}", e.id, e.seal, status.name()).as_bytes());
            }
            // An edition without its own departments.yaml shows the site's.
            if h.register
                .editions
                .iter()
                .any(|e| e.snapshot.departments.is_none())
            {
                f.update(json(&site.departments).as_bytes());
            }
            (h.register.key.clone(), hex(&f.finalize()))
        })
        .collect()
}

/// A value as JSON (empty on failure, which only hashes less).
fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}
