//! CHECK: rules that need more than one file.
//!
//! Rules that a single file can answer (types, enums, dates, a `refuse` item
//! without `instead` …) run while loading, in [`crate::content`]. The rules
//! here look across files: categories against list.yaml, department ids
//! against departments.yaml, item references across a register's editions,
//! URL conflicts across the site. Every rule loops over the whole model and
//! reports every hit; none stops at the first.

mod memo;
mod mentions;
mod references;
mod site;
mod working;

pub use memo::Memo;

use jiff::civil::Date;

use crate::content::Unchanged;
use crate::diagnostic::Diagnostics;
use crate::model::Site;

/// Runs every cross-file rule and appends its diagnostics.
pub fn check(site: &Site, today: Date, out: &mut Diagnostics) {
    check_with(site, today, out, &mut Memo::default());
}

/// [`check`], reusing what `memo` kept of an earlier check of frozen
/// editions that are still the same (shared by the load), and keeping what it
/// finds for the next. The same diagnostics as [`check`].
pub fn check_with(site: &Site, today: Date, out: &mut Diagnostics, memo: &mut Memo) {
    check_all(site, today, out, (memo, None));
}

/// [`check_with`], also reusing what `memo` found in working-copy items
/// that the load of `site` took unchanged from the load before
/// (`unchanged`, from [`crate::content::Cache::unchanged`]), when `memo`
/// checked that load. The same diagnostics as [`check`].
pub fn check_loaded(
    site: &Site,
    today: Date,
    out: &mut Diagnostics,
    memo: &mut Memo,
    unchanged: &Unchanged,
) {
    check_all(site, today, out, (memo, Some(unchanged)));
}

fn check_all(
    site: &Site,
    today: Date,
    out: &mut Diagnostics,
    (memo, unchanged): (&mut Memo, Option<&Unchanged>),
) {
    memo.begin(site);
    let known = memo.take_known(site);
    let prefixes: Vec<&str> = known.keys().map(String::as_str).collect();
    let finder = mentions::Finder {
        site,
        known: &known,
        prefixes: &prefixes,
    };
    let working = working::findings(site, &finder, memo, unchanged);
    references::categories(site, &working, out, memo);
    references::departments(site, &working, out, memo);
    references::items(site, &working, out, memo);
    mentions::dangling_mentions(&finder, &working, out, memo);
    working::keep(site, working, memo, unchanged);
    memo.keep_known(known);
    site::duplicate_prefixes(site, out);
    site::url_conflicts(site, out);
    site::reserved_names(site, out);
    site::case_collisions(site, out);
    site::unreleased_registers(site, today, out);
}
