//! Every domain of the network, registered in this one file.
//!
//! Adding a domain (see "Adding a domain" in docs/architecture.md) means
//! adding it to each list below: its services to [`Services`], its kinds
//! of notification and digest sections to [`Services::new`], its
//! [`Domain`] to [`Services::domains`], its object types with ids to
//! [`Node`] and [`NODE_TYPES`], and its GraphQL roots to the merged roots.
//! Everything across domains (request data, data export, withdrawal, "sign
//! out everywhere", demo data, file routes) then runs over the list, and the
//! gateway's tests fail when a node type does not round-trip through
//! `node(id:)` or a schema holding member data belongs to no domain.

use std::sync::Arc;

use alumni_analytics::AnalyticsService;
use alumni_analytics::domain::AnalyticsDomain;
use alumni_analytics::graphql::AnalyticsQuery;
use alumni_content::ContentService;
use alumni_content::domain::ContentDomain;
use alumni_content::graphql::{
    Comment, ContentMutation, ContentQuery, IssueMutation, IssueQuery, NewsletterIssue, Post,
    PostCategory, load_category, load_comment, load_issue, load_post,
};
use alumni_content::model::{CategoryId, CommentId, IssueId, PostId};
use alumni_core::audit::AuditEventId;
use alumni_core::domain::{BoxFuture, Domain};
use alumni_core::jobs::{self, JobId, JobRegistry};
use alumni_core::{AppError, MemberId, NodeId, ServiceContext, Viewer};
use alumni_events::domain::EventsDomain;
use alumni_events::graphql::{
    Event, Material, Registration, load_event, load_material, load_registration,
};
use alumni_events::model::{MaterialId, RegistrationId};
use alumni_events::{
    EventId, EventsMutation, EventsQuery, EventsService, EventsSubscription, EventsViewer,
};
use alumni_feedback::FeedbackService;
use alumni_feedback::domain::FeedbackDomain;
use alumni_feedback::graphql::{
    FeedbackItem, FeedbackMutation, FeedbackQuery, FeedbackTheme, Proposal, ProposalUpdate, Survey,
    SurveyQuestion, load_feedback_item, load_feedback_theme, load_proposal, load_proposal_update,
    load_survey, load_survey_question,
};
use alumni_feedback::model::{
    FeedbackItemId, ProposalId, ProposalUpdateId, SurveyId, SurveyQuestionId, ThemeId,
};
use alumni_knowledge::KnowledgeService;
use alumni_knowledge::domain::KnowledgeDomain;
use alumni_knowledge::graphql::{
    Answer, Article, ArticleComment, BoardPost, Consultation, KnowledgeMutation, KnowledgeQuery,
    Question, load_answer, load_article, load_article_comment, load_board_post, load_consultation,
    load_question,
};
use alumni_knowledge::model::{
    AnswerId, ArticleCommentId, ArticleId, BoardPostId, ConsultationId, QuestionId,
};
use alumni_membership::domain::MembershipDomain;
use alumni_membership::graphql::{
    Application, AuditEventEntry, Company, Invitation, RosterEntry, Tag, TermsVersion,
    load_application, load_audit_event, load_company, load_invitation, load_member,
    load_roster_entry, load_tag, load_terms_version, prefetch_members,
};
use alumni_membership::model::{
    ApplicationId, CompanyId, InvitationId, RosterEntryId, TagId, TermsVersionId,
};
use alumni_membership::{
    AccountSettings, Member, MembershipMutation, MembershipQuery, MembershipService,
    MembershipViewer,
};
use alumni_notify::digest::DigestSources;
use alumni_notify::domain::NotifyDomain;
use alumni_notify::graphql::NotifyMutation;
use alumni_notify::mail::MailSettings;
use alumni_notify::{NOTIFICATIONS_CHANNEL, NoticeKinds, NotificationId, NotifyService};
use alumni_trust::domain::TrustDomain;
use alumni_trust::graphql::{ModerationRule, load_rule};
use alumni_trust::model::{CaseId, RuleId};
use alumni_trust::{TrustMutation, TrustQuery, TrustService};
use async_graphql::{Context, ID, Interface, MergedObject, MergedSubscription};
use uuid::Uuid;

