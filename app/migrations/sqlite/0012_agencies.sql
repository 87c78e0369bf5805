-- Agencies and the exchange API (#16): partner agencies (civil affairs, the disabled persons'
-- federation, charities) an admin creates, their API keys (stored hashed, scoped, revocable,
-- rate-limited), the audit log of every call, and aid records an agency posts through the API
-- (idempotent by the key the agency supplies).

PRAGMA defer_foreign_keys = ON;

CREATE TABLE agencies (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL UNIQUE,
    created_by INTEGER NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL
);

-- A key is `wsk_<prefix>_<secret>`: the prefix finds the row, the secret's SHA-256 is kept.
-- The per-minute counter is a fixed window held in the row, moved by one conditional UPDATE.
CREATE TABLE api_keys (
    id             INTEGER PRIMARY KEY,
    agency_id      INTEGER NOT NULL REFERENCES agencies (id),
    prefix         TEXT    NOT NULL UNIQUE,
    secret_hash    TEXT    NOT NULL,
    label          TEXT    NOT NULL DEFAULT '',
    can_query      INTEGER NOT NULL CHECK (can_query IN (0, 1)),
    can_record     INTEGER NOT NULL CHECK (can_record IN (0, 1)),
    per_minute     INTEGER NOT NULL CHECK (per_minute BETWEEN 1 AND 600),
    window_start   INTEGER NOT NULL DEFAULT 0,
    window_calls   INTEGER NOT NULL DEFAULT 0,
    window_refused INTEGER NOT NULL DEFAULT 0,
    created_by     INTEGER NOT NULL REFERENCES users (id),
    created_at     INTEGER NOT NULL,
    revoked_by     INTEGER REFERENCES users (id),
    revoked_at     INTEGER,
    last_used_at   INTEGER,
    CHECK (can_query = 1 OR can_record = 1)
);
CREATE INDEX api_keys_agency ON api_keys (agency_id);

-- Every call made with a valid key: what, when, the answer's status, never whom it was about.
CREATE TABLE api_calls (
    id         INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    agency_id  INTEGER NOT NULL REFERENCES agencies (id),
    key_id     INTEGER NOT NULL REFERENCES api_keys (id),
    operation  TEXT    NOT NULL,
    status     INTEGER NOT NULL,
    aid_window TEXT,
    row_count  INTEGER NOT NULL DEFAULT 0,
    address    TEXT
);
CREATE INDEX api_calls_at ON api_calls (at);
CREATE INDEX api_calls_agency ON api_calls (agency_id, operation, at);

-- Aid records may now come from an agency through the API instead of an admin's import.
CREATE TABLE aid_records_agencies (
    id           INTEGER PRIMARY KEY,
    id_key       TEXT    NOT NULL,
    agency       TEXT    NOT NULL,
    aid_window   TEXT    NOT NULL CHECK (aid_window IN ('medical', 'education', 'disability', 'home', 'insurance', 'services')),
    cause        TEXT    NOT NULL,
    aided_at     INTEGER NOT NULL,
    amount_fen   INTEGER CHECK (amount_fen IS NULL OR amount_fen >= 0),
    imported_by  INTEGER REFERENCES users (id),
    imported_at  INTEGER NOT NULL,
    agency_id    INTEGER REFERENCES agencies (id),
    agency_key   TEXT,
    fingerprint  TEXT,
    CHECK (imported_by IS NOT NULL OR agency_id IS NOT NULL),
    CHECK ((agency_key IS NULL) = (agency_id IS NULL))
);
INSERT INTO aid_records_agencies (id, id_key, agency, aid_window, cause, aided_at, amount_fen, imported_by, imported_at)
    SELECT id, id_key, agency, aid_window, cause, aided_at, amount_fen, imported_by, imported_at FROM aid_records;
DROP TABLE aid_records;
ALTER TABLE aid_records_agencies RENAME TO aid_records;
CREATE INDEX aid_records_key ON aid_records (id_key, aid_window, aided_at);
-- One record per agency and key, whatever the race: a repeated call finds the first.
CREATE UNIQUE INDEX aid_records_agency_key ON aid_records (agency_id, agency_key) WHERE agency_key IS NOT NULL;
