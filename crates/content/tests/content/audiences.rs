//! Who sees a post, on every path, for every role.

use alumni_core::Role;
use alumni_test_support::{TestApp, TestMember};
use serde_json::{Value, json};

use super::support::{execute, feed, published};

/// Whether `viewer` reaches the post on each path; every path must agree.
async fn reaches(app: &TestApp, viewer: &TestMember, post: &str) -> bool {
    let listed = feed(app, viewer, json!(null))
        .await
        .contains(&post.to_owned());
    let response = app
        .client_as(viewer)
        .query_with(
            "query($id: ID!) { post(id: $id) { id } node(id: $id) { id } nodes(ids: [$id]) { id } }",
            json!({ "id": post }),
        )
        .await;
    let data = response.data();
    let by_id = data["post"]["id"] == post;
    assert_eq!(by_id, data["node"]["id"] == post, "{data:#}");
    assert_eq!(by_id, data["nodes"][0]["id"] == post, "{data:#}");
    assert_eq!(by_id, listed, "the feed agrees");
    let read = app
        .client_as(viewer)
        .query_with(
            "mutation($id: ID!) { markPostRead(id: $id) { id } }",
            json!({ "id": post }),
        )
        .await;
    assert_eq!(read.error_code().is_none(), by_id, "marking read agrees");
    let react = app
        .client_as(viewer)
        .query_with(
            "mutation($id: ID!) { reactToPost(id: $id, kind: LIKE) { id } }",
            json!({ "id": post }),
        )
        .await;
    assert_eq!(react.error_code().is_none(), by_id, "reacting agrees");
    let comment = app
        .client_as(viewer)
        .query_with(
            "mutation($id: ID!) { commentOnPost(postId: $id, body: \"よかったです\") { id } }",
            json!({ "id": post }),
        )
        .await;
    assert_eq!(comment.error_code().is_none(), by_id, "commenting agrees");
    by_id
}

#[tokio::test]
async fn each_audience_reaches_exactly_its_members() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let alumnus = app.create_member(&[Role::Alumnus]).await;
    let cohort_alumnus = app.create_member(&[Role::Alumnus]).await;
    let employee = app.create_member(&[Role::Employee]).await;
    let moderator = app.create_member(&[Role::Moderator]).await;
    let company = "0191d6a8-0000-7000-8000-000000000001";
    execute(&app, &format!("INSERT INTO membership.companies (id, name, name_kana, short_name, is_current, merged_on, description, created_at, updated_at) VALUES ('{company}', '北海道データ工房株式会社', 'ほっかいどうでーたこうぼう', 'hokkaido-data', false, '2003-04-01', '', now(), now())")).await;
    execute(&app, &format!("UPDATE membership.profiles SET company_id = '{company}', joined_on = '2001-04-01', left_on = '2012-03-31' WHERE member_id = '{}'", cohort_alumnus.id.0)).await;
    let company_id = app
        .client_as(&secretariat)
        .query("{ companies { id name } }")
        .await
        .data()["companies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|company| company["name"] == "北海道データ工房株式会社")
        .unwrap()["id"]
        .clone();

    let everyone = published(
        &app,
        &secretariat,
        "全員へ",
        json!({ "audience": "EVERYONE" }),
    )
    .await;
    let alumni = published(
        &app,
        &secretariat,
        "アルムナイへ",
        json!({ "audience": "ALUMNI" }),
    )
    .await;
    let employees = published(
        &app,
        &secretariat,
        "社員へ",
        json!({ "audience": "EMPLOYEES" }),
    )
    .await;
    let cohort = published(
        &app,
        &secretariat,
        "北海道の2010年代卒業生へ",
        json!({ "audience": "COHORT", "companyId": company_id, "leftFrom": 2010, "leftTo": 2014, "role": "ALUMNUS" }),
    )
    .await;

    let expect: [(&TestMember, [bool; 4]); 5] = [
        (&alumnus, [true, true, false, false]),
        (&cohort_alumnus, [true, true, false, true]),
        (&employee, [true, false, true, false]),
        (&moderator, [true, false, false, false]),
        (&secretariat, [true, true, true, true]),
    ];
    for (viewer, seen) in expect {
        for (post, expected) in [&everyone, &alumni, &employees, &cohort]
            .into_iter()
            .zip(seen)
        {
            assert_eq!(
                reaches(&app, viewer, post).await,
                expected,
                "{} and {post}",
                viewer.email
            );
        }
    }

    // Signed-out callers see nothing.
    let anonymous = app
        .client()
        .query_with(
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": everyone }),
        )
        .await;
    assert_eq!(anonymous.body["data"]["node"], Value::Null);
    app.client()
        .query("{ posts { totalCount } }")
        .await
        .expect_error("UNAUTHENTICATED");
}

#[tokio::test]
async fn drafts_are_for_the_secretariat_only() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let alumnus = app.create_member(&[Role::Alumnus]).await;
    let draft = super::support::create(
        &app,
        &secretariat,
        "下書き",
        "本文",
        json!({ "audience": "EVERYONE" }),
    )
    .await;
    let id = draft.data()["createPost"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(!reaches(&app, &alumnus, &id).await);
    let desk = app
        .client_as(&secretariat)
        .query("{ editorialDesk { totalCount nodes { id } } }")
        .await;
    assert_eq!(desk.data()["editorialDesk"]["nodes"][0]["id"], id.as_str());
    for operation in [
        "{ editorialDesk { totalCount } }",
        "mutation { createPostCategory(name: \"技術\") { id } }",
    ] {
        app.client_as(&alumnus)
            .query(operation)
            .await
            .expect_error("FORBIDDEN");
    }
    let create = super::support::create(
        &app,
        &alumnus,
        "投稿",
        "本文",
        json!({ "audience": "EVERYONE" }),
    )
    .await;
    create.expect_error("FORBIDDEN");
}
