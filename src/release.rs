//! `minglu release`: freeze a register's working copy into a new edition.
//!
//! The working copy (list.yaml, items/, and the departments it names) is copied
//! into `lists/<list>/editions/<id>/` with a generated edition.yaml and a
//! SHA256SUMS that `sha256sum -c` verifies. Every refusal happens before the
//! first byte is written; the edition is assembled in a hidden temporary folder
//! and renamed into place, then the site is checked again (and the new folder
//! removed if that check fails), so the tree is never left half-released.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use jiff::civil::Date;

use crate::content;
use crate::content::seal::{SUMS_FILE, format_sums, sha256_hex};
use crate::content::{is_edition_id, yaml};
use crate::diagnostic::Text;
use crate::error::{Error, Result};
use crate::history::{self, ChangeKind};
use crate::model::schema::{DEPARTMENT_FIELDS, FieldValue};
use crate::model::{Choice, Departments, EditionKind, Register, Site};
use crate::t;

/// Everything `release` needs.
#[derive(Clone, Debug)]
pub struct ReleaseOptions {
    /// The site root.
    pub root: PathBuf,
    /// Register key.
    pub list: String,
    /// New edition id (folder name).
    pub id: String,
    /// 2021年版 / 第二批.
    pub label: String,
    /// Kind of edition.
    pub kind: EditionKind,
    /// The official document's title.
    pub title: String,
    /// 文号.
    pub doc_number: Option<String>,
    /// 发布机关 (at least one).
    pub issuers: Vec<String>,
    /// 发布日期.
    pub published: Date,
    /// 实施日期.
    pub effective: Date,
    /// 失效日期.
    pub expires: Option<Date>,
    /// Markdown notes.
    pub notes: Option<String>,
    /// A YAML file mapping item id → reason.
    pub reasons_file: Option<PathBuf>,
    /// URLs of the official publication.
    pub sources: Vec<String>,
    /// The date that decides which edition is in force (for the checks).
    pub today: Date,
}

/// What `release` did.
#[derive(Debug)]
pub struct ReleaseSummary {
    /// The new edition's folder.
    pub dir: PathBuf,
    /// Files written (including SHA256SUMS).
    pub files: usize,
    /// (added, removed, changed) items.
    pub counts: (usize, usize, usize),
    /// Things the editor should know (e.g. changed items without a reason).
    pub warnings: Vec<Text>,
}

/// Freezes the working copy of `options.list` as edition `options.id`.
pub fn release(options: &ReleaseOptions) -> Result<ReleaseSummary> {
    let (site, _) = crate::load_valid(&options.root, options.today)?;
    let register = site.register(&options.list)?;
    let dir = options
        .root
        .join("content/lists")
        .join(&register.key)
        .join("editions")
        .join(&options.id);
    validate(options, register, &dir)?;
    let pending = history::pending(register, &site.departments);
    if pending.is_empty() {
        let newest = register.editions.last().map_or("?", |e| e.id.as_str());
        let key = &register.key;
        return Err(refuse(t!(
            en: "the working copy of `{key}` is the same as edition {newest}: there is nothing to release",
            zh: "`{key}` 的工作副本与版本 {newest} 相同：没有可发布的内容"
        )));
    }
    let reasons = read_reasons(options.reasons_file.as_deref())?;
    let mut warnings: Vec<Text> = pending
        .items
        .iter()
        .filter(|c| !reasons.contains_key(&c.id))
        .map(|c| {
            let (id, title, kind) = (&c.id, &c.title, c.kind.name());
            let kind_zh = match c.kind {
                ChangeKind::Added => "新增",
                ChangeKind::Removed => "退出",
                ChangeKind::Changed => "调整",
            };
            t!(
                en: "{id} {title} was {kind} but has no reason; citizens will see the change without a why",
                zh: "{id} {title}（{kind_zh}）没有填写理由；公众将看到这项变更，却不知道原因"
            )
        })
        .collect();
    warnings.extend(
        reasons
            .keys()
            .filter(|id| pending.item(id).is_none())
            .map(|id| {
                t!(
                    en: "the reasons file gives a reason for {id}, which did not change; it was left out",
                    zh: "理由文件为 {id} 填写了理由，但它没有变化；这条理由未被采用"
                )
            }),
    );
    let reasons: BTreeMap<String, String> = reasons
        .into_iter()
        .filter(|(id, _)| pending.item(id).is_some())
        .collect();
    let files = edition_files(&site, register, options, &reasons)?;
    write_atomically(&dir, &files)?;
    verify_or_undo(options, &dir)?;
    Ok(ReleaseSummary {
        dir,
        files: files.len() + 1,
        counts: pending.counts(),
        warnings,
    })
}

