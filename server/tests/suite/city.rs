//! A city's configuration file: the app served with the second city shipped in the repository
//! (deploy/cities/jurong.toml) shows that city's name, towns, villages and windows and applies
//! its rules; the real server binary refuses a bad file with the file, the key and the reason.

use crate::support::{household_form, id_number, need_form, spawn_app_with, TestApp};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn jurong() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/cities/jurong.toml")
}

/// Asserts that `response` is a 422 naming `field`.
async fn refused_on(response: reqwest::Response, field: &str) {
    let status = response.status().as_u16();
    let body: serde_json::Value = response.json().await.unwrap_or_default();
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some(field)),
        "{body}"
    );
}

/// A household's form with the village fields set as given.
fn with_village(town: &str, serial: u32, village: &str, typed: &str) -> Vec<(String, String)> {
    let mut form = household_form(town, &id_number(serial), "测试户主");
    for (field, value) in form.iter_mut() {
        match field.as_str() {
            "form[village]" => *value = village.into(),
            "form[address]" => *value = format!("{village}{typed}三组 12 号"),
            _ => {}
        }
    }
    form.push(("form[village_typed]".into(), typed.into()));
    form
}

async fn jurong_app() -> TestApp {
    let city = wanshan_server::city::load(&jurong()).expect("the shipped file is good");
    spawn_app_with(|config| config.city = city).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_city_serves_its_own_board() {
    let app = jurong_app().await;

    // The board: the city's brand, its windows under its names, none switched off.
    let board = app.page("/").await;
    assert!(board.contains("万善句容 · 爱心帮扶"), "{board}");
    assert!(!board.contains("万善丹阳"));
    assert!(
        board.contains(">医疗帮扶</a>"),
        "the relabelled window's chip"
    );
    assert!(board.contains("/?window=education"));
    // (The island's props carry every window's name; no chip or link shows these.)
    for off in [
        "window=insurance",
        "window=services",
        ">助保险<",
        ">服务与文化<",
    ] {
        assert!(
            !board.contains(off),
            "{off} is switched off but on the board"
        );
    }

    // Intake: the city's towns, a listed town's villages to choose from, a typed village for
    // the towns that list none, and only the windows that are on.
    let volunteer = app
        .person(
            "录入志愿者",
            "13700000021",
            &[("volunteer", "天王镇"), ("volunteer", "华阳街道")],
        )
        .await;
    let intake = app
        .get_as(Some(&volunteer), "/intake")
        .await
        .text()
        .await
        .unwrap();
    assert!(intake.contains(r#"<option value="茅山风景区""#), "{intake}");
    assert!(intake.contains(r#"<optgroup label="天王镇">"#));
    assert!(intake.contains(r#"<option value="戴庄村""#));
    assert!(intake.contains(r#"name="form[village_typed]""#));
    assert!(intake.contains(r#"<option value="medical""#) && intake.contains("医疗帮扶"));
    assert!(!intake.contains(r#"<option value="insurance""#));

    // A village not on the town's list is refused on the village, chosen or typed; one on it
    // is taken; a town listing none takes the village typed.
    let register = async |form: Vec<(String, String)>| {
        app.post_fields(Some(&volunteer), "register_household", &form)
            .await
    };
    for (village, typed) in [("示范村", ""), ("", "示范村"), ("丁庄村", "")] {
        let refused = register(with_village("天王镇", 1, village, typed)).await;
        refused_on(refused, "village").await;
    }
    let unlisted = register(with_village("华阳街道", 2, "", "华阳社区")).await;
    assert_eq!(unlisted.status(), 200, "{:?}", unlisted.text().await);
    let typed = "SELECT COUNT(*) FROM households WHERE village = '华阳社区'";
    assert_eq!(app.scalar(typed).await, 1);
    let registered = register(with_village("天王镇", 1, "戴庄村", "")).await;
    assert_eq!(registered.status(), 200);
    let household: i64 = registered.json().await.unwrap();

    // A window switched off takes no new need.
    let off = app
        .post_fields(
            Some(&volunteer),
            "save_need",
            &need_form(household, "insurance", "大病保险自付部分缺口"),
        )
        .await;
    refused_on(off, "window").await;

    // A need published: the city's points, and its village on the public card.
    let council = app
        .person("议事小组", "13700000022", &[("reviewer", "天王镇")])
        .await;
    let approver = app
        .person("复核志愿者", "13700000023", &[("volunteer", "天王镇")])
        .await;
    let need = app
        .enter_need(&volunteer, household, "medical", "透析自付费用缺口")
        .await;
    for (who, stage) in [(&council, "council"), (&approver, "volunteer")] {
        assert_eq!(
            app.approve(who, need, stage, "").await.status(),
            200,
            "{stage}"
        );
    }
    assert_eq!(app.status_of(need).await, "published");
    let points = |reason: &str| {
        format!(
            "SELECT CAST(COALESCE(SUM(points), 0) AS BIGINT) FROM credit_ledger \
             WHERE reason = '{reason}'"
        )
    };
    assert_eq!(app.scalar(&points("intake")).await, 5, "points.intake = 5");
    assert_eq!(
        app.scalar(&points("review")).await,
        2,
        "points.review = 1, two approvals"
    );

    let page = app.page(&format!("/needs/{need}")).await;
    assert!(page.contains("透析自付费用缺口 · 万善句容"), "{page}");
    assert!(page.contains(r#"<meta property="og:site_name" content="万善句容""#));
    assert!(
        page.contains("天王镇 · 戴庄村"),
        "the village, as jurong.toml says"
    );
    assert!(page.contains("医疗帮扶"));
    let board = app.page("/").await;
    assert!(board.contains("透析自付费用缺口") && board.contains("天王镇 · 戴庄村"));
    // The town filter lists the towns with open needs.
    assert!(board.contains(r#"<option value="天王镇""#), "{board}");
    assert!(board.contains(">医疗帮扶</span>"), "the card's window");
}

/// Runs the real server binary with `city_file` and returns its exit status and what it wrote
/// to stderr; the database it was given must not have been created.
fn start_with(city_file: &Path, more: &[(&str, &str)]) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("never.db");
    let mut child = Command::new(env!("CARGO_BIN_EXE_wanshan-server"))
        .envs(more.iter().copied())
        .env("WANSHAN_CITY_FILE", city_file)
        .env("DATABASE_URL", &database)
        .env("WANSHAN_DATA_DIR", dir.path().join("data"))
        .env("WANSHAN_ID_KEY", "wanshan-test-key")
        .env("WANSHAN_ADDR", "127.0.0.1:0")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the server binary runs");
    // It refuses at once; a server that started instead is stopped after 30 s and fails below.
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            break child.wait().unwrap();
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(
        !database.exists(),
        "the database was opened before the city's file was checked"
    );
    (status.code(), stderr)
}

#[test]
fn a_bad_city_file_stops_the_start_with_the_file_the_key_and_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "[[towns]]\nname = \"天王镇\"\nvillages = [\"x_y\"]\n",
            "towns[0].villages[0]: “x_y” may not contain “_”",
        ),
        (
            "[windows.medical]\nlable = \"医\"\n",
            "windows.medical.lable: unknown field `lable`",
        ),
        (
            "[claims]\nexpiry_days = 0\n",
            "claims.expiry_days: 0 is not between 1 and 365 days",
        ),
    ];
    for (i, (text, expected)) in cases.into_iter().enumerate() {
        let file = dir.path().join(format!("city-{i}.toml"));
        std::fs::write(&file, text).unwrap();
        let (code, stderr) = start_with(&file, &[]);
        assert_eq!(code, Some(2), "{stderr}");
        let line = format!("{}: {expected}", file.display());
        assert!(
            stderr.trim_end().lines().count() == 1 && stderr.starts_with(&line),
            "expected one line starting {line:?}, got {stderr:?}"
        );
    }
    let missing = dir.path().join("missing.toml");
    let (code, stderr) = start_with(&missing, &[]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.starts_with(&format!("{}: cannot be read", missing.display())),
        "{stderr}"
    );
    // A setting that moved into the file, still in the environment, would be ignored: refused.
    let (code, stderr) = start_with(&jurong(), &[("WANSHAN_TOWNS", "甲镇,乙镇")]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.starts_with("WANSHAN_TOWNS: this setting moved to the city's file"),
        "{stderr}"
    );
}
