//! YAML → a small tree of spanned nodes, with YAML 1.2 core-schema meaning.
//!
//! minglu reads YAML through `granit-parser`'s event stream (the parser under
//! serde-saphyr) and builds its own tree, so that it can report *every* problem
//! in a file with its exact position rather than stopping at the first, and so
//! that it sees how each scalar was written (plain or quoted). Aliases are
//! refused outright: no expansion ever happens, so a "billion laughs" file costs
//! nothing. Nesting depth is bounded.

use granit_parser::{ErrorKind, Event, Parser, ScalarStyle, ScanError, StructureStyle};

use crate::diagnostic::{Code, Diagnostic, FileId, Span, Text};
use crate::t;
use crate::text_safety::is_forbidden_control;

/// Maximum nesting of collections; real content uses less than 6.
const MAX_DEPTH: usize = 64;

/// How a scalar was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Style {
    /// Unquoted: its meaning depends on the YAML schema.
    Plain,
    /// Quoted or a block scalar (`|`, `>`): always a string.
    Quoted,
}

/// A YAML node with its span.
#[derive(Clone, Debug)]
pub(crate) struct Node {
    pub(crate) kind: Kind,
    pub(crate) span: Span,
}

/// The three node kinds of YAML.
#[derive(Clone, Debug)]
pub(crate) enum Kind {
    Scalar(String, Style),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

/// What a plain scalar means under the YAML 1.2 core schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Resolved {
    Null,
    Bool,
    Int,
    Float,
    Str,
}

impl Node {
    /// The core-schema type of this node if it is a scalar.
    pub(crate) fn resolved(&self) -> Option<Resolved> {
        match &self.kind {
            Kind::Scalar(text, Style::Plain) => Some(resolve_plain(text)),
            Kind::Scalar(_, Style::Quoted) => Some(Resolved::Str),
            _ => None,
        }
    }

    /// Whether this node is YAML null (`~`, `null`, or nothing).
    pub(crate) fn is_null(&self) -> bool {
        self.resolved() == Some(Resolved::Null)
    }

    /// A short description of what the node is, for "expected X, found Y".
    pub(crate) fn describe(&self) -> Text {
        match (&self.kind, self.resolved()) {
            (Kind::Seq(_), _) => t!(en: "a list", zh: "列表"),
            (Kind::Map(_), _) => t!(en: "a mapping", zh: "映射（“字段: 值”的组合）"),
            (_, Some(Resolved::Null)) => t!(en: "nothing (an empty value)", zh: "空值"),
            (Kind::Scalar(v, _), Some(Resolved::Bool)) => {
                t!(en: "the boolean `{v}`", zh: "布尔值 `{v}`")
            }
            (Kind::Scalar(v, _), Some(Resolved::Int | Resolved::Float)) => {
                t!(en: "the number `{v}`", zh: "数字 `{v}`")
            }
            (Kind::Scalar(v, _), _) => t!(en: "the text `{v}`", zh: "文本 `{v}`"),
        }
    }
}

/// Classifies a plain scalar by the YAML 1.2 core schema (§10.3.2).
pub(crate) fn resolve_plain(s: &str) -> Resolved {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Resolved::Null,
        "true" | "True" | "TRUE" | "false" | "False" | "FALSE" => return Resolved::Bool,
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" | "-.inf" | "-.Inf" | "-.INF"
        | ".nan" | ".NaN" | ".NAN" => return Resolved::Float,
        _ => {}
    }
    let unsigned = s.strip_prefix(['-', '+']).unwrap_or(s);
    let all = |t: &str, f: fn(char) -> bool| !t.is_empty() && t.chars().all(f);
    if all(unsigned, |c| c.is_ascii_digit())
        || s.strip_prefix("0o")
            .is_some_and(|t| all(t, |c| ('0'..='7').contains(&c)))
        || s.strip_prefix("0x")
            .is_some_and(|t| all(t, |c| c.is_ascii_hexdigit()))
    {
        return Resolved::Int;
    }
    if is_core_float(unsigned) {
        return Resolved::Float;
    }
    Resolved::Str
}

