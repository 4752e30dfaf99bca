-- An application from someone who collides with a live application or
-- membership (the same roster entry, employee number, or normalised name and
-- leave date) is no longer refused: a refusal would tell an anonymous
-- applicant that such a person exists and has applied. It is kept pending
-- review and flagged for the secretariat, who rejects one of the two.
ALTER TABLE membership.applications
    ADD COLUMN possible_duplicate boolean NOT NULL DEFAULT false,
    -- The live application it collided with, while that one exists.
    ADD COLUMN duplicate_of uuid REFERENCES membership.applications (id) ON DELETE SET NULL,
    ADD CONSTRAINT applications_duplicate_of_flagged
        CHECK (duplicate_of IS NULL OR possible_duplicate),
    -- Approval clears the flag, so the unique indexes below judge it.
    ADD CONSTRAINT applications_approved_not_flagged
        CHECK (NOT (possible_duplicate AND status = 'APPROVED'));

-- Before this migration, concurrent applications could let the same name and
-- leave date in more than once. Flag all but one pending duplicate in each
-- group (an approved one is kept, else the earliest). Two approved
-- applications for one person cannot be resolved here: the unique index
-- below then refuses to build, and the secretariat must reject one first.
WITH ranked AS (
    SELECT id,
           first_value(id) OVER person AS first_id,
           row_number() OVER person AS position
    FROM membership.applications
    WHERE status <> 'REJECTED'
    WINDOW person AS (PARTITION BY name_key, left_on
                      ORDER BY status = 'APPROVED' DESC, submitted_at, id)
)
UPDATE membership.applications AS application
SET possible_duplicate = true,
    duplicate_of = ranked.first_id
FROM ranked
WHERE application.id = ranked.id
  AND ranked.position > 1
  AND application.status = 'PENDING_REVIEW';

-- One live, unflagged application or membership per person, whichever way
-- the person is recognised, enforced by the database even when applications
-- race. Flagged duplicates are outside these indexes, so they can be filed;
-- approving one clears its flag and is refused while the other is live.
DROP INDEX membership.applications_roster_entry_key;
CREATE UNIQUE INDEX applications_roster_entry_key ON membership.applications (roster_entry_id)
    WHERE roster_entry_id IS NOT NULL AND status <> 'REJECTED' AND NOT possible_duplicate;
DROP INDEX membership.applications_employee_number_key;
CREATE UNIQUE INDEX applications_employee_number_key ON membership.applications (employee_number)
    WHERE employee_number IS NOT NULL AND status <> 'REJECTED' AND NOT possible_duplicate;
DROP INDEX membership.applications_person_idx;
CREATE UNIQUE INDEX applications_person_key ON membership.applications (name_key, left_on)
    WHERE status <> 'REJECTED' AND NOT possible_duplicate;

-- For ON DELETE SET NULL when an application is erased.
CREATE INDEX applications_duplicate_of_idx ON membership.applications (duplicate_of)
    WHERE duplicate_of IS NOT NULL;
