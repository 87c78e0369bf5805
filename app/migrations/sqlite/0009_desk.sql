-- The supervision desk (#14): needs may be referred to a government programme, paused on a
-- public report, or withdrawn; when each stage began is kept for the desk's figures; the
-- lifecycle steps no other table records are in the need's trail; every opening of a
-- household's private file is logged.

PRAGMA defer_foreign_keys = ON;

-- SQLite cannot change a CHECK in place: the table is rebuilt (the documented procedure).
CREATE TABLE needs_desk (
    id                    INTEGER PRIMARY KEY,
    aid_window            TEXT    NOT NULL CHECK (aid_window IN ('medical', 'education', 'disability', 'home', 'insurance', 'services')),
    title                 TEXT    NOT NULL,
    story                 TEXT    NOT NULL,
    town                  TEXT    NOT NULL,
    village               TEXT    NOT NULL,
    ask_kind              TEXT    NOT NULL CHECK (ask_kind IN ('money', 'goods', 'service')),
    amount_fen            INTEGER CHECK (amount_fen IS NULL OR (amount_fen > 0 AND amount_fen <= 50000000)),
    urgency               INTEGER NOT NULL CHECK (urgency BETWEEN 1 AND 3),
    status                TEXT    NOT NULL CHECK (status IN ('draft', 'council_review', 'volunteer_review', 'published', 'claimed', 'fulfilled', 'referred', 'paused', 'withdrawn')),
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

INSERT INTO needs_desk (id, aid_window, title, story, town, village, ask_kind, amount_fen, urgency,
                        status, created_at, updated_at, household_id, author_id, private_notes,
                        council_reviewer_id, volunteer_reviewer_id, returned_reason, pledged_fen,
                        fulfilled_at, version, entered_at, submitted_at, published_at)
SELECT id, aid_window, title, story, town, village, ask_kind, amount_fen, urgency, status,
       created_at, updated_at, household_id, author_id, private_notes, council_reviewer_id,
       volunteer_reviewer_id, returned_reason, pledged_fen, fulfilled_at, version,
       MIN(created_at, COALESCE((SELECT MIN(r.created_at) FROM reviews r WHERE r.need_id = needs.id), created_at)),
       CASE WHEN status = 'draft' THEN NULL
            ELSE COALESCE((SELECT MIN(r.created_at) FROM reviews r WHERE r.need_id = needs.id), updated_at) END,
       CASE WHEN status IN ('published', 'claimed', 'fulfilled') THEN created_at END
FROM needs;

DROP TABLE needs;
ALTER TABLE needs_desk RENAME TO needs;

CREATE INDEX needs_open_board ON needs (status, urgency DESC, created_at DESC, id DESC);
CREATE INDEX needs_household ON needs (household_id);
CREATE INDEX needs_author ON needs (author_id);
CREATE INDEX needs_entered ON needs (entered_at);

-- A need's lifecycle steps that no other table records (reviews and claims have their own):
-- entered, edited, submitted, taken back to edit, referred, a referral's outcome, reported,
-- paused, a report resolved, resumed, withdrawn. Append-only.
CREATE TABLE need_trail (
    id         INTEGER PRIMARY KEY,
    need_id    INTEGER NOT NULL REFERENCES needs (id),
    action     TEXT    NOT NULL,
    actor_id   INTEGER REFERENCES users (id),
    detail     TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
CREATE INDEX need_trail_need ON need_trail (need_id, created_at);
CREATE TRIGGER need_trail_no_update BEFORE UPDATE ON need_trail
BEGIN SELECT RAISE(ABORT, 'the trail is append-only'); END;
CREATE TRIGGER need_trail_no_delete BEFORE DELETE ON need_trail
BEGIN SELECT RAISE(ABORT, 'the trail is append-only'); END;

-- A need sent to a government programme instead of the board, and what came of it.
CREATE TABLE referrals (
    id            INTEGER PRIMARY KEY,
    need_id       INTEGER NOT NULL REFERENCES needs (id),
    programme     TEXT    NOT NULL,
    stage         TEXT    NOT NULL CHECK (stage IN ('council', 'volunteer')),
    referred_by   INTEGER NOT NULL REFERENCES users (id),
    referred_at   INTEGER NOT NULL,
    due_at        INTEGER NOT NULL,
    note          TEXT    NOT NULL DEFAULT '',
    outcome       TEXT    CHECK (outcome IS NULL OR outcome IN ('granted', 'refused', 'withdrawn')),
    outcome_fen   INTEGER CHECK (outcome_fen IS NULL OR outcome_fen >= 0),
    outcome_note  TEXT,
    outcome_by    INTEGER REFERENCES users (id),
    outcome_at    INTEGER,
    aid_record_id INTEGER REFERENCES aid_records (id)
);
CREATE INDEX referrals_need ON referrals (need_id);
CREATE INDEX referrals_due ON referrals (outcome, due_at);
-- At most one referral awaiting its outcome per need, whatever the race.
CREATE UNIQUE INDEX referrals_one_pending ON referrals (need_id) WHERE outcome IS NULL;

-- A report from the public (举报/纠错) and how the town's reviewer resolved it.
CREATE TABLE reports (
    id              INTEGER PRIMARY KEY,
    need_id         INTEGER NOT NULL REFERENCES needs (id),
    reason          TEXT    NOT NULL,
    note            TEXT    NOT NULL DEFAULT '',
    reporter_id     INTEGER REFERENCES users (id),
    created_at      INTEGER NOT NULL,
    resolution      TEXT    CHECK (resolution IS NULL OR resolution IN ('dismissed', 'corrected', 'withdrawn')),
    resolution_note TEXT,
    resolved_by     INTEGER REFERENCES users (id),
    resolved_at     INTEGER
);
CREATE INDEX reports_need ON reports (need_id, resolved_at);
CREATE INDEX reports_open ON reports (resolved_at, created_at);

-- Every opening of a household's private file: who, when, which page. One row per person,
-- household and page per ten minutes (a reload does not add rows).
CREATE TABLE file_access (
    id           INTEGER PRIMARY KEY,
    household_id INTEGER NOT NULL REFERENCES households (id),
    need_id      INTEGER REFERENCES needs (id),
    user_id      INTEGER NOT NULL REFERENCES users (id),
    page         TEXT    NOT NULL,
    bucket       INTEGER NOT NULL,
    opened_at    INTEGER NOT NULL
);
CREATE UNIQUE INDEX file_access_once ON file_access (household_id, user_id, page, bucket);
CREATE INDEX file_access_need ON file_access (need_id, opened_at);
