//! Content types for the files a build writes, by extension.
//!
//! Part of `serve` (the preview server). Static hosts decide the type from the
//! extension too, so the preview shows what a reader will get. Unknown types are
//! served as `application/octet-stream` (with `nosniff`, so a browser never guesses
//! its way into running content as a script).

/// The `Content-Type` header value for an output path.
pub fn content_type(path: &str) -> &'static str {
    let name = path.rsplit('/').next().unwrap_or(path);
    let Some((_, ext)) = name.rsplit_once('.') else {
        return "application/octet-stream";
    };
    match ext.to_ascii_lowercase().as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" | "map" => "application/json",
        "webmanifest" => "application/manifest+json",
        "xml" | "xsl" => "application/xml; charset=utf-8",
        "atom" => "application/atom+xml; charset=utf-8",
        "rss" => "application/rss+xml; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "md" => "text/markdown; charset=utf-8",
        "yaml" | "yml" => "application/yaml",
        "svg" => "image/svg+xml",
        "ico" => "image/vnd.microsoft.icon",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "pdf" => "application/pdf",
        "gz" => "application/gzip",
        "zip" => "application/zip",
        "wasm" => "application/wasm",
        _ => "application/octet-stream",
    }
}

/// Whether a change to this file can alter how every page looks or behaves
/// (stylesheets, scripts, fonts, images), so every open page should reload.
pub fn is_page_asset(path: &str) -> bool {
    let kind = content_type(path);
    kind.starts_with("text/css")
        || kind.starts_with("text/javascript")
        || kind.starts_with("image/")
        || kind.starts_with("font/")
        || kind == "application/manifest+json"
}

#[cfg(test)]
mod tests {
    use super::{content_type, is_page_asset};

    #[test]
    fn types_by_extension() {
        let cases = [
            ("index.html", "text/html; charset=utf-8"),
            ("assets/style.css", "text/css; charset=utf-8"),
            ("assets/search.js", "text/javascript; charset=utf-8"),
            ("data/index.json", "application/json"),
            ("sitemap.xml", "application/xml; charset=utf-8"),
            ("changes.atom", "application/atom+xml; charset=utf-8"),
            ("data/stamp.csv", "text/csv; charset=utf-8"),
            ("qr/GZ-001.svg", "image/svg+xml"),
            ("site.webmanifest", "application/manifest+json"),
            ("robots.txt", "text/plain; charset=utf-8"),
            ("favicon.ico", "image/vnd.microsoft.icon"),
            ("icon.PNG", "image/png"),
            ("data/all.json.gz", "application/gzip"),
            ("SHA256SUMS", "application/octet-stream"),
            ("a.dir/noext", "application/octet-stream"),
        ];
        for (path, want) in cases {
            assert_eq!(content_type(path), want, "{path}");
        }
    }

    #[test]
    fn assets_reload_every_page() {
        assert!(is_page_asset("assets/style.css"));
        assert!(is_page_asset("favicon.ico"));
        assert!(!is_page_asset("changes.atom"));
        assert!(!is_page_asset("stamp/index.html"));
    }
}
