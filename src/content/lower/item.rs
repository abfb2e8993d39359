//! Item files (`items/GZ-001.yaml`): the fields every item has, then those of
//! its register's kind, as [`crate::model::schema`] lists them.

use super::doc_number;
use crate::content::read::{self, Ctx, Fields};
use crate::content::yaml::{Kind, Node};
use crate::diagnostic::{Code, Noun, Spanned};
use crate::model::schema;
use crate::model::{
    Admission, Basis, Choice, Creation, Details, Funding, Instead, Item, ItemFields, ListKind,
    Stamp, Standard, Verdict, Work,
};
use crate::t;

/// An item file of a register of `kind`; `id` is the file stem.
pub(crate) fn item(node: &Node, id: &str, kind: ListKind, cx: &mut Ctx) -> Option<Item> {
    let allowed = schema::names(schema::item_fields(kind));
    let before = cx.diags.len();
    let f = Fields::read(node, Noun::new("an item", "事项文件"), &allowed, cx);
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
            t!(en: "`departments` is empty", zh: "`departments` 为空"),
            t!(
                en: "name at least one department id from departments.yaml",
                zh: "请至少填写一个 departments.yaml 中的部门编号"
            ),
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
    let fields = ItemFields {
        id: id.to_owned(),
        aliases: f.plain_list("aliases", cx),
        basis,
        purposes: f.plain_list("purposes", cx),
        summary: f.text("summary", cx),
        body: f.text("body", cx).map(std::sync::Arc::from),
        sources: f.url_list("sources", cx),
        replaces: f.text_list("replaces", cx),
        title: title?,
        category: category?,
        departments: departments?,
        details: details?,
    };
    Some(Item::new(fields, cx.file))
}

