DROP TABLE feedback.proposal_follows;
DROP TABLE feedback.proposal_updates;
DROP TABLE feedback.proposal_themes;
DROP TABLE feedback.proposals;
