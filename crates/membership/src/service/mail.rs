//! What the notification crate needs to address mail to members.

use alumni_core::{AppError, AppResult, MemberId, RoleSet};
use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;

use super::MembershipService;
use crate::store::recipients;

/// A member mail can reach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailRecipient {
    /// The member.
    pub member_id: MemberId,
    /// Their address.
    pub email: String,
    /// Their display name, once they have a profile.
    pub name: Option<String>,
    /// Whether they consented to newsletters and digests by mail.
    pub newsletter_consent: bool,
}

/// A member who may be sent the activity digest: active, reachable by
/// mail, with the newsletter consent in force.
#[derive(Debug, Clone)]
pub struct NewsletterReader {
    /// Where and to whom the digest goes.
    pub recipient: MailRecipient,
    /// Their roles, which decide what the digest may list.
    pub roles: RoleSet,
    /// Their last visit, to the hour; `None` if not seen since it was kept.
    pub last_seen_at: Option<DateTime<Utc>>,
}

impl MembershipService {
    /// Up to `limit` members after `after` (in id order) who may be sent
    /// the digest, for the notification crate's planner to page through.
    pub async fn newsletter_readers_in(
        &self,
        conn: &mut AsyncPgConnection,
        after: Option<MemberId>,
        limit: i64,
    ) -> AppResult<Vec<MemberId>> {
        Ok(recipients::newsletter_readers(conn, after, limit).await?)
    }

    /// The member as a digest reader, if they may be sent it now (still
    /// active, with an address and the newsletter consent).
    pub async fn newsletter_reader_in(
        &self,
        conn: &mut AsyncPgConnection,
        member: MemberId,
    ) -> AppResult<Option<NewsletterReader>> {
        let Some(recipient) = self
            .mail_recipients_in(conn, &[member])
            .await?
            .into_iter()
            .find(|recipient| recipient.newsletter_consent)
        else {
            return Ok(None);
        };
        let Some((roles, last_seen_at)) = recipients::roles_and_last_seen(conn, member).await?
        else {
            return Ok(None);
        };
        let names: Vec<&str> = roles.iter().flatten().map(String::as_str).collect();
        Ok(Some(NewsletterReader {
            recipient,
            roles: RoleSet::from_names(&names).map_err(AppError::internal)?,
            last_seen_at,
        }))
    }

    /// The members among `ids` that mail can reach (active or applying,
    /// with an address), on the caller's connection (inside its transaction, so a notification and
    /// its mail see the same member).
    pub async fn mail_recipients_in(
        &self,
        conn: &mut AsyncPgConnection,
        ids: &[MemberId],
    ) -> AppResult<Vec<MailRecipient>> {
        Ok(recipients::mail_recipients(conn, ids)
            .await?
            .into_iter()
            .map(
                |(member_id, email, name, newsletter_consent)| MailRecipient {
                    member_id,
                    email,
                    name,
                    newsletter_consent,
                },
            )
            .collect())
    }

    /// The company's name, which mail is sent in the name of.
    pub async fn company_name_in(&self, conn: &mut AsyncPgConnection) -> AppResult<Option<String>> {
        Ok(recipients::current_company_name(conn).await?)
    }
}
