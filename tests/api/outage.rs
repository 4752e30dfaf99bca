//! The database going away and coming back.

use alumni_core::Role;
use alumni_test_support::{TEST_PASSWORD, TestApp};
use serde_json::json;

#[tokio::test]
async fn an_unreachable_database_answers_service_unavailable_then_recovers() {
    let app = TestApp::spawn().await;
    let member = app.create_member(&[Role::Alumnus]).await;
    let client = app.client_as(&member);
    client.query("{ me { member { email } } }").await.data();

    app.database_link().cut();

    let signed_in = client.query("{ me { member { email } } }").await;
    assert_eq!(signed_in.status, 503);
    let error = signed_in.expect_error("SERVICE_UNAVAILABLE");
    assert!(error["extensions"]["requestId"].is_string());
    assert!(!error["message"].as_str().unwrap().contains("127.0.0.1"));

    let login = app
        .client()
        .query_with(
            "mutation($email: String!, $password: String!) { login(email: $email, password: $password) { token } }",
            json!({ "email": member.email, "password": TEST_PASSWORD }),
        )
        .await;
    login.expect_error("SERVICE_UNAVAILABLE");

    let ready = app.client().get("/readyz").await;
    assert_eq!(ready.status(), 503);
    let live = app.client().get("/livez").await;
    assert_eq!(live.status(), 200);

    app.database_link().restore();

    let recovered = client.query("{ me { member { email } } }").await;
    assert_eq!(
        recovered.data()["me"]["member"]["email"],
        member.email.as_str()
    );
    assert_eq!(app.client().get("/readyz").await.status(), 200);
}
