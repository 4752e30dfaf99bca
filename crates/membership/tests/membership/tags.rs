//! The shared tag vocabulary's curation: aliases in any script resolve on
//! every path (tagging, look-up, autocompletion, the directory's skill
//! filter, the magazine's tag filter), renames and merges keep every
//! reference, and only the secretariat curates.

use alumni_core::Role;
use alumni_test_support::{GqlResponse, TestApp, TestClient, TestMember};
use serde_json::{Value, json};

const UPDATE_PROFILE: &str =
    "mutation($input: ProfileInput!) { updateMyProfile(input: $input) { skills { name } } }";
const TAG: &str = "query($name: String!) { tag(name: $name) { id name slug aliases labelJa labelEn ja: label(language: JA) en: label(language: EN) } }";
const ADD_ALIAS: &str =
    "mutation($tag: ID!, $name: String!) { addTagAlias(tag: $tag, name: $name) { name aliases } }";
const REMOVE_ALIAS: &str = "mutation($name: String!) { removeTagAlias(name: $name) { name } }";
const RENAME: &str = "mutation($tag: ID!, $name: String!, $keep: Boolean = true) { renameTag(tag: $tag, name: $name, keepOldNameAsAlias: $keep) { name slug aliases } }";
const LABELS: &str = "mutation($tag: ID!, $ja: String, $en: String) { setTagLabels(tag: $tag, labelJa: $ja, labelEn: $en) { labelJa labelEn ja: label(language: JA) en: label(language: EN) } }";
const MERGE: &str = "mutation($from: ID!, $into: ID!) { mergeTags(from: $from, into: $into) { id name aliases labelEn } }";

/// A member whose skills (visible to members) are `skills`; the names of
/// the skills they ended up with.
async fn member_with_skills(app: &TestApp, skills: &[&str]) -> (TestMember, Vec<String>) {
    let member = app.create_member(&[Role::Alumnus]).await;
    let response = app
        .client_as(&member)
        .query_with(
            UPDATE_PROFILE,
            json!({ "input": { "skills": skills, "skillsVisibility": "MEMBERS" } }),
        )
        .await;
    let names = strings(&response.data()["updateMyProfile"]["skills"], "name");
    (member, names)
}

fn strings(list: &Value, field: &str) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|item| item[field].as_str().unwrap().to_owned())
        .collect()
}

/// The tag `name` resolves to, as `client` looks it up.
async fn tag(client: &TestClient, name: &str) -> Value {
    client.query_with(TAG, json!({ "name": name })).await.data()["tag"].clone()
}

async fn tag_id(client: &TestClient, name: &str) -> String {
    tag(client, name).await["id"].as_str().unwrap().to_owned()
}

/// The names `tags(prefix:)` lists, and its total count.
async fn vocabulary(client: &TestClient, prefix: &str) -> (Vec<String>, i64) {
    let response = client
        .query_with(
            "query($prefix: String) { tags(prefix: $prefix, first: 100) { totalCount nodes { name aliases } } }",
            json!({ "prefix": prefix }),
        )
        .await;
    let tags = &response.data()["tags"];
    (
        strings(&tags["nodes"], "name"),
        tags["totalCount"].as_i64().unwrap(),
    )
}

/// The names of members the directory lists for a skill filter.
async fn holders(client: &TestClient, skill: &str) -> Vec<String> {
    let response = client
        .query_with(
            "query($skill: String) { members(filter: { skill: $skill }, first: 100) { nodes { id } } }",
            json!({ "skill": skill }),
        )
        .await;
    let mut ids = strings(&response.data()["members"]["nodes"], "id");
    ids.sort();
    ids
}

