//! `minglu build`: output, determinism, atomicity, links, themes, `init`.

use std::fs;
use std::path::Path;

use crate::support::{SiteTest, copy_dir, fixtures, tree};

/// Every `href`/`src` value in an HTML text.
pub(crate) fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=\"", "src=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            let end = rest.find('"').expect("closed attribute");
            out.push(rest[..end].replace("&amp;", "&"));
            rest = &rest[end..];
        }
    }
    out
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len() + 1
            && let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).expect("decoded path is UTF-8")
}

/// Asserts that every internal link of every page resolves to a file in `public`,
/// and every `#fragment` to an `id` on the target page. `base_path` is where the
/// site is published (`/registers/`); 404.html links from there.
pub(crate) fn crawl(public: &Path, base_path: &str) -> usize {
    let mut checked = 0;
    let pages: Vec<(String, Vec<u8>)> = tree(public)
        .into_iter()
        .filter(|(p, _)| p.ends_with(".html"))
        .collect();
    let mut broken = Vec::new();
    for (page, bytes) in &pages {
        let html = String::from_utf8(bytes.clone()).expect("HTML is UTF-8");
        let dir = Path::new(page)
            .parent()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        for link in links(&html) {
            if link.starts_with("http://")
                || link.starts_with("https://")
                || link.starts_with("mailto:")
                || link.starts_with("tel:")
            {
                continue;
            }
            let (path, fragment) = link
                .split_once('#')
                .map_or((link.as_str(), None), |(p, f)| (p, Some(f)));
            let path = path.split('?').next().expect("split yields one");
            let target = if let Some(abs) = path.strip_prefix(base_path) {
                abs.to_owned()
            } else if path.starts_with('/') {
                broken.push(format!("{page}: {link} leaves the base path {base_path}"));
                continue;
            } else if path.is_empty() {
                page.clone()
            } else {
                normalise(&format!("{dir}/{path}"))
            };
            let target = percent_decode(&target);
            let file = if target.is_empty() || target.ends_with('/') {
                format!("{target}index.html")
            } else {
                target.clone()
            };
            let full = public.join(&file);
            if !full.is_file() {
                broken.push(format!("{page}: {link} → {file} does not exist"));
                continue;
            }
            if let Some(id) = fragment.filter(|f| !f.is_empty()) {
                let target_html = fs::read_to_string(&full).expect("read target");
                if !target_html.contains(&format!("id=\"{id}\"")) {
                    broken.push(format!("{page}: {link} → no id `{id}` in {file}"));
                }
            }
            checked += 1;
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
    checked
}

fn normalise(path: &str) -> String {
    let trailing = path.ends_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                assert!(
                    parts.pop().is_some(),
                    "link climbs above the site root: {path}"
                );
            }
            p => parts.push(p),
        }
    }
    let mut out = parts.join("/");
    if trailing && !out.is_empty() {
        out.push('/');
    }
    out
}

#[test]
fn builds_are_deterministic() {
    let site = SiteTest::fixture("conformance");
    for out in ["out1", "out2"] {
        site.run(&["build", "--output", &site.root.join(out).to_string_lossy()])
            .success();
    }
    let (a, b) = (tree(&site.root.join("out1")), tree(&site.root.join("out2")));
    assert!(a.len() > 50);
    assert_eq!(a.len(), b.len());
    for ((pa, ba), (pb, bb)) in a.iter().zip(&b) {
        assert_eq!(pa, pb);
        assert!(ba == bb, "{pa} differs between two builds");
    }
}

