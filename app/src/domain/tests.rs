//! The public domain's rules, tested.

use super::time::civil_from_days;
use super::*;
use crate::error::AppError;

#[test]
fn fen_accepts_positive_amounts_up_to_the_cap() {
    assert_eq!(Fen::parse(1).unwrap().get(), 1);
    assert_eq!(Fen::parse(50_000_000).unwrap().get(), 50_000_000);
    assert_eq!(Fen::parse(0).unwrap_err().code(), "Invalid");
    assert_eq!(Fen::parse(-500).unwrap_err().code(), "Invalid");
    assert_eq!(Fen::parse(50_000_001).unwrap_err().code(), "Invalid");
}

#[test]
fn yuan_text_is_parsed_exactly() {
    assert_eq!(Fen::parse_yuan("1200").unwrap().get(), 120_000);
    assert_eq!(Fen::parse_yuan("1200.5").unwrap().get(), 120_050);
    assert_eq!(Fen::parse_yuan("￥1,200.05").unwrap().get(), 120_005);
    assert_eq!(Fen::parse_yuan(" 0.01 ").unwrap().get(), 1);
    for bad in ["", "abc", "1.234", "-5", "1e5", "12.3.4", "99999999999"] {
        assert!(Fen::parse_yuan(bad).is_err(), "{bad} should be refused");
    }
}

#[test]
fn an_amount_round_trips_through_what_a_person_types() {
    for fen in [100, 120_050, 5, 50_000_000] {
        let amount = Fen::parse(fen).unwrap();
        assert_eq!(Fen::parse_yuan(&amount.yuan_input()).unwrap(), amount);
    }
    assert_eq!(Fen::parse(120_050).unwrap().yuan_input(), "1200.50");
}

#[test]
fn fen_displays_as_grouped_yuan() {
    assert_eq!(Fen::parse(120_000).unwrap().to_string(), "¥1,200");
    assert_eq!(Fen::parse(12_345_678).unwrap().to_string(), "¥123,456.78");
    assert_eq!(Fen::parse(5).unwrap().to_string(), "¥0.05");
}

#[test]
fn times_show_in_shanghai() {
    // 2026-11-28T16:05:00Z is 2026-11-29 00:05 in Shanghai.
    let t = UtcMillis(1_795_881_900_000);
    assert_eq!(t.shanghai_text(), "11月29日 00:05");
    // 2024-02-29T15:59:59Z and one second later, across a leap day.
    assert_eq!(
        UtcMillis(1_709_222_399_000).shanghai_text(),
        "2月29日 23:59"
    );
    assert_eq!(UtcMillis(1_709_222_400_000).shanghai_text(), "3月1日 00:00");
    // Before 1970 too.
    assert_eq!(civil_from_days(-1), (1969, 12, 31));
    assert_eq!(civil_from_days(0), (1970, 1, 1));
}

#[test]
fn windows_round_trip_through_their_codes() {
    for w in Window::ALL {
        assert_eq!(Window::parse(w.code()).unwrap(), w);
    }
    assert!(Window::parse("casino").is_err());
}

#[test]
fn money_asks_need_an_amount_and_others_must_not_have_one() {
    assert!(Ask::from_parts("money", Some(100)).is_ok());
    assert!(Ask::from_parts("money", None).is_err());
    assert!(Ask::from_parts("money", Some(0)).is_err());
    assert!(Ask::from_parts("goods", Some(100)).is_err());
    assert_eq!(Ask::from_parts("service", None).unwrap(), Ask::Service);
    assert!(Ask::from_parts("lottery", None).is_err());
}

