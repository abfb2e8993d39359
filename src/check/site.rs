//! Site-wide rules: prefixes, URLs, unreleased registers.

use jiff::civil::Date;

use crate::diagnostic::{Code, Diagnostic, Diagnostics, Span};
use crate::model::Site;

/// URL segments minglu itself uses at the top level.
pub(super) const RESERVED: &[&str] = &[
    "departments",
    "purposes",
    "changes",
    "search",
    "data",
    "draft",
    "assets",
    "404",
    "sitemap.xml",
    "robots.txt",
    "index",
];

/// What: no two registers share an `id_prefix`.
pub(super) fn duplicate_prefixes(site: &Site, out: &mut Diagnostics) {
    for (i, r) in site.registers.iter().enumerate() {
        let list = &r.working.list;
        if let Some(first) = site.registers[..i]
            .iter()
            .find(|o| o.working.list.id_prefix == list.id_prefix)
        {
            out.push(Diagnostic::error(Code::DuplicatePrefix, list.prefix_span, format!("registers `{}` and `{}` both use id_prefix `{}`", first.key, r.key, list.id_prefix))
                .with_help("give each register its own prefix, so that an item id says which register it is in")
                .with_related(first.working.list.prefix_span, "the other register's prefix"));
        }
    }
}

/// What: no page takes a register's URL or one minglu reserves.
pub(super) fn url_conflicts(site: &Site, out: &mut Diagnostics) {
    for page in &site.pages {
        let taken_by_register = site.registers.iter().any(|r| r.key == page.slug);
        if taken_by_register || RESERVED.contains(&page.slug.as_str()) {
            let owner = if taken_by_register {
                format!("the register `{}`", page.slug)
            } else {
                "a page minglu generates".to_owned()
            };
            out.push(
                Diagnostic::error(
                    Code::UrlConflict,
                    Span::file_start(page.file),
                    format!(
                        "page `{}` would take the URL /{}/, which belongs to {owner}",
                        page.slug, page.slug
                    ),
                )
                .with_help("rename the page file (the file name is the URL)"),
            );
        }
    }
}

/// What: each register has an edition in force (a warning: the working copy is shown meanwhile).
pub(super) fn unreleased_registers(site: &Site, today: Date, out: &mut Diagnostics) {
    for r in &site.registers {
        if r.in_force(today).is_some() {
            continue;
        }
        let span = Span::file_start(r.working.list.file);
        let d = if r.editions.is_empty() {
            Diagnostic::warning(Code::NoEdition, span, format!("register `{}` has no released edition yet; the site shows its working copy marked 尚未发布", r.key))
                .with_help(format!("release it when it is approved: `minglu release {} <edition-id> --label … --title … --published YYYY-MM-DD --effective YYYY-MM-DD`", r.key))
        } else {
            Diagnostic::warning(
                Code::NoEdition,
                span,
                format!(
                    "no edition of register `{}` is in force yet; the site shows the upcoming one",
                    r.key
                ),
            )
            .with_help("this resolves itself on the effective date of the first edition")
        };
        out.push(d);
    }
}
