//! SEARCH (index and query): the tokenizer shared with the browser client.
//!
//! `themes/default/static/assets/search.js` implements exactly the same rules;
//! `tests/fixtures/search/tokenizer.json` holds the vectors both run.
//!
//! - text is normalised with Unicode NFKC, then lowercased;
//! - a run of Han characters gives every character and every pair of neighbours
//!   (substring matching without a dictionary: 母子 finds 父母子女关系证明);
//! - a run of ASCII letters gives a word, a run of digits gives a number;
//! - 1–4 letters followed by digits (directly, or after one `-`, `_`, `.` or space)
//!   are an item id, written letters + the number without leading zeros, padded to
//!   three digits: `GZ-013`, `gz013` and `gz 13` all give `gz013`;
//! - everything else separates tokens.
//!
//! Queries are analysed further ([`analyze`]): filler words (吗, 怎么办, 在哪开 …)
//! are down-weighted, not removed, and the whole query gives "exact" keys that
//! match a whole title or alias.

use std::borrow::Cow;
use unicode_normalization::UnicodeNormalization as _;

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// One Han character.
    Unigram,
    /// Two neighbouring Han characters.
    Bigram,
    /// A run of ASCII letters or digits.
    Word,
    /// An item id (`gz013`).
    Id,
}

/// A token with where it came from, in characters of the normalised text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// The token text.
    pub text: String,
    /// What it is.
    pub kind: Kind,
    /// First character (inclusive).
    pub start: usize,
    /// Last character (exclusive).
    pub end: usize,
}

/// NFKC, then lowercase.
pub fn normalize(text: &str) -> String {
    use unicode_normalization::{IsNormalized, is_nfkc_quick};
    if let Some(common) = normalize_common(text) {
        return common;
    }
    if is_nfkc_quick(text.chars()) == IsNormalized::Yes {
        text.to_lowercase()
    } else {
        text.nfkc().collect::<String>().to_lowercase()
    }
}

/// [`normalize`] of text made only of characters whose normal form needs no
/// tables (nearly all of the registers' text): ASCII, CJK unified ideographs and
/// the CJK punctuation NFKC leaves alone, and full-width ASCII, which NFKC maps
/// to ASCII. `None` as soon as another character occurs. A test compares every
/// such character with the general path.
fn normalize_common(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\0'..='\x7f' => out.push(c.to_ascii_lowercase()),
            '\u{4e00}'..='\u{9fff}'
            | '\u{3001}'..='\u{3002}'
            | '\u{3008}'..='\u{3011}'
            | '\u{3014}'..='\u{301b}'
            | '\u{00b7}'
            | '\u{2014}'
            | '\u{2018}'..='\u{2019}'
            | '\u{201c}'..='\u{201d}' => out.push(c),
            '\u{ff01}'..='\u{ff5e}' => {
                out.push(char::from_u32(u32::from(c) - 0xfee0)?.to_ascii_lowercase());
            }
            _ => return None,
        }
    }
    Some(out)
}

/// Calls `f` with each token of already normalised text, in the order of
/// [`tokenize_normalized`], without allocating for tokens that are slices of the
/// text (the indexer's fast path; a test checks both agree on the shared vectors):
/// those come borrowed, the rest owned.
pub fn for_each_token<'a>(text: &'a str, mut f: impl FnMut(Cow<'a, str>)) {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let at = |i: usize| chars.get(i).map_or(text.len(), |c| c.0);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i].1;
        if is_han(c) {
            let start = i;
            while i < chars.len() && is_han(chars[i].1) {
                i += 1;
            }
            for j in start..i {
                f(Cow::Borrowed(&text[at(j)..at(j + 1)]));
                if j + 1 < i {
                    f(Cow::Borrowed(&text[at(j)..at(j + 2)]));
                }
            }
        } else if c.is_ascii_lowercase() || c.is_ascii_digit() {
            // Letters, digits and ids are rare in the registers' text: reuse the
            // general tokenizer on this ASCII run.
            let start = i;
            while i < chars.len() && !is_han(chars[i].1) && chars[i].1.is_ascii() {
                i += 1;
            }
            for t in tokenize_normalized(&text[at(start)..at(i)]) {
                f(Cow::Owned(t.text));
            }
        } else {
            i += 1;
        }
    }
}

/// Whether `c` is a Han character (CJK unified ideographs and their extensions).
pub fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3007 | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x2_0000..=0x3_134F)
}

/// The tokens of already normalised text, in order.
pub fn tokenize_normalized(text: &str) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if is_han(c) {
            let start = i;
            while i < chars.len() && is_han(chars[i]) {
                i += 1;
            }
            han_run(&chars, start, i, &mut out);
        } else if c.is_ascii_lowercase() {
            i = letters(&chars, i, &mut out);
        } else if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            out.push(token(&chars[start..i], Kind::Word, start, i));
        } else {
            i += 1;
        }
    }
    out
}

