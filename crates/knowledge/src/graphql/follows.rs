//! Following tags.

use alumni_core::graphql::{data, viewer};
use alumni_membership::graphql::Tag;
use async_graphql::{Context, Object, Result};

use crate::KnowledgeService;

#[derive(Default)]
pub(super) struct FollowsQuery;

#[Object]
impl FollowsQuery {
    /// Tags the viewer follows: new articles with them appear in the
    /// viewer's digest.
    async fn my_followed_tags(&self, ctx: &Context<'_>) -> Result<Vec<Tag>> {
        let tags = data::<KnowledgeService>(ctx)?
            .followed_tags(viewer(ctx)?)
            .await?;
        Ok(tags.into_iter().map(Tag).collect())
    }
}

#[derive(Default)]
pub(super) struct FollowsMutation;

#[Object]
impl FollowsMutation {
    /// Follows a tag (a name or alias; `NOT_FOUND` when no such tag); at
    /// most 50. Returns the tags followed.
    async fn follow_tag(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The tag's name or alias.")] tag: String,
    ) -> Result<Vec<Tag>> {
        let tags = data::<KnowledgeService>(ctx)?
            .follow_tag(viewer(ctx)?, &tag)
            .await?;
        Ok(tags.into_iter().map(Tag).collect())
    }

    /// Stops following a tag. Returns the tags still followed.
    async fn unfollow_tag(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The tag's name or alias.")] tag: String,
    ) -> Result<Vec<Tag>> {
        let tags = data::<KnowledgeService>(ctx)?
            .unfollow_tag(viewer(ctx)?, &tag)
            .await?;
        Ok(tags.into_iter().map(Tag).collect())
    }
}