/// A published post tagged `tags`, written by the secretariat; its id.
async fn post(app: &TestApp, secretariat: &TestMember, title: &str, tags: &[&str]) -> String {
    let client = app.client_as(secretariat);
    let created = client
        .query_with(
            "mutation($input: PostContentInput!) { createPost(input: $input) { id } }",
            json!({ "input": {
                "title": title,
                "body": "コンテナ基盤の運用で学んだこと。",
                "tags": tags,
                "audience": { "audience": "EVERYONE" },
            } }),
        )
        .await;
    let id = created.data()["createPost"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    client
        .query_with(
            "mutation($id: ID!) { publishPost(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await
        .data();
    id
}

/// The ids of the posts the magazine lists for a tag filter (and search
/// words, which take the search path).
async fn tagged_posts(client: &TestClient, tag: &str, query: Option<&str>) -> Vec<String> {
    let response = client
        .query_with(
            "query($filter: PostFilter) { posts(first: 100, filter: $filter) { nodes { id } } }",
            json!({ "filter": { "tag": tag, "query": query } }),
        )
        .await;
    strings(&response.data()["posts"]["nodes"], "id")
}

async fn post_tags(client: &TestClient, post: &str) -> Vec<String> {
    let response = client
        .query_with(
            "query($id: ID!) { node(id: $id) { ... on Post { tags { name } } } }",
            json!({ "id": post }),
        )
        .await;
    strings(&response.data()["node"]["tags"], "name")
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    use diesel_async::RunQueryDsl as _;
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        count: i64,
    }
    let mut conn = app.database().connect().await;
    diesel::sql_query(format!("SELECT count(*) AS count FROM {sql}"))
        .get_result::<Count>(&mut conn)
        .await
        .expect("count rows")
        .count
}

async fn execute(app: &TestApp, sql: &str) {
    use diesel_async::RunQueryDsl as _;
    let mut conn = app.database().connect().await;
    diesel::sql_query(sql)
        .execute(&mut conn)
        .await
        .expect("statement");
}

fn reason(response: &GqlResponse) -> Option<&str> {
    response.errors().first()?["extensions"]["reason"].as_str()
}

#[tokio::test]
async fn aliases_in_any_script_resolve_on_every_path() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let curator = app.client_as(&secretariat);
    let (first, _) = member_with_skills(&app, &["Kubernetes", "Machine Learning"]).await;
    let kubernetes = tag_id(&curator, "Kubernetes").await;
    let machine_learning = tag_id(&curator, "machine learning").await;
    for (tag, name) in [
        (&kubernetes, "k8s"),
        (&kubernetes, "クバネティス"),
        (&machine_learning, "機械学習"),
    ] {
        curator
            .query_with(ADD_ALIAS, json!({ "tag": tag, "name": name }))
            .await
            .data();
    }
    let tags_before = count(&app, "membership.tags").await;

    // Writing a skill by any of its names, in any width or script, gives
    // the one tag, once, and creates none.
    let (second, skills) =
        member_with_skills(&app, &["K8S", "ｸﾊﾞﾈﾃｨｽ", "kubernetes", "機械学習"]).await;
    assert_eq!(skills, ["Kubernetes", "Machine Learning"]);
    assert_eq!(count(&app, "membership.tags").await, tags_before);

    // Looking a name up.
    let reader = app.client_as(&app.create_member(&[Role::Alumnus]).await);
    for name in [
        "k8s",
        "Ｋ８ｓ",
        "クバネティス",
        "くばねてぃす",
        "KUBERNETES",
    ] {
        let found = tag(&reader, name).await;
        assert_eq!(found["id"], kubernetes.as_str(), "{name}");
        assert_eq!(found["aliases"], json!(["k8s", "クバネティス"]));
    }
    assert_eq!(tag(&reader, "機械学習").await["name"], "Machine Learning");
    assert_eq!(tag(&reader, "k9s").await, Value::Null);

    // Autocompletion, by slug or alias, each tag once.
    for (prefix, listed) in [
        ("k8", vec!["Kubernetes"]),
        ("くば", vec!["Kubernetes"]),
        ("クバ", vec!["Kubernetes"]),
        ("k", vec!["Kubernetes"]),
        ("機械", vec!["Machine Learning"]),
        ("mac", vec!["Machine Learning"]),
    ] {
        let (names, total) = vocabulary(&reader, prefix).await;
        assert_eq!(names, listed, "{prefix}");
        assert_eq!(total, listed.len() as i64, "{prefix}");
    }

    // The directory's skill filter.
    let both = holders(&reader, "Kubernetes").await;
    assert_eq!(both.len(), 2);
    for name in ["k8s", "クバネティス", "ｸﾊﾞﾈﾃｨｽ"] {
        assert_eq!(holders(&reader, name).await, both, "{name}");
    }
    assert_eq!(holders(&reader, "機械学習").await.len(), 2);
    let _ = (first, second);

    // The magazine: tagging and the tag filter, on the feed and in search.
    let tagged = post(
        &app,
        &secretariat,
        "クラスタ運用の記録",
        &["k8s", "クバネティス"],
    )
    .await;
    post(&app, &secretariat, "クラスタ以外の記録", &["運用"]).await;
    assert_eq!(post_tags(&reader, &tagged).await, ["Kubernetes"]);
    for name in ["Kubernetes", "k8s", "クバネティス"] {
        assert_eq!(
            tagged_posts(&reader, name, None).await,
            [tagged.as_str()],
            "{name}"
        );
        assert_eq!(
            tagged_posts(&reader, name, Some("クラスタ")).await,
            [tagged.as_str()],
            "{name}"
        );
    }
}

