//! Compacting the default theme's stylesheets and scripts as the theme loads
//! (RENDER stage, before any page is written).
//!
//! The search page's cold download is budgeted (issue 7: 40 KB for everything,
//! measured without server compression), and the built-in CSS and JavaScript are
//! most of it. Both are kept readable in `themes/default/static/` and lose their
//! comments and the whitespace no parser needs here. Neither compactor renames,
//! reorders or rewrites anything: they only drop whitespace and comments where
//! the language's tokenizer cannot tell the difference, and leave strings,
//! `url()`, regular expressions and template literals byte for byte. A site's own
//! static files are copied as they are (we cannot test them).
//!
//! Both take bytes and give bytes; input that is not UTF-8 is returned unchanged.

mod css;
mod js;

pub(super) use css::compact as css;
pub(super) use js::compact as js;

#[cfg(test)]
mod tests;

/// Whether `b` can be part of a JavaScript name or number (ASCII letters and
/// digits, `_`, `$`) or is a byte of a non-ASCII character (allowed in names).
fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

/// Copies a quoted string starting at `src[i]` (the quote) into `out` and returns
/// the index after it and whether the string was closed. Backslash escapes are
/// copied with the character they escape; an unclosed string runs to the end of
/// the line (`stop_at_newline`, as in CSS) or of the input.
fn copy_string(
    src: &[u8],
    mut i: usize,
    out: &mut Vec<u8>,
    stop_at_newline: bool,
) -> (usize, bool) {
    let quote = src[i];
    out.push(quote);
    i += 1;
    while i < src.len() {
        let b = src[i];
        out.push(b);
        i += 1;
        if b == b'\\' && i < src.len() {
            out.push(src[i]);
            i += 1;
        } else if b == quote {
            return (i, true);
        } else if stop_at_newline && b == b'\n' {
            break;
        }
    }
    (i, false)
}
