//! Unit tests of the diff engine, on items built in memory.

use std::collections::BTreeMap;

use super::format::Labels;
use super::{ChangeKind, Diff, Side, diff};
use crate::diagnostic::{FileId, Span, Spanned};
use crate::model::schema::FieldValue;
use crate::model::{
    Department, Departments, Details, Duty, Funding, FundingPrinciple, Instead, Item, ItemFields,
    Language, ListKind, ListMeta, Method, Snapshot, Stamp, Verdict, Work,
};

/// A span in file `file` at `line`: two copies of one item in different files
/// differ only in spans, which the diff must ignore.
fn at(file: u32, line: u32) -> Span {
    Span {
        file: FileId(file),
        line,
        col: 1,
        start: line * 10,
        end: line * 10 + 5,
    }
}

fn spanned<T>(value: T, file: u32) -> Spanned<T> {
    Spanned::new(value, at(file, 3))
}

fn stamp_item(id: &str, file: u32, verdict: Verdict) -> Item {
    let instead = if verdict == Verdict::Refuse {
        vec![Instead {
            method: Method::OtherAgency,
            department: Some(spanned("police".to_owned(), file)),
            how: "到派出所办理".to_owned(),
        }]
    } else {
        Vec::new()
    };
    let fields = ItemFields {
        id: id.to_owned(),
        title: spanned(format!("{id} 证明"), file),
        aliases: vec!["别名".to_owned()],
        category: spanned("居住".to_owned(), file),
        departments: vec![spanned("civil".to_owned(), file)],
        basis: Vec::new(),
        purposes: vec!["入学".to_owned()],
        summary: Some("一句话".to_owned()),
        body: None,
        sources: vec!["https://example.org/a".to_owned()],
        replaces: Vec::new(),
        details: Details::Stamp(Stamp {
            verdict: spanned(verdict, file),
            instead,
            transitional: false,
            materials: vec!["身份证".to_owned()],
            procedure: Vec::new(),
            time_limit: Some("当场".to_owned()),
            fee: None,
            proof_content: None,
        }),
    };
    Item::new(fields, FileId(file))
}

fn work_item(id: &str, file: u32, amount: Option<u64>) -> Item {
    let mut item = stamp_item(id, file, Verdict::Issue);
    item.details = Details::Work(Work {
        duty: Duty::Assist,
        content: None,
        funding: Some(Funding {
            principle: FundingPrinciple::Purchase,
            agreement: Some("协议1".to_owned()),
            amount_cny: amount,
            period: None,
        }),
        admission: None,
    });
    item
}

fn snapshot(kind: ListKind, title: &str, items: Vec<Item>) -> Snapshot {
    Snapshot {
        list: ListMeta {
            title: title.to_owned(),
            short_title: None,
            kind,
            id_prefix: "GZ".to_owned(),
            intro: None,
            categories: vec!["居住".to_owned()],
            file: FileId(0),
            prefix_span: at(0, 1),
        },
        items,
        departments: None,
    }
}

fn departments(police_name: &str) -> Departments {
    let mut d = Departments::new();
    for (id, name) in [("civil", "民政局"), ("police", police_name)] {
        d.insert(
            id.to_owned(),
            Department {
                id: id.to_owned(),
                name: name.to_owned(),
                short_name: None,
                phone: None,
                url: None,
                address: None,
                hours: None,
                note: None,
                span: at(0, 1),
            },
        );
    }
    d
}

fn compare(old: &Snapshot, new: &Snapshot, deps: &Departments) -> Diff {
    let side = |snapshot| Side {
        snapshot,
        departments: deps,
    };
    diff(Some(side(old)), side(new), None)
}

#[test]
fn the_same_item_read_from_another_file_is_unchanged() {
    let deps = departments("公安局");
    let old = snapshot(
        ListKind::Stamp,
        "名录",
        vec![stamp_item("GZ-001", 1, Verdict::Refuse)],
    );
    let new = snapshot(
        ListKind::Stamp,
        "名录",
        vec![stamp_item("GZ-001", 2, Verdict::Refuse)],
    );
    let d = compare(&old, &new, &deps);
    assert!(d.is_empty(), "{d:?}");
}

