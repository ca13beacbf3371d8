//! Every operation, driven through the client against the replay server with its fixture from
//! `fixtures/operations/`: the request must match the fixture, and the typed response,
//! serialized back, must equal the fixture's body.
//!
//! Normalizations: a download's body is compared as the bytes of the fixture's JSON value, and
//! an operation without a response body must have a fixture without one.
//!
//! The same suite checks a live environment for drift (see `conformance_against_a_live_environment`):
//!
//! ```text
//! DEEL_CONFORMANCE_BASE_URL=https://api-staging.letsdeel.com DEEL_API_TOKEN=... \
//!     cargo test -p deel-api --test it conformance -- --nocapture
//! ```

use std::collections::BTreeSet;

use deel_api::testing::dispatch::DispatchError;
use deel_api::testing::dispatch::{self, Call, Outcome};
use deel_api::testing::{json_difference, Fixture, ReplayServer};
use deel_api::{Client, Environment, Error, RetryPolicy};
use futures_util::StreamExt;
use serde_json::Value;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/operations");

/// The fixture's query as ordered pairs (a repeated parameter once per value).
fn query_pairs(f: &Fixture) -> Vec<(String, String)> {
    f.request
        .query
        .iter()
        .flat_map(|(k, v)| v.values().into_iter().map(move |x| (k.clone(), x.to_string())))
        .collect()
}

/// Drives one fixture's operation; `Ok` when it round-trips.
async fn drive(client: &Client, f: &Fixture) -> Result<(), String> {
    let operation = f.operation.as_deref().ok_or("no `operation` in the fixture")?;
    let query = query_pairs(f);
    let call = Call { operation, path: &f.request.path, query: &query, body: f.request.body.as_ref() };
    match dispatch::call(client, &call).await.map_err(|e| e.to_string())? {
        Outcome::Json(got, _) => {
            let want = f.response.body.as_ref().ok_or("a JSON response, but the fixture has no body")?;
            match json_difference(want, &got) {
                None => Ok(()),
                Some(d) => Err(format!("response body differs {d}")),
            }
        }
        Outcome::Empty if f.response.body.is_none() => Ok(()),
        Outcome::Empty => Err("no response body, but the fixture has one".into()),
        Outcome::Stream(stream) => {
            let mut bytes = Vec::new();
            let mut stream = stream.into_inner();
            while let Some(chunk) = stream.next().await {
                bytes.extend_from_slice(&chunk.map_err(|e| e.to_string())?);
            }
            let want = f.response.body.as_ref().map(Value::to_string).unwrap_or_default();
            if bytes == want.as_bytes() {
                Ok(())
            } else {
                Err("downloaded bytes differ from the fixture".into())
            }
        }
    }
}

/// Operations with no fixture among `fixtures`.
fn uncovered(fixtures: &[Fixture]) -> Vec<String> {
    let have: BTreeSet<&str> = fixtures.iter().filter_map(|f| f.operation.as_deref()).collect();
    dispatch::OPERATIONS
        .iter()
        .map(|(name, _, _)| *name)
        .filter(|n| !have.contains(n))
        .map(String::from)
        .collect()
}

fn load() -> Vec<Fixture> {
    Fixture::load_dir(FIXTURES).unwrap_or_else(|e| panic!("{e}"))
}

async fn replay(fixtures: Vec<Fixture>) -> (ReplayServer, Client) {
    let server = ReplayServer::start(fixtures).await.unwrap_or_else(|e| panic!("replay server: {e}"));
    let client = crate::common::build(
        crate::common::replay_builder(&server)
            .retry(RetryPolicy::none())
            // Our own fixtures must match the spec exactly: any correction fails the suite.
            .strict_decoding(true),
    );
    (server, client)
}

#[tokio::test]
async fn every_operation_round_trips_its_fixture() {
    let fixtures = load();
    let (server, client) = replay(fixtures.clone()).await;
    let mut failures = Vec::new();
    let mut covered = BTreeSet::new();
    for f in &fixtures {
        match drive(&client, f).await {
            Ok(()) => {
                covered.insert(f.operation.clone().unwrap_or_default());
            }
            Err(e) => failures.push(format!("{}: {e}", f.name)),
        }
    }
    let all: BTreeSet<String> = dispatch::OPERATIONS.iter().map(|(name, _, _)| name.to_string()).collect();
    let missing = uncovered(&fixtures);
    println!(
        "every-operation: {}/{} operations round-trip their fixture",
        covered.intersection(&all).count(),
        all.len()
    );
    assert!(missing.is_empty(), "{} operations have no fixture: {missing:?}", missing.len());
    assert!(failures.is_empty(), "{} fixtures fail:\n{}", failures.len(), failures.join("\n"));
    assert_eq!(server.verify(), Ok(()));
}