#[test]
fn phones_are_normalised_mainland_mobiles() {
    assert_eq!(
        Phone::parse("138 1234 5678").unwrap().as_str(),
        "13812345678"
    );
    assert_eq!(
        Phone::parse("+86 138-1234-5678").unwrap().as_str(),
        "13812345678"
    );
    for bad in ["12812345678", "1381234567", "138123456789", "02512345678"] {
        assert!(Phone::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn shanghai_dates_round_trip_and_periods_count_calendar_months() {
    let start = UtcMillis::from_shanghai_date(2026, 3, 31).unwrap();
    assert_eq!(start.shanghai_date_text(), "2026-03-31");
    assert_eq!(start.shanghai_text(), "3月31日 00:00");
    assert_eq!(UtcMillis::from_shanghai_date(2026, 2, 29), None);
    assert_eq!(
        UtcMillis::from_shanghai_date(2024, 2, 29)
            .unwrap()
            .shanghai_date_text(),
        "2024-02-29"
    );
    // 31 March minus one month is the end of February.
    assert_eq!(start.months_before(1).shanghai_date_text(), "2026-02-28");
    assert_eq!(start.months_before(12).shanghai_date_text(), "2025-03-31");
    assert_eq!(start.months_before(15).shanghai_date_text(), "2024-12-31");
    let afternoon = UtcMillis(start.0 + 15 * 3_600_000);
    assert_eq!(
        afternoon.months_before(12).0,
        start.months_before(12).0 + 15 * 3_600_000
    );
}

#[test]
fn a_claim_is_due_fourteen_days_after_it_was_made_and_overdue_from_that_moment() {
    let terms = ClaimTerms::DEFAULT;
    let claimed = UtcMillis::from_shanghai_date(2026, 11, 28).unwrap();
    let due = terms.expires_at(claimed);
    assert_eq!(due.shanghai_date_text(), "2026-12-12");
    assert_eq!(due.0 - claimed.0, 14 * 86_400_000);
    // A controllable clock: a millisecond before, at, and after the moment.
    assert!(!ClaimTerms::is_overdue(due, UtcMillis(due.0 - 1)));
    assert!(ClaimTerms::is_overdue(due, due));
    assert!(ClaimTerms::is_overdue(due, UtcMillis(due.0 + 1)));
    let short = ClaimTerms {
        expiry_days: 1,
        ..ClaimTerms::DEFAULT
    };
    assert_eq!(short.expires_at(claimed).shanghai_date_text(), "2026-11-29");
}

#[test]
fn a_textarea_s_line_breaks_are_kept_as_plain_line_breaks() {
    assert_eq!(
        text_field("story", "情况说明", "第一行\r\n第二行\r第三行", 1, 100).unwrap(),
        "第一行\n第二行\n第三行"
    );
}

#[test]
fn text_fields_refuse_empty_oversized_and_control_text() {
    assert_eq!(
        text_field("name", "称呼", " 王先生 ", 1, 30).unwrap(),
        "王先生"
    );
    let empty = text_field("name", "称呼", "   ", 1, 30).unwrap_err();
    assert_eq!(empty, AppError::invalid("name", "请填写称呼。"));
    assert!(text_field("name", "称呼", &"好".repeat(31), 1, 30).is_err());
    assert!(text_field("name", "称呼", "王\u{7}先生", 1, 30).is_err());
}

#[test]
fn the_board_puts_urgent_then_newest_first() {
    let need = |id, urgency, created| PublicNeed {
        id: NeedId(id),
        window: Window::Medical,
        title: String::new(),
        story: String::new(),
        town: String::new(),
        village: String::new(),
        ask: Ask::Goods,
        urgency,
        status: NeedStatus::Published,
        created_at: UtcMillis(created),
        updated_at: UtcMillis(created),
        pledged_fen: 0,
    };
    let mut needs = [
        need(1, Urgency::Normal, 30),
        need(2, Urgency::Urgent, 10),
        need(3, Urgency::Urgent, 20),
    ];
    needs.sort_by(PublicNeed::board_order);
    let ids: Vec<i64> = needs.iter().map(|n| n.id.0).collect();
    assert_eq!(ids, [3, 2, 1]);
}

#[test]
fn filters_admit_by_window_and_town() {
    let filter = BoardFilter {
        window: Some(Window::Education),
        town: Some("延陵镇".into()),
        pages: 0,
    };
    assert_eq!(
        filter.limit(),
        BoardFilter::PAGE_SIZE,
        "no pages means the first page"
    );
    let far = BoardFilter {
        pages: 1000,
        ..filter.clone()
    };
    assert_eq!(
        far.limit(),
        BoardFilter::PAGE_SIZE * i64::from(BoardFilter::MAX_PAGES)
    );
    let mut need = PublicNeed {
        id: NeedId(1),
        window: Window::Education,
        title: String::new(),
        story: String::new(),
        town: "延陵镇".into(),
        village: String::new(),
        ask: Ask::Goods,
        urgency: Urgency::Normal,
        status: NeedStatus::Published,
        created_at: UtcMillis(0),
        updated_at: UtcMillis(0),
        pledged_fen: 0,
    };
    assert!(filter.admits(&need));
    need.town = "司徒镇".into();
    assert!(!filter.admits(&need));
    assert!(BoardFilter::default().admits(&need));
}

#[test]
fn a_pledge_is_at_least_the_minimum_unless_it_takes_all_that_is_left() {
    let terms = ClaimTerms {
        min_pledge: Fen::from_stored(5_000),
        ..ClaimTerms::DEFAULT
    };
    // ¥50 or more is fine; a fen is not, on a ¥9,000 need.
    assert!(terms.check_pledge(Fen::from_stored(5_000), 900_000).is_ok());
    let tiny = terms
        .check_pledge(Fen::from_stored(1), 900_000)
        .unwrap_err();
    assert_eq!(tiny.code(), "Invalid");
    assert!(tiny.to_string().contains("¥50"), "{tiny}");
    // When only ¥12 is left, ¥12 (all of it) closes the need; ¥11 would leave a fen-sized rest.
    assert!(terms.check_pledge(Fen::from_stored(1_200), 1_200).is_ok());
    assert!(terms.check_pledge(Fen::from_stored(1_100), 1_200).is_err());
}

#[test]
fn a_delivery_waits_for_a_volunteer_at_most_the_configured_days() {
    let terms = ClaimTerms {
        confirm_within_days: 7,
        ..ClaimTerms::DEFAULT
    };
    let delivered = UtcMillis::from_shanghai_date(2026, 11, 1).unwrap();
    let week = UtcMillis(delivered.0 + 7 * 86_400_000);
    assert!(!terms.confirmation_overdue(delivered, UtcMillis(week.0 - 1)));
    assert!(terms.confirmation_overdue(delivered, week));
}

#[test]
fn only_a_claim_in_hand_reaches_its_coordinator() {
    assert!(ClaimStatus::Open.in_hand());
    assert!(ClaimStatus::Delivered.in_hand());
    for gone in [
        ClaimStatus::Released,
        ClaimStatus::Expired,
        ClaimStatus::Rejected,
        ClaimStatus::Confirmed,
    ] {
        assert!(!gone.in_hand(), "{gone:?}");
        assert_eq!(ClaimStatus::parse(gone.code()).unwrap(), gone);
    }
}

#[test]
fn public_text_refuses_phone_and_id_numbers_and_says_which_field() {
    for carrying in [
        "请联系13812345678",
        "电话 138 1234 5678",
        "电话138-1234-5678",
        "座机0511-86512345",
        "座机86512345",
        "身份证32118119800101123X",
        "号码１３８１２３４５６７８",
        "电话 138.1234.5678",
        "电话 138/1234/5678",
        "电话 138  1234  5678",
        "座机 (0511) 8651-2345",
    ] {
        let refused = refuse_contact_details("story", "情况说明", carrying).unwrap_err();
        match refused {
            AppError::Invalid { field, message } => {
                assert_eq!(field, "story", "{carrying}");
                assert!(message.contains("情况说明"), "{message}");
            }
            other => panic!("{carrying}: {other:?}"),
        }
    }
    for fine in [
        "透析每月自付约2000元，已欠下30000元",
        "2026-11-29 出院",
        "孩子9岁，3年级",
        "每周3次，共12周",
    ] {
        assert!(
            refuse_contact_details("story", "情况说明", fine).is_ok(),
            "{fine}"
        );
    }
}

#[test]
fn a_town_with_a_control_character_filters_nothing_from_an_address_and_is_refused_from_a_client() {
    let from_address = BoardFilter::from_query(None, Some("延陵\0镇"), None);
    assert_eq!(from_address.town, None);
    let sent = BoardFilter {
        town: Some("延陵\0镇".into()),
        ..BoardFilter::default()
    };
    assert_eq!(sent.check().unwrap_err().code(), "Invalid");
    let fine = BoardFilter::from_query(None, Some("延陵镇"), None);
    assert_eq!(fine.clone().check(), Ok(fine));
}
