//! Content must not run in other tools (issue 11, part 3): feed readers, the
//! browser through `base_url`, terminals and CI logs, pull-request comments. And
//! a closed pipe must neither panic nor change the exit code (part 5).

use std::fs;
use std::process::Command;

use crate::support::{EPOCH, SiteTest};

const ATOM: &str = "http://www.w3.org/2005/Atom";
const XHTML: &str = "http://www.w3.org/1999/xhtml";
const HOSTILE: &str = "<img src=x onerror=alert(1)> & \"引号\"";

fn atom_children<'a, 'i>(n: roxmltree::Node<'a, 'i>, name: &str) -> Vec<roxmltree::Node<'a, 'i>> {
    n.children()
        .filter(|c| c.has_tag_name((ATOM, name)))
        .collect()
}

fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    let zone = &s.get(19..).unwrap_or("");
    b.len() >= 20
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10] == b'T'
        && digits(11..13)
        && digits(14..16)
        && digits(17..19)
        && (*zone == "Z" || (zone.len() == 6 && (zone.starts_with('+') || zone.starts_with('-'))))
}

/// Checks the RFC 4287 rules a feed reader relies on: the required elements
/// (once each), absolute ids, RFC 3339 dates, links with `href`, and text
/// constructs whose `type` matches their content — `text`/`html` hold no
/// elements, `xhtml` holds exactly one XHTML `div`.
fn assert_valid_atom(name: &str, text: &str) {
    let doc = roxmltree::Document::parse(text).unwrap_or_else(|e| panic!("{name}: not XML: {e}"));
    let feed = doc.root_element();
    assert!(
        feed.has_tag_name((ATOM, "feed")),
        "{name}: root is atom:feed"
    );
    let once = |n: roxmltree::Node<'_, '_>, el: &str, what: &str| {
        assert_eq!(
            atom_children(n, el).len(),
            1,
            "{name}: {what} has exactly one <{el}>"
        );
    };
    for el in ["id", "title", "updated"] {
        once(feed, el, "the feed");
    }
    assert!(
        !atom_children(feed, "author").is_empty(),
        "{name}: feed author"
    );
    for node in doc.descendants().filter(roxmltree::Node::is_element) {
        let tag = node.tag_name();
        if tag.namespace() != Some(ATOM) {
            continue;
        }
        match tag.name() {
            "id" => {
                let id = node.text().unwrap_or("");
                assert!(
                    id.starts_with("https://") || id.starts_with("http://"),
                    "{name}: id `{id}` is absolute"
                );
            }
            "updated" | "published" => {
                let d = node.text().unwrap_or("");
                assert!(is_rfc3339(d), "{name}: `{d}` is an RFC 3339 date");
            }
            "link" => assert!(node.attribute("href").is_some(), "{name}: link has href"),
            "title" | "summary" | "content" | "rights" | "subtitle" => {
                let elements: Vec<_> = node
                    .children()
                    .filter(roxmltree::Node::is_element)
                    .collect();
                match node.attribute("type").unwrap_or("text") {
                    "text" | "html" => assert!(
                        elements.is_empty(),
                        "{name}: <{}> of type text/html holds no elements",
                        tag.name()
                    ),
                    "xhtml" => {
                        assert_eq!(elements.len(), 1, "{name}: xhtml content is one div");
                        assert!(
                            elements[0].has_tag_name((XHTML, "div")),
                            "{name}: xhtml content is one div"
                        );
                    }
                    other => panic!("{name}: unknown text construct type {other}"),
                }
            }
            _ => {}
        }
    }
    for entry in atom_children(feed, "entry") {
        for el in ["id", "title", "updated"] {
            once(entry, el, "an entry");
        }
        assert!(atom_children(entry, "content").len() <= 1);
        assert!(
            atom_children(entry, "link")
                .iter()
                .any(|l| l.attribute("rel") == Some("alternate"))
        );
    }
}

