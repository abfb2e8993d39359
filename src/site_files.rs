//! Reading files without trusting them: used by every stage that opens a file.
//!
//! Content comes from pull requests, so a file may be a symbolic link to
//! `/proc/self/environ`, a FIFO that blocks forever, or `/dev/zero`. Every read
//! here is of a *regular* file, bounded by a size limit, and — for site files —
//! only after the path, with every symbolic link resolved, is known to lie inside
//! the folder it belongs to (`content/` or `themes/`). Nothing here writes.
//!
//! The per-file limit is [`DEFAULT_MAX_FILE_SIZE`], or the `MINGLU_MAX_FILE_SIZE`
//! environment variable (bytes, or with a `K`, `M` or `G` suffix).

use std::fs::{self, File};
use std::io::Read;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::diagnostic::{Noun, Text};
use crate::error::{Error, Result};
use crate::t;

/// The largest file minglu reads unless told otherwise: 16 MiB.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 16 << 20;

/// The environment variable that sets the per-file limit.
pub const LIMIT_VAR: &str = "MINGLU_MAX_FILE_SIZE";

/// Why a file was not read.
#[derive(Debug)]
pub enum Refusal {
    /// Its real path (symbolic links resolved) is outside the allowed folder.
    Outside,
    /// It is a FIFO, a device, a socket or a folder.
    NotRegular(Noun),
    /// It is larger than the limit.
    TooLarge {
        /// Its size in bytes (at least `limit + 1` when it grew while read).
        size: u64,
        /// The limit in bytes.
        limit: u64,
    },
    /// The operating system refused.
    Io(std::io::Error),
}

impl Refusal {
    /// A sentence for error messages and diagnostics, in both languages.
    pub fn reason(&self) -> Text {
        match self {
            Refusal::Outside => t!(
                en: "it is a symbolic link to a place outside the site's folder",
                zh: "它是指向网站文件夹之外的符号链接"
            ),
            Refusal::NotRegular(kind) => {
                let (ke, kz) = (kind.en, kind.zh);
                t!(en: "it is {ke}, not a regular file", zh: "它是{kz}，不是普通文件")
            }
            Refusal::TooLarge { size, limit } => t!(
                en: "it is {size} bytes, more than the limit of {limit} bytes per file (set {LIMIT_VAR} to raise it)",
                zh: "它有 {size} 字节，超过了每个文件 {limit} 字节的上限（可设置 {LIMIT_VAR} 调高上限）"
            ),
            // The operating system's words, as they are (like an error's causes).
            Refusal::Io(e) => Text::new(e.to_string(), e.to_string()),
        }
    }

    fn into_error(self, path: &Path) -> Error {
        match self {
            Refusal::Io(source) => Error::Read {
                path: path.to_path_buf(),
                source,
            },
            other => Error::Refused {
                path: path.to_path_buf(),
                reason: other.reason(),
            },
        }
    }
}

/// The per-file limit from the environment; an unreadable value is an error.
pub fn max_file_size() -> Result<u64> {
    match std::env::var(LIMIT_VAR) {
        Err(_) => Ok(DEFAULT_MAX_FILE_SIZE),
        Ok(text) => parse_size(&text).ok_or_else(|| Error::Refused {
            path: LIMIT_VAR.into(),
            reason: t!(
                en: "`{text}` is not a size: write bytes, or a number with K, M or G",
                zh: "`{text}` 不是大小：请写字节数，或带 K、M、G 后缀的数"
            ),
        }),
    }
}

/// The per-file limit, falling back to the default when the variable is unreadable
/// (commands that load content report that through [`max_file_size`] first).
pub fn limit() -> u64 {
    max_file_size().unwrap_or(DEFAULT_MAX_FILE_SIZE)
}

fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let (digits, shift) = match text.char_indices().last()? {
        (i, 'k' | 'K') => (&text[..i], 10),
        (i, 'm' | 'M') => (&text[..i], 20),
        (i, 'g' | 'G') => (&text[..i], 30),
        _ => (text, 0),
    };
    let n: u64 = digits.trim().parse().ok()?;
    n.checked_mul(1 << shift).filter(|n| *n > 0)
}

