//! Diagnostics: problems in the user's content, as data.
//!
//! A diagnostic is never printed where it is found. Stages push them into a
//! [`Diagnostics`] collection; the edge of the program renders them as terminal
//! text, JSON lines or GitHub annotations (see [`render`]). Operational failures
//! (I/O, a port in use) are not diagnostics: they are [`crate::Error`]s.
//!
//! Every message, help and related-span label is a [`Text`] in English and
//! Chinese; the renderer picks one by [`Lang`]. Push sites write both with
//! [`crate::t!`]:
//!
//! ```
//! # use minglu::diagnostic::{Code, Diagnostic, FileId, Span};
//! # let span = Span::file_start(FileId(0));
//! let id = "polic";
//! let d = Diagnostic::error(
//!     Code::DanglingDepartment,
//!     span,
//!     minglu::t!(en: "department `{id}` is not defined", zh: "部门 `{id}` 未定义"),
//! )
//! .with_help(minglu::t!(en: "did you mean `police`?", zh: "是否应为 `police`？"));
//! # assert_eq!(d.help.map(|h| h.zh), Some("是否应为 `police`？".into()));
//! ```

mod code;
pub mod render;
mod span;
mod text;

pub use code::{Code, RuleDoc, rules_markdown};
pub use span::{FileId, Files, Span, Spanned};
pub use text::{Lang, Noun, Text, code_list};

/// Diagnostics together with the file table they point into.
#[derive(Debug)]
pub struct Report {
    /// The site root, to read source excerpts from.
    pub root: std::path::PathBuf,
    /// Files the diagnostics refer to.
    pub files: Files,
    /// Every diagnostic, sorted.
    pub diagnostics: Diagnostics,
}

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The content is wrong; `build` refuses to write anything.
    Error,
    /// Worth fixing, but the site can be built.
    Warning,
}

impl Severity {
    /// The lowercase name used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One problem in the content, with where it is and how to fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Stable machine-readable code, e.g. `dangling-department`.
    pub code: Code,
    /// Error or warning.
    pub severity: Severity,
    /// Where the problem is; `None` only for problems with no file (rare).
    pub span: Option<Span>,
    /// What is wrong, in one sentence.
    pub message: Text,
    /// How to fix it.
    pub help: Option<Text>,
    /// Other places that explain the problem (e.g. the first of two duplicate keys).
    pub related: Vec<(Span, Text)>,
}

impl Diagnostic {
    /// An error at a span.
    pub fn error(code: Code, span: Span, message: Text) -> Self {
        Diagnostic {
            code,
            severity: Severity::Error,
            span: Some(span),
            message,
            help: None,
            related: Vec::new(),
        }
    }

    /// A warning at a span.
    pub fn warning(code: Code, span: Span, message: Text) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, span, message)
        }
    }

    /// Adds the `help:` line.
    #[must_use]
    pub fn with_help(mut self, help: Text) -> Self {
        self.help = Some(help);
        self
    }

    /// Adds a related location.
    #[must_use]
    pub fn with_related(mut self, span: Span, label: Text) -> Self {
        self.related.push((span, label));
        self
    }

    /// The same diagnostic about another file with the same bytes: every span
    /// in `from` now points into `to`.
    #[must_use]
    pub fn refiled(mut self, from: FileId, to: FileId) -> Self {
        let spans = self
            .span
            .iter_mut()
            .chain(self.related.iter_mut().map(|(s, _)| s));
        for span in spans.filter(|s| s.file == from) {
            span.file = to;
        }
        self
    }
}

/// An ordered collection of diagnostics.
#[derive(Clone, Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// An empty collection.
    pub fn new() -> Self {
        Diagnostics::default()
    }

    /// Adds one diagnostic.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    /// Adds many.
    pub fn extend(&mut self, more: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(more);
    }

    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    /// Number of errors.
    pub fn error_count(&self) -> usize {
        self.count(Severity::Error)
    }

    /// Number of warnings.
    pub fn warning_count(&self) -> usize {
        self.count(Severity::Warning)
    }

    fn count(&self, severity: Severity) -> usize {
        self.items.iter().filter(|d| d.severity == severity).count()
    }

    /// Sorts by file, position, then code, and drops exact duplicates, so output
    /// is stable however the parallel loader interleaved its work.
    pub fn sort(&mut self, files: &Files) {
        self.items.sort_by(|a, b| {
            let key = |d: &Diagnostic| {
                d.span
                    .map(|s| (files.path(s.file).to_owned(), s.start, s.line, s.col))
            };
            key(a)
                .cmp(&key(b))
                .then_with(|| a.code.as_str().cmp(b.code.as_str()))
                .then_with(|| a.message.cmp(&b.message))
        });
        self.items.dedup();
    }

    /// The diagnostics, in order.
    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.items.iter()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.items.len()
    }
}

impl<'a> IntoIterator for &'a Diagnostics {
    type Item = &'a Diagnostic;
    type IntoIter = std::slice::Iter<'a, Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}
