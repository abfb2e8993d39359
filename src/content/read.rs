//! Typed reading of YAML nodes, collecting a diagnostic for every problem.
//!
//! Each function reads one value and returns `None` after reporting what is
//! wrong, so one file can produce many diagnostics. Nothing is ever converted
//! silently: a string field given `110` or `true` is an error that says to
//! quote it, and an enum field given `no` says why YAML 1.1 tools would have
//! read it as false.

use jiff::civil::Date;

use super::yaml::{Kind, Node, Resolved};
use crate::diagnostic::{Code, Diagnostic, FileId, Span, Spanned};
use crate::model::Choice;

/// Per-file reading context: where diagnostics go.
pub(crate) struct Ctx {
    pub(crate) file: FileId,
    pub(crate) diags: Vec<Diagnostic>,
}

impl Ctx {
    pub(crate) fn new(file: FileId) -> Self {
        Ctx {
            file,
            diags: Vec::new(),
        }
    }

    pub(crate) fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    pub(crate) fn error(
        &mut self,
        code: Code,
        span: Span,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.diags
            .push(Diagnostic::error(code, span, message).with_help(help));
    }
}

/// The known fields of one mapping, with unknown and duplicate keys already reported.
pub(crate) struct Fields<'n> {
    pub(crate) span: Span,
    what: &'static str,
    entries: Vec<(&'n str, &'n Node)>,
    /// Fields that an unknown key was taken to be a misspelling of; their
    /// absence is not reported again.
    suggested: Vec<&'static str>,
}

/// YAML 1.1 spellings of booleans, which YAML 1.2 reads as text.
const YAML11_BOOLS: [&str; 10] = ["y", "n", "yes", "no", "on", "off", "Yes", "No", "On", "Off"];

impl<'n> Fields<'n> {
    /// Reads `node` as a mapping whose keys must be in `allowed`.
    pub(crate) fn read(
        node: &'n Node,
        what: &'static str,
        allowed: &[&'static str],
        cx: &mut Ctx,
    ) -> Option<Self> {
        let Kind::Map(entries) = &node.kind else {
            cx.error(
                Code::WrongType,
                node.span,
                format!(
                    "{what} must be a mapping of `field: value` lines, found {}",
                    node.describe()
                ),
                format!(
                    "write one `field: value` per line; fields: {}",
                    allowed.join(", ")
                ),
            );
            return None;
        };
        let mut known: Vec<(&'n str, &'n Node)> = Vec::with_capacity(entries.len());
        let mut seen: Vec<(&'n str, Span)> = Vec::with_capacity(entries.len());
        let mut suggested = Vec::new();
        for (key, value) in entries {
            let Kind::Scalar(name, _) = &key.kind else {
                continue;
            };
            if let Some((_, first)) = seen.iter().find(|(n, _)| n == name) {
                cx.push(
                    Diagnostic::error(
                        Code::DuplicateKey,
                        key.span,
                        format!("`{name}` appears twice in {what}"),
                    )
                    .with_help("delete one of the two; a field may be given only once")
                    .with_related(*first, "first given here"),
                );
                continue;
            }
            seen.push((name, key.span));
            if allowed.contains(&name.as_str()) {
                known.push((name, value));
            } else {
                let closest = closest_field(name, allowed);
                suggested.extend(closest);
                cx.push(unknown_field(name, key.span, what, allowed, closest));
            }
        }
        Some(Fields {
            span: node.span,
            what,
            entries: known,
            suggested,
        })
    }

    /// The value of an optional field; YAML null counts as absent.
    pub(crate) fn get(&self, key: &str) -> Option<&'n Node> {
        self.entries
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| *v)
            .filter(|v| !v.is_null())
    }

