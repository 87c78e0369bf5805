//! Messages beyond the app: the outbox worker and the sender it hands each message to.
//!
//! A notice is written in the same transaction as the change it tells of, and so is its outbox
//! row when the person wants that kind as a message ([`wanshan_app::db::notices::send`]). This
//! module empties the outbox: a worker on every instance leases due rows (one worker per row,
//! on any number of instances), sends each through the configured [`Sender`] and marks it sent,
//! postponed (quiet hours) or failed (tried again later with a growing wait; after
//! `WANSHAN_OUTBOX_MAX_ATTEMPTS` tries a dead letter for the admins).
//!
//! Delivery is **at least once**. A message is marked sent only after the receiver accepted
//! it; an instance that dies in between (or a send slower than the lease) leaves the row to be
//! leased again when its lease runs out, and the message goes a second time. Every try of one
//! message carries the same key (`Idempotency-Key: wanshan-notice-<notice id>`, and the notice
//! id as the JSON body's `id`): a receiver that remembers the keys it accepted delivers each
//! notice once. Email has no such key; a rare duplicate email is the price there.

use crate::config::Config;
use futures::StreamExt;
use hmac::Mac;
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, Mailbox};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::net::IpAddr;
use std::time::Duration;
use wanshan_app::db::notices::{self, Outgoing};
use wanshan_app::db::Db;
use wanshan_app::domain::{SenderKind, UtcMillis};
use wanshan_app::error::AppError;
use wanshan_app::share::PublicUrl;

/// How long a worker holds the messages it leased. Longer than a whole batch can take
/// ([`BATCH`] / [`AT_ONCE`] rounds of at most [`SEND_TIMEOUT`] each: 40 s), so a live worker
/// never loses a lease to another mid-send.
pub const LEASE_MS: i64 = 60_000;
/// Messages leased in one pass.
pub const BATCH: i64 = 16;
/// Sends of one pass under way at once.
pub const AT_ONCE: usize = 4;
/// The longest one send may take (connecting included); longer is a failure.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// The longest wait between two tries of one message.
pub const MAX_BACKOFF_MS: i64 = 3_600_000;
/// The shortest webhook secret accepted.
pub const MIN_SECRET_CHARS: usize = 16;
/// The subject of every notice email, under the city's brand (`万善丹阳通知`). In Chinese:
/// the recipient's language is not known (no stored preference).
pub fn subject(brand: &str) -> String {
    wanshan_app::pages::admin::server_texts::notice_subject(wanshan_app::lang::Locale::zh_CN, brand)
}
/// Why a message about a claim is not sent once the claim went back to the board before it.
pub const CLAIM_GIVEN_BACK: &str = "claim given back";
/// Why a message to a person without an email address is not sent (not a failure).
pub const NO_EMAIL: &str = "no email address";

/// How messages leave this instance, as configured: the channel, where links point, and the
/// rules for retries. Built (and every setting checked) at start by [`Sender::from_config`].
#[derive(Clone)]
pub struct Sender {
    channel: Channel,
    public_url: Option<PublicUrl>,
    max_attempts: i64,
    backoff_ms: i64,
    poll: Duration,
}

#[derive(Clone)]
enum Channel {
    Webhook {
        client: reqwest::Client,
        url: reqwest::Url,
        secret: Vec<u8>,
    },
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
        subject: String,
    },
}

/// Never prints the secret or the SMTP credentials.
impl std::fmt::Debug for Sender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sender")
            .field("kind", &self.kind())
            .field("max_attempts", &self.max_attempts)
            .field("backoff_ms", &self.backoff_ms)
            .finish_non_exhaustive()
    }
}

/// What one pass of the worker did with the messages it leased.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pass {
    pub leased: usize,
    /// Accepted by the receiver.
    pub sent: usize,
    /// Done without sending: nowhere to send it (a person without an email address).
    pub skipped: usize,
    /// In the person's quiet hours: waits for their end.
    pub postponed: usize,
    /// Failed this time (dead ones included).
    pub failed: usize,
    /// Failed for the last time: now dead letters.
    pub dead: usize,
}

