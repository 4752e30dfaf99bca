//! Articles: drafts and publishing, revisions, audiences on every path,
//! helpful marks, comments one level deep, the leak guard, reports, and
//! what a page of the list costs.

use alumni_core::Role;
use alumni_test_support::{GqlResponse, TestApp, TestMember};
use serde_json::{Value, json};

use super::support::rows;

const CREATE: &str = "mutation($input: ArticleInput!) {
    createArticle(input: $input) { id state moderation audience }
}";
const UPDATE: &str = "mutation($id: ID!, $input: ArticleInput!) {
    updateArticle(id: $id, input: $input) { id title state moderation }
}";
const NODE: &str = "query($id: ID!) { node(id: $id) { __typename id } }";
const ARTICLE: &str = "query($id: ID!) { article(id: $id) {
    id title state moderation publishedAt helpfulCount markedHelpful
    revisions { title body } tags { name }
} }";
const COMMENT: &str = "mutation($article: ID!, $parent: ID, $body: String!) {
    addArticleComment(articleId: $article, parentId: $parent, body: $body) { id parentId body moderation }
}";
const COMMENTS: &str = "query($id: ID!) { article(id: $id) { commentCount comments {
    totalCount nodes { id body deleted author { id } replies { id parentId body } }
} } }";

fn article_input(title: &str, body: &str, audience: &str) -> Value {
    json!({ "title": title, "body": body, "tags": ["Rust", "設計"], "audience": audience })
}

/// Writes a draft as `author`; the response.
async fn create(
    app: &TestApp,
    author: &TestMember,
    title: &str,
    body: &str,
    audience: &str,
) -> GqlResponse {
    app.client_as(author)
        .query_with(
            CREATE,
            json!({ "input": article_input(title, body, audience) }),
        )
        .await
}

/// Runs `publishArticle` or `unpublishArticle` as `member`.
async fn transition(app: &TestApp, member: &TestMember, mutation: &str, id: &str) -> GqlResponse {
    app.client_as(member)
        .query_with(
            &format!("mutation($id: ID!) {{ {mutation}(id: $id) {{ id state publishedAt }} }}"),
            json!({ "id": id }),
        )
        .await
}

