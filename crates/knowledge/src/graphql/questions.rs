//! Questions, answers and the availability of experts.

use std::collections::HashMap;

use alumni_core::graphql::{
    data, feed_many, load_now, load_one, selects_in_items, viewer, with_misses,
};
use alumni_core::moderation::{ModerationState, moderates};
use alumni_core::pagination::{Connection, PageRequest, TotalCount, connection_complexity};
use alumni_core::{AppError, MemberId, NodeId, Role, Viewer};
use alumni_membership::Member;
use alumni_membership::graphql::{Tag, find_member, prefetch_members};
use alumni_membership::model::TagRecord;
use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

use super::helpful::MarkedHelpfulLoader;
use crate::KnowledgeService;
use crate::model::{
    AnswerId, AnswerRecord, Availability, AvailabilityRecord, QuestionId, QuestionRecord,
};
use crate::service::{AvailabilityInput, QuestionInput, QuestionKey, QuestionList, question_key};

/// A question of the community.
pub struct Question(pub QuestionRecord);

/// A member's question to the community. Routed to a few members who said
/// they are open to questions on its tags; answered, and one answer
/// accepted by the asker.
#[Object]
impl Question {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }
    /// The question in one line.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// Details, in Markdown.
    async fn body(&self) -> &str {
        &self.0.body
    }
    /// The details rendered to sanitised HTML.
    async fn body_html(&self) -> &str {
        &self.0.body_html
    }
    /// Who asked, as the viewer may see them; null once they left the
    /// network (see `authorWithdrawn`) or when hidden from the viewer.
    async fn author(&self, ctx: &Context<'_>) -> Result<Option<Member>> {
        match self.0.author_id {
            Some(author) => Ok(find_member(ctx, author).await?),
            None => Ok(None),
        }
    }
    /// Whether the asker has left the network ("withdrawn member").
    async fn author_withdrawn(&self) -> bool {
        self.0.author_id.is_none()
    }
    /// Its tags.
    async fn tags(&self, ctx: &Context<'_>) -> Result<Vec<Tag>> {
        Ok(load_one::<QuestionTagsLoader, _>(ctx, self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(Tag)
            .collect())
    }
    /// Visible answers.
    async fn answer_count(&self) -> i32 {
        self.0.answer_count
    }
    /// Whether it has a visible answer.
    async fn is_answered(&self) -> bool {
        self.0.answer_count > 0
    }
    /// Its answers, the accepted one first, then oldest first (at most
    /// 100).
    async fn answers(&self, ctx: &Context<'_>) -> Result<Vec<Answer>> {
        let mut answers = load_one::<AnswersLoader, _>(ctx, self.0.id)
            .await?
            .unwrap_or_default();
        if let Some(accepted) = self.0.accepted_answer_id {
            answers.sort_by_key(|answer| answer.id != accepted);
        }
        Ok(answers.into_iter().map(Answer).collect())
    }
    /// The answer the asker (or the secretariat) accepted.
    async fn accepted_answer(&self, ctx: &Context<'_>) -> Result<Option<Answer>> {
        let Some(accepted) = self.0.accepted_answer_id else {
            return Ok(None);
        };
        Ok(load_one::<AnswerLoader, _>(ctx, accepted)
            .await?
            .flatten()
            .map(Answer))
    }
    /// The question this one repeats, when closed as its duplicate.
    async fn duplicate_of(&self, ctx: &Context<'_>) -> Result<Option<Question>> {
        let Some(original) = self.0.duplicate_of_id else {
            return Ok(None);
        };
        Ok(load_one::<QuestionLoader, _>(ctx, original)
            .await?
            .flatten()
            .map(Question))
    }
    /// Members who marked it helpful.
    async fn helpful_count(&self) -> i32 {
        self.0.helpful_count
    }
    /// Whether the viewer marked it helpful (`markQuestionHelpful`).
    async fn marked_helpful(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(load_one::<MarkedHelpfulLoader, _>(ctx, self.0.id.0)
            .await?
            .unwrap_or(false))
    }
    /// When it was asked.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it was last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// When the latest visible answer came.
    async fn last_answer_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_answer_at
    }
    /// Whether the viewer may accept one of its answers (the asker and the
    /// secretariat).
    async fn viewer_can_accept(&self, ctx: &Context<'_>) -> Result<bool> {
        let identity = viewer(ctx)?.identity()?;
        Ok(self.0.author_id == Some(identity.member_id)
            || identity.roles.contains(Role::Secretariat))
    }
    /// How it was routed, for the asker and the secretariat (who was asked
    /// is never shown); null for others.
    async fn routing(&self, ctx: &Context<'_>) -> Result<Option<QuestionRouting>> {
        let identity = viewer(ctx)?.identity()?;
        if self.0.author_id != Some(identity.member_id)
            && !identity.roles.contains(Role::Secretariat)
        {
            return Ok(None);
        }
        let rounds = load_one::<RouteCountsLoader, _>(ctx, self.0.id)
            .await?
            .unwrap_or_default();
        Ok(Some(QuestionRouting {
            rounds_done: i32::from(self.0.routing_round),
            members_asked: rounds.iter().map(|(_, count)| *count).sum::<i64>() as i32,
            handed_to_secretariat_at: self.0.escalated_at,
        }))
    }
    /// Whether others see it: shown to its asker and moderators only.
    async fn moderation(&self, ctx: &Context<'_>) -> Result<Option<ModerationState>> {
        let viewer = viewer(ctx)?;
        let own = viewer.identity()?.member_id;
        Ok((self.0.author_id == Some(own) || moderates(viewer)).then_some(self.0.moderation))
    }
}

