//! RENDER: QR codes as inline SVG, made at build time (no script, no image
//! files, sharp in print). The `qrcode` crate encodes; this module makes its
//! SVG fit inside an HTML page.
//!
//! Every code uses one mask pattern ([`MASK`]) instead of the crate's search
//! for the best of eight: that search scores each mask over the whole symbol
//! and was most of the cost of a notice page, and any mask gives a valid code
//! (the symbol's format information says which one it is). Scanners read a
//! URL-sized code under any mask.

use qrcode::canvas::{Canvas, MaskPattern};
use qrcode::types::Color;
use qrcode::{EcLevel, bits, ec};

/// The error correction level: M restores about 15 % of a damaged code.
const LEVEL: EcLevel = EcLevel::M;

/// The mask pattern of every code.
const MASK: MaskPattern = MaskPattern::Checkerboard;

/// The modules of the QR code of `data` (row by row) and its width in
/// modules, or `None` when `data` is too long for a QR code.
fn modules(data: &[u8]) -> Option<(Vec<Color>, usize)> {
    let bits = bits::encode_auto(data, LEVEL).ok()?;
    let version = bits.version();
    let (data, ec) = ec::construct_codewords(&bits.into_bytes(), version, LEVEL).ok()?;
    let mut canvas = Canvas::new(version, LEVEL);
    canvas.draw_all_functional_patterns();
    canvas.draw_data(&data, &ec);
    canvas.apply_mask(MASK);
    let width = usize::try_from(version.width()).ok()?;
    Some((canvas.into_colors(), width))
}

/// The quiet zone around a code, in modules: normal QR codes (never Micro:
/// those hold too little for a URL) want four.
const QUIET: usize = 4;

/// The least width and height of a code's image, quiet zone included.
const MIN_SIZE: usize = 160;

/// An inline `<svg>` QR code for `url` with `label` as its accessible name, or
/// `None` when the URL is too long to encode.
pub(crate) fn svg(url: &str, label: &str) -> Option<String> {
    let (modules, width) = modules(url.as_bytes())?;
    Some(draw(&modules, width, label))
}

/// The `<svg>` of `modules` (`width` across): what the `qrcode` crate's SVG
/// renderer draws (a white square, then a path of one square per dark
/// module, row by row) with the quiet zone, at least [`MIN_SIZE`] across,
/// written straight into one string rather than formatted square by square.
fn draw(modules: &[Color], width: usize, label: &str) -> String {
    let across = width + 2 * QUIET;
    let unit = MIN_SIZE.div_ceil(across);
    let size = across * unit;
    let dark = modules.iter().filter(|m| **m != Color::Light).count();
    let mut out = String::with_capacity(300 + dark * 24);
    out.push_str("<svg role=\"img\" aria-label=\"");
    out.push_str(&super::escape_html(label));
    out.push_str("\" class=\"qr-code\" xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\"");
    let size = size.to_string();
    for (name, value) in [("width", &size), ("height", &size)] {
        out.push_str(&format!(" {name}=\"{value}\""));
    }
    out.push_str(&format!(
        " viewBox=\"0 0 {size} {size}\" shape-rendering=\"crispEdges\">\
         <rect x=\"0\" y=\"0\" width=\"{size}\" height=\"{size}\" fill=\"#fff\"/>\
         <path fill=\"#000\" d=\""
    ));
    // Where each row and column starts, and a module's size, as text.
    let at: Vec<String> = (0..across).map(|i| (i * unit).to_string()).collect();
    let unit = unit.to_string();
    for (y, row) in modules.chunks(width).enumerate() {
        let top = &at[y + QUIET];
        for (x, module) in row.iter().enumerate() {
            if *module == Color::Light {
                continue;
            }
            let left = &at[x + QUIET];
            for piece in [
                "M", left, " ", top, "h", &unit, "v", &unit, "H", left, "V", top,
            ] {
                out.push_str(piece);
            }
        }
    }
    out.push_str("\"/></svg>");
    out
}

