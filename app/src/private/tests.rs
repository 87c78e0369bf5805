//! The private types' rules, tested.

use super::*;
use crate::domain::*;
use crate::error::AppError;

#[test]
fn id_numbers_are_checked_by_their_check_digit() {
    // A valid number built from the published check-digit rule.
    let id = IdNumber::parse("11010519491231002x").unwrap();
    assert_eq!(id.last4(), "002X");
    assert!(!format!("{id:?}").contains("110105"));
    assert_eq!(
        IdNumber::parse("110105194912310021").unwrap_err().code(),
        "Invalid"
    );
    assert!(IdNumber::parse("1101051949123100").is_err());
    assert!(IdNumber::parse("11010519491231002Y").is_err());
}

#[cfg(feature = "ssr")]
#[test]
fn the_key_depends_on_the_secret_and_not_on_spacing_or_case() {
    let a = IdKey(b"secret-a".to_vec());
    let b = IdKey(b"secret-b".to_vec());
    let id = IdNumber::parse("11010519491231002X").unwrap();
    let spaced = IdNumber::parse("110105 19491231 002x").unwrap();
    assert_eq!(id.key(&a), spaced.key(&a));
    assert_ne!(id.key(&a), id.key(&b));
    assert_eq!(id.key(&a).len(), 64);
}

#[test]
fn private_notes_keep_their_line_breaks_but_no_other_control_character() {
    let form = |notes: &str| NeedForm {
        household_id: "1".into(),
        window: "medical".into(),
        title: "孩子上学需要一台电脑".into(),
        story: "家中老人住院，医保报销后自付部分仍有缺口。".into(),
        ask_kind: "goods".into(),
        urgency: "2".into(),
        private_notes: notes.into(),
        ..NeedForm::default()
    };
    let entry = NeedEntry::parse(&form("第一行\r\n第二行")).unwrap();
    assert_eq!(entry.private_notes, "第一行\r\n第二行");
    for bad in ["备注\0备注", "备注\u{1b}[31m", "备注\u{7f}"] {
        let error = NeedEntry::parse(&form(bad)).unwrap_err();
        assert_eq!(
            error,
            AppError::invalid("private_notes", "内部备注含有无法显示的字符。")
        );
    }
}

#[cfg(feature = "ssr")]
#[test]
fn an_imported_agency_or_cause_with_a_control_character_is_a_bad_row() {
    let key = IdKey(b"secret".to_vec());
    let file = |agency: &str, cause: &str| {
        format!("身份证号,机构,窗口,事由,日期,金额\n11010519491231002X,{agency},助医,{cause},2026-01-05,100\n")
    };
    assert_eq!(
        parse_aid_import(&key, &file("市慈善总会", "住院"))
            .unwrap()
            .len(),
        1
    );
    for (agency, cause) in [
        ("市慈善\0总会", "住院"),
        ("市慈善总会", "住\0院"),
        ("市慈善总会", "\u{1b}[2J"),
    ] {
        let error = parse_aid_import(&key, &file(agency, cause)).unwrap_err();
        assert!(error.to_string().contains("第 2 行"), "{error}");
        assert!(error.to_string().contains("含有无法显示的字符"), "{error}");
    }
}

fn entry(window: Window, at: i64, need: Option<i64>) -> AidEntry {
    AidEntry {
        source: match need {
            Some(id) => AidSource::Here {
                need_id: NeedId(id),
                status: NeedStatus::Claimed,
            },
            None => AidSource::Agency {
                agency: "丹阳市慈善总会".into(),
            },
        },
        window,
        cause: "住院".into(),
        at: UtcMillis(at),
        amount: None,
    }
}

#[test]
fn only_same_window_aid_within_the_period_warns() {
    const DAY: i64 = 86_400_000;
    let now = UtcMillis(1_000 * DAY);
    let history = AidHistory::for_need(
        vec![
            entry(Window::Medical, 1_000 * DAY - 30 * DAY, None),
            entry(Window::Medical, 1_000 * DAY - 400 * DAY, None),
            entry(Window::Education, 1_000 * DAY - 10 * DAY, None),
            entry(Window::Medical, 1_000 * DAY - DAY, Some(7)),
        ],
        Window::Medical,
        now,
        12,
        Some(NeedId(7)),
    );
    assert_eq!(
        history.entries.len(),
        3,
        "the need under review is not its own history"
    );
    let warned: Vec<_> = history
        .warnings
        .iter()
        .map(|&i| &history.entries[i])
        .collect();
    assert_eq!(warned.len(), 1);
    assert_eq!(warned[0].at, UtcMillis(970 * DAY));
}

fn wang_household() -> HouseholdView {
    HouseholdView {
        id: HouseholdId(1),
        town: "司徒镇".into(),
        village: "砖井村".into(),
        head_name: "王建国".into(),
        id_last4: "002X".into(),
        address: "司徒镇砖井村3组15号".into(),
        phone: "13912345678".into(),
        members: "妻子、儿子".into(),
        member_count: 3,
        low_income: LowIncome::Expenditure,
    }
}

#[test]
fn a_needs_public_text_may_not_name_its_household() {
    let household = wang_household();
    for (text, what) in [
        ("王建国家的孩子需要助听器", "户主姓名"),
        ("王 建 国 需要帮助", "户主姓名"),
        ("住在砖井村3组15号的老人", "住址"),
        ("地址：司徒镇砖井村3组15号", "住址"),
    ] {
        match household.refuse_in_public_text("story", "情况说明", text) {
            Err(AppError::Invalid { field, message }) => {
                assert_eq!(field, "story");
                assert!(message.contains(what), "{text}: {message}");
            }
            other => panic!("{text}: {other:?}"),
        }
    }
    // The village alone, the surname with a kinship word, and numbers that are not its phone
    // or house number pass.
    for fine in ["砖井村的王大爷今年七十岁", "孩子3年级，每月自付1500元"] {
        assert!(
            household
                .refuse_in_public_text("story", "情况说明", fine)
                .is_ok(),
            "{fine}"
        );
    }
}

#[test]
fn an_entered_need_is_placed_in_its_town_and_its_village_only_if_the_city_shows_villages() {
    let form = NeedForm {
        household_id: "1".into(),
        window: "medical".into(),
        title: "透析费用缺口".into(),
        story: "每周透析三次，医保报销后每月自付约两千元。".into(),
        ask_kind: "money".into(),
        amount: "6000".into(),
        urgency: "3".into(),
        ..NeedForm::default()
    };
    let entry = NeedEntry::parse(&form).unwrap();
    let household = wang_household();
    let hidden = entry.for_household(&household, false).unwrap();
    assert_eq!(
        (hidden.town.as_str(), hidden.village.as_str()),
        ("司徒镇", "")
    );
    let shown = entry.for_household(&household, true).unwrap();
    assert_eq!(shown.village, "砖井村");
    let naming = NeedEntry::parse(&NeedForm {
        title: "王建国透析费用".into(),
        ..form
    })
    .unwrap();
    let refused = naming.for_household(&household, false).unwrap_err();
    assert!(
        matches!(refused, AppError::Invalid { ref field, .. } if field == "title"),
        "{refused:?}"
    );
}
