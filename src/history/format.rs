//! Diffs as text: for terminals, for pull-request comments (Markdown), for tools
//! (JSON), and as the skeleton of a `--reasons-file`.
//!
//! Labels and values are shown in the site's language (field names as the theme
//! names them, 可出具 → 不予出具 for verdicts), because the readers are the editors.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use super::{ChangeKind, Diff, FieldChange, ItemChange};
use crate::i18n;
use crate::model::schema::{FieldValue, Way};
use crate::model::{Basis, Choice, Language};

/// One register's diff with its names, ready to format.
#[derive(Debug, Serialize)]
pub struct ListDiff {
    /// Register key.
    pub key: String,
    /// Register title.
    pub title: String,
    /// From (edition id), or `None` for "nothing".
    pub from: Option<String>,
    /// To (edition id or `working`).
    pub to: String,
    /// The changes.
    pub diff: Diff,
}

/// Labels and value names in one language.
pub struct Labels {
    t: &'static BTreeMap<&'static str, &'static str>,
}

impl Labels {
    /// Labels for a language.
    pub fn new(language: Language) -> Self {
        Labels {
            t: i18n::strings(language),
        }
    }

    /// The UI string `key`, if the language has it.
    pub fn get(&self, key: &str) -> Option<&'static str> {
        self.t.get(key).copied()
    }

    /// The label of a field change (`materials` → 申请材料), from the schema's label key.
    pub fn field(&self, change: &FieldChange) -> String {
        self.get(change.label)
            .map_or_else(|| change.field.clone(), str::to_owned)
    }

    /// A value as readable text; department ids are shown by name.
    pub fn value(&self, value: &FieldValue, departments: &BTreeMap<String, String>) -> String {
        let sep = self.get("list_sep").unwrap_or(", ");
        match value {
            FieldValue::Text(s) => s.clone(),
            FieldValue::Texts(list) => list.join(sep),
            FieldValue::Choice { name, labels } => labels
                .and_then(|prefix| self.get(&format!("{prefix}{name}")))
                .unwrap_or(name)
                .to_owned(),
            FieldValue::Bool(b) => self
                .get(if *b { "yes" } else { "no" })
                .unwrap_or("")
                .to_owned(),
            FieldValue::Number(n) => n.to_string(),
            FieldValue::Date(d) => d.to_string(),
            FieldValue::Departments(ids) => ids
                .iter()
                .map(|id| departments.get(id).map_or(id.as_str(), String::as_str))
                .collect::<Vec<_>>()
                .join(sep),
            FieldValue::Instead(ways) => ways
                .iter()
                .map(|w| self.way(w, departments))
                .collect::<Vec<_>>()
                .join("；"),
            FieldValue::Basis(list) => list.iter().map(basis).collect::<Vec<_>>().join("；"),
            FieldValue::Mapping(parts) => parts
                .iter()
                .filter_map(|p| {
                    let v = p.value.as_ref()?;
                    Some(format!(
                        "{}{}{}",
                        self.get(p.label).unwrap_or(p.key),
                        self.get("colon").unwrap_or(": "),
                        self.value(v, departments)
                    ))
                })
                .collect::<Vec<_>>()
                .join(sep),
        }
    }

    fn way(&self, w: &Way, departments: &BTreeMap<String, String>) -> String {
        let method = w.method.name();
        let mut s = self
            .get(&format!("method_{method}"))
            .unwrap_or(method)
            .to_owned();
        if let Some(d) = &w.department {
            s.push_str(self.get("colon").unwrap_or(": "));
            s.push_str(departments.get(d).map_or(d.as_str(), String::as_str));
        }
        s.push_str("——");
        s.push_str(&w.how);
        s
    }

    /// `a → b`, `(new) b` or `(removed) a`.
    pub fn change(
        &self,
        c: &FieldChange,
        departments: &BTreeMap<String, String>,
    ) -> (String, String) {
        let none = self.get("diff_none").unwrap_or("—").to_owned();
        let show = |v: &Option<FieldValue>| {
            v.as_ref()
                .map_or_else(|| none.clone(), |v| self.value(v, departments))
        };
        (show(&c.old), show(&c.new))
    }

    /// The one-line summary of an item change (`GZ-009 并入 GZ-013`, `可出具 → 不予出具` …).
    pub fn headline(&self, c: &ItemChange) -> String {
        let t = |k: &str| self.get(k).unwrap_or("");
        let mut s = format!("{} {}", c.id, one_line(&c.title));
        match c.kind {
            ChangeKind::Added => s = format!("{}{}{s}", t("diff_added"), t("colon")),
            ChangeKind::Removed => s = format!("{}{}{s}", t("diff_removed"), t("colon")),
            ChangeKind::Changed => s = format!("{}{}{s}", t("diff_changed"), t("colon")),
        }
        if !c.merged_into.is_empty() {
            s.push_str(&format!(
                "（{} {}{}）",
                c.id,
                t("diff_merged_into"),
                c.merged_into.join(t("list_sep"))
            ));
        }
        if !c.absorbs.is_empty() {
            s.push_str(&format!(
                "（{} {}{}）",
                c.absorbs.join(t("list_sep")),
                t("diff_merged_into"),
                c.id
            ));
        }
        if let Some(flip) = c.verdict {
            s.push_str(&format!(
                "【{}：{} → {}】",
                t("field_verdict"),
                t(&format!("short_{}", crate::model::Choice::name(flip.from))),
                t(&format!("short_{}", crate::model::Choice::name(flip.to)))
            ));
        }
        s
    }

    /// "新增 2 项，退出 2 项，修改 2 项".
    pub fn summary(&self, diff: &Diff) -> String {
        let (a, r, c) = diff.counts();
        let t = |k: &str| self.get(k).unwrap_or("");
        if diff.is_empty() {
            return t("diff_nothing").to_owned();
        }
        let n = t("count_after");
        let mut parts = vec![
            format!("{} {a}{n}", t("diff_added")),
            format!("{} {r}{n}", t("diff_removed")),
            format!("{} {c}{n}", t("diff_changed")),
        ];
        let flips = diff.items.iter().filter(|i| i.verdict.is_some()).count();
        if flips > 0 {
            parts.push(format!("{} {flips}{n}", t("diff_flips")));
        }
        parts.join(t("comma"))
    }
}

