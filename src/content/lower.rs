//! YAML nodes → model types, one function per file kind.
//!
//! Everything that can be checked inside one file is checked here (types,
//! enums, dates, URLs, date order, document numbers). Checks that need other
//! files (categories, departments, references) live in [`mod@crate::check`].

use std::collections::BTreeMap;

use super::read::{self, Ctx, Fields};
use super::yaml::{Kind, Node};
use crate::diagnostic::{Code, Span, Spanned};
use crate::model::schema;
use crate::model::{
    Admission, Basis, Choice, Creation, Department, Departments, Details, EditionRecord, Funding,
    Instead, Item, Language, ListKind, ListMeta, Page, SiteConfig, Stamp, Standard, Verdict, Work,
};

/// `content/site.yaml`.
pub(crate) fn site(node: &Node, cx: &mut Ctx) -> Option<SiteConfig> {
    const FIELDS: &[&str] = &[
        "title",
        "base_url",
        "publisher",
        "jurisdiction",
        "language",
        "description",
        "notice",
        "theme",
    ];
    let f = Fields::read(node, "site.yaml", FIELDS, cx)?;
    let title = f.required_text("title", cx);
    let base_url = f
        .required("base_url", cx)
        .and_then(|n| read::url(n, "base_url", cx));
    let publisher = f.required_text("publisher", cx);
    let jurisdiction = f.required_text("jurisdiction", cx);
    let language = f
        .choice::<Language>("language", cx)
        .map_or(Language::ZhCn, |l| l.value);
    let theme = f.get("theme").and_then(|n| read::text(n, "theme", cx));
    if let Some(t) = &theme
        && !is_slug(&t.value)
    {
        cx.error(
            Code::InvalidId,
            t.span,
            format!("theme `{}` is not a folder name", t.value),
            "use the name of a folder under themes/, e.g. `default`",
        );
    }
    let mut base_url = base_url?;
    if !base_url.ends_with('/') {
        base_url.push('/');
    }
    Some(SiteConfig {
        title: title?.value,
        base_url,
        publisher: publisher?.value,
        jurisdiction: jurisdiction?.value,
        language,
        description: f.text("description", cx),
        notice: f.text("notice", cx),
        theme: theme
            .as_ref()
            .map_or_else(|| "default".to_owned(), |t| t.value.clone()),
        theme_span: theme.map(|t| t.span),
    })
}

/// `departments.yaml`: a mapping from id to department.
pub(crate) fn departments(node: &Node, cx: &mut Ctx) -> Departments {
    let fields = schema::names(schema::DEPARTMENT_FIELDS);
    let mut out = Departments::new();
    let help = "write `edu:` on one line, then `  name: 示例市教育局` indented below it";
    for (id, span, value) in read::id_entries(node, "departments.yaml", help, cx) {
        if !is_slug(id) {
            cx.error(Code::InvalidId, span, format!("department id `{id}` must be lowercase letters, digits and hyphens, starting with a letter"), "e.g. `edu`, `police`, `hrss-pension`");
        }
        let Some(f) = Fields::read(value, "a department", &fields, cx) else {
            continue;
        };
        let Some(name) = f.required_text("name", cx) else {
            continue;
        };
        out.insert(
            id.to_owned(),
            Department {
                id: id.to_owned(),
                name: name.value,
                short_name: f.text("short_name", cx),
                phone: f.text("phone", cx),
                url: f.url("url", cx),
                address: f.text("address", cx),
                span,
            },
        );
    }
    out
}

/// `list.yaml`.
pub(crate) fn list(node: &Node, cx: &mut Ctx) -> Option<ListMeta> {
    let f = Fields::read(node, "list.yaml", &schema::names(schema::LIST_FIELDS), cx)?;
    let title = f.required_text("title", cx);
    let kind = f.required_choice::<ListKind>("kind", cx);
    let prefix = f.required_text("id_prefix", cx);
    if let Some(p) = &prefix
        && (!(1..=6).contains(&p.value.len()) || !p.value.bytes().all(|b| b.is_ascii_uppercase()))
    {
        cx.error(
            Code::InvalidId,
            p.span,
            format!("id_prefix `{}` must be 1 to 6 capital letters A–Z", p.value),
            "e.g. `id_prefix: GZ`",
        );
    }
    let categories = f
        .required("categories", cx)
        .map(|n| read::text_list(n, "categories", cx))
        .unwrap_or_default();
    for (i, c) in categories.iter().enumerate() {
        if let Some(first) = categories[..i].iter().find(|o| o.value == c.value) {
            cx.push(
                crate::diagnostic::Diagnostic::error(
                    Code::DuplicateId,
                    c.span,
                    format!("category `{}` is listed twice", c.value),
                )
                .with_help("delete one of the two")
                .with_related(first.span, "first listed here"),
            );
        }
    }
    if categories.is_empty() && f.get("categories").is_some() {
        cx.error(
            Code::MissingField,
            f.span,
            "`categories` is empty",
            "list at least one category",
        );
    }
    let prefix = prefix?;
    Some(ListMeta {
        title: title?.value,
        short_title: f.text("short_title", cx),
        kind: kind?.value,
        id_prefix: prefix.value,
        intro: f.text("intro", cx),
        categories: categories.into_iter().map(|c| c.value).collect(),
        file: cx.file,
        prefix_span: prefix.span,
    })
}

