-- The company and the predecessor companies that merged into it: data, so
-- any company can run its own network.
CREATE TABLE membership.companies (
    id          uuid PRIMARY KEY,
    name        text NOT NULL CHECK (btrim(name) <> ''),
    name_kana   text NOT NULL DEFAULT '',
    -- How the roster file refers to the company; unique, case-insensitive.
    short_name  text NOT NULL CHECK (btrim(short_name) <> ''),
    -- Exactly one company is today's; every other one merged into it.
    is_current  boolean NOT NULL DEFAULT false,
    merged_on   date,
    description text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    CHECK (is_current = (merged_on IS NULL))
);

CREATE UNIQUE INDEX companies_single_current_key ON membership.companies (is_current) WHERE is_current;
CREATE UNIQUE INDEX companies_short_name_key ON membership.companies (lower(short_name));
CREATE UNIQUE INDEX companies_name_key ON membership.companies (name);
-- The list order: today's company first, then predecessors by merger date.
CREATE INDEX companies_order_idx ON membership.companies (is_current DESC, merged_on, id);

-- Former employees as HR knows them, imported from HR's files. Only the
-- secretariat sees these rows; applications are checked against them.
CREATE TABLE membership.roster_entries (
    id               uuid PRIMARY KEY,
    employee_number  text NOT NULL CHECK (btrim(employee_number) <> ''),
    full_name        text NOT NULL CHECK (btrim(full_name) <> ''),
    full_name_kana   text NOT NULL CHECK (btrim(full_name_kana) <> ''),
    former_surnames  text[] NOT NULL DEFAULT '{}',
    -- Lower-cased.
    emails           text[] NOT NULL DEFAULT '{}',
    company_id       uuid NOT NULL REFERENCES membership.companies (id),
    joined_on        date NOT NULL,
    left_on          date NOT NULL,
    last_department  text NOT NULL DEFAULT '',
    -- Normalised name and reading (see alumni_core::search::normalize), for
    -- matching applications.
    name_key         text NOT NULL,
    kana_key         text NOT NULL,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    CHECK (left_on >= joined_on)
);

CREATE UNIQUE INDEX roster_entries_employee_number_key ON membership.roster_entries (employee_number);
CREATE INDEX roster_entries_name_key_idx ON membership.roster_entries (name_key);
CREATE INDEX roster_entries_kana_key_idx ON membership.roster_entries (kana_key);
CREATE INDEX roster_entries_emails_idx ON membership.roster_entries USING gin (emails);
CREATE INDEX roster_entries_company_left_idx ON membership.roster_entries (company_id, left_on);
