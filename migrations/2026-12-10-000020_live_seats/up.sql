-- Seat counts announced to every server process (core::live): whatever
-- changes an event's seats bumps `seats_version`, and this trigger tells
-- the listeners, on commit, the numbers the change left. A trigger rather
-- than application code, so that no path can forget to announce, and no
-- round trip is added while the event's row is locked.
CREATE FUNCTION events.announce_seats() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('alumni_event_seats', json_build_object(
        'event_id', NEW.id,
        'capacity', NEW.capacity,
        'confirmed', NEW.confirmed_count,
        'waitlisted', NEW.waitlist_count,
        'version', NEW.seats_version)::text);
    RETURN NULL;
END
$$;

CREATE TRIGGER events_announce_seats AFTER UPDATE OF seats_version ON events.events
    FOR EACH ROW WHEN (OLD.seats_version IS DISTINCT FROM NEW.seats_version)
    EXECUTE FUNCTION events.announce_seats();
