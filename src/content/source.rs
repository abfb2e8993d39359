//! Bytes → text: UTF-8 with an optional byte-order mark, anything else refused.

use crate::diagnostic::{Code, Diagnostic, FileId, Span, Text};
use crate::t;
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
            t!(en: "the file is UTF-16, not UTF-8", zh: "文件是 UTF-16 编码，不是 UTF-8"),
        )
        .with_help(t!(
            en: "re-save the file as UTF-8 (without BOM) in your editor",
            zh: "请在编辑器中把文件另存为 UTF-8 编码（不带 BOM）"
        )));
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
            let message = if looks_like_gbk(&body[at..]) {
                t!(
                    en: "the file is not valid UTF-8 (it looks like GBK/GB18030, a common Chinese encoding)",
                    zh: "文件不是有效的 UTF-8 编码（看起来是常见的中文编码 GBK/GB18030）"
                )
            } else {
                t!(en: "the file is not valid UTF-8", zh: "文件不是有效的 UTF-8 编码")
            };
            let span = Span {
                file,
                line: u32::try_from(line).unwrap_or(u32::MAX),
                col: u32::try_from(col).unwrap_or(u32::MAX),
                start: u32::try_from(at).unwrap_or(u32::MAX),
                end: u32::try_from(at).unwrap_or(u32::MAX),
            };
            Err(
                Diagnostic::error(Code::Encoding, span, message).with_help(t!(
                    en: "re-save the file as UTF-8 (in most editors: Save As → Encoding → UTF-8)",
                    zh: "请把文件另存为 UTF-8 编码（多数编辑器中：另存为 → 编码 → UTF-8）"
                )),
            )
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
    let name = control_name(c);
    let (ne, nz) = (name.en, name.zh);
    Diagnostic::error(
        Code::ControlCharacter,
        span,
        t!(en: "control character {ne} in the text", zh: "文字中有控制字符 {nz}"),
    )
    .with_help(t!(
        en: "delete it: control characters are invisible in review but act in terminals and CI logs (save the file with LF or CRLF line ends)",
        zh: "请删除它：控制字符在审阅时看不见，却会在终端和 CI 日志中起作用（保存文件时请使用 LF 或 CRLF 换行）"
    ))
}

/// `U+001B (ESC)`.
pub(crate) fn control_name(c: char) -> Text {
    let (en, zh) = match c {
        '\0' => (" (NUL)", "（NUL，空字符）"),
        '\u{7}' => (" (BEL)", "（BEL，响铃）"),
        '\u{8}' => (" (BS)", "（BS，退格）"),
        '\n' => (" (line feed)", "（换行符）"),
        '\t' => (" (tab)", "（制表符）"),
        '\r' => (
            " (CR, a carriage return without a line feed)",
            "（CR，没有配换行符的回车）",
        ),
        '\u{1b}' => (" (ESC)", "（ESC，转义）"),
        '\u{7f}' => (" (DEL)", "（DEL，删除）"),
        _ => ("", ""),
    };
    let code = format!("U+{:04X}", u32::from(c));
    t!(en: "{code}{en}", zh: "{code}{zh}")
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
        assert!(d.message.en.contains("GBK") && d.message.zh.contains("GBK"));
        assert_eq!(d.span.map(|s| (s.line, s.col)), Some((2, 8)));
    }

    #[test]
    fn control_characters_are_refused_where_they_are() {
        assert!(decode(b"a: 1\r\nb: \"\t\"\r\n", FileId(0)).is_ok());
        let d = decode(b"a: 1\ntitle: x\x1b[8my\n", FileId(0)).expect_err("ESC");
        assert_eq!(d.code, Code::ControlCharacter);
        assert_eq!(d.span.map(|s| (s.line, s.col)), Some((2, 9)));
        assert!(d.message.en.contains("U+001B (ESC)"));
        assert!(d.message.zh.contains("U+001B（ESC，转义）"));
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
                .zh
                .contains("UTF-16")
        );
    }
}
