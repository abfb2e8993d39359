//! JavaScript: comments dropped, whitespace dropped wherever two tokens cannot
//! run together, line breaks kept wherever automatic semicolon insertion could
//! depend on them.
//!
//! A small lexer tells code from strings, template literals (with `${…}` nested
//! to any depth), regular expressions and comments, and copies the literals byte
//! for byte. Between two code tokens a space is kept only where dropping it would
//! join them (`return x`, `a - -b`, `a / /re/`, `1 .toString()`, `/re/g in x`); a
//! line break is dropped only after `;`, `{`, `,`, `(` or `[`, or before `)`,
//! `]`, `}`, `,` or `;`, where it can never end a statement.
//!
//! A `/` after a name, number, literal, `)` or `]` divides; after an operator, an
//! opening bracket or a keyword such as `return` it starts a regular expression
//! (the one case this gets wrong, `if (x) /re/`, is not in the built-in scripts).
//! Where the previous token does not tell (after `}`, `++` or `--`), or a
//! literal or comment is unterminated, the script is returned unchanged rather
//! than guessed at.

use super::{copy_string, is_word};

/// Keywords after which a `/` starts a regular expression.
const BEFORE_EXPRESSION: &[&[u8]] = &[
    b"return",
    b"typeof",
    b"instanceof",
    b"in",
    b"of",
    b"new",
    b"delete",
    b"void",
    b"throw",
    b"case",
    b"do",
    b"else",
    b"yield",
    b"await",
];

/// The previous code token, as far as a following `/` cares.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Prev {
    /// Nothing yet, an operator or an opening bracket: a `/` starts a regex.
    Operator,
    /// A name, number, literal or closing bracket: a `/` divides.
    Operand,
    /// A regular expression literal: a name right after it would be its flags.
    Regex,
    /// `}`, `++` or `--`: a `/` is ambiguous.
    Unknown,
}

/// Whitespace seen since the last token written.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Gap {
    None,
    Space,
    LineBreak,
}

struct Lexer<'a> {
    src: &'a [u8],
    out: Vec<u8>,
    prev: Prev,
    gap: Gap,
    /// Open `{` in code.
    braces: usize,
    /// For each template literal whose `${` is open, the brace depth it opened at.
    templates: Vec<usize>,
}

/// The script without comments and needless whitespace, or unchanged when it has
/// something the lexer cannot be sure of.
pub(in crate::render) fn compact(source: &[u8]) -> Vec<u8> {
    if std::str::from_utf8(source).is_err() {
        return source.to_vec();
    }
    let mut lexer = Lexer {
        src: source,
        out: Vec::with_capacity(source.len()),
        prev: Prev::Operator,
        gap: Gap::None,
        braces: 0,
        templates: Vec::new(),
    };
    match lexer.run() {
        Some(()) if lexer.templates.is_empty() => {
            lexer.out.push(b'\n');
            lexer.out
        }
        _ => source.to_vec(),
    }
}