use crate::api::{DataRightsMutation, GatewayQuery, SignOutMutation, TagCurationMutation};
use crate::jobs::{Job, JobsMutation, JobsQuery, load_job};
use crate::moderation::{ModerationCase, ModerationMutation, ModerationQuery, load_case};
use crate::notifications::{
    Notification, NotificationsSubscription, NotificationsViewer, load_notification,
};

/// Every channel the database announces changes on (see
/// [`alumni_core::live`]).
pub const LIVE_CHANNELS: &[&str] = &[
    jobs::WAKE_CHANNEL,
    alumni_events::live::SEATS_CHANNEL,
    NOTIFICATIONS_CHANNEL,
];

/// Every domain's services, built in dependency order. One per process,
/// cheap to clone; the command line and the tests reach services here.
#[derive(Clone)]
pub struct Services {
    /// Membership: accounts, sessions, members.
    pub membership: MembershipService,
    /// Notifications: in the app, by mail, live.
    pub notify: NotifyService,
    /// Events: events, registrations, check-in, calendars.
    pub events: EventsService,
    /// The magazine: posts, reading, reactions, comments.
    pub content: ContentService,
    /// The tech community: articles, questions and answers, experts,
    /// consultations, the collaboration board.
    pub knowledge: KnowledgeService,
    /// Feedback: items named or anonymous, triage, proposals, surveys.
    pub feedback: FeedbackService,
    /// Trust and safety: the leak guard, reports, the review queue.
    pub trust: TrustService,
    /// HR analytics: the views' refresh and the dashboards.
    pub analytics: AnalyticsService,
}

impl Services {
    /// Every domain's services over one database and clock, with mail
    /// sent as `mail` says; `BAD_USER_INPUT` when the mail settings cannot
    /// be used.
    pub fn new(
        ctx: &ServiceContext,
        accounts: AccountSettings,
        mail: MailSettings,
    ) -> Result<Self, AppError> {
        let membership = MembershipService::new(ctx.clone(), accounts);
        let kinds = NoticeKinds::new(
            alumni_notify::membership::KINDS
                .into_iter()
                .chain(alumni_events::notices::KINDS)
                .chain(alumni_trust::service::KINDS)
                .chain(alumni_content::notices::KINDS)
                .chain(alumni_knowledge::notices::KINDS)
                .chain(alumni_feedback::notices::KINDS),
        );
        let digest_sources = DigestSources::new(vec![
            Arc::new(alumni_content::digest::NewInTheMagazine(membership.clone())),
            Arc::new(alumni_events::digest::UpcomingEvents),
            Arc::new(alumni_knowledge::digest::KnowledgeDigest),
            Arc::new(alumni_feedback::digest::FeedbackDigest),
        ]);
        let notify =
            NotifyService::new(ctx.clone(), membership.clone(), kinds, digest_sources, mail)?;
        let events = EventsService::new(ctx.clone(), membership.clone(), notify.clone());
        let content = ContentService::new(ctx.clone(), membership.clone(), notify.clone());
        let knowledge = KnowledgeService::new(ctx.clone(), membership.clone(), notify.clone());
        let feedback = FeedbackService::new(ctx.clone(), membership.clone(), notify.clone());
        // Every domain's content the review queue acts on; the leak guard
        // is reached through the context's screener, installed here once
        // the services it depends on exist.
        let mut targets: Vec<Arc<dyn alumni_core::moderation::ModerationTarget>> = vec![
            Arc::new(alumni_membership::moderation::ProfileModeration),
            Arc::new(alumni_events::moderation::EventModeration),
            Arc::new(alumni_events::moderation::MaterialModeration),
            Arc::new(alumni_content::moderation::PostModeration),
            Arc::new(alumni_content::moderation::CommentModeration),
        ];
        targets.extend(alumni_knowledge::moderation::targets(&knowledge));
        targets.extend(alumni_feedback::moderation::targets(&feedback));
        let trust = TrustService::new(ctx.clone(), membership.clone(), notify.clone(), targets);
        ctx.screener.install(Arc::new(trust.clone()));
        Ok(Self {
            analytics: AnalyticsService::new(ctx.clone()),
            events,
            content,
            knowledge,
            feedback,
            trust,
            notify,
            membership,
        })
    }

