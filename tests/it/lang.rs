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

/// Runs `args` in Chinese (the site's language) and with `--lang en`; both exit
/// 2, the Chinese run says `zh` and not `en`, the English run says `en`.
fn refused_in_both(site: &SiteTest, args: &[&str], env: &[(&str, &str)], zh: &str, en: &str) {
    let chinese = run(site, args, env);
    chinese.code(2);
    assert!(chinese.stderr.starts_with("错误："), "{}", chinese.stderr);
    assert!(chinese.stderr.contains(zh), "{}", chinese.stderr);
    assert!(!chinese.stderr.contains(en), "{}", chinese.stderr);
    let mut english_args = args.to_vec();
    english_args.extend(["--lang", "en"]);
    let english = run(site, &english_args, env);
    english.code(2);
    assert!(english.stderr.starts_with("error: "), "{}", english.stderr);
    assert!(english.stderr.contains(en), "{}", english.stderr);
    assert!(!english.stderr.contains(zh), "{}", english.stderr);
}

#[test]
fn a_refused_output_folder_is_explained_in_the_chosen_language() {
    let site = SiteTest::fixture("base");
    let inside = site.root.join("content/out");
    let inside = inside.to_str().expect("UTF-8 path");
    refused_in_both(
        &site,
        &["build", "--output", inside],
        &[],
        "：它位于 content/ 之内",
        ": it is inside content/",
    );
    let root = site.root.to_str().expect("UTF-8 path");
    refused_in_both(
        &site,
        &["build", "--output", root],
        &[],
        "：它就是网站根目录或包含网站根目录，写入会把它替换掉",
        "it is or contains the site root, which would be replaced",
    );
    assert!(
        !site.root.join("content/out").exists(),
        "nothing was written"
    );
}

/// The arguments of a release of `stamp` as edition 2099.
fn release_args<'a>(published: &'a str, effective: &'a str) -> Vec<&'a str> {
    vec![
        "release",
        "stamp",
        "2099",
        "--label",
        "2099年版",
        "--kind",
        "year",
        "--title",
        "关于调整名录的通知",
        "--issuer",
        "示例市民政局",
        "--published",
        published,
        "--effective",
        effective,
    ]
}

#[test]
fn refused_files_are_explained_in_the_chosen_language() {
    let site = SiteTest::fixture("base");
    let big = site.root.join("notes.md");
    std::fs::write(&big, "说明".repeat(1000)).expect("write");
    let mut args = release_args("2025-01-01", "2025-01-01");
    args.extend(["--notes-file", big.to_str().expect("UTF-8 path")]);
    refused_in_both(
        &site,
        &args,
        &[("MINGLU_MAX_FILE_SIZE", "1K")],
        "超过了每个文件 1024 字节的上限（可设置 MINGLU_MAX_FILE_SIZE 调高上限）",
        "more than the limit of 1024 bytes per file",
    );
    refused_in_both(
        &site,
        &["check"],
        &[("MINGLU_MAX_FILE_SIZE", "lots")],
        "`lots` 不是大小：请写字节数，或带 K、M、G 后缀的数",
        "is not a size",
    );

    let fifo = site.root.join("themes/default/templates/page.html");
    std::fs::create_dir_all(fifo.parent().expect("parent")).expect("mkdir");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    refused_in_both(
        &site,
        &["build"],
        &[],
        "：它是命名管道（FIFO），不是普通文件",
        "not a regular file",
    );
    assert!(!site.root.join("content/lists/stamp/editions/2099").exists());
}

#[test]
fn release_refusals_and_warnings_follow_the_language() {
    let site = SiteTest::fixture("base");
    refused_in_both(
        &site,
        &release_args("2025-02-01", "2025-01-01"),
        &[],
        "错误：拒绝发布：实施日期 --effective 2025-01-01 早于发布日期 --published 2025-02-01",
        "error: release refused: --effective 2025-01-01 is before --published 2025-02-01",
    );
    refused_in_both(
        &site,
        &release_args("2025-01-01", "2025-01-01"),
        &[],
        "的工作副本与版本 2020 相同：没有可发布的内容",
        "there is nothing to release",
    );

    let item = site.read("content/lists/stamp/items/GZ-001.yaml");
    site.write(
        "content/lists/stamp/items/GZ-001.yaml",
        item.replacen("title: ", "title: 改名后的", 1),
    );
    let released = run(&site, &release_args("2025-01-01", "2025-01-01"), &[]);
    released.success();
    assert!(
        released
            .stderr
            .starts_with("警告：GZ-001 改名后的居民在本社区居住情况证明（调整）没有填写理由；"),
        "{}",
        released.stderr
    );
    assert!(
        released.stderr.contains("\n已发布名录 stamp 的版本 2099"),
        "{}",
        released.stderr
    );
    assert!(
        !released.stderr.contains("no reason"),
        "{}",
        released.stderr
    );
    refused_in_both(
        &site,
        &release_args("2025-01-01", "2025-01-01"),
        &[],
        "名录 `stamp` 已有版本 `2099`；已冻结的版本不可更改",
        "edition `2099` of `stamp` already exists",
    );
}

