//! RENDER: a field's old or new value in a change table, as HTML a citizen
//! reads: Markdown rendered, lists as lists (never fragments joined with `；`),
//! ways instead one per line, source addresses as decoded links.
//!
//! Text formats of diffs (`minglu diff`) stay in [`crate::history::format`];
//! this is their HTML counterpart for pages, and escapes every value.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::display::display_url;
use super::markdown;
use crate::history::FieldChange;
use crate::history::format::Labels;
use crate::model::Choice;
use crate::model::schema::{self, FieldValue, ValueKind};

/// The old and new value of a field change, as HTML.
pub(crate) fn change_html(
    c: &FieldChange,
    labels: &Labels,
    departments: &BTreeMap<String, String>,
) -> (String, String) {
    let markdown = schema::item_field(&c.field).is_some_and(|f| f.value == ValueKind::Markdown);
    let show = |v: &Option<FieldValue>| match v {
        None => format!(
            "<span class=\"none\">{}</span>",
            super::escape_html(labels.get("diff_none").unwrap_or("—"))
        ),
        Some(v) => value_html(v, markdown, labels, departments),
    };
    (show(&c.old), show(&c.new))
}

fn value_html(
    v: &FieldValue,
    markdown: bool,
    labels: &Labels,
    departments: &BTreeMap<String, String>,
) -> String {
    let esc = super::escape_html;
    match v {
        FieldValue::Text(s) if markdown => {
            format!("<div class=\"prose\">{}</div>", markdown::to_html(s, 3))
        }
        FieldValue::Text(s) => esc(s),
        FieldValue::Texts(list) if list.len() == 1 => text_or_link(&list[0]),
        FieldValue::Texts(list) => list_html(list.iter().map(|s| text_or_link(s))),
        FieldValue::Instead(ways) => list_html(ways.iter().map(|w| {
            let method = w.method.name();
            let mut head = esc(labels.get(&format!("method_{method}")).unwrap_or(method));
            if let Some(d) = &w.department {
                head.push_str(labels.get("colon").unwrap_or(": "));
                head.push_str(&esc(departments.get(d).map_or(d.as_str(), String::as_str)));
            }
            format!("<strong>{head}</strong><br>{}", esc(&w.how))
        })),
        FieldValue::Basis(list) => list_html(list.iter().map(|b| {
            let mut s = format!("《{}》", esc(&b.title));
            if let Some(n) = &b.doc_number {
                let _ = write!(s, "（{}）", esc(n));
            }
            if let Some(a) = &b.article {
                s.push_str(&esc(a));
            }
            s
        })),
        other => esc(&labels.value(other, departments)),
    }
}

/// An http(s) address as a link showing it decoded; any other text escaped.
fn text_or_link(s: &str) -> String {
    let esc = super::escape_html;
    if s.starts_with("https://") || s.starts_with("http://") {
        format!(
            "<a class=\"url\" href=\"{}\" rel=\"noopener\">{}</a>",
            esc(s),
            esc(&display_url(s))
        )
    } else {
        esc(s)
    }
}

fn list_html(items: impl Iterator<Item = String>) -> String {
    let mut out = String::from("<ul class=\"value-list\">");
    for item in items {
        let _ = write!(out, "<li>{item}</li>");
    }
    out.push_str("</ul>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Language;

    fn change(field: &str, old: FieldValue, new: FieldValue) -> FieldChange {
        FieldChange {
            field: field.to_owned(),
            label: "field_body",
            old: Some(old),
            new: Some(new),
        }
    }

    #[test]
    fn markdown_is_rendered_lists_are_lists_and_text_is_escaped() {
        let labels = Labels::new(Language::ZhCn);
        let none = BTreeMap::new();
        let (old, new) = change_html(
            &change(
                "body",
                FieldValue::Text("**过渡期安排**".into()),
                FieldValue::Text("<script>".into()),
            ),
            &labels,
            &none,
        );
        assert!(old.contains("<strong>过渡期安排</strong>"), "{old}");
        assert!(new.contains("&lt;script&gt;"), "{new}");
        let (old, _) = change_html(
            &change(
                "sources",
                FieldValue::Texts(vec![
                    "https://x.cn/%E6%B0%91".into(),
                    "https://y.cn/\"a".into(),
                ]),
                FieldValue::Texts(vec![]),
            ),
            &labels,
            &none,
        );
        assert!(old.starts_with("<ul class=\"value-list\"><li><a"), "{old}");
        assert!(old.contains(">https://x.cn/民</a>"), "{old}");
        assert!(old.contains("href=\"https://y.cn/&quot;a\""), "{old}");
        let (old, _) = change_html(
            &change(
                "title",
                FieldValue::Text("a**b**".into()),
                FieldValue::Text(String::new()),
            ),
            &labels,
            &none,
        );
        assert_eq!(old, "a**b**");
    }
}
