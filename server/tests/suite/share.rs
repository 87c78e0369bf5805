//! A need's share images (`/needs/{id}/qr.svg`, `/needs/{id}/card.png`): read back as a phone
//! would (rqrr finds and decodes the code in the picture), they carry exactly the need page's
//! address and nothing else; only public needs have them; no id makes the server fail.

use crate::support::{household_form, spawn_app, spawn_app_with, TestApp};
use wanshan_app::domain::Window;

/// Every QR code rqrr finds in a greyscale picture, decoded.
fn read_codes(width: usize, height: usize, grey: &[u8]) -> Vec<String> {
    let mut picture =
        rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| grey[y * width + x]);
    picture
        .detect_grids()
        .iter()
        .map(|grid| grid.decode().expect("the code decodes").1)
        .collect()
}

/// The one QR code in the SVG: its path drawn back into a picture at 8 px per unit (module), the
/// way a renderer fills it (nonzero winding, sampled at each unit's centre), then read by rqrr.
fn svg_code(svg: &str) -> String {
    let attribute = |name: &str| {
        svg.split_once(&format!(" {name}=\""))
            .and_then(|(_, rest)| rest.split_once('"'))
            .map(|(value, _)| value.to_owned())
            .unwrap_or_else(|| panic!("no {name} in {svg}"))
    };
    let view: Vec<usize> = attribute("viewBox")
        .split(' ')
        .map(|n| n.parse().unwrap())
        .collect();
    assert_eq!(view[..2], [0, 0]);
    assert_eq!(view[2], view[3], "a square");
    let side = view[2];
    assert!(
        svg.contains(&format!(
            "<rect width=\"{side}\" height=\"{side}\" fill=\"#fff\"/>"
        )),
        "a white background: {svg}"
    );

    // The path's vertical edges (x, from y, to y): all a horizontal ray needs.
    let d = attribute("d");
    let spaced: String = d
        .chars()
        .flat_map(|c| {
            if c.is_ascii_alphabetic() {
                vec![' ', c, ' ']
            } else if c == ',' {
                vec![' ']
            } else {
                vec![c]
            }
        })
        .collect();
    let mut tokens = spaced.split_whitespace();
    let (mut x, mut y, mut start) = (0i64, 0i64, (0i64, 0i64));
    let mut edges = Vec::new();
    fn number(tokens: &mut std::str::SplitWhitespace) -> i64 {
        tokens
            .next()
            .expect("a number")
            .parse()
            .expect("an integer")
    }
    while let Some(command) = tokens.next() {
        match command {
            "M" => {
                (x, y) = (number(&mut tokens), number(&mut tokens));
                start = (x, y);
            }
            "h" => x += number(&mut tokens),
            "H" => x = number(&mut tokens),
            "v" | "V" => {
                let to = if command == "v" {
                    y + number(&mut tokens)
                } else {
                    number(&mut tokens)
                };
                edges.push((x, y, to));
                y = to;
            }
            "z" | "Z" => {
                assert_eq!(x, start.0, "a path that closes on a slant");
                edges.push((x, y, start.1));
                (x, y) = start;
            }
            other => panic!("a path command this test does not draw: {other}"),
        }
    }
    let dark = |mx: usize, my: usize| {
        let (px, py) = (mx as f64 + 0.5, my as f64 + 0.5);
        let winding: i32 = edges
            .iter()
            .filter(|&&(ex, _, _)| ex as f64 > px)
            .map(|&(_, from, to)| {
                if (from as f64) < py && py < to as f64 {
                    1
                } else if (to as f64) < py && py < from as f64 {
                    -1
                } else {
                    0
                }
            })
            .sum();
        winding != 0
    };
    let modules: Vec<bool> = (0..side * side).map(|i| dark(i % side, i / side)).collect();
    const SCALE: usize = 8;
    let width = side * SCALE;
    let grey: Vec<u8> = (0..width * width)
        .map(|i| {
            let (x, y) = (i % width / SCALE, i / width / SCALE);
            if modules[y * side + x] {
                0
            } else {
                255
            }
        })
        .collect();
    let codes = read_codes(width, width, &grey);
    assert_eq!(codes.len(), 1, "one code in the svg: {codes:?}");
    codes.into_iter().next().unwrap()
}

