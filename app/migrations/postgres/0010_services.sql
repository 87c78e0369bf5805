-- Non-material help and matching (#15): service offers by providers (a new role), their
-- slots and the households booked onto them; a service need may be matched to an offer at
-- review instead of the board (status `matched`); donors' interests.

ALTER TABLE user_roles DROP CONSTRAINT user_roles_role_check;
ALTER TABLE user_roles ADD CONSTRAINT user_roles_role_check
    CHECK (role IN ('donor', 'volunteer', 'reviewer', 'admin', 'official', 'provider'));

ALTER TABLE needs DROP CONSTRAINT needs_status_check;
ALTER TABLE needs ADD CONSTRAINT needs_status_check
    CHECK (status IN ('draft', 'council_review', 'volunteer_review', 'published', 'claimed', 'fulfilled', 'referred', 'paused', 'withdrawn', 'matched'));

-- A service offer (送服务、送文化): what, which window, by whom; public once a volunteer
-- approved it.
CREATE TABLE offers (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    provider_id   BIGINT NOT NULL REFERENCES users (id),
    kind          TEXT    NOT NULL CHECK (kind IN ('tutoring', 'legal', 'health', 'repair', 'culture', 'care', 'other')),
    aid_window    TEXT    NOT NULL CHECK (aid_window IN ('medical', 'education', 'disability', 'home', 'insurance', 'services')),
    title         TEXT    NOT NULL,
    description   TEXT    NOT NULL,
    status        TEXT    NOT NULL CHECK (status IN ('review', 'published', 'returned', 'closed')),
    reviewer_id   BIGINT REFERENCES users (id),
    review_note   TEXT    NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL,
    reviewed_at   BIGINT,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX offers_status ON offers (status, id);
CREATE INDEX offers_provider ON offers (provider_id);

-- The towns an offer serves.
CREATE TABLE offer_towns (
    offer_id BIGINT NOT NULL REFERENCES offers (id),
    town     TEXT    NOT NULL,
    PRIMARY KEY (offer_id, town)
);
CREATE INDEX offer_towns_town ON offer_towns (town);

-- A time an offer is given, with its places. `booked` moves only by a conditional UPDATE that
-- keeps it within `places`; the CHECK backs it.
CREATE TABLE offer_slots (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    offer_id  BIGINT NOT NULL REFERENCES offers (id),
    starts_at BIGINT NOT NULL,
    ends_at   BIGINT NOT NULL,
    places    BIGINT NOT NULL CHECK (places BETWEEN 1 AND 500),
    booked    BIGINT NOT NULL DEFAULT 0,
    CHECK (ends_at > starts_at),
    CHECK (booked >= 0 AND booked <= places)
);
CREATE INDEX offer_slots_offer ON offer_slots (offer_id, starts_at);

-- A household booked onto a slot by a volunteer (or by a reviewer matching a need).
CREATE TABLE bookings (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slot_id       BIGINT NOT NULL REFERENCES offer_slots (id),
    offer_id      BIGINT NOT NULL REFERENCES offers (id),
    household_id  BIGINT NOT NULL REFERENCES households (id),
    need_id       BIGINT REFERENCES needs (id),
    booked_by     BIGINT NOT NULL REFERENCES users (id),
    note          TEXT    NOT NULL DEFAULT '',
    status        TEXT    NOT NULL CHECK (status IN ('booked', 'attended', 'absent', 'cancelled')),
    booked_at     BIGINT NOT NULL,
    decided_by    BIGINT REFERENCES users (id),
    decided_at    BIGINT,
    aid_record_id BIGINT REFERENCES aid_records (id)
);
-- One live booking per household and slot, whatever the race.
CREATE UNIQUE INDEX bookings_once ON bookings (slot_id, household_id) WHERE status <> 'cancelled';
CREATE INDEX bookings_offer ON bookings (offer_id, status);
CREATE INDEX bookings_household ON bookings (household_id);
CREATE UNIQUE INDEX bookings_need ON bookings (need_id) WHERE need_id IS NOT NULL AND status = 'booked';

-- What a donor wants to help with: windows and towns (comma-framed codes, ',medical,home,';
-- empty: any), a money range in fen, and whether a newly published match is a notice.
CREATE TABLE donor_interests (
    user_id    BIGINT PRIMARY KEY REFERENCES users (id),
    windows    TEXT    NOT NULL DEFAULT '',
    towns      TEXT    NOT NULL DEFAULT '',
    min_fen    BIGINT CHECK (min_fen IS NULL OR min_fen >= 0),
    max_fen    BIGINT CHECK (max_fen IS NULL OR max_fen >= 0),
    notify     BIGINT  NOT NULL DEFAULT 1,
    updated_at BIGINT NOT NULL
);
