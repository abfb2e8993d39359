//! Search: the shared tokenizer vectors, citizen questions against the bundled
//! example, and what the built indexes contain.

use std::fs;
use std::io::Read as _;
use std::path::Path;

use minglu::search::{self, Index, rank, tokenize};
use serde_json::Value;

use crate::support::{SiteTest, copy_dir, fixtures};

fn json(path: &str) -> Value {
    let text = fs::read_to_string(fixtures().join(path)).expect("fixture");
    serde_json::from_str(&text).expect("valid JSON")
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|s| s.as_str().expect("string").to_owned())
        .collect()
}

#[test]
fn tokenizer_vectors() {
    let v = json("search/tokenizer.json");
    let mut failures = Vec::new();
    for case in v["tokenize"].as_array().expect("tokenize") {
        let input = case["input"].as_str().expect("input");
        let got = tokenize::token_texts(input);
        if got != strings(&case["tokens"]) {
            failures.push(format!("tokenize {input:?}: got {got:?}"));
        }
    }
    for case in v["analyze"].as_array().expect("analyze") {
        let input = case["input"].as_str().expect("input");
        let q = tokenize::analyze(input);
        let got: Vec<Value> = q
            .tokens
            .iter()
            .map(|t| serde_json::json!([t.text, t.weight]))
            .collect();
        let want: Vec<Value> = case["tokens"]
            .as_array()
            .expect("tokens")
            .iter()
            .map(|t| serde_json::json!([t[0], t[1].as_f64().expect("weight")]))
            .collect();
        if got != want || q.exact != strings(&case["exact"]) {
            failures.push(format!(
                "analyze {input:?}: got {got:?} exact {:?}",
                q.exact
            ));
        }
    }
    for case in v["hash"].as_array().expect("hash") {
        let input = case["input"].as_str().expect("input");
        if u64::from(tokenize::hash(input)) != case["hash"].as_u64().expect("hash") {
            failures.push(format!("hash {input:?}: got {}", tokenize::hash(input)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The bundled example and the options to plan it on a fixed day.
fn example(drafts: bool) -> (minglu::model::Site, minglu::plan::PlanOptions) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let today = jiff::civil::date(2025, 11, 24);
    let (site, _) = minglu::load_valid(root, today).expect("the example loads");
    let options = minglu::plan::PlanOptions {
        today,
        base_url: None,
        drafts,
        program: String::new(),
        previous: std::collections::BTreeMap::new(),
    };
    (site, options)
}

/// The public index of the bundled example, built in memory from the model.
fn example_index() -> Index {
    let (site, options) = example(false);
    let history = minglu::history::SiteHistory::new(&site, options.today);
    let plan = minglu::plan::Plan::new(&site, &history, &options);
    let (dir, docs) = search::collect::indexes(&plan)
        .into_iter()
        .next()
        .expect("a public index");
    assert_eq!(dir, "search/index/");
    Index::build(docs)
}

fn ranking(index: &Index, q: &str) -> Vec<String> {
    rank::rank(index, q)
        .iter()
        .map(|h| {
            let d = &index.docs[h.ord as usize];
            format!("{} {} ({:.1})", d.id, d.title, h.score)
        })
        .collect()
}

#[test]
fn citizen_questions_find_the_answer_first() {
    let index = example_index();
    let v = json("search/questions.json");
    let questions = v["questions"].as_array().expect("questions");
    assert!(questions.len() >= 40);
    let mut failures = Vec::new();
    for case in questions {
        let q = case["q"].as_str().expect("q");
        let want = case["first"].as_str().expect("first");
        let got = ranking(&index, q);
        if !got
            .first()
            .is_some_and(|f| f.starts_with(&format!("{want} ")))
        {
            let top: Vec<&String> = got.iter().take(5).collect();
            failures.push(format!("{q:?}: want {want} first, got {top:#?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} questions failed:\n{}",
        failures.len(),
        questions.len(),
        failures.join("\n")
    );
}

#[test]
fn withdrawn_items_are_findable_with_their_successor_and_working_copy_items_are_not() {
    let index = example_index();
    let top = &index.docs[rank::rank(&index, "居民家庭收入及财产情况证明")[0].ord as usize];
    assert_eq!(top.id, "GZ-010");
    assert_eq!(top.status, search::DocStatus::Withdrawn);
    assert_eq!(
        top.successor.as_ref().map(|s| s.1.as_str()),
        Some("stamp/GZ-027/")
    );
    // GZ-034 (健康证明) exists only in the working copy.
    assert!(index.docs.iter().all(|d| d.id != "GZ-034"));
    assert!(
        ranking(&index, "健康证明")
            .iter()
            .all(|r| !r.starts_with("GZ-034"))
    );
}

fn gunzip(path: &Path) -> String {
    let mut out = String::new();
    flate2::read::GzDecoder::new(fs::File::open(path).expect("index file"))
        .read_to_string(&mut out)
        .expect("gzip of UTF-8");
    out
}

/// Every record and shard of a built index, decompressed, as one text.
fn index_text(dir: &Path) -> String {
    let mut text = String::new();
    for sub in ["r", "s"] {
        for entry in fs::read_dir(dir.join(sub)).expect("index folder") {
            let bytes = {
                let mut raw = Vec::new();
                flate2::read::GzDecoder::new(
                    fs::File::open(entry.expect("entry").path()).expect("open"),
                )
                .read_to_end(&mut raw)
                .expect("gzip");
                raw
            };
            text.push_str(&String::from_utf8_lossy(&bytes));
        }
    }
    text
}

#[test]
fn an_item_only_in_the_working_copy_never_enters_the_public_index() {
    let site = SiteTest::fixture("base");
    site.write(
        "content/lists/stamp/items/GZ-077.yaml",
        "title: 鹦鹉饲养许可证明\ncategory: 住所居住\ndepartments: [civil]\nverdict: issue\n",
    );
    let run = site.run(&["build", "--drafts"]);
    run.success();
    assert!(run.stderr.contains("search index"), "{}", run.stderr);
    let public = site.root.join("public/search/index");
    let manifest: Value =
        serde_json::from_str(&site.read("public/search/index/manifest.json")).expect("manifest");
    assert!(manifest["n"].as_u64().expect("n") > 0);
    let public_text = index_text(&public);
    assert!(
        public_text.contains("GZ-001"),
        "the public index has records"
    );
    assert!(!public_text.contains("鹦鹉"), "working-copy title leaked");
    assert!(!public_text.contains("GZ-077"), "working-copy id leaked");
    assert!(!gunzip(&public.join("a.gz")).contains("鹦鹉"));
    // The draft index has it, so the check above can fail.
    let draft_text = index_text(&site.root.join("public/draft/search/index"));
    assert!(draft_text.contains("鹦鹉") && draft_text.contains("GZ-077"));
    // And every frozen edition has its own index.
    assert!(
        site.root
            .join("public/search/e/stamp/2020/manifest.json")
            .is_file()
    );
}

#[test]
fn the_example_builds_its_search_page_and_indexes() {
    let site = SiteTest::empty("search-example");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("content"),
        &site.root.join("content"),
    );
    site.run(&["build"]).success();
    let page = site.read("public/search/index.html");
    assert!(page.contains("id=\"search-results\""), "{page}");
    assert!(page.contains("<noscript>"), "{page}");
    let home = site.read("public/index.html");
    assert!(home.contains("name=\"q\""), "the header has a search box");
    assert!(site.root.join("public/assets/search.js").is_file());
}

/// Every search file of the example's plan (with drafts), written by `write`.
fn search_files(
    plan: &minglu::plan::Plan<'_>,
    memo: Option<&mut search::Memo>,
) -> std::collections::BTreeMap<String, Vec<u8>> {
    let files = std::sync::Mutex::new(std::collections::BTreeMap::new());
    let sink = |path: &str, bytes: &[u8]| {
        files
            .lock()
            .expect("not poisoned")
            .insert(path.to_owned(), bytes.to_vec());
        Ok(())
    };
    let indexes = plan.indexes();
    match memo {
        Some(memo) => search::write_with(plan, &indexes, &sink, memo),
        None => search::write(plan, &indexes, &sink),
    }
    .expect("written");
    files.into_inner().expect("not poisoned")
}

/// Writes the search files of `site`'s plan with `memo` and afresh, asserts
/// they are the same bytes, and returns the public and draft indexes' files.
fn kept_and_fresh_agree(
    site: &minglu::model::Site,
    options: &minglu::plan::PlanOptions,
    memo: &mut search::Memo,
    what: &str,
) -> std::collections::BTreeMap<String, Vec<u8>> {
    let history = minglu::history::SiteHistory::new(site, options.today);
    let plan = minglu::plan::Plan::new(site, &history, options);
    let fresh = search_files(&plan, None);
    let kept = search_files(&plan, Some(memo));
    let names = |files: &std::collections::BTreeMap<String, Vec<u8>>| -> Vec<String> {
        files.keys().cloned().collect()
    };
    assert_eq!(names(&kept), names(&fresh), "{what}: the same files");
    let differ: Vec<&String> = fresh
        .iter()
        .filter(|(path, bytes)| kept[*path] != **bytes)
        .map(|(path, _)| path)
        .collect();
    assert!(
        differ.is_empty(),
        "{what}: {differ:?} differ from a fresh write"
    );
    let sites: std::collections::BTreeMap<String, Vec<u8>> = fresh
        .into_iter()
        .filter(|(path, _)| !path.starts_with("search/e/"))
        .collect();
    let items: usize = ["search/index/", "draft/search/index/"]
        .iter()
        .map(|dir| {
            let manifest: Value =
                serde_json::from_slice(&sites[&format!("{dir}manifest.json")]).expect("a manifest");
            usize::try_from(manifest["n"].as_u64().expect("n")).expect("small")
        })
        .sum();
    assert_eq!(
        memo.kept_items(),
        items,
        "{what}: the memo keeps both indexes"
    );
    sites
}

/// The items of the stamp register's working copy and of its edition in force.
fn stamp_snapshots(
    site: &mut minglu::model::Site,
    today: jiff::civil::Date,
) -> [&mut Vec<minglu::model::Item>; 2] {
    let r = site
        .registers
        .iter_mut()
        .find(|r| r.key == "stamp")
        .expect("a stamp register");
    let shown = r.shown_edition(today).expect("an edition is shown");
    let edition = std::sync::Arc::make_mut(&mut r.editions[shown]);
    [&mut r.working.items, &mut edition.snapshot.items]
}

/// A change to a snapshot's items.
type Edit = fn(&mut Vec<minglu::model::Item>);

#[test]
fn a_kept_memo_updates_the_site_indexes_to_the_bytes_of_a_fresh_write() {
    let (mut site, options) = example(true);
    let mut memo = search::Memo::default();
    let mut before = kept_and_fresh_agree(&site, &options, &mut memo, "first build");
    assert_eq!(
        kept_and_fresh_agree(&site, &options, &mut memo, "no change"),
        before
    );
    let edits: [(&str, Edit); 5] = [
        ("title", |items| items[3].title.value.push_str("（改）")),
        ("added", |items| {
            let mut item = items[5].clone();
            item.id = "GZ-008".into();
            item.title.value = "新增的独生子女证明".into();
            item.aliases = vec!["独生子女证".into()];
            let at = items.partition_point(|i| minglu::model::id_order(&i.id, &item.id).is_lt());
            items.insert(at, item);
        }),
        ("removed", |items| {
            items.remove(1);
        }),
        ("alias", |items| {
            items[7].aliases.push("开个居住证明".into());
        }),
        ("category", |items| {
            let last = items.len() - 1;
            items[2].category.value = items[last].category.value.clone();
        }),
    ];
    for (what, edit) in edits {
        for (k, scope) in ["draft", "public"].into_iter().enumerate() {
            let [working, in_force] = stamp_snapshots(&mut site, options.today);
            edit(if k == 0 { working } else { in_force });
            let now =
                kept_and_fresh_agree(&site, &options, &mut memo, &format!("{what} ({scope})"));
            let changed = |dir: &str| {
                now.iter()
                    .any(|(p, b)| p.starts_with(dir) && before.get(p) != Some(b))
            };
            let (draft, public) = (changed("draft/"), changed("search/index/"));
            assert_eq!(draft, scope == "draft", "{what} ({scope}): the draft index");
            assert_eq!(
                public,
                scope == "public",
                "{what} ({scope}): the public index"
            );
            before = now;
        }
    }
}

/// A change to a doc.
type DocEdit = fn(&mut search::Doc);

#[test]
fn a_source_matches_its_own_doc_and_no_other() {
    let (site, options) = example(true);
    let history = minglu::history::SiteHistory::new(&site, options.today);
    let plan = minglu::plan::Plan::new(&site, &history, &options);
    let changes: [(&str, DocEdit); 10] = [
        ("url", |d| d.url.push('x')),
        ("title", |d| d.title.push('改')),
        ("aliases", |d| d.aliases.push("别名".into())),
        ("status", |d| {
            d.status = if d.status == search::DocStatus::Current {
                search::DocStatus::Withdrawn
            } else {
                search::DocStatus::Current
            };
        }),
        ("body", |d| d.body.push('\n')),
        ("departments", |d| d.departments.insert(0, "某局".into())),
        ("ways", |d| {
            d.ways.push(search::Way {
                department: None,
                how: String::new(),
            });
        }),
        ("successor", |d| {
            d.successor = match d.successor {
                Some(_) => None,
                None => Some((String::new(), String::new())),
            };
        }),
        ("register", |d| d.register.push('x')),
        ("badge", |d| d.badge = Some("assigned!".into())),
    ];
    let mut checked = 0;
    for index in plan.indexes() {
        for source in search::collect::sources(&plan, &index) {
            let doc = source.doc();
            assert!(source.matches(&doc), "{}", doc.url);
            for (what, change) in &changes {
                let mut other = doc.clone();
                change(&mut other);
                assert!(!source.matches(&other), "{}: {what} changed", doc.url);
            }
            checked += 1;
        }
    }
    assert!(checked > 100, "{checked} items");
}
