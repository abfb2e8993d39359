//! The command line: help, exit codes, operational errors.

use crate::support::SiteTest;

#[test]
fn help_states_the_exit_codes() {
    let site = SiteTest::empty("help");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_minglu"))
        .arg("--help")
        .current_dir(&site.root)
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    for line in [
        "0  success",
        "1  the content has errors",
        "2  usage or operational error",
    ] {
        assert!(text.contains(line), "{text}");
    }
}

#[test]
fn a_missing_content_folder_is_an_operational_error() {
    let site = SiteTest::empty("nocontent");
    let run = site.run(&["check"]);
    run.code(2);
    assert!(
        run.stderr.starts_with("error: no content folder at "),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("Os {"),
        "no debug dump: {}",
        run.stderr
    );
}

#[test]
fn unknown_arguments_are_usage_errors() {
    let site = SiteTest::empty("usage");
    site.run(&["build", "--no-such-flag"]).code(2);
}

#[test]
fn a_bad_source_date_epoch_is_reported() {
    let site = SiteTest::fixture("base");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_minglu"))
        .args(["check", "--root"])
        .arg(&site.root)
        .env("SOURCE_DATE_EPOCH", "yesterday")
        .env("MINGLU_LANG", "en")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("SOURCE_DATE_EPOCH must be whole seconds")
    );
}
