//! The magazine's section of the activity digest: issues and posts
//! published since the member's last visit, for their audience.

use alumni_core::AppResult;
use alumni_core::domain::BoxFuture;
use alumni_core::pagination::PageRequest;
use alumni_notify::digest::{DigestItem, DigestReader, DigestSection, DigestSource};
use diesel_async::AsyncPgConnection;

use alumni_core::markdown;
use alumni_membership::MembershipService;

use crate::service::FeedFilter;
use crate::store::{issues, posts};
use crate::visibility::Reader;

/// New issues and posts the member may read. Four statements: their
/// cohort, the issues, the posts, and how many posts in all.
pub struct NewInTheMagazine(pub MembershipService);

impl DigestSource for NewInTheMagazine {
    fn section<'a>(
        &'a self,
        conn: &'a mut AsyncPgConnection,
        reader: &'a DigestReader,
    ) -> BoxFuture<'a, AppResult<Option<DigestSection>>> {
        Box::pin(async move {
            let (company, left_year) = self.0.cohort_in(conn, reader.member_id).await?;
            let audience = Reader {
                member: reader.member_id,
                roles: reader.roles,
                company: company.map(|company| company.0),
                left_year,
            };
            let limit = usize::try_from(reader.limit).unwrap_or(0);
            let new_issues: Vec<_> =
                issues::archive_page(conn, &audience, &PageRequest::first(limit))
                    .await?
                    .into_iter()
                    .filter(|issue| issue.published_at.is_some_and(|at| at > reader.since))
                    .collect();
            let filter = FeedFilter {
                published_after: Some(reader.since),
                ..FeedFilter::default()
            };
            let page = PageRequest::first(limit.saturating_sub(new_issues.len()));
            let listed = posts::feed_page(conn, &audience, false, &filter, &page).await?;
            if new_issues.is_empty() && listed.is_empty() {
                return Ok(None);
            }
            let total = posts::feed_count(conn, &audience, false, &filter).await?;
            let mut items: Vec<DigestItem> = new_issues
                .iter()
                .map(|issue| DigestItem {
                    title: format!("第{}号 {}", issue.number, issue.title),
                    details: vec![
                        markdown::to_plain_text(&issue.editor_note)
                            .chars()
                            .take(120)
                            .collect(),
                    ],
                    path: Some(format!("/magazine/issues/{}", issue.id.0)),
                })
                .collect();
            items.extend(listed.iter().take(page.size).map(|post| {
                DigestItem {
                    title: post.text.title.clone(),
                    details: vec![post.text.lead.clone()]
                        .into_iter()
                        .filter(|lead| !lead.is_empty())
                        .collect(),
                    path: Some(format!("/magazine/posts/{}", post.id.0)),
                }
            }));
            let shown_posts = i64::try_from(listed.len().min(page.size)).unwrap_or(0);
            Ok(Some(DigestSection {
                title: "社内報の新着".to_owned(),
                more: (total - shown_posts).max(0),
                items,
            }))
        })
    }
}
