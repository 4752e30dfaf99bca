DROP TABLE membership.member_skills;
DROP TABLE membership.profiles;
DROP TABLE membership.tags;
ALTER TABLE membership.members
    DROP CONSTRAINT members_credentials_unless_withdrawn,
    ALTER COLUMN password_hash SET NOT NULL,
    ALTER COLUMN email SET NOT NULL,
    DROP COLUMN status_reason,
    DROP COLUMN status;
