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
    vet(&fs::metadata(path).map_err(Refusal::Io)?, limit)?;
    read_vetted(File::open(path).map_err(Refusal::Io)?, limit)
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
    vet(&handle.metadata().map_err(Refusal::Io)?, limit)?;
    read_vetted(File::open(proc).map_err(Refusal::Io)?, limit)
}

/// Refuses what `meta` says is not a regular file within `limit` bytes.
fn vet(meta: &fs::Metadata, limit: u64) -> Result<(), Refusal> {
    if let Some(kind) = special_kind(meta.file_type()) {
        return Err(Refusal::NotRegular(kind));
    }
    if meta.len() > limit {
        return Err(Refusal::TooLarge {
            size: meta.len(),
            limit,
        });
    }
    Ok(())
}

/// Reads an open file to its end once its handle passes [`vet`]: at most
/// `limit` bytes (a file that grew past it while read is refused).
fn read_vetted(file: File, limit: u64) -> Result<Vec<u8>, Refusal> {
    let meta = file.metadata().map_err(Refusal::Io)?;
    vet(&meta, limit)?;
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
    /// `root/content` as the walk names its files.
    named: PathBuf,
    /// `content/` itself (never a link to it), for [`read_beneath`].
    #[cfg(target_os = "linux")]
    folder: Option<std::sync::Arc<std::os::fd::OwnedFd>>,
}

impl ContentFiles {
    /// The content files of the site at `root`.
    pub fn new(root: &Path) -> Result<ContentFiles> {
        let base = real_base(root, "content")?;
        Ok(ContentFiles {
            #[cfg(target_os = "linux")]
            folder: open_folder(&base).map(std::sync::Arc::new),
            base,
            limit: limit(),
            named: root.join("content"),
        })
    }

    /// Reads one of them as [`read_content`] does.
    pub fn read(&self, path: &Path) -> Result<Vec<u8>> {
        #[cfg(target_os = "linux")]
        if let (Some(folder), Ok(relative)) = (&self.folder, path.strip_prefix(&self.named))
            && let Some(read) = read_beneath(folder, relative, self.limit)
        {
            return read.map_err(|r| r.into_error(path));
        }
        read_within(&self.base, path, self.limit).map_err(|r| r.into_error(path))
    }
}

/// A handle on the folder at `base` (a real path), or `None` when it is not a
/// folder or is a symbolic link (whose files are then judged by [`read_within`]).
#[cfg(target_os = "linux")]
fn open_folder(base: &Path) -> Option<std::os::fd::OwnedFd> {
    use rustix::fs::{Mode, OFlags};
    let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    rustix::fs::open(base, flags, Mode::empty()).ok()
}