/// How a question was routed to willing members.
#[derive(SimpleObject)]
pub struct QuestionRouting {
    /// Rounds of routing done (0–2).
    pub rounds_done: i32,
    /// Members asked so far, all rounds together.
    pub members_asked: i32,
    /// When it was shown to the secretariat, still unanswered after both
    /// rounds.
    pub handed_to_secretariat_at: Option<DateTime<Utc>>,
}

/// An answer to a question.
pub struct Answer(pub AnswerRecord);

/// A member's answer to a question.
#[Object]
impl Answer {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }
    /// The question it answers.
    async fn question(&self, ctx: &Context<'_>) -> Result<Option<Question>> {
        Ok(load_one::<QuestionLoader, _>(ctx, self.0.question_id)
            .await?
            .flatten()
            .map(Question))
    }
    /// Who answered, as the viewer may see them; null once they left.
    async fn author(&self, ctx: &Context<'_>) -> Result<Option<Member>> {
        match self.0.author_id {
            Some(author) => Ok(find_member(ctx, author).await?),
            None => Ok(None),
        }
    }
    /// Whether its author has left the network ("withdrawn member").
    async fn author_withdrawn(&self) -> bool {
        self.0.author_id.is_none()
    }
    /// The answer, in Markdown.
    async fn body(&self) -> &str {
        &self.0.body
    }
    /// The answer rendered to sanitised HTML.
    async fn body_html(&self) -> &str {
        &self.0.body_html
    }
    /// Members who marked it helpful.
    async fn helpful_count(&self) -> i32 {
        self.0.helpful_count
    }
    /// Whether the viewer marked it helpful (`markAnswerHelpful`).
    async fn marked_helpful(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(load_one::<MarkedHelpfulLoader, _>(ctx, self.0.id.0)
            .await?
            .unwrap_or(false))
    }
    /// Whether the asker (or the secretariat) accepted it.
    async fn is_accepted(&self, ctx: &Context<'_>) -> Result<bool> {
        let question = load_one::<QuestionLoader, _>(ctx, self.0.question_id)
            .await?
            .flatten();
        Ok(question.is_some_and(|question| question.accepted_answer_id == Some(self.0.id)))
    }
    /// When it was written.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it was last edited.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// Whether others see it: shown to its author and moderators only.
    async fn moderation(&self, ctx: &Context<'_>) -> Result<Option<ModerationState>> {
        let viewer = viewer(ctx)?;
        let own = viewer.identity()?.member_id;
        Ok((self.0.author_id == Some(own) || moderates(viewer)).then_some(self.0.moderation))
    }
}

