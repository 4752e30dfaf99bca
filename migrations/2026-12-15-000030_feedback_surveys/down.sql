DROP TABLE feedback.survey_answers;
DROP TABLE feedback.survey_responses;
DROP TABLE feedback.survey_participation;
DROP TABLE feedback.survey_questions;
DROP TABLE feedback.surveys;
