//! Run-time overhead of the SDK against baselines measured in the same run:
//! (i) one `POST /workers/session` round trip through `deel-api` vs the same request (the same
//! typed body) made with plain reqwest + serde_json into a hand-written struct, against one local
//! server;
//! (ii) decoding a 10,000-item page of realistic contracts (nested client, invitations,
//! signatures, cost centers, worker) with the generated types through the client's lenient decode
//! path vs hand-written structs typed to the same depth, and the same page when every item needs
//! two corrections.
//!
//! `cargo bench -p deel-api --bench overhead`; compare the pairs' times (their ratio is the
//! overhead).

use criterion::{criterion_group, criterion_main, Criterion};
use deel_api::{decode, types, Client, DecodeMode, RetryPolicy};
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

/// A contracts page written by hand, typed to the same depth as the generated types (every
/// nested object a struct, no `serde_json::Value` stand-ins), so that the comparison is fair.
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
    client: ContractClient,
    invitations: Invitations,
    signatures: Signatures,
    #[serde(default)]
    cost_centers: Vec<CostCenter>,
    worker: Option<Worker>,
    is_archived: bool,
    is_shielded: bool,
    notice_period: f64,
    created_at: Option<chrono::DateTime<chrono::Utc>>,
    external_id: Option<String>,
    scale: Option<String>,
    termination_date: Option<String>,
    who_reports: Option<String>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct ContractClient {
    team: Option<Team>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Team {
    id: String,
    name: Option<String>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Invitations {
    client_email: Option<String>,
    worker_email: Option<String>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Signatures {
    client_signed_at: Option<chrono::DateTime<chrono::Utc>>,
    worker_signature: Option<String>,
    worker_signed_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct CostCenter {
    allocation_percentage: Option<f64>,
    name: Option<String>,
    number: Option<String>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Worker {
    id: String,
    email: Option<String>,
    full_name: Option<String>,
    image: Option<String>,
    #[serde(default)]
    alternate_email: Vec<AlternateEmail>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct AlternateEmail {
    email: Option<String>,
    #[serde(rename = "isVerified")]
    is_verified: Option<bool>,
}

/// A page of `n` contracts filled as the schema describes; `drifted` makes every item need two
/// corrections (the team id as a number, the creation time as a date only), as real responses do.
fn contracts_page(n: usize, drifted: bool) -> Vec<u8> {
    let items: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            let (team_id, created) = if drifted {
                (json!(4000 + i), json!("2026-10-01"))
            } else {
                (json!(format!("team-{i}")), json!("2026-10-01T08:00:00Z"))
            };
            json!({
                "id": format!("ctr-{i}"), "title": format!("Contract {i}"), "type": "eor", "status": "in_progress",
                "client": { "team": { "id": team_id, "name": "Platform" } },
                "invitations": { "client_email": "ops@example.com", "worker_email": format!("w{i}@example.com") },
                "signatures": { "client_signed_at": "2026-10-02T09:00:00Z", "worker_signature": "Ada Lovelace",
                                "worker_signed_at": "2026-10-03T10:00:00Z" },
                "cost_centers": [{ "allocation_percentage": 100.0, "name": "R&D", "number": "CC-7" }],
                "worker": { "id": format!("wkr-{i}"), "email": format!("w{i}@example.com"), "full_name": "Ada Lovelace",
                            "image": "https://example.com/a.png",
                            "alternate_email": [{ "email": "ada@example.org", "isVerified": true }] },
                "is_archived": false, "is_shielded": false, "notice_period": 30, "created_at": created,
                "external_id": format!("ext-{i}"), "scale": "monthly", "termination_date": null, "who_reports": "both"
            })
        })
        .collect();
    serde_json::to_vec(&json!({ "data": items, "page": { "cursor": "next", "total_rows": n } }))
        .unwrap_or_default()
}

fn decoding(c: &mut Criterion) {
    let clean = bytes::Bytes::from(contracts_page(10_000, false));
    let drifted = bytes::Bytes::from(contracts_page(10_000, true));
    // The generated types must read the same data the hand-written ones do.
    let generated = decode::<types::ContractList>(200, clean.clone(), DecodeMode::Strict);
    assert!(generated.is_ok_and(|(p, c)| p.data.len() == 10_000 && c.is_empty()));
    let corrected = decode::<types::ContractList>(200, drifted.clone(), DecodeMode::Lenient);
    assert!(corrected.is_ok_and(|(_, c)| c.len() == 20_000));

    let mut group = c.benchmark_group("decode 10k contracts");
    group.bench_function("hand-written structs (baseline)", |b| {
        b.iter(|| serde_json::from_slice::<ContractsPage>(&clean).map(|p| p.data.len()).unwrap_or(0))
    });
    group.bench_function("generated types, lenient", |b| {
        b.iter(|| {
            decode::<types::ContractList>(200, clean.clone(), DecodeMode::Lenient)
                .map(|(p, _)| p.data.len())
                .unwrap_or(0)
        })
    });
    group.bench_function("generated types, lenient, 2 corrections per item", |b| {
        b.iter(|| {
            decode::<types::ContractList>(200, drifted.clone(), DecodeMode::Lenient)
                .map(|(p, c)| p.data.len() + c.len())
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
    let body = types::CreateWorkerAccessTokenRequest {
        data: types::CreateWorkerAccessTokenInput { profile_id: "p-1".into() },
    };

    let mut group = c.benchmark_group("POST /workers/session round trip");
    group.bench_function("plain reqwest + serde (baseline)", |b| {
        b.to_async(&runtime).iter(|| async {
            let response = plain
                .post(&url)
                .bearer_auth("bench-token")
                .header("x-version", "2026-01-01")
                // The same typed body the SDK sends: the baseline does no extra work.
                .json(&body)
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
            sdk.create_worker_access_token(body.clone())
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