/// What [`svg()`] gives in place of the code, without drawing it: a blank
/// `<svg>` of the same kind when the URL fits in a QR code, else `None`.
pub(crate) fn placeholder(url: &str, label: &str) -> Option<String> {
    bits::encode_auto(url.as_bytes(), LEVEL).ok()?;
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

    /// The modules the `<svg>` shows (dark = `true`), row by row, without the
    /// quiet zone: read back from its path of `M{x} {y}h{w}v{h}H{x}V{y}` runs.
    fn read_svg(s: &str) -> Vec<Vec<bool>> {
        let number = |t: &str| t.parse::<usize>().expect("a number");
        let d = s.split(" d=\"").nth(1).expect("a path");
        let d = &d[..d.find('"').expect("path ends")];
        let mut rects = Vec::new();
        for run in d.split('M').filter(|r| !r.is_empty()) {
            let (x, rest) = run.split_once(' ').expect("x y");
            let (y, rest) = rest.split_once('h').expect("h");
            let (w, rest) = rest.split_once('v').expect("v");
            let (h, _) = rest.split_once('H').expect("H");
            rects.push((number(x), number(y), number(w), number(h)));
        }
        // Every run is one module high.
        let size = rects.iter().map(|r| r.3).min().expect("a dark module");
        assert!(rects.iter().all(|r| r.3 == size && r.2 % size == 0));
        let width = s.split("width=\"").nth(1).expect("width");
        let modules = number(&width[..width.find('"').expect("\"")]) / size - 8;
        let mut grid = vec![vec![false; modules]; modules];
        for (x, y, w, _) in rects {
            for col in x / size..(x + w) / size {
                grid[y / size - 4][col - 4] = true;
            }
        }
        grid
    }

    /// The 15 format bits of a grid (`grid[y][x]`) as a scanner reads them
    /// beside the top-left finder, masked with `101010000010010` as written.
    fn format_bits(grid: &[Vec<bool>]) -> u16 {
        let mut at: Vec<(usize, usize)> = (0..6).map(|x| (x, 8)).collect();
        at.extend([(7, 8), (8, 8), (8, 7)]);
        at.extend((0..6).rev().map(|y| (8, y)));
        at.iter()
            .fold(0, |bits, &(x, y)| (bits << 1) | u16::from(grid[y][x]))
    }

    /// The mask pattern of a level-M code from its format bits (ISO/IEC 18004
    /// table C.1), and whether it darkens module (x, y).
    fn mask_of(format: u16) -> fn(usize, usize) -> bool {
        const LEVEL_M: [u16; 8] = [
            0x5412, 0x5125, 0x5E7C, 0x5B4B, 0x45F9, 0x40CE, 0x4F97, 0x4AA0,
        ];
        let masks: [fn(usize, usize) -> bool; 8] = [
            |x, y| (x + y) % 2 == 0,
            |_, y| y % 2 == 0,
            |x, _| x % 3 == 0,
            |x, y| (x + y) % 3 == 0,
            |x, y| (y / 2 + x / 3) % 2 == 0,
            |x, y| (x * y) % 2 + (x * y) % 3 == 0,
            |x, y| ((x * y) % 2 + (x * y) % 3) % 2 == 0,
            |x, y| ((x + y) % 2 + (x * y) % 3) % 2 == 0,
        ];
        let i = LEVEL_M.iter().position(|f| *f == format);
        masks[i.expect("valid level-M format bits")]
    }

    /// The crate's own SVG of `url`, as the page had it before [`draw`].
    fn crate_svg(url: &str, label: &str) -> String {
        use qrcode::render::{Renderer, svg};
        let (modules, width) = modules(url.as_bytes()).expect("encodes");
        let image = Renderer::<svg::Color<'_>>::new(&modules, width, 4)
            .min_dimensions(160, 160)
            .quiet_zone(true)
            .dark_color(svg::Color("#000"))
            .light_color(svg::Color("#fff"))
            .build();
        let body = &image[image.find("<svg").expect("svg") + "<svg".len()..];
        format!(
            "<svg role=\"img\" aria-label=\"{}\" class=\"qr-code\"{body}",
            crate::render::escape_html(label)
        )
    }

    #[test]
    fn the_code_is_drawn_as_the_crates_renderer_draws_it() {
        for url in [
            "https://example.org/minglu/stamp/GZ-013/",
            "https://example.org/",
            &format!("https://example.org/{}/", "长".repeat(120)),
        ] {
            assert_eq!(
                svg(url, "码 <\"&>").expect("encodes"),
                crate_svg(url, "码 <\"&>")
            );
        }
    }

    #[test]
    fn the_code_carries_the_url_as_the_crates_own_best_mask_code_does() {
        let url = "https://example.org/minglu/stamp/GZ-013/";
        let ours = read_svg(&svg(url, "x").expect("encodes"));
        // The reference: the crate's own code, with the mask its search picked.
        let code = qrcode::QrCode::with_error_correction_level(url, LEVEL).expect("encodes");
        let width = code.width();
        assert_eq!(ours.len(), width);
        let reference: Vec<Vec<bool>> = (0..width)
            .map(|y| (0..width).map(|x| code[(x, y)] == Color::Dark).collect())
            .collect();
        // Level M, mask 000, in valid format bits.
        assert_eq!(format_bits(&ours), 0x5412);
        let (ours_mask, reference_mask) = (mask_of(0x5412), mask_of(format_bits(&reference)));
        // Unmasked, the data and error correction modules are the same bits.
        let mut data_modules = 0;
        for y in 0..width {
            for x in 0..width {
                if code.is_functional(x, y) {
                    continue;
                }
                data_modules += 1;
                assert_eq!(
                    ours[y][x] ^ ours_mask(x, y),
                    reference[y][x] ^ reference_mask(x, y),
                    "module ({x}, {y})"
                );
            }
        }
        assert!(data_modules > 500, "{data_modules}");
    }
}