impl Lexer<'_> {
    fn run(&mut self) -> Option<()> {
        let src = self.src;
        let mut i = 0;
        while i < src.len() {
            let b = src[i];
            if b.is_ascii_whitespace() {
                let gap = if matches!(b, b'\n' | b'\r') {
                    Gap::LineBreak
                } else {
                    Gap::Space
                };
                self.gap = self.gap.max(gap);
                i += 1;
            } else if src[i..].starts_with(b"//") {
                i = src[i..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .map_or(src.len(), |p| i + p);
                self.gap = self.gap.max(Gap::Space);
            } else if src[i..].starts_with(b"/*") {
                let len = src[i + 2..].windows(2).position(|w| w == b"*/")?;
                let gap = if src[i + 2..i + 2 + len].contains(&b'\n') {
                    Gap::LineBreak
                } else {
                    Gap::Space
                };
                self.gap = self.gap.max(gap);
                i += len + 4;
            } else {
                self.separate(b);
                i = self.token(i)?;
            }
        }
        Some(())
    }

    /// Writes what must separate the last token from the next one, starting with `next`.
    fn separate(&mut self, next: u8) {
        let gap = std::mem::replace(&mut self.gap, Gap::None);
        let Some(&last) = self.out.last() else {
            return;
        };
        if gap == Gap::LineBreak
            && !matches!(last, b';' | b'{' | b',' | b'(' | b'[')
            && !matches!(next, b')' | b']' | b'}' | b',' | b';')
        {
            self.out.push(b'\n');
        } else if gap != Gap::None && self.would_join(last, next) {
            self.out.push(b' ');
        }
    }

    /// Whether `last` and `next` written side by side would read as other tokens.
    fn would_join(&self, last: u8, next: u8) -> bool {
        (is_word(last) && is_word(next))
            || (self.prev == Prev::Regex && is_word(next))
            || (last == next && matches!(last, b'+' | b'-'))
            || (last == b'/' && matches!(next, b'/' | b'*'))
            || (last.is_ascii_digit() && next == b'.')
            || (last == b'<' && next == b'!')
            || (last == b'-' && next == b'>')
    }

    /// Writes the code token at `src[i]` and returns the index after it.
    fn token(&mut self, i: usize) -> Option<usize> {
        let src = self.src;
        let b = src[i];
        match b {
            b'"' | b'\'' => {
                let (end, closed) = copy_string(src, i, &mut self.out, false);
                closed.then_some(())?;
                self.prev = Prev::Operand;
                Some(end)
            }
            b'`' => {
                self.out.push(b);
                self.template(i + 1)
            }
            b'/' => self.slash(i),
            b'{' => {
                self.braces += 1;
                Some(self.punctuator(b, Prev::Operator, i))
            }
            b'}' if self.templates.last() == Some(&self.braces) => {
                self.templates.pop();
                self.braces -= 1;
                self.out.push(b);
                self.template(i + 1)
            }
            b'}' => {
                self.braces = self.braces.checked_sub(1)?;
                Some(self.punctuator(b, Prev::Unknown, i))
            }
            b')' | b']' => Some(self.punctuator(b, Prev::Operand, i)),
            b'+' | b'-' if i > 0 && src[i - 1] == b => Some(self.punctuator(b, Prev::Unknown, i)),
            _ if is_word(b) => Some(self.word(i)),
            _ => Some(self.punctuator(b, Prev::Operator, i)),
        }
    }

    fn punctuator(&mut self, b: u8, prev: Prev, i: usize) -> usize {
        self.out.push(b);
        self.prev = prev;
        i + 1
    }

    /// A name, keyword or number.
    fn word(&mut self, i: usize) -> usize {
        let src = self.src;
        let len = src[i..].iter().take_while(|&&c| is_word(c)).count();
        let word = &src[i..i + len];
        self.out.extend_from_slice(word);
        self.prev = if BEFORE_EXPRESSION.contains(&word) {
            Prev::Operator
        } else {
            Prev::Operand
        };
        i + len
    }

    /// A division operator or a regular expression literal.
    fn slash(&mut self, i: usize) -> Option<usize> {
        match self.prev {
            Prev::Unknown => None,
            Prev::Operand | Prev::Regex => Some(self.punctuator(b'/', Prev::Operator, i)),
            Prev::Operator => {
                let src = self.src;
                let mut j = i + 1;
                let mut class = false;
                loop {
                    let c = *src.get(j)?;
                    j += 1;
                    match c {
                        b'\\' => j += 1,
                        b'\n' | b'\r' => return None,
                        b'[' => class = true,
                        b']' => class = false,
                        b'/' if !class => break,
                        _ => {}
                    }
                }
                self.out.extend_from_slice(src.get(i..j)?);
                self.prev = Prev::Regex;
                Some(j)
            }
        }
    }

    /// The rest of a template literal from `src[i]`, up to its closing backtick or
    /// the next `${`; returns the index after that.
    fn template(&mut self, mut i: usize) -> Option<usize> {
        let src = self.src;
        loop {
            let c = *src.get(i)?;
            self.out.push(c);
            i += 1;
            match c {
                b'\\' => {
                    self.out.push(*src.get(i)?);
                    i += 1;
                }
                b'`' => {
                    self.prev = Prev::Operand;
                    return Some(i);
                }
                b'$' if src.get(i) == Some(&b'{') => {
                    self.out.push(b'{');
                    self.braces += 1;
                    self.templates.push(self.braces);
                    self.prev = Prev::Operator;
                    return Some(i + 1);
                }
                _ => {}
            }
        }
    }
}
