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
use std::sync::{Arc, Mutex, PoisonError};

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

/// Rows rendered so far, by everything their HTML depends on; kept across
/// builds (a rebuild renders only the rows that changed).
#[derive(Debug)]
pub(super) struct Memo {
    rows: Kept<Row>,
}

impl Default for Memo {
    fn default() -> Self {
        Memo {
            rows: Kept::new(LIMIT),
        }
    }
}

/// Pieces of HTML rendered on their own, by everything they depend on, shared
/// by the threads of a build and kept across builds; past `limit` entries it
/// starts again.
pub(super) struct Kept<V> {
    map: Mutex<HashMap<Vec<u8>, Arc<V>>>,
    limit: usize,
}

impl<V> Kept<V> {
    /// An empty memo of at most `limit` entries.
    pub(super) fn new(limit: usize) -> Self {
        Kept {
            map: Mutex::new(HashMap::new()),
            limit,
        }
    }

    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<Vec<u8>, Arc<V>>> {
        self.map.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The piece kept under each of `keys`, if any.
    pub(super) fn get_all(&self, keys: &[Vec<u8>]) -> Vec<Option<Arc<V>>> {
        let map = self.map();
        keys.iter().map(|k| map.get(k).cloned()).collect()
    }

    /// Keeps `made` (emptying the memo first if it would pass its limit).
    pub(super) fn keep(&self, made: Vec<(Vec<u8>, Arc<V>)>) {
        if made.is_empty() {
            return;
        }
        let mut map = self.map();
        if map.len() + made.len() > self.limit {
            map.clear();
        }
        map.extend(made);
    }

    /// How many pieces are kept.
    pub(super) fn len(&self) -> usize {
        self.map().len()
    }
}

impl<V> std::fmt::Debug for Kept<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kept")
            .field("entries", &self.len())
            .finish()
    }
}

/// One rendered row: its HTML and its value as a template sees it.
#[derive(Debug)]
struct Row {
    html: String,
    value: Value,
}

/// A spliced item list: the rows' values, and the list's HTML.
#[derive(Debug)]
pub(super) struct RowsObject {
    rows: Vec<Value>,
    html: String,
}

impl Object for RowsObject {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        self.rows.get(key.as_usize()?).cloned()
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
    pub(super) fn list(&self, root: &str, rows: &[ItemRow<'_>]) -> Option<Value> {
        let keys: Vec<Vec<u8>> = rows.iter().map(|r| self.key(root, r)).collect();
        let mut found = self.memo.rows.get_all(&keys);
        let mut made = Vec::new();
        for (i, slot) in found.iter_mut().enumerate() {
            if slot.is_none() {
                let row = Arc::new(self.render(root, &rows[i])?);
                made.push((keys[i].clone(), Arc::clone(&row)));
                *slot = Some(row);
            }
        }
        self.memo.rows.keep(made);
        let found: Vec<Arc<Row>> = found.into_iter().collect::<Option<_>>()?;
        let size = found.iter().map(|r| r.html.len()).sum::<usize>();
        let mut html = String::with_capacity(LIST_OPEN.len() + size + LIST_CLOSE.len());
        html.push_str(LIST_OPEN);
        for row in &found {
            html.push_str(&row.html);
        }
        html.push_str(LIST_CLOSE);
        Some(Value::from_object(RowsObject {
            rows: found.iter().map(|r| r.value.clone()).collect(),
            html,
        }))
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
            html: html.to_owned(),
            value,
        })
    }

    /// Everything a row's HTML depends on, each part prefixed with its length.
    fn key(&self, root: &str, row: &ItemRow<'_>) -> Vec<u8> {
        let mut key = Vec::with_capacity(256);
        let mut part = |bytes: &[u8]| {
            key.extend_from_slice(&bytes.len().to_le_bytes());
            key.extend_from_slice(bytes);
        };
        part(self.language.as_bytes());
        part(root.as_bytes());
        part(row.id.as_bytes());
        part(row.title.as_bytes());
        part(row.path.as_bytes());
        part(row.summary.map_or(&[0xff][..], str::as_bytes));
        part(row.badge.as_bytes());
        part(row.kind.as_bytes());
        part(&row.aliases.len().to_le_bytes());
        for alias in row.aliases {
            part(alias.as_bytes());
        }
        part(&row.go_to.len().to_le_bytes());
        for department in &row.go_to {
            part(department.as_bytes());
        }
        key
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
            |r| Ok(Value::from_safe_string(r.html.clone())),
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
        let spliced = lists.list("../", &rows).expect("spliced");
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
        let again = lists.list("../", &rows).expect("spliced");
        assert_eq!(
            printed(&theme, &again, "../")[1],
            printed(&theme, &plain, "../")[0]
        );
        assert_eq!(memo.rows.len(), 2);
        let deeper = lists.list("../../", &rows).expect("spliced");
        assert_eq!(memo.rows.len(), 4);
        let [at_depth, _] = printed(&theme, &plain, "../../");
        assert_eq!(printed(&theme, &deeper, "../../")[1], at_depth);
        assert_ne!(at_depth, printed(&theme, &plain, "../")[0]);
    }
}
