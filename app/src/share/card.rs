//! A need's share card: the square picture WeChat and Open Graph show beside a shared link
//! (WeChat crops thumbnails square). Drawn without a font: the top third in the need's window
//! colour with a white heart (and, for a money need, how much of it is pledged), and below it the
//! QR code of the need's page, large, each module a whole number of pixels so that a phone can
//! scan it from the picture. Four colours, so a 2-bit indexed PNG of a few kilobytes.

use super::qr::{Modules, QUIET_ZONE};
use crate::domain::{PublicNeed, Window};
use crate::error::AppError;

/// The card's side, in pixels.
pub const SIZE: usize = 600;
/// The coloured band at the top: a third of the card.
const BAND: usize = SIZE / 3;

/// The palette: white, the code's black, the window's colour, and a lighter tint of it (the
/// unpledged part of the bar).
const WHITE: u8 = 0;
const INK: u8 = 1;
const COLOUR: u8 = 2;
const TINT: u8 = 3;

/// The progress bar: a capsule across the band's lower part.
const BAR_LEFT: usize = 100;
const BAR_RIGHT: usize = SIZE - 100;
const BAR_TOP: usize = 150;
const BAR_HEIGHT: usize = 16;

/// The heart's size: half its width, roughly, in pixels.
const HEART_RADIUS: f64 = 44.0;

/// A window's colour, as the board's window labels show it (`style/main.css`, `.window-*`).
pub fn window_colour(window: Window) -> [u8; 3] {
    match window {
        Window::Medical => [0xb3, 0x26, 0x1e],
        Window::Education => [0x1d, 0x5f, 0xa8],
        Window::Disability => [0x6a, 0x3f, 0xa0],
        Window::Home => [0x8a, 0x5a, 0x00],
        Window::Insurance => [0x0f, 0x6e, 0x6e],
        Window::Services => [0x4b, 0x6b, 0x2f],
    }
}

/// How much of a money need is pledged: `pledged` of `amount` fen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    pub pledged: i64,
    pub amount: i64,
}

impl Progress {
    /// A money need's progress; `None` for goods and services.
    pub fn of(need: &PublicNeed) -> Option<Progress> {
        need.ask.amount().map(|amount| Progress {
            pledged: need.pledged_fen,
            amount: amount.get(),
        })
    }

    /// How many of `length` pixels are pledged: none for nothing pledged, all for all of it, and
    /// at least one pixel beyond the rounded ends for any pledge at all.
    fn filled(self, length: usize) -> usize {
        if self.pledged <= 0 || self.amount <= 0 {
            return 0;
        }
        if self.pledged >= self.amount {
            return length;
        }
        let share = i128::from(self.pledged) * length as i128 / i128::from(self.amount);
        (share as usize).clamp(BAR_HEIGHT / 2 + 1, length - 1)
    }
}

/// The card of `need`, whose page is at `address`, as PNG.
pub fn png(need: &PublicNeed, address: &str) -> Result<Vec<u8>, AppError> {
    let modules = Modules::encode(address)?;
    encode(need.window, &draw(Progress::of(need), &modules)?)
}

