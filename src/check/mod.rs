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

pub use memo::Memo;

use jiff::civil::Date;

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
    memo.begin(site);
    references::categories(site, out, memo);
    references::departments(site, out, memo);
    references::items(site, out, memo);
    mentions::dangling_mentions(site, out, memo);
    site::duplicate_prefixes(site, out);
    site::url_conflicts(site, out);
    site::reserved_names(site, out);
    site::case_collisions(site, out);
    site::unreleased_registers(site, today, out);
}
