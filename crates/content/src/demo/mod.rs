//! Demo data: a year of the magazine for the fictional 北辰情報システム
//! (twelve monthly issues and their posts, written through the services,
//! then dated to their month as sent), and the reading of a quiet network:
//! most members read a few posts, few react, fewer comment.

pub mod data;

use alumni_core::domain::demo_viewer;
use alumni_core::{AppResult, Role, RoleSet};
use alumni_membership::demo::DemoMembers;
use chrono::{Duration, TimeZone as _, Utc};
use diesel_async::AsyncConnection as _;

use crate::model::{AudienceFields, PostAudience, PostId, ReactionKind};
use crate::service::{ContentService, IssueInput, PostInput};
use crate::store::{issues, posts, reading};

fn everyone() -> AudienceFields {
    AudienceFields {
        audience: PostAudience::Everyone,
        cohort_company_id: None,
        cohort_left_from: None,
        cohort_left_to: None,
        cohort_role: None,
    }
}

fn audience(name: &str) -> PostAudience {
    match name {
        "ALUMNI" => PostAudience::Alumni,
        "EMPLOYEES" => PostAudience::Employees,
        _ => PostAudience::Everyone,
    }
}

/// Loads the magazine's demo year.
pub async fn seed(service: &ContentService, members: &DemoMembers) -> AppResult<()> {
    let Some(secretariat_id) = members.secretariat else {
        return Ok(());
    };
    let secretariat = demo_viewer(secretariat_id, RoleSet::default().with(Role::Secretariat));
    let mut categories = Vec::new();
    for name in data::CATEGORIES {
        categories.push(service.create_category(&secretariat, name).await?.id);
    }
    let first_month = Utc
        .with_ymd_and_hms(2025, 12, 1, 0, 0, 0)
        .single()
        .unwrap_or_default();
    let mut published: Vec<(PostId, PostAudience)> = Vec::new();
    for (month, issue) in data::ISSUES.iter().enumerate() {
        let month_start = first_month
            .checked_add_months(chrono::Months::new(u32::try_from(month).unwrap_or(0)))
            .unwrap_or(first_month);
        let mut issue_posts = Vec::new();
        for (index, post) in issue.posts.iter().enumerate() {
            let author = members
                .employees
                .get((month + index) % members.employees.len().max(1))
                .copied()
                .unwrap_or(secretariat_id);
            let audience = audience(post.audience);
            let created = service
                .create_post(
                    &secretariat,
                    PostInput {
                        title: post.title.to_owned(),
                        lead: post.lead.to_owned(),
                        body: post.body.to_owned(),
                        category: categories.get(post.category).copied(),
                        cover_image_url: None,
                        author: Some(author),
                        coauthors: Vec::new(),
                        tags: post.tags.iter().map(|tag| (*tag).to_owned()).collect(),
                        audience: AudienceFields {
                            audience,
                            ..everyone()
                        },
                        confirm_warnings: true,
                    },
                )
                .await?;
            // Dated to its issue's month, as if published then (9:00 JST).
            let at = month_start + Duration::days(i64::try_from(index).unwrap_or(0) * 3);
            let mut conn = service.context().conn().await?;
            posts::set_state(
                &mut conn,
                created.id,
                crate::model::PostState::Published,
                None,
                Some(at),
                at,
            )
            .await?;
            published.push((created.id, audience));
            issue_posts.push(created.id);
        }
        // Back issues are history: dated to their month, never mailed now.
        let created = service
            .create_issue(
                &secretariat,
                IssueInput {
                    number: issue.number,
                    title: issue.title.to_owned(),
                    editor_note: issue.editor_note.to_owned(),
                    posts: issue_posts,
                    audience: everyone(),
                    confirm_warnings: true,
                },
            )
            .await?;
        let mut conn = service.context().conn().await?;
        issues::publish(&mut conn, created.id, month_start).await?;
    }
    read_quietly(service, members, &published).await
}

/// Most members read a few posts of their audience, one in ten reacts to
/// one, one in thirty comments.
async fn read_quietly(
    service: &ContentService,
    members: &DemoMembers,
    published: &[(PostId, PostAudience)],
) -> AppResult<()> {
    let mut rng = fastrand::Rng::with_seed(202_612);
    let readers = members
        .alumni
        .iter()
        .map(|member| (*member, PostAudience::Alumni))
        .chain(
            members
                .employees
                .iter()
                .map(|member| (*member, PostAudience::Employees)),
        );
    let mut reads = Vec::new();
    let mut reactions = Vec::new();
    let mut comments = Vec::new();
    for (member, own) in readers {
        let theirs: Vec<PostId> = published
            .iter()
            .filter(|(_, audience)| *audience == PostAudience::Everyone || *audience == own)
            .map(|(post, _)| *post)
            .collect();
        if theirs.is_empty() || rng.u8(..10) == 0 {
            continue;
        }
        for _ in 0..rng.usize(1..=5) {
            reads.push((theirs[rng.usize(..theirs.len())], member));
        }
        if rng.u8(..10) == 0 {
            let kind = [
                ReactionKind::Like,
                ReactionKind::Learned,
                ReactionKind::Thanks,
            ][rng.usize(..3)];
            reactions.push((reads[reads.len() - 1].0, member, kind));
        }
        if rng.u8(..30) == 0 {
            comments.push((reads[reads.len() - 1].0, member, own));
        }
    }
    let now = service.context().now();
    let mut conn = service.context().conn().await?;
    conn.transaction(async |conn| {
        reading::insert_reads(conn, &reads, now).await?;
        reading::insert_reactions(conn, &reactions, now).await
    })
    .await?;
    drop(conn);
    for (index, (post, member, own)) in comments.into_iter().enumerate() {
        let role = if own == PostAudience::Employees {
            Role::Employee
        } else {
            Role::Alumnus
        };
        let viewer = demo_viewer(member, RoleSet::default().with(role));
        let text = data::COMMENTS[index % data::COMMENTS.len()];
        service.comment(&viewer, post, None, text, true).await?;
    }
    Ok(())
}
