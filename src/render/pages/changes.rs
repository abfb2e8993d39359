//! Change lists (the built-in `change_groups` macro: one `<li>` per changed
//! item on the draft home and register pages) rendered once per change
//! rather than once per page, and kept across the builds of one `serve`.
//!
//! A change's `<li>` depends on the change, its kind, the page's `root` and
//! `site_root`, the register's key, the UI strings (the language), the
//! department names of its diff, the edition removed items link to, and what
//! mention linking makes of its reason. [`Splicer::groups`] renders each
//! distinct change once through the built-in `macros.html` itself (a
//! `change_groups` of that one change, cut down to its `<li>`) and keeps it
//! in a [`Memo`], by place and then by the raw [`ItemChange`]: a change kept
//! is reused without making its view at all. The change is handed to the
//! page as a [`ChangeObject`]: a map of the change's values, as the view
//! would be, that also carries the HTML. In the page chrome's environment
//! ([`super::chrome`]), the spliced `macros.html` prints that HTML for such a
//! change, and runs the loop's own body otherwise; in any other environment
//! the object reads as the map it stands for, so the output is the same
//! either way.
//!
//! This holds only while `macros.html` is the built-in one: a theme that
//! overrides it gets no splicing (see [`environment`]).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};

use minijinja::value::{Enumerator, Object, ObjectRepr, Serde};
use minijinja::{Environment, Value};

use crate::history::{ChangeKind, ItemChange};
use crate::plan::url;
use crate::render::history_views::ChangeView;
use crate::render::mentions::Mentions;
use crate::render::theme::Theme;

/// The template that renders one change through the built-in macro.
const ONE: &str = "change.html";

/// The loop over a kind's changes in the built-in `change_groups` macro.
const LOOP_OPEN: &str = "{%- for c in g[kind] %}";
const LOOP_CLOSE: &str = "{%- endfor %}";
/// What the loop's body starts with.
const BODY_OPEN: &str = "\n<li class=\"change change-{{ kind }}\">";

/// What `change_groups` prints before a kind's changes and after them.
const LIST_OPEN: &str = "<ul class=\"changes\">";
const LIST_CLOSE: &str = "\n</ul>";

/// More changes than any site shows at once: past it, the memo starts again.
const LIMIT: usize = 100_000;

/// Changes rendered so far, by where they are shown, then by item; kept
/// across builds.
#[derive(Debug, Default)]
pub(super) struct Memo {
    places: Mutex<HashMap<PlaceKey, Shown>>,
}

impl Memo {
    fn places(&self) -> std::sync::MutexGuard<'_, HashMap<PlaceKey, Shown>> {
        self.places.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How many changes are kept.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.places().values().map(|s| s.changes.len()).sum()
    }
}

/// Where a register's changes are shown: the language, the page's `root` and
/// `site_root`, and the register's key.
type PlaceKey = (&'static str, String, String, String);

/// The changes shown at one place, and what their HTML read besides each
/// change: the department names of the diff and the edition removed items
/// link to. When either differs, every change of the place is made again.
#[derive(Debug)]
struct Shown {
    names: BTreeMap<String, String>,
    last_edition: Option<String>,
    /// By item id.
    changes: HashMap<String, KeptChange>,
}

/// A change as it was when rendered, with its reason as linked then.
#[derive(Debug)]
struct KeptChange {
    change: ItemChange,
    reason: Option<String>,
    made: Arc<ChangeObject>,
}

/// One rendered change: its value as a template sees it, and its `<li>`.
#[derive(Debug)]
pub(super) struct ChangeObject {
    value: Value,
    html: String,
}

impl Object for ChangeObject {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        self.value.get_item(key).ok().filter(|v| !v.is_undefined())
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        match self.value.try_iter() {
            Ok(keys) => Enumerator::Values(keys.collect()),
            Err(_) => Enumerator::Empty,
        }
    }
}

/// A [`ChangeGroups`](crate::render::history_views::ChangeGroups) as a
/// template sees it, its changes spliced.
#[derive(serde::Serialize)]
struct Spliced<'g> {
    added: Value,
    removed: Value,
    changed: Value,
    departments: &'g [String],
}

/// Where the changes of one page are shown: everything besides the change
/// that its `<li>` depends on.
pub(super) struct Place<'p> {
    pub(super) root: &'p str,
    pub(super) site_root: &'p str,
    /// The register's key (the macro's `key`).
    pub(super) key: &'p str,
    pub(super) mentions: &'p Mentions,
    /// `mentions` as the template object.
    pub(super) mentions_value: &'p Value,
}

