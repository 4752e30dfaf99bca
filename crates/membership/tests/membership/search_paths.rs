//! Directory searches at (small) scale: a search walks the posting lists
//! of its rarest grams in reading order and checks the members holding all
//! of them, and must find exactly the members its words match in fields
//! the viewer may read, in reading order, page after page, for the same
//! number of statements. On 1,000 synthetic members, one-letter romaji
//! words ("a") match most members, kanji names a few, and some words
//! share every gram with members they do not match.

use alumni_core::{Role, search};
use alumni_membership::demo::synthetic::{SyntheticOptions, seed_synthetic};
use alumni_test_support::{TestApp, TestClient, TestMember};
use diesel::QueryableByName;
use diesel::sql_types::BigInt;
use diesel_async::RunQueryDsl;
use serde_json::{Value, json};

const PAGE: &str =
    "query($filter: MemberFilter, $first: Int, $after: String, $last: Int, $before: String) {
    members(filter: $filter, first: $first, after: $after, last: $last, before: $before) {
        nodes { id displayName displayNameKana formerSurnames skills { slug } }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
}";

/// A thousand members with names in every script.
async fn network() -> TestApp {
    let app = TestApp::spawn().await;
    let options = SyntheticOptions {
        members: 1_000,
        seed: 11,
        allow_real_members: false,
    };
    seed_synthetic(&app.services.membership, &options, &mut |_| {})
        .await
        .unwrap();
    app
}

async fn update_profile(app: &TestApp, member: &TestMember, input: Value) {
    app.client_as(member)
        .query_with(
            "mutation($input: ProfileInput!) { updateMyProfile(input: $input) { id } }",
            json!({ "input": input }),
        )
        .await
        .data();
}

#[derive(QueryableByName)]
struct Discrepancies {
    #[diesel(sql_type = BigInt)]
    missing: i64,
    #[diesel(sql_type = BigInt)]
    extra: i64,
    #[diesel(sql_type = BigInt)]
    miscounted: i64,
    #[diesel(sql_type = BigInt)]
    skills_missing: i64,
    #[diesel(sql_type = BigInt)]
    skills_extra: i64,
}

/// Checks the postings against the profiles and skills they are kept from
/// (triggers in the migrations): one per gram of each listed profile's
/// names and former surnames and one per skill, under its current reading,
/// none for anyone else, and every gram's count right.
async fn assert_postings_follow_profiles(app: &TestApp) {
    let mut conn = app.database().connect().await;
    let found: Discrepancies = diesel::sql_query(
        "WITH expected AS (
             SELECT DISTINCT gram, p.sort_key, p.member_id
             FROM membership.profiles AS p
             CROSS JOIN LATERAL unnest(p.name_grams || p.former_grams) AS gram
             WHERE p.listed_in_directory
         ), actual AS (
             SELECT gram, sort_key, member_id FROM membership.directory_grams
         ), expected_skills AS (
             SELECT s.tag_id, p.sort_key, p.member_id
             FROM membership.member_skills AS s
             JOIN membership.profiles AS p USING (member_id)
             WHERE p.listed_in_directory
         ), actual_skills AS (
             SELECT tag_id, sort_key, member_id FROM membership.directory_skills
         )
         SELECT
             (SELECT count(*) FROM (SELECT * FROM expected EXCEPT SELECT * FROM actual) AS m) AS missing,
             (SELECT count(*) FROM (SELECT * FROM actual EXCEPT SELECT * FROM expected) AS e) AS extra,
             (SELECT count(*)
              FROM (SELECT gram, count(*) AS postings FROM actual GROUP BY gram) AS a
              FULL JOIN membership.directory_gram_counts AS c USING (gram)
              WHERE coalesce(a.postings, 0) <> coalesce(c.postings, 0)) AS miscounted,
             (SELECT count(*) FROM (SELECT * FROM expected_skills EXCEPT SELECT * FROM actual_skills) AS m)
                 AS skills_missing,
             (SELECT count(*) FROM (SELECT * FROM actual_skills EXCEPT SELECT * FROM expected_skills) AS e)
                 AS skills_extra",
    )
    .get_result(&mut conn)
    .await
    .unwrap();
    assert_eq!(
        (
            found.missing,
            found.extra,
            found.miscounted,
            found.skills_missing,
            found.skills_extra
        ),
        (0, 0, 0, 0, 0),
        "gram postings missing, extra, gram counts wrong, skill postings missing, extra"
    );
}

