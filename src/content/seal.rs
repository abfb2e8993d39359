//! SHA256SUMS: the seal on a frozen edition.
//!
//! The format is what `sha256sum` writes and `sha256sum -c` reads: one line per
//! file, `<64 hex digits><space><space or *><path>`, paths relative to the
//! edition folder with `/`, sorted bytewise.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use crate::diagnostic::{Code, Diagnostic, FileId, Span};
use crate::t;

/// The name of the seal file.
pub const SUMS_FILE: &str = "SHA256SUMS";

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// Lowercase hex of bytes (a digest).
pub fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
        out.push(char::from(b"0123456789abcdef"[usize::from(b & 15)]));
    }
    out
}

/// Writes SHA256SUMS text for `(path, hash)` pairs, sorted bytewise by path.
pub fn format_sums<'a>(entries: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut entries: Vec<_> = entries.into_iter().collect();
    entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    entries
        .iter()
        .map(|(path, hash)| format!("{hash}  {path}\n"))
        .collect()
}

/// Checks the edition's files against its SHA256SUMS text.
///
/// `files` maps each path in the folder (except SHA256SUMS) to its file id and hash.
pub(crate) fn verify(
    sums_text: &str,
    sums_file: FileId,
    files: &BTreeMap<String, (FileId, String)>,
    diags: &mut Vec<Diagnostic>,
) {
    let listed = read_listing(sums_text, sums_file, diags);
    for (path, (hash, span)) in &listed {
        match files.get(path) {
            None => diags.push(
                Diagnostic::error(
                    Code::EditionFileMissing,
                    *span,
                    t!(
                        en: "`{path}` is listed in SHA256SUMS but missing from the edition",
                        zh: "`{path}` 列在 SHA256SUMS 中，但该版本中没有这个文件"
                    ),
                )
                .with_help(t!(
                    en: "a frozen edition must not lose files: restore it from git (`git checkout -- <file>`)",
                    zh: "已冻结的版本不能缺少文件：请从 git 恢复（`git checkout -- <file>`）"
                )),
            ),
            Some((file, actual)) if actual != hash => {
                diags.push(modified(path, *file, *span, hash, actual));
            }
            Some(_) => {}
        }
    }
    for (path, (file, _)) in files {
        if !listed.contains_key(path) {
            diags.push(
                Diagnostic::error(
                    Code::EditionFileExtra,
                    Span::file_start(*file),
                    t!(
                        en: "`{path}` is in the frozen edition but not in its SHA256SUMS",
                        zh: "`{path}` 在已冻结的版本中，但没有列在它的 SHA256SUMS 里"
                    ),
                )
                .with_help(t!(
                    en: "remove the file; new items go into the working copy and a new edition",
                    zh: "请删除这个文件；新事项应写入工作稿，随新版本发布"
                )),
            );
        }
    }
}

fn modified(path: &str, file: FileId, span: Span, hash: &str, actual: &str) -> Diagnostic {
    let (was, now) = (&hash[..12], &actual[..12]);
    Diagnostic::error(
        Code::EditionModified,
        Span::file_start(file),
        t!(
            en: "`{path}` was changed after the edition was frozen",
            zh: "`{path}` 在版本冻结后被修改过"
        ),
    )
    .with_help(t!(
        en: "undo the change (`git checkout -- <file>`); to change the register, edit the working copy and release a new edition",
        zh: "请撤销修改（`git checkout -- <file>`）；如需调整名录，请修改工作稿并发布新版本"
    ))
    .with_related(
        span,
        t!(
            en: "SHA256SUMS records {was}…, the file now has {now}…",
            zh: "SHA256SUMS 记录的是 {was}…，文件现在是 {now}…"
        ),
    )
}

