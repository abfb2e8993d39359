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
use crate::error::{Error, Result};
use crate::history;
use crate::model::schema::{DEPARTMENT_FIELDS, FieldValue};
use crate::model::{Choice, Departments, EditionKind, Register, Site};

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
    pub warnings: Vec<String>,
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
        return Err(refuse(format!(
            "the working copy of `{}` is the same as edition {newest}: there is nothing to release",
            register.key
        )));
    }
    let reasons = read_reasons(options.reasons_file.as_deref())?;
    let mut warnings: Vec<String> = pending
        .items
        .iter()
        .filter(|c| !reasons.contains_key(&c.id))
        .map(|c| {
            format!(
                "{} {} was {} but has no reason; citizens will see the change without a why",
                c.id,
                c.title,
                c.kind.name()
            )
        })
        .collect();
    warnings.extend(reasons.keys().filter(|id| pending.item(id).is_none()).map(|id| format!("the reasons file gives a reason for {id}, which did not change; it was left out")));
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

fn refuse(message: String) -> Error {
    Error::Release(message)
}

fn validate(o: &ReleaseOptions, register: &Register, dir: &Path) -> Result<()> {
    if !is_edition_id(&o.id) {
        return Err(refuse(format!(
            "`{}` is not a valid edition id: use letters, digits, `.`, `_` and `-`, starting with a letter or digit (e.g. 2021, 2021-2)",
            o.id
        )));
    }
    if dir.exists() || register.editions.iter().any(|e| e.id == o.id) {
        return Err(refuse(format!(
            "edition `{}` of `{}` already exists; frozen editions are never changed, choose a new id",
            o.id, register.key
        )));
    }
    for (name, value) in [("--label", &o.label), ("--title", &o.title)] {
        if value.trim().is_empty() {
            return Err(refuse(format!("{name} must not be empty")));
        }
    }
    if o.issuers.iter().all(|i| i.trim().is_empty()) {
        return Err(refuse("give at least one --issuer (发布机关)".into()));
    }
    if let Some(fixed) = o
        .doc_number
        .as_deref()
        .and_then(content::normalise_doc_number)
    {
        return Err(refuse(format!(
            "--doc-number must write the year as 〔YYYY〕: use `{fixed}`"
        )));
    }
    if o.effective < o.published {
        return Err(refuse(format!(
            "--effective {} is before --published {}",
            o.effective, o.published
        )));
    }
    if let Some(expires) = o.expires.filter(|x| *x < o.effective) {
        return Err(refuse(format!(
            "--expires {expires} is before --effective {}",
            o.effective
        )));
    }
    if let Some(newest) = register
        .editions
        .last()
        .filter(|e| o.effective < e.record.effective.value)
    {
        return Err(refuse(format!(
            "--effective {} is before edition {} (effective {}); a new edition cannot take effect before the one it follows",
            o.effective, newest.id, newest.record.effective.value
        )));
    }
    if let Some(bad) = o.sources.iter().find(|s| !content::is_web_url(s)) {
        return Err(refuse(format!(
            "--source `{bad}` is not an absolute http(s) URL"
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
    let bad = |why: String| refuse(format!("{}: {why}", path.display()));
    let Some(node) = node else {
        let d = &diags[0];
        let at = d
            .span
            .map(|s| format!("{}:{}: ", s.line, s.col))
            .unwrap_or_default();
        return Err(bad(format!("{at}{}", d.message.en)));
    };
    let mut out = BTreeMap::new();
    match &node.kind {
        yaml::Kind::Map(entries) => {
            for (k, v) in entries {
                let (yaml::Kind::Scalar(id, _), yaml::Kind::Scalar(reason, _)) = (&k.kind, &v.kind)
                else {
                    return Err(bad(format!(
                        "line {}: write `ID: reason` (a reason is one line of text)",
                        k.span.line
                    )));
                };
                if !reason.trim().is_empty() {
                    out.insert(id.clone(), reason.trim().to_owned());
                }
            }
        }
        _ if node.is_null() => {}
        _ => {
            return Err(bad(
                "expected lines of `ID: reason` (see `minglu diff --format reasons`)".into(),
            ));
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
