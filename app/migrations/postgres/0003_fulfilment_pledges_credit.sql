-- Fulfilment, claim expiry, partial pledges and the credit ledger.

-- A money need may be pledged in parts: pledged_fen is what is pledged and not released. The
-- CHECK makes "never more than the amount" a rule of the database, not only of the code.
ALTER TABLE needs ADD COLUMN pledged_fen BIGINT NOT NULL DEFAULT 0
    CHECK (pledged_fen >= 0 AND (amount_fen IS NULL OR pledged_fen <= amount_fen));
ALTER TABLE needs ADD COLUMN fulfilled_at BIGINT;

-- A claim is a pledge: of the whole need (amount_fen NULL: goods, services) or of part of a
-- money need. open → delivered → confirmed; open → released (by the donor) or expired.
ALTER TABLE claims ADD COLUMN amount_fen BIGINT CHECK (amount_fen IS NULL OR amount_fen > 0);
ALTER TABLE claims ADD COLUMN status TEXT NOT NULL DEFAULT 'open'
    CHECK (status IN ('open', 'delivered', 'confirmed', 'released', 'expired'));
ALTER TABLE claims ADD COLUMN expires_at BIGINT;
ALTER TABLE claims ADD COLUMN delivered_at BIGINT;
ALTER TABLE claims ADD COLUMN delivery_note TEXT;
ALTER TABLE claims ADD COLUMN photo_file TEXT;
ALTER TABLE claims ADD COLUMN confirmed_at BIGINT;
ALTER TABLE claims ADD COLUMN confirmed_by BIGINT REFERENCES users (id);

UPDATE claims SET status = 'released' WHERE released_at IS NOT NULL;
UPDATE claims SET amount_fen = (SELECT amount_fen FROM needs WHERE needs.id = claims.need_id);
UPDATE needs SET pledged_fen = COALESCE(
    (SELECT SUM(amount_fen) FROM claims WHERE claims.need_id = needs.id AND claims.status = 'open'), 0)
    WHERE amount_fen IS NOT NULL;

-- One active claim of a whole need; pledges of a money need are bounded by pledged_fen instead.
DROP INDEX claims_one_active_per_need;
CREATE UNIQUE INDEX claims_one_whole_per_need ON claims (need_id)
    WHERE released_at IS NULL AND amount_fen IS NULL;
CREATE INDEX claims_donor ON claims (donor_id, status);
CREATE INDEX claims_due ON claims (status, expires_at);

-- Append-only: a balance is always the sum of a person's rows.
CREATE TABLE credit_ledger (
    id         BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    BIGINT  NOT NULL REFERENCES users (id),
    reason     TEXT    NOT NULL,
    points     BIGINT  NOT NULL,
    need_id    BIGINT  REFERENCES needs (id),
    claim_id   BIGINT  REFERENCES claims (id),
    created_at BIGINT  NOT NULL
);
CREATE INDEX credit_ledger_user ON credit_ledger (user_id);
-- One entry per person, reason and claim (or need): a retried confirmation cannot pay twice.
CREATE UNIQUE INDEX credit_ledger_once ON credit_ledger (user_id, reason, COALESCE(claim_id, 0), COALESCE(need_id, 0));

CREATE FUNCTION credit_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the credit ledger is append-only';
END;
$$;
CREATE TRIGGER credit_ledger_no_change BEFORE UPDATE OR DELETE ON credit_ledger
    FOR EACH ROW EXECUTE FUNCTION credit_ledger_append_only();
