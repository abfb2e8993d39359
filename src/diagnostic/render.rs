//! Renders diagnostics at the edge of the program: terminal text with a source
//! excerpt and caret, JSON lines for tools, GitHub workflow annotations.
//!
//! Rendering reads the source lines back from disk (only for files that have a
//! diagnostic), so the loader never has to keep every file's text in memory. It
//! reads them through the reader it is given (`site_files::read_excerpt_source`),
//! which never follows a link out of the site.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};
use serde::Serialize;

use super::{Diagnostic, Diagnostics, Files, Lang, Severity, Span};
use crate::text_safety::{pictured, single_line};

/// The output formats of `check` and `build` diagnostics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Format {
    /// Human-readable, with source excerpts.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
    /// `::error file=…` workflow commands for GitHub Actions.
    Github,
    /// A GitLab code quality report: one JSON array for the whole run.
    Gitlab,
}

/// Reads a source file's text for an excerpt, given the site root and the file's
/// path relative to it; `None` when it may not be shown.
pub type ReadSource = fn(&Path, &str) -> Option<String>;

/// Reads source files lazily, once each, to show excerpts.
pub struct Sources<'a> {
    root: &'a Path,
    files: &'a Files,
    read: ReadSource,
    cache: HashMap<u32, Option<String>>,
}

impl<'a> Sources<'a> {
    /// Sources under `root` (the site root) for the given file table, read with
    /// `read`: pass `site_files::read_excerpt_source`, which opens only regular
    /// files inside their own folder, so a link to /proc/self/environ or a FIFO is
    /// never opened and neither leaks into nor hangs a CI log. (The reader is
    /// passed in because diagnostics sit below the file reader in the layers.)
    pub fn new(root: &'a Path, files: &'a Files, read: ReadSource) -> Self {
        Sources {
            root,
            files,
            read,
            cache: HashMap::new(),
        }
    }

    fn line(&mut self, span: Span) -> Option<(String, usize, usize)> {
        let (root, relative, read) = (self.root, self.files.path(span.file), self.read);
        let text = self
            .cache
            .entry(span.file.0)
            .or_insert_with(|| read(root, relative))
            .as_deref()?;
        let start = (span.start as usize).min(text.len());
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let line = text[line_start..line_end].trim_end_matches('\r');
        let mut from = (start - line_start).min(line.len());
        while !line.is_char_boundary(from) {
            from -= 1;
        }
        let mut to = (span.end as usize).clamp(start, line_start + line.len()) - line_start;
        while !line.is_char_boundary(to) {
            to += 1;
        }
        if to == from {
            to = line[from..]
                .chars()
                .next()
                .map_or(from, |c| from + c.len_utf8());
        }
        // Control characters are shown as pictures (so an ESC in a file cannot
        // drive the terminal); the byte offsets move with them.
        let (a, b, c) = (
            pictured(&line[..from]),
            pictured(&line[from..to]),
            pictured(&line[to..]),
        );
        Some((format!("{a}{b}{c}"), a.len(), a.len() + b.len()))
    }
}

/// Renders every diagnostic in the chosen format and language, followed (for
/// text) by nothing else: the caller prints the summary line. Codes, paths,
/// positions and JSON keys are the same in every language.
pub fn render(
    diagnostics: &Diagnostics,
    sources: &mut Sources<'_>,
    format: Format,
    color: bool,
    lang: Lang,
) -> String {
    if format == Format::Gitlab {
        return gitlab(diagnostics, sources.files, lang);
    }
    let mut out = String::new();
    for d in diagnostics {
        match format {
            Format::Gitlab => unreachable!("rendered as one array above"),
            Format::Text => {
                out.push_str(&text(d, sources, color, lang));
                out.push_str("\n\n");
            }
            Format::Json => {
                out.push_str(&json(d, sources.files, lang));
                out.push('\n');
            }
            Format::Github => {
                out.push_str(&github(d, sources.files, lang));
                out.push('\n');
            }
        }
    }
    out
}

/// One diagnostic as terminal text, rustc style.
pub fn text(d: &Diagnostic, sources: &mut Sources<'_>, color: bool, lang: Lang) -> String {
    let level = match (d.severity, lang) {
        (Severity::Error, Lang::En) => Level::ERROR,
        (Severity::Warning, Lang::En) => Level::WARNING,
        (Severity::Error, Lang::Zh) => Level::ERROR.with_name("错误"),
        (Severity::Warning, Lang::Zh) => Level::WARNING.with_name("警告"),
    };
    let message = single_line(d.message.get(lang));
    let mut group = Group::with_title(level.primary_title(message.as_str()).id(d.code.as_str()));
    let mut owned = Vec::new();
    if let Some(span) = d.span {
        owned.push((span, sources.line(span), String::new(), true));
    }
    for (span, label) in &d.related {
        owned.push((
            *span,
            sources.line(*span),
            single_line(label.get(lang)),
            false,
        ));
    }
    let paths: Vec<String> = owned
        .iter()
        .map(|(span, ..)| single_line(sources.files.path(span.file)))
        .collect();
    for ((span, line, label, primary), path) in owned.iter().zip(&paths) {
        group = match line {
            Some((source, from, to)) => {
                let kind = if *primary {
                    AnnotationKind::Primary
                } else {
                    AnnotationKind::Context
                };
                group.element(
                    Snippet::source(source.as_str())
                        .line_start(span.line as usize)
                        .path(path.as_str())
                        .annotation(kind.span(*from..*to).label(label.as_str())),
                )
            }
            None => group.element(
                Origin::path(path.as_str())
                    .line(span.line as usize)
                    .char_column(span.col as usize),
            ),
        };
    }
    let help = d.help.as_ref().map(|h| single_line(h.get(lang)));
    if let Some(help) = &help {
        let level = match lang {
            Lang::En => Level::HELP,
            Lang::Zh => Level::HELP.with_name("帮助"),
        };
        group = group.element(level.message(help.as_str()));
    }
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    renderer.render(&[group])
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'a str,
    severity: &'a str,
    file: Option<&'a str>,
    line: Option<u32>,
    column: Option<u32>,
    end_column: Option<u32>,
    message: &'a str,
    help: Option<&'a str>,
    related: Vec<JsonRelated<'a>>,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    file: &'a str,
    line: u32,
    column: u32,
    message: &'a str,
}

