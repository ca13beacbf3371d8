//! The golden crate is not only compiled: its operations are callable through the one way to
//! build a client.

use deel_golden::{Client, Error};

#[tokio::test]
async fn a_generated_operation_is_callable_through_the_builder() {
    // A port nothing listens on: the call is made, and fails as a typed error.
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port());
    let client = Client::builder()
        .base_url(format!("http://127.0.0.1:{}", port.unwrap_or_else(|e| panic!("{e}"))))
        .token("golden")
        .retry(deel_golden::runtime::retry::RetryPolicy::none())
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let outcome = client.list_gadgets().limit(2).send().await;
    assert!(matches!(outcome, Err(Error::Transport(_))), "{outcome:?}");
}