/// The PNG's chunk types, in order.
fn chunks(png: &[u8]) -> Vec<String> {
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    let mut kinds = Vec::new();
    let mut at = 8;
    while at < png.len() {
        let length = u32::from_be_bytes(png[at..at + 4].try_into().unwrap()) as usize;
        kinds.push(String::from_utf8_lossy(&png[at + 4..at + 8]).into_owned());
        at += 12 + length;
    }
    kinds
}

/// The one QR code in the card: decoded with the png crate, 600 × 600, read by rqrr.
fn card_code(png: &[u8]) -> String {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(png));
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buffer = vec![0; reader.output_buffer_size().unwrap()];
    let frame = reader.next_frame(&mut buffer).expect("its picture");
    assert_eq!((frame.width, frame.height), (600, 600), "a 600 px square");
    let channels = frame.color_type.samples();
    let grey: Vec<u8> = buffer[..frame.buffer_size()]
        .chunks(channels)
        .map(|p| match p {
            [g] | [g, _] => *g,
            [r, g, b, ..] => {
                ((u32::from(*r) * 299 + u32::from(*g) * 587 + u32::from(*b) * 114) / 1000) as u8
            }
            [] => unreachable!(),
        })
        .collect();
    let codes = read_codes(600, 600, &grey);
    assert_eq!(codes.len(), 1, "one code on the card: {codes:?}");
    codes.into_iter().next().unwrap()
}

/// Both images of need `id`, checked for their headers: (svg text, png bytes).
async fn images(app: &TestApp, id: i64, host: Option<&str>) -> (String, Vec<u8>) {
    let get = |kind: &str| {
        let mut request = app.http.get(app.url(&format!("/needs/{id}/{kind}")));
        if let Some(host) = host {
            request = request.header("host", host);
        }
        request
    };
    let svg = get("qr.svg").send().await.expect("qr.svg");
    let png = get("card.png").send().await.expect("card.png");
    for (response, kind) in [(&svg, "image/svg+xml"), (&png, "image/png")] {
        assert_eq!(response.status(), 200, "{}", response.url());
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned)
        };
        assert_eq!(header("content-type").as_deref(), Some(kind));
        assert_eq!(
            header("cache-control").as_deref(),
            Some("public, max-age=300")
        );
        assert_eq!(header("x-content-type-options").as_deref(), Some("nosniff"));
    }
    (
        svg.text().await.expect("svg text"),
        png.bytes().await.expect("png bytes").to_vec(),
    )
}

