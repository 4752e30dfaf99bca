//! The demo data: a year of events of every kind with the life of real
//! ones, loaded through the services' rules.

use std::collections::HashSet;

use alumni_core::secrets::ExposeSecret as _;
use alumni_test_support::TestApp;
use serde_json::Value;

#[tokio::test]
async fn demo_data_covers_a_year_of_every_kind_with_waitlists_attendance_and_materials() {
    let app = TestApp::spawn().await;
    let members = alumni_membership::demo::seed(&app.services.membership)
        .await
        .unwrap();
    alumni_events::demo::seed(&app.services.events, &members)
        .await
        .unwrap();

    // The demo's own secretariat: the demo publishes terms, which members
    // created later have not accepted.
    let secretariat = members.secretariat.expect("the demo has a secretariat");
    let token = app
        .services
        .membership
        .issue_session(secretariat)
        .await
        .unwrap()
        .token
        .expose_secret()
        .to_owned();
    let client = app.client().with_token(token);
    let mut events: Vec<Value> = Vec::new();
    let mut after = Value::Null;
    loop {
        let page = client
            .query_with(
                "query($after: String) { events(first: 10, after: $after) {
                    nodes {
                        kind format status
                        seats { waitlistLength }
                        attendance { attended noShow }
                        materials { confidentiality }
                        speakers { guestName member { id } }
                    }
                    pageInfo { hasNextPage endCursor }
                } }",
                serde_json::json!({ "after": after }),
            )
            .await;
        let connection = &page.data()["events"];
        events.extend(connection["nodes"].as_array().unwrap().iter().cloned());
        if connection["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = connection["pageInfo"]["endCursor"].clone();
    }

    let distinct = |field: &str| -> HashSet<String> {
        events
            .iter()
            .map(|event| event[field].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        distinct("kind"),
        HashSet::from(
            [
                "ALUMNI_TALK",
                "MEETUP",
                "STUDY_SESSION",
                "SEMINAR",
                "WORKSHOP"
            ]
            .map(String::from)
        )
    );
    assert_eq!(
        distinct("format"),
        HashSet::from(["IN_PERSON", "ONLINE", "HYBRID"].map(String::from))
    );
    assert_eq!(
        distinct("status"),
        HashSet::from(["DRAFT", "PUBLISHED", "CANCELLED", "COMPLETED"].map(String::from))
    );
    assert!(
        events
            .iter()
            .any(|event| event["seats"]["waitlistLength"].as_i64() > Some(0))
    );
    assert!(
        events
            .iter()
            .any(|event| event["attendance"]["attended"].as_i64() > Some(0))
    );
    assert!(
        events
            .iter()
            .any(|event| event["attendance"]["noShow"].as_i64().is_some())
    );
    let levels: HashSet<&str> = events
        .iter()
        .flat_map(|event| event["materials"].as_array().unwrap().iter())
        .map(|material| material["confidentiality"].as_str().unwrap())
        .collect();
    assert_eq!(levels, HashSet::from(["ALUMNI_OK", "INTERNAL_ONLY"]));
    assert!(
        events
            .iter()
            .any(|event| !event["speakers"][0]["member"].is_null())
    );
    assert!(
        events
            .iter()
            .any(|event| event["speakers"][0]["guestName"].is_string())
    );

    let alumnus = app
        .services
        .membership
        .issue_session(members.alumni[0])
        .await
        .unwrap();
    let mine = app
        .client()
        .with_token(alumnus.token.expose_secret())
        .query("{ me { registrations(upcoming: true) { nodes { status } } } }")
        .await;
    assert!(
        !mine.data()["me"]["registrations"]["nodes"]
            .as_array()
            .unwrap()
            .is_empty(),
        "the demo alumnus has upcoming registrations"
    );
}
