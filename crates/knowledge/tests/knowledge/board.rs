//! The collaboration board: posting, the open board and its filters,
//! interest (whose list only the author sees), expiry and renewal,
//! closing, the secretariat's lack of powers, the leak guard and reports.

use alumni_core::Role;
use alumni_core::secrets::ExposeSecret as _;
use alumni_test_support::{GqlResponse, TestApp, TestMember};
use chrono::Duration;
use serde_json::{Value, json};

use super::support::rows;

const CREATE: &str = "mutation($input: BoardPostInput!) {
    createBoardPost(input: $input) { id open moderation expiresAt kind { slug nameJa } tags { name } bodyHtml }
}";

const POST_FIELDS: &str = "id title open closedAt interestCount
    myInterest { message }
    interests(first: 10) { totalCount nodes { member { id } message } }";

async fn create(
    app: &TestApp,
    author: &TestMember,
    kind: &str,
    direction: &str,
    title: &str,
    tags: &[&str],
) -> GqlResponse {
    app.client_as(author)
        .query_with(
            CREATE,
            json!({ "input": {
                "kind": kind,
                "direction": direction,
                "title": title,
                "body": "隔週の木曜夜に **オンライン** で集まります。",
                "tags": tags,
            } }),
        )
        .await
}

/// A study group looking for members, posted by `author`; its global id.
async fn posted(app: &TestApp, author: &TestMember, title: &str) -> String {
    create(app, author, "study_group", "SEEKING", title, &["Rust"])
        .await
        .data()["createBoardPost"]["id"]
        .as_str()
        .expect("post id")
        .to_owned()
}

