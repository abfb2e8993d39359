//! The build plan, asked directly: which pages exist, where they are written,
//! and which pages one changed file affects.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use minglu::history::SiteHistory;
use minglu::model::Site;
use minglu::plan::{Change, IndexId, PageId, Plan, PlanOptions, ScopeKind};

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
        // Static assets come from the theme, the marker from the output writer.
        .filter(|path| !path.starts_with("assets/") && path != minglu::output::MARKER)
        .collect();
    // Every written file is a planned page's, or lies in a planned search index.
    let folders: Vec<String> = plan.indexes().iter().map(IndexId::folder).collect();
    let (in_indexes, pages): (BTreeSet<String>, BTreeSet<String>) = written
        .into_iter()
        .partition(|path| folders.iter().any(|f| path.starts_with(f.as_str())));
    let planned: BTreeSet<String> = files.into_iter().collect();
    assert_eq!(pages, planned);
    for folder in &folders {
        assert!(
            in_indexes.contains(&format!("{folder}manifest.json")),
            "planned index {folder} was not written"
        );
    }
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

/// Changes a copy of the example (`edit` returns the change), rebuilds, and
/// checks the plans' answer against the real outputs: every output file that
/// changed or appeared belongs to a page [`Plan::rebuild_since`] lists, and the
/// files that disappeared are exactly [`Plan::outputs_removed_since`].
fn rebuild_matches_the_plan(local: bool, edit: impl Fn(&SiteTest) -> Change) {
    let site = SiteTest::empty("plan-edit");
    crate::support::copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("content"),
        &site.root.join("content"),
    );
    let before = build_tree(&site, "plan-before");
    let (old_site, _) = minglu::load_valid(&site.root, today()).expect("valid before");
    let change = edit(&site);
    let after = build_tree(&site, "plan-after");
    let (new_site, _) = minglu::load_valid(&site.root, today()).expect("valid after");
    let old_history = SiteHistory::new(&old_site, today());
    let old_plan = Plan::new(&old_site, &old_history, &options(true));
    let new_history = SiteHistory::new(&new_site, today());
    let new_plan = Plan::new(&new_site, &new_history, &options(true));
    let old_footprint = old_plan.footprint();
    let edits = [change.clone()];
    let (rebuild, next_footprint) = new_plan.rebuild_since(&old_footprint, &edits);
    let rebuild: BTreeSet<String> = rebuild
        .into_iter()
        .map(|p| new_plan.output_file(p))
        .collect();
    // Pages whose inputs did not change keep the ones found before: the same
    // as finding them again.
    assert!(
        next_footprint == new_plan.footprint(),
        "the footprint after {change:?} differs from a fresh one"
    );
    // Search index files belong to the indexes the plan says to build again.
    let old_indexes: Vec<String> = old_plan.indexes().iter().map(IndexId::folder).collect();
    let new_indexes: Vec<String> = new_plan.indexes().iter().map(IndexId::folder).collect();
    let rebuilt_indexes: Vec<String> = new_plan
        .indexes_since(&old_footprint, &edits)
        .iter()
        .map(IndexId::folder)
        .collect();
    let between: Vec<String> = new_plan
        .indexes_between(&old_footprint, &next_footprint, &edits)
        .iter()
        .map(IndexId::folder)
        .collect();
    assert_eq!(between, rebuilt_indexes, "indexes from the footprints");
    let removed_indexes = new_plan.index_folders_removed_since(&old_footprint);
    let in_any =
        |folders: &[String], path: &str| folders.iter().any(|f| path.starts_with(f.as_str()));
    let changed_index_files: Vec<&String> = after
        .iter()
        .filter(|(path, bytes)| in_any(&new_indexes, path) && before.get(*path) != Some(*bytes))
        .map(|(path, _)| path)
        .filter(|path| !in_any(&rebuilt_indexes, path))
        .collect();
    assert!(
        changed_index_files.is_empty(),
        "index files changed that the plan does not rebuild after {change:?}: {changed_index_files:?}"
    );
    for path in before
        .keys()
        .filter(|p| in_any(&old_indexes, p) && !after.contains_key(*p))
    {
        assert!(
            in_any(&rebuilt_indexes, path) || in_any(&removed_indexes, path),
            "{path} disappeared, but its index is neither rebuilt nor removed"
        );
    }
    let (before, after): (BTreeMap<_, _>, BTreeMap<_, _>) = (
        before
            .into_iter()
            .filter(|(p, _)| !in_any(&old_indexes, p))
            .collect(),
        after
            .into_iter()
            .filter(|(p, _)| !in_any(&new_indexes, p))
            .collect(),
    );
    let changed: BTreeSet<&String> = after
        .iter()
        .filter(|(path, bytes)| before.get(*path) != Some(*bytes))
        .map(|(path, _)| path)
        .collect();
    assert!(!changed.is_empty(), "{change:?} changed no page");
    let missed: Vec<&&String> = changed.iter().filter(|p| !rebuild.contains(**p)).collect();
    assert!(
        missed.is_empty(),
        "pages changed that the plan does not rebuild after {change:?}: {missed:?}"
    );
    let gone: BTreeSet<String> = before
        .keys()
        .filter(|path| !after.contains_key(*path))
        .cloned()
        .collect();
    let removed: BTreeSet<String> = new_plan
        .outputs_removed_since(&old_footprint)
        .into_iter()
        .collect();
    assert_eq!(gone, removed);
    assert!(
        !local || rebuild.len() < new_plan.pages.len() / 4,
        "{change:?} rebuilds {} of {} pages",
        rebuild.len(),
        new_plan.pages.len()
    );
}

