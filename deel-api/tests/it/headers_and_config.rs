//! What every request carries, and what the builder refuses.

use crate::common;

use deel_api::{Client, Environment, Error};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path("/rest/v2/workers/w-1/session"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn every_request_carries_version_user_agent_and_token_but_not_api_version() {
    let server = server().await;
    let client = common::build(common::builder(&server));
    let sent = client.delete_worker_access_token("w-1").send().await;
    assert!(sent.is_ok(), "{:?}", sent.err());
    let requests = common::received(&server).await;
    let r = &requests[0];
    assert_eq!(common::header(r, "x-version"), Some("2026-01-01"));
    assert_eq!(common::header(r, "x-beta"), None);
    assert_eq!(common::header(r, "api-version"), None);
    assert_eq!(common::header(r, "authorization"), Some("Bearer test-token-not-secret-0"));
    let agent = common::header(r, "user-agent").unwrap_or_default();
    assert!(agent.starts_with("deel-rs/"), "{agent}");
}

#[tokio::test]
async fn beta_and_version_are_sent_when_configured() {
    let server = server().await;
    let client = common::build(common::builder(&server).beta(true).api_version("2025-06-01"));
    let sent = client.delete_worker_access_token("w-1").send().await;
    assert!(sent.is_ok(), "{:?}", sent.err());
    let requests = common::received(&server).await;
    assert_eq!(common::header(&requests[0], "x-beta"), Some("true"));
    assert_eq!(common::header(&requests[0], "x-version"), Some("2025-06-01"));
}

#[test]
fn plain_http_to_a_remote_host_is_refused() {
    let built = Client::builder().base_url("http://api.letsdeel.com").token("t").build();
    assert!(matches!(built, Err(Error::InvalidRequest(ref m)) if m.contains("http://")), "{built:?}");
    let built = Client::builder().environment(Environment::Custom("http://127.0.0.1:9".into())).build();
    assert!(built.is_ok());
}

#[test]
fn the_documented_rest_base_url_still_reaches_both_apis() {
    let client = Client::builder().base_url("https://api.letsdeel.com/rest/v2").build();
    assert_eq!(client.map(|c| c.base_url().to_string()).ok().as_deref(), Some("https://api.letsdeel.com"));
}

#[test]
fn from_env_needs_a_token_and_reads_the_environment() {
    // One test touches the process environment, so nothing else races with it.
    std::env::remove_var("DEEL_API_TOKEN");
    assert!(matches!(Client::from_env(), Err(Error::InvalidRequest(_))));
    std::env::set_var("DEEL_API_TOKEN", "env-token");
    std::env::set_var("DEEL_ENVIRONMENT", "sandbox");
    let client = Client::from_env();
    assert_eq!(client.map(|c| c.base_url().to_string()).ok().as_deref(), Some(Environment::SANDBOX_URL));
    std::env::set_var("DEEL_ENVIRONMENT", "http://10.1.2.3");
    assert!(matches!(Client::from_env(), Err(Error::InvalidRequest(_))));
    std::env::remove_var("DEEL_ENVIRONMENT");
    std::env::remove_var("DEEL_API_TOKEN");
}

#[tokio::test]
async fn scim_operations_reach_scim_v2_on_the_same_host() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/scim/v2/ServiceProviderConfig"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({})))
        .expect(1)
        .mount(&server)
        .await;
    let client = common::build(common::builder(&server));
    let sent = client.get_service_provider_config().send().await;
    assert!(sent.is_ok(), "{:?}", sent.err());
}