#[test]
fn hostile_titles_stay_text_in_valid_feeds() {
    let site = SiteTest::fixture("base");
    let item = site.read("content/lists/stamp/items/GZ-001.yaml");
    site.write(
        "content/lists/stamp/items/GZ-001.yaml",
        item.replacen(
            "title: 居民在本社区居住情况证明",
            &format!("title: '{HOSTILE}'"),
            1,
        ),
    );
    site.write("reasons.yaml", "GZ-001: <script>alert(2)</script>\n");
    let reasons = site
        .root
        .join("reasons.yaml")
        .to_string_lossy()
        .into_owned();
    site.run(&[
        "release",
        "stamp",
        "2025",
        "--label",
        "2025年版",
        "--kind",
        "revision",
        "--title",
        "<b>粗体</b>",
        "--issuer",
        "测试市民政局",
        "--published",
        "2025-06-01",
        "--effective",
        "2025-06-01",
        "--reasons-file",
        &reasons,
    ])
    .success();
    site.run(&["build"]).success();
    for feed in ["public/changes.atom", "public/stamp/changes.atom"] {
        let text = site.read(feed);
        assert_valid_atom(feed, &text);
        let doc = roxmltree::Document::parse(&text).expect("xml");
        let names: Vec<&str> = doc
            .descendants()
            .filter(roxmltree::Node::is_element)
            .map(|n| n.tag_name().name())
            .collect();
        assert!(
            !names.iter().any(|n| ["img", "script", "b"].contains(n)),
            "{feed}: content became markup: {names:?}"
        );
        let all_text: String = doc.descendants().filter_map(|n| n.text()).collect();
        for literal in [HOSTILE, "<script>alert(2)</script>", "<b>粗体</b>"] {
            assert!(
                all_text.contains(literal),
                "{feed}: `{literal}` is shown as text\n{text}"
            );
        }
    }
}

#[test]
fn base_url_is_plain_http_without_query_fragment_or_credentials() {
    let site = SiteTest::fixture("base");
    for bad in [
        "javascript:alert(1)//",
        "https://example.org/?q=1",
        "https://example.org/#frag",
        "https://user:pass@example.org/",
        "https://example.org/\"><script>",
        "ftp://example.org/",
    ] {
        let run = site.run(&["build", "--base-url", bad]);
        run.code(2);
        assert!(run.stderr.contains("base URL"), "{bad}: {}", run.stderr);
    }
    assert!(!site.root.join("public").exists());
    site.run(&["build", "--base-url", "https://preview.example.net/pr-1/"])
        .success();
    let yaml = site.read("content/site.yaml");
    for bad in [
        "https://example.org/base/?q=1",
        "https://u:p@example.org/",
        "javascript:alert(1)//",
    ] {
        site.write(
            "content/site.yaml",
            yaml.replace("https://example.org/base/", bad),
        );
        let run = site.run(&["check", "--format", "json", "--quiet"]);
        run.code(1);
        assert!(
            run.stdout.contains("\"code\":\"invalid-url\"") && run.stdout.contains("\"line\":2"),
            "{bad}: {}",
            run.stdout
        );
    }
}

fn has_command_line(s: &str) -> bool {
    s.lines().any(|l| {
        let l = l.trim_start();
        l.starts_with("::error file=a") || l.starts_with("::set-env") || l.starts_with("##[")
    })
}

#[test]
fn content_cannot_forge_ci_commands_or_terminal_escapes() {
    let site = SiteTest::fixture("base");
    site.write(
        "content/lists/stamp/items/GZ-001.yaml",
        "title: \"居住证明\\e]0;pwned\\a\"\n\"x\\n::error file=a::forged\\n##[set-env name=A]b\": 1\ncategory: 住所居住\ndepartments: [civil]\nverdict: issue\n",
    );
    site.write(
        "content/pages/a\n::error file=a::forged.md",
        "---\ntitle: x\n---\n",
    );
    for format in ["text", "json", "github"] {
        let run = site.run(&["check", "--format", format]);
        run.code(1);
        for out in [&run.stdout, &run.stderr] {
            assert!(!has_command_line(out), "{format}: a forged command\n{out}");
            assert!(
                !out.contains('\u{1b}') && !out.contains('\u{7}') && !out.contains('\r'),
                "{format}: a raw control character\n{out:?}"
            );
        }
        if format == "github" {
            assert!(
                run.stdout
                    .lines()
                    .all(|l| l.starts_with("::error file=content/")
                        || l.starts_with("::warning file=content/")),
                "{}",
                run.stdout
            );
        }
    }
}

