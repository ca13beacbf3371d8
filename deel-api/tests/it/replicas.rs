//! Several OS processes, one Deel organization: the rate limit, OAuth rotation and worker
//! tokens they share through a real `redis-server` (feature `redis`).
//!
//! Each test starts its own `redis-server` on a free 127.0.0.1 port and a stand-in Deel server
//! in this process, then runs this test binary again as child processes (the ignored
//! `child_process` test, told what to do by environment variables).

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use chrono::Utc;
use deel_api::oauth::{OAuthApp, OAuthSession, OAuthTokens, SharedTokenStore, StoreError, TokenStore};
use deel_api::redis::Redis;
use deel_api::{auth::BoxFuture, Client, RetryPolicy, WorkerSessions};
use serde_json::json;

/// Deel's limit in the stand-in, per organization and second.
const RATE: usize = 5;
/// The burst the shared limiter documents: one request over the rate in a one-second window,
/// from the spacing of slots and network jitter.
const BURST: usize = 1;

// ---------------------------------------------------------------------------------------------
// redis-server

/// A `redis-server` of this test's own, stopped when dropped.
struct RedisServer {
    child: Child,
    url: String,
}

impl RedisServer {
    /// Starts one, or returns `None` (after saying so) when `redis-server` is not installed and
    /// `CI` is not set; under `CI=true` a missing server fails the test.
    fn start() -> Option<Self> {
        let installed = Command::new("redis-server").arg("--version").output().is_ok();
        if !installed {
            assert!(
                std::env::var("CI").map(|v| v != "true").unwrap_or(true),
                "redis-server is not installed, and CI=true: .ci/run installs it"
            );
            eprintln!(
                "skipped: redis-server is not on PATH (install it with `apt-get install redis-server`)"
            );
            return None;
        }
        Self::start_at(free_port())
    }

    /// A server on `port` (a restart of one that was stopped, say).
    fn start_at(port: u16) -> Option<Self> {
        let child = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &port.to_string(), "--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server starts");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(10), "redis-server did not listen on {port}");
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(Self { child, url: format!("redis://127.0.0.1:{port}/") })
    }

    fn port(&self) -> u16 {
        self.url.trim_end_matches('/').rsplit(':').next().and_then(|p| p.parse().ok()).unwrap_or_default()
    }

    /// Stops answering commands for `ms` milliseconds while still accepting connections
    /// (`CLIENT PAUSE`): a Redis that is there but never answers.
    async fn pause(&self, ms: u64) {
        let client = redis::Client::open(self.url.as_str()).expect("a URL");
        let mut c = client.get_multiplexed_async_connection().await.expect("connects");
        let _: () =
            redis::cmd("CLIENT").arg("PAUSE").arg(ms).query_async(&mut c).await.expect("CLIENT PAUSE");
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

// ---------------------------------------------------------------------------------------------
// The stand-in Deel server

/// What the stand-in saw.
#[derive(Default, Debug)]
struct Seen {
    /// API requests per Unix second.
    per_second: BTreeMap<u64, usize>,
    /// API requests answered 429.
    rejected: usize,
    /// The bearer of every API request.
    bearers: Vec<String>,
    /// Refreshes granted, and refresh tokens presented again after they were spent.
    refreshes: usize,
    reuses: usize,
    /// The refresh token that is valid now.
    valid_refresh: String,
    /// Whether API requests over the rate (plus the burst) in a second are refused.
    limited: bool,
    /// `POST /workers/session` calls.
    worker_sessions: usize,
    /// When each API request arrived.
    arrivals: Vec<Instant>,
    /// A process to kill (SIGKILL) the moment it presents a refresh token, after Deel has spent
    /// it: a holder dying between Deel's answer and its store.
    kill_on_refresh: Option<u32>,
}

type Shared = Arc<Mutex<Seen>>;

fn reply(status: StatusCode, body: serde_json::Value) -> axum::response::Response {
    (status, [("content-type", "application/json")], body.to_string()).into_response()
}

fn seen(shared: &Shared) -> std::sync::MutexGuard<'_, Seen> {
    shared.lock().unwrap_or_else(|p| p.into_inner())
}

async fn contracts(State(s): State<Shared>, headers: HeaderMap) -> impl IntoResponse {
    let second = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default();
    let mut seen = seen(&s);
    let bearer = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    seen.bearers.push(bearer);
    seen.arrivals.push(Instant::now());
    let count = seen.per_second.entry(second).or_default();
    *count += 1;
    if *count > RATE + BURST && seen.limited {
        seen.rejected += 1;
        return reply(StatusCode::TOO_MANY_REQUESTS, json!({ "errors": [{ "message": "rate limited" }] }));
    }
    reply(StatusCode::OK, json!({ "data": [] }))
}

