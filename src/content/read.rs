//! Typed reading of YAML nodes, collecting a diagnostic for every problem.
//!
//! Each function reads one value and returns `None` after reporting what is
//! wrong, so one file can produce many diagnostics. Nothing is ever converted
//! silently: a string field given `110` or `true` is an error that says to
//! quote it, and an enum field given `no` says why YAML 1.1 tools would have
//! read it as false.

use jiff::civil::Date;

use super::yaml::{Kind, Node, Resolved};
use crate::diagnostic::{Code, Diagnostic, FileId, Noun, Span, Spanned, Text, code_list};
use crate::model::Choice;
use crate::t;

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

    pub(crate) fn error(&mut self, code: Code, span: Span, message: Text, help: Text) {
        self.diags
            .push(Diagnostic::error(code, span, message).with_help(help));
    }
}

/// The known fields of one mapping, with unknown and duplicate keys already reported.
pub(crate) struct Fields<'n> {
    pub(crate) span: Span,
    what: Noun,
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
        what: Noun,
        allowed: &[&'static str],
        cx: &mut Ctx,
    ) -> Option<Self> {
        let Kind::Map(entries) = &node.kind else {
            let (found, names, zh_names) =
                (node.describe(), allowed.join(", "), code_list(allowed));
            let (we, wz, fe, fz) = (what.en, what.zh, found.en, found.zh);
            cx.error(
                Code::WrongType,
                node.span,
                t!(
                    en: "{we} must be a mapping of `field: value` lines, found {fe}",
                    zh: "{wz}应由“字段: 值”各行组成，实际为{fz}"
                ),
                t!(
                    en: "write one `field: value` per line; fields: {names}",
                    zh: "每行写一个“字段: 值”；可用的字段有：{zh_names}"
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
                let (we, wz) = (what.en, what.zh);
                cx.push(
                    Diagnostic::error(
                        Code::DuplicateKey,
                        key.span,
                        t!(en: "`{name}` appears twice in {we}", zh: "{wz}中 `{name}` 出现了两次"),
                    )
                    .with_help(t!(
                        en: "delete one of the two; a field may be given only once",
                        zh: "删除其中一处：同一字段只能写一次"
                    ))
                    .with_related(*first, t!(en: "first given here", zh: "第一次出现在这里")),
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
                    t!(en: "`{key}` has no value", zh: "`{key}` 没有填写内容"),
                    t!(en: "give `{key}` a value", zh: "请为 `{key}` 填写内容"),
                );
                None
            }
            None if self.suggested.contains(&key) => None,
            None => {
                let (we, wz) = (self.what.en, self.what.zh);
                cx.error(
                    Code::MissingField,
                    self.span,
                    t!(
                        en: "{we} is missing the required field `{key}`",
                        zh: "{wz}缺少必填字段 `{key}`"
                    ),
                    t!(en: "add a line `{key}: …`", zh: "请添加一行 `{key}: …`"),
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
                t!(en: "`{key}` is empty", zh: "`{key}` 的内容为空"),
                t!(en: "give `{key}` a value", zh: "请为 `{key}` 填写内容"),
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
            t!(en: "`{key}` is {value}, but it cannot be negative", zh: "`{key}` 为 {value}，但不能为负数"),
            t!(en: "write 0 or a positive whole number", zh: "请填写 0 或正整数"),
        );
        None
    }
}

/// The entries of a mapping keyed by ids (`departments.yaml`, `reasons`): each id
/// once, with its span. A repeated id and a value that is not a mapping are reported.
pub(crate) fn id_entries<'n>(
    node: &'n Node,
    what: Noun,
    help: &Text,
    cx: &mut Ctx,
) -> Vec<(&'n str, Span, &'n Node)> {
    let (we, wz) = (what.en, what.zh);
    let Kind::Map(entries) = &node.kind else {
        if !node.is_null() {
            let found = node.describe();
            let (fe, fz) = (found.en, found.zh);
            cx.error(
                Code::WrongType,
                node.span,
                t!(
                    en: "{we} must map ids to values, found {fe}",
                    zh: "{wz}应为“编号: 内容”形式，实际为{fz}"
                ),
                help.clone(),
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
                    t!(en: "`{id}` appears twice in {we}", zh: "{wz}中 `{id}` 出现了两次"),
                )
                .with_help(t!(en: "delete one of the two", zh: "删除其中一处"))
                .with_related(*first, t!(en: "first given here", zh: "第一次出现在这里")),
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
    what: Noun,
    allowed: &[&str],
    closest: Option<&str>,
) -> Diagnostic {
    let (we, wz) = (what.en, what.zh);
    let help = if let Some(a) = closest {
        t!(en: "did you mean `{a}`?", zh: "是否应为 `{a}`？")
    } else {
        let (names, zh_names) = (allowed.join(", "), code_list(allowed));
        t!(en: "the fields of {we} are: {names}", zh: "{wz}可用的字段有：{zh_names}")
    };
    Diagnostic::error(
        Code::UnknownField,
        span,
        t!(en: "unknown field `{name}` in {we}", zh: "{wz}中有未知字段 `{name}`"),
    )
    .with_help(help)
}

/// A text value. Quoted scalars, block scalars and plain scalars that YAML 1.2
/// reads as text are accepted; numbers, booleans and collections are not.
pub(crate) fn text(node: &Node, key: &str, cx: &mut Ctx) -> Option<Spanned<String>> {
    match (&node.kind, node.resolved()) {
        (Kind::Scalar(s, _), Some(Resolved::Str)) => Some(Spanned::new(s.clone(), node.span)),
        (
            Kind::Scalar(s, _),
            Some(resolved @ (Resolved::Bool | Resolved::Int | Resolved::Float)),
        ) => {
            let fe = node.describe().en;
            let fz = if resolved == Resolved::Bool {
                "布尔值"
            } else {
                "数字"
            };
            cx.error(
                Code::WrongType,
                node.span,
                t!(
                    en: "`{key}` must be text, but YAML reads `{s}` as {fe}",
                    zh: "`{key}` 应为文本，但 YAML 会把 `{s}` 读作{fz}"
                ),
                t!(en: "quote it: `{key}: \"{s}\"`", zh: "请加上引号：`{key}: \"{s}\"`"),
            );
            None
        }
        _ => {
            let found = node.describe();
            let (fe, fz) = (found.en, found.zh);
            cx.error(
                Code::WrongType,
                node.span,
                t!(en: "`{key}` must be text, found {fe}", zh: "`{key}` 应为文本，实际为{fz}"),
                t!(
                    en: "write the text after the colon on one line, or use `|` for several lines",
                    zh: "请把文字写在冒号后的同一行；多行文字请使用 `|`"
                ),
            );
            None
        }
    }
}

fn seq<'n>(node: &'n Node, key: &str, cx: &mut Ctx) -> &'n [Node] {
    if let Kind::Seq(items) = &node.kind {
        return items;
    }
    let found = node.describe();
    let (fe, fz) = (found.en, found.zh);
    cx.error(
        Code::WrongType,
        node.span,
        t!(en: "`{key}` must be a list, found {fe}", zh: "`{key}` 应为列表，实际为{fz}"),
        t!(
            en: "write `{key}: [a, b]` or one `- item` per line",
            zh: "请写成 `{key}: [a, b]`，或每行一个 `- 项目`"
        ),
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
    let (names, zh_names) = (T::names().join(", "), code_list(&T::names()));
    let Kind::Scalar(s, _) = &node.kind else {
        let (found, first) = (node.describe(), T::names()[0]);
        let (fe, fz) = (found.en, found.zh);
        cx.error(
            Code::WrongType,
            node.span,
            t!(en: "`{key}` must be one of {names}, found {fe}", zh: "`{key}` 应为 {zh_names} 之一，实际为{fz}"),
            t!(en: "write one value, e.g. `{key}: {first}`", zh: "请只写一个值，例如 `{key}: {first}`"),
        );
        return None;
    };
    if let Some(v) = T::from_name(s) {
        return Some(Spanned::new(v, node.span));
    }
    let help = if YAML11_BOOLS.contains(&s.as_str()) || node.resolved() == Some(Resolved::Bool) {
        t!(
            en: "use one of: {names} (older YAML tools read `{s}` as a boolean, so minglu never guesses what it means)",
            zh: "请改为以下值之一：{zh_names}（旧版 YAML 工具会把 `{s}` 读作布尔值“是/否”，minglu 不会猜测它的含义）"
        )
    } else {
        t!(en: "use one of: {names}", zh: "请改为以下值之一：{zh_names}")
    };
    cx.error(
        Code::InvalidValue,
        node.span,
        t!(en: "`{s}` is not a valid `{key}`", zh: "`{s}` 不是有效的 `{key}` 取值"),
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
                t!(en: "`{key}` must be true or false, found `{s}`", zh: "`{key}` 应为 true 或 false，实际为 `{s}`"),
                t!(
                    en: "write `{key}: true` or `{key}: false`; YAML 1.2 reads `{s}` as text, not a boolean",
                    zh: "请写成 `{key}: true` 或 `{key}: false`；YAML 1.2 会把 `{s}` 读作文本，而不是布尔值"
                ),
            );
            None
        }
        _ => {
            let found = node.describe();
            let (fe, fz) = (found.en, found.zh);
            cx.error(
                Code::WrongType,
                node.span,
                t!(en: "`{key}` must be true or false, found {fe}", zh: "`{key}` 应为 true 或 false，实际为{fz}"),
                t!(
                    en: "write `{key}: true` or `{key}: false` without quotes",
                    zh: "请写成 `{key}: true` 或 `{key}: false`，不加引号"
                ),
            );
            None
        }
    }
}

