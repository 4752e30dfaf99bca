//! The directory: Japanese-aware search, filters, order, paging and cost.

use alumni_core::Role;
use alumni_core::secrets::ExposeSecret as _;
use alumni_membership::demo;
use alumni_test_support::{TestApp, TestClient};
use serde_json::{Value, json};

const DIRECTORY: &str = "query Directory($filter: MemberFilter, $first: Int, $after: String, $last: Int, $before: String) {
    members(filter: $filter, first: $first, after: $after, last: $last, before: $before) {
        nodes {
            displayName displayNameKana formerSurnames
            skills { name slug }
            interests
            employment { leftYear company { name shortName } }
        }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
}";

async fn search(client: &TestClient, variables: Value) -> Value {
    let response = client.query_with(DIRECTORY, variables).await;
    response.data()["members"].clone()
}

fn names(page: &Value) -> Vec<String> {
    page["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|node| node["displayName"].as_str().unwrap().to_owned())
        .collect()
}

/// Members with the given names and readings, created by the factory and
/// renamed through the API.
async fn people(app: &TestApp, people: &[(&str, &str, &[&str])]) -> TestClient {
    for (name, kana, former) in people {
        let member = app.create_member(&[Role::Alumnus]).await;
        app.client_as(&member)
            .query_with(
                "mutation($input: ProfileInput!) { updateMyProfile(input: $input) { id } }",
                json!({ "input": { "displayName": name, "displayNameKana": kana, "formerSurnames": former } }),
            )
            .await
            .data();
    }
    app.client_as(&app.create_member(&[Role::Alumnus]).await)
}

#[tokio::test]
async fn finds_people_by_kanji_kana_romaji_and_former_surname_in_reading_order() {
    let app = TestApp::spawn().await;
    let client = people(
        &app,
        &[
            ("渡辺 直美", "わたなべ なおみ", &["小川"]),
            ("髙橋 一郎", "タカハシ イチロウ", &[]),
            ("高橋 美咲", "たかはし みさき", &["阿部"]),
            ("阿部 翔太", "あべ しょうた", &[]),
        ],
    )
    .await;
    let find = |query: &'static str| search(&client, json!({ "filter": { "query": query } }));

    assert_eq!(names(&find("たかはし").await), ["髙橋 一郎", "高橋 美咲"]);
    assert_eq!(names(&find("タカハシ").await), ["髙橋 一郎", "高橋 美咲"]);
    assert_eq!(names(&find("Takahashi").await), ["髙橋 一郎", "高橋 美咲"]);
    assert_eq!(names(&find("髙橋").await), ["髙橋 一郎"]);
    assert_eq!(names(&find("橋").await), ["髙橋 一郎", "高橋 美咲"]);
    assert_eq!(names(&find("takahashi misaki").await), ["高橋 美咲"]);
    assert_eq!(names(&find("ｍｉｓａｋｉ").await), ["高橋 美咲"]);
    // A former surname finds its bearer; 阿部 also finds 阿部 翔太 by name.
    assert_eq!(names(&find("阿部").await), ["阿部 翔太", "高橋 美咲"]);
    assert_eq!(names(&find("小川").await), ["渡辺 直美"]);
    assert!(names(&find("存在しない").await).is_empty());

    // The whole directory is in gojūon order of the readings.
    let everyone = names(&search(&client, json!({ "first": 100 })).await);
    let position = |name: &str| everyone.iter().position(|listed| listed == name).unwrap();
    assert!(position("阿部 翔太") < position("髙橋 一郎"));
    assert!(position("髙橋 一郎") < position("高橋 美咲"));
    assert!(position("高橋 美咲") < position("渡辺 直美"));
}

#[tokio::test]
async fn total_count_counts_the_filtered_list_as_the_viewer_may_search_it() {
    let app = TestApp::spawn().await;
    let client = people(
        &app,
        &[
            ("高橋 一郎", "たかはし いちろう", &[]),
            ("阿部 翔太", "あべ しょうた", &[]),
        ],
    )
    .await;
    let misaki = app.create_member(&[Role::Alumnus]).await;
    let rename = json!({ "input": {
        "displayName": "高橋 美咲", "displayNameKana": "たかはし みさき", "formerSurnames": ["阿部"]
    } });
    app.client_as(&misaki)
        .query_with(
            "mutation($input: ProfileInput!) { updateMyProfile(input: $input) { id } }",
            rename,
        )
        .await
        .data();
    let counted = "query($filter: MemberFilter) {
        members(filter: $filter, first: 1) { totalCount totalCountCapped nodes { displayName } }
    }";
    let count = |filter: Value| {
        let client = &client;
        async move {
            let members = client
                .query_with(counted, json!({ "filter": filter }))
                .await
                .data()["members"]
                .clone();
            assert_eq!(members["totalCountCapped"], false);
            members["totalCount"].as_i64().unwrap()
        }
    };
    // Three named people and the viewer; the page holds one of them.
    assert_eq!(count(json!({})).await, 4);
    assert_eq!(count(json!({ "query": "たかはし" })).await, 2);
    assert_eq!(count(json!({ "query": "阿部" })).await, 2);
    assert_eq!(count(json!({ "query": "存在しない" })).await, 0);
    assert_eq!(count(json!({ "skill": "未登録のスキル" })).await, 0);

    // A former surname kept private no longer counts, as it no longer finds.
    app.client_as(&misaki)
        .query("mutation { updateMyProfile(input: { formerSurnamesVisibility: PRIVATE }) { id } }")
        .await
        .data();
    assert_eq!(count(json!({ "query": "阿部" })).await, 1);

    // Counting is one more statement, and only when asked for.
    let page = |with_count: bool| {
        let query = format!(
            "{{ members(first: 2) {{ {} nodes {{ displayName }} }} }}",
            if with_count { "totalCount" } else { "" }
        );
        let client = &client;
        async move { client.query(&query).await.data().clone() }
    };
    let (_, without) = app.count_statements(page(false)).await;
    let (_, with) = app.count_statements(page(true)).await;
    assert_eq!(with, without + 1);
}

