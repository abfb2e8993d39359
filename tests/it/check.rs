//! `minglu check`: one fixture per rule, with its exact output pinned.
//!
//! Each folder in `tests/fixtures/check/` is an overlay on `tests/fixtures/base`
//! (files to add or replace, and a `REMOVE` list); its `expected.txt` is the
//! exact diagnostic output: code, `path:line:column`, source line, caret, help;
//! `expected.zh.txt` is the same run with `--lang zh`, at the same positions.

use std::collections::BTreeSet;
use std::fs;

use minglu::diagnostic::{Code, Lang};

use crate::support::{SiteTest, assert_golden, fixtures};

fn cases() -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(fixtures().join("check"))
        .expect("check fixtures")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn run_case(name: &str, lang: Lang) -> (i32, String, String) {
    let dir = fixtures().join("check").join(name);
    // An optional `ENV` file holds `NAME=value` lines for the run.
    let env_text = fs::read_to_string(dir.join("ENV")).unwrap_or_default();
    let env: Vec<(&str, &str)> = env_text.lines().filter_map(|l| l.split_once('=')).collect();
    let site = SiteTest::fixture("base").overlay(&dir);
    let lang = lang.pick("en", "zh");
    let text = site.run_env(&["check", "--lang", lang], &env);
    let json = site.run_env(
        &["check", "--lang", lang, "--format", "json", "--quiet"],
        &env,
    );
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
        for (lang, golden) in [(Lang::En, "expected.txt"), (Lang::Zh, "expected.zh.txt")] {
            let (code, stderr, json) = run_case(&name, lang);
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
                assert_golden(&fixtures().join("check").join(&name).join(golden), &stderr);
            });
            if result.is_err() {
                failures.push(format!("{name}/{golden}"));
            }
        }
    }
    assert!(failures.is_empty(), "golden mismatches: {failures:?}");
}

/// The lines of terminal output that carry a position (`--> path:line:col`,
/// `::: path:line:col`) and the source lines with their numbers.
fn position_lines(output: &str) -> Vec<&str> {
    output
        .lines()
        .filter(|l| {
            let t = l.trim_start();
            t.starts_with("--> ")
                || t.starts_with("::: ")
                || t.split_once(" | ")
                    .is_some_and(|(n, _)| n.trim().parse::<u32>().is_ok())
        })
        .collect()
}

/// Each diagnostic's code, severity and every position, without its words.
fn json_positions(json: &str) -> Vec<String> {
    json.lines()
        .map(|l| {
            let mut v: serde_json::Value = serde_json::from_str(l).expect("JSON line");
            for key in ["message", "help"] {
                v[key] = serde_json::Value::Null;
            }
            for r in v["related"].as_array_mut().into_iter().flatten() {
                r["message"] = serde_json::Value::Null;
            }
            v.to_string()
        })
        .collect()
}

/// `--lang zh` changes the words only: the same diagnostics at the same
/// positions, with the same source excerpts, in the same order.
#[test]
fn chinese_output_has_the_english_positions() {
    for name in cases() {
        let (en_code, en_text, en_json) = run_case(&name, Lang::En);
        let (zh_code, zh_text, zh_json) = run_case(&name, Lang::Zh);
        assert_eq!(en_code, zh_code, "{name}: exit code");
        let (en_pos, zh_pos) = (position_lines(&en_text), position_lines(&zh_text));
        assert!(!en_pos.is_empty(), "{name}: no position in\n{en_text}");
        assert_eq!(en_pos, zh_pos, "{name}: positions differ");
        assert_eq!(json_positions(&en_json), json_positions(&zh_json), "{name}");
        assert_ne!(
            en_text, zh_text,
            "{name}: the Chinese output is the English one"
        );
        assert!(
            zh_text.contains("错误[") || zh_text.contains("警告["),
            "{name}: {zh_text}"
        );
    }
}

/// English words that only an untranslated message would contain.
const ENGLISH_WORDS: &[&str] = &[
    "expected", "field", "missing", "must", "found", "should", "cannot", "not", "the", "is", "are",
    "use", "add", "remove", "write", "file", "value", "here", "this", "error", "help", "warning",
    "register", "item", "edition", "date", "number", "text", "list", "mapping", "instead", "did",
    "you", "mean", "with", "without", "defined", "unknown", "invalid",
];