fn refuse(message: Text) -> Error {
    Error::Release(message)
}

fn validate(o: &ReleaseOptions, register: &Register, dir: &Path) -> Result<()> {
    if !is_edition_id(&o.id) {
        let id = &o.id;
        return Err(refuse(t!(
            en: "`{id}` is not a valid edition id: use letters, digits, `.`, `_` and `-`, starting with a letter or digit (e.g. 2021, 2021-2)",
            zh: "`{id}` 不是有效的版本编号：只能用字母、数字、`.`、`_` 和 `-`，并以字母或数字开头（例如 2021、2021-2）"
        )));
    }
    if dir.exists() || register.editions.iter().any(|e| e.id == o.id) {
        let (id, key) = (&o.id, &register.key);
        return Err(refuse(t!(
            en: "edition `{id}` of `{key}` already exists; frozen editions are never changed, choose a new id",
            zh: "名录 `{key}` 已有版本 `{id}`；已冻结的版本不可更改，请换一个新的版本编号"
        )));
    }
    for (name, value) in [("--label", &o.label), ("--title", &o.title)] {
        if value.trim().is_empty() {
            return Err(refuse(
                t!(en: "{name} must not be empty", zh: "{name} 不能为空"),
            ));
        }
    }
    if o.issuers.iter().all(|i| i.trim().is_empty()) {
        return Err(refuse(t!(
            en: "give at least one --issuer (发布机关)",
            zh: "请至少用 --issuer 给出一个发布机关"
        )));
    }
    if let Some(fixed) = o
        .doc_number
        .as_deref()
        .and_then(content::normalise_doc_number)
    {
        return Err(refuse(t!(
            en: "--doc-number must write the year as 〔YYYY〕: use `{fixed}`",
            zh: "`--doc-number` 中的年份应写作〔YYYY〕：请用 `{fixed}`"
        )));
    }
    if o.effective < o.published {
        let (effective, published) = (o.effective, o.published);
        return Err(refuse(t!(
            en: "--effective {effective} is before --published {published}",
            zh: "实施日期 --effective {effective} 早于发布日期 --published {published}"
        )));
    }
    if let Some(expires) = o.expires.filter(|x| *x < o.effective) {
        let effective = o.effective;
        return Err(refuse(t!(
            en: "--expires {expires} is before --effective {effective}",
            zh: "失效日期 --expires {expires} 早于实施日期 --effective {effective}"
        )));
    }
    if let Some(newest) = register
        .editions
        .last()
        .filter(|e| o.effective < e.record.effective.value)
    {
        let (effective, id, before) = (o.effective, &newest.id, newest.record.effective.value);
        return Err(refuse(t!(
            en: "--effective {effective} is before edition {id} (effective {before}); a new edition cannot take effect before the one it follows",
            zh: "实施日期 --effective {effective} 早于版本 {id}（实施日期 {before}）；新版本不能早于上一版本实施"
        )));
    }
    if let Some(bad) = o.sources.iter().find(|s| !content::is_web_url(s)) {
        return Err(refuse(t!(
            en: "--source `{bad}` is not an absolute http(s) URL",
            zh: "--source `{bad}` 不是以 http(s) 开头的完整网址"
        )));
    }
    Ok(())
}

