//! How members may be reached, for the domains that reveal it.

use alumni_core::MemberId;
use alumni_core::moderation::ModerationState;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::model::{MemberStatus, Visibility};
use crate::schema::membership::{members, profiles};

/// An active member's address, and their profile's links with who may see
/// them and whether moderation lets them be shown (`None` without a
/// profile).
pub type ContactRow = (
    MemberId,
    Option<String>,
    Option<(serde_json::Value, Visibility, ModerationState)>,
);

/// The addresses and links of the active members among `ids`; others are
/// absent.
pub async fn active_contacts(
    conn: &mut AsyncPgConnection,
    ids: &[MemberId],
) -> QueryResult<Vec<ContactRow>> {
    members::table
        .left_join(profiles::table)
        .filter(members::id.eq_any(ids))
        .filter(members::status.eq(MemberStatus::Active))
        .select((
            members::id,
            members::email,
            (
                profiles::links,
                profiles::links_visibility,
                profiles::moderation,
            )
                .nullable(),
        ))
        .load(conn)
        .await
}