#[test]
fn an_operation_without_a_fixture_is_reported() {
    let mut fixtures = load();
    assert_eq!(uncovered(&fixtures), Vec::<String>::new());
    fixtures.retain(|f| f.operation.as_deref() != Some("get_contract"));
    assert_eq!(uncovered(&fixtures), ["get_contract"]);
}

#[tokio::test]
async fn a_renamed_response_field_fails_the_round_trip() {
    let mut fixture = load()
        .into_iter()
        .find(|f| f.operation.as_deref() == Some("get_contract"))
        .unwrap_or_else(|| panic!("no get_contract fixture"));
    let data = fixture.response.body.as_mut().and_then(|b| b.get_mut("data")).and_then(Value::as_object_mut);
    let data = data.unwrap_or_else(|| panic!("get_contract's fixture has no data object"));
    let title = data.remove("title").unwrap_or_else(|| panic!("no title"));
    data.insert("titel".into(), title);
    let (_server, client) = replay(vec![fixture.clone()]).await;
    let verdict = drive(&client, &fixture).await;
    let err = verdict.err().unwrap_or_else(|| panic!("a renamed field must fail"));
    // `title` is required, so the typed decode itself refuses the response.
    assert!(err.contains("missing field `title`"), "{err}");
}

/// What a conformance run corrected: method, template and corrections, per call.
type Observations = Vec<(String, String, Vec<deel_api::Correction>)>;

/// One line per fixture and a total, as the drift check prints them. Writes (anything but GET)
/// run only when `writes` is set.
async fn conformance(client: &Client, fixtures: &[Fixture], writes: bool) -> Vec<String> {
    conformance_observed(client, fixtures, writes).await.0
}

/// [`conformance`], with what each call corrected.
async fn conformance_observed(
    client: &Client,
    fixtures: &[Fixture],
    writes: bool,
) -> (Vec<String>, Observations) {
    let mut observed = Observations::new();
    let mut lines = Vec::new();
    let (mut ok, mut run, mut corrected) = (0, 0, 0);
    for f in fixtures {
        let Some(op) = f.operation.as_deref() else { continue };
        let Some((_, method, template)) = dispatch::OPERATIONS.iter().find(|(name, _, _)| *name == op) else {
            lines.push(format!(
                "conformance: {} {} error no such operation `{op}`",
                f.request.method, f.request.path
            ));
            continue;
        };
        if *method != "GET" && !writes {
            lines.push(format!(
                "conformance: {method} {template} skipped writes need DEEL_CONFORMANCE_WRITES=1"
            ));
            continue;
        }
        run += 1;
        let query = query_pairs(f);
        let call =
            Call { operation: op, path: &f.request.path, query: &query, body: f.request.body.as_ref() };
        let (verdict, detail) = match dispatch::call(client, &call).await {
            Ok(Outcome::Json(_, corrections)) if !corrections.is_empty() => {
                corrected += corrections.len();
                let list: Vec<String> = corrections.iter().map(|c| c.to_string()).collect();
                observed.push((method.to_string(), template.to_string(), corrections));
                ("ok", format!("corrected {}: {}", list.len(), list.join(", ")))
            }
            Ok(_) => ("ok", String::new()),
            Err(DispatchError::Call(Error::Decode(e))) => ("decode-failed", e.to_string()),
            Err(DispatchError::Call(e)) => match status_of(&e) {
                Some(s) if (400..500).contains(&s) => ("rejected", format!("status {s}: {e}")),
                _ => ("error", e.to_string()),
            },
            Err(e) => ("error", e.to_string()),
        };
        if verdict == "ok" {
            ok += 1;
        }
        let detail: String = detail.chars().take(160).collect();
        lines.push(format!("conformance: {method} {template} {verdict} {detail}").trim_end().to_string());
    }
    lines.push(format!("conformance: {ok}/{run} ok, {corrected} corrections"));
    (lines, observed)
}

/// The draft overlay of a run, against the committed `openapi/`.
fn draft_overlay(observed: &Observations, source: &str) -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/deel-api.json");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let openapi: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    let observed: Vec<deel_api::testing::overlay::Observed<'_>> = observed
        .iter()
        .map(|(method, template, corrections)| deel_api::testing::overlay::Observed {
            method,
            template,
            corrections,
        })
        .collect();
    deel_api::testing::overlay::draft(&openapi, &observed, source)
}

fn status_of(e: &Error) -> Option<u16> {
    match e {
        Error::Unauthorized(a) | Error::Forbidden(a) | Error::NotFound(a) | Error::Api(a) => Some(a.status),
        Error::RateLimited { error, .. } => Some(error.status),
        Error::UnexpectedStatus { status, .. } => Some(*status),
        _ => None,
    }
}