fn basis(b: &Basis) -> String {
    let mut s = format!("《{}》", b.title);
    if let Some(n) = &b.doc_number {
        s.push_str(&format!("（{n}）"));
    }
    if let Some(a) = &b.article {
        s.push_str(a);
    }
    s
}

fn side_name(labels: &Labels, side: Option<&str>) -> String {
    match side {
        None => labels.get("diff_nothing_before").unwrap_or("-").to_owned(),
        Some("working") => labels
            .get("diff_working")
            .unwrap_or("working copy")
            .to_owned(),
        Some(id) => id.to_owned(),
    }
}

/// Plain text for a terminal.
pub fn text(lists: &[ListDiff], labels: &Labels) -> String {
    let mut out = String::new();
    for l in lists {
        let _ = writeln!(
            out,
            "{} ({}): {} → {}",
            l.title,
            l.key,
            side_name(labels, l.from.as_deref()),
            side_name(labels, Some(&l.to))
        );
        let _ = writeln!(out, "  {}", labels.summary(&l.diff));
        for c in &l.diff.items {
            let _ = writeln!(out, "\n  {}", labels.headline(c));
            for f in &c.fields {
                let (old, new) = labels.change(f, &l.diff.department_names);
                let _ = writeln!(
                    out,
                    "      {}: {} → {}",
                    labels.field(f),
                    one_line(&old),
                    one_line(&new)
                );
            }
            if let Some(r) = &c.reason {
                let _ = writeln!(
                    out,
                    "      {}: {r}",
                    labels.get("diff_reason").unwrap_or("reason")
                );
            }
        }
        for f in &l.diff.list {
            let (old, new) = labels.change(f, &l.diff.department_names);
            let _ = writeln!(
                out,
                "\n  list.yaml {}: {} → {}",
                f.field,
                one_line(&old),
                one_line(&new)
            );
        }
        for d in &l.diff.departments {
            let _ = writeln!(
                out,
                "\n  {} {} ({:?})",
                labels.get("diff_department").unwrap_or("department"),
                d.id,
                d.kind
            );
            for f in &d.fields {
                let (old, new) = labels.change(f, &l.diff.department_names);
                let _ = writeln!(
                    out,
                    "      {}: {} → {}",
                    f.field,
                    one_line(&old),
                    one_line(&new)
                );
            }
        }
        out.push('\n');
    }
    out
}

