//! The built-in `item.html` with the macros it imports from the built-in
//! `macros.html` written out where it calls them, for the page chrome's
//! environment ([`super::chrome`]): part of rendering.
//!
//! `{% from "macros.html" import … %}` runs all of `macros.html` on every
//! page (it builds a dozen macros, each closing over the page's values), and
//! a macro call costs more than its text in place; item pages are most of a
//! site, and the import and calls were about a fifth of the time each took.
//! So, where both templates are the built-in ones, item pages are rendered
//! from a copy of `item.html` in which every `{{ name(arg) }}` that calls a
//! one-argument macro of `macros.html` is
//! `{% with param = arg -%}body{%- endwith %}`: the macro's own text, whose
//! tags strip the same whitespace as the macro's tags did, with the calls it
//! makes written out the same way. The import goes once nothing names what
//! it imports.
//!
//! That prints the same as long as the macros read only their argument and
//! names that `item.html` never binds itself (they read `t`, `root` and
//! `site_root`): true of the built-in templates, which a test renders both
//! ways. A site that overrides either template gets its `item.html` as it is.

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::render::theme::{Origin, Theme};

/// How a macro of `macros.html` starts and ends.
const MACRO_OPEN: &str = "{% macro ";
const MACRO_CLOSE: &str = "{%- endmacro %}";

/// How the page's import starts.
const IMPORT_OPEN: &str = "{% from \"macros.html\" import ";

/// Macros calling macros deeper than this are left alone.
const DEPTH: usize = 4;

/// A one-argument macro: its parameter's name and its body, as written
/// between its tags.
struct Macro<'s> {
    param: &'s str,
    body: &'s str,
}

/// The built-in `item.html` with its macro calls written out, when the theme
/// has the built-in `item.html` and `macros.html`; `None` otherwise, or when
/// nothing could be written out.
pub(super) fn item_page(theme: &Theme) -> Option<String> {
    let out = written_out(theme)?;
    Some(marked_blocks(&out, &super::frozen::STATUS_BLOCKS).unwrap_or(out))
}

/// The bodies of the built-in `item.html`'s blocks that show how a frozen
/// version stands ([`super::frozen::STATUS_BLOCKS`]), with the macro calls
/// written out, each followed by `separator`: a template of its own; `None`
/// where [`item_page`] does not print `status_marks` in their place.
pub(super) fn status_template(theme: &Theme, separator: &str) -> Option<String> {
    let out = written_out(theme)?;
    marked_blocks(&out, &super::frozen::STATUS_BLOCKS)?;
    let bodies = block_bodies(&out, &super::frozen::STATUS_BLOCKS)?;
    Some(bodies.iter().map(|b| format!("{b}{separator}")).collect())
}

/// The built-in `item.html` with its macro calls written out.
fn written_out(theme: &Theme) -> Option<String> {
    let built_in = |name: &str| {
        theme
            .templates
            .get(name)
            .filter(|t| matches!(t.origin, Origin::BuiltIn))
    };
    let (page, macros) = (built_in("item.html")?, built_in("macros.html")?);
    inlined(&page.source, &macros.source)
}

/// The open tag of block `name` in `source`, where it starts and ends, and
/// where its body ends and its `{% endblock %}` tag does; `None` if the
/// block is not there once with a plain end tag and no block inside.
fn find_block(source: &str, name: &str) -> Option<(usize, usize, usize, usize)> {
    let tag = |dash: &str| format!("{{%{dash} block {name} %}}");
    let (open, tag_len) = [tag(""), tag("-")]
        .iter()
        .find_map(|t| Some((source.find(t.as_str())?, t.len())))?;
    let body_start = open + tag_len;
    let body_len = source[body_start..].find("{% endblock %}")?;
    let body = &source[body_start..body_start + body_len];
    let once = source.matches(&tag("")).count() + source.matches(&tag("-")).count() == 1;
    if !once || body.contains("block ") {
        return None;
    }
    Some((
        open,
        body_start,
        body_start + body_len,
        body_start + body_len + 14,
    ))
}

