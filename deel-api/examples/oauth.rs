//! OAuth2 for apps: authorize URL, code exchange, and a session whose rotating refresh tokens are
//! persisted to a file before use.
//!
//! Runs against a local stand-in token endpoint: `cargo run -p deel-api --example oauth`.

use std::path::PathBuf;
use std::sync::Arc;

use deel_api::auth::BoxFuture;
use deel_api::oauth::{OAuthApp, OAuthSession, OAuthTokens, StoreError, TokenStore};
use deel_api::Client;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Keeps the current pair in a JSON file. Real services would use their secret store.
#[derive(Debug)]
struct FileStore(PathBuf);

impl TokenStore for FileStore {
    fn save<'a>(&'a self, tokens: &'a OAuthTokens) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            let record = json!({
                "access_token": tokens.access_token(),
                "refresh_token": tokens.refresh_token(),
                "expires_at": tokens.expires_at().to_rfc3339(),
            });
            std::fs::write(&self.0, record.to_string())?;
            Ok(())
        })
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth2/tokens"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "example-access", "refresh_token": "example-refresh", "expires_in": 3600, "token_type": "Bearer"
        })))
        .mount(&server)
        .await;
    Mock::given(method("DELETE")).respond_with(ResponseTemplate::new(204)).mount(&server).await;

    let app = OAuthApp::new("my-client-id", "my-client-secret", "https://myapp.example/callback")
        .with_endpoints(deel_api::oauth::AUTHORIZE_URL, format!("{}/oauth2/tokens", server.uri()));

    // 1. Send the user here; Deel redirects back with `code` and the same `state`.
    println!("authorize at: {}", app.authorize_url(&["contracts:read", "people:read"], "random-state-123")?);

    // 2. Exchange the code for a token pair.
    let tokens = app.exchange_code("code-from-redirect").await?;
    println!("got {tokens:?}");

    // 3. Use the pair; each rotation is written to the file before the new token is used.
    let file = std::env::temp_dir().join("deel-rs-oauth-example.json");
    let session = Arc::new(OAuthSession::new(app, tokens, Arc::new(FileStore(file.clone()))));
    let client = Client::builder().base_url(server.uri()).credentials(session).build()?;
    client.delete_worker_access_token("prof-1").send().await?;
    println!("called the API with the OAuth token; rotations persist to {}", file.display());
    Ok(())
}
