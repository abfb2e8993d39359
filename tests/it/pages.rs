//! Golden snapshots of the main content (`<main>…</main>`) of representative
//! pages of the bundled example, so a change that drops or garbles what a page
//! shows fails a test. Review and accept changes with `MINGLU_BLESS=1 cargo test`.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use crate::support::{SiteTest, copy_dir};

/// Golden file name (in `tests/fixtures/pages/`) → the page's output file.
const PAGES: &[(&str, &str)] = &[
    ("home.html", "index.html"),
    ("register-stamp.html", "stamp/index.html"),
    ("item-refuse.html", "stamp/GZ-013/index.html"),
    ("item-issue.html", "stamp/GZ-001/index.html"),
    ("item-work.html", "work/SX-001/index.html"),
    ("item-creation.html", "creation/CJ-001/index.html"),
    ("item-frozen.html", "stamp/editions/2015/GZ-013/index.html"),
    (
        "item-frozen-flipped.html",
        "stamp/editions/2015/GZ-002/index.html",
    ),
    (
        "item-frozen-merged.html",
        "stamp/editions/2015/GZ-009/index.html",
    ),
    ("item-withdrawn.html", "stamp/GZ-008/index.html"),
    ("notice.html", "stamp/GZ-013/notice/index.html"),
    ("edition.html", "stamp/editions/2020/index.html"),
    ("department.html", "departments/police/index.html"),
    ("purpose.html", "purposes/ruxue/index.html"),
    ("changes.html", "changes/index.html"),
    ("draft-register.html", "draft/stamp/index.html"),
    ("draft-item.html", "draft/stamp/GZ-013/index.html"),
];

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pages")
}

/// The `<main>` element of a page, as rendered.
fn main_of(html: &str, page: &str) -> String {
    let start = html
        .find("<main")
        .unwrap_or_else(|| panic!("{page} has no <main>"));
    let end = html[start..]
        .find("</main>")
        .unwrap_or_else(|| panic!("{page} has no </main>"))
        + start;
    let mut main = html[start..end + "</main>".len()].to_owned();
    main.push('\n');
    main
}

#[test]
fn representative_pages_match_their_golden_snapshots() {
    let site = SiteTest::empty("golden-pages");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("content"),
        &site.root.join("content"),
    );
    site.run(&["build", "--drafts", "--quiet"]).success();
    let bless = std::env::var_os("MINGLU_BLESS").is_some();
    let mut failures = Vec::new();
    for (golden, page) in PAGES {
        let html = site.read(&format!("public/{page}"));
        let actual = main_of(&html, page);
        let path = golden_dir().join(golden);
        if bless {
            fs::write(&path, &actual).expect("bless golden page");
            continue;
        }
        match fs::read_to_string(&path) {
            Ok(expected) if expected == actual => {}
            Ok(expected) => failures.push(format!(
                "{page} differs from tests/fixtures/pages/{golden}\n{}",
                first_difference(&expected, &actual)
            )),
            Err(_) => failures.push(format!(
                "missing tests/fixtures/pages/{golden} (run MINGLU_BLESS=1 cargo test, then review it)"
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{}\n\nreview, then accept with MINGLU_BLESS=1 cargo test",
        failures.join("\n\n")
    );
}

/// The first differing line, with its number.
fn first_difference(expected: &str, actual: &str) -> String {
    let (mut e, mut a) = (expected.lines(), actual.lines());
    for n in 1.. {
        match (e.next(), a.next()) {
            (None, None) => break,
            (x, y) if x == y => {}
            (x, y) => {
                return format!(
                    "line {n}\n--- expected\n{}\n--- actual\n{}",
                    x.unwrap_or("(end)"),
                    y.unwrap_or("(end)")
                );
            }
        }
    }
    "(only line endings differ)".to_owned()
}

#[test]
fn every_golden_page_is_used() {
    let on_disk: BTreeSet<String> = fs::read_dir(golden_dir())
        .expect("tests/fixtures/pages exists")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    let used: BTreeSet<String> = PAGES.iter().map(|(g, _)| (*g).to_owned()).collect();
    let unused: Vec<&String> = on_disk.difference(&used).collect();
    assert!(
        unused.is_empty(),
        "golden files no test uses (delete them or add them to PAGES): {unused:?}"
    );
}