/// The changes of one diff, raw: what [`Splicer::groups`] keys its memo by,
/// and how to make a change's view when it is not kept.
pub(super) struct Source<'c> {
    /// The diff's item changes, in order.
    pub(super) changes: &'c [ItemChange],
    /// The department names the diff's field changes print.
    pub(super) names: &'c BTreeMap<String, String>,
    /// The edition removed items link to (their last version).
    pub(super) last_edition: Option<&'c str>,
    /// The diff's department changes, one HTML line each.
    pub(super) departments: Vec<String>,
    /// The view of a change, as the macro reads it.
    pub(super) view: &'c dyn Fn(&'c ItemChange) -> ChangeView<'c>,
}

/// Renders change lists change by change for one build.
pub(super) struct Splicer<'m> {
    /// The built-in `macros.html` and [`ONE`] ([`environment`]).
    env: Arc<Environment<'static>>,
    memo: &'m Memo,
    strings: Value,
    language: &'static str,
}

/// The environment [`Splicer`] renders changes with, for a build with
/// `theme`, or `None` when the theme overrides `macros.html`.
pub(super) fn environment(theme: &Theme) -> Option<Environment<'static>> {
    super::rows::builtin_macros(
        theme,
        spliced_macros,
        ONE,
        "{% from \"macros.html\" import change_groups %}{{ change_groups(g, key) }}",
    )
}

impl<'m> Splicer<'m> {
    /// The splicer of a build rendering changes with `env` ([`environment`]).
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

    /// The changes of `source` as a map that prints as the built-in
    /// `change_groups` would print their views at `place`; `None` if a change
    /// fails to render (the page then renders the changes itself, and reports
    /// any error).
    ///
    /// A change kept from an earlier page or build is used as it is when the
    /// change, its linked reason and everything else it prints (language,
    /// `root`, `site_root`, register, department names, the edition removed
    /// items link to) are the same: no view is made for it.
    pub(super) fn groups(&self, place: &Place<'_>, source: &Source<'_>) -> Option<Value> {
        let reasons: Vec<Option<String>> = source
            .changes
            .iter()
            .map(|c| {
                c.reason.as_deref().map(|r| {
                    let own = url::item(place.key, &c.id);
                    place.mentions.link(r, place.key, place.root, &own)
                })
            })
            .collect();
        let key: PlaceKey = (
            self.language,
            place.root.to_owned(),
            place.site_root.to_owned(),
            place.key.to_owned(),
        );
        let found: Vec<Option<Arc<ChangeObject>>> = {
            let places = self.memo.places();
            let shown = places.get(&key).filter(|s| {
                s.names == *source.names && s.last_edition.as_deref() == source.last_edition
            });
            source
                .changes
                .iter()
                .zip(&reasons)
                .map(|(c, reason)| {
                    let kept = shown?.changes.get(&c.id)?;
                    (kept.change == *c && kept.reason == *reason).then(|| Arc::clone(&kept.made))
                })
                .collect()
        };
        let mut made = Vec::new();
        let mut lists: [Vec<Value>; 3] = Default::default();
        for ((c, reason), found) in source.changes.iter().zip(reasons).zip(found) {
            let object = if let Some(object) = found {
                object
            } else {
                let object = Arc::new(self.render(place, &(source.view)(c))?);
                made.push((c, reason, Arc::clone(&object)));
                object
            };
            lists[kind_index(c.kind)].push(Value::from_dyn_object(object));
        }
        self.keep(key, source, made);
        let [added, removed, changed] = lists.map(Value::from);
        Some(Value::from(Serde(&Spliced {
            added,
            removed,
            changed,
            departments: &source.departments,
        })))
    }

    /// Keeps the changes `made` at place `key`.
    fn keep(
        &self,
        key: PlaceKey,
        source: &Source<'_>,
        made: Vec<(&ItemChange, Option<String>, Arc<ChangeObject>)>,
    ) {
        if made.is_empty() {
            return;
        }
        let mut places = self.memo.places();
        if places.values().map(|s| s.changes.len()).sum::<usize>() + made.len() > LIMIT {
            places.clear();
        }
        let shown = places.entry(key).or_insert_with(|| Shown {
            names: BTreeMap::new(),
            last_edition: None,
            changes: HashMap::new(),
        });
        if shown.names != *source.names || shown.last_edition.as_deref() != source.last_edition {
            source.names.clone_into(&mut shown.names);
            shown.last_edition = source.last_edition.map(str::to_owned);
            shown.changes.clear();
        }
        for (change, reason, made) in made {
            let kept = KeptChange {
                change: change.clone(),
                reason,
                made,
            };
            shown.changes.insert(change.id.clone(), kept);
        }
    }