/// An item file of a register of `kind`; `id` is the file stem.
pub(crate) fn item(node: &Node, id: &str, kind: ListKind, cx: &mut Ctx) -> Option<Item> {
    let allowed = schema::names(schema::item_fields(kind));
    let before = cx.diags.len();
    let f = Fields::read(node, "an item", &allowed, cx);
    explain_other_kind_fields(&mut cx.diags[before..], kind);
    let f = f?;
    let title = f.required_text("title", cx);
    let category = f.required_text("category", cx);
    let departments = f
        .required("departments", cx)
        .map(|n| read::text_list(n, "departments", cx));
    if let (Some(deps), Some(node)) = (&departments, f.get("departments"))
        && deps.is_empty()
        && matches!(node.kind, Kind::Seq(_))
    {
        cx.error(
            Code::MissingField,
            node.span,
            "`departments` is empty",
            "name at least one department id from departments.yaml",
        );
    }
    let basis = f
        .get("basis")
        .map(|n| read::list_of(n, "basis", cx, basis))
        .unwrap_or_default();
    let details = match kind {
        ListKind::Stamp => stamp(&f, cx).map(Details::Stamp),
        ListKind::Work => work(&f, cx).map(Details::Work),
        ListKind::Creation => creation(&f, cx).map(Details::Creation),
    };
    let item = Item {
        id: id.to_owned(),
        aliases: f.plain_list("aliases", cx),
        basis,
        purposes: f.plain_list("purposes", cx),
        summary: f.text("summary", cx),
        body: f.text("body", cx),
        sources: f.url_list("sources", cx),
        replaces: f.text_list("replaces", cx),
        title: title?,
        category: category?,
        departments: departments?,
        details: details?,
        file: cx.file,
    };
    Some(item)
}

fn explain_other_kind_fields(diags: &mut [crate::diagnostic::Diagnostic], kind: ListKind) {
    for d in diags.iter_mut().filter(|d| d.code == Code::UnknownField) {
        let Some(name) = d.message.split('`').nth(1) else {
            continue;
        };
        let other = schema::item_field(name).and_then(|f| match f.kinds {
            schema::Kinds::Only(other) if other != kind => Some(other),
            _ => None,
        });
        if let Some(other) = other {
            d.help = Some(format!(
                "`{name}` belongs to {} items, but this register's list.yaml says `kind: {}`",
                other.name(),
                kind.name()
            ));
        }
    }
}

/// The keys of an item field that is a mapping (`funding` → `principle`, …).
fn mapping_keys(field: &str) -> Vec<&'static str> {
    schema::item_field(field)
        .map(schema::part_keys)
        .unwrap_or_default()
}

fn stamp(f: &Fields<'_>, cx: &mut Ctx) -> Option<Stamp> {
    let verdict = f.required_choice::<Verdict>("verdict", cx);
    let instead = f
        .get("instead")
        .map(|n| read::list_of(n, "instead", cx, instead))
        .unwrap_or_default();
    match verdict.as_ref().map(|v| (v.value, v.span)) {
        Some((Verdict::Refuse, span)) if f.get("instead").is_none_or(|n| matches!(&n.kind, Kind::Seq(v) if v.is_empty())) => cx.error(
            Code::RefuseWithoutInstead,
            span,
            "the community refuses this proof, but the item does not say where to go instead",
            "add `instead:` with at least one entry (method, department, how) telling citizens where to go",
        ),
        Some((Verdict::Issue, _)) => {
            for key in ["instead", "transitional"] {
                if let Some(node) = f.get(key) {
                    cx.error(
                        Code::NotApplicable,
                        node.span,
                        format!("`{key}` applies only to items the community refuses, but this item says `verdict: issue`"),
                        format!("remove `{key}`, or change the verdict to `refuse`"),
                    );
                }
            }
        }
        _ => {}
    }
    Some(Stamp {
        instead,
        transitional: f.boolean("transitional", cx).unwrap_or(false),
        materials: f.plain_list("materials", cx),
        procedure: f.plain_list("procedure", cx),
        time_limit: f.text("time_limit", cx),
        fee: f.text("fee", cx),
        proof_content: f.text("proof_content", cx),
        verdict: verdict?,
    })
}

