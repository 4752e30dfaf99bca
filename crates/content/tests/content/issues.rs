//! Newsletter issues: sending one publishes its posts, fixes its
//! recipients, notifies them, and mails only members who consented to the
//! newsletter and chose mail.

use alumni_core::Role;
use alumni_test_support::{TestApp, TestMember};
use serde_json::{Value, json};

use super::support::{create, feed, rows};

const ACCEPT: &str = "mutation($purposes: [ConsentPurpose!]!) {
    acceptTerms(version: \"2026-04\", purposes: $purposes) { purposes }
}";
const ISSUE: &str =
    "mutation($input: NewsletterIssueInput!) { createNewsletterIssue(input: $input) { id state } }";
const PUBLISH: &str = "mutation($id: ID!) { publishNewsletterIssue(id: $id) { state publishedAt recipientCount posts { title state } } }";

async fn accept(app: &TestApp, member: &TestMember, purposes: &[&str]) {
    app.client_as(member)
        .query_with(ACCEPT, json!({ "purposes": purposes }))
        .await
        .data();
}

#[tokio::test]
async fn sending_an_issue_publishes_its_posts_and_mails_only_those_who_chose_it() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let reader = app.create_member(&[Role::Alumnus]).await;
    let app_only = app.create_member(&[Role::Alumnus]).await;
    let no_consent = app.create_member(&[Role::Alumnus]).await;
    let employee = app.create_member(&[Role::Employee]).await;
    app.client_as(&secretariat)
        .query("mutation { publishTerms(input: { version: \"2026-04\", title: \"利用規約\", body: \"# 利用規約\" }) { id } }")
        .await
        .data();
    accept(&app, &secretariat, &["MEMBERSHIP"]).await;
    accept(&app, &reader, &["MEMBERSHIP", "NEWSLETTER"]).await;
    accept(&app, &app_only, &["MEMBERSHIP", "NEWSLETTER"]).await;
    accept(&app, &no_consent, &["MEMBERSHIP"]).await;
    accept(&app, &employee, &["MEMBERSHIP", "NEWSLETTER"]).await;
    app.client_as(&app_only)
        .query("mutation { setNotificationPreference(kind: \"content.issue_published\", channel: IN_APP) { channel } }")
        .await
        .data();

    let mut posts = Vec::new();
    for title in ["新年のご挨拶", "仙台オフィス開設"] {
        let created = create(
            &app,
            &secretariat,
            title,
            "本文",
            json!({ "audience": "ALUMNI" }),
        )
        .await;
        posts.push(
            created.data()["createPost"]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let input = json!({ "input": {
        "number": 1, "title": "2026年1月号", "editorNote": "今年もよろしくお願いします。",
        "postIds": posts, "audience": { "audience": "ALUMNI" },
    } });
    let client = app.client_as(&secretariat);
    let issue = client.query_with(ISSUE, input.clone()).await;
    let id = issue.data()["createNewsletterIssue"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    client
        .query_with(ISSUE, input)
        .await
        .expect_error("CONFLICT");
    assert!(
        feed(&app, &reader, json!(null)).await.is_empty(),
        "its posts wait for the issue"
    );

    let sent = client.query_with(PUBLISH, json!({ "id": id })).await;
    let sent = &sent.data()["publishNewsletterIssue"];
    assert_eq!(sent["state"], "PUBLISHED");
    assert_eq!(
        sent["recipientCount"], 4,
        "three alumni and the secretariat"
    );
    assert!(
        sent["posts"]
            .as_array()
            .unwrap()
            .iter()
            .all(|post| post["state"] == "PUBLISHED")
    );
    assert_eq!(feed(&app, &reader, json!(null)).await.len(), 2);
    let again = client.query_with(PUBLISH, json!({ "id": id })).await;
    assert_eq!(
        again.expect_error("CONFLICT")["extensions"]["reason"],
        "ALREADY_PUBLISHED"
    );

    app.jobs.drain().await.unwrap();
    let mail = app.written_mail();
    let issue_mail: Vec<_> = mail
        .iter()
        .map(|mail| mail.parsed())
        .filter(|message| {
            message
                .subject()
                .is_some_and(|subject| subject.contains("2026年1月号"))
        })
        .map(|message| {
            message
                .to()
                .unwrap()
                .first()
                .unwrap()
                .address()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        issue_mail,
        std::slice::from_ref(&reader.email),
        "only the consenting member who chose mail"
    );
    assert_eq!(rows(&app, "content.issue_recipients").await, 4);

    const BELL: &str = "{ me { notifications(first: 5) { nodes { kind payload { ... on IssueNotice { issue { number title } } } } } } }";
    for member in [&reader, &app_only, &no_consent] {
        let bell = app.client_as(member).query(BELL).await;
        let nodes = bell.data()["me"]["notifications"]["nodes"]
            .as_array()
            .unwrap()
            .clone();
        assert_eq!(nodes.len(), 1, "{}", member.email);
        assert_eq!(nodes[0]["payload"]["issue"]["number"], 1);
    }
    let bell = app.client_as(&employee).query(BELL).await;
    assert_eq!(bell.data()["me"]["notifications"]["nodes"], json!([]));

    const ARCHIVE: &str = "query($id: ID!) { newsletterIssues { totalCount nodes { title posts { title } } } node(id: $id) { id } }";
    let archive = app
        .client_as(&reader)
        .query_with(ARCHIVE, json!({ "id": id }))
        .await;
    assert_eq!(archive.data()["newsletterIssues"]["totalCount"], 1);
    assert_eq!(
        archive.data()["newsletterIssues"]["nodes"][0]["posts"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let outside = app
        .client_as(&employee)
        .query_with(ARCHIVE, json!({ "id": id }))
        .await;
    assert_eq!(outside.data()["newsletterIssues"]["totalCount"], 0);
    assert_eq!(outside.data()["node"], Value::Null);
    app.client_as(&reader)
        .query_with(PUBLISH, json!({ "id": id }))
        .await
        .expect_error("FORBIDDEN");

    for post in &posts {
        app.client_as(&reader)
            .query_with(
                "mutation($id: ID!) { markPostRead(id: $id) { id } }",
                json!({ "id": post }),
            )
            .await
            .data();
    }
    let stats = app
        .client_as(&secretariat)
        .query_with("query($id: ID!) { node(id: $id) { ... on NewsletterIssue { stats { readers audienceSize byCohort { suppressed } } } } }", json!({ "id": id }))
        .await;
    let stats = &stats.data()["node"]["stats"];
    assert_eq!(
        stats["readers"], 1,
        "one member, whatever the posts they read"
    );
    assert_eq!(stats["audienceSize"], 4);
    assert!(
        stats["byCohort"]
            .as_array()
            .unwrap()
            .iter()
            .all(|row| row["suppressed"] == true),
        "four members are too few to show"
    );
}

#[tokio::test]
async fn the_weekly_digest_lists_new_posts_of_the_members_audience() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let alumnus = app.create_member(&[Role::Alumnus]).await;
    app.client_as(&secretariat)
        .query("mutation { publishTerms(input: { version: \"2026-04\", title: \"利用規約\", body: \"# 利用規約\" }) { id } }")
        .await
        .data();
    accept(&app, &secretariat, &["MEMBERSHIP"]).await;
    accept(&app, &alumnus, &["MEMBERSHIP", "NEWSLETTER"]).await;
    app.clock.advance(chrono::Duration::hours(1));
    super::support::published(
        &app,
        &secretariat,
        "春の人事異動",
        json!({ "audience": "ALUMNI" }),
    )
    .await;
    super::support::published(
        &app,
        &secretariat,
        "社員限定のお知らせ",
        json!({ "audience": "EMPLOYEES" }),
    )
    .await;

    // Monday 2026-04-06 09:00 in Japan: the first weekly digests.
    app.clock.set("2026-04-06T00:00:00Z".parse().unwrap());
    app.jobs.schedule_recurring().await.unwrap();
    app.jobs.drain().await.unwrap();
    let mail = app.written_mail();
    assert_eq!(mail.len(), 1);
    let message = mail[0].parsed();
    let text = message.body_text(0).unwrap();
    assert!(text.contains("■ 社内報の新着"), "{text}");
    assert!(text.contains("春の人事異動"), "{text}");
    assert!(
        !text.contains("社員限定のお知らせ"),
        "outside the audience: {text}"
    );
}