/// A published article by `author`; its global id.
async fn published(app: &TestApp, author: &TestMember, title: &str, audience: &str) -> String {
    let created = create(app, author, title, "本文です。", audience).await;
    let id = created.data()["createArticle"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    transition(app, author, "publishArticle", &id).await.data();
    id
}

/// The ids of the list as `viewer` sees it.
async fn listed(app: &TestApp, viewer: &TestMember) -> Vec<String> {
    let response = app
        .client_as(viewer)
        .query("{ articles(first: 100) { nodes { id } } }")
        .await;
    response.data()["articles"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|node| node["id"].as_str().unwrap().to_owned())
        .collect()
}

/// `node(id:)` as `viewer` asks it (`null` for what they may not see).
async fn node(app: &TestApp, viewer: &TestMember, id: &str) -> Value {
    app.client_as(viewer)
        .query_with(NODE, json!({ "id": id }))
        .await
        .data()["node"]
        .clone()
}

/// The article as `viewer` reads it (`null` when they may not).
async fn read(app: &TestApp, viewer: &TestMember, id: &str) -> Value {
    app.client_as(viewer)
        .query_with(ARTICLE, json!({ "id": id }))
        .await
        .data()["article"]
        .clone()
}

/// The uuid part of a global id, for looking at rows.
fn uuid_of(id: &str) -> String {
    alumni_core::GlobalId::decode(&async_graphql::ID::from(id), "id")
        .unwrap()
        .uuid
        .to_string()
}

/// Whether the search index lists the article, and for which audience.
async fn document(app: &TestApp, id: &str) -> (i64, i64) {
    let uuid = uuid_of(id);
    (
        rows(
            app,
            &format!("knowledge.documents WHERE subject_id = '{uuid}'"),
        )
        .await,
        rows(
            app,
            &format!("knowledge.documents WHERE subject_id = '{uuid}' AND listed"),
        )
        .await,
    )
}

#[tokio::test]
async fn an_article_is_its_authors_draft_until_published_and_edits_keep_revisions() {
    let app = TestApp::spawn().await;
    let author = app.create_member(&[Role::Alumnus]).await;
    let reader = app.create_member(&[Role::Employee]).await;
    let moderator = app.create_member(&[Role::Moderator, Role::Alumnus]).await;

    let created = create(
        &app,
        &author,
        "クラウド移行の振り返り",
        "# 概要\n\n3 年かけて移しました。<script>alert(1)</script>",
        "EVERYONE",
    )
    .await;
    assert_eq!(created.data()["createArticle"]["state"], "DRAFT");
    assert_eq!(created.data()["createArticle"]["moderation"], "VISIBLE");
    let id = created.data()["createArticle"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let html = app
        .client_as(&author)
        .query_with(
            "query($id: ID!) { article(id: $id) { bodyHtml tags { name } } }",
            json!({ "id": id }),
        )
        .await;
    let body_html = html.data()["article"]["bodyHtml"].as_str().unwrap();
    assert!(body_html.contains("<h1>概要</h1>"));
    assert!(!body_html.contains("<script>"));
    assert_eq!(
        html.data()["article"]["tags"],
        json!([{ "name": "Rust" }, { "name": "設計" }])
    );

    // A draft is its author's alone: not listed, not found by id, not
    // even for a moderator.
    for viewer in [&reader, &moderator] {
        assert!(!listed(&app, viewer).await.contains(&id));
        assert_eq!(read(&app, viewer, &id).await, Value::Null);
        assert_eq!(node(&app, viewer, &id).await, Value::Null);
    }
    let mine = app
        .client_as(&author)
        .query("{ myArticles { totalCount nodes { id state } } }")
        .await;
    assert_eq!(
        mine.data()["myArticles"],
        json!({ "totalCount": 1, "nodes": [{ "id": id, "state": "DRAFT" }] })
    );
    assert_eq!(document(&app, &id).await, (1, 0), "indexed, not listed");

    // Only the author moves it.
    transition(&app, &reader, "publishArticle", &id)
        .await
        .expect_error("NOT_FOUND");
    let out = transition(&app, &author, "publishArticle", &id).await;
    let first_published = out.data()["publishArticle"]["publishedAt"].clone();
    assert!(first_published.is_string());
    let again = transition(&app, &author, "publishArticle", &id).await;
    assert_eq!(
        again.expect_error("CONFLICT")["extensions"]["reason"],
        "INVALID_TRANSITION"
    );
    assert!(listed(&app, &reader).await.contains(&id));
    assert_eq!(document(&app, &id).await, (1, 1), "listed once published");
    app.client_as(&reader)
        .query_with(
            UPDATE,
            json!({ "id": id, "input": article_input("乗っ取り", "本文", "EVERYONE") }),
        )
        .await
        .expect_error("FORBIDDEN");

    // Editing the published article keeps what it replaced.
    app.clock.advance(chrono::Duration::minutes(5));
    let edited = app
        .client_as(&author)
        .query_with(
            UPDATE,
            json!({ "id": id, "input": article_input("クラウド移行の振り返り（改訂版）", "手順書のひな形を追記しました。", "EVERYONE") }),
        )
        .await;
    assert_eq!(
        edited.data()["updateArticle"]["title"],
        "クラウド移行の振り返り（改訂版）"
    );
    let own = read(&app, &author, &id).await;
    assert_eq!(
        own["revisions"],
        json!([{ "title": "クラウド移行の振り返り", "body": "# 概要\n\n3 年かけて移しました。<script>alert(1)</script>" }])
    );
    assert_eq!(read(&app, &reader, &id).await["revisions"], Value::Null);
    assert_eq!(
        read(&app, &moderator, &id).await["revisions"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        rows(
            &app,
            &format!(
                "knowledge.documents WHERE subject_id = '{}' AND search_text LIKE '%手順書のひな形%'",
                uuid_of(&id)
            )
        )
        .await,
        1,
        "the search entry follows the edit"
    );

    // Back to draft: out of sight again; edits of a draft keep nothing.
    transition(&app, &author, "unpublishArticle", &id)
        .await
        .data();
    assert!(!listed(&app, &reader).await.contains(&id));
    assert_eq!(read(&app, &reader, &id).await, Value::Null);
    assert_eq!(document(&app, &id).await, (1, 0));
    app.client_as(&author)
        .query_with(
            UPDATE,
            json!({ "id": id, "input": article_input("下書きの改題", "書き直し中", "EVERYONE") }),
        )
        .await
        .data();
    assert_eq!(rows(&app, "knowledge.article_revisions").await, 1);

    // Publishing again keeps the first date.
    app.clock.advance(chrono::Duration::days(1));
    let republished = transition(&app, &author, "publishArticle", &id).await;
    assert_eq!(
        republished.data()["publishArticle"]["publishedAt"],
        first_published
    );

    // Another member cannot delete it; its author can, and it is gone
    // with its search entry.
    const DELETE: &str = "mutation($id: ID!) { deleteArticle(id: $id) }";
    app.client_as(&reader)
        .query_with(DELETE, json!({ "id": id }))
        .await
        .expect_error("FORBIDDEN");
    app.client_as(&author)
        .query_with(DELETE, json!({ "id": id }))
        .await
        .data();
    assert_eq!(read(&app, &author, &id).await, Value::Null);
    assert_eq!(document(&app, &id).await, (0, 0));
    assert_eq!(rows(&app, "knowledge.article_revisions").await, 0);
}

#[tokio::test]
async fn audiences_hold_on_the_list_by_id_in_comments_and_in_the_search_index() {
    let app = TestApp::spawn().await;
    let alumnus = app.create_member(&[Role::Alumnus]).await;
    let employee = app.create_member(&[Role::Employee]).await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;

    let for_alumni = published(&app, &alumnus, "COBOL から Java への移行", "ALUMNI").await;
    let for_employees = published(&app, &employee, "設計レビューの型", "EMPLOYEES").await;
    let for_everyone = published(&app, &employee, "Kubernetes 運用の勘所", "EVERYONE").await;
    let on_alumni = app
        .client_as(&alumnus)
        .query_with(
            COMMENT,
            json!({ "article": for_alumni, "body": "続編も読みたいです" }),
        )
        .await;
    let alumni_comment = on_alumni.data()["addArticleComment"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let on_employees = app
        .client_as(&employee)
        .query_with(
            COMMENT,
            json!({ "article": for_employees, "body": "次回も参加します" }),
        )
        .await;
    let employee_comment = on_employees.data()["addArticleComment"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    assert_eq!(
        listed(&app, &alumnus).await,
        [for_everyone.clone(), for_alumni.clone()]
    );
    assert_eq!(
        listed(&app, &employee).await,
        [for_everyone.clone(), for_employees.clone()]
    );
    assert_eq!(listed(&app, &secretariat).await.len(), 3);
    const FILTERED: &str = "query($tag: String, $author: ID) {
        articles(tag: $tag, author: $author) { totalCount nodes { id } }
    }";
    let by_tag_and_author = app
        .client_as(&secretariat)
        .query_with(
            FILTERED,
            json!({ "tag": "ＲＵＳＴ", "author": employee.global_id() }),
        )
        .await;
    assert_eq!(
        by_tag_and_author.data()["articles"],
        json!({ "totalCount": 2, "nodes": [{ "id": for_everyone }, { "id": for_employees }] })
    );
    let unknown_tag = app
        .client_as(&secretariat)
        .query_with(FILTERED, json!({ "tag": "COBOL" }))
        .await;
    assert_eq!(unknown_tag.data()["articles"]["totalCount"], 0);

    // From the refused side, by every path.
    for (viewer, article, comment) in [
        (&alumnus, &for_employees, &employee_comment),
        (&employee, &for_alumni, &alumni_comment),
    ] {
        assert_eq!(read(&app, viewer, article).await, Value::Null);
        for id in [article, comment] {
            assert_eq!(node(&app, viewer, id).await, Value::Null);
        }
        app.client_as(viewer)
            .query_with(COMMENT, json!({ "article": article, "body": "読めますか" }))
            .await
            .expect_error("NOT_FOUND");
        app.client_as(viewer)
            .query_with(
                "mutation($id: ID!) { markArticleHelpful(id: $id) { id } }",
                json!({ "id": article }),
            )
            .await
            .expect_error("NOT_FOUND");
        let reported = app
            .client_as(viewer)
            .query_with(
                "mutation($id: ID!) { reportContent(subjectId: $id, reason: SPAM) { reason } }",
                json!({ "id": article }),
            )
            .await;
        assert_eq!(reported.error_code(), Some("NOT_FOUND"));
    }
    let secretariat_reads = app
        .client_as(&secretariat)
        .query_with(
            "query($id: ID!) { node(id: $id) { ... on ArticleComment { body article { title } } } }",
            json!({ "id": employee_comment }),
        )
        .await;
    assert_eq!(
        secretariat_reads.data()["node"],
        json!({ "body": "次回も参加します", "article": { "title": "設計レビューの型" } })
    );

    // Nobody writes for an audience they are not in; anonymous visitors
    // read nothing.
    create(&app, &alumnus, "社員向け", "本文", "EMPLOYEES")
        .await
        .expect_error("BAD_USER_INPUT");
    app.client()
        .query("{ articles { nodes { id } } }")
        .await
        .expect_error("UNAUTHENTICATED");

    // The search index carries each article's audience.
    for (id, audience) in [
        (&for_alumni, "ALUMNI"),
        (&for_employees, "EMPLOYEES"),
        (&for_everyone, "EVERYONE"),
    ] {
        assert_eq!(
            rows(
                &app,
                &format!(
                    "knowledge.documents WHERE subject_id = '{}' AND kind = 'ARTICLE' \
                     AND audience = '{audience}' AND listed",
                    uuid_of(id)
                )
            )
            .await,
            1
        );
    }
}

#[tokio::test]
async fn a_member_marks_an_article_helpful_once_and_never_their_own() {
    let app = TestApp::spawn().await;
    let author = app.create_member(&[Role::Alumnus]).await;
    let reader = app.create_member(&[Role::Alumnus]).await;
    let other = app.create_member(&[Role::Employee]).await;
    let id = published(&app, &author, "Rust で書き直した話", "EVERYONE").await;
    const MARK: &str =
        "mutation($id: ID!) { markArticleHelpful(id: $id) { helpfulCount markedHelpful } }";
    const UNMARK: &str =
        "mutation($id: ID!) { unmarkArticleHelpful(id: $id) { helpfulCount markedHelpful } }";

    for _ in 0..2 {
        let marked = app
            .client_as(&reader)
            .query_with(MARK, json!({ "id": id }))
            .await;
        assert_eq!(
            marked.data()["markArticleHelpful"],
            json!({ "helpfulCount": 1, "markedHelpful": true })
        );
    }
    let own = app
        .client_as(&author)
        .query_with(MARK, json!({ "id": id }))
        .await;
    assert_eq!(
        own.expect_error("CONFLICT")["extensions"]["reason"],
        "OWN_CONTENT"
    );
    app.client_as(&other)
        .query_with(MARK, json!({ "id": id }))
        .await
        .data();
    let seen = read(&app, &other, &id).await;
    assert_eq!(seen["helpfulCount"], 2);
    assert_eq!(seen["markedHelpful"], true);
    assert_eq!(read(&app, &author, &id).await["markedHelpful"], false);

    for expected in [1, 1] {
        let unmarked = app
            .client_as(&reader)
            .query_with(UNMARK, json!({ "id": id }))
            .await;
        assert_eq!(
            unmarked.data()["unmarkArticleHelpful"],
            json!({ "helpfulCount": expected, "markedHelpful": false })
        );
    }
    assert_eq!(rows(&app, "knowledge.helpful_marks").await, 1);

    let draft = create(&app, &author, "下書き", "本文", "EVERYONE").await;
    let draft = draft.data()["createArticle"]["id"].as_str().unwrap();
    app.client_as(&reader)
        .query_with(MARK, json!({ "id": draft }))
        .await
        .expect_error("NOT_FOUND");
}

#[tokio::test]
async fn comments_are_one_level_deep_and_a_deleted_comment_keeps_its_replies() {
    let app = TestApp::spawn().await;
    let author = app.create_member(&[Role::Alumnus]).await;
    let first = app.create_member(&[Role::Alumnus]).await;
    let second = app.create_member(&[Role::Employee]).await;
    let id = published(&app, &author, "要件定義で揉めないために", "EVERYONE").await;
    let other_article = published(&app, &author, "テスト自動化", "EVERYONE").await;
    let comment = |member: &TestMember, parent: Option<&str>, body: &str| {
        let client = app.client_as(member);
        let variables = json!({ "article": id, "parent": parent, "body": body });
        async move { client.query_with(COMMENT, variables).await }
    };

    let top = comment(&first, None, "用語集、うちでも作ります").await;
    let top = top.data()["addArticleComment"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let reply = comment(&author, Some(&top), "ぜひ。ひな形もあります").await;
    let reply = reply.data()["addArticleComment"].clone();
    assert_eq!(reply["parentId"], top.as_str());
    // A reply to a reply joins the thread of the comment it hangs on.
    let nested = comment(&second, reply["id"].as_str(), "ひな形、私もほしいです").await;
    assert_eq!(nested.data()["addArticleComment"]["parentId"], top.as_str());
    let later = comment(&second, None, "決定事項ログの例も見たいです").await;
    let later = later.data()["addArticleComment"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let thread = app
        .client_as(&second)
        .query_with(COMMENTS, json!({ "id": id }))
        .await;
    let article = &thread.data()["article"];
    assert_eq!(article["commentCount"], 4);
    assert_eq!(article["comments"]["totalCount"], 2);
    let nodes = article["comments"]["nodes"].as_array().unwrap();
    assert_eq!(nodes[0]["id"], top.as_str());
    assert_eq!(nodes[0]["replies"].as_array().unwrap().len(), 2);
    assert_eq!(nodes[1]["id"], later.as_str());

    // Paged by cursor.
    const PAGE: &str = "query($id: ID!, $after: String) { article(id: $id) {
        comments(first: 1, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } }
    } }";
    let page = app
        .client_as(&first)
        .query_with(PAGE, json!({ "id": id }))
        .await;
    let comments = &page.data()["article"]["comments"];
    assert_eq!(comments["nodes"], json!([{ "id": top }]));
    assert_eq!(comments["pageInfo"]["hasNextPage"], true);
    let next = app
        .client_as(&first)
        .query_with(
            PAGE,
            json!({ "id": id, "after": comments["pageInfo"]["endCursor"] }),
        )
        .await;
    assert_eq!(
        next.data()["article"]["comments"]["nodes"],
        json!([{ "id": later }])
    );

    // Only its author edits or deletes a comment.
    const EDIT: &str =
        "mutation($id: ID!, $body: String!) { editArticleComment(id: $id, body: $body) { body } }";
    const DELETE: &str = "mutation($id: ID!) { deleteArticleComment(id: $id) { deleted body } }";
    app.client_as(&second)
        .query_with(EDIT, json!({ "id": top, "body": "書き換え" }))
        .await
        .expect_error("NOT_FOUND");
    app.client_as(&second)
        .query_with(DELETE, json!({ "id": top }))
        .await
        .expect_error("NOT_FOUND");
    let edited = app
        .client_as(&first)
        .query_with(
            EDIT,
            json!({ "id": top, "body": "用語集、うちのチームでも作ります" }),
        )
        .await;
    assert_eq!(
        edited.data()["editArticleComment"]["body"],
        "用語集、うちのチームでも作ります"
    );
    let deleted = app
        .client_as(&first)
        .query_with(DELETE, json!({ "id": top }))
        .await;
    assert_eq!(
        deleted.data()["deleteArticleComment"],
        json!({ "deleted": true, "body": "" })
    );
    let after = app
        .client_as(&author)
        .query_with(COMMENTS, json!({ "id": id }))
        .await;
    let article = &after.data()["article"];
    assert_eq!(article["commentCount"], 3);
    let kept = &article["comments"]["nodes"][0];
    assert_eq!(kept["deleted"], true);
    assert_eq!(kept["body"], "");
    assert_eq!(kept["replies"].as_array().unwrap().len(), 2);

    // No comments on drafts; a parent must be a comment of this article.
    let draft = create(&app, &author, "下書き", "本文", "EVERYONE").await;
    let draft = draft.data()["createArticle"]["id"].as_str().unwrap();
    let on_draft = app
        .client_as(&author)
        .query_with(COMMENT, json!({ "article": draft, "body": "メモ" }))
        .await;
    assert_eq!(
        on_draft.expect_error("CONFLICT")["extensions"]["reason"],
        "NOT_PUBLISHED"
    );
    app.client_as(&second)
        .query_with(
            COMMENT,
            json!({ "article": other_article, "parent": later, "body": "別の記事へ" }),
        )
        .await
        .expect_error("BAD_USER_INPUT");
}

/// Adds a rule of the leak guard as the secretariat.
async fn rule(app: &TestApp, secretariat: &TestMember, term: &str, action: &str, scope: &str) {
    app.client_as(secretariat)
        .query_with(
            "mutation($input: ModerationRuleInput!) { createModerationRule(input: $input) { id } }",
            json!({ "input": {
                "name": term, "category": "CONFIDENTIAL", "kind": "TERM", "terms": [term],
                "action": action, "scope": scope, "explanation": "社外秘です",
            } }),
        )
        .await
        .data();
}

#[tokio::test]
async fn articles_and_comments_pass_the_leak_guard_on_every_save() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let moderator = app.create_member(&[Role::Moderator, Role::Employee]).await;
    let author = app.create_member(&[Role::Employee]).await;
    let reader = app.create_member(&[Role::Alumnus]).await;
    rule(&app, &secretariat, "オリオン計画", "BLOCK", "EVERYWHERE").await;
    rule(&app, &secretariat, "社内ポータル", "BLOCK", "ALUMNI_FACING").await;
    rule(&app, &secretariat, "無能", "HOLD", "EVERYWHERE").await;

    create(&app, &author, "近況", "ｵﾘｵﾝ計画の進み具合", "EVERYONE")
        .await
        .expect_error("CONTENT_BLOCKED");
    create(&app, &author, "社内ポータルの使い方", "手順", "EVERYONE")
        .await
        .expect_error("CONTENT_BLOCKED");
    let internal = create(&app, &author, "社内ポータルの使い方", "手順", "EMPLOYEES").await;
    assert_eq!(
        internal.data()["createArticle"]["audience"],
        "EMPLOYEES",
        "fine for employees only"
    );
    assert_eq!(
        rows(&app, "knowledge.articles").await,
        1,
        "refused texts wrote nothing"
    );

    let id = published(&app, &author, "運用の振り返り", "EVERYONE").await;
    app.client_as(&author)
        .query_with(
            UPDATE,
            json!({ "id": id, "input": article_input("運用の振り返り", "オリオン計画の障害対応", "EVERYONE") }),
        )
        .await
        .expect_error("CONTENT_BLOCKED");
    assert_eq!(read(&app, &reader, &id).await["title"], "運用の振り返り");
    assert_eq!(
        rows(&app, "knowledge.article_revisions").await,
        0,
        "a refused edit keeps nothing"
    );

    // A held edit takes the article out of sight until a moderator acts.
    let held = app
        .client_as(&author)
        .query_with(
            UPDATE,
            json!({ "id": id, "input": article_input("運用の振り返り", "当時の判断は無能だった", "EVERYONE") }),
        )
        .await;
    assert_eq!(held.data()["updateArticle"]["moderation"], "HELD");
    assert!(!listed(&app, &reader).await.contains(&id));
    assert_eq!(read(&app, &reader, &id).await, Value::Null);
    assert_eq!(document(&app, &id).await, (1, 0));
    assert_eq!(read(&app, &author, &id).await["moderation"], "HELD");
    assert!(listed(&app, &moderator).await.contains(&id));
    // A clean edit does not release it.
    let clean = app
        .client_as(&author)
        .query_with(
            UPDATE,
            json!({ "id": id, "input": article_input("運用の振り返り", "当時の判断を振り返る", "EVERYONE") }),
        )
        .await;
    assert_eq!(clean.data()["updateArticle"]["moderation"], "HELD");

    let open = published(&app, &author, "勉強会のお知らせ", "EVERYONE").await;
    app.client_as(&reader)
        .query_with(
            COMMENT,
            json!({ "article": open, "body": "オリオン計画って何ですか" }),
        )
        .await
        .expect_error("CONTENT_BLOCKED");
    let held_comment = app
        .client_as(&reader)
        .query_with(
            COMMENT,
            json!({ "article": open, "body": "担当者が無能だった" }),
        )
        .await;
    assert_eq!(
        held_comment.data()["addArticleComment"]["moderation"],
        "HELD"
    );
    let others = app
        .client_as(&author)
        .query_with(COMMENTS, json!({ "id": open }))
        .await;
    assert_eq!(others.data()["article"]["comments"]["nodes"], json!([]));
    assert_eq!(others.data()["article"]["commentCount"], 0);
    let own = app
        .client_as(&reader)
        .query_with(COMMENTS, json!({ "id": open }))
        .await;
    assert_eq!(
        own.data()["article"]["comments"]["nodes"][0]["body"],
        "担当者が無能だった"
    );
    let comment = own.data()["article"]["comments"]["nodes"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.client_as(&reader)
        .query_with(
            "mutation($id: ID!) { editArticleComment(id: $id, body: \"オリオン計画の件\") { id } }",
            json!({ "id": comment }),
        )
        .await
        .expect_error("CONTENT_BLOCKED");
}

#[tokio::test]
async fn reports_hide_an_article_and_a_comment_past_the_threshold() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let moderator = app.create_member(&[Role::Moderator, Role::Alumnus]).await;
    let author = app.create_member(&[Role::Alumnus]).await;
    let reporters = [
        app.create_member(&[Role::Alumnus]).await,
        app.create_member(&[Role::Employee]).await,
    ];
    let bystander = app.create_member(&[Role::Alumnus]).await;
    app.client_as(&secretariat)
        .query("mutation { setReportThreshold(threshold: 2) }")
        .await
        .data();
    let id = published(&app, &author, "副業の勧誘", "EVERYONE").await;
    let comment = app
        .client_as(&author)
        .query_with(
            COMMENT,
            json!({ "article": id, "body": "詳しくはこちらへ" }),
        )
        .await;
    let comment = comment.data()["addArticleComment"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    const REPORT: &str =
        "mutation($id: ID!) { reportContent(subjectId: $id, reason: SPAM) { reason } }";

    app.client_as(&reporters[0])
        .query_with(REPORT, json!({ "id": id }))
        .await
        .data();
    assert!(
        listed(&app, &bystander).await.contains(&id),
        "one report is not enough"
    );
    app.client_as(&reporters[1])
        .query_with(REPORT, json!({ "id": id }))
        .await
        .data();
    assert!(!listed(&app, &bystander).await.contains(&id));
    assert_eq!(read(&app, &bystander, &id).await, Value::Null);
    assert_eq!(document(&app, &id).await, (1, 0), "no longer found");
    assert_eq!(read(&app, &author, &id).await["moderation"], "HIDDEN");
    assert_eq!(read(&app, &moderator, &id).await["moderation"], "HIDDEN");

    // Its comment, reported on its own, disappears the same way (the
    // article is readable again once a moderator releases it).
    let article_case = app
        .client_as(&moderator)
        .query("{ moderationQueue(first: 10) { nodes { id subject { __typename } } } }")
        .await;
    let case = article_case.data()["moderationQueue"]["nodes"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        article_case.data()["moderationQueue"]["nodes"][0]["subject"]["__typename"],
        "Article"
    );
    app.client_as(&moderator)
        .query_with(
            "mutation($id: ID!) { resolveModerationCase(id: $id, resolution: RELEASED, note: \"問題なし\") { id } }",
            json!({ "id": case }),
        )
        .await
        .data();
    assert!(listed(&app, &bystander).await.contains(&id));
    for reporter in &reporters {
        app.client_as(reporter)
            .query_with(REPORT, json!({ "id": comment }))
            .await
            .data();
    }
    let seen = app
        .client_as(&bystander)
        .query_with(COMMENTS, json!({ "id": id }))
        .await;
    assert_eq!(seen.data()["article"]["comments"]["nodes"], json!([]));
    assert_eq!(node(&app, &bystander, &comment).await, Value::Null);

    // A moderator may delete an article outright; the audit log keeps it.
    app.client_as(&moderator)
        .query_with(
            "mutation($id: ID!) { deleteArticle(id: $id) }",
            json!({ "id": id }),
        )
        .await
        .data();
    assert_eq!(read(&app, &author, &id).await, Value::Null);
    assert_eq!(app.audit_count("knowledge.article_deleted").await, 1);
}

#[tokio::test]
async fn a_page_of_articles_costs_the_same_for_10_as_for_100() {
    let app = TestApp::spawn().await;
    let authors = [
        app.create_member(&[Role::Alumnus]).await,
        app.create_member(&[Role::Employee]).await,
        app.create_member(&[Role::Alumnus]).await,
    ];
    let reader = app.create_member(&[Role::Alumnus, Role::Employee]).await;
    for n in 0..100 {
        let author = &authors[n % authors.len()];
        let id = published(&app, author, &format!("記事 {n}"), "EVERYONE").await;
        if n % 2 == 0 {
            app.client_as(&reader)
                .query_with(
                    "mutation($id: ID!) { markArticleHelpful(id: $id) { id } }",
                    json!({ "id": id }),
                )
                .await
                .data();
            let comment = app
                .client_as(&reader)
                .query_with(
                    COMMENT,
                    json!({ "article": id, "body": "参考になりました" }),
                )
                .await;
            let parent = comment.data()["addArticleComment"]["id"].clone();
            app.client_as(author)
                .query_with(
                    COMMENT,
                    json!({ "article": id, "parent": parent, "body": "ありがとうございます" }),
                )
                .await
                .data();
        }
    }
    let client = app.client_as(&reader);
    const PAGE: &str = "query($first: Int!) { articles(first: $first) { totalCount nodes {
        id title publishedAt audience helpfulCount markedHelpful commentCount
        author { displayName }
        tags { name }
        comments(first: 2) { nodes { body replies { body author { displayName } } } }
    } } }";
    client.query_with(PAGE, json!({ "first": 1 })).await.data();
    let mut costs = Vec::new();
    for first in [10, 100] {
        let (response, statements) = app
            .count_statements(client.query_with(PAGE, json!({ "first": first })))
            .await;
        let nodes = response.data()["articles"]["nodes"]
            .as_array()
            .unwrap()
            .clone();
        assert_eq!(nodes.len(), first);
        assert!(
            nodes
                .iter()
                .all(|node| node["author"]["displayName"].is_string()
                    && node["tags"].as_array().unwrap().len() == 2)
        );
        assert!(nodes.iter().any(|node| {
            node["comments"]["nodes"][0]["replies"][0]["author"]["displayName"].is_string()
        }));
        costs.push(statements);
    }
    assert_eq!(costs[0], costs[1], "statements for 10 and 100 articles");
}