#[test]
fn a_failed_build_leaves_public_untouched() {
    let site = SiteTest::fixture("conformance");
    site.run(&["build"]).success();
    let before = tree(&site.root.join("public"));
    site.write("content/lists/stamp/items/GZ-005.yaml", "title: [broken\n");
    let run = site.run(&["build"]);
    run.code(1);
    assert!(
        run.stderr.contains("public was not changed"),
        "{}",
        run.stderr
    );
    assert_eq!(tree(&site.root.join("public")), before);
    let leftovers: Vec<_> = fs::read_dir(&site.root)
        .expect("read root")
        .map(|e| e.expect("entry").file_name())
        .filter(|n| n.to_string_lossy().contains("staging"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "staging folders left behind: {leftovers:?}"
    );
}

#[test]
fn a_template_error_leaves_public_untouched() {
    let site = SiteTest::fixture("conformance");
    site.run(&["build"]).success();
    let before = tree(&site.root.join("public"));
    site.write(
        "themes/default/templates/item.html",
        "{% extends \"base.html\" %}{% block main %}{{ item.nope.deeper }}{% endblock %}",
    );
    let run = site.run(&["build"]);
    run.code(1);
    assert!(run.stderr.contains("error[template]"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("--> themes/default/templates/item.html:1:49"),
        "{}",
        run.stderr
    );
    assert_eq!(tree(&site.root.join("public")), before);
}

/// `check` renders a sample, not every page: it must still find a template
/// error that only one item's data triggers, even an item that only a frozen
/// edition has (GZ-009 was withdrawn in 2020), one that only the banner of
/// a superseded frozen edition triggers, one that only an older version of
/// an item triggers (GZ-004's time limit was 5 working days in 2015, 3 since
/// 2020), and one that only the refusal notice of one item (not the first)
/// triggers.
#[test]
fn check_finds_template_errors_that_only_some_pages_trigger() {
    for (template, condition, page) in [
        (
            "item.html",
            "item.id == \"GZ-009\"",
            "/stamp/editions/2015/GZ-009/",
        ),
        (
            "item.html",
            "frozen and frozen.status == \"superseded\"",
            "/editions/2015/",
        ),
        (
            "item.html",
            "item.stamp and item.stamp.time_limit == \"5个工作日\"",
            "/stamp/editions/2015/GZ-004/",
        ),
        ("notice.html", "id == \"GZ-013\"", "/stamp/GZ-013/notice/"),
    ] {
        let site = SiteTest::fixture("conformance");
        site.write(
            &format!("themes/default/templates/{template}"),
            format!(
                "{{% extends \"base.html\" %}}{{% block main %}}{{% if {condition} %}}{{{{ item.nope.deeper }}}}{{% endif %}}{{% endblock %}}"
            ),
        );
        let run = site.run(&["check", "--lang", "en"]);
        run.code(1);
        assert!(run.stderr.contains("error[template]"), "{}", run.stderr);
        assert!(
            run.stderr
                .lines()
                .any(|l| l.contains("while rendering /") && l.contains(page)),
            "{condition}: {}",
            run.stderr
        );
        assert!(!site.root.join("public").exists(), "check writes nothing");
    }
}

/// With the built-in templates, `check` renders only the first entry of each
/// shape of a long list (rows, changes: see `render/pages/sample.rs`). A
/// theme that overrides a template may test anything, so then `check` must
/// render every entry: an error that only the second of two items of one
/// shape triggers (GZ-099, a copy of GZ-098 in the same category) is still
/// reported, in an item list and in the pending changes alike.
#[test]
fn check_with_overridden_templates_renders_every_entry_of_a_list() {
    for (template, body, page) in [
        (
            "register.html",
            "{% for c in register.categories %}{% for row in c.items %}{% if row.id == \"GZ-099\" %}{{ row.nope.deeper }}{% endif %}{% endfor %}{% endfor %}",
            "stamp/",
        ),
        (
            "home.html",
            "{% for l in latest %}{% if not l.edition %}{% for c in l.changes.added %}{% if c.id == \"GZ-099\" %}{{ c.nope.deeper }}{% endif %}{% endfor %}{% endif %}{% endfor %}",
            // The draft home (pages are named by their path in their scope).
            "rendering /)",
        ),
    ] {
        let site = SiteTest::fixture("conformance");
        let item = site.read("content/lists/stamp/items/GZ-008.yaml");
        for (id, mark) in [("GZ-098", "甲"), ("GZ-099", "乙")] {
            site.write(
                &format!("content/lists/stamp/items/{id}.yaml"),
                item.replacen("证明\n", &format!("证明{mark}\n"), 1),
            );
        }
        site.run(&["check", "--lang", "en"]).success();
        site.write(
            &format!("themes/default/templates/{template}"),
            format!("{{% extends \"base.html\" %}}{{% block main %}}{body}{{% endblock %}}"),
        );
        let run = site.run(&["check", "--lang", "en"]);
        run.code(1);
        assert!(
            run.stderr
                .lines()
                .any(|l| l.contains("while rendering /") && l.contains(page)),
            "{template}: {}",
            run.stderr
        );
    }
}

/// `check` does not make the data files (no template makes them), but the
/// open-data page that lists them is still rendered, with every file it lists.
#[test]
fn check_renders_the_data_page_without_making_the_data_files() {
    let site = SiteTest::fixture("conformance");
    site.write(
        "themes/default/templates/data.html",
        "{% extends \"base.html\" %}{% block main %}{% for r in registers %}{% for f in r.editions[-1].files %}{% if f.format == \"CSV\" %}{{ f.nope.deeper }}{% endif %}{% endfor %}{% endfor %}{% endblock %}",
    );
    let run = site.run(&["check", "--lang", "en"]);
    run.code(1);
    assert!(run.stderr.contains("error[template]"), "{}", run.stderr);
    assert!(
        run.stderr
            .lines()
            .any(|l| l.contains("while rendering /") && l.contains("data/")),
        "{}",
        run.stderr
    );
    assert!(!site.root.join("public").exists(), "check writes nothing");
}

#[test]
fn a_rebuild_replaces_stale_files() {
    let site = SiteTest::fixture("base");
    site.run(&["build"]).success();
    fs::write(site.root.join("public/stale.html"), "old").expect("write");
    site.run(&["build"]).success();
    assert!(!site.root.join("public/stale.html").exists());
    assert!(site.root.join("public/stamp/GZ-001/index.html").is_file());
}

#[test]
fn every_internal_link_resolves_under_a_base_path_and_at_root() {
    let site = SiteTest::fixture("conformance");
    site.run(&["build"]).success();
    let n = crawl(&site.root.join("public"), "/registers/");
    assert!(n > 500, "only {n} links checked");
    site.run(&[
        "build",
        "--base-url",
        "https://preview.example.net/",
        "--output",
        &site.root.join("at-root").to_string_lossy(),
    ])
    .success();
    crawl(&site.root.join("at-root"), "/");
    let sitemap = site.read("at-root/sitemap.xml");
    assert!(
        sitemap.contains("<loc>https://preview.example.net/stamp/GZ-005/</loc>"),
        "{sitemap}"
    );
    let doc = roxmltree::Document::parse(&sitemap).expect("sitemap is XML");
    assert_eq!(doc.root_element().tag_name().name(), "urlset");
}

#[test]
fn the_bundled_example_builds_and_links_resolve() {
    let site = SiteTest::empty("example");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("content"),
        &site.root.join("content"),
    );
    let run = site.run(&["build"]);
    run.success();
    assert!(run.stderr.starts_with("built "), "{}", run.stderr);
    crawl(&site.root.join("public"), "/minglu/");
}

#[test]
fn init_makes_a_site_that_builds_and_refuses_a_non_empty_folder() {
    let dir = SiteTest::empty("init");
    let target = dir.root.join("new-site");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_minglu"))
        .arg("init")
        .arg(&target)
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let site = SiteTest {
        root: target.clone(),
    };
    let run = site.run(&["build"]);
    run.success();
    assert!(
        site.read("public/stamp/GZ-002/index.html")
            .contains("社区不予出具")
    );
    crawl(&target.join("public"), "/");
    let again = std::process::Command::new(env!("CARGO_BIN_EXE_minglu"))
        .arg("init")
        .arg(&target)
        .output()
        .expect("run");
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("is not empty"));
}

