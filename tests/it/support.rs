//! Test support: fixture sites copied to a temporary folder, the real binary, golden files.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A day after every edition in the fixtures took effect (2025-11-24).
pub(crate) const EPOCH: &str = "1764000000";

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// The repository's `tests/fixtures` folder.
pub(crate) fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// A site in a fresh temporary folder.
pub(crate) struct SiteTest {
    pub root: PathBuf,
}

impl SiteTest {
    /// A copy of `tests/fixtures/<name>`.
    pub(crate) fn fixture(name: &str) -> SiteTest {
        let site = SiteTest::empty(name);
        copy_dir(&fixtures().join(name), &site.root);
        site
    }

    /// An empty folder.
    pub(crate) fn empty(label: &str) -> SiteTest {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
            "it-{}-{n}-{}",
            std::process::id(),
            label.replace('/', "-")
        ));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(&root).expect("create temp dir");
        SiteTest { root }
    }

    /// Copies every file of `dir` over this site (an overlay), then deletes the
    /// paths listed in its `REMOVE` file.
    pub(crate) fn overlay(self, dir: &Path) -> SiteTest {
        copy_dir(dir, &self.root);
        let remove = self.root.join("REMOVE");
        if let Ok(list) = fs::read_to_string(&remove) {
            for line in list.lines().filter(|l| !l.trim().is_empty()) {
                let path = self.root.join(line.trim());
                if path.is_dir() {
                    fs::remove_dir_all(&path)
                } else {
                    fs::remove_file(&path)
                }
                .expect("remove listed path");
            }
            fs::remove_file(remove).expect("remove REMOVE");
        }
        for name in ["expected.txt", "expected.zh.txt", "ENV"] {
            let _ = fs::remove_file(self.root.join(name));
        }
        self
    }

    /// Writes a file (creating folders).
    pub(crate) fn write(&self, rel: &str, contents: impl AsRef<[u8]>) -> &Self {
        let path = self.root.join(rel);
        fs::create_dir_all(path.parent().expect("has parent")).expect("mkdir");
        fs::write(path, contents).expect("write");
        self
    }

    /// Reads a file of the site as text.
    pub(crate) fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.root.join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
    }

    /// Runs `minglu <args> --root <site>` with a fixed date, no colour and
    /// English messages (`MINGLU_LANG=en`; pass `--lang zh` or another
    /// `MINGLU_LANG` to [`SiteTest::run_env`] for Chinese).
    pub(crate) fn run(&self, args: &[&str]) -> Run {
        self.run_env(args, &[])
    }

    /// [`SiteTest::run`] with extra environment variables.
    pub(crate) fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_minglu"));
        cmd.args(args)
            .env("MINGLU_LANG", "en")
            .envs(env.iter().copied())
            .arg("--root")
            .arg(&self.root)
            .env("SOURCE_DATE_EPOCH", EPOCH)
            .env("NO_COLOR", "1");
        Run::from(cmd.output().expect("run minglu"))
    }
}

/// The outcome of one run of the binary.
pub(crate) struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Run {
        Run {
            code: o.status.code().expect("exited normally, not by a signal"),
            stdout: String::from_utf8(o.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(o.stderr).expect("stderr is UTF-8"),
        }
    }
}

