//! Family codes and the family's thanks. A volunteer who checked a delivery issues a one-time
//! code (the whole code is kept only until their slip page shows it once; afterwards only its
//! keyed hash); the family confirms with it, once, and may leave a message.

use super::claims::{self, ClaimRecord};
use super::fulfilment::{self, Confirmation};
use super::Db;
use crate::credit::PointRules;
use crate::domain::{
    FamilyCode, FamilySlip, Fen, NeedId, ThanksMessage, ThanksReceipt, UtcMillis, Window,
};
use crate::error::AppError;
use crate::people::UserId;
use crate::private::IdKey;
use sqlx::Row;

/// How long a family code works.
pub const CODE_VALID_MS: i64 = 14 * 86_400_000;
/// Tries of one code before it is locked...
pub const WRONG_TRIES: i64 = 5;
/// ...for this long...
pub const LOCK_MS: i64 = 3_600_000;
/// ...and rounds of tries before it is spent (a volunteer issues a new one): at most 15
/// guesses of a secret of 29^4 ≈ 707,000 over a code's life.
pub const LOCK_ROUNDS: i64 = 3;

/// The keyed hash a code is kept as: no one with the database alone can use a code.
fn code_mac(key: &IdKey, code: &FamilyCode) -> hmac::Hmac<sha2::Sha256> {
    use hmac::Mac;
    let mut mac =
        hmac::Hmac::<sha2::Sha256>::new_from_slice(&key.0).expect("HMAC takes a key of any length");
    mac.update(b"family-code\0");
    mac.update(code.slip().as_bytes());
    mac.update(b"\0");
    mac.update(code.secret().as_bytes());
    mac
}

fn secret_hash(key: &IdKey, code: &FamilyCode) -> String {
    use hmac::Mac;
    hex::encode(code_mac(key, code).finalize().into_bytes())
}

/// Compared in constant time.
fn secret_matches(key: &IdKey, code: &FamilyCode, stored: &str) -> bool {
    use hmac::Mac;
    hex::decode(stored).is_ok_and(|stored| code_mac(key, code).verify_slice(&stored).is_ok())
}

fn random_code() -> Result<FamilyCode, AppError> {
    let mut bytes = [0u8; 8];
    getrandom::getrandom(&mut bytes).map_err(|e| AppError::internal("no randomness", e))?;
    Ok(FamilyCode::from_random(bytes))
}

