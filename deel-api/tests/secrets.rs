//! Secrets never reach Debug output, errors or logs.

mod common;

use std::sync::Arc;

use deel_api::clock::SystemClock;
use deel_api::oauth::{OAuthApp, OAuthTokens};
use deel_api::{ApiToken, Client, WorkerToken};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "tok-SECRET-7f3a9c";

#[tokio::test]
async fn debug_output_of_client_token_error_and_worker_token_has_no_secret() {
    let server = MockServer::start().await;
    // An error body that echoes nothing secret, but whose request carried the token.
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(401).set_body_string("{\"error\":\"invalid token\"}"))
        .mount(&server)
        .await;
    let client = common::build(Client::builder().base_url(server.uri()).rate_limit(None).token(TOKEN));
    let err = client.delete_worker_access_token("w").send().await.err();
    let worker = WorkerToken::new(TOKEN, chrono::Utc::now(), Arc::new(SystemClock));
    let oauth = OAuthTokens::new(TOKEN, TOKEN, chrono::Utc::now());
    let app = OAuthApp::new("cid", TOKEN, "https://cb.example.test");
    for text in [
        format!("{client:?}"),
        format!("{:?}", ApiToken::new(TOKEN)),
        format!("{err:?}"),
        err.as_ref().map(|e| e.to_string()).unwrap_or_default(),
        format!("{worker:?}"),
        format!("{oauth:?}"),
        format!("{app:?}"),
        format!("{:?}", Client::builder().token(TOKEN)),
    ] {
        assert!(!text.contains("SECRET"), "secret in: {text}");
    }
    assert!(format!("{err:?}").contains("invalid token"), "the error itself should still be useful");
}
