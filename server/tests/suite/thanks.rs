//! The family's thanks and the need's page: a code issued once a delivery is checked, shown
//! once, used once by the family without an account; wrong codes locked; the donor sees the
//! thanks; the page shows the timeline with masked donors; the donor's certificate.

use crate::fulfilment::{claim_id, volunteer};
use crate::support::{spawn_app, status_and_code, Person, TestApp};
use serde_json::Value;

/// A claim of a fresh money need coordinated by `author` in 延陵镇, delivered by `donor`.
async fn delivered(app: &TestApp, author: &Person, donor: &Person) -> (i64, i64) {
    let need = app.publish_money("助听器一副", "延陵镇", 800, author).await;
    let claim = claim_id(app.claim_as(donor, need).await).await;
    assert_eq!(app.deliver(donor, claim, None).await.status(), 204);
    (need, claim)
}

/// Issues the family code of `claim` as `volunteer` and reads it off the slip (shown once).
async fn issue_code(app: &TestApp, volunteer: &Person, claim: i64) -> String {
    let issued = app
        .post_as(
            Some(volunteer),
            "issue_family_code",
            &[("claim_id", &claim.to_string())],
        )
        .await;
    assert_eq!(issued.status(), 200);
    let slip = show_slip(app, volunteer, claim).await;
    slip["code"]
        .as_str()
        .expect("the code, the first time")
        .to_owned()
}

