-- Non-material help and matching (#15): service offers by providers (a new role), their
-- slots and the households booked onto them; a service need may be matched to an offer at
-- review instead of the board (status `matched`); donors' interests.

PRAGMA defer_foreign_keys = ON;

-- Providers (服务提供方): organisations and volunteers who offer services. SQLite changes a
-- CHECK only by rebuilding the table.
CREATE TABLE user_roles_new (
    user_id    INTEGER NOT NULL REFERENCES users (id),
    role       TEXT    NOT NULL CHECK (role IN ('donor', 'volunteer', 'reviewer', 'admin', 'official', 'provider')),
    town       TEXT    NOT NULL DEFAULT '',
    granted_by INTEGER REFERENCES users (id),
    granted_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, role, town),
    CHECK (role <> 'reviewer' OR town <> '')
);
INSERT INTO user_roles_new (user_id, role, town, granted_by, granted_at)
    SELECT user_id, role, town, granted_by, granted_at FROM user_roles;
DROP TABLE user_roles;
ALTER TABLE user_roles_new RENAME TO user_roles;

-- A need matched to a service offer at review is `matched` until the family attends.
CREATE TABLE needs_services (
    id                    INTEGER PRIMARY KEY,
    aid_window            TEXT    NOT NULL CHECK (aid_window IN ('medical', 'education', 'disability', 'home', 'insurance', 'services')),
    title                 TEXT    NOT NULL,
    story                 TEXT    NOT NULL,
    town                  TEXT    NOT NULL,
    village               TEXT    NOT NULL,
    ask_kind              TEXT    NOT NULL CHECK (ask_kind IN ('money', 'goods', 'service')),
    amount_fen            INTEGER CHECK (amount_fen IS NULL OR (amount_fen > 0 AND amount_fen <= 50000000)),
    urgency               INTEGER NOT NULL CHECK (urgency BETWEEN 1 AND 3),
    status                TEXT    NOT NULL CHECK (status IN ('draft', 'council_review', 'volunteer_review', 'published', 'claimed', 'fulfilled', 'referred', 'paused', 'withdrawn', 'matched')),
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL,
    household_id          INTEGER REFERENCES households (id),
    author_id             INTEGER REFERENCES users (id),
    private_notes         TEXT    NOT NULL DEFAULT '',
    council_reviewer_id   INTEGER REFERENCES users (id),
    volunteer_reviewer_id INTEGER REFERENCES users (id),
    returned_reason       TEXT,
    pledged_fen           INTEGER NOT NULL DEFAULT 0
        CHECK (pledged_fen >= 0 AND (amount_fen IS NULL OR pledged_fen <= amount_fen)),
    fulfilled_at          INTEGER,
    version               INTEGER NOT NULL DEFAULT 1,
    -- When a volunteer first entered it (created_at becomes the publication time).
    entered_at            INTEGER NOT NULL,
    -- When it last went to the council's review.
    submitted_at          INTEGER,
    -- When it first reached the board.
    published_at          INTEGER,
    CHECK ((ask_kind = 'money') = (amount_fen IS NOT NULL))
);

INSERT INTO needs_services (id, aid_window, title, story, town, village, ask_kind, amount_fen, urgency, status, created_at, updated_at, household_id, author_id, private_notes, council_reviewer_id, volunteer_reviewer_id, returned_reason, pledged_fen, fulfilled_at, version, entered_at, submitted_at, published_at)
SELECT id, aid_window, title, story, town, village, ask_kind, amount_fen, urgency, status, created_at, updated_at, household_id, author_id, private_notes, council_reviewer_id, volunteer_reviewer_id, returned_reason, pledged_fen, fulfilled_at, version, entered_at, submitted_at, published_at FROM needs;

DROP TABLE needs;
ALTER TABLE needs_services RENAME TO needs;

