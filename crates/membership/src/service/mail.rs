//! What the notification crate needs to address mail to members.

use alumni_core::{AppResult, MemberId};
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

impl MembershipService {
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
