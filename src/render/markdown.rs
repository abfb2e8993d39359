//! Markdown → safe HTML, with the fixes Chinese text needs.
//!
//! pulldown-cmark does the parsing. An event filter then:
//! - turns raw HTML into escaped text, so no markup from content reaches a page;
//! - keeps only links and images with safe schemes (http, https, mailto, tel,
//!   relative); others lose their link and keep their text;
//! - drops a soft line break between two Chinese characters (a newline inside a
//!   Chinese paragraph is not a space);
//! - makes `**强调，**文字` bold, which `CommonMark`'s flanking rules miss when the
//!   closing delimiter follows Chinese punctuation;
//! - links bare http(s) URLs;
//! - shifts headings so a body's top heading sits one level under the page's
//!   (never outranking it, never skipping a level).

use pulldown_cmark::{CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};

/// Renders Markdown to HTML; `heading_offset` levels are added to every heading.
pub fn to_html(markdown: &str, heading_offset: usize) -> String {
    to_html_linked(markdown, heading_offset, &|_| None)
}

/// Renders Markdown to HTML like [`to_html`], and lets `link` replace each run
/// of plain text outside links and code with HTML of its own (which must be
/// escaped: cross-references to other items).
pub fn to_html_linked(
    markdown: &str,
    heading_offset: usize,
    link: &dyn Fn(&str) -> Option<String>,
) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let events: Vec<Event<'_>> = Parser::new_ext(markdown, options).collect();
    // The body's top heading becomes level `heading_offset + 1`, whatever
    // level it was written at, so headings never skip a level (`##` first
    // under the page's h1 becomes h2, not h3).
    let top = events
        .iter()
        .filter_map(|e| match e {
            Event::Start(Tag::Heading { level, .. }) => Some(*level as usize),
            _ => None,
        })
        .min()
        .unwrap_or(1);
    let delta =
        isize::try_from(heading_offset + 1).unwrap_or(6) - isize::try_from(top).unwrap_or(1);
    let events = sanitise(events, delta);
    let events = join_cjk_lines(events);
    let events = merge_text(events);
    let events = inline_fixes(events);
    let events = link_text(events, link);
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    html
}

/// Whether a link target is safe to keep.
pub fn is_safe_url(url: &str) -> bool {
    let url = url.trim();
    let scheme_end = url.find(':');
    let path_start = url.find(['/', '?', '#']);
    match (scheme_end, path_start) {
        (None, _) => true,
        (Some(c), Some(p)) if p < c => true,
        (Some(c), _) => {
            let scheme = url[..c].to_ascii_lowercase();
            matches!(scheme.as_str(), "http" | "https" | "mailto" | "tel")
        }
    }
}

fn shift(level: HeadingLevel, by: isize) -> HeadingLevel {
    let n = usize::try_from(level as isize + by)
        .unwrap_or(1)
        .clamp(1, 6);
    HeadingLevel::try_from(n).unwrap_or(HeadingLevel::H6)
}

fn sanitise(events: Vec<Event<'_>>, heading_offset: isize) -> Vec<Event<'_>> {
    let mut out = Vec::with_capacity(events.len());
    let mut dropped_links = Vec::new();
    let mut in_bad_image = 0usize;
    for event in events {
        match event {
            Event::Html(s) | Event::InlineHtml(s) => out.push(Event::Text(s)),
            Event::Start(Tag::Link { dest_url, .. }) if !is_safe_url(&dest_url) => {
                dropped_links.push(true);
            }
            Event::Start(tag @ Tag::Link { .. }) => {
                dropped_links.push(false);
                out.push(Event::Start(tag));
            }
            Event::End(TagEnd::Link) => {
                if !dropped_links.pop().unwrap_or(false) {
                    out.push(Event::End(TagEnd::Link));
                }
            }
            Event::Start(Tag::Image { dest_url, .. }) if !is_safe_url(&dest_url) => {
                in_bad_image += 1;
            }
            Event::End(TagEnd::Image) if in_bad_image > 0 => in_bad_image -= 1,
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                out.push(Event::Start(Tag::Heading {
                    level: shift(level, heading_offset),
                    id,
                    classes,
                    attrs,
                }));
            }
            Event::End(TagEnd::Heading(level)) => {
                out.push(Event::End(TagEnd::Heading(shift(level, heading_offset))));
            }
            other => out.push(other),
        }
    }
    out
}

