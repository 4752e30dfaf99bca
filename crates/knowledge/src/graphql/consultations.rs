//! Consultations in GraphQL: experts' settings, requests and answers, and
//! the contact details an acceptance reveals.

use alumni_core::graphql::{data, load_now, load_one, selects_in_items, viewer, with_misses};
use alumni_core::moderation::{ModerationState, moderates};
use alumni_core::pagination::{Connection, PageRequest, TotalCount, connection_complexity};
use alumni_core::{AppError, MemberId, NodeId, Viewer};
use alumni_membership::Member;
use alumni_membership::graphql::{Tag, find_member, prefetch_members};
use alumni_membership::model::{ProfileLink, TagRecord};
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

use crate::KnowledgeService;
use crate::model::{ConsultationId, ConsultationRecord, ConsultationState, ExpertSettingsRecord};
use crate::service::{
    ConsultationAnswer, ConsultationAvailability, ConsultationContact, ConsultationRequest,
    ConsultationRole, ExpertSettingsInput,
};

viewer_loader!(
    /// Consultation requests the viewer may see; others are `None`.
    ConsultationLoader: ConsultationId => Option<ConsultationRecord>,
    |service, viewer, ids| {
        let found = service.consultations_by_ids(viewer, ids).await?;
        Ok(with_misses(ids, found, |consultation| consultation.id))
    }
);

viewer_loader!(
    /// Tags of each request.
    ConsultationTagsLoader: ConsultationId => Vec<TagRecord>,
    |service, viewer, ids| {
        let mut tags = service.consultation_tags(viewer, ids).await?;
        Ok(ids.iter().map(|id| (*id, tags.remove(id).unwrap_or_default())).collect())
    }
);

viewer_loader!(
    /// How the viewer may reach the expert of each request (`None` unless
    /// it was accepted and the viewer is one of its two members).
    ContactLoader: ConsultationId => Option<ConsultationContact>,
    |service, viewer, ids| {
        let contacts = service.consultation_contacts(viewer, ids).await?;
        Ok(ids.iter().map(|id| (*id, contacts.get(id).cloned())).collect())
    }
);

/// Adds the request's loaders of consultations.
pub(super) fn attach_loaders(
    data: &mut async_graphql::Data,
    service: &KnowledgeService,
    viewer: &Viewer,
    caching: bool,
) {
    attach_viewer_loaders!(data, service, viewer, caching; ConsultationLoader, ConsultationTagsLoader, ContactLoader);
}

/// Loads one consultation request as the viewer may see it (for
/// `node(id:)`): its requester, its expert once it reached them, and
/// moderators.
pub async fn load_consultation(
    ctx: &Context<'_>,
    id: ConsultationId,
) -> Result<Consultation, AppError> {
    load_one::<ConsultationLoader, _>(ctx, id)
        .await?
        .flatten()
        .map(Consultation)
        .ok_or(AppError::NotFound {
            entity: "Consultation",
        })
}

/// A member's request to another for a consultation.
pub struct Consultation(pub ConsultationRecord);

