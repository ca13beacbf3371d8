//! Each pagination style against a local server: the exact requests and the exact items, for
//! no items, one page, and many pages ending on an exactly full page.

use crate::common;

use deel_api::pagination::{PageStyle, PAGINATED};
use deel_api::{Error, RetryPolicy};
use futures_util::{StreamExt, TryStreamExt};
use serde_json::{json, Value};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Answers by the request's query string.
struct ByQuery(Vec<(&'static str, Value)>);

impl Respond for ByQuery {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let query = request.url.query().unwrap_or_default();
        match self.0.iter().find(|(q, _)| *q == query) {
            Some((_, body)) => ResponseTemplate::new(200).set_body_json(body),
            None => ResponseTemplate::new(500).set_body_string(format!("unexpected query {query}")),
        }
    }
}

async fn serve(pages: Vec<(&'static str, Value)>) -> (MockServer, deel_api::Client) {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any()).respond_with(ByQuery(pages)).mount(&server).await;
    let client = common::build(common::builder(&server).retry(RetryPolicy::none()));
    (server, client)
}

async fn queries(server: &MockServer) -> Vec<String> {
    common::received(server).await.iter().map(|r| r.url.query().unwrap_or_default().to_string()).collect()
}

fn contract(id: &str) -> Value {
    json!({ "id": id, "title": id, "type": "eor", "status": "in_progress", "client": {}, "invitations": {},
            "signatures": {}, "is_archived": false, "is_shielded": false, "notice_period": 0 })
}

fn contracts(ids: &[&str], cursor: &str, total: u64) -> Value {
    json!({ "data": ids.iter().map(|i| contract(i)).collect::<Vec<_>>(), "page": { "cursor": cursor, "total_rows": total } })
}

#[test]
fn every_style_is_covered_by_the_generated_classification() {
    for style in [
        PageStyle::NextCursor,
        PageStyle::PageCursor,
        PageStyle::Offset,
        PageStyle::NextToken,
        PageStyle::ScimIndex,
    ] {
        assert!(PAGINATED.iter().any(|(_, s)| *s == style), "{style:?} classifies no operation");
    }
    assert_eq!(
        PAGINATED.iter().find(|(op, _)| *op == "get_contracts").map(|(_, s)| *s),
        Some(PageStyle::PageCursor)
    );
    assert!(PAGINATED.len() >= 50, "{}", PAGINATED.len());
}

#[tokio::test]
async fn page_cursor_many_pages_ending_exactly_full() {
    let (server, client) = serve(vec![
        ("limit=2", contracts(&["c1", "c2"], "k2", 4)),
        ("after_cursor=k2&limit=2", contracts(&["c3", "c4"], "k4", 4)),
    ])
    .await;
    let ids: Result<Vec<String>, Error> =
        client.get_contracts().limit(2).paginate().items().map_ok(|c| c.id).try_collect().await;
    assert_eq!(ids.ok(), Some(vec!["c1".into(), "c2".into(), "c3".into(), "c4".into()]));
    assert_eq!(queries(&server).await, ["limit=2", "after_cursor=k2&limit=2"]);
}

#[tokio::test]
async fn page_cursor_one_page_and_no_items() {
    let (server, client) = serve(vec![("limit=5", contracts(&["c1"], "", 1))]).await;
    let items: Vec<_> = client.get_contracts().limit(5).paginate().items().collect().await;
    assert_eq!(items.len(), 1);
    assert_eq!(queries(&server).await, ["limit=5"]);

    let (server, client) = serve(vec![("", contracts(&[], "", 0))]).await;
    let items: Vec<_> = client.get_contracts().paginate().items().collect().await;
    assert!(items.is_empty());
    let pages: Vec<_> = client.get_contracts().paginate().pages().collect().await;
    assert_eq!(pages.len(), 1, "an empty listing is one empty page");
    assert_eq!(queries(&server).await, ["", ""]);
}

fn assets(ids: &[&str], has_more: bool, next: &str) -> Value {
    json!({ "data": ids.iter().map(|i| json!({ "id": i })).collect::<Vec<_>>(), "has_more": has_more, "next_cursor": next, "total_count": 99 })
}

#[tokio::test]
async fn next_cursor_follows_has_more_and_take_fetches_no_extra_page() {
    let pages = vec![
        ("limit=2", assets(&["a1", "a2"], true, "n2")),
        ("cursor=n2&limit=2", assets(&["a3", "a4"], true, "n4")),
        ("cursor=n4&limit=2", assets(&["a5", "a6"], false, "")),
    ];
    let (server, client) = serve(pages.clone()).await;
    let all: Vec<_> = client.get_it_assets().limit(2).paginate().items().collect().await;
    assert_eq!(all.len(), 6);
    assert_eq!(queries(&server).await, ["limit=2", "cursor=n2&limit=2", "cursor=n4&limit=2"]);

    let (server, client) = serve(pages).await;
    let three: Vec<_> = client.get_it_assets().limit(2).paginate().items().take(3).collect().await;
    assert_eq!(three.len(), 3);
    assert_eq!(
        queries(&server).await,
        ["limit=2", "cursor=n2&limit=2"],
        "take(3) fetched a page it did not need"
    );
}

#[tokio::test]
async fn next_cursor_single_page_and_empty() {
    let (server, client) = serve(vec![("", assets(&["a1"], false, ""))]).await;
    assert_eq!(client.get_it_assets().paginate().items().collect::<Vec<_>>().await.len(), 1);
    assert_eq!(queries(&server).await, [""]);
    let (server, client) = serve(vec![("", assets(&[], false, ""))]).await;
    assert!(client.get_it_assets().paginate().items().collect::<Vec<_>>().await.is_empty());
    assert_eq!(queries(&server).await, [""]);
}

fn invoices(ids: &[&str], offset: u64, total: u64) -> Value {
    let item = |id: &&str| json!({ "id": id, "label": id, "status": "paid", "total": "10.00", "currency": "EUR", "created_at": "2026-10-01T00:00:00Z" });
    json!({ "data": ids.iter().map(item).collect::<Vec<_>>(), "page": { "offset": offset, "total_rows": total, "items_per_page": 2 } })
}

#[tokio::test]
async fn offset_pages_by_items_seen_and_stops_at_the_total() {
    let (server, client) = serve(vec![
        ("limit=2", invoices(&["i1", "i2"], 0, 4)),
        ("limit=2&offset=2", invoices(&["i3", "i4"], 2, 4)),
    ])
    .await;
    let pages: Vec<_> = client.retrieve_deel_invoices().limit(2).paginate().pages().collect().await;
    let sizes: Vec<usize> = pages.iter().map(|p| p.as_ref().map(Vec::len).unwrap_or(99)).collect();
    assert_eq!(sizes, [2, 2]);
    assert_eq!(queries(&server).await, ["limit=2", "limit=2&offset=2"]);

    let (server, client) = serve(vec![("limit=2", invoices(&["i1"], 0, 1))]).await;
    assert_eq!(
        client.retrieve_deel_invoices().limit(2).paginate().items().collect::<Vec<_>>().await.len(),
        1
    );
    assert_eq!(queries(&server).await, ["limit=2"]);

    let (server, client) = serve(vec![("limit=2", invoices(&[], 0, 0))]).await;
    assert!(client.retrieve_deel_invoices().limit(2).paginate().items().collect::<Vec<_>>().await.is_empty());
    assert_eq!(queries(&server).await, ["limit=2"]);
}

fn time_offs(ids: &[&str], next: Option<&str>) -> Value {
    let item = |id: &&str| {
        json!({ "id": id, "amount": 1, "created_at": "2026-01-01T00:00:00Z", "end_date": "2026-01-02",
        "entitlement_unit": "BUSINESS_DAY", "half_end_date": false, "half_start_date": false, "is_paid": true,
        "requested_at": "2026-01-01", "start_date": "2026-01-02", "time_off_type_id": "t", "updated_at": "2026-01-01T00:00:00Z" })
    };
    json!({ "data": ids.iter().map(item).collect::<Vec<_>>(), "next": next.unwrap_or(""), "has_next_page": next.is_some(), "page_size": 2 })
}

#[tokio::test]
async fn next_token_pages_until_there_is_no_next_page() {
    let (server, client) = serve(vec![
        ("page_size=2", time_offs(&["t1", "t2"], Some("tok2"))),
        ("next=tok2&page_size=2", time_offs(&["t3", "t4"], None)),
    ])
    .await;
    let ids: Result<Vec<String>, Error> = client
        .list_time_off_requests_for_organization()
        .page_size(2)
        .paginate()
        .items()
        .map_ok(|t| t.id)
        .try_collect()
        .await;
    assert_eq!(
        ids.map_err(|e| e.to_string()),
        Ok(vec!["t1".into(), "t2".into(), "t3".into(), "t4".into()]),
        "{:?}",
        queries(&server).await
    );
    assert_eq!(queries(&server).await, ["page_size=2", "next=tok2&page_size=2"]);

    let (server, client) = serve(vec![("page_size=5", time_offs(&["t1"], None))]).await;
    let one: Vec<_> =
        client.list_time_off_requests_for_organization().page_size(5).paginate().items().collect().await;
    assert_eq!(one.len(), 1);
    assert_eq!(queries(&server).await, ["page_size=5"]);

    let (server, client) = serve(vec![("", time_offs(&[], None))]).await;
    assert!(client
        .list_time_off_requests_for_organization()
        .paginate()
        .items()
        .collect::<Vec<_>>()
        .await
        .is_empty());
    assert_eq!(queries(&server).await, [""]);
}

fn users(names: &[&str], start: u64, total: u64) -> Value {
    let user = |n: &&str| json!({ "userName": n, "name": { "givenName": n, "familyName": "Test" }, "emails": [], "meta": {}, "schemas": [] });
    json!({ "Resources": names.iter().map(user).collect::<Vec<_>>(), "totalResults": total, "startIndex": start, "itemsPerPage": 2, "schemas": [] })
}

#[tokio::test]
async fn scim_index_is_one_based_and_stops_at_total_results() {
    let (server, client) = serve(vec![
        ("count=2", users(&["u1", "u2"], 1, 4)),
        ("count=2&startIndex=3", users(&["u3", "u4"], 3, 4)),
    ])
    .await;
    let names: Result<Vec<String>, Error> =
        client.get_users().count(2).paginate().items().map_ok(|u| u.user_name).try_collect().await;
    assert_eq!(
        names.map_err(|e| e.to_string()),
        Ok(vec!["u1".into(), "u2".into(), "u3".into(), "u4".into()]),
        "{:?}",
        queries(&server).await
    );
    assert_eq!(queries(&server).await, ["count=2", "count=2&startIndex=3"]);

    let (server, client) = serve(vec![("count=2", users(&["u1"], 1, 1))]).await;
    assert_eq!(client.get_users().count(2).paginate().items().collect::<Vec<_>>().await.len(), 1);
    assert_eq!(queries(&server).await, ["count=2"]);

    let (server, client) = serve(vec![("", users(&[], 1, 0))]).await;
    assert!(client.get_users().paginate().items().collect::<Vec<_>>().await.is_empty());
    assert_eq!(queries(&server).await, [""]);
}

#[tokio::test]
async fn an_error_ends_the_stream_as_its_last_item() {
    let (server, client) = serve(vec![("limit=2", assets(&["a1", "a2"], true, "gone"))]).await;
    let items: Vec<_> = client.get_it_assets().limit(2).paginate().items().collect().await;
    assert_eq!(items.len(), 3);
    assert!(items[0].is_ok() && items[1].is_ok());
    assert!(matches!(items[2], Err(Error::Api(ref e)) if e.status == 500), "{:?}", items[2]);
    assert_eq!(queries(&server).await.len(), 2);
}

/// Serves a list of `n` items by position: `limit`/`offset` (0-based) or `count`/`startIndex`
/// (1-based), with the total, as Deel does.
struct Positional {
    n: usize,
    scim: bool,
}

impl Respond for Positional {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let q = |k: &str| {
            request.url.query_pairs().find(|(name, _)| name == k).and_then(|(_, v)| v.parse::<usize>().ok())
        };
        let (size, from) = if self.scim {
            (q("count").unwrap_or(100), q("startIndex").unwrap_or(1).saturating_sub(1))
        } else {
            (q("limit").unwrap_or(100), q("offset").unwrap_or(0))
        };
        let ids: Vec<String> = (from..(from + size).min(self.n)).map(|i| format!("x{i}")).collect();
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        let body = if self.scim {
            users(&ids, from as u64 + 1, self.n as u64)
        } else {
            invoices(&ids, from as u64, self.n as u64)
        };
        ResponseTemplate::new(200).set_body_json(body)
    }
}

async fn positional(scim: bool) -> (MockServer, deel_api::Client) {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any()).respond_with(Positional { n: 10, scim }).mount(&server).await;
    let client = common::build(common::builder(&server).retry(RetryPolicy::none()));
    (server, client)
}