    /// The value of a required field, or a `missing-field` diagnostic.
    pub(crate) fn required(&self, key: &str, cx: &mut Ctx) -> Option<&'n Node> {
        match self.entries.iter().find(|(k, _)| *k == key) {
            Some((_, v)) if !v.is_null() => Some(*v),
            Some((_, v)) => {
                cx.error(
                    Code::MissingField,
                    v.span,
                    format!("`{key}` has no value"),
                    format!("give `{key}` a value"),
                );
                None
            }
            None if self.suggested.contains(&key) => None,
            None => {
                cx.error(
                    Code::MissingField,
                    self.span,
                    format!("{} is missing the required field `{key}`", self.what),
                    format!("add a line `{key}: …`"),
                );
                None
            }
        }
    }

    pub(crate) fn text(&self, key: &str, cx: &mut Ctx) -> Option<String> {
        self.get(key)
            .and_then(|n| text(n, key, cx))
            .map(|s| s.value)
    }

    pub(crate) fn required_text(&self, key: &str, cx: &mut Ctx) -> Option<Spanned<String>> {
        let node = self.required(key, cx)?;
        let value = text(node, key, cx)?;
        if value.value.trim().is_empty() {
            cx.error(
                Code::MissingField,
                node.span,
                format!("`{key}` is empty"),
                format!("give `{key}` a value"),
            );
            return None;
        }
        Some(value)
    }

    pub(crate) fn text_list(&self, key: &str, cx: &mut Ctx) -> Vec<Spanned<String>> {
        self.get(key)
            .map(|n| text_list(n, key, cx))
            .unwrap_or_default()
    }

    pub(crate) fn plain_list(&self, key: &str, cx: &mut Ctx) -> Vec<String> {
        self.text_list(key, cx)
            .into_iter()
            .map(|s| s.value)
            .collect()
    }

    pub(crate) fn url_list(&self, key: &str, cx: &mut Ctx) -> Vec<String> {
        let Some(node) = self.get(key) else {
            return Vec::new();
        };
        seq(node, key, cx)
            .iter()
            .filter_map(|n| url(n, key, cx))
            .collect()
    }

    pub(crate) fn url(&self, key: &str, cx: &mut Ctx) -> Option<String> {
        self.get(key).and_then(|n| url(n, key, cx))
    }

    pub(crate) fn choice<T: Choice>(&self, key: &str, cx: &mut Ctx) -> Option<Spanned<T>> {
        self.get(key).and_then(|n| choice(n, key, cx))
    }

    pub(crate) fn required_choice<T: Choice>(&self, key: &str, cx: &mut Ctx) -> Option<Spanned<T>> {
        self.required(key, cx).and_then(|n| choice(n, key, cx))
    }

    pub(crate) fn date(&self, key: &str, cx: &mut Ctx) -> Option<Spanned<Date>> {
        self.get(key).and_then(|n| date(n, key, cx))
    }

    pub(crate) fn required_date(&self, key: &str, cx: &mut Ctx) -> Option<Spanned<Date>> {
        self.required(key, cx).and_then(|n| date(n, key, cx))
    }

    pub(crate) fn boolean(&self, key: &str, cx: &mut Ctx) -> Option<bool> {
        self.get(key).and_then(|n| boolean(n, key, cx))
    }

    pub(crate) fn integer(&self, key: &str, cx: &mut Ctx) -> Option<i64> {
        self.get(key).and_then(|n| integer(n, key, cx))
    }

    pub(crate) fn unsigned(&self, key: &str, cx: &mut Ctx) -> Option<u64> {
        let node = self.get(key)?;
        let value = integer(node, key, cx)?;
        if let Ok(v) = u64::try_from(value) {
            return Some(v);
        }
        cx.error(
            Code::InvalidNumber,
            node.span,
            format!("`{key}` is {value}, but it cannot be negative"),
            "write 0 or a positive whole number",
        );
        None
    }
}

/// The entries of a mapping keyed by ids (`departments.yaml`, `reasons`): each id
/// once, with its span. A repeated id and a value that is not a mapping are reported.
pub(crate) fn id_entries<'n>(
    node: &'n Node,
    what: &str,
    help: &str,
    cx: &mut Ctx,
) -> Vec<(&'n str, Span, &'n Node)> {
    let Kind::Map(entries) = &node.kind else {
        if !node.is_null() {
            cx.error(
                Code::WrongType,
                node.span,
                format!("{what} must map ids to values, found {}", node.describe()),
                help,
            );
        }
        return Vec::new();
    };
    let mut out: Vec<(&'n str, Span, &'n Node)> = Vec::with_capacity(entries.len());
    for (key, value) in entries {
        let Kind::Scalar(id, _) = &key.kind else {
            continue;
        };
        if let Some((_, first, _)) = out.iter().find(|(o, _, _)| o == id) {
            cx.push(
                Diagnostic::error(
                    Code::DuplicateKey,
                    key.span,
                    format!("`{id}` appears twice in {what}"),
                )
                .with_help("delete one of the two")
                .with_related(*first, "first given here"),
            );
            continue;
        }
        out.push((id, key.span, value));
    }
    out
}

