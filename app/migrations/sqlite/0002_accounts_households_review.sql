-- Accounts and roles, server-side sessions, private households, two-stage review and the aid
-- history that warns reviewers of duplicate help. Times are UTC milliseconds; money is fen.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    phone         TEXT    NOT NULL UNIQUE,
    display_name  TEXT    NOT NULL,
    donor_kind    TEXT    NOT NULL CHECK (donor_kind IN ('person', 'organisation')),
    show_name     INTEGER NOT NULL DEFAULT 1,
    password_hash TEXT    NOT NULL,
    created_at    INTEGER NOT NULL
);

-- town '' means every town (volunteers, admins, donors); a reviewer always has one town.
CREATE TABLE user_roles (
    user_id    INTEGER NOT NULL REFERENCES users (id),
    role       TEXT    NOT NULL CHECK (role IN ('donor', 'volunteer', 'reviewer', 'admin')),
    town       TEXT    NOT NULL DEFAULT '',
    granted_by INTEGER REFERENCES users (id),
    granted_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, role, town),
    CHECK (role <> 'reviewer' OR town <> '')
);

-- Only a hash of the cookie's token is stored: a copy of the database cannot sign anyone in.
CREATE TABLE sessions (
    token_hash TEXT    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Private. id_key is a keyed hash (HMAC-SHA256, key outside the database) of the normalised
-- ID number; only its last four characters are kept in the clear.
CREATE TABLE households (
    id           INTEGER PRIMARY KEY,
    town         TEXT    NOT NULL,
    village      TEXT    NOT NULL,
    head_name    TEXT    NOT NULL,
    id_key       TEXT    NOT NULL UNIQUE,
    id_last4     TEXT    NOT NULL,
    address      TEXT    NOT NULL,
    phone        TEXT    NOT NULL,
    members      TEXT    NOT NULL,
    member_count INTEGER NOT NULL CHECK (member_count BETWEEN 1 AND 30),
    low_income   TEXT    NOT NULL CHECK (low_income IN ('none', 'expenditure', 'marginal', 'dibao', 'tekun')),
    created_by   INTEGER NOT NULL REFERENCES users (id),
    created_at   INTEGER NOT NULL
);
CREATE INDEX households_town ON households (town);

-- The needs table gains review stages, its household, its author and private notes. SQLite
-- cannot change a CHECK in place: the table is rebuilt (claims' reference is checked at commit).
PRAGMA defer_foreign_keys = ON;

CREATE TABLE needs_reviewed (
    id                    INTEGER PRIMARY KEY,
    aid_window            TEXT    NOT NULL CHECK (aid_window IN ('medical', 'education', 'disability', 'home', 'insurance', 'services')),
    title                 TEXT    NOT NULL,
    story                 TEXT    NOT NULL,
    town                  TEXT    NOT NULL,
    village               TEXT    NOT NULL,
    ask_kind              TEXT    NOT NULL CHECK (ask_kind IN ('money', 'goods', 'service')),
    amount_fen            INTEGER CHECK (amount_fen IS NULL OR (amount_fen > 0 AND amount_fen <= 50000000)),
    urgency               INTEGER NOT NULL CHECK (urgency BETWEEN 1 AND 3),
    status                TEXT    NOT NULL CHECK (status IN ('draft', 'council_review', 'volunteer_review', 'published', 'claimed', 'fulfilled')),
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL,
    household_id          INTEGER REFERENCES households (id),
    author_id             INTEGER REFERENCES users (id),
    private_notes         TEXT    NOT NULL DEFAULT '',
    council_reviewer_id   INTEGER REFERENCES users (id),
    volunteer_reviewer_id INTEGER REFERENCES users (id),
    returned_reason       TEXT,
    CHECK ((ask_kind = 'money') = (amount_fen IS NOT NULL))
);

INSERT INTO needs_reviewed (id, aid_window, title, story, town, village, ask_kind, amount_fen,
                            urgency, status, created_at, updated_at)
SELECT id, aid_window, title, story, town, village, ask_kind, amount_fen, urgency, status,
       created_at, updated_at
FROM needs;

DROP TABLE needs;
ALTER TABLE needs_reviewed RENAME TO needs;

CREATE INDEX needs_open_board ON needs (status, urgency DESC, created_at DESC, id DESC);
CREATE INDEX needs_household ON needs (household_id);
CREATE INDEX needs_author ON needs (author_id);

ALTER TABLE claims ADD COLUMN donor_id INTEGER REFERENCES users (id);
-- How many records of aid in the same window the household had when the need was claimed.
ALTER TABLE claims ADD COLUMN aid_warnings INTEGER NOT NULL DEFAULT 0;

-- Every review decision, kept: who, which stage, approve or return, why, and whether the
-- reviewer approved over a duplicate-aid warning (with the reason they gave).
CREATE TABLE reviews (
    id              INTEGER PRIMARY KEY,
    need_id         INTEGER NOT NULL REFERENCES needs (id),
    stage           TEXT    NOT NULL CHECK (stage IN ('council', 'volunteer')),
    reviewer_id     INTEGER NOT NULL REFERENCES users (id),
    decision        TEXT    NOT NULL CHECK (decision IN ('approve', 'return')),
    reason          TEXT    NOT NULL DEFAULT '',
    aid_warnings    INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL
);
CREATE INDEX reviews_need ON reviews (need_id);

-- Aid a household received from another agency, imported by CSV, matched by id_key.
CREATE TABLE aid_records (
    id          INTEGER PRIMARY KEY,
    id_key      TEXT    NOT NULL,
    agency      TEXT    NOT NULL,
    aid_window  TEXT    NOT NULL CHECK (aid_window IN ('medical', 'education', 'disability', 'home', 'insurance', 'services')),
    cause       TEXT    NOT NULL,
    aided_at    INTEGER NOT NULL,
    amount_fen  INTEGER CHECK (amount_fen IS NULL OR amount_fen >= 0),
    imported_by INTEGER NOT NULL REFERENCES users (id),
    imported_at INTEGER NOT NULL
);
CREATE INDEX aid_records_key ON aid_records (id_key, aid_window, aided_at);
