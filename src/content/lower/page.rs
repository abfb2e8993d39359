//! Free pages (`content/pages/*.md`): YAML front matter, then Markdown.

use crate::content::read::{Ctx, Fields};
use crate::diagnostic::{Code, Noun, Span};
use crate::model::Page;
use crate::t;

/// A page: YAML front matter between `---` lines, then Markdown.
pub(crate) fn page(text: &str, slug: &str, cx: &mut Ctx) -> Option<Page> {
    let (front, body) = split_front_matter(text);
    let Some(front) = front else {
        cx.error(
            Code::MissingField,
            Span::file_start(cx.file),
            t!(en: "the page has no front matter", zh: "页面缺少开头的元数据（front matter）"),
            t!(
                en: "start the file with `---`, a line `title: …`, and another `---`",
                zh: "请在文件开头依次写一行 `---`、一行 `title: …`，再写一行 `---`"
            ),
        );
        return None;
    };
    let node = crate::content::yaml::parse(front, cx.file, &mut cx.diags)?;
    let f = Fields::read(
        &node,
        Noun::new("the page's front matter", "页面开头的元数据"),
        &["title", "weight", "description"],
        cx,
    )?;
    let title = f.required_text("title", cx);
    Some(Page {
        slug: slug.to_owned(),
        weight: f.integer("weight", cx).unwrap_or(0),
        description: f.text("description", cx),
        body: body.to_owned(),
        title: title?.value,
        file: cx.file,
    })
}

/// Splits `---\n…\n---\n` front matter from the body. The front matter slice keeps
/// its opening `---` (a YAML document marker) so spans match the file.
fn split_front_matter(text: &str) -> (Option<&str>, &str) {
    if !(text.starts_with("---\n") || text.starts_with("---\r\n")) {
        return (None, text);
    }
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if offset > 0 && line.trim_end() == "---" {
            return (Some(&text[..offset]), &text[offset + line.len()..]);
        }
        offset += line.len();
    }
    (None, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter() {
        let (front, body) = split_front_matter("---\ntitle: x\n---\n\nbody\n");
        assert_eq!(front, Some("---\ntitle: x\n"));
        assert_eq!(body, "\nbody\n");
        assert_eq!(split_front_matter("no front").0, None);
    }
}