fn is_core_float(s: &str) -> bool {
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let digits = |t: &str| t.chars().all(|c| c.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some((int, frac)) => digits(int) && digits(frac) && !(int.is_empty() && frac.is_empty()),
        None => !mantissa.is_empty() && digits(mantissa),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    mantissa_ok && exponent_ok && (mantissa.contains('.') || exponent.is_some())
}

/// Parses one YAML document. Returns `None` (with diagnostics) if it does not parse.
/// An empty file is a null document.
pub(crate) fn parse(src: &str, file: FileId, diags: &mut Vec<Diagnostic>) -> Option<Node> {
    let mut builder = Builder {
        stack: Vec::new(),
        flows: Vec::new(),
        root: None,
        documents: 0,
        diags: Vec::new(),
    };
    for event in Parser::new_from_str(src) {
        let (event, span) = match event {
            Ok(e) => e,
            Err(e) => {
                let mut d = syntax_error(&e, file);
                if let Some((open, bracket)) = builder.innermost_flow()
                    && d.code == Code::YamlSyntax
                    && d.span
                        .is_some_and(|s| s.line != open.line || s.col != open.col)
                {
                    d = d.with_related(
                        open,
                        t!(
                            en: "the `{bracket}` opened here is not closed",
                            zh: "这里的 `{bracket}` 没有对应的闭合括号"
                        ),
                    );
                }
                diags.push(d);
                return None;
            }
        };
        let span = convert_span(file, &span);
        if let Err(d) = builder.event(event, span) {
            diags.push(d);
            return None;
        }
    }
    diags.append(&mut builder.diags);
    Some(builder.root.unwrap_or(Node {
        kind: Kind::Scalar(String::new(), Style::Plain),
        span: Span::file_start(file),
    }))
}

fn syntax_error(e: &ScanError, file: FileId) -> Diagnostic {
    let m = e.marker();
    let offset = m.byte_offset().unwrap_or(0);
    let span = Span {
        file,
        line: u32::try_from(m.line()).unwrap_or(u32::MAX),
        col: u32::try_from(m.col() + 1).unwrap_or(u32::MAX),
        start: u32::try_from(offset).unwrap_or(u32::MAX),
        end: u32::try_from(offset).unwrap_or(u32::MAX),
    };
    if matches!(e.kind(), ErrorKind::UnknownAnchor) {
        return alias_refused(span);
    }
    let kind = e.kind().to_string();
    let zh = syntax_zh(e.kind()).map_or_else(
        || format!("YAML 格式有误（解析器原文：`{kind}`）"),
        |what| format!("YAML 格式有误：{what}"),
    );
    Diagnostic::error(Code::YamlSyntax, span, Text::new(format!("invalid YAML: {kind}"), zh)).with_help(t!(
        en: "check the indentation and brackets here; quote text that contains `: `, `#` or starts with [ {{ * & ! | > % @",
        zh: "请检查此处的缩进和括号；文字中含有 `: `、`#`，或以 [ {{ * & ! | > % @ 开头时，请给它加上引号"
    ))
}

/// The common YAML syntax errors in Chinese; the rest are shown with the
/// parser's own (English) words in backticks.
fn syntax_zh(kind: &ErrorKind) -> Option<&'static str> {
    Some(match kind {
        ErrorKind::InvalidColonPlacement => "冒号 `:` 的位置不对",
        ErrorKind::MappingValueNotAllowed => "此处不能出现“字段: 值”",
        ErrorKind::InvalidMappingValueWhitespace => "冒号 `:` 后面应有一个空格",
        ErrorKind::UnclosedQuotedScalar => "引号没有闭合",
        ErrorKind::UnclosedFlowCollection { .. } => "括号没有闭合",
        ErrorKind::MisplacedFlowCollectionEnd | ErrorKind::MismatchedFlowCollectionEnd { .. } => {
            "括号不配对"
        }
        ErrorKind::ExpectedFlowSequenceSeparator => "方括号列表中应有逗号 `,` 或闭合的 `]`",
        ErrorKind::ExpectedFlowMappingSeparator => "花括号中应有逗号 `,` 或闭合的 `}`",
        ErrorKind::ExpectedBlockMappingKey => "此处应是一个字段名，请检查缩进",
        ErrorKind::ExpectedBlockSequenceEntry => "此处应是以 `-` 开头的列表项，请检查缩进",
        ErrorKind::InvalidIndentation | ErrorKind::InvalidFlowScalarIndent => "缩进不正确",
        ErrorKind::TabNotAllowed
        | ErrorKind::TabInIndentation
        | ErrorKind::TabInBlockIndentation => "不能用制表符（Tab）缩进，请改用空格",
        ErrorKind::SimpleKeyExpected | ErrorKind::InvalidSimpleKey => "字段名后缺少冒号 `:`",
        ErrorKind::UnexpectedEof
        | ErrorKind::UnexpectedEofFlowSequence
        | ErrorKind::UnexpectedEofFlowMapping
        | ErrorKind::UnexpectedEofImplicitFlowMapping
        | ErrorKind::UnexpectedEofBlockSequence
        | ErrorKind::UnexpectedEofBlockMapping => "文件意外结束，可能有括号或引号没有闭合",
        ErrorKind::ExpectedNodeContent => "此处缺少内容",
        ErrorKind::UnknownQuotedScalarEscape | ErrorKind::InvalidQuotedScalarHexEscape => {
            "双引号中的反斜杠 `\\` 转义写法无效"
        }
        ErrorKind::BlockEntryInFlowCollection | ErrorKind::BlockSequenceEntryNotAllowed => {
            "此处不能使用以 `-` 开头的列表项"
        }
        ErrorKind::MappingKeyNotAllowed => "此处不能出现字段名",
        _ => return None,
    })
}