/// The bodies of blocks `names` of `source`, each as written between its
/// tags; `None` if one is missing (see [`find_block`]).
fn block_bodies<'s>(source: &'s str, names: &[&str]) -> Option<Vec<&'s str>> {
    names
        .iter()
        .map(|name| find_block(source, name).map(|(_, start, end, _)| &source[start..end]))
        .collect()
}

/// `source` with each block of `names` (the `i`th) printing
/// `status_marks[i]` when the page has `status_marks`, and its own body
/// otherwise; `None` if a block is missing.
fn marked_blocks(source: &str, names: &[&str]) -> Option<String> {
    let mut out = source.to_owned();
    for (i, name) in names.iter().enumerate() {
        let (open, body_start, body_end, end) = find_block(&out, name)?;
        let dash = if out[open..].starts_with("{%-") {
            "-"
        } else {
            ""
        };
        out = format!(
            "{}{{%{dash} if status_marks is defined %}}{{{{ status_marks[{i}] }}}}{{% else %}}{}{{% endif %}}{}",
            &out[..open],
            &out[body_start..body_end],
            &out[end..]
        );
    }
    Some(out)
}

/// `page` with every `{{ name(arg) }}` call of a one-argument macro of
/// `macros` (that `page` imports) written out, and its import of `macros`
/// dropped when nothing names what it imported; `None` if nothing changed.
fn inlined(page: &str, macros: &str) -> Option<String> {
    let macros = Macros::of(macros);
    let start = page.find(IMPORT_OPEN)?;
    let names_start = start + IMPORT_OPEN.len();
    let names_end = names_start + page[names_start..].find("%}")?;
    // `a, b, c` only: no `as`, no `-%}`.
    let names: Vec<&str> = page[names_start..names_end]
        .split(',')
        .map(str::trim)
        .collect();
    if !names.iter().all(|n| is_identifier(n)) {
        return None;
    }
    let out = macros.write_out(page, Some(&names), 0)?;
    if out == page {
        return None;
    }
    let rest = out.replacen(&page[start..names_end + 2], "", 1);
    if names.iter().any(|n| names_identifier(&rest, n)) {
        return Some(out);
    }
    Some(rest)
}

/// The macros of a `macros.html`.
struct Macros<'s> {
    /// Every macro's name.
    names: Vec<&'s str>,
    /// The macros that take one argument, by name.
    one_argument: HashMap<&'s str, Macro<'s>>,
}

impl<'s> Macros<'s> {
    fn of(source: &'s str) -> Self {
        let mut macros = Macros {
            names: Vec::new(),
            one_argument: HashMap::new(),
        };
        let mut rest = source;
        while let Some(at) = rest.find(MACRO_OPEN) {
            let after = &rest[at + MACRO_OPEN.len()..];
            let (Some(tag_end), Some(close)) = (after.find("%}"), after.find(MACRO_CLOSE)) else {
                break;
            };
            let name_end = after.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'));
            macros.names.extend(
                name_end
                    .map(|end| &after[..end])
                    .filter(|n| is_identifier(n)),
            );
            // `name(param) -%}`: the body starts after the tag.
            let signature = after[..tag_end.min(close)]
                .trim_end()
                .strip_suffix('-')
                .map(str::trim_end)
                .and_then(|h| h.strip_suffix(')'))
                .and_then(|h| h.split_once('('));
            let body = &after[(tag_end + 2).min(close)..close];
            if let Some((name, param)) = signature
                && tag_end < close
                && is_identifier(name)
                && is_identifier(param)
                && !body.contains(MACRO_OPEN)
            {
                macros.one_argument.insert(name, Macro { param, body });
            }
            rest = &after[close + MACRO_CLOSE.len()..];
        }
        macros
    }

