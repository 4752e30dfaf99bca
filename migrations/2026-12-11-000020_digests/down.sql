DROP TABLE notify.digest_rounds;
DROP TABLE notify.digests;
DROP TABLE notify.digest_settings;