/// Marks a delivered claim checked by `volunteer` and gives it a new family code (replacing
/// one not yet used). `WrongStage` unless the claim is delivered.
pub async fn issue(
    db: &Db,
    key: &IdKey,
    claim: &ClaimRecord,
    volunteer: UserId,
    now: UtcMillis,
) -> Result<(), AppError> {
    // A slip already taken by another code: draw again (one in hundreds of thousands). Each
    // draw is one transaction, so the claim is never marked checked without its code.
    for _ in 0..8 {
        let code = random_code()?;
        let mut tx = db.begin().await?;
        let checked = sqlx::query(
            "UPDATE claims SET checked_at = $2, checked_by = $3 \
             WHERE id = $1 AND status = 'delivered'",
        )
        .bind(claim.id)
        .bind(now.0)
        .bind(volunteer.0)
        .execute(&mut *tx)
        .await?;
        if checked.rows_affected() == 0 {
            tx.rollback().await?;
            return Err(AppError::WrongStage);
        }
        let stored = sqlx::query(
            "INSERT INTO family_thanks (claim_id, need_id, slip, secret_hash, code_to_show, \
             issued_by, issued_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (claim_id) DO UPDATE SET slip = excluded.slip, \
             secret_hash = excluded.secret_hash, code_to_show = excluded.code_to_show, \
             issued_by = excluded.issued_by, issued_at = excluded.issued_at, \
             expires_at = excluded.expires_at, wrong_tries = 0, locked_until = NULL \
             WHERE family_thanks.used_at IS NULL",
        )
        .bind(claim.id)
        .bind(claim.need_id.0)
        .bind(code.slip())
        .bind(secret_hash(key, &code))
        .bind(code.to_string())
        .bind(volunteer.0)
        .bind(now.0)
        .bind(now.0 + CODE_VALID_MS)
        .execute(&mut *tx)
        .await;
        match stored {
            Ok(done) if done.rows_affected() == 1 => {
                tx.commit().await?;
                return Ok(());
            }
            // The family already confirmed (the claim moved on meanwhile).
            Ok(_) => {
                tx.rollback().await?;
                return Err(AppError::WrongStage);
            }
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                tx.rollback().await?;
                continue;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::internal(
        "issuing a family code",
        "no free slip in 8 draws",
    ))
}

/// The delivery slip of `claim_id` for the volunteer who issued its code: the whole code the
/// first time (taken out of storage as it is shown), the slip without it afterwards.
/// `Forbidden` for anyone else; `Invalid` (claim_id) if no code was issued.
pub async fn take_slip(db: &Db, claim_id: i64, volunteer: UserId) -> Result<FamilySlip, AppError> {
    let row = sqlx::query(
        "SELECT t.issued_by, t.expires_at, t.used_at, n.id AS need_id, n.title, n.aid_window, \
         c.amount_fen FROM family_thanks t JOIN claims c ON c.id = t.claim_id \
         JOIN needs n ON n.id = t.need_id WHERE t.claim_id = $1",
    )
    .bind(claim_id)
    .fetch_optional(&db.pool)
    .await?
    .ok_or_else(|| {
        AppError::invalid(
            "claim_id",
            leptos_i18n::td_string!(crate::lang::locale(), thanks.errors.no_code),
        )
    })?;
    if row.try_get::<i64, _>("issued_by")? != volunteer.0 {
        return Err(AppError::Forbidden);
    }
    // Taken, not read: the write that clears it decides, so two tabs cannot both show it.
    let stored: Option<String> =
        sqlx::query_scalar("SELECT code_to_show FROM family_thanks WHERE claim_id = $1")
            .bind(claim_id)
            .fetch_one(&db.pool)
            .await?;
    let code = match stored {
        Some(code) => {
            let taken = sqlx::query(
                "UPDATE family_thanks SET code_to_show = NULL \
                 WHERE claim_id = $1 AND code_to_show = $2",
            )
            .bind(claim_id)
            .bind(&code)
            .execute(&db.pool)
            .await?;
            (taken.rows_affected() == 1).then_some(code)
        }
        None => None,
    };
    Ok(FamilySlip {
        claim_id,
        need_id: NeedId(row.try_get("need_id")?),
        title: row.try_get("title")?,
        window: Window::parse(row.try_get("aid_window")?)
            .map_err(|e| AppError::corrupt("need", e))?,
        amount: row
            .try_get::<Option<i64>, _>("amount_fen")?
            .map(Fen::from_stored),
        code,
        expires_at: UtcMillis(row.try_get("expires_at")?),
    })
}

/// The family confirms with `code`: once, before it expires, unless it is locked. A wrong
/// secret counts against the code ([`WRONG_TRIES`] lock it for [`LOCK_MS`]). The claim is
/// confirmed for the volunteer who issued the code, in the same transaction that spends it.
pub async fn redeem(
    db: &Db,
    key: &IdKey,
    code: &FamilyCode,
    message: &ThanksMessage,
    public: bool,
    points: &PointRules,
    now: UtcMillis,
) -> Result<ThanksReceipt, AppError> {
    // Every try takes its place before the secret is checked, in one statement: tries sent in
    // parallel cannot all pass a check that a later write would close. The try that completes
    // a round of five locks the code for the next ones (whatever its own outcome), and after
    // three rounds the code is spent: a volunteer must issue a new one.
    let taken = sqlx::query(
        "UPDATE family_thanks SET wrong_tries = wrong_tries + 1, \
         locked_until = CASE WHEN (wrong_tries + 1) % $3 = 0 THEN $4 ELSE locked_until END \
         WHERE slip = $1 AND used_at IS NULL AND expires_at > $2 AND wrong_tries < $5 \
         AND (locked_until IS NULL OR locked_until <= $2) \
         RETURNING claim_id, secret_hash, issued_by",
    )
    .bind(code.slip())
    .bind(now.0)
    .bind(WRONG_TRIES)
    .bind(now.0 + LOCK_MS)
    .bind(WRONG_TRIES * LOCK_ROUNDS)
    .fetch_optional(&db.pool)
    .await?;
    let Some(row) = taken else {
        // No try to take: why, in the order a family should hear it.
        let row = sqlx::query(
            "SELECT secret_hash, locked_until, used_at FROM family_thanks WHERE slip = $1",
        )
        .bind(code.slip())
        .fetch_optional(&db.pool)
        .await?
        .ok_or(AppError::WrongCode)?;
        let locked = row
            .try_get::<Option<i64>, _>("locked_until")?
            .is_some_and(|until| until > now.0);
        return Err(
            if locked && row.try_get::<Option<i64>, _>("used_at")?.is_none() {
                AppError::CodeLocked
            } else if secret_matches(key, code, row.try_get("secret_hash")?) {
                // Used, past its date, or tried wrong too often.
                AppError::CodeSpent
            } else {
                AppError::WrongCode
            },
        );
    };
    if !secret_matches(key, code, row.try_get("secret_hash")?) {
        return Err(AppError::WrongCode);
    }
    let claim_id: i64 = row.try_get("claim_id")?;
    let volunteer = UserId(row.try_get("issued_by")?);
    let claim = claims::find(db, claim_id).await?;
    let mut tx = db.begin().await?;
    // The need's row first, as every confirmation and give-back takes it: a volunteer
    // confirming the same claim at the same moment waits, never deadlocks.
    super::needs::lock_row(&mut tx, claim.need_id).await?;
    // Spent by exactly one confirmation, whatever the race; a code replaced meanwhile is not
    // this one.
    let spent = sqlx::query(
        "UPDATE family_thanks SET used_at = $2, message = $3, message_public = $4, \
         code_to_show = NULL WHERE claim_id = $1 AND slip = $5 AND used_at IS NULL \
         AND expires_at > $2",
    )
    .bind(claim_id)
    .bind(now.0)
    .bind(message.as_str())
    .bind(i64::from(public && !message.is_empty()))
    .bind(code.slip())
    .execute(&mut *tx)
    .await?;
    if spent.rows_affected() == 0 {
        tx.rollback().await?;
        return Err(AppError::CodeSpent);
    }
    let fulfilled = match fulfilment::confirm_in(
        &mut tx,
        &claim,
        volunteer,
        Confirmation::Family,
        points,
        now,
    )
    .await
    {
        Ok(fulfilled) => fulfilled,
        // The delivery was rejected (or otherwise moved on) after the code was issued.
        Err(AppError::WrongStage) => {
            tx.rollback().await?;
            return Err(AppError::CodeSpent);
        }
        Err(error) => {
            tx.rollback().await?;
            return Err(error);
        }
    };
    let need = sqlx::query("SELECT title, aid_window FROM needs WHERE id = $1")
        .bind(claim.need_id.0)
        .fetch_one(&mut *tx)
        .await?;
    let receipt = ThanksReceipt {
        need_id: claim.need_id,
        title: need.try_get("title")?,
        window: Window::parse(need.try_get("aid_window")?)
            .map_err(|e| AppError::corrupt("need", e))?,
        fulfilled,
    };
    tx.commit().await?;
    Ok(receipt)
}