/// A member's availability for questions on one of their skills.
pub struct SkillAvailability(AvailabilityRecord, Option<TagRecord>);

/// Whether the viewer is open to questions on one of their skills.
#[Object]
impl SkillAvailability {
    /// The skill.
    async fn tag(&self) -> Option<Tag> {
        self.1.clone().map(Tag)
    }
    /// Open, limited or closed.
    async fn availability(&self) -> Availability {
        self.0.availability
    }
    /// For `LIMITED`: the most requests open at once.
    async fn max_open_requests(&self) -> Option<i32> {
        self.0.max_open_requests
    }
    /// When it was set.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// The viewer's availability for questions.
#[derive(SimpleObject)]
pub struct MyAvailability {
    /// Per skill; skills not listed are not routed to.
    pub skills: Vec<SkillAvailability>,
    /// Questions routed to the viewer in the last 30 days that nobody has
    /// answered yet (counts against `LIMITED` maximums).
    pub open_requests: i32,
}

/// Which questions to list.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Default)]
pub enum QuestionListKind {
    /// All, newest first.
    #[default]
    Newest,
    /// Without a visible answer and not closed as a duplicate, newest
    /// first.
    Unanswered,
    /// With an answer, latest answer first.
    RecentlyAnswered,
    /// Unanswered after both rounds of routing (the secretariat).
    HandedToSecretariat,
}

impl From<QuestionListKind> for QuestionList {
    fn from(kind: QuestionListKind) -> Self {
        match kind {
            QuestionListKind::Newest => QuestionList::Newest,
            QuestionListKind::Unanswered => QuestionList::Unanswered,
            QuestionListKind::RecentlyAnswered => QuestionList::RecentlyAnswered,
            QuestionListKind::HandedToSecretariat => QuestionList::Escalated,
        }
    }
}

/// A question as its asker writes it.
#[derive(InputObject)]
#[graphql(name = "QuestionInput")]
pub struct QuestionFields {
    /// The question in one line (5–200 characters).
    title: String,
    /// Details, in Markdown (up to 20,000 characters).
    #[graphql(default)]
    body: String,
    /// One to five tags (names or aliases, e.g. "k8s").
    tags: Vec<String>,
    /// Save despite the leak guard's warnings.
    #[graphql(default = false)]
    confirm_warnings: bool,
}

impl From<QuestionFields> for QuestionInput {
    fn from(fields: QuestionFields) -> Self {
        QuestionInput {
            title: fields.title,
            body: fields.body,
            tags: fields.tags,
            confirm_warnings: fields.confirm_warnings,
        }
    }
}

/// Whether the viewer is open to questions on one of their skills.
#[derive(InputObject)]
pub struct SkillAvailabilityInput {
    /// The skill (a tag of the viewer's profile; name or alias).
    tag: String,
    /// Open, limited or closed; null forgets the choice (not routed).
    availability: Option<Availability>,
    /// For `LIMITED`: the most requests open at once (1–20).
    max_open_requests: Option<i32>,
}

fn service<'a>(ctx: &Context<'a>) -> Result<&'a KnowledgeService, AppError> {
    data::<KnowledgeService>(ctx)
}

/// One question by id, as the viewer may see it (for `node(id:)`).
pub async fn load_question(ctx: &Context<'_>, id: QuestionId) -> Result<Question, AppError> {
    load_one::<QuestionLoader, _>(ctx, id)
        .await?
        .flatten()
        .map(Question)
        .ok_or(AppError::NotFound { entity: "Question" })
}

/// One answer by id, as the viewer may see it (for `node(id:)`).
pub async fn load_answer(ctx: &Context<'_>, id: AnswerId) -> Result<Answer, AppError> {
    load_one::<AnswerLoader, _>(ctx, id)
        .await?
        .flatten()
        .map(Answer)
        .ok_or(AppError::NotFound { entity: "Answer" })
}