fn instead(node: &Node, cx: &mut Ctx) -> Option<Instead> {
    let f = Fields::read(
        node,
        "an `instead` entry",
        &["method", "department", "how"],
        cx,
    )?;
    let method = f.required_choice("method", cx);
    let how = f.required_text("how", cx);
    let department = f
        .get("department")
        .and_then(|n| read::text(n, "department", cx));
    Some(Instead {
        method: method?.value,
        department,
        how: how?.value,
    })
}

fn work(f: &Fields<'_>, cx: &mut Ctx) -> Option<Work> {
    let duty = f.required_choice("duty", cx);
    let funding = f.get("funding").and_then(|n| funding(n, cx));
    let admission = f.get("admission").and_then(|n| admission(n, cx));
    Some(Work {
        duty: duty?.value,
        content: f.text("content", cx),
        funding,
        admission,
    })
}

fn funding(node: &Node, cx: &mut Ctx) -> Option<Funding> {
    let f = Fields::read(node, "`funding`", &mapping_keys("funding"), cx)?;
    let principle = f.required_choice("principle", cx);
    Some(Funding {
        agreement: f.text("agreement", cx),
        amount_cny: f.unsigned("amount_cny", cx),
        period: f.text("period", cx),
        principle: principle?.value,
    })
}

fn admission(node: &Node, cx: &mut Ctx) -> Option<Admission> {
    let f = Fields::read(node, "`admission`", &mapping_keys("admission"), cx)?;
    let steps = [
        ("applied", f.date("applied", cx)),
        ("assessed", f.date("assessed", cx)),
        ("confirmed", f.date("confirmed", cx)),
    ];
    let present: Vec<(&str, &Spanned<jiff::civil::Date>)> = steps
        .iter()
        .filter_map(|(k, d)| d.as_ref().map(|d| (*k, d)))
        .collect();
    for pair in present.windows(2) {
        let ((a, da), (b, db)) = (pair[0], pair[1]);
        if db.value < da.value {
            cx.push(crate::diagnostic::Diagnostic::error(Code::DateOrder, db.span, format!("`{b}` ({}) is before `{a}` ({})", db.value, da.value))
                .with_help("admission goes 书面申请 (applied) → 评估分析 (assessed) → 确认公布 (confirmed); correct whichever date is wrong")
                .with_related(da.span, format!("`{a}` is here")));
        }
    }
    let doc_number = doc_number(&f, cx);
    let [applied, assessed, confirmed] = steps.map(|(_, d)| d.map(|d| d.value));
    Some(Admission {
        applied,
        assessed,
        confirmed,
        approved_by: f.text("approved_by", cx),
        doc_number,
    })
}

fn creation(f: &Fields<'_>, cx: &mut Ctx) -> Option<Creation> {
    let level = f.required_choice("level", cx);
    let participation = f.required_choice("participation", cx);
    let standard = f.get("standard").and_then(|n| {
        let s = Fields::read(n, "`standard`", &mapping_keys("standard"), cx)?;
        Some(Standard {
            title: s.text("title", cx),
            pass_mark: s.text("pass_mark", cx),
            indicators: s.unsigned("indicators", cx),
        })
    });
    Some(Creation {
        cycle: f.text("cycle", cx),
        recognition: f.text("recognition", cx),
        standard,
        ledgers: f.plain_list("ledgers", cx),
        merged_into: f
            .get("merged_into")
            .and_then(|n| read::text(n, "merged_into", cx)),
        level: level?.value,
        participation: participation?.value,
    })
}

fn basis(node: &Node, cx: &mut Ctx) -> Option<Basis> {
    let f = Fields::read(
        node,
        "a `basis` entry",
        &["title", "doc_number", "article", "level", "url"],
        cx,
    )?;
    let title = f.required_text("title", cx);
    Some(Basis {
        doc_number: doc_number(&f, cx),
        article: f.text("article", cx),
        level: f.choice("level", cx).map(|l| l.value),
        url: f.url("url", cx),
        title: title?.value,
    })
}