fn closest_field(name: &str, allowed: &[&'static str]) -> Option<&'static str> {
    allowed
        .iter()
        .map(|a| (strsim::damerau_levenshtein(name, a), *a))
        .filter(|(d, a)| *d <= 2.max(a.len() / 3))
        .min()
        .map(|(_, a)| a)
}

fn unknown_field(
    name: &str,
    span: Span,
    what: &str,
    allowed: &[&str],
    closest: Option<&str>,
) -> Diagnostic {
    let help = match closest {
        Some(a) => format!("did you mean `{a}`?"),
        None => format!("the fields of {what} are: {}", allowed.join(", ")),
    };
    Diagnostic::error(
        Code::UnknownField,
        span,
        format!("unknown field `{name}` in {what}"),
    )
    .with_help(help)
}

/// A text value. Quoted scalars, block scalars and plain scalars that YAML 1.2
/// reads as text are accepted; numbers, booleans and collections are not.
pub(crate) fn text(node: &Node, key: &str, cx: &mut Ctx) -> Option<Spanned<String>> {
    match (&node.kind, node.resolved()) {
        (Kind::Scalar(s, _), Some(Resolved::Str)) => Some(Spanned::new(s.clone(), node.span)),
        (Kind::Scalar(s, _), Some(Resolved::Bool | Resolved::Int | Resolved::Float)) => {
            cx.error(
                Code::WrongType,
                node.span,
                format!(
                    "`{key}` must be text, but YAML reads `{s}` as {}",
                    node.describe()
                ),
                format!("quote it: `{key}: \"{s}\"`"),
            );
            None
        }
        _ => {
            cx.error(
                Code::WrongType,
                node.span,
                format!("`{key}` must be text, found {}", node.describe()),
                "write the text after the colon on one line, or use `|` for several lines",
            );
            None
        }
    }
}

fn seq<'n>(node: &'n Node, key: &str, cx: &mut Ctx) -> &'n [Node] {
    if let Kind::Seq(items) = &node.kind {
        return items;
    }
    cx.error(
        Code::WrongType,
        node.span,
        format!("`{key}` must be a list, found {}", node.describe()),
        format!("write `{key}: [a, b]` or one `- item` per line"),
    );
    &[]
}

/// A list of text values.
pub(crate) fn text_list(node: &Node, key: &str, cx: &mut Ctx) -> Vec<Spanned<String>> {
    seq(node, key, cx)
        .iter()
        .filter_map(|n| text(n, key, cx))
        .collect()
}

/// A list of mappings, each read by `read`.
pub(crate) fn list_of<T>(
    node: &Node,
    key: &str,
    cx: &mut Ctx,
    mut read: impl FnMut(&Node, &mut Ctx) -> Option<T>,
) -> Vec<T> {
    seq(node, key, cx)
        .iter()
        .filter_map(|n| read(n, cx))
        .collect()
}

/// One of a fixed set of names.
pub(crate) fn choice<T: Choice>(node: &Node, key: &str, cx: &mut Ctx) -> Option<Spanned<T>> {
    let Kind::Scalar(s, _) = &node.kind else {
        cx.error(
            Code::WrongType,
            node.span,
            format!(
                "`{key}` must be one of {}, found {}",
                T::names().join(", "),
                node.describe()
            ),
            format!("write one value, e.g. `{key}: {}`", T::names()[0]),
        );
        return None;
    };
    if let Some(v) = T::from_name(s) {
        return Some(Spanned::new(v, node.span));
    }
    let mut help = format!("use one of: {}", T::names().join(", "));
    if YAML11_BOOLS.contains(&s.as_str()) || node.resolved() == Some(Resolved::Bool) {
        help.push_str(&format!(
            " (older YAML tools read `{s}` as a boolean, so minglu never guesses what it means)"
        ));
    }
    cx.error(
        Code::InvalidValue,
        node.span,
        format!("`{s}` is not a valid `{key}`"),
        help,
    );
    None
}

