//! How a member may be reached, for another domain that reveals it to
//! someone the member agreed to be contacted by (an expert who accepted a
//! consultation). The caller applies the member's choices: this only
//! reads them.

use alumni_core::moderation::ModerationState;
use alumni_core::{AppResult, MemberId};
use diesel_async::AsyncPgConnection;

use super::MembershipService;
use crate::model::{ProfileLink, Visibility};
use crate::store::contact as store;

/// An active member's contact details as stored, with their choices about
/// them.
#[derive(Debug, Clone)]
pub struct MemberContact {
    /// The member.
    pub member_id: MemberId,
    /// Their address (`None` once erased).
    pub email: Option<String>,
    /// Their profile's links (empty without a profile).
    pub links: Vec<ProfileLink>,
    /// Who may see the links on their profile.
    pub links_visibility: Visibility,
    /// Whether the links may be shown to others at all: the leak guard may
    /// hold them, a moderator may hide them.
    pub links_moderation: ModerationState,
}

impl MemberContact {
    /// The links, when the member shows them to members and moderation
    /// does not withhold them: a member who keeps them to themselves or
    /// to the secretariat has not let a fellow member see them, accepted
    /// request or not.
    pub fn shareable_links(&self) -> &[ProfileLink] {
        if self.links_visibility == Visibility::Members && self.links_moderation.is_public() {
            &self.links
        } else {
            &[]
        }
    }
}

impl MembershipService {
    /// The contact details of the active members among `members`, inside
    /// the caller's connection; applicants, suspended and withdrawn members
    /// are absent, so this also answers whether a member can be reached at
    /// all. For trusted callers, which decide what to reveal to whom.
    pub async fn active_contacts_in(
        &self,
        conn: &mut AsyncPgConnection,
        members: &[MemberId],
    ) -> AppResult<Vec<MemberContact>> {
        Ok(store::active_contacts(conn, members)
            .await?
            .into_iter()
            .map(|(member_id, email, profile)| {
                let (links, links_visibility, links_moderation) = match profile {
                    Some((links, visibility, moderation)) => (
                        serde_json::from_value(links).unwrap_or_default(),
                        visibility,
                        moderation,
                    ),
                    None => (Vec::new(), Visibility::Private, ModerationState::Visible),
                };
                MemberContact {
                    member_id,
                    email,
                    links,
                    links_visibility,
                    links_moderation,
                }
            })
            .collect())
    }
}
