//! RENDER: cross-references. A mention of another item in text, by its id
//! (`GZ-001`) or by its exact title (“居民在本社区居住情况证明”), becomes a link
//! to that item's page. Templates call it as `mentions.link(text, register,
//! root, self_id)` and `mentions.markdown(text, register, root, heading_offset)`;
//! item bodies go through [`Mentions::markdown`].
//!
//! Ids are found by [`crate::model::mention`], as `check` finds them, so a
//! link is made exactly where check has validated the id.

use std::collections::BTreeMap;
use std::sync::Arc;

use minijinja::value::{Object, Value};
use minijinja::{Error, ErrorKind, State};

use super::{escape_html, markdown};
use crate::model::mention::{TitleIndex, item_ids};
use crate::plan::{Scope, url};

/// What a scope can link to.
#[derive(Debug, Default)]
pub(crate) struct Mentions {
    prefixes: Vec<String>,
    /// Id → its page (scope-relative): every item shown, and every withdrawn
    /// item (its URL is a withdrawal page).
    ids: BTreeMap<String, String>,
    /// Register key → its titles and their pages, longest title first
    /// (found in one pass over a text, not one search per title).
    titles: BTreeMap<String, TitleIndex<String>>,
}

impl Mentions {
    /// The items of `scope`, and `withdrawn` (register key, id) pairs.
    pub(crate) fn of<'a>(
        scope: &Scope<'_>,
        withdrawn: impl Iterator<Item = (&'a str, &'a str)>,
    ) -> Self {
        let mut m = Mentions::default();
        for p in &scope.registers {
            let key = &p.register.key;
            m.prefixes.push(p.snapshot.list.id_prefix.clone());
            let mut titles = Vec::new();
            for item in &p.snapshot.items {
                let path = url::item(key, &item.id);
                m.ids.insert(item.id.clone(), path.clone());
                titles.push((item.title.value.clone(), path));
            }
            titles.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
            m.titles.insert(key.clone(), TitleIndex::new(titles));
        }
        for (key, id) in withdrawn {
            m.ids
                .entry(id.to_owned())
                .or_insert_with(|| url::item(key, id));
        }
        m
    }

    /// The items (id, page) mentioned in `text` of register `key`, in order.
    pub(crate) fn targets<'s>(&'s self, text: &str, key: &str) -> Vec<(usize, usize, &'s str)> {
        let prefixes: Vec<&str> = self.prefixes.iter().map(String::as_str).collect();
        let mut found: Vec<(usize, usize, &str)> = item_ids(text, &prefixes)
            .into_iter()
            .filter_map(|m| Some((m.start, m.end, self.ids.get(m.id)?.as_str())))
            .collect();
        self.title_matches(text, key, &mut found);
        found.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| b.1.cmp(&a.1)));
        let mut out: Vec<(usize, usize, &str)> = Vec::new();
        for f in found {
            if out.last().is_none_or(|last| f.0 >= last.1) {
                out.push(f);
            }
        }
        out
    }

    /// Every occurrence of a title of register `key` in `text`, as
    /// `str::match_indices` finds them title by title (leftmost first, a
    /// title's occurrences not overlapping each other), in the same order for
    /// equal positions: one pass over `text`, trying at each character only
    /// the titles that start with it.
    fn title_matches<'s>(
        &'s self,
        text: &str,
        key: &str,
        found: &mut Vec<(usize, usize, &'s str)>,
    ) {
        let Some(index) = self.titles.get(key) else {
            return;
        };
        // (title position, where its next occurrence may start), for titles found.
        let mut next_free: Vec<(usize, usize)> = Vec::new();
        for (at, i) in index.starts(text) {
            let (title, path) = index.entry(i);
            let free = next_free.iter().find(|f| f.0 == i).map_or(0, |f| f.1);
            if at >= free {
                let end = at + title.len();
                found.push((at, end, path.as_str()));
                match next_free.iter_mut().find(|f| f.0 == i) {
                    Some(f) => f.1 = end,
                    None => next_free.push((i, end)),
                }
            }
        }
    }

    /// `text` as escaped HTML with every mention linked, except mentions of
    /// the page `own` itself; `None` when nothing is linked.
    fn linked(&self, text: &str, key: &str, root: &str, own: &str) -> Option<String> {
        let targets: Vec<_> = self
            .targets(text, key)
            .into_iter()
            .filter(|t| t.2 != own)
            .collect();
        if targets.is_empty() {
            return None;
        }
        let mut out = String::with_capacity(text.len() * 2);
        let mut at = 0;
        for (start, end, path) in targets {
            out.push_str(&escape_html(&text[at..start]));
            out.push_str(&format!(
                "<a class=\"xref\" href=\"{}{}\">{}</a>",
                escape_html(root),
                escape_html(path),
                escape_html(&text[start..end])
            ));
            at = end;
        }
        out.push_str(&escape_html(&text[at..]));
        Some(out)
    }

    /// Plain `text` as escaped HTML with mentions linked.
    pub(crate) fn link(&self, text: &str, key: &str, root: &str, own: &str) -> String {
        self.linked(text, key, root, own)
            .unwrap_or_else(|| escape_html(text))
    }

    /// Markdown rendered with mentions linked.
    pub(crate) fn markdown(
        &self,
        text: &str,
        offset: usize,
        key: &str,
        root: &str,
        own: &str,
    ) -> String {
        markdown::to_html_linked(text, offset, &|t| self.linked(t, key, root, own))
    }
}

