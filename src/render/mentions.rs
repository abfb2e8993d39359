//! RENDER: cross-references. A mention of another item in text, by its id
//! (`GZ-001`) or by its exact title (“居民在本社区居住情况证明”), becomes a link
//! to that item's page. Templates call it as `mentions.link(text, register,
//! root, self_id)` and `mentions.markdown(text, register, root, heading_offset)`;
//! item bodies go through [`Mentions::markdown`].
//!
//! Ids are found by [`crate::model::mention`], as `check` finds them, so a
//! link is made exactly where check has validated the id.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, PoisonError};

use minijinja::value::{Object, Value};
use minijinja::{Error, ErrorKind, State};
use sha2::{Digest as _, Sha256};

use super::{escape_html, markdown};
use crate::model::Item;
use crate::model::mention::{TitleIndex, item_ids, texts};
use crate::plan::{Published, Scope, ScopeKind, url};

/// What a scope can link to.
#[derive(Debug, Default)]
pub(crate) struct Mentions {
    /// The registers' id prefixes and which ids they link to.
    ids: Arc<Ids>,
    /// Register key → its titles and their pages, longest title first
    /// (found in one pass over a text, not one search per title).
    titles: BTreeMap<String, Arc<Titles>>,
}

/// The ids a scope links.
#[derive(Debug, Default)]
struct Ids {
    prefixes: Vec<String>,
    /// Id → its page (scope-relative): every item shown, and every withdrawn
    /// item (its URL is a withdrawal page).
    pages: BTreeMap<String, String>,
    /// Tells these ids from any others made by the same memo.
    generation: u64,
}

/// One register's titles.
#[derive(Debug)]
struct Titles {
    index: TitleIndex<String>,
    /// Tells these titles from any others made by the same memo.
    generation: u64,
    /// The titles these were made from by changing a few: their generation,
    /// and every title whose pages differ between the two (added, removed,
    /// or standing for other pages). A text containing none of those has
    /// the same title mentions in both.
    since: Option<(u64, Vec<String>)>,
}

/// More items than any site has, in two scopes: past it, the memo of
/// mentions starts again.
const TARGETS_LIMIT: usize = 400_000;

/// What each item's texts mention, kept across builds: by scope, register
/// and item id, with the texts and the generations of the ids and titles
/// they were read with.
#[derive(Debug, Default)]
pub(crate) struct TargetsMemo {
    kept: Mutex<HashMap<(ScopeKind, String, String), KeptTargets>>,
}