/// What kind of special file this is (a noun in both languages), or `None` for
/// a regular file.
pub fn special_kind(file_type: fs::FileType) -> Option<Noun> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return Some(Noun::new("a named pipe (FIFO)", "命名管道（FIFO）"));
        }
        if file_type.is_char_device() || file_type.is_block_device() {
            return Some(Noun::new("a device", "设备文件"));
        }
        if file_type.is_socket() {
            return Some(Noun::new("a socket", "套接字"));
        }
    }
    if file_type.is_dir() {
        return Some(Noun::new("a folder", "文件夹"));
    }
    if file_type.is_file() {
        None
    } else {
        Some(Noun::new("a special file", "特殊文件"))
    }
}

/// Reads a regular file of at most `limit` bytes. The type is checked before the
/// file is opened (opening a FIFO would block) and again on the open handle.
pub fn read_regular(path: &Path, limit: u64) -> Result<Vec<u8>, Refusal> {
    let meta = fs::metadata(path).map_err(Refusal::Io)?;
    if let Some(kind) = special_kind(meta.file_type()) {
        return Err(Refusal::NotRegular(kind));
    }
    if meta.len() > limit {
        return Err(Refusal::TooLarge {
            size: meta.len(),
            limit,
        });
    }
    let file = File::open(path).map_err(Refusal::Io)?;
    let meta = file.metadata().map_err(Refusal::Io)?;
    if let Some(kind) = special_kind(meta.file_type()) {
        return Err(Refusal::NotRegular(kind));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(Refusal::Io)?;
    let size = bytes.len() as u64;
    if size > limit {
        return Err(Refusal::TooLarge { size, limit });
    }
    Ok(bytes)
}

/// Reads `path` only if its real path lies inside `base` (itself a real path).
pub fn read_within(base: &Path, path: &Path, limit: u64) -> Result<Vec<u8>, Refusal> {
    #[cfg(target_os = "linux")]
    if let Some(read) = read_within_by_handle(base, path, limit) {
        return read;
    }
    let real = fs::canonicalize(path).map_err(Refusal::Io)?;
    if !real.starts_with(base) {
        return Err(Refusal::Outside);
    }
    read_regular(&real, limit)
}

/// [`read_within`] on Linux, vetting the file it opened rather than its path:
/// the path is opened with `O_PATH` (which never blocks, reads nothing and has no
/// effect even on a FIFO or a device), the kernel names the real path of that
/// handle (`/proc/self/fd/N`, one `readlink` instead of one per path component),
/// its type and size are read from the handle, and only then is the same file
/// opened for reading, through the handle. A file swapped after the check is
/// never read.
///
/// `None` (use the portable way) when `/proc` is not there, or when the real path
/// it gives is not inside `base` (so that an unusual mount is judged by
/// `canonicalize`, as on other systems, before a file is refused).
#[cfg(target_os = "linux")]
fn read_within_by_handle(base: &Path, path: &Path, limit: u64) -> Option<Result<Vec<u8>, Refusal>> {
    use rustix::fs::{Mode, OFlags};
    let handle = match rustix::fs::open(path, OFlags::PATH | OFlags::CLOEXEC, Mode::empty()) {
        Ok(fd) => File::from(fd),
        Err(e) => return Some(Err(Refusal::Io(e.into()))),
    };
    let proc = {
        use std::os::fd::AsRawFd as _;
        format!("/proc/self/fd/{}", handle.as_raw_fd())
    };
    let real = fs::read_link(&proc).ok()?;
    if !real.starts_with(base) {
        return None;
    }
    Some(read_handle(&handle, &proc, limit))
}

/// Reads the regular file behind an `O_PATH` handle, opened anew through `proc`.
#[cfg(target_os = "linux")]
fn read_handle(handle: &File, proc: &str, limit: u64) -> Result<Vec<u8>, Refusal> {
    let meta = handle.metadata().map_err(Refusal::Io)?;
    if let Some(kind) = special_kind(meta.file_type()) {
        return Err(Refusal::NotRegular(kind));
    }
    if meta.len() > limit {
        return Err(Refusal::TooLarge {
            size: meta.len(),
            limit,
        });
    }
    let file = File::open(proc).map_err(Refusal::Io)?;
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(Refusal::Io)?;
    let size = bytes.len() as u64;
    if size > limit {
        return Err(Refusal::TooLarge { size, limit });
    }
    Ok(bytes)
}

/// Reads a file named on the command line (`--notes-file`): any regular file,
/// within the size limit, as UTF-8 text.
pub fn read_text_limited(path: &Path, limit: u64) -> Result<String> {
    let bytes = read_regular(path, limit).map_err(|r| r.into_error(path))?;
    String::from_utf8(bytes).map_err(|_| Error::Refused {
        path: path.to_path_buf(),
        reason: t!(en: "it is not UTF-8 text", zh: "它不是 UTF-8 编码的文本"),
    })
}

/// Reads a file named on the command line, within the configured limit.
pub fn read_cli_text(path: &Path) -> Result<String> {
    read_text_limited(path, max_file_size()?)
}

/// Reads a file that the content walk accepted (a defence against a file
/// replaced since the walk): regular, inside `root/content`, within the limit.
pub fn read_content(root: &Path, path: &Path) -> Result<Vec<u8>> {
    ContentFiles::new(root)?.read(path)
}

/// [`read_content`] for many files of one site: the real path of `content/`
/// and the size limit are found once, not once a file.
#[derive(Clone, Debug)]
pub struct ContentFiles {
    base: PathBuf,
    limit: u64,
}

impl ContentFiles {
    /// The content files of the site at `root`.
    pub fn new(root: &Path) -> Result<ContentFiles> {
        Ok(ContentFiles {
            base: real_base(root, "content")?,
            limit: limit(),
        })
    }

    /// Reads one of them as [`read_content`] does.
    pub fn read(&self, path: &Path) -> Result<Vec<u8>> {
        read_within(&self.base, path, self.limit).map_err(|r| r.into_error(path))
    }
}

/// A source file's text for a diagnostic excerpt, or `None` when it may not be
/// shown: `relative` is relative to the root and must stay, links resolved,
/// inside its top folder (`content/…` inside `content/`). A link that leaves it
/// is never opened, so its target never reaches a log.
pub fn read_excerpt_source(root: &Path, relative: &str) -> Option<String> {
    let top = relative.split('/').next()?;
    if top.is_empty() || top == ".." || relative.contains("/../") {
        return None;
    }
    let base = real_base(root, top).ok()?;
    let bytes = read_within(&base, &root.join(relative), limit()).ok()?;
    String::from_utf8(bytes).ok()
}

/// `canonical(root)/<folder>`: the folder as it must be, not where a link in its
/// place would lead.
fn real_base(root: &Path, folder: &str) -> Result<PathBuf> {
    Ok(fs::canonicalize(root)
        .map_err(Error::read(root))?
        .join(folder))
}

/// Every regular file under `root/<relative>` (a theme folder), with its path
/// relative to that folder and its bytes, in sorted order. Files whose real path
/// leaves `root/themes/` — a symlinked `static/` or `themes/` — are refused with
/// an error, as are special files and files over the limit. Hidden files are skipped.
pub fn theme_files(root: &Path, relative: &str) -> Result<Vec<(String, Vec<u8>)>> {
    let dir = root.join(relative);
    if fs::symlink_metadata(&dir).is_err() {
        return Ok(Vec::new());
    }
    let base = real_base(root, "themes")?;
    let limit = max_file_size()?;
    let mut out = Vec::new();
    for entry in WalkDir::new(&dir).follow_links(true).sort_by_file_name() {
        let entry = entry.map_err(|e| Error::Read {
            path: e.path().unwrap_or(&dir).to_path_buf(),
            source: e.into(),
        })?;
        let path = entry.path();
        let real = fs::canonicalize(path).map_err(Error::read(path))?;
        if !real.starts_with(&base) {
            return Err(Refusal::Outside.into_error(path));
        }
        if entry.file_type().is_dir() || entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let bytes = read_regular(&real, limit).map_err(|r| r.into_error(path))?;
        let relative_path = path
            .strip_prefix(&dir)
            .expect("walkdir yields paths under its root")
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        out.push((relative_path, bytes));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_suffixes() {
        assert_eq!(parse_size("1024"), Some(1024));
        assert_eq!(parse_size("2K"), Some(2048));
        assert_eq!(parse_size("16M"), Some(16 << 20));
        assert_eq!(parse_size("1g"), Some(1 << 30));
        assert_eq!(parse_size("0"), None);
        assert_eq!(parse_size("lots"), None);
        assert_eq!(parse_size("99999999999G"), None);
    }

    #[test]
    fn devices_are_refused_without_reading() {
        let refusal = read_regular(Path::new("/dev/zero"), 10).expect_err("a device");
        assert!(matches!(refusal, Refusal::NotRegular(kind) if kind.en == "a device"));
        assert_eq!(refusal.reason().zh.as_ref(), "它是设备文件，不是普通文件");
    }
}
