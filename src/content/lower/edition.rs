//! `edition.yaml`: a frozen edition's record, with its dates in order and its
//! reasons by item id.

use std::collections::BTreeMap;

use super::doc_number;
use crate::content::read::{self, Ctx, Fields};
use crate::content::yaml::Node;
use crate::diagnostic::{Code, Noun, Spanned};
use crate::model::EditionRecord;
use crate::t;

/// `edition.yaml`.
pub(crate) fn edition(node: &Node, cx: &mut Ctx) -> Option<EditionRecord> {
    const FIELDS: &[&str] = &[
        "label",
        "kind",
        "title",
        "doc_number",
        "issuers",
        "published",
        "effective",
        "expires",
        "notes",
        "reasons",
        "sources",
    ];
    let f = Fields::read(
        node,
        Noun::new("edition.yaml", "edition.yaml 文件"),
        FIELDS,
        cx,
    )?;
    let label = f.required_text("label", cx);
    let kind = f.required_choice("kind", cx);
    let title = f.required_text("title", cx);
    let issuers = f
        .required("issuers", cx)
        .map(|n| read::text_list(n, "issuers", cx));
    let published = f.required_date("published", cx);
    let effective = f.required_date("effective", cx);
    let expires = f.date("expires", cx);
    date_not_before(
        effective.as_ref(),
        "effective",
        published.as_ref(),
        "published",
        cx,
    );
    date_not_before(
        expires.as_ref(),
        "expires",
        effective.as_ref(),
        "effective",
        cx,
    );
    let reasons = f.get("reasons").map(|n| reasons(n, cx)).unwrap_or_default();
    Some(EditionRecord {
        doc_number: doc_number(&f, cx),
        notes: f.text("notes", cx),
        sources: f.url_list("sources", cx),
        label: label?.value,
        kind: kind?.value,
        title: title?.value,
        issuers: issuers?.into_iter().map(|s| s.value).collect(),
        published: published?,
        effective: effective?,
        expires,
        reasons,
        file: cx.file,
    })
}

fn date_not_before(
    later: Option<&Spanned<jiff::civil::Date>>,
    later_key: &str,
    earlier: Option<&Spanned<jiff::civil::Date>>,
    earlier_key: &str,
    cx: &mut Ctx,
) {
    let (Some(l), Some(e)) = (later, earlier) else {
        return;
    };
    if l.value < e.value {
        let (lv, ev) = (l.value, e.value);
        cx.push(
            crate::diagnostic::Diagnostic::error(
                Code::DateOrder,
                l.span,
                t!(
                    en: "`{later_key}` ({lv}) is before `{earlier_key}` ({ev})",
                    zh: "`{later_key}`（{lv}）早于 `{earlier_key}`（{ev}）"
                ),
            )
            .with_help(t!(
                en: "`{later_key}` must be on or after `{earlier_key}`; correct whichever date is wrong",
                zh: "`{later_key}` 不能早于 `{earlier_key}`；请改正有误的日期"
            ))
            .with_related(e.span, t!(en: "`{earlier_key}` is here", zh: "`{earlier_key}` 在这里")),
        );
    }
}

fn reasons(node: &Node, cx: &mut Ctx) -> BTreeMap<String, Spanned<String>> {
    let help = t!(
        en: "write `GZ-001: 为什么调整` lines indented under `reasons:`",
        zh: "请在 `reasons:` 下缩进，逐行写 `GZ-001: 调整理由`"
    );
    read::id_entries(node, Noun::new("`reasons`", "`reasons` 字段"), &help, cx)
        .into_iter()
        .filter_map(|(id, span, value)| {
            read::text(value, "reasons", cx).map(|t| (id.to_owned(), Spanned::new(t.value, span)))
        })
        .collect()
}