/// One diagnostic as a single-line JSON object.
pub fn json(d: &Diagnostic, files: &Files, lang: Lang) -> String {
    let value = JsonDiagnostic {
        code: d.code.as_str(),
        severity: d.severity.as_str(),
        file: d.span.map(|s| files.path(s.file)),
        line: d.span.map(|s| s.line),
        column: d.span.map(|s| s.col),
        end_column: None,
        message: d.message.get(lang),
        help: d.help.as_ref().map(|h| h.get(lang)),
        related: d
            .related
            .iter()
            .map(|(s, m)| JsonRelated {
                file: files.path(s.file),
                line: s.line,
                column: s.col,
                message: m.get(lang),
            })
            .collect(),
    };
    serde_json::to_string(&value).expect("diagnostics serialise to JSON")
}

/// One issue of a GitLab code quality report (the subset of Code Climate's format
/// GitLab reads).
#[derive(Serialize)]
struct GitlabIssue<'a> {
    description: String,
    check_name: &'a str,
    fingerprint: String,
    severity: &'static str,
    location: GitlabLocation<'a>,
}

#[derive(Serialize)]
struct GitlabLocation<'a> {
    path: &'a str,
    lines: GitlabLines,
}

#[derive(Serialize)]
struct GitlabLines {
    begin: u32,
}

/// Every diagnostic as a GitLab code quality report: a JSON array (empty when there
/// is nothing to report), followed by a newline.
pub fn gitlab(diagnostics: &Diagnostics, files: &Files, lang: Lang) -> String {
    use sha2::Digest as _;
    let issues: Vec<GitlabIssue<'_>> = diagnostics
        .into_iter()
        .map(|d| {
            let path = d.span.map_or("content", |s| files.path(s.file));
            let line = d.span.map_or(1, |s| s.line);
            let mut description = d.message.get(lang).to_owned();
            if let Some(help) = &d.help {
                let _ = match lang {
                    Lang::En => write!(description, " (help: {})", help.en),
                    Lang::Zh => write!(description, "（帮助：{}）", help.zh),
                };
            }
            let mut h = sha2::Sha256::new();
            // The English message keeps a finding's fingerprint the same whatever
            // language the report was written in.
            for part in [d.code.as_str(), path, &line.to_string(), &d.message.en] {
                h.update(part.as_bytes());
                h.update([0]);
            }
            GitlabIssue {
                description,
                check_name: d.code.as_str(),
                fingerprint: h.finalize().iter().map(|b| format!("{b:02x}")).collect(),
                severity: match d.severity {
                    Severity::Error => "major",
                    Severity::Warning => "minor",
                },
                location: GitlabLocation {
                    path,
                    lines: GitlabLines { begin: line },
                },
            }
        })
        .collect();
    let mut out = serde_json::to_string_pretty(&issues).expect("issues serialise to JSON");
    out.push('\n');
    out
}

/// One diagnostic as a GitHub Actions workflow command.
pub fn github(d: &Diagnostic, files: &Files, lang: Lang) -> String {
    let mut out = format!("::{}", d.severity.as_str());
    let mut props = Vec::new();
    if let Some(s) = d.span {
        props.push(format!(
            "file={}",
            escape_property(&single_line(files.path(s.file)))
        ));
        props.push(format!("line={}", s.line));
        props.push(format!("col={}", s.col));
    }
    props.push(format!("title={}", escape_property(d.code.as_str())));
    let _ = write!(out, " {}", props.join(","));
    let mut message = single_line(d.message.get(lang));
    if let Some(help) = &d.help {
        let label = lang.pick("help: ", "帮助：");
        let _ = write!(message, "\n{label}{}", single_line(help.get(lang)));
    }
    let _ = write!(out, "::{}", escape_data(&message));
    out
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Code, FileId};

    #[test]
    fn github_escapes_newlines_and_separators() {
        let mut files = Files::default();
        let f = files.add("content/a,b.yaml".into());
        let span = Span {
            file: f,
            line: 3,
            col: 5,
            start: 0,
            end: 0,
        };
        let d = Diagnostic::error(
            Code::UnknownField,
            span,
            crate::t!(en: "50% wrong", zh: "50% 错"),
        )
        .with_help(crate::t!(en: "fix: it", zh: "改：它"));
        assert_eq!(
            github(&d, &files, Lang::Zh),
            "::error file=content/a%2Cb.yaml,line=3,col=5,title=unknown-field::50%25 错%0A帮助：改：它"
        );
        assert_eq!(
            github(&d, &files, Lang::En),
            "::error file=content/a%2Cb.yaml,line=3,col=5,title=unknown-field::50%25 wrong%0Ahelp: fix: it"
        );
        assert_eq!(FileId(0), f);
    }
}