/// `true` or `false` exactly.
pub(crate) fn boolean(node: &Node, key: &str, cx: &mut Ctx) -> Option<bool> {
    match (&node.kind, node.resolved()) {
        (Kind::Scalar(s, _), Some(Resolved::Bool)) => Some(s.eq_ignore_ascii_case("true")),
        (Kind::Scalar(s, _), Some(Resolved::Str)) if YAML11_BOOLS.contains(&s.as_str()) => {
            cx.error(
                Code::InvalidValue,
                node.span,
                format!("`{key}` must be true or false, found `{s}`"),
                format!("write `{key}: true` or `{key}: false`; YAML 1.2 reads `{s}` as text, not a boolean"),
            );
            None
        }
        _ => {
            cx.error(
                Code::WrongType,
                node.span,
                format!("`{key}` must be true or false, found {}", node.describe()),
                format!("write `{key}: true` or `{key}: false` without quotes"),
            );
            None
        }
    }
}

/// A whole decimal number without leading zeros.
pub(crate) fn integer(node: &Node, key: &str, cx: &mut Ctx) -> Option<i64> {
    let Kind::Scalar(s, _) = &node.kind else {
        cx.error(
            Code::WrongType,
            node.span,
            format!("`{key}` must be a whole number, found {}", node.describe()),
            "write a number such as 20000",
        );
        return None;
    };
    match node.resolved() {
        Some(Resolved::Int) => {}
        Some(Resolved::Str) if s.trim().parse::<i64>().is_ok() => {
            cx.error(
                Code::WrongType,
                node.span,
                format!("`{key}` must be a number, not quoted text"),
                format!("remove the quotes: `{key}: {}`", s.trim()),
            );
            return None;
        }
        _ => {
            cx.error(
                Code::InvalidNumber,
                node.span,
                format!("`{key}` must be a whole number, found {}", node.describe()),
                "write a whole number such as 20000, without units or decimals",
            );
            return None;
        }
    }
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    if digits.len() > 1 && digits.starts_with('0') {
        let help = if digits.starts_with("0x") || digits.starts_with("0o") {
            "write the number in decimal".to_owned()
        } else {
            format!("write it without the leading zero: older YAML reads `{s}` as an octal number")
        };
        cx.error(
            Code::InvalidNumber,
            node.span,
            format!("`{key}` is written `{s}`, which is ambiguous"),
            help,
        );
        return None;
    }
    if let Ok(v) = s.parse::<i64>() {
        return Some(v);
    }
    cx.error(
        Code::InvalidNumber,
        node.span,
        format!("`{key}` is too large"),
        "write a smaller number",
    );
    None
}

/// A `YYYY-MM-DD` date that exists in the calendar.
pub(crate) fn date(node: &Node, key: &str, cx: &mut Ctx) -> Option<Spanned<Date>> {
    let help = "write the date as YYYY-MM-DD, e.g. 2020-05-01";
    let Kind::Scalar(s, _) = &node.kind else {
        cx.error(
            Code::InvalidDate,
            node.span,
            format!("`{key}` must be a date, found {}", node.describe()),
            help,
        );
        return None;
    };
    let parts: Vec<&str> = s.split('-').collect();
    let shaped = parts.len() == 3
        && [4, 2, 2]
            .iter()
            .zip(&parts)
            .all(|(n, p)| p.len() == *n && p.bytes().all(|b| b.is_ascii_digit()));
    if !shaped {
        cx.error(
            Code::InvalidDate,
            node.span,
            format!("`{key}` is `{s}`, which is not a YYYY-MM-DD date"),
            help,
        );
        return None;
    }
    let num = |p: &str| p.parse::<i16>().expect("checked digits");
    let (y, m, d) = (num(parts[0]), num(parts[1]), num(parts[2]));
    if let Some(date) = i8::try_from(m)
        .ok()
        .zip(i8::try_from(d).ok())
        .and_then(|(m, d)| Date::new(y, m, d).ok())
    {
        Some(Spanned::new(date, node.span))
    } else {
        cx.error(
            Code::InvalidDate,
            node.span,
            format!("`{key}` is `{s}`, which is not a real date"),
            "check the month and the day",
        );
        None
    }
}

/// An absolute http(s) URL.
pub(crate) fn url(node: &Node, key: &str, cx: &mut Ctx) -> Option<String> {
    let value = text(node, key, cx)?;
    if is_web_url(&value.value) {
        return Some(value.value);
    }
    cx.error(
        Code::InvalidUrl,
        node.span,
        format!("`{}` is not an absolute http(s) URL", value.value),
        "write the full address, starting with https:// or http://",
    );
    None
}