#[test]
fn diff_output_is_inert_in_terminals_logs_and_pull_requests() {
    let site = SiteTest::fixture("base");
    let item = site.read("content/lists/stamp/items/GZ-001.yaml");
    let title = "title: |-\n  # 假标题\n  - [x] approved by @security ![i](https://e.example/x.png) <img src=x onerror=alert(1)>\n  ::error file=a::forged";
    site.write(
        "content/lists/stamp/items/GZ-001.yaml",
        item.replacen("title: 居民在本社区居住情况证明", title, 1),
    );
    site.run(&["check"]).success();
    let text = site.run(&["diff"]);
    text.success();
    assert!(!has_command_line(&text.stdout), "{}", text.stdout);
    let md = site.run(&["diff", "--format", "markdown"]);
    md.success();
    let out = &md.stdout;
    assert!(!has_command_line(out), "{out}");
    assert!(
        !out.contains("@security") && out.contains("@\u{200b}security"),
        "{out}"
    );
    assert!(!out.contains("<img") && !out.contains("!["), "{out}");
    assert!(
        !out.lines()
            .any(|l| l.starts_with("- [x]") || l.starts_with("# ")),
        "{out}"
    );
    assert!(
        out.contains("#### 修改：GZ-001 # 假标题 ⏎ - \\[x\\] approved"),
        "{out}"
    );
}

/// Runs `sh -c "<minglu …> | head -1"` and returns minglu's own exit code.
fn piped(site: &SiteTest, args: &str, redirect: &str) -> (i32, String) {
    let bin = env!("CARGO_BIN_EXE_minglu");
    let script = format!(
        "'{bin}' {args} --root '{}' {redirect} | head -1 >/dev/null; echo ${{PIPESTATUS[0]}}",
        site.root.display()
    );
    let out = Command::new("bash")
        .args(["-c", &script])
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .output()
        .expect("bash");
    let stdout = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    (
        stdout
            .parse()
            .unwrap_or_else(|_| panic!("exit code: {stdout}")),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_closed_pipe_neither_panics_nor_changes_the_exit_code() {
    let broken = SiteTest::fixture("base");
    for n in 100..500 {
        broken.write(
            &format!("content/lists/stamp/items/GZ-{n}.yaml"),
            "title: 坏\nverdit: issue\ncategory: 没有\n",
        );
    }
    let (code, stderr) = piped(&broken, "check", "2>&1");
    assert_eq!(code, 1, "check 2>&1 | head -1\n{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let (code, stderr) = piped(&broken, "check --format json", "");
    assert_eq!(code, 1, "check --format json | head -1\n{stderr}");
    let (code, _) = piped(&broken, "check --format github", "");
    assert_eq!(code, 1);

    let changed = SiteTest::fixture("base");
    for n in 100..500 {
        changed.write(
            &format!("content/lists/stamp/items/GZ-{n}.yaml"),
            format!(
                "title: 新增事项{n}\ncategory: 住所居住\ndepartments: [civil]\nverdict: issue\n"
            ),
        );
    }
    changed.run(&["check"]).success();
    let (code, stderr) = piped(&changed, "diff --exit-code", "");
    assert_eq!(code, 1, "diff --exit-code | head -1\n{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let (code, _) = piped(&changed, "diff", "");
    assert_eq!(code, 0);
}

#[test]
fn init_writes_a_gitignore_for_the_output() {
    let dir = SiteTest::empty("init-gitignore");
    let target = dir.root.join("site");
    let out = Command::new(env!("CARGO_BIN_EXE_minglu"))
        .arg("init")
        .arg(&target)
        .output()
        .expect("run");
    assert!(out.status.success());
    let ignore = fs::read_to_string(target.join(".gitignore")).expect(".gitignore");
    assert!(ignore.lines().any(|l| l == "/public/"), "{ignore}");
    assert!(ignore.lines().any(|l| l == "/.public.*"), "{ignore}");
}
