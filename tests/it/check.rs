//! `minglu check`: one fixture per rule, with its exact output pinned.
//!
//! Each folder in `tests/fixtures/check/` is an overlay on `tests/fixtures/base`
//! (files to add or replace, and a `REMOVE` list); its `expected.txt` is the
//! exact diagnostic output: code, `path:line:column`, source line, caret, help.

use std::collections::BTreeSet;
use std::fs;

use minglu::diagnostic::Code;

use crate::support::{SiteTest, assert_golden, fixtures};

fn cases() -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(fixtures().join("check"))
        .expect("check fixtures")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn run_case(name: &str) -> (i32, String, String) {
    let dir = fixtures().join("check").join(name);
    // An optional `ENV` file holds `NAME=value` lines for the run.
    let env_text = fs::read_to_string(dir.join("ENV")).unwrap_or_default();
    let env: Vec<(&str, &str)> = env_text.lines().filter_map(|l| l.split_once('=')).collect();
    let site = SiteTest::fixture("base").overlay(&dir);
    let text = site.run_env(&["check"], &env);
    let json = site.run_env(&["check", "--format", "json", "--quiet"], &env);
    assert_eq!(
        text.code, json.code,
        "{name}: the format does not change the exit code"
    );
    (text.code, text.stderr, json.stdout)
}

#[test]
fn base_site_is_clean() {
    let site = SiteTest::fixture("base");
    let run = site.run(&["check"]);
    run.success();
    assert_eq!(run.stderr, "checked 26 files: 0 error(s), 0 warning(s)\n");
}

#[test]
fn every_rule_fixture_matches_its_expected_output() {
    let mut failures = Vec::new();
    for name in cases() {
        let (code, stderr, json) = run_case(&name);
        let errors = json
            .lines()
            .filter(|l| l.contains("\"severity\":\"error\""))
            .count();
        assert_eq!(
            code,
            i32::from(errors > 0),
            "{name}: exit code follows the errors\n{stderr}"
        );
        assert!(
            !json.is_empty(),
            "{name}: the fixture triggers no diagnostic"
        );
        let result = std::panic::catch_unwind(|| {
            assert_golden(
                &fixtures().join("check").join(&name).join("expected.txt"),
                &stderr,
            );
        });
        if result.is_err() {
            failures.push(name);
        }
    }
    assert!(failures.is_empty(), "golden mismatches: {failures:?}");
}

#[test]
fn every_code_has_a_fixture() {
    let mut seen = BTreeSet::new();
    for name in cases() {
        let expected =
            fs::read_to_string(fixtures().join("check").join(&name).join("expected.txt"))
                .unwrap_or_default();
        for code in Code::ALL {
            if expected.contains(&format!("[{}]", code.as_str())) {
                seen.insert(code.as_str());
            }
        }
    }
    // symlink-escape needs a symbolic link, made by `symlinks_out_of_content_are_refused`.
    seen.insert(Code::SymlinkEscape.as_str());
    // special-file needs a FIFO, made by `reading::fifos_and_devices_never_hang`.
    seen.insert(Code::SpecialFile.as_str());
    let missing: Vec<&str> = Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !seen.contains(c))
        .collect();
    assert!(missing.is_empty(), "codes without a fixture: {missing:?}");
}

#[test]
fn json_and_github_formats_carry_the_same_positions() {
    let site = SiteTest::fixture("base").overlay(&fixtures().join("check/dangling-department"));
    let json = site.run(&["check", "--format", "json", "--quiet"]);
    json.code(1);
    let first: serde_json::Value =
        serde_json::from_str(json.stdout.lines().next().expect("a line")).expect("JSON line");
    assert_eq!(first["code"], "dangling-department");
    assert_eq!(first["file"], "content/lists/stamp/items/GZ-002.yaml");
    assert_eq!(
        (first["line"].as_u64(), first["column"].as_u64()),
        (Some(3), Some(15))
    );
    assert_eq!(first["message"], "department `polic` is not defined");
    let github = site.run(&["check", "--format", "github", "--quiet"]);
    assert!(
        github.stdout.starts_with("::error file=content/lists/stamp/items/GZ-002.yaml,line=3,col=15,title=dangling-department::department `polic` is not defined%0Ahelp: did you mean `police`?"),
        "{}",
        github.stdout
    );
    assert_eq!(github.stdout.lines().count(), json.stdout.lines().count());
}

