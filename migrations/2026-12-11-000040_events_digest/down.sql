DROP INDEX events.events_published_at_idx;