fn second_document(span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::YamlSyntax,
        span,
        t!(
            en: "a second YAML document (`---`) in one file",
            zh: "一个文件中出现了第二个 YAML 文档（`---`）"
        ),
    )
    .with_help(t!(
        en: "each content file holds exactly one document: remove the `---` line and what follows, or move it to its own file",
        zh: "每个内容文件只能有一个文档：请删除 `---` 这一行及其后的内容，或把它移到单独的文件中"
    ))
}

fn tag_refused(span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::YamlSyntax,
        span,
        t!(
            en: "YAML tags (`!!int`, `!custom` …) are not supported",
            zh: "不支持 YAML 标签（`!!int`、`!custom` 等）"
        ),
    )
    .with_help(t!(
        en: "remove the tag; quote the value if it is text",
        zh: "请删除标签；如果值是文字，请加上引号"
    ))
}

fn alias_refused(span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::YamlAlias,
        span,
        t!(
            en: "YAML aliases (`*name`) are not allowed in minglu content",
            zh: "minglu 的内容文件不允许使用 YAML 别名（`*name`）"
        ),
    )
    .with_help(t!(
        en: "write the value out in full instead of referring to an anchor",
        zh: "请在使用处把内容完整写出，不要引用锚点"
    ))
}

fn convert_span(file: FileId, s: &granit_parser::Span) -> Span {
    let start = s.start.byte_offset().unwrap_or(0);
    let end = s.end.byte_offset().unwrap_or(start);
    Span {
        file,
        line: u32::try_from(s.start.line()).unwrap_or(u32::MAX),
        col: u32::try_from(s.start.col() + 1).unwrap_or(u32::MAX),
        start: u32::try_from(start).unwrap_or(u32::MAX),
        end: u32::try_from(end.max(start)).unwrap_or(u32::MAX),
    }
}

enum Frame {
    Seq(Vec<Node>, Span),
    Map(Vec<(Node, Node)>, Option<Node>, Span),
}

struct Builder {
    stack: Vec<Frame>,
    /// Spans of the open flow collections (`[` or `{`), innermost last.
    flows: Vec<(Span, char, usize)>,
    root: Option<Node>,
    documents: usize,
    /// Problems that do not stop the parse.
    diags: Vec<Diagnostic>,
}