/// Reads `relative` inside `folder` in one `openat2` call that the kernel keeps
/// beneath the folder: a `..`, an absolute path or a symbolic link that would
/// leave it fails to open, and `/proc`'s magic links are not followed. Then the
/// open handle is vetted and read, as [`read_handle`] does, so a file swapped
/// after the walk is judged as it is. This is one open instead of the `O_PATH`
/// open, `readlink` and reopen through `/proc` of [`read_within`].
///
/// It opens for reading with `O_NONBLOCK`, so a FIFO opens at once (and is then
/// refused, unread) and `O_NOCTTY`; the one thing the `O_PATH` way avoids is
/// opening a device node that lies *inside* the folder, which git cannot store
/// and only the machine's administrator can make.
///
/// `None` when it fails for any reason (it leaves the folder, the kernel has no
/// `openat2`, a sandbox forbids it, the file is gone): [`read_within`] then
/// decides, and words the error, as it always did.
#[cfg(target_os = "linux")]
fn read_beneath(
    folder: &std::os::fd::OwnedFd,
    relative: &Path,
    limit: u64,
) -> Option<Result<Vec<u8>, Refusal>> {
    use rustix::fs::{Mode, OFlags, ResolveFlags};
    let flags = OFlags::RDONLY | OFlags::NONBLOCK | OFlags::NOCTTY | OFlags::CLOEXEC;
    let resolve = ResolveFlags::BENEATH | ResolveFlags::NO_MAGICLINKS;
    let file = rustix::fs::openat2(folder, relative, flags, Mode::empty(), resolve).ok()?;
    Some(read_vetted(File::from(file), limit))
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

    /// A site folder with `content/` holding a file, a link to it, links that
    /// leave the folder and a FIFO; removed when dropped.
    #[cfg(target_os = "linux")]
    struct Site(PathBuf);

    #[cfg(target_os = "linux")]
    impl Site {
        fn new(name: &str) -> Site {
            use std::os::unix::fs::symlink;
            let root = std::env::temp_dir().join(format!("minglu-{name}-{}", std::process::id()));
            let _ = fs::remove_dir_all(&root);
            let content = root.join("content/lists");
            fs::create_dir_all(&content).unwrap();
            fs::write(content.join("a.yaml"), "title: 甲\n").unwrap();
            fs::write(root.join("secret.txt"), "secret").unwrap();
            symlink("a.yaml", content.join("inside.yaml")).unwrap();
            symlink("../../secret.txt", content.join("up.yaml")).unwrap();
            symlink(root.join("secret.txt"), content.join("absolute.yaml")).unwrap();
            symlink("/proc/self/environ", content.join("environ.yaml")).unwrap();
            let fifo = content.join("fifo.yaml");
            assert!(
                std::process::Command::new("mkfifo")
                    .arg(&fifo)
                    .status()
                    .unwrap()
                    .success()
            );
            Site(root)
        }
    }

    #[cfg(target_os = "linux")]
    impl Drop for Site {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn content_files_are_read_beneath_the_folder_and_nowhere_else() {
        let site = Site::new("beneath");
        let files = ContentFiles::new(&site.0).unwrap();
        assert!(files.folder.is_some(), "the fast way is in use");
        let path = |name: &str| site.0.join("content/lists").join(name);
        assert_eq!(
            files.read(&path("a.yaml")).unwrap(),
            "title: 甲\n".as_bytes()
        );
        assert_eq!(
            files.read(&path("inside.yaml")).unwrap(),
            "title: 甲\n".as_bytes()
        );
        for name in ["up.yaml", "absolute.yaml", "environ.yaml"] {
            let error = files.read(&path(name)).expect_err(name).to_string();
            assert!(error.contains("outside"), "{name}: {error}");
            assert!(!error.contains("secret"), "{error}");
        }
        let error = files
            .read(&path("fifo.yaml"))
            .expect_err("a FIFO")
            .to_string();
        assert!(error.contains("named pipe"), "{error}");
        assert!(files.read(&path("missing.yaml")).is_err());
        // The one-call way refuses what leaves the folder, leaving the words to
        // the portable way; it reads what stays inside.
        let folder = files.folder.as_deref().unwrap();
        for name in ["up.yaml", "absolute.yaml", "environ.yaml", "../secret.txt"] {
            assert!(
                read_beneath(folder, Path::new("lists").join(name).as_path(), 100).is_none(),
                "{name}"
            );
        }
        let read = read_beneath(folder, Path::new("lists/inside.yaml"), 100).unwrap();
        assert_eq!(read.unwrap(), "title: 甲\n".as_bytes());
        let limited = read_beneath(folder, Path::new("lists/a.yaml"), 4).unwrap();
        assert!(matches!(limited, Err(Refusal::TooLarge { limit: 4, .. })));
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn a_content_folder_that_is_a_link_is_not_read_through() {
        let site = Site::new("linked");
        let elsewhere = site.0.join("elsewhere");
        fs::rename(site.0.join("content"), &elsewhere).unwrap();
        std::os::unix::fs::symlink(&elsewhere, site.0.join("content")).unwrap();
        let files = ContentFiles::new(&site.0).unwrap();
        assert!(files.folder.is_none());
        let error = files
            .read(&site.0.join("content/lists/a.yaml"))
            .expect_err("linked");
        assert!(error.to_string().contains("outside"), "{error}");
    }

    #[test]
    fn devices_are_refused_without_reading() {
        let refusal = read_regular(Path::new("/dev/zero"), 10).expect_err("a device");
        assert!(matches!(refusal, Refusal::NotRegular(kind) if kind.en == "a device"));
        assert_eq!(refusal.reason().zh.as_ref(), "它是设备文件，不是普通文件");
    }
}
