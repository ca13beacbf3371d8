//! What sharing the rate limit through Redis costs per request, against the in-process limiter
//! measured in the same run: `acquire()` at a rate high enough that neither waits, so the figure
//! is the limiter's own overhead (for the Redis one, a script call over loopback).
//!
//! `cargo bench -p deel-api --features redis --bench shared_limit` (starts its own
//! `redis-server`; says so and measures nothing when it is not installed).

use std::process::{Command, Stdio};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use deel_api::limiter::{Limiter, RateLimiter};
use deel_api::redis::Redis;

fn bench(c: &mut Criterion) {
    if Command::new("redis-server").arg("--version").output().is_err() {
        eprintln!("shared_limit: redis-server is not installed; nothing measured");
        return;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port());
    let Ok(port) = port else { return };
    let Ok(mut server) = Command::new("redis-server")
        .args(["--bind", "127.0.0.1", "--port", &port.to_string(), "--save", "", "--appendonly", "no"])
        .stdout(Stdio::null())
        .spawn()
    else {
        return;
    };
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        std::thread::sleep(Duration::from_millis(20));
    }
    let Ok(runtime) = tokio::runtime::Runtime::new() else { return };
    // A rate no request waits for: what remains is each limiter's own work.
    let fast = 1e9;
    let local = RateLimiter::per_second(fast);
    let shared = runtime.block_on(async {
        Redis::open(&format!("redis://127.0.0.1:{port}/"))
            .map(|r| r.with_namespace("bench").rate_limiter(fast))
    });
    if let Ok(shared) = shared {
        let mut group = c.benchmark_group("rate limit per request");
        group.bench_function("in-process limiter (baseline)", |b| {
            b.to_async(&runtime).iter(|| Limiter::acquire(&local))
        });
        group.bench_function("Redis limiter shared by processes", |b| {
            b.to_async(&runtime).iter(|| Limiter::acquire(&shared))
        });
        group.finish();
    }
    let _ = server.kill();
    let _ = server.wait();
}

criterion_group!(benches, bench);
criterion_main!(benches);
