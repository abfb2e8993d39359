//! Item lists (the built-in `item_list` macro: one `<li>` per item on the
//! register, purpose, department and home pages) rendered once per row
//! rather than once per page, and kept across the builds of one `serve`.
//!
//! A row's HTML depends on the row's values, the page's `root` and the UI
//! strings only, so [`Splicer::list`] renders each distinct (row, root,
//! language) once through the built-in `macros.html` itself (an `item_list`
//! of that one row, without the list's opening and closing tags) and keeps
//! it in a [`Memo`]. The list is handed to the page as a [`RowsObject`]: a
//! sequence of the rows' values, as the list would be, that also carries
//! the spliced HTML. In the page chrome's environment ([`super::chrome`]),
//! `macros.html`'s `item_list` prints that HTML when given such a list, and
//! runs its own body otherwise; in any other environment the object is
//! iterated as the list it stands for, so the output is the same either way.
//!
//! This holds only while `macros.html` is the built-in one: a theme that
//! overrides it gets no splicing ([`environment`]).

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use minijinja::value::{Enumerator, Object, ObjectRepr, Serde};
use minijinja::{Environment, Value};

use crate::render::theme::{Origin, Theme};
use crate::render::views::{ItemRow, Rows};

/// The template that renders one row through the built-in macro.
const ROW: &str = "row.html";

/// The opening tag of the built-in `item_list` macro.
const MACRO_OPEN: &str = "{% macro item_list(rows) -%}";
/// The closing tag of every macro in `macros.html`.
const MACRO_CLOSE: &str = "{%- endmacro %}";

/// What `item_list` prints before its rows and after them.
const LIST_OPEN: &str = "<ul class=\"items\">";
const LIST_CLOSE: &str = "\n</ul>";

/// More rows than any site shows at once (a register's items at a few
/// depths, in two scopes): past it, the memo starts again.
const LIMIT: usize = 200_000;

/// More lists than any site shows at once: past it, the lists kept start again.
const LIST_LIMIT: usize = 20_000;

/// Rows rendered so far, and whole lists of them, by everything their HTML
/// depends on; kept across builds (a rebuild renders only the rows that
/// changed, and makes only the lists that changed).
#[derive(Debug, Default)]
pub(super) struct Memo {
    rows: Kept<Row>,
    lists: Kept<List>,
}

/// Pieces of HTML rendered on their own, by a hash of everything they depend
/// on (each piece holds what it was made from, and is used only where that
/// is equal), shared by the threads of a build and kept across builds.
pub(super) struct Kept<V> {
    map: Mutex<HashMap<u64, Vec<Arc<V>>>>,
}

impl<V> Default for Kept<V> {
    fn default() -> Self {
        Kept {
            map: Mutex::new(HashMap::new()),
        }
    }
}

impl<V> Kept<V> {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Vec<Arc<V>>>> {
        self.map.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The piece kept under `hash` for which `matches` holds, if any.
    fn find(&self, hash: u64, matches: impl Fn(&V) -> bool) -> Option<Arc<V>> {
        let map = self.map();
        map.get(&hash)?.iter().find(|v| matches(v)).cloned()
    }

    /// Keeps `made` (emptying the memo first if it would pass `limit` entries).
    fn keep(&self, made: Vec<(u64, Arc<V>)>, limit: usize) {
        if made.is_empty() {
            return;
        }
        let mut map = self.map();
        if map.len() + made.len() > limit {
            map.clear();
        }
        for (hash, v) in made {
            let bucket = map.entry(hash).or_default();
            // Another version of a piece under one hash is rare: keep a few.
            if bucket.len() >= 4 {
                bucket.remove(0);
            }
            bucket.push(v);
        }
    }

    /// How many pieces are kept.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.map().values().map(Vec::len).sum()
    }
}

impl<V> std::fmt::Debug for Kept<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kept")
            .field("entries", &self.map().len())
            .finish()
    }
}

/// A fast hasher for memo keys (collisions only cost a comparison).
#[derive(Default)]
struct Fx(u64);

impl Fx {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.add(u64::from_le_bytes(chunk.try_into().expect("8 bytes")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut last = [0u8; 8];
            last[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(last));
        }
    }

