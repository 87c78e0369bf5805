//! Accounts, roles and sessions. Passwords are hashed with argon2id; a session is a random
//! token in an HttpOnly cookie, stored here only as its SHA-256.

use super::{on_unique, Db};
use crate::domain::{Phone, UtcMillis};
use crate::error::AppError;
use crate::passwords::Passwords;
use crate::people::{Role, RoleGrant, SignUp, UserId, Viewer};
use crate::private::Account;
use sha2::{Digest, Sha256};
use sqlx::Row;

/// Creates an account with the donor role.
pub async fn create(
    db: &Db,
    passwords: &Passwords,
    sign_up: &SignUp,
    now: UtcMillis,
) -> Result<UserId, AppError> {
    let hash = passwords.hash(&sign_up.password).await?;
    let mut tx = db.pool.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO users (phone, display_name, donor_kind, password_hash, created_at, show_name) \
         VALUES ($1, $2, $3, $4, $5, 0) RETURNING id",
    )
    .bind(sign_up.phone.as_str())
    .bind(&sign_up.name)
    .bind(sign_up.kind.code())
    .bind(hash)
    .bind(now.0)
    .fetch_one(&mut *tx)
    .await
    .map_err(on_unique(AppError::PhoneTaken))?;
    sqlx::query(
        "INSERT INTO user_roles (user_id, role, town, granted_at) VALUES ($1, 'donor', '', $2)",
    )
    .bind(id)
    .bind(now.0)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(UserId(id))
}

/// The account a phone and password sign in to. An unknown phone costs the same time as a
/// wrong password, so the answer does not tell which accounts exist.
pub async fn verify(
    db: &Db,
    passwords: &Passwords,
    phone: &str,
    password: &str,
) -> Result<UserId, AppError> {
    let Ok(phone) = Phone::parse(phone) else {
        return Err(AppError::WrongCredentials);
    };
    let row: Option<(i64, String)> =
        sqlx::query_as("SELECT id, password_hash FROM users WHERE phone = $1")
            .bind(phone.as_str())
            .fetch_optional(&db.pool)
            .await?;
    let (id, stored) = row.unzip();
    if passwords.matches(password, stored).await? {
        Ok(UserId(id.unwrap_or_default()))
    } else {
        Err(AppError::WrongCredentials)
    }
}

/// A signed-in person: their name and roles.
pub async fn viewer(db: &Db, id: UserId) -> Result<Option<Viewer>, AppError> {
    let name: Option<String> = sqlx::query_scalar("SELECT display_name FROM users WHERE id = $1")
        .bind(id.0)
        .fetch_optional(&db.pool)
        .await?;
    let Some(name) = name else {
        return Ok(None);
    };
    Ok(Some(Viewer {
        id,
        name,
        roles: roles(db, id).await?,
    }))
}

pub async fn roles(db: &Db, id: UserId) -> Result<Vec<RoleGrant>, AppError> {
    let rows =
        sqlx::query("SELECT role, town FROM user_roles WHERE user_id = $1 ORDER BY role, town")
            .bind(id.0)
            .fetch_all(&db.pool)
            .await?;
    rows.iter().map(grant_from_row).collect()
}

fn grant_from_row(row: &sqlx::any::AnyRow) -> Result<RoleGrant, AppError> {
    let town: String = row.try_get("town")?;
    Ok(RoleGrant {
        role: Role::parse(row.try_get("role")?).map_err(|e| AppError::corrupt("role", e))?,
        town: (!town.is_empty()).then_some(town),
    })
}

/// Gives an account a role (idempotent). Returns false if no account has that phone.
pub async fn grant(
    db: &Db,
    phone: &Phone,
    grant: &RoleGrant,
    by: Option<UserId>,
    now: UtcMillis,
) -> Result<bool, AppError> {
    let inserted = sqlx::query(
        "INSERT INTO user_roles (user_id, role, town, granted_by, granted_at) \
         SELECT id, $2, $3, $4, $5 FROM users WHERE phone = $1 \
         ON CONFLICT (user_id, role, town) DO NOTHING",
    )
    .bind(phone.as_str())
    .bind(grant.role.code())
    .bind(grant.town.as_deref().unwrap_or(""))
    .bind(by.map(|id| id.0))
    .bind(now.0)
    .execute(&db.pool)
    .await?;
    if inserted.rows_affected() > 0 {
        return Ok(true);
    }
    let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE phone = $1")
        .bind(phone.as_str())
        .fetch_optional(&db.pool)
        .await?;
    Ok(exists.is_some())
}

