ALTER TABLE membership.profiles
    DROP CONSTRAINT profiles_prefecture_check,
    ADD CONSTRAINT profiles_prefecture_check CHECK (prefecture ~ '^[A-Z]+$');
