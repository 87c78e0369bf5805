//! Demo data for a fresh database: needs across Danyang's towns and every window, each with a
//! made-up household, demo accounts for every role, and one record of aid from another agency.
//! Demo accounts share one published password: a demo database is for trying things out only.

use super::{accounts, households, needs, Db};
use crate::domain::{Ask, Fen, NewNeed, Phone, Urgency, UtcMillis, Window};
use crate::error::AppError;
use crate::passwords::Passwords;
use crate::people::{RoleGrant, SignUp, UserId};
use crate::private::{HouseholdForm, IdKey, IdNumber, NewHousehold};

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "wanshan-demo";

/// Demo accounts: (phone, name, role, town).
pub const DEMO_ACCOUNTS: [(&str, &str, &str, &str); 8] = [
    ("13900000000", "演示管理员", "admin", ""),
    ("13900000001", "志愿者小王", "volunteer", ""),
    ("13900000002", "志愿者小李", "volunteer", ""),
    ("13900000003", "延陵镇议事小组", "reviewer", "延陵镇"),
    ("13900000004", "司徒镇议事小组", "reviewer", "司徒镇"),
    ("13900000005", "丹阳市督导", "official", ""),
    ("13900000006", "丹阳市青少年活动中心", "provider", ""),
    ("13900000009", "爱心人士小陈", "donor", ""),
];

/// A valid (made-up) ID number: 17 digits and their check digit.
pub fn demo_id_number(serial: usize) -> String {
    let body = format!("3211811975{:07}", 1_010_000 + serial);
    let check = IdNumber::check_digit(body.as_bytes()) as char;
    format!("{body}{check}")
}

struct Demo {
    window: Window,
    title: &'static str,
    story: &'static str,
    town: &'static str,
    village: &'static str,
    ask: Ask,
    urgency: Urgency,
}

fn yuan(amount: i64) -> Ask {
    Ask::Money {
        amount: Fen::parse(amount * 100).expect("demo amounts are valid"),
    }
}