/// A member's request to another (the expert) for a consultation. Seen by
/// its requester, by its expert once it reached them (not while the leak
/// guard holds it), and by moderators.
#[Object]
impl Consultation {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }
    /// What it is about, in one line.
    async fn topic(&self) -> &str {
        &self.0.topic
    }
    /// The request.
    async fn message(&self) -> &str {
        &self.0.message
    }
    /// Tags from the shared vocabulary.
    async fn tags(&self, ctx: &Context<'_>) -> Result<Vec<Tag>> {
        let tags = load_one::<ConsultationTagsLoader, _>(ctx, self.0.id)
            .await?
            .unwrap_or_default();
        Ok(tags.into_iter().map(Tag).collect())
    }
    /// Pending, accepted, declined, expired or withdrawn.
    async fn state(&self) -> ConsultationState {
        self.0.state
    }
    /// Which side of it the viewer is on (`null` for a moderator who is
    /// neither).
    async fn viewer_role(&self, ctx: &Context<'_>) -> Result<Option<ConsultationRole>> {
        let viewer = viewer(ctx)?;
        Ok(if viewer.is_member(self.0.requester_id) {
            Some(ConsultationRole::Requester)
        } else if viewer.is_member(self.0.expert_id) {
            Some(ConsultationRole::Expert)
        } else {
            None
        })
    }
    /// Who asked, as the viewer may see them.
    async fn requester(&self, ctx: &Context<'_>) -> Result<Option<Member>> {
        Ok(find_member(ctx, self.0.requester_id).await?)
    }
    /// Who was asked, as the viewer may see them.
    async fn expert(&self, ctx: &Context<'_>) -> Result<Option<Member>> {
        Ok(find_member(ctx, self.0.expert_id).await?)
    }
    /// The expert's note on accepting or declining.
    async fn reply(&self) -> Option<&str> {
        self.0.reply.as_deref()
    }
    /// Whether the expert, on accepting, chose to share their e-mail
    /// address.
    async fn share_email(&self) -> bool {
        self.0.share_email
    }
    /// How to reach the expert: only once they accepted, and only for the
    /// requester (and the expert, who sees what they shared); `null` for
    /// anyone else on every path. The address only if the expert chose to
    /// share it; their profile's links when they show them to members
    /// (`MEMBERS`) and moderation does not withhold them.
    async fn contact(&self, ctx: &Context<'_>) -> Result<Option<ConsultationContactView>> {
        Ok(load_one::<ContactLoader, _>(ctx, self.0.id)
            .await?
            .flatten()
            .map(ConsultationContactView::from))
    }
    /// Whether the expert sees it (`HELD` by the leak guard until a
    /// moderator releases it): for its requester and moderators.
    async fn moderation(&self, ctx: &Context<'_>) -> Result<Option<ModerationState>> {
        let viewer = viewer(ctx)?;
        Ok((viewer.is_member(self.0.requester_id) || moderates(viewer))
            .then_some(self.0.moderation))
    }
    /// Sent.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it expires unless the expert answers first.
    async fn expires_at(&self) -> DateTime<Utc> {
        self.0.expires_at
    }
    /// When the expert answered.
    async fn responded_at(&self) -> Option<DateTime<Utc>> {
        self.0.responded_at
    }
}

/// How to reach an expert who accepted a consultation.
#[derive(SimpleObject)]
#[graphql(name = "ConsultationContact")]
pub struct ConsultationContactView {
    /// Their e-mail address, if they chose to share it.
    email: Option<String>,
    /// The links of their profile (empty unless they show them to members).
    links: Vec<ProfileLink>,
}

impl From<ConsultationContact> for ConsultationContactView {
    fn from(contact: ConsultationContact) -> Self {
        Self {
            email: contact.email,
            links: contact.links,
        }
    }
}

/// The viewer's settings as an expert for consultations.
pub struct ExpertSettings(ExpertSettingsRecord);

/// Whether the viewer takes consultation requests, and how many may wait
/// for them at once.
#[Object]
impl ExpertSettings {
    /// Whether members may ask the viewer for a consultation.
    async fn accepts_consultations(&self) -> bool {
        self.0.accepts_consultations
    }
    /// The most requests that may wait for an answer at once (1–20);
    /// further requests are refused until one is answered.
    async fn max_pending(&self) -> i32 {
        self.0.max_pending
    }
}

/// A change of the viewer's settings as an expert; absent fields stay.
#[derive(InputObject)]
#[graphql(name = "ExpertSettingsInput")]
pub struct ExpertSettingsChange {
    /// Whether members may ask for a consultation.
    accepts_consultations: Option<bool>,
    /// The most requests waiting at once (1–20).
    max_pending: Option<i32>,
}