/// The ids of the open board as `viewer` sees it, with its arguments.
async fn board(app: &TestApp, viewer: &TestMember, arguments: &str) -> Vec<String> {
    let response = app
        .client_as(viewer)
        .query(&format!(
            "{{ boardPosts(first: 50{arguments}) {{ totalCount nodes {{ id }} }} }}"
        ))
        .await;
    let list = &response.data()["boardPosts"];
    let ids: Vec<String> = list["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|node| node["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(list["totalCount"], json!(ids.len()));
    ids
}

/// The post as `viewer` sees it through `node(id:)`.
async fn node(app: &TestApp, viewer: &TestMember, id: &str) -> Value {
    app.client_as(viewer)
        .query_with(
            &format!(
                "query($id: ID!) {{ node(id: $id) {{ ... on BoardPost {{ {POST_FIELDS} }} }} }}"
            ),
            json!({ "id": id }),
        )
        .await
        .body["data"]["node"]
        .clone()
}

async fn interest(app: &TestApp, member: &TestMember, id: &str, message: &str) -> GqlResponse {
    app.client_as(member)
        .query_with(
            &format!(
                "mutation($id: ID!, $message: String!) {{ expressInterest(postId: $id, message: $message) {{ {POST_FIELDS} }} }}"
            ),
            json!({ "id": id, "message": message }),
        )
        .await
}

/// `member` signed in again (a month on the clock outlasts a session).
async fn signed_in_again(app: &TestApp, member: &TestMember) -> TestMember {
    let session = app
        .services
        .membership
        .issue_session(member.id)
        .await
        .expect("a new session");
    TestMember {
        token: session.token.expose_secret().to_owned(),
        ..member.clone()
    }
}

fn reason(response: &GqlResponse) -> &str {
    response.expect_error("CONFLICT")["extensions"]["reason"]
        .as_str()
        .expect("a reason")
}

async fn notification_kinds(app: &TestApp, member: &TestMember) -> Vec<String> {
    let response = app
        .client_as(member)
        .query("{ me { notifications(first: 50) { nodes { kind payload { ... on BoardPostNotice { post { id } } } } } } }")
        .await;
    response.data()["me"]["notifications"]["nodes"]
        .as_array()
        .expect("notifications")
        .iter()
        .map(|notice| notice["kind"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_board_lists_open_posts_newest_first_by_kind_direction_and_tag() {
    let app = TestApp::spawn().await;
    let alumnus = app.create_member(&[Role::Alumnus]).await;
    let employee = app.create_member(&[Role::Employee]).await;

    let kinds = app
        .client_as(&employee)
        .query("{ boardKinds { slug nameJa nameEn } }")
        .await;
    assert_eq!(kinds.data()["boardKinds"][3]["slug"], "study_group");
    assert_eq!(kinds.data()["boardKinds"][3]["nameJa"], "勉強会");

    let created = create(
        &app,
        &alumnus,
        "study_group",
        "SEEKING",
        "勉強会の仲間募集: Rust",
        &["Rust", "非同期処理"],
    )
    .await;
    let created = &created.data()["createBoardPost"];
    assert_eq!(created["open"], true);
    assert_eq!(created["moderation"], "VISIBLE");
    assert_eq!(
        created["kind"],
        json!({ "slug": "study_group", "nameJa": "勉強会" })
    );
    assert_eq!(
        created["tags"],
        json!([{ "name": "Rust" }, { "name": "非同期処理" }])
    );
    assert!(
        created["bodyHtml"]
            .as_str()
            .unwrap()
            .contains("<strong>オンライン</strong>")
    );
    let study = created["id"].as_str().unwrap().to_owned();
    let speaker = create(
        &app,
        &employee,
        "speaker",
        "SEEKING",
        "登壇者を探しています",
        &["LT"],
    )
    .await
    .data()["createBoardPost"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let offer = create(
        &app,
        &alumnus,
        "side_business",
        "OFFERING",
        "副業でデータ基盤を手伝えます",
        &["BigQuery"],
    )
    .await
    .data()["createBoardPost"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    assert_eq!(
        board(&app, &employee, "").await,
        [offer.as_str(), speaker.as_str(), study.as_str()]
    );
    assert_eq!(
        board(&app, &employee, ", filter: { kind: \"speaker\" }").await,
        [speaker.as_str()]
    );
    assert_eq!(
        board(&app, &employee, ", filter: { direction: OFFERING }").await,
        [offer.as_str()]
    );
    assert_eq!(
        board(&app, &employee, ", filter: { tag: \"rust\" }").await,
        [study.as_str()]
    );
    assert!(
        board(&app, &employee, ", filter: { kind: \"no_such_kind\" }")
            .await
            .is_empty()
    );

    let first = app
        .client_as(&alumnus)
        .query("{ boardPosts(first: 2) { pageInfo { hasNextPage endCursor } nodes { id } } }")
        .await;
    let page = &first.data()["boardPosts"];
    assert_eq!(page["pageInfo"]["hasNextPage"], true);
    let next = app
        .client_as(&alumnus)
        .query_with(
            "query($after: String) { boardPosts(first: 2, after: $after) { pageInfo { hasNextPage } nodes { id } } }",
            json!({ "after": page["pageInfo"]["endCursor"] }),
        )
        .await;
    assert_eq!(next.data()["boardPosts"]["nodes"][0]["id"], study.as_str());
    assert_eq!(next.data()["boardPosts"]["pageInfo"]["hasNextPage"], false);

    create(
        &app,
        &alumnus,
        "no_such_kind",
        "SEEKING",
        "種類のない投稿",
        &[],
    )
    .await
    .expect_error("BAD_USER_INPUT");
    create(
        &app,
        &alumnus,
        "other",
        "SEEKING",
        "タグが多すぎる",
        &["a", "b", "c", "d", "e", "f"],
    )
    .await
    .expect_error("BAD_USER_INPUT");
    assert_eq!(
        rows(&app, "knowledge.board_posts").await,
        3,
        "refusals wrote nothing"
    );
    assert_eq!(
        rows(
            &app,
            "knowledge.documents WHERE kind = 'BOARD_POST' AND listed AND expires_at IS NOT NULL"
        )
        .await,
        3,
        "each post is searchable until it expires"
    );
    app.client()
        .query("{ boardPosts { totalCount } }")
        .await
        .expect_error("UNAUTHENTICATED");
}

#[tokio::test]
async fn only_the_author_sees_who_is_interested() {
    let app = TestApp::spawn().await;
    let author = app.create_member(&[Role::Alumnus]).await;
    let interested = app.create_member(&[Role::Alumnus]).await;
    let other = app.create_member(&[Role::Employee]).await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let moderator = app.create_member(&[Role::Moderator]).await;
    let id = posted(&app, &author, "勉強会の仲間募集: Rust").await;

    let response = interest(&app, &interested, &id, "ぜひ参加したいです").await;
    let seen = &response.data()["expressInterest"];
    assert_eq!(seen["myInterest"]["message"], "ぜひ参加したいです");
    assert_eq!(seen["interestCount"], Value::Null);
    assert_eq!(seen["interests"], Value::Null);
    assert_eq!(
        reason(&interest(&app, &interested, &id, "").await),
        "ALREADY_INTERESTED"
    );
    assert_eq!(reason(&interest(&app, &author, &id, "").await), "OWN_POST");

    let own = node(&app, &author, &id).await;
    assert_eq!(own["interestCount"], 1);
    assert_eq!(own["interests"]["totalCount"], 1);
    assert_eq!(
        own["interests"]["nodes"][0],
        json!({ "member": { "id": interested.global_id() }, "message": "ぜひ参加したいです" })
    );
    assert_eq!(
        notification_kinds(&app, &author).await,
        ["knowledge.board_interest"]
    );
    let mine = app
        .client_as(&author)
        .query("{ myBoardPosts { nodes { id interestCount interests { nodes { message } } } } }")
        .await;
    assert_eq!(mine.data()["myBoardPosts"]["nodes"][0]["interestCount"], 1);

    for viewer in [&other, &secretariat, &moderator, &interested] {
        let seen = node(&app, viewer, &id).await;
        assert_eq!(seen["title"], "勉強会の仲間募集: Rust");
        assert_eq!(seen["interestCount"], Value::Null, "not the author's");
        assert_eq!(seen["interests"], Value::Null, "not the author's");
        let listed = app
            .client_as(viewer)
            .query("{ boardPosts { nodes { interestCount interests { totalCount } } } }")
            .await;
        assert_eq!(
            listed.data()["boardPosts"]["nodes"][0],
            json!({ "interestCount": null, "interests": null })
        );
    }

    let withdrawn = app
        .client_as(&interested)
        .query_with(
            "mutation($id: ID!) { withdrawInterest(postId: $id) { myInterest { message } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        withdrawn.data()["withdrawInterest"]["myInterest"],
        Value::Null
    );
    assert_eq!(node(&app, &author, &id).await["interestCount"], 0);
}

#[tokio::test]
async fn the_secretariat_cannot_change_or_close_a_members_post() {
    let app = TestApp::spawn().await;
    let author = app.create_member(&[Role::Alumnus]).await;
    let other = app.create_member(&[Role::Alumnus]).await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let id = posted(&app, &author, "登壇者を探しています").await;

    let update = |title: &str| json!({ "id": id, "input": { "kind": "speaker", "direction": "SEEKING", "title": title } });
    const UPDATE: &str = "mutation($id: ID!, $input: BoardPostInput!) { updateBoardPost(id: $id, input: $input) { title kind { slug } } }";
    for member in [&secretariat, &other] {
        let client = app.client_as(member);
        client
            .query_with(UPDATE, update("書き換え"))
            .await
            .expect_error("FORBIDDEN");
        for mutation in ["renewBoardPost", "closeBoardPost"] {
            client
                .query_with(
                    &format!("mutation($id: ID!) {{ {mutation}(id: $id) {{ id }} }}"),
                    json!({ "id": id }),
                )
                .await
                .expect_error("FORBIDDEN");
        }
    }
    app.client()
        .query_with(UPDATE, update("書き換え"))
        .await
        .expect_error("UNAUTHENTICATED");

    let updated = app
        .client_as(&author)
        .query_with(UPDATE, update("登壇者を探しています（大阪）"))
        .await;
    assert_eq!(
        updated.data()["updateBoardPost"],
        json!({ "title": "登壇者を探しています（大阪）", "kind": { "slug": "speaker" } })
    );
    assert_eq!(
        rows(&app, "knowledge.board_posts WHERE closed_at IS NULL").await,
        1
    );
}

#[tokio::test]
async fn posts_leave_the_board_after_thirty_days_unless_renewed() {
    let app = TestApp::spawn().await;
    let author = app.create_member(&[Role::Alumnus]).await;
    let reader = app.create_member(&[Role::Employee]).await;
    let interested = app.create_member(&[Role::Alumnus]).await;
    let id = posted(&app, &author, "輪読会のメンバー募集").await;
    let stale = posted(&app, &author, "誰も関心を示さなかった募集").await;
    interest(&app, &interested, &id, "").await.data();

    app.clock.advance(Duration::days(31));
    let (author, reader, interested) = (
        signed_in_again(&app, &author).await,
        signed_in_again(&app, &reader).await,
        signed_in_again(&app, &interested).await,
    );
    assert!(board(&app, &reader, "").await.is_empty());
    assert_eq!(
        node(&app, &reader, &id).await,
        Value::Null,
        "gone for others"
    );
    assert_eq!(
        node(&app, &interested, &id).await["open"],
        false,
        "kept for who was interested"
    );
    assert_eq!(node(&app, &author, &id).await["open"], false);
    let late = app.create_member(&[Role::Alumnus]).await;
    interest(&app, &late, &stale, "")
        .await
        .expect_error("NOT_FOUND");
    assert_eq!(
        reason(&interest(&app, &interested, &id, "").await),
        "NOT_OPEN"
    );
    let mine = app
        .client_as(&author)
        .query("{ myBoardPosts { totalCount nodes { id open } } }")
        .await;
    assert_eq!(mine.data()["myBoardPosts"]["totalCount"], 2);

    for _ in 0..2 {
        app.jobs.schedule_recurring().await.unwrap();
        app.jobs.drain().await.unwrap();
        app.clock.advance(Duration::hours(1));
    }
    let told = notification_kinds(&app, &author).await;
    assert_eq!(
        told.iter()
            .filter(|kind| *kind == "knowledge.board_post_expired")
            .count(),
        2,
        "once per post: {told:?}"
    );

    let renewed = app
        .client_as(&author)
        .query_with(
            "mutation($id: ID!) { renewBoardPost(id: $id) { open expiresAt } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(renewed.data()["renewBoardPost"]["open"], true);
    assert_eq!(board(&app, &reader, "").await, [id.as_str()]);
    assert_eq!(
        rows(
            &app,
            "knowledge.documents WHERE kind = 'BOARD_POST' AND expires_at > '2026-06-01'"
        )
        .await,
        1,
        "found by search again"
    );

    app.clock.advance(Duration::days(31));
    app.jobs.schedule_recurring().await.unwrap();
    app.jobs.drain().await.unwrap();
    let author = signed_in_again(&app, &author).await;
    let told = notification_kinds(&app, &author).await;
    assert_eq!(
        told.iter()
            .filter(|kind| *kind == "knowledge.board_post_expired")
            .count(),
        3,
        "told again after the renewal ran out"
    );
}

#[tokio::test]
async fn a_closed_post_leaves_the_board_for_good() {
    let app = TestApp::spawn().await;
    let author = app.create_member(&[Role::Alumnus]).await;
    let interested = app.create_member(&[Role::Alumnus]).await;
    let reader = app.create_member(&[Role::Alumnus]).await;
    let id = posted(&app, &author, "UI をレビューしてくれる方").await;
    interest(&app, &interested, &id, "デザイナーです")
        .await
        .data();

    const CLOSE: &str = "mutation($id: ID!) { closeBoardPost(id: $id) { open closedAt } }";
    let closed = app
        .client_as(&author)
        .query_with(CLOSE, json!({ "id": id }))
        .await;
    assert_eq!(closed.data()["closeBoardPost"]["open"], false);
    assert!(board(&app, &reader, "").await.is_empty());
    assert_eq!(node(&app, &reader, &id).await, Value::Null);
    assert_eq!(node(&app, &interested, &id).await["open"], false);
    assert_eq!(node(&app, &author, &id).await["interestCount"], 1);
    assert_eq!(
        rows(
            &app,
            "knowledge.documents WHERE kind = 'BOARD_POST' AND listed"
        )
        .await,
        0,
        "no longer found by search"
    );
    for mutation in ["closeBoardPost", "renewBoardPost"] {
        let again = app
            .client_as(&author)
            .query_with(
                &format!("mutation($id: ID!) {{ {mutation}(id: $id) {{ id }} }}"),
                json!({ "id": id }),
            )
            .await;
        assert_eq!(reason(&again), "CLOSED");
    }
}

#[tokio::test]
async fn the_leak_guard_checks_posts_and_notes_and_reports_hide_a_post() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let author = app.create_member(&[Role::Alumnus]).await;
    let reader = app.create_member(&[Role::Alumnus]).await;
    let employee = app.create_member(&[Role::Employee]).await;
    for (term, action) in [("オリオン計画", "BLOCK"), ("未発表の提携", "HOLD")] {
        app.client_as(&secretariat)
            .query_with(
                "mutation($input: ModerationRuleInput!) { createModerationRule(input: $input) { id } }",
                json!({ "input": {
                    "name": term, "category": "CONFIDENTIAL", "kind": "TERM", "terms": [term],
                    "action": action, "scope": "EVERYWHERE", "explanation": "この場では書けません。",
                } }),
            )
            .await
            .data();
    }

    create(
        &app,
        &author,
        "project_partner",
        "SEEKING",
        "オリオン計画の仲間募集",
        &[],
    )
    .await
    .expect_error("CONTENT_BLOCKED");
    assert_eq!(rows(&app, "knowledge.board_posts").await, 0);
    let held = create(
        &app,
        &author,
        "project_partner",
        "SEEKING",
        "未発表の提携先と組む仲間",
        &[],
    )
    .await;
    let held_id = held.data()["createBoardPost"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(held.data()["createBoardPost"]["moderation"], "HELD");
    assert!(board(&app, &reader, "").await.is_empty());
    assert_eq!(node(&app, &reader, &held_id).await, Value::Null);
    assert_eq!(
        board(&app, &secretariat, "").await,
        [held_id.as_str()],
        "moderators see it"
    );

    let id = posted(&app, &author, "勉強会の仲間募集").await;
    assert_eq!(
        interest(&app, &reader, &id, "オリオン計画の経験があります")
            .await
            .expect_error("CONTENT_BLOCKED")["extensions"]["findings"][0]["field"],
        "message"
    );
    assert_eq!(
        reason(&interest(&app, &reader, &id, "未発表の提携の件で").await),
        "NEEDS_REVIEW"
    );
    assert_eq!(rows(&app, "knowledge.board_interests").await, 0);

    app.client_as(&secretariat)
        .query("mutation { setReportThreshold(threshold: 2) }")
        .await
        .data();
    const REPORT: &str =
        "mutation($id: ID!) { reportContent(subjectId: $id, reason: SPAM) { reason } }";
    for reporter in [&reader, &employee] {
        app.client_as(reporter)
            .query_with(REPORT, json!({ "id": id }))
            .await
            .data();
    }
    assert!(board(&app, &reader, "").await.is_empty());
    assert_eq!(node(&app, &reader, &id).await, Value::Null);
    assert_eq!(node(&app, &author, &id).await["title"], "勉強会の仲間募集");
    assert_eq!(
        rows(
            &app,
            "knowledge.documents WHERE kind = 'BOARD_POST' AND listed"
        )
        .await,
        0,
        "hidden posts are not found by search"
    );
}

#[tokio::test]
async fn a_page_of_posts_costs_the_same_whatever_its_size() {
    let app = TestApp::spawn().await;
    let author = app.create_member(&[Role::Alumnus]).await;
    let reader = app.create_member(&[Role::Alumnus]).await;
    for index in 0..12 {
        let id = posted(&app, &author, &format!("募集 {index}")).await;
        interest(&app, &reader, &id, "参加したいです").await.data();
    }
    let query = |size: usize| {
        format!(
            "{{ boardPosts(first: {size}) {{ totalCount nodes {{ id kind {{ slug }} tags {{ name }} author {{ id }}
                interestCount myInterest {{ message }} interests(first: 5) {{ totalCount nodes {{ member {{ id }} }} }} }} }} }}"
        )
    };
    let client = app.client_as(&author);
    let (_, small) = app.count_statements(client.query(&query(2))).await;
    let (large_page, large) = app.count_statements(client.query(&query(12))).await;
    assert_eq!(
        large_page.data()["boardPosts"]["nodes"][11]["interests"]["totalCount"],
        1
    );
    assert_eq!(
        small, large,
        "{small} statements for 2 posts, {large} for 12"
    );
}
