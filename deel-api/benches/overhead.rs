//! Run-time overhead of the SDK against baselines measured in the same run:
//! (i) one `POST /workers/session` round trip through `deel-api` vs the same request made with
//! plain reqwest + serde_json into a hand-written struct, against one local server;
//! (ii) decoding a 10,000-item contracts page with the generated types vs hand-written structs.
//!
//! `cargo bench -p deel-api --bench overhead`; compare the pairs' times (their ratio is the
//! overhead).

use criterion::{criterion_group, criterion_main, Criterion};
use deel_api::{types, Client, RetryPolicy};
use serde::Deserialize;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[derive(Deserialize)]
struct SessionResponse {
    data: SessionData,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct SessionData {
    token: String,
    expires_at: chrono::DateTime<chrono::Utc>,
}

/// The fields a contracts page carries in this benchmark, written by hand.
#[derive(Deserialize)]
#[allow(dead_code)]
struct ContractsPage {
    data: Vec<Contract>,
    page: Page,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Page {
    cursor: String,
    total_rows: f64,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Contract {
    id: String,
    title: String,
    #[serde(rename = "type")]
    kind: String,
    status: String,
    client: serde_json::Map<String, serde_json::Value>,
    invitations: serde_json::Map<String, serde_json::Value>,
    signatures: serde_json::Map<String, serde_json::Value>,
    is_archived: bool,
    is_shielded: bool,
    notice_period: f64,
    created_at: chrono::DateTime<chrono::Utc>,
    external_id: Option<String>,
}

fn contracts_page(n: usize) -> Vec<u8> {
    let items: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            json!({
                "id": format!("ctr-{i}"), "title": format!("Contract {i}"), "type": "eor", "status": "in_progress",
                "client": {}, "invitations": {}, "signatures": {}, "is_archived": false, "is_shielded": false,
                "notice_period": 30, "created_at": "2026-10-01T08:00:00Z", "external_id": format!("ext-{i}")
            })
        })
        .collect();
    serde_json::to_vec(&json!({ "data": items, "page": { "cursor": "next", "total_rows": n } }))
        .unwrap_or_default()
}

fn decoding(c: &mut Criterion) {
    let body = contracts_page(10_000);
    let mut group = c.benchmark_group("decode 10k contracts");
    group.bench_function("hand-written structs (baseline)", |b| {
        b.iter(|| serde_json::from_slice::<ContractsPage>(&body).map(|p| p.data.len()).unwrap_or(0))
    });
    group.bench_function("generated types", |b| {
        b.iter(|| {
            serde_json::from_slice::<types::ContractsGetContractsResponse200>(&body)
                .map(|p| p.data.len())
                .unwrap_or(0)
        })
    });
    group.finish();
}

fn round_trip(c: &mut Criterion) {
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => panic!("runtime: {e}"),
    };
    let server = runtime.block_on(async {
        // Without recording: a server that keeps every request grows through the run, which would
        // slow whichever side is measured later.
        let server = MockServer::builder().disable_request_recording().start().await;
        Mock::given(method("POST"))
            .and(path("/rest/v2/workers/session"))
            .respond_with(ResponseTemplate::new(201).set_body_json(json!({
                "data": { "token": "wt-bench", "expires_at": "2026-11-29T00:00:00Z" }
            })))
            .mount(&server)
            .await;
        server
    });
    let url = format!("{}/rest/v2/workers/session", server.uri());
    let plain = reqwest::Client::new();
    let sdk = match Client::builder()
        .base_url(server.uri())
        .token("bench-token")
        .rate_limit(None)
        .retry(RetryPolicy::none())
        .http_client(reqwest::Client::new())
        .build()
    {
        Ok(c) => c,
        Err(e) => panic!("client: {e}"),
    };
    let body = types::CreateWorkerAccessTokenBody {
        data: types::WorkersSessionPostBodyData { profile_id: "p-1".into() },
    };

    let mut group = c.benchmark_group("POST /workers/session round trip");
    group.bench_function("plain reqwest + serde (baseline)", |b| {
        b.to_async(&runtime).iter(|| async {
            let response = plain
                .post(&url)
                .bearer_auth("bench-token")
                .header("x-version", "2026-01-01")
                .json(&json!({ "data": { "profile_id": "p-1" } }))
                .send()
                .await;
            match response {
                Ok(r) => r.json::<SessionResponse>().await.map(|s| s.data.token.len()).unwrap_or(0),
                Err(_) => 0,
            }
        })
    });
    group.bench_function("deel-api", |b| {
        b.to_async(&runtime).iter(|| async {
            sdk.create_worker_access_token(&body)
                .send()
                .await
                .map(|r| r.into_inner().data.token.len())
                .unwrap_or(0)
        })
    });
    group.finish();
}

criterion_group!(benches, decoding, round_trip);
criterion_main!(benches);