impl Run {
    pub(crate) fn code(&self, want: i32) -> &Self {
        assert_eq!(
            self.code, want,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    pub(crate) fn success(&self) -> &Self {
        self.code(0)
    }
}

/// Recursively copies `from` into `to`.
pub(crate) fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("mkdir");
    for entry in fs::read_dir(from).unwrap_or_else(|e| panic!("read {}: {e}", from.display())) {
        let entry = entry.expect("dir entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            fs::create_dir_all(&target).expect("mkdir");
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// Every file under `dir`, relative, sorted, with its bytes.
pub(crate) fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    collect(dir, dir, &mut out);
    out.sort();
    out
}

fn collect(base: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    for entry in fs::read_dir(dir).expect("read dir") {
        let entry = entry.expect("entry");
        let path = entry.path();
        if path.is_dir() {
            collect(base, &path, out);
        } else {
            let rel = path
                .strip_prefix(base)
                .expect("under base")
                .to_string_lossy()
                .replace('\\', "/");
            out.push((rel, fs::read(&path).expect("read file")));
        }
    }
}

/// Compares `actual` with the golden file at `path`; `MINGLU_BLESS=1` rewrites it.
pub(crate) fn assert_golden(path: &Path, actual: &str) {
    if std::env::var_os("MINGLU_BLESS").is_some() {
        fs::write(path, actual).expect("bless golden file");
        return;
    }
    let expected = fs::read_to_string(path).unwrap_or_else(|_| {
        panic!(
            "missing golden file {} (run with MINGLU_BLESS=1 to create it, then review it)",
            path.display()
        )
    });
    assert!(
        expected == actual,
        "{} differs from the output (review, then re-bless with MINGLU_BLESS=1)\n--- expected\n{expected}\n--- actual\n{actual}",
        path.display()
    );
}

/// `html` without the theme's own script elements: `<script src>` of one of
/// the default theme's `assets/*.js` files with nothing inside, and inline scripts written
/// verbatim in a default-theme template. What is left holds any script that
/// came from content (none may).
pub(crate) fn without_theme_scripts(html: &str) -> String {
    let templates: String =
        fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates"))
            .expect("theme templates")
            .map(|e| fs::read_to_string(e.expect("entry").path()).expect("template"))
            .collect();
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let Some(len) = rest[start..].find("</script>") else {
            break;
        };
        let element = &rest[start..start + len + "</script>".len()];
        let open_end = element.find('>').expect("tag end");
        let (open, body) = (&element[..=open_end], &element[open_end + 1..len]);
        // `<script src="(../)*assets/NAME.js?v=…">` where NAME.js is a file of the
        // default theme's static assets.
        let theme_asset = |src: &str| {
            let (dir, name) = src.rsplit_once("assets/").unwrap_or(("x", ""));
            name.ends_with(".js")
                && dir
                    .chars()
                    .all(|c| c == '.' || c == '/' || c == '-' || c.is_ascii_alphanumeric())
                && Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("themes/default/static/assets")
                    .join(name)
                    .is_file()
        };
        let src_of = |prefix: &str| {
            open.strip_prefix(prefix)
                .and_then(|o| o.strip_suffix("\">"))
                .and_then(|src| src.split('?').next())
        };
        let site_js = body.is_empty()
            && [r#"<script src=""#, r#"<script type="module" src=""#]
                .iter()
                .any(|prefix| src_of(prefix).is_some_and(theme_asset));
        let inline = open == "<script>" && !body.trim().is_empty() && templates.contains(element);
        // The search page's configuration: JSON written by the theme's `tojson`,
        // which escapes `<`, so no markup can sit inside it.
        let config = open == r#"<script type="application/json" id="search-config">"#
            && !body.contains('<')
            && templates.contains(r#"<script type="application/json" id="search-config">"#);
        let inline = inline || config;
        out.push_str(&rest[..start]);
        if !(site_js || inline) {
            out.push_str(element);
        }
        rest = &rest[start + element.len()..];
    }
    out.push_str(rest);
    out
}

/// `html` without the QR codes minglu draws (`<svg role="img" … class="qr-code"`
/// holding only `<rect>` and `<path>`). Anything else stays for the caller to flag.
pub(crate) fn without_qr_codes(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("<svg role=\"img\" aria-label=\"") {
        let Some(len) = rest[start..].find("</svg>") else {
            break;
        };
        let element = &rest[start..start + len + "</svg>".len()];
        let inner_tags: Vec<&str> = element
            .split('<')
            .skip(2)
            .map(|t| t.split([' ', '>', '/']).next().unwrap_or(""))
            .filter(|t| !t.is_empty())
            .collect();
        // The label is escaped text (no quotes); what follows it is minglu's own.
        let label_end = element["<svg role=\"img\" aria-label=\"".len()..]
            .find('"')
            .map_or(0, |i| i + "<svg role=\"img\" aria-label=\"".len());
        let plain = element[label_end..].starts_with("\" class=\"qr-code\"")
            && inner_tags.iter().all(|t| ["rect", "path"].contains(t))
            && !element[label_end..].to_ascii_lowercase().contains(" on");
        out.push_str(&rest[..start]);
        if !plain {
            out.push_str(element);
        }
        rest = &rest[start + element.len()..];
    }
    out.push_str(rest);
    out
}