#[test]
fn changed_fields_come_in_schema_order_with_their_label_keys() {
    let deps = departments("公安局");
    let old = snapshot(
        ListKind::Stamp,
        "名录",
        vec![stamp_item("GZ-001", 1, Verdict::Issue)],
    );
    let mut changed = stamp_item("GZ-001", 2, Verdict::Refuse);
    changed.title = spanned("新名称".to_owned(), 2);
    changed.sources.clear();
    let new = snapshot(ListKind::Stamp, "名录", vec![changed]);
    let d = compare(&old, &new, &deps);
    let change = d.item("GZ-001").expect("GZ-001 changed");
    assert_eq!(change.kind, ChangeKind::Changed);
    let fields: Vec<(&str, &str)> = change
        .fields
        .iter()
        .map(|f| (f.field.as_str(), f.label))
        .collect();
    assert_eq!(
        fields,
        [
            ("title", "field_title"),
            ("verdict", "field_verdict"),
            ("instead", "field_instead"),
            ("sources", "field_sources"),
        ]
    );
    let flip = change.verdict.expect("the verdict flipped");
    assert_eq!((flip.from, flip.to), (Verdict::Issue, Verdict::Refuse));
    assert_eq!(change.fields[3].new, None, "emptied lists count as absent");
}

#[test]
fn mappings_are_compared_part_by_part() {
    let deps = departments("公安局");
    let old = snapshot(
        ListKind::Work,
        "名录",
        vec![work_item("SX-001", 1, Some(100))],
    );
    let new = snapshot(
        ListKind::Work,
        "名录",
        vec![work_item("SX-001", 2, Some(200))],
    );
    let d = compare(&old, &new, &deps);
    let fields = &d.item("SX-001").expect("changed").fields;
    assert_eq!(fields.len(), 1, "{fields:?}");
    assert_eq!(fields[0].field, "funding.amount_cny");
    assert_eq!(fields[0].label, "field_funding_amount_cny");
    assert_eq!(
        (fields[0].old.clone(), fields[0].new.clone()),
        (Some(FieldValue::Number(100)), Some(FieldValue::Number(200)))
    );
}

#[test]
fn added_removed_merged_and_reasons() {
    let deps = departments("公安局");
    let old = snapshot(
        ListKind::Stamp,
        "名录",
        vec![
            stamp_item("GZ-001", 1, Verdict::Issue),
            stamp_item("GZ-002", 1, Verdict::Issue),
        ],
    );
    let mut merged = stamp_item("GZ-003", 2, Verdict::Issue);
    merged.replaces = vec![spanned("GZ-002".to_owned(), 2)];
    let new = snapshot(
        ListKind::Stamp,
        "名录",
        vec![stamp_item("GZ-001", 2, Verdict::Issue), merged],
    );
    let reasons: BTreeMap<String, Spanned<String>> =
        [("GZ-002".to_owned(), spanned("并入GZ-003".to_owned(), 3))].into();
    let side = |snapshot| Side {
        snapshot,
        departments: &deps,
    };
    let d = diff(Some(side(&old)), side(&new), Some(&reasons));
    let kinds: Vec<(&str, ChangeKind)> = d.items.iter().map(|c| (c.id.as_str(), c.kind)).collect();
    assert_eq!(
        kinds,
        [
            ("GZ-002", ChangeKind::Removed),
            ("GZ-003", ChangeKind::Added)
        ]
    );
    let removed = d.item("GZ-002").expect("removed");
    assert_eq!(removed.merged_into, ["GZ-003"]);
    assert_eq!(removed.reason.as_deref(), Some("并入GZ-003"));
    assert_eq!(d.item("GZ-003").expect("added").absorbs, ["GZ-002"]);
    assert_eq!(d.counts(), (1, 1, 0));
}

#[test]
fn a_first_edition_adds_everything_and_compares_nothing_else() {
    let deps = departments("公安局");
    let new = snapshot(
        ListKind::Stamp,
        "名录",
        vec![stamp_item("GZ-001", 1, Verdict::Issue)],
    );
    let d = diff(
        None,
        Side {
            snapshot: &new,
            departments: &deps,
        },
        None,
    );
    assert_eq!(d.counts(), (1, 0, 0));
    assert!(d.list.is_empty() && d.departments.is_empty());
}

