//! Who may read the dashboards: analysts and the secretariat; every other
//! role and anyone signed out is refused, in GraphQL and in CSV alike.

use alumni_core::Role;

use crate::support::{Cohort, Fixture};

const EVERY_DASHBOARD: &str = r#"{ analytics { minGroup
    engagement(from: "2026-01-01", to: "2026-03-31") { asOf }
    cohorts(rows: COMPANY) { asOf } funnel { asOf }
    eventAttendance(from: "2026-01-01", to: "2026-03-31") { asOf }
    questionAnswers(from: "2026-01-01", to: "2026-03-31") { asOf }
    contentReads(from: "2026-01-01", to: "2026-03-31") { asOf } } }"#;

const A_FILE: &str = "/analytics/cohorts.csv?rows=COMPANY";

#[tokio::test]
async fn analysts_and_the_secretariat_read_every_dashboard() {
    let mut f = Fixture::new().await;
    f.refresh().await;
    for role in [Role::Analyst, Role::Secretariat] {
        let reader = f.member(&[role], Cohort::NONE).await;
        let response = f.ask(&reader, EVERY_DASHBOARD).await;
        assert!(
            response.errors().is_empty(),
            "{role}: {:?}",
            response.errors()
        );
        assert_eq!(response.data()["analytics"]["minGroup"], 5);
        let file = f.app.client_as(&reader).get(A_FILE).await;
        assert_eq!(file.status(), 200, "{role}");
    }
}

#[tokio::test]
async fn every_other_role_and_anyone_signed_out_is_refused() {
    let mut f = Fixture::new().await;
    f.refresh().await;
    for role in [
        Role::Alumnus,
        Role::Employee,
        Role::Moderator,
        Role::Management,
    ] {
        let member = f.member(&[role], Cohort::NONE).await;
        let response = f.ask(&member, EVERY_DASHBOARD).await;
        assert_eq!(response.error_code(), Some("FORBIDDEN"), "{role}");
        let file = f.app.client_as(&member).get(A_FILE).await;
        assert_eq!(file.status(), 403, "{role}");
        // Arguments are not even read: a bad one is refused the same way.
        let bad = f
            .app
            .client_as(&member)
            .get("/analytics/engagement.csv?from=x")
            .await;
        assert_eq!(bad.status(), 403, "{role}");
    }
    let response = f.app.client().query(EVERY_DASHBOARD).await;
    assert_eq!(response.error_code(), Some("UNAUTHENTICATED"));
    assert_eq!(f.app.client().get(A_FILE).await.status(), 401);
}