/// Normalises, then tokenizes.
pub fn tokenize(text: &str) -> Vec<Token> {
    tokenize_normalized(&normalize(text))
}

fn token(chars: &[char], kind: Kind, start: usize, end: usize) -> Token {
    Token {
        text: chars.iter().collect(),
        kind,
        start,
        end,
    }
}

fn han_run(chars: &[char], start: usize, end: usize, out: &mut Vec<Token>) {
    for j in start..end {
        out.push(token(&chars[j..=j], Kind::Unigram, j, j + 1));
        if j + 1 < end {
            out.push(token(&chars[j..j + 2], Kind::Bigram, j, j + 2));
        }
    }
}

/// A run of letters at `start`: an id if digits follow, else a word. Returns where
/// scanning continues.
fn letters(chars: &[char], start: usize, out: &mut Vec<Token>) -> usize {
    let mut i = start;
    while i < chars.len() && chars[i].is_ascii_lowercase() {
        i += 1;
    }
    let letters_end = i;
    let digits_start = match chars.get(i) {
        Some(d) if d.is_ascii_digit() => Some(i),
        Some('-' | '_' | '.' | ' ') if chars.get(i + 1).is_some_and(char::is_ascii_digit) => {
            Some(i + 1)
        }
        _ => None,
    };
    let Some(ds) = digits_start.filter(|_| letters_end - start <= 4) else {
        out.push(token(
            &chars[start..letters_end],
            Kind::Word,
            start,
            letters_end,
        ));
        return letters_end;
    };
    let mut de = ds;
    while de < chars.len() && chars[de].is_ascii_digit() {
        de += 1;
    }
    let digits: String = chars[ds..de].iter().collect();
    let trimmed = digits.trim_start_matches('0');
    let prefix: String = chars[start..letters_end].iter().collect();
    out.push(Token {
        text: format!("{prefix}{trimmed:0>3}"),
        kind: Kind::Id,
        start,
        end: de,
    });
    de
}

/// The token texts only (what the shared vectors compare).
pub fn token_texts(text: &str) -> Vec<String> {
    tokenize(text).into_iter().map(|t| t.text).collect()
}

/// The text reduced to its Han runs, words and ids, joined: the key that an exact
/// match of a whole title or alias compares (`GZ 13` → `gz013`, `居住 证明` → `居住证明`).
pub fn compact(normalized: &str) -> String {
    compact_except(normalized, &[])
}

/// [`compact`], leaving out the characters whose positions are marked in `skip`.
fn compact_except(normalized: &str, skip: &[bool]) -> String {
    let chars: Vec<char> = normalized.chars().collect();
    let mut out = String::new();
    for t in tokenize_normalized(normalized) {
        match t.kind {
            Kind::Unigram if !skip.get(t.start).copied().unwrap_or(false) => {
                out.push(chars[t.start]);
            }
            Kind::Word | Kind::Id => out.push_str(&t.text),
            _ => {}
        }
    }
    out
}

/// Question words and filler that carry little meaning in a citizen's query,
/// longest first. Down-weighted, not removed: 社区 is a content word in some titles.
pub const FILLER: &[&str] = &[
    "可不可以",
    "怎么办理",
    "在哪里开",
    "在哪里办",
    "怎么办",
    "怎么开",
    "怎么弄",
    "在哪开",
    "在哪办",
    "在哪里",
    "在哪儿",
    "能不能",
    "去哪里",
    "到哪里",
    "哪里",
    "哪儿",
    "在哪",
    "去哪",
    "到哪",
    "怎么",
    "怎样",
    "如何",
    "可以",
    "需要",
    "社区",
    "开个",
    "开一",
    "办个",
    "办理",
    "请问",
    "什么",
    "一个",
    "一下",
    "我要",
    "我想",
    "吗",
    "呢",
    "吧",
    "啊",
    "呀",
    "的",
    "了",
    "我",
    "想",
    "要",
    "开",
    "办",
    "个",
    "用",
    "给",
];

/// Weight of a query token made only of filler.
pub const FILLER_WEIGHT: f64 = 0.1;
/// Weight of a single Han character when the query also has pairs covering it.
pub const COVERED_UNIGRAM_WEIGHT: f64 = 0.3;
/// Weight of an item id.
pub const ID_WEIGHT: f64 = 3.0;

/// One token of an analysed query and its weight.
#[derive(Clone, Debug, PartialEq)]
pub struct QueryToken {
    /// The token.
    pub text: String,
    /// Its kind.
    pub kind: Kind,
    /// How much it counts.
    pub weight: f64,
}

/// A query ready to look up.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Query {
    /// Distinct tokens, in first-seen order.
    pub tokens: Vec<QueryToken>,
    /// Keys (`=` + compact text) that match a whole title, alias or id.
    pub exact: Vec<String>,
}

