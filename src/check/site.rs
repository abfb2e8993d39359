//! Site-wide rules: prefixes, URLs, unreleased registers.

use jiff::civil::Date;

use crate::diagnostic::{Code, Diagnostic, Diagnostics, Span};
use crate::model::Site;

/// Names a register key or page may not take (SCHEMA.md "Reserved names"): the
/// top-level URLs minglu generates, and the stems of files it writes.
pub(super) const RESERVED: &[&str] = &[
    "changes",
    "departments",
    "purposes",
    "search",
    "data",
    "schema",
    "draft",
    "assets",
    "editions",
    "notice",
    "index",
    "404",
    "sitemap",
    "robots",
];

/// Whether a register key or page name is reserved (a listed name, or any name
/// with a dot, which could clash with a file such as `changes.atom`).
pub(super) fn is_reserved(name: &str) -> bool {
    RESERVED.contains(&name) || name.contains('.')
}

/// What: no register key or page name takes a URL minglu generates.
pub(super) fn reserved_names(site: &Site, out: &mut Diagnostics) {
    for r in &site.registers {
        if is_reserved(&r.key) {
            out.push(
                Diagnostic::error(
                    Code::ReservedName,
                    Span::file_start(r.working.list.file),
                    format!("register `{}` would take the URL /{}/, which minglu uses itself", r.key, r.key),
                )
                .with_help(format!("rename the folder lists/{}/ (its name is the register's URL); reserved: {}, and any name with a dot", r.key, RESERVED.join(", "))),
            );
        }
    }
    for page in &site.pages {
        if is_reserved(&page.slug) {
            out.push(
                Diagnostic::error(
                    Code::ReservedName,
                    Span::file_start(page.file),
                    format!("page `{}` would take a name minglu uses itself", page.slug),
                )
                .with_help(format!("rename the page file (its name is the URL); reserved: {}, and any name with a dot", RESERVED.join(", "))),
            );
        }
    }
}

/// What: no two pages, registers or editions of a register have names that
/// differ only in case (case-insensitive file systems and hosts fold them).
pub(super) fn case_collisions(site: &Site, out: &mut Diagnostics) {
    let mut names: Vec<(String, &str, Span)> = Vec::new();
    for r in &site.registers {
        names.push((
            r.key.to_lowercase(),
            &r.key,
            Span::file_start(r.working.list.file),
        ));
    }
    for p in &site.pages {
        names.push((p.slug.to_lowercase(), &p.slug, Span::file_start(p.file)));
    }
    report_case_collisions(&names, "URL", out);
    for r in &site.registers {
        let editions: Vec<(String, &str, Span)> = r
            .editions
            .iter()
            .map(|e| {
                (
                    e.id.to_lowercase(),
                    e.id.as_str(),
                    Span::file_start(e.record.file),
                )
            })
            .collect();
        report_case_collisions(&editions, "edition id", out);
    }
}

fn report_case_collisions(names: &[(String, &str, Span)], what: &str, out: &mut Diagnostics) {
    for (i, (folded, name, span)) in names.iter().enumerate() {
        let Some((_, first, first_span)) =
            names[..i].iter().find(|(f, n, _)| f == folded && n != name)
        else {
            continue;
        };
        out.push(
            Diagnostic::error(
                Code::CaseCollision,
                *span,
                format!("{what} `{name}` differs from `{first}` only in letter case"),
            )
            .with_help("Windows, macOS and many static hosts treat them as one name, so one would overwrite the other: rename or merge one")
            .with_related(*first_span, format!("`{first}` is here")),
        );
    }
}

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
        if taken_by_register {
            let owner = format!("the register `{}`", page.slug);
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
