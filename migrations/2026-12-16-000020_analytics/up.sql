-- HR analytics (see docs/analytics.md). Two schemas:
--
-- `analytics_private`: what the dashboards read, over every member:
--   materialised views refreshed together by the `analytics.refresh` job,
--   as of one moment. Never granted to anyone but the application.
-- `analytics`: what an analyst's own tools read through the read-only role
--   of `alumni analytics grant`: member-level facts of members who consent
--   to analytics, under a pseudonymous key, and aggregates with small
--   groups withheld. Views only, each a security barrier.
CREATE SCHEMA analytics_private;
CREATE SCHEMA analytics;

-- The secret behind the pseudonymous member key: 32 bytes from the
-- server's strong random source, never shown. The key is stable for as
-- long as this row is, and names nobody outside the `analytics` schema.
CREATE TABLE analytics_private.pseudonym_secret (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    secret   bytea NOT NULL CHECK (length(secret) = 32)
);
INSERT INTO analytics_private.pseudonym_secret (secret)
VALUES (uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid()));

-- The moment the materialised views describe (the application's clock when
-- the refresh began), and when the refresh finished. One row; the refresh
-- locks it, so two refreshes never interleave.
CREATE TABLE analytics_private.refresh (
    only_row    boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    as_of       timestamptz NOT NULL,
    finished_at timestamptz NOT NULL,
    took_ms     integer NOT NULL CHECK (took_ms >= 0)
);
INSERT INTO analytics_private.refresh (as_of, finished_at, took_ms) VALUES (now(), now(), 0);

-- Every activity fact every domain publishes: who, what, when.
CREATE VIEW analytics_private.facts AS
SELECT member_id, 'SIGN_IN'::text AS kind, signed_in_at AS occurred_at FROM membership.analytics_sign_ins
UNION ALL SELECT member_id, kind, occurred_at FROM content.analytics_activity
UNION ALL SELECT member_id, kind, occurred_at FROM events.analytics_activity
UNION ALL SELECT member_id, kind, occurred_at FROM knowledge.analytics_activity
UNION ALL SELECT member_id, kind, occurred_at FROM feedback.analytics_activity;

-- Each member's activity per week (from Monday) and per calendar month,
-- Japan time, up to the refresh's moment; rows only where there was some.
CREATE MATERIALIZED VIEW analytics_private.member_periods AS
WITH facts AS (
    SELECT f.member_id, f.kind,
           date_trunc('week', f.occurred_at AT TIME ZONE 'Asia/Tokyo')::date AS week,
           date_trunc('month', f.occurred_at AT TIME ZONE 'Asia/Tokyo')::date AS month
      FROM analytics_private.facts f
     WHERE f.occurred_at <= (SELECT as_of FROM analytics_private.refresh)
       AND f.member_id IN (SELECT member_id FROM membership.analytics_members)
)
SELECT member_id,
       CASE WHEN grouping(week) = 0 THEN 'WEEK' ELSE 'MONTH' END AS period,
       coalesce(week, month) AS starts_on,
       count(*) FILTER (WHERE kind = 'SIGN_IN') AS sign_ins,
       count(*) FILTER (WHERE kind = 'READ') AS reads,
       count(*) FILTER (WHERE kind = 'REACTION') AS reactions,
       count(*) FILTER (WHERE kind = 'COMMENT') AS comments,
       count(*) FILTER (WHERE kind = 'POST') AS posts,
       count(*) FILTER (WHERE kind = 'REGISTRATION') AS registrations,
       count(*) FILTER (WHERE kind = 'ATTENDANCE') AS attendances,
       count(*) FILTER (WHERE kind = 'QUESTION') AS questions,
       count(*) FILTER (WHERE kind = 'ANSWER') AS answers,
       count(*) FILTER (WHERE kind = 'ACCEPTED_ANSWER') AS accepted_answers,
       count(*) FILTER (WHERE kind = 'CONSULTATION') AS consultations,
       count(*) FILTER (WHERE kind = 'ARTICLE') AS articles,
       count(*) FILTER (WHERE kind = 'BOARD_POST') AS board_posts,
       count(*) FILTER (WHERE kind = 'FEEDBACK') AS feedback_items
  FROM facts
 GROUP BY GROUPING SETS ((member_id, week), (member_id, month));

