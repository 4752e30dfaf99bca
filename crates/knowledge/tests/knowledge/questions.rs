//! Asking and answering: who may accept, duplicates, the lists, the leak
//! guard and reports, withdrawal, and the cost of a page.

use alumni_core::Role;
use alumni_test_support::TestApp;
use serde_json::json;

use super::support::{
    answer, answer_question, ask, ask_question, execute, ids, question_list, report, rows, rule,
};

const ACCEPT: &str = "mutation($a: ID!) { acceptAnswer(answerId: $a) { id acceptedAnswer { id } answers { id isAccepted } } }";

#[tokio::test]
async fn only_the_asker_or_the_secretariat_accepts_an_answer() {
    let app = TestApp::spawn().await;
    let asker = app.create_member(&[Role::Alumnus]).await;
    let employee = app.create_member(&[Role::Employee]).await;
    let alumnus = app.create_member(&[Role::Alumnus]).await;
    let moderator = app.create_member(&[Role::Alumnus, Role::Moderator]).await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let question = ask(
        &app,
        &asker,
        "Kubernetes の Pod が再起動を繰り返す",
        &["Kubernetes"],
    )
    .await;
    let first = answer(
        &app,
        &employee,
        &question,
        "liveness probe の閾値を見直しましょう。",
    )
    .await;
    let second = answer(
        &app,
        &alumnus,
        &question,
        "メモリ制限で OOMKilled になっていませんか。",
    )
    .await;

    app.client()
        .query_with(ACCEPT, json!({ "a": first }))
        .await
        .expect_error("UNAUTHENTICATED");
    for outsider in [&alumnus, &employee, &moderator] {
        app.client_as(outsider)
            .query_with(ACCEPT, json!({ "a": first }))
            .await
            .expect_error("FORBIDDEN");
    }
    let accepted = app
        .client_as(&asker)
        .query_with(ACCEPT, json!({ "a": first }))
        .await;
    let question_view = &accepted.data()["acceptAnswer"];
    assert_eq!(question_view["acceptedAnswer"]["id"], first);
    assert_eq!(
        question_view["answers"][0]["id"], first,
        "the accepted answer comes first"
    );
    assert_eq!(question_view["answers"][0]["isAccepted"], true);
    assert_eq!(question_view["answers"][1]["isAccepted"], false);
    assert_eq!(
        rows(
            &app,
            "notify.notifications WHERE kind = 'knowledge.answer_accepted'"
        )
        .await,
        1,
        "the answer's author is told"
    );

    let replaced = app
        .client_as(&secretariat)
        .query_with(ACCEPT, json!({ "a": second }))
        .await;
    assert_eq!(
        replaced.data()["acceptAnswer"]["acceptedAnswer"]["id"],
        second,
        "the secretariat may, and one answer is accepted at a time"
    );

    app.client_as(&alumnus)
        .query_with(
            "mutation($q: ID!) { unacceptAnswer(questionId: $q) { id } }",
            json!({ "q": question }),
        )
        .await
        .expect_error("FORBIDDEN");
    let withdrawn = app
        .client_as(&asker)
        .query_with(
            "mutation($q: ID!) { unacceptAnswer(questionId: $q) { acceptedAnswer { id } } }",
            json!({ "q": question }),
        )
        .await;
    assert!(withdrawn.data()["unacceptAnswer"]["acceptedAnswer"].is_null());
    assert_eq!(
        rows(
            &app,
            "notify.notifications WHERE kind = 'knowledge.answer_posted'"
        )
        .await,
        2,
        "the asker heard of both answers"
    );
}

const CLOSE: &str = "mutation($id: ID!, $of: ID!) { closeQuestionAsDuplicate(id: $id, originalId: $of) { id duplicateOf { id } } }";

