DROP TABLE membership.consents;
DROP TABLE membership.terms_versions;
DROP TABLE membership.applications;
DROP TABLE membership.invitations;
