//! Per-request DataLoaders of the magazine, one per association, each
//! carrying the viewer. The feed prefetches what its items ask for (see
//! `prefetch_posts`), so a page costs the same whatever its size.

use std::collections::HashMap;

use alumni_core::graphql::{request_loader, with_misses};
use alumni_core::{AppError, MemberId, Viewer};
use alumni_membership::model::TagRecord;
use async_graphql::dataloader::Loader;
use chrono::{DateTime, Utc};

use crate::model::{
    CategoryId, CategoryRecord, CommentId, CommentRecord, IssueId, IssueRecord, PostId, PostRecord,
    ReactionKind,
};
use crate::service::ContentService;

macro_rules! loader {
    ($(#[$meta:meta])* $name:ident: $key:ty => $value:ty, |$service:ident, $viewer:ident, $keys:ident| $body:expr) => {
        $(#[$meta])*
        pub struct $name {
            service: ContentService,
            viewer: Viewer,
        }

        impl Loader<$key> for $name {
            type Value = $value;
            type Error = AppError;

            async fn load(&self, $keys: &[$key]) -> Result<HashMap<$key, $value>, AppError> {
                let $service = &self.service;
                let $viewer = &self.viewer;
                $body
            }
        }
    };
}

loader!(
    /// Posts the viewer may see; others are absent.
    PostLoader: PostId => PostRecord,
    |service, viewer, ids| {
        let posts = service.posts_by_ids(viewer, ids).await?;
        Ok(posts.into_iter().map(|post| (post.id, post)).collect())
    }
);

loader!(
    /// When the viewer first read each post (`None`: unread).
    ReadAtLoader: PostId => Option<DateTime<Utc>>,
    |service, viewer, ids| {
        let read = service.read_at(viewer, ids).await?;
        Ok(ids.iter().map(|id| (*id, read.get(id).copied())).collect())
    }
);

loader!(
    /// Reaction counts by kind.
    ReactionCountLoader: PostId => Vec<(ReactionKind, i64)>,
    |service, viewer, ids| {
        let mut counts = service.reaction_counts(viewer, ids).await?;
        Ok(ids.iter().map(|id| (*id, counts.remove(id).unwrap_or_default())).collect())
    }
);

loader!(
    /// The viewer's own reactions.
    MyReactionsLoader: PostId => Vec<ReactionKind>,
    |service, viewer, ids| {
        let mut mine = service.my_reactions(viewer, ids).await?;
        Ok(ids.iter().map(|id| (*id, mine.remove(id).unwrap_or_default())).collect())
    }
);

loader!(
    /// Visible comments, counted.
    CommentCountLoader: PostId => i64,
    |service, viewer, ids| {
        let counts = service.comment_counts(viewer, ids).await?;
        Ok(ids.iter().map(|id| (*id, counts.get(id).copied().unwrap_or(0))).collect())
    }
);

loader!(
    /// Tags of each post.
    TagsLoader: PostId => Vec<TagRecord>,
    |service, viewer, ids| {
        let mut tags = service.tags_of(viewer, ids).await?;
        Ok(ids.iter().map(|id| (*id, tags.remove(id).unwrap_or_default())).collect())
    }
);

loader!(
    /// Co-authors of each post, in order.
    CoauthorsLoader: PostId => Vec<MemberId>,
    |service, viewer, ids| {
        let mut coauthors = service.coauthors_of(viewer, ids).await?;
        Ok(ids.iter().map(|id| (*id, coauthors.remove(id).unwrap_or_default())).collect())
    }
);

loader!(
    /// Comments of each post, oldest first, as the viewer may see them.
    CommentsLoader: PostId => Vec<CommentRecord>,
    |service, viewer, ids| {
        let mut by_post: HashMap<PostId, Vec<CommentRecord>> =
            ids.iter().map(|id| (*id, Vec::new())).collect();
        for comment in service.comments_of(viewer, ids).await? {
            by_post.entry(comment.post_id).or_default().push(comment);
        }
        Ok(by_post)
    }
);

loader!(
    /// Comments by id (for `node(id:)`).
    CommentLoader: CommentId => Option<CommentRecord>,
    |service, viewer, ids| {
        let found = service.comments_by_ids(viewer, ids).await?;
        Ok(with_misses(ids, found, |comment| comment.id))
    }
);

/// Adds the request's loaders of the magazine.
pub fn attach_loaders(
    data: &mut async_graphql::Data,
    service: &ContentService,
    viewer: &Viewer,
    caching: bool,
) {
    macro_rules! attach {
        ($($loader:ident),*) => {
            $(data.insert(request_loader(
                $loader { service: service.clone(), viewer: viewer.clone() },
                caching,
            ));)*
        };
    }
    attach!(
        PostLoader,
        ReadAtLoader,
        ReactionCountLoader,
        MyReactionsLoader,
        CommentCountLoader,
        TagsLoader,
        CoauthorsLoader,
        CommentsLoader,
        CommentLoader,
        CategoryLoader
    );
    attach_issue_loaders(data, service, viewer, caching);
}

loader!(
    /// Categories by id (the whole list is read once: it is short).
    CategoryLoader: CategoryId => CategoryRecord,
    |service, viewer, ids| {
        let categories = service.categories(viewer).await?;
        Ok(categories
            .into_iter()
            .filter(|category| ids.contains(&category.id))
            .map(|category| (category.id, category))
            .collect())
    }
);

loader!(
    /// Issues the viewer may see; others are absent.
    IssueLoader: IssueId => IssueRecord,
    |service, viewer, ids| {
        let issues = service.issues_by_ids(viewer, ids).await?;
        Ok(issues.into_iter().map(|issue| (issue.id, issue)).collect())
    }
);

loader!(
    /// The posts of each issue the viewer may see, in order.
    IssuePostsLoader: IssueId => Vec<PostRecord>,
    |service, viewer, ids| service.issue_posts(viewer, ids).await
);

/// Adds the loaders of newsletter issues.
pub fn attach_issue_loaders(
    data: &mut async_graphql::Data,
    service: &ContentService,
    viewer: &Viewer,
    caching: bool,
) {
    data.insert(request_loader(
        IssueLoader {
            service: service.clone(),
            viewer: viewer.clone(),
        },
        caching,
    ));
    data.insert(request_loader(
        IssuePostsLoader {
            service: service.clone(),
            viewer: viewer.clone(),
        },
        caching,
    ));
}
