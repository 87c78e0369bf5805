-- Every claim of one need, by status: the impact figures, a need's fulfilment check
-- ("no claim of it open or delivered") and the claim-time reads look claims up by need. The
-- unique index on need_id covers only whole, active claims.
CREATE INDEX claims_need ON claims (need_id, status);
