// @generated automatically by Diesel CLI.

pub mod trust {
    diesel::table! {
        trust.case_notes (id) {
            id -> Uuid,
            case_id -> Uuid,
            author_id -> Nullable<Uuid>,
            body -> Text,
            created_at -> Timestamptz,
        }
    }

    diesel::table! {
        trust.cases (id) {
            id -> Uuid,
            subject_type -> Text,
            subject_id -> Uuid,
            author_id -> Nullable<Uuid>,
            origin -> Text,
            appeal_of -> Nullable<Uuid>,
            appeal_text -> Nullable<Text>,
            priority -> Int4,
            queue_rank -> Int4,
            assignee_id -> Nullable<Uuid>,
            resolution -> Nullable<Text>,
            resolution_note -> Nullable<Text>,
            resolved_by -> Nullable<Uuid>,
            opened_at -> Timestamptz,
            resolved_at -> Nullable<Timestamptz>,
        }
    }

    diesel::table! {
        trust.decisions (id) {
            id -> Uuid,
            subject_type -> Text,
            subject_id -> Uuid,
            author_id -> Nullable<Uuid>,
            audience -> Text,
            outcome -> Text,
            matches -> Jsonb,
            decided_at -> Timestamptz,
        }
    }

    diesel::table! {
        trust.reports (id) {
            id -> Uuid,
            case_id -> Uuid,
            subject_type -> Text,
            subject_id -> Uuid,
            reporter_id -> Nullable<Uuid>,
            reason -> Text,
            details -> Nullable<Text>,
            created_at -> Timestamptz,
            closed_at -> Nullable<Timestamptz>,
        }
    }

    diesel::table! {
        trust.rules (id) {
            id -> Uuid,
            name -> Text,
            category -> Text,
            kind -> Text,
            terms -> Array<Nullable<Text>>,
            action -> Text,
            scope -> Text,
            explanation -> Text,
            enabled -> Bool,
            created_at -> Timestamptz,
            updated_at -> Timestamptz,
        }
    }

    diesel::table! {
        trust.settings (singleton) {
            singleton -> Bool,
            rules_version -> Int8,
            report_threshold -> Int4,
        }
    }

    diesel::joinable!(case_notes -> cases (case_id));
    diesel::joinable!(reports -> cases (case_id));

    diesel::allow_tables_to_appear_in_same_query!(
        case_notes, cases, decisions, reports, rules, settings,
    );
}
