//! Asking, answering, accepting, closing as a duplicate, and the lists.

use alumni_core::audit::{self, AuditEntry};
use alumni_core::jobs::{self, NewJob};
use alumni_core::markdown;
use alumni_core::moderation::{
    ModerationState, ScreenRequest, Screening, TextAudience, moderates, sees,
};
use alumni_core::pagination::PageRequest;
use alumni_core::{AppError, AppResult, MemberId, NodeId as _, Role, Viewer};
use std::collections::HashMap;

use alumni_membership::model::{TagId, TagRecord};
use alumni_notify::{MailContent, Notice};
use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection as _, AsyncPgConnection};
use serde_json::json;

use super::helpful::set_helpful_in;
use super::routing::RouteQuestion;
use super::{KnowledgeService, ROUTE_QUESTION, bounded, is_secretariat, participant, refused};
use crate::model::{
    AnswerId, AnswerRecord, DocumentKind, KnowledgeAudience, QuestionId, QuestionRecord,
};
use crate::notices::{ANSWER_ACCEPTED, ANSWER_POSTED};
use crate::store::documents::{self, Document};
use crate::store::helpful::Counted;
use crate::store::questions::{self as store, QuestionFilter, QuestionKey, QuestionList};

/// The node type of questions.
pub const QUESTION_NODE: &str = "Question";
/// The node type of answers.
pub const ANSWER_NODE: &str = "Answer";

/// Answers one question may collect; past it, new answers are refused.
pub const MAX_ANSWERS: i64 = 200;

/// A question as its asker writes it.
#[derive(Debug, Clone)]
pub struct QuestionInput {
    /// The question in one line (5–200 characters).
    pub title: String,
    /// Details, in Markdown (up to 20,000 characters).
    pub body: String,
    /// One to five tags; aliases resolve to their tag.
    pub tags: Vec<String>,
    /// Save despite the leak guard's warnings.
    pub confirm_warnings: bool,
}

impl QuestionInput {
    fn checked(&self) -> AppResult<(String, String)> {
        let title = bounded(&self.title, "input.title", 5, 200)?;
        let body = bounded(&self.body, "input.body", 0, 20_000)?;
        if self.tags.iter().all(|tag| tag.trim().is_empty()) {
            return Err(AppError::bad_input(
                "input.tags",
                "name at least one tag, so the question reaches people who know the subject",
            ));
        }
        Ok((title, body))
    }
}