#[test]
fn list_and_department_changes() {
    let (old_deps, new_deps) = (departments("公安局"), departments("市公安局"));
    let old = snapshot(
        ListKind::Stamp,
        "旧名录",
        vec![stamp_item("GZ-001", 1, Verdict::Refuse)],
    );
    let new = snapshot(
        ListKind::Stamp,
        "新名录",
        vec![stamp_item("GZ-001", 2, Verdict::Refuse)],
    );
    let d = diff(
        Some(Side {
            snapshot: &old,
            departments: &old_deps,
        }),
        Side {
            snapshot: &new,
            departments: &new_deps,
        },
        None,
    );
    assert!(d.items.is_empty());
    assert_eq!(d.list.len(), 1);
    assert_eq!(d.list[0].field, "title");
    assert_eq!(d.departments.len(), 1, "only departments the items name");
    let police = &d.departments[0];
    assert_eq!(
        (police.id.as_str(), police.kind),
        ("police", ChangeKind::Changed)
    );
    assert_eq!(police.fields[0].field, "name");
    assert_eq!(
        police.fields[0].new,
        Some(FieldValue::Text("市公安局".to_owned()))
    );
}

#[test]
fn changes_serialise_in_the_diff_json_format() {
    let deps = departments("公安局");
    let old = snapshot(
        ListKind::Stamp,
        "名录",
        vec![stamp_item("GZ-001", 1, Verdict::Issue)],
    );
    let new = snapshot(
        ListKind::Stamp,
        "名录",
        vec![stamp_item("GZ-001", 2, Verdict::Refuse)],
    );
    let d = compare(&old, &new, &deps);
    let json = serde_json::to_string(&d.items[0].fields).expect("serialises");
    assert_eq!(
        json,
        r#"[{"field":"verdict","old":"issue","new":"refuse"},{"field":"instead","old":null,"new":[{"department":"police","how":"到派出所办理","method":"other_agency"}]}]"#
    );
}

#[test]
fn labels_show_values_in_the_site_language() {
    let deps = departments("公安局");
    let old = snapshot(
        ListKind::Stamp,
        "名录",
        vec![stamp_item("GZ-001", 1, Verdict::Issue)],
    );
    let new = snapshot(
        ListKind::Stamp,
        "名录",
        vec![stamp_item("GZ-001", 2, Verdict::Refuse)],
    );
    let d = compare(&old, &new, &deps);
    let labels = Labels::new(Language::ZhCn);
    let fields = &d.items[0].fields;
    assert_eq!(labels.field(&fields[0]), "社区能否出具");
    assert_eq!(
        labels.change(&fields[0], &d.department_names),
        ("可出具".to_owned(), "不予出具".to_owned())
    );
    assert_eq!(
        labels.change(&fields[1], &d.department_names),
        (
            "（无）".to_owned(),
            "到其他部门办理：公安局——到派出所办理".to_owned()
        )
    );
}

/// The diff walks both snapshots' items at once (in id order: by length,
/// then by text): ids on either side only, interleaved, of other lengths,
/// and at either end, come out once each, in id order, with their kind.
#[test]
fn ids_on_one_side_or_both_come_out_once_each_in_id_order() {
    let deps = departments("公安局");
    let items = |ids: &[&str], verdict| -> Vec<Item> {
        ids.iter().map(|id| stamp_item(id, 1, verdict)).collect()
    };
    let old = snapshot(
        ListKind::Stamp,
        "名录",
        items(
            &["GZ-1", "GZ-3", "GZ-02", "GZ-05", "GZ-100"],
            Verdict::Issue,
        ),
    );
    let mut new_items = items(&["GZ-2", "GZ-3", "GZ-05", "GZ-07"], Verdict::Issue);
    new_items[1] = stamp_item("GZ-3", 1, Verdict::Refuse);
    new_items.push(stamp_item("GZ-1000", 1, Verdict::Issue));
    let new = snapshot(ListKind::Stamp, "名录", new_items);
    let kinds: Vec<(String, ChangeKind)> = compare(&old, &new, &deps)
        .items
        .into_iter()
        .map(|c| (c.id, c.kind))
        .collect();
    let expected = [
        ("GZ-1", ChangeKind::Removed),
        ("GZ-2", ChangeKind::Added),
        ("GZ-3", ChangeKind::Changed),
        ("GZ-02", ChangeKind::Removed),
        ("GZ-07", ChangeKind::Added),
        ("GZ-100", ChangeKind::Removed),
        ("GZ-1000", ChangeKind::Added),
    ];
    let expected: Vec<(String, ChangeKind)> = expected
        .iter()
        .map(|(id, k)| ((*id).to_owned(), *k))
        .collect();
    assert_eq!(kinds, expected);
}