#[tokio::test]
async fn labels_fall_back_to_the_name() {
    let app = TestApp::spawn().await;
    let curator = app.client_as(&app.create_member(&[Role::Secretariat]).await);
    member_with_skills(&app, &["設計"]).await;
    let design = tag_id(&curator, "設計").await;
    let labelled = curator
        .query_with(LABELS, json!({ "tag": design, "en": " Software design " }))
        .await;
    assert_eq!(
        labelled.data()["setTagLabels"],
        json!({ "labelJa": null, "labelEn": "Software design", "ja": "設計", "en": "Software design" })
    );
    let reader = app.client_as(&app.create_member(&[Role::Employee]).await);
    assert_eq!(tag(&reader, "設計").await["en"], "Software design");
    let cleared = curator
        .query_with(LABELS, json!({ "tag": design, "ja": "設計", "en": "" }))
        .await;
    assert_eq!(
        cleared.data()["setTagLabels"],
        json!({ "labelJa": "設計", "labelEn": null, "ja": "設計", "en": "設計" })
    );
    let too_long = curator
        .query_with(LABELS, json!({ "tag": design, "en": "x".repeat(51) }))
        .await;
    too_long.expect_error("BAD_USER_INPUT");
    assert_eq!(app.audit_count("membership.tag_labels_set").await, 2);
}

#[tokio::test]
async fn renaming_keeps_references_and_the_old_name() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let curator = app.client_as(&secretariat);
    let (holder, _) = member_with_skills(&app, &["Golang", "Kubernetes", "Rust"]).await;
    let go = tag_id(&curator, "Golang").await;
    let kubernetes = tag_id(&curator, "Kubernetes").await;
    let tagged = post(&app, &secretariat, "Go の並行処理", &["Golang"]).await;

    let renamed = curator
        .query_with(RENAME, json!({ "tag": go, "name": "Go" }))
        .await;
    assert_eq!(
        renamed.data()["renameTag"],
        json!({ "name": "Go", "slug": "go", "aliases": ["Golang"] })
    );
    let reader = app.client_as(&app.create_member(&[Role::Alumnus]).await);
    let skills = reader
        .query_with(
            "query($id: ID!) { node(id: $id) { ... on Member { skills { name } } } }",
            json!({ "id": holder.global_id() }),
        )
        .await;
    assert_eq!(
        strings(&skills.data()["node"]["skills"], "name"),
        ["Go", "Kubernetes", "Rust"]
    );
    assert_eq!(tag(&reader, "golang").await["id"], go.as_str());
    assert_eq!(holders(&reader, "Golang").await, [holder.global_id()]);
    assert_eq!(post_tags(&reader, &tagged).await, ["Go"]);
    assert_eq!(tagged_posts(&reader, "golang", None).await, [tagged]);

    // Only the case changes: the slug stays, and no alias is added.
    let recased = curator
        .query_with(RENAME, json!({ "tag": kubernetes, "name": "KUBERNETES" }))
        .await;
    assert_eq!(recased.data()["renameTag"]["aliases"], json!([]));
    // A rename onto one of the tag's own aliases takes its place.
    curator
        .query_with(ADD_ALIAS, json!({ "tag": kubernetes, "name": "k8s" }))
        .await
        .data();
    let onto_alias = curator
        .query_with(RENAME, json!({ "tag": kubernetes, "name": "K8s" }))
        .await;
    assert_eq!(
        onto_alias.data()["renameTag"],
        json!({ "name": "K8s", "slug": "k8s", "aliases": ["KUBERNETES"] })
    );
    // Without keeping the old name, it no longer resolves (and the alias
    // the new name took the place of is gone).
    let forgotten = curator
        .query_with(
            RENAME,
            json!({ "tag": kubernetes, "name": "Kubernetes", "keep": false }),
        )
        .await;
    assert_eq!(
        forgotten.data()["renameTag"],
        json!({ "name": "Kubernetes", "slug": "kubernetes", "aliases": [] })
    );
    assert_eq!(tag(&reader, "k8s").await, Value::Null);
    assert_eq!(app.audit_count("membership.tag_renamed").await, 4);

    // Another tag's slug or alias is taken.
    for name in ["rust", "golang"] {
        let taken = curator
            .query_with(RENAME, json!({ "tag": kubernetes, "name": name }))
            .await;
        taken.expect_error("CONFLICT");
        assert_eq!(reason(&taken), Some("SLUG_TAKEN"), "{name}");
    }
}