/// Rewrites a file of the site and returns the change.
fn modify(site: &SiteTest, file: &str, edit: impl Fn(&str) -> String) -> Change {
    site.write(file, edit(&site.read(file)));
    Change::Modified(file.to_owned())
}

#[test]
fn the_plan_rebuilds_every_page_an_item_edit_changes() {
    rebuild_matches_the_plan(true, |site| {
        modify(site, "content/lists/stamp/items/GZ-013.yaml", |text| {
            text.replace("title: 亲属关系证明", "title: 亲属关系证明（试）")
                .replace("departments: [police, notary]", "departments: [notary]")
        })
    });
}

#[test]
fn the_plan_rebuilds_the_pages_whose_text_a_changed_title_starts_or_stops_matching() {
    // GZ-013's body mentions 死亡证明 (GZ-016's title); GZ-007's summary
    // holds 征兵政治考核, no item's title yet. After the edit GZ-013 no longer
    // mentions GZ-016 and GZ-007 does, though GZ-007's inputs did not change.
    rebuild_matches_the_plan(true, |site| {
        modify(site, "content/lists/stamp/items/GZ-016.yaml", |text| {
            text.replace("title: 死亡证明", "title: 征兵政治考核")
        })
    });
}

#[test]
fn the_plan_rebuilds_the_pages_of_a_new_purpose() {
    rebuild_matches_the_plan(true, |site| {
        modify(site, "content/lists/stamp/items/GZ-013.yaml", |text| {
            text.replace(
                "purposes: [继承, 公证, 出国]",
                "purposes: [继承, 公证, 出国, 认亲]",
            )
        })
    });
}

#[test]
fn the_plan_rebuilds_and_removes_pages_when_an_item_is_deleted() {
    rebuild_matches_the_plan(true, |site| {
        let file = "content/lists/stamp/items/GZ-013.yaml";
        std::fs::remove_file(site.root.join(file)).expect("remove item");
        Change::Removed(file.to_owned())
    });
}

#[test]
fn the_plan_rebuilds_every_page_a_department_edit_changes() {
    rebuild_matches_the_plan(false, |site| {
        modify(site, "content/departments.yaml", |text| {
            text.replacen("name: ", "name: 改名后的", 1)
        })
    });
}

#[test]
fn the_plan_rebuilds_every_page_a_site_config_edit_changes() {
    rebuild_matches_the_plan(false, |site| {
        modify(site, "content/site.yaml", |text| {
            text.replacen("title: ", "title: 新", 1)
        })
    });
}

