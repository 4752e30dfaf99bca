//! Profiles as content of the review queue: a held or hidden profile keeps
//! its bio and links from everyone but the member and moderators.

use alumni_core::domain::BoxFuture;
use alumni_core::moderation::{ModerationState, ModerationTarget};
use alumni_core::{AppError, MemberId};
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::store::profiles;

/// The bio and links of a member's profile (node type `Member`).
pub struct ProfileModeration;

impl ModerationTarget for ProfileModeration {
    fn node_type(&self) -> &'static str {
        "Member"
    }

    fn author_in<'a>(
        &'a self,
        conn: &'a mut AsyncPgConnection,
        id: Uuid,
    ) -> BoxFuture<'a, Result<Option<Option<MemberId>>, AppError>> {
        Box::pin(async move {
            let member = MemberId(id);
            let exists = profiles::has_profile(conn, member).await?;
            Ok(exists.then_some(Some(member)))
        })
    }

    fn set_state_in<'a>(
        &'a self,
        conn: &'a mut AsyncPgConnection,
        id: Uuid,
        state: ModerationState,
    ) -> BoxFuture<'a, Result<(), AppError>> {
        Box::pin(async move {
            profiles::set_moderation(conn, MemberId(id), state).await?;
            Ok(())
        })
    }
}
