-- Fails while flagged duplicates are live: the old indexes allow no second
-- live application per roster entry or employee number. Decide them first.
DROP INDEX membership.applications_duplicate_of_idx;
DROP INDEX membership.applications_person_key;
CREATE INDEX applications_person_idx ON membership.applications (name_key, left_on)
    WHERE status <> 'REJECTED';
DROP INDEX membership.applications_employee_number_key;
CREATE UNIQUE INDEX applications_employee_number_key ON membership.applications (employee_number)
    WHERE employee_number IS NOT NULL AND status <> 'REJECTED';
DROP INDEX membership.applications_roster_entry_key;
CREATE UNIQUE INDEX applications_roster_entry_key ON membership.applications (roster_entry_id)
    WHERE roster_entry_id IS NOT NULL AND status <> 'REJECTED';
ALTER TABLE membership.applications
    DROP CONSTRAINT applications_approved_not_flagged,
    DROP CONSTRAINT applications_duplicate_of_flagged,
    DROP COLUMN duplicate_of,
    DROP COLUMN possible_duplicate;