fn explain_other_kind_fields(diags: &mut [crate::diagnostic::Diagnostic], kind: ListKind) {
    for d in diags.iter_mut().filter(|d| d.code == Code::UnknownField) {
        // The field name is the first `quoted` part of the message.
        let Some(name) = d.message.en.split('`').nth(1).map(str::to_owned) else {
            continue;
        };
        let name = name.as_str();
        let other = schema::item_field(name).and_then(|f| match f.kinds {
            schema::Kinds::Only(other) if other != kind => Some(other),
            _ => None,
        });
        if let Some(other) = other {
            let (other, kind) = (other.name(), kind.name());
            d.help = Some(t!(
                en: "`{name}` belongs to {other} items, but this register's list.yaml says `kind: {kind}`",
                zh: "`{name}` 是 {other} 类名录事项的字段，但本名录的 list.yaml 写的是 `kind: {kind}`"
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
            t!(
                en: "the community refuses this proof, but the item does not say where to go instead",
                zh: "社区不予出具这项证明，但事项中没有写明群众应改到哪里办理"
            ),
            t!(
                en: "add `instead:` with at least one entry (method, department, how) telling citizens where to go",
                zh: "请添加 `instead:`，至少写一条替代途径（method、department、how），告诉群众到哪里办"
            ),
        ),
        Some((Verdict::Issue, _)) => {
            for key in ["instead", "transitional"] {
                if let Some(node) = f.get(key) {
                    cx.error(
                        Code::NotApplicable,
                        node.span,
                        t!(
                            en: "`{key}` applies only to items the community refuses, but this item says `verdict: issue`",
                            zh: "`{key}` 只适用于社区不予出具的事项，但本事项写的是 `verdict: issue`"
                        ),
                        t!(
                            en: "remove `{key}`, or change the verdict to `refuse`",
                            zh: "请删除 `{key}`，或把 verdict 改为 `refuse`"
                        ),
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
        Noun::new("an `instead` entry", "`instead` 条目"),
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
    let f = Fields::read(
        node,
        Noun::new("`funding`", "`funding` 字段"),
        &mapping_keys("funding"),
        cx,
    )?;
    let principle = f.required_choice("principle", cx);
    Some(Funding {
        agreement: f.text("agreement", cx),
        amount_cny: f.unsigned("amount_cny", cx),
        period: f.text("period", cx),
        principle: principle?.value,
    })
}

fn admission(node: &Node, cx: &mut Ctx) -> Option<Admission> {
    let what = Noun::new("`admission`", "`admission` 字段");
    let f = Fields::read(node, what, &mapping_keys("admission"), cx)?;
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
            let (dbv, dav) = (db.value, da.value);
            cx.push(
                crate::diagnostic::Diagnostic::error(
                    Code::DateOrder,
                    db.span,
                    t!(en: "`{b}` ({dbv}) is before `{a}` ({dav})", zh: "`{b}`（{dbv}）早于 `{a}`（{dav}）"),
                )
                .with_help(t!(
                    en: "admission goes 书面申请 (applied) → 评估分析 (assessed) → 确认公布 (confirmed); correct whichever date is wrong",
                    zh: "准入程序依次为书面申请（applied）→ 评估分析（assessed）→ 确认公布（confirmed）；请改正有误的日期"
                ))
                .with_related(da.span, t!(en: "`{a}` is here", zh: "`{a}` 在这里")),
            );
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
        let what = Noun::new("`standard`", "`standard` 字段");
        let s = Fields::read(n, what, &mapping_keys("standard"), cx)?;
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
        Noun::new("a `basis` entry", "`basis` 条目"),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::FileId;

    /// A valid value for each field the schema may require.
    fn sample(field: &str) -> &'static str {
        match field {
            "title" => "亲属关系证明",
            "category" => "亲属婚育",
            "departments" => "[civil]",
            "verdict" => "issue",
            "duty" => "assist",
            "level" => "district",
            "participation" => "voluntary",
            other => panic!("the schema requires `{other}`: give it a sample value here"),
        }
    }

    fn load(yaml: &str, kind: ListKind) -> (Option<Item>, Vec<crate::diagnostic::Diagnostic>) {
        let mut cx = Ctx::new(FileId(0));
        let node = crate::content::yaml::parse(yaml, FileId(0), &mut cx.diags).expect("YAML");
        (item(&node, "GZ-001", kind, &mut cx), cx.diags)
    }

    /// The loader requires exactly the fields the schema marks required.
    #[test]
    fn the_loader_requires_what_the_schema_says() {
        for kind in ListKind::ALL.iter().copied() {
            let required: Vec<&str> = schema::item_fields(kind)
                .filter(|f| f.required)
                .map(|f| f.name)
                .collect();
            let line = |f: &str| format!("{f}: {}\n", sample(f));
            let full: String = required.iter().map(|f| line(f)).collect();
            let (item, diags) = load(&full, kind);
            assert!(item.is_some() && diags.is_empty(), "{kind:?}: {diags:?}");
            for missing in &required {
                let yaml: String = required
                    .iter()
                    .filter(|f| *f != missing)
                    .map(|f| line(f))
                    .collect();
                let (item, diags) = load(&yaml, kind);
                assert!(item.is_none(), "{kind:?} loads without `{missing}`");
                assert!(
                    diags.iter().any(|d| d.code == Code::MissingField
                        && d.message.contains(&format!("`{missing}`"))),
                    "{kind:?} without `{missing}`: {diags:?}"
                );
            }
        }
    }

    /// Every field the schema lists for a kind is accepted; the others' fields are not.
    #[test]
    fn the_loader_accepts_the_schema_fields_of_its_kind() {
        for kind in ListKind::ALL.iter().copied() {
            let allowed = schema::names(schema::item_fields(kind));
            for f in schema::ITEM_FIELDS {
                let yaml = format!("{}: x\n", f.name);
                let (_, diags) = load(&yaml, kind);
                let unknown = diags.iter().any(|d| d.code == Code::UnknownField);
                assert_eq!(unknown, !allowed.contains(&f.name), "{kind:?} `{}`", f.name);
            }
        }
    }
}
