//! `minglu build --output …`: the output folder can never destroy the sources or
//! data minglu did not write (issue 11, part 1), and an interrupted build leaves
//! no debris (part 4).
//!
//! The table test runs the real binary once per `--output` form inside a sandbox
//! folder and compares a snapshot of the whole sandbox (files, folders and
//! symbolic links) before and after: apart from the output folder itself and its
//! reuse cache beside it, nothing may change; a refused form changes nothing.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{EPOCH, SiteTest, copy_dir, fixtures};

#[derive(Debug, PartialEq, Eq)]
enum Entry {
    Dir,
    File(Vec<u8>),
    Link(PathBuf),
}

/// Every path under `dir` (not following links), relative, with what it is.
fn snapshot(dir: &Path) -> BTreeMap<String, Entry> {
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Entry>) {
    for entry in fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("entry").path();
        let rel = path
            .strip_prefix(base)
            .expect("under base")
            .to_string_lossy()
            .into_owned();
        let meta = fs::symlink_metadata(&path).expect("metadata");
        if meta.file_type().is_symlink() {
            out.insert(rel, Entry::Link(fs::read_link(&path).expect("link")));
        } else if meta.is_dir() {
            out.insert(rel, Entry::Dir);
            walk(base, &path, out);
        } else {
            out.insert(rel, Entry::File(fs::read(&path).expect("read")));
        }
    }
}

/// The sandbox: `site/` (the base fixture with a theme folder), a foreign folder,
/// a symlink target, a regular file, an empty folder, a folder minglu wrote.
fn sandbox(label: &str) -> PathBuf {
    let s = SiteTest::empty(label).root;
    copy_dir(&fixtures().join("base"), &s.join("site"));
    let write = |rel: &str, text: &str| {
        let p = s.join(rel);
        fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        fs::write(p, text).expect("write");
    };
    write("site/themes/default/static/assets/extra.css", "p{}\n");
    write("other/thesis.txt", "four years of work\n");
    write("other/.git/HEAD", "ref: refs/heads/main\n");
    write("target.txt", "not a folder\n");
    write("marked/.minglu-output", "written by minglu\n");
    write("marked/stale.html", "old page\n");
    fs::create_dir_all(s.join("www")).expect("mkdir");
    fs::create_dir_all(s.join("empty")).expect("mkdir");
    symlink("www", s.join("www-link")).expect("symlink");
    symlink("nowhere", s.join("dangling")).expect("symlink");
    symlink("content/lists", s.join("site/L")).expect("symlink");
    s
}

struct Case {
    output: &'static str,
    extra: &'static [&'static str],
    /// Where the site lands, relative to the sandbox; `None` when refused.
    lands: Option<&'static str>,
    /// A word the refusal must contain.
    says: &'static str,
}

const fn refused(output: &'static str, says: &'static str) -> Case {
    Case {
        output,
        extra: &[],
        lands: None,
        says,
    }
}

const fn builds(output: &'static str, lands: &'static str) -> Case {
    Case {
        output,
        extra: &[],
        lands: Some(lands),
        says: "",
    }
}

fn cases() -> Vec<Case> {
    vec![
        builds("public", "site/public"),
        builds("content/../public", "site/public"),
        builds("../new/deep/out", "new/deep/out"),
        builds("../empty", "empty"),
        builds("../marked", "marked"),
        builds("../www-link", "www"),
        builds("@ABS@/site/../dist", "dist"),
        Case {
            output: "../other",
            extra: &["--force"],
            lands: Some("other"),
            says: "",
        },
        refused("../site", "site root"),
        refused(".", "site root"),
        refused("..", "site root"),
        refused("/", "site root"),
        refused("@ABS@/site/../site", "site root"),
        refused("content", "content/"),
        refused("x/../content", "content/"),
        refused("content/pages/out", "inside content/"),
        refused("x/../content/pages/out", "inside content/"),
        refused("L/public", "inside content/"),
        refused("themes", "themes/"),
        refused("themes/default/static", "inside themes/"),
        refused("../target.txt", "a file"),
        refused("../other", "--force"),
        refused("../dangling", "symbolic link"),
        refused("../dangling/sub", "symbolic link"),
    ]
}

