//! CSS: comments dropped, whitespace collapsed and then dropped only next to
//! punctuation that delimits tokens on its own.
//!
//! Whitespace is dropped
//! - before and after `{`, `}`, `;` and `,`, after `(` and before `)`;
//! - after a `:` (never before one: `a :hover` is a descendant combinator);
//! - around the combinators `>`, `+` and `~` only in a selector: the prelude of a
//!   style rule at the top level or inside `@media`/`@supports`/… and outside any
//!   parentheses or brackets, so `calc(1px + 2px)` and `:nth-child(2n + 1)` keep
//!   their spaces;
//! - nowhere inside a custom property's value (`--x: a b`) except at its ends.
//!
//! Everywhere else a run of whitespace or comments becomes one space. Strings,
//! escapes and unquoted `url(…)` are copied verbatim. The `;` before a
//! declaration block's `}` is dropped.

use super::copy_string;

/// At-rules whose block holds rules (whose preludes are selectors); every other
/// block (a style rule's, `@page`, `@font-face`, `@keyframes`) holds declarations.
const RULE_LIST_AT_RULES: &[&str] = &[
    "media",
    "supports",
    "container",
    "layer",
    "scope",
    "document",
    "-moz-document",
    "starting-style",
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Block {
    Rules,
    Declarations,
}

/// The compactor's position: the blocks it is inside, the nesting of `(` and `[`
/// in the current prelude or declaration, and where that prelude or declaration
/// began in the output.
struct State {
    out: Vec<u8>,
    blocks: Vec<Block>,
    depth: usize,
    start: usize,
}

impl State {
    fn block(&self) -> Block {
        self.blocks.last().copied().unwrap_or(Block::Rules)
    }

    /// The prelude or declaration written so far.
    fn current(&self) -> &[u8] {
        &self.out[self.start..]
    }

    fn in_selector(&self) -> bool {
        self.block() == Block::Rules && self.depth == 0 && !self.current().starts_with(b"@")
    }

    /// Inside the value of a custom property (`--name: value`).
    fn in_custom_value(&self) -> bool {
        self.block() == Block::Declarations
            && self.current().starts_with(b"--")
            && self.current().contains(&b':')
    }

    /// Whether a space must separate the last byte written from `next`.
    fn needs_space(&self, next: u8) -> bool {
        let Some(&prev) = self.out.last() else {
            return false;
        };
        if self.in_custom_value() {
            // Keep every inner space: only the ones after the name's colon and
            // at the value's end go (a custom property's value is trimmed).
            let colon = self.current().iter().position(|&b| b == b':');
            return colon != Some(self.current().len() - 1) && !matches!(next, b';' | b'}');
        }
        if matches!(prev, b'{' | b'}' | b';' | b',' | b'(')
            || matches!(next, b'{' | b'}' | b';' | b',' | b')')
        {
            return false;
        }
        if prev == b':' {
            return false;
        }
        let combinator = |b: u8| matches!(b, b'>' | b'+' | b'~');
        !(self.in_selector() && (combinator(prev) || combinator(next)))
    }

    fn open_block(&mut self) {
        let kind = match self.current().strip_prefix(b"@") {
            Some(rest) if self.block() == Block::Rules => {
                let name_len = rest
                    .iter()
                    .position(|&b| !(b.is_ascii_alphanumeric() || b == b'-'))
                    .unwrap_or(rest.len());
                let name = String::from_utf8_lossy(&rest[..name_len]).to_ascii_lowercase();
                if RULE_LIST_AT_RULES.contains(&name.as_str()) {
                    Block::Rules
                } else {
                    Block::Declarations
                }
            }
            _ => Block::Declarations,
        };
        self.blocks.push(kind);
    }

    fn close_block(&mut self) {
        if self.block() == Block::Declarations && self.out.last() == Some(&b';') {
            self.out.pop();
        }
        self.blocks.pop();
    }
}

/// The stylesheet without comments and needless whitespace.
pub(in crate::render) fn compact(source: &[u8]) -> Vec<u8> {
    if std::str::from_utf8(source).is_err() {
        return source.to_vec();
    }
    let src = source;
    let mut st = State {
        out: Vec::with_capacity(src.len()),
        blocks: Vec::new(),
        depth: 0,
        start: 0,
    };
    let mut space = false;
    let mut i = 0;
    while i < src.len() {
        let b = src[i];
        if b.is_ascii_whitespace() {
            space = true;
            i += 1;
            continue;
        }
        if b == b'/' && src.get(i + 1) == Some(&b'*') {
            i = src[i + 2..]
                .windows(2)
                .position(|w| w == b"*/")
                .map_or(src.len(), |p| i + 2 + p + 2);
            space = true;
            continue;
        }
        if space && st.needs_space(b) {
            st.out.push(b' ');
        }
        space = false;
        i = token(src, i, &mut st);
    }
    st.out
}

/// Writes the token starting at `src[i]` (a string, an escape, an unquoted
/// `url(…)` or one byte) and returns the index after it.
fn token(src: &[u8], i: usize, st: &mut State) -> usize {
    let b = src[i];
    match b {
        b'"' | b'\'' => return copy_string(src, i, &mut st.out, true).0,
        b'\\' => return copy_escape(src, i, &mut st.out),
        b'(' => {
            st.depth += 1;
            st.out.push(b);
            if is_url_function(&st.out) {
                return copy_unquoted_url(src, i + 1, st);
            }
            return i + 1;
        }
        b'[' => st.depth += 1,
        b')' | b']' => st.depth = st.depth.saturating_sub(1),
        b'{' => st.open_block(),
        b'}' => st.close_block(),
        _ => {}
    }
    st.out.push(b);
    if matches!(b, b'{' | b'}' | b';') {
        st.start = st.out.len();
        st.depth = 0;
    }
    i + 1
}

/// Whether `out` ends with `url(` as a function name (not `myurl(`).
fn is_url_function(out: &[u8]) -> bool {
    let n = out.len();
    n >= 4
        && out[n - 4..n - 1].eq_ignore_ascii_case(b"url")
        && (n == 4 || !(out[n - 5].is_ascii_alphanumeric() || matches!(out[n - 5], b'-' | b'_')))
}

/// After `url(`: a quoted URL is an ordinary string; an unquoted one is copied
/// up to and including its `)`.
fn copy_unquoted_url(src: &[u8], i: usize, st: &mut State) -> usize {
    let first = src[i..].iter().position(|b| !b.is_ascii_whitespace());
    if first.is_none_or(|p| matches!(src[i + p], b'"' | b'\'')) {
        return i;
    }
    let mut j = i;
    while j < src.len() {
        let b = src[j];
        st.out.push(b);
        j += 1;
        if b == b'\\' && j < src.len() {
            st.out.push(src[j]);
            j += 1;
        } else if b == b')' {
            st.depth = st.depth.saturating_sub(1);
            break;
        }
    }
    j
}

/// Copies the escape at `src[i]` (a backslash): up to six hex digits and the one
/// whitespace character that may end them (`\\31 0` is the name `10`), or the one
/// character escaped, whole. Returns the index after it.
fn copy_escape(src: &[u8], i: usize, out: &mut Vec<u8>) -> usize {
    out.push(b'\\');
    let mut j = i + 1;
    let hex = src[j..]
        .iter()
        .take(6)
        .take_while(|b| b.is_ascii_hexdigit())
        .count();
    if hex > 0 {
        j += hex;
        if src[j..].starts_with(b"\r\n") {
            j += 2;
        } else if src.get(j).is_some_and(u8::is_ascii_whitespace) {
            j += 1;
        }
    } else if let Some(&first) = src.get(j) {
        j += match first {
            0xf0.. => 4,
            0xe0.. => 3,
            0xc0.. => 2,
            _ => 1,
        };
    }
    let end = j.min(src.len());
    out.extend_from_slice(&src[i + 1..end]);
    end
}