async fn show_slip(app: &TestApp, volunteer: &Person, claim: i64) -> Value {
    let response = app
        .post_as(
            Some(volunteer),
            "show_family_slip",
            &[("claim_id", &claim.to_string())],
        )
        .await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn family_confirms(
    app: &TestApp,
    code: &str,
    message: &str,
    public: bool,
) -> reqwest::Response {
    let mut fields = vec![("code", code), ("received", "on"), ("message", message)];
    if public {
        fields.push(("public", "on"));
    }
    app.post_as(None, "confirm_received", &fields).await
}

/// The same code with its secret changed (same slip, wrong secret).
fn wrong_secret(code: &str) -> String {
    let (slip, secret) = code.split_once('-').unwrap();
    let flipped: String = secret
        .chars()
        .map(|c| if c == '2' { '3' } else { '2' })
        .collect();
    format!("{slip}-{flipped}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_family_confirms_once_with_the_code_and_the_donor_sees_their_thanks() {
    let app = spawn_app().await;
    let author = volunteer(&app).await;
    let donor = app.donor("王晓明").await;
    let (need, claim) = delivered(&app, &author, &donor).await;
    let code = issue_code(&app, &author, claim).await;
    // Shown once: the slip does not show it again, and the database keeps only its hash.
    assert_eq!(show_slip(&app, &author, claim).await["code"], Value::Null);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM family_thanks WHERE code_to_show IS NOT NULL")
            .await,
        0
    );
    // Checked by a volunteer: the claim waits for the family, not for the donor.
    let mine = app.my_claims(&donor).await;
    assert_eq!(mine[0]["status"], "delivered");
    assert_eq!(mine[0]["awaiting_family"], true);
    assert_eq!(app.status_of(need).await, "claimed");

    // A family member on any phone, with no account, in lower case with spaces.
    let typed = code.to_lowercase().replace('-', " ");
    let response = family_confirms(&app, &typed, "谢谢好心人，助听器很好用！", true).await;
    assert_eq!(response.status(), 200);
    let receipt: Value = response.json().await.unwrap();
    assert_eq!(receipt["need_id"], need);
    assert_eq!(receipt["fulfilled"], true);
    assert_eq!(app.status_of(need).await, "fulfilled");
    // Once only.
    let again = family_confirms(&app, &code, "", false).await;
    assert_eq!(status_and_code(again).await, (410, "CodeSpent".into()));

    // The donor sees that the family confirmed, and what they said.
    let mine = app.my_claims(&donor).await;
    assert_eq!(mine[0]["status"], "confirmed");
    assert_eq!(mine[0]["thanks"]["message"], "谢谢好心人，助听器很好用！");
    let page = app
        .get_as(Some(&donor), "/my/claims")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("谢谢好心人，助听器很好用！"), "{page}");
    assert!(page.contains(&format!("/my/claims/{claim}/certificate")));
    // The family said it may be public: it is on the need's page, with the confirmation.
    let public = app.page(&format!("/needs/{need}")).await;
    assert!(
        public.contains("家庭留言：谢谢好心人，助听器很好用！"),
        "{public}"
    );
    assert!(public.contains("家庭确认收到"), "{public}");
    assert!(public.contains("需求已全部完成"));
    // The volunteer who issued the code earned the confirmation, the donor the fulfilment.
    let earned: Vec<(i64, String)> =
        sqlx::query_as("SELECT user_id, reason FROM credit_ledger ORDER BY id")
            .fetch_all(&app.state.db.pool)
            .await
            .unwrap();
    assert_eq!(
        earned,
        [
            (donor.id.0, "fulfilment".into()),
            (author.id.0, "confirmation".into())
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_private_message_reaches_the_donor_only() {
    let app = spawn_app().await;
    let author = volunteer(&app).await;
    let donor = app.donor("李女士").await;
    let (need, claim) = delivered(&app, &author, &donor).await;
    let code = issue_code(&app, &author, claim).await;
    assert_eq!(
        family_confirms(&app, &code, "孩子的学费有着落了", false)
            .await
            .status(),
        200
    );
    assert_eq!(
        app.my_claims(&donor).await[0]["thanks"]["message"],
        "孩子的学费有着落了"
    );
    let public = app.page(&format!("/needs/{need}")).await;
    assert!(
        !public.contains("孩子的学费有着落了"),
        "a private message on the public page"
    );
    let json = app
        .post_as(None, "get_need_page", &[("id", &need.to_string())])
        .await
        .text()
        .await
        .unwrap();
    assert!(!json.contains("孩子的学费有着落了"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_from_the_family_is_refused_naming_the_field_and_spends_nothing() {
    let app = spawn_app().await;
    let author = volunteer(&app).await;
    let donor = app.donor("张先生").await;
    let (need, claim) = delivered(&app, &author, &donor).await;
    let code = issue_code(&app, &author, claim).await;
    for (fields, field) in [
        (
            vec![
                ("code", code.as_str()),
                ("received", "on"),
                ("message", "有事打 138 1234 5678"),
            ],
            "message",
        ),
        (
            vec![
                ("code", code.as_str()),
                ("received", "on"),
                ("message", "身份证 320123199001011234"),
            ],
            "message",
        ),
        (
            vec![("code", code.as_str()), ("message", "谢谢")],
            "received",
        ),
        (vec![("code", "K0O1-ILLL"), ("received", "on")], "code"),
    ] {
        let response = app.post_as(None, "confirm_received", &fields).await;
        assert_eq!(response.status(), 422, "{fields:?}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["field"], field, "{body}");
    }
    assert_eq!(app.status_of(need).await, "claimed");
    // The code still works after all that.
    assert_eq!(family_confirms(&app, &code, "", false).await.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_wrong_tries_lock_a_code_for_an_hour() {
    let app = spawn_app().await;
    let author = volunteer(&app).await;
    let donor = app.donor("赵女士").await;
    let (need, claim) = delivered(&app, &author, &donor).await;
    let code = issue_code(&app, &author, claim).await;
    for _ in 0..5 {
        let wrong = family_confirms(&app, &wrong_secret(&code), "", false).await;
        assert_eq!(status_and_code(wrong).await, (422, "WrongCode".into()));
    }
    // Locked: even the right code is refused, and nothing changes.
    let locked = family_confirms(&app, &code, "", false).await;
    assert_eq!(status_and_code(locked).await, (429, "CodeLocked".into()));
    assert_eq!(app.status_of(need).await, "claimed");
    // An hour later (the lock moved into the past) the right code works.
    sqlx::query("UPDATE family_thanks SET locked_until = locked_until - 3600001")
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(family_confirms(&app, &code, "", false).await.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_cannot_walk_through_codes() {
    let app = spawn_app().await;
    // Twenty wrong codes from one address; the twenty-first try is refused before any lookup.
    for n in 0..20 {
        let guess = format!("2345-{:04}", 2222 + n % 7);
        let response = family_confirms(&app, &guess, "", false).await;
        assert_eq!(
            status_and_code(response).await,
            (422, "WrongCode".into()),
            "try {n}"
        );
    }
    let refused = family_confirms(&app, "2345-6789", "", false).await;
    assert_eq!(status_and_code(refused).await, (429, "CodeLocked".into()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_code_replaces_the_old_and_a_rejected_delivery_spends_it() {
    let app = spawn_app().await;
    let author = volunteer(&app).await;
    let donor = app.donor("钱先生").await;
    let (_, claim) = delivered(&app, &author, &donor).await;
    let first = issue_code(&app, &author, claim).await;
    let second = issue_code(&app, &author, claim).await;
    assert_ne!(first, second);
    let old = family_confirms(&app, &first, "", false).await;
    assert_eq!(
        status_and_code(old).await.0,
        422,
        "the replaced code still worked"
    );
    let rejected = app
        .post_as(
            Some(&author),
            "reject_delivery",
            &[
                ("claim_id", &claim.to_string()),
                ("reason", "家属说没有收到"),
            ],
        )
        .await;
    assert_eq!(rejected.status(), 200);
    let after = family_confirms(&app, &second, "", false).await;
    assert_eq!(status_and_code(after).await, (410, "CodeSpent".into()));
    assert_eq!(app.my_claims(&donor).await[0]["status"], "rejected");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_family_phones_racing_one_code_confirm_once() {
    let app = spawn_app().await;
    let author = volunteer(&app).await;
    let donor = app.donor("孙女士").await;
    let (_, claim) = delivered(&app, &author, &donor).await;
    let code = issue_code(&app, &author, claim).await;
    let tries = (0..8).map(|_| family_confirms(&app, &code, "谢谢", true));
    let statuses: Vec<u16> = futures::future::join_all(tries)
        .await
        .into_iter()
        .map(|r| r.status().as_u16())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    // The others find it spent (410) or, past the round's five tries, locked (429).
    assert!(
        statuses.iter().all(|s| [200, 410, 429].contains(s)),
        "{statuses:?}"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM credit_ledger WHERE reason = 'fulfilment'")
            .await,
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_volunteer_confirms_without_the_family_only_with_a_reason_and_the_code_stops() {
    let app = spawn_app().await;
    let author = volunteer(&app).await;
    let donor = app.donor("周先生").await;
    let (need, claim) = delivered(&app, &author, &donor).await;
    let code = issue_code(&app, &author, claim).await;
    let bare = app
        .post_as(
            Some(&author),
            "confirm_delivery",
            &[("claim_id", &claim.to_string())],
        )
        .await;
    assert_eq!(bare.status(), 422);
    assert_eq!(bare.json::<Value>().await.unwrap()["field"], "reason");
    let with_phone = app
        .post_as(
            Some(&author),
            "confirm_delivery",
            &[
                ("claim_id", &claim.to_string()),
                ("reason", "请联系 13812345678"),
            ],
        )
        .await;
    assert_eq!(with_phone.status(), 422);
    assert_eq!(app.status_of(need).await, "claimed");
    let confirmed = app
        .post_as(
            Some(&author),
            "confirm_delivery",
            &[
                ("claim_id", &claim.to_string()),
                ("reason", "老人不识字，已当面确认收到"),
            ],
        )
        .await;
    assert_eq!(confirmed.status(), 200);
    assert_eq!(app.status_of(need).await, "fulfilled");
    let late = family_confirms(&app, &code, "", false).await;
    assert_eq!(status_and_code(late).await, (410, "CodeSpent".into()));
    let page = app.page(&format!("/needs/{need}")).await;
    assert!(page.contains("志愿者确认"), "{page}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_checked_delivery_no_longer_counts_against_the_donor() {
    let app = spawn_app_with_unconfirmed(1).await;
    let author = volunteer(&app).await;
    let donor = app.donor("吴女士").await;
    let (_, claim) = delivered(&app, &author, &donor).await;
    let next = app.publish_money("轮椅一台", "延陵镇", 600, &author).await;
    let refused = app.claim_as(&donor, next).await;
    assert_eq!(
        status_and_code(refused).await,
        (409, "TooManyUnconfirmed".into())
    );
    issue_code(&app, &author, claim).await;
    assert_eq!(app.claim_as(&donor, next).await.status(), 200);
}

async fn spawn_app_with_unconfirmed(limit: u32) -> TestApp {
    crate::support::spawn_app_with(|config| config.max_unconfirmed = limit).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_certificate_is_the_donors_alone_and_says_it_is_no_tax_receipt() {
    let app = spawn_app().await;
    let author = volunteer(&app).await;
    let donor = app.donor("郑晓红").await;
    let (_, claim) = delivered(&app, &author, &donor).await;
    let path = format!("/my/claims/{claim}/certificate");
    // Not before it is confirmed.
    let early = app
        .post_as(
            Some(&donor),
            "get_claim_certificate",
            &[("claim_id", &claim.to_string())],
        )
        .await;
    assert_eq!(status_and_code(early).await, (422, "Invalid".into()));
    let code = issue_code(&app, &author, claim).await;
    assert_eq!(family_confirms(&app, &code, "", false).await.status(), 200);
    let page = app.get_as(Some(&donor), &path).await.text().await.unwrap();
    assert!(page.contains("爱心认领凭证"), "{page}");
    assert!(page.contains("郑晓红"));
    assert!(page.contains("¥800"), "{page}");
    assert!(page.contains("不是捐赠票据"));
    assert!(page.contains("家庭确认"));
    // Another donor gets no certificate of it (nor its name).
    let other = app.donor("旁人").await;
    let theirs = app.get_as(Some(&other), &path).await.text().await.unwrap();
    assert!(!theirs.contains("郑晓红"));
    assert!(theirs.contains("您没有权限"), "{theirs}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_need_page_is_public_once_published_and_stays_after_the_claim() {
    let app = spawn_app().await;
    let author = volunteer(&app).await;
    let need = app
        .publish_money("白内障手术费用", "延陵镇", 3000, &author)
        .await;
    let page = app.page(&format!("/needs/{need}")).await;
    assert!(page.contains("白内障手术费用"));
    assert!(page.contains("等待认领"));
    assert!(page.contains("需要 ¥3,000"), "{page}");
    assert!(page.contains("我来认领"));
    // The share card: absolute addresses of the page and its image (the request's host).
    let host = app.url("");
    assert!(
        page.contains(&format!(
            "property=\"og:url\" content=\"{host}/needs/{need}\""
        )),
        "{page}"
    );
    assert!(page.contains(&format!(
        "property=\"og:image\" content=\"{host}/needs/{need}/card.png\""
    )));
    assert!(page.contains("og:title"));
    // Board cards link to it.
    assert!(app
        .page("/")
        .await
        .contains(&format!("href=\"/needs/{need}\"")));

    // A donor pledges part: the page shows them masked, never their phone.
    let donor = app.donor("王晓明").await;
    sqlx::query("UPDATE users SET show_name = 1 WHERE id = $1")
        .bind(donor.id.0)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    let anonymous = app.donor("李四").await;
    for (who, yuan) in [(&donor, "1000"), (&anonymous, "")] {
        let response = app
            .post_as(
                Some(who),
                "claim_need",
                &[("need_id", &need.to_string()), ("amount", yuan)],
            )
            .await;
        assert_eq!(response.status(), 200);
    }
    let page = app.page(&format!("/needs/{need}")).await;
    assert!(page.contains("已被爱心人士认领"), "{page}");
    assert!(page.contains("王* 认捐 ¥1,000"), "{page}");
    assert!(page.contains("匿名爱心人士 认捐 ¥2,000"), "{page}");
    for private in [
        "王晓明",
        "李四",
        &donor.phone,
        &anonymous.phone,
        &author.phone,
        "协调志愿者",
    ] {
        assert!(!page.contains(private), "{private} on the public page");
    }
    assert!(page.contains("发布到爱心需求墙"));
    // The poster: the need and its QR code.
    let poster = app.page(&format!("/needs/{need}/poster")).await;
    assert!(poster.contains("白内障手术费用") && poster.contains(&format!("/needs/{need}/qr.svg")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_need_not_public_is_a_404_page_for_everyone() {
    let app = spawn_app().await;
    let author = volunteer(&app).await;
    let household = app
        .register_household(&author, "延陵镇", &crate::support::id_number(77))
        .await;
    let draft = app
        .enter_need(&author, household, "medical", "还在录入的需求")
        .await;
    for path in [
        format!("/needs/{draft}"),
        format!("/needs/{draft}/poster"),
        "/needs/999999".to_owned(),
        "/needs/abc".to_owned(),
        "/needs/-1".to_owned(),
        "/needs/123456789012345678901234567890".to_owned(),
    ] {
        for who in [None, Some(&author)] {
            let response = app.get_as(who, &path).await;
            assert_eq!(response.status(), 404, "{path}");
            let body = response.text().await.unwrap();
            assert!(body.contains("<html"), "{path}: not a page");
            assert!(body.contains("页面不存在"), "{path}: {body}");
            assert!(!body.contains("还在录入的需求"), "{path}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_javascript_a_donor_claims_on_the_need_page_and_returns_to_it() {
    let app = spawn_app().await;
    let author = volunteer(&app).await;
    let need = app
        .publish_money("助学：新学期学费", "延陵镇", 2000, &author)
        .await;
    let donor = app.donor("陈女士").await;
    let page = app
        .get_as(Some(&donor), &format!("/needs/{need}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("name=\"from\" value=\"page\""), "{page}");
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .unwrap();
    let response = client
        .post(app.url("/api/claim_need"))
        .header("cookie", &donor.cookie)
        .header("accept", "text/html")
        .form(&[
            ("need_id", need.to_string().as_str()),
            ("amount", ""),
            ("from", "page"),
        ])
        .send()
        .await
        .unwrap();
    assert!(response.status().is_redirection(), "{}", response.status());
    assert_eq!(
        response.headers()["location"].to_str().unwrap(),
        format!("/needs/{need}?claimed=1")
    );
    let after = app
        .get_as(Some(&donor), &format!("/needs/{need}?claimed=1"))
        .await
        .text()
        .await
        .unwrap();
    assert!(after.contains("认领成功"), "{after}");
    assert!(after.contains("已被爱心人士认领"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_guesses_in_parallel_get_five_tries_and_a_code_dies_after_three_rounds() {
    let app = spawn_app().await;
    let author = volunteer(&app).await;
    let donor = app.donor("冯先生").await;
    let (need, claim) = delivered(&app, &author, &donor).await;
    let code = issue_code(&app, &author, claim).await;
    // Twelve wrong guesses at once: five are tried, the rest find the code locked.
    let wrong = wrong_secret(&code);
    let guesses = (0..12).map(|_| family_confirms(&app, &wrong, "", false));
    let mut codes = Vec::new();
    for response in futures::future::join_all(guesses).await {
        codes.push(status_and_code(response).await.1);
    }
    assert_eq!(
        codes.iter().filter(|c| *c == "WrongCode").count(),
        5,
        "{codes:?}"
    );
    assert_eq!(
        codes.iter().filter(|c| *c == "CodeLocked").count(),
        7,
        "{codes:?}"
    );
    // Two more rounds of five, each after its lock ran out: the code is then spent for good.
    for _ in 0..2 {
        sqlx::query("UPDATE family_thanks SET locked_until = 0")
            .execute(&app.state.db.pool)
            .await
            .unwrap();
        for _ in 0..5 {
            let wrong = family_confirms(&app, &wrong_secret(&code), "", false).await;
            assert_eq!(status_and_code(wrong).await.1, "WrongCode");
        }
    }
    sqlx::query("UPDATE family_thanks SET locked_until = 0")
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    let dead = family_confirms(&app, &code, "", false).await;
    assert_eq!(status_and_code(dead).await, (410, "CodeSpent".into()));
    assert_eq!(app.status_of(need).await, "claimed");
    // A new code from the volunteer works.
    let fresh = issue_code(&app, &author, claim).await;
    assert_eq!(family_confirms(&app, &fresh, "", false).await.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_family_and_the_volunteer_confirming_at_once_confirm_once_without_a_failure() {
    for round in 0..4 {
        let app = spawn_app().await;
        let author = volunteer(&app).await;
        let donor = app.donor(&format!("同时确认{round}")).await;
        let (need, claim) = delivered(&app, &author, &donor).await;
        let code = issue_code(&app, &author, claim).await;
        let claim_text = claim.to_string();
        let fields = [
            ("claim_id", claim_text.as_str()),
            ("reason", "老人不会用手机，当面确认"),
        ];
        let (family, volunteer) = tokio::join!(
            family_confirms(&app, &code, "谢谢", true),
            app.post_as(Some(&author), "confirm_delivery", &fields)
        );
        let statuses = [family.status().as_u16(), volunteer.status().as_u16()];
        assert_eq!(
            statuses.iter().filter(|s| **s == 200).count(),
            1,
            "{statuses:?}"
        );
        assert!(statuses.iter().all(|s| *s < 500), "{statuses:?}");
        assert_eq!(app.status_of(need).await, "fulfilled");
        assert_eq!(
            app.scalar("SELECT COUNT(*) FROM credit_ledger WHERE reason = 'fulfilment'")
                .await,
            1
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_cannot_put_words_of_its_own_on_the_thanks_page() {
    use base64::Engine as _;
    let app = spawn_app().await;
    let forged = serde_json::json!({
        "code": "Invalid",
        "message": "确认码已失效，请致电 4008-123-456 提供银行卡号",
        "field": "code",
    });
    let err = base64::engine::general_purpose::URL_SAFE.encode(forged.to_string());
    let page = app
        .page(&format!("/thanks?__path=/api/confirm_received&__err={err}"))
        .await;
    assert!(!page.contains("银行卡号"), "{page}");
    assert!(
        page.contains("确认码是 8 位字母和数字"),
        "the field's own words: {page}"
    );
}