#[tokio::test]
async fn duplicates_point_at_one_original_and_take_no_answers() {
    let app = TestApp::spawn().await;
    let asker = app.create_member(&[Role::Alumnus]).await;
    let other = app.create_member(&[Role::Employee]).await;
    let moderator = app.create_member(&[Role::Employee, Role::Moderator]).await;
    let original = ask(&app, &asker, "要件定義で合意を取るコツは", &["要件定義"]).await;
    let repeat = ask(&app, &other, "要件定義の合意形成について", &["要件定義"]).await;
    let third = ask(&app, &other, "要件定義の合意をどう取るか", &["要件定義"]).await;

    app.client_as(&asker)
        .query_with(CLOSE, json!({ "id": repeat, "of": original }))
        .await
        .expect_error("FORBIDDEN");
    app.client_as(&other)
        .query_with(CLOSE, json!({ "id": repeat, "of": repeat }))
        .await
        .expect_error("BAD_USER_INPUT");
    let closed = app
        .client_as(&other)
        .query_with(CLOSE, json!({ "id": repeat, "of": original }))
        .await;
    assert_eq!(
        closed.data()["closeQuestionAsDuplicate"]["duplicateOf"]["id"],
        original
    );

    // Closing onto a duplicate reaches its original: no chains.
    let chained = app
        .client_as(&moderator)
        .query_with(CLOSE, json!({ "id": third, "of": repeat }))
        .await;
    assert_eq!(
        chained.data()["closeQuestionAsDuplicate"]["duplicateOf"]["id"],
        original
    );
    // Closing the original onto a duplicate of itself is refused.
    app.client_as(&asker)
        .query_with(CLOSE, json!({ "id": original, "of": repeat }))
        .await
        .expect_error("BAD_USER_INPUT");

    let refused = answer_question(&app, &asker, &repeat, "こちらへどうぞ").await;
    assert_eq!(refused.error_code(), Some("CONFLICT"));
    assert_eq!(
        refused.errors()[0]["extensions"]["reason"],
        "CLOSED_AS_DUPLICATE"
    );
    assert_eq!(
        question_list(&app, &asker, ", list: UNANSWERED").await,
        vec![original.clone()],
        "duplicates leave the unanswered list"
    );

    let reopened = app
        .client_as(&other)
        .query_with(
            "mutation($id: ID!) { reopenQuestion(id: $id) { duplicateOf { id } } }",
            json!({ "id": third }),
        )
        .await;
    assert!(reopened.data()["reopenQuestion"]["duplicateOf"].is_null());
}

#[tokio::test]
async fn lists_of_unanswered_recently_answered_and_by_tag_or_alias() {
    let app = TestApp::spawn().await;
    let asker = app.create_member(&[Role::Alumnus]).await;
    let answerer = app.create_member(&[Role::Employee]).await;
    let cobol = ask(
        &app,
        &asker,
        "COBOL から Java へ移行するときの落とし穴",
        &["COBOL", "Java"],
    )
    .await;
    let cloud = ask(&app, &asker, "オンプレからクラウドへの移行計画", &["AWS"]).await;
    let k8s = ask(
        &app,
        &asker,
        "Kubernetes 運用で監視すべき指標",
        &["Kubernetes"],
    )
    .await;
    answer(
        &app,
        &answerer,
        &cobol,
        "固定小数点の扱いに注意してください。",
    )
    .await;
    app.clock.advance(chrono::Duration::minutes(5));
    answer(&app, &answerer, &k8s, "まずは Pod の再起動回数から。").await;

    assert_eq!(
        question_list(&app, &asker, "").await,
        vec![k8s.clone(), cloud.clone(), cobol.clone()]
    );
    assert_eq!(
        question_list(&app, &asker, ", list: UNANSWERED").await,
        vec![cloud.clone()]
    );
    assert_eq!(
        question_list(&app, &asker, ", list: RECENTLY_ANSWERED").await,
        vec![k8s.clone(), cobol.clone()],
        "latest answer first"
    );
    assert_eq!(
        question_list(&app, &asker, ", tag: \"java\"").await,
        vec![cobol.clone()]
    );
    execute(
        &app,
        "INSERT INTO membership.tag_aliases (slug, tag_id, name, created_at) \
         SELECT 'k8s', id, 'k8s', now() FROM membership.tags WHERE slug = 'kubernetes'",
    )
    .await;
    assert_eq!(
        question_list(&app, &asker, ", tag: \"K8s\"").await,
        vec![k8s.clone()],
        "an alias finds the tag"
    );
    assert!(
        question_list(&app, &asker, ", tag: \"存在しないタグ\"")
            .await
            .is_empty()
    );

    let page = app
        .client_as(&asker)
        .query("{ questions(first: 2, list: NEWEST) { totalCount pageInfo { hasNextPage endCursor } } }")
        .await;
    assert_eq!(page.data()["questions"]["totalCount"], 3);
    let cursor = page.data()["questions"]["pageInfo"]["endCursor"]
        .as_str()
        .unwrap()
        .to_owned();
    let rest = app
        .client_as(&asker)
        .query_with(
            "query($after: String!) { questions(first: 2, after: $after) { nodes { id } } }",
            json!({ "after": cursor }),
        )
        .await;
    assert_eq!(ids(&rest.data()["questions"]["nodes"]), vec![cobol]);

    app.client_as(&asker)
        .query("{ questions(list: HANDED_TO_SECRETARIAT) { totalCount } }")
        .await
        .expect_error("FORBIDDEN");
    app.client()
        .query("{ questions { totalCount } }")
        .await
        .expect_error("UNAUTHENTICATED");
}