#[test]
fn the_plan_rebuilds_the_pages_of_a_purpose_renamed_as_many_pages_as_before() {
    // 保险理赔 is GZ-022's alone in the working copy: its draft page goes and
    // 车险理赔's comes, so the plan has as many pages, one of them new (the
    // footprint cannot keep the output files it had).
    rebuild_matches_the_plan(true, |site| {
        modify(site, "content/lists/stamp/items/GZ-022.yaml", |text| {
            text.replace("purposes: [保险理赔,", "purposes: [车险理赔,")
        })
    });
}

#[test]
fn the_plan_rebuilds_the_pages_a_renamed_purpose_slug_changes() {
    // 乳穴 sorts before 入学 and has the same pinyin, so 入学 loses `ruxue`.
    rebuild_matches_the_plan(false, |site| {
        modify(site, "content/lists/stamp/items/GZ-013.yaml", |text| {
            text.replace(
                "purposes: [继承, 公证, 出国]",
                "purposes: [继承, 公证, 出国, 乳穴]",
            )
        })
    });
}

#[test]
fn a_working_copy_edit_rebuilds_only_the_draft_search_index() {
    let site = example();
    let history = SiteHistory::new(&site, today());
    let plan = Plan::new(&site, &history, &options(true));
    let footprint = plan.footprint();
    let change = Change::Modified("content/lists/stamp/items/GZ-013.yaml".to_owned());
    let rebuilt: Vec<String> = plan
        .indexes_since(&footprint, &[change])
        .iter()
        .map(IndexId::folder)
        .collect();
    assert_eq!(rebuilt, ["draft/search/index/"]);
    let frozen = Change::Modified("content/lists/stamp/editions/2020/items/GZ-013.yaml".to_owned());
    let rebuilt: Vec<String> = plan
        .indexes_since(&footprint, &[frozen])
        .iter()
        .map(IndexId::folder)
        .collect();
    assert_eq!(rebuilt, ["search/index/", "search/e/stamp/2020/"]);
    assert!(plan.indexes().len() > 3, "one index per frozen edition too");
}

#[test]
fn a_frozen_item_affects_the_data_files_that_show_it_and_the_catalogue() {
    let site = example();
    let history = SiteHistory::new(&site, today());
    let plan = Plan::new(&site, &history, &options(false));
    let got = affected(
        &plan,
        &Change::Modified("content/lists/stamp/editions/2020/items/GZ-013.yaml".to_owned()),
    );
    for file in [
        "data/stamp/2020.json",
        "data/stamp/2020.csv",
        "data/stamp.json",
        "data/stamp.changes.csv",
        "data/index.json",
        "data/",
    ] {
        assert!(got.contains(file), "{file} missing from {got:?}");
    }
    // Data files are never carried over: every build writes them.
    assert!(
        plan.pages
            .iter()
            .filter(|p| matches!(p.id, PageId::Data(_)))
            .all(|p| !p.reused)
    );
}

/// Every register's diffs, for comparing two histories.
fn diffs(history: &SiteHistory<'_>) -> Vec<Vec<minglu::history::Diff>> {
    history.registers.iter().map(|h| h.diffs.to_vec()).collect()
}

#[test]
fn a_history_memo_gives_the_same_diffs_as_computing_them_afresh() {
    let site = example();
    let fresh = diffs(&SiteHistory::new(&site, today()));
    assert!(
        fresh.iter().any(|d| d.len() > 1),
        "the example has editions"
    );
    let mut memo = minglu::history::Memo::default();
    let first = diffs(&SiteHistory::new_with(&site, today(), &mut memo));
    assert_eq!(first, fresh);
    // The same editions again: the memo's diffs.
    let again = diffs(&SiteHistory::new_with(&site, today(), &mut memo));
    assert_eq!(again, fresh);
    // Another load (other editions in memory), one edition edited: computed again.
    let mut other = example();
    let register = other
        .registers
        .iter_mut()
        .find(|r| r.editions.len() > 1)
        .expect("a register with two editions");
    let newest = std::sync::Arc::make_mut(register.editions.last_mut().expect("an edition"));
    newest.snapshot.items[0].title.value.push_str("（改）");
    let expected = diffs(&SiteHistory::new(&other, today()));
    assert_ne!(expected, fresh, "an edited edition shows in the diffs");
    assert_eq!(
        diffs(&SiteHistory::new_with(&other, today(), &mut memo)),
        expected
    );
    // And back to the first site.
    assert_eq!(
        diffs(&SiteHistory::new_with(&site, today(), &mut memo)),
        fresh
    );
}

