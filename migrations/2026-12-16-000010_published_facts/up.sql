-- What each domain publishes for analytics: SQL views over its own tables,
-- with stable columns, so the analytics crate never reads another crate's
-- tables (see docs/architecture.md). They carry ids, times and kinds only:
-- no names, e-mail addresses or free text. Anonymous feedback and survey
-- answers are not published: they belong to nobody.

-- Members who can take part (applicants and withdrawn members are not
-- members), with their career at the company and whether they consent to
-- analytics under the terms in force.
CREATE VIEW membership.analytics_members AS
SELECT m.id AS member_id,
       -- Joining the network: approval of the application, or the
       -- account's creation for accounts made by the secretariat.
       coalesce(a.decided_at, m.created_at) AS joined_at,
       m.last_seen_at,
       m.roles,
       p.company_id,
       p.left_on,
       nullif(btrim(p.last_department), '') AS department,
       coalesce('ANALYTICS' = ANY (c.purposes), false) AS analytics_consent
  FROM membership.members m
  LEFT JOIN membership.profiles p ON p.member_id = m.id
  LEFT JOIN membership.applications a ON a.member_id = m.id AND a.status = 'APPROVED'
  LEFT JOIN membership.consents c
         ON c.member_id = m.id
        AND c.terms_version_id = (SELECT t.id FROM membership.terms_versions t
                                   ORDER BY t.published_at DESC, t.id DESC LIMIT 1)
 WHERE m.status IN ('ACTIVE', 'SUSPENDED');

-- The company and its predecessors, by name.
CREATE VIEW membership.analytics_companies AS
SELECT id AS company_id, name, is_current, merged_on FROM membership.companies;

-- Every sign-in: a session begins.
CREATE VIEW membership.analytics_sign_ins AS
SELECT member_id, created_at AS signed_in_at FROM membership.sessions;

-- The people HR knows (the top of the membership funnel).
CREATE VIEW membership.analytics_roster AS
SELECT company_id, left_on, nullif(btrim(last_department), '') AS department
  FROM membership.roster_entries;

-- Applications to join, whatever became of them.
CREATE VIEW membership.analytics_applications AS
SELECT member_id, company_id, left_on, nullif(btrim(last_department), '') AS department,
       status, submitted_at, decided_at
  FROM membership.applications;

-- The magazine: first reads, reactions, comments, posts written.
CREATE VIEW content.analytics_activity AS
SELECT member_id, 'READ'::text AS kind, first_read_at AS occurred_at FROM content.reads
UNION ALL
SELECT member_id, 'REACTION', created_at FROM content.reactions
UNION ALL
SELECT author_id, 'COMMENT', created_at FROM content.comments
 WHERE author_id IS NOT NULL AND deleted_at IS NULL
UNION ALL
SELECT author_id, 'POST', published_at FROM content.posts
 WHERE author_id IS NOT NULL AND state IN ('PUBLISHED', 'ARCHIVED');

-- Published posts, how many members read them, and how many members
-- their audience holds today, by the audience rule (`content.admits`; the
-- secretariat is in every audience). The groups are counted once for all
-- posts (MATERIALIZED): inlined into the per-post subquery, they were
-- counted again over every member for each post (more than ten minutes
-- at 100,000 members and 2,000 posts, against 3 seconds).
CREATE VIEW content.analytics_posts AS
WITH audience_groups AS MATERIALIZED (
    SELECT roles, company_id, extract(year FROM left_on)::integer AS left_year, count(*) AS members
      FROM membership.analytics_members
     GROUP BY roles, company_id, left_year
)
SELECT p.id AS post_id, p.title, p.published_at, p.audience,
       (SELECT count(*) FROM content.reads r WHERE r.post_id = p.id) AS member_reads,
       (SELECT coalesce(sum(g.members), 0)::bigint FROM audience_groups g
         WHERE content.admits(p.audience, p.cohort_company_id, p.cohort_left_from, p.cohort_left_to,
                              p.cohort_role, g.roles, g.company_id, g.left_year)) AS audience_members
  FROM content.posts p
 WHERE p.state IN ('PUBLISHED', 'ARCHIVED') AND p.moderation = 'VISIBLE';