fn demo_needs() -> Vec<Demo> {
    use Urgency::*;
    use Window::*;
    vec![
        Demo { window: Medical, title: "尿毒症透析自付费用缺口", story: "户主五十二岁，每周透析三次，医保报销后每月自付约两千元。妻子在镇上做保洁，收入勉强维持日常开销，透析费用已欠下亲戚三万余元。", town: "延陵镇", village: "柳茹村", ask: yuan(6000), urgency: Urgent },
        Demo { window: Medical, title: "白血病患儿化疗后续费用", story: "孩子九岁，第三轮化疗刚结束，后续还需两轮巩固治疗。父母在外打工，为治病已卖掉县城的房子，目前租住在医院附近。", town: "司徒镇", village: "砖井村", ask: yuan(20000), urgency: Urgent },
        Demo { window: Medical, title: "老人髋关节置换术后康复器具", story: "七十六岁独居老人摔倒后做了髋关节置换，出院后需要助行器、坐便椅和防滑垫，子女在外地，家中无人照料。", town: "吕城镇", village: "运河村", ask: Ask::Goods, urgency: Soon },
        Demo { window: Education, title: "高三学生住校生活费", story: "父亲去年因工伤失去劳动能力，母亲照顾父亲无法外出工作。孩子成绩优异，今年高考，住校每月生活费约八百元。", town: "珥陵镇", village: "祥里村", ask: yuan(4800), urgency: Soon },
        Demo { window: Education, title: "双胞胎初中生课外辅导", story: "母亲独自抚养一对双胞胎，两个孩子数学和英语跟不上，希望有志愿者每周末上门辅导两小时。", town: "云阳街道", village: "东门社区", ask: Ask::Service, urgency: Normal },
        Demo { window: Education, title: "大学新生学费与路费", story: "考上南京一所大学，学费五千五百元。家中奶奶常年卧床，父亲在砖厂打零工，助学贷款尚未到账，开学在即。", town: "导墅镇", village: "塘头村", ask: yuan(6500), urgency: Urgent },
        Demo { window: Disability, title: "听障儿童助听器更换", story: "孩子六岁，先天性听力障碍，原来的助听器已经用了四年，声音断断续续，影响上学听课。需要更换一副适配的助听器。", town: "皇塘镇", village: "蒋墅村", ask: yuan(8000), urgency: Soon },
        Demo { window: Disability, title: "轮椅使用者出行坡道", story: "户主因车祸下肢瘫痪，家门口有三级台阶，每次出门都要邻居帮忙抬轮椅。希望在门口搭一条水泥坡道。", town: "陵口镇", village: "陵口村", ask: Ask::Service, urgency: Normal },
        Demo { window: Disability, title: "精神残疾青年职业康复用品", story: "二十四岁青年病情稳定，在社区康复站学习手工，需要一台缝纫机和布料，家人希望他能慢慢自食其力。", town: "访仙镇", village: "萧家村", ask: Ask::Goods, urgency: Normal },
        Demo { window: Home, title: "危旧厨房电线改造", story: "老人独居，厨房电线老化裸露，去年冬天曾经短路起火。需要重新布线、安装漏电保护开关。", town: "界牌镇", village: "界牌村", ask: yuan(1500), urgency: Urgent },
        Demo { window: Home, title: "卫生间加装扶手和防滑地面", story: "夫妻二人都已八十多岁，卫生间地面湿滑，老伴上个月在卫生间摔倒。希望加装扶手并铺设防滑地砖。", town: "丹北镇", village: "新桥村", ask: yuan(2200), urgency: Soon },
        Demo { window: Home, title: "漏雨屋顶修补", story: "三口之家，房屋是九十年代的老瓦房，下雨时卧室漏水严重，孩子的床只能挪到堂屋。需要修补屋顶。", town: "延陵镇", village: "大吕村", ask: yuan(3500), urgency: Soon },
        Demo { window: Insurance, title: "慢性病患者补充医疗保险", story: "户主患糖尿病并发症，每年门诊费用高。家庭收入略高于低保线，无法享受救助，希望资助一份惠民补充保险。", town: "云阳街道", village: "南门社区", ask: yuan(1200), urgency: Normal },
        Demo { window: Insurance, title: "一家三口意外险", story: "父母在建筑工地做零工，没有任何商业保险，一旦出事全家没有着落。希望资助一年的家庭意外险。", town: "吕城镇", village: "吕城村", ask: yuan(900), urgency: Normal },
        Demo { window: Services, title: "失独老人每周陪伴", story: "老两口的独子十年前病故，平时很少出门，情绪低落。希望有志愿者每周上门聊天、陪同散步。", town: "司徒镇", village: "司徒村", ask: Ask::Service, urgency: Normal },
        Demo { window: Services, title: "留守儿童暑期阅读角图书", story: "村里十几个留守孩子暑假常聚在村委会活动室，希望捐赠适合小学生的图书，建一个小小阅读角。", town: "珥陵镇", village: "珥陵村", ask: Ask::Goods, urgency: Normal },
        Demo { window: Services, title: "行动不便老人代办就医", story: "老人需要每月去市人民医院复查取药，子女在外地，自己乘车困难。希望有志愿者每月陪同一次。", town: "皇塘镇", village: "皇塘村", ask: Ask::Service, urgency: Soon },
        Demo { window: Medical, title: "肺癌术后靶向药费用", story: "户主六十岁，肺癌术后需长期服用靶向药，部分药品不在医保目录内，每月自付约三千元，家中积蓄已经用完。", town: "导墅镇", village: "导墅村", ask: yuan(9000), urgency: Urgent },
    ]
}

const SURNAMES: [&str; 9] = ["陈", "王", "张", "李", "刘", "周", "吴", "徐", "孙"];

/// Fills an empty database with the demo data; leaves a database that has any need alone.
/// Whether the database holds a demo account that still has the published demo password: such
/// a database must not be served as a real one.
pub async fn holds_demo_accounts(db: &Db, passwords: &Passwords) -> Result<bool, AppError> {
    for (phone, ..) in DEMO_ACCOUNTS {
        if accounts::verify(db, passwords, phone, DEMO_PASSWORD)
            .await
            .is_ok()
        {
            return Ok(true);
        }
    }
    Ok(false)
}