/// Reads `doc_number` and checks that a year in it uses the 〔〕 brackets.
fn doc_number(f: &Fields<'_>, cx: &mut Ctx) -> Option<String> {
    let node = f.get("doc_number")?;
    let value = read::text(node, "doc_number", cx)?;
    if let Some(fixed) = normalise_doc_number(&value.value) {
        cx.error(
            Code::DocNumber,
            value.span,
            format!(
                "document number `{}` does not write the year as 〔YYYY〕",
                value.value
            ),
            format!("write `{fixed}`"),
        );
    }
    Some(value.value)
}

/// If `s` has a four-digit year in brackets other than 〔〕, returns the corrected form.
pub fn normalise_doc_number(s: &str) -> Option<String> {
    const OPEN: &[char] = &['[', '(', '（', '【', '〈', '［', '{', '<', '〖', '「'];
    const CLOSE: &[char] = &[']', ')', '）', '】', '〉', '］', '}', '>', '〗', '」'];
    let chars: Vec<char> = s.chars().collect();
    for i in 0..chars.len().saturating_sub(5) {
        let year = &chars[i + 1..i + 5];
        if OPEN.contains(&chars[i])
            && year.iter().all(char::is_ascii_digit)
            && CLOSE.contains(&chars[i + 5])
        {
            let mut fixed = chars.clone();
            fixed[i] = '〔';
            fixed[i + 5] = '〕';
            return Some(fixed.into_iter().collect());
        }
    }
    None
}

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
    let f = Fields::read(node, "edition.yaml", FIELDS, cx)?;
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
        cx.push(
            crate::diagnostic::Diagnostic::error(
                Code::DateOrder,
                l.span,
                format!(
                    "`{later_key}` ({}) is before `{earlier_key}` ({})",
                    l.value, e.value
                ),
            )
            .with_help(format!(
                "`{later_key}` must be on or after `{earlier_key}`; correct whichever date is wrong"
            ))
            .with_related(e.span, format!("`{earlier_key}` is here")),
        );
    }
}

fn reasons(node: &Node, cx: &mut Ctx) -> BTreeMap<String, Spanned<String>> {
    let help = "write `GZ-001: 为什么调整` lines indented under `reasons:`";
    read::id_entries(node, "`reasons`", help, cx)
        .into_iter()
        .filter_map(|(id, span, value)| {
            read::text(value, "reasons", cx).map(|t| (id.to_owned(), Spanned::new(t.value, span)))
        })
        .collect()
}

/// A page: YAML front matter between `---` lines, then Markdown.
pub(crate) fn page(text: &str, slug: &str, cx: &mut Ctx) -> Option<Page> {
    let (front, body) = split_front_matter(text);
    let Some(front) = front else {
        cx.error(
            Code::MissingField,
            Span::file_start(cx.file),
            "the page has no front matter",
            "start the file with `---`, a line `title: …`, and another `---`",
        );
        return None;
    };
    let node = super::yaml::parse(front, cx.file, &mut cx.diags)?;
    let f = Fields::read(
        &node,
        "the page's front matter",
        &["title", "weight", "description"],
        cx,
    )?;
    let title = f.required_text("title", cx);
    Some(Page {
        slug: slug.to_owned(),
        weight: f.integer("weight", cx).unwrap_or(0),
        description: f.text("description", cx),
        body: body.to_owned(),
        title: title?.value,
        file: cx.file,
    })
}

/// Splits `---\n…\n---\n` front matter from the body. The front matter slice keeps
/// its opening `---` (a YAML document marker) so spans match the file.
fn split_front_matter(text: &str) -> (Option<&str>, &str) {
    if !(text.starts_with("---\n") || text.starts_with("---\r\n")) {
        return (None, text);
    }
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if offset > 0 && line.trim_end() == "---" {
            return (Some(&text[..offset]), &text[offset + line.len()..]);
        }
        offset += line.len();
    }
    (None, text)
}

/// Whether `s` matches `[a-z][a-z0-9-]*`.
pub(crate) fn is_slug(s: &str) -> bool {
    let mut bytes = s.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_lowercase())
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_numbers() {
        assert_eq!(
            normalise_doc_number("民发[2020]20号").as_deref(),
            Some("民发〔2020〕20号")
        );
        assert_eq!(
            normalise_doc_number("民发（2020）20号").as_deref(),
            Some("民发〔2020〕20号")
        );
        assert_eq!(normalise_doc_number("民发〔2020〕20号"), None);
        assert_eq!(normalise_doc_number("第3号"), None);
    }

    #[test]
    fn front_matter() {
        let (front, body) = split_front_matter("---\ntitle: x\n---\n\nbody\n");
        assert_eq!(front, Some("---\ntitle: x\n"));
        assert_eq!(body, "\nbody\n");
        assert_eq!(split_front_matter("no front").0, None);
    }
}