    /// One change rendered as a group of that change alone, cut to its `<li>`.
    fn render(&self, place: &Place<'_>, c: &ChangeView<'_>) -> Option<ChangeObject> {
        let value = Value::from(Serde(c));
        let one = |k: &str| {
            Value::from(if k == c.kind {
                vec![value.clone()]
            } else {
                Vec::new()
            })
        };
        let g = Spliced {
            added: one("added"),
            removed: one("removed"),
            changed: one("changed"),
            departments: &[],
        };
        let context = minijinja::context! {
            t => self.strings.clone(),
            root => place.root,
            site_root => place.site_root,
            mentions => place.mentions_value.clone(),
            key => place.key,
            g => Value::from(Serde(&g)),
        };
        let text = self.env.get_template(ONE).ok()?.render(context).ok()?;
        let at = text.find(LIST_OPEN)? + LIST_OPEN.len();
        let html = text[at..].strip_suffix(LIST_CLOSE)?;
        Some(ChangeObject {
            value,
            html: html.to_owned(),
        })
    }
}

/// Where a change of `kind` goes among [`Spliced`]'s lists.
fn kind_index(kind: ChangeKind) -> usize {
    match kind {
        ChangeKind::Added => 0,
        ChangeKind::Removed => 1,
        ChangeKind::Changed => 2,
    }
}

/// `source` (a `macros.html`) with `change_groups` printing a spliced
/// change's HTML when it is given one, and running its own body otherwise;
/// `None` if the source has no change loop of the expected form.
pub(super) fn spliced_macros(source: &str) -> Option<String> {
    let start = source.find(LOOP_OPEN)?;
    let body_start = start + LOOP_OPEN.len();
    let body_len = source[body_start..].find(LOOP_CLOSE)?;
    let body = &source[body_start..body_start + body_len];
    if !body.starts_with(BODY_OPEN) || !body.ends_with("</li>\n") {
        return None;
    }
    // The body's last newline is stripped by the loop's `{%- endfor`; the
    // `{%- endif` strips it the same way.
    Some(format!(
        "{}{LOOP_OPEN}{{% if c is spliced_change %}}{{{{ spliced_change_html(c) }}}}{{% else %}}{body}{{%- endif %}}{}",
        &source[..start],
        &source[body_start + body_len..]
    ))
}

