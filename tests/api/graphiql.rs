//! GraphiQL in a real browser with the network cut off: the page, its
//! script and its styles all come from the server, and a query runs.

use std::time::Duration;

use alumni_core::Role;
use alumni_test_support::TestApp;
use alumni_test_support::browser::{Browser, chromium};
use serde_json::json;

#[tokio::test]
async fn graphiql_runs_a_query_with_every_other_host_unreachable() {
    let Some(executable) = chromium() else {
        return;
    };
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let mut browser = Browser::launch(executable, app.base_url()).await;

    let headers = json!({ "Authorization": format!("Bearer {}", secretariat.token) }).to_string();
    let url = format!(
        "{}/graphql?query={}&headers={}",
        app.base_url(),
        url::form_urlencoded::byte_serialize(b"{ me { roles } }").collect::<String>(),
        url::form_urlencoded::byte_serialize(headers.as_bytes()).collect::<String>(),
    );
    browser.navigate(&url).await;
    let ready = browser
        .wait_for(
            "!!document.querySelector('.graphiql-execute-button')",
            Duration::from_secs(60),
        )
        .await;
    assert!(ready.is_some(), "GraphiQL did not render");
    browser
        .evaluate("document.querySelector('.graphiql-execute-button').click()")
        .await;
    let result = browser
        .wait_for(
            "document.querySelector('.result-window')?.innerText.includes('SECRETARIAT') \
             && document.querySelector('.result-window').innerText",
            Duration::from_secs(60),
        )
        .await;
    assert!(result.is_some(), "no result shown");
    assert!(
        browser.refused_requests().is_empty(),
        "the page reached for other hosts: {:?}",
        browser.refused_requests()
    );
}