/// `base_url`: an absolute http(s) URL that every link of the site starts with.
pub(crate) fn base_url(node: &Node, cx: &mut Ctx) -> Option<String> {
    let value = text(node, "base_url", cx)?;
    let Some(problem) = base_url_problem(&value.value) else {
        return Some(value.value);
    };
    cx.error(
        Code::InvalidUrl,
        node.span,
        format!("`base_url` {problem}"),
        "write where the site is published, e.g. https://example.org/registers/ (no ?query, #fragment or user:password@)",
    );
    None
}

/// Why `s` cannot be a site's base URL, or `None` if it can: it must be http(s)
/// with a host, and without query, fragment, credentials, spaces, control
/// characters or characters that would break out of an HTML attribute.
pub fn base_url_problem(s: &str) -> Option<&'static str> {
    let Some(rest) = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
    else {
        return Some("must start with https:// or http://");
    };
    if s.chars()
        .any(|c| c.is_whitespace() || c.is_control() || "\"<>\\^`{|}'".contains(c))
    {
        return Some("contains a space, a control character or one of \" < > \\ ^ ` { | } '");
    }
    if s.contains('?') || s.contains('#') {
        return Some("may not have a ?query or #fragment: every page URL is appended to it");
    }
    let authority = rest.split('/').next().unwrap_or("");
    if authority.is_empty() {
        return Some("has no host");
    }
    if authority.contains('@') {
        return Some(
            "may not contain a user name or password (user:password@): it would be published on every page",
        );
    }
    None
}

/// Whether `s` is an absolute `http://` or `https://` URL with a host and no spaces.
pub fn is_web_url(s: &str) -> bool {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    rest.is_some_and(|r| {
        let host = r.split(['/', '?', '#']).next().unwrap_or("");
        !host.is_empty() && !s.chars().any(|c| c.is_whitespace() || c.is_control())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::yaml;

    fn field(src: &str) -> (Option<Node>, Ctx) {
        let mut cx = Ctx::new(FileId(0));
        let node = yaml::parse(src, FileId(0), &mut cx.diags).expect("parses");
        let Kind::Map(mut entries) = node.kind else {
            panic!("mapping")
        };
        (entries.pop().map(|(_, v)| v), cx)
    }

    #[test]
    fn numbers_are_not_text() {
        let (node, mut cx) = field("phone: 110\n");
        assert!(text(&node.expect("value"), "phone", &mut cx).is_none());
        assert_eq!(
            cx.diags[0].help.as_deref(),
            Some("quote it: `phone: \"110\"`")
        );
    }

    #[test]
    fn yaml11_booleans_are_not_verdicts() {
        let (node, mut cx) = field("verdict: no\n");
        assert!(
            choice::<crate::model::Verdict>(&node.expect("value"), "verdict", &mut cx).is_none()
        );
        assert_eq!(cx.diags[0].code, Code::InvalidValue);
        assert!(
            cx.diags[0]
                .help
                .as_deref()
                .is_some_and(|h| h.contains("boolean"))
        );
    }

    #[test]
    fn dates_must_exist() {
        for (src, ok) in [
            ("d: 2020-02-29\n", true),
            ("d: 2021-02-29\n", false),
            ("d: \"2020-05-01\"\n", true),
            ("d: 2020/05/01\n", false),
            ("d: 2020-5-1\n", false),
        ] {
            let (node, mut cx) = field(src);
            assert_eq!(
                date(&node.expect("value"), "d", &mut cx).is_some(),
                ok,
                "{src}"
            );
        }
    }

    #[test]
    fn leading_zeros_are_ambiguous() {
        for (src, want) in [
            ("n: 12\n", Some(12)),
            ("n: 012\n", None),
            ("n: \"12\"\n", None),
            ("n: 1.5\n", None),
            ("n: -3\n", Some(-3)),
        ] {
            let (node, mut cx) = field(src);
            assert_eq!(integer(&node.expect("value"), "n", &mut cx), want, "{src}");
        }
    }

    #[test]
    fn urls() {
        assert!(is_web_url("https://example.org/a b").eq(&false));
        assert!(is_web_url("http://x.cn"));
        assert!(!is_web_url("javascript:alert(1)"));
        assert!(!is_web_url("www.gov.cn"));
        assert!(!is_web_url("https://"));
    }
}