/// A consultation request as the requester writes it.
#[derive(InputObject)]
#[graphql(name = "ConsultationRequestInput")]
pub struct ConsultationRequestContent {
    /// The member asked (an active member other than the viewer).
    expert_id: ID,
    /// What it is about, in one line (1–200 characters).
    topic: String,
    /// The request (1–4,000 characters).
    message: String,
    /// Tags by name (at most five; new names join the shared vocabulary).
    #[graphql(default)]
    tags: Vec<String>,
}

/// Which of the viewer's consultation requests to list.
#[derive(InputObject)]
pub struct ConsultationFilter {
    /// Those the viewer sent (`REQUESTER`) or received (`EXPERT`).
    role: ConsultationRole,
    /// Only those in this state.
    state: Option<ConsultationState>,
}

/// Loads what a page of requests shows, one batch per association.
async fn prefetch_consultations(
    ctx: &Context<'_>,
    rows: &[ConsultationRecord],
) -> Result<(), AppError> {
    let ids: Vec<ConsultationId> = rows.iter().map(|row| row.id).collect();
    if selects_in_items(ctx, &["tags"]) {
        load_now::<ConsultationTagsLoader, _>(ctx, ids.clone()).await?;
    }
    if selects_in_items(ctx, &["contact"]) {
        load_now::<ContactLoader, _>(ctx, ids).await?;
    }
    let mut people: Vec<MemberId> = Vec::new();
    if selects_in_items(ctx, &["requester"]) {
        people.extend(rows.iter().map(|row| row.requester_id));
    }
    if selects_in_items(ctx, &["expert"]) {
        people.extend(rows.iter().map(|row| row.expert_id));
    }
    if !people.is_empty() {
        prefetch_members(ctx, people).await?;
    }
    Ok(())
}

fn service<'a>(ctx: &Context<'a>) -> Result<&'a KnowledgeService, AppError> {
    data::<KnowledgeService>(ctx)
}

#[derive(Default)]
pub(super) struct ConsultationQuery;

#[Object]
impl ConsultationQuery {
    /// The viewer's settings as an expert (accepting, up to three waiting,
    /// until they change them).
    async fn my_expert_settings(&self, ctx: &Context<'_>) -> Result<ExpertSettings> {
        Ok(ExpertSettings(
            service(ctx)?.my_expert_settings(viewer(ctx)?).await?,
        ))
    }

    /// Whether a member can be asked for a consultation now.
    async fn consultation_availability(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the member.")] expert_id: ID,
    ) -> Result<ConsultationAvailability> {
        let expert = MemberId::from_global(&expert_id, "expertId")?;
        Ok(service(ctx)?
            .consultation_availability(viewer(ctx)?, expert)
            .await?)
    }

    /// The consultation requests the viewer sent or received, newest
    /// first. Received requests leave out what the leak guard holds or
    /// moderators took back.
    #[graphql(complexity = "connection_complexity(first, last, child_complexity)")]
    async fn my_consultations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Sent or received, and in which state.")] filter: ConsultationFilter,
        #[graphql(desc = "Page size, reading forward (default 20, at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Read on after this cursor.")] after: Option<String>,
        #[graphql(desc = "Page size, reading backward.")] last: Option<i32>,
        #[graphql(desc = "Read back before this cursor.")] before: Option<String>,
    ) -> Result<Connection<Consultation>> {
        let ConsultationFilter { role, state } = filter;
        let viewer = viewer(ctx)?.clone();
        let service = service(ctx)?.clone();
        let page = PageRequest::<uuid::Uuid>::new(first, after, last, before)?;
        let rows = service
            .my_consultations(&viewer, role, state, &page)
            .await?;
        prefetch_consultations(ctx, &rows).await?;
        let total_count =
            TotalCount::lazy(
                async move { service.my_consultation_count(&viewer, role, state).await },
            );
        Ok(page.into_connection(
            rows,
            |row: &ConsultationRecord| row.id.0,
            Consultation,
            total_count,
        ))
    }
}

#[derive(Default)]
pub(super) struct ConsultationMutation;

