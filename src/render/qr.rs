//! RENDER: QR codes as inline SVG, made at build time (no script, no image
//! files, sharp in print). The `qrcode` crate encodes; this module makes its
//! SVG fit inside an HTML page.

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// An inline `<svg>` QR code for `url` with `label` as its accessible name, or
/// `None` when the URL is too long to encode.
pub(crate) fn svg(url: &str, label: &str) -> Option<String> {
    let code = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M).ok()?;
    let image = code
        .render::<svg::Color<'_>>()
        .min_dimensions(160, 160)
        .quiet_zone(true)
        .dark_color(svg::Color("#000"))
        .light_color(svg::Color("#fff"))
        .build();
    // The renderer writes a standalone document; inline SVG starts at `<svg`.
    let start = image.find("<svg")?;
    let body = &image[start + "<svg".len()..];
    Some(format!(
        "<svg role=\"img\" aria-label=\"{}\" class=\"qr-code\"{body}",
        super::escape_html(label)
    ))
}

/// What [`svg()`] gives in place of the code, without drawing it: a blank
/// `<svg>` of the same kind when the URL fits in a QR code, else `None`.
pub(crate) fn placeholder(url: &str, label: &str) -> Option<String> {
    qrcode::bits::encode_auto(url.as_bytes(), EcLevel::M).ok()?;
    Some(format!(
        "<svg role=\"img\" aria-label=\"{}\" class=\"qr-code\"></svg>",
        super::escape_html(label)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_inline_svg_with_an_accessible_name() {
        let s = svg("https://example.org/minglu/stamp/GZ-013/", "二维码 \"x\"").expect("encodes");
        assert!(s.starts_with(
            "<svg role=\"img\" aria-label=\"二维码 &quot;x&quot;\" class=\"qr-code\" xmlns="
        ));
        assert!(s.ends_with("</svg>"));
        assert!(!s.contains("<?xml"));
        assert!(s.contains("<path fill=\"#000\" d=\"M"));
        // The same URL always gives the same code (deterministic output).
        assert_eq!(
            Some(s),
            svg("https://example.org/minglu/stamp/GZ-013/", "二维码 \"x\"")
        );
        assert!(svg(&"x".repeat(5000), "").is_none());
        // `check` draws none, but has one exactly when the build does.
        assert!(placeholder("https://example.org/minglu/stamp/GZ-013/", "x").is_some());
        assert!(placeholder(&"x".repeat(2331), "").is_some());
        assert!(svg(&"x".repeat(2331), "").is_some());
        assert!(placeholder(&"x".repeat(2332), "").is_none());
        assert!(svg(&"x".repeat(2332), "").is_none());
    }
}