#[tokio::test]
async fn conformance_against_a_live_environment() {
    let (Ok(base), Ok(token)) = (std::env::var("DEEL_CONFORMANCE_BASE_URL"), std::env::var("DEEL_API_TOKEN"))
    else {
        println!("conformance: skipped (set DEEL_CONFORMANCE_BASE_URL and DEEL_API_TOKEN to run it)");
        return;
    };
    // Recorded fixtures (with real ids) give a meaningful check; the drafts in the repository
    // carry sample ids, so most lookups of them are rejected.
    let dir = std::env::var("DEEL_CONFORMANCE_FIXTURES").unwrap_or_else(|_| FIXTURES.to_string());
    let fixtures = Fixture::load_dir(&dir).unwrap_or_else(|e| panic!("{e}"));
    let client = Client::builder()
        .environment(Environment::Custom(base))
        .token(token)
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"));
    let writes = std::env::var("DEEL_CONFORMANCE_WRITES").is_ok_and(|v| v == "1");
    let (lines, observed) = conformance_observed(&client, &fixtures, writes).await;
    for line in &lines {
        println!("{line}");
    }
    // DEEL_CONFORMANCE_DRAFT_OVERLAY=path writes what the run corrected as a draft overlay, to
    // review and move into openapi/overlays/.
    if let Ok(out) = std::env::var("DEEL_CONFORMANCE_DRAFT_OVERLAY") {
        let source = format!(
            "conformance run against {}",
            std::env::var("DEEL_CONFORMANCE_BASE_URL").unwrap_or_default()
        );
        let text = serde_json::to_string_pretty(&draft_overlay(&observed, &source)).unwrap_or_default();
        std::fs::write(&out, text + "\n").unwrap_or_else(|e| panic!("{out}: {e}"));
        println!("conformance: draft overlay written to {out}");
    }
    let failed = lines
        .iter()
        .filter(|l| [" rejected", " decode-failed", " error"].iter().any(|v| l.contains(v)))
        .count();
    assert_eq!(failed, 0, "{failed} operations drifted; see the lines above");
}

