//! Consultations: requests, answers, limits under concurrency, what an
//! acceptance reveals (and to whom), expiry, the leak guard and reports.

use alumni_core::{Clock as _, Role};
use alumni_test_support::{GqlResponse, TestApp, TestMember};
use chrono::Duration;
use serde_json::{Value, json};

use super::support::{execute, rows};

const REQUEST: &str = "mutation($input: ConsultationRequestInput!) {
    requestConsultation(input: $input) { id state moderation expiresAt tags { name } }
}";

const FIELDS: &str = "id topic message state reply shareEmail viewerRole
    requester { id } expert { id } contact { email links { label url } }";

/// `requester` asks `expert` about `topic`; the response.
async fn request(
    app: &TestApp,
    requester: &TestMember,
    expert: &TestMember,
    topic: &str,
) -> GqlResponse {
    app.client_as(requester)
        .query_with(
            REQUEST,
            json!({ "input": {
                "expertId": expert.global_id(),
                "topic": topic,
                "message": "30分ほどお話を伺えませんか。",
                "tags": ["SRE", "Kubernetes"],
            } }),
        )
        .await
}

/// A request that was sent; its global id.
async fn requested(app: &TestApp, requester: &TestMember, expert: &TestMember) -> String {
    request(app, requester, expert, "SRE チームの立ち上げ方")
        .await
        .data()["requestConsultation"]["id"]
        .as_str()
        .expect("consultation id")
        .to_owned()
}

/// The request as `viewer` sees it through `node(id:)` (`null` if hidden
/// from them).
async fn node(app: &TestApp, viewer: &TestMember, id: &str) -> Value {
    app.client_as(viewer)
        .query_with(
            &format!(
                "query($id: ID!) {{ node(id: $id) {{ ... on Consultation {{ {FIELDS} }} }} }}"
            ),
            json!({ "id": id }),
        )
        .await
        .body["data"]["node"]
        .clone()
}

/// The requests `viewer` sent (`REQUESTER`) or received (`EXPERT`).
async fn mine(app: &TestApp, viewer: &TestMember, role: &str) -> Vec<Value> {
    let response = app
        .client_as(viewer)
        .query_with(
            &format!(
                "query($role: ConsultationRole!) {{ myConsultations(filter: {{ role: $role }}, first: 50) {{ totalCount nodes {{ {FIELDS} }} }} }}"
            ),
            json!({ "role": role }),
        )
        .await;
    let list = &response.data()["myConsultations"];
    let nodes = list["nodes"].as_array().expect("nodes").clone();
    assert_eq!(list["totalCount"], json!(nodes.len()));
    nodes
}

async fn answer(
    app: &TestApp,
    expert: &TestMember,
    id: &str,
    accept: bool,
    share_email: bool,
) -> GqlResponse {
    let query = if accept {
        format!(
            "mutation($id: ID!, $share: Boolean!) {{ acceptConsultation(id: $id, shareEmail: $share, reply: \"喜んで。\") {{ {FIELDS} }} }}"
        )
    } else {
        format!(
            "mutation($id: ID!) {{ declineConsultation(id: $id, reply: \"今月は難しいです。\") {{ {FIELDS} }} }}"
        )
    };
    app.client_as(expert)
        .query_with(&query, json!({ "id": id, "share": share_email }))
        .await
}

/// Gives `member` a link on their profile, shown to `visibility`.
async fn set_links(app: &TestApp, member: &TestMember, visibility: &str) {
    app.client_as(member)
        .query_with(
            "mutation($visibility: Visibility!) { updateMyProfile(input: {
                links: [{ label: \"GitHub\", url: \"https://github.com/example\" }],
                linksVisibility: $visibility
            }) { id } }",
            json!({ "visibility": visibility }),
        )
        .await
        .data();
}

/// The kinds (and payloads) of `member`'s notifications, newest first.
async fn notifications(app: &TestApp, member: &TestMember) -> Vec<Value> {
    let response = app
        .client_as(member)
        .query(
            "{ me { notifications(first: 50) { nodes { kind payload {
                ... on ConsultationNotice { accepted consultation { id state } }
            } } } } }",
        )
        .await;
    response.data()["me"]["notifications"]["nodes"]
        .as_array()
        .expect("notifications")
        .clone()
}

fn reason(response: &GqlResponse) -> &str {
    response.expect_error("CONFLICT")["extensions"]["reason"]
        .as_str()
        .expect("a reason")
}