    /// The domains in dependency order: demo data is seeded, and
    /// cross-domain work runs, in this order.
    pub fn domains(&self) -> Domains {
        Domains(Arc::new([
            Arc::new(MembershipDomain::new(self.membership.clone())),
            Arc::new(NotifyDomain::new(self.notify.clone())),
            Arc::new(EventsDomain::new(self.events.clone())),
            Arc::new(ContentDomain::new(self.content.clone())),
            Arc::new(KnowledgeDomain::new(self.knowledge.clone())),
            Arc::new(FeedbackDomain::new(self.feedback.clone())),
            Arc::new(TrustDomain::new(self.trust.clone())),
            Arc::new(AnalyticsDomain::new(self.analytics.clone())),
        ]))
    }
}

/// The registered domains.
#[derive(Clone)]
pub struct Domains(Arc<[Arc<dyn Domain>]>);

impl Domains {
    /// The job queue's handlers and recurring jobs: the queue's own upkeep
    /// and every domain's.
    pub fn jobs(&self, ctx: &ServiceContext) -> JobRegistry {
        let mut registry = JobRegistry::upkeep(ctx.clone());
        for domain in self.iter() {
            domain.jobs(&mut registry);
        }
        registry
    }

    /// Each domain, in dependency order.
    pub fn iter(&self) -> impl Iterator<Item = &dyn Domain> {
        self.0.iter().map(|domain| &**domain as &dyn Domain)
    }

    /// Adds what one operation needs: its viewer, every domain's services
    /// and fresh DataLoaders bound to the viewer (never shared between
    /// requests, so no cached data crosses viewers). `caching` is false for
    /// subscriptions, whose events are hours apart.
    pub fn attach(&self, data: &mut async_graphql::Data, viewer: &Viewer, caching: bool) {
        data.insert(viewer.clone());
        data.insert(self.clone());
        for domain in self.iter() {
            domain.attach(data, viewer, caching);
        }
    }
}

/// An object with a global id. Any such id resolves through `node(id:)`.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "Opaque global id of the object."))]
pub enum Node {
    /// A member of the network.
    Member(Member),
    /// The company or a predecessor.
    Company(Company),
    /// A membership application.
    Application(Application),
    /// A version of the terms of use.
    TermsVersion(TermsVersion),
    /// An event.
    Event(Event),
    /// An entry of the audit log (secretariat only).
    AuditEvent(AuditEventEntry),
    /// An invitation code (secretariat only).
    Invitation(Invitation),
    /// A former employee on HR's roster (secretariat only).
    RosterEntry(RosterEntry),
    /// A tag of the shared vocabulary.
    Tag(Tag),
    /// A registration for an event (its member and the secretariat).
    Registration(Registration),
    /// A material of an event.
    Material(Material),
    /// A background job (secretariat only).
    Job(Job),
    /// A notification (its member only).
    Notification(Notification),
    /// A rule of the leak guard or the watched words (moderators and the
    /// secretariat).
    ModerationRule(ModerationRule),
    /// A case of the review queue (moderators, the secretariat, and the
    /// content's author).
    ModerationCase(ModerationCase),
    /// A post of the magazine (its audience).
    Post(Post),
    /// A comment on a post.
    Comment(Comment),
    /// A category of posts.
    PostCategory(PostCategory),
    /// A numbered issue of the magazine.
    NewsletterIssue(NewsletterIssue),
    /// A member's article (its author, or its audience once published).
    Article(Article),
    /// A comment on an article.
    ArticleComment(ArticleComment),
    /// A question of the knowledge community.
    Question(Question),
    /// An answer to a question.
    Answer(Answer),
    /// A consultation request (its requester, its expert, moderators).
    Consultation(Consultation),
    /// A post on the collaboration board.
    BoardPost(BoardPost),
    /// A feedback item (the secretariat, analysts, its named author).
    FeedbackItem(FeedbackItem),
    /// A theme of feedback (the secretariat and analysts).
    FeedbackTheme(FeedbackTheme),
    /// A proposal to management (the secretariat; management once
    /// submitted; every member once published).
    Proposal(Proposal),
    /// An entry of a proposal's timeline (whoever reads the proposal).
    ProposalUpdate(ProposalUpdate),
    /// A survey (its audience while open or once its results are
    /// published; the secretariat and analysts always).
    Survey(Survey),
    /// A question of a survey (whoever may see the survey).
    SurveyQuestion(SurveyQuestion),
}