impl TargetsMemo {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(ScopeKind, String, String), KeptTargets>> {
        self.kept.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[derive(Debug)]
struct KeptTargets {
    /// SHA-256 of the texts they were read from ([`texts_digest`]): a copy of
    /// every item's texts would cost more memory than the rest of the memo.
    texts: [u8; 32],
    ids: u64,
    titles: u64,
    /// The pages the texts mention, sorted.
    pages: Vec<String>,
}

/// What [`Mentions`] are made from, per register: its key, id prefix, and
/// items (id, title) in order.
type RegisterInput = (String, String, Vec<(String, String)>);

/// The mentions of each scope, kept across builds with what they were made
/// from, so a build whose items' ids and titles did not change reuses them,
/// and one that changed a few titles remakes only those registers' titles.
#[derive(Debug, Default)]
pub(crate) struct Memo {
    kept: Mutex<MemoState>,
}

#[derive(Debug, Default)]
struct MemoState {
    next: u64,
    /// By scope: the registers' inputs, the withdrawn (key, id) pairs, and the mentions.
    scopes: Vec<KeptScope>,
}

/// A scope's mentions as kept: its kind, the registers' inputs, the
/// withdrawn (key, id) pairs, and the mentions made of them.
type KeptScope = (
    ScopeKind,
    Vec<RegisterInput>,
    Vec<(String, String)>,
    Arc<Mentions>,
);

impl MemoState {
    fn generation(&mut self) -> u64 {
        self.next += 1;
        self.next
    }
}

/// Whether register `p` of a scope still has the inputs `kept`.
fn same_register(kept: &RegisterInput, p: &Published<'_>) -> bool {
    kept.0 == p.register.key
        && kept.1 == p.snapshot.list.id_prefix
        && kept.2.len() == p.snapshot.items.len()
        && kept
            .2
            .iter()
            .zip(&p.snapshot.items)
            .all(|((id, title), item)| *id == item.id && *title == item.title.value)
}

/// Whether the titles `k` was found with changed into `titles` by titles
/// that none of `texts` contains (so they mention the same titles).
fn unchanged_for(titles: Option<&Arc<Titles>>, k: &KeptTargets, texts: &[(&str, &str)]) -> bool {
    let Some((before, changed)) = titles.and_then(|t| t.since.as_ref()) else {
        return false;
    };
    *before == k.titles
        && !changed
            .iter()
            .any(|title| texts.iter().any(|(_, text)| text.contains(title.as_str())))
}

/// SHA-256 of an item's texts in order, each with its length, so that no
/// two different lists of texts share a digest.
fn texts_digest(texts: &[(&str, &str)]) -> [u8; 32] {
    let mut digest = Sha256::new();
    for (_, text) in texts {
        digest.update((text.len() as u64).to_le_bytes());
        digest.update(text.as_bytes());
    }
    digest.finalize().into()
}

/// What [`Mentions`] are made from of register `p`.
fn input_of(p: &Published<'_>) -> RegisterInput {
    let items = p.snapshot.items.iter();
    (
        p.register.key.clone(),
        p.snapshot.list.id_prefix.clone(),
        items
            .map(|i| (i.id.clone(), i.title.value.clone()))
            .collect(),
    )
}

/// Whether two registers' inputs have the same key, prefix and ids.
fn same_ids(a: &RegisterInput, b: &RegisterInput) -> bool {
    a.0 == b.0
        && a.1 == b.1
        && a.2.len() == b.2.len()
        && a.2.iter().zip(&b.2).all(|(x, y)| x.0 == y.0)
}

impl Mentions {
    /// What the items of `scope` and the `withdrawn` (register key, id) pairs
    /// let texts link to, through `memo`: the same mentions as last time when
    /// the scope's registers, items' ids and titles and `withdrawn` are the
    /// same; else made again, reusing the ids and each register's titles
    /// whose inputs did not change.
    pub(crate) fn kept<'a>(
        scope: &Scope<'_>,
        withdrawn: impl Iterator<Item = (&'a str, &'a str)>,
        memo: &Memo,
    ) -> Arc<Self> {
        let withdrawn: Vec<(&str, &str)> = withdrawn.collect();
        let mut state = memo.kept.lock().unwrap_or_else(PoisonError::into_inner);
        let at = state.scopes.iter().position(|s| s.0 == scope.kind);
        if let Some(at) = at {
            let (_, registers, gone, m) = &state.scopes[at];
            let same = registers.len() == scope.registers.len()
                && registers
                    .iter()
                    .zip(&scope.registers)
                    .all(|(r, p)| same_register(r, p))
                && gone.len() == withdrawn.len()
                && gone
                    .iter()
                    .zip(&withdrawn)
                    .all(|(a, b)| a.0 == b.0 && a.1 == b.1);
            if same {
                return Arc::clone(m);
            }
        }
        let mut before = at.map(|at| state.scopes.swap_remove(at));
        // The registers whose inputs did not change keep theirs (moved, not copied).
        let old = |i: usize| before.as_ref().and_then(|b| b.1.get(i));
        let same: Vec<bool> = (scope.registers.iter().enumerate())
            .map(|(i, p)| old(i).is_some_and(|o| same_register(o, p)))
            .collect();
        let fresh: Vec<Option<RegisterInput>> = (scope.registers.iter().zip(&same))
            .map(|(p, same)| (!same).then(|| input_of(p)))
            .collect();
        let withdrawn: Vec<(String, String)> = withdrawn
            .iter()
            .map(|(k, i)| ((*k).to_owned(), (*i).to_owned()))
            .collect();
        let inputs: Vec<&RegisterInput> = (fresh.iter().enumerate())
            .map(|(i, f)| f.as_ref().or_else(|| old(i)).expect("kept or made"))
            .collect();
        let m = Arc::new(Mentions::made(
            (&inputs, &same),
            &withdrawn,
            before.as_ref(),
            &mut state,
        ));
        let inputs: Vec<RegisterInput> = (fresh.into_iter().enumerate())
            .map(|(i, f)| {
                f.unwrap_or_else(|| {
                    let kept = before.as_mut().map(|b| &mut b.1[i]);
                    std::mem::take(kept.expect("kept"))
                })
            })
            .collect();
        state
            .scopes
            .push((scope.kind, inputs, withdrawn, Arc::clone(&m)));
        m
    }