#[tokio::test]
async fn an_acceptance_shows_the_requester_how_to_reach_the_expert_and_nobody_else() {
    let app = TestApp::spawn().await;
    let requester = app.create_member(&[Role::Alumnus]).await;
    let expert = app.create_member(&[Role::Alumnus]).await;
    let other = app.create_member(&[Role::Alumnus]).await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    set_links(&app, &expert, "MEMBERS").await;
    let id = requested(&app, &requester, &expert).await;

    // Waiting: no contact on any path, for anyone.
    assert_eq!(node(&app, &requester, &id).await["contact"], Value::Null);
    assert_eq!(node(&app, &expert, &id).await["contact"], Value::Null);
    assert_eq!(
        mine(&app, &requester, "REQUESTER").await[0]["contact"],
        Value::Null
    );
    assert_eq!(
        mine(&app, &expert, "EXPERT").await[0]["contact"],
        Value::Null
    );
    assert_eq!(node(&app, &other, &id).await, Value::Null, "not theirs");
    assert!(mine(&app, &other, "REQUESTER").await.is_empty());
    assert!(mine(&app, &other, "EXPERT").await.is_empty());
    let seen_by_expert = node(&app, &expert, &id).await;
    assert_eq!(seen_by_expert["viewerRole"], "EXPERT");
    assert_eq!(seen_by_expert["topic"], "SRE チームの立ち上げ方");

    let accepted = answer(&app, &expert, &id, true, true).await;
    let accepted = &accepted.data()["acceptConsultation"];
    assert_eq!(accepted["state"], "ACCEPTED");
    let contact = json!({
        "email": expert.email,
        "links": [{ "label": "GitHub", "url": "https://github.com/example" }],
    });
    assert_eq!(
        accepted["contact"], contact,
        "the expert sees what they shared"
    );
    assert_eq!(node(&app, &requester, &id).await["contact"], contact);
    assert_eq!(
        mine(&app, &requester, "REQUESTER").await[0]["contact"],
        contact
    );
    let notified = notifications(&app, &requester).await;
    assert_eq!(notified[0]["kind"], "knowledge.consultation_answered");
    assert_eq!(notified[0]["payload"]["accepted"], true);
    assert_eq!(notified[0]["payload"]["consultation"]["id"], id.as_str());

    // Nobody else, moderators included, sees how to reach the expert.
    assert_eq!(node(&app, &other, &id).await, Value::Null);
    let moderated = node(&app, &secretariat, &id).await;
    assert_eq!(moderated["state"], "ACCEPTED", "moderators see the request");
    assert_eq!(moderated["viewerRole"], Value::Null);
    assert_eq!(moderated["contact"], Value::Null);
}

#[tokio::test]
async fn the_address_needs_the_experts_consent_and_links_follow_their_visibility() {
    let app = TestApp::spawn().await;
    let requester = app.create_member(&[Role::Alumnus]).await;
    let expert = app.create_member(&[Role::Employee]).await;
    // Shown to the secretariat only: not to a fellow member, accepted or not.
    set_links(&app, &expert, "SECRETARIAT").await;
    let id = requested(&app, &requester, &expert).await;
    answer(&app, &expert, &id, true, false).await.data();
    assert_eq!(
        node(&app, &requester, &id).await["contact"],
        json!({ "email": null, "links": [] })
    );
    assert_eq!(node(&app, &requester, &id).await["shareEmail"], false);

    // A declined request reveals nothing.
    let declined_by = app.create_member(&[Role::Alumnus]).await;
    set_links(&app, &declined_by, "MEMBERS").await;
    let declined = requested(&app, &requester, &declined_by).await;
    let response = answer(&app, &declined_by, &declined, false, false).await;
    assert_eq!(response.data()["declineConsultation"]["state"], "DECLINED");
    assert_eq!(
        response.data()["declineConsultation"]["contact"],
        Value::Null
    );
    let seen = node(&app, &requester, &declined).await;
    assert_eq!(seen["contact"], Value::Null);
    assert_eq!(seen["reply"], "今月は難しいです。");
    assert_eq!(
        notifications(&app, &requester).await[0]["payload"]["accepted"],
        false
    );

    // Answered once, never again.
    assert_eq!(
        reason(&answer(&app, &expert, &id, true, true).await),
        "NOT_PENDING"
    );
}