#[Object]
impl ConsultationMutation {
    /// Changes whether the viewer takes consultation requests and how many
    /// may wait at once; requests already waiting stay.
    async fn update_expert_settings(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change.")] input: ExpertSettingsChange,
    ) -> Result<ExpertSettings> {
        let settings = service(ctx)?
            .update_expert_settings(
                viewer(ctx)?,
                ExpertSettingsInput {
                    accepts_consultations: input.accepts_consultations,
                    max_pending: input.max_pending,
                },
            )
            .await?;
        Ok(ExpertSettings(settings))
    }

    /// Asks another member for a consultation; they have seven days to
    /// answer. Topic and message pass the leak guard (`CONTENT_BLOCKED`,
    /// `WARNINGS_NOT_CONFIRMED`; a held request reaches the expert once a
    /// moderator releases it). `CONFLICT` with reason `NOT_ACCEPTING`,
    /// `EXPERT_AT_CAPACITY`, `ALREADY_PENDING` or `TOO_MANY_PENDING` (five
    /// of the viewer's requests waiting).
    async fn request_consultation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The request.")] input: ConsultationRequestContent,
        #[graphql(
            desc = "Send although the leak guard warned (recorded).",
            default = false
        )]
        confirm_warnings: bool,
    ) -> Result<Consultation> {
        let request = ConsultationRequest {
            expert: MemberId::from_global(&input.expert_id, "input.expertId")?,
            topic: input.topic,
            message: input.message,
            tags: input.tags,
            confirm_warnings,
        };
        Ok(Consultation(
            service(ctx)?
                .request_consultation(viewer(ctx)?, request)
                .await?,
        ))
    }

    /// Accepts a waiting request (its expert only). The requester then
    /// sees the expert's e-mail address if `shareEmail`, and their
    /// profile's links unless those are private. `CONFLICT` reason
    /// `NOT_PENDING` or `EXPIRED`; a reply the leak guard would hold is
    /// refused (`NEEDS_REVIEW`).
    async fn accept_consultation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the request.")] id: ID,
        #[graphql(desc = "Whether the requester sees your e-mail address.")] share_email: bool,
        #[graphql(desc = "A note to the requester (at most 2,000 characters).")] reply: Option<
            String,
        >,
        #[graphql(
            desc = "Send although the leak guard warned (recorded).",
            default = false
        )]
        confirm_warnings: bool,
    ) -> Result<Consultation> {
        let id = ConsultationId::from_global(&id, "id")?;
        let answer = ConsultationAnswer {
            accept: true,
            share_email,
            reply,
            confirm_warnings,
        };
        Ok(Consultation(
            service(ctx)?
                .answer_consultation(viewer(ctx)?, id, answer)
                .await?,
        ))
    }

    /// Declines a waiting request (its expert only); nothing about the
    /// expert is revealed. Same refusals as `acceptConsultation`.
    async fn decline_consultation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the request.")] id: ID,
        #[graphql(desc = "A note to the requester (at most 2,000 characters).")] reply: Option<
            String,
        >,
        #[graphql(
            desc = "Send although the leak guard warned (recorded).",
            default = false
        )]
        confirm_warnings: bool,
    ) -> Result<Consultation> {
        let id = ConsultationId::from_global(&id, "id")?;
        let answer = ConsultationAnswer {
            accept: false,
            share_email: false,
            reply,
            confirm_warnings,
        };
        Ok(Consultation(
            service(ctx)?
                .answer_consultation(viewer(ctx)?, id, answer)
                .await?,
        ))
    }

    /// Takes back the viewer's own waiting request. `CONFLICT` reason
    /// `NOT_PENDING` once answered.
    async fn withdraw_consultation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the request.")] id: ID,
    ) -> Result<Consultation> {
        let id = ConsultationId::from_global(&id, "id")?;
        Ok(Consultation(
            service(ctx)?
                .withdraw_consultation(viewer(ctx)?, id)
                .await?,
        ))
    }
}
