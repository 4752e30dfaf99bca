// @generated automatically by Diesel CLI.

pub mod knowledge {
    diesel::table! {
        knowledge.answers (id) {
            id -> Uuid,
            question_id -> Uuid,
            author_id -> Nullable<Uuid>,
            body -> Text,
            body_html -> Text,
            moderation -> Text,
            helpful_count -> Int4,
            created_at -> Timestamptz,
            updated_at -> Timestamptz,
        }
    }

    diesel::table! {
        knowledge.article_comments (id) {
            id -> Uuid,
            article_id -> Uuid,
            parent_id -> Nullable<Uuid>,
            author_id -> Nullable<Uuid>,
            body -> Text,
            moderation -> Text,
            created_at -> Timestamptz,
            updated_at -> Timestamptz,
            deleted_at -> Nullable<Timestamptz>,
        }
    }

    diesel::table! {
        knowledge.article_revisions (id) {
            id -> Uuid,
            article_id -> Uuid,
            title -> Text,
            body -> Text,
            edited_at -> Timestamptz,
        }
    }

    diesel::table! {
        knowledge.article_tags (article_id, tag_id) {
            article_id -> Uuid,
            tag_id -> Uuid,
        }
    }

    diesel::table! {
        knowledge.articles (id) {
            id -> Uuid,
            author_id -> Uuid,
            title -> Text,
            body -> Text,
            body_html -> Text,
            audience -> Text,
            state -> Text,
            moderation -> Text,
            helpful_count -> Int4,
            created_at -> Timestamptz,
            updated_at -> Timestamptz,
            published_at -> Nullable<Timestamptz>,
        }
    }

    diesel::table! {
        knowledge.skill_availability (member_id, tag_id) {
            member_id -> Uuid,
            tag_id -> Uuid,
            availability -> Text,
            max_open_requests -> Nullable<Int4>,
            updated_at -> Timestamptz,
        }
    }

    diesel::table! {
        knowledge.board_interests (post_id, member_id) {
            post_id -> Uuid,
            member_id -> Uuid,
            message -> Text,
            created_at -> Timestamptz,
        }
    }

    diesel::table! {
        knowledge.board_kinds (slug) {
            slug -> Text,
            name_ja -> Text,
            name_en -> Text,
            position -> Int4,
        }
    }

    diesel::table! {
        knowledge.board_post_tags (post_id, tag_id) {
            post_id -> Uuid,
            tag_id -> Uuid,
        }
    }

    diesel::table! {
        knowledge.board_posts (id) {
            id -> Uuid,
            author_id -> Uuid,
            kind -> Text,
            direction -> Text,
            title -> Text,
            body -> Text,
            body_html -> Text,
            moderation -> Text,
            created_at -> Timestamptz,
            updated_at -> Timestamptz,
            expires_at -> Timestamptz,
            closed_at -> Nullable<Timestamptz>,
            expiry_noticed_at -> Nullable<Timestamptz>,
        }
    }

    diesel::table! {
        knowledge.consultation_tags (consultation_id, tag_id) {
            consultation_id -> Uuid,
            tag_id -> Uuid,
        }
    }

    diesel::table! {
        knowledge.consultations (id) {
            id -> Uuid,
            requester_id -> Uuid,
            expert_id -> Uuid,
            topic -> Text,
            message -> Text,
            state -> Text,
            reply -> Nullable<Text>,
            share_email -> Bool,
            moderation -> Text,
            created_at -> Timestamptz,
            expires_at -> Timestamptz,
            responded_at -> Nullable<Timestamptz>,
        }
    }

    diesel::table! {
        knowledge.documents (subject_id) {
            subject_id -> Uuid,
            kind -> Text,
            question_id -> Nullable<Uuid>,
            author_id -> Nullable<Uuid>,
            audience -> Text,
            listed -> Bool,
            expires_at -> Nullable<Timestamptz>,
            search_text -> Text,
            search_grams -> Array<Nullable<Text>>,
            tag_ids -> Array<Nullable<Uuid>>,
            created_at -> Timestamptz,
        }
    }

    diesel::table! {
        knowledge.expert_settings (member_id) {
            member_id -> Uuid,
            accepts_consultations -> Bool,
            max_pending -> Int4,
            updated_at -> Timestamptz,
        }
    }

    diesel::table! {
        knowledge.helpful_marks (subject_id, member_id) {
            subject_id -> Uuid,
            member_id -> Uuid,
            created_at -> Timestamptz,
        }
    }

    diesel::table! {
        knowledge.question_routes (question_id, member_id) {
            question_id -> Uuid,
            member_id -> Uuid,
            round -> Int2,
            routed_at -> Timestamptz,
        }
    }

    diesel::table! {
        knowledge.question_tags (question_id, tag_id) {
            question_id -> Uuid,
            tag_id -> Uuid,
        }
    }

    diesel::table! {
        knowledge.questions (id) {
            id -> Uuid,
            author_id -> Nullable<Uuid>,
            title -> Text,
            body -> Text,
            body_html -> Text,
            moderation -> Text,
            accepted_answer_id -> Nullable<Uuid>,
            duplicate_of_id -> Nullable<Uuid>,
            answer_count -> Int4,
            helpful_count -> Int4,
            last_answer_at -> Nullable<Timestamptz>,
            routing_round -> Int2,
            escalated_at -> Nullable<Timestamptz>,
            created_at -> Timestamptz,
            updated_at -> Timestamptz,
        }
    }

    diesel::table! {
        knowledge.routing_settings (singleton) {
            singleton -> Bool,
            first_round -> Int4,
            second_round -> Int4,
            escalate_after_hours -> Int4,
            updated_at -> Timestamptz,
        }
    }

    diesel::table! {
        knowledge.tag_follows (member_id, tag_id) {
            member_id -> Uuid,
            tag_id -> Uuid,
            created_at -> Timestamptz,
        }
    }

    diesel::joinable!(article_comments -> articles (article_id));
    diesel::joinable!(article_revisions -> articles (article_id));
    diesel::joinable!(article_tags -> articles (article_id));
    diesel::joinable!(board_interests -> board_posts (post_id));
    diesel::joinable!(board_post_tags -> board_posts (post_id));
    diesel::joinable!(board_posts -> board_kinds (kind));
    diesel::joinable!(consultation_tags -> consultations (consultation_id));
    diesel::joinable!(documents -> questions (question_id));
    diesel::joinable!(question_routes -> questions (question_id));
    diesel::joinable!(question_tags -> questions (question_id));

    diesel::allow_tables_to_appear_in_same_query!(
        answers,
        article_comments,
        article_revisions,
        article_tags,
        articles,
        skill_availability,
        board_interests,
        board_kinds,
        board_post_tags,
        board_posts,
        consultation_tags,
        consultations,
        documents,
        expert_settings,
        helpful_marks,
        question_routes,
        question_tags,
        questions,
        routing_settings,
        tag_follows,
    );
}