#[tokio::test]
async fn only_the_expert_answers_and_only_the_requester_withdraws() {
    let app = TestApp::spawn().await;
    let requester = app.create_member(&[Role::Alumnus]).await;
    let expert = app.create_member(&[Role::Alumnus]).await;
    let other = app.create_member(&[Role::Employee]).await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let id = requested(&app, &requester, &expert).await;
    assert_eq!(
        notifications(&app, &expert).await[0]["kind"],
        "knowledge.consultation_requested"
    );

    for member in [&requester, &other, &secretariat] {
        answer(&app, member, &id, true, true)
            .await
            .expect_error("NOT_FOUND");
    }
    let anonymous = app
        .client()
        .query_with(
            "mutation($id: ID!) { acceptConsultation(id: $id, shareEmail: true) { id } }",
            json!({ "id": id }),
        )
        .await;
    anonymous.expect_error("UNAUTHENTICATED");
    app.client()
        .query("{ myConsultations(filter: { role: REQUESTER }) { totalCount } }")
        .await
        .expect_error("UNAUTHENTICATED");

    const WITHDRAW: &str = "mutation($id: ID!) { withdrawConsultation(id: $id) { state } }";
    for member in [&expert, &other, &secretariat] {
        app.client_as(member)
            .query_with(WITHDRAW, json!({ "id": id }))
            .await
            .expect_error("NOT_FOUND");
    }
    let withdrawn = app
        .client_as(&requester)
        .query_with(WITHDRAW, json!({ "id": id }))
        .await;
    assert_eq!(
        withdrawn.data()["withdrawConsultation"]["state"],
        "WITHDRAWN"
    );
    assert_eq!(
        reason(&answer(&app, &expert, &id, true, true).await),
        "NOT_PENDING"
    );
}

#[tokio::test]
async fn requests_respect_the_experts_choices_and_the_limits() {
    let app = TestApp::spawn().await;
    let requester = app.create_member(&[Role::Alumnus]).await;
    let expert = app.create_member(&[Role::Alumnus]).await;

    request(&app, &requester, &requester, "自分に相談")
        .await
        .expect_error("BAD_USER_INPUT");
    let empty = app
        .client_as(&requester)
        .query_with(
            REQUEST,
            json!({ "input": { "expertId": expert.global_id(), "topic": " ", "message": "本文" } }),
        )
        .await;
    assert_eq!(
        empty.expect_error("BAD_USER_INPUT")["extensions"]["field"],
        "input.topic"
    );

    const SETTINGS: &str = "mutation($input: ExpertSettingsInput!) {
        updateExpertSettings(input: $input) { acceptsConsultations maxPending }
    }";
    let defaults = app
        .client_as(&expert)
        .query("{ myExpertSettings { acceptsConsultations maxPending } }")
        .await;
    assert_eq!(
        defaults.data()["myExpertSettings"],
        json!({ "acceptsConsultations": true, "maxPending": 3 })
    );
    app.client_as(&expert)
        .query_with(SETTINGS, json!({ "input": { "maxPending": 21 } }))
        .await
        .expect_error("BAD_USER_INPUT");
    app.client_as(&expert)
        .query_with(
            SETTINGS,
            json!({ "input": { "acceptsConsultations": false } }),
        )
        .await
        .data();
    assert_eq!(
        reason(&request(&app, &requester, &expert, "相談").await),
        "NOT_ACCEPTING"
    );
    const AVAILABILITY: &str = "query($id: ID!) { consultationAvailability(expertId: $id) }";
    let availability = app
        .client_as(&requester)
        .query_with(AVAILABILITY, json!({ "id": expert.global_id() }))
        .await;
    assert_eq!(
        availability.data()["consultationAvailability"],
        "NOT_ACCEPTING"
    );

    let changed = app
        .client_as(&expert)
        .query_with(
            SETTINGS,
            json!({ "input": { "acceptsConsultations": true, "maxPending": 1 } }),
        )
        .await;
    assert_eq!(
        changed.data()["updateExpertSettings"],
        json!({ "acceptsConsultations": true, "maxPending": 1 })
    );
    let first = requested(&app, &requester, &expert).await;
    assert_eq!(
        reason(&request(&app, &requester, &expert, "もう一度").await),
        "ALREADY_PENDING"
    );
    let second = app.create_member(&[Role::Employee]).await;
    assert_eq!(
        reason(&request(&app, &second, &expert, "相談").await),
        "EXPERT_AT_CAPACITY"
    );
    let availability = app
        .client_as(&second)
        .query_with(AVAILABILITY, json!({ "id": expert.global_id() }))
        .await;
    assert_eq!(
        availability.data()["consultationAvailability"],
        "AT_CAPACITY"
    );
    answer(&app, &expert, &first, false, false).await.data();
    requested(&app, &second, &expert).await;

    // Five waiting requests at most per requester, to anyone.
    let mut experts = Vec::new();
    for _ in 0..6 {
        experts.push(app.create_member(&[Role::Alumnus]).await);
    }
    for expert in &experts[..5] {
        requested(&app, &requester, expert).await;
    }
    assert_eq!(
        reason(&request(&app, &requester, &experts[5], "相談").await),
        "TOO_MANY_PENDING"
    );
    assert_eq!(
        rows(
            &app,
            &format!(
                "knowledge.consultations WHERE state = 'PENDING' AND requester_id = '{}'",
                requester.id.0
            )
        )
        .await,
        5
    );

    // Suspended or withdrawn members cannot be asked.
    let suspended = app.create_member(&[Role::Alumnus]).await;
    execute(
        &app,
        &format!(
            "UPDATE membership.members SET status = 'SUSPENDED' WHERE id = '{}'",
            suspended.id.0
        ),
    )
    .await;
    let other = app.create_member(&[Role::Alumnus]).await;
    request(&app, &other, &suspended, "相談")
        .await
        .expect_error("NOT_FOUND");
}

