DROP TABLE membership.roster_entries;
DROP TABLE membership.companies;
