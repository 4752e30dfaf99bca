DROP TABLE membership.password_resets;