/// Marks the characters of `chars` that belong to a filler phrase (longest first,
/// left to right).
fn filler_mask(chars: &[char]) -> Vec<bool> {
    let mut mask = vec![false; chars.len()];
    let mut i = 0;
    while i < chars.len() {
        let hit = FILLER.iter().find_map(|f| {
            let n = f.chars().count();
            (i + n <= chars.len() && chars[i..i + n].iter().copied().eq(f.chars())).then_some(n)
        });
        match hit {
            Some(n) => {
                mask[i..i + n].iter_mut().for_each(|m| *m = true);
                i += n;
            }
            None => i += 1,
        }
    }
    mask
}

/// Analyses a citizen's query: tokens with weights, and exact keys.
pub fn analyze(query: &str) -> Query {
    let text = normalize(query);
    let chars: Vec<char> = text.chars().collect();
    let mask = filler_mask(&chars);
    let tokens = tokenize_normalized(&text);
    let mut out: Vec<QueryToken> = Vec::new();
    for t in &tokens {
        let covered = t.kind == Kind::Unigram
            && tokens
                .iter()
                .any(|b| b.kind == Kind::Bigram && b.start <= t.start && t.end <= b.end);
        let mut weight = match t.kind {
            Kind::Unigram if covered => COVERED_UNIGRAM_WEIGHT,
            Kind::Id => ID_WEIGHT,
            _ => 1.0,
        };
        let filler = (t.start..t.end).filter(|p| mask[*p]).count();
        if t.kind != Kind::Id && filler == t.end - t.start {
            weight *= FILLER_WEIGHT;
        } else if filler > 0 {
            weight *= 0.5;
        }
        match out.iter_mut().find(|q| q.text == t.text) {
            Some(q) => q.weight = q.weight.max(weight),
            None => out.push(QueryToken {
                text: t.text.clone(),
                kind: t.kind,
                weight,
            }),
        }
    }
    let mut exact = Vec::new();
    for key in [compact(&text), compact_except(&text, &mask)] {
        if !key.is_empty() && !exact.contains(&format!("={key}")) {
            exact.push(format!("={key}"));
        }
    }
    Query { tokens: out, exact }
}

/// FNV-1a (32 bits) of the UTF-8 bytes: which shard a token lives in.
pub fn hash(token: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in token.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn han_runs_give_characters_and_pairs() {
        assert_eq!(
            token_texts("居住证明"),
            ["居", "居住", "住", "住证", "证", "证明", "明"]
        );
    }

    #[test]
    fn ids_however_typed() {
        for q in ["GZ-013", "gz013", "gz 13", "ＧＺ－０１３", "Gz_0013"] {
            assert_eq!(token_texts(q), ["gz013"], "{q}");
        }
        assert_eq!(token_texts("zinv ruxue"), ["zinv", "ruxue"]);
        assert_eq!(token_texts("2020年"), ["2020", "年"]);
    }

    #[test]
    fn filler_is_down_weighted_not_removed() {
        let q = analyze("开个居住证明吗");
        let w = |t: &str| q.tokens.iter().find(|x| x.text == t).map(|x| x.weight);
        assert_eq!(w("居住"), Some(1.0));
        assert_eq!(w("开个"), Some(0.1));
        assert_eq!(w("吗"), Some(COVERED_UNIGRAM_WEIGHT * FILLER_WEIGHT));
        assert_eq!(q.exact, ["=开个居住证明吗", "=居住证明"]);
    }

    #[test]
    fn the_fast_path_agrees_with_the_tokenizer() {
        let vectors: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/fixtures/search/tokenizer.json"))
                .expect("vectors");
        let mut inputs: Vec<&str> = vectors["tokenize"]
            .as_array()
            .expect("tokenize")
            .iter()
            .map(|c| c["input"].as_str().expect("input"))
            .collect();
        inputs.extend(["居住证明 gz-13、abc 12 ＧＺ０１", "a-1 b_2 c.3 d 4 e  5"]);
        for input in inputs {
            let text = normalize(input);
            let mut fast = Vec::new();
            for_each_token(&text, |t| fast.push(t.into_owned()));
            assert_eq!(fast, token_texts(input), "{input:?}");
        }
    }

    #[test]
    fn the_common_path_normalises_like_the_tables() {
        let mut checked = 0;
        for c in (0..=0x10_ffff).filter_map(char::from_u32) {
            let one = c.to_string();
            if let Some(fast) = normalize_common(&one) {
                let slow = one.nfkc().collect::<String>().to_lowercase();
                assert_eq!(fast, slow, "U+{:04X}", u32::from(c));
                checked += 1;
            }
        }
        assert!(
            checked > 21_000,
            "only {checked} characters take the common path"
        );
        assert_eq!(
            normalize("ＧＺ－０１３ 居住证明，《通知》"),
            "gz-013 居住证明,《通知》"
        );
        assert_eq!(normalize_common("résumé"), None);
    }

    #[test]
    fn hash_is_fnv1a() {
        assert_eq!(hash(""), 0x811c_9dc5);
        assert_eq!(hash("a"), 0xe40c_292c);
    }
}