/// Loads what a page of questions asks for, each association in one
/// batch, so a page costs the same whatever its size.
pub(crate) async fn prefetch_questions(
    ctx: &Context<'_>,
    questions: &[QuestionRecord],
) -> Result<(), AppError> {
    let ids: Vec<QuestionId> = questions.iter().map(|question| question.id).collect();
    let selected = |field: &str| selects_in_items(ctx, &[field]);
    let mut people: Vec<MemberId> = Vec::new();
    if selected("tags") {
        load_now::<QuestionTagsLoader, _>(ctx, ids.clone()).await?;
    }
    if selected("routing") {
        load_now::<RouteCountsLoader, _>(ctx, ids.clone()).await?;
    }
    if selected("duplicateOf") {
        let originals = questions
            .iter()
            .filter_map(|question| question.duplicate_of_id);
        load_now::<QuestionLoader, _>(ctx, originals).await?;
    }
    feed_many::<QuestionLoader, _>(
        ctx,
        questions
            .iter()
            .map(|question| (question.id, Some(question.clone()))),
    )
    .await?;
    if selected("answers") || selected("acceptedAnswer") {
        let answers: Vec<AnswerRecord> = load_now::<AnswersLoader, _>(ctx, ids.clone())
            .await?
            .into_values()
            .flatten()
            .collect();
        people.extend(answers.iter().filter_map(|answer| answer.author_id));
        feed_many::<AnswerLoader, _>(
            ctx,
            answers.into_iter().map(|answer| (answer.id, Some(answer))),
        )
        .await?;
    }
    if selected("markedHelpful") {
        load_now::<MarkedHelpfulLoader, _>(ctx, ids.iter().map(|id| id.0)).await?;
    }
    if selected("author") {
        people.extend(questions.iter().filter_map(|question| question.author_id));
    }
    if !people.is_empty() {
        prefetch_members(ctx, people).await?;
    }
    Ok(())
}

#[derive(Default)]
pub(super) struct QuestionsQuery;

#[Object]
impl QuestionsQuery {
    /// Questions, as a list: newest, unanswered, recently answered, or
    /// (the secretariat) handed over unanswered; optionally by tag (a name
    /// or alias) or asker. Any member.
    #[graphql(complexity = "connection_complexity(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn questions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which list.", default)] list: QuestionListKind,
        #[graphql(desc = "Only questions with this tag (name or alias).")] tag: Option<String>,
        #[graphql(desc = "Only questions by this member.")] author_id: Option<ID>,
        #[graphql(desc = "Page size, reading forward (default 20, at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Read on after this cursor.")] after: Option<String>,
        #[graphql(desc = "Page size, reading backward.")] last: Option<i32>,
        #[graphql(desc = "Read back before this cursor.")] before: Option<String>,
    ) -> Result<Connection<Question>> {
        let viewer = viewer(ctx)?.clone();
        let service = service(ctx)?.clone();
        let list = QuestionList::from(list);
        let author = author_id
            .map(|id| MemberId::from_global(&id, "authorId"))
            .transpose()?;
        let page = PageRequest::<QuestionKey>::new(first, after, last, before)?;
        let rows = service
            .questions(&viewer, list, tag.as_deref(), author, &page)
            .await?;
        prefetch_questions(ctx, &rows).await?;
        let total_count = TotalCount::lazy(async move {
            service
                .count_questions(&viewer, list, tag.as_deref(), author)
                .await
                .map(alumni_core::pagination::ListSize::from_capped_count)
        });
        Ok(page.into_connection(
            rows,
            |question| question_key(question, list),
            Question,
            total_count,
        ))
    }

    /// One question, if the viewer may see it.
    async fn question(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the question.")] id: ID,
    ) -> Result<Option<Question>> {
        match load_question(ctx, QuestionId::from_global(&id, "id")?).await {
            Ok(question) => Ok(Some(question)),
            Err(AppError::NotFound { .. }) => Ok(None),
            Err(other) => Err(other.into()),
        }
    }

    /// The viewer's availability for questions, per skill.
    async fn my_skill_availability(&self, ctx: &Context<'_>) -> Result<MyAvailability> {
        let service = service(ctx)?;
        let (records, open) = service.my_availability(viewer(ctx)?).await?;
        let tags = service
            .tags_by_ids(records.iter().map(|record| record.tag_id).collect())
            .await?;
        Ok(MyAvailability {
            skills: records
                .into_iter()
                .map(|record| {
                    let tag = tags.get(&record.tag_id).cloned();
                    SkillAvailability(record, tag)
                })
                .collect(),
            open_requests: i32::try_from(open).unwrap_or(i32::MAX),
        })
    }
}