    fn write_u8(&mut self, b: u8) {
        self.add(u64::from(b));
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Everything a row's HTML depends on besides the UI strings: the page's
/// `root` and the row's values (owned, as a kept row holds them).
#[derive(Debug, PartialEq, Eq, Hash)]
struct RowKey {
    language: &'static str,
    root: String,
    id: String,
    title: String,
    path: String,
    summary: Option<String>,
    badge: &'static str,
    kind: &'static str,
    aliases: Vec<String>,
    go_to: Vec<String>,
}

impl RowKey {
    fn of(language: &'static str, root: &str, row: &ItemRow<'_>) -> RowKey {
        RowKey {
            language,
            root: root.to_owned(),
            id: row.id.to_owned(),
            title: row.title.to_owned(),
            path: row.path.clone(),
            summary: row.summary.map(str::to_owned),
            badge: row.badge,
            kind: row.kind,
            aliases: row.aliases.to_vec(),
            go_to: row.go_to.iter().map(|d| (*d).to_owned()).collect(),
        }
    }

    /// Whether this is the key of `row` at `root` in `language`.
    fn is(&self, language: &str, root: &str, row: &ItemRow<'_>) -> bool {
        self.language == language
            && self.root == root
            && self.id == row.id
            && self.title == row.title
            && self.path == row.path
            && self.summary.as_deref() == row.summary
            && self.badge == row.badge
            && self.kind == row.kind
            && self.aliases == row.aliases
            && self.go_to.len() == row.go_to.len()
            && self.go_to.iter().zip(&row.go_to).all(|(a, b)| a == b)
    }

    /// The row this key was made of.
    fn row(&self) -> ItemRow<'_> {
        ItemRow {
            id: &self.id,
            title: &self.title,
            path: self.path.clone(),
            aliases: &self.aliases,
            summary: self.summary.as_deref(),
            badge: self.badge,
            kind: self.kind,
            go_to: self.go_to.iter().map(String::as_str).collect(),
        }
    }
}

/// The hash of [`RowKey::of`] `(language, root, row)`, without making it.
fn row_hash(language: &str, root: &str, row: &ItemRow<'_>) -> u64 {
    let mut h = Fx::default();
    language.hash(&mut h);
    root.hash(&mut h);
    row.id.hash(&mut h);
    row.title.hash(&mut h);
    row.path.hash(&mut h);
    row.summary.hash(&mut h);
    row.badge.hash(&mut h);
    row.kind.hash(&mut h);
    row.aliases.hash(&mut h);
    row.go_to.hash(&mut h);
    h.finish()
}

/// One rendered row: what it was made from, its HTML, and its value as a
/// template sees it, made only when a template reads it (the built-in
/// templates print the HTML): a kept value would double the memo's memory.
#[derive(Debug)]
struct Row {
    key: RowKey,
    html: String,
    value: OnceLock<Value>,
}

impl Row {
    /// The row's value as a template sees it.
    fn value(&self) -> Value {
        self.value
            .get_or_init(|| Value::from(Serde(&self.key.row())))
            .clone()
    }
}

/// One spliced list, kept whole.
#[derive(Debug)]
struct List {
    object: Arc<RowsObject>,
}

/// A spliced item list: its rows, and the list's HTML (a safe string,
/// printed as it is without a copy).
#[derive(Debug)]
pub(super) struct RowsObject {
    rows: Vec<Arc<Row>>,
    html: Value,
}

impl Object for RowsObject {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        self.rows.get(key.as_usize()?).map(|row| row.value())
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Seq(self.rows.len())
    }
}

/// A page view's item lists.
pub(super) trait Lists<'a> {
    /// Every item list of the page.
    fn lists(&mut self) -> Vec<&mut Rows<'a>>;

    /// The page's pending change lists, each with its register's key.
    fn changes(&mut self) -> Vec<(&'a str, &mut super::Groups<'a>)> {
        Vec::new()
    }
}

/// Renders item lists row by row for one build.
pub(super) struct Splicer<'m> {
    /// The built-in `macros.html` and [`ROW`] ([`environment`]).
    env: Arc<Environment<'static>>,
    memo: &'m Memo,
    strings: Value,
    language: &'static str,
}

/// The environment [`Splicer`] renders rows with, for a build with `theme`,
/// or `None` when the theme overrides `macros.html`.
pub(super) fn environment(theme: &Theme) -> Option<Environment<'static>> {
    builtin_macros(
        theme,
        spliced_macros,
        ROW,
        "{% from \"macros.html\" import item_list %}{{ item_list(rows) }}",
    )
}

