-- Notices: what concerns a person, in their inbox, and (if a sender is configured and they
-- want it) as a message beyond the app through a durable outbox.

-- One notice to one person. Written in the same transaction as the change it tells of. The
-- words are composed when it is written, from public fields (and, for the coordinating
-- volunteer alone, the donor's contact); never from a household's private file.
CREATE TABLE notices (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    kind       TEXT    NOT NULL,
    need_id    INTEGER REFERENCES needs (id),
    claim_id   INTEGER REFERENCES claims (id),
    body       TEXT    NOT NULL,
    link       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    read_at    INTEGER
);
CREATE INDEX notices_user ON notices (user_id, id);
CREATE INDEX notices_unread ON notices (user_id) WHERE read_at IS NULL;

-- Messages to send beyond the app, one per notice. A worker leases due rows (lease_until),
-- sends, and marks them sent; a failure backs off (not_before); after too many the row is
-- dead (shown to admins). Quiet hours move not_before to the morning.
CREATE TABLE notice_outbox (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    notice_id   INTEGER NOT NULL UNIQUE REFERENCES notices (id),
    user_id     INTEGER NOT NULL REFERENCES users (id),
    queued_at   INTEGER NOT NULL,
    not_before  INTEGER NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    lease_until INTEGER,
    last_error  TEXT,
    sent_at     INTEGER,
    dead_at     INTEGER
);
CREATE INDEX notice_outbox_due ON notice_outbox (not_before) WHERE sent_at IS NULL AND dead_at IS NULL;
-- A person's messages of the last day are counted (at most 30 a day).
CREATE INDEX notice_outbox_user ON notice_outbox (user_id, queued_at);

-- A person's choice per kind of notice (no row: the kind's default), and their quiet hours
-- (minutes after midnight, Shanghai time; equal: none) and email address for SMTP.
CREATE TABLE notice_prefs (
    user_id    INTEGER NOT NULL REFERENCES users (id),
    kind       TEXT    NOT NULL,
    by_message INTEGER NOT NULL,
    PRIMARY KEY (user_id, kind)
);
ALTER TABLE users ADD COLUMN quiet_from INTEGER NOT NULL DEFAULT 1320;
ALTER TABLE users ADD COLUMN quiet_to INTEGER NOT NULL DEFAULT 480;
ALTER TABLE users ADD COLUMN email TEXT;

-- "有人放弃时提醒我": a donor asks to hear when a claimed need comes back to the board.
CREATE TABLE need_watches (
    user_id    INTEGER NOT NULL REFERENCES users (id),
    need_id    INTEGER NOT NULL REFERENCES needs (id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (need_id, user_id)
);
CREATE INDEX need_watches_user ON need_watches (user_id);

-- When the donor was reminded that their claim runs out soon (once per claim).
ALTER TABLE claims ADD COLUMN reminded_at INTEGER;