async fn tokens(State(s): State<Shared>, body: Bytes) -> impl IntoResponse {
    let form: BTreeMap<String, String> = url::form_urlencoded::parse(&body).into_owned().collect();
    // Slow, like a real token endpoint: widens every race between processes.
    tokio::time::sleep(Duration::from_millis(150)).await;
    let mut seen = seen(&s);
    let presented = form.get("refresh_token").cloned().unwrap_or_default();
    if presented != seen.valid_refresh {
        seen.reuses += 1;
        return reply(StatusCode::BAD_REQUEST, json!({ "error": "invalid_grant" }));
    }
    seen.refreshes += 1;
    let n = seen.refreshes;
    seen.valid_refresh = format!("refresh-{n}");
    if let Some(pid) = seen.kill_on_refresh.take() {
        // Deel has rotated the grant; the process that asked never learns the new pair.
        let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
    }
    reply(
        StatusCode::OK,
        json!({ "access_token": format!("access-{n}"), "refresh_token": format!("refresh-{n}"), "expires_in": 3600 }),
    )
}

async fn worker_session(State(s): State<Shared>) -> impl IntoResponse {
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut seen = seen(&s);
    seen.worker_sessions += 1;
    let token = format!("worker-token-{}", seen.worker_sessions);
    let expires_at = (Utc::now() + chrono::Duration::hours(24)).to_rfc3339();
    reply(StatusCode::CREATED, json!({ "data": { "token": token, "expires_at": expires_at } }))
}