#[test]
fn symlinks_out_of_content_are_refused() {
    let site = SiteTest::fixture("base");
    let outside = site.root.join("secret.yaml");
    fs::write(&outside, "title: 不应读取\n").expect("write");
    std::os::unix::fs::symlink(
        &outside,
        site.root.join("content/lists/stamp/items/GZ-009.yaml"),
    )
    .expect("symlink");
    let inside = site.root.join("content/lists/stamp/items/GZ-001.yaml");
    std::os::unix::fs::symlink(
        &inside,
        site.root.join("content/lists/stamp/items/GZ-010.yaml"),
    )
    .expect("symlink");
    let run = site.run(&["check", "--format", "json", "--quiet"]);
    run.code(1);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines.len(),
        1,
        "only the link leaving content/ is refused: {lines:?}"
    );
    assert!(
        lines[0].contains("\"code\":\"symlink-escape\"") && lines[0].contains("GZ-009.yaml"),
        "{}",
        lines[0]
    );
}

#[test]
fn billion_laughs_fails_fast() {
    let mut src = String::from(
        "a: &a [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n",
    );
    for i in 0..40 {
        let prev = if i == 0 {
            "a".to_owned()
        } else {
            format!("l{}", i - 1)
        };
        src.push_str(&format!(
            "l{i}: &l{i} [{}]\n",
            vec![format!("*{prev}"); 9].join(", ")
        ));
    }
    let site = SiteTest::fixture("base");
    site.write("content/lists/stamp/items/GZ-001.yaml", &src);
    let start = std::time::Instant::now();
    let run = site.run(&["check", "--format", "json", "--quiet"]);
    run.code(1);
    assert!(
        run.stdout.contains("\"code\":\"yaml-alias\""),
        "{}",
        run.stdout
    );
    assert!(start.elapsed().as_secs() < 10, "took {:?}", start.elapsed());
}

#[test]
fn every_problem_in_one_file_is_reported() {
    let site = SiteTest::fixture("base");
    site.write(
        "content/lists/stamp/items/GZ-001.yaml",
        "title: 2015\ncategory: 住所居住\ndepartments: [civil]\nverdit: issue\nverdict: no\nfee: true\nsources: [www.gov.cn]\n",
    );
    let run = site.run(&["check", "--format", "json", "--quiet"]);
    let codes: Vec<String> = run
        .stdout
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).expect("json")["code"]
                .as_str()
                .expect("code")
                .to_owned()
        })
        .collect();
    assert_eq!(
        codes,
        [
            "wrong-type",
            "unknown-field",
            "invalid-value",
            "wrong-type",
            "invalid-url"
        ]
    );
}

#[test]
fn explain_prints_the_rule() {
    let site = SiteTest::empty("explain");
    let run = site.run(&["check", "--explain", "refuse-without-instead"]);
    run.success();
    assert!(
        run.stdout
            .starts_with("refuse-without-instead\n\nWhat it checks\n"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("Fix\n  Add `instead:`"));
    site.run(&["check", "--explain", "no-such-code"]).code(2);
}

/// `docs/check-rules.md` is generated from the rules' own documentation.
#[test]
fn rules_documentation_is_current() {
    let mut doc = String::from(
        "# Check rules\n\nEvery diagnostic `minglu check` prints has a stable code. This page is generated from\nthe rules' documentation in `src/diagnostic/code.rs` (`minglu check --explain <code>` prints\nthe same); a test keeps it current (`MINGLU_BLESS=1 cargo test` rewrites it).\n\n| code | checks |\n|---|---|\n",
    );
    for code in Code::ALL {
        doc.push_str(&format!(
            "| [`{0}`](#{0}) | {1} |\n",
            code.as_str(),
            code.rule().what.replace('|', "\\|")
        ));
    }
    for code in Code::ALL {
        let r = code.rule();
        doc.push_str(&format!(
            "\n## {}\n\n**What it checks.** {}\n\n**Why.** {}\n\n**Example.**\n\n```yaml\n{}\n```\n\n**Fix.** {}\n",
            code.as_str(),
            r.what,
            r.why,
            r.example,
            r.fix
        ));
    }
    assert_golden(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/check-rules.md"),
        &doc,
    );
}
