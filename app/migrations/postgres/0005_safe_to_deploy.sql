-- Safe to deploy: a volunteer may reject a delivery (with the reason the donor is told), each
-- edit of a need's public text is a new version that reviewers must see, and the leaderboard
-- shows a donor's name only if they chose it.

ALTER TABLE claims DROP CONSTRAINT claims_status_check;
ALTER TABLE claims ADD CONSTRAINT claims_status_check
    CHECK (status IN ('open', 'delivered', 'confirmed', 'released', 'expired', 'rejected'));
-- Why a volunteer did not accept the delivery (status 'rejected'); the donor sees it.
ALTER TABLE claims ADD COLUMN rejected_reason TEXT;
ALTER TABLE claims ADD COLUMN rejected_by BIGINT REFERENCES users (id);
-- Deliveries waiting for a volunteer, oldest first.
CREATE INDEX claims_delivered ON claims (status, delivered_at);

-- Every edit of the public fields bumps the version; an approval names the version it saw.
ALTER TABLE needs ADD COLUMN version BIGINT NOT NULL DEFAULT 1;

-- Names on the leaderboard are shown only when their owner chose it: everyone starts masked.
ALTER TABLE users ALTER COLUMN show_name SET DEFAULT 0;
UPDATE users SET show_name = 0;

-- An edit rewrites the need's earlier events (its old public text) in the log.
CREATE INDEX events_need ON events (need_id);

-- An ID number is unique within a town, not across the city: a volunteer must not learn that a
-- family is registered in another town (that duplicate is shown to the reviewers instead).
ALTER TABLE households DROP CONSTRAINT households_id_key_key;
CREATE UNIQUE INDEX households_town_key ON households (town, id_key);
CREATE INDEX households_key ON households (id_key);

-- Sign-in tries, counted in the database so every instance sees the same counts: one row per
-- key (a phone, a client address, or the two together) and its current window.
CREATE TABLE sign_in_tries (
    key          TEXT    PRIMARY KEY,
    window_start BIGINT  NOT NULL,
    tries        BIGINT  NOT NULL
);
CREATE INDEX sign_in_tries_window ON sign_in_tries (window_start);
