DROP TRIGGER events_announce_seats ON events.events;
DROP FUNCTION events.announce_seats();
