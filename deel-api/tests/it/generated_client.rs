//! The generated client against a local server: requests as Deel expects them, responses decoded
//! the way Deel actually sends them.

use chrono::{TimeZone, Utc};
use deel_api::{types, Client, Error};
use futures::TryStreamExt;
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

async fn server_and_client() -> (MockServer, Client) {
    let server = MockServer::start().await;
    let client = Client::builder().base_url(server.uri()).rate_limit(None).build();
    match client {
        Ok(client) => (server, client),
        Err(e) => panic!("client: {e}"),
    }
}

fn session_body(profile_id: &str) -> types::CreateWorkerAccessTokenRequest {
    crate::common::session_body(profile_id)
}

#[tokio::test]
async fn create_worker_session_sends_profile_and_decodes_token_expiry() {
    let (server, client) = server_and_client().await;
    Mock::given(method("POST"))
        .and(path("/rest/v2/workers/session"))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({ "data": { "profile_id": "prof-7d1c" } })))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "data": { "token": "wt-test-0001", "expires_at": "2026-11-29T16:30:00Z" }
        })))
        .expect(1)
        .mount(&server)
        .await;

    let body = session_body("prof-7d1c");
    let response = client.create_worker_access_token(body.clone()).send().await;
    let session = match response {
        Ok(r) => r.into_inner(),
        Err(e) => panic!("request failed: {e}"),
    };
    assert_eq!(session.data.token, "wt-test-0001");
    assert_eq!(session.data.expires_at, Utc.with_ymd_and_hms(2026, 11, 29, 16, 30, 0).unwrap());
}

#[tokio::test]
async fn delete_worker_session_uses_the_worker_id_and_accepts_no_content() {
    let (server, client) = server_and_client().await;
    Mock::given(method("DELETE"))
        .and(path("/rest/v2/workers/wkr-42/session"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;

    let response = client.delete_worker_access_token("wkr-42").send().await;
    assert_eq!(response.map(|r| r.status().as_u16()).ok(), Some(204));
}

#[tokio::test]
async fn a_200_where_201_is_documented_still_decodes() {
    let (server, client) = server_and_client().await;
    Mock::given(method("POST"))
        .and(path("/rest/v2/workers/session"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": { "token": "wt-test-0002", "expires_at": "2026-12-01T00:00:00+00:00" }
        })))
        .mount(&server)
        .await;

    let body = session_body("prof-1");
    let response = client.create_worker_access_token(body.clone()).send().await;
    let token = response.map(|r| r.into_inner().data.token).map_err(|e| e.to_string());
    assert_eq!(token, Ok("wt-test-0002".to_string()));
}

#[tokio::test]
async fn an_unknown_enum_value_decodes_and_is_kept() {
    let (server, client) = server_and_client().await;
    Mock::given(method("POST"))
        .and(path("/rest/v2/time-tracking/timesheets/ts-9/review"))
        .and(body_json(json!({ "data": { "review_status": "APPROVED" } })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": {
                "id": "ts-9",
                "review_status": "ESCALATED_TO_FINANCE",
                "reviewed_at": "2026-11-28T09:00:00Z"
            }
        })))
        .mount(&server)
        .await;

    let body = types::ReviewTimeTrackingTimesheetRequest {
        data: types::ReviewTimeTrackingTimesheetInput {
            review_reason: deel_api::Nullable::Absent,
            review_status: "APPROVED".into(),
        },
    };
    let response = client.review_time_tracking_timesheet("ts-9", body.clone()).send().await;
    let data = match response {
        Ok(r) => r.into_inner().data,
        Err(e) => panic!("request failed: {e}"),
    };
    let status = data.review_status;
    assert_eq!(status.as_str(), "ESCALATED_TO_FINANCE");
    assert!(matches!(status, types::TimesheetReviewStatus::Unknown(ref v) if v == "ESCALATED_TO_FINANCE"));
    // Known values still map to their variant, and the unknown one serializes back unchanged.
    assert_eq!(types::TimesheetReviewStatus::from("APPROVED"), types::TimesheetReviewStatus::Approved);
    assert_eq!(serde_json::to_value(&status).ok(), Some(json!("ESCALATED_TO_FINANCE")));
}