#[derive(Default)]
pub(super) struct QuestionsMutation;

#[Object]
impl QuestionsMutation {
    /// Asks the community a question. Its texts pass the leak guard; a
    /// few members open to questions on its tags are then asked on the
    /// job queue, more if nobody answers in time.
    async fn ask_question(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The question.")] input: QuestionFields,
    ) -> Result<Question> {
        let question = service(ctx)?
            .ask_question(viewer(ctx)?, input.into())
            .await?;
        Ok(Question(question))
    }

    /// Rewrites the viewer's question.
    async fn edit_question(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The question.")] id: ID,
        #[graphql(desc = "The question.")] input: QuestionFields,
    ) -> Result<Question> {
        let question = service(ctx)?
            .edit_question(
                viewer(ctx)?,
                QuestionId::from_global(&id, "id")?,
                input.into(),
            )
            .await?;
        Ok(Question(question))
    }

    /// Answers a question (alumni and employees alike). The answer passes
    /// the leak guard; the asker is told.
    async fn answer_question(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The question.")] question_id: ID,
        #[graphql(desc = "The answer, in Markdown (up to 20,000 characters).")] body: String,
        #[graphql(desc = "Save despite the leak guard's warnings.", default = false)]
        confirm_warnings: bool,
    ) -> Result<Answer> {
        let answer = service(ctx)?
            .answer_question(
                viewer(ctx)?,
                QuestionId::from_global(&question_id, "questionId")?,
                &body,
                confirm_warnings,
            )
            .await?;
        Ok(Answer(answer))
    }

    /// Rewrites the viewer's answer.
    async fn edit_answer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The answer.")] id: ID,
        #[graphql(desc = "The answer, in Markdown.")] body: String,
        #[graphql(desc = "Save despite the leak guard's warnings.", default = false)]
        confirm_warnings: bool,
    ) -> Result<Answer> {
        let answer = service(ctx)?
            .edit_answer(
                viewer(ctx)?,
                AnswerId::from_global(&id, "id")?,
                &body,
                confirm_warnings,
            )
            .await?;
        Ok(Answer(answer))
    }

    /// Accepts an answer (the asker, or the secretariat); replaces an
    /// earlier acceptance. Its author is told.
    async fn accept_answer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The answer.")] answer_id: ID,
    ) -> Result<Question> {
        let question = service(ctx)?
            .accept_answer(viewer(ctx)?, AnswerId::from_global(&answer_id, "answerId")?)
            .await?;
        Ok(Question(question))
    }

    /// Marks a question helpful (once; again changes nothing); `CONFLICT`
    /// reason `OWN_CONTENT` for one's own. `helpful: false` takes the mark
    /// back.
    async fn mark_question_helpful(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The question.")] id: ID,
        #[graphql(desc = "False to take the mark back.", default = true)] helpful: bool,
    ) -> Result<Question> {
        let question = service(ctx)?
            .set_question_helpful(viewer(ctx)?, QuestionId::from_global(&id, "id")?, helpful)
            .await?;
        Ok(Question(question))
    }

    /// Marks an answer helpful (once); `CONFLICT` reason `OWN_CONTENT` for
    /// one's own. Helpful answers count as evidence in `experts`.
    /// `helpful: false` takes the mark back.
    async fn mark_answer_helpful(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The answer.")] id: ID,
        #[graphql(desc = "False to take the mark back.", default = true)] helpful: bool,
    ) -> Result<Answer> {
        let answer = service(ctx)?
            .set_answer_helpful(viewer(ctx)?, AnswerId::from_global(&id, "id")?, helpful)
            .await?;
        Ok(Answer(answer))
    }

    /// Withdraws the acceptance of a question's answer.
    async fn unaccept_answer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The question.")] question_id: ID,
    ) -> Result<Question> {
        let question = service(ctx)?
            .unaccept_answer(
                viewer(ctx)?,
                QuestionId::from_global(&question_id, "questionId")?,
            )
            .await?;
        Ok(Question(question))
    }

    /// Closes a question as a duplicate of another (the asker, the
    /// secretariat or a moderator): new answers go to the original.
    async fn close_question_as_duplicate(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The question to close.")] id: ID,
        #[graphql(desc = "The question it repeats.")] original_id: ID,
    ) -> Result<Question> {
        let question = service(ctx)?
            .close_as_duplicate(
                viewer(ctx)?,
                QuestionId::from_global(&id, "id")?,
                QuestionId::from_global(&original_id, "originalId")?,
            )
            .await?;
        Ok(Question(question))
    }

    /// Reopens a question closed as a duplicate.
    async fn reopen_question(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The question.")] id: ID,
    ) -> Result<Question> {
        let question = service(ctx)?
            .reopen_question(viewer(ctx)?, QuestionId::from_global(&id, "id")?)
            .await?;
        Ok(Question(question))
    }

    /// Says whether the viewer is open to questions on one of their
    /// profile's skills; returns the choice (null once forgotten).
    async fn set_skill_availability(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The skill and the choice.")] input: SkillAvailabilityInput,
    ) -> Result<Option<SkillAvailability>> {
        let service = service(ctx)?;
        let record = service
            .set_availability(
                viewer(ctx)?,
                AvailabilityInput {
                    tag: input.tag,
                    availability: input.availability,
                    max_open_requests: input.max_open_requests,
                },
            )
            .await?;
        let Some(record) = record else {
            return Ok(None);
        };
        let tags = service.tags_by_ids(vec![record.tag_id]).await?;
        let tag = tags.get(&record.tag_id).cloned();
        Ok(Some(SkillAvailability(record, tag)))
    }
}