#[test]
fn a_theme_override_replaces_one_template() {
    let site = SiteTest::fixture("base");
    site.write("themes/default/templates/page.html", "{% extends \"base.html\" %}{% block main %}<h1 class=\"custom\">{{ page.title }}</h1>{% endblock %}");
    site.run(&["build"]).success();
    assert!(
        site.read("public/about/index.html")
            .contains("<h1 class=\"custom\">关于本站</h1>")
    );
    assert!(
        site.read("public/stamp/index.html")
            .contains("规范社区盖章事项名录"),
        "other templates stay built in"
    );
}

#[test]
fn english_ui() {
    let site = SiteTest::fixture("base");
    let config = site
        .read("content/site.yaml")
        .replace("language: zh-CN", "language: en");
    site.write("content/site.yaml", config);
    site.run(&["build"]).success();
    let page = site.read("public/stamp/GZ-002/index.html");
    assert!(page.contains("<html lang=\"en\">"));
    assert!(page.contains("The community does not issue this"));
    assert!(!page.contains("社区不予出具"));
}

#[test]
fn unreleased_register_shows_its_working_copy_with_a_banner() {
    let site = SiteTest::fixture("base");
    fs::remove_dir_all(site.root.join("content/lists/work/editions")).expect("remove editions");
    site.run(&["build"]).success();
    let page = site.read("public/work/SX-001/index.html");
    assert!(page.contains("尚未发布"), "banner");
    assert!(site.read("public/work/index.html").contains("尚未发布"));
}