CREATE UNIQUE INDEX member_periods_key ON analytics_private.member_periods (member_id, period, starts_on);

-- Members by cohort. A department names its own band when at least five
-- members last worked there; the others share the band 'その他' (other).
-- Leave-year bands are five years wide, named by their first year.
-- "Recently" is the last 90 days for being seen on the network, and the
-- refresh's week with the twelve before it (13 weeks) for activities.
CREATE MATERIALIZED VIEW analytics_private.members AS
WITH clock AS (SELECT as_of FROM analytics_private.refresh),
departments AS (
    SELECT department FROM membership.analytics_members
     WHERE department IS NOT NULL GROUP BY department HAVING count(*) >= 5
),
recent AS (
    SELECT p.member_id,
           bool_or(p.reads > 0) AS read,
           bool_or(p.posts + p.comments + p.questions + p.answers + p.articles + p.board_posts > 0) AS wrote,
           bool_or(p.attendances > 0) AS attended
      FROM analytics_private.member_periods p, clock
     WHERE p.period = 'WEEK'
       AND p.starts_on >= date_trunc('week', clock.as_of AT TIME ZONE 'Asia/Tokyo')::date - 84
     GROUP BY p.member_id
),
surveys AS (
    SELECT member_id, count(*) AS answered FROM feedback.analytics_survey_participation GROUP BY member_id
)
SELECT m.member_id,
       substr(encode(sha256((SELECT secret FROM analytics_private.pseudonym_secret) || uuid_send(m.member_id)), 'hex'), 1, 32)
           AS member_key,
       m.analytics_consent AS consented,
       m.roles,
       m.company_id,
       extract(year FROM m.left_on)::integer AS left_year,
       extract(year FROM m.left_on)::integer / 5 * 5 AS leave_band,
       CASE WHEN m.department IS NULL THEN NULL
            WHEN m.department IN (SELECT department FROM departments) THEN m.department
            ELSE 'その他' END AS department_band,
       date_trunc('month', m.joined_at AT TIME ZONE 'Asia/Tokyo')::date AS join_month,
       coalesce(m.last_seen_at >= clock.as_of - interval '90 days', false) AS active_recently,
       coalesce(r.read, false) AS read_recently,
       coalesce(r.wrote, false) AS wrote_recently,
       coalesce(r.attended, false) AS attended_recently,
       coalesce(s.answered, 0) AS surveys_answered
  FROM membership.analytics_members m
 CROSS JOIN clock
  LEFT JOIN recent r ON r.member_id = m.member_id
  LEFT JOIN surveys s ON s.member_id = m.member_id
 WHERE m.joined_at <= clock.as_of;

CREATE UNIQUE INDEX members_key ON analytics_private.members (member_id);

-- Members per cohort cell, and how many of them were active recently.
CREATE MATERIALIZED VIEW analytics_private.cohorts AS
SELECT company_id, leave_band, department_band,
       count(*) AS members,
       count(*) FILTER (WHERE active_recently) AS active,
       count(*) FILTER (WHERE read_recently) AS readers,
       count(*) FILTER (WHERE wrote_recently) AS writers,
       count(*) FILTER (WHERE attended_recently) AS attendees
  FROM analytics_private.members
 GROUP BY company_id, leave_band, department_band;

CREATE UNIQUE INDEX cohorts_key ON analytics_private.cohorts (company_id, leave_band, department_band) NULLS NOT DISTINCT;