impl Builder {
    fn event(&mut self, event: Event<'_>, span: Span) -> Result<(), Diagnostic> {
        if event.anchor_id().is_some() && !matches!(event, Event::Anchor(..)) {
            return Err(Diagnostic::error(
                Code::YamlAlias,
                span,
                t!(
                    en: "YAML anchors (`&name`) are not allowed in minglu content",
                    zh: "minglu 的内容文件不允许使用 YAML 锚点（`&name`）"
                ),
            )
            .with_help(t!(
                en: "remove the `&name` anchor: every value is written out in full where it is used",
                zh: "请删除 `&name` 锚点：每个值都在使用处完整写出"
            )));
        }
        match event {
            Event::DocumentStart(..) => {
                self.documents += 1;
                if self.documents > 1 {
                    return Err(second_document(span));
                }
            }
            Event::Alias(_) | Event::UnresolvedAlias(_) => {
                return Err(alias_refused(span));
            }
            Event::Scalar(text, style, _, tag) => {
                let style = match (style, tag.as_deref().map(|t| (t.handle(), t.suffix()))) {
                    (_, Some(("tag:yaml.org,2002:", "str"))) => Style::Quoted,
                    (_, Some(_)) => {
                        return Err(tag_refused(span));
                    }
                    (ScalarStyle::Plain, None) => Style::Plain,
                    _ => Style::Quoted,
                };
                self.refuse_controls(&text, span);
                self.node(Node {
                    kind: Kind::Scalar(text.into_owned(), style),
                    span,
                })?;
            }
            Event::SequenceStart(style, ..) => {
                if style == StructureStyle::Flow {
                    self.flows.push((span, '[', self.stack.len()));
                }
                self.open(Frame::Seq(Vec::new(), span), span)?;
            }
            Event::MappingStart(style, ..) => {
                if style == StructureStyle::Flow {
                    self.flows.push((span, '{', self.stack.len()));
                }
                self.open(Frame::Map(Vec::new(), None, span), span)?;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let frame = self.stack.pop().expect("parser balances collection events");
                if self.flows.last().is_some_and(|f| f.2 == self.stack.len()) {
                    self.flows.pop();
                }
                let node = match frame {
                    Frame::Seq(items, start) => Node {
                        kind: Kind::Seq(items),
                        span: start,
                    },
                    Frame::Map(entries, _, start) => Node {
                        kind: Kind::Map(entries),
                        span: start,
                    },
                };
                self.node(node)?;
            }
            _ => {}
        }
        Ok(())
    }

    /// Control characters that reached a scalar through an escape (`"\e"`,
    /// `"\x1b"`): raw ones are refused when the file is decoded. A key may hold
    /// none at all (not even a line feed, which could forge a CI log line).
    fn refuse_controls(&mut self, text: &str, span: Span) {
        let is_key = matches!(self.stack.last(), Some(Frame::Map(_, None, _)));
        let bad = text
            .chars()
            .find(|&c| is_forbidden_control(c) || (is_key && c.is_control()));
        if let Some(c) = bad {
            let name = crate::content::source::control_name(c);
            let (ne, nz) = (name.en, name.zh);
            let message = if is_key {
                t!(en: "control character {ne} in this key", zh: "这个字段名中有控制字符 {nz}")
            } else {
                t!(en: "control character {ne} in this value", zh: "这个值中有控制字符 {nz}")
            };
            self.diags.push(
                Diagnostic::error(Code::ControlCharacter, span, message).with_help(t!(
                    en: "remove the escape sequence that produces it: control characters are invisible in review but act in terminals and CI logs",
                    zh: "请删除产生它的转义序列：控制字符在审阅时看不见，却会在终端和 CI 日志中起作用"
                )),
            );
        }
    }

    fn innermost_flow(&self) -> Option<(Span, char)> {
        self.flows.last().map(|(s, c, _)| (*s, *c))
    }