/// CJK ideographs, kana, hangul and fullwidth/CJK punctuation.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x2FDF | 0x3000..=0x303F | 0x3040..=0x30FF | 0x3100..=0x312F | 0x31A0..=0x31FF
        | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0xFE30..=0xFE4F
        | 0xFF00..=0xFFEF | 0x20000..=0x2FA1F)
}

fn join_cjk_lines(mut events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    for i in 1..events.len().saturating_sub(1) {
        if !matches!(events[i], Event::SoftBreak) {
            continue;
        }
        // Look through inline tags (`**强调**`) to the nearest text on each side.
        let before = events[..i]
            .iter()
            .rev()
            .take_while(|e| is_text_or_tag(e))
            .find_map(last_char);
        let after = events[i + 1..]
            .iter()
            .take_while(|e| is_text_or_tag(e))
            .find_map(first_char);
        if before.is_some_and(is_cjk) && after.is_some_and(is_cjk) {
            events[i] = Event::Text(CowStr::Borrowed(""));
        }
    }
    events
}

fn is_text_or_tag(e: &Event<'_>) -> bool {
    matches!(
        e,
        Event::Text(_)
            | Event::Code(_)
            | Event::Start(Tag::Strong | Tag::Emphasis | Tag::Link { .. } | Tag::Strikethrough)
            | Event::End(TagEnd::Strong | TagEnd::Emphasis | TagEnd::Link | TagEnd::Strikethrough)
    )
}

fn text_of<'a>(e: &'a Event<'_>) -> Option<&'a str> {
    match e {
        Event::Text(t) | Event::Code(t) => Some(t),
        _ => None,
    }
}

fn last_char(e: &Event<'_>) -> Option<char> {
    text_of(e).and_then(|t| t.chars().next_back())
}

fn first_char(e: &Event<'_>) -> Option<char> {
    text_of(e).and_then(|t| t.chars().next())
}

fn merge_text(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let mut out: Vec<Event<'_>> = Vec::with_capacity(events.len());
    for event in events {
        if let (Some(Event::Text(prev)), Event::Text(next)) = (out.last_mut(), &event) {
            let mut joined = prev.to_string();
            joined.push_str(next);
            *prev = CowStr::from(joined);
            continue;
        }
        out.push(event);
    }
    out
}

fn link_text<'a>(events: Vec<Event<'a>>, link: &dyn Fn(&str) -> Option<String>) -> Vec<Event<'a>> {
    let mut link_depth = 0usize;
    let mut code_depth = 0usize;
    let mut out = Vec::with_capacity(events.len());
    for event in events {
        match event {
            Event::Start(Tag::Link { .. }) => link_depth += 1,
            Event::End(TagEnd::Link) => link_depth = link_depth.saturating_sub(1),
            Event::Start(Tag::CodeBlock(_)) => code_depth += 1,
            Event::End(TagEnd::CodeBlock) => code_depth = code_depth.saturating_sub(1),
            _ => {}
        }
        match event {
            Event::Text(text) if link_depth == 0 && code_depth == 0 => match link(&text) {
                Some(html) => out.push(Event::InlineHtml(html.into())),
                None => out.push(Event::Text(text)),
            },
            other => out.push(other),
        }
    }
    out
}

fn inline_fixes(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    // Text pieces are copied out: they are cut from the event they replace.
    let mut out = Vec::with_capacity(events.len());
    let mut link_depth = 0usize;
    let mut code_depth = 0usize;
    for event in events {
        match event {
            Event::Start(Tag::Link { .. }) => link_depth += 1,
            Event::End(TagEnd::Link) => link_depth = link_depth.saturating_sub(1),
            Event::Start(Tag::CodeBlock(_)) => code_depth += 1,
            Event::End(TagEnd::CodeBlock) => code_depth = code_depth.saturating_sub(1),
            _ => {}
        }
        match event {
            Event::Text(text) if link_depth == 0 && code_depth == 0 => {
                for piece in split_strong(&text) {
                    match piece {
                        Piece::Plain(s) => autolink(s, &mut out),
                        Piece::Strong(s) => {
                            out.push(Event::Start(Tag::Strong));
                            autolink(s, &mut out);
                            out.push(Event::End(TagEnd::Strong));
                        }
                    }
                }
            }
            other => out.push(other),
        }
    }
    out
}

