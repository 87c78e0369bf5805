-- Accounts and roles, server-side sessions, private households, two-stage review and the aid
-- history that warns reviewers of duplicate help. Times are UTC milliseconds; money is fen.

CREATE TABLE users (
    id            BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    phone         TEXT    NOT NULL UNIQUE,
    display_name  TEXT    NOT NULL,
    donor_kind    TEXT    NOT NULL CHECK (donor_kind IN ('person', 'organisation')),
    show_name     BIGINT  NOT NULL DEFAULT 1,
    password_hash TEXT    NOT NULL,
    created_at    BIGINT  NOT NULL
);

-- town '' means every town (volunteers, admins, donors); a reviewer always has one town.
CREATE TABLE user_roles (
    user_id    BIGINT  NOT NULL REFERENCES users (id),
    role       TEXT    NOT NULL CHECK (role IN ('donor', 'volunteer', 'reviewer', 'admin')),
    town       TEXT    NOT NULL DEFAULT '',
    granted_by BIGINT  REFERENCES users (id),
    granted_at BIGINT  NOT NULL,
    PRIMARY KEY (user_id, role, town),
    CHECK (role <> 'reviewer' OR town <> '')
);

-- Only a hash of the cookie's token is stored: a copy of the database cannot sign anyone in.
CREATE TABLE sessions (
    token_hash TEXT    PRIMARY KEY,
    user_id    BIGINT  NOT NULL REFERENCES users (id),
    created_at BIGINT  NOT NULL,
    expires_at BIGINT  NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Private. id_key is a keyed hash (HMAC-SHA256, key outside the database) of the normalised
-- ID number; only its last four characters are kept in the clear.
CREATE TABLE households (
    id           BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    town         TEXT    NOT NULL,
    village      TEXT    NOT NULL,
    head_name    TEXT    NOT NULL,
    id_key       TEXT    NOT NULL UNIQUE,
    id_last4     TEXT    NOT NULL,
    address      TEXT    NOT NULL,
    phone        TEXT    NOT NULL,
    members      TEXT    NOT NULL,
    member_count BIGINT  NOT NULL CHECK (member_count BETWEEN 1 AND 30),
    low_income   TEXT    NOT NULL CHECK (low_income IN ('none', 'expenditure', 'marginal', 'dibao', 'tekun')),
    created_by   BIGINT  NOT NULL REFERENCES users (id),
    created_at   BIGINT  NOT NULL
);
CREATE INDEX households_town ON households (town);

ALTER TABLE needs DROP CONSTRAINT needs_status_check;
ALTER TABLE needs ADD CONSTRAINT needs_status_check
    CHECK (status IN ('draft', 'council_review', 'volunteer_review', 'published', 'claimed', 'fulfilled'));
ALTER TABLE needs ADD COLUMN household_id BIGINT REFERENCES households (id);
ALTER TABLE needs ADD COLUMN author_id BIGINT REFERENCES users (id);
ALTER TABLE needs ADD COLUMN private_notes TEXT NOT NULL DEFAULT '';
ALTER TABLE needs ADD COLUMN council_reviewer_id BIGINT REFERENCES users (id);
ALTER TABLE needs ADD COLUMN volunteer_reviewer_id BIGINT REFERENCES users (id);
ALTER TABLE needs ADD COLUMN returned_reason TEXT;
CREATE INDEX needs_household ON needs (household_id);
CREATE INDEX needs_author ON needs (author_id);

ALTER TABLE claims ADD COLUMN donor_id BIGINT REFERENCES users (id);
-- How many records of aid in the same window the household had when the need was claimed.
ALTER TABLE claims ADD COLUMN aid_warnings BIGINT NOT NULL DEFAULT 0;

-- Every review decision, kept: who, which stage, approve or return, why, and whether the
-- reviewer approved over a duplicate-aid warning (with the reason they gave).
CREATE TABLE reviews (
    id              BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    need_id         BIGINT  NOT NULL REFERENCES needs (id),
    stage           TEXT    NOT NULL CHECK (stage IN ('council', 'volunteer')),
    reviewer_id     BIGINT  NOT NULL REFERENCES users (id),
    decision        TEXT    NOT NULL CHECK (decision IN ('approve', 'return')),
    reason          TEXT    NOT NULL DEFAULT '',
    aid_warnings    BIGINT  NOT NULL DEFAULT 0,
    created_at      BIGINT  NOT NULL
);
CREATE INDEX reviews_need ON reviews (need_id);

-- Aid a household received from another agency, imported by CSV, matched by id_key.
CREATE TABLE aid_records (
    id          BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id_key      TEXT    NOT NULL,
    agency      TEXT    NOT NULL,
    aid_window  TEXT    NOT NULL CHECK (aid_window IN ('medical', 'education', 'disability', 'home', 'insurance', 'services')),
    cause       TEXT    NOT NULL,
    aided_at    BIGINT  NOT NULL,
    amount_fen  BIGINT  CHECK (amount_fen IS NULL OR amount_fen >= 0),
    imported_by BIGINT  NOT NULL REFERENCES users (id),
    imported_at BIGINT  NOT NULL
);
CREATE INDEX aid_records_key ON aid_records (id_key, aid_window, aided_at);