#[tokio::test]
async fn offset_paging_continues_forward_from_the_callers_offset() {
    let (server, client) = positional(false).await;
    let ids: Result<Vec<String>, Error> = client
        .retrieve_deel_invoices()
        .limit(2)
        .offset(4)
        .paginate()
        .items()
        .map_ok(|i| i.id)
        .try_collect()
        .await;
    assert_eq!(
        ids.map_err(|e| e.to_string()),
        Ok(["x4", "x5", "x6", "x7", "x8", "x9"].map(String::from).to_vec())
    );
    assert_eq!(
        queries(&server).await,
        ["limit=2&offset=4", "limit=2&offset=6", "limit=2&offset=8"],
        "no page twice, never backwards, and none past the total"
    );
}

#[tokio::test]
async fn scim_paging_continues_forward_from_the_callers_start_index() {
    let (server, client) = positional(true).await;
    let names: Result<Vec<String>, Error> = client
        .get_users()
        .count(3)
        .start_index(5)
        .paginate()
        .items()
        .map_ok(|u| u.user_name)
        .try_collect()
        .await;
    assert_eq!(
        names.map_err(|e| e.to_string()),
        Ok(["x4", "x5", "x6", "x7", "x8", "x9"].map(String::from).to_vec())
    );
    assert_eq!(queries(&server).await, ["count=3&startIndex=5", "count=3&startIndex=8"]);
}

