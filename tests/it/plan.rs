//! The build plan, asked directly: which pages exist, where they are written,
//! and which pages one changed file affects.

use std::collections::BTreeSet;
use std::path::Path;

use minglu::history::SiteHistory;
use minglu::model::Site;
use minglu::plan::{Change, PageId, Plan, PlanOptions, ScopeKind};

use crate::support::{EPOCH, SiteTest, tree};

fn today() -> jiff::civil::Date {
    let seconds: i64 = EPOCH.parse().expect("epoch");
    jiff::tz::Offset::constant(8)
        .to_datetime(jiff::Timestamp::from_second(seconds).expect("timestamp"))
        .date()
}

/// The bundled example, loaded and checked.
fn example() -> Site {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (site, diagnostics) = minglu::load_valid(root, today()).expect("the example is valid");
    assert!(!diagnostics.has_errors());
    site
}

fn options(drafts: bool) -> PlanOptions {
    PlanOptions {
        today: today(),
        base_url: None,
        drafts,
        program: String::new(),
        previous: std::collections::BTreeMap::new(),
    }
}

/// Every affected page as `draft/stamp/GZ-013/`-style paths.
fn affected(plan: &Plan<'_>, change: &Change) -> BTreeSet<String> {
    plan.affected_by(change)
        .into_iter()
        .map(|p| plan.site_path(p))
        .collect()
}

#[test]
fn a_working_copy_item_affects_exactly_its_draft_pages() {
    let site = example();
    let history = SiteHistory::new(&site, today());
    let plan = Plan::new(&site, &history, &options(true));
    let stamp = site.register("stamp").expect("stamp register");
    assert!(
        !stamp.editions.is_empty(),
        "the example's stamp register has editions, so its working copy is draft-only"
    );
    let item = stamp
        .working
        .item("GZ-013")
        .expect("GZ-013 in the working copy");
    // Expected from the item's own fields, not from the plan.
    let mut want: BTreeSet<String> = [
        "draft/",
        "draft/stamp/",
        "draft/stamp/GZ-013/",
        "draft/departments/",
        "draft/purposes/",
    ]
    .map(str::to_owned)
    .into();
    for d in item.department_refs() {
        want.insert(format!("draft/departments/{}/", d.value));
    }
    let draft = plan.draft.as_ref().expect("draft scope");
    for p in &item.purposes {
        want.insert(format!(
            "draft/purposes/{}/",
            draft.purpose_slugs[p.as_str()]
        ));
    }
    assert!(want.contains("draft/departments/police/"), "{want:?}");
    assert!(want.contains("draft/purposes/gongzheng/"), "{want:?}");

    let got = affected(
        &plan,
        &Change::Modified("content/lists/stamp/items/GZ-013.yaml".to_owned()),
    );
    assert_eq!(got, want);
    assert!(
        got.iter().all(|p| p.starts_with("draft/")),
        "a working copy must not reach public pages: {got:?}"
    );
}

#[test]
fn without_drafts_a_working_copy_item_affects_nothing() {
    let site = example();
    let history = SiteHistory::new(&site, today());
    let plan = Plan::new(&site, &history, &options(false));
    let change = Change::Modified("content/lists/stamp/items/GZ-013.yaml".to_owned());
    assert_eq!(affected(&plan, &change), BTreeSet::new());
}

#[test]
fn a_new_working_item_affects_every_draft_page_that_counts_the_register() {
    let site = example();
    let history = SiteHistory::new(&site, today());
    let plan = Plan::new(&site, &history, &options(true));
    let got = affected(
        &plan,
        &Change::Added("content/lists/stamp/items/GZ-999.yaml".to_owned()),
    );
    // Every draft stamp item page shows the register's item count.
    assert!(got.contains("draft/stamp/GZ-001/"), "{got:?}");
    assert!(got.contains("draft/stamp/"), "{got:?}");
    assert!(!got.contains("draft/work/"), "{got:?}");
    assert!(got.iter().all(|p| p.starts_with("draft/")), "{got:?}");
}

#[test]
fn a_frozen_item_affects_public_and_frozen_pages_of_its_register() {
    let site = example();
    let history = SiteHistory::new(&site, today());
    let plan = Plan::new(&site, &history, &options(false));
    let got = affected(
        &plan,
        &Change::Modified("content/lists/stamp/editions/2020/items/GZ-013.yaml".to_owned()),
    );
    for page in [
        "stamp/GZ-013/",
        "stamp/editions/2020/GZ-013/",
        "stamp/editions/2015/",
        "stamp/",
        "",
    ] {
        assert!(got.contains(page), "{page} missing from {got:?}");
    }
}

