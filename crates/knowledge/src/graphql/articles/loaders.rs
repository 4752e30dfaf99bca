//! Per-request DataLoaders of articles, one per association, each carrying
//! the viewer. Lists prefetch what their items ask for (see
//! `prefetch_articles`), so a page costs the same whatever its size.

use std::collections::HashMap;

use alumni_core::Viewer;
use alumni_core::graphql::with_misses;
use alumni_membership::model::TagRecord;

use crate::KnowledgeService;
use crate::model::{
    ArticleCommentId, ArticleCommentRecord, ArticleId, ArticleRecord, ArticleRevisionRecord,
};

viewer_loader!(
    /// Articles the viewer may read; others are absent.
    ArticleLoader: ArticleId => ArticleRecord,
    |service, viewer, ids| {
        let articles = service.articles_by_ids(viewer, ids).await?;
        Ok(articles.into_iter().map(|article| (article.id, article)).collect())
    }
);

viewer_loader!(
    /// Tags of each article, by slug.
    ArticleTagsLoader: ArticleId => Vec<TagRecord>,
    |service, viewer, ids| {
        let mut tags = service.article_tags(viewer, ids).await?;
        Ok(ids.iter().map(|id| (*id, tags.remove(id).unwrap_or_default())).collect())
    }
);

viewer_loader!(
    /// Visible comments of each article, counted.
    ArticleCommentCountLoader: ArticleId => i64,
    |service, viewer, ids| {
        let counts = service.article_comment_counts(viewer, ids).await?;
        Ok(ids.iter().map(|id| (*id, counts.get(id).copied().unwrap_or(0))).collect())
    }
);

viewer_loader!(
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

viewer_loader!(
    /// Comments by id (for `node(id:)`).
    ArticleCommentLoader: ArticleCommentId => Option<ArticleCommentRecord>,
    |service, viewer, ids| {
        let found = service.article_comments_by_ids(viewer, ids).await?;
        Ok(with_misses(ids, found, |comment| comment.id))
    }
);

viewer_loader!(
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
    attach_viewer_loaders!(data, service, viewer, caching; ArticleLoader, ArticleTagsLoader, ArticleCommentCountLoader, ArticleCommentsLoader, ArticleCommentLoader, ArticleRevisionsLoader);
}
