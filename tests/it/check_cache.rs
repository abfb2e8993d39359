//! `minglu check`'s cache (`.public.minglu-check-cache`): an optimisation
//! that never changes a result, whether it is there, missing, corrupt, stale
//! or written by another version, and whatever changed since it was written.
//!
//! Every test compares a check through the cache with `--no-cache` on the
//! same files: the same exit code and the same output, except the one line
//! that says what the cache saved (which the tests read to make sure the
//! cache was used at all).

use std::path::Path;
use std::time::Duration;

use crate::support::{SiteTest, copy_dir};

const CACHE: &str = ".public.minglu-check-cache";

/// A copy of the bundled example site (frozen editions in three registers),
/// old enough for the cache to trust its files: a file changed in the last
/// two seconds is never cached (its stamp could miss an edit in the same
/// clock tick).
fn example() -> SiteTest {
    let site = SiteTest::empty("check-cache");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("content"),
        &site.root.join("content"),
    );
    settle();
    site
}

/// Waits until every file written so far is old enough to be cached.
fn settle() {
    std::thread::sleep(Duration::from_millis(2100));
}

/// One check: exit code, everything it printed except the cache's line, and
/// what the cache saved (files not read again, pages not rendered again).
#[derive(Debug)]
struct Checked {
    code: i32,
    out: String,
    reused: Option<(usize, usize)>,
}

const REUSED: &str = "from the check cache: ";

fn check(site: &SiteTest, extra: &[&str]) -> Checked {
    let mut args = vec!["check", "--format", "json"];
    args.extend_from_slice(extra);
    let run = site.run(&args);
    let mut reused = None;
    let mut stderr = String::new();
    for line in run.stderr.lines() {
        match line.strip_prefix(REUSED) {
            Some(rest) => {
                let numbers: Vec<usize> = rest
                    .split(|c: char| !c.is_ascii_digit())
                    .filter_map(|n| n.parse().ok())
                    .collect();
                reused = Some((numbers[0], numbers[1]));
            }
            None => stderr.push_str(&format!("{line}\n")),
        }
    }
    Checked {
        code: run.code,
        out: format!("{}\n{stderr}", run.stdout),
        reused,
    }
}

/// Checks with the cache and without, and asserts they say the same; returns
/// the cached check.
fn same_as_without_cache(site: &SiteTest, what: &str) -> Checked {
    let cached = check(site, &[]);
    let fresh = check(site, &["--no-cache"]);
    assert_eq!(
        (cached.code, &cached.out),
        (fresh.code, &fresh.out),
        "{what}: the cache changed the result"
    );
    assert_eq!(fresh.reused, None, "--no-cache reuses nothing");
    cached
}

/// The first item file of a folder of the site.
fn first_item(site: &SiteTest, dir: &str) -> String {
    let mut names: Vec<String> = std::fs::read_dir(site.root.join(dir))
        .expect("items")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    format!("{dir}/{}", names[0])
}

#[test]
fn a_second_check_reuses_the_cache_and_says_the_same() {
    let site = example();
    let first = check(&site, &[]);
    assert_eq!(first.code, 0, "{}", first.out);
    assert_eq!(first.reused, None, "nothing to reuse the first time");
    let second = same_as_without_cache(&site, "unchanged");
    let (files, pages) = second.reused.expect("the second check used the cache");
    assert!(files > 100, "unchanged files were not read again: {files}");
    // With the built-in templates the sample is a few dozen pages (see below).
    assert!(
        pages > 30,
        "unchanged pages were not rendered again: {pages}"
    );
    assert_eq!(second.out, first.out);
    assert!(!site.root.join(format!("{CACHE}.tmp-1")).exists());
}

