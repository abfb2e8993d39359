//! YAML nodes → model types, one function per file kind: the site's
//! configuration, departments and `list.yaml` here; items in [`mod@item`],
//! `edition.yaml` in [`mod@edition`], free pages in [`mod@page`].
//!
//! Everything that can be checked inside one file is checked here (types,
//! enums, dates, URLs, date order, document numbers). Checks that need other
//! files (categories, departments, references) live in [`mod@crate::check`].

use super::read::{self, Ctx, Fields};
use super::yaml::Node;
use crate::diagnostic::{Code, Noun};
use crate::model::schema;
use crate::model::{Department, Departments, Language, ListKind, ListMeta, SiteConfig};
use crate::t;

mod edition;
mod item;
mod page;

pub(crate) use edition::edition;
pub(crate) use item::item;
pub(crate) use page::page;

/// The fields `content/site.yaml` may have (the JSON Schema lists the same).
pub const SITE_FIELDS: &[&str] = &[
    "title",
    "base_url",
    "publisher",
    "jurisdiction",
    "language",
    "description",
    "notice",
    "theme",
    "generator_credit",
];

/// `content/site.yaml`.
pub(crate) fn site(node: &Node, cx: &mut Ctx) -> Option<SiteConfig> {
    let f = Fields::read(
        node,
        Noun::new("site.yaml", "site.yaml 文件"),
        SITE_FIELDS,
        cx,
    )?;
    let title = f.required_text("title", cx);
    let base_url = f
        .required("base_url", cx)
        .and_then(|n| read::base_url(n, cx));
    let publisher = f.required_text("publisher", cx);
    let jurisdiction = f.required_text("jurisdiction", cx);
    let language = f
        .choice::<Language>("language", cx)
        .map_or(Language::ZhCn, |l| l.value);
    let theme = f.get("theme").and_then(|n| read::text(n, "theme", cx));
    if let Some(th) = &theme
        && !is_slug(&th.value)
    {
        let name = &th.value;
        cx.error(
            Code::InvalidId,
            th.span,
            t!(en: "theme `{name}` is not a folder name", zh: "主题 `{name}` 不是有效的文件夹名"),
            t!(
                en: "use the name of a folder under themes/, e.g. `default`",
                zh: "请填写 themes/ 下某个文件夹的名称，例如 `default`"
            ),
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
        generator_credit: f.boolean("generator_credit", cx).unwrap_or(true),
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
    let help = t!(
        en: "write `edu:` on one line, then `  name: 示例市教育局` indented below it",
        zh: "先写一行 `edu:`，再在下一行缩进写 `  name: 示例市教育局`"
    );
    let what = Noun::new("departments.yaml", "departments.yaml 文件");
    for (id, span, value) in read::id_entries(node, what, &help, cx) {
        if !is_slug(id) {
            cx.error(
                Code::InvalidId,
                span,
                t!(
                    en: "department id `{id}` must be lowercase letters, digits and hyphens, starting with a letter",
                    zh: "部门编号 `{id}` 只能由小写字母、数字和连字符组成，并以字母开头"
                ),
                t!(
                    en: "e.g. `edu`, `police`, `hrss-pension`",
                    zh: "例如 `edu`、`police`、`hrss-pension`"
                ),
            );
        }
        let Some(f) = Fields::read(value, Noun::new("a department", "部门条目"), &fields, cx)
        else {
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
                hours: f.text("hours", cx),
                note: f.text("note", cx),
                span,
            },
        );
    }
    out
}

/// `list.yaml`.
pub(crate) fn list(node: &Node, cx: &mut Ctx) -> Option<ListMeta> {
    let what = Noun::new("list.yaml", "list.yaml 文件");
    let f = Fields::read(node, what, &schema::names(schema::LIST_FIELDS), cx)?;
    let title = f.required_text("title", cx);
    let kind = f.required_choice::<ListKind>("kind", cx);
    let prefix = f.required_text("id_prefix", cx);
    if let Some(p) = &prefix
        && (!(1..=6).contains(&p.value.len()) || !p.value.bytes().all(|b| b.is_ascii_uppercase()))
    {
        let v = &p.value;
        cx.error(
            Code::InvalidId,
            p.span,
            t!(
                en: "id_prefix `{v}` must be 1 to 6 capital letters A–Z",
                zh: "id_prefix `{v}` 应为 1 至 6 个大写字母 A–Z"
            ),
            t!(en: "e.g. `id_prefix: GZ`", zh: "例如 `id_prefix: GZ`"),
        );
    }
    let categories = f
        .required("categories", cx)
        .map(|n| read::text_list(n, "categories", cx))
        .unwrap_or_default();
    for (i, c) in categories.iter().enumerate() {
        if let Some(first) = categories[..i].iter().find(|o| o.value == c.value) {
            let v = &c.value;
            cx.push(
                crate::diagnostic::Diagnostic::error(
                    Code::DuplicateId,
                    c.span,
                    t!(en: "category `{v}` is listed twice", zh: "类别 `{v}` 列出了两次"),
                )
                .with_help(t!(en: "delete one of the two", zh: "删除其中一处"))
                .with_related(
                    first.span,
                    t!(en: "first listed here", zh: "第一次列出在这里"),
                ),
            );
        }
    }
    if categories.is_empty() && f.get("categories").is_some() {
        cx.error(
            Code::MissingField,
            f.span,
            t!(en: "`categories` is empty", zh: "`categories` 为空"),
            t!(en: "list at least one category", zh: "请至少列出一个类别"),
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

/// Reads `doc_number` and checks that a year in it uses the 〔〕 brackets.
fn doc_number(f: &Fields<'_>, cx: &mut Ctx) -> Option<String> {
    let node = f.get("doc_number")?;
    let value = read::text(node, "doc_number", cx)?;
    if let Some(fixed) = normalise_doc_number(&value.value) {
        let v = &value.value;
        cx.error(
            Code::DocNumber,
            value.span,
            t!(
                en: "document number `{v}` does not write the year as 〔YYYY〕",
                zh: "文号 `{v}` 中的年份没有用六角括号写成〔YYYY〕"
            ),
            t!(en: "write `{fixed}`", zh: "请改为 `{fixed}`"),
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
}
