//! Mentions of items inside text: `GZ-001` written in a summary, a body, a way
//! instead or an edition's reasons. Check validates them and render links them;
//! both find them here, so they agree on what counts as a mention.

use std::collections::HashMap;

use super::{Details, Item};

/// Titles shorter than this are not treated as mentions (too likely to be
/// part of other words).
pub const MIN_TITLE_CHARS: usize = 4;

/// Whether `text` mentions an item by its exact `title`.
pub fn mentions_title(text: &str, title: &str) -> bool {
    title.chars().count() >= MIN_TITLE_CHARS && text.contains(title)
}

/// Titles to look for inside texts, found in one pass over a text rather than
/// one search per title: at each character, among the titles that start with
/// it, kept sorted, a few binary searches find those that start there (many
/// titles share a first character, and often a long prefix: 居民…证明).
/// Titles shorter than [`MIN_TITLE_CHARS`] are left out, as [`mentions_title`]
/// leaves them out.
#[derive(Debug)]
pub struct TitleIndex<T> {
    titles: Vec<(String, T)>,
    /// First character → the positions of the titles starting with it, sorted
    /// by title (then position).
    by_first: HashMap<char, Vec<usize>>,
}

impl<T> TitleIndex<T> {
    /// Indexes `titles`, each with what it stands for (several may share a title).
    pub fn new(titles: impl IntoIterator<Item = (String, T)>) -> Self {
        let titles: Vec<(String, T)> = titles
            .into_iter()
            .filter(|(title, _)| title.chars().count() >= MIN_TITLE_CHARS)
            .collect();
        let mut by_first: HashMap<char, Vec<usize>> = HashMap::new();
        for (i, (title, _)) in titles.iter().enumerate() {
            if let Some(c) = title.chars().next() {
                by_first.entry(c).or_default().push(i);
            }
        }
        for bucket in by_first.values_mut() {
            bucket.sort_by(|a, b| titles[*a].0.cmp(&titles[*b].0).then(a.cmp(b)));
        }
        TitleIndex { titles, by_first }
    }

    /// Every place in `text` where a title of the index starts: (byte offset,
    /// the title's position in the index), by offset, then in index order.
    pub fn starts<'s>(&'s self, text: &'s str) -> impl Iterator<Item = (usize, usize)> + 's {
        text.char_indices().flat_map(move |(at, c)| {
            let found = match self.by_first.get(&c) {
                Some(bucket) => self.prefixes_of(bucket, &text.as_bytes()[at..]),
                None => Vec::new(),
            };
            found.into_iter().map(move |i| (at, i))
        })
    }

    /// The titles of `bucket` (sorted by title) that `text` starts with, in
    /// index order.
    ///
    /// The greatest title not after `limit` (at first, all of `text`) is the
    /// only one of its length that can be a prefix of it. If it is one, the
    /// rest are shorter: prefixes of it without its last byte. If not, any
    /// title that is a prefix of `limit` sorts between it and `limit`, so is a
    /// prefix of both: of their common prefix. Each step shortens `limit`.
    fn prefixes_of(&self, bucket: &[usize], text: &[u8]) -> Vec<usize> {
        let title = |i: usize| self.titles[bucket[i]].0.as_bytes();
        let mut found = Vec::new();
        let mut limit = text;
        loop {
            let end = bucket.partition_point(|&i| self.titles[i].0.as_bytes() <= limit);
            let Some(last) = end.checked_sub(1) else {
                break;
            };
            let t = title(last);
            if limit.starts_with(t) {
                // Every item with this title (equal titles sit together).
                found.extend(
                    (0..end)
                        .rev()
                        .take_while(|&j| title(j) == t)
                        .map(|j| bucket[j]),
                );
                let Some(shorter) = t.len().checked_sub(1) else {
                    break;
                };
                limit = &t[..shorter];
            } else {
                let common = t.iter().zip(limit).take_while(|(a, b)| a == b).count();
                limit = &limit[..common];
            }
        }
        found.sort_unstable();
        found
    }

    /// The title at a position of the index, and what it stands for.
    pub fn entry(&self, i: usize) -> (&str, &T) {
        let (title, value) = &self.titles[i];
        (title, value)
    }

    /// What every title occurring anywhere in `text` stands for, in index
    /// order, each once: the entries for which [`mentions_title`] holds.
    pub fn found_in(&self, text: &str) -> Vec<&T> {
        let mut hits: Vec<usize> = self.starts(text).map(|(_, i)| i).collect();
        hits.sort_unstable();
        hits.dedup();
        hits.into_iter().map(|i| &self.titles[i].1).collect()
    }
}

/// The text fields of an item that may mention other items, with their YAML
/// names: `summary`, `body`, each `instead.how`, `content`.
pub fn texts(item: &Item) -> Vec<(&'static str, &str)> {
    let mut out = Vec::new();
    out.extend(item.summary.as_deref().map(|s| ("summary", s)));
    out.extend(item.body.as_deref().map(|s| ("body", s)));
    match &item.details {
        Details::Stamp(s) => out.extend(s.instead.iter().map(|i| ("instead.how", i.how.as_str()))),
        Details::Work(w) => out.extend(w.content.as_deref().map(|c| ("content", c))),
        Details::Creation(_) => {}
    }
    out
}

