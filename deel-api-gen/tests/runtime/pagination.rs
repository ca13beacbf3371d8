//! The pager: follows each page style to the end of a listing, stops on a page that points at
//! itself, and ends the stream at the first error.

use deel_api_gen::runtime::pagination::{PageInfo, PageStyle, Paginated, Paginator};
use deel_api_gen::runtime::{Operation, Pending};
use deel_api_gen::{Client, Error};
use futures_util::StreamExt;
use serde_json::{json, Value};
use wiremock::matchers::{path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A list operation of our own, so that the pager is tested apart from any one of Deel's.
#[derive(Clone)]
struct Things<const OFFSET: bool> {
    client: Client,
    limit: Option<u64>,
}

const LIST: Operation =
    Operation { id: "list_things", method: "GET", path: "/things", version: "2026-01-01", beta: false };

impl<const OFFSET: bool> Paginated for Things<OFFSET> {
    type Page = Value;
    type Item = i64;
    const STYLE: PageStyle = if OFFSET { PageStyle::Offset } else { PageStyle::NextCursor };

    fn fetch_page(&self, position: Option<&str>) -> Pending<Value> {
        let name = if OFFSET { "offset" } else { "cursor" };
        let mut request = self.client.http().get(format!("{}/things", self.client.base_url()));
        if let Some(position) = position {
            request = request.query(&[(name, position)]);
        }
        if let Some(limit) = self.limit {
            request = request.query(&[("limit", limit)]);
        }
        Pending::new(&self.client, request.build(), LIST)
    }

    fn start(&self) -> u64 {
        0
    }

    fn page_size(&self) -> Option<u64> {
        self.limit
    }

    fn page_info(page: &Value) -> PageInfo {
        PageInfo {
            next: page.get("next_cursor").and_then(Value::as_str).map(String::from),
            has_more: page.get("has_more").and_then(Value::as_bool),
            total: page.get("total").and_then(Value::as_u64),
        }
    }

    fn into_items(page: Value) -> Vec<i64> {
        page.get("data")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_i64).collect())
            .unwrap_or_default()
    }
}

async fn page(server: &MockServer, cursor: Option<&str>, body: Value) {
    let mock = Mock::given(path("/things"));
    let mock = match cursor {
        Some(c) => mock.and(query_param("cursor", c)),
        None => mock.and(query_param_is_missing("cursor")),
    };
    mock.respond_with(ResponseTemplate::new(200).set_body_json(body)).mount(server).await;
}

#[tokio::test]
async fn cursor_pages_are_followed_to_the_last() {
    let server = MockServer::start().await;
    page(&server, None, json!({ "data": [1, 2], "next_cursor": "c2", "has_more": true })).await;
    page(&server, Some("c2"), json!({ "data": [3, 4], "next_cursor": "c3", "has_more": true })).await;
    page(&server, Some("c3"), json!({ "data": [5], "has_more": false })).await;
    let things = Things::<false> { client: crate::client(&server), limit: None };
    let items: Vec<i64> =
        Paginator::new(things).items().filter_map(|i| async move { i.ok() }).collect().await;
    assert_eq!(items, vec![1, 2, 3, 4, 5]);
}

#[tokio::test]
async fn a_page_that_points_at_itself_ends_the_listing() {
    let server = MockServer::start().await;
    page(&server, None, json!({ "data": [1], "next_cursor": "same", "has_more": true })).await;
    page(&server, Some("same"), json!({ "data": [2], "next_cursor": "same", "has_more": true })).await;
    let things = Things::<false> { client: crate::client(&server), limit: None };
    let pages: Vec<_> = Paginator::new(things).pages().collect().await;
    assert_eq!(pages.len(), 2, "the second page points at itself: no third request");
}

#[tokio::test]
async fn an_error_ends_the_stream_after_the_pages_before_it() {
    let server = MockServer::start().await;
    page(&server, None, json!({ "data": [1], "next_cursor": "c2" })).await;
    Mock::given(path("/things"))
        .and(query_param("cursor", "c2"))
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    let things = Things::<false> { client: crate::client(&server), limit: None };
    let pages: Vec<Result<Vec<i64>, Error>> = Paginator::new(things).pages().collect().await;
    assert_eq!(pages.len(), 2);
    assert_eq!(pages[0].as_ref().ok(), Some(&vec![1]));
    assert!(matches!(pages[1], Err(Error::NotFound(_))));
}

#[tokio::test]
async fn offset_pages_stop_at_the_total_or_a_short_page() {
    let server = MockServer::start().await;
    for (offset, data) in [(None, json!([1, 2])), (Some("2"), json!([3, 4])), (Some("4"), json!([5]))] {
        let mock = Mock::given(path("/things"));
        let mock = match offset {
            Some(o) => mock.and(query_param("offset", o)),
            None => mock.and(query_param_is_missing("offset")),
        };
        mock.respond_with(ResponseTemplate::new(200).set_body_json(json!({ "data": data })))
            .expect(1)
            .mount(&server)
            .await;
    }
    let things = Things::<true> { client: crate::client(&server), limit: Some(2) };
    let items: Vec<i64> =
        Paginator::new(things).items().filter_map(|i| async move { i.ok() }).collect().await;
    assert_eq!(items, vec![1, 2, 3, 4, 5], "the short third page is the last");
}