enum Piece<'a> {
    Plain(&'a str),
    Strong(&'a str),
}

/// Splits leftover `**…**` pairs that the parser did not take as emphasis.
fn split_strong(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find("**") {
        let after = &rest[open + 2..];
        let Some(close) = after.find("**") else { break };
        let inner = &after[..close];
        if inner.is_empty() || inner.contains('*') || inner.starts_with(' ') || inner.ends_with(' ')
        {
            out.push(Piece::Plain(&rest[..open + 2]));
            rest = after;
            continue;
        }
        out.push(Piece::Plain(&rest[..open]));
        out.push(Piece::Strong(inner));
        rest = &after[close + 2..];
    }
    out.push(Piece::Plain(rest));
    out
}

fn autolink(text: &str, out: &mut Vec<Event<'_>>) {
    let mut rest = text;
    while let Some(start) = find_url(rest) {
        let tail = &rest[start..];
        let end = tail
            .find(|c: char| c.is_whitespace() || is_cjk(c) || "<>\"'()[]{}".contains(c))
            .unwrap_or(tail.len());
        let url = tail[..end].trim_end_matches(['.', ',', ';', ':', '!', '?']);
        if url.len() <= "https://".len() {
            out.push(Event::Text(owned(&rest[..start + url.len().max(1)])));
            rest = &rest[start + url.len().max(1)..];
            continue;
        }
        if start > 0 {
            out.push(Event::Text(owned(&rest[..start])));
        }
        out.push(Event::Start(Tag::Link {
            link_type: LinkType::Autolink,
            dest_url: owned(url),
            title: CowStr::Borrowed(""),
            id: CowStr::Borrowed(""),
        }));
        out.push(Event::Text(owned(url)));
        out.push(Event::End(TagEnd::Link));
        rest = &rest[start + url.len()..];
    }
    if !rest.is_empty() {
        out.push(Event::Text(owned(rest)));
    }
}

fn owned(s: &str) -> CowStr<'static> {
    CowStr::from(s.to_owned())
}

fn find_url(s: &str) -> Option<usize> {
    match (s.find("https://"), s.find("http://")) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_is_escaped() {
        let html = to_html("社区**不能**认定。<script>alert(\"x\")</script>\n", 0);
        assert!(!html.contains("<script"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        let block = to_html("<div onclick=\"x()\">hi</div>\n", 0);
        assert!(!block.contains("<div"), "{block}");
    }

    #[test]
    fn unsafe_links_lose_their_link() {
        let html = to_html(
            "[点我](javascript:alert(1)) [官网](https://www.gov.cn/) [本站](../stamp/)",
            0,
        );
        assert!(!html.contains("javascript"), "{html}");
        assert!(html.contains("点我"));
        assert!(html.contains("href=\"https://www.gov.cn/\""));
        assert!(html.contains("href=\"../stamp/\""));
        let image = to_html("![x](data:image/png;base64,AAA)", 0);
        assert!(!image.contains("<img"), "{image}");
    }

    #[test]
    fn chinese_soft_breaks_join() {
        assert_eq!(to_html("第一行\n第二行", 0), "<p>第一行第二行</p>\n");
        assert_eq!(
            to_html("line one\nline two", 0),
            "<p>line one\nline two</p>\n"
        );
    }

    #[test]
    fn cjk_strong_after_punctuation() {
        assert_eq!(to_html("**真，**她", 0), "<p><strong>真，</strong>她</p>\n");
        assert_eq!(
            to_html("**新增**不予出具", 0),
            "<p><strong>新增</strong>不予出具</p>\n"
        );
    }

    #[test]
    fn bare_urls_are_linked() {
        let html = to_html("见 https://www.gov.cn/xinwen/2020-04/28/content_1.htm。", 0);
        assert!(
            html.contains("<a href=\"https://www.gov.cn/xinwen/2020-04/28/content_1.htm\">"),
            "{html}"
        );
        assert!(html.ends_with("</a>。</p>\n"), "{html}");
    }

    #[test]
    fn headings_shift() {
        assert_eq!(to_html("# 标题", 2), "<h3>标题</h3>\n");
        assert_eq!(
            to_html("##### 标题", 2),
            "<h3>标题</h3>\n",
            "no skipped levels"
        );
        assert_eq!(to_html("## 一\n\n### 二", 1), "<h2>一</h2>\n<h3>二</h3>\n");
        assert_eq!(
            to_html("# 一\n\n###### 二", 2),
            "<h3>一</h3>\n<h6>二</h6>\n"
        );
    }

    #[test]
    fn tables_render() {
        assert!(to_html("| a | b |\n|---|---|\n| 1 | 2 |\n", 0).contains("<table>"));
    }
}