/// The lines of SHA256SUMS: path → (lowercase hash, the line's span). Malformed
/// and repeated lines are reported.
fn read_listing(
    sums_text: &str,
    sums_file: FileId,
    diags: &mut Vec<Diagnostic>,
) -> BTreeMap<String, (String, Span)> {
    let mut listed: BTreeMap<String, (String, Span)> = BTreeMap::new();
    let mut offset = 0u32;
    for (index, raw) in sums_text.split_inclusive('\n').enumerate() {
        let line = raw.trim_end_matches(['\n', '\r']);
        let span = Span {
            file: sums_file,
            line: u32::try_from(index + 1).unwrap_or(u32::MAX),
            col: 1,
            start: offset,
            end: offset + u32::try_from(line.len()).unwrap_or(0),
        };
        offset += u32::try_from(raw.len()).unwrap_or(0);
        if line.is_empty() {
            continue;
        }
        let Some((hash, path)) = parse_line(line) else {
            diags.push(
                Diagnostic::error(
                    Code::EditionSums,
                    span,
                    t!(
                        en: "this line is not `<sha256>  <path>`",
                        zh: "这一行不是 `<sha256>  <路径>` 格式"
                    ),
                )
                .with_help(t!(
                    en: "SHA256SUMS is written by `minglu release`; restore it from git",
                    zh: "SHA256SUMS 由 `minglu release` 生成；请从 git 恢复它"
                )),
            );
            continue;
        };
        if let Some((_, first)) = listed.get(path) {
            // `sha256sum -c` checks every line: a wrong hash first and the right
            // one last must not pass here.
            diags.push(
                Diagnostic::error(
                    Code::EditionSums,
                    span,
                    t!(
                        en: "`{path}` is listed twice in SHA256SUMS",
                        zh: "`{path}` 在 SHA256SUMS 中列出了两次"
                    ),
                )
                .with_help(t!(
                    en: "each file has exactly one line; restore SHA256SUMS from git",
                    zh: "每个文件只能有一行；请从 git 恢复 SHA256SUMS"
                ))
                .with_related(*first, t!(en: "first listed here", zh: "第一次列出在这里")),
            );
            continue;
        }
        listed.insert(path.to_owned(), (hash.to_ascii_lowercase(), span));
    }
    listed
}

fn parse_line(line: &str) -> Option<(&str, &str)> {
    let hash = line.get(..64)?;
    if !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let rest = line.get(64..)?;
    let path = rest
        .strip_prefix("  ")
        .or_else(|| rest.strip_prefix(" *"))?;
    (!path.is_empty()).then_some((hash, path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_like_sha256sum() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn a_file_listed_twice_is_an_error() {
        let (wrong, right) = (sha256_hex(b"x"), sha256_hex(b"a"));
        let sums = format!("{wrong}  list.yaml\n{right}  list.yaml\n");
        let mut files = BTreeMap::new();
        files.insert("list.yaml".to_owned(), (FileId(1), right.clone()));
        let mut diags = Vec::new();
        verify(&sums, FileId(0), &files, &mut diags);
        let found: Vec<_> = diags
            .iter()
            .map(|d| (d.code, d.span.map(|s| s.line)))
            .collect();
        assert!(found.contains(&(Code::EditionSums, Some(2))), "{found:?}");
    }

    #[test]
    fn verify_names_changed_missing_and_extra_files() {
        let a = sha256_hex(b"a");
        let sums = format_sums([("items/A-001.yaml", a.as_str()), ("list.yaml", a.as_str())]);
        let mut files = BTreeMap::new();
        files.insert(
            "items/A-001.yaml".to_owned(),
            (FileId(1), sha256_hex(b"changed")),
        );
        files.insert("extra.yaml".to_owned(), (FileId(2), a.clone()));
        let mut diags = Vec::new();
        verify(&sums, FileId(0), &files, &mut diags);
        let codes: Vec<_> = diags.iter().map(|d| d.code).collect();
        assert_eq!(
            codes,
            [
                Code::EditionModified,
                Code::EditionFileMissing,
                Code::EditionFileExtra
            ]
        );
    }
}
