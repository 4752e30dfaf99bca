//! The visibility matrix: every profile field with a visibility, under each
//! setting, as seen by the member, another member, the secretariat, an
//! analyst and a signed-out visitor, through `member`, `node` and the
//! directory.

use alumni_core::Role;
use alumni_test_support::{GqlResponse, TestClient};
use serde_json::{Value, json};

use crate::support::{SATO, applied, import, roster, sato_application, world};

const FIELDS: &str = "fragment Fields on Member {
    displayName formerSurnames currentCompany currentTitle prefecture bio
    skills { name } interests links { url } employment { leftYear leftOn }
    openToReturning listedInDirectory email status visibility { bio }
}";

/// Fields governed by the member's visibility settings.
const CHOSEN: [&str; 9] = [
    "formerSurnames",
    "currentCompany",
    "currentTitle",
    "prefecture",
    "bio",
    "skills",
    "interests",
    "links",
    "employment",
];

/// Fields only the member and the secretariat see, whatever the settings.
const PRIVATE_TO_SECRETARIAT: [&str; 4] =
    ["openToReturning", "listedInDirectory", "email", "status"];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Who {
    Themselves,
    OtherMember,
    Secretariat,
    Analyst,
}

fn sees(who: Who, visibility: &str) -> bool {
    match who {
        Who::Themselves => true,
        Who::Secretariat => visibility != "PRIVATE",
        Who::OtherMember | Who::Analyst => visibility == "MEMBERS",
    }
}

fn check(member: &Value, who: Who, visibility: &str, path: &str) {
    for field in CHOSEN {
        assert_eq!(
            !member[field].is_null(),
            sees(who, visibility),
            "{field} set to {visibility}, seen by {who:?} through {path}: {member:#}"
        );
    }
    let private = matches!(who, Who::Themselves | Who::Secretariat);
    for field in PRIVATE_TO_SECRETARIAT {
        assert_eq!(
            !member[field].is_null(),
            private,
            "{field} seen by {who:?} through {path}"
        );
    }
    assert_eq!(
        !member["visibility"].is_null(),
        who == Who::Themselves,
        "settings seen by {who:?}"
    );
    assert_eq!(
        member["displayName"], "佐藤 花子",
        "the name is always shown"
    );
    // Exact dates are for the member and the secretariat; years for members.
    if !member["employment"].is_null() {
        assert_eq!(!member["employment"]["leftOn"].is_null(), private);
    }
}

async fn directory_hit(client: &TestClient, filter: Value) -> bool {
    let response: GqlResponse = client
        .query_with(
            &format!("query($filter: MemberFilter) {{ members(filter: $filter) {{ nodes {{ ...Fields }} }} }} {FIELDS}"),
            json!({ "filter": filter }),
        )
        .await;
    let nodes = response.data()["members"]["nodes"]
        .as_array()
        .unwrap()
        .clone();
    nodes.iter().any(|node| node["displayName"] == "佐藤 花子")
}

#[tokio::test]
async fn every_field_follows_its_visibility_for_every_viewer_on_every_path() {
    let world = world().await;
    let app = &world.app;
    import(app, &roster(&[SATO])).await;
    let (token, _) = applied(app, sato_application(&world.company_id)).await;
    let owner = app.client().with_token(token);
    let id = owner.query("{ me { member { id } } }").await.data()["me"]["member"]["id"].clone();
    owner
        .query_with(
            "mutation($input: ProfileInput!) { updateMyProfile(input: $input) { id } }",
            json!({ "input": {
                "currentCompany": "株式会社クラウドフォージ",
                "currentTitle": "SRE",
                "prefecture": "OSAKA",
                "bio": "勉強会で話すのが好きです。",
                "skills": ["Kubernetes", "設計"],
                "interests": ["SPEAKING", "MENTORING"],
                "links": [{ "label": "GitHub", "url": "https://github.example/hanako" }],
                "openToReturning": true,
            }}),
        )
        .await
        .data();

    let other = app.client_as(&app.create_member(&[Role::Alumnus]).await);
    let analyst = app.client_as(&app.create_member(&[Role::Analyst]).await);
    let secretariat = app.client_as(&world.secretariat);
    let viewers = [
        (Who::Themselves, &owner),
        (Who::OtherMember, &other),
        (Who::Secretariat, &secretariat),
        (Who::Analyst, &analyst),
    ];
    let by_id = format!(
        "query($id: ID!) {{ member(id: $id) {{ ...Fields }} node(id: $id) {{ ... on Member {{ ...Fields }} }} }} {FIELDS}"
    );

    for visibility in ["PRIVATE", "SECRETARIAT", "MEMBERS"] {
        let settings: serde_json::Map<String, Value> = [
            "formerSurnamesVisibility",
            "currentWorkVisibility",
            "prefectureVisibility",
            "bioVisibility",
            "skillsVisibility",
            "interestsVisibility",
            "linksVisibility",
            "employmentVisibility",
        ]
        .into_iter()
        .map(|name| (name.to_owned(), json!(visibility)))
        .collect();
        owner
            .query_with(
                "mutation($input: ProfileInput!) { updateMyProfile(input: $input) { id } }",
                json!({ "input": settings }),
            )
            .await
            .data();

        for (who, client) in viewers {
            let response = client.query_with(&by_id, json!({ "id": id })).await;
            check(&response.data()["member"], who, visibility, "member(id:)");
            check(&response.data()["node"], who, visibility, "node(id:)");

            // Found by name always; by a hidden field never.
            assert!(directory_hit(client, json!({ "query": "さとう はなこ" })).await);
            // Search and filters read hidden fields by role: the
            // secretariat's reach, or a member's (the owner included).
            let expect_hidden_match = match who {
                Who::Secretariat => visibility != "PRIVATE",
                _ => visibility == "MEMBERS",
            };
            for filter in [
                json!({ "query": "山田" }),
                json!({ "skill": "kubernetes" }),
                json!({ "interest": "SPEAKING" }),
                json!({ "predecessorCompany": world.company_id }),
                json!({ "leftYearFrom": 2015, "leftYearTo": 2015 }),
            ] {
                assert_eq!(
                    directory_hit(client, filter.clone()).await,
                    expect_hidden_match,
                    "{filter} with {visibility}, as {who:?}"
                );
            }
        }

        let signed_out = app.client().query_with(&by_id, json!({ "id": id })).await;
        signed_out.expect_error("UNAUTHENTICATED");
    }
}
