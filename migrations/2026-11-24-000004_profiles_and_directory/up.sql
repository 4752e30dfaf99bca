-- Where an account stands. Withdrawn accounts keep their row (other domains
-- refer to it) but lose every personal field.
ALTER TABLE membership.members
    ADD COLUMN status text NOT NULL DEFAULT 'ACTIVE'
        CHECK (status IN ('APPLICANT', 'ACTIVE', 'SUSPENDED', 'WITHDRAWN')),
    -- Why the secretariat suspended the account; for the secretariat only.
    ADD COLUMN status_reason text,
    ALTER COLUMN email DROP NOT NULL,
    ALTER COLUMN password_hash DROP NOT NULL,
    ADD CONSTRAINT members_credentials_unless_withdrawn
        CHECK (status = 'WITHDRAWN' OR (email IS NOT NULL AND password_hash IS NOT NULL));

-- The shared vocabulary of tags: members' skills here, article and question
-- tags in the knowledge domain.
CREATE TABLE membership.tags (
    id         uuid PRIMARY KEY,
    -- Normalised name (alumni_core::search::normalize); compared by code point.
    slug       text COLLATE "C" NOT NULL CHECK (slug <> ''),
    -- As first written, e.g. "Kubernetes".
    name       text NOT NULL CHECK (btrim(name) <> ''),
    created_at timestamptz NOT NULL
);

CREATE UNIQUE INDEX tags_slug_key ON membership.tags (slug);

-- A member's public face. Every field but the name and its reading has a
-- visibility the member chooses: PRIVATE (only them), SECRETARIAT (them and
-- the secretariat) or MEMBERS (every signed-in member).
CREATE TABLE membership.profiles (
    member_id                  uuid PRIMARY KEY REFERENCES membership.members (id) ON DELETE CASCADE,
    display_name               text NOT NULL CHECK (btrim(display_name) <> ''),
    display_name_kana          text NOT NULL CHECK (btrim(display_name_kana) <> ''),
    -- The normalised reading, compared by code point so that hiragana sort
    -- in gojūon order whatever the server's locale.
    sort_key                   text COLLATE "C" NOT NULL,
    former_surnames            text[] NOT NULL DEFAULT '{}',
    former_surnames_visibility text NOT NULL DEFAULT 'MEMBERS'
                               CHECK (former_surnames_visibility IN ('PRIVATE', 'SECRETARIAT', 'MEMBERS')),
    current_company            text NOT NULL DEFAULT '',
    current_title              text NOT NULL DEFAULT '',
    current_work_visibility    text NOT NULL DEFAULT 'MEMBERS'
                               CHECK (current_work_visibility IN ('PRIVATE', 'SECRETARIAT', 'MEMBERS')),
    prefecture                 text CHECK (prefecture ~ '^[A-Z]+$'),
    prefecture_visibility      text NOT NULL DEFAULT 'MEMBERS'
                               CHECK (prefecture_visibility IN ('PRIVATE', 'SECRETARIAT', 'MEMBERS')),
    bio                        text NOT NULL DEFAULT '' CHECK (length(bio) <= 4000),
    bio_visibility             text NOT NULL DEFAULT 'MEMBERS'
                               CHECK (bio_visibility IN ('PRIVATE', 'SECRETARIAT', 'MEMBERS')),
    skills_visibility          text NOT NULL DEFAULT 'MEMBERS'
                               CHECK (skills_visibility IN ('PRIVATE', 'SECRETARIAT', 'MEMBERS')),
    interests                  text[] NOT NULL DEFAULT '{}'
                               CHECK (interests <@ ARRAY['MENTORING', 'SPEAKING', 'COLLABORATION', 'HIRING',
                                                         'SIDE_PROJECTS', 'STUDY_SESSIONS']),
    interests_visibility       text NOT NULL DEFAULT 'MEMBERS'
                               CHECK (interests_visibility IN ('PRIVATE', 'SECRETARIAT', 'MEMBERS')),
    -- [{"label": "...", "url": "https://..."}]
    links                      jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(links) = 'array'),
    links_visibility           text NOT NULL DEFAULT 'MEMBERS'
                               CHECK (links_visibility IN ('PRIVATE', 'SECRETARIAT', 'MEMBERS')),
    -- The verified career at the company (from the application or roster).
    company_id                 uuid REFERENCES membership.companies (id),
    joined_on                  date,
    left_on                    date,
    last_department            text NOT NULL DEFAULT '',
    employment_visibility      text NOT NULL DEFAULT 'MEMBERS'
                               CHECK (employment_visibility IN ('PRIVATE', 'SECRETARIAT', 'MEMBERS')),
    -- Seen only by the member and the secretariat, whatever else is chosen.
    open_to_returning          boolean NOT NULL DEFAULT false,
    listed_in_directory        boolean NOT NULL DEFAULT true,
    -- Search (see alumni_core::search): the name, its reading and romaji,
    -- visible to every member; former surnames separately, as their
    -- visibility decides who may find a member by them.
    name_text                  text NOT NULL,
    name_grams                 text[] NOT NULL,
    former_text                text NOT NULL,
    former_grams               text[] NOT NULL,
    updated_at                 timestamptz NOT NULL
);

CREATE INDEX profiles_directory_idx ON membership.profiles (sort_key, member_id) WHERE listed_in_directory;
CREATE INDEX profiles_name_grams_idx ON membership.profiles USING gin (name_grams);
CREATE INDEX profiles_former_grams_idx ON membership.profiles USING gin (former_grams);
CREATE INDEX profiles_interests_idx ON membership.profiles USING gin (interests);
CREATE INDEX profiles_company_left_idx ON membership.profiles (company_id, left_on);
CREATE INDEX profiles_left_on_idx ON membership.profiles (left_on);

CREATE TABLE membership.member_skills (
    member_id uuid NOT NULL REFERENCES membership.members (id) ON DELETE CASCADE,
    tag_id    uuid NOT NULL REFERENCES membership.tags (id) ON DELETE CASCADE,
    PRIMARY KEY (member_id, tag_id)
);

-- "Who here knows Kubernetes?"
CREATE INDEX member_skills_tag_idx ON membership.member_skills (tag_id, member_id);