#[tokio::test]
async fn a_leaving_author_takes_their_articles_and_the_marks_on_them_along() {
    let app = TestApp::spawn().await;
    let author = app.create_member(&[Role::Alumnus]).await;
    let reader = app.create_member(&[Role::Alumnus]).await;
    let theirs = published(&app, &author, "フリーランス 1 年目", "EVERYONE").await;
    let kept = published(&app, &reader, "テスト自動化", "EVERYONE").await;
    const MARK: &str = "mutation($id: ID!) { markArticleHelpful(id: $id) { id } }";
    app.client_as(&reader)
        .query_with(MARK, json!({ "id": theirs }))
        .await
        .data();
    app.client_as(&author)
        .query_with(MARK, json!({ "id": kept }))
        .await
        .data();
    let comment = app
        .client_as(&author)
        .query_with(
            COMMENT,
            json!({ "article": kept, "body": "参考になりました" }),
        )
        .await;
    comment.data();
    let export = app
        .client_as(&author)
        .query("mutation { exportMyData }")
        .await;
    let knowledge = &export.data()["exportMyData"]["knowledge"];
    assert_eq!(knowledge["articles"][0]["title"], "フリーランス 1 年目");
    assert_eq!(knowledge["articleComments"][0]["body"], "参考になりました");
    assert_eq!(knowledge["helpfulMarks"].as_array().unwrap().len(), 1);

    app.client_as(&author)
        .query("mutation { withdrawMembership(confirm: true) }")
        .await
        .data();
    assert_eq!(rows(&app, "knowledge.articles").await, 1);
    assert_eq!(document(&app, &theirs).await, (0, 0));
    assert_eq!(
        rows(&app, "knowledge.helpful_marks").await,
        0,
        "the marks on their article and their own marks are gone"
    );
    let left = read(&app, &reader, &kept).await;
    assert_eq!(left["helpfulCount"], 0);
    let thread = app
        .client_as(&reader)
        .query_with(COMMENTS, json!({ "id": kept }))
        .await;
    let node = &thread.data()["article"]["comments"]["nodes"][0];
    assert_eq!(node["body"], "");
    assert_eq!(node["author"], Value::Null);
}