#[tokio::test]
async fn members_who_opt_out_are_not_listed_but_still_exist() {
    let app = TestApp::spawn().await;
    let shy = app.create_member(&[Role::Alumnus]).await;
    let viewer = app.client_as(&app.create_member(&[Role::Alumnus]).await);
    app.client_as(&shy)
        .query("mutation { updateMyProfile(input: { listedInDirectory: false }) { id } }")
        .await
        .data();

    let listed = names(&search(&viewer, json!({ "first": 100 })).await);
    assert!(!listed.iter().any(|name| name == "会員 0"), "{listed:?}");
    let direct = viewer
        .query_with(
            "query($id: ID!) { member(id: $id) { displayName } }",
            json!({ "id": shy.global_id() }),
        )
        .await;
    assert_eq!(direct.data()["member"]["displayName"], "会員 0");
}

#[tokio::test]
async fn pages_forward_and_back_without_gaps_or_repeats() {
    let app = TestApp::spawn().await;
    for _ in 0..7 {
        app.create_member(&[Role::Alumnus]).await;
    }
    let client = app.client_as(&app.create_member(&[Role::Alumnus]).await);
    let all = names(&search(&client, json!({ "first": 100 })).await);
    assert_eq!(all.len(), 8);

    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = search(&client, json!({ "first": 3, "after": after })).await;
        seen.extend(names(&page));
        if page["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = page["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
    assert_eq!(seen, all);

    let last_three = search(&client, json!({ "last": 3 })).await;
    assert_eq!(names(&last_three), all[5..]);
    assert_eq!(last_three["pageInfo"]["hasPreviousPage"], true);
    let before = search(
        &client,
        json!({ "last": 3, "before": last_three["pageInfo"]["startCursor"] }),
    )
    .await;
    assert_eq!(names(&before), all[2..5]);
}

#[tokio::test]
async fn filters_return_only_matching_members() {
    let app = TestApp::spawn().await;
    let demo = demo::seed(&app.services.membership).await.unwrap();
    let token = app
        .services
        .membership
        .issue_session(demo.alumni[0])
        .await
        .unwrap()
        .token
        .expose_secret()
        .to_owned();
    let client = app.client().with_token(token);

    let skilled = search(
        &client,
        json!({ "first": 100, "filter": { "skill": "Kubernetes" } }),
    )
    .await;
    let skilled = skilled["nodes"].as_array().unwrap().clone();
    assert!(!skilled.is_empty());
    for node in &skilled {
        let slugs: Vec<&str> = node["skills"]
            .as_array()
            .unwrap()
            .iter()
            .map(|tag| tag["slug"].as_str().unwrap())
            .collect();
        assert!(slugs.contains(&"kubernetes"), "{node}");
    }

    let interested = search(
        &client,
        json!({ "first": 100, "filter": { "interest": "MENTORING" } }),
    )
    .await;
    let interested = interested["nodes"].as_array().unwrap().clone();
    assert!(!interested.is_empty(), "the demo has mentors to find");
    for node in &interested {
        assert!(
            node["interests"]
                .as_array()
                .unwrap()
                .contains(&json!("MENTORING")),
            "{node}"
        );
    }

    let left_early = search(
        &client,
        json!({ "first": 100, "filter": { "leftYearFrom": 2000, "leftYearTo": 2004 } }),
    )
    .await;
    let left_early = left_early["nodes"].as_array().unwrap().clone();
    assert!(!left_early.is_empty());
    for node in &left_early {
        let year = node["employment"]["leftYear"].as_i64().unwrap();
        assert!((2000..=2004).contains(&year), "{node}");
    }

    let unknown_skill = search(&client, json!({ "filter": { "skill": "COBOL on Mars" } })).await;
    assert!(names(&unknown_skill).is_empty());
}

#[tokio::test]
async fn odd_filters_are_refused_with_the_field_named() {
    let app = TestApp::spawn().await;
    let client = app.client_as(&app.create_member(&[Role::Alumnus]).await);
    for (filter, field) in [
        (
            json!({ "leftYearFrom": 2020, "leftYearTo": 2010 }),
            "filter.leftYearTo",
        ),
        (json!({ "leftYearFrom": 99999 }), "filter.leftYearFrom"),
        (json!({ "query": "あ".repeat(101) }), "filter.query"),
        (
            json!({ "predecessorCompany": "not-an-id" }),
            "filter.predecessorCompany",
        ),
    ] {
        let response = client
            .query_with(DIRECTORY, json!({ "filter": filter }))
            .await;
        assert_eq!(
            response.expect_error("BAD_USER_INPUT")["extensions"]["field"],
            field
        );
    }
    app.client()
        .query(DIRECTORY)
        .await
        .expect_error("UNAUTHENTICATED");
}

#[tokio::test]
async fn too_many_or_too_long_search_words_are_refused_with_the_field_named() {
    let app = TestApp::spawn().await;
    let client = app.client_as(&app.create_member(&[Role::Alumnus]).await);
    let refused = |filter: Value| {
        let client = &client;
        async move {
            let response = client
                .query_with(DIRECTORY, json!({ "filter": filter }))
                .await;
            let error = response.expect_error("BAD_USER_INPUT").clone();
            (
                error["extensions"]["field"].as_str().unwrap().to_owned(),
                error["message"].as_str().unwrap().to_owned(),
            )
        }
    };

    // Six different words, none inside another: one too many.
    let (field, message) = refused(json!({ "query": "佐藤 鈴木 高橋 田中 伊藤 渡辺" })).await;
    assert_eq!(field, "filter.query");
    assert!(message.contains("at most 5"), "{message}");
    // The crafted query of the issue: fifty different one-letter words.
    let letters: Vec<String> = ('a'..='z').chain('あ'..='ち').map(String::from).collect();
    let (field, _) = refused(json!({ "query": letters[..50].join(" ") })).await;
    assert_eq!(field, "filter.query");

    // A word over 32 characters, as written or once normalised (㍿ is
    // 株式会社, so nine of them make 36 characters).
    let (field, message) = refused(json!({ "query": format!("佐藤 {}", "あ".repeat(33)) })).await;
    assert_eq!(field, "filter.query");
    assert!(message.contains("32 characters"), "{message}");
    let (field, _) = refused(json!({ "query": "㍿".repeat(9) })).await;
    assert_eq!(field, "filter.query");

    // No skill name is longer than 50 characters, so neither is a filter
    // or a prefix.
    let (field, _) = refused(json!({ "skill": "k".repeat(51) })).await;
    assert_eq!(field, "filter.skill");
    let response = client
        .query_with(
            "query($prefix: String) { tags(prefix: $prefix) { nodes { name } } }",
            json!({ "prefix": "k".repeat(51) }),
        )
        .await;
    assert_eq!(
        response.expect_error("BAD_USER_INPUT")["extensions"]["field"],
        "prefix"
    );

    // At the bounds, the same searches run.
    let five = search(
        &client,
        json!({ "filter": { "query": "佐藤 鈴木 高橋 田中 伊藤" } }),
    )
    .await;
    assert!(names(&five).is_empty());
    let longest = search(&client, json!({ "filter": { "query": "あ".repeat(32) } })).await;
    assert!(names(&longest).is_empty());
    let skill = search(&client, json!({ "filter": { "skill": "k".repeat(50) } })).await;
    assert!(names(&skill).is_empty());
}

#[tokio::test]
async fn repeated_words_and_words_inside_others_count_once() {
    let app = TestApp::spawn().await;
    let client = people(
        &app,
        &[
            ("佐藤 花子", "さとう はなこ", &["山田"]),
            ("佐藤 健太", "さとう けんた", &[]),
            ("加藤 花子", "かとう はなこ", &[]),
        ],
    )
    .await;
    let find = |query: String| search(&client, json!({ "filter": { "query": query } }));

    // Thirty-three times the same word (99 characters) is one word.
    assert_eq!(
        names(&find(vec!["佐藤"; 33].join(" ")).await),
        ["佐藤 健太", "佐藤 花子"]
    );
    assert_eq!(
        names(&find(vec!["う"; 50].join(" ")).await),
        ["加藤 花子", "佐藤 健太", "佐藤 花子"]
    );
    // Ten words, of which five are not inside another one: 佐 and 藤 are
    // in 佐藤, は and はな in はなこ, and the repeated 佐藤 counts once.
    assert_eq!(
        names(&find("佐 藤 佐藤 は はな はなこ 佐藤 hanako やまだ 山田".to_owned()).await),
        Vec::<String>::new(),
        "nobody is called やまだ"
    );
    assert_eq!(
        names(&find("佐 藤 佐藤 は はな はなこ 佐藤 hanako 山田".to_owned()).await),
        ["佐藤 花子"]
    );
    // Words in different scripts are different words, and still all match.
    assert_eq!(
        names(&find("花子 はなこ hanako サトウ sato".to_owned()).await),
        ["佐藤 花子"]
    );
}

#[tokio::test]
async fn a_page_of_ten_and_a_page_of_a_hundred_cost_the_same_statements() {
    let app = TestApp::spawn().await;
    let demo = demo::seed(&app.services.membership).await.unwrap();
    let token = app
        .services
        .membership
        .issue_session(demo.alumni[0])
        .await
        .unwrap()
        .token
        .expose_secret()
        .to_owned();
    let client = app.client().with_token(token);

    let (small, small_cost) = app
        .count_statements(search(&client, json!({ "first": 10 })))
        .await;
    let (large, large_cost) = app
        .count_statements(search(&client, json!({ "first": 100 })))
        .await;
    assert_eq!(small["nodes"].as_array().unwrap().len(), 10);
    assert_eq!(large["nodes"].as_array().unwrap().len(), 100);
    assert_eq!(
        small_cost, large_cost,
        "statements must not grow with the page"
    );
    // Authentication, the page with its companies, skills.
    assert_eq!(large_cost, 3);
}

#[tokio::test]
async fn the_tag_vocabulary_lists_only_skills_the_viewer_could_see_on_someone() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let with_skill = |skill: &'static str, visibility: &'static str| {
        let app = &app;
        async move {
            let member = app.create_member(&[Role::Alumnus]).await;
            app.client_as(&member)
                .query_with(
                    "mutation($input: ProfileInput!) { updateMyProfile(input: $input) { id } }",
                    json!({ "input": { "skills": [skill], "skillsVisibility": visibility } }),
                )
                .await
                .data();
            member
        }
    };
    with_skill("Kubernetes", "MEMBERS").await;
    with_skill("Kafka", "SECRETARIAT").await;
    let private = with_skill("Kotlin", "PRIVATE").await;
    let suspended = with_skill("Knative", "MEMBERS").await;
    app.client_as(&secretariat)
        .query_with(
            "mutation($id: ID!) { suspendMember(memberId: $id, reason: \"spam\") { status } }",
            json!({ "id": suspended.global_id() }),
        )
        .await
        .data();

    let vocabulary = |client: TestClient| async move {
        let response = client
            .query("{ tags(prefix: \"K\", first: 100) { nodes { name } } }")
            .await;
        response.data()["tags"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|tag| tag["name"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let member = app.create_member(&[Role::Alumnus]).await;
    assert_eq!(vocabulary(app.client_as(&member)).await, ["Kubernetes"]);
    // The secretariat may see SECRETARIAT skills and suspended members.
    assert_eq!(
        vocabulary(app.client_as(&secretariat)).await,
        ["Kafka", "Knative", "Kubernetes"]
    );
    // Their own hidden skills tell the holder nothing new.
    assert_eq!(
        vocabulary(app.client_as(&private)).await,
        ["Kotlin", "Kubernetes"]
    );
}