async fn page(client: &TestClient, variables: Value) -> Value {
    client.query_with(PAGE, variables).await.data()["members"].clone()
}

/// Every member a search finds, page by page forward.
async fn found(client: &TestClient, query: &str) -> Vec<Value> {
    found_by(client, json!({ "query": query })).await
}

/// Every member a filter finds, page by page forward.
async fn found_by(client: &TestClient, filter: Value) -> Vec<Value> {
    let mut nodes = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = page(
            client,
            json!({ "filter": filter, "first": 100, "after": after }),
        )
        .await;
        nodes.extend(page["nodes"].as_array().unwrap().iter().cloned());
        if page["pageInfo"]["hasNextPage"] != true {
            return nodes;
        }
        after = page["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
}

fn ids(nodes: &[Value]) -> Vec<&str> {
    nodes
        .iter()
        .map(|node| node["id"].as_str().unwrap())
        .collect()
}

fn text(node: &Value, field: &str) -> String {
    node[field].as_str().unwrap().to_owned()
}

/// Whether a listed member, as the viewer sees them, matches `query`:
/// every word is in the name, its reading or romaji, or in a former
/// surname the viewer may read. Written from the rule, not from the SQL.
fn matches(node: &Value, query: &str) -> bool {
    let kana = text(node, "displayNameKana");
    let mut fields = vec![
        search::normalize(&text(node, "displayName")),
        search::normalize(&kana),
        search::romaji(&kana),
    ];
    let visible_former = node["formerSurnames"].as_array().into_iter().flatten();
    fields.extend(visible_former.map(|former| search::normalize(former.as_str().unwrap())));
    search::query_terms(query)
        .unwrap()
        .iter()
        .all(|term| fields.iter().any(|field| field.contains(term.as_str())))
}

#[tokio::test]
async fn common_and_rare_words_find_exactly_the_members_a_viewer_may_find_them_by() {
    let app = network().await;
    // Found by "a" only through a former surname kept for the secretariat:
    // いとう ゆういち (itou yuuichi) has no "a" in the name.
    let formerly_abe = app.create_member(&[Role::Alumnus]).await;
    update_profile(
        &app,
        &formerly_abe,
        json!({
            "displayName": "伊東 悠一", "displayNameKana": "いとう ゆういち",
            "formerSurnames": ["Abe"], "formerSurnamesVisibility": "SECRETARIAT",
        }),
    )
    .await;
    let unlisted = app.create_member(&[Role::Alumnus]).await;
    update_profile(
        &app,
        &unlisted,
        json!({ "displayName": "阿部 花子", "displayNameKana": "あべ はなこ", "listedInDirectory": false }),
    )
    .await;
    let suspended = app.create_member(&[Role::Alumnus]).await;
    update_profile(
        &app,
        &suspended,
        json!({ "displayName": "阿部 太郎", "displayNameKana": "あべ たろう" }),
    )
    .await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    app.client_as(&secretariat)
        .query_with(
            "mutation($id: ID!) { suspendMember(memberId: $id, reason: \"spam\") { status } }",
            json!({ "id": suspended.global_id() }),
        )
        .await
        .data();
    let member = app.client_as(&app.create_member(&[Role::Alumnus]).await);
    let secretariat = app.client_as(&secretariat);
    // Bulk inserts (2,000 profiles a statement) and single edits alike.
    assert_postings_follow_profiles(&app).await;

    for (viewer, client) in [("member", &member), ("secretariat", &secretariat)] {
        let everyone = found(client, "").await;
        for query in [
            // Most members.
            "a",
            "o a",
            "A　ｏ",
            // Fewer and fewer, down to none.
            "藤",
            "とう a",
            "佐藤",
            "ゆういち",
            "abe",
            "伊東 abe",
            "%",
            "_",
            "存在しない",
        ] {
            let expected: Vec<&Value> = everyone
                .iter()
                .filter(|node| matches(node, query))
                .collect();
            let expected: Vec<&str> = expected
                .iter()
                .map(|node| node["id"].as_str().unwrap())
                .collect();
            let nodes = found(client, query).await;
            let found = ids(&nodes);
            if found != expected {
                let missing = expected.iter().filter(|id| !found.contains(id)).count();
                let extra = found.iter().filter(|id| !expected.contains(id)).count();
                panic!(
                    "{viewer} searching {query:?}: {} found, {} expected; {missing} missing, \
                     {extra} extra, otherwise out of order",
                    found.len(),
                    expected.len()
                );
            }
        }
        let by_a = found(client, "a").await;
        let by_abe = ids(&found(client, "abe").await).contains(&formerly_abe.global_id().as_str());
        assert_eq!(
            by_abe,
            viewer == "secretariat",
            "{viewer} searching \"abe\""
        );
        assert_eq!(
            ids(&by_a).contains(&formerly_abe.global_id().as_str()),
            viewer == "secretariat",
            "{viewer} searching \"a\" through a former surname"
        );
        for hidden in [&unlisted, &suspended] {
            assert!(!ids(&by_a).contains(&hidden.global_id().as_str()));
        }
    }
}

#[tokio::test]
async fn searches_page_backward_and_from_cursors_like_the_list() {
    let app = network().await;
    let client = app.client_as(&app.create_member(&[Role::Alumnus]).await);
    let all = found(&client, "a").await;
    let all = ids(&all);
    assert!(all.len() > 530, "{} members found by \"a\"", all.len());

    let last = page(&client, json!({ "filter": { "query": "a" }, "last": 30 })).await;
    assert_eq!(
        ids(last["nodes"].as_array().unwrap()),
        all[all.len() - 30..]
    );
    assert_eq!(last["pageInfo"]["hasPreviousPage"], true);
    assert_eq!(last["pageInfo"]["hasNextPage"], false);

    // From the middle: the 30 before and the 30 after the end of the
    // fifth page of 100.
    let mut cursor = Value::Null;
    for _ in 0..5 {
        let next = page(
            &client,
            json!({ "filter": { "query": "a" }, "first": 100, "after": cursor }),
        )
        .await;
        cursor = next["pageInfo"]["endCursor"].clone();
    }
    let before = page(
        &client,
        json!({ "filter": { "query": "a" }, "last": 30, "before": cursor }),
    )
    .await;
    assert_eq!(ids(before["nodes"].as_array().unwrap()), all[469..499]);
    let after = page(
        &client,
        json!({ "filter": { "query": "a" }, "first": 30, "after": cursor }),
    )
    .await;
    assert_eq!(ids(after["nodes"].as_array().unwrap()), all[500..530]);
}

#[tokio::test]
async fn a_search_costs_one_statement_more_than_the_list_whatever_the_page() {
    let app = network().await;
    let client = app.client_as(&app.create_member(&[Role::Alumnus]).await);
    let cost = |variables: Value| {
        let app = &app;
        let client = &client;
        async move { app.count_statements(page(client, variables)).await }
    };

    let (listed, listing) = cost(json!({ "first": 100 })).await;
    assert_eq!(listed["nodes"].as_array().unwrap().len(), 100);
    for query in ["a", "佐藤"] {
        for first in [10, 100] {
            let (page, statements) =
                cost(json!({ "filter": { "query": query }, "first": first })).await;
            assert!(!page["nodes"].as_array().unwrap().is_empty(), "{query:?}");
            // How common the words' grams are, then the page.
            assert_eq!(statements, listing + 1, "{query:?}, first {first}");
        }
    }
}

#[tokio::test]
async fn searches_follow_renames_former_surnames_listing_and_withdrawal() {
    let app = TestApp::spawn().await;
    let member = app.create_member(&[Role::Alumnus]).await;
    let id = member.global_id();
    let viewer = app.client_as(&app.create_member(&[Role::Alumnus]).await);
    let finds = |query: &'static str| {
        let viewer = &viewer;
        let id = id.clone();
        async move { ids(&found(viewer, query).await).contains(&id.as_str()) }
    };

    update_profile(
        &app,
        &member,
        json!({ "displayName": "勅使河原 蓮", "displayNameKana": "てしがわら れん",
                "formerSurnames": ["四月一日"] }),
    )
    .await;
    assert!(finds("勅使河原").await && finds("四月一日").await && finds("れん").await);
    assert_postings_follow_profiles(&app).await;

    update_profile(
        &app,
        &member,
        json!({ "displayName": "髙橋 蓮", "displayNameKana": "たかはし れん", "formerSurnames": [] }),
    )
    .await;
    assert!(!finds("勅使河原").await, "found by the old name");
    assert!(
        !finds("四月一日").await,
        "found by a removed former surname"
    );
    assert!(finds("髙橋").await && finds("takahashi ren").await);
    assert_postings_follow_profiles(&app).await;

    update_profile(&app, &member, json!({ "listedInDirectory": false })).await;
    assert!(!finds("髙橋").await, "found while unlisted");
    assert_postings_follow_profiles(&app).await;
    update_profile(&app, &member, json!({ "listedInDirectory": true })).await;
    assert!(finds("髙橋").await, "not found once listed again");

    app.client_as(&member)
        .query("mutation { withdrawMembership(confirm: true) }")
        .await
        .data();
    assert!(!finds("髙橋").await, "found after withdrawing");
    assert_postings_follow_profiles(&app).await;
}