/// The card's pixels, one palette index each, row by row.
fn draw(progress: Option<Progress>, modules: &Modules) -> Result<Vec<u8>, AppError> {
    let mut pixels = vec![WHITE; SIZE * SIZE];
    pixels[..BAND * SIZE].fill(COLOUR);

    // The heart, in the middle of the band (higher when the bar is under it).
    let heart_y = if progress.is_some() { 80.0 } else { 100.0 };
    for y in 0..BAND {
        for x in 0..SIZE {
            if in_heart(
                x as f64 + 0.5 - SIZE as f64 / 2.0,
                heart_y - (y as f64 + 0.5),
            ) {
                pixels[y * SIZE + x] = WHITE;
            }
        }
    }

    if let Some(progress) = progress {
        let filled = progress.filled(BAR_RIGHT - BAR_LEFT);
        let radius = BAR_HEIGHT as f64 / 2.0;
        for y in BAR_TOP..BAR_TOP + BAR_HEIGHT {
            for x in BAR_LEFT..BAR_RIGHT {
                // A capsule: the rectangle between the two round ends, and the ends.
                let (px, py) = (x as f64 + 0.5, y as f64 + 0.5);
                let centre_y = BAR_TOP as f64 + radius;
                let nearest_x = px.clamp(BAR_LEFT as f64 + radius, BAR_RIGHT as f64 - radius);
                let inside = (px - nearest_x).powi(2) + (py - centre_y).powi(2) <= radius * radius;
                if inside {
                    pixels[y * SIZE + x] = if x < BAR_LEFT + filled { WHITE } else { TINT };
                }
            }
        }
    }

    // The code with its quiet zone, as large as fits below the band, centred there.
    let side = modules.width() + 2 * QUIET_ZONE;
    let scale = (SIZE - BAND) / side;
    if scale == 0 {
        return Err(AppError::internal(
            "drawing a share card",
            format!("a QR code of {side} modules does not fit"),
        ));
    }
    let left = (SIZE - side * scale) / 2 + QUIET_ZONE * scale;
    let top = BAND + (SIZE - BAND - side * scale) / 2 + QUIET_ZONE * scale;
    for my in 0..modules.width() {
        for mx in 0..modules.width() {
            if modules.is_dark(mx, my) {
                for y in top + my * scale..top + (my + 1) * scale {
                    pixels[y * SIZE + left + mx * scale..y * SIZE + left + (mx + 1) * scale]
                        .fill(INK);
                }
            }
        }
    }
    Ok(pixels)
}

/// Whether the point (`x`, `y`) (pixels from the heart's centre, `y` up) is inside the heart
/// `(u² + v² − 1)³ ≤ u² v³`.
fn in_heart(x: f64, y: f64) -> bool {
    let (u, v) = (x / HEART_RADIUS, y / HEART_RADIUS);
    let s = u * u + v * v - 1.0;
    s * s * s <= u * u * v * v * v
}

