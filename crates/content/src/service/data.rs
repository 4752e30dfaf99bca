//! A member's data: what they read, reacted to and wrote.

use alumni_core::{AppResult, MemberId};
use diesel_async::AsyncPgConnection;
use serde_json::json;

use super::ContentService;
use crate::store::{comments, reading};

impl ContentService {
    /// The member's reads, reactions and comments, for their data export.
    pub async fn export_member_in(
        &self,
        conn: &mut AsyncPgConnection,
        member: MemberId,
    ) -> AppResult<serde_json::Value> {
        let (reads, reactions) = reading::of_member(conn, member).await?;
        let comments = comments::by_member(conn, member).await?;
        Ok(json!({
            "reads": reads.iter().map(|(post, first, last)| json!({
                "postId": post, "firstReadAt": first, "lastReadAt": last,
            })).collect::<Vec<_>>(),
            "reactions": reactions.iter().map(|(post, kind, at)| json!({
                "postId": post, "kind": kind.as_str(), "createdAt": at,
            })).collect::<Vec<_>>(),
            "comments": comments.iter().map(|comment| json!({
                "id": comment.id,
                "postId": comment.post_id,
                "parentId": comment.parent_id,
                "body": comment.body,
                "createdAt": comment.created_at,
                "updatedAt": comment.updated_at,
                "deletedAt": comment.deleted_at,
            })).collect::<Vec<_>>(),
        }))
    }

    /// A leaving member's part, inside the gateway's transaction: comments
    /// stay as "withdrawn member" with the text erased, reads remain only
    /// as anonymous counts, reactions go.
    pub async fn forget_member_in(
        &self,
        conn: &mut AsyncPgConnection,
        member: MemberId,
    ) -> AppResult<()> {
        comments::forget_member(conn, member).await?;
        reading::forget_member(conn, member).await?;
        Ok(())
    }
}
