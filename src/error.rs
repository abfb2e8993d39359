//! Operational failures: the things that are not mistakes in the content.
//!
//! Problems in the user's content are [`crate::diagnostic::Diagnostic`]s and are
//! collected; an [`Error`] stops the command. Its message exists in English
//! (`Display`) and Chinese ([`Error::text`]), like every diagnostic.

use std::io;
use std::path::PathBuf;

use crate::diagnostic::{Report, Text};
use crate::t;

/// An operational failure, or a refusal because the content has errors.
///
/// `Display` is the English message; [`Error::text`] has both languages.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The site root has no `content/` folder.
    NoContent {
        /// The expected folder.
        path: PathBuf,
    },
    /// Reading a file or folder failed.
    Read {
        /// What was being read.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// Writing a file or folder failed.
    Write {
        /// What was being written.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// `init` refuses to write into a folder that has files in it.
    NotEmpty {
        /// The folder.
        path: PathBuf,
    },
    /// The output folder would be inside `content/` or would replace the site root.
    BadOutput {
        /// The output folder.
        path: PathBuf,
        /// Why it is refused.
        reason: Text,
    },
    /// The output folder exists and minglu did not write it.
    ForeignOutput {
        /// The output folder.
        path: PathBuf,
        /// The marker file's name.
        marker: &'static str,
    },
    /// A file minglu will not read: outside the site, not a regular file, or too large.
    Refused {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: Text,
    },
    /// A register key that does not exist.
    UnknownList {
        /// What was asked for.
        name: String,
        /// The keys that exist.
        known: String,
    },
    /// An edition id that does not exist.
    UnknownEdition {
        /// The register.
        list: String,
        /// What was asked for.
        name: String,
        /// The ids that exist (and `working`).
        known: String,
    },
    /// A command-line argument has a value minglu cannot use.
    BadArgument {
        /// The flag, e.g. `--published`.
        flag: &'static str,
        /// The value given.
        value: String,
        /// What is wrong with it.
        problem: Text,
    },
    /// An environment variable minglu reads has a value it cannot use.
    BadEnv {
        /// The variable.
        name: &'static str,
        /// What is wrong with it (the sentence names the variable).
        problem: Text,
    },
    /// `release` refused (nothing was written).
    Release(Text),
    /// The content has errors, so nothing was written.
    Content(Box<Report>),
}

/// Shorthand for results with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text().en)
    }
}

impl Error {
    /// The message in English and Chinese (without its causes, which come from
    /// the operating system or a library and are printed as they are).
    pub fn text(&self) -> Text {
        match self {
            Error::NoContent { path } => {
                let path = path.display();
                t!(
                    en: "no content folder at {path} (run `minglu init <DIR>` to start a site, or pass --root)",
                    zh: "{path} 处没有 content 文件夹（新建网站请运行 `minglu init <DIR>`，或用 --root 指定网站根目录）"
                )
            }
            Error::Read { path, .. } => {
                let path = path.display();
                t!(en: "cannot read {path}", zh: "无法读取 {path}")
            }
            Error::Write { path, .. } => {
                let path = path.display();
                t!(en: "cannot write {path}", zh: "无法写入 {path}")
            }
            Error::NotEmpty { path } => {
                let path = path.display();
                t!(
                    en: "{path} is not empty; `minglu init` only writes into a new or empty folder",
                    zh: "{path} 不是空文件夹；`minglu init` 只在新的或空的文件夹中创建网站"
                )
            }
            Error::BadOutput { path, reason } => {
                let (path, re, rz) = (path.display(), &reason.en, &reason.zh);
                t!(
                    en: "refusing to write the site to {path}: {re}",
                    zh: "拒绝把网站写入 {path}：{rz}"
                )
            }
            Error::ForeignOutput { path, marker } => {
                let path = path.display();
                t!(
                    en: "refusing to replace {path}: minglu did not write it (it has no {marker} file); choose another --output, move the folder away, or pass --force to replace it",
                    zh: "拒绝替换 {path}：它不是 minglu 生成的（其中没有 {marker} 文件）；请换一个 --output，或把该文件夹移走，或加 --force 强制替换"
                )
            }
            Error::Refused { path, reason } => {
                let (path, re, rz) = (path.display(), &reason.en, &reason.zh);
                t!(en: "refusing to read {path}: {re}", zh: "拒绝读取 {path}：{rz}")
            }
            Error::UnknownList { name, known } => t!(
                en: "there is no register `{name}`; the registers are: {known}",
                zh: "没有名录 `{name}`；现有的名录是：{known}"
            ),
            Error::UnknownEdition { list, name, known } => t!(
                en: "register `{list}` has no edition `{name}`; its editions are: {known}",
                zh: "名录 `{list}` 没有版本 `{name}`；它的版本有：{known}"
            ),
            Error::BadArgument {
                flag,
                value,
                problem,
            } => {
                let (pe, pz) = (&problem.en, &problem.zh);
                t!(
                    en: "invalid value `{value}` for {flag}: {pe}",
                    zh: "{flag} 的值 `{value}` 无效：{pz}"
                )
            }
            Error::BadEnv { problem, .. } => problem.clone(),
            Error::Release(why) => {
                let (we, wz) = (&why.en, &why.zh);
                t!(en: "release refused: {we}", zh: "拒绝发布：{wz}")
            }
            Error::Content(report) => {
                let n = report.diagnostics.error_count();
                t!(
                    en: "{n} error(s) in the content; nothing was written",
                    zh: "内容中有 {n} 个错误；没有写入任何文件"
                )
            }
        }
    }

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
