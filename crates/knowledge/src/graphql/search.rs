//! Search, similar questions and "who knows X".

use alumni_core::AppError;
use alumni_core::graphql::{data, viewer};
use alumni_core::pagination::ListSize;
use alumni_core::pagination::{Connection, PageRequest, TotalCount, connection_complexity};
use alumni_membership::Member;
use alumni_membership::graphql::{find_member, prefetch_members};
use async_graphql::{Context, Object, Result, Union};
use uuid::Uuid;

use super::articles::{Article, load_article};
use super::board::{BoardPost, load_board_post};
use super::questions::{Answer, Question, load_answer, load_question, prefetch_questions};
use crate::KnowledgeService;
use crate::model::{AnswerId, ArticleId, Availability, BoardPostId, DocumentKind, QuestionId};
use crate::service::{Expert, Hit, MAX_SIMILAR};

/// Something written in the knowledge community.
#[derive(Union)]
pub enum KnowledgeItem {
    /// An article.
    Article(Article),
    /// A question.
    Question(Question),
    /// A post on the collaboration board.
    BoardPost(BoardPost),
    /// An answer.
    Answer(Answer),
}

/// A search hit.
pub struct SearchHit(Hit);

/// A search hit: what was found, and how well it matched.
#[Object]
impl SearchHit {
    /// What it is.
    async fn kind(&self) -> DocumentKind {
        self.0.kind
    }
    /// How well it matched: two points per word in its title, one per
    /// word naming one of its tags.
    async fn rank(&self) -> i32 {
        self.0.rank
    }
    /// The article, question, answer or board post; null if it is no
    /// longer visible to the viewer.
    async fn item(&self, ctx: &Context<'_>) -> Result<Option<KnowledgeItem>> {
        let id = self.0.subject_id;
        let found = match self.0.kind {
            DocumentKind::Question => load_question(ctx, QuestionId(id))
                .await
                .map(KnowledgeItem::Question),
            DocumentKind::Answer => load_answer(ctx, AnswerId(id))
                .await
                .map(KnowledgeItem::Answer),
            DocumentKind::Article => load_article(ctx, ArticleId(id))
                .await
                .map(KnowledgeItem::Article),
            DocumentKind::BoardPost => load_board_post(ctx, BoardPostId(id))
                .await
                .map(KnowledgeItem::BoardPost),
        };
        match found {
            Ok(item) => Ok(Some(item)),
            Err(AppError::NotFound { .. }) => Ok(None),
            Err(other) => Err(other.into()),
        }
    }
}

/// A member who knows about a tag.
pub struct ExpertEntry(Expert);

/// A member who knows about a tag, with the evidence the viewer may see.
#[Object]
impl ExpertEntry {
    /// The member.
    async fn member(&self, ctx: &Context<'_>) -> Result<Option<Member>> {
        Ok(find_member(ctx, self.0.member()).await?)
    }
    /// The weighted evidence: 3 for the declared skill, 4 per accepted
    /// answer, 2 per other helpful answer, 2 per article.
    async fn score(&self) -> i32 {
        self.0.evidence.score
    }
    /// Whether the tag is among the member's skills (as the viewer may
    /// see them).
    async fn declared_skill(&self) -> bool {
        self.0.evidence.declared
    }
    /// Their accepted answers to questions with the tag.
    async fn accepted_answers(&self) -> i64 {
        self.0.evidence.accepted_answers
    }
    /// Their other answers marked helpful, to questions with the tag.
    async fn helpful_answers(&self) -> i64 {
        self.0.evidence.helpful_answers
    }
    /// Their published articles with the tag the viewer may read.
    async fn articles(&self) -> i64 {
        self.0.evidence.articles
    }
    /// Whether they take questions on the tag: open, limited or closed;
    /// null when they said nothing (or their skills are hidden from the
    /// viewer).
    async fn availability(&self) -> Option<Availability> {
        self.0.availability_kind()
    }
    /// Whether routing would ask them about a question on the tag now.
    async fn accepting_questions(&self) -> bool {
        self.0.accepting_questions
    }
}

fn service<'a>(ctx: &Context<'a>) -> Result<&'a KnowledgeService, AppError> {
    data::<KnowledgeService>(ctx)
}

#[derive(Default)]
pub(super) struct SearchQuery;

#[Object]
impl SearchQuery {
    /// Searches articles, questions, answers and board posts the viewer
    /// may read: Japanese-aware (two-character words such as 運用 work,
    /// "Kubernetes運用" is read as two words), every word must occur, and a
    /// word naming a tag or an alias also finds what carries the tag
    /// ("k8s"). Best first: words in titles, then newest.
    #[graphql(complexity = "connection_complexity(first, None, child_complexity)")]
    async fn search_knowledge(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Up to five words.")] query: String,
        #[graphql(desc = "Only these kinds (all when absent).")] kinds: Option<Vec<DocumentKind>>,
        #[graphql(desc = "Page size (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Read on after this cursor.")] after: Option<String>,
    ) -> Result<Connection<SearchHit>> {
        let page = PageRequest::<(i32, Uuid)>::new(first, after, None, None)?;
        let service = service(ctx)?.clone();
        let viewer = viewer(ctx)?.clone();
        let kinds = kinds.unwrap_or_default();
        let hits = service
            .search(&viewer, &query, kinds.clone(), &page)
            .await?;
        let total_count = TotalCount::lazy(async move {
            service
                .count_search(&viewer, &query, kinds)
                .await
                .map(ListSize::from_capped_count)
        });
        Ok(page.into_connection(
            hits,
            |hit| (hit.rank, hit.subject_id),
            SearchHit,
            total_count,
        ))
    }

    /// Questions like a title being written, most alike first, so the
    /// asker can find an answer before asking again.
    async fn similar_questions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The title as written so far.")] title: String,
        #[graphql(desc = "How many (at most 10).", default = 5)] first: i32,
    ) -> Result<Vec<Question>> {
        let questions = service(ctx)?
            .similar_questions(
                viewer(ctx)?,
                &title,
                i64::from(first.clamp(1, MAX_SIMILAR as i32)),
            )
            .await?;
        prefetch_questions(ctx, &questions).await?;
        Ok(questions.into_iter().map(Question).collect())
    }

    /// Who knows about a tag (a name or alias): members ranked by the
    /// evidence the viewer may see, with whether they take questions now.
    /// Members who left the directory are not listed.
    #[graphql(complexity = "connection_complexity(first, None, child_complexity)")]
    async fn experts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The tag.")] tag: String,
        #[graphql(desc = "Page size (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Read on after this cursor.")] after: Option<String>,
    ) -> Result<Connection<ExpertEntry>> {
        let page = PageRequest::<(i32, Uuid)>::new(first, after, None, None)?;
        let service = service(ctx)?.clone();
        let viewer = viewer(ctx)?.clone();
        let experts = service.experts(&viewer, &tag, &page).await?;
        prefetch_members(ctx, experts.iter().map(Expert::member)).await?;
        let total_count = TotalCount::lazy(async move {
            service
                .count_experts(&viewer, &tag)
                .await
                .map(ListSize::from_capped_count)
        });
        Ok(page.into_connection(experts, Expert::key, ExpertEntry, total_count))
    }
}