/// Takes a role away. Returns false if no account has that phone.
pub async fn revoke(db: &Db, phone: &Phone, grant: &RoleGrant) -> Result<bool, AppError> {
    let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE phone = $1")
        .bind(phone.as_str())
        .fetch_optional(&db.pool)
        .await?;
    let Some(id) = exists else {
        return Ok(false);
    };
    sqlx::query("DELETE FROM user_roles WHERE user_id = $1 AND role = $2 AND town = $3")
        .bind(id)
        .bind(grant.role.code())
        .bind(grant.town.as_deref().unwrap_or(""))
        .execute(&db.pool)
        .await?;
    Ok(true)
}

/// Every account with its roles, for the admin page.
pub async fn list(db: &Db) -> Result<Vec<Account>, AppError> {
    let users = sqlx::query("SELECT id, phone, display_name FROM users ORDER BY id")
        .fetch_all(&db.pool)
        .await?;
    let grants = sqlx::query("SELECT user_id, role, town FROM user_roles ORDER BY role, town")
        .fetch_all(&db.pool)
        .await?;
    let mut accounts = users
        .iter()
        .map(|row| {
            Ok(Account {
                id: UserId(row.try_get("id")?),
                phone: row.try_get("phone")?,
                name: row.try_get("display_name")?,
                roles: Vec::new(),
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    for row in &grants {
        let user: i64 = row.try_get("user_id")?;
        if let Some(account) = accounts.iter_mut().find(|a| a.id.0 == user) {
            account.roles.push(grant_from_row(row)?);
        }
    }
    Ok(accounts)
}

/// The first admin, from configuration: creates the account if the phone has none, and makes
/// it an admin if no admin exists yet. Does nothing once any admin exists.
pub async fn bootstrap_admin(
    db: &Db,
    passwords: &Passwords,
    phone: &str,
    password: &str,
    now: UtcMillis,
) -> Result<bool, AppError> {
    let admins: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM user_roles WHERE role = 'admin'")
        .fetch_one(&db.pool)
        .await?;
    if admins > 0 {
        return Ok(false);
    }
    let sign_up = SignUp::parse(phone, "管理员", "person", password)?; // i18n-allow: the first admin's stored account name (data)
    match create(db, passwords, &sign_up, now).await {
        Ok(_) => {}
        // An existing account is made admin only by whoever knows its password: otherwise
        // whoever registered the configured phone first would become the admin.
        Err(AppError::PhoneTaken) => {
            if verify(db, passwords, phone, password).await.is_err() {
                return Err(AppError::invalid(
                    "admin_password",
                    "WANSHAN_ADMIN_PHONE already has an account whose password is not \
                     WANSHAN_ADMIN_PASSWORD: it was not made admin",
                ));
            }
        }
        Err(other) => return Err(other),
    }
    let admin = RoleGrant {
        role: Role::Admin,
        town: None,
    };
    grant(db, &sign_up.phone, &admin, None, now).await
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Starts a session; returns the token for the cookie.
pub async fn start_session(
    db: &Db,
    user: UserId,
    now: UtcMillis,
    days: u32,
) -> Result<String, AppError> {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes).map_err(|e| AppError::internal("no randomness", e))?;
    let token = hex::encode(bytes);
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(token_hash(&token))
    .bind(user.0)
    .bind(now.0)
    .bind(now.0 + i64::from(days) * 86_400_000)
    .execute(&db.pool)
    .await?;
    Ok(token)
}

/// Who a session token belongs to, if it is current.
pub async fn session_viewer(
    db: &Db,
    token: &str,
    now: UtcMillis,
) -> Result<Option<Viewer>, AppError> {
    // One query (every server function starts here): the person and all their roles.
    let rows = sqlx::query(
        "SELECT u.id, u.display_name, r.role, r.town FROM sessions s \
         JOIN users u ON u.id = s.user_id LEFT JOIN user_roles r ON r.user_id = u.id \
         WHERE s.token_hash = $1 AND s.expires_at > $2 ORDER BY r.role, r.town",
    )
    .bind(token_hash(token))
    .bind(now.0)
    .fetch_all(&db.pool)
    .await?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let mut roles = Vec::new();
    for row in &rows {
        if row.try_get::<Option<String>, _>("role")?.is_some() {
            roles.push(grant_from_row(row)?);
        }
    }
    Ok(Some(Viewer {
        id: UserId(first.try_get("id")?),
        name: first.try_get("display_name")?,
        roles,
    }))
}

/// Ends a session (signing out); also sweeps expired ones.
pub async fn end_session(db: &Db, token: &str, now: UtcMillis) -> Result<(), AppError> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1 OR expires_at <= $2")
        .bind(token_hash(token))
        .bind(now.0)
        .execute(&db.pool)
        .await?;
    Ok(())
}