fn run_in(cwd: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_minglu"))
        .args(args)
        .current_dir(cwd)
        .env("MINGLU_LANG", "en")
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .env("NO_COLOR", "1")
        .output()
        .expect("run minglu");
    (
        out.status.code().expect("exited"),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn output_forms_never_touch_anything_but_the_output() {
    let table = cases();
    assert!(table.len() >= 20);
    for (n, case) in table.iter().enumerate() {
        let s = sandbox(&format!("out-{n}"));
        let output = case.output.replace("@ABS@", &s.to_string_lossy());
        let before = snapshot(&s);
        let mut args = vec!["build", "--quiet", "--output", output.as_str()];
        args.extend(case.extra);
        let (code, stderr) = run_in(&s.join("site"), &args);
        let after = snapshot(&s);
        let Some(lands) = case.lands else {
            assert_eq!(code, 2, "{output}: refused with exit 2\n{stderr}");
            assert!(
                stderr.contains(case.says),
                "{output}: says `{}`\n{stderr}",
                case.says
            );
            assert!(before == after, "{output}: a refusal changed the sandbox");
            continue;
        };
        assert_eq!(code, 0, "{output}: builds\n{stderr}");
        let landed = s.join(lands);
        assert!(
            landed.join("index.html").is_file() && landed.join(".minglu-output").is_file(),
            "{output}: the site is in {lands}"
        );
        let (name, parent) = lands.rsplit_once('/').map_or((lands, ""), |(p, n)| (n, p));
        let cache = if parent.is_empty() {
            format!(".{name}.minglu-cache.json")
        } else {
            format!("{parent}/.{name}.minglu-cache.json")
        };
        let outside = |snap: &BTreeMap<String, Entry>| -> Vec<String> {
            snap.keys()
                .filter(|k| *k != lands && !k.starts_with(&format!("{lands}/")) && **k != cache)
                .cloned()
                .collect()
        };
        let (b, a) = (outside(&before), outside(&after));
        let created: Vec<&String> = a.iter().filter(|k| !before.contains_key(*k)).collect();
        let allowed_new = ["new", "new/deep"];
        assert!(
            created.iter().all(|k| allowed_new.contains(&k.as_str())),
            "{output}: created outside the output: {created:?}"
        );
        for k in &b {
            assert!(
                before.get(k) == after.get(k),
                "{output}: `{k}` outside the output changed"
            );
        }
    }
}

#[test]
fn a_symlinked_output_stays_a_symlink() {
    let s = sandbox("out-link");
    let (code, stderr) = run_in(&s.join("site"), &["build", "--output", "../www-link"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        fs::symlink_metadata(s.join("www-link"))
            .expect("link")
            .file_type()
            .is_symlink()
    );
    assert!(s.join("www/index.html").is_file());
    // A second build replaces the target in place, through the link.
    let (code, stderr) = run_in(&s.join("site"), &["build", "--output", "../www-link"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(fs::read_link(s.join("www-link")).is_ok());
}

#[test]
fn a_foreign_folder_survives_and_force_replaces_it() {
    let s = sandbox("out-foreign");
    let (code, stderr) = run_in(&s.join("site"), &["build", "--output", "../other"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains(".minglu-output") && stderr.contains("--force"),
        "{stderr}"
    );
    assert!(s.join("other/thesis.txt").is_file());
    let (code, _) = run_in(
        &s.join("site"),
        &["build", "--output", "../other", "--force"],
    );
    assert_eq!(code, 0);
    assert!(!s.join("other/thesis.txt").exists());
    assert!(s.join("other/.minglu-output").is_file());
}

#[test]
fn a_missing_root_creates_nothing() {
    let s = SiteTest::empty("out-noroot").root;
    let root = s.join("nonexistent/a/b");
    let (code, stderr) = run_in(
        &s,
        &["build", "--root", &root.to_string_lossy(), "--output", "x"],
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("no content folder"), "{stderr}");
    assert!(snapshot(&s).is_empty(), "{:?}", snapshot(&s).keys());
}

#[test]
fn stale_staging_folders_are_removed_and_a_moved_output_is_put_back() {
    let site = SiteTest::fixture("base");
    site.run(&["build"]).success();
    let public = site.root.join("public");
    // A build killed between the two renames of the portable swap.
    let aside = site.root.join(".public.staging-4194300.old");
    fs::rename(&public, &aside).expect("move aside");
    // A build killed while writing: its staging folder, and a folder that is not minglu's.
    site.write(".public.staging-4194301/.minglu-output", "x");
    site.write(".public.staging-4194301/index.html", "half");
    site.write(".public.staging-4194302/keep.txt", "not minglu's");
    // The next build fails on content, yet still cleans up.
    site.write("content/lists/stamp/items/GZ-001.yaml", "title: [");
    site.run(&["build"]).code(1);
    assert!(
        public.join("index.html").is_file(),
        "the old output is back"
    );
    assert!(!aside.exists());
    assert!(!site.root.join(".public.staging-4194301").exists());
    assert!(site.root.join(".public.staging-4194302/keep.txt").is_file());
}

#[test]
fn a_failed_build_keeps_the_reuse_cache() {
    let site = SiteTest::fixture("base");
    site.run(&["build"]).success();
    let cache = site.root.join(".public.minglu-cache.json");
    assert!(cache.is_file());
    let before = fs::read(&cache).expect("cache");
    site.write("content/lists/stamp/items/GZ-001.yaml", "title: [");
    site.run(&["build"]).code(1);
    assert_eq!(fs::read(&cache).expect("cache kept"), before);
}

#[test]
fn sigterm_and_sigint_remove_the_staging_folder() {
    for signal in ["TERM", "INT"] {
        let site = SiteTest::fixture("base");
        // A template slow enough to interrupt (about a hundred million loop steps).
        site.write(
            "themes/default/templates/404.html",
            "{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}",
        );
        let mut child = Command::new(env!("CARGO_BIN_EXE_minglu"))
            .args(["build", "--root"])
            .arg(&site.root)
            .env("SOURCE_DATE_EPOCH", EPOCH)
            .spawn()
            .expect("spawn");
        let staging = site.root.join(format!(".public.staging-{}", child.id()));
        let start = std::time::Instant::now();
        while !staging.join(".minglu-output").exists() {
            assert!(start.elapsed().as_secs() < 60, "no staging folder appeared");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
        let killed = Command::new("kill")
            .args([format!("-{signal}"), child.id().to_string()])
            .status()
            .expect("kill");
        assert!(killed.success());
        let status = child.wait().expect("wait");
        let want = if signal == "TERM" { 143 } else { 130 };
        assert_eq!(status.code(), Some(want), "SIG{signal}");
        assert!(!staging.exists(), "SIG{signal} left {}", staging.display());
        assert!(!site.root.join("public").exists());
    }
}