#[test]
fn items_are_found_by_id_across_id_lengths() {
    // Items are ordered naturally (GZ-999 before GZ-1000); finding one by id
    // must follow the same order, or longer ids go missing.
    let site = SiteTest::empty("plan-id-lengths");
    crate::support::copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("content"),
        &site.root.join("content"),
    );
    let item = site.read("content/lists/stamp/items/GZ-001.yaml");
    for n in 990..1040 {
        let id = format!("GZ-{n}");
        site.write(
            &format!("content/lists/stamp/items/{id}.yaml"),
            item.replace("居民在本社区居住情况证明", &format!("居住情况证明{id}")),
        );
    }
    let (loaded, _) = minglu::load_valid(&site.root, today()).expect("valid");
    let snapshot = &loaded.register("stamp").expect("stamp").working;
    assert!(snapshot.items.len() > 20);
    for item in &snapshot.items {
        assert_eq!(
            snapshot.item(&item.id).map(|i| &i.id),
            Some(&item.id),
            "{} not found by id",
            item.id
        );
    }
    assert!(snapshot.item("GZ-0010").is_none());
}

#[test]
fn the_public_scope_found_from_first_namers_equals_one_found_from_every_item() {
    let site = example();
    let history = SiteHistory::new(&site, today());
    let plan = Plan::new(&site, &history, &options(false));
    let every = minglu::plan::Scope::public(
        minglu::plan::publish::published(&site, &history, today()),
        &site,
    );
    assert!(!every.departments.is_empty() && !every.purpose_slugs.is_empty());
    assert_eq!(plan.public.purpose_slugs, every.purpose_slugs);
    let ids = |s: &minglu::plan::Scope<'_>| -> Vec<(String, String)> {
        s.departments
            .iter()
            .map(|(id, d)| ((*id).to_owned(), format!("{d:?}")))
            .collect()
    };
    assert_eq!(ids(&plan.public), ids(&every));
}

#[test]
fn every_page_is_found_by_its_identity() {
    let site = example();
    let history = SiteHistory::new(&site, today());
    let plan = Plan::new(&site, &history, &options(true));
    assert!(
        plan.pages
            .iter()
            .any(|p| matches!(p.id, PageId::Frozen { .. }))
    );
    for page in &plan.pages {
        assert_eq!(plan.page(page.scope, &page.id), Some(page), "{page:?}");
    }
    let missing = PageId::Frozen {
        register: "stamp",
        edition: "2015",
        item: "GZ-0013",
    };
    assert!(plan.page(ScopeKind::Public, &missing).is_none());
}

#[test]
fn footprints_that_carry_frozen_outputs_over_equal_fresh_ones() {
    let site = example();
    let history = SiteHistory::new(&site, today());
    let first = Plan::new(&site, &history, &options(true));
    let none = first.footprint();
    let carrying = PlanOptions {
        previous: first.reuse.fingerprints.clone(),
        ..options(true)
    };
    let second = Plan::new(&site, &history, &carrying);
    assert!(
        !second.reuse.registers.is_empty(),
        "frozen pages carried over"
    );
    let (_, carried) = second.rebuild_since(&none, &[]);
    assert!(carried == second.footprint());
    // The next footprint shares the carried outputs; still equal to a fresh one.
    let (_, again) = second.rebuild_since(&carried, &[]);
    assert!(again == second.footprint());
    // The same outputs, carried or not.
    assert!(Plan::outputs_removed_between(&none, &again).is_empty());
    assert!(Plan::outputs_removed_between(&again, &none).is_empty());
    // A frozen item gone (and the edition sealed again): its page is removed,
    // whether the footprint before carried it or not.
    let mut other = example();
    let register = other.registers.iter_mut().find(|r| r.key == "stamp");
    let edition = register
        .and_then(|r| r.editions.first_mut())
        .expect("a stamp edition");
    let edition = std::sync::Arc::make_mut(edition);
    let gone = edition.snapshot.items.remove(0);
    edition.seal.push('0');
    let file = format!("stamp/editions/{}/{}/index.html", edition.id, gone.id);
    let other_history = SiteHistory::new(&other, today());
    let third = Plan::new(&other, &other_history, &carrying);
    let (_, after) = third.rebuild_since(&again, &[]);
    assert!(after == third.footprint());
    for before in [&none, &again] {
        let removed = Plan::outputs_removed_between(before, &after);
        assert_eq!(removed, vec![file.clone()]);
        assert_eq!(third.outputs_removed_since(before), removed);
    }
}