#[test]
fn output_inside_content_is_refused() {
    let site = SiteTest::fixture("base");
    let run = site.run(&[
        "build",
        "--output",
        &site.root.join("content/public").to_string_lossy(),
    ]);
    run.code(2);
    assert!(run.stderr.contains("inside content/"), "{}", run.stderr);
}

#[test]
fn base_fixture_pages_exist() {
    let site = SiteTest::fixture("base");
    site.run(&["build"]).success();
    for page in [
        "index.html",
        "404.html",
        "robots.txt",
        "sitemap.xml",
        "stamp/index.html",
        "stamp/GZ-001/index.html",
        "work/SX-001/index.html",
        "creation/CJ-001/index.html",
        "departments/index.html",
        "departments/civil/index.html",
        "purposes/index.html",
        "purposes/ruxue/index.html",
        "about/index.html",
        "assets/style.css",
    ] {
        assert!(
            site.root.join("public").join(page).is_file(),
            "{page} missing"
        );
    }
    assert!(fixtures().join("base").is_dir());
}

/// Frozen item pages are rendered once per distinct content, with the values
/// that name the edition filled in afterwards (issue 12). A theme that overrides
/// `item.html` turns that off, so the same site with the built-in `item.html`
/// copied into its theme folder is rendered page by page in full: both builds
/// must be byte-identical. The editions cover what a frozen page can show: an
/// item unchanged, changed (once in one character only), added with markup in
/// its text, withdrawn, merged;
/// a department renamed; categories reordered; an edition without a 文号, one
/// with markup in its label and 文号, an expiring one and an upcoming one.
#[test]
fn frozen_pages_rendered_once_per_content_match_pages_rendered_in_full() {
    let site = SiteTest::fixture("base");
    let stamp = "content/lists/stamp";
    let release = |id: &str, label: &str, extra: &[&str], effective: &str| {
        let mut args = vec![
            "release",
            "stamp",
            id,
            "--label",
            label,
            "--kind",
            "revision",
            "--title",
            "关于调整名录的通知 <第二次> & 附件",
            "--issuer",
            "测试市民政局",
            "--published",
            "2021-01-01",
            "--effective",
            effective,
        ];
        args.extend_from_slice(extra);
        site.run(&args).success();
    };
    site.write(
        &format!("{stamp}/items/GZ-003.yaml"),
        "title: 出生证明 <b>&\"'\ncategory: 亲属婚育\ndepartments: [civil]\nsummary: 由医院出具 <i>&amp;</i>。\nverdict: refuse\ninstead:\n  - method: other_agency\n    department: civil\n    how: 到医院办理 & 补办。\n",
    );
    release(
        "2021",
        "2021年<修订>&版",
        &["--doc-number", "测民〔2021〕2号", "--expires", "2030-01-01"],
        "2021-02-01",
    );
    // One character of GZ-003's summary changes in 2022 and back in 2027:
    // those two pages (and their field changes) differ in text bytes alone.
    let gz3 = format!("{stamp}/items/GZ-003.yaml");
    let swap = |from: &str, to: &str| site.write(&gz3, site.read(&gz3).replace(from, to));
    swap("由医院出具", "由医院开具");
    site.write(
        &format!("{stamp}/items/GZ-002.yaml"),
        "title: 亲属关系证明\ncategory: 亲属婚育\ndepartments: [police]\nsummary: 改由公安机关核实。\nverdict: refuse\ninstead:\n  - method: dept_verification\n    department: police\n    how: 由公安派出所核查户籍信息。\n",
    );
    site.write(
        &format!("{stamp}/list.yaml"),
        "title: 规范社区盖章事项名录\nshort_title: 盖章事项\nkind: stamp\nid_prefix: GZ\ncategories:\n  - 亲属婚育\n  - 住所居住\n",
    );
    let departments = site
        .read("content/departments.yaml")
        .replace("测试市公安局", "测试市公安局（改名）");
    site.write("content/departments.yaml", departments);
    release("2022", "2022年版", &[], "2022-02-01");
    std::fs::remove_file(site.root.join(format!("{stamp}/items/GZ-001.yaml"))).expect("withdraw");
    let merged = site.read(&format!("{stamp}/items/GZ-002.yaml")) + "replaces: [GZ-001]\n";
    site.write(&format!("{stamp}/items/GZ-002.yaml"), merged);
    swap("由医院开具", "由医院出具");
    release(
        "2027",
        "2027年版",
        &["--doc-number", "测民〔2026〕9号"],
        "2027-01-01",
    );
    let full = with_built_in_templates_copied(&site, "frozen-in-full");
    for drafts in [false, true] {
        let args: &[&str] = if drafts {
            &["build", "--drafts"]
        } else {
            &["build"]
        };
        site.run(args).success();
        full.run(args).success();
        let once = tree(&site.root.join("public"));
        let frozen = once
            .iter()
            .filter(|(p, _)| p.starts_with("stamp/editions/") && p.matches('/').count() == 4)
            .count();
        assert!(frozen >= 10, "the site has frozen item pages ({frozen})");
        assert_same_files(&once, &tree(&full.root.join("public")));
    }
}

