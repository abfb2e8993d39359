//! `--version`, shell completions and man pages, from the real binary.

use std::process::Command;

use crate::support::SiteTest;

fn minglu(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_minglu"))
        .args(args)
        .output()
        .expect("run minglu");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn version_names_the_crate_version() {
    let (code, out) = minglu(&["--version"]);
    assert_eq!(code, 0);
    assert_eq!(out.trim(), format!("minglu {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn completions_cover_every_subcommand_in_each_shell() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let (code, out) = minglu(&["completions", shell]);
        assert_eq!(code, 0, "{shell}");
        for sub in ["build", "check", "diff", "release", "init"] {
            assert!(out.contains(sub), "{shell} completion lacks {sub}");
        }
        assert!(out.contains("base-url"), "{shell} completion lacks flags");
    }
    let (code, _) = minglu(&["completions", "tcsh"]);
    assert_eq!(code, 2, "an unknown shell is a usage error");
}

#[test]
fn man_pages_are_written_one_per_command() {
    let (code, page) = minglu(&["man"]);
    assert_eq!(code, 0);
    assert!(page.contains(".TH minglu 1"), "{page}");
    let dir = SiteTest::empty("man");
    let out = Command::new(env!("CARGO_BIN_EXE_minglu"))
        .args(["man", "--output"])
        .arg(dir.root.join("man1"))
        .output()
        .expect("run minglu");
    assert!(out.status.success());
    for sub in ["build", "check", "diff", "release", "init"] {
        let text = dir.read(&format!("man1/minglu-{sub}.1"));
        assert!(text.contains(&format!(".TH minglu-{sub} 1")), "{text}");
        assert!(
            text.contains(&format!("minglu {sub}")),
            "synopsis names the command"
        );
    }
    assert_eq!(dir.read("man1/minglu.1"), page);
}