#[tokio::test]
async fn concurrent_requests_never_exceed_the_experts_limit() {
    let app = TestApp::spawn().await;
    let expert = app.create_member(&[Role::Alumnus]).await;
    app.client_as(&expert)
        .query("mutation { updateExpertSettings(input: { maxPending: 2 }) { maxPending } }")
        .await
        .data();
    // Each process has a pool of one connection: requests through several
    // processes really run at the same time.
    let mut processes = vec![];
    for _ in 0..5 {
        processes.push(app.spawn_beside().await);
    }
    let mut requesters = Vec::new();
    for _ in 0..6 {
        requesters.push(app.create_member(&[Role::Alumnus]).await);
    }
    let attempts = requesters.iter().enumerate().map(|(index, requester)| {
        let process = if index == 0 {
            &app
        } else {
            &processes[index - 1]
        };
        request(process, requester, &expert, "同時の依頼")
    });
    let responses = futures_util::future::join_all(attempts).await;
    let accepted = responses
        .iter()
        .filter(|response| response.body["errors"].is_null())
        .count();
    let refused: Vec<&str> = responses
        .iter()
        .filter(|response| !response.body["errors"].is_null())
        .map(reason)
        .collect();
    assert_eq!(accepted, 2, "{responses:?}");
    assert_eq!(refused, vec!["EXPERT_AT_CAPACITY"; 4]);
    assert_eq!(
        rows(&app, "knowledge.consultations WHERE state = 'PENDING'").await,
        2
    );
}

#[tokio::test]
async fn unanswered_requests_expire_after_a_week_and_the_requester_is_told_once() {
    let app = TestApp::spawn().await;
    let requester = app.create_member(&[Role::Alumnus]).await;
    let expert = app.create_member(&[Role::Alumnus]).await;
    let id = requested(&app, &requester, &expert).await;

    app.clock.advance(Duration::days(6));
    app.jobs.schedule_recurring().await.unwrap();
    app.jobs.drain().await.unwrap();
    assert_eq!(node(&app, &requester, &id).await["state"], "PENDING");

    app.clock.advance(Duration::days(2));
    assert_eq!(
        reason(&answer(&app, &expert, &id, true, true).await),
        "EXPIRED",
        "past its time, even before the sweep"
    );
    app.jobs.schedule_recurring().await.unwrap();
    app.jobs.drain().await.unwrap();
    assert_eq!(node(&app, &requester, &id).await["state"], "EXPIRED");
    let told = notifications(&app, &requester).await;
    assert_eq!(told[0]["kind"], "knowledge.consultation_expired");
    assert_eq!(told[0]["payload"]["consultation"]["state"], "EXPIRED");
    assert!(
        app.written_mail().iter().any(|mail| mail
            .parsed()
            .subject()
            .unwrap_or_default()
            .contains("期限切れ")),
        "told by mail too"
    );

    app.clock.advance(Duration::hours(1));
    app.jobs.schedule_recurring().await.unwrap();
    app.jobs.drain().await.unwrap();
    let expired_notices = notifications(&app, &requester)
        .await
        .iter()
        .filter(|notice| notice["kind"] == "knowledge.consultation_expired")
        .count();
    assert_eq!(expired_notices, 1, "the sweep tells no one twice");
    assert_eq!(
        reason(&answer(&app, &expert, &id, true, true).await),
        "NOT_PENDING"
    );

    // Expired requests free the expert's place and the requester's.
    requested(&app, &requester, &expert).await;
}

async fn rule(app: &TestApp, secretariat: &TestMember, term: &str, action: &str) {
    app.client_as(secretariat)
        .query_with(
            "mutation($input: ModerationRuleInput!) { createModerationRule(input: $input) { id } }",
            json!({ "input": {
                "name": format!("{action} {term}"),
                "category": "CONFIDENTIAL",
                "kind": "TERM",
                "terms": [term],
                "action": action,
                "scope": "EVERYWHERE",
                "explanation": "この場では書けません。",
            } }),
        )
        .await
        .data();
}