#[test]
fn a_memoised_pending_diff_is_used_only_while_it_holds() {
    let pending = |h: &SiteHistory<'_>| -> Vec<minglu::history::Diff> {
        h.registers.iter().map(|r| (*r.pending).clone()).collect()
    };
    let site = example();
    let fresh = pending(&SiteHistory::new(&site, today()));
    assert!(fresh.iter().any(|d| !d.items.is_empty()), "pending changes");
    let mut memo = minglu::history::Memo::default();
    assert_eq!(
        pending(&SiteHistory::new_with(&site, today(), &mut memo)),
        fresh
    );
    assert_eq!(
        pending(&SiteHistory::new_with(&site, today(), &mut memo)),
        fresh
    );
    // One working item edited: that register's diff changes, the others' hold.
    let mut other = example();
    other.registers[0].working.items[0]
        .title
        .value
        .push_str("（改）");
    let expected = pending(&SiteHistory::new(&other, today()));
    assert_ne!(expected[0], fresh[0]);
    assert_eq!(expected[1..], fresh[1..]);
    assert_eq!(
        pending(&SiteHistory::new_with(&other, today(), &mut memo)),
        expected
    );
    // A longer title moves every later field of its file: the diff is still
    // brought up to date item by item.
    let item = &mut *other.registers[0].working.items[0];
    item.title.value.push_str("（再改）");
    for d in item.departments.iter_mut().chain(item.replaces.iter_mut()) {
        d.span.start += 12;
        d.span.end += 12;
        d.span.col += 4;
    }
    assert!(!item.departments.is_empty(), "an item naming a department");
    assert_eq!(
        pending(&SiteHistory::new_with(&other, today(), &mut memo)),
        pending(&SiteHistory::new(&other, today()))
    );
    assert_eq!(
        memo.refreshed(),
        other.registers.len(),
        "spans moved, values the same"
    );
    // Edited again: its change in the memo's diff is replaced.
    other.registers[0].working.items[0].summary = Some("又改".to_owned());
    assert_eq!(
        pending(&SiteHistory::new_with(&other, today(), &mut memo)),
        pending(&SiteHistory::new(&other, today()))
    );
    // The site's departments edited: every diff is found again.
    let mut renamed = example();
    if let Some(d) = renamed.departments.values_mut().next() {
        d.name.push_str("（新）");
    }
    assert_eq!(
        pending(&SiteHistory::new_with(&renamed, today(), &mut memo)),
        pending(&SiteHistory::new(&renamed, today()))
    );
    assert_eq!(
        pending(&SiteHistory::new_with(&site, today(), &mut memo)),
        fresh
    );
}

/// One edit of a chain: what it does to the example (applied after every
/// edit before it), the changes a watcher reports for it, and whether the
/// footprint can be updated in place.
type Edit = (fn(&mut Site) -> Vec<Change>, bool);

fn item_path(site: &Site, register: usize, item: usize) -> String {
    let file = site.registers[register].working.items[item].file;
    site.files.path(file).to_owned()
}

fn edit_title(site: &mut Site) -> Vec<Change> {
    site.registers[0].working.items[0]
        .title
        .value
        .push_str("（改）");
    vec![Change::Modified(item_path(site, 0, 0))]
}

fn edit_summary(site: &mut Site) -> Vec<Change> {
    site.registers[1].working.items[2].summary = Some("改了一句话".to_owned());
    vec![Change::Modified(item_path(site, 1, 2))]
}

/// Gives an item a purpose another item has: no new page.
fn add_known_purpose(site: &mut Site) -> Vec<Change> {
    let known = site.registers[0].working.items[0].purposes[0].clone();
    let item = &mut site.registers[0].working.items[3];
    if !item.purposes.contains(&known) {
        item.purposes.push(known);
    }
    vec![Change::Modified(item_path(site, 0, 3))]
}