/// What became of one message.
enum Outcome {
    Sent,
    Skipped,
    Postponed,
    Failed { dead: bool },
}

/// What a channel did with a message it did not fail.
enum Delivered {
    Sent,
    Skipped(&'static str),
}

impl Sender {
    /// The configured sender, `None` for `none`. A bad setting is refused with the variable's
    /// name and what is wrong with it (never its value, which may hold a secret).
    pub fn from_config(
        config: &Config,
        public_url: Option<PublicUrl>,
    ) -> Result<Option<Sender>, String> {
        let kind = SenderKind::parse(&config.notice_sender)
            .map_err(|e| format!("WANSHAN_NOTICE_SENDER: {e}"))?;
        let channel = match kind {
            SenderKind::None => return Ok(None),
            SenderKind::Webhook => webhook(config)?,
            SenderKind::Email => smtp(config)?,
        };
        if config.outbox_max_attempts == 0 {
            return Err("WANSHAN_OUTBOX_MAX_ATTEMPTS: must be at least 1".into());
        }
        Ok(Some(Sender {
            channel,
            public_url,
            max_attempts: i64::from(config.outbox_max_attempts),
            backoff_ms: i64::try_from(config.outbox_backoff_ms.max(1)).unwrap_or(MAX_BACKOFF_MS),
            poll: Duration::from_millis(config.outbox_poll_ms.max(10)),
        }))
    }

    pub fn kind(&self) -> SenderKind {
        match self.channel {
            Channel::Webhook { .. } => SenderKind::Webhook,
            Channel::Smtp { .. } => SenderKind::Email,
        }
    }

    /// The wait before the next try of a message that failed `attempts` times before this
    /// failure: the base doubled for each, at most [`MAX_BACKOFF_MS`].
    pub fn backoff_ms(&self, attempts: i64) -> i64 {
        let doubled = 1_i64 << attempts.clamp(0, 40);
        self.backoff_ms.saturating_mul(doubled).min(MAX_BACKOFF_MS)
    }

    /// The notice's link as the message carries it: absolute on the configured public address,
    /// else its path.
    fn link(&self, path: &str) -> String {
        self.public_url
            .as_ref()
            .map_or_else(|| path.to_owned(), |url| url.join(path))
    }

    /// Sends one message; an error is a short description (a status, an error kind), with no
    /// secret and no body in it.
    async fn deliver(&self, message: &Outgoing) -> Result<Delivered, String> {
        let link = self.link(&message.link);
        let sending = async {
            match &self.channel {
                Channel::Webhook {
                    client,
                    url,
                    secret,
                } => post(client, url, secret, message, &link)
                    .await
                    .map(|()| Delivered::Sent),
                Channel::Smtp {
                    transport,
                    from,
                    subject,
                } => email(transport, from, subject, message, &link).await,
            }
        };
        tokio::time::timeout(SEND_TIMEOUT, sending)
            .await
            .unwrap_or_else(|_| Err(format!("timed out after {} s", SEND_TIMEOUT.as_secs())))
    }
}

/// The webhook channel's settings, checked.
fn webhook(config: &Config) -> Result<Channel, String> {
    let text = required(&config.webhook_url, "WANSHAN_WEBHOOK_URL", "webhook")?;
    let url = reqwest::Url::parse(text).map_err(|e| format!("WANSHAN_WEBHOOK_URL: {e}"))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        _ => {
            return Err(
                "WANSHAN_WEBHOOK_URL: must start with https:// (plain http:// only to \
                 this machine: 127.0.0.1, ::1 or localhost)"
                    .into(),
            )
        }
    }
    let secret = required(&config.webhook_secret, "WANSHAN_WEBHOOK_SECRET", "webhook")?;
    if secret.chars().count() < MIN_SECRET_CHARS {
        return Err(format!(
            "WANSHAN_WEBHOOK_SECRET: must be at least {MIN_SECRET_CHARS} characters"
        ));
    }
    let client = reqwest::Client::builder()
        .timeout(SEND_TIMEOUT)
        .connect_timeout(SEND_TIMEOUT)
        // A redirect is an answer other than 2xx: a failure, never the signed body sent on.
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("wanshan/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("WANSHAN_WEBHOOK_URL: the HTTP client cannot start: {e}"))?;
    Ok(Channel::Webhook {
        client,
        url,
        secret: secret.as_bytes().to_vec(),
    })
}

/// A setting the chosen sender needs, trimmed; unset or blank is refused by its name.
fn required<'a>(value: &'a Option<String>, name: &str, sender: &str) -> Result<&'a str, String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|value| !value.is_empty())
        .ok_or_else(|| format!("{name}: required when WANSHAN_NOTICE_SENDER={sender}"))
}