#[tokio::test]
async fn questions_and_answers_pass_the_leak_guard_and_can_be_reported() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let asker = app.create_member(&[Role::Alumnus]).await;
    let employee = app.create_member(&[Role::Employee]).await;
    let reader = app.create_member(&[Role::Alumnus]).await;
    rule(&app, &secretariat, "社外秘プロジェクト", "BLOCK").await;
    rule(&app, &secretariat, "要確認ワード", "HOLD").await;

    ask_question(
        &app,
        &asker,
        "社外秘プロジェクトの進め方",
        "本文",
        &["設計"],
    )
    .await
    .expect_error("CONTENT_BLOCKED");
    assert_eq!(
        rows(&app, "knowledge.questions").await,
        0,
        "a refused question writes nothing"
    );
    let held = ask_question(
        &app,
        &asker,
        "要確認ワードについての質問",
        "本文",
        &["設計"],
    )
    .await;
    assert_eq!(held.data()["askQuestion"]["moderation"], "HELD");
    let held_id = held.data()["askQuestion"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let node = app
        .client_as(&reader)
        .query_with(
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": held_id }),
        )
        .await;
    assert!(
        node.body["data"]["node"].is_null(),
        "held questions are the asker's and moderators'"
    );

    let question = ask(&app, &asker, "設計レビューの進め方", &["設計"]).await;
    // Current employees' answers pass the guard too.
    answer_question(&app, &employee, &question, "社外秘プロジェクトでは…")
        .await
        .expect_error("CONTENT_BLOCKED");
    let reply = answer(&app, &employee, &question, "観点表を先に共有します。").await;

    app.client_as(&secretariat)
        .query("mutation { setReportThreshold(threshold: 1) }")
        .await
        .data();
    report(&app, &reader, &reply).await;
    let seen = app
        .client_as(&reader)
        .query_with(
            "query($id: ID!) { question(id: $id) { answerCount answers { id } } }",
            json!({ "id": question }),
        )
        .await;
    assert_eq!(
        seen.data()["question"]["answerCount"],
        0,
        "a hidden answer is not counted"
    );
    assert!(
        seen.data()["question"]["answers"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    report(&app, &reader, &question).await;
    assert!(
        question_list(&app, &reader, "").await.is_empty(),
        "a reported question leaves the lists"
    );
    let own = app
        .client_as(&asker)
        .query_with(
            "query($id: ID!) { question(id: $id) { moderation } }",
            json!({ "id": question }),
        )
        .await;
    assert_eq!(own.data()["question"]["moderation"], "HIDDEN");
}

#[tokio::test]
async fn a_leaving_member_questions_and_answers_stay_unless_they_ask_otherwise() {
    let app = TestApp::spawn().await;
    let stays = app.create_member(&[Role::Alumnus]).await;
    let leaves = app.create_member(&[Role::Alumnus]).await;
    let erases = app.create_member(&[Role::Alumnus]).await;
    let kept = ask(&app, &leaves, "レガシー移行の見積もり方法", &["COBOL"]).await;
    answer(
        &app,
        &leaves,
        &kept,
        "自問自答ですが、画面数から見積もりました。",
    )
    .await;
    let gone = ask(&app, &erases, "消える質問です", &["COBOL"]).await;
    answer(&app, &stays, &gone, "回答です").await;
    answer(&app, &erases, &kept, "消える回答です").await;

    const WITHDRAW: &str = "mutation($erase: Boolean!) { withdrawMembership(confirm: true, eraseContributions: $erase) }";
    app.client_as(&leaves)
        .query_with(WITHDRAW, json!({ "erase": false }))
        .await
        .data();
    app.client_as(&erases)
        .query_with(WITHDRAW, json!({ "erase": true }))
        .await
        .data();

    let view = app
        .client_as(&stays)
        .query_with(
            "query($id: ID!) { question(id: $id) { author { id } authorWithdrawn answerCount answers { authorWithdrawn body } } }",
            json!({ "id": kept }),
        )
        .await;
    let question = &view.data()["question"];
    assert!(question["author"].is_null());
    assert_eq!(question["authorWithdrawn"], true);
    assert_eq!(
        question["answerCount"], 1,
        "the erased answer went and was uncounted"
    );
    assert_eq!(question["answers"][0]["authorWithdrawn"], true);
    assert_eq!(
        rows(&app, "knowledge.questions WHERE author_id IS NOT NULL").await,
        0
    );
    assert_eq!(
        question_list(&app, &stays, "").await,
        vec![kept],
        "the erased question went"
    );
    assert_eq!(
        rows(&app, "knowledge.answers").await,
        1,
        "an erased question takes its answers along"
    );
    assert_eq!(
        rows(&app, "knowledge.documents WHERE author_id IS NOT NULL").await,
        0,
        "the search index names nobody who left"
    );
}

#[tokio::test]
async fn a_page_of_questions_with_answers_authors_and_tags_costs_the_same_at_10_and_100() {
    let app = TestApp::spawn().await;
    let asker = app.create_member(&[Role::Alumnus]).await;
    let answerer = app.create_member(&[Role::Employee]).await;
    let reader = app.create_member(&[Role::Alumnus]).await;
    for n in 0..100 {
        let question = ask(
            &app,
            &asker,
            &format!("質問その{n}について"),
            &["Rust", "設計"],
        )
        .await;
        if n % 2 == 0 {
            answer(&app, &answerer, &question, "回答です").await;
        }
    }
    const PAGE: &str = "query($first: Int!) { questions(first: $first) { totalCount nodes {
        id title answerCount isAnswered
        author { displayName }
        tags { name }
        answers { id body author { displayName } isAccepted }
        acceptedAnswer { id }
        duplicateOf { id }
    } } }";
    let client = app.client_as(&reader);
    client.query_with(PAGE, json!({ "first": 1 })).await.data();
    let mut costs = Vec::new();
    for first in [10, 100] {
        let (response, statements) = app
            .count_statements(client.query_with(PAGE, json!({ "first": first })))
            .await;
        let nodes = response.data()["questions"]["nodes"]
            .as_array()
            .unwrap()
            .clone();
        assert_eq!(nodes.len(), first);
        assert!(
            nodes
                .iter()
                .all(|node| node["tags"].as_array().unwrap().len() == 2)
        );
        assert!(
            nodes
                .iter()
                .all(|node| node["author"]["displayName"].is_string())
        );
        assert!(
            nodes
                .iter()
                .any(|node| node["answers"][0]["author"]["displayName"].is_string())
        );
        costs.push(statements);
    }
    assert_eq!(costs[0], costs[1], "statements for 10 and 100 questions");
}