/// Loads one object by id as the viewer may see it; `NOT_FOUND` otherwise.
pub type LoadNode = for<'a> fn(&'a Context<'a>, Uuid) -> BoxFuture<'a, Result<Node, AppError>>;

/// Loads objects by id into the request's loader cache, in one batch.
pub type PrefetchNodes =
    for<'a> fn(&'a Context<'a>, Vec<Uuid>) -> BoxFuture<'a, Result<(), AppError>>;

/// How objects of one node type are found by id.
pub struct NodeType {
    /// The type's name: the prefix of its global ids and its GraphQL name.
    pub name: &'static str,
    /// The table its objects are rows of (the round-trip test takes ids
    /// from it).
    pub table: &'static str,
    /// Loads one, as the viewer may see it; `NOT_FOUND` otherwise.
    pub load: LoadNode,
    /// Loads many into the request's loader cache in one batch, so that
    /// `nodes(ids:)` costs the same whatever the scheduling of the look-ups
    /// after it; `None` where single look-ups batch well enough.
    pub prefetch: Option<PrefetchNodes>,
    /// For objects only one member may see (their notifications), the
    /// column naming that member (the round-trip test signs in as them).
    pub owner: Option<&'static str>,
}

macro_rules! node_type {
    ($variant:ident, $id:ty, $table:literal, $load:path $(, prefetch: $prefetch:path)?) => {
        NodeType {
            name: <$id>::NODE_TYPE,
            table: $table,
            load: |ctx, uuid| {
                Box::pin(async move { Ok(Node::$variant($load(ctx, <$id>::from_uuid(uuid)).await?)) })
            },
            prefetch: node_type!(@prefetch $id $(, $prefetch)?),
            owner: None,
        }
    };
    (@prefetch $id:ty) => { None };
    (@prefetch $id:ty, $prefetch:path) => {
        Some(|ctx, uuids| {
            Box::pin(async move { $prefetch(ctx, uuids.into_iter().map(<$id>::from_uuid)).await })
        })
    };
}