impl KnowledgeService {
    async fn screen(
        &self,
        author: MemberId,
        subject_type: &'static str,
        subject_id: uuid::Uuid,
        fields: Vec<(&'static str, &str)>,
        confirm_warnings: bool,
    ) -> AppResult<Screening> {
        self.ctx
            .screener
            .screen(
                self.ctx.now(),
                ScreenRequest {
                    author,
                    subject_type,
                    subject_id,
                    audience: TextAudience::Alumni,
                    fields,
                    confirm_warnings,
                },
            )
            .await
    }

    /// Asks a question. It passes the leak guard; once saved, the first
    /// round of routing runs on the job queue.
    pub async fn ask_question(
        &self,
        viewer: &Viewer,
        input: QuestionInput,
    ) -> AppResult<QuestionRecord> {
        let asker = participant(viewer)?.member_id;
        let (title, body) = input.checked()?;
        let id = QuestionId::new();
        let screening = self
            .screen(
                asker,
                QUESTION_NODE,
                id.0,
                vec![("input.title", &title), ("input.body", &body)],
                input.confirm_warnings,
            )
            .await?;
        let now = self.ctx.now();
        let question = QuestionRecord {
            id,
            author_id: Some(asker),
            body_html: markdown::to_safe_html(&body),
            title,
            body,
            moderation: screening.state,
            accepted_answer_id: None,
            duplicate_of_id: None,
            answer_count: 0,
            helpful_count: 0,
            last_answer_at: None,
            routing_round: 0,
            escalated_at: None,
            created_at: now,
            updated_at: now,
        };
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            store::insert(conn, &question).await?;
            let tags = self.tags_in(conn, &input.tags, "input.tags", now).await?;
            let tag_ids: Vec<TagId> = tags.iter().map(|tag| tag.id).collect();
            store::set_tags(conn, id, &tag_ids).await?;
            save_question_document(conn, &question, &tag_ids).await?;
            self.ctx.screener.record_in(conn, now, &screening).await?;
            jobs::enqueue(
                conn,
                now,
                NewJob::new(
                    ROUTE_QUESTION,
                    RouteQuestion {
                        question: id,
                        round: 1,
                    },
                )
                .key(format!("{}:1", id.0))
                // A held question is routed once released: the job retries,
                // hourly after its first backoffs, for about four days.
                .max_attempts(100),
            )
            .await?;
            Ok::<_, AppError>(())
        })
        .await?;
        Ok(question)
    }

    /// Rewrites a question (its asker). The new text passes the leak guard;
    /// a clean edit never releases held content.
    pub async fn edit_question(
        &self,
        viewer: &Viewer,
        id: QuestionId,
        input: QuestionInput,
    ) -> AppResult<QuestionRecord> {
        let editor = participant(viewer)?.member_id;
        let (title, body) = input.checked()?;
        let current = self.question_for(viewer, id).await?;
        if current.author_id != Some(editor) {
            return Err(AppError::forbidden("only the asker edits a question"));
        }
        let screening = self
            .screen(
                editor,
                QUESTION_NODE,
                id.0,
                vec![("input.title", &title), ("input.body", &body)],
                input.confirm_warnings,
            )
            .await?;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let question = store::lock(conn, id)
                .await?
                .ok_or(AppError::NotFound { entity: "Question" })?;
            let moderation = question.moderation.after_edit(screening.state);
            let body_html = markdown::to_safe_html(&body);
            store::update_text(conn, id, &title, &body, &body_html, moderation, now).await?;
            let tags = self.tags_in(conn, &input.tags, "input.tags", now).await?;
            let tag_ids: Vec<TagId> = tags.iter().map(|tag| tag.id).collect();
            store::set_tags(conn, id, &tag_ids).await?;
            let updated = QuestionRecord {
                title,
                body,
                body_html,
                moderation,
                updated_at: now,
                ..question
            };
            save_question_document(conn, &updated, &tag_ids).await?;
            self.ctx.screener.record_in(conn, now, &screening).await?;
            Ok(updated)
        })
        .await
    }

    /// A question as the viewer may see it; `NOT_FOUND` otherwise.
    pub async fn question_for(&self, viewer: &Viewer, id: QuestionId) -> AppResult<QuestionRecord> {
        participant(viewer)?;
        let mut conn = self.ctx.conn().await?;
        store::by_ids(&mut conn, &[id])
            .await?
            .pop()
            .filter(|question| sees(viewer, question.moderation, question.author_id))
            .ok_or(AppError::NotFound { entity: "Question" })
    }

    /// Questions by id as the viewer may see them (for the loader).
    pub async fn questions_by_ids(
        &self,
        viewer: &Viewer,
        ids: &[QuestionId],
    ) -> AppResult<Vec<QuestionRecord>> {
        participant(viewer)?;
        let mut conn = self.ctx.conn().await?;
        Ok(store::by_ids(&mut conn, ids)
            .await?
            .into_iter()
            .filter(|question| sees(viewer, question.moderation, question.author_id))
            .collect())
    }

    /// Answers by id as the viewer may see them (for the loader and
    /// `node(id:)`): the answer and its question must both be visible.
    pub async fn answers_by_ids(
        &self,
        viewer: &Viewer,
        ids: &[AnswerId],
    ) -> AppResult<Vec<AnswerRecord>> {
        participant(viewer)?;
        let mut conn = self.ctx.conn().await?;
        let answers = store::answers_by_ids(&mut conn, ids).await?;
        let question_ids: Vec<QuestionId> =
            answers.iter().map(|answer| answer.question_id).collect();
        let questions = store::by_ids(&mut conn, &question_ids).await?;
        Ok(answers
            .into_iter()
            .filter(|answer| {
                sees(viewer, answer.moderation, answer.author_id)
                    && questions.iter().any(|question| {
                        question.id == answer.question_id
                            && sees(viewer, question.moderation, question.author_id)
                    })
            })
            .collect())
    }

    /// The answers of several questions, oldest first (for the loader).
    pub async fn answers_of(
        &self,
        viewer: &Viewer,
        questions: &[QuestionId],
    ) -> AppResult<Vec<AnswerRecord>> {
        let reader = participant(viewer)?.member_id;
        let mut conn = self.ctx.conn().await?;
        Ok(store::answers_of(&mut conn, questions, moderates(viewer), Some(reader)).await?)
    }

    /// The tags of several questions (for the loader), in slug order.
    pub async fn question_tags(
        &self,
        viewer: &Viewer,
        questions: &[QuestionId],
    ) -> AppResult<HashMap<QuestionId, Vec<TagRecord>>> {
        participant(viewer)?;
        let mut conn = self.ctx.conn().await?;
        let pairs = store::tags_of(&mut conn, questions).await?;
        let ids: Vec<TagId> = pairs.iter().map(|(_, tag)| *tag).collect();
        let tags: HashMap<TagId, TagRecord> = self
            .membership
            .tags_by_ids_in(&mut conn, &ids)
            .await?
            .into_iter()
            .map(|tag| (tag.id, tag))
            .collect();
        let mut by_question: HashMap<QuestionId, Vec<TagRecord>> = HashMap::new();
        for (question, tag) in pairs {
            if let Some(tag) = tags.get(&tag) {
                by_question.entry(question).or_default().push(tag.clone());
            }
        }
        for tags in by_question.values_mut() {
            tags.sort_by(|a, b| a.slug.cmp(&b.slug));
        }
        Ok(by_question)
    }

    /// One page of a question list. `Escalated` is the secretariat's.
    pub async fn questions(
        &self,
        viewer: &Viewer,
        list: QuestionList,
        tag: Option<&str>,
        author: Option<MemberId>,
        page: &PageRequest<QuestionKey>,
    ) -> AppResult<Vec<QuestionRecord>> {
        let filter = self.question_filter(viewer, list, tag, author).await?;
        let Some(filter) = filter else {
            return Ok(Vec::new());
        };
        let mut conn = self.ctx.conn().await?;
        Ok(store::page(&mut conn, &filter, page).await?)
    }

    /// How many questions [`questions`](Self::questions) lists (capped).
    pub async fn count_questions(
        &self,
        viewer: &Viewer,
        list: QuestionList,
        tag: Option<&str>,
        author: Option<MemberId>,
    ) -> AppResult<i64> {
        let filter = self.question_filter(viewer, list, tag, author).await?;
        let Some(filter) = filter else {
            return Ok(0);
        };
        let mut conn = self.ctx.conn().await?;
        Ok(store::count(&mut conn, &filter).await?)
    }

    /// The filter of a list; `None` when the tag named does not exist (the
    /// list is empty).
    async fn question_filter(
        &self,
        viewer: &Viewer,
        list: QuestionList,
        tag: Option<&str>,
        author: Option<MemberId>,
    ) -> AppResult<Option<QuestionFilter>> {
        let identity = participant(viewer)?;
        if list == QuestionList::Escalated && !is_secretariat(identity) {
            return Err(AppError::forbidden(
                "questions handed over unanswered are the secretariat's list",
            ));
        }
        let tag = match tag {
            Some(name) => {
                let mut conn = self.ctx.conn().await?;
                match crate::store::tags::resolve(&mut conn, name).await? {
                    Some(tag) => Some(tag),
                    None => return Ok(None),
                }
            }
            None => None,
        };
        Ok(Some(QuestionFilter {
            list,
            tag,
            author,
            withheld: moderates(viewer),
        }))
    }

    /// Answers a question. The answer passes the leak guard (current
    /// employees' answers too); the asker is told. Refused on a question
    /// closed as a duplicate (`CONFLICT`, reason `CLOSED_AS_DUPLICATE`) or
    /// holding [`MAX_ANSWERS`] answers (`TOO_MANY_ANSWERS`).
    pub async fn answer_question(
        &self,
        viewer: &Viewer,
        question_id: QuestionId,
        body: &str,
        confirm_warnings: bool,
    ) -> AppResult<AnswerRecord> {
        let author = participant(viewer)?.member_id;
        let body = bounded(body, "input.body", 1, 20_000)?;
        let question = self.question_for(viewer, question_id).await?;
        if question.moderation != ModerationState::Visible {
            return Err(refused(
                "the question is not visible to others yet",
                "QUESTION_WITHHELD",
            ));
        }
        let id = AnswerId::new();
        let screening = self
            .screen(
                author,
                ANSWER_NODE,
                id.0,
                vec![("input.body", &body)],
                confirm_warnings,
            )
            .await?;
        let now = self.ctx.now();
        let answer = AnswerRecord {
            id,
            question_id,
            author_id: Some(author),
            body_html: markdown::to_safe_html(&body),
            body,
            moderation: screening.state,
            helpful_count: 0,
            created_at: now,
            updated_at: now,
        };
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let question = store::lock(conn, question_id)
                .await?
                .ok_or(AppError::NotFound { entity: "Question" })?;
            if question.duplicate_of_id.is_some() {
                return Err(refused(
                    "the question was closed as a duplicate; answer the original",
                    "CLOSED_AS_DUPLICATE",
                ));
            }
            if store::answer_total(conn, question_id).await? >= MAX_ANSWERS {
                return Err(refused(
                    "the question holds as many answers as it can",
                    "TOO_MANY_ANSWERS",
                ));
            }
            store::insert_answer(conn, &answer).await?;
            save_answer_document(conn, &answer).await?;
            self.ctx.screener.record_in(conn, now, &screening).await?;
            if let Some(asker) = question.author_id.filter(|asker| *asker != author)
                && answer.moderation == ModerationState::Visible
            {
                self.notify
                    .notify_in(
                        conn,
                        now,
                        vec![
                            Notice::new(&ANSWER_POSTED, asker, id)
                                .payload(json!({ "questionId": question_id, "answerId": id }))
                                .mail(MailContent {
                                    subject: format!("質問に回答がありました: {}", question.title),
                                    paragraphs: vec![format!(
                                        "「{}」に新しい回答が届きました。",
                                        question.title
                                    )],
                                    link: Some(question_link(question_id)),
                                }),
                        ],
                    )
                    .await?;
            }
            Ok(())
        })
        .await?;
        Ok(answer)
    }

    /// Rewrites an answer (its author), through the leak guard again.
    pub async fn edit_answer(
        &self,
        viewer: &Viewer,
        id: AnswerId,
        body: &str,
        confirm_warnings: bool,
    ) -> AppResult<AnswerRecord> {
        let editor = participant(viewer)?.member_id;
        let body = bounded(body, "input.body", 1, 20_000)?;
        let current = self
            .answers_by_ids(viewer, &[id])
            .await?
            .pop()
            .ok_or(AppError::NotFound { entity: "Answer" })?;
        if current.author_id != Some(editor) {
            return Err(AppError::forbidden("only its author edits an answer"));
        }
        let screening = self
            .screen(
                editor,
                ANSWER_NODE,
                id.0,
                vec![("input.body", &body)],
                confirm_warnings,
            )
            .await?;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let moderation = current.moderation.after_edit(screening.state);
            let body_html = markdown::to_safe_html(&body);
            store::update_answer(conn, id, &body, &body_html, moderation, now).await?;
            store::recount_answers(conn, current.question_id).await?;
            let updated = AnswerRecord {
                body,
                body_html,
                moderation,
                updated_at: now,
                ..current
            };
            save_answer_document(conn, &updated).await?;
            self.ctx.screener.record_in(conn, now, &screening).await?;
            Ok(updated)
        })
        .await
    }

    /// Accepts an answer: the asker, or the secretariat (for a question
    /// whose asker left, say). Accepting another answer replaces it. The
    /// answer's author is told.
    pub async fn accept_answer(&self, viewer: &Viewer, id: AnswerId) -> AppResult<QuestionRecord> {
        let identity = participant(viewer)?;
        let answer = self
            .answers_by_ids(viewer, &[id])
            .await?
            .pop()
            .ok_or(AppError::NotFound { entity: "Answer" })?;
        if answer.moderation != ModerationState::Visible {
            return Err(refused(
                "a withheld answer cannot be accepted",
                "ANSWER_WITHHELD",
            ));
        }
        let now = self.ctx.now();
        let actor = identity.member_id;
        let secretariat = is_secretariat(identity);
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let question = store::lock(conn, answer.question_id)
                .await?
                .ok_or(AppError::NotFound { entity: "Question" })?;
            if question.author_id != Some(actor) && !secretariat {
                return Err(AppError::forbidden(
                    "only the asker or the secretariat accepts an answer",
                ));
            }
            store::set_accepted(conn, question.id, Some(id), now).await?;
            if let Some(author) = answer.author_id.filter(|author| *author != actor) {
                self.notify
                    .notify_in(
                        conn,
                        now,
                        vec![
                            Notice::new(&ANSWER_ACCEPTED, author, id)
                                .payload(json!({ "questionId": question.id, "answerId": id }))
                                .mail(MailContent {
                                    subject: format!(
                                        "あなたの回答が採用されました: {}",
                                        question.title
                                    ),
                                    paragraphs: vec![format!(
                                        "「{}」への回答が採用されました。ありがとうございました。",
                                        question.title
                                    )],
                                    link: Some(question_link(question.id)),
                                }),
                        ],
                    )
                    .await?;
            }
            audit::record(
                conn,
                now,
                AuditEntry::new("knowledge.answer_accepted")
                    .by(actor)
                    .on(id),
            )
            .await?;
            Ok(QuestionRecord {
                accepted_answer_id: Some(id),
                updated_at: now,
                ..question
            })
        })
        .await
    }

    /// Withdraws the acceptance of a question's answer (the asker or the
    /// secretariat).
    pub async fn unaccept_answer(
        &self,
        viewer: &Viewer,
        question_id: QuestionId,
    ) -> AppResult<QuestionRecord> {
        let question = self.asker_or_secretariat(viewer, question_id).await?;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        store::set_accepted(&mut conn, question_id, None, now).await?;
        Ok(QuestionRecord {
            accepted_answer_id: None,
            updated_at: now,
            ..question
        })
    }

    /// Closes a question as a duplicate of another (the asker, the
    /// secretariat or a moderator). The original must be visible and not
    /// the question itself; an original that is itself closed is followed
    /// to its own original, and questions closed onto this one move on
    /// with it, so duplicates never form chains or cycles.
    pub async fn close_as_duplicate(
        &self,
        viewer: &Viewer,
        id: QuestionId,
        original: QuestionId,
    ) -> AppResult<QuestionRecord> {
        let question = self.curator_of(viewer, id).await?;
        let target = self.question_for(viewer, original).await?;
        if target.moderation != ModerationState::Visible {
            return Err(AppError::NotFound { entity: "Question" });
        }
        let original = target.duplicate_of_id.unwrap_or(target.id);
        if original == id {
            return Err(AppError::bad_input(
                "original",
                "a question cannot duplicate itself",
            ));
        }
        let now = self.ctx.now();
        let actor = participant(viewer)?.member_id;
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            store::lock(conn, id).await?;
            store::set_duplicate_of(conn, id, Some(original), now).await?;
            store::repoint_duplicates(conn, id, original).await?;
            audit::record(
                conn,
                now,
                AuditEntry::new("knowledge.question_closed_as_duplicate")
                    .by(actor)
                    .on(id)
                    .details(json!({ "original": original.0 })),
            )
            .await
        })
        .await?;
        Ok(QuestionRecord {
            duplicate_of_id: Some(original),
            updated_at: now,
            ..question
        })
    }

    /// Reopens a question closed as a duplicate.
    pub async fn reopen_question(
        &self,
        viewer: &Viewer,
        id: QuestionId,
    ) -> AppResult<QuestionRecord> {
        let question = self.curator_of(viewer, id).await?;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        store::set_duplicate_of(&mut conn, id, None, now).await?;
        Ok(QuestionRecord {
            duplicate_of_id: None,
            updated_at: now,
            ..question
        })
    }

    async fn asker_or_secretariat(
        &self,
        viewer: &Viewer,
        id: QuestionId,
    ) -> AppResult<QuestionRecord> {
        let identity = participant(viewer)?;
        let question = self.question_for(viewer, id).await?;
        if question.author_id != Some(identity.member_id) && !is_secretariat(identity) {
            return Err(AppError::forbidden(
                "only the asker or the secretariat may do this",
            ));
        }
        Ok(question)
    }

    /// The asker, the secretariat and moderators look after a question.
    async fn curator_of(&self, viewer: &Viewer, id: QuestionId) -> AppResult<QuestionRecord> {
        let identity = participant(viewer)?;
        let question = self.question_for(viewer, id).await?;
        if question.author_id != Some(identity.member_id)
            && !is_secretariat(identity)
            && !identity.roles.contains(Role::Moderator)
        {
            return Err(AppError::forbidden(
                "only the asker, the secretariat or a moderator may do this",
            ));
        }
        Ok(question)
    }

    /// Tags by id (for the viewer's availability).
    pub async fn tags_by_ids(&self, ids: Vec<TagId>) -> AppResult<HashMap<TagId, TagRecord>> {
        let mut conn = self.ctx.conn().await?;
        Ok(self
            .membership
            .tags_by_ids_in(&mut conn, &ids)
            .await?
            .into_iter()
            .map(|tag| (tag.id, tag))
            .collect())
    }

    /// Marks a question helpful (`on`) or takes the mark back: once per
    /// member, never one's own (`CONFLICT`, reason `OWN_CONTENT`), only
    /// what the viewer may read.
    pub async fn set_question_helpful(
        &self,
        viewer: &Viewer,
        id: QuestionId,
        on: bool,
    ) -> AppResult<QuestionRecord> {
        let member = participant(viewer)?.member_id;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let question = store::lock(conn, id)
                .await?
                .filter(|question| sees(viewer, question.moderation, question.author_id))
                .ok_or(AppError::NotFound { entity: "Question" })?;
            if question.author_id == Some(member) {
                return Err(refused(
                    "you cannot mark your own question helpful",
                    "OWN_CONTENT",
                ));
            }
            let changed = set_helpful_in(conn, Counted::Questions, id.0, member, on, now).await?;
            Ok(QuestionRecord {
                helpful_count: question.helpful_count + helpful_delta(changed, on),
                ..question
            })
        })
        .await
    }

    /// Marks an answer helpful (`on`) or takes the mark back, as for
    /// questions. Helpful answers count as evidence in `experts`.
    pub async fn set_answer_helpful(
        &self,
        viewer: &Viewer,
        id: AnswerId,
        on: bool,
    ) -> AppResult<AnswerRecord> {
        let member = participant(viewer)?.member_id;
        let answer = self
            .answers_by_ids(viewer, &[id])
            .await?
            .pop()
            .ok_or(AppError::NotFound { entity: "Answer" })?;
        if answer.author_id == Some(member) {
            return Err(refused(
                "you cannot mark your own answer helpful",
                "OWN_CONTENT",
            ));
        }
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        let changed = conn
            .transaction(async |conn| {
                set_helpful_in(conn, Counted::Answers, id.0, member, on, now).await
            })
            .await?;
        Ok(AnswerRecord {
            helpful_count: answer.helpful_count + helpful_delta(changed, on),
            ..answer
        })
    }

    /// Routing rounds of several questions: members asked per round (for
    /// the asker and the secretariat; who was asked is never shown).
    pub async fn route_counts(
        &self,
        viewer: &Viewer,
        ids: &[QuestionId],
    ) -> AppResult<Vec<(QuestionId, i16, i64)>> {
        participant(viewer)?;
        let mut conn = self.ctx.conn().await?;
        Ok(store::route_counts(&mut conn, ids).await?)
    }
}

