-- The supervision desk's officials (督导): a role for the whole city or one town.
ALTER TABLE user_roles DROP CONSTRAINT user_roles_role_check;
ALTER TABLE user_roles ADD CONSTRAINT user_roles_role_check
    CHECK (role IN ('donor', 'volunteer', 'reviewer', 'admin', 'official'));
