//! The one search index over articles, questions, answers and board posts.

use alumni_core::search;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::Uuid as SqlUuid;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::model::{DocumentKind, KnowledgeAudience};
use crate::schema::knowledge::documents;

/// A searchable text, as the services write it on every save.
#[derive(Debug, Clone)]
pub struct Document<'a> {
    /// The article, question, answer or board post.
    pub subject_id: Uuid,
    /// Which of the four.
    pub kind: DocumentKind,
    /// For an answer, its question.
    pub question_id: Option<Uuid>,
    /// Its author.
    pub author_id: Option<Uuid>,
    /// Who may read it.
    pub audience: KnowledgeAudience,
    /// When it stops being found (board posts).
    pub expires_at: Option<DateTime<Utc>>,
    /// Its title (empty for answers).
    pub title: &'a str,
    /// Its other text, as plain text.
    pub text: &'a str,
    /// Its tags (an answer's are its question's).
    pub tag_ids: Vec<Uuid>,
    /// When it was written.
    pub created_at: DateTime<Utc>,
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = documents, treat_none_as_null = true)]
struct DocumentRow {
    subject_id: Uuid,
    kind: DocumentKind,
    question_id: Option<Uuid>,
    author_id: Option<Uuid>,
    audience: KnowledgeAudience,
    listed: bool,
    expires_at: Option<DateTime<Utc>>,
    search_text: String,
    search_grams: Vec<String>,
    tag_ids: Vec<Uuid>,
    created_at: DateTime<Utc>,
}

/// Writes (or rewrites) the searchable text of a subject and decides
/// whether it is listed (see `knowledge.refresh_listing`).
pub async fn save(conn: &mut AsyncPgConnection, document: &Document<'_>) -> QueryResult<()> {
    let values = [document.title, document.text];
    let row = DocumentRow {
        subject_id: document.subject_id,
        kind: document.kind,
        question_id: document.question_id,
        author_id: document.author_id,
        audience: document.audience,
        listed: false,
        expires_at: document.expires_at,
        // The title always comes first, empty or not, so ranking can read it
        // as the first field.
        search_text: format!(
            "{}{}{}",
            search::normalize(document.title),
            search::FIELD_SEPARATOR,
            search::normalize(document.text)
        ),
        search_grams: search::index_grams(values),
        tag_ids: document.tag_ids.clone(),
        created_at: document.created_at,
    };
    diesel::insert_into(documents::table)
        .values(&row)
        .on_conflict(documents::subject_id)
        .do_update()
        .set(&row)
        .execute(conn)
        .await?;
    refresh(conn, document.subject_id).await
}

/// Recomputes whether `subject` (and a question's answers) may be found,
/// after a change of state or moderation.
pub async fn refresh(conn: &mut AsyncPgConnection, subject: Uuid) -> QueryResult<()> {
    diesel::sql_query("SELECT knowledge.refresh_listing($1)")
        .bind::<SqlUuid, _>(subject)
        .execute(conn)
        .await?;
    Ok(())
}

/// Moves a board post's end of listing (renewal).
pub async fn set_expiry(
    conn: &mut AsyncPgConnection,
    subject: Uuid,
    expires_at: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(documents::table.find(subject))
        .set(documents::expires_at.eq(expires_at))
        .execute(conn)
        .await?;
    Ok(())
}

/// Forgets the searchable texts of subjects (deleted or erased).
pub async fn remove(conn: &mut AsyncPgConnection, subjects: &[Uuid]) -> QueryResult<()> {
    diesel::delete(documents::table.filter(documents::subject_id.eq_any(subjects)))
        .execute(conn)
        .await?;
    Ok(())
}
