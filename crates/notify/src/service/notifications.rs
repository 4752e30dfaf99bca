//! Telling members, and their notifications.

use alumni_core::pagination::{ListSize, PageRequest};
use alumni_core::{AppError, AppResult, MemberId, NodeId, Viewer};
use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use futures_util::{Stream, StreamExt as _};
use serde::Deserialize;
use tokio_stream::wrappers::BroadcastStream;
use uuid::Uuid;

use super::NotifyService;
use super::mail::MailContent;
use crate::model::{NoticeKind, NotificationId, NotificationPageKey, NotificationRecord};
use crate::rules;
use crate::store::{digests, notifications as store, preferences};

/// The channel new notifications are announced on (by the
/// `notifications_announce` trigger).
pub const NOTIFICATIONS_CHANNEL: &str = "alumni_notifications";

/// Something to tell one member.
#[derive(Debug, Clone)]
pub struct Notice {
    /// Its kind.
    pub kind: &'static NoticeKind,
    /// Whom to tell.
    pub member: MemberId,
    /// What it is about: a node type and id (resolved through `node(id:)`
    /// as the member may see it).
    pub subject: Option<(&'static str, Uuid)>,
    /// Ids and particulars for the kind's typed payload; no free text.
    pub payload: serde_json::Value,
    /// The mail, for members who chose e-mail.
    pub mail: Option<MailContent>,
}

impl Notice {
    /// A notice of `kind` for `member` about `subject`.
    pub fn new<I: NodeId>(kind: &'static NoticeKind, member: MemberId, subject: I) -> Self {
        Self {
            kind,
            member,
            subject: Some((I::NODE_TYPE, subject.uuid())),
            payload: serde_json::Value::Object(Default::default()),
            mail: None,
        }
    }

    /// With `payload`.
    pub fn payload(mut self, payload: serde_json::Value) -> Self {
        self.payload = payload;
        self
    }

    /// Mailed as `mail` to members who chose e-mail.
    pub fn mail(mut self, mail: MailContent) -> Self {
        self.mail = Some(mail);
        self
    }
}

#[derive(Deserialize)]
struct Announced {
    member_id: Uuid,
    id: Uuid,
}

impl NotifyService {
    /// Tells each notice's member, inside the caller's transaction: kept in
    /// the app unless they turned the kind off, and mailed (queued in the
    /// outbox, sent by the job queue) if they chose e-mail for it, with the
    /// newsletter consent where the kind needs it. A constant number of
    /// statements per kind, however many members.
    pub async fn notify_in(
        &self,
        conn: &mut AsyncPgConnection,
        now: DateTime<Utc>,
        notices: Vec<Notice>,
    ) -> AppResult<()> {
        let mut kinds: Vec<&'static NoticeKind> = Vec::new();
        for notice in &notices {
            if !kinds.iter().any(|kind| kind.name == notice.kind.name) {
                kinds.push(notice.kind);
            }
        }
        let mut shown = Vec::new();
        let mut mailed = Vec::new();
        for kind in kinds {
            let of_kind: Vec<&Notice> = notices
                .iter()
                .filter(|notice| notice.kind.name == kind.name)
                .collect();
            let members: Vec<MemberId> = of_kind.iter().map(|notice| notice.member).collect();
            let chosen = preferences::for_kind(conn, &members, kind.name).await?;
            for notice in of_kind {
                let choice = chosen
                    .iter()
                    .find(|(member, _)| *member == notice.member)
                    .map(|(_, channel)| *channel);
                let channel = rules::channel(kind, choice);
                if !rules::shown_in_app(channel) {
                    continue;
                }
                shown.push(NotificationRecord {
                    id: NotificationId::new(),
                    member_id: notice.member,
                    kind: kind.name.to_owned(),
                    subject_type: notice.subject.map(|(node_type, _)| node_type.to_owned()),
                    subject_id: notice.subject.map(|(_, id)| id),
                    payload: notice.payload.clone(),
                    created_at: now,
                    read_at: None,
                });
                if let Some(mail) = &notice.mail {
                    mailed.push((notice.member, kind, channel, mail));
                }
            }
        }
        if !shown.is_empty() {
            store::insert(conn, &shown).await?;
        }
        self.mail_notices_in(conn, now, &mailed).await
    }

    /// One page of the viewer's notifications, newest first, and the
    /// list's size if wanted.
    pub async fn notifications(
        &self,
        viewer: &Viewer,
        unread_only: bool,
        page: &PageRequest<NotificationPageKey>,
    ) -> AppResult<Vec<NotificationRecord>> {
        let member = viewer.identity()?.member_id;
        let mut conn = self.ctx.conn().await?;
        Ok(store::page(&mut conn, member, unread_only, page).await?)
    }

