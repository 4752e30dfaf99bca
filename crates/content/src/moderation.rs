//! Posts and comments as content of the review queue.

use alumni_core::domain::BoxFuture;
use alumni_core::moderation::{ModerationState, ModerationTarget};
use alumni_core::{AppError, MemberId};
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::model::{CommentId, PostId};
use crate::service::{COMMENT_NODE, ContentService, POST_NODE};
use crate::store::{comments, posts};

/// Posts (node type `Post`).
pub struct PostModeration;

impl ModerationTarget for PostModeration {
    fn node_type(&self) -> &'static str {
        POST_NODE
    }

    fn author_in<'a>(
        &'a self,
        conn: &'a mut AsyncPgConnection,
        id: Uuid,
    ) -> BoxFuture<'a, Result<Option<Option<MemberId>>, AppError>> {
        Box::pin(async move {
            let post = posts::by_ids(conn, &[PostId(id)]).await?.pop();
            Ok(post.map(|post| post.author_id))
        })
    }

    fn set_state_in<'a>(
        &'a self,
        conn: &'a mut AsyncPgConnection,
        id: Uuid,
        state: ModerationState,
    ) -> BoxFuture<'a, Result<(), AppError>> {
        Box::pin(ContentService::set_post_moderation_in(
            conn,
            PostId(id),
            state,
        ))
    }
}

/// Comments (node type `Comment`).
pub struct CommentModeration;

impl ModerationTarget for CommentModeration {
    fn node_type(&self) -> &'static str {
        COMMENT_NODE
    }

    fn author_in<'a>(
        &'a self,
        conn: &'a mut AsyncPgConnection,
        id: Uuid,
    ) -> BoxFuture<'a, Result<Option<Option<MemberId>>, AppError>> {
        Box::pin(async move {
            let comment = comments::by_ids(conn, &[CommentId(id)]).await?.pop();
            Ok(comment.map(|comment| comment.author_id))
        })
    }

    fn set_state_in<'a>(
        &'a self,
        conn: &'a mut AsyncPgConnection,
        id: Uuid,
        state: ModerationState,
    ) -> BoxFuture<'a, Result<(), AppError>> {
        Box::pin(ContentService::set_comment_moderation_in(
            conn,
            CommentId(id),
            state,
        ))
    }
}
