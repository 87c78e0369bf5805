//! A city's database made by the previous release, with people, households, needs, claims and
//! credit in it, is upgraded in place by this release's migrations with nothing lost and every
//! reference intact. (The other tests migrate empty databases only.)

use sqlx::Executor;
use std::path::Path;

/// The schema the previous release left: this repository's SQLite migrations up to `last`.
async fn migrated_to(url: &str, last: i64) -> sqlx::SqlitePool {
    let all = Path::new(env!("CARGO_MANIFEST_DIR")).join("../app/migrations/sqlite");
    let earlier = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(&all).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let version: i64 = name.split('_').next().unwrap().parse().unwrap();
        if version <= last {
            std::fs::copy(&path, earlier.path().join(&name)).unwrap();
        }
    }
    let pool = sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .after_connect(|conn, _| {
            Box::pin(async move {
                conn.execute("PRAGMA foreign_keys = ON").await?;
                Ok(())
            })
        })
        .connect(url)
        .await
        .unwrap();
    sqlx::migrate::Migrator::new(earlier.path())
        .await
        .unwrap()
        .run(&pool)
        .await
        .unwrap();
    pool
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_filled_database_of_the_previous_release_upgrades_in_place_with_nothing_lost() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("city.db");
    let url = format!("sqlite://{}?mode=rwc", file.display());
    let old = migrated_to(&url, 4).await;
    for statement in [
        "INSERT INTO users (id, phone, display_name, donor_kind, password_hash, created_at) VALUES \
         (1, '13900000001', '志愿者', 'person', 'x', 0), (2, '13900000002', '捐赠人', 'person', 'x', 0)",
        "INSERT INTO households (id, town, village, head_name, id_key, id_last4, address, phone, \
         members, member_count, low_income, created_by, created_at) VALUES \
         (1, '延陵镇', '柳茹村', '王某', 'key-1', '002X', '柳茹村 3 组', '13700000000', '户主', 1, \
         'expenditure', 1, 0)",
        "INSERT INTO needs (id, aid_window, title, story, town, village, ask_kind, amount_fen, \
         urgency, status, created_at, updated_at, household_id, author_id) VALUES \
         (1, 'medical', '透析费用', '每周透析三次，自付部分仍有缺口。', '延陵镇', '柳茹村', 'goods', \
         NULL, 3, 'fulfilled', 0, 0, 1, 1)",
        "INSERT INTO claims (id, need_id, donor_name, donor_contact, claimed_at, donor_id, status, \
         delivered_at, confirmed_at, confirmed_by) VALUES \
         (1, 1, '捐赠人', '13900000002', 0, 2, 'confirmed', 1, 2, 1)",
        "INSERT INTO credit_ledger (user_id, reason, points, need_id, claim_id, created_at) VALUES \
         (2, 'fulfilment', 10, 1, 1, 2), (1, 'confirmation', 2, 1, 1, 2)",
    ] {
        old.execute(statement).await.unwrap();
    }
    old.close().await;

    let db = wanshan_app::db::Db::connect(file.to_str().unwrap(), 2)
        .await
        .expect("the new release opens the old database");
    let count = |sql: &'static str| {
        let pool = db.pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(sql)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    assert_eq!(
        count("SELECT COUNT(*) FROM claims WHERE status = 'confirmed' AND donor_id = 2").await,
        1
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM credit_ledger WHERE claim_id = 1").await,
        2
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM needs WHERE household_id = 1 AND version = 1").await,
        1
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM households WHERE id_key = 'key-1'").await,
        1
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM pragma_foreign_key_check").await,
        0,
        "a reference was broken"
    );
    // The rebuilt tables still refuse what they refused, and accept the new status.
    let orphan = sqlx::query(
        "INSERT INTO claims (need_id, donor_name, donor_contact, claimed_at) VALUES (999, 'x', 'y', 0)",
    )
    .execute(&db.pool)
    .await;
    assert!(orphan.is_err(), "foreign keys are off after the upgrade");
    sqlx::query("UPDATE claims SET status = 'rejected' WHERE id = 1")
        .execute(&db.pool)
        .await
        .expect("the new status is admitted");
}
