//! The language of messages: `--lang`, else `MINGLU_LANG`, else the site's
//! `language`, else the locale (`LC_ALL`, `LC_MESSAGES`, `LANG`), else English.
//! Every command's summary and operational errors follow it, not only diagnostics.

use std::process::Command;

use crate::support::{EPOCH, Run, SiteTest, fixtures};

/// Runs the binary with a clean language environment plus `env`.
fn run(site: &SiteTest, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_minglu"));
    cmd.args(args)
        .arg("--root")
        .arg(&site.root)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .env("NO_COLOR", "1");
    for var in ["MINGLU_LANG", "LC_ALL", "LC_MESSAGES", "LANG"] {
        cmd.env_remove(var);
    }
    cmd.envs(env.iter().copied());
    Run::from(cmd.output().expect("run minglu"))
}

fn set_site_language(site: &SiteTest, language: &str) {
    let yaml = site
        .read("content/site.yaml")
        .replace("language: zh-CN", &format!("language: {language}"));
    site.write("content/site.yaml", yaml);
}

const CHECKED_ZH: &str = "已检查 26 个文件：0 个错误，0 个警告\n";
const CHECKED_EN: &str = "checked 26 files: 0 error(s), 0 warning(s)\n";

#[test]
fn a_chinese_site_speaks_chinese_unless_told_otherwise() {
    let site = SiteTest::fixture("base");
    assert_eq!(run(&site, &["check"], &[]).stderr, CHECKED_ZH);
    // The site's language wins over the locale …
    assert_eq!(
        run(&site, &["check"], &[("LANG", "en_US.UTF-8")]).stderr,
        CHECKED_ZH
    );
    // … and --lang or MINGLU_LANG win over the site.
    assert_eq!(
        run(&site, &["check", "--lang", "en"], &[]).stderr,
        CHECKED_EN
    );
    assert_eq!(
        run(&site, &["--lang", "en", "check"], &[]).stderr,
        CHECKED_EN
    );
    assert_eq!(
        run(&site, &["check"], &[("MINGLU_LANG", "en")]).stderr,
        CHECKED_EN
    );
    let both = run(&site, &["check", "--lang", "zh"], &[("MINGLU_LANG", "en")]);
    assert_eq!(both.stderr, CHECKED_ZH, "the flag wins over the variable");
    run(&site, &["check", "--lang", "fr"], &[]).code(2);
}

#[test]
fn an_english_site_speaks_english_and_the_locale_decides_without_a_site_language() {
    let site = SiteTest::fixture("base");
    set_site_language(&site, "en");
    assert_eq!(
        run(&site, &["check"], &[("LANG", "zh_CN.UTF-8")]).stderr,
        CHECKED_EN
    );
    let yaml = site.read("content/site.yaml").replace("language: en\n", "");
    site.write("content/site.yaml", yaml);
    assert_eq!(run(&site, &["check"], &[]).stderr, CHECKED_EN);
    assert_eq!(
        run(&site, &["check"], &[("LANG", "zh_CN.UTF-8")]).stderr,
        CHECKED_ZH
    );
    // LC_ALL overrides LC_MESSAGES, which overrides LANG.
    let env = [("LANG", "zh_CN.UTF-8"), ("LC_MESSAGES", "en_US.UTF-8")];
    assert_eq!(run(&site, &["check"], &env).stderr, CHECKED_EN);
    let env = [("LC_ALL", "zh_CN.UTF-8"), ("LC_MESSAGES", "en_US.UTF-8")];
    assert_eq!(run(&site, &["check"], &env).stderr, CHECKED_ZH);
}

#[test]
fn operational_errors_are_printed_in_the_chosen_language() {
    let site = SiteTest::empty("nocontent-zh");
    let zh = run(&site, &["check"], &[("LANG", "zh_CN.UTF-8")]);
    zh.code(2);
    assert!(zh.stderr.starts_with("错误："), "{}", zh.stderr);
    assert!(zh.stderr.contains("处没有 content 文件夹"), "{}", zh.stderr);
    let en = run(
        &site,
        &["check", "--lang", "en"],
        &[("LANG", "zh_CN.UTF-8")],
    );
    assert!(
        en.stderr.starts_with("error: no content folder at "),
        "{}",
        en.stderr
    );

    let base = SiteTest::fixture("base");
    let unknown = run(&base, &["diff", "nosuch"], &[]);
    unknown.code(2);
    assert!(
        unknown
            .stderr
            .starts_with("错误：没有名录 `nosuch`；现有的名录是："),
        "{}",
        unknown.stderr
    );
}

#[test]
fn build_summaries_follow_the_language() {
    let site = SiteTest::fixture("base");
    let out = site.root.join("out");
    let out = out.to_str().expect("UTF-8 path");
    let built = run(&site, &["build", "--output", out], &[]);
    built.success();
    assert!(built.stderr.starts_with("已生成 "), "{}", built.stderr);
    assert!(built.stderr.contains(" 个页面（"), "{}", built.stderr);
    let built = run(&site, &["build", "--lang", "en", "--output", out], &[]);
    assert!(built.stderr.starts_with("built "), "{}", built.stderr);

    let broken = SiteTest::fixture("base").overlay(&fixtures().join("check/unknown-field"));
    let failed = run(&broken, &["build"], &[]);
    failed.code(1);
    assert!(
        failed
            .stderr
            .starts_with("错误[unknown-field]: 事项文件中有未知字段 `verdit`\n"),
        "{}",
        failed.stderr
    );
    assert!(
        failed.stderr.contains("\n生成失败：1 个错误，0 个警告；"),
        "{}",
        failed.stderr
    );
}

#[test]
fn every_machine_format_carries_the_chosen_language() {
    let site = SiteTest::fixture("base").overlay(&fixtures().join("check/dangling-department"));
    let json = run(&site, &["check", "--format", "json", "--quiet"], &[]);
    let first: serde_json::Value =
        serde_json::from_str(json.stdout.lines().next().expect("a line")).expect("JSON");
    assert_eq!(first["message"], "部门 `polic` 未定义");
    assert_eq!(
        first["severity"], "error",
        "keys and severities are not translated"
    );
    let github = run(&site, &["check", "--format", "github", "--quiet"], &[]);
    assert!(
        github.stdout.starts_with("::error file=content/lists/stamp/items/GZ-002.yaml,line=3,col=15,title=dangling-department::部门 `polic` 未定义%0A帮助：是否应为 `police`？"),
        "{}",
        github.stdout
    );
    let gitlab = |lang: &str| {
        let out = run(&site, &["check", "--lang", lang, "--format", "gitlab"], &[]);
        serde_json::from_str::<serde_json::Value>(&out.stdout).expect("JSON array")
    };
    let (zh, en) = (gitlab("zh"), gitlab("en"));
    assert!(
        zh[0]["description"]
            .as_str()
            .is_some_and(|d| d.starts_with("部门 `polic` 未定义（帮助："))
    );
    assert_eq!(
        zh[0]["fingerprint"], en[0]["fingerprint"],
        "a finding keeps its fingerprint in every language"
    );
}