#[test]
fn a_bad_source_date_epoch_is_explained_in_the_chosen_language() {
    let site = SiteTest::fixture("base");
    refused_in_both(
        &site,
        &["check"],
        &[("SOURCE_DATE_EPOCH", "yesterday")],
        "错误：SOURCE_DATE_EPOCH 应为自 1970 年起的整数秒数，实际是 `yesterday`\n",
        "error: SOURCE_DATE_EPOCH must be whole seconds since 1970, got `yesterday`\n",
    );
}

#[test]
fn diff_labels_follow_the_site_unless_lang_is_given() {
    let site = SiteTest::fixture("base");
    let item = site.read("content/lists/stamp/items/GZ-001.yaml");
    site.write(
        "content/lists/stamp/items/GZ-001.yaml",
        item.replacen("title: ", "title: 改名后的", 1),
    );
    let first_lines = |args: &[&str], env: &[(&str, &str)]| {
        let out = run(&site, args, env);
        out.success();
        out.stdout.lines().take(2).collect::<Vec<_>>().join("\n")
    };
    let zh = "规范社区盖章事项名录 (stamp): 2020 → 工作稿\n  新增 0 项，退出 0 项，修改 1 项";
    let en = "规范社区盖章事项名录 (stamp): 2020 → working copy\n  Added 0 items, Withdrawn 0 items, Changed 1 items";
    assert_eq!(first_lines(&["diff"], &[("LANG", "en_US.UTF-8")]), zh);
    assert_eq!(first_lines(&["diff", "--lang", "en"], &[]), en);
    assert_eq!(
        first_lines(&["diff"], &[("MINGLU_LANG", "en")]),
        zh,
        "MINGLU_LANG sets the language of messages, not of diff's output"
    );
    assert_eq!(first_lines(&["--lang", "en", "diff"], &[]), en);
    set_site_language(&site, "en");
    assert_eq!(first_lines(&["diff"], &[("LANG", "zh_CN.UTF-8")]), en);
    assert_eq!(first_lines(&["diff", "--lang", "zh"], &[]), zh);
    let markdown = run(
        &site,
        &["diff", "--lang", "zh", "--format", "markdown"],
        &[],
    );
    assert!(markdown.stdout.contains("工作稿"), "{}", markdown.stdout);
    assert!(
        !markdown.stdout.contains("working copy"),
        "{}",
        markdown.stdout
    );
}

#[test]
fn bad_argument_values_are_explained_in_the_chosen_language() {
    let site = SiteTest::fixture("base");
    refused_in_both(
        &site,
        &release_args("2025-02-30", "2025-03-01"),
        &[],
        "错误：--published 的值 `2025-02-30` 无效：它不是真实存在的日期（格式为 YYYY-MM-DD）",
        "error: invalid value `2025-02-30` for --published: it is not a real YYYY-MM-DD date",
    );
    let mut yearly = release_args("2025-01-01", "2025-01-01");
    yearly[6] = "yearly";
    refused_in_both(
        &site,
        &yearly,
        &[],
        "--kind 的值 `yearly` 无效：请使用以下之一：`year`、`batch`、`revision`、`trial`",
        "use one of: year, batch, revision, trial",
    );
    refused_in_both(
        &site,
        &["build", "--base-url", "ftp://example.org/"],
        &[],
        "网站根地址应以 https:// 或 http:// 开头",
        "the base URL must start with https:// or http://",
    );
    assert!(!site.root.join("public").exists());
    assert!(!site.root.join("content/lists/stamp/editions/2099").exists());
}