/// The template side: `mentions.link(text, register_key, root, own_id)`.
#[derive(Debug)]
pub(crate) struct MentionsObject(pub(crate) Arc<Mentions>);

impl Object for MentionsObject {
    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        let arg = |i: usize| args.get(i).and_then(Value::as_str).unwrap_or("");
        match method {
            // link(text, register_key, root, own_id): plain text.
            "link" => {
                let (text, key, root) = (arg(0), arg(1), arg(2));
                let own = url::item(key, arg(3));
                Ok(Value::from_safe_string(self.0.link(text, key, root, &own)))
            }
            // markdown(text, register_key, root, heading_offset): Markdown.
            "markdown" => {
                let offset = args
                    .get(3)
                    .and_then(|v| usize::try_from(v.clone()).ok())
                    .unwrap_or(2);
                Ok(Value::from_safe_string(self.0.markdown(
                    arg(0),
                    offset,
                    arg(1),
                    arg(2),
                    "",
                )))
            }
            _ => Err(Error::new(
                ErrorKind::UnknownMethod,
                format!("mentions has no method `{method}`"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Mentions {
        let mut m = Mentions {
            prefixes: vec!["GZ".into()],
            ..Mentions::default()
        };
        m.ids.insert("GZ-001".into(), "stamp/GZ-001/".into());
        m.titles.insert(
            "stamp".into(),
            TitleIndex::new([("居民在本社区居住情况证明".into(), "stamp/GZ-001/".into())]),
        );
        m
    }

    #[test]
    fn ids_and_titles_become_links_and_text_stays_escaped() {
        let m = sample();
        assert_eq!(
            m.link("可由GZ-001证明<b>", "stamp", "../../", "stamp/GZ-002/"),
            "可由<a class=\"xref\" href=\"../../stamp/GZ-001/\">GZ-001</a>证明&lt;b&gt;"
        );
        assert_eq!(
            m.link(
                "见“居民在本社区居住情况证明”",
                "stamp",
                "../",
                "stamp/GZ-002/"
            ),
            "见“<a class=\"xref\" href=\"../stamp/GZ-001/\">居民在本社区居住情况证明</a>”"
        );
        assert_eq!(
            m.link("GZ-001", "stamp", "../", "stamp/GZ-001/"),
            "GZ-001",
            "never itself"
        );
        assert_eq!(
            m.link("GZ-999", "stamp", "../", "x"),
            "GZ-999",
            "unknown ids stay text"
        );
        let html = m.markdown(
            "见[GZ-001](https://x.cn/) 与 GZ-001",
            2,
            "stamp",
            "../",
            "x",
        );
        assert_eq!(
            html,
            "<p>见<a href=\"https://x.cn/\">GZ-001</a> 与 <a class=\"xref\" href=\"../stamp/GZ-001/\">GZ-001</a></p>\n"
        );
    }

    #[test]
    fn titles_are_found_as_match_indices_finds_them() {
        let mut m = Mentions::default();
        let titles = vec![
            ("证明证明证明".to_owned(), "a/".to_owned()),
            ("证明证明".to_owned(), "b/".to_owned()),
            ("明证明证".to_owned(), "c/".to_owned()),
        ];
        m.titles
            .insert("stamp".into(), TitleIndex::new(titles.clone()));
        for text in [
            "证明证明证明证明证明",
            "明证明证明证明",
            "x证明证明y证明证明证明",
        ] {
            let mut want: Vec<(usize, usize, &str)> = Vec::new();
            for (title, path) in &titles {
                want.extend(
                    text.match_indices(title.as_str())
                        .map(|(at, t)| (at, at + t.len(), path.as_str())),
                );
            }
            want.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| b.1.cmp(&a.1)));
            let mut got = Vec::new();
            m.title_matches(text, "stamp", &mut got);
            got.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| b.1.cmp(&a.1)));
            assert_eq!(got, want, "{text}");
        }
    }
}
