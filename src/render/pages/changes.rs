//! Change lists (the built-in `change_groups` macro: one `<li>` per changed
//! item on the draft home and register pages) rendered once per change
//! rather than once per page, and kept across the builds of one `serve`.
//!
//! A change's `<li>` depends on the change's view, its kind, the page's
//! `root` and `site_root`, the register's key, the UI strings and what
//! mention linking makes of its reason. [`Splicer::groups`] renders each
//! distinct change once through the built-in `macros.html` itself (a
//! `change_groups` of that one change, cut down to its `<li>`) and keeps it
//! in a [`Memo`]. The change is handed to the page as a [`ChangeObject`]: a
//! map of the change's values, as the view would be, that also carries the
//! HTML. In the page chrome's environment ([`super::chrome`]), the spliced
//! `macros.html` prints that HTML for such a change, and runs the loop's own
//! body otherwise; in any other environment the object reads as the map it
//! stands for, so the output is the same either way.
//!
//! This holds only while `macros.html` is the built-in one: a theme that
//! overrides it gets no splicing (see [`super::rows::Splicer::for_theme`]).

use std::sync::Arc;

use minijinja::value::{Enumerator, Object, ObjectRepr, Serde};
use minijinja::{Environment, Value};

use super::rows::Kept;
use crate::plan::url;
use crate::render::history_views::{ChangeGroups, ChangeView};
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

/// Changes rendered so far, by everything their HTML depends on; kept
/// across builds.
#[derive(Debug)]
pub(super) struct Memo {
    changes: Kept<ChangeObject>,
}

impl Default for Memo {
    fn default() -> Self {
        Memo {
            changes: Kept::new(LIMIT),
        }
    }
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

/// A [`ChangeGroups`] as a template sees it, its changes spliced.
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

/// Renders change lists change by change for one build.
pub(super) struct Splicer<'m> {
    /// The built-in `macros.html` and [`ONE`].
    env: Environment<'static>,
    memo: &'m Memo,
    strings: Value,
    language: &'static str,
}

