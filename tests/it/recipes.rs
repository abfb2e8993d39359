//! The CI recipes under `docs/ci/` run the commands they name against the bundled
//! example, so a recipe that names a flag or subcommand the binary does not have fails here.

use std::path::Path;
use std::process::Command;

use crate::support::{EPOCH, SiteTest, copy_dir};

const SUBCOMMANDS: &[&str] = &[
    "build", "check", "diff", "release", "init", "serve", "schema",
];

/// Every `minglu <subcommand> …` invocation in a recipe, up to the first shell operator.
fn invocations(recipe: &str) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    for line in recipe.lines() {
        let line = line.split(" #").next().unwrap_or(line);
        let words: Vec<&str> = line.split_whitespace().collect();
        for (i, w) in words.iter().enumerate() {
            let Some(next) = words.get(i + 1) else { break };
            if *w != "minglu" || !SUBCOMMANDS.contains(next) {
                continue;
            }
            let args = words[i + 1..]
                .iter()
                .take_while(|a| !matches!(**a, ">" | "|" | "||" | "&&" | ";" | "2>&1"))
                .map(|a| (*a).to_owned())
                .collect();
            found.push(args);
        }
    }
    found
}

fn run_recipe(file: &str, must_have: &[&str]) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("docs/ci")
        .join(file);
    let recipe = std::fs::read_to_string(&path).expect("read recipe");
    let commands = invocations(&recipe);
    for sub in must_have {
        assert!(
            commands.iter().any(|c| c[0] == *sub),
            "{file} should run `minglu {sub}`: {commands:?}"
        );
    }
    let site = SiteTest::empty(&format!("recipe-{file}"));
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("content"),
        &site.root.join("content"),
    );
    for args in &commands {
        let out = Command::new(env!("CARGO_BIN_EXE_minglu"))
            .args(args)
            .current_dir(&site.root)
            .env("SOURCE_DATE_EPOCH", EPOCH)
            .env("NO_COLOR", "1")
            .output()
            .expect("run minglu");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{file}: `minglu {}` failed:\n{}{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        if args.join(" ").contains("--format gitlab") {
            let report: serde_json::Value =
                serde_json::from_slice(&out.stdout).expect("a code quality report is JSON");
            assert!(report.is_array(), "GitLab expects a JSON array: {report}");
        }
    }
    assert!(site.root.join("public/index.html").is_file() || !must_have.contains(&"build"));
}

#[test]
fn the_github_actions_recipe_runs_on_the_example() {
    run_recipe("github-actions.yml", &["check", "diff", "build"]);
}

#[test]
fn the_gitlab_recipe_runs_on_the_example() {
    run_recipe("gitlab-ci.yml", &["check", "diff", "build"]);
}

#[test]
fn recipe_parsing_stops_at_shell_operators() {
    let found = invocations(
        "run: minglu diff --format markdown > out.md\n  - cargo install --git x minglu\n",
    );
    assert_eq!(found, vec![vec!["diff", "--format", "markdown"]]);
}

#[test]
fn the_gitlab_code_quality_report_points_at_each_problem() {
    let site = SiteTest::fixture("base")
        .overlay(&crate::support::fixtures().join("check/dangling-department"));
    let run = site.run(&["check", "--format", "gitlab"]);
    run.code(1);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    let issues = report.as_array().expect("an array");
    assert!(!issues.is_empty());
    for issue in issues {
        assert_eq!(issue["check_name"], "dangling-department", "{issue}");
        assert_eq!(issue["severity"], "major");
        assert!(
            issue["location"]["path"]
                .as_str()
                .expect("path")
                .starts_with("content/")
        );
        assert!(issue["location"]["lines"]["begin"].as_u64().expect("line") > 0);
        assert_eq!(
            issue["fingerprint"].as_str().expect("fingerprint").len(),
            64
        );
    }
    let clean = SiteTest::fixture("base").run(&["check", "--format", "gitlab"]);
    clean.code(0);
    assert_eq!(
        clean.stdout.trim(),
        "[]",
        "an empty report is still a report"
    );
}
