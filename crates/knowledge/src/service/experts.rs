//! "Who knows X": members ranked by the evidence the viewer may see.

use alumni_core::pagination::PageRequest;
use alumni_core::{AppResult, MemberId, Role, Viewer};

use super::{KnowledgeService, participant};
use crate::model::{Availability, AvailabilityRecord, KnowledgeAudience};
use crate::store::experts::{self as store, Evidence, ExpertReader};
use crate::store::tags;

/// A member who knows about a tag, with the evidence and whether they
/// take questions on it now.
#[derive(Debug, Clone)]
pub struct Expert {
    /// Their evidence, as the viewer may see it.
    pub evidence: Evidence,
    /// Their availability for the tag; `None` when they said nothing or
    /// their skill is not visible to the viewer.
    pub availability: Option<AvailabilityRecord>,
    /// Whether routing would ask them now (open, or limited with room).
    pub accepting_questions: bool,
}

impl KnowledgeService {
    /// Members with evidence for `tag` (a name or alias) the viewer may
    /// see, best first: a declared skill, accepted answers, answers marked
    /// helpful and articles with the tag. Members unlisted from the
    /// directory are left out; an unknown tag lists no one.
    pub async fn experts(
        &self,
        viewer: &Viewer,
        tag: &str,
        page: &PageRequest<(i32, uuid::Uuid)>,
    ) -> AppResult<Vec<Expert>> {
        let reader = expert_reader(viewer)?;
        let mut conn = self.ctx.conn().await?;
        let Some(tag) = tags::resolve(&mut conn, tag).await? else {
            return Ok(Vec::new());
        };
        let found = store::page(&mut conn, tag, &reader, page.after, page.fetch_limit()).await?;
        let members: Vec<MemberId> = found.iter().map(|row| MemberId(row.member_id)).collect();
        let (availability, open) = self.availability_in(&mut conn, &members, &[tag]).await?;
        Ok(found
            .into_iter()
            .map(|evidence| {
                let member = MemberId(evidence.member_id);
                let availability = availability
                    .iter()
                    .find(|record| record.member_id == member && record.tag_id == tag)
                    .filter(|_| evidence.declared)
                    .cloned();
                let open = open
                    .iter()
                    .find(|(id, _)| *id == member)
                    .map_or(0, |(_, open)| *open);
                let accepting_questions = availability.as_ref().is_some_and(|record| {
                    record
                        .availability
                        .takes_another(record.max_open_requests, open)
                });
                Expert {
                    evidence,
                    availability,
                    accepting_questions,
                }
            })
            .collect())
    }

    /// How many members [`experts`](Self::experts) ranks for `tag`.
    pub async fn count_experts(&self, viewer: &Viewer, tag: &str) -> AppResult<i64> {
        let reader = expert_reader(viewer)?;
        let mut conn = self.ctx.conn().await?;
        let Some(tag) = tags::resolve(&mut conn, tag).await? else {
            return Ok(0);
        };
        Ok(store::count(&mut conn, tag, &reader).await?)
    }
}

/// The viewer as the experts list reads: skills of others by their
/// visibility (the secretariat also reads those shown to it), articles
/// of the viewer's audiences.
fn expert_reader(viewer: &Viewer) -> AppResult<ExpertReader> {
    let identity = participant(viewer)?;
    let mut readable = vec!["MEMBERS".to_owned()];
    if identity.roles.contains(Role::Secretariat) {
        readable.push("SECRETARIAT".to_owned());
    }
    Ok(ExpertReader {
        member: identity.member_id,
        readable,
        audiences: KnowledgeAudience::admitted(identity.roles),
    })
}

impl Expert {
    /// The key of the experts list.
    pub fn key(&self) -> (i32, uuid::Uuid) {
        (self.evidence.score, self.evidence.member_id)
    }

    /// The member.
    pub fn member(&self) -> MemberId {
        MemberId(self.evidence.member_id)
    }

    /// Their availability's kind, if shown.
    pub fn availability_kind(&self) -> Option<Availability> {
        self.availability.as_ref().map(|record| record.availability)
    }
}
