//! Editions and change history: `diff`, `release`, edition pages, timelines,
//! withdrawn items, feeds, drafts — on the conformance site, whose EXPECTED.md
//! lists exactly what changed.

use std::path::Path;
use std::process::Command;

use crate::build::crawl;
use crate::support::{SiteTest, assert_golden, fixtures, tree};

/// Every golden file in `tests/fixtures/history/`; each is used below.
const GOLDEN: &[&str] = &[
    "diff-2015-2020.txt",
    "diff-2015-2020.md",
    "diff-2015-2020.json",
    "diff-pending.json",
];

fn golden(name: &str) -> std::path::PathBuf {
    assert!(GOLDEN.contains(&name), "add {name} to GOLDEN");
    fixtures().join("history").join(name)
}

#[test]
fn every_history_golden_file_is_listed() {
    let mut on_disk: Vec<String> = std::fs::read_dir(fixtures().join("history"))
        .expect("tests/fixtures/history")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut listed: Vec<&str> = GOLDEN.to_vec();
    listed.sort_unstable();
    assert_eq!(
        on_disk, listed,
        "a golden file no test uses, or a listed one missing"
    );
}

#[test]
fn diff_of_the_2020_edition_in_every_format() {
    let site = SiteTest::fixture("conformance");
    for (format, file) in [
        ("text", "diff-2015-2020.txt"),
        ("markdown", "diff-2015-2020.md"),
        ("json", "diff-2015-2020.json"),
    ] {
        let run = site.run(&["diff", "stamp", "--to", "2020", "--format", format]);
        run.success();
        assert_golden(&golden(file), &run.stdout);
    }
    let md = site
        .run(&["diff", "stamp", "--to", "2020", "--format", "markdown"])
        .stdout
        .clone();
    for expected in [
        "**新增 2 项，退出 2 项，修改 2 项，能否出具改变 1 项**",
        "#### 退出：GZ-009 家庭经济困难证明（保障性住房申请）（GZ-009 并入GZ-013）",
        "#### 修改：GZ-011 健在证明【社区能否出具：可出具 → 不予出具】",
        "| 社区能否出具 | 可出具 | 不予出具 |",
        "| 收费 | 免费 | （无） |",
        "| 申请材料 | 居民身份证、困难情况说明 | 居民身份证、困难情况书面说明、低保证或特困供养证（如有） |",
        "| 办理时限 | 5个工作日 | 3个工作日 |",
        "> 调整理由：改由人社部门生存认证，社区不再出具。",
        "#### 新增：GZ-012 死亡证明",
    ] {
        assert!(md.contains(expected), "missing {expected:?} in\n{md}");
    }
    for unchanged in [
        "GZ-001", "GZ-003", "GZ-005", "GZ-006", "GZ-007", "GZ-008", "GZ-010",
    ] {
        assert!(!md.contains(unchanged), "{unchanged} did not change");
    }
}

#[test]
fn pending_changes_of_the_working_copy() {
    let site = SiteTest::fixture("conformance");
    let run = site.run(&["diff", "--format", "json"]);
    run.success();
    assert_golden(&golden("diff-pending.json"), &run.stdout);
    let lists: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    let summary: Vec<(String, Vec<(String, String)>)> = lists
        .as_array()
        .expect("array")
        .iter()
        .map(|l| {
            let items = l["diff"]["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|c| {
                    (
                        c["id"].as_str().expect("id").to_owned(),
                        c["kind"].as_str().expect("kind").to_owned(),
                    )
                })
                .collect();
            (l["key"].as_str().expect("key").to_owned(), items)
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "stamp".to_owned(),
                vec![
                    ("GZ-001".to_owned(), "changed".to_owned()),
                    ("GZ-014".to_owned(), "added".to_owned())
                ]
            ),
            (
                "work".to_owned(),
                vec![("SX-007".to_owned(), "added".to_owned())]
            ),
            ("creation".to_owned(), vec![]),
        ]
    );
    let gz1 = &lists[0]["diff"]["items"][0]["fields"][0];
    assert_eq!(
        (
            gz1["field"].as_str(),
            gz1["old"].as_str(),
            gz1["new"].as_str()
        ),
        (
            Some("title"),
            Some("居民在社区居住情况证明"),
            Some("居民在本社区居住情况证明")
        )
    );
    site.run(&["diff", "--exit-code"]).code(1);
    site.run(&["diff", "creation", "--exit-code"]).code(0);
    let reasons = site.run(&["diff", "--format", "reasons"]);
    assert!(
        reasons.stdout.contains("\nGZ-001: \"\"\n")
            && reasons.stdout.contains("\nGZ-014: \"\"\n")
            && reasons.stdout.contains("\nSX-007: \"\"\n"),
        "{}",
        reasons.stdout
    );
}

