//! Themes: the built-in default theme, overridable one file at a time.
//!
//! The default theme's templates and static files are compiled into the binary,
//! so a site needs no `themes/` folder. A site's `themes/<name>/templates/x.html`
//! replaces just `x.html`; its `themes/<name>/static/` files are added to (or
//! replace) the default static files. The default stylesheets and scripts are
//! compacted as they load (`render::compact`); a site's own files are copied as
//! they are.
//!
//! The default styles are in two files: `assets/style.css`, which every page
//! loads (the page shell, badges and the search page), and `assets/pages.css`,
//! which every page but the search page loads (base.html's `page_styles` block),
//! so the search page's first query downloads less.

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::{Error, Result};

macro_rules! embed {
    ($($name:literal),+ $(,)?) => {
        &[$(($name, include_str!(concat!("../../themes/default/templates/", $name)))),+]
    };
}

/// The default theme's templates, by name.
pub const DEFAULT_TEMPLATES: &[(&str, &str)] = embed!(
    "base.html",
    "macros.html",
    "home.html",
    "register.html",
    "item.html",
    "departments.html",
    "department.html",
    "purposes.html",
    "purpose.html",
    "page.html",
    "withdrawn.html",
    "notice.html",
    "editions.html",
    "edition.html",
    "changes.html",
    "atom.xml",
    "404.html",
    "sitemap.xml",
    "robots.txt",
    "data.html",
    "search.html",
);

/// The default theme's static files, by path under `static/`.
pub const DEFAULT_STATIC: &[(&str, &[u8])] = &[
    (
        "assets/style.css",
        include_bytes!("../../themes/default/static/assets/style.css"),
    ),
    (
        "assets/pages.css",
        include_bytes!("../../themes/default/static/assets/pages.css"),
    ),
    (
        "assets/search.js",
        include_bytes!("../../themes/default/static/assets/search.js"),
    ),
    (
        "assets/site.js",
        include_bytes!("../../themes/default/static/assets/site.js"),
    ),
    (
        "assets/favicon.svg",
        include_bytes!("../../themes/default/static/assets/favicon.svg"),
    ),
];

/// Where a template came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Compiled into minglu.
    BuiltIn,
    /// A file in the site's theme folder (path relative to the site root).
    Site(String),
}

/// One template's source.
#[derive(Clone, Debug)]
pub struct Template {
    /// Its text.
    pub source: String,
    /// Where it came from.
    pub origin: Origin,
}

/// The resolved theme: every template and every static file.
#[derive(Clone, Debug)]
pub struct Theme {
    /// Templates by name.
    pub templates: BTreeMap<String, Template>,
    /// Static files by output path.
    pub statics: BTreeMap<String, Vec<u8>>,
}

impl Theme {
    /// Loads the embedded default theme, then the site's overrides from `root/themes/<name>/`.
    pub fn load(root: &Path, name: &str) -> Result<Theme> {
        let mut templates: BTreeMap<String, Template> = DEFAULT_TEMPLATES
            .iter()
            .map(|(n, s)| {
                (
                    (*n).to_owned(),
                    Template {
                        source: (*s).to_owned(),
                        origin: Origin::BuiltIn,
                    },
                )
            })
            .collect();
        let mut statics: BTreeMap<String, Vec<u8>> = DEFAULT_STATIC
            .iter()
            .map(|(p, b)| {
                let bytes = if p.ends_with(".js") {
                    super::compact::js(b)
                } else if p.ends_with(".css") {
                    super::compact::css(b)
                } else {
                    b.to_vec()
                };
                ((*p).to_owned(), bytes)
            })
            .collect();
        for (rel, bytes) in
            crate::site_files::theme_files(root, &format!("themes/{name}/templates"))?
        {
            let path = format!("themes/{name}/templates/{rel}");
            let source = String::from_utf8(bytes).map_err(|e| Error::Read {
                path: root.join(&path),
                source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
            })?;
            templates.insert(
                rel,
                Template {
                    source,
                    origin: Origin::Site(path),
                },
            );
        }
        statics.extend(crate::site_files::theme_files(
            root,
            &format!("themes/{name}/static"),
        )?);
        Ok(Theme { templates, statics })
    }
}
