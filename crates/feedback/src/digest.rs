//! The feedback domain's section of the activity digest: what moved on
//! proposals the member follows (an answer, a publication, an entry of
//! the timeline, completion) and the surveys open to them that they have
//! not answered.

use alumni_core::domain::BoxFuture;
use alumni_core::{AppResult, NodeId};
use alumni_notify::digest::{DigestItem, DigestReader, DigestSection, DigestSource};
use diesel::QueryableByName;
use diesel::sql_types::{Array, BigInt, Integer, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::model::{ProposalId, SurveyAudience, SurveyId};

/// Two statements: followed proposals that moved, open surveys.
pub struct FeedbackDigest;

#[derive(QueryableByName)]
struct ProposalRow {
    #[diesel(sql_type = SqlUuid)]
    id: uuid::Uuid,
    #[diesel(sql_type = Text)]
    title: String,
    #[diesel(sql_type = Nullable<Integer>)]
    progress: Option<i32>,
    #[diesel(sql_type = BigInt)]
    total: i64,
}

#[derive(QueryableByName)]
struct SurveyRow {
    #[diesel(sql_type = SqlUuid)]
    id: uuid::Uuid,
    #[diesel(sql_type = Text)]
    title: String,
    #[diesel(sql_type = Timestamptz)]
    closes_at: chrono::DateTime<chrono::Utc>,
    #[diesel(sql_type = BigInt)]
    total: i64,
}

/// Published proposals the member follows whose answer, publication,
/// completion or a visible timeline entry came since their last visit.
const FOLLOWED_PROPOSALS: &str = "SELECT p.id, p.title, p.progress, count(*) OVER () AS total \
     FROM feedback.proposal_follows f JOIN feedback.proposals p ON p.id = f.proposal_id \
     WHERE f.member_id = $1 AND f.unfollowed_at IS NULL \
       AND p.published_at IS NOT NULL AND p.moderation = 'VISIBLE' \
       AND (p.published_at > $2 OR p.responded_at > $2 OR p.done_at > $2 \
            OR EXISTS (SELECT 1 FROM feedback.proposal_updates u \
                       WHERE u.proposal_id = p.id AND u.created_at > $2 \
                         AND u.moderation = 'VISIBLE')) \
     ORDER BY p.updated_at DESC, p.id DESC LIMIT $3";

/// Surveys open now for an audience the member belongs to, not answered.
const OPEN_SURVEYS: &str = "SELECT s.id, s.title, s.closes_at, count(*) OVER () AS total \
     FROM feedback.surveys s \
     WHERE s.opens_at <= $2 AND s.closes_at > $2 AND s.audience = ANY($4) \
       AND NOT EXISTS (SELECT 1 FROM feedback.survey_participation sp \
                       WHERE sp.survey_id = s.id AND sp.member_id = $1) \
     ORDER BY s.closes_at, s.id LIMIT $3";

impl DigestSource for FeedbackDigest {
    fn section<'a>(
        &'a self,
        conn: &'a mut AsyncPgConnection,
        reader: &'a DigestReader,
    ) -> BoxFuture<'a, AppResult<Option<DigestSection>>> {
        Box::pin(async move {
            let limit = reader.limit.max(0);
            let proposals: Vec<ProposalRow> = diesel::sql_query(FOLLOWED_PROPOSALS)
                .bind::<SqlUuid, _>(reader.member_id.0)
                .bind::<Timestamptz, _>(reader.since)
                .bind::<BigInt, _>(limit)
                .load(conn)
                .await?;
            let audiences: Vec<&str> = SurveyAudience::admitted(reader.roles)
                .into_iter()
                .map(SurveyAudience::as_str)
                .collect();
            let surveys: Vec<SurveyRow> = diesel::sql_query(OPEN_SURVEYS)
                .bind::<SqlUuid, _>(reader.member_id.0)
                .bind::<Timestamptz, _>(reader.now)
                .bind::<BigInt, _>(limit)
                .bind::<Array<Text>, _>(audiences)
                .load(conn)
                .await?;
            let total = proposals.iter().map(|row| row.total).max().unwrap_or(0)
                + surveys.iter().map(|row| row.total).max().unwrap_or(0);
            if total == 0 {
                return Ok(None);
            }
            let items: Vec<DigestItem> = proposals
                .into_iter()
                .map(|row| DigestItem {
                    details: vec![match row.progress {
                        Some(progress) => {
                            format!("フォロー中の提言に動きがありました（進捗 {progress}%）")
                        }
                        None => "フォロー中の提言に動きがありました".to_owned(),
                    }],
                    path: Some(format!(
                        "/feedback/proposals/{}",
                        ProposalId::from_uuid(row.id).to_global().as_str()
                    )),
                    title: row.title,
                })
                .chain(surveys.into_iter().map(|row| DigestItem {
                    details: vec![format!(
                        "回答受付中（{} まで）",
                        crate::service::japan_day(row.closes_at)
                    )],
                    path: Some(format!(
                        "/feedback/surveys/{}",
                        SurveyId::from_uuid(row.id).to_global().as_str()
                    )),
                    title: row.title,
                }))
                .take(usize::try_from(limit).unwrap_or(0))
                .collect();
            let shown = i64::try_from(items.len()).unwrap_or(0);
            Ok(Some(DigestSection {
                title: "提言とアンケート".to_owned(),
                more: (total - shown).max(0),
                items,
            }))
        })
    }
}