#[tokio::test]
async fn the_leak_guard_checks_requests_and_replies_and_held_requests_wait_for_a_moderator() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let moderator = app.create_member(&[Role::Moderator]).await;
    let requester = app.create_member(&[Role::Alumnus]).await;
    let expert = app.create_member(&[Role::Alumnus]).await;
    rule(&app, &secretariat, "オリオン計画", "BLOCK").await;
    rule(&app, &secretariat, "未発表の提携", "HOLD").await;

    request(&app, &requester, &expert, "オリオン計画の進め方")
        .await
        .expect_error("CONTENT_BLOCKED");
    assert_eq!(rows(&app, "knowledge.consultations").await, 0);

    let held = request(&app, &requester, &expert, "未発表の提携について").await;
    let held = &held.data()["requestConsultation"];
    assert_eq!(held["moderation"], "HELD");
    let id = held["id"].as_str().unwrap().to_owned();
    assert_eq!(node(&app, &expert, &id).await, Value::Null);
    assert!(mine(&app, &expert, "EXPERT").await.is_empty());
    assert!(notifications(&app, &expert).await.is_empty());
    answer(&app, &expert, &id, true, true)
        .await
        .expect_error("NOT_FOUND");
    assert_eq!(mine(&app, &requester, "REQUESTER").await.len(), 1);

    app.clock.advance(Duration::days(3));
    let queue = app
        .client_as(&moderator)
        .query("{ moderationQueue(first: 10) { nodes { id subject { __typename id } } } }")
        .await;
    let case = &queue.data()["moderationQueue"]["nodes"][0];
    assert_eq!(case["subject"]["__typename"], "Consultation");
    app.client_as(&moderator)
        .query_with(
            "mutation($id: ID!) { resolveModerationCase(id: $id, resolution: RELEASED, note: \"問題ありません\") { id } }",
            json!({ "id": case["id"] }),
        )
        .await
        .data();
    assert_eq!(node(&app, &expert, &id).await["state"], "PENDING");
    assert_eq!(
        notifications(&app, &expert).await[0]["kind"],
        "knowledge.consultation_requested",
        "the expert hears of it once released"
    );
    let released = app
        .client_as(&requester)
        .query_with(
            "query($id: ID!) { node(id: $id) { ... on Consultation { expiresAt } } }",
            json!({ "id": id }),
        )
        .await;
    let expires_at: chrono::DateTime<chrono::Utc> = released.data()["node"]["expiresAt"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        expires_at,
        app.clock.now() + Duration::days(7),
        "a full week from the release"
    );

    // A reply is checked too; one the guard would hold is not sent.
    app.client_as(&expert)
        .query_with(
            "mutation($id: ID!) { declineConsultation(id: $id, reply: \"オリオン計画で忙しいです\") { id } }",
            json!({ "id": id }),
        )
        .await
        .expect_error("CONTENT_BLOCKED");
    let refused = app
        .client_as(&expert)
        .query_with(
            "mutation($id: ID!) { declineConsultation(id: $id, reply: \"未発表の提携の件で手一杯です\") { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(reason(&refused), "NEEDS_REVIEW");
    assert_eq!(node(&app, &expert, &id).await["state"], "PENDING");
}

#[tokio::test]
async fn a_report_takes_a_request_away_from_the_expert() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let requester = app.create_member(&[Role::Alumnus]).await;
    let expert = app.create_member(&[Role::Alumnus]).await;
    app.client_as(&secretariat)
        .query("mutation { setReportThreshold(threshold: 1) }")
        .await
        .data();
    let id = requested(&app, &requester, &expert).await;
    let other = app.create_member(&[Role::Alumnus]).await;
    const REPORT: &str =
        "mutation($id: ID!) { reportContent(subjectId: $id, reason: SPAM) { reason } }";
    app.client_as(&other)
        .query_with(REPORT, json!({ "id": id }))
        .await
        .expect_error("NOT_FOUND");
    app.client_as(&expert)
        .query_with(REPORT, json!({ "id": id }))
        .await
        .data();
    assert_eq!(node(&app, &expert, &id).await, Value::Null);
    assert!(mine(&app, &expert, "EXPERT").await.is_empty());
    assert_eq!(node(&app, &requester, &id).await["state"], "PENDING");
    let held = app
        .client_as(&requester)
        .query_with(
            "query($id: ID!) { node(id: $id) { ... on Consultation { moderation } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(held.data()["node"]["moderation"], "HIDDEN");
}