/// Reads `id: reason` lines from a YAML file.
fn read_reasons(path: Option<&Path>) -> Result<BTreeMap<String, String>> {
    let Some(path) = path else {
        return Ok(BTreeMap::new());
    };
    let text = crate::site_files::read_cli_text(path)?;
    let mut diags = Vec::new();
    let node = yaml::parse(&text, crate::diagnostic::FileId(0), &mut diags);
    let shown = path.display();
    let bad = |why: Text| {
        let (we, wz) = (&why.en, &why.zh);
        refuse(t!(en: "{shown}: {we}", zh: "{shown}：{wz}"))
    };
    let Some(node) = node else {
        let d = &diags[0];
        let at = d
            .span
            .map(|s| format!("{}:{}: ", s.line, s.col))
            .unwrap_or_default();
        let (me, mz) = (&d.message.en, &d.message.zh);
        return Err(bad(t!(en: "{at}{me}", zh: "{at}{mz}")));
    };
    let mut out = BTreeMap::new();
    match &node.kind {
        yaml::Kind::Map(entries) => {
            for (k, v) in entries {
                let (yaml::Kind::Scalar(id, _), yaml::Kind::Scalar(reason, _)) = (&k.kind, &v.kind)
                else {
                    let line = k.span.line;
                    return Err(bad(t!(
                        en: "line {line}: write `ID: reason` (a reason is one line of text)",
                        zh: "第 {line} 行：请写成 `编号: 理由`（理由是一行文字）"
                    )));
                };
                if !reason.trim().is_empty() {
                    out.insert(id.clone(), reason.trim().to_owned());
                }
            }
        }
        _ if node.is_null() => {}
        _ => {
            return Err(bad(t!(
                en: "expected lines of `ID: reason` (see `minglu diff --format reasons`)",
                zh: "应为若干行 `编号: 理由`（可参考 `minglu diff --format reasons` 的输出）"
            )));
        }
    }
    Ok(out)
}

