//! RENDER: how values read to a citizen: URLs shown decoded.
//!
//! Pure text functions the templates call as filters; they never change where a
//! link points, only the text a reader sees.

/// A URL as a reader should see it: percent-encoded UTF-8 decoded
/// (`%E6%B0%91` → `民`), the scheme and a trailing `/` kept as written.
/// Escapes that do not decode to text, or decode to control characters,
/// spaces or URL delimiters, stay encoded, so the shown text never hides what the
/// address is.
pub fn display_url(url: &str) -> String {
    let bytes = url.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let Some(run) = encoded_run(&bytes[i..]) else {
            out.push(bytes[i]);
            i += 1;
            continue;
        };
        let len = run.len() * 3;
        match std::str::from_utf8(&run) {
            Ok(text) if text.chars().all(readable) => out.extend_from_slice(text.as_bytes()),
            _ => out.extend_from_slice(&bytes[i..i + len]),
        }
        i += len;
    }
    String::from_utf8(out).unwrap_or_else(|_| url.to_owned())
}

/// Characters that may be shown decoded: not ASCII (the point is Chinese
/// text), and not invisible or confusable with URL syntax.
fn readable(c: char) -> bool {
    !c.is_ascii()
        && !c.is_control()
        && !c.is_whitespace()
        && !('\u{200b}'..='\u{206f}').contains(&c)
}

/// The bytes of the `%XX` escapes at the start of `bytes`.
fn encoded_run(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut run = Vec::new();
    let mut at = 0;
    while at + 2 < bytes.len() && bytes[at] == b'%' {
        let hex = std::str::from_utf8(&bytes[at + 1..at + 3]).ok()?;
        let Ok(b) = u8::from_str_radix(hex, 16) else {
            break;
        };
        run.push(b);
        at += 3;
    }
    (!run.is_empty()).then_some(run)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_chinese_and_keeps_the_rest() {
        assert_eq!(
            display_url("https://x.cn/a/%E6%B0%91%E6%94%BF.html?q=1%202"),
            "https://x.cn/a/民政.html?q=1%202"
        );
        assert_eq!(display_url("https://x.cn/%2F%3F"), "https://x.cn/%2F%3F");
        assert_eq!(display_url("https://x.cn/%E6%B0"), "https://x.cn/%E6%B0");
        assert_eq!(display_url("https://x.cn/%zz%"), "https://x.cn/%zz%");
        assert_eq!(
            display_url("https://x.cn/%E2%80%AE"),
            "https://x.cn/%E2%80%AE"
        );
    }
}