#[test]
fn a_missing_corrupt_or_foreign_cache_is_ignored() {
    let site = example();
    let first = check(&site, &[]);
    assert_eq!(first.code, 0, "{}", first.out);
    let cache = site.root.join(CACHE);
    let good = std::fs::read(&cache).expect("the check wrote its cache");
    let mut cut = good.clone();
    cut.truncate(good.len() / 2);
    let mut flipped = good.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x55;
    // The same file as written by another version of minglu.
    let header = b"minglu check cache\n".len();
    let mut foreign = good.clone();
    foreign[header] = foreign[header].wrapping_add(1);
    for (what, bytes) in [
        ("cut short", cut),
        ("a flipped byte", flipped),
        ("another version", foreign),
        ("garbage", vec![0xff, 0xfe, 0x00]),
        ("empty", Vec::new()),
    ] {
        std::fs::write(&cache, bytes).expect("spoil the cache");
        let cached = same_as_without_cache(&site, what);
        assert_eq!(cached.out, first.out, "{what}");
        assert_eq!(cached.reused, None, "{what}: nothing reused");
    }
    std::fs::remove_file(&cache).expect("delete");
    assert_eq!(check(&site, &["--no-cache"]).out, first.out);
    assert!(!cache.exists(), "--no-cache writes no cache");
}

#[test]
fn item_edits_of_every_kind_give_the_result_of_a_check_without_cache() {
    let site = example();
    assert_eq!(check(&site, &[]).code, 0);
    let file = first_item(&site, "content/lists/stamp/items");
    let original = site.read(&file);
    // A valid edit: only the pages it touches are rendered again.
    site.write(&file, original.replacen("title: ", "title: 改", 1));
    let edited = same_as_without_cache(&site, "a title edit");
    assert_eq!(edited.code, 0, "{}", edited.out);
    assert!(edited.reused.is_some_and(|(_, pages)| pages > 30));
    // An edit that makes the item wrong.
    site.write(
        &file,
        original.replacen("departments: [", "departments: [no-such-dept, ", 1),
    );
    let broken = same_as_without_cache(&site, "a dangling department");
    assert_eq!(broken.code, 1, "{}", broken.out);
    assert!(broken.out.contains("no-such-dept"), "{}", broken.out);
    // A new item, then a deleted one.
    let added = file.replace(".yaml", "9.yaml").replace("GZ-", "GZ-9");
    site.write(&file, &original);
    site.write(&added, original.replacen("title: ", "title: 新增", 1));
    same_as_without_cache(&site, "an added item");
    std::fs::remove_file(site.root.join(&added)).expect("delete the new item");
    same_as_without_cache(&site, "a deleted item");
    std::fs::remove_file(site.root.join(&file)).expect("delete an old item");
    same_as_without_cache(&site, "a deleted item of the last check");
    // Once the edits are old enough to be cached, still the same.
    site.write(&file, &original);
    settle();
    same_as_without_cache(&site, "restored");
    let last = same_as_without_cache(&site, "restored, cached");
    assert_eq!(last.code, 0, "{}", last.out);
}

#[test]
fn a_template_error_that_only_an_edited_item_triggers_is_found() {
    let site = example();
    let item = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates/item.html"),
    )
    .expect("default item.html");
    let trap = "{% block main %}{% if item.title == \"触发模板错误\" %}{{ no_such_value.field }}{% endif %}";
    let trapped = item.replacen("{% block main %}", trap, 1);
    assert_ne!(trapped, item, "the template has a main block");
    site.write("themes/default/templates/item.html", &trapped);
    settle();
    let clean = check(&site, &[]);
    assert_eq!(clean.code, 0, "{}", clean.out);
    // The template did not change: only the data that reaches it.
    let file = first_item(&site, "content/lists/stamp/items");
    let text = site.read(&file);
    let title = text
        .lines()
        .find_map(|l| l.strip_prefix("title: "))
        .expect("a title line");
    site.write(&file, text.replacen(title, "触发模板错误", 1));
    let cached = same_as_without_cache(&site, "an item that trips the template");
    assert_eq!(cached.code, 1, "{}", cached.out);
    assert!(cached.out.contains("item.html"), "{}", cached.out);
    assert!(cached.reused.is_some());
    // Fixed: clean again, with the cache as without.
    site.write(&file, &text);
    let fixed = same_as_without_cache(&site, "the item fixed");
    assert_eq!(fixed.code, 0, "{}", fixed.out);
}

