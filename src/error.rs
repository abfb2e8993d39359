//! Operational failures: the things that are not mistakes in the content.
//!
//! Problems in the user's content are [`crate::diagnostic::Diagnostic`]s and are
//! collected; an [`Error`] stops the command.

use std::io;
use std::path::PathBuf;

use crate::diagnostic::Report;

/// An operational failure, or a refusal because the content has errors.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The site root has no `content/` folder.
    #[error(
        "no content folder at {path} (run `minglu init <DIR>` to start a site, or pass --root)"
    )]
    NoContent {
        /// The expected folder.
        path: PathBuf,
    },
    /// Reading a file or folder failed.
    #[error("cannot read {path}")]
    Read {
        /// What was being read.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// Writing a file or folder failed.
    #[error("cannot write {path}")]
    Write {
        /// What was being written.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// `init` refuses to write into a folder that has files in it.
    #[error("{path} is not empty; `minglu init` only writes into a new or empty folder")]
    NotEmpty {
        /// The folder.
        path: PathBuf,
    },
    /// The output folder would be inside `content/` or would replace the site root.
    #[error("refusing to write the site to {path}: {reason}")]
    BadOutput {
        /// The output folder.
        path: PathBuf,
        /// Why it is refused.
        reason: &'static str,
    },
    /// The output folder exists and minglu did not write it.
    #[error(
        "refusing to replace {path}: minglu did not write it (it has no {marker} file); choose another --output, move the folder away, or pass --force to replace it"
    )]
    ForeignOutput {
        /// The output folder.
        path: PathBuf,
        /// The marker file's name.
        marker: &'static str,
    },
    /// A file minglu will not read: outside the site, not a regular file, or too large.
    #[error("refusing to read {path}: {reason}")]
    Refused {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A register key that does not exist.
    #[error("there is no register `{name}`; the registers are: {known}")]
    UnknownList {
        /// What was asked for.
        name: String,
        /// The keys that exist.
        known: String,
    },
    /// An edition id that does not exist.
    #[error("register `{list}` has no edition `{name}`; its editions are: {known}")]
    UnknownEdition {
        /// The register.
        list: String,
        /// What was asked for.
        name: String,
        /// The ids that exist (and `working`).
        known: String,
    },
    /// `release` refused (nothing was written).
    #[error("release refused: {0}")]
    Release(String),
    /// The content has errors, so nothing was written.
    #[error("{} error(s) in the content; nothing was written", .0.diagnostics.error_count())]
    Content(Box<Report>),
}

/// Shorthand for results with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Wraps an I/O error from reading `path`.
    pub fn read(path: impl Into<PathBuf>) -> impl FnOnce(io::Error) -> Error {
        let path = path.into();
        move |source| Error::Read { path, source }
    }

    /// Wraps an I/O error from writing `path`.
    pub fn write(path: impl Into<PathBuf>) -> impl FnOnce(io::Error) -> Error {
        let path = path.into();
        move |source| Error::Write { path, source }
    }
}