/// A built request is a value: kept in a struct, moved to another task and sent there after its
/// client is gone; a list request pages with its own `.paginate()`, no trait imported.
#[tokio::test]
async fn a_built_request_is_stored_sent_from_a_task_and_paged_without_a_trait() {
    struct Job {
        request: deel_api::builder::GetContracts,
    }
    fn send_static<T: Send + 'static>(value: T) -> T {
        value
    }
    let (server, client) = serve(vec![
        ("limit=2&search=Ada", contracts(&["c1", "c2"], "k2", 3)),
        ("after_cursor=k2&limit=2&search=Ada", contracts(&["c3"], "", 3)),
    ])
    .await;
    let job = send_static(Job { request: client.get_contracts().limit(2_i32).search(String::from("Ada")) });
    let again = job.request.clone();
    drop(client);
    let first =
        tokio::spawn(async move { job.request.send().await.map(|page| page.into_inner().data.len()) });
    assert_eq!(first.await.ok().and_then(Result::ok), Some(2));
    let ids: Vec<String> = again.paginate().items().map_ok(|c| c.id).try_collect().await.unwrap_or_default();
    assert_eq!(ids, ["c1", "c2", "c3"]);
    assert_eq!(
        queries(&server).await,
        ["limit=2&search=Ada", "limit=2&search=Ada", "after_cursor=k2&limit=2&search=Ada"]
    );
}