pub async fn seed_demo_if_empty(
    db: &Db,
    key: &IdKey,
    passwords: &Passwords,
) -> Result<usize, AppError> {
    if needs::count(db).await? > 0 {
        return Ok(0);
    }
    let now = UtcMillis::now();
    let mut ids = Vec::new();
    for (phone, name, role, town) in DEMO_ACCOUNTS {
        let id = match accounts::create(
            db,
            passwords,
            &SignUp::parse(phone, name, "person", DEMO_PASSWORD)?,
            now,
        )
        .await
        {
            Ok(id) => id,
            Err(AppError::PhoneTaken) => continue,
            Err(other) => return Err(other),
        };
        if role != "donor" {
            let phone = Phone::parse(phone)?;
            accounts::grant(db, &phone, &RoleGrant::parse(role, town)?, None, now).await?;
        }
        ids.push(id);
    }
    let volunteer = ids.get(1).copied().unwrap_or(UserId(0));
    let demos = demo_needs();
    let start = now.0 - demos.len() as i64 * 3_600_000;
    for (i, demo) in demos.iter().enumerate() {
        let household = NewHousehold::parse(&HouseholdForm {
            town: demo.town.into(),
            village: demo.village.into(),
            village_typed: String::new(),
            head_name: format!("{}某某", SURNAMES[i % SURNAMES.len()]),
            id_number: demo_id_number(i),
            address: format!(
                "{}{}{}组{}号",
                demo.town,
                demo.village,
                i % 7 + 1,
                i * 3 + 2
            ),
            phone: format!("1370000{:04}", i),
            members: "户主及家人（演示数据）".into(),
            member_count: (i % 4 + 2).to_string(),
            low_income: "expenditure".into(),
        })?;
        let household_id = households::register(db, key, &household, volunteer, now).await?;
        let need = NewNeed::parse(
            demo.window,
            demo.title,
            demo.story,
            demo.town,
            demo.village,
            demo.ask,
            demo.urgency,
        )?;
        let published = needs::publish(db, &need, UtcMillis(start + i as i64 * 3_600_000)).await?;
        sqlx::query("UPDATE needs SET household_id = $2, author_id = $3 WHERE id = $1")
            .bind(published.id.0)
            .bind(household_id.0)
            .bind(volunteer.0)
            .execute(&db.pool)
            .await?;
    }
    // One service on offer: weekend tutoring on the next four Saturdays, five places each.
    let provider: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE phone = $1")
        .bind(DEMO_ACCOUNTS[6].0)
        .fetch_optional(&db.pool)
        .await?;
    if let Some(provider) = provider {
        seed_offer(db, UserId(provider), now).await?;
    }
    // The first household (a medical need) was helped by the city charity three months ago:
    // a new medical need for it warns its reviewers.
    let admin = ids.first().copied().unwrap_or(UserId(0));
    let first = IdNumber::parse(&demo_id_number(0))?;
    sqlx::query(
        "INSERT INTO aid_records (id_key, agency, aid_window, cause, aided_at, amount_fen, \
         imported_by, imported_at) VALUES ($1, '丹阳市慈善总会', 'medical', '住院医疗救助', $2, \
         300000, $3, $4)",
    )
    .bind(first.key(key))
    .bind(now.months_before(3).0)
    .bind(admin.0)
    .bind(now.0)
    .execute(&db.pool)
    .await?;
    Ok(demos.len())
}

/// The demo provider's offer, published: Saturday tutoring in two towns.
async fn seed_offer(db: &Db, provider: UserId, now: UtcMillis) -> Result<(), AppError> {
    use crate::domain::NewOffer;
    let first = UtcMillis(now.0 + 2 * 86_400_000).shanghai_date_text();
    let offer = NewOffer::parse(
        "tutoring",
        "education",
        "周末初中数学英语辅导",
        "青少年活动中心的老师和师范生志愿者，每周六上午为初中生辅导数学和英语，免费，自带练习册即可。",
        &["云阳街道".to_owned(), "珥陵镇".to_owned()],
        &["云阳街道".to_owned(), "珥陵镇".to_owned()],
        &format!("{first} 09:00-11:00"),
        "3",
        "5",
        now,
    )?;
    let id = super::offers::create(db, provider, &offer, now).await?;
    sqlx::query("UPDATE offers SET status = 'published', reviewed_at = $2 WHERE id = $1")
        .bind(id.0)
        .bind(now.0)
        .execute(&db.pool)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_id_numbers_are_valid() {
        for serial in 0..30 {
            IdNumber::parse(&demo_id_number(serial)).unwrap();
        }
    }

    #[test]
    fn every_demo_need_is_valid_and_every_window_is_covered() {
        let demos = demo_needs();
        for demo in &demos {
            NewNeed::parse(
                demo.window,
                demo.title,
                demo.story,
                demo.town,
                demo.village,
                demo.ask,
                demo.urgency,
            )
            .unwrap_or_else(|e| panic!("{}: {e}", demo.title));
        }
        for window in Window::ALL {
            assert!(
                demos.iter().any(|d| d.window == window),
                "{window:?} has no demo need"
            );
        }
    }
}
