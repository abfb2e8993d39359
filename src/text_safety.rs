//! Text from content, made harmless for the tools that display it.
//!
//! minglu prints content-derived text (titles, keys, file names) into terminals,
//! CI logs and pull-request comments. Whatever `check` refuses, these functions
//! run on every such output regardless, at the edge where text leaves the
//! program:
//!
//! - control characters (ESC starts terminal escape sequences, CR hides what was
//!   before it, BEL rings) become their visible Unicode "control pictures" (`␛`);
//! - no output line can start a GitHub Actions workflow command (`::error …`);
//! - Markdown for pull-request comments has its syntax escaped and its
//!   `@mentions` broken, so a title cannot become a heading, a checkbox, an image
//!   or a notification.
//!
//! It belongs to no pipeline stage: it is used by diagnostics, diffs and the CLI.

use std::borrow::Cow;

/// A visible stand-in for a control character, or `None` for anything else.
/// Tab and line feed are not replaced here; callers decide about them.
pub fn control_picture(c: char) -> Option<char> {
    match c {
        '\t' | '\n' => None,
        // U+2400..U+241F picture the C0 controls; U+2421 pictures DEL.
        '\0'..='\u{1f}' => char::from_u32(0x2400 + u32::from(c)),
        '\u{7f}' => Some('\u{2421}'),
        // C1 controls have no pictures.
        '\u{80}'..='\u{9f}' => Some('\u{fffd}'),
        _ => None,
    }
}

/// Whether `c` is a control character other than tab and line feed.
pub fn is_forbidden_control(c: char) -> bool {
    control_picture(c).is_some()
}

/// Replaces control characters (keeping tab and line feed) by their pictures, and
/// keeps any line from starting a GitHub Actions workflow command.
pub fn neutralise(s: &str) -> Cow<'_, str> {
    let has_command = s.lines().any(|l| is_command(l.trim_start()));
    if !has_command && !s.chars().any(is_forbidden_control) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for line in s.split_inclusive('\n') {
        let indent = line.len() - line.trim_start().len();
        let (lead, rest) = line.split_at(indent);
        out.extend(lead.chars().map(|c| control_picture(c).unwrap_or(c)));
        if is_command(rest) {
            // A zero-width space after the first character: the same to the eye,
            // not a command.
            let mut chars = rest.chars();
            out.extend(chars.next());
            out.push('\u{200b}');
            out.extend(chars.map(|c| control_picture(c).unwrap_or(c)));
        } else {
            out.extend(rest.chars().map(|c| control_picture(c).unwrap_or(c)));
        }
    }
    Cow::Owned(out)
}

/// Control characters (keeping tab and line feed) replaced by their pictures.
pub fn pictured(s: &str) -> String {
    s.chars().map(|c| control_picture(c).unwrap_or(c)).collect()
}

/// Whether a line (without its indentation) would be read by the GitHub Actions
/// runner as a workflow command: `::name …` or the older `##[name …]`.
fn is_command(line: &str) -> bool {
    line.strip_prefix("::")
        .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_alphabetic()))
        || line.starts_with("##[")
}

/// One line of text: control characters pictured, line feeds shown as ` ⏎ `.
pub fn single_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.trim_end().chars() {
        match c {
            '\n' => out.push_str(" ⏎ "),
            c => out.push(control_picture(c).unwrap_or(c)),
        }
    }
    out
}

/// Content text for inline Markdown (a heading, a table cell, a quote): one line,
/// every character with inline Markdown or HTML meaning escaped, `@mentions` broken
/// (a zero-width space after `@`, as GitHub bots do), table pipes escaped.
pub fn markdown_inline(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in single_line(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '@' => out.push_str("@\u{200b}"),
            // Content never starts a line here (it follows a label or `| `), so
            // only the characters with inline meaning need escaping.
            '\\' | '`' | '*' | '_' | '[' | ']' | '!' | '|' | '~' | '$' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_become_pictures() {
        assert_eq!(neutralise("a\u{1b}[31mb\r\u{7}"), "a␛[31mb␍␇");
        assert_eq!(neutralise("tab\tand\nline"), "tab\tand\nline");
        assert_eq!(neutralise("c1\u{9b}x"), "c1\u{fffd}x");
    }

    #[test]
    fn no_line_starts_a_workflow_command() {
        let s = neutralise("title\n  ::error file=x::owned\n::set-output name=a::b\n##[group]x");
        assert!(s.lines().all(|l| !is_command(l.trim_start())), "{s}");
        assert_eq!(s.lines().nth(1), Some("  :\u{200b}:error file=x::owned"));
        assert!(matches!(
            neutralise("a :: b\n  ::: path:1:2"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn markdown_is_inert() {
        let md =
            markdown_inline("# x\n- [x] approved by @security ![i](http://e/x.png) <img src=x>");
        assert!(!md.contains('\n'));
        assert!(md.contains("@\u{200b}security"));
        assert!(md.contains("\\!\\[i\\](http://e/x.png)"), "{md}");
        assert!(md.contains("&lt;img src=x&gt;"));
        assert!(md.starts_with("# x ⏎ - \\[x\\]"), "{md}");
    }
}
