//! Member-level facts hold only members who consent to analytics: one who
//! withdraws that consent is gone from them at the next refresh, while
//! still counted in the suppressed aggregates.

use alumni_core::Role;
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Text};
use diesel_async::RunQueryDsl;

use crate::support::{Cohort, Fixture, at};

#[derive(QueryableByName)]
struct Key {
    #[diesel(sql_type = Text)]
    member_key: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

async fn keys(f: &mut Fixture, sql: &str) -> Vec<String> {
    let mut keys: Vec<String> = diesel::sql_query(sql)
        .load::<Key>(&mut f.conn)
        .await
        .expect("keys")
        .into_iter()
        .map(|key| key.member_key)
        .collect();
    keys.sort();
    keys
}

#[tokio::test]
async fn a_member_who_withdraws_consent_leaves_member_level_facts_at_the_next_refresh() {
    let mut f = Fixture::new().await;
    let company = f.company("本社").await;
    let analyst = f.member(&[Role::Analyst], Cohort::NONE).await;
    let cohort = Cohort::of(company, 2016, "営業部");
    let members = f.members(6, cohort).await;
    let declined = f.member(&[Role::Alumnus], cohort.without_consent()).await;
    let post = f.post("一月号", at("2026-01-10T09:00")).await;
    f.read(post, &members, at("2026-01-12T10:00")).await;
    f.read(
        post,
        std::slice::from_ref(&declined),
        at("2026-01-12T10:00"),
    )
    .await;
    f.refresh().await;

    let before = keys(&mut f, "SELECT member_key FROM analytics.members").await;
    // The analyst and six members; never the one who declined.
    assert_eq!(before.len(), 7);
    let readers = keys(
        &mut f,
        "SELECT member_key FROM analytics.member_activity WHERE period = 'MONTH' AND reads > 0",
    )
    .await;
    assert_eq!(readers.len(), 6);
    assert!(
        readers
            .iter()
            .all(|key| key.len() == 32 && before.contains(key))
    );
    // The key is no member id in any form.
    let ids: Vec<String> = members
        .iter()
        .map(|m| m.id.0.simple().to_string())
        .collect();
    assert!(
        readers
            .iter()
            .all(|key| !ids.iter().any(|id| id.starts_with(key.as_str())))
    );

    let leaving = &members[0];
    // What analytics holds is in the member's data export (not the key).
    let export = f
        .app
        .client_as(leaving)
        .query("mutation { exportMyData }")
        .await;
    let held = &export.data()["exportMyData"]["analytics"];
    assert_eq!(held["inMemberLevelFacts"], true);
    assert_eq!(held["monthlyActivity"][0]["starts_on"], "2026-01-01");
    assert_eq!(held["monthlyActivity"][0]["reads"], 1);
    let text = held.to_string();
    assert!(before.iter().all(|key| !text.contains(key.as_str())));

    let response = f
        .app
        .client_as(leaving)
        .query("mutation { updateMyConsent(purposes: [MEMBERSHIP]) { purposes } }")
        .await;
    assert_eq!(
        response.data()["updateMyConsent"]["purposes"],
        serde_json::json!(["MEMBERSHIP"])
    );
    // Until the refresh, the views are as they were.
    assert_eq!(
        keys(&mut f, "SELECT member_key FROM analytics.members").await,
        before
    );

    f.app.clock.advance(chrono::Duration::hours(1));
    f.app.jobs.schedule_recurring().await.expect("schedule");
    f.app.jobs.drain().await.expect("the hourly refresh");
    let after = keys(&mut f, "SELECT member_key FROM analytics.members").await;
    assert_eq!(after.len(), 6);
    assert!(
        after.iter().all(|key| before.contains(key)),
        "keys are stable across refreshes"
    );
    let readers_after = keys(
        &mut f,
        "SELECT member_key FROM analytics.member_activity WHERE period = 'MONTH' AND reads > 0",
    )
    .await;
    assert_eq!(readers_after.len(), 5);
    let missing: Vec<&String> = before.iter().filter(|key| !after.contains(key)).collect();
    assert_eq!(missing.len(), 1);
    assert!(!readers_after.contains(missing[0]));

    // Everyone still counts in the aggregates: 8 members, 7 January readers.
    let counted: Count =
        diesel::sql_query("SELECT sum(members)::bigint AS n FROM analytics_private.cohorts")
            .get_result(&mut f.conn)
            .await
            .unwrap();
    assert_eq!(counted.n, 8);
    let response = f
        .ask(
            &analyst,
            r#"{ analytics { engagement(from: "2026-01-01", to: "2026-01-31") { rows { readers { value } } } } }"#,
        )
        .await;
    assert_eq!(
        response.data()["analytics"]["engagement"]["rows"][0]["readers"]["value"],
        7
    );
}