#[test]
fn unknown_lists_and_editions_name_the_ones_that_exist() {
    let site = SiteTest::fixture("conformance");
    let run = site.run(&["diff", "stamps"]);
    run.code(2);
    assert!(
        run.stderr
            .contains("there is no register `stamps`; the registers are: stamp, work, creation"),
        "{}",
        run.stderr
    );
    let run = site.run(&["diff", "stamp", "--from", "2019"]);
    run.code(2);
    assert!(
        run.stderr.contains(
            "register `stamp` has no edition `2019`; its editions are: 2015, 2020, working"
        ),
        "{}",
        run.stderr
    );
}

fn release(site: &SiteTest, extra: &[&str]) -> crate::support::Run {
    release_dated(site, "2025-10-01", "2025-11-01", extra)
}

fn release_dated(
    site: &SiteTest,
    published: &str,
    effective: &str,
    extra: &[&str],
) -> crate::support::Run {
    let mut args = vec![
        "release",
        "stamp",
        "2025",
        "--label",
        "2025年版",
        "--kind",
        "revision",
        "--title",
        "关于调整示例市规范社区盖章事项名录的通知",
        "--doc-number",
        "示民〔2025〕7号",
        "--issuer",
        "示例市民政局",
        "--published",
        published,
        "--effective",
        effective,
    ];
    args.extend_from_slice(extra);
    site.run(&args)
}

