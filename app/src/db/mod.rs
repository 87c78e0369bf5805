//! Storage, on the server only. One set of queries serves both backends through sqlx's `Any`
//! driver: SQLite embedded by default, PostgreSQL to scale out. Where the SQL must differ
//! (identity columns), each backend has its own migrations folder.

pub mod accounts;
pub mod agencies;
pub mod aid;
pub mod claims;
pub mod credit;
pub mod desk;
pub mod events;
pub mod file_access;
pub mod fulfilment;
pub mod hours;
pub mod households;
pub mod impact;
pub mod intake;
pub mod interests;
pub mod needs;
pub mod notices;
pub mod offers;
pub mod referrals;
pub mod reports;
pub mod reviews;
pub mod seed;
pub mod sign_in_tries;
pub mod thanks;
pub mod trail;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyConnection, AnyPool, Executor};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The connection pool, handed to server functions through context.
#[derive(Clone, Debug)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
    /// Signalled after a transaction that logged an event commits: the live hub's pump waits
    /// on it. Only [`Tx::commit`] signals it, so no writer can forget to wake the boards.
    pub(crate) committed: Arc<Notify>,
    /// Who is told of notices, and whether they also go out as messages.
    pub(crate) notices: Arc<notices::Wiring>,
}

/// A transaction. Events are logged only through one ([`events::append`]); committing it
/// wakes this instance's live hub if it logged any, after the commit, so the pump reads rows
/// that are already visible. (Other instances are woken by PostgreSQL's NOTIFY, or their poll.)
pub struct Tx {
    inner: sqlx::Transaction<'static, sqlx::Any>,
    backend: Backend,
    logged: bool,
    committed: Arc<Notify>,
    notices: Arc<notices::Wiring>,
    /// The people this transaction wrote a notice to (their streams are woken on commit).
    noticed: Vec<i64>,
    /// Whether it queued a message (the outbox worker is woken on commit).
    queued: bool,
}

impl Tx {
    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub async fn commit(self) -> Result<(), crate::error::AppError> {
        self.inner.commit().await?;
        if self.logged {
            self.committed.notify_one();
        }
        // On PostgreSQL the NOTIFY sent in the transaction rings every instance, this one
        // included (through its LISTEN connection): ringing here too would ring twice.
        if self.backend == Backend::Sqlite {
            for user in self.noticed {
                self.notices.ring(user);
            }
        }
        if self.queued {
            self.notices.outbox.notify_one();
        }
        Ok(())
    }

    pub async fn rollback(self) -> Result<(), crate::error::AppError> {
        Ok(self.inner.rollback().await?)
    }
}

impl std::ops::Deref for Tx {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        &self.inner
    }
}

impl std::ops::DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.inner
    }
}

/// Turns what a person configures into a URL sqlx understands: a bare path is a SQLite file,
/// created on first start.
pub fn database_url(configured: &str) -> (String, Backend) {
    if configured.starts_with("postgres://") || configured.starts_with("postgresql://") {
        (configured.to_owned(), Backend::Postgres)
    } else if configured.starts_with("sqlite:") {
        (configured.to_owned(), Backend::Sqlite)
    } else {
        (format!("sqlite://{configured}?mode=rwc"), Backend::Sqlite)
    }
}