fn one_line(s: &str) -> String {
    s.trim_end().replace('\n', " ⏎ ")
}

fn cell(s: &str) -> String {
    crate::text_safety::markdown_inline(s)
}

/// Markdown for a pull-request comment: a summary line per list, then a table per change.
pub fn markdown(lists: &[ListDiff], labels: &Labels) -> String {
    let mut out = String::new();
    let t = |k: &str| labels.get(k).unwrap_or("");
    for l in lists {
        let (from, to) = (
            side_name(labels, l.from.as_deref()),
            side_name(labels, Some(&l.to)),
        );
        let _ = writeln!(
            out,
            "### {}（`{}`）：{from} → {to}\n",
            cell(&l.title),
            l.key
        );
        let _ = writeln!(out, "**{}**\n", labels.summary(&l.diff));
        for c in &l.diff.items {
            let _ = writeln!(out, "#### {}\n", cell(&labels.headline(c)));
            if let Some(r) = &c.reason {
                let _ = writeln!(out, "> {}{}{}\n", t("diff_reason"), t("colon"), cell(r));
            }
            let rows: Vec<(String, String, String)> = c
                .fields
                .iter()
                .map(|f| {
                    let (old, new) = labels.change(f, &l.diff.department_names);
                    (labels.field(f), old, new)
                })
                .collect();
            table(&mut out, &rows, labels);
        }
        table(&mut out, &other_rows(&l.diff, labels), labels);
    }
    out
}

/// Rows for changes to list.yaml and to departments.
fn other_rows(diff: &Diff, labels: &Labels) -> Vec<(String, String, String)> {
    let t = |k: &str| labels.get(k).unwrap_or("");
    let mut rows = Vec::new();
    for f in &diff.list {
        let (old, new) = labels.change(f, &diff.department_names);
        rows.push((format!("list.yaml `{}`", f.field), old, new));
    }
    for d in &diff.departments {
        if d.fields.is_empty() {
            let (old, new) = if d.kind == ChangeKind::Added {
                (t("diff_none"), d.name.as_str())
            } else {
                (d.name.as_str(), t("diff_none"))
            };
            rows.push((
                format!("{} `{}`", t("diff_department"), d.id),
                old.to_owned(),
                new.to_owned(),
            ));
        }
        for f in &d.fields {
            let (old, new) = labels.change(f, &diff.department_names);
            rows.push((
                format!("{} `{}` {}", t("diff_department"), d.id, f.field),
                old,
                new,
            ));
        }
    }
    rows
}

/// A Markdown table of (field, old, new) rows; nothing when there are none.
fn table(out: &mut String, rows: &[(String, String, String)], labels: &Labels) {
    if rows.is_empty() {
        return;
    }
    let t = |k: &str| labels.get(k).unwrap_or("");
    let _ = writeln!(
        out,
        "| {} | {} | {} |\n|---|---|---|",
        t("diff_field"),
        t("diff_old"),
        t("diff_new")
    );
    for (field, old, new) in rows {
        let _ = writeln!(out, "| {field} | {} | {} |", cell(old), cell(new));
    }
    out.push('\n');
}

/// One JSON document with every list's diff.
pub fn json(lists: &[ListDiff]) -> String {
    let mut s = serde_json::to_string_pretty(lists).expect("diffs serialise");
    s.push('\n');
    s
}

/// A `--reasons-file` skeleton: every changed id with an empty reason to fill in.
pub fn reasons(lists: &[ListDiff], labels: &Labels) -> String {
    let mut out = String::from(
        "# Reasons for the next release: write why each item changed, then pass this file\n# to `minglu release <list> <edition-id> --reasons-file <file>`.\n",
    );
    for l in lists {
        if l.diff.items.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n# {} ({})", l.title, l.key);
        for c in &l.diff.items {
            let _ = writeln!(out, "# {}", labels.headline(c));
            let _ = writeln!(out, "{}: \"\"", c.id);
        }
    }
    out
}
