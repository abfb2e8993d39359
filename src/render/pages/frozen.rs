//! Frozen item pages (`<list>/editions/<edition>/<ID>/`), rendered once per
//! distinct content.
//!
//! They are most of a site's pages (one per item per edition), and the pages of
//! an item unchanged across editions differ only in the values that name the
//! edition: its id (in links), label, title, 文号 and dates. So a frozen page's
//! view is *masked*: those values become placeholders (and what the page does
//! not show of the edition, its counts and whether it is the first, zero). The
//! pages of one item are rendered one after another, keeping the output of
//! each distinct masked view (compared byte for byte, as its serde data:
//! [`super::key`]); a page whose masked view was rendered already is that
//! output with the placeholders replaced by its own values, escaped as the
//! template escapes what it prints. Anything else that differs (the item's
//! content, the edition's departments or categories, how the version stands
//! today) makes another masked view, rendered on its own.
//!
//! That is exact only for templates that print the masked values as they are
//! (escaped) and never test or transform them: the built-in `item.html`,
//! `base.html` and `macros.html`, which a test renders both ways. A site that
//! overrides any of them gets every page rendered in full ([`Masks::for_theme`]).
//! The placeholders carry a random number drawn for each build, so no content
//! can contain one.

use std::collections::HashMap;
use std::hash::{BuildHasher as _, Hasher as _, RandomState};
use std::rc::Rc;

use minijinja::value::Serde;
use minijinja::{Environment, Value};

use super::Renderer;
use super::current::ItemPage;
use super::key;
use crate::plan::url;
use crate::render::escape_html;
use crate::render::history_views::{Standing, WithdrawnView};
use crate::render::theme::{Origin, Theme};
use crate::render::views::NowView;

/// The templates a frozen item page is made from.
const TEMPLATES: [&str; 3] = ["item.html", "base.html", "macros.html"];

/// The masked values, by slot.
const ID: usize = 0;
const LABEL: usize = 1;
const TITLE: usize = 2;
const DOC_NUMBER: usize = 3;
const PUBLISHED: usize = 4;
const EFFECTIVE: usize = 5;
const EXPIRES: usize = 6;
const NOTES: usize = 7;
const SLOTS: usize = 8;

/// The blocks of the built-in `item.html` that show how a frozen version
/// stands today (and only they read `frozen.status`, `frozen.now` and
/// `frozen.withdrawn`): rendered apart from the rest of the page.
pub(super) const STATUS_BLOCKS: [&str; 3] = ["frozen_title", "frozen_banner", "frozen_then"];

/// The name of the template of [`STATUS_BLOCKS`].
const STATUS: &str = "status.html";

/// The placeholders of one build.
pub(super) struct Masks {
    /// What every placeholder starts with: a private-use character and a
    /// random number.
    marker: String,
    /// `marker`, the slot's letter, a private-use character.
    slots: Vec<String>,
    /// What each of [`STATUS_BLOCKS`] prints in the rest of the page.
    status_marks: Vec<String>,
    /// What follows each of [`STATUS_BLOCKS`] in their own template.
    separator: String,
    /// The template of [`STATUS_BLOCKS`] (each followed by `marker`), when
    /// the chrome's `item.html` prints `status_marks` in their place.
    status: Option<Environment<'static>>,
}

impl Masks {
    /// Placeholders for a build with `theme`, or `None` when the theme
    /// overrides a template of frozen item pages (they are rendered in full).
    pub(super) fn for_theme(theme: &Theme) -> Option<Masks> {
        let built_in = TEMPLATES.iter().all(|name| {
            theme
                .templates
                .get(*name)
                .is_some_and(|t| matches!(t.origin, Origin::BuiltIn))
        });
        let mut masks = built_in.then(Masks::new)?;
        masks.status = super::inline::status_template(theme, &masks.separator).and_then(|source| {
            let mut env = crate::render::configured_environment();
            env.add_template_owned(STATUS, source).ok()?;
            Some(env)
        });
        Some(masks)
    }

    fn new() -> Masks {
        let nonce = RandomState::new().build_hasher().finish();
        let marker = format!("\u{F8FF}{nonce:016x}");
        let slots = (b'a'..)
            .take(SLOTS)
            .map(|letter| format!("{marker}{}\u{F8FF}", char::from(letter)))
            .collect();
        let status_marks = (b'x'..)
            .take(STATUS_BLOCKS.len())
            .map(|letter| format!("{marker}{}\u{F8FF}", char::from(letter)))
            .collect();
        Masks {
            separator: format!("{marker}-\u{F8FF}"),
            marker,
            slots,
            status_marks,
            status: None,
        }
    }

    fn slot(&self, slot: usize) -> &str {
        &self.slots[slot]
    }

    /// The page `masked` stands for: its text with every placeholder
    /// replaced by its slot's value, and each mark of how it stands (the
    /// first of each) by its piece, itself filled.
    fn fill(&self, masked: &Masked, values: &[String]) -> String {
        let mut out = String::with_capacity(masked.text.len() + 256);
        let mut stands: Vec<Option<&str>> =
            masked.stands.iter().map(|s| Some(s.as_str())).collect();
        self.fill_into(&mut out, &masked.text, values, &mut stands);
        out
    }