#[tokio::test]
async fn optional_query_parameters_are_sent_only_when_set() {
    let (server, client) = server_and_client().await;
    Mock::given(method("GET"))
        .and(path("/rest/v2/contracts"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({ "data": [], "page": { "cursor": "", "total_rows": 0 } })),
        )
        .mount(&server)
        .await;

    let sent = client.get_contracts().limit(25).search("Ada").send().await;
    assert!(sent.is_ok(), "{:?}", sent.err().map(|e| e.to_string()));
    let requests: Vec<Request> = server.received_requests().await.unwrap_or_default();
    assert_eq!(requests.len(), 1);
    let query = requests[0].url.query().unwrap_or_default().to_string();
    assert_eq!(query, "limit=25&search=Ada");
    assert!(requests[0].headers.get("api-version").is_none(), "progenitor's api-version header leaked");
}

#[tokio::test]
async fn error_bodies_reach_the_caller_with_status_and_headers() {
    let (server, client) = server_and_client().await;
    Mock::given(method("DELETE"))
        .and(path("/rest/v2/workers/nobody/session"))
        .respond_with(
            ResponseTemplate::new(404)
                .insert_header("x-request-id", "req-123")
                .set_body_string("<html>not json at all</html>"),
        )
        .mount(&server)
        .await;

    let Err(Error::NotFound(error)) = client.delete_worker_access_token("nobody").send().await else {
        panic!("a 404 must be a typed not-found error");
    };
    assert_eq!(error.status, 404);
    assert_eq!(error.request_id.as_deref(), Some("req-123"));
    assert_eq!(error.raw.as_deref(), Some("<html>not json at all</html>"));
}

#[tokio::test]
async fn multipart_uploads_send_a_form() {
    let (server, client) = server_and_client().await;
    Mock::given(method("POST"))
        .and(path("/rest/v2/contracts/ctr-1/documents"))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({ "data": { "filename": "nda.pdf", "key": "k-1" } })),
        )
        .mount(&server)
        .await;

    let part = reqwest::multipart::Part::bytes(b"%PDF-1.4 fake".to_vec()).file_name("nda.pdf");
    let form = reqwest::multipart::Form::new().part("file", part);
    let response = client.create_contract_document("ctr-1", form).send().await;
    assert!(response.is_ok(), "{:?}", response.err().map(|e| e.to_string()));

    let requests = server.received_requests().await.unwrap_or_default();
    let content_type =
        requests[0].headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    assert!(content_type.starts_with("multipart/form-data; boundary="), "{content_type}");
    let body = String::from_utf8_lossy(&requests[0].body);
    assert!(body.contains("name=\"file\"; filename=\"nda.pdf\""), "{body}");
    assert!(body.contains("%PDF-1.4 fake"), "{body}");
}

#[tokio::test]
async fn binary_downloads_stream_the_bytes() {
    let (server, client) = server_and_client().await;
    Mock::given(method("GET"))
        .and(path("/rest/v2/eor/contracts/ctr-2/offboarding/attachments/att-3"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(vec![0u8, 159, 146, 150]))
        .mount(&server)
        .await;

    let response = client.get_contract_offboarding_attachment_by_id("ctr-2", "att-3").send().await;
    let stream = match response {
        Ok(r) => r.into_inner(),
        Err(e) => panic!("download failed: {e}"),
    };
    assert_eq!(read_all(stream).await, vec![0u8, 159, 146, 150]);
}

#[tokio::test]
async fn scim_operations_live_under_scim_v2() {
    let (server, client) = server_and_client().await;
    Mock::given(method("GET"))
        .and(path("/scim/v2/Users"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
            "totalResults": 0, "itemsPerPage": 0, "startIndex": 1, "Resources": []
        })))
        .expect(1)
        .mount(&server)
        .await;

    let response = client.get_users().count(10).send().await;
    assert!(response.is_ok(), "{:?}", response.err().map(|e| e.to_string()));
}