impl Db {
    /// Connects and brings the schema up to date.
    pub async fn connect(configured: &str, max_connections: u32) -> Result<Db, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let (url, backend) = database_url(configured);
        if backend == Backend::Sqlite {
            if let Some(parent) = sqlite_file(&url).and_then(|p| std::path::Path::new(p).parent()) {
                if !parent.as_os_str().is_empty() {
                    std::fs::create_dir_all(parent).map_err(sqlx::Error::Io)?;
                }
            }
        }
        let options = AnyConnectOptions::from_str(&url)?;
        if backend == Backend::Sqlite {
            migrate_sqlite(&options).await?;
        }
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers run beside the one writer; FULL sync means a commit we
                        // acknowledged survives power loss; writers queue for up to 30 s.
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                             PRAGMA busy_timeout = 30000; PRAGMA foreign_keys = ON;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        let db = Db {
            pool,
            backend,
            committed: Arc::new(Notify::new()),
            notices: Arc::new(notices::Wiring::new()),
        };
        if backend == Backend::Postgres {
            db.migrate().await?;
        }
        Ok(db)
    }

    /// Starts a transaction (see [`Tx`]).
    pub async fn begin(&self) -> Result<Tx, crate::error::AppError> {
        Ok(Tx {
            inner: self.pool.begin().await?,
            backend: self.backend,
            logged: false,
            committed: Arc::clone(&self.committed),
            notices: Arc::clone(&self.notices),
            noticed: Vec::new(),
            queued: false,
        })
    }

    /// The migrations built into this binary for this backend.
    fn migrator(&self) -> sqlx::migrate::Migrator {
        match self.backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite"),
            Backend::Postgres => sqlx::migrate!("./migrations/postgres"),
        }
    }

    /// What keeps the schema from being the one this binary expects: a migration it carries
    /// that is not applied (or failed, or was applied from a different file). `None` when
    /// every one is in place. Migrations newer than this binary (a later version migrated the
    /// database first) are no reason: they are not this binary's to judge.
    pub async fn schema_behind(&self) -> Result<Option<String>, sqlx::Error> {
        let applied: Vec<(i64, Vec<u8>)> =
            sqlx::query_as("SELECT version, checksum FROM _sqlx_migrations WHERE success = TRUE")
                .fetch_all(&self.pool)
                .await?;
        let migrator = self.migrator();
        for migration in migrator.iter() {
            if migration.migration_type.is_down_migration() {
                continue;
            }
            match applied
                .iter()
                .find(|(version, _)| *version == migration.version)
            {
                None => {
                    return Ok(Some(format!(
                        "migration {} ({}) is not applied",
                        migration.version, migration.description
                    )))
                }
                Some((_, checksum)) if **checksum != *migration.checksum => {
                    return Ok(Some(format!(
                        "migration {} was applied from a different file",
                        migration.version
                    )))
                }
                Some(_) => {}
            }
        }
        Ok(None)
    }

    async fn migrate(&self) -> Result<(), sqlx::Error> {
        self.migrator().run(&self.pool).await.map_err(migrate_error)
    }
}

fn migrate_error(error: sqlx::migrate::MigrateError) -> sqlx::Error {
    match error {
        sqlx::migrate::MigrateError::Execute(inner) => inner,
        other => sqlx::Error::Migrate(Box::new(other)),
    }
}

/// Brings a SQLite file's schema up to date on a connection of its own with foreign keys off
/// (SQLite's default), before the pool (which turns them on) opens. A migration that rebuilds
/// a table (SQLite's only way to change a CHECK) drops the old one; with foreign keys on, that
/// drop counts every row pointing at it as a violation and the commit fails, on any database
/// with data in it. Afterwards every reference is checked: a migration that broke one stops
/// the start.
async fn migrate_sqlite(options: &AnyConnectOptions) -> Result<(), sqlx::Error> {
    use sqlx::{ConnectOptions, Connection};
    let mut conn = options.connect().await?;
    conn.execute(
        "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 30000; PRAGMA foreign_keys = OFF;",
    )
    .await?;
    sqlx::migrate!("./migrations/sqlite")
        .run_direct(&mut conn)
        .await
        .map_err(migrate_error)?;
    let broken: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pragma_foreign_key_check")
        .fetch_one(&mut conn)
        .await?;
    conn.close().await?;
    if broken > 0 {
        return Err(sqlx::Error::Protocol(format!(
            "after migrating, {broken} rows point at rows that do not exist"
        )));
    }
    Ok(())
}

fn sqlite_file(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next()?;
    (!path.is_empty() && path != ":memory:").then_some(path)
}

/// Maps a unique-constraint violation to `conflict` and any other database error to
/// `Internal`: `.map_err(on_unique(AppError::PhoneTaken))`.
/// ` AND <column> IN ($1, …, $n)` for `n` towns bound in order after it (`None`: no filter).
/// The caller handles an empty list (nothing matches) before asking.
pub(crate) fn and_town_in(column: &str, towns: Option<&[&str]>) -> String {
    match towns {
        None | Some([]) => String::new(),
        Some(towns) => format!(
            " AND {column} IN ({})",
            (1..=towns.len())
                .map(|n| format!("${n}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

pub fn on_unique(
    conflict: crate::error::AppError,
) -> impl FnOnce(sqlx::Error) -> crate::error::AppError {
    move |error| {
        if is_unique_violation(&error) {
            conflict
        } else {
            error.into()
        }
    }
}

/// Whether a database error is a unique-constraint violation on either backend.
pub fn is_unique_violation(error: &sqlx::Error) -> bool {
    error
        .as_database_error()
        .is_some_and(|e| e.kind() == sqlx::error::ErrorKind::UniqueViolation)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_path_is_an_embedded_sqlite_file_created_on_first_start() {
        let (url, backend) = database_url("data/wanshan.db");
        assert_eq!(url, "sqlite://data/wanshan.db?mode=rwc");
        assert_eq!(backend, Backend::Sqlite);
        assert_eq!(sqlite_file(&url), Some("data/wanshan.db"));
        assert_eq!(database_url("postgres://u@h/db").1, Backend::Postgres);
    }
}