impl<'m> Splicer<'m> {
    /// The splicer of a build rendering rows with `env` ([`environment`]).
    pub(super) fn new(
        env: Arc<Environment<'static>>,
        memo: &'m Memo,
        strings: Value,
        language: &'static str,
    ) -> Splicer<'m> {
        Splicer {
            env,
            memo,
            strings,
            language,
        }
    }

    /// `rows` as a list that prints as the built-in `item_list` would print
    /// it on a page whose `root` is `root`; `None` if a row fails to render
    /// (the page then renders the list itself, and reports any error).
    ///
    /// A list whose every row is the same as in a list kept (an earlier
    /// page's or build's) is that list; else each row kept is reused. With
    /// `keep` false (a frozen edition page, which a later build renders again
    /// only when everything changed) the rows made and the list are not kept.
    pub(super) fn list(&self, root: &str, rows: &[ItemRow<'_>], keep: bool) -> Option<Value> {
        let language = self.language;
        let hashes: Vec<u64> = rows.iter().map(|r| row_hash(language, root, r)).collect();
        let mut whole = Fx::default();
        hashes.hash(&mut whole);
        let list_hash = whole.finish();
        let same = |list: &List| {
            list.object.rows.len() == rows.len()
                && list
                    .object
                    .rows
                    .iter()
                    .zip(rows)
                    .all(|(kept, row)| kept.key.is(language, root, row))
        };
        if let Some(list) = self.memo.lists.find(list_hash, same) {
            return Some(Value::from_dyn_object(Arc::clone(&list.object)));
        }
        let mut made = Vec::new();
        let mut found = Vec::with_capacity(rows.len());
        for (row, hash) in rows.iter().zip(&hashes) {
            let kept = self
                .memo
                .rows
                .find(*hash, |k| k.key.is(language, root, row));
            let row = if let Some(kept) = kept {
                kept
            } else {
                let made_row = Arc::new(self.render(root, row)?);
                made.push((*hash, Arc::clone(&made_row)));
                made_row
            };
            found.push(row);
        }
        let size = found.iter().map(|r| r.html.len()).sum::<usize>();
        let mut html = String::with_capacity(LIST_OPEN.len() + size + LIST_CLOSE.len());
        html.push_str(LIST_OPEN);
        for row in &found {
            html.push_str(&row.html);
        }
        html.push_str(LIST_CLOSE);
        let object = Arc::new(RowsObject {
            rows: found,
            html: Value::from_safe_string(html),
        });
        let value = Value::from_dyn_object(Arc::clone(&object));
        if keep {
            self.memo.rows.keep(made, LIMIT);
            self.memo
                .lists
                .keep(vec![(list_hash, Arc::new(List { object }))], LIST_LIMIT);
        }
        Some(value)
    }

    /// One row rendered as a list of that row alone, without the list's tags.
    fn render(&self, root: &str, row: &ItemRow<'_>) -> Option<Row> {
        let value = Value::from(Serde(row));
        let context = minijinja::context! {
            t => self.strings.clone(),
            root => root,
            rows => vec![value.clone()],
        };
        let text = self.env.get_template(ROW).ok()?.render(context).ok()?;
        let html = text.strip_prefix(LIST_OPEN)?.strip_suffix(LIST_CLOSE)?;
        Some(Row {
            key: RowKey::of(self.language, root, row),
            html: html.to_owned(),
            value: OnceLock::new(),
        })
    }
}

/// An environment with the built-in `macros.html` and `driver` (named
/// `name`), which renders one piece of a macro's output on its own; `None`
/// when the theme overrides `macros.html` or `spliced` cannot adapt it (the
/// pages then render the macro in full).
pub(super) fn builtin_macros(
    theme: &Theme,
    spliced: fn(&str) -> Option<String>,
    name: &'static str,
    driver: &'static str,
) -> Option<Environment<'static>> {
    let macros = theme.templates.get("macros.html")?;
    if !matches!(macros.origin, Origin::BuiltIn) || spliced(&macros.source).is_none() {
        return None;
    }
    let mut env = crate::render::configured_environment();
    env.add_template_owned("macros.html", macros.source.clone())
        .ok()?;
    env.add_template(name, driver).ok()?;
    Some(env)
}

/// `macros.html` with `item_list` printing a spliced list's HTML when it is
/// given one, and running its own body otherwise; `None` if the source has
/// no `item_list` macro of the expected form.
pub(super) fn spliced_macros(source: &str) -> Option<String> {
    let start = source.find(MACRO_OPEN)?;
    let body_start = start + MACRO_OPEN.len();
    let body_len = source[body_start..].find(MACRO_CLOSE)?;
    let body = &source[body_start..body_start + body_len];
    let end = body_start + body_len + MACRO_CLOSE.len();
    // The body starts with the newline that the opening tag's `-` strips and
    // ends with the one that the closing tag's `-` strips: `else -%}` and
    // `{%- endif` strip them the same way.
    Some(format!(
        "{}{MACRO_OPEN}{{% if rows is spliced_rows %}}{{{{ spliced_html(rows) }}}}{{% else -%}}{body}{{%- endif %}}{MACRO_CLOSE}{}",
        &source[..start],
        &source[end..]
    ))
}

