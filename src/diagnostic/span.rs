//! Source positions: which file, which line and column, which bytes.
//!
//! Every value the loader reads keeps its [`Span`], so a check that runs long
//! after parsing can still point at the exact characters an editor must change.

use serde::Serialize;

/// Index of a file in [`Files`]; cheap to copy into every span.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct FileId(pub u32);

/// A region of one source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    /// The file this span is in.
    pub file: FileId,
    /// 1-based line number.
    pub line: u32,
    /// 1-based column, counted in characters (not bytes).
    pub col: u32,
    /// Byte offset of the first byte.
    pub start: u32,
    /// Byte offset one past the last byte (equal to `start` for a point).
    pub end: u32,
}

impl Span {
    /// A span covering a whole file with no particular position (line 1, column 1).
    pub fn file_start(file: FileId) -> Self {
        Span {
            file,
            line: 1,
            col: 1,
            start: 0,
            end: 0,
        }
    }
}

/// A value together with where it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Where it was written.
    pub span: Span,
}

impl<T> Spanned<T> {
    /// Pairs a value with its span.
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

impl<T> std::ops::Deref for Spanned<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: Serialize> Serialize for Spanned<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(s)
    }
}

/// The table of every file the loader looked at, indexed by [`FileId`].
///
/// Paths are relative to the site root and use `/`, the way diagnostics show them.
/// A clone shares the paths (tens of thousands at large sites, and the
/// loader, the model, the report and `serve`'s last build each hold the
/// table); adding a path to a shared table copies it first.
#[derive(Clone, Debug, Default)]
pub struct Files {
    paths: std::sync::Arc<Vec<String>>,
}

impl Files {
    /// Registers a path and returns its id.
    pub fn add(&mut self, relative_path: String) -> FileId {
        let id = FileId(u32::try_from(self.paths.len()).expect("fewer than 4 billion files"));
        std::sync::Arc::make_mut(&mut self.paths).push(relative_path);
        id
    }

    /// The path of a file, relative to the site root.
    pub fn path(&self, id: FileId) -> &str {
        &self.paths[id.0 as usize]
    }

    /// Every registered path, in id order.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.paths.iter().map(String::as_str)
    }

    /// The number of registered files.
    pub fn len(&self) -> usize {
        self.paths.len()
    }

    /// Whether no file is registered.
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }
}