/// Adds the test and the function the spliced `macros.html` calls.
pub(super) fn add_functions(env: &mut Environment<'_>) {
    env.add_test("spliced_change", |c: Value| {
        c.downcast_object_ref::<ChangeObject>().is_some()
    });
    env.add_function("spliced_change_html", |c: Value| {
        c.downcast_object_ref::<ChangeObject>().map_or_else(
            || {
                Err(minijinja::Error::new(
                    minijinja::ErrorKind::InvalidOperation,
                    "not a spliced change",
                ))
            },
            |c| Ok(Value::from_safe_string(c.html.clone())),
        )
    });
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::collections::BTreeMap;
    use std::sync::Arc;

    use minijinja::Value;
    use minijinja::value::Serde;

    use super::{Memo, Place, Source, Splicer, add_functions, spliced_macros};
    use crate::history::{ChangeKind, ItemChange};
    use crate::render::history_views::{ChangeGroups, ChangeView, FieldView};
    use crate::render::mentions::{Mentions, MentionsObject};
    use crate::render::theme::Theme;
    use crate::render::views::Link;

    const PAGE: &str = "{% from \"macros.html\" import change_groups %}{{ change_groups(g, \"stamp\") }}|{{ g.changed | length }}|{{ g.changed[0].fields[0].label }}";

    fn item_change(id: &str, kind: ChangeKind) -> ItemChange {
        ItemChange {
            id: id.to_owned(),
            kind,
            title: "健在<证明>&".to_owned(),
            fields: Vec::new(),
            verdict: None,
            merged_into: Vec::new(),
            absorbs: Vec::new(),
            reason: Some("因为<b>改了".to_owned()),
        }
    }

    /// A change's view as the test's diff shows it (made up, not from the history).
    fn view(c: &ItemChange) -> ChangeView<'_> {
        let kind = c.kind.name();
        let field = FieldView {
            label: "办理时限".to_owned(),
            old: "<em>三日</em>".to_owned(),
            new: "五日".to_owned(),
        };
        ChangeView {
            id: &c.id,
            title: &c.title,
            kind,
            path: format!("draft/stamp/{}/", c.id),
            fields: if kind == "changed" {
                vec![field]
            } else {
                Vec::new()
            },
            verdict: (kind == "changed").then_some(("issue", "refuse")),
            merged_into: vec![Link {
                title: "GZ-9".to_owned(),
                path: "draft/stamp/GZ-9/".to_owned(),
            }],
            absorbs: Vec::new(),
            reason: c.reason.as_deref(),
        }
    }

    fn changes() -> Vec<ItemChange> {
        vec![
            item_change("GZ-1", ChangeKind::Added),
            item_change("GZ-2", ChangeKind::Changed),
            item_change("GZ-3", ChangeKind::Changed),
        ]
    }

    /// The views of `changes`, grouped as the history views group them.
    fn groups(changes: &[ItemChange]) -> ChangeGroups<'_> {
        let mut g = ChangeGroups {
            departments: vec!["<strong>人社局</strong>".to_owned()],
            ..ChangeGroups::default()
        };
        for c in changes {
            match c.kind {
                ChangeKind::Added => g.added.push(view(c)),
                ChangeKind::Removed => g.removed.push(view(c)),
                ChangeKind::Changed => g.changed.push(view(c)),
            }
        }
        g
    }

    fn strings() -> Value {
        crate::render::context::Table::value(
            crate::i18n::strings(crate::model::Language::ZhCn)
                .iter()
                .map(|(k, v)| (*k, Value::from(*v))),
        )
    }

    /// The groups as the full environment and as the chrome's environment
    /// (with the spliced `macros.html`) print them.
    fn printed(theme: &Theme, g: &Value, mentions: &Value, root: &str) -> [String; 2] {
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
        let context = minijinja::context! {
            t => strings, root => root, site_root => format!("{root}../"),
            mentions => mentions.clone(), g => g.clone(),
        };
        [full, split].map(|env| {
            let page = env.get_template("page.html").expect("page");
            page.render(context.clone()).expect("renders")
        })
    }

    #[test]
    fn spliced_changes_print_as_the_changes_they_stand_for_in_either_environment() {
        let theme = Theme::load(std::path::Path::new("/nonexistent"), "default").expect("theme");
        let memo = Memo::default();
        let env = super::environment(&theme).expect("built-in");
        let lists = Splicer::new(Arc::new(env), &memo, strings(), "zh-CN");
        let mentions = Arc::new(Mentions::default());
        let mentions_value = Value::from_object(MentionsObject(Arc::clone(&mentions)));
        let place = |root: &'static str, site_root: &'static str| Place {
            root,
            site_root,
            key: "stamp",
            mentions: &mentions,
            mentions_value: &mentions_value,
        };
        let raw = changes();
        let names = BTreeMap::from([("hr".to_owned(), "人社局".to_owned())]);
        let made = Cell::new(0);
        let counted = |c| {
            made.set(made.get() + 1);
            view(c)
        };
        let source = |raw, names| Source {
            changes: raw,
            names,
            last_edition: Some("2015"),
            departments: vec!["<strong>人社局</strong>".to_owned()],
            view: &counted,
        };
        let plain = Value::from(Serde(&groups(&raw)));
        let spliced = lists
            .groups(&place("../", "../../"), &source(&raw, &names))
            .expect("spliced");
        let [expected, split_plain] = printed(&theme, &plain, &mentions_value, "../");
        assert!(
            expected.contains("健在&lt;证明&gt;&amp;") && expected.contains("因为&lt;b&gt;改了")
        );
        assert!(
            expected.contains("<em>三日</em>")
                && expected.contains("href=\"../../draft/stamp/GZ-2/\"")
        );
        assert!(expected.ends_with("|2|办理时限"));
        assert_eq!(split_plain, expected, "plain changes in the spliced macros");
        let both = printed(&theme, &spliced, &mentions_value, "../");
        assert_eq!(both, [expected.clone(), expected.clone()]);
        assert_eq!((memo.len(), made.get()), (3, 3));
        // The same changes again come from the memo, without a view.
        let again = lists
            .groups(&place("../", "../../"), &source(&raw, &names))
            .expect("spliced");
        assert_eq!(printed(&theme, &again, &mentions_value, "../")[1], expected);
        assert_eq!((memo.len(), made.get()), (3, 3));
        // A change that differs is made again, and prints as its own view does.
        let mut edited = changes();
        edited[1].title = "健在证明（新）".to_owned();
        let spliced = lists
            .groups(&place("../", "../../"), &source(&edited, &names))
            .expect("spliced");
        assert_eq!(made.get(), 4);
        let [now, _] = printed(
            &theme,
            &Value::from(Serde(&groups(&edited))),
            &mentions_value,
            "../",
        );
        assert!(now.contains("健在证明（新）"));
        assert_eq!(printed(&theme, &spliced, &mentions_value, "../")[1], now);
        // Other department names or another depth: every change is made again.
        let renamed = BTreeMap::from([("hr".to_owned(), "人力社保局".to_owned())]);
        lists
            .groups(&place("../", "../../"), &source(&edited, &renamed))
            .expect("spliced");
        assert_eq!(made.get(), 7);
        let deeper = lists
            .groups(&place("../../", "../../../"), &source(&raw, &names))
            .expect("spliced");
        assert_eq!((memo.len(), made.get()), (6, 10));
        let plain = Value::from(Serde(&groups(&raw)));
        let [at_depth, _] = printed(&theme, &plain, &mentions_value, "../../");
        assert_eq!(
            printed(&theme, &deeper, &mentions_value, "../../")[1],
            at_depth
        );
        assert_ne!(at_depth, expected);
    }
}