#[tokio::test]
async fn questions_and_answers_are_marked_helpful_once_and_never_by_their_author() {
    let app = TestApp::spawn().await;
    let asker = app.create_member(&[Role::Alumnus]).await;
    let answerer = app.create_member(&[Role::Employee]).await;
    let reader = app.create_member(&[Role::Alumnus]).await;
    let question = ask(&app, &asker, "Go のエラー処理の書き方", &["Go"]).await;
    let reply = answer(
        &app,
        &answerer,
        &question,
        "errors.Is と errors.As を使い分けます。",
    )
    .await;
    const MARK_ANSWER: &str = "mutation($id: ID!, $on: Boolean!) { markAnswerHelpful(id: $id, helpful: $on) { helpfulCount markedHelpful } }";
    const MARK_QUESTION: &str =
        "mutation($id: ID!) { markQuestionHelpful(id: $id) { helpfulCount markedHelpful } }";

    for _ in 0..2 {
        let marked = app
            .client_as(&reader)
            .query_with(MARK_ANSWER, json!({ "id": reply, "on": true }))
            .await;
        assert_eq!(
            marked.data()["markAnswerHelpful"],
            json!({ "helpfulCount": 1, "markedHelpful": true }),
            "a second mark changes nothing"
        );
    }
    let own = app
        .client_as(&answerer)
        .query_with(MARK_ANSWER, json!({ "id": reply, "on": true }))
        .await;
    assert_eq!(own.errors()[0]["extensions"]["reason"], "OWN_CONTENT");
    app.client_as(&asker)
        .query_with(MARK_QUESTION, json!({ "id": question }))
        .await
        .expect_error("CONFLICT");
    let marked = app
        .client_as(&answerer)
        .query_with(MARK_QUESTION, json!({ "id": question }))
        .await;
    assert_eq!(marked.data()["markQuestionHelpful"]["helpfulCount"], 1);
    let unmarked = app
        .client_as(&reader)
        .query_with(MARK_ANSWER, json!({ "id": reply, "on": false }))
        .await;
    assert_eq!(
        unmarked.data()["markAnswerHelpful"],
        json!({ "helpfulCount": 0, "markedHelpful": false })
    );
    app.client()
        .query_with(MARK_QUESTION, json!({ "id": question }))
        .await
        .expect_error("UNAUTHENTICATED");
}