/// Nothing in the images but the code: no text, style or script in the SVG; no chunk in the PNG
/// beyond its header, palette, picture and end.
fn only_the_code(svg: &str, png: &[u8], words: &[&str]) {
    assert!(svg.starts_with("<svg "), "{svg}");
    assert_eq!(
        svg.matches('<').count(),
        4,
        "svg, rect, path, </svg>: {svg}"
    );
    assert_eq!(chunks(png), ["IHDR", "PLTE", "IDAT", "IEND"]);
    for word in words {
        assert!(!svg.contains(word), "{word} in the svg");
        assert!(
            !png.windows(word.len()).any(|w| w == word.as_bytes()),
            "{word} in the card"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn share_images_carry_the_need_pages_address_as_the_request_named_the_host() {
    let app = spawn_app().await;
    let need = app
        .publish("助学：书本费", Window::Education, "云阳街道")
        .await;
    let id = need.id.0;
    let (svg, png) = images(&app, id, None).await;
    let address = format!("{}/needs/{id}", app.base);
    assert!(address.starts_with("http://127.0.0.1:"), "{address}");
    assert_eq!(svg_code(&svg), address);
    assert_eq!(card_code(&png), address);
    println!("card.png of a money need: {} bytes", png.len());
    assert!(png.len() < 8 * 1024, "a card of {} bytes", png.len());
    only_the_code(&svg, &png, &["书本费", "云阳街道", "身份信息"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_configured_public_address_is_the_one_in_the_images_whatever_the_host() {
    let app = spawn_app_with(|config| {
        config.public_url = Some("https://wanshan.example.cn".into());
    })
    .await;
    let id = app
        .publish("助医：药费", Window::Medical, "延陵镇")
        .await
        .id
        .0;
    let address = format!("https://wanshan.example.cn/needs/{id}");
    for host in [None, Some("other.example.com")] {
        let (svg, png) = images(&app, id, host).await;
        assert_eq!(svg_code(&svg), address, "Host {host:?}");
        assert_eq!(card_code(&png), address, "Host {host:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hostile_host_is_never_reflected_the_code_then_carries_the_bare_path() {
    let app = spawn_app().await;
    let id = app
        .publish("助残：轮椅", Window::Disability, "珥陵镇")
        .await
        .id
        .0;
    let hostile = "evil\"><script>alert(1)</script>";
    let (svg, png) = images(&app, id, Some(hostile)).await;
    assert!(!svg.contains("<script"), "{svg}");
    assert!(!svg.contains("evil"), "{svg}");
    assert_eq!(svg_code(&svg), format!("/needs/{id}"));
    assert_eq!(card_code(&png), format!("/needs/{id}"));
    only_the_code(&svg, &png, &["evil", "script"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_a_public_need_has_images_and_no_id_makes_the_server_fail() {
    let app = spawn_app().await;
    // A need in review, entered for a household whose details must never reach an image.
    let author = app
        .person("志愿者甲", "13700000011", &[("volunteer", "")])
        .await;
    let second = app
        .person("志愿者乙", "13700000012", &[("volunteer", "延陵镇")])
        .await;
    let council = app
        .person("延陵镇议事小组", "13700000013", &[("reviewer", "延陵镇")])
        .await;
    let household = app
        .register_household(&author, "延陵镇", &crate::support::id_number(1))
        .await;
    let in_review = app
        .enter_need(&author, household, "medical", "透析自付费用缺口")
        .await;
    assert_eq!(app.status_of(in_review).await, "council_review");
    let claimed = app
        .publish("家居：修屋顶", Window::Home, "延陵镇")
        .await
        .id
        .0;
    assert_eq!(
        app.claim_need(claimed, "爱心人士", "13800001111")
            .await
            .status(),
        200
    );
    assert_eq!(app.status_of(claimed).await, "claimed");

    let unknown = (claimed + 1000).to_string();
    let review = in_review.to_string();
    for id in [
        review.as_str(),
        &unknown,
        "abc",
        "-1",
        "0",
        "+1",
        "1.0",
        "%20",
        "123456789012345678901234567890",
        "9223372036854775808",
    ] {
        for kind in ["qr.svg", "card.png"] {
            let response = app
                .http
                .get(app.url(&format!("/needs/{id}/{kind}")))
                .send()
                .await
                .expect("answered");
            assert_eq!(response.status(), 404, "/needs/{id}/{kind}");
            assert_eq!(
                response
                    .headers()
                    .get("content-type")
                    .and_then(|v| v.to_str().ok()),
                Some("text/plain; charset=utf-8")
            );
            let body = response.text().await.unwrap();
            assert!(body.chars().count() < 40, "{body}");
        }
    }

    // A claimed need keeps its page, and so its images.
    let (svg, png) = images(&app, claimed, None).await;
    assert_eq!(svg_code(&svg), format!("{}/needs/{claimed}", app.base));
    assert_eq!(card_code(&png), format!("{}/needs/{claimed}", app.base));

    // Once published, the need in review has them too, with nothing of its household.
    assert_eq!(
        app.approve(&council, in_review, "council", "")
            .await
            .status(),
        200
    );
    assert_eq!(
        app.approve(&second, in_review, "volunteer", "")
            .await
            .status(),
        200
    );
    let (svg, png) = images(&app, in_review, None).await;
    assert_eq!(svg_code(&svg), format!("{}/needs/{in_review}", app.base));
    assert_eq!(card_code(&png), format!("{}/needs/{in_review}", app.base));
    let form = household_form("延陵镇", &crate::support::id_number(1), "测试户主");
    let mut private: Vec<&str> = form
        .iter()
        .filter(|(field, _)| !field.contains("town") && !field.contains("count"))
        .map(|(_, value)| value.as_str())
        .filter(|value| value.len() > 2)
        .collect();
    private.extend(["透析", "户主腿脚不便", "自付部分"]);
    only_the_code(&svg, &png, &private);
}
