//! The live-reload script and the error overlay it shows.
//!
//! Part of `serve`. The script is added to HTML responses at serve time only
//! ([`inject`]); built sites never contain it. Diagnostics reach the browser as
//! JSON (the same text as the terminal, without colour) and the script shows them
//! with `textContent`, never as HTML: content is hostile, and a diagnostic quotes it.

use serde::Serialize;

use crate::Report;
use crate::diagnostic::Lang;
use crate::diagnostic::render::{self as diag_render, Sources};
use crate::t;

/// Where the script is served.
pub const SCRIPT_PATH: &str = "/__minglu/live.js";

/// The live-reload script: listens for `reload`, `overlay` and `clear` events.
pub const SCRIPT: &str = r#"(function () {
  "use strict";
  var me = document.currentScript;
  var since = me ? me.getAttribute("data-generation") : "0";
  var url = "/__minglu/events?page=" + encodeURIComponent(location.pathname) + "&since=" + since;
  var box = null;
  function clear() {
    if (box) { box.remove(); box = null; }
  }
  function show(p) {
    clear();
    box = document.createElement("div");
    box.id = "minglu-overlay";
    box.setAttribute("role", "alert");
    box.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;" +
      "background:rgba(20,20,20,.94);color:#f4f4f4;padding:1.5rem;font:14px/1.5 monospace";
    var title = document.createElement("p");
    title.style.cssText = "font-weight:bold;color:#ff8a80;margin:0 0 1rem";
    title.textContent = p.title + " (" + p.summary + ")";
    var pre = document.createElement("pre");
    pre.style.cssText = "white-space:pre-wrap;margin:0";
    pre.textContent = p.diagnostics.map(function (d) { return d.text; }).join("\n\n");
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "×";
    close.setAttribute("aria-label", "close");
    close.style.cssText = "position:absolute;top:.5rem;right:.75rem;font-size:1.5rem";
    close.onclick = clear;
    box.append(title, pre, close);
    document.body.appendChild(box);
  }
  var events = new EventSource(url);
  events.addEventListener("reload", function () { location.reload(); });
  events.addEventListener("overlay", function (e) { show(JSON.parse(e.data)); });
  events.addEventListener("clear", clear);
})();
"#;

/// Adds the live-reload script to an HTML page, before its last `</body>`.
pub fn inject(html: &[u8], generation: u64) -> Vec<u8> {
    let tag = format!("<script src=\"{SCRIPT_PATH}\" data-generation=\"{generation}\"></script>");
    let at = html
        .windows(7)
        .rposition(|w| w.eq_ignore_ascii_case(b"</body>"))
        .unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + tag.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(tag.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

/// Why the last rebuild failed, for the terminal and the overlay.
#[derive(Debug, Serialize)]
pub struct Problems {
    /// The overlay's heading.
    pub title: String,
    /// "2 error(s), 1 warning(s)" (in the chosen language).
    pub summary: String,
    /// Every diagnostic.
    pub diagnostics: Vec<Entry>,
    /// The terminal text (coloured when the terminal wants it).
    #[serde(skip)]
    pub terminal: String,
}

/// One diagnostic in the overlay.
#[derive(Debug, Serialize)]
pub struct Entry {
    /// `error` or `warning`.
    pub severity: &'static str,
    /// The diagnostic code (`unknown-field`).
    pub code: String,
    /// The file, relative to the site root.
    pub file: Option<String>,
    /// 1-based line.
    pub line: Option<u32>,
    /// 1-based column.
    pub column: Option<u32>,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
    /// The same text as the terminal shows, without colour.
    pub text: String,
}

fn title(lang: Lang) -> String {
    t!(
        en: "build failed, showing the last good build",
        zh: "构建失败，显示的是上一次成功的构建"
    )
    .get(lang)
    .to_owned()
}

fn summary(errors: usize, warnings: usize, lang: Lang) -> String {
    t!(
        en: "{errors} error(s), {warnings} warning(s)",
        zh: "{errors} 个错误，{warnings} 个警告"
    )
    .get(lang)
    .to_owned()
}

impl Problems {
    /// The diagnostics of a failed build, in `lang`.
    pub fn from_report(report: &Report, color: bool, lang: Lang) -> Problems {
        let read = crate::site_files::read_excerpt_source;
        let mut sources = Sources::new(&report.root, &report.files, read);
        let mut terminal = String::new();
        let mut diagnostics = Vec::new();
        for d in &report.diagnostics {
            let text = diag_render::text(d, &mut sources, false, lang);
            terminal.push_str(&if color {
                diag_render::text(d, &mut sources, true, lang)
            } else {
                text.clone()
            });
            terminal.push_str("\n\n");
            diagnostics.push(Entry {
                severity: d.severity.as_str(),
                code: d.code.as_str().to_owned(),
                file: d.span.map(|s| report.files.path(s.file).to_owned()),
                line: d.span.map(|s| s.line),
                column: d.span.map(|s| s.col),
                message: d.message.get(lang).to_owned(),
                help: d.help.as_ref().map(|h| h.get(lang).to_owned()),
                text,
            });
        }
        let summary = summary(
            report.diagnostics.error_count(),
            report.diagnostics.warning_count(),
            lang,
        );
        Problems {
            title: title(lang),
            summary,
            diagnostics,
            terminal,
        }
    }

    /// An operational failure (a file vanished mid-read, the content folder is gone).
    pub fn from_error(e: &crate::Error, lang: Lang) -> Problems {
        let message = e.text();
        let (me, mz) = (&message.en, &message.zh);
        let mut text = t!(en: "error: {me}", zh: "错误：{mz}").get(lang).to_owned();
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            text.push_str(t!(en: "\n  caused by: {s}", zh: "\n  原因：{s}").get(lang));
            source = s.source();
        }
        Problems {
            title: title(lang),
            summary: summary(1, 0, lang),
            diagnostics: vec![Entry {
                severity: "error",
                code: "operational".to_owned(),
                file: None,
                line: None,
                column: None,
                message: message.get(lang).to_owned(),
                help: None,
                text: text.clone(),
            }],
            terminal: format!("{text}\n\n"),
        }
    }

    /// The overlay event's data: one line of JSON.
    pub fn payload(&self) -> String {
        serde_json::to_string(self).expect("problems serialise to JSON")
    }
}

#[cfg(test)]
mod tests {
    use super::inject;

    #[test]
    fn script_goes_before_the_last_body_end() {
        let page = b"<html><body><p>x</p></BODY></html>";
        let out = String::from_utf8(inject(page, 7)).expect("utf-8");
        assert_eq!(
            out,
            "<html><body><p>x</p><script src=\"/__minglu/live.js\" data-generation=\"7\"></script></BODY></html>"
        );
        let bare = String::from_utf8(inject(b"<p>no body</p>", 1)).expect("utf-8");
        assert!(bare.starts_with("<p>no body</p><script"));
    }
}
