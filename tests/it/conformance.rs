//! The format's conformance site (a copy of ../shared/conformance): what its
//! EXPECTED.md says a correct minglu does.

use std::path::Path;

use crate::support::{SiteTest, fixtures, tree, without_theme_scripts};

fn built() -> SiteTest {
    let site = SiteTest::fixture("conformance");
    site.run(&["build"]).success();
    site
}

fn main_of(html: &str) -> &str {
    let start = html.find("<main").expect("<main>");
    let end = html.find("</main>").expect("</main>");
    &html[start..end]
}

#[test]
fn checks_clean() {
    let site = SiteTest::fixture("conformance");
    let run = site.run(&["check"]);
    run.success();
    assert!(
        run.stderr.ends_with("0 error(s), 0 warning(s)\n"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_fixture_is_an_identical_copy_of_the_shared_conformance_site() {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance");
    assert!(
        shared.is_dir(),
        "{} is missing: this test compares the fixture with the shared conformance site, \
         which must be checked out beside this repository",
        shared.display()
    );
    assert!(
        tree(&shared) == tree(&fixtures().join("conformance")),
        "tests/fixtures/conformance differs from ../shared/conformance: copy it again"
    );
}

#[test]
fn in_force_editions_are_shown() {
    let site = built();
    for (page, label, doc) in [
        ("stamp", "2020年版", "示民〔2020〕12号"),
        ("work", "第一批", "示社联〔2014〕3号"),
        ("creation", "2015年版", "示民〔2015〕4号"),
    ] {
        let html = site.read(&format!("public/{page}/index.html"));
        let currency = format!("<strong class=\"tag tag-ok\">现行</strong>\n  {label}（{doc}），");
        assert!(html.contains(&currency), "{page}: {}", main_of(&html));
    }
    let item = site.read("public/stamp/GZ-011/index.html");
    assert!(item.contains(
        "2020年版（示民〔2020〕12号），<time datetime=\"2020-05-01\">2020-05-01</time>起施行"
    ));
}

#[test]
fn working_copy_changes_stay_off_the_public_site() {
    let site = built();
    assert!(!site.root.join("public/stamp/GZ-014").exists());
    assert!(!site.root.join("public/work/SX-007").exists());
    let all: String = tree(&site.root.join("public"))
        .into_iter()
        .filter(|(p, _)| p.ends_with(".html") || p.ends_with(".xml"))
        .map(|(_, b)| String::from_utf8(b).expect("utf-8"))
        .collect();
    assert!(!all.contains("GZ-014") && !all.contains("SX-007") && !all.contains("证件遗失证明"));
    let gz1 = site.read("public/stamp/GZ-001/index.html");
    assert!(gz1.contains("居民在社区居住情况证明"));
    assert!(!gz1.contains("居民在本社区居住情况证明"));
    let gz2 = site.read("public/stamp/GZ-002/index.html");
    assert!(
        gz2.contains("该事项已退出名录"),
        "removed in 2020: its URL says so"
    );
}

#[test]
fn no_script_from_content_reaches_any_page() {
    let site = built();
    for (path, bytes) in tree(&site.root.join("public")) {
        // Open data keeps the text exactly (served as JSON and CSV, never as a page).
        if path.starts_with("data/") && (path.ends_with(".json") || path.ends_with(".csv")) {
            continue;
        }
        if path.starts_with("assets/") {
            continue; // the theme's own files
        }
        let text = without_theme_scripts(&String::from_utf8_lossy(&bytes)).to_lowercase();
        assert!(
            !text.contains("<script"),
            "{path} contains a <script> element"
        );
    }
    assert!(
        site.read("public/stamp/GZ-007/index.html")
            .contains("&lt;script&gt;alert(\"x\")&lt;/script&gt;")
    );
    assert!(
        site.read("public/data/stamp.json")
            .contains("<script>alert(\\\"x\\\")</script>"),
        "the data keeps the text as written"
    );
}

#[test]
fn gz005_answers_first_with_the_three_ways() {
    let site = built();
    let html = site.read("public/stamp/GZ-005/index.html");
    let main = main_of(&html);
    let verdict = main.find("社区不予出具").expect("verdict");
    let h1 = main.find("<h1").expect("title");
    let details = main.find("基本信息").expect("details section");
    assert!(
        h1 < verdict && verdict < details,
        "the verdict comes right after the title, before the details"
    );
    let ways = &main[verdict..details];
    assert_eq!(ways.matches("class=\"method\"").count(), 3, "{ways}");
    for text in [
        "凭本人证件或材料办理",
        "示例市公安局",
        "示例市公证处",
        "户籍所在地公安派出所",
        "亲属关系公证",
    ] {
        assert!(ways.contains(text), "{text} is among the ways: {ways}");
    }
}

#[test]
fn awkward_but_valid_files_render() {
    let site = built();
    assert!(
        site.read("public/stamp/GZ-003/index.html")
            .contains("<h1><span class=\"id\">GZ-003</span> 中小学生参加社区实践活动证明</h1>"),
        "BOM file"
    );
    let sx2 = site.read("public/work/SX-002/index.html");
    assert!(
        sx2.contains("最低生活保障申请入户调查") && !sx2.contains('\r'),
        "CRLF file"
    );
}
