//! Site-wide rules: prefixes, URLs, unreleased registers.

use jiff::civil::Date;

use crate::diagnostic::{Code, Diagnostic, Diagnostics, Noun, Span, code_list};
use crate::model::Site;
use crate::t;

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
    let (reserved, zh_reserved) = (RESERVED.join(", "), code_list(RESERVED));
    for r in &site.registers {
        if is_reserved(&r.key) {
            let key = &r.key;
            out.push(
                Diagnostic::error(
                    Code::ReservedName,
                    Span::file_start(r.working.list.file),
                    t!(
                        en: "register `{key}` would take the URL /{key}/, which minglu uses itself",
                        zh: "名录 `{key}` 会占用网址 /{key}/，而这个网址 minglu 自己要用"
                    ),
                )
                .with_help(t!(
                    en: "rename the folder lists/{key}/ (its name is the register's URL); reserved: {reserved}, and any name with a dot",
                    zh: "请给文件夹 lists/{key}/ 改名（文件夹名就是名录的网址）；保留的名称有：{zh_reserved}，以及任何带点号的名称"
                )),
            );
        }
    }
    for page in &site.pages {
        if is_reserved(&page.slug) {
            let slug = &page.slug;
            out.push(
                Diagnostic::error(
                    Code::ReservedName,
                    Span::file_start(page.file),
                    t!(
                        en: "page `{slug}` would take a name minglu uses itself",
                        zh: "页面 `{slug}` 会占用 minglu 自己要用的名称"
                    ),
                )
                .with_help(t!(
                    en: "rename the page file (its name is the URL); reserved: {reserved}, and any name with a dot",
                    zh: "请给页面文件改名（文件名就是网址）；保留的名称有：{zh_reserved}，以及任何带点号的名称"
                )),
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
    report_case_collisions(&names, Noun::new("URL", "网址"), out);
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
        report_case_collisions(&editions, Noun::new("edition id", "版本编号"), out);
    }
}

fn report_case_collisions(names: &[(String, &str, Span)], what: Noun, out: &mut Diagnostics) {
    let (we, wz) = (what.en, what.zh);
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
                t!(
                    en: "{we} `{name}` differs from `{first}` only in letter case",
                    zh: "{wz} `{name}` 与 `{first}` 只有字母大小写不同"
                ),
            )
            .with_help(t!(
                en: "Windows, macOS and many static hosts treat them as one name, so one would overwrite the other: rename or merge one",
                zh: "Windows、macOS 和许多静态网站托管服务把它们当作同一个名称，一个会覆盖另一个：请给其中一个改名或将两者合并"
            ))
            .with_related(*first_span, t!(en: "`{first}` is here", zh: "`{first}` 在这里")),
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
            let (a, b, prefix) = (&first.key, &r.key, &list.id_prefix);
            out.push(
                Diagnostic::error(
                    Code::DuplicatePrefix,
                    list.prefix_span,
                    t!(
                        en: "registers `{a}` and `{b}` both use id_prefix `{prefix}`",
                        zh: "名录 `{a}` 和 `{b}` 都使用 id_prefix `{prefix}`"
                    ),
                )
                .with_help(t!(
                    en: "give each register its own prefix, so that an item id says which register it is in",
                    zh: "请为每个名录设置不同的前缀，使事项编号能看出属于哪个名录"
                ))
                .with_related(
                    first.working.list.prefix_span,
                    t!(en: "the other register's prefix", zh: "另一个名录的前缀"),
                ),
            );
        }
    }
}

/// What: no page takes a register's URL or one minglu reserves.
pub(super) fn url_conflicts(site: &Site, out: &mut Diagnostics) {
    for page in &site.pages {
        let taken_by_register = site.registers.iter().any(|r| r.key == page.slug);
        if taken_by_register {
            let slug = &page.slug;
            out.push(
                Diagnostic::error(
                    Code::UrlConflict,
                    Span::file_start(page.file),
                    t!(
                        en: "page `{slug}` would take the URL /{slug}/, which belongs to the register `{slug}`",
                        zh: "页面 `{slug}` 会占用网址 /{slug}/，而这个网址属于名录 `{slug}`"
                    ),
                )
                .with_help(t!(
                    en: "rename the page file (the file name is the URL)",
                    zh: "请给页面文件改名（文件名就是网址）"
                )),
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
        let key = &r.key;
        let d = if r.editions.is_empty() {
            Diagnostic::warning(
                Code::NoEdition,
                span,
                t!(
                    en: "register `{key}` has no released edition yet; the site shows its working copy marked 尚未发布",
                    zh: "名录 `{key}` 还没有发布任何版本；网站显示它的工作稿，并标注“尚未发布”"
                ),
            )
            .with_help(t!(
                en: "release it when it is approved: `minglu release {key} <edition-id> --label … --title … --published YYYY-MM-DD --effective YYYY-MM-DD`",
                zh: "审定后请发布：`minglu release {key} <edition-id> --label … --title … --published YYYY-MM-DD --effective YYYY-MM-DD`"
            ))
        } else {
            Diagnostic::warning(
                Code::NoEdition,
                span,
                t!(
                    en: "no edition of register `{key}` is in force yet; the site shows the upcoming one",
                    zh: "名录 `{key}` 还没有已施行的版本；网站显示即将施行的版本"
                ),
            )
            .with_help(t!(
                en: "this resolves itself on the effective date of the first edition",
                zh: "到第一个版本的施行日期后，此提示会自动消失"
            ))
        };
        out.push(d);
    }
}
