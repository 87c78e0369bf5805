-- The supervision desk (#14): needs may be referred to a government programme, paused on a
-- public report, or withdrawn; when each stage began is kept for the desk's figures; the
-- lifecycle steps no other table records are in the need's trail; every opening of a
-- household's private file is logged.

ALTER TABLE needs DROP CONSTRAINT needs_status_check;
ALTER TABLE needs ADD CONSTRAINT needs_status_check
    CHECK (status IN ('draft', 'council_review', 'volunteer_review', 'published', 'claimed', 'fulfilled', 'referred', 'paused', 'withdrawn'));

-- When a volunteer first entered it (created_at becomes the publication time).
ALTER TABLE needs ADD COLUMN entered_at BIGINT;
-- When it last went to the council's review.
ALTER TABLE needs ADD COLUMN submitted_at BIGINT;
-- When it first reached the board.
ALTER TABLE needs ADD COLUMN published_at BIGINT;
UPDATE needs SET
    entered_at = LEAST(created_at, COALESCE((SELECT MIN(r.created_at) FROM reviews r WHERE r.need_id = needs.id), created_at)),
    submitted_at = CASE WHEN status = 'draft' THEN NULL
        ELSE COALESCE((SELECT MIN(r.created_at) FROM reviews r WHERE r.need_id = needs.id), updated_at) END,
    published_at = CASE WHEN status IN ('published', 'claimed', 'fulfilled') THEN created_at END;
ALTER TABLE needs ALTER COLUMN entered_at SET NOT NULL;
CREATE INDEX needs_entered ON needs (entered_at);

-- A need's lifecycle steps that no other table records (reviews and claims have their own).
-- Append-only.
CREATE TABLE need_trail (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    need_id    BIGINT NOT NULL REFERENCES needs (id),
    action     TEXT   NOT NULL,
    actor_id   BIGINT REFERENCES users (id),
    detail     TEXT   NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX need_trail_need ON need_trail (need_id, created_at);
CREATE FUNCTION need_trail_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'the trail is append-only'; END $$;
CREATE TRIGGER need_trail_no_change BEFORE UPDATE OR DELETE ON need_trail
    FOR EACH ROW EXECUTE FUNCTION need_trail_append_only();

-- A need sent to a government programme instead of the board, and what came of it.
CREATE TABLE referrals (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    need_id       BIGINT NOT NULL REFERENCES needs (id),
    programme     TEXT   NOT NULL,
    stage         TEXT   NOT NULL CHECK (stage IN ('council', 'volunteer')),
    referred_by   BIGINT NOT NULL REFERENCES users (id),
    referred_at   BIGINT NOT NULL,
    due_at        BIGINT NOT NULL,
    note          TEXT   NOT NULL DEFAULT '',
    outcome       TEXT   CHECK (outcome IS NULL OR outcome IN ('granted', 'refused', 'withdrawn')),
    outcome_fen   BIGINT CHECK (outcome_fen IS NULL OR outcome_fen >= 0),
    outcome_note  TEXT,
    outcome_by    BIGINT REFERENCES users (id),
    outcome_at    BIGINT,
    aid_record_id BIGINT REFERENCES aid_records (id)
);
CREATE INDEX referrals_need ON referrals (need_id);
CREATE INDEX referrals_due ON referrals (outcome, due_at);
CREATE UNIQUE INDEX referrals_one_pending ON referrals (need_id) WHERE outcome IS NULL;

-- A report from the public (举报/纠错) and how the town's reviewer resolved it.
CREATE TABLE reports (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    need_id         BIGINT NOT NULL REFERENCES needs (id),
    reason          TEXT   NOT NULL,
    note            TEXT   NOT NULL DEFAULT '',
    reporter_id     BIGINT REFERENCES users (id),
    created_at      BIGINT NOT NULL,
    resolution      TEXT   CHECK (resolution IS NULL OR resolution IN ('dismissed', 'corrected', 'withdrawn')),
    resolution_note TEXT,
    resolved_by     BIGINT REFERENCES users (id),
    resolved_at     BIGINT
);
CREATE INDEX reports_need ON reports (need_id, resolved_at);
CREATE INDEX reports_open ON reports (resolved_at, created_at);

-- Every opening of a household's private file: who, when, which page. One row per person,
-- household and page per ten minutes (a reload does not add rows).
CREATE TABLE file_access (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    household_id BIGINT NOT NULL REFERENCES households (id),
    need_id      BIGINT REFERENCES needs (id),
    user_id      BIGINT NOT NULL REFERENCES users (id),
    page         TEXT   NOT NULL,
    bucket       BIGINT NOT NULL,
    opened_at    BIGINT NOT NULL
);
CREATE UNIQUE INDEX file_access_once ON file_access (household_id, user_id, page, bucket);
CREATE INDEX file_access_need ON file_access (need_id, opened_at);
