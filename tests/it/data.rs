//! Open data (`/data/`) and the content schemas (`/schema/v1/`), on the bundled
//! example: the catalogue's hashes, byte-stable edition files, CSV that
//! spreadsheets read, carried-over editions, `diff --format csv`, `minglu schema`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use minglu::model::{Choice as _, ListKind};
use serde_json::Value;

use crate::support::{EPOCH, SiteTest, copy_dir, tree};

fn manifest() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A copy of the bundled example.
fn example(label: &str) -> SiteTest {
    let site = SiteTest::empty(label);
    copy_dir(&manifest().join("content"), &site.root.join("content"));
    site
}

/// Builds `site` into a new folder with this `SOURCE_DATE_EPOCH` and extra arguments.
fn build(site: &SiteTest, epoch: &str, extra: &[&str]) -> (PathBuf, String) {
    let out = SiteTest::empty("data-out").root;
    let output = Command::new(env!("CARGO_BIN_EXE_minglu"))
        .args(["build", "--root"])
        .arg(&site.root)
        .arg("--output")
        .arg(&out)
        .args(extra)
        .env("SOURCE_DATE_EPOCH", epoch)
        .output()
        .expect("run minglu");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{stderr}");
    (out, stderr)
}

fn json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).expect("read JSON");
    serde_json::from_str(&text).expect("valid JSON")
}

fn sha256(bytes: &[u8]) -> String {
    minglu::content::seal::sha256_hex(bytes)
}

#[test]
fn every_data_file_is_in_the_index_with_its_sha256_and_size() {
    let (out, _) = build(&example("data-index"), EPOCH, &[]);
    let index = json(&out.join("data/index.json"));
    assert_eq!(index["format"], 1);
    let listed: BTreeMap<String, (String, u64)> = index["files"]
        .as_array()
        .expect("files")
        .iter()
        .chain(index["schemas"].as_array().expect("schemas"))
        .map(|f| {
            (
                f["path"].as_str().expect("path").to_owned(),
                (
                    f["sha256"].as_str().expect("sha").to_owned(),
                    f["size"].as_u64().expect("size"),
                ),
            )
        })
        .collect();
    let written: BTreeMap<String, Vec<u8>> = tree(&out)
        .into_iter()
        .filter(|(path, _)| path.starts_with("data/") || path.starts_with("schema/"))
        .filter(|(path, _)| path != "data/index.json" && path != "data/index.html")
        .collect();
    assert!(written.contains_key("data/stamp/2015.csv"), "{written:?}");
    assert!(written.contains_key("schema/v1/item-stamp.json"));
    assert_eq!(
        written.keys().collect::<BTreeSet<_>>(),
        listed.keys().collect::<BTreeSet<_>>(),
        "the index lists exactly the data and schema files written"
    );
    for (path, bytes) in &written {
        let (sha, size) = &listed[path];
        assert_eq!(*sha, sha256(bytes), "{path}");
        assert_eq!(*size, bytes.len() as u64, "{path}");
    }
    // Every JSON data file states its format; every register and edition is catalogued.
    for (path, bytes) in &written {
        if path.starts_with("data/") && path.ends_with(".json") {
            let v: Value = serde_json::from_slice(bytes).expect("JSON");
            assert_eq!(v["format"], 1, "{path}");
        }
    }
    let stamp = &index["registers"][0];
    assert_eq!(stamp["key"], "stamp");
    assert_eq!(stamp["status"], "in_force");
    let editions: Vec<(&str, &str)> = stamp["editions"]
        .as_array()
        .expect("editions")
        .iter()
        .map(|e| {
            (
                e["id"].as_str().expect("id"),
                e["status"].as_str().expect("status"),
            )
        })
        .collect();
    assert_eq!(editions, [("2015", "superseded"), ("2020", "in_force")]);
    assert_eq!(stamp["editions"][1]["doc_number"], "苏民示〔2020〕5号");
    // The page for people links every download with its size.
    let page = std::fs::read_to_string(out.join("data/index.html")).expect("data page");
    for path in written.keys() {
        assert!(
            page.contains(&format!("href=\"../{path}\"")),
            "{path} not linked"
        );
    }
    assert!(page.contains(" KB)") || page.contains(" B)"), "sizes shown");
    let register = std::fs::read_to_string(out.join("stamp/index.html")).expect("register");
    assert!(
        register.contains("href=\"../data/#stamp\""),
        "register links /data/"
    );
    let edition =
        std::fs::read_to_string(out.join("stamp/editions/2015/index.html")).expect("edition");
    assert!(
        edition.contains("href=\"../../../data/#stamp\""),
        "edition links /data/"
    );
}

