-- The need page and the family's thanks. A volunteer who has checked a delivery either gives
-- the family a one-time code (the family confirms with it, and may say thank you) or fulfils
-- it with a written reason why the family cannot confirm.

-- Who checked a delivery and issued the family's code (the claim stays 'delivered' until the
-- family confirms); how it was confirmed in the end: 'family' or 'volunteer' (with a reason).
ALTER TABLE claims ADD COLUMN checked_at INTEGER;
ALTER TABLE claims ADD COLUMN checked_by INTEGER REFERENCES users (id);
ALTER TABLE claims ADD COLUMN confirmed_how TEXT CHECK (confirmed_how IS NULL OR confirmed_how IN ('family', 'volunteer'));
ALTER TABLE claims ADD COLUMN confirm_reason TEXT;
-- Each claim counts the donor's open and unchecked deliveries: from the index alone.
DROP INDEX claims_donor;
CREATE INDEX claims_donor ON claims (donor_id, status, checked_at);

-- One family code per claim (issuing again replaces an unused one). The code is `slip`
-- followed by a secret kept only as its keyed hash; `code_to_show` holds the whole code until
-- the issuing volunteer's slip page has shown it once. Five wrong secrets lock the code.
CREATE TABLE family_thanks (
    claim_id       INTEGER PRIMARY KEY REFERENCES claims (id),
    need_id        INTEGER NOT NULL REFERENCES needs (id),
    slip           TEXT    NOT NULL UNIQUE,
    secret_hash    TEXT    NOT NULL,
    code_to_show   TEXT,
    issued_by      INTEGER NOT NULL REFERENCES users (id),
    issued_at      INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    wrong_tries    INTEGER NOT NULL DEFAULT 0,
    locked_until   INTEGER,
    used_at        INTEGER,
    message        TEXT,
    message_public INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX family_thanks_need ON family_thanks (need_id);