CREATE INDEX needs_open_board ON needs (status, urgency DESC, created_at DESC, id DESC);
CREATE INDEX needs_household ON needs (household_id);
CREATE INDEX needs_author ON needs (author_id);
CREATE INDEX needs_entered ON needs (entered_at);
-- A service offer (送服务、送文化): what, which window, by whom; public once a volunteer
-- approved it.
CREATE TABLE offers (
    id            INTEGER PRIMARY KEY,
    provider_id   INTEGER NOT NULL REFERENCES users (id),
    kind          TEXT    NOT NULL CHECK (kind IN ('tutoring', 'legal', 'health', 'repair', 'culture', 'care', 'other')),
    aid_window    TEXT    NOT NULL CHECK (aid_window IN ('medical', 'education', 'disability', 'home', 'insurance', 'services')),
    title         TEXT    NOT NULL,
    description   TEXT    NOT NULL,
    status        TEXT    NOT NULL CHECK (status IN ('review', 'published', 'returned', 'closed')),
    reviewer_id   INTEGER REFERENCES users (id),
    review_note   TEXT    NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    reviewed_at   INTEGER,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX offers_status ON offers (status, id);
CREATE INDEX offers_provider ON offers (provider_id);

-- The towns an offer serves.
CREATE TABLE offer_towns (
    offer_id INTEGER NOT NULL REFERENCES offers (id),
    town     TEXT    NOT NULL,
    PRIMARY KEY (offer_id, town)
);
CREATE INDEX offer_towns_town ON offer_towns (town);

-- A time an offer is given, with its places. `booked` moves only by a conditional UPDATE that
-- keeps it within `places`; the CHECK backs it.
CREATE TABLE offer_slots (
    id        INTEGER PRIMARY KEY,
    offer_id  INTEGER NOT NULL REFERENCES offers (id),
    starts_at INTEGER NOT NULL,
    ends_at   INTEGER NOT NULL,
    places    INTEGER NOT NULL CHECK (places BETWEEN 1 AND 500),
    booked    INTEGER NOT NULL DEFAULT 0,
    CHECK (ends_at > starts_at),
    CHECK (booked >= 0 AND booked <= places)
);
CREATE INDEX offer_slots_offer ON offer_slots (offer_id, starts_at);

-- A household booked onto a slot by a volunteer (or by a reviewer matching a need).
CREATE TABLE bookings (
    id            INTEGER PRIMARY KEY,
    slot_id       INTEGER NOT NULL REFERENCES offer_slots (id),
    offer_id      INTEGER NOT NULL REFERENCES offers (id),
    household_id  INTEGER NOT NULL REFERENCES households (id),
    need_id       INTEGER REFERENCES needs (id),
    booked_by     INTEGER NOT NULL REFERENCES users (id),
    note          TEXT    NOT NULL DEFAULT '',
    status        TEXT    NOT NULL CHECK (status IN ('booked', 'attended', 'absent', 'cancelled')),
    booked_at     INTEGER NOT NULL,
    decided_by    INTEGER REFERENCES users (id),
    decided_at    INTEGER,
    aid_record_id INTEGER REFERENCES aid_records (id)
);
-- One live booking per household and slot, whatever the race.
CREATE UNIQUE INDEX bookings_once ON bookings (slot_id, household_id) WHERE status <> 'cancelled';
CREATE INDEX bookings_offer ON bookings (offer_id, status);
CREATE INDEX bookings_household ON bookings (household_id);
CREATE UNIQUE INDEX bookings_need ON bookings (need_id) WHERE need_id IS NOT NULL AND status = 'booked';

-- What a donor wants to help with: windows and towns (comma-framed codes, ',medical,home,';
-- empty: any), a money range in fen, and whether a newly published match is a notice.
CREATE TABLE donor_interests (
    user_id    INTEGER PRIMARY KEY REFERENCES users (id),
    windows    TEXT    NOT NULL DEFAULT '',
    towns      TEXT    NOT NULL DEFAULT '',
    min_fen    INTEGER CHECK (min_fen IS NULL OR min_fen >= 0),
    max_fen    INTEGER CHECK (max_fen IS NULL OR max_fen >= 0),
    notify     INTEGER NOT NULL DEFAULT 1,
    updated_at INTEGER NOT NULL
);