    /// Mentions of `inputs` and `withdrawn`, reusing what `before` (the
    /// scope's last inputs and mentions) still has right.
    fn made(
        (inputs, same): (&[&RegisterInput], &[bool]),
        withdrawn: &[(String, String)],
        before: Option<&KeptScope>,
        state: &mut MemoState,
    ) -> Mentions {
        let ids = match before {
            Some((_, kept, gone, m))
                if kept.len() == inputs.len()
                    && kept.iter().zip(inputs).all(|(a, b)| same_ids(a, b))
                    && gone == withdrawn =>
            {
                Arc::clone(&m.ids)
            }
            _ => Arc::new(Ids::of(inputs, withdrawn, state.generation())),
        };
        let mut titles = BTreeMap::new();
        for (input, same) in inputs.iter().zip(same) {
            let kept = before.and_then(|(_, kept, _, m)| {
                let at = kept.iter().position(|k| k.0 == input.0)?;
                Some((&kept[at], m.titles.get(&input.0)?))
            });
            let made = match kept {
                Some((_, t)) if *same => Arc::clone(t),
                Some((k, t)) if k.2 == input.2 => Arc::clone(t),
                Some((k, t)) => Arc::new(Titles {
                    index: title_index(input),
                    generation: state.generation(),
                    since: Some((t.generation, changed_titles(k, input))),
                }),
                None => Arc::new(Titles {
                    index: title_index(input),
                    generation: state.generation(),
                    since: None,
                }),
            };
            titles.insert(input.0.clone(), made);
        }
        Mentions { ids, titles }
    }

