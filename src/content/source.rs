//! Bytes → text: UTF-8 with an optional byte-order mark, anything else refused.

use crate::diagnostic::{Code, Diagnostic, FileId, Span};
use crate::text_safety::is_forbidden_control;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Decodes a content file. A UTF-8 BOM is removed (spans then count from after
/// it, and [`crate::diagnostic::render`] strips it the same way); CRLF is left
/// to the YAML and Markdown parsers, which accept it.
pub(crate) fn decode(bytes: &[u8], file: FileId) -> Result<String, Diagnostic> {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") || looks_like_utf16(bytes) {
        return Err(Diagnostic::error(
            Code::Encoding,
            Span::file_start(file),
            "the file is UTF-16, not UTF-8",
        )
        .with_help("re-save the file as UTF-8 (without BOM) in your editor"));
    }
    let body = bytes.strip_prefix(BOM).unwrap_or(bytes);
    match std::str::from_utf8(body) {
        Ok(text) => match first_control(text) {
            None => Ok(text.to_owned()),
            Some(at) => Err(control_character(text, at, file)),
        },
        Err(e) => {
            let at = e.valid_up_to();
            let valid = std::str::from_utf8(&body[..at]).expect("valid up to here");
            let line = valid.matches('\n').count() + 1;
            let col = valid.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            let guess = if looks_like_gbk(&body[at..]) {
                " (it looks like GBK/GB18030, a common Chinese encoding)"
            } else {
                ""
            };
            let span = Span {
                file,
                line: u32::try_from(line).unwrap_or(u32::MAX),
                col: u32::try_from(col).unwrap_or(u32::MAX),
                start: u32::try_from(at).unwrap_or(u32::MAX),
                end: u32::try_from(at).unwrap_or(u32::MAX),
            };
            Err(Diagnostic::error(
                Code::Encoding,
                span,
                format!("the file is not valid UTF-8{guess}"),
            )
            .with_help("re-save the file as UTF-8 (in most editors: Save As → Encoding → UTF-8)"))
        }
    }
}

/// The byte offset of the first control character other than tab, line feed
/// and the carriage return of a CRLF line end.
fn first_control(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    text.char_indices()
        .find(|&(i, c)| is_forbidden_control(c) && !(c == '\r' && bytes.get(i + 1) == Some(&b'\n')))
        .map(|(i, _)| i)
}

/// The control-character diagnostic for the character at byte `at`.
pub(crate) fn control_character(text: &str, at: usize, file: FileId) -> Diagnostic {
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    let c = text[at..].chars().next().expect("a character at `at`");
    let to_u32 = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    let span = Span {
        file,
        line: to_u32(line),
        col: to_u32(col),
        start: to_u32(at),
        end: to_u32(at + c.len_utf8()),
    };
    Diagnostic::error(
        Code::ControlCharacter,
        span,
        format!("control character {} in the text", control_name(c)),
    )
    .with_help("delete it: control characters are invisible in review but act in terminals and CI logs (save the file with LF or CRLF line ends)")
}

/// `U+001B (ESC)`.
pub(crate) fn control_name(c: char) -> String {
    let name = match c {
        '\0' => " (NUL)",
        '\u{7}' => " (BEL)",
        '\u{8}' => " (BS)",
        '\n' => " (line feed)",
        '\t' => " (tab)",
        '\r' => " (CR, a carriage return without a line feed)",
        '\u{1b}' => " (ESC)",
        '\u{7f}' => " (DEL)",
        _ => "",
    };
    format!("U+{:04X}{name}", u32::from(c))
}

/// UTF-16 text without a BOM has a NUL byte in every other position for ASCII.
fn looks_like_utf16(bytes: &[u8]) -> bool {
    let sample = &bytes[..bytes.len().min(64)];
    sample.len() >= 4 && sample.iter().filter(|b| **b == 0).count() * 4 >= sample.len()
}

/// GBK encodes a Chinese character as a lead byte 0x81–0xFE and a trail byte 0x40–0xFE.
fn looks_like_gbk(rest: &[u8]) -> bool {
    matches!(rest, [lead, trail, ..] if (0x81..=0xFE).contains(lead) && (0x40..=0xFE).contains(trail) && *trail != 0x7F)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_is_stripped() {
        assert_eq!(
            decode(b"\xEF\xBB\xBFa: 1\n", FileId(0)).expect("utf-8"),
            "a: 1\n"
        );
    }

    #[test]
    fn gbk_is_refused_with_its_position() {
        // "title: 居住" in GBK
        let d = decode(b"x: 1\ntitle: \xBE\xD3\xD7\xA1\n", FileId(0)).expect_err("gbk");
        assert_eq!(d.code, Code::Encoding);
        assert!(d.message.contains("GBK"));
        assert_eq!(d.span.map(|s| (s.line, s.col)), Some((2, 8)));
    }

    #[test]
    fn control_characters_are_refused_where_they_are() {
        assert!(decode(b"a: 1\r\nb: \"\t\"\r\n", FileId(0)).is_ok());
        let d = decode(b"a: 1\ntitle: x\x1b[8my\n", FileId(0)).expect_err("ESC");
        assert_eq!(d.code, Code::ControlCharacter);
        assert_eq!(d.span.map(|s| (s.line, s.col)), Some((2, 9)));
        assert!(d.message.contains("U+001B (ESC)"));
        let d = decode("t: 甲\r乙\n".as_bytes(), FileId(0)).expect_err("lone CR");
        assert_eq!(d.span.map(|s| (s.line, s.col)), Some((1, 5)));
        assert!(decode("t: \u{85}\n".as_bytes(), FileId(0)).is_err());
    }

    #[test]
    fn utf16_is_refused() {
        let utf16: Vec<u8> = "title: x\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert!(decode(&utf16, FileId(0)).is_err());
        let mut with_bom = vec![0xFF, 0xFE];
        with_bom.extend(utf16);
        assert!(
            decode(&with_bom, FileId(0))
                .unwrap_err()
                .message
                .contains("UTF-16")
        );
    }
}
