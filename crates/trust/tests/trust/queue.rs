//! Reports, the review queue's resolutions, notes, assignment and appeals.

use alumni_core::Role;
use alumni_test_support::TestApp;
use serde_json::{Value, json};

use super::support::{bio_seen_by, people, queue, report, resolve, rows, set_bio};

const MY_CASES: &str = "{ myModerationCases {
    id origin resolution resolutionNote appealable appealed
    reports { reason reporter { id } details }
    notes { body }
} }";

#[tokio::test]
async fn reports_hide_content_once_enough_members_report_it() {
    let app = TestApp::spawn().await;
    let people = people(&app).await;
    set_bio(&app, &people.author, "副業の勧誘はこちら", false)
        .await
        .data();
    app.client_as(&people.secretariat)
        .query("mutation { setReportThreshold(threshold: 2) }")
        .await
        .data();
    let subject = people.author.global_id();

    let first = report(&app, &people.alumnus, &subject).await;
    assert_eq!(first.data()["reportContent"]["reason"], "SPAM");
    let again = report(&app, &people.alumnus, &subject).await;
    assert_eq!(
        again.expect_error("CONFLICT")["extensions"]["reason"],
        "ALREADY_REPORTED"
    );
    let own = report(&app, &people.author, &subject).await;
    assert_eq!(
        own.expect_error("CONFLICT")["extensions"]["reason"],
        "OWN_CONTENT"
    );
    assert_eq!(
        bio_seen_by(&app, &people.employee, &people.author).await,
        "副業の勧誘はこちら"
    );

    report(&app, &people.employee, &subject).await.data();
    assert_eq!(
        bio_seen_by(&app, &people.analyst, &people.author).await,
        Value::Null,
        "hidden pending review"
    );
    assert_eq!(
        bio_seen_by(&app, &people.author, &people.author).await,
        "副業の勧誘はこちら"
    );
    assert_eq!(
        bio_seen_by(&app, &people.moderator, &people.author).await,
        "副業の勧誘はこちら"
    );

    let queue = queue(&app, &people.moderator).await;
    assert_eq!(queue.len(), 1, "reports join one case");
    assert_eq!(queue[0]["origin"], "REPORTED");
    assert_eq!(queue[0]["priority"], 90);
    assert_eq!(queue[0]["reports"].as_array().unwrap().len(), 2);
    assert_eq!(
        queue[0]["reports"][0]["reporter"]["id"],
        people.alumnus.global_id().as_str()
    );

    // The author learns why, never who.
    let mine = app.client_as(&people.author).query(MY_CASES).await;
    let case = &mine.data()["myModerationCases"][0];
    assert_eq!(case["reports"][0]["reason"], "SPAM");
    assert_eq!(case["reports"][0]["reporter"], Value::Null);
    assert_eq!(case["reports"][0]["details"], Value::Null);

    resolve(
        &app,
        &people.moderator,
        queue[0]["id"].as_str().unwrap(),
        "DISMISSED",
    )
    .await
    .data();
    assert_eq!(
        bio_seen_by(&app, &people.analyst, &people.author).await,
        "副業の勧誘はこちら"
    );
    // Reports of a decided case are closed: the member may report again.
    report(&app, &people.alumnus, &subject).await.data();
}

#[tokio::test]
async fn resolutions_decide_what_members_see_and_the_author_is_told() {
    let app = TestApp::spawn().await;
    let people = people(&app).await;
    let text = "北斗フィナンシャルの決済基盤を担当";
    set_bio(&app, &people.author, text, false).await.data();
    let case = queue(&app, &people.moderator).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let released = resolve(&app, &people.moderator, &case, "RELEASED").await;
    assert_eq!(
        released.data()["resolveModerationCase"]["resolution"],
        "RELEASED"
    );
    assert_eq!(
        bio_seen_by(&app, &people.alumnus, &people.author).await,
        text
    );
    resolve(&app, &people.moderator, &case, "HIDDEN")
        .await
        .expect_error("CONFLICT");
    assert_eq!(app.audit_count("trust.case_resolved").await, 1);

    let notices = app
        .client_as(&people.author)
        .query(
            "{ me { notifications(first: 5) { nodes {
                kind subject { __typename id }
                payload { ... on ModerationNotice { resolution case { resolutionNote appealable } } }
            } } } }",
        )
        .await;
    let notice = &notices.data()["me"]["notifications"]["nodes"][0];
    assert_eq!(notice["kind"], "trust.case_decided");
    assert_eq!(notice["subject"]["__typename"], "ModerationCase");
    assert_eq!(notice["subject"]["id"], case.as_str());
    assert_eq!(notice["payload"]["resolution"], "RELEASED");
    assert_eq!(notice["payload"]["case"]["resolutionNote"], "確認しました");
    assert_eq!(notice["payload"]["case"]["appealable"], false);

    let subject = people.author.global_id();
    report(&app, &people.alumnus, &subject).await.data();
    let reported = queue(&app, &people.moderator).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    resolve(&app, &people.moderator, &reported, "DELETED")
        .await
        .data();
    assert_eq!(
        bio_seen_by(&app, &people.alumnus, &people.author).await,
        Value::Null
    );
    let mine = app.client_as(&people.author).query(MY_CASES).await;
    assert_eq!(mine.data()["myModerationCases"][0]["resolution"], "DELETED");
    assert_eq!(
        mine.data()["myModerationCases"][0]["resolutionNote"],
        "確認しました"
    );
    assert_eq!(mine.data()["myModerationCases"][0]["appealable"], true);
    assert_eq!(
        mine.data()["myModerationCases"][1]["appealable"],
        false,
        "a released text has nothing to appeal"
    );
}