-- Distinct active members per period and cohort cell: each member is in
-- one cell, so cells add up to any coarser breakdown.
CREATE MATERIALIZED VIEW analytics_private.cohort_periods AS
SELECT p.period, p.starts_on, m.company_id, m.leave_band, m.department_band,
       count(*) AS active,
       count(*) FILTER (WHERE p.reads > 0) AS readers,
       count(*) FILTER (WHERE p.posts + p.comments + p.questions + p.answers + p.articles + p.board_posts > 0) AS writers,
       count(*) FILTER (WHERE p.attendances > 0) AS attendees
  FROM analytics_private.member_periods p
  JOIN analytics_private.members m ON m.member_id = p.member_id
 GROUP BY p.period, p.starts_on, m.company_id, m.leave_band, m.department_band;

CREATE UNIQUE INDEX cohort_periods_key
    ON analytics_private.cohort_periods (period, starts_on, company_id, leave_band, department_band) NULLS NOT DISTINCT;

-- The membership funnel per cohort cell: people on HR's roster, who
-- applied, who were approved, and of those who are members seen in the
-- last 90 days. Departments outside the members' bands count as 'その他'.
CREATE MATERIALIZED VIEW analytics_private.funnel AS
WITH clock AS (SELECT as_of FROM analytics_private.refresh),
bands AS (SELECT DISTINCT department_band FROM analytics_private.members WHERE department_band <> 'その他'),
stages AS (
    SELECT company_id, left_on, department, 1 AS roster, 0 AS applied, 0 AS approved, 0 AS active
      FROM membership.analytics_roster
    UNION ALL
    SELECT a.company_id, a.left_on, a.department, 0, 1,
           (a.status = 'APPROVED')::integer,
           (a.status = 'APPROVED' AND coalesce(m.active_recently, false))::integer
      FROM membership.analytics_applications a
     CROSS JOIN clock
      LEFT JOIN analytics_private.members m ON m.member_id = a.member_id
     WHERE a.submitted_at <= clock.as_of
)
SELECT company_id,
       extract(year FROM left_on)::integer / 5 * 5 AS leave_band,
       CASE WHEN department IS NULL THEN NULL
            WHEN department IN (SELECT department_band FROM bands) THEN department
            ELSE 'その他' END AS department_band,
       sum(roster)::bigint AS roster, sum(applied)::bigint AS applied,
       sum(approved)::bigint AS approved, sum(active)::bigint AS active
  FROM stages
 GROUP BY 1, 2, 3;

CREATE UNIQUE INDEX funnel_key ON analytics_private.funnel (company_id, leave_band, department_band) NULLS NOT DISTINCT;

-- Events that had started by the refresh, with their seats and check-ins.
CREATE MATERIALIZED VIEW analytics_private.events AS
SELECT event_id, title, kind, format, starts_at, ends_at, status = 'CANCELLED' AS cancelled_event,
       confirmed, waitlisted, cancelled, attended
  FROM events.analytics_events
 WHERE starts_at <= (SELECT as_of FROM analytics_private.refresh);

CREATE UNIQUE INDEX events_key ON analytics_private.events (event_id);
CREATE INDEX events_starts_idx ON analytics_private.events (starts_at, event_id);

-- Questions per month asked (Japan time): answered, answered within a
-- day, accepted, and the hours to the first answer (answers that came
-- after the refresh's moment do not count yet).
CREATE MATERIALIZED VIEW analytics_private.question_months AS
WITH clock AS (SELECT as_of FROM analytics_private.refresh),
questions AS (
    SELECT date_trunc('month', q.asked_at AT TIME ZONE 'Asia/Tokyo')::date AS month,
           q.accepted,
           CASE WHEN q.first_answer_at <= clock.as_of
                THEN extract(epoch FROM q.first_answer_at - q.asked_at) / 3600.0 END AS hours
      FROM knowledge.analytics_questions q, clock
     WHERE q.asked_at <= clock.as_of
)
SELECT month,
       count(*) AS asked,
       count(hours) AS answered,
       count(*) FILTER (WHERE hours <= 24) AS answered_within_day,
       count(*) FILTER (WHERE accepted) AS accepted,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY hours) AS median_hours,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY hours) AS p90_hours
  FROM questions
 GROUP BY month;