/// A copy of `site` whose theme folder holds a copy of every built-in
/// template: it overrides them all, so its pages are rendered in full.
fn with_built_in_templates_copied(site: &SiteTest, label: &str) -> SiteTest {
    let full = SiteTest::empty(label);
    copy_dir(&site.root, &full.root);
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates"),
        &full.root.join("themes/default/templates"),
    );
    full
}

/// Asserts that two output trees have the same files with the same bytes.
fn assert_same_files(once: &[(String, Vec<u8>)], in_full: &[(String, Vec<u8>)]) {
    let names = |t: &[(String, Vec<u8>)]| t.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>();
    assert_eq!(names(once), names(in_full));
    for ((path, a), (_, b)) in once.iter().zip(in_full) {
        assert!(
            a == b,
            "{path} differs\n--- rendered in parts\n{}\n--- rendered in full\n{}",
            String::from_utf8_lossy(a),
            String::from_utf8_lossy(b)
        );
    }
}

/// Every page's chrome (`base.html`'s head, header, navigation and footer) is
/// rendered once per kind of page and spliced with the page's blocks (issue
/// 12). The bundled example, with its drafts, built that way and built with
/// every template overridden (by a copy of the built-in one, so everything is
/// rendered in full) must be byte-identical, and so must a page whose own
/// template alone is overridden, and every item list when `macros.html` alone
/// is (its rows are otherwise rendered once each and spliced).
#[test]
fn pages_rendered_in_parts_match_pages_rendered_in_full() {
    let site = SiteTest::empty("parts");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("content"),
        &site.root.join("content"),
    );
    let full = with_built_in_templates_copied(&site, "parts-in-full");
    let one = SiteTest::empty("parts-one-override");
    copy_dir(&site.root, &one.root);
    let register = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates/register.html"),
    )
    .expect("built-in register.html");
    one.write("themes/default/templates/register.html", register);
    // The item lists' rows are rendered once each through the built-in
    // `macros.html`; a site that overrides it renders them with the page.
    let macros = SiteTest::empty("parts-macros-override");
    copy_dir(&site.root, &macros.root);
    let source = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates/macros.html"),
    )
    .expect("built-in macros.html");
    macros.write("themes/default/templates/macros.html", source);
    for s in [&site, &full, &one, &macros] {
        s.run(&["build", "--drafts"]).success();
    }
    let parts = tree(&site.root.join("public"));
    let pages = parts.iter().filter(|(p, _)| p.ends_with(".html")).count();
    assert!(pages >= 50, "the example has pages ({pages})");
    assert_same_files(&parts, &tree(&full.root.join("public")));
    assert_same_files(&parts, &tree(&one.root.join("public")));
    assert_same_files(&parts, &tree(&macros.root.join("public")));
}