#[tokio::test]
async fn conformance_prints_its_table_against_a_stand_in_for_deel() {
    let fixtures = load();
    let pick = |op: &str| {
        fixtures
            .iter()
            .find(|f| f.operation.as_deref() == Some(op))
            .cloned()
            .unwrap_or_else(|| panic!("no {op}"))
    };
    let ok = pick("get_contract");
    let mut rejected = pick("get_contracts");
    rejected.response = serde_json::from_value(
        serde_json::json!({ "status": 403, "body": { "errors": [{ "message": "scope missing" }] } }),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut drifted = pick("create_worker_access_token");
    drifted.response.body = Some(serde_json::json!({ "data": { "token": 42, "expires_at": "tomorrow" } }));
    let mut broken = pick("get_webhooks");
    broken.response.status = 500;
    let stand_in = vec![ok, rejected, drifted, broken];
    let (_server, client) = replay(stand_in.clone()).await;

    let lines = conformance(&client, &stand_in, true).await;
    for line in &lines {
        println!("{line}");
    }
    assert_eq!(lines.len(), 5, "{lines:#?}");
    assert_eq!(lines[0], "conformance: GET /rest/v2/contracts/{contract_id} ok");
    assert!(lines[1].starts_with("conformance: GET /rest/v2/contracts rejected status 403"), "{}", lines[1]);
    assert!(
        lines[2]
            .starts_with("conformance: POST /rest/v2/workers/session decode-failed could not decode a 201"),
        "{}",
        lines[2]
    );
    assert!(lines[3].starts_with("conformance: GET /rest/v2/webhooks error"), "{}", lines[3]);
    assert_eq!(lines[4], "conformance: 1/4 ok, 0 corrections");

    // Without writes, the POST is listed as skipped and not counted.
    let reads = conformance(&client, &stand_in, false).await;
    assert!(reads[2].starts_with("conformance: POST /rest/v2/workers/session skipped"), "{}", reads[2]);
    assert_eq!(reads[4], "conformance: 1/3 ok, 0 corrections");
}

#[tokio::test]
async fn no_path_parameter_can_change_the_endpoint_of_any_operation() {
    // A replay server with no fixtures: any request that reached it would come back as a 501.
    let (server, client) = replay(Vec::new()).await;
    let (mut refused, mut with_params) = (0, 0);
    for f in load() {
        let Some(op) = f.operation.as_deref() else { continue };
        let Some((_, _, template)) = dispatch::OPERATIONS.iter().find(|(name, _, _)| *name == op) else {
            continue;
        };
        let Some(at) = template.split('/').position(|s| s.starts_with('{')) else { continue };
        with_params += 1;
        for hostile in ["..", "."] {
            let mut parts: Vec<&str> = f.request.path.split('/').collect();
            parts[at] = hostile;
            let path = parts.join("/");
            let query = query_pairs(&f);
            let call = Call { operation: op, path: &path, query: &query, body: f.request.body.as_ref() };
            match dispatch::call(&client, &call).await {
                Err(DispatchError::Call(Error::InvalidRequest(_))) => refused += 1,
                // A parameter typed as a number or an id cannot even hold a dot segment.
                Err(DispatchError::Argument { .. }) => {}
                other => panic!("{op} with {hostile:?}: {other:?}"),
            }
        }
    }
    println!("path parameters: {refused} dot-segment calls refused across {with_params} operations with one");
    assert!(with_params > 150 && refused >= with_params, "{refused} refused of {with_params}");
    assert_eq!(server.verify(), Ok(()), "no request may reach the server");
}

#[tokio::test]
async fn a_run_with_corrections_drafts_an_overlay() {
    let mut fixture = load()
        .into_iter()
        .find(|f| f.operation.as_deref() == Some("get_contract"))
        .unwrap_or_else(|| panic!("no get_contract fixture"));
    let body = fixture.response.body.as_mut().and_then(|b| b.get_mut("data")).and_then(Value::as_object_mut);
    let data = body.unwrap_or_else(|| panic!("no data object"));
    data.insert("title".into(), serde_json::json!(42));
    data.remove("updated_at");
    let server = ReplayServer::start(vec![fixture.clone()]).await.unwrap_or_else(|e| panic!("{e}"));
    // A lenient client, as against a live environment.
    let client = crate::common::build(crate::common::replay_builder(&server));
    let (lines, observed) = conformance_observed(&client, &[fixture], false).await;
    assert!(lines[0].contains(" ok corrected 2: "), "{lines:?}");
    let overlay = draft_overlay(&observed, "a test");
    let targets: Vec<&str> =
        overlay["actions"].as_array().into_iter().flatten().filter_map(|a| a["target"].as_str()).collect();
    assert!(targets.iter().any(|t| t.ends_with(".required[?@ == 'updated_at']")), "{targets:?}");
    assert!(targets.iter().any(|t| t.ends_with(".properties['title']")), "{targets:?}");
}

/// Each operation's version as the committed document states it (`x-deel-version`), by Rust
/// method name.
fn versions() -> std::collections::BTreeMap<String, String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/deel-api.json");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let openapi: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut out = std::collections::BTreeMap::new();
    for item in openapi["paths"].as_object().into_iter().flat_map(|p| p.values()) {
        for op in item.as_object().into_iter().flat_map(|m| m.values()) {
            let (Some(id), Some(version)) = (op["operationId"].as_str(), op["x-deel-version"].as_str())
            else {
                continue;
            };
            out.insert(id.replace('-', "_"), version.to_string());
        }
    }
    out
}

/// The replay server refuses a request without a header its fixture lists, so with every
/// fixture naming its operation's version, the round trip above checks the `X-Version` of all
/// 393 operations on the wire. This checks the fixtures name the right one.
#[test]
fn every_fixture_expects_the_version_its_operation_is_published_at() {
    let versions = versions();
    assert_eq!(versions.len(), 393, "every operation has a version fact");
    let mut later = BTreeSet::new();
    let mut wrong = Vec::new();
    for f in load() {
        let op = f.operation.clone().unwrap_or_default();
        let want = versions.get(&op).map(String::as_str);
        if f.request.headers.get("x-version").map(String::as_str) != want {
            wrong.push(format!("{op}: fixture {:?}, fact {want:?}", f.request.headers.get("x-version")));
        }
        if want != Some(deel_api::API_VERSION) {
            later.insert(format!("{op} {}", want.unwrap_or_default()));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    let later: Vec<&str> = later.iter().map(String::as_str).collect();
    assert_eq!(
        later,
        [
            "create_candidate_tags 2026-02-27",
            "download_worker_invoice_pdf 2026-04-20",
            "get_invoice_details_by_id 2026-04-27",
            "get_payroll_report 2026-03-30",
            "list_organization_tasks 2026-03-03",
            "list_published_ats_email_templates 2026-02-11",
            "list_tags 2026-02-27",
            "list_worker_compliance_documents 2026-04-23",
            "retrieve_ats_job_postings 2026-04-10",
            "retrieve_worker_transaction_history 2026-04-30",
        ],
        "the ten operations Deel dates later than the baseline send their own dates"
    );
}