#[test]
fn pages_have_named_identities_and_unique_files_that_the_build_writes() {
    let site = example();
    let history = SiteHistory::new(&site, today());
    let plan = Plan::new(&site, &history, &options(true));
    let item = PageId::Item {
        register: "stamp",
        item: "GZ-013",
    };
    let page = plan.page(ScopeKind::Draft, &item).expect("draft GZ-013");
    assert_eq!(plan.output_file(page), "draft/stamp/GZ-013/index.html");
    let frozen = PageId::Frozen {
        register: "stamp",
        edition: "2015",
        item: "GZ-013",
    };
    assert!(plan.page(ScopeKind::Public, &frozen).is_some());
    assert!(plan.page(ScopeKind::Draft, &frozen).is_none());

    let files: Vec<String> = plan.pages.iter().map(|p| plan.output_file(p)).collect();
    let unique: BTreeSet<&String> = files.iter().collect();
    assert_eq!(unique.len(), files.len(), "two pages share an output file");

    let out = SiteTest::empty("plan-output");
    let example = SiteTest::empty("plan-example");
    crate::support::copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("content"),
        &example.root.join("content"),
    );
    example
        .run(&[
            "build",
            "--drafts",
            "--quiet",
            "--output",
            out.root.to_str().expect("utf-8 path"),
        ])
        .success();
    let written: BTreeSet<String> = tree(&out.root)
        .into_iter()
        .map(|(path, _)| path)
        .filter(|path| !path.starts_with("assets/"))
        .collect();
    let planned: BTreeSet<String> = files.into_iter().collect();
    assert_eq!(written, planned);
}

/// Builds `site` with drafts and returns its output files.
fn build_tree(site: &SiteTest, label: &str) -> std::collections::BTreeMap<String, Vec<u8>> {
    let out = SiteTest::empty(label);
    site.run(&[
        "build",
        "--drafts",
        "--quiet",
        "--output",
        out.root.to_str().expect("utf-8 path"),
    ])
    .success();
    tree(&out.root).into_iter().collect()
}

/// Edits a file of a copy of the example, rebuilds, and checks that every
/// output file that changed belongs to a page the plans (before and after)
/// say the change affects.
fn changed_files_are_affected_pages(file: &str, edit: impl Fn(&str) -> String) {
    let site = SiteTest::empty("plan-edit");
    crate::support::copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("content"),
        &site.root.join("content"),
    );
    let before = build_tree(&site, "plan-before");
    let (old_site, _) = minglu::load_valid(&site.root, today()).expect("valid before");
    site.write(file, edit(&site.read(file)));
    let after = build_tree(&site, "plan-after");
    let (new_site, _) = minglu::load_valid(&site.root, today()).expect("valid after");
    let change = Change::Modified(file.to_owned());
    let mut allowed = BTreeSet::new();
    for s in [&old_site, &new_site] {
        let history = SiteHistory::new(s, today());
        let plan = Plan::new(s, &history, &options(true));
        allowed.extend(
            plan.affected_by(&change)
                .into_iter()
                .map(|p| plan.output_file(p)),
        );
    }
    let changed: BTreeSet<&String> = before
        .iter()
        .filter(|(path, bytes)| after.get(*path) != Some(*bytes))
        .map(|(path, _)| path)
        .collect();
    assert!(!changed.is_empty(), "the edit of {file} changed no page");
    let missed: Vec<&&String> = changed.iter().filter(|p| !allowed.contains(**p)).collect();
    assert!(
        missed.is_empty(),
        "pages changed that the plan does not list as affected: {missed:?}"
    );
}

#[test]
fn the_plan_lists_every_page_an_item_edit_changes() {
    changed_files_are_affected_pages("content/lists/stamp/items/GZ-013.yaml", |text| {
        text.replace("title: 亲属关系证明", "title: 亲属关系证明（试）")
            .replace("departments: [police, notary]", "departments: [notary]")
    });
}

#[test]
fn the_plan_lists_every_page_a_department_edit_changes() {
    changed_files_are_affected_pages("content/departments.yaml", |text| {
        text.replacen("name: ", "name: 改名后的", 1)
    });
}

#[test]
fn the_plan_lists_every_page_a_site_config_edit_changes() {
    changed_files_are_affected_pages("content/site.yaml", |text| {
        text.replacen("title: ", "title: 新", 1)
    });
}