#[test]
fn release_round_trip() {
    let site = SiteTest::fixture("conformance");
    let reasons = site.root.join("reasons.yaml");
    std::fs::write(
        &reasons,
        site.run(&["diff", "stamp", "--format", "reasons"])
            .stdout
            .replace("GZ-001: \"\"", "GZ-001: 表述调整为“本社区”。"),
    )
    .expect("write");
    let notes = site.root.join("notes.md");
    std::fs::write(
        &notes,
        "调整 GZ-001 的名称，**新增**证件遗失证明。\n\n第二段。\n",
    )
    .expect("write");
    let run = release(
        &site,
        &[
            "--reasons-file",
            &reasons.to_string_lossy(),
            "--notes-file",
            &notes.to_string_lossy(),
            "--source",
            "https://example.org/doc/2025-7",
        ],
    );
    run.success();
    assert!(
        run.stderr
            .contains("warning: GZ-014 证件遗失证明 was added but has no reason"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("1 added, 0 removed, 1 changed"),
        "{}",
        run.stderr
    );
    let dir = site.root.join("content/lists/stamp/editions/2025");
    let sums = Command::new("sha256sum")
        .arg("-c")
        .arg("SHA256SUMS")
        .current_dir(&dir)
        .output()
        .expect("sha256sum");
    assert!(
        sums.status.success(),
        "{}",
        String::from_utf8_lossy(&sums.stdout)
    );
    assert_eq!(
        String::from_utf8_lossy(&sums.stdout).lines().count(),
        15,
        "edition.yaml, list.yaml, departments.yaml and 12 items"
    );
    let check = site.run(&["check"]);
    check.success();
    assert!(
        check.stderr.ends_with("0 error(s), 0 warning(s)\n"),
        "{}",
        check.stderr
    );
    site.run(&["diff", "stamp", "--exit-code"]).code(0);
    site.run(&["build"]).success();
    let register = site.read("public/stamp/index.html");
    assert!(
        register.contains(
            "2025年版（示民〔2025〕7号），<time datetime=\"2025-11-01\">2025-11-01</time>起施行"
        ),
        "the new edition is in force"
    );
    assert!(
        site.read("public/stamp/GZ-014/index.html")
            .contains("证件遗失证明")
    );
    let edition = site.read("public/stamp/editions/2025/index.html");
    assert!(
        edition.contains("表述调整为“本社区”。")
            && edition.contains(
                "<strong>新增</strong><a class=\"xref\" href=\"../../../stamp/GZ-014/\">证件遗失证明</a>"
            ),
        "reason and notes"
    );
    let edition_yaml = site.read("content/lists/stamp/editions/2025/edition.yaml");
    assert!(
        edition_yaml
            .contains("notes: |\n  调整 GZ-001 的名称，**新增**证件遗失证明。\n\n  第二段。\n"),
        "{edition_yaml}"
    );
    let departments = site.read("content/lists/stamp/editions/2025/departments.yaml");
    assert!(
        departments.contains("police:") && !departments.contains("army:"),
        "only the departments the register names: {departments}"
    );
    let again = release(&site, &[]);
    again.code(2);
    assert!(
        again
            .stderr
            .contains("edition `2025` of `stamp` already exists"),
        "{}",
        again.stderr
    );
}

/// A refused release: list, id, kind, published, effective, extra flags, and the message.
type Refusal<'a> = (
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a [&'a str],
    &'a str,
);

#[test]
fn every_release_refusal_leaves_the_tree_untouched() {
    let site = SiteTest::fixture("conformance");
    let before = tree(&site.root);
    let cases: [Refusal; 8] = [
        (
            "stamp",
            "2020",
            "year",
            "2025-01-01",
            "2025-01-01",
            &[],
            "already exists",
        ),
        (
            "creation",
            "2025",
            "year",
            "2025-01-01",
            "2025-01-01",
            &[],
            "nothing to release",
        ),
        (
            "stamp",
            "2025",
            "year",
            "2025-02-01",
            "2025-01-01",
            &[],
            "is before --published",
        ),
        (
            "stamp",
            "2019",
            "year",
            "2019-01-01",
            "2019-02-01",
            &[],
            "cannot take effect before the one it follows",
        ),
        (
            "stamp",
            "2025",
            "year",
            "2025-01-01",
            "2025-01-01",
            &["--doc-number", "示民[2025]1号"],
            "use `示民〔2025〕1号`",
        ),
        (
            "stamp",
            "bad/id",
            "year",
            "2025-01-01",
            "2025-01-01",
            &[],
            "not a valid edition id",
        ),
        (
            "stamp",
            "2025",
            "yearly",
            "2025-01-01",
            "2025-01-01",
            &[],
            "use one of: year, batch, revision, trial",
        ),
        (
            "stamp",
            "2025",
            "year",
            "2025-02-30",
            "2025-03-01",
            &[],
            "not a real YYYY-MM-DD date",
        ),
    ];
    let cases = cases.map(|(list, id, kind, published, effective, extra, message)| {
        let mut args = vec![
            "release",
            list,
            id,
            "--label",
            "x",
            "--kind",
            kind,
            "--title",
            "t",
            "--issuer",
            "i",
            "--published",
            published,
            "--effective",
            effective,
        ];
        args.extend_from_slice(extra);
        (args, message)
    });
    for (args, message) in cases {
        let run = site.run(&args);
        run.code(2);
        assert!(run.stderr.contains(message), "{args:?}: {}", run.stderr);
        assert!(tree(&site.root) == before, "{args:?} changed the tree");
    }
    site.write(
        "content/lists/stamp/items/GZ-014.yaml",
        "title: 证件遗失证明\ncategory: 财产收入\ndepartments: [police]\nverdict: refuse\n",
    );
    let before = tree(&site.root);
    let run = release(&site, &[]);
    run.code(1);
    assert!(
        run.stderr.contains("error[refuse-without-instead]")
            && run.stderr.contains("release refused"),
        "{}",
        run.stderr
    );
    assert!(
        tree(&site.root) == before,
        "a release with content errors changed the tree"
    );
}

#[test]
fn a_tampered_edition_fails_check() {
    let site = SiteTest::fixture("conformance");
    let path = "content/lists/stamp/editions/2020/items/GZ-005.yaml";
    site.write(path, site.read(path).replace("公证处", "司法局"));
    let run = site.run(&["check", "--format", "json", "--quiet"]);
    run.code(1);
    assert!(
        run.stdout.contains("\"code\":\"edition-modified\"")
            && run.stdout.contains("editions/2020/items/GZ-005.yaml"),
        "{}",
        run.stdout
    );
}

fn built(args: &[&str]) -> SiteTest {
    let site = SiteTest::fixture("conformance");
    let mut all = vec!["build"];
    all.extend_from_slice(args);
    site.run(&all).success();
    site
}

fn main_of(html: &str) -> String {
    html[html.find("<main").expect("main")..html.find("</main>").expect("/main")].to_owned()
}

#[test]
fn the_2020_edition_page_groups_its_changes() {
    let site = built(&[]);
    let page = main_of(&site.read("public/stamp/editions/2020/index.html"));
    let section = |from: &str, to: &str| {
        page[page.find(from).expect(from)..page.find(to).expect(to)].to_owned()
    };
    let changed = section("调整事项", "新增事项");
    let added = section("新增事项", "退出事项");
    let removed = section("退出事项", "本版全部事项");
    assert!(
        changed.contains("GZ-004") && changed.contains("GZ-011") && !changed.contains("GZ-012"),
        "{changed}"
    );
    assert!(changed.contains("<span class=\"badge badge-issue\">可出具</span> → <span class=\"badge badge-refuse\">不予出具</span>"), "GZ-011's flip is highlighted");
    assert!(
        added.contains("GZ-012") && added.contains("GZ-013") && added.contains("GZ-009 并入GZ-013"),
        "{added}"
    );
    assert!(
        removed.contains("GZ-002")
            && removed.contains("GZ-009")
            && removed.contains("href=\"../../../stamp/editions/2015/GZ-009/\""),
        "{removed}"
    );
    for reason in [
        "社区活动情况改由活动组织方出具。",
        "缩短办理时限，材料增加低保证。",
        "改由人社部门生存认证，社区不再出具。",
        "依据民发〔2020〕20号列入不予出具清单。",
        "合并原<a class=\"xref\" href=\"../../../stamp/GZ-009/\">GZ-009</a>，扩大适用范围。",
    ] {
        assert!(page.contains(reason), "reason {reason} is shown");
    }
    let index = main_of(&site.read("public/stamp/editions/index.html"));
    assert!(
        index.find("2020年版").expect("2020") < index.find("2015年版").expect("2015"),
        "newest first"
    );
    assert!(index.contains("新增 2 项，退出 2 项，修改 2 项"), "{index}");
    assert!(index.contains("现行") && index.contains("已被替代"));
}

#[test]
fn item_pages_show_their_timeline_and_old_urls_keep_working() {
    let site = built(&[]);
    let gz11 = main_of(&site.read("public/stamp/GZ-011/index.html"));
    let timeline = &gz11[gz11.find("历次调整").expect("timeline")..];
    assert!(
        timeline.find("2020年版").expect("2020") < timeline.find("2015年版").expect("2015"),
        "newest first"
    );
    assert!(
        timeline.contains("改由人社部门生存认证，社区不再出具。")
            && timeline.contains("<span class=\"flip\">可出具 → 不予出具</span>"),
        "{timeline}"
    );
    assert!(timeline.contains("href=\"../../stamp/editions/2020/GZ-011/\""));
    let old = main_of(&site.read("public/stamp/editions/2015/GZ-011/index.html"));
    assert!(
        old.contains("历史版本")
            && old.contains("社区可出具")
            && old.contains("href=\"../../../../stamp/GZ-011/\""),
        "the 2015 page shows the item as it was, linking to the current one"
    );
    let gone = main_of(&site.read("public/stamp/GZ-002/index.html"));
    assert!(
        gone.contains("该事项已于<a href=\"../../stamp/editions/2020/\">2020年版</a>退出名录"),
        "{gone}"
    );
    assert!(
        gone.contains("社区活动情况改由活动组织方出具。")
            && gone.contains("href=\"../../stamp/editions/2015/GZ-002/\"")
    );
    let merged = main_of(&site.read("public/stamp/GZ-009/index.html"));
    assert!(
        merged
            .contains("已并入</strong><a class=\"now-link\" href=\"../../stamp/GZ-013/\">GZ-013 "),
        "{merged}"
    );
    let frozen = main_of(&site.read("public/stamp/editions/2015/GZ-009/index.html"));
    assert!(
        frozen.contains("已退出") && frozen.contains("并入"),
        "{frozen}"
    );
}

fn child<'a, 'i>(n: roxmltree::Node<'a, 'i>, name: &str) -> Option<roxmltree::Node<'a, 'i>> {
    n.children()
        .find(|c| c.has_tag_name(("http://www.w3.org/2005/Atom", name)))
}

#[test]
fn changes_page_and_feeds() {
    let site = built(&[]);
    let changes = main_of(&site.read("public/changes/index.html"));
    assert!(
        changes.contains("规范社区盖章事项名录：<a") && changes.contains("GZ-011"),
        "{changes}"
    );
    for feed in [
        "public/changes.atom",
        "public/stamp/changes.atom",
        "public/work/changes.atom",
    ] {
        let text = site.read(feed);
        let doc =
            roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{feed} is not XML: {e}"));
        let root = doc.root_element();
        let atom = "http://www.w3.org/2005/Atom";
        assert_eq!(
            (root.tag_name().namespace(), root.tag_name().name()),
            (Some(atom), "feed")
        );
        for required in ["id", "title", "updated", "author"] {
            assert!(
                child(root, required).is_some(),
                "{feed}: feed has no <{required}>"
            );
        }
        let entries: Vec<_> = root
            .children()
            .filter(|c| c.has_tag_name((atom, "entry")))
            .collect();
        assert!(!entries.is_empty(), "{feed} has entries");
        for e in &entries {
            for required in ["id", "title", "updated"] {
                assert!(
                    child(*e, required).is_some_and(|n| !n.text().unwrap_or("").is_empty()),
                    "{feed}: entry without <{required}>"
                );
            }
            assert!(
                e.children()
                    .any(|c| c.has_tag_name((atom, "link"))
                        && c.attribute("rel") == Some("alternate"))
            );
            let updated = child(*e, "updated")
                .and_then(|n| n.text())
                .expect("updated");
            assert!(
                updated.len() == 25 && updated.ends_with("T00:00:00+08:00"),
                "RFC 3339 date: {updated}"
            );
        }
        let ids: std::collections::BTreeSet<_> = entries
            .iter()
            .filter_map(|e| child(*e, "id").and_then(|n| n.text()))
            .collect();
        assert_eq!(ids.len(), entries.len(), "{feed}: entry ids are unique");
    }
    let stamp = site.read("public/stamp/changes.atom");
    assert!(stamp.contains("<id>https://example.org/registers/stamp/editions/2020/</id>"));
    assert!(stamp.contains("<updated>2020-04-28T00:00:00+08:00</updated>"));
}

#[test]
fn drafts_only_with_the_flag() {
    let public = built(&[]);
    assert!(!public.root.join("public/draft").exists());
    let site = built(&["--drafts"]);
    let gz14 = site.read("public/draft/stamp/GZ-014/index.html");
    assert!(gz14.contains("证件遗失证明") && gz14.contains("class=\"draft-banner\""));
    let gz1 = main_of(&site.read("public/draft/stamp/GZ-001/index.html"));
    assert!(
        gz1.contains("本事项待发布的修改")
            && gz1.contains("居民在社区居住情况证明")
            && gz1.contains("居民在本社区居住情况证明"),
        "{gz1}"
    );
    let home = main_of(&site.read("public/draft/index.html"));
    assert!(
        home.contains("SX-007") && home.contains("GZ-014"),
        "pending changes listed on the draft home"
    );
    for (path, bytes) in tree(&site.root.join("public/draft"))
        .into_iter()
        .filter(|(p, _)| p.ends_with(".html"))
    {
        assert!(
            String::from_utf8_lossy(&bytes).contains("class=\"draft-banner\""),
            "{path} has no 草稿 banner"
        );
    }
    assert!(
        !site
            .read("public/stamp/GZ-001/index.html")
            .contains("居民在本社区居住情况证明"),
        "the public page is unchanged"
    );
    crawl(&site.root.join("public"), "/registers/");
}

#[test]
fn builds_with_history_and_drafts_are_deterministic() {
    let site = SiteTest::fixture("conformance");
    for out in ["one", "two"] {
        site.run(&[
            "build",
            "--drafts",
            "--output",
            &site.root.join(out).to_string_lossy(),
        ])
        .success();
    }
    let (a, b) = (tree(&site.root.join("one")), tree(&site.root.join("two")));
    assert!(a.len() > 150, "{} files", a.len());
    assert!(a == b, "two builds differ");
}

#[test]
fn an_upcoming_edition_is_previewed_while_the_current_one_stays_in_force() {
    let site = SiteTest::fixture("conformance");
    release_dated(&site, "2025-11-01", "2026-07-01", &[]).success();
    site.run(&["build"]).success();
    let register = main_of(&site.read("public/stamp/index.html"));
    assert!(
        register.contains(
            "2020年版（示民〔2020〕12号），<time datetime=\"2020-05-01\">2020-05-01</time>起施行"
        ),
        "2020 stays in force"
    );
    assert!(
        register.contains("即将施行</strong> <a href=\"../stamp/editions/2025/\">2025年版</a>")
            && register.contains("2026-07-01"),
        "{register}"
    );
    assert!(
        !site.root.join("public/stamp/GZ-014").exists(),
        "the upcoming edition's new item is not current yet"
    );
    assert!(
        site.root
            .join("public/stamp/editions/2025/GZ-014/index.html")
            .is_file()
    );
    let gz1 = main_of(&site.read("public/stamp/GZ-001/index.html"));
    assert!(
        gz1.contains("居民在社区居住情况证明") && gz1.contains("timeline-upcoming"),
        "the current item previews its upcoming change"
    );
    crawl(&site.root.join("public"), "/registers/");
}

#[test]
fn the_bundled_example_has_history() {
    let site = SiteTest::empty("example-history");
    crate::support::copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("content"),
        &site.root.join("content"),
    );
    site.run(&["build", "--drafts"]).success();
    assert!(
        site.root
            .join("public/stamp/editions/2015/index.html")
            .is_file()
    );
    crawl(&site.root.join("public"), "/minglu/");
}