impl<'m> Splicer<'m> {
    /// The splicer of a build with `theme`, or `None` when the theme
    /// overrides `macros.html`.
    pub(super) fn for_theme(
        theme: &Theme,
        memo: &'m Memo,
        strings: Value,
        language: &'static str,
    ) -> Option<Splicer<'m>> {
        let env = super::rows::builtin_macros(
            theme,
            spliced_macros,
            ONE,
            "{% from \"macros.html\" import change_groups %}{{ change_groups(g, key) }}",
        )?;
        Some(Splicer {
            env,
            memo,
            strings,
            language,
        })
    }

    /// `groups` as a map that prints as the built-in `change_groups` would
    /// print it at `place`; `None` if a change fails to render (the page
    /// then renders the changes itself, and reports any error).
    pub(super) fn groups(&self, place: &Place<'_>, groups: &ChangeGroups<'_>) -> Option<Value> {
        let kind = |name: &'static str, views: &[ChangeView<'_>]| -> Option<Value> {
            let list: Option<Vec<Value>> = views
                .iter()
                .map(|c| self.change(place, name, c).map(Value::from_dyn_object))
                .collect();
            Some(Value::from(list?))
        };
        Some(Value::from(Serde(&Spliced {
            added: kind("added", &groups.added)?,
            removed: kind("removed", &groups.removed)?,
            changed: kind("changed", &groups.changed)?,
            departments: &groups.departments,
        })))
    }

    /// One change of kind `name`, from the memo or rendered.
    fn change(
        &self,
        place: &Place<'_>,
        name: &'static str,
        c: &ChangeView<'_>,
    ) -> Option<Arc<ChangeObject>> {
        let reason = c.reason.map(|r| {
            let own = url::item(place.key, c.id);
            place.mentions.link(r, place.key, place.root, &own)
        });
        let key = self.key(place, name, c, reason.as_deref())?;
        if let Some(kept) = self.memo.changes.get(&key) {
            return Some(kept);
        }
        let made = Arc::new(self.render(place, name, c)?);
        self.memo.changes.keep(vec![(key, Arc::clone(&made))]);
        Some(made)
    }

    /// One change rendered as a group of that change alone, cut to its `<li>`.
    fn render(&self, place: &Place<'_>, name: &str, c: &ChangeView<'_>) -> Option<ChangeObject> {
        let value = Value::from(Serde(c));
        let one = |k: &str| {
            Value::from(if k == name {
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

    /// Everything a change's HTML depends on, each part prefixed with its
    /// length; `None` if the view does not serialize.
    fn key(
        &self,
        place: &Place<'_>,
        name: &str,
        c: &ChangeView<'_>,
        reason: Option<&str>,
    ) -> Option<Vec<u8>> {
        let view = serde_json::to_vec(c).ok()?;
        let mut key = Vec::with_capacity(view.len() + 256);
        let mut part = |bytes: &[u8]| {
            key.extend_from_slice(&bytes.len().to_le_bytes());
            key.extend_from_slice(bytes);
        };
        part(self.language.as_bytes());
        part(place.root.as_bytes());
        part(place.site_root.as_bytes());
        part(place.key.as_bytes());
        part(name.as_bytes());
        part(reason.map_or(&[0xff][..], str::as_bytes));
        part(&view);
        Some(key)
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
    use std::sync::Arc;

    use minijinja::Value;
    use minijinja::value::Serde;

    use super::{Memo, Place, Splicer, add_functions, spliced_macros};
    use crate::render::history_views::{ChangeGroups, ChangeView, FieldView};
    use crate::render::mentions::{Mentions, MentionsObject};
    use crate::render::theme::Theme;
    use crate::render::views::Link;

    const PAGE: &str = "{% from \"macros.html\" import change_groups %}{{ change_groups(g, \"stamp\") }}|{{ g.changed | length }}|{{ g.changed[0].fields[0].label }}";

    fn change<'a>(id: &'a str, kind: &'static str, fields: Vec<FieldView>) -> ChangeView<'a> {
        ChangeView {
            id,
            title: "健在<证明>&",
            kind,
            path: format!("draft/stamp/{id}/"),
            fields,
            verdict: (kind == "changed").then_some(("issue", "refuse")),
            merged_into: vec![Link {
                title: "GZ-9".to_owned(),
                path: "draft/stamp/GZ-9/".to_owned(),
            }],
            absorbs: Vec::new(),
            reason: Some("因为<b>改了"),
        }
    }

    fn groups() -> ChangeGroups<'static> {
        let field = FieldView {
            label: "办理时限".to_owned(),
            old: "<em>三日</em>".to_owned(),
            new: "五日".to_owned(),
        };
        ChangeGroups {
            added: vec![change("GZ-1", "added", Vec::new())],
            removed: Vec::new(),
            changed: vec![
                change("GZ-2", "changed", vec![field.clone()]),
                change("GZ-3", "changed", vec![field]),
            ],
            departments: vec!["<strong>人社局</strong>".to_owned()],
        }
    }

    /// The groups as the full environment and as the chrome's environment
    /// (with the spliced `macros.html`) print them.
    fn printed(theme: &Theme, g: &Value, mentions: &Value, root: &str) -> [String; 2] {
        let strings = crate::render::context::Table::value(
            crate::i18n::strings(crate::model::Language::ZhCn)
                .iter()
                .map(|(k, v)| (*k, Value::from(*v))),
        );
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
        let strings = crate::render::context::Table::value(
            crate::i18n::strings(crate::model::Language::ZhCn)
                .iter()
                .map(|(k, v)| (*k, Value::from(*v))),
        );
        let lists = Splicer::for_theme(&theme, &memo, strings, "zh-CN").expect("built-in");
        let mentions = Arc::new(Mentions::default());
        let mentions_value = Value::from_object(MentionsObject(Arc::clone(&mentions)));
        let place = |root: &'static str, site_root: &'static str| Place {
            root,
            site_root,
            key: "stamp",
            mentions: &mentions,
            mentions_value: &mentions_value,
        };
        let groups = groups();
        let plain = Value::from(Serde(&groups));
        let spliced = lists
            .groups(&place("../", "../../"), &groups)
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
        let count = || memo.changes.len();
        assert_eq!(count(), 3);
        // The same changes again come from the memo; at another depth they are new.
        let again = lists
            .groups(&place("../", "../../"), &groups)
            .expect("spliced");
        assert_eq!(printed(&theme, &again, &mentions_value, "../")[1], expected);
        assert_eq!(count(), 3);
        let deeper = lists
            .groups(&place("../../", "../../../"), &groups)
            .expect("spliced");
        assert_eq!(count(), 6);
        let [at_depth, spliced_at_depth] = printed(&theme, &deeper, &mentions_value, "../../");
        assert_eq!(spliced_at_depth, at_depth);
        assert_ne!(at_depth, expected);
    }
}