/// A whole decimal number without leading zeros.
pub(crate) fn integer(node: &Node, key: &str, cx: &mut Ctx) -> Option<i64> {
    let found = node.describe();
    let (fe, fz) = (&found.en, &found.zh);
    let Kind::Scalar(s, _) = &node.kind else {
        cx.error(
            Code::WrongType,
            node.span,
            t!(en: "`{key}` must be a whole number, found {fe}", zh: "`{key}` 应为整数，实际为{fz}"),
            t!(en: "write a number such as 20000", zh: "请填写数字，例如 20000"),
        );
        return None;
    };
    match node.resolved() {
        Some(Resolved::Int) => {}
        Some(Resolved::Str) if s.trim().parse::<i64>().is_ok() => {
            let bare = s.trim();
            cx.error(
                Code::WrongType,
                node.span,
                t!(en: "`{key}` must be a number, not quoted text", zh: "`{key}` 应为数字，不能是加了引号的文本"),
                t!(en: "remove the quotes: `{key}: {bare}`", zh: "请去掉引号：`{key}: {bare}`"),
            );
            return None;
        }
        _ => {
            cx.error(
                Code::InvalidNumber,
                node.span,
                t!(en: "`{key}` must be a whole number, found {fe}", zh: "`{key}` 应为整数，实际为{fz}"),
                t!(
                    en: "write a whole number such as 20000, without units or decimals",
                    zh: "请填写整数，例如 20000，不带单位和小数"
                ),
            );
            return None;
        }
    }
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    if digits.len() > 1 && digits.starts_with('0') {
        let help = if digits.starts_with("0x") || digits.starts_with("0o") {
            t!(en: "write the number in decimal", zh: "请用十进制书写这个数")
        } else {
            t!(
                en: "write it without the leading zero: older YAML reads `{s}` as an octal number",
                zh: "请去掉开头的 0：旧版 YAML 会把 `{s}` 读作八进制数"
            )
        };
        cx.error(
            Code::InvalidNumber,
            node.span,
            t!(en: "`{key}` is written `{s}`, which is ambiguous", zh: "`{key}` 写作 `{s}`，含义不明确"),
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
        t!(en: "`{key}` is too large", zh: "`{key}` 的数值过大"),
        t!(en: "write a smaller number", zh: "请填写较小的数"),
    );
    None
}

/// A `YYYY-MM-DD` date that exists in the calendar.
pub(crate) fn date(node: &Node, key: &str, cx: &mut Ctx) -> Option<Spanned<Date>> {
    let help = t!(
        en: "write the date as YYYY-MM-DD, e.g. 2020-05-01",
        zh: "日期格式应为 YYYY-MM-DD，例如 2020-05-01"
    );
    let Kind::Scalar(s, _) = &node.kind else {
        let found = node.describe();
        let (fe, fz) = (found.en, found.zh);
        cx.error(
            Code::InvalidDate,
            node.span,
            t!(en: "`{key}` must be a date, found {fe}", zh: "`{key}` 应为日期，实际为{fz}"),
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
            t!(
                en: "`{key}` is `{s}`, which is not a YYYY-MM-DD date",
                zh: "`{key}` 为 `{s}`，不符合 YYYY-MM-DD 日期格式"
            ),
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
            t!(en: "`{key}` is `{s}`, which is not a real date", zh: "`{key}` 为 `{s}`，日历上没有这一天"),
            t!(en: "check the month and the day", zh: "请核对月份和日期"),
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
    let v = &value.value;
    cx.error(
        Code::InvalidUrl,
        node.span,
        t!(en: "`{v}` is not an absolute http(s) URL", zh: "`{v}` 不是完整的 http(s) 网址"),
        t!(
            en: "write the full address, starting with https:// or http://",
            zh: "请填写以 https:// 或 http:// 开头的完整网址"
        ),
    );
    None
}

/// `base_url`: an absolute http(s) URL that every link of the site starts with.
pub(crate) fn base_url(node: &Node, cx: &mut Ctx) -> Option<String> {
    let value = text(node, "base_url", cx)?;
    let Some(problem) = base_url_problem(&value.value) else {
        return Some(value.value);
    };
    let (pe, pz) = (problem.en, problem.zh);
    cx.error(
        Code::InvalidUrl,
        node.span,
        t!(en: "`base_url` {pe}", zh: "`base_url` {pz}"),
        t!(
            en: "write where the site is published, e.g. https://example.org/registers/ (no ?query, #fragment or user:password@)",
            zh: "请填写网站的发布地址，例如 https://example.org/registers/（不带 ?查询参数、#片段或 user:password@）"
        ),
    );
    None
}

/// Why `s` cannot be a site's base URL, or `None` if it can: it must be http(s)
/// with a host, and without query, fragment, credentials, spaces, control
/// characters or characters that would break out of an HTML attribute.
pub fn base_url_problem(s: &str) -> Option<Noun> {
    let noun = |en, zh| Some(Noun { en, zh });
    let Some(rest) = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
    else {
        return noun(
            "must start with https:// or http://",
            "应以 https:// 或 http:// 开头",
        );
    };
    if s.chars()
        .any(|c| c.is_whitespace() || c.is_control() || "\"<>\\^`{|}'".contains(c))
    {
        return noun(
            "contains a space, a control character or one of \" < > \\ ^ ` { | } '",
            "含有空格、控制字符或 \" < > \\ ^ ` { | } ' 之一",
        );
    }
    if s.contains('?') || s.contains('#') {
        return noun(
            "may not have a ?query or #fragment: every page URL is appended to it",
            "不能带 ?查询参数或 #片段：每个页面的地址都接在它后面",
        );
    }
    let authority = rest.split('/').next().unwrap_or("");
    if authority.is_empty() {
        return noun("has no host", "缺少主机名（域名）");
    }
    if authority.contains('@') {
        return noun(
            "may not contain a user name or password (user:password@): it would be published on every page",
            "不能包含用户名或密码（user:password@）：它会公开在每个页面上",
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
            cx.diags[0].help.as_ref().map(|h| &*h.en),
            Some("quote it: `phone: \"110\"`")
        );
        assert_eq!(
            cx.diags[0].help.as_ref().map(|h| &*h.zh),
            Some("请加上引号：`phone: \"110\"`")
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
                .as_ref()
                .is_some_and(|h| h.en.contains("boolean") && h.zh.contains("布尔值"))
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
