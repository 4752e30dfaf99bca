//! Per-request DataLoaders of articles, one per association, each carrying
//! the viewer. Lists prefetch what their items ask for (see
//! `prefetch_articles`), so a page costs the same whatever its size.

use std::collections::HashMap;

use alumni_core::graphql::{request_loader, with_misses};
use alumni_core::{AppError, Viewer};
use alumni_membership::model::TagRecord;
use async_graphql::dataloader::Loader;

use crate::KnowledgeService;
use crate::model::{
    ArticleCommentId, ArticleCommentRecord, ArticleId, ArticleRecord, ArticleRevisionRecord,
};

macro_rules! loader {
    ($(#[$meta:meta])* $name:ident: $key:ty => $value:ty, |$service:ident, $viewer:ident, $keys:ident| $body:expr) => {
        $(#[$meta])*
        pub struct $name {
            service: KnowledgeService,
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
    /// Articles the viewer may read; others are absent.
    ArticleLoader: ArticleId => ArticleRecord,
    |service, viewer, ids| {
        let articles = service.articles_by_ids(viewer, ids).await?;
        Ok(articles.into_iter().map(|article| (article.id, article)).collect())
    }
);

loader!(
    /// Tags of each article, by slug.
    ArticleTagsLoader: ArticleId => Vec<TagRecord>,
    |service, viewer, ids| {
        let mut tags = service.article_tags(viewer, ids).await?;
        Ok(ids.iter().map(|id| (*id, tags.remove(id).unwrap_or_default())).collect())
    }
);

loader!(
    /// Visible comments of each article, counted.
    ArticleCommentCountLoader: ArticleId => i64,
    |service, viewer, ids| {
        let counts = service.article_comment_counts(viewer, ids).await?;
        Ok(ids.iter().map(|id| (*id, counts.get(id).copied().unwrap_or(0))).collect())
    }
);

loader!(
    /// Every comment of each article the viewer may see, oldest first.
    ArticleCommentsLoader: ArticleId => Vec<ArticleCommentRecord>,
    |service, viewer, ids| {
        let mut by_article: HashMap<ArticleId, Vec<ArticleCommentRecord>> =
            ids.iter().map(|id| (*id, Vec::new())).collect();
        for comment in service.comments_of_articles(viewer, ids).await? {
            by_article.entry(comment.article_id).or_default().push(comment);
        }
        Ok(by_article)
    }
);

loader!(
    /// Comments by id (for `node(id:)`).
    ArticleCommentLoader: ArticleCommentId => Option<ArticleCommentRecord>,
    |service, viewer, ids| {
        let found = service.article_comments_by_ids(viewer, ids).await?;
        Ok(with_misses(ids, found, |comment| comment.id))
    }
);

loader!(
    /// Earlier texts of each article the viewer may see them of, newest
    /// first.
    ArticleRevisionsLoader: ArticleId => Vec<ArticleRevisionRecord>,
    |service, viewer, ids| {
        let mut revisions = service.article_revisions(viewer, ids).await?;
        Ok(ids.iter().map(|id| (*id, revisions.remove(id).unwrap_or_default())).collect())
    }
);

/// Adds the request's loaders of articles.
pub fn attach_loaders(
    data: &mut async_graphql::Data,
    service: &KnowledgeService,
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
        ArticleLoader,
        ArticleTagsLoader,
        ArticleCommentCountLoader,
        ArticleCommentsLoader,
        ArticleCommentLoader,
        ArticleRevisionsLoader
    );
}