    /// `text` with each `{{ name(arg) }}` of a one-argument macro written out
    /// (of those in `only`, when given), and the calls in its body too; `None`
    /// if a body written out still names a macro (or they nest too deep).
    fn write_out(&self, text: &str, only: Option<&[&str]>, depth: usize) -> Option<String> {
        let mut out = String::with_capacity(text.len() * 2);
        let mut rest = text;
        while let Some(at) = rest.find("{{") {
            out.push_str(&rest[..at]);
            let called = parse_call(&rest[at..])
                .filter(|(c, _)| only.is_none_or(|names| names.contains(&c.name)))
                .and_then(|(c, len)| Some((self.one_argument.get(c.name)?, c, len)));
            let Some((m, call, len)) = called else {
                out.push_str("{{");
                rest = &rest[at + 2..];
                continue;
            };
            if depth >= DEPTH {
                return None;
            }
            let body = self.write_out(m.body, None, depth + 1)?;
            if self.names.iter().any(|n| names_identifier(&body, n)) {
                return None;
            }
            let left = if call.trim_left { "-" } else { "" };
            let right = if call.trim_right { "-" } else { "" };
            let _ = write!(
                out,
                "{{%{left} with {} = {} -%}}{body}{{%- endwith {right}%}}",
                m.param, call.arg
            );
            rest = &rest[at + len..];
        }
        out.push_str(rest);
        Some(out)
    }
}

/// A call `{{ name(arg) }}` (with `-` inside either brace pair or not).
struct Call<'s> {
    name: &'s str,
    arg: &'s str,
    trim_left: bool,
    trim_right: bool,
}

/// The call that `text` starts with, and its length; `None` if `text` does
/// not start with an expression that is only a call with one simple argument
/// (no parentheses, brackets, strings or commas).
fn parse_call(text: &str) -> Option<(Call<'_>, usize)> {
    let inner = text.strip_prefix("{{")?;
    let trim_left = inner.starts_with('-');
    let inner = inner.strip_prefix('-').unwrap_or(inner);
    let end = inner.find("}}")?;
    let expr = &inner[..end];
    let trim_right = expr.ends_with('-');
    let expr = expr.strip_suffix('-').unwrap_or(expr).trim();
    let (name, arg) = expr.strip_suffix(')')?.split_once('(')?;
    let arg = arg.trim();
    let simple = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '.';
    if !is_identifier(name) || arg.is_empty() || !arg.chars().all(simple) {
        return None;
    }
    let len = text.len() - inner.len() + end + 2;
    Some((
        Call {
            name,
            arg,
            trim_left,
            trim_right,
        },
        len,
    ))
}

/// Whether `s` is a template identifier.
fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Whether a tag of `text` (`{{ … }}` or `{% … %}`) has `name` as a whole
/// identifier (not as an attribute or part of a longer name).
fn names_identifier(text: &str, name: &str) -> bool {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let names = |tag: &str| {
        tag.match_indices(name).any(|(at, _)| {
            let before = tag[..at].chars().next_back();
            let after = tag[at + name.len()..].chars().next();
            !before.is_some_and(|c| ident(c) || c == '.') && !after.is_some_and(ident)
        })
    };
    let mut rest = text;
    while let Some(at) = rest.find(['{']) {
        let after = &rest[at + 1..];
        let close = match after.chars().next() {
            Some('{') => "}}",
            Some('%') => "%}",
            _ => {
                rest = after;
                continue;
            }
        };
        let Some(end) = after.find(close) else {
            return names(after);
        };
        if names(&after[1..end]) {
            return true;
        }
        rest = &after[end + 2..];
    }
    false
}

#[cfg(test)]
mod tests {
    use super::{Macros, inlined, item_page, names_identifier};
    use crate::render::theme::Theme;

    const MACROS: &str = "{% macro line(e) -%}\n<a href=\"{{ root }}{{ e.path }}\">{{ e.label }}</a>\n{%- endmacro %}\n\n{% macro outer(d) -%}\n<b>{{ d.name }}</b>{% if d.e %}{{ line(d.e) }}{% endif %}  \n{%- endmacro %}\n{% macro two(a, b) -%}{{ a }}{{ b }}{%- endmacro %}\n";

    /// `page` rendered with `MACROS` as `macros.html`.
    fn render(page: &str) -> String {
        let mut env = crate::render::configured_environment();
        env.add_template_owned("macros.html", MACROS.to_owned())
            .expect("macros");
        env.add_template_owned("page.html", page.to_owned())
            .expect("page");
        let e = minijinja::context! { path => "x/", label => "<甲>" };
        let d = minijinja::context! { name => "乙&", e => e.clone() };
        let context = minijinja::context! { root => "../", e => e.clone(), d => d, list => vec![e.clone(), e] };
        env.get_template("page.html")
            .expect("page")
            .render(context)
            .expect("renders")
    }

