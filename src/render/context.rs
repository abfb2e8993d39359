//! RENDER: the values a template looks names up in, as objects that find a
//! name without building or searching a general map.
//!
//! Templates read `t.…`, `site.…` and the context's own names (`root`, `path`,
//! the page's fields) thousands of times a build. As serialised maps, each
//! lookup searched a sorted map of template values (with a comparison per
//! step), and a page's context, flattened into one map, was built key by key
//! for every page. Here the shared tables are made once per build and a page's
//! context is its own fields plus the few every page has.

use std::collections::HashMap;
use std::sync::Arc;

use minijinja::Value;
use minijinja::value::{Enumerator, Object};

/// A table of named values (the UI strings, the site), looked up by hashing.
#[derive(Debug)]
pub(super) struct Table {
    entries: HashMap<Arc<str>, Value>,
    /// The names in order, for templates that iterate over the table.
    names: Vec<Arc<str>>,
}

impl Table {
    /// The table of `pairs` as a template value.
    pub(super) fn value<'k>(pairs: impl IntoIterator<Item = (&'k str, Value)>) -> Value {
        let entries: HashMap<Arc<str>, Value> =
            pairs.into_iter().map(|(k, v)| (Arc::from(k), v)).collect();
        let mut names: Vec<Arc<str>> = entries.keys().cloned().collect();
        names.sort();
        Value::from_object(Table { entries, names })
    }

    /// The entries of a map value (a serialised struct), as a table; any
    /// other value as it is.
    pub(super) fn of_map(map: &Value) -> Value {
        let Ok(keys) = map.try_iter() else {
            return map.clone();
        };
        let pairs: Vec<(String, Value)> = keys
            .filter_map(|k| {
                let name = k.as_str()?.to_owned();
                let value = map.get_item(&k).ok()?;
                Some((name, value))
            })
            .collect();
        Table::value(pairs.iter().map(|(k, v)| (k.as_str(), v.clone())))
    }
}

impl Object for Table {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        self.get_value_by_str(key.as_str()?)
    }

    fn get_value_by_str(self: &Arc<Self>, key: &str) -> Option<Value> {
        self.entries.get(key).cloned()
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Values(self.names.iter().map(|n| Value::from(&**n)).collect())
    }

    fn enumerator_len(self: &Arc<Self>) -> Option<usize> {
        Some(self.names.len())
    }
}

/// What one page's template sees: the page's own fields, then the names every
/// page has (`site`, `t`, `root`, …). The page's fields win, as they did when
/// both were flattened into one map.
#[derive(Debug)]
pub(super) struct PageContext {
    /// The page's view (a serialised struct).
    pub(super) page: Value,
    /// The names every page has, with their values.
    pub(super) common: Vec<(&'static str, Value)>,
}

impl Object for PageContext {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        self.get_value_by_str(key.as_str()?)
    }

    fn get_value_by_str(self: &Arc<Self>, key: &str) -> Option<Value> {
        match self.page.get_attr(key) {
            Ok(v) if !v.is_undefined() => Some(v),
            _ => self
                .common
                .iter()
                .find(|(name, _)| *name == key)
                .map(|(_, v)| v.clone()),
        }
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        let mut names: Vec<Value> = self.common.iter().map(|(n, _)| Value::from(*n)).collect();
        if let Ok(keys) = self.page.try_iter() {
            names.extend(keys);
        }
        names.sort();
        names.dedup();
        Enumerator::Values(names)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_finds_its_names_and_only_those_and_lists_them_in_order() {
        let t = Table::value([("b", Value::from(2)), ("a", Value::from("一"))]);
        assert_eq!(t.get_attr("a").expect("found").as_str(), Some("一"));
        assert_eq!(
            t.get_item(&Value::from("b")).expect("found"),
            Value::from(2)
        );
        assert!(t.get_attr("c").expect("a lookup").is_undefined());
        let names: Vec<Value> = t.try_iter().expect("iterable").collect();
        assert_eq!(names, [Value::from("a"), Value::from("b")]);
    }

    #[test]
    fn a_page_context_prefers_the_pages_own_fields() {
        #[derive(serde::Serialize)]
        struct Page {
            path: &'static str,
            title: &'static str,
        }
        let page = Value::from(minijinja::value::Serde(&Page {
            path: "own",
            title: "标题",
        }));
        let common = vec![
            ("path", Value::from("common")),
            ("root", Value::from("../")),
        ];
        let ctx = Value::from_object(PageContext { page, common });
        assert_eq!(ctx.get_attr("path").expect("found").as_str(), Some("own"));
        assert_eq!(ctx.get_attr("root").expect("found").as_str(), Some("../"));
        assert_eq!(ctx.get_attr("title").expect("found").as_str(), Some("标题"));
        assert!(ctx.get_attr("nothing").expect("a lookup").is_undefined());
        let env = minijinja::Environment::new();
        let out = env
            .render_str("{{ root }}{{ path }} {{ title }}", ctx)
            .expect("renders");
        assert_eq!(out, "../own 标题");
    }
}