#[test]
fn a_template_edit_renders_the_sample_again() {
    let site = example();
    let first = check(&site, &[]);
    assert_eq!(first.code, 0, "{}", first.out);
    // A theme that breaks only the frozen edition pages: the cache says those
    // rendered cleanly, but with another theme, so they must be rendered again.
    let edition = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates/edition.html"),
    )
    .expect("default edition.html");
    let broken = edition.replacen("{% block", "{{ no_such_value.field }}{% block", 1);
    assert_ne!(broken, edition, "the template has a block to break");
    site.write("themes/default/templates/edition.html", &broken);
    let cached = same_as_without_cache(&site, "a broken template");
    assert_eq!(cached.code, 1, "{}", cached.out);
    assert!(cached.out.contains("edition.html"), "{}", cached.out);
    // The error again, from the cache the failed check wrote.
    let again = same_as_without_cache(&site, "still broken");
    assert_eq!(again.code, 1, "{}", again.out);
    // Fixed again: the result is clean.
    site.write("themes/default/templates/edition.html", &edition);
    let fixed = same_as_without_cache(&site, "fixed");
    assert_eq!(fixed.out, first.out);
}

#[test]
fn a_tampered_frozen_edition_is_reported_with_the_cache_as_without() {
    let site = example();
    assert_eq!(check(&site, &[]).code, 0);
    let file = first_item(&site, "content/lists/stamp/editions/2015/items");
    let path = site.root.join(&file);
    let text = site.read(&file);
    let modified = std::fs::metadata(&path)
        .and_then(|m| m.modified())
        .expect("mtime");
    // Same length, and the modification time put back: only the file's
    // status-change time tells.
    let first = text.chars().find(|c| !c.is_ascii()).expect("Chinese text");
    let other = if first == '改' { '换' } else { '改' };
    let tampered = text.replacen(first, &other.to_string(), 1);
    assert_eq!(tampered.len(), text.len());
    std::fs::write(&path, &tampered).expect("tamper");
    std::fs::File::options()
        .write(true)
        .open(&path)
        .and_then(|f| f.set_modified(modified))
        .expect("put the time back");
    let cached = same_as_without_cache(&site, "a tampered edition");
    assert_eq!(cached.code, 1, "{}", cached.out);
    assert!(cached.out.contains("edition-modified"), "{}", cached.out);
    // Still reported once the tampering is old enough to be cached.
    settle();
    same_as_without_cache(&site, "tampered, settled");
    let cached = same_as_without_cache(&site, "tampered, cached");
    assert!(cached.out.contains("edition-modified"), "{}", cached.out);
    assert!(cached.reused.is_some());
}

#[test]
fn another_date_is_checked_as_without_cache() {
    let site = example();
    assert_eq!(check(&site, &[]).code, 0);
    // Before the first edition took effect: other editions in force.
    let early = |args: &[&str]| {
        let mut all = vec!["check", "--format", "json"];
        all.extend_from_slice(args);
        let run = site.run_env(&all, &[("SOURCE_DATE_EPOCH", "1400000000")]);
        let stderr: String = run
            .stderr
            .lines()
            .filter(|l| !l.starts_with(REUSED))
            .map(|l| format!("{l}\n"))
            .collect();
        (run.code, format!("{}\n{stderr}", run.stdout))
    };
    assert_eq!(early(&[]), early(&["--no-cache"]));
    assert_eq!(early(&[]), early(&["--no-cache"]));
}

/// With the built-in templates only, `check` renders the first item page of
/// each scope, register and edition, not every distinct item, and the first
/// purpose and department page of each scope (issue 12): no item's data can
/// make those templates fail. A theme that overrides them
/// (here with copies of the built-in ones) gets every distinct item rendered,
/// so that an error only some item triggers surfaces (the test above). The
/// cache says how many pages the check rendered: the second check reuses them all.
#[test]
fn built_in_templates_render_one_item_page_per_edition_and_overrides_every_item() {
    let built_in = example();
    let overridden = example();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates"),
        &overridden.root.join("themes/default/templates"),
    );
    settle();
    let rendered = |site: &SiteTest| {
        assert_eq!(check(site, &[]).code, 0);
        let again = check(site, &[]);
        assert_eq!(again.code, 0, "{}", again.out);
        again.reused.expect("the second check used the cache").1
    };
    let items = ["stamp", "work", "creation"]
        .iter()
        .map(|r| {
            let dir = built_in.root.join(format!("content/lists/{r}/items"));
            std::fs::read_dir(dir).expect("items").count()
        })
        .sum::<usize>();
    let (few, every) = (rendered(&built_in), rendered(&overridden));
    assert!(items > 20, "the example has items ({items})");
    assert!(
        every >= few + items - 6,
        "built-in: {few} pages, overridden: {every}, items: {items}"
    );
}