/// An item id mentioned in text: where (byte range) and which id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mention<'t> {
    /// Byte offset of the first character.
    pub start: usize,
    /// Byte offset one past the last character.
    pub end: usize,
    /// The id as written (`GZ-001`).
    pub id: &'t str,
    /// Its prefix (`GZ`).
    pub prefix: &'t str,
}

/// Every `<PREFIX>-<3+ digits>` in `text` whose prefix is one of `prefixes`,
/// standing on its own (not inside a longer word or number: `XGZ-001` and
/// `GZ-0012a` are not mentions).
pub fn item_ids<'t>(text: &'t str, prefixes: &[&str]) -> Vec<Mention<'t>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let boundary_before = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        if boundary_before
            && bytes[i].is_ascii_uppercase()
            && let Some(m) = id_at(text, i, prefixes)
        {
            i = m.end;
            out.push(m);
            continue;
        }
        i += 1;
    }
    out
}

fn id_at<'t>(text: &'t str, start: usize, prefixes: &[&str]) -> Option<Mention<'t>> {
    let bytes = text.as_bytes();
    let letters = bytes[start..]
        .iter()
        .take_while(|b| b.is_ascii_uppercase())
        .count();
    let dash = start + letters;
    if bytes.get(dash) != Some(&b'-') {
        return None;
    }
    let prefix = &text[start..dash];
    if !prefixes.contains(&prefix) {
        return None;
    }
    let digits = bytes[dash + 1..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    let end = dash + 1 + digits;
    if digits < 3 || bytes.get(end).is_some_and(u8::is_ascii_alphanumeric) {
        return None;
    }
    Some(Mention {
        start,
        end,
        id: &text[start..end],
        prefix,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_index_finds_what_mentions_title_finds() {
        let titles = [
            "居住情况证明",
            "居民居住情况证明",
            "亲属关系证明",
            "证明",
            "亲属关系证明",
        ];
        let index = TitleIndex::new(titles.iter().enumerate().map(|(i, t)| ((*t).to_owned(), i)));
        for text in [
            "请开具居民居住情况证明和亲属关系证明。",
            "居住情况证明居住情况证明",
            "只是证明",
            "",
        ] {
            let expected: Vec<usize> = (0..titles.len())
                .filter(|&i| mentions_title(text, titles[i]))
                .collect();
            let found: Vec<usize> = index.found_in(text).into_iter().copied().collect();
            assert_eq!(found, expected, "{text}");
        }
        assert_eq!(index.found_in("请开具居民居住情况证明").len(), 2);
    }

    /// Where titles start, by trying every title at every character.
    fn starts_naively(titles: &[String], text: &str) -> Vec<(usize, usize)> {
        let titles: Vec<&String> = titles
            .iter()
            .filter(|t| t.chars().count() >= MIN_TITLE_CHARS)
            .collect();
        text.char_indices()
            .flat_map(|(at, _)| {
                let rest = &text[at..];
                titles
                    .iter()
                    .enumerate()
                    .filter(move |(_, t)| rest.starts_with(t.as_str()))
                    .map(move |(i, _)| (at, i))
            })
            .collect()
    }

    #[test]
    fn title_index_starts_where_every_title_tried_everywhere_starts() {
        let titles: Vec<String> = [
            "居民居住情况证明（第1项）",
            "居民居住情况证明（第12项）",
            "居民居住情况证明（第1项）",
            "居民居住情况证明",
            "居民居住",
            "居住情况证明",
            "亲属关系证明",
            "证明材料清单",
        ]
        .map(str::to_owned)
        .to_vec();
        let index = TitleIndex::new(titles.iter().cloned().map(|t| (t, ())));
        for text in [
            "请开具居民居住情况证明（第12项）和居民居住情况证明（第1项）。",
            "居民居住情况证明（第123项）居民居住情况证明（第",
            "证明材料清单亲属关系证明居民居住",
            "居民",
            "",
        ] {
            let found: Vec<(usize, usize)> = index.starts(text).collect();
            assert_eq!(found, starts_naively(&titles, text), "{text}");
        }
    }

    proptest::proptest! {
        /// Titles and texts from a small alphabet, so that they share long
        /// prefixes and repeat.
        #[test]
        fn title_index_starts_as_naive_search_does(
            titles in proptest::collection::vec("[甲a]{3,6}", 0..16),
            text in "[甲ab]{0,32}",
        ) {
            let index = TitleIndex::new(titles.iter().cloned().map(|t| (t, ())));
            let found: Vec<(usize, usize)> = index.starts(&text).collect();
            proptest::prop_assert_eq!(found, starts_naively(&titles, &text));
        }
    }

    #[test]
    fn finds_ids_standing_on_their_own() {
        let ids = |t| -> Vec<&str> { item_ids(t, &["GZ", "CJ"]).iter().map(|m| m.id).collect() };
        assert_eq!(ids("可由GZ-001证明，见GZ-0123。"), ["GZ-001", "GZ-0123"]);
        assert_eq!(ids("XGZ-001 GZ-01 GZ-001a SX-001 GZ-"), Vec::<&str>::new());
        assert_eq!(ids("（CJ-007）"), ["CJ-007"]);
        let m = item_ids("并入GZ-027", &["GZ"]);
        assert_eq!((m[0].start, m[0].end), (6, 12));
    }
}