#[tokio::test]
async fn merging_moves_every_reference_onto_the_remaining_tag() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let curator = app.client_as(&secretariat);
    let (only_long, _) = member_with_skills(&app, &["Kubernetes"]).await;
    let (only_short, _) = member_with_skills(&app, &["k8s", "Docker"]).await;
    let (both, _) = member_with_skills(&app, &["k8s", "Kubernetes"]).await;
    let kubernetes = tag_id(&curator, "Kubernetes").await;
    let k8s = tag_id(&curator, "k8s").await;
    curator
        .query_with(ADD_ALIAS, json!({ "tag": k8s, "name": "ケーエイツ" }))
        .await
        .data();
    curator
        .query_with(LABELS, json!({ "tag": k8s, "en": "Kubernetes (k8s)" }))
        .await
        .data();
    let short_post = post(&app, &secretariat, "k8s 入門", &["k8s"]).await;
    let both_post = post(
        &app,
        &secretariat,
        "Kubernetes 運用",
        &["k8s", "Kubernetes"],
    )
    .await;
    // A question of the knowledge domain tagged with the merged-away tag.
    let uuid_of = |global: &str| {
        alumni_core::GlobalId::decode(&global.into(), "id")
            .unwrap()
            .uuid
    };
    execute(
        &app,
        "INSERT INTO knowledge.questions (id, title, body, body_html, created_at, updated_at) \
         VALUES ('019b0000-0000-7000-8000-000000000001', 'k8s の質問です', '本文', '<p>本文</p>', now(), now())",
    )
    .await;
    execute(
        &app,
        &format!(
            "INSERT INTO knowledge.question_tags (question_id, tag_id) \
             VALUES ('019b0000-0000-7000-8000-000000000001', '{}')",
            uuid_of(&k8s)
        ),
    )
    .await;

    let merged = curator
        .query_with(MERGE, json!({ "from": k8s, "into": kubernetes }))
        .await;
    assert_eq!(
        merged.data()["mergeTags"],
        json!({
            "id": kubernetes,
            "name": "Kubernetes",
            "aliases": ["k8s", "ケーエイツ"],
            "labelEn": "Kubernetes (k8s)",
        })
    );

    let reader = app.client_as(&app.create_member(&[Role::Alumnus]).await);
    let mut everyone = vec![
        only_long.global_id(),
        only_short.global_id(),
        both.global_id(),
    ];
    everyone.sort();
    assert_eq!(holders(&reader, "Kubernetes").await, everyone);
    assert_eq!(holders(&reader, "k8s").await, everyone);
    assert_eq!(holders(&reader, "ケーエイツ").await, everyone);
    let skills = reader
        .query_with(
            "query($id: ID!) { node(id: $id) { ... on Member { skills { name } } } }",
            json!({ "id": both.global_id() }),
        )
        .await;
    assert_eq!(
        strings(&skills.data()["node"]["skills"], "name"),
        ["Kubernetes"]
    );
    assert_eq!(post_tags(&reader, &short_post).await, ["Kubernetes"]);
    assert_eq!(post_tags(&reader, &both_post).await, ["Kubernetes"]);
    let mut tagged = tagged_posts(&reader, "k8s", None).await;
    tagged.sort();
    let mut expected = vec![short_post, both_post];
    expected.sort();
    assert_eq!(tagged, expected);
    assert_eq!(tag(&reader, "k8s").await["id"], kubernetes.as_str());
    let (listed, _) = vocabulary(&reader, "k").await;
    assert_eq!(listed, ["Kubernetes"]);

    let from = uuid_of(&k8s);
    let into = uuid_of(&kubernetes);
    for table in [
        "membership.tags WHERE id",
        "membership.member_skills WHERE tag_id",
        "membership.directory_skills WHERE tag_id",
        "content.post_tags WHERE tag_id",
        "knowledge.question_tags WHERE tag_id",
    ] {
        assert_eq!(
            count(&app, &format!("{table} = '{from}'")).await,
            0,
            "{table}"
        );
    }
    assert_eq!(
        count(
            &app,
            &format!("membership.directory_skills WHERE tag_id = '{into}'")
        )
        .await,
        3
    );
    assert_eq!(
        count(
            &app,
            &format!("knowledge.question_tags WHERE tag_id = '{into}'")
        )
        .await,
        1
    );
    let gone = reader
        .query_with(
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": k8s }),
        )
        .await;
    assert_eq!(gone.data()["node"], Value::Null);
    assert_eq!(app.audit_count("membership.tags_merged").await, 1);

    // A tag into itself, or one that is gone.
    let into_itself = curator
        .query_with(MERGE, json!({ "from": kubernetes, "into": kubernetes }))
        .await;
    into_itself.expect_error("BAD_USER_INPUT");
    let from_gone = curator
        .query_with(MERGE, json!({ "from": k8s, "into": kubernetes }))
        .await;
    from_gone.expect_error("NOT_FOUND");
}