/// Starts the stand-in, refusing requests over the rate when `limited`; returns its base URL
/// and what it sees.
async fn stand_in(limited: bool) -> (String, Shared) {
    let shared: Shared =
        Arc::new(Mutex::new(Seen { valid_refresh: "refresh-0".into(), limited, ..Seen::default() }));
    let app = Router::new()
        .route("/rest/v2/contracts", get(contracts))
        .route("/oauth2/tokens", post(tokens))
        .route("/rest/v2/workers/session", post(worker_session))
        .with_state(shared.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let base = format!("http://{}", listener.local_addr().expect("an address"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (base, shared)
}

// ---------------------------------------------------------------------------------------------
// Child processes

/// Runs `n` copies of this test binary's `child_process` in `mode`; returns what each printed
/// on its `REPLICA` line, after all have exited.
async fn replicas(n: usize, mode: &str, env: &[(&str, &str)]) -> Vec<String> {
    let children = (0..n).map(|i| spawn_replica(i, mode, env)).collect();
    outputs(children).await
}

/// Starts copy `i` of this test binary's `child_process` in `mode`.
fn spawn_replica(i: usize, mode: &str, env: &[(&str, &str)]) -> Child {
    let mut command = Command::new(std::env::current_exe().expect("the test binary"));
    command
        .args(["replicas::child_process", "--exact", "--ignored", "--nocapture", "--test-threads", "1"])
        .env("DEEL_REPLICA_MODE", mode)
        .env("DEEL_REPLICA_INDEX", i.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        command.env(k, v);
    }
    command.spawn().expect("the child starts")
}

/// What each child printed on its `REPLICA` line, after all have exited (`killed` for one that
/// printed none because it was killed).
async fn outputs(children: Vec<Child>) -> Vec<String> {
    let outputs = tokio::task::spawn_blocking(move || {
        children.into_iter().map(|c| c.wait_with_output().expect("the child ends")).collect::<Vec<_>>()
    })
    .await
    .expect("joins");
    outputs
        .into_iter()
        .map(|out| {
            let stdout = String::from_utf8_lossy(&out.stdout).to_string();
            let line =
                stdout.lines().find_map(|l| l.split_once("REPLICA ")).map(|(_, r)| r.trim().to_string());
            match line {
                Some(line) => line,
                None if out.status.code().is_none() => "killed".to_string(),
                None => {
                    panic!("a child printed no result:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr))
                }
            }
        })
        .collect()
}

fn env(key: &str) -> String {
    std::env::var(key).unwrap_or_default()
}

/// A grant whose access token expired a minute ago.
fn expired_pair() -> OAuthTokens {
    OAuthTokens::new("access-0", "refresh-0", Utc::now() - chrono::Duration::minutes(1))
}

/// The durable copy a service keeps besides Redis; these tests only need Redis.
#[derive(Debug)]
struct NoCopy;

impl TokenStore for NoCopy {
    fn save<'a>(&'a self, _: &'a OAuthTokens) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async { Ok(()) })
    }
}

fn redis_from_env() -> Redis {
    Redis::open(&env("DEEL_REDIS_URL")).expect("a Redis URL").with_namespace(env("DEEL_REPLICA_NS"))
}

fn oauth_app(base: &str) -> OAuthApp {
    OAuthApp::new("replica-app", "replica-app-secret", "https://example.test/callback")
        .with_endpoints(format!("{base}/oauth2/authorize"), format!("{base}/oauth2/tokens"))
}

/// One replica. Not a test of its own: the tests below run it as a child process.
/// Starts a call every `every` for `during`, without waiting for the answers (the limiter
/// decides when each goes), then drops the ones still waiting.
async fn offer_calls(client: &Client, every: Duration, during: Duration) {
    let mut tasks = tokio::task::JoinSet::new();
    let mut tick = tokio::time::interval(every);
    let until = tokio::time::Instant::now() + during;
    while tokio::time::Instant::now() < until {
        tick.tick().await;
        let client = client.clone();
        tasks.spawn(async move { client.get_contracts().send().await.is_ok() });
    }
    tasks.abort_all();
}

#[test]
#[ignore = "run as a child process by the tests in this module"]
fn child_process() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime");
    let result: Option<String> = runtime.block_on(async {
        let base = env("DEEL_REPLICA_BASE");
        let line = match env("DEEL_REPLICA_MODE").as_str() {
            // Tries 20 requests per second for 5 s.
            "rate" => {
                let mut builder = Client::builder()
                    .base_url(&base)
                    .token("replica-api-token")
                    .retry(RetryPolicy::none())
                    .rate_limit(Some(RATE as f64));
                if env("DEEL_REPLICA_SHARED") == "1" {
                    builder = builder.limiter(Arc::new(redis_from_env().rate_limiter(RATE as f64)));
                }
                let client = builder.build().expect("a client");
                offer_calls(&client, Duration::from_millis(50), Duration::from_secs(5)).await;
                "done".to_string()
            }
            // Calls the API three times with an expired pair and the shared store.
            "oauth" => {
                let store = redis_from_env().oauth_store("grant");
                let session = OAuthSession::new(oauth_app(&base), expired_pair(), Arc::new(NoCopy))
                    .with_shared_store(Arc::new(store))
                    .with_lease(Duration::from_secs(2));
                let client = Client::builder()
                    .base_url(&base)
                    .credentials(Arc::new(session))
                    .rate_limit(None)
                    .build()
                    .expect("a client");
                let mut ok = 0;
                for _ in 0..3 {
                    ok += usize::from(client.get_contracts().send().await.is_ok());
                }
                format!("ok={ok}")
            }
            // Calls three times with an expired pair and reports what each call ended in.
            "oauth-report" => {
                let store = redis_from_env().oauth_store("grant");
                let session = OAuthSession::new(oauth_app(&base), expired_pair(), Arc::new(NoCopy))
                    .with_shared_store(Arc::new(store))
                    .with_lease(Duration::from_secs(2));
                let client = Client::builder()
                    .base_url(&base)
                    .credentials(Arc::new(session))
                    .rate_limit(None)
                    .retry(RetryPolicy::none())
                    .build()
                    .expect("a client");
                let started = Instant::now();
                let mut outcomes = Vec::new();
                for _ in 0..3 {
                    outcomes.push(match client.get_contracts().send().await {
                        Ok(_) => "ok".to_string(),
                        Err(deel_api::Error::Credentials { message, .. })
                            if message.contains("re-authorized") =>
                        {
                            "reauthorize".to_string()
                        }
                        Err(e) => format!("error:{e}"),
                    });
                }
                format!("{} ms={}", outcomes.join(","), started.elapsed().as_millis())
            }
            // 8 concurrent calls with a valid access token, twice, while Redis does not answer.
            "oauth-paused" => {
                let store = redis_from_env().oauth_store("grant");
                let valid =
                    OAuthTokens::new("access-0", "refresh-0", Utc::now() + chrono::Duration::hours(1));
                let session = OAuthSession::new(oauth_app(&base), valid, Arc::new(NoCopy))
                    .with_shared_store(Arc::new(store));
                let client = Client::builder()
                    .base_url(&base)
                    .credentials(Arc::new(session))
                    .rate_limit(None)
                    .build()
                    .expect("a client");
                let mut rounds = Vec::new();
                for _ in 0..2 {
                    let mut tasks = tokio::task::JoinSet::new();
                    for _ in 0..8 {
                        let client = client.clone();
                        tasks.spawn(async move {
                            let started = Instant::now();
                            let ok = client.get_contracts().send().await.is_ok();
                            (ok, started.elapsed())
                        });
                    }
                    let (mut ok, mut slowest) = (0, Duration::ZERO);
                    while let Some(joined) = tasks.join_next().await {
                        let (fine, took) = joined.expect("joins");
                        ok += usize::from(fine);
                        slowest = slowest.max(took);
                    }
                    rounds.push(format!("ok={ok} slowest_ms={}", slowest.as_millis()));
                }
                rounds.join(" ")
            }
            // Wants a worker's token with the encryption key in DEEL_REPLICA_KEY.
            "worker-key" => {
                let key = env("DEEL_REPLICA_KEY").into_bytes();
                let redis = redis_from_env().with_encryption_key(&key).expect("a 32-byte key");
                let client = Client::builder()
                    .base_url(&base)
                    .token("replica-api-token")
                    .rate_limit(None)
                    .build()
                    .expect("a client");
                let sessions =
                    WorkerSessions::new(&client).with_shared_cache(Arc::new(redis.worker_tokens()));
                match sessions.token("profile-1").await {
                    Ok(token) => format!("token={}", token.expose()),
                    Err(deel_api::Error::InvalidRequest(m)) if m.contains("encryption key") => {
                        "key-mismatch".into()
                    }
                    Err(e) => format!("error:{e}"),
                }
            }
            // Tries a request every DEEL_REPLICA_EVERY_MS for DEEL_REPLICA_SECONDS seconds, on the
            // shared limit.
            "rate-through-outage" => {
                let client = Client::builder()
                    .base_url(&base)
                    .token(format!("replica-api-token-{}", env("DEEL_REPLICA_INDEX")))
                    .retry(RetryPolicy::none())
                    .limiter(Arc::new(
                        redis_from_env().with_timeout(Duration::from_millis(300)).rate_limiter(RATE as f64),
                    ))
                    .build()
                    .expect("a client");
                let seconds: u64 = env("DEEL_REPLICA_SECONDS").parse().unwrap_or(8);
                let every: u64 = env("DEEL_REPLICA_EVERY_MS").parse().unwrap_or(50);
                offer_calls(&client, Duration::from_millis(every), Duration::from_secs(seconds)).await;
                "done".to_string()
            }
            // The example webhook receiver, with its handled events in Redis: posts each delivery
            // of DEEL_REPLICA_DELIVERIES to itself and reports the events it queued.
            "webhook-replica" => {
                use deel_api::webhooks::{WebhookVerifier, DEFAULT_SEEN_TTL};
                let verifier =
                    WebhookVerifier::with_keys([("old", "whsec-old-of-ours"), ("new", "whsec-new-of-ours")]);
                let seen = Arc::new(redis_from_env().seen_events(DEFAULT_SEEN_TTL));
                let (router, mut events) = crate::webhook_receiver::app::app(verifier, seen);
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("binds");
                let url = format!("http://{}/webhooks/deel", listener.local_addr().expect("an address"));
                tokio::spawn(async move { axum::serve(listener, router).await });
                let deliveries: Vec<(Vec<(String, String)>, String)> = serde_json::from_str(
                    &std::fs::read_to_string(env("DEEL_REPLICA_DELIVERIES")).expect("reads"),
                )
                .expect("parses");
                let http = reqwest::Client::new();
                for (headers, body) in deliveries {
                    let mut request = http.post(&url).body(body);
                    for (k, v) in headers {
                        request = request.header(k, v);
                    }
                    let status = request.send().await.expect("posts").status();
                    assert!(status.is_success(), "{status}");
                }
                let mut handled = Vec::new();
                while let Ok(Some(event)) =
                    tokio::time::timeout(Duration::from_millis(300), events.recv()).await
                {
                    handled.push(event.tracking_id.unwrap_or_default());
                }
                format!("handled={}", handled.join(","))
            }
            // Takes the rotation lease and dies before refreshing.
            "crash-before-refresh" => {
                let store = redis_from_env().oauth_store("grant");
                store.seed(&expired_pair()).await.expect("seeds");
                assert!(store.try_lease("doomed-replica", Duration::from_secs(2)).await.expect("leases"));
                println!("REPLICA leased");
                std::process::exit(0);
            }
            // Refreshes and stores the new pair under the lease, then dies holding it.
            "crash-after-save" => {
                let store = redis_from_env().oauth_store("grant");
                store.seed(&expired_pair()).await.expect("seeds");
                assert!(store.try_lease("doomed-replica", Duration::from_secs(30)).await.expect("leases"));
                let stored = store.load().await.expect("loads").expect("a pair");
                let fresh = oauth_app(&base).refresh(&stored.tokens).await.expect("refreshes");
                assert!(store.replace("doomed-replica", stored.version, &fresh).await.expect("stores"));
                println!("REPLICA saved");
                std::process::exit(0);
            }
            // Ten concurrent callers want a token for one worker.
            "worker" => {
                let client = Client::builder()
                    .base_url(&base)
                    .token("replica-api-token")
                    .rate_limit(None)
                    .build()
                    .expect("a client");
                let sessions = WorkerSessions::new(&client)
                    .with_shared_cache(Arc::new(redis_from_env().worker_tokens()));
                let mut tasks = tokio::task::JoinSet::new();
                for _ in 0..10 {
                    let sessions = sessions.clone();
                    tasks.spawn(
                        async move { sessions.token("profile-1").await.map(|t| t.expose().to_string()) },
                    );
                }
                let mut tokens: Vec<String> = Vec::new();
                while let Some(joined) = tasks.join_next().await {
                    tokens.push(joined.expect("joins").expect("a token"));
                }
                tokens.sort();
                tokens.dedup();
                tokens.join(",")
            }
            // Run directly by `cargo test`, where the variables are unset: nothing to do.
            _ => return None,
        };
        Some(line)
    });
    if let Some(line) = result {
        println!("REPLICA {line}");
    }
}

/// A fresh namespace per test, so that tests sharing nothing never share keys either.
fn namespace() -> String {
    format!("test-{}", uuid::Uuid::new_v4())
}

/// The most requests the stand-in saw in one second, and how many it refused.
fn busiest_second(shared: &Shared) -> (usize, usize, usize) {
    let seen = seen(shared);
    let total = seen.per_second.values().sum();
    (seen.per_second.values().copied().max().unwrap_or(0), seen.rejected, total)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_processes_share_one_rate_limit_and_exceed_it_without() {
    let Some(redis) = RedisServer::start() else { return };
    let (shared_base, with_redis) = stand_in(true).await;
    let (alone_base, without) = stand_in(true).await;
    let ns = namespace();
    let shared_env = [
        ("DEEL_REPLICA_BASE", shared_base.as_str()),
        ("DEEL_REDIS_URL", redis.url.as_str()),
        ("DEEL_REPLICA_NS", ns.as_str()),
        ("DEEL_REPLICA_SHARED", "1"),
    ];
    let alone_env = [("DEEL_REPLICA_BASE", alone_base.as_str()), ("DEEL_REPLICA_SHARED", "0")];
    let (a, b) = tokio::join!(replicas(4, "rate", &shared_env), replicas(4, "rate", &alone_env));
    assert_eq!((a.len(), b.len()), (4, 4));

    let (max, rejected, total) = busiest_second(&with_redis);
    eprintln!("shared limit: busiest second {max}, refused {rejected}, {total} requests in all");
    assert!(max <= RATE + BURST, "the stand-in saw {max} requests in one second with the shared limit");
    assert_eq!(rejected, 0, "no 429 with the shared limit");
    assert!(total >= 20, "the processes did send ({total} requests)");

    let (max, rejected, total) = busiest_second(&without);
    eprintln!("per-process limits: busiest second {max}, refused {rejected}, {total} requests in all");
    assert!(max > 2 * RATE, "four per-process limits send more than one limit allows ({max})");
    assert!(rejected > 0, "and Deel would refuse some");
}

/// A `redis-server`, a stand-in that does not limit, and a namespace: what the OAuth and worker
/// tests run their replicas against.
struct Scene {
    redis: RedisServer,
    base: String,
    seen: Shared,
    ns: String,
}

impl Scene {
    async fn start() -> Option<Self> {
        let redis = RedisServer::start()?;
        let (base, seen) = stand_in(false).await;
        Some(Self { redis, base, seen, ns: namespace() })
    }

    async fn run(&self, n: usize, mode: &str) -> Vec<String> {
        let env = [
            ("DEEL_REPLICA_BASE", self.base.as_str()),
            ("DEEL_REDIS_URL", self.redis.url.as_str()),
            ("DEEL_REPLICA_NS", self.ns.as_str()),
        ];
        replicas(n, mode, &env).await
    }

    /// One refresh, no spent refresh token presented, and `calls` API calls, all with the new
    /// access token.
    fn assert_rotated_once(&self, calls: usize) {
        let seen = seen(&self.seen);
        assert_eq!((seen.refreshes, seen.reuses), (1, 0), "refreshes and reused refresh tokens");
        assert_eq!(seen.bearers.len(), calls);
        assert!(seen.bearers.iter().all(|b| b == "Bearer access-1"), "{:?}", seen.bearers);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_processes_with_an_expired_pair_refresh_once() {
    let Some(scene) = Scene::start().await else { return };
    assert_eq!(scene.run(4, "oauth").await, vec!["ok=3"; 4]);
    scene.assert_rotated_once(12);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_holder_killed_after_saving_leaves_the_others_its_pair() {
    let Some(scene) = Scene::start().await else { return };
    assert_eq!(scene.run(1, "crash-after-save").await, vec!["saved"]);
    assert_eq!(scene.run(3, "oauth").await, vec!["ok=3"; 3]);
    // The refresh was the dead holder's; the others adopted its pair.
    scene.assert_rotated_once(9);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_holder_killed_before_refreshing_is_replaced_after_its_lease() {
    let Some(scene) = Scene::start().await else { return };
    assert_eq!(scene.run(1, "crash-before-refresh").await, vec!["leased"]);
    let started = Instant::now();
    assert_eq!(scene.run(3, "oauth").await, vec!["ok=3"; 3]);
    assert!(started.elapsed() >= Duration::from_millis(1500), "they waited for the dead holder's lease");
    scene.assert_rotated_once(9);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_processes_of_ten_callers_create_one_worker_session() {
    let Some(scene) = Scene::start().await else { return };
    let results = scene.run(4, "worker").await;
    assert_eq!(results, vec!["worker-token-1"; 4], "every caller of every process got the one token");
    assert_eq!(seen(&scene.seen).worker_sessions, 1);
}

/// A Redis URL where nothing listens.
fn unreachable_redis(password: Option<&str>) -> Redis {
    let auth = password.map(|p| format!(":{p}@")).unwrap_or_default();
    Redis::open(&format!("redis://{auth}127.0.0.1:{}/", free_port()))
        .expect("a valid URL")
        .with_namespace(namespace())
        .with_timeout(Duration::from_millis(300))
}

async fn timed_acquires(limiter: &dyn deel_api::limiter::Limiter, n: usize) -> Duration {
    let started = Instant::now();
    for _ in 0..n {
        limiter.acquire().await;
    }
    started.elapsed()
}

#[tokio::test]
async fn without_redis_the_limit_falls_back_to_a_share_of_the_rate_never_to_none() {
    let limiter = unreachable_redis(None).rate_limiter(20.0).with_fallback_replicas(4);
    assert_eq!(limiter.fallback_rate(), 5.0);
    // Six requests at 5 per second take a second; unlimited, they would take no time.
    let took = timed_acquires(&limiter, 6).await;
    assert!(took >= Duration::from_millis(950), "{took:?}");
    assert!(took < Duration::from_secs(4), "{took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_that_goes_down_mid_run_leaves_a_limit_in_place() {
    let Some(redis) = RedisServer::start() else { return };
    let handle = Redis::open(&redis.url)
        .expect("a URL")
        .with_namespace(namespace())
        .with_timeout(Duration::from_millis(300));
    let limiter = handle.rate_limiter(50.0).with_fallback_replicas(10);
    // Up: 6 requests at 50 per second take about 100 ms.
    let took = timed_acquires(&limiter, 6).await;
    assert!(took < Duration::from_millis(600), "{took:?}");
    drop(redis);
    // Down: 6 requests at 5 per second (50 / 10) take about a second, and none fails.
    let took = timed_acquires(&limiter, 6).await;
    assert!(took >= Duration::from_millis(900), "{took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_redis_oauth_keeps_a_valid_token_and_never_refreshes_alone() {
    let (base, shared) = stand_in(false).await;
    let session = |tokens: OAuthTokens| {
        let session = OAuthSession::new(oauth_app(&base), tokens, Arc::new(NoCopy))
            .with_shared_store(Arc::new(unreachable_redis(None).oauth_store("grant")));
        Client::builder()
            .base_url(&base)
            .credentials(Arc::new(session))
            .rate_limit(None)
            .build()
            .expect("a client")
    };
    let valid = OAuthTokens::new("access-0", "refresh-0", Utc::now() + chrono::Duration::hours(1));
    session(valid).get_contracts().send().await.expect("the valid token is used");

    let err = session(expired_pair()).get_contracts().send().await.expect_err("no usable token");
    assert!(matches!(err, deel_api::Error::SharedState { .. }), "{err:?}");
    let seen = seen(&shared);
    assert_eq!((seen.refreshes, seen.reuses), (0, 0), "no refresh it could not share");
    assert_eq!(seen.bearers, vec!["Bearer access-0"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_redis_a_process_creates_its_own_worker_token() {
    let (base, shared) = stand_in(false).await;
    let client = Client::builder()
        .base_url(&base)
        .token("replica-api-token")
        .rate_limit(None)
        .build()
        .expect("a client");
    let sessions =
        WorkerSessions::new(&client).with_shared_cache(Arc::new(unreachable_redis(None).worker_tokens()));
    let token = sessions.token("profile-1").await.expect("a token despite Redis");
    assert_eq!(token.expose(), "worker-token-1");
    assert_eq!(sessions.token("profile-1").await.expect("cached").expose(), "worker-token-1");
    assert_eq!(seen(&shared).worker_sessions, 1);
}

#[tokio::test]
async fn redis_errors_are_typed_and_quote_no_password() {
    let redis = unreachable_redis(Some("hunter2-redis-password"));
    assert!(!format!("{redis:?}").contains("hunter2"));
    let err = redis.oauth_store("grant").load().await.expect_err("Redis is down");
    assert!(matches!(err, deel_api::Error::SharedState { .. }), "{err:?}");
    for text in [err.to_string(), format!("{err:?}")] {
        assert!(!text.contains("hunter2-redis-password"), "{text}");
        assert!(text.contains("reading the OAuth pair"), "{text}");
    }
    let err = Redis::open("redis://:hunter2-redis-password@127.0.0.1:notaport/").expect_err("invalid URL");
    assert!(!err.to_string().contains("hunter2"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_at_rest_are_encrypted_with_a_key_and_plain_without() {
    let Some(server) = RedisServer::start() else { return };
    let raw = |key: String| {
        let url = server.url.clone();
        async move {
            let client = redis::Client::open(url).expect("a URL");
            let mut c = client.get_multiplexed_async_connection().await.expect("connects");
            let kind: String = redis::cmd("TYPE").arg(&key).query_async(&mut c).await.expect("TYPE");
            if kind == "hash" {
                let all: Vec<String> =
                    redis::cmd("HGETALL").arg(&key).query_async(&mut c).await.expect("HGETALL");
                all.join(" ")
            } else {
                redis::cmd("GET").arg(&key).query_async(&mut c).await.expect("GET")
            }
        }
    };
    let pair =
        OAuthTokens::new("access-secret-0", "refresh-secret-0", Utc::now() + chrono::Duration::hours(1));
    for key in [Some([9u8; 32]), None] {
        let ns = namespace();
        let mut handle = Redis::open(&server.url).expect("a URL").with_namespace(&ns);
        if let Some(key) = key {
            handle = handle.with_encryption_key(&key).expect("a 32-byte key");
        }
        let store = handle.oauth_store("grant");
        assert!(store.seed(&pair).await.expect("seeds"));
        let loaded = store.load().await.expect("loads").expect("a pair");
        assert_eq!((loaded.version, loaded.tokens.refresh_token()), (1, "refresh-secret-0"));
        let stored = raw(format!("{ns}:oauth:grant")).await;
        assert_eq!(stored.contains("refresh-secret-0"), key.is_none(), "{stored}");
        assert_eq!(stored.contains("access-secret-0"), key.is_none(), "{stored}");
        if key.is_some() {
            let other = Redis::open(&server.url).expect("a URL").with_namespace(&ns);
            let err = other.oauth_store("grant").load().await.expect_err("sealed");
            assert!(err.to_string().contains("no encryption key"), "{err}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_writer_cannot_overwrite_a_newer_pair() {
    let Some(server) = RedisServer::start() else { return };
    let store = Redis::open(&server.url).expect("a URL").with_namespace(namespace()).oauth_store("grant");
    let pair = |n: u32| OAuthTokens::new(&format!("access-{n}"), &format!("refresh-{n}"), Utc::now());
    assert!(store.seed(&pair(1)).await.expect("seeds"));
    assert!(!store.seed(&pair(9)).await.expect("answers"), "a second seed changes nothing");
    let lease = Duration::from_secs(30);
    assert!(store.try_lease("a", lease).await.expect("leases"));
    assert!(!store.try_lease("b", lease).await.expect("answers"), "one holder at a time");
    assert!(store.replace("a", 1, &pair(2)).await.expect("answers"));
    assert!(!store.replace("a", 1, &pair(3)).await.expect("answers"), "version 1 is no longer stored");
    store.release("b").await.expect("answers");
    assert!(!store.try_lease("b", lease).await.expect("answers"), "only the holder releases");
    store.release("a").await.expect("answers");
    assert!(!store.replace("a", 2, &pair(4)).await.expect("answers"), "not without the lease");
    let stored = store.load().await.expect("loads").expect("a pair");
    assert_eq!((stored.version, stored.tokens.refresh_token()), (2, "refresh-2"));
}

/// The most requests the stand-in saw in any one-second window (not only calendar seconds).
fn busiest_window(shared: &Shared) -> usize {
    let seen = seen(shared);
    let times = &seen.arrivals;
    (0..times.len())
        .map(|i| {
            times[i..].iter().take_while(|t| t.duration_since(times[i]) < Duration::from_secs(1)).count()
        })
        .max()
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_holder_killed_mid_rotation_leaves_no_spent_token_presented_and_the_others_fail_fast() {
    let Some(scene) = Scene::start().await else { return };
    let env = [
        ("DEEL_REPLICA_BASE", scene.base.as_str()),
        ("DEEL_REDIS_URL", scene.redis.url.as_str()),
        ("DEEL_REPLICA_NS", scene.ns.as_str()),
    ];
    // The holder presents the refresh token, Deel rotates the grant, and the holder is killed
    // before it can store the new pair.
    let doomed = spawn_replica(0, "oauth-report", &env);
    seen(&scene.seen).kill_on_refresh = Some(doomed.id());
    assert_eq!(outputs(vec![doomed]).await, ["killed"]);
    assert_eq!(seen(&scene.seen).refreshes, 1, "Deel rotated the grant once");

    let started = Instant::now();
    let survivors = replicas(5, "oauth-report", &env).await;
    let took = started.elapsed();
    for line in &survivors {
        assert!(line.starts_with("reauthorize,reauthorize,reauthorize "), "{line}");
    }
    let seen = seen(&scene.seen);
    assert_eq!(seen.reuses, 0, "the spent refresh token was presented again");
    assert_eq!(seen.refreshes, 1);
    assert!(seen.bearers.is_empty(), "no call went out with a stale token: {:?}", seen.bearers);
    // They waited out the dead holder's lease (2 s), then failed at once.
    assert!(took < Duration::from_secs(6), "{took:?}: {survivors:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_process_with_another_encryption_key_gets_an_error_and_creates_nothing() {
    let Some(scene) = Scene::start().await else { return };
    let run = |key: &'static str| {
        let env = [
            ("DEEL_REPLICA_BASE", scene.base.clone()),
            ("DEEL_REDIS_URL", scene.redis.url.clone()),
            ("DEEL_REPLICA_NS", scene.ns.clone()),
            ("DEEL_REPLICA_KEY", key.to_string()),
        ];
        async move {
            let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
            replicas(1, "worker-key", &env).await
        }
    };
    assert_eq!(run("key-one-of-thirty-two-bytes-long").await, ["token=worker-token-1"]);
    assert_eq!(run("key-two-of-thirty-two-bytes-long").await, ["key-mismatch"]);
    assert_eq!(seen(&scene.seen).worker_sessions, 1, "no second worker session");
    assert_eq!(run("key-one-of-thirty-two-bytes-long").await, ["token=worker-token-1"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn through_an_outage_and_back_no_second_exceeds_the_shared_limit() {
    let Some(redis) = RedisServer::start() else { return };
    let port = redis.port();
    let (base, seen_by) = stand_in(false).await;
    let ns = namespace();
    let env = [
        ("DEEL_REPLICA_BASE", base.as_str()),
        ("DEEL_REDIS_URL", redis.url.as_str()),
        ("DEEL_REPLICA_NS", ns.as_str()),
        ("DEEL_REPLICA_SECONDS", "9"),
        // 4 × 2.5 = 10 requests/s offered: twice the limit, so that queues build on each side of
        // each transition, but short ones, so that both the shared and the local limit are seen.
        ("DEEL_REPLICA_EVERY_MS", "400"),
    ];
    let children: Vec<Child> = (0..4).map(|i| spawn_replica(i, "rate-through-outage", &env)).collect();
    let mut redis = Some(redis);
    tokio::time::sleep(Duration::from_secs(3)).await;
    redis.take(); // down
    tokio::time::sleep(Duration::from_secs(3)).await;
    let _back = RedisServer::start_at(port).expect("redis-server starts again");
    assert_eq!(outputs(children).await, vec!["done"; 4]);
    let busiest = busiest_window(&seen_by);
    let total = seen(&seen_by).arrivals.len();
    let timeline: Vec<String> = {
        let seen = seen(&seen_by);
        let first = seen.arrivals.first().copied();
        seen.arrivals
            .iter()
            .zip(&seen.bearers)
            .map(|(t, b)| {
                format!(
                    "{}@{}",
                    first.map_or(0, |f| t.duration_since(f).as_millis()),
                    b.rsplit('-').next().unwrap_or("?")
                )
            })
            .collect()
    };
    eprintln!("arrivals (ms): {}", timeline.join(" "));
    eprintln!("through an outage and back: busiest one-second window {busiest}, {total} requests in all");
    assert!(busiest <= RATE + BURST, "{busiest} requests in one second (limit {RATE}, burst {BURST})");
    assert!(total >= 30, "the processes did send ({total})");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_that_never_answers_costs_a_valid_token_one_wait_per_outage() {
    let Some(scene) = Scene::start().await else { return };
    scene.redis.pause(8_000).await;
    let result = scene.run(1, "oauth-paused").await;
    let numbers: Vec<u128> = result[0]
        .split(' ')
        .filter_map(|part| part.strip_prefix("slowest_ms=").and_then(|n| n.parse().ok()))
        .collect();
    assert!(result[0].starts_with("ok=8 ") && result[0].contains(" ok=8 "), "{result:?}");
    // The first round waits once on Redis's timeout (1 s), not once per call; the second not at all.
    assert!(numbers[0] < 1_600, "first round: {result:?}");
    assert!(numbers[1] < 300, "second round: {result:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_of_the_example_receiver_handle_each_event_once_through_a_key_rotation() {
    let Some(scene) = Scene::start().await else { return };
    // Ten events: the first five signed with the old key, the rest with the new one, each label
    // named; each delivered twice to each replica (Deel repeats, and a balancer spreads).
    let mut deliveries = Vec::new();
    for i in 0..10 {
        let (key, label) = if i < 5 { ("whsec-old-of-ours", "old") } else { ("whsec-new-of-ours", "new") };
        let body = json!({ "data": { "meta": { "event_type": "contract.created", "tracking_id": format!("evt-{i}") },
                                     "resource": { "id": format!("ctr-{i}") } },
                           "timestamp": "2026-12-01T10:00:00Z" })
        .to_string();
        let headers = vec![
            ("x-deel-signature".to_string(), deel_api::webhooks::sign(key, body.as_bytes())),
            ("x-deel-hmac-label".to_string(), label.to_string()),
        ];
        deliveries.push((headers.clone(), body.clone()));
        deliveries.push((headers, body));
    }
    let file = std::env::temp_dir().join(format!("deel-webhook-deliveries-{}.json", std::process::id()));
    std::fs::write(&file, serde_json::to_string(&deliveries).expect("serializes")).expect("writes");
    let env = [
        ("DEEL_REPLICA_BASE", scene.base.as_str()),
        ("DEEL_REDIS_URL", scene.redis.url.as_str()),
        ("DEEL_REPLICA_NS", scene.ns.as_str()),
        ("DEEL_REPLICA_DELIVERIES", file.to_str().expect("a path")),
    ];
    let results = replicas(2, "webhook-replica", &env).await;
    let _ = std::fs::remove_file(&file);
    let mut handled: Vec<String> = results
        .iter()
        .flat_map(|r| r.trim_start_matches("handled=").split(',').filter(|s| !s.is_empty()).map(String::from))
        .collect();
    handled.sort();
    let expected: Vec<String> = {
        let mut all: Vec<String> = (0..10).map(|i| format!("evt-{i}")).collect();
        all.sort();
        all
    };
    assert_eq!(handled, expected, "each event once across both replicas: {results:?}");
}