/// Whether a URL's host is this machine.
fn is_loopback(url: &reqwest::Url) -> bool {
    let host = url.host_str().unwrap_or("");
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The SMTP channel's settings, checked.
fn smtp(config: &Config) -> Result<Channel, String> {
    let text = required(&config.smtp_url, "WANSHAN_SMTP_URL", "smtp")?;
    let from: Mailbox = required(&config.smtp_from, "WANSHAN_SMTP_FROM", "smtp")?
        .parse()
        .map_err(|e| format!("WANSHAN_SMTP_FROM: not an email address ({e})"))?;
    let url = reqwest::Url::parse(text).map_err(|e| format!("WANSHAN_SMTP_URL: {e}"))?;
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(text)
        .map_err(|e| format!("WANSHAN_SMTP_URL: {e}"))?
        .timeout(Some(SEND_TIMEOUT))
        .build();
    // Mail carries donors' phones (to coordinators): to another machine only encrypted, by
    // smtps:// or STARTTLS required.
    let tls = url.scheme() == "smtps"
        || url
            .query_pairs()
            .any(|(key, value)| key == "tls" && value == "required");
    if !tls && !is_loopback(&url) {
        return Err(format!(
            "WANSHAN_SMTP_URL: plain smtp:// to another machine ({}) would send donors' phones \
             unencrypted: use smtps:// or ?tls=required",
            url.host_str().unwrap_or("")
        ));
    }
    Ok(Channel::Smtp {
        transport,
        from,
        subject: subject(&config.city.city.brand),
    })
}

/// The webhook's JSON body. The same notice always gives the same body.
pub fn webhook_body(message: &Outgoing, link: &str) -> String {
    serde_json::json!({
        "id": message.notice_id,
        "kind": message.kind.code(),
        "to": { "user_id": message.user_id, "phone": message.phone },
        "text": message.body,
        "link": link,
        "created_at": message.created_at.0,
    })
    .to_string()
}

/// `X-Wanshan-Signature`: `sha256=` and the hex HMAC-SHA256, keyed with the secret, of
/// `"{timestamp}.{body}"`.
pub fn signature(secret: &[u8], timestamp: i64, body: &str) -> String {
    let mut mac =
        hmac::Hmac::<sha2::Sha256>::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(format!("{timestamp}.").as_bytes());
    mac.update(body.as_bytes());
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// `Idempotency-Key`: the same on every try of one notice.
pub fn idempotency_key(notice_id: i64) -> String {
    format!("wanshan-notice-{notice_id}")
}

/// Posts one message; success is any 2xx. The timestamp is this machine's clock when it is
/// sent (the receiver compares it with its own to refuse replays), whatever clock the pass
/// was scheduled by.
async fn post(
    client: &reqwest::Client,
    url: &reqwest::Url,
    secret: &[u8],
    message: &Outgoing,
    link: &str,
) -> Result<(), String> {
    let body = webhook_body(message, link);
    let timestamp = UtcMillis::now().0.div_euclid(1000);
    let response = client
        .post(url.clone())
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("X-Wanshan-Timestamp", timestamp.to_string())
        .header("X-Wanshan-Signature", signature(secret, timestamp, &body))
        .header("Idempotency-Key", idempotency_key(message.notice_id))
        .body(body)
        .send()
        .await
        .map_err(|error| {
            let kind = if error.is_timeout() {
                "timed out"
            } else if error.is_connect() {
                "could not connect"
            } else {
                "request failed"
            };
            format!("webhook: {kind}")
        })?;
    let status = response.status();
    if status.is_success() {
        Ok(())
    } else {
        Err(format!("webhook: HTTP {}", status.as_u16()))
    }
}

/// Emails one message to the person's address; none (or one that cannot be written as a
/// recipient) is a skip, not a failure: trying again would not help.
async fn email(
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    from: &Mailbox,
    subject: &str,
    message: &Outgoing,
    link: &str,
) -> Result<Delivered, String> {
    let Some(address) = message.email.as_deref() else {
        return Ok(Delivered::Skipped(NO_EMAIL));
    };
    let Ok(to) = address.parse::<Mailbox>() else {
        return Ok(Delivered::Skipped("email address not usable"));
    };
    // Base64, so the Chinese text crosses any relay whether or not it takes 8-bit mail.
    let body = Body::new_with_encoding(
        format!("{}\n\n{link}\n", message.body),
        ContentTransferEncoding::Base64,
    )
    .map_err(|_| "email: the body cannot be encoded".to_owned())?;
    let mail = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(subject)
        .header(ContentType::TEXT_PLAIN)
        .body(body)
        .map_err(|e| format!("email: {e}"))?;
    transport.send(mail).await.map_err(|error| {
        let kind = if error.is_timeout() {
            "timed out"
        } else if error.is_tls() {
            "TLS failed"
        } else if error.is_permanent() {
            "refused"
        } else if error.is_transient() {
            "refused for now"
        } else {
            "failed"
        };
        match error.status() {
            Some(code) => format!("smtp: {kind} ({code})"),
            None => format!("smtp: {kind}"),
        }
    })?;
    Ok(Delivered::Sent)
}

/// One pass at `now`: leases up to [`BATCH`] due messages and sends them, [`AT_ONCE`] at a
/// time. A message in its person's quiet hours is postponed to their end; a sent one is marked
/// sent; a failed one waits [`Sender::backoff_ms`] (or is dead after the last try).
pub async fn deliver_due(db: &Db, sender: &Sender, now: UtcMillis) -> Result<Pass, AppError> {
    let due = notices::lease_due(db, now, LEASE_MS, BATCH).await?;
    let mut pass = Pass {
        leased: due.len(),
        ..Pass::default()
    };
    // Owned messages: a stream of futures borrowing from the batch does not satisfy the
    // spawned worker's lifetime bounds.
    let outcomes: Vec<Result<Outcome, AppError>> = futures::stream::iter(due)
        .map(|message| async move { handle(db, sender, &message, now).await })
        .buffer_unordered(AT_ONCE)
        .collect()
        .await;
    for outcome in outcomes {
        match outcome? {
            Outcome::Sent => pass.sent += 1,
            Outcome::Skipped => pass.skipped += 1,
            Outcome::Postponed => pass.postponed += 1,
            Outcome::Failed { dead } => {
                pass.failed += 1;
                pass.dead += usize::from(dead);
            }
        }
    }
    Ok(pass)
}

async fn handle(
    db: &Db,
    sender: &Sender,
    message: &Outgoing,
    now: UtcMillis,
) -> Result<Outcome, AppError> {
    if message.claim_given_back {
        notices::mark_sent(db, message, Some(CLAIM_GIVEN_BACK), now).await?;
        return Ok(Outcome::Skipped);
    }
    if message.quiet.contains(now) {
        notices::postpone(db, message, message.quiet.next_allowed(now)).await?;
        return Ok(Outcome::Postponed);
    }
    match sender.deliver(message).await {
        Ok(Delivered::Sent) => {
            notices::mark_sent(db, message, None, now).await?;
            Ok(Outcome::Sent)
        }
        Ok(Delivered::Skipped(why)) => {
            notices::mark_sent(db, message, Some(why), now).await?;
            Ok(Outcome::Skipped)
        }
        Err(error) => {
            let retry_at = UtcMillis(now.0.saturating_add(sender.backoff_ms(message.attempts)));
            let dead =
                notices::mark_failed(db, message, &error, retry_at, sender.max_attempts, now)
                    .await?;
            let attempts = message.attempts + 1;
            if dead {
                tracing::error!(
                    outbox = message.id,
                    notice = message.notice_id,
                    attempts,
                    error,
                    "a message failed for the last time: it is a dead letter now"
                );
            } else {
                tracing::warn!(
                    outbox = message.id,
                    notice = message.notice_id,
                    attempts,
                    error,
                    retry_at = retry_at.0,
                    "a message failed; it will be tried again"
                );
            }
            Ok(Outcome::Failed { dead })
        }
    }
}

/// Turns messages on and starts this instance's worker when a sender is configured (with
/// none, notices stay in the inbox and nothing is queued). The worker runs a pass whenever a
/// commit queued a message here, and every poll interval (messages queued on other instances,
/// retries and quiet hours coming due); straight away again after a full batch.
pub fn spawn(db: &Db, sender: Option<Sender>) {
    let Some(sender) = sender else {
        db.send_messages(false);
        return;
    };
    db.send_messages(true);
    tracing::info!(sender = ?sender.kind(), "notices also go out as messages");
    let db = db.clone();
    tokio::spawn(async move {
        loop {
            let full = match deliver_due(&db, &sender, UtcMillis::now()).await {
                Ok(pass) => i64::try_from(pass.leased).is_ok_and(|n| n >= BATCH),
                Err(error) => {
                    tracing::warn!(?error, "an outbox pass failed; retrying later");
                    false
                }
            };
            if full {
                continue;
            }
            tokio::select! {
                () = db.notice_wiring().outbox.notified() => {}
                () = tokio::time::sleep(sender.poll) => {}
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(adjust: impl FnOnce(&mut Config)) -> Config {
        let mut config = Config::for_tests("unused.db");
        config.notice_sender = "webhook".into();
        config.webhook_url = Some("https://gateway.example.cn/notify".into());
        config.webhook_secret = Some("a-secret-of-sixteen+".into());
        adjust(&mut config);
        config
    }

    #[test]
    fn the_wait_doubles_from_the_base_up_to_an_hour() {
        let sender = Sender::from_config(&config(|_| {}), None).unwrap().unwrap();
        assert_eq!(sender.backoff_ms(0), 30_000);
        assert_eq!(sender.backoff_ms(1), 60_000);
        assert_eq!(sender.backoff_ms(3), 240_000);
        assert_eq!(sender.backoff_ms(7), MAX_BACKOFF_MS);
        assert_eq!(sender.backoff_ms(500), MAX_BACKOFF_MS);
    }

    #[test]
    fn plain_http_goes_to_this_machine_only() {
        for url in [
            "http://127.0.0.1:9/x",
            "http://localhost/x",
            "http://[::1]:8080/",
        ] {
            let config = config(|c| c.webhook_url = Some(url.into()));
            assert!(Sender::from_config(&config, None).is_ok(), "{url}");
        }
        for url in [
            "http://gateway.example.cn/",
            "http://10.0.0.1/",
            "ftp://127.0.0.1/",
        ] {
            let config = config(|c| c.webhook_url = Some(url.into()));
            let error = Sender::from_config(&config, None).unwrap_err();
            assert!(error.starts_with("WANSHAN_WEBHOOK_URL:"), "{url}: {error}");
        }
    }

    #[test]
    fn the_signature_is_the_hmac_of_timestamp_dot_body() {
        // Computed independently: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac key
        assert_eq!(
            signature(b"key", 1_700_000_000, r#"{"a":1}"#),
            "sha256=a438e398bfafc57e4396bb7fc2304422f0f768e965d073ca313cb52e22e6ad03"
        );
    }
}
