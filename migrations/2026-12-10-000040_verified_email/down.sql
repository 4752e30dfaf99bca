DROP TABLE membership.email_verifications;
ALTER TABLE membership.applications DROP COLUMN email_verified_at;
