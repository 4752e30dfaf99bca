DROP TABLE content.issue_recipients; DROP TABLE content.issue_posts; DROP TABLE content.issues;