    /// `text` filled (see [`Masks::fill`]) onto `out`; a mark of how it
    /// stands takes its piece out of `stands`.
    fn fill_into(
        &self,
        out: &mut String,
        text: &str,
        values: &[String],
        stands: &mut [Option<&str>],
    ) {
        let mut rest = text;
        while let Some(at) = rest.find(&self.marker) {
            out.push_str(&rest[..at]);
            let after = &rest[at + self.marker.len()..];
            let mut chars = after.chars();
            let letter = chars.next().and_then(|c| u8::try_from(c).ok());
            let closed = chars.next() == Some('\u{F8FF}');
            let slot = letter.map(|l| usize::from(l.wrapping_sub(b'a')));
            let mark = letter.map(|l| usize::from(l.wrapping_sub(b'x')));
            match (slot, mark) {
                (Some(slot), _) if closed && slot < SLOTS => out.push_str(&values[slot]),
                (_, Some(mark)) if closed && stands.get(mark).is_some_and(Option::is_some) => {
                    let piece = stands[mark].take().unwrap_or_default();
                    self.fill_into(out, piece, values, &mut []);
                }
                // Not one of ours (it cannot happen: the marker is random), or
                // a mark printed twice.
                _ => {
                    out.push_str(&self.marker);
                    rest = after;
                    continue;
                }
            }
            rest = chars.as_str();
        }
        out.push_str(rest);
    }
}

/// A masked page: its text, and when it was rendered in parts, what each
/// of [`STATUS_BLOCKS`] printed (the text has `status_marks` in their place).
pub(super) struct Masked {
    text: Rc<String>,
    stands: Vec<String>,
}

/// What one item's frozen pages have rendered so far: masked pages by the
/// key of their masked view, the rest of the page (all but
/// [`STATUS_BLOCKS`]) by the key of its masked view without how it stands
/// (`None` if it has no marks for them), and item bodies as HTML.
#[derive(Default)]
pub(super) struct Memo {
    pages: HashMap<Vec<u8>, Masked>,
    rests: HashMap<Vec<u8>, Option<Rc<String>>>,
    /// Item body Markdown → HTML (the pages of one item link from the same depth).
    pub(super) bodies: HashMap<String, String>,
    /// The key being made (its room kept from page to page).
    key: Vec<u8>,
}

/// How a frozen version stands today: what only [`STATUS_BLOCKS`] read.
type Stands<'a> = (Standing, Option<NowView<'a>>, Option<WithdrawnView<'a>>);

/// The page of `page`'s view, from the memo when a page with the same masked
/// view was rendered; `None` when it cannot be masked (it is not a frozen page)
/// or the masked view fails to render (the caller renders it in full, and
/// reports the error as it is).
///
/// Rendered in parts, its key is that of the rest of the page followed by
/// that of how it stands: one serialization makes both.
pub(super) fn render<'a>(
    r: &Renderer<'a>,
    mut page: ItemPage<'a>,
    masks: &'a Masks,
    memo: &mut Memo,
) -> Option<String> {
    let (path, values) = mask(&mut page, masks, r.path)?;
    let stands = match masks.status {
        Some(_) => {
            let frozen = page.frozen.as_mut()?;
            let stands = (
                std::mem::replace(&mut frozen.status, Standing::Current),
                frozen.now.take(),
                frozen.withdrawn.take(),
            );
            page.status_marks = Some(&masks.status_marks);
            Some(stands)
        }
        None => None,
    };
    let mut key = std::mem::take(&mut memo.key);
    key.clear();
    if !key::append(&(&page, &path), &mut key) {
        return None;
    }
    let rest = key.len();
    if stands.as_ref().is_some_and(|s| !key::append(s, &mut key)) {
        return None;
    }
    let out = if let Some(masked) = memo.pages.get(key.as_slice()) {
        masks.fill(masked, &values)
    } else {
        let masked = match (&masks.status, stands) {
            (Some(status), Some(stands)) => in_parts(
                r,
                page,
                &path,
                stands,
                (masks, status),
                (memo, &key[..rest]),
            )?,
            _ => Masked {
                text: Rc::new(r.page_at("item.html", &page, &path).ok()?),
                stands: Vec::new(),
            },
        };
        let out = masks.fill(&masked, &values);
        memo.pages.insert(key.clone(), masked);
        out
    };
    memo.key = key;
    Some(out)
}