-- Events: registrations that were not cancelled, and check-ins.
CREATE VIEW events.analytics_activity AS
SELECT member_id, 'REGISTRATION'::text AS kind, registered_at AS occurred_at
  FROM events.registrations WHERE status <> 'CANCELLED'
UNION ALL
SELECT member_id, 'ATTENDANCE', checked_in_at
  FROM events.registrations WHERE checked_in_at IS NOT NULL;

-- Published events with their registrations and check-ins.
CREATE VIEW events.analytics_events AS
SELECT e.id AS event_id, e.title, e.kind, e.format, e.starts_at, e.ends_at, e.status,
       count(r.id) FILTER (WHERE r.status = 'CONFIRMED') AS confirmed,
       count(r.id) FILTER (WHERE r.status = 'WAITLISTED') AS waitlisted,
       count(r.id) FILTER (WHERE r.status = 'CANCELLED') AS cancelled,
       count(r.id) FILTER (WHERE r.checked_in_at IS NOT NULL) AS attended
  FROM events.events e
  LEFT JOIN events.registrations r ON r.event_id = e.id
 WHERE e.status <> 'DRAFT'
 GROUP BY e.id;

-- The knowledge community: questions, answers (and answers accepted, at
-- the time they were written), consultations asked for, articles, board
-- posts. Deleted contributions do not count.
CREATE VIEW knowledge.analytics_activity AS
SELECT author_id AS member_id, 'QUESTION'::text AS kind, created_at AS occurred_at
  FROM knowledge.questions WHERE author_id IS NOT NULL AND moderation <> 'DELETED'
UNION ALL
SELECT author_id, 'ANSWER', created_at
  FROM knowledge.answers WHERE author_id IS NOT NULL AND moderation <> 'DELETED'
UNION ALL
SELECT a.author_id, 'ACCEPTED_ANSWER', a.created_at
  FROM knowledge.questions q JOIN knowledge.answers a ON a.id = q.accepted_answer_id
 WHERE a.author_id IS NOT NULL AND a.moderation <> 'DELETED'
UNION ALL
SELECT requester_id, 'CONSULTATION', created_at FROM knowledge.consultations
UNION ALL
SELECT author_id, 'ARTICLE', published_at FROM knowledge.articles WHERE state = 'PUBLISHED'
UNION ALL
SELECT author_id, 'BOARD_POST', created_at FROM knowledge.board_posts;

-- Questions as asked, with when the first answer came (answers still
-- shown) and whether one was accepted. Duplicates and removed questions
-- are left out.
CREATE VIEW knowledge.analytics_questions AS
SELECT q.id AS question_id, q.created_at AS asked_at,
       (SELECT min(a.created_at) FROM knowledge.answers a
         WHERE a.question_id = q.id AND a.moderation = 'VISIBLE') AS first_answer_at,
       q.accepted_answer_id IS NOT NULL AS accepted
  FROM knowledge.questions q
 WHERE q.moderation = 'VISIBLE' AND q.duplicate_of_id IS NULL;

-- Named feedback, on the day it arrived (it keeps no time). Anonymous
-- items have no author and are never published per member.
CREATE VIEW feedback.analytics_activity AS
SELECT author_id AS member_id, 'FEEDBACK'::text AS kind,
       (submitted_on::timestamp AT TIME ZONE 'Asia/Tokyo') AS occurred_at
  FROM feedback.items WHERE author_id IS NOT NULL AND NOT anonymous;

-- Who answered which survey (never what, and never when).
CREATE VIEW feedback.analytics_survey_participation AS
SELECT survey_id, member_id FROM feedback.survey_participation;