#[tokio::test]
async fn skill_filters_find_exactly_the_holders_whose_skills_the_viewer_may_see() {
    let app = network().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let holder = app.create_member(&[Role::Alumnus]).await;
    update_profile(
        &app,
        &holder,
        json!({ "displayName": "伊東 悠一", "displayNameKana": "いとう ゆういち",
                "skills": ["PowerBuilder", "Kubernetes"], "skillsVisibility": "SECRETARIAT" }),
    )
    .await;
    assert_postings_follow_profiles(&app).await;
    let member = app.client_as(&app.create_member(&[Role::Alumnus]).await);
    let secretariat = app.client_as(&secretariat);

    for (viewer, client) in [("member", &member), ("secretariat", &secretariat)] {
        let everyone = found(client, "").await;
        let holds = |node: &Value, slug: &str| {
            node["skills"]
                .as_array()
                .is_some_and(|skills| skills.iter().any(|skill| skill["slug"] == slug))
        };
        for (skill, query) in [
            // Common, rare and held by nobody else, alone and with words.
            ("java", ""),
            ("powerbuilder", ""),
            ("kubernetes", "a"),
            ("powerbuilder", "いとう"),
            ("java", "佐藤"),
        ] {
            let expected: Vec<&str> = everyone
                .iter()
                .filter(|node| holds(node, skill) && matches(node, query))
                .map(|node| node["id"].as_str().unwrap())
                .collect();
            let nodes = found_by(client, json!({ "skill": skill, "query": query })).await;
            assert_eq!(ids(&nodes), expected, "{viewer}: {skill} and {query:?}");
        }
        let rare = ids(&found_by(client, json!({ "skill": "PowerBuilder" })).await)
            .contains(&holder.global_id().as_str());
        assert_eq!(
            rare,
            viewer == "secretariat",
            "{viewer} finding a hidden skill"
        );
    }

    update_profile(&app, &holder, json!({ "skills": ["COBOL"] })).await;
    update_profile(&app, &holder, json!({ "displayNameKana": "あべ ゆういち" })).await;
    assert_postings_follow_profiles(&app).await;
    assert!(
        !ids(&found_by(&secretariat, json!({ "skill": "PowerBuilder" })).await)
            .contains(&holder.global_id().as_str()),
        "found by a skill given up"
    );
}