/// The masked page of `page` (at masked `path`, with `stands` taken out)
/// made of two parts: how it stands (the [`STATUS_BLOCKS`], rendered on
/// their own) and the rest (with `status_marks` in their place), which the
/// frozen pages of one item that differ only in how they stand share (by
/// `rest_key`).
fn in_parts<'a>(
    r: &Renderer<'a>,
    mut page: ItemPage<'a>,
    path: &str,
    stands: Stands<'a>,
    (masks, status): (&'a Masks, &Environment<'static>),
    (memo, rest_key): (&mut Memo, &[u8]),
) -> Option<Masked> {
    let root = url::root_from(r.path);
    let site_root = if r.scope.is_draft() {
        format!("{root}../")
    } else {
        root.clone()
    };
    let frozen = page.frozen.as_mut()?;
    (frozen.status, frozen.now, frozen.withdrawn) = stands;
    let context = minijinja::context! {
        frozen => Value::from(Serde(&*frozen)),
        register => minijinja::context! { key => page.register.key },
        item => minijinja::context! { id => page.item.id },
        t => r.shared.strings.clone(),
        root => root,
        site_root => site_root,
        mentions => r.shared.mentions(r.scope.kind).1.clone(),
    };
    let text = status.get_template(STATUS).ok()?.render(context).ok()?;
    let mut pieces: Vec<String> = text.split(&masks.separator).map(str::to_owned).collect();
    if pieces.len() != STATUS_BLOCKS.len() + 1 {
        return None;
    }
    pieces.truncate(STATUS_BLOCKS.len());
    let rest = if let Some(rest) = memo.rests.get(rest_key) {
        Rc::clone(rest.as_ref()?)
    } else {
        // The rest of the page reads nothing of how the version stands.
        let frozen = page.frozen.as_mut()?;
        (frozen.status, frozen.now, frozen.withdrawn) = (Standing::Current, None, None);
        let rest = r.page_at("item.html", &page, path).ok()?;
        // The title and the banner print on every item page: a rest without
        // their marks was not rendered in parts.
        let marked = rest.contains(&masks.status_marks[0]) && rest.contains(&masks.status_marks[1]);
        let rest = marked.then(|| Rc::new(rest));
        memo.rests.insert(rest_key.to_vec(), rest.clone());
        rest?
    };
    Some(Masked {
        text: rest,
        stands: pieces,
    })
}

/// Replaces the values that name the edition in a frozen page's view (at
/// `path`) with placeholders; returns the masked path and each slot's value,
/// escaped for HTML.
fn mask<'a>(
    page: &mut ItemPage<'a>,
    masks: &'a Masks,
    path: &str,
) -> Option<(String, Vec<String>)> {
    let key = page.register.key;
    let edition = &mut page.frozen.as_mut()?.edition;
    let real = url::edition(key, edition.id);
    let rest = path.strip_prefix(&real)?;
    let mut values = vec![String::new(); SLOTS];
    let mut take = |slot: usize, value: &str| {
        values[slot] = escape_html(value);
        masks.slot(slot)
    };
    edition.id = take(ID, edition.id);
    edition.label = take(LABEL, edition.label);
    edition.title = take(TITLE, edition.title);
    edition.doc_number = edition.doc_number.map(|d| take(DOC_NUMBER, d));
    edition.published = take(PUBLISHED, &edition.published).to_owned();
    edition.effective = take(EFFECTIVE, &edition.effective).to_owned();
    edition.expires = edition
        .expires
        .as_deref()
        .map(|x| take(EXPIRES, x).to_owned());
    edition.notes = edition.notes.map(|n| take(NOTES, n));
    edition.path = url::edition(key, masks.slot(ID));
    (
        edition.count,
        edition.added,
        edition.removed,
        edition.changed,
        edition.flips,
    ) = (0, 0, 0, 0, 0);
    edition.first = false;
    page.register.count = 0;
    let masked = edition.path.clone();
    if let Some(anchor) = page.item.category_path.strip_prefix(&real) {
        page.item.category_path = format!("{masked}{anchor}");
    }
    Some((format!("{masked}{rest}"), values))
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use super::{Masked, Masks, SLOTS};

    #[test]
    fn fill_replaces_each_placeholder_with_its_value_and_nothing_else() {
        let m = Masks::new();
        let values: Vec<String> = (0..SLOTS).map(|i| format!("<{i}>")).collect();
        let text = format!(
            "a{}b{}{}c\u{F8FF}d{}",
            m.slot(1),
            m.slot(0),
            m.slot(7),
            m.marker
        );
        let masked = Masked {
            text: Rc::new(text),
            stands: Vec::new(),
        };
        assert_eq!(
            m.fill(&masked, &values),
            format!("a<1>b<0><7>c\u{F8FF}d{}", m.marker)
        );
        assert_ne!(Masks::new().marker, m.marker, "a new number each build");
    }

    #[test]
    fn fill_puts_each_piece_of_how_it_stands_at_its_first_mark() {
        let m = Masks::new();
        let values: Vec<String> = (0..SLOTS).map(|i| format!("<{i}>")).collect();
        let marks = &m.status_marks;
        let text = format!("{}|{}|{}|{}", marks[1], marks[0], marks[2], marks[0]);
        let masked = Masked {
            text: Rc::new(text),
            stands: vec![format!("A{}", m.slot(2)), "B".to_owned(), String::new()],
        };
        assert_eq!(
            m.fill(&masked, &values),
            format!("B|A<2>||{}", marks[0]),
            "a mark printed twice is left as it is the second time"
        );
    }
}