viewer_loader!(
    /// Questions the viewer may see (`None`: absent).
    QuestionLoader: QuestionId => Option<QuestionRecord>,
    |service, viewer, ids| {
        let found = service.questions_by_ids(viewer, ids).await?;
        Ok(with_misses(ids, found, |question| question.id))
    }
);

viewer_loader!(
    /// Answers the viewer may see (`None`: absent).
    AnswerLoader: AnswerId => Option<AnswerRecord>,
    |service, viewer, ids| {
        let found = service.answers_by_ids(viewer, ids).await?;
        Ok(with_misses(ids, found, |answer| answer.id))
    }
);

viewer_loader!(
    /// The answers of each question the viewer may see, oldest first.
    AnswersLoader: QuestionId => Vec<AnswerRecord>,
    |service, viewer, ids| {
        let mut by_question: HashMap<QuestionId, Vec<AnswerRecord>> =
            ids.iter().map(|id| (*id, Vec::new())).collect();
        for answer in service.answers_of(viewer, ids).await? {
            by_question.entry(answer.question_id).or_default().push(answer);
        }
        Ok(by_question)
    }
);

viewer_loader!(
    /// The tags of each question.
    QuestionTagsLoader: QuestionId => Vec<TagRecord>,
    |service, viewer, ids| {
        let mut tags = service.question_tags(viewer, ids).await?;
        Ok(ids.iter().map(|id| (*id, tags.remove(id).unwrap_or_default())).collect())
    }
);

viewer_loader!(
    /// Members asked about each question, per round.
    RouteCountsLoader: QuestionId => Vec<(i16, i64)>,
    |service, viewer, ids| {
        let mut by_question: HashMap<QuestionId, Vec<(i16, i64)>> =
            ids.iter().map(|id| (*id, Vec::new())).collect();
        for (question, round, count) in service.route_counts(viewer, ids).await? {
            by_question.entry(question).or_default().push((round, count));
        }
        Ok(by_question)
    }
);

/// Adds the request's loaders of questions and answers.
pub(super) fn attach_question_loaders(
    data: &mut async_graphql::Data,
    service: &KnowledgeService,
    viewer: &Viewer,
    caching: bool,
) {
    attach_viewer_loaders!(data, service, viewer, caching; QuestionLoader, AnswerLoader, AnswersLoader, QuestionTagsLoader, RouteCountsLoader);
}
