//! Demo data: a year of the magazine for the fictional 北辰情報システム
//! (twelve monthly issues and their posts, written through the services
//! at the times they were written, then dated to their month as sent),
//! and the reading of a quiet network: members read on their visits (see
//! `alumni_membership::demo::presence`), most of what they read in the
//! days after it came out, a little from the back issues; few react,
//! fewer comment.

pub mod data;

use std::sync::Arc;

use alumni_core::clock::ManualClock;
use alumni_core::domain::demo_viewer;
use alumni_core::{AppResult, MemberId, Role, RoleSet};
use alumni_membership::demo::DemoMembers;
use alumni_membership::demo::presence::VISIT_LENGTH;
use chrono::{DateTime, Duration, TimeZone as _, Utc};
use diesel_async::AsyncConnection as _;

use crate::model::{AudienceFields, PostAudience, PostId, ReactionKind};
use crate::service::{ContentService, IssueInput, PostInput};
use crate::store::{issues, posts, reading};

/// A published post: its id, audience and when it came out.
type Published = (PostId, PostAudience, DateTime<Utc>);

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
    let first_month = Utc
        .with_ymd_and_hms(2025, 12, 1, 0, 0, 0)
        .single()
        .unwrap_or_default();
    let real_now = service.context().now();
    // Each post is written a few days before it comes out, each issue the
    // day before: the records carry those times.
    let clock = Arc::new(ManualClock::new(real_now));
    let service = service.with_clock(clock.clone());
    clock.set((first_month - Duration::days(14)).min(real_now));
    let mut categories = Vec::new();
    for name in data::CATEGORIES {
        categories.push(service.create_category(&secretariat, name).await?.id);
    }
    let mut published: Vec<Published> = Vec::new();
    for (month, issue) in data::ISSUES.iter().enumerate() {
        let month_start = first_month
            .checked_add_months(chrono::Months::new(u32::try_from(month).unwrap_or(0)))
            .unwrap_or(first_month);
        let mut issue_posts = Vec::new();
        for (index, post) in issue.posts.iter().enumerate() {
            let audience = audience(post.audience);
            // Dated to its issue's month, as if published then (9:00 JST).
            let at = month_start + Duration::days(i64::try_from(index).unwrap_or(0) * 3);
            let author = author_at(members, month + index, at).unwrap_or(secretariat_id);
            clock.set((at - Duration::days(5)).min(real_now));
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
            published.push((created.id, audience, at));
            issue_posts.push(created.id);
        }
        // Back issues are history: dated to their month, never mailed now.
        clock.set((month_start - Duration::days(1)).min(real_now));
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
    read_quietly(&service, &clock, members, &published).await
}

/// The employee who wrote the `turn`-th post, taking turns among those
/// still coming by the network when it came out (`at`).
fn author_at(members: &DemoMembers, turn: usize, at: DateTime<Utc>) -> Option<MemberId> {
    let employees = &members.employees;
    let nth = |step: usize| employees[(turn + step) % employees.len()];
    (0..employees.len())
        .map(nth)
        .find(|employee| {
            members
                .presence_of(*employee)
                .is_some_and(|presence| presence.around_at(at))
        })
        .or_else(|| employees.get(turn % employees.len().max(1)).copied())
}

/// How likely a member who opens fresh posts is to open one `age` after
/// it came out: most reading happens in its first week, some in the next
/// two, little after, a trickle from the back issues, except from new
/// members, who browse them in their first weeks.
fn freshness(age: Duration, new_member: bool) -> f64 {
    match age.num_days() {
        ..7 => 1.0,
        7..21 => 0.6,
        _ if new_member => 0.25,
        21..60 => 0.15,
        _ => 0.03,
    }
}

/// A comment a member left on a post they had just read.
struct LeftComment {
    post: PostId,
    member: MemberId,
    audience: PostAudience,
    at: DateTime<Utc>,
}

/// The members read on their visits: each opens a share of the fresh posts
/// of their audience (some read nearly everything, some less), now and
/// then a back issue; one read in twenty-five gets a reaction, one in two
/// hundred and fifty a comment.
async fn read_quietly(
    service: &ContentService,
    clock: &ManualClock,
    members: &DemoMembers,
    published: &[Published],
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
        let Some(presence) = members.presence_of(member) else {
            continue;
        };
        let theirs: Vec<&Published> = published
            .iter()
            .filter(|(_, audience, _)| *audience == PostAudience::Everyone || *audience == own)
            .collect();
        let mut unread = vec![true; theirs.len()];
        let appetite = 0.5 + 0.5 * rng.f64();
        for visit in &presence.visits {
            let new_member = *visit - presence.joined_at < Duration::days(28);
            for (index, (post, _, published_at)) in theirs.iter().enumerate() {
                if !unread[index] || published_at > visit {
                    continue;
                }
                if rng.f64() >= appetite * freshness(*visit - *published_at, new_member) {
                    continue;
                }
                unread[index] = false;
                let at = *visit + Duration::minutes(rng.i64(1..VISIT_LENGTH.num_minutes() - 10));
                reads.push((*post, member, at));
                if rng.u8(..25) == 0 {
                    let kind = [
                        ReactionKind::Like,
                        ReactionKind::Learned,
                        ReactionKind::Thanks,
                    ][rng.usize(..3)];
                    reactions.push((*post, member, kind, at + Duration::minutes(2)));
                }
                if rng.u16(..250) == 0 {
                    comments.push(LeftComment {
                        post: *post,
                        member,
                        audience: own,
                        at: at + Duration::minutes(5),
                    });
                }
            }
        }
    }
    let mut conn = service.context().conn().await?;
    conn.transaction(async |conn| {
        reading::insert_reads(conn, &reads).await?;
        reading::insert_reactions(conn, &reactions).await
    })
    .await?;
    drop(conn);
    comments.sort_by_key(|comment| comment.at);
    for (index, comment) in comments.into_iter().enumerate() {
        let role = if comment.audience == PostAudience::Employees {
            Role::Employee
        } else {
            Role::Alumnus
        };
        let viewer = demo_viewer(comment.member, RoleSet::default().with(role));
        let text = data::COMMENTS[index % data::COMMENTS.len()];
        clock.set(comment.at);
        service
            .comment(&viewer, comment.post, None, text, true)
            .await?;
    }
    Ok(())
}
