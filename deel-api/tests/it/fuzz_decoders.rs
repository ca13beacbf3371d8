//! Fuzzes every generated response type through the client's decode path
//! (`dispatch::decode`, the same `runtime::decode` a call uses): arbitrary bytes, arbitrary JSON,
//! and our fixtures with one node replaced by arbitrary JSON, in lenient and strict mode. No
//! input may panic, and none may take long.
//!
//! `DEEL_FUZZ_CASES` sets the cases per strategy (default 4,000; CI runs the default, run more
//! on demand: `DEEL_FUZZ_CASES=200000 cargo test -p deel-api --test it fuzz --release`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use deel_api::testing::dispatch;
use deel_api::testing::Fixture;
use deel_api::DecodeMode;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::Value;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/operations");

/// The slowest a single decode may be, in a debug build on a loaded machine.
const SLOWEST: Duration = Duration::from_secs(2);

fn cases() -> u32 {
    std::env::var("DEEL_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(4_000)
}

/// Operations with a JSON success body, and their fixture bodies.
fn targets() -> Vec<(String, Value)> {
    let fixtures = Fixture::load_dir(FIXTURES).unwrap_or_else(|e| panic!("{e}"));
    let mut out: Vec<(String, Value)> = fixtures
        .into_iter()
        .filter_map(|f| Some((f.operation?, f.response.body.unwrap_or(Value::Null))))
        .filter(|(op, _)| {
            dispatch::decode(op, 200, bytes::Bytes::from_static(b"{}"), DecodeMode::Lenient).is_some()
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        "[a-z0-9 :.,T-]{0,24}".prop_map(Value::String),
        prop_oneof![
            Just("2026-11-29"),
            Just("2026-11-29T10:00:00Z"),
            Just(""),
            Just("true"),
            Just("1,000.50")
        ]
        .prop_map(|s| Value::String(s.to_string())),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,12}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// `value` with the `pick`-th node (in preorder, modulo the count) replaced by `with`.
fn replace_node(value: &mut Value, pick: usize, with: Value) {
    fn count(v: &Value) -> usize {
        1 + match v {
            Value::Array(a) => a.iter().map(count).sum(),
            Value::Object(m) => m.values().map(count).sum(),
            _ => 0,
        }
    }
    fn walk(v: &mut Value, target: &mut usize, with: &mut Option<Value>) {
        if *target == 0 {
            if let Some(w) = with.take() {
                *v = w;
            }
            return;
        }
        *target -= 1;
        match v {
            Value::Array(a) => a.iter_mut().for_each(|x| walk(x, target, with)),
            Value::Object(m) => m.values_mut().for_each(|x| walk(x, target, with)),
            _ => {}
        }
    }
    let mut target = pick % count(value);
    walk(value, &mut target, &mut Some(with));
}

/// Decodes `body` as `op` in both modes; fails on a slow decode (a panic fails the case itself).
fn decode_both(op: &str, body: &[u8], ran: &AtomicU64) -> Result<(), TestCaseError> {
    for mode in [DecodeMode::Lenient, DecodeMode::Strict] {
        let started = Instant::now();
        let outcome = dispatch::decode(op, 200, bytes::Bytes::copy_from_slice(body), mode);
        prop_assert!(outcome.is_some(), "{op} has no decoder");
        prop_assert!(started.elapsed() < SLOWEST, "{op}: one decode took {:?}", started.elapsed());
        if let Some(Err(e)) = outcome {
            prop_assert!(e.to_string().len() <= 1024, "{op}: unbounded error");
        }
        ran.fetch_add(1, Ordering::Relaxed);
    }
    Ok(())
}

fn run<S: Strategy>(name: &str, strategy: S, test: impl Fn(S::Value) -> Result<(), TestCaseError>) {
    let mut runner =
        TestRunner::new(Config { cases: cases(), failure_persistence: None, ..Config::default() });
    if let Err(e) = runner.run(&strategy, test) {
        panic!("{name}: {e}");
    }
}

#[test]
fn arbitrary_input_never_panics_any_decoder() {
    let targets = targets();
    assert!(targets.len() > 300, "only {} JSON operations", targets.len());
    let ran = AtomicU64::new(0);
    let n = targets.len();

    run("bytes", (0..n, prop::collection::vec(any::<u8>(), 0..256)), |(i, bytes)| {
        decode_both(&targets[i].0, &bytes, &ran)
    });
    run("json", (0..n, arb_json()), |(i, value)| {
        decode_both(&targets[i].0, value.to_string().as_bytes(), &ran)
    });
    run("mutated fixtures", (0..n, any::<usize>(), arb_json()), |(i, pick, with)| {
        let mut body = targets[i].1.clone();
        replace_node(&mut body, pick, with);
        decode_both(&targets[i].0, body.to_string().as_bytes(), &ran)
    });
    println!(
        "fuzz: {} decodes of {} response types (bytes, JSON, mutated fixtures; lenient and strict), no panic",
        ran.load(Ordering::Relaxed),
        n
    );
}
