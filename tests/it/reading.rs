//! What minglu reads (issue 11, part 2): only regular files, only inside the
//! site's `content/` and `themes/`, never more than the per-file limit, and
//! never anything a symbolic link points to outside the site — not even for a
//! diagnostic excerpt.

use std::fs;
use std::os::unix::fs::symlink;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{EPOCH, Run, SiteTest};

/// Runs the binary, failing the test (and killing the process) if it takes
/// longer than `secs`: a read that blocks must show up as a failure, not a hang.
fn run_bounded(site: &SiteTest, args: &[&str], env: &[(&str, &str)], secs: u64) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_minglu"))
        .args(args)
        .arg("--root")
        .arg(&site.root)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .env("NO_COLOR", "1")
        .env("MINGLU_LANG", "en")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let start = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(secs) {
            let _ = child.kill();
            panic!("minglu {args:?} did not finish in {secs} s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Run::from(child.wait_with_output().expect("output"))
}

fn mkfifo(path: &std::path::Path) {
    let _ = fs::remove_file(path);
    let ok = Command::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(ok.success());
}

#[test]
fn a_link_to_a_secret_is_never_opened_or_shown() {
    let site = SiteTest::fixture("base");
    let items = site.root.join("content/lists/stamp/items");
    symlink("/proc/self/environ", items.join("GZ-009.yaml")).expect("symlink");
    symlink("/etc/passwd", items.join("GZ-010.yaml")).expect("symlink");
    let secret = "probe-4f1c9e-do-not-print";
    let env = [("MINGLU_SECRET_PROBE", secret)];
    let passwd_first = fs::read_to_string("/etc/passwd")
        .ok()
        .and_then(|t| t.lines().next().map(str::to_owned))
        .unwrap_or_else(|| "root:x:0:0".into());
    for format in ["text", "json", "github"] {
        let run = run_bounded(&site, &["check", "--format", format], &env, 30);
        run.code(1);
        let all = format!("{}{}", run.stdout, run.stderr);
        assert!(
            !all.contains(secret),
            "{format}: the environment leaked\n{all}"
        );
        assert!(
            !all.contains(&passwd_first),
            "{format}: /etc/passwd leaked\n{all}"
        );
        assert_eq!(all.matches("symlink-escape").count(), 2, "{format}\n{all}");
        assert!(all.contains("GZ-009.yaml") && all.contains("/proc/self/environ"));
    }
}

#[test]
fn links_to_endless_devices_are_refused_at_once() {
    let site = SiteTest::fixture("base");
    symlink("/dev/zero", site.root.join("content/pages/zero.md")).expect("symlink");
    symlink("/dev/stdin", site.root.join("content/pages/stdin.md")).expect("symlink");
    let run = run_bounded(&site, &["check", "--format", "json", "--quiet"], &[], 30);
    run.code(1);
    assert_eq!(
        run.stdout.matches("symlink-escape").count(),
        2,
        "{}",
        run.stdout
    );
}

#[test]
fn fifos_and_devices_never_hang() {
    for rel in [
        "content/site.yaml",
        "content/departments.yaml",
        "content/lists/stamp/list.yaml",
        "content/lists/stamp/items/GZ-001.yaml",
    ] {
        let site = SiteTest::fixture("base");
        mkfifo(&site.root.join(rel));
        let run = run_bounded(&site, &["check", "--format", "json", "--quiet"], &[], 30);
        run.code(1);
        let first: serde_json::Value =
            serde_json::from_str(run.stdout.lines().next().expect("a diagnostic")).expect("json");
        assert_eq!(first["code"], "special-file", "{rel}: {}", run.stdout);
        assert_eq!(first["file"], rel);
        assert!(
            !run.stdout.contains("missing-file"),
            "{rel}: a refused file is not also missing\n{}",
            run.stdout
        );
        let text = run_bounded(&site, &["build"], &[], 30);
        text.code(1);
        assert!(text.stderr.contains("named pipe (FIFO)"), "{}", text.stderr);
    }
}

#[test]
fn the_size_limit_is_configurable_and_named() {
    let site = SiteTest::fixture("base");
    site.write(
        "content/pages/big.md",
        format!("---\ntitle: 大\n---\n{}", "字".repeat(2000)),
    );
    run_bounded(&site, &["check"], &[], 30).success();
    let run = run_bounded(&site, &["check"], &[("MINGLU_MAX_FILE_SIZE", "4K")], 30);
    run.code(1);
    assert!(
        run.stderr.contains("more than the limit of 4096 bytes")
            && run.stderr.contains("MINGLU_MAX_FILE_SIZE"),
        "{}",
        run.stderr
    );
    let run = run_bounded(&site, &["check"], &[("MINGLU_MAX_FILE_SIZE", "lots")], 30);
    run.code(2);
    assert!(
        run.stderr.contains("MINGLU_MAX_FILE_SIZE"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_theme_folder_linked_outside_the_site_is_refused() {
    for linked in ["themes/default/static", "themes"] {
        let site = SiteTest::fixture("base");
        let outside = SiteTest::empty("theme-outside");
        outside.write("static/secret.txt", "build machine secret");
        outside.write("default/static/secret.txt", "build machine secret");
        let target = if linked == "themes" {
            outside.root.clone()
        } else {
            outside.root.join("static")
        };
        if linked != "themes" {
            fs::create_dir_all(site.root.join("themes/default")).expect("mkdir");
        }
        symlink(&target, site.root.join(linked)).expect("symlink");
        let run = run_bounded(&site, &["build"], &[], 60);
        run.code(2);
        assert!(
            run.stderr.contains("refusing to read") && run.stderr.contains("outside"),
            "{linked}: {}",
            run.stderr
        );
        assert!(
            !site.root.join("public").exists(),
            "{linked}: nothing published"
        );
        run_bounded(&site, &["check"], &[], 60).code(2);
    }
}

#[test]
fn a_fifo_in_the_theme_is_an_error_not_a_hang() {
    let site = SiteTest::fixture("base");
    fs::create_dir_all(site.root.join("themes/default/templates")).expect("mkdir");
    mkfifo(&site.root.join("themes/default/templates/page.html"));
    let run = run_bounded(&site, &["build"], &[], 30);
    run.code(2);
    assert!(run.stderr.contains("named pipe"), "{}", run.stderr);
}

#[test]
fn a_theme_link_inside_themes_is_fine() {
    let site = SiteTest::fixture("base");
    site.write("themes/shared/extra.css", "p { color: red }\n");
    fs::create_dir_all(site.root.join("themes/default/static")).expect("mkdir");
    symlink(
        site.root.join("themes/shared"),
        site.root.join("themes/default/static/extra"),
    )
    .expect("symlink");
    run_bounded(&site, &["build"], &[], 60).success();
    assert!(site.root.join("public/extra/extra.css").is_file());
}

#[test]
fn files_named_on_the_command_line_are_bounded() {
    let site = SiteTest::fixture("base");
    let item = site.read("content/lists/stamp/items/GZ-001.yaml");
    site.write(
        "content/lists/stamp/items/GZ-001.yaml",
        item.replacen("title: ", "title: 改名后的", 1),
    );
    let fifo = site.root.join("notes.fifo");
    mkfifo(&fifo);
    let big = site.root.join("big.md");
    fs::write(&big, "说明".repeat(1000)).expect("write");
    let base = [
        "release",
        "stamp",
        "2099",
        "--label",
        "x",
        "--kind",
        "year",
        "--title",
        "t",
        "--issuer",
        "i",
        "--published",
        "2025-01-01",
        "--effective",
        "2025-01-01",
    ];
    let fifo = fifo.to_string_lossy().into_owned();
    let big = big.to_string_lossy().into_owned();
    for (flag, file, env, says) in [
        ("--notes-file", "/dev/zero", "", "a device"),
        ("--reasons-file", "/dev/zero", "", "a device"),
        ("--notes-file", fifo.as_str(), "", "named pipe"),
        ("--reasons-file", fifo.as_str(), "", "named pipe"),
        ("--notes-file", big.as_str(), "1K", "limit of 1024 bytes"),
    ] {
        let mut args: Vec<&str> = base.to_vec();
        args.extend([flag, file]);
        let env: Vec<(&str, &str)> = if env.is_empty() {
            Vec::new()
        } else {
            vec![("MINGLU_MAX_FILE_SIZE", env)]
        };
        let run = run_bounded(&site, &args, &env, 30);
        run.code(2);
        assert!(run.stderr.contains(says), "{flag} {file}: {}", run.stderr);
        assert!(!site.root.join("content/lists/stamp/editions/2099").exists());
    }
}
