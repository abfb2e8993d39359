//! Fuzzing with a fixed budget (issue 11): random and hostile input through the
//! Markdown filter and through the whole loader (YAML reader, lowering, checks,
//! rendering), asserting that nothing panics and that no executable HTML comes
//! out — no `<script`, no `on…=` event attributes, no `javascript:` (or
//! `vbscript:`, `data:`) URLs. cargo-fuzz needs a nightly compiler; proptest runs
//! in every `cargo test`. `PROPTEST_CASES` raises the budget for a longer run.

use std::fs;
use std::path::Path;

use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};

use crate::support::{SiteTest, copy_dir, fixtures, without_qr_codes, without_theme_scripts};

/// Pieces that make Markdown, HTML and YAML interesting.
const PIECES: &[&str] = &[
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<svg/onload=alert(1)>",
    "<iframe src=javascript:alert(1)>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](jav&#x09;ascript:alert(1))",
    "[x](  javascript:alert(1) \"t\")",
    "![i](javascript:alert(1))",
    "![i](data:text/html,<script>alert(1)</script>)",
    "[x](vbscript:msgbox(1))",
    "<javascript:alert(1)>",
    "[r]: javascript:alert(1)\n\n[x][r]",
    "https://example.org/?q=<script>",
    "`<script>`",
    "```\n<script>\n```\n",
    "<!-- x -->",
    "<div onclick=\"x\">",
    "**强调，**文字",
    "中文\n段落",
    "# 标题\n",
    "| a | b |\n|---|---|\n| <b> | c |\n",
    "&lt;script&gt;",
    "&#60;script&#62;",
    "\"",
    "'",
    ": ",
    "- ",
    "\n",
    "  ",
    "[",
    "]",
    "(",
    ")",
    "<",
    ">",
    "&",
    "\\",
    "*",
    "_",
    "~~",
    "{",
    "}",
    "#",
    "!",
    "|",
    "---\n",
    "&a ",
    "*a ",
    "!!str ",
    "? ",
    "%YAML 1.2\n",
    "\t",
    "\u{1b}",
    "\r",
    "\u{85}",
    "\u{feff}",
    "\u{202e}",
    "é",
    "名录",
];

fn soup(max: usize) -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::collection::vec(prop::sample::select(PIECES), 0..max).prop_map(|v| v.concat()),
        1 => any::<String>(),
    ]
}

fn config(cases: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(cases);
    Config {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
        ..Config::default()
    }
}

/// The problems in `html`: executable tags, event attributes, script URLs.
/// Text is escaped in minglu's output, so every `<` followed by a letter is a tag.
fn executable(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    let lower = html.to_ascii_lowercase();
    let mut rest = lower.as_str();
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        let name: String = rest
            .trim_start_matches('/')
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        if name.is_empty() {
            continue;
        }
        if ["script", "iframe", "object", "embed", "svg", "math", "base"].contains(&name.as_str()) {
            found.push(format!("a <{name}> tag"));
        }
        let (attrs, after) = attributes(&rest[rest.find(&*name).unwrap_or(0) + name.len()..]);
        rest = after;
        for (key, value) in attrs {
            if key.starts_with("on") {
                found.push(format!("event attribute {key} in <{name}>"));
            }
            let value: String = value
                .chars()
                .filter(|c| !c.is_whitespace() && !c.is_control())
                .collect();
            if [
                "href",
                "src",
                "action",
                "formaction",
                "xlink:href",
                "srcset",
            ]
            .contains(&key.as_str())
                && ["javascript:", "vbscript:", "data:"]
                    .iter()
                    .any(|s| value.starts_with(s))
            {
                found.push(format!("script URL in <{name} {key}>"));
            }
        }
    }
    found
}

/// The attributes of a tag (the text after its name), and the text after the tag.
fn attributes(mut s: &str) -> (Vec<(String, String)>, &str) {
    let mut attrs = Vec::new();
    loop {
        s = s.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
        if s.is_empty() || s.starts_with('>') {
            return (attrs, s.get(1..).unwrap_or(""));
        }
        let end = s
            .find(|c: char| c.is_whitespace() || c == '=' || c == '>' || c == '/')
            .unwrap_or(s.len());
        let key = s[..end].to_owned();
        s = s[end..].trim_start();
        let mut value = String::new();
        if let Some(v) = s.strip_prefix('=') {
            let v = v.trim_start();
            if let Some(q) = v.chars().next().filter(|c| *c == '"' || *c == '\'') {
                let close = v[1..].find(q).map_or(v.len(), |k| k + 1);
                v[1..close].clone_into(&mut value);
                s = v.get(close + 1..).unwrap_or("");
            } else {
                let close = v
                    .find(|c: char| c.is_whitespace() || c == '>')
                    .unwrap_or(v.len());
                v[..close].clone_into(&mut value);
                s = &v[close..];
            }
        }
        if key.is_empty() {
            s = s.get(1..).unwrap_or("");
            continue;
        }
        attrs.push((key, value));
    }
}

