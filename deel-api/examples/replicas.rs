//! Several processes, one Deel organization, one rate limit and one worker session, through Redis.
//!
//! ```sh
//! DEEL_REDIS_URL=redis://127.0.0.1:6379/ cargo run -p deel-api --features redis --example replicas -- 4
//! ```
//!
//! Run like this, it starts a stand-in Deel server on 127.0.0.1 and then runs itself N times
//! (default 4) as replicas. Each replica builds its client the way a service would — with
//! `Redis::from_env()` — and for three seconds tries to send 20 requests per second; each also asks
//! for the same worker's token. The stand-in then prints what it saw: at most 5 requests in any
//! second, and one worker session for all replicas together.

use std::collections::BTreeMap;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::routing::{get, post};
use axum::Router;
use deel_api::{Client, WorkerSessions};

/// Requests per Unix second, and worker sessions created.
#[derive(Default)]
struct Seen {
    per_second: BTreeMap<u64, usize>,
    sessions: usize,
}

type Shared = Arc<Mutex<Seen>>;

fn json(body: String) -> ([(&'static str, &'static str); 1], String) {
    ([("content-type", "application/json")], body)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    if let Ok(base) = std::env::var("REPLICA_OF") {
        return replica(&base).await;
    }
    if std::env::var("DEEL_REDIS_URL").is_err() {
        return Err("set DEEL_REDIS_URL (e.g. redis://127.0.0.1:6379/) to a Redis the replicas share".into());
    }
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(4);

    let seen: Shared = Arc::default();
    let app = Router::new()
        .route(
            "/rest/v2/contracts",
            get(|axum::extract::State(s): axum::extract::State<Shared>| async move {
                let second = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
                *s.lock().unwrap_or_else(|p| p.into_inner()).per_second.entry(second).or_default() += 1;
                json(r#"{"data":[]}"#.into())
            }),
        )
        .route(
            "/rest/v2/workers/session",
            post(|axum::extract::State(s): axum::extract::State<Shared>| async move {
                s.lock().unwrap_or_else(|p| p.into_inner()).sessions += 1;
                let expires = chrono::Utc::now() + chrono::Duration::hours(24);
                json(format!(
                    r#"{{"data":{{"token":"stand-in-worker-token","expires_at":"{}"}}}}"#,
                    expires.to_rfc3339()
                ))
            }),
        )
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });

    println!("stand-in Deel at {base}; starting {n} replicas");
    let me = std::env::current_exe()?;
    let children: Vec<_> =
        (0..n).map(|_| Command::new(&me).env("REPLICA_OF", &base).spawn()).collect::<Result<_, _>>()?;
    tokio::task::spawn_blocking(move || {
        children.into_iter().map(|mut c| c.wait()).collect::<Result<Vec<_>, _>>()
    })
    .await??;

    let seen = seen.lock().unwrap_or_else(|p| p.into_inner());
    let counts: Vec<usize> = seen.per_second.values().copied().collect();
    println!("requests per second at the stand-in: {counts:?}");
    println!("busiest second: {}", counts.iter().max().unwrap_or(&0));
    println!("worker sessions created: {}", seen.sessions);
    Ok(())
}

/// One replica: a client configured from the environment, as a service would build it.
async fn replica(base: &str) -> Result<(), Box<dyn std::error::Error>> {
    let redis = deel_api::redis::Redis::from_env()?;
    let mut builder = Client::builder().base_url(base).token("stand-in-token");
    if let Some(redis) = &redis {
        builder = builder.limiter(std::sync::Arc::new(redis.rate_limiter(5.0)));
    }
    let client = builder.build()?;
    let mut sessions = WorkerSessions::new(&client);
    if let Some(redis) = &redis {
        sessions = sessions.with_shared_cache(std::sync::Arc::new(redis.worker_tokens()));
    }
    let token = sessions.token("worker-profile-1").await?;
    println!("replica {}: worker token valid until {}", std::process::id(), token.expires_at());

    let mut tasks = tokio::task::JoinSet::new();
    let mut tick = tokio::time::interval(Duration::from_millis(50));
    let until = tokio::time::Instant::now() + Duration::from_secs(3);
    while tokio::time::Instant::now() < until {
        tick.tick().await;
        let client = client.clone();
        tasks.spawn(async move { client.get_contracts().send().await.map(|_| ()) });
    }
    tasks.abort_all();
    Ok(())
}