/// Every node type, with where its objects live and how to load one.
pub const NODE_TYPES: &[NodeType] = &[
    node_type!(Member, MemberId, "membership.members", load_member, prefetch: prefetch_members),
    node_type!(Company, CompanyId, "membership.companies", load_company),
    node_type!(
        Application,
        ApplicationId,
        "membership.applications",
        load_application
    ),
    node_type!(
        TermsVersion,
        TermsVersionId,
        "membership.terms_versions",
        load_terms_version
    ),
    node_type!(Event, EventId, "events.events", load_event),
    node_type!(AuditEvent, AuditEventId, "audit.events", load_audit_event),
    node_type!(
        Invitation,
        InvitationId,
        "membership.invitations",
        load_invitation
    ),
    node_type!(
        RosterEntry,
        RosterEntryId,
        "membership.roster_entries",
        load_roster_entry
    ),
    node_type!(Tag, TagId, "membership.tags", load_tag),
    node_type!(
        Registration,
        RegistrationId,
        "events.registrations",
        load_registration
    ),
    node_type!(Material, MaterialId, "events.materials", load_material),
    node_type!(Job, JobId, "jobs.jobs", load_job),
    NodeType {
        owner: Some("member_id"),
        ..node_type!(
            Notification,
            NotificationId,
            "notify.notifications",
            load_notification
        )
    },
    node_type!(ModerationRule, RuleId, "trust.rules", load_rule),
    node_type!(ModerationCase, CaseId, "trust.cases", load_case),
    node_type!(Post, PostId, "content.posts", load_post),
    node_type!(Comment, CommentId, "content.comments", load_comment),
    node_type!(
        PostCategory,
        CategoryId,
        "content.categories",
        load_category
    ),
    node_type!(NewsletterIssue, IssueId, "content.issues", load_issue),
    node_type!(Article, ArticleId, "knowledge.articles", load_article),
    node_type!(
        ArticleComment,
        ArticleCommentId,
        "knowledge.article_comments",
        load_article_comment
    ),
    node_type!(Question, QuestionId, "knowledge.questions", load_question),
    node_type!(Answer, AnswerId, "knowledge.answers", load_answer),
    node_type!(
        Consultation,
        ConsultationId,
        "knowledge.consultations",
        load_consultation
    ),
    node_type!(
        BoardPost,
        BoardPostId,
        "knowledge.board_posts",
        load_board_post
    ),
    node_type!(
        FeedbackItem,
        FeedbackItemId,
        "feedback.items",
        load_feedback_item
    ),
    node_type!(
        FeedbackTheme,
        ThemeId,
        "feedback.themes",
        load_feedback_theme
    ),
    node_type!(Proposal, ProposalId, "feedback.proposals", load_proposal),
    node_type!(
        ProposalUpdate,
        ProposalUpdateId,
        "feedback.proposal_updates",
        load_proposal_update
    ),
    node_type!(Survey, SurveyId, "feedback.surveys", load_survey),
    node_type!(
        SurveyQuestion,
        SurveyQuestionId,
        "feedback.survey_questions",
        load_survey_question
    ),
];

/// The signed-in member's own view of the network: their account and, per
/// domain, what is theirs.
#[derive(MergedObject)]
#[graphql(name = "Viewer")]
pub struct ViewerObject(MembershipViewer, NotificationsViewer, EventsViewer);

impl ViewerObject {
    /// `me` for a member allowed in.
    pub fn new(identity: &alumni_core::Identity) -> Self {
        Self(
            MembershipViewer::new(identity.clone()),
            NotificationsViewer,
            EventsViewer,
        )
    }
}

/// The root of every query.
#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(
    GatewayQuery,
    JobsQuery,
    MembershipQuery,
    EventsQuery,
    ContentQuery,
    IssueQuery,
    KnowledgeQuery,
    FeedbackQuery,
    AnalyticsQuery,
    TrustQuery,
    ModerationQuery,
);

/// The root of every mutation.
#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(
    JobsMutation,
    MembershipMutation,
    NotifyMutation,
    EventsMutation,
    ContentMutation,
    IssueMutation,
    KnowledgeMutation,
    FeedbackMutation,
    TrustMutation,
    ModerationMutation,
    DataRightsMutation,
    TagCurationMutation,
    SignOutMutation,
);

/// The root of every subscription (served over graphql-transport-ws at
/// `/graphql/ws`).
#[derive(MergedSubscription, Default)]
#[graphql(name = "Subscription")]
pub struct SubscriptionRoot(EventsSubscription, NotificationsSubscription);