#[test]
fn the_checker_finds_what_it_looks_for() {
    assert!(executable("<p>&lt;script&gt;</p><a href=\"/x\">a</a>").is_empty());
    assert!(executable("<meta content=\"a&lt;svg/onload=x&gt;\" name=d>").is_empty());
    assert_eq!(executable("<SCRIPT>x</SCRIPT>").len(), 2);
    assert_eq!(executable("<img src=x onerror=alert(1)>").len(), 1);
    assert_eq!(executable("<a href=\" javascript:x\">").len(), 1);
}

proptest! {
    #![proptest_config(config(1000))]

    #[test]
    fn markdown_never_yields_executable_html(md in soup(24)) {
        for offset in [0, 1] {
            let html = minglu::render::markdown::to_html(&md, offset);
            let problems = executable(&html);
            prop_assert!(problems.is_empty(), "{:?}\ninput: {:?}\nhtml: {}", problems, md, html);
        }
    }
}

/// A YAML double-quoted scalar holding `s` exactly (so the structure stays valid).
fn quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn all_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            all_files(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// Text without the control characters `check` refuses (they are tested by the
/// raw-YAML fuzz and the control-character rule).
fn printable(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect()
}

fn base_site() -> SiteTest {
    let site = SiteTest::empty("fuzz");
    copy_dir(&fixtures().join("base"), &site.root);
    site
}

const TODAY: jiff::civil::Date = jiff::civil::date(2025, 11, 24);

proptest! {
    #![proptest_config(config(200))]

    /// The YAML reader, lowering, checks and in-memory rendering on raw soup
    /// as an item file and as a page: `check` always runs to the end.
    #[test]
    fn the_loader_survives_any_yaml(raw in soup(40), page in soup(24)) {
        let site = base_site();
        site.write("content/lists/stamp/items/GZ-003.yaml", &raw);
        site.write("content/pages/fuzz.md", &page);
        let report = minglu::check(&minglu::CheckOptions { root: site.root.clone(), today: TODAY });
        let _ = fs::remove_dir_all(&site.root);
        prop_assert!(report.is_ok(), "check failed to run: {:?}", report.err());
    }
}

proptest! {
    #![proptest_config(config(48))]

    /// The whole build with hostile strings in well-formed fields and a hostile
    /// page body: it succeeds, and no output file holds executable HTML.
    #[test]
    fn hostile_text_never_becomes_executable(
        title in soup(8),
        summary in soup(8),
        body in soup(16),
        page in soup(16),
    ) {
        let site = base_site();
        let (title, summary, body, page) = (printable(&title), printable(&summary), printable(&body), printable(&page));
        site.write(
            "content/lists/stamp/items/GZ-004.yaml",
            format!(
                "title: {}\nsummary: {}\nbody: {}\ncategory: 住所居住\ndepartments: [civil]\nverdict: issue\n",
                quoted(&format!("事项{title}")), quoted(&summary), quoted(&body)
            ),
        );
        site.write("content/pages/fuzz.md", format!("---\ntitle: {}\n---\n{page}", quoted(&format!("页面{title}"))));
        let output = site.root.join("public");
        let built = minglu::build(&minglu::BuildOptions {
            root: site.root.clone(),
            output: output.clone(),
            base_url: None,
            today: TODAY,
            drafts: true,
            force: false,
            search: true,
        });
        prop_assert!(built.is_ok(), "build failed: {:?}", built.err());
        let mut files = Vec::new();
        all_files(&output, &mut files);
        for file in files {
            if file.starts_with(output.join("assets")) {
                continue; // the theme's own files, byte for byte
            }
            let Ok(text) = fs::read_to_string(&file) else { continue };
            let problems = executable(&without_qr_codes(&without_theme_scripts(&text)));
            prop_assert!(problems.is_empty(), "{}: {:?}", file.display(), problems);
        }
        let _ = fs::remove_dir_all(&site.root);
    }
}
