-- The supervision desk's officials (督导): a role for the whole city or one town. SQLite
-- changes a CHECK only by rebuilding the table (foreign keys are off while migrating).
CREATE TABLE user_roles_new (
    user_id    INTEGER NOT NULL REFERENCES users (id),
    role       TEXT    NOT NULL CHECK (role IN ('donor', 'volunteer', 'reviewer', 'admin', 'official')),
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
