-- When a member last used the network, to the hour: the activity digest
-- tells what is new since then (not since the last mail). Set at sign-in
-- and by a request made more than an hour after the time kept, so at most
-- one write per member and hour. NULL for members never seen since.
ALTER TABLE membership.members ADD COLUMN last_seen_at timestamptz;
