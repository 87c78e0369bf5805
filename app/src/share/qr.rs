//! A QR code of a need's address: its modules from the `qrcode` crate (error correction M), drawn
//! here as an SVG of one path (and by [`super::card`] into the share card).

use crate::error::AppError;
use qrcode::{Color, EcLevel, QrCode};
use std::fmt::Write as _;

/// The light margin around a code, in modules, that the QR standard asks for: scanners find the
/// code by it.
pub const QUIET_ZONE: usize = 4;

/// How large the SVG says it is (pixels per module), for an `<img>` without a size of its own.
const SVG_PIXELS_PER_MODULE: usize = 8;

/// A QR code's modules, `width` × `width`, row by row, without the quiet zone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Modules {
    width: usize,
    dark: Vec<bool>,
}

impl Modules {
    /// The code of `text` at error-correction level M (up to 15% of it may be smudged or
    /// creased). `Internal` (logged) if the text is too long for any QR code, which an address
    /// of a host of at most 253 characters never is.
    pub fn encode(text: &str) -> Result<Modules, AppError> {
        let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
            .map_err(|e| AppError::internal("drawing a QR code", e))?;
        let width = code.width();
        let dark = code
            .to_colors()
            .into_iter()
            .map(|color| color == Color::Dark)
            .collect();
        Ok(Modules { width, dark })
    }

    /// Modules per side, without the quiet zone.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Whether the module in column `x`, row `y` is dark.
    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        self.dark[y * self.width + x]
    }
}

/// The code as SVG: a white square (the code and its quiet zone) and one black path, in units of
/// modules; each row's dark runs are one rectangle each. No text, style or script: nothing but
/// the modules.
pub fn svg(modules: &Modules) -> String {
    let side = modules.width + 2 * QUIET_ZONE;
    let pixels = side * SVG_PIXELS_PER_MODULE;
    let mut path = String::new();
    for y in 0..modules.width {
        let mut x = 0;
        while x < modules.width {
            if !modules.is_dark(x, y) {
                x += 1;
                continue;
            }
            let start = x;
            while x < modules.width && modules.is_dark(x, y) {
                x += 1;
            }
            let run = x - start;
            let _ = write!(
                path,
                "M{},{}h{run}v1h-{run}z",
                start + QUIET_ZONE,
                y + QUIET_ZONE
            );
        }
    }
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {side} {side}\" \
         width=\"{pixels}\" height=\"{pixels}\" shape-rendering=\"crispEdges\">\
         <rect width=\"{side}\" height=\"{side}\" fill=\"#fff\"/>\
         <path fill=\"#000\" d=\"{path}\"/></svg>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads the path back: every `M x,y h run v1 h-run z` fills `run` modules of row `y`.
    fn modules_of(svg: &str) -> (usize, Vec<bool>) {
        let side: usize = svg
            .split_once("viewBox=\"0 0 ")
            .and_then(|(_, rest)| rest.split_once(' '))
            .map(|(side, _)| side.parse().unwrap())
            .expect("a viewBox");
        let d = svg
            .split_once(" d=\"")
            .and_then(|(_, rest)| rest.split_once('"'))
            .map(|(d, _)| d)
            .expect("a path");
        let mut grid = vec![false; side * side];
        for rect in d.split('M').filter(|rect| !rect.is_empty()) {
            let rect = rect.strip_suffix('z').expect("each rectangle closes");
            let (origin, rest) = rect.split_once('h').unwrap();
            let (x, y) = origin.split_once(',').unwrap();
            let (x, y): (usize, usize) = (x.parse().unwrap(), y.parse().unwrap());
            let (run, back) = rest.split_once("v1h-").unwrap();
            assert_eq!(run, back, "a rectangle goes back as far as it went");
            let run: usize = run.parse().unwrap();
            assert!(run > 0);
            for cell in &mut grid[y * side + x..y * side + x + run] {
                assert!(!*cell, "two rectangles overlap at row {y}");
                *cell = true;
            }
        }
        (side, grid)
    }

    #[test]
    fn the_svg_path_draws_exactly_the_codes_modules_inside_a_quiet_zone() {
        for address in [
            "https://wanshan.example.cn/needs/7",
            "http://127.0.0.1:3000/needs/123456789",
            "/needs/1",
        ] {
            let modules = Modules::encode(address).unwrap();
            let svg = svg(&modules);
            let (side, grid) = modules_of(&svg);
            assert_eq!(side, modules.width() + 2 * QUIET_ZONE);
            for y in 0..side {
                for x in 0..side {
                    let inside = (QUIET_ZONE..QUIET_ZONE + modules.width()).contains(&x)
                        && (QUIET_ZONE..QUIET_ZONE + modules.width()).contains(&y);
                    let expected = inside && modules.is_dark(x - QUIET_ZONE, y - QUIET_ZONE);
                    assert_eq!(grid[y * side + x], expected, "{address}: module {x},{y}");
                }
            }
        }
    }

    #[test]
    fn the_code_is_level_m_and_the_svg_is_one_white_square_and_one_path() {
        let address = "https://wanshan.example.cn/needs/7";
        let code = QrCode::with_error_correction_level(address, EcLevel::M).unwrap();
        assert_eq!(code.error_correction_level(), EcLevel::M);
        let modules = Modules::encode(address).unwrap();
        assert_eq!(modules.width(), code.width());
        // 34 bytes fit version 3 at level M: 29 modules, 37 with the quiet zone.
        assert_eq!(modules.width(), 29);
        let svg = svg(&modules);
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 37 37\""));
        assert!(svg.contains("shape-rendering=\"crispEdges\""));
        assert!(svg.contains("<rect width=\"37\" height=\"37\" fill=\"#fff\"/>"));
        assert_eq!(svg.matches("<path").count(), 1);
        assert_eq!(
            svg.matches('<').count(),
            4,
            "svg, rect, path and </svg> only: {svg}"
        );
        for absent in ["<style", "<script", "<text", "<title", "wanshan", "needs"] {
            assert!(!svg.contains(absent), "{absent} in {svg}");
        }
    }

    #[test]
    fn the_longest_host_still_fits_a_code() {
        let address = format!("https://{}:65535/needs/{}", "a".repeat(253), i64::MAX);
        let modules = Modules::encode(&address).unwrap();
        assert!(modules.width() <= 85, "{}", modules.width());
    }
}
