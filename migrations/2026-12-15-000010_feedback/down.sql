DROP SCHEMA feedback CASCADE;
UPDATE membership.members SET roles = array_remove(roles, 'MANAGEMENT');
ALTER TABLE membership.members DROP CONSTRAINT members_roles_check;
ALTER TABLE membership.members ADD CONSTRAINT members_roles_check
    CHECK (roles <@ ARRAY['ALUMNUS', 'EMPLOYEE', 'SECRETARIAT', 'MODERATOR', 'ANALYST']);