#[test]
fn edition_files_are_byte_identical_across_builds_a_day_apart() {
    let site = example("data-stable");
    let day: i64 = 86_400;
    let later = (EPOCH.parse::<i64>().expect("epoch") + day).to_string();
    let (a, _) = build(&site, EPOCH, &[]);
    // A day later, published under another URL: the edition files must not move.
    let (b, _) = build(
        &site,
        &later,
        &["--base-url", "https://mirror.example.net/x/"],
    );
    let editions = |out: &Path| -> BTreeMap<String, Vec<u8>> {
        tree(&out.join("data"))
            .into_iter()
            .filter(|(path, _)| path.contains('/'))
            .collect()
    };
    let (ea, eb) = (editions(&a), editions(&b));
    assert!(
        ea.len() >= 8,
        "every edition as JSON and CSV: {:?}",
        ea.keys()
    );
    assert_eq!(ea, eb);
    // The catalogue is not byte-stable (it names the base URL), which shows the
    // two builds did differ.
    assert_ne!(
        std::fs::read(a.join("data/index.json")).expect("index"),
        std::fs::read(b.join("data/index.json")).expect("index")
    );
}

/// The columns of a CSV file, after checking it is what spreadsheets expect.
fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    assert!(bytes.starts_with("\u{feff}".as_bytes()), "UTF-8 BOM");
    let text = std::str::from_utf8(&bytes[3..]).expect("UTF-8");
    assert!(text.ends_with("\r\n"), "CRLF line ends");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    reader
        .records()
        .map(|r| r.expect("RFC 4180 CSV").iter().map(str::to_owned).collect())
        .collect()
}