/// The edition's files (path relative to the edition folder → bytes), without SHA256SUMS.
fn edition_files(
    site: &Site,
    register: &Register,
    o: &ReleaseOptions,
    reasons: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, Vec<u8>>> {
    let read = |file| {
        let path = site.root.join(site.files.path(file));
        crate::site_files::read_content(&site.root, &path).map(rebase_schema_line)
    };
    let mut files = BTreeMap::new();
    files.insert("list.yaml".to_owned(), read(register.working.list.file)?);
    for item in &register.working.items {
        files.insert(format!("items/{}.yaml", item.id), read(item.file)?);
    }
    let used: std::collections::BTreeSet<&str> = register
        .working
        .items
        .iter()
        .flat_map(crate::model::Item::department_refs)
        .map(|d| d.value.as_str())
        .collect();
    files.insert(
        "departments.yaml".to_owned(),
        departments_yaml(&site.departments, &used).into_bytes(),
    );
    files.insert(
        "edition.yaml".to_owned(),
        edition_yaml(o, reasons).into_bytes(),
    );
    Ok(files)
}

/// A working-copy file may start with a `# yaml-language-server: $schema=<path>`
/// line for editors; its copy sits two folders deeper (`editions/<id>/`), so a
/// relative path gets `../../` in front. URLs and absolute paths stay as they are.
fn rebase_schema_line(bytes: Vec<u8>) -> Vec<u8> {
    const HEADER: &[u8] = b"# yaml-language-server: $schema=";
    let Some(rest) = bytes.strip_prefix(HEADER) else {
        return bytes;
    };
    let line = rest.split(|b| *b == b'\n').next().unwrap_or_default();
    if line.starts_with(b"/") || line.windows(3).any(|w| w == b"://") {
        return bytes;
    }
    let mut out = HEADER.to_vec();
    out.extend_from_slice(b"../../");
    out.extend_from_slice(rest);
    out
}

fn departments_yaml(departments: &Departments, used: &std::collections::BTreeSet<&str>) -> String {
    let mut out = String::new();
    for (id, d) in departments
        .iter()
        .filter(|(id, _)| used.contains(id.as_str()))
    {
        out.push_str(&format!("{id}:\n"));
        for field in DEPARTMENT_FIELDS {
            if let Some(FieldValue::Text(v)) = (field.get)(d) {
                out.push_str(&format!("  {}: {}\n", field.name, scalar(&v)));
            }
        }
    }
    out
}

fn edition_yaml(o: &ReleaseOptions, reasons: &BTreeMap<String, String>) -> String {
    let mut y = format!(
        "label: {}\nkind: {}\ntitle: {}\n",
        scalar(&o.label),
        o.kind.name(),
        scalar(&o.title)
    );
    if let Some(n) = &o.doc_number {
        y.push_str(&format!("doc_number: {}\n", scalar(n)));
    }
    y.push_str("issuers:\n");
    for i in o.issuers.iter().filter(|i| !i.trim().is_empty()) {
        y.push_str(&format!("  - {}\n", scalar(i)));
    }
    y.push_str(&format!(
        "published: {}\neffective: {}\n",
        o.published, o.effective
    ));
    if let Some(x) = o.expires {
        y.push_str(&format!("expires: {x}\n"));
    }
    if let Some(notes) = o.notes.as_deref().filter(|n| !n.trim().is_empty()) {
        y.push_str(&format!("notes: {}\n", block(notes)));
    }
    if !reasons.is_empty() {
        y.push_str("reasons:\n");
        for (id, r) in reasons {
            y.push_str(&format!("  {id}: {}\n", scalar(r)));
        }
    }
    if !o.sources.is_empty() {
        y.push_str("sources:\n");
        for s in &o.sources {
            y.push_str(&format!("  - {}\n", scalar(s)));
        }
    }
    y
}

/// A YAML scalar for `s`: plain when YAML 1.2 and 1.1 both read it as this text, else double-quoted.
pub fn scalar(s: &str) -> String {
    let plain = !s.is_empty()
        && s.trim() == s
        && !s.chars().any(char::is_control)
        && !s.starts_with(|c: char| "-?:,[]{}#&*!|>'\"%@`~".contains(c))
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.ends_with(':')
        && yaml::resolve_plain(s) == yaml::Resolved::Str
        && !["y", "n", "yes", "no", "on", "off"].contains(&s.to_ascii_lowercase().as_str());
    if plain {
        s.to_owned()
    } else {
        serde_json::to_string(s).expect("strings serialise")
    }
}

/// A literal block scalar (`|`) for multi-line Markdown, or a quoted scalar when that cannot hold it.
fn block(s: &str) -> String {
    let s = s.trim_end_matches(['\n', '\r']);
    if !s.contains('\n') {
        return scalar(s);
    }
    if s.starts_with([' ', '\t']) || s.contains('\r') || s.lines().any(|l| l.ends_with([' ', '\t']))
    {
        return serde_json::to_string(s).expect("strings serialise");
    }
    let mut out = String::from("|");
    for line in s.lines() {
        out.push('\n');
        if !line.is_empty() {
            out.push_str("  ");
            out.push_str(line);
        }
    }
    out
}

fn write_atomically(dir: &Path, files: &BTreeMap<String, Vec<u8>>) -> Result<()> {
    let parent = dir.parent().expect("editions folder");
    fs::create_dir_all(parent).map_err(Error::write(parent))?;
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = parent.join(format!(".{name}.release-{}", std::process::id()));
    let result = (|| {
        let _ = fs::remove_dir_all(&temp);
        fs::create_dir_all(temp.join("items")).map_err(Error::write(&temp))?;
        let mut hashes = Vec::with_capacity(files.len());
        for (rel, bytes) in files {
            let path = temp.join(rel);
            fs::write(&path, bytes).map_err(Error::write(&path))?;
            hashes.push((rel.as_str(), sha256_hex(bytes)));
        }
        let sums = format_sums(hashes.iter().map(|(p, h)| (*p, h.as_str())));
        fs::write(temp.join(SUMS_FILE), sums).map_err(Error::write(temp.join(SUMS_FILE)))?;
        fs::rename(&temp, dir).map_err(Error::write(dir))
    })();
    if result.is_err() {
        let _ = fs::remove_dir_all(&temp);
    }
    result
}

/// Loads the site again; if the new edition brought any error, removes it and refuses.
fn verify_or_undo(o: &ReleaseOptions, dir: &Path) -> Result<()> {
    match crate::load_valid(&o.root, o.today) {
        Err(e @ Error::Content(_)) => {
            let _ = fs::remove_dir_all(dir);
            Err(e)
        }
        other => other.map(|_| ()),
    }
}

#[cfg(test)]
mod tests {
    /// With the built-in templates, `check` renders a register's first
    /// edition page and the first of each status among the others: of
    /// stamp's 2015 (first), 2020, 2022 (superseded), 2023 (in force) and
    /// 2099 (upcoming), all but 2022.
    #[test]
    fn check_renders_one_edition_page_of_each_status() {
        use crate::model::EditionKind;
        let root = std::env::temp_dir().join(format!("minglu-sample-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        copy(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content"),
            &root.join("content"),
        );
        let today = jiff::civil::date(2026, 1, 1);
        let item = root.join("content/lists/stamp/items/GZ-001.yaml");
        for (id, year) in [("2022", 2022), ("2023", 2023), ("2099", 2099)] {
            let text = std::fs::read_to_string(&item).expect("an item");
            std::fs::write(&item, text.replacen("title: ", &format!("title: {id}"), 1))
                .expect("edit");
            super::release(&super::ReleaseOptions {
                root: root.clone(),
                list: "stamp".to_owned(),
                id: id.to_owned(),
                label: format!("{id}年版"),
                kind: EditionKind::Year,
                title: "t".to_owned(),
                doc_number: None,
                issuers: vec!["i".to_owned()],
                published: jiff::civil::date(year, 1, 1),
                effective: jiff::civil::date(year, 2, 1),
                expires: None,
                notes: None,
                reasons_file: None,
                sources: Vec::new(),
                today,
            })
            .expect("released");
        }
        let rendered = std::sync::Mutex::new(Vec::new());
        let sink = |path: &str, _: &[u8]| {
            rendered.lock().expect("lock").push(path.to_owned());
            Ok(())
        };
        let options = crate::plan::PlanOptions {
            today,
            base_url: None,
            drafts: true,
            program: crate::program_fingerprint(),
            previous: std::collections::BTreeMap::new(),
        };
        let (report, _) =
            crate::analyse(&root, options, crate::Outputs::Pages, &sink).expect("checked");
        assert!(!report.diagnostics.has_errors());
        let mut editions: Vec<String> = rendered
            .into_inner()
            .expect("lock")
            .into_iter()
            .filter_map(|p| {
                Some(
                    p.strip_prefix("stamp/editions/")?
                        .strip_suffix("/index.html")?
                        .to_owned(),
                )
            })
            .filter(|e| !e.contains('/'))
            .collect();
        editions.sort();
        assert_eq!(editions, ["2015", "2020", "2023", "2099"]);
        let _ = std::fs::remove_dir_all(&root);
    }

    fn copy(from: &std::path::Path, to: &std::path::Path) {
        std::fs::create_dir_all(to).expect("a folder");
        for entry in std::fs::read_dir(from)
            .expect("a folder")
            .map(|e| e.expect("an entry"))
        {
            let target = to.join(entry.file_name());
            if entry.file_type().expect("a type").is_dir() {
                copy(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), target).expect("a copy");
            }
        }
    }

    use super::*;

    #[test]
    fn scalars_quote_what_yaml_would_misread() {
        assert_eq!(scalar("示例市民政局"), "示例市民政局");
        assert_eq!(scalar("110"), "\"110\"");
        assert_eq!(scalar("no"), "\"no\"");
        assert_eq!(scalar("a: b"), "\"a: b\"");
        assert_eq!(scalar("- x"), "\"- x\"");
        assert_eq!(scalar("true"), "\"true\"");
        assert_eq!(scalar("https://example.org/a"), "https://example.org/a");
    }

    #[test]
    fn schema_lines_are_rebased_for_the_edition_folder() {
        let line = b"# yaml-language-server: $schema=../../../../docs/schema/v1/item-stamp.json\ntitle: x\n";
        assert_eq!(
            rebase_schema_line(line.to_vec()),
            b"# yaml-language-server: $schema=../../../../../../docs/schema/v1/item-stamp.json\ntitle: x\n"
        );
        let url = b"# yaml-language-server: $schema=https://example.org/schema/v1/list.json\n";
        assert_eq!(rebase_schema_line(url.to_vec()), url);
        assert_eq!(rebase_schema_line(b"title: x\n".to_vec()), b"title: x\n");
    }

    #[test]
    fn blocks() {
        assert_eq!(block("一行\n\n二行\n"), "|\n  一行\n\n  二行");
        assert_eq!(block(" leading\nx"), "\" leading\\nx\"");
    }
}