    /// The items (id, page) mentioned in `text` of register `key`, in order.
    pub(crate) fn targets<'s>(&'s self, text: &str, key: &str) -> Vec<(usize, usize, &'s str)> {
        let prefixes: Vec<&str> = self.ids.prefixes.iter().map(String::as_str).collect();
        let mut found: Vec<(usize, usize, &str)> = item_ids(text, &prefixes)
            .into_iter()
            .filter_map(|m| Some((m.start, m.end, self.ids.pages.get(m.id)?.as_str())))
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

    /// Adds to `out` the pages that the texts ([`texts`]) of `items` (of
    /// register `key`, in scope `kind`) mention, as [`Mentions::targets`]
    /// finds them, through `memo`: an item's mentions are found again only
    /// when its texts, the ids, or its register's titles changed, and after a
    /// change of a few titles only if a text contains one of them.
    pub(crate) fn mentioned_by<'i>(
        &self,
        (kind, key): (ScopeKind, &str),
        items: impl Iterator<Item = &'i Item>,
        memo: &TargetsMemo,
        out: &mut BTreeSet<String>,
    ) {
        let titles = self.titles.get(key);
        let generation = titles.map_or(0, |t| t.generation);
        let mut missed = Vec::new();
        // Hashed before the memo is locked: the threads of a build share it.
        let read: Vec<_> = items
            .map(|item| {
                let texts = texts(item);
                let digest = texts_digest(&texts);
                (item, texts, digest)
            })
            .collect();
        {
            let mut kept = memo.lock();
            for (item, texts, digest) in read {
                let hit = kept
                    .get_mut(&(kind, key.to_owned(), item.id.clone()))
                    .filter(|k| k.ids == self.ids.generation && k.texts == digest)
                    .filter(|k| k.titles == generation || unchanged_for(titles, k, &texts));
                match hit {
                    Some(k) => {
                        k.titles = generation;
                        out.extend(k.pages.iter().cloned());
                    }
                    None => missed.push((item, texts, digest)),
                }
            }
        }
        let made: Vec<_> = missed
            .into_iter()
            .map(|(item, texts, digest)| {
                let pages: BTreeSet<String> = texts
                    .iter()
                    .flat_map(|(_, text)| self.targets(text, key))
                    .map(|(_, _, page)| page.to_owned())
                    .collect();
                let kept = KeptTargets {
                    texts: digest,
                    ids: self.ids.generation,
                    titles: generation,
                    pages: pages.into_iter().collect(),
                };
                ((kind, key.to_owned(), item.id.clone()), kept)
            })
            .collect();
        if made.is_empty() {
            return;
        }
        for (_, k) in &made {
            out.extend(k.pages.iter().cloned());
        }
        let mut kept = memo.lock();
        if kept.len() + made.len() > TARGETS_LIMIT {
            kept.clear();
        }
        kept.extend(made);
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
        let Some(index) = self.titles.get(key).map(|t| &t.index) else {
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

impl Ids {
    fn of(inputs: &[&RegisterInput], withdrawn: &[(String, String)], generation: u64) -> Self {
        let mut pages = BTreeMap::new();
        for (key, _, items) in inputs.iter().copied() {
            for (id, _) in items {
                pages.insert(id.clone(), url::item(key, id));
            }
        }
        for (key, id) in withdrawn {
            pages
                .entry(id.clone())
                .or_insert_with(|| url::item(key, id));
        }
        Ids {
            prefixes: inputs.iter().map(|i| i.1.clone()).collect(),
            pages,
            generation,
        }
    }
}

/// A register's titles and their pages, longest title first.
fn title_index((key, _, items): &RegisterInput) -> TitleIndex<String> {
    let mut titles: Vec<(String, String)> = items
        .iter()
        .map(|(id, title)| (title.clone(), url::item(key, id)))
        .collect();
    titles.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
    TitleIndex::new(titles)
}

/// Every title whose pages (in item order) differ between two inputs of a
/// register: titles added, removed, or standing for other pages.
fn changed_titles(before: &RegisterInput, now: &RegisterInput) -> Vec<String> {
    // With the same ids in the same order, a title's pages change only if
    // an item took it or left it.
    if same_ids(before, now) {
        let mut changed: Vec<String> = (before.2.iter().zip(&now.2))
            .filter(|(a, b)| a.1 != b.1)
            .flat_map(|(a, b)| [a.1.clone(), b.1.clone()])
            .collect();
        changed.sort();
        changed.dedup();
        return changed;
    }
    let pages = |(key, _, items): &RegisterInput| {
        let mut by_title: HashMap<String, Vec<String>> = HashMap::new();
        for (id, title) in items {
            by_title
                .entry(title.clone())
                .or_default()
                .push(url::item(key, id));
        }
        by_title
    };
    let (old, new) = (pages(before), pages(now));
    let mut changed: Vec<String> = old
        .iter()
        .filter(|(title, p)| new.get(*title) != Some(*p))
        .map(|(title, _)| title.clone())
        .chain(
            new.keys()
                .filter(|title| !old.contains_key(*title))
                .cloned(),
        )
        .collect();
    changed.sort();
    changed
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

    fn titles(index: TitleIndex<String>) -> Arc<Titles> {
        Arc::new(Titles {
            index,
            generation: 1,
            since: None,
        })
    }

    fn sample() -> Mentions {
        let mut m = Mentions {
            ids: Arc::new(Ids {
                prefixes: vec!["GZ".into()],
                pages: BTreeMap::from([("GZ-001".into(), "stamp/GZ-001/".into())]),
                generation: 1,
            }),
            ..Mentions::default()
        };
        m.titles.insert(
            "stamp".into(),
            titles(TitleIndex::new([(
                "居民在本社区居住情况证明".into(),
                "stamp/GZ-001/".into(),
            )])),
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
        m.titles.insert(
            "stamp".into(),
            self::titles(TitleIndex::new(titles.clone())),
        );
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
