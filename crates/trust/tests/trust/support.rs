//! Shared steps: rules, profiles, events and the queue.

use alumni_core::{Clock as _, Role};
use alumni_test_support::{TestApp, TestMember};
use chrono::Duration;
use serde_json::{Value, json};

/// Adds a rule as `secretariat`; returns its global id.
pub async fn rule(
    app: &TestApp,
    secretariat: &TestMember,
    kind: &str,
    terms: &[&str],
    action: &str,
    scope: &str,
) -> String {
    let input = json!({
        "name": format!("{kind} {action} {}", terms.join(",")),
        "category": "CONFIDENTIAL",
        "kind": kind,
        "terms": terms,
        "action": action,
        "scope": scope,
        "explanation": format!("{action}: not for this network"),
    });
    let response = app
        .client_as(secretariat)
        .query_with(
            "mutation($input: ModerationRuleInput!) { createModerationRule(input: $input) { id } }",
            json!({ "input": input }),
        )
        .await;
    response.data()["createModerationRule"]["id"]
        .as_str()
        .expect("rule id")
        .to_owned()
}

/// The demo-like rule set the tests share: a code name blocked
/// everywhere, a customer held where alumni read, ticket numbers warned
/// about where alumni read.
pub async fn rules(app: &TestApp, secretariat: &TestMember) {
    rule(
        app,
        secretariat,
        "TERM",
        &["Project Kestrel", "ケストレル計画"],
        "BLOCK",
        "EVERYWHERE",
    )
    .await;
    rule(
        app,
        secretariat,
        "TERM",
        &["北斗フィナンシャル", "Hokuto Financial"],
        "HOLD",
        "ALUMNI_FACING",
    )
    .await;
    rule(
        app,
        secretariat,
        "PATTERN",
        &[r"\bPRJ-\d{3,6}\b"],
        "WARN",
        "ALUMNI_FACING",
    )
    .await;
}

/// Sets the member's bio (with `confirmWarnings` as given).
pub async fn set_bio(
    app: &TestApp,
    member: &TestMember,
    bio: &str,
    confirm: bool,
) -> alumni_test_support::GqlResponse {
    app.client_as(member)
        .query_with(
            "mutation($bio: String!, $confirm: Boolean!) {
                updateMyProfile(input: { bio: $bio, bioVisibility: MEMBERS }, confirmWarnings: $confirm) { bio moderation }
            }",
            json!({ "bio": bio, "confirm": confirm }),
        )
        .await
}

/// The member's bio as `viewer` sees it through `member(id:)`.
pub async fn bio_seen_by(app: &TestApp, viewer: &TestMember, member: &TestMember) -> Value {
    app.client_as(viewer)
        .query_with(
            "query($id: ID!) { member(id: $id) { bio } }",
            json!({ "id": member.global_id() }),
        )
        .await
        .data()["member"]["bio"]
        .clone()
}

/// The open queue as `viewer` sees it.
pub async fn queue(app: &TestApp, viewer: &TestMember) -> Vec<Value> {
    let response = app
        .client_as(viewer)
        .query(
            "{ moderationQueue(first: 50) { totalCount nodes {
                id origin priority subjectId resolution
                subject { __typename id }
                author { id }
                reports { reason reporter { id } }
                notes { body }
            } } }",
        )
        .await;
    response.data()["moderationQueue"]["nodes"]
        .as_array()
        .expect("queue")
        .clone()
}

/// Resolves a case as `moderator`.
pub async fn resolve(
    app: &TestApp,
    moderator: &TestMember,
    case: &str,
    resolution: &str,
) -> alumni_test_support::GqlResponse {
    app.client_as(moderator)
        .query_with(
            "mutation($id: ID!, $resolution: Resolution!) {
                resolveModerationCase(id: $id, resolution: $resolution, note: \"確認しました\") { id resolution }
            }",
            json!({ "id": case, "resolution": resolution }),
        )
        .await
}

/// Reports a member's profile as `reporter`.
pub async fn report(
    app: &TestApp,
    reporter: &TestMember,
    subject: &str,
) -> alumni_test_support::GqlResponse {
    app.client_as(reporter)
        .query_with(
            "mutation($id: ID!) { reportContent(subjectId: $id, reason: SPAM, details: \"勧誘です\") { reason open } }",
            json!({ "id": subject }),
        )
        .await
}

/// A published online event for everyone a week ahead, created by
/// `secretariat` with `description`; the response of `createEvent`.
pub async fn create_event(
    app: &TestApp,
    secretariat: &TestMember,
    description: &str,
    audience: &str,
) -> alumni_test_support::GqlResponse {
    let starts_at = app.clock.now() + Duration::days(7);
    let input = json!({
        "title": "Rust 勉強会",
        "description": description,
        "kind": "STUDY_SESSION",
        "format": "ONLINE",
        "joinUrl": "https://meet.example/rust",
        "startsAt": starts_at.to_rfc3339(),
        "endsAt": (starts_at + Duration::hours(2)).to_rfc3339(),
        "audience": audience,
    });
    app.client_as(secretariat)
        .query_with(
            "mutation($input: CreateEventInput!) { createEvent(input: $input) { id } }",
            json!({ "input": input }),
        )
        .await
}

/// Publishes an event.
pub async fn publish(app: &TestApp, secretariat: &TestMember, event: &str) {
    app.client_as(secretariat)
        .query_with(
            "mutation($id: ID!) { publishEvent(id: $id) { id } }",
            json!({ "id": event }),
        )
        .await
        .data();
}

/// The roles the tests sign in with.
pub struct People {
    pub secretariat: TestMember,
    pub moderator: TestMember,
    pub author: TestMember,
    pub alumnus: TestMember,
    pub employee: TestMember,
    pub analyst: TestMember,
}

/// One member of each role, and the shared rules.
pub async fn people(app: &TestApp) -> People {
    let people = People {
        secretariat: app.create_member(&[Role::Secretariat]).await,
        moderator: app.create_member(&[Role::Moderator, Role::Alumnus]).await,
        author: app.create_member(&[Role::Alumnus]).await,
        alumnus: app.create_member(&[Role::Alumnus]).await,
        employee: app.create_member(&[Role::Employee]).await,
        analyst: app.create_member(&[Role::Analyst]).await,
    };
    rules(app, &people.secretariat).await;
    people
}

/// Rows of a table matching a condition, counted in the database.
pub async fn rows(app: &TestApp, sql: &str) -> i64 {
    use diesel::sql_types::BigInt;
    use diesel_async::RunQueryDsl as _;
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        count: i64,
    }
    let mut conn = app.database().connect().await;
    diesel::sql_query(format!("SELECT count(*) AS count FROM {sql}"))
        .get_result::<Count>(&mut conn)
        .await
        .expect("count rows")
        .count
}