async fn read_all(stream: deel_api::ByteStream) -> Vec<u8> {
    let chunks: Result<Vec<_>, _> = stream.into_inner().try_collect().await;
    match chunks {
        Ok(chunks) => chunks.concat(),
        Err(e) => panic!("body stream failed: {e}"),
    }
}

#[tokio::test]
async fn nothing_is_sent_until_the_call_is_awaited() {
    let (server, client) = server_and_client().await;
    Mock::given(method("DELETE"))
        .and(path("/rest/v2/workers/wkr-42/session"))
        .respond_with(ResponseTemplate::new(204))
        .expect(2)
        .mount(&server)
        .await;

    let pending: deel_api::Pending<(), deel_api::pending::Empty> =
        client.delete_worker_access_token("wkr-42").send();
    drop(client.delete_worker_access_token("wkr-42").send());
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let received = server.received_requests().await.map(|r| r.len());
    assert_eq!(received, Some(0), "a call was sent before it was awaited");
    assert_eq!(pending.await.map(|r| r.status().as_u16()).ok(), Some(204));

    // A call can run on another task: it is `Send`, and the request is already built.
    let client = std::sync::Arc::new(client);
    let task = tokio::spawn(async move { client.delete_worker_access_token("wkr-42").send().await });
    match task.await {
        Ok(Ok(response)) => assert_eq!(response.status().as_u16(), 204),
        other => panic!("spawned call: {other:?}"),
    }
}

/// Each area is a module of the facade holding its request builders and the types only it uses;
/// the `webhooks` area's sit beside the signature checks.
#[tokio::test]
async fn area_modules_hold_their_builders_and_own_types() {
    let server = wiremock::MockServer::start().await;
    let client = crate::common::build(crate::common::builder(&server));
    let request: deel_api::contracts::GetContracts = client.get_contracts().limit(1);
    let invoices: deel_api::accounting::RetrieveInvoices = client.retrieve_invoices();
    let _: Option<deel_api::accounting::InvoiceList> = None;
    let subscriptions: deel_api::webhooks::GetWebhooks = client.get_webhooks();
    let _: Option<deel_api::webhooks::WebhookVerifier> = None;
    drop((request, invoices, subscriptions));
    // Re-exports of the same items, not copies.
    assert_eq!(
        std::any::type_name::<deel_api::contracts::GetContracts>(),
        std::any::type_name::<deel_api::builder::GetContracts>()
    );
    // A type one area alone uses is defined in that area's module; `types` names it too.
    assert_eq!(
        std::any::type_name::<deel_api::types::InvoiceList>(),
        "deel_api_gen::areas::accounting::InvoiceList"
    );
    assert_eq!(
        std::any::type_name::<deel_api::types::InvoiceList>(),
        std::any::type_name::<deel_api::accounting::InvoiceList>()
    );
    // A type several areas use is defined in `types`.
    assert_eq!(std::any::type_name::<deel_api::types::SortOrder>(), "deel_api_gen::types::SortOrder");
}

/// There is one client type: the facade's `Client` is the generated client itself (no wrapper
/// to deref through), so its operations, its builder and its accessors are all inherent.
#[test]
fn the_facade_client_is_the_generated_client() {
    fn same(client: deel_api::Client) -> deel_api_gen::Client {
        client
    }
    let client = deel_api::Client::builder()
        .base_url("http://127.0.0.1:9")
        .token("secret-token-in-the-client")
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let client = same(client);
    assert_eq!(client.base_url(), "http://127.0.0.1:9");
    // Its Debug shows the transport's settings, never the token.
    let shown = format!("{client:?}");
    assert!(shown.contains("DeelTransport") && !shown.contains("secret-token-in-the-client"), "{shown}");
}
