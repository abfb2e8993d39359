//! CHECK: rules that need more than one file.
//!
//! Rules that a single file can answer (types, enums, dates, a `refuse` item
//! without `instead` …) run while loading, in [`crate::content`]. The rules
//! here look across files: categories against list.yaml, department ids
//! against departments.yaml, item references across a register's editions,
//! URL conflicts across the site. Every rule loops over the whole model and
//! reports every hit; none stops at the first.

mod mentions;
mod references;
mod site;

use jiff::civil::Date;

use crate::diagnostic::Diagnostics;
use crate::model::Site;

/// Runs every cross-file rule and appends its diagnostics.
pub fn check(site: &Site, today: Date, out: &mut Diagnostics) {
    references::categories(site, out);
    references::departments(site, out);
    references::items(site, out);
    mentions::dangling_mentions(site, out);
    site::duplicate_prefixes(site, out);
    site::url_conflicts(site, out);
    site::reserved_names(site, out);
    site::case_collisions(site, out);
    site::unreleased_registers(site, today, out);
}