    /// How many notifications the viewer has (unread ones only, if asked).
    pub async fn count_notifications(
        &self,
        viewer: &Viewer,
        unread_only: bool,
    ) -> AppResult<ListSize> {
        let member = viewer.identity()?.member_id;
        let mut conn = self.ctx.conn().await?;
        let counted = store::count(&mut conn, member, unread_only).await?;
        Ok(ListSize::from_capped_count(counted))
    }

    /// The viewer's notifications among `ids` (others' are absent).
    pub async fn notifications_by_ids(
        &self,
        viewer: &Viewer,
        ids: &[NotificationId],
    ) -> AppResult<Vec<NotificationRecord>> {
        let member = viewer.identity()?.member_id;
        let mut conn = self.ctx.conn().await?;
        Ok(store::of_member_by_ids(&mut conn, member, ids).await?)
    }

    /// Marks the viewer's notifications read: those among `ids`, or all
    /// with `None`. Others' ids change nothing. Returns how many unread
    /// notifications are left.
    pub async fn mark_read(
        &self,
        viewer: &Viewer,
        ids: Option<&[NotificationId]>,
    ) -> AppResult<ListSize> {
        let member = viewer.identity()?.member_id;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        store::mark_read(&mut conn, member, ids, now).await?;
        let counted = store::count(&mut conn, member, true).await?;
        Ok(ListSize::from_capped_count(counted))
    }

    /// The viewer's notifications as they are made, from any server
    /// process. Ends with the viewer's session (the socket checks it).
    pub fn notification_updates(
        &self,
        viewer: &Viewer,
    ) -> AppResult<impl Stream<Item = NotificationRecord> + Send + use<>> {
        let member = viewer.identity()?.member_id;
        let announced = BroadcastStream::new(self.ctx.live.subscribe(NOTIFICATIONS_CHANNEL));
        let service = self.clone();
        let viewer = viewer.clone();
        Ok(announced.filter_map(move |message| {
            let (service, viewer) = (service.clone(), viewer.clone());
            async move {
                // A lag or a lost connection cannot be replayed here: the
                // client re-reads `unreadNotificationCount` on reconnect.
                let announced: Announced = serde_json::from_str(&message.ok()?).ok()?;
                if announced.member_id != member.0 {
                    return None;
                }
                let id = NotificationId(announced.id);
                service
                    .notifications_by_ids(&viewer, &[id])
                    .await
                    .ok()?
                    .pop()
            }
        }))
    }

    /// Everything the network told the member (for their data export).
    pub async fn export_member_in(
        &self,
        conn: &mut AsyncPgConnection,
        member: MemberId,
    ) -> AppResult<serde_json::Value> {
        let notifications = store::all_of(conn, member).await?;
        let preferences = preferences::of_member(conn, member).await?;
        let digest_frequency = digests::frequency(conn, member).await?;
        let digests = digests::of_member(conn, member).await?;
        Ok(serde_json::json!({
            "digestFrequency": digest_frequency,
            "digests": digests.iter().map(|(period, composed_at, items)| serde_json::json!({
                "period": period,
                "composedAt": composed_at,
                "items": items,
            })).collect::<Vec<_>>(),
            "notifications": notifications.iter().map(|n| serde_json::json!({
                "kind": n.kind,
                "subjectType": n.subject_type,
                "payload": n.payload,
                "createdAt": n.created_at,
                "readAt": n.read_at,
            })).collect::<Vec<_>>(),
            "preferences": preferences.iter().map(|p| serde_json::json!({
                "kind": p.kind,
                "channel": p.channel,
                "updatedAt": p.updated_at,
            })).collect::<Vec<_>>(),
        }))
    }

    /// Forgets a leaving member: their notifications, choices, unsubscribe
    /// tokens, digest records and mail (queued mail is not sent), inside the gateway's
    /// transaction.
    pub async fn forget_member_in(
        &self,
        conn: &mut AsyncPgConnection,
        member: MemberId,
    ) -> AppResult<()> {
        store::delete_of(conn, member).await?;
        preferences::delete_of(conn, member).await?;
        digests::delete_of(conn, member).await?;
        crate::store::outbox::delete_of(conn, member).await?;
        Ok(())
    }

    /// The kind named `name`, or `BAD_USER_INPUT` for `field`.
    pub(crate) fn kind(&self, name: &str, field: &str) -> AppResult<&NoticeKind> {
        self.kinds
            .get(name)
            .ok_or_else(|| AppError::bad_input(field, format!("no kind of notification {name}")))
    }
}