#[test]
fn csv_files_have_the_schema_columns_and_one_row_per_item() {
    let (out, _) = build(&example("data-csv"), EPOCH, &[]);
    for kind in ListKind::ALL {
        let key = kind.name();
        let rows = csv_rows(&std::fs::read(out.join(format!("data/{key}.csv"))).expect("csv"));
        assert_eq!(rows[0], minglu::export::item_columns(*kind), "{key}");
        let data = json(&out.join(format!("data/{key}.json")));
        let ids: Vec<&str> = data["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|i| i["id"].as_str().expect("id"))
            .collect();
        let csv_ids: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
        assert_eq!(csv_ids, ids, "{key}: one row per item, in the JSON's order");
        // List fields are joined with the documented separator; Chinese survives.
        let col = |name: &str| rows[0].iter().position(|c| c == name).expect(name);
        for (row, item) in rows[1..]
            .iter()
            .zip(data["items"].as_array().expect("items"))
        {
            assert_eq!(row[col("title")], item["title"].as_str().expect("title"));
            let aliases: Vec<&str> = item["aliases"]
                .as_array()
                .map(|a| a.iter().map(|s| s.as_str().expect("alias")).collect())
                .unwrap_or_default();
            assert_eq!(
                row[col("aliases")],
                aliases.join(minglu::export::LIST_SEPARATOR)
            );
        }
    }
    let changes =
        csv_rows(&std::fs::read(out.join("data/stamp.changes.csv")).expect("changes csv"));
    assert_eq!(
        changes[0],
        [
            "register",
            "from",
            "to",
            "subject",
            "id",
            "title",
            "change",
            "field",
            "old",
            "new",
            "merged_into",
            "reason"
        ]
    );
    // The 2020 edition's changes with their reasons, as the edition page shows them.
    let page = std::fs::read_to_string(out.join("stamp/editions/2020/index.html")).expect("page");
    // The page links item ids inside reasons: compare the text without its tags.
    let page = text_of(&page);
    let from_2020: Vec<&Vec<String>> = changes.iter().filter(|r| r[2] == "2020").collect();
    assert!(!from_2020.is_empty());
    for r in &from_2020 {
        assert_eq!(r[1], "2015");
        if r[3] == "item" {
            assert!(page.contains(&r[4]), "{} not on the edition page", r[4]);
        }
        if !r[11].is_empty() {
            assert!(page.contains(&r[11]), "reason of {} not on the page", r[4]);
        }
    }
}

#[test]
fn a_carried_over_edition_folder_still_gets_its_data_files() {
    let site = example("data-reuse");
    let out = SiteTest::empty("data-reuse-out");
    let output = out.root.to_str().expect("utf-8 path");
    site.run(&["build", "--output", output]).success();
    let first = tree(&out.root.join("data"));
    let again = site.run(&["build", "--output", output]);
    again.success();
    assert!(
        again.stderr.contains("unchanged frozen pages kept"),
        "the second build reuses edition folders: {}",
        again.stderr
    );
    assert_eq!(tree(&out.root.join("data")), first);
    assert!(out.root.join("data/stamp/2015.json").is_file());
}

#[test]
fn diff_prints_csv_with_the_changes_columns() {
    let run = SiteTest::fixture("conformance").run(&["diff", "--format", "csv"]);
    run.success();
    let rows = csv_rows(run.stdout.as_bytes());
    assert_eq!(rows[0][..3], ["register", "from", "to"]);
    assert_eq!(rows[0].len(), 12);
    let json_run = SiteTest::fixture("conformance").run(&["diff", "--format", "json"]);
    let lists: Value = serde_json::from_str(&json_run.stdout).expect("diff JSON");
    // One row per changed field, or one per added/removed item.
    let expected: usize = lists
        .as_array()
        .expect("lists")
        .iter()
        .map(|l| {
            let d = &l["diff"];
            let items: usize = d["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|i| i["fields"].as_array().expect("fields").len().max(1))
                .sum();
            let departments: usize = d["departments"]
                .as_array()
                .expect("departments")
                .iter()
                .map(|x| x["fields"].as_array().expect("fields").len().max(1))
                .sum();
            items + d["list"].as_array().expect("list").len() + departments
        })
        .sum();
    assert!(expected > 0, "the conformance site has pending changes");
    assert_eq!(rows.len() - 1, expected);
}

#[test]
fn schema_command_writes_the_published_and_committed_schemas() {
    let dir = SiteTest::empty("schema-out").root.join("v1");
    let status = Command::new(env!("CARGO_BIN_EXE_minglu"))
        .args(["schema", "--output"])
        .arg(&dir)
        .status()
        .expect("run minglu schema");
    assert!(status.success());
    let written = tree(&dir);
    assert_eq!(
        written.len(),
        7,
        "{:?}",
        written.iter().map(|(p, _)| p).collect::<Vec<_>>()
    );
    let committed: Vec<(String, Vec<u8>)> = tree(&manifest().join("docs/schema/v1"));
    assert_eq!(
        written, committed,
        "docs/schema/v1 is stale: run `cargo run -- schema --output docs/schema/v1`"
    );
    let (out, _) = build(&example("schema-build"), EPOCH, &[]);
    assert_eq!(tree(&out.join("schema/v1")), written);
    let stamp: Value = serde_json::from_slice(
        &written
            .iter()
            .find(|(p, _)| p == "item-stamp.json")
            .expect("stamp")
            .1,
    )
    .expect("JSON");
    assert_eq!(
        stamp["properties"]["verdict"]["enum"],
        serde_json::json!(["issue", "refuse"])
    );
    assert_eq!(stamp["additionalProperties"], false);
    let required: Vec<&str> = stamp["required"]
        .as_array()
        .expect("required")
        .iter()
        .map(|v| v.as_str().expect("name"))
        .collect();
    let from_table: Vec<&str> = minglu::model::schema::item_fields(ListKind::Stamp)
        .filter(|f| f.required)
        .map(|f| f.name)
        .collect();
    assert_eq!(required, from_table);
}

#[test]
fn example_working_files_point_at_their_schema() {
    let content = manifest().join("content");
    let header = "# yaml-language-server: $schema=";
    let mut checked = 0;
    for (path, bytes) in tree(&content) {
        if !path.ends_with(".yaml") || path.contains("/editions/") {
            continue;
        }
        let text = String::from_utf8(bytes).expect("UTF-8");
        let first = text.lines().next().unwrap_or_default();
        let target = first
            .strip_prefix(header)
            .unwrap_or_else(|| panic!("{path} has no yaml-language-server line"));
        let file = content.join(&path);
        let schema = file.parent().expect("folder").join(target);
        assert!(schema.is_file(), "{path}: {target} does not exist");
        let kind = if path.contains("/items/") {
            let list = std::fs::read_to_string(
                file.parent()
                    .expect("items")
                    .parent()
                    .expect("list")
                    .join("list.yaml"),
            )
            .expect("list.yaml");
            let kind = list
                .lines()
                .find_map(|l| l.strip_prefix("kind: "))
                .expect("kind")
                .trim()
                .to_owned();
            format!("item-{kind}.json")
        } else {
            let name = Path::new(&path)
                .file_stem()
                .expect("stem")
                .to_string_lossy();
            format!("{name}.json")
        };
        assert!(
            target.ends_with(&kind),
            "{path} points at {target}, not {kind}"
        );
        checked += 1;
    }
    assert!(checked > 50, "{checked}");
}

#[test]
fn docs_data_md_documents_every_file_and_column() {
    let doc = std::fs::read_to_string(manifest().join("docs/data.md")).expect("docs/data.md");
    let mut names: BTreeSet<String> = BTreeSet::new();
    for kind in ListKind::ALL {
        names.extend(minglu::export::item_columns(*kind));
    }
    for name in [
        "register",
        "from",
        "to",
        "subject",
        "id",
        "title",
        "change",
        "field",
        "old",
        "new",
        "merged_into",
        "reason",
        "data/index.json",
        "format",
        "sha256",
    ] {
        names.insert(name.to_owned());
    }
    let missing: Vec<&String> = names
        .iter()
        .filter(|n| !doc.contains(&format!("`{n}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/data.md does not mention {missing:?}"
    );
    assert!(doc.contains(minglu::export::LIST_SEPARATOR.trim()));
}

/// An HTML page's text: tags removed, so `并入<a href="…">GZ-027</a>` reads `并入GZ-027`.
fn text_of(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}
