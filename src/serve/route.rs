//! Request targets → output paths, refusing anything that tries to leave the site.
//!
//! Part of `serve`. Requests are answered from the in-memory build only, so no
//! path can reach the disk; refusing traversal here is a second wall and makes
//! the answer explicit (403). This module is pure: it never touches the build.

/// Where the server's own endpoints live; no output file can start with this.
pub const RESERVED: &str = "/__minglu/";

/// Why a request target is refused (answered with 403).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Not an origin-form target (`/…`): absolute URLs, `*`, empty.
    NotAPath,
    /// A backslash, raw or encoded.
    Backslash,
    /// A NUL or other control character after decoding.
    Control,
    /// `%` not followed by two hex digits, or bytes that are not UTF-8.
    BadEncoding,
    /// A `.` or `..` segment (after decoding), or an empty segment (`//`).
    Traversal,
}

impl Refusal {
    /// Why, in a few words, for the 403 body.
    pub fn reason(self) -> &'static str {
        match self {
            Refusal::NotAPath => "not a path",
            Refusal::Backslash => "backslashes are not allowed",
            Refusal::Control => "control characters are not allowed",
            Refusal::BadEncoding => "bad percent-encoding",
            Refusal::Traversal => "`.`, `..` and empty segments are not allowed",
        }
    }
}

/// A request target split into its decoded path and query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The decoded path, starting with `/`.
    pub path: String,
    /// The raw query string, without `?`.
    pub query: String,
}

/// Splits and decodes a request target (`/stamp/%E5%85%A5/?q=1`), refusing traversal.
pub fn parse(target: &str) -> Result<Target, Refusal> {
    let target = target.split_once('#').map_or(target, |(t, _)| t);
    let (raw_path, query) = target.split_once('?').unwrap_or((target, ""));
    if !raw_path.starts_with('/') {
        return Err(Refusal::NotAPath);
    }
    if raw_path.contains('\\') {
        return Err(Refusal::Backslash);
    }
    let path = decode(raw_path)?;
    if path.contains('\\') {
        return Err(Refusal::Backslash);
    }
    if path.chars().any(char::is_control) {
        return Err(Refusal::Control);
    }
    let segments: Vec<&str> = path[1..].split('/').collect();
    let last = segments.len() - 1;
    for (i, segment) in segments.iter().enumerate() {
        if *segment == "." || *segment == ".." || (segment.is_empty() && i != last) {
            return Err(Refusal::Traversal);
        }
    }
    Ok(Target {
        path,
        query: query.to_owned(),
    })
}

/// The output file for a decoded path: `/` → `index.html`, `/stamp/` →
/// `stamp/index.html`, `/robots.txt` → `robots.txt`.
pub fn output_key(path: &str) -> String {
    let rel = path.trim_start_matches('/');
    if rel.is_empty() || rel.ends_with('/') {
        format!("{rel}index.html")
    } else {
        rel.to_owned()
    }
}

/// Percent-decodes a path; the result must be UTF-8.
fn decode(raw: &str) -> Result<String, Refusal> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3).ok_or(Refusal::BadEncoding)?;
            let hex = std::str::from_utf8(hex).map_err(|_| Refusal::BadEncoding)?;
            let byte = u8::from_str_radix(hex, 16).map_err(|_| Refusal::BadEncoding)?;
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| Refusal::BadEncoding)
}

/// Percent-encodes a decoded path for a `Location` header (keeps `/`).
pub fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{Refusal, encode_path, output_key, parse};

    #[test]
    fn ordinary_paths() {
        let t = parse("/stamp/GZ-001/?from=search#top").expect("valid");
        assert_eq!(t.path, "/stamp/GZ-001/");
        assert_eq!(t.query, "from=search");
        assert_eq!(output_key(&t.path), "stamp/GZ-001/index.html");
        assert_eq!(output_key("/"), "index.html");
        assert_eq!(output_key("/robots.txt"), "robots.txt");
        let t = parse("/purposes/%E5%85%A5%E5%AD%A6/").expect("valid");
        assert_eq!(t.path, "/purposes/入学/");
        assert_eq!(encode_path(&t.path), "/purposes/%E5%85%A5%E5%AD%A6/");
    }

    #[test]
    fn refusals() {
        let cases = [
            ("../etc/passwd", Refusal::NotAPath),
            ("http://evil.example/", Refusal::NotAPath),
            ("", Refusal::NotAPath),
            ("/../etc/passwd", Refusal::Traversal),
            ("/stamp/../../x", Refusal::Traversal),
            ("/%2e%2e/etc/passwd", Refusal::Traversal),
            ("/%2E%2E%2Fetc%2Fpasswd", Refusal::Traversal),
            ("/stamp/%2e/", Refusal::Traversal),
            ("//etc/passwd", Refusal::Traversal),
            ("/..%5c..%5cwindows", Refusal::Backslash),
            ("/..\\..\\windows", Refusal::Backslash),
            ("/index.html%00.txt", Refusal::Control),
            ("/%zz", Refusal::BadEncoding),
            ("/%e5%85", Refusal::BadEncoding),
            ("/%", Refusal::BadEncoding),
        ];
        for (target, want) in cases {
            assert_eq!(parse(target), Err(want), "{target}");
        }
    }
}