/// The pixels as a 2-bit indexed PNG with the four colours of `window`'s palette; nothing else
/// in it (no text chunks, no time).
fn encode(window: Window, pixels: &[u8]) -> Result<Vec<u8>, AppError> {
    let [r, g, b] = window_colour(window);
    let tint = |c: u8| c + ((255 - u16::from(c)) * 2 / 5) as u8;
    let palette = [
        0xff,
        0xff,
        0xff,
        0x00,
        0x00,
        0x00,
        r,
        g,
        b,
        tint(r),
        tint(g),
        tint(b),
    ];
    let mut packed = Vec::with_capacity(SIZE * SIZE / 4);
    for row in pixels.chunks(SIZE) {
        for four in row.chunks(4) {
            let mut byte = 0u8;
            for (i, &index) in four.iter().enumerate() {
                byte |= index << (6 - 2 * i);
            }
            packed.push(byte);
        }
    }
    let failed = |e: png::EncodingError| AppError::internal("encoding a share card", e);
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, SIZE as u32, SIZE as u32);
    encoder.set_color(png::ColorType::Indexed);
    encoder.set_depth(png::BitDepth::Two);
    encoder.set_palette(&palette[..]);
    encoder.set_compression(png::Compression::High);
    // Flat areas of palette indices compress best unfiltered.
    encoder.set_filter(png::Filter::NoFilter);
    let mut writer = encoder.write_header().map_err(failed)?;
    writer.write_image_data(&packed).map_err(failed)?;
    writer.finish().map_err(failed)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Ask, Fen, NeedId, NeedStatus, Urgency, UtcMillis};

    fn need(window: Window, ask: Ask, pledged_fen: i64) -> PublicNeed {
        PublicNeed {
            id: NeedId(7),
            window,
            title: "透析自付费用缺口".into(),
            story: "一户支出型困难家庭的真实需求。".into(),
            town: "延陵镇".into(),
            village: String::new(),
            ask,
            urgency: Urgency::Soon,
            status: NeedStatus::Published,
            created_at: UtcMillis(0),
            updated_at: UtcMillis(0),
            pledged_fen,
        }
    }

    fn money(yuan: i64) -> Ask {
        Ask::Money {
            amount: Fen::parse(yuan * 100).unwrap(),
        }
    }

    /// The card decoded back to RGB pixels, with its chunk types.
    fn decode(png: &[u8]) -> (Vec<[u8; 3]>, Vec<String>) {
        let mut decoder = png::Decoder::new(std::io::Cursor::new(png));
        decoder.set_transformations(png::Transformations::EXPAND);
        let mut reader = decoder.read_info().unwrap();
        let mut buffer = vec![0; reader.output_buffer_size().unwrap()];
        let frame = reader.next_frame(&mut buffer).unwrap();
        assert_eq!((frame.width, frame.height), (SIZE as u32, SIZE as u32));
        assert_eq!(frame.color_type, png::ColorType::Rgb);
        let rgb = buffer[..frame.buffer_size()]
            .chunks(3)
            .map(|p| [p[0], p[1], p[2]])
            .collect();
        // The chunks, walked by their lengths after the signature.
        let mut kinds = Vec::new();
        let mut at = 8;
        while at < png.len() {
            let length = u32::from_be_bytes(png[at..at + 4].try_into().unwrap()) as usize;
            kinds.push(String::from_utf8_lossy(&png[at + 4..at + 8]).into_owned());
            at += 12 + length;
        }
        (rgb, kinds)
    }

    const BLACK: [u8; 3] = [0, 0, 0];
    const WHITE_RGB: [u8; 3] = [255, 255, 255];

    /// Finds the code in the lower part as a scanner would (the box around its dark pixels),
    /// checks that every module is a whole square of one colour inside a white quiet zone, and
    /// reads the modules.
    fn scan(rgb: &[[u8; 3]]) -> (usize, Vec<bool>) {
        let at = |x: usize, y: usize| rgb[y * SIZE + x];
        let dark: Vec<(usize, usize)> = (BAND..SIZE)
            .flat_map(|y| (0..SIZE).map(move |x| (x, y)))
            .filter(|&(x, y)| at(x, y) == BLACK)
            .collect();
        let left = dark.iter().map(|p| p.0).min().unwrap();
        let right = dark.iter().map(|p| p.0).max().unwrap();
        let top = dark.iter().map(|p| p.1).min().unwrap();
        let bottom = dark.iter().map(|p| p.1).max().unwrap();
        assert_eq!(right - left, bottom - top, "the code is square");
        // The top-left finder pattern's outer ring is 7 modules wide.
        let finder = (left..=right).take_while(|&x| at(x, top) == BLACK).count();
        assert_eq!(finder % 7, 0, "a finder of {finder} px");
        let scale = finder / 7;
        assert!(
            scale >= 4,
            "{scale} px per module is too small to scan from a phone"
        );
        let pixels = right - left + 1;
        assert_eq!(pixels % scale, 0);
        let width = pixels / scale;
        // The quiet zone: four modules of white all round.
        let quiet = QUIET_ZONE * scale;
        assert!(left >= quiet && top >= BAND + quiet && right + quiet < SIZE);
        assert!(bottom + quiet < SIZE);
        for y in top - quiet..=bottom + quiet {
            for x in left - quiet..=right + quiet {
                let inside = (left..=right).contains(&x) && (top..=bottom).contains(&y);
                if !inside {
                    assert_eq!(at(x, y), WHITE_RGB, "quiet zone at {x},{y}");
                }
            }
        }
        let mut modules = Vec::new();
        for my in 0..width {
            for mx in 0..width {
                let colour = at(left + mx * scale, top + my * scale);
                assert!(colour == BLACK || colour == WHITE_RGB);
                for y in top + my * scale..top + (my + 1) * scale {
                    for x in left + mx * scale..left + (mx + 1) * scale {
                        assert_eq!(at(x, y), colour, "module {mx},{my} is not one square");
                    }
                }
                modules.push(colour == BLACK);
            }
        }
        (width, modules)
    }

    #[test]
    fn the_card_is_600_square_with_the_pages_code_scannable_in_its_lower_part() {
        for address in [
            "https://wanshan.example.cn/needs/7",
            "http://127.0.0.1:41234/needs/1234567",
            "/needs/7",
            &format!("https://{}:65535/needs/{}", "a".repeat(253), i64::MAX),
        ] {
            let card = png(&need(Window::Medical, money(3000), 0), address).unwrap();
            let (rgb, kinds) = decode(&card);
            assert_eq!(
                kinds,
                ["IHDR", "PLTE", "IDAT", "IEND"],
                "nothing but the picture"
            );
            let (width, read) = scan(&rgb);
            let modules = Modules::encode(address).unwrap();
            assert_eq!(width, modules.width(), "{address}");
            for y in 0..width {
                for x in 0..width {
                    assert_eq!(read[y * width + x], modules.is_dark(x, y), "{address}");
                }
            }
        }
    }

    #[test]
    fn the_top_third_is_the_windows_colour_as_the_board_shows_it() {
        let css = include_str!("../../../style/main.css");
        for window in Window::ALL {
            let [r, g, b] = window_colour(window);
            let rule = format!(
                ".window-{} {{ background: #{r:02x}{g:02x}{b:02x}; }}",
                window.code()
            );
            assert!(css.contains(&rule), "{rule} is not in main.css");
            let card = png(&need(window, Ask::Goods, 0), "https://x.cn/needs/1").unwrap();
            let (rgb, _) = decode(&card);
            for (x, y) in [(0, 0), (SIZE - 1, 0), (0, BAND - 1), (SIZE - 1, BAND - 1)] {
                assert_eq!(rgb[y * SIZE + x], [r, g, b], "{window:?} at {x},{y}");
            }
            assert_eq!(rgb[BAND * SIZE], WHITE_RGB, "the band ends at a third");
            // The heart, white, in the middle of the band.
            assert_eq!(rgb[100 * SIZE + SIZE / 2], WHITE_RGB);
        }
    }

    /// The white (pledged) share of the bar's middle row, in pixels, and its whole length.
    fn bar(rgb: &[[u8; 3]]) -> (usize, usize) {
        let y = BAR_TOP + BAR_HEIGHT / 2;
        let row = &rgb[y * SIZE..(y + 1) * SIZE];
        let colour = row[0];
        let white = row.iter().filter(|&&p| p == WHITE_RGB).count();
        let length = row.iter().filter(|&&p| p != colour).count();
        (white, length)
    }

    #[test]
    fn a_money_needs_bar_shows_how_much_is_pledged_and_other_needs_have_none() {
        let length = BAR_RIGHT - BAR_LEFT;
        for (pledged, expected) in [(0, 0), (75_000, length / 4), (150_000, length / 2)] {
            let card = png(&need(Window::Education, money(3000), pledged), "/needs/7").unwrap();
            assert_eq!(bar(&decode(&card).0), (expected, length), "{pledged}");
        }
        let full = png(&need(Window::Education, money(3000), 300_000), "/needs/7").unwrap();
        assert_eq!(bar(&decode(&full).0), (length, length));
        // Any pledge at all shows, past the bar's rounded end.
        let little = png(&need(Window::Education, money(3000), 1), "/needs/7").unwrap();
        assert!(bar(&decode(&little).0).0 > 0);
        for ask in [Ask::Goods, Ask::Service] {
            let card = png(&need(Window::Education, ask, 0), "/needs/7").unwrap();
            assert_eq!(bar(&decode(&card).0), (0, 0), "{ask:?}");
        }
    }

    #[test]
    fn a_typical_card_is_a_few_kilobytes() {
        let card = png(
            &need(Window::Medical, money(3000), 120_000),
            "https://wanshan.example.cn/needs/1234",
        )
        .unwrap();
        println!("a typical card: {} bytes", card.len());
        assert!(card.len() < 8 * 1024, "{} bytes", card.len());
    }
}
