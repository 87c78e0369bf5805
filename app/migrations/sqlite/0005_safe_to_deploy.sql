-- Safe to deploy: a volunteer may reject a delivery (with the reason the donor is told), each
-- edit of a need's public text is a new version that reviewers must see, and the leaderboard
-- shows a donor's name only if they chose it.

-- SQLite cannot change a CHECK or drop a column's UNIQUE in place: claims and households are
-- rebuilt. With foreign keys on, the DROP TABLE of a rebuild counts every row that points at
-- the table as a violation, and the rename does not count them back; so migrations run on a
-- connection with foreign keys off (SQLite's default; `Db::connect`), as SQLite's procedure
-- for altering a table says, and the references are checked after.

CREATE TABLE claims_rebuilt (
    id              INTEGER PRIMARY KEY,
    need_id         INTEGER NOT NULL REFERENCES needs (id),
    donor_name      TEXT    NOT NULL,
    donor_contact   TEXT    NOT NULL,
    claimed_at      INTEGER NOT NULL,
    released_at     INTEGER,
    donor_id        INTEGER REFERENCES users (id),
    aid_warnings    INTEGER NOT NULL DEFAULT 0,
    amount_fen      INTEGER CHECK (amount_fen IS NULL OR amount_fen > 0),
    status          TEXT    NOT NULL DEFAULT 'open'
        CHECK (status IN ('open', 'delivered', 'confirmed', 'released', 'expired', 'rejected')),
    expires_at      INTEGER,
    delivered_at    INTEGER,
    delivery_note   TEXT,
    photo_file      TEXT,
    confirmed_at    INTEGER,
    confirmed_by    INTEGER REFERENCES users (id),
    -- Why a volunteer did not accept the delivery (status 'rejected'); the donor sees it.
    rejected_reason TEXT,
    rejected_by     INTEGER REFERENCES users (id)
);

INSERT INTO claims_rebuilt (id, need_id, donor_name, donor_contact, claimed_at, released_at,
                            donor_id, aid_warnings, amount_fen, status, expires_at, delivered_at,
                            delivery_note, photo_file, confirmed_at, confirmed_by)
SELECT id, need_id, donor_name, donor_contact, claimed_at, released_at, donor_id, aid_warnings,
       amount_fen, status, expires_at, delivered_at, delivery_note, photo_file, confirmed_at,
       confirmed_by
FROM claims;

DROP TABLE claims;
ALTER TABLE claims_rebuilt RENAME TO claims;

CREATE UNIQUE INDEX claims_one_whole_per_need ON claims (need_id)
    WHERE released_at IS NULL AND amount_fen IS NULL;
CREATE INDEX claims_donor ON claims (donor_id, status);
CREATE INDEX claims_due ON claims (status, expires_at);
CREATE INDEX claims_need ON claims (need_id, status);
-- Deliveries waiting for a volunteer, oldest first.
CREATE INDEX claims_delivered ON claims (status, delivered_at);

-- Every edit of the public fields bumps the version; an approval names the version it saw.
ALTER TABLE needs ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

-- Names on the leaderboard are shown only when their owner chose it: everyone starts masked.
UPDATE users SET show_name = 0;

-- An edit rewrites the need's earlier events (its old public text) in the log.
CREATE INDEX events_need ON events (need_id);

-- An ID number is unique within a town, not across the city: a volunteer must not learn that a
-- family is registered in another town (that duplicate is shown to the reviewers instead).
CREATE TABLE households_rebuilt (
    id           INTEGER PRIMARY KEY,
    town         TEXT    NOT NULL,
    village      TEXT    NOT NULL,
    head_name    TEXT    NOT NULL,
    id_key       TEXT    NOT NULL,
    id_last4     TEXT    NOT NULL,
    address      TEXT    NOT NULL,
    phone        TEXT    NOT NULL,
    members      TEXT    NOT NULL,
    member_count INTEGER NOT NULL CHECK (member_count BETWEEN 1 AND 30),
    low_income   TEXT    NOT NULL CHECK (low_income IN ('none', 'expenditure', 'marginal', 'dibao', 'tekun')),
    created_by   INTEGER NOT NULL REFERENCES users (id),
    created_at   INTEGER NOT NULL
);
INSERT INTO households_rebuilt SELECT id, town, village, head_name, id_key, id_last4, address,
    phone, members, member_count, low_income, created_by, created_at FROM households;
DROP TABLE households;
ALTER TABLE households_rebuilt RENAME TO households;
CREATE INDEX households_town ON households (town);
CREATE UNIQUE INDEX households_town_key ON households (town, id_key);
CREATE INDEX households_key ON households (id_key);

-- Sign-in tries, counted in the database so every instance sees the same counts: one row per
-- key (a phone, a client address, or the two together) and its current window.
CREATE TABLE sign_in_tries (
    key          TEXT    PRIMARY KEY,
    window_start INTEGER  NOT NULL,
    tries        INTEGER  NOT NULL
);
CREATE INDEX sign_in_tries_window ON sign_in_tries (window_start);