CREATE UNIQUE INDEX question_months_key ON analytics_private.question_months (month);

-- Posts published by the refresh, their audience today and their readers.
CREATE MATERIALIZED VIEW analytics_private.posts AS
SELECT post_id, title, published_at, audience, audience_members, member_reads
  FROM content.analytics_posts
 WHERE published_at <= (SELECT as_of FROM analytics_private.refresh);

CREATE UNIQUE INDEX posts_key ON analytics_private.posts (post_id);
CREATE INDEX posts_published_idx ON analytics_private.posts (published_at, post_id);

-- A count of people as it may be shown: withheld (null) when fewer than
-- five, unless none.
CREATE FUNCTION analytics_private.shown(people bigint) RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN people = 0 OR people >= 5 THEN people END;

-- `part` of `whole` people as it may be shown: only when both the part and
-- the rest of the whole may be, so that neither can be worked out.
CREATE FUNCTION analytics_private.shown_part(part bigint, whole bigint) RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN analytics_private.shown(whole) IS NOT NULL
                 AND analytics_private.shown(part) IS NOT NULL
                 AND analytics_private.shown(greatest(whole - part, 0)) IS NOT NULL
                THEN part END;

-- What the read-only role sees.

CREATE VIEW analytics.refresh WITH (security_barrier) AS
SELECT as_of, finished_at FROM analytics_private.refresh;

CREATE VIEW analytics.members WITH (security_barrier) AS
SELECT m.member_key,
       c.name AS company,
       CASE WHEN m.leave_band IS NOT NULL THEN m.leave_band || '-' || (m.leave_band + 4) END AS leave_year_band,
       m.department_band,
       m.join_month,
       m.active_recently,
       m.read_recently,
       m.wrote_recently,
       m.attended_recently,
       m.surveys_answered
  FROM analytics_private.members m
  LEFT JOIN membership.analytics_companies c ON c.company_id = m.company_id
 WHERE m.consented;

CREATE VIEW analytics.member_activity WITH (security_barrier) AS
SELECT m.member_key, p.period, p.starts_on,
       p.sign_ins, p.reads, p.reactions, p.comments, p.posts, p.registrations, p.attendances,
       p.questions, p.answers, p.accepted_answers, p.consultations, p.articles, p.board_posts,
       p.feedback_items
  FROM analytics_private.member_periods p
  JOIN analytics_private.members m ON m.member_id = p.member_id
 WHERE m.consented;

CREATE VIEW analytics.events WITH (security_barrier) AS
SELECT event_id, title, kind, format, starts_at, ends_at, cancelled_event,
       analytics_private.shown(confirmed + cancelled) AS registered,
       analytics_private.shown(confirmed) AS confirmed,
       analytics_private.shown_part(attended, confirmed) AS attended
  FROM analytics_private.events;

CREATE VIEW analytics.posts WITH (security_barrier) AS
SELECT post_id, title, published_at, audience,
       analytics_private.shown(audience_members) AS audience_members,
       analytics_private.shown_part(least(member_reads, audience_members), audience_members) AS readers
  FROM analytics_private.posts;

CREATE VIEW analytics.question_months WITH (security_barrier) AS
SELECT month,
       analytics_private.shown(asked) AS asked,
       analytics_private.shown_part(answered, asked) AS answered,
       analytics_private.shown_part(answered_within_day, asked) AS answered_within_day,
       analytics_private.shown_part(accepted, asked) AS accepted,
       CASE WHEN answered >= 5 THEN round(median_hours::numeric, 1) END AS median_hours_to_first_answer,
       CASE WHEN answered >= 5 THEN round(p90_hours::numeric, 1) END AS p90_hours_to_first_answer
  FROM analytics_private.question_months;
