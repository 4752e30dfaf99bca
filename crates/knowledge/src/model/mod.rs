//! Rows, ids and stored enums of the knowledge domain, one file per
//! concept.

mod article;
mod board;
mod consultation;
mod question;

use alumni_core::enums::StoredEnum;
use alumni_core::moderation::ModerationState;

pub use article::*;
pub use board::*;
pub use consultation::*;
pub use question::*;

/// Every enum this crate stores, for the gateway's check against the
/// database's allowed values.
pub const STORED_ENUMS: &[StoredEnum] = &[
    ArticleState::STORED,
    KnowledgeAudience::STORED,
    Availability::STORED,
    ConsultationState::STORED,
    BoardDirection::STORED,
    DocumentKind::STORED,
    ModerationState::stored_in(&[
        "knowledge.articles.moderation",
        "knowledge.article_comments.moderation",
        "knowledge.questions.moderation",
        "knowledge.answers.moderation",
        "knowledge.consultations.moderation",
        "knowledge.board_posts.moderation",
    ]),
];

alumni_core::text_enum! {
    /// Who may read an article (questions, answers and board posts are for
    /// every member).
    pub enum KnowledgeAudience stored in "knowledge.articles.audience", "knowledge.documents.audience" {
        /// Every signed-in member: alumni and employees alike.
        Everyone = "EVERYONE",
        /// Alumni only.
        Alumni = "ALUMNI",
        /// Current employees only.
        Employees = "EMPLOYEES",
    }
}

impl KnowledgeAudience {
    /// The audiences a member holding `roles` belongs to: what lists
    /// compare a row's audience with in SQL (`audience = ANY(..)`), so the
    /// rule stays in [`admits`](Self::admits) alone.
    pub fn admitted(roles: alumni_core::RoleSet) -> Vec<KnowledgeAudience> {
        Self::ALL
            .iter()
            .copied()
            .filter(|audience| audience.admits(roles))
            .collect()
    }

    /// Whether a member holding `roles` may read what is for this
    /// audience. The secretariat reads everything; the SQL side of this
    /// rule is in `store::documents`.
    pub fn admits(self, roles: alumni_core::RoleSet) -> bool {
        use alumni_core::Role;
        roles.contains(Role::Secretariat)
            || match self {
                Self::Everyone => true,
                Self::Alumni => roles.contains(Role::Alumnus),
                Self::Employees => roles.contains(Role::Employee),
            }
    }
}

alumni_core::text_enum! {
    /// What a search hit is.
    pub enum DocumentKind stored in "knowledge.documents.kind" {
        /// An article.
        Article = "ARTICLE",
        /// A question.
        Question = "QUESTION",
        /// An answer to a question.
        Answer = "ANSWER",
        /// A post on the collaboration board.
        BoardPost = "BOARD_POST",
    }
}