/// Removes `code spans` (field names, values and quoted engine messages),
/// paths and URLs, which stay as they are in every language.
fn prose(s: &str) -> String {
    let mut out = String::new();
    for (i, part) in s.split('`').enumerate() {
        if i % 2 == 0 {
            out.push_str(part);
            out.push(' ');
        }
    }
    out.split_whitespace()
        .filter(|w| !w.contains('/') && !w.contains('.') && !w.contains('_'))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Every message, help and note that `--lang zh` prints is Chinese: it has Chinese
/// characters and, outside `code spans`, paths and URLs, none of the English words
/// that messages are made of.
#[test]
fn chinese_messages_are_translated() {
    let mut texts = Vec::new();
    for name in cases() {
        let (_, _, json) = run_case(&name, Lang::Zh);
        for line in json.lines() {
            let v: serde_json::Value = serde_json::from_str(line).expect("JSON line");
            let related = v["related"].as_array().cloned().unwrap_or_default();
            let all = [v["message"].clone(), v["help"].clone()]
                .into_iter()
                .chain(related.iter().map(|r| r["message"].clone()));
            for t in all.filter_map(|t| t.as_str().map(str::to_owned)) {
                texts.push((name.clone(), t));
            }
        }
    }
    assert!(texts.len() > 80, "{} texts", texts.len());
    for (name, text) in &texts {
        assert!(
            text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{name}: no Chinese in {text:?}"
        );
        let words = prose(text).to_lowercase();
        let english: Vec<&&str> = ENGLISH_WORDS
            .iter()
            .filter(|w| {
                words
                    .split(|c: char| !c.is_ascii_alphabetic())
                    .any(|x| x == **w)
            })
            .collect();
        assert!(english.is_empty(), "{name}: {english:?} in {text:?}");
    }
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
    let zh = site.run(&[
        "check",
        "--lang",
        "zh",
        "--explain",
        "refuse-without-instead",
    ]);
    zh.success();
    assert!(
        zh.stdout
            .starts_with("refuse-without-instead\n\n检查内容\n  `verdict: refuse` 的盖章事项"),
        "{}",
        zh.stdout
    );
    assert!(
        zh.stdout.contains("改正方法\n  添加 `instead:`"),
        "{}",
        zh.stdout
    );
    let unknown = site.run(&["check", "--lang", "zh", "--explain", "no-such-code"]);
    unknown.code(2);
    assert!(
        unknown
            .stderr
            .starts_with("错误：未知的代码 `no-such-code`"),
        "{}",
        unknown.stderr
    );
}

/// `docs/check-rules.md` and its Chinese version `docs/check-rules.zh.md` are
/// generated from the rules' own documentation.
#[test]
fn rules_documentation_is_current() {
    let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");
    let en = minglu::diagnostic::rules_markdown(Lang::En);
    assert!(en.contains("**What it checks.** Every content file is UTF-8"));
    assert_golden(&docs.join("check-rules.md"), &en);
    let zh = minglu::diagnostic::rules_markdown(Lang::Zh);
    assert!(zh.contains("**检查内容：** 每个内容文件都使用 UTF-8 编码"));
    assert_golden(&docs.join("check-rules.zh.md"), &zh);
    for code in Code::ALL {
        let anchor = format!("\n## {}\n", code.as_str());
        assert!(en.contains(&anchor) && zh.contains(&anchor), "{code}");
    }
}

/// Every Chinese text written at a push site (`zh: "…"` in `src/`, including the
/// messages no fixture triggers) is Chinese: placeholders (`{name}`), `code spans`,
/// paths and URLs aside, none of the English words messages are made of.
#[test]
fn every_chinese_text_in_the_source_is_translated() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    let mut dirs = vec![src];
    while let Some(dir) = dirs.pop() {
        for entry in fs::read_dir(dir).expect("read src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    let mut seen = 0;
    for file in files {
        let text = fs::read_to_string(&file).expect("read source");
        for (n, line) in text.lines().enumerate() {
            let Some(start) = line.find("zh: \"") else {
                continue;
            };
            let literal = &line[start + 5..];
            let literal = &literal[..literal.rfind('"').unwrap_or(literal.len())];
            let without_placeholders: String = literal
                .split('{')
                .map(|part| part.split_once('}').map_or(part, |(_, rest)| rest))
                .collect::<Vec<_>>()
                .join(" ");
            let words = prose(&without_placeholders).to_lowercase();
            let english: Vec<&&str> = ENGLISH_WORDS
                .iter()
                .filter(|w| {
                    words
                        .split(|c: char| !c.is_ascii_alphabetic())
                        .any(|x| x == **w)
                })
                .collect();
            let at = format!("{}:{}", file.display(), n + 1);
            assert!(english.is_empty(), "{at}: {english:?} in {literal:?}");
            let cjk = literal
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
            assert!(
                cjk || !words.chars().any(|c| c.is_ascii_alphabetic()),
                "{at}: no Chinese in {literal:?}"
            );
            seen += 1;
        }
    }
    assert!(seen > 150, "only {seen} Chinese texts found");
}

/// The loader parses byte-identical files once (an item unchanged across
/// editions, or in the working copy and the newest edition): every copy must
/// still get its own diagnostics, at its own path, line and column, exactly
/// as if it had been parsed on its own.
#[test]
fn identical_files_each_get_their_own_diagnostics() {
    let site = SiteTest::fixture("base");
    let bad = "title: 居民在本社区居住情况证明\ncategory: 住所居住\ndepartments: [civil, nowhere]\npurposes: [入学]\nverdict: issue\ncolour: 红\n";
    let edition = "content/lists/stamp/editions/2020";
    let working = "content/lists/stamp/items/GZ-001.yaml";
    site.write(working, bad);
    site.write(&format!("{edition}/items/GZ-001.yaml"), bad);
    let sums = site.read(&format!("{edition}/SHA256SUMS"));
    let digest = minglu::content::seal::sha256_hex(bad.as_bytes());
    let sums: String = sums
        .lines()
        .map(|l| match l.split_once("  ") {
            Some((_, "items/GZ-001.yaml")) => format!("{digest}  items/GZ-001.yaml\n"),
            _ => format!("{l}\n"),
        })
        .collect();
    site.write(&format!("{edition}/SHA256SUMS"), sums);
    let run = site.run(&["check", "--format", "json", "--quiet"]);
    run.code(1);
    let mut seen: Vec<(String, String, u64, u64)> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("a JSON line"))
        .map(|d| {
            (
                d["code"].as_str().unwrap_or_default().to_owned(),
                d["file"].as_str().unwrap_or_default().to_owned(),
                d["line"].as_u64().unwrap_or_default(),
                d["column"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    seen.sort();
    let at =
        |code: &str, path: &str, line, column| (code.to_owned(), path.to_owned(), line, column);
    let frozen = format!("{edition}/items/GZ-001.yaml");
    let want = vec![
        at("dangling-department", &frozen, 3, 22),
        at("dangling-department", working, 3, 22),
        at("unknown-field", &frozen, 6, 1),
        at("unknown-field", working, 6, 1),
    ];
    assert_eq!(seen, want, "{}", run.stdout);
}
