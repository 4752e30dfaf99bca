// @generated automatically by Diesel CLI.

pub mod feedback {
    diesel::table! {
        feedback.anonymous_submissions (member_id, day) {
            member_id -> Uuid,
            day -> Date,
            count -> Int4,
        }
    }

    diesel::table! {
        feedback.categories (id) {
            id -> Uuid,
            slug -> Text,
            name_ja -> Text,
            name_en -> Text,
            position -> Int4,
            retired -> Bool,
        }
    }

    diesel::table! {
        feedback.items (id) {
            id -> Uuid,
            category_id -> Uuid,
            anonymous -> Bool,
            author_id -> Nullable<Uuid>,
            body -> Text,
            company_id -> Nullable<Uuid>,
            left_year_band -> Nullable<Int4>,
            submitted_on -> Date,
            receipt_hash -> Nullable<Bytea>,
            triage -> Text,
            theme_id -> Nullable<Uuid>,
            duplicate_of_id -> Nullable<Uuid>,
        }
    }

    diesel::table! {
        feedback.proposal_follows (proposal_id, member_id) {
            proposal_id -> Uuid,
            member_id -> Uuid,
            automatic -> Bool,
            created_at -> Timestamptz,
            unfollowed_at -> Nullable<Timestamptz>,
        }
    }

    diesel::table! {
        feedback.proposal_themes (proposal_id, theme_id) {
            proposal_id -> Uuid,
            theme_id -> Uuid,
        }
    }

    diesel::table! {
        feedback.proposal_updates (id) {
            id -> Uuid,
            proposal_id -> Uuid,
            happened_on -> Date,
            body -> Text,
            progress -> Int4,
            moderation -> Text,
            created_by -> Nullable<Uuid>,
            created_at -> Timestamptz,
            announced_at -> Nullable<Timestamptz>,
        }
    }

    diesel::table! {
        feedback.proposals (id) {
            id -> Uuid,
            title -> Text,
            body -> Text,
            state -> Text,
            moderation -> Text,
            created_by -> Nullable<Uuid>,
            created_at -> Timestamptz,
            updated_at -> Timestamptz,
            submitted_at -> Nullable<Timestamptz>,
            published_at -> Nullable<Timestamptz>,
            response -> Nullable<Text>,
            response_reasons -> Nullable<Text>,
            responded_by -> Nullable<Uuid>,
            responded_at -> Nullable<Timestamptz>,
            progress -> Nullable<Int4>,
            done_at -> Nullable<Timestamptz>,
            answer_announced_at -> Nullable<Timestamptz>,
        }
    }

    diesel::table! {
        feedback.replies (id) {
            id -> Uuid,
            item_id -> Uuid,
            author_id -> Nullable<Uuid>,
            body -> Text,
            created_at -> Timestamptz,
        }
    }

    diesel::table! {
        feedback.survey_answers (response_id, question_id) {
            response_id -> Uuid,
            question_id -> Uuid,
            scale -> Nullable<Int2>,
            choices -> Nullable<Array<Int2>>,
            free_text -> Nullable<Text>,
        }
    }

    diesel::table! {
        feedback.survey_participation (survey_id, member_id) {
            survey_id -> Uuid,
            member_id -> Uuid,
        }
    }

    diesel::table! {
        feedback.survey_questions (id) {
            id -> Uuid,
            survey_id -> Uuid,
            position -> Int4,
            kind -> Text,
            prompt -> Text,
            required -> Bool,
            options -> Array<Text>,
        }
    }

    diesel::table! {
        feedback.survey_responses (id) {
            id -> Uuid,
            survey_id -> Uuid,
            submitted_on -> Date,
            company_id -> Nullable<Uuid>,
            left_year_band -> Nullable<Int4>,
        }
    }

    diesel::table! {
        feedback.surveys (id) {
            id -> Uuid,
            title -> Text,
            description -> Text,
            audience -> Text,
            opens_at -> Nullable<Timestamptz>,
            closes_at -> Timestamptz,
            min_group -> Int4,
            min_text_group -> Int4,
            results_published -> Bool,
            created_by -> Nullable<Uuid>,
            created_at -> Timestamptz,
            updated_at -> Timestamptz,
        }
    }

    diesel::table! {
        feedback.themes (id) {
            id -> Uuid,
            title -> Text,
            summary -> Text,
            created_by -> Nullable<Uuid>,
            created_at -> Timestamptz,
            updated_at -> Timestamptz,
        }
    }

    diesel::joinable!(items -> categories (category_id));
    diesel::joinable!(items -> themes (theme_id));
    diesel::joinable!(proposal_follows -> proposals (proposal_id));
    diesel::joinable!(proposal_themes -> proposals (proposal_id));
    diesel::joinable!(proposal_themes -> themes (theme_id));
    diesel::joinable!(proposal_updates -> proposals (proposal_id));
    diesel::joinable!(replies -> items (item_id));
    diesel::joinable!(survey_answers -> survey_questions (question_id));
    diesel::joinable!(survey_answers -> survey_responses (response_id));
    diesel::joinable!(survey_participation -> surveys (survey_id));
    diesel::joinable!(survey_questions -> surveys (survey_id));
    diesel::joinable!(survey_responses -> surveys (survey_id));

    diesel::allow_tables_to_appear_in_same_query!(
        anonymous_submissions,
        categories,
        items,
        proposal_follows,
        proposal_themes,
        proposal_updates,
        proposals,
        replies,
        survey_answers,
        survey_participation,
        survey_questions,
        survey_responses,
        surveys,
        themes,
    );
}
