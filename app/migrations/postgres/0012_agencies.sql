-- Agencies and the exchange API (#16): partner agencies an admin creates, their API keys
-- (stored hashed, scoped, revocable, rate-limited), the audit log of every call, and aid
-- records an agency posts through the API (idempotent by the key the agency supplies).

CREATE TABLE agencies (
    id         BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       TEXT    NOT NULL UNIQUE,
    created_by BIGINT  NOT NULL REFERENCES users (id),
    created_at BIGINT  NOT NULL
);

CREATE TABLE api_keys (
    id             BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agency_id      BIGINT  NOT NULL REFERENCES agencies (id),
    prefix         TEXT    NOT NULL UNIQUE,
    secret_hash    TEXT    NOT NULL,
    label          TEXT    NOT NULL DEFAULT '',
    can_query      INTEGER NOT NULL CHECK (can_query IN (0, 1)),
    can_record     INTEGER NOT NULL CHECK (can_record IN (0, 1)),
    per_minute     INTEGER NOT NULL CHECK (per_minute BETWEEN 1 AND 600),
    window_start   BIGINT  NOT NULL DEFAULT 0,
    window_calls   INTEGER NOT NULL DEFAULT 0,
    window_refused INTEGER NOT NULL DEFAULT 0,
    created_by     BIGINT  NOT NULL REFERENCES users (id),
    created_at     BIGINT  NOT NULL,
    revoked_by     BIGINT  REFERENCES users (id),
    revoked_at     BIGINT,
    last_used_at   BIGINT,
    CHECK (can_query = 1 OR can_record = 1)
);
CREATE INDEX api_keys_agency ON api_keys (agency_id);

CREATE TABLE api_calls (
    id         BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         BIGINT  NOT NULL,
    agency_id  BIGINT  NOT NULL REFERENCES agencies (id),
    key_id     BIGINT  NOT NULL REFERENCES api_keys (id),
    operation  TEXT    NOT NULL,
    status     INTEGER NOT NULL,
    aid_window TEXT,
    row_count  INTEGER NOT NULL DEFAULT 0,
    address    TEXT
);
CREATE INDEX api_calls_at ON api_calls (at);
CREATE INDEX api_calls_agency ON api_calls (agency_id, operation, at);

ALTER TABLE aid_records ALTER COLUMN imported_by DROP NOT NULL;
ALTER TABLE aid_records ADD COLUMN agency_id BIGINT REFERENCES agencies (id);
ALTER TABLE aid_records ADD COLUMN agency_key TEXT;
ALTER TABLE aid_records ADD COLUMN fingerprint TEXT;
ALTER TABLE aid_records ADD CONSTRAINT aid_records_who CHECK (imported_by IS NOT NULL OR agency_id IS NOT NULL);
ALTER TABLE aid_records ADD CONSTRAINT aid_records_keyed CHECK ((agency_key IS NULL) = (agency_id IS NULL));
CREATE UNIQUE INDEX aid_records_agency_key ON aid_records (agency_id, agency_key) WHERE agency_key IS NOT NULL;
