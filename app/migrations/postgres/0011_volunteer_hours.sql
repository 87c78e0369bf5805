-- Volunteer hours (志愿服务时长, #15): each activity a volunteer records, pending until a
-- coordinator of its town (a council reviewer or another volunteer) confirms or refuses it;
-- and the volunteer-service records (志愿服务记录证明) issued from the confirmed ones, each
-- with a code anyone can verify. Times are UTC milliseconds.

CREATE TABLE volunteer_activities (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    volunteer_id   BIGINT  NOT NULL REFERENCES users (id),
    kind           TEXT    NOT NULL CHECK (kind IN ('delivery', 'intake_visit', 'service_session', 'training', 'other')),
    town           TEXT    NOT NULL,
    -- A need the activity served, if any (no foreign key: a need may be withdrawn for good).
    need_id        BIGINT,
    note           TEXT    NOT NULL DEFAULT '',
    -- Midnight (Shanghai) of the day it took place.
    day_at         BIGINT  NOT NULL,
    -- Time in and out, when given (else the duration alone was given).
    started_at     BIGINT,
    ended_at       BIGINT,
    minutes        BIGINT  NOT NULL CHECK (minutes BETWEEN 1 AND 720),
    status         TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'confirmed', 'refused')),
    coordinator_id BIGINT  REFERENCES users (id),
    decided_at     BIGINT,
    refusal_reason TEXT,
    created_at     BIGINT  NOT NULL,
    CHECK ((started_at IS NULL) = (ended_at IS NULL)),
    CHECK (started_at IS NULL OR ended_at > started_at),
    CHECK ((status = 'pending') = (decided_at IS NULL))
);
CREATE INDEX volunteer_activities_volunteer ON volunteer_activities (volunteer_id, day_at);
CREATE INDEX volunteer_activities_pending ON volunteer_activities (town, id) WHERE status = 'pending';

CREATE TABLE hours_certificates (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code         TEXT    NOT NULL UNIQUE,
    volunteer_id BIGINT  NOT NULL REFERENCES users (id),
    -- The period: its first day and the day after its last (Shanghai midnights).
    period_from  BIGINT  NOT NULL,
    period_to    BIGINT  NOT NULL,
    minutes      BIGINT  NOT NULL,
    activities   BIGINT  NOT NULL,
    issued_at    BIGINT  NOT NULL,
    UNIQUE (volunteer_id, period_from, period_to, minutes)
);