    fn open(&mut self, frame: Frame, span: Span) -> Result<(), Diagnostic> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(Diagnostic::error(
                Code::YamlSyntax,
                span,
                t!(
                    en: "nesting deeper than {MAX_DEPTH} levels",
                    zh: "嵌套超过了 {MAX_DEPTH} 层"
                ),
            )
            .with_help(t!(
                en: "content files never need this much nesting; check the brackets and indentation",
                zh: "内容文件不需要这么深的嵌套；请检查括号和缩进"
            )));
        }
        self.stack.push(frame);
        Ok(())
    }

    fn node(&mut self, node: Node) -> Result<(), Diagnostic> {
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq(items, _)) => items.push(node),
            Some(Frame::Map(entries, pending, _)) => match pending.take() {
                None => {
                    if !matches!(node.kind, Kind::Scalar(..)) {
                        return Err(Diagnostic::error(
                            Code::YamlSyntax,
                            node.span,
                            t!(en: "a mapping key must be plain text", zh: "字段名只能是普通文字"),
                        )
                        .with_help(t!(
                            en: "keys are field names such as `title:`; lists and mappings cannot be keys",
                            zh: "字段名是像 `title:` 这样的名称；列表和映射不能作字段名"
                        )));
                    }
                    *pending = Some(node);
                }
                Some(key) => entries.push((key, node)),
            },
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(src: &str) -> Node {
        let mut diags = Vec::new();
        let node = parse(src, FileId(0), &mut diags);
        assert!(diags.is_empty(), "{diags:?}");
        node.expect("parses")
    }

    #[test]
    fn core_schema_resolution() {
        for (s, r) in [
            ("no", Resolved::Str),
            ("yes", Resolved::Str),
            ("on", Resolved::Str),
            ("012", Resolved::Int),
            ("0x1F", Resolved::Int),
            ("1.5", Resolved::Float),
            ("1e3", Resolved::Float),
            (".5", Resolved::Float),
            ("2015-01-10", Resolved::Str),
            ("0512-65220000", Resolved::Str),
            ("~", Resolved::Null),
            ("", Resolved::Null),
            ("True", Resolved::Bool),
            ("1:20", Resolved::Str),
            ("-", Resolved::Str),
            (".", Resolved::Str),
        ] {
            assert_eq!(resolve_plain(s), r, "{s}");
        }
    }

    #[test]
    fn spans_count_characters_and_bytes() {
        let node = parse_ok("中文: 值\nkey: [a, \"b\"]\n");
        let Kind::Map(entries) = node.kind else {
            panic!("mapping")
        };
        let value = &entries[0].1;
        assert_eq!(
            (value.span.line, value.span.col, value.span.start),
            (1, 5, 8)
        );
        let Kind::Seq(items) = &entries[1].1.kind else {
            panic!("seq")
        };
        assert_eq!(items[1].resolved(), Some(Resolved::Str));
        assert_eq!((items[1].span.line, items[1].span.col), (2, 10));
    }

    #[test]
    fn aliases_are_refused_without_expansion() {
        let mut src = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..20 {
            let prev = if i == 0 {
                "a".to_owned()
            } else {
                format!("l{}", i - 1)
            };
            src.push_str(&format!("l{i}: &l{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        }
        let mut diags = Vec::new();
        assert!(parse(&src, FileId(0), &mut diags).is_none());
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].code, Code::YamlAlias);
        // The first anchor already stops the parse, before any alias is expanded.
        assert_eq!(diags[0].span.map(|s| s.line), Some(1));
    }

    #[test]
    fn an_anchor_without_an_alias_is_refused() {
        for src in ["materials: &m\n  - a\n", "a: &x 1\n", "a: &m {b: 1}\n"] {
            let mut diags = Vec::new();
            assert!(parse(src, FileId(0), &mut diags).is_none(), "{src}");
            assert_eq!(diags[0].code, Code::YamlAlias);
            assert!(diags[0].message.en.contains("anchors"), "{src}");
            assert!(diags[0].message.zh.contains("锚点"), "{src}");
        }
    }

    #[test]
    fn escaped_control_characters_are_reported_and_parsing_goes_on() {
        let mut diags = Vec::new();
        let node = parse(
            "\"k\\n::error::x\": 1\nt: \"a\\eb\"\nu: \"ok\\tok\"\n",
            FileId(0),
            &mut diags,
        );
        assert!(node.is_some());
        let codes: Vec<_> = diags
            .iter()
            .map(|d| (d.code, d.span.map(|s| s.line)))
            .collect();
        assert_eq!(
            codes,
            [
                (Code::ControlCharacter, Some(1)),
                (Code::ControlCharacter, Some(2))
            ]
        );
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let src = format!("a: {}{}\n", "[".repeat(200), "]".repeat(200));
        let mut diags = Vec::new();
        assert!(parse(&src, FileId(0), &mut diags).is_none());
        assert_eq!(diags.len(), 1);
    }

    #[test]
    fn crlf_and_block_scalars() {
        let node = parse_ok("a: |\r\n  x\r\n  y\r\nb: 1\r\n");
        let Kind::Map(entries) = node.kind else {
            panic!("mapping")
        };
        let Kind::Scalar(text, Style::Quoted) = &entries[0].1.kind else {
            panic!("scalar")
        };
        assert_eq!(text, "x\ny\n");
    }
}