    #[test]
    fn calls_written_out_print_what_the_macros_print() {
        let page = "{% from \"macros.html\" import line, outer %}\n[{{ line(e) }}] [{{- outer(d) -}}] \n{% for x in list %}{{ line(x) }}|{% endfor %}";
        let out = inlined(page, MACROS).expect("written out");
        assert!(!out.contains("import"), "the import goes: {out}");
        assert!(!names_identifier(&out, "line") && !names_identifier(&out, "outer"));
        assert_eq!(render(&out), render(page));
        assert!(render(page).contains("<b>乙&amp;</b><a href=\"../x/\">&lt;甲&gt;</a>"));
    }

    #[test]
    fn the_import_stays_while_the_page_still_names_what_it_imports() {
        // `two` takes two arguments, and `line` is called inside an expression.
        let page = "{% from \"macros.html\" import line, two %}{{ line(e) }}{{ two(1, 2) }}{{ line(e) ~ \"!\" }}";
        let out = inlined(page, MACROS).expect("written out");
        assert!(out.starts_with("{% from \"macros.html\" import line, two %}{% with e = e -%}"));
        assert_eq!(render(&out), render(page));
        // Nothing to write out, or an import this module does not read.
        assert_eq!(
            inlined(
                "{% from \"macros.html\" import two %}{{ two(1, 2) }}",
                MACROS
            ),
            None
        );
        assert_eq!(
            inlined(
                "{% from \"macros.html\" import line as l %}{{ l(e) }}",
                MACROS
            ),
            None
        );
        assert_eq!(inlined("{{ line(e) }}", MACROS), None);
    }

    #[test]
    fn only_one_argument_macros_are_read_and_only_names_in_tags_count() {
        let m = Macros::of(MACROS);
        assert_eq!(m.names, ["line", "outer", "two"]);
        let mut one: Vec<&str> = m.one_argument.keys().copied().collect();
        one.sort_unstable();
        assert_eq!(one, ["line", "outer"]);
        assert!(names_identifier("{{ line(e) }}", "line"));
        assert!(!names_identifier(
            "<p class=\"line\">{{ e.line }}{{ lines }}</p>",
            "line"
        ));
        assert!(names_identifier("{% if x %}{% set y = line %}", "line"));
    }

    #[test]
    fn the_built_in_item_page_calls_no_macro_and_imports_nothing() {
        let theme = Theme::load(std::path::Path::new("/nonexistent"), "default").expect("theme");
        let out = item_page(&theme).expect("written out");
        let m = Macros::of(&theme.templates["macros.html"].source);
        assert!(!out.contains("macros.html"), "no import left");
        for name in &m.names {
            assert!(!names_identifier(&out, name), "{name} is still named");
        }
        assert!(out.contains("{% with n = frozen.now -%}"));
        // The blocks that say how a frozen version stands print marks when asked.
        for (i, _) in super::super::frozen::STATUS_BLOCKS.iter().enumerate() {
            let printed = format!("if status_marks is defined %}}{{{{ status_marks[{i}] }}}}");
            assert!(out.contains(&printed), "block {i} is marked");
        }
        let status = super::status_template(&theme, "|").expect("status blocks");
        assert_eq!(status.matches('|').count(), 3);
        assert!(!status.contains("block") && !status.contains("status_marks"));
    }

    #[test]
    fn marked_blocks_print_their_mark_or_their_body() {
        let page = "<{%- block a %} {{ x }}{% endblock %}>{% block b %}[{{ x }}]{% endblock %}";
        let out = super::marked_blocks(page, &["a", "b"]).expect("marked");
        let env = crate::render::configured_environment();
        let with = minijinja::context! { x => "x", status_marks => vec!["A", "B"] };
        let without = minijinja::context! { x => "x" };
        assert_eq!(env.render_str(&out, with).expect("renders"), "<A>B");
        assert_eq!(
            env.render_str(&out, without.clone()).expect("renders"),
            env.render_str(page, without).expect("renders")
        );
        assert_eq!(
            super::block_bodies(page, &["a", "b"]).expect("found"),
            [" {{ x }}", "[{{ x }}]"]
        );
        assert_eq!(super::marked_blocks(page, &["c"]), None);
    }
}
