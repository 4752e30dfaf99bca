//! Synthetic members for measuring (`alumni seed --synthetic N`): realistic
//! enough that the directory finds them as it finds real members, added
//! deterministically, and never mixed into a database of real members
//! unless asked.

use alumni_core::{Role, search};
use alumni_membership::demo::synthetic::{
    SYNTHETIC_PASSWORD, SyntheticOptions, SyntheticReport, seed_synthetic, synthetic_email,
};
use alumni_test_support::{TestApp, TestClient};
use serde_json::{Value, json};

const PAGE: &str = "query($filter: MemberFilter, $after: String) {
    members(first: 100, after: $after, filter: $filter) {
        nodes { id displayName displayNameKana formerSurnames skills { slug } }
        pageInfo { hasNextPage endCursor }
    }
}";

fn options(members: usize) -> SyntheticOptions {
    SyntheticOptions {
        members,
        seed: 7,
        allow_real_members: false,
    }
}

/// Every member of the directory the client may see, page by page.
async fn whole_directory(client: &TestClient, filter: Value) -> Vec<Value> {
    let mut nodes = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let response = client
            .query_with(PAGE, json!({ "filter": filter, "after": after }))
            .await;
        let page = response.data()["members"].clone();
        nodes.extend(page["nodes"].as_array().unwrap().iter().cloned());
        if page["pageInfo"]["hasNextPage"] != true {
            return nodes;
        }
        after = page["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
}

async fn ids_found(client: &TestClient, query: &str) -> Vec<String> {
    whole_directory(client, json!({ "query": query }))
        .await
        .iter()
        .map(|node| node["id"].as_str().unwrap().to_owned())
        .collect()
}

fn text(node: &Value, field: &str) -> String {
    node[field].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn synthetic_members_are_found_by_kanji_kana_romaji_and_former_surname() {
    let app = TestApp::spawn().await;
    let report = seed_synthetic(&app.services.membership, &options(400), &mut |_| {})
        .await
        .unwrap();
    assert_eq!(
        report,
        SyntheticReport {
            existing: 0,
            added: 400
        }
    );
    // A larger N adds only the missing members.
    let mut progress = Vec::new();
    let report = seed_synthetic(&app.services.membership, &options(500), &mut |written| {
        progress.push(written)
    })
    .await
    .unwrap();
    assert_eq!(
        report,
        SyntheticReport {
            existing: 400,
            added: 100
        }
    );
    assert_eq!(progress, [100]);

    // Synthetic members sign in with the shared password.
    let login = app
        .client()
        .query_with(
            "mutation($email: String!, $password: String!) { login(email: $email, password: $password) { token member { roles } } }",
            json!({ "email": synthetic_email(0), "password": SYNTHETIC_PASSWORD }),
        )
        .await;
    assert_eq!(
        login.data()["login"]["member"]["roles"],
        json!(["EMPLOYEE", "SECRETARIAT"])
    );
    let member = app.create_member(&[Role::Alumnus]).await;
    let client = app.client_as(&member);

    let everyone = whole_directory(&client, json!({})).await;
    // About one in twelve opts out of the directory, a few are suspended.
    assert!(
        (400..500).contains(&everyone.len()),
        "{} listed",
        everyone.len()
    );
    let surnames_of = |surname: &str| {
        everyone
            .iter()
            .filter(|node| text(node, "displayName").starts_with(surname))
            .count()
    };
    // Common surnames are common; names in Latin letters exist.
    assert!(surnames_of("佐藤") > surnames_of("大野"), "skewed surnames");
    assert!(surnames_of("佐藤") >= 5);
    assert!(
        everyone
            .iter()
            .any(|node| text(node, "displayName").is_ascii()),
        "some names are written in romaji"
    );
    let visible_skills: Vec<&Vec<Value>> = everyone
        .iter()
        .filter_map(|node| node["skills"].as_array())
        .collect();
    assert!(
        visible_skills
            .iter()
            .filter(|skills| !skills.is_empty())
            .count()
            > visible_skills.len() / 2,
        "most visible profiles list skills"
    );

    // Someone with a kanji name and a former surname the viewer may see,
    // found by each form of their name.
    let person = everyone
        .iter()
        .find(|node| {
            let name = text(node, "displayName");
            name.contains(' ')
                && !name.is_ascii()
                && node["formerSurnames"]
                    .as_array()
                    .is_some_and(|former| !former.is_empty())
        })
        .expect("a member with a visible former surname");
    let id = text(person, "id");
    let name = text(person, "displayName");
    let kana = text(person, "displayNameKana");
    let given = name.split(' ').nth(1).unwrap().to_owned();
    let former = person["formerSurnames"][0].as_str().unwrap().to_owned();
    for query in [
        name.clone(),
        kana.clone(),
        search::romaji(&kana),
        format!("{former} {given}"),
    ] {
        assert!(
            ids_found(&client, &query).await.contains(&id),
            "{name} ({kana}, formerly {former}) not found by {query:?}"
        );
    }
}

#[tokio::test]
async fn synthetic_members_are_refused_beside_real_ones_unless_allowed() {
    let app = TestApp::spawn().await;
    app.create_member(&[Role::Secretariat]).await;
    let error = seed_synthetic(&app.services.membership, &options(10), &mut |_| {})
        .await
        .unwrap_err();
    assert_eq!(error.code(), "CONFLICT");

    let allowed = SyntheticOptions {
        allow_real_members: true,
        ..options(10)
    };
    let report = seed_synthetic(&app.services.membership, &allowed, &mut |_| {})
        .await
        .unwrap();
    assert_eq!(report.added, 10);
}