/// Adds the test and the function the spliced `macros.html` calls.
pub(super) fn add_functions(env: &mut Environment<'_>) {
    env.add_test("spliced_rows", |rows: Value| {
        rows.downcast_object_ref::<RowsObject>().is_some()
    });
    env.add_function("spliced_html", |rows: Value| {
        rows.downcast_object_ref::<RowsObject>().map_or_else(
            || {
                Err(minijinja::Error::new(
                    minijinja::ErrorKind::InvalidOperation,
                    "not a spliced item list",
                ))
            },
            |r| Ok(r.html.clone()),
        )
    });
}

#[cfg(test)]
mod tests {
    use minijinja::Value;
    use minijinja::value::Serde;

    use super::{Memo, Splicer, add_functions, spliced_macros};
    use crate::render::theme::Theme;
    use crate::render::views::ItemRow;

    fn strings() -> Value {
        let strings = crate::i18n::strings(crate::model::Language::ZhCn);
        crate::render::context::Table::value(strings.iter().map(|(k, v)| (*k, Value::from(*v))))
    }

    const PAGE: &str =
        "{% from \"macros.html\" import item_list %}{{ item_list(rows) }}|{{ rows | length }}";

    fn rows(aliases: &[String]) -> Vec<ItemRow<'_>> {
        let row = |id, title, badge, go_to: Vec<&'static str>| ItemRow {
            id,
            title,
            path: format!("stamp/{id}/"),
            aliases,
            summary: Some("摘要"),
            badge,
            kind: "stamp",
            go_to,
        };
        vec![
            row("GZ-1", "健在<证明>&", "refuse", vec!["人社局", "民政局"]),
            row("GZ-2", "居住证明", "issue", Vec::new()),
        ]
    }

    /// The list as the full environment and as the chrome's environment
    /// (with the spliced `macros.html`) print it.
    fn printed(theme: &Theme, rows: &Value, root: &str) -> [String; 2] {
        let strings = strings();
        let mut full = crate::render::environment(theme).expect("built-in templates");
        full.add_template("page.html", PAGE).expect("page");
        let mut split = crate::render::configured_environment();
        let macros = &theme.templates["macros.html"].source;
        split
            .add_template_owned("macros.html", spliced_macros(macros).expect("spliced"))
            .expect("spliced macros");
        split.add_template("page.html", PAGE).expect("page");
        add_functions(&mut split);
        let context = minijinja::context! { t => strings, root => root, rows => rows.clone() };
        [full, split].map(|env| {
            let page = env.get_template("page.html").expect("page");
            page.render(context.clone()).expect("renders")
        })
    }

    #[test]
    fn a_spliced_list_prints_as_the_list_it_stands_for_in_either_environment() {
        let theme = Theme::load(std::path::Path::new("/nonexistent"), "default").expect("theme");
        let memo = Memo::default();
        let strings = strings();
        let env = super::environment(&theme).expect("built-in");
        let lists = Splicer::new(std::sync::Arc::new(env), &memo, strings, "zh-CN");
        let aliases = vec!["别名甲".to_owned(), "别名<乙>".to_owned()];
        let rows = rows(&aliases);
        let plain = Value::from(Serde(&rows));
        let spliced = lists.list("../", &rows, true).expect("spliced");
        let [expected, split_plain] = printed(&theme, &plain, "../");
        assert!(expected.contains("健在&lt;证明&gt;&amp;") && expected.ends_with("|2"));
        assert!(expected.contains("别名&lt;乙&gt;") && expected.contains("人社局"));
        assert_eq!(split_plain, expected, "a plain list in the spliced macros");
        assert_eq!(
            printed(&theme, &spliced, "../"),
            [expected.clone(), expected]
        );
        assert_eq!(memo.rows.len(), 2);
        // The same rows again come from the memo; at another root they are new.
        let again = lists.list("../", &rows, true).expect("spliced");
        assert_eq!(
            printed(&theme, &again, "../")[1],
            printed(&theme, &plain, "../")[0]
        );
        assert_eq!(memo.rows.len(), 2);
        let [at_depth, _] = printed(&theme, &plain, "../../");
        // A frozen edition page's list prints the same, and keeps nothing.
        let unkept = lists.list("../../", &rows, false).expect("spliced");
        assert_eq!(memo.rows.len(), 2);
        assert_eq!(
            printed(&theme, &unkept, "../../"),
            [at_depth.clone(), at_depth.clone()]
        );
        let deeper = lists.list("../../", &rows, true).expect("spliced");
        assert_eq!(memo.rows.len(), 4);
        assert_eq!(printed(&theme, &deeper, "../../")[1], at_depth);
        assert_ne!(at_depth, printed(&theme, &plain, "../")[0]);
    }
}
