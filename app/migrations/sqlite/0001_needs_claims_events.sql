-- Needs on the public board, their claims, and the append-only event log that feeds live boards.
-- Times are milliseconds since the Unix epoch, UTC. Money is integer fen.

CREATE TABLE needs (
    id          INTEGER PRIMARY KEY,
    aid_window  TEXT    NOT NULL CHECK (aid_window IN ('medical', 'education', 'disability', 'home', 'insurance', 'services')),
    title       TEXT    NOT NULL,
    story       TEXT    NOT NULL,
    town        TEXT    NOT NULL,
    village     TEXT    NOT NULL,
    ask_kind    TEXT    NOT NULL CHECK (ask_kind IN ('money', 'goods', 'service')),
    amount_fen  INTEGER CHECK (amount_fen IS NULL OR (amount_fen > 0 AND amount_fen <= 50000000)),
    urgency     INTEGER NOT NULL CHECK (urgency BETWEEN 1 AND 3),
    status      TEXT    NOT NULL CHECK (status IN ('published', 'claimed', 'fulfilled')),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    CHECK ((ask_kind = 'money') = (amount_fen IS NOT NULL))
);

CREATE INDEX needs_open_board ON needs (status, urgency DESC, created_at DESC, id DESC);

CREATE TABLE claims (
    id            INTEGER PRIMARY KEY,
    need_id       INTEGER NOT NULL REFERENCES needs (id),
    donor_name    TEXT    NOT NULL,
    donor_contact TEXT    NOT NULL,
    claimed_at    INTEGER NOT NULL,
    released_at   INTEGER
);

-- At most one active claim per need, whatever the race.
CREATE UNIQUE INDEX claims_one_active_per_need ON claims (need_id) WHERE released_at IS NULL;

CREATE TABLE events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT    NOT NULL,
    need_id     INTEGER,
    payload     TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);
