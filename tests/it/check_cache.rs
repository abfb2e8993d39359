//! `minglu check`'s cache (`.public.minglu-check-cache.json`): an optimisation
//! that never changes a result, whether it is there, missing, corrupt or stale.

use std::path::Path;

use crate::support::{SiteTest, copy_dir};

const CACHE: &str = ".public.minglu-check-cache.json";

/// A copy of the bundled example site (frozen editions in three registers).
fn example() -> SiteTest {
    let site = SiteTest::empty("check-cache");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("content"),
        &site.root.join("content"),
    );
    site
}

/// Runs `check` and returns (exit code, everything it printed).
fn check(site: &SiteTest, extra: &[&str]) -> (i32, String) {
    let mut args = vec!["check", "--format", "json"];
    args.extend_from_slice(extra);
    let run = site.run(&args);
    (run.code, format!("{}\n{}", run.stdout, run.stderr))
}

#[test]
fn a_second_check_with_a_cache_an_absent_or_a_corrupt_one_says_the_same() {
    let site = example();
    let cache = site.root.join(CACHE);
    let first = check(&site, &[]);
    assert_eq!(first.0, 0, "{}", first.1);
    let text = site.read(CACHE);
    for register in ["stamp", "work", "creation"] {
        assert!(
            text.contains(&format!("\"{register}\"")),
            "every register's frozen pages rendered cleanly: {text}"
        );
    }
    assert_eq!(check(&site, &[]), first, "with the cache");
    std::fs::write(&cache, "{\"rendered\": {\"stamp\": 7").expect("corrupt");
    assert_eq!(check(&site, &[]), first, "with a corrupt cache");
    std::fs::write(&cache, [0xff, 0xfe, 0x00]).expect("garbage");
    assert_eq!(check(&site, &[]), first, "with a binary cache");
    std::fs::remove_file(&cache).expect("delete");
    assert_eq!(check(&site, &["--no-cache"]), first, "without one");
    assert!(!cache.exists(), "--no-cache writes no cache");
}

#[test]
fn a_stale_cache_never_hides_a_template_error_in_frozen_pages() {
    let site = example();
    let first = check(&site, &[]);
    assert_eq!(first.0, 0, "{}", first.1);
    assert!(site.root.join(CACHE).exists());
    // A theme that breaks only the frozen edition pages: the cache says those
    // rendered cleanly, but with another theme, so they must be rendered again.
    let edition = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates/edition.html"),
    )
    .expect("default edition.html");
    let broken = edition.replacen("{% block", "{{ no_such_value.field }}{% block", 1);
    assert_ne!(broken, edition, "the template has a block to break");
    site.write("themes/default/templates/edition.html", &broken);
    let (code, out) = check(&site, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("edition.html"), "{out}");
    assert_eq!(
        check(&site, &["--no-cache"]),
        (code, out),
        "same as without a cache"
    );
    // Fixed again: the old cache entries still hold, and the result is clean.
    site.write("themes/default/templates/edition.html", &edition);
    assert_eq!(check(&site, &[]), first);
}

#[test]
fn an_edited_edition_is_checked_again() {
    let site = example();
    assert_eq!(check(&site, &[]).0, 0);
    // Editing a frozen file breaks its seal: the edition's fingerprint changes,
    // and the error shows with the cache as without it.
    let dir = site.root.join("content/lists/stamp/editions/2015/items");
    let file = std::fs::read_dir(&dir)
        .expect("items")
        .map(|e| e.expect("entry").path())
        .min()
        .expect("an item");
    let text = std::fs::read_to_string(&file).expect("read");
    std::fs::write(&file, text.replacen("title: ", "title: 改", 1)).expect("edit");
    let cached = check(&site, &[]);
    assert_eq!(cached.0, 1, "{}", cached.1);
    assert_eq!(check(&site, &["--no-cache"]), cached);
}