/// Renames an item's purposes to one no item has: a new purpose page.
fn rename_purpose(site: &mut Site) -> Vec<Change> {
    site.registers[0].working.items[3].purposes = vec!["全新用途".to_owned()];
    vec![Change::Modified(item_path(site, 0, 3))]
}

/// A new department in departments.yaml, named by an item.
fn new_department(site: &mut Site) -> Vec<Change> {
    let mut department = site
        .departments
        .values()
        .next()
        .expect("a department")
        .clone();
    "新设部门".clone_into(&mut department.name);
    site.departments.insert("newdept".to_owned(), department);
    let item = &mut site.registers[1].working.items[0];
    let mut named = item.departments[0].clone();
    "newdept".clone_into(&mut named.value);
    item.departments.push(named);
    vec![
        Change::Modified("content/departments.yaml".to_owned()),
        Change::Modified(item_path(site, 1, 0)),
    ]
}

/// No working item names the department the first item names any more:
/// its `/draft/` page goes.
fn drop_department(site: &mut Site) -> Vec<Change> {
    let gone = site.registers[0].working.items[0].departments[0]
        .value
        .clone();
    let mut changes = Vec::new();
    for (r, register) in site.registers.iter_mut().enumerate() {
        for (i, item) in register.working.items.iter_mut().enumerate() {
            let before = item.department_refs().count();
            item.departments.retain(|d| d.value != gone);
            if let minglu::model::Details::Stamp(stamp) = &mut item.details {
                for way in &mut stamp.instead {
                    way.department.take_if(|d| d.value == gone);
                }
            }
            if item.department_refs().count() != before {
                changes.push((r, i));
            }
        }
    }
    changes
        .into_iter()
        .map(|(r, i)| Change::Modified(item_path(site, r, i)))
        .collect()
}

fn delete_item(site: &mut Site) -> Vec<Change> {
    let path = item_path(site, 1, 4);
    site.registers[1].working.items.remove(4);
    vec![Change::Removed(path)]
}

fn edit_list(site: &mut Site) -> Vec<Change> {
    let list = &mut site.registers[2].working.list;
    list.title.push_str("（修订）");
    vec![Change::Modified(site.files.path(list.file).to_owned())]
}

#[test]
fn a_footprint_updated_in_place_equals_a_fresh_one_after_every_edit() {
    let edits: [Edit; 14] = [
        (edit_title, true),
        (edit_title, true),
        (edit_summary, true),
        (add_known_purpose, true),
        (edit_title, true),
        (rename_purpose, false),
        (edit_title, true),
        (new_department, false),
        (delete_item, false),
        (edit_title, true),
        (edit_list, false),
        (edit_title, true),
        (drop_department, false),
        (edit_title, true),
    ];
    let mut footprint = None;
    for n in 0..=edits.len() {
        let mut site = example();
        let mut changes = Vec::new();
        for (edit, _) in &edits[..n] {
            changes = edit(&mut site);
        }
        let history = SiteHistory::new(&site, today());
        let plan = Plan::new(&site, &history, &options(true));
        let fresh = plan.footprint();
        let Some(before) = footprint.take() else {
            footprint = Some(fresh);
            continue;
        };
        let mut long_way = minglu::plan::Footprint::clone(&before);
        long_way.retain(|_| true);
        let (again, next) = plan.rebuild_since(&before, &changes);
        let (again_long, next_long) = plan.rebuild_since(&long_way, &changes);
        assert_eq!(next.in_place(), edits[n - 1].1, "edit {n}: {changes:?}");
        assert!(!next_long.in_place());
        assert!(
            next == fresh,
            "edit {n}: the footprint differs from a fresh one"
        );
        assert!(next_long == fresh, "edit {n}: the long way");
        let paths = |pages: Vec<&minglu::plan::PlannedPage<'_>>| -> BTreeSet<String> {
            pages.into_iter().map(|p| plan.site_path(p)).collect()
        };
        let again = paths(again);
        assert_eq!(again, paths(again_long), "edit {n}: pages to render");
        assert!(!again.is_empty(), "edit {n}");
        footprint = Some(next);
    }
}