/// How a helpful count moved.
fn helpful_delta(changed: bool, on: bool) -> i32 {
    match (changed, on) {
        (false, _) => 0,
        (true, true) => 1,
        (true, false) => -1,
    }
}

/// Where a question is read in the app.
pub(crate) fn question_link(id: QuestionId) -> (String, String) {
    (
        "質問を見る".to_owned(),
        format!("/knowledge/questions/{}", id.to_global().as_str()),
    )
}

async fn save_question_document(
    conn: &mut AsyncPgConnection,
    question: &QuestionRecord,
    tags: &[TagId],
) -> AppResult<()> {
    documents::save(
        conn,
        &Document {
            subject_id: question.id.0,
            kind: DocumentKind::Question,
            question_id: None,
            author_id: question.author_id.map(|author| author.0),
            audience: KnowledgeAudience::Everyone,
            expires_at: None,
            title: &question.title,
            text: &markdown::to_plain_text(&question.body),
            tag_ids: tags.iter().map(|tag| tag.0).collect(),
            created_at: question.created_at,
        },
    )
    .await?;
    Ok(())
}

async fn save_answer_document(
    conn: &mut AsyncPgConnection,
    answer: &AnswerRecord,
) -> AppResult<()> {
    let tags: Vec<uuid::Uuid> = store::tags_of(conn, &[answer.question_id])
        .await?
        .into_iter()
        .map(|(_, tag)| tag.0)
        .collect();
    documents::save(
        conn,
        &Document {
            subject_id: answer.id.0,
            kind: DocumentKind::Answer,
            question_id: Some(answer.question_id.0),
            author_id: answer.author_id.map(|author| author.0),
            audience: KnowledgeAudience::Everyone,
            expires_at: None,
            title: "",
            text: &markdown::to_plain_text(&answer.body),
            tag_ids: tags,
            created_at: answer.created_at,
        },
    )
    .await?;
    Ok(())
}

/// The time a question list is keyed on, for callers building cursors.
pub fn question_key(question: &QuestionRecord, list: QuestionList) -> (DateTime<Utc>, uuid::Uuid) {
    store::key(question, list)
}