#[tokio::test]
async fn a_slug_names_one_tag_only() {
    let app = TestApp::spawn().await;
    let curator = app.client_as(&app.create_member(&[Role::Secretariat]).await);
    member_with_skills(&app, &["Kubernetes", "Docker"]).await;
    // A tag nobody holds any more is a tag all the same.
    let (leaver, _) = member_with_skills(&app, &["Podman"]).await;
    app.client_as(&leaver)
        .query_with(UPDATE_PROFILE, json!({ "input": { "skills": [] } }))
        .await
        .data();
    let kubernetes = tag_id(&curator, "Kubernetes").await;
    curator
        .query_with(ADD_ALIAS, json!({ "tag": kubernetes, "name": "k8s" }))
        .await
        .data();
    for name in ["Docker", "ＰＯＤＭＡＮ", "K8S", "kubernetes"] {
        let taken = curator
            .query_with(ADD_ALIAS, json!({ "tag": kubernetes, "name": name }))
            .await;
        taken.expect_error("CONFLICT");
        assert_eq!(reason(&taken), Some("SLUG_TAKEN"), "{name}");
    }
    let blank = curator
        .query_with(ADD_ALIAS, json!({ "tag": kubernetes, "name": "・ ・" }))
        .await;
    blank.expect_error("BAD_USER_INPUT");
    assert_eq!(app.audit_count("membership.tag_alias_added").await, 1);

    // Removing the alias frees the name: using it makes a tag of its own.
    let removed = curator
        .query_with(REMOVE_ALIAS, json!({ "name": "K8s" }))
        .await;
    assert_eq!(removed.data()["removeTagAlias"]["name"], "Kubernetes");
    let (_, skills) = member_with_skills(&app, &["k8s"]).await;
    assert_eq!(skills, ["k8s"]);
    let missing = curator
        .query_with(REMOVE_ALIAS, json!({ "name": "k8s" }))
        .await;
    missing.expect_error("NOT_FOUND");
    assert_eq!(app.audit_count("membership.tag_alias_removed").await, 1);
}

#[tokio::test]
async fn only_the_secretariat_curates() {
    let app = TestApp::spawn().await;
    member_with_skills(&app, &["Kubernetes", "k8s"]).await;
    let curator = app.client_as(&app.create_member(&[Role::Secretariat]).await);
    let kubernetes = tag_id(&curator, "Kubernetes").await;
    let k8s = tag_id(&curator, "k8s").await;
    let attempts = [
        (
            ADD_ALIAS,
            json!({ "tag": kubernetes, "name": "クバネティス" }),
        ),
        (REMOVE_ALIAS, json!({ "name": "k8s" })),
        (RENAME, json!({ "tag": kubernetes, "name": "K8s" })),
        (LABELS, json!({ "tag": kubernetes, "ja": "クバネティス" })),
        (MERGE, json!({ "from": k8s, "into": kubernetes })),
    ];
    let mut refused = vec![(app.client(), "UNAUTHENTICATED")];
    for role in [Role::Alumnus, Role::Employee, Role::Moderator] {
        refused.push((
            app.client_as(&app.create_member(&[role]).await),
            "FORBIDDEN",
        ));
    }
    for (client, code) in &refused {
        for (mutation, variables) in &attempts {
            let response = client.query_with(mutation, variables.clone()).await;
            response.expect_error(code);
        }
    }
    let unchanged = tag(&curator, "Kubernetes").await;
    assert_eq!(unchanged["aliases"], json!([]));
    assert_eq!(unchanged["labelJa"], Value::Null);
    assert_eq!(tag(&curator, "k8s").await["name"], "k8s");
    // Looking up needs a member.
    app.client()
        .query_with(TAG, json!({ "name": "k8s" }))
        .await
        .expect_error("UNAUTHENTICATED");
}

/// A domain that forgets to move its references on a merge must fail the
/// merge rather than lose them, so no reference to a tag may cascade;
/// membership's skills, which do, are moved before the tag is deleted.
#[tokio::test]
async fn references_to_tags_never_cascade() {
    let app = TestApp::spawn().await;
    let cascading = count(
        &app,
        "pg_constraint WHERE contype = 'f' \
         AND confrelid = 'membership.tags'::regclass AND confdeltype <> 'a' \
         AND conrelid NOT IN ('membership.member_skills'::regclass, 'membership.tag_aliases'::regclass)",
    )
    .await;
    assert_eq!(cascading, 0);
}
