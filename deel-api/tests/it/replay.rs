//! The replay server (`testing` feature): answers from fixtures, refuses what matches none with a
//! diagnostic naming the closest fixture, and reports unused fixtures.

use deel_api::testing::{Fixture, ReplayServer, NO_MATCH_STATUS};
use deel_api::{types, Client, Error};
use serde_json::json;

fn session_fixture() -> Fixture {
    let text = json!({
        "operation": "create_worker_access_token",
        "request": {
            "method": "POST",
            "path": "/rest/v2/workers/session",
            "headers": { "x-version": "2026-01-01" },
            "body": { "data": { "profile_id": "prf-ada" } }
        },
        "response": {
            "status": 201,
            "body": { "data": { "token": "wt-replayed", "expires_at": "2026-11-29T12:00:00Z" } }
        }
    });
    Fixture::parse("worker-session/create.json", &text.to_string()).unwrap_or_else(|e| panic!("{e}"))
}

fn contracts_fixture(limit: &str) -> Fixture {
    let text = json!({
        "request": { "method": "GET", "path": "/rest/v2/contracts", "query": { "limit": limit } },
        "response": { "status": 200, "body": { "data": [], "page": { "total_rows": 0 } } }
    });
    Fixture::parse(&format!("contracts/limit-{limit}.json"), &text.to_string())
        .unwrap_or_else(|e| panic!("{e}"))
}

async fn start(fixtures: Vec<Fixture>) -> (ReplayServer, Client) {
    let server = ReplayServer::start(fixtures).await.unwrap_or_else(|e| panic!("replay server: {e}"));
    let client = crate::common::build(crate::common::replay_builder(&server));
    (server, client)
}

fn session_body(profile: &str) -> types::CreateWorkerAccessTokenRequest {
    crate::common::session_body(profile)
}

#[tokio::test]
async fn a_matching_request_gets_the_fixture_response_and_verify_passes() {
    let (server, client) = start(vec![session_fixture()]).await;
    let created = client.create_worker_access_token(session_body("prf-ada")).send().await;
    let data = created.unwrap_or_else(|e| panic!("{e}")).into_inner().data;
    assert_eq!(data.token, "wt-replayed");
    assert_eq!(data.expires_at.to_rfc3339(), "2026-11-29T12:00:00+00:00");
    assert_eq!(server.verify(), Ok(()));
    assert_eq!(server.uses().get("worker-session/create.json"), Some(&1));
}

#[tokio::test]
async fn a_different_body_is_refused_naming_the_closest_fixture_and_the_difference() {
    let (server, client) = start(vec![session_fixture(), contracts_fixture("2")]).await;
    let err = match client.create_worker_access_token(session_body("prf-bob")).send().await {
        Ok(_) => panic!("a request with the wrong body must not be answered"),
        Err(e) => e,
    };
    let Error::Api(api) = &err else { panic!("expected an API error, got {err:?}") };
    assert_eq!(api.status, NO_MATCH_STATUS);
    let text = err.to_string();
    assert!(text.contains("closest is worker-session/create.json"), "{text}");
    assert!(text.contains(r#"body at /data/profile_id: expected "prf-ada", got "prf-bob""#), "{text}");

    let verdict = server.verify().err().unwrap_or_else(|| panic!("verify must fail"));
    assert_eq!(verdict.refused.len(), 1);
    assert_eq!(verdict.unused, ["worker-session/create.json", "contracts/limit-2.json"]);
}

#[tokio::test]
async fn a_different_query_is_refused_with_both_values() {
    let (server, client) = start(vec![contracts_fixture("2")]).await;
    assert!(client.get_contracts().limit(3).send().await.is_err());
    let refused = server.refused();
    assert_eq!(refused.len(), 1);
    assert!(refused[0].contains(r#"query `limit`: expected ["2"], got ["3"]"#), "{}", refused[0]);
    assert!(refused[0].starts_with("no fixture matches GET /rest/v2/contracts?limit=3"), "{}", refused[0]);
}

#[tokio::test]
async fn a_missing_versioning_header_is_a_mismatch() {
    let (server, _) = start(vec![session_fixture()]).await;
    // A plain HTTP client, without the SDK's X-Version header.
    let response = reqwest::Client::new()
        .post(format!("{}/rest/v2/workers/session", server.url()))
        .json(&json!({ "data": { "profile_id": "prf-ada" } }))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status().as_u16(), NO_MATCH_STATUS);
    assert!(server.refused()[0].contains(r#"header `x-version`: expected "2026-01-01", not sent"#));
}

#[tokio::test]
async fn identical_requests_take_their_fixtures_in_turn() {
    let mut second = session_fixture();
    second.name = "worker-session/create-again.json".into();
    second.response.body =
        Some(json!({ "data": { "token": "wt-second", "expires_at": "2026-11-30T12:00:00Z" } }));
    let (server, client) = start(vec![session_fixture(), second]).await;
    let mut tokens = Vec::new();
    for _ in 0..3 {
        let sent = client.create_worker_access_token(session_body("prf-ada")).send().await;
        tokens.push(sent.unwrap_or_else(|e| panic!("{e}")).into_inner().data.token);
    }
    assert_eq!(tokens, ["wt-replayed", "wt-second", "wt-second"]);
    assert_eq!(server.verify(), Ok(()));
}

#[tokio::test]
async fn fixtures_load_from_a_directory_and_a_broken_file_is_named() {
    let dir = std::env::temp_dir().join(format!("deel-replay-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("worker-session")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join("worker-session/create.json"), session_fixture().to_json())
        .unwrap_or_else(|e| panic!("{e}"));
    let loaded = Fixture::load_dir(&dir).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(loaded.len(), 1);
    assert_eq!(loaded[0].name, "worker-session/create.json");
    assert_eq!(loaded[0].request, session_fixture().request);

    std::fs::write(dir.join("broken.json"), "{ \"request\": ").unwrap_or_else(|e| panic!("{e}"));
    let err = Fixture::load_dir(&dir).err().unwrap_or_else(|| panic!("a broken file must fail"));
    assert!(err.to_string().contains("broken.json"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