#[tokio::test]
async fn only_the_secretariat_suspends_and_the_author_is_signed_out() {
    let app = TestApp::spawn().await;
    let people = people(&app).await;
    report(&app, &people.alumnus, &people.author.global_id())
        .await
        .data();
    let case = queue(&app, &people.moderator).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let refused = resolve(&app, &people.moderator, &case, "SUSPENDED").await;
    assert_eq!(
        refused.expect_error("FORBIDDEN")["extensions"]["reason"],
        "SECRETARIAT_ONLY"
    );
    let suspended = resolve(&app, &people.secretariat, &case, "SUSPENDED").await;
    assert_eq!(
        suspended.data()["resolveModerationCase"]["resolution"],
        "SUSPENDED"
    );
    app.client_as(&people.author)
        .query("{ myModerationCases { id } }")
        .await
        .expect_error("UNAUTHENTICATED");
    assert_eq!(
        rows(&app, "membership.members WHERE status = 'SUSPENDED'").await,
        1
    );
    assert_eq!(app.audit_count("membership.member_suspended").await, 1);
}

#[tokio::test]
async fn an_author_appeals_once_and_the_appeal_returns_to_the_queue() {
    let app = TestApp::spawn().await;
    let people = people(&app).await;
    set_bio(&app, &people.author, "北斗フィナンシャル案件の話", false)
        .await
        .data();
    let case = queue(&app, &people.moderator).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    const APPEAL: &str = "mutation($id: ID!) { appealModerationCase(id: $id, text: \"公開済みの事例です\") { id origin appealText } }";

    app.client_as(&people.author)
        .query_with(APPEAL, json!({ "id": case }))
        .await
        .expect_error("CONFLICT");
    resolve(&app, &people.moderator, &case, "HIDDEN")
        .await
        .data();
    app.client_as(&people.alumnus)
        .query_with(APPEAL, json!({ "id": case }))
        .await
        .expect_error("NOT_FOUND");
    let appeal = app
        .client_as(&people.author)
        .query_with(APPEAL, json!({ "id": case }))
        .await;
    assert_eq!(appeal.data()["appealModerationCase"]["origin"], "APPEAL");
    let again = app
        .client_as(&people.author)
        .query_with(APPEAL, json!({ "id": case }))
        .await;
    assert_eq!(
        again.expect_error("CONFLICT")["extensions"]["reason"],
        "ALREADY_APPEALED"
    );

    let queue = queue(&app, &people.moderator).await;
    assert_eq!(queue.len(), 1);
    assert_eq!(queue[0]["origin"], "APPEAL");
    resolve(
        &app,
        &people.moderator,
        queue[0]["id"].as_str().unwrap(),
        "RELEASED",
    )
    .await
    .data();
    assert_eq!(
        bio_seen_by(&app, &people.alumnus, &people.author).await,
        "北斗フィナンシャル案件の話"
    );
}

#[tokio::test]
async fn cases_are_assigned_to_moderators_and_notes_stay_in_the_queue() {
    let app = TestApp::spawn().await;
    let people = people(&app).await;
    let second_moderator = app.create_member(&[Role::Moderator]).await;
    set_bio(&app, &people.author, "Hokuto Financial の案件", false)
        .await
        .data();
    let case = queue(&app, &people.moderator).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let client = app.client_as(&people.moderator);
    const ASSIGN: &str = "mutation($id: ID!, $to: ID) { assignModerationCase(id: $id, assigneeId: $to) { assignee { id } } }";

    client
        .query_with(
            ASSIGN,
            json!({ "id": case, "to": people.alumnus.global_id() }),
        )
        .await
        .expect_error("BAD_USER_INPUT");
    let assigned = client
        .query_with(
            ASSIGN,
            json!({ "id": case, "to": second_moderator.global_id() }),
        )
        .await;
    assert_eq!(
        assigned.data()["assignModerationCase"]["assignee"]["id"],
        second_moderator.global_id().as_str()
    );
    let mine = app
        .client_as(&second_moderator)
        .query("{ moderationQueue(assignedToMe: true) { totalCount } }")
        .await;
    assert_eq!(mine.data()["moderationQueue"]["totalCount"], 1);

    client
        .query_with(
            "mutation($id: ID!) { addModerationNote(id: $id, body: \"顧客名の公開可否を営業に確認中\") { notes { body author { id } } } }",
            json!({ "id": case }),
        )
        .await
        .data();
    assert_eq!(
        queue(&app, &second_moderator).await[0]["notes"][0]["body"],
        "顧客名の公開可否を営業に確認中"
    );
    let author_view = app.client_as(&people.author).query(MY_CASES).await;
    assert_eq!(
        author_view.data()["myModerationCases"][0]["notes"],
        json!([])
    );
}

#[tokio::test]
async fn reports_are_exported_and_kept_anonymously_after_withdrawal() {
    let app = TestApp::spawn().await;
    let people = people(&app).await;
    report(&app, &people.alumnus, &people.author.global_id())
        .await
        .data();
    let export = app
        .client_as(&people.alumnus)
        .query("mutation { exportMyData }")
        .await;
    let reports = &export.data()["exportMyData"]["trust"]["reports"];
    assert_eq!(reports[0]["reason"], "SPAM");
    assert_eq!(reports[0]["subjectType"], "Member");

    app.client_as(&people.alumnus)
        .query("mutation { withdrawMembership(confirm: true) }")
        .await
        .data();
    let queue = queue(&app, &people.moderator).await;
    assert_eq!(
        queue[0]["reports"][0]["reason"], "SPAM",
        "the report still counts"
    );
    assert_eq!(queue[0]["reports"][0]["reporter"], Value::Null);
    assert_eq!(
        rows(
            &app,
            &format!(
                "trust.reports WHERE reporter_id = '{}'",
                people.alumnus.id.0
            )
        )
        .await,
        0
    );
}
