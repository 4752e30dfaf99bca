//! Everything written in the knowledge domain as content of the review
//! queue: one target per node type, over the table its rows live in.

use alumni_core::domain::BoxFuture;
use alumni_core::moderation::{ModerationState, ModerationTarget};
use alumni_core::{AppError, MemberId};
use diesel::QueryableByName;
use diesel::sql_types::{Nullable, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::KnowledgeService;
use crate::model::ConsultationId;
use crate::service::CONSULTATION_NODE;
use crate::store::{documents, questions};

/// A node type of this domain the queue can act on.
pub struct KnowledgeModeration {
    node_type: &'static str,
    /// The table, and the column naming the member who wrote the row.
    table: &'static str,
    author_column: &'static str,
    /// For what a change of state sets off (a released consultation
    /// request reaches its expert).
    service: KnowledgeService,
}

/// The targets of every node type written here, for `Services::new`.
pub fn targets(service: &KnowledgeService) -> Vec<std::sync::Arc<dyn ModerationTarget>> {
    [
        ("Article", "knowledge.articles", "author_id"),
        ("ArticleComment", "knowledge.article_comments", "author_id"),
        ("Question", "knowledge.questions", "author_id"),
        ("Answer", "knowledge.answers", "author_id"),
        ("Consultation", "knowledge.consultations", "requester_id"),
        ("BoardPost", "knowledge.board_posts", "author_id"),
    ]
    .into_iter()
    .map(|(node_type, table, author_column)| {
        std::sync::Arc::new(KnowledgeModeration {
            node_type,
            table,
            author_column,
            service: service.clone(),
        }) as std::sync::Arc<dyn ModerationTarget>
    })
    .collect()
}

#[derive(QueryableByName)]
struct Author {
    #[diesel(sql_type = Nullable<SqlUuid>)]
    author: Option<Uuid>,
}

impl ModerationTarget for KnowledgeModeration {
    fn node_type(&self) -> &'static str {
        self.node_type
    }

    fn author_in<'a>(
        &'a self,
        conn: &'a mut AsyncPgConnection,
        id: Uuid,
    ) -> BoxFuture<'a, Result<Option<Option<MemberId>>, AppError>> {
        Box::pin(async move {
            // The table and column are this module's constants, never input.
            let found: Vec<Author> = diesel::sql_query(format!(
                "SELECT {} AS author FROM {} WHERE id = $1",
                self.author_column, self.table
            ))
            .bind::<SqlUuid, _>(id)
            .load(conn)
            .await?;
            Ok(found.into_iter().next().map(|row| row.author.map(MemberId)))
        })
    }

    fn set_state_in<'a>(
        &'a self,
        conn: &'a mut AsyncPgConnection,
        id: Uuid,
        state: ModerationState,
    ) -> BoxFuture<'a, Result<(), AppError>> {
        Box::pin(async move {
            if self.node_type == CONSULTATION_NODE && state == ModerationState::Visible {
                self.service
                    .release_consultation_in(conn, ConsultationId(id))
                    .await?;
            }
            diesel::sql_query(format!(
                "UPDATE {} SET moderation = $2 WHERE id = $1",
                self.table
            ))
            .bind::<SqlUuid, _>(id)
            .bind::<Text, _>(state.as_str())
            .execute(conn)
            .await?;
            if self.node_type == "Answer" {
                questions::recount_answers_of_answer(conn, id).await?;
            }
            documents::refresh(conn, id).await?;
            Ok(())
        })
    }
}