/// A rebuild carries unchanged frozen editions over from the previous output;
/// the result must be exactly what a clean build gives, and any change that
/// affects those pages must make them render again.
#[test]
fn rebuilds_reuse_unchanged_editions_and_stay_identical_to_clean_builds() {
    let site = SiteTest::fixture("conformance");
    let clean = |name: &str| {
        let out = site.root.join(name);
        let _ = std::fs::remove_dir_all(&out);
        site.run(&["build", "--output", &out.to_string_lossy()])
            .success();
        tree(&out)
    };
    let first = site.run(&["build"]);
    first.success();
    assert!(
        !first.stderr.contains("kept from the previous build"),
        "{}",
        first.stderr
    );
    let second = site.run(&["build"]);
    second.success();
    assert!(
        second
            .stderr
            .contains("unchanged frozen pages kept from the previous build"),
        "{}",
        second.stderr
    );
    assert!(
        tree(&site.root.join("public")) == clean("clean-1"),
        "a rebuild differs from a clean build"
    );

    let builtin = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates/edition.html"),
    )
    .expect("template");
    site.write(
        "themes/default/templates/edition.html",
        builtin.replace("{% block main %}", "{% block main %}<!-- override -->"),
    );
    let third = site.run(&["build"]);
    third.success();
    assert!(
        !third.stderr.contains("kept from the previous build"),
        "a theme change renders every page again: {}",
        third.stderr
    );
    assert!(
        site.read("public/stamp/editions/2015/index.html")
            .contains("<!-- override -->")
    );
    assert!(tree(&site.root.join("public")) == clean("clean-2"));

    release(&site, &[]).success();
    let fourth = site.run(&["build"]);
    fourth.success();
    assert!(
        fourth.stderr.contains("kept from the previous build"),
        "work and creation are unchanged: {}",
        fourth.stderr
    );
    let old = site.read("public/stamp/editions/2020/GZ-005/index.html");
    assert!(
        old.contains("历史版本") && !old.contains("tag-ok\">现行版本"),
        "the 2020 pages now say they are superseded"
    );
    assert!(tree(&site.root.join("public")) == clean("clean-3"));
}

#[test]
fn department_renames_are_shown() {
    let site = SiteTest::fixture("conformance");
    let departments = site
        .read("content/departments.yaml")
        .replace("name: 示例市卫生健康委员会", "name: 示例市卫生健康局");
    site.write("content/departments.yaml", departments);
    let md = site.run(&["diff", "stamp", "--format", "markdown"]);
    md.success();
    assert!(
        md.stdout
            .contains("| 部门 `health` name | 示例市卫生健康委员会 | 示例市卫生健康局 |"),
        "{}",
        md.stdout
    );
    let json = site.run(&["diff", "stamp", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).expect("json");
    let d = &v[0]["diff"]["departments"][0];
    assert_eq!(
        (
            d["id"].as_str(),
            d["kind"].as_str(),
            d["fields"][0]["field"].as_str()
        ),
        (Some("health"), Some("changed"), Some("name"))
    );
}
